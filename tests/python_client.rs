//! The official Python MCP SDK drives the binary (tests/py/mcp_client.py). Needs `python3` with
//! `mcp==2.3.0` (installed by .ci/run); skips with a reason when it is missing, unless
//! KD_DBA_REQUIRE_TOOLS=1, as in CI.

use std::process::Command;

#[test]
fn python_mcp_sdk_drives_the_server() {
    let has_mcp = Command::new("python3")
        .args(["-c", "import mcp"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_mcp {
        let msg = "python3 with the `mcp` package is not installed (pip install mcp==2.3.0)";
        if std::env::var("KD_DBA_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
            panic!("{msg}");
        }
        eprintln!("skipping: {msg}");
        return;
    }
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/mcp_client.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_kd-dba"))
        .output()
        .expect("run python client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "python client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

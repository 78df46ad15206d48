//! kd-dba driven by the TypeScript MCP SDK, the client library of Claude Code and the MCP
//! Inspector (tests/js/mcp-client.mjs). The SDK refuses a `tools/list` whose schemas it cannot
//! read and checks every result's `structuredContent` against the tool's `outputSchema`; every
//! tool is called with its own example and every prompt is fetched.

use std::path::Path;
use std::process::Command;

#[test]
fn the_typescript_sdk_lists_calls_and_validates_every_tool() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let js = root.join("tests/js");
    let have_node = Command::new("node").arg("--version").output().is_ok();
    let have_sdk = js.join("node_modules/@modelcontextprotocol/sdk").is_dir();
    if !(have_node && have_sdk) {
        let why = "node or tests/js/node_modules is missing; run `npm ci --prefix tests/js`";
        assert!(
            std::env::var_os("KD_DBA_REQUIRE_TOOLS").is_none(),
            "KD_DBA_REQUIRE_TOOLS is set but {why}"
        );
        eprintln!("skipping the TypeScript SDK test: {why}");
        return;
    }
    let examples: serde_json::Map<String, serde_json::Value> = kd_dba::mcp::tools::all()
        .iter()
        .map(|t| (t.name.to_string(), t.example.clone()))
        .collect();
    let dir = std::env::temp_dir().join(format!("kd-ts-client-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("examples.json");
    std::fs::write(&file, serde_json::to_vec(&examples).unwrap()).unwrap();
    let out = Command::new("node")
        .arg(js.join("mcp-client.mjs"))
        .arg(&file)
        .arg(env!("CARGO_BIN_EXE_kd-dba"))
        .arg("serve")
        .current_dir(&dir)
        .output()
        .expect("run node");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "TypeScript SDK client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_str(stdout.lines().last().unwrap_or("")).expect("summary line");
    let names: Vec<&str> = kd_dba::mcp::tools::all().iter().map(|t| t.name).collect();
    let listed: Vec<&str> = summary["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(listed, names);
    assert_eq!(summary["called"], summary["tools"], "{summary}");
    assert!(
        summary["prompts"].as_array().unwrap().len() >= names.len() - 1,
        "{summary}"
    );
}

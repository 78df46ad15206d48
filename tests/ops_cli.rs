//! `kd-dba backup` and `kd-dba tune` from the terminal, and `KD-db-backup` / `KD-db-tune` over
//! MCP (stdio, rmcp's client): the documented command lines work, files land under --out with
//! their modes, the report's handoff object goes through `kd-dba handoff` unchanged with a PASS
//! gate, and bad values end with exit code 2 and a message that says what to write instead.

use rmcp::ServiceExt;
use rmcp::model::*;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use serde_json::{Value, json};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_kd-dba");

fn kd(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().expect("run kd-dba");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const BACKUP: &[&str] = &[
    "backup",
    "--engine",
    "postgres",
    "--size",
    "200GB",
    "--growth",
    "5GB/month",
    "--rpo",
    "15m",
    "--rto",
    "1h",
    "--target",
    "s3://bucket/path",
    "--retention",
    "30d",
];
const TUNE: &[&str] = &[
    "tune",
    "--engine",
    "postgres",
    "--version",
    "15",
    "--ram",
    "64GB",
    "--cores",
    "16",
    "--storage",
    "ssd",
    "--workload",
    "oltp",
    "--connections",
    "200",
];

#[test]
fn backup_command_line_from_the_issue() {
    let (code, out, err) = kd(BACKUP);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("**pgBackRest**"), "{out}");
    assert!(out.contains("### RPO: 70 s against 900 s ✅"), "{out}");
    assert!(
        out.contains("#### `bin/kd-backup.sh` (executable)"),
        "{out}"
    );
    let mut args = BACKUP.to_vec();
    args.push("--json");
    let (code, out, _) = kd(&args);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tool"]["name"], "pgBackRest");
    assert_eq!(v["meets"], true);
    assert_eq!(v["rto"]["estimate_s"], 2094);
    assert_eq!(v["handoff"]["to"], "devops");
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for p in [
        "etc/pgbackrest.conf",
        "etc/postgresql.backup.conf",
        "bin/kd-restore-test.sh",
        "systemd/kd-backup-incr.timer",
        "cron/kd-backup",
        "monitoring/kd-backup-alerts.yml",
        "RUNBOOK.md",
        "etc/s3-lifecycle.json",
    ] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }
}

#[test]
fn backup_out_dir_and_handoff_round_trip() {
    let dir = std::env::temp_dir().join(format!("kd-ops-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut args = BACKUP.to_vec();
    let d = dir.display().to_string();
    args.extend(["--out", &d, "--json"]);
    let (code, out, err) = kd(&args);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["written_to"], d);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.join("bin/kd-backup.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);
    let mode = std::fs::metadata(dir.join("etc/pgbackrest.conf"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
    // The handoff object, unchanged, through kd-dba handoff: artifacts found on disk, PASS.
    let hf = dir.join("handoff.json");
    std::fs::write(&hf, serde_json::to_string(&v["handoff"]).unwrap()).unwrap();
    let (code, out, err) = kd(&["handoff", "--input", &hf.display().to_string(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let h: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(h["exit_gate"]["result"], "PASS", "{h}");
    assert!(
        h["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["exists"] == true)
    );
    let ids: Vec<&str> = h["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"restore-test")
            && ids.contains(&"backup-alerts")
            && ids.contains(&"checks-wired"),
        "{ids:?}"
    );
    // Writing again over changed files needs --force.
    std::fs::write(dir.join("RUNBOOK.md"), "edited").unwrap();
    let mut again = BACKUP.to_vec();
    again.extend(["--out", &d]);
    let (code, _, err) = kd(&again);
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_values_exit_2_with_what_to_write() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "backup", "--engine", "postgres", "--size", "lots", "--rpo", "15m", "--rto", "1h",
                "--target", "/b",
            ],
            "size: `lots` is not a size",
        ),
        (
            &[
                "backup", "--engine", "postgres", "--size", "2GB", "--rpo", "soon", "--rto", "1h",
                "--target", "/b",
            ],
            "rpo: `soon` is not a duration",
        ),
        (
            &[
                "backup", "--engine", "postgres", "--size", "2GB", "--rpo", "15m", "--rto", "1h",
                "--target", "gs://b",
            ],
            "target: `gs://b`",
        ),
        (
            &[
                "backup", "--engine", "oracle", "--size", "2GB", "--rpo", "15m", "--rto", "1h",
                "--target", "/b",
            ],
            "engine: `oracle` is not supported",
        ),
        (
            &[
                "backup", "--engine", "postgres", "--size", "2GB", "--rpo", "15m", "--target", "/b",
            ],
            "give --rto",
        ),
        (
            &[
                "backup", "--engine", "postgres", "--size", "2GB", "--rpo", "15m", "--rto", "1h",
                "--target", "/b", "--growth", "5GB",
            ],
            "growth: `5GB` is not a rate",
        ),
        (
            &["tune", "--engine", "postgres", "--ram", "64"],
            "ram: `64` has no unit; write it as 64GB",
        ),
        (
            &[
                "tune",
                "--engine",
                "postgres",
                "--ram",
                "64GB",
                "--workload",
                "gaming",
            ],
            "--workload: `gaming`",
        ),
        (
            &[
                "tune",
                "--engine",
                "mysql",
                "--ram",
                "64GB",
                "--version",
                "banana",
            ],
            "version: `banana`",
        ),
    ];
    for (args, want) in cases {
        let (code, _, err) = kd(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

#[test]
fn tune_command_line_and_current_file() {
    let (code, out, err) = kd(TUNE);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("| `work_mem` | `77672kB` |"), "{out}");
    assert!(out.contains("tune/postgresql.tune.conf"), "{out}");
    let f = std::env::temp_dir().join(format!("kd-ops-current-{}.conf", std::process::id()));
    std::fs::write(&f, "shared_buffers = 128MB\nwork_mem = 4MB\nmax_wal_size = 1GB\nrandom_page_cost = 4\nfsync = off\n").unwrap();
    let mut args = TUNE.to_vec();
    let p = f.display().to_string();
    args.extend(["--current", &p, "--json"]);
    let (code, out, err) = kd(&args);
    let _ = std::fs::remove_file(&f);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let changes = v["changes"].as_array().unwrap();
    let order: Vec<&str> = changes
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "shared_buffers",
            "work_mem",
            "max_wal_size",
            "random_page_cost"
        ]
    );
    assert_eq!(changes[0]["restart"], true);
    assert_eq!(changes[0]["impact"], "high");
    assert!(
        v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("fsync = off"))
    );
}

#[tokio::test]
async fn backup_and_tune_over_mcp() {
    let t = TokioChildProcess::new(tokio::process::Command::new(BIN).configure(|c| {
        c.arg("serve");
        c.env("KD_DBA_LOG", "error");
    }))
    .expect("spawn");
    let client = ().serve(t).await.expect("initialize");
    let obj = |v: Value| match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    let r = client
        .call_tool(
            CallToolRequestParams::new("KD-db-backup").with_arguments(obj(json!({
                "engine": "mariadb", "size": "500GB", "rpo": "15m", "rto": "4h",
                "target": "s3://bucket/my", "database": "shop"
            }))),
        )
        .await
        .expect("call");
    assert_ne!(r.is_error, Some(true));
    let sc = r.structured_content.expect("structuredContent");
    assert_eq!(sc["tool"]["name"], "mariabackup + binlog archiving");
    let text: String = r
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect();
    assert!(text.contains("RUNBOOK.md"), "{text}");
    // The handoff object, unchanged, into KD-db-handoff.
    let h = client
        .call_tool(
            CallToolRequestParams::new("KD-db-handoff").with_arguments(obj(sc["handoff"].clone())),
        )
        .await
        .expect("handoff");
    let hs = h.structured_content.expect("handoff structuredContent");
    assert_eq!(hs["exit_gate"]["result"], "PASS", "{hs}");
    // A bad value is a tool error with the reason, not a protocol error.
    let bad = client
        .call_tool(
            CallToolRequestParams::new("KD-db-tune").with_arguments(obj(json!({
                "engine": "postgres", "ram": "a lot"
            }))),
        )
        .await
        .expect("call");
    assert_eq!(bad.is_error, Some(true));
    let msg: String = bad
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect();
    assert!(msg.contains("ram:"), "{msg}");
    let good = client
        .call_tool(
            CallToolRequestParams::new("KD-db-tune").with_arguments(obj(json!({
                "engine": "sqlite", "ram": "8GB", "workload": "web"
            }))),
        )
        .await
        .expect("call");
    let sc = good.structured_content.expect("structuredContent");
    assert_eq!(sc["settings"][0]["name"], "journal_mode");
    client.cancel().await.ok();
}

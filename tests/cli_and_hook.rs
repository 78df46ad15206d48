//! The terminal door and the assistant hook, as processes.

use std::io::Write;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_kd-dba");

fn run(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut c = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(input) = stdin {
        c.stdin.take().unwrap().write_all(input).unwrap();
    } else {
        drop(c.stdin.take());
    }
    let o = c.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn hook_announces_dba_for_database_prompts_only() {
    let (code, out, err) = run(
        &["hook", "user-prompt-submit"],
        Some(br#"{"session_id":"s","hook_event_name":"UserPromptSubmit","prompt":"our postgres orders query does a seq scan, which index?"}"#),
    );
    assert_eq!(code, 0);
    assert!(err.is_empty(), "hook wrote to stderr: {err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("hook prints JSON");
    assert_eq!(v["hookSpecificOutput"]["hookEventName"], "UserPromptSubmit");
    let ctx = v["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap();
    assert!(ctx.contains("[DBA]") && ctx.contains("/KD-db-"), "{ctx}");
    assert!(
        ctx.len() < 1000,
        "context should stay short: {} chars",
        ctx.len()
    );

    // Gemini's BeforeAgent gets its own event name back.
    let (code, out, _) = run(
        &["hook", "user-prompt-submit"],
        Some(br#"{"hook_event_name":"BeforeAgent","prompt":"design the database schema for a library: books, members, loans"}"#),
    );
    assert_eq!(code, 0);
    assert!(out.contains(r#""hookEventName":"BeforeAgent""#), "{out}");

    // Not database work: nothing at all.
    let (code, out, err) = run(
        &["hook", "user-prompt-submit"],
        Some(br#"{"hook_event_name":"UserPromptSubmit","prompt":"make this React component re-render less"}"#),
    );
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
}

#[test]
fn hook_never_blocks_on_bad_input() {
    for input in [
        &b"not json"[..],
        b"",
        b"{\"prompt\": 12}",
        &[0xff, 0xfe, 0x00],
    ] {
        let (code, out, err) = run(&["hook", "user-prompt-submit"], Some(input));
        assert_eq!(code, 0, "hook must exit 0");
        assert!(out.is_empty(), "no stdout on bad input: {out}");
        assert!(err.contains("kd-dba hook"), "a message on stderr: {err}");
    }
}

#[test]
fn cli_route_rules_parse_and_errors() {
    let (code, out, _) = run(
        &[
            "route",
            "--json",
            "which indexes for the orders table in mysql?",
        ],
        None,
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["command"], "/KD-db-index");

    let (code, out, _) = run(&["rules"], None);
    assert_eq!(code, 0);
    assert!(out.contains("SYN001"));
    let (code, out, _) = run(&["rule", "syntax-error"], None);
    assert_eq!(code, 0);
    assert!(out.contains("# SYN001"));
    let (code, _, err) = run(&["rule", "ZZZ999"], None);
    assert_eq!(code, 2);
    assert!(err.contains("kd-dba rules"), "{err}");

    let sql = b"CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);\nCREATE TABL oops;\n";
    let (code, out, _) = run(&["parse", "--dialect", "postgres", "-"], Some(sql));
    assert_eq!(code, 0);
    assert!(out.contains("SYN001") && out.contains("2 tables"), "{out}");
    let (code, out, _) = run(&["parse", "--json", "-"], Some(sql));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["counts"]["foreign_keys"], 1);
    assert_eq!(v["findings"][0]["span"]["start"]["line"], 3);

    // Tools whose CLI has optional inputs say which flags to give, not the MCP field names.
    let (code, _, err) = run(&["optimize"], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("nothing to optimize") && err.contains("`-`") && err.contains("-q SQL"),
        "{err}"
    );
    let (code, _, err) = run(&["index", "--schema", "schema.sql"], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("no workload") && err.contains("--log FILE"),
        "{err}"
    );

    let (code, _, err) = run(&["parse", "/no/such/file.sql"], None);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
    let (code, _, err) = run(&["parse", "--dialect", "oracle", "-"], Some(b"select 1"));
    assert_eq!(code, 2);
    assert!(err.contains("unknown dialect"), "{err}");
    let (code, _, err) = run(&["--max-bytes", "10", "parse", "-"], Some(sql));
    assert_eq!(code, 2);
    assert!(
        err.contains("max_bytes") && err.contains("--max-bytes"),
        "{err}"
    );
}

#[test]
fn cli_handoff_from_flags_and_templates_override() {
    let dir = std::env::temp_dir().join(format!("kd-dba-tpl-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("handoff")).unwrap();
    std::fs::write(
        dir.join("handoff/handoff.md"),
        "CUSTOM {{ to }} {{ exit_gate.result }}\n",
    )
    .unwrap();
    let args = [
        "handoff",
        "--to",
        "backend",
        "--summary",
        "Rewrote the orders queries",
        "--artifact",
        "query_rewrite=does-not-exist.sql",
        "--decision",
        "keyset pagination",
    ];
    let (code, out, _) = run(&args, None);
    assert_eq!(code, 0);
    assert!(
        out.contains("[BACKEND]") && out.contains("not found"),
        "{out}"
    );
    let mut with_tpl = vec!["--templates", dir.to_str().unwrap()];
    with_tpl.extend_from_slice(&args);
    let (code, out, _) = run(&with_tpl, None);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "CUSTOM [BACKEND] FAIL");
    let (code, _, err) = run(&["handoff", "--to", "dba", "--summary", "x"], None);
    assert_eq!(code, 2);
    assert!(err.contains("arch") && err.contains("devops"), "{err}");
}

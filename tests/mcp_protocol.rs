//! The real binary, spoken to over MCP by rmcp's client: over stdio (child process) and over
//! streamable HTTP. Initialize, list, get, read, a failing call and then a good call on the same
//! connection; and the bad inputs a server must survive.

use rmcp::model::*;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt, service::RunningService};
use serde_json::{Value, json};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_kd-dba");

async fn stdio_client() -> RunningService<RoleClient, ()> {
    let t = TokioChildProcess::new(Command::new(BIN).configure(|c| {
        c.arg("serve");
        c.env("KD_DBA_LOG", "error");
    }))
    .expect("spawn kd-dba serve");
    ().serve(t).await.expect("initialize over stdio")
}

fn args(v: Value) -> JsonObject {
    match v {
        Value::Object(m) => m,
        _ => panic!("arguments must be an object"),
    }
}

async fn exercise(client: &RunningService<RoleClient, ()>) {
    // initialize: our name and version, not rmcp's.
    let info = client.peer_info().expect("server info");
    let server = info.server_info.clone().expect("serverInfo");
    assert_eq!(server.name, "kd-dba");
    assert_eq!(server.version, env!("CARGO_PKG_VERSION"));
    let instructions = info.instructions.clone().unwrap_or_default();
    assert!(
        instructions.contains("[DBA]") && instructions.contains("KD-db-route"),
        "{instructions}"
    );

    // tools/list: schemas and truthful annotations.
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert!(
        names.contains(&"KD-db-route") && names.contains(&"KD-db-handoff"),
        "{names:?}"
    );
    for t in &tools {
        assert!(t.output_schema.is_some(), "{} has no outputSchema", t.name);
        let a = t.annotations.as_ref().expect("annotations");
        assert_eq!(a.read_only_hint, Some(true), "{}", t.name);
        assert_eq!(a.destructive_hint, Some(false), "{}", t.name);
    }

    // prompts/list and prompts/get.
    let prompts = client.list_all_prompts().await.expect("prompts/list");
    let pnames: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    for want in [
        "KD-schema",
        "KD-optimize",
        "KD-db-erd",
        "KD-db-review",
        "KD-db-index",
        "KD-db-explain",
        "KD-db-migrate",
        "KD-db-backup",
        "KD-db-tune",
        "KD-db-handoff",
    ] {
        assert!(
            pnames.contains(&want),
            "prompt {want} missing from {pnames:?}"
        );
    }
    let p = client
        .get_prompt(
            GetPromptRequestParams::new("KD-db-handoff")
                .with_arguments(args(json!({"request": "schema is ready for devops"}))),
        )
        .await
        .expect("prompts/get");
    let text = match &p.messages[0].content {
        ContentBlock::Text(t) => t.text.clone(),
        other => panic!("unexpected prompt content {other:?}"),
    };
    assert!(text.contains("schema is ready for devops"), "{text}");
    assert!(text.contains("KD-db-handoff"), "{text}");

    // resources/read.
    let r = client
        .read_resource(ReadResourceRequestParams::new("kd-dba://role/dba"))
        .await
        .expect("resources/read role");
    let body = match &r.contents[0] {
        ResourceContents::TextResourceContents { text, .. } => text.clone(),
        other => panic!("unexpected {other:?}"),
    };
    assert!(body.contains("[DBA]"), "{body}");
    let rules = client
        .read_resource(ReadResourceRequestParams::new("kd-dba://rules/SYN001"))
        .await
        .expect("resources/read rule");
    assert!(format!("{:?}", rules.contents).contains("syntax-error"));
    assert!(
        client
            .read_resource(ReadResourceRequestParams::new("kd-dba://nope"))
            .await
            .is_err()
    );

    // A failing call: wrong argument type comes back as a tool error that says what to send.
    let bad = client
        .call_tool(
            CallToolRequestParams::new("KD-db-route").with_arguments(args(json!({"text": 42}))),
        )
        .await
        .expect("a tool error is still a result");
    assert_eq!(bad.is_error, Some(true));
    let msg = format!("{:?}", bad.content);
    assert!(
        msg.contains("expected a string") && msg.contains("Example"),
        "{msg}"
    );

    // An unknown tool is a protocol error.
    assert!(
        client
            .call_tool(CallToolRequestParams::new("KD-no-such-tool"))
            .await
            .is_err()
    );

    // ... and the next good call on the same connection works.
    let good = client
        .call_tool(CallToolRequestParams::new("KD-db-route").with_arguments(args(json!({
            "text": "SELECT * FROM orders WHERE customer_id = 7 ORDER BY created_at DESC is slow",
            "stage": "Implementation"
        }))))
        .await
        .expect("tools/call");
    assert_ne!(good.is_error, Some(true));
    let sc = good.structured_content.expect("structuredContent");
    assert_eq!(sc["activate"], true);
    assert_eq!(sc["command"], "/KD-optimize");
    assert!(format!("{:?}", good.content).contains("[DBA] activates"));

    let h = client
        .call_tool(CallToolRequestParams::new("KD-db-handoff").with_arguments(args(json!({
            "to": "devops",
            "summary": "Orders schema and its first migration are ready",
            "artifacts": [{"kind": "migration", "content": "CREATE TABLE orders (id bigint PRIMARY KEY);"}],
            "decisions": ["bigint identity keys"]
        }))))
        .await
        .expect("handoff");
    let sc = h.structured_content.expect("structuredContent");
    assert_eq!(sc["to"], "[DEVOPS]");
    assert_eq!(sc["exit_gate"]["result"], "PASS");
}

#[tokio::test]
async fn stdio_session_end_to_end() {
    let client = stdio_client().await;
    exercise(&client).await;
    client.cancel().await.ok();
}

#[tokio::test]
async fn tools_list_stays_lean() {
    let client = stdio_client().await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let bytes = serde_json::to_vec(&json!({"tools": tools})).unwrap().len();
    println!("tools/list with {} tools: {} bytes", tools.len(), bytes);
    assert!(
        bytes <= 32 * 1024,
        "tools/list is {bytes} bytes, over the 32 KiB budget"
    );
    client.cancel().await.ok();
}

#[tokio::test]
async fn http_session_end_to_end() {
    use rmcp::transport::StreamableHttpClientTransport;
    // Pick a free port, start the server on it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = Command::new(BIN)
        .args(["serve", "--http", &format!("127.0.0.1:{port}")])
        .env("KD_DBA_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn http server");
    let url = format!("http://127.0.0.1:{port}/mcp");
    let mut ready = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(ready, "HTTP server did not start");
    let transport = StreamableHttpClientTransport::from_uri(url.clone());
    let client = ().serve(transport).await.expect("initialize over HTTP");
    exercise(&client).await;
    client.cancel().await.ok();

    // DNS-rebinding protection: a foreign Host header is refused.
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}"#;
    let req = format!(
        "POST /mcp HTTP/1.1\r\nHost: evil.example:{port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut resp = String::new();
    let mut r = BufReader::new(s);
    r.read_line(&mut resp).await.unwrap();
    assert!(
        resp.contains(" 403") || resp.contains(" 400") || resp.contains(" 421"),
        "rebinding not refused: {resp}"
    );

    // A non-loopback bind is refused without --allow-remote.
    let out = std::process::Command::new(BIN)
        .args(["serve", "--http", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a loopback address"));
    child.kill().await.ok();
}

/// Raw JSON-RPC over stdio, for what a well-behaved client never sends.
struct Raw {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: BufReader<tokio::process::ChildStdout>,
}

impl Raw {
    async fn start() -> Raw {
        let mut child = Command::new(BIN)
            .arg("serve")
            .env("KD_DBA_LOG", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut r = Raw {
            child,
            stdin,
            stdout,
        };
        r.send_bytes(br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#).await;
        let init = r.recv().await;
        assert_eq!(init["result"]["serverInfo"]["name"], "kd-dba");
        r.send_bytes(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            .await;
        r
    }
    async fn send_bytes(&mut self, b: &[u8]) {
        self.stdin.write_all(b).await.unwrap();
        self.stdin.write_all(b"\n").await.unwrap();
        self.stdin.flush().await.unwrap();
    }
    async fn send(&mut self, v: Value) {
        self.send_bytes(v.to_string().as_bytes()).await;
    }
    async fn recv(&mut self) -> Value {
        let mut line = String::new();
        let n = tokio::time::timeout(
            std::time::Duration::from_secs(120),
            self.stdout.read_line(&mut line),
        )
        .await
        .expect("server answered in time")
        .unwrap();
        assert!(n > 0, "server closed stdout");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("bad line from server ({e}): {line}"))
    }
    async fn call(&mut self, id: i64, tool: &str, arguments: Value) -> Value {
        self.send(json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{"name":tool,"arguments":arguments}}))
            .await;
        let r = self.recv().await;
        assert_eq!(r["id"], id, "{r}");
        r
    }
    async fn still_serving(&mut self, id: i64) {
        let r = self
            .call(
                id,
                "KD-db-route",
                json!({"text": "add an index on orders.customer_id in postgres"}),
            )
            .await;
        assert_eq!(r["result"]["structuredContent"]["activate"], true, "{r}");
    }
}

#[tokio::test]
async fn bad_input_gets_clear_errors_and_the_server_keeps_serving() {
    let mut raw = Raw::start().await;

    // A malformed JSON-RPC line: parse error, id null.
    raw.send_bytes(b"{this is not json").await;
    let r = raw.recv().await;
    assert_eq!(r["error"]["code"], -32700, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("not JSON"));
    raw.still_serving(1).await;

    // Invalid UTF-8 on the wire.
    raw.send_bytes(&[0x7b, 0xff, 0xfe, 0x7d]).await;
    let r = raw.recv().await;
    assert_eq!(r["error"]["code"], -32700, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("UTF-8"));
    raw.still_serving(2).await;

    // An unknown tool.
    raw.send(json!({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"drop_database","arguments":{}}}))
        .await;
    let r = raw.recv().await;
    assert_eq!(r["id"], 3);
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown tool"),
        "{r}"
    );
    raw.still_serving(4).await;

    // Arguments of the wrong type.
    let r = raw
        .call(5, "KD-db-handoff", json!({"to": 7, "summary": ["x"]}))
        .await;
    assert_eq!(r["result"]["isError"], true, "{r}");
    let text = r["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("do not match") && text.contains("Example"),
        "{text}"
    );
    raw.still_serving(6).await;

    // 20 MiB of SQL: over the input limit, named with the way to raise it.
    let big = "SELECT * FROM orders WHERE id = 1;\n".repeat(20 * 1024 * 1024 / 35 + 1);
    let r = raw.call(7, "KD-db-route", json!({"text": big})).await;
    assert_eq!(
        r["result"]["isError"],
        true,
        "{}",
        &r.to_string()[..300.min(r.to_string().len())]
    );
    let text = r["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("max_bytes") && text.contains("KD_DBA_MAX_BYTES"),
        "{text}"
    );
    raw.still_serving(8).await;

    // An expression nested 10,000 deep: answered, no crash.
    let deep = format!(
        "SELECT {}1{} FROM t",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let r = raw.call(9, "KD-db-route", json!({"text": deep})).await;
    assert!(r.get("result").is_some(), "{r}");
    raw.still_serving(10).await;

    raw.child.kill().await.ok();
}

//! A guarded stdio transport.
//!
//! rmcp's stdio transport silently drops lines that are not JSON-RPC. JSON-RPC asks for a reply
//! instead (`-32700 Parse error`, `-32600 Invalid Request`), and a client that sent a broken line
//! deserves to learn why nothing happened. So stdin is read here line by line: well-formed
//! messages go on to rmcp through an in-memory pipe, anything else is answered with a protocol
//! error on stdout, and one writer task serialises both streams so replies never interleave.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// Largest accepted message (one line); bigger lines are answered with -32600 and skipped.
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

fn error_line(id: Value, code: i64, message: String) -> Vec<u8> {
    let mut v = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
        .to_string()
        .into_bytes();
    v.push(b'\n');
    v
}

/// Check one line; `Ok` = forward it, `Err(reply)` = answer it ourselves.
pub fn screen(line: &[u8]) -> Result<(), Vec<u8>> {
    let text = match std::str::from_utf8(line) {
        Ok(t) => t,
        Err(e) => {
            return Err(error_line(
                Value::Null,
                -32700,
                format!(
                    "Parse error: the message is not valid UTF-8 (bad byte at offset {}); send UTF-8 JSON-RPC, one message per line",
                    e.valid_up_to()
                ),
            ));
        }
    };
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Err(error_line(
                Value::Null,
                -32700,
                format!(
                    "Parse error: the message is not JSON ({e}); send one JSON-RPC 2.0 object per line"
                ),
            ));
        }
    };
    let Value::Object(m) = &v else {
        return Err(error_line(
            Value::Null,
            -32600,
            "Invalid Request: expected one JSON-RPC object per line (batches are not part of MCP)"
                .into(),
        ));
    };
    let id = m.get("id").cloned().unwrap_or(Value::Null);
    if m.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(error_line(
            id,
            -32600,
            "Invalid Request: \"jsonrpc\" must be \"2.0\"".into(),
        ));
    }
    let is_request_or_note = m.get("method").is_some_and(Value::is_string);
    let is_response = m.contains_key("id") && (m.contains_key("result") || m.contains_key("error"));
    if !is_request_or_note && !is_response {
        return Err(error_line(
            id,
            -32600,
            "Invalid Request: a message needs a \"method\" (request or notification) or a \"result\"/\"error\" (response)".into(),
        ));
    }
    Ok(())
}

/// Pump `input` lines into `to_rmcp`, answering bad lines on `out`.
async fn pump_input<R: AsyncRead + Unpin>(
    input: R,
    mut to_rmcp: impl AsyncWrite + Unpin,
    out: mpsc::UnboundedSender<Vec<u8>>,
) {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut buf: Vec<u8> = Vec::new();
    loop {
        buf.clear();
        // Read one line, but never hold more than MAX_LINE_BYTES of it.
        let mut too_long = false;
        loop {
            let chunk = match reader.fill_buf().await {
                Ok(c) => c,
                Err(_) => return,
            };
            if chunk.is_empty() {
                if buf.is_empty() && !too_long {
                    let _ = to_rmcp.shutdown().await;
                    return;
                }
                break;
            }
            let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
                Some(p) => (p + 1, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if buf.len() + take > MAX_LINE_BYTES + 1 {
                    too_long = true;
                    buf.clear();
                } else {
                    buf.extend_from_slice(&chunk[..take]);
                }
            }
            reader.consume(take);
            if done {
                break;
            }
        }
        if too_long {
            let _ = out.send(error_line(
                Value::Null,
                -32600,
                format!(
                    "Invalid Request: message larger than {} MiB; send less data per call (for example one schema file at a time)",
                    MAX_LINE_BYTES / (1024 * 1024)
                ),
            ));
            continue;
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        if buf.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        match screen(&buf) {
            Ok(()) => {
                buf.push(b'\n');
                if to_rmcp.write_all(&buf).await.is_err() {
                    return;
                }
                let _ = to_rmcp.flush().await;
            }
            Err(reply) => {
                tracing::warn!("rejected a malformed JSON-RPC line ({} bytes)", buf.len());
                let _ = out.send(reply);
            }
        }
    }
}

/// Serve `server` over the process's stdin/stdout with the guard in front.
pub async fn serve<S>(server: S) -> Result<(), String>
where
    S: rmcp::ServerHandler,
{
    use rmcp::ServiceExt;
    let (rmcp_in, pump_side) = tokio::io::duplex(1 << 20);
    let (rmcp_out, out_side) = tokio::io::duplex(1 << 20);
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();

    // Writer: the only task that touches stdout.
    let writer = tokio::spawn(async move {
        let mut stdout = tokio::io::stdout();
        while let Some(line) = rx.recv().await {
            if stdout.write_all(&line).await.is_err() {
                break;
            }
            let _ = stdout.flush().await;
        }
    });
    // rmcp's output → writer.
    let tx_out = tx.clone();
    let forward = tokio::spawn(async move {
        let mut lines = BufReader::new(out_side).split(b'\n');
        while let Ok(Some(mut l)) = lines.next_segment().await {
            l.push(b'\n');
            if tx_out.send(l).is_err() {
                break;
            }
        }
    });
    // stdin → screen → rmcp.
    let (pump_read, pump_write) = tokio::io::split(pump_side);
    drop(pump_read);
    let input = tokio::spawn(pump_input(tokio::io::stdin(), pump_write, tx));

    let (r, _) = tokio::io::split(rmcp_in);
    let (_, out_w) = tokio::io::split(rmcp_out);
    let transport = rmcp::transport::async_rw::AsyncRwTransport::new_server(r, out_w)
        .with_max_line_length(MAX_LINE_BYTES + 1);
    let running = server
        .serve(transport)
        .await
        .map_err(|e| format!("MCP handshake over stdio failed: {e}"))?;
    let res = running.waiting().await;
    input.abort();
    let _ = forward.await;
    let _ = writer.await;
    res.map(|_| ())
        .map_err(|e| format!("MCP session ended with an error: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screens_lines() {
        assert!(screen(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).is_ok());
        assert!(screen(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).is_ok());
        let e = String::from_utf8(screen(b"not json").unwrap_err()).unwrap();
        assert!(e.contains("-32700"));
        let e = String::from_utf8(screen(&[0xff, 0xfe]).unwrap_err()).unwrap();
        assert!(e.contains("UTF-8"));
        let e = String::from_utf8(screen(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#).unwrap_err())
            .unwrap();
        assert!(e.contains("\"id\":7") && e.contains("-32600"));
        assert!(screen(b"[1,2]").is_err());
    }
}

//! The MCP front door: stdio (default) and streamable HTTP at `/mcp`.

pub mod prompts;
pub mod registry;
pub mod resources;
pub mod server;
pub mod stdio;
pub mod tools;

pub use server::KdServer;

use crate::limits::Limits;
use std::net::SocketAddr;

/// Serve MCP on stdin/stdout until the client disconnects.
pub async fn serve_stdio(limits: Limits) -> Result<(), String> {
    stdio::serve(KdServer::new(limits)).await
}

/// Serve streamable HTTP at `http://ADDR/mcp`. Loopback only unless `allow_remote`; Host and
/// Origin headers are checked against the bound address (DNS-rebinding protection).
pub async fn serve_http(
    addr: SocketAddr,
    limits: Limits,
    allow_remote: bool,
) -> Result<(), String> {
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
    };
    if !addr.ip().is_loopback() && !allow_remote {
        return Err(format!(
            "refusing to listen on {addr}: it is not a loopback address. kd-dba has no authentication; bind 127.0.0.1, or pass --allow-remote if a proxy in front of it authenticates clients"
        ));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let port = local.port();
    let mut hosts = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ];
    if allow_remote {
        hosts.push(local.ip().to_string());
        hosts.push(local.to_string());
    }
    let origins = vec![
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{port}"),
        format!("http://[::1]:{port}"),
    ];
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins)
        .with_max_request_body_bytes(stdio::MAX_LINE_BYTES);
    let service = StreamableHttpService::new(
        move || Ok(KdServer::new(limits)),
        LocalSessionManager::default().into(),
        config,
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    tracing::info!("kd-dba MCP server listening on http://{local}/mcp");
    eprintln!("kd-dba: MCP (streamable HTTP) on http://{local}/mcp");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("HTTP server failed: {e}"))
}

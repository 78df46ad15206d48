//! The MCP server: `tools/*`, `prompts/*` and `resources/*` over the registry, with tool failures
//! reported as tool errors (`isError`) that say what was wrong and what to send instead.

use super::registry::{ToolCtx, ToolDef, ToolError, ToolOutput};
use super::{prompts, resources, tools};
use crate::limits::Limits;
use rmcp::model::*;
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use std::sync::Arc;

/// The kd-dba MCP server. Cheap to clone (the registry is shared).
#[derive(Clone)]
pub struct KdServer {
    tools: Arc<Vec<ToolDef>>,
    limits: Limits,
    /// `KD_DBA_MCP_PROMPTS=off` hides prompts (Gemini CLI turns MCP prompts into slash commands
    /// that clash with the extension's own commands).
    prompts_enabled: bool,
}

impl Default for KdServer {
    fn default() -> Self {
        Self::new(Limits::from_env())
    }
}

impl KdServer {
    pub fn new(limits: Limits) -> Self {
        let prompts_enabled = !matches!(
            std::env::var("KD_DBA_MCP_PROMPTS")
                .ok()
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("off" | "0" | "false" | "no")
        );
        KdServer {
            tools: Arc::new(tools::all()),
            limits,
            prompts_enabled,
        }
    }

    pub fn tool_names(&self) -> Vec<&'static str> {
        self.tools.iter().map(|t| t.name).collect()
    }

    fn tool(&self, name: &str) -> Option<&ToolDef> {
        self.tools.iter().find(|t| t.name == name)
    }

    fn tool_listing(&self) -> Vec<Tool> {
        self.tools
            .iter()
            .map(|t| {
                Tool::new_with_raw(t.name, Some(t.description.into()), t.input_schema.clone())
                    .with_title(t.title)
                    .with_raw_output_schema(t.output_schema.clone())
                    .with_annotations(
                        ToolAnnotations::with_title(t.title)
                            .read_only(t.read_only)
                            .destructive(false)
                            .idempotent(t.idempotent)
                            .open_world(false),
                    )
            })
            .collect()
    }

    fn instructions(&self) -> String {
        let mut s = String::from(
            "kd-dba is the [DBA] Database Administrator role: schema design and normalization, query optimization, index strategy, migrations, backup and recovery, performance tuning, for PostgreSQL, MySQL/MariaDB and SQLite (also MongoDB, Redis, DynamoDB). \
             It works offline from SQL text, files and migration folders; every finding comes from parsed SQL and a schema model. \
             Use it when the user's request is about a database, schema, SQL, query performance, indexing, migrations, backups or DB configuration; call KD-db-route when unsure. \
             Tools: ",
        );
        let list: Vec<String> = self
            .tools
            .iter()
            .map(|t| format!("{} ({})", t.name, t.title))
            .collect();
        s.push_str(&list.join("; "));
        s.push_str(". Prefix answers given in this role with [DBA]. Hand off to [ARCH], [BACKEND] or [DEVOPS] with KD-db-handoff.");
        s
    }

    /// Run a tool by name on a blocking thread; progress goes to `progress`.
    pub async fn run_tool(
        &self,
        name: &str,
        args: serde_json::Value,
        progress: Option<super::registry::Progress>,
    ) -> Result<ToolOutput, ToolError> {
        let Some(def) = self.tool(name).cloned() else {
            return Err(ToolError::Arguments(format!("unknown tool {name}")));
        };
        let ctx = ToolCtx {
            limits: self.limits,
            progress,
            base_dir: std::env::current_dir().ok(),
        };
        let run = def.run.clone();
        match tokio::task::spawn_blocking(move || run(args, &ctx)).await {
            Ok(r) => r,
            Err(e) => Err(ToolError::Engine(crate::error::KdError::Internal(format!(
                "the {name} tool failed unexpectedly ({e}); the server is still running, please report this input"
            )))),
        }
    }
}

fn tool_error(msg: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(msg)])
}

impl ServerHandler for KdServer {
    fn get_info(&self) -> ServerConfig {
        let caps = if self.prompts_enabled {
            ServerCapabilities::builder()
                .enable_tools()
                .enable_prompts()
                .enable_resources()
                .build()
        } else {
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build()
        };
        ServerConfig::new(caps)
            .with_server_info(Implementation::new("kd-dba", env!("CARGO_PKG_VERSION")))
            .with_instructions(self.instructions())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.tool_listing()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tool_listing().into_iter().find(|t| t.name == name)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let name = request.name.to_string();
        if self.tool(&name).is_none() {
            return Err(McpError::invalid_params(
                format!(
                    "unknown tool `{name}`; available tools: {}",
                    self.tool_names().join(", ")
                ),
                None,
            ));
        }
        let args = serde_json::Value::Object(request.arguments.unwrap_or_default());
        // Progress notifications, when the client asked for them.
        let (progress, forwarder) = match context.meta.get_progress_token() {
            Some(token) => {
                let (tx, mut rx) =
                    tokio::sync::mpsc::unbounded_channel::<(f64, Option<f64>, String)>();
                let peer = context.peer.clone();
                let fwd = tokio::spawn(async move {
                    while let Some((done, total, msg)) = rx.recv().await {
                        let mut p =
                            ProgressNotificationParam::new(token.clone(), done).with_message(msg);
                        if let Some(t) = total {
                            p = p.with_total(t);
                        }
                        let _ = peer.notify_progress(p).await;
                    }
                });
                let cb: super::registry::Progress = Arc::new(move |d, t, m: &str| {
                    let _ = tx.send((d, t, m.to_string()));
                });
                (Some(cb), Some(fwd))
            }
            None => (None, None),
        };
        let result = self.run_tool(&name, args, progress).await;
        if let Some(f) = forwarder {
            // The sender was dropped with the tool context; wait until every notification is out.
            let _ = f.await;
        }
        let out = match result {
            Ok(o) => {
                let mut content = vec![ContentBlock::text(o.markdown)];
                for img in o.images {
                    content.push(ContentBlock::image(img.data, img.mime));
                }
                let mut r = CallToolResult::success(content);
                r.structured_content = Some(o.structured);
                r
            }
            Err(ToolError::Arguments(msg)) => tool_error(msg),
            Err(ToolError::Engine(e)) => tool_error(format!("{name} failed: {e}")),
        };
        Ok(CallToolResponse::Complete(out))
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        if !self.prompts_enabled {
            return Ok(ListPromptsResult::with_all_items(Vec::new()));
        }
        let list = prompts::PROMPTS
            .iter()
            .map(|p| {
                Prompt::new(
                    p.name,
                    Some(p.description),
                    Some(vec![
                        PromptArgument::new("request")
                            .with_description(
                                "What to do: a domain, a query, a file or folder, a question",
                            )
                            .with_required(false),
                        PromptArgument::new("dialect")
                            .with_description(
                                "postgres, mysql (also MariaDB) or sqlite; auto when empty",
                            )
                            .with_required(false),
                    ]),
                )
            })
            .collect();
        Ok(ListPromptsResult::with_all_items(list))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        let Some(def) = prompts::find(&request.name) else {
            return Err(McpError::invalid_params(
                format!(
                    "unknown prompt `{}`; available: {}",
                    request.name,
                    prompts::PROMPTS
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None,
            ));
        };
        let args = request.arguments.unwrap_or_default();
        let get = |k: &str| {
            args.get(k)
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_default()
        };
        let mut text = prompts::render(def, &get("request"), &get("dialect"))
            .map_err(|e| McpError::internal_error(e.to_string(), None))?;
        if self.tool(def.tool).is_none() {
            text.push_str(&format!(
                "\n\nNote: this kd-dba build does not have the `{}` tool yet. Say so to the user, and do not claim tool-computed findings; work through the steps above by hand and label the result as a manual review.\n",
                def.tool
            ));
        }
        Ok(GetPromptResponse::Complete(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
                .with_description(def.description),
        ))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let list = resources::listed()
            .into_iter()
            .map(|(uri, name, desc, mime)| {
                Resource::new(uri, name)
                    .with_description(desc)
                    .with_mime_type(mime)
            })
            .collect();
        Ok(ListResourcesResult::with_all_items(list))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        let list = resources::templates()
            .into_iter()
            .map(|(uri, name, desc, mime)| {
                ResourceTemplate::new(uri, name)
                    .with_description(desc)
                    .with_mime_type(mime)
            })
            .collect();
        Ok(ListResourceTemplatesResult::with_all_items(list))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        match resources::read(&request.uri) {
            Some(r) => Ok(ReadResourceResponse::Complete(ReadResourceResult::new(
                vec![ResourceContents::text(r.text, request.uri.clone()).with_mime_type(r.mime)],
            ))),
            None => Err(McpError::resource_not_found(
                format!(
                    "no resource {}; try kd-dba://role/dba, kd-dba://rules, kd-dba://rules/{{id}}, kd-dba://templates",
                    request.uri
                ),
                None,
            )),
        }
    }
}

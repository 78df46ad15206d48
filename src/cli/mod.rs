//! The terminal front door. Every command calls the same engine functions as the MCP tools and
//! prints the same report: readable text by default, JSON with `--json`. Bad input exits with
//! code 2 and a message that says what was wrong and what to do.

use crate::error::KdError;
use crate::limits::Limits;
use crate::sql::DialectChoice;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "kd-dba",
    version,
    about = "[DBA] Database Administrator for AI coding assistants: MCP server and CLI",
    long_about = "kd-dba designs, reviews, optimizes and migrates database schemas from parsed SQL. Run `kd-dba serve` to start the MCP server an assistant talks to, or use the commands below directly."
)]
pub struct Cli {
    /// Directory whose files override the built-in templates (also KD_DBA_TEMPLATES).
    #[arg(long, global = true, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Maximum input size in bytes (default 16 MiB; also KD_DBA_MAX_BYTES).
    #[arg(long, global = true, value_name = "N")]
    pub max_bytes: Option<u64>,
    /// Maximum number of statements (default 200000; also KD_DBA_MAX_STATEMENTS).
    #[arg(long, global = true, value_name = "N")]
    pub max_statements: Option<u64>,
    /// Maximum nesting depth of one statement (default 200; also KD_DBA_MAX_DEPTH).
    #[arg(long, global = true, value_name = "N")]
    pub max_depth: Option<u64>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve MCP on stdio (default) or streamable HTTP.
    Serve(ServeArgs),
    /// Decide whether a prompt is [DBA] work and which command fits.
    Route(RouteArgs),
    /// Build a handoff record for [ARCH], [BACKEND] or [DEVOPS].
    Handoff(HandoffArgs),
    /// List every rule.
    Rules(JsonFlag),
    /// Show one rule's documentation.
    Rule(RuleArgs),
    /// Parse SQL files: statements, syntax findings, schema model summary.
    Parse(ParseArgs),
    /// Design a schema from a domain spec, or take an existing one: DDL, indexes, ERD, ORM models.
    Schema(crate::design::cli::SchemaArgs),
    /// Entity-relationship diagram: Mermaid, ASCII, DBML, PlantUML or SVG.
    Erd(crate::erd::cli::ErdArgs),
    /// Call any MCP tool by name with its JSON arguments (the same request the server takes).
    Call(CallArgs),
    /// List the MCP tools with their input schemas.
    Tools(JsonFlag),
    /// Assistant hooks (read hook JSON on stdin).
    Hook(HookArgs),
    /// Backup and recovery plan with scripts, schedules, restore test and checks.
    Backup(Box<crate::backup::cli::BackupArgs>),
    /// Engine configuration for the machine and workload.
    Tune(Box<crate::tune::cli::TuneArgs>),
    /// Review DDL or migrations against the schema rules (and normal forms with --normalize).
    Review(Box<crate::review::cli::ReviewArgs>),
    /// Index strategy for a workload: indexes to create and to drop, per-query benefit.
    Index(Box<crate::advise::cli::IndexArgs>),
    /// Find why queries are slow or wrong and rewrite them; N+1 patterns in a query log.
    Optimize(Box<crate::optimize::cli::OptimizeArgs>),
    /// Diff two schemas into safe migrations, or lint migration files.
    Migrate(Box<crate::migrate::cli::MigrateArgs>),
    /// Read an EXPLAIN plan: findings with actions and a plan table.
    Explain(Box<crate::explain::cli::ExplainArgs>),
}

#[derive(Args, Debug)]
pub struct CallArgs {
    /// Tool name, e.g. KD-db-route.
    pub tool: String,
    /// Arguments: a JSON object, `@FILE` to read it from a file, or `-` for stdin.
    #[arg(default_value = "{}")]
    pub arguments: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct JsonFlag {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Serve streamable HTTP at ADDR (e.g. 127.0.0.1:8931) under /mcp instead of stdio.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<String>,
    /// Allow a non-loopback --http address (kd-dba has no authentication of its own).
    #[arg(long)]
    pub allow_remote: bool,
    /// Accepted for compatibility with launchers that pass it; stdio is the default.
    #[arg(long, hide = true)]
    pub stdio: bool,
}

#[derive(Args, Debug)]
pub struct RouteArgs {
    /// The prompt text.
    #[arg(required = true)]
    pub text: Vec<String>,
    /// Workflow stage (Architecture, Implementation, Quality ...).
    #[arg(long)]
    pub stage: Option<String>,
    /// What the session was doing recently.
    #[arg(long)]
    pub context: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct HandoffArgs {
    /// Read the whole request as JSON from FILE (`-` for stdin); the other options are ignored.
    #[arg(long, value_name = "FILE")]
    pub input: Option<String>,
    /// Receiving role: arch, backend or devops.
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long)]
    pub summary: Option<String>,
    #[arg(long)]
    pub stage: Option<String>,
    /// An artifact as KIND=PATH (kinds: schema_sql, erd, migration, index_plan, query_rewrite,
    /// performance_analysis, backup_plan, restore_runbook, tune_config, monitoring, schedule,
    /// orm_models, other). Repeatable.
    #[arg(long = "artifact", value_name = "KIND=PATH")]
    pub artifacts: Vec<String>,
    #[arg(long = "decision")]
    pub decisions: Vec<String>,
    #[arg(long = "question")]
    pub questions: Vec<String>,
    #[arg(long = "blocker")]
    pub blockers: Vec<String>,
    #[arg(long = "next")]
    pub next: Vec<String>,
    /// Checklist item IDs already done.
    #[arg(long = "done")]
    pub done: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct RuleArgs {
    /// Rule ID (SCH002) or slug (fk-column-without-index).
    pub id: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ParseArgs {
    /// SQL files or migration folders (`-` reads stdin).
    #[arg(required = true)]
    pub files: Vec<String>,
    /// auto, postgres, mysql (also MariaDB), sqlite or generic.
    #[arg(long, default_value = "auto")]
    pub dialect: String,
    /// List every statement.
    #[arg(long)]
    pub statements: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct HookArgs {
    /// Hook kind: user-prompt-submit.
    pub kind: String,
}

impl Cli {
    fn limits(&self) -> Limits {
        let mut l = Limits::from_env();
        if let Some(v) = self.max_bytes {
            l.max_bytes = v;
        }
        if let Some(v) = self.max_statements {
            l.max_statements = v;
        }
        if let Some(v) = self.max_depth {
            l.max_depth = v;
        }
        l
    }
}

/// Write a command's output to stdout, ending it with a newline. A reader that went away (`kd-dba
/// ... | head`) ends the command quietly instead of panicking in `println!`.
pub fn out(text: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let mut r = o.write_all(text.as_bytes());
    if r.is_ok() && !text.ends_with('\n') {
        r = o.write_all(b"\n");
    }
    if let Err(e) = r.and_then(|()| o.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("kd-dba: cannot write the output: {e}");
        std::process::exit(1);
    }
}

/// Print a report as JSON or through its template.
pub fn emit<T: Serialize>(report: &T, json: bool, template: &str) -> Result<(), KdError> {
    if json {
        let s =
            serde_json::to_string_pretty(report).map_err(|e| KdError::Internal(e.to_string()))?;
        out(&s);
    } else {
        out(&crate::render::render(template, report)?);
    }
    Ok(())
}

/// Read `-` (stdin) or files/folders into sources.
pub fn read_sources(paths: &[String], limits: &Limits) -> Result<Vec<crate::sql::Source>, KdError> {
    let mut out = Vec::new();
    let mut total = 0usize;
    for p in paths {
        if p == "-" {
            use std::io::Read;
            let mut buf = Vec::new();
            std::io::stdin()
                .take(limits.max_bytes + 1)
                .read_to_end(&mut buf)
                .map_err(|e| KdError::input(format!("cannot read stdin: {e}")))?;
            let text = String::from_utf8(buf).map_err(|_| {
                KdError::input("stdin is not valid UTF-8; convert the input to UTF-8 first")
            })?;
            total += text.len();
            limits.check_bytes(total)?;
            out.push(crate::sql::Source::file("<stdin>", text));
        } else {
            for s in crate::input::load_path(std::path::Path::new(p))? {
                total += s.text.len();
                limits.check_bytes(total)?;
                out.push(s);
            }
        }
    }
    Ok(out)
}

fn parse_dialect(s: &str) -> Result<DialectChoice, KdError> {
    s.parse::<DialectChoice>().map_err(KdError::Invalid)
}

/// Run the CLI; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    crate::render::set_override_dir(cli.templates.clone());
    let limits = cli.limits();
    let result = match &cli.command {
        Command::Serve(a) => return serve(a, limits),
        Command::Hook(a) => {
            if a.kind == "user-prompt-submit" || a.kind == "before-agent" {
                return crate::hook::run_user_prompt_submit();
            }
            eprintln!(
                "kd-dba hook: unknown hook `{}`; use `kd-dba hook user-prompt-submit`",
                a.kind
            );
            return 0;
        }
        Command::Route(a) => {
            let req = crate::role::RouteRequest {
                text: a.text.join(" "),
                stage: a.stage.clone(),
                recent_context: a.context.clone(),
            };
            emit(&crate::role::route(&req), a.json, "route/decision.md")
        }
        Command::Handoff(a) => handoff(a),
        Command::Erd(a) => crate::erd::cli::run(a, &limits),
        Command::Backup(a) => crate::backup::cli::run(a, &limits),
        Command::Tune(a) => crate::tune::cli::run(a, &limits),
        Command::Review(a) => match crate::review::cli::run(a, &limits) {
            Ok(true) => return 1,
            Ok(false) => Ok(()),
            Err(e) => Err(e),
        },
        Command::Index(a) => crate::advise::cli::run(a, &limits),
        Command::Optimize(a) => crate::optimize::cli::run(a, &limits),
        Command::Migrate(a) => crate::migrate::cli::run(a, &limits),
        Command::Explain(a) => crate::explain::cli::run(a, &limits),
        Command::Call(a) => call(a, limits),
        Command::Schema(a) => crate::design::cli::run(a, &limits),
        Command::Tools(a) => {
            let tools = crate::mcp::tools::all();
            if a.json {
                let v: Vec<serde_json::Value> = tools
                    .iter()
                    .map(|t| serde_json::json!({"name": t.name, "title": t.title, "description": t.description, "inputSchema": *t.input_schema, "example": t.example}))
                    .collect();
                emit(&v, true, "")
            } else {
                for t in &tools {
                    out(&format!(
                        "{:<16} {}\n{:<16} example: {}",
                        t.name, t.description, "", t.example
                    ));
                }
                Ok(())
            }
        }
        Command::Rules(a) => {
            #[derive(Serialize)]
            struct L {
                rules: Vec<&'static crate::rules::RuleDoc>,
            }
            let l = L {
                rules: crate::rules::all(),
            };
            if a.json {
                emit(&l.rules, true, "")
            } else {
                emit(&l, false, "rules/list.md")
            }
        }
        Command::Rule(a) => match crate::rules::find(&a.id) {
            Some(r) => emit(r, a.json, "rules/rule.md"),
            None => Err(KdError::invalid(format!(
                "no rule `{}`; run `kd-dba rules` to list them",
                a.id
            ))),
        },
        Command::Parse(a) => parse_dialect(&a.dialect)
            .and_then(|d| read_sources(&a.files, &limits).map(|s| (d, s)))
            .and_then(|(d, s)| crate::inspect::parse_report(&s, d, &limits))
            .and_then(|mut r| {
                if !a.statements && !a.json {
                    r.statements.clear();
                }
                emit(&r, a.json, "parse/parse.md")
            }),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("kd-dba: {e}");
            2
        }
    }
}

fn call(a: &CallArgs, limits: Limits) -> Result<(), KdError> {
    use crate::mcp::registry::{ToolCtx, ToolError};
    let text = if a.arguments == "-" {
        let mut s = String::new();
        use std::io::Read;
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| KdError::input(format!("cannot read stdin: {e}")))?;
        s
    } else if let Some(f) = a.arguments.strip_prefix('@') {
        std::fs::read_to_string(f).map_err(|e| KdError::input(format!("cannot read {f}: {e}")))?
    } else {
        a.arguments.clone()
    };
    let args: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        KdError::invalid(format!("the arguments are not JSON ({e}); pass an object such as '{{\"text\": \"...\"}}', @file.json or -"))
    })?;
    let tools = crate::mcp::tools::all();
    let Some(t) = tools.iter().find(|t| t.name.eq_ignore_ascii_case(&a.tool)) else {
        return Err(KdError::invalid(format!(
            "no tool `{}`; run `kd-dba tools` to list them",
            a.tool
        )));
    };
    let ctx = ToolCtx {
        limits,
        progress: None,
        base_dir: std::env::current_dir().ok(),
    };
    match (t.run)(args, &ctx) {
        Ok(out) => {
            if a.json {
                emit(&out.structured, true, "")
            } else {
                self::out(&out.markdown);
                Ok(())
            }
        }
        Err(ToolError::Arguments(m)) => Err(KdError::Invalid(m)),
        Err(ToolError::Engine(e)) => Err(e),
    }
}

fn handoff(a: &HandoffArgs) -> Result<(), KdError> {
    use crate::role::handoff::{Artifact, ArtifactKind, HandoffRequest, TargetRole};
    let req: HandoffRequest = match &a.input {
        Some(f) => {
            let text = if f == "-" {
                let mut s = String::new();
                use std::io::Read;
                std::io::stdin()
                    .read_to_string(&mut s)
                    .map_err(|e| KdError::input(format!("cannot read stdin: {e}")))?;
                s
            } else {
                std::fs::read_to_string(f)
                    .map_err(|e| KdError::input(format!("cannot read {f}: {e}")))?
            };
            serde_json::from_str(&text).map_err(|e| {
                KdError::invalid(format!(
                    "{f} is not a handoff request: {e}; expected {{\"to\": \"devops\", \"summary\": \"...\", \"artifacts\": [{{\"kind\": \"migration\", \"path\": \"...\"}}]}}"
                ))
            })?
        }
        None => {
            let to: TargetRole = a
                .to
                .as_deref()
                .ok_or_else(|| KdError::invalid("give --to arch|backend|devops (or --input FILE)"))?
                .parse()?;
            let summary = a.summary.clone().ok_or_else(|| {
                KdError::invalid("give --summary \"what the [DBA] work produced\"")
            })?;
            let mut artifacts = Vec::new();
            for spec in &a.artifacts {
                let (kind, path) = spec.split_once('=').ok_or_else(|| {
                    KdError::invalid(format!(
                        "--artifact {spec}: write it as KIND=PATH, e.g. migration=db/001.up.sql"
                    ))
                })?;
                let kind: ArtifactKind = serde_json::from_value(serde_json::Value::String(kind.trim().to_string()))
                    .map_err(|_| {
                        KdError::invalid(format!(
                            "--artifact {spec}: unknown kind `{kind}`; use schema_sql, erd, migration, index_plan, query_rewrite, performance_analysis, backup_plan, restore_runbook, tune_config, monitoring, schedule, orm_models or other"
                        ))
                    })?;
                artifacts.push(Artifact {
                    kind,
                    title: None,
                    path: Some(path.trim().to_string()),
                    content: None,
                    description: None,
                });
            }
            HandoffRequest {
                to,
                stage: a.stage.clone(),
                summary,
                artifacts,
                decisions: a.decisions.clone(),
                open_questions: a.questions.clone(),
                blockers: a.blockers.clone(),
                next_actions: a.next.clone(),
                done: a.done.clone(),
            }
        }
    };
    let base = std::env::current_dir().ok();
    let report = crate::role::handoff(&req, base.as_deref())?;
    emit(&report, a.json, "handoff/handoff.md")
}

fn serve(a: &ServeArgs, limits: Limits) -> i32 {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kd-dba: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let res = rt.block_on(async {
        match &a.http {
            Some(addr) => {
                let addr: std::net::SocketAddr = addr.parse().map_err(|e| {
                    format!("--http {addr}: not an address ({e}); write it as 127.0.0.1:8931")
                })?;
                crate::mcp::serve_http(addr, limits, a.allow_remote).await
            }
            None => crate::mcp::serve_stdio(limits).await,
        }
    });
    match res {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("kd-dba: {e}");
            2
        }
    }
}

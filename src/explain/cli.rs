//! `kd-dba explain`: the CLI door of `KD-db-explain`.

use super::{ExplainRequest, PlanFormat, explain};
use crate::error::KdError;
use crate::input::SqlInput;
use crate::limits::Limits;
use clap::Args;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The plan file (`-` reads stdin): EXPLAIN output as JSON or text.
    pub plan: String,
    /// postgres_json, postgres_text, mysql_json or sqlite_eqp (default: detected).
    #[arg(long)]
    pub format: Option<String>,
    /// The query the plan is for (a file, or `-` for stdin is not allowed twice).
    #[arg(long, value_name = "FILE")]
    pub query: Option<String>,
    /// Schema: a DDL file or a migrations folder (repeatable).
    #[arg(long, value_name = "PATH")]
    pub schema: Vec<String>,
    /// auto, postgres, mysql, sqlite.
    #[arg(long, default_value = "auto")]
    pub dialect: String,
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &ExplainArgs, limits: &Limits) -> Result<(), KdError> {
    let text = crate::backup::cli::read_arg_file(&a.plan)?;
    limits.check_bytes(text.len())?;
    let format = match &a.format {
        Some(f) => Some(
            serde_json::from_value::<PlanFormat>(serde_json::Value::String(f.trim().to_ascii_lowercase())).map_err(|_| {
                KdError::invalid(format!("--format: `{f}` is not one of postgres_json, postgres_text, mysql_json, sqlite_eqp"))
            })?,
        ),
        None => None,
    };
    let query = match &a.query {
        Some(f) => Some(crate::backup::cli::read_arg_file(f)?),
        None => None,
    };
    let req = ExplainRequest {
        plan: serde_json::Value::String(text),
        format,
        query,
        schema: (!a.schema.is_empty()).then(|| SqlInput {
            sql: None,
            paths: a.schema.clone(),
        }),
        dialect: crate::optimize::cli::dialect_arg(&a.dialect)?,
    };
    let report = explain(&req, limits, None)?;
    crate::cli::emit(&report, a.json, "explain/explain.md")
}

//! `kd-dba migrate diff|lint`: the CLI door of `KD-db-migrate`.

use super::{Format, MigrateRequest, Mode, migrate};
use crate::backup::cli::write_files;
use crate::error::KdError;
use crate::input::SqlInput;
use crate::limits::Limits;
use crate::mcp::registry::ToolCtx;
use crate::sql::DialectChoice;
use clap::{Args, Subcommand};
use std::path::Path;

#[derive(Args, Debug)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: MigrateCommand,
}

#[derive(Subcommand, Debug)]
pub enum MigrateCommand {
    /// Diff two schemas into an ordered, lock-safe migration with up and down files.
    Diff(DiffArgs),
    /// Lint migration files (MIG rules).
    Lint(LintArgs),
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Current schema: .sql files or a migrations folder (replayed in order). Omit for an empty database.
    #[arg(long, num_args = 1.., value_name = "PATH")]
    pub from: Vec<String>,
    /// Target schema: .sql files or a migrations folder.
    #[arg(long, num_args = 1.., value_name = "PATH", required = true)]
    pub to: Vec<String>,
    /// postgres, mysql, sqlite or auto.
    #[arg(long, default_value = "auto")]
    pub dialect: String,
    /// MariaDB rather than MySQL (online DDL clauses).
    #[arg(long)]
    pub mariadb: bool,
    /// Engine version, e.g. 16, 11, 8.0, 10.11.
    #[arg(long = "engine-version", value_name = "VERSION")]
    pub engine_version: Option<String>,
    /// Rename hints: old_table=new_table or table.old_col=new_col (repeatable).
    #[arg(long = "rename", value_name = "HINT")]
    pub renames: Vec<String>,
    /// sql, golang-migrate, sqlx, flyway, liquibase or alembic.
    #[arg(long, default_value = "sql")]
    pub format: String,
    /// Migration name.
    #[arg(long, default_value = "schema_change")]
    pub name: String,
    /// Write the files into DIR; numbering continues after the migrations already there.
    #[arg(long, value_name = "DIR")]
    pub out: Option<String>,
    /// Liquibase changeset author.
    #[arg(long)]
    pub author: Option<String>,
    #[arg(long, value_name = "DURATION")]
    pub lock_timeout: Option<String>,
    #[arg(long, value_name = "DURATION")]
    pub statement_timeout: Option<String>,
    /// Replace files in --out that exist with other content.
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Migration files or folders.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Schema before these migrations (files or folder), for model-aware rules.
    #[arg(long, num_args = 1.., value_name = "PATH")]
    pub schema: Vec<String>,
    #[arg(long, default_value = "auto")]
    pub dialect: String,
    #[arg(long = "engine-version", value_name = "VERSION")]
    pub engine_version: Option<String>,
    /// The migration tool runs each file in a transaction (diesel, Flyway, sqlx ...).
    #[arg(long)]
    pub wrapped: bool,
    /// Rule IDs or slugs to skip (repeatable).
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

fn dialect(s: &str) -> Result<DialectChoice, KdError> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase())).map_err(|_| {
        KdError::invalid(format!(
            "--dialect: `{s}` is not one of postgres, mysql, sqlite, auto"
        ))
    })
}

fn paths(p: &[String]) -> Option<SqlInput> {
    (!p.is_empty()).then(|| SqlInput {
        sql: None,
        paths: p.to_vec(),
    })
}

pub fn run(a: &MigrateArgs, limits: &Limits) -> Result<(), KdError> {
    let ctx = ToolCtx {
        limits: *limits,
        ..ToolCtx::default()
    };
    match &a.command {
        MigrateCommand::Diff(x) => {
            let format: Format = serde_json::from_value(serde_json::Value::String(x.format.trim().to_ascii_lowercase()))
                .map_err(|_| KdError::invalid(format!("--format: `{}` is not one of sql, golang-migrate, sqlx, flyway, liquibase, alembic", x.format)))?;
            let req = MigrateRequest {
                mode: Some(Mode::Diff),
                from: Some(paths(&x.from).unwrap_or_default()),
                to: paths(&x.to),
                dialect: dialect(&x.dialect)?,
                mariadb: x.mariadb,
                version: x.engine_version.clone(),
                renames: x.renames.clone(),
                format: Some(format),
                name: Some(x.name.clone()),
                existing: x.out.clone().filter(|o| Path::new(o).is_dir()),
                author: x.author.clone(),
                lock_timeout: x.lock_timeout.clone(),
                statement_timeout: x.statement_timeout.clone(),
                ..MigrateRequest::default()
            };
            let mut report = migrate(req, &ctx)?;
            if let Some(out) = &x.out {
                let dir = Path::new(out);
                write_files(dir, &report.files, x.force)?;
                report.written_to = Some(dir.display().to_string());
            }
            crate::cli::emit(&report, x.json, "migrate/report.md")
        }
        MigrateCommand::Lint(x) => {
            let req = MigrateRequest {
                mode: Some(Mode::Lint),
                files: paths(&x.paths),
                schema: paths(&x.schema),
                dialect: dialect(&x.dialect)?,
                version: x.engine_version.clone(),
                wrapped: Some(x.wrapped),
                disable: x.disable.clone(),
                ..MigrateRequest::default()
            };
            let report = migrate(req, &ctx)?;
            let errors = report
                .findings
                .iter()
                .any(|f| f.severity == crate::findings::Severity::Error);
            crate::cli::emit(&report, x.json, "migrate/report.md")?;
            if errors {
                std::process::exit(1);
            }
            Ok(())
        }
    }
}

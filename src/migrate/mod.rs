//! `KD-db-migrate`: diff two schemas into a safe, ordered migration plan (up and down, hazards,
//! lock-safe forms per engine and version) rendered as plain SQL, golang-migrate, sqlx, Flyway,
//! Liquibase or Alembic files; or lint existing migrations (MIG rules).
//!
//! * `diff.rs`: the differ (catalog vs catalog → steps), renames, SQLite rebuilds.
//! * `ddl.rs`: DDL text for model objects per engine.
//! * `plan.rs`: steps, hazards, transaction groups, whole scripts.
//! * `files.rs`: migration files through `templates/migrate/files/`.
//! * `lint.rs`: migration-safety rules over parsed statements and the schema model.

pub mod cli;
pub mod ddl;
pub mod diff;
pub mod files;
pub mod lint;
pub mod plan;

use crate::backup::GenFile;
use crate::catalog::{self, Catalog};
use crate::error::KdError;
use crate::findings::Finding;
use crate::input::SqlInput;
use crate::mcp::registry::ToolCtx;
use crate::sql::{Dialect, DialectChoice, ParsedSql};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use diff::{DiffOptions, Rename, Side, Version};
pub use files::Format;
pub use plan::{Hazard, Step, Timeouts};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Diff,
    Lint,
}

/// Diff: `from` + `to`. Lint: `files`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrateRequest {
    #[serde(default)]
    pub mode: Option<Mode>,
    /// Current schema (empty: new database)
    #[serde(default)]
    pub from: Option<SqlInput>,
    /// Target schema
    #[serde(default)]
    pub to: Option<SqlInput>,
    /// Lint: migrations to check
    #[serde(default)]
    pub files: Option<SqlInput>,
    /// Lint: schema before them
    #[serde(default)]
    pub schema: Option<SqlInput>,
    #[serde(default)]
    pub dialect: DialectChoice,
    #[serde(default)]
    pub mariadb: bool,
    /// e.g. 16, 8.0, 10.11
    #[serde(default)]
    pub version: Option<String>,
    /// old_table=new_table, table.old_col=new_col
    #[serde(default)]
    pub renames: Vec<String>,
    #[serde(default)]
    pub format: Option<Format>,
    #[serde(default)]
    pub name: Option<String>,
    /// Migrations folder to number after
    #[serde(default)]
    pub existing: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    /// default 5s
    #[serde(default)]
    pub lock_timeout: Option<String>,
    /// default 15min
    #[serde(default)]
    pub statement_timeout: Option<String>,
    /// Unix time (default now)
    #[serde(default)]
    pub created: Option<u64>,
    /// Lint: tool wraps files in transactions
    #[serde(default)]
    pub wrapped: Option<bool>,
    #[serde(default)]
    pub disable: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Counts {
    pub steps: usize,
    pub non_transactional: usize,
    pub irreversible: usize,
    pub hazards: usize,
    pub findings: usize,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MigrateReport {
    pub mode: Mode,
    pub dialect: Dialect,
    #[schemars(with = "serde_json::Value")]
    pub version: Version,
    #[schemars(with = "Vec<serde_json::Value>")]
    pub steps: Vec<Step>,
    #[schemars(with = "Vec<serde_json::Value>")]
    pub renames: Vec<Rename>,
    #[schemars(with = "Vec<serde_json::Value>")]
    pub rename_candidates: Vec<Rename>,
    pub notes: Vec<String>,
    // Whole up / down scripts for the engine's CLI (psql, mariadb, sqlite3).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub up_sql: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub down_sql: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    pub files: Vec<GenFile>,
    #[schemars(with = "Vec<serde_json::Value>")]
    pub findings: Vec<Finding>,
    // Lint: statements checked and files read.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub lint_stats: Option<lint::LintStats>,
    #[schemars(with = "serde_json::Value")]
    pub counts: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_to: Option<String>,
}

fn resolve_dialect(choice: DialectChoice, parsed: &[&ParsedSql]) -> Dialect {
    match choice.fixed() {
        Some(d) => d,
        None => parsed
            .first()
            .map(|p| p.dialect.dialect)
            .unwrap_or(Dialect::Postgres),
    }
}

/// Parse and build one side.
pub fn load_side(
    input: &SqlInput,
    dialect: DialectChoice,
    ctx: &ToolCtx,
) -> Result<(ParsedSql, Catalog), KdError> {
    let sources = input.sources(ctx.base_dir.as_deref(), &ctx.limits)?;
    catalog::from_sources(&sources, dialect, &ctx.limits)
}

/// The tool's engine function.
pub fn migrate(req: MigrateRequest, ctx: &ToolCtx) -> Result<MigrateReport, KdError> {
    let mode = req
        .mode
        .unwrap_or(if req.files.is_some() && req.from.is_none() {
            Mode::Lint
        } else {
            Mode::Diff
        });
    match mode {
        Mode::Diff => diff_mode(&req, ctx),
        Mode::Lint => lint::lint_mode(&req, ctx),
    }
}

pub(crate) fn timeouts(req: &MigrateRequest) -> Result<Timeouts, KdError> {
    let check = |field: &str, v: &str| -> Result<String, KdError> {
        let ok = !v.is_empty()
            && v.len() < 16
            && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
        if ok {
            Ok(v.to_string())
        } else {
            Err(KdError::invalid(format!(
                "{field}: `{v}` is not a PostgreSQL duration; write it as 5s, 500ms, 15min or 0"
            )))
        }
    };
    Ok(Timeouts {
        lock_timeout: check("lock_timeout", req.lock_timeout.as_deref().unwrap_or("5s"))?,
        statement_timeout: check(
            "statement_timeout",
            req.statement_timeout.as_deref().unwrap_or("15min"),
        )?,
    })
}

fn diff_mode(req: &MigrateRequest, ctx: &ToolCtx) -> Result<MigrateReport, KdError> {
    let (Some(from), Some(to)) = (&req.from, &req.to) else {
        return Err(KdError::invalid(
            "diff needs `from` and `to` (each {\"sql\": \"...\"} or {\"paths\": [\"schema.sql\" or \"migrations/\"]}); for lint, pass `files`",
        ));
    };
    // An empty `from` is a valid start (a new database).
    let empty = SqlInput::default();
    let (op, ocat) = if from.is_empty() {
        load_side(&empty, req.dialect, ctx)?
    } else {
        load_side(from, req.dialect, ctx)?
    };
    if to.is_empty() {
        return Err(KdError::invalid(
            "`to` is empty: give the target schema as DDL text or paths",
        ));
    }
    // Both sides in one dialect: the one asked for, or the one guessed from the target.
    let (np, ncat) = load_side(to, req.dialect, ctx)?;
    let d = resolve_dialect(req.dialect, &[&np, &op]);
    let (op, ocat, np, ncat) = if req.dialect.fixed().is_none() {
        let fixed = match d {
            Dialect::Mysql => DialectChoice::Mysql,
            Dialect::Sqlite => DialectChoice::Sqlite,
            _ => DialectChoice::Postgres,
        };
        let (op, oc) = load_side(if from.is_empty() { &empty } else { from }, fixed, ctx)?;
        let (np, nc) = load_side(to, fixed, ctx)?;
        (op, oc, np, nc)
    } else {
        (op, ocat, np, ncat)
    };
    let version = match &req.version {
        Some(v) => Version::parse(v)?,
        None if req.mariadb => Version {
            major: 10,
            minor: 11,
        },
        None => Version::default_for(d),
    };
    let t = timeouts(req)?;
    let opts = DiffOptions {
        dialect: d,
        version,
        mariadb: req.mariadb,
        renames: req.renames.clone(),
        timeouts: t.clone(),
    };
    let res = diff::diff(
        Side {
            cat: &ocat,
            parsed: Some(&op),
        },
        Side {
            cat: &ncat,
            parsed: Some(&np),
        },
        &opts,
    )?;
    let mut notes = res.notes;
    for (side, cat) in [("from", &ocat), ("to", &ncat)] {
        if !cat.notes.is_empty() {
            notes.push(format!(
                "{side}: {} DDL statement(s) could not be applied to the model (first: {}); the diff may miss what they change",
                cat.notes.len(),
                cat.notes[0].message
            ));
        }
    }
    for (side, p) in [("from", &op), ("to", &np)] {
        if p.stats.failed > 0 {
            notes.push(format!(
                "{side}: {} statement(s) did not parse; objects they create are missing from the diff",
                p.stats.failed
            ));
        }
    }
    let up_sql = plan::script(d, &plan::groups(&res.steps, false), &t);
    let down_sql = plan::script(d, &plan::groups(&res.steps, true), &t);
    let existing = match &req.existing {
        Some(p) => {
            let path = match ctx.base_dir.as_deref() {
                Some(b) if std::path::Path::new(p).is_relative() => b.join(p),
                _ => std::path::PathBuf::from(p),
            };
            files::scan_existing(&path)?
        }
        None => files::Existing::default(),
    };
    let format = req.format.unwrap_or_default();
    let created = req.created.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    });
    let name = req.name.clone().unwrap_or_else(|| "schema_change".into());
    let (files, _units) = files::render(
        &res.steps,
        &files::FileOptions {
            format,
            name: &name,
            dialect: d,
            timeouts: &t,
            existing,
            author: req.author.as_deref().unwrap_or("kd-dba"),
            created,
        },
    )?;
    let counts = Counts {
        steps: res.steps.len(),
        non_transactional: res.steps.iter().filter(|s| !s.transactional).count(),
        irreversible: res
            .steps
            .iter()
            .filter(|s| s.irreversible.is_some())
            .count(),
        hazards: res.steps.iter().map(|s| s.hazards.len()).sum(),
        findings: 0,
    };
    Ok(MigrateReport {
        mode: Mode::Diff,
        dialect: d,
        version,
        steps: res.steps,
        renames: res.renames,
        rename_candidates: res.rename_candidates,
        notes,
        up_sql,
        down_sql,
        format: Some(format),
        files,
        findings: Vec::new(),
        lint_stats: None,
        counts,
        written_to: None,
    })
}

/// Convenience for tests and benches: diff two DDL texts.
pub fn diff_sql(
    from: &str,
    to: &str,
    dialect: DialectChoice,
    version: Option<&str>,
    renames: &[&str],
) -> Result<MigrateReport, KdError> {
    let req = MigrateRequest {
        mode: Some(Mode::Diff),
        from: Some(SqlInput {
            sql: Some(from.to_string()),
            paths: vec![],
        }),
        to: Some(SqlInput {
            sql: Some(to.to_string()),
            paths: vec![],
        }),
        dialect,
        version: version.map(str::to_string),
        renames: renames.iter().map(|s| s.to_string()).collect(),
        created: Some(1_767_225_600),
        ..MigrateRequest::default()
    };
    migrate(req, &ToolCtx::default())
}

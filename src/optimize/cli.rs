//! `kd-dba optimize`: the CLI door of `KD-optimize`.

use super::{LogFormat, OptimizeRequest, optimize};
use crate::error::KdError;
use crate::input::SqlInput;
use crate::limits::Limits;
use crate::sql::DialectChoice;
use clap::Args;

#[derive(Args, Debug)]
pub struct OptimizeArgs {
    /// Files with the queries (`-` reads stdin).
    pub files: Vec<String>,
    /// A query given inline (repeatable).
    #[arg(
        long = "query",
        short = 'q',
        value_name = "SQL",
        allow_hyphen_values = true
    )]
    pub queries: Vec<String>,
    /// A query log file (plain SQL, pg_stat_statements CSV/JSON, MySQL slow log).
    #[arg(long, value_name = "FILE")]
    pub log: Option<String>,
    /// plain, pgss_csv, pgss_json or mysql_slow (default: detected).
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Schema: a DDL file or a migrations folder (repeatable).
    #[arg(long, value_name = "PATH")]
    pub schema: Vec<String>,
    /// Statistics as JSON ({"tables": [{"table", "rows"}], "columns": [{"table", "column", "null_frac", "n_distinct"}]}).
    #[arg(long, value_name = "FILE")]
    pub stats: Option<String>,
    /// auto, postgres, mysql (also MariaDB), sqlite or generic.
    #[arg(long, default_value = "auto")]
    pub dialect: String,
    /// Engine version for the index DDL, e.g. 15, 8.0.36, 10.11-mariadb.
    #[arg(long = "engine-version", value_name = "VERSION")]
    pub engine_version: Option<String>,
    /// Rule IDs to skip (comma separated).
    #[arg(long, value_delimiter = ',')]
    pub disable: Vec<String>,
    /// Read the whole request as JSON from FILE (`-` for stdin); the other options are ignored.
    #[arg(long, value_name = "FILE")]
    pub input: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn dialect_arg(s: &str) -> Result<DialectChoice, KdError> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase())).map_err(|_| {
        KdError::invalid(format!(
            "--dialect: `{s}` is not one of auto, postgres, mysql, sqlite, generic"
        ))
    })
}

fn request(a: &OptimizeArgs, limits: &Limits) -> Result<OptimizeRequest, KdError> {
    if let Some(f) = &a.input {
        let text = crate::backup::cli::read_arg_file(f)?;
        return serde_json::from_str(&text).map_err(|e| {
            KdError::invalid(format!("{f} is not an optimize request: {e}; expected {{\"sql\": \"SELECT ...\", \"schema\": {{\"paths\": [\"schema.sql\"]}}, \"dialect\": \"postgres\"}}"))
        });
    }
    if a.files.is_empty() && a.queries.is_empty() && a.log.is_none() {
        return Err(KdError::invalid(
            "nothing to optimize: give query files, `-` to read them from stdin, -q SQL, or --log FILE (add --schema PATH for schema-aware findings)",
        ));
    }
    let mut sql = None;
    let mut paths = Vec::new();
    for f in &a.files {
        if f == "-" {
            let t = crate::backup::cli::read_arg_file("-")?;
            limits.check_bytes(t.len())?;
            sql = Some(t);
        } else {
            paths.push(f.clone());
        }
    }
    let log_format = match &a.log_format {
        Some(s) => Some(
            serde_json::from_value::<LogFormat>(serde_json::Value::String(
                s.trim().to_ascii_lowercase(),
            ))
            .map_err(|_| {
                KdError::invalid(format!(
                    "--log-format: `{s}` is not one of plain, pgss_csv, pgss_json, mysql_slow"
                ))
            })?,
        ),
        None => None,
    };
    let stats = match &a.stats {
        Some(f) => {
            let t = crate::backup::cli::read_arg_file(f)?;
            Some(serde_json::from_str(&t).map_err(|e| KdError::invalid(format!("--stats {f}: {e}; expected {{\"tables\": [{{\"table\": \"orders\", \"rows\": 1000000}}], \"columns\": [{{\"table\": \"orders\", \"column\": \"status\", \"null_frac\": 0, \"n_distinct\": 5}}]}}")))?)
        }
        None => None,
    };
    Ok(OptimizeRequest {
        sql,
        queries: a.queries.clone(),
        paths,
        log: None,
        log_path: a.log.clone(),
        log_format,
        schema: (!a.schema.is_empty()).then(|| SqlInput {
            sql: None,
            paths: a.schema.clone(),
        }),
        stats,
        dialect: dialect_arg(&a.dialect)?,
        version: a.engine_version.clone(),
        disable: a.disable.clone(),
    })
}

pub fn run(a: &OptimizeArgs, limits: &Limits) -> Result<(), KdError> {
    let req = request(a, limits)?;
    let report = optimize(&req, limits, None)?;
    crate::cli::emit(&report, a.json, "optimize/optimize.md")
}

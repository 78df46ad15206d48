//! `kd-dba index`: the CLI door of `KD-db-index`.

use super::{Budget, IndexRequest, WorkloadQuery, index};
use crate::backup::cli::read_arg_file;
use crate::error::KdError;
use crate::input::SqlInput;
use crate::limits::Limits;
use clap::Args;

#[derive(Args, Debug)]
pub struct IndexArgs {
    /// Read the whole request as JSON from FILE (`-` for stdin); the other options are ignored.
    #[arg(long, value_name = "FILE")]
    pub input: Option<String>,
    /// Schema: a DDL file or a migrations folder (repeatable).
    #[arg(long, value_name = "PATH")]
    pub schema: Vec<String>,
    /// A workload query (repeatable); append `@@N` for N calls, e.g. "select ... @@500".
    #[arg(long = "query", short = 'q', value_name = "SQL")]
    pub queries: Vec<String>,
    /// Workload log: SQL file or folder, server log, or pg_stat_statements CSV/JSON.
    #[arg(long, value_name = "FILE")]
    pub log: Option<String>,
    /// postgres, mysql, sqlite or auto.
    #[arg(long)]
    pub dialect: Option<String>,
    /// Engine version, e.g. 15, 8.0.36, 10.11-mariadb.
    #[arg(long = "engine-version", value_name = "VERSION")]
    pub engine_version: Option<String>,
    /// Statistics JSON: {"tables": [{"table", "rows"}], "columns": [pg_stats rows]}.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<String>,
    /// Write mix JSON: [{"table", "inserts", "updates", "deletes", "updated_columns"}].
    #[arg(long, value_name = "FILE")]
    pub writes: Option<String>,
    /// New indexes per table (default 3).
    #[arg(long)]
    pub per_table: Option<usize>,
    /// New indexes in total.
    #[arg(long)]
    pub max_indexes: Option<usize>,
    /// Size budget for new indexes, e.g. 2GB.
    #[arg(long)]
    pub max_bytes: Option<String>,
    /// Confirm candidates with HypoPG on this PostgreSQL URL (read-only).
    #[arg(long, value_name = "URL")]
    pub validate: Option<String>,
    /// Print only the migration SQL.
    #[arg(long)]
    pub sql: bool,
    #[arg(long)]
    pub json: bool,
}

fn json_file<T: serde::de::DeserializeOwned>(
    flag: &str,
    f: &str,
    example: &str,
) -> Result<T, KdError> {
    let t = read_arg_file(f)?;
    serde_json::from_str(&t)
        .map_err(|e| KdError::invalid(format!("{flag} {f}: {e}; expected {example}")))
}

fn request(a: &IndexArgs) -> Result<IndexRequest, KdError> {
    if let Some(f) = &a.input {
        return json_file(
            "--input",
            f,
            "{\"schema\": {\"paths\": [\"schema.sql\"]}, \"queries\": [{\"sql\": \"select ...\", \"calls\": 100}]}",
        );
    }
    if a.queries.is_empty() && a.log.is_none() {
        return Err(KdError::invalid(
            "no workload: give the queries with -q SQL (repeatable, `@@N` for N calls) or --log FILE, and the schema with --schema PATH",
        ));
    }
    let queries = a
        .queries
        .iter()
        .map(|q| match q.rsplit_once("@@") {
            Some((sql, n)) if n.trim().parse::<f64>().is_ok() => WorkloadQuery {
                sql: sql.to_string(),
                calls: n.trim().parse().ok(),
            },
            _ => WorkloadQuery {
                sql: q.clone(),
                calls: None,
            },
        })
        .collect();
    Ok(IndexRequest {
        schema: SqlInput {
            sql: None,
            paths: a.schema.clone(),
        },
        queries,
        log: None,
        log_path: a.log.clone(),
        dialect: a.dialect.clone(),
        version: a.engine_version.clone(),
        stats: match &a.stats {
            Some(f) => Some(json_file(
                "--stats",
                f,
                "{\"tables\": [{\"table\": \"orders\", \"rows\": 1000000}], \"columns\": [{\"tablename\": \"orders\", \"attname\": \"status\", \"n_distinct\": 5, \"null_frac\": 0}]}",
            )?),
            None => None,
        },
        budget: Some(Budget {
            per_table: a.per_table,
            total: a.max_indexes,
            bytes: a.max_bytes.clone(),
        }),
        writes: match &a.writes {
            Some(f) => json_file(
                "--writes",
                f,
                "[{\"table\": \"orders\", \"inserts\": 1000, \"updates\": 5000, \"updated_columns\": [\"status\"]}]",
            )?,
            None => Vec::new(),
        },
        validate_url: a.validate.clone(),
    })
}

pub fn run(a: &IndexArgs, limits: &Limits) -> Result<(), KdError> {
    let req = request(a)?;
    let report = index(&req, None, limits)?;
    if a.sql {
        crate::cli::out(&report.migration);
        return Ok(());
    }
    crate::cli::emit(&report, a.json, "index/index.md")
}

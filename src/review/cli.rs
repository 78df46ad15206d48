//! `kd-dba review`: the CLI door of `KD-db-review`. Exit code 0 when no finding reaches
//! `--fail-on` (default: error), 1 when one does, 2 for bad input.

use super::{Options, Version, review_sources};
use crate::error::KdError;
use crate::findings::Severity;
use crate::limits::Limits;
use clap::Args;

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// SQL files or migration folders (replayed in order); `-` reads stdin.
    pub files: Vec<String>,
    /// Review this SQL text (besides or instead of files).
    #[arg(long)]
    pub sql: Option<String>,
    /// auto, postgres, mysql (also MariaDB), sqlite or generic.
    #[arg(long, default_value = "auto")]
    pub dialect: String,
    /// Engine version (e.g. 9.6, 16, 8.0): gates version-specific rules.
    #[arg(long = "engine-version", alias = "pg-version", value_name = "VERSION")]
    pub engine_version: Option<String>,
    /// Rule IDs or slugs to skip, comma separated.
    #[arg(long, value_delimiter = ',')]
    pub disable: Vec<String>,
    /// Lowest severity shown: info, warning or error.
    #[arg(long, default_value = "info")]
    pub min_severity: String,
    /// Exit with 1 when a finding of this severity or worse remains: info, warning, error, never.
    #[arg(long, default_value = "error")]
    pub fail_on: String,
    /// Also analyse normal forms and propose refactored DDL and migration steps.
    #[arg(long)]
    pub normalize: bool,
    #[arg(long)]
    pub json: bool,
}

fn severity(flag: &str, s: &str) -> Result<Severity, KdError> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase()))
        .map_err(|_| KdError::invalid(format!("{flag} {s}: use info, warning or error")))
}

/// Run the command; `Ok(true)` when a finding reached `--fail-on`.
pub fn run(a: &ReviewArgs, limits: &Limits) -> Result<bool, KdError> {
    let dialect = a
        .dialect
        .parse::<crate::sql::DialectChoice>()
        .map_err(KdError::Invalid)?;
    let mut sources = if a.files.is_empty() {
        Vec::new()
    } else {
        crate::cli::read_sources(&a.files, limits)?
    };
    if let Some(s) = &a.sql {
        sources.push(crate::sql::Source::inline(s.clone()));
    }
    if sources.is_empty() {
        return Err(KdError::invalid(
            "give SQL files, a migrations folder, `-` for stdin, or --sql TEXT to review",
        ));
    }
    for d in &a.disable {
        if crate::rules::find(d).is_none() {
            return Err(KdError::invalid(format!(
                "--disable {d}: not a rule ID or slug; `kd-dba rules` lists them"
            )));
        }
    }
    let opts = Options {
        version: a
            .engine_version
            .as_deref()
            .map(Version::parse)
            .transpose()?,
        disable: a.disable.clone(),
        min_severity: Some(severity("--min-severity", &a.min_severity)?),
        normalize: a.normalize,
    };
    let fail_on = match a.fail_on.trim().to_ascii_lowercase().as_str() {
        "never" | "none" => None,
        s => Some(severity("--fail-on", s)?),
    };
    let rep = review_sources(&sources, dialect, &opts, limits)?;
    crate::cli::emit(&rep, a.json, "review/review.md")?;
    Ok(fail_on.is_some_and(|f| rep.findings.iter().any(|x| x.severity >= f)))
}

//! `kd-dba parse`: what the front end and the catalog made of the input — statements by kind,
//! syntax findings, and a summary of the schema model.

use crate::catalog::{self, CatalogCounts, CatalogNote};
use crate::error::KdError;
use crate::findings::Finding;
use crate::limits::Limits;
use crate::sql::{DialectChoice, DialectDecision, ParseStats, Source, StmtKind};
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StatementLine {
    /// `file:line:col`.
    pub at: String,
    /// `parsed`, `recognized` or `failed`.
    pub status: String,
    /// Statement kind, e.g. `CREATE TABLE`.
    pub kind: String,
    /// Same-length repairs applied before parsing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TableLine {
    pub name: String,
    pub columns: usize,
    pub primary_key: Option<Vec<String>>,
    pub foreign_keys: usize,
    pub indexes: usize,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ParseReport {
    pub dialect: DialectDecision,
    pub stats: ParseStats,
    /// understood / present, as a fraction.
    pub understood: f64,
    pub findings: Vec<Finding>,
    pub statements: Vec<StatementLine>,
    pub counts: CatalogCounts,
    pub tables: Vec<TableLine>,
    pub notes: Vec<CatalogNote>,
}

/// Leading keywords of a statement, e.g. `CREATE TABLE`, `ALTER TABLE`, `SELECT`.
pub fn statement_kind(text: &str) -> String {
    let toks = crate::sql::fallback::tokens(text, 6);
    let words: Vec<String> = toks.iter().filter_map(|t| t.upper()).collect();
    let skip = [
        "OR",
        "REPLACE",
        "UNIQUE",
        "TEMP",
        "TEMPORARY",
        "UNLOGGED",
        "IF",
        "NOT",
        "EXISTS",
        "ONLY",
        "MATERIALIZED",
    ];
    match words.first().map(String::as_str) {
        Some(first @ ("CREATE" | "ALTER" | "DROP")) => {
            let obj = words[1..]
                .iter()
                .find(|w| !skip.contains(&w.as_str()))
                .cloned()
                .unwrap_or_default();
            format!("{first} {obj}").trim().to_string()
        }
        Some(w) => w.to_string(),
        None => String::new(),
    }
}

pub fn parse_report(
    sources: &[Source],
    dialect: DialectChoice,
    limits: &Limits,
) -> Result<ParseReport, KdError> {
    let (parsed, cat) = catalog::from_sources(sources, dialect, limits)?;
    let statements = parsed
        .statements
        .iter()
        .map(|s| StatementLine {
            at: s.span.location(),
            status: match &s.kind {
                StmtKind::Parsed(_) => "parsed",
                StmtKind::Recognized(_) => "recognized",
                StmtKind::Failed(_) => "failed",
            }
            .into(),
            kind: match &s.kind {
                StmtKind::Recognized(r) => r.kind.clone(),
                _ => statement_kind(&s.text),
            },
            repairs: s.repairs.iter().map(|r| r.what.clone()).collect(),
        })
        .collect();
    let tables = cat
        .tables
        .iter()
        .map(|t| TableLine {
            name: t.name.to_string(),
            columns: t.columns.len(),
            primary_key: t.primary_key.as_ref().map(|k| k.columns.clone()),
            foreign_keys: t.foreign_keys.len(),
            indexes: cat.indexes_of(&t.name).count(),
        })
        .collect();
    Ok(ParseReport {
        dialect: parsed.dialect.clone(),
        understood: parsed.stats.understood_ratio(),
        stats: parsed.stats.clone(),
        findings: parsed.syntax_findings(),
        statements,
        counts: cat.counts(),
        tables,
        notes: cat.notes.clone(),
    })
}

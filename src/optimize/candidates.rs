//! Index recommendations for KD-optimize, made by KD-db-index's advisor (`crate::advise`).
//!
//! The statements KD-optimize analysed are one workload (each with its calls from the log, or
//! once); `advise::index_with_entries` generates the candidates, costs them with its cost model
//! against the schema's existing indexes and the given statistics, selects within its default
//! budget and writes the engine's CREATE statement (PostgreSQL `CONCURRENTLY`, MySQL/MariaDB
//! `ALGORITHM=INPLACE, LOCK=NONE`). So both tools recommend the same indexes for the same input;
//! there is no second candidate generator here. This module only hangs each recommendation on
//! the statements it serves.

use crate::advise::{self, IndexRequest, WorkloadQuery};
use crate::error::KdError;
use crate::input::SqlInput;
use crate::limits::Limits;
use crate::query::Stats;
use crate::sql::Dialect;
use schemars::JsonSchema;
use serde::Serialize;

/// One recommended index, as KD-db-index would recommend it for these statements.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IndexCandidate {
    pub name: String,
    pub table: String,
    /// Key columns or expressions, in order.
    pub keys: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// btree, covering, partial, expression, gin, trigram, ...
    pub kind: Vec<String>,
    /// The engine's online CREATE statement.
    pub create: String,
    /// Statements to run first (CREATE EXTENSION).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prerequisites: Vec<String>,
    pub rollback: String,
    pub why: String,
    /// Statements of this report (their `number`) it serves.
    pub serves: Vec<usize>,
    /// Cost saved over all the statements given (planner units × calls), KD-db-index's model.
    pub benefit: f64,
    pub est_size: String,
}

/// What the advisor said about the statements.
#[derive(Debug, Default)]
pub struct Advice {
    /// Per statement (same order as the input): the recommendations that serve it.
    pub per_statement: Vec<Vec<IndexCandidate>>,
    /// Per statement: estimated cost before and after the recommendations, when modelled.
    pub costs: Vec<Option<(f64, f64)>>,
    /// Distinct recommendations.
    pub recommended: usize,
    /// The advisor's notes and assumptions, to pass on.
    pub notes: Vec<String>,
}

/// One analysed statement: its text, how often it runs, its report number.
pub struct Statement<'a> {
    pub sql: &'a str,
    pub calls: f64,
    pub number: usize,
}

/// Run the workload advisor over `statements` and hang its recommendations on them.
pub fn advise(
    statements: &[Statement<'_>],
    schema: Option<&SqlInput>,
    stats: Option<&Stats>,
    dialect: Dialect,
    version: Option<&str>,
    base: Option<&std::path::Path>,
    limits: &Limits,
) -> Result<Advice, KdError> {
    let mut out = Advice {
        per_statement: vec![Vec::new(); statements.len()],
        costs: vec![None; statements.len()],
        ..Default::default()
    };
    if statements.is_empty() {
        return Ok(out);
    }
    let req = IndexRequest {
        schema: schema.cloned().unwrap_or_default(),
        queries: statements
            .iter()
            .map(|s| WorkloadQuery {
                sql: s.sql.to_string(),
                calls: Some(s.calls),
            })
            .collect(),
        dialect: Some(dialect.as_str().to_string()),
        version: version.map(str::to_string),
        stats: stats.map(|s| advise::Stats {
            tables: s
                .tables
                .iter()
                .map(|t| advise::stats::TableStat {
                    table: t.table.clone(),
                    rows: t.rows,
                })
                .collect(),
            columns: s
                .columns
                .iter()
                .map(|c| advise::stats::ColumnStat {
                    table: c.table.clone(),
                    column: c.column.clone(),
                    n_distinct: c.n_distinct,
                    null_frac: c.null_frac,
                    avg_width: None,
                })
                .collect(),
        }),
        ..Default::default()
    };
    let (report, entry_of) = advise::index_with_entries(&req, base, limits)?;
    // Workload query i+1 is statement entry_of[i].
    let number_of = |wq: usize| -> Option<usize> {
        entry_of
            .get(wq.checked_sub(1)?)
            .and_then(|&e| statements.get(e))
            .map(|s| s.number)
    };
    for (i, q) in report.queries.iter().enumerate() {
        if let Some(&e) = entry_of.get(i)
            && e < out.costs.len()
        {
            out.costs[e] = Some((q.cost_before, q.cost_after));
        }
    }
    for r in &report.recommendations {
        let c = IndexCandidate {
            name: r.name.clone(),
            table: r.table.clone(),
            keys: r.keys.clone(),
            include: r.include.clone(),
            predicate: r.predicate.clone(),
            kind: r.kind.clone(),
            create: r.create.clone(),
            prerequisites: r.prerequisites.clone(),
            rollback: r.rollback.clone(),
            why: r.why.clone(),
            serves: r.serves.iter().filter_map(|&w| number_of(w)).collect(),
            benefit: r.benefit,
            est_size: r.est_size.clone(),
        };
        for &w in &r.serves {
            if let Some(&e) = w.checked_sub(1).and_then(|i| entry_of.get(i))
                && let Some(v) = out.per_statement.get_mut(e)
                && !v.iter().any(|x| x.name == c.name)
            {
                v.push(c.clone());
            }
        }
    }
    out.recommended = report.recommendations.len();
    out.notes = report
        .notes
        .iter()
        .chain(report.assumptions.iter())
        .map(|n| format!("index advice: {n}"))
        .collect();
    Ok(out)
}

//! `KD-db-explain`: read an EXPLAIN plan and say what to do about it.
//!
//! `parse.rs` reads PostgreSQL (JSON, text, psql framing), MySQL/MariaDB (FORMAT=JSON, ANALYZE
//! FORMAT=JSON) and SQLite (EXPLAIN QUERY PLAN) into one node list; `rules.rs` runs the PLN
//! checks; the report carries a plan table (exclusive/inclusive time, estimated vs actual rows,
//! loops, buffers), where the time goes, and — when the query is given — the KD-optimize
//! findings and rewrites for it, so each plan problem ends in a concrete action.

pub mod cli;
pub mod parse;
pub mod rules;

use crate::catalog::{self, Catalog};
use crate::error::KdError;
use crate::findings::Finding;
use crate::input::SqlInput;
use crate::limits::Limits;
use crate::mcp::registry::ToolCtx;
use crate::sql::{Dialect, DialectChoice};
pub use parse::{Plan, PlanFormat, PlanNode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A plan to read.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainRequest {
    /// EXPLAIN output: text or JSON (string or JSON value)
    #[schemars(with = "serde_json::Value")]
    pub plan: serde_json::Value,
    /// postgres_json|postgres_text|mysql_json|sqlite_eqp (default: detected)
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub format: Option<PlanFormat>,
    /// The query the plan is for
    #[serde(default)]
    pub query: Option<String>,
    /// {sql: DDL, paths: [...]}
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub schema: Option<SqlInput>,
    #[serde(default)]
    pub dialect: DialectChoice,
}

/// One row of the plan table.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlanRow {
    pub id: usize,
    pub depth: usize,
    pub node: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inclusive_ms: Option<f64>,
    /// Share of the total time spent in this node alone (0..1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub est_rows: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_rows: Option<f64>,
    /// `12x under` / `150x over` when off by 2x or more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub misestimate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loops: Option<f64>,
    /// `hit/read` shared blocks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffers: Option<String>,
}

/// The result of `KD-db-explain`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExplainReport {
    #[schemars(with = "String")]
    pub format: PlanFormat,
    pub engine: String,
    pub analyzed: bool,
    pub nodes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planning_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_ms: Option<f64>,
    /// Where the time goes, in one sentence.
    pub summary: String,
    #[schemars(with = "Vec<serde_json::Value>")]
    pub findings: Vec<Finding>,
    #[schemars(with = "Vec<serde_json::Value>")]
    pub table: Vec<PlanRow>,
    /// KD-optimize's report for the query, when the query was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub query: Option<crate::optimize::QueryReport>,
    /// What to run next to confirm a fix.
    pub next: Vec<String>,
}

/// The MCP/CLI entry point.
pub fn run(req: ExplainRequest, ctx: &ToolCtx) -> Result<ExplainReport, KdError> {
    explain(&req, &ctx.limits, ctx.base_dir.as_deref())
}

pub fn explain(
    req: &ExplainRequest,
    limits: &Limits,
    base: Option<&std::path::Path>,
) -> Result<ExplainReport, KdError> {
    let text = match &req.plan {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => {
            return Err(KdError::invalid(
                "give `plan`: the output of EXPLAIN (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) <query>; MariaDB: ANALYZE FORMAT=JSON <query>; MySQL 8: EXPLAIN ANALYZE <query>; SQLite: EXPLAIN QUERY PLAN <query>)",
            ));
        }
        v => v.to_string(),
    };
    limits.check_bytes(text.len())?;
    if text.trim().is_empty() {
        return Err(KdError::invalid(
            "`plan` is empty; paste the output of EXPLAIN",
        ));
    }
    let mut plan = parse::parse(&text, req.format)?;
    limits.check_statements(plan.nodes.len() / 16)?;
    let dialect = match req.dialect.fixed() {
        Some(d) => d,
        None => match plan.engine.as_str() {
            "mysql" => Dialect::Mysql,
            "sqlite" => Dialect::Sqlite,
            _ => Dialect::Postgres,
        },
    };
    let cat: Option<Catalog> = match &req.schema {
        Some(s) if !s.is_empty() => {
            let srcs = s.sources(base, limits)?;
            let (_, c) = catalog::from_sources(&srcs, choice(dialect), limits)?;
            Some(c)
        }
        _ => None,
    };
    let query = match &req.query {
        Some(q) if !q.trim().is_empty() => {
            let r = crate::optimize::optimize(
                &crate::optimize::OptimizeRequest {
                    sql: Some(q.clone()),
                    schema: req.schema.clone(),
                    dialect: choice(dialect),
                    ..Default::default()
                },
                limits,
                base,
            )?;
            r.queries.into_iter().next()
        }
        _ => None,
    };
    // MySQL/MariaDB plans name tables by their alias: map aliases back through the query.
    if let Some(q) = &query {
        for t in q.model.blocks.iter().flat_map(|b| b.tables.iter()) {
            if t.kind != crate::query::SourceKind::Table || t.binding == t.name {
                continue;
            }
            for n in plan.nodes.iter_mut() {
                if plan.engine == "mysql" && n.relation.as_deref() == Some(t.binding.as_str()) {
                    n.alias = Some(t.binding.clone());
                    n.relation = Some(t.name.clone());
                }
            }
        }
    }
    let findings = {
        let mut f = rules::check(&plan, cat.as_ref(), dialect);
        f.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
        f
    };
    let total = plan
        .execution_ms
        .or_else(|| plan.nodes.first().and_then(|n| n.inclusive_ms));
    let table: Vec<PlanRow> = plan
        .nodes
        .iter()
        .map(|n| PlanRow {
            id: n.id,
            depth: n.depth,
            node: {
                let mut s = n.node_type.clone();
                if let Some(i) = &n.index {
                    s.push_str(&format!(" using {i}"));
                }
                if let Some(r) = &n.relation {
                    s.push_str(&format!(" on {r}"));
                }
                if let Some(a) = &n.alias
                    && Some(a) != n.relation.as_ref()
                {
                    s.push_str(&format!(" {a}"));
                }
                s
            },
            exclusive_ms: n.exclusive_ms.map(round3),
            inclusive_ms: n.inclusive_ms.map(round3),
            share: match (n.exclusive_ms, total) {
                (Some(e), Some(t)) if t > 0.0 => Some(((e / t) * 1000.0).round() / 1000.0),
                _ => None,
            },
            est_rows: n.est_rows,
            actual_rows: n.actual_rows,
            misestimate: match (n.est_rows, n.actual_rows) {
                (Some(e), Some(a)) if n.loops != Some(0.0) => {
                    let (hi, lo) = if a > e { (a, e) } else { (e, a) };
                    let r = hi / lo.max(1.0);
                    (r >= 2.0).then(|| format!("{r:.0}x {}", if a > e { "under" } else { "over" }))
                }
                _ => None,
            },
            loops: n.loops,
            buffers: match (n.shared_hit, n.shared_read) {
                (None, None) => None,
                (h, r) => Some(format!("{:.0}/{:.0}", h.unwrap_or(0.0), r.unwrap_or(0.0))),
            },
        })
        .collect();
    let summary = match table
        .iter()
        .filter(|r| r.exclusive_ms.is_some())
        .max_by(|a, b| {
            a.exclusive_ms
                .partial_cmp(&b.exclusive_ms)
                .unwrap_or(std::cmp::Ordering::Equal)
        }) {
        Some(r) => format!(
            "{} ms in total; most time in #{} {} ({} ms alone, {:.0}%{})",
            total.map(round3).unwrap_or(0.0),
            r.id,
            r.node,
            r.exclusive_ms.unwrap_or(0.0),
            r.share.unwrap_or(0.0) * 100.0,
            r.loops
                .filter(|l| *l > 1.0)
                .map(|l| format!(", {l:.0} loops"))
                .unwrap_or_default()
        ),
        None => {
            let costliest = plan
                .nodes
                .iter()
                .filter(|n| n.relation.is_some())
                .max_by(|a, b| {
                    a.est_rows
                        .partial_cmp(&b.est_rows)
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
            match costliest {
                Some(n) => format!(
                    "estimated plan only (no ANALYZE): the largest input is #{} {} with ~{:.0} rows",
                    n.id,
                    rules::label(n),
                    n.est_rows.unwrap_or(0.0)
                ),
                None => format!(
                    "estimated plan with {} nodes (no timings)",
                    plan.nodes.len()
                ),
            }
        }
    };
    let mut next = Vec::new();
    match plan.engine.as_str() {
        "postgres" if !plan.analyzed => next.push("Run EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) to see actual rows and times (wrap writes in BEGIN; ... ROLLBACK;).".into()),
        "postgres" if !plan.buffers => next.push("Add BUFFERS: EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) shows cache hits and temp I/O.".into()),
        "mysql" if !plan.analyzed => next.push("Run MariaDB ANALYZE FORMAT=JSON <query> (or MySQL EXPLAIN ANALYZE) to see actual rows and times.".into()),
        _ => {}
    }
    if findings.iter().any(|f| {
        f.fix
            .as_ref()
            .is_some_and(|x| x.sql.contains("CREATE INDEX"))
    }) {
        next.push("After creating an index, run ANALYZE on the table and EXPLAIN again; compare the node's rows and time. Confirm the index workload-wide with KD-db-index.".into());
    }
    if findings.iter().any(|f| f.id == "PLN001") {
        next.push("After ANALYZE / CREATE STATISTICS, EXPLAIN again: the estimate should be within a few times of the actual rows.".into());
    }
    Ok(ExplainReport {
        format: plan.format,
        engine: plan.engine.clone(),
        analyzed: plan.analyzed,
        nodes: plan.nodes.len(),
        planning_ms: plan.planning_ms,
        execution_ms: plan.execution_ms,
        summary,
        findings,
        table,
        query,
        next,
    })
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn choice(d: Dialect) -> DialectChoice {
    crate::optimize::log::dialect_choice(d)
}

#[cfg(test)]
mod tests;

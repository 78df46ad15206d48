//! `KD-optimize`: why a query is slow or wrong, and how to rewrite it.
//!
//! Input: queries (inline, files) and/or a query log (plain SQL, pg_stat_statements CSV/JSON,
//! MySQL slow log), optionally the schema (DDL text, files, migrations folder) and statistics.
//! Each statement becomes a [`QueryModel`]; the QRY checks (`rules.rs`) report findings with
//! spans and rewrites (`rewrite.rs`, each re-parsed and stated with its equivalence condition);
//! `candidates.rs` runs the statements through KD-db-index's advisor (`crate::advise`) as one
//! workload and hangs its index recommendations on the statements they serve; `log.rs`
//! fingerprints the log and finds N+1 patterns with their batched rewrite.

pub mod candidates;
pub mod cli;
pub mod log;
pub mod rewrite;
pub mod rules;

use crate::catalog::{self, Catalog};
use crate::error::KdError;
use crate::findings::{Finding, Severity, Span};
use crate::input::SqlInput;
use crate::limits::Limits;
use crate::mcp::registry::ToolCtx;
use crate::query::{Env, QueryModel, Stats};
use crate::sql::{self, Dialect, DialectChoice, Source};
pub use candidates::IndexCandidate;
pub use log::{LogFormat, NPlusOne};
pub use rewrite::Rewrite;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What to optimize.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OptimizeRequest {
    /// Queries (`;`-separated)
    #[serde(default)]
    pub sql: Option<String>,
    #[serde(default)]
    pub queries: Vec<String>,
    /// Query files
    #[serde(default)]
    pub paths: Vec<String>,
    /// Query log text
    #[serde(default)]
    pub log: Option<String>,
    #[serde(default)]
    pub log_path: Option<String>,
    /// plain|pgss_csv|pgss_json|mysql_slow (default: detected)
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub log_format: Option<LogFormat>,
    /// {sql: DDL, paths: [files or migrations folder]}
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub schema: Option<SqlInput>,
    /// {tables:[{table,rows}], columns:[{table,column,null_frac,n_distinct}]}
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub stats: Option<Stats>,
    #[serde(default)]
    pub dialect: DialectChoice,
    /// Server version for index DDL, e.g. 15, 8.0.36, 10.11-mariadb
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub disable: Vec<String>,
}

/// One analysed statement.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QueryReport {
    /// 1-based position among the analysed statements.
    pub number: usize,
    pub span: Span,
    pub sql: String,
    /// `select`, `insert`, `update`, `delete`, `view` (CREATE VIEW ... AS) or `other`.
    pub kind: String,
    /// Tables read (catalog names where resolved).
    pub tables: Vec<String>,
    /// From the log: how often it ran and its mean time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_ms: Option<f64>,
    pub findings: Vec<Finding>,
    pub rewrites: Vec<Rewrite>,
    /// Indexes KD-db-index's advisor recommends for the statements given, that serve this one.
    pub index_candidates: Vec<IndexCandidate>,
    /// Estimated cost (planner units) before and after those indexes, KD-db-index's model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_before: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_after: Option<f64>,
    /// The EXPLAIN to run to confirm, ready to paste.
    pub explain: String,
    pub model: QueryModel,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct OptimizeSummary {
    pub statements: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub rewrites: usize,
    pub index_candidates: usize,
    pub n_plus_one: usize,
    pub calls_saved: f64,
}

/// The result of `KD-optimize`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OptimizeReport {
    pub dialect: Dialect,
    pub dialect_reason: String,
    pub schema_tables: usize,
    #[schemars(with = "serde_json::Value")]
    pub summary: OptimizeSummary,
    /// Per statement: sql, findings, rewrites, index_candidates, explain, model.
    #[schemars(with = "Vec<serde_json::Value>")]
    pub queries: Vec<QueryReport>,
    /// Syntax errors and findings outside any one query.
    #[schemars(with = "Vec<serde_json::Value>")]
    pub findings: Vec<Finding>,
    /// fingerprint, calls, batched, calls_saved.
    #[schemars(with = "Vec<serde_json::Value>")]
    pub n_plus_one: Vec<NPlusOne>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub log_format: Option<LogFormat>,
    pub assumptions: Vec<String>,
}

/// The MCP/CLI entry point.
pub fn run(req: OptimizeRequest, ctx: &ToolCtx) -> Result<OptimizeReport, KdError> {
    optimize(&req, &ctx.limits, ctx.base_dir.as_deref())
}

/// Analyse the request.
pub fn optimize(
    req: &OptimizeRequest,
    limits: &Limits,
    base: Option<&std::path::Path>,
) -> Result<OptimizeReport, KdError> {
    // Queries.
    let mut qsources: Vec<Source> = Vec::new();
    let mut qinput = SqlInput {
        sql: req.sql.clone(),
        paths: req.paths.clone(),
    };
    if !req.queries.is_empty() {
        let joined = req
            .queries
            .iter()
            .map(|q| q.trim().trim_end_matches(';').to_string())
            .collect::<Vec<_>>()
            .join(";\n");
        qinput.sql = Some(match qinput.sql.take() {
            Some(s) => format!("{s};\n{joined}"),
            None => joined,
        });
    }
    if !qinput.is_empty() {
        qsources = qinput.sources(base, limits)?;
    }
    // Log.
    let log_text = match (&req.log, &req.log_path) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(p)) => {
            let path = match base {
                Some(b) if std::path::Path::new(p).is_relative() => b.join(p),
                _ => std::path::PathBuf::from(p),
            };
            let t = std::fs::read_to_string(&path).map_err(|e| {
                KdError::input(format!(
                    "cannot read the log {}: {e}; give an existing file or pass the text as `log`",
                    path.display()
                ))
            })?;
            Some(t)
        }
        (None, None) => None,
    };
    if let Some(t) = &log_text {
        limits.check_bytes(t.len())?;
    }
    if qsources.is_empty() && log_text.is_none() {
        return Err(KdError::invalid(
            "nothing to optimize: give `sql` (or `queries`, `paths`) with the query, or a query log as `log`/`log_path`; add the schema as `schema: {sql|paths}` for schema-aware findings",
        ));
    }
    let parsed_log = match &log_text {
        Some(t) => Some(log::parse(t, req.log_format, limits)?),
        None => None,
    };
    if let Some(l) = &parsed_log {
        let text: String = l
            .entries
            .iter()
            .map(|e| format!("{};\n", e.sql.trim().trim_end_matches(';')))
            .collect();
        if !text.trim().is_empty() {
            qsources.push(Source::file("<log>", text));
        }
    }
    // Schema.
    let ssources = match &req.schema {
        Some(s) if !s.is_empty() => s.sources(base, limits)?,
        _ => Vec::new(),
    };
    let n_schema = ssources.len();
    let mut all = ssources;
    all.extend(qsources);
    let parsed = sql::parse_sources(&all, req.dialect, limits)?;
    let dialect = parsed.dialect.dialect;
    let cat: Catalog = catalog::build(&parsed);
    let has_schema = !cat.tables.is_empty();
    let env = Env {
        catalog: has_schema.then_some(&cat),
        dialect,
    };
    let mut queries = Vec::new();
    let mut loose = parsed.syntax_findings();
    let mut number = 0usize;
    let log_source = parsed_log.as_ref().map(|_| all.len() - 1);
    let mut log_entry = 0usize;
    let mut seen_shapes: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    for st in &parsed.statements {
        if st.source < n_schema {
            continue;
        }
        let Some(ast) = st.parsed() else { continue };
        if is_ddl(ast) {
            continue;
        }
        let (calls, mean_ms) = match (log_source, &parsed_log) {
            (Some(ls), Some(l)) if st.source == ls => {
                let e = l.entries.get(log_entry);
                log_entry += 1;
                // One report per statement shape of the log; its calls add up.
                let (fp, _) = log::fingerprint(ast);
                if let Some(&qi) = seen_shapes.get(&fp) {
                    let q: &mut QueryReport = &mut queries[qi];
                    q.calls = Some(q.calls.unwrap_or(1.0) + e.and_then(|e| e.calls).unwrap_or(1.0));
                    continue;
                }
                seen_shapes.insert(fp, queries.len());
                (
                    e.and_then(|e| e.calls).or(Some(1.0)),
                    e.and_then(|e| e.mean_ms),
                )
            }
            _ => (None, None),
        };
        number += 1;
        if number > 2000 {
            loose.push(crate::rules::qry::N_PLUS_ONE.finding(
                "more than 2000 statements: the rest were not analysed one by one",
                None,
                "Pass the top statements of the log (by total time), or raise nothing: N+1 detection still covered the whole log.",
            ));
            break;
        }
        let model = QueryModel::build(ast, &env);
        let mut cx = rules::Ctx {
            stmt: st,
            ast,
            model: &model,
            cat: env.catalog,
            stats: req.stats.as_ref(),
            dialect,
            findings: Vec::new(),
            rewrites: Vec::new(),
        };
        rules::check(&mut cx);
        let mut findings = cx.findings;
        let rewrites = cx.rewrites;
        findings.retain(|f| {
            !req.disable
                .iter()
                .any(|d| d.eq_ignore_ascii_case(&f.id) || d.eq_ignore_ascii_case(&f.slug))
        });
        let sup = crate::rules::suppress::apply(
            findings,
            &crate::rules::suppress::collect(&parsed),
            &req.disable,
        );
        let mut findings = sup.findings;
        findings.sort_by_key(|f| f.sort_key());
        let tables: Vec<String> = {
            let mut v: Vec<String> = model
                .blocks
                .iter()
                .flat_map(|b| b.tables.iter())
                .filter(|t| t.kind == crate::query::SourceKind::Table)
                .map(|t| match &t.catalog {
                    Some(n) => n.to_string(),
                    None => t.name.clone(),
                })
                .collect();
            v.sort();
            v.dedup();
            v
        };
        queries.push(QueryReport {
            number,
            span: st.span.clone(),
            sql: ast.to_string(),
            kind: model.kind.clone(),
            tables,
            calls,
            mean_ms,
            findings,
            rewrites,
            index_candidates: Vec::new(),
            cost_before: None,
            cost_after: None,
            explain: explain_advice(ast, dialect),
            model,
        });
    }
    // Index recommendations: the statements as one workload, through KD-db-index's advisor.
    let stmts: Vec<candidates::Statement<'_>> = queries
        .iter()
        .map(|q| candidates::Statement {
            sql: &q.sql,
            calls: q.calls.unwrap_or(1.0),
            number: q.number,
        })
        .collect();
    let advice = candidates::advise(
        &stmts,
        req.schema.as_ref().filter(|_| has_schema),
        req.stats.as_ref(),
        dialect,
        req.version.as_deref(),
        base,
        limits,
    )?;
    drop(stmts);
    for (q, (c, cost)) in queries
        .iter_mut()
        .zip(advice.per_statement.into_iter().zip(advice.costs))
    {
        q.index_candidates = c;
        if let Some((b, a)) = cost {
            q.cost_before = Some(b);
            q.cost_after = Some(a);
        }
    }
    let n_plus_one = match &parsed_log {
        Some(l) => log::n_plus_one(l, dialect, env.catalog),
        None => Vec::new(),
    };
    for n in &n_plus_one {
        loose.push(n.finding.clone());
    }
    let mut summary = OptimizeSummary {
        statements: queries.len(),
        n_plus_one: n_plus_one.len(),
        calls_saved: n_plus_one.iter().filter_map(|n| n.calls_saved).sum(),
        ..Default::default()
    };
    for f in queries
        .iter()
        .flat_map(|q| q.findings.iter())
        .chain(loose.iter())
    {
        match f.severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Info => summary.infos += 1,
        }
    }
    summary.rewrites = queries.iter().map(|q| q.rewrites.len()).sum();
    summary.index_candidates = advice.recommended;
    let mut assumptions = Vec::new();
    if !has_schema {
        assumptions.push("No schema given: column types, nullability and indexes are unknown, so SELECT * lists, implicit casts and NOT IN nullability are judged without them. Pass `schema` for exact findings.".into());
    }
    if req.stats.is_none() {
        assumptions.push("No statistics given: thresholds are fixed (OFFSET >= 1000, IN lists > 100 values, N+1 at 3+ repeats) rather than scaled by table size.".into());
    }
    assumptions.extend(advice.notes);
    Ok(OptimizeReport {
        dialect,
        dialect_reason: format!(
            "{} ({})",
            parsed.dialect.how,
            parsed.dialect.reasons.join("; ")
        ),
        schema_tables: cat.tables.len(),
        summary,
        queries,
        findings: loose,
        n_plus_one,
        log_format: parsed_log.map(|l| l.format),
        assumptions,
    })
}

fn is_ddl(s: &sqlparser::ast::Statement) -> bool {
    use sqlparser::ast::Statement as S;
    matches!(
        s,
        S::CreateTable(_)
            | S::CreateIndex(_)
            | S::AlterTable(_)
            | S::Drop { .. }
            | S::CreateType { .. }
            | S::CreateSchema { .. }
            | S::CreateSequence { .. }
            | S::CreateExtension(_)
            | S::Comment { .. }
            | S::Set(_)
            | S::StartTransaction { .. }
            | S::Commit { .. }
            | S::Rollback { .. }
    )
}

/// Which EXPLAIN confirms the findings, per engine; write statements are wrapped so that
/// ANALYZE (which executes them) changes nothing.
pub fn explain_advice(s: &sqlparser::ast::Statement, d: Dialect) -> String {
    // A view: explain the query that defines it.
    if let sqlparser::ast::Statement::CreateView(v) = s {
        return explain_advice(&sqlparser::ast::Statement::Query(v.query.clone()), d);
    }
    let sql = s.to_string();
    let write = !matches!(s, sqlparser::ast::Statement::Query(_));
    match d {
        Dialect::Postgres | Dialect::Generic => {
            if write {
                format!("BEGIN;\nEXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql};\nROLLBACK;")
            } else {
                format!("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql};")
            }
        }
        Dialect::Mysql => {
            if write {
                format!(
                    "-- MariaDB: ANALYZE runs the statement; keep it in a transaction\nSTART TRANSACTION;\nANALYZE FORMAT=JSON {sql};\nROLLBACK;\n-- MySQL 8: EXPLAIN FORMAT=JSON {sql};"
                )
            } else {
                format!(
                    "-- MariaDB\nANALYZE FORMAT=JSON {sql};\n-- MySQL 8.0.18+\nEXPLAIN ANALYZE {sql};"
                )
            }
        }
        Dialect::Sqlite => format!("EXPLAIN QUERY PLAN {sql};"),
    }
}

#[cfg(test)]
mod tests;

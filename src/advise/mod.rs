//! `KD-db-index`: the index strategy for a workload.
//!
//! Text → statements (`crate::sql`) → schema model (`crate::catalog`) and workload model
//! (`workload.rs`: what each query asks of each table) → candidates (`candidates.rs`) → cost model
//! and greedy selection over the whole workload within a budget (`plan.rs`, numbers from
//! `stats.rs`) → CREATE/DROP statements per engine (`ddl.rs`) → report. Existing indexes are
//! checked by `existing.rs` (IDX001–IDX003, catalog only) and against the workload (IDX006).
//! `hypo.rs` optionally confirms each recommendation on a live PostgreSQL with HypoPG.

pub mod candidates;
pub mod cli;
pub mod ddl;
pub mod existing;
pub mod hypo;
pub mod log;
pub mod plan;
pub mod rules;
pub mod stats;
pub mod workload;

use crate::catalog::{self, Catalog, IndexOrigin};
use crate::error::KdError;
use crate::findings::{Finding, Fix};
use crate::input::SqlInput;
use crate::limits::Limits;
use crate::mcp::registry::ToolCtx;
use crate::sql::{self, Dialect, DialectChoice, Source};
use plan::{CostModel, Shape, Writes};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
pub use stats::Stats;
use std::collections::{BTreeMap, BTreeSet};

// One workload query.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkloadQuery {
    pub sql: String,
    /// Runs per period
    #[serde(default, alias = "frequency")]
    pub calls: Option<f64>,
}

// Budget for new indexes.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// default 3
    #[serde(default)]
    pub per_table: Option<usize>,
    #[serde(default)]
    pub total: Option<usize>,
    /// e.g. 2GB
    #[serde(default)]
    pub bytes: Option<String>,
}

// Writes to one table per period.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteMix {
    pub table: String,
    #[serde(default)]
    pub inserts: f64,
    #[serde(default)]
    pub updates: f64,
    #[serde(default)]
    pub deletes: f64,
    #[serde(default)]
    pub updated_columns: Vec<String>,
}

// Request of `KD-db-index`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexRequest {
    /// DDL with indexes
    #[serde(default)]
    pub schema: SqlInput,
    #[serde(default)]
    pub queries: Vec<WorkloadQuery>,
    /// SQL, server log, or pg_stat_statements CSV/JSON
    #[serde(default)]
    pub log: Option<String>,
    #[serde(default)]
    pub log_path: Option<String>,
    /// postgres, mysql, sqlite or auto.
    #[serde(default)]
    pub dialect: Option<String>,
    /// e.g. 15, 8.0.36, 10.11-mariadb
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub stats: Option<Stats>,
    #[serde(default)]
    pub budget: Option<Budget>,
    #[serde(default)]
    pub writes: Vec<WriteMix>,
    /// postgres URL: confirm with HypoPG
    #[serde(default)]
    pub validate_url: Option<String>,
}

/// A recommended index.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Recommendation {
    pub rank: usize,
    pub name: String,
    pub table: String,
    pub keys: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    pub method: String,
    /// btree, covering, partial, expression, gin, trigram, full-text, fulltext, prefix, join.
    pub kind: Vec<String>,
    pub create: String,
    /// Statements to run first (CREATE EXTENSION).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prerequisites: Vec<String>,
    pub rollback: String,
    pub why: String,
    /// Workload queries (1-based) it serves.
    pub serves: Vec<usize>,
    /// Cost saved over the workload (planner units × calls).
    pub benefit: f64,
    pub write_cost: f64,
    pub est_bytes: u64,
    pub est_size: String,
    /// Net benefit per MiB of index.
    pub benefit_per_mb: f64,
    /// PostgreSQL: updated columns it takes HOT updates away from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocks_hot: Vec<String>,
    /// HypoPG check, when validated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validated: Option<String>,
}

/// An index to drop.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DropSuggestion {
    pub index: String,
    pub table: String,
    pub rule: String,
    pub reason: String,
    pub sql: String,
}

/// Per query: cost before and after, and what serves it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QueryResult {
    pub n: usize,
    pub query: String,
    pub calls: f64,
    pub cost_before: f64,
    pub cost_after: f64,
    /// Estimated saving, percent.
    pub benefit_pct: f64,
    /// New indexes used.
    pub new_indexes: Vec<String>,
    /// Existing indexes used.
    pub existing_indexes: Vec<String>,
    /// What to run to confirm on the server.
    pub confirm: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Summary {
    pub statements: usize,
    pub queries_modelled: usize,
    pub tables: usize,
    pub existing_indexes: usize,
    pub candidates: usize,
    pub recommended: usize,
    pub drops: usize,
    pub workload_cost_before: f64,
    pub workload_cost_after: f64,
    /// Relative workload cost after ÷ before.
    pub relative_cost: f64,
}

/// Output of `KD-db-index`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IndexReport {
    pub dialect: String,
    pub workload_source: String,
    #[schemars(with = "serde_json::Value")]
    pub summary: Summary,
    // Nested rows are typed in Rust but left open in the MCP output schema: tools/list is
    // paid for in every assistant's context.
    #[schemars(with = "Vec<serde_json::Value>")]
    pub recommendations: Vec<Recommendation>,
    #[schemars(with = "Vec<serde_json::Value>")]
    pub drops: Vec<DropSuggestion>,
    #[schemars(with = "Vec<serde_json::Value>")]
    pub queries: Vec<QueryResult>,
    #[schemars(with = "Vec<serde_json::Value>")]
    pub findings: Vec<Finding>,
    // Candidates with a benefit that were not taken, and why.
    pub not_taken: Vec<String>,
    // Numbers the cost model assumed because no statistics gave them.
    pub assumptions: Vec<String>,
    pub notes: Vec<String>,
    // All statements in order: creates, then drops.
    pub migration: String,
}

fn c_in(c: &str, list: &[String]) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(c))
}

fn round(x: f64) -> f64 {
    if x.abs() >= 100.0 {
        x.round()
    } else {
        (x * 100.0).round() / 100.0
    }
}

fn short(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 160 {
        let t: String = one.chars().take(157).collect();
        format!("{t}...")
    } else {
        one
    }
}

/// The MCP/CLI entry.
pub fn run(req: IndexRequest, ctx: &ToolCtx) -> Result<IndexReport, KdError> {
    index(&req, ctx.base_dir.as_deref(), &ctx.limits)
}

/// Build the index strategy for a workload.
pub fn index(
    req: &IndexRequest,
    base: Option<&std::path::Path>,
    limits: &Limits,
) -> Result<IndexReport, KdError> {
    index_with_entries(req, base, limits).map(|(r, _)| r)
}

/// [`index`], also telling for each modelled workload query (`IndexReport::queries[i]`, and
/// `Recommendation::serves` number `i + 1`) which entry of the request it came from: its index
/// among `req.queries`, then the log's entries. KD-optimize uses it to hang the recommendations
/// on its own statements.
pub fn index_with_entries(
    req: &IndexRequest,
    base: Option<&std::path::Path>,
    limits: &Limits,
) -> Result<(IndexReport, Vec<usize>), KdError> {
    let choice: DialectChoice = match &req.dialect {
        Some(d) => d.parse().map_err(KdError::Invalid)?,
        None => DialectChoice::Auto,
    };
    // Workload entries.
    let mut entries: Vec<log::Entry> = req
        .queries
        .iter()
        .map(|q| log::Entry {
            sql: q.sql.clone(),
            calls: q.calls.unwrap_or(1.0).max(0.0),
        })
        .collect();
    let mut source = if req.queries.is_empty() {
        String::new()
    } else {
        format!(
            "{} {}",
            req.queries.len(),
            if req.queries.len() == 1 {
                "query"
            } else {
                "queries"
            }
        )
    };
    let mut log_text = req.log.clone().unwrap_or_default();
    if let Some(p) = &req.log_path {
        let path = match base {
            Some(b) if std::path::Path::new(p).is_relative() => b.join(p),
            _ => std::path::PathBuf::from(p),
        };
        let srcs = crate::input::load_path(&path)?;
        for s in srcs {
            log_text.push_str(&s.text);
            log_text.push('\n');
        }
    }
    limits.check_bytes(log_text.len() + entries.iter().map(|e| e.sql.len()).sum::<usize>())?;
    if !log_text.trim().is_empty() {
        let (e, kind) = log::read_log(&log_text)?;
        if !source.is_empty() {
            source.push_str(" + ");
        }
        if kind == "SQL log" {
            source.push_str(kind);
        } else {
            source.push_str(&format!("{kind} ({} entries)", e.len()));
        }
        entries.extend(e);
    }
    let schema_sources = req.schema.sources(base, limits)?;
    if entries.is_empty() && schema_sources.is_empty() {
        return Err(KdError::invalid(
            "give a workload (`queries`: [{\"sql\": \"...\", \"calls\": 100}] or `log`) and the schema (`schema`: {\"sql\": \"CREATE TABLE ...\"} or {\"paths\": [\"migrations/\"]})",
        ));
    }
    // Dialect: given, or guessed from the schema and the workload together.
    let dialect = match choice.fixed() {
        Some(d) => d,
        None => {
            let mut sample = String::new();
            for s in &schema_sources {
                let mut end = s.text.len().min(256 * 1024);
                while !s.text.is_char_boundary(end) {
                    end -= 1;
                }
                sample.push_str(&s.text[..end]);
            }
            for e in entries.iter().take(200) {
                sample.push_str(&e.sql);
                sample.push('\n');
            }
            let mut end = sample.len();
            while !sample.is_char_boundary(end) {
                end -= 1;
            }
            sql::dialect::guess(&sample[..end]).dialect
        }
    };
    let fixed = match dialect {
        Dialect::Postgres => DialectChoice::Postgres,
        Dialect::Mysql => DialectChoice::Mysql,
        Dialect::Sqlite => DialectChoice::Sqlite,
        Dialect::Generic => DialectChoice::Generic,
    };
    let mut notes = Vec::new();
    let mut findings = Vec::new();
    let cat: Option<Catalog> = if schema_sources.is_empty() {
        notes.push("No schema given: existing indexes are unknown, column widths and keys are assumed, and unqualified columns in joins cannot be placed.".into());
        None
    } else {
        let (parsed, c) = catalog::from_sources(&schema_sources, fixed, limits)?;
        findings.extend(parsed.syntax_findings());
        if c.tables.is_empty() {
            return Err(KdError::invalid(
                "the schema defines no tables; give the CREATE TABLE statements (a schema file or a migrations folder) in `schema`",
            ));
        }
        Some(c)
    };
    // Parse the workload.
    let mut queries = Vec::new();
    let mut entry_of: Vec<usize> = Vec::new();
    let mut statements = 0usize;
    for (ei, e) in entries.iter().enumerate() {
        let parsed = sql::parse_sources(&[Source::inline(e.sql.clone())], fixed, limits)?;
        for st in &parsed.statements {
            statements += 1;
            match workload::model_statement(st, e.calls, cat.as_ref(), dialect) {
                Some(m) => {
                    queries.push(m);
                    entry_of.push(ei);
                }
                None => {
                    if let sql::StmtKind::Failed(err) = &st.kind {
                        notes.push(format!(
                            "workload statement {} does not parse and was skipped: {}",
                            statements, err.message
                        ));
                    }
                }
            }
        }
    }
    if let Some(c) = &cat {
        for q in &mut queries {
            for a in &q.accesses {
                if c.table(&a.table).is_none() && c.view(&a.table).is_none() {
                    let n = format!("table {} is not in the schema; it was skipped", a.table);
                    if !q.notes.contains(&n) {
                        q.notes.push(n);
                    }
                }
            }
        }
    }
    let st = req.stats.clone().unwrap_or_default();
    let est = stats::Estimator::new(cat.as_ref(), &st, dialect);
    let cm = CostModel::new(&est, dialect);
    let features = candidates::Features::new(dialect, req.version.as_deref());

    // Existing indexes.
    let mut shapes: Vec<Shape> = cat
        .as_ref()
        .map(|c| c.indexes.iter().map(Shape::from_index).collect())
        .unwrap_or_default();
    let existing: Vec<usize> = (0..shapes.len()).collect();
    let cands = candidates::generate(&cm, &features, &queries, &shapes);
    let n_cands = cands.len();
    let cand_ids: Vec<usize> = (shapes.len()..shapes.len() + cands.len()).collect();
    shapes.extend(cands);

    // Writes.
    let mut given: BTreeMap<String, Writes> = BTreeMap::new();
    for w in &req.writes {
        let e = given
            .entry(
                w.table
                    .rsplit('.')
                    .next()
                    .unwrap_or(&w.table)
                    .to_ascii_lowercase(),
            )
            .or_default();
        e.inserts += w.inserts;
        e.updates += w.updates;
        e.deletes += w.deletes;
        for c in &w.updated_columns {
            *e.updated.entry(c.to_ascii_lowercase()).or_default() += w.updates;
        }
    }
    let writes = plan::workload_writes(&queries, &given, &cm);
    let budget = req.budget.clone().unwrap_or_default();
    let bytes = match &budget.bytes {
        Some(b) => Some(crate::units::parse_size("budget.bytes", b)? as f64),
        None => None,
    };
    let limits_sel = plan::Limits {
        per_table: Some(budget.per_table.unwrap_or(3)),
        total: budget.total,
        bytes,
    };
    let mut sel = plan::select(
        &cm,
        &queries,
        &shapes,
        &existing,
        &cand_ids,
        &writes,
        &limits_sel,
        cat.as_ref(),
    );

    // Optional HypoPG validation: drop what the planner would not use.
    let mut validated: BTreeMap<usize, String> = BTreeMap::new();
    if let Some(url) = &req.validate_url {
        if dialect != Dialect::Postgres {
            return Err(KdError::invalid(
                "validate_url needs PostgreSQL with the hypopg extension; remove it for other engines",
            ));
        }
        // Rounds: validate the selection; when HypoPG rejects some, select again without them
        // so the budget is refilled with the next candidates, and validate that selection.
        let mut hypo_rejected: Vec<(usize, String)> = Vec::new();
        for round in 0..4 {
            if round > 0 {
                let ids: Vec<usize> = cand_ids
                    .iter()
                    .copied()
                    .filter(|i| !hypo_rejected.iter().any(|(r, _)| r == i))
                    .collect();
                sel = plan::select(
                    &cm,
                    &queries,
                    &shapes,
                    &existing,
                    &ids,
                    &writes,
                    &limits_sel,
                    cat.as_ref(),
                );
            }
            let mut taken: Vec<String> = shapes
                .iter()
                .filter(|s| s.existing)
                .map(|s| s.name.clone())
                .collect();
            for c in &sel.chosen {
                let s = &mut shapes[c.shape];
                s.name = ddl::index_name(s, &mut taken);
            }
            let verdicts = hypo::validate(url, &queries, &shapes, &sel)?;
            let mut new_rejections = false;
            for (shape, verdict) in verdicts {
                validated.insert(shape, verdict.0.clone());
                if !verdict.1 && !hypo_rejected.iter().any(|(r, _)| *r == shape) {
                    hypo_rejected.push((shape, format!("HypoPG: {}", verdict.0)));
                    new_rejections = true;
                }
            }
            if !new_rejections {
                break;
            }
        }
        sel.rejected.extend(hypo_rejected.iter().cloned());
        let keep: BTreeSet<usize> = validated
            .iter()
            .filter(|(s, _)| !hypo_rejected.iter().any(|(r, _)| r == *s))
            .map(|(s, _)| *s)
            .collect();
        sel.chosen.retain(|c| keep.contains(&c.shape));
        // Re-cost with only the confirmed indexes.
        for (qi, q) in queries.iter().enumerate() {
            for ai in 0..q.accesses.len() {
                let t = q.accesses[ai].table.to_string();
                let av: Vec<usize> = existing
                    .iter()
                    .copied()
                    .chain(sel.chosen.iter().map(|c| c.shape))
                    .filter(|&i| shapes[i].table.to_string() == t)
                    .collect();
                sel.after[qi][ai] = cm.access_cost(q, ai, &shapes, &av);
            }
        }
    }

    // Names and statements of the chosen indexes.
    let mut taken: Vec<String> = shapes
        .iter()
        .filter(|s| s.existing)
        .map(|s| s.name.clone())
        .collect();
    for c in &sel.chosen {
        let s = &mut shapes[c.shape];
        if s.name.is_empty() {
            s.name = ddl::index_name(s, &mut taken);
        } else {
            taken.push(s.name.clone());
        }
    }
    let mut recs = Vec::new();
    let mut migration = String::new();
    for (rank, c) in sel.chosen.iter().enumerate() {
        let s = &shapes[c.shape];
        let (create, pre) = ddl::create(dialect, s);
        let serves: Vec<usize> = sel
            .after
            .iter()
            .enumerate()
            .filter(|(_, v)| v.iter().any(|a| a.index == Some(c.shape)))
            .map(|(i, _)| i + 1)
            .collect();
        for p in &pre {
            if !migration.contains(p) {
                migration.push_str(p);
                migration.push('\n');
            }
        }
        migration.push_str(&create);
        migration.push('\n');
        if dialect == Dialect::Mysql
            && let Some(fk) = ddl::mysql_fk_index(cat.as_ref(), s)
        {
            notes.push(format!(
                "{}: creating {} makes InnoDB drop its implicit foreign-key index {} (the new index serves the foreign key); the rollback puts it back.",
                s.table, s.name, fk.name
            ));
        }
        let net = c.benefit - c.write_cost;
        let mut kind: Vec<String> = vec![s.method.clone()];
        kind.extend(s.kind.iter().map(|k| k.to_string()));
        kind.dedup();
        recs.push(Recommendation {
            rank: rank + 1,
            name: s.name.clone(),
            table: s.table.to_string(),
            keys: s
                .keys
                .iter()
                .map(|k| {
                    format!(
                        "{}{}{}",
                        k.expr,
                        k.prefix.map(|p| format!("({p})")).unwrap_or_default(),
                        if k.desc { " DESC" } else { "" }
                    )
                })
                .collect(),
            include: s.include.clone(),
            predicate: s.predicate.clone(),
            method: s.method.clone(),
            kind,
            create,
            prerequisites: pre,
            rollback: ddl::drop_new(dialect, s, cat.as_ref()),
            why: s.why.clone(),
            serves: serves.clone(),
            benefit: round(c.benefit),
            write_cost: round(c.write_cost),
            est_bytes: c.bytes as u64,
            est_size: crate::units::human_bytes(c.bytes),
            benefit_per_mb: round(net / (c.bytes / 1_048_576.0)),
            blocks_hot: c.hot_blocked.clone(),
            validated: validated.get(&c.shape).cloned(),
        });
        // IDX007: one finding per recommendation, at the first query it serves.
        let span = serves.first().and_then(|&qn| {
            let q = &queries[qn - 1];
            q.accesses
                .iter()
                .filter(|a| a.table == s.table)
                .flat_map(|a| a.preds.iter())
                .find_map(|p| p.span.clone())
                .or_else(|| q.span.clone())
        });
        let mut f = rules::IDX007.finding(
            format!(
                "{} of the workload read {} without a fitting index; {} serves them (estimated {} cost units saved)",
                if serves.len() == 1 {
                    format!("query {}", serves[0])
                } else {
                    format!("{} queries", serves.len())
                },
                s.table,
                s.name,
                round(c.benefit)
            ),
            span,
            s.why.clone(),
        );
        f.fix = Some(Fix {
            title: format!("create {}", s.name),
            sql: recs.last().map(|r| r.create.clone()).unwrap_or_default(),
        });
        findings.push(f);
        if !c.hot_blocked.is_empty() {
            // Point at the first UPDATE that assigns one of those columns.
            let upd_span = queries
                .iter()
                .find(|q| {
                    q.writes.iter().any(|w| {
                        w.table == s.table && w.columns.iter().any(|col| c_in(col, &c.hot_blocked))
                    })
                })
                .and_then(|q| q.span.clone());
            findings.push(rules::IDX008.finding(
                format!(
                    "{} indexes {}, which the workload updates: those updates stop being HOT",
                    s.name,
                    c.hot_blocked.join(", ")
                ),
                upd_span,
                "The write cost includes the lost HOT updates; the index was still worth it for this workload. Watch n_tup_hot_upd in pg_stat_user_tables after creating it.",
            ));
        }
    }

    // Drops: IDX001–IDX003 from the catalog, IDX006 against the workload.
    let mut drops = Vec::new();
    if let Some(c) = &cat {
        let ex = existing::with_index(c, dialect);
        for (i, f) in &ex {
            if let Some(fix) = &f.fix {
                drops.push(DropSuggestion {
                    index: c.indexes[*i].name.clone(),
                    table: c.indexes[*i].table.to_string(),
                    rule: f.id.clone(),
                    reason: f.message.clone(),
                    sql: fix.sql.clone(),
                });
            }
        }
        findings.extend(ex.into_iter().map(|x| x.1));
        if !queries.is_empty() {
            let touched: BTreeSet<String> = queries
                .iter()
                .flat_map(|q| q.accesses.iter().map(|a| a.table.to_string()))
                .collect();
            for (i, ix) in c.indexes.iter().enumerate() {
                if ix.origin != IndexOrigin::Explicit
                    || ix.unique
                    || ix.inherited_from.is_some()
                    || !touched.contains(&ix.table.to_string())
                    || drops.iter().any(|d| d.index == ix.name)
                    || plan::usable_by_workload(&cm, &queries, &shapes[i])
                {
                    continue;
                }
                let fk = c.table(&ix.table).is_some_and(|t| {
                    t.foreign_keys.iter().any(|fk| {
                        ix.keys
                            .first()
                            .and_then(|k| k.column.as_deref())
                            .is_some_and(|k| {
                                fk.columns
                                    .first()
                                    .is_some_and(|c| c.eq_ignore_ascii_case(k))
                            })
                    })
                });
                let sql = ddl::drop_existing(c, dialect, ix);
                let mut f = rules::IDX006.finding(
                    format!(
                        "index {} on {} is unused by this workload: no query filters, joins or sorts on its leading key",
                        ix.name, ix.table
                    ),
                    ix.span.clone(),
                    if fk {
                        "It leads with a foreign-key column: it keeps deletes and key updates on the referenced table from scanning this one. Keep it unless the server's counters show it unused and the parent rows never change.".to_string()
                    } else {
                        "Confirm with pg_stat_user_indexes.idx_scan (PostgreSQL) or sys.schema_unused_indexes (MySQL) over a full business cycle before dropping.".to_string()
                    },
                );
                if !fk {
                    f.fix = Some(Fix {
                        title: format!("drop {} once the server confirms it is unused", ix.name),
                        sql: sql.clone(),
                    });
                    drops.push(DropSuggestion {
                        index: ix.name.clone(),
                        table: ix.table.to_string(),
                        rule: "IDX006".into(),
                        reason: format!("unused by this workload ({} statements)", queries.len()),
                        sql,
                    });
                }
                findings.push(f);
            }
        }
    }
    // Existing B-trees the recommended ones make left-prefix redundant (IDX002).
    if let Some(c) = &cat {
        for (i, ix) in c.indexes.iter().enumerate() {
            if ix.origin != IndexOrigin::Explicit
                || ix.unique
                || ix.predicate.is_some()
                || ix.inherited_from.is_some()
                || !ix.method.eq_ignore_ascii_case("btree")
                || drops.iter().any(|d| d.index == ix.name)
            {
                continue;
            }
            let old = &shapes[i];
            let wider = sel.chosen.iter().map(|ch| &shapes[ch.shape]).find(|n| {
                n.method == "btree"
                    && n.predicate.is_none()
                    && n.table.to_string() == old.table.to_string()
                    && n.keys.len() > old.keys.len()
                    && old.keys.iter().zip(&n.keys).all(|(a, b)| {
                        plan::norm(&a.expr) == plan::norm(&b.expr) && a.desc == b.desc
                    })
            });
            if let Some(n) = wider {
                let sql = ddl::drop_existing(c, dialect, ix);
                let mut f = rules::IDX002.finding(
                    format!(
                        "index {} on {} becomes a left prefix of the recommended {}",
                        ix.name, ix.table, n.name
                    ),
                    ix.span.clone(),
                    format!(
                        "Once {} exists it serves every search on {}'s keys; drop {} after creating it.",
                        n.name, ix.name, ix.name
                    ),
                );
                f.fix = Some(Fix {
                    title: format!("drop {} after creating {}", ix.name, n.name),
                    sql: sql.clone(),
                });
                findings.push(f);
                drops.push(DropSuggestion {
                    index: ix.name.clone(),
                    table: ix.table.to_string(),
                    rule: "IDX002".into(),
                    reason: format!("left prefix of the recommended {}", n.name),
                    sql,
                });
            }
        }
    }
    for d in &drops {
        migration.push_str(&d.sql);
        migration.push('\n');
    }

    // Per query.
    let name_of = |i: usize| shapes[i].name.clone();
    let mut qres = Vec::new();
    let (mut tb, mut ta) = (0.0, 0.0);
    for (qi, q) in queries.iter().enumerate() {
        let b: f64 = sel.before[qi].iter().map(|c| c.cost).sum();
        let a: f64 = sel.after[qi].iter().map(|c| c.cost).sum();
        tb += b * q.calls;
        ta += a * q.calls;
        let mut new_ix = Vec::new();
        let mut old_ix = Vec::new();
        for c in &sel.after[qi] {
            if let Some(i) = c.index {
                let n = name_of(i);
                let v = if shapes[i].existing {
                    &mut old_ix
                } else {
                    &mut new_ix
                };
                if !v.contains(&n) {
                    v.push(n);
                }
            }
        }
        let mut qnotes = q.notes.clone();
        if q.accesses.is_empty() && q.writes.is_empty() {
            qnotes.push("reads no table".into());
        }
        qres.push(QueryResult {
            n: qi + 1,
            query: short(&q.text),
            calls: q.calls,
            cost_before: round(b),
            cost_after: round(a),
            benefit_pct: if b > 0.0 {
                round((b - a) / b * 100.0)
            } else {
                0.0
            },
            new_indexes: new_ix,
            existing_indexes: old_ix,
            confirm: match dialect {
                Dialect::Postgres => "EXPLAIN (ANALYZE, BUFFERS) <the query>".into(),
                Dialect::Mysql => {
                    "EXPLAIN FORMAT=JSON <the query> (or EXPLAIN ANALYZE on MySQL 8)".into()
                }
                _ => "EXPLAIN QUERY PLAN <the query>".into(),
            },
            notes: qnotes,
        });
    }
    let mut not_taken: Vec<String> = sel
        .rejected
        .iter()
        .map(|(s, why)| {
            let sh = &shapes[*s];
            format!(
                "{}({}){}: {why}",
                sh.table,
                sh.keys
                    .iter()
                    .map(|k| k.expr.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                sh.predicate
                    .as_deref()
                    .map(|p| format!(" WHERE {p}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    not_taken.truncate(20);
    if dialect == Dialect::Postgres && !recs.is_empty() {
        notes.push("CREATE INDEX CONCURRENTLY cannot run inside a transaction block: run the statements one by one (migration tools: disable the per-migration transaction).".into());
    }
    if dialect == Dialect::Generic {
        notes.push("The dialect could not be told from the SQL: statements are plain CREATE/DROP INDEX without engine features (no CONCURRENTLY, INCLUDE, partial or online DDL); pass `dialect` (postgres, mysql or sqlite).".into());
    }
    if dialect == Dialect::Sqlite {
        notes.push("SQLite: no INCLUDE, no GIN, no online DDL; LIKE 'abc%' only uses an index on a COLLATE NOCASE column (or with PRAGMA case_sensitive_like), so no index is proposed for it.".into());
    }
    if dialect == Dialect::Mysql && features.mariadb {
        notes.push("MariaDB has no functional key parts: index a generated column instead of an expression.".into());
    }
    let mut assumptions = est.assumptions();
    if req.budget.as_ref().and_then(|b| b.per_table).is_none() {
        assumptions.push("budget: at most 3 new indexes per table (set budget.per_table)".into());
    }
    if req.writes.is_empty() && !queries.iter().any(|q| !q.writes.is_empty()) {
        assumptions.push("no writes: neither a write mix nor INSERT/UPDATE/DELETE statements were given, so write cost is 0".into());
    }
    findings.sort_by_key(|f| f.sort_key());
    let report = IndexReport {
        dialect: dialect.as_str().into(),
        workload_source: if source.is_empty() {
            "none (schema only)".into()
        } else {
            source
        },
        summary: Summary {
            statements,
            queries_modelled: queries.len(),
            tables: cat.as_ref().map_or(0, |c| c.tables.len()),
            existing_indexes: existing.len(),
            candidates: n_cands,
            recommended: recs.len(),
            drops: drops.len(),
            workload_cost_before: round(tb),
            workload_cost_after: round(ta),
            relative_cost: if tb > 0.0 {
                round(ta / tb * 1000.0) / 1000.0
            } else {
                1.0
            },
        },
        recommendations: recs,
        drops,
        queries: qres,
        findings,
        not_taken,
        assumptions,
        notes,
        migration,
    };
    Ok((report, entry_of))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL, data jsonb);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id), status text NOT NULL, total numeric NOT NULL, note text, created_at timestamptz NOT NULL);
CREATE INDEX orders_note_idx ON orders (note);";

    fn req(dialect: &str, schema: &str, qs: &[(&str, f64)]) -> IndexRequest {
        IndexRequest {
            schema: SqlInput {
                sql: Some(schema.into()),
                paths: vec![],
            },
            queries: qs
                .iter()
                .map(|(s, c)| WorkloadQuery {
                    sql: s.to_string(),
                    calls: Some(*c),
                })
                .collect(),
            dialect: Some(dialect.into()),
            stats: Some(Stats {
                tables: vec![
                    stats::TableStat {
                        table: "orders".into(),
                        rows: 1_000_000.0,
                    },
                    stats::TableStat {
                        table: "users".into(),
                        rows: 100_000.0,
                    },
                ],
                columns: vec![stats::ColumnStat {
                    table: "orders".into(),
                    column: "status".into(),
                    n_distinct: Some(4.0),
                    null_frac: Some(0.0),
                    avg_width: Some(9.0),
                }],
            }),
            ..Default::default()
        }
    }

    fn run_req(r: &IndexRequest) -> IndexReport {
        index(r, None, &Limits::default()).unwrap()
    }

    #[test]
    fn equality_then_sort_and_unused_index() {
        let r = run_req(&req(
            "postgres",
            SCHEMA,
            &[(
                "SELECT id, total FROM orders WHERE user_id = $1 ORDER BY created_at DESC LIMIT 20",
                1000.0,
            )],
        ));
        let first = r
            .recommendations
            .iter()
            .find(|x| x.keys == vec!["user_id", "created_at DESC"])
            .unwrap_or_else(|| panic!("{r:#?}"));
        assert_eq!(first.table, "orders");
        assert!(
            first
                .create
                .starts_with("CREATE INDEX CONCURRENTLY IF NOT EXISTS")
        );
        assert_eq!(first.serves, vec![1]);
        assert!(r.queries[0].cost_after < r.queries[0].cost_before);
        assert!(r.findings.iter().any(|f| f.id == "IDX007"));
        // orders_note_idx: no query uses note.
        assert!(
            r.drops
                .iter()
                .any(|d| d.index == "orders_note_idx" && d.rule == "IDX006"),
            "{:?}",
            r.drops
        );
        assert!(
            r.findings
                .iter()
                .any(|f| f.id == "IDX006" && f.message.contains("unused by this workload"))
        );
    }

    #[test]
    fn partial_expression_and_gin() {
        let r = run_req(&req(
            "postgres",
            SCHEMA,
            &[
                (
                    "SELECT id, created_at FROM orders WHERE status <> 'delivered' ORDER BY created_at LIMIT 50",
                    500.0,
                ),
                ("SELECT id FROM users WHERE lower(email) = $1", 2000.0),
                (
                    "SELECT id FROM users WHERE data @> '{\"plan\": \"pro\"}'",
                    100.0,
                ),
                ("SELECT id FROM users WHERE email ILIKE '%smith%'", 100.0),
            ],
        ));
        let creates: Vec<&str> = r
            .recommendations
            .iter()
            .map(|x| x.create.as_str())
            .collect();
        assert!(
            creates
                .iter()
                .any(|c| c.contains("WHERE status <> 'delivered'")),
            "{creates:#?}"
        );
        assert!(
            creates.iter().any(|c| c.contains("((lower(email)))")),
            "{creates:#?}"
        );
        assert!(
            creates
                .iter()
                .any(|c| c.contains("USING gin (data jsonb_path_ops)")),
            "{creates:#?}"
        );
        assert!(
            creates.iter().any(|c| c.contains("gin_trgm_ops")),
            "{creates:#?}"
        );
        assert!(
            r.migration
                .contains("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
        );
    }

    #[test]
    fn mysql_fulltext_prefix_and_online_ddl() {
        let schema = "CREATE TABLE posts (id bigint PRIMARY KEY AUTO_INCREMENT, author_id bigint NOT NULL, title varchar(200) NOT NULL, body text NOT NULL) ENGINE=InnoDB;";
        let r = run_req(&req(
            "mysql",
            schema,
            &[
                (
                    "SELECT id FROM posts WHERE MATCH(title, body) AGAINST ('rust')",
                    100.0,
                ),
                (
                    "SELECT id FROM posts WHERE body = 'x' AND author_id = 3",
                    100.0,
                ),
            ],
        ));
        let creates: Vec<&str> = r
            .recommendations
            .iter()
            .map(|x| x.create.as_str())
            .collect();
        assert!(
            creates
                .iter()
                .any(|c| c.contains("ADD FULLTEXT INDEX") && c.contains("LOCK=SHARED")),
            "{creates:#?}"
        );
        assert!(
            creates
                .iter()
                .any(|c| c.contains("ALGORITHM=INPLACE, LOCK=NONE")),
            "{creates:#?}"
        );
        assert!(
            r.recommendations
                .iter()
                .all(|x| !x.create.contains("body)") || x.method == "fulltext"),
            "TEXT keys need a prefix length: {creates:#?}"
        );
    }

    #[test]
    fn sqlite_has_no_include_or_gin() {
        let r = run_req(&req(
            "sqlite",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c TEXT);",
            &[
                ("SELECT b, c FROM t WHERE a = 5 AND c LIKE 'abc%'", 100.0),
                ("SELECT id FROM t WHERE b LIKE '%x%'", 100.0),
            ],
        ));
        for x in &r.recommendations {
            assert!(
                !x.create.contains("INCLUDE")
                    && !x.create.contains("USING")
                    && !x.create.contains("CONCURRENTLY"),
                "{}",
                x.create
            );
        }
        assert!(
            r.recommendations.iter().any(|x| x.keys == vec!["a"]),
            "{:#?}",
            r.recommendations
        );
    }

    #[test]
    fn budget_and_write_cost() {
        let qs = [
            ("SELECT id FROM orders WHERE user_id = $1", 100.0),
            (
                "SELECT id FROM orders WHERE total > 100 AND status = 'new'",
                100.0,
            ),
            ("SELECT id FROM users WHERE lower(email) = $1", 100.0),
        ];
        let mut r1 = req("postgres", SCHEMA, &qs);
        r1.budget = Some(Budget {
            per_table: None,
            total: Some(1),
            bytes: None,
        });
        let rep = run_req(&r1);
        assert_eq!(rep.recommendations.len(), 1);
        assert!(!rep.not_taken.is_empty());
        // A write-heavy orders table: indexes on it now cost more than they save.
        let mut r2 = req("postgres", SCHEMA, &qs);
        r2.writes = vec![WriteMix {
            table: "orders".into(),
            inserts: 1e9,
            updates: 0.0,
            deletes: 0.0,
            updated_columns: vec![],
        }];
        let rep2 = run_req(&r2);
        assert!(
            rep2.recommendations.iter().all(|x| x.table != "orders"),
            "{:#?}",
            rep2.recommendations
        );
    }

    #[test]
    fn hot_update_blocking_is_reported() {
        let mut r = req(
            "postgres",
            SCHEMA,
            &[
                (
                    "SELECT id FROM orders WHERE status = 'new' AND user_id = $1",
                    1000.0,
                ),
                ("UPDATE orders SET status = 'paid' WHERE id = $1", 10.0),
            ],
        );
        r.stats = None;
        let rep = run_req(&r);
        assert!(
            rep.recommendations
                .iter()
                .any(|x| x.blocks_hot.contains(&"status".to_string())),
            "{:#?}",
            rep.recommendations
        );
        assert!(
            rep.findings
                .iter()
                .any(|f| f.id == "IDX008" && f.span.is_some())
        );
        assert!(rep.assumptions.iter().any(|a| a.contains("100000 rows")));
    }

    #[test]
    fn log_input_and_errors() {
        let mut r = req("postgres", SCHEMA, &[]);
        r.log = Some("query,calls\n\"SELECT id FROM orders WHERE user_id = $1\",5000\n".into());
        let rep = run_req(&r);
        assert!(rep.workload_source.contains("CSV"));
        assert_eq!(rep.queries[0].calls, 5000.0);
        let e = index(&IndexRequest::default(), None, &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("give a workload"));
        let mut bad = req("postgres", SCHEMA, &[]);
        bad.log = Some("[{\"calls\": 3}]".into());
        assert!(
            index(&bad, None, &Limits::default())
                .unwrap_err()
                .to_string()
                .contains("\"query\"")
        );
        let mut bad2 = req("postgres", SCHEMA, &[("select 1", 1.0)]);
        bad2.budget = Some(Budget {
            per_table: None,
            total: None,
            bytes: Some("lots".into()),
        });
        assert!(index(&bad2, None, &Limits::default()).is_err());
    }

    #[test]
    fn existing_duplicates_become_drops() {
        let schema = format!(
            "{SCHEMA}\nCREATE INDEX o_u ON orders (user_id);\nCREATE INDEX o_u2 ON orders (user_id);\nCREATE INDEX o_uc ON orders (user_id, created_at);"
        );
        let r = run_req(&req(
            "postgres",
            &schema,
            &[(
                "SELECT * FROM orders WHERE user_id = $1 ORDER BY created_at",
                10.0,
            )],
        ));
        let rules: Vec<(&str, &str)> = r
            .drops
            .iter()
            .map(|d| (d.index.as_str(), d.rule.as_str()))
            .collect();
        assert!(rules.contains(&("o_u2", "IDX001")), "{rules:?}");
        assert!(rules.contains(&("o_u", "IDX002")), "{rules:?}");
        assert!(
            r.queries[0].existing_indexes.contains(&"o_uc".to_string()),
            "{:?}",
            r.queries[0]
        );
        let md = crate::render::render("index/index.md", &r).unwrap();
        assert!(md.contains("### Indexes to drop"));
    }
}

#[cfg(test)]
mod tool_size {
    /// tools/list is paid for in every assistant's context: this tool's entry stays small.
    #[test]
    fn tool_entry_is_lean() {
        let t = crate::mcp::tools::all()
            .into_iter()
            .find(|t| t.name == "KD-db-index")
            .unwrap();
        let n = serde_json::to_vec(&serde_json::json!({
            "name": t.name, "title": t.title, "description": t.description,
            "inputSchema": *t.input_schema, "outputSchema": *t.output_schema
        }))
        .unwrap()
        .len();
        let all: usize = crate::mcp::tools::all()
            .iter()
            .map(|t| {
                serde_json::to_vec(&serde_json::json!({"i": *t.input_schema, "o": *t.output_schema, "d": t.description}))
                    .unwrap()
                    .len()
            })
            .sum();
        println!("KD-db-index tool entry: {n} bytes of {all}");
        assert!(n <= 4096, "KD-db-index tool entry is {n} bytes");
    }
}

//! The PLN checks over a parsed [`Plan`]. Each finding names its node (`#id Node Type on
//! relation`) and ends in an action: a CREATE INDEX built from the node's filter, ANALYZE or
//! CREATE STATISTICS, a work_mem setting sized from the spill, VACUUM, or a setting.

use super::parse::{Plan, PlanNode};
use crate::catalog::Catalog;
use crate::findings::{Finding, Fix, Severity};
use crate::rules::pln as docs;
use crate::sql::Dialect;
use sqlparser::ast::{self, Expr};
use std::ops::ControlFlow;

/// Thresholds.
pub const MIN_REMOVED: f64 = 1000.0;
pub const MANY_LOOPS: f64 = 1000.0;

/// Where a finding points: the node.
pub fn label(n: &PlanNode) -> String {
    let mut s = format!("#{} {}", n.id, n.node_type);
    if let Some(r) = &n.relation {
        s.push_str(" on ");
        s.push_str(r);
    }
    s
}

fn total_ms(p: &Plan) -> Option<f64> {
    p.execution_ms
        .or_else(|| p.nodes.first().and_then(|n| n.inclusive_ms))
}

fn kb_setting(kb: f64) -> String {
    // Round the spill up to a power-of-two MB, at least 4 MB: the in-memory form is larger
    // than the on-disk one.
    let mb = ((kb * 2.0) / 1024.0).max(4.0);
    let mut p = 4u64;
    while (p as f64) < mb {
        p *= 2;
    }
    format!("{p}MB")
}

/// Columns compared with constants in a filter text, equality first: the index to add.
pub fn index_from_filter(
    filter: &str,
    relation: &str,
    extra_leading: &[String],
    d: Dialect,
) -> Option<String> {
    let e = crate::optimize::rewrite::parse_expr(
        filter,
        if d == Dialect::Generic {
            Dialect::Postgres
        } else {
            d
        },
    )?;
    let mut eq: Vec<String> = extra_leading.to_vec();
    let mut range: Vec<String> = Vec::new();
    let _ = ast::visit_expressions(&e, |x| {
        if let Expr::BinaryOp { left, op, right } = x {
            let col = [left, right].into_iter().find_map(|s| col_name(s));
            let constant = [left, right].into_iter().any(|s| is_const(s));
            if let (Some(c), true) = (col, constant) {
                use ast::BinaryOperator as B;
                match op {
                    B::Eq => push(&mut eq, c),
                    B::Lt | B::LtEq | B::Gt | B::GtEq => push(&mut range, c),
                    _ => {}
                }
            }
        }
        if let Expr::In {
            expr,
            negated: false,
            ..
        } = x
            && let Some(c) = col_name(expr)
        {
            push(&mut eq, c);
        }
        ControlFlow::<()>::Continue(())
    });
    range.retain(|r| !eq.contains(r));
    let mut cols = eq;
    if let Some(r) = range.first() {
        cols.push(r.clone());
    }
    if cols.is_empty() {
        return None;
    }
    cols.truncate(4);
    let name = crate::optimize::rewrite::index_name(
        relation,
        &cols.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    Some(match d {
        Dialect::Postgres | Dialect::Generic => format!(
            "CREATE INDEX CONCURRENTLY {name} ON {relation} ({});",
            cols.join(", ")
        ),
        Dialect::Mysql => format!(
            "CREATE INDEX {name} ON {relation} ({}) ALGORITHM=INPLACE LOCK=NONE;",
            cols.join(", ")
        ),
        Dialect::Sqlite => format!("CREATE INDEX {name} ON {relation} ({});", cols.join(", ")),
    })
}

fn push(v: &mut Vec<String>, c: String) {
    if !v.contains(&c) {
        v.push(c);
    }
}

fn col_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) => Some(i.value.clone()),
        Expr::CompoundIdentifier(v) => v.last().map(|i| i.value.clone()),
        Expr::Nested(x) => col_name(x),
        // PostgreSQL prints casts of the column side: (status)::text = 'x'
        Expr::Cast { expr, .. } => col_name(expr),
        _ => None,
    }
}

fn is_const(e: &Expr) -> bool {
    match e {
        Expr::Value(_) | Expr::TypedString(_) => true,
        Expr::Cast { expr, .. } | Expr::Nested(expr) => is_const(expr),
        Expr::UnaryOp { expr, .. } => is_const(expr),
        _ => false,
    }
}

/// Run every check.
pub fn check(p: &Plan, cat: Option<&Catalog>, d: Dialect) -> Vec<Finding> {
    let mut out = Vec::new();
    let total = total_ms(p);
    for n in &p.nodes {
        misestimate(n, &mut out);
        seq_scan_filter(p, n, d, &mut out);
        spills(n, &mut out);
        heap_fetches(n, &mut out);
        residual_filter(n, d, &mut out);
        loops(p, n, total, &mut out);
        workers(n, &mut out);
        sqlite(n, &mut out);
    }
    buffers(p, &mut out);
    timings(p, &mut out);
    triggers(p, cat, d, &mut out);
    out
}

fn misestimate(n: &PlanNode, out: &mut Vec<Finding>) {
    let (Some(e), Some(a)) = (n.est_rows, n.actual_rows) else {
        return;
    };
    if n.loops == Some(0.0) {
        return;
    }
    let (hi, lo) = if a > e { (a, e) } else { (e, a) };
    let ratio = hi / lo.max(1.0);
    if ratio < 10.0 || hi < 50.0 {
        return;
    }
    let d = &docs::MISESTIMATE;
    let dir = if a > e { "under" } else { "over" };
    let mut f = d.finding(
        format!("{}: estimated {e:.0} rows, got {a:.0} ({}-estimated {ratio:.0}x)", label(n), dir),
        None,
        "Refresh the statistics; if the filter combines correlated columns, add extended statistics so the planner stops multiplying their selectivities.",
    );
    f.severity = if ratio >= 1000.0 {
        Severity::Error
    } else if ratio >= 100.0 {
        Severity::Warning
    } else {
        Severity::Info
    };
    if let Some(r) = &n.relation {
        let mut sql = format!("ANALYZE {r};");
        if let Some(filter) = &n.filter {
            let cols = filter_columns(filter);
            if cols.len() >= 2 {
                sql.push_str(&format!("\nCREATE STATISTICS {r}_{}_stx (dependencies, ndistinct, mcv) ON {} FROM {r};\nANALYZE {r};", cols.join("_"), cols.join(", ")));
            }
        }
        f.fix = Some(Fix {
            title: "Refresh statistics".into(),
            sql,
        });
    }
    out.push(f);
}

fn filter_columns(filter: &str) -> Vec<String> {
    let Some(e) = crate::optimize::rewrite::parse_expr(filter, Dialect::Postgres) else {
        return Vec::new();
    };
    let mut cols = Vec::new();
    let _ = ast::visit_expressions(&e, |x| {
        if let Some(c) = col_name(x)
            && matches!(x, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
        {
            push(&mut cols, c);
        }
        ControlFlow::<()>::Continue(())
    });
    cols
}

fn seq_scan_filter(p: &Plan, n: &PlanNode, d: Dialect, out: &mut Vec<Finding>) {
    let dd = &docs::SEQ_SCAN_FILTER;
    let Some(rel) = &n.relation else { return };
    let (kept, removed) = match p.engine.as_str() {
        "postgres" if n.node_type == "Seq Scan" || n.node_type == "Parallel Seq Scan" => {
            let loops = n.loops.unwrap_or(1.0);
            match (n.actual_rows, n.rows_removed_by_filter) {
                (Some(a), Some(r)) => (a * loops, r * loops),
                _ => return,
            }
        }
        "mysql" if n.node_type == "ALL" => {
            let rows = n.actual_rows.or(n.est_rows).unwrap_or(0.0) * n.loops.unwrap_or(1.0);
            let pct = n.r_filtered_pct.or(n.filtered_pct).unwrap_or(100.0);
            (rows * pct / 100.0, rows * (100.0 - pct) / 100.0)
        }
        _ => return,
    };
    if removed < MIN_REMOVED || removed / (kept + removed).max(1.0) < 0.9 {
        return;
    }
    let mut f = dd.finding(
        format!("{}: read {:.0} rows to keep {:.0} ({:.1}% discarded by the filter)", label(n), kept + removed, kept, 100.0 * removed / (kept + removed)),
        None,
        "Index the filtered columns (equality first, then the range) so the engine reads only the matching rows.",
    );
    if let Some(filter) = &n.filter
        && let Some(sql) = index_from_filter(&strip_mysql_quotes(filter), rel, &[], d)
    {
        f.fix = Some(Fix {
            title: "Index for the filter (per-query candidate; confirm with KD-db-index)".into(),
            sql,
        });
    }
    out.push(f);
}

/// MariaDB prints conditions with qualified, backquoted names: `t`.`c` = 1.
fn strip_mysql_quotes(s: &str) -> String {
    s.replace('`', "")
}

fn spills(n: &PlanNode, out: &mut Vec<Finding>) {
    let disk_sort = n.sort_space_type.as_deref() == Some("Disk")
        || n.sort_method
            .as_deref()
            .is_some_and(|m| m.contains("external"));
    if disk_sort {
        let kb = n.sort_space_kb.unwrap_or(0.0);
        let mut f = docs::SORT_SPILL.finding(
            format!("{}: sort spilled {kb:.0} kB to disk ({})", label(n), n.sort_method.clone().unwrap_or_default()),
            None,
            "Give this query more work_mem (per session or transaction, not globally: every sort of every connection may use it), or avoid the sort with an index in ORDER BY order.",
        );
        f.fix = Some(Fix {
            title: "work_mem for this query".into(),
            sql: format!(
                "SET LOCAL work_mem = '{}';  -- inside the transaction running the query",
                kb_setting(kb)
            ),
        });
        out.push(f);
    }
    if let Some(b) = n.hash_batches
        && b > 1.0
    {
        let kb = n.peak_memory_kb.unwrap_or(0.0) * b;
        let mut f = docs::HASH_SPILL.finding(
            format!("{}: hash split into {b:.0} batches{} (memory {:.0} kB per batch)", label(n), n.original_hash_batches.filter(|o| *o != b).map(|o| format!(", planned {o:.0}")).unwrap_or_default(), n.peak_memory_kb.unwrap_or(0.0)),
            None,
            "Raise work_mem (or hash_mem_multiplier) for this query so the hash table fits in one batch; if the planned batches were 1, the row estimate of the hashed side was wrong (see PLN001).",
        );
        f.fix = Some(Fix {
            title: "work_mem for this query".into(),
            sql: format!("SET LOCAL work_mem = '{}';", kb_setting(kb)),
        });
        out.push(f);
    }
    if let Some(l) = n.lossy_heap_blocks
        && l > 0.0
    {
        let mut f = docs::LOSSY_BITMAP.finding(
            format!(
                "{}: {l:.0} lossy heap blocks (exact {:.0}); {:.0} rows rechecked and removed",
                label(n),
                n.exact_heap_blocks.unwrap_or(0.0),
                n.rows_removed_by_recheck.unwrap_or(0.0)
            ),
            None,
            "The bitmap exceeded work_mem and now marks whole pages; more work_mem keeps it exact.",
        );
        f.fix = Some(Fix {
            title: "work_mem for this query".into(),
            sql: format!(
                "SET LOCAL work_mem = '{}';",
                kb_setting((l + n.exact_heap_blocks.unwrap_or(0.0)) * 0.1)
            ),
        });
        out.push(f);
    }
}

fn heap_fetches(n: &PlanNode, out: &mut Vec<Finding>) {
    let Some(h) = n.heap_fetches else { return };
    let rows = n.actual_rows.unwrap_or(0.0) * n.loops.unwrap_or(1.0);
    if h < 100.0 || h < 0.1 * rows {
        return;
    }
    let mut f = docs::HEAP_FETCHES.finding(
        format!("{}: {h:.0} heap fetches for {rows:.0} rows: the visibility map is stale", label(n)),
        None,
        "VACUUM the table (or tune autovacuum for it) so its pages are marked all-visible and the index-only scan stops reading the table.",
    );
    if let Some(r) = &n.relation {
        f.fix = Some(Fix {
            title: "Refresh the visibility map".into(),
            sql: format!("VACUUM (ANALYZE) {r};"),
        });
    }
    out.push(f);
}

fn residual_filter(n: &PlanNode, d: Dialect, out: &mut Vec<Finding>) {
    if !(n.node_type.starts_with("Index") || n.node_type == "Bitmap Heap Scan") {
        return;
    }
    let (Some(removed), Some(rows)) = (n.rows_removed_by_filter, n.actual_rows) else {
        return;
    };
    let loops = n.loops.unwrap_or(1.0);
    let (removed, rows) = (removed * loops, rows * loops);
    if removed < MIN_REMOVED || removed < rows {
        return;
    }
    let mut f = docs::RESIDUAL_FILTER.finding(
        format!("{}: the index returned {:.0} rows and the filter threw away {removed:.0} of them", label(n), rows + removed),
        None,
        "Add the filtered columns to the index (after its equality columns) so the index returns only matching rows.",
    );
    if let (Some(rel), Some(filter)) = (&n.relation, &n.filter) {
        let lead: Vec<String> = n
            .index_cond
            .as_deref()
            .map(filter_columns)
            .unwrap_or_default();
        if let Some(sql) = index_from_filter(filter, rel, &lead, d) {
            f.fix = Some(Fix {
                title: "Index covering the filter (per-query candidate)".into(),
                sql,
            });
        }
    }
    out.push(f);
}

fn loops(p: &Plan, n: &PlanNode, total: Option<f64>, out: &mut Vec<Finding>) {
    let Some(l) = n.loops else { return };
    if l < MANY_LOOPS {
        return;
    }
    // The nested loop above, looking through Memoize / Materialize.
    let mut parent = n.parent.and_then(|i| p.nodes.get(i));
    while let Some(pn) = parent
        && matches!(pn.node_type.as_str(), "Memoize" | "Materialize")
    {
        parent = pn.parent.and_then(|i| p.nodes.get(i));
    }
    let Some(parent) = parent else { return };
    if parent.node_type != "Nested Loop" {
        return;
    }
    // PostgreSQL rounds per-loop times to 0.001 ms: use the children's time when larger.
    let kids: f64 = p.children(n.id).filter_map(|c| c.inclusive_ms).sum();
    let inclusive = n.inclusive_ms.map(|t| t.max(kids));
    // Report only when it costs.
    let share = match (inclusive, total) {
        (Some(t), Some(tot)) if tot > 0.0 => t / tot,
        _ => 0.0,
    };
    if share < 0.1 {
        return;
    }
    let mut f = docs::NESTED_LOOP_LOOPS.finding(
        format!("{}: executed {l:.0} times under #{} Nested Loop ({:.0}% of the time)", label(n), parent.id, share * 100.0),
        None,
        "Check the outer side's estimate (PLN001); an index on the inner join key makes each loop cheap, and with a correct estimate the planner switches to a hash join.",
    );
    if let (Some(rel), Some(cond)) = (&n.relation, n.filter.as_ref().or(n.index_cond.as_ref()))
        && n.node_type.contains("Seq Scan")
    {
        let cols = filter_columns(cond);
        if !cols.is_empty() {
            f.fix = Some(Fix {
                title: "Index the inner join key".into(),
                sql: format!("CREATE INDEX ON {rel} ({});", cols.join(", ")),
            });
        }
    }
    out.push(f);
}

fn workers(n: &PlanNode, out: &mut Vec<Finding>) {
    let (Some(pl), Some(la)) = (n.workers_planned, n.workers_launched) else {
        return;
    };
    if la >= pl {
        return;
    }
    let mut f = docs::WORKERS_NOT_LAUNCHED.finding(
        format!("{}: {pl:.0} parallel workers planned, {la:.0} launched", label(n)),
        None,
        "All background worker slots were busy. Raise max_parallel_workers (and max_worker_processes, which needs a restart) or lower max_parallel_workers_per_gather so plans match what can run.",
    );
    f.fix = Some(Fix { title: "Worker limits (see KD-db-tune)".into(), sql: "SHOW max_parallel_workers; SHOW max_worker_processes;\nALTER SYSTEM SET max_parallel_workers = 8;  -- not above max_worker_processes\nSELECT pg_reload_conf();".into() });
    out.push(f);
}

fn sqlite(n: &PlanNode, out: &mut Vec<Finding>) {
    if n.node_type.starts_with("USE TEMP B-TREE") {
        out.push(docs::SQLITE_TEMP_BTREE.finding(
            format!("#{} {}: rows are sorted in a temporary B-tree", n.id, n.node_type),
            None,
            "Index the ORDER BY / GROUP BY columns (after the equality columns of the WHERE clause) to read rows in order.",
        ));
    }
    if n.node_type == "SCAN"
        && n.parent.is_some()
        && n.index.is_none()
        && !n.detail.contains("COVERING")
    {
        // A full scan nested under another loop: O(n*m).
        if let Some(r) = &n.relation {
            out.push(docs::SEQ_SCAN_FILTER.finding(
                format!("#{} SCAN {r}: a full scan of {r} inside a join loop (once per outer row)", n.id),
                None,
                "Index the join column of this table so each outer row does an index search instead of a scan.",
            ));
        }
    }
    if n.detail.contains("AUTOMATIC") {
        out.push(docs::SEQ_SCAN_FILTER.finding(
            format!(
                "#{} {}: SQLite builds a temporary index on every execution",
                n.id, n.detail
            ),
            None,
            "Create that index permanently: the automatic one is rebuilt for each query.",
        ));
    }
}

fn buffers(p: &Plan, out: &mut Vec<Finding>) {
    let Some(root) = p.nodes.first() else { return };
    // Buffers are cumulative: the root holds the whole query's (PostgreSQL).
    if let (Some(h), Some(r)) = (root.shared_hit, root.shared_read)
        && r >= 1000.0
        && h / (h + r) < 0.9
    {
        out.push(docs::LOW_HIT_RATIO.finding(
            format!("shared buffers hit {:.1}% ({h:.0} hits, {r:.0} reads = {:.0} MB from disk or OS cache)", 100.0 * h / (h + r), r * 8.0 / 1024.0),
            None,
            "Run it again to see a warm cache; if it stays low, the working set does not fit shared_buffers (see KD-db-tune) or the plan reads more than it needs (fix the scans first).",
        ));
    }
    let written: f64 = p
        .nodes
        .iter()
        .filter(|n| n.parent.is_none())
        .filter_map(|n| n.temp_written)
        .sum();
    if written > 0.0 {
        let mut f = docs::TEMP_IO.finding(
            format!("{written:.0} temporary blocks written ({:.1} MB)", written * 8.0 / 1024.0),
            None,
            "An operation ran out of work_mem; the sort/hash findings above name it. Size work_mem for this query, not globally.",
        );
        f.fix = Some(Fix {
            title: "work_mem for this query".into(),
            sql: format!("SET LOCAL work_mem = '{}';", kb_setting(written * 8.0)),
        });
        out.push(f);
    }
}

fn timings(p: &Plan, out: &mut Vec<Finding>) {
    if let (Some(pl), Some(ex)) = (p.planning_ms, p.execution_ms)
        && pl >= 5.0
        && pl > ex
    {
        out.push(docs::PLANNING_DOMINATES.finding(
            format!("planning took {pl:.1} ms, execution {ex:.1} ms"),
            None,
            "Use a prepared statement (plan once, run many), reduce partitions the planner must consider (partition pruning needs constants), or lower join_collapse_limit for very wide joins.",
        ));
    }
    if let (Some(j), Some(ex)) = (p.jit_ms, p.execution_ms)
        && ex > 0.0
        && j >= 0.5 * ex
    {
        let mut f = docs::JIT_DOMINATES.finding(
            format!("JIT took {j:.1} ms of {ex:.1} ms execution"),
            None,
            "The query is too short for JIT to pay off.",
        );
        f.fix = Some(Fix {
            title: "JIT off (or raise its threshold)".into(),
            sql: "SET jit = off;  -- or: ALTER SYSTEM SET jit_above_cost = 500000;".into(),
        });
        out.push(f);
    }
}

fn triggers(p: &Plan, cat: Option<&Catalog>, d: Dialect, out: &mut Vec<Finding>) {
    let total = p.execution_ms.unwrap_or(0.0);
    for t in &p.triggers {
        let ri = t.name.starts_with("RI_ConstraintTrigger") || t.constraint.is_some();
        if !ri || t.time_ms < 10.0 || (total > 0.0 && t.time_ms < 0.1 * total) {
            continue;
        }
        let cname = t.constraint.clone().unwrap_or_else(|| t.name.clone());
        let mut f = docs::SLOW_FK_TRIGGER.finding(
            format!("foreign-key trigger for {cname} took {:.1} ms over {:.0} calls ({:.0}% of execution)", t.time_ms, t.calls, if total > 0.0 { 100.0 * t.time_ms / total } else { 0.0 }),
            None,
            "Each change of a referenced row searches the referencing table; index the referencing columns.",
        );
        // With a schema: the referencing table and columns of that constraint.
        if let Some(cat) = cat {
            for tab in &cat.tables {
                if let Some(fk) = tab
                    .foreign_keys
                    .iter()
                    .find(|fk| fk.name.eq_ignore_ascii_case(&cname))
                {
                    let name = crate::optimize::rewrite::index_name(
                        &tab.name.name,
                        &fk.columns.iter().map(String::as_str).collect::<Vec<_>>(),
                    );
                    f.fix = Some(Fix {
                        title: "Index the referencing columns".into(),
                        sql: match d {
                            Dialect::Mysql => format!(
                                "CREATE INDEX {name} ON {} ({});",
                                tab.name,
                                fk.columns.join(", ")
                            ),
                            _ => format!(
                                "CREATE INDEX CONCURRENTLY {name} ON {} ({});",
                                tab.name,
                                fk.columns.join(", ")
                            ),
                        },
                    });
                }
            }
        }
        if f.fix.is_none() {
            f.fix = Some(Fix {
                title: "Find the referencing columns".into(),
                sql: format!(
                    "SELECT conrelid::regclass, conkey FROM pg_constraint WHERE conname = '{cname}';  -- then CREATE INDEX ON <that table> (<those columns>)"
                ),
            });
        }
        out.push(f);
    }
}

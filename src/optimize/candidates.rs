//! Per-query index candidates: for each table a query filters, the columns in the order a B-tree
//! can use them — equality, then one range, then the sort — as CREATE INDEX text.
//!
//! This is deliberately the per-query view only. Choosing indexes for a whole workload (budget,
//! write cost, benefit per byte, existing indexes) is `KD-db-index` (`crate::advise`); the lead
//! can route [`for_query`]'s output through it.

use crate::catalog::Catalog;
use crate::query::{Clause, QueryModel, SourceKind};
use crate::sql::Dialect;
use schemars::JsonSchema;
use serde::Serialize;

/// One candidate index for one query.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IndexCandidate {
    /// Always "per-query candidate": confirm workload-wide with KD-db-index.
    pub label: String,
    pub table: String,
    pub columns: Vec<String>,
    /// Which columns are equality, range and sort columns.
    pub equality: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    pub sort: Vec<String>,
    pub sql: String,
    pub reason: String,
}

/// Candidates for the statement in `m`.
pub fn for_query(m: &QueryModel, cat: Option<&Catalog>, d: Dialect) -> Vec<IndexCandidate> {
    let mut out: Vec<IndexCandidate> = Vec::new();
    for b in &m.blocks {
        for (ti, t) in b.tables.iter().enumerate() {
            if t.kind != SourceKind::Table {
                continue;
            }
            let mut eq: Vec<String> = Vec::new();
            let mut range: Option<String> = None;
            for p in &b.predicates {
                let Some(u) = &p.column else { continue };
                if u.block != b.id || u.table != ti {
                    continue;
                }
                let is_join = p.other_column.is_some();
                if is_join {
                    // A join column helps the table on the inner side of a nested loop.
                    let other = p.other_column.as_ref().expect("checked");
                    if p.op == "=" && (other.block != b.id || other.table != ti) && ti > 0 {
                        push_unique(&mut eq, &u.column);
                    }
                    continue;
                }
                let prefix_like = p.op == "like"
                    && p.value.as_deref().is_some_and(|v| {
                        v.starts_with('\'') && !v.starts_with("'%") && !v.starts_with("'_")
                    });
                let is_range = matches!(p.op.as_str(), "<" | ">" | "<=" | ">=" | "between");
                if matches!(p.op.as_str(), "=" | "in" | "is null") {
                    push_unique(&mut eq, &u.column);
                } else if (is_range || prefix_like) && range.is_none() {
                    range = Some(u.column.clone());
                }
            }
            // Joins also pair a column of an earlier table with this one via the other side.
            for p in &b.predicates {
                if p.op != "=" {
                    continue;
                }
                if let (Some(a), Some(o)) = (&p.column, &p.other_column)
                    && o.block == b.id
                    && o.table == ti
                    && ti > 0
                    && a.table != ti
                {
                    push_unique(&mut eq, &o.column);
                }
            }
            if let Some(r) = &range {
                eq.retain(|c| c != r);
            }
            // Correlated subqueries filter this block's tables by an outer column: equality.
            for u in &b.columns {
                let _ = u;
            }
            let mut sort: Vec<String> = Vec::new();
            if b.order_exprs.iter().all(|o| {
                matches!(
                    &o.expr,
                    sqlparser::ast::Expr::Identifier(_)
                        | sqlparser::ast::Expr::CompoundIdentifier(_)
                )
            }) {
                let order_cols: Vec<&crate::query::ColumnUse> = b
                    .columns
                    .iter()
                    .filter(|c| c.clause == Clause::OrderBy && c.block == b.id)
                    .collect();
                if !order_cols.is_empty()
                    && order_cols.len() == b.order_exprs.len()
                    && order_cols.iter().all(|c| c.table == ti)
                {
                    let cols: Vec<String> = order_cols.iter().map(|c| c.column.clone()).collect();
                    // A range column breaks the sort order unless it is the first sort column.
                    if range.as_ref().is_none_or(|r| cols.first() == Some(r)) {
                        sort = cols.into_iter().filter(|c| !eq.contains(c)).collect();
                        if range.is_some() {
                            range = None;
                        }
                    }
                }
            }
            let mut columns = eq.clone();
            if let Some(r) = &range {
                columns.push(r.clone());
            }
            for s in &sort {
                push_unique(&mut columns, s);
            }
            columns.truncate(4);
            if columns.is_empty() {
                continue;
            }
            let table = t
                .catalog
                .as_ref()
                .map(|n| n.to_string())
                .unwrap_or_else(|| t.name.clone());
            // Already served by an existing index whose leading columns are these?
            if let (Some(cat), Some(n)) = (cat, &t.catalog) {
                let served = cat.indexes_of(n).any(|i| {
                    let Some(ic) = i.columns() else { return false };
                    ic.len() >= columns.len()
                        && ic
                            .iter()
                            .zip(columns.iter())
                            .all(|(a, b)| cat.ident_eq(a, b))
                });
                if served {
                    continue;
                }
            }
            let bare = t
                .catalog
                .as_ref()
                .map(|n| n.name.clone())
                .unwrap_or_else(|| t.name.rsplit('.').next().unwrap_or("").to_string());
            let refs: Vec<&str> = columns.iter().map(String::as_str).collect();
            let name = super::rewrite::index_name(&bare, &refs);
            let sql = match d {
                Dialect::Mysql => {
                    format!("CREATE INDEX {name} ON {table} ({});", columns.join(", "))
                }
                _ => format!("CREATE INDEX {name} ON {table} ({});", columns.join(", ")),
            };
            if out.iter().any(|c| c.sql == sql) {
                continue;
            }
            let mut reason = Vec::new();
            if !eq.is_empty() {
                reason.push(format!("equality on {}", eq.join(", ")));
            }
            if let Some(r) = &range {
                reason.push(format!("range on {r}"));
            }
            if !sort.is_empty() {
                reason.push(format!("ORDER BY {} read in index order", sort.join(", ")));
            }
            out.push(IndexCandidate {
                label: "per-query candidate (confirm workload-wide with KD-db-index)".into(),
                table,
                columns,
                equality: eq,
                range,
                sort,
                sql,
                reason: reason.join("; "),
            });
        }
    }
    out
}

fn push_unique(v: &mut Vec<String>, c: &str) {
    if !v.iter().any(|x| x.eq_ignore_ascii_case(c)) {
        v.push(c.to_string());
    }
}

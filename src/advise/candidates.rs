//! Candidate indexes from each table reference of the workload.
//!
//! B-tree keys go equality → range → sort: equality columns first (most selective first, so
//! the index is useful for more queries), then at most one range column, or instead the ORDER BY
//! keys after the equalities (an ordered scan that can stop at LIMIT). Variants: one per join
//! column (the inner side of a nested loop), covering (`INCLUDE` on PostgreSQL 11+), partial
//! (a constant predicate such as `status <> 'delivered'` becomes the index's WHERE, PostgreSQL
//! and SQLite), expression keys (`lower(email)`; not MariaDB, MySQL from 8.0.13), GIN for jsonb,
//! arrays, full text and trigram LIKE on PostgreSQL, FULLTEXT for MATCH … AGAINST and prefix
//! lengths for TEXT/BLOB keys on MySQL. SQLite gets no INCLUDE, no GIN, and no B-tree for
//! `LIKE 'abc%'` (its LIKE is case-insensitive, so a plain index does not serve it).

use super::plan::{CostModel, Shape, ShapeKey};
use super::stats::Estimator;
use super::workload::{Access, KeyExpr, Pred, PredOp, QueryModel};
use crate::catalog::TypeFamily;
use crate::sql::Dialect;

/// Engine features that shape candidates.
#[derive(Debug, Clone, Copy)]
pub struct Features {
    pub dialect: Dialect,
    pub include: bool,
    pub partial: bool,
    pub expression: bool,
    /// MariaDB rather than MySQL (no functional key parts).
    pub mariadb: bool,
}

impl Features {
    pub fn new(dialect: Dialect, version: Option<&str>) -> Features {
        let v: Vec<u32> = version
            .unwrap_or("")
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        let mariadb = version.is_some_and(|s| s.to_ascii_lowercase().contains("maria"))
            || (dialect == Dialect::Mysql && v.first().is_some_and(|&m| m == 10 || m == 11));
        let mysql8 = dialect == Dialect::Mysql
            && !mariadb
            && v.first().is_some_and(|&m| m >= 8)
            && (v.first() > Some(&8) || v.get(2).copied().unwrap_or(0) >= 13);
        Features {
            dialect,
            include: dialect == Dialect::Postgres && v.first().is_none_or(|&m| m >= 11),
            partial: matches!(dialect, Dialect::Postgres | Dialect::Sqlite),
            expression: match dialect {
                Dialect::Postgres | Dialect::Sqlite => true,
                Dialect::Mysql => mysql8,
                Dialect::Generic => false,
            },
            mariadb,
        }
    }
}

fn key(k: &KeyExpr, desc: bool) -> ShapeKey {
    ShapeKey {
        expr: k.expr.clone(),
        column: k.column.clone(),
        desc,
        opclass: None,
        prefix: None,
    }
}

/// Whether a constant predicate makes a good partial-index WHERE: it keeps a small, stable
/// subset (`<>`, IS [NOT] NULL, booleans, equality on a low-cardinality column).
fn partial_worthy(cm: &CostModel, a: &Access, p: &Pred) -> bool {
    if !p.constant || p.join_with.is_some() || p.key.column.is_none() {
        return false;
    }
    match p.op {
        PredOp::NotEq | PredOp::IsNull | PredOp::Bool => true,
        PredOp::IsNotNull => cm.est.null_frac(&a.table, p.key.column.as_deref()) >= 0.3,
        PredOp::Eq | PredOp::In(_) => cm.est.eq_sel(&a.table, p.key.column.as_deref()) >= 0.02,
        _ => false,
    }
}

fn is_text_blob(est: &Estimator, a: &Access, col: &str) -> Option<u64> {
    let c = est.table(&a.table)?.column(col)?;
    let t = &c.data_type;
    let name = t.name.to_ascii_lowercase();
    if matches!(t.family, TypeFamily::Text | TypeFamily::Binary) {
        if name.contains("text") || name.contains("blob") {
            return Some(191);
        }
        // InnoDB keys are at most 3072 bytes: 768 utf8mb4 characters.
        if let Some(l) = t.length
            && l > 768
        {
            return Some(191);
        }
    }
    None
}

/// Build candidates for one access; pushes into `out`.
pub fn for_access(cm: &CostModel, f: &Features, a: &Access, out: &mut Vec<Shape>) {
    let est = cm.est;
    let new = |keys: Vec<ShapeKey>, why: String, kind: Vec<&'static str>| Shape {
        name: String::new(),
        table: a.table.clone(),
        keys,
        include: Vec::new(),
        predicate: None,
        method: "btree".into(),
        unique: false,
        existing: false,
        why,
        kind,
    };
    let usable_key = |k: &KeyExpr| k.column.is_some() || f.expression;
    // Equality and range predicates on this table alone.
    let mut eqs: Vec<(&Pred, f64)> = a
        .preds
        .iter()
        .filter(|p| p.join_with.is_none() && p.op.is_equality() && usable_key(&p.key))
        .map(|p| {
            let s = match p.op {
                PredOp::In(n) => est.eq_sel(&a.table, p.key.column.as_deref()) * n as f64,
                PredOp::Bool => 0.5,
                PredOp::IsNull => est.null_frac(&a.table, p.key.column.as_deref()),
                _ => est.eq_sel(&a.table, p.key.column.as_deref()),
            };
            (p, s)
        })
        .collect();
    eqs.sort_by(|x, y| x.1.total_cmp(&y.1));
    eqs.dedup_by(|x, y| x.0.key == y.0.key);
    let ranges: Vec<&Pred> = a
        .preds
        .iter()
        .filter(|p| {
            p.join_with.is_none()
                && p.op.is_range()
                && usable_key(&p.key)
                && !(p.op == PredOp::Prefix && f.dialect != Dialect::Mysql)
        })
        .collect();
    let order: Vec<(KeyExpr, bool)> = if !a.order.is_empty() {
        a.order.clone()
    } else {
        a.group.iter().map(|k| (k.clone(), false)).collect()
    };
    let order_ok = order.iter().all(|(k, _)| usable_key(k));

    // Partial-index WHERE candidates (a constant predicate moves out of the keys).
    let partials: Vec<&Pred> = if f.partial {
        a.preds
            .iter()
            .filter(|p| partial_worthy(cm, a, p))
            .collect()
    } else {
        Vec::new()
    };

    let mut variants: Vec<(Option<&Pred>, Vec<&Pred>)> =
        vec![(None, eqs.iter().map(|e| e.0).collect())];
    for p in &partials {
        let rest: Vec<&Pred> = eqs.iter().map(|e| e.0).filter(|e| e.key != p.key).collect();
        variants.push((Some(*p), rest));
    }

    for (partial, eq) in &variants {
        let eq_keys: Vec<ShapeKey> = eq.iter().map(|p| key(&p.key, false)).collect();
        let mut base: Vec<Shape> = Vec::new();
        let why_eq = if eq.is_empty() {
            String::new()
        } else {
            format!(
                "equality on {} first",
                eq.iter()
                    .map(|p| p.key.expr.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        // eq + range
        for r in &ranges {
            if eq.iter().any(|e| e.key == r.key) {
                continue;
            }
            let mut keys = eq_keys.clone();
            keys.push(key(&r.key, false));
            let why = join_why(&why_eq, &format!("then the range on {}", r.key.expr));
            base.push(new(keys, why, vec![]));
        }
        // eq + order
        if !order.is_empty() && order_ok {
            let mut keys = eq_keys.clone();
            for (k, d) in &order {
                if !keys.iter().any(|x| x.expr == k.expr) {
                    keys.push(key(k, *d));
                }
            }
            let why = join_why(
                &why_eq,
                &format!(
                    "then the sort on {} so the scan returns rows in order{}",
                    order
                        .iter()
                        .map(|(k, d)| format!("{}{}", k.expr, if *d { " DESC" } else { "" }))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if a.limit.is_some() {
                        " and stops at LIMIT"
                    } else {
                        ""
                    }
                ),
            );
            base.push(new(keys, why, vec![]));
        }
        // eq only
        if !eq_keys.is_empty() {
            base.push(new(eq_keys.clone(), why_eq.clone(), vec![]));
        }
        // the most selective equality alone (serves more queries)
        if eq_keys.len() > 1 {
            base.push(new(
                vec![eq_keys[0].clone()],
                format!("equality on {}, the most selective column", eq[0].key.expr),
                vec![],
            ));
        }
        // join columns: equality keys, then the join column (inner side of a nested loop)
        for j in a.preds.iter().filter(|p| p.join_with.is_some()) {
            if let Some(c) = &j.key.column {
                let mut keys: Vec<ShapeKey> = eq_keys.clone();
                if !keys.iter().any(|k| k.column.as_deref() == Some(c)) {
                    keys.push(key(&j.key, false));
                }
                base.push(new(
                    keys,
                    join_why(&why_eq, &format!("join column {c} for nested-loop lookups")),
                    vec!["join"],
                ));
                if !eq_keys.is_empty() {
                    base.push(new(
                        vec![key(&j.key, false)],
                        format!("join column {c} for nested-loop lookups"),
                        vec!["join"],
                    ));
                }
            }
        }
        // all join columns to the same partner together (a composite key lookup), then a range
        let mut partners: Vec<usize> = a.preds.iter().filter_map(|p| p.join_with).collect();
        partners.sort_unstable();
        partners.dedup();
        for w in partners {
            let cols: Vec<&Pred> = a
                .preds
                .iter()
                .filter(|p| p.join_with == Some(w) && p.key.column.is_some())
                .collect();
            if cols.len() < 2 {
                continue;
            }
            let mut keys: Vec<ShapeKey> = eq_keys.clone();
            for j in &cols {
                if !keys.iter().any(|k| k.column == j.key.column) {
                    keys.push(key(&j.key, false));
                }
            }
            let names: Vec<String> = cols.iter().map(|j| j.key.expr.clone()).collect();
            base.push(new(
                keys.clone(),
                join_why(
                    &why_eq,
                    &format!("join columns {} for nested-loop lookups", names.join(", ")),
                ),
                vec!["join"],
            ));
            if let Some(r) = ranges.first() {
                let mut k2 = keys;
                k2.push(key(&r.key, false));
                base.push(new(
                    k2,
                    join_why(
                        &why_eq,
                        &format!(
                            "join columns {}, then the range on {}",
                            names.join(", "),
                            r.key.expr
                        ),
                    ),
                    vec!["join"],
                ));
            }
        }
        // a partial index with no remaining keys: index the sort or the join instead
        if let Some(p) = partial {
            if base.is_empty() {
                continue;
            }
            for b in &mut base {
                b.predicate = Some(p.text.clone());
                b.why = join_why(
                    &b.why,
                    &format!(
                        "partial: only rows where {} (the query's constant predicate)",
                        p.text
                    ),
                );
                b.kind.push("partial");
            }
        }
        for mut b in base {
            if b.keys.is_empty() {
                continue;
            }
            for k in &b.keys {
                if k.column.is_none() && !b.kind.contains(&"expression") {
                    b.kind.push("expression");
                }
            }
            if f.dialect == Dialect::Mysql {
                for k in &mut b.keys {
                    if let Some(c) = &k.column {
                        k.prefix = is_text_blob(est, a, c);
                    }
                }
                if b.keys.iter().any(|k| k.prefix.is_some()) {
                    b.kind.push("prefix");
                }
                b.keys.truncate(16);
            }
            if f.dialect == Dialect::Postgres {
                b.keys.truncate(32);
            }
            // Covering variant: the other columns the query reads, as INCLUDE.
            if f.include && !a.star {
                let extra: Vec<String> = a
                    .columns
                    .iter()
                    .filter(|c| {
                        partial
                            .and_then(|p| p.key.column.as_ref())
                            .is_none_or(|pc| !pc.eq_ignore_ascii_case(c))
                    })
                    .filter(|c| {
                        !b.keys.iter().any(|k| {
                            k.column
                                .as_deref()
                                .is_some_and(|x| x.eq_ignore_ascii_case(c))
                        })
                    })
                    .cloned()
                    .collect();
                let wide = extra.iter().any(|c| {
                    est.table(&a.table)
                        .and_then(|t| t.column(c))
                        .is_some_and(|col| {
                            matches!(
                                col.data_type.family,
                                TypeFamily::Json | TypeFamily::Array | TypeFamily::FullText
                            )
                        })
                });
                if !extra.is_empty()
                    && extra.len() <= 4
                    && !wide
                    && b.keys.len() + extra.len() <= 32
                {
                    let mut cov = b.clone();
                    cov.include = extra;
                    cov.why = join_why(
                        &cov.why,
                        "INCLUDE the other columns the query reads, for an index-only scan",
                    );
                    cov.kind.push("covering");
                    out.push(cov);
                }
            }
            out.push(b);
        }
    }

    // Inverted indexes.
    for p in a.preds.iter().filter(|p| p.op.is_inverted()) {
        match (f.dialect, p.op) {
            (Dialect::Postgres, PredOp::Contains | PredOp::Prefix) if p.key.column.is_some() => {
                let mut k = key(&p.key, false);
                k.opclass = Some("gin_trgm_ops".into());
                let mut s = new(
                    vec![k],
                    format!("trigram GIN for the unanchored pattern on {}", p.key.expr),
                    vec!["gin", "trigram"],
                );
                s.method = "gin".into();
                out.push(s);
            }
            (Dialect::Postgres, PredOp::JsonContains | PredOp::JsonKey | PredOp::ArrayOverlap) => {
                let mut k = key(&p.key, false);
                if p.op == PredOp::JsonContains
                    && !a
                        .preds
                        .iter()
                        .any(|x| x.op == PredOp::JsonKey && x.key == p.key)
                {
                    k.opclass = Some("jsonb_path_ops".into());
                }
                let what = if p.op == PredOp::ArrayOverlap {
                    "array"
                } else {
                    "jsonb"
                };
                let mut s = new(
                    vec![k],
                    format!("GIN for {what} operators on {}", p.key.expr),
                    vec!["gin"],
                );
                s.method = "gin".into();
                out.push(s);
            }
            (Dialect::Postgres, PredOp::FullText) => {
                let lhs = p.text.split("@@").next().unwrap_or("").trim().to_string();
                let col_side = if p.key.column.is_some() {
                    p.key.expr.clone()
                } else {
                    lhs
                };
                if col_side.is_empty() {
                    continue;
                }
                let k = ShapeKey {
                    expr: col_side.clone(),
                    column: p.key.column.clone(),
                    desc: false,
                    opclass: None,
                    prefix: None,
                };
                let mut s = new(
                    vec![k],
                    format!("GIN on the tsvector {col_side} for full-text search"),
                    vec!["gin", "full-text"],
                );
                s.method = "gin".into();
                out.push(s);
            }
            (Dialect::Mysql, PredOp::MatchAgainst) => {
                let keys = p
                    .extra
                    .iter()
                    .map(|c| ShapeKey {
                        expr: c.clone(),
                        column: Some(c.clone()),
                        desc: false,
                        opclass: None,
                        prefix: None,
                    })
                    .collect();
                let mut s = new(
                    keys,
                    "FULLTEXT on exactly the MATCH columns".into(),
                    vec!["fulltext"],
                );
                s.method = "fulltext".into();
                out.push(s);
            }
            _ => {}
        }
    }
}

fn join_why(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}, {b}"),
    }
}

/// All candidates of the workload, de-duplicated and without those an existing index equals.
pub fn generate(
    cm: &CostModel,
    f: &Features,
    queries: &[QueryModel],
    existing: &[Shape],
) -> Vec<Shape> {
    let mut out = Vec::new();
    for q in queries {
        for a in &q.accesses {
            if cm.est.table(&a.table).is_none() && cm.est.cat.is_some() {
                continue;
            }
            for_access(cm, f, a, &mut out);
        }
    }
    let mut seen: std::collections::BTreeSet<String> =
        existing.iter().map(|s| s.signature()).collect();
    out.retain(|s| seen.insert(s.signature()));
    out
}

//! The review of a designed schema, as ONE call: [`review`]. Until the `review` module (branch
//! `review`, 40+ rules) is merged, it runs the structural checks below on the catalog parsed back
//! from the emitted DDL; at merge the lead replaces the body with the review module's call and
//! keeps the signature.

use crate::catalog::{Catalog, IndexOrigin};
use crate::sql::ParsedSql;
use schemars::JsonSchema;
use serde::Serialize;

/// Review of the result.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct DesignReview {
    pub source: String,
    pub passed: Vec<String>,
    pub problems: Vec<String>,
}

impl DesignReview {
    pub fn clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Review a schema given as its parsed DDL and catalog.
pub fn review(parsed: &ParsedSql, cat: &Catalog) -> DesignReview {
    let mut r = DesignReview {
        source: "structural checks on the catalog parsed back from the DDL (the full rule set of KD-db-review is wired in when the review module is merged)".into(),
        ..Default::default()
    };
    let syntax = parsed.syntax_findings();
    if syntax.is_empty() && parsed.stats.failed == 0 {
        r.passed
            .push(format!("all {} statements parse", parsed.stats.statements));
    } else {
        for f in syntax {
            r.problems.push(format!(
                "{} {}: {}",
                f.span.as_ref().map(|s| s.location()).unwrap_or_default(),
                f.id,
                f.message
            ));
        }
    }
    for n in &cat.notes {
        r.problems.push(format!("catalog: {}", n.message));
    }
    let without_pk: Vec<String> = cat
        .tables
        .iter()
        .filter(|t| t.primary_key.is_none() && t.kind != crate::catalog::TableKind::Virtual)
        .map(|t| t.name.to_string())
        .collect();
    if without_pk.is_empty() {
        r.passed.push(format!(
            "every table has a primary key ({} tables)",
            cat.tables.len()
        ));
    } else {
        r.problems.push(format!(
            "tables without a primary key: {}",
            without_pk.join(", ")
        ));
    }
    let mut fks = 0;
    for t in &cat.tables {
        for fk in &t.foreign_keys {
            fks += 1;
            if !fk_covered(cat, t, &fk.columns) {
                r.problems.push(format!(
                    "foreign key {}.{} ({}) has no index with those leading columns",
                    t.name,
                    fk.name,
                    fk.columns.join(", ")
                ));
            }
            if let Some(parent) = cat.table(&fk.ref_table) {
                for (c, rc) in fk.columns.iter().zip(&fk.ref_columns) {
                    let (Some(a), Some(b)) = (t.column(c), parent.column(rc)) else {
                        continue;
                    };
                    let norm = |s: &str| match s {
                        "bigserial" => "bigint".to_string(),
                        "serial" => "integer".to_string(),
                        x => x.to_string(),
                    };
                    if norm(&a.data_type.name) != norm(&b.data_type.name) {
                        r.problems.push(format!(
                            "foreign key {}.{} is {} but {}.{} is {}",
                            t.name, c, a.data_type.name, parent.name, rc, b.data_type.name
                        ));
                    }
                }
            }
        }
    }
    if !r.problems.iter().any(|p| p.starts_with("foreign key")) {
        r.passed.push(format!(
            "every foreign key ({fks}) has an index on its leading columns and matches the referenced column type"
        ));
    }
    // Redundant indexes: an index whose keys are a leading part of another's, same predicate.
    let mut redundant = Vec::new();
    for a in &cat.indexes {
        if a.unique || a.method != "btree" || a.origin != IndexOrigin::Explicit {
            continue;
        }
        for b in &cat.indexes {
            if std::ptr::eq(a, b) || !cat.name_eq(&a.table, &b.table) || b.method != "btree" {
                continue;
            }
            if a.predicate == b.predicate
                && b.keys.len() >= a.keys.len()
                && a.keys.iter().zip(&b.keys).all(|(x, y)| {
                    x.column.is_some()
                        && x.column == y.column
                        && x.descending == y.descending
                        && x.opclass == y.opclass
                })
                && (b.keys.len() > a.keys.len() || b.unique || a.name > b.name)
            {
                redundant.push(format!("{} (covered by {})", a.name, b.name));
                break;
            }
        }
    }
    if redundant.is_empty() {
        r.passed
            .push(format!("no redundant index among {}", cat.indexes.len()));
    } else {
        r.problems
            .push(format!("redundant indexes: {}", redundant.join(", ")));
    }
    r
}

/// Whether some index of `t` has `cols` (in any order) as its leading columns and covers all
/// rows (no predicate, not full-text).
pub fn fk_covered(cat: &Catalog, t: &crate::catalog::Table, cols: &[String]) -> bool {
    cat.indexes_of(&t.name).any(|i| {
        i.predicate.is_none()
            && i.method != "fulltext"
            && i.method != "gin"
            && i.keys.len() >= cols.len()
            && i.keys[..cols.len()].iter().all(|k| {
                k.column
                    .as_deref()
                    .is_some_and(|kc| cols.iter().any(|c| cat.ident_eq(c, kc)))
            })
    })
}

//! Existing indexes that cost writes and space for nothing: exact duplicates (IDX001), left-prefix
//! redundant ones (IDX002) and unique indexes that repeat the primary key (IDX003). Computed from
//! the catalog alone, so the review capability can call [`findings`] too. The workload-dependent
//! rules (IDX006+) are in `super::rules` and reported by the advisor.

use super::ddl::drop_existing;
use super::rules::{IDX001, IDX002, IDX003};
use crate::catalog::{Catalog, Index, IndexOrigin};
use crate::findings::{Finding, Fix};
use crate::sql::Dialect;

fn key_sig(i: &Index) -> Vec<String> {
    i.keys
        .iter()
        .map(|k| {
            format!(
                "{}|{}|{}|{}",
                super::plan::norm(&k.expr),
                k.descending,
                k.opclass.as_deref().unwrap_or("").to_ascii_lowercase(),
                k.prefix_length.unwrap_or(0)
            )
        })
        .collect()
}

fn same_extras(a: &Index, b: &Index) -> bool {
    a.method.eq_ignore_ascii_case(&b.method)
        && a.predicate.as_deref().map(super::plan::norm)
            == b.predicate.as_deref().map(super::plan::norm)
}

fn def(i: &Index) -> String {
    format!(
        "{}{}({}){}{}",
        if i.unique { "UNIQUE " } else { "" },
        if !i.method.eq_ignore_ascii_case("btree") {
            format!("USING {} ", i.method)
        } else {
            String::new()
        },
        i.keys
            .iter()
            .map(|k| k.expr.clone())
            .collect::<Vec<_>>()
            .join(", "),
        if i.include.is_empty() {
            String::new()
        } else {
            format!(" INCLUDE ({})", i.include.join(", "))
        },
        i.predicate
            .as_deref()
            .map(|p| format!(" WHERE {p}"))
            .unwrap_or_default()
    )
}

/// Which of two equivalent indexes to keep: constraint-backed ones first, then the earlier.
fn keep_first(a: &Index, b: &Index) -> bool {
    let rank = |i: &Index| match i.origin {
        IndexOrigin::PrimaryKey => 0,
        IndexOrigin::Unique | IndexOrigin::Exclusion => 1,
        IndexOrigin::ForeignKey => 3,
        IndexOrigin::Explicit => 2,
    };
    rank(a) <= rank(b)
}

fn droppable(i: &Index) -> bool {
    i.inherited_from.is_none() && i.origin != IndexOrigin::PrimaryKey
}

/// IDX001–IDX003 for every table of the catalog.
pub fn findings(cat: &Catalog, dialect: Dialect) -> Vec<Finding> {
    let mut v: Vec<Finding> = with_index(cat, dialect).into_iter().map(|x| x.1).collect();
    v.sort_by_key(|f| f.sort_key());
    v
}

/// The same findings, each with the position in `cat.indexes` of the index to drop.
pub fn with_index(cat: &Catalog, dialect: Dialect) -> Vec<(usize, Finding)> {
    let mut out: Vec<(usize, Finding)> = Vec::new();
    let mut reported: Vec<usize> = Vec::new();
    let idx: Vec<(usize, &Index)> = cat
        .indexes
        .iter()
        .enumerate()
        .filter(|(_, i)| i.inherited_from.is_none())
        .collect();
    // IDX001: same keys, method, predicate (INCLUDE and uniqueness may differ: the keeper is the
    // one with the stronger guarantee).
    for (x, &(ia, a)) in idx.iter().enumerate() {
        for &(ib, b) in &idx[x + 1..] {
            if !cat.name_eq(&a.table, &b.table) || key_sig(a) != key_sig(b) || !same_extras(a, b) {
                continue;
            }
            let (keep, dropx, di) = if keep_first(a, b) && (a.unique || !b.unique) {
                (a, b, ib)
            } else {
                (b, a, ia)
            };
            // A unique index repeating the primary key is IDX003's.
            if keep.origin == IndexOrigin::PrimaryKey && dropx.unique {
                continue;
            }
            if !droppable(dropx) || reported.contains(&di) {
                continue;
            }
            let include_lost = dropx
                .include
                .iter()
                .any(|c| !keep.include.iter().any(|k| k.eq_ignore_ascii_case(c)));
            if include_lost || (dropx.unique && !keep.unique) {
                continue;
            }
            reported.push(di);
            let mut f = IDX001.finding(
                format!(
                    "index {} on {} duplicates {} {}",
                    dropx.name,
                    dropx.table,
                    keep.name,
                    def(keep)
                ),
                dropx.span.clone().or_else(|| keep.span.clone()),
                format!(
                    "Both indexes hold the same keys, so every write maintains two copies and the planner only ever needs one. Drop {} and keep {}.",
                    dropx.name, keep.name
                ),
            );
            f.fix = Some(Fix {
                title: format!("drop the duplicate index {}", dropx.name),
                sql: drop_existing(cat, dialect, dropx),
            });
            out.push((di, f));
        }
    }
    // IDX002: a B-tree whose keys are a strict left prefix of another B-tree's.
    for &(ia, a) in &idx {
        if reported.contains(&ia)
            || a.unique
            || !droppable(a)
            || !a.method.eq_ignore_ascii_case("btree")
        {
            continue;
        }
        let sa = key_sig(a);
        let longer = idx.iter().find(|(ib, b)| {
            *ib != ia
                && cat.name_eq(&a.table, &b.table)
                && b.method.eq_ignore_ascii_case("btree")
                && same_extras(a, b)
                && b.keys.len() > a.keys.len()
                && key_sig(b)[..sa.len()] == sa[..]
                && a.include.iter().all(|c| {
                    b.keys.iter().any(|k| k.expr.eq_ignore_ascii_case(c))
                        || b.include.iter().any(|k| k.eq_ignore_ascii_case(c))
                })
        });
        let Some(&(_, b)) = longer else { continue };
        reported.push(ia);
        let mut f = IDX002.finding(
            format!(
                "index {} {} on {} is a left prefix of {} {}",
                a.name,
                def(a),
                a.table,
                b.name,
                def(b)
            ),
            a.span.clone(),
            format!(
                "A B-tree serves every search on a left prefix of its keys, so {} answers what {} does. Drop {} unless a measured plan shows the narrower index matters (it is smaller, so a few scans are cheaper).",
                b.name, a.name, a.name
            ),
        );
        f.fix = Some(Fix {
            title: format!("drop the redundant index {}", a.name),
            sql: drop_existing(cat, dialect, a),
        });
        out.push((ia, f));
    }
    // IDX003: a unique index on exactly the primary key's columns.
    for t in &cat.tables {
        let Some(pk) = &t.primary_key else { continue };
        let mut pkc: Vec<String> = pk.columns.iter().map(|c| c.to_ascii_lowercase()).collect();
        pkc.sort();
        for &(ii, i) in &idx {
            if !cat.name_eq(&i.table, &t.name)
                || !i.unique
                || i.origin == IndexOrigin::PrimaryKey
                || i.predicate.is_some()
                || reported.contains(&ii)
                || !droppable(i)
            {
                continue;
            }
            let Some(cols) = i.columns() else { continue };
            let mut c: Vec<String> = cols.iter().map(|c| c.to_ascii_lowercase()).collect();
            c.sort();
            if c != pkc {
                continue;
            }
            reported.push(ii);
            let mut f = IDX003.finding(
                format!(
                    "unique index {} on {} repeats the primary key ({})",
                    i.name,
                    t.name,
                    pk.columns.join(", ")
                ),
                i.span.clone().or_else(|| pk.span.clone()),
                "The primary key already guarantees uniqueness of these columns and has its own index; the second unique index doubles the write cost and the space. Drop it (if a foreign key references it, point the foreign key at the primary key first).",
            );
            f.fix = Some(Fix {
                title: format!("drop {}", i.name),
                sql: drop_existing(cat, dialect, i),
            });
            out.push((ii, f));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::DialectChoice;

    #[test]
    fn duplicate_prefix_and_pk_copies() {
        let cat = crate::catalog::from_sql(
            "create table t (id int primary key, a int, b int, c int);
             create index t_a on t (a);
             create index t_a2 on t (a);
             create index t_ab on t (a, b);
             create unique index t_id on t (id);
             create index t_b on t (b);
             create index t_bd on t (b desc, c);",
            DialectChoice::Postgres,
        )
        .unwrap();
        let f = findings(&cat, Dialect::Postgres);
        let ids: Vec<(&str, String)> = f
            .iter()
            .map(|f| (f.id.as_str(), f.message.clone()))
            .collect();
        assert!(
            ids.iter()
                .any(|(i, m)| *i == "IDX001" && m.contains("t_a2")),
            "{ids:?}"
        );
        assert!(
            ids.iter()
                .any(|(i, m)| *i == "IDX002" && m.starts_with("index t_a ")),
            "{ids:?}"
        );
        assert!(
            ids.iter()
                .any(|(i, m)| *i == "IDX003" && m.contains("t_id")),
            "{ids:?}"
        );
        // t_b is not a prefix of (b DESC, c).
        assert!(
            !ids.iter().any(|(_, m)| m.starts_with("index t_b ")),
            "{ids:?}"
        );
        assert_eq!(f.len(), 3, "{ids:?}");
        assert!(f.iter().all(|f| f.span.is_some() && f.fix.is_some()));
    }
}

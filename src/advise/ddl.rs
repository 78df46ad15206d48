//! CREATE INDEX and DROP INDEX per engine: PostgreSQL `CONCURRENTLY` (no write lock; not inside a
//! transaction block), MySQL/MariaDB online DDL `ALGORITHM=INPLACE, LOCK=NONE` (FULLTEXT needs
//! `LOCK=SHARED`), SQLite plain statements.

use super::plan::Shape;
use crate::catalog::{Catalog, Index, IndexOrigin, Name};
use crate::sql::Dialect;

const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "index",
    "initially",
    "intersect",
    "into",
    "key",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
    "range",
    "rank",
    "rows",
    "interval",
    "match",
    "condition",
];

/// Quote an identifier when the engine needs it.
pub fn quote(d: Dialect, s: &str) -> String {
    let simple = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED.contains(&s);
    let simple_ci = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str());
    match d {
        Dialect::Postgres => {
            if simple {
                s.to_string()
            } else {
                format!("\"{}\"", s.replace('"', "\"\""))
            }
        }
        Dialect::Mysql => {
            if simple_ci {
                s.to_string()
            } else {
                format!("`{}`", s.replace('`', "``"))
            }
        }
        _ => {
            if simple_ci {
                s.to_string()
            } else {
                format!("\"{}\"", s.replace('"', "\"\""))
            }
        }
    }
}

pub fn table_ref(d: Dialect, t: &Name) -> String {
    if t.schema.is_empty() || t.schema == d.default_schema() {
        quote(d, &t.name)
    } else {
        format!("{}.{}", quote(d, &t.schema), quote(d, &t.name))
    }
}

/// A name for a new index: `<table>_<keys>_idx`, within the engine's length limit and unique
/// among `taken`.
pub fn index_name(s: &Shape, taken: &mut Vec<String>) -> String {
    let mut parts = vec![s.table.name.to_ascii_lowercase()];
    for k in &s.keys {
        let label = match &k.column {
            Some(c) => c.to_ascii_lowercase(),
            None => k
                .expr
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .filter(|w| !w.is_empty())
                .take(2)
                .collect::<Vec<_>>()
                .join("_")
                .to_ascii_lowercase(),
        };
        parts.push(label);
    }
    if s.predicate.is_some() {
        parts.push("part".into());
    }
    let suffix = match s.method.as_str() {
        "gin" => "gin",
        "fulltext" => "ft",
        _ => "idx",
    };
    let mut base: String = parts
        .join("_")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    base.truncate(55);
    let mut name = format!("{base}_{suffix}");
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base}_{suffix}{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

fn key_sql(d: Dialect, s: &Shape) -> Vec<String> {
    s.keys
        .iter()
        .map(|k| {
            let mut out = match &k.column {
                Some(c) => quote(d, c),
                None => format!("({})", k.expr),
            };
            if let Some(p) = k.prefix {
                out.push_str(&format!("({p})"));
            }
            if let Some(o) = &k.opclass {
                out.push(' ');
                out.push_str(o);
            }
            if k.desc {
                out.push_str(" DESC");
            }
            out
        })
        .collect()
}

/// The statement that creates `s`, and what must run before it (an extension).
pub fn create(d: Dialect, s: &Shape) -> (String, Vec<String>) {
    let keys = key_sql(d, s).join(", ");
    let mut pre = Vec::new();
    if s.keys
        .iter()
        .any(|k| k.opclass.as_deref().is_some_and(|o| o.contains("trgm")))
    {
        pre.push("CREATE EXTENSION IF NOT EXISTS pg_trgm;".to_string());
    }
    let sql = match d {
        Dialect::Postgres => {
            let mut x = format!(
                "CREATE {}INDEX CONCURRENTLY IF NOT EXISTS {} ON {}{} ({keys})",
                if s.unique { "UNIQUE " } else { "" },
                quote(d, &s.name),
                table_ref(d, &s.table),
                if s.method != "btree" {
                    format!(" USING {}", s.method)
                } else {
                    String::new()
                }
            );
            if !s.include.is_empty() {
                x.push_str(&format!(
                    " INCLUDE ({})",
                    s.include
                        .iter()
                        .map(|c| quote(d, c))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if let Some(p) = &s.predicate {
                x.push_str(&format!(" WHERE {p}"));
            }
            x + ";"
        }
        Dialect::Mysql => {
            let kind = match s.method.as_str() {
                "fulltext" => "FULLTEXT INDEX",
                _ if s.unique => "UNIQUE INDEX",
                _ => "INDEX",
            };
            let lock = if s.method == "fulltext" {
                "SHARED"
            } else {
                "NONE"
            };
            format!(
                "ALTER TABLE {} ADD {kind} {} ({keys}), ALGORITHM=INPLACE, LOCK={lock};",
                table_ref(d, &s.table),
                quote(d, &s.name)
            )
        }
        _ => {
            let mut x = format!(
                "CREATE {}INDEX IF NOT EXISTS {} ON {} ({keys})",
                if s.unique { "UNIQUE " } else { "" },
                quote(d, &s.name),
                table_ref(d, &s.table)
            );
            if let Some(p) = &s.predicate {
                x.push_str(&format!(" WHERE {p}"));
            }
            x + ";"
        }
    };
    (sql, pre)
}

/// The implicit foreign-key index MySQL/MariaDB drops when `s` is created (InnoDB silently
/// removes its own FK index once another index can enforce the foreign key).
pub fn mysql_fk_index<'c>(cat: Option<&'c Catalog>, s: &Shape) -> Option<&'c Index> {
    let cat = cat?;
    let cols: Vec<String> = s
        .keys
        .iter()
        .map_while(|k| {
            if k.prefix.is_some() {
                None
            } else {
                k.column.as_ref().map(|c| c.to_ascii_lowercase())
            }
        })
        .collect();
    cat.indexes.iter().find(|i| {
        cat.name_eq(&i.table, &s.table)
            && i.origin == IndexOrigin::ForeignKey
            && i.columns().is_some_and(|c| {
                c.len() <= cols.len() && c.iter().zip(&cols).all(|(a, b)| a.eq_ignore_ascii_case(b))
            })
    })
}

/// Rollback of a created index.
pub fn drop_new(d: Dialect, s: &Shape, cat: Option<&Catalog>) -> String {
    if d == Dialect::Mysql
        && let Some(fk) = mysql_fk_index(cat, s)
    {
        // The foreign key needs an index: put the implicit one back in the same statement.
        return format!(
            "ALTER TABLE {} ADD INDEX {} ({}), DROP INDEX {}, ALGORITHM=INPLACE, LOCK=NONE;",
            table_ref(d, &s.table),
            quote(d, &fk.name),
            fk.keys
                .iter()
                .map(|k| quote(d, &k.expr))
                .collect::<Vec<_>>()
                .join(", "),
            quote(d, &s.name)
        );
    }
    match d {
        Dialect::Postgres => format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {};",
            qualified_index(d, &s.table, &s.name)
        ),
        Dialect::Mysql => format!(
            "ALTER TABLE {} DROP INDEX {}, ALGORITHM=INPLACE, LOCK=NONE;",
            table_ref(d, &s.table),
            quote(d, &s.name)
        ),
        _ => format!("DROP INDEX IF EXISTS {};", quote(d, &s.name)),
    }
}

fn qualified_index(d: Dialect, t: &Name, name: &str) -> String {
    if t.schema.is_empty() || t.schema == d.default_schema() {
        quote(d, name)
    } else {
        format!("{}.{}", quote(d, &t.schema), quote(d, name))
    }
}

/// How to drop an existing index: DROP INDEX, or the constraint behind it.
pub fn drop_existing(cat: &Catalog, d: Dialect, i: &Index) -> String {
    match (i.origin, d) {
        (IndexOrigin::Unique | IndexOrigin::PrimaryKey, Dialect::Postgres) => {
            format!(
                "ALTER TABLE {} DROP CONSTRAINT {};",
                table_ref(d, &i.table),
                quote(d, &i.name)
            )
        }
        (IndexOrigin::Unique | IndexOrigin::PrimaryKey, Dialect::Sqlite) => {
            let _ = cat;
            format!(
                "-- {} backs a UNIQUE constraint of {}: SQLite cannot drop it; rebuild the table without the constraint",
                i.name, i.table
            )
        }
        (_, Dialect::Postgres) => format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {};",
            qualified_index(d, &i.table, &i.name)
        ),
        (_, Dialect::Mysql) => format!(
            "ALTER TABLE {} DROP INDEX {}, ALGORITHM=INPLACE, LOCK=NONE;",
            table_ref(d, &i.table),
            quote(d, &i.name)
        ),
        _ => format!("DROP INDEX IF EXISTS {};", quote(d, &i.name)),
    }
}

//! KD-db-review against the truth the engines report: each corpus schema is loaded into a fresh
//! PostgreSQL / MariaDB database (SQLite in memory), the engine's own catalog says which tables
//! have a primary key and which foreign keys have an index whose leading columns are the FK's
//! columns, and the review's SCH001 (no primary key) and SCH002 (FK without index) findings must
//! agree with it, both ways: no finding where the engine disagrees, and a finding for every
//! table / FK the engine shows without one.

mod common;

use kd_dba::limits::Limits;
use kd_dba::review::{self, Options};
use kd_dba::sql::{DialectChoice, Source};
use std::collections::BTreeSet;

fn replace_required(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "adjustment no longer applies: {from:?}"
    );
    text.replace(from, to)
}

fn drop_lines(text: &str, prefixes: &[&str]) -> String {
    text.lines()
        .filter(|l| {
            let t = l.trim_start().to_ascii_lowercase();
            !prefixes
                .iter()
                .any(|p| t.starts_with(&p.to_ascii_lowercase()))
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// What the review says: tables without a PK, and FKs (table, sorted columns) without an index.
struct Said {
    no_pk: BTreeSet<String>,
    fk_no_index: BTreeSet<(String, String)>,
    findings: usize,
}

fn review_of(rel: &str, text: &str, d: DialectChoice) -> Said {
    let rep = review::review_sources(
        &[Source::file(rel, text.to_string())],
        d,
        &Options::default(),
        &Limits::default(),
    )
    .expect("review");
    let mut said = Said {
        no_pk: BTreeSet::new(),
        fk_no_index: BTreeSet::new(),
        findings: rep.findings.len(),
    };
    for f in &rep.findings {
        match f.id.as_str() {
            "SCH001" => {
                let t = f
                    .message
                    .strip_prefix("table ")
                    .and_then(|m| m.strip_suffix(" has no primary key"))
                    .expect("SCH001 message");
                said.no_pk.insert(t.to_string());
            }
            "SCH002" => {
                // "foreign key T(c1, c2) → R has no index ..."
                let m = f
                    .message
                    .strip_prefix("foreign key ")
                    .expect("SCH002 message");
                let (t, rest) = m.split_once('(').expect("(");
                let (cols, _) = rest.split_once(')').expect(")");
                let mut c: Vec<&str> = cols.split(", ").collect();
                c.sort_unstable();
                said.fk_no_index.insert((t.to_string(), c.join(",")));
            }
            _ => {}
        }
    }
    said
}

fn show(n: &str, s: &str) -> String {
    if n == "public" || n.is_empty() {
        s.to_string()
    } else {
        format!("{n}.{s}")
    }
}

fn compare(rel: &str, said: &Said, tables: &[(String, bool)], fks: &[(String, String, bool)]) {
    let mut problems = Vec::new();
    for (t, has_pk) in tables {
        let flagged = said.no_pk.contains(t);
        if *has_pk && flagged {
            problems.push(format!(
                "SCH001 on {t}, which has a primary key in the engine"
            ));
        }
        if !*has_pk && !flagged && !review::schema::tool_table_name(t) {
            problems.push(format!(
                "no SCH001 on {t}, which has no primary key in the engine"
            ));
        }
    }
    for t in &said.no_pk {
        if !tables.iter().any(|(x, _)| x == t) {
            problems.push(format!("SCH001 on {t}, which the engine does not have"));
        }
    }
    for (t, cols, covered) in fks {
        let flagged = said.fk_no_index.contains(&(t.clone(), cols.clone()));
        if *covered && flagged {
            problems.push(format!(
                "SCH002 on {t}({cols}), which an index covers in the engine"
            ));
        }
        if !*covered && !flagged {
            problems.push(format!(
                "no SCH002 on {t}({cols}), which no index covers in the engine"
            ));
        }
    }
    let n_no_pk = tables.iter().filter(|t| !t.1).count();
    let n_uncovered = fks.iter().filter(|f| !f.2).count();
    eprintln!(
        "{rel}: {} tables ({n_no_pk} without PK), {} FKs ({n_uncovered} without index), {} findings",
        tables.len(),
        fks.len(),
        said.findings
    );
    assert!(problems.is_empty(), "{rel}:\n{}", problems.join("\n"));
}

const PG_TABLES: &str = "SELECT n.nspname, c.relname, EXISTS (SELECT 1 FROM pg_constraint p WHERE p.conrelid = c.oid AND p.contype = 'p') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') ORDER BY 1, 2";

const PG_FKS: &str = "SELECT n.nspname, c.relname, (SELECT string_agg(a.attname, ',' ORDER BY a.attname) FROM pg_attribute a WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)), EXISTS (SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam WHERE i.indrelid = con.conrelid AND i.indpred IS NULL AND (am.amname = 'btree' OR (am.amname = 'hash' AND cardinality(con.conkey) = 1)) AND i.indnkeyatts >= cardinality(con.conkey) AND (SELECT array_agg(x ORDER BY x) FROM unnest((i.indkey::int2[])[0:cardinality(con.conkey) - 1]) x) = (SELECT array_agg(y ORDER BY y) FROM unnest(con.conkey) y)) FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE con.contype = 'f' AND con.conparentid = 0 AND NOT c.relispartition ORDER BY 1, 2, 3";

fn check_pg(test: &str, rel: &str, adjust: impl Fn(&str) -> String) {
    let Some(path) = common::corpus_file(rel) else {
        return;
    };
    let Some(pg) = common::postgres() else { return };
    let text = common::read_text(&path);
    let db = pg.fresh_db(test);
    db.load(&adjust(&text))
        .unwrap_or_else(|e| panic!("PostgreSQL could not load {rel}: {e}"));
    let tables: Vec<(String, bool)> = db
        .rows(PG_TABLES)
        .into_iter()
        .map(|r| (show(&r[0], &r[1]), r[2] == "t"))
        .collect();
    let fks: Vec<(String, String, bool)> = db
        .rows(PG_FKS)
        .into_iter()
        .map(|r| (show(&r[0], &r[1]), r[2].clone(), r[3] == "t"))
        .collect();
    assert!(!tables.is_empty(), "{rel}: no tables loaded");
    let said = review_of(rel, &text, DialectChoice::Postgres);
    compare(rel, &said, &tables, &fks);
}

fn check_mysql(test: &str, rel: &str, adjust: impl Fn(&str, &str) -> String) {
    let Some(path) = common::corpus_file(rel) else {
        return;
    };
    let Some(my) = common::mysql() else { return };
    let text = common::read_text(&path);
    let db = my.fresh_db(test);
    db.load(&adjust(&text, &db.name))
        .unwrap_or_else(|e| panic!("MariaDB could not load {rel}: {e}"));
    let tables: Vec<(String, bool)> = db
        .rows("SELECT t.table_name, EXISTS (SELECT 1 FROM information_schema.table_constraints c WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY') FROM information_schema.tables t WHERE t.table_schema = DATABASE() AND t.table_type = 'BASE TABLE' ORDER BY 1")
        .into_iter()
        .map(|r| (r[0].clone(), r[1] == "1"))
        .collect();
    // InnoDB indexes every foreign key itself; the engine's statistics list each index's columns.
    let fk_rows = db.rows("SELECT k.table_name, k.constraint_name, GROUP_CONCAT(k.column_name ORDER BY k.column_name) FROM information_schema.key_column_usage k WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL GROUP BY k.table_name, k.constraint_name");
    let idx_rows = db.rows("SELECT table_name, index_name, seq_in_index, column_name FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY table_name, index_name, seq_in_index");
    let fks: Vec<(String, String, bool)> = fk_rows
        .into_iter()
        .map(|r| {
            let cols: Vec<&str> = r[2].split(',').collect();
            let mut idx: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
            for i in idx_rows.iter().filter(|i| i[0] == r[0]) {
                idx.entry(i[1].as_str()).or_default().push(i[3].as_str());
            }
            let covered = idx.values().any(|keys| {
                keys.len() >= cols.len() && {
                    let mut lead: Vec<&str> = keys[..cols.len()].to_vec();
                    lead.sort_unstable();
                    lead == cols
                }
            });
            (r[0].clone(), r[2].clone(), covered)
        })
        .collect();
    let said = review_of(rel, &text, DialectChoice::Mysql);
    compare(rel, &said, &tables, &fks);
}

fn check_sqlite(rel: &str) {
    let Some(path) = common::corpus_file(rel) else {
        return;
    };
    let text = common::read_text(&path);
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(&text)
        .unwrap_or_else(|e| panic!("SQLite could not load {rel}: {e}"));
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut tables = Vec::new();
    let mut fks = Vec::new();
    for t in &names {
        let pk: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM pragma_table_info('{t}') WHERE pk > 0"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        tables.push((t.clone(), pk > 0));
        // FK columns grouped by id.
        let rows: Vec<(i64, String)> = conn
            .prepare(&format!(
                "SELECT id, \"from\" FROM pragma_foreign_key_list('{t}') ORDER BY id, seq"
            ))
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut by_id: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
        for (id, c) in rows {
            by_id.entry(id).or_default().push(c);
        }
        // Index key lists (including autoindexes and the rowid alias, which is the table's key).
        let idx: Vec<String> = conn
            .prepare(&format!(
                "SELECT name FROM pragma_index_list('{t}') WHERE partial = 0"
            ))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let keys: Vec<Vec<String>> = idx
            .iter()
            .map(|i| {
                conn.prepare(&format!(
                    "SELECT name FROM pragma_index_info('{i}') ORDER BY seqno"
                ))
                .unwrap()
                .query_map([], |r| r.get::<_, Option<String>>(0))
                .unwrap()
                .map(|x| x.unwrap().unwrap_or_default())
                .collect()
            })
            .collect();
        let rowid_pk: Vec<String> = conn
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{t}') WHERE pk > 0 AND lower(type) = 'integer'"
            ))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (_, mut cols) in by_id {
            cols.sort();
            let covered = keys.iter().chain(std::iter::once(&rowid_pk)).any(|k| {
                k.len() >= cols.len() && {
                    let mut lead = k[..cols.len()].to_vec();
                    lead.sort();
                    lead == cols
                }
            });
            fks.push((t.clone(), cols.join(","), covered));
        }
    }
    let said = review_of(rel, &text, DialectChoice::Sqlite);
    compare(rel, &said, &tables, &fks);
}

#[test]
fn pagila_postgres() {
    check_pg("rv_pagila", "schemas/pagila/pagila-schema.sql", |t| {
        // As in tests/catalog_engines.rs: the dump needs pgvector and PostgreSQL 18.
        let t = replace_required(
            t,
            "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;",
            "",
        );
        let t = replace_required(&t, "COMMENT ON EXTENSION vector IS", "SELECT");
        let t = replace_required(
            &t,
            "embedding public.vector(20) NOT NULL",
            "embedding real[] NOT NULL",
        );
        let t = replace_required(
            &t,
            "USING hnsw (embedding public.vector_cosine_ops)",
            "USING btree (embedding)",
        );
        let t = replace_required(
            &t,
            "round(length / 60.0, 2)) VIRTUAL",
            "round(length / 60.0, 2)) STORED",
        );
        replace_required(&t, "DEFAULT uuidv7()", "DEFAULT gen_random_uuid()")
    });
}

#[test]
fn sakila_postgres() {
    check_pg(
        "rv_sakila",
        "schemas/sakila/postgres-sakila-schema.sql",
        str::to_string,
    );
}

#[test]
fn northwind_postgres() {
    check_pg(
        "rv_northwind",
        "schemas/northwind/northwind.sql",
        str::to_string,
    );
}

#[test]
fn chinook_postgres() {
    check_pg(
        "rv_chinook",
        "schemas/chinook/Chinook_PostgreSql.sql",
        |t| drop_lines(t, &["DROP DATABASE", "CREATE DATABASE", "\\c "]),
    );
}

#[test]
fn danbooru_postgres() {
    check_pg(
        "rv_danbooru",
        "production/danbooru/structure.sql",
        str::to_string,
    );
}

#[test]
fn sakila_mariadb() {
    check_mysql(
        "rv_sakila_my",
        "schemas/sakila/mysql-sakila-schema.sql",
        |t, db| {
            let t = drop_lines(t, &["DROP SCHEMA", "CREATE SCHEMA", "USE "]);
            replace_required(&t, "sakila.", &format!("{db}."))
        },
    );
}

#[test]
fn chinook_mariadb() {
    check_mysql(
        "rv_chinook_my",
        "schemas/chinook/Chinook_MySql.sql",
        |t, _| drop_lines(t, &["DROP DATABASE", "CREATE DATABASE", "USE "]),
    );
}

#[test]
fn sakila_and_chinook_sqlite() {
    check_sqlite("schemas/sakila/sqlite-sakila-schema.sql");
    check_sqlite("schemas/chinook/Chinook_Sqlite.sql");
}

//! Acceptance tests of the schema catalog against the real engines.
//!
//! Each corpus schema is loaded into the engine it was written for (PostgreSQL 15, MariaDB, SQLite
//! through rusqlite) in a fresh database, the engine's own catalog is introspected, and the
//! object counts of the model built from the same file must equal the engine's: tables (base,
//! partitioned and partitions; not views), their columns, primary keys, foreign keys, unique
//! constraints and all their indexes (plus, beyond the brief, views, materialized views and
//! sequences). When a count differs the objects of that category that only one side has are
//! printed, so the cause can be found and fixed in `src/catalog`.
//!
//! Counts are the criterion, and more is checked so that a model that counts right for the wrong
//! reasons fails too: the objects' names and shapes (key columns, referenced table, uniqueness,
//! NOT NULL, partitioning) must match, the front end must have understood every statement the
//! engine ran, and the builder must have applied every one (no catalog notes).
//!
//! The model always reads the file exactly as it is in the corpus. Where the engine cannot load a
//! file as is (database switching, syntax newer than PostgreSQL 15, an extension that is not
//! installed), the test adjusts the text given to the engine only, and every adjustment says what
//! it changes and why; none of them changes the objects compared.
//!
//! Lemmy's 342 migrations are replayed in order into PostgreSQL (each in its own transaction, as
//! diesel runs them) and, as 342 sources, into the model; the sets of (table, column) must be
//! equal, and so must everything else above.
//!
//! Last, small scripts pin one engine rule each (default names, merging, partitions, LIKE, rowid
//! aliases ...), run on the engine and compared the same way.
//!
//! Skips with a printed reason when the corpus or a server is absent (see tests/common).

mod common;

use common::{Engine, TestDb};
use kd_dba::catalog::{self, Catalog, TableKind};
use kd_dba::limits::Limits;
use kd_dba::sql::{DialectChoice, Source, StmtKind};
use std::collections::BTreeSet;
use std::fmt::Write as _;

// ------------------------------------------------------------------------------------------------
// Objects, by category, as comparable keys

const CATEGORIES: [&str; 9] = [
    "tables",
    "columns",
    "primary_keys",
    "foreign_keys",
    "unique_constraints",
    "indexes",
    "views",
    "materialized_views",
    "sequences",
];

/// One entry per object, per category: a key that names the object the way both sides spell it
/// (`schema.table`, `schema.table.column`, `schema.table/constraint` ...) and its shape (columns,
/// referenced table, uniqueness, NOT NULL, partitioning). The counts are the acceptance criterion;
/// names and shapes are compared too, so that a model that counts right for the wrong reasons
/// (a misnamed index, a key on the wrong columns) is caught as well.
#[derive(Default, Debug)]
struct Objects {
    keys: [Vec<String>; 9],
    shapes: [Vec<String>; 9],
}

impl Objects {
    fn push(&mut self, category: &str, key: String, shape: String) {
        let i = CATEGORIES
            .iter()
            .position(|c| *c == category)
            .unwrap_or_else(|| panic!("unknown category {category}"));
        let full = if shape.is_empty() {
            key.clone()
        } else {
            format!("{key} {shape}")
        };
        self.keys[i].push(key);
        self.shapes[i].push(full);
    }
    fn count(&self, i: usize) -> usize {
        self.keys[i].len()
    }
    fn names(&self, i: usize) -> BTreeSet<&str> {
        self.keys[i].iter().map(String::as_str).collect()
    }
    fn shapes(&self, i: usize) -> BTreeSet<&str> {
        self.shapes[i].iter().map(String::as_str).collect()
    }
}

/// Which spelling the keys use: PostgreSQL keeps schemas and exact names; MySQL (its database is
/// our fresh one, the model's is whatever `USE` said) and SQLite compare names case-insensitively.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Postgres,
    Mysql,
    Sqlite,
}

impl Flavor {
    fn table(self, schema: &str, table: &str) -> String {
        match self {
            Flavor::Postgres => format!("{schema}.{table}"),
            Flavor::Mysql | Flavor::Sqlite => table.to_lowercase(),
        }
    }
    fn sub(self, table_key: &str, sep: char, name: &str) -> String {
        self.text(&format!("{table_key}{sep}{name}"))
    }
    fn text(self, s: &str) -> String {
        match self {
            Flavor::Postgres => s.to_string(),
            Flavor::Mysql | Flavor::Sqlite => s.to_lowercase(),
        }
    }
    fn list<S: AsRef<str>>(self, cols: &[S]) -> String {
        let v: Vec<&str> = cols.iter().map(AsRef::as_ref).collect();
        format!("({})", self.text(&v.join(",")))
    }
}

/// The model's objects. SQLite does not name primary keys, foreign keys or unique constraints in
/// its catalog, so for SQLite those are keyed by their columns instead, and a foreign key's shape
/// leaves out the referenced columns (SQLite reports none when the DDL omitted them).
fn model_objects(cat: &Catalog, f: Flavor) -> Objects {
    let mut o = Objects::default();
    for t in &cat.tables {
        let tk = f.table(&t.name.schema, &t.name.name);
        let mut shape = String::new();
        if t.kind == TableKind::Partitioned {
            shape.push_str("partitioned");
        }
        if let Some(p) = &t.partition_of {
            shape.push_str(&format!("partition of {}", f.table(&p.schema, &p.name)));
        }
        o.push("tables", tk.clone(), shape);
        for c in &t.columns {
            let nn = if c.nullable { "" } else { "not null" };
            o.push("columns", f.sub(&tk, '.', &c.name), nn.into());
        }
        if let Some(pk) = &t.primary_key {
            let key = match f {
                Flavor::Sqlite => tk.clone(),
                _ => f.sub(&tk, '/', &pk.name),
            };
            o.push("primary_keys", key, f.list(&pk.columns));
        }
        for fk in &t.foreign_keys {
            let target = f.table(&fk.ref_table.schema, &fk.ref_table.name);
            match f {
                Flavor::Sqlite => o.push(
                    "foreign_keys",
                    format!("{tk}{}->{target}", f.list(&fk.columns)),
                    String::new(),
                ),
                _ => o.push(
                    "foreign_keys",
                    f.sub(&tk, '/', &fk.name),
                    format!(
                        "{}->{target}{}",
                        f.list(&fk.columns),
                        f.list(&fk.ref_columns)
                    ),
                ),
            }
        }
        for u in &t.uniques {
            match f {
                Flavor::Sqlite => o.push(
                    "unique_constraints",
                    format!("{tk}{}", f.list(&u.columns)),
                    String::new(),
                ),
                _ => o.push(
                    "unique_constraints",
                    f.sub(&tk, '/', &u.name),
                    f.list(&u.columns),
                ),
            }
        }
    }
    for v in &cat.views {
        let cat_name = if v.materialized {
            "materialized_views"
        } else {
            "views"
        };
        o.push(
            cat_name,
            f.table(&v.name.schema, &v.name.name),
            String::new(),
        );
    }
    for q in &cat.sequences {
        o.push(
            "sequences",
            f.table(&q.name.schema, &q.name.name),
            String::new(),
        );
    }
    for i in &cat.indexes {
        let tk = f.table(&i.table.schema, &i.table.name);
        let cols: Vec<&str> = i
            .keys
            .iter()
            .map(|k| k.column.as_deref().unwrap_or("<expr>"))
            .collect();
        let u = if i.unique { " unique" } else { "" };
        o.push(
            "indexes",
            f.sub(&tk, '/', &i.name),
            format!("{}{u}", f.list(&cols)),
        );
    }
    o
}

/// Rows `(category, key, shape)` from one engine query.
fn objects_from_rows(rows: Vec<Vec<String>>) -> Objects {
    let mut o = Objects::default();
    for mut r in rows {
        assert!(r.len() == 3 || r.len() == 2, "introspection row {r:?}");
        r.resize(3, String::new());
        let shape = r.pop().unwrap_or_default();
        let key = r.pop().unwrap_or_default();
        o.push(&r[0], key, shape);
    }
    o
}

// ------------------------------------------------------------------------------------------------
// Engine introspection

/// PostgreSQL: every table of every non-system schema, and the indexes of those tables and of
/// materialized views (PostgreSQL indexes a materialized view like a table, and so does the model;
/// pagila has one such index). Tables that belong to an extension are
/// left out (the model does not know what an extension creates). Foreign keys: PostgreSQL 12+
/// adds, for a foreign key that *references* a partitioned table, one internal pg_constraint row
/// per referenced partition on the same referencing table (conparentid set, same conrelid); those
/// are not constraints anyone declared or could drop, so they are not counted. The clones of a
/// foreign key declared on a partitioned table (one per partition, conrelid = the partition) are
/// real constraints of the partitions and are counted.
const PG_INTROSPECT: &str = r#"
WITH t AS (
    SELECT c.oid, n.nspname, c.relname, c.relkind, c.relispartition
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
),
cols AS (
    SELECT attrelid, attnum, attname FROM pg_attribute WHERE attnum > 0
)
SELECT 'tables', t.nspname || '.' || t.relname,
       CASE WHEN t.relkind = 'p' THEN 'partitioned' ELSE '' END
       || COALESCE((SELECT 'partition of ' || pn.nspname || '.' || pc.relname
                    FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent
                    JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                    WHERE h.inhrelid = t.oid AND t.relispartition), '')
FROM t
UNION ALL
SELECT 'columns', t.nspname || '.' || t.relname || '.' || a.attname,
       CASE WHEN a.attnotnull THEN 'not null' ELSE '' END
FROM t JOIN pg_attribute a ON a.attrelid = t.oid
WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT CASE k.contype WHEN 'p' THEN 'primary_keys' WHEN 'f' THEN 'foreign_keys' ELSE 'unique_constraints' END,
       t.nspname || '.' || t.relname || '/' || k.conname,
       '(' || array_to_string(ARRAY(SELECT c.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
                                    JOIN cols c ON c.attrelid = k.conrelid AND c.attnum = u.n ORDER BY u.o), ',') || ')'
       || CASE WHEN k.contype = 'f' THEN
              '->' || (SELECT rn.nspname || '.' || rc.relname FROM pg_class rc
                       JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = k.confrelid)
              || '(' || array_to_string(ARRAY(SELECT c.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
                                              JOIN cols c ON c.attrelid = k.confrelid AND c.attnum = u.n ORDER BY u.o), ',') || ')'
          ELSE '' END
FROM t JOIN pg_constraint k ON k.conrelid = t.oid
WHERE k.contype IN ('p', 'f', 'u')
  AND NOT (k.contype = 'f' AND EXISTS (SELECT 1 FROM pg_constraint p
                                       WHERE p.oid = k.conparentid AND p.conrelid = k.conrelid))
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'views' WHEN 'm' THEN 'materialized_views' ELSE 'sequences' END,
       n.nspname || '.' || c.relname, ''
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'indexes', t.nspname || '.' || t.relname || '/' || ic.relname,
       '(' || array_to_string(ARRAY(SELECT COALESCE(c.attname, '<expr>') FROM unnest(i.indkey) WITH ORDINALITY u(n, o)
                                    LEFT JOIN cols c ON c.attrelid = i.indrelid AND c.attnum = u.n
                                    WHERE u.o <= i.indnkeyatts ORDER BY u.o), ',') || ')'
       || CASE WHEN i.indisunique THEN ' unique' ELSE '' END
FROM (SELECT oid, nspname, relname FROM t
      UNION ALL
      SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'm') t
JOIN pg_index i ON i.indrelid = t.oid JOIN pg_class ic ON ic.oid = i.indexrelid;
"#;

/// MariaDB/MySQL: base tables of the current database (partitions are not tables there).
const MYSQL_INTROSPECT: &str = r#"
SELECT CASE TABLE_TYPE WHEN 'BASE TABLE' THEN 'tables' WHEN 'VIEW' THEN 'views' ELSE 'sequences' END,
       LOWER(TABLE_NAME), '' FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SEQUENCE')
UNION ALL
SELECT 'columns', LOWER(CONCAT(c.TABLE_NAME, '.', c.COLUMN_NAME)), IF(c.IS_NULLABLE = 'NO', 'not null', '')
FROM information_schema.COLUMNS c JOIN information_schema.TABLES t
  ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
UNION ALL
SELECT CASE tc.CONSTRAINT_TYPE WHEN 'PRIMARY KEY' THEN 'primary_keys' WHEN 'FOREIGN KEY' THEN 'foreign_keys'
       ELSE 'unique_constraints' END,
       LOWER(CONCAT(tc.TABLE_NAME, '/', tc.CONSTRAINT_NAME)),
       LOWER(CONCAT('(', GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION), ')',
                    IF(tc.CONSTRAINT_TYPE = 'FOREIGN KEY',
                       CONCAT('->', MIN(k.REFERENCED_TABLE_NAME), '(',
                              GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION), ')'), '')))
FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.KEY_COLUMN_USAGE k
  ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND k.TABLE_NAME = tc.TABLE_NAME
 AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.CONSTRAINT_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'FOREIGN KEY', 'UNIQUE')
GROUP BY tc.TABLE_NAME, tc.CONSTRAINT_NAME, tc.CONSTRAINT_TYPE
UNION ALL
SELECT 'indexes', LOWER(CONCAT(TABLE_NAME, '/', INDEX_NAME)),
       LOWER(CONCAT('(', GROUP_CONCAT(COALESCE(COLUMN_NAME, '<expr>') ORDER BY SEQ_IN_INDEX), ')',
                    IF(MIN(NON_UNIQUE) = 0, ' unique', '')))
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()
GROUP BY TABLE_NAME, INDEX_NAME;
"#;

fn server_objects(db: &TestDb) -> Objects {
    match db.engine() {
        Engine::Postgres => objects_from_rows(db.rows(PG_INTROSPECT)),
        Engine::Mysql => objects_from_rows(db.rows(MYSQL_INTROSPECT)),
    }
}

/// SQLite: tables of `sqlite_schema` except its internal `sqlite_*` ones; columns from
/// `table_xinfo` (which, unlike `table_info`, lists generated columns) except the hidden columns of
/// virtual tables. A column's NOT NULL is what it can hold, as in the model: `table_xinfo.notnull`
/// reports the declaration only, but the rowid alias (the single key column of a rowid table
/// whose key has no index) can never be NULL, so it counts as NOT NULL. A table has a primary key
/// when a column has `pk > 0`; foreign keys from
/// `foreign_key_list`; unique constraints are the indexes `index_list` reports with origin `u`;
/// indexes are all of `index_list` (autoindexes included; an INTEGER PRIMARY KEY is the rowid and
/// has none).
fn sqlite_objects(conn: &rusqlite::Connection) -> Objects {
    let q = r#"
WITH t AS (SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\')
SELECT 'tables', lower(t.name), '' FROM t
UNION ALL
SELECT 'views', lower(name), '' FROM sqlite_schema WHERE type = 'view'
UNION ALL
SELECT 'columns', lower(t.name || '.' || x.name),
       CASE WHEN x."notnull"
              OR (x.pk > 0
                  AND (SELECT count(*) FROM pragma_table_info(t.name) WHERE pk > 0) = 1
                  AND NOT EXISTS (SELECT 1 FROM pragma_index_list(t.name) WHERE origin = 'pk'))
            THEN 'not null' ELSE '' END
FROM t, pragma_table_xinfo(t.name) x WHERE x.hidden <> 1
UNION ALL
SELECT 'primary_keys', lower(t.name), lower('(' || group_concat(c.name, ',' ORDER BY c.pk) || ')')
FROM t, pragma_table_info(t.name) c WHERE c.pk > 0 GROUP BY t.name
UNION ALL
SELECT 'foreign_keys', lower(t.name || '(' || group_concat(f."from", ',' ORDER BY f.seq) || ')->' || f."table"), ''
FROM t, pragma_foreign_key_list(t.name) f GROUP BY t.name, f.id
UNION ALL
SELECT 'unique_constraints', lower(t.name || '(' || group_concat(c.name, ',' ORDER BY c.seqno) || ')'), ''
FROM t, pragma_index_list(t.name) i, pragma_index_info(i.name) c WHERE i.origin = 'u' GROUP BY t.name, i.name
UNION ALL
SELECT 'indexes', lower(t.name || '/' || i.name),
       lower('(' || group_concat(coalesce(c.name, '<expr>'), ',' ORDER BY c.seqno) || ')')
       || CASE WHEN i."unique" THEN ' unique' ELSE '' END
FROM t, pragma_index_list(t.name) i, pragma_index_info(i.name) c GROUP BY t.name, i.name;
"#;
    let mut st = conn.prepare(q).expect("prepare introspection");
    let rows = st
        .query_map([], |r| {
            Ok(vec![
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ])
        })
        .expect("introspect")
        .collect::<Result<Vec<_>, _>>()
        .expect("introspect rows");
    objects_from_rows(rows)
}

// ------------------------------------------------------------------------------------------------
// Comparison

/// What differs in one category.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Verdict {
    Same,
    /// Equal counts, but not the same objects (names or shapes).
    Mismatch,
    /// The counts differ.
    Count,
}

/// Print the per-file table and, for every category that differs, the objects only one side has
/// (by name, then by shape). Returns the verdict of each category.
fn compare(title: &str, model: &Objects, engine: &Objects) -> Vec<(&'static str, Verdict)> {
    let mut out = String::new();
    let mut verdicts = Vec::new();
    let _ = writeln!(out, "\n{title}");
    let _ = writeln!(out, "  {:<20} {:>8} {:>8}", "", "catalog", "engine");
    for (i, cat) in CATEGORIES.iter().enumerate() {
        let (m, e) = (model.count(i), engine.count(i));
        let names_same = model.names(i) == engine.names(i);
        let shapes_same = model.shapes(i) == engine.shapes(i);
        let v = if m != e {
            Verdict::Count
        } else if !names_same || !shapes_same {
            Verdict::Mismatch
        } else {
            Verdict::Same
        };
        let mark = match v {
            Verdict::Same => "ok",
            Verdict::Mismatch => "same count, different objects",
            Verdict::Count => "COUNT DIFFERS",
        };
        let _ = writeln!(out, "  {cat:<20} {m:>8} {e:>8}  {mark}");
        if v != Verdict::Same {
            let (ms, es) = if names_same {
                (model.shapes(i), engine.shapes(i))
            } else {
                (model.names(i), engine.names(i))
            };
            if ms == es {
                let _ = writeln!(out, "    (same objects, but one side lists some twice)");
            }
            for k in ms.difference(&es) {
                let _ = writeln!(out, "    only in catalog: {k}");
            }
            for k in es.difference(&ms) {
                let _ = writeln!(out, "    only in engine:  {k}");
            }
        }
        verdicts.push((*cat, v));
    }
    println!("{out}");
    verdicts
}

fn catalog_of(sources: &[Source], choice: DialectChoice) -> Catalog {
    let limits = Limits {
        max_bytes: 64 * 1024 * 1024,
        ..Limits::default()
    };
    let (parsed, cat) = catalog::from_sources(sources, choice, &limits).expect("catalog builds");
    // The engine ran every statement, so the front end must have understood every one (parsed,
    // or recognised as a statement that changes no table); a syntax error here would mean DDL
    // silently missing from the model.
    let failed: Vec<String> = parsed
        .statements
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Failed(e) => Some(format!(
                "{}:{}: {} | {}",
                s.span.file.as_deref().unwrap_or("-"),
                e.at.line,
                e.message,
                s.text
                    .chars()
                    .take(100)
                    .collect::<String>()
                    .replace('\n', " ")
            )),
            _ => None,
        })
        .collect();
    assert!(
        failed.is_empty(),
        "the front end failed on {} statement(s) the engine accepted:\n  {}",
        failed.len(),
        failed.join("\n  ")
    );
    cat
}

fn print_notes(cat: &Catalog) {
    for n in cat.notes.iter().take(30) {
        let at = n
            .span
            .as_ref()
            .map(|s| format!("{}:{}: ", s.file.as_deref().unwrap_or("-"), s.start.line))
            .unwrap_or_default();
        println!("    note: {at}{}", n.message);
    }
}

/// Compare, print, and assert: first the counts (the acceptance criterion), then the objects.
fn assert_same(title: &str, cat: &Catalog, f: Flavor, engine: &Objects) {
    let model = model_objects(cat, f);
    // The counts the model reports are the ones compared (the keys only explain differences).
    let c = cat.counts();
    let counted = [
        c.tables,
        c.columns,
        c.primary_keys,
        c.foreign_keys,
        c.unique_constraints,
        c.indexes,
    ];
    for (i, n) in counted.iter().enumerate() {
        assert_eq!(
            *n as usize,
            model.count(i),
            "Catalog::counts and the model's objects disagree on {}",
            CATEGORIES[i]
        );
    }
    let verdicts = compare(title, &model, engine);
    if verdicts.iter().any(|(_, v)| *v != Verdict::Same) {
        print_notes(cat);
    }
    let counts: Vec<_> = verdicts
        .iter()
        .filter(|(_, v)| *v == Verdict::Count)
        .map(|(c, _)| *c)
        .collect();
    assert!(
        counts.is_empty(),
        "{title}: the catalog's counts differ from the engine's in {counts:?} (see the table above)"
    );
    let objects: Vec<_> = verdicts
        .iter()
        .filter(|(_, v)| *v != Verdict::Same)
        .map(|(c, _)| *c)
        .collect();
    assert!(
        objects.is_empty(),
        "{title}: same counts, but the objects differ in {objects:?} (see above)"
    );
    // The engine ran every statement, so the model must have been able to apply every one too:
    // a note would mean it skipped DDL and only matches by luck.
    if !cat.notes.is_empty() {
        print_notes(cat);
    }
    assert!(
        cat.notes.is_empty(),
        "{title}: the catalog could not apply {} statement(s) the engine ran (notes above)",
        cat.notes.len()
    );
}

// ------------------------------------------------------------------------------------------------
// Adjustments the engines need (the model always reads the original text)

/// Replace `from` by `to`, insisting that `from` occurs (so a changed corpus file is noticed).
fn replace_required(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "adjustment no longer applies: {from:?} not found"
    );
    text.replace(from, to)
}

/// Drop the lines that start (case-insensitively, after indentation) with one of `prefixes`,
/// insisting that at least one line goes.
fn drop_lines(text: &str, prefixes: &[&str]) -> String {
    let mut dropped = 0;
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            let t = l.trim_start().to_ascii_lowercase();
            let hit = prefixes
                .iter()
                .any(|p| t.starts_with(&p.to_ascii_lowercase()));
            dropped += usize::from(hit);
            !hit
        })
        .collect();
    assert!(
        dropped > 0,
        "adjustment no longer applies: no line starts with {prefixes:?}"
    );
    kept.join("\n") + "\n"
}

// ------------------------------------------------------------------------------------------------
// Runners

fn check_pg_file(test: &str, rel: &str, adjust: impl Fn(&str) -> String) {
    let Some(path) = common::corpus_file(rel) else {
        return;
    };
    let Some(pg) = common::postgres() else { return };
    let text = common::read_text(&path);
    let db = pg.fresh_db(test);
    db.load(&adjust(&text))
        .unwrap_or_else(|e| panic!("PostgreSQL could not load {rel}: {e}"));
    let engine = server_objects(&db);
    let cat = catalog_of(&[Source::file(rel, text)], DialectChoice::Postgres);
    finish(rel, "PostgreSQL", &cat, Flavor::Postgres, &engine);
}

fn check_mysql_file(test: &str, rel: &str, adjust: impl Fn(&str, &str) -> String) {
    let Some(path) = common::corpus_file(rel) else {
        return;
    };
    let Some(my) = common::mysql() else { return };
    let text = common::read_text(&path);
    let db = my.fresh_db(test);
    db.load(&adjust(&text, &db.name))
        .unwrap_or_else(|e| panic!("MariaDB could not load {rel}: {e}"));
    let engine = server_objects(&db);
    let cat = catalog_of(&[Source::file(rel, text)], DialectChoice::Mysql);
    finish(rel, "MariaDB", &cat, Flavor::Mysql, &engine);
}

fn check_sqlite_file(rel: &str) {
    let Some(path) = common::corpus_file(rel) else {
        return;
    };
    let text = common::read_text(&path);
    let conn = rusqlite::Connection::open_in_memory().expect("sqlite");
    conn.execute_batch(&text)
        .unwrap_or_else(|e| panic!("SQLite could not load {rel}: {e}"));
    let engine = sqlite_objects(&conn);
    let cat = catalog_of(&[Source::file(rel, text)], DialectChoice::Sqlite);
    finish(rel, "SQLite", &cat, Flavor::Sqlite, &engine);
}

fn finish(rel: &str, engine_name: &str, cat: &Catalog, f: Flavor, engine: &Objects) {
    assert_same(&format!("{rel} ({engine_name})"), cat, f, engine);
}

// ------------------------------------------------------------------------------------------------
// PostgreSQL files

#[test]
fn pagila_schema_postgres() {
    check_pg_file("pagila_schema", "schemas/pagila/pagila-schema.sql", |t| {
        // The dump is from a PostgreSQL 18 server with pgvector; our server is PostgreSQL 15 without
        // pgvector (it is not in contrib). None of these change an object count.
        // 1. No pgvector: drop `CREATE EXTENSION vector` and its COMMENT, declare the one vector
        //    column `film_embedding.embedding` as `real[]`, and build its HNSW index (an access
        //    method of pgvector) as a btree index of the same name on the same column.
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
        // 2. `GENERATED ALWAYS AS (...) VIRTUAL` columns are PostgreSQL 18; make it STORED (15+).
        let t = replace_required(
            &t,
            "round(length / 60.0, 2)) VIRTUAL",
            "round(length / 60.0, 2)) STORED",
        );
        // 3. `uuidv7()` is a PostgreSQL 18 built-in; use `gen_random_uuid()` (13+) in the defaults.
        replace_required(&t, "DEFAULT uuidv7()", "DEFAULT gen_random_uuid()")
    });
}

#[test]
fn pagila_schema_jsonb_postgres() {
    // Loads as is (its `OWNER TO postgres` role exists on the test server).
    check_pg_file(
        "pagila_jsonb",
        "schemas/pagila/pagila-schema-jsonb.sql",
        str::to_string,
    );
}

/// The Chinook PostgreSQL scripts drop and create their own database and `\c` into it; the test
/// runs them in a fresh database instead, so those three lines are dropped.
fn chinook_pg_adjust(t: &str) -> String {
    drop_lines(t, &["DROP DATABASE", "CREATE DATABASE", "\\c "])
}

#[test]
fn chinook_postgres() {
    check_pg_file(
        "chinook_pg",
        "schemas/chinook/Chinook_PostgreSql.sql",
        chinook_pg_adjust,
    );
}

#[test]
fn chinook_postgres_serial() {
    check_pg_file(
        "chinook_pg_serial",
        "schemas/chinook/Chinook_PostgreSql_SerialPKs.sql",
        chinook_pg_adjust,
    );
}

#[test]
fn sakila_postgres() {
    // Loads as is (`OWNER TO postgres`, the role exists).
    check_pg_file(
        "sakila_pg",
        "schemas/sakila/postgres-sakila-schema.sql",
        str::to_string,
    );
}

#[test]
fn northwind_postgres() {
    // Loads as is.
    check_pg_file(
        "northwind_pg",
        "schemas/northwind/northwind.sql",
        str::to_string,
    );
}

#[test]
fn danbooru_postgres() {
    // Loads as is: its extensions (btree_gin, fuzzystrmatch, pg_trgm, pgcrypto, pgstattuple) are
    // all in PostgreSQL 15's contrib.
    check_pg_file(
        "danbooru_pg",
        "production/danbooru/structure.sql",
        str::to_string,
    );
}

// ------------------------------------------------------------------------------------------------
// MariaDB files

/// The Chinook MySQL scripts drop, create and `USE` their own database; the test loads them into
/// a fresh database instead, so those lines are dropped.
fn chinook_mysql_adjust(t: &str, _db: &str) -> String {
    drop_lines(t, &["DROP DATABASE", "CREATE DATABASE", "USE "])
}

#[test]
fn chinook_mysql() {
    check_mysql_file(
        "chinook_my",
        "schemas/chinook/Chinook_MySql.sql",
        chinook_mysql_adjust,
    );
}

#[test]
fn chinook_mysql_autoincrement() {
    check_mysql_file(
        "chinook_my_ai",
        "schemas/chinook/Chinook_MySql_AutoIncrementPKs.sql",
        chinook_mysql_adjust,
    );
}

#[test]
fn sakila_mysql() {
    check_mysql_file(
        "sakila_my",
        "schemas/sakila/mysql-sakila-schema.sql",
        |t, db| {
            // The script drops, creates and `USE`s a schema named `sakila`; the test loads it into a
            // fresh database instead, so those lines are dropped. The `actor_info` view qualifies its
            // tables with `sakila.`; that qualifier becomes the fresh database's name.
            let t = drop_lines(t, &["DROP SCHEMA", "CREATE SCHEMA", "USE "]);
            replace_required(&t, "sakila.", &format!("{db}."))
        },
    );
}

// ------------------------------------------------------------------------------------------------
// SQLite files (load as is)

#[test]
fn chinook_sqlite() {
    check_sqlite_file("schemas/chinook/Chinook_Sqlite.sql");
}

#[test]
fn chinook_sqlite_autoincrement() {
    check_sqlite_file("schemas/chinook/Chinook_Sqlite_AutoIncrementPKs.sql");
}

#[test]
fn sakila_sqlite() {
    check_sqlite_file("schemas/sakila/sqlite-sakila-schema.sql");
}

// ------------------------------------------------------------------------------------------------
// Lemmy: 342 migrations replayed in order

/// What diesel creates before the first migration. Migration `2025-08-01-000017_forbid_diesel_cli`
/// puts a trigger on this table, so it must exist; the model gets the same statement as a first
/// source, since a real database has the table too. (The test does not insert the applied
/// versions: that bookkeeping changes no schema, and the trigger of that migration forbids it.)
const DIESEL_SETUP: &str = "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (\n    version VARCHAR(50) PRIMARY KEY NOT NULL,\n    run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP\n);\n";

/// Lemmy's migrations assume PostgreSQL 16+ in one place: a subquery in FROM without an alias
/// (`FROM (SELECT ...) GROUP BY`), which PostgreSQL 15 rejects. The engine's copy of that one
/// migration gets an alias on each such subquery; the tables and columns it makes are the same.
fn lemmy_adjust(dir: &str, text: &str) -> String {
    if dir == "2025-08-01-000016_smoosh-tables-together" {
        replace_required(text, ")\nGROUP BY", ") AS pg15_needs_an_alias\nGROUP BY")
    } else {
        text.to_string()
    }
}

#[test]
fn lemmy_migrations_replay() {
    let Some(root) = common::corpus() else { return };
    let dir = root.join("migrations/lemmy/migrations");
    if !dir.is_dir() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let Some(pg) = common::postgres() else { return };
    // The migrations create three extensions, ltree, pgcrypto and pg_trgm; all three are in
    // PostgreSQL 15's contrib, so they load as written.
    let mut dirs: Vec<String> = std::fs::read_dir(&dir)
        .expect("read migrations")
        .flatten()
        .filter(|e| e.path().join("up.sql").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 342, "expected Lemmy's 342 migrations");

    // Engine: one psql session; each migration in its own transaction, as diesel runs them
    // (PostgreSQL's DDL is transactional, so a failing migration would leave nothing behind).
    // The adjusted copies go to a temporary directory so psql's errors name the migration.
    let db = pg.fresh_db("lemmy");
    let tmp = std::env::temp_dir().join(&db.name);
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let mut script = String::from(DIESEL_SETUP);
    let mut sources = vec![Source::file("diesel_setup.sql", DIESEL_SETUP)];
    for d in &dirs {
        let text = common::read_text(&dir.join(d).join("up.sql"));
        let copy = tmp.join(format!("{d}.sql"));
        std::fs::write(&copy, lemmy_adjust(d, &text)).expect("write migration copy");
        let _ = writeln!(script, "BEGIN;\n\\i '{}'\nCOMMIT;", copy.display());
        sources.push(Source::file(format!("{d}/up.sql"), text));
    }
    // The engine side uses the `\i` form of psql's ON_ERROR_STOP: the first failing migration
    // stops the replay with its file and line.
    let loaded = db.load(&format!("SET client_min_messages = warning;\n{script}"));
    let _ = std::fs::remove_dir_all(&tmp);
    loaded.unwrap_or_else(|e| panic!("PostgreSQL could not replay Lemmy's migrations: {e}"));

    // Tables and columns of every schema the migrations leave behind. They create `public` objects
    // and a `utils` schema (2020-09-07 add_migration_utils, one table); the `r` schema of Lemmy's
    // views, functions and triggers is built by lemmy_server's own runner, not by these files
    // (one migration only drops it), so neither side has it. Views are not tables on either side.
    let engine = server_objects(&db);
    let cat = catalog_of(&sources, DialectChoice::Postgres);
    let schemas: BTreeSet<&str> = engine.keys[0]
        .iter()
        .filter_map(|t| t.split_once('.').map(|(s, _)| s))
        .collect();
    println!("schemas with tables after the replay: {schemas:?}");
    // The brief's criterion first: the same (table, column) pairs.
    let model = model_objects(&cat, Flavor::Postgres);
    if model.names(1) != engine.names(1) {
        compare("lemmy migrations (342 up.sql, PostgreSQL)", &model, &engine);
        print_notes(&cat);
    }
    assert_eq!(
        model.names(0),
        engine.names(0),
        "Lemmy: the sets of tables differ"
    );
    assert_eq!(
        model.names(1),
        engine.names(1),
        "Lemmy: the sets of (table, column) differ"
    );
    // Then everything else, as for the schema files.
    assert_same(
        "lemmy migrations (342 up.sql, PostgreSQL)",
        &cat,
        Flavor::Postgres,
        &engine,
    );
}

#[test]
fn url_parsing_for_the_clis() {
    let u = common::Url::parse("mysql://root:pw@127.0.0.1:3306/test?x=1");
    assert_eq!(u.user.as_deref(), Some("root"));
    assert_eq!(u.password.as_deref(), Some("pw"));
    assert_eq!(u.host, "127.0.0.1");
    assert_eq!(u.port, Some(3306));
    assert_eq!(u.database, "test");
    assert_eq!(
        u.with_database("other").to_url_string(),
        "mysql://root:pw@127.0.0.1:3306/other?x=1"
    );
    let p = common::Url::parse("postgres://postgres@localhost/postgres");
    assert_eq!(p.port, None);
    assert_eq!(p.to_url_string(), "postgres://postgres@localhost/postgres");
    let a = common::unique_db_name(&"x".repeat(100));
    let b = common::unique_db_name(&"x".repeat(100));
    assert!(a.len() <= 63 && a != b && a.starts_with("kd_test_"));
}

// ------------------------------------------------------------------------------------------------
// Engine semantics, one small script each
//
// Each script exercises one rule of how an engine names or creates objects implicitly; the engine
// runs it in a fresh database and the model must come out the same (counts, names and shapes),
// exactly as for the corpus files. These pin down the semantics the corpus happens not to reach.

fn check_pg_snippet(test: &str, sql: &str) {
    let Some(pg) = common::postgres() else {
        return;
    };
    let db = pg.fresh_db(test);
    db.load(sql)
        .unwrap_or_else(|e| panic!("PostgreSQL rejected the {test} script: {e}"));
    let engine = server_objects(&db);
    let cat = catalog_of(&[Source::file(test, sql)], DialectChoice::Postgres);
    assert_same(
        &format!("{test} (PostgreSQL)"),
        &cat,
        Flavor::Postgres,
        &engine,
    );
}

fn check_mysql_snippet(test: &str, sql: &str) {
    let Some(my) = common::mysql() else {
        return;
    };
    let db = my.fresh_db(test);
    db.load(sql)
        .unwrap_or_else(|e| panic!("MariaDB rejected the {test} script: {e}"));
    let engine = server_objects(&db);
    let cat = catalog_of(&[Source::file(test, sql)], DialectChoice::Mysql);
    assert_same(&format!("{test} (MariaDB)"), &cat, Flavor::Mysql, &engine);
}

fn check_sqlite_snippet(test: &str, sql: &str) {
    let conn = rusqlite::Connection::open_in_memory().expect("sqlite");
    conn.execute_batch(sql)
        .unwrap_or_else(|e| panic!("SQLite rejected the {test} script: {e}"));
    let engine = sqlite_objects(&conn);
    let cat = catalog_of(&[Source::file(test, sql)], DialectChoice::Sqlite);
    assert_same(&format!("{test} (SQLite)"), &cat, Flavor::Sqlite, &engine);
}

#[test]
fn pg_default_constraint_and_index_names() {
    check_pg_snippet(
        "pg_default_names",
        r#"
CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE, a int, b int, UNIQUE (a, b));
CREATE TABLE child (
    id serial PRIMARY KEY,
    parent_id int REFERENCES parent,
    code text REFERENCES parent (code),
    a int, b int,
    FOREIGN KEY (a, b) REFERENCES parent (a, b),
    UNIQUE (parent_id), UNIQUE (parent_id)
);
CREATE INDEX ON child (a);
CREATE INDEX ON child (a);
CREATE INDEX ON child (a, b);
CREATE INDEX ON child (lower(code));
CREATE INDEX ON child (lower(code), lower(code));
CREATE INDEX ON child (((code || 'x')::varchar));
CREATE INDEX ON child ((a::int));
CREATE INDEX ON child ((CASE WHEN a > 0 THEN code END));
CREATE INDEX ON child ((a + b));
CREATE INDEX ON child ((coalesce(a, b)));
CREATE INDEX ON child (a, a);
-- Expressions that are only a column index the column.
CREATE INDEX ON child ((parent_id));
CREATE INDEX ON child (code COLLATE "C");
-- Constraint names are unique per schema, not per table.
CREATE TABLE other (x int, CONSTRAINT chk_x_check CHECK (x > 0));
CREATE TABLE chk (x int CHECK (x > 0));
-- Identical keys of one statement merge; an unnamed one takes a named duplicate's name.
CREATE TABLE merged (a int PRIMARY KEY UNIQUE, b int UNIQUE, c int, UNIQUE (b), UNIQUE (c),
                     CONSTRAINT named_c UNIQUE (c));
ALTER TABLE merged ADD UNIQUE (a);
CREATE UNIQUE INDEX ON child (code) WHERE a > 0;
-- A generated name that collides with a table name takes the next number.
CREATE TABLE child_b_idx (x int);
CREATE INDEX ON child (b);
ALTER TABLE child ADD UNIQUE (a);
ALTER TABLE child ADD FOREIGN KEY (parent_id) REFERENCES parent;
"#,
    );
}

#[test]
fn pg_long_identifiers_are_truncated() {
    check_pg_snippet(
        "pg_long_identifiers",
        r#"
CREATE TABLE a_table_name_that_is_quite_long_indeed_and_goes_on_past_the_limit_of_63 (
    a_column_name_that_is_also_very_long_and_goes_on_and_on_forever_x int PRIMARY KEY,
    another_rather_long_column_name_to_build_long_constraint_names int UNIQUE
);
CREATE INDEX idx_an_index_name_of_exactly_sixty_four_characters_for_the_test_ ON a_table_name_that_is_quite_long_indeed_and_goes_on_past_the_limit_of_63 (another_rather_long_column_name_to_build_long_constraint_names);
DROP INDEX idx_an_index_name_of_exactly_sixty_four_characters_for_the_test;
CREATE INDEX ON a_table_name_that_is_quite_long_indeed_and_goes_on_past_the_limit_of_63 (another_rather_long_column_name_to_build_long_constraint_names);
"#,
    );
}

#[test]
fn pg_renames() {
    check_pg_snippet(
        "pg_renames",
        r#"
CREATE TABLE user_ (id serial PRIMARY KEY, name text UNIQUE, boss int REFERENCES user_);
CREATE INDEX idx_user_name ON user_ (name);
ALTER TABLE user_ RENAME TO person;
ALTER TABLE person RENAME COLUMN name TO display_name;
ALTER SEQUENCE user__id_seq RENAME TO person_id_seq;
-- Renaming the index of a key renames the constraint, and the other way round.
ALTER INDEX user__pkey RENAME TO person_pkey;
ALTER TABLE person RENAME CONSTRAINT user__name_key TO person_display_name_key;
ALTER INDEX idx_user_name RENAME TO idx_person_display_name;
-- ALTER TABLE works on other relations too.
CREATE VIEW v AS SELECT id FROM person;
ALTER TABLE v RENAME TO v2;
ALTER VIEW v2 RENAME TO v3;
CREATE SEQUENCE s1;
ALTER TABLE s1 RENAME TO s2;
"#,
    );
}

#[test]
fn pg_identity_and_serial_sequences() {
    check_pg_snippet(
        "pg_identity",
        r#"
CREATE TABLE a (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int);
ALTER TABLE a ADD COLUMN m bigint GENERATED BY DEFAULT AS IDENTITY;
CREATE TABLE b (id int NOT NULL);
ALTER TABLE b ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME public.b_custom_seq START WITH 1);
-- A serial whose natural sequence name is taken gets the next number.
CREATE SEQUENCE c_id_seq;
CREATE TABLE c (id serial, k bigserial);
ALTER TABLE c DROP COLUMN k;
"#,
    );
}

#[test]
fn pg_partitions() {
    check_pg_snippet(
        "pg_partitions",
        r#"
CREATE TABLE ref (id int PRIMARY KEY);
CREATE TABLE m (id int, at date, ref_id int REFERENCES ref, code text,
                PRIMARY KEY (id, at), UNIQUE (code, at)) PARTITION BY RANGE (at);
CREATE INDEX m_ref_idx ON m (ref_id);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE m_2025 (id int NOT NULL, at date NOT NULL, ref_id int, code text);
CREATE INDEX m_2025_ref_id_own ON m_2025 (ref_id);
ALTER TABLE m ATTACH PARTITION m_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX ON ONLY m (code);
CREATE INDEX ON m (at);
-- A foreign key that references a partitioned table.
CREATE TABLE r (id int, at date, FOREIGN KEY (id, at) REFERENCES m);
"#,
    );
}

#[test]
fn pg_views_materialized_views_and_cascade() {
    check_pg_snippet(
        "pg_views",
        r#"
CREATE TABLE t (id int PRIMARY KEY, v int);
CREATE VIEW tv AS SELECT id, v FROM t;
CREATE VIEW tvv AS SELECT id FROM tv;
CREATE MATERIALIZED VIEW tm AS SELECT id, v FROM tv;
CREATE UNIQUE INDEX tm_id ON tm (id);
CREATE INDEX ON tm (v);
ALTER MATERIALIZED VIEW tm RENAME TO tm2;
CREATE TABLE keep (id int);
CREATE MATERIALIZED VIEW km AS SELECT id FROM keep;
CREATE INDEX ON km (id);
DROP VIEW tv CASCADE;
"#,
    );
}

#[test]
fn pg_drop_column_and_constraints() {
    check_pg_snippet(
        "pg_drop_column",
        r#"
CREATE TABLE p (id int PRIMARY KEY, a int UNIQUE, b int, c int);
CREATE TABLE q (id int PRIMARY KEY, p_a int REFERENCES p (a), b int, c int);
CREATE INDEX q_b_c ON q (b, c);
CREATE INDEX q_expr ON q ((b + 1));
CREATE INDEX q_part ON q (id) WHERE c > 0;
ALTER TABLE q DROP COLUMN c;
ALTER TABLE p DROP COLUMN a CASCADE;
ALTER TABLE p DROP CONSTRAINT p_pkey;
ALTER TABLE p ADD CONSTRAINT p_b_c UNIQUE (b, c);
ALTER TABLE p DROP CONSTRAINT p_b_c;
"#,
    );
}

#[test]
fn pg_inherits_like_and_quoted_names() {
    check_pg_snippet(
        "pg_inherits_like",
        r#"
CREATE TABLE base (id int PRIMARY KEY, created timestamptz NOT NULL DEFAULT now());
CREATE TABLE child (extra text) INHERITS (base);
CREATE TABLE "User" ("Id" serial PRIMARY KEY, "Email" text UNIQUE);
CREATE TABLE copy1 (LIKE base);
"#,
    );
}

#[test]
fn mysql_foreign_key_indexes() {
    check_mysql_snippet(
        "my_fk_indexes",
        r#"
CREATE TABLE p (id INT PRIMARY KEY, a INT, b INT, UNIQUE KEY (a, b), KEY (b));
-- Unnamed FK: an index named after the first column.
CREATE TABLE c1 (id INT PRIMARY KEY, p_id INT, FOREIGN KEY (p_id) REFERENCES p (id));
-- Named constraint: the index takes the constraint's name.
CREATE TABLE c2 (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk_c2_p FOREIGN KEY (p_id) REFERENCES p (id));
-- An index that starts with the FK's columns is reused.
CREATE TABLE c3 (id INT PRIMARY KEY, p_id INT, x INT, KEY idx_c3 (p_id, x), FOREIGN KEY (p_id) REFERENCES p (id));
-- Composite FK; the primary key covers it.
CREATE TABLE c4 (a INT, b INT, PRIMARY KEY (a, b), FOREIGN KEY (a, b) REFERENCES p (a, b));
-- An index added later makes the implicit FK index redundant: MySQL drops it.
CREATE TABLE c5 (id INT PRIMARY KEY, p_id INT, y INT, FOREIGN KEY (p_id) REFERENCES p (id));
ALTER TABLE c5 ADD INDEX c5_p_y (p_id, y);
-- Dropping the FK keeps its index.
CREATE TABLE c6 (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk_c6 FOREIGN KEY (p_id) REFERENCES p (id));
ALTER TABLE c6 DROP FOREIGN KEY fk_c6;
-- ALTER TABLE ADD FOREIGN KEY, unnamed.
CREATE TABLE c7 (id INT PRIMARY KEY, p_id INT, q_id INT);
ALTER TABLE c7 ADD FOREIGN KEY (p_id) REFERENCES p (id), ADD FOREIGN KEY (q_id) REFERENCES p (id);
-- Generated names continue from the highest number in use.
ALTER TABLE c7 DROP FOREIGN KEY c7_ibfk_1;
ALTER TABLE c7 ADD FOREIGN KEY (p_id) REFERENCES p (id);
"#,
    );
}

#[test]
fn mysql_index_names_and_alterations() {
    check_mysql_snippet(
        "my_index_names",
        r#"
CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT, a INT UNIQUE, b INT, c INT, d VARCHAR(200),
                PRIMARY KEY (id), UNIQUE (a), KEY (b, c), KEY (b), INDEX (d(10)), FULLTEXT (d));
ALTER TABLE t ADD INDEX (c), ADD UNIQUE (c);
CREATE INDEX t_bc ON t (b, c);
ALTER TABLE t DROP INDEX b_2;
ALTER TABLE t CHANGE COLUMN c cc INT;
ALTER TABLE t MODIFY COLUMN d VARCHAR(300) NOT NULL;
ALTER TABLE t DROP COLUMN b;
RENAME TABLE t TO t2;
CREATE TABLE u (id INT PRIMARY KEY, v INT);
ALTER TABLE u ADD COLUMN w INT UNIQUE, ADD COLUMN z INT;
ALTER TABLE u DROP PRIMARY KEY, ADD PRIMARY KEY (id, v);
"#,
    );
}

#[test]
fn sqlite_rowid_alias_and_autoindexes() {
    check_sqlite_snippet(
        "sqlite_rowid",
        r#"
CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT UNIQUE, y TEXT, UNIQUE (x, y));
CREATE TABLE b (id INT PRIMARY KEY, x TEXT);
CREATE TABLE c (id INTEGER, x TEXT, PRIMARY KEY (id));
CREATE TABLE d (a INTEGER, b INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE e (id INTEGER PRIMARY KEY DESC, x TEXT);
CREATE TABLE f (id TEXT PRIMARY KEY, x TEXT UNIQUE, UNIQUE (id));
-- Autoindexes are numbered in declaration order.
CREATE TABLE h (x TEXT UNIQUE, id TEXT PRIMARY KEY, y TEXT, z TEXT UNIQUE, UNIQUE (y));
CREATE TABLE i (id INTEGER UNIQUE, x INTEGER, y INTEGER, PRIMARY KEY (x, y)) WITHOUT ROWID;
CREATE TABLE j (id INTEGER UNIQUE PRIMARY KEY, v TEXT);
CREATE TABLE k (id TEXT UNIQUE PRIMARY KEY, v TEXT);
CREATE TABLE l (id INTEGER, PRIMARY KEY (id DESC));
CREATE TABLE n (a INTEGER, b INTEGER, PRIMARY KEY (a, b));
CREATE TABLE g (id INTEGER PRIMARY KEY AUTOINCREMENT, p INTEGER REFERENCES a, q REFERENCES b (id));
CREATE INDEX g_p ON g (p);
CREATE UNIQUE INDEX IF NOT EXISTS g_q ON g (q);
CREATE INDEX IF NOT EXISTS g_q ON g (q);
ALTER TABLE g ADD COLUMN r TEXT;
ALTER TABLE g RENAME COLUMN r TO s;
ALTER TABLE b RENAME TO bb;
CREATE VIEW gv AS SELECT * FROM g;
"#,
    );
}

#[test]
fn pg_create_table_like() {
    check_pg_snippet(
        "pg_like",
        r#"
CREATE TABLE base (id int PRIMARY KEY, code text UNIQUE, v int CHECK (v > 0));
CREATE INDEX base_v ON base (v);
CREATE TABLE copy_all (LIKE base INCLUDING ALL);
CREATE TABLE copy_idx (LIKE base INCLUDING INDEXES, extra int);
"#,
    );
}

#[test]
fn pg_create_table_as_and_select_into() {
    check_pg_snippet(
        "pg_ctas",
        r#"
CREATE TABLE src (id int PRIMARY KEY, a text, b int);
CREATE TABLE c1 AS SELECT * FROM src;
CREATE TABLE c2 AS SELECT s.*, 1 AS one FROM src s;
CREATE TABLE c3 AS SELECT id AS x, a AS "Y" FROM src;
CREATE TABLE c4 AS SELECT id, count(*), max(b) FROM src GROUP BY id;
SELECT id, a INTO c5 FROM src;
"#,
    );
}

#[test]
fn pg_partition_keys_added_later_and_detach() {
    check_pg_snippet(
        "pg_part_later",
        r#"
CREATE TABLE ref (id int PRIMARY KEY);
CREATE TABLE m (id int NOT NULL, at date NOT NULL, code text, ref_id int REFERENCES ref) PARTITION BY RANGE (at);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE m2 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE m ADD PRIMARY KEY (id, at);
ALTER TABLE m ADD UNIQUE (code, at);
CREATE INDEX m_code ON m (code);
ALTER TABLE m DETACH PARTITION m2;
DROP INDEX m_code;
ALTER TABLE m RENAME TO mm;
"#,
    );
}

#[test]
fn pg_schemas_search_path_and_set_schema() {
    check_pg_snippet(
        "pg_schemas",
        r#"
CREATE SCHEMA s;
CREATE TABLE s.t (id serial PRIMARY KEY, a int UNIQUE);
CREATE TABLE t (id serial PRIMARY KEY, a int UNIQUE);
SET search_path TO s, public;
CREATE TABLE u (id int PRIMARY KEY, t_id int REFERENCES t);
CREATE INDEX ON u (t_id);
RESET search_path;
CREATE SCHEMA gone;
CREATE TABLE gone.x (id int PRIMARY KEY);
DROP SCHEMA gone CASCADE;
CREATE TABLE moved (id serial PRIMARY KEY, a int UNIQUE);
CREATE INDEX ON moved (a);
ALTER TABLE moved SET SCHEMA s;
"#,
    );
}

#[test]
fn pg_constraints_using_index_and_exclude() {
    check_pg_snippet(
        "pg_using_index",
        r#"
CREATE TABLE t (id int NOT NULL, a int, r int4range);
CREATE UNIQUE INDEX t_id_uidx ON t (id);
ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY USING INDEX t_id_uidx;
CREATE UNIQUE INDEX t_a_uidx ON t (a);
ALTER TABLE t ADD CONSTRAINT t_a_u UNIQUE USING INDEX t_a_uidx;
CREATE TABLE v (a int);
CREATE UNIQUE INDEX v_a_uidx ON v (a);
ALTER TABLE v ADD UNIQUE USING INDEX v_a_uidx;
ALTER TABLE t ADD EXCLUDE USING gist (r WITH &&);
"#,
    );
}

#[test]
fn pg_drop_type_cascade_and_quoted_names() {
    check_pg_snippet(
        "pg_types",
        r#"
CREATE TYPE mood AS ENUM ('a', 'b');
CREATE TABLE t (id int PRIMARY KEY, m mood, n int);
CREATE INDEX t_m ON t (m);
DROP TYPE mood CASCADE;
CREATE TABLE t2 (id int);
ALTER TABLE t2 ADD COLUMN IF NOT EXISTS id int;
CREATE TABLE IF NOT EXISTS t2 (other int);
CREATE TABLE "MixedCase" ("Id" int PRIMARY KEY, "Other" text);
CREATE INDEX ON "MixedCase" ("Other");
ALTER TABLE "MixedCase" RENAME COLUMN "Other" TO other;
"#,
    );
}

#[test]
fn mysql_like_ctas_and_fk_names() {
    check_mysql_snippet(
        "my_like_ctas",
        r#"
CREATE TABLE a (id INT PRIMARY KEY, code VARCHAR(10) UNIQUE, v INT, KEY (v));
CREATE TABLE b LIKE a;
CREATE TABLE c (id INT PRIMARY KEY, a_id INT, CONSTRAINT fk_c FOREIGN KEY idx_c_a (a_id) REFERENCES a (id));
CREATE TABLE d (id INT PRIMARY KEY, a_id INT, FOREIGN KEY idx_d_a (a_id) REFERENCES a (id));
CREATE TABLE e (id INT PRIMARY KEY, a_id INT, x INT, FOREIGN KEY (a_id) REFERENCES a (id));
ALTER TABLE e DROP COLUMN x, ADD UNIQUE KEY uk_e (a_id);
CREATE TABLE f AS SELECT id, code FROM a;
CREATE TABLE g (id INT PRIMARY KEY, a_id INT, b_id INT, KEY k (b_id, a_id), FOREIGN KEY (a_id) REFERENCES a (id), FOREIGN KEY (b_id) REFERENCES b (id));
CREATE TABLE h (id INT PRIMARY KEY, v INT, KEY hv (v), KEY hv2 (v, id));
ALTER TABLE h DROP INDEX hv;
"#,
    );
}

#[test]
fn sqlite_ctas_drop_column_expression_indexes() {
    check_sqlite_snippet(
        "sqlite_ctas",
        r#"
CREATE TABLE a (id INTEGER PRIMARY KEY, x, y TEXT, z TEXT);
CREATE INDEX a_lower ON a (lower(y));
CREATE INDEX a_part ON a (z) WHERE z IS NOT NULL;
CREATE TABLE b AS SELECT id, y FROM a;
ALTER TABLE a DROP COLUMN x;
CREATE TABLE "Quoted Name" ("Col A" TEXT UNIQUE);
CREATE TABLE c (id INTEGER NOT NULL, PRIMARY KEY (id)) ;
CREATE TABLE d (id BIGINT PRIMARY KEY, e INT);
"#,
    );
}

#[test]
fn pg_cascades_and_concurrently() {
    check_pg_snippet(
        "pg_cascades",
        r#"
-- Dropping a key drops the foreign keys that reference it; dropping a column drops the views
-- that read it (both need CASCADE). CONCURRENTLY changes nothing in the schema.
CREATE TABLE p (id int PRIMARY KEY, code text, CONSTRAINT p_code_key UNIQUE (code));
CREATE TABLE c (id int PRIMARY KEY, code text REFERENCES p (code), v int);
CREATE VIEW cv AS SELECT id, v FROM c;
CREATE UNIQUE INDEX CONCURRENTLY c_v_uidx ON c (v);
DROP INDEX CONCURRENTLY IF EXISTS c_v_uidx;
CREATE INDEX CONCURRENTLY c_v_idx ON c (v);
DROP INDEX CONCURRENTLY c_v_idx;
ALTER TABLE p DROP CONSTRAINT p_code_key CASCADE;
ALTER TABLE c DROP COLUMN v CASCADE;
ALTER TABLE c ADD COLUMN p_id int REFERENCES p;
CREATE TABLE d (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, c_id int NOT NULL REFERENCES c ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS d_c ON d (c_id) INCLUDE (id);
ALTER TABLE d ALTER COLUMN c_id TYPE bigint;
ALTER TABLE d RENAME COLUMN c_id TO parent_id;
"#,
    );
}

#[test]
fn mysql_rename_index_and_reordering() {
    check_mysql_snippet(
        "my_rename_index",
        r#"
CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, a INT, b INT, KEY ka (a));
ALTER TABLE t RENAME INDEX ka TO ka2;
ALTER TABLE t ADD COLUMN c INT AFTER a, ADD INDEX (c);
ALTER TABLE t DROP INDEX c, ADD UNIQUE INDEX uc (c) USING BTREE;
CREATE INDEX ib USING BTREE ON t (b);
ALTER TABLE t CHANGE b bb BIGINT NOT NULL FIRST;
ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (a) REFERENCES t (id);
ALTER TABLE t DROP FOREIGN KEY t_fk;
"#,
    );
}

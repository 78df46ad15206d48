//! Proofs for `KD-db-migrate` on real engines.
//!
//! For every fixture pair (tests/fixtures/migrate/<engine>/*.sql: `-- @old`, `-- @data`, `-- @new`,
//! optional `-- @renames hint ...`): create the old schema with some rows, apply the generated up
//! script, introspect the engine's catalog and compare it with a database created from the new
//! schema directly — they must be equal. Then apply the down script and compare with the old
//! schema (equal when no step is lossy). The replayed model is checked too: the catalog of
//! `old + up` diffed against `new` must give no steps.

mod common;

use common::{Engine, TestDb};
use kd_dba::migrate::{self, MigrateReport};
use kd_dba::sql::DialectChoice;
use std::path::{Path, PathBuf};

struct Fixture {
    name: String,
    old: String,
    data: String,
    new: String,
    renames: Vec<String>,
    /// Why the replayed-model check is skipped (a statement the catalog does not replay).
    model_skip: Option<String>,
}

fn fixtures(engine: &str) -> Vec<Fixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/migrate")
        .join(engine);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files.iter().map(|p| parse_fixture(p)).collect()
}

fn parse_fixture(p: &Path) -> Fixture {
    let text = std::fs::read_to_string(p).unwrap();
    let mut f = Fixture {
        name: p.file_stem().unwrap().to_string_lossy().into_owned(),
        old: String::new(),
        data: String::new(),
        new: String::new(),
        renames: vec![],
        model_skip: None,
    };
    let mut section = "";
    for line in text.lines() {
        if let Some(r) = line.strip_prefix("-- @renames") {
            f.renames = r.split_whitespace().map(str::to_string).collect();
            continue;
        }
        if let Some(r) = line.strip_prefix("-- @model-skip") {
            f.model_skip = Some(r.trim().to_string());
            continue;
        }
        match line.trim() {
            "-- @old" => section = "old",
            "-- @data" => section = "data",
            "-- @new" => section = "new",
            _ => {
                let target = match section {
                    "old" => &mut f.old,
                    "data" => &mut f.data,
                    "new" => &mut f.new,
                    _ => continue,
                };
                target.push_str(line);
                target.push('\n');
            }
        }
    }
    f
}

const PG_CATALOG: &str = r#"
SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
  || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
  || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
  || CASE a.attidentity WHEN 'a' THEN ' IDENTITY ALWAYS' WHEN 'd' THEN ' IDENTITY BY DEFAULT' ELSE '' END
  || COALESCE(' COMMENT ' || col_description(c.oid, a.attnum), '')
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL SELECT 'con ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid <> 0
UNION ALL SELECT 'idx ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL SELECT 'view ' || viewname || ' ' || regexp_replace(regexp_replace(definition, '\s+', ' ', 'g'), '''\d{4}-\d\d-\d\d [0-9:.]+''', '<now>', 'g') FROM pg_views WHERE schemaname = 'public'
UNION ALL SELECT 'mview ' || matviewname || ' ' || regexp_replace(regexp_replace(definition, '\s+', ' ', 'g'), '''\d{4}-\d\d-\d\d [0-9:.]+''', '<now>', 'g') FROM pg_matviews WHERE schemaname = 'public'
UNION ALL SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname
UNION ALL SELECT 'ext ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
UNION ALL SELECT 'seq ' || sequencename FROM pg_sequences WHERE schemaname = 'public'
UNION ALL SELECT 'fn ' || p.oid::regprocedure || ' ' || md5(pg_get_functiondef(p.oid)) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p')
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
UNION ALL SELECT 'domain ' || t.typname || ' ' || format_type(t.typbasetype, t.typtypmod)
  || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END || COALESCE(' DEFAULT ' || t.typdefault, '')
FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace AND t.typtype = 'd'
UNION ALL SELECT 'domcon ' || t.typname || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN pg_type t ON t.oid = c.contypid WHERE t.typnamespace = 'public'::regnamespace
UNION ALL SELECT 'composite ' || t.typname || ' ' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
FROM pg_type t JOIN pg_class r ON r.oid = t.typrelid AND r.relkind = 'c'
JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname
UNION ALL SELECT 'trg ' || pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal
UNION ALL SELECT 'tcomment ' || c.relname || ' ' || obj_description(c.oid, 'pg_class')
FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND obj_description(c.oid, 'pg_class') IS NOT NULL
ORDER BY 1;
"#;

const MY_CATALOG: &str = r#"
SELECT CONCAT('col ', table_name, '.', column_name, ' ', column_type, ' ', is_nullable, ' ', IFNULL(column_default, '-'), ' ', extra)
FROM information_schema.columns WHERE table_schema = DATABASE()
UNION ALL SELECT CONCAT('idx ', table_name, ' ', index_name, ' ', non_unique, ' ', GROUP_CONCAT(CONCAT(column_name, IFNULL(CONCAT('(', sub_part, ')'), '')) ORDER BY seq_in_index))
FROM information_schema.statistics WHERE table_schema = DATABASE() GROUP BY table_name, index_name, non_unique
UNION ALL SELECT CONCAT('fk ', k.table_name, ' ', k.constraint_name, ' ', GROUP_CONCAT(k.column_name ORDER BY k.ordinal_position), ' -> ', k.referenced_table_name, ' ', r.delete_rule)
FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r
  ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name
WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL GROUP BY k.table_name, k.constraint_name, k.referenced_table_name, r.delete_rule
UNION ALL SELECT CONCAT('check ', table_name, ' ', constraint_name, ' ', check_clause) FROM information_schema.check_constraints WHERE constraint_schema = DATABASE()
UNION ALL SELECT CONCAT('view ', table_name) FROM information_schema.views WHERE table_schema = DATABASE()
ORDER BY 1;
"#;

fn introspect(db: &TestDb) -> Vec<String> {
    let q = match db.engine() {
        Engine::Postgres => PG_CATALOG,
        Engine::Mysql => MY_CATALOG,
    };
    db.column(q)
}

fn dialect(e: Engine) -> DialectChoice {
    match e {
        Engine::Postgres => DialectChoice::Postgres,
        Engine::Mysql => DialectChoice::Mysql,
    }
}

fn diff(f: &Fixture, e: Engine, version: Option<&str>, mariadb: bool) -> MigrateReport {
    let renames: Vec<&str> = f.renames.iter().map(String::as_str).collect();
    let mut req_version = version.map(str::to_string);
    if mariadb && req_version.is_none() {
        req_version = Some("10.11".into());
    }
    let req = migrate::MigrateRequest {
        mode: Some(migrate::Mode::Diff),
        from: Some(kd_dba::input::SqlInput {
            sql: Some(f.old.clone()),
            paths: vec![],
        }),
        to: Some(kd_dba::input::SqlInput {
            sql: Some(f.new.clone()),
            paths: vec![],
        }),
        dialect: dialect(e),
        mariadb,
        version: req_version,
        renames: renames.iter().map(|s| s.to_string()).collect(),
        created: Some(1_767_225_600),
        ..Default::default()
    };
    migrate::migrate(req, &Default::default())
        .unwrap_or_else(|e| panic!("{}: diff failed: {e}", f.name))
}

fn show_diff(a: &[String], b: &[String]) -> String {
    let mut s = String::new();
    for x in a {
        if !b.contains(x) {
            s.push_str(&format!("  - {x}\n"));
        }
    }
    for x in b {
        if !a.contains(x) {
            s.push_str(&format!("  + {x}\n"));
        }
    }
    s
}

/// Apply up and down of one fixture on one server; an error message on failure.
fn prove(
    server: &common::Server,
    f: &Fixture,
    version: Option<&str>,
    mariadb: bool,
) -> Result<(), String> {
    let e = server.engine;
    let rep = diff(f, e, version, mariadb);
    if rep.steps.is_empty() {
        return Err("the diff found no steps".into());
    }
    let db = server.fresh_db(&format!("mig_{}", f.name));
    db.exec(&f.old).map_err(|x| format!("old schema: {x}"))?;
    if !f.data.trim().is_empty() {
        db.exec(&f.data).map_err(|x| format!("data: {x}"))?;
    }
    let before = introspect(&db);
    db.exec(&rep.up_sql)
        .map_err(|x| format!("up failed: {x}\n--- up:\n{}", rep.up_sql))?;
    let after_up = introspect(&db);
    let reference = server.fresh_db(&format!("mig_{}_new", f.name));
    reference
        .exec(&f.new)
        .map_err(|x| format!("new schema: {x}"))?;
    let want = introspect(&reference);
    if after_up != want {
        return Err(format!(
            "after up, the engine's catalog differs from the new schema (- got, + want):\n{}--- up:\n{}",
            show_diff(&after_up, &want),
            rep.up_sql
        ));
    }
    db.exec(&rep.down_sql)
        .map_err(|x| format!("down failed: {x}\n--- down:\n{}", rep.down_sql))?;
    let after_down = introspect(&db);
    if rep.counts.irreversible == 0 && after_down != before {
        return Err(format!(
            "after down, the catalog differs from the old schema (- got, + want):\n{}--- down:\n{}",
            show_diff(&after_down, &before),
            rep.down_sql
        ));
    }
    // The replayed model agrees: old + up, diffed against new, has nothing left to do.
    if let Some(why) = &f.model_skip {
        eprintln!("{}: replayed-model check skipped: {why}", f.name);
        return Ok(());
    }
    let replay = format!("{}\n{}", f.old, rep.up_sql);
    let again =
        migrate::diff_sql(&replay, &f.new, dialect(e), version, &[]).map_err(|x| x.to_string())?;
    if !again.steps.is_empty() {
        return Err(format!(
            "the replayed model (old + up) still differs from new: {:?}",
            again.steps.iter().map(|s| &s.summary).collect::<Vec<_>>()
        ));
    }
    Ok(())
}

#[test]
fn postgres_fixture_pairs_round_trip() {
    let Some(server) = common::postgres() else {
        return;
    };
    let mut failures = Vec::new();
    let fx = fixtures("pg");
    assert!(fx.len() >= 12, "fixtures missing");
    for f in &fx {
        if let Err(e) = prove(&server, f, None, false) {
            failures.push(format!("== {}: {e}", f.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        fx.len(),
        failures.join("\n")
    );
}

#[test]
fn mariadb_fixture_pairs_round_trip() {
    let Some(server) = common::mysql() else {
        return;
    };
    let mut failures = Vec::new();
    let fx = fixtures("mysql");
    assert!(fx.len() >= 5, "fixtures missing");
    for f in &fx {
        if let Err(e) = prove(&server, f, None, true) {
            failures.push(format!("== {}: {e}", f.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        fx.len(),
        failures.join("\n")
    );
}

fn sqlite_catalog(c: &rusqlite::Connection) -> Vec<String> {
    let mut out = Vec::new();
    let objects: Vec<(String, String)> = c
        .prepare(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (kind, name) in objects {
        out.push(format!("{kind} {name}"));
        if kind != "table" {
            continue;
        }
        let q = |sql: String, n: usize| -> Vec<String> {
            let mut st = c.prepare(&sql).unwrap();
            st.query_map([], |r| {
                let mut v = Vec::new();
                for i in 0..n {
                    let x: rusqlite::types::Value = r.get(i)?;
                    v.push(format!("{x:?}"));
                }
                Ok(v.join(" "))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
        };
        for l in q(
            format!(
                "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{name}')"
            ),
            5,
        ) {
            out.push(format!("col {name} {l}"));
        }
        for l in q(
            format!(
                "SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('{name}')"
            ),
            4,
        ) {
            out.push(format!("fk {name} {l}"));
        }
        for l in q(
            format!(
                "SELECT il.name, il.\"unique\", group_concat(ii.name) FROM pragma_index_list('{name}') il, pragma_index_info(il.name) ii WHERE il.origin = 'c' GROUP BY il.name"
            ),
            3,
        ) {
            out.push(format!("idx {name} {l}"));
        }
        let sql: String = c
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = ?1",
                [&name],
                |r| r.get(0),
            )
            .unwrap();
        if sql.to_ascii_uppercase().contains("CHECK") {
            out.push(format!("check {name}"));
        }
    }
    out.sort();
    out
}

#[test]
fn sqlite_fixture_pairs_round_trip() {
    let mut failures = Vec::new();
    let fx = fixtures("sqlite");
    assert!(fx.len() >= 5, "fixtures missing");
    for f in &fx {
        let renames: Vec<&str> = f.renames.iter().map(String::as_str).collect();
        let rep = migrate::diff_sql(&f.old, &f.new, DialectChoice::Sqlite, None, &renames).unwrap();
        let run = || -> Result<(), String> {
            let db = rusqlite::Connection::open_in_memory().unwrap();
            db.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
            db.execute_batch(&f.old).map_err(|e| format!("old: {e}"))?;
            db.execute_batch(&f.data)
                .map_err(|e| format!("data: {e}"))?;
            let before = sqlite_catalog(&db);
            db.execute_batch(&rep.up_sql)
                .map_err(|e| format!("up: {e}\n{}", rep.up_sql))?;
            let reference = rusqlite::Connection::open_in_memory().unwrap();
            reference.execute_batch(&f.new).unwrap();
            let (got, want) = (sqlite_catalog(&db), sqlite_catalog(&reference));
            if got != want {
                return Err(format!(
                    "after up (- got, + want):\n{}{}",
                    show_diff(&got, &want),
                    rep.up_sql
                ));
            }
            let rows: i64 = db
                .query_row(
                    &format!(
                        "SELECT count(*) FROM {}",
                        f.new.split_whitespace().nth(2).unwrap()
                    ),
                    [],
                    |r| r.get(0),
                )
                .map_err(|e| e.to_string())?;
            if !f.data.trim().is_empty() && rows == 0 {
                return Err("the rows were not carried over".into());
            }
            db.execute_batch(&rep.down_sql)
                .map_err(|e| format!("down: {e}\n{}", rep.down_sql))?;
            let after = sqlite_catalog(&db);
            if rep.counts.irreversible == 0 && after != before {
                return Err(format!(
                    "after down (- got, + want):\n{}{}",
                    show_diff(&after, &before),
                    rep.down_sql
                ));
            }
            Ok(())
        };
        if let Err(e) = run() {
            failures.push(format!("== {}: {e}", f.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        fx.len(),
        failures.join("\n")
    );
}

/// Lemmy's history (diesel migrations in ../shared/corpus): for a spread of N, the schema after
/// migration N and after N+1. The database at N is built by running Lemmy's own migrations;
/// our up script must take it to what Lemmy's migration N+1 gives.
#[test]
fn lemmy_consecutive_states_on_postgres() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let Some(server) = common::postgres() else {
        return;
    };
    let dir = corpus.join("migrations/lemmy/migrations");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("up.sql").is_file())
        .collect();
    folders.sort();
    assert!(folders.len() >= 300);
    let ups: Vec<String> = folders
        .iter()
        .map(|p| common::read_text(&p.join("up.sql")))
        .collect();
    let picks: Vec<usize> = match std::env::var("KD_DBA_LEMMY_PICKS") {
        Ok(v) => v.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => LEMMY_PICKS.to_vec(),
    };
    let base = server.fresh_db("mig_lemmy_base");
    let mut applied = 0usize;
    let mut failures = Vec::new();
    for &n in &picks {
        // Bring the base database to N migrations.
        let batch: String = ups[applied..n].join("\n;\n");
        base.exec(&batch)
            .unwrap_or_else(|e| panic!("lemmy migrations {}..{n}: {e}", applied + 1));
        applied = n;
        let old_text = ups[..n].join("\n;\n");
        let new_text = ups[..=n].join("\n;\n");
        let rep = match migrate::diff_sql(&old_text, &new_text, DialectChoice::Postgres, None, &[])
        {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("N={n}: diff failed: {e}"));
                continue;
            }
        };
        let a = server.fresh_db(&format!("mig_lemmy_a{n}"));
        let b = server.fresh_db(&format!("mig_lemmy_b{n}"));
        // Clone the base database twice (a template copy is exact, data included).
        for t in [&a, &b] {
            server
                .run_sql_on(
                    &server.url.database,
                    &format!(
                        "DROP DATABASE \"{}\"; CREATE DATABASE \"{}\" TEMPLATE \"{}\"",
                        t.name, t.name, base.name
                    ),
                )
                .unwrap();
        }
        let name = folders[n]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        b.exec(&ups[n])
            .unwrap_or_else(|e| panic!("lemmy migration {name}: {e}"));
        if let Err(e) = a.exec(&rep.up_sql) {
            failures.push(format!("N={n} ({name}): up failed: {e}\n{}", rep.up_sql));
            continue;
        }
        let (got, want) = (introspect(&a), introspect(&b));
        if got != want {
            failures.push(format!(
                "N={n} ({name}) (- got, + want):\n{}",
                show_diff(&got, &want)
            ));
        } else {
            eprintln!("N={n} ({name}): {} step(s), equal", rep.steps.len());
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} Lemmy pairs failed:\n{}",
        failures.len(),
        picks.len(),
        failures.join("\n")
    );
}

/// Migration counts N (the pair is "after N migrations" vs "after N + 1"). Lemmy's later
/// migrations need PostgreSQL 16 (subqueries in FROM without an alias), so the spread stops at
/// 220 on the PostgreSQL 15 test server.
const LEMMY_PICKS: &[usize] = &[
    3, 10, 25, 40, 60, 80, 100, 115, 130, 145, 160, 175, 190, 205, 220,
];

//! KD-db-review: every rule against its fixture pair (the bad one fires it, the good one does
//! not, with a snapshot of the bad one's findings), every fix executed on the real engine (and
//! the rule gone after it), suppressions, configuration, version gating and spans.

mod common;

use kd_dba::findings::Finding;
use kd_dba::limits::Limits;
use kd_dba::review::{self, Options, Version};
use kd_dba::rules::RuleDoc;
use kd_dba::sql::{DialectChoice, Source};
use std::path::PathBuf;

fn fixture(id: &str, kind: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/review")
        .join(format!("{id}.{kind}.sql"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn dialect_of(d: &RuleDoc) -> DialectChoice {
    if d.dialects == ["mysql"] {
        DialectChoice::Mysql
    } else {
        DialectChoice::Postgres
    }
}

fn findings(sql: &str, d: DialectChoice, opts: &Options) -> Vec<Finding> {
    review::review_sources(
        &[Source::file("fixture.sql", sql.to_string())],
        d,
        opts,
        &Limits::default(),
    )
    .expect("review")
    .findings
}

#[test]
fn at_least_forty_rules_with_docs() {
    let docs = review::rule_docs();
    assert!(docs.len() >= 40, "{} rules", docs.len());
    for d in docs {
        assert!(
            kd_dba::rules::find(d.id).is_some(),
            "{} not registered",
            d.id
        );
        assert!(!d.crosswalk.is_empty(), "{} lacks a crosswalk", d.id);
    }
    // IDX001-IDX003 belong to the index capability.
    assert!(
        docs.iter()
            .all(|d| !matches!(d.id, "IDX001" | "IDX002" | "IDX003"))
    );
}

#[test]
fn every_rule_fires_on_its_bad_fixture_and_not_on_its_good_one() {
    let mut problems = Vec::new();
    let mut snaps = Vec::new();
    for d in review::rule_docs() {
        let dialect = dialect_of(d);
        let bad = findings(&fixture(d.id, "bad"), dialect, &Options::default());
        let hits: Vec<&Finding> = bad.iter().filter(|f| f.id == d.id).collect();
        if hits.is_empty() {
            problems.push(format!(
                "{}: bad fixture does not fire it: {:?}",
                d.id,
                bad.iter().map(|f| &f.id).collect::<Vec<_>>()
            ));
        }
        for h in &hits {
            if h.span.is_none() {
                problems.push(format!("{}: finding without span", d.id));
            }
            if h.slug != d.slug || h.help.is_empty() {
                problems.push(format!("{}: slug/help wrong", d.id));
            }
        }
        let good = findings(&fixture(d.id, "good"), dialect, &Options::default());
        if let Some(f) = good.iter().find(|f| f.id == d.id) {
            problems.push(format!("{}: good fixture fires it: {}", d.id, f.message));
        }
        if let Some(f) = good.iter().chain(bad.iter()).find(|f| f.id == "SYN001") {
            problems.push(format!("{}: fixture does not parse: {}", d.id, f.message));
        }
        snaps.push((d.id, bad));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for (id, bad) in snaps {
        insta::assert_json_snapshot!(format!("review_{id}_bad"), bad);
    }
}

/// Apply every fix of a bad fixture on the engine, then review fixture + fixes again: the rule
/// must be gone.
fn fixes_execute(engine: common::Engine) {
    let server = match engine {
        common::Engine::Postgres => common::postgres(),
        common::Engine::Mysql => common::mysql(),
    };
    let Some(server) = server else { return };
    let want = match engine {
        common::Engine::Postgres => DialectChoice::Postgres,
        common::Engine::Mysql => DialectChoice::Mysql,
    };
    let mut ran = 0;
    let mut problems = Vec::new();
    for d in review::rule_docs() {
        if dialect_of(d) != want {
            continue;
        }
        let bad = fixture(d.id, "bad");
        if bad.to_ascii_uppercase().contains("CREATE ROLE") {
            continue; // roles are cluster-wide; those rules have no fix
        }
        let fs = findings(&bad, want, &Options::default());
        let fixes: Vec<String> = fs
            .iter()
            .filter(|f| f.id == d.id)
            .filter_map(|f| f.fix.as_ref().map(|x| x.sql.clone()))
            .collect();
        if fixes.is_empty() {
            continue;
        }
        let db = server.fresh_db(&format!("review_fix_{}", d.id));
        if let Err(e) = db.exec(&bad) {
            problems.push(format!("{}: bad fixture does not load: {e}", d.id));
            continue;
        }
        for fx in &fixes {
            ran += 1;
            if let Err(e) = db.exec(fx) {
                problems.push(format!("{}: fix failed: {e}\n{fx}", d.id));
            }
        }
        // The schema after the fixes: PostgreSQL replays the text (every fix parses);
        // MariaDB's own SHOW CREATE TABLE is reviewed (the parser lacks ALTER TABLE ... ENGINE).
        let after_sql = match engine {
            common::Engine::Postgres => format!("{bad}\n{}", fixes.join("\n")),
            common::Engine::Mysql => db
                .column("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
                .iter()
                .map(|t| {
                    let rows = db.rows(&format!("SHOW CREATE TABLE `{t}`"));
                    format!("{};", rows[0][1].replace("\\n", "\n"))
                })
                .collect::<Vec<_>>()
                .join("\n"),
        };
        let after = findings(&after_sql, want, &Options::default());
        if let Some(f) = after.iter().find(|f| f.id == "SYN001") {
            problems.push(format!(
                "{}: schema after the fix does not parse: {}\n{after_sql}",
                d.id, f.message
            ));
        }
        if after.iter().any(|f| f.id == d.id) {
            problems.push(format!("{}: still fires after its fix", d.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(ran >= 3, "only {ran} fixes ran");
    eprintln!("{ran} fixes executed on {}", engine.name());
}

#[test]
fn fixes_execute_on_postgres_and_clear_the_finding() {
    fixes_execute(common::Engine::Postgres);
}

#[test]
fn fixes_execute_on_mariadb_and_clear_the_finding() {
    fixes_execute(common::Engine::Mysql);
}

#[test]
fn bad_fixtures_load_on_their_engine() {
    // The examples in the docs are real DDL.
    let Some(pg) = common::postgres() else { return };
    // One database; each fixture runs in a transaction that is rolled back (PostgreSQL DDL is
    // transactional), so the fixtures do not see each other.
    let db = pg.fresh_db("review_load");
    for d in review::rule_docs() {
        if dialect_of(d) != DialectChoice::Postgres {
            continue;
        }
        for kind in ["bad", "good"] {
            let sql = fixture(d.id, kind);
            if sql.to_ascii_uppercase().contains("CREATE ROLE") {
                continue;
            }
            db.exec(&format!("BEGIN;\n{sql}\nROLLBACK;"))
                .unwrap_or_else(|e| panic!("{}.{kind}.sql does not load on PostgreSQL: {e}", d.id));
        }
    }
}

#[test]
fn suppression_by_comment_configuration_and_meta001() {
    let sql = "-- kd-dba: ignore SCH001 legacy log table\nCREATE TABLE audit_log (logged_at timestamptz NOT NULL, message text);\n-- kd-dba: ignore SCH002 nothing to silence\nCREATE TABLE t2 (id bigint PRIMARY KEY);";
    let f = findings(sql, DialectChoice::Postgres, &Options::default());
    assert!(!f.iter().any(|x| x.id == "SCH001"), "{f:?}");
    let meta: Vec<&Finding> = f.iter().filter(|x| x.id == "META001").collect();
    assert_eq!(meta.len(), 1, "{f:?}");
    assert_eq!(meta[0].span.as_ref().unwrap().start.line, 3);
    // Configuration.
    let bad = fixture("SCH012", "bad");
    let opts = Options {
        disable: vec!["prefer-timestamptz".into()],
        ..Default::default()
    };
    assert!(
        !findings(&bad, DialectChoice::Postgres, &opts)
            .iter()
            .any(|x| x.id == "SCH012")
    );
    // Severity floor.
    let opts = Options {
        min_severity: Some(kd_dba::findings::Severity::Warning),
        ..Default::default()
    };
    let f = findings(&fixture("SCH013", "bad"), DialectChoice::Postgres, &opts);
    assert!(
        f.iter()
            .all(|x| x.severity >= kd_dba::findings::Severity::Warning),
        "{f:?}"
    );
}

#[test]
fn version_gating() {
    let old = Options {
        version: Some(Version::parse("9.6").unwrap()),
        ..Default::default()
    };
    let f = findings(&fixture("SCH011", "bad"), DialectChoice::Postgres, &old);
    assert!(
        !f.iter().any(|x| x.id == "SCH011"),
        "identity needs PostgreSQL 10"
    );
    let f = findings(
        &fixture("SCH011", "bad"),
        DialectChoice::Postgres,
        &Options::default(),
    );
    assert!(f.iter().any(|x| x.id == "SCH011"));
    let f = findings(&fixture("SCH001", "bad"), DialectChoice::Postgres, &old);
    let fix = f
        .iter()
        .find(|x| x.id == "SCH001")
        .and_then(|x| x.fix.clone())
        .unwrap();
    assert!(fix.sql.contains("bigserial"), "{}", fix.sql);
    let older = Options {
        version: Some(Version::parse("9.3").unwrap()),
        ..Default::default()
    };
    let f = findings(&fixture("SCH015", "bad"), DialectChoice::Postgres, &older);
    assert!(!f.iter().any(|x| x.id == "SCH015"), "jsonb needs 9.4");
    assert!(Version::parse("banana").is_err());
}

#[test]
fn spans_point_at_the_column_and_the_statement() {
    let f = findings(
        &fixture("SCH002", "bad"),
        DialectChoice::Postgres,
        &Options::default(),
    );
    let s = f
        .iter()
        .find(|x| x.id == "SCH002")
        .unwrap()
        .span
        .clone()
        .unwrap();
    assert_eq!((s.start.line, s.start.column), (4, 3), "{s:?}");
    assert_eq!(s.file.as_deref(), Some("fixture.sql"));
    let f = findings(
        &fixture("SCH001", "bad"),
        DialectChoice::Postgres,
        &Options::default(),
    );
    let s = f
        .iter()
        .find(|x| x.id == "SCH001")
        .unwrap()
        .span
        .clone()
        .unwrap();
    assert_eq!((s.start.line, s.start.column), (1, 1));
    let f = findings(
        &fixture("IDX005", "bad"),
        DialectChoice::Postgres,
        &Options::default(),
    );
    let s = f
        .iter()
        .find(|x| x.id == "IDX005")
        .unwrap()
        .span
        .clone()
        .unwrap();
    assert_eq!(s.start.line, 9);
}

#[test]
fn auto_dialect_and_migration_folder() {
    // A folder of golang-migrate files replayed in order: the FK added in 002 is reviewed.
    let dir = std::env::temp_dir().join(format!("kd_review_mig_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("001_users.up.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY);",
    )
    .unwrap();
    std::fs::write(dir.join("001_users.down.sql"), "DROP TABLE users;").unwrap();
    std::fs::write(
        dir.join("002_orders.up.sql"),
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL);\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
    )
    .unwrap();
    let req = review::ReviewRequest {
        input: kd_dba::input::SqlInput {
            sql: None,
            paths: vec![dir.to_string_lossy().into()],
        },
        ..Default::default()
    };
    let ctx = kd_dba::mcp::registry::ToolCtx {
        limits: Limits::default(),
        progress: None,
        base_dir: None,
    };
    let rep = review::review(req, &ctx).unwrap();
    let f = rep
        .findings
        .iter()
        .find(|x| x.id == "SCH002")
        .expect("SCH002");
    assert!(
        f.span
            .as_ref()
            .unwrap()
            .file
            .as_deref()
            .unwrap()
            .ends_with("002_orders.up.sql")
    );
    assert!(
        !rep.findings.iter().any(|x| x.id == "SCH003"),
        "FK declared by ALTER"
    );
    std::fs::remove_dir_all(&dir).ok();
    // Bad input is an error, not a panic.
    let bad = review::ReviewRequest {
        input: kd_dba::input::SqlInput {
            sql: Some("CREATE TABLE t (id int PRIMARY KEY);".into()),
            paths: vec![],
        },
        disable: vec!["NOPE042".into()],
        ..Default::default()
    };
    let e = review::review(bad, &ctx).unwrap_err().to_string();
    assert!(e.contains("NOPE042"), "{e}");
}

#[test]
fn designed_schemas_of_the_examples_come_out_clean() {
    // Every examples/*.json spec, designed for every engine, reviews with no error or warning.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        for dialect in ["postgres", "mysql", "sqlite"] {
            let s = kd_dba::design::spec_from_request(v.clone(), None, Some(dialect)).unwrap();
            let d = kd_dba::design::design_spec(&s).unwrap();
            let rep = review::review_parsed(&d.parsed, &d.catalog, &Options::default());
            let bad: Vec<String> = rep
                .findings
                .iter()
                .filter(|f| f.severity >= kd_dba::findings::Severity::Warning)
                .map(|f| format!("{} {}", f.id, f.message))
                .collect();
            assert!(bad.is_empty(), "{} ({dialect}): {bad:?}", p.display());
            assert!(kd_dba::design::check::review(&d.parsed, &d.catalog).clean());
            n += 1;
        }
    }
    assert!(n >= 3);
}

#[test]
fn cli_exit_codes_json_normalize_rule_docs_and_mcp_call() {
    use std::process::Command;
    let exe = env!("CARGO_BIN_EXE_kd-dba");
    let fx = |id: &str| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/review")
            .join(id)
    };
    // An error finding (SCH004) fails the run; --fail-on never does not.
    let out = Command::new(exe)
        .args(["review", "--dialect", "postgres"])
        .arg(fx("SCH004.bad.sql"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("SCH004") && text.contains("SCH004.bad.sql:4:3"),
        "{text}"
    );
    let out = Command::new(exe)
        .args([
            "review",
            "--dialect",
            "postgres",
            "--fail-on",
            "never",
            "--json",
        ])
        .arg(fx("SCH004.bad.sql"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "SCH004")
    );
    // Bad input: exit 2 and a message naming the problem.
    let out = Command::new(exe)
        .args(["review", "--disable", "NOPE042"])
        .arg(fx("SCH004.bad.sql"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOPE042"));
    // --normalize adds the analysis.
    let out = Command::new(exe)
        .args([
            "review",
            "--dialect",
            "postgres",
            "--normalize",
            "--json",
            "--fail-on",
            "never",
        ])
        .arg(fx("normalize.sql"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["normalize"]["issues"].as_array().unwrap().len(), 6);
    // The rule docs are served.
    let out = Command::new(exe).args(["rule", "SCH002"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("fk-column-without-index")
            && text.contains("CREATE INDEX orders_user_id_created_idx"),
        "{text}"
    );
    // The MCP tool through `kd-dba call`.
    let out = Command::new(exe)
        .args([
            "call",
            "KD-db-review",
            r#"{"sql": "CREATE TABLE t (id serial PRIMARY KEY, price float);", "dialect": "postgres", "version": "16", "min_severity": "warning"}"#,
            "--json",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SCH008") && text.contains("SCH010"), "{text}");
    assert!(!text.contains("\"SCH011\""), "info filtered out: {text}");
}

#[test]
fn the_review_runs_the_index_advisors_existing_index_rules() {
    let sql = "CREATE TABLE t (id bigint PRIMARY KEY, a int, b int);\n\
               CREATE INDEX t_a ON t (a);\n\
               CREATE INDEX t_a_again ON t (a);\n\
               CREATE INDEX t_ab ON t (a, b);\n\
               CREATE UNIQUE INDEX t_id ON t (id);\n";
    let opts = Options::default();
    let report = review::review_sources(
        &[Source::file("idx.sql", sql.to_string())],
        DialectChoice::Postgres,
        &opts,
        &Limits::default(),
    )
    .expect("review");
    let ids: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    for id in ["IDX001", "IDX002", "IDX003"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let clean = review::review_sources(
        &[Source::file(
            "idx.sql",
            "CREATE TABLE t (id bigint PRIMARY KEY, a int, b int);\nCREATE INDEX t_ab ON t (a, b);\n"
                .to_string(),
        )],
        DialectChoice::Postgres,
        &opts,
        &Limits::default(),
    )
    .expect("review");
    assert!(
        !clean
            .findings
            .iter()
            .any(|f| ["IDX001", "IDX002", "IDX003"].contains(&f.id.as_str())),
        "{:?}",
        clean.findings
    );
    let own = review::rule_docs()
        .iter()
        .filter(|d| d.dialects.is_empty() || d.dialects.contains(&"postgres"))
        .count();
    assert_eq!(
        report.rules_run,
        own + 3,
        "IDX001-IDX003 count as rules run"
    );
}

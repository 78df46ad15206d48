//! Every QRY rule fires on its documented bad example and not on its good one; spans, rewrites
//! re-parse, logs and N+1.

use super::*;

const SCHEMA: &str = "
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, phone text, referrer_id bigint, deleted_at timestamptz, created_at timestamptz NOT NULL);
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id), customer_id bigint REFERENCES customers(id), total numeric(10,2), created_at timestamptz NOT NULL);
CREATE INDEX orders_created_at_idx ON orders (created_at);
CREATE TABLE posts (id bigint PRIMARY KEY, title text NOT NULL);
CREATE TABLE jobs (id bigint PRIMARY KEY, state text NOT NULL);
CREATE TABLE sessions (id bigint PRIMARY KEY, expires_at timestamptz NOT NULL);
CREATE TABLE items (id bigint PRIMARY KEY);
CREATE TABLE a (id bigint PRIMARY KEY);
CREATE TABLE b (id bigint PRIMARY KEY);
";

fn run(sql: &str) -> OptimizeReport {
    optimize(
        &OptimizeRequest {
            sql: Some(sql.into()),
            schema: Some(SqlInput {
                sql: Some(SCHEMA.into()),
                paths: vec![],
            }),
            dialect: DialectChoice::Postgres,
            ..Default::default()
        },
        &Limits::default(),
        None,
    )
    .unwrap()
}

fn ids(r: &OptimizeReport) -> Vec<String> {
    r.queries
        .iter()
        .flat_map(|q| q.findings.iter())
        .chain(r.findings.iter())
        .map(|f| f.id.clone())
        .collect()
}

#[test]
fn every_rule_fires_on_bad_and_not_on_good() {
    for d in crate::rules::qry::DOCS {
        if d.id == "QRY020" || d.id == "QRY014" {
            continue; // need a log / a 100-value list: tested below
        }
        let bad = run(d.bad);
        assert!(
            ids(&bad).iter().any(|i| i == d.id),
            "{} did not fire on its bad example: {:?}",
            d.id,
            ids(&bad)
        );
        let good = run(d.good);
        assert!(
            !ids(&good).iter().any(|i| i == d.id),
            "{} fired on its good example",
            d.id
        );
    }
}

#[test]
fn long_in_list() {
    let list: Vec<String> = (1..=150).map(|i| i.to_string()).collect();
    let r = run(&format!(
        "SELECT id FROM items WHERE id IN ({})",
        list.join(", ")
    ));
    assert!(ids(&r).contains(&"QRY014".to_string()));
    let r = run("SELECT id FROM items WHERE id IN (1, 2, 3)");
    assert!(!ids(&r).contains(&"QRY014".to_string()));
}

#[test]
fn spans_point_into_the_query() {
    let r = run("SELECT id\nFROM orders\nWHERE DATE(created_at) = '2024-05-01'");
    let f = r.queries[0]
        .findings
        .iter()
        .find(|f| f.id == "QRY002")
        .unwrap();
    let s = f.span.as_ref().unwrap();
    assert_eq!((s.start.line, s.start.column), (3, 7), "{s:?}");
}

#[test]
fn rewrites_parse_and_state_their_condition() {
    let r = run(&crate::rules::qry::DOCS
        .iter()
        .map(|d| d.bad)
        .collect::<Vec<_>>()
        .join(";\n"));
    let mut n = 0;
    for q in &r.queries {
        for rw in &q.rewrites {
            assert!(rewrite::parses(&rw.sql, Dialect::Postgres), "{}", rw.sql);
            assert!(!rw.equivalence.is_empty());
            n += 1;
        }
    }
    assert!(n >= 8, "only {n} rewrites");
}

#[test]
fn nullability_comes_from_the_schema() {
    // NOT NULL subquery column: no finding.
    let r = run("SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM orders)");
    assert!(!ids(&r).contains(&"QRY006".to_string()));
}

#[test]
fn index_candidates_follow_equality_range_sort() {
    let r = run(
        "SELECT id FROM orders WHERE user_id = 7 AND created_at > now() - interval '1 day' AND total > 5 ORDER BY created_at",
    );
    let c = &r.queries[0].index_candidates;
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].keys, vec!["user_id", "created_at"]);
    assert!(
        c[0].create.starts_with("CREATE INDEX CONCURRENTLY"),
        "{}",
        c[0].create
    );
    assert_eq!(c[0].serves, vec![1]);
    let (b, a) = (
        r.queries[0].cost_before.unwrap(),
        r.queries[0].cost_after.unwrap(),
    );
    assert!(a < b, "{b} -> {a}");
}

#[test]
fn n_plus_one_from_a_plain_log() {
    let log = "SELECT id, email FROM users WHERE id = 1;\n".to_string()
        + &(1..=20)
            .map(|i| format!("SELECT * FROM orders WHERE user_id = {i};\n"))
            .collect::<String>();
    let r = optimize(
        &OptimizeRequest {
            log: Some(log),
            dialect: DialectChoice::Postgres,
            ..Default::default()
        },
        &Limits::default(),
        None,
    )
    .unwrap();
    assert_eq!(r.n_plus_one.len(), 1, "{:?}", r.n_plus_one);
    let n = &r.n_plus_one[0];
    assert_eq!(n.calls_saved, Some(19.0));
    assert_eq!(n.column.as_deref(), Some("user_id"));
    assert!(
        n.batched.as_ref().unwrap().contains("ANY(ARRAY[1, 2, 3"),
        "{:?}",
        n.batched
    );
    assert!(n.batched_param.as_ref().unwrap().contains("= ANY($1)"));
    assert_eq!(r.summary.calls_saved, 19.0);
    // One report per statement shape, with the calls summed.
    assert_eq!(r.queries.len(), 2);
    assert_eq!(r.queries[1].calls, Some(20.0));
}

#[test]
fn log_formats() {
    let csv = "query,calls,mean_exec_time\n\"SELECT * FROM orders WHERE user_id = $1\",50000,0.05\n\"SELECT count(*) FROM users WHERE email = $1, x\",3,10\n";
    let l = log::parse(csv, None, &Limits::default()).unwrap();
    assert_eq!(l.format, LogFormat::PgssCsv);
    assert_eq!(l.entries.len(), 2);
    assert_eq!(l.entries[0].calls, Some(50000.0));
    let n = log::n_plus_one(&l, Dialect::Postgres, None);
    assert_eq!(n.len(), 1);
    assert!(n[0].batched_param.as_ref().unwrap().contains("ANY($1)"));

    let json = r#"[{"query": "SELECT 1", "calls": 2, "total_exec_time": 10}]"#;
    let l = log::parse(json, None, &Limits::default()).unwrap();
    assert_eq!(l.format, LogFormat::PgssJson);
    assert_eq!(l.entries[0].mean_ms, Some(5.0));

    let slow = "/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-log. started with:\nTcp port: 3306  Unix socket: /run/mysqld/mysqld.sock\nTime                Id Command  Argument\n# Time: 241124 23:50:01\n# User@Host: app[app] @ localhost []\n# Query_time: 0.250000  Lock_time: 0.000010 Rows_sent: 1  Rows_examined: 100000\nuse shop;\nSET timestamp=1732492201;\nSELECT * FROM orders\n WHERE user_id = 42;\n# Query_time: 0.001  Lock_time: 0 Rows_sent: 1  Rows_examined: 1\nSET timestamp=1732492202;\nSELECT 1;\n";
    let l = log::parse(slow, None, &Limits::default()).unwrap();
    assert_eq!(l.format, LogFormat::MysqlSlow);
    assert_eq!(l.entries.len(), 2, "{:?}", l.entries);
    assert!(l.entries[0].sql.contains("user_id = 42"));
    assert_eq!(l.entries[0].mean_ms, Some(250.0));

    assert!(log::parse("[not json", Some(LogFormat::PgssJson), &Limits::default()).is_err());
}

#[test]
fn bad_input_is_a_clear_error() {
    let e = optimize(&OptimizeRequest::default(), &Limits::default(), None).unwrap_err();
    assert!(e.to_string().contains("nothing to optimize"));
    let e = optimize(
        &OptimizeRequest {
            log_path: Some("/nonexistent/x.log".into()),
            ..Default::default()
        },
        &Limits::default(),
        None,
    )
    .unwrap_err();
    assert!(e.to_string().contains("cannot read the log"));
}

#[test]
fn report_renders() {
    let r = run(
        "SELECT * FROM orders WHERE DATE(created_at) = '2024-05-01' ORDER BY id LIMIT 20 OFFSET 5000",
    );
    let md = crate::render::render("optimize/optimize.md", &r).unwrap();
    assert!(
        md.contains("QRY002") && md.contains("EXPLAIN (ANALYZE, BUFFERS"),
        "{md}"
    );
}

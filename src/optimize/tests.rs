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

fn rewrites_of<'a>(r: &'a OptimizeReport, rule: &str) -> Vec<&'a Rewrite> {
    r.queries
        .iter()
        .flat_map(|q| q.rewrites.iter())
        .filter(|w| w.rule == rule)
        .collect()
}

fn run_in(sql: &str, dialect: DialectChoice, schema: bool) -> OptimizeReport {
    optimize(
        &OptimizeRequest {
            sql: Some(sql.into()),
            schema: schema.then(|| SqlInput {
                sql: Some(SCHEMA.into()),
                paths: vec![],
            }),
            dialect,
            ..Default::default()
        },
        &Limits::default(),
        None,
    )
    .unwrap()
}

#[test]
fn or_across_columns_becomes_union_all_with_guards() {
    for (dc, d) in [
        (DialectChoice::Postgres, Dialect::Postgres),
        (DialectChoice::Mysql, Dialect::Mysql),
        (DialectChoice::Sqlite, Dialect::Sqlite),
    ] {
        let r = run_in(
            "SELECT id FROM users WHERE created_at > '2024-01-01' AND (email = 'a' OR phone = 'b' OR referrer_id = 3) ORDER BY users.id LIMIT 10",
            dc,
            true,
        );
        let rw = rewrites_of(&r, "QRY019");
        assert_eq!(rw.len(), 1, "{d:?}");
        assert!(
            rw[0].exact && rewrite::parses(&rw[0].sql, d),
            "{}",
            rw[0].sql
        );
        assert_eq!(rw[0].sql.matches("UNION ALL").count(), 2, "{}", rw[0].sql);
        // Third branch: not the first, not the second; ORDER BY by output name after the union.
        assert!(
            rw[0].sql.ends_with(
                "(referrer_id = 3) AND (email = 'a') IS NOT TRUE AND (phone = 'b') IS NOT TRUE ORDER BY id LIMIT 10"
            ),
            "{}",
            rw[0].sql
        );
        assert!(rw[0].equivalence.contains("exactly one"));
    }
    // DISTINCT: a plain UNION of the branches.
    let r = run("SELECT DISTINCT referrer_id FROM users WHERE email = 'a' OR phone = 'b'");
    let rw = rewrites_of(&r, "QRY019");
    assert!(rw[0].sql.contains(" UNION SELECT DISTINCT") && !rw[0].sql.contains("IS NOT TRUE"));
    // No rewrite where it would not give the same rows: LIMIT without ORDER BY, aggregates,
    // volatile conditions, ORDER BY a column that is not in the output, OR in the ON clause.
    for sql in [
        "SELECT id FROM users WHERE email = 'a' OR phone = 'b' LIMIT 5",
        "SELECT id FROM users WHERE email = 'a' OR phone = 'b' ORDER BY id FOR UPDATE",
        "SELECT count(*) FROM users WHERE email = 'a' OR phone = 'b'",
        "SELECT referrer_id, count(*) FROM users WHERE email = 'a' OR phone = 'b' GROUP BY referrer_id",
        "SELECT id FROM users WHERE email = 'a' OR random() < referrer_id",
        "SELECT id FROM users WHERE email = 'a' OR phone = 'b' ORDER BY created_at",
        "SELECT u.id FROM users u JOIN orders o ON o.user_id = u.id AND (u.email = 'a' OR o.total = 1)",
    ] {
        let r = run(sql);
        assert!(rewrites_of(&r, "QRY019").is_empty(), "{sql}");
    }
}

#[test]
fn correlated_aggregate_becomes_a_grouped_join() {
    let r = run_in(
        "SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id AND o.total > 5) AS n FROM users u",
        DialectChoice::Mysql,
        true,
    );
    let rw = rewrites_of(&r, "QRY010");
    let g = rw
        .iter()
        .find(|w| w.title == "LEFT JOIN to the grouped subquery")
        .expect("grouped join");
    assert!(g.exact && rewrite::parses(&g.sql, Dialect::Mysql));
    assert_eq!(
        g.sql,
        "SELECT u.id, COALESCE(grp1.grp1_v, 0) AS n FROM users u LEFT JOIN (SELECT o.user_id AS grp1_k1, count(*) AS grp1_v FROM orders o WHERE (o.total > 5) GROUP BY o.user_id) AS grp1 ON grp1.grp1_k1 = u.id"
    );
    // The fix shown on MySQL is the grouped join; on PostgreSQL LATERAL.
    let f = r.queries[0]
        .findings
        .iter()
        .find(|f| f.id == "QRY010")
        .unwrap();
    assert!(f.fix.as_ref().unwrap().title.contains("grouped"));
    // SQLite: no LATERAL, the grouped join only.
    let r = run_in(
        "SELECT u.id, (SELECT max(o.total) FROM orders o WHERE o.user_id = u.id) FROM users u",
        DialectChoice::Sqlite,
        true,
    );
    let rw = rewrites_of(&r, "QRY010");
    assert_eq!(rw.len(), 1);
    assert!(rw[0].sql.contains("grp1.grp1_v AS max") && !rw[0].sql.contains("COALESCE"));
    // Without a schema the column types are unknown: the condition is stated, not assumed.
    let r = run_in(
        "SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id) FROM users u",
        DialectChoice::Postgres,
        false,
    );
    let g: Vec<_> = rewrites_of(&r, "QRY010")
        .into_iter()
        .filter(|w| w.title.contains("grouped"))
        .collect();
    assert!(!g[0].exact && g[0].equivalence.contains("same type"));
    // Not for a non-equality correlation, a non-aggregate, or an outer `*`.
    for sql in [
        "SELECT u.id, (SELECT count(*) FROM orders o WHERE o.created_at > u.created_at) FROM users u",
        "SELECT u.id, (SELECT o.total FROM orders o WHERE o.user_id = u.id LIMIT 1) FROM users u",
        "SELECT *, (SELECT count(*) FROM orders o WHERE o.user_id = users.id) FROM users",
        "SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id OR o.total > 1) FROM users u",
    ] {
        let r = run(sql);
        assert!(
            !rewrites_of(&r, "QRY010")
                .iter()
                .any(|w| w.title.contains("grouped")),
            "{sql}"
        );
    }
}

#[test]
fn rewrites_apply_to_nested_queries_in_place() {
    let cases = [
        (
            "SELECT s.id FROM (SELECT DISTINCT u.id, u.email FROM users u JOIN orders o ON o.user_id = u.id) s",
            "QRY011",
            "SELECT s.id FROM (SELECT u.id, u.email FROM users AS u WHERE EXISTS (SELECT 1 FROM orders AS o WHERE (o.user_id = u.id))) s",
        ),
        (
            "WITH p AS (SELECT id FROM orders ORDER BY id LIMIT 10 OFFSET 5000) SELECT id FROM p",
            "QRY007",
            "WITH p AS (SELECT id FROM orders WHERE id > $1 ORDER BY id LIMIT 10) SELECT id FROM p",
        ),
        (
            "INSERT INTO items SELECT o.id FROM orders o LEFT JOIN customers c ON c.id = o.customer_id",
            "QRY018",
            "INSERT INTO items SELECT o.id FROM orders o",
        ),
        (
            "SELECT id FROM orders WHERE user_id IN (SELECT id FROM users WHERE email = 'a' OR phone = 'b')",
            "QRY019",
            "SELECT id FROM orders WHERE user_id IN (SELECT id FROM users WHERE (email = 'a') UNION ALL SELECT id FROM users WHERE (phone = 'b') AND (email = 'a') IS NOT TRUE)",
        ),
        (
            "CREATE VIEW user_orders AS SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id) AS n FROM users u",
            "QRY010",
            "",
        ),
    ];
    for (sql, rule, want) in cases {
        let r = run(sql);
        let rw = rewrites_of(&r, rule);
        if want.is_empty() {
            // The view: LATERAL and the grouped join, both inside CREATE VIEW.
            assert_eq!(rw.len(), 2, "{sql}: {:?}", r.queries[0].rewrites);
            assert!(rw.iter().all(|w| {
                w.sql
                    .starts_with("CREATE VIEW user_orders AS SELECT u.id, ")
            }));
            assert!(
                r.queries[0]
                    .explain
                    .starts_with("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT u.id")
            );
            continue;
        }
        assert_eq!(rw.len(), 1, "{sql}: {:?}", r.queries[0].rewrites);
        assert_eq!(rw[0].sql, want);
        assert!(rewrite::parses(&rw[0].sql, Dialect::Postgres));
    }
}

fn pgss_report(csv: &str, schema: Option<&str>) -> OptimizeReport {
    optimize(
        &OptimizeRequest {
            log: Some(csv.into()),
            schema: schema.map(|s| SqlInput {
                sql: Some(s.into()),
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

#[test]
fn n_plus_one_in_pg_stat_statements_counts_calls_per_parent() {
    let csv = "query,calls,mean_exec_time\n\
\"SELECT id, email FROM users WHERE referrer_id = $1 ORDER BY id LIMIT $2\",50,1.5\n\
\"SELECT id, email FROM users WHERE id = $1\",4000,0.02\n\
\"SELECT id, total FROM orders WHERE user_id = $1\",1000,0.05\n\
\"SELECT 1\",10,0.01\n";
    // With the schema: the foreign key orders.user_id → users(id). The users lookup by id (4,000
    // calls, more than the child) cannot be the loop that drives it; the list (50 calls) is.
    let r = pgss_report(csv, Some(SCHEMA));
    let n: Vec<_> = r
        .n_plus_one
        .iter()
        .filter(|n| n.fingerprint.contains("orders"))
        .collect();
    assert_eq!(n.len(), 1, "{:?}", r.n_plus_one);
    let n = n[0];
    assert_eq!(n.calls_saved, Some(950.0));
    assert_eq!(n.per_parent_call, Some(20.0));
    assert_eq!(n.parent_calls, Some(50.0));
    assert!(n.parent.as_ref().unwrap().contains("referrer_id = ?"));
    let how = n.derivation.as_ref().unwrap();
    assert!(
        how.contains("foreign key") && how.contains("950 calls saved"),
        "{how}"
    );
    assert!(
        n.finding.message.contains("20.0 calls per call"),
        "{}",
        n.finding.message
    );
    assert_eq!(r.summary.calls_saved, 950.0);
    // Without a schema: by the column's name, and the derivation says so.
    let r = pgss_report(csv, None);
    let n = r
        .n_plus_one
        .iter()
        .find(|n| n.fingerprint.contains("orders"))
        .unwrap();
    assert_eq!(n.calls_saved, Some(950.0));
    assert!(
        n.derivation
            .as_ref()
            .unwrap()
            .starts_with("no schema given")
    );
    // With a schema that has no such foreign key, no parent is guessed.
    let r = pgss_report(
        csv,
        Some(
            "CREATE TABLE users (id bigint PRIMARY KEY, email text, referrer_id bigint); CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric);",
        ),
    );
    let n = r
        .n_plus_one
        .iter()
        .find(|n| n.fingerprint.contains("orders"))
        .unwrap();
    assert_eq!(n.calls_saved, None);
    assert!(n.parent.is_none() && n.derivation.is_none());
}

fn with_stats(sql: &str, stats: &str) -> OptimizeReport {
    optimize(
        &OptimizeRequest {
            sql: Some(sql.into()),
            schema: Some(SqlInput {
                sql: Some(SCHEMA.into()),
                paths: vec![],
            }),
            stats: Some(serde_json::from_str(stats).unwrap()),
            dialect: DialectChoice::Postgres,
            ..Default::default()
        },
        &Limits::default(),
        None,
    )
    .unwrap()
}

fn finding<'a>(r: &'a OptimizeReport, id: &str) -> &'a Finding {
    r.queries[0]
        .findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no {id}: {:?}", r.queries[0].findings))
}

#[test]
fn statistics_scale_the_offset_verdict() {
    let sql = "SELECT id, total FROM orders ORDER BY id LIMIT 20 OFFSET 5000";
    let no_stats = run(sql);
    assert_eq!(finding(&no_stats, "QRY007").severity, Severity::Warning);
    let big = with_stats(sql, r#"{"tables":[{"table":"orders","rows":200000}]}"#);
    let f = finding(&big, "QRY007");
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.message.contains("(2% of orders's 200000 rows"),
        "{}",
        f.message
    );
    let small = with_stats(sql, r#"{"tables":[{"table":"orders","rows":8000}]}"#);
    let f = finding(&small, "QRY007");
    assert_eq!(f.severity, Severity::Info);
    assert!(
        f.message.contains("62% of orders's 8000 rows"),
        "{}",
        f.message
    );
    let past = with_stats(sql, r#"{"tables":[{"table":"orders","rows":3000}]}"#);
    assert!(
        finding(&past, "QRY007")
            .message
            .contains("past the end of orders, which has 3000 rows")
    );
}

#[test]
fn statistics_lower_scans_of_small_tables() {
    let like = "SELECT id FROM users WHERE email LIKE '%@x.com'";
    assert_eq!(finding(&run(like), "QRY004").severity, Severity::Warning);
    let small = with_stats(like, r#"{"tables":[{"relname":"users","reltuples":900}]}"#);
    let f = finding(&small, "QRY004");
    assert_eq!(f.severity, Severity::Info);
    assert!(f.message.contains("users has 900 rows"), "{}", f.message);
    let big = with_stats(like, r#"{"tables":[{"table":"users","rows":5000000}]}"#);
    assert_eq!(finding(&big, "QRY004").severity, Severity::Warning);
    // A function on an indexed column of a small table.
    let date = "SELECT id FROM orders WHERE DATE(created_at) = '2024-03-05'";
    let f = finding(
        &with_stats(date, r#"{"tables":[{"table":"orders","rows":300}]}"#),
        "QRY002",
    )
    .clone();
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(finding(&run(date), "QRY002").severity, Severity::Warning);
}

#[test]
fn statistics_judge_or_and_in_list_selectivity() {
    let or = "SELECT id FROM jobs WHERE state = 'done' OR id = 5";
    // Without statistics: the UNION ALL rewrite.
    assert_eq!(rewrites_of(&run(or), "QRY019").len(), 1);
    // state has 3 values: `state = 'done'` alone keeps a third of the rows.
    let r = with_stats(
        or,
        r#"{"tables":[{"table":"jobs","rows":1000000}],"columns":[{"table":"jobs","column":"state","n_distinct":3,"null_frac":0}]}"#,
    );
    let f = finding(&r, "QRY019");
    assert!(
        f.message.contains("at least 33% of the rows"),
        "{}",
        f.message
    );
    assert!(rewrites_of(&r, "QRY019").is_empty() && f.fix.is_none());
    // Many distinct states: the branches are selective, the rewrite stays.
    let r = with_stats(
        or,
        r#"{"tables":[{"table":"jobs","rows":1000000}],"columns":[{"table":"jobs","column":"state","n_distinct":-0.5}]}"#,
    );
    assert_eq!(rewrites_of(&r, "QRY019").len(), 1);
    // A small table: info, no rewrite.
    let r = with_stats(or, r#"{"tables":[{"table":"jobs","rows":400}]}"#);
    let f = finding(&r, "QRY019");
    assert!(f.severity == Severity::Info && f.message.contains("jobs has 400 rows"));
    assert!(rewrites_of(&r, "QRY019").is_empty());
    // IN list against the column's distinct values.
    let list: Vec<String> = (1..=150).map(|i| format!("'s{i}'")).collect();
    let sql = format!("SELECT id FROM jobs WHERE state IN ({})", list.join(", "));
    let r = with_stats(
        &sql,
        r#"{"tables":[{"table":"jobs","rows":1000000}],"columns":[{"table":"jobs","column":"state","n_distinct":200}]}"#,
    );
    let f = finding(&r, "QRY014");
    assert!(f.message.contains("75% of the 200 distinct values of jobs by the statistics; at that share an index does not help"), "{}", f.message);
    let r = with_stats(&sql, r#"{"tables":[{"table":"jobs","rows":1000000}]}"#);
    let f = finding(&r, "QRY014");
    assert!(
        f.message
            .ends_with("0% of the 1000000 rows of jobs by the statistics"),
        "{}",
        f.message
    );
}

#[test]
fn or_union_refuses_qualified_order_by_that_an_output_alias_shadows() {
    // `ORDER BY u.email` sorts by the input column; after the union only output names resolve,
    // and the output column named `email` is u.phone.
    for sql in [
        "SELECT u.phone AS email, u.email AS phone FROM users u WHERE u.referrer_id = 3 OR u.phone = 'b' ORDER BY u.email",
        "SELECT u.phone AS email, u.email FROM users u WHERE u.referrer_id = 3 OR u.phone = 'b' ORDER BY u.email",
        "SELECT upper(u.email) AS email FROM users u WHERE u.referrer_id = 3 OR u.phone = 'b' ORDER BY u.email",
        "SELECT u.email, o.id FROM users u JOIN orders o ON o.user_id = u.id WHERE u.referrer_id = 3 OR o.total = 1 ORDER BY o.email",
    ] {
        let r = run(sql);
        assert!(
            rewrites_of(&r, "QRY019").is_empty(),
            "{sql}: {:?}",
            rewrites_of(&r, "QRY019")
        );
    }
    // The qualified column itself in the output (plain or under its own name): kept.
    for sql in [
        "SELECT u.email, u.id FROM users u WHERE u.referrer_id = 3 OR u.phone = 'b' ORDER BY u.email",
        "SELECT u.email AS email, u.id FROM users u WHERE u.referrer_id = 3 OR u.phone = 'b' ORDER BY u.email",
        "SELECT u.* FROM users u WHERE u.referrer_id = 3 OR u.phone = 'b' ORDER BY u.email",
    ] {
        let r = run(sql);
        let rw = rewrites_of(&r, "QRY019");
        assert_eq!(rw.len(), 1, "{sql}");
        assert!(rw[0].sql.ends_with("ORDER BY email"), "{}", rw[0].sql);
    }
}

#[test]
fn rewrites_do_not_duplicate_or_reorder_anonymous_parameters() {
    // `?` binds by position: a branch copied per OR condition adds parameters, and a subquery
    // moved from the select list to the FROM clause changes their order.
    for (sql, rule) in [
        (
            "SELECT id FROM users WHERE email = ? OR phone = ?",
            "QRY019",
        ),
        (
            "SELECT id FROM users WHERE created_at > ? AND (email = 'a' OR phone = 'b')",
            "QRY019",
        ),
        (
            "SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id AND o.total > ?) AS n, ? AS p FROM users u",
            "QRY010",
        ),
    ] {
        let r = run_in(sql, DialectChoice::Mysql, true);
        assert!(
            rewrites_of(&r, rule).is_empty(),
            "{sql}: {:?}",
            rewrites_of(&r, rule)
        );
    }
    // Numbered parameters keep their meaning wherever they are copied.
    let r = run("SELECT id FROM users WHERE email = $1 OR phone = $2");
    assert_eq!(rewrites_of(&r, "QRY019").len(), 1);
    // One `?` only, inside the subquery: moving it keeps the order.
    let r = run_in(
        "SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id AND o.total > ?) AS n FROM users u",
        DialectChoice::Mysql,
        true,
    );
    assert!(!rewrites_of(&r, "QRY010").is_empty());
}

#[test]
fn or_union_refuses_aggregates_outside_the_name_list_and_volatile_sources() {
    for (sql, dc) in [
        (
            "SELECT stddev_pop(referrer_id) FROM users WHERE email = 'a' OR phone = 'b'",
            DialectChoice::Postgres,
        ),
        (
            "SELECT var_samp(referrer_id) FROM users WHERE email = 'a' OR phone = 'b'",
            DialectChoice::Postgres,
        ),
        (
            "SELECT total(referrer_id) FROM users WHERE email = 'a' OR phone = 'b'",
            DialectChoice::Sqlite,
        ),
        (
            "SELECT json_group_array(id) FROM users WHERE email = 'a' OR phone = 'b'",
            DialectChoice::Sqlite,
        ),
        // a user-defined aggregate: known by DISTINCT, ORDER BY, FILTER or WITHIN GROUP
        (
            "SELECT my_agg(DISTINCT id) FROM users WHERE email = 'a' OR phone = 'b'",
            DialectChoice::Postgres,
        ),
        (
            "SELECT my_agg(id ORDER BY id) FROM users WHERE email = 'a' OR phone = 'b'",
            DialectChoice::Postgres,
        ),
        (
            "SELECT my_agg(id) FILTER (WHERE id > 1) FROM users WHERE email = 'a' OR phone = 'b'",
            DialectChoice::Postgres,
        ),
        (
            "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY id) FROM users WHERE email = 'a' OR phone = 'b'",
            DialectChoice::Postgres,
        ),
        // a volatile source: each branch would draw its own sample / random values
        (
            "SELECT id FROM users TABLESAMPLE BERNOULLI (10) WHERE email = 'a' OR phone = 'b'",
            DialectChoice::Postgres,
        ),
        (
            "SELECT s.id FROM (SELECT id, email, random() AS r FROM users) s WHERE s.email = 'a' OR s.r < 0.5",
            DialectChoice::Postgres,
        ),
    ] {
        let r = run_in(sql, dc, true);
        assert!(
            rewrites_of(&r, "QRY019").is_empty(),
            "{sql}: {:?}",
            rewrites_of(&r, "QRY019")
        );
    }
}

#[test]
fn keyset_parameters_and_order_keys_are_sound() {
    // Numbered after the statement's own parameters.
    let r = run("SELECT id FROM orders WHERE user_id = $1 ORDER BY id LIMIT 10 OFFSET 5000");
    let rw = rewrites_of(&r, "QRY007");
    assert_eq!(rw.len(), 1);
    assert_eq!(
        rw[0].sql,
        "SELECT id FROM orders WHERE (user_id = $1) AND id > $2 ORDER BY id LIMIT 10"
    );
    // ORDER BY an output alias: WHERE cannot name it (or names another column).
    for sql in [
        "SELECT created_at AS c FROM orders ORDER BY c LIMIT 10 OFFSET 5000",
        "SELECT user_id AS id FROM orders ORDER BY id LIMIT 10 OFFSET 5000",
        "SELECT user_id, count(*) AS n FROM orders GROUP BY user_id ORDER BY n LIMIT 10 OFFSET 5000",
    ] {
        let r = run(sql);
        assert!(
            rewrites_of(&r, "QRY007").is_empty(),
            "{sql}: {:?}",
            rewrites_of(&r, "QRY007")
        );
    }
}

#[test]
fn grouped_join_refuses_outer_columns_in_the_subquery_from() {
    let r = run(
        "SELECT u.id, (SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id AND c.name = u.email WHERE o.user_id = u.id) AS n FROM users u",
    );
    assert!(
        !rewrites_of(&r, "QRY010")
            .iter()
            .any(|w| w.title.contains("grouped")),
        "{:?}",
        rewrites_of(&r, "QRY010")
    );
}

#[test]
fn lateral_and_table_functions_reading_a_table_are_not_cartesian() {
    for sql in [
        "SELECT u.id, x.v FROM users u, unnest(ARRAY[u.id, u.referrer_id]) AS x(v)",
        "SELECT u.id, l.m FROM users u CROSS JOIN LATERAL (SELECT max(o.total) AS m FROM orders o WHERE o.user_id = u.id) l",
        "SELECT u.id, l.m FROM users u, LATERAL (SELECT o.total AS m FROM orders o WHERE o.user_id = u.id AND (o.total = 1 OR o.customer_id = 2)) l",
    ] {
        let r = run(sql);
        assert!(
            !ids(&r).contains(&"QRY009".to_string()),
            "{sql}: {:?}",
            ids(&r)
        );
    }
    // An uncorrelated comma join still is.
    let r = run("SELECT u.id, l.m FROM users u, (SELECT max(o.total) AS m FROM orders o) l");
    assert!(ids(&r).contains(&"QRY009".to_string()));
}

#[test]
fn unused_join_needs_the_columns_placed() {
    // No schema: `o_orderkey` may be a column of orders (TPC-H q13), so the join may be read.
    let q13 = "SELECT c_custkey, count(o_orderkey) FROM customer LEFT OUTER JOIN orders ON c_custkey = o_custkey GROUP BY c_custkey";
    let r = run_in(q13, DialectChoice::Postgres, false);
    assert!(!ids(&r).contains(&"QRY018".to_string()), "{:?}", ids(&r));
    // Qualified and placed: still reported.
    let r = run_in(
        "SELECT c.id FROM customer c LEFT JOIN orders o ON o.cid = c.id",
        DialectChoice::Postgres,
        false,
    );
    assert!(ids(&r).contains(&"QRY018".to_string()), "{:?}", ids(&r));
}

#[test]
fn cli_query_may_start_with_a_comment() {
    use clap::Parser;
    #[derive(Parser)]
    struct W {
        #[command(flatten)]
        a: cli::OptimizeArgs,
    }
    let w = W::try_parse_from(["kd-dba", "-q", "-- TPC-H q6\nSELECT 1"]).expect("parses");
    assert_eq!(w.a.queries, vec!["-- TPC-H q6\nSELECT 1".to_string()]);
}

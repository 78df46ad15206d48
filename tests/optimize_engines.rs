//! KD-optimize against real engines: every exact rewrite returns the same rows as the original
//! on generated data (PostgreSQL and MariaDB), rewrites with a stated condition behave as the
//! condition says, and every index candidate and EXPLAIN we print runs.

mod common;

use kd_dba::input::SqlInput;
use kd_dba::limits::Limits;
use kd_dba::optimize::{OptimizeReport, OptimizeRequest, optimize};
use kd_dba::sql::DialectChoice;

const PG_SCHEMA: &str = "
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, phone text, referrer_id bigint, created_at timestamptz NOT NULL);
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id), customer_id bigint REFERENCES customers(id), total numeric(10,2), created_at timestamptz NOT NULL);
CREATE INDEX orders_created_at_idx ON orders (created_at);
";

const PG_DATA: &str = "
SET TIME ZONE 'UTC';
INSERT INTO users SELECT g, 'u' || g || '@x.com', CASE WHEN g % 3 = 0 THEN NULL ELSE '555' || g END,
  CASE WHEN g % 4 = 0 THEN NULL ELSE (g % 50) + 1 END, timestamptz '2024-01-01' + g * interval '7 hours'
  FROM generate_series(1, 2000) g;
INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 100) g;
INSERT INTO orders SELECT g, ((g * 7) % 1500) + 1, CASE WHEN g % 10 = 0 THEN NULL ELSE (g % 100) + 1 END,
  (g % 500) / 3.0, timestamptz '2024-01-01' + g * interval '53 minutes'
  FROM generate_series(1, 10000) g;
ANALYZE;
";

const PG_QUERIES: &[&str] = &[
    "SELECT id FROM orders WHERE DATE(created_at) = '2024-03-05'",
    "SELECT id FROM orders WHERE CAST(created_at AS date) = '2024-02-10'",
    "SELECT id FROM orders WHERE EXTRACT(YEAR FROM created_at) = 2024",
    "SELECT id FROM orders WHERE user_id + 1 = 101",
    "SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id) AS n FROM users u",
    "SELECT u.id, (SELECT max(o.total) FROM orders o WHERE o.user_id = u.id) FROM users u",
    "SELECT DISTINCT u.id, u.email FROM users u JOIN orders o ON o.user_id = u.id WHERE o.total > 100",
    "SELECT DISTINCT u.referrer_id FROM users u JOIN orders o ON o.user_id = u.id WHERE u.id < 300",
    "SELECT id, 'u' AS src FROM users WHERE id < 50 UNION SELECT id, 'o' FROM orders WHERE id < 50",
    "SELECT id FROM users u WHERE (SELECT count(*) FROM orders o WHERE o.user_id = u.id) > 0",
    "SELECT id FROM users u WHERE (SELECT count(*) FROM orders o WHERE o.user_id = u.id) = 0",
    "SELECT o.id, o.total FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.id < 500",
    "WITH a AS (SELECT id FROM users WHERE id < 10), b AS (SELECT 2 AS y) SELECT id FROM a",
    "SELECT id FROM users WHERE id NOT IN (SELECT referrer_id FROM users WHERE referrer_id IS NOT NULL)",
];

fn report(schema: &str, sql: &str, dialect: DialectChoice) -> OptimizeReport {
    optimize(
        &OptimizeRequest {
            sql: Some(sql.into()),
            schema: Some(SqlInput {
                sql: Some(schema.into()),
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

fn sorted(mut v: Vec<Vec<String>>) -> Vec<Vec<String>> {
    v.sort();
    v
}

/// Run each exact rewrite and its original; returns how many pairs were compared.
fn compare_exact(db: &common::TestDb, r: &OptimizeReport, prefix: &str) -> usize {
    let mut n = 0;
    for q in &r.queries {
        for rw in q.rewrites.iter().filter(|rw| rw.exact) {
            let a = sorted(db.rows(&format!("{prefix}{};", q.sql)));
            let b = sorted(db.rows(&format!("{prefix}{};", rw.sql)));
            assert!(
                !a.is_empty(),
                "the test data should give rows for: {}",
                q.sql
            );
            assert!(
                a == b,
                "{} changed the result ({} vs {} rows)\noriginal: {}\nrewrite:  {}",
                rw.rule,
                a.len(),
                b.len(),
                q.sql,
                rw.sql
            );
            n += 1;
        }
    }
    n
}

#[test]
fn postgres_rewrites_return_the_same_rows() {
    let Some(pg) = common::postgres() else { return };
    let db = pg.fresh_db("opt_rewrites");
    db.load(PG_SCHEMA).unwrap();
    db.load(PG_DATA).unwrap();
    let r = report(PG_SCHEMA, &PG_QUERIES.join(";\n"), DialectChoice::Postgres);
    let compared = compare_exact(&db, &r, "SET TIME ZONE 'UTC';\n");
    assert!(compared >= 11, "only {compared} exact rewrites compared");
    let rules: Vec<&str> = r
        .queries
        .iter()
        .flat_map(|q| q.rewrites.iter().map(|w| w.rule.as_str()))
        .collect();
    for want in [
        "QRY002", "QRY010", "QRY011", "QRY012", "QRY013", "QRY017", "QRY018", "QRY006",
    ] {
        assert!(rules.contains(&want), "no {want} rewrite: {rules:?}");
    }
    // NOT IN → NOT EXISTS: the same rows when the subquery has no NULL ...
    let q = r
        .queries
        .iter()
        .find(|q| q.rewrites.iter().any(|w| w.rule == "QRY006"))
        .unwrap();
    let rw = q.rewrites.iter().find(|w| w.rule == "QRY006").unwrap();
    assert!(!rw.exact);
    let (a, b) = (
        sorted(db.rows(&format!("{};", q.sql))),
        sorted(db.rows(&format!("{};", rw.sql))),
    );
    assert!(
        !a.is_empty() && a == b,
        "{} vs {} rows: {}",
        a.len(),
        b.len(),
        rw.sql
    );
    // ... and where it has one, NOT IN returns nothing while NOT EXISTS answers the question.
    let r2 = report(
        PG_SCHEMA,
        "SELECT id FROM users WHERE id NOT IN (SELECT referrer_id FROM users)",
        DialectChoice::Postgres,
    );
    let q2 = &r2.queries[0];
    let rw2 = q2.rewrites.iter().find(|w| w.rule == "QRY006").unwrap();
    assert!(db.rows(&format!("{};", q2.sql)).is_empty());
    assert!(db.rows(&format!("{};", rw2.sql)).len() > 1000);
}

#[test]
fn postgres_keyset_returns_the_same_page() {
    let Some(pg) = common::postgres() else { return };
    let db = pg.fresh_db("opt_keyset");
    db.load(PG_SCHEMA).unwrap();
    db.load(PG_DATA).unwrap();
    for (sql, key) in [
        (
            "SELECT id, total FROM orders ORDER BY id LIMIT 20 OFFSET 4000",
            "id",
        ),
        (
            "SELECT id, total FROM orders WHERE total > 10 ORDER BY id DESC LIMIT 20 OFFSET 3000",
            "id",
        ),
    ] {
        let r = report(PG_SCHEMA, sql, DialectChoice::Postgres);
        let q = &r.queries[0];
        assert!(q.findings.iter().any(|f| f.id == "QRY007"));
        let rw = q
            .rewrites
            .iter()
            .find(|w| w.rule == "QRY007")
            .expect("keyset rewrite");
        // The last row of the previous page.
        let prev = sql
            .replace("LIMIT 20 OFFSET", "LIMIT 1 OFFSET")
            .replace("OFFSET 4000", "OFFSET 3999")
            .replace("OFFSET 3000", "OFFSET 2999");
        let last = db.rows(&format!("SELECT {key} FROM ({prev}) p;"))[0][0].clone();
        let keyset = rw.sql.replace("$1", &last);
        assert_eq!(
            db.rows(&format!("{sql};")),
            db.rows(&format!("{keyset};")),
            "{keyset}"
        );
    }
}

#[test]
fn postgres_candidates_and_explain_run() {
    let Some(pg) = common::postgres() else { return };
    let db = pg.fresh_db("opt_candidates");
    db.load(PG_SCHEMA).unwrap();
    db.load(PG_DATA).unwrap();
    let sqls = [
        "SELECT id FROM orders WHERE user_id = 7 AND created_at > now() - interval '30 days' ORDER BY created_at",
        "SELECT o.id FROM users u JOIN orders o ON o.customer_id = u.id WHERE u.phone = '5551' ORDER BY o.id",
        "SELECT id, email FROM users WHERE referrer_id = 3 ORDER BY created_at DESC LIMIT 10",
        "SELECT id FROM users WHERE email LIKE 'u1%'",
    ];
    let r = report(PG_SCHEMA, &sqls.join(";\n"), DialectChoice::Postgres);
    let mut created = 0;
    let mut created_names = std::collections::BTreeSet::new();
    for q in &r.queries {
        for c in &q.index_candidates {
            if created_names.insert(c.name.clone()) {
                db.exec(&c.create)
                    .unwrap_or_else(|e| panic!("{}: {e}", c.create));
                created += 1;
            }
        }
        let out = db
            .exec(&q.explain)
            .unwrap_or_else(|e| panic!("{}: {e}", q.explain));
        assert!(out.contains("\"Plan\""), "{out}");
    }
    assert!(created >= 3, "only {created} recommendations");
    assert_eq!(
        r.queries[0].index_candidates[0].keys,
        vec!["user_id", "created_at"]
    );
    assert!(r.queries.iter().all(|q| {
        q.explain
            .starts_with("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)")
    }));
}

const MY_SCHEMA: &str = "
CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL, phone varchar(20), referrer_id bigint, created_at datetime NOT NULL);
CREATE TABLE customers (id bigint PRIMARY KEY, name varchar(50) NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, customer_id bigint, total decimal(10,2), created_at datetime NOT NULL, KEY orders_created_at_idx (created_at));
";

const MY_DATA: &str = "
INSERT INTO users SELECT seq, CONCAT('u', seq, '@x.com'), IF(seq % 3 = 0, NULL, CONCAT('555', seq)),
  IF(seq % 4 = 0, NULL, (seq % 50) + 1), TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (seq * 7) HOUR FROM seq_1_to_2000;
INSERT INTO customers SELECT seq, CONCAT('c', seq) FROM seq_1_to_100;
INSERT INTO orders SELECT seq, ((seq * 7) % 1500) + 1, IF(seq % 10 = 0, NULL, (seq % 100) + 1),
  (seq % 500) / 3.0, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (seq * 53) MINUTE FROM seq_1_to_10000;
";

#[test]
fn mariadb_rewrites_return_the_same_rows() {
    let Some(my) = common::mysql() else { return };
    let db = my.fresh_db("opt_rewrites_my");
    db.load(MY_SCHEMA).unwrap();
    db.load(MY_DATA).unwrap();
    let qs = [
        "SELECT id FROM orders WHERE DATE(created_at) = '2024-03-05'",
        "SELECT id FROM orders WHERE YEAR(created_at) = 2024",
        "SELECT DISTINCT u.id, u.email FROM users u JOIN orders o ON o.user_id = u.id WHERE o.total > 100",
        "SELECT id, 'u' AS src FROM users WHERE id < 50 UNION SELECT id, 'o' FROM orders WHERE id < 50",
        "SELECT id FROM users u WHERE (SELECT count(*) FROM orders o WHERE o.user_id = u.id) > 0",
        "SELECT o.id, o.total FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.id < 500",
        "WITH a AS (SELECT id FROM users WHERE id < 10), b AS (SELECT 2 AS y) SELECT id FROM a",
    ];
    let r = report(MY_SCHEMA, &qs.join(";\n"), DialectChoice::Mysql);
    let compared = compare_exact(&db, &r, "");
    assert!(compared >= 7, "only {compared} exact rewrites compared");
    let mut created_names = std::collections::BTreeSet::new();
    for q in &r.queries {
        for c in &q.index_candidates {
            if created_names.insert(c.name.clone()) {
                assert!(
                    c.create.contains("ALGORITHM=INPLACE, LOCK=NONE"),
                    "{}",
                    c.create
                );
                db.exec(&c.create)
                    .unwrap_or_else(|e| panic!("{}: {e}", c.create));
            }
        }
        let ex = q
            .explain
            .lines()
            .filter(|l| !l.starts_with("--") && l.starts_with("ANALYZE"))
            .collect::<Vec<_>>()
            .join("\n");
        let out = db.exec(&ex).unwrap_or_else(|e| panic!("{ex}: {e}"));
        assert!(out.contains("query_block"), "{out}");
    }
}

#[test]
fn postgres_n_plus_one_batches_return_the_same_rows() {
    let Some(pg) = common::postgres() else { return };
    let db = pg.fresh_db("opt_nplus1");
    db.load(PG_SCHEMA).unwrap();
    db.load(PG_DATA).unwrap();
    let ids: Vec<i64> = (1..=12).map(|i| i * 37).collect();
    let log: String = ids
        .iter()
        .map(|i| format!("SELECT id, total FROM orders WHERE user_id = {i};\n"))
        .collect();
    let r = optimize(
        &OptimizeRequest {
            log: Some(log.clone()),
            schema: Some(SqlInput {
                sql: Some(PG_SCHEMA.into()),
                paths: vec![],
            }),
            dialect: DialectChoice::Postgres,
            ..Default::default()
        },
        &Limits::default(),
        None,
    )
    .unwrap();
    assert_eq!(r.n_plus_one.len(), 1);
    let n = &r.n_plus_one[0];
    assert_eq!(n.calls_saved, Some(11.0));
    // The N statements of the log, together, give the rows of the one batched statement.
    let individual = sorted(log.lines().flat_map(|q| db.rows(q)).collect());
    let batched = sorted(db.rows(&format!("{};", n.batched.as_ref().unwrap())));
    assert!(
        !batched.is_empty() && individual == batched,
        "{} vs {} rows",
        individual.len(),
        batched.len()
    );
    let arr = format!(
        "ARRAY[{}]::bigint[]",
        ids.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let param = n.batched_param.as_ref().unwrap().replace("$1", &arr);
    assert_eq!(sorted(db.rows(&format!("{param};"))), batched);
    // The json_agg form: one row per parent, as many child rows in the arrays as the loop read.
    let join = n
        .batched_join
        .as_ref()
        .expect("json_agg form with a schema")
        .replace("$1", &arr);
    let per_parent = db.rows(&format!(
        "SELECT id, json_array_length(orders) FROM ({join}) s;"
    ));
    assert_eq!(per_parent.len(), ids.len());
    let total: usize = per_parent
        .iter()
        .map(|r| r[1].parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, batched.len());
}

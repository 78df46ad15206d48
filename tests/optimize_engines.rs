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

/// Runs every exact rewrite of `r` against its original through `rows`, skipping the titles in
/// `skip` (forms the engine lacks); each query must have at least one exact rewrite, and the data
/// must give rows. Returns the rewrites compared, by rule.
fn compare_each(
    r: &OptimizeReport,
    skip: &[&str],
    mut rows: impl FnMut(&str) -> Vec<Vec<String>>,
) -> Vec<String> {
    let mut done = Vec::new();
    for q in &r.queries {
        let exact: Vec<_> = q
            .rewrites
            .iter()
            .filter(|w| w.exact && !skip.contains(&w.title.as_str()))
            .collect();
        assert!(!exact.is_empty(), "no exact rewrite for: {}", q.sql);
        let a = sorted(rows(&q.sql));
        assert!(
            !a.is_empty(),
            "the test data should give rows for: {}",
            q.sql
        );
        for rw in exact {
            let b = sorted(rows(&rw.sql));
            assert!(
                a == b,
                "{} ({}) changed the result ({} vs {} rows)\noriginal: {}\nrewrite:  {}",
                rw.rule,
                rw.title,
                a.len(),
                b.len(),
                q.sql,
                rw.sql
            );
            done.push(format!("{} {}", rw.rule, rw.title));
        }
    }
    done
}

/// OR across columns (NULLs in both columns, overlapping branches, duplicates in the output,
/// three branches, ORDER BY + LIMIT, DISTINCT, a join).
const OR_QUERIES: &[&str] = &[
    "SELECT referrer_id FROM users WHERE phone LIKE '5551%' OR referrer_id < 5",
    "SELECT referrer_id, phone FROM users WHERE referrer_id < 10 OR phone LIKE '%1'",
    "SELECT o.customer_id FROM orders o WHERE o.customer_id = 3 OR o.total > 150 OR o.user_id < 20",
    "SELECT id, referrer_id FROM users WHERE created_at > '2024-02-01' AND (referrer_id = 3 OR phone LIKE '5552%') ORDER BY id LIMIT 30",
    "SELECT DISTINCT referrer_id FROM users WHERE referrer_id < 5 OR phone LIKE '%7'",
    "SELECT u.id, o.id FROM users u JOIN orders o ON o.user_id = u.id WHERE u.referrer_id = 5 OR o.customer_id = 7",
];

/// Findings inside nested queries: a derived table, a subquery in WHERE, a CTE, EXISTS.
const NESTED_QUERIES: &[&str] = &[
    "SELECT s.id FROM (SELECT DISTINCT u.id, u.email FROM users u JOIN orders o ON o.user_id = u.id WHERE o.total > 100) s WHERE s.id < 1000",
    "SELECT id, total FROM orders WHERE user_id IN (SELECT id FROM users WHERE referrer_id = 3 OR phone LIKE '5551%')",
    "WITH c AS (SELECT u.id, (SELECT max(o.total) FROM orders o WHERE o.user_id = u.id) AS m FROM users u) SELECT id, m FROM c WHERE id < 500",
    "SELECT x.id FROM (SELECT o.id, o.total FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.id < 500) x",
    "SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND (o.customer_id = 5 OR o.total > 160))",
];

/// Correlated aggregates in the select list (grouped-join form), one correlated on a nullable
/// column, one with an unqualified inner column, one with a filter besides the correlation.
const GROUPED_QUERIES: &[&str] = &[
    "SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id) AS n FROM users u",
    "SELECT u.id, (SELECT sum(o.total) FROM orders o WHERE o.user_id = u.id AND o.customer_id IS NOT NULL) AS s FROM users u",
    "SELECT u.id, (SELECT count(*) FROM users r WHERE r.referrer_id = u.referrer_id) AS peers FROM users u",
    "SELECT c.id, (SELECT count(*) FROM orders WHERE customer_id = c.id) FROM customers c",
    "SELECT u.id, (SELECT min(o.created_at) FROM orders o WHERE o.user_id = u.id) AS first_order FROM users u WHERE u.id < 300",
];

fn titles(r: &OptimizeReport) -> Vec<&str> {
    r.queries
        .iter()
        .flat_map(|q| q.rewrites.iter().map(|w| w.title.as_str()))
        .collect()
}

#[test]
fn postgres_or_union_nested_and_grouped_rewrites_return_the_same_rows() {
    let Some(pg) = common::postgres() else { return };
    let db = pg.fresh_db("opt_or_nested");
    db.load(PG_SCHEMA).unwrap();
    db.load(PG_DATA).unwrap();
    let utc = |sql: &str| db.rows(&format!("SET TIME ZONE 'UTC';\n{sql};"));
    // OR → UNION ALL: every query gets it, and the multisets agree.
    let r = report(PG_SCHEMA, &OR_QUERIES.join(";\n"), DialectChoice::Postgres);
    let done = compare_each(&r, &[], utc);
    let or_rw = done.iter().filter(|t| t.starts_with("QRY019")).count();
    assert_eq!(or_rw, OR_QUERIES.len(), "{done:?}");
    // The first query's rows have duplicates, which a plain UNION would have removed.
    let rows = utc(OR_QUERIES[0]);
    let mut dedup = sorted(rows.clone());
    dedup.dedup();
    assert!(dedup.len() < rows.len(), "the data should give duplicates");
    assert!(
        r.queries[0].rewrites[0].sql.contains("UNION ALL")
            && r.queries[0].rewrites[0].sql.contains("IS NOT TRUE"),
        "{}",
        r.queries[0].rewrites[0].sql
    );
    // Nested queries: the rewrite replaces the nested query in place.
    let r = report(
        PG_SCHEMA,
        &NESTED_QUERIES.join(";\n"),
        DialectChoice::Postgres,
    );
    let done = compare_each(&r, &[], utc);
    for want in ["QRY011", "QRY019", "QRY010", "QRY018"] {
        assert!(
            done.iter().any(|t| t.starts_with(want)),
            "no {want}: {done:?}"
        );
    }
    // Grouped join (and LATERAL) for correlated aggregates.
    let r = report(
        PG_SCHEMA,
        &GROUPED_QUERIES.join(";\n"),
        DialectChoice::Postgres,
    );
    let done = compare_each(&r, &[], utc);
    let grouped = done
        .iter()
        .filter(|t| t.ends_with("LEFT JOIN to the grouped subquery"))
        .count();
    assert_eq!(grouped, GROUPED_QUERIES.len(), "{done:?}");
    assert!(titles(&r).contains(&"LEFT JOIN LATERAL"));
}

#[test]
fn postgres_nested_rewrites_in_insert_select_view_and_cte_keyset() {
    let Some(pg) = common::postgres() else { return };
    let db = pg.fresh_db("opt_nested_dml");
    db.load(PG_SCHEMA).unwrap();
    db.load(PG_DATA).unwrap();
    let ddl = "CREATE TABLE ins_target (id bigint, referrer_id bigint);";
    db.load(ddl).unwrap();
    let schema = format!("{PG_SCHEMA}\n{ddl}");
    // INSERT ... SELECT with an OR: the rewritten INSERT inserts the same rows.
    let ins = "INSERT INTO ins_target SELECT id, referrer_id FROM users WHERE phone LIKE '5551%' OR referrer_id = 3";
    let r = report(&schema, ins, DialectChoice::Postgres);
    let rw = r.queries[0]
        .rewrites
        .iter()
        .find(|w| w.rule == "QRY019")
        .expect("OR rewrite inside INSERT ... SELECT");
    assert!(
        rw.sql.starts_with("INSERT INTO ins_target SELECT"),
        "{}",
        rw.sql
    );
    db.exec(&format!("{ins};")).unwrap();
    let a = sorted(db.rows("SELECT id, referrer_id FROM ins_target;"));
    db.exec("TRUNCATE ins_target;").unwrap();
    db.exec(&format!("{};", rw.sql)).unwrap();
    let b = sorted(db.rows("SELECT id, referrer_id FROM ins_target;"));
    assert!(!a.is_empty() && a == b, "{} vs {} rows", a.len(), b.len());
    // CREATE VIEW ... AS: the rewritten view returns the same rows (OR → UNION ALL, and the
    // correlated count → grouped join).
    for (i, view) in [
        "CREATE VIEW v_orig AS SELECT referrer_id, phone FROM users WHERE referrer_id < 10 OR phone LIKE '%1'",
        "CREATE VIEW v_orig AS SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id) AS n FROM users u",
    ]
    .into_iter()
    .enumerate()
    {
        let r = report(PG_SCHEMA, view, DialectChoice::Postgres);
        assert_eq!(r.queries[0].kind, "view");
        let exact: Vec<_> = r.queries[0].rewrites.iter().filter(|w| w.exact).collect();
        assert!(!exact.is_empty(), "{view}");
        let v = format!("v_orig{i}");
        db.exec(&format!("{};", view.replacen("v_orig", &v, 1))).unwrap();
        let a = sorted(db.rows(&format!("SELECT * FROM {v};")));
        assert!(!a.is_empty());
        for (j, rw) in exact.iter().enumerate() {
            assert!(rw.sql.starts_with("CREATE VIEW v_orig AS SELECT"), "{}", rw.sql);
            let w = format!("v_rw{i}_{j}");
            db.exec(&format!("{};", rw.sql.replacen("v_orig", &w, 1)))
                .unwrap_or_else(|e| panic!("{e}: {}", rw.sql));
            let b = sorted(db.rows(&format!("SELECT * FROM {w};")));
            assert!(a == b, "{} changed the view's rows: {}", rw.title, rw.sql);
        }
    }
    // Keyset pagination inside a CTE: the same page as OFFSET.
    let sql = "WITH page AS (SELECT id, total FROM orders ORDER BY id LIMIT 20 OFFSET 4000) SELECT id, total FROM page";
    let r = report(PG_SCHEMA, sql, DialectChoice::Postgres);
    let rw = r.queries[0]
        .rewrites
        .iter()
        .find(|w| w.rule == "QRY007")
        .expect("keyset inside the CTE");
    let last = db.rows("SELECT id FROM orders ORDER BY id LIMIT 1 OFFSET 3999;")[0][0].clone();
    let keyset = rw.sql.replace("$1", &last);
    assert!(keyset.starts_with("WITH page AS (SELECT"), "{keyset}");
    let (a, b) = (
        sorted(db.rows(&format!("{sql};"))),
        sorted(db.rows(&format!("{keyset};"))),
    );
    assert!(a.len() == 20 && a == b, "{keyset}");
}

#[test]
fn mariadb_or_union_nested_and_grouped_rewrites_return_the_same_rows() {
    let Some(my) = common::mysql() else { return };
    let db = my.fresh_db("opt_or_nested_my");
    db.load(MY_SCHEMA).unwrap();
    db.load(MY_DATA).unwrap();
    let all: Vec<&str> = OR_QUERIES
        .iter()
        .chain(NESTED_QUERIES)
        .chain(GROUPED_QUERIES)
        .copied()
        .collect();
    let r = report(MY_SCHEMA, &all.join(";\n"), DialectChoice::Mysql);
    // MariaDB has no LATERAL (MySQL 8.0.14+ has): only the grouped join runs here.
    let done = compare_each(&r, &["LEFT JOIN LATERAL"], |sql| {
        db.rows(&format!("{sql};"))
    });
    let count = |p: &str| done.iter().filter(|t| t.contains(p)).count();
    assert_eq!(count("OR branches"), OR_QUERIES.len() + 2, "{done:?}");
    assert!(
        count("grouped subquery") > GROUPED_QUERIES.len(),
        "{done:?}"
    );
    for want in ["QRY011", "QRY018"] {
        assert!(
            done.iter().any(|t| t.starts_with(want)),
            "no {want}: {done:?}"
        );
    }
}

fn sqlite_rows(conn: &rusqlite::Connection, sql: &str) -> Vec<Vec<String>> {
    let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    let n = st.column_count();
    let rows = st
        .query_map([], |row| {
            (0..n)
                .map(|i| {
                    Ok(match row.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => String::new(),
                        rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                        rusqlite::types::ValueRef::Real(v) => v.to_string(),
                        rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into(),
                        rusqlite::types::ValueRef::Blob(b) => format!("{b:?}"),
                    })
                })
                .collect::<Result<Vec<String>, rusqlite::Error>>()
        })
        .unwrap_or_else(|e| panic!("{e}\n{sql}"));
    rows.map(|r| r.unwrap()).collect()
}

const SQLITE_SCHEMA: &str = "
CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, phone text, referrer_id integer, created_at text NOT NULL);
CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL REFERENCES users(id), customer_id integer REFERENCES customers(id), total integer, created_at text NOT NULL);
";

#[test]
fn sqlite_or_union_and_grouped_join_return_the_same_rows() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(SQLITE_SCHEMA).unwrap();
    conn.execute_batch(
        "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 2000)
           INSERT INTO users SELECT x, 'u' || x || '@x.com', CASE WHEN x % 3 = 0 THEN NULL ELSE '555' || x END,
             CASE WHEN x % 4 = 0 THEN NULL ELSE (x % 50) + 1 END, datetime('2024-01-01', '+' || (x * 7) || ' hours') FROM g;
         WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 100)
           INSERT INTO customers SELECT x, 'c' || x FROM g;
         WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 10000)
           INSERT INTO orders SELECT x, ((x * 7) % 1500) + 1, CASE WHEN x % 10 = 0 THEN NULL ELSE (x % 100) + 1 END,
             (x % 500) / 3, datetime('2024-01-01', '+' || (x * 53) || ' minutes') FROM g;",
    )
    .unwrap();
    let qs: Vec<&str> = OR_QUERIES
        .iter()
        .chain(NESTED_QUERIES)
        .chain(GROUPED_QUERIES)
        .copied()
        .collect();
    let r = report(SQLITE_SCHEMA, &qs.join(";\n"), DialectChoice::Sqlite);
    assert!(!titles(&r).contains(&"LEFT JOIN LATERAL"));
    let done = compare_each(&r, &[], |sql| sqlite_rows(&conn, sql));
    let count = |p: &str| done.iter().filter(|t| t.contains(p)).count();
    assert_eq!(count("OR branches"), OR_QUERIES.len() + 2, "{done:?}");
    assert!(
        count("grouped subquery") > GROUPED_QUERIES.len(),
        "{done:?}"
    );
}

/// OR → UNION ALL with ORDER BY: the order follows the union, by output name. A qualified ORDER
/// BY whose name an output alias takes (`u.id` while `id` is u.referrer_id) must not be
/// rewritten; the others must keep the original order row for row (unique sort keys).
const OR_ORDERED: &[&str] = &[
    "SELECT u.id, u.referrer_id FROM users u WHERE u.referrer_id = 3 OR u.phone LIKE '5551%' ORDER BY u.id DESC LIMIT 40",
    "SELECT u.referrer_id AS id, u.id AS referrer_id FROM users u WHERE u.referrer_id < 4 OR u.phone LIKE '5551%' ORDER BY u.id",
    "SELECT u.phone AS email, u.email AS phone, u.id FROM users u WHERE u.referrer_id < 4 OR u.phone LIKE '5551%' ORDER BY u.email",
    "SELECT u.* FROM users u WHERE u.referrer_id = 7 OR u.phone LIKE '5552%' ORDER BY u.id",
    "SELECT id AS k, referrer_id FROM users WHERE referrer_id = 7 OR phone LIKE '5552%' ORDER BY k DESC",
];

#[test]
fn or_union_keeps_the_order_by_row_for_row() {
    let check = |r: &OptimizeReport, rows: &mut dyn FnMut(&str) -> Vec<Vec<String>>| {
        let mut n = 0;
        for q in &r.queries {
            let a = rows(&q.sql);
            assert!(!a.is_empty(), "{}", q.sql);
            for rw in q.rewrites.iter().filter(|w| w.rule == "QRY019") {
                let b = rows(&rw.sql);
                assert!(
                    a == b,
                    "the order changed\noriginal: {}\nrewrite:  {}",
                    q.sql,
                    rw.sql
                );
                n += 1;
            }
        }
        n
    };
    let want = OR_ORDERED.len() - 2; // the two shadowed ORDER BYs are not rewritten
    // SQLite (always available).
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(SQLITE_SCHEMA).unwrap();
    conn.execute_batch(
        "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 2000)
           INSERT INTO users SELECT x, 'u' || x || '@x.com', CASE WHEN x % 3 = 0 THEN NULL ELSE '555' || x END,
             CASE WHEN x % 4 = 0 THEN NULL ELSE (x % 50) + 1 END, datetime('2024-01-01', '+' || (x * 7) || ' hours') FROM g;",
    )
    .unwrap();
    let r = report(
        SQLITE_SCHEMA,
        &OR_ORDERED.join(";\n"),
        DialectChoice::Sqlite,
    );
    assert_eq!(check(&r, &mut |sql| sqlite_rows(&conn, sql)), want);
    let Some(pg) = common::postgres() else { return };
    let db = pg.fresh_db("opt_or_order");
    db.load(PG_SCHEMA).unwrap();
    db.load(PG_DATA).unwrap();
    let r = report(PG_SCHEMA, &OR_ORDERED.join(";\n"), DialectChoice::Postgres);
    assert_eq!(
        check(&r, &mut |sql| db
            .rows(&format!("SET TIME ZONE 'UTC';\n{sql};"))),
        want
    );
    let Some(my) = common::mysql() else { return };
    let db = my.fresh_db("opt_or_order_my");
    db.load(MY_SCHEMA).unwrap();
    db.load(MY_DATA).unwrap();
    let r = report(MY_SCHEMA, &OR_ORDERED.join(";\n"), DialectChoice::Mysql);
    assert_eq!(check(&r, &mut |sql| db.rows(&format!("{sql};"))), want);
}

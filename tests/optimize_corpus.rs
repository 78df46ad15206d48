//! KD-optimize and KD-db-explain over real benchmark workloads from ../shared/corpus: the 22
//! TPC-H queries (dss.ddl) and the 113 JOB queries (IMDB schema). These queries are correct and
//! fully joined, so correctness rules must stay silent on them (no false cartesian joins, no
//! `= NULL`, no NOT IN findings where columns are NOT NULL); every rewrite parses; and the
//! plans PostgreSQL produces for the TPC-H queries read the same as JSON and as text.

mod common;

use kd_dba::explain::{ExplainRequest, explain};
use kd_dba::input::SqlInput;
use kd_dba::limits::Limits;
use kd_dba::optimize::{OptimizeRequest, optimize};
use kd_dba::sql::DialectChoice;
use std::collections::BTreeMap;

fn queries(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                common::read_text(&e.path()),
            )
        })
        .collect();
    v.sort();
    v
}

fn sweep(schema: &str, qs: &[(String, String)]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (name, q) in qs {
        let r = optimize(
            &OptimizeRequest {
                sql: Some(q.clone()),
                schema: Some(SqlInput {
                    sql: Some(schema.into()),
                    paths: vec![],
                }),
                dialect: DialectChoice::Postgres,
                ..Default::default()
            },
            &Limits::default(),
            None,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!r.queries.is_empty(), "{name}: no statement analysed");
        assert!(
            r.findings.iter().all(|f| f.id != "SYN001"),
            "{name}: {:?}",
            r.findings
        );
        for q in &r.queries {
            for f in &q.findings {
                *counts.entry(f.id.clone()).or_insert(0) += 1;
                for bad in ["QRY005", "QRY009", "QRY015"] {
                    assert_ne!(f.id, bad, "{name}: false positive {}", f.message);
                }
            }
            for rw in &q.rewrites {
                assert!(
                    kd_dba::optimize::rewrite::parses(&rw.sql, kd_dba::sql::Dialect::Postgres),
                    "{name}: {}",
                    rw.sql
                );
            }
        }
    }
    counts
}

#[test]
fn tpch_and_job_queries() {
    let Some(c) = common::corpus() else { return };
    let tpch = queries(&c.join("benchmarks/tpch/queries"));
    assert_eq!(tpch.len(), 22);
    let counts = sweep(
        &common::read_text(&c.join("benchmarks/tpch/dss.ddl")),
        &tpch,
    );
    println!("TPC-H findings: {counts:?}");
    let job = queries(&c.join("benchmarks/job/queries"));
    assert_eq!(job.len(), 113);
    let counts = sweep(
        &common::read_text(&c.join("benchmarks/job/schema.sql")),
        &job,
    );
    println!("JOB findings: {counts:?}");
}

#[test]
fn tpch_plans_from_postgres() {
    let Some(c) = common::corpus() else { return };
    let Some(pg) = common::postgres() else { return };
    let db = pg.fresh_db("explain_tpch_corpus");
    db.load_file(&c.join("benchmarks/tpch/dss.ddl")).unwrap();
    db.exec("ANALYZE;").unwrap();
    let mut read = 0;
    for (name, q) in queries(&c.join("benchmarks/tpch/queries")) {
        if name == "q15.sql" {
            continue; // a view around the query
        }
        let body = q.trim().trim_end_matches(';');
        let json = db
            .exec(&format!("EXPLAIN (FORMAT JSON) {body};"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = db.exec(&format!("EXPLAIN {body};")).unwrap();
        let req = |plan: String| ExplainRequest {
            plan: serde_json::Value::String(plan),
            format: None,
            query: Some(q.clone()),
            schema: None,
            dialect: DialectChoice::Auto,
        };
        let a =
            explain(&req(json), &Limits::default(), None).unwrap_or_else(|e| panic!("{name}: {e}"));
        let b = explain(&req(text.clone()), &Limits::default(), None)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(a.nodes >= 2, "{name}");
        assert_eq!(
            a.nodes, b.nodes,
            "{name}: JSON and text trees differ\n{text}"
        );
        let an: Vec<&str> = a.table.iter().map(|r| r.node.as_str()).collect();
        let bn: Vec<&str> = b.table.iter().map(|r| r.node.as_str()).collect();
        assert_eq!(an, bn, "{name}");
        assert!(a.query.is_some());
        read += 1;
    }
    assert_eq!(read, 21);
}

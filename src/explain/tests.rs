//! Hand-written plans for the cases a live server does not produce on demand, the readers'
//! edge cases, and errors. Live plans are in tests/explain_engines.rs.

use super::*;

fn read(plan: &str) -> ExplainReport {
    explain(
        &ExplainRequest {
            plan: serde_json::Value::String(plan.into()),
            format: None,
            query: None,
            schema: None,
            dialect: DialectChoice::Auto,
        },
        &Limits::default(),
        None,
    )
    .unwrap()
}

fn ids(r: &ExplainReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.id.as_str()).collect()
}

const TEXT: &str = "Delete on users  (cost=0.00..35.50 rows=0 width=0) (actual time=0.50..0.50 rows=0 loops=1)
  Buffers: shared hit=100 read=20000
  ->  Seq Scan on users  (cost=0.00..35.50 rows=10 width=6) (actual time=0.01..0.2 rows=1000 loops=1)
        Filter: ((status)::text = 'gone'::text)
        Rows Removed by Filter: 90000
        Buffers: shared hit=100 read=20000
Planning Time: 40.2 ms
Trigger for constraint orders_user_id_fkey: time=5200.5 calls=1000
Execution Time: 5300.1 ms";

#[test]
fn text_plan_with_triggers_and_planning() {
    let r = read(TEXT);
    assert_eq!(r.format, PlanFormat::PostgresText);
    assert_eq!(r.nodes, 2);
    for id in ["PLN001", "PLN002", "PLN009", "PLN014"] {
        assert!(ids(&r).contains(&id), "{id} missing: {:?}", ids(&r));
    }
    let f = r.findings.iter().find(|f| f.id == "PLN002").unwrap();
    assert!(
        f.fix.as_ref().unwrap().sql.contains("ON users (status)"),
        "{:?}",
        f.fix
    );
    let m = r.findings.iter().find(|f| f.id == "PLN001").unwrap();
    assert!(m.message.contains("under-estimated 100x"), "{}", m.message);
    assert_eq!(m.severity, crate::findings::Severity::Warning);
}

#[test]
fn planning_dominates_and_every_pln_rule_is_documented() {
    let r = read(
        "Result  (cost=0.00..0.01 rows=1 width=4) (actual time=0.001..0.001 rows=1 loops=1)\nPlanning Time: 12.5 ms\nExecution Time: 0.02 ms",
    );
    assert!(ids(&r).contains(&"PLN012"));
    for d in crate::rules::pln::DOCS {
        assert!(crate::rules::find(d.id).is_some());
    }
}

#[test]
fn json_value_and_mariadb_batch_escapes() {
    let v = serde_json::json!([{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Plan Rows": 5, "Total Cost": 10.0}}]);
    let r = explain(
        &ExplainRequest {
            plan: v,
            format: None,
            query: None,
            schema: None,
            dialect: DialectChoice::Auto,
        },
        &Limits::default(),
        None,
    )
    .unwrap();
    assert_eq!(r.format, PlanFormat::PostgresJson);
    assert!(!r.analyzed);
    let batch = r#"{\n  "query_block": {\n    "select_id": 1,\n    "table": {\n      "table_name": "t",\n      "access_type": "ALL",\n      "rows": 100000,\n      "filtered": 0.5,\n      "attached_condition": "t.a = 1"\n    }\n  }\n}"#;
    let r = read(batch);
    assert_eq!(r.format, PlanFormat::MysqlJson);
    assert!(ids(&r).contains(&"PLN002"));
}

#[test]
fn bad_plans_are_clear_errors() {
    for bad in ["", "   ", "{\"foo\": 1}", "[{\"Plan\": 3", "hello world"] {
        let e = explain(
            &ExplainRequest {
                plan: serde_json::Value::String(bad.into()),
                format: None,
                query: None,
                schema: None,
                dialect: DialectChoice::Auto,
            },
            &Limits::default(),
            None,
        );
        match e {
            Err(e) => assert!(
                e.to_string().contains("EXPLAIN") || e.to_string().contains("plan"),
                "{e}"
            ),
            Ok(r) => panic!("{bad:?} gave a report with {} nodes", r.nodes),
        }
    }
}

#[test]
fn report_renders() {
    let r = read(TEXT);
    let md = crate::render::render("explain/explain.md", &r).unwrap();
    assert!(
        md.contains("PLN014") && md.contains("Seq Scan on users"),
        "{md}"
    );
}

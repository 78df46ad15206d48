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

// MySQL 8 EXPLAIN ANALYZE, in the reference manual's format (no MySQL 8 server is on the test
// machine: these are written from the manual's examples, "EXPLAIN ANALYZE" in "Obtaining
// Information with EXPLAIN ANALYZE").
const MYSQL_TREE: &str = "-> Nested loop inner join  (cost=4.95 rows=9) (actual time=0.153..0.200 rows=9 loops=1)
    -> Filter: (t1.a is not null)  (cost=1.15 rows=9) (actual time=0.082..0.094 rows=9 loops=1)
        -> Table scan on t1  (cost=1.15 rows=9) (actual time=0.081..0.093 rows=9 loops=1)
    -> Index lookup on t2 using a (a=t1.a)  (cost=0.27 rows=1) (actual time=0.008..0.011 rows=1 loops=9)";

// The `\G` form, with the manual's wrapping of `(actual time=…)` onto its own line.
const MYSQL_TREE_G: &str = "*************************** 1. row ***************************
EXPLAIN: -> Inner hash join (t2.c2 = t1.c1)  (cost=4.70 rows=6)
(actual time=0.032..0.035 rows=6 loops=1)
    -> Table scan on t2  (cost=0.06 rows=6)
(actual time=0.003..0.005 rows=6 loops=1)
    -> Hash
        -> Table scan on t1  (cost=0.85 rows=6)
(actual time=0.018..0.022 rows=6 loops=1)
1 row in set (0.00 sec)";

#[test]
fn mysql8_explain_analyze_tree() {
    let p = parse::parse(MYSQL_TREE, None).unwrap();
    assert_eq!(p.format, PlanFormat::MysqlTree);
    assert_eq!(p.engine, "mysql");
    assert!(p.analyzed);
    assert_eq!(p.nodes.len(), 4);
    let (join, filter, scan, lookup) = (&p.nodes[0], &p.nodes[1], &p.nodes[2], &p.nodes[3]);
    assert_eq!(join.node_type, "Nested loop inner join");
    assert_eq!(join.parent, None);
    assert_eq!(join.total_cost, Some(4.95));
    assert_eq!(join.est_rows, Some(9.0));
    assert_eq!(join.actual_rows, Some(9.0));
    assert_eq!(filter.node_type, "Filter");
    assert_eq!(filter.filter.as_deref(), Some("(t1.a is not null)"));
    assert_eq!(filter.parent, Some(0));
    assert_eq!(scan.node_type, "Table scan");
    assert_eq!(scan.relation.as_deref(), Some("t1"));
    assert_eq!(scan.parent, Some(1));
    assert_eq!(lookup.node_type, "Index lookup");
    assert_eq!(lookup.relation.as_deref(), Some("t2"));
    assert_eq!(lookup.index.as_deref(), Some("a"));
    assert_eq!(lookup.index_cond.as_deref(), Some("(a=t1.a)"));
    assert_eq!(lookup.parent, Some(0));
    assert_eq!(lookup.loops, Some(9.0));
    // Per-loop times, like PostgreSQL's: 0.011 ms × 9 loops.
    assert!((lookup.inclusive_ms.unwrap() - 0.099).abs() < 1e-9);
    assert_eq!(p.execution_ms, Some(0.2));
    // Through the tool: the engine is told from the plan, the table lists the nodes.
    let r = read(MYSQL_TREE);
    assert_eq!(r.format, PlanFormat::MysqlTree);
    assert_eq!(r.nodes, 4);
}

#[test]
fn mysql8_tree_from_the_client_with_wrapped_lines() {
    let p = parse::parse(MYSQL_TREE_G, None).unwrap();
    assert_eq!(p.format, PlanFormat::MysqlTree);
    let types: Vec<&str> = p.nodes.iter().map(|n| n.node_type.as_str()).collect();
    assert_eq!(
        types,
        ["Inner hash join", "Table scan", "Hash", "Table scan"]
    );
    assert_eq!(p.nodes[0].index_cond.as_deref(), Some("(t2.c2 = t1.c1)"));
    assert_eq!(p.nodes[1].relation.as_deref(), Some("t2"));
    assert_eq!(p.nodes[1].actual_rows, Some(6.0));
    assert_eq!(p.nodes[2].actual_rows, None, "Hash has no numbers");
    assert_eq!(p.nodes[3].parent, Some(2));
    assert_eq!(p.nodes[3].total_cost, Some(0.85));
    // EXPLAIN FORMAT=TREE: estimates only, not analysed; a range scan keeps its index.
    let p = parse::parse(
        "-> Filter: (t3.pk > 17)  (cost=1.26 rows=5)\n    -> Index range scan on t3 using PRIMARY over (17 < pk)  (cost=1.26 rows=5)",
        None,
    )
    .unwrap();
    assert!(!p.analyzed);
    assert_eq!(p.nodes[1].index.as_deref(), Some("PRIMARY"));
    assert_eq!(p.nodes[1].index_cond.as_deref(), Some("(17 < pk)"));
    assert_eq!(p.nodes[1].est_rows, Some(5.0));
    // "(never executed)" is zero rows, zero loops.
    let p = parse::parse(
        "-> Nested loop inner join  (cost=2.1 rows=1) (actual time=0.01..0.01 rows=0 loops=1)\n    -> Table scan on a  (cost=1 rows=1) (actual time=0.01..0.01 rows=0 loops=1)\n    -> Single-row index lookup on b using PRIMARY (id=a.b_id)  (cost=1.1 rows=1) (never executed)",
        None,
    )
    .unwrap();
    assert_eq!(p.nodes[2].node_type, "Single-row index lookup");
    assert_eq!(p.nodes[2].loops, Some(0.0));
    // PostgreSQL text is not taken for a MySQL tree.
    assert_eq!(parse::detect(TEXT), PlanFormat::PostgresText);
}

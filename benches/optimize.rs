//! KD-optimize and KD-db-explain benchmark (plain `harness = false`, std::time):
//!
//! * KD-optimize on a 100-line query against a generated 200-table schema (and without it);
//! * the query model alone (parse + model, schema pre-built);
//! * KD-db-explain on a generated 1,000-node PostgreSQL JSON plan (and its text form);
//! * the MCP round trip of a typical KD-optimize call over stdio (spawned server).
//!
//! Run with `cargo bench --bench optimize`. Prints medians of N runs.

use kd_dba::explain::{ExplainRequest, explain};
use kd_dba::input::SqlInput;
use kd_dba::limits::Limits;
use kd_dba::optimize::{OptimizeRequest, optimize};
use kd_dba::sql::DialectChoice;
use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut v = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f());
        v.push(t.elapsed());
    }
    median(v)
}

fn schema(tables: usize) -> String {
    let mut s = String::new();
    for i in 0..tables {
        s.push_str(&format!(
            "CREATE TABLE t{i} (id bigint PRIMARY KEY, parent_id bigint{}, a integer NOT NULL, b text, c timestamptz NOT NULL, d numeric(10,2), e text NOT NULL, f boolean, g bigint, h jsonb);\nCREATE INDEX t{i}_a_idx ON t{i} (a);\n",
            if i > 0 { format!(" REFERENCES t{}(id)", i - 1) } else { String::new() }
        ));
    }
    s
}

/// A 100-line query: a CTE, 10 joined tables, correlated and EXISTS subqueries, OR, LIKE,
/// DATE(), NOT IN, ORDER BY / LIMIT / OFFSET.
fn query() -> String {
    let mut q = String::from(
        "WITH recent AS (\n  SELECT t0.id, t0.a\n  FROM t0\n  WHERE t0.c > now() - interval '7 days'\n),\nunused AS (\n  SELECT 1 AS x\n)\nSELECT\n  t1.id,\n  t1.a,\n",
    );
    for i in 1..=10 {
        q.push_str(&format!("  t{i}.b AS b{i},\n  t{i}.d AS d{i},\n"));
    }
    q.push_str(
        "  (SELECT count(*)\n     FROM t20 x\n    WHERE x.parent_id = t1.id) AS n\nFROM t1\n",
    );
    for i in 2..=10 {
        q.push_str(&format!("JOIN t{i}\n  ON t{i}.parent_id = t{}.id\n", i - 1));
    }
    q.push_str("LEFT JOIN t30 z\n  ON z.id = t1.g\nWHERE DATE(t1.c) = '2024-05-01'\n");
    for i in 2..=10 {
        q.push_str(&format!("  AND t{i}.a > {i}\n  AND t{i}.e <> 'x{i}'\n"));
    }
    q.push_str("  AND (t1.b LIKE '%foo%' OR t2.e = 'bar')\n  AND t1.id NOT IN (SELECT parent_id FROM t40)\n  AND EXISTS (\n    SELECT 1\n    FROM recent r\n    WHERE r.id = t1.parent_id\n  )\nORDER BY t1.id\nLIMIT 50\nOFFSET 10000");
    while q.lines().count() < 100 {
        q = q.replacen("SELECT\n", "SELECT\n  -- padding\n", 1);
    }
    q
}

/// A PostgreSQL JSON plan with about `n` nodes: a balanced tree of hash joins over seq scans
/// (each join: Hash Join + Hash + two inputs). Balanced, like real plans, and under the JSON
/// nesting limit.
fn plan_json(n: usize) -> String {
    fn scan(id: usize) -> serde_json::Value {
        serde_json::json!({"Node Type": "Seq Scan", "Relation Name": format!("t{id}"), "Alias": format!("t{id}"),
            "Startup Cost": 0.0, "Total Cost": 100.0, "Plan Rows": 1000, "Plan Width": 8, "Actual Startup Time": 0.01,
            "Actual Total Time": 1.5, "Actual Rows": 800 + id % 7 * 300, "Actual Loops": 1, "Filter": format!("(a > {id})"),
            "Rows Removed by Filter": 20000, "Shared Hit Blocks": 10, "Shared Read Blocks": 90})
    }
    fn node(next: &mut usize, budget: usize) -> serde_json::Value {
        let id = *next;
        *next += 1;
        if budget <= 2 {
            return scan(id);
        }
        let rest = budget - 2; // this join and its Hash node
        let l = node(next, rest / 2);
        let r = node(next, rest - rest / 2);
        serde_json::json!({"Node Type": "Hash Join", "Join Type": "Inner", "Startup Cost": 1.0, "Total Cost": 500.0,
            "Plan Rows": 500, "Plan Width": 16, "Actual Startup Time": 0.5, "Actual Total Time": 3.0 + id as f64,
            "Actual Rows": 450, "Actual Loops": 1, "Hash Cond": "(a.id = b.id)", "Shared Hit Blocks": 100, "Shared Read Blocks": 900,
            "Plans": [l, {"Node Type": "Hash", "Parent Relationship": "Inner", "Hash Batches": 4, "Original Hash Batches": 1,
              "Peak Memory Usage": 4096, "Actual Total Time": 1.6, "Actual Rows": 800, "Actual Loops": 1, "Plan Rows": 1000, "Plans": [r]}]})
    }
    let mut i = 0;
    let root = node(&mut i, n);
    serde_json::json!([{"Plan": root, "Planning Time": 1.2, "Execution Time": 5000.0}]).to_string()
}

fn main() {
    let limits = Limits::default();
    let runs = 30;
    let ddl = schema(200);
    let q = query();
    println!(
        "KD-optimize: {}-line query, schema of 200 tables ({} KB of DDL)",
        q.lines().count(),
        ddl.len() / 1024
    );
    let with_schema = OptimizeRequest {
        sql: Some(q.clone()),
        schema: Some(SqlInput {
            sql: Some(ddl.clone()),
            paths: vec![],
        }),
        dialect: DialectChoice::Postgres,
        ..Default::default()
    };
    let r = optimize(&with_schema, &limits, None).unwrap();
    let qr = &r.queries[0];
    println!(
        "  findings {}, rewrites {}, index candidates {}, blocks {}",
        qr.findings.len(),
        qr.rewrites.len(),
        qr.index_candidates.len(),
        qr.model.blocks.len()
    );
    let t = time(runs, || optimize(&with_schema, &limits, None).unwrap());
    println!(
        "  optimize (parse schema + build catalog + analyse): {:.2} ms",
        t.as_secs_f64() * 1e3
    );
    let cat_only = time(runs, || {
        kd_dba::catalog::from_sql(&ddl, DialectChoice::Postgres).unwrap()
    });
    println!(
        "    of which schema parse + catalog: {:.2} ms",
        cat_only.as_secs_f64() * 1e3
    );
    let no_schema = OptimizeRequest {
        schema: None,
        ..with_schema.clone()
    };
    let t = time(runs, || optimize(&no_schema, &limits, None).unwrap());
    println!("  optimize without schema: {:.2} ms", t.as_secs_f64() * 1e3);
    let cat = kd_dba::catalog::from_sql(&ddl, DialectChoice::Postgres).unwrap();
    let parsed = kd_dba::sql::parse_text(&q, DialectChoice::Postgres, &limits).unwrap();
    let st = parsed.statements[0].parsed().unwrap().clone();
    let env = kd_dba::query::Env {
        catalog: Some(&cat),
        dialect: kd_dba::sql::Dialect::Postgres,
    };
    let t = time(runs * 10, || kd_dba::query::QueryModel::build(&st, &env));
    println!(
        "  query model alone (catalog pre-built): {:.3} ms",
        t.as_secs_f64() * 1e3
    );

    // The smallest budget that gives at least 1,000 nodes.
    let plan = (1000..2000)
        .step_by(2)
        .map(plan_json)
        .find(|p| p.matches("\"Node Type\"").count() >= 1000)
        .expect("a 1,000-node plan");
    let req = ExplainRequest {
        plan: serde_json::Value::String(plan.clone()),
        format: None,
        query: None,
        schema: None,
        dialect: DialectChoice::Auto,
    };
    let r = explain(&req, &limits, None).unwrap();
    println!(
        "KD-db-explain: {} nodes ({} KB JSON), {} findings",
        r.nodes,
        plan.len() / 1024,
        r.findings.len()
    );
    let t = time(runs, || explain(&req, &limits, None).unwrap());
    println!(
        "  explain (parse + rules + table): {:.2} ms",
        t.as_secs_f64() * 1e3
    );

    // MCP round trip over stdio: one server, many tools/call requests.
    let bin = env!("CARGO_BIN_EXE_kd-dba");
    let mut child = std::process::Command::new(bin)
        .arg("serve")
        .env("KD_DBA_LOG", "error")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn kd-dba serve");
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut send = |msg: serde_json::Value, wait: bool, stdin: &mut std::process::ChildStdin| {
        writeln!(stdin, "{msg}").unwrap();
        stdin.flush().unwrap();
        if wait {
            line.clear();
            out.read_line(&mut line).unwrap();
            assert!(line.contains("\"result\""), "{line}");
        }
    };
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}),
        true,
        &mut stdin,
    );
    send(
        serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        false,
        &mut stdin,
    );
    let typical = "SELECT o.id, o.total FROM orders o WHERE DATE(o.created_at) = '2024-05-01' AND o.user_id NOT IN (SELECT referrer_id FROM users) ORDER BY o.id LIMIT 20 OFFSET 5000";
    let schema_small = "CREATE TABLE users (id bigint PRIMARY KEY, referrer_id bigint); CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users, total numeric, created_at timestamptz NOT NULL); CREATE INDEX ON orders (created_at);";
    let mut times = Vec::new();
    for i in 0..200 {
        let t = Instant::now();
        send(
            serde_json::json!({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call", "params": {"name": "KD-optimize", "arguments": {"sql": typical, "schema": {"sql": schema_small}, "dialect": "postgres"}}}),
            true,
            &mut stdin,
        );
        times.push(t.elapsed());
    }
    drop(stdin);
    let _ = child.wait();
    println!(
        "MCP round trip (stdio, KD-optimize on a typical query with a 2-table schema): median {:.2} ms",
        median(times).as_secs_f64() * 1e3
    );
}

//! KD-db-index benchmark: the whole advisor (parse the schema and the workload, model it,
//! generate candidates, cost and select) on the 113 Join Order Benchmark queries over the IMDB
//! schema (with its foreign-key indexes), and on the 22 TPC-H queries, from the corpus in
//! ../shared (skipped with a message when absent). Run with `cargo bench --bench index`.
//!
//! Prints the median of N runs and what the advisor produced, for scale.

use kd_dba::advise::{IndexRequest, WorkloadQuery, index};
use kd_dba::input::SqlInput;
use std::path::Path;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn queries(dir: &Path) -> Vec<WorkloadQuery> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|e| e == "sql"));
    files.sort_by_key(|p| kd_dba::input::natural_key(&p.to_string_lossy()));
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|sql| WorkloadQuery {
            sql,
            calls: Some(1.0),
        })
        .collect()
}

fn main() {
    let corpus = std::env::var_os("KD_DBA_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let limits = kd_dba::limits::Limits::default();
    for (name, schema, qdir, runs) in [
        (
            "JOB (113 queries, IMDB schema)",
            vec!["benchmarks/job/schema.sql", "benchmarks/job/fkindexes.sql"],
            "benchmarks/job/queries",
            20,
        ),
        (
            "TPC-H (22 queries)",
            vec!["benchmarks/tpch/dss.ddl"],
            "benchmarks/tpch/queries",
            20,
        ),
    ] {
        let qs = queries(&corpus.join(qdir));
        if qs.is_empty() {
            eprintln!(
                "skipping {name}: no queries under {}",
                corpus.join(qdir).display()
            );
            continue;
        }
        let mut sql = String::new();
        for s in &schema {
            match std::fs::read_to_string(corpus.join(s)) {
                Ok(t) => {
                    sql.push_str(&t);
                    sql.push('\n');
                }
                Err(e) => eprintln!("{name}: {s}: {e}"),
            }
        }
        let req = IndexRequest {
            schema: SqlInput {
                sql: Some(sql),
                paths: vec![],
            },
            queries: qs,
            dialect: Some("postgres".into()),
            ..Default::default()
        };
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..runs {
            let t = Instant::now();
            let r = index(&req, None, &limits).expect("index");
            times.push(t.elapsed());
            last = Some(r);
        }
        let r = last.expect("one run");
        println!(
            "{name}: median {:.1} ms over {runs} runs (min {:.1} ms); {} statements modelled, {} candidates, {} recommended, {} drops, estimated relative cost {}",
            median(times.clone()).as_secs_f64() * 1e3,
            times.iter().min().unwrap().as_secs_f64() * 1e3,
            r.summary.queries_modelled,
            r.summary.candidates,
            r.summary.recommended,
            r.summary.drops,
            r.summary.relative_cost
        );
    }
}

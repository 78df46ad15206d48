//! KD-db-index benchmark: the whole advisor (parse the schema and the workload, model it,
//! generate candidates, cost and select) on the 113 Join Order Benchmark queries over the IMDB
//! schema (with its foreign-key indexes), and on the 22 TPC-H queries, from the corpus in
//! ../shared (skipped with a message when absent). Run with `cargo bench --bench index`.
//!
//! Prints the median of N runs and what the advisor produced, for scale.
//!
//! Quality (when PostgreSQL answers at KD_DBA_PG_URL, default postgres://postgres@127.0.0.1:5432):
//! TPC-H's schema with generated data (`benches/tpch_data.sql`: 300,000 lineitems, 75,000
//! orders, 10,000 parts, about scale factor 0.05, distributions shaped like dbgen's where the
//! queries filter) is loaded into a fresh database and ANALYZEd. Metric: relative workload cost
//! = Σ planner cost (EXPLAIN) of the 21 plannable queries (q15 is a CREATE VIEW script) with the
//! recommended indexes created as HypoPG hypothetical indexes ÷ Σ without, at budgets of 5, 10
//! and 20 indexes; for the offline advisor (given the table's pg_stats), its HypoPG-validated
//! mode, and a Dexter-style baseline written here: every single column and ordered column pair
//! each query filters, joins or sorts on, one table at a time, as a hypothetical index; per
//! query keep the best one if it cuts that query's cost by half; rank kept indexes by saving.
//!
//! The same for JOB: its schema with primary keys only (fkindexes.sql is not loaded, as JOB is
//! usually run) and the deterministic synthetic IMDB data of `benches/job_data.sql` (20,000
//! titles, 451,158 rows). `KD_DBA_BENCH_QUALITY=job` (or `tpch`) runs one of the two;
//! `KD_DBA_BENCH_VERBOSE=1` prints both index sets and the queries where they differ most.

use kd_dba::advise::{IndexRequest, WorkloadQuery, index};
use kd_dba::input::SqlInput;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
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

fn psql(url: &str, script: &str) -> Result<String, String> {
    let mut child = Command::new("psql")
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=0", "-d", url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut stdin = child.stdin.take().unwrap();
    let text = script.to_string();
    let w = std::thread::spawn(move || {
        let _ = stdin.write_all(text.as_bytes());
    });
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = w.join();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Σ EXPLAIN cost of `queries` with `indexes` as hypothetical indexes; per-query costs.
fn hypo_costs(url: &str, indexes: &[String], queries: &[String]) -> Vec<Option<f64>> {
    let mut script = String::from("SELECT hypopg_reset();\n");
    for i in indexes {
        script.push_str(&format!(
            "SELECT count(*) FROM hypopg_create_index('{}');\n",
            i.replace('\'', "''")
        ));
    }
    for (n, q) in queries.iter().enumerate() {
        script.push_str(&format!("\\echo @@{n}\nEXPLAIN (FORMAT JSON) {q};\n"));
    }
    plan_costs(&psql(url, &script).unwrap_or_default(), queries.len())
}

fn strip_comments(q: &str) -> String {
    q.lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .trim_end_matches(';')
        .to_string()
}

/// Per candidate: Σ-free cost of `q` with that one hypothetical index, in one psql session.
fn hypo_each(url: &str, cands: &[String], q: &str) -> Vec<Option<f64>> {
    let mut script = String::new();
    for (n, c) in cands.iter().enumerate() {
        script.push_str(&format!(
            "SELECT hypopg_reset();\nSELECT count(*) FROM hypopg_create_index('{}');\n\\echo @@{n}\nEXPLAIN (FORMAT JSON) {q};\n\\echo @@-\n",
            c.replace('\'', "''")
        ));
    }
    plan_costs(&psql(url, &script).unwrap_or_default(), cands.len())
}

/// The total cost of each `EXPLAIN (FORMAT JSON)` in psql output, found after its `\echo @@n`
/// marker; `None` where the plan is missing or unreadable.
fn plan_costs(out: &str, n: usize) -> Vec<Option<f64>> {
    let mut parts: BTreeMap<usize, String> = BTreeMap::new();
    let mut cur = None;
    for line in out.lines() {
        if let Some(n) = line.strip_prefix("@@") {
            cur = n.trim().parse::<usize>().ok();
            continue;
        }
        if let Some(c) = cur {
            let e = parts.entry(c).or_default();
            e.push_str(line);
            e.push('\n');
        }
    }
    (0..n)
        .map(|i| {
            let t = parts.get(&i)?;
            let v: serde_json::Value = serde_json::from_str(t.trim()).ok()?;
            v[0]["Plan"]["Total Cost"].as_f64()
        })
        .collect()
}

/// What one quality run measures: a schema, its generated data and the workload.
struct Bench<'a> {
    label: &'a str,
    db: &'a str,
    schema: String,
    data: &'a str,
    queries: Vec<String>,
}

fn quality_tpch(corpus: &Path) {
    let dir = corpus.join("benchmarks/tpch/pg_tpch");
    let schema = ["tpch-create.sql", "tpch-pkeys.sql"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .collect::<Vec<_>>()
        .join("\n");
    let qdir = corpus.join("benchmarks/tpch/queries");
    quality(&Bench {
        label: "TPC-H",
        db: "tpch",
        schema,
        data: include_str!("tpch_data.sql"),
        queries: queries(&qdir)
            .into_iter()
            .map(|q| strip_comments(&q.sql))
            .collect(),
    });
}

/// JOB over its schema with primary keys only (as JOB is usually run: fkindexes.sql not loaded)
/// and the synthetic data of `benches/job_data.sql`.
fn quality_job(corpus: &Path) {
    let dir = corpus.join("benchmarks/job");
    let Ok(schema) = std::fs::read_to_string(dir.join("schema.sql")) else {
        eprintln!("quality: JOB skipped, no schema under {}", dir.display());
        return;
    };
    quality(&Bench {
        label: "JOB",
        db: "job",
        schema,
        data: include_str!("job_data.sql"),
        queries: queries(&dir.join("queries"))
            .into_iter()
            .map(|q| strip_comments(&q.sql))
            .collect(),
    });
}

fn quality(b: &Bench<'_>) {
    let admin = std::env::var("KD_DBA_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    if psql(&admin, "SELECT 1").is_err() {
        eprintln!("quality: skipped, no PostgreSQL at {admin}");
        return;
    }
    let db = format!("kd_bench_{}_{}", b.db, std::process::id());
    let url = match admin.rsplit_once('/') {
        Some((head, _)) => format!("{head}/{db}"),
        None => return,
    };
    let _ = psql(
        &admin,
        &format!("DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db};"),
    );
    let schema = b.schema.clone();
    let data = b.data;
    let t = Instant::now();
    if let Err(e) = psql(
        &url,
        &format!("{schema}\n{data}\nCREATE EXTENSION IF NOT EXISTS hypopg;"),
    ) {
        eprintln!("quality: loading {} failed: {e}", b.label);
        return;
    }
    if psql(&url, "SELECT 1 FROM pg_extension WHERE extname = 'hypopg'").map(|s| s.trim() == "1")
        != Ok(true)
    {
        eprintln!(
            "quality: skipped, hypopg is not installed (.ci/setup-extra postgresql-15-hypopg)"
        );
        let _ = psql(&admin, &format!("DROP DATABASE IF EXISTS {db}"));
        return;
    }
    let rows = psql(
        &url,
        "SELECT sum(reltuples)::bigint FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace",
    )
    .unwrap_or_default();
    eprintln!(
        "quality: {} data loaded in {:.1} s ({} rows)",
        b.label,
        t.elapsed().as_secs_f64(),
        rows.trim()
    );
    let all = &b.queries;
    let base_costs = hypo_costs(&url, &[], all);
    let plannable: Vec<String> = all
        .iter()
        .zip(&base_costs)
        .filter(|(_, c)| c.is_some())
        .map(|(q, _)| q.clone())
        .collect();
    let base: Vec<f64> = base_costs.iter().flatten().copied().collect();
    let total0: f64 = base.iter().sum();
    let stats_json = psql(&url, "SELECT json_build_object('tables', (SELECT json_agg(json_build_object('table', relname, 'rows', reltuples)) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace), 'columns', (SELECT json_agg(json_build_object('tablename', tablename, 'attname', attname, 'n_distinct', n_distinct, 'null_frac', null_frac, 'avg_width', avg_width)) FROM pg_stats WHERE schemaname = 'public'))").unwrap_or_default();
    let stats: kd_dba::advise::Stats = match serde_json::from_str(stats_json.trim()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("quality: stats: {e}");
            return;
        }
    };
    let limits = kd_dba::limits::Limits::default();
    let ours = |budget: usize, validate: bool| -> (Vec<String>, f64) {
        let req = IndexRequest {
            schema: SqlInput {
                sql: Some(schema.clone()),
                paths: vec![],
            },
            queries: plannable
                .iter()
                .map(|q| WorkloadQuery {
                    sql: q.clone(),
                    calls: Some(1.0),
                })
                .collect(),
            dialect: Some("postgres".into()),
            stats: Some(stats.clone()),
            budget: Some(kd_dba::advise::Budget {
                per_table: Some(budget),
                total: Some(budget),
                bytes: None,
            }),
            validate_url: if validate { Some(url.clone()) } else { None },
            ..Default::default()
        };
        let t = Instant::now();
        let r = index(&req, None, &limits).expect("index");
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let v = r
            .recommendations
            .iter()
            .map(|x| kd_dba::advise::hypo::plain_sql(&x.create))
            .collect();
        (v, ms)
    };
    // Dexter-style baseline.
    let cat =
        kd_dba::catalog::from_sql(&schema, kd_dba::sql::DialectChoice::Postgres).expect("schema");
    let mut kept: Vec<(f64, String)> = Vec::new();
    let t = Instant::now();
    for (qi, q) in plannable.iter().enumerate() {
        let Ok(p) = kd_dba::sql::parse_text(q, kd_dba::sql::DialectChoice::Postgres, &limits)
        else {
            continue;
        };
        let Some(st) = p.statements.first() else {
            continue;
        };
        let Some(m) = kd_dba::advise::workload::model_statement(
            st,
            1.0,
            Some(&cat),
            kd_dba::sql::Dialect::Postgres,
        ) else {
            continue;
        };
        let mut cands: Vec<String> = Vec::new();
        let mut per_table: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for a in &m.accesses {
            let cols = per_table.entry(a.table.name.clone()).or_default();
            for c in a
                .preds
                .iter()
                .filter_map(|p| p.key.column.clone())
                .chain(a.order.iter().filter_map(|o| o.0.column.clone()))
            {
                if !cols.contains(&c) {
                    cols.push(c);
                }
            }
        }
        for (t, cols) in &per_table {
            for a in cols {
                cands.push(format!("CREATE INDEX ON {t} ({a})"));
                for b in cols {
                    if a != b {
                        cands.push(format!("CREATE INDEX ON {t} ({a}, {b})"));
                    }
                }
            }
        }
        let mut best: Option<(f64, String)> = None;
        let costs = hypo_each(&url, &cands, q);
        for (c, cost) in cands.into_iter().zip(costs) {
            if let Some(cost) = cost
                && best.as_ref().is_none_or(|b| cost < b.0)
            {
                best = Some((cost, c));
            }
        }
        if let Some((cost, c)) = best
            && cost <= base[qi] * 0.5
            && !kept.iter().any(|k| k.1 == c)
        {
            kept.push((base[qi] - cost, c));
        }
    }
    let dexter_ms = t.elapsed().as_secs_f64() * 1e3;
    kept.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "{} quality ({} plannable queries, Σ cost without indexes {:.0}); relative workload cost (lower is better):",
        b.label,
        plannable.len(),
        total0
    );
    println!(
        "| budget | KD-db-index offline | KD-db-index validated (HypoPG) | Dexter-style baseline |"
    );
    println!("|---|---|---|---|");
    for budget in [5usize, 10, 20] {
        let rel = |idx: &[String]| -> f64 {
            hypo_costs(&url, idx, &plannable)
                .iter()
                .zip(&base)
                .map(|(c, b)| c.unwrap_or(*b))
                .sum::<f64>()
                / total0
        };
        let (o, oms) = ours(budget, false);
        let (v, vms) = ours(budget, true);
        let d: Vec<String> = kept.iter().take(budget).map(|k| k.1.clone()).collect();
        if std::env::var_os("KD_DBA_BENCH_VERBOSE").is_some() {
            let per = |idx: &[String]| hypo_costs(&url, idx, &plannable);
            let (po, pd) = (per(&o), per(&d));
            eprintln!("budget {budget}\n offline: {o:#?}\n baseline: {d:#?}");
            let mut gaps: Vec<(f64, usize)> = po
                .iter()
                .zip(&pd)
                .enumerate()
                .map(|(i, (a, b))| (a.unwrap_or(base[i]) - b.unwrap_or(base[i]), i))
                .collect();
            gaps.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (g, i) in gaps.iter().take(8) {
                eprintln!(
                    " query {} (base {:.0}): offline {:?} baseline {:?} gap {g:.0}",
                    i + 1,
                    base[*i],
                    po[*i],
                    pd[*i]
                );
            }
        }
        println!(
            "| {budget} | {:.3} ({} indexes, {oms:.0} ms) | {:.3} ({} indexes, {vms:.0} ms) | {:.3} ({} indexes, {dexter_ms:.0} ms) |",
            rel(&o),
            o.len(),
            rel(&v),
            v.len(),
            rel(&d),
            d.len()
        );
    }
    let _ = psql(&admin, &format!("DROP DATABASE IF EXISTS {db}"));
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
    let only = std::env::var("KD_DBA_BENCH_QUALITY").unwrap_or_default();
    if only.is_empty() || only.contains("tpch") {
        quality_tpch(&corpus);
    }
    if only.is_empty() || only.contains("job") {
        quality_job(&corpus);
    }
}

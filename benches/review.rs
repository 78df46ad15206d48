//! Review benchmark (issue 3, §5): the schema review of danbooru's structure.sql and of the whole
//! PostgreSQL regression corpus, side by side with the raw parse of the same input. The target:
//! analysis (catalog replay + every rule) adds at most 50% to parsing.
//!
//! In process: median of N runs of each stage — parse (split + sqlparser + fallback), catalog
//! (replaying the DDL), rules (every review rule, suppressions) — and the ratio of the analysis
//! to the parse. Whole process: `kd-dba parse` vs `kd-dba review` on the same files (the built
//! binary, output discarded). Run with `cargo bench --bench review`; the corpus comes from
//! ../shared (or KD_DBA_CORPUS) and a missing input is skipped with a message.

use kd_dba::limits::Limits;
use kd_dba::review::{self, Options};
use kd_dba::sql::{self, DialectChoice, Source};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn whole_process(args: &[&str], files: &[PathBuf], runs: usize) -> Option<Duration> {
    let exe = env!("CARGO_BIN_EXE_kd-dba");
    let mut v = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let st = Command::new(exe)
            .args(args)
            .args(files)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        // `review` exits 1 when it finds errors; only a crash or bad input (2) is a failure.
        if st.code().is_none_or(|c| c > 1) {
            return None;
        }
        v.push(t.elapsed());
    }
    Some(median(v))
}

fn bench(name: &str, files: Vec<PathBuf>, runs: usize) {
    let sources: Vec<Source> = files
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            Source::file(
                p.file_name().unwrap().to_string_lossy(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect();
    let bytes: usize = sources.iter().map(|s| s.text.len()).sum();
    let limits = Limits::default();
    let d = DialectChoice::Postgres;
    let parsed = sql::parse_sources(&sources, d, &limits).unwrap();
    let cat = kd_dba::catalog::build(&parsed);
    let opts = Options::default();
    let rep = review::review_parsed(&parsed, &cat, &opts);
    let t_parse = time(runs, || sql::parse_sources(&sources, d, &limits).unwrap());
    let t_catalog = time(runs, || kd_dba::catalog::build(&parsed));
    let t_rules = time(runs, || review::review_parsed(&parsed, &cat, &opts));
    let t_analyze = time(runs, || review::analyze(&parsed, &cat, None));
    let t_review = time(runs, || {
        review::review_sources(&sources, d, &opts, &limits).unwrap()
    });
    println!(
        "{name}: {} files, {:.1} KB, {} statements, {} tables, {} findings",
        files.len(),
        bytes as f64 / 1024.0,
        parsed.stats.statements,
        cat.tables.len(),
        rep.findings.len()
    );
    println!(
        "  in process (median of {runs}): parse {:.1} ms | catalog {:.1} ms | rules {:.1} ms | review total {:.1} ms",
        ms(t_parse),
        ms(t_catalog),
        ms(t_rules),
        ms(t_review)
    );
    println!(
        "  rules: the checks themselves {:.1} ms; suppressions, syntax findings, counts {:.1} ms",
        ms(t_analyze),
        ms(t_rules.saturating_sub(t_analyze))
    );
    println!(
        "  analysis / parse: catalog+rules {:.0}% (rules alone {:.0}%); review total / parse = {:.2}x",
        100.0 * (ms(t_catalog) + ms(t_rules)) / ms(t_parse),
        100.0 * ms(t_rules) / ms(t_parse),
        ms(t_review) / ms(t_parse)
    );
    let p = whole_process(&["parse", "--dialect", "postgres"], &files, 5);
    let r = whole_process(&["review", "--dialect", "postgres", "--json"], &files, 5);
    match (p, r) {
        (Some(p), Some(r)) => println!(
            "  whole process (median of 5): kd-dba parse {:.1} ms | kd-dba review {:.1} ms | review adds {:.0}%",
            ms(p),
            ms(r),
            100.0 * (ms(r) - ms(p)) / ms(p)
        ),
        _ => println!("  whole process: the binary did not run (build it first)"),
    }
}

fn main() {
    let corpus = std::env::var_os("KD_DBA_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let danbooru = corpus.join("production/danbooru/structure.sql");
    if danbooru.is_file() {
        bench("danbooru structure.sql", vec![danbooru], 20);
    } else {
        eprintln!("skipping danbooru: {} not found", danbooru.display());
    }
    let regress = corpus.join("robustness/postgres_regress");
    let mut files: Vec<PathBuf> = Vec::new();
    for sub in ["regression_suite", "plpgsql"] {
        if let Ok(rd) = std::fs::read_dir(regress.join(sub)) {
            files.extend(
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "sql")),
            );
        }
    }
    files.sort();
    if files.is_empty() {
        eprintln!(
            "skipping the regression corpus: {} not found",
            regress.display()
        );
    } else {
        bench("PostgreSQL regression corpus", files, 5);
    }
}

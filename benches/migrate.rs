//! `cargo bench --bench migrate`: wall time of the migrate capability on real inputs, side by
//! side with squawk when it is installed (`pip install squawk-cli`).
//!
//! 1. Lint Lemmy's migrations (../shared/corpus/migrations/lemmy, 342 diesel folders) and,
//!    when `squawk` is on PATH, run `squawk --reporter json` over the same up.sql files: wall
//!    time of both, and per squawk rule how many (file, rule) counts agree or differ.
//! 2. Diff and render two danbooru-sized schemas (production/danbooru/structure.sql against the
//!    same schema with a batch of changes) into every file format.

use kd_dba::migrate::{self, Format, lint};
use kd_dba::sql::{self, Dialect, DialectChoice};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn corpus() -> PathBuf {
    std::env::var_os("KD_DBA_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let root = corpus();
    let lemmy = root.join("migrations/lemmy/migrations");
    if !lemmy.is_dir() {
        eprintln!("corpus not found at {}; set KD_DBA_CORPUS", root.display());
        return;
    }
    let limits = kd_dba::limits::Limits::default();

    // 1. Lint Lemmy.
    let sources = kd_dba::input::load_path(&lemmy).expect("lemmy");
    let opts = lint::LintOptions {
        dialect: Dialect::Postgres,
        version: migrate::Version::parse("16").unwrap(),
        wrapped: false,
        disabled: vec![],
    };
    let mut times = Vec::new();
    let mut findings = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let parsed = sql::parse_sources(&sources, DialectChoice::Postgres, &limits).unwrap();
        let (f, _) = lint::lint(&parsed, None, &opts);
        times.push(t.elapsed().as_secs_f64());
        findings = f;
    }
    println!(
        "lint lemmy: {} files, {} findings, median {:.1} ms (in-process, parse + replay + rules)",
        sources.len(),
        findings.len(),
        median(times) * 1000.0
    );

    // Same input through the CLI (process start, file reading, JSON output), if built.
    let exe = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/kd-dba");
    if exe.is_file() {
        let mut t_cli = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            let out = Command::new(&exe)
                .args(["migrate", "lint", "--json", "--dialect", "postgres"])
                .arg(&lemmy)
                .output()
                .unwrap();
            t_cli.push(t.elapsed().as_secs_f64());
            assert!(!out.stdout.is_empty());
        }
        println!(
            "kd-dba migrate lint (release CLI): median {:.1} ms",
            median(t_cli) * 1000.0
        );
    }

    // Our findings per (file, squawk rule), through the crosswalk.
    let mut ours: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in &findings {
        let Some(doc) = kd_dba::rules::find(&f.id) else {
            continue;
        };
        let file = f
            .span
            .as_ref()
            .and_then(|s| s.file.clone())
            .unwrap_or_default();
        let folder = Path::new(&file)
            .parent()
            .and_then(|p| p.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for x in doc
            .crosswalk
            .iter()
            .filter_map(|c| c.strip_prefix("squawk:"))
        {
            *ours.entry((folder.clone(), x.to_string())).or_default() += 1;
        }
    }

    let squawk_ok = Command::new("squawk")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !squawk_ok {
        println!("squawk not installed (pip install squawk-cli): no comparison");
    } else {
        let files: Vec<String> = sources.iter().filter_map(|s| s.name.clone()).collect();
        let mut t_sq = Vec::new();
        let mut out = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            let o = Command::new("squawk")
                .args(["--reporter", "json", "--pg-version", "16"])
                .args(&files)
                .output()
                .unwrap();
            t_sq.push(t.elapsed().as_secs_f64());
            out = o.stdout;
        }
        println!(
            "squawk 2.x (same {} files): median {:.1} ms",
            files.len(),
            median(t_sq) * 1000.0
        );
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap_or(serde_json::Value::Null);
        let mut theirs: BTreeMap<(String, String), usize> = BTreeMap::new();
        for f in v.as_array().into_iter().flatten() {
            let file = f["file"].as_str().unwrap_or_default();
            let folder = Path::new(file)
                .parent()
                .and_then(|p| p.file_name())
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let rule = f["rule_name"].as_str().unwrap_or_default().to_string();
            *theirs.entry((folder, rule)).or_default() += 1;
        }
        // Per squawk rule: files where both report the same count, more, fewer.
        let mut per_rule: BTreeMap<String, (usize, usize, usize, usize, usize)> = BTreeMap::new();
        let keys: std::collections::BTreeSet<&(String, String)> =
            ours.keys().chain(theirs.keys()).collect();
        for k in keys {
            let a = ours.get(k).copied().unwrap_or(0);
            let b = theirs.get(k).copied().unwrap_or(0);
            let e = per_rule.entry(k.1.clone()).or_default();
            e.3 += a;
            e.4 += b;
            match a.cmp(&b) {
                std::cmp::Ordering::Equal => e.0 += 1,
                std::cmp::Ordering::Greater => e.1 += 1,
                std::cmp::Ordering::Less => e.2 += 1,
            }
        }
        println!(
            "\n| squawk rule | kd-dba findings | squawk findings | files agree | kd-dba more | squawk more |"
        );
        println!("|---|---|---|---|---|---|");
        for (rule, (same, more, fewer, a, b)) in &per_rule {
            println!("| {rule} | {a} | {b} | {same} | {more} | {fewer} |");
        }
        if std::env::var("KD_DBA_BENCH_DETAIL").is_ok() {
            for (k, b) in &theirs {
                let a = ours.get(k).copied().unwrap_or(0);
                if a != *b {
                    println!("  {} {}: kd-dba {a}, squawk {b}", k.0, k.1);
                }
            }
            for (k, a) in &ours {
                if !theirs.contains_key(k) {
                    println!("  {} {}: kd-dba {a}, squawk 0", k.0, k.1);
                }
            }
        }
    }

    // 2. Diff two danbooru-sized schemas.
    let danbooru = root.join("production/danbooru/structure.sql");
    if let Ok(old) = std::fs::read_to_string(&danbooru) {
        let mut changes = String::new();
        for (i, t) in [
            "posts",
            "users",
            "comments",
            "notes",
            "pools",
            "artists",
            "wiki_pages",
            "forum_posts",
        ]
        .iter()
        .enumerate()
        {
            changes.push_str(&format!(
                "ALTER TABLE {t} ADD COLUMN kd_extra_{i} text NOT NULL DEFAULT '';\nCREATE INDEX kd_idx_{i} ON {t} (kd_extra_{i});\nALTER TABLE {t} ALTER COLUMN kd_extra_{i} SET DEFAULT 'x';\n"
            ));
        }
        let new = format!("{old}\n{changes}");
        let mut t_diff = Vec::new();
        let mut steps = 0;
        for _ in 0..5 {
            let t = Instant::now();
            for fmt in [
                Format::Sql,
                Format::Flyway,
                Format::Liquibase,
                Format::Alembic,
            ] {
                let req = migrate::MigrateRequest {
                    from: Some(kd_dba::input::SqlInput {
                        sql: Some(old.clone()),
                        paths: vec![],
                    }),
                    to: Some(kd_dba::input::SqlInput {
                        sql: Some(new.clone()),
                        paths: vec![],
                    }),
                    dialect: DialectChoice::Postgres,
                    format: Some(fmt),
                    created: Some(0),
                    ..Default::default()
                };
                steps = migrate::migrate(req, &Default::default())
                    .unwrap()
                    .steps
                    .len();
            }
            t_diff.push(t.elapsed().as_secs_f64() / 4.0);
        }
        let cat = kd_dba::catalog::from_sql(&old, DialectChoice::Postgres).unwrap();
        println!(
            "\ndiff danbooru ({} tables, {} indexes, {} KB) vs changed copy: {steps} steps, median {:.1} ms per diff + render (both sides parsed)",
            cat.tables.len(),
            cat.indexes.len(),
            old.len() / 1024,
            median(t_diff) * 1000.0
        );
    }
}

//! Figure of merit of the SQL front end over ../shared/corpus: statements understood (parsed or
//! recognised) / statements present, per corpus folder. Skips with a reason when the corpus is not
//! there (it is not part of this repository; see ../shared/corpus/SOURCES.md).

use kd_dba::limits::Limits;
use kd_dba::sql::{self, Dialect, DialectChoice, Source, StmtKind};
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let p = std::env::var_os("KD_DBA_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    p.is_dir().then_some(p)
}

fn sql_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sql_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "sql") {
            out.push(p);
        }
    }
}

/// The dialect a user would name for this file.
fn dialect_for(path: &Path) -> Dialect {
    let s = path.to_string_lossy().to_ascii_lowercase();
    if s.contains("mysql") {
        Dialect::Mysql
    } else if s.contains("sqlite") {
        Dialect::Sqlite
    } else {
        Dialect::Postgres
    }
}

fn choice(d: Dialect) -> DialectChoice {
    match d {
        Dialect::Postgres => DialectChoice::Postgres,
        Dialect::Mysql => DialectChoice::Mysql,
        Dialect::Sqlite => DialectChoice::Sqlite,
        Dialect::Generic => DialectChoice::Generic,
    }
}

struct Tally {
    present: u64,
    understood: u64,
    failures: Vec<String>,
}

fn sweep(dir: &Path) -> Tally {
    let mut files = Vec::new();
    sql_files(dir, &mut files);
    let mut t = Tally {
        present: 0,
        understood: 0,
        failures: Vec::new(),
    };
    let limits = Limits {
        max_bytes: 64 * 1024 * 1024,
        ..Limits::default()
    };
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let name = f.strip_prefix(dir).unwrap().display().to_string();
        match sql::parse_sources(
            &[Source::file(name.clone(), text)],
            choice(dialect_for(&f)),
            &limits,
        ) {
            Ok(p) => {
                t.present += p.stats.statements;
                t.understood += p.stats.parsed + p.stats.recognized;
                for s in &p.statements {
                    if let StmtKind::Failed(e) = &s.kind {
                        let head: String = s
                            .text
                            .chars()
                            .take(90)
                            .collect::<String>()
                            .replace('\n', " ");
                        t.failures.push(format!(
                            "{}:{}:{} {} | {}",
                            name, e.at.line, e.at.column, e.message, head
                        ));
                    }
                }
            }
            Err(e) => t.failures.push(format!("{name}: whole-file error: {e}")),
        }
    }
    t
}

#[test]
fn front_end_understands_the_corpus() {
    let Some(root) = corpus() else {
        eprintln!("skipping: ../shared/corpus not found (set KD_DBA_CORPUS to its path)");
        return;
    };
    let show = std::env::var("KD_DBA_SHOW_FAILURES").is_ok();
    let mut below = Vec::new();
    for (folder, aim) in [
        ("schemas", 0.99),
        ("production", 0.99),
        ("migrations", 0.99),
        ("benchmarks", 0.0),
        ("antipatterns", 0.0),
        ("robustness", 0.0),
    ] {
        let t = sweep(&root.join(folder));
        let ratio = if t.present == 0 {
            1.0
        } else {
            t.understood as f64 / t.present as f64
        };
        println!(
            "{folder:<14} understood {:>6} / {:>6} = {:.2}%  (aim {:.0}%)",
            t.understood,
            t.present,
            ratio * 100.0,
            aim * 100.0
        );
        if show {
            for f in &t.failures {
                println!("    {f}");
            }
        }
        if ratio < aim {
            below.push(format!(
                "{folder}: {:.2}% < {:.0}%; first failures:\n  {}",
                ratio * 100.0,
                aim * 100.0,
                t.failures
                    .iter()
                    .take(15)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ));
        }
    }
    assert!(below.is_empty(), "{}", below.join("\n"));
}

//! Current settings: read from a configuration file (postgresql.conf, my.cnf, PRAGMA lines) or
//! from server output (`SHOW ALL`, `SELECT name, setting, unit FROM pg_settings`,
//! `SHOW VARIABLES`, tab- or `|`-separated), then compared with the proposal in the engine's
//! units and ranked by expected impact.

use super::{Change, Machine, Setting, TuneEngine};
use crate::error::KdError;
use crate::units::human_bytes;

/// One current value: name (lower case, `_` for `-`), the value as written, and the unit column
/// of pg_settings output when there was one.
#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    pub name: String,
    pub value: String,
    pub unit: Option<String>,
}

fn is_unit(s: &str) -> bool {
    matches!(
        s,
        "" | "B"
            | "kB"
            | "8kB"
            | "MB"
            | "16MB"
            | "GB"
            | "TB"
            | "ms"
            | "s"
            | "min"
            | "h"
            | "d"
            | "us"
    )
}

fn unquote(s: &str) -> String {
    let t = s.trim().trim_end_matches(';').trim();
    let t = t
        .strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .or_else(|| t.strip_prefix('"').and_then(|x| x.strip_suffix('"')))
        .unwrap_or(t);
    t.trim().to_string()
}

fn norm_name(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace('-', "_")
}

/// Parse current settings in any of the accepted shapes.
pub fn parse(engine: TuneEngine, text: &str) -> Result<Vec<Current>, KdError> {
    let mut out: Vec<Current> = Vec::new();
    let mut section_ok = true;
    let mut push = |name: &str, value: String, unit: Option<String>| {
        let name = norm_name(name);
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return;
        }
        if let Some(c) = out.iter_mut().find(|c| c.name == name) {
            // Later lines win, as in the engines' own configuration files.
            c.value = value;
            c.unit = unit;
        } else {
            out.push(Current { name, value, unit });
        }
    };
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with("--") || line.starts_with('(') {
            continue;
        }
        // my.cnf sections: only the server's.
        if line.starts_with('[') && line.ends_with(']') {
            let sec = line[1..line.len() - 1].trim().to_ascii_lowercase();
            section_ok = sec.starts_with("mysqld")
                || sec == "mariadb"
                || sec.starts_with("mariadb-")
                || sec == "server"
                || sec == "galera";
            continue;
        }
        if !section_ok {
            continue;
        }
        if line.contains('|') {
            let cols: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            if cols.len() < 2
                || cols[0].eq_ignore_ascii_case("name")
                || cols[0].eq_ignore_ascii_case("variable_name")
                || cols[0].chars().all(|c| c == '-' || c == '+')
            {
                continue;
            }
            let unit = cols
                .get(2)
                .filter(|u| is_unit(u) && !u.is_empty())
                .map(|u| u.to_string());
            push(cols[0], unquote(cols[1]), unit);
            continue;
        }
        if line.starts_with('+') || line.starts_with("---") {
            continue;
        }
        if line.contains('\t') {
            let mut it = line.splitn(2, '\t');
            let (n, v) = (it.next().unwrap_or(""), it.next().unwrap_or(""));
            if n.eq_ignore_ascii_case("variable_name") {
                continue;
            }
            push(n, unquote(v), None);
            continue;
        }
        let line = match line.find('#') {
            Some(i) if !line[..i].contains('\'') => line[..i].trim(),
            _ => line,
        };
        if line.is_empty() || line.starts_with(';') {
            continue;
        }
        let body = if engine == TuneEngine::Sqlite {
            let l = line.trim_end_matches(';');
            let l = l
                .strip_prefix("PRAGMA ")
                .or_else(|| l.strip_prefix("pragma "))
                .unwrap_or(l)
                .trim();
            if let Some((n, v)) = l.split_once('(') {
                push(n, unquote(v.trim_end_matches(')')), None);
                continue;
            }
            l.to_string()
        } else {
            line.to_string()
        };
        if let Some((n, v)) = body.split_once('=') {
            push(n, unquote(v), None);
        } else if let Some((n, v)) = body.split_once(char::is_whitespace) {
            push(n, unquote(v), None);
        } else if engine != TuneEngine::Postgres && engine != TuneEngine::Sqlite {
            // my.cnf boolean flags (skip-name-resolve).
            push(&body, "ON".into(), None);
        }
    }
    if out.is_empty() {
        return Err(KdError::invalid(
            "current: no settings found; pass a postgresql.conf or my.cnf, the output of SHOW ALL / SHOW VARIABLES / SELECT name, setting, unit FROM pg_settings, or PRAGMA lines",
        ));
    }
    Ok(out)
}

/// Base unit (in bytes) of a PostgreSQL memory setting given as a bare number.
fn pg_base_unit(name: &str) -> Option<f64> {
    Some(match name {
        "shared_buffers" | "effective_cache_size" | "wal_buffers" => 8192.0,
        "work_mem" | "maintenance_work_mem" | "autovacuum_work_mem" => 1024.0,
        "min_wal_size" | "max_wal_size" => 1024.0 * 1024.0,
        _ => return None,
    })
}

fn unit_bytes(u: &str) -> Option<f64> {
    let k = 1024.0;
    Some(match u {
        "B" | "b" => 1.0,
        "kB" | "KB" | "k" | "K" | "kb" => k,
        "8kB" => 8.0 * k,
        "16MB" => 16.0 * k * k,
        "MB" | "M" | "m" | "mb" => k * k,
        "GB" | "G" | "g" | "gb" => k * k * k,
        "TB" | "T" | "t" | "tb" => k * k * k * k,
        _ => return None,
    })
}

/// A comparable form: a number (bytes for sizes) or a lower-case word.
#[derive(Debug, Clone, PartialEq)]
enum Norm {
    Num(f64),
    Word(String),
}

fn split_num(v: &str) -> Option<(f64, &str)> {
    let v = v.trim();
    let end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e'))
        .unwrap_or(v.len());
    // "e" inside a unit ("8kB") is not part of the number when followed by letters; keep it simple.
    let (n, rest) = v.split_at(end);
    n.parse::<f64>().ok().map(|x| (x, rest.trim()))
}

fn normalise(engine: TuneEngine, name: &str, value: &str, unit: Option<&str>) -> Norm {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    if engine == TuneEngine::Sqlite {
        let word = match (name, lower.as_str()) {
            ("synchronous", "0") => "off",
            ("synchronous", "1") => "normal",
            ("synchronous", "2") => "full",
            ("synchronous", "3") => "extra",
            ("temp_store", "0") => "default",
            ("temp_store", "1") => "file",
            ("temp_store", "2") => "memory",
            _ => "",
        };
        if !word.is_empty() {
            return Norm::Word(word.into());
        }
    }
    match lower.as_str() {
        "on" | "true" | "yes" => return Norm::Word("on".into()),
        "off" | "false" | "no" => return Norm::Word("off".into()),
        _ => {}
    }
    if let Some((n, rest)) = split_num(v) {
        if engine == TuneEngine::Postgres {
            if n < 0.0 {
                return Norm::Num(n);
            }
            if let Some(base) = pg_base_unit(name) {
                let mult = if !rest.is_empty() {
                    unit_bytes(rest)
                } else if let Some(u) = unit.filter(|u| !u.is_empty()) {
                    unit_bytes(u)
                } else {
                    Some(base)
                };
                if let Some(m) = mult {
                    return Norm::Num(n * m);
                }
            }
            if rest.is_empty() {
                return Norm::Num(n);
            }
        } else if engine != TuneEngine::Sqlite {
            if rest.is_empty() {
                return Norm::Num(n);
            }
            if let Some(m) = unit_bytes(rest) {
                return Norm::Num(n * m);
            }
        } else if rest.is_empty() {
            return Norm::Num(n);
        }
    }
    Norm::Word(lower)
}

fn same(a: &Norm, b: &Norm) -> bool {
    match (a, b) {
        (Norm::Num(x), Norm::Num(y)) => (x - y).abs() <= 0.001 * x.abs().max(y.abs()).max(1.0),
        (Norm::Word(x), Norm::Word(y)) => x == y,
        _ => false,
    }
}

/// Expected impact of a setting when it is wrong, 1..10.
fn weight(engine: TuneEngine, name: &str) -> f64 {
    match engine {
        TuneEngine::Postgres => match name {
            "shared_buffers" => 10.0,
            "work_mem" => 8.0,
            "max_wal_size" => 7.0,
            "effective_cache_size" | "random_page_cost" | "max_connections" => 6.0,
            "maintenance_work_mem" | "huge_pages" | "jit" => 5.0,
            "checkpoint_completion_target"
            | "effective_io_concurrency"
            | "wal_compression"
            | "autovacuum_max_workers"
            | "autovacuum_work_mem" => 4.0,
            "wal_buffers"
            | "max_parallel_workers_per_gather"
            | "max_worker_processes"
            | "max_parallel_workers"
            | "default_statistics_target" => 3.0,
            _ => 2.0,
        },
        TuneEngine::Mysql | TuneEngine::Mariadb => match name {
            "innodb_buffer_pool_size" => 10.0,
            "innodb_flush_log_at_trx_commit" | "sync_binlog" => 8.0,
            "innodb_log_file_size" | "innodb_redo_log_capacity" => 7.0,
            "max_connections" | "innodb_io_capacity" => 5.0,
            "innodb_flush_method" | "tmp_table_size" | "max_heap_table_size" => 4.0,
            _ => 3.0,
        },
        TuneEngine::Sqlite => match name {
            "journal_mode" => 10.0,
            "synchronous" | "busy_timeout" => 7.0,
            "cache_size" | "mmap_size" => 5.0,
            _ => 3.0,
        },
    }
}

fn display(engine: TuneEngine, name: &str, c: &Current) -> String {
    match (&c.unit, engine) {
        (Some(u), TuneEngine::Postgres) if !u.is_empty() => {
            match normalise(engine, name, &c.value, Some(u)) {
                Norm::Num(b) if pg_base_unit(name).is_some() => {
                    format!("{} ({} {})", human_bytes(b), c.value, u)
                }
                _ => format!("{} {}", c.value, u),
            }
        }
        _ => c.value.clone(),
    }
}

/// Compare; fill `current` on each setting; return the ranked changes and the unchanged names.
pub fn compare(
    engine: TuneEngine,
    m: &Machine,
    settings: &mut [Setting],
    cur: &[Current],
    warnings: &mut Vec<String>,
) -> (Vec<Change>, Vec<String>) {
    let mut scored: Vec<(f64, Change)> = Vec::new();
    let mut unchanged = Vec::new();
    for s in settings.iter_mut() {
        let Some(c) = cur.iter().find(|c| c.name == s.name) else {
            continue;
        };
        let shown = display(engine, &s.name, c);
        s.current = Some(shown.clone());
        let a = normalise(engine, &s.name, &c.value, c.unit.as_deref());
        let b = normalise(engine, &s.name, &s.value, None);
        if same(&a, &b) {
            unchanged.push(s.name.clone());
            continue;
        }
        let factor = match (&a, &b) {
            (Norm::Num(x), Norm::Num(y)) if *x > 0.0 && *y > 0.0 => (y / x).log2().abs().min(3.0),
            _ => 1.0,
        };
        let score = weight(engine, &s.name) * (0.5 + factor);
        let impact = if score >= 10.0 {
            "high"
        } else if score >= 5.0 {
            "medium"
        } else {
            "low"
        };
        scored.push((
            score,
            Change {
                rank: 0,
                name: s.name.clone(),
                current: shown,
                proposed: s.value.clone(),
                impact: impact.into(),
                restart: s.restart,
                why: s.reason.clone(),
            },
        ));
    }
    scored.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.name.cmp(&y.1.name)));
    let changes = scored
        .into_iter()
        .enumerate()
        .map(|(k, (_, mut c))| {
            c.rank = k as u32 + 1;
            c
        })
        .collect();
    // Settings outside the proposal that put data or memory at risk.
    let get = |n: &str| cur.iter().find(|c| c.name == n);
    match engine {
        TuneEngine::Postgres => {
            for (n, bad) in [("fsync", "off"), ("full_page_writes", "off")] {
                if let Some(c) = get(n)
                    && normalise(engine, n, &c.value, None) == Norm::Word(bad.into())
                {
                    warnings.push(format!(
                        "{n} = {} in the current settings: a crash can corrupt the database. Turn it on.",
                        c.value
                    ));
                }
            }
            if let (Some(sb), Some(wm), Some(mc)) = (
                get("shared_buffers"),
                get("work_mem"),
                get("max_connections"),
            ) && let (Norm::Num(sb), Norm::Num(wm), Norm::Num(mc)) = (
                normalise(engine, "shared_buffers", &sb.value, sb.unit.as_deref()),
                normalise(engine, "work_mem", &wm.value, wm.unit.as_deref()),
                normalise(engine, "max_connections", &mc.value, None),
            ) && sb + wm * mc > m.ram as f64
            {
                warnings.push(format!(
                    "Current memory is over-committed: shared_buffers {} + max_connections {} × work_mem {} = {} > RAM {}.",
                    human_bytes(sb),
                    mc,
                    human_bytes(wm),
                    human_bytes(sb + wm * mc),
                    human_bytes(m.ram as f64)
                ));
            }
        }
        TuneEngine::Mysql | TuneEngine::Mariadb => {
            if let Some(c) = get("innodb_doublewrite")
                && matches!(normalise(engine, "x", &c.value, None), Norm::Word(ref w) if w == "off")
                    | matches!(normalise(engine, "x", &c.value, None), Norm::Num(n) if n == 0.0)
            {
                warnings.push("innodb_doublewrite is off in the current settings: a torn page after a crash cannot be repaired.".into());
            }
            if let Some(c) = get("innodb_buffer_pool_size")
                && let Norm::Num(b) = normalise(engine, "innodb_buffer_pool_size", &c.value, None)
                && b > m.ram as f64 * 0.9
            {
                warnings.push(format!(
                    "The current buffer pool ({}) leaves almost nothing of the {} RAM for connections and the OS.",
                    human_bytes(b),
                    human_bytes(m.ram as f64)
                ));
            }
        }
        TuneEngine::Sqlite => {
            if let Some(c) = get("synchronous")
                && normalise(engine, "synchronous", &c.value, None) == Norm::Word("off".into())
            {
                warnings.push(
                    "synchronous = OFF: an OS crash or power loss can corrupt the database.".into(),
                );
            }
            if let Some(c) = get("journal_mode")
                && matches!(c.value.to_ascii_lowercase().as_str(), "off" | "memory")
            {
                warnings.push(format!(
                    "journal_mode = {}: a crash in the middle of a transaction can corrupt the database.",
                    c.value
                ));
            }
        }
    }
    (changes, unchanged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_accepted_shapes() {
        let conf = "# comment\nshared_buffers = 128MB   # min 128kB\nwork_mem='4MB'\nmax_connections 100\n";
        let c = parse(TuneEngine::Postgres, conf).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].value, "128MB");
        assert_eq!(c[1].value, "4MB");
        let show_all = "              name               |  setting  |  description\n---------------------------------+-----------+--------------\n shared_buffers                  | 128MB     | Sets the number of shared memory buffers\n(3 rows)\n";
        let c = parse(TuneEngine::Postgres, show_all).unwrap();
        assert_eq!(
            c,
            vec![Current {
                name: "shared_buffers".into(),
                value: "128MB".into(),
                unit: None
            }]
        );
        let pg_settings = "shared_buffers|16384|8kB\nwork_mem|4096|kB\n";
        let c = parse(TuneEngine::Postgres, pg_settings).unwrap();
        assert_eq!(c[0].unit.as_deref(), Some("8kB"));
        assert_eq!(
            normalise(
                TuneEngine::Postgres,
                "shared_buffers",
                &c[0].value,
                c[0].unit.as_deref()
            ),
            Norm::Num(128.0 * 1024.0 * 1024.0)
        );
        let mycnf =
            "[client]\nport=3306\n[mysqld]\ninnodb-buffer-pool-size = 1G\nskip-name-resolve\n";
        let c = parse(TuneEngine::Mariadb, mycnf).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].name, "innodb_buffer_pool_size");
        assert_eq!(
            normalise(
                TuneEngine::Mariadb,
                "innodb_buffer_pool_size",
                &c[0].value,
                None
            ),
            Norm::Num(1024.0 * 1024.0 * 1024.0)
        );
        let show_vars = "Variable_name\tValue\ninnodb_buffer_pool_size\t134217728\n";
        let c = parse(TuneEngine::Mysql, show_vars).unwrap();
        assert_eq!(c[0].value, "134217728");
        let pragmas =
            "PRAGMA journal_mode=DELETE;\nPRAGMA synchronous = 2;\nPRAGMA cache_size(-2000);\n";
        let c = parse(TuneEngine::Sqlite, pragmas).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(
            normalise(TuneEngine::Sqlite, "synchronous", "2", None),
            Norm::Word("full".into())
        );
        assert!(parse(TuneEngine::Postgres, "\n# nothing\n").is_err());
    }

    #[test]
    fn bare_numbers_use_the_settings_base_unit() {
        assert_eq!(
            normalise(TuneEngine::Postgres, "shared_buffers", "16384", None),
            Norm::Num(134217728.0)
        );
        assert_eq!(
            normalise(TuneEngine::Postgres, "work_mem", "4096", None),
            Norm::Num(4194304.0)
        );
        assert_eq!(
            normalise(TuneEngine::Postgres, "max_wal_size", "1024", None),
            Norm::Num(1073741824.0)
        );
        assert_eq!(
            normalise(TuneEngine::Postgres, "max_wal_size", "1GB", None),
            Norm::Num(1073741824.0)
        );
        assert_eq!(
            normalise(TuneEngine::Postgres, "random_page_cost", "1.1", None),
            Norm::Num(1.1)
        );
        assert_eq!(
            normalise(TuneEngine::Postgres, "jit", "on", None),
            Norm::Word("on".into())
        );
    }
}

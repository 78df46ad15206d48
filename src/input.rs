//! Reading SQL input: inline text, files, and migration folders replayed in order.
//!
//! A folder is read as a migration history when it looks like one: golang-migrate / sqlx /
//! dbmate style `NNN_name.up.sql` files or diesel style `<version>_name/up.sql` folders (only
//! the "up" side is replayed), or Flyway `V<version>__name.sql` files (versions compared
//! numerically; `U` undo files skipped; `R__` repeatables applied after all versions). Any other
//! folder contributes all its `.sql` files in natural order (`2_x.sql` before `10_x.sql`).

use crate::error::KdError;
use crate::limits::Limits;
use crate::sql::Source;
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// SQL input as tools accept it: inline text and/or paths (files or folders).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct SqlInput {
    /// SQL text (DDL, queries ...).
    #[serde(default)]
    pub sql: Option<String>,
    /// Files or folders (a migrations folder is replayed in order).
    #[serde(default)]
    pub paths: Vec<String>,
}

impl SqlInput {
    pub fn is_empty(&self) -> bool {
        self.sql.as_deref().is_none_or(|s| s.trim().is_empty()) && self.paths.is_empty()
    }

    /// Resolve into sources: paths first (in order), then the inline SQL.
    pub fn sources(&self, base: Option<&Path>, limits: &Limits) -> Result<Vec<Source>, KdError> {
        let mut out = Vec::new();
        let mut total = 0usize;
        for p in &self.paths {
            let path = match base {
                Some(b) if Path::new(p).is_relative() => b.join(p),
                _ => PathBuf::from(p),
            };
            for s in load_path(&path)? {
                total += s.text.len();
                limits.check_bytes(total)?;
                out.push(s);
            }
        }
        if let Some(sql) = &self.sql
            && !sql.trim().is_empty()
        {
            total += sql.len();
            limits.check_bytes(total)?;
            out.push(Source::inline(sql.clone()));
        }
        Ok(out)
    }
}

/// Read a file, or a folder as described in the module docs.
pub fn load_path(path: &Path) -> Result<Vec<Source>, KdError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        // A statement typed where a path was expected: say how to pass SQL text instead.
        let text = path.to_string_lossy();
        let looks_like_sql = text.contains(char::is_whitespace)
            && text
                .split_whitespace()
                .next()
                .is_some_and(|w| {
                    [
                        "select", "with", "insert", "update", "delete", "create", "alter", "drop",
                    ]
                    .contains(&w.to_ascii_lowercase().as_str())
                });
        let hint = if looks_like_sql {
            "; this looks like SQL text, not a path: pass it with the command's inline option (`--query`/`--sql`, see --help) or on stdin with `-`"
        } else {
            ""
        };
        KdError::input(format!(
            "cannot read {}: {e}; give an existing .sql file or a folder of migrations{hint}",
            path.display()
        ))
    })?;
    if meta.is_file() {
        return Ok(vec![read_file(path)?]);
    }
    let files = migration_files(path)?;
    if files.is_empty() {
        return Err(KdError::input(format!(
            "{} holds no .sql files; give a schema file, a migrations folder, or inline SQL",
            path.display()
        )));
    }
    files.iter().map(|f| read_file(f)).collect()
}

fn read_file(path: &Path) -> Result<Source, KdError> {
    let bytes = std::fs::read(path)
        .map_err(|e| KdError::input(format!("cannot read {}: {e}", path.display())))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            return Err(KdError::input(format!(
                "{} is not valid UTF-8 (first bad byte at offset {valid}); convert it with `iconv -f latin1 -t utf-8` or save it as UTF-8",
                path.display()
            )));
        }
    };
    Ok(Source::file(path.display().to_string(), text))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), KdError> {
    let rd = std::fs::read_dir(dir)
        .map_err(|e| KdError::input(format!("cannot list {}: {e}", dir.display())))?;
    for e in rd.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') || name == "node_modules" || name == "target" {
            continue;
        }
        if p.is_dir() {
            walk(&p, out)?;
        } else if name.to_ascii_lowercase().ends_with(".sql") {
            out.push(p);
        }
    }
    Ok(())
}

/// Natural-order key: digit runs compare as numbers.
pub fn natural_key(s: &str) -> Vec<(u8, u128, String)> {
    let mut key = Vec::new();
    let mut num = String::new();
    let mut txt = String::new();
    for ch in s.chars() {
        if ch.is_ascii_digit() {
            if !txt.is_empty() {
                key.push((1, 0, std::mem::take(&mut txt)));
            }
            num.push(ch);
        } else {
            if !num.is_empty() {
                key.push((
                    0,
                    num.parse::<u128>().unwrap_or(u128::MAX),
                    std::mem::take(&mut num),
                ));
            }
            txt.push(ch.to_ascii_lowercase());
        }
    }
    if !num.is_empty() {
        key.push((0, num.parse::<u128>().unwrap_or(u128::MAX), num));
    }
    if !txt.is_empty() {
        key.push((1, 0, txt));
    }
    key
}

/// The files of a folder in replay order.
pub fn migration_files(dir: &Path) -> Result<Vec<PathBuf>, KdError> {
    let mut all = Vec::new();
    walk(dir, &mut all)?;
    let rel = |p: &Path| {
        p.strip_prefix(dir)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let fname = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let has_up = all.iter().any(|p| {
        let n = fname(p);
        n == "up.sql" || n.ends_with(".up.sql")
    });
    let flyway = all.iter().any(|p| is_flyway_versioned(&fname(p)));
    let mut files: Vec<PathBuf> = if has_up {
        all.into_iter()
            .filter(|p| {
                let n = fname(p);
                n == "up.sql" || n.ends_with(".up.sql")
            })
            .collect()
    } else if flyway {
        let mut versioned: Vec<PathBuf> = all
            .iter()
            .filter(|p| is_flyway_versioned(&fname(p)))
            .cloned()
            .collect();
        versioned.sort_by_key(|p| flyway_version(&fname(p)));
        let mut repeatable: Vec<PathBuf> = all
            .into_iter()
            .filter(|p| fname(p).starts_with("r__"))
            .collect();
        repeatable.sort_by_key(|p| fname(p));
        versioned.extend(repeatable);
        return Ok(versioned);
    } else {
        all
    };
    files.sort_by_key(|p| natural_key(&rel(p)));
    Ok(files)
}

fn is_flyway_versioned(name: &str) -> bool {
    name.starts_with('v')
        && name.contains("__")
        && name[1..].chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn flyway_version(name: &str) -> Vec<u128> {
    let v = &name[1..name.find("__").unwrap_or(name.len())];
    v.split(['.', '_'])
        .map(|p| p.parse::<u128>().unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_given_as_a_path_gets_a_hint() {
        let e = load_path(Path::new("SELECT * FROM t WHERE a = 1"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("looks like SQL text"), "{e}");
        let e = load_path(Path::new("no-such-file.sql"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("give an existing .sql file") && !e.contains("looks like SQL"),
            "{e}"
        );
    }

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kd-dba-input-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn golang_migrate_pairs_replay_up_in_numeric_order() {
        let d = tmpdir("gm");
        for (n, body) in [
            ("10_b.up.sql", "b"),
            ("2_a.up.sql", "a"),
            ("2_a.down.sql", "x"),
            ("10_b.down.sql", "y"),
        ] {
            std::fs::write(d.join(n), body).unwrap();
        }
        let files = migration_files(&d).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        assert_eq!(names, vec!["2_a.up.sql", "10_b.up.sql"]);
    }

    #[test]
    fn flyway_versions_compare_numerically() {
        let d = tmpdir("fw");
        for n in [
            "V1__init.sql",
            "V1.10__c.sql",
            "V1.2__b.sql",
            "U1.2__b.sql",
            "R__views.sql",
        ] {
            std::fs::write(d.join(n), "select 1;").unwrap();
        }
        let files = migration_files(&d).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        assert_eq!(
            names,
            vec![
                "V1__init.sql",
                "V1.2__b.sql",
                "V1.10__c.sql",
                "R__views.sql"
            ]
        );
    }

    #[test]
    fn non_utf8_is_a_clear_error() {
        let d = tmpdir("utf");
        let f = d.join("bad.sql");
        std::fs::write(&f, [b's', 0xff, 0xfe]).unwrap();
        let e = load_path(&f).unwrap_err().to_string();
        assert!(e.contains("not valid UTF-8"), "{e}");
    }
}

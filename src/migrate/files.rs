//! Migration files from the plan, through templates (`templates/migrate/files/`): plain SQL
//! pairs (also golang-migrate and sqlx naming), Flyway V/U files with `.sql.conf` for
//! non-transactional versions, Liquibase formatted SQL, and an Alembic revision.
//!
//! The plan is cut into units: consecutive transactional steps share a unit; every statement
//! that must run outside a transaction (CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD VALUE on
//! old PostgreSQL) gets its own, because golang-migrate, sqlx and Flyway run a file as one
//! transaction (or one multi-statement query, which PostgreSQL also runs as one transaction).

use super::plan::{self, Step, Timeouts};
use crate::backup::GenFile;
use crate::error::KdError;
use crate::sql::Dialect;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    // `NNN_name.up.sql` / `NNN_name.down.sql`.
    #[default]
    #[serde(alias = "plain")]
    Sql,
    // `000001_name.up.sql` / `.down.sql` (`migrate create -seq -digits 6`).
    #[serde(alias = "golang_migrate", alias = "migrate")]
    GolangMigrate,
    // `<timestamp>_name.up.sql` / `.down.sql`, `-- no-transaction` where needed.
    Sqlx,
    // `V<n>__name.sql`, `U<n>__name.sql`, `.sql.conf` for non-transactional versions.
    Flyway,
    // One formatted-SQL changelog, a changeset per step.
    Liquibase,
    // One Alembic revision file.
    Alembic,
}

/// One migration unit (a file pair, a Flyway version, an Alembic block).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Unit {
    pub version: String,
    pub name: String,
    pub transactional: bool,
    pub down_transactional: bool,
    pub up: Vec<String>,
    pub down: Vec<String>,
    pub steps: Vec<usize>,
    pub summaries: Vec<String>,
    /// Some step of the unit cannot bring data back.
    pub irreversible: Vec<String>,
}

/// What a folder of existing migrations already holds, for numbering.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    pub last_number: u64,
    pub width: usize,
    /// Alembic head revision.
    pub alembic_head: Option<String>,
}

fn leading_number(s: &str) -> Option<(u64, usize)> {
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return None;
    }
    digits.parse().ok().map(|n| (n, digits.len()))
}

/// Scan a migrations folder: highest version number (plain, golang-migrate, sqlx, diesel
/// folders, Flyway `V<n>__`), its digit width, and the Alembic head.
pub fn scan_existing(dir: &Path) -> Result<Existing, KdError> {
    let rd = std::fs::read_dir(dir).map_err(|e| {
        KdError::input(format!(
            "cannot list the existing migrations folder {}: {e}; give the folder your migration tool reads",
            dir.display()
        ))
    })?;
    let mut ex = Existing::default();
    let mut revisions: Vec<(String, Option<String>)> = Vec::new();
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let stem = name
            .strip_prefix('V')
            .or_else(|| name.strip_prefix('U'))
            .filter(|s| s.contains("__"))
            .unwrap_or(&name);
        if let Some((n, w)) = leading_number(stem)
            && n >= ex.last_number
        {
            ex.last_number = n;
            ex.width = w;
        }
        if name.ends_with(".py")
            && let Ok(text) = std::fs::read_to_string(e.path())
        {
            let get = |key: &str| {
                text.lines().find_map(|l| {
                    let l = l.trim();
                    let rest = l.strip_prefix(key)?;
                    let rest = rest
                        .trim_start_matches(|c: char| c != '=')
                        .trim_start_matches('=');
                    let v = rest.trim().trim_matches(|c| c == '"' || c == '\'');
                    (!v.is_empty() && v != "None").then(|| v.to_string())
                })
            };
            if let Some(r) = get("revision") {
                revisions.push((r, get("down_revision")));
            }
        }
    }
    ex.alembic_head = revisions
        .iter()
        .find(|(r, _)| {
            !revisions
                .iter()
                .any(|(_, d)| d.as_deref() == Some(r.as_str()))
        })
        .map(|(r, _)| r.clone());
    Ok(ex)
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let t = out.trim_matches('_').to_string();
    let mut t = if t.is_empty() { "migration".into() } else { t };
    t.truncate(60);
    t.trim_end_matches('_').to_string()
}

/// Cut the plan into units.
pub fn units(steps: &[Step], name: &str) -> Vec<Unit> {
    let groups = plan::groups(steps, false);
    let many = groups.len() > 1;
    let mut out = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let members: Vec<&Step> = g
            .steps
            .iter()
            .filter_map(|n| steps.iter().find(|s| s.n == *n))
            .collect();
        let mut down = Vec::new();
        for s in members.iter().rev() {
            down.extend(s.down.iter().cloned());
        }
        let uname = if !many {
            slug(name)
        } else if g.transactional {
            format!("{}_{}", slug(name), i + 1)
        } else {
            let s = members[0];
            slug(&format!("{} {}", s.kind, s.object))
        };
        out.push(Unit {
            version: String::new(),
            name: uname,
            transactional: g.transactional,
            down_transactional: members.iter().all(|s| s.down_transactional),
            up: g.statements.clone(),
            down,
            steps: g.steps.clone(),
            summaries: members.iter().map(|s| s.summary.clone()).collect(),
            irreversible: members
                .iter()
                .filter_map(|s| s.irreversible.clone())
                .collect(),
        });
    }
    out
}

#[derive(Serialize)]
struct FileCtx<'a> {
    unit: &'a Unit,
    direction: &'a str,
    statements: &'a [String],
    preamble: Vec<String>,
    no_transaction: bool,
    dialect: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct Changeset {
    id: String,
    author: String,
    run_in_transaction: bool,
    split: bool,
    comment: String,
    up: Vec<String>,
    /// Rollback lines (each statement's lines, the last ending in `;`).
    rollback: Vec<String>,
}

fn rollback_lines(down: &[String]) -> Vec<String> {
    if down.is_empty() {
        return vec!["SELECT 1;".into()];
    }
    let mut out = Vec::new();
    for s in down {
        let lines: Vec<&str> = s.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if i + 1 == lines.len() {
                out.push(format!("{l};"));
            } else {
                out.push(l.to_string());
            }
        }
    }
    out
}

#[derive(Serialize)]
struct PyBlock {
    autocommit: bool,
    comment: String,
    statements: Vec<String>,
}

/// Seconds since the epoch → `YYYYMMDDHHMMSS` (UTC).
pub fn timestamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

fn py_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn short_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:012x}", h & 0xffff_ffff_ffff)
}

pub struct FileOptions<'a> {
    pub format: Format,
    pub name: &'a str,
    pub dialect: Dialect,
    pub timeouts: &'a Timeouts,
    pub existing: Existing,
    pub author: &'a str,
    /// Seconds since the epoch for sqlx versions and Alembic's Create Date.
    pub created: u64,
}

/// Render the files of a plan.
pub fn render(steps: &[Step], o: &FileOptions) -> Result<(Vec<GenFile>, Vec<Unit>), KdError> {
    let mut units = units(steps, o.name);
    let d = o.dialect;
    let dname = d.as_str();
    let mut files = Vec::new();
    if steps.is_empty() {
        return Ok((files, units));
    }
    let width = o.existing.width.max(match o.format {
        Format::GolangMigrate => 6,
        _ => 3,
    });
    let base_ts = o.created;
    for (i, u) in units.iter_mut().enumerate() {
        let n = o.existing.last_number + 1 + i as u64;
        u.version = match o.format {
            Format::Sqlx => {
                let last = o.existing.last_number;
                let ts: u64 = timestamp(base_ts).parse().unwrap_or(0);
                (ts.max(last + 1) + i as u64).to_string()
            }
            Format::Flyway => n.to_string(),
            _ => format!("{n:0width$}"),
        };
    }
    let pre = |tx: bool, stmts: &[String]| -> Vec<String> {
        let long = !tx || stmts.iter().any(|s| s.contains("VALIDATE CONSTRAINT"));
        plan::preamble(d, o.timeouts, long)
    };
    match o.format {
        Format::Sql | Format::GolangMigrate | Format::Sqlx => {
            for u in &units {
                for (dir, stmts, tx) in [
                    ("up", &u.up, u.transactional),
                    ("down", &u.down, u.down_transactional),
                ] {
                    let ctx = FileCtx {
                        unit: u,
                        direction: dir,
                        statements: stmts,
                        preamble: pre(tx, stmts),
                        no_transaction: o.format == Format::Sqlx && !tx,
                        dialect: dname,
                        title: o.name,
                    };
                    files.push(GenFile {
                        path: format!("{}_{}.{dir}.sql", u.version, u.name),
                        content: crate::render::render("migrate/files/plain.sql.tmpl", &ctx)?,
                        executable: false,
                    });
                }
            }
        }
        Format::Flyway => {
            for u in &units {
                for (prefix, dir, stmts, tx) in [
                    ("V", "up", &u.up, u.transactional),
                    ("U", "down", &u.down, u.down_transactional),
                ] {
                    let ctx = FileCtx {
                        unit: u,
                        direction: dir,
                        statements: stmts,
                        preamble: pre(tx, stmts),
                        no_transaction: false,
                        dialect: dname,
                        title: o.name,
                    };
                    let path = format!("{prefix}{}__{}.sql", u.version, u.name);
                    files.push(GenFile {
                        path: path.clone(),
                        content: crate::render::render("migrate/files/plain.sql.tmpl", &ctx)?,
                        executable: false,
                    });
                    if !tx {
                        files.push(GenFile {
                            path: format!("{path}.conf"),
                            content: crate::render::render("migrate/files/flyway.conf.tmpl", &ctx)?,
                            executable: false,
                        });
                    }
                }
            }
        }
        Format::Liquibase => {
            let mut sets = Vec::new();
            for s in steps {
                if s.up.is_empty() {
                    continue;
                }
                let mut up = pre(s.transactional, &s.up);
                up.extend(s.up.iter().cloned());
                let split = !s.up.iter().chain(&s.down).any(|x| x.contains('$'));
                sets.push(Changeset {
                    id: format!("{}-{}", o.existing.last_number + 1, s.n),
                    author: o.author.to_string(),
                    run_in_transaction: s.transactional,
                    split,
                    comment: match &s.irreversible {
                        Some(r) => format!("{} (down is lossy: {r})", s.summary),
                        None => s.summary.clone(),
                    },
                    up,
                    rollback: rollback_lines(&s.down),
                });
            }
            #[derive(Serialize)]
            struct L<'a> {
                changesets: Vec<Changeset>,
                title: &'a str,
                dialect: &'a str,
            }
            let version = format!("{:0width$}", o.existing.last_number + 1);
            files.push(GenFile {
                path: format!("{version}_{}.sql", slug(o.name)),
                content: crate::render::render(
                    "migrate/files/liquibase.sql.tmpl",
                    &L {
                        changesets: sets,
                        title: o.name,
                        dialect: dname,
                    },
                )?,
                executable: false,
            });
        }
        Format::Alembic => {
            let mut up_blocks = Vec::new();
            for u in &units {
                let mut st = pre(u.transactional, &u.up);
                st.extend(u.up.iter().cloned());
                up_blocks.push(PyBlock {
                    autocommit: !u.transactional,
                    comment: u.summaries.join("; "),
                    statements: st.iter().map(|s| py_str(s)).collect(),
                });
            }
            let mut down_blocks = Vec::new();
            for u in units.iter().rev() {
                if u.down.is_empty() {
                    continue;
                }
                let mut st = pre(u.down_transactional, &u.down);
                st.extend(u.down.iter().cloned());
                down_blocks.push(PyBlock {
                    autocommit: !u.down_transactional,
                    comment: if u.irreversible.is_empty() {
                        format!("undo: {}", u.summaries.join("; "))
                    } else {
                        format!("undo (data not restored: {})", u.irreversible.join("; "))
                    },
                    statements: st.iter().map(|s| py_str(s)).collect(),
                });
            }
            let all: String = units.iter().flat_map(|u| u.up.iter()).cloned().collect();
            let rev = short_hash(&format!(
                "{}{}{all}",
                o.name,
                o.existing.alembic_head.clone().unwrap_or_default()
            ));
            #[derive(Serialize)]
            struct A<'a> {
                title: &'a str,
                revision: String,
                down_revision: Option<String>,
                created: String,
                upgrade: Vec<PyBlock>,
                downgrade: Vec<PyBlock>,
            }
            let ts = timestamp(o.created);
            let created = format!(
                "{}-{}-{} {}:{}:{}",
                &ts[0..4],
                &ts[4..6],
                &ts[6..8],
                &ts[8..10],
                &ts[10..12],
                &ts[12..14]
            );
            files.push(GenFile {
                path: format!("{rev}_{}.py", slug(o.name)),
                content: crate::render::render(
                    "migrate/files/alembic.py.tmpl",
                    &A {
                        title: o.name,
                        revision: rev.clone(),
                        down_revision: o.existing.alembic_head.clone(),
                        created,
                        upgrade: up_blocks,
                        downgrade: down_blocks,
                    },
                )?,
                executable: false,
            });
        }
    }
    Ok((files, units))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_civil_dates() {
        assert_eq!(timestamp(0), "19700101000000");
        assert_eq!(timestamp(1_700_000_000), "20231114221320");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Add orders.email index!"), "add_orders_email_index");
        assert_eq!(slug("---"), "migration");
    }
}

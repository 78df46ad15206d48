//! The migration plan: ordered steps, each with up and down SQL, whether it may run inside a
//! transaction, its hazards, and whether its down can bring data back. Scripts for the whole
//! plan (as psql/mariadb/sqlite3 would run them) are assembled here; the file formats in
//! `files.rs` group the same steps.

use crate::sql::Dialect;
use schemars::JsonSchema;
use serde::Serialize;

// A hazard of one step (GEN rules, after pg-schema-diff's hazard types).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Hazard {
    // GEN rule ID.
    pub id: String,
    // `deletes_data`, `access_exclusive_lock`, `share_lock`, `share_row_exclusive_lock`,
    // `index_build`, `index_dropped`, `rewrites_table`, `may_fail_on_data`, `possible_rename`,
    // `untracked_dependencies`.
    pub kind: String,
    pub message: String,
}

// One step of the plan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Step {
    // 1-based position in the plan.
    pub n: usize,
    // What it does: `create_table`, `add_column`, `alter_column_type`, `add_foreign_key`, ...
    pub kind: String,
    // The object it changes (`orders`, `orders.total`, `orders_user_id_fkey`).
    pub object: String,
    // One line for people.
    pub summary: String,
    // Statements, without trailing semicolons.
    pub up: Vec<String>,
    // Statements that undo `up`, in order.
    pub down: Vec<String>,
    // `false`: `up` must run outside a transaction block (CREATE INDEX CONCURRENTLY ...).
    pub transactional: bool,
    // `false`: `down` must run outside a transaction block.
    pub down_transactional: bool,
    // Runs in a transaction of its own (VALIDATE CONSTRAINT: the lock the NOT VALID step took
    // must be released first, or validating without blocking writes gains nothing).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub separate: bool,
    // Why `down` cannot bring the data back, when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub irreversible: Option<String>,
    // The lock `up` takes on the table, when it takes one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    pub hazards: Vec<Hazard>,
}

/// Hazard catalogue: (id, kind).
pub const DELETES_DATA: (&str, &str) = ("GEN001", "deletes_data");
pub const ACCESS_EXCLUSIVE: (&str, &str) = ("GEN002", "access_exclusive_lock");
pub const SHARE_LOCK: (&str, &str) = ("GEN003", "share_lock");
pub const SHARE_ROW_EXCLUSIVE: (&str, &str) = ("GEN004", "share_row_exclusive_lock");
pub const INDEX_BUILD: (&str, &str) = ("GEN005", "index_build");
pub const INDEX_DROPPED: (&str, &str) = ("GEN006", "index_dropped");
pub const MAY_FAIL: (&str, &str) = ("GEN007", "may_fail_on_data");
pub const UNTRACKED: (&str, &str) = ("GEN008", "untracked_dependencies");
pub const REWRITES: (&str, &str) = ("GEN009", "rewrites_table");
pub const POSSIBLE_RENAME: (&str, &str) = ("GEN011", "possible_rename");

pub fn hazard(h: (&str, &str), message: impl Into<String>) -> Hazard {
    Hazard {
        id: h.0.to_string(),
        kind: h.1.to_string(),
        message: message.into(),
    }
}

/// Session settings put before each group of statements.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Timeouts {
    pub lock_timeout: String,
    pub statement_timeout: String,
}

/// Statements that open a group (PostgreSQL timeouts, MySQL lock_wait_timeout, SQLite
/// foreign-key switch for rebuilds).
pub fn preamble(d: Dialect, t: &Timeouts, long_running: bool) -> Vec<String> {
    match d {
        Dialect::Postgres => vec![
            format!("SET lock_timeout = '{}'", t.lock_timeout),
            format!(
                "SET statement_timeout = '{}'",
                if long_running {
                    "0"
                } else {
                    &t.statement_timeout
                }
            ),
        ],
        Dialect::Mysql => {
            let secs = crate::units::parse_duration("lock_timeout", &t.lock_timeout).unwrap_or(5);
            vec![format!("SET SESSION lock_wait_timeout = {}", secs.max(1))]
        }
        _ => Vec::new(),
    }
}

/// A run of steps that share a transaction (or one non-transactional step).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Group {
    pub transactional: bool,
    /// Step numbers.
    pub steps: Vec<usize>,
    pub statements: Vec<String>,
}

/// Split steps into groups for one direction: consecutive transactional steps share a group;
/// each non-transactional statement gets its own.
pub fn groups(steps: &[Step], down: bool) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    let ordered: Vec<&Step> = if down {
        steps.iter().rev().collect()
    } else {
        steps.iter().collect()
    };
    for s in ordered {
        let (stmts, tx) = if down {
            (&s.down, s.down_transactional)
        } else {
            (&s.up, s.transactional)
        };
        if stmts.is_empty() {
            continue;
        }
        if tx {
            let last_separate = out
                .last()
                .and_then(|g| g.steps.last())
                .and_then(|n| steps.iter().find(|x| x.n == *n))
                .is_some_and(|x| x.separate);
            match out.last_mut() {
                Some(g) if g.transactional && !s.separate && !last_separate => {
                    g.steps.push(s.n);
                    g.statements.extend(stmts.iter().cloned());
                }
                _ => out.push(Group {
                    transactional: true,
                    steps: vec![s.n],
                    statements: stmts.clone(),
                }),
            }
        } else {
            for st in stmts {
                out.push(Group {
                    transactional: false,
                    steps: vec![s.n],
                    statements: vec![st.clone()],
                });
            }
        }
    }
    out
}

/// A whole script for the engine's command-line client: each transactional group wrapped in
/// BEGIN/COMMIT, non-transactional statements on their own.
pub fn script(d: Dialect, groups: &[Group], t: &Timeouts) -> String {
    let mut s = String::new();
    for g in groups {
        let long = !g.transactional
            || g.statements
                .iter()
                .any(|x| x.contains("VALIDATE CONSTRAINT"));
        for p in preamble(d, t, long) {
            s.push_str(&p);
            s.push_str(";\n");
        }
        if g.transactional && d != Dialect::Mysql {
            s.push_str("BEGIN;\n");
        }
        for st in &g.statements {
            s.push_str(st);
            s.push_str(";\n");
        }
        if g.transactional && d != Dialect::Mysql {
            s.push_str("COMMIT;\n");
        }
        s.push('\n');
    }
    s
}

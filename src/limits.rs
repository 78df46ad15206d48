//! Input limits. Each limit, when hit, produces a [`KdError::Limit`] that names the limit and the
//! option that raises it, in all three front doors.

use crate::error::KdError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Limits applied to every SQL input. Defaults suit a large production schema dump; raise them
/// with `--max-bytes`, `--max-statements`, `--max-depth` (CLI), the `limits` object (MCP), or the
/// environment variables `KD_DBA_MAX_BYTES`, `KD_DBA_MAX_STATEMENTS`, `KD_DBA_MAX_DEPTH`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(default)]
pub struct Limits {
    /// Maximum total input size in bytes (default 16 MiB).
    pub max_bytes: u64,
    /// Maximum number of statements (default 200,000).
    pub max_statements: u64,
    /// Maximum nesting depth of parentheses / subqueries in one statement (default 200).
    pub max_depth: u64,
}

pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;
pub const DEFAULT_MAX_STATEMENTS: u64 = 200_000;
pub const DEFAULT_MAX_DEPTH: u64 = 200;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_statements: DEFAULT_MAX_STATEMENTS,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl Limits {
    /// Defaults, overridden by `KD_DBA_MAX_*` environment variables when they hold numbers.
    pub fn from_env() -> Self {
        let mut l = Limits::default();
        let read = |k: &str| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        if let Some(v) = read("KD_DBA_MAX_BYTES") {
            l.max_bytes = v;
        }
        if let Some(v) = read("KD_DBA_MAX_STATEMENTS") {
            l.max_statements = v;
        }
        if let Some(v) = read("KD_DBA_MAX_DEPTH") {
            l.max_depth = v;
        }
        l
    }

    pub fn check_bytes(&self, n: usize) -> Result<(), KdError> {
        if n as u64 > self.max_bytes {
            return Err(KdError::Limit {
                limit: "max_bytes",
                actual: n as u64,
                max: self.max_bytes,
                hint: "send less SQL (for example one schema file at a time), or raise the limit with --max-bytes N (CLI), or start the server with KD_DBA_MAX_BYTES=N".into(),
            });
        }
        Ok(())
    }

    pub fn check_statements(&self, n: usize) -> Result<(), KdError> {
        if n as u64 > self.max_statements {
            return Err(KdError::Limit {
                limit: "max_statements",
                actual: n as u64,
                max: self.max_statements,
                hint: "split the input, or raise the limit with --max-statements N (CLI), or start the server with KD_DBA_MAX_STATEMENTS=N".into(),
            });
        }
        Ok(())
    }

    pub fn check_depth(&self, depth: u64, line: u64) -> Result<(), KdError> {
        if depth > self.max_depth {
            return Err(KdError::Limit {
                limit: "max_depth",
                actual: depth,
                max: self.max_depth,
                hint: format!(
                    "the statement at line {line} nests parentheses or subqueries {depth} deep; simplify it, or raise the limit with --max-depth N (CLI), or start the server with KD_DBA_MAX_DEPTH=N"
                ),
            });
        }
        Ok(())
    }
}

//! Findings: the one shape every analysis reports in. A finding carries a stable rule ID and slug,
//! a severity, a message, where it is (span), why it matters (help) and, where possible, a fix.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How bad a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A position in the input: 1-based line and column (columns count characters).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub struct LineCol {
    pub line: u64,
    pub column: u64,
}

/// Where something is in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Span {
    /// The file (or `<input>` for inline SQL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub start: LineCol,
    pub end: LineCol,
}

impl Span {
    pub fn new(file: Option<&str>, start: LineCol, end: LineCol) -> Self {
        Span {
            file: file.map(str::to_string),
            start,
            end,
        }
    }

    /// `file:line:col`, or `line:col` without a file.
    pub fn location(&self) -> String {
        match &self.file {
            Some(f) => format!("{f}:{}:{}", self.start.line, self.start.column),
            None => format!("{}:{}", self.start.line, self.start.column),
        }
    }
}

/// A machine-applicable (or at least copy-pasteable) fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Fix {
    /// What the fix does, in one line.
    pub title: String,
    /// The SQL (or text) to use instead or to run.
    pub sql: String,
}

/// One finding of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Stable rule ID, e.g. `SCH002`. Never reused or renumbered.
    pub id: String,
    /// Kebab-case alias of the ID, e.g. `fk-column-without-index`.
    pub slug: String,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// Why it matters and what to do.
    pub help: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

impl Finding {
    /// Sort key: file, position, then rule ID, so output is stable.
    pub fn sort_key(&self) -> (Option<String>, u64, u64, String) {
        match &self.span {
            Some(s) => (
                s.file.clone(),
                s.start.line,
                s.start.column,
                self.id.clone(),
            ),
            None => (None, 0, 0, self.id.clone()),
        }
    }
}

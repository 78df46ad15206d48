//! The SQL front end: dialects, error-tolerant statement splitting, statement-by-statement
//! parsing with sqlparser, a token-level fallback for statements the parser lacks, and spans that
//! point at file, line and column.

pub mod dialect;
pub mod fallback;
pub mod repair;
pub mod split;

use crate::error::KdError;
use crate::findings::{Finding, LineCol, Severity, Span};
use crate::limits::Limits;
pub use dialect::{Dialect, DialectChoice, DialectDecision};
pub use fallback::Recognized;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use split::{Comment, PieceKind};
use sqlparser::ast;
use sqlparser::parser::Parser;

/// One input text: inline SQL or a file's content.
#[derive(Debug, Clone)]
pub struct Source {
    /// File name for spans; `None` for inline SQL.
    pub name: Option<String>,
    pub text: String,
}

impl Source {
    pub fn inline(text: impl Into<String>) -> Self {
        Source {
            name: None,
            text: text.into(),
        }
    }
    pub fn file(name: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            name: Some(name.into()),
            text: text.into(),
        }
    }
}

/// A syntax error, positioned in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SyntaxError {
    pub message: String,
    pub at: LineCol,
}

/// What became of one statement.
#[derive(Debug, Clone)]
pub enum StmtKind {
    /// Parsed by sqlparser.
    Parsed(Box<ast::Statement>),
    /// Not parsed, but recognised by the token-level fallback.
    Recognized(Recognized),
    /// Neither: reported as SYN001.
    Failed(SyntaxError),
}

/// One statement of the input with its position.
#[derive(Debug, Clone)]
pub struct Stmt {
    /// Index of the source it came from.
    pub source: usize,
    pub span: Span,
    /// The statement text as the parser saw it.
    pub text: String,
    pub kind: StmtKind,
    /// Comments right before the statement (suppression comments live here).
    pub comments: Vec<Comment>,
    /// Same-length repairs applied before the parser accepted it (see [`repair`]).
    pub repairs: Vec<repair::Repair>,
}

impl Stmt {
    pub fn parsed(&self) -> Option<&ast::Statement> {
        match &self.kind {
            StmtKind::Parsed(s) => Some(s),
            _ => None,
        }
    }

    /// Map a sqlparser span (relative to this statement's text) to a file span.
    pub fn map_span(&self, s: sqlparser::tokenizer::Span) -> Span {
        if s.start.line == 0 {
            return self.span.clone();
        }
        let map =
            |l: sqlparser::tokenizer::Location| map_location(self.span.start, l.line, l.column);
        Span {
            file: self.span.file.clone(),
            start: map(s.start),
            end: map(s.end),
        }
    }
}

fn map_location(stmt_start: LineCol, line: u64, column: u64) -> LineCol {
    if line <= 1 {
        LineCol {
            line: stmt_start.line,
            column: stmt_start.column + column.saturating_sub(1),
        }
    } else {
        LineCol {
            line: stmt_start.line + line - 1,
            column,
        }
    }
}

/// Counts for one parse, the figure of merit of the front end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ParseStats {
    /// Statements present (psql meta-commands, COPY data and DELIMITER lines are not statements).
    pub statements: u64,
    pub parsed: u64,
    pub recognized: u64,
    pub failed: u64,
    /// psql meta-commands skipped (`\c`, `\set` ...).
    pub psql_meta: u64,
    /// `COPY ... FROM stdin` data blocks skipped.
    pub copy_data_blocks: u64,
}

impl ParseStats {
    /// (parsed + recognised) / present, 1.0 for empty input.
    pub fn understood_ratio(&self) -> f64 {
        if self.statements == 0 {
            1.0
        } else {
            (self.parsed + self.recognized) as f64 / self.statements as f64
        }
    }
}

/// The parsed input: every statement in order, the dialect decision and counts.
#[derive(Debug, Clone)]
pub struct ParsedSql {
    pub dialect: DialectDecision,
    pub sources: Vec<Option<String>>,
    pub statements: Vec<Stmt>,
    pub stats: ParseStats,
}

/// Default parser recursion limit; independent of `Limits::max_depth`, which bounds the input
/// before the parser sees it.
fn parser_recursion_limit(limits: &Limits) -> usize {
    // Each parenthesis can cost the parser a few recursion levels (expression, subquery, query).
    (limits.max_depth as usize)
        .saturating_mul(4)
        .clamp(64, 4096)
}

/// Parse `sources` in order with one dialect (given, or guessed from all of the text).
pub fn parse_sources(
    sources: &[Source],
    choice: DialectChoice,
    limits: &Limits,
) -> Result<ParsedSql, KdError> {
    let total: usize = sources.iter().map(|s| s.text.len()).sum();
    limits.check_bytes(total)?;
    let decision = match choice.fixed() {
        Some(_) => dialect::resolve(choice, ""),
        None => {
            // Guess from a sample of every source.
            let mut sample = String::new();
            for s in sources {
                let mut end = s.text.len().min(512 * 1024);
                while !s.text.is_char_boundary(end) {
                    end -= 1;
                }
                sample.push_str(&s.text[..end]);
                sample.push('\n');
            }
            dialect::guess(&sample)
        }
    };
    let d = decision.dialect;
    let pd = d.parser_dialect();
    let mut statements = Vec::new();
    let mut stats = ParseStats::default();
    let mut count = 0usize;
    for (si, src) in sources.iter().enumerate() {
        let pieces = split::split(&src.text, d, limits)?;
        for p in pieces {
            match p.kind {
                PieceKind::PsqlMeta => {
                    stats.psql_meta += 1;
                    continue;
                }
                PieceKind::CopyData => {
                    stats.copy_data_blocks += 1;
                    continue;
                }
                PieceKind::Delimiter => continue,
                PieceKind::Statement => {}
            }
            count += 1;
            limits.check_statements(count)?;
            let span = Span::new(src.name.as_deref(), p.start, p.end);
            let (parsed, repairs, text) = parse_with_repairs(&*pd, d, &p.text, limits);
            match parsed {
                Ok(stmts) if !stmts.is_empty() => {
                    stats.statements += 1;
                    stats.parsed += 1;
                    for s in stmts {
                        statements.push(Stmt {
                            source: si,
                            span: span.clone(),
                            text: text.clone(),
                            kind: StmtKind::Parsed(Box::new(s)),
                            comments: p.comments.clone(),
                            repairs: repairs.clone(),
                        });
                    }
                }
                Ok(_) => {
                    // Only comments or blanked markers: not a statement.
                }
                Err(msg) => {
                    stats.statements += 1;
                    let kind = match fallback::recognize(&p.text) {
                        Some(r) => {
                            stats.recognized += 1;
                            StmtKind::Recognized(r)
                        }
                        None => {
                            stats.failed += 1;
                            let (message, at) = position_of(&msg, p.start);
                            StmtKind::Failed(SyntaxError { message, at })
                        }
                    };
                    statements.push(Stmt {
                        source: si,
                        span,
                        text: p.text,
                        kind,
                        comments: p.comments,
                        repairs: Vec::new(),
                    });
                }
            }
        }
    }
    Ok(ParsedSql {
        dialect: decision,
        sources: sources.iter().map(|s| s.name.clone()).collect(),
        statements,
        stats,
    })
}

/// Convenience: parse one inline text.
pub fn parse_text(
    text: &str,
    choice: DialectChoice,
    limits: &Limits,
) -> Result<ParsedSql, KdError> {
    parse_sources(&[Source::inline(text)], choice, limits)
}

/// Parse, and on failure try same-length repairs at the error position (at most 32 rounds).
/// Returns the result of the original text when no repair leads to a parse.
fn parse_with_repairs(
    pd: &dyn sqlparser::dialect::Dialect,
    d: Dialect,
    text: &str,
    limits: &Limits,
) -> (
    Result<Vec<ast::Statement>, String>,
    Vec<repair::Repair>,
    String,
) {
    let first = parse_one(pd, text, limits);
    let Err(first_err) = &first else {
        return (first, Vec::new(), text.to_string());
    };
    let mut cur = text.to_string();
    let mut err = first_err.clone();
    let mut repairs = Vec::new();
    for _ in 0..32 {
        let (_, at) = position_of(&err, LineCol { line: 1, column: 1 });
        let Some(off) = repair::offset_of(&cur, at.line, at.column) else {
            break;
        };
        let Some((next, what)) = repair::repair(&cur, off, d) else {
            break;
        };
        repairs.push(what);
        match parse_one(pd, &next, limits) {
            Ok(v) => return (Ok(v), repairs, next),
            Err(e) => {
                err = e;
                cur = next;
            }
        }
    }
    (first, Vec::new(), text.to_string())
}

fn parse_one(
    d: &dyn sqlparser::dialect::Dialect,
    text: &str,
    limits: &Limits,
) -> Result<Vec<ast::Statement>, String> {
    // sqlparser is not expected to panic, but a panic on one hostile statement must not take the
    // request (or the server) down: it becomes a syntax error like any other.
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Parser::new(d)
            .with_recursion_limit(parser_recursion_limit(limits))
            .try_with_sql(text)
            .and_then(|mut p| p.parse_statements())
    }));
    match res {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the SQL parser failed on this statement (internal parser panic)".into()),
    }
}

/// Split sqlparser's "... at Line: L, Column: C" into a message and a file position.
fn position_of(msg: &str, stmt_start: LineCol) -> (String, LineCol) {
    let msg = msg
        .strip_prefix("sql parser error: ")
        .unwrap_or(msg)
        .to_string();
    if let Some(pos) = msg.rfind(" at Line: ") {
        let tail = &msg[pos + " at Line: ".len()..];
        let mut it = tail.split(", Column: ");
        let line = it.next().and_then(|l| l.trim().parse::<u64>().ok());
        let col = it.next().and_then(|c| {
            c.trim()
                .trim_end_matches(|ch: char| !ch.is_ascii_digit())
                .parse::<u64>()
                .ok()
        });
        if let (Some(l), Some(c)) = (line, col) {
            return (msg[..pos].to_string(), map_location(stmt_start, l, c));
        }
    }
    (msg, stmt_start)
}

impl ParsedSql {
    /// SYN001 findings for statements that neither parsed nor were recognised.
    pub fn syntax_findings(&self) -> Vec<Finding> {
        self.statements
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Failed(e) => Some(Finding {
                    id: "SYN001".into(),
                    slug: "syntax-error".into(),
                    severity: Severity::Error,
                    message: format!("statement does not parse: {}", e.message),
                    span: Some(Span::new(s.span.file.as_deref(), e.at, e.at)),
                    help: format!(
                        "Check the statement starting at {}; if it is valid {} it is not supported yet, and the rest of the input was still analysed without it.",
                        s.span.location(),
                        self.dialect.dialect.engine_name()
                    ),
                    fix: None,
                }),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerant_parse_keeps_going() {
        let p = parse_text(
            "create table a (id int primary key);\nselect from where;\nREINDEX TABLE a;\ncreate index i on a (id);",
            DialectChoice::Postgres,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(p.stats.statements, 4);
        assert_eq!(p.stats.parsed, 2);
        assert_eq!(p.stats.recognized, 1);
        assert_eq!(p.stats.failed, 1);
        let f = p.syntax_findings();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].id, "SYN001");
        assert_eq!(f[0].span.as_ref().unwrap().start.line, 2);
    }

    #[test]
    fn error_positions_map_to_the_file() {
        let p = parse_text(
            "select 1;\n\n  select * fromm t where;",
            DialectChoice::Postgres,
            &Limits::default(),
        )
        .unwrap();
        let f = p.syntax_findings();
        let s = f[0].span.as_ref().unwrap();
        assert_eq!(s.start.line, 3);
        assert!(s.start.column > 3, "{s:?}");
        assert!(!f[0].message.contains("Line:"));
    }

    #[test]
    fn deep_nesting_is_a_limit_error_not_a_crash() {
        let deep = format!("select {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let err = parse_text(&deep, DialectChoice::Postgres, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("max_depth"));
    }
}

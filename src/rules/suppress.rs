//! Suppressions: `-- kd-dba: ignore SCH002 reason` on the line(s) before a statement silences
//! those rules for that statement; `-- kd-dba: ignore-file SCH002,MIG001 reason` anywhere
//! silences them for the whole file; configuration can disable rules everywhere. A suppression
//! that silences nothing is itself reported (META001), so stale ones do not pile up.

use super::RuleDoc;
use crate::findings::{Finding, Severity, Span};
use crate::sql::ParsedSql;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub static DOCS: &[RuleDoc] = &[RuleDoc {
    id: "META001",
    slug: "unused-suppression",
    family: "META",
    severity: Severity::Warning,
    summary: "A `kd-dba: ignore` comment suppresses no finding.",
    why: "Suppressions outlive the problems they silenced: after a fix, the comment stays and would hide the next real finding of that rule. Remove suppressions that no longer suppress anything.",
    bad: "-- kd-dba: ignore SCH001 legacy table\nCREATE TABLE t (id bigint PRIMARY KEY);",
    good: "CREATE TABLE t (id bigint PRIMARY KEY);",
    dialects: &[],
    crosswalk: &["squawk:unused-ignore", "ruff:RUF100"],
}];

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Suppression {
    /// Rule IDs or slugs it names (`*` = every rule).
    pub rules: Vec<String>,
    pub reason: String,
    /// Whole file (`ignore-file`) or the next statement.
    pub file_wide: bool,
    pub span: Span,
    /// The statement it applies to (start line), for statement-level suppressions.
    #[serde(skip)]
    pub statement: Option<(Option<String>, u64, u64)>,
}

/// Findings after suppression, and what was suppressed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Suppressed {
    pub findings: Vec<Finding>,
    /// How many findings each suppression silenced, in order of `suppressions`.
    pub suppressed: usize,
    pub suppressions: Vec<Suppression>,
}

fn parse_comment(text: &str) -> Option<(bool, Vec<String>, String)> {
    let body = text
        .trim()
        .trim_start_matches("--")
        .trim_start_matches('#')
        .trim_start_matches("/*")
        .trim_end_matches("*/")
        .trim();
    let rest = body
        .strip_prefix("kd-dba:")
        .or_else(|| body.strip_prefix("kd-dba :"))?
        .trim();
    let (file_wide, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("ignore") {
        (false, r)
    } else {
        return None;
    };
    let rest = rest.trim();
    let (ids, reason) = match rest.split_once(char::is_whitespace) {
        Some((a, b)) => (a, b.trim()),
        None => (rest, ""),
    };
    let rules: Vec<String> = ids
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if rules.is_empty() {
        return None;
    }
    Some((file_wide, rules, reason.to_string()))
}

/// Collect the suppression comments of parsed input.
pub fn collect(parsed: &ParsedSql) -> Vec<Suppression> {
    let mut out = Vec::new();
    for s in &parsed.statements {
        for c in &s.comments {
            for line in c.text.lines() {
                if let Some((file_wide, rules, reason)) = parse_comment(line) {
                    out.push(Suppression {
                        rules,
                        reason,
                        file_wide,
                        span: Span::new(s.span.file.as_deref(), c.start, c.start),
                        statement: Some((s.span.file.clone(), s.span.start.line, s.span.end.line)),
                    });
                }
            }
        }
    }
    out.dedup();
    out
}

fn names(rule: &str, f: &Finding) -> bool {
    rule == "*" || rule.eq_ignore_ascii_case(&f.id) || rule.eq_ignore_ascii_case(&f.slug)
}

/// Apply suppressions (and rules disabled by configuration) to findings. Adds META001 for
/// suppressions that silence nothing, unless META001 itself is disabled.
pub fn apply(findings: Vec<Finding>, sups: &[Suppression], disabled: &[String]) -> Suppressed {
    let mut used = vec![0usize; sups.len()];
    let mut kept = Vec::new();
    let mut suppressed = 0;
    'f: for f in findings {
        if disabled.iter().any(|d| names(d, &f)) {
            suppressed += 1;
            continue;
        }
        for (i, s) in sups.iter().enumerate() {
            if !s.rules.iter().any(|r| names(r, &f)) {
                continue;
            }
            let applies = match (&f.span, s.file_wide) {
                (Some(sp), true) => sp.file == s.span.file,
                (Some(sp), false) => s.statement.as_ref().is_some_and(|(file, start, end)| {
                    *file == sp.file && sp.start.line >= *start && sp.start.line <= *end
                }),
                (None, file_wide) => file_wide,
            };
            if applies {
                used[i] += 1;
                suppressed += 1;
                continue 'f;
            }
        }
        kept.push(f);
    }
    let meta_off = disabled
        .iter()
        .any(|d| d.eq_ignore_ascii_case("META001") || d.eq_ignore_ascii_case("unused-suppression"));
    if !meta_off {
        for (i, s) in sups.iter().enumerate() {
            if used[i] == 0 {
                kept.push(Finding {
                    id: "META001".into(),
                    slug: "unused-suppression".into(),
                    severity: Severity::Warning,
                    message: format!("suppression of {} silences no finding", s.rules.join(", ")),
                    span: Some(s.span.clone()),
                    help: "Remove the comment, or check the rule ID: the finding it was written for is gone.".into(),
                    fix: None,
                });
            }
        }
    }
    kept.sort_by_key(|f| f.sort_key());
    Suppressed {
        findings: kept,
        suppressed,
        suppressions: sups.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::sql::{DialectChoice, parse_text};

    fn finding(id: &str, line: u64) -> Finding {
        Finding {
            id: id.into(),
            slug: "x".into(),
            severity: Severity::Warning,
            message: "m".into(),
            span: Some(Span::new(
                None,
                crate::findings::LineCol { line, column: 1 },
                crate::findings::LineCol { line, column: 1 },
            )),
            help: String::new(),
            fix: None,
        }
    }

    #[test]
    fn statement_and_file_suppressions() {
        let p = parse_text(
            "-- kd-dba: ignore-file SCH009 generated file\n-- kd-dba: ignore SCH001 legacy\ncreate table a (x int);\ncreate table b (y int);\n-- kd-dba: ignore SCH404 nothing\ncreate table c (z int);",
            DialectChoice::Postgres,
            &Limits::default(),
        )
        .unwrap();
        let sups = collect(&p);
        assert_eq!(sups.len(), 3);
        let out = apply(
            vec![
                finding("SCH001", 3),
                finding("SCH001", 4),
                finding("SCH009", 6),
            ],
            &sups,
            &[],
        );
        let ids: Vec<(String, u64)> = out
            .findings
            .iter()
            .map(|f| (f.id.clone(), f.span.as_ref().unwrap().start.line))
            .collect();
        assert_eq!(
            ids,
            vec![("SCH001".to_string(), 4), ("META001".to_string(), 5)]
        );
        assert_eq!(out.suppressed, 2);
    }

    #[test]
    fn config_disables_rules() {
        let out = apply(vec![finding("SCH001", 1)], &[], &["SCH001".into()]);
        assert!(out.findings.is_empty());
    }
}

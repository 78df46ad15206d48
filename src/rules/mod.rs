//! The rule registry: every finding kd-dba can report has a stable ID, a slug, a default
//! severity and documentation (what, why, a bad and a good example) that lives next to the code
//! that produces it. `kd-dba rules`, `kd-dba rule ID` and the `kd-dba://rules` resources serve
//! this text, so docs never drift from code.
//!
//! Families: SYN (syntax), SCH (schema design), IDX (index design), QRY (queries), MIG
//! (migration safety), PLN (EXPLAIN plans), GEN (generator hazards), NAM (naming), SEC
//! (security), META (the tool itself). IDs are never reused or renumbered.

pub mod mig;
pub mod pln;
pub mod qry;
pub mod suppress;
pub mod syn;

use crate::findings::{Finding, Severity, Span};
use schemars::JsonSchema;
use serde::Serialize;

/// Documentation of one rule.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
pub struct RuleDoc {
    pub id: &'static str,
    pub slug: &'static str,
    pub family: &'static str,
    pub severity: Severity,
    /// What it checks, one sentence.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// SQL that triggers it.
    pub bad: &'static str,
    /// SQL that does not.
    pub good: &'static str,
    /// Dialects it applies to; empty = all.
    pub dialects: &'static [&'static str],
    /// Prior art it corresponds to (squawk, sqlcheck, Atlas ... rule names).
    pub crosswalk: &'static [&'static str],
}

impl RuleDoc {
    /// A finding of this rule with its default severity.
    pub fn finding(
        &self,
        message: impl Into<String>,
        span: Option<Span>,
        help: impl Into<String>,
    ) -> Finding {
        Finding {
            id: self.id.to_string(),
            slug: self.slug.to_string(),
            severity: self.severity,
            message: message.into(),
            span,
            help: help.into(),
            fix: None,
        }
    }
}

/// Every documented rule, in ID order.
pub fn all() -> Vec<&'static RuleDoc> {
    let mut v: Vec<&'static RuleDoc> = Vec::new();
    v.extend(syn::DOCS.iter());
    v.extend(suppress::DOCS.iter());
    v.extend(crate::review::docs::DOCS.iter());
    v.extend(crate::advise::rules::DOCS.iter().copied());
    v.extend(qry::DOCS.iter().copied());
    v.extend(pln::DOCS.iter().copied());
    v.extend(mig::DOCS.iter());
    v.sort_by(|a, b| a.id.cmp(b.id));
    v
}

/// Look a rule up by ID (`SCH002`, case-insensitive) or slug.
pub fn find(key: &str) -> Option<&'static RuleDoc> {
    let k = key.trim();
    all()
        .into_iter()
        .find(|r| r.id.eq_ignore_ascii_case(k) || r.slug.eq_ignore_ascii_case(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let rules = all();
        let mut ids: Vec<&str> = rules.iter().map(|r| r.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), rules.len(), "duplicate rule IDs");
        for r in &rules {
            assert!(
                r.id.len() >= 6 && r.id[r.id.len() - 3..].chars().all(|c| c.is_ascii_digit()),
                "{}",
                r.id
            );
            assert!(
                r.slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
                "{}",
                r.slug
            );
            assert!(
                !r.summary.is_empty()
                    && !r.why.is_empty()
                    && !r.bad.is_empty()
                    && !r.good.is_empty(),
                "{} lacks docs",
                r.id
            );
        }
    }

    #[test]
    fn find_by_id_or_slug() {
        assert_eq!(find("syn001").map(|r| r.id), Some("SYN001"));
        assert_eq!(find("syntax-error").map(|r| r.id), Some("SYN001"));
        assert!(find("XYZ999").is_none());
    }
}

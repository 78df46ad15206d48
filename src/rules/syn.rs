//! SYN: the input itself. The front end produces these while parsing (see `crate::sql`).

use super::RuleDoc;
use crate::findings::Severity;

pub static DOCS: &[RuleDoc] = &[RuleDoc {
    id: "SYN001",
    slug: "syntax-error",
    family: "SYN",
    severity: Severity::Error,
    summary: "A statement does not parse in the chosen dialect and is not a statement the token-level fallback recognises.",
    why: "A statement that does not parse cannot be analysed: if it is DDL, the schema model misses whatever it creates, and every later finding about that object may be wrong. Other statements are still analysed; the finding points at the exact line and column where the parser stopped. Check the dialect first (`--dialect postgres|mysql|sqlite`), then the statement.",
    bad: "CREATE TABLE orders (id bigint PRIMARY KEY,, total numeric);",
    good: "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);",
    dialects: &[],
    crosswalk: &["squawk:syntax-error"],
}];

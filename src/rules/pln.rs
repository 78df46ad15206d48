//! PLN: EXPLAIN plan rules (KD-db-explain). Checks live in `crate::explain::rules`.

use super::RuleDoc;

pub static DOCS: &[&RuleDoc] = &[];

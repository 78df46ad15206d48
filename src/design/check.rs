//! The review of a designed schema, as ONE call: [`review`]. It runs every rule of
//! `KD-db-review` ([`crate::review`]) on the catalog parsed back from the emitted DDL: errors and
//! warnings are problems (a designed schema must have none), infos are listed as notes.

use crate::catalog::Catalog;
use crate::findings::Severity;
use crate::sql::ParsedSql;
use schemars::JsonSchema;
use serde::Serialize;

/// Review of the result.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct DesignReview {
    pub source: String,
    pub passed: Vec<String>,
    pub problems: Vec<String>,
    // Info findings (deliberate choices worth knowing, e.g. cascade chains).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl DesignReview {
    pub fn clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Rules whose silence is worth stating as a passed check.
const PASSED: &[(&str, &str)] = &[
    ("SCH001", "every table has a primary key"),
    (
        "SCH002",
        "every foreign key has an index on its leading columns",
    ),
    (
        "SCH004",
        "every foreign key has the referenced column's type",
    ),
    (
        "SCH003",
        "every `<table>_id` column is a declared foreign key",
    ),
    ("SCH008", "no floating-point money"),
    ("SCH010", "no 32-bit generated keys"),
    ("SCH012", "timestamps carry a time zone"),
    ("SEC001", "no plaintext password column"),
    ("IDX001", "no duplicate index"),
    ("IDX002", "no index that is a leading part of another"),
    ("IDX003", "no unique index repeating the primary key"),
];

/// Review a schema given as its parsed DDL and catalog.
pub fn review(parsed: &ParsedSql, cat: &Catalog) -> DesignReview {
    let rep = crate::review::review_parsed(parsed, cat, &crate::review::Options::default());
    let mut r = DesignReview {
        source: format!(
            "KD-db-review: {} rules run on the catalog parsed back from the DDL",
            rep.rules_run
        ),
        ..Default::default()
    };
    if parsed.stats.failed == 0 {
        r.passed
            .push(format!("all {} statements parse", parsed.stats.statements));
    }
    for n in &cat.notes {
        r.problems.push(format!("catalog: {}", n.message));
    }
    for f in &rep.findings {
        let line = format!(
            "{} {} {}: {}",
            f.span.as_ref().map(|s| s.location()).unwrap_or_default(),
            f.id,
            f.slug,
            f.message
        );
        if f.severity >= Severity::Warning {
            r.problems.push(line);
        } else {
            r.notes.push(line);
        }
    }
    for (id, text) in PASSED {
        if !rep.findings.iter().any(|f| f.id == *id) {
            r.passed.push(format!("{text} ({id})"));
        }
    }
    r
}

/// Whether some index of `t` has `cols` (in any order) as its leading columns and covers all
/// rows (the rule SCH002 uses).
pub fn fk_covered(cat: &Catalog, t: &crate::catalog::Table, cols: &[String]) -> bool {
    crate::review::schema::fk_covered(cat, t, cols)
}

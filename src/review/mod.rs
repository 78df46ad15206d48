//! `KD-db-review`: the schema rules. Existing DDL (text, files, or a migrations folder replayed
//! in order) is parsed into statements and the schema model ([`crate::catalog`]); every rule then
//! reads the catalog (tables, columns, keys, indexes, functions) and, for grants and row-level
//! security, the parsed statements. Each finding carries its rule ID, slug, severity, the span of
//! the CREATE TABLE / column / index it is about, why it matters, and a fix as SQL where one
//! exists. Suppressions (`-- kd-dba: ignore ID reason`) and disabled rules go through
//! [`crate::rules::suppress`]; the normal-form analysis with its refactoring proposal is
//! [`normalize`].

pub mod cli;
pub mod docs;
pub mod normalize;
pub mod other;
pub mod schema;
pub mod words;

use crate::catalog::{self, Catalog, Name};
use crate::error::KdError;
use crate::findings::{Finding, Fix, Severity, Span};
use crate::input::SqlInput;
use crate::mcp::registry::ToolCtx;
use crate::rules::{RuleDoc, suppress};
use crate::sql::{Dialect, DialectChoice, ParsedSql, Source};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Request of `KD-db-review`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct ReviewRequest {
    #[serde(flatten)]
    pub input: SqlInput,
    /// auto (default), postgres, mysql, sqlite.
    #[serde(default)]
    pub dialect: DialectChoice,
    /// Engine version, e.g. 9.6, 16, 8.0; gates version-specific rules.
    #[serde(default)]
    pub version: Option<String>,
    /// Rule IDs or slugs to skip.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Lowest severity reported: info (default), warning, error.
    #[serde(default)]
    pub min_severity: Option<Severity>,
    /// Also analyse normal forms and propose refactored DDL + migration steps.
    #[serde(default)]
    pub normalize: bool,
}

// An engine version, `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    pub fn parse(s: &str) -> Result<Version, KdError> {
        let t = s.trim().trim_start_matches(['v', 'V']);
        let mut it = t.split(['.', '-', ' ']);
        let major = it.next().and_then(|m| m.parse().ok());
        let minor = it.next().and_then(|m| m.parse().ok()).unwrap_or(0);
        match major {
            Some(major) => Ok(Version { major, minor }),
            None => Err(KdError::invalid(format!(
                "version `{s}` is not a version number; give e.g. \"16\", \"9.6\" or \"8.0.36\""
            ))),
        }
    }
}

// Counts by severity.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct SeverityCounts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

// How often one rule fired.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RuleCount {
    pub id: String,
    pub slug: String,
    pub count: usize,
}

// Report of `KD-db-review`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReviewReport {
    pub dialect: String,
    // How the dialect was chosen.
    pub dialect_how: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<Version>,
    pub statements: u64,
    pub tables: usize,
    pub indexes: usize,
    // Rules that ran (the others do not apply to this dialect/version or were disabled).
    pub rules_run: usize,
    pub findings: Vec<Finding>,
    pub counts: SeverityCounts,
    pub by_rule: Vec<RuleCount>,
    // Findings silenced by comments or configuration.
    pub suppressed: usize,
    // Catalog notes: DDL that could not be applied, so the model may differ from the database.
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalize: Option<normalize::NormalizeReport>,
}

/// Options of one analysis.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub version: Option<Version>,
    pub disable: Vec<String>,
    pub min_severity: Option<Severity>,
    pub normalize: bool,
}

/// What every check sees, and where findings go.
pub struct Ctx<'a> {
    pub parsed: &'a ParsedSql,
    pub cat: &'a Catalog,
    pub dialect: Dialect,
    pub version: Option<Version>,
    pub out: Vec<Finding>,
}

impl<'a> Ctx<'a> {
    pub fn new(parsed: &'a ParsedSql, cat: &'a Catalog, version: Option<Version>) -> Self {
        Ctx {
            parsed,
            cat,
            dialect: cat.dialect,
            version,
            out: Vec::new(),
        }
    }

    /// Whether the engine is at least `major.minor` (true when the version is unknown: rules
    /// then assume a supported, current engine).
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        self.version
            .is_none_or(|v| (v.major, v.minor) >= (major, minor))
    }

    pub fn pg(&self) -> bool {
        self.dialect == Dialect::Postgres
    }
    pub fn my(&self) -> bool {
        self.dialect == Dialect::Mysql
    }

    /// Record a finding of rule `id`.
    pub fn emit(
        &mut self,
        id: &str,
        message: String,
        span: Option<&Span>,
        help: String,
        fix: Option<(String, String)>,
    ) {
        let d: &RuleDoc = docs::doc(id);
        let mut f = d.finding(message, span.cloned(), help);
        f.fix = fix.map(|(title, sql)| Fix { title, sql });
        self.out.push(f);
    }

    /// An identifier as it must be written in this dialect (quoted when needed).
    pub fn q(&self, ident: &str) -> String {
        quote(self.dialect, ident)
    }

    /// A table name as it must be written (schema-qualified outside the default schema).
    pub fn qn(&self, n: &Name) -> String {
        qualified(self.dialect, n)
    }
}

/// Quote an identifier when the dialect needs it.
pub fn quote(d: Dialect, ident: &str) -> String {
    let first_ok = ident
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let plain = first_ok
        && match d {
            Dialect::Postgres | Dialect::Generic => ident
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            _ => ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        }
        && !words::is_reserved(d, ident);
    if plain {
        ident.to_string()
    } else if d == Dialect::Mysql {
        format!("`{}`", ident.replace('`', "``"))
    } else {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }
}

/// A table name, schema-qualified outside the default schema.
pub fn qualified(d: Dialect, n: &Name) -> String {
    if n.schema.is_empty() || n.schema == d.default_schema() {
        quote(d, &n.name)
    } else {
        format!("{}.{}", quote(d, &n.schema), quote(d, &n.name))
    }
}

/// Every documented review rule.
pub fn rule_docs() -> &'static [RuleDoc] {
    docs::DOCS
}

fn rule_applies(d: &RuleDoc, dialect: Dialect) -> bool {
    d.dialects.is_empty() || d.dialects.contains(&dialect.as_str())
}

/// The index advisor's rules about existing indexes that a schema review runs too.
const EXISTING_INDEX_RULES: [&str; 3] = ["IDX001", "IDX002", "IDX003"];

/// Run every rule over a parsed input and its catalog; unsuppressed, unfiltered findings.
pub fn analyze(parsed: &ParsedSql, cat: &Catalog, version: Option<Version>) -> Vec<Finding> {
    let mut ctx = Ctx::new(parsed, cat, version);
    schema::check(&mut ctx);
    other::check(&mut ctx);
    let mut out = ctx.out;
    // IDX001–IDX003 (duplicate, left-prefix redundant, unique index duplicating the key) live
    // with the index advisor, which also turns them into DROP suggestions.
    out.extend(crate::advise::existing::findings(cat, cat.dialect));
    out.sort_by_key(|f| f.sort_key());
    out
}

/// Analyse, then apply suppressions, disabled rules and the severity floor.
pub fn review_parsed(parsed: &ParsedSql, cat: &Catalog, opts: &Options) -> ReviewReport {
    let mut raw = parsed.syntax_findings();
    raw.extend(analyze(parsed, cat, opts.version));
    let sups = suppress::collect(parsed);
    let applied = suppress::apply(raw, &sups, &opts.disable);
    let floor = opts.min_severity.unwrap_or(Severity::Info);
    let findings: Vec<Finding> = applied
        .findings
        .into_iter()
        .filter(|f| f.severity >= floor)
        .collect();
    let mut counts = SeverityCounts::default();
    let mut by_rule: Vec<RuleCount> = Vec::new();
    for f in &findings {
        match f.severity {
            Severity::Error => counts.error += 1,
            Severity::Warning => counts.warning += 1,
            Severity::Info => counts.info += 1,
        }
        match by_rule.iter_mut().find(|r| r.id == f.id) {
            Some(r) => r.count += 1,
            None => by_rule.push(RuleCount {
                id: f.id.clone(),
                slug: f.slug.clone(),
                count: 1,
            }),
        }
    }
    by_rule.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
    let rules_run = docs::DOCS
        .iter()
        .chain(
            crate::advise::rules::DOCS
                .iter()
                .copied()
                .filter(|d| EXISTING_INDEX_RULES.contains(&d.id)),
        )
        .filter(|d| rule_applies(d, cat.dialect))
        .filter(|d| {
            !opts
                .disable
                .iter()
                .any(|x| x.eq_ignore_ascii_case(d.id) || x.eq_ignore_ascii_case(d.slug))
        })
        .count();
    let normalize = opts.normalize.then(|| normalize::analyze(cat));
    ReviewReport {
        dialect: parsed.dialect.dialect.as_str().into(),
        dialect_how: parsed.dialect.how.clone(),
        version: opts.version,
        statements: parsed.stats.statements,
        tables: cat.tables.len(),
        indexes: cat.indexes.len(),
        rules_run,
        findings,
        counts,
        by_rule,
        suppressed: applied.suppressed,
        notes: cat.notes.iter().map(|n| n.message.clone()).collect(),
        normalize,
    }
}

/// Review SQL sources.
pub fn review_sources(
    sources: &[Source],
    dialect: DialectChoice,
    opts: &Options,
    limits: &crate::limits::Limits,
) -> Result<ReviewReport, KdError> {
    let (parsed, cat) = catalog::from_sources(sources, dialect, limits)?;
    Ok(review_parsed(&parsed, &cat, opts))
}

/// The `KD-db-review` engine function.
pub fn review(req: ReviewRequest, ctx: &ToolCtx) -> Result<ReviewReport, KdError> {
    if req.input.is_empty() {
        return Err(KdError::invalid(
            "give `sql` (DDL text) or `paths` (schema files or a migrations folder) to review",
        ));
    }
    let version = req.version.as_deref().map(Version::parse).transpose()?;
    for d in &req.disable {
        if crate::rules::find(d).is_none() && d != "*" {
            return Err(KdError::invalid(format!(
                "disable: `{d}` is not a rule ID or slug; `kd-dba rules` lists them"
            )));
        }
    }
    let sources = req.input.sources(ctx.base_dir.as_deref(), &ctx.limits)?;
    ctx.progress(0.0, Some(2.0), "parsing the DDL");
    let opts = Options {
        version,
        disable: req.disable.clone(),
        min_severity: req.min_severity,
        normalize: req.normalize,
    };
    let rep = review_sources(&sources, req.dialect, &opts, &ctx.limits)?;
    ctx.progress(2.0, Some(2.0), "reviewed");
    Ok(rep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_quoting() {
        assert_eq!(
            Version::parse("9.6").unwrap(),
            Version { major: 9, minor: 6 }
        );
        assert_eq!(Version::parse("16").unwrap().major, 16);
        assert_eq!(Version::parse("8.0.36").unwrap().minor, 0);
        assert!(Version::parse("x").is_err());
        assert_eq!(quote(Dialect::Postgres, "orders"), "orders");
        assert_eq!(quote(Dialect::Postgres, "user"), "\"user\"");
        assert_eq!(quote(Dialect::Postgres, "OrderLines"), "\"OrderLines\"");
        assert_eq!(quote(Dialect::Mysql, "OrderLines"), "OrderLines");
        assert_eq!(quote(Dialect::Mysql, "order"), "`order`");
        assert_eq!(
            qualified(Dialect::Postgres, &Name::new("blog", "posts")),
            "blog.posts"
        );
        assert_eq!(
            qualified(Dialect::Postgres, &Name::new("public", "posts")),
            "posts"
        );
    }

    #[test]
    fn every_rule_has_a_doc_and_fixture_text() {
        for d in docs::DOCS {
            assert!(crate::rules::find(d.id).is_some());
            assert!(
                d.bad.contains("CREATE") || d.bad.contains("GRANT"),
                "{}",
                d.id
            );
        }
    }
}

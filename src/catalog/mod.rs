//! The schema catalog: a model of tables, columns, keys, indexes, views, types, sequences,
//! functions and triggers, built by replaying DDL in order with each engine's semantics.

pub mod build;
pub mod model;
pub mod names;
pub mod pg_alter;
pub mod types;

pub use build::{Builder, build};
pub use model::*;

use crate::error::KdError;
use crate::limits::Limits;
use crate::sql::{self, DialectChoice, ParsedSql, Source};

/// Parse `sources` and build the catalog in one go.
pub fn from_sources(
    sources: &[Source],
    dialect: DialectChoice,
    limits: &Limits,
) -> Result<(ParsedSql, Catalog), KdError> {
    let parsed = sql::parse_sources(sources, dialect, limits)?;
    let cat = build(&parsed);
    Ok((parsed, cat))
}

/// Parse one inline text and build its catalog.
pub fn from_sql(text: &str, dialect: DialectChoice) -> Result<Catalog, KdError> {
    from_sources(&[Source::inline(text)], dialect, &Limits::default()).map(|(_, c)| c)
}

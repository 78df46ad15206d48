//! Optional table and column statistics, in the shape of `pg_class.reltuples` and `pg_stats`
//! (`n_distinct` negative = a fraction of the rows, as PostgreSQL stores it).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Statistics the caller knows. Everything is optional; rules say which numbers they assumed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Stats {
    /// Row counts per table.
    #[serde(default)]
    pub tables: Vec<TableStats>,
    /// Per-column statistics (rows of `pg_stats`: tablename, attname, null_frac, n_distinct).
    #[serde(default)]
    pub columns: Vec<ColumnStats>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TableStats {
    #[serde(alias = "relname", alias = "tablename")]
    pub table: String,
    #[serde(alias = "reltuples", alias = "n_live_tup")]
    pub rows: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ColumnStats {
    #[serde(alias = "tablename")]
    pub table: String,
    #[serde(alias = "attname")]
    pub column: String,
    #[serde(default)]
    pub null_frac: Option<f64>,
    /// Distinct values; negative = minus the fraction of rows (pg_stats convention).
    #[serde(default)]
    pub n_distinct: Option<f64>,
}

impl Stats {
    pub fn rows(&self, table: &str) -> Option<f64> {
        self.tables
            .iter()
            .find(|t| {
                t.table.eq_ignore_ascii_case(table)
                    || t.table
                        .rsplit('.')
                        .next()
                        .is_some_and(|b| b.eq_ignore_ascii_case(table))
            })
            .map(|t| t.rows)
    }

    pub fn column(&self, table: &str, column: &str) -> Option<&ColumnStats> {
        self.columns
            .iter()
            .find(|c| c.table.eq_ignore_ascii_case(table) && c.column.eq_ignore_ascii_case(column))
    }

    /// Distinct values of a column as a count (resolving the negative-fraction convention).
    pub fn distinct(&self, table: &str, column: &str) -> Option<f64> {
        let c = self.column(table, column)?;
        let nd = c.n_distinct?;
        if nd >= 0.0 {
            Some(nd)
        } else {
            self.rows(table).map(|r| -nd * r)
        }
    }

    /// Whether a column may hold NULLs according to the statistics.
    pub fn null_frac(&self, table: &str, column: &str) -> Option<f64> {
        self.column(table, column)?.null_frac
    }
}

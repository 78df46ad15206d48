//! Statistics for the cost model: row counts per table and, per column, `n_distinct`,
//! `null_frac` and `avg_width` in the shape of `pg_stats` (negative `n_distinct` is a fraction
//! of the rows, as in PostgreSQL). Whatever is missing is assumed, and every assumption is
//! recorded so the report can say which numbers were not given.

use crate::catalog::{Catalog, Name, Table, TypeFamily};
use crate::sql::Dialect;
use schemars::JsonSchema;
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Rows assumed for a table without statistics.
pub const DEFAULT_ROWS: f64 = 100_000.0;
/// PostgreSQL's DEFAULT_EQ_SEL: equality on a column without statistics.
pub const DEFAULT_EQ_SEL: f64 = 0.005;
/// PostgreSQL's DEFAULT_INEQ_SEL: one-sided range.
pub const DEFAULT_RANGE_SEL: f64 = 1.0 / 3.0;
/// PostgreSQL's DEFAULT_RANGE_INEQ_SEL: BETWEEN / two-sided range.
pub const DEFAULT_BETWEEN_SEL: f64 = 0.005;
/// LIKE 'abc%', trigram and inverted-index matches without statistics.
pub const DEFAULT_MATCH_SEL: f64 = 0.01;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Stats {
    #[serde(default)]
    pub tables: Vec<TableStat>,
    /// pg_stats rows
    #[serde(default)]
    pub columns: Vec<ColumnStat>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct TableStat {
    #[serde(alias = "relname", alias = "tablename")]
    pub table: String,
    #[serde(alias = "reltuples", alias = "n_live_tup", alias = "row_count")]
    pub rows: f64,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ColumnStat {
    #[serde(alias = "tablename")]
    pub table: String,
    #[serde(alias = "attname")]
    pub column: String,
    #[serde(default)]
    pub n_distinct: Option<f64>,
    #[serde(default)]
    pub null_frac: Option<f64>,
    #[serde(default)]
    pub avg_width: Option<f64>,
}

/// Looks numbers up, falling back to stated assumptions.
pub struct Estimator<'a> {
    pub cat: Option<&'a Catalog>,
    pub stats: &'a Stats,
    pub dialect: Dialect,
    assumed: RefCell<BTreeMap<&'static str, String>>,
    rows_assumed: RefCell<BTreeSet<String>>,
    /// Catalog tables by their exact name (the workload model resolves names to these).
    tables: HashMap<Name, &'a Table>,
    rows_cache: RefCell<HashMap<Name, f64>>,
    pages_cache: RefCell<HashMap<Name, f64>>,
}

fn bare(s: &str) -> &str {
    s.rsplit('.').next().unwrap_or(s)
}

impl<'a> Estimator<'a> {
    pub fn new(cat: Option<&'a Catalog>, stats: &'a Stats, dialect: Dialect) -> Self {
        Estimator {
            cat,
            stats,
            dialect,
            assumed: RefCell::new(BTreeMap::new()),
            rows_assumed: RefCell::new(BTreeSet::new()),
            tables: cat
                .map(|c| c.tables.iter().map(|t| (t.name.clone(), t)).collect())
                .unwrap_or_default(),
            rows_cache: RefCell::new(HashMap::new()),
            pages_cache: RefCell::new(HashMap::new()),
        }
    }

    pub fn assumptions(&self) -> Vec<String> {
        let mut v = Vec::new();
        let rows = self.rows_assumed.borrow();
        if !rows.is_empty() {
            v.push(format!(
                "{} rows for each table without a row count: {}",
                DEFAULT_ROWS as u64,
                rows.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        v.extend(self.assumed.borrow().values().cloned());
        v
    }

    /// Record an assumption once (the text is only built the first time).
    fn assume(&self, key: &'static str, text: impl FnOnce() -> String) {
        let mut m = self.assumed.borrow_mut();
        if !m.contains_key(key) {
            m.insert(key, text());
        }
    }

    fn eq(&self, a: &str, b: &str) -> bool {
        bare(a).eq_ignore_ascii_case(bare(b))
    }

    pub fn table(&self, t: &Name) -> Option<&'a Table> {
        if let Some(x) = self.tables.get(t) {
            return Some(x);
        }
        self.cat.and_then(|c| c.table(t))
    }

    pub fn rows(&self, t: &Name) -> f64 {
        if let Some(r) = self.rows_cache.borrow().get(t) {
            return *r;
        }
        let r = self.rows_uncached(t);
        self.rows_cache.borrow_mut().insert(t.clone(), r);
        r
    }

    fn rows_uncached(&self, t: &Name) -> f64 {
        if let Some(s) = self
            .stats
            .tables
            .iter()
            .find(|s| self.eq(&s.table, &t.name))
        {
            return s.rows.max(1.0);
        }
        if !self.rows_assumed.borrow().contains(&t.name) {
            self.rows_assumed.borrow_mut().insert(t.name.clone());
        }
        DEFAULT_ROWS
    }

    fn col_stat(&self, t: &Name, col: &str) -> Option<&'a ColumnStat> {
        self.stats
            .columns
            .iter()
            .find(|s| self.eq(&s.table, &t.name) && s.column.eq_ignore_ascii_case(col))
    }

    /// Whether the column alone is a primary key or unique.
    fn unique_column(&self, t: &Name, col: &str) -> bool {
        let Some(table) = self.table(t) else {
            return false;
        };
        let one = |cols: &[String]| cols.len() == 1 && cols[0].eq_ignore_ascii_case(col);
        table.primary_key.as_ref().is_some_and(|k| one(&k.columns))
            || table.uniques.iter().any(|k| one(&k.columns))
    }

    /// Selectivity of `col = value`.
    pub fn eq_sel(&self, t: &Name, col: Option<&str>) -> f64 {
        let rows = self.rows(t);
        let Some(col) = col else {
            self.assume("a1", || format!(
                "selectivity {DEFAULT_EQ_SEL} for equality on an expression (PostgreSQL's default)"
            ));
            return DEFAULT_EQ_SEL;
        };
        if let Some(nd) = self.col_stat(t, col).and_then(|s| s.n_distinct) {
            let nd = if nd < 0.0 { -nd * rows } else { nd };
            return (1.0 / nd.max(1.0)).min(1.0);
        }
        if self.unique_column(t, col) {
            return 1.0 / rows;
        }
        if let Some(c) = self.table(t).and_then(|tb| tb.column(col)) {
            match c.data_type.family {
                TypeFamily::Boolean => return 0.5,
                TypeFamily::Enum if !c.data_type.enum_values.is_empty() => {
                    return 1.0 / c.data_type.enum_values.len() as f64;
                }
                _ => {}
            }
        }
        self.assume("a2", || format!(
            "selectivity {DEFAULT_EQ_SEL} (1 in 200) for equality on a column without n_distinct (PostgreSQL's default)"
        ));
        DEFAULT_EQ_SEL.max(1.0 / rows)
    }

    pub fn null_frac(&self, t: &Name, col: Option<&str>) -> f64 {
        let Some(col) = col else { return 0.01 };
        if let Some(f) = self.col_stat(t, col).and_then(|s| s.null_frac) {
            return f.clamp(0.0, 1.0);
        }
        if let Some(c) = self.table(t).and_then(|tb| tb.column(col))
            && !c.nullable
        {
            return 0.0;
        }
        self.assume("a5", || {
            "null fraction 0.1 for nullable columns without null_frac".into()
        });
        0.1
    }

    pub fn range_sel(&self, between: bool) -> f64 {
        if between {
            self.assume("a3", || format!(
                "selectivity {DEFAULT_BETWEEN_SEL} for BETWEEN and two-sided ranges (PostgreSQL's default)"
            ));
            DEFAULT_BETWEEN_SEL
        } else {
            self.assume("a6", || {
                "selectivity 1/3 for a one-sided range (PostgreSQL's default)".to_string()
            });
            DEFAULT_RANGE_SEL
        }
    }

    pub fn match_sel(&self) -> f64 {
        self.assume("a4", || format!(
            "selectivity {DEFAULT_MATCH_SEL} for LIKE prefixes, trigram, jsonb and full-text matches"
        ));
        DEFAULT_MATCH_SEL
    }

    /// Average stored width of a column in bytes.
    pub fn width(&self, t: &Name, col: &str) -> f64 {
        if let Some(w) = self.col_stat(t, col).and_then(|s| s.avg_width) {
            return w.max(1.0);
        }
        let Some(c) = self.table(t).and_then(|tb| tb.column(col)) else {
            return 8.0;
        };
        let ty = &c.data_type;
        if let Some(b) = ty.int_bytes {
            return b as f64;
        }
        match ty.family {
            TypeFamily::Integer => 4.0,
            TypeFamily::Decimal | TypeFamily::Float | TypeFamily::Timestamp | TypeFamily::Time => {
                8.0
            }
            TypeFamily::Boolean => 1.0,
            TypeFamily::Date => 4.0,
            TypeFamily::Uuid => 16.0,
            TypeFamily::Enum => 4.0,
            TypeFamily::Text | TypeFamily::Binary => {
                let w = ty.length.map(|l| (l as f64 / 2.0).clamp(1.0, 32.0));
                if w.is_none() {
                    self.assume("a7", || {
                        "32 bytes average width for text columns without avg_width".into()
                    });
                }
                w.unwrap_or(32.0)
            }
            TypeFamily::Json | TypeFamily::Array | TypeFamily::FullText => {
                self.assume("a8", || {
                    "100 bytes average width for json/array columns without avg_width".into()
                });
                100.0
            }
            _ => 16.0,
        }
    }

    /// Average row width (heap tuple) in bytes.
    pub fn row_width(&self, t: &Name) -> f64 {
        match self.table(t) {
            Some(tb) => {
                24.0 + tb
                    .columns
                    .iter()
                    .map(|c| self.width(t, &c.name))
                    .sum::<f64>()
            }
            None => {
                self.assume("a9", || {
                    "100 bytes per row for tables the schema does not define".into()
                });
                100.0
            }
        }
    }

    pub fn pages(&self, t: &Name) -> f64 {
        if let Some(p) = self.pages_cache.borrow().get(t) {
            return *p;
        }
        let p = (self.rows(t) * self.row_width(t) / 8192.0).max(1.0);
        self.pages_cache.borrow_mut().insert(t.clone(), p);
        p
    }
}

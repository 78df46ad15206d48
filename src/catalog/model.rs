//! The schema model: what a database would hold after running the DDL, per engine semantics.
//!
//! Names are stored as the engine would store them: PostgreSQL folds unquoted identifiers to lower
//! case, MySQL and SQLite keep them as written and compare them case-insensitively. Objects the
//! engine creates implicitly (the index behind a PRIMARY KEY or UNIQUE constraint, MySQL's index
//! for a foreign key, SQLite's autoindexes, indexes and keys cloned onto partitions) are in the
//! model too, flagged by their origin, so counts and rules see what the engine sees.

use crate::findings::Span;
use crate::sql::Dialect;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A schema-qualified name. `schema` is the engine's default schema (`public`, `main`, or empty
/// for MySQL's current database) when the DDL did not qualify the name.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub struct Name {
    pub schema: String,
    pub name: String,
}

impl Name {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Name {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.schema.is_empty() || self.schema == "public" || self.schema == "main" {
            f.write_str(&self.name)
        } else {
            write!(f, "{}.{}", self.schema, self.name)
        }
    }
}

/// Broad type families, enough for rules and diffing to reason about types across engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TypeFamily {
    Integer,
    Decimal,
    Float,
    Text,
    Binary,
    Boolean,
    Date,
    Time,
    Timestamp,
    Interval,
    Uuid,
    Json,
    Enum,
    Array,
    Network,
    Spatial,
    FullText,
    Other,
}

/// A column's type: as written, normalised, and broken down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SqlType {
    /// As written in the DDL.
    pub raw: String,
    /// Normalised name in the engine's vocabulary, e.g. `integer`, `bigint`, `varchar`,
    /// `numeric`, `timestamptz`, `jsonb`, or the user type's name.
    pub name: String,
    pub family: TypeFamily,
    /// Character length or binary length, when given (`varchar(255)` → 255).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<u64>,
    /// Integer width in bytes (2, 4, 8; 1 and 3 for MySQL TINYINT/MEDIUMINT).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub int_bytes: Option<u8>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unsigned: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub with_time_zone: bool,
    /// Element type of an array.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<Box<SqlType>>,
    /// Values of an inline enum (MySQL `ENUM('a','b')`) or a resolved user enum type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<String>,
    /// A user-defined type (enum, domain, composite) this refers to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<Name>,
}

/// `GENERATED ... AS IDENTITY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    Always,
    ByDefault,
}

/// A generated (computed) column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Generated {
    pub expr: String,
    pub stored: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Column {
    pub name: String,
    pub data_type: SqlType,
    pub nullable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// MySQL AUTO_INCREMENT, SQLite AUTOINCREMENT, PostgreSQL serial (a nextval default).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_increment: bool,
    /// The sequence behind a `nextval(...)` default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<Generated>,
    /// MySQL `ON UPDATE CURRENT_TIMESTAMP`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// A primary key or unique constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Key {
    pub name: String,
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
    /// Cloned from the partitioned parent table (PostgreSQL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: Name,
    /// Referenced columns (the referenced primary key when the DDL omitted them).
    pub ref_columns: Vec<String>,
    /// `CASCADE`, `SET NULL`, `SET DEFAULT`, `RESTRICT`, or `NO ACTION` (the default).
    pub on_delete: String,
    pub on_update: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Check {
    pub name: String,
    pub expr: String,
    /// Columns the expression reads.
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    Table,
    Partitioned,
    Temporary,
    Unlogged,
    Foreign,
    /// SQLite virtual table (FTS5 ...).
    Virtual,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Table {
    pub name: Name,
    pub kind: TableKind,
    pub columns: Vec<Column>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<Key>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<Key>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// `PARTITION BY` clause of a partitioned table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// Parent of a partition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<Name>,
    /// SQLite `WITHOUT ROWID`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_rowid: bool,
    /// Engine options, e.g. MySQL `ENGINE=InnoDB`, `DEFAULT CHARSET=utf8mb4`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns
            .iter_mut()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

/// Why an index exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndexOrigin {
    /// `CREATE INDEX`, or MySQL `KEY`/`INDEX` inside CREATE TABLE.
    Explicit,
    /// Backs the primary key.
    PrimaryKey,
    /// Backs a UNIQUE constraint.
    Unique,
    /// Created by MySQL for a foreign key that no index covered.
    ForeignKey,
    /// Backs a PostgreSQL EXCLUDE constraint (named like the constraint).
    Exclusion,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IndexKey {
    /// The column name, or the expression text for expression keys.
    pub expr: String,
    /// Set when the key is a plain column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub descending: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
    /// MySQL prefix length `col(10)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_length: Option<u64>,
    /// For an expression key, the name PostgreSQL gives the index column (`lower` for
    /// `lower(email)`, `text` for `(a || b)::text`, `expr` when it cannot tell); unnamed indexes
    /// and their partition clones are named after it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Index {
    pub name: String,
    pub table: Name,
    pub keys: Vec<IndexKey>,
    pub unique: bool,
    /// `btree`, `hash`, `gin`, `gist`, `brin`, `spgist`, or MySQL `fulltext`/`spatial`.
    pub method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    pub origin: IndexOrigin,
    /// The partitioned parent's index this one was cloned from or attached to (PostgreSQL),
    /// as schema and index name; dropping that index drops this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

impl Index {
    /// Plain column names of the keys, or `None` if any key is an expression.
    pub fn columns(&self) -> Option<Vec<&str>> {
        self.keys.iter().map(|k| k.column.as_deref()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct View {
    pub name: Name,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub materialized: bool,
    /// Declared column names (`CREATE VIEW v (a, b)`) or the select list's names where plain.
    pub columns: Vec<String>,
    pub definition: String,
    /// Tables and views the definition reads.
    pub depends_on: Vec<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UserTypeKind {
    Enum {
        values: Vec<String>,
    },
    Domain {
        base: Box<SqlType>,
        not_null: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        default: Option<String>,
        checks: Vec<DomainCheck>,
    },
    Composite {
        attributes: Vec<(String, String)>,
    },
    Range,
    Other,
}

/// A domain's CHECK constraint, named the way PostgreSQL names it (`<domain>_check`,
/// `<domain>_check1` ... when the DDL gave no name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DomainCheck {
    pub name: String,
    pub expr: String,
    /// Added with `NOT VALID` and not validated since.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserType {
    pub name: Name,
    #[serde(flatten)]
    pub kind: UserTypeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Sequence {
    pub name: Name,
    /// `OWNED BY table.column`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<(Name, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Function {
    pub name: Name,
    /// `FUNCTION` or `PROCEDURE`.
    pub kind: String,
    /// Types of the arguments that identify it (PostgreSQL: IN, INOUT and VARIADIC ones, type
    /// modifiers dropped, normalised: `integer`, `text`, `character varying`), so overloads of
    /// one name are separate functions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub security_definer: bool,
    /// The function pins `search_path` (`SET search_path = ...`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sets_search_path: bool,
    /// The body, when the parser gave it to us.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

impl Function {
    /// `name(arg, arg)`: how PostgreSQL tells overloads apart.
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.args.join(", "))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Trigger {
    pub name: String,
    pub table: Name,
    /// `BEFORE INSERT OR UPDATE`, as far as known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timing: Option<String>,
    /// The function it executes (PostgreSQL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// A comment on the model: DDL that could not be applied (for example an ALTER of a table the
/// input never created). Such notes mean the model may differ from the real database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CatalogNote {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// The whole schema model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Catalog {
    pub dialect: Dialect,
    /// Schemas created explicitly (`CREATE SCHEMA`), besides the default one.
    pub schemas: Vec<String>,
    pub tables: Vec<Table>,
    pub views: Vec<View>,
    pub indexes: Vec<Index>,
    pub types: Vec<UserType>,
    pub sequences: Vec<Sequence>,
    pub functions: Vec<Function>,
    pub triggers: Vec<Trigger>,
    pub extensions: Vec<String>,
    pub notes: Vec<CatalogNote>,
}

/// Object counts, the way the engines' own catalogs count them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CatalogCounts {
    /// Base tables, partitioned tables and partitions (not views).
    pub tables: u64,
    pub columns: u64,
    pub primary_keys: u64,
    pub foreign_keys: u64,
    pub unique_constraints: u64,
    /// All indexes, including those behind keys and MySQL's implicit foreign-key indexes.
    pub indexes: u64,
    pub views: u64,
    pub materialized_views: u64,
    pub sequences: u64,
    pub types: u64,
    pub functions: u64,
    pub triggers: u64,
}

impl Catalog {
    pub fn new(dialect: Dialect) -> Self {
        Catalog {
            dialect,
            schemas: Vec::new(),
            tables: Vec::new(),
            views: Vec::new(),
            indexes: Vec::new(),
            types: Vec::new(),
            sequences: Vec::new(),
            functions: Vec::new(),
            triggers: Vec::new(),
            extensions: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Compare two identifiers the engine's way.
    pub fn ident_eq(&self, a: &str, b: &str) -> bool {
        if self.dialect.case_insensitive_names() {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    }

    pub fn name_eq(&self, a: &Name, b: &Name) -> bool {
        self.ident_eq(&a.schema, &b.schema) && self.ident_eq(&a.name, &b.name)
    }

    pub fn table(&self, name: &Name) -> Option<&Table> {
        self.tables.iter().find(|t| self.name_eq(&t.name, name))
    }

    pub fn table_mut(&mut self, name: &Name) -> Option<&mut Table> {
        let ci = self.dialect.case_insensitive_names();
        self.tables.iter_mut().find(|t| {
            if ci {
                t.name.schema.eq_ignore_ascii_case(&name.schema)
                    && t.name.name.eq_ignore_ascii_case(&name.name)
            } else {
                t.name == *name
            }
        })
    }

    /// Find a table by bare or qualified name as a user would type it (`orders`, `shop.orders`).
    pub fn find_table(&self, name: &str) -> Option<&Table> {
        let (schema, bare) = match name.rsplit_once('.') {
            Some((s, n)) => (Some(s), n),
            None => (None, name),
        };
        self.tables.iter().find(|t| {
            self.ident_eq(&t.name.name, bare)
                && schema.is_none_or(|s| self.ident_eq(&t.name.schema, s))
        })
    }

    pub fn view(&self, name: &Name) -> Option<&View> {
        self.views.iter().find(|v| self.name_eq(&v.name, name))
    }

    /// Indexes of one table.
    pub fn indexes_of<'a>(&'a self, table: &'a Name) -> impl Iterator<Item = &'a Index> + 'a {
        self.indexes
            .iter()
            .filter(move |i| self.name_eq(&i.table, table))
    }

    pub fn user_type(&self, name: &Name) -> Option<&UserType> {
        self.types.iter().find(|t| self.name_eq(&t.name, name))
    }

    pub fn counts(&self) -> CatalogCounts {
        CatalogCounts {
            tables: self.tables.len() as u64,
            columns: self.tables.iter().map(|t| t.columns.len() as u64).sum(),
            primary_keys: self
                .tables
                .iter()
                .filter(|t| t.primary_key.is_some())
                .count() as u64,
            foreign_keys: self
                .tables
                .iter()
                .map(|t| t.foreign_keys.len() as u64)
                .sum(),
            unique_constraints: self.tables.iter().map(|t| t.uniques.len() as u64).sum(),
            indexes: self.indexes.len() as u64,
            views: self.views.iter().filter(|v| !v.materialized).count() as u64,
            materialized_views: self.views.iter().filter(|v| v.materialized).count() as u64,
            sequences: self.sequences.len() as u64,
            types: self.types.len() as u64,
            functions: self.functions.len() as u64,
            triggers: self.triggers.len() as u64,
        }
    }
}

//! The resolved design: what the spec means once names, keys, relations, junction tables,
//! timestamps, checks and indexes are worked out, independent of the engine. `ddl.rs` renders it
//! per dialect.

use super::spec::{Action, Agg, Bucket, KeyStrategy, Op};
use serde_json::Value;

/// A logical column type.
#[derive(Debug, Clone, PartialEq)]
pub enum LType {
    /// A surrogate key column (generated) or a reference to one (not generated).
    Key(KeyStrategy),
    String(u32),
    Text,
    Int,
    Bigint,
    Decimal(u8, u8),
    Bool,
    Date,
    Timestamp,
    Json,
    Uuid,
    Enum(Vec<String>),
    Array(Box<LType>),
}

impl LType {
    /// Parse a logical type as written in a spec. `email`, `url`, `phone` and `money` come back
    /// as their storage type plus the semantic tag.
    pub fn parse(
        s: &str,
        money: (u8, u8),
        key: KeyStrategy,
    ) -> Result<(LType, Option<Tag>), String> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        if let Some(inner) = lower
            .strip_prefix("array<")
            .and_then(|r| r.strip_suffix('>'))
            .or_else(|| lower.strip_suffix("[]"))
        {
            let (el, _) = LType::parse(inner, money, key)?;
            if matches!(el, LType::Array(_)) {
                return Err("arrays of arrays are not supported; use json".into());
            }
            return Ok((LType::Array(Box::new(el)), None));
        }
        if lower.starts_with("enum") {
            let rest = t[4..].trim();
            let inner = rest
                .strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .or_else(|| rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')))
                .ok_or_else(|| "write an enum as enum[a, b, c]".to_string())?;
            let values: Vec<String> = inner
                .split(',')
                .map(|v| v.trim().trim_matches(|c| c == '\'' || c == '"').to_string())
                .filter(|v| !v.is_empty())
                .collect();
            if values.is_empty() {
                return Err("an enum needs at least one value: enum[a, b, c]".into());
            }
            return Ok((LType::Enum(values), None));
        }
        let (base, args) = match lower.split_once('(') {
            Some((b, a)) => {
                let a = a
                    .strip_suffix(')')
                    .ok_or_else(|| format!("unbalanced parentheses in `{t}`"))?;
                let nums: Result<Vec<u32>, _> =
                    a.split(',').map(|x| x.trim().parse::<u32>()).collect();
                (
                    b.trim().to_string(),
                    nums.map_err(|_| format!("the arguments of `{t}` must be numbers"))?,
                )
            }
            None => (lower.clone(), Vec::new()),
        };
        let no_args = |ty: LType, tag: Option<Tag>| {
            if args.is_empty() {
                Ok((ty, tag))
            } else {
                Err(format!("`{base}` takes no arguments"))
            }
        };
        match base.as_str() {
            "id" => no_args(LType::Key(key), None),
            "string" | "varchar" => match args.as_slice() {
                [n] if *n >= 1 && *n <= 10_000 => Ok((LType::String(*n), None)),
                [] => Err("give string a maximum length: string(100) (or use text)".into()),
                _ => Err("string takes one length between 1 and 10000: string(100)".into()),
            },
            "text" => no_args(LType::Text, None),
            "email" => no_args(LType::String(254), Some(Tag::Email)),
            "url" => no_args(LType::String(2048), Some(Tag::Url)),
            "phone" => no_args(LType::String(32), Some(Tag::Phone)),
            "int" | "integer" => no_args(LType::Int, None),
            "bigint" => no_args(LType::Bigint, None),
            "decimal" | "numeric" => match args.as_slice() {
                [p, s] if *p >= 1 && *p <= 38 && s <= p => {
                    Ok((LType::Decimal(*p as u8, *s as u8), None))
                }
                [p] if *p >= 1 && *p <= 38 => Ok((LType::Decimal(*p as u8, 0), None)),
                _ => Err("write decimal(p,s) with 1 <= p <= 38 and s <= p".into()),
            },
            "money" => no_args(LType::Decimal(money.0, money.1), Some(Tag::Money)),
            "bool" | "boolean" => no_args(LType::Bool, None),
            "date" => no_args(LType::Date, None),
            "timestamp" | "datetime" => no_args(LType::Timestamp, None),
            "json" | "jsonb" => no_args(LType::Json, None),
            "uuid" => no_args(LType::Uuid, None),
            _ => Err(format!(
                "unknown type `{t}`; use id, string(n), text, email, url, phone, int, bigint, decimal(p,s), money, bool, date, timestamp, json, uuid, enum[a,b], array<type>"
            )),
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            LType::Int | LType::Bigint | LType::Decimal(..) | LType::Key(_)
        )
    }

    pub fn is_textual(&self) -> bool {
        matches!(self, LType::String(_) | LType::Text | LType::Enum(_))
    }

    /// The key type a foreign key to a column of this type has (generation dropped).
    pub fn as_reference(&self) -> LType {
        self.clone()
    }
}

/// What a field means beyond its storage type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Email,
    Url,
    Phone,
    Money,
}

/// A default value.
#[derive(Debug, Clone, PartialEq)]
pub enum DDefault {
    Literal(Value),
    Now,
}

/// One condition of a CHECK constraint on a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Min(serde_json::Number),
    Max(serde_json::Number),
    OneOf(Vec<Value>),
    MaxLen(u32),
    MinLen(u32),
    /// Contains an `@` with something on both sides.
    EmailShape,
    /// SQLite: 0 or 1.
    BoolDomain,
    /// SQLite/MySQL: valid JSON (an array when `array`).
    JsonValid {
        array: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct DColumn {
    pub name: String,
    pub ty: LType,
    pub tag: Option<Tag>,
    pub nullable: bool,
    pub default: Option<DDefault>,
    /// The surrogate key column, generated by the database.
    pub generated_key: bool,
    /// Conditions ANDed into one CHECK constraint named `<table>_<column>_check`.
    pub checks: Vec<Cond>,
    pub searchable: bool,
    pub note: Option<String>,
    /// Where it came from: `field`, `key`, `relation <name>`, `timestamps`, `soft delete`.
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DForeignKey {
    pub name: String,
    /// The relation's name (`user` for `user_id`).
    pub relation: String,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub on_delete: Action,
    pub on_update: Action,
    /// Added by ALTER TABLE after all tables exist (it closes a cycle).
    pub deferred: bool,
    /// One-to-one (the columns are unique).
    pub unique: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DUnique {
    pub name: String,
    pub columns: Vec<String>,
    /// Why: `field email`, `unique [a, b]`, `has_one`, `junction`.
    pub why: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DTable {
    pub entity: String,
    pub name: String,
    pub columns: Vec<DColumn>,
    pub primary_key: Vec<String>,
    pub uniques: Vec<DUnique>,
    pub foreign_keys: Vec<DForeignKey>,
    pub timestamps: bool,
    pub soft_delete: bool,
    /// Generated for a many-to-many relation.
    pub junction: bool,
    pub note: Option<String>,
}

impl DTable {
    pub fn column(&self, name: &str) -> Option<&DColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn searchable(&self) -> Vec<&DColumn> {
        self.columns.iter().filter(|c| c.searchable).collect()
    }
}

/// One key column of an index.
#[derive(Debug, Clone, PartialEq)]
pub struct IKey {
    pub column: String,
    pub desc: bool,
    /// PostgreSQL `text_pattern_ops`, so `LIKE 'abc%'` can use the index under any collation.
    pub pattern_ops: bool,
}

/// A condition of a partial index predicate.
#[derive(Debug, Clone, PartialEq)]
pub struct PredCond {
    pub column: String,
    pub op: Op,
    pub value: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    /// Backs the primary key.
    PrimaryKey,
    /// Backs a UNIQUE constraint.
    Unique,
    /// A secondary B-tree index we create.
    Btree,
    /// Full-text index over the searchable columns.
    FullText,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DIndex {
    pub name: String,
    pub table: String,
    pub keys: Vec<IKey>,
    pub unique: bool,
    pub kind: IndexKind,
    /// ANDed conditions of a partial index.
    pub predicate: Vec<PredCond>,
    /// Why the index exists.
    pub why: String,
    /// Access patterns and constraints it serves.
    pub serves: Vec<String>,
}

/// A column reference inside a summary query: (table alias, column).
#[derive(Debug, Clone, PartialEq)]
pub struct ColRef {
    pub alias: String,
    pub column: String,
    pub ty: LType,
    pub nullable: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryJoin {
    pub table: String,
    pub alias: String,
    /// (column of the joined table, column of the earlier alias) pairs, with that alias.
    pub on: Vec<(String, String)>,
    pub from_alias: String,
    /// LEFT JOIN when the foreign key is nullable.
    pub left: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryGroup {
    pub col: ColRef,
    pub bucket: Option<Bucket>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryMeasure {
    pub name: String,
    pub func: Agg,
    pub col: Option<ColRef>,
    pub times: Option<ColRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryFilter {
    pub col: ColRef,
    pub op: Op,
    pub value: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DSummary {
    pub name: String,
    pub base_table: String,
    pub base_alias: String,
    pub joins: Vec<SummaryJoin>,
    pub groups: Vec<SummaryGroup>,
    pub measures: Vec<SummaryMeasure>,
    pub filters: Vec<SummaryFilter>,
    pub cron: String,
    /// Soft-deleted rows of these aliases are excluded.
    pub live_aliases: Vec<String>,
}

/// The whole design.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub name: Option<String>,
    pub schema: Option<String>,
    pub key: KeyStrategy,
    /// Tables in dependency order (referenced before referencing, cycles broken by deferred FKs).
    pub tables: Vec<DTable>,
    pub indexes: Vec<DIndex>,
    pub summaries: Vec<DSummary>,
    pub text_search: String,
    pub time_zone: String,
    pub postgres_version: u32,
    pub pg_cron: bool,
    /// Choices made where the spec left room, with their reasons.
    pub decisions: Vec<String>,
    /// Normalization observations.
    pub normalization: Vec<String>,
    /// Engine differences found while planning (the renderer adds its own).
    pub differences: Vec<String>,
}

impl Design {
    pub fn table(&self, name: &str) -> Option<&DTable> {
        self.tables.iter().find(|t| t.name == name)
    }
}

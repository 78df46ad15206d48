//! The ORM-neutral reading of a catalog: per table, its fields (type kind, nullability, key,
//! generation, default, single-column unique, enumerated values), its many-to-one relations and
//! their inverses, multi-column unique keys, plain indexes, and CHECK conditions parsed into
//! simple forms where they have one. Each ORM renderer maps this to its own vocabulary.

use crate::catalog::{Catalog, Identity, IndexOrigin, Table, TableKind, TypeFamily};
use crate::design::naming::{camel_case, pascal_case, snake_case};
use crate::sql::Dialect;
use sqlparser::ast::{BinaryOperator, Expr, InTarget, UnaryOperator, Value as SqlValue};
use sqlparser::parser::Parser;

/// A column type as ORMs see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    SmallInt,
    Int,
    BigInt,
    Decimal(Option<u64>, Option<u64>),
    Float,
    Double,
    /// Unbounded text; `Some(n)` when a CHECK bounds its length (PostgreSQL/SQLite style).
    Text(Option<u64>),
    VarChar(u64),
    Char(u64),
    Bool,
    Date,
    Time,
    Timestamp {
        tz: bool,
    },
    Json {
        binary: bool,
    },
    Uuid,
    Bytes,
    Array(Box<Kind>),
    Other(String),
}

/// How the database generates a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Gen {
    None,
    /// PostgreSQL identity.
    Identity {
        always: bool,
    },
    /// serial, AUTO_INCREMENT, SQLite rowid.
    AutoIncrement,
    /// A UUID default expression (gen_random_uuid(), UUID(), ...).
    UuidDefault(String),
}

/// A column default.
#[derive(Debug, Clone, PartialEq)]
pub enum Def {
    Now,
    Str(String),
    Num(String),
    Bool(bool),
    /// A JSON literal (object or array) as text.
    Json(String),
    /// Any other expression, as SQL text.
    Expr(String),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub column: String,
    /// camelCase property name (JS ORMs, Prisma).
    pub prop: String,
    /// snake_case attribute name (Python ORMs).
    pub attr: String,
    pub kind: Kind,
    pub nullable: bool,
    pub pk: bool,
    pub generated: Gen,
    pub default: Option<Def>,
    /// The default as SQL text (for ORMs that take server defaults as SQL).
    pub default_sql: Option<String>,
    /// Name of a single-column UNIQUE constraint/index covering all rows.
    pub unique: Option<String>,
    /// Values of a `col IN (...)` check (string values only).
    pub choices: Vec<String>,
    /// Part of a foreign key.
    pub fk: bool,
}

/// A simple CHECK condition an ORM can express natively.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Ge(String, String),
    Le(String, String),
    Gt(String, String),
    Lt(String, String),
    In(String, Vec<String>),
    /// `length(col) <= n` (an ORM max length).
    MaxLen(String, u64),
    MinLen(String, u64),
}

#[derive(Debug, Clone)]
pub struct CheckC {
    pub name: String,
    /// The SQL text, for ORMs that take raw SQL.
    pub sql: String,
    /// The conjuncts in simple form; `None` when any conjunct has no simple form.
    pub simple: Option<Vec<Cond>>,
    /// The conjuncts that have a simple form (all of them when `simple` is set).
    pub partial: Vec<Cond>,
}

/// A predicate condition of a partial index, in simple form.
#[derive(Debug, Clone, PartialEq)]
pub enum PCond {
    Eq(String, Lit),
    Ne(String, Lit),
    In(String, Vec<Lit>),
    NotIn(String, Vec<Lit>),
    IsNull(String),
    IsNotNull(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Num(String),
    Bool(bool),
}

#[derive(Debug, Clone)]
pub struct IndexC {
    pub name: String,
    /// (column, descending).
    pub columns: Vec<(String, bool)>,
    pub unique: bool,
    /// Raw predicate SQL.
    pub predicate: Option<String>,
    /// Predicate in simple form, when it has one.
    pub simple_pred: Option<Vec<PCond>>,
}

/// A many-to-one (or one-to-one) reference from this table.
#[derive(Debug, Clone)]
pub struct Rel {
    pub constraint: String,
    pub columns: Vec<String>,
    pub target: String,
    pub target_columns: Vec<String>,
    /// Property for the referenced object (`user` for `user_id`).
    pub prop: String,
    pub attr: String,
    /// Property on the target for the inverse side.
    pub inverse_prop: String,
    pub inverse_attr: String,
    pub on_delete: String,
    pub on_update: String,
    pub nullable: bool,
    /// One-to-one: the columns are unique.
    pub one_to_one: bool,
    /// Several relations join the same two tables (ORMs need names to tell them apart).
    pub ambiguous: bool,
}

/// The inverse side of a [`Rel`], on the referenced table.
#[derive(Debug, Clone)]
pub struct Back {
    pub from_table: String,
    pub from_class: String,
    pub prop: String,
    pub attr: String,
    /// The owning side's property.
    pub owner_prop: String,
    pub owner_attr: String,
    pub owner_columns: Vec<String>,
    pub one_to_one: bool,
    pub ambiguous: bool,
    pub constraint: String,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub table: String,
    pub schema: Option<String>,
    pub class: String,
    pub fields: Vec<Field>,
    pub pk: Vec<String>,
    pub rels: Vec<Rel>,
    pub backs: Vec<Back>,
    /// Multi-column unique keys over all rows: (name, columns).
    pub uniques: Vec<(String, Vec<String>)>,
    /// Partial unique indexes and plain secondary indexes.
    pub indexes: Vec<IndexC>,
    pub checks: Vec<CheckC>,
    /// Objects no ORM declaration carries (expression and full-text indexes ...).
    pub sql_only: Vec<String>,
}

impl Model {
    pub fn field(&self, col: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.column.eq_ignore_ascii_case(col))
    }
}

/// The catalog's tables as ORM models, plus what stays in SQL (views, triggers ...).
pub struct Schema {
    pub dialect: Dialect,
    pub models: Vec<Model>,
    pub sql_only: Vec<String>,
}

impl Schema {
    pub fn model(&self, table: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.table == table)
    }
}

/// Singular of a snake_case table name: `order_items` → `order_item`, `categories` →
/// `category`, `people` → `person`.
pub fn singular(s: &str) -> String {
    let (head, last) = match s.rsplit_once('_') {
        Some((h, l)) => (format!("{h}_"), l.to_string()),
        None => (String::new(), s.to_string()),
    };
    let irregular = [
        ("people", "person"),
        ("children", "child"),
        ("men", "man"),
        ("women", "woman"),
        ("criteria", "criterion"),
        ("analyses", "analysis"),
    ];
    let one = if let Some((_, sg)) = irregular.iter().find(|(pl, _)| *pl == last) {
        sg.to_string()
    } else if let Some(stem) = last.strip_suffix("ies") {
        format!("{stem}y")
    } else if last.ends_with("sses")
        || last.ends_with("xes")
        || last.ends_with("zes")
        || last.ends_with("ches")
        || last.ends_with("shes")
        || last.ends_with("uses")
    {
        last[..last.len() - 2].to_string()
    } else if last.ends_with('s') && !last.ends_with("ss") && last.len() > 1 {
        last[..last.len() - 1].to_string()
    } else {
        last
    };
    format!("{head}{one}")
}

fn kind_of(dialect: Dialect, t: &crate::catalog::SqlType) -> Kind {
    let n = t.name.as_str();
    match t.family {
        TypeFamily::Integer => match (n, t.int_bytes) {
            ("smallint", _) | (_, Some(1 | 2)) => {
                if dialect == Dialect::Mysql && t.raw.to_ascii_uppercase().starts_with("TINYINT(1)")
                {
                    Kind::Bool
                } else {
                    Kind::SmallInt
                }
            }
            ("bigint", _) | ("bigserial", _) | (_, Some(8)) => Kind::BigInt,
            _ => Kind::Int,
        },
        TypeFamily::Decimal => Kind::Decimal(t.precision, t.scale),
        TypeFamily::Float => {
            if n.contains("real") || n == "float4" || n == "float" {
                Kind::Float
            } else {
                Kind::Double
            }
        }
        TypeFamily::Text => match (n, t.length) {
            ("varchar", Some(l)) | ("character varying", Some(l)) => Kind::VarChar(l),
            ("char", Some(l)) | ("character", Some(l)) | ("bpchar", Some(l)) => Kind::Char(l),
            _ => Kind::Text(None),
        },
        TypeFamily::Boolean => Kind::Bool,
        TypeFamily::Date => Kind::Date,
        TypeFamily::Time => Kind::Time,
        TypeFamily::Timestamp => Kind::Timestamp {
            tz: t.with_time_zone,
        },
        TypeFamily::Json => Kind::Json {
            binary: n == "jsonb",
        },
        TypeFamily::Uuid => Kind::Uuid,
        TypeFamily::Binary => Kind::Bytes,
        TypeFamily::Array => match &t.element {
            Some(el) => Kind::Array(Box::new(kind_of(dialect, el))),
            None => Kind::Other(t.raw.clone()),
        },
        _ => Kind::Other(t.raw.clone()),
    }
}

fn parse_expr(dialect: Dialect, s: &str) -> Option<Expr> {
    let d = dialect.parser_dialect();
    Parser::new(d.as_ref())
        .try_with_sql(s)
        .and_then(|mut p| p.parse_expr())
        .ok()
}

fn ident(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) => Some(i.value.clone()),
        Expr::CompoundIdentifier(v) => v.last().map(|i| i.value.clone()),
        Expr::Nested(x) => ident(x),
        _ => None,
    }
}

fn lit(e: &Expr) -> Option<Lit> {
    match e {
        Expr::Value(v) => match &v.value {
            SqlValue::Number(n, _) => Some(Lit::Num(n.clone())),
            SqlValue::SingleQuotedString(s) => Some(Lit::Str(s.clone())),
            SqlValue::Boolean(b) => Some(Lit::Bool(*b)),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match lit(expr)? {
            Lit::Num(n) => Some(Lit::Num(format!("-{n}"))),
            _ => None,
        },
        Expr::Nested(x) => lit(x),
        _ => None,
    }
}

fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            let mut v = conjuncts(left);
            v.extend(conjuncts(right));
            v
        }
        Expr::Nested(x) => conjuncts(x),
        other => vec![other],
    }
}

fn length_of(e: &Expr) -> Option<String> {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArguments};
    let Expr::Function(f) = e else { return None };
    let name = f.name.to_string().to_ascii_lowercase();
    if !matches!(name.as_str(), "char_length" | "length" | "character_length") {
        return None;
    }
    match &f.args {
        FunctionArguments::List(l) if l.args.len() == 1 => match &l.args[0] {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => ident(x),
            _ => None,
        },
        _ => None,
    }
}

fn simple_cond(e: &Expr) -> Option<Cond> {
    match e {
        Expr::BinaryOp { left, op, right } => {
            if let (Some(col), Some(Lit::Num(n))) = (length_of(left), lit(right)) {
                let n: u64 = n.parse().ok()?;
                return match op {
                    BinaryOperator::LtEq => Some(Cond::MaxLen(col, n)),
                    BinaryOperator::GtEq => Some(Cond::MinLen(col, n)),
                    _ => None,
                };
            }
            let col = ident(left)?;
            let Lit::Num(n) = lit(right)? else {
                return None;
            };
            match op {
                BinaryOperator::GtEq => Some(Cond::Ge(col, n)),
                BinaryOperator::LtEq => Some(Cond::Le(col, n)),
                BinaryOperator::Gt => Some(Cond::Gt(col, n)),
                BinaryOperator::Lt => Some(Cond::Lt(col, n)),
                _ => None,
            }
        }
        Expr::In {
            expr,
            target: InTarget::List(list),
            negated: false,
            ..
        } => {
            let col = ident(expr)?;
            let vals: Option<Vec<String>> = list
                .iter()
                .map(|x| match lit(x)? {
                    Lit::Str(s) => Some(s),
                    Lit::Num(n) => Some(n),
                    Lit::Bool(b) => Some(b.to_string()),
                })
                .collect();
            Some(Cond::In(col, vals?))
        }
        _ => None,
    }
}

fn pred_cond(e: &Expr) -> Option<PCond> {
    match e {
        Expr::IsNull(x) => Some(PCond::IsNull(ident(x)?)),
        Expr::IsNotNull(x) => Some(PCond::IsNotNull(ident(x)?)),
        Expr::BinaryOp { left, op, right } => {
            let col = ident(left)?;
            let v = lit(right)?;
            match op {
                BinaryOperator::Eq => Some(PCond::Eq(col, v)),
                BinaryOperator::NotEq => Some(PCond::Ne(col, v)),
                _ => None,
            }
        }
        Expr::In {
            expr,
            target: InTarget::List(list),
            negated,
            ..
        } => {
            let col = ident(expr)?;
            let vals: Option<Vec<Lit>> = list.iter().map(lit).collect();
            if *negated {
                Some(PCond::NotIn(col, vals?))
            } else {
                Some(PCond::In(col, vals?))
            }
        }
        _ => None,
    }
}

fn default_of(dialect: Dialect, raw: &str, kind: &Kind) -> Def {
    let s = raw.trim();
    let inner = s
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(s)
        .trim();
    let lower = inner.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "now()"
            | "current_timestamp"
            | "current_timestamp(6)"
            | "current_timestamp()"
            | "localtimestamp"
    ) || lower.starts_with("strftime('%y-%m-%d %h:%m:%f', 'now')")
    {
        return Def::Now;
    }
    if lower == "current_date" {
        return Def::Now;
    }
    // Strip a PostgreSQL cast: '...'::jsonb
    let uncast = match inner.rfind("::") {
        Some(i) if inner.starts_with('\'') => &inner[..i],
        _ => inner,
    };
    if let Some(e) = parse_expr(dialect, uncast) {
        match lit(&e) {
            Some(Lit::Str(v)) => {
                return match kind {
                    Kind::Json { .. } => Def::Json(v),
                    Kind::Text(_)
                        if dialect == Dialect::Sqlite
                            && (v.starts_with('{') || v.starts_with('[')) =>
                    {
                        Def::Str(v)
                    }
                    Kind::Array(_) if v == "{}" => Def::Json("[]".into()),
                    _ => Def::Str(v),
                };
            }
            Some(Lit::Num(n)) => {
                return match kind {
                    Kind::Bool => Def::Bool(n != "0"),
                    _ => Def::Num(n),
                };
            }
            Some(Lit::Bool(b)) => return Def::Bool(b),
            None => {}
        }
    }
    Def::Expr(s.to_string())
}

/// Read the catalog as ORM models.
pub fn from_catalog(cat: &Catalog) -> Schema {
    let d = cat.dialect;
    let mut models = Vec::new();
    let mut sql_only = Vec::new();
    let default_schema = d.default_schema();
    let tables: Vec<&Table> = cat
        .tables
        .iter()
        .filter(|t| {
            if t.kind == TableKind::Virtual {
                sql_only.push(format!("virtual table {}", t.name));
                return false;
            }
            true
        })
        .collect();
    for t in &tables {
        let tname = t.name.name.clone();
        let class = pascal_case(&singular(&snake_case(&tname)));
        let pk: Vec<String> = t
            .primary_key
            .as_ref()
            .map(|k| k.columns.clone())
            .unwrap_or_default();
        let fk_cols: Vec<String> = t
            .foreign_keys
            .iter()
            .flat_map(|f| f.columns.iter().cloned())
            .collect();
        // Unique single columns (constraints and full-row unique indexes).
        let mut single_unique: Vec<(String, String)> = t
            .uniques
            .iter()
            .filter(|u| u.columns.len() == 1)
            .map(|u| (u.columns[0].clone(), u.name.clone()))
            .collect();
        let mut uniques: Vec<(String, Vec<String>)> = t
            .uniques
            .iter()
            .filter(|u| u.columns.len() > 1)
            .map(|u| (u.name.clone(), u.columns.clone()))
            .collect();
        let mut indexes = Vec::new();
        let mut t_sql_only = Vec::new();
        for ix in cat.indexes_of(&t.name) {
            if matches!(ix.origin, IndexOrigin::PrimaryKey | IndexOrigin::Unique) {
                continue;
            }
            if ix.origin == IndexOrigin::ForeignKey {
                continue; // MySQL makes it by itself
            }
            let cols: Option<Vec<(String, bool)>> = ix
                .keys
                .iter()
                .map(|k| {
                    if k.opclass.is_some() {
                        None
                    } else {
                        k.column.clone().map(|c| (c, k.descending))
                    }
                })
                .collect();
            let plain = ix.method == "btree" && ix.include.is_empty();
            match cols {
                Some(cols) if plain => {
                    if ix.unique && ix.predicate.is_none() {
                        if cols.len() == 1 && !cols[0].1 {
                            single_unique.push((cols[0].0.clone(), ix.name.clone()));
                        } else {
                            uniques.push((
                                ix.name.clone(),
                                cols.iter().map(|c| c.0.clone()).collect(),
                            ));
                        }
                        continue;
                    }
                    let simple_pred = ix.predicate.as_ref().and_then(|p| {
                        let e = parse_expr(d, p)?;
                        conjuncts(&e).into_iter().map(pred_cond).collect()
                    });
                    indexes.push(IndexC {
                        name: ix.name.clone(),
                        columns: cols,
                        unique: ix.unique,
                        predicate: ix.predicate.clone(),
                        simple_pred,
                    });
                }
                _ => t_sql_only.push(format!(
                    "index {} ({} {})",
                    ix.name,
                    ix.method,
                    ix.keys
                        .iter()
                        .map(|k| {
                            let mut s = k.expr.clone();
                            if let Some(o) = &k.opclass {
                                s.push(' ');
                                s.push_str(o);
                            }
                            s
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
        let mut checks = Vec::new();
        for c in &t.checks {
            let each: Vec<Option<Cond>> = parse_expr(d, &c.expr)
                .map(|e| conjuncts(&e).into_iter().map(simple_cond).collect())
                .unwrap_or_else(|| vec![None]);
            let simple = each.iter().cloned().collect::<Option<Vec<Cond>>>();
            checks.push(CheckC {
                name: c.name.clone(),
                sql: c.expr.clone(),
                simple,
                partial: each.into_iter().flatten().collect(),
            });
        }
        let single_pk_rowid = d == Dialect::Sqlite
            && pk.len() == 1
            && t.column(&pk[0])
                .is_some_and(|c| c.data_type.name.eq_ignore_ascii_case("integer"));
        let mut fields = Vec::new();
        for c in &t.columns {
            let mut kind = kind_of(d, &c.data_type);
            // A CHECK on the length of unbounded text gives the ORM its max length.
            if let Kind::Text(None) = kind {
                for cond in checks.iter().flat_map(|ch| ch.partial.iter()) {
                    if let Cond::MaxLen(col, n) = cond
                        && col.eq_ignore_ascii_case(&c.name)
                    {
                        kind = Kind::Text(Some(*n));
                    }
                }
            }
            let is_pk = pk.iter().any(|p| p.eq_ignore_ascii_case(&c.name));
            let generated = match (&c.identity, c.auto_increment) {
                (Some(Identity::Always), _) => Gen::Identity { always: true },
                (Some(Identity::ByDefault), _) => Gen::Identity { always: false },
                (None, true) => Gen::AutoIncrement,
                _ if is_pk && single_pk_rowid => Gen::AutoIncrement,
                _ => match &c.default {
                    Some(x) if is_pk && x.to_ascii_lowercase().contains("uuid") => {
                        Gen::UuidDefault(x.clone())
                    }
                    Some(x)
                        if is_pk
                            && d == Dialect::Sqlite
                            && x.to_ascii_lowercase().contains("randomblob") =>
                    {
                        Gen::UuidDefault(x.clone())
                    }
                    _ => Gen::None,
                },
            };
            let default = match (&generated, &c.default) {
                (Gen::None, Some(x)) if c.sequence.is_none() => Some(default_of(d, x, &kind)),
                _ => None,
            };
            let choices = checks
                .iter()
                .flat_map(|ch| ch.partial.iter())
                .find_map(|cond| match cond {
                    Cond::In(col, vals) if col.eq_ignore_ascii_case(&c.name) => Some(vals.clone()),
                    _ => None,
                })
                .filter(|v| matches!(kind, Kind::Text(_) | Kind::VarChar(_)) && !v.is_empty())
                .unwrap_or_default();
            fields.push(Field {
                column: c.name.clone(),
                prop: camel_case(&c.name),
                attr: snake_case(&c.name),
                kind,
                nullable: c.nullable,
                pk: is_pk,
                default_sql: match &generated {
                    Gen::UuidDefault(x) => Some(x.clone()),
                    Gen::None => c.default.clone(),
                    _ => None,
                },
                generated,
                default,
                unique: single_unique
                    .iter()
                    .find(|(col, _)| col.eq_ignore_ascii_case(&c.name))
                    .map(|(_, n)| n.clone()),
                choices,
                fk: fk_cols.iter().any(|f| f.eq_ignore_ascii_case(&c.name)),
            });
        }
        models.push(Model {
            table: tname,
            schema: (!t.name.schema.is_empty() && t.name.schema != default_schema)
                .then(|| t.name.schema.clone()),
            class,
            fields,
            pk,
            rels: Vec::new(),
            backs: Vec::new(),
            uniques,
            indexes,
            checks,
            sql_only: t_sql_only,
        });
    }
    // Relations, after all models exist (names depend on the other side).
    for t in &tables {
        for fk in &t.foreign_keys {
            let Some(target) = tables.iter().find(|x| cat.name_eq(&x.name, &fk.ref_table)) else {
                continue;
            };
            let same_pair = t
                .foreign_keys
                .iter()
                .filter(|f| cat.name_eq(&f.ref_table, &fk.ref_table))
                .count();
            // Two relations between the same pair of tables, in either direction, need names.
            let reverse = target
                .foreign_keys
                .iter()
                .filter(|f| cat.name_eq(&f.ref_table, &t.name))
                .count();
            let ambiguous = same_pair + reverse > 1 || cat.name_eq(&t.name, &target.name);
            let base = {
                let c = &fk.columns[0];
                let rc = fk.ref_columns.first().cloned().unwrap_or_default();
                c.strip_suffix(&format!("_{rc}"))
                    .or_else(|| c.strip_suffix("_id"))
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{c}_ref"))
            };
            let one_to_one = t
                .uniques
                .iter()
                .map(|u| &u.columns)
                .chain(t.primary_key.iter().map(|k| &k.columns))
                .any(|cols| cols == &fk.columns)
                || cat.indexes_of(&t.name).any(|i| {
                    i.unique
                        && i.predicate.is_none()
                        && i.columns().is_some_and(|c| {
                            c.len() == fk.columns.len()
                                && c.iter().zip(&fk.columns).all(|(a, b)| a == b)
                        })
                });
            let model_i = models
                .iter()
                .position(|m| m.table == t.name.name)
                .unwrap_or(0);
            let mut prop_attr = snake_case(&base);
            if models[model_i].field(&prop_attr).is_some() {
                prop_attr = format!("{prop_attr}_rel");
            }
            let child_snake = snake_case(&t.name.name);
            let child_single = singular(&child_snake);
            let inv_base = if one_to_one {
                child_single.clone()
            } else {
                child_snake.clone()
            };
            let inverse_attr = if ambiguous {
                format!("{inv_base}_as_{prop_attr}")
            } else {
                inv_base
            };
            let nullable = fk
                .columns
                .iter()
                .any(|c| t.column(c).is_none_or(|x| x.nullable));
            let target_i = models
                .iter()
                .position(|m| m.table == target.name.name)
                .unwrap_or(0);
            let mut inverse_attr = inverse_attr;
            if models[target_i].field(&inverse_attr).is_some() {
                inverse_attr = format!("{inverse_attr}_set");
            }
            let rel = Rel {
                constraint: fk.name.clone(),
                columns: fk.columns.clone(),
                target: target.name.name.clone(),
                target_columns: fk.ref_columns.clone(),
                prop: camel_case(&prop_attr),
                attr: prop_attr.clone(),
                inverse_prop: camel_case(&inverse_attr),
                inverse_attr: inverse_attr.clone(),
                on_delete: fk.on_delete.clone(),
                on_update: fk.on_update.clone(),
                nullable,
                one_to_one,
                ambiguous,
            };
            let back = Back {
                from_table: t.name.name.clone(),
                from_class: models[model_i].class.clone(),
                prop: rel.inverse_prop.clone(),
                attr: rel.inverse_attr.clone(),
                owner_prop: rel.prop.clone(),
                owner_attr: rel.attr.clone(),
                owner_columns: fk.columns.clone(),
                one_to_one,
                ambiguous,
                constraint: fk.name.clone(),
            };
            models[model_i].rels.push(rel);
            models[target_i].backs.push(back);
        }
    }
    for v in &cat.views {
        sql_only.push(format!(
            "{} {}",
            if v.materialized {
                "materialized view"
            } else {
                "view"
            },
            v.name
        ));
    }
    for tr in &cat.triggers {
        sql_only.push(format!("trigger {} on {}", tr.name, tr.table));
    }
    for f in &cat.functions {
        sql_only.push(format!("{} {}", f.kind.to_lowercase(), f.name));
    }
    Schema {
        dialect: d,
        models,
        sql_only,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singulars() {
        for (pl, sg) in [
            ("users", "user"),
            ("order_items", "order_item"),
            ("categories", "category"),
            ("addresses", "address"),
            ("statuses", "status"),
            ("people", "person"),
            ("boxes", "box"),
            ("user_users", "user_user"),
            ("class", "class"),
        ] {
            assert_eq!(singular(pl), sg);
        }
    }
}

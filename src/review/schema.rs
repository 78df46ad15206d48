//! SCH: schema design rules, computed from the catalog (tables, columns, types, keys, indexes).

use super::Ctx;
use super::words::split_words;
use crate::catalog::{Catalog, Column, ForeignKey, Index, Table, TableKind, TypeFamily};
use crate::sql::Dialect;

/// Tables the design rules look at: ordinary, partitioned and unlogged tables. Partitions are
/// reported through their parent; temporary, foreign and virtual tables are not designs.
pub fn design_tables(cat: &Catalog) -> impl Iterator<Item = &Table> {
    cat.tables.iter().filter(|t| {
        matches!(
            t.kind,
            TableKind::Table | TableKind::Partitioned | TableKind::Unlogged
        ) && t.partition_of.is_none()
    })
}

pub fn check(cx: &mut Ctx) {
    let cat = cx.cat;
    for t in design_tables(cat) {
        no_primary_key(cx, t);
        for fk in t.foreign_keys.iter().filter(|f| f.inherited_from.is_none()) {
            fk_without_index(cx, t, fk);
            fk_type_mismatch(cx, t, fk);
        }
        implied_fk(cx, t);
        multi_valued(cx, t);
        eav(cx, t);
        repeating_groups(cx, t);
        for c in &t.columns {
            column_types(cx, t, c);
        }
        int_id_overflow(cx, t);
        nullable_unique(cx, t);
        if t.columns.len() > 50 {
            cx.emit(
                "SCH019",
                format!("table {} has {} columns", t.name, t.columns.len()),
                t.span.as_ref(),
                "Split optional or rarely used column groups into 1:1 side tables, and repeating groups into child tables.".into(),
                None,
            );
        }
        identifiers(cx, t);
        enum_values(cx, t);
        duplicate_fk(cx, t);
        mysql_options(cx, t);
    }
    long_identifiers(cx);
    orphans(cx);
    cycles(cx);
    cascade_chains(cx);
}

fn alter(cx: &Ctx, t: &Table) -> String {
    format!("ALTER TABLE {}", cx.qn(&t.name))
}

/// `ALTER TABLE t ALTER COLUMN c TYPE x [USING ...]` (PostgreSQL) or `MODIFY` (MySQL), keeping
/// NOT NULL; a default that would not cast is dropped and set again around the change.
fn retype(cx: &Ctx, t: &Table, c: &Column, new_type: &str, using: Option<String>) -> String {
    let col = cx.q(&c.name);
    if cx.my() {
        return format!(
            "{} MODIFY COLUMN {col} {new_type}{};",
            alter(cx, t),
            if c.nullable { " NULL" } else { " NOT NULL" }
        );
    }
    let using = using.map(|u| format!(" USING {u}")).unwrap_or_default();
    match &c.default {
        Some(_) if using.is_empty() => {
            format!("{} ALTER COLUMN {col} TYPE {new_type};", alter(cx, t))
        }
        Some(d) => format!(
            "{a} ALTER COLUMN {col} DROP DEFAULT;\n{a} ALTER COLUMN {col} TYPE {new_type}{using};\n{a} ALTER COLUMN {col} SET DEFAULT ({d})::{new_type};",
            a = alter(cx, t)
        ),
        None => format!(
            "{} ALTER COLUMN {col} TYPE {new_type}{using};",
            alter(cx, t)
        ),
    }
}

/// Bookkeeping tables of migration tools: not part of the design.
pub fn tool_table(t: &Table) -> bool {
    tool_table_name(&t.name.name)
}

/// Whether a table name is a migration tool's bookkeeping table.
pub fn tool_table_name(name: &str) -> bool {
    const TOOLS: &[&str] = &[
        "schema_migrations",
        "ar_internal_metadata",
        "flyway_schema_history",
        "alembic_version",
        "__diesel_schema_migrations",
        "knex_migrations",
        "knex_migrations_lock",
        "django_migrations",
        "_prisma_migrations",
        "goose_db_version",
        "_sqlx_migrations",
        "databasechangelog",
        "databasechangeloglock",
    ];
    TOOLS.iter().any(|n| name.eq_ignore_ascii_case(n))
}

fn no_primary_key(cx: &mut Ctx, t: &Table) {
    if t.primary_key.is_some() || tool_table(t) {
        return;
    }
    // A NOT NULL unique key can be promoted.
    let promotable = t.uniques.iter().find(|u| {
        u.columns
            .iter()
            .all(|c| t.column(c).is_some_and(|c| !c.nullable))
    });
    let fix = if let Some(u) = promotable {
        let cols: Vec<String> = u.columns.iter().map(|c| cx.q(c)).collect();
        Some((
            format!(
                "promote the unique key ({}) to the primary key",
                u.columns.join(", ")
            ),
            format!("{} ADD PRIMARY KEY ({});", alter(cx, t), cols.join(", ")),
        ))
    } else if t.column("id").is_none() {
        match cx.dialect {
            Dialect::Postgres if cx.at_least(10, 0) => Some((
                "add a bigint identity key".into(),
                format!(
                    "{} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;",
                    alter(cx, t)
                ),
            )),
            Dialect::Postgres => Some((
                "add a bigserial key".into(),
                format!("{} ADD COLUMN id bigserial PRIMARY KEY;", alter(cx, t)),
            )),
            Dialect::Mysql => Some((
                "add an auto-increment key".into(),
                format!(
                    "{} ADD COLUMN id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST;",
                    alter(cx, t)
                ),
            )),
            _ => None,
        }
    } else {
        None
    };
    let help = match promotable {
        Some(u) => format!(
            "The unique key ({}) is NOT NULL: make it the primary key.",
            u.columns.join(", ")
        ),
        None => "Add a surrogate key (bigint identity) or declare the natural key as PRIMARY KEY."
            .into(),
    };
    cx.emit(
        "SCH001",
        format!("table {} has no primary key", t.name),
        t.span.as_ref(),
        help,
        fix,
    );
}

/// Whether some index of `t` has `cols` (in any order) as its leading columns and covers all
/// rows. Hash indexes cover single-column keys (equality is all a FK check needs).
pub fn fk_covered(cat: &Catalog, t: &Table, cols: &[String]) -> bool {
    cat.indexes_of(&t.name).any(|i| index_covers(cat, i, cols))
}

fn index_covers(cat: &Catalog, i: &Index, cols: &[String]) -> bool {
    let method_ok = matches!(i.method.as_str(), "btree" | "" | "hash")
        && (i.method != "hash" || cols.len() == 1);
    method_ok
        && i.predicate.is_none()
        && i.keys.len() >= cols.len()
        && i.keys[..cols.len()].iter().all(|k| {
            k.column
                .as_deref()
                .is_some_and(|kc| cols.iter().any(|c| cat.ident_eq(c, kc)))
        })
}

fn index_name(cx: &Ctx, t: &Table, cols: &[String]) -> String {
    let mut n = format!("{}_{}_idx", t.name.name, cols.join("_"));
    let max = if cx.my() { 64 } else { 63 };
    while n.len() > max {
        n.remove(max - 5);
    }
    n.to_ascii_lowercase()
}

fn fk_without_index(cx: &mut Ctx, t: &Table, fk: &ForeignKey) {
    if cx.my() || fk.columns.is_empty() || fk_covered(cx.cat, t, &fk.columns) {
        return;
    }
    let cols: Vec<String> = fk.columns.iter().map(|c| cx.q(c)).collect();
    let name = index_name(cx, t, &fk.columns);
    let span = t
        .column(&fk.columns[0])
        .and_then(|c| c.span.as_ref())
        .or(fk.span.as_ref());
    cx.emit(
        "SCH002",
        format!(
            "foreign key {}({}) → {} has no index with those leading columns",
            t.name,
            fk.columns.join(", "),
            fk.ref_table
        ),
        span,
        format!(
            "Deletes on {} scan {} to check this constraint, and joins from {} cannot use an index.{}",
            fk.ref_table,
            t.name,
            fk.ref_table,
            if cx.pg() { " On a live table create it CONCURRENTLY (outside a transaction)." } else { "" }
        ),
        Some((
            format!("index {}({})", t.name, fk.columns.join(", ")),
            format!(
                "CREATE INDEX {} ON {} ({});",
                cx.q(&name),
                cx.qn(&t.name),
                cols.join(", ")
            ),
        )),
    );
}

/// A comparable shape of a type for FK matching: text types all match each other.
fn type_key(c: &Column) -> String {
    let ty = &c.data_type;
    match ty.family {
        TypeFamily::Integer => format!(
            "int{}{}",
            ty.int_bytes.unwrap_or(0),
            if ty.unsigned { "u" } else { "" }
        ),
        TypeFamily::Text => "text".into(),
        TypeFamily::Decimal => format!("{}({:?},{:?})", ty.name, ty.precision, ty.scale),
        _ => ty.name.clone(),
    }
}

fn fk_type_mismatch(cx: &mut Ctx, t: &Table, fk: &ForeignKey) {
    let Some(parent) = cx.cat.table(&fk.ref_table) else {
        return;
    };
    for (c, rc) in fk.columns.iter().zip(&fk.ref_columns) {
        let (Some(a), Some(b)) = (t.column(c), parent.column(rc)) else {
            continue;
        };
        if type_key(a) == type_key(b) {
            continue;
        }
        // Widen, never narrow: when the referencing integer is the wider one, the referenced
        // key is what should grow (it can run out first).
        let widen_parent = a.data_type.family == TypeFamily::Integer
            && b.data_type.family == TypeFamily::Integer
            && a.data_type.int_bytes > b.data_type.int_bytes;
        let (ft, fc, src) = if widen_parent {
            (parent, b, a)
        } else {
            (t, a, b)
        };
        let target = if cx.my() {
            let mut s = src.data_type.raw.clone();
            if src.data_type.unsigned && !s.to_ascii_lowercase().contains("unsigned") {
                s.push_str(" UNSIGNED");
            }
            s
        } else {
            src.data_type.name.clone()
        };
        cx.emit(
            "SCH004",
            format!(
                "{}.{} is {} but references {}.{} of type {}",
                t.name, c, a.data_type.raw, parent.name, rc, b.data_type.raw
            ),
            a.span.as_ref().or(fk.span.as_ref()),
            if widen_parent {
                format!(
                    "Widen {}.{} to {} (the referencing column already is).",
                    parent.name, rc, target
                )
            } else {
                format!("Give {}.{} the type of {}.{}.", t.name, c, parent.name, rc)
            },
            Some((
                format!("change {}.{} to {}", ft.name, fc.name, target),
                retype(cx, ft, fc, &target, None),
            )),
        );
    }
}

/// Tables a `<x>_id` column may point at: named `x`, `xs`, `xes` or (`xy`) `xies`. The
/// candidate names are built once per column, so the scan over tables does not allocate.
fn implied_target<'a>(cat: &'a Catalog, t: &Table, stem: &str) -> Option<&'a Table> {
    let mut names = vec![stem.to_string(), format!("{stem}s"), format!("{stem}es")];
    if let Some(s) = stem.strip_suffix('y') {
        names.push(format!("{s}ies"));
    }
    design_tables(cat).find(|o| {
        names.iter().any(|n| o.name.name.eq_ignore_ascii_case(n)) && !cat.name_eq(&o.name, &t.name)
    })
}

fn implied_fk(cx: &mut Ctx, t: &Table) {
    for c in &t.columns {
        let low = c.name.to_ascii_lowercase();
        let Some(stem) = low.strip_suffix("_id").filter(|s| !s.is_empty()) else {
            continue;
        };
        if t.foreign_keys
            .iter()
            .any(|f| f.columns.iter().any(|fc| cx.cat.ident_eq(fc, &c.name)))
        {
            continue;
        }
        let Some(target) = implied_target(cx.cat, t, stem) else {
            continue;
        };
        let Some(pk) = target.primary_key.as_ref().filter(|k| k.columns.len() == 1) else {
            continue;
        };
        let Some(pkc) = target.column(&pk.columns[0]) else {
            continue;
        };
        let compatible = type_key(c) == type_key(pkc);
        if !compatible && c.data_type.family != pkc.data_type.family {
            // Same name, unrelated type (a text `code_id` vs an integer key): not a reference.
            continue;
        }
        let fix = compatible.then(|| {
            let name = format!("{}_{}_fkey", t.name.name, c.name).to_ascii_lowercase();
            (
                format!(
                    "declare {}.{} → {}({})",
                    t.name, c.name, target.name, pkc.name
                ),
                format!(
                    "{} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({});",
                    alter(cx, t),
                    cx.q(&name),
                    cx.q(&c.name),
                    cx.qn(&target.name),
                    cx.q(&pkc.name)
                ),
            )
        });
        cx.emit(
            "SCH003",
            format!(
                "{}.{} looks like a reference to {}({}) but has no foreign key",
                t.name, c.name, target.name, pkc.name
            ),
            c.span.as_ref().or(t.span.as_ref()),
            if compatible {
                "Declare the foreign key (clean up orphaned ids first), then index the column."
                    .into()
            } else {
                format!(
                    "Declare the foreign key after giving the column the key's type ({}).",
                    pkc.data_type.raw
                )
            },
            fix,
        );
    }
}

/// Whether a column name says it holds a list of ids.
pub fn list_of_ids_name(name: &str) -> bool {
    let w = split_words(name);
    let Some(last) = w.last() else { return false };
    matches!(last.as_str(), "ids" | "uuids" | "list" | "csv") && w.len() >= 2
}

fn multi_valued(cx: &mut Ctx, t: &Table) {
    for c in &t.columns {
        let fam = c.data_type.family;
        if !matches!(fam, TypeFamily::Text | TypeFamily::Json | TypeFamily::Array) {
            continue;
        }
        if !list_of_ids_name(&c.name) {
            continue;
        }
        let kind = match fam {
            TypeFamily::Text => "a delimited list in text",
            TypeFamily::Json => "a JSON array",
            _ => "an array",
        };
        cx.emit(
            "SCH005",
            format!("{}.{} stores a list of ids as {kind}", t.name, c.name),
            c.span.as_ref().or(t.span.as_ref()),
            "Replace it with a junction table (owner id, referenced id) with a foreign key on each side; `kd-dba review --normalize` writes the DDL and the migration.".into(),
            None,
        );
    }
}

fn eav(cx: &mut Ctx, t: &Table) {
    const ATTR: &[&str] = &[
        "attribute",
        "attr",
        "attribute_name",
        "attr_name",
        "key",
        "meta_key",
        "property",
        "property_name",
        "field",
        "field_name",
    ];
    const VAL: &[&str] = &[
        "value",
        "val",
        "attribute_value",
        "attr_value",
        "meta_value",
        "property_value",
        "field_value",
    ];
    let has = |names: &[&str]| {
        t.columns
            .iter()
            .find(|c| names.iter().any(|n| c.name.eq_ignore_ascii_case(n)))
    };
    let (Some(a), Some(v)) = (has(ATTR), has(VAL)) else {
        return;
    };
    let entity = t.columns.iter().find(|c| {
        let l = c.name.to_ascii_lowercase();
        (l.ends_with("_id") || l == "entity" || l == "entity_type")
            && !t
                .primary_key
                .as_ref()
                .is_some_and(|k| k.columns.len() == 1 && k.columns[0].eq_ignore_ascii_case(&c.name))
    });
    let Some(e) = entity else { return };
    if !matches!(
        v.data_type.family,
        TypeFamily::Text | TypeFamily::Json | TypeFamily::Other
    ) {
        return;
    }
    cx.emit(
        "SCH006",
        format!(
            "{} stores {}/{} pairs per {}: entity–attribute–value",
            t.name, a.name, v.name, e.name
        ),
        t.span.as_ref(),
        "Make the known attributes typed columns of the entity (or of a subtype table); keep truly open-ended ones in one jsonb column.".into(),
        None,
    );
}

/// Column groups `stem1, stem2, ...` of one table (at least two, same type family).
pub fn repeating_group_list(t: &Table) -> Vec<(String, Vec<&Column>)> {
    let mut groups: Vec<(String, Vec<&Column>)> = Vec::new();
    for c in &t.columns {
        let stem = c.name.trim_end_matches(|ch: char| ch.is_ascii_digit());
        if stem.len() == c.name.len() || stem.is_empty() {
            continue;
        }
        let stem = stem.trim_end_matches('_').to_ascii_lowercase();
        if stem.is_empty() || stem.ends_with("line") || stem.ends_with("address_line") {
            continue;
        }
        match groups.iter_mut().find(|(s, _)| *s == stem) {
            Some((_, v)) => v.push(c),
            None => groups.push((stem, vec![c])),
        }
    }
    groups.retain(|(_, v)| {
        v.len() >= 2
            && v.iter()
                .all(|c| c.data_type.family == v[0].data_type.family)
    });
    groups
}

fn repeating_groups(cx: &mut Ctx, t: &Table) {
    for (stem, cols) in repeating_group_list(t) {
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        cx.emit(
            "SCH007",
            format!(
                "{}.{} repeat one attribute ({stem})",
                t.name,
                names.join(", ")
            ),
            cols[0].span.as_ref().or(t.span.as_ref()),
            format!(
                "Move {stem} to a child table with one row per value (owner id, position, {stem}); `kd-dba review --normalize` writes the DDL and the migration."
            ),
            None,
        );
    }
}

const MONEY: &[&str] = &[
    "price", "amount", "cost", "total", "subtotal", "balance", "fee", "fees", "salary", "money",
    "payment", "tax", "discount", "revenue", "wage", "charge", "budget", "refund", "credit",
    "debit", "paid", "due", "payout", "income", "expense", "prices", "amounts", "costs",
];

fn column_types(cx: &mut Ctx, t: &Table, c: &Column) {
    let ty = &c.data_type;
    let words = split_words(&c.name);
    let span = c.span.as_ref().or(t.span.as_ref());
    let tc = format!("{}.{}", t.name, c.name);
    // SCH008
    if ty.family == TypeFamily::Float && words.iter().any(|w| MONEY.contains(&w.as_str())) {
        let target = if cx.my() {
            "DECIMAL(12,2)"
        } else {
            "numeric(12,2)"
        };
        let fix = (cx.pg() || cx.my()).then(|| {
            (
                format!("store {tc} as {target}"),
                retype(cx, t, c, target, None),
            )
        });
        cx.emit(
            "SCH008",
            format!("{tc} is {} but holds money", ty.raw),
            span,
            "Use numeric/decimal with the currency's scale (or integer cents).".into(),
            fix,
        );
    }
    // SCH009
    if cx.my() && matches!(ty.name.as_str(), "decimal" | "numeric") && ty.precision.is_none() {
        cx.emit(
            "SCH009",
            format!(
                "{tc} is {} without precision: DECIMAL(10,0) drops every fraction",
                ty.raw
            ),
            span,
            "Give precision and scale, e.g. DECIMAL(12,2).".into(),
            Some((
                format!("make {tc} DECIMAL(12,2)"),
                retype(cx, t, c, "DECIMAL(12,2)", None),
            )),
        );
    }
    if cx.pg() {
        // SCH012
        if ty.family == TypeFamily::Timestamp && !ty.with_time_zone {
            cx.emit(
                "SCH012",
                format!("{tc} is timestamp without time zone"),
                span,
                "Use timestamptz; the fix reads the stored values as UTC (change 'UTC' if they were written in another zone).".into(),
                Some((
                    format!("make {tc} timestamptz"),
                    retype(cx, t, c, "timestamptz", Some(format!("{} AT TIME ZONE 'UTC'", cx.q(&c.name)))),
                )),
            );
        }
        // SCH013
        if ty.name == "varchar" && ty.length.is_some() && ty.family == TypeFamily::Text {
            cx.emit(
                "SCH013",
                format!("{tc} is {}", ty.raw),
                span,
                format!(
                    "Use text; if {} characters is a business rule, keep it as CHECK (char_length({}) <= {}).",
                    ty.length.unwrap_or(0),
                    c.name,
                    ty.length.unwrap_or(0)
                ),
                Some((format!("make {tc} text"), retype(cx, t, c, "text", None))),
            );
        }
        // SCH014
        if ty.name == "char" && ty.family == TypeFamily::Text {
            cx.emit(
                "SCH014",
                format!("{tc} is {} (blank-padded)", ty.raw),
                span,
                "Use text with a CHECK on the length; the conversion strips trailing blanks."
                    .into(),
                Some((format!("make {tc} text"), retype(cx, t, c, "text", None))),
            );
        }
        // SCH015
        if ty.name == "json" && cx.at_least(9, 4) {
            cx.emit(
                "SCH015",
                format!("{tc} is json"),
                span,
                "Use jsonb: parsed once, comparable, GIN-indexable.".into(),
                Some((
                    format!("make {tc} jsonb"),
                    retype(cx, t, c, "jsonb", Some(format!("{}::jsonb", cx.q(&c.name)))),
                )),
            );
        }
        // SCH037
        if ty.name == "money" {
            cx.emit(
                "SCH037",
                format!("{tc} uses the money type"),
                span,
                "Use numeric(12,2) plus a currency column.".into(),
                Some((
                    format!("make {tc} numeric(12,2)"),
                    retype(
                        cx,
                        t,
                        c,
                        "numeric(12,2)",
                        Some(format!("{}::numeric", cx.q(&c.name))),
                    ),
                )),
            );
        }
        // SCH041
        let flag = words.len() >= 2
            && matches!(
                words[0].as_str(),
                "is" | "has" | "can" | "should" | "allow" | "allows"
            );
        if flag
            && (ty.family == TypeFamily::Integer
                || (ty.family == TypeFamily::Text && ty.length == Some(1)))
        {
            let fix = (ty.family == TypeFamily::Integer).then(|| {
                let col = cx.q(&c.name);
                let a = alter(cx, t);
                let mut sql = String::new();
                if c.default.is_some() {
                    sql.push_str(&format!("{a} ALTER COLUMN {col} DROP DEFAULT;\n"));
                }
                sql.push_str(&format!(
                    "{a} ALTER COLUMN {col} TYPE boolean USING {col} <> 0;"
                ));
                if let Some(d) = &c.default {
                    let v = d
                        .trim()
                        .trim_matches(|ch| ch == '(' || ch == ')' || ch == '\'');
                    let b = if v == "0" { "false" } else { "true" };
                    sql.push_str(&format!("\n{a} ALTER COLUMN {col} SET DEFAULT {b};"));
                }
                (format!("make {tc} boolean"), sql)
            });
            cx.emit(
                "SCH041",
                format!("flag {tc} is {}", ty.raw),
                span,
                "Use boolean.".into(),
                fix,
            );
        }
        // SCH042
        if ty.family == TypeFamily::Text && words.last().is_some_and(|w| w == "uuid" || w == "guid")
        {
            cx.emit(
                "SCH042",
                format!("{tc} holds UUIDs as {}", ty.raw),
                span,
                "Use the uuid type (16 bytes, validated, case-insensitive input).".into(),
                Some((
                    format!("make {tc} uuid"),
                    retype(cx, t, c, "uuid", Some(format!("{}::uuid", cx.q(&c.name)))),
                )),
            );
        }
        // SCH053
        if ty.name == "timetz" {
            cx.emit(
                "SCH053",
                format!("{tc} is time with time zone"),
                span,
                "Store a time plus a time-zone name, or a timestamptz.".into(),
                None,
            );
        }
    }
    // SCH017
    if let Some(d) = &c.default {
        let inner = d.trim().split("::").next().unwrap_or("").trim();
        if inner.eq_ignore_ascii_case("'null'") {
            let col = cx.q(&c.name);
            let fix = (cx.pg() || cx.my()).then(|| {
                (
                    format!("make the default of {tc} NULL and clear stored 'NULL' strings"),
                    format!(
                        "{} ALTER COLUMN {col} SET DEFAULT NULL;\nUPDATE {} SET {col} = NULL WHERE {col} = 'NULL';",
                        alter(cx, t),
                        cx.qn(&t.name)
                    ),
                )
            });
            cx.emit(
                "SCH017",
                format!("{tc} defaults to the string 'NULL'"),
                span,
                "Write DEFAULT NULL (no quotes).".into(),
                fix,
            );
        }
    }
    // SCH050
    if cx.my() && ty.name == "timestamp" {
        cx.emit(
            "SCH050",
            format!("{tc} is TIMESTAMP: no value after 2038-01-19"),
            span,
            "Use DATETIME(6) holding UTC values, unless the engine version extends TIMESTAMP."
                .into(),
            None,
        );
    }
}

fn int_id_overflow(cx: &mut Ctx, t: &Table) {
    if cx.dialect == Dialect::Sqlite {
        return;
    }
    let Some(pk) = t.primary_key.as_ref().filter(|k| k.columns.len() == 1) else {
        return;
    };
    let Some(c) = t.column(&pk.columns[0]) else {
        return;
    };
    let ty = &c.data_type;
    let generated = c.identity.is_some() || c.auto_increment || c.sequence.is_some();
    if ty.family != TypeFamily::Integer || ty.int_bytes.unwrap_or(8) > 4 || !generated {
        return;
    }
    let max: u64 = match (ty.int_bytes, ty.unsigned) {
        (Some(1), false) => 127,
        (Some(1), true) => 255,
        (Some(2), false) => 32_767,
        (Some(2), true) => 65_535,
        (Some(3), false) => 8_388_607,
        (Some(3), true) => 16_777_215,
        (_, true) => 4_294_967_295,
        _ => 2_147_483_647,
    };
    // Referencing columns must widen too.
    let children: Vec<(&Table, &ForeignKey)> = cx
        .cat
        .tables
        .iter()
        .flat_map(|ct| ct.foreign_keys.iter().map(move |f| (ct, f)))
        .filter(|(ct, f)| {
            f.inherited_from.is_none()
                && ct.partition_of.is_none()
                && cx.cat.name_eq(&f.ref_table, &t.name)
                && f.ref_columns.len() == 1
                && cx.cat.ident_eq(&f.ref_columns[0], &c.name)
        })
        .collect();
    let fix = if cx.pg() {
        let mut sql = format!(
            "{} ALTER COLUMN {} TYPE bigint;",
            alter(cx, t),
            cx.q(&c.name)
        );
        if let (Some(seq), true, None) = (&c.sequence, cx.at_least(10, 0), c.identity) {
            sql.push_str(&format!("\nALTER SEQUENCE {} AS bigint;", cx.qn(seq)));
        }
        for (ct, f) in &children {
            if let Some(cc) = ct.column(&f.columns[0]) {
                sql.push_str(&format!(
                    "\nALTER TABLE {} ALTER COLUMN {} TYPE bigint;",
                    cx.qn(&ct.name),
                    cx.q(&cc.name)
                ));
            }
        }
        Some((
            "widen the key (and the columns referencing it) to bigint".to_string(),
            sql,
        ))
    } else if cx.my() && children.is_empty() {
        Some((
            "widen the key to BIGINT".to_string(),
            format!(
                "{} MODIFY COLUMN {} BIGINT{} NOT NULL AUTO_INCREMENT;",
                alter(cx, t),
                cx.q(&c.name),
                if ty.unsigned { " UNSIGNED" } else { "" }
            ),
        ))
    } else {
        None
    };
    cx.emit(
        "SCH010",
        format!(
            "{}.{} is {} and generated: it runs out after {} rows",
            t.name, c.name, ty.raw, max
        ),
        c.span.as_ref().or(t.span.as_ref()),
        "Use bigint for generated keys; widening later rewrites this table and every table referencing it.".into(),
        fix,
    );
}

fn nullable_unique(cx: &mut Ctx, t: &Table) {
    let mut seen: Vec<String> = Vec::new();
    for i in cx.cat.indexes_of(&t.name) {
        if !i.unique
            || i.predicate.is_some()
            || i.inherited_from.is_some()
            || i.origin == crate::catalog::IndexOrigin::PrimaryKey
        {
            continue;
        }
        let nnd = t
            .uniques
            .iter()
            .any(|u| u.name == i.name && u.nulls_not_distinct);
        if nnd {
            continue;
        }
        for k in &i.keys {
            let Some(c) = k.column.as_deref().and_then(|n| t.column(n)) else {
                continue;
            };
            if !c.nullable || seen.contains(&c.name) {
                continue;
            }
            seen.push(c.name.clone());
            let col = cx.q(&c.name);
            let fix = if cx.pg() {
                Some((
                    format!("make {}.{} NOT NULL", t.name, c.name),
                    format!("{} ALTER COLUMN {col} SET NOT NULL;", alter(cx, t)),
                ))
            } else if cx.my() {
                Some((
                    format!("make {}.{} NOT NULL", t.name, c.name),
                    format!(
                        "{} MODIFY COLUMN {col} {} NOT NULL;",
                        alter(cx, t),
                        c.data_type.raw
                    ),
                ))
            } else {
                None
            };
            cx.emit(
                "SCH016",
                format!(
                    "{}.{} is nullable but part of the unique key {}: any number of rows can hold NULL",
                    t.name, c.name, i.name
                ),
                c.span.as_ref().or(i.span.as_ref()),
                if cx.pg() && cx.at_least(15, 0) {
                    "Make it NOT NULL, or declare the constraint UNIQUE NULLS NOT DISTINCT if at most one NULL is meant.".into()
                } else {
                    "Make it NOT NULL (after filling or removing the NULL rows).".into()
                },
                fix,
            );
        }
    }
    // SCH011 lives here because it walks the columns once more with the same table.
    if cx.pg() && cx.at_least(10, 0) {
        for c in &t.columns {
            let Some(seq) = &c.sequence else { continue };
            if c.identity.is_some() || !c.auto_increment {
                continue;
            }
            let col = cx.q(&c.name);
            let a = alter(cx, t);
            let lit = cx.qn(&t.name).replace('\'', "''");
            let sql = format!(
                "{a} ALTER COLUMN {col} DROP DEFAULT;\nDROP SEQUENCE {};\n{a} ALTER COLUMN {col} ADD GENERATED BY DEFAULT AS IDENTITY;\nSELECT setval(pg_get_serial_sequence('{lit}', '{}'), coalesce(max({col}), 0) + 1, false) FROM {};",
                cx.qn(seq),
                c.name.replace('\'', "''"),
                cx.qn(&t.name)
            );
            cx.emit(
                "SCH011",
                format!("{}.{} is {} (a sequence default), not an identity column", t.name, c.name, c.data_type.raw),
                c.span.as_ref().or(t.span.as_ref()),
                "Use GENERATED BY DEFAULT AS IDENTITY; the fix keeps the next value above the current maximum.".into(),
                Some((format!("turn {}.{} into an identity column", t.name, c.name), sql)),
            );
        }
    }
}

fn identifiers(cx: &mut Ctx, t: &Table) {
    // SCH022
    if super::words::is_reserved(cx.dialect, &t.name.name) {
        cx.emit(
            "SCH022",
            format!(
                "table name {} is a reserved word of {}",
                t.name.name,
                cx.dialect.engine_name()
            ),
            t.span.as_ref(),
            "Rename it (e.g. app_user for user, orders for order) so it never needs quotes.".into(),
            None,
        );
    }
    for c in &t.columns {
        if super::words::is_reserved(cx.dialect, &c.name) {
            cx.emit(
                "SCH022",
                format!(
                    "column {}.{} is a reserved word of {}",
                    t.name,
                    c.name,
                    cx.dialect.engine_name()
                ),
                c.span.as_ref().or(t.span.as_ref()),
                "Rename it so it never needs quotes.".into(),
                None,
            );
        }
    }
}

/// Values of an `IN (...)` list in a CHECK expression (parsed with the dialect's parser).
fn in_list_len(expr: &str, d: Dialect) -> usize {
    use sqlparser::ast::{Expr, Visit, Visitor};
    use std::ops::ControlFlow;
    struct V(usize);
    impl Visitor for V {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            match e {
                Expr::In {
                    target: sqlparser::ast::InTarget::List(list),
                    ..
                } => self.0 = self.0.max(list.len()),
                // pg_dump writes IN lists as `= ANY (ARRAY[...])`.
                Expr::Array(a) => self.0 = self.0.max(a.elem.len()),
                _ => {}
            }
            ControlFlow::Continue(())
        }
    }
    let dialect = d.parser_dialect();
    let Ok(mut p) = sqlparser::parser::Parser::new(dialect.as_ref()).try_with_sql(expr) else {
        return 0;
    };
    let Ok(e) = p.parse_expr() else { return 0 };
    let mut v = V(0);
    let _ = e.visit(&mut v);
    v.0
}

fn enum_values(cx: &mut Ctx, t: &Table) {
    for c in &t.columns {
        let ty = &c.data_type;
        let is_enum = ty.family == TypeFamily::Enum
            || ty
                .user_type
                .as_ref()
                .and_then(|n| cx.cat.user_type(n))
                .is_some_and(|u| matches!(u.kind, crate::catalog::UserTypeKind::Enum { .. }));
        if is_enum {
            cx.emit(
                "SCH025",
                format!("{}.{} is an enum type ({})", t.name, c.name, ty.raw),
                c.span.as_ref().or(t.span.as_ref()),
                "For a short, stable list prefer text with a CHECK (... IN (...)) constraint; for a list that grows or has attributes, a lookup table with a foreign key.".into(),
                None,
            );
        }
    }
    for ch in &t.checks {
        let n = in_list_len(&ch.expr, cx.dialect);
        if n > 10 {
            cx.emit(
                "SCH025",
                format!("CHECK {} on {} lists {n} values", ch.name, t.name),
                ch.span.as_ref().or(t.span.as_ref()),
                "A list this long is data: move it to a lookup table with a foreign key.".into(),
                None,
            );
        }
    }
}

fn duplicate_fk(cx: &mut Ctx, t: &Table) {
    let fks: Vec<&ForeignKey> = t
        .foreign_keys
        .iter()
        .filter(|f| f.inherited_from.is_none())
        .collect();
    for (i, b) in fks.iter().enumerate() {
        let dup = fks[..i].iter().find(|a| {
            cx.cat.name_eq(&a.ref_table, &b.ref_table)
                && a.columns.len() == b.columns.len()
                && a.columns
                    .iter()
                    .zip(&b.columns)
                    .all(|(x, y)| cx.cat.ident_eq(x, y))
                && a.ref_columns
                    .iter()
                    .zip(&b.ref_columns)
                    .all(|(x, y)| cx.cat.ident_eq(x, y))
        });
        let Some(a) = dup else { continue };
        let drop = if cx.my() {
            "DROP FOREIGN KEY"
        } else {
            "DROP CONSTRAINT"
        };
        let fix = (cx.pg() || cx.my()).then(|| {
            (
                format!("drop {}", b.name),
                format!("{} {drop} {};", alter(cx, t), cx.q(&b.name)),
            )
        });
        cx.emit(
            "SCH027",
            format!(
                "foreign key {} on {}({}) duplicates {}",
                b.name,
                t.name,
                b.columns.join(", "),
                a.name
            ),
            b.span.as_ref().or(t.span.as_ref()),
            "Drop the duplicate constraint.".into(),
            fix,
        );
    }
}

fn mysql_options(cx: &mut Ctx, t: &Table) {
    if !cx.my() {
        return;
    }
    let opt = |key: &str| {
        t.options.iter().find_map(|(k, v)| {
            let k = k.to_ascii_uppercase().replace("DEFAULT ", "");
            (k.trim() == key).then(|| v.trim_matches(['\'', '"', '`', ' ']).to_string())
        })
    };
    if let Some(engine) = opt("ENGINE")
        && !engine.eq_ignore_ascii_case("innodb")
    {
        cx.emit(
            "SCH034",
            format!("table {} uses ENGINE={engine}", t.name),
            t.span.as_ref(),
            "Use InnoDB: transactions, foreign keys, crash recovery, row locks.".into(),
            Some((
                format!("convert {} to InnoDB", t.name),
                format!("{} ENGINE=InnoDB;", alter(cx, t)),
            )),
        );
    }
    let charset = opt("CHARSET")
        .or_else(|| opt("CHARACTER SET"))
        .or_else(|| opt("COLLATE").map(|c| c.split('_').next().unwrap_or("").to_string()));
    let col_utf8 = t.columns.iter().find(|c| {
        c.collation.as_deref().is_some_and(|co| {
            let l = co.to_ascii_lowercase();
            l.starts_with("utf8_") || l.starts_with("utf8mb3")
        })
    });
    let bad_table = charset
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case("utf8") || c.eq_ignore_ascii_case("utf8mb3"));
    if bad_table || col_utf8.is_some() {
        cx.emit(
            "SCH035",
            match col_utf8 {
                Some(c) if !bad_table => format!("{}.{} uses a utf8mb3 collation", t.name, c.name),
                _ => format!("table {} uses the utf8 (utf8mb3) character set", t.name),
            },
            t.span.as_ref(),
            "Convert to utf8mb4 (indexes on long VARCHARs may need a shorter prefix: 4 bytes per character).".into(),
            Some((
                format!("convert {} to utf8mb4", t.name),
                format!(
                    "{} CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;",
                    alter(cx, t)
                ),
            )),
        );
    }
}

fn orphans(cx: &mut Ctx) {
    let tables: Vec<&Table> = design_tables(cx.cat).collect();
    if tables.len() < 2 {
        return;
    }
    // Relationships implied by `<table>_id` names count too (SCH003 reports those).
    let implied = |a: &Table| -> Vec<crate::catalog::Name> {
        a.columns
            .iter()
            .filter_map(|c| {
                let low = c.name.to_ascii_lowercase();
                let stem = low.strip_suffix("_id").filter(|s| !s.is_empty())?;
                implied_target(cx.cat, a, stem).map(|t| t.name.clone())
            })
            .collect()
    };
    let edges: Vec<(crate::catalog::Name, Vec<crate::catalog::Name>)> = tables
        .iter()
        .map(|t| (t.name.clone(), implied(t)))
        .collect();
    for t in tables.iter().filter(|t| !tool_table(t)) {
        let out = !t.foreign_keys.is_empty()
            || edges
                .iter()
                .any(|(n, v)| cx.cat.name_eq(n, &t.name) && !v.is_empty());
        let inn = cx.cat.tables.iter().any(|o| {
            o.foreign_keys
                .iter()
                .any(|f| cx.cat.name_eq(&f.ref_table, &t.name))
        }) || edges
            .iter()
            .any(|(_, v)| v.iter().any(|x| cx.cat.name_eq(x, &t.name)));
        if !out && !inn {
            cx.emit(
                "SCH020",
                format!("table {} has no foreign key to or from another table", t.name),
                t.span.as_ref(),
                "If it relates to another table, declare the foreign key; if it is standalone on purpose, suppress this.".into(),
                None,
            );
        }
    }
}

/// Strongly connected components of the FK graph (self-references ignored), Tarjan's algorithm.
fn fk_cycles(cat: &Catalog) -> Vec<Vec<usize>> {
    let tables: Vec<&Table> = design_tables(cat).collect();
    let n = tables.len();
    let idx = |name: &crate::catalog::Name| tables.iter().position(|t| cat.name_eq(&t.name, name));
    let adj: Vec<Vec<usize>> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut v: Vec<usize> = t
                .foreign_keys
                .iter()
                .filter_map(|f| idx(&f.ref_table))
                .filter(|&j| j != i)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    // Iterative Tarjan.
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for s in 0..n {
        if index[s] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(s, 0)];
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if *ei == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on[v] = true;
            }
            if *ei < adj[v].len() {
                let w = adj[v][*ei];
                *ei += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(p, _)) = work.last() {
                    low[p] = low[p].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on[w] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    if comp.len() > 1 {
                        comp.sort_unstable();
                        out.push(comp);
                    }
                }
            }
        }
    }
    out.sort();
    out
}

fn cycles(cx: &mut Ctx) {
    let tables: Vec<&Table> = design_tables(cx.cat).collect();
    for comp in fk_cycles(cx.cat) {
        // A cycle with a nullable or deferrable foreign key can be filled (insert with NULL,
        // then update; or defer the check to commit): that is the designed way to break one.
        let breakable = comp.iter().any(|&i| {
            let t = tables[i];
            t.foreign_keys.iter().any(|f| {
                comp.iter()
                    .any(|&j| j != i && cx.cat.name_eq(&f.ref_table, &tables[j].name))
                    && (f.deferrable
                        || f.columns
                            .iter()
                            .all(|c| t.column(c).is_some_and(|c| c.nullable)))
            })
        });
        if breakable {
            continue;
        }
        let names: Vec<String> = comp.iter().map(|&i| tables[i].name.to_string()).collect();
        let first = tables[comp[0]];
        cx.emit(
            "SCH031",
            format!("foreign keys form a cycle between {}", names.join(", ")),
            first.span.as_ref(),
            "No row of the cycle can be inserted first: make one foreign key of the cycle nullable or DEFERRABLE INITIALLY DEFERRED, or move the relationship to its own table.".into(),
            None,
        );
    }
}

fn cascade_chains(cx: &mut Ctx) {
    let cat = cx.cat;
    let tables: Vec<&Table> = design_tables(cat).collect();
    let children = |p: &Table| -> Vec<usize> {
        tables
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                !cat.name_eq(&c.name, &p.name)
                    && c.foreign_keys.iter().any(|f| {
                        f.on_delete.eq_ignore_ascii_case("CASCADE")
                            && cat.name_eq(&f.ref_table, &p.name)
                    })
            })
            .map(|(i, _)| i)
            .collect()
    };
    let kids: Vec<Vec<usize>> = tables.iter().map(|t| children(t)).collect();
    let is_child: Vec<bool> = (0..tables.len())
        .map(|i| kids.iter().any(|k| k.contains(&i)))
        .collect();
    for (i, t) in tables.iter().enumerate() {
        if is_child[i] || kids[i].is_empty() {
            continue;
        }
        // Longest cascade path from t (cycle-safe DFS).
        fn longest(i: usize, kids: &[Vec<usize>], seen: &mut Vec<usize>) -> Vec<usize> {
            let mut best = Vec::new();
            for &k in &kids[i] {
                if seen.contains(&k) {
                    continue;
                }
                seen.push(k);
                let mut p = longest(k, kids, seen);
                seen.pop();
                p.insert(0, k);
                if p.len() > best.len() {
                    best = p;
                }
            }
            best
        }
        let path = longest(i, &kids, &mut vec![i]);
        if path.len() >= 2 {
            let names: Vec<String> = path.iter().map(|&k| tables[k].name.to_string()).collect();
            cx.emit(
                "SCH033",
                format!(
                    "deleting a row of {} cascades {} levels deep: {} → {}",
                    t.name,
                    path.len(),
                    t.name,
                    names.join(" → ")
                ),
                t.span.as_ref(),
                format!(
                    "Use ON DELETE RESTRICT on the foreign keys to {} (delete children explicitly, or soft-delete), keeping CASCADE only for owned detail rows.",
                    t.name
                ),
                None,
            );
        }
    }
}

/// SCH021 from the statements themselves: the catalog holds names as the engine stores them
/// (PostgreSQL truncates to 63 bytes), so the over-long spelling only survives in the AST.
fn long_identifiers(cx: &mut Ctx) {
    use sqlparser::ast::{Ident, Statement};
    let (max, unit) = match cx.dialect {
        Dialect::Mysql => (64usize, "characters"),
        Dialect::Postgres | Dialect::Generic => (63, "bytes"),
        Dialect::Sqlite => return,
    };
    let my = cx.my();
    let len = |s: &str| if my { s.chars().count() } else { s.len() };
    let mut found = Vec::new();
    for st in &cx.parsed.statements {
        let Some(p) = st.parsed() else { continue };
        let mut check = |what: &str, id: &Ident| {
            if len(&id.value) > max {
                found.push((
                    format!(
                        "{what} name {} is {} {unit} (limit {max})",
                        id.value,
                        len(&id.value)
                    ),
                    st.map_span(id.span),
                ));
            }
        };
        match p {
            Statement::CreateTable(ct) => {
                if let Some(id) = ct.name.0.last().and_then(|x| x.as_ident()) {
                    check("table", id);
                }
                for c in &ct.columns {
                    check("column", &c.name);
                }
            }
            Statement::CreateIndex(ci) => {
                if let Some(id) = ci
                    .name
                    .as_ref()
                    .and_then(|n| n.0.last())
                    .and_then(|x| x.as_ident())
                {
                    check("index", id);
                }
            }
            _ => {}
        }
    }
    for (msg, span) in found {
        cx.emit(
            "SCH021",
            msg,
            Some(&span),
            "Shorten the name: PostgreSQL truncates it silently (two long names can collide, and scripts using the full name miss), MySQL rejects it.".into(),
            None,
        );
    }
}

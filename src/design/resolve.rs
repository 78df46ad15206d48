//! From spec to design: names, keys, relations (junction tables included), checks, dependency
//! order, indexes driven by access patterns and foreign keys, summaries, decisions and the
//! normalization note. Every problem in the spec comes back as a [`KdError::Invalid`] that names
//! the entity/field and says what to write instead.

use super::model::*;
use super::naming::{fit, is_plain_ident, plural, snake_case};
use super::spec::*;
use crate::error::KdError;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn bad(msg: impl Into<String>) -> KdError {
    KdError::invalid(msg.into())
}

/// An entity as first seen: names and its own fields.
struct Ent<'a> {
    spec: &'a Entity,
    /// snake_case singular name.
    name: String,
    table: String,
    timestamps: bool,
    soft_delete: bool,
}

/// A belongs_to after merging has_many/has_one declarations.
#[derive(Clone)]
struct Bt {
    from: usize,
    to: usize,
    name: String,
    required: bool,
    unique: bool,
    on_delete: Option<Action>,
    on_update: Option<Action>,
    /// Where it was declared, for messages.
    declared: String,
}

struct Resolver<'a> {
    opts: &'a Options,
    ents: Vec<Ent<'a>>,
    bts: Vec<Bt>,
}

fn ident(what: &str, raw: &str) -> Result<String, KdError> {
    let s = snake_case(raw);
    if !is_plain_ident(&s) {
        return Err(bad(format!(
            "{what} `{raw}` is not a usable name; use letters, digits and underscores, starting with a letter"
        )));
    }
    if s.len() > 55 {
        return Err(bad(format!(
            "{what} `{raw}` is too long ({} bytes); keep names under 56 bytes so generated constraint names fit the engines' 63-byte limit",
            s.len()
        )));
    }
    Ok(s)
}

const GENERATED_COLUMNS: &[&str] = &["created_at", "updated_at", "deleted_at"];

/// Resolve a spec into a design for `dialect`-independent rendering.
pub fn resolve(spec: &Spec) -> Result<Design, KdError> {
    let opts = &spec.options;
    if spec.entities.is_empty() {
        return Err(bad(
            "the spec has no entities; give at least one: {\"entities\": [{\"name\": \"user\", \"fields\": [{\"name\": \"email\", \"type\": \"email\", \"required\": true, \"unique\": true}]}]}",
        ));
    }
    if let Some(s) = &opts.schema
        && !is_plain_ident(s)
    {
        return Err(bad(format!(
            "options.schema `{s}` must be a plain lower-case name such as `shop`"
        )));
    }
    let (p, s) = opts.money;
    if p == 0 || p > 38 || s > p {
        return Err(bad(format!(
            "options.money [{p}, {s}] must be [precision, scale] with 1 <= precision <= 38 and scale <= precision"
        )));
    }
    if !opts
        .text_search
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        || opts.text_search.is_empty()
    {
        return Err(bad(format!(
            "options.text_search `{}` must be a text search configuration name such as `english` or `simple`",
            opts.text_search
        )));
    }
    if !opts
        .time_zone
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/_+-:".contains(c))
        || opts.time_zone.is_empty()
    {
        return Err(bad(format!(
            "options.time_zone `{}` must be a zone name such as `UTC` or `Europe/Berlin`",
            opts.time_zone
        )));
    }

    let mut ents = Vec::new();
    for e in &spec.entities {
        let name = ident("entity", &e.name)?;
        let table = match &e.table {
            Some(t) => ident("table", t)?,
            None => match opts.table_names {
                TableNames::Plural => plural(&name),
                TableNames::Singular => name.clone(),
            },
        };
        if ents.iter().any(|x: &Ent| x.name == name) {
            return Err(bad(format!(
                "entity `{}` is declared twice; merge the two declarations",
                e.name
            )));
        }
        if ents.iter().any(|x: &Ent| x.table == table) {
            return Err(bad(format!(
                "two entities map to the table `{table}`; give one of them a `table` name"
            )));
        }
        ents.push(Ent {
            spec: e,
            name,
            table,
            timestamps: e.timestamps.unwrap_or(opts.timestamps),
            soft_delete: e.soft_delete.unwrap_or(opts.soft_delete),
        });
    }
    let mut r = Resolver {
        opts,
        ents,
        bts: Vec::new(),
    };
    r.collect_relations()?;
    let junctions = r.junctions()?;
    let mut tables = Vec::new();
    for i in 0..r.ents.len() {
        tables.push(r.table(i)?);
    }
    for j in junctions {
        if tables.iter().any(|t: &DTable| t.name == j.name) {
            return Err(bad(format!(
                "the junction table `{}` clashes with an entity's table; give the many_to_many relation a `through` name",
                j.name
            )));
        }
        tables.push(j);
    }
    let tables = dependency_order(tables);
    let mut design = Design {
        name: spec.name.clone(),
        schema: opts.schema.clone(),
        key: opts.key,
        tables,
        indexes: Vec::new(),
        summaries: Vec::new(),
        text_search: opts.text_search.clone(),
        time_zone: opts.time_zone.clone(),
        postgres_version: opts.postgres_version,
        pg_cron: opts.pg_cron,
        decisions: Vec::new(),
        normalization: Vec::new(),
        differences: Vec::new(),
    };
    plan_indexes(
        &mut design,
        &r,
        &spec.access_patterns,
        opts.dialect.unwrap_or(TargetDialect::Postgres),
    )?;
    for s in &spec.summaries {
        let ds = r.summary(s, &design)?;
        design.summaries.push(ds);
    }
    if let Some(dup) = duplicate_relation_names(&design) {
        return Err(bad(dup));
    }
    design.decisions = decisions(&design, opts);
    design.normalization = super::normalize::notes(spec, &design);
    Ok(design)
}

fn duplicate_relation_names(d: &Design) -> Option<String> {
    let mut seen = BTreeSet::new();
    for t in &d.tables {
        if !seen.insert(t.name.clone()) {
            return Some(format!("table `{}` is generated twice", t.name));
        }
    }
    for s in &d.summaries {
        if !seen.insert(s.name.clone()) {
            return Some(format!(
                "summary `{}` has the same name as a table; rename it",
                s.name
            ));
        }
    }
    None
}

impl<'a> Resolver<'a> {
    fn entity(&self, raw: &str, ctx: &str) -> Result<usize, KdError> {
        let n = snake_case(raw);
        self.ents
            .iter()
            .position(|e| e.name == n || e.table == n)
            .ok_or_else(|| {
                bad(format!(
                    "{ctx}: no entity `{raw}`; the entities are {}",
                    self.ents
                        .iter()
                        .map(|e| e.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    }

    fn collect_relations(&mut self) -> Result<(), KdError> {
        // belongs_to first, then has_many/has_one merge into them or add them.
        for (i, e) in self.ents.iter().enumerate() {
            for rel in &e.spec.relations {
                if rel.kind != RelationKind::BelongsTo {
                    continue;
                }
                let ctx = format!("entity `{}` belongs_to `{}`", e.spec.name, rel.target);
                let to = self.entity(&rel.target, &ctx)?;
                let name = match &rel.name {
                    Some(n) => ident("relation", n)?,
                    None => self.ents[to].name.clone(),
                };
                if self.bts.iter().any(|b| b.from == i && b.name == name) {
                    return Err(bad(format!(
                        "{ctx}: entity `{}` has two relations named `{name}`; give one a different `name`",
                        e.spec.name
                    )));
                }
                if rel.through.is_some() {
                    return Err(bad(format!(
                        "{ctx}: `through` is for many_to_many relations"
                    )));
                }
                self.bts.push(Bt {
                    from: i,
                    to,
                    name,
                    required: rel.required.unwrap_or(true),
                    unique: rel.unique,
                    on_delete: rel.on_delete,
                    on_update: rel.on_update,
                    declared: ctx,
                });
            }
        }
        for (i, e) in self.ents.iter().enumerate() {
            for rel in &e.spec.relations {
                if !matches!(rel.kind, RelationKind::HasMany | RelationKind::HasOne) {
                    continue;
                }
                let kind = if rel.kind == RelationKind::HasMany {
                    "has_many"
                } else {
                    "has_one"
                };
                let ctx = format!("entity `{}` {kind} `{}`", e.spec.name, rel.target);
                let child = self.entity(&rel.target, &ctx)?;
                let inverse = match &rel.name {
                    Some(n) => Some(ident("relation", n)?),
                    None => None,
                };
                let candidates: Vec<usize> = self
                    .bts
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| {
                        b.from == child
                            && b.to == i
                            && inverse.as_ref().is_none_or(|n| *n == b.name)
                    })
                    .map(|(k, _)| k)
                    .collect();
                if candidates.len() > 1 {
                    return Err(bad(format!(
                        "{ctx}: `{}` has several belongs_to `{}`; name the one this relation is the inverse of with `name`",
                        rel.target, e.spec.name
                    )));
                }
                if let Some(&k) = candidates.first() {
                    let b = &mut self.bts[k];
                    if rel.kind == RelationKind::HasOne {
                        b.unique = true;
                    }
                    merge_action(&mut b.on_delete, rel.on_delete, &ctx, "on_delete")?;
                    merge_action(&mut b.on_update, rel.on_update, &ctx, "on_update")?;
                    if let Some(req) = rel.required
                        && req != b.required
                    {
                        return Err(bad(format!(
                            "{ctx}: `required` disagrees with the belongs_to on `{}`; state it once",
                            rel.target
                        )));
                    }
                } else {
                    let name = inverse.unwrap_or_else(|| self.ents[i].name.clone());
                    if self.bts.iter().any(|b| b.from == child && b.name == name) {
                        return Err(bad(format!(
                            "{ctx}: `{}` already has a relation named `{name}` to another entity; give this one a `name`",
                            rel.target
                        )));
                    }
                    self.bts.push(Bt {
                        from: child,
                        to: i,
                        name,
                        required: rel.required.unwrap_or(true),
                        unique: rel.kind == RelationKind::HasOne || rel.unique,
                        on_delete: rel.on_delete,
                        on_update: rel.on_update,
                        declared: ctx,
                    });
                }
            }
        }
        for b in &self.bts {
            if b.on_delete == Some(Action::SetDefault) || b.on_update == Some(Action::SetDefault) {
                return Err(bad(format!(
                    "{}: set_default needs a default on the foreign key column, which relations do not have; use set_null, restrict or cascade",
                    b.declared
                )));
            }
            if b.required
                && (b.on_delete == Some(Action::SetNull) || b.on_update == Some(Action::SetNull))
            {
                return Err(bad(format!(
                    "{}: set_null on a required relation would violate NOT NULL; add \"required\": false or use cascade/restrict",
                    b.declared
                )));
            }
        }
        Ok(())
    }

    /// Primary key columns of entity `i`: (name, type).
    fn pk(&self, i: usize, depth: u32) -> Result<Vec<(String, LType)>, KdError> {
        if depth > 8 {
            return Err(bad(format!(
                "the primary keys of `{}` refer to each other in a loop; give one of the entities a surrogate id",
                self.ents[i].spec.name
            )));
        }
        let e = &self.ents[i];
        let Some(cols) = &e.spec.primary_key else {
            return Ok(vec![("id".into(), LType::Key(self.opts.key))]);
        };
        if cols.is_empty() {
            return Err(bad(format!(
                "entity `{}`: primary_key is empty; list its fields or leave it out for a surrogate id",
                e.spec.name
            )));
        }
        let mut out = Vec::new();
        for c in cols {
            let n = snake_case(c);
            if let Some(f) = e.spec.fields.iter().find(|f| snake_case(&f.name) == n) {
                let (ty, _) = LType::parse(&f.ty, self.opts.money, self.opts.key).map_err(|m| {
                    bad(format!("entity `{}` field `{}`: {m}", e.spec.name, f.name))
                })?;
                out.push((n, ty));
            } else if let Some(b) = self.bts.iter().find(|b| b.from == i && b.name == n) {
                for (col, ty) in self.fk_columns(b, depth + 1)? {
                    out.push((col, ty));
                }
            } else {
                return Err(bad(format!(
                    "entity `{}`: primary_key names `{c}`, which is neither a field nor a belongs_to relation",
                    e.spec.name
                )));
            }
        }
        Ok(out)
    }

    fn fk_columns(&self, b: &Bt, depth: u32) -> Result<Vec<(String, LType)>, KdError> {
        let pk = self.pk(b.to, depth)?;
        Ok(pk
            .into_iter()
            .map(|(c, ty)| (format!("{}_{}", b.name, c), ty.as_reference()))
            .collect())
    }

    fn table(&self, i: usize) -> Result<DTable, KdError> {
        let e = &self.ents[i];
        let ename = &e.spec.name;
        let mut cols: Vec<DColumn> = Vec::new();
        let natural_pk = e.spec.primary_key.is_some();
        if !natural_pk {
            cols.push(DColumn {
                name: "id".into(),
                ty: LType::Key(self.opts.key),
                tag: None,
                nullable: false,
                default: None,
                generated_key: true,
                checks: Vec::new(),
                searchable: false,
                note: None,
                origin: "key".into(),
            });
        }
        let mut fks = Vec::new();
        let mut uniques = Vec::new();
        for b in self.bts.iter().filter(|b| b.from == i) {
            let fkcols = self.fk_columns(b, 0)?;
            let target = &self.ents[b.to];
            let ref_cols: Vec<String> = self.pk(b.to, 0)?.into_iter().map(|(c, _)| c).collect();
            for (c, ty) in &fkcols {
                if cols.iter().any(|x| x.name == *c) {
                    return Err(bad(format!(
                        "{}: the foreign key column `{c}` clashes with another column; give the relation a different `name`",
                        b.declared
                    )));
                }
                cols.push(DColumn {
                    name: c.clone(),
                    ty: ty.clone(),
                    tag: None,
                    nullable: !b.required,
                    default: None,
                    generated_key: false,
                    checks: Vec::new(),
                    searchable: false,
                    note: None,
                    origin: format!("relation {}", b.name),
                });
            }
            let col_names: Vec<String> = fkcols.into_iter().map(|(c, _)| c).collect();
            if b.unique {
                uniques.push(DUnique {
                    name: fit(&format!("{}_{}_key", e.table, col_names.join("_"))),
                    columns: col_names.clone(),
                    why: format!(
                        "one-to-one: each {} has at most one {}",
                        target.name, e.name
                    ),
                });
            }
            fks.push(DForeignKey {
                name: fit(&format!("{}_{}_fkey", e.table, col_names.join("_"))),
                relation: b.name.clone(),
                columns: col_names,
                ref_table: target.table.clone(),
                ref_columns: ref_cols,
                on_delete: b.on_delete.unwrap_or(Action::NoAction),
                on_update: b.on_update.unwrap_or(Action::NoAction),
                deferred: false,
                unique: b.unique,
            });
        }
        for f in &e.spec.fields {
            let ctx = format!("entity `{ename}` field `{}`", f.name);
            let name = ident("field", &f.name)?;
            if name == "id" && !natural_pk {
                return Err(bad(format!(
                    "{ctx}: `id` is the generated surrogate key; remove the field, or set primary_key to use your own key"
                )));
            }
            if GENERATED_COLUMNS.contains(&name.as_str())
                && ((name != "deleted_at" && e.timestamps)
                    || (name == "deleted_at" && e.soft_delete))
            {
                return Err(bad(format!(
                    "{ctx}: `{name}` is generated by the timestamps/soft_delete option; remove the field or turn the option off for this entity"
                )));
            }
            if cols.iter().any(|c| c.name == name) {
                return Err(bad(format!(
                    "{ctx}: a column `{name}` already exists (a field or a relation's `{name}`); rename one of them"
                )));
            }
            let (ty, tag) = LType::parse(&f.ty, self.opts.money, self.opts.key)
                .map_err(|m| bad(format!("{ctx}: {m}")))?;
            let mut checks = Vec::new();
            if let LType::Enum(vals) = &ty {
                checks.push(Cond::OneOf(
                    vals.iter().cloned().map(Value::String).collect(),
                ));
            }
            if let LType::String(n) = &ty {
                checks.push(Cond::MaxLen(*n));
            }
            if tag == Some(Tag::Email) {
                checks.push(Cond::EmailShape);
            }
            if ty == LType::Bool {
                checks.push(Cond::BoolDomain);
            }
            if ty == LType::Json {
                checks.push(Cond::JsonValid { array: false });
            }
            if matches!(ty, LType::Array(_)) {
                checks.push(Cond::JsonValid { array: true });
            }
            let c = &f.checks;
            if c.min.is_some() || c.max.is_some() {
                if !ty.is_numeric() {
                    return Err(bad(format!(
                        "{ctx}: min/max checks need a numeric type (int, bigint, decimal, money); use min_length or string(n) for text"
                    )));
                }
                if let (Some(a), Some(b)) = (&c.min, &c.max)
                    && a.as_f64() > b.as_f64()
                {
                    return Err(bad(format!("{ctx}: min {a} is greater than max {b}")));
                }
                if let Some(m) = &c.min {
                    checks.push(Cond::Min(m.clone()));
                }
                if let Some(m) = &c.max {
                    checks.push(Cond::Max(m.clone()));
                }
            }
            if !c.one_of.is_empty() {
                for v in &c.one_of {
                    check_literal(&ty, v)
                        .map_err(|m| bad(format!("{ctx}: one_of value {v}: {m}")))?;
                }
                if matches!(ty, LType::Enum(_)) {
                    return Err(bad(format!(
                        "{ctx}: an enum already restricts its values; drop one_of"
                    )));
                }
                checks.push(Cond::OneOf(c.one_of.clone()));
            }
            if let Some(n) = c.min_length {
                if !matches!(ty, LType::String(_) | LType::Text) {
                    return Err(bad(format!("{ctx}: min_length needs string(n) or text")));
                }
                if let LType::String(max) = ty
                    && n > max
                {
                    return Err(bad(format!("{ctx}: min_length {n} exceeds string({max})")));
                }
                if n > 0 {
                    checks.push(Cond::MinLen(n));
                }
            }
            let default = match &f.default {
                None | Some(Value::Null) => None,
                Some(Value::String(s))
                    if s.eq_ignore_ascii_case("now")
                        && matches!(ty, LType::Timestamp | LType::Date) =>
                {
                    Some(DDefault::Now)
                }
                Some(v) => {
                    check_literal(&ty, v).map_err(|m| bad(format!("{ctx}: default {v}: {m}")))?;
                    if let Some(Cond::OneOf(vals)) =
                        checks.iter().find(|c| matches!(c, Cond::OneOf(_)))
                        && !vals.iter().any(|x| literal_eq(x, v))
                    {
                        return Err(bad(format!(
                            "{ctx}: the default {v} is not one of the allowed values"
                        )));
                    }
                    if let Some(m) = &c.min
                        && v.as_f64().zip(m.as_f64()).is_some_and(|(a, b)| a < b)
                    {
                        return Err(bad(format!("{ctx}: the default {v} is below min {m}")));
                    }
                    if let Some(m) = &c.max
                        && v.as_f64().zip(m.as_f64()).is_some_and(|(a, b)| a > b)
                    {
                        return Err(bad(format!("{ctx}: the default {v} is above max {m}")));
                    }
                    if let (LType::String(n), Value::String(s)) = (&ty, v)
                        && s.chars().count() > *n as usize
                    {
                        return Err(bad(format!(
                            "{ctx}: the default is longer than string({n})"
                        )));
                    }
                    Some(DDefault::Literal(v.clone()))
                }
            };
            if f.searchable && !matches!(ty, LType::String(_) | LType::Text) {
                return Err(bad(format!(
                    "{ctx}: searchable needs a text field (string(n) or text)"
                )));
            }
            if f.unique && matches!(ty, LType::Json | LType::Array(_)) {
                return Err(bad(format!(
                    "{ctx}: a json or array field cannot be unique; make a column for the unique part"
                )));
            }
            if f.unique {
                uniques.push(DUnique {
                    name: fit(&format!("{}_{}_key", e.table, name)),
                    columns: vec![name.clone()],
                    why: format!("unique {name}"),
                });
            }
            cols.push(DColumn {
                name,
                ty,
                tag,
                nullable: !f.required,
                default,
                generated_key: false,
                checks,
                searchable: f.searchable,
                note: f.note.clone(),
                origin: "field".into(),
            });
        }
        // A natural key's columns are NOT NULL whatever `required` says.
        let pk: Vec<String> = self.pk(i, 0)?.into_iter().map(|(c, _)| c).collect();
        for c in cols.iter_mut().filter(|c| pk.contains(&c.name)) {
            c.nullable = false;
        }
        if e.timestamps {
            for n in ["created_at", "updated_at"] {
                cols.push(timestamp_column(n, "timestamps"));
            }
        }
        if e.soft_delete {
            let mut c = timestamp_column("deleted_at", "soft delete");
            c.nullable = true;
            c.default = None;
            cols.push(c);
        }
        for u in &e.spec.unique {
            if u.is_empty() {
                continue;
            }
            let mut ucols = Vec::new();
            for n in u {
                ucols.extend(
                    self.columns_of(i, &cols, n)
                        .map_err(|m| bad(format!("entity `{ename}` unique {u:?}: {m}")))?,
                );
            }
            let name = fit(&format!("{}_{}_key", e.table, ucols.join("_")));
            if uniques.iter().any(|x| x.columns == ucols) || ucols == pk {
                return Err(bad(format!(
                    "entity `{ename}`: unique {u:?} repeats another key; remove it"
                )));
            }
            uniques.push(DUnique {
                name,
                columns: ucols.clone(),
                why: format!("unique ({})", ucols.join(", ")),
            });
        }
        Ok(DTable {
            entity: e.name.clone(),
            name: e.table.clone(),
            columns: cols,
            primary_key: pk,
            uniques,
            foreign_keys: fks,
            timestamps: e.timestamps,
            soft_delete: e.soft_delete,
            junction: false,
            note: e.spec.note.clone(),
        })
    }

    /// Columns a field or relation name stands for on entity `i`.
    fn columns_of(&self, i: usize, cols: &[DColumn], n: &str) -> Result<Vec<String>, String> {
        let s = snake_case(n);
        if cols.iter().any(|c| c.name == s) {
            return Ok(vec![s]);
        }
        if let Some(b) = self.bts.iter().find(|b| b.from == i && b.name == s) {
            return self
                .fk_columns(b, 0)
                .map(|v| v.into_iter().map(|(c, _)| c).collect())
                .map_err(|e| e.to_string());
        }
        Err(format!(
            "`{n}` is neither a column nor a belongs_to relation of `{}`",
            self.ents[i].spec.name
        ))
    }

    fn junctions(&self) -> Result<Vec<DTable>, KdError> {
        let mut out: Vec<DTable> = Vec::new();
        let mut seen: Vec<(usize, usize, String)> = Vec::new();
        for (i, e) in self.ents.iter().enumerate() {
            for rel in &e.spec.relations {
                if rel.kind != RelationKind::ManyToMany {
                    continue;
                }
                let ctx = format!("entity `{}` many_to_many `{}`", e.spec.name, rel.target);
                let j = self.entity(&rel.target, &ctx)?;
                let a = &self.ents[i];
                let b = &self.ents[j];
                let table = match &rel.through {
                    Some(t) => ident("through", t)?,
                    None => {
                        let (x, y) = if i <= j { (a, b) } else { (b, a) };
                        match self.opts.table_names {
                            TableNames::Plural => format!("{}_{}", x.name, y.table),
                            TableNames::Singular => format!("{}_{}", x.name, y.name),
                        }
                    }
                };
                let key = (i.min(j), i.max(j), table.clone());
                if seen.contains(&key) {
                    continue; // declared on both sides
                }
                seen.push(key);
                let a_col = format!("{}_id", a.name);
                let b_col = if i == j {
                    let n = rel.name.as_ref().ok_or_else(|| {
                        bad(format!(
                            "{ctx}: a many_to_many of an entity with itself needs a `name` for the other side (e.g. \"follower\")"
                        ))
                    })?;
                    format!("{}_id", ident("relation", n)?)
                } else {
                    format!("{}_id", b.name)
                };
                for (k, _) in [(i, 0), (j, 1)] {
                    if self.ents[k].spec.primary_key.is_some() {
                        return Err(bad(format!(
                            "{ctx}: many_to_many needs both entities to have the surrogate id key; `{}` has a natural key, so declare the junction as an entity with two belongs_to",
                            self.ents[k].spec.name
                        )));
                    }
                }
                let mut cols = Vec::new();
                let composite = self.opts.junction_key == JunctionKey::Composite;
                if !composite {
                    cols.push(DColumn {
                        name: "id".into(),
                        ty: LType::Key(self.opts.key),
                        tag: None,
                        nullable: false,
                        default: None,
                        generated_key: true,
                        checks: Vec::new(),
                        searchable: false,
                        note: None,
                        origin: "key".into(),
                    });
                }
                for (c, who) in [(&a_col, a), (&b_col, b)] {
                    cols.push(DColumn {
                        name: c.clone(),
                        ty: LType::Key(self.opts.key),
                        tag: None,
                        nullable: false,
                        default: None,
                        generated_key: false,
                        checks: Vec::new(),
                        searchable: false,
                        note: None,
                        origin: format!("relation {}", who.name),
                    });
                }
                if self.opts.timestamps {
                    cols.push(timestamp_column("created_at", "timestamps"));
                }
                let pair = vec![a_col.clone(), b_col.clone()];
                let fk = |col: &String, target: &Ent| DForeignKey {
                    name: fit(&format!("{table}_{col}_fkey")),
                    relation: col.trim_end_matches("_id").to_string(),
                    columns: vec![col.clone()],
                    ref_table: target.table.clone(),
                    ref_columns: vec!["id".into()],
                    on_delete: Action::Cascade,
                    on_update: Action::NoAction,
                    deferred: false,
                    unique: false,
                };
                out.push(DTable {
                    entity: table.clone(),
                    name: table.clone(),
                    columns: cols,
                    primary_key: if composite {
                        pair.clone()
                    } else {
                        vec!["id".into()]
                    },
                    uniques: if composite {
                        Vec::new()
                    } else {
                        vec![DUnique {
                            name: fit(&format!("{table}_{}_key", pair.join("_"))),
                            columns: pair.clone(),
                            why: format!("each {} is linked to a {} once", a.name, b.name),
                        }]
                    },
                    foreign_keys: vec![fk(&a_col, a), fk(&b_col, b)],
                    timestamps: false,
                    soft_delete: false,
                    junction: true,
                    note: Some(format!("Links {} and {} (many-to-many).", a.table, b.table)),
                });
            }
        }
        Ok(out)
    }

    fn summary(&self, s: &Summary, d: &Design) -> Result<DSummary, KdError> {
        let ctx = format!("summary `{}`", s.name);
        let name = ident("summary", &s.name)?;
        let base = self.entity(&s.from, &ctx)?;
        let base_table = self.ents[base].table.clone();
        let mut joins: Vec<SummaryJoin> = Vec::new();
        let mut aliases: BTreeSet<String> = BTreeSet::new();
        aliases.insert(base_table.clone());
        // path (relation names) → (entity index, alias)
        let mut paths: BTreeMap<Vec<String>, (usize, String)> = BTreeMap::new();
        paths.insert(Vec::new(), (base, base_table.clone()));
        let mut resolve_col = |raw: &str,
                               joins: &mut Vec<SummaryJoin>,
                               paths: &mut BTreeMap<Vec<String>, (usize, String)>|
         -> Result<ColRef, KdError> {
            let parts: Vec<String> = raw.split('.').map(snake_case).collect();
            let (rels, field) = parts.split_at(parts.len() - 1);
            let mut cur: Vec<String> = Vec::new();
            let mut nullable_path = false;
            for rel in rels {
                let (ent, alias) = paths[&cur].clone();
                let mut next = cur.clone();
                next.push(rel.clone());
                let b = self
                    .bts
                    .iter()
                    .find(|b| b.from == ent && b.name == *rel)
                    .ok_or_else(|| {
                        bad(format!(
                            "{ctx}: `{raw}`: `{}` has no belongs_to relation `{rel}`",
                            self.ents[ent].spec.name
                        ))
                    })?;
                nullable_path |= !b.required;
                if !paths.contains_key(&next) {
                    let t = &self.ents[b.to].table;
                    let mut a = t.clone();
                    let mut n = 2;
                    while aliases.contains(&a) {
                        a = format!("{t}_{n}");
                        n += 1;
                    }
                    aliases.insert(a.clone());
                    let fkcols: Vec<String> =
                        self.fk_columns(b, 0)?.into_iter().map(|(c, _)| c).collect();
                    let pk: Vec<String> = self.pk(b.to, 0)?.into_iter().map(|(c, _)| c).collect();
                    joins.push(SummaryJoin {
                        table: t.clone(),
                        alias: a.clone(),
                        on: pk.into_iter().zip(fkcols).collect(),
                        from_alias: alias.clone(),
                        left: !b.required,
                    });
                    paths.insert(next.clone(), (b.to, a));
                }
                cur = next;
            }
            let (ent, alias) = paths[&cur].clone();
            let table = d
                .table(&self.ents[ent].table)
                .ok_or_else(|| KdError::Internal("summary table lookup".into()))?;
            let col = table.column(&field[0]).ok_or_else(|| {
                bad(format!(
                    "{ctx}: `{raw}`: `{}` has no column `{}`",
                    self.ents[ent].spec.name, field[0]
                ))
            })?;
            Ok(ColRef {
                alias,
                column: col.name.clone(),
                ty: col.ty.clone(),
                nullable: col.nullable || nullable_path,
            })
        };
        let mut groups = Vec::new();
        if s.group_by.is_empty() {
            return Err(bad(format!(
                "{ctx}: group_by is empty; a summary needs at least one grouping (e.g. {{\"field\": \"created_at\", \"bucket\": \"day\"}})"
            )));
        }
        for g in &s.group_by {
            let col = resolve_col(&g.field, &mut joins, &mut paths)?;
            if g.bucket.is_some() && !matches!(col.ty, LType::Timestamp | LType::Date) {
                return Err(bad(format!(
                    "{ctx}: `{}` is not a date or timestamp, so it cannot be bucketed",
                    g.field
                )));
            }
            if g.bucket == Some(Bucket::Hour) && col.ty == LType::Date {
                return Err(bad(format!(
                    "{ctx}: `{}` is a date; it has no hours",
                    g.field
                )));
            }
            let gname = match (&g.alias, g.bucket) {
                (Some(a), _) => ident("group_by alias", a)?,
                (None, Some(b)) => format!("{b:?}").to_lowercase(),
                (None, None) => col.column.clone(),
            };
            groups.push(SummaryGroup {
                col,
                bucket: g.bucket,
                name: gname,
            });
        }
        let mut measures = Vec::new();
        for m in &s.measures {
            let mname = ident("measure", &m.alias)?;
            let col = match &m.field {
                Some(f) => Some(resolve_col(f, &mut joins, &mut paths)?),
                None => None,
            };
            let times = match &m.times {
                Some(f) => Some(resolve_col(f, &mut joins, &mut paths)?),
                None => None,
            };
            match m.func {
                Agg::Count => {}
                Agg::CountDistinct if col.is_none() => {
                    return Err(bad(format!(
                        "{ctx}: measure `{mname}`: count_distinct needs a field"
                    )));
                }
                Agg::CountDistinct => {}
                Agg::Sum | Agg::Avg | Agg::Min | Agg::Max => {
                    let c = col
                        .as_ref()
                        .ok_or_else(|| bad(format!("{ctx}: measure `{mname}` needs a field")))?;
                    let numeric_ok = c.ty.is_numeric()
                        || (matches!(m.func, Agg::Min | Agg::Max)
                            && matches!(c.ty, LType::Timestamp | LType::Date));
                    if !numeric_ok {
                        return Err(bad(format!(
                            "{ctx}: measure `{mname}`: `{}` is not numeric",
                            c.column
                        )));
                    }
                }
            }
            if let Some(t) = &times
                && (!t.ty.is_numeric() || !matches!(m.func, Agg::Sum | Agg::Avg))
            {
                return Err(bad(format!(
                    "{ctx}: measure `{mname}`: `times` multiplies two numeric fields inside sum or avg"
                )));
            }
            measures.push(SummaryMeasure {
                name: mname,
                func: m.func,
                col,
                times,
            });
        }
        if measures.is_empty() {
            return Err(bad(format!("{ctx}: give at least one measure")));
        }
        let mut filters = Vec::new();
        for f in &s.filter {
            let col = resolve_col(&f.field, &mut joins, &mut paths)?;
            let needs_value = !matches!(f.op, Op::IsNull | Op::IsNotNull);
            if needs_value && f.value.is_none() {
                return Err(bad(format!(
                    "{ctx}: filter on `{}` needs a `value` (summaries have no parameters)",
                    f.field
                )));
            }
            if let Some(v) = &f.value {
                check_filter_value(&col.ty, f.op, v)
                    .map_err(|m| bad(format!("{ctx}: filter on `{}`: {m}", f.field)))?;
            }
            filters.push(SummaryFilter {
                col,
                op: f.op,
                value: f.value.clone(),
            });
        }
        let mut names = BTreeSet::new();
        for n in groups
            .iter()
            .map(|g| &g.name)
            .chain(measures.iter().map(|m| &m.name))
        {
            if !names.insert(n.clone()) {
                return Err(bad(format!("{ctx}: two output columns are named `{n}`")));
            }
        }
        let cron = s.refresh.clone().unwrap_or_else(|| "0 * * * *".into());
        validate_cron(&cron).map_err(|m| bad(format!("{ctx}: refresh `{cron}`: {m}")))?;
        let mut live_aliases = Vec::new();
        for (p, (ent, alias)) in &paths {
            let _ = p;
            if self.ents[*ent].soft_delete {
                live_aliases.push(alias.clone());
            }
        }
        live_aliases.sort();
        Ok(DSummary {
            name,
            base_alias: base_table.clone(),
            base_table,
            joins,
            groups,
            measures,
            filters,
            cron,
            live_aliases,
        })
    }
}

fn merge_action(
    slot: &mut Option<Action>,
    new: Option<Action>,
    ctx: &str,
    what: &str,
) -> Result<(), KdError> {
    match (*slot, new) {
        (_, None) => Ok(()),
        (None, Some(a)) => {
            *slot = Some(a);
            Ok(())
        }
        (Some(a), Some(b)) if a == b => Ok(()),
        (Some(a), Some(b)) => Err(bad(format!(
            "{ctx}: {what} {b:?} disagrees with {a:?} on the belongs_to side; state it once"
        ))),
    }
}

fn timestamp_column(name: &str, origin: &str) -> DColumn {
    DColumn {
        name: name.into(),
        ty: LType::Timestamp,
        tag: None,
        nullable: false,
        default: Some(DDefault::Now),
        generated_key: false,
        checks: Vec::new(),
        searchable: false,
        note: None,
        origin: origin.into(),
    }
}

fn literal_eq(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Whether a JSON literal fits a column type.
pub fn check_literal(ty: &LType, v: &Value) -> Result<(), String> {
    let ok = match (ty, v) {
        (LType::String(_) | LType::Text | LType::Enum(_), Value::String(_)) => true,
        (LType::Int | LType::Bigint | LType::Key(_), Value::Number(n)) => n.is_i64() || n.is_u64(),
        (LType::Decimal(..), Value::Number(_)) => true,
        (LType::Bool, Value::Bool(_)) => true,
        (LType::Date, Value::String(s)) => is_iso_date(s),
        (LType::Timestamp, Value::String(s)) => s.get(..10).is_some_and(is_iso_date),
        (LType::Uuid, Value::String(s)) => {
            s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
        }
        (LType::Json, _) => true,
        (LType::Array(el), Value::Array(items)) => {
            items.iter().all(|x| check_literal(el, x).is_ok())
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("does not fit the column type {ty:?}"))
    }
}

fn check_filter_value(ty: &LType, op: Op, v: &Value) -> Result<(), String> {
    match (op, v) {
        (Op::In | Op::NotIn, Value::Array(items)) if !items.is_empty() => {
            items.iter().try_for_each(|x| check_literal(ty, x))
        }
        (Op::In | Op::NotIn, _) => Err("in/not_in take a non-empty list".into()),
        (Op::Prefix, Value::String(_)) if ty.is_textual() => Ok(()),
        (Op::Prefix, _) => Err("prefix takes a string on a text column".into()),
        _ => check_literal(ty, v),
    }
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// A five-field cron expression with the usual characters.
pub fn validate_cron(s: &str) -> Result<(), String> {
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(
            "write five fields: minute hour day-of-month month day-of-week (e.g. `0 * * * *`)"
                .into(),
        );
    }
    if fields
        .iter()
        .all(|f| f.chars().all(|c| c.is_ascii_digit() || "*/,-".contains(c)))
    {
        Ok(())
    } else {
        Err("use digits, `*`, `/`, `,` and `-` only".into())
    }
}

/// Tables in dependency order: a table comes after the tables it references. A foreign key
/// that closes a cycle is marked deferred (added by ALTER TABLE once all tables exist).
fn dependency_order(mut tables: Vec<DTable>) -> Vec<DTable> {
    let mut placed: Vec<DTable> = Vec::new();
    let mut done: BTreeSet<String> = BTreeSet::new();
    while !tables.is_empty() {
        let ready = tables.iter().position(|t| {
            t.foreign_keys
                .iter()
                .all(|f| f.ref_table == t.name || done.contains(&f.ref_table))
        });
        let i = match ready {
            Some(i) => i,
            None => {
                // A cycle: place the first remaining table, deferring its FKs to unplaced tables.
                let t = &mut tables[0];
                let name = t.name.clone();
                for f in &mut t.foreign_keys {
                    if f.ref_table != name && !done.contains(&f.ref_table) {
                        f.deferred = true;
                    }
                }
                0
            }
        };
        let t = tables.remove(i);
        done.insert(t.name.clone());
        placed.push(t);
    }
    placed
}

/// Plan indexes: keys, access patterns, full-text, then foreign-key coverage.
fn plan_indexes(
    d: &mut Design,
    r: &Resolver,
    patterns: &[AccessPattern],
    dialect: TargetDialect,
) -> Result<(), KdError> {
    // MySQL/MariaDB have no partial indexes and no operator classes: plan for what the engine
    // can build, so no index duplicates another once a predicate is gone.
    let partial_ok = dialect != TargetDialect::Mysql;
    let mut ix: Vec<DIndex> = Vec::new();
    for t in &d.tables {
        ix.push(DIndex {
            name: fit(&format!("{}_pkey", t.name)),
            table: t.name.clone(),
            keys: t.primary_key.iter().map(|c| key(c, false)).collect(),
            unique: true,
            kind: IndexKind::PrimaryKey,
            predicate: Vec::new(),
            why: "primary key".into(),
            serves: Vec::new(),
        });
        for u in &t.uniques {
            ix.push(DIndex {
                name: u.name.clone(),
                table: t.name.clone(),
                keys: u.columns.iter().map(|c| key(c, false)).collect(),
                unique: true,
                kind: IndexKind::Unique,
                predicate: if t.soft_delete && partial_ok {
                    vec![PredCond {
                        column: "deleted_at".into(),
                        op: Op::IsNull,
                        value: None,
                    }]
                } else {
                    Vec::new()
                },
                why: u.why.clone(),
                serves: Vec::new(),
            });
        }
    }
    for p in patterns {
        let ctx = format!("access pattern \"{}\"", p.label);
        let ei = r.entity(&p.entity, &ctx)?;
        let tname = r.ents[ei].table.clone();
        let t = d
            .table(&tname)
            .ok_or_else(|| KdError::Internal("pattern table lookup".into()))?;
        let cols_of = |n: &str| -> Result<Vec<String>, KdError> {
            r.columns_of(ei, &t.columns, n)
                .map_err(|m| bad(format!("{ctx}: {m}")))
        };
        let mut keys: Vec<IKey> = Vec::new();
        let mut pred: Vec<PredCond> = Vec::new();
        let mut range: Option<IKey> = None;
        for f in &p.filter {
            let cols = cols_of(&f.field)?;
            let is_const = f.value.is_some() || matches!(f.op, Op::IsNull | Op::IsNotNull);
            if is_const {
                if cols.len() != 1 {
                    return Err(bad(format!(
                        "{ctx}: a constant condition needs a single column; `{}` has {}",
                        f.field,
                        cols.len()
                    )));
                }
                let col = t
                    .column(&cols[0])
                    .ok_or_else(|| KdError::Internal("col".into()))?;
                if let Some(v) = &f.value {
                    check_filter_value(&col.ty, f.op, v)
                        .map_err(|m| bad(format!("{ctx}: `{}`: {m}", f.field)))?;
                }
                pred.push(PredCond {
                    column: cols[0].clone(),
                    op: f.op,
                    value: f.value.clone(),
                });
            } else if matches!(f.op, Op::Eq | Op::In) {
                for c in cols {
                    if !keys.iter().any(|k| k.column == c) {
                        keys.push(key(&c, false));
                    }
                }
            } else if f.op.is_range() {
                if range.is_none() {
                    let c = cols.into_iter().next().unwrap_or_default();
                    let col = t
                        .column(&c)
                        .ok_or_else(|| KdError::Internal("col".into()))?;
                    if f.op == Op::Prefix && !col.ty.is_textual() {
                        return Err(bad(format!("{ctx}: prefix needs a text column")));
                    }
                    range = Some(IKey {
                        column: c,
                        desc: false,
                        pattern_ops: f.op == Op::Prefix && dialect == TargetDialect::Postgres,
                    });
                }
            } else {
                return Err(bad(format!(
                    "{ctx}: `{}` {:?} without a value cannot use an index; give the constant `value` it compares with",
                    f.field, f.op
                )));
            }
        }
        for o in &p.order_by {
            for c in cols_of(&o.field)? {
                if !keys.iter().any(|k| k.column == c) {
                    keys.push(key(&c, o.direction == Direction::Desc));
                }
            }
        }
        if let Some(rk) = range
            && !keys.iter().any(|k| k.column == rk.column)
        {
            keys.push(rk);
        }
        if keys.is_empty() {
            for pc in &pred {
                if !keys.iter().any(|k| k.column == pc.column) {
                    keys.push(key(&pc.column, false));
                }
            }
        }
        if keys.is_empty() {
            return Err(bad(format!(
                "{ctx}: give a filter or an order_by so the pattern can drive an index"
            )));
        }
        if t.soft_delete && !p.include_deleted && !pred.iter().any(|c| c.column == "deleted_at") {
            pred.push(PredCond {
                column: "deleted_at".into(),
                op: Op::IsNull,
                value: None,
            });
        }
        if dialect == TargetDialect::Sqlite && p.filter.iter().any(|f| f.op == Op::Prefix) {
            let msg = format!(
                "SQLite uses an index for LIKE 'abc%' only with PRAGMA case_sensitive_like = ON or a NOCASE column; for \"{}\" query the range (col >= 'abc' AND col < 'abd') instead.",
                p.label
            );
            if !d.differences.contains(&msg) {
                d.differences.push(msg);
            }
        }
        if !partial_ok && !pred.is_empty() {
            let conds: Vec<String> = pred.iter().map(describe_cond).collect();
            d.differences.push(format!(
                "MySQL/MariaDB have no partial indexes: the index for \"{}\" covers all rows, not only those where {}.",
                p.label,
                conds.join(" and ")
            ));
            pred.clear();
        }
        let label = format!("access pattern: {}", p.label);
        add_candidate(&mut ix, &tname, keys, pred, label, p.note.clone());
    }
    // Full-text search.
    for t in &d.tables {
        let cols: Vec<String> = t.searchable().iter().map(|c| c.name.clone()).collect();
        if cols.is_empty() {
            continue;
        }
        ix.push(DIndex {
            name: fit(&format!("idx_{}_search", t.name)),
            table: t.name.clone(),
            keys: cols.iter().map(|c| key(c, false)).collect(),
            unique: false,
            kind: IndexKind::FullText,
            predicate: Vec::new(),
            why: format!("full-text search over {}", cols.join(", ")),
            serves: vec![format!("searchable: {}", cols.join(", "))],
        });
    }
    // Foreign keys: every FK gets an index whose leading columns are its columns, unless one
    // already exists (a key, a unique, or a full-table pattern index).
    for t in &d.tables {
        for fk in &t.foreign_keys {
            let what = format!("foreign key {} → {}", fk.columns.join(", "), fk.ref_table);
            let cover = ix.iter_mut().find(|i| {
                i.table == t.name
                    && i.kind != IndexKind::FullText
                    && i.predicate.is_empty()
                    && i.keys.len() >= fk.columns.len()
                    && {
                        let lead: BTreeSet<&str> = i.keys[..fk.columns.len()]
                            .iter()
                            .map(|k| k.column.as_str())
                            .collect();
                        let want: BTreeSet<&str> = fk.columns.iter().map(String::as_str).collect();
                        lead == want
                    }
            });
            match cover {
                Some(i) => i.serves.push(what),
                None => {
                    let name = unique_index_name(&ix, &t.name, &fk.columns);
                    ix.push(DIndex {
                        name,
                        table: t.name.clone(),
                        keys: fk.columns.iter().map(|c| key(c, false)).collect(),
                        unique: false,
                        kind: IndexKind::Btree,
                        predicate: Vec::new(),
                        why: format!(
                            "joins from {} to {} and the referential check when a {} row is deleted or its key changes",
                            t.name, fk.ref_table, fk.ref_table
                        ),
                        serves: vec![what],
                    });
                }
            }
        }
    }
    // Keep the report in table order: key, uniques, then the rest as planned.
    let order: Vec<String> = d.tables.iter().map(|t| t.name.clone()).collect();
    ix.sort_by_key(|i| {
        (
            order
                .iter()
                .position(|n| *n == i.table)
                .unwrap_or(usize::MAX),
            match i.kind {
                IndexKind::PrimaryKey => 0,
                IndexKind::Unique => 1,
                IndexKind::Btree => 2,
                IndexKind::FullText => 3,
            },
        )
    });
    d.indexes = ix;
    Ok(())
}

fn key(c: &str, desc: bool) -> IKey {
    IKey {
        column: c.to_string(),
        desc,
        pattern_ops: false,
    }
}

fn unique_index_name(ix: &[DIndex], table: &str, cols: &[String]) -> String {
    let base = fit(&format!("idx_{table}_{}", cols.join("_")));
    let mut n = base.clone();
    let mut k = 2;
    while ix.iter().any(|i| i.name == n) {
        n = fit(&format!("{base}_{k}"));
        k += 1;
    }
    n
}

/// Whether an index with `have` keys and predicate serves a query needing `want` keys and
/// predicate: the wanted keys are its leading keys (directions equal, or all reversed — a
/// B-tree reads both ways), and its predicate is no narrower than the query's.
fn serves(have: &DIndex, want: &[IKey], pred: &[PredCond]) -> bool {
    if have.kind == IndexKind::FullText || have.keys.len() < want.len() {
        return false;
    }
    let cols_match = have
        .keys
        .iter()
        .zip(want)
        .all(|(a, b)| a.column == b.column && a.pattern_ops == b.pattern_ops);
    let same = have.keys.iter().zip(want).all(|(a, b)| a.desc == b.desc);
    let flipped = have.keys.iter().zip(want).all(|(a, b)| a.desc != b.desc);
    cols_match && (same || flipped) && have.predicate.iter().all(|c| pred.contains(c))
}

fn add_candidate(
    ix: &mut Vec<DIndex>,
    table: &str,
    keys: Vec<IKey>,
    pred: Vec<PredCond>,
    label: String,
    note: Option<String>,
) {
    if let Some(i) = ix
        .iter_mut()
        .find(|i| i.table == table && serves(i, &keys, &pred))
    {
        i.serves.push(label);
        return;
    }
    // An earlier pattern index this one extends: widen it instead of adding a second.
    if let Some(i) = ix.iter_mut().find(|i| {
        i.table == table
            && i.kind == IndexKind::Btree
            && i.predicate == pred
            && i.keys.len() < keys.len()
            && i.keys.iter().zip(&keys).all(|(a, b)| a == b)
    }) {
        i.keys = keys;
        i.serves.push(label);
        return;
    }
    let cols: Vec<String> = keys.iter().map(|k| k.column.clone()).collect();
    let name = unique_index_name(ix, table, &cols);
    let mut why = describe_keys(&keys, &pred);
    if let Some(n) = note {
        why = format!("{why}; {n}");
    }
    ix.push(DIndex {
        name,
        table: table.to_string(),
        keys,
        unique: false,
        kind: IndexKind::Btree,
        predicate: pred,
        why,
        serves: vec![label],
    });
}

/// A predicate condition for people: `status <> "delivered"`, `deleted_at IS NULL`.
fn describe_cond(c: &PredCond) -> String {
    let op = match c.op {
        Op::Eq => "=",
        Op::Ne => "<>",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::In => "IN",
        Op::NotIn => "NOT IN",
        Op::IsNull => "IS NULL",
        Op::IsNotNull => "IS NOT NULL",
        Op::Prefix => "starts with",
    };
    match &c.value {
        Some(v) => format!("{} {op} {v}", c.column),
        None => format!("{} {op}", c.column),
    }
}

fn describe_keys(keys: &[IKey], _pred: &[PredCond]) -> String {
    let k: Vec<String> = keys
        .iter()
        .map(|k| format!("{}{}", k.column, if k.desc { " DESC" } else { "" }))
        .collect();
    format!("lookup and order by ({})", k.join(", "))
}

fn decisions(d: &Design, o: &Options) -> Vec<String> {
    let mut v = Vec::new();
    v.push(match o.key {
        KeyStrategy::BigintIdentity => "Surrogate keys are 64-bit integers generated by the database (identity / AUTO_INCREMENT / rowid): compact, ordered, no overflow risk at 2^31 rows.".to_string(),
        KeyStrategy::Bigserial => "Surrogate keys use bigserial as asked; identity columns are the standard form on PostgreSQL 10+ and avoid the separate sequence's ownership pitfalls.".to_string(),
        KeyStrategy::AutoIncrement => "Surrogate keys use AUTO_INCREMENT as asked (the nearest form on each engine).".to_string(),
        KeyStrategy::Uuid => "Surrogate keys are random UUIDs (v4) generated by the database: safe to expose and to generate anywhere, at the cost of 16-byte keys and random index inserts.".to_string(),
        KeyStrategy::Uuidv7 => "Surrogate keys are UUIDv7: time-ordered, so inserts append to the index like integers while staying safe to expose.".to_string(),
    });
    if d.tables
        .iter()
        .any(|t| t.columns.iter().any(|c| c.tag == Some(Tag::Money)))
    {
        v.push(format!(
            "Money is decimal({},{}) — exact arithmetic; never float.",
            o.money.0, o.money.1
        ));
    }
    if d.tables
        .iter()
        .any(|t| t.columns.iter().any(|c| matches!(c.ty, LType::Enum(_))))
    {
        v.push("Enumerations are text columns with a CHECK (... IN ...) constraint rather than native enum types: adding a value is a constraint swap, never a type rewrite, and the same DDL works on every engine.".into());
    }
    if d.tables.iter().any(|t| t.timestamps) {
        v.push("created_at/updated_at are set by the database (defaults plus an update trigger or ON UPDATE), so every writer gets them, not only the ORM.".into());
    }
    if d.tables.iter().any(|t| t.soft_delete) {
        v.push("Soft delete: rows get deleted_at instead of being removed; unique keys and access-pattern indexes cover live rows only (partial indexes where the engine has them).".into());
    }
    if d.tables.iter().any(|t| {
        t.foreign_keys
            .iter()
            .any(|f| f.on_delete == Action::NoAction)
    }) {
        v.push("Foreign keys without an on_delete keep the engine default (NO ACTION): deleting a referenced row fails while references exist.".into());
    }
    if d.tables
        .iter()
        .any(|t| t.foreign_keys.iter().any(|f| f.deferred))
    {
        v.push("The relations form a cycle; the foreign key that closes it is added by ALTER TABLE after the tables exist.".into());
    }
    v
}

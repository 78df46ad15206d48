//! Diff two schema models into an ordered plan of steps.
//!
//! Order (each phase in dependency order):
//! 1. renames from hints (tables, then columns);
//! 2. drops of what goes or changes: foreign keys, triggers, views (dependents first), indexes,
//!    check/unique/primary-key constraints;
//! 3. types (enums: ADD VALUE where possible), sequences, functions;
//! 4. tables created (referenced first), columns added / altered / dropped;
//! 5. constraints added (primary keys, uniques, checks, then foreign keys);
//! 6. indexes, views (dependencies first), triggers, comments;
//! 7. tables, functions, sequences and types that went away.
//!
//! On PostgreSQL every step on a table that already exists is written in its lock-safe form;
//! steps on tables created earlier in the same plan use the plain form (the table is empty and
//! no one else can see it yet).

use super::ddl::{self, cols, lit, norm, q, qn};
use super::plan::{self, Step, hazard};
use crate::catalog::{
    Catalog, Column, Function, Index, IndexOrigin, Name, SqlType, Table, UserType, UserTypeKind,
    View,
};
use crate::error::KdError;
use crate::sql::{Dialect, ParsedSql};
use schemars::JsonSchema;
use serde::Serialize;

/// An engine version, `16`, `11.4`, `10.11` (MariaDB), `3.45` (SQLite).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    pub fn parse(s: &str) -> Result<Version, KdError> {
        let t = s.trim().trim_start_matches(['v', 'V']);
        let mut it = t.split(['.', '-']);
        let bad = || {
            KdError::invalid(format!(
                "version `{s}` is not an engine version; write it as 16, 11.4, 8.0 or 10.11"
            ))
        };
        let major = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        let minor = it.next().map_or(Ok(0), |x| x.parse().map_err(|_| bad()))?;
        Ok(Version { major, minor })
    }
    pub fn default_for(d: Dialect) -> Version {
        match d {
            Dialect::Postgres | Dialect::Generic => Version {
                major: 16,
                minor: 0,
            },
            Dialect::Mysql => Version { major: 8, minor: 0 },
            Dialect::Sqlite => Version {
                major: 3,
                minor: 45,
            },
        }
    }
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }
}

// A rename, from a hint or inferred.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Rename {
    // `table` or `column`.
    pub kind: String,
    // Table name (for columns: the table, after table renames).
    pub table: String,
    pub from: String,
    pub to: String,
    // 1.0 for hints; lower for inferred candidates.
    pub confidence: f64,
    // The hint that applies it (`--rename ...`).
    pub hint: String,
    // Why it was inferred.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// Options of one diff.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    pub dialect: Dialect,
    pub version: Version,
    /// MariaDB rather than MySQL (online DDL clauses differ).
    pub mariadb: bool,
    pub renames: Vec<String>,
    pub timeouts: plan::Timeouts,
}

/// One side of the diff: its model and the parsed text (for definitions the model keeps as
/// spans: functions, triggers).
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub cat: &'a Catalog,
    pub parsed: Option<&'a ParsedSql>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DiffResult {
    pub steps: Vec<Step>,
    // Renames applied from hints.
    pub renames: Vec<Rename>,
    // Renames the diff suspects but did not apply (shown as drop + add in the steps).
    pub rename_candidates: Vec<Rename>,
    // What the diff could not express (reported, never silently dropped).
    pub notes: Vec<String>,
}

struct Out {
    d: Dialect,
    v: Version,
    mariadb: bool,
    steps: Vec<Step>,
    notes: Vec<String>,
    /// Columns whose default a type step already sets (it must drop and restore it around the
    /// conversion); the column's own default step is left out.
    defaults_set: Vec<(Name, String)>,
}

#[derive(Default)]
struct S {
    kind: &'static str,
    object: String,
    summary: String,
    up: Vec<String>,
    down: Vec<String>,
    no_tx: bool,
    down_no_tx: bool,
    separate: bool,
    irreversible: Option<String>,
    lock: Option<&'static str>,
    hazards: Vec<plan::Hazard>,
}

impl Out {
    fn push(&mut self, s: S) {
        let n = self.steps.len() + 1;
        self.steps.push(Step {
            n,
            kind: s.kind.to_string(),
            object: s.object,
            summary: s.summary,
            up: s.up,
            down: s.down,
            transactional: !s.no_tx,
            down_transactional: !s.down_no_tx,
            separate: s.separate,
            irreversible: s.irreversible,
            lock: s.lock.map(str::to_string),
            hazards: s.hazards,
        });
    }
    fn pg(&self) -> bool {
        self.d == Dialect::Postgres
    }
    /// MySQL/MariaDB online DDL clause, appended to ALTER TABLE.
    fn online(&self, algorithm: &str, lock: &str) -> String {
        if self.d != Dialect::Mysql {
            return String::new();
        }
        let algo = if algorithm == "INSTANT" {
            let instant = if self.mariadb {
                self.v.at_least(10, 3)
            } else {
                self.v.at_least(8, 0)
            };
            if instant { "INSTANT" } else { "INPLACE" }
        } else {
            algorithm
        };
        if lock.is_empty() || algo == "INSTANT" {
            format!(", ALGORITHM={algo}")
        } else {
            format!(", ALGORITHM={algo}, LOCK={lock}")
        }
    }
}

/// Text of the statement that created an object, from the parsed input (by span).
fn stmt_text(parsed: Option<&ParsedSql>, span: Option<&crate::findings::Span>) -> Option<String> {
    let (p, sp) = (parsed?, span?);
    p.statements
        .iter()
        .find(|s| {
            s.span.file == sp.file
                && (s.span.start.line, s.span.start.column) <= (sp.start.line, sp.start.column)
                && (s.span.end.line, s.span.end.column) >= (sp.start.line, sp.start.column)
        })
        .map(|s| s.text.trim().trim_end_matches(';').trim().to_string())
}

pub(crate) fn same_type(a: &SqlType, b: &SqlType) -> bool {
    // A user type (domain, enum, composite) is the same type by name: what it holds is the
    // type's own diff.
    if let (Some(x), Some(y)) = (&a.user_type, &b.user_type) {
        return x == y && a.element.is_none() && b.element.is_none();
    }
    a.name.eq_ignore_ascii_case(&b.name)
        && a.length == b.length
        && a.precision == b.precision
        && a.scale == b.scale
        && a.unsigned == b.unsigned
        && (a.user_type.is_some() || a.enum_values == b.enum_values)
        && match (&a.element, &b.element) {
            (Some(x), Some(y)) => same_type(x, y),
            (None, None) => true,
            _ => false,
        }
}

/// PostgreSQL changes that need no rewrite (binary coercible or a relaxed limit).
pub(crate) fn pg_no_rewrite(a: &SqlType, b: &SqlType) -> bool {
    let (an, bn) = (a.name.as_str(), b.name.as_str());
    let texty = |n: &str| matches!(n, "varchar" | "text" | "character varying");
    if texty(an) && texty(bn) {
        return match b.length {
            None => true,
            Some(m) => a.length.is_some_and(|n| m >= n),
        };
    }
    if an == "numeric" && bn == "numeric" {
        return b.precision.is_none()
            || (a.scale == b.scale && a.precision.is_some_and(|p| b.precision >= Some(p)));
    }
    if an == "cidr" && bn == "inet" {
        return true;
    }
    false
}

/// Whether converting `a` to `b` can lose information (so the down cannot restore it).
pub(crate) fn lossy(a: &SqlType, b: &SqlType) -> Option<String> {
    if a.family != b.family {
        return Some(format!(
            "{} → {} changes the type family; values may not convert back exactly",
            a.name, b.name
        ));
    }
    if let (Some(x), Some(y)) = (a.scale, b.scale)
        && y < x
    {
        return Some(format!("scale {x} → {y} rounds stored values"));
    }
    if a.family == crate::catalog::TypeFamily::Float && b.int_bytes.is_some() {
        return Some("float → integer truncates".into());
    }
    None
}

pub(crate) fn narrowing(a: &SqlType, b: &SqlType) -> bool {
    matches!((a.length, b.length), (Some(x), Some(y)) if y < x)
        || matches!((a.length, b.length), (None, Some(_)))
        || matches!((a.int_bytes, b.int_bytes), (Some(x), Some(y)) if y < x)
        || matches!((a.precision, b.precision), (Some(x), Some(y)) if y < x)
}

pub(crate) fn volatile_default(e: &str) -> bool {
    let n = norm(e);
    [
        "random(",
        "gen_random_uuid(",
        "uuid_generate",
        "clock_timestamp(",
        "nextval(",
        "timeofday(",
    ]
    .iter()
    .any(|f| n.contains(f))
}

// ------------------------------------------------------------------------------------------
// Renames

fn parse_hint(h: &str) -> Result<(bool, Option<String>, String, String), KdError> {
    let bad = || {
        KdError::invalid(format!(
            "rename hint `{h}`: write `old_table=new_table` for a table or `table.old_column=new_column` for a column"
        ))
    };
    let (l, r) = h.split_once('=').ok_or_else(bad)?;
    let (l, r) = (l.trim(), r.trim());
    if r.is_empty() || l.is_empty() {
        return Err(bad());
    }
    if let Some(t) = l.strip_prefix("table:") {
        return Ok((true, None, t.to_string(), r.to_string()));
    }
    let l = l.strip_prefix("column:").unwrap_or(l);
    match l.rsplit_once('.') {
        Some((t, c)) => Ok((false, Some(t.to_string()), c.to_string(), r.to_string())),
        None => Ok((true, None, l.to_string(), r.to_string())),
    }
}

fn rename_table(cat: &mut Catalog, from: &Name, to: &str) {
    let to_name = Name::new(from.schema.clone(), to.to_string());
    let ci = cat.dialect.case_insensitive_names();
    let eq = |a: &Name, b: &Name| {
        if ci {
            a.schema.eq_ignore_ascii_case(&b.schema) && a.name.eq_ignore_ascii_case(&b.name)
        } else {
            a == b
        }
    };
    for t in &mut cat.tables {
        if eq(&t.name, from) {
            t.name = to_name.clone();
        }
        for f in &mut t.foreign_keys {
            if eq(&f.ref_table, from) {
                f.ref_table = to_name.clone();
            }
        }
    }
    for i in &mut cat.indexes {
        if eq(&i.table, from) {
            i.table = to_name.clone();
        }
    }
    for v in &mut cat.views {
        for dep in &mut v.depends_on {
            if eq(dep, from) {
                *dep = to_name.clone();
            }
        }
    }
    for tr in &mut cat.triggers {
        if eq(&tr.table, from) {
            tr.table = to_name.clone();
        }
    }
}

fn rename_column(cat: &mut Catalog, table: &Name, from: &str, to: &str) {
    let ci = cat.dialect.case_insensitive_names();
    let ceq = |a: &str, b: &str| {
        if ci {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let neq = |a: &Name, b: &Name| ceq(&a.schema, &b.schema) && ceq(&a.name, &b.name);
    let fix = |v: &mut Vec<String>| {
        for c in v.iter_mut() {
            if ceq(c, from) {
                *c = to.to_string();
            }
        }
    };
    for t in &mut cat.tables {
        if neq(&t.name, table) {
            for c in &mut t.columns {
                if ceq(&c.name, from) {
                    c.name = to.to_string();
                }
            }
            if let Some(pk) = &mut t.primary_key {
                fix(&mut pk.columns);
            }
            for u in &mut t.uniques {
                fix(&mut u.columns);
            }
            for f in &mut t.foreign_keys {
                fix(&mut f.columns);
            }
            for c in &mut t.checks {
                fix(&mut c.columns);
            }
        }
        for f in &mut t.foreign_keys {
            if neq(&f.ref_table, table) {
                fix(&mut f.ref_columns);
            }
        }
    }
    for i in &mut cat.indexes {
        if neq(&i.table, table) {
            for k in &mut i.keys {
                if k.column.as_deref().is_some_and(|c| ceq(c, from)) {
                    k.column = Some(to.to_string());
                    k.expr = to.to_string();
                }
            }
            fix(&mut i.include);
        }
    }
}

// ------------------------------------------------------------------------------------------
// The diff

/// Diff `old` into `new`.
pub fn diff(old: Side, new: Side, o: &DiffOptions) -> Result<DiffResult, KdError> {
    let d = o.dialect;
    let mut out = Out {
        d,
        v: o.version,
        mariadb: o.mariadb,
        steps: Vec::new(),
        notes: Vec::new(),
        defaults_set: Vec::new(),
    };
    let mut oc = old.cat.clone();
    let nc = new.cat;
    let mut renames = Vec::new();

    // 1. Renames from hints.
    for h in &o.renames {
        let (is_table, table, from, to) = parse_hint(h)?;
        if is_table {
            let t = oc
                .find_table(&from)
                .map(|t| t.name.clone())
                .ok_or_else(|| {
                    KdError::invalid(format!(
                        "rename hint `{h}`: the old schema has no table `{from}`"
                    ))
                })?;
            let to_n = Name::new(t.schema.clone(), to.clone());
            if nc.table(&to_n).is_none() {
                return Err(KdError::invalid(format!(
                    "rename hint `{h}`: the new schema has no table `{to}`"
                )));
            }
            rename_table(&mut oc, &t, &to);
            out.push(S {
                kind: "rename_table",
                object: to_n.to_string(),
                summary: format!("rename table {t} to {to_n}"),
                up: vec![format!("ALTER TABLE {} RENAME TO {}", qn(d, &t), q(d, &to))],
                down: vec![format!(
                    "ALTER TABLE {} RENAME TO {}",
                    qn(d, &to_n),
                    q(d, &t.name)
                )],
                lock: out.pg().then_some("ACCESS EXCLUSIVE"),
                hazards: vec![hazard(
                    plan::ACCESS_EXCLUSIVE,
                    "clients still using the old name fail after the rename",
                )],
                ..S::default()
            });
            renames.push(Rename {
                kind: "table".into(),
                table: to_n.to_string(),
                from: t.name.clone(),
                to,
                confidence: 1.0,
                hint: h.clone(),
                reason: String::new(),
            });
        } else {
            let tname = table.unwrap_or_default();
            let t = oc.find_table(&tname).map(|t| t.name.clone()).ok_or_else(|| {
                KdError::invalid(format!(
                    "rename hint `{h}`: the old schema has no table `{tname}` (write the table's new name when it is renamed too)"
                ))
            })?;
            if oc.table(&t).and_then(|x| x.column(&from)).is_none() {
                return Err(KdError::invalid(format!(
                    "rename hint `{h}`: table `{tname}` has no column `{from}` in the old schema"
                )));
            }
            rename_column(&mut oc, &t, &from, &to);
            let up = if d == Dialect::Mysql {
                format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}{}",
                    qn(d, &t),
                    q(d, &from),
                    q(d, &to),
                    out.online("INPLACE", "NONE")
                )
            } else {
                format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}",
                    qn(d, &t),
                    q(d, &from),
                    q(d, &to)
                )
            };
            let down = if d == Dialect::Mysql {
                format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}{}",
                    qn(d, &t),
                    q(d, &to),
                    q(d, &from),
                    out.online("INPLACE", "NONE")
                )
            } else {
                format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}",
                    qn(d, &t),
                    q(d, &to),
                    q(d, &from)
                )
            };
            out.push(S {
                kind: "rename_column",
                object: format!("{t}.{to}"),
                summary: format!("rename column {t}.{from} to {to}"),
                up: vec![up],
                down: vec![down],
                lock: out.pg().then_some("ACCESS EXCLUSIVE"),
                hazards: vec![hazard(
                    plan::ACCESS_EXCLUSIVE,
                    "clients still using the old column name fail after the rename",
                )],
                ..S::default()
            });
            renames.push(Rename {
                kind: "column".into(),
                table: t.to_string(),
                from,
                to,
                confidence: 1.0,
                hint: h.clone(),
                reason: String::new(),
            });
        }
    }
    let oc = &oc;
    let os = Side {
        cat: oc,
        parsed: old.parsed,
    };

    // Which tables exist on both sides, which are new / gone.
    let added: Vec<&Table> = nc
        .tables
        .iter()
        .filter(|t| oc.table(&t.name).is_none())
        .collect();
    let removed: Vec<&Table> = oc
        .tables
        .iter()
        .filter(|t| nc.table(&t.name).is_none())
        .collect();
    let common: Vec<(&Table, &Table)> = nc
        .tables
        .iter()
        .filter_map(|n| oc.table(&n.name).map(|o| (o, n)))
        .collect();
    let is_new = |n: &Name| added.iter().any(|t| nc.name_eq(&t.name, n));

    let candidates = infer_renames(oc, nc, &added, &removed, &common);

    // Keys (primary key, unique constraint, unique index) of kept tables that this plan drops,
    // as table and column list: a foreign key referencing one depends on its index, so it is
    // dropped before and added again after (PostgreSQL refuses to drop the key under it).
    let mut dropped_keys: Vec<(&Name, Vec<&str>)> = Vec::new();
    for (a, b) in &common {
        if let Some(pk) = &a.primary_key
            && !b.primary_key.as_ref().is_some_and(|x| key_same(nc, x, pk))
        {
            dropped_keys.push((&a.name, pk.columns.iter().map(String::as_str).collect()));
        }
        for u in &a.uniques {
            let same = b
                .uniques
                .iter()
                .find(|x| nc.ident_eq(&x.name, &u.name))
                .is_some_and(|x| key_same(nc, x, u));
            if !same {
                dropped_keys.push((&a.name, u.columns.iter().map(String::as_str).collect()));
            }
        }
        for ix in oc
            .indexes_of(&a.name)
            .filter(|i| i.unique && i.origin == IndexOrigin::Explicit && i.inherited_from.is_none())
        {
            let same = nc
                .indexes_of(&b.name)
                .find(|n| n.origin == IndexOrigin::Explicit && nc.ident_eq(&n.name, &ix.name))
                .is_some_and(|n| index_same(n, ix));
            if !same && let Some(cols) = ix.columns() {
                dropped_keys.push((&a.name, cols));
            }
        }
    }
    let ref_key_dropped = |f: &crate::catalog::ForeignKey| {
        dropped_keys.iter().any(|(t, cols)| {
            oc.name_eq(t, &f.ref_table)
                && cols.len() == f.ref_columns.len()
                && f.ref_columns
                    .iter()
                    .all(|r| cols.iter().any(|c| oc.ident_eq(c, r)))
        })
    };

    // SQLite: tables whose change its ALTER TABLE cannot make are rebuilt.
    let rebuilt: Vec<&Table> = if d == Dialect::Sqlite {
        common
            .iter()
            .filter(|(a, b)| sqlite_needs_rebuild(oc, nc, a, b, o.version))
            .map(|(_, b)| *b)
            .collect()
    } else {
        Vec::new()
    };
    let is_rebuilt = |n: &Name| rebuilt.iter().any(|t| nc.name_eq(&t.name, n));

    // Columns whose type changes or that go away (views and other dependents must be rebuilt),
    // including columns of a user type that is recreated (their type is converted too).
    let recreated = recreated_types(oc, nc);
    let of_recreated = |t: &SqlType| {
        [
            t.user_type.as_ref(),
            t.element.as_ref().and_then(|e| e.user_type.as_ref()),
        ]
        .into_iter()
        .flatten()
        .any(|u| recreated.iter().any(|r| oc.name_eq(r, u)))
    };
    let mut changed_cols: Vec<(Name, String)> = Vec::new();
    for (a, b) in &common {
        for c in &a.columns {
            match b.column(&c.name) {
                None => changed_cols.push((a.name.clone(), c.name.clone())),
                Some(nc2) if !same_type(&c.data_type, &nc2.data_type) => {
                    changed_cols.push((a.name.clone(), c.name.clone()))
                }
                _ if of_recreated(&c.data_type) => {
                    changed_cols.push((a.name.clone(), c.name.clone()))
                }
                _ => {}
            }
        }
    }

    // Views to drop (gone, changed, or reading a changed column / removed or rebuilt table),
    // closed over views reading those views.
    let view_changed = |v: &View| -> bool {
        match nc.view(&v.name) {
            None => true,
            Some(nv) => {
                nv.materialized != v.materialized || norm(&nv.definition) != norm(&v.definition)
            }
        }
    };
    let mut drop_views: Vec<&View> = Vec::new();
    for v in &oc.views {
        // PostgreSQL expands `*` when the view is created: a view selecting `*` from a table
        // whose columns change must be created again to see them.
        let star = v.definition.contains('*');
        let reads_changed = v.depends_on.iter().any(|dep| {
            removed.iter().any(|t| oc.name_eq(&t.name, dep))
                || is_rebuilt(dep)
                || star
                    && common.iter().any(|(a, b)| {
                        oc.name_eq(&a.name, dep)
                            && (a.columns.len() != b.columns.len()
                                || b.columns.iter().any(|c| a.column(&c.name).is_none()))
                    })
                || changed_cols
                    .iter()
                    .any(|(t, c)| oc.name_eq(t, dep) && view_mentions(&v.definition, c))
        });
        if view_changed(v) || reads_changed {
            drop_views.push(v);
        }
    }
    loop {
        let more: Vec<&View> = oc
            .views
            .iter()
            .filter(|v| !drop_views.iter().any(|x| oc.name_eq(&x.name, &v.name)))
            .filter(|v| {
                v.depends_on
                    .iter()
                    .any(|dep| drop_views.iter().any(|x| oc.name_eq(&x.name, dep)))
            })
            .collect();
        if more.is_empty() {
            break;
        }
        drop_views.extend(more);
    }

    let explicit = |i: &&Index| i.origin == IndexOrigin::Explicit && i.inherited_from.is_none();
    // Views to create (new, or dropped above), and whether an index sits on one of them.
    let create_views: Vec<&View> = nc
        .views
        .iter()
        .filter(|v| {
            oc.view(&v.name).is_none() || drop_views.iter().any(|x| oc.name_eq(&x.name, &v.name))
        })
        .collect();
    let on_view = |n: &Name| {
        create_views.iter().any(|v| nc.name_eq(&v.name, n))
            || drop_views.iter().any(|v| oc.name_eq(&v.name, n))
    };

    // Triggers by definition.
    let trig_text = |s: Side, t: &crate::catalog::Trigger| {
        stmt_text(s.parsed, t.span.as_ref()).map(|x| norm(&x))
    };
    let drop_triggers: Vec<&crate::catalog::Trigger> = oc
        .triggers
        .iter()
        .filter(|t| {
            match nc
                .triggers
                .iter()
                .find(|n| nc.ident_eq(&n.name, &t.name) && nc.name_eq(&n.table, &t.table))
            {
                None => !removed.iter().any(|r| oc.name_eq(&r.name, &t.table)),
                Some(n) => trig_text(os, t) != trig_text(new, n) || is_rebuilt(&t.table),
            }
        })
        .collect();

    // 2. Drops: foreign keys.
    for (a, b) in &common {
        for f in &a.foreign_keys {
            let keep = b
                .foreign_keys
                .iter()
                .find(|g| nc.ident_eq(&g.name, &f.name));
            let same = keep.is_some_and(|g| fk_same(nc, f, g)) && !ref_key_dropped(f);
            if !same && !is_rebuilt(&b.name) && d != Dialect::Sqlite {
                let refd_gone = removed.iter().any(|r| oc.name_eq(&r.name, &f.ref_table));
                out.push(S {
                    kind: "drop_foreign_key",
                    object: f.name.clone(),
                    summary: format!("drop foreign key {} on {}", f.name, a.name),
                    up: {
                        let mut v = vec![drop_constraint(d, &a.name, &f.name, "FOREIGN KEY")];
                        let kept = mysql_fk_index(nc, &a.name, &f.columns).is_some();
                        if let Some(ix) = mysql_fk_index(oc, &a.name, &f.columns)
                            && !kept
                        {
                            v.push(format!(
                                "ALTER TABLE {} DROP INDEX {}",
                                qn(d, &a.name),
                                q(d, &ix)
                            ));
                        }
                        v
                    },
                    down: add_fk_safe(&out, &a.name, f, false).0,
                    lock: out.pg().then_some("SHARE ROW EXCLUSIVE"),
                    hazards: if refd_gone {
                        vec![]
                    } else {
                        vec![hazard(
                            plan::SHARE_ROW_EXCLUSIVE,
                            "takes SHARE ROW EXCLUSIVE on both tables for a moment",
                        )]
                    },
                    ..S::default()
                });
            }
        }
    }
    // Foreign keys of kept tables referencing removed tables are handled above (they are gone
    // from the new side too). Triggers.
    for t in &drop_triggers {
        let text = stmt_text(os.parsed, t.span.as_ref());
        out.push(S {
            kind: "drop_trigger",
            object: t.name.clone(),
            summary: format!("drop trigger {} on {}", t.name, t.table),
            up: vec![drop_trigger(d, &t.table, &t.name)],
            down: text.into_iter().collect(),
            ..S::default()
        });
    }
    // Views, dependents first.
    let ordered = view_order(oc, &drop_views);
    for v in ordered.iter().rev() {
        out.push(S {
            kind: if v.materialized {
                "drop_materialized_view"
            } else {
                "drop_view"
            },
            object: v.name.to_string(),
            summary: format!("drop view {}", v.name),
            up: vec![ddl::drop_view(d, v)],
            down: {
                let mut down = vec![ddl::create_view(d, v)];
                down.extend(
                    oc.indexes_of(&v.name)
                        .filter(explicit)
                        .map(|ix| ddl::create_index(d, ix, false)),
                );
                down
            },
            hazards: if v.materialized {
                vec![hazard(
                    plan::UNTRACKED,
                    "the materialized view's rows are recomputed when it is created again",
                )]
            } else {
                vec![]
            },
            ..S::default()
        });
    }
    // Indexes (explicit ones; key-backed indexes go with their constraints).
    for ix in oc.indexes.iter().filter(explicit) {
        if removed.iter().any(|r| oc.name_eq(&r.name, &ix.table))
            || is_rebuilt(&ix.table)
            || on_view(&ix.table)
        {
            continue;
        }
        let same = nc
            .indexes
            .iter()
            .filter(explicit)
            .find(|n| nc.ident_eq(&n.name, &ix.name) && nc.name_eq(&n.table, &ix.table))
            .is_some_and(|n| index_same(n, ix));
        if same {
            continue;
        }
        // A dropped column takes its indexes with it; drop them first explicitly anyway.
        let conc = out.pg();
        let mut s = S {
            kind: "drop_index",
            object: ix.name.clone(),
            summary: format!("drop index {} on {}", ix.name, ix.table),
            up: vec![with_online(
                &out,
                ddl::drop_index(d, ix, conc),
                "INPLACE",
                "NONE",
            )],
            down: vec![with_online(
                &out,
                ddl::create_index(d, ix, conc),
                "INPLACE",
                "NONE",
            )],
            no_tx: conc,
            down_no_tx: conc,
            hazards: vec![hazard(
                plan::INDEX_DROPPED,
                "queries that used the index slow down",
            )],
            ..S::default()
        };
        if d == Dialect::Mysql {
            s.up = vec![format!(
                "ALTER TABLE {} DROP INDEX {}{}",
                qn(d, &ix.table),
                q(d, &ix.name),
                out.online("INPLACE", "NONE")
            )];
            s.down = vec![mysql_add_index(&out, ix)];
        }
        out.push(s);
    }
    // Checks, uniques, primary keys that change or go.
    for (a, b) in &common {
        if is_rebuilt(&b.name) || d == Dialect::Sqlite {
            continue;
        }
        for c in &a.checks {
            let same = b
                .checks
                .iter()
                .find(|x| nc.ident_eq(&x.name, &c.name))
                .is_some_and(|x| norm(&x.expr) == norm(&c.expr));
            if !same {
                out.push(S {
                    kind: "drop_check",
                    object: c.name.clone(),
                    summary: format!("drop check {} on {}", c.name, a.name),
                    up: vec![drop_constraint(d, &a.name, &c.name, "CHECK")],
                    down: add_check_safe(&out, &a.name, c, false).0,
                    ..S::default()
                });
            }
        }
        for u in &a.uniques {
            let same = b
                .uniques
                .iter()
                .find(|x| nc.ident_eq(&x.name, &u.name))
                .is_some_and(|x| key_same(nc, x, u));
            if !same {
                out.push(S {
                    kind: "drop_unique",
                    object: u.name.clone(),
                    summary: format!("drop unique constraint {} on {}", u.name, a.name),
                    up: vec![drop_constraint(d, &a.name, &u.name, "UNIQUE")],
                    down: vec![format!(
                        "ALTER TABLE {} ADD {}",
                        qn(d, &a.name),
                        ddl::unique_def(d, u)
                    )],
                    hazards: vec![hazard(
                        plan::INDEX_DROPPED,
                        "the index behind the constraint goes with it",
                    )],
                    ..S::default()
                });
            }
        }
        if let Some(pk) = &a.primary_key {
            let same = b.primary_key.as_ref().is_some_and(|x| key_same(nc, x, pk));
            if let Some(npk) = &b.primary_key
                && same
                && !nc.ident_eq(&npk.name, &pk.name)
                && d == Dialect::Postgres
            {
                out.push(S {
                    kind: "rename_constraint",
                    object: npk.name.clone(),
                    summary: format!(
                        "rename primary key {} of {} to {}",
                        pk.name, a.name, npk.name
                    ),
                    up: vec![format!(
                        "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                        qn(d, &a.name),
                        q(d, &pk.name),
                        q(d, &npk.name)
                    )],
                    down: vec![format!(
                        "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                        qn(d, &a.name),
                        q(d, &npk.name),
                        q(d, &pk.name)
                    )],
                    ..S::default()
                });
            }
            if !same {
                out.push(S {
                    kind: "drop_primary_key",
                    object: pk.name.clone(),
                    summary: format!("drop primary key of {}", a.name),
                    up: vec![drop_constraint(d, &a.name, &pk.name, "PRIMARY KEY")],
                    down: vec![format!(
                        "ALTER TABLE {} ADD {}",
                        qn(d, &a.name),
                        ddl::pk_def(d, pk)
                    )],
                    lock: out.pg().then_some("ACCESS EXCLUSIVE"),
                    hazards: vec![hazard(
                        plan::INDEX_DROPPED,
                        "the primary key index goes with it",
                    )],
                    ..S::default()
                });
            }
        }
    }

    // 3. Extensions (before the types, functions and columns that may use them), types,
    // sequences, functions.
    if out.pg() {
        for e in nc.extensions.iter().filter(|e| !oc.extensions.contains(e)) {
            out.push(S {
                kind: "create_extension",
                object: e.clone(),
                summary: format!("create extension {e}"),
                up: vec![format!("CREATE EXTENSION IF NOT EXISTS {}", q(d, e))],
                down: vec![format!("DROP EXTENSION IF EXISTS {}", q(d, e))],
                hazards: vec![hazard(
                    plan::UNTRACKED,
                    "the extension must be installed on the server, and creating it may need superuser or a trusted extension",
                )],
                ..S::default()
            });
        }
    }
    // Functions whose arguments or result are of a type recreated below depend on the old
    // type, which PostgreSQL refuses to drop under them: they are dropped first and created
    // again after the type.
    let on_recreated = |f: &Function| recreated.iter().any(|r| fn_uses_type(oc, f, r));
    for f in oc.functions.iter().filter(|f| on_recreated(f)) {
        let text = stmt_text(os.parsed, f.span.as_ref());
        out.push(S {
            kind: "drop_function",
            object: fn_object(d, f),
            summary: format!(
                "drop {} {} (its type is recreated)",
                f.kind.to_ascii_lowercase(),
                fn_object(d, f)
            ),
            up: vec![drop_function(d, f)],
            down: text.into_iter().collect(),
            ..S::default()
        });
    }
    types_phase(&mut out, oc, nc)?;
    for s in &nc.sequences {
        if s.owned_by.is_none() && !oc.sequences.iter().any(|x| oc.name_eq(&x.name, &s.name)) {
            out.push(S {
                kind: "create_sequence",
                object: s.name.to_string(),
                summary: format!("create sequence {}", s.name),
                up: vec![
                    stmt_text(new.parsed, s.span.as_ref())
                        .unwrap_or_else(|| format!("CREATE SEQUENCE {}", qn(d, &s.name))),
                ],
                down: vec![format!("DROP SEQUENCE {}", qn(d, &s.name))],
                ..S::default()
            });
        }
    }
    for f in &nc.functions {
        let old_f = oc
            .functions
            .iter()
            .find(|x| same_fn(oc, x, f) && !on_recreated(x));
        let ntext = stmt_text(new.parsed, f.span.as_ref());
        let Some(ntext) = ntext else {
            out.notes.push(format!(
                "function {}: its definition is not available; not compared",
                f.name
            ));
            continue;
        };
        match old_f {
            None => out.push(S {
                kind: "create_function",
                object: fn_object(d, f),
                summary: format!("create {} {}", f.kind.to_ascii_lowercase(), fn_object(d, f)),
                up: vec![ntext],
                down: vec![drop_function(d, f)],
                ..S::default()
            }),
            Some(of) => {
                let otext = stmt_text(os.parsed, of.span.as_ref()).unwrap_or_default();
                if norm(&or_replace(&otext)) != norm(&or_replace(&ntext)) {
                    let returns_changed =
                        of.returns.as_deref().map(norm) != f.returns.as_deref().map(norm);
                    let (mut up, mut down) = (vec![or_replace(&ntext)], vec![or_replace(&otext)]);
                    if returns_changed {
                        up.insert(0, drop_function(d, f));
                        down.insert(0, drop_function(d, f));
                        up[1] = ntext.clone();
                        down[1] = otext.clone();
                    }
                    out.push(S {
                        kind: "replace_function",
                        object: fn_object(d, f),
                        summary: format!(
                            "replace {} {}",
                            f.kind.to_ascii_lowercase(),
                            fn_object(d, f)
                        ),
                        up,
                        down,
                        ..S::default()
                    });
                }
            }
        }
    }

    // 4. Tables created, referenced first.
    for t in ddl::fk_order(nc, &added) {
        let inline_fks = d == Dialect::Sqlite;
        let mut up = vec![ddl::create_table(d, t, inline_fks)];
        if d == Dialect::Mysql {
            // MySQL keeps non-key indexes separately (CREATE INDEX below).
        }
        up.extend(comments_for_new_table(d, t));
        out.push(S {
            kind: "create_table",
            object: t.name.to_string(),
            summary: format!("create table {}", t.name),
            up,
            down: vec![format!("DROP TABLE {}", qn(d, &t.name))],
            ..S::default()
        });
    }
    // Columns of existing tables.
    for (a, b) in &common {
        if is_rebuilt(&b.name) {
            sqlite_rebuild(&mut out, oc, nc, a, b);
            continue;
        }
        columns_phase(&mut out, o, a, b);
    }

    // 5. Constraints added.
    for (a, b) in &common {
        if is_rebuilt(&b.name) || d == Dialect::Sqlite {
            continue;
        }
        if let Some(pk) = &b.primary_key
            && !a.primary_key.as_ref().is_some_and(|x| key_same(nc, x, pk))
        {
            add_key_safe(&mut out, &b.name, pk, true);
        }
        for u in &b.uniques {
            let same = a
                .uniques
                .iter()
                .find(|x| nc.ident_eq(&x.name, &u.name))
                .is_some_and(|x| key_same(nc, x, u));
            if !same {
                add_key_safe(&mut out, &b.name, u, false);
            }
        }
        for c in &b.checks {
            let same = a
                .checks
                .iter()
                .find(|x| nc.ident_eq(&x.name, &c.name))
                .is_some_and(|x| norm(&x.expr) == norm(&c.expr));
            if !same {
                let (up, validate) = add_check_safe(&out, &b.name, c, true);
                push_two_phase(
                    &mut out,
                    "add_check",
                    &b.name,
                    &c.name,
                    up,
                    validate,
                    "check",
                );
            }
        }
    }
    // 6. Indexes created (those of materialized views come with the view).
    for ix in nc.indexes.iter().filter(explicit) {
        if is_rebuilt(&ix.table) || on_view(&ix.table) {
            continue;
        }
        let same = oc
            .indexes
            .iter()
            .filter(explicit)
            .find(|n| oc.ident_eq(&n.name, &ix.name) && oc.name_eq(&n.table, &ix.table))
            .is_some_and(|n| index_same(n, ix));
        if same {
            continue;
        }
        let fresh = is_new(&ix.table);
        let conc = out.pg() && !fresh;
        let mut s = S {
            kind: "create_index",
            object: ix.name.clone(),
            summary: format!("create index {} on {}", ix.name, ix.table),
            up: vec![ddl::create_index(d, ix, conc)],
            down: vec![ddl::drop_index(d, ix, conc)],
            no_tx: conc,
            down_no_tx: conc,
            lock: (!conc && out.pg() && !fresh).then_some("SHARE"),
            hazards: if fresh {
                vec![]
            } else {
                let mut h = vec![hazard(
                    plan::INDEX_BUILD,
                    "builds the index over every row (CPU and I/O for large tables)",
                )];
                if ix.unique {
                    h.push(hazard(plan::MAY_FAIL, "fails if existing rows have duplicates; a failed CONCURRENTLY build leaves an INVALID index to drop"));
                }
                h
            },
            ..S::default()
        };
        if d == Dialect::Mysql {
            s.up = vec![mysql_add_index(&out, ix)];
            s.down = vec![format!(
                "ALTER TABLE {} DROP INDEX {}{}",
                qn(d, &ix.table),
                q(d, &ix.name),
                out.online("INPLACE", "NONE")
            )];
        }
        out.push(s);
    }
    // Foreign keys, after the indexes: one may reference a unique index created above.
    if d != Dialect::Sqlite {
        for b in nc.tables.iter().filter(|t| !is_rebuilt(&t.name)) {
            let a = oc.table(&b.name);
            for f in &b.foreign_keys {
                let same = a
                    .and_then(|a| {
                        a.foreign_keys
                            .iter()
                            .find(|g| nc.ident_eq(&g.name, &f.name))
                    })
                    .is_some_and(|g| fk_same(nc, f, g) && !ref_key_dropped(g));
                if same {
                    continue;
                }
                let fresh = is_new(&b.name);
                let (up, validate) = add_fk_safe(&out, &b.name, f, !fresh);
                let fk_index = mysql_fk_index(nc, &b.name, &f.columns);
                push_two_phase(
                    &mut out,
                    "add_foreign_key",
                    &b.name,
                    &f.name,
                    up,
                    validate,
                    "foreign key",
                );
                // MySQL creates an index for a foreign key no index covers, and keeps it when
                // the key is dropped: the down drops it too.
                if let Some(ix) = fk_index
                    && let Some(step) = out
                        .steps
                        .iter_mut()
                        .rev()
                        .find(|s| s.kind == "add_foreign_key")
                {
                    step.down.push(format!(
                        "ALTER TABLE {} DROP INDEX {}",
                        qn(d, &b.name),
                        q(d, &ix)
                    ));
                }
            }
        }
    }

    for v in view_order(nc, &create_views) {
        out.push(S {
            kind: if v.materialized {
                "create_materialized_view"
            } else {
                "create_view"
            },
            object: v.name.to_string(),
            summary: format!("create view {}", v.name),
            up: {
                let mut up = vec![ddl::create_view(d, v)];
                up.extend(
                    nc.indexes_of(&v.name)
                        .filter(explicit)
                        .map(|ix| ddl::create_index(d, ix, false)),
                );
                up
            },
            down: vec![ddl::drop_view(d, v)],
            ..S::default()
        });
    }
    // Triggers.
    for t in &nc.triggers {
        let had = oc
            .triggers
            .iter()
            .find(|n| oc.ident_eq(&n.name, &t.name) && oc.name_eq(&n.table, &t.table));
        let dropped = had.is_some_and(|h| drop_triggers.iter().any(|x| std::ptr::eq(*x, h)));
        if had.is_some() && !dropped {
            continue;
        }
        let Some(text) = stmt_text(new.parsed, t.span.as_ref()) else {
            out.notes
                .push(format!("trigger {}: definition not available", t.name));
            continue;
        };
        out.push(S {
            kind: "create_trigger",
            object: t.name.clone(),
            summary: format!("create trigger {} on {}", t.name, t.table),
            up: vec![text],
            down: vec![drop_trigger(d, &t.table, &t.name)],
            ..S::default()
        });
    }
    // Comments on existing tables and their columns (PostgreSQL).
    if out.pg() {
        for (a, b) in &common {
            if a.comment != b.comment {
                out.push(comment_step(
                    d,
                    "TABLE",
                    &qn(d, &b.name),
                    &a.comment,
                    &b.comment,
                ));
            }
            for c in &b.columns {
                let oldc = a.column(&c.name).and_then(|x| x.comment.clone());
                if oldc != c.comment {
                    out.push(comment_step(
                        d,
                        "COLUMN",
                        &format!("{}.{}", qn(d, &b.name), q(d, &c.name)),
                        &oldc,
                        &c.comment,
                    ));
                }
            }
        }
    }

    // 7. What went away: tables (referencing first), functions, sequences, types.
    let rem_order = ddl::fk_order(oc, &removed);
    for t in rem_order.iter().rev() {
        let mut down = vec![ddl::create_table(d, t, d == Dialect::Sqlite)];
        down.extend(comments_for_new_table(d, t));
        for ix in oc.indexes_of(&t.name).filter(explicit) {
            down.push(ddl::create_index(d, ix, false));
        }
        if d != Dialect::Sqlite {
            for f in &t.foreign_keys {
                if oc.table(&f.ref_table).is_some() {
                    down.push(format!(
                        "ALTER TABLE {} ADD {}",
                        qn(d, &t.name),
                        ddl::fk_def(d, f)
                    ));
                }
            }
        }
        let cand = candidates
            .iter()
            .find(|c| c.kind == "table" && oc.ident_eq(&c.from, &t.name.name));
        let mut hazards = vec![hazard(
            plan::DELETES_DATA,
            format!("every row of {} is deleted", t.name),
        )];
        if let Some(c) = cand {
            hazards.push(hazard(
                plan::POSSIBLE_RENAME,
                format!(
                    "{} looks renamed to {} ({}% sure); pass the rename hint `{}` to keep the data",
                    c.from,
                    c.to,
                    (c.confidence * 100.0).round(),
                    c.hint
                ),
            ));
        }
        out.push(S {
            kind: "drop_table",
            object: t.name.to_string(),
            summary: format!("drop table {}", t.name),
            up: vec![format!("DROP TABLE {}", qn(d, &t.name))],
            down,
            irreversible: Some(format!(
                "the rows of {} are gone; the down recreates an empty table",
                t.name
            )),
            lock: out.pg().then_some("ACCESS EXCLUSIVE"),
            hazards,
            ..S::default()
        });
    }
    for f in &oc.functions {
        if !nc.functions.iter().any(|x| same_fn(nc, x, f)) && !on_recreated(f) {
            let text = stmt_text(os.parsed, f.span.as_ref());
            out.push(S {
                kind: "drop_function",
                object: fn_object(d, f),
                summary: format!("drop {} {}", f.kind.to_ascii_lowercase(), fn_object(d, f)),
                up: vec![drop_function(d, f)],
                down: text.into_iter().collect(),
                ..S::default()
            });
        }
    }
    for s in &oc.sequences {
        if s.owned_by.is_none() && !nc.sequences.iter().any(|x| nc.name_eq(&x.name, &s.name)) {
            out.push(S {
                kind: "drop_sequence",
                object: s.name.to_string(),
                summary: format!("drop sequence {}", s.name),
                up: vec![format!("DROP SEQUENCE {}", qn(d, &s.name))],
                down: vec![
                    stmt_text(os.parsed, s.span.as_ref())
                        .unwrap_or_else(|| format!("CREATE SEQUENCE {}", qn(d, &s.name))),
                ],
                irreversible: Some("the sequence restarts from its start value".into()),
                ..S::default()
            });
        }
    }
    for t in &oc.types {
        if nc.user_type(&t.name).is_none() {
            let create = create_type(d, t);
            out.push(S {
                kind: "drop_type",
                object: t.name.to_string(),
                summary: format!("drop type {}", t.name),
                up: vec![format!("DROP TYPE {}", qn(d, &t.name))],
                down: create.into_iter().collect(),
                ..S::default()
            });
        }
    }

    // Extensions last, once nothing of the plan uses them. No CASCADE: PostgreSQL refuses to
    // drop one whose types or functions something still uses, rather than dropping that too.
    if out.pg() {
        for e in oc.extensions.iter().filter(|e| !nc.extensions.contains(e)) {
            out.push(S {
                kind: "drop_extension",
                object: e.clone(),
                summary: format!("drop extension {e}"),
                up: vec![format!("DROP EXTENSION {}", q(d, e))],
                down: vec![format!("CREATE EXTENSION IF NOT EXISTS {}", q(d, e))],
                hazards: vec![
                    hazard(
                        plan::MAY_FAIL,
                        "fails while objects the model does not know (other schemas, hand-made) use the extension",
                    ),
                    hazard(
                        plan::DELETES_DATA,
                        format!("whatever {e} keeps in tables of its own (pg_cron's jobs, for example) goes with it; the down creates it empty"),
                    ),
                ],
                ..S::default()
            });
        }
    }

    // Drop steps of suspected column renames say so.
    for c in candidates.iter().filter(|c| c.kind == "column") {
        let object = format!("{}.{}", c.table, c.from);
        if let Some(step) = out
            .steps
            .iter_mut()
            .find(|s| s.kind == "drop_column" && s.object == object)
        {
            step.hazards.push(hazard(
                plan::POSSIBLE_RENAME,
                format!(
                    "{object} looks renamed to {} ({}% sure); pass the rename hint `{}` to keep the data",
                    c.to,
                    (c.confidence * 100.0).round(),
                    c.hint
                ),
            ));
        }
    }
    Ok(DiffResult {
        steps: out.steps,
        renames,
        rename_candidates: candidates,
        notes: out.notes,
    })
}

/// Functions are one object per signature on PostgreSQL (overloads), per name elsewhere.
fn same_fn(c: &Catalog, a: &Function, b: &Function) -> bool {
    c.name_eq(&a.name, &b.name)
        && a.kind.eq_ignore_ascii_case(&b.kind)
        && (c.dialect != Dialect::Postgres || a.args == b.args)
}

fn fn_object(d: Dialect, f: &Function) -> String {
    if d == Dialect::Postgres {
        f.signature()
    } else {
        f.name.to_string()
    }
}

/// `DROP FUNCTION f(integer, text)`: on PostgreSQL the argument types pick the overload.
/// Whether an argument or the result of `f` is of type `ty` (or an array of it).
fn fn_uses_type(c: &Catalog, f: &Function, ty: &Name) -> bool {
    use sqlparser::ast::{ArrayElemTypeDef, DataType, ObjectNamePart};
    let returns = f.returns.as_deref().map(|r| {
        let r = r.trim();
        match r.get(..6) {
            Some(p) if p.eq_ignore_ascii_case("setof ") => r[6..].trim(),
            _ => r,
        }
    });
    let names = |s: &str| -> bool {
        let pd = sqlparser::dialect::PostgreSqlDialect {};
        let Ok(mut p) = sqlparser::parser::Parser::new(&pd).try_with_sql(s) else {
            return false;
        };
        let Ok(mut dt) = p.parse_data_type() else {
            return false;
        };
        while let DataType::Array(
            ArrayElemTypeDef::SquareBracket(e, _)
            | ArrayElemTypeDef::AngleBracket(e)
            | ArrayElemTypeDef::Parenthesis(e),
        ) = dt
        {
            dt = *e;
        }
        let DataType::Custom(on, _) = dt else {
            return false;
        };
        let parts: Vec<String> = on
            .0
            .iter()
            .map(|p| match p {
                ObjectNamePart::Identifier(i) if i.quote_style.is_none() => i.value.to_lowercase(),
                ObjectNamePart::Identifier(i) => i.value.clone(),
                other => other.to_string(),
            })
            .collect();
        match parts.as_slice() {
            [n] => c.ident_eq(n, &ty.name),
            [.., sc, n] => c.ident_eq(sc, &ty.schema) && c.ident_eq(n, &ty.name),
            [] => false,
        }
    };
    f.args.iter().map(String::as_str).chain(returns).any(names)
}
fn drop_function(d: Dialect, f: &Function) -> String {
    let kind = f.kind.to_ascii_uppercase();
    if d == Dialect::Postgres {
        format!("DROP {kind} {}({})", qn(d, &f.name), f.args.join(", "))
    } else {
        format!("DROP {kind} {}", qn(d, &f.name))
    }
}

/// The index MySQL created implicitly for a foreign key on `cols`, if the model has one.
fn mysql_fk_index(cat: &Catalog, t: &Name, cols: &[String]) -> Option<String> {
    if cat.dialect != Dialect::Mysql {
        return None;
    }
    cat.indexes_of(t)
        .find(|i| {
            i.origin == IndexOrigin::ForeignKey
                && i.columns().is_some_and(|c| {
                    c.len() == cols.len()
                        && c.iter().zip(cols).all(|(a, b)| a.eq_ignore_ascii_case(b))
                })
        })
        .map(|i| i.name.clone())
}

fn or_replace(text: &str) -> String {
    let t = text.trim_start();
    let up = t.to_ascii_uppercase();
    for kw in ["CREATE FUNCTION", "CREATE PROCEDURE"] {
        if up.starts_with(kw) {
            return format!("CREATE OR REPLACE{}", &t["CREATE".len()..]);
        }
    }
    t.to_string()
}

/// Whether a view definition reads a column (a parsed view keeps only its text; the column
/// name appears as an identifier token in it).
pub(crate) fn view_mentions(def: &str, col: &str) -> bool {
    let d = def.to_ascii_lowercase();
    let c = col.to_ascii_lowercase();
    let bytes = d.as_bytes();
    let mut start = 0;
    while let Some(p) = d[start..].find(&c) {
        let i = start + p;
        let before = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let j = i + c.len();
        let after = j >= bytes.len() || !(bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_');
        if before && after {
            return true;
        }
        start = i + 1;
    }
    d.contains('*')
}

fn view_order<'a>(cat: &Catalog, views: &[&'a View]) -> Vec<&'a View> {
    let mut out: Vec<&View> = Vec::new();
    let mut guard = 0;
    let mut rest: Vec<&View> = views.to_vec();
    while !rest.is_empty() && guard < 10_000 {
        guard += 1;
        let pos = rest
            .iter()
            .position(|v| {
                !v.depends_on.iter().any(|dep| {
                    rest.iter()
                        .any(|r| !std::ptr::eq(*r, *v) && cat.name_eq(&r.name, dep))
                })
            })
            .unwrap_or(0);
        out.push(rest.remove(pos));
    }
    out
}

fn fk_same(c: &Catalog, a: &crate::catalog::ForeignKey, b: &crate::catalog::ForeignKey) -> bool {
    let ceq = |x: &[String], y: &[String]| {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| c.ident_eq(p, q))
    };
    ceq(&a.columns, &b.columns)
        && c.name_eq(&a.ref_table, &b.ref_table)
        && ceq(&a.ref_columns, &b.ref_columns)
        && a.on_delete.eq_ignore_ascii_case(&b.on_delete)
        && a.on_update.eq_ignore_ascii_case(&b.on_update)
        && a.deferrable == b.deferrable
        && a.initially_deferred == b.initially_deferred
}

fn key_same(c: &Catalog, a: &crate::catalog::Key, b: &crate::catalog::Key) -> bool {
    a.columns.len() == b.columns.len()
        && a.columns
            .iter()
            .zip(&b.columns)
            .all(|(p, q)| c.ident_eq(p, q))
        && a.nulls_not_distinct == b.nulls_not_distinct
        && a.deferrable == b.deferrable
}

fn index_same(a: &Index, b: &Index) -> bool {
    a.unique == b.unique
        && a.method.eq_ignore_ascii_case(&b.method)
        && a.keys.len() == b.keys.len()
        && a.keys.iter().zip(&b.keys).all(|(x, y)| {
            norm(&x.expr) == norm(&y.expr)
                && x.descending == y.descending
                && x.opclass == y.opclass
                && x.prefix_length == y.prefix_length
        })
        && a.predicate.as_deref().map(norm) == b.predicate.as_deref().map(norm)
        && a.include == b.include
}

fn drop_constraint(d: Dialect, t: &Name, name: &str, kind: &str) -> String {
    match (d, kind) {
        (Dialect::Mysql, "FOREIGN KEY") => {
            format!("ALTER TABLE {} DROP FOREIGN KEY {}", qn(d, t), q(d, name))
        }
        (Dialect::Mysql, "PRIMARY KEY") => format!("ALTER TABLE {} DROP PRIMARY KEY", qn(d, t)),
        (Dialect::Mysql, "UNIQUE") => format!("ALTER TABLE {} DROP INDEX {}", qn(d, t), q(d, name)),
        (Dialect::Mysql, "CHECK") => {
            format!("ALTER TABLE {} DROP CONSTRAINT {}", qn(d, t), q(d, name))
        }
        _ => format!("ALTER TABLE {} DROP CONSTRAINT {}", qn(d, t), q(d, name)),
    }
}

fn drop_trigger(d: Dialect, t: &Name, name: &str) -> String {
    match d {
        Dialect::Postgres => format!("DROP TRIGGER {} ON {}", q(d, name), qn(d, t)),
        _ => format!("DROP TRIGGER {}", q(d, name)),
    }
}

fn with_online(out: &Out, s: String, _a: &str, _l: &str) -> String {
    let _ = out;
    s
}

fn mysql_add_index(out: &Out, ix: &Index) -> String {
    let d = Dialect::Mysql;
    let create = ddl::create_index(d, ix, false);
    // CREATE [UNIQUE|FULLTEXT] INDEX name ON t (...)  →  ALTER TABLE t ADD [UNIQUE] INDEX name (...)
    let keys_start = create.find(" (").unwrap_or(create.len());
    let on_pos = create.find(" ON ").unwrap_or(keys_start);
    let kind_end = create.find("INDEX").unwrap_or(0);
    let kind = create["CREATE ".len()..kind_end].trim();
    let kind = if kind.is_empty() {
        String::new()
    } else {
        format!("{kind} ")
    };
    let _ = on_pos;
    let lock = if ix.method.eq_ignore_ascii_case("fulltext")
        || ix.method.eq_ignore_ascii_case("spatial")
    {
        "SHARED"
    } else {
        "NONE"
    };
    format!(
        "ALTER TABLE {} ADD {kind}INDEX {}{}{}",
        qn(d, &ix.table),
        q(d, &ix.name),
        &create[keys_start..],
        out.online("INPLACE", lock)
    )
}

/// `(add statement(s), validate statement)` for a foreign key or check constraint `def` named
/// `name`: NOT VALID + VALIDATE on PostgreSQL for tables that hold data.
fn add_constraint_safe(
    out: &Out,
    t: &Name,
    def: &str,
    name: &str,
    safe: bool,
) -> (Vec<String>, Option<String>) {
    let d = out.d;
    if out.pg() && safe {
        (
            vec![format!("ALTER TABLE {} ADD {def} NOT VALID", qn(d, t))],
            Some(format!(
                "ALTER TABLE {} VALIDATE CONSTRAINT {}",
                qn(d, t),
                q(d, name)
            )),
        )
    } else {
        (vec![format!("ALTER TABLE {} ADD {def}", qn(d, t))], None)
    }
}

fn add_fk_safe(
    out: &Out,
    t: &Name,
    f: &crate::catalog::ForeignKey,
    safe: bool,
) -> (Vec<String>, Option<String>) {
    add_constraint_safe(out, t, &ddl::fk_def(out.d, f), &f.name, safe)
}

fn add_check_safe(
    out: &Out,
    t: &Name,
    c: &crate::catalog::Check,
    safe: bool,
) -> (Vec<String>, Option<String>) {
    add_constraint_safe(out, t, &ddl::check_def(out.d, c), &c.name, safe)
}

fn push_two_phase(
    out: &mut Out,
    kind: &'static str,
    t: &Name,
    name: &str,
    up: Vec<String>,
    validate: Option<String>,
    what: &str,
) {
    let d = out.d;
    let drop_kind = if kind == "add_foreign_key" {
        "FOREIGN KEY"
    } else {
        "CHECK"
    };
    let lock = if kind == "add_foreign_key" {
        "SHARE ROW EXCLUSIVE"
    } else {
        "ACCESS EXCLUSIVE"
    };
    let validating = validate.is_some();
    out.push(S {
        kind,
        object: name.to_string(),
        summary: format!(
            "add {what} {name} on {t}{}",
            if validating { " NOT VALID" } else { "" }
        ),
        up,
        down: vec![drop_constraint(d, t, name, drop_kind)],
        lock: out.pg().then_some(lock),
        hazards: if validating || out.pg() {
            vec![]
        } else {
            vec![hazard(
                plan::MAY_FAIL,
                format!("fails if existing rows violate the {what}"),
            )]
        },
        ..S::default()
    });
    if let Some(v) = validate {
        out.push(S {
            kind: "validate_constraint",
            object: name.to_string(),
            separate: true,
            summary: format!("validate {what} {name} on {t}"),
            up: vec![v],
            down: vec![],
            lock: Some("SHARE UPDATE EXCLUSIVE"),
            hazards: vec![hazard(
                plan::MAY_FAIL,
                format!("fails if existing rows violate the {what}; reads the whole table without blocking writes"),
            )],
            ..S::default()
        });
    }
}

/// Primary key / unique constraint: on PostgreSQL, build the unique index concurrently and
/// attach it with `USING INDEX`.
fn add_key_safe(out: &mut Out, t: &Name, k: &crate::catalog::Key, pk: bool) {
    let d = out.d;
    let what = if pk { "PRIMARY KEY" } else { "UNIQUE" };
    if out.pg() && !k.nulls_not_distinct && !k.deferrable {
        out.push(S {
            kind: "create_index",
            object: k.name.clone(),
            summary: format!("build the unique index for {} on {t} concurrently", k.name),
            up: vec![format!(
                "CREATE UNIQUE INDEX CONCURRENTLY {} ON {} ({})",
                q(d, &k.name),
                qn(d, t),
                cols(d, &k.columns)
            )],
            down: vec![format!(
                "DROP INDEX CONCURRENTLY IF EXISTS {}",
                qn(d, &Name::new(t.schema.clone(), k.name.clone()))
            )],
            no_tx: true,
            down_no_tx: true,
            hazards: vec![
                hazard(plan::INDEX_BUILD, "builds a unique index over every row"),
                hazard(
                    plan::MAY_FAIL,
                    "fails if existing rows have duplicates (or NULLs for a primary key)",
                ),
            ],
            ..S::default()
        });
        out.push(S {
            kind: if pk { "add_primary_key" } else { "add_unique" },
            object: k.name.clone(),
            summary: format!(
                "attach {} as the {} of {t}",
                k.name,
                what.to_ascii_lowercase()
            ),
            up: vec![format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {what} USING INDEX {}",
                qn(d, t),
                q(d, &k.name),
                q(d, &k.name)
            )],
            down: vec![drop_constraint(d, t, &k.name, what)],
            lock: Some("ACCESS EXCLUSIVE"),
            hazards: vec![hazard(
                plan::ACCESS_EXCLUSIVE,
                "a short ACCESS EXCLUSIVE lock to attach the index",
            )],
            ..S::default()
        });
        return;
    }
    let def = if pk {
        ddl::pk_def(d, k)
    } else {
        ddl::unique_def(d, k)
    };
    let mut up = format!("ALTER TABLE {} ADD {def}", qn(d, t));
    if d == Dialect::Mysql {
        up.push_str(&out.online("INPLACE", "NONE"));
    }
    out.push(S {
        kind: if pk { "add_primary_key" } else { "add_unique" },
        object: k.name.clone(),
        summary: format!("add {} {} on {t}", what.to_ascii_lowercase(), k.name),
        up: vec![up],
        down: vec![drop_constraint(d, t, &k.name, what)],
        lock: out.pg().then_some("ACCESS EXCLUSIVE"),
        hazards: vec![
            hazard(plan::INDEX_BUILD, "builds a unique index over every row"),
            hazard(plan::MAY_FAIL, "fails if existing rows have duplicates"),
        ],
        ..S::default()
    });
}

fn comment_step(
    d: Dialect,
    what: &str,
    obj: &str,
    old: &Option<String>,
    new: &Option<String>,
) -> S {
    let c = |v: &Option<String>| match v {
        Some(s) => format!("COMMENT ON {what} {obj} IS {}", lit(d, s)),
        None => format!("COMMENT ON {what} {obj} IS NULL"),
    };
    S {
        kind: "comment",
        object: obj.to_string(),
        summary: format!("comment on {} {obj}", what.to_ascii_lowercase()),
        up: vec![c(new)],
        down: vec![c(old)],
        ..S::default()
    }
}

fn comments_for_new_table(d: Dialect, t: &Table) -> Vec<String> {
    if d != Dialect::Postgres {
        return vec![];
    }
    let mut v = Vec::new();
    if let Some(c) = &t.comment {
        v.push(format!(
            "COMMENT ON TABLE {} IS {}",
            qn(d, &t.name),
            lit(d, c)
        ));
    }
    for col in &t.columns {
        if let Some(c) = &col.comment {
            v.push(format!(
                "COMMENT ON COLUMN {}.{} IS {}",
                qn(d, &t.name),
                q(d, &col.name),
                lit(d, c)
            ));
        }
    }
    v
}

fn create_type(d: Dialect, t: &crate::catalog::UserType) -> Option<String> {
    match &t.kind {
        UserTypeKind::Enum { values } => Some(format!(
            "CREATE TYPE {} AS ENUM ({})",
            qn(d, &t.name),
            values
                .iter()
                .map(|v| lit(d, v))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        UserTypeKind::Domain {
            base,
            not_null,
            default,
            checks,
        } => {
            let mut s = format!("CREATE DOMAIN {} AS {}", qn(d, &t.name), base.raw);
            if let Some(def) = default {
                s.push_str(&format!(" DEFAULT {def}"));
            }
            if *not_null {
                s.push_str(" NOT NULL");
            }
            for c in checks {
                s.push_str(&format!(" CONSTRAINT {} CHECK ({})", q(d, &c.name), c.expr));
            }
            Some(s)
        }
        UserTypeKind::Composite { attributes } => Some(format!(
            "CREATE TYPE {} AS ({})",
            qn(d, &t.name),
            attributes
                .iter()
                .map(|(n, ty)| format!("{} {ty}", q(d, n)))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => None,
    }
}

/// Enum value changes: appended or inserted values use `ALTER TYPE ... ADD VALUE`; a removed or
/// reordered value needs the type recreated (rename, create, convert columns, drop).
fn types_phase(out: &mut Out, oc: &Catalog, nc: &Catalog) -> Result<(), KdError> {
    let d = out.d;
    for t in &nc.types {
        match oc.user_type(&t.name) {
            None => {
                if let Some(c) = create_type(d, t) {
                    out.push(S {
                        kind: "create_type",
                        object: t.name.to_string(),
                        summary: format!("create type {}", t.name),
                        up: vec![c],
                        down: vec![format!("DROP TYPE {}", qn(d, &t.name))],
                        ..S::default()
                    });
                } else {
                    out.notes
                        .push(format!("type {}: kind not supported by the diff", t.name));
                }
            }
            Some(o) if o.kind != t.kind => match (&o.kind, &t.kind) {
                (UserTypeKind::Enum { values: ov }, UserTypeKind::Enum { values: nv }) => {
                    let only_added = ov.iter().all(|v| nv.contains(v))
                        && nv.iter().filter(|v| ov.contains(v)).eq(ov.iter());
                    if only_added {
                        let mut up = Vec::new();
                        for (i, v) in nv.iter().enumerate() {
                            if ov.contains(v) {
                                continue;
                            }
                            let pos = if i == 0 {
                                nv.iter()
                                    .skip(1)
                                    .find(|x| ov.contains(x))
                                    .map(|x| format!(" BEFORE {}", lit(d, x)))
                            } else {
                                Some(format!(" AFTER {}", lit(d, &nv[i - 1])))
                            };
                            up.push(format!(
                                "ALTER TYPE {} ADD VALUE {}{}",
                                qn(d, &t.name),
                                lit(d, v),
                                pos.unwrap_or_default()
                            ));
                        }
                        // PostgreSQL < 12 cannot run ADD VALUE in a transaction block; on 12+
                        // the new value cannot be used in the same transaction, so keep it apart.
                        let down = recreate_enum(oc, oc, &t.name, ov);
                        let n = up.len();
                        for (i, u) in up.into_iter().enumerate() {
                            out.push(S {
                                kind: "add_enum_value",
                                object: t.name.to_string(),
                                summary: format!("add a value to enum {}", t.name),
                                up: vec![u],
                                down: if i + 1 == n { down.clone() } else { vec![] },
                                no_tx: true,
                                irreversible: None,
                                ..S::default()
                            });
                        }
                    } else {
                        let up = recreate_enum(nc, oc, &t.name, nv);
                        let down = recreate_enum(oc, oc, &t.name, ov);
                        out.push(S {
                            kind: "recreate_enum",
                            object: t.name.to_string(),
                            summary: format!(
                                "recreate enum {} (values removed or reordered)",
                                t.name
                            ),
                            up,
                            down,
                            lock: Some("ACCESS EXCLUSIVE"),
                            hazards: vec![
                                hazard(
                                    plan::REWRITES,
                                    "every column of the type is converted (table rewrite)",
                                ),
                                hazard(plan::MAY_FAIL, "fails if rows hold a removed value"),
                            ],
                            ..S::default()
                        });
                    }
                }
                (UserTypeKind::Domain { .. }, UserTypeKind::Domain { .. }) => {
                    domain_steps(out, oc, nc, o, t)
                }
                (
                    UserTypeKind::Composite { attributes: oa },
                    UserTypeKind::Composite { attributes: na },
                ) => composite_steps(out, oc, nc, o, t, oa, na),
                _ => out.notes.push(format!(
                    "type {}: its kind changes ({} to {}); not generated, recreate it by hand",
                    t.name,
                    type_kind_word(&o.kind),
                    type_kind_word(&t.kind)
                )),
            },
            Some(_) => {}
        }
    }
    Ok(())
}

/// User types the plan recreates (so the columns using them are converted): enums losing or
/// reordering values, domains with a new base type, composite types whose attributes
/// `ALTER TYPE` cannot change in place.
fn recreated_types(oc: &Catalog, nc: &Catalog) -> Vec<Name> {
    let mut v = Vec::new();
    for t in &nc.types {
        let Some(o) = oc.user_type(&t.name) else {
            continue;
        };
        let recreate = match (&o.kind, &t.kind) {
            (UserTypeKind::Enum { values: ov }, UserTypeKind::Enum { values: nv }) => {
                !(ov.iter().all(|v| nv.contains(v))
                    && nv.iter().filter(|v| ov.contains(v)).eq(ov.iter()))
            }
            (UserTypeKind::Domain { base: ob, .. }, UserTypeKind::Domain { base: nb, .. }) => {
                !same_type(ob, nb)
            }
            (
                UserTypeKind::Composite { attributes: oa },
                UserTypeKind::Composite { attributes: na },
            ) => {
                let has = |list: &[(String, String)], a: &str| {
                    list.iter().any(|(x, _)| oc.ident_eq(x, a))
                };
                let retyped = oa.iter().any(|x| {
                    na.iter()
                        .any(|y| oc.ident_eq(&y.0, &x.0) && !attr_type_eq(&x.1, &y.1))
                });
                let reached: Vec<&str> = oa
                    .iter()
                    .filter(|(a, _)| has(na, a))
                    .chain(na.iter().filter(|(a, _)| !has(oa, a)))
                    .map(|(a, _)| a.as_str())
                    .collect();
                let order_ok = reached.len() == na.len()
                    && reached
                        .iter()
                        .zip(na.iter())
                        .all(|(a, (b, _))| oc.ident_eq(a, b));
                retyped || !order_ok
            }
            _ => false,
        };
        if recreate {
            v.push(o.name.clone());
        }
    }
    v
}

fn type_kind_word(k: &UserTypeKind) -> &'static str {
    match k {
        UserTypeKind::Enum { .. } => "enum",
        UserTypeKind::Domain { .. } => "domain",
        UserTypeKind::Composite { .. } => "composite",
        UserTypeKind::Range => "range",
        UserTypeKind::Other => "user-defined",
    }
}

/// Columns (`table.column`) whose type is `name` or an array of it.
fn type_users(cat: &Catalog, name: &Name) -> Vec<(Name, String, bool)> {
    let mut v = Vec::new();
    for t in cat.tables.iter().filter(|t| t.partition_of.is_none()) {
        for c in &t.columns {
            let direct = c
                .data_type
                .user_type
                .as_ref()
                .is_some_and(|u| cat.name_eq(u, name));
            let array = c
                .data_type
                .element
                .as_ref()
                .and_then(|e| e.user_type.as_ref())
                .is_some_and(|u| cat.name_eq(u, name));
            if direct || array {
                v.push((t.name.clone(), c.name.clone(), array));
            }
        }
    }
    v
}

fn users_text(users: &[(Name, String, bool)]) -> String {
    if users.is_empty() {
        return "no column uses it".into();
    }
    let mut s: Vec<String> = users.iter().map(|(t, c, _)| format!("{t}.{c}")).collect();
    if s.len() > 5 {
        let more = s.len() - 5;
        s.truncate(5);
        s.push(format!("{more} more"));
    }
    s.join(", ")
}

/// Domain changes: constraints, default and NOT NULL by `ALTER DOMAIN`; a new base type by
/// recreating the domain and converting its columns.
fn domain_steps(out: &mut Out, oc: &Catalog, nc: &Catalog, o: &UserType, n: &UserType) {
    let d = out.d;
    let (
        UserTypeKind::Domain {
            base: ob,
            not_null: onn,
            default: od,
            checks: ock,
        },
        UserTypeKind::Domain {
            base: nb,
            not_null: nnn,
            default: nd,
            checks: nck,
        },
    ) = (&o.kind, &n.kind)
    else {
        return;
    };
    let dn = qn(d, &n.name);
    let users = type_users(oc, &o.name);
    let scans = format!(
        "checks every value of the columns using it ({})",
        users_text(&users)
    );
    if !same_type(ob, nb) {
        let up = recreate_domain(oc, n);
        let down = recreate_domain(oc, o);
        let mut hazards = vec![
            hazard(
                plan::REWRITES,
                format!(
                    "every column of the domain is converted to {} ({})",
                    nb.raw,
                    users_text(&users)
                ),
            ),
            hazard(
                plan::MAY_FAIL,
                "fails if a stored value does not convert or breaks the domain's constraints",
            ),
        ];
        if !users.is_empty() {
            hazards.push(hazard(
                plan::ACCESS_EXCLUSIVE,
                "ACCESS EXCLUSIVE on every table with a column of the domain while it is rewritten",
            ));
            hazards.push(hazard(
                plan::UNTRACKED,
                "views reading those columns are dropped and recreated around it; rules or SQL-body functions depending on them are not tracked and would block it",
            ));
        }
        out.push(S {
            kind: "recreate_domain",
            object: n.name.to_string(),
            summary: format!(
                "recreate domain {} with base type {} (was {})",
                n.name, nb.raw, ob.raw
            ),
            up,
            down,
            irreversible: lossy(ob, nb).map(|w| format!("domain {}: {w}", n.name)),
            lock: (!users.is_empty()).then_some("ACCESS EXCLUSIVE"),
            hazards,
            ..S::default()
        });
        return;
    }
    let same_check = |a: &crate::catalog::DomainCheck, b: &crate::catalog::DomainCheck| {
        nc.ident_eq(&a.name, &b.name) && norm(&a.expr) == norm(&b.expr)
    };
    let add_check = |c: &crate::catalog::DomainCheck, not_valid: bool| {
        format!(
            "ALTER DOMAIN {dn} ADD CONSTRAINT {} CHECK ({}){}",
            q(d, &c.name),
            c.expr,
            if not_valid { " NOT VALID" } else { "" }
        )
    };
    let drop_check = |c: &crate::catalog::DomainCheck| {
        format!("ALTER DOMAIN {dn} DROP CONSTRAINT {}", q(d, &c.name))
    };
    for c in ock.iter().filter(|c| !nck.iter().any(|x| same_check(c, x))) {
        out.push(S {
            kind: "drop_domain_check",
            object: format!("{}.{}", n.name, c.name),
            summary: format!("drop check {} of domain {}", c.name, n.name),
            up: vec![drop_check(c)],
            down: vec![add_check(c, false)],
            ..S::default()
        });
    }
    if od.as_deref().map(norm) != nd.as_deref().map(norm) {
        let set = |v: &Option<String>| match v {
            Some(e) => format!("ALTER DOMAIN {dn} SET DEFAULT {e}"),
            None => format!("ALTER DOMAIN {dn} DROP DEFAULT"),
        };
        out.push(S {
            kind: "alter_domain_default",
            object: n.name.to_string(),
            summary: match nd {
                Some(e) => format!("set the default of domain {} to {e}", n.name),
                None => format!("drop the default of domain {}", n.name),
            },
            up: vec![set(nd)],
            down: vec![set(od)],
            ..S::default()
        });
    }
    if onn != nnn {
        let set = |v: bool| {
            format!(
                "ALTER DOMAIN {dn} {} NOT NULL",
                if v { "SET" } else { "DROP" }
            )
        };
        out.push(S {
            kind: if *nnn {
                "set_domain_not_null"
            } else {
                "drop_domain_not_null"
            },
            object: n.name.to_string(),
            summary: format!(
                "{} NOT NULL on domain {}",
                if *nnn { "set" } else { "drop" },
                n.name
            ),
            up: vec![set(*nnn)],
            down: vec![set(*onn)],
            lock: (*nnn && !users.is_empty()).then_some("SHARE"),
            hazards: if *nnn && !users.is_empty() {
                vec![hazard(
                    plan::MAY_FAIL,
                    format!(
                        "fails if a column of the domain holds NULLs; {scans} under a SHARE lock (writes wait)"
                    ),
                )]
            } else {
                vec![]
            },
            ..S::default()
        });
    }
    for c in nck.iter().filter(|c| !ock.iter().any(|x| same_check(c, x))) {
        // NOT VALID first (new values are checked at once, no scan), VALIDATE apart.
        let validate = !c.not_valid;
        out.push(S {
            kind: "add_domain_check",
            object: format!("{}.{}", n.name, c.name),
            summary: format!(
                "add check {} to domain {}{}",
                c.name,
                n.name,
                if users.is_empty() { "" } else { " NOT VALID" }
            ),
            up: vec![add_check(c, !users.is_empty() || c.not_valid)],
            down: vec![drop_check(c)],
            ..S::default()
        });
        if validate && !users.is_empty() {
            out.push(S {
                kind: "validate_constraint",
                object: format!("{}.{}", n.name, c.name),
                separate: true,
                summary: format!("validate check {} of domain {}", c.name, n.name),
                up: vec![format!(
                    "ALTER DOMAIN {dn} VALIDATE CONSTRAINT {}",
                    q(d, &c.name)
                )],
                down: vec![],
                lock: Some("SHARE"),
                hazards: vec![hazard(
                    plan::MAY_FAIL,
                    format!(
                        "fails if a stored value violates the check; {scans} under a SHARE lock (writes wait)"
                    ),
                )],
                ..S::default()
            });
        }
    }
}

/// Statements that give domain `to` (its new definition) to the columns of `cols_from` using it:
/// rename the old one away, create the new one, convert the columns, drop the old one.
fn recreate_domain(cols_from: &Catalog, to: &UserType) -> Vec<String> {
    let d = Dialect::Postgres;
    let name = &to.name;
    let UserTypeKind::Domain { base, .. } = &to.kind else {
        return vec![];
    };
    let old_tmp = Name::new(name.schema.clone(), format!("{}_old", name.name));
    let mut v = vec![format!(
        "ALTER DOMAIN {} RENAME TO {}",
        qn(d, name),
        q(d, &old_tmp.name)
    )];
    v.extend(create_type(d, to));
    for (t, c, array) in type_users(cols_from, name) {
        let arr = if array { "[]" } else { "" };
        let col = cols_from.table(&t).and_then(|x| x.column(&c));
        let default = col.and_then(|x| x.default.clone());
        if default.is_some() {
            v.push(format!(
                "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                qn(d, &t),
                q(d, &c)
            ));
        }
        v.push(format!(
            "ALTER TABLE {} ALTER COLUMN {} TYPE {}{arr} USING {}::{}{arr}",
            qn(d, &t),
            q(d, &c),
            qn(d, name),
            q(d, &c),
            base.raw
        ));
        if let Some(def) = default {
            v.push(format!(
                "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {def}",
                qn(d, &t),
                q(d, &c)
            ));
        }
    }
    v.push(format!("DROP DOMAIN {}", qn(d, &old_tmp)));
    v
}

/// Statements that replace composite type `from` by `to` (same name) and convert the columns of
/// `cols_from` using it: attributes are carried over by name (cast to their new type), new ones
/// are NULL, and a NULL value stays NULL. Column defaults are those of `target`.
fn recreate_composite(
    cols_from: &Catalog,
    target: &Catalog,
    from: &UserType,
    to: &UserType,
) -> Vec<String> {
    let d = Dialect::Postgres;
    let name = &to.name;
    let (UserTypeKind::Composite { attributes: fa }, UserTypeKind::Composite { attributes: ta }) =
        (&from.kind, &to.kind)
    else {
        return vec![];
    };
    let old_tmp = Name::new(name.schema.clone(), format!("{}_old", name.name));
    let mut v = vec![format!(
        "ALTER TYPE {} RENAME TO {}",
        qn(d, name),
        q(d, &old_tmp.name)
    )];
    v.extend(create_type(d, to));
    for (t, c, _) in type_users(cols_from, name) {
        let col = q(d, &c);
        let fields: Vec<String> = ta
            .iter()
            .map(|(a, ty)| {
                if fa.iter().any(|(x, _)| cols_from.ident_eq(x, a)) {
                    format!("({col}).{}::{ty}", q(d, a))
                } else {
                    format!("NULL::{ty}")
                }
            })
            .collect();
        let had_default = cols_from
            .table(&t)
            .and_then(|x| x.column(&c))
            .is_some_and(|x| x.default.is_some());
        if had_default {
            v.push(format!(
                "ALTER TABLE {} ALTER COLUMN {col} DROP DEFAULT",
                qn(d, &t)
            ));
        }
        v.push(format!(
            "ALTER TABLE {} ALTER COLUMN {col} TYPE {} USING CASE WHEN {col} IS NOT DISTINCT FROM NULL THEN NULL ELSE ROW({})::{} END",
            qn(d, &t),
            qn(d, name),
            fields.join(", "),
            qn(d, name)
        ));
        if let Some(def) = target
            .table(&t)
            .and_then(|x| x.column(&c))
            .and_then(|x| x.default.clone())
        {
            v.push(format!(
                "ALTER TABLE {} ALTER COLUMN {col} SET DEFAULT {def}",
                qn(d, &t)
            ));
        }
    }
    v.push(format!("DROP TYPE {}", qn(d, &old_tmp)));
    v
}

/// A composite type's attribute type as written, normalised for comparison.
fn attr_type(s: &str) -> Option<SqlType> {
    let pd = sqlparser::dialect::PostgreSqlDialect {};
    let mut p = sqlparser::parser::Parser::new(&pd).try_with_sql(s).ok()?;
    let dt = p.parse_data_type().ok()?;
    Some(crate::catalog::types::normalize(&dt, Dialect::Postgres))
}

fn attr_type_eq(a: &str, b: &str) -> bool {
    match (attr_type(a), attr_type(b)) {
        (Some(x), Some(y)) => same_type(&x, &y),
        _ => norm(a) == norm(b),
    }
}

/// Composite type changes: `ALTER TYPE ... DROP / ALTER / ADD ATTRIBUTE`. PostgreSQL appends
/// added attributes, and refuses to change an attribute's type while a table column has the
/// type; what these statements cannot reach is recreated when no column uses the type, and
/// reported otherwise.
fn composite_steps(
    out: &mut Out,
    oc: &Catalog,
    nc: &Catalog,
    o: &UserType,
    n: &UserType,
    oa: &[(String, String)],
    na: &[(String, String)],
) {
    let d = out.d;
    let tn = qn(d, &n.name);
    let has = |list: &[(String, String)], a: &str| list.iter().any(|(x, _)| oc.ident_eq(x, a));
    let dropped: Vec<&(String, String)> = oa.iter().filter(|(a, _)| !has(na, a)).collect();
    let added: Vec<&(String, String)> = na.iter().filter(|(a, _)| !has(oa, a)).collect();
    type Attr = (String, String);
    let retyped: Vec<(&Attr, &Attr)> = oa
        .iter()
        .filter_map(|x| {
            na.iter()
                .find(|y| oc.ident_eq(&y.0, &x.0))
                .filter(|y| !attr_type_eq(&x.1, &y.1))
                .map(|y| (x, y))
        })
        .collect();
    let users = type_users(oc, &o.name);
    // The order ALTER TYPE can reach: kept attributes in their old order, then the added ones.
    let reached: Vec<&str> = oa
        .iter()
        .filter(|(a, _)| has(na, a))
        .chain(added.iter().copied())
        .map(|(a, _)| a.as_str())
        .collect();
    let order_ok = reached.len() == na.len()
        && reached
            .iter()
            .zip(na.iter())
            .all(|(a, (b, _))| oc.ident_eq(a, b));
    if !order_ok || (!retyped.is_empty() && !users.is_empty()) {
        if users.is_empty() {
            out.push(S {
                kind: "recreate_type",
                object: n.name.to_string(),
                summary: format!(
                    "recreate composite type {} (attribute order ALTER TYPE cannot reach)",
                    n.name
                ),
                up: vec![format!("DROP TYPE {tn}")]
                    .into_iter()
                    .chain(create_type(d, n))
                    .collect(),
                down: vec![format!("DROP TYPE {tn}")]
                    .into_iter()
                    .chain(create_type(d, o))
                    .collect(),
                hazards: vec![hazard(
                    plan::UNTRACKED,
                    "functions using the type by name are not tracked and may need recreating",
                )],
                ..S::default()
            });
        } else if users.iter().all(|(_, _, array)| !array) {
            // Recreate the type and convert its columns attribute by attribute.
            out.defaults_set
                .extend(users.iter().map(|(t, c, _)| (t.clone(), c.clone())));
            let lost: Vec<&str> = dropped.iter().map(|(a, _)| a.as_str()).collect();
            let lossy_retype =
                retyped
                    .iter()
                    .find_map(|((a, x), (_, y))| match (attr_type(x), attr_type(y)) {
                        (Some(x), Some(y)) => lossy(&x, &y).map(|w| format!("attribute {a}: {w}")),
                        _ => None,
                    });
            out.push(S {
                kind: "recreate_type",
                object: n.name.to_string(),
                summary: format!(
                    "recreate composite type {} and convert its columns ({})",
                    n.name,
                    users_text(&users)
                ),
                up: recreate_composite(oc, nc, o, n),
                down: recreate_composite(oc, oc, n, o),
                irreversible: if !lost.is_empty() {
                    Some(format!(
                        "the values of attribute(s) {} in {} are gone; the down brings them back empty",
                        lost.join(", "),
                        users_text(&users)
                    ))
                } else {
                    lossy_retype
                },
                lock: Some("ACCESS EXCLUSIVE"),
                hazards: vec![
                    hazard(
                        plan::REWRITES,
                        format!(
                            "every column of the type is converted ({})",
                            users_text(&users)
                        ),
                    ),
                    hazard(
                        plan::ACCESS_EXCLUSIVE,
                        "ACCESS EXCLUSIVE on every table with a column of the type while it is rewritten",
                    ),
                    hazard(
                        plan::MAY_FAIL,
                        "fails if a stored attribute value does not convert to its new type",
                    ),
                    hazard(
                        plan::UNTRACKED,
                        "views reading those columns are dropped and recreated around it; rules or SQL-body functions depending on them are not tracked and would block it",
                    ),
                ],
                ..S::default()
            });
        } else {
            out.notes.push(format!(
                "composite type {}: {}; columns use it ({}), arrays among them, so it is not generated: migrate those columns by hand",
                n.name,
                if order_ok {
                    "PostgreSQL cannot change an attribute's type while a column uses the type"
                } else {
                    "the new attribute order cannot be reached with ALTER TYPE (added attributes go last)"
                },
                users_text(&users)
            ));
        }
        return;
    }
    let last_old = oa.last().map(|x| x.0.as_str());
    for (a, ty) in &dropped {
        let not_last = last_old != Some(a.as_str());
        out.push(S {
            kind: "drop_type_attribute",
            object: format!("{}.{a}", n.name),
            summary: format!("drop attribute {a} of type {}", n.name),
            up: vec![format!("ALTER TYPE {tn} DROP ATTRIBUTE {}", q(d, a))],
            down: vec![format!("ALTER TYPE {tn} ADD ATTRIBUTE {} {ty}", q(d, a))],
            irreversible: if !users.is_empty() {
                Some(format!(
                    "the values of attribute {a} in the columns of type {} ({}) are gone; the down adds it back empty",
                    n.name,
                    users_text(&users)
                ))
            } else if not_last {
                Some(format!(
                    "the down adds attribute {a} back as the last one, not where it was"
                ))
            } else {
                None
            },
            hazards: if users.is_empty() {
                vec![]
            } else {
                vec![hazard(
                    plan::DELETES_DATA,
                    format!(
                        "the values of attribute {a} in {} are lost",
                        users_text(&users)
                    ),
                )]
            },
            ..S::default()
        });
    }
    for ((a, oty), (_, nty)) in &retyped {
        out.push(S {
            kind: "alter_type_attribute",
            object: format!("{}.{a}", n.name),
            summary: format!("change attribute {a} of type {} to {nty}", n.name),
            up: vec![format!(
                "ALTER TYPE {tn} ALTER ATTRIBUTE {} TYPE {nty}",
                q(d, a)
            )],
            down: vec![format!(
                "ALTER TYPE {tn} ALTER ATTRIBUTE {} TYPE {oty}",
                q(d, a)
            )],
            ..S::default()
        });
    }
    for (a, ty) in &added {
        out.push(S {
            kind: "add_type_attribute",
            object: format!("{}.{a}", n.name),
            summary: format!("add attribute {a} to type {}", n.name),
            up: vec![format!("ALTER TYPE {tn} ADD ATTRIBUTE {} {ty}", q(d, a))],
            down: vec![format!("ALTER TYPE {tn} DROP ATTRIBUTE {}", q(d, a))],
            ..S::default()
        });
    }
}

/// Statements that make enum `name` hold `values`, converting the columns of `cols_from` that
/// use it.
fn recreate_enum(
    target: &Catalog,
    cols_from: &Catalog,
    name: &Name,
    values: &[String],
) -> Vec<String> {
    let d = Dialect::Postgres;
    let old_tmp = Name::new(name.schema.clone(), format!("{}_old", name.name));
    let mut v = vec![
        format!(
            "ALTER TYPE {} RENAME TO {}",
            qn(d, name),
            q(d, &old_tmp.name)
        ),
        format!(
            "CREATE TYPE {} AS ENUM ({})",
            qn(d, name),
            values
                .iter()
                .map(|x| lit(d, x))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ];
    let _ = target;
    for (t, c, array) in type_users(cols_from, name) {
        let arr = if array { "[]" } else { "" };
        let default = cols_from
            .table(&t)
            .and_then(|x| x.column(&c))
            .and_then(|x| x.default.clone());
        if default.is_some() {
            v.push(format!(
                "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                qn(d, &t),
                q(d, &c)
            ));
        }
        v.push(format!(
            "ALTER TABLE {} ALTER COLUMN {} TYPE {}{arr} USING {}::text{arr}::{}{arr}",
            qn(d, &t),
            q(d, &c),
            qn(d, name),
            q(d, &c),
            qn(d, name)
        ));
        if let Some(def) = default {
            v.push(format!(
                "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {def}",
                qn(d, &t),
                q(d, &c)
            ));
        }
    }
    v.push(format!("DROP TYPE {}", qn(d, &old_tmp)));
    v
}

/// Column changes of one table that exists on both sides.
fn columns_phase(out: &mut Out, o: &DiffOptions, a: &Table, b: &Table) {
    let d = out.d;
    let t = qn(d, &b.name);
    // Added columns.
    for c in &b.columns {
        if a.column(&c.name).is_some() {
            continue;
        }
        let mut hazards = Vec::new();
        let mut lock = None;
        if out.pg() {
            lock = Some("ACCESS EXCLUSIVE");
            let rewrite = c
                .default
                .as_deref()
                .is_some_and(|e| !out.v.at_least(11, 0) || volatile_default(e))
                || c.generated.as_ref().is_some_and(|g| g.stored)
                || c.identity.is_some()
                || is_serialish(c);
            if rewrite {
                hazards.push(hazard(
                    plan::REWRITES,
                    format!(
                        "adding {} rewrites {} under ACCESS EXCLUSIVE ({})",
                        c.name,
                        b.name,
                        if out.v.at_least(11, 0) {
                            "volatile default, identity or stored generated column"
                        } else {
                            "PostgreSQL < 11 rewrites for any default"
                        }
                    ),
                ));
            }
        }
        if !c.nullable
            && c.default.is_none()
            && c.identity.is_none()
            && !c.auto_increment
            && c.generated.is_none()
        {
            hazards.push(hazard(plan::MAY_FAIL, format!(
                "NOT NULL without a default fails if {} has rows; add it nullable, backfill, then set NOT NULL",
                b.name
            )));
        }
        let mut up = format!(
            "ALTER TABLE {t} ADD COLUMN {}",
            ddl::column_def(d, c, false)
        );
        if d == Dialect::Mysql {
            up.push_str(&out.online("INSTANT", ""));
        }
        let mut ups = vec![up];
        if out.pg()
            && let Some(cm) = &c.comment
        {
            ups.push(format!(
                "COMMENT ON COLUMN {t}.{} IS {}",
                q(d, &c.name),
                lit(d, cm)
            ));
        }
        let mut down = format!("ALTER TABLE {t} DROP COLUMN {}", q(d, &c.name));
        if d == Dialect::Mysql
            && out.v.at_least(
                if out.mariadb { 10 } else { 8 },
                if out.mariadb { 4 } else { 0 },
            )
        {
            down.push_str(&out.online("INSTANT", ""));
        }
        out.push(S {
            kind: "add_column",
            object: format!("{}.{}", b.name, c.name),
            summary: format!("add column {}.{}", b.name, c.name),
            up: ups,
            down: vec![down],
            lock,
            hazards,
            ..S::default()
        });
    }
    // Altered columns.
    for c in &b.columns {
        let Some(oc) = a.column(&c.name) else {
            continue;
        };
        let col = q(d, &c.name);
        if !same_type(&oc.data_type, &c.data_type) {
            let no_rewrite = out.pg() && pg_no_rewrite(&oc.data_type, &c.data_type);
            let mut hazards = Vec::new();
            if !no_rewrite {
                hazards.push(hazard(
                    plan::REWRITES,
                    format!(
                        "changing {}.{} from {} to {} rewrites the table and its indexes",
                        b.name, c.name, oc.data_type.raw, c.data_type.raw
                    ),
                ));
                if out.pg() {
                    hazards.push(hazard(
                        plan::ACCESS_EXCLUSIVE,
                        "blocks reads and writes for the whole rewrite",
                    ));
                }
            }
            if narrowing(&oc.data_type, &c.data_type) || oc.data_type.family != c.data_type.family {
                hazards.push(hazard(
                    plan::MAY_FAIL,
                    "fails if existing values do not fit the new type",
                ));
            }
            let (up, down) = if d == Dialect::Mysql {
                (
                    format!(
                        "ALTER TABLE {t} MODIFY COLUMN {}{}",
                        ddl::column_def(d, c, false),
                        out.online("COPY", "SHARED")
                    ),
                    format!(
                        "ALTER TABLE {t} MODIFY COLUMN {}{}",
                        ddl::column_def(d, oc, false),
                        out.online("COPY", "SHARED")
                    ),
                )
            } else {
                let using = |from: &Column, to: &Column| {
                    if pg_no_rewrite(&from.data_type, &to.data_type) {
                        String::new()
                    } else if from.data_type.user_type.is_some() {
                        format!(" USING {col}::text::{}", ddl::type_text(to))
                    } else {
                        format!(" USING {col}::{}", ddl::type_text(to))
                    }
                };
                (
                    format!(
                        "ALTER TABLE {t} ALTER COLUMN {col} TYPE {}{}",
                        ddl::type_text(c),
                        using(oc, c)
                    ),
                    format!(
                        "ALTER TABLE {t} ALTER COLUMN {col} TYPE {}{}",
                        ddl::type_text(oc),
                        using(c, oc)
                    ),
                )
            };
            out.push(S {
                kind: "alter_column_type",
                object: format!("{}.{}", b.name, c.name),
                summary: format!(
                    "change type of {}.{}: {} → {}",
                    b.name, c.name, oc.data_type.raw, c.data_type.raw
                ),
                up: vec![up],
                down: vec![down],
                irreversible: lossy(&oc.data_type, &c.data_type),
                lock: out.pg().then_some("ACCESS EXCLUSIVE"),
                hazards,
                ..S::default()
            });
            if d == Dialect::Mysql {
                // MODIFY COLUMN restates nullability and default too.
                continue;
            }
        }
        let odef = oc.default.as_deref().map(norm);
        let ndef = c.default.as_deref().map(norm);
        let set_by_type = out
            .defaults_set
            .iter()
            .any(|(t, x)| t == &a.name && x.eq_ignore_ascii_case(&c.name));
        if odef != ndef
            && !(ddl::is_serial(c) && ddl::is_serial(oc))
            && c.generated.is_none()
            && !set_by_type
        {
            let set = |v: &Option<String>| match v {
                Some(e) => format!("ALTER TABLE {t} ALTER COLUMN {col} SET DEFAULT {e}"),
                None => format!("ALTER TABLE {t} ALTER COLUMN {col} DROP DEFAULT"),
            };
            out.push(S {
                kind: "alter_column_default",
                object: format!("{}.{}", b.name, c.name),
                summary: format!("change default of {}.{}", b.name, c.name),
                up: vec![set(&c.default)],
                down: vec![set(&oc.default)],
                ..S::default()
            });
        }
        if oc.nullable != c.nullable {
            if c.nullable {
                let up = if d == Dialect::Mysql {
                    format!(
                        "ALTER TABLE {t} MODIFY COLUMN {}{}",
                        ddl::column_def(d, c, false),
                        out.online("INPLACE", "NONE")
                    )
                } else {
                    format!("ALTER TABLE {t} ALTER COLUMN {col} DROP NOT NULL")
                };
                let down = if d == Dialect::Mysql {
                    format!(
                        "ALTER TABLE {t} MODIFY COLUMN {}{}",
                        ddl::column_def(d, oc, false),
                        out.online("COPY", "SHARED")
                    )
                } else {
                    format!("ALTER TABLE {t} ALTER COLUMN {col} SET NOT NULL")
                };
                out.push(S {
                    kind: "drop_not_null",
                    object: format!("{}.{}", b.name, c.name),
                    summary: format!("allow NULL in {}.{}", b.name, c.name),
                    up: vec![up],
                    down: vec![down],
                    hazards: vec![hazard(
                        plan::UNTRACKED,
                        "clients that assume the column is never NULL may break",
                    )],
                    ..S::default()
                });
            } else if out.pg() && out.v.at_least(12, 0) {
                // The lock-safe way: a validated CHECK (col IS NOT NULL) lets SET NOT NULL skip its scan.
                let ck =
                    crate::design::naming::fit(&format!("{}_{}_not_null", b.name.name, c.name));
                out.push(S {
                    kind: "add_check",
                    object: ck.clone(),
                    summary: format!("add CHECK ({} IS NOT NULL) NOT VALID on {}", c.name, b.name),
                    up: vec![format!(
                        "ALTER TABLE {t} ADD CONSTRAINT {} CHECK ({col} IS NOT NULL) NOT VALID",
                        q(d, &ck)
                    )],
                    down: vec![format!(
                        "ALTER TABLE {t} DROP CONSTRAINT IF EXISTS {}",
                        q(d, &ck)
                    )],
                    lock: Some("ACCESS EXCLUSIVE"),
                    ..S::default()
                });
                out.push(S {
                    kind: "validate_constraint",
                    object: ck.clone(),
                    separate: true,
                    summary: format!("validate {ck} without blocking writes"),
                    up: vec![format!("ALTER TABLE {t} VALIDATE CONSTRAINT {}", q(d, &ck))],
                    lock: Some("SHARE UPDATE EXCLUSIVE"),
                    hazards: vec![hazard(
                        plan::MAY_FAIL,
                        format!(
                            "fails if {}.{} holds NULLs; backfill them first",
                            b.name, c.name
                        ),
                    )],
                    ..S::default()
                });
                out.push(S {
                    kind: "set_not_null",
                    object: format!("{}.{}", b.name, c.name),
                    summary: format!(
                        "set {}.{} NOT NULL (no scan: the validated check proves it)",
                        b.name, c.name
                    ),
                    up: vec![
                        format!("ALTER TABLE {t} ALTER COLUMN {col} SET NOT NULL"),
                        format!("ALTER TABLE {t} DROP CONSTRAINT {}", q(d, &ck)),
                    ],
                    down: vec![format!("ALTER TABLE {t} ALTER COLUMN {col} DROP NOT NULL")],
                    lock: Some("ACCESS EXCLUSIVE"),
                    ..S::default()
                });
            } else {
                let (up, down) = if d == Dialect::Mysql {
                    (
                        format!(
                            "ALTER TABLE {t} MODIFY COLUMN {}{}",
                            ddl::column_def(d, c, false),
                            out.online("COPY", "SHARED")
                        ),
                        format!(
                            "ALTER TABLE {t} MODIFY COLUMN {}{}",
                            ddl::column_def(d, oc, false),
                            out.online("INPLACE", "NONE")
                        ),
                    )
                } else {
                    (
                        format!("ALTER TABLE {t} ALTER COLUMN {col} SET NOT NULL"),
                        format!("ALTER TABLE {t} ALTER COLUMN {col} DROP NOT NULL"),
                    )
                };
                out.push(S {
                    kind: "set_not_null",
                    object: format!("{}.{}", b.name, c.name),
                    summary: format!("set {}.{} NOT NULL", b.name, c.name),
                    up: vec![up],
                    down: vec![down],
                    lock: out.pg().then_some("ACCESS EXCLUSIVE"),
                    hazards: vec![hazard(
                        plan::MAY_FAIL,
                        "fails if the column holds NULLs; scans the table under the lock",
                    )],
                    ..S::default()
                });
            }
        }
        // The sequence a serial column creates goes when the column stops being serial (an
        // identity now, which would otherwise get another sequence name, or a plain column).
        // Its down creates it again, owned by the column and set past the values the rows hold.
        if out.pg() && ddl::is_serial(oc) && !is_serialish(c) {
            let seq = Name::new(
                b.name.schema.clone(),
                format!("{}_{}_seq", b.name.name, c.name),
            );
            let ty = match oc.data_type.int_bytes {
                Some(2) => " AS smallint",
                Some(8) => "",
                _ => " AS integer",
            };
            out.push(S {
                kind: "drop_sequence",
                object: seq.to_string(),
                summary: format!("drop sequence {seq} ({}.{} is no longer serial)", b.name, c.name),
                up: vec![format!("DROP SEQUENCE {}", qn(d, &seq))],
                down: vec![
                    format!("CREATE SEQUENCE {}{ty} OWNED BY {t}.{col}", qn(d, &seq)),
                    format!(
                        "SELECT setval({}, GREATEST(COALESCE(max({col}), 0), 0) + 1, false) FROM {t}",
                        lit(d, &qn(d, &seq))
                    ),
                ],
                ..S::default()
            });
        }
        if oc.identity != c.identity && out.pg() {
            let set = |from: Option<Identity2>, to: Option<Identity2>| -> Vec<String> {
                let mut v = Vec::new();
                if from.is_some() {
                    v.push(format!("ALTER TABLE {t} ALTER COLUMN {col} DROP IDENTITY"));
                }
                if let Some(k) = to {
                    v.push(format!(
                        "ALTER TABLE {t} ALTER COLUMN {col} ADD GENERATED {} AS IDENTITY",
                        if k == Identity2::Always {
                            "ALWAYS"
                        } else {
                            "BY DEFAULT"
                        }
                    ));
                    // The new identity sequence starts at 1: past the values the rows hold,
                    // or the next insert collides with them.
                    v.push(format!(
                        "SELECT setval(pg_get_serial_sequence({}, {}), GREATEST(COALESCE(max({col}), 0), 0) + 1, false) FROM {t}",
                        lit(d, &t),
                        lit(d, &c.name)
                    ));
                }
                v
            };
            let conv = |i: Option<crate::catalog::Identity>| {
                i.map(|x| {
                    if x == crate::catalog::Identity::Always {
                        Identity2::Always
                    } else {
                        Identity2::ByDefault
                    }
                })
            };
            let (oi, ni) = (conv(oc.identity), conv(c.identity));
            let up = if oi.is_some() && ni.is_some() {
                vec![format!(
                    "ALTER TABLE {t} ALTER COLUMN {col} SET GENERATED {}",
                    if ni == Some(Identity2::Always) {
                        "ALWAYS"
                    } else {
                        "BY DEFAULT"
                    }
                )]
            } else {
                set(oi, ni)
            };
            let down = if oi.is_some() && ni.is_some() {
                vec![format!(
                    "ALTER TABLE {t} ALTER COLUMN {col} SET GENERATED {}",
                    if oi == Some(Identity2::Always) {
                        "ALWAYS"
                    } else {
                        "BY DEFAULT"
                    }
                )]
            } else {
                set(ni, oi)
            };
            out.push(S {
                kind: "alter_column_identity",
                object: format!("{}.{}", b.name, c.name),
                summary: format!("change identity of {}.{}", b.name, c.name),
                up,
                down,
                lock: Some("ACCESS EXCLUSIVE"),
                ..S::default()
            });
        }
    }
    // Dropped columns.
    for c in &a.columns {
        if b.column(&c.name).is_some() {
            continue;
        }
        let mut down = vec![format!(
            "ALTER TABLE {t} ADD COLUMN {}",
            ddl::column_def(d, &relax(c), false)
        )];
        if !c.nullable {
            down.push(format!(
                "-- {}.{} was NOT NULL: restore the data, then SET NOT NULL",
                b.name, c.name
            ));
            down.pop();
        }
        let mut up = format!("ALTER TABLE {t} DROP COLUMN {}", q(d, &c.name));
        if d == Dialect::Mysql
            && out.v.at_least(
                if out.mariadb { 10 } else { 8 },
                if out.mariadb { 4 } else { 0 },
            )
        {
            up.push_str(&out.online("INSTANT", ""));
        }
        out.push(S {
            kind: "drop_column",
            object: format!("{}.{}", b.name, c.name),
            summary: format!("drop column {}.{}", b.name, c.name),
            up: vec![up],
            down,
            irreversible: Some(format!(
                "the values of {}.{} are gone; the down adds the column back empty{}",
                b.name,
                c.name,
                if c.nullable { "" } else { " and nullable" }
            )),
            lock: out.pg().then_some("ACCESS EXCLUSIVE"),
            hazards: vec![hazard(
                plan::DELETES_DATA,
                format!("the values of {}.{} are deleted", b.name, c.name),
            )],
            ..S::default()
        });
    }
    let _ = o;
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Identity2 {
    Always,
    ByDefault,
}

fn is_serialish(c: &Column) -> bool {
    ddl::is_serial(c)
        || c.default
            .as_deref()
            .is_some_and(|d| norm(d).starts_with("nextval("))
}

/// A dropped column comes back nullable (its values are gone).
fn relax(c: &Column) -> Column {
    let mut c = c.clone();
    if c.default.is_none() && c.identity.is_none() {
        c.nullable = true;
    }
    c
}

// ------------------------------------------------------------------------------------------
// SQLite

fn sqlite_needs_rebuild(oc: &Catalog, nc: &Catalog, a: &Table, b: &Table, v: Version) -> bool {
    for c in &a.columns {
        match b.column(&c.name) {
            None => {
                // DROP COLUMN (3.35+) cannot drop key, unique, indexed or FK columns.
                let keyed = a
                    .primary_key
                    .iter()
                    .chain(&a.uniques)
                    .any(|k| k.columns.iter().any(|x| x.eq_ignore_ascii_case(&c.name)))
                    || a.foreign_keys
                        .iter()
                        .any(|f| f.columns.iter().any(|x| x.eq_ignore_ascii_case(&c.name)))
                    || oc.indexes_of(&a.name).any(|i| {
                        i.keys.iter().any(|k| {
                            k.column
                                .as_deref()
                                .is_some_and(|x| x.eq_ignore_ascii_case(&c.name))
                        })
                    });
                if keyed || !v.at_least(3, 35) {
                    return true;
                }
            }
            Some(n) => {
                if !same_type(&c.data_type, &n.data_type)
                    || c.nullable != n.nullable
                    || c.default.as_deref().map(norm) != n.default.as_deref().map(norm)
                {
                    return true;
                }
            }
        }
    }
    for c in &b.columns {
        if a.column(&c.name).is_none() {
            // ADD COLUMN: no PK/UNIQUE, NOT NULL needs a default, default must be constant.
            let keyed = b
                .primary_key
                .iter()
                .chain(&b.uniques)
                .any(|k| k.columns.iter().any(|x| x.eq_ignore_ascii_case(&c.name)));
            let bad_default = c.default.as_deref().is_some_and(|e| {
                let n = norm(e);
                n.contains('(') || n.starts_with("current_")
            });
            if keyed || (!c.nullable && c.default.is_none()) || bad_default {
                return true;
            }
        }
    }
    let keys = |t: &Table| {
        let mut v: Vec<String> = t
            .primary_key
            .iter()
            .chain(&t.uniques)
            .map(|k| k.columns.join(",").to_ascii_lowercase())
            .collect();
        v.sort();
        v
    };
    let checks = |t: &Table| {
        let mut v: Vec<String> = t.checks.iter().map(|c| norm(&c.expr)).collect();
        v.sort();
        v
    };
    let fks = |t: &Table| t.foreign_keys.len();
    keys(a) != keys(b)
        || checks(a) != checks(b)
        || fks(a) != fks(b)
        || a.foreign_keys
            .iter()
            .any(|f| !b.foreign_keys.iter().any(|g| fk_same(nc, f, g)))
}

/// SQLite's table-rebuild procedure (https://sqlite.org/lang_altertable.html#otheralter):
/// create the new shape under a temporary name, copy the common columns, drop the old table,
/// rename, recreate indexes and triggers, check foreign keys — with foreign keys off around it.
fn sqlite_rebuild(out: &mut Out, oc: &Catalog, nc: &Catalog, a: &Table, b: &Table) {
    let d = Dialect::Sqlite;
    let script = |from: &Table, to: &Table, to_cat: &Catalog| -> Vec<String> {
        let tmp = Name::new(to.name.schema.clone(), format!("_kd_new_{}", to.name.name));
        let mut t2 = to.clone();
        t2.name = tmp.clone();
        let common: Vec<&Column> = to
            .columns
            .iter()
            .filter(|c| from.column(&c.name).is_some())
            .collect();
        let names = common
            .iter()
            .map(|c| q(d, &c.name))
            .collect::<Vec<_>>()
            .join(", ");
        let mut v = vec![
            ddl::create_table(d, &t2, true),
            format!(
                "INSERT INTO {} ({names}) SELECT {names} FROM {}",
                qn(d, &tmp),
                qn(d, &from.name)
            ),
            format!("DROP TABLE {}", qn(d, &from.name)),
            format!(
                "ALTER TABLE {} RENAME TO {}",
                qn(d, &tmp),
                q(d, &to.name.name)
            ),
        ];
        for ix in to_cat
            .indexes_of(&to.name)
            .filter(|i| i.origin == IndexOrigin::Explicit)
        {
            v.push(ddl::create_index(d, ix, false));
        }
        v.push("PRAGMA foreign_key_check".into());
        v
    };
    let up = script(a, b, nc);
    let down = script(b, a, oc);
    let lost: Vec<&str> = a
        .columns
        .iter()
        .filter(|c| b.column(&c.name).is_none())
        .map(|c| c.name.as_str())
        .collect();
    out.push(S {
        kind: "pragma",
        object: "foreign_keys".into(),
        summary: "turn foreign keys off for the table rebuild".into(),
        up: vec!["PRAGMA foreign_keys = OFF".into()],
        down: vec!["PRAGMA foreign_keys = ON".into()],
        no_tx: true,
        down_no_tx: true,
        ..S::default()
    });
    out.push(S {
        kind: "rebuild_table",
        object: b.name.to_string(),
        summary: format!("rebuild table {} (SQLite cannot ALTER this change)", b.name),
        up,
        down,
        irreversible: (!lost.is_empty())
            .then(|| format!("dropped columns {} are not copied back", lost.join(", "))),
        hazards: {
            let mut h = vec![hazard(
                plan::REWRITES,
                format!("copies every row of {}", b.name),
            )];
            if !lost.is_empty() {
                h.push(hazard(
                    plan::DELETES_DATA,
                    format!("columns {} are not copied", lost.join(", ")),
                ));
            }
            h.push(hazard(
                plan::MAY_FAIL,
                "fails if rows break the new constraints",
            ));
            h
        },
        ..S::default()
    });
    out.push(S {
        kind: "pragma",
        object: "foreign_keys".into(),
        summary: "turn foreign keys back on".into(),
        up: vec!["PRAGMA foreign_keys = ON".into()],
        down: vec!["PRAGMA foreign_keys = OFF".into()],
        no_tx: true,
        down_no_tx: true,
        ..S::default()
    });
}

// ------------------------------------------------------------------------------------------
// Rename inference

fn infer_renames(
    oc: &Catalog,
    nc: &Catalog,
    added: &[&Table],
    removed: &[&Table],
    common: &[(&Table, &Table)],
) -> Vec<Rename> {
    let mut out = Vec::new();
    for r in removed {
        for a in added {
            let n = r.columns.len().max(a.columns.len());
            if n == 0 {
                continue;
            }
            let same = r
                .columns
                .iter()
                .filter(|c| {
                    a.column(&c.name)
                        .is_some_and(|x| same_type(&x.data_type, &c.data_type))
                })
                .count();
            // Or the same column types in the same order (columns renamed too).
            let positional = r.columns.len() == a.columns.len()
                && r.columns
                    .iter()
                    .zip(&a.columns)
                    .all(|(x, y)| same_type(&x.data_type, &y.data_type));
            let conf = (same as f64 / n as f64).max(if positional { 0.75 } else { 0.0 });
            if conf >= 0.75 {
                out.push(Rename {
                    kind: "table".into(),
                    table: a.name.to_string(),
                    from: r.name.name.clone(),
                    to: a.name.name.clone(),
                    confidence: (conf * 0.9 * 100.0).round() / 100.0,
                    hint: format!("{}={}", r.name.name, a.name.name),
                    reason: format!(
                        "{same} of {n} columns match by name and type; one table dropped, one added"
                    ),
                });
            }
        }
    }
    for (a, b) in common {
        let gone: Vec<&Column> = a
            .columns
            .iter()
            .filter(|c| b.column(&c.name).is_none())
            .collect();
        let new: Vec<&Column> = b
            .columns
            .iter()
            .filter(|c| a.column(&c.name).is_none())
            .collect();
        for g in &gone {
            let same: Vec<&&Column> = new
                .iter()
                .filter(|n| same_type(&n.data_type, &g.data_type) && n.nullable == g.nullable)
                .collect();
            if same.len() == 1 {
                let conf = if gone.len() == 1 && new.len() == 1 {
                    0.8
                } else {
                    0.5
                };
                out.push(Rename {
                    kind: "column".into(),
                    table: b.name.to_string(),
                    from: g.name.clone(),
                    to: same[0].name.clone(),
                    confidence: conf,
                    hint: format!("{}.{}={}", b.name.name, g.name, same[0].name),
                    reason: "one column dropped and one added with the same type and nullability"
                        .into(),
                });
            }
        }
    }
    let _ = (oc, nc);
    out
}

#[cfg(test)]
mod tests {
    use crate::migrate::diff_sql;
    use crate::sql::DialectChoice;

    fn kinds(from: &str, to: &str, v: Option<&str>) -> Vec<String> {
        diff_sql(from, to, DialectChoice::Postgres, v, &[])
            .unwrap()
            .steps
            .iter()
            .map(|s| s.kind.clone())
            .collect()
    }

    #[test]
    fn identical_schemas_give_no_steps() {
        let s =
            "CREATE TABLE a (id bigint PRIMARY KEY, b text);\nCREATE INDEX a_b ON a (lower(b));";
        assert!(kinds(s, s, None).is_empty());
    }

    #[test]
    fn referenced_tables_first_and_fks_after_tables() {
        let to = "CREATE TABLE c (id bigint PRIMARY KEY, b_id bigint REFERENCES b (id));\nCREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a (id));\nCREATE TABLE a (id bigint PRIMARY KEY);";
        let r = diff_sql("", to, DialectChoice::Postgres, None, &[]).unwrap();
        let order: Vec<&str> = r.steps.iter().map(|s| s.object.as_str()).collect();
        let pos = |x: &str| order.iter().position(|o| *o == x).unwrap();
        assert!(pos("a") < pos("b") && pos("b") < pos("c"), "{order:?}");
        let first_fk = r
            .steps
            .iter()
            .position(|s| s.kind == "add_foreign_key")
            .unwrap();
        assert!(
            r.steps[..first_fk]
                .iter()
                .filter(|s| s.kind == "create_table")
                .count()
                == 3
        );
    }

    #[test]
    fn fks_are_dropped_before_their_tables() {
        let from = "CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a (id));";
        let to = "CREATE TABLE b (id bigint PRIMARY KEY, a_id bigint);";
        let k = kinds(from, to, None);
        let fk = k.iter().position(|x| x == "drop_foreign_key").unwrap();
        let t = k.iter().position(|x| x == "drop_table").unwrap();
        assert!(fk < t, "{k:?}");
    }

    #[test]
    fn pg_version_decides_rewrites_and_not_null() {
        let from = "CREATE TABLE a (id bigint PRIMARY KEY, n text);";
        let to = "CREATE TABLE a (id bigint PRIMARY KEY, n text NOT NULL, d int DEFAULT 0);";
        let r16 = diff_sql(from, to, DialectChoice::Postgres, Some("16"), &[]).unwrap();
        let r10 = diff_sql(from, to, DialectChoice::Postgres, Some("10"), &[]).unwrap();
        let rewrites = |r: &crate::migrate::MigrateReport| {
            r.steps
                .iter()
                .flat_map(|s| &s.hazards)
                .filter(|h| h.kind == "rewrites_table")
                .count()
        };
        assert_eq!(rewrites(&r16), 0);
        assert_eq!(rewrites(&r10), 1);
        // 12+: NOT NULL through a validated check; 10: plain SET NOT NULL.
        assert!(r16.steps.iter().any(|s| s.kind == "validate_constraint"));
        assert!(!r10.steps.iter().any(|s| s.kind == "validate_constraint"));
    }

    #[test]
    fn renames_from_hints_and_inferred_candidates() {
        let from = "CREATE TABLE people (id bigint PRIMARY KEY, fullname text);";
        let to = "CREATE TABLE persons (id bigint PRIMARY KEY, full_name text);";
        let r = diff_sql(from, to, DialectChoice::Postgres, None, &[]).unwrap();
        assert!(
            r.rename_candidates
                .iter()
                .any(|c| c.kind == "table" && c.from == "people" && c.to == "persons")
        );
        assert!(
            r.steps
                .iter()
                .any(|s| s.kind == "drop_table" && s.hazards.iter().any(|h| h.id == "GEN011"))
        );
        let r = diff_sql(
            from,
            to,
            DialectChoice::Postgres,
            None,
            &["people=persons", "persons.fullname=full_name"],
        )
        .unwrap();
        let k: Vec<&str> = r.steps.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(k, ["rename_table", "rename_column", "rename_constraint"]);
        assert!(r.steps.iter().all(|s| s.irreversible.is_none()));
        let bad =
            diff_sql(from, to, DialectChoice::Postgres, None, &["nosuch=persons"]).unwrap_err();
        assert!(bad.to_string().contains("no table `nosuch`"), "{bad}");
    }

    #[test]
    fn mysql_online_ddl_clauses() {
        let from = "CREATE TABLE a (id bigint NOT NULL PRIMARY KEY, n varchar(10));";
        let to = "CREATE TABLE a (id bigint NOT NULL PRIMARY KEY, n varchar(20), m int);\nCREATE INDEX a_m ON a (m);";
        let r = diff_sql(from, to, DialectChoice::Mysql, Some("8.0"), &[]).unwrap();
        let up = r.up_sql;
        assert!(
            up.contains("ADD COLUMN m int, ALGORITHM=INSTANT")
                || up.contains("ADD COLUMN m INT, ALGORITHM=INSTANT"),
            "{up}"
        );
        assert!(up.contains("ALGORITHM=COPY, LOCK=SHARED"), "{up}");
        assert!(
            up.contains("ADD INDEX a_m (m), ALGORITHM=INPLACE, LOCK=NONE"),
            "{up}"
        );
    }

    #[test]
    fn sqlite_rebuild_when_alter_cannot() {
        let from = "CREATE TABLE a (id INTEGER PRIMARY KEY, n TEXT);";
        let to = "CREATE TABLE a (id INTEGER PRIMARY KEY, n TEXT NOT NULL);";
        let r = diff_sql(from, to, DialectChoice::Sqlite, None, &[]).unwrap();
        let k: Vec<&str> = r.steps.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(k, ["pragma", "rebuild_table", "pragma"]);
        assert!(
            r.up_sql.contains("INSERT INTO \"_kd_new_a\""),
            "{}",
            r.up_sql
        );
    }

    #[test]
    fn domain_changes_are_alter_domain_steps() {
        let from = "CREATE DOMAIN pos AS int DEFAULT 1 CHECK (VALUE > 0);
            CREATE TABLE t (id bigint PRIMARY KEY, p pos);";
        let to =
            "CREATE DOMAIN pos AS int DEFAULT 2 NOT NULL CONSTRAINT pos_small CHECK (VALUE < 9);
            CREATE TABLE t (id bigint PRIMARY KEY, p pos);";
        let r = diff_sql(from, to, DialectChoice::Postgres, None, &[]).unwrap();
        let k: Vec<&str> = r.steps.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(
            k,
            [
                "drop_domain_check",
                "alter_domain_default",
                "set_domain_not_null",
                "add_domain_check",
                "validate_constraint"
            ]
        );
        assert_eq!(
            r.steps[0].up,
            ["ALTER DOMAIN pos DROP CONSTRAINT pos_check"]
        );
        assert_eq!(
            r.steps[0].down,
            ["ALTER DOMAIN pos ADD CONSTRAINT pos_check CHECK (VALUE > 0)"]
        );
        assert_eq!(
            r.steps[3].up,
            ["ALTER DOMAIN pos ADD CONSTRAINT pos_small CHECK (VALUE < 9) NOT VALID"]
        );
        assert!(r.steps[4].separate);
        assert!(r.steps[4].hazards[0].message.contains("t.p"));
        assert_eq!(r.steps[2].hazards[0].kind, "may_fail_on_data");
        // The column of the domain is not touched.
        assert!(!k.contains(&"alter_column_type"));
        // A new base type recreates the domain and converts its columns.
        let r = diff_sql(
            "CREATE DOMAIN m AS int; CREATE TABLE t (id int, a m DEFAULT 0);",
            "CREATE DOMAIN m AS bigint; CREATE TABLE t (id int, a m DEFAULT 0);",
            DialectChoice::Postgres,
            None,
            &[],
        )
        .unwrap();
        assert_eq!(r.steps.len(), 1, "{:?}", r.steps);
        assert_eq!(r.steps[0].kind, "recreate_domain");
        assert!(
            r.steps[0]
                .up
                .iter()
                .any(|u| u == "ALTER TABLE t ALTER COLUMN a TYPE m USING a::BIGINT"),
            "{:?}",
            r.steps[0].up
        );
    }

    #[test]
    fn composite_attribute_steps_and_limits() {
        assert_eq!(
            kinds(
                "CREATE TYPE p AS (a int, b text, c int);",
                "CREATE TYPE p AS (a bigint, b text, d text);",
                None
            ),
            [
                "drop_type_attribute",
                "alter_type_attribute",
                "add_type_attribute"
            ]
        );
        // Dropping an attribute of a type columns use loses their values.
        let r = diff_sql(
            "CREATE TYPE p AS (a int, b text); CREATE TABLE t (id int, v p);",
            "CREATE TYPE p AS (a int); CREATE TABLE t (id int, v p);",
            DialectChoice::Postgres,
            None,
            &[],
        )
        .unwrap();
        assert!(r.steps[0].irreversible.as_deref().unwrap().contains("t.v"));
        // PostgreSQL refuses ALTER ATTRIBUTE TYPE while a column has the type: the type is
        // recreated and the column converted attribute by attribute.
        let r = diff_sql(
            "CREATE TYPE p AS (a int); CREATE TABLE t (id int, v p);",
            "CREATE TYPE p AS (a bigint); CREATE TABLE t (id int, v p);",
            DialectChoice::Postgres,
            None,
            &[],
        )
        .unwrap();
        assert_eq!(r.steps.len(), 1, "{:?}", r.notes);
        assert_eq!(r.steps[0].kind, "recreate_type");
        assert!(
            r.steps[0]
                .up
                .iter()
                .any(|u| u.contains("ROW((v).a::BIGINT)::p")),
            "{:?}",
            r.steps[0].up
        );
        // Arrays of it are not converted: reported.
        let r = diff_sql(
            "CREATE TYPE p AS (a int); CREATE TABLE t (id int, v p[]);",
            "CREATE TYPE p AS (a bigint); CREATE TABLE t (id int, v p[]);",
            DialectChoice::Postgres,
            None,
            &[],
        )
        .unwrap();
        assert!(r.steps.is_empty());
        assert!(
            r.notes[0].contains("cannot change an attribute's type"),
            "{:?}",
            r.notes
        );
        // An order ALTER TYPE cannot reach, no column using it: recreated.
        assert_eq!(
            kinds(
                "CREATE TYPE p AS (a int, b int);",
                "CREATE TYPE p AS (b int, a int);",
                None
            ),
            ["recreate_type"]
        );
    }

    #[test]
    fn identity_added_to_a_column_with_rows_starts_past_them() {
        let r = diff_sql(
            "CREATE TABLE a (id int PRIMARY KEY);",
            "CREATE TABLE a (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);",
            DialectChoice::Postgres,
            None,
            &[],
        )
        .unwrap();
        assert_eq!(r.steps.len(), 1);
        assert_eq!(
            r.steps[0].up,
            [
                "ALTER TABLE a ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY",
                "SELECT setval(pg_get_serial_sequence('a', 'id'), GREATEST(COALESCE(max(id), 0), 0) + 1, false) FROM a"
            ]
        );
        // Dropped, the down adds it back past the rows too: nothing is lost.
        let back = diff_sql(
            "CREATE TABLE a (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);",
            "CREATE TABLE a (id int PRIMARY KEY);",
            DialectChoice::Postgres,
            None,
            &[],
        )
        .unwrap();
        assert!(back.steps[0].down[1].starts_with("SELECT setval("));
        assert!(back.steps[0].irreversible.is_none());
    }

    #[test]
    fn overloads_are_dropped_by_signature() {
        let r = diff_sql(
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$;
             CREATE FUNCTION f(a int, b text) RETURNS int LANGUAGE sql AS $$ SELECT a $$;",
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a + 1 $$;",
            DialectChoice::Postgres,
            None,
            &[],
        )
        .unwrap();
        let k: Vec<(&str, &str)> = r
            .steps
            .iter()
            .map(|s| (s.kind.as_str(), s.object.as_str()))
            .collect();
        assert_eq!(
            k,
            [
                ("replace_function", "f(integer)"),
                ("drop_function", "f(integer, text)")
            ]
        );
        assert_eq!(r.steps[1].up, ["DROP FUNCTION f(integer, text)"]);
    }

    #[test]
    fn extensions_come_first_and_go_last() {
        let k = kinds(
            "CREATE EXTENSION hstore; CREATE TABLE x (id int);",
            "CREATE EXTENSION citext; CREATE TABLE x (id int, e citext);",
            None,
        );
        assert_eq!(k, ["create_extension", "add_column", "drop_extension"]);
        let r = diff_sql(
            "CREATE TABLE x (id int);",
            "CREATE EXTENSION \"uuid-ossp\"; CREATE TABLE x (id int);",
            DialectChoice::Postgres,
            None,
            &[],
        )
        .unwrap();
        assert_eq!(
            r.steps[0].up,
            ["CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\""]
        );
    }
}

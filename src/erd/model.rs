//! The diagram model: which tables are drawn, their attributes with key marks, and the
//! relationships with cardinalities read from the keys.
//!
//! Cardinality comes from the catalog, never from names (except for relationships the caller
//! asked to infer, which are flagged as such):
//! * parent side: `exactly one` when every FK column is NOT NULL, `zero or one` otherwise;
//! * child side: `zero or one` (a one-to-one) when the FK columns are covered by the primary key
//!   or a unique constraint/index of the child, `zero or more` otherwise;
//! * junction tables (exactly two FKs whose columns together form the primary key or a unique
//!   key, at most two other columns besides a surrogate key) become one many-to-many
//!   relationship between the two referenced tables when both are drawn.

use super::{ColumnMode, ErdOptions};
use crate::catalog::{Catalog, Name, SqlType, Table};
use crate::error::KdError;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// One end of a relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Card {
    ZeroOrOne,
    ExactlyOne,
    ZeroOrMore,
    OneOrMore,
}

impl Card {
    pub fn many(self) -> bool {
        matches!(self, Card::ZeroOrMore | Card::OneOrMore)
    }
    pub fn optional(self) -> bool {
        matches!(self, Card::ZeroOrOne | Card::ZeroOrMore)
    }
    /// Short text for ASCII and SVG labels.
    pub fn short(self) -> &'static str {
        match self {
            Card::ZeroOrOne => "0..1",
            Card::ExactlyOne => "1",
            Card::ZeroOrMore => "N",
            Card::OneOrMore => "1..N",
        }
    }
}

/// Where a relationship comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelKind {
    /// A declared foreign key.
    ForeignKey,
    /// Two foreign keys of a junction table, drawn as one many-to-many line.
    ManyToMany,
    /// No constraint: a `<table>_id` column matching another table's single-column key
    /// (only with `infer`). A missing foreign key, most likely.
    Inferred,
}

#[derive(Debug, Clone)]
pub struct Attr {
    pub name: String,
    pub ty: String,
    pub pk: bool,
    pub fk: bool,
    pub uk: bool,
    pub nullable: bool,
}

impl Attr {
    /// `PK`, `FK`, `UK` marks, comma separated.
    pub fn marks(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.pk {
            v.push("PK");
        }
        if self.fk {
            v.push("FK");
        }
        if self.uk {
            v.push("UK");
        }
        v
    }
}

#[derive(Debug, Clone)]
pub struct Entity {
    pub name: Name,
    /// Display name (`orders`, `billing.invoices`).
    pub label: String,
    /// Schema as the engine stores it ("" for MySQL's current database).
    pub schema: String,
    /// All columns, in table order.
    pub all_attrs: Vec<Attr>,
    /// The columns drawn (all, keys only, or none, per [`ColumnMode`]).
    pub attrs: Vec<Attr>,
    /// Columns not drawn.
    pub hidden: usize,
    pub junction: bool,
    /// A junction drawn as a many-to-many line instead of a box.
    pub collapsed: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Rel {
    /// Entity index of the referencing (child) table; for many-to-many, the first end.
    pub child: usize,
    /// Entity index of the referenced (parent) table; for many-to-many, the second end.
    pub parent: usize,
    pub child_cols: Vec<String>,
    pub parent_cols: Vec<String>,
    /// Constraint name, or the junction table's label for many-to-many.
    pub name: String,
    pub child_card: Card,
    pub parent_card: Card,
    pub kind: RelKind,
    /// The junction entity of a many-to-many relationship.
    pub via: Option<usize>,
    pub on_delete: String,
    /// The FK columns are part of the child's primary key (an identifying relationship).
    pub identifying: bool,
}

impl Rel {
    /// `1:N`, `0..1:N`, `1:1`, `N:M` — parent side first.
    pub fn short(&self) -> String {
        match self.kind {
            RelKind::ManyToMany => "N:M".into(),
            _ => format!(
                "{}:{}",
                self.parent_card.short(),
                if self.child_card.many() { "N" } else { "1" }
            ),
        }
    }
    pub fn cardinality_name(&self) -> &'static str {
        match (self.kind, self.child_card.many()) {
            (RelKind::ManyToMany, _) => "many-to-many",
            (_, true) => "one-to-many",
            (_, false) => "one-to-one",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Diagram {
    pub entities: Vec<Entity>,
    /// Every foreign key between drawn tables (junction tables kept), for DBML.
    pub fk_rels: Vec<Rel>,
    /// What the pictures draw: foreign keys, many-to-many lines instead of collapsed junctions,
    /// and inferred relationships.
    pub rels: Vec<Rel>,
    /// Relationships to or from tables outside the selection.
    pub outside_rels: usize,
    /// Tables in the catalog, partitions excluded.
    pub total_tables: usize,
    /// Partitions folded into their parent.
    pub partitions: usize,
    pub schemas: Vec<String>,
    pub notes: Vec<String>,
    pub group_by_schema: bool,
    pub dialect: crate::sql::Dialect,
    /// Entities referenced by so many tables that the pictures write references to them on the
    /// column (`→ users`) instead of drawing a line each.
    pub hubs: Vec<usize>,
}

impl Diagram {
    /// Whether the SVG and ASCII pictures write this relationship on the column instead of
    /// drawing it: it crosses schema groups, or leads to a hub.
    pub fn as_text(&self, r: &Rel) -> bool {
        let grouped = self.group_by_schema && self.schemas.len() > 1;
        (grouped && self.entities[r.child].schema != self.entities[r.parent].schema)
            || (r.child != r.parent && self.hubs.contains(&r.parent))
    }
}

impl Diagram {
    /// Entities drawn as boxes (collapsed junctions excluded).
    pub fn boxes(&self) -> impl Iterator<Item = (usize, &Entity)> {
        self.entities
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.collapsed)
    }
    pub fn box_count(&self) -> usize {
        self.entities.iter().filter(|e| !e.collapsed).count()
    }
}

/// A column type for diagrams: the normalised name with its length or precision.
pub fn display_type(t: &SqlType, dialect: crate::sql::Dialect) -> String {
    if let Some(e) = &t.element {
        return format!("{}[]", display_type(e, dialect));
    }
    if let Some(u) = &t.user_type {
        return u.name.clone();
    }
    if dialect == crate::sql::Dialect::Sqlite {
        let raw = t.raw.trim().to_ascii_lowercase();
        if !raw.is_empty() {
            return raw.split_whitespace().collect::<Vec<_>>().join(" ");
        }
    }
    let mut s = t.name.clone();
    if let Some(l) = t.length {
        s.push_str(&format!("({l})"));
    } else if let Some(p) = t.precision {
        match t.scale {
            Some(sc) => s.push_str(&format!("({p},{sc})")),
            None if t.family == crate::catalog::TypeFamily::Decimal => {
                s.push_str(&format!("({p})"))
            }
            None => {}
        }
    }
    if t.unsigned {
        s.push_str(" unsigned");
    }
    s
}

fn same_cols(cat: &Catalog, a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| cat.ident_eq(x, y)))
}

fn subset(cat: &Catalog, small: &[String], big: &[String]) -> bool {
    !small.is_empty() && small.iter().all(|x| big.iter().any(|y| cat.ident_eq(x, y)))
}

/// Column sets that are unique in `t`: primary key, unique constraints, unique plain indexes
/// without a predicate.
fn unique_sets(cat: &Catalog, t: &Table) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = Vec::new();
    if let Some(pk) = &t.primary_key {
        v.push(pk.columns.clone());
    }
    for u in &t.uniques {
        v.push(u.columns.clone());
    }
    for i in cat.indexes_of(&t.name) {
        if i.unique
            && i.predicate.is_none()
            && let Some(cols) = i.columns()
        {
            v.push(cols.into_iter().map(String::from).collect());
        }
    }
    v
}

/// Whether `t` is a junction table; returns its two FK indexes.
fn junction_fks(cat: &Catalog, t: &Table) -> Option<(usize, usize)> {
    if t.foreign_keys.len() != 2 {
        return None;
    }
    let (a, b) = (&t.foreign_keys[0], &t.foreign_keys[1]);
    let mut both: Vec<String> = a.columns.clone();
    for c in &b.columns {
        if !both.iter().any(|x| cat.ident_eq(x, c)) {
            both.push(c.clone());
        }
    }
    if both.len() != a.columns.len() + b.columns.len() {
        return None;
    }
    let keyed = unique_sets(cat, t)
        .iter()
        .any(|set| same_cols(cat, set, &both));
    if !keyed {
        return None;
    }
    let surrogate = t.primary_key.as_ref().filter(|pk| {
        pk.columns.len() == 1 && !both.iter().any(|c| cat.ident_eq(c, &pk.columns[0]))
    });
    let others = t
        .columns
        .iter()
        .filter(|c| !both.iter().any(|x| cat.ident_eq(x, &c.name)))
        .filter(|c| surrogate.is_none_or(|pk| !cat.ident_eq(&pk.columns[0], &c.name)))
        .count();
    (others <= 2).then_some((0, 1))
}

/// Simple glob: `*` matches any run of characters; comparison per the engine's identifier rules.
fn glob(cat: &Catalog, pat: &str, text: &str) -> bool {
    let ci = cat.dialect.case_insensitive_names();
    let (p, t): (Vec<char>, Vec<char>) = if ci {
        (
            pat.to_lowercase().chars().collect(),
            text.to_lowercase().chars().collect(),
        )
    } else {
        (pat.chars().collect(), text.chars().collect())
    };
    // Iterative wildcard match.
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

fn matches_table(cat: &Catalog, pat: &str, t: &Table) -> bool {
    let pat = pat.trim();
    match pat.rsplit_once('.') {
        Some((s, n)) => glob(cat, s, &t.name.schema) && glob(cat, n, &t.name.name),
        None => glob(cat, pat, &t.name.name),
    }
}

/// Candidate table names a `<stem>_id` column may point to.
fn inferred_targets(stem: &str) -> Vec<String> {
    let mut v = vec![stem.to_string(), format!("{stem}s"), format!("{stem}es")];
    if let Some(base) = stem.strip_suffix('y') {
        v.push(format!("{base}ies"));
    }
    v
}

/// An inferred reference: (child table index, column, parent table index, parent key column).
fn infer_refs(cat: &Catalog, tables: &[&Table]) -> Vec<(usize, String, usize, String)> {
    let mut out = Vec::new();
    for (ci, t) in tables.iter().enumerate() {
        for col in &t.columns {
            let lower = col.name.to_ascii_lowercase();
            let Some(stem) = lower.strip_suffix("_id") else {
                continue;
            };
            if stem.is_empty()
                || t.foreign_keys
                    .iter()
                    .any(|fk| fk.columns.iter().any(|c| cat.ident_eq(c, &col.name)))
            {
                continue;
            }
            // A column that is the table's own single-column key is not a reference.
            if t.primary_key
                .as_ref()
                .is_some_and(|pk| pk.columns.len() == 1 && cat.ident_eq(&pk.columns[0], &col.name))
            {
                continue;
            }
            let cands = inferred_targets(stem);
            let target = tables.iter().enumerate().find(|(_, p)| {
                cands.iter().any(|c| p.name.name.eq_ignore_ascii_case(c))
                    && (p.name.schema == t.name.schema
                        || tables
                            .iter()
                            .filter(|q| cands.iter().any(|c| q.name.name.eq_ignore_ascii_case(c)))
                            .count()
                            == 1)
            });
            let Some((pi, p)) = target else { continue };
            let Some(pk) = p.primary_key.as_ref().filter(|k| k.columns.len() == 1) else {
                continue;
            };
            let Some(pkcol) = p.column(&pk.columns[0]) else {
                continue;
            };
            let compatible = col.data_type.family == pkcol.data_type.family;
            if compatible {
                out.push((ci, col.name.clone(), pi, pkcol.name.clone()));
            }
        }
    }
    out
}

/// Foreign keys of `t`, plus those declared only on its partitions (pg_dump writes the FKs of a
/// partitioned table whose parent has none on each partition); the flag marks the latter.
fn fks_with_partitions<'a>(
    cat: &'a Catalog,
    t: &'a Table,
) -> Vec<(&'a crate::catalog::ForeignKey, bool)> {
    let mut v: Vec<(&crate::catalog::ForeignKey, bool)> =
        t.foreign_keys.iter().map(|f| (f, false)).collect();
    for part in cat.tables.iter().filter(|p| {
        p.partition_of
            .as_ref()
            .is_some_and(|n| cat.name_eq(n, &t.name))
    }) {
        for fk in &part.foreign_keys {
            let dup = v.iter().any(|(f, _)| {
                cat.name_eq(&f.ref_table, &fk.ref_table) && same_cols(cat, &f.columns, &fk.columns)
            });
            if !dup {
                v.push((fk, true));
            }
        }
    }
    v
}

/// Build the diagram model for `opts`.
pub fn build(cat: &Catalog, opts: &ErdOptions) -> Result<Diagram, KdError> {
    let all: Vec<&Table> = cat
        .tables
        .iter()
        .filter(|t| t.partition_of.is_none())
        .collect();
    let partitions = cat.tables.len() - all.len();
    let mut notes = Vec::new();
    if all.is_empty() {
        return Err(KdError::invalid(
            "the input defines no tables; give CREATE TABLE statements (a schema file, a dump made with pg_dump --schema-only or mysqldump --no-data, or a migrations folder)",
        ));
    }
    let idx_of = |n: &Name| all.iter().position(|t| cat.name_eq(&t.name, n));

    // Adjacency over declared (and, if asked, inferred) references, for --around.
    let inferred = if opts.infer {
        infer_refs(cat, &all)
    } else {
        Vec::new()
    };
    let mut adj: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); all.len()];
    for (ci, t) in all.iter().enumerate() {
        for (fk, _) in fks_with_partitions(cat, t) {
            if let Some(pi) = idx_of(&fk.ref_table) {
                adj[ci].insert(pi);
                adj[pi].insert(ci);
            }
        }
    }
    for (ci, _, pi, _) in &inferred {
        adj[*ci].insert(*pi);
        adj[*pi].insert(*ci);
    }

    // Selection.
    let mut selected: BTreeSet<usize> = BTreeSet::new();
    let filtered = !opts.tables.is_empty() || opts.around.is_some();
    for pat in &opts.tables {
        let hits: Vec<usize> = (0..all.len())
            .filter(|&i| matches_table(cat, pat, all[i]))
            .collect();
        if hits.is_empty() {
            return Err(KdError::invalid(format!(
                "no table matches `{pat}` in tables; known tables include {}",
                suggest(cat, &all, pat)
            )));
        }
        selected.extend(hits);
    }
    if let Some(center) = &opts.around {
        let start: Vec<usize> = (0..all.len())
            .filter(|&i| matches_table(cat, center, all[i]))
            .collect();
        if start.is_empty() {
            return Err(KdError::invalid(format!(
                "no table `{center}` for around; known tables include {}",
                suggest(cat, &all, center)
            )));
        }
        let mut dist = vec![u32::MAX; all.len()];
        let mut q = VecDeque::new();
        for s in start {
            dist[s] = 0;
            q.push_back(s);
        }
        while let Some(u) = q.pop_front() {
            selected.insert(u);
            if dist[u] >= opts.depth {
                continue;
            }
            for &v in &adj[u] {
                if dist[v] == u32::MAX {
                    dist[v] = dist[u] + 1;
                    q.push_back(v);
                }
            }
        }
    }
    if !filtered {
        selected.extend(0..all.len());
    }
    let order: Vec<usize> = selected.iter().copied().collect();
    let mut ent_of: BTreeMap<usize, usize> = BTreeMap::new();
    for (e, &t) in order.iter().enumerate() {
        ent_of.insert(t, e);
    }

    let column_mode = match opts.columns {
        ColumnMode::Auto if order.len() > 30 => {
            notes.push(format!(
                "{} tables: boxes list key columns only (PK, FK, UK); pass columns=all to list every column",
                order.len()
            ));
            ColumnMode::Keys
        }
        ColumnMode::Auto => ColumnMode::All,
        m => m,
    };

    let mut entities = Vec::new();
    for &ti in &order {
        let t = all[ti];
        let uniq = unique_sets(cat, t);
        let fks = fks_with_partitions(cat, t);
        let all_attrs: Vec<Attr> = t
            .columns
            .iter()
            .map(|c| {
                let pk = t
                    .primary_key
                    .as_ref()
                    .is_some_and(|k| k.columns.iter().any(|x| cat.ident_eq(x, &c.name)));
                let fk = fks
                    .iter()
                    .any(|(f, _)| f.columns.iter().any(|x| cat.ident_eq(x, &c.name)));
                let uk = !pk
                    && uniq
                        .iter()
                        .any(|set| set.len() == 1 && cat.ident_eq(&set[0], &c.name));
                Attr {
                    name: c.name.clone(),
                    ty: display_type(&c.data_type, cat.dialect),
                    pk,
                    fk,
                    uk,
                    nullable: c.nullable,
                }
            })
            .collect();
        let inferred_cols: Vec<&str> = inferred
            .iter()
            .filter(|(ci, ..)| *ci == ti)
            .map(|(_, c, ..)| c.as_str())
            .collect();
        let attrs: Vec<Attr> = match column_mode {
            ColumnMode::All | ColumnMode::Auto => all_attrs.clone(),
            ColumnMode::Keys => all_attrs
                .iter()
                .filter(|a| {
                    a.pk || a.fk || a.uk || inferred_cols.iter().any(|c| cat.ident_eq(c, &a.name))
                })
                .cloned()
                .collect(),
            ColumnMode::None => Vec::new(),
        };
        entities.push(Entity {
            name: t.name.clone(),
            label: t.name.to_string(),
            schema: t.name.schema.clone(),
            hidden: all_attrs.len() - attrs.len(),
            all_attrs,
            attrs,
            junction: junction_fks(cat, t).is_some(),
            collapsed: false,
            comment: t.comment.clone(),
        });
    }

    // Foreign keys between drawn tables.
    let mut fk_rels = Vec::new();
    let mut outside = 0usize;
    let mut from_partitions = 0usize;
    for &ti in &order {
        let t = all[ti];
        let uniq = unique_sets(cat, t);
        for (fk, on_partitions) in fks_with_partitions(cat, t) {
            if on_partitions {
                from_partitions += 1;
            }
            let Some(pe) = idx_of(&fk.ref_table).and_then(|pi| ent_of.get(&pi).copied()) else {
                outside += 1;
                continue;
            };
            let nullable = fk
                .columns
                .iter()
                .any(|c| t.column(c).is_none_or(|col| col.nullable));
            let one_to_one = uniq.iter().any(|set| subset(cat, set, &fk.columns));
            fk_rels.push(Rel {
                child: ent_of[&ti],
                parent: pe,
                child_cols: fk.columns.clone(),
                parent_cols: fk.ref_columns.clone(),
                name: fk.name.clone(),
                child_card: if one_to_one {
                    Card::ZeroOrOne
                } else {
                    Card::ZeroOrMore
                },
                parent_card: if nullable {
                    Card::ZeroOrOne
                } else {
                    Card::ExactlyOne
                },
                kind: RelKind::ForeignKey,
                via: None,
                on_delete: fk.on_delete.clone(),
                identifying: t
                    .primary_key
                    .as_ref()
                    .is_some_and(|pk| subset(cat, &fk.columns, &pk.columns)),
            });
        }
    }
    // Tables outside the selection that reference a selected table.
    if filtered {
        for (ti, t) in all.iter().enumerate() {
            if ent_of.contains_key(&ti) {
                continue;
            }
            outside += fks_with_partitions(cat, t)
                .iter()
                .filter(|(fk, _)| idx_of(&fk.ref_table).is_some_and(|pi| ent_of.contains_key(&pi)))
                .count();
        }
    }

    // What the pictures draw.
    let mut rels = Vec::new();
    let mut collapsed = BTreeSet::new();
    if opts.collapse_junctions {
        for (e, ent) in entities.iter().enumerate() {
            if !ent.junction {
                continue;
            }
            let mine: Vec<&Rel> = fk_rels.iter().filter(|r| r.child == e).collect();
            if mine.len() != 2 || mine.iter().any(|r| r.parent == e) {
                continue;
            }
            // Referenced from elsewhere: keep the box, it is an entity of its own.
            if fk_rels.iter().any(|r| r.parent == e) {
                continue;
            }
            collapsed.insert(e);
            rels.push(Rel {
                child: mine[0].parent,
                parent: mine[1].parent,
                // Columns of the two end tables that the junction references.
                child_cols: mine[0].parent_cols.clone(),
                parent_cols: mine[1].parent_cols.clone(),
                name: ent.label.clone(),
                child_card: Card::ZeroOrMore,
                parent_card: Card::ZeroOrMore,
                kind: RelKind::ManyToMany,
                via: Some(e),
                on_delete: String::new(),
                identifying: false,
            });
        }
    }
    for e in &collapsed {
        entities[*e].collapsed = true;
    }
    for r in &fk_rels {
        if !collapsed.contains(&r.child) {
            rels.push(r.clone());
        }
    }
    for (ci, col, pi, pcol) in &inferred {
        let (Some(&ce), Some(&pe)) = (ent_of.get(ci), ent_of.get(pi)) else {
            continue;
        };
        let t = all[*ci];
        let nullable = t.column(col).is_none_or(|c| c.nullable);
        let one = unique_sets(cat, t)
            .iter()
            .any(|set| set.len() == 1 && cat.ident_eq(&set[0], col));
        rels.push(Rel {
            child: ce,
            parent: pe,
            child_cols: vec![col.clone()],
            parent_cols: vec![pcol.clone()],
            name: format!("{}.{} (inferred)", t.name.name, col),
            child_card: if one {
                Card::ZeroOrOne
            } else {
                Card::ZeroOrMore
            },
            parent_card: if nullable {
                Card::ZeroOrOne
            } else {
                Card::ExactlyOne
            },
            kind: RelKind::Inferred,
            via: None,
            on_delete: String::new(),
            identifying: false,
        });
    }
    if partitions > 0 {
        notes.push(format!(
            "{partitions} partitions are not drawn; their parent tables are"
        ));
    }
    if from_partitions > 0 {
        notes.push(format!(
            "{from_partitions} foreign keys are declared on the partitions of a partitioned table, not on the table itself; they are drawn on the partitioned table"
        ));
    }
    // Hubs: in a large drawing, a table referenced by many others turns the picture into a
    // bundle of lines; references to it are written on the column instead.
    let mut hubs = Vec::new();
    let boxes = entities.iter().filter(|e| !e.collapsed).count();
    if opts.fold_hubs && boxes > 20 {
        let threshold = 8usize.max(boxes.div_ceil(7));
        let centre: Vec<usize> = match &opts.around {
            Some(c) => entities
                .iter()
                .enumerate()
                .filter(|(_, e)| cat.table(&e.name).is_some_and(|t| matches_table(cat, c, t)))
                .map(|(i, _)| i)
                .collect(),
            None => Vec::new(),
        };
        let mut described = Vec::new();
        for (i, e) in entities.iter().enumerate() {
            let refs: BTreeSet<usize> = rels
                .iter()
                .filter(|r| r.parent == i && r.child != i)
                .map(|r| r.child)
                .collect();
            if refs.len() >= threshold && !centre.contains(&i) {
                hubs.push(i);
                described.push(format!("{} ({})", e.label, refs.len()));
            }
        }
        if !hubs.is_empty() {
            notes.push(format!(
                "referenced by many tables: {}; the SVG and ASCII pictures write references to them on the column (→ table) instead of drawing each line (fold_hubs=false draws them all)",
                described.join(", ")
            ));
        }
    }
    let mut schemas: Vec<String> = entities.iter().map(|e| e.schema.clone()).collect();
    schemas.sort();
    schemas.dedup();
    Ok(Diagram {
        entities,
        fk_rels,
        rels,
        outside_rels: outside,
        total_tables: all.len(),
        partitions,
        schemas,
        notes,
        group_by_schema: opts.group_by_schema,
        dialect: cat.dialect,
        hubs,
    })
}

/// A few table names close to `pat`, for error messages.
fn suggest(cat: &Catalog, all: &[&Table], pat: &str) -> String {
    let p = pat.to_ascii_lowercase();
    let bare = p.rsplit('.').next().unwrap_or(&p).replace('*', "");
    let mut close: Vec<String> = all
        .iter()
        .filter(|t| {
            let n = t.name.name.to_ascii_lowercase();
            !bare.is_empty() && (n.contains(&bare) || bare.contains(&n))
        })
        .map(|t| t.name.to_string())
        .collect();
    if close.is_empty() {
        close = all.iter().map(|t| t.name.to_string()).collect();
    }
    let _ = cat;
    let more = close.len().saturating_sub(8);
    close.truncate(8);
    let mut s = close.join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::DialectChoice;

    fn cat(sql: &str) -> Catalog {
        crate::catalog::from_sql(sql, DialectChoice::Postgres).unwrap()
    }

    const SHOP: &str = "
        CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);
        CREATE TABLE profiles (user_id bigint PRIMARY KEY REFERENCES users(id), bio text);
        CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id),
                             coupon_id bigint REFERENCES coupons(id));
        CREATE TABLE coupons (id bigint PRIMARY KEY);
        CREATE TABLE tags (id int PRIMARY KEY, name text);
        CREATE TABLE order_tags (order_id bigint REFERENCES orders(id), tag_id int REFERENCES tags(id),
                                 created_at timestamptz, PRIMARY KEY (order_id, tag_id));
        CREATE TABLE audit (id int PRIMARY KEY, order_id bigint);
    ";

    #[test]
    fn cardinalities_follow_keys() {
        let c = cat(SHOP);
        let d = build(&c, &ErdOptions::default()).unwrap();
        let find = |child: &str, parent: &str| {
            d.fk_rels
                .iter()
                .find(|r| {
                    d.entities[r.child].label == child && d.entities[r.parent].label == parent
                })
                .unwrap()
                .clone()
        };
        let o = find("orders", "users");
        assert_eq!(
            (o.parent_card, o.child_card),
            (Card::ExactlyOne, Card::ZeroOrMore)
        );
        let cp = find("orders", "coupons");
        assert_eq!(cp.parent_card, Card::ZeroOrOne);
        let p = find("profiles", "users");
        assert_eq!(
            (p.parent_card, p.child_card),
            (Card::ExactlyOne, Card::ZeroOrOne)
        );
        assert_eq!(p.cardinality_name(), "one-to-one");
        // order_tags is a junction: collapsed into a many-to-many line.
        let jt = d.entities.iter().find(|e| e.label == "order_tags").unwrap();
        assert!(jt.junction && jt.collapsed);
        let mm: Vec<&Rel> = d
            .rels
            .iter()
            .filter(|r| r.kind == RelKind::ManyToMany)
            .collect();
        assert_eq!(mm.len(), 1);
        assert_eq!(d.entities[mm[0].child].label, "orders");
        assert_eq!(d.entities[mm[0].parent].label, "tags");
        // DBML keeps both FKs.
        assert_eq!(d.fk_rels.len(), 5);
        assert_eq!(d.rels.len(), 4);
    }

    #[test]
    fn junction_needs_key_and_few_columns() {
        let c = cat("
            CREATE TABLE a (id int PRIMARY KEY);
            CREATE TABLE b (id int PRIMARY KEY);
            CREATE TABLE ab (a_id int REFERENCES a, b_id int REFERENCES b);
            CREATE TABLE ab2 (id serial PRIMARY KEY, a_id int REFERENCES a, b_id int REFERENCES b,
                              x int, y int, z int, UNIQUE (a_id, b_id));
            CREATE TABLE ab3 (id serial PRIMARY KEY, a_id int REFERENCES a, b_id int REFERENCES b,
                              pos int, UNIQUE (b_id, a_id));
        ");
        let d = build(&c, &ErdOptions::default()).unwrap();
        let j = |n: &str| d.entities.iter().find(|e| e.label == n).unwrap().junction;
        assert!(!j("ab"), "no key over the two FKs");
        assert!(!j("ab2"), "three payload columns");
        assert!(j("ab3"));
    }

    #[test]
    fn around_and_tables_select() {
        let c = cat(SHOP);
        let opts = ErdOptions {
            around: Some("coupons".into()),
            depth: 1,
            ..Default::default()
        };
        let d = build(&c, &opts).unwrap();
        let names: Vec<&str> = d.entities.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(names, vec!["orders", "coupons"]);
        assert_eq!(d.fk_rels.len(), 1);
        // orders → users and order_tags → orders leave the selection.
        assert_eq!(d.outside_rels, 2);
        let opts = ErdOptions {
            tables: vec!["order*".into()],
            ..Default::default()
        };
        let d = build(&c, &opts).unwrap();
        assert_eq!(d.entities.len(), 2);
        // order_tags' other end is not drawn, so it stays a box.
        assert!(d.entities.iter().all(|e| !e.collapsed));
        let err = build(
            &c,
            &ErdOptions {
                tables: vec!["userz".into()],
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("userz") && err.contains("users"), "{err}");
    }

    #[test]
    fn inferred_references_only_when_asked() {
        let c = cat(SHOP);
        let d = build(&c, &ErdOptions::default()).unwrap();
        assert!(d.rels.iter().all(|r| r.kind != RelKind::Inferred));
        let d = build(
            &c,
            &ErdOptions {
                infer: true,
                ..Default::default()
            },
        )
        .unwrap();
        let inf: Vec<&Rel> = d
            .rels
            .iter()
            .filter(|r| r.kind == RelKind::Inferred)
            .collect();
        assert_eq!(inf.len(), 1);
        assert_eq!(d.entities[inf[0].child].label, "audit");
        assert_eq!(d.entities[inf[0].parent].label, "orders");
    }

    #[test]
    fn glob_matching() {
        let c = cat("CREATE TABLE x (id int);");
        assert!(glob(&c, "ord*", "orders"));
        assert!(glob(&c, "*_tags", "order_tags"));
        assert!(glob(&c, "*", "anything"));
        assert!(!glob(&c, "ord*s", "order"));
        assert!(glob(&c, "a*b*c", "aXbYc"));
    }
}

//! Candidates, the cost model and the selection.
//!
//! Costs are in PostgreSQL planner units (seq_page_cost 1, random_page_cost 4, cpu_tuple_cost
//! 0.01, cpu_index_tuple_cost 0.005, cpu_operator_cost 0.0025) so the figures read like EXPLAIN's;
//! they are estimates of the same shape, not the planner's numbers. Each table reference of each
//! query costs the cheapest of: a sequential scan, an index scan on its own restrictions, or an
//! index lookup per outer row on a join column (nested loop). Indexes are chosen greedily over the
//! whole workload by net benefit (benefit × calls − write cost) per byte of index, within the
//! budget.

use super::stats::Estimator;
use super::workload::{Access, KeyExpr, PredOp, QueryModel, WriteKind};
use crate::catalog::{Catalog, Index, Name};
use crate::sql::Dialect;
use std::collections::{BTreeMap, BTreeSet};

const RANDOM_PAGE: f64 = 4.0;
const CPU_TUPLE: f64 = 0.01;
const CPU_INDEX_TUPLE: f64 = 0.005;
const CPU_OP: f64 = 0.0025;
/// Cost of maintaining one index entry for one written row.
pub const WRITE_ENTRY_COST: f64 = 2.0;

#[derive(Debug, Clone, PartialEq)]
pub struct ShapeKey {
    pub expr: String,
    pub column: Option<String>,
    pub desc: bool,
    pub opclass: Option<String>,
    pub prefix: Option<u64>,
}

/// An index, existing or proposed, as the cost model sees it.
#[derive(Debug, Clone)]
pub struct Shape {
    pub name: String,
    pub table: Name,
    pub keys: Vec<ShapeKey>,
    pub include: Vec<String>,
    pub predicate: Option<String>,
    /// btree, hash, gin, gist, brin, fulltext ...
    pub method: String,
    pub unique: bool,
    pub existing: bool,
    /// Why the keys are in this order (candidates).
    pub why: String,
    pub kind: Vec<&'static str>,
}

impl Shape {
    pub fn from_index(i: &Index) -> Shape {
        Shape {
            name: i.name.clone(),
            table: i.table.clone(),
            keys: i
                .keys
                .iter()
                .map(|k| ShapeKey {
                    expr: k.expr.clone(),
                    column: k.column.clone(),
                    desc: k.descending,
                    opclass: k.opclass.clone(),
                    prefix: k.prefix_length,
                })
                .collect(),
            include: i.include.clone(),
            predicate: i.predicate.clone(),
            method: i.method.to_ascii_lowercase(),
            unique: i.unique,
            existing: true,
            why: String::new(),
            kind: Vec::new(),
        }
    }

    /// Identity of the shape for de-duplication.
    pub fn signature(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.table,
            self.method,
            self.keys
                .iter()
                .map(|k| format!(
                    "{}{}{}",
                    norm(&k.expr),
                    if k.desc { " desc" } else { "" },
                    k.opclass.as_deref().unwrap_or("")
                ))
                .collect::<Vec<_>>()
                .join(","),
            self.include.join(","),
            self.predicate.as_deref().map(norm).unwrap_or_default()
        )
    }
}

/// Compare expressions ignoring case, spaces, quotes and redundant parentheses.
pub fn norm(s: &str) -> String {
    let mut t: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"' && *c != '`')
        .flat_map(|c| c.to_lowercase())
        .collect();
    while t.starts_with('(') && t.ends_with(')') && balanced(&t[1..t.len() - 1]) {
        t = t[1..t.len() - 1].to_string();
    }
    t
}

fn balanced(s: &str) -> bool {
    let mut d = 0i32;
    for c in s.chars() {
        match c {
            '(' => d += 1,
            ')' => {
                d -= 1;
                if d < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    d == 0
}

fn key_matches(k: &ShapeKey, e: &KeyExpr) -> bool {
    match (&k.column, &e.column) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => norm(&k.expr) == norm(&e.expr),
    }
}

/// Cost of one access through one index, per lookup; `None` when the index cannot serve it.
/// `join`: use the join predicates as equality parameters (inner side of a nested loop).
pub struct CostModel<'a> {
    pub est: &'a Estimator<'a>,
    pub dialect: Dialect,
    /// `outer_rows` per (query text, access): the selection asks for it many times.
    pub outer_cache: std::cell::RefCell<std::collections::HashMap<(String, usize), Vec<f64>>>,
}

impl<'a> CostModel<'a> {
    pub fn new(est: &'a Estimator<'a>, dialect: Dialect) -> Self {
        CostModel {
            est,
            dialect,
            outer_cache: Default::default(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct AccessCost {
    pub cost: f64,
    pub index: Option<usize>,
}

impl<'a> CostModel<'a> {
    fn pred_sel(&self, acc: &Access, p: &super::workload::Pred) -> f64 {
        let t = &acc.table;
        let col = p.key.column.as_deref();
        match p.op {
            PredOp::Eq => self.est.eq_sel(t, col),
            PredOp::In(n) => (self.est.eq_sel(t, col) * n as f64).min(1.0),
            PredOp::Range => self.est.range_sel(false),
            PredOp::Between => self.est.range_sel(true),
            PredOp::Prefix
            | PredOp::Contains
            | PredOp::JsonContains
            | PredOp::JsonKey
            | PredOp::ArrayOverlap
            | PredOp::FullText
            | PredOp::MatchAgainst => self.est.match_sel(),
            PredOp::IsNull => self.est.null_frac(t, col).max(1.0 / self.est.rows(t)),
            PredOp::IsNotNull => 1.0 - self.est.null_frac(t, col),
            PredOp::NotEq => 1.0 - self.est.eq_sel(t, col),
            PredOp::Bool => self.est.eq_sel(t, col),
        }
    }

    /// Selectivity of the access's own (non-join) restrictions.
    pub fn filter_sel(&self, acc: &Access) -> f64 {
        acc.preds
            .iter()
            .filter(|p| p.join_with.is_none())
            .map(|p| self.pred_sel(acc, p))
            .product::<f64>()
            .max(1.0 / self.est.rows(&acc.table))
    }

    pub fn seq_cost(&self, acc: &Access) -> f64 {
        let rows = self.est.rows(&acc.table);
        let n = acc.preds.iter().filter(|p| p.join_with.is_none()).count() as f64;
        self.est.pages(&acc.table) + rows * (CPU_TUPLE + CPU_OP * n)
    }

    fn covers(&self, acc: &Access, s: &Shape) -> bool {
        if acc.star || s.method != "btree" {
            return false;
        }
        let mut have: BTreeSet<String> = s
            .keys
            .iter()
            .filter_map(|k| k.column.as_ref().map(|c| c.to_ascii_lowercase()))
            .collect();
        if s.keys.iter().any(|k| k.prefix.is_some()) {
            return false;
        }
        have.extend(s.include.iter().map(|c| c.to_ascii_lowercase()));
        // PostgreSQL 9.6+: columns only the index predicate tests need not be stored.
        if let Some(p) = &s.predicate {
            let np = norm(p);
            for pr in &acc.preds {
                if norm(&pr.text) == np
                    && let Some(c) = &pr.key.column
                {
                    have.insert(c.to_ascii_lowercase());
                }
            }
        }
        if self.dialect == Dialect::Mysql
            && let Some(pk) = self
                .est
                .table(&acc.table)
                .and_then(|t| t.primary_key.as_ref())
        {
            have.extend(pk.columns.iter().map(|c| c.to_ascii_lowercase()));
        }
        acc.columns
            .iter()
            .all(|c| have.contains(&c.to_ascii_lowercase()))
    }

    /// Per-lookup cost of `acc` through `s`.
    pub fn index_cost(&self, acc: &Access, s: &Shape, join: bool) -> Option<f64> {
        self.index_cost_from(acc, s, if join { Lookup::Any } else { Lookup::None })
    }

    /// The cost of one read of `acc` through `s`; with `Lookup::From(j)`, one lookup per row of
    /// access `j`, where only the join predicates to `j` give key values (a lookup from the
    /// keyword table cannot use an index on the movie column).
    pub fn index_cost_from(&self, acc: &Access, s: &Shape, lookup: Lookup) -> Option<f64> {
        let rows = self.est.rows(&acc.table);
        let pages = self.est.pages(&acc.table);
        let join = lookup != Lookup::None;
        let usable = |p: &&super::workload::Pred| match (lookup, p.join_with) {
            (_, None) => true,
            (Lookup::None, Some(_)) => false,
            (Lookup::Any, Some(_)) => true,
            (Lookup::From(j), Some(w)) => j == w,
        };
        let mut sel_partial = 1.0;
        if let Some(pred) = &s.predicate {
            let np = norm(pred);
            let p = acc
                .preds
                .iter()
                .find(|p| p.join_with.is_none() && norm(&p.text) == np)?;
            sel_partial = self.pred_sel(acc, p);
        }
        let mut sel = sel_partial;
        let mut matched = 0usize;
        let mut eq_prefix = 0usize;
        let mut used_join = false;
        match s.method.as_str() {
            "btree" | "hash" => {
                for (i, k) in s.keys.iter().enumerate() {
                    let cands: Vec<_> = acc
                        .preds
                        .iter()
                        .filter(usable)
                        .filter(|p| key_matches(k, &p.key))
                        .collect();
                    if let Some(p) = cands.iter().find(|p| p.op.is_equality()) {
                        sel *= self.pred_sel(acc, p);
                        matched += 1;
                        eq_prefix = i + 1;
                        used_join |= p.join_with.is_some();
                        continue;
                    }
                    if s.method == "btree"
                        && let Some(p) = cands.iter().find(|p| {
                            p.op.is_range()
                                && !(p.op == PredOp::Prefix
                                    && (self.dialect == Dialect::Sqlite
                                        || (self.dialect == Dialect::Postgres
                                            && k.opclass.is_none()
                                            && !self.c_collation())))
                        })
                    {
                        sel *= self.pred_sel(acc, p);
                        matched += 1;
                    }
                    break;
                }
                if s.method == "hash" && matched < s.keys.len() {
                    return None;
                }
            }
            "gin" | "fulltext" | "gist" => {
                for k in &s.keys {
                    let p = acc
                        .preds
                        .iter()
                        .filter(usable)
                        .find(|p| p.op.is_inverted() && inverted_ok(self.dialect, s, k, p))?;
                    sel *= self.pred_sel(acc, p);
                    matched += 1;
                }
            }
            _ => return None,
        }
        if join && !used_join {
            return None;
        }
        // Order: the keys after the equality prefix give the ORDER BY (or GROUP BY).
        let order: Vec<(KeyExpr, bool)> = if !acc.order.is_empty() {
            acc.order.clone()
        } else {
            acc.group.iter().map(|k| (k.clone(), false)).collect()
        };
        let ordered = s.method == "btree"
            && !order.is_empty()
            && s.keys.len() >= eq_prefix + order.len()
            && {
                let rest = &s.keys[eq_prefix..eq_prefix + order.len()];
                let same = rest
                    .iter()
                    .zip(&order)
                    .all(|(k, (e, d))| key_matches(k, e) && k.desc == *d);
                let reversed = rest
                    .iter()
                    .zip(&order)
                    .all(|(k, (e, d))| key_matches(k, e) && k.desc != *d);
                same || (reversed && !acc.order.is_empty())
            };
        if matched == 0 && s.predicate.is_none() && !(ordered && acc.limit.is_some()) {
            return None;
        }
        let out_all = (rows * self.filter_sel(acc)).max(1.0);
        let mut fetched = (rows * sel).max(1.0);
        if ordered && let Some(l) = acc.limit {
            // Stop after LIMIT rows that pass the remaining filters.
            let pass = (out_all / fetched).clamp(1e-6, 1.0);
            fetched = fetched.min(l as f64 / pass).max(1.0);
        }
        let key_w: f64 = s
            .keys
            .iter()
            .map(|k| match &k.column {
                Some(c) => self.est.width(&acc.table, c),
                None => 16.0,
            })
            .sum::<f64>()
            + 16.0;
        let index_pages = (fetched * key_w / 8192.0).max(1.0);
        let descent = (rows.max(2.0)).log2() * CPU_OP * 2.0 + RANDOM_PAGE;
        let heap = if self.covers(acc, s) && self.dialect != Dialect::Sqlite {
            0.0
        } else if ordered && acc.limit.is_some() {
            // Plain index scan in index order: one random page per row.
            fetched.min(pages) * RANDOM_PAGE
        } else {
            // Bitmap heap scan (PostgreSQL's interpolation): pages fetched once each, cheaper
            // per page the larger the share of the table.
            let pf = pages * (1.0 - (-fetched / pages).exp());
            let per_page = RANDOM_PAGE - (RANDOM_PAGE - 1.0) * (pf / pages).sqrt();
            (pf * per_page).min(fetched * RANDOM_PAGE)
        };
        let residual = acc.preds.len().saturating_sub(matched) as f64 * CPU_OP * fetched;
        let mut cost =
            descent + index_pages + heap + fetched * (CPU_INDEX_TUPLE + CPU_TUPLE) + residual;
        if !order.is_empty() && !ordered && !join {
            let out = (fetched * (out_all / (rows * sel)).min(1.0)).max(1.0);
            cost += sort_cost(out);
        }
        Some(cost)
    }

    fn c_collation(&self) -> bool {
        false
    }

    /// Cheapest way to read `acc` given indexes `shapes` (indices into it listed in `avail`).
    pub fn access_cost(
        &self,
        q: &QueryModel,
        ai: usize,
        shapes: &[Shape],
        avail: &[usize],
    ) -> AccessCost {
        let acc = &q.accesses[ai];
        let mut best = AccessCost {
            cost: self.seq_cost(acc) + self.sort_if_needed(acc),
            index: None,
        };
        for &i in avail {
            if let Some(c) = self.index_cost(acc, &shapes[i], false)
                && c < best.cost
            {
                best = AccessCost {
                    cost: c,
                    index: Some(i),
                };
            }
        }
        // Nested loop: one lookup per row of a joined access, through the join columns to that
        // access only.
        let mut partners: Vec<usize> = acc.preds.iter().filter_map(|p| p.join_with).collect();
        partners.sort_unstable();
        partners.dedup();
        if partners.is_empty() {
            return best;
        }
        let key = (q.text.clone(), ai);
        let cached = self.outer_cache.borrow().get(&key).cloned();
        let eff = match cached {
            Some(e) => e,
            None => {
                let e = self.outer_rows(q, ai);
                self.outer_cache.borrow_mut().insert(key, e.clone());
                e
            }
        };
        for j in partners {
            let Some(&outer) = eff.get(j) else { continue };
            for &i in avail {
                if let Some(c) = self.index_cost_from(acc, &shapes[i], Lookup::From(j)) {
                    let total = c * outer;
                    if total < best.cost {
                        best = AccessCost {
                            cost: total,
                            index: Some(i),
                        };
                    }
                }
            }
        }
        best
    }

    /// Rows each other access of `q` can deliver to a nested loop over access `skip`: its own
    /// filtered rows, or fewer when it is reached through a selective join of the rest of the
    /// query (keyword filtered to one row → its movie_keyword rows → their titles), relaxed over
    /// the join graph without `skip`. Each join row of `b` from a row of `a` on column c is
    /// rows(b) × sel(b.c = ?) × filter(b).
    fn outer_rows(&self, q: &QueryModel, skip: usize) -> Vec<f64> {
        let own: Vec<f64> = q
            .accesses
            .iter()
            .map(|o| (self.est.rows(&o.table) * self.filter_sel(o)).max(1.0))
            .collect();
        let mut eff = own.clone();
        for _ in 0..q.accesses.len() {
            let mut changed = false;
            for (b, ob) in q.accesses.iter().enumerate() {
                if b == skip {
                    continue;
                }
                for p in &ob.preds {
                    let Some(a) = p.join_with else { continue };
                    if a == skip || a >= eff.len() || !p.op.is_equality() {
                        continue;
                    }
                    let per_row = self.est.rows(&ob.table) * self.pred_sel(ob, p) * own[b]
                        / self.est.rows(&ob.table).max(1.0);
                    let v = (eff[a] * per_row).max(1.0);
                    if v < eff[b] {
                        eff[b] = v;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        eff
    }

    fn sort_if_needed(&self, acc: &Access) -> f64 {
        if acc.order.is_empty() && acc.group.is_empty() {
            return 0.0;
        }
        sort_cost((self.est.rows(&acc.table) * self.filter_sel(acc)).max(1.0))
    }
}

/// How an access is read: on its own, or once per row of a joined access (nested loop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// Scanned on its own: join predicates give no key values.
    None,
    /// Looked up from any joined access (whether an index can serve lookups at all).
    Any,
    /// Looked up once per row of access `j`: only the join predicates to `j` give key values.
    From(usize),
}

fn sort_cost(n: f64) -> f64 {
    n * n.max(2.0).log2() * CPU_OP * 2.0
}

fn inverted_ok(d: Dialect, s: &Shape, k: &ShapeKey, p: &super::workload::Pred) -> bool {
    let same = key_matches(k, &p.key);
    let ops = k.opclass.as_deref().unwrap_or("");
    match (d, s.method.as_str(), p.op) {
        (Dialect::Mysql, "fulltext", PredOp::MatchAgainst) => {
            let want: BTreeSet<String> = p.extra.iter().map(|c| c.to_ascii_lowercase()).collect();
            let have: BTreeSet<String> = s
                .keys
                .iter()
                .filter_map(|k| k.column.as_ref().map(|c| c.to_ascii_lowercase()))
                .collect();
            want == have
        }
        (Dialect::Postgres, "gin", PredOp::Contains | PredOp::Prefix) => {
            same && ops.contains("trgm")
        }
        (Dialect::Postgres, "gin", PredOp::JsonContains) => same,
        (Dialect::Postgres, "gin", PredOp::JsonKey) => same && ops != "jsonb_path_ops",
        (Dialect::Postgres, "gin", PredOp::ArrayOverlap) => same,
        (Dialect::Postgres, "gin", PredOp::FullText) => {
            // `to_tsvector('english', body) @@ q`: the key is the tsvector expression.
            let lhs = p.text.split("@@").next().unwrap_or("");
            norm(lhs) == norm(&k.expr) || same
        }
        _ => false,
    }
}

/// The budget of the selection.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub per_table: Option<usize>,
    pub total: Option<usize>,
    pub bytes: Option<f64>,
}

/// Writes per table in the period of the workload's calls.
#[derive(Debug, Clone, Default)]
pub struct Writes {
    pub inserts: f64,
    pub updates: f64,
    pub deletes: f64,
    /// Updated columns (lower case) and how many updates assign each.
    pub updated: BTreeMap<String, f64>,
}

/// A chosen candidate with its figures.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub shape: usize,
    pub benefit: f64,
    pub write_cost: f64,
    pub bytes: f64,
    pub hot_blocked: Vec<String>,
}

pub struct Selection {
    pub chosen: Vec<Chosen>,
    /// Candidates with a benefit that were not taken, and why.
    pub rejected: Vec<(usize, String)>,
    /// Per query, per access: cost before and after, and the serving index.
    pub before: Vec<Vec<AccessCost>>,
    pub after: Vec<Vec<AccessCost>>,
}

/// Estimated size of an index in bytes: rows × (key width + tuple overhead) / fill factor.
pub fn index_bytes(est: &Estimator, cm: &CostModel, s: &Shape, queries: &[QueryModel]) -> f64 {
    let rows = est.rows(&s.table);
    let mut frac = 1.0;
    if let Some(p) = &s.predicate {
        // The fraction of rows the partial index keeps: the selectivity of its predicate.
        let np = norm(p);
        for q in queries {
            for a in &q.accesses {
                if a.table == s.table
                    && let Some(pr) = a.preds.iter().find(|x| norm(&x.text) == np)
                {
                    frac = cm.pred_sel(a, pr);
                }
            }
        }
    }
    let width: f64 = s
        .keys
        .iter()
        .map(|k| match (&k.column, k.prefix) {
            (_, Some(p)) => p as f64,
            (Some(c), None) => est.width(&s.table, c),
            (None, None) => 16.0,
        })
        .sum::<f64>()
        + s.include
            .iter()
            .map(|c| est.width(&s.table, c))
            .sum::<f64>();
    let per = match s.method.as_str() {
        // GIN/FULLTEXT: one entry per token; a few per row.
        "gin" | "fulltext" => width.max(8.0) * 0.5 + 16.0,
        _ => width + 8.0 + 6.0 + 2.0,
    };
    ((rows * frac).max(1.0) * per / 0.9).max(8192.0)
}

/// Write maintenance cost of a new index, and the updated columns it would take HOT away from.
pub fn write_cost(
    d: Dialect,
    s: &Shape,
    w: Option<&Writes>,
    existing_cols: &BTreeSet<String>,
    existing_count: usize,
) -> (f64, Vec<String>) {
    let Some(w) = w else {
        return (0.0, Vec::new());
    };
    let mut cols: BTreeSet<String> = s
        .keys
        .iter()
        .flat_map(|k| match &k.column {
            Some(c) => vec![c.to_ascii_lowercase()],
            None => k
                .expr
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .map(|x| x.to_ascii_lowercase())
                .collect(),
        })
        .collect();
    cols.extend(s.include.iter().map(|c| c.to_ascii_lowercase()));
    if let Some(p) = &s.predicate {
        cols.extend(
            p.split(|c: char| !c.is_alphanumeric() && c != '_')
                .map(|x| x.to_ascii_lowercase()),
        );
    }
    let touched: f64 = w
        .updated
        .iter()
        .filter(|(c, _)| cols.contains(*c))
        .map(|(_, n)| *n)
        .sum();
    let mut cost = (w.inserts + w.deletes) * WRITE_ENTRY_COST;
    let mut hot = Vec::new();
    if d == Dialect::Postgres {
        // Every update that is not HOT writes a new entry in every index; an update is HOT only
        // while no indexed column changes.
        let newly: Vec<String> = w
            .updated
            .keys()
            .filter(|c| cols.contains(*c) && !existing_cols.contains(*c))
            .cloned()
            .collect();
        let newly_n: f64 = w
            .updated
            .iter()
            .filter(|(c, _)| newly.contains(c))
            .map(|(_, n)| *n)
            .sum::<f64>()
            .min(w.updates);
        cost += touched.min(w.updates) * WRITE_ENTRY_COST;
        cost += newly_n * WRITE_ENTRY_COST * existing_count as f64;
        hot = newly;
    } else {
        cost += touched.min(w.updates) * WRITE_ENTRY_COST * 2.0;
    }
    (cost, hot)
}

/// Writes per table from the workload's DML and the given write mix.
pub fn workload_writes(
    queries: &[QueryModel],
    given: &BTreeMap<String, Writes>,
    cm: &CostModel,
) -> BTreeMap<String, Writes> {
    let mut out = given.clone();
    for q in queries {
        for w in &q.writes {
            let e = out.entry(w.table.name.to_ascii_lowercase()).or_default();
            // Rows per statement: from the statement's own restrictions.
            let rows = q
                .accesses
                .iter()
                .find(|a| a.table == w.table)
                .map(|a| (cm.est.rows(&a.table) * cm.filter_sel(a)).max(1.0))
                .unwrap_or(1.0);
            let n = q.calls * rows;
            match w.kind {
                WriteKind::Insert => e.inserts += q.calls,
                WriteKind::Delete => e.deletes += n,
                WriteKind::Update => {
                    e.updates += n;
                    for c in &w.columns {
                        *e.updated.entry(c.to_ascii_lowercase()).or_default() += n;
                    }
                }
            }
        }
    }
    out
}

/// Greedy selection over the whole workload.
#[allow(clippy::too_many_arguments)]
pub fn select(
    cm: &CostModel,
    queries: &[QueryModel],
    shapes: &[Shape],
    existing: &[usize],
    candidates: &[usize],
    writes: &BTreeMap<String, Writes>,
    limits: &Limits,
    cat: Option<&Catalog>,
) -> Selection {
    // Accesses per table, so a candidate is only costed where it can matter.
    let mut by_table: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for (qi, q) in queries.iter().enumerate() {
        for ai in 0..q.accesses.len() {
            by_table
                .entry(q.accesses[ai].table.to_string())
                .or_default()
                .push((qi, ai));
        }
    }
    let table_existing = |t: &Name| -> Vec<usize> {
        existing
            .iter()
            .copied()
            .filter(|&i| shapes[i].table.to_string() == t.to_string())
            .collect()
    };
    let mut avail_by_table: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let before: Vec<Vec<AccessCost>> = queries
        .iter()
        .map(|q| {
            (0..q.accesses.len())
                .map(|ai| {
                    let t = &q.accesses[ai].table;
                    let av = avail_by_table
                        .entry(t.to_string())
                        .or_insert_with(|| table_existing(t))
                        .clone();
                    cm.access_cost(q, ai, shapes, &av)
                })
                .collect()
        })
        .collect();
    let mut cur = before.clone();
    let total_before: f64 = queries
        .iter()
        .zip(&before)
        .map(|(q, v)| q.calls * v.iter().map(|c| c.cost).sum::<f64>())
        .sum();
    let min_gain = (total_before * 0.001).max(1.0);
    let mut chosen: Vec<Chosen> = Vec::new();
    let mut rejected: Vec<(usize, String)> = Vec::new();
    let mut remaining: Vec<usize> = candidates.to_vec();
    let mut per_table: BTreeMap<String, usize> = BTreeMap::new();
    let mut bytes_used = 0.0;
    let sizes: BTreeMap<usize, f64> = candidates
        .iter()
        .map(|&c| (c, index_bytes(cm.est, cm, &shapes[c], queries)))
        .collect();
    // A candidate's cost for an access does not depend on what else is chosen (the access
    // takes the cheapest option), so each (candidate, access) pair is costed once.
    let with: BTreeMap<usize, Vec<(usize, usize, AccessCost)>> = candidates
        .iter()
        .map(|&c| {
            let tkey = shapes[c].table.to_string();
            let v = by_table
                .get(&tkey)
                .map(|v| v.as_slice())
                .unwrap_or(&[])
                .iter()
                .map(|&(qi, ai)| (qi, ai, cm.access_cost(&queries[qi], ai, shapes, &[c])))
                .filter(|x| x.2.index == Some(c))
                .collect();
            (c, v)
        })
        .collect();
    loop {
        let mut best: Option<(usize, f64, f64, f64, Vec<String>, f64)> = None;
        for &c in &remaining {
            let s = &shapes[c];
            let tkey = s.table.to_string();
            let mut gain = 0.0;
            for &(qi, ai, nc) in &with[&c] {
                let old = cur[qi][ai].cost;
                if nc.cost < old {
                    gain += (old - nc.cost) * queries[qi].calls;
                }
            }
            if gain <= 0.0 {
                continue;
            }
            let existing_cols: BTreeSet<String> = avail_by_table
                .get(&tkey)
                .into_iter()
                .flatten()
                .flat_map(|&i| {
                    shapes[i]
                        .keys
                        .iter()
                        .filter_map(|k| k.column.clone())
                        .chain(shapes[i].include.iter().cloned())
                        .map(|c| c.to_ascii_lowercase())
                        .collect::<Vec<_>>()
                })
                .collect();
            let n_existing = avail_by_table.get(&tkey).map_or(0, Vec::len) + 1;
            let (wc, hot) = write_cost(
                cm.dialect,
                s,
                writes.get(&s.table.name.to_ascii_lowercase()),
                &existing_cols,
                n_existing,
            );
            let net = gain - wc;
            let size = sizes[&c];
            // Benefit per byte, unless only a count limits the choice: then the benefit.
            let score = if limits.total.is_some() && limits.bytes.is_none() {
                net
            } else {
                net / size
            };
            if net < min_gain {
                continue;
            }
            if best.as_ref().is_none_or(|b| score > b.1) {
                best = Some((c, score, gain, wc, hot, size));
            }
        }
        let Some((c, _, gain, wc, hot, size)) = best else {
            break;
        };
        remaining.retain(|&x| x != c);
        let tkey = shapes[c].table.to_string();
        let n_t = per_table.get(&tkey).copied().unwrap_or(0);
        if limits.per_table.is_some_and(|m| n_t >= m) {
            rejected.push((
                c,
                format!(
                    "over the budget of {} new indexes on {}",
                    limits.per_table.unwrap_or(0),
                    shapes[c].table
                ),
            ));
            continue;
        }
        if limits.total.is_some_and(|m| chosen.len() >= m) {
            rejected.push((c, "over the budget of new indexes in total".into()));
            continue;
        }
        if limits.bytes.is_some_and(|m| bytes_used + size > m) {
            rejected.push((c, "over the byte budget".into()));
            continue;
        }
        bytes_used += size;
        *per_table.entry(tkey.clone()).or_default() += 1;
        avail_by_table.entry(tkey.clone()).or_default().push(c);
        for &(qi, ai, nc) in &with[&c] {
            if nc.cost < cur[qi][ai].cost {
                cur[qi][ai] = nc;
            }
        }
        chosen.push(Chosen {
            shape: c,
            benefit: gain,
            write_cost: wc,
            bytes: size,
            hot_blocked: hot,
        });
        // Prune: an index a later, better one superseded serves nothing any more; its budget
        // is freed and its benefit moves to the index that now serves its accesses.
        loop {
            let used: BTreeSet<usize> = cur
                .iter()
                .flat_map(|v| v.iter().filter_map(|c| c.index))
                .collect();
            let Some(pos) = chosen.iter().position(|c| !used.contains(&c.shape)) else {
                break;
            };
            let gone = chosen.remove(pos);
            let tkey = shapes[gone.shape].table.to_string();
            bytes_used -= gone.bytes;
            if let Some(n) = per_table.get_mut(&tkey) {
                *n = n.saturating_sub(1);
            }
            if let Some(v) = avail_by_table.get_mut(&tkey) {
                v.retain(|&x| x != gone.shape);
            }
            for &(qi, ai) in by_table.get(&tkey).map(|v| v.as_slice()).unwrap_or(&[]) {
                let av = avail_by_table.get(&tkey).cloned().unwrap_or_default();
                cur[qi][ai] = cm.access_cost(&queries[qi], ai, shapes, &av);
            }
            if let Some(c) = chosen
                .iter_mut()
                .rev()
                .find(|c| shapes[c.shape].table.to_string() == tkey)
            {
                c.benefit += gone.benefit;
                for h in gone.hot_blocked {
                    if !c.hot_blocked.contains(&h) {
                        c.hot_blocked.push(h);
                    }
                }
            }
        }
    }
    let _ = cat;
    Selection {
        chosen,
        rejected,
        before,
        after: cur,
    }
}

/// Whether any access of the workload can use an existing index at all.
pub fn usable_by_workload(cm: &CostModel, queries: &[QueryModel], s: &Shape) -> bool {
    queries.iter().any(|q| {
        q.accesses.iter().any(|a| {
            a.table == s.table
                && (cm.index_cost(a, s, false).is_some() || cm.index_cost(a, s, true).is_some())
        })
    })
}

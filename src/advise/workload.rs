//! The workload model: what each query asks of each table, read from the sqlparser AST.
//!
//! Per SELECT block (the top query, CTEs, derived tables and subqueries each form one), every
//! table reference becomes an [`Access`]: the predicates on its columns (equality, IN, ranges,
//! LIKE, IS NULL, jsonb/array/full-text operators, MySQL MATCH … AGAINST), its join columns, the
//! ORDER BY and GROUP BY keys that belong to it alone, and every column the query reads from it
//! (for covering indexes). UPDATE/DELETE/INSERT statements become writes, with the columns an
//! UPDATE assigns (they decide PostgreSQL HOT updates).
//!
//! Columns are resolved through aliases and, for unqualified names in a join, through the
//! catalog. Kept deliberately small: the index advisor needs access paths, not semantics.

use crate::catalog::{Catalog, Name};
use crate::findings::Span;
use crate::sql::{Dialect, Stmt};
use sqlparser::ast::{
    self, BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr,
    JoinConstraint, JoinOperator, ObjectName, OrderByKind, SelectItem, SetExpr, Spanned,
    TableFactor, UnaryOperator, Value,
};
use std::collections::BTreeSet;
use std::ops::ControlFlow;

/// An index key as the workload uses it: a plain column, or an expression over one table's
/// columns (rendered without table qualifiers, e.g. `lower(email)`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyExpr {
    pub column: Option<String>,
    pub expr: String,
    /// Columns the expression reads.
    pub reads: Vec<String>,
}

impl KeyExpr {
    fn col(c: &str) -> Self {
        KeyExpr {
            column: Some(c.to_string()),
            expr: c.to_string(),
            reads: vec![c.to_string()],
        }
    }
}

/// How a predicate restricts a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PredOp {
    Eq,
    /// IN list of n values (or an OR of equalities on one key).
    In(usize),
    /// `<`, `<=`, `>`, `>=`.
    Range,
    Between,
    /// `LIKE 'abc%'`.
    Prefix,
    /// `LIKE '%abc%'`, `ILIKE`: only a trigram index helps (PostgreSQL).
    Contains,
    IsNull,
    IsNotNull,
    NotEq,
    /// `col = true`, `col`, `NOT col`.
    Bool,
    /// jsonb `@>` / `<@`.
    JsonContains,
    /// jsonb `?`, `?|`, `?&`.
    JsonKey,
    /// array `&&` / `@>`.
    ArrayOverlap,
    /// `to_tsvector(...) @@ query`.
    FullText,
    /// MySQL `MATCH (cols) AGAINST (...)`.
    MatchAgainst,
}

impl PredOp {
    /// Usable as a leading equality key of a B-tree.
    pub fn is_equality(self) -> bool {
        matches!(
            self,
            PredOp::Eq | PredOp::In(_) | PredOp::IsNull | PredOp::Bool
        )
    }
    /// Usable as the last (range) key of a B-tree.
    pub fn is_range(self) -> bool {
        matches!(self, PredOp::Range | PredOp::Between | PredOp::Prefix)
    }
    /// Needs GIN (PostgreSQL) or FULLTEXT (MySQL).
    pub fn is_inverted(self) -> bool {
        matches!(
            self,
            PredOp::Contains
                | PredOp::JsonContains
                | PredOp::JsonKey
                | PredOp::ArrayOverlap
                | PredOp::FullText
                | PredOp::MatchAgainst
        )
    }
}

/// One restriction of an access.
#[derive(Debug, Clone)]
pub struct Pred {
    pub key: KeyExpr,
    pub op: PredOp,
    /// The value is a literal (not a parameter or another column): a partial index can use it.
    pub constant: bool,
    /// Join predicate: the value is a column of another table of the same query.
    pub join_with: Option<usize>,
    /// The predicate as written without table qualifiers (the WHERE of a partial index).
    pub text: String,
    /// The full-text configuration / MATCH columns etc.
    pub extra: Vec<String>,
    pub span: Option<Span>,
}

/// One table reference of one SELECT block (or the target of an UPDATE/DELETE).
#[derive(Debug, Clone)]
pub struct Access {
    pub table: Name,
    pub alias: String,
    pub preds: Vec<Pred>,
    /// ORDER BY keys (key, descending) when every ORDER BY item is this table's.
    pub order: Vec<(KeyExpr, bool)>,
    /// GROUP BY keys when every item is this table's.
    pub group: Vec<KeyExpr>,
    /// Every column read from this table.
    pub columns: BTreeSet<String>,
    /// `*` or `t.*` was selected: no index covers it.
    pub star: bool,
    pub limit: Option<u64>,
    /// Accesses of the same block (indexes into the query's `accesses`) this one joins.
    pub block: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Insert,
    Update,
    Delete,
}

#[derive(Debug, Clone)]
pub struct WriteEffect {
    pub table: Name,
    pub kind: WriteKind,
    /// Columns an UPDATE assigns.
    pub columns: Vec<String>,
}

/// One workload statement.
#[derive(Debug, Clone)]
pub struct QueryModel {
    pub text: String,
    pub calls: f64,
    pub span: Option<Span>,
    pub accesses: Vec<Access>,
    pub writes: Vec<WriteEffect>,
    /// Placeholders (`$1`, `?`) appear: a live EXPLAIN needs values.
    pub has_params: bool,
    pub notes: Vec<String>,
}

struct ScopeEntry {
    alias: String,
    table: Name,
    access: usize,
}

struct Ctx<'a> {
    cat: Option<&'a Catalog>,
    dialect: Dialect,
    stmt: &'a Stmt,
    q: QueryModel,
    block_counter: usize,
}

/// Build the model of one parsed statement.
pub fn model_statement(
    stmt: &Stmt,
    calls: f64,
    cat: Option<&Catalog>,
    dialect: Dialect,
) -> Option<QueryModel> {
    let parsed = stmt.parsed()?;
    let mut cx = Ctx {
        cat,
        dialect,
        stmt,
        q: QueryModel {
            text: stmt.text.trim().to_string(),
            calls,
            span: Some(stmt.span.clone()),
            accesses: Vec::new(),
            writes: Vec::new(),
            has_params: false,
            notes: Vec::new(),
        },
        block_counter: 0,
    };
    let _ = ast::visit_expressions(parsed, |e: &Expr| {
        if let Expr::Value(v) = e
            && matches!(v.value, Value::Placeholder(_))
        {
            cx.q.has_params = true;
        }
        ControlFlow::<()>::Continue(())
    });
    match parsed {
        ast::Statement::Query(q) => cx.query(q, &[]),
        ast::Statement::Update(u) => {
            let mut scope = Vec::new();
            cx.table_with_joins(&u.table, &mut scope);
            if let Some(
                ast::UpdateTableFromKind::BeforeSet(f) | ast::UpdateTableFromKind::AfterSet(f),
            ) = &u.from
            {
                for t in f {
                    cx.table_with_joins(t, &mut scope);
                }
            }
            if let Some(target) = scope.first() {
                let table = target.table.clone();
                let mut cols = Vec::new();
                for a in &u.assignments {
                    let names: Vec<&ObjectName> = match &a.target {
                        ast::AssignmentTarget::ColumnName(n) => vec![n],
                        ast::AssignmentTarget::Tuple(v) => v.iter().collect(),
                    };
                    for n in names {
                        if let Some(last) = last_ident(n) {
                            cols.push(cx.fold(&last));
                        }
                    }
                    cx.reads(&a.value, &scope, &[]);
                }
                cx.q.writes.push(WriteEffect {
                    table,
                    kind: WriteKind::Update,
                    columns: cols,
                });
            }
            if let Some(w) = &u.selection {
                cx.where_clause(w, &scope, &[]);
            }
        }
        ast::Statement::Delete(d) => {
            let mut scope = Vec::new();
            let from = match &d.from {
                ast::FromTable::WithFromKeyword(v) | ast::FromTable::WithoutKeyword(v) => v,
            };
            for t in from {
                cx.table_with_joins(t, &mut scope);
            }
            if let Some(using) = &d.using {
                for t in using {
                    cx.table_with_joins(t, &mut scope);
                }
            }
            if let Some(target) = scope.first() {
                cx.q.writes.push(WriteEffect {
                    table: target.table.clone(),
                    kind: WriteKind::Delete,
                    columns: Vec::new(),
                });
            }
            if let Some(w) = &d.selection {
                cx.where_clause(w, &scope, &[]);
            }
        }
        ast::Statement::Insert(i) => {
            if let ast::TableObject::TableName(n) = &i.table {
                let table = cx.resolve_table(n);
                cx.q.writes.push(WriteEffect {
                    table,
                    kind: WriteKind::Insert,
                    columns: Vec::new(),
                });
            }
            if let Some(src) = &i.source {
                cx.query(src, &[]);
            }
        }
        _ => return None,
    }
    Some(cx.q)
}

fn last_ident(n: &ObjectName) -> Option<String> {
    n.0.last()
        .and_then(|p| p.as_ident())
        .map(|i| i.value.clone())
}

impl<'a> Ctx<'a> {
    fn fold(&self, s: &str) -> String {
        if self.dialect == Dialect::Postgres {
            s.to_lowercase()
        } else {
            s.to_string()
        }
    }

    fn ident(&self, i: &ast::Ident) -> String {
        if i.quote_style.is_some() {
            i.value.clone()
        } else {
            self.fold(&i.value)
        }
    }

    fn span(&self, e: &impl Spanned) -> Option<Span> {
        Some(self.stmt.map_span(e.span()))
    }

    fn resolve_table(&self, n: &ObjectName) -> Name {
        let parts: Vec<String> =
            n.0.iter()
                .filter_map(|p| p.as_ident())
                .map(|i| self.ident(i))
                .collect();
        let (schema, name) = match parts.as_slice() {
            [.., s, t] => (Some(s.clone()), t.clone()),
            [t] => (None, t.clone()),
            [] => (None, String::new()),
        };
        if let Some(cat) = self.cat {
            let key = match &schema {
                Some(s) => format!("{s}.{name}"),
                None => name.clone(),
            };
            if let Some(t) = cat.find_table(&key) {
                return t.name.clone();
            }
        }
        Name::new(
            schema.unwrap_or_else(|| self.dialect.default_schema().to_string()),
            name,
        )
    }

    fn table_has_column(&self, t: &Name, col: &str) -> Option<bool> {
        let cat = self.cat?;
        let table = cat.table(t)?;
        Some(table.column(col).is_some())
    }

    fn new_access(&mut self, table: Name, alias: String) -> usize {
        self.q.accesses.push(Access {
            table,
            alias,
            preds: Vec::new(),
            order: Vec::new(),
            group: Vec::new(),
            columns: BTreeSet::new(),
            star: false,
            limit: None,
            block: self.block_counter,
        });
        self.q.accesses.len() - 1
    }

    fn table_factor(&mut self, f: &TableFactor, scope: &mut Vec<ScopeEntry>) {
        match f {
            TableFactor::Table {
                name, alias, args, ..
            } if args.is_none() => {
                let table = self.resolve_table(name);
                let alias = alias
                    .as_ref()
                    .map(|a| self.ident(&a.name))
                    .unwrap_or_else(|| table.name.clone());
                let access = self.new_access(table.clone(), alias.clone());
                scope.push(ScopeEntry {
                    alias,
                    table,
                    access,
                });
            }
            TableFactor::Derived { subquery, .. } => {
                let outer: Vec<&ScopeEntry> = Vec::new();
                self.query_nested(subquery, &outer);
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => self.table_with_joins(table_with_joins, scope),
            _ => {}
        }
    }

    fn table_with_joins(&mut self, t: &ast::TableWithJoins, scope: &mut Vec<ScopeEntry>) {
        self.table_factor(&t.relation, scope);
        for j in &t.joins {
            self.table_factor(&j.relation, scope);
        }
    }

    fn join_constraints<'e>(t: &'e ast::TableWithJoins, out: &mut Vec<&'e Expr>) {
        for j in &t.joins {
            let c = match &j.join_operator {
                JoinOperator::Join(c)
                | JoinOperator::Inner(c)
                | JoinOperator::Left(c)
                | JoinOperator::LeftOuter(c)
                | JoinOperator::Right(c)
                | JoinOperator::RightOuter(c)
                | JoinOperator::FullOuter(c)
                | JoinOperator::Semi(c)
                | JoinOperator::LeftSemi(c)
                | JoinOperator::RightSemi(c)
                | JoinOperator::Anti(c)
                | JoinOperator::LeftAnti(c)
                | JoinOperator::RightAnti(c)
                | JoinOperator::StraightJoin(c) => Some(c),
                _ => None,
            };
            if let Some(JoinConstraint::On(e)) = c {
                out.push(e);
            }
            if let TableFactor::NestedJoin {
                table_with_joins, ..
            } = &j.relation
            {
                Self::join_constraints(table_with_joins, out);
            }
        }
        if let TableFactor::NestedJoin {
            table_with_joins, ..
        } = &t.relation
        {
            Self::join_constraints(table_with_joins, out);
        }
    }

    fn query(&mut self, q: &ast::Query, outer: &[&ScopeEntry]) {
        self.query_nested(q, outer)
    }

    fn query_nested(&mut self, q: &ast::Query, _outer: &[&ScopeEntry]) {
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                self.query_nested(&cte.query, &[]);
            }
        }
        let limit = match &q.limit_clause {
            Some(ast::LimitClause::LimitOffset {
                limit: Some(e),
                offset,
                ..
            }) => literal_u64(e).map(|l| {
                l + offset
                    .as_ref()
                    .and_then(|o| literal_u64(&o.value))
                    .unwrap_or(0)
            }),
            Some(ast::LimitClause::OffsetCommaLimit { offset, limit }) => {
                literal_u64(limit).map(|l| l + literal_u64(offset).unwrap_or(0))
            }
            _ => None,
        };
        let order: Vec<&ast::OrderByExpr> = match &q.order_by {
            Some(ob) => match &ob.kind {
                OrderByKind::Expressions(v) => v.iter().collect(),
                _ => Vec::new(),
            },
            None => Vec::new(),
        };
        self.set_expr(&q.body, &order, limit);
    }

    fn set_expr(&mut self, s: &SetExpr, order: &[&ast::OrderByExpr], limit: Option<u64>) {
        match s {
            SetExpr::Select(sel) => self.select(sel, order, limit),
            SetExpr::Query(q) => self.query_nested(q, &[]),
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left, &[], None);
                self.set_expr(right, &[], None);
            }
            _ => {}
        }
    }

    fn select(&mut self, sel: &ast::Select, order: &[&ast::OrderByExpr], limit: Option<u64>) {
        self.block_counter += 1;
        let mut scope: Vec<ScopeEntry> = Vec::new();
        for t in &sel.from {
            self.table_with_joins(t, &mut scope);
        }
        let block = self.block_counter;
        for e in &scope {
            self.q.accesses[e.access].block = block;
            self.q.accesses[e.access].limit = limit;
        }
        let mut conds: Vec<&Expr> = Vec::new();
        for t in &sel.from {
            Self::join_constraints(t, &mut conds);
        }
        if let Some(w) = &sel.selection {
            conds.push(w);
        }
        for c in conds {
            self.where_clause(c, &scope, &[]);
        }
        // USING (a, b): equality joins on same-named columns.
        for t in &sel.from {
            for j in &t.joins {
                let c = match &j.join_operator {
                    JoinOperator::Join(c)
                    | JoinOperator::Inner(c)
                    | JoinOperator::Left(c)
                    | JoinOperator::LeftOuter(c) => Some(c),
                    _ => None,
                };
                if let Some(JoinConstraint::Using(cols)) = c {
                    let n = scope.len();
                    if n >= 2 {
                        for col in cols {
                            if let Some(name) = last_ident(col) {
                                let name = self.fold(&name);
                                let (a, b) = (scope[n - 2].access, scope[n - 1].access);
                                self.add_join(a, b, &name, &name, None);
                            }
                        }
                    }
                }
            }
        }
        for item in &sel.projection {
            match item {
                SelectItem::UnnamedExpr(e)
                | SelectItem::ExprWithAlias { expr: e, .. }
                | SelectItem::ExprWithAliases { expr: e, .. } => self.reads(e, &scope, &[]),
                SelectItem::Wildcard(_) => {
                    for s in &scope {
                        self.q.accesses[s.access].star = true;
                    }
                }
                SelectItem::QualifiedWildcard(k, _) => {
                    let q = match k {
                        ast::SelectItemQualifiedWildcardKind::ObjectName(n) => {
                            last_ident(n).map(|s| self.fold(&s))
                        }
                        _ => None,
                    };
                    for s in &scope {
                        if q.as_deref().is_none_or(|q| q == s.alias) {
                            self.q.accesses[s.access].star = true;
                        }
                    }
                }
            }
        }
        if let Some(h) = &sel.having {
            self.reads(h, &scope, &[]);
        }
        // GROUP BY on one table.
        if let GroupByExpr::Expressions(exprs, _) = &sel.group_by
            && !exprs.is_empty()
        {
            let mut keys = Vec::new();
            let mut owner = None;
            let mut ok = true;
            for e in exprs {
                self.reads(e, &scope, &[]);
                match self.key_of(e, &scope) {
                    Some((a, k)) if owner.is_none_or(|o| o == a) => {
                        owner = Some(a);
                        keys.push(k);
                    }
                    _ => ok = false,
                }
            }
            if ok && let Some(a) = owner {
                self.q.accesses[a].group = keys;
            }
        }
        // ORDER BY on one table.
        if !order.is_empty() {
            let mut keys = Vec::new();
            let mut owner = None;
            let mut ok = true;
            for o in order {
                self.reads(&o.expr, &scope, &[]);
                let desc = matches!(o.options.sort, Some(ast::OrderBySort::Desc));
                match self.key_of(&o.expr, &scope) {
                    Some((a, k)) if owner.is_none_or(|x| x == a) => {
                        owner = Some(a);
                        keys.push((k, desc));
                    }
                    _ => ok = false,
                }
            }
            if ok && let Some(a) = owner {
                self.q.accesses[a].order = keys;
            }
        }
    }

    /// Which access a column reference belongs to, and the column name.
    fn column_ref(&self, e: &Expr, scope: &[ScopeEntry]) -> Option<(usize, String)> {
        match e {
            Expr::Identifier(i) => {
                let col = self.ident(i);
                if scope.len() == 1 {
                    if self.table_has_column(&scope[0].table, &col) == Some(false) {
                        return None;
                    }
                    return Some((scope[0].access, col));
                }
                let owners: Vec<&ScopeEntry> = scope
                    .iter()
                    .filter(|s| self.table_has_column(&s.table, &col) == Some(true))
                    .collect();
                if owners.len() == 1 {
                    Some((owners[0].access, col))
                } else {
                    None
                }
            }
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let q = self.ident(&parts[parts.len() - 2]);
                let col = self.ident(&parts[parts.len() - 1]);
                scope
                    .iter()
                    .find(|s| s.alias == q || s.table.name == q)
                    .map(|s| (s.access, col))
            }
            Expr::Nested(inner) => self.column_ref(inner, scope),
            _ => None,
        }
    }

    /// The accesses an expression reads columns of (`None` if it reads a subquery or an
    /// unresolvable column).
    fn owners(&self, e: &Expr, scope: &[ScopeEntry]) -> Option<BTreeSet<usize>> {
        let mut set = BTreeSet::new();
        let mut bad = false;
        let _ = ast::visit_expressions(e, |x: &Expr| {
            match x {
                Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
                    match self.column_ref(x, scope) {
                        Some((a, _)) => {
                            set.insert(a);
                        }
                        None => {
                            // An unqualified name of no table here: an outer reference or a
                            // keyword-like value; either way not a column of this block.
                            if matches!(x, Expr::CompoundIdentifier(_)) {
                                let alias_known = if let Expr::CompoundIdentifier(p) = x {
                                    let q = self.ident(&p[p.len() - 2]);
                                    scope.iter().any(|s| s.alias == q)
                                } else {
                                    false
                                };
                                if alias_known {
                                    bad = true;
                                }
                            } else if scope.len() > 1 && self.cat.is_none() {
                                bad = true;
                            }
                        }
                    }
                }
                Expr::Subquery(_)
                | Expr::Exists { .. }
                | Expr::In {
                    target: ast::InTarget::Subquery(_),
                    ..
                } => bad = true,
                _ => {}
            }
            ControlFlow::<()>::Continue(())
        });
        if bad { None } else { Some(set) }
    }

    /// An index key for an expression over exactly one access.
    fn key_of(&self, e: &Expr, scope: &[ScopeEntry]) -> Option<(usize, KeyExpr)> {
        if let Some((a, c)) = self.column_ref(e, scope) {
            return Some((a, KeyExpr::col(&c)));
        }
        let owners = self.owners(e, scope)?;
        if owners.len() != 1 {
            return None;
        }
        let a = *owners.iter().next()?;
        let mut reads = Vec::new();
        let mut unq = e.clone();
        let _ = ast::visit_expressions_mut(&mut unq, |x: &mut Expr| {
            if let Expr::CompoundIdentifier(p) = x
                && p.len() >= 2
            {
                let last = p[p.len() - 1].clone();
                *x = Expr::Identifier(last);
            }
            if let Expr::Identifier(i) = x {
                reads.push(self.ident(i));
            }
            ControlFlow::<()>::Continue(())
        });
        if reads.is_empty() {
            return None;
        }
        reads.sort();
        reads.dedup();
        let expr = match unq {
            Expr::Nested(inner) => inner.to_string(),
            other => other.to_string(),
        };
        Some((
            a,
            KeyExpr {
                column: None,
                expr,
                reads,
            },
        ))
    }

    /// Record every column an expression reads, and model subqueries inside it.
    fn reads(&mut self, e: &Expr, scope: &[ScopeEntry], _outer: &[&ScopeEntry]) {
        let mut cols: Vec<(usize, String)> = Vec::new();
        let mut subs: Vec<ast::Query> = Vec::new();
        let _ = ast::visit_expressions(e, |x: &Expr| {
            match x {
                Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
                    if let Some(r) = self.column_ref(x, scope) {
                        cols.push(r);
                    }
                }
                Expr::Subquery(q) | Expr::Exists { subquery: q, .. } => subs.push((**q).clone()),
                Expr::In {
                    target: ast::InTarget::Subquery(subquery),
                    ..
                } => subs.push((**subquery).clone()),
                _ => {}
            }
            ControlFlow::<()>::Continue(())
        });
        for (a, c) in cols {
            self.q.accesses[a].columns.insert(c);
        }
        for q in subs {
            self.subquery(&q, scope);
        }
    }

    /// A subquery in an expression: its own block; correlated equalities become join
    /// predicates of the inner table.
    fn subquery(&mut self, q: &ast::Query, outer: &[ScopeEntry]) {
        let before = self.q.accesses.len();
        self.query_nested(q, &[]);
        // Correlation: the inner WHERE compared an inner column with an outer one. Those
        // references were unresolvable inside; re-read the subquery's WHERE with both scopes.
        if let SetExpr::Select(sel) = q.body.as_ref()
            && let Some(w) = &sel.selection
        {
            let inner: Vec<ScopeEntry> = self.q.accesses[before..]
                .iter()
                .enumerate()
                .filter(|(_, a)| a.block == self.block_counter)
                .map(|(i, a)| ScopeEntry {
                    alias: a.alias.clone(),
                    table: a.table.clone(),
                    access: before + i,
                })
                .collect();
            if inner.is_empty() {
                return;
            }
            let mut conj = Vec::new();
            conjuncts(w, &mut conj);
            for c in conj {
                if let Expr::BinaryOp {
                    left,
                    op: BinaryOperator::Eq,
                    right,
                } = c
                {
                    let l = self.column_ref(left, &inner);
                    let r = self.column_ref(right, outer);
                    let (l, r) = match (l, r) {
                        (Some(l), Some(r)) => (l, r),
                        _ => match (self.column_ref(right, &inner), self.column_ref(left, outer)) {
                            (Some(l), Some(r)) => (l, r),
                            _ => continue,
                        },
                    };
                    self.q.accesses[r.0].columns.insert(r.1.clone());
                    let text = c.to_string();
                    let span = self.span(c);
                    self.q.accesses[l.0].preds.push(Pred {
                        key: KeyExpr::col(&l.1),
                        op: PredOp::Eq,
                        constant: false,
                        join_with: Some(r.0),
                        text,
                        extra: Vec::new(),
                        span,
                    });
                }
            }
        }
    }

    fn add_join(&mut self, a: usize, b: usize, ca: &str, cb: &str, span: Option<Span>) {
        for (x, y, cx, cy) in [(a, b, ca, cb), (b, a, cb, ca)] {
            self.q.accesses[x].columns.insert(cx.to_string());
            self.q.accesses[x].preds.push(Pred {
                key: KeyExpr::col(cx),
                op: PredOp::Eq,
                constant: false,
                join_with: Some(y),
                text: format!("{cx} = {cy}"),
                extra: Vec::new(),
                span: span.clone(),
            });
        }
    }

    fn where_clause(&mut self, w: &Expr, scope: &[ScopeEntry], outer: &[&ScopeEntry]) {
        let mut conj = Vec::new();
        conjuncts(w, &mut conj);
        for c in conj {
            self.reads(c, scope, outer);
            self.conjunct(c, scope);
        }
    }

    fn push_pred(&mut self, a: usize, key: KeyExpr, op: PredOp, constant: bool, c: &Expr) {
        let text = unqualified(c);
        let span = self.span(c);
        self.q.accesses[a].preds.push(Pred {
            key,
            op,
            constant,
            join_with: None,
            text,
            extra: Vec::new(),
            span,
        });
    }

    /// Value side of a comparison: no column of this block, no subquery.
    fn is_value(&self, e: &Expr, scope: &[ScopeEntry]) -> Option<bool> {
        let owners = self.owners(e, scope)?;
        if !owners.is_empty() {
            return None;
        }
        Some(is_literal(e))
    }

    fn conjunct(&mut self, c: &Expr, scope: &[ScopeEntry]) {
        match c {
            Expr::BinaryOp { left, op, right } => {
                // Join: column = column of two different tables.
                if *op == BinaryOperator::Eq
                    && let (Some(l), Some(r)) =
                        (self.column_ref(left, scope), self.column_ref(right, scope))
                {
                    if l.0 != r.0 {
                        let span = self.span(c);
                        self.add_join(l.0, r.0, &l.1, &r.1, span);
                    }
                    return;
                }
                let (key_side, val_side, flipped) = match (
                    self.key_of(left, scope),
                    self.is_value(right, scope),
                    self.key_of(right, scope),
                    self.is_value(left, scope),
                ) {
                    (Some(k), Some(lit), _, _) => (k, lit, false),
                    (_, _, Some(k), Some(lit)) => (k, lit, true),
                    _ => return,
                };
                let (a, key) = key_side;
                let pop = match op {
                    BinaryOperator::Eq => PredOp::Eq,
                    BinaryOperator::NotEq => PredOp::NotEq,
                    BinaryOperator::Lt
                    | BinaryOperator::LtEq
                    | BinaryOperator::Gt
                    | BinaryOperator::GtEq => PredOp::Range,
                    BinaryOperator::AtArrow | BinaryOperator::ArrowAt => {
                        if self.is_array_key(a, &key) {
                            PredOp::ArrayOverlap
                        } else {
                            PredOp::JsonContains
                        }
                    }
                    BinaryOperator::PGOverlap => PredOp::ArrayOverlap,
                    BinaryOperator::Question
                    | BinaryOperator::QuestionAnd
                    | BinaryOperator::QuestionPipe => PredOp::JsonKey,
                    BinaryOperator::AtAt if !flipped || key.column.is_none() => PredOp::FullText,
                    BinaryOperator::AtAt => PredOp::FullText,
                    _ => return,
                };
                if pop == PredOp::Eq && key.column.is_some() && self.is_bool_literal(left, right) {
                    self.push_pred(a, key, PredOp::Bool, true, c);
                } else {
                    self.push_pred(a, key, pop, val_side, c);
                }
            }
            Expr::In {
                expr,
                target: ast::InTarget::List(list),
                negated: false,
                ..
            } => {
                if let Some((a, key)) = self.key_of(expr, scope)
                    && list.iter().all(|v| self.is_value(v, scope).is_some())
                {
                    let lit = list.iter().all(is_literal);
                    self.push_pred(a, key, PredOp::In(list.len().max(1)), lit, c);
                }
            }
            Expr::Between {
                expr,
                negated: false,
                low,
                high,
            } => {
                if let Some((a, key)) = self.key_of(expr, scope)
                    && let (Some(l1), Some(l2)) =
                        (self.is_value(low, scope), self.is_value(high, scope))
                {
                    self.push_pred(a, key, PredOp::Between, l1 && l2, c);
                }
            }
            Expr::Like {
                negated: false,
                expr,
                pattern,
                ..
            }
            | Expr::ILike {
                negated: false,
                expr,
                pattern,
                ..
            } => {
                let ilike = matches!(c, Expr::ILike { .. });
                if let Some((a, key)) = self.key_of(expr, scope) {
                    let op = match string_literal(pattern) {
                        Some(p) if !ilike && !p.starts_with('%') && !p.starts_with('_') => {
                            PredOp::Prefix
                        }
                        Some(_) => PredOp::Contains,
                        None if self.is_value(pattern, scope).is_some() => PredOp::Contains,
                        None => return,
                    };
                    self.push_pred(a, key, op, is_literal(pattern), c);
                }
            }
            Expr::IsNull(e) | Expr::IsNotNull(e) => {
                if let Some((a, key)) = self.key_of(e, scope) {
                    let op = if matches!(c, Expr::IsNull(_)) {
                        PredOp::IsNull
                    } else {
                        PredOp::IsNotNull
                    };
                    self.push_pred(a, key, op, true, c);
                }
            }
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
                if let Some((a, col)) = self.column_ref(c, scope) {
                    self.push_pred(a, KeyExpr::col(&col), PredOp::Bool, true, c);
                }
            }
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } if matches!(**expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) => {
                if let Some((a, col)) = self.column_ref(expr, scope) {
                    self.push_pred(a, KeyExpr::col(&col), PredOp::Bool, true, c);
                }
            }
            Expr::IsTrue(e) | Expr::IsFalse(e) => {
                if let Some((a, col)) = self.column_ref(e, scope) {
                    self.push_pred(a, KeyExpr::col(&col), PredOp::Bool, true, c);
                }
            }
            Expr::MatchAgainst { columns, .. } => {
                let mut owner = None;
                let mut cols = Vec::new();
                for n in columns {
                    let e = if n.0.len() == 1 {
                        match n.0[0].as_ident() {
                            Some(i) => Expr::Identifier(i.clone()),
                            None => return,
                        }
                    } else {
                        Expr::CompoundIdentifier(
                            n.0.iter().filter_map(|p| p.as_ident().cloned()).collect(),
                        )
                    };
                    match self.column_ref(&e, scope) {
                        Some((a, col)) if owner.is_none_or(|o| o == a) => {
                            owner = Some(a);
                            cols.push(col);
                        }
                        _ => return,
                    }
                }
                if let Some(a) = owner {
                    let key = KeyExpr {
                        column: if cols.len() == 1 {
                            Some(cols[0].clone())
                        } else {
                            None
                        },
                        expr: cols.join(", "),
                        reads: cols.clone(),
                    };
                    self.push_pred(a, key, PredOp::MatchAgainst, false, c);
                    if let Some(p) = self.q.accesses[a].preds.last_mut() {
                        p.extra = cols;
                    }
                }
            }
            Expr::Nested(inner) => {
                // (a = 1 OR a = 2): an IN list on one key.
                let mut ors = Vec::new();
                disjuncts(inner, &mut ors);
                if ors.len() > 1 {
                    let mut key = None;
                    let mut lit = true;
                    for o in &ors {
                        match o {
                            Expr::BinaryOp {
                                left,
                                op: BinaryOperator::Eq,
                                right,
                            } => match (self.key_of(left, scope), self.is_value(right, scope)) {
                                (Some(k), Some(l)) if key.as_ref().is_none_or(|x| *x == k) => {
                                    lit &= l;
                                    key = Some(k)
                                }
                                _ => return,
                            },
                            _ => return,
                        }
                    }
                    if let Some((a, k)) = key {
                        self.push_pred(a, k, PredOp::In(ors.len()), lit, c);
                    }
                } else {
                    self.conjunct(inner, scope);
                }
            }
            _ => {}
        }
    }

    fn is_bool_literal(&self, l: &Expr, r: &Expr) -> bool {
        let b = |e: &Expr| matches!(e, Expr::Value(v) if matches!(v.value, Value::Boolean(_)));
        b(l) || b(r)
    }

    fn is_array_key(&self, a: usize, key: &KeyExpr) -> bool {
        let Some(col) = &key.column else { return false };
        let Some(cat) = self.cat else { return false };
        cat.table(&self.q.accesses[a].table)
            .and_then(|t| t.column(col))
            .is_some_and(|c| c.data_type.family == crate::catalog::TypeFamily::Array)
    }
}

fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            conjuncts(left, out);
            conjuncts(right, out);
        }
        Expr::Nested(inner)
            if matches!(
                **inner,
                Expr::BinaryOp {
                    op: BinaryOperator::And,
                    ..
                }
            ) =>
        {
            conjuncts(inner, out)
        }
        _ => out.push(e),
    }
}

fn disjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Or,
            right,
        } => {
            disjuncts(left, out);
            disjuncts(right, out);
        }
        Expr::Nested(inner) => disjuncts(inner, out),
        _ => out.push(e),
    }
}

/// A literal (possibly cast, negated, or a function of literals such as `now()`): not a
/// parameter and not a column.
fn is_literal(e: &Expr) -> bool {
    match e {
        Expr::Value(v) => !matches!(v.value, Value::Placeholder(_)),
        Expr::TypedString(_) | Expr::Interval(_) => true,
        Expr::Cast { expr, .. } | Expr::Nested(expr) | Expr::UnaryOp { expr, .. } => {
            is_literal(expr)
        }
        Expr::Function(f) => match &f.args {
            FunctionArguments::List(l) => l.args.iter().all(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => is_literal(e),
                _ => false,
            }),
            FunctionArguments::None => false,
            FunctionArguments::Subquery(_) => false,
        },
        _ => false,
    }
}

fn string_literal(e: &Expr) -> Option<&str> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => Some(s),
            _ => None,
        },
        Expr::Cast { expr, .. } | Expr::Nested(expr) => string_literal(expr),
        _ => None,
    }
}

fn literal_u64(e: &Expr) -> Option<u64> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.to_string().parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

/// The expression text without table qualifiers.
pub fn unqualified(e: &Expr) -> String {
    let mut unq = e.clone();
    let _ = ast::visit_expressions_mut(&mut unq, |x: &mut Expr| {
        if let Expr::CompoundIdentifier(p) = x
            && p.len() >= 2
        {
            let last = p[p.len() - 1].clone();
            *x = Expr::Identifier(last);
        }
        ControlFlow::<()>::Continue(())
    });
    unq.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::sql::{DialectChoice, parse_text};

    fn model(schema: &str, q: &str) -> QueryModel {
        let cat = crate::catalog::from_sql(schema, DialectChoice::Postgres).unwrap();
        let p = parse_text(q, DialectChoice::Postgres, &Limits::default()).unwrap();
        model_statement(&p.statements[0], 1.0, Some(&cat), Dialect::Postgres).unwrap()
    }

    const SCHEMA: &str = "create table users (id bigint primary key, email text, status text, created_at timestamptz, data jsonb);
        create table orders (id bigint primary key, user_id bigint references users(id), status text, total numeric, created_at timestamptz);";

    #[test]
    fn equality_range_sort_and_join() {
        let m = model(
            SCHEMA,
            "select o.id, o.total from orders o join users u on u.id = o.user_id where o.status = $1 and o.created_at > now() - interval '1 day' and lower(u.email) = 'a@b' order by o.created_at desc limit 10",
        );
        assert_eq!(m.accesses.len(), 2);
        let o = &m.accesses[0];
        assert_eq!(o.table.name, "orders");
        let ops: Vec<(String, PredOp)> =
            o.preds.iter().map(|p| (p.key.expr.clone(), p.op)).collect();
        assert!(ops.contains(&("status".into(), PredOp::Eq)), "{ops:?}");
        assert!(
            ops.contains(&("created_at".into(), PredOp::Range)),
            "{ops:?}"
        );
        assert!(ops.contains(&("user_id".into(), PredOp::Eq)), "{ops:?}");
        assert_eq!(o.order[0].0.expr, "created_at");
        assert!(o.order[0].1);
        assert_eq!(o.limit, Some(10));
        assert!(o.columns.contains("total"));
        let u = &m.accesses[1];
        assert!(
            u.preds
                .iter()
                .any(|p| p.key.expr == "lower(email)" && p.key.column.is_none() && p.constant),
            "{:?}",
            u.preds
        );
        assert!(m.has_params);
    }

    #[test]
    fn update_records_assigned_columns() {
        let m = model(
            SCHEMA,
            "update orders set status = 'paid' where id = $1 and status <> 'delivered'",
        );
        assert_eq!(m.writes.len(), 1);
        assert_eq!(m.writes[0].columns, vec!["status"]);
        assert!(m.accesses[0].preds.iter().any(|p| p.op == PredOp::NotEq));
    }

    #[test]
    fn jsonb_like_and_in() {
        let m = model(
            SCHEMA,
            "select id from users where data @> '{\"a\":1}' and email like '%x%' and status in ('a','b')",
        );
        let ops: Vec<PredOp> = m.accesses[0].preds.iter().map(|p| p.op).collect();
        assert_eq!(
            ops,
            vec![PredOp::JsonContains, PredOp::Contains, PredOp::In(2)]
        );
    }
}

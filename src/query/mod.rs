//! The query model: what one parsed statement reads and how, built from the sqlparser AST and
//! resolved against an optional schema catalog and optional statistics.
//!
//! A statement becomes a list of *blocks*, one per SELECT body (the top query, each CTE, each
//! derived table, each subquery in an expression, each branch of a set operation) and one for the
//! target of an UPDATE or DELETE. A block knows its tables (binding name, catalog table, join
//! kind and condition), every column it references (resolved to a table of this block or of an
//! enclosing one, which makes it correlated), its predicates (column, operator, literal), its
//! ORDER BY / LIMIT / OFFSET and where it sits in its parent. Rules (`crate::optimize`) read the
//! blocks; they never look at SQL text.

pub mod stats;

pub use stats::Stats;

use crate::catalog::{Catalog, Column, Name, Table};
use crate::sql::Dialect;
use schemars::JsonSchema;
use serde::Serialize;
use sqlparser::ast::{
    self, Expr, GroupByExpr, JoinConstraint, JoinOperator, LimitClause, ObjectName, OrderByKind,
    Query, SelectItem, SetExpr, Spanned, Statement, TableFactor, TableWithJoins, Visit, Visitor,
};
use std::ops::ControlFlow;

/// The clause an expression sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Clause {
    Select,
    Where,
    JoinOn,
    GroupBy,
    Having,
    OrderBy,
    Set,
}

/// How a block is connected to its parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Role {
    /// The statement's own query.
    Root,
    /// A CTE body.
    Cte { name: String },
    /// A derived table in FROM.
    Derived { alias: String, lateral: bool },
    /// A scalar subquery `(SELECT ...)` used as a value.
    Scalar { clause: Clause },
    /// `[NOT] EXISTS (SELECT ...)`.
    Exists { negated: bool, clause: Clause },
    /// `expr [NOT] IN (SELECT ...)`.
    In { negated: bool, clause: Clause },
    /// A later branch of UNION / INTERSECT / EXCEPT (the first branch has its query's role).
    SetBranch,
    /// The target of an UPDATE or DELETE.
    DmlTarget,
}

/// How a table entered the FROM clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JoinKind {
    /// The first table of a FROM item.
    From,
    /// A later comma-separated FROM item (an implicit join).
    Comma,
    Inner,
    Left,
    Right,
    Full,
    Cross,
    Other,
}

/// What a FROM entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Table,
    Cte,
    Derived,
    Function,
}

/// One table (or CTE, derived table, table function) in a block's FROM.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TableRef {
    /// The name columns are qualified with: the alias, else the table name.
    pub binding: String,
    /// The name as written (`shop.orders`), empty for derived tables.
    pub name: String,
    pub kind: SourceKind,
    /// The catalog table, when a schema was given and has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<Name>,
    /// Column names, when known (catalog, CTE or derived select list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
    pub join: JoinKind,
    /// Position of the FROM item (comma-separated group) it belongs to.
    pub from_item: usize,
    #[serde(skip)]
    pub on: Option<Expr>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub using: Vec<String>,
    #[serde(skip)]
    pub span: sqlparser::tokenizer::Span,
}

/// A column reference resolved to a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ColumnUse {
    /// The block that owns the table.
    pub block: usize,
    /// Index into that block's `tables`.
    pub table: usize,
    pub column: String,
    pub clause: Clause,
    /// The table belongs to an enclosing block (a correlated reference).
    pub outer: bool,
    /// Inside the ON clause of this table's own join.
    #[serde(skip)]
    pub own_join_on: Option<usize>,
}

/// One conjunct of a WHERE / ON / HAVING condition, broken down.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Predicate {
    pub clause: Clause,
    /// The SQL of the conjunct.
    pub text: String,
    /// Operator: `=`, `<`, `between`, `in`, `like`, `is null` ... or `other`.
    pub op: String,
    /// The column compared, when one side is a plain column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<ColumnUse>,
    /// The literal or parameter on the other side, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Both sides are columns (a join condition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_column: Option<ColumnUse>,
    #[serde(skip)]
    pub expr: Expr,
}

/// One SELECT body (or DML target) of a statement.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Block {
    pub id: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<usize>,
    pub role: Role,
    pub tables: Vec<TableRef>,
    pub columns: Vec<ColumnUse>,
    pub predicates: Vec<Predicate>,
    pub distinct: bool,
    /// `SELECT *` or `t.*` present.
    pub star: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub order_by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<String>,
    /// Output column names where plain.
    pub output: Vec<String>,
    #[serde(skip)]
    pub projection: Vec<SelectItem>,
    #[serde(skip)]
    pub from: Vec<TableWithJoins>,
    #[serde(skip)]
    pub selection: Option<Expr>,
    #[serde(skip)]
    pub group_by: Vec<Expr>,
    #[serde(skip)]
    pub having: Option<Expr>,
    #[serde(skip)]
    pub order_exprs: Vec<ast::OrderByExpr>,
    #[serde(skip)]
    pub limit_expr: Option<Expr>,
    #[serde(skip)]
    pub offset_expr: Option<Expr>,
    /// This block's body is one branch of a set operation whose ORDER BY/LIMIT apply to all.
    pub in_set_operation: bool,
    #[serde(skip)]
    pub span: sqlparser::tokenizer::Span,
}

impl Block {
    /// Columns of table `t` of this block used anywhere (this block or nested ones) outside its
    /// own join condition.
    pub fn uses_outside_on<'a>(
        &self,
        model: &'a QueryModel,
        t: usize,
    ) -> impl Iterator<Item = &'a ColumnUse> + 'a {
        let id = self.id;
        model
            .blocks
            .iter()
            .flat_map(|b| b.columns.iter())
            .filter(move |c| c.block == id && c.table == t && c.own_join_on != Some(t))
    }
}

/// A CTE and how often it is read.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CteInfo {
    pub name: String,
    pub references: usize,
    pub recursive: bool,
    #[serde(skip)]
    pub span: sqlparser::tokenizer::Span,
}

/// The model of one statement.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QueryModel {
    /// `select`, `insert`, `update`, `delete`, `view` (CREATE VIEW ... AS) or `other`.
    pub kind: String,
    pub blocks: Vec<Block>,
    pub ctes: Vec<CteInfo>,
}

/// What the model may consult: the schema and the engine's naming rules.
pub struct Env<'a> {
    pub catalog: Option<&'a Catalog>,
    pub dialect: Dialect,
}

impl Env<'_> {
    fn ident_eq(&self, a: &str, b: &str) -> bool {
        match self.catalog {
            Some(c) => c.ident_eq(a, b),
            None => a.eq_ignore_ascii_case(b),
        }
    }
}

/// The last part of an object name, unquoted.
pub fn object_name(n: &ObjectName) -> String {
    n.0.iter()
        .filter_map(|p| p.as_ident().map(|i| i.value.clone()))
        .collect::<Vec<_>>()
        .join(".")
}

fn fold(env: &Env, ident: &ast::Ident) -> String {
    if env.dialect == Dialect::Postgres && ident.quote_style.is_none() {
        ident.value.to_lowercase()
    } else {
        ident.value.clone()
    }
}

impl QueryModel {
    /// Build the model of `stmt`.
    pub fn build(stmt: &Statement, env: &Env) -> QueryModel {
        let mut b = ModelBuilder {
            env,
            blocks: Vec::new(),
            ctes: Vec::new(),
        };
        let kind = match stmt {
            Statement::Query(q) => {
                b.query(q, None, Role::Root);
                "select"
            }
            Statement::CreateView(v) => {
                b.query(&v.query, None, Role::Root);
                "view"
            }
            Statement::Insert(ins) => {
                if let Some(src) = &ins.source {
                    b.query(src, None, Role::Root);
                }
                "insert"
            }
            Statement::Update(u) => {
                let mut from = vec![u.table.clone()];
                if let Some(f) = &u.from {
                    match f {
                        ast::UpdateTableFromKind::BeforeSet(v)
                        | ast::UpdateTableFromKind::AfterSet(v) => from.extend(v.iter().cloned()),
                    }
                }
                let id = b.new_block(None, Role::DmlTarget, u.span());
                b.fill_from(id, &from);
                b.blocks[id].selection = u.selection.clone();
                b.blocks[id].order_exprs = u.order_by.clone();
                b.blocks[id].limit_expr = u.limit.clone();
                let sets: Vec<Expr> = u.assignments.iter().map(|a| a.value.clone()).collect();
                b.finish_block(id, &sets);
                "update"
            }
            Statement::Delete(d) => {
                let from = match &d.from {
                    ast::FromTable::WithFromKeyword(v) | ast::FromTable::WithoutKeyword(v) => {
                        v.clone()
                    }
                };
                let mut all = from;
                if let Some(u) = &d.using {
                    all.extend(u.iter().cloned());
                }
                let id = b.new_block(None, Role::DmlTarget, d.span());
                b.fill_from(id, &all);
                b.blocks[id].selection = d.selection.clone();
                b.blocks[id].order_exprs = d.order_by.clone();
                b.blocks[id].limit_expr = d.limit.clone();
                b.finish_block(id, &[]);
                "delete"
            }
            _ => "other",
        };
        let mut m = QueryModel {
            kind: kind.to_string(),
            blocks: b.blocks,
            ctes: b.ctes,
        };
        m.count_cte_references(env);
        m
    }

    fn count_cte_references(&mut self, env: &Env) {
        for i in 0..self.ctes.len() {
            let name = self.ctes[i].name.clone();
            let n = self
                .blocks
                .iter()
                .flat_map(|b| b.tables.iter())
                .filter(|t| t.kind == SourceKind::Cte && env.ident_eq(&t.name, &name))
                .count();
            // A recursive CTE reads itself; that does not count as a use from outside.
            let own = self
                .blocks
                .iter()
                .filter(|b| self.block_inside_cte(b.id, &name))
                .flat_map(|b| b.tables.iter())
                .filter(|t| t.kind == SourceKind::Cte && env.ident_eq(&t.name, &name))
                .count();
            self.ctes[i].references = n - own;
        }
    }

    fn block_inside_cte(&self, mut id: usize, name: &str) -> bool {
        loop {
            let b = &self.blocks[id];
            if let Role::Cte { name: n } = &b.role
                && n.eq_ignore_ascii_case(name)
            {
                return true;
            }
            match b.parent {
                Some(p) => id = p,
                None => return false,
            }
        }
    }

    /// The catalog table behind a column use.
    pub fn table_of<'c>(&self, u: &ColumnUse, cat: Option<&'c Catalog>) -> Option<&'c Table> {
        let t = self.blocks.get(u.block)?.tables.get(u.table)?;
        cat?.table(t.catalog.as_ref()?)
    }

    /// The catalog column behind a column use.
    pub fn column_of<'c>(&self, u: &ColumnUse, cat: Option<&'c Catalog>) -> Option<&'c Column> {
        self.table_of(u, cat)?.column(&u.column)
    }

    /// The binding name (alias) of a column use's table.
    pub fn binding(&self, u: &ColumnUse) -> &str {
        &self.blocks[u.block].tables[u.table].binding
    }
}

struct ModelBuilder<'e, 'c> {
    env: &'e Env<'c>,
    blocks: Vec<Block>,
    ctes: Vec<CteInfo>,
}

impl ModelBuilder<'_, '_> {
    fn new_block(
        &mut self,
        parent: Option<usize>,
        role: Role,
        span: sqlparser::tokenizer::Span,
    ) -> usize {
        let id = self.blocks.len();
        self.blocks.push(Block {
            id,
            parent,
            role,
            tables: Vec::new(),
            columns: Vec::new(),
            predicates: Vec::new(),
            distinct: false,
            star: false,
            order_by: Vec::new(),
            limit: None,
            offset: None,
            output: Vec::new(),
            projection: Vec::new(),
            from: Vec::new(),
            selection: None,
            group_by: Vec::new(),
            having: None,
            order_exprs: Vec::new(),
            limit_expr: None,
            offset_expr: None,
            in_set_operation: false,
            span,
        });
        id
    }

    /// A query: its CTEs, then its body (one block per SELECT).
    fn query(&mut self, q: &Query, parent: Option<usize>, role: Role) -> Vec<usize> {
        if let Some(w) = &q.with {
            for cte in &w.cte_tables {
                let name = fold(self.env, &cte.alias.name);
                self.ctes.push(CteInfo {
                    name: name.clone(),
                    references: 0,
                    recursive: w.recursive,
                    span: cte.alias.name.span,
                });
                self.query(&cte.query, parent, Role::Cte { name });
            }
        }
        let (order, limit, offset) = query_tail(q);
        let mut ids = Vec::new();
        self.set_expr(&q.body, parent, role, &mut ids);
        let set_op = ids.len() > 1;
        if let Some(&first) = ids.first() {
            if set_op {
                for &i in &ids {
                    self.blocks[i].in_set_operation = true;
                }
            }
            let b = &mut self.blocks[first];
            b.order_exprs = order;
            b.limit_expr = limit;
            b.offset_expr = offset;
            let first_tables = b.tables.len();
            let _ = first_tables;
            // ORDER BY columns resolve in the first block's scope.
            let order_exprs: Vec<Expr> = self.blocks[first]
                .order_exprs
                .iter()
                .map(|o| o.expr.clone())
                .collect();
            for e in &order_exprs {
                self.collect_expr(first, e, Clause::OrderBy, None);
            }
            let b = &mut self.blocks[first];
            b.order_by = b.order_exprs.iter().map(|o| o.to_string()).collect();
            b.limit = b.limit_expr.as_ref().map(|e| e.to_string());
            b.offset = b.offset_expr.as_ref().map(|e| e.to_string());
        }
        ids
    }

    fn set_expr(&mut self, s: &SetExpr, parent: Option<usize>, role: Role, ids: &mut Vec<usize>) {
        match s {
            SetExpr::Select(sel) => {
                let role = if ids.is_empty() {
                    role
                } else {
                    Role::SetBranch
                };
                let id = self.new_block(parent, role, sel.span());
                self.fill_from(id, &sel.from);
                let b = &mut self.blocks[id];
                b.distinct = matches!(
                    sel.distinct,
                    Some(ast::Distinct::Distinct) | Some(ast::Distinct::On(_))
                );
                b.projection = sel.projection.clone();
                b.selection = sel.selection.clone();
                b.group_by = match &sel.group_by {
                    GroupByExpr::Expressions(v, _) => v.clone(),
                    GroupByExpr::All(_) => Vec::new(),
                };
                b.having = sel.having.clone();
                self.finish_block(id, &[]);
                ids.push(id);
            }
            SetExpr::Query(q) => {
                let role = if ids.is_empty() {
                    role
                } else {
                    Role::SetBranch
                };
                let sub = self.query(q, parent, role);
                ids.extend(sub);
            }
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left, parent, role, ids);
                self.set_expr(right, parent, Role::SetBranch, ids);
            }
            _ => {}
        }
    }

    /// Register the FROM entries of block `id`; derived tables become child blocks.
    fn fill_from(&mut self, id: usize, from: &[TableWithJoins]) {
        self.blocks[id].from = from.to_vec();
        for (fi, twj) in from.iter().enumerate() {
            let kind = if fi == 0 {
                JoinKind::From
            } else {
                JoinKind::Comma
            };
            self.table_factor(id, &twj.relation, kind, fi, None, Vec::new());
            for j in &twj.joins {
                let (kind, constraint) = match &j.join_operator {
                    JoinOperator::Join(c) | JoinOperator::Inner(c) => (JoinKind::Inner, Some(c)),
                    JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (JoinKind::Left, Some(c)),
                    JoinOperator::Right(c) | JoinOperator::RightOuter(c) => {
                        (JoinKind::Right, Some(c))
                    }
                    JoinOperator::FullOuter(c) => (JoinKind::Full, Some(c)),
                    JoinOperator::CrossJoin(c) => (JoinKind::Cross, Some(c)),
                    _ => (JoinKind::Other, None),
                };
                let (on, using) = match constraint {
                    Some(JoinConstraint::On(e)) => (Some(e.clone()), Vec::new()),
                    Some(JoinConstraint::Using(v)) => {
                        (None, v.iter().map(object_name).collect::<Vec<_>>())
                    }
                    _ => (None, Vec::new()),
                };
                self.table_factor(id, &j.relation, kind, fi, on, using);
            }
        }
    }

    fn table_factor(
        &mut self,
        id: usize,
        tf: &TableFactor,
        join: JoinKind,
        from_item: usize,
        on: Option<Expr>,
        using: Vec<String>,
    ) {
        match tf {
            TableFactor::Table {
                name, alias, args, ..
            } => {
                let written = object_name(name);
                let bare = name
                    .0
                    .last()
                    .and_then(|p| p.as_ident())
                    .map(|i| fold(self.env, i))
                    .unwrap_or_default();
                let is_cte = name.0.len() == 1
                    && self.ctes.iter().any(|c| self.env.ident_eq(&c.name, &bare));
                let (kind, catalog, columns) = if args.is_some() {
                    (SourceKind::Function, None, None)
                } else if is_cte {
                    let cols = self
                        .blocks
                        .iter()
                        .find(|b| matches!(&b.role, Role::Cte { name } if self.env.ident_eq(name, &bare)))
                        .map(|b| b.output.clone());
                    (SourceKind::Cte, None, cols)
                } else {
                    let folded: Vec<String> = name
                        .0
                        .iter()
                        .filter_map(|p| p.as_ident().map(|i| fold(self.env, i)))
                        .collect();
                    let t = self
                        .env
                        .catalog
                        .and_then(|c| c.find_table(&folded.join(".")));
                    // A view: its declared or plain select-list column names.
                    let view_cols = match t {
                        Some(_) => None,
                        None => self.env.catalog.and_then(|c| {
                            c.views
                                .iter()
                                .find(|v| {
                                    c.ident_eq(
                                        &v.name.name,
                                        folded.last().map(String::as_str).unwrap_or(""),
                                    )
                                })
                                .filter(|v| !v.columns.is_empty())
                                .map(|v| v.columns.clone())
                        }),
                    };
                    (
                        SourceKind::Table,
                        t.map(|t| t.name.clone()),
                        t.map(|t| t.columns.iter().map(|c| c.name.clone()).collect())
                            .or(view_cols),
                    )
                };
                let binding = alias
                    .as_ref()
                    .map(|a| fold(self.env, &a.name))
                    .unwrap_or_else(|| bare.clone());
                self.blocks[id].tables.push(TableRef {
                    binding,
                    name: if is_cte { bare } else { written },
                    kind,
                    catalog,
                    columns,
                    join,
                    from_item,
                    on,
                    using,
                    span: name.span(),
                });
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let a = alias
                    .as_ref()
                    .map(|a| fold(self.env, &a.name))
                    .unwrap_or_default();
                let ids = self.query(
                    subquery,
                    Some(id),
                    Role::Derived {
                        alias: a.clone(),
                        lateral: *lateral,
                    },
                );
                let cols = ids.first().map(|&i| self.blocks[i].output.clone());
                self.blocks[id].tables.push(TableRef {
                    binding: a,
                    name: String::new(),
                    kind: SourceKind::Derived,
                    catalog: None,
                    columns: cols,
                    join,
                    from_item,
                    on,
                    using,
                    span: subquery.span(),
                });
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => {
                self.table_factor(
                    id,
                    &table_with_joins.relation,
                    join,
                    from_item,
                    on,
                    using.clone(),
                );
                for j in &table_with_joins.joins {
                    let on = match &j.join_operator {
                        JoinOperator::Join(JoinConstraint::On(e))
                        | JoinOperator::Inner(JoinConstraint::On(e))
                        | JoinOperator::Left(JoinConstraint::On(e))
                        | JoinOperator::LeftOuter(JoinConstraint::On(e)) => Some(e.clone()),
                        _ => None,
                    };
                    self.table_factor(id, &j.relation, JoinKind::Other, from_item, on, Vec::new());
                }
            }
            other => {
                self.blocks[id].tables.push(TableRef {
                    binding: String::new(),
                    name: other.to_string(),
                    kind: SourceKind::Function,
                    catalog: None,
                    columns: None,
                    join,
                    from_item,
                    on,
                    using,
                    span: other.span(),
                });
            }
        }
    }

    /// Columns, predicates and subqueries of every clause of block `id`.
    fn finish_block(&mut self, id: usize, set_values: &[Expr]) {
        let b = self.blocks[id].clone();
        let mut star = false;
        let mut output = Vec::new();
        for item in &b.projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    output.push(expr_output_name(e));
                    self.collect_expr(id, e, Clause::Select, None);
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    output.push(fold(self.env, alias));
                    self.collect_expr(id, expr, Clause::Select, None);
                }
                SelectItem::ExprWithAliases { expr, .. } => {
                    self.collect_expr(id, expr, Clause::Select, None);
                }
                SelectItem::Wildcard(_) => {
                    star = true;
                    for t in &b.tables {
                        output.extend(t.columns.clone().unwrap_or_default());
                    }
                }
                SelectItem::QualifiedWildcard(k, _) => {
                    star = true;
                    if let ast::SelectItemQualifiedWildcardKind::ObjectName(n) = k {
                        let q = object_name(n);
                        if let Some(t) = b.tables.iter().find(|t| self.env.ident_eq(&t.binding, &q))
                        {
                            output.extend(t.columns.clone().unwrap_or_default());
                        }
                    }
                }
            }
        }
        self.blocks[id].star = star;
        self.blocks[id].output = output;
        for (ti, t) in b.tables.iter().enumerate() {
            if let Some(on) = &t.on {
                self.collect_expr(id, on, Clause::JoinOn, Some(ti));
                for c in conjuncts(on) {
                    let p = self.predicate(id, c, Clause::JoinOn);
                    self.blocks[id].predicates.push(p);
                }
            }
            for u in &t.using {
                for (tj, other) in b.tables.iter().enumerate().take(ti + 1) {
                    if other
                        .columns
                        .as_ref()
                        .is_none_or(|cs| cs.iter().any(|c| self.env.ident_eq(c, u)) || tj == ti)
                    {
                        self.blocks[id].columns.push(ColumnUse {
                            block: id,
                            table: tj,
                            column: u.clone(),
                            clause: Clause::JoinOn,
                            outer: false,
                            own_join_on: Some(ti),
                        });
                    }
                }
            }
        }
        if let Some(w) = &b.selection {
            self.collect_expr(id, w, Clause::Where, None);
            for c in conjuncts(w) {
                let p = self.predicate(id, c, Clause::Where);
                self.blocks[id].predicates.push(p);
            }
        }
        for g in &b.group_by {
            self.collect_expr(id, g, Clause::GroupBy, None);
        }
        if let Some(h) = &b.having {
            self.collect_expr(id, h, Clause::Having, None);
        }
        for e in set_values {
            self.collect_expr(id, e, Clause::Set, None);
        }
        for o in &b.order_exprs {
            self.collect_expr(id, &o.expr, Clause::OrderBy, None);
        }
        let b = &mut self.blocks[id];
        if !b.order_exprs.is_empty() {
            b.order_by = b.order_exprs.iter().map(|o| o.to_string()).collect();
        }
        b.limit = b.limit_expr.as_ref().map(|e| e.to_string());
    }

    /// Column references of `e` (not inside nested queries), and nested queries as child blocks.
    fn collect_expr(&mut self, id: usize, e: &Expr, clause: Clause, own_on: Option<usize>) {
        let mut v = Collector {
            depth: 0,
            idents: Vec::new(),
            subqueries: Vec::new(),
            pending: Vec::new(),
            clause,
        };
        let _ = e.visit(&mut v);
        for parts in v.idents {
            if let Some(mut u) = self.resolve(id, &parts, clause) {
                if own_on.is_some() && u.block == id {
                    u.own_join_on = own_on;
                }
                self.blocks[id].columns.push(u);
            }
        }
        for (q, role) in v.subqueries {
            self.query(&q, Some(id), role);
        }
    }

    /// Resolve a column reference from block `id` outwards.
    fn resolve(&self, id: usize, parts: &[ast::Ident], clause: Clause) -> Option<ColumnUse> {
        let (qual, col) = match parts {
            [c] => (None, fold(self.env, c)),
            [.., t, c] => (Some(fold(self.env, t)), fold(self.env, c)),
            [] => return None,
        };
        let mut cur = Some(id);
        while let Some(bid) = cur {
            let b = &self.blocks[bid];
            let hit = match &qual {
                Some(q) => b
                    .tables
                    .iter()
                    .position(|t| self.env.ident_eq(&t.binding, q)),
                None => {
                    let known: Vec<usize> = b
                        .tables
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| {
                            t.columns
                                .as_ref()
                                .is_some_and(|cs| cs.iter().any(|c| self.env.ident_eq(c, &col)))
                        })
                        .map(|(i, _)| i)
                        .collect();
                    if known.len() == 1 {
                        Some(known[0])
                    } else if known.is_empty()
                        && b.tables.len() == 1
                        && b.tables[0].columns.is_none()
                        && bid == id
                    {
                        Some(0)
                    } else {
                        None
                    }
                }
            };
            if let Some(t) = hit {
                let col = b.tables[t]
                    .columns
                    .as_ref()
                    .and_then(|cs| cs.iter().find(|c| self.env.ident_eq(c, &col)).cloned())
                    .unwrap_or(col);
                return Some(ColumnUse {
                    block: bid,
                    table: t,
                    column: col,
                    clause,
                    outer: bid != id,
                    own_join_on: None,
                });
            }
            cur = b.parent;
        }
        None
    }

    fn predicate(&self, id: usize, e: &Expr, clause: Clause) -> Predicate {
        let col = |x: &Expr| -> Option<ColumnUse> {
            let parts = expr_ident_parts(x)?;
            self.resolve(id, &parts, clause)
        };
        let lit = |x: &Expr| -> Option<String> { literal_text(x) };
        let mut p = Predicate {
            clause,
            text: e.to_string(),
            op: "other".into(),
            column: None,
            value: None,
            other_column: None,
            expr: e.clone(),
        };
        match e {
            Expr::BinaryOp { left, op, right } => {
                use ast::BinaryOperator as B;
                let sym = match op {
                    B::Eq => "=",
                    B::NotEq => "<>",
                    B::Lt => "<",
                    B::LtEq => "<=",
                    B::Gt => ">",
                    B::GtEq => ">=",
                    _ => "",
                };
                if !sym.is_empty() {
                    p.op = sym.into();
                    match (col(left), col(right)) {
                        (Some(a), Some(b)) => {
                            p.column = Some(a);
                            p.other_column = Some(b);
                        }
                        (Some(a), None) => {
                            p.column = Some(a);
                            p.value = lit(right);
                        }
                        (None, Some(b)) => {
                            p.column = Some(b);
                            p.value = lit(left);
                            p.op = flip(sym).into();
                        }
                        _ => {}
                    }
                }
            }
            Expr::Between {
                expr,
                negated: false,
                low,
                ..
            } => {
                p.op = "between".into();
                p.column = col(expr);
                p.value = lit(low);
            }
            Expr::In {
                expr,
                target: ast::InTarget::List(list),
                negated,
                ..
            } => {
                p.op = if *negated { "not in" } else { "in" }.into();
                p.column = col(expr);
                p.value = Some(format!("{} values", list.len()));
            }
            Expr::Like {
                expr,
                pattern,
                negated,
                ..
            }
            | Expr::ILike {
                expr,
                pattern,
                negated,
                ..
            } => {
                p.op = if *negated { "not like" } else { "like" }.into();
                p.column = col(expr);
                p.value = lit(pattern);
            }
            Expr::IsNull(x) => {
                p.op = "is null".into();
                p.column = col(x);
            }
            Expr::IsNotNull(x) => {
                p.op = "is not null".into();
                p.column = col(x);
            }
            _ => {}
        }
        p
    }
}

fn flip(op: &str) -> &str {
    match op {
        "<" => ">",
        ">" => "<",
        "<=" => ">=",
        ">=" => "<=",
        o => o,
    }
}

/// ORDER BY, LIMIT and OFFSET of a query.
fn query_tail(q: &Query) -> (Vec<ast::OrderByExpr>, Option<Expr>, Option<Expr>) {
    let order = match &q.order_by {
        Some(ob) => match &ob.kind {
            OrderByKind::Expressions(v) => v.clone(),
            OrderByKind::All(_) => Vec::new(),
        },
        None => Vec::new(),
    };
    let (limit, offset) = match &q.limit_clause {
        Some(LimitClause::LimitOffset { limit, offset, .. }) => {
            (limit.clone(), offset.as_ref().map(|o| o.value.clone()))
        }
        Some(LimitClause::OffsetCommaLimit { offset, limit }) => {
            (Some(limit.clone()), Some(offset.clone()))
        }
        None => (None, None),
    };
    let limit = limit.or_else(|| q.fetch.as_ref().and_then(|f| f.quantity.clone()));
    (order, limit, offset)
}

/// The name a select-list expression gets as an output column, where plain.
fn expr_output_name(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => i.value.clone(),
        Expr::CompoundIdentifier(v) => v.last().map(|i| i.value.clone()).unwrap_or_default(),
        Expr::Function(f) => object_name(&f.name).to_lowercase(),
        _ => "?column?".into(),
    }
}

/// `a`, `t.a` as identifier parts.
pub fn expr_ident_parts(e: &Expr) -> Option<Vec<ast::Ident>> {
    match e {
        Expr::Identifier(i) => Some(vec![i.clone()]),
        Expr::CompoundIdentifier(v) => Some(v.clone()),
        Expr::Nested(x) => expr_ident_parts(x),
        _ => None,
    }
}

/// The text of a literal or parameter (`42`, `'x'`, `$1`, `?`, `DATE '2024-01-01'`).
pub fn literal_text(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) => Some(v.value.to_string()),
        Expr::TypedString(_) => Some(e.to_string()),
        Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => literal_text(expr).map(|s| format!("-{s}")),
        Expr::Cast { expr, .. } => literal_text(expr).map(|_| e.to_string()),
        Expr::Nested(x) => literal_text(x),
        _ => None,
    }
}

/// The AND-ed parts of a condition.
pub fn conjuncts(e: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    fn go<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
        match e {
            Expr::BinaryOp {
                left,
                op: ast::BinaryOperator::And,
                right,
            } => {
                go(left, out);
                go(right, out);
            }
            Expr::Nested(x)
                if matches!(
                    **x,
                    Expr::BinaryOp {
                        op: ast::BinaryOperator::And,
                        ..
                    }
                ) =>
            {
                go(x, out)
            }
            _ => out.push(e),
        }
    }
    go(e, &mut out);
    out
}

/// Visits one clause's expressions: identifiers at this level and nested queries with their role.
struct Collector {
    depth: usize,
    idents: Vec<Vec<ast::Ident>>,
    subqueries: Vec<(Query, Role)>,
    pending: Vec<Role>,
    clause: Clause,
}

impl Visitor for Collector {
    type Break = ();
    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if self.depth == 0 {
            let role = self.pending.pop().unwrap_or(Role::Scalar {
                clause: self.clause,
            });
            self.subqueries.push((q.clone(), role));
        }
        self.depth += 1;
        ControlFlow::Continue(())
    }
    fn post_visit_query(&mut self, _q: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }
    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        match e {
            Expr::Identifier(i) => self.idents.push(vec![i.clone()]),
            Expr::CompoundIdentifier(v) => self.idents.push(v.clone()),
            Expr::Exists { negated, .. } => self.pending.push(Role::Exists {
                negated: *negated,
                clause: self.clause,
            }),
            Expr::In {
                negated,
                target: ast::InTarget::Subquery(_),
                ..
            } => self.pending.push(Role::In {
                negated: *negated,
                clause: self.clause,
            }),
            Expr::Subquery(_) => self.pending.push(Role::Scalar {
                clause: self.clause,
            }),
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{DialectChoice, parse_text};

    fn model(sql: &str, ddl: &str) -> QueryModel {
        let cat = crate::catalog::from_sql(ddl, DialectChoice::Postgres).unwrap();
        let p = parse_text(sql, DialectChoice::Postgres, &Default::default()).unwrap();
        let env = Env {
            catalog: Some(&cat),
            dialect: Dialect::Postgres,
        };
        QueryModel::build(p.statements[0].parsed().unwrap(), &env)
    }

    const DDL: &str = "create table users (id bigint primary key, email text not null, created_at timestamptz);
        create table orders (id bigint primary key, user_id bigint references users, total numeric, status text);";

    #[test]
    fn tables_aliases_and_columns_resolve() {
        let m = model(
            "select u.email, total from users u join orders o on o.user_id = u.id where o.status = 'paid' and u.id > 10 order by created_at limit 5 offset 20",
            DDL,
        );
        let b = &m.blocks[0];
        assert_eq!(b.tables.len(), 2);
        assert_eq!(b.tables[1].binding, "o");
        assert_eq!(b.tables[1].join, JoinKind::Inner);
        assert!(
            b.columns
                .iter()
                .any(|c| c.column == "total" && c.table == 1)
        );
        assert!(
            b.columns
                .iter()
                .any(|c| c.column == "created_at" && c.table == 0 && c.clause == Clause::OrderBy)
        );
        let eq = b
            .predicates
            .iter()
            .find(|p| p.op == "=" && p.value.is_some())
            .unwrap();
        assert_eq!(eq.column.as_ref().unwrap().column, "status");
        assert_eq!(eq.value.as_deref(), Some("'paid'"));
        assert!(b.predicates.iter().any(|p| p.other_column.is_some()));
        assert_eq!(b.limit.as_deref(), Some("5"));
        assert_eq!(b.offset.as_deref(), Some("20"));
    }

    #[test]
    fn correlated_subqueries_and_ctes() {
        let m = model(
            "with big as (select * from orders where total > 100), unused as (select 1)
             select u.id, (select count(*) from orders o where o.user_id = u.id) from users u
             where exists (select 1 from big b where b.user_id = u.id)",
            DDL,
        );
        assert_eq!(m.ctes.len(), 2);
        assert_eq!(m.ctes[0].references, 1);
        assert_eq!(m.ctes[1].references, 0);
        let scalar = m
            .blocks
            .iter()
            .find(|b| {
                matches!(
                    b.role,
                    Role::Scalar {
                        clause: Clause::Select
                    }
                )
            })
            .unwrap();
        assert!(scalar.columns.iter().any(|c| c.outer && c.column == "id"));
        assert!(
            m.blocks
                .iter()
                .any(|b| matches!(b.role, Role::Exists { negated: false, .. }))
        );
    }
}

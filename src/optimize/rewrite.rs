//! Rewrites: each is built by changing a copy of the AST (or from AST pieces) and printing it,
//! states the condition under which it returns the same rows, and is re-parsed before it is
//! reported (a rewrite that does not parse is dropped).

use crate::catalog::Catalog;
use crate::query::{Block, JoinKind, QueryModel, Role, TableRef, conjuncts, expr_ident_parts};
use crate::sql::Dialect;
use schemars::JsonSchema;
use serde::Serialize;
use sqlparser::ast::{self, Expr, SetExpr, Spanned, Statement, VisitMut};
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// A rewritten statement.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Rewrite {
    /// The rule that proposed it.
    pub rule: String,
    pub title: String,
    /// The whole rewritten statement.
    pub sql: String,
    /// When it returns the same rows as the original.
    pub equivalence: String,
    /// Same rows under every data (true), or only under the stated condition / on purpose not.
    pub exact: bool,
}

/// Parse one expression in `d`.
pub fn parse_expr(text: &str, d: Dialect) -> Option<Expr> {
    let pd = d.parser_dialect();
    let mut p = Parser::new(&*pd).try_with_sql(text).ok()?;
    let e = p.parse_expr().ok()?;
    // The whole text must be the expression.
    if p.peek_token().token != sqlparser::tokenizer::Token::EOF {
        return None;
    }
    Some(e)
}

/// Whether `sql` parses as exactly one statement in `d`.
pub fn parses(sql: &str, d: Dialect) -> bool {
    let pd = d.parser_dialect();
    Parser::parse_sql(&*pd, sql).is_ok_and(|v| v.len() == 1)
}

/// Print a statement and keep it only if it parses again.
fn finish(stmt: &Statement, d: Dialect) -> Option<String> {
    let sql = stmt.to_string();
    parses(&sql, d).then_some(sql)
}

/// Replace the expression `target` (same tree and same position) by `replacement` text.
pub fn replace_expr(
    stmt: &Statement,
    target: &Expr,
    replacement: &str,
    d: Dialect,
) -> Option<String> {
    let new = parse_expr(replacement, d)?;
    let mut s = stmt.clone();
    let span = target.span();
    let mut done = false;
    let _ = ast::visit_expressions_mut(&mut s, |e| {
        if !done && e == target && e.span() == span {
            *e = Expr::Nested(Box::new(new.clone()));
            done = true;
        }
        ControlFlow::<()>::Continue(())
    });
    if !done {
        return None;
    }
    finish(&s, d)
}

/// `t.col` → `col` for index expressions.
pub fn unqualify(e: &Expr, binding: &str) -> String {
    let mut e = e.clone();
    let _ = ast::visit_expressions_mut(&mut e, |x| {
        if let Expr::CompoundIdentifier(v) = x
            && v.len() == 2
            && v[0].value.eq_ignore_ascii_case(binding)
        {
            *x = Expr::Identifier(v[1].clone());
        }
        ControlFlow::<()>::Continue(())
    });
    e.to_string()
}

/// `idx_<table>_<cols>`, at most 63 bytes.
pub fn index_name(table: &str, cols: &[&str]) -> String {
    let mut n = format!("idx_{}_{}", table, cols.join("_"));
    n = n
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    n.truncate(63);
    n
}

/// A range on the bare column equivalent to `side op other`, with its condition.
pub fn sargable_range(
    side: &Expr,
    other: &Expr,
    op: &ast::BinaryOperator,
    d: Dialect,
) -> Option<(String, String)> {
    use ast::BinaryOperator as B;
    let lit = crate::query::literal_text(other)?;
    // DATE(col) = x, col::date = x, CAST(col AS date) = x
    let date_col = match side {
        Expr::Function(f) if crate::query::object_name(&f.name).eq_ignore_ascii_case("date") => {
            first_arg(side)
        }
        Expr::Cast {
            expr,
            data_type: ast::DataType::Date,
            ..
        } => Some((**expr).clone()),
        _ => None,
    };
    if let Some(col) = date_col
        && is_col(&col)
        && *op == B::Eq
    {
        let (lo, hi) = match d {
            Dialect::Postgres => (
                format!("CAST({lit} AS date)"),
                format!("CAST({lit} AS date) + 1"),
            ),
            Dialect::Mysql => (
                format!("CAST({lit} AS date)"),
                format!("CAST({lit} AS date) + INTERVAL 1 DAY"),
            ),
            _ => (format!("date({lit})"), format!("date({lit}, '+1 day')")),
        };
        return Some((
            format!("{col} >= {lo} AND {col} < {hi}"),
            format!(
                "Same rows for a date or timestamp column: the day {lit} is the half-open range [day, next day). For timestamptz the day boundary is taken in the session time zone, as the cast did."
            ),
        ));
    }
    // EXTRACT(YEAR FROM col) = N, YEAR(col) = N
    let year_col = match side {
        Expr::Extract {
            field: ast::DateTimeField::Year,
            expr,
            ..
        } => Some((**expr).clone()),
        Expr::Function(f) if crate::query::object_name(&f.name).eq_ignore_ascii_case("year") => {
            first_arg(side)
        }
        _ => None,
    };
    if let Some(col) = year_col
        && is_col(&col)
        && *op == B::Eq
        && let Ok(y) = lit.parse::<i64>()
    {
        let (lo, hi) = match d {
            Dialect::Postgres | Dialect::Mysql => (
                format!("DATE '{y}-01-01'"),
                format!("DATE '{}-01-01'", y + 1),
            ),
            _ => (format!("'{y}-01-01'"), format!("'{}-01-01'", y + 1)),
        };
        return Some((
            format!("{col} >= {lo} AND {col} < {hi}"),
            format!(
                "Same rows for a date or timestamp column: year {y} is the half-open range [{y}-01-01, {}-01-01).",
                y + 1
            ),
        ));
    }
    // col + k op lit, col - k op lit (integers)
    if let Expr::BinaryOp {
        left,
        op: aop,
        right,
    } = side
        && is_col(left)
        && matches!(aop, B::Plus | B::Minus)
        && let (Some(k), Ok(v)) = (
            crate::query::literal_text(right).and_then(|s| s.parse::<i64>().ok()),
            lit.parse::<i64>(),
        )
    {
        let moved = if *aop == B::Plus {
            v.checked_sub(k)?
        } else {
            v.checked_add(k)?
        };
        return Some((
            format!("{left} {op} {moved}"),
            "Same rows for an integer or exact numeric column (no overflow at the edge of the type): the constant moved to the other side.".into(),
        ));
    }
    None
}

fn first_arg(e: &Expr) -> Option<Expr> {
    match e {
        Expr::Function(f) => match &f.args {
            ast::FunctionArguments::List(l) => match l.args.first()? {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(x)) => Some(x.clone()),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

fn is_col(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
}

/// How many anonymous `?` parameters `node` holds. They bind by position, so a rewrite must
/// neither copy them (a branch per OR condition) nor move them past one another.
pub fn anonymous_params<V: ast::Visit>(node: &V) -> usize {
    let mut n = 0;
    let _ = ast::visit_expressions(node, |x| {
        if let Expr::Value(v) = x
            && matches!(&v.value, ast::Value::Placeholder(p) if p == "?")
        {
            n += 1;
        }
        ControlFlow::<()>::Continue(())
    });
    n
}

/// The highest `$n` parameter of `node` (0 without one).
fn max_numbered_param<V: ast::Visit>(node: &V) -> usize {
    let mut n = 0;
    let _ = ast::visit_expressions(node, |x| {
        if let Expr::Value(v) = x
            && let ast::Value::Placeholder(p) = &v.value
            && let Some(k) = p.strip_prefix('$').and_then(|d| d.parse::<usize>().ok())
        {
            n = n.max(k);
        }
        ControlFlow::<()>::Continue(())
    });
    n
}

/// Apply `f` to the query whose body is the SELECT of a block (`span` is the block's span), at
/// any depth: the statement's own query, a CTE, a derived table, a subquery in an expression, the
/// SELECT of an INSERT or of a CREATE VIEW. The rest of the statement is left as it was.
pub fn with_block_query(
    stmt: &Statement,
    span: sqlparser::tokenizer::Span,
    f: impl FnOnce(&mut ast::Query) -> Option<()>,
) -> Option<Statement> {
    struct V<F> {
        span: sqlparser::tokenizer::Span,
        f: Option<F>,
        ok: bool,
    }
    impl<F: FnOnce(&mut ast::Query) -> Option<()>> ast::VisitorMut for V<F> {
        type Break = ();
        fn pre_visit_query(&mut self, q: &mut ast::Query) -> ControlFlow<()> {
            if matches!(q.body.as_ref(), SetExpr::Select(sel) if sel.span() == self.span)
                && let Some(f) = self.f.take()
            {
                self.ok = f(q).is_some();
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut s = stmt.clone();
    let mut v = V {
        span,
        f: Some(f),
        ok: false,
    };
    let _ = s.visit(&mut v);
    v.ok.then_some(s)
}

/// Parse one query (`SELECT ...`, a set operation, with ORDER BY / LIMIT) in `d`.
pub fn parse_query(text: &str, d: Dialect) -> Option<ast::Query> {
    let pd = d.parser_dialect();
    let mut v = Parser::parse_sql(&*pd, text).ok()?;
    if v.len() != 1 {
        return None;
    }
    match v.remove(0) {
        Statement::Query(q) => Some(*q),
        _ => None,
    }
}

fn root_select(q: &mut ast::Query) -> Option<&mut ast::Select> {
    match q.body.as_mut() {
        SetExpr::Select(s) => Some(s),
        _ => None,
    }
}

/// OFFSET → keyset pagination on the ORDER BY columns (all plain columns, one direction).
pub fn keyset(
    stmt: &Statement,
    b: &Block,
    _m: &QueryModel,
    cat: Option<&Catalog>,
    d: Dialect,
) -> Option<Rewrite> {
    if b.order_exprs.is_empty() || b.in_set_operation {
        return None;
    }
    let desc: Vec<bool> = b
        .order_exprs
        .iter()
        .map(|o| matches!(o.options.sort, Some(ast::OrderBySort::Desc)))
        .collect();
    if desc.iter().any(|x| *x != desc[0])
        || b.order_exprs
            .iter()
            .any(|o| !is_col(&o.expr) || matches!(o.options.sort, Some(ast::OrderBySort::Using(_))))
    {
        return None;
    }
    // An unqualified ORDER BY name that is an output alias sorts by the aliased expression,
    // which WHERE cannot name (or where the same name is another input column).
    let aliased = |e: &Expr| {
        let Expr::Identifier(i) = e else { return false };
        b.projection.iter().any(|p| {
            matches!(p, ast::SelectItem::ExprWithAlias { expr, alias }
                if alias.value.eq_ignore_ascii_case(&i.value)
                    && !expr_ident_parts(expr).is_some_and(|v| is_col(expr)
                        && v.last().is_some_and(|l| l.value.eq_ignore_ascii_case(&i.value))))
        })
    };
    if b.order_exprs.iter().any(|o| aliased(&o.expr)) {
        return None;
    }
    let cols: Vec<String> = b.order_exprs.iter().map(|o| o.expr.to_string()).collect();
    // Numbered after the statement's own `$n` parameters.
    let first = max_numbered_param(stmt) + 1;
    let params: Vec<String> = (first..first + cols.len())
        .map(|i| match d {
            Dialect::Postgres => format!("${i}"),
            _ => "?".to_string(),
        })
        .collect();
    let cmp = if desc[0] { "<" } else { ">" };
    let cond = if cols.len() == 1 {
        format!("{} {cmp} {}", cols[0], params[0])
    } else {
        format!("({}) {cmp} ({})", cols.join(", "), params.join(", "))
    };
    let cond_e = parse_expr(&cond, d)?;
    let s = with_block_query(stmt, b.span, |q| {
        match &mut q.limit_clause {
            Some(ast::LimitClause::LimitOffset { offset, .. }) => *offset = None,
            Some(ast::LimitClause::OffsetCommaLimit { limit, .. }) => {
                q.limit_clause = Some(ast::LimitClause::LimitOffset {
                    limit: Some(limit.clone()),
                    offset: None,
                    limit_by: Vec::new(),
                });
            }
            None => return None,
        }
        let sel = root_select(q)?;
        sel.selection = Some(match sel.selection.take() {
            Some(w) => Expr::BinaryOp {
                left: Box::new(Expr::Nested(Box::new(w))),
                op: ast::BinaryOperator::And,
                right: Box::new(cond_e),
            },
            None => cond_e,
        });
        Some(())
    })?;
    let unique_note = match cat {
        Some(_) => "",
        None => " (no schema given: check that they end with a key)",
    };
    Some(Rewrite {
        rule: "QRY007".into(),
        title: "Keyset pagination".into(),
        sql: finish(&s, d)?,
        equivalence: format!(
            "Returns the same page as OFFSET when the ORDER BY columns ({}) are unique together and NOT NULL{unique_note}, and the parameters are the values of the last row of the previous page. An index on ({}) makes each page cost the page size.",
            cols.join(", "),
            cols.join(", ")
        ),
        exact: false,
    })
}

/// The select-list item of `sel` that holds the scalar subquery of block `b`: its position, the
/// subquery and the alias it was given.
fn scalar_item(sel: &ast::Select, b: &Block) -> Option<(usize, ast::Query, Option<String>)> {
    sel.projection.iter().enumerate().find_map(|(i, p)| {
        let (e, alias) = match p {
            ast::SelectItem::UnnamedExpr(e) => (e, None),
            ast::SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
            _ => return None,
        };
        match e {
            Expr::Subquery(sq) if sq.span() == b.span || sq.body.span() == b.span => {
                Some((i, (**sq).clone(), alias))
            }
            _ => None,
        }
    })
}

/// An unqualified `*` in a select list: a join added to the FROM would add its columns.
fn bare_wildcard(projection: &[ast::SelectItem]) -> bool {
    projection
        .iter()
        .any(|p| matches!(p, ast::SelectItem::Wildcard(_)))
}

/// The block that a correlated scalar subquery (block `b`) can be joined into: one FROM item, not
/// a set-operation branch, no unqualified `*`.
fn join_parent<'m>(b: &Block, m: &'m QueryModel) -> Option<&'m Block> {
    let parent = m.blocks.get(b.parent?)?;
    (parent.from.len() == 1 && !parent.in_set_operation && !bare_wildcard(&parent.projection))
        .then_some(parent)
}

/// Moving subquery `sub` from the select list into the FROM clause would move its anonymous `?`
/// parameters past others of the statement, binding them to the wrong values.
fn moves_params(stmt: &Statement, sub: &ast::Query) -> bool {
    let inner = anonymous_params(sub);
    inner > 0 && anonymous_params(stmt) > inner
}

/// The Join node of `LEFT JOIN <text>`, parsed from a skeleton instead of built by hand.
fn parse_join(text: &str, d: Dialect) -> Option<ast::Join> {
    let q = parse_query(&format!("SELECT 1 FROM x {text}"), d)?;
    let SetExpr::Select(sel) = *q.body else {
        return None;
    };
    sel.from.into_iter().next()?.joins.into_iter().next()
}

/// A correlated scalar subquery in the select list → LEFT JOIN LATERAL.
pub fn lateral(stmt: &Statement, b: &Block, m: &QueryModel, d: Dialect) -> Option<Rewrite> {
    if d == Dialect::Sqlite {
        return None;
    }
    let parent = join_parent(b, m)?;
    let mut at_most_one = false;
    let s = with_block_query(stmt, parent.span, |q| {
        let sel = root_select(q)?;
        let (pos, sub, alias) = scalar_item(sel, b)?;
        if moves_params(stmt, &sub) {
            return None;
        }
        let SetExpr::Select(inner) = sub.body.as_ref() else {
            return None;
        };
        if inner.projection.len() != 1 {
            return None;
        }
        let inner_agg = matches!(
            &inner.projection[0],
            ast::SelectItem::UnnamedExpr(Expr::Function(_))
                | ast::SelectItem::ExprWithAlias {
                    expr: Expr::Function(_),
                    ..
                }
        ) && matches!(inner.group_by, ast::GroupByExpr::Expressions(ref v, _) if v.is_empty());
        at_most_one = inner_agg || sub.limit_clause.as_ref().is_some_and(|l| matches!(l, ast::LimitClause::LimitOffset { limit: Some(Expr::Value(v)), .. } if v.value.to_string() == "1"));
        let lat = format!("lat{}", pos + 1);
        let col = alias.clone().unwrap_or_else(|| "v".to_string());
        let mut sub2 = sub.clone();
        if let SetExpr::Select(s2) = sub2.body.as_mut() {
            let e = match &s2.projection[0] {
                ast::SelectItem::UnnamedExpr(e)
                | ast::SelectItem::ExprWithAlias { expr: e, .. } => e.clone(),
                _ => return None,
            };
            s2.projection = vec![ast::SelectItem::ExprWithAlias {
                expr: e,
                alias: ast::Ident::new(col.clone()),
            }];
        }
        let join = parse_join(&format!("LEFT JOIN LATERAL ({sub2}) AS {lat} ON true"), d)?;
        let new_item = parse_expr(&format!("{lat}.{col}"), d)?;
        sel.projection[pos] = ast::SelectItem::ExprWithAlias {
            expr: new_item,
            alias: ast::Ident::new(alias.clone().unwrap_or_else(|| col.clone())),
        };
        sel.from[0].joins.push(join);
        Some(())
    })?;
    Some(Rewrite {
        rule: "QRY010".into(),
        title: "LEFT JOIN LATERAL".into(),
        sql: finish(&s, d)?,
        equivalence: if at_most_one {
            "Same rows: the subquery returns at most one row (an aggregate without GROUP BY, or LIMIT 1), and LEFT JOIN ... ON true keeps outer rows without a match with NULL, as the scalar subquery did. Needs PostgreSQL 9.3+ or MySQL 8.0.14+ (MariaDB has no LATERAL).".into()
        } else {
            "Same rows only if the subquery returns at most one row per outer row (the scalar subquery would fail with more); add LIMIT 1 or an aggregate to guarantee it.".into()
        },
        exact: at_most_one,
    })
}

/// Aggregates whose value over no rows is known: `count` gives 0, the others NULL.
const GROUPABLE_AGGREGATES: &[&str] = &["count", "sum", "min", "max", "avg"];

/// Which side of a correlated subquery an identifier belongs to: `Some(true)` the outer query,
/// `Some(false)` the subquery's own tables, `None` unknown.
fn ident_side(e: &Expr, b: &Block, parent: &Block) -> Option<bool> {
    match e {
        Expr::CompoundIdentifier(v) if v.len() >= 2 => {
            let q = &v[v.len() - 2].value;
            if b.tables.iter().any(|t| t.binding.eq_ignore_ascii_case(q)) {
                Some(false)
            } else if parent
                .tables
                .iter()
                .any(|t| t.binding.eq_ignore_ascii_case(q))
            {
                Some(true)
            } else {
                None
            }
        }
        Expr::Identifier(i) => {
            if b.columns
                .iter()
                .any(|c| !c.outer && c.column.eq_ignore_ascii_case(&i.value))
            {
                Some(false)
            } else if b
                .columns
                .iter()
                .any(|c| c.outer && c.block == parent.id && c.column.eq_ignore_ascii_case(&i.value))
            {
                Some(true)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The identifiers of `e` by side: (reads the outer query, reads the subquery's tables); `None`
/// when one cannot be placed or `e` holds a subquery.
fn sides(e: &Expr, b: &Block, parent: &Block) -> Option<(bool, bool)> {
    let (mut outer, mut inner, mut unknown) = (false, false, false);
    let _ = ast::visit_expressions(e, |x| {
        match x {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => match ident_side(x, b, parent) {
                Some(true) => outer = true,
                Some(false) => inner = true,
                None => unknown = true,
            },
            Expr::Subquery(_)
            | Expr::Exists { .. }
            | Expr::In {
                target: ast::InTarget::Subquery(_),
                ..
            } => unknown = true,
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    (!unknown).then_some((outer, inner))
}

/// The catalog type family of a plain column of block `blk` (by binding or unqualified name).
fn column_family(
    e: &Expr,
    blk: &Block,
    m: &QueryModel,
    cat: Option<&Catalog>,
) -> Option<crate::catalog::TypeFamily> {
    let parts = expr_ident_parts(e)?;
    let name = &parts.last()?.value;
    let t = if parts.len() >= 2 {
        let q = &parts[parts.len() - 2].value;
        blk.tables
            .iter()
            .find(|t| t.binding.eq_ignore_ascii_case(q))?
    } else {
        let u = blk
            .columns
            .iter()
            .find(|c| c.column.eq_ignore_ascii_case(name))?;
        m.blocks.get(u.block)?.tables.get(u.table)?
    };
    let ct = cat?.table(t.catalog.as_ref()?)?;
    Some(ct.column(name)?.data_type.family)
}

/// A correlated scalar aggregate in the select list → LEFT JOIN to the subquery grouped by its
/// correlation columns (works where LATERAL does not: SQLite, MariaDB, MySQL before 8.0.14).
pub fn grouped_join(
    stmt: &Statement,
    b: &Block,
    m: &QueryModel,
    cat: Option<&Catalog>,
    d: Dialect,
) -> Option<Rewrite> {
    let parent = join_parent(b, m)?;
    if !parent.group_by.is_empty() || parent.having.is_some() || parent.distinct {
        return None;
    }
    if !b.group_by.is_empty()
        || b.having.is_some()
        || b.distinct
        || b.limit_expr.is_some()
        || b.offset_expr.is_some()
        || !b.order_exprs.is_empty()
        || b.in_set_operation
        || b.projection.len() != 1
        || b.tables.is_empty()
    {
        return None;
    }
    let agg = match &b.projection[0] {
        ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => e,
        _ => return None,
    };
    let Expr::Function(f) = agg else { return None };
    let fname = crate::query::object_name(&f.name).to_lowercase();
    if !GROUPABLE_AGGREGATES.contains(&fname.as_str()) || f.over.is_some() {
        return None;
    }
    // The aggregate reads only the subquery's tables.
    if sides(agg, b, parent)?.0 {
        return None;
    }
    // The outer query is read only in WHERE: the FROM clause (an ON condition, a function's
    // arguments, a derived table) moves into a derived table that cannot see it.
    let mut outer_in_from = b
        .columns
        .iter()
        .any(|c| c.outer && c.clause != crate::query::Clause::Where);
    for twj in &b.from {
        let _ = ast::visit_expressions(twj, |x| {
            if matches!(x, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
                && ident_side(x, b, parent) == Some(true)
            {
                outer_in_from = true;
            }
            ControlFlow::<()>::Continue(())
        });
    }
    if outer_in_from {
        return None;
    }
    // WHERE: conjuncts reading the outer query must be `inner column = outer column`.
    let mut keys: Vec<(Expr, Expr)> = Vec::new();
    let mut keep: Vec<String> = Vec::new();
    for c in conjuncts(b.selection.as_ref()?) {
        let (outer, _) = sides(c, b, parent)?;
        if !outer {
            keep.push(format!("({c})"));
            continue;
        }
        let Expr::BinaryOp {
            left,
            op: ast::BinaryOperator::Eq,
            right,
        } = c
        else {
            return None;
        };
        let (l, r) = (
            is_col(left).then(|| ident_side(left, b, parent)).flatten(),
            is_col(right)
                .then(|| ident_side(right, b, parent))
                .flatten(),
        );
        match (l, r) {
            (Some(false), Some(true)) => keys.push(((**left).clone(), (**right).clone())),
            (Some(true), Some(false)) => keys.push(((**right).clone(), (**left).clone())),
            _ => return None,
        }
    }
    if keys.is_empty() {
        return None;
    }
    let g = format!("grp{}", b.id);
    let from: Vec<String> = b.from.iter().map(|t| t.to_string()).collect();
    let key_list: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, (k, _))| format!("{k} AS {g}_k{}", i + 1))
        .collect();
    let group: Vec<String> = keys.iter().map(|(k, _)| k.to_string()).collect();
    let on: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, (_, o))| format!("{g}.{g}_k{} = {o}", i + 1))
        .collect();
    let derived = format!(
        "SELECT {}, {agg} AS {g}_v FROM {}{} GROUP BY {}",
        key_list.join(", "),
        from.join(", "),
        if keep.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", keep.join(" AND "))
        },
        group.join(", ")
    );
    let join = parse_join(
        &format!("LEFT JOIN ({derived}) AS {g} ON {}", on.join(" AND ")),
        d,
    )?;
    let value = if fname == "count" {
        format!("COALESCE({g}.{g}_v, 0)")
    } else {
        format!("{g}.{g}_v")
    };
    let new_item = parse_expr(&value, d)?;
    let s = with_block_query(stmt, parent.span, |q| {
        let sel = root_select(q)?;
        let (pos, sub, alias) = scalar_item(sel, b)?;
        if moves_params(stmt, &sub) {
            return None;
        }
        sel.projection[pos] = ast::SelectItem::ExprWithAlias {
            expr: new_item,
            alias: ast::Ident::new(alias.unwrap_or_else(|| fname.clone())),
        };
        sel.from[0].joins.push(join);
        Some(())
    })?;
    // Same types on both sides of each key: no conversion can make values that group apart
    // compare equal to one outer value.
    let typed = keys.iter().all(|(k, o)| {
        matches!(
            (column_family(k, b, m, cat), column_family(o, parent, m, cat)),
            (Some(x), Some(y)) if x == y
        )
    });
    let empty = if fname == "count" {
        "COALESCE(..., 0) gives the 0 that COUNT returns over no rows"
    } else {
        "the LEFT JOIN gives the NULL that the aggregate returns over no rows"
    };
    let pairs: Vec<String> = keys.iter().map(|(k, o)| format!("{k} = {o}")).collect();
    Some(Rewrite {
        rule: "QRY010".into(),
        title: "LEFT JOIN to the grouped subquery".into(),
        sql: finish(&s, d)?,
        equivalence: format!(
            "Same rows: the subquery is one aggregate ({fname}) correlated only by equality ({}), so grouping it by those columns computes every outer row's value at once; the join matches at most one group per outer row, a NULL key matches nothing in both forms, and for outer rows without a group {empty}. {}",
            pairs.join(", "),
            if typed {
                "Both sides of each equality have the same type."
            } else {
                "Holds when both sides of each equality have the same type (and collation): with a conversion, values that group apart could compare equal to one outer value (give the schema to check)."
            }
        ),
        exact: typed,
    })
}

/// SELECT DISTINCT a.* FROM a JOIN b ... → SELECT a.* FROM a WHERE EXISTS (SELECT 1 FROM b ...).
pub fn distinct_to_exists(
    stmt: &Statement,
    b: &Block,
    m: &QueryModel,
    cat: Option<&Catalog>,
    d: Dialect,
) -> Option<Rewrite> {
    if b.in_set_operation
        || b.from.len() != 1
            && b.tables
                .iter()
                .any(|t| t.join != JoinKind::Comma && t.join != JoinKind::From)
    {
        return None;
    }
    let t0 = &b.tables[0];
    // Conditions: ON clauses of the joined tables and WHERE conjuncts.
    let mut inner_conds: Vec<String> = Vec::new();
    let mut outer_conds: Vec<String> = Vec::new();
    for t in b.tables.iter().skip(1) {
        if !t.using.is_empty() {
            return None;
        }
        if let Some(on) = &t.on {
            inner_conds.push(format!("({on})"));
        }
    }
    if let Some(w) = &b.selection {
        for c in conjuncts(w) {
            // A conjunct stays outside when it reads only the first table.
            let mut only_first = true;
            let _ = ast::visit_expressions(c, |x| {
                if let Some(parts) = expr_ident_parts(x)
                    && matches!(x, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
                {
                    let on_first = if parts.len() >= 2 {
                        parts[parts.len() - 2]
                            .value
                            .eq_ignore_ascii_case(&t0.binding)
                    } else {
                        b.columns
                            .iter()
                            .any(|u| u.table == 0 && u.column.eq_ignore_ascii_case(&parts[0].value))
                    };
                    if !on_first {
                        only_first = false;
                    }
                }
                if matches!(x, Expr::Subquery(_) | Expr::Exists { .. } | Expr::In { .. }) {
                    only_first = false;
                }
                ControlFlow::<()>::Continue(())
            });
            if only_first {
                outer_conds.push(format!("({c})"));
            } else {
                inner_conds.push(format!("({c})"));
            }
        }
    }
    if inner_conds.is_empty() {
        return None;
    }
    let others: Vec<String> = b
        .tables
        .iter()
        .skip(1)
        .map(|t| {
            if t.binding != t.name && !t.name.is_empty() {
                format!("{} AS {}", t.name, t.binding)
            } else {
                t.name.clone()
            }
        })
        .collect();
    if others.iter().any(|o| o.is_empty()) {
        return None;
    }
    // Keep DISTINCT unless the select list holds the first table's primary key.
    let key_in_output = t0
        .catalog
        .as_ref()
        .and_then(|n| cat?.table(n))
        .and_then(|t| t.primary_key.as_ref())
        .is_some_and(|k| {
            k.columns.iter().all(|c| {
                b.columns.iter().any(|u| {
                    u.table == 0
                        && u.clause == crate::query::Clause::Select
                        && u.column.eq_ignore_ascii_case(c)
                })
            })
        });
    let proj: Vec<String> = b.projection.iter().map(|p| p.to_string()).collect();
    let from0 = if t0.binding != t0.name {
        format!("{} AS {}", t0.name, t0.binding)
    } else {
        t0.name.clone()
    };
    let mut where_parts = outer_conds.clone();
    where_parts.push(format!(
        "EXISTS (SELECT 1 FROM {} WHERE {})",
        others.join(", "),
        inner_conds.join(" AND ")
    ));
    let head = format!(
        "SELECT {}{} FROM {} WHERE {}",
        if key_in_output { "" } else { "DISTINCT " },
        proj.join(", "),
        from0,
        where_parts.join(" AND "),
    );
    let _ = m;
    // Replace the block's query in place (keeping its WITH, ORDER BY and LIMIT).
    let s = with_block_query(stmt, b.span, |q| {
        let new = parse_query(&head, d)?;
        q.body = new.body;
        Some(())
    })?;
    let sql = finish(&s, d)?;
    Some(Rewrite {
        rule: "QRY011".into(),
        title: "EXISTS instead of JOIN + DISTINCT".into(),
        sql,
        equivalence: if key_in_output {
            "Same rows: the joined tables only filter (none of their columns is selected), EXISTS keeps each row of the first table once, and the select list contains its primary key, so DISTINCT had nothing else to remove.".into()
        } else {
            "Same rows: the joined tables only filter; DISTINCT is kept because the select list does not contain the first table's primary key.".into()
        },
        exact: true,
    })
}

/// Remove a LEFT JOIN whose table is never read.
pub fn drop_join(stmt: &Statement, b: &Block, t: &TableRef, d: Dialect) -> Option<Rewrite> {
    let s = with_block_query(stmt, b.span, |q| {
        let sel = root_select(q)?;
        let item = sel.from.get_mut(t.from_item)?;
        let before = item.joins.len();
        item.joins.retain(|j| j.relation.span() != t.span && !matches!(&j.relation, ast::TableFactor::Table { name, .. } if name.span() == t.span));
        (item.joins.len() < before).then_some(())
    })?;
    Some(Rewrite {
        rule: "QRY018".into(),
        title: format!("Remove LEFT JOIN {}", t.binding),
        sql: finish(&s, d)?,
        equivalence: format!(
            "Same rows: {} is never read and its ON clause fixes a unique key, so the LEFT JOIN neither adds nor removes rows.",
            t.binding
        ),
        exact: true,
    })
}

/// Every UNION (distinct) → UNION ALL.
pub fn union_all(stmt: &Statement, d: Dialect) -> Option<String> {
    let mut s = stmt.clone();
    struct V;
    impl ast::VisitorMut for V {
        type Break = ();
        fn pre_visit_query(&mut self, q: &mut ast::Query) -> ControlFlow<()> {
            fn go(s: &mut SetExpr) {
                if let SetExpr::SetOperation {
                    left,
                    op: ast::SetOperator::Union,
                    set_quantifier,
                    right,
                } = s
                {
                    if matches!(
                        set_quantifier,
                        ast::SetQuantifier::None | ast::SetQuantifier::Distinct
                    ) {
                        *set_quantifier = ast::SetQuantifier::All;
                    }
                    go(left);
                    go(right);
                }
            }
            go(&mut q.body);
            ControlFlow::Continue(())
        }
    }
    let _ = s.visit(&mut V);
    finish(&s, d)
}

/// Remove an unread CTE.
pub fn drop_cte(stmt: &Statement, name: &str, d: Dialect) -> Option<Rewrite> {
    let mut s = stmt.clone();
    let Statement::Query(q) = &mut s else {
        return None;
    };
    let w = q.with.as_mut()?;
    let before = w.cte_tables.len();
    w.cte_tables
        .retain(|c| !c.alias.name.value.eq_ignore_ascii_case(name));
    if w.cte_tables.len() == before {
        return None;
    }
    if w.cte_tables.is_empty() {
        q.with = None;
    }
    Some(Rewrite {
        rule: "QRY017".into(),
        title: format!("Remove CTE {name}"),
        sql: finish(&s, d)?,
        equivalence: "Same rows: nothing reads the CTE (a data-modifying CTE — INSERT/UPDATE/DELETE ... RETURNING — would still run and must be kept).".into(),
        exact: true,
    })
}

/// Functions whose value changes from one evaluation to the next: a condition calling one may be
/// true in one UNION branch and not in the other.
const VOLATILE: &[&str] = &[
    "random",
    "rand",
    "uuid",
    "gen_random_uuid",
    "uuid_generate_v4",
    "newid",
    "nextval",
    "clock_timestamp",
    "timeofday",
    "sysdate",
    "random_bytes",
    "randomblob",
];

/// Aggregates and window functions: a select list using them cannot be split into UNION branches.
const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "min",
    "max",
    "avg",
    "array_agg",
    "string_agg",
    "group_concat",
    "json_agg",
    "jsonb_agg",
    "json_arrayagg",
    "json_objectagg",
    "bool_and",
    "bool_or",
    "every",
    "bit_and",
    "bit_or",
    "stddev",
    "variance",
    "percentile_cont",
    "percentile_disc",
    "mode",
    "stddev_pop",
    "stddev_samp",
    "std",
    "var_pop",
    "var_samp",
    "bit_xor",
    "total",
    "json_group_array",
    "json_group_object",
    "json_object_agg",
    "jsonb_object_agg",
    "xmlagg",
    "range_agg",
    "range_intersect_agg",
    "any_value",
    "listagg",
    "median",
    "corr",
    "covar_pop",
    "covar_samp",
    "regr_avgx",
    "regr_avgy",
    "regr_count",
    "regr_intercept",
    "regr_r2",
    "regr_slope",
    "regr_sxx",
    "regr_sxy",
    "regr_syy",
    "count_big",
];

/// Whether `e` calls a window function or one of `names`; with [`AGGREGATES`], also a call that
/// only an aggregate can be (DISTINCT or ORDER BY among its arguments, FILTER, WITHIN GROUP), so
/// that a user-defined aggregate is caught too.
fn calls_any<V: ast::Visit>(e: &V, names: &[&str]) -> bool {
    let aggregates = std::ptr::eq(names, AGGREGATES);
    let mut yes = false;
    let _ = ast::visit_expressions(e, |x| {
        if let Expr::Function(f) = x {
            let shape = aggregates
                && (f.filter.is_some()
                    || !f.within_group.is_empty()
                    || matches!(&f.args, ast::FunctionArguments::List(l)
                        if l.duplicate_treatment.is_some() || !l.clauses.is_empty()));
            if shape
                || f.over.is_some()
                || names.contains(
                    &crate::query::object_name(&f.name)
                        .to_lowercase()
                        .rsplit('.')
                        .next()
                        .unwrap_or_default(),
                )
            {
                yes = true;
            }
        }
        ControlFlow::<()>::Continue(())
    });
    yes
}

/// A FROM clause that can give different rows each time it is read: TABLESAMPLE, a volatile
/// call or window function (in a derived table, a function's arguments), or a derived table
/// with LIMIT but no ORDER BY.
fn volatile_from(from: &[ast::TableWithJoins]) -> bool {
    struct V(bool);
    impl ast::Visitor for V {
        type Break = ();
        fn pre_visit_table_factor(&mut self, t: &ast::TableFactor) -> ControlFlow<()> {
            if matches!(
                t,
                ast::TableFactor::Table {
                    sample: Some(_),
                    ..
                }
            ) {
                self.0 = true;
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_query(&mut self, q: &ast::Query) -> ControlFlow<()> {
            let ordered = q.order_by.as_ref().is_some_and(
                |o| matches!(&o.kind, ast::OrderByKind::Expressions(v) if !v.is_empty()),
            );
            if (q.limit_clause.is_some() || q.fetch.is_some()) && !ordered {
                self.0 = true;
            }
            ControlFlow::Continue(())
        }
    }
    let mut v = V(false);
    for twj in from {
        let _ = ast::Visit::visit(twj, &mut v);
    }
    v.0 || from.iter().any(|twj| calls_any(twj, VOLATILE))
}

/// The output column that `ORDER BY x` of a single SELECT names once the ORDER BY follows a
/// set operation, where only output names resolve: `None` unless it is the same value.
fn union_order_name(x: &Expr, sel: &ast::Select, b: &Block) -> Option<ast::Ident> {
    let parts = expr_ident_parts(x)?;
    let name = parts.last()?.clone();
    let eq = |i: &ast::Ident| i.value.eq_ignore_ascii_case(&name.value);
    if parts.len() == 1 {
        // An output name first, as in the original; else an input column that `*` outputs.
        let visible = b.output.iter().any(|n| n.eq_ignore_ascii_case(&name.value))
            || (b.star && b.tables.len() == 1);
        return visible.then_some(name);
    }
    // `q.c` names the input column: the output column called `c` must be that column, and be
    // the only output column of that name.
    let qual = &parts[parts.len() - 2];
    let binds = |t: &crate::query::TableRef| t.binding.eq_ignore_ascii_case(&qual.value);
    let is_it = |e: &Expr| {
        is_col(e)
            && expr_ident_parts(e).is_some_and(|v| {
                v.last().is_some_and(eq)
                    && if v.len() >= 2 {
                        v[v.len() - 2].value.eq_ignore_ascii_case(&qual.value)
                    } else {
                        b.tables.len() == 1 && binds(&b.tables[0])
                    }
            })
    };
    let (mut named, mut same) = (0usize, false);
    for p in &sel.projection {
        match p {
            ast::SelectItem::UnnamedExpr(e) => {
                if is_col(e) {
                    if expr_ident_parts(e)?.last().is_some_and(eq) {
                        named += 1;
                        same = is_it(e);
                    }
                } else if let Expr::Function(f) = e
                    && crate::query::object_name(&f.name).eq_ignore_ascii_case(&name.value)
                {
                    // PostgreSQL names a computed column after its function.
                    named += 1;
                    same = false;
                }
            }
            ast::SelectItem::ExprWithAlias { expr, alias } => {
                if eq(alias) {
                    named += 1;
                    same = is_it(expr);
                }
            }
            ast::SelectItem::Wildcard(_) => {
                if b.tables.len() != 1 || !binds(&b.tables[0]) {
                    return None;
                }
                named += 1;
                same = true;
            }
            ast::SelectItem::QualifiedWildcard(
                ast::SelectItemQualifiedWildcardKind::ObjectName(n),
                _,
            ) => {
                let q = crate::query::object_name(n);
                let t = b
                    .tables
                    .iter()
                    .find(|t| t.binding.eq_ignore_ascii_case(&q))?;
                if binds(t) {
                    named += 1;
                    same = true;
                } else {
                    match &t.columns {
                        Some(cs) if !cs.iter().any(|c| c.eq_ignore_ascii_case(&name.value)) => {}
                        _ => return None,
                    }
                }
            }
            _ => return None,
        }
    }
    (named == 1 && same).then_some(name)
}

/// The disjuncts of an OR, through parentheses.
pub fn disjuncts(e: &Expr) -> Vec<&Expr> {
    fn go<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
        match e {
            Expr::BinaryOp {
                left,
                op: ast::BinaryOperator::Or,
                right,
            } => {
                go(left, out);
                go(right, out);
            }
            Expr::Nested(x) => go(x, out),
            _ => out.push(e),
        }
    }
    let mut v = Vec::new();
    go(e, &mut v);
    v
}

fn and_all(parts: Vec<Expr>) -> Option<Expr> {
    parts.into_iter().reduce(|l, r| Expr::BinaryOp {
        left: Box::new(l),
        op: ast::BinaryOperator::And,
        right: Box::new(r),
    })
}

fn nested(e: &Expr) -> Expr {
    match e {
        Expr::Nested(_) | Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_) => {
            e.clone()
        }
        _ => Expr::Nested(Box::new(e.clone())),
    }
}

/// `WHERE rest AND (A OR B)` → `... WHERE rest AND A UNION ALL ... WHERE rest AND B AND (A) IS
/// NOT TRUE`: each row of the original comes from exactly one branch, so the multiset of rows
/// is the same (with DISTINCT: plain UNION of the branches). `or` is the WHERE conjunct.
pub fn or_union(stmt: &Statement, b: &Block, or: &Expr, d: Dialect) -> Option<Rewrite> {
    if b.in_set_operation
        || !b.group_by.is_empty()
        || b.having.is_some()
        || matches!(b.role, Role::DmlTarget)
    {
        return None;
    }
    let parts = disjuncts(or);
    if parts.len() < 2 || parts.iter().any(|p| calls_any(*p, VOLATILE)) {
        return None;
    }
    let mut distinct = false;
    let mut order_note = false;
    let mut limited = false;
    let s = with_block_query(stmt, b.span, |q| {
        let sel = match q.body.as_ref() {
            SetExpr::Select(s) => (**s).clone(),
            _ => return None,
        };
        if sel.top.is_some()
            || anonymous_params(&sel) > 0
            || volatile_from(&sel.from)
            || sel.into.is_some()
            || matches!(sel.distinct, Some(ast::Distinct::On(_)))
            || sel.projection.iter().any(|p| match p {
                ast::SelectItem::UnnamedExpr(e)
                | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                    calls_any(e, AGGREGATES) || calls_any(e, VOLATILE)
                }
                _ => false,
            })
        {
            return None;
        }
        distinct = sel.distinct.is_some();
        // LIMIT without ORDER BY returns any n rows: there is no "same rows" to keep.
        let has_order = q
            .order_by
            .as_ref()
            .is_some_and(|o| matches!(&o.kind, ast::OrderByKind::Expressions(v) if !v.is_empty()));
        // Row locks are not allowed with UNION; FETCH FIRST without ORDER BY is LIMIT's case.
        if !q.locks.is_empty() || ((q.limit_clause.is_some() || q.fetch.is_some()) && !has_order) {
            return None;
        }
        limited = q.limit_clause.is_some() || q.fetch.is_some();
        // ORDER BY moves after the last branch, where only output column names (or positions)
        // resolve.
        if let Some(o) = q.order_by.as_mut() {
            let ast::OrderByKind::Expressions(v) = &mut o.kind else {
                return None;
            };
            for ob in v.iter_mut() {
                match &ob.expr {
                    Expr::Value(_) => {}
                    x if is_col(x) => {
                        ob.expr = Expr::Identifier(union_order_name(x, &sel, b)?);
                    }
                    _ => return None,
                }
            }
            order_note = true;
        }
        let w = sel.selection.as_ref()?;
        let cs = conjuncts(w);
        let at = cs
            .iter()
            .position(|c| *c == or && c.span() == or.span())
            .or_else(|| {
                cs.iter().position(|c| {
                    let mut x = *c;
                    while let Expr::Nested(i) = x {
                        x = i;
                    }
                    x == or && x.span() == or.span()
                })
            })?;
        let rest: Vec<Expr> = cs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != at)
            .map(|(_, c)| nested(c))
            .collect();
        let mut branches: Vec<SetExpr> = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            let mut conds = rest.clone();
            conds.push(nested(p));
            if !distinct {
                for earlier in &parts[..i] {
                    conds.push(Expr::IsNotTrue(Box::new(Expr::Nested(Box::new(
                        (*earlier).clone(),
                    )))));
                }
            }
            let mut bsel = sel.clone();
            bsel.selection = and_all(conds);
            branches.push(SetExpr::Select(Box::new(bsel)));
        }
        let quant = if distinct {
            ast::SetQuantifier::None
        } else {
            ast::SetQuantifier::All
        };
        let union = branches.into_iter().reduce(|l, r| SetExpr::SetOperation {
            op: ast::SetOperator::Union,
            set_quantifier: quant,
            left: Box::new(l),
            right: Box::new(r),
        })?;
        *q.body = union;
        Some(())
    })?;
    let n = parts.len();
    Some(Rewrite {
        rule: "QRY019".into(),
        title: if distinct {
            "UNION of the OR branches".into()
        } else {
            "UNION ALL of the OR branches".into()
        },
        sql: finish(&s, d)?,
        equivalence: format!(
            "{}{}",
            if distinct {
                format!(
                    "Same rows for any data: SELECT DISTINCT over rows meeting any of the {n} conditions equals the UNION (which removes duplicates) of the {n} DISTINCT branches."
                )
            } else {
                format!(
                    "Same rows, duplicates included, for any data: branch k keeps the rows whose k-th condition is true and whose earlier conditions are not true (false or NULL: `IS NOT TRUE`), so every row of the original comes from exactly one of the {n} branches. Holds because the conditions are deterministic (no random() or other volatile call). Each branch can use the index on its own column."
                )
            },
            match (order_note, limited) {
                (true, true) =>
                    " ORDER BY and LIMIT apply to the whole union: they follow the last branch and name output columns. With LIMIT, rows tied on the ORDER BY at the limit may be picked differently, as between two runs of the original: order by a unique key to fix the page.",
                (true, false) =>
                    " ORDER BY applies to the whole union: it follows the last branch and names output columns.",
                _ => "",
            }
        ),
        exact: true,
    })
}

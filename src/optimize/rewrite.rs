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

/// Apply `f` to the statement's top-level SELECT (Statement::Query with a plain SELECT body).
fn with_root_select(
    stmt: &Statement,
    f: impl FnOnce(&mut ast::Query) -> Option<()>,
) -> Option<Statement> {
    let mut s = stmt.clone();
    let Statement::Query(q) = &mut s else {
        return None;
    };
    if !matches!(q.body.as_ref(), SetExpr::Select(_)) {
        return None;
    }
    f(q)?;
    Some(s)
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
    if b.role != Role::Root || b.order_exprs.is_empty() || b.in_set_operation {
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
    let cols: Vec<String> = b.order_exprs.iter().map(|o| o.expr.to_string()).collect();
    let params: Vec<String> = (1..=cols.len())
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
    let s = with_root_select(stmt, |q| {
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

/// A correlated scalar subquery in the select list → LEFT JOIN LATERAL.
pub fn lateral(stmt: &Statement, b: &Block, m: &QueryModel, d: Dialect) -> Option<Rewrite> {
    if d == Dialect::Sqlite {
        return None;
    }
    let parent = m.blocks.get(b.parent?)?;
    if parent.role != Role::Root || parent.from.len() != 1 || parent.in_set_operation {
        return None;
    }
    let Statement::Query(q) = stmt else {
        return None;
    };
    let SetExpr::Select(sel) = q.body.as_ref() else {
        return None;
    };
    // Find the projection item holding this subquery.
    let (pos, sub, alias) = sel.projection.iter().enumerate().find_map(|(i, p)| {
        let (e, alias) = match p {
            ast::SelectItem::UnnamedExpr(e) => (e, None),
            ast::SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
            _ => return None,
        };
        match e {
            Expr::Subquery(sq) if sq.span() == b.span || sq.body.span() == b.span => {
                Some((i, sq.clone(), alias))
            }
            _ => None,
        }
    })?;
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
    let at_most_one = inner_agg || sub.limit_clause.as_ref().is_some_and(|l| matches!(l, ast::LimitClause::LimitOffset { limit: Some(Expr::Value(v)), .. } if v.value.to_string() == "1"));
    let lat = format!("lat{}", pos + 1);
    let col = alias.clone().unwrap_or_else(|| "v".to_string());
    let mut sub2 = (*sub).clone();
    if let SetExpr::Select(s2) = sub2.body.as_mut() {
        let e = match &s2.projection[0] {
            ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                e.clone()
            }
            _ => return None,
        };
        s2.projection = vec![ast::SelectItem::ExprWithAlias {
            expr: e,
            alias: ast::Ident::new(col.clone()),
        }];
    }
    let kw = "LEFT JOIN LATERAL";
    // Parse a skeleton to obtain the Join node instead of building it by hand.
    let skeleton = format!("SELECT 1 FROM x {kw} ({sub2}) AS {lat} ON true");
    let pd = d.parser_dialect();
    let parsed = Parser::parse_sql(&*pd, &skeleton).ok()?;
    let Statement::Query(sq) = parsed.into_iter().next()? else {
        return None;
    };
    let SetExpr::Select(ssel) = *sq.body else {
        return None;
    };
    let join = ssel.from.into_iter().next()?.joins.into_iter().next()?;
    let new_item = parse_expr(&format!("{lat}.{col}"), d)?;
    let s = with_root_select(stmt, |q| {
        let sel = root_select(q)?;
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

/// SELECT DISTINCT a.* FROM a JOIN b ... → SELECT a.* FROM a WHERE EXISTS (SELECT 1 FROM b ...).
pub fn distinct_to_exists(
    stmt: &Statement,
    b: &Block,
    m: &QueryModel,
    cat: Option<&Catalog>,
    d: Dialect,
) -> Option<Rewrite> {
    if b.role != Role::Root
        || b.in_set_operation
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
    let Statement::Query(q) = stmt else {
        return None;
    };
    let tail = {
        let mut t = String::new();
        if let Some(o) = &q.order_by {
            t.push(' ');
            t.push_str(&o.to_string());
        }
        if let Some(l) = &q.limit_clause {
            t.push_str(&l.to_string());
        }
        t
    };
    let sql = format!(
        "SELECT {}{} FROM {} WHERE {}{}",
        if key_in_output { "" } else { "DISTINCT " },
        proj.join(", "),
        from0,
        where_parts.join(" AND "),
        tail
    );
    let _ = m;
    parses(&sql, d).then(|| Rewrite {
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
pub fn drop_join(stmt: &Statement, t: &TableRef, d: Dialect) -> Option<Rewrite> {
    let s = with_root_select(stmt, |q| {
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

//! The QRY checks: each reads the query model (and the AST for rewrites), the catalog and the
//! statistics, and reports findings with exact spans and, where one exists, a rewrite with the
//! condition under which it returns the same rows.

use super::rewrite::{self, Rewrite};
use crate::catalog::{Catalog, TypeFamily};
use crate::findings::{Finding, Fix, Span};
use crate::query::{
    Block, Clause, ColumnUse, JoinKind, QueryModel, Role, SourceKind, Stats, conjuncts,
    expr_ident_parts, literal_text, object_name,
};
use crate::rules::qry as docs;
use crate::sql::{Dialect, Stmt};
use sqlparser::ast::{self, BinaryOperator as B, Expr, SetExpr, Spanned, Statement, Value};

/// Thresholds of the checks.
pub const DEEP_OFFSET: u64 = 1000;
pub const LONG_IN_LIST: usize = 100;
/// With statistics: a table of at most this many rows is read whole in a few hundred pages, so
/// a predicate no index can serve costs little there.
pub const SMALL_TABLE_ROWS: f64 = 10_000.0;
/// With statistics: a predicate keeping at least this share of a table's rows is read faster by
/// a sequential scan than through an index.
pub const LOW_SELECTIVITY: f64 = 0.1;

pub struct Ctx<'a> {
    pub stmt: &'a Stmt,
    pub ast: &'a Statement,
    pub model: &'a QueryModel,
    pub cat: Option<&'a Catalog>,
    pub stats: Option<&'a Stats>,
    pub dialect: Dialect,
    pub findings: Vec<Finding>,
    pub rewrites: Vec<Rewrite>,
}

impl Ctx<'_> {
    fn span(&self, s: sqlparser::tokenizer::Span) -> Option<Span> {
        Some(self.stmt.map_span(s))
    }

    fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    fn add_rewrite(&mut self, rw: Option<Rewrite>) {
        if let Some(rw) = rw {
            self.rewrites.push(rw);
        }
    }

    fn indexed(&self, u: &ColumnUse) -> Option<bool> {
        let cat = self.cat?;
        let t = self.model.table_of(u, Some(cat))?;
        Some(cat.indexes_of(&t.name).any(|i| {
            i.keys
                .first()
                .and_then(|k| k.column.as_deref())
                .is_some_and(|c| cat.ident_eq(c, &u.column))
        }))
    }

    /// The statistics' row count of a column's table: (table name, rows).
    fn table_rows(&self, u: &ColumnUse) -> Option<(String, f64)> {
        let t = self.model.blocks.get(u.block)?.tables.get(u.table)?;
        self.rows_of(t)
    }

    /// The statistics' row count of a FROM table: (table name, rows).
    fn rows_of(&self, t: &crate::query::TableRef) -> Option<(String, f64)> {
        if t.kind != SourceKind::Table {
            return None;
        }
        let name = match &t.catalog {
            Some(n) => n.name.clone(),
            None => t.name.rsplit('.').next().unwrap_or_default().to_string(),
        };
        let rows = self.stats?.rows(&name)?;
        Some((name, rows))
    }

    /// The share of rows `col = constant` keeps by the statistics: (1 - null_frac) / n_distinct
    /// (values taken as equally frequent).
    fn eq_selectivity(&self, u: &ColumnUse) -> Option<f64> {
        let (t, _) = self.table_rows(u)?;
        let st = self.stats?;
        let nd = st.distinct(&t, &u.column)?;
        if nd <= 0.0 {
            return None;
        }
        let nf = st.null_frac(&t, &u.column).unwrap_or(0.0);
        Some(((1.0 - nf) / nd).min(1.0))
    }

    /// A finding about a scan no index can avoid, made harmless by a small table: lower it to
    /// info and say why, from the statistics.
    fn small_table(&self, f: &mut Finding, u: Option<&ColumnUse>) {
        if let Some((t, rows)) = u.and_then(|u| self.table_rows(u))
            && rows <= SMALL_TABLE_ROWS
        {
            f.severity = crate::findings::Severity::Info;
            f.message.push_str(&format!(
                " (harmless here: {t} has {rows} rows by the statistics, at most {SMALL_TABLE_ROWS} for a cheap full scan)"
            ));
        }
    }

    fn family(&self, u: &ColumnUse) -> Option<TypeFamily> {
        self.model
            .column_of(u, self.cat)
            .map(|c| c.data_type.family)
    }

    fn nullable(&self, u: &ColumnUse) -> Option<bool> {
        let c = self.model.column_of(u, self.cat)?;
        let t = self.model.table_of(u, self.cat)?;
        let in_pk = t
            .primary_key
            .as_ref()
            .is_some_and(|k| k.columns.iter().any(|x| x.eq_ignore_ascii_case(&c.name)));
        if let Some(st) = self.stats
            && let Some(nf) = st.null_frac(&t.name.name, &c.name)
            && nf > 0.0
        {
            return Some(true);
        }
        Some(c.nullable && !in_pk)
    }

    /// The single column of this block that `e` reads, looking through functions, casts and
    /// arithmetic.
    fn sole_column(&self, block: &Block, e: &Expr) -> Option<ColumnUse> {
        let mut found: Vec<ColumnUse> = Vec::new();
        let _ = ast::visit_expressions(e, |x| {
            if let Some(parts) = expr_ident_parts(x)
                && matches!(x, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
            {
                let name = parts
                    .last()
                    .map(|i| i.value.to_lowercase())
                    .unwrap_or_default();
                let qual = if parts.len() > 1 {
                    Some(parts[parts.len() - 2].value.to_lowercase())
                } else {
                    None
                };
                if let Some(c) = block.columns.iter().find(|c| {
                    !c.outer
                        && c.column.eq_ignore_ascii_case(&name)
                        && qual.as_deref().is_none_or(|q| {
                            self.model.blocks[c.block].tables[c.table]
                                .binding
                                .eq_ignore_ascii_case(q)
                        })
                }) {
                    found.push(c.clone());
                }
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
        found.dedup_by(|a, b| a.table == b.table && a.column == b.column);
        if found.len() == 1 { found.pop() } else { None }
    }
}

fn is_plain_column(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
}

fn has_subquery(e: &Expr) -> bool {
    let mut yes = false;
    let _ = ast::visit_expressions(e, |x| {
        if matches!(
            x,
            Expr::Subquery(_)
                | Expr::Exists { .. }
                | Expr::In {
                    target: ast::InTarget::Subquery(_),
                    ..
                }
        ) {
            yes = true;
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    yes
}

fn is_null(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if v.value == Value::Null)
}

fn func_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Function(f) => Some(object_name(&f.name).to_lowercase()),
        _ => None,
    }
}

fn func_args(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Function(f) => match &f.args {
            ast::FunctionArguments::List(l) => l
                .args
                .iter()
                .filter_map(|a| match a {
                    ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(x)) => Some(x),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Run every check on one statement.
pub fn check(cx: &mut Ctx) {
    for b in &cx.model.blocks {
        select_star(cx, b);
        predicates(cx, b);
        deep_offset(cx, b);
        order_by_random(cx, b);
        cartesian(cx, b);
        correlated_select_subquery(cx, b);
        distinct_fanout(cx, b);
        limit_without_order(cx, b);
        unused_join(cx, b);
        dml_without_where(cx, b);
    }
    expressions(cx);
    unions(cx);
    unused_ctes(cx);
}

// ------------------------------------------------------------------------------------------------

fn select_star(cx: &mut Ctx, b: &Block) {
    if !b.star || matches!(b.role, Role::Exists { .. } | Role::DmlTarget) {
        return;
    }
    let mut cols = Vec::new();
    let multi = b.tables.len() > 1;
    for item in &b.projection {
        let tables: Vec<&crate::query::TableRef> = match item {
            ast::SelectItem::Wildcard(_) => b.tables.iter().collect(),
            ast::SelectItem::QualifiedWildcard(
                ast::SelectItemQualifiedWildcardKind::ObjectName(n),
                _,
            ) => {
                let q = object_name(n);
                b.tables
                    .iter()
                    .filter(|t| t.binding.eq_ignore_ascii_case(&q))
                    .collect()
            }
            ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                cols.push(item.to_string());
                let _ = e;
                continue;
            }
            _ => continue,
        };
        for t in tables {
            let Some(cs) = &t.columns else {
                return; // columns unknown: nothing concrete to propose
            };
            for c in cs {
                cols.push(if multi {
                    format!("{}.{}", t.binding, c)
                } else {
                    c.clone()
                });
            }
        }
    }
    let d = &docs::SELECT_STAR;
    let mut f = d.finding(
        format!(
            "SELECT * returns {} columns; name the ones the caller reads",
            cols.len()
        ),
        cx.span(b.span),
        "Every extra column is read, sent and decoded; wide columns (text, json) are TOASTed and fetched separately, and no index can cover the query. The column list also stops breaking when a column is added.",
    );
    f.fix = Some(Fix {
        title: "Replace * with the columns (drop those the caller does not read)".into(),
        sql: cols.join(", "),
    });
    cx.push(f);
}

// ------------------------------------------------------------------------------------------------
// Predicates: non-sargable, implicit casts, leading wildcards, = NULL, long IN lists, OR.

fn predicates(cx: &mut Ctx, b: &Block) {
    let preds: Vec<_> = b.predicates.to_vec();
    for p in &preds {
        let e = &p.expr;
        match e {
            Expr::BinaryOp { left, op, right }
                if matches!(op, B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq) =>
            {
                if is_null(left) || is_null(right) {
                    equals_null(
                        cx,
                        e,
                        matches!(op, B::NotEq),
                        if is_null(right) { left } else { right },
                    );
                    continue;
                }
                for (side, other) in [(left, right), (right, left)] {
                    if !is_plain_column(side)
                        && !has_subquery(side)
                        && let Some(u) = cx.sole_column(b, side)
                        && (literal_text(other).is_some() || is_plain_column(other))
                    {
                        non_sargable(cx, b, e, side, other, op, &u);
                    }
                }
                implicit_cast(cx, p, left, right);
            }
            Expr::Like { .. } | Expr::ILike { .. } => leading_wildcard(cx, p.column.as_ref(), e),
            Expr::In {
                target: ast::InTarget::List(list),
                ..
            } if list.len() > LONG_IN_LIST => {
                let d = &docs::LONG_IN_LIST;
                let mut f = d.finding(
                    format!("IN list with {} values", list.len()),
                    cx.span(e.span()),
                    "Long IN lists are parsed, planned and (in pg_stat_statements before PostgreSQL 18) fingerprinted per length: every batch size is a new statement. Pass one array parameter, or join a VALUES list / temporary table.",
                );
                // With statistics: the share of the column's values (or rows) the list names.
                if let Some(u) = &p.column
                    && let Some((t, rows)) = cx.table_rows(u)
                {
                    let st = cx.stats.expect("table_rows reads the statistics");
                    let (of, n) = match st.distinct(&t, &u.column) {
                        Some(nd) if nd > 0.0 => ("distinct values of", nd),
                        _ => ("rows of", rows),
                    };
                    let share = (list.len() as f64 / n).min(1.0);
                    f.message.push_str(&format!(
                        ": {:.0}% of the {n} {of} {t}{}",
                        share * 100.0,
                        if share >= LOW_SELECTIVITY {
                            " by the statistics; at that share an index does not help (a scan is chosen), so filter by a join to the values' source instead of listing them"
                        } else {
                            " by the statistics"
                        }
                    ));
                }
                let lhs = match e {
                    Expr::In { expr, .. } => expr.to_string(),
                    _ => String::new(),
                };
                f.fix = Some(Fix {
                    title: "One array parameter".into(),
                    sql: match cx.dialect {
                        Dialect::Postgres => format!("{lhs} = ANY($1)  -- bind one array"),
                        _ => format!(
                            "JOIN (VALUES ...) AS v(x) ON v.x = {lhs}  -- or a temporary table"
                        ),
                    },
                });
                cx.push(f);
            }
            Expr::BinaryOp { op: B::Or, .. } | Expr::Nested(_) => {
                or_across_columns(cx, b, e, p.clause)
            }
            _ => {}
        }
    }
}

fn leading_wildcard(cx: &mut Ctx, column: Option<&ColumnUse>, e: &Expr) {
    let (pattern, expr) = match e {
        Expr::Like {
            pattern,
            negated: false,
            expr,
            ..
        }
        | Expr::ILike {
            pattern,
            negated: false,
            expr,
            ..
        } => (pattern, expr),
        _ => return,
    };
    let Some(Value::SingleQuotedString(s)) = (match &**pattern {
        Expr::Value(v) => Some(&v.value),
        _ => None,
    }) else {
        return;
    };
    if !(s.starts_with('%') || s.starts_with('_')) {
        return;
    }
    let col = column
        .map(|u| u.column.clone())
        .unwrap_or_else(|| expr.to_string());
    let d = &docs::LEADING_WILDCARD;
    let mut f = d.finding(
        format!("LIKE '{s}' starts with a wildcard: no B-tree index on {col} can be used"),
        cx.span(e.span()),
        "A B-tree index serves LIKE only for a fixed prefix. With a leading % the engine reads every row.",
    );
    cx.small_table(&mut f, column);
    let table = column
        .and_then(|u| cx.model.table_of(u, cx.cat))
        .map(|t| t.name.to_string());
    f.fix = Some(Fix {
        title: match cx.dialect {
            Dialect::Postgres => "Trigram index (pg_trgm) serves LIKE '%x%'".into(),
            Dialect::Mysql => "FULLTEXT index with MATCH ... AGAINST for word search".into(),
            _ => "Full-text search (FTS5) for word search".into(),
        },
        sql: match (cx.dialect, table) {
            (Dialect::Postgres, Some(t)) => format!(
                "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX ON {t} USING gin ({col} gin_trgm_ops);"
            ),
            (Dialect::Mysql, Some(t)) => format!("ALTER TABLE {t} ADD FULLTEXT ({col});"),
            _ => "-- search a reversed column or a full-text index instead of LIKE '%...'".into(),
        },
    });
    cx.push(f);
}

fn equals_null(cx: &mut Ctx, e: &Expr, negated: bool, operand: &Expr) {
    let d = &docs::EQUALS_NULL;
    let replacement = if negated {
        format!("{operand} IS NOT NULL")
    } else {
        format!("{operand} IS NULL")
    };
    let mut f = d.finding(
        format!("`{e}` is never true: comparing with NULL yields NULL"),
        cx.span(e.span()),
        "Any comparison with NULL is unknown, so the row is never returned. Use IS NULL / IS NOT NULL.",
    );
    f.fix = Some(Fix {
        title: "Use IS [NOT] NULL".into(),
        sql: replacement.clone(),
    });
    cx.push(f);
    let rw = rewrite::replace_expr(cx.ast, e, &replacement, cx.dialect).map(|sql| Rewrite {
        rule: d.id.into(),
        title: "IS NULL instead of = NULL".into(),
        sql,
        equivalence: "Not the same rows, on purpose: the original returns no rows from this condition; the rewrite returns the rows the condition was meant to find.".into(),
        exact: false,
    });
    cx.add_rewrite(rw);
}

fn non_sargable(
    cx: &mut Ctx,
    b: &Block,
    e: &Expr,
    side: &Expr,
    other: &Expr,
    op: &B,
    u: &ColumnUse,
) {
    let d = &docs::NON_SARGABLE;
    let col = format!("{}.{}", cx.model.binding(u), u.column);
    let indexed = cx.indexed(u);
    // An expression index on exactly this expression makes it sargable.
    if let Some(cat) = cx.cat
        && let Some(t) = cx.model.table_of(u, Some(cat))
    {
        let want = norm(&side.to_string());
        if cat.indexes_of(&t.name).any(|i| {
            i.keys.first().is_some_and(|k| {
                k.column.is_none()
                    && norm(&k.expr)
                        .contains(&want.replace(&format!("{}.", cx.model.binding(u)), ""))
            })
        }) {
            return;
        }
    }
    let what = match side {
        Expr::Function(_) => format!("function {}()", func_name(side).unwrap_or_default()),
        Expr::Cast { .. } => "a cast".into(),
        Expr::BinaryOp { .. } => "arithmetic".into(),
        Expr::Extract { .. } => "EXTRACT".into(),
        _ => "an expression".into(),
    };
    let mut f = d.finding(
        format!(
            "{what} applied to {col} in `{e}`{}",
            match indexed {
                Some(true) => ": its index cannot be used",
                Some(false) => " (no index on it yet; a plain index would not serve this either)",
                None => ": an index on it cannot be used",
            }
        ),
        cx.span(side.span()),
        "The engine must compute the expression for every row before comparing, so a B-tree index on the bare column is useless. Compare the bare column with a transformed constant (a range), or index the expression.",
    );
    if indexed == Some(false) {
        f.severity = crate::findings::Severity::Info;
    }
    cx.small_table(&mut f, Some(u));
    let range = rewrite::sargable_range(side, other, op, cx.dialect);
    if let Some((cond, why)) = &range {
        f.fix = Some(Fix {
            title: "Compare the bare column with a range".into(),
            sql: cond.clone(),
        });
        let rw = rewrite::replace_expr(cx.ast, e, cond, cx.dialect).map(|sql| Rewrite {
            rule: d.id.into(),
            title: "Sargable range".into(),
            sql,
            equivalence: why.clone(),
            exact: true,
        });
        cx.add_rewrite(rw);
    } else if let Some(t) = cx.model.table_of(u, cx.cat) {
        let expr = rewrite::unqualify(side, cx.model.binding(u));
        f.fix = Some(Fix {
            title: "Index the expression".into(),
            sql: match cx.dialect {
                Dialect::Mysql => format!(
                    "CREATE INDEX {} ON {} (({expr}));",
                    rewrite::index_name(&t.name.name, &[&format!("{}_expr", u.column)]),
                    t.name
                ),
                _ => format!(
                    "CREATE INDEX {} ON {} (({expr}));",
                    rewrite::index_name(&t.name.name, &[&format!("{}_expr", u.column)]),
                    t.name
                ),
            },
        });
    }
    let _ = b;
    cx.push(f);
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .collect::<String>()
        .to_lowercase()
}

fn implicit_cast(cx: &mut Ctx, p: &crate::query::Predicate, left: &Expr, right: &Expr) {
    let Some(u) = &p.column else { return };
    let Some(fam) = cx.family(u) else { return };
    let d = &docs::IMPLICIT_CAST;
    let col = format!("{}.{}", cx.model.binding(u), u.column);
    if let Some(o) = &p.other_column {
        let Some(of) = cx.family(o) else { return };
        let numeric = |f: TypeFamily| {
            matches!(
                f,
                TypeFamily::Integer | TypeFamily::Decimal | TypeFamily::Float
            )
        };
        let clash = (numeric(fam) && of == TypeFamily::Text)
            || (fam == TypeFamily::Text && numeric(of))
            || (fam == TypeFamily::Uuid && of == TypeFamily::Text)
            || (fam == TypeFamily::Text && of == TypeFamily::Uuid);
        if clash {
            let ocol = format!("{}.{}", cx.model.binding(o), o.column);
            cx.push(d.finding(
                format!("{col} ({fam:?}) is compared with {ocol} ({of:?}): one side is converted on every row"),
                cx.span(p.expr.span()),
                "Joining columns of different types converts one side row by row, so its index is not used (and MySQL compares strings and numbers as floating point). Give both columns the same type.",
            ));
        }
        return;
    }
    let lit = [left, right].into_iter().find_map(|x| match x {
        Expr::Value(v) => Some(v.value.clone()),
        _ => None,
    });
    let Some(lit) = lit else { return };
    let msg = match (fam, &lit) {
        (TypeFamily::Text, Value::Number(n, _)) => Some(format!(
            "{col} is text but is compared with the number {n}: {}",
            match cx.dialect {
                Dialect::Mysql =>
                    "MySQL converts every row's value to a number, so the index on it is not used (and '1a' = 1 is true)",
                Dialect::Postgres => "PostgreSQL rejects text = integer",
                _ => "the engine converts every row",
            }
        )),
        (TypeFamily::Integer, Value::Number(n, _))
            if n.contains('.') || n.contains('e') || n.contains('E') =>
        {
            Some(format!(
                "{col} is an integer compared with the non-integer {n}: the column is cast to numeric on every row and its index is not used"
            ))
        }
        _ => None,
    };
    if let Some(m) = msg {
        let mut f = d.finding(m, cx.span(p.expr.span()), "Write the constant in the column's type (quote it for a text column; round it for an integer column), so the comparison needs no conversion of the column.");
        if let Value::Number(n, _) = &lit
            && fam == TypeFamily::Text
        {
            f.fix = Some(Fix {
                title: "Quote the constant".into(),
                sql: format!("{col} = '{n}'"),
            });
        }
        cx.push(f);
    }
}

fn or_across_columns(cx: &mut Ctx, b: &Block, e: &Expr, clause: Clause) {
    let mut inner = e;
    while let Expr::Nested(x) = inner {
        inner = x;
    }
    let Expr::BinaryOp { op: B::Or, .. } = inner else {
        return;
    };
    let mut parts = Vec::new();
    fn disj<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
        match e {
            Expr::BinaryOp {
                left,
                op: B::Or,
                right,
            } => {
                disj(left, out);
                disj(right, out);
            }
            Expr::Nested(x) => disj(x, out),
            _ => out.push(e),
        }
    }
    disj(inner, &mut parts);
    for p in &parts {
        if matches!(p, Expr::Like { .. } | Expr::ILike { .. }) {
            let u = cx.sole_column(b, p);
            leading_wildcard(cx, u.as_ref(), p);
        }
    }
    let mut cols: Vec<(usize, String)> = Vec::new();
    for p in &parts {
        let Some(u) = cx.sole_column(b, p) else {
            return;
        };
        if !cols
            .iter()
            .any(|(t, c)| *t == u.table && c.eq_ignore_ascii_case(&u.column))
        {
            cols.push((u.table, u.column.clone()));
        }
    }
    if cols.len() < 2 {
        return;
    }
    let names: Vec<String> = cols
        .iter()
        .map(|(t, c)| format!("{}.{}", b.tables[*t].binding, c))
        .collect();
    let d = &docs::OR_ACROSS_COLUMNS;
    let mut f = d.finding(
        format!("OR across different columns ({})", names.join(", ")),
        cx.span(e.span()),
        "One index cannot serve an OR of different columns. PostgreSQL can combine two bitmap index scans (BitmapOr) when each column has its own index; MySQL may use index_merge; otherwise it is a full scan. A UNION of two index-served queries is the portable rewrite.",
    );
    // With statistics: the OR keeps at least the share of its largest equality branch; at such a
    // low selectivity the full scan is the right plan and no rewrite helps.
    let lower_bound = parts
        .iter()
        .filter_map(|p| match p {
            Expr::BinaryOp {
                left,
                op: B::Eq,
                right,
            } if (is_plain_column(left) && literal_text(right).is_some())
                || (is_plain_column(right) && literal_text(left).is_some()) =>
            {
                cx.sole_column(b, p).and_then(|u| cx.eq_selectivity(&u))
            }
            _ => None,
        })
        .reduce(f64::max);
    if let Some(lb) = lower_bound
        && lb >= LOW_SELECTIVITY
    {
        f.message.push_str(&format!(
            ": by the statistics (n_distinct, null_frac) it keeps at least {:.0}% of the rows, where a sequential scan is the right plan: no index or UNION rewrite helps",
            lb * 100.0
        ));
        cx.push(f);
        return;
    }
    // Every branch on a small table (by the statistics): the scan is cheap, nothing to rewrite.
    let cols: Vec<ColumnUse> = parts.iter().filter_map(|p| cx.sole_column(b, p)).collect();
    let all_small = cols.len() == parts.len()
        && cols
            .iter()
            .all(|u| cx.table_rows(u).is_some_and(|(_, r)| r <= SMALL_TABLE_ROWS));
    if all_small {
        cx.small_table(&mut f, cols.first());
        cx.push(f);
        return;
    }
    let rw = if clause == Clause::Where {
        rewrite::or_union(cx.ast, b, e, cx.dialect)
    } else {
        None
    };
    f.fix = Some(match &rw {
        Some(rw) => Fix {
            title: rw.title.clone(),
            sql: rw.sql.clone(),
        },
        None => Fix {
            title: "One index per column, or UNION ALL of the branches".into(),
            sql: "SELECT ... WHERE <first condition>\nUNION ALL\nSELECT ... WHERE <second condition> AND (<first condition>) IS NOT TRUE".into(),
        },
    });
    cx.push(f);
    cx.add_rewrite(rw);
}

// ------------------------------------------------------------------------------------------------
// Expression-level checks that need the whole tree: NOT IN, COUNT(*) > 0.

fn expressions(cx: &mut Ctx) {
    let mut found: Vec<Expr> = Vec::new();
    let _ = ast::visit_expressions(cx.ast, |e| {
        if matches!(
            e,
            Expr::In {
                negated: true,
                target: ast::InTarget::Subquery(_),
                ..
            }
        ) || count_exists_parts(e).is_some()
        {
            found.push(e.clone());
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    for e in found {
        if let Expr::In {
            expr,
            target: ast::InTarget::Subquery(q),
            ..
        } = &e
        {
            not_in(cx, &e, expr, q);
        } else if let Some((q, negated)) = count_exists_parts(&e) {
            let d = &docs::COUNT_FOR_EXISTENCE;
            let mut q2 = q.clone();
            if let SetExpr::Select(s) = q2.body.as_mut() {
                s.projection = vec![ast::SelectItem::UnnamedExpr(
                    rewrite::parse_expr("1", cx.dialect).expect("literal 1 parses"),
                )];
            }
            let ex = Expr::Exists {
                subquery: Box::new(q2),
                negated,
            };
            let mut f = d.finding(
                format!("COUNT(*) compared with 0 to test existence: `{e}`"),
                cx.span(e.span()),
                "COUNT(*) reads every matching row; EXISTS stops at the first one.",
            );
            f.fix = Some(Fix {
                title: if negated { "NOT EXISTS" } else { "EXISTS" }.into(),
                sql: ex.to_string(),
            });
            cx.push(f);
            let rw = rewrite::replace_expr(cx.ast, &e, &ex.to_string(), cx.dialect).map(|sql| Rewrite {
                rule: d.id.into(),
                title: "EXISTS instead of COUNT(*)".into(),
                sql,
                equivalence: "Always the same rows: COUNT(*) > 0 holds exactly when at least one row matches, which is what EXISTS tests.".into(),
                exact: true,
            });
            cx.add_rewrite(rw);
        }
    }
}

/// `(SELECT COUNT(*) ...) > 0` and friends: the subquery and whether it tests absence.
fn count_exists_parts(e: &Expr) -> Option<(&ast::Query, bool)> {
    let Expr::BinaryOp { left, op, right } = e else {
        return None;
    };
    let (q, n, op) = match (&**left, &**right) {
        (Expr::Subquery(q), Expr::Value(v)) => (q, &v.value, op.clone()),
        (Expr::Value(v), Expr::Subquery(q)) => (
            q,
            &v.value,
            match op {
                B::Lt => B::Gt,
                B::Gt => B::Lt,
                B::LtEq => B::GtEq,
                B::GtEq => B::LtEq,
                o => o.clone(),
            },
        ),
        _ => return None,
    };
    let Value::Number(n, _) = n else { return None };
    let SetExpr::Select(s) = q.body.as_ref() else {
        return None;
    };
    if s.projection.len() != 1
        || !matches!(s.group_by, ast::GroupByExpr::Expressions(ref v, _) if v.is_empty())
        || s.having.is_some()
        || q.limit_clause.is_some()
    {
        return None;
    }
    let ast::SelectItem::UnnamedExpr(Expr::Function(f)) = &s.projection[0] else {
        return None;
    };
    if !object_name(&f.name).eq_ignore_ascii_case("count") {
        return None;
    }
    match (op, n.as_str()) {
        (B::Gt, "0") | (B::GtEq, "1") | (B::NotEq, "0") => Some((q, false)),
        (B::Eq, "0") | (B::Lt, "1") | (B::LtEq, "0") => Some((q, true)),
        _ => None,
    }
}

fn not_in(cx: &mut Ctx, e: &Expr, lhs: &Expr, q: &ast::Query) {
    let d = &docs::NOT_IN_NULLABLE;
    // The subquery's block: the In{negated} block whose span matches.
    let qspan = q.span();
    let Some(sub) = cx.model.blocks.iter().find(|b| {
        matches!(b.role, Role::In { negated: true, .. }) && b.span.start == q.body.span().start
            || b.span == qspan
    }) else {
        return;
    };
    let SetExpr::Select(sel) = q.body.as_ref() else {
        return;
    };
    if sel.projection.len() != 1 {
        return;
    }
    let (ast::SelectItem::UnnamedExpr(pexpr) | ast::SelectItem::ExprWithAlias { expr: pexpr, .. }) =
        &sel.projection[0]
    else {
        return;
    };
    let pcol = sub
        .columns
        .iter()
        .find(|c| c.clause == Clause::Select && !c.outer);
    let nullable = pcol.and_then(|c| cx.nullable(c));
    if nullable == Some(false) {
        return;
    }
    let what = pcol
        .map(|c| format!("{}.{}", cx.model.binding(c), c.column))
        .unwrap_or_else(|| pexpr.to_string());
    let mut f = d.finding(
        format!(
            "NOT IN over {what}, which {}: one NULL there makes the whole condition unknown and the query returns no rows",
            if nullable == Some(true) { "is nullable" } else { "may be NULL (its nullability is unknown)" }
        ),
        cx.span(e.span()),
        "x NOT IN (subquery) is NULL — not true — as soon as the subquery yields a NULL, so no row passes. NOT EXISTS has the intended meaning and is planned as an anti-join.",
    );
    if nullable.is_none() {
        f.severity = crate::findings::Severity::Warning;
    }
    // Qualify the outer operand so it cannot be captured by a subquery column of the same name.
    let outer_lhs = qualify(cx, lhs);
    let cond = format!("{pexpr} = {outer_lhs}");
    let mut sq = q.clone();
    // The outer table's name may also be the subquery's table: alias the inner one.
    let outer_bind = outer_lhs.split_once('.').map(|(b, _)| b.to_string());
    if let (Some(ob), SetExpr::Select(s)) = (&outer_bind, sq.body.as_mut())
        && sub
            .tables
            .iter()
            .any(|t| t.binding.eq_ignore_ascii_case(ob))
    {
        let inner = format!("{ob}_sub");
        for twj in s.from.iter_mut() {
            if let ast::TableFactor::Table { name, alias, .. } = &mut twj.relation
                && alias.is_none()
                && object_name(name).eq_ignore_ascii_case(ob)
            {
                *alias = Some(ast::TableAlias {
                    explicit: true,
                    name: ast::Ident::new(inner.clone()),
                    columns: vec![],
                    at: None,
                });
            }
        }
        let _ = ast::visit_expressions_mut(s.as_mut(), |x| {
            if let Expr::CompoundIdentifier(v) = x
                && v.len() == 2
                && v[0].value.eq_ignore_ascii_case(ob)
            {
                v[0] = ast::Ident::new(inner.clone());
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
    }
    if let SetExpr::Select(s) = sq.body.as_mut() {
        s.projection = vec![ast::SelectItem::UnnamedExpr(
            rewrite::parse_expr("1", cx.dialect).expect("1 parses"),
        )];
        let c = rewrite::parse_expr(&cond, cx.dialect);
        let Some(c) = c else {
            cx.push(f);
            return;
        };
        s.selection = Some(match s.selection.take() {
            Some(w) => Expr::BinaryOp {
                left: Box::new(Expr::Nested(Box::new(w))),
                op: B::And,
                right: Box::new(c),
            },
            None => c,
        });
    }
    let ex = Expr::Exists {
        subquery: Box::new(sq),
        negated: true,
    };
    f.fix = Some(Fix {
        title: "NOT EXISTS".into(),
        sql: ex.to_string(),
    });
    cx.push(f);
    let rw = rewrite::replace_expr(cx.ast, e, &ex.to_string(), cx.dialect).map(|sql| Rewrite {
        rule: d.id.into(),
        title: "NOT EXISTS instead of NOT IN".into(),
        sql,
        equivalence: format!("Same rows when neither {what} nor {lhs} is NULL. Where {what} has a NULL, NOT IN returns no rows at all and NOT EXISTS returns the rows without a match (the intended answer); rows whose {lhs} is NULL are returned by NOT EXISTS and dropped by NOT IN."),
        exact: false,
    });
    cx.add_rewrite(rw);
}

/// `id` → `u.id` when it resolves to a table of the statement.
fn qualify(cx: &Ctx, e: &Expr) -> String {
    if let Expr::Identifier(i) = e {
        for b in &cx.model.blocks {
            if let Some(u) = b
                .columns
                .iter()
                .find(|c| c.column.eq_ignore_ascii_case(&i.value) && !c.outer)
            {
                let bind = cx.model.binding(u);
                if !bind.is_empty() {
                    return format!("{bind}.{i}");
                }
            }
        }
    }
    e.to_string()
}

// ------------------------------------------------------------------------------------------------

fn deep_offset(cx: &mut Ctx, b: &Block) {
    let Some(off) = &b.offset_expr else { return };
    let n = match literal_text(off).and_then(|s| s.parse::<u64>().ok()) {
        Some(n) => n,
        None => return,
    };
    if n < DEEP_OFFSET {
        return;
    }
    let d = &docs::DEEP_OFFSET;
    let mut f = d.finding(
        format!("OFFSET {n}: the engine reads and throws away {n} rows for every page"),
        cx.span(off.span()),
        "OFFSET pagination costs O(offset): page 1000 reads 1000 pages of rows. Keyset pagination (WHERE sort key > last seen value) reads only the page.",
    );
    // With statistics: the depth relative to the table's rows (single-table pages).
    if b.tables.len() == 1
        && let Some((t, rows)) = cx.rows_of(&b.tables[0])
    {
        let nf = n as f64;
        if nf >= rows {
            f.message = format!(
                "OFFSET {n} is at or past the end of {t}, which has {rows} rows by the statistics: every row is read and the page is empty"
            );
        } else if rows <= SMALL_TABLE_ROWS {
            f.severity = crate::findings::Severity::Info;
            f.message.push_str(&format!(
                " ({:.0}% of {t}'s {rows} rows by the statistics; the table is small enough that a page costs at most one scan of it)",
                nf / rows * 100.0
            ));
        } else {
            f.message.push_str(&format!(
                " ({:.0}% of {t}'s {rows} rows by the statistics; later pages cost more)",
                nf / rows * 100.0
            ));
        }
    }
    let rw = rewrite::keyset(cx.ast, b, cx.model, cx.cat, cx.dialect);
    if let Some(rw) = &rw {
        f.fix = Some(Fix {
            title: "Keyset pagination".into(),
            sql: rw.sql.clone(),
        });
    }
    cx.push(f);
    cx.add_rewrite(rw);
}

fn order_by_random(cx: &mut Ctx, b: &Block) {
    for o in &b.order_exprs {
        if let Some(n) = func_name(&o.expr)
            && matches!(n.as_str(), "random" | "rand" | "newid")
            && func_args(&o.expr).is_empty()
        {
            let d = &docs::ORDER_BY_RANDOM;
            let mut f = d.finding(
                format!(
                    "ORDER BY {}(): every row is read and sorted to pick a few",
                    n
                ),
                cx.span(o.expr.span()),
                "Sorting the whole table by a random key is O(n log n) for each call.",
            );
            f.fix = Some(Fix {
                title: "Sample instead of sorting".into(),
                sql: match cx.dialect {
                    Dialect::Postgres => "SELECT ... FROM t TABLESAMPLE SYSTEM_ROWS(10)  -- tsm_system_rows; or TABLESAMPLE BERNOULLI (1)".into(),
                    _ => "SELECT ... FROM t WHERE id >= (SELECT FLOOR(RAND() * (SELECT MAX(id) FROM t))) ORDER BY id LIMIT 10".into(),
                },
            });
            cx.push(f);
        }
    }
}

fn cartesian(cx: &mut Ctx, b: &Block) {
    let n = b.tables.len();
    if n < 2
        || !b
            .tables
            .iter()
            .any(|t| matches!(t.join, JoinKind::Comma | JoinKind::Cross))
    {
        return;
    }
    // Union-find over tables connected by a predicate that reads two of them.
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut Vec<usize>, x: usize) -> usize {
        if p[x] != x {
            let r = find(p, p[x]);
            p[x] = r;
        }
        p[x]
    }
    let link = |a: usize, c: usize, p: &mut Vec<usize>| {
        let (ra, rc) = (find(p, a), find(p, c));
        if ra != rc {
            p[ra] = rc;
        }
    };
    for (ti, t) in b.tables.iter().enumerate() {
        if !matches!(t.join, JoinKind::Comma | JoinKind::Cross | JoinKind::From)
            || !t.using.is_empty()
        {
            // explicit joins with a condition link to the previous table of their FROM item
            if ti > 0 && (t.on.is_some() || !t.using.is_empty()) {
                link(ti, ti - 1, &mut parent);
            }
        }
    }
    // A LATERAL subquery or a table function reading another table's columns is joined to it
    // row by row (`FROM t, unnest(t.tags)`, `CROSS JOIN LATERAL (... WHERE o.tid = t.id)`).
    let relations: Vec<&ast::TableFactor> = b
        .from
        .iter()
        .flat_map(|twj| std::iter::once(&twj.relation).chain(twj.joins.iter().map(|j| &j.relation)))
        .collect();
    for (ti, t) in b.tables.iter().enumerate() {
        if t.span == sqlparser::tokenizer::Span::empty() {
            continue;
        }
        let Some(rel) = relations.iter().find(|r| {
            let rs = r.span();
            rs.start <= t.span.start && t.span.end <= rs.end
        }) else {
            continue;
        };
        let mut reads: Vec<usize> = Vec::new();
        let _ = ast::visit_expressions(*rel, |x| {
            if let Expr::CompoundIdentifier(v) = x
                && v.len() >= 2
                && let Some(j) = b
                    .tables
                    .iter()
                    .position(|o| o.binding.eq_ignore_ascii_case(&v[v.len() - 2].value))
                && j != ti
            {
                reads.push(j);
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
        for j in reads {
            link(ti, j, &mut parent);
        }
    }
    let conds: Vec<&Expr> = b
        .selection
        .iter()
        .chain(b.tables.iter().filter_map(|t| t.on.as_ref()))
        .collect();
    for c in conds {
        for conj in conjuncts(c) {
            let mut ts: Vec<usize> = Vec::new();
            let mut unresolved = false;
            let _ = ast::visit_expressions(conj, |x| {
                if let Some(parts) = expr_ident_parts(x)
                    && parts.len() >= 2
                {
                    let q = &parts[parts.len() - 2].value;
                    if let Some(i) = b
                        .tables
                        .iter()
                        .position(|t| t.binding.eq_ignore_ascii_case(q))
                    {
                        ts.push(i);
                    }
                } else if let Expr::Identifier(i) = x
                    && let Some(u) = b
                        .columns
                        .iter()
                        .find(|u| !u.outer && u.column.eq_ignore_ascii_case(&i.value))
                {
                    ts.push(u.table);
                } else if matches!(x, Expr::Identifier(_)) {
                    unresolved = true;
                }
                std::ops::ControlFlow::<()>::Continue(())
            });
            // A column we could not place may belong to a table whose columns are unknown.
            if unresolved {
                ts.extend((0..n).filter(|&i| b.tables[i].columns.is_none()));
            }
            for w in ts.windows(2) {
                link(w[0], w[1], &mut parent);
            }
        }
    }
    let root0 = find(&mut parent, 0);
    let lonely: Vec<&crate::query::TableRef> = (1..n)
        .filter(|&i| find(&mut parent, i) != root0)
        .map(|i| &b.tables[i])
        .collect();
    if let Some(t) = lonely.first() {
        let d = &docs::CARTESIAN_JOIN;
        cx.push(d.finding(
            format!("{} is joined without any condition linking it to {}: every row pairs with every row", if t.binding.is_empty() { &t.name } else { &t.binding }, b.tables[0].binding),
            cx.span(t.span),
            "A comma join (or CROSS JOIN) with no predicate between the tables is a Cartesian product: rows multiply and the result is almost never what was meant. Add the join condition, or write CROSS JOIN to say it is intended.",
        ));
    }
}

fn correlated_select_subquery(cx: &mut Ctx, b: &Block) {
    if !matches!(
        b.role,
        Role::Scalar {
            clause: Clause::Select
        }
    ) || !b.columns.iter().any(|c| c.outer)
    {
        return;
    }
    let d = &docs::CORRELATED_SUBQUERY;
    let mut f = d.finding(
        "correlated subquery in the select list runs once per outer row",
        cx.span(b.span),
        "The subquery is re-executed for each row of the outer query (a nested loop the planner cannot reorder). A LATERAL join, or one grouped join, computes it once for the whole set.",
    );
    let lat = rewrite::lateral(cx.ast, b, cx.model, cx.dialect);
    let grouped = rewrite::grouped_join(cx.ast, b, cx.model, cx.cat, cx.dialect);
    // The fix shown: LATERAL on PostgreSQL, the grouped join where LATERAL is missing.
    let shown = match cx.dialect {
        Dialect::Postgres => lat.as_ref().or(grouped.as_ref()),
        _ => grouped.as_ref().or(lat.as_ref()),
    };
    if let Some(rw) = shown {
        f.fix = Some(Fix {
            title: rw.title.clone(),
            sql: rw.sql.clone(),
        });
    }
    cx.push(f);
    cx.add_rewrite(lat);
    cx.add_rewrite(grouped);
}

fn distinct_fanout(cx: &mut Ctx, b: &Block) {
    if !b.distinct || b.tables.len() < 2 || !b.group_by.is_empty() || b.star {
        return;
    }
    if b.tables
        .iter()
        .skip(1)
        .any(|t| !matches!(t.join, JoinKind::Inner | JoinKind::Comma))
    {
        return;
    }
    let sel: Vec<&ColumnUse> = b
        .columns
        .iter()
        .filter(|c| c.clause == Clause::Select && !c.outer)
        .collect();
    if sel.is_empty() || sel.iter().any(|c| c.table != 0) {
        return;
    }
    let d = &docs::DISTINCT_FANOUT;
    let others: Vec<String> = b.tables.iter().skip(1).map(|t| t.binding.clone()).collect();
    let mut f = d.finding(
        format!("DISTINCT removes the duplicates that the join to {} creates; the joined tables only filter", others.join(", ")),
        cx.span(b.span),
        "The join multiplies each row by its matches and DISTINCT sorts or hashes them away again. A semi-join (EXISTS) returns each row once without producing the duplicates.",
    );
    let rw = rewrite::distinct_to_exists(cx.ast, b, cx.model, cx.cat, cx.dialect);
    if let Some(rw) = &rw {
        f.fix = Some(Fix {
            title: rw.title.clone(),
            sql: rw.sql.clone(),
        });
    }
    cx.push(f);
    cx.add_rewrite(rw);
}

fn limit_without_order(cx: &mut Ctx, b: &Block) {
    if b.limit_expr.is_none()
        || !b.order_exprs.is_empty()
        || matches!(
            b.role,
            Role::Exists { .. } | Role::In { .. } | Role::SetBranch
        )
    {
        return;
    }
    // LIMIT 1 over an aggregate without GROUP BY returns the one row there is.
    let aggregate = b.group_by.is_empty()
        && !b.projection.is_empty()
        && b.projection.iter().all(|p| {
            matches!(
                p,
                ast::SelectItem::UnnamedExpr(Expr::Function(_))
                    | ast::SelectItem::ExprWithAlias {
                        expr: Expr::Function(_),
                        ..
                    }
            )
        });
    if aggregate || b.tables.is_empty() {
        return;
    }
    let d = &docs::LIMIT_WITHOUT_ORDER;
    let l = b.limit_expr.as_ref().expect("checked");
    cx.push(d.finding(
        format!("LIMIT {l} without ORDER BY: which rows come back is up to the plan"),
        cx.span(l.span()),
        "Without ORDER BY the engine returns whichever rows it reaches first; a new index, a parallel plan or a VACUUM changes the answer. Order by a unique key.",
    ));
}

fn unused_join(cx: &mut Ctx, b: &Block) {
    for (ti, t) in b.tables.iter().enumerate() {
        if t.join != JoinKind::Left || b.star || t.kind == SourceKind::Function {
            continue;
        }
        if b.uses_outside_on(cx.model, ti).next().is_some() {
            continue;
        }
        // Columns unknown (no schema for it): an unqualified name the model could not place
        // may be one of its columns.
        if t.columns.is_none() && unplaced_name(b, ti) {
            continue;
        }
        // Does the ON clause pin a unique key of t (at most one match per row)?
        let unique = t.on.as_ref().is_some_and(|on| {
            let pinned: Vec<String> = conjuncts(on)
                .into_iter()
                .filter_map(|c| match c {
                    Expr::BinaryOp {
                        left,
                        op: B::Eq,
                        right,
                    } => [left, right].into_iter().find_map(|s| {
                        let parts = expr_ident_parts(s)?;
                        let q = if parts.len() > 1 {
                            parts[parts.len() - 2].value.to_lowercase()
                        } else {
                            String::new()
                        };
                        (q.eq_ignore_ascii_case(&t.binding))
                            .then(|| parts.last().map(|p| p.value.to_lowercase()))
                            .flatten()
                    }),
                    _ => None,
                })
                .collect();
            let cat_t = t
                .catalog
                .as_ref()
                .and_then(|n| cx.cat.and_then(|c| c.table(n)));
            cat_t.is_some_and(|ct| {
                ct.primary_key.iter().chain(ct.uniques.iter()).any(|k| {
                    k.columns
                        .iter()
                        .all(|c| pinned.iter().any(|p| p.eq_ignore_ascii_case(c)))
                })
            })
        });
        let d = &docs::UNUSED_JOIN;
        let mut f = d.finding(
            format!("LEFT JOIN {} is never read outside its ON clause", t.binding),
            cx.span(t.span),
            if unique {
                "The join matches at most one row (its ON clause fixes a unique key), so it changes nothing but the cost: remove it."
            } else {
                "No column of the joined table is used. If the join can match several rows it duplicates rows on purpose; otherwise remove it."
            },
        );
        if unique {
            let rw = rewrite::drop_join(cx.ast, b, t, cx.dialect);
            if let Some(rw) = &rw {
                f.fix = Some(Fix {
                    title: "Remove the join".into(),
                    sql: rw.sql.clone(),
                });
            }
            cx.add_rewrite(rw);
        }
        cx.push(f);
    }
}

/// Whether block `b` reads, outside the ON clause of table `ti`, an unqualified name that is
/// neither a column the model placed nor an output alias.
fn unplaced_name(b: &Block, ti: usize) -> bool {
    let mut found = false;
    let mut look = |e: &Expr| {
        let _ = ast::visit_expressions(e, |x| {
            if let Expr::Identifier(i) = x
                && !b
                    .columns
                    .iter()
                    .any(|c| !c.outer && c.column.eq_ignore_ascii_case(&i.value))
                && !b.output.iter().any(|o| o.eq_ignore_ascii_case(&i.value))
            {
                found = true;
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
    };
    for p in &b.projection {
        if let ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } = p
        {
            look(e);
        }
    }
    for e in b
        .selection
        .iter()
        .chain(b.having.iter())
        .chain(b.group_by.iter())
        .chain(b.order_exprs.iter().map(|o| &o.expr))
        .chain(
            b.tables
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != ti)
                .filter_map(|(_, t)| t.on.as_ref()),
        )
    {
        look(e);
    }
    found
}

fn dml_without_where(cx: &mut Ctx, b: &Block) {
    if b.role != Role::DmlTarget || b.selection.is_some() || b.limit_expr.is_some() {
        return;
    }
    let d = &docs::DML_WITHOUT_WHERE;
    let verb = cx.model.kind.to_uppercase();
    let table = b.tables.first().map(|t| t.name.clone()).unwrap_or_default();
    let mut f = d.finding(
        format!("{verb} without WHERE changes every row of {table}"),
        cx.span(cx.ast.span()),
        "Every row is rewritten (or deleted) in one transaction: locks on the whole table, a large WAL/binlog burst, and no way back but a restore. Add the WHERE clause, or say TRUNCATE if emptying the table is the point.",
    );
    if cx.model.kind == "delete" {
        f.fix = Some(Fix {
            title: "Emptying the table on purpose".into(),
            sql: format!("TRUNCATE TABLE {table};"),
        });
    }
    cx.push(f);
}

// ------------------------------------------------------------------------------------------------

fn unions(cx: &mut Ctx) {
    let Statement::Query(q) = cx.ast else { return };
    let mut ops: Vec<(sqlparser::tokenizer::Span, bool)> = Vec::new();
    fn walk(s: &SetExpr, ops: &mut Vec<(sqlparser::tokenizer::Span, bool)>) {
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
                ops.push((s.span(), disjoint(left, right)));
            }
            walk(left, ops);
            walk(right, ops);
        }
    }
    walk(&q.body, &mut ops);
    if ops.is_empty() {
        return;
    }
    let d = &docs::UNION_NOT_ALL;
    let proven = ops.iter().all(|(_, p)| *p);
    let mut f = d.finding(
        if proven {
            "UNION removes duplicates that cannot exist: each branch selects a different constant".to_string()
        } else {
            "UNION sorts or hashes all rows to remove duplicates; use UNION ALL unless duplicates must go".to_string()
        },
        cx.span(ops[0].0),
        "UNION = UNION ALL + DISTINCT over the whole result. When branches cannot overlap, or duplicates are fine, UNION ALL skips that step.",
    );
    if proven {
        f.severity = crate::findings::Severity::Warning;
    }
    let rw = rewrite::union_all(cx.ast, cx.dialect).map(|sql| Rewrite {
        rule: d.id.into(),
        title: "UNION ALL".into(),
        sql,
        equivalence: if proven {
            "Same rows: the branches differ in a constant column, so no row can come from two branches; each branch has no duplicate rows of its own when it selects a unique key (else add DISTINCT inside the branch).".into()
        } else {
            "Same rows only when no row appears twice (within a branch or across branches); otherwise UNION ALL keeps the duplicates.".into()
        },
        exact: proven,
    });
    if let Some(r) = &rw {
        f.fix = Some(Fix {
            title: "UNION ALL".into(),
            sql: r.sql.clone(),
        });
    }
    cx.push(f);
    cx.add_rewrite(rw);
}

/// Two branches that select different constants in the same position cannot share a row.
fn disjoint(l: &SetExpr, r: &SetExpr) -> bool {
    fn consts(s: &SetExpr) -> Option<Vec<Option<String>>> {
        match s {
            SetExpr::Select(sel) => Some(
                sel.projection
                    .iter()
                    .map(|p| match p {
                        ast::SelectItem::UnnamedExpr(e)
                        | ast::SelectItem::ExprWithAlias { expr: e, .. } => match e {
                            Expr::Value(v) => Some(v.value.to_string()),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    }
    let (Some(a), Some(b)) = (consts(l), consts(r)) else {
        return false;
    };
    a.iter()
        .zip(b.iter())
        .any(|(x, y)| matches!((x, y), (Some(x), Some(y)) if x != y))
}

fn unused_ctes(cx: &mut Ctx) {
    let unused: Vec<_> = cx
        .model
        .ctes
        .iter()
        .filter(|c| c.references == 0)
        .cloned()
        .collect();
    for c in unused {
        let d = &docs::UNUSED_CTE;
        let mut f = d.finding(
            format!("CTE {} is defined but never read", c.name),
            cx.span(c.span),
            "An unread CTE is dead code; in MySQL and in PostgreSQL before 12 (or with MATERIALIZED) it may still be computed.",
        );
        let rw = rewrite::drop_cte(cx.ast, &c.name, cx.dialect);
        if let Some(r) = &rw {
            f.fix = Some(Fix {
                title: "Remove the CTE".into(),
                sql: r.sql.clone(),
            });
        }
        cx.push(f);
        cx.add_rewrite(rw);
    }
}

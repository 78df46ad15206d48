//! Migration lint: MIG rules over the parsed statements of migration files, with the schema
//! model replayed statement by statement (what existed before each statement, which tables the
//! same file created). Engine-version aware; suppressions through `crate::rules::suppress`.

use super::{MigrateRequest, Mode, Version, diff as d};
use crate::catalog::{Builder, Catalog, Name};
use crate::error::KdError;
use crate::findings::{Finding, Fix, Span};
use crate::mcp::registry::ToolCtx;
use crate::rules::{self, RuleDoc, suppress};
use crate::sql::{self, Dialect, DialectChoice, ParsedSql, Stmt, StmtKind};
use schemars::JsonSchema;
use serde::Serialize;
use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, ColumnOption, ObjectType, Statement,
    TableConstraint,
};

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct LintStats {
    pub files: usize,
    pub statements: u64,
    pub unparsed: u64,
    pub suppressed: usize,
}

pub struct LintOptions {
    pub dialect: Dialect,
    pub version: Version,
    /// The migration tool runs each file in a transaction.
    pub wrapped: bool,
    pub disabled: Vec<String>,
}

fn doc(id: &str) -> &'static RuleDoc {
    rules::find(id).expect("rule registered")
}

struct Ctx<'a> {
    o: &'a LintOptions,
    out: Vec<Finding>,
}

impl Ctx<'_> {
    fn pg(&self) -> bool {
        self.o.dialect == Dialect::Postgres
    }
    fn add(
        &mut self,
        id: &str,
        span: &Span,
        msg: String,
        help: &str,
        fix: Option<(String, String)>,
    ) {
        let mut f = doc(id).finding(msg, Some(span.clone()), help);
        f.fix = fix.map(|(title, sql)| Fix { title, sql });
        self.out.push(f);
    }
}

/// Per-file state.
#[derive(Default)]
struct FileState {
    created: Vec<Name>,
    in_tx: bool,
    explicit_tx: bool,
    lock_timeout: bool,
    statement_timeout: bool,
    reported_lock: bool,
    reported_stmt: bool,
    begin_span: Option<Span>,
    has_non_tx: bool,
    enum_added: Vec<(Name, String)>,
    /// `CHECK (col IS NOT NULL)` constraints added in this file: (table, column, name).
    not_null_checks: Vec<(Name, String, String)>,
    /// Of those, validated: (table, column).
    proven_not_null: Vec<(Name, String)>,
}

/// Lint parsed migrations. `prior` is the schema before the first file (may be empty).
pub fn lint(
    parsed: &ParsedSql,
    prior: Option<&Catalog>,
    o: &LintOptions,
) -> (Vec<Finding>, LintStats) {
    let mut b = Builder::new(o.dialect);
    if let Some(p) = prior {
        b.cat = p.clone();
    }
    let mut cx = Ctx { o, out: Vec::new() };
    let mut stats = LintStats {
        files: parsed.sources.len().max(1),
        statements: parsed.stats.statements,
        unparsed: parsed.stats.failed,
        suppressed: 0,
    };
    let mut cur_source = usize::MAX;
    let mut st = FileState::default();
    // Whether each file has a non-transactional statement (for prefer-robust-stmts).
    let non_tx_files: Vec<usize> = parsed
        .statements
        .iter()
        .filter(|s| matches!(s.parsed(), Some(Statement::CreateIndex(ci)) if ci.concurrently))
        .map(|s| s.source)
        .collect();
    for s in &parsed.statements {
        if s.source != cur_source {
            finish_file(&mut cx, &st);
            cur_source = s.source;
            st = FileState {
                in_tx: o.wrapped,
                has_non_tx: non_tx_files.contains(&s.source),
                ..FileState::default()
            };
        }
        check(&mut cx, &b, &mut st, s);
        b.apply(s);
    }
    finish_file(&mut cx, &st);
    let sups = suppress::collect(parsed);
    let res = suppress::apply(cx.out, &sups, &o.disabled);
    stats.suppressed = res.suppressed;
    (res.findings, stats)
}

fn finish_file(cx: &mut Ctx, st: &FileState) {
    if st.explicit_tx
        && let Some(sp) = &st.begin_span
    {
        cx.add(
            "MIG024",
            sp,
            "BEGIN without COMMIT: the transaction is rolled back when the session ends".into(),
            "Add COMMIT at the end of the file (or remove BEGIN if the tool wraps the file).",
            None,
        );
    }
}

fn heavy(cx: &mut Ctx, st: &mut FileState, s: &Stmt, what: &str) {
    if !cx.pg() {
        return;
    }
    if !st.lock_timeout && !st.reported_lock {
        st.reported_lock = true;
        cx.add(
            "MIG021",
            &s.span,
            format!("{what} with no lock_timeout set: waiting for the lock blocks every query queued behind it"),
            "Start the migration with SET lock_timeout = '5s' (and retry on timeout).",
            Some(("set lock_timeout first".into(), "SET lock_timeout = '5s';".into())),
        );
    }
    if !st.statement_timeout && !st.reported_stmt {
        st.reported_stmt = true;
        cx.add(
            "MIG022",
            &s.span,
            format!("{what} with no statement_timeout set"),
            "SET statement_timeout for the migration's session (0 for steps known to be long, like VALIDATE).",
            Some(("set statement_timeout first".into(), "SET statement_timeout = '15min';".into())),
        );
    }
}

fn var_name(n: &ast::ObjectName) -> String {
    n.to_string().to_ascii_lowercase()
}

fn type_findings(cx: &mut Ctx, span: &Span, col: &ast::ColumnDef) {
    if !cx.pg() {
        return;
    }
    let t = crate::catalog::types::normalize(&col.data_type, Dialect::Postgres);
    let raw = col.data_type.to_string().to_ascii_lowercase();
    let cname = &col.name.value;
    if raw == "serial"
        || raw == "bigserial"
        || raw == "smallserial"
        || raw == "serial4"
        || raw == "serial8"
    {
        cx.add(
            "MIG047",
            span,
            format!("column {cname} is {raw}"),
            "Use bigint GENERATED BY DEFAULT AS IDENTITY.",
            None,
        );
    }
    match (t.name.as_str(), t.int_bytes) {
        ("integer", _) | (_, Some(4)) => cx.add(
            "MIG045",
            span,
            format!("column {cname} is {raw} (int4)"),
            "Use bigint.",
            None,
        ),
        ("smallint", _) | (_, Some(2)) => cx.add(
            "MIG046",
            span,
            format!("column {cname} is {raw} (int2)"),
            "Use bigint.",
            None,
        ),
        _ => {}
    }
    if t.name == "varchar" && t.length.is_some() {
        cx.add(
            "MIG048",
            span,
            format!("column {cname} is {raw}"),
            "Use text with a CHECK (char_length(col) <= n).",
            None,
        );
    }
    if t.name == "timestamp" && !t.with_time_zone {
        cx.add(
            "MIG049",
            span,
            format!("column {cname} is {raw}"),
            "Use timestamptz.",
            None,
        );
    }
    if t.name == "char"
        || t.name == "bpchar"
        || raw.starts_with("char(")
        || raw.starts_with("character(")
        || raw == "char"
        || raw == "character"
    {
        cx.add(
            "MIG050",
            span,
            format!("column {cname} is {raw}"),
            "Use text or varchar.",
            None,
        );
    }
}

fn long_ident(cx: &mut Ctx, span: &Span, name: &str) {
    if cx.pg() && name.len() > 63 {
        cx.add(
            "MIG051",
            span,
            format!(
                "identifier `{name}` is {} bytes; PostgreSQL truncates it to 63",
                name.len()
            ),
            "Shorten the name.",
            None,
        );
    }
}

/// Views, indexes, triggers and functions of the model that use `table.column`.
fn dependents(cat: &Catalog, table: &Name, col: Option<&str>) -> Vec<String> {
    let mut v = Vec::new();
    for view in &cat.views {
        if view.depends_on.iter().any(|x| cat.name_eq(x, table))
            && col.is_none_or(|c| {
                d::view_mentions(&view.definition, c) && !view.definition.contains('*')
                    || view.definition.contains('*')
            })
        {
            v.push(format!("view {}", view.name));
        }
    }
    if let Some(c) = col {
        for ix in cat.indexes_of(table) {
            let uses = ix.keys.iter().any(|k| match &k.column {
                Some(x) => cat.ident_eq(x, c),
                None => d::view_mentions(&k.expr, c) && !k.expr.contains('*'),
            }) || ix.include.iter().any(|x| cat.ident_eq(x, c));
            if uses
                && (ix.keys.len() + ix.include.len() > 1
                    || ix.keys.iter().any(|k| k.column.is_none()))
            {
                v.push(format!("index {}", ix.name));
            }
        }
    }
    for tr in &cat.triggers {
        if !cat.name_eq(&tr.table, table) {
            continue;
        }
        let body = tr
            .function
            .as_ref()
            .and_then(|f| cat.functions.iter().find(|x| cat.name_eq(&x.name, f)))
            .and_then(|f| f.body.clone());
        match (col, body) {
            (Some(c), Some(b)) if mentions(&b, c) => {
                v.push(format!("trigger {} (its function reads {c})", tr.name))
            }
            (None, _) => v.push(format!("trigger {}", tr.name)),
            _ => {}
        }
    }
    if let Some(c) = col {
        for f in &cat.functions {
            if let Some(b) = &f.body
                && mentions(b, &table.name)
                && mentions(b, c)
                && !cat
                    .triggers
                    .iter()
                    .any(|t| t.function.as_ref().is_some_and(|x| cat.name_eq(x, &f.name)))
            {
                v.push(format!("function {}", f.name));
            }
        }
    }
    v
}

fn mentions(body: &str, word: &str) -> bool {
    let b = body.to_ascii_lowercase();
    let w = word.to_ascii_lowercase();
    b.match_indices(&w).any(|(i, _)| {
        let bytes = b.as_bytes();
        let before = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let j = i + w.len();
        let after = j >= bytes.len() || !(bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_');
        before && after
    })
}

fn check(cx: &mut Ctx, b: &Builder, st: &mut FileState, s: &Stmt) {
    let cat = &b.cat;
    let span = &s.span;
    if let StmtKind::Recognized(r) = &s.kind {
        let k = r.kind.to_ascii_uppercase();
        if cx.pg()
            && k.starts_with("REINDEX")
            && !s.text.to_ascii_uppercase().contains("CONCURRENTLY")
        {
            cx.add(
                "MIG030",
                span,
                "REINDEX without CONCURRENTLY blocks writes for the rebuild".into(),
                "Use REINDEX ... CONCURRENTLY (PostgreSQL 12+).",
                None,
            );
        }
        if cx.pg()
            && (k.starts_with("CLUSTER") || k.starts_with("VACUUM"))
            && (k.starts_with("CLUSTER") || s.text.to_ascii_uppercase().contains("FULL"))
        {
            cx.add(
                "MIG031",
                span,
                format!("{k} rewrites the table under ACCESS EXCLUSIVE"),
                "Use pg_repack.",
                None,
            );
        }
        if cx.pg()
            && k.starts_with("CREATE DOMAIN")
            && s.text.to_ascii_uppercase().contains("CHECK")
        {
            cx.add(
                "MIG033",
                span,
                "domain with a CHECK constraint".into(),
                "Prefer table CHECK constraints.",
                None,
            );
        }
        if cx.pg() && k.starts_with("ALTER DOMAIN") && s.text.to_ascii_uppercase().contains("ADD") {
            cx.add(
                "MIG033",
                span,
                "ALTER DOMAIN ... ADD CONSTRAINT revalidates every column using the domain".into(),
                "Prefer table CHECK constraints.",
                None,
            );
        }
        return;
    }
    let Some(stmt) = s.parsed() else { return };
    let created = st.created.clone();
    // Like squawk: a table not created in this file is taken to exist (and hold rows).
    let existing = |n: &Name| !created.iter().any(|c| cat.name_eq(c, n));
    match stmt {
        Statement::StartTransaction { .. } => {
            if st.in_tx {
                cx.add(
                    "MIG023",
                    span,
                    if st.explicit_tx {
                        "BEGIN inside an open transaction".into()
                    } else {
                        "BEGIN in a file the migration tool already runs in a transaction".into()
                    },
                    "Remove BEGIN/COMMIT: the tool's transaction covers the file.",
                    None,
                );
            }
            st.in_tx = true;
            st.explicit_tx = true;
            st.begin_span = Some(span.clone());
        }
        Statement::Commit { .. } | Statement::Rollback { .. } => {
            st.in_tx = false;
            st.explicit_tx = false;
            st.begin_span = None;
        }
        Statement::Set(set) => {
            let vars: Vec<String> = match set {
                ast::Set::SingleAssignment { variable, .. } => vec![var_name(variable)],
                ast::Set::MultipleAssignments { assignments } => {
                    assignments.iter().map(|a| var_name(&a.name)).collect()
                }
                _ => vec![],
            };
            for v in vars {
                if v.ends_with("lock_timeout") && !v.contains("idle") {
                    st.lock_timeout = true;
                }
                if v.ends_with("statement_timeout") {
                    st.statement_timeout = true;
                }
            }
        }
        Statement::CreateTable(ct) => {
            let n = b.name(&ct.name);
            long_ident(cx, span, &n.name);
            let mut seen: Vec<String> = Vec::new();
            for c in &ct.columns {
                type_findings(cx, span, c);
                let cn = c.name.value.to_ascii_lowercase();
                if seen.contains(&cn) {
                    cx.add(
                        "MIG052",
                        span,
                        format!(
                            "column {} appears twice in CREATE TABLE {}",
                            c.name.value, n
                        ),
                        "Remove or rename one of them.",
                        None,
                    );
                }
                seen.push(cn);
            }
            st.created.push(n);
        }
        Statement::CreateIndex(ci) => {
            let t = b.name(&ci.table_name);
            if let Some(n) = &ci.name {
                long_ident(cx, span, &n.to_string());
            }
            if cx.pg() && ci.concurrently && st.in_tx {
                cx.add(
                    "MIG003",
                    span,
                    "CREATE INDEX CONCURRENTLY inside a transaction block fails".into(),
                    "Move it to its own non-transactional migration.",
                    None,
                );
            }
            if cx.pg() && !ci.concurrently && existing(&t) {
                let mut fixed = ci.clone();
                fixed.concurrently = true;
                cx.add("MIG001", span, format!("CREATE INDEX on {t} without CONCURRENTLY blocks writes for the whole build"),
                    "Use CREATE INDEX CONCURRENTLY, in a migration that does not run in a transaction.",
                    Some(("build it concurrently".into(), format!("{fixed};"))));
            }
            if cx.pg() && ci.concurrently && !ci.if_not_exists && st.has_non_tx {
                let mut fixed = ci.clone();
                fixed.if_not_exists = true;
                cx.add("MIG025", span, "CREATE INDEX CONCURRENTLY without IF NOT EXISTS cannot be re-run after a failure".into(),
                    "Add IF NOT EXISTS (and drop an INVALID index left by a failed build).", Some(("make it re-runnable".into(), format!("{fixed};"))));
            }
            if existing(&t) {
                heavy(cx, st, s, "CREATE INDEX");
            }
        }
        Statement::Drop {
            object_type,
            names,
            cascade,
            if_exists,
            ..
        } => {
            if *cascade {
                cx.add(
                    "MIG020",
                    span,
                    format!("DROP {object_type} ... CASCADE also drops every dependent object"),
                    "Drop dependents explicitly.",
                    None,
                );
            }
            match object_type {
                ObjectType::Table => {
                    for n in names {
                        let t = b.name(n);
                        if existing(&t) {
                            cx.add(
                                "MIG016",
                                span,
                                format!("DROP TABLE {t} deletes every row"),
                                "Make sure nothing reads it; keep a backup.",
                                None,
                            );
                            heavy(cx, st, s, "DROP TABLE");
                            let deps: Vec<String> = dependents(cat, &t, None)
                                .into_iter()
                                .filter(|x| x.starts_with("view"))
                                .collect();
                            if !deps.is_empty() && !*cascade {
                                cx.add(
                                    "MIG042",
                                    span,
                                    format!("{t} is still used by {}", deps.join(", ")),
                                    "Drop or rewrite the dependents first.",
                                    None,
                                );
                            }
                        }
                    }
                }
                ObjectType::Index => {
                    // The parser lacks DROP INDEX CONCURRENTLY; the repair that reads it notes it.
                    let conc = s.repairs.iter().any(|r| r.what.contains("CONCURRENTLY"));
                    if cx.pg() && !conc {
                        let list: Vec<String> = names.iter().map(|n| n.to_string()).collect();
                        cx.add("MIG002", span, format!("DROP INDEX {} without CONCURRENTLY takes ACCESS EXCLUSIVE on its table", list.join(", ")),
                            "Use DROP INDEX CONCURRENTLY, outside a transaction.",
                            Some(("drop it concurrently".into(), format!("DROP INDEX CONCURRENTLY {}{};", if *if_exists { "IF EXISTS " } else { "" }, list.join(", ")))));
                    }
                    if cx.pg() && conc && st.in_tx {
                        cx.add(
                            "MIG003",
                            span,
                            "DROP INDEX CONCURRENTLY inside a transaction block fails".into(),
                            "Move it to its own non-transactional migration.",
                            None,
                        );
                    }
                }
                ObjectType::Schema | ObjectType::Database => {
                    cx.add(
                        "MIG017",
                        span,
                        format!("DROP {object_type} deletes everything in it"),
                        "Do it by hand after a backup, not in a migration.",
                        None,
                    );
                }
                _ => {}
            }
        }
        Statement::Truncate(tr) => {
            if matches!(tr.cascade, Some(ast::CascadeOption::Cascade)) {
                cx.add(
                    "MIG020",
                    span,
                    "TRUNCATE ... CASCADE also empties every table that references these".into(),
                    "List the tables explicitly.",
                    None,
                );
            }
        }
        Statement::AlterType(at) => {
            if let ast::AlterTypeOperation::AddValue(av) = &at.operation {
                if av.position.is_none() {
                    cx.add(
                        "MIG026",
                        span,
                        format!(
                            "ADD VALUE '{}' goes to the end of enum {}",
                            av.value.value, at.name
                        ),
                        "Say BEFORE or AFTER which value it belongs.",
                        None,
                    );
                }
                if cx.pg() && st.in_tx && !cx.o.version.at_least(12, 0) {
                    cx.add("MIG027", span, "ALTER TYPE ... ADD VALUE cannot run in a transaction block before PostgreSQL 12".into(), "Put it in its own non-transactional migration.", None);
                }
                st.enum_added
                    .push((b.name(&at.name), av.value.value.clone()));
            }
        }
        Statement::Update(u) => {
            // Duplicate SET targets, and use of an enum value added in the same transaction.
            let mut seen: Vec<String> = Vec::new();
            for a in &u.assignments {
                let t = a.target.to_string().to_ascii_lowercase();
                if seen.contains(&t) {
                    cx.add(
                        "MIG052",
                        span,
                        format!("{t} is assigned twice in one UPDATE"),
                        "Assign each column once.",
                        None,
                    );
                }
                seen.push(t);
            }
            if st.in_tx && cx.pg() {
                for (_, v) in &st.enum_added {
                    if s.text.contains(&format!("'{v}'")) {
                        cx.add("MIG027", span, format!("enum value '{v}' is used in the transaction that added it (`unsafe use of new value`)"), "Use the new value in a later migration.", None);
                    }
                }
            }
        }
        Statement::AlterTable(at) => alter_table(cx, b, st, s, at),
        Statement::Vacuum(v) if cx.pg() && v.full => {
            cx.add(
                "MIG031",
                span,
                "VACUUM FULL rewrites the table under ACCESS EXCLUSIVE".into(),
                "Use pg_repack.",
                None,
            );
        }
        Statement::CreateDomain(cd)
            if cx.pg()
                && cd
                    .constraints
                    .iter()
                    .any(|c| matches!(c, TableConstraint::Check(_))) =>
        {
            cx.add(
                "MIG033",
                span,
                format!("domain {} has a CHECK constraint", cd.name),
                "Prefer table CHECK constraints.",
                None,
            );
        }
        _ => {}
    }
}

fn alter_table(cx: &mut Ctx, b: &Builder, st: &mut FileState, s: &Stmt, at: &ast::AlterTable) {
    let cat = &b.cat;
    let span = &s.span;
    let t = b.name(&at.name);
    let table = cat.table(&t);
    let existing = !st.created.iter().any(|c| cat.name_eq(c, &t));
    let pg = cx.pg();
    let mut is_heavy = false;
    for op in &at.operations {
        match op {
            AlterTableOperation::AddColumn {
                column_def,
                if_not_exists,
                ..
            } => {
                type_findings(cx, span, column_def);
                long_ident(cx, span, &column_def.name.value);
                if !existing {
                    continue;
                }
                is_heavy = true;
                let opts: Vec<&ColumnOption> =
                    column_def.options.iter().map(|o| &o.option).collect();
                let not_null = opts
                    .iter()
                    .any(|o| matches!(o, ColumnOption::NotNull | ColumnOption::PrimaryKey(_)));
                let default = opts.iter().find_map(|o| match o {
                    ColumnOption::Default(e) => Some(e.to_string()),
                    _ => None,
                });
                let generated = opts.iter().find_map(|o| match o {
                    ColumnOption::Generated {
                        generation_expr,
                        generation_expr_mode,
                        generated_as,
                        ..
                    } => Some((
                        generation_expr.is_some(),
                        format!("{generation_expr_mode:?}"),
                        format!("{generated_as:?}"),
                    )),
                    _ => None,
                });
                let serial = crate::catalog::types::serial_kind(&column_def.data_type).is_some();
                let cname = &column_def.name.value;
                if not_null && default.is_none() && generated.is_none() && !serial {
                    cx.add(
                        "MIG009",
                        span,
                        format!(
                            "ADD COLUMN {cname} NOT NULL without a default fails when {t} has rows"
                        ),
                        "Give it a DEFAULT, or add it nullable, backfill, then SET NOT NULL.",
                        None,
                    );
                }
                if pg {
                    if let Some(def) = &default
                        && (!cx.o.version.at_least(11, 0) || d::volatile_default(def))
                    {
                        cx.add("MIG010", span, format!("ADD COLUMN {cname} DEFAULT {def} rewrites {t} under ACCESS EXCLUSIVE{}", if cx.o.version.at_least(11, 0) { " (volatile default)" } else { " (PostgreSQL < 11)" }),
                            "Add the column without a default, SET DEFAULT, then backfill in batches.", None);
                    }
                    if serial
                        || generated
                            .as_ref()
                            .is_some_and(|(expr, mode, _)| !*expr || mode.contains("Stored"))
                    {
                        cx.add(
                            "MIG034",
                            span,
                            format!(
                                "adding {cname} (identity, serial or stored generated) rewrites {t}"
                            ),
                            "Add a plain column and backfill in batches.",
                            None,
                        );
                    }
                }
                if pg && !if_not_exists && st.has_non_tx {
                    cx.add(
                        "MIG025",
                        span,
                        format!("ADD COLUMN {cname} without IF NOT EXISTS cannot be re-run"),
                        "Use ADD COLUMN IF NOT EXISTS.",
                        None,
                    );
                }
                for o in &opts {
                    if let ColumnOption::ForeignKey(_) = o
                        && pg
                    {
                        cx.add("MIG004", span, format!("ADD COLUMN {cname} REFERENCES validates against {t} under SHARE ROW EXCLUSIVE"),
                            "Add the column, then the foreign key NOT VALID, then VALIDATE.", None);
                    }
                }
            }
            AlterTableOperation::AddConstraint {
                constraint,
                not_valid,
            } => {
                if let TableConstraint::Check(ck) = constraint
                    && let ast::Expr::IsNotNull(inner) = strip_nested(&ck.expr)
                    && let ast::Expr::Identifier(id) = strip_nested(inner)
                {
                    let cname = ck.name.as_ref().map(|n| b.ident(n)).unwrap_or_default();
                    st.not_null_checks.push((t.clone(), b.ident(id), cname));
                    if !*not_valid {
                        st.proven_not_null.push((t.clone(), b.ident(id)));
                    }
                }
                if !existing {
                    continue;
                }
                is_heavy = true;
                let op_sql = format!("ALTER TABLE {} ADD {constraint}", at.name);
                match constraint {
                    TableConstraint::ForeignKey(fk) if pg && !not_valid => {
                        let name = fk
                            .name
                            .as_ref()
                            .map(|n| n.value.clone())
                            .unwrap_or_else(|| "<name>".into());
                        cx.add("MIG004", span, format!("foreign key on {t} added without NOT VALID: scans {t} holding SHARE ROW EXCLUSIVE on both tables"),
                            "Add it NOT VALID, then VALIDATE CONSTRAINT in a separate transaction.",
                            Some(("NOT VALID, then VALIDATE".into(), format!("{op_sql} NOT VALID;\nALTER TABLE {} VALIDATE CONSTRAINT {name};", at.name))));
                    }
                    TableConstraint::Check(ck) if pg && !not_valid => {
                        let name = ck
                            .name
                            .as_ref()
                            .map(|n| n.value.clone())
                            .unwrap_or_else(|| "<name>".into());
                        cx.add("MIG005", span, format!("check constraint on {t} added without NOT VALID: scans {t} under ACCESS EXCLUSIVE"),
                            "Add it NOT VALID, then VALIDATE CONSTRAINT.",
                            Some(("NOT VALID, then VALIDATE".into(), format!("{op_sql} NOT VALID;\nALTER TABLE {} VALIDATE CONSTRAINT {name};", at.name))));
                    }
                    TableConstraint::Unique(u)
                        if pg
                            && u.index_name.is_none()
                            && !s.text.to_ascii_uppercase().contains("USING INDEX") =>
                    {
                        cx.add("MIG006", span, format!("ADD UNIQUE on {t} builds its index under ACCESS EXCLUSIVE"),
                            "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX.", None);
                    }
                    TableConstraint::PrimaryKey(_)
                        if pg && !s.text.to_ascii_uppercase().contains("USING INDEX") =>
                    {
                        cx.add("MIG007", span, format!("ADD PRIMARY KEY on {t} builds its index under ACCESS EXCLUSIVE"),
                            "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX.", None);
                    }
                    _ => {}
                }
            }
            AlterTableOperation::DropConstraint { name, .. } => {
                if !existing {
                    continue;
                }
                is_heavy = true;
                let kind = table.and_then(|tb| {
                    if tb
                        .primary_key
                        .as_ref()
                        .is_some_and(|k| cat.ident_eq(&k.name, &name.value))
                    {
                        Some("primary key")
                    } else if tb
                        .foreign_keys
                        .iter()
                        .any(|f| cat.ident_eq(&f.name, &name.value))
                    {
                        Some("foreign key")
                    } else if tb.checks.iter().any(|c| cat.ident_eq(&c.name, &name.value)) {
                        Some("check")
                    } else {
                        None
                    }
                });
                let unique = table.is_some_and(|tb| {
                    tb.uniques
                        .iter()
                        .any(|u| cat.ident_eq(&u.name, &name.value))
                });
                if !unique {
                    cx.add(
                        "MIG018",
                        span,
                        format!(
                            "drops {} {} of {t}",
                            kind.unwrap_or("constraint"),
                            name.value
                        ),
                        "Make sure the integrity it gave is no longer needed.",
                        None,
                    );
                }
            }
            AlterTableOperation::DropPrimaryKey { .. }
            | AlterTableOperation::DropForeignKey { .. } => {
                if existing {
                    cx.add(
                        "MIG018",
                        span,
                        format!("drops a constraint of {t}"),
                        "Make sure the integrity it gave is no longer needed.",
                        None,
                    );
                }
            }
            AlterTableOperation::DropColumn { column_names, .. } => {
                for c in column_names {
                    let deps = dependents(cat, &t, Some(&cat_ident(b, c)));
                    if !deps.is_empty() {
                        cx.add(
                            "MIG042",
                            span,
                            format!("{}.{} is still used by {}", t, c.value, deps.join(", ")),
                            "Drop or rewrite the dependents in the same migration.",
                            None,
                        );
                    }
                }
                if !existing {
                    continue;
                }
                is_heavy = true;
                for c in column_names {
                    cx.add("MIG015", span, format!("DROP COLUMN {}.{} deletes its data; clients still using it break", t, c.value),
                        "Stop using the column in the application first, then drop it in a later release.", None);
                }
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                if existing {
                    cx.add("MIG013", span, format!("renaming {}.{} to {} breaks clients using the old name", t, old_column_name.value, new_column_name.value),
                        "Expand/contract: add the new column, dual-write, switch reads, drop the old one.", None);
                    is_heavy = true;
                }
            }
            AlterTableOperation::RenameTable { .. } => {
                if existing {
                    cx.add(
                        "MIG014",
                        span,
                        format!("renaming {t} breaks clients using the old name"),
                        "Keep a compatibility view under the old name.",
                        None,
                    );
                    is_heavy = true;
                }
            }
            AlterTableOperation::ChangeColumn {
                old_name,
                new_name,
                data_type,
                ..
            } => {
                if existing && !old_name.value.eq_ignore_ascii_case(&new_name.value) {
                    cx.add(
                        "MIG013",
                        span,
                        format!(
                            "renaming {}.{} to {} breaks clients using the old name",
                            t, old_name.value, new_name.value
                        ),
                        "Expand/contract.",
                        None,
                    );
                }
                type_change(cx, b, span, &t, existing, &old_name.value, data_type);
                is_heavy |= existing;
            }
            AlterTableOperation::ModifyColumn {
                col_name,
                data_type,
                ..
            } => {
                type_change(cx, b, span, &t, existing, &col_name.value, data_type);
                is_heavy |= existing;
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                if !existing {
                    if let AlterColumnOperation::SetDataType { data_type, .. } = op {
                        type_change(cx, b, span, &t, false, &column_name.value, data_type);
                    }
                    continue;
                }
                is_heavy = true;
                match op {
                    AlterColumnOperation::SetNotNull if pg => {
                        let col = cat_ident(b, column_name);
                        // Exempt when a validated CHECK (col IS NOT NULL) already proves it (PG 12+).
                        let in_file = st
                            .proven_not_null
                            .iter()
                            .any(|(tn, c)| cat.name_eq(tn, &t) && cat.ident_eq(c, &col));
                        let proven = cx.o.version.at_least(12, 0) && in_file
                            || cx.o.version.at_least(12, 0)
                                && table.is_some_and(|tb| {
                                    tb.checks.iter().any(|c| {
                                        !c.not_valid
                                            && d::view_mentions(&c.expr, &col)
                                            && c.expr
                                                .to_ascii_uppercase()
                                                .replace(['(', ')'], "")
                                                .trim()
                                                .ends_with("IS NOT NULL")
                                    })
                                });
                        if !proven {
                            let ck = format!("{}_{}_not_null", t.name, col);
                            cx.add("MIG008", span, format!("SET NOT NULL on {t}.{col} scans the table under ACCESS EXCLUSIVE"),
                                "Prove it with a validated CHECK first (PostgreSQL 12+ then skips the scan).",
                                Some(("CHECK NOT VALID, VALIDATE, SET NOT NULL".into(), format!(
                                    "ALTER TABLE {tn} ADD CONSTRAINT {ck} CHECK ({col} IS NOT NULL) NOT VALID;\nALTER TABLE {tn} VALIDATE CONSTRAINT {ck};\nALTER TABLE {tn} ALTER COLUMN {col} SET NOT NULL;\nALTER TABLE {tn} DROP CONSTRAINT {ck};",
                                    tn = at.name
                                ))));
                        }
                    }
                    AlterColumnOperation::DropNotNull => {
                        cx.add(
                            "MIG019",
                            span,
                            format!("DROP NOT NULL on {t}.{}", column_name.value),
                            "Make sure every reader handles NULL.",
                            None,
                        );
                    }
                    AlterColumnOperation::SetDataType { data_type, .. } => {
                        type_change(cx, b, span, &t, existing, &column_name.value, data_type);
                    }
                    AlterColumnOperation::AddGenerated { .. } if pg => {
                        cx.add("MIG034", span, format!("ADD GENERATED AS IDENTITY on {t}.{}", column_name.value), "Identity on an existing column fills no rows but takes ACCESS EXCLUSIVE; check the sequence start.", None);
                    }
                    _ => {}
                }
            }
            AlterTableOperation::DetachPartitionOf { mode, .. } if pg => {
                if !matches!(mode, Some(ast::DetachPartitionMode::Concurrently)) {
                    cx.add(
                        "MIG029",
                        span,
                        format!("DETACH PARTITION on {t} takes ACCESS EXCLUSIVE"),
                        "Use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+).",
                        None,
                    );
                }
            }
            AlterTableOperation::SetLogged | AlterTableOperation::SetUnlogged if pg && existing => {
                cx.add(
                    "MIG036",
                    span,
                    format!("SET LOGGED/UNLOGGED rewrites {t}"),
                    "Create the table the right way from the start.",
                    None,
                );
            }
            AlterTableOperation::ValidateConstraint { name } => {
                let n = b.ident(name);
                let hits: Vec<(Name, String)> = st
                    .not_null_checks
                    .iter()
                    .filter(|(tn, _, cn)| cat.name_eq(tn, &t) && cat.ident_eq(cn, &n))
                    .map(|(tn, c, _)| (tn.clone(), c.clone()))
                    .collect();
                st.proven_not_null.extend(hits);
            }
            _ => {
                if existing {
                    is_heavy = true;
                }
            }
        }
    }
    let only_validate = at
        .operations
        .iter()
        .all(|o| matches!(o, AlterTableOperation::ValidateConstraint { .. }));
    if is_heavy && existing && !only_validate {
        heavy(cx, st, s, "ALTER TABLE");
    }
}

fn strip_nested(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Nested(x) => strip_nested(x),
        _ => e,
    }
}

fn cat_ident(b: &Builder, i: &ast::Ident) -> String {
    b.ident(i)
}

fn type_change(
    cx: &mut Ctx,
    b: &Builder,
    span: &Span,
    t: &Name,
    existing: bool,
    col: &str,
    dt: &ast::DataType,
) {
    let cat = &b.cat;
    let new = crate::catalog::types::normalize(dt, cx.o.dialect);
    let old = cat
        .table(t)
        .and_then(|tb| tb.column(col))
        .map(|c| c.data_type.clone());
    let deps: Vec<String> = dependents(cat, t, Some(col))
        .into_iter()
        .filter(|x| x.starts_with("view") || x.starts_with("function") || x.starts_with("trigger"))
        .collect();
    if !deps.is_empty() && old.as_ref().is_some_and(|o| !d::same_type(o, &new)) {
        cx.add(
            "MIG042",
            span,
            format!("{t}.{col} changes type but is used by {}", deps.join(", ")),
            "Drop and recreate the dependents around the change.",
            None,
        );
    }
    if !existing {
        return;
    }
    let rewrite = match &old {
        Some(o) => !(d::same_type(o, &new) || cx.pg() && d::pg_no_rewrite(o, &new)),
        None => true,
    };
    if rewrite {
        cx.add(
            "MIG011",
            span,
            format!(
                "changing the type of {t}.{col}{} rewrites the table and its indexes",
                old.as_ref()
                    .map(|o| format!(" from {} to {}", o.raw, dt))
                    .unwrap_or_default()
            ),
            "Expand/contract: add a new column, backfill, switch, drop the old one.",
            None,
        );
    }
    if let Some(o) = &old
        && (d::narrowing(o, &new) || d::lossy(o, &new).is_some())
    {
        cx.add(
            "MIG012",
            span,
            format!(
                "{t}.{col}: {} → {dt} narrows the type; rows that do not fit fail (or are rounded)",
                o.raw
            ),
            "Check the data first; the old values cannot come back in a down migration.",
            None,
        );
    }
    let deps: Vec<String> = dependents(cat, t, Some(col))
        .into_iter()
        .filter(|x| x.starts_with("view") || x.starts_with("function") || x.starts_with("trigger"))
        .collect();
    if !deps.is_empty() && old.as_ref().is_some_and(|o| !d::same_type(o, &new)) {
        cx.add(
            "MIG042",
            span,
            format!("{t}.{col} changes type but is used by {}", deps.join(", ")),
            "Drop and recreate the dependents around the change.",
            None,
        );
    }
}

/// The tool's lint mode.
pub fn lint_mode(req: &MigrateRequest, ctx: &ToolCtx) -> Result<super::MigrateReport, KdError> {
    let files = req.files.as_ref().filter(|f| !f.is_empty()).ok_or_else(|| {
        KdError::invalid("lint needs `files`: {\"paths\": [\"migrations/\"]} or {\"sql\": \"ALTER TABLE ...\"}")
    })?;
    let sources = files.sources(ctx.base_dir.as_deref(), &ctx.limits)?;
    let parsed = sql::parse_sources(&sources, req.dialect, &ctx.limits)?;
    let dialect = parsed.dialect.dialect;
    let fixed = match dialect {
        Dialect::Mysql => DialectChoice::Mysql,
        Dialect::Sqlite => DialectChoice::Sqlite,
        _ => DialectChoice::Postgres,
    };
    let prior = match &req.schema {
        Some(s) if !s.is_empty() => Some(super::load_side(s, fixed, ctx)?.1),
        _ => None,
    };
    let version = match &req.version {
        Some(v) => Version::parse(v)?,
        None => Version::default_for(dialect),
    };
    let o = LintOptions {
        dialect,
        version,
        wrapped: req.wrapped.unwrap_or(false),
        disabled: req.disable.clone(),
    };
    let (findings, stats) = lint(&parsed, prior.as_ref(), &o);
    let counts = super::Counts {
        findings: findings.len(),
        ..super::Counts::default()
    };
    Ok(super::MigrateReport {
        mode: Mode::Lint,
        dialect,
        version,
        steps: vec![],
        renames: vec![],
        rename_candidates: vec![],
        notes: vec![],
        up_sql: String::new(),
        down_sql: String::new(),
        format: None,
        files: vec![],
        findings,
        lint_stats: Some(stats),
        counts,
        written_to: None,
    })
}

/// Lint PostgreSQL text (tests, benches).
pub fn lint_sql(text: &str, version: &str) -> Result<Vec<Finding>, KdError> {
    lint_sql_with(text, version, false, None)
}

/// Lint PostgreSQL text with a prior schema and the tool's transaction wrapping.
pub fn lint_sql_with(
    text: &str,
    version: &str,
    wrapped: bool,
    prior: Option<&str>,
) -> Result<Vec<Finding>, KdError> {
    let parsed = sql::parse_text(
        text,
        DialectChoice::Postgres,
        &crate::limits::Limits::default(),
    )?;
    let prior = match prior {
        Some(p) => Some(crate::catalog::from_sql(p, DialectChoice::Postgres)?),
        None => None,
    };
    let o = LintOptions {
        dialect: Dialect::Postgres,
        version: Version::parse(version)?,
        wrapped,
        disabled: vec![],
    };
    Ok(lint(&parsed, prior.as_ref(), &o).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(sql: &str, version: &str) -> Vec<String> {
        lint_sql(sql, version)
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect()
    }

    /// Every MIG rule's documented bad example triggers it; its good example does not.
    #[test]
    fn rule_doc_examples() {
        let mut failures = Vec::new();
        for r in crate::rules::mig::DOCS.iter().filter(|r| r.family == "MIG") {
            let prior = match r.id {
                "MIG012" => Some("CREATE TABLE users (id bigint PRIMARY KEY, name varchar(50));"),
                _ => None,
            };
            let lint_ids = |sql: &str| -> Vec<String> {
                lint_sql_with(sql, "16", r.id == "MIG023", prior)
                    .unwrap()
                    .into_iter()
                    .map(|f| f.id)
                    .collect()
            };
            let bad = lint_ids(r.bad);
            if !bad.iter().any(|i| i == r.id) && !matches!(r.id, "MIG010" | "MIG027") {
                failures.push(format!("{}: bad example not flagged ({bad:?})", r.id));
            }
            let good = lint_ids(r.good);
            if good.iter().any(|i| i == r.id) && !matches!(r.id, "MIG014" | "MIG015") {
                failures.push(format!("{}: good example flagged", r.id));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn version_gates() {
        let add_default = "ALTER TABLE t ADD COLUMN c int DEFAULT 0;";
        assert!(ids(add_default, "10").contains(&"MIG010".to_string()));
        assert!(!ids(add_default, "11").contains(&"MIG010".to_string()));
        let volatile = "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid();";
        assert!(ids(volatile, "16").contains(&"MIG010".to_string()));
        let add_value = "BEGIN;\nALTER TYPE s ADD VALUE 'x' AFTER 'a';\nCOMMIT;";
        assert!(ids(add_value, "11").contains(&"MIG027".to_string()));
        assert!(!ids(add_value, "12").contains(&"MIG027".to_string()));
    }

    #[test]
    fn table_created_in_the_same_file_is_exempt() {
        let sql = "CREATE TABLE t (id bigint PRIMARY KEY, a text);\nCREATE INDEX t_a ON t (a);\nALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a <> '');";
        let got = ids(sql, "16");
        assert!(
            !got.iter()
                .any(|i| i == "MIG001" || i == "MIG005" || i == "MIG021"),
            "{got:?}"
        );
    }

    #[test]
    fn timeouts_set_first_silence_the_timeout_rules() {
        let sql = "SET lock_timeout = '5s';\nSET statement_timeout = '1min';\nALTER TABLE t ADD COLUMN c text;";
        let got = ids(sql, "16");
        assert!(
            !got.iter().any(|i| i == "MIG021" || i == "MIG022"),
            "{got:?}"
        );
        let got = ids("ALTER TABLE t ADD COLUMN c text;", "16");
        assert!(got.iter().any(|i| i == "MIG021") && got.iter().any(|i| i == "MIG022"));
    }

    #[test]
    fn model_aware_dependents() {
        let sql = "CREATE TABLE u (id bigint PRIMARY KEY, email text, name text);\nCREATE VIEW v AS SELECT id, email FROM u;\nCREATE INDEX u_both ON u (name, email);\nALTER TABLE u DROP COLUMN email;";
        let f = lint_sql(sql, "16").unwrap();
        let dep = f.iter().find(|f| f.id == "MIG042").expect("MIG042");
        assert!(
            dep.message.contains("view v") && dep.message.contains("index u_both"),
            "{}",
            dep.message
        );
        assert_eq!(dep.span.as_ref().unwrap().start.line, 4);
        // The table was created in this file, so the drop itself is not a lock/compat finding.
        assert!(!f.iter().any(|f| f.id == "MIG015"));
        let retype = "CREATE TABLE u (id bigint PRIMARY KEY, n int);\nCREATE VIEW v AS SELECT n FROM u;\n-- later\nALTER TABLE u ALTER COLUMN n TYPE bigint;";
        assert!(ids(retype, "16").contains(&"MIG042".to_string()));
    }

    #[test]
    fn binary_coercible_type_change_is_not_a_rewrite() {
        let sql = "CREATE TABLE u (id bigint PRIMARY KEY, n varchar(10));\nCOMMIT;\nALTER TABLE u ALTER COLUMN n TYPE varchar(20);";
        assert!(!ids(sql, "16").contains(&"MIG011".to_string()));
        let sql = "ALTER TABLE u ALTER COLUMN n TYPE bigint;";
        assert!(ids(sql, "16").contains(&"MIG011".to_string()));
    }

    #[test]
    fn suppression_comments_apply() {
        let sql =
            "-- kd-dba: ignore MIG015 column unused since v3\nALTER TABLE u DROP COLUMN legacy;";
        let got = ids(sql, "16");
        assert!(
            !got.contains(&"MIG015".to_string()) && !got.contains(&"META001".to_string()),
            "{got:?}"
        );
    }

    #[test]
    fn fixes_are_parseable_sql() {
        let f = lint_sql("CREATE INDEX i ON t (a);", "16").unwrap();
        let fix = f
            .iter()
            .find(|f| f.id == "MIG001")
            .and_then(|f| f.fix.clone())
            .unwrap();
        assert_eq!(fix.sql, "CREATE INDEX CONCURRENTLY i ON t(a);");
        assert!(
            sql::parse_text(
                &fix.sql,
                DialectChoice::Postgres,
                &crate::limits::Limits::default()
            )
            .unwrap()
            .stats
            .failed
                == 0
        );
    }
}

//! Building the model by applying statements in order, the way the engine would.
//!
//! CREATE / ALTER / DROP / RENAME / COMMENT statements change the model; everything else is
//! ignored. pg_dump's split forms (`ALTER TABLE ONLY ... ADD CONSTRAINT`, `ALTER SEQUENCE ...
//! OWNED BY`, `SET DEFAULT nextval(...)`, `ATTACH PARTITION`) and mysqldump's (`KEY` clauses,
//! executable comments) are understood, so a dump and the migration history that produced it
//! give the same model. Engine rules that create objects implicitly are applied here: key indexes,
//! MySQL's foreign-key indexes, SQLite's autoindexes and rowid aliases, PostgreSQL's serial
//! sequences, default constraint and index names, and partition clones.

use super::model::*;
use super::names;
use super::types::{normalize, serial_kind};
use crate::findings::Span;
use crate::sql::repair::RepairEffect;
use crate::sql::{Dialect, ParsedSql, Recognized, Stmt, StmtKind};
use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, ColumnOption, ColumnOptionDef, Expr,
    ObjectName, ObjectType, Statement, TableConstraint,
};
use std::ops::ControlFlow;

/// Build a model from parsed SQL.
pub fn build(parsed: &ParsedSql) -> Catalog {
    let mut b = Builder::new(parsed.dialect.dialect);
    for s in &parsed.statements {
        b.apply(s);
    }
    b.finish()
}

pub struct Builder {
    pub cat: Catalog,
    /// Schema that unqualified names resolve to (search_path head, MySQL `USE`).
    current_schema: String,
    /// The statement being applied (for spans).
    span: Option<Span>,
    /// The identity sequence name the statement gives (`SEQUENCE NAME`, lifted out by a repair).
    identity_sequence: Option<Name>,
    /// PRIMARY KEY and UNIQUE constraints the statement being applied has added (PostgreSQL).
    stmt_keys: Vec<StmtKey>,
    /// `LIKE ... INCLUDING/EXCLUDING` options of the statement (lifted out by a repair).
    like_options: Vec<(bool, String)>,
    /// A LIKE clause the repair lifted out whole: source as written, elements before it.
    like_clause: Option<(String, usize)>,
}

/// What `CREATE TABLE ... (LIKE source ...)` copies besides column names, types and NOT NULL.
#[derive(Default, Clone, Copy)]
struct LikeCopy {
    defaults: bool,
    identity: bool,
    generated: bool,
    comments: bool,
    constraints: bool,
    indexes: bool,
}

impl LikeCopy {
    /// PostgreSQL: nothing by default; `INCLUDING x` / `EXCLUDING x` in order, `ALL` for all.
    fn postgres(
        defaults: Option<&ast::CreateTableLikeDefaults>,
        options: &[(bool, String)],
    ) -> Self {
        let mut c = LikeCopy::default();
        if matches!(defaults, Some(ast::CreateTableLikeDefaults::Including)) {
            c.defaults = true;
        }
        for (on, what) in options {
            let on = *on;
            match what.as_str() {
                "ALL" => {
                    c = LikeCopy {
                        defaults: on,
                        identity: on,
                        generated: on,
                        comments: on,
                        constraints: on,
                        indexes: on,
                    }
                }
                "DEFAULTS" => c.defaults = on,
                "IDENTITY" => c.identity = on,
                "GENERATED" => c.generated = on,
                "COMMENTS" => c.comments = on,
                "CONSTRAINTS" => c.constraints = on,
                "INDEXES" => c.indexes = on,
                _ => {}
            }
        }
        c
    }

    /// MySQL's `CREATE TABLE t LIKE s` copies the whole definition but the foreign keys.
    fn mysql() -> Self {
        LikeCopy {
            defaults: true,
            identity: true,
            generated: true,
            comments: true,
            constraints: true,
            indexes: true,
        }
    }
}

/// A key constraint added by the current statement. PostgreSQL's `transformIndexConstraints`
/// merges identical ones within one CREATE TABLE or ALTER TABLE (`a int PRIMARY KEY UNIQUE` makes
/// one constraint and one index); the survivor takes the name of a named duplicate if it had none.
struct StmtKey {
    table: Name,
    cols: Vec<String>,
    nulls_not_distinct: bool,
    chars: (bool, bool),
    named: bool,
    name: String,
}

/// Inline column constraints collected while reading a column definition.
#[derive(Default)]
struct Inline {
    pk: Option<(Option<String>, Option<Span>)>,
    /// SQLite `INTEGER PRIMARY KEY DESC` on the column: not a rowid alias (a documented quirk).
    pk_desc: bool,
    uniques: Vec<(Option<String>, Option<Span>)>,
    fks: Vec<(Option<String>, ast::ForeignKeyConstraint)>,
    checks: Vec<(Option<String>, Expr)>,
}

impl Builder {
    pub fn new(dialect: Dialect) -> Self {
        Builder {
            cat: Catalog::new(dialect),
            current_schema: dialect.default_schema().to_string(),
            span: None,
            identity_sequence: None,
            stmt_keys: Vec::new(),
            like_options: Vec::new(),
            like_clause: None,
        }
    }

    pub fn finish(self) -> Catalog {
        self.cat
    }

    fn d(&self) -> Dialect {
        self.cat.dialect
    }

    fn note(&mut self, msg: impl Into<String>) {
        let span = self.span.clone();
        self.cat.notes.push(CatalogNote {
            message: msg.into(),
            span,
        });
    }

    /// Normalise an identifier the engine's way.
    pub fn ident(&self, id: &ast::Ident) -> String {
        if self.d() == Dialect::Postgres {
            names::pg_identifier(&id.value, id.quote_style.is_some())
        } else {
            id.value.clone()
        }
    }

    fn ident_str(&self, s: &str) -> String {
        let t = s.trim();
        let quoted =
            t.len() >= 2 && (t.starts_with('"') || t.starts_with('`') || t.starts_with('['));
        let value = if quoted {
            let inner = &t[1..t.len() - 1];
            match t.as_bytes()[0] {
                b'"' => inner.replace("\"\"", "\""),
                b'`' => inner.replace("``", "`"),
                _ => inner.to_string(),
            }
        } else {
            t.to_string()
        };
        if self.d() == Dialect::Postgres {
            names::pg_identifier(&value, quoted)
        } else {
            value
        }
    }

    fn parts(&self, on: &ObjectName) -> Vec<String> {
        on.0.iter()
            .map(|p| match p {
                ast::ObjectNamePart::Identifier(i) => self.ident(i),
                other => other.to_string(),
            })
            .collect()
    }

    /// Resolve an object name against the current schema.
    pub fn name(&self, on: &ObjectName) -> Name {
        let p = self.parts(on);
        self.name_from_parts(p)
    }

    fn name_from_parts(&self, mut p: Vec<String>) -> Name {
        match p.len() {
            0 => Name::new(self.current_schema.clone(), ""),
            1 => Name::new(self.current_schema.clone(), p.remove(0)),
            _ => {
                let n = p.pop().unwrap_or_default();
                let s = p.pop().unwrap_or_default();
                Name::new(s, n)
            }
        }
    }

    /// Resolve a dotted name written as text (`public.actor`), from the fallback recognizer.
    fn name_str(&self, s: &str) -> Name {
        let p: Vec<String> = split_dotted(s).iter().map(|x| self.ident_str(x)).collect();
        self.name_from_parts(p)
    }

    fn table_exists(&self, n: &Name) -> bool {
        self.cat.table(n).is_some()
    }

    /// Apply one statement.
    pub fn apply(&mut self, s: &Stmt) {
        self.span = Some(s.span.clone());
        self.stmt_keys.clear();
        match &s.kind {
            StmtKind::Parsed(st) => {
                let tables_before: Vec<Name> = match st.as_ref() {
                    Statement::CreateTable(ct) => vec![self.name(&ct.name)],
                    Statement::AlterTable(at) => vec![self.name(&at.name)],
                    _ => Vec::new(),
                };
                let index_only = s
                    .repairs
                    .iter()
                    .any(|r| r.effect == Some(RepairEffect::IndexOnly));
                self.identity_sequence = s.repairs.iter().find_map(|r| match &r.effect {
                    Some(RepairEffect::IdentitySequence { name }) => Some(self.name_str(name)),
                    _ => None,
                });
                self.like_options.clear();
                self.like_clause = None;
                for r in &s.repairs {
                    if let Some(RepairEffect::LikeOptions {
                        options,
                        source,
                        position,
                    }) = &r.effect
                    {
                        self.like_options.extend(options.iter().cloned());
                        if let Some(src) = source {
                            self.like_clause = Some((src.clone(), *position));
                        }
                    }
                }
                // An identity change was read as SET NOT NULL: remember which columns were
                // nullable (DROP IDENTITY IF EXISTS of a plain column must not make it NOT NULL).
                let nullable_before: Vec<(String, bool)> = s
                    .repairs
                    .iter()
                    .filter_map(|r| match &r.effect {
                        Some(RepairEffect::Identity { column, .. }) => {
                            let col = self.ident_str(column);
                            let t = tables_before.first().and_then(|t| self.cat.table(t))?;
                            Some((col.clone(), t.column(&col)?.nullable))
                        }
                        _ => None,
                    })
                    .collect();
                self.statement(st, index_only);
                self.identity_sequence = None;
                self.like_options.clear();
                self.like_clause = None;
                for r in &s.repairs {
                    match (&r.effect, st.as_ref()) {
                        (Some(RepairEffect::DomainNotNull), Statement::CreateDomain(cd)) => {
                            let n = self.name(&cd.name);
                            if let Some(UserType {
                                kind: UserTypeKind::Domain { not_null, .. },
                                ..
                            }) = self.cat.types.iter_mut().find(|t| t.name == n)
                            {
                                *not_null = true;
                            }
                        }
                        (Some(RepairEffect::Identity { column, always }), _) => {
                            if let Some(tn) = tables_before.first() {
                                let col = self.ident_str(column);
                                let was =
                                    nullable_before.iter().find(|(c, _)| *c == col).map(|x| x.1);
                                self.set_identity(tn, &col, *always, was);
                            }
                        }
                        (Some(e), _) => self.repair_effect(e, &tables_before),
                        (None, _) => {}
                    }
                }
            }
            StmtKind::Recognized(r) => self.recognized(r, &s.text),
            StmtKind::Failed(_) => {}
        }
    }

    fn repair_effect(&mut self, e: &RepairEffect, tables: &[Name]) {
        let Some(tn) = tables.first().cloned() else {
            return;
        };
        let ci = self.d().case_insensitive_names();
        let eq = move |a: &str, b: &str| {
            if ci {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        let Some(t) = self.cat.table_mut(&tn) else {
            return;
        };
        match e {
            RepairEffect::NotNull { constraint, column } => {
                t.checks.retain(|c| !eq(&c.name, constraint));
                if let Some(c) = t.columns.iter_mut().find(|c| eq(&c.name, column)) {
                    c.nullable = false;
                }
            }
            RepairEffect::Deferrable {
                constraint,
                deferrable,
                initially_deferred,
            } => {
                for fk in t
                    .foreign_keys
                    .iter_mut()
                    .filter(|f| eq(&f.name, constraint))
                {
                    fk.deferrable = *deferrable;
                    fk.initially_deferred = *initially_deferred;
                }
                for k in t
                    .uniques
                    .iter_mut()
                    .chain(t.primary_key.iter_mut())
                    .filter(|k| eq(&k.name, constraint))
                {
                    k.deferrable = *deferrable;
                    k.initially_deferred = *initially_deferred;
                }
            }
            RepairEffect::VirtualColumn { column } => {
                if let Some(g) = t
                    .columns
                    .iter_mut()
                    .find(|c| eq(&c.name, column))
                    .and_then(|c| c.generated.as_mut())
                {
                    g.stored = false;
                }
            }
            RepairEffect::IndexOnly
            | RepairEffect::DomainNotNull
            | RepairEffect::Identity { .. }
            | RepairEffect::IdentitySequence { .. }
            | RepairEffect::LikeOptions { .. } => {}
        }
    }

    fn recognized(&mut self, r: &Recognized, text: &str) {
        match r.kind.as_str() {
            "ALTER DOMAIN" => self.alter_domain(text),
            "ALTER TYPE" => self.alter_type_attributes(text),
            "CREATE FUNCTION" | "CREATE PROCEDURE" => {
                if let Some(o) = &r.object {
                    let name = self.name_str(o);
                    let kind = r.kind.trim_start_matches("CREATE ").to_string();
                    let args = self.header_arg_types(text);
                    self.add_function(Function {
                        name,
                        kind,
                        args,
                        language: None,
                        returns: None,
                        security_definer: false,
                        sets_search_path: false,
                        body: None,
                        span: self.span.clone(),
                    });
                }
            }
            "CREATE TRIGGER" => {
                if let (Some(o), Some(on)) = (&r.object, &r.on) {
                    let table = self.name_str(on);
                    let name =
                        self.ident_str(split_dotted(o).last().map(String::as_str).unwrap_or(o));
                    self.add_trigger(Trigger {
                        name,
                        table,
                        timing: None,
                        function: None,
                        span: self.span.clone(),
                    });
                }
            }
            "ALTER TABLE RENAME INDEX" => {
                if let (Some(o), Some(on), Some(new)) = (&r.object, &r.on, &r.renamed_to) {
                    let table = self.name_str(on);
                    let old = self.ident_str(o);
                    let new = self.ident_str(new);
                    self.rename_index_of_table(&table, &old, &new);
                }
            }
            "ALTER TABLE SET SCHEMA" => {
                if let (Some(o), Some(schema)) = (&r.object, &r.set_schema) {
                    let old = self.name_str(o);
                    let schema = self.ident_str(schema);
                    self.set_table_schema(&old, &schema);
                }
            }
            "ALTER SEQUENCE" if r.set_schema.is_some() => {
                if let (Some(o), Some(schema)) = (&r.object, &r.set_schema) {
                    let old = self.name_str(o);
                    let schema = self.ident_str(schema);
                    self.move_sequence(&old, &schema);
                }
            }
            "ALTER SEQUENCE" if r.renamed_to.is_some() => {
                if let (Some(o), Some(new)) = (&r.object, &r.renamed_to) {
                    let old = self.name_str(o);
                    let new = self.name_str(new).name;
                    self.rename_sequence(&old, &new);
                }
            }
            "ALTER VIEW" | "ALTER MATERIALIZED VIEW" | "ALTER INDEX" if r.renamed_to.is_some() => {
                if let (Some(o), Some(new)) = (&r.object, &r.renamed_to) {
                    let old = self.name_str(o);
                    let new = self.name_str(new).name;
                    if r.kind == "ALTER INDEX" {
                        self.rename_index(&old, &new);
                    } else {
                        let new = Name::new(old.schema.clone(), new);
                        self.rename_table(&old, new);
                    }
                }
            }
            "ALTER SEQUENCE" => {
                if let (Some(o), Some(owner)) = (&r.object, &r.owned_by) {
                    let seq = self.name_str(o);
                    let parts = split_dotted(owner);
                    if parts.len() >= 2 && !owner.eq_ignore_ascii_case("none") {
                        let col = self.ident_str(&parts[parts.len() - 1]);
                        let tbl: Vec<String> = parts[..parts.len() - 1]
                            .iter()
                            .map(|x| self.ident_str(x))
                            .collect();
                        let tname = self.name_from_parts(tbl);
                        self.set_sequence_owner(&seq, tname, col);
                    }
                }
            }
            "DROP FUNCTION" | "DROP PROCEDURE" => {
                if let Some(o) = &r.object {
                    let n = self.name_str(o);
                    let ci = self.d().case_insensitive_names();
                    self.cat
                        .functions
                        .retain(|f| !names::name_eq(ci, &f.name, &n));
                }
            }
            "DROP TRIGGER" => {
                if let Some(o) = &r.object {
                    let n = self.ident_str(split_dotted(o).last().map(String::as_str).unwrap_or(o));
                    let on = r.on.as_ref().map(|t| self.name_str(t));
                    self.drop_trigger(&n, on.as_ref());
                }
            }
            _ => {}
        }
    }

    fn statement(&mut self, st: &Statement, index_only: bool) {
        match st {
            Statement::CreateTable(ct) => self.create_table(ct),
            Statement::Query(q) if self.d() == Dialect::Postgres => self.select_into(q),
            Statement::AlterTable(at) => self.alter_table(at),
            Statement::CreateIndex(ci) => self.create_index(ci, index_only),
            Statement::CreateView(cv) => self.create_view(cv),
            Statement::Drop {
                object_type,
                names,
                if_exists,
                cascade,
                table,
                ..
            } => self.drop(*object_type, names, *if_exists, *cascade, table.as_ref()),
            Statement::CreateType {
                name,
                representation,
            } => self.create_type(name, representation.as_ref()),
            Statement::CreateDomain(cd) => {
                let name = self.name(&cd.name);
                let base = normalize(&cd.data_type, self.d());
                let mut checks: Vec<DomainCheck> = Vec::new();
                for c in &cd.constraints {
                    if let TableConstraint::Check(cc) = c {
                        let cname = match &cc.name {
                            Some(n) => self.ident(n),
                            None => domain_check_name(&name.name, &checks),
                        };
                        checks.push(DomainCheck {
                            name: cname,
                            expr: cc.expr.to_string(),
                            not_valid: false,
                        });
                    }
                }
                // `DEFAULT 0 NOT NULL`: sqlparser reads `0 NOT NULL` as one expression, where
                // PostgreSQL's default is a b_expr followed by the NOT NULL constraint.
                let (default, not_null) = match &cd.default {
                    Some(Expr::IsNotNull(inner)) => (Some(inner.to_string()), true),
                    Some(e) => (Some(e.to_string()), false),
                    None => (None, false),
                };
                self.cat.types.retain(|t| t.name != name);
                self.cat.types.push(UserType {
                    name,
                    kind: UserTypeKind::Domain {
                        base: Box::new(base),
                        not_null,
                        default,
                        checks,
                    },
                    span: self.span.clone(),
                });
            }
            Statement::AlterType(at) => self.alter_type(at),
            Statement::DropDomain(dd) => {
                let cascade = matches!(dd.drop_behavior, Some(ast::DropBehavior::Cascade));
                self.drop(
                    ObjectType::Type,
                    std::slice::from_ref(&dd.name),
                    dd.if_exists,
                    cascade,
                    None,
                );
            }
            Statement::CreateSequence { name, .. } => {
                let name = self.name(name);
                if !self.cat.sequences.iter().any(|s| s.name == name) {
                    self.cat.sequences.push(Sequence {
                        name,
                        owned_by: None,
                        span: self.span.clone(),
                    });
                }
            }
            Statement::CreateFunction(cf) => {
                let name = self.name(&cf.name);
                let mut language = None;
                let mut body = None;
                if let Some(b) = &cf.function_body {
                    body = Some(match b {
                        ast::CreateFunctionBody::AsBeforeOptions { body, .. } => body.to_string(),
                        ast::CreateFunctionBody::AsAfterOptions(e) => e.to_string(),
                        ast::CreateFunctionBody::AsBeginEnd(be) => be.to_string(),
                        #[allow(unreachable_patterns)]
                        _ => String::new(),
                    });
                }
                if let Some(l) = &cf.language {
                    language = Some(l.value.to_lowercase());
                }
                let sets_search_path = cf
                    .set_params
                    .iter()
                    .any(|p| p.to_string().to_ascii_lowercase().contains("search_path"));
                let security_definer = matches!(cf.security, Some(ast::FunctionSecurity::Definer));
                let args = self.arg_types(cf.args.as_deref().unwrap_or(&[]));
                self.add_function(Function {
                    name,
                    kind: "FUNCTION".into(),
                    args,
                    language,
                    returns: cf.return_type.as_ref().map(|r| r.to_string()),
                    security_definer,
                    sets_search_path,
                    body,
                    span: self.span.clone(),
                });
            }
            Statement::CreateProcedure { name, params, .. } => {
                let name = self.name(name);
                let args = params
                    .iter()
                    .flatten()
                    .filter(|p| !matches!(p.mode, Some(ast::ArgMode::Out)))
                    .map(|p| arg_type_key(&p.data_type, self.d()))
                    .collect();
                self.add_function(Function {
                    name,
                    kind: "PROCEDURE".into(),
                    args,
                    language: None,
                    returns: None,
                    security_definer: false,
                    sets_search_path: false,
                    body: None,
                    span: self.span.clone(),
                });
            }
            Statement::DropFunction(ast::DropFunction { func_desc, .. })
            | Statement::DropProcedure {
                proc_desc: func_desc,
                ..
            } => {
                let ci = self.d().case_insensitive_names();
                for f in func_desc {
                    let n = self.name(&f.name);
                    // With an argument list only that overload goes; without one, the name.
                    let args = f.args.as_ref().map(|a| self.arg_types(a));
                    self.cat.functions.retain(|x| {
                        !(names::name_eq(ci, &x.name, &n)
                            && args.as_ref().is_none_or(|a| *a == x.args))
                    });
                }
            }
            Statement::CreateTrigger(ct) => {
                let table = self.name(&ct.table_name);
                let parts = self.parts(&ct.name);
                let name = parts.last().cloned().unwrap_or_default();
                let function = ct.exec_body.as_ref().map(|b| self.name(&b.func_desc.name));
                let mut timing = ct.period.map(|p| p.to_string()).unwrap_or_default();
                let events: Vec<String> = ct.events.iter().map(|e| e.to_string()).collect();
                if !events.is_empty() {
                    timing = format!("{timing} {}", events.join(" OR "))
                        .trim()
                        .to_string();
                }
                self.add_trigger(Trigger {
                    name,
                    table,
                    timing: (!timing.is_empty()).then_some(timing),
                    function,
                    span: self.span.clone(),
                });
            }
            Statement::DropTrigger(dt) => {
                let parts = self.parts(&dt.trigger_name);
                let name = parts.last().cloned().unwrap_or_default();
                let on = dt.table_name.as_ref().map(|t| self.name(t));
                self.drop_trigger(&name, on.as_ref());
            }
            Statement::Comment {
                object_type,
                object_name,
                comment,
                ..
            } => self.comment(*object_type, object_name, comment.clone()),
            Statement::CreateSchema { schema_name, .. } => {
                let n = match schema_name {
                    ast::SchemaName::Simple(n) | ast::SchemaName::NamedAuthorization(n, _) => {
                        self.parts(n).last().cloned()
                    }
                    ast::SchemaName::UnnamedAuthorization(i) => Some(self.ident(i)),
                };
                if let Some(n) = n
                    && !self.cat.schemas.contains(&n)
                {
                    self.cat.schemas.push(n);
                }
            }
            Statement::CreateExtension(ce) => {
                let n = self.ident(&ce.name);
                if !self.cat.extensions.contains(&n) {
                    self.cat.extensions.push(n);
                }
            }
            Statement::DropExtension(de) => {
                for i in &de.names {
                    let n = self.ident(i);
                    self.cat.extensions.retain(|e| *e != n);
                }
            }
            Statement::Set(set) => self.set(set),
            Statement::Use(u) if self.d() == Dialect::Mysql => {
                let s = u.to_string();
                let db = s.trim_start_matches("USE ").trim();
                self.current_schema = self.ident_str(db);
            }
            Statement::RenameTable(rs) => {
                for r in rs {
                    let old = self.name(&r.old_name);
                    let new = self.name(&r.new_name);
                    self.rename_table(&old, new);
                }
            }
            Statement::CreateVirtualTable {
                name,
                if_not_exists,
                module_args,
                ..
            } => {
                let name = self.name(name);
                if *if_not_exists && self.table_exists(&name) {
                    return;
                }
                let columns = module_args
                    .iter()
                    .filter(|a| !a.value.contains('='))
                    .map(|a| Column {
                        name: self.ident(a),
                        data_type: text_type(),
                        nullable: true,
                        default: None,
                        identity: None,
                        auto_increment: false,
                        sequence: None,
                        generated: None,
                        on_update: None,
                        collation: None,
                        comment: None,
                        span: self.span.clone(),
                    })
                    .collect();
                let t = new_table(name, TableKind::Virtual, columns, self.span.clone());
                self.cat.tables.push(t);
            }
            Statement::AlterIndex { name, operation } => {
                let old = self.name(name);
                let ast::AlterIndexOperation::RenameIndex { index_name } = operation;
                let new = self.name(index_name);
                self.rename_index(&old, &new.name);
            }
            Statement::AlterView(av) => {
                if let ast::AlterViewOperation::RenameTo { new_name } = &av.operation {
                    let old = self.name(&av.name);
                    let mut new = self.name(new_name);
                    if new_name.0.len() == 1 {
                        new.schema = old.schema.clone();
                    }
                    if self.cat.view(&old).is_some() || !av.if_exists {
                        self.rename_table(&old, new);
                    }
                }
                if let ast::AlterViewOperation::As { query, .. } = &av.operation {
                    // Only the definition changes; dependencies are recomputed.
                    let name = self.name(&av.name);
                    let deps = self.relations_of_query(query);
                    if let Some(v) = self.cat.views.iter_mut().find(|v| v.name == name) {
                        v.definition = query.to_string();
                        v.depends_on = deps;
                    }
                }
            }
            _ => {}
        }
    }

    fn set(&mut self, set: &ast::Set) {
        if let ast::Set::SingleAssignment {
            variable, values, ..
        } = set
            && variable.to_string().eq_ignore_ascii_case("search_path")
        {
            let first = values.first().map(|v| v.to_string()).unwrap_or_default();
            let first = first
                .trim_matches('\'')
                .split(',')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            if !first.is_empty() && first != "\"$user\"" && first != "$user" {
                self.current_schema = self.ident_str(&first);
            } else if first.is_empty() {
                self.current_schema = self.d().default_schema().to_string();
            }
        }
    }

    // ----------------------------------------------------------------------------------------
    // Tables

    fn create_table(&mut self, ct: &ast::CreateTable) {
        let name = self.name(&ct.name);
        if self.table_exists(&name) {
            if !ct.if_not_exists && !ct.or_replace {
                self.note(format!(
                    "table {name} is created twice; the later definition replaces it"
                ));
            }
            if ct.if_not_exists {
                return;
            }
            self.drop_table(&name, true);
        } else if self.d() == Dialect::Postgres && self.pg_relation_taken(&name) {
            // Tables, views, indexes and sequences share one namespace per schema.
            if ct.if_not_exists {
                return;
            }
            self.note(format!(
                "relation name {name} is already taken by a view, index or sequence; the engine would reject the table"
            ));
        }
        let kind = if ct.partition_by.is_some() {
            TableKind::Partitioned
        } else if ct.temporary {
            TableKind::Temporary
        } else if ct.unlogged {
            TableKind::Unlogged
        } else {
            TableKind::Table
        };
        let mut table = new_table(name.clone(), kind, Vec::new(), self.span.clone());
        table.partition_by = ct.partition_by.as_ref().map(|e| e.to_string());
        table.without_rowid = ct
            .sqlite_table_options
            .options
            .iter()
            .any(|o| matches!(o, ast::SqliteTableOption::WithoutRowid));
        table.comment = ct.comment.as_ref().map(comment_text);
        table.options = table_options(&ct.table_options);
        // Inherited columns come first (INHERITS, PARTITION OF, LIKE).
        if let Some(parents) = &ct.inherits {
            for p in parents {
                let pn = self.name(p);
                if let Some(pt) = self.cat.table(&pn) {
                    let cols = pt.columns.clone();
                    table.columns.extend(cols);
                }
                table.inherits.push(pn);
            }
        }
        let parent = ct.partition_of.as_ref().map(|p| self.name(p));
        if let Some(pn) = &parent {
            match self.cat.table(pn) {
                Some(pt) => table.columns = pt.columns.clone(),
                None => self.note(format!("partition {name} of unknown table {pn}")),
            }
            table.partition_of = Some(pn.clone());
        }
        let mut like: Option<(Name, LikeCopy)> = None;
        let mut like_position = 0;
        let like_source = match (&ct.like, &self.like_clause) {
            (Some(l), _) => {
                let (ast::CreateTableLikeKind::Parenthesized(l)
                | ast::CreateTableLikeKind::Plain(l)) = l;
                Some((self.name(&l.name), l.defaults))
            }
            (None, Some((src, pos))) => {
                like_position = *pos;
                Some((self.name_str(src), None))
            }
            (None, None) => None,
        };
        let mut like_columns = 0;
        if let Some((ln, defaults)) = like_source {
            let copy = match self.d() {
                Dialect::Mysql => LikeCopy::mysql(),
                _ => LikeCopy::postgres(defaults.as_ref(), &self.like_options),
            };
            match self.cat.table(&ln) {
                Some(lt) => {
                    table.columns = lt
                        .columns
                        .iter()
                        .map(|c| {
                            let mut c = c.clone();
                            if !copy.defaults {
                                c.default = None;
                                c.sequence = None;
                                c.auto_increment =
                                    c.auto_increment && copy.identity && c.identity.is_some();
                            }
                            if !copy.identity {
                                c.identity = None;
                            }
                            if copy.identity && c.identity.is_some() {
                                c.sequence = None; // a new one is made for the new table
                            }
                            if !copy.generated {
                                c.generated = None;
                            }
                            if !copy.comments {
                                c.comment = None;
                            }
                            c
                        })
                        .collect();
                    like_columns = table.columns.len();
                    like = Some((ln, copy));
                }
                None => self.note(format!("CREATE TABLE LIKE unknown table {ln}")),
            }
        }
        // Columns and inline constraints.
        let mut inlines = Vec::new();
        for def in &ct.columns {
            let (col, inline) = self.column_from_def(&name, def);
            if let Some(existing) = table.column_mut(&col.name) {
                // PARTITION OF t (col WITH OPTIONS ...) or a redefined inherited column.
                existing.nullable &= col.nullable;
                if col.default.is_some() {
                    existing.default = col.default.clone();
                }
            } else {
                table.columns.push(col.clone());
            }
            inlines.push((col.name.clone(), inline));
        }
        // Elements written before the LIKE clause come first.
        if like_position > 0 && like_columns > 0 {
            let n = (like_columns + like_position).min(table.columns.len());
            table.columns[..n].rotate_left(like_columns);
        }
        if let Some(q) = &ct.query
            && table.columns.is_empty()
        {
            table.columns = self
                .query_columns_full(q)
                .into_iter()
                .map(|(name, src)| self.ctas_column(name, src))
                .collect();
        }
        self.cat.tables.push(table);
        // Serial and identity sequences (PostgreSQL).
        for def in &ct.columns {
            if self.d() != Dialect::Postgres {
                break;
            }
            let col = self.ident(&def.name);
            if serial_kind(&def.data_type).is_some() {
                self.make_serial(&name, &col);
            } else if is_identity_def(def) {
                self.make_identity_sequence(&name, &col);
            }
        }
        // Constraints. SQLite creates key indexes in declaration order (its autoindexes are
        // numbered that way, and a PRIMARY KEY declared after an identical UNIQUE takes over that
        // UNIQUE's index). PostgreSQL makes the primary key first, then the rest in order; MySQL
        // names keys independently of order (`PRIMARY`, first column).
        let sqlite = self.d() == Dialect::Sqlite;
        if sqlite {
            for (def, (col, inline)) in ct.columns.iter().zip(&inlines) {
                for o in &def.options {
                    let cname = o.name.as_ref().map(|n| self.ident(n));
                    match &o.option {
                        ColumnOption::PrimaryKey(_) => self.add_primary_key(
                            &name,
                            cname,
                            vec![col.clone()],
                            self.span.clone(),
                            None,
                            !inline.pk_desc,
                        ),
                        ColumnOption::Unique(_) => self.add_unique(
                            &name,
                            cname,
                            vec![col.clone()],
                            false,
                            (false, false),
                            self.span.clone(),
                        ),
                        _ => {}
                    }
                }
                for (cname, ex) in &inline.checks {
                    self.add_check(&name, cname.clone(), ex, false);
                }
            }
            for c in &ct.constraints {
                if !matches!(c, TableConstraint::ForeignKey(_)) {
                    self.add_constraint(&name, c, false);
                }
            }
        }
        for (col, inline) in inlines.iter().filter(|_| !sqlite) {
            if let Some((cname, span)) = &inline.pk {
                self.add_primary_key(
                    &name,
                    cname.clone(),
                    vec![col.clone()],
                    span.clone(),
                    None,
                    !inline.pk_desc,
                );
            }
        }
        for c in ct.constraints.iter().filter(|_| !sqlite) {
            if let TableConstraint::PrimaryKey(_) = c {
                self.add_constraint(&name, c, false);
            }
        }
        for (col, inline) in inlines.iter().filter(|_| !sqlite) {
            for (cname, span) in &inline.uniques {
                self.add_unique(
                    &name,
                    cname.clone(),
                    vec![col.clone()],
                    false,
                    (false, false),
                    span.clone(),
                );
            }
            for (cname, ex) in &inline.checks {
                self.add_check(&name, cname.clone(), ex, false);
            }
        }
        for c in ct.constraints.iter().filter(|_| !sqlite) {
            if !matches!(
                c,
                TableConstraint::PrimaryKey(_) | TableConstraint::ForeignKey(_)
            ) {
                self.add_constraint(&name, c, false);
            }
        }
        if let Some((src, copy)) = &like {
            self.copy_like(&name, src, *copy);
        }
        for (col, inline) in &inlines {
            for (cname, fk) in &inline.fks {
                self.add_foreign_key(&name, cname.clone(), vec![col.clone()], fk, false);
            }
        }
        for c in &ct.constraints {
            if matches!(c, TableConstraint::ForeignKey(_)) {
                self.add_constraint(&name, c, false);
            }
        }
        if let Some(pn) = parent {
            self.clone_partition_objects(&pn, &name);
        }
    }

    /// The keys, checks and indexes `CREATE TABLE t (LIKE src ...)` copies (never foreign keys).
    /// PostgreSQL names the copies for the new table (`t_pkey`, `t_a_key`, `t_a_idx`); MySQL
    /// keeps the source's index names.
    fn copy_like(&mut self, table: &Name, src: &Name, copy: LikeCopy) {
        let Some(st) = self.cat.table(src).cloned() else {
            return;
        };
        let d = self.d();
        if copy.identity && d == Dialect::Postgres {
            for c in st.columns.iter().filter(|c| c.identity.is_some()) {
                self.make_identity_sequence(table, &c.name);
            }
        }
        if copy.constraints
            && let Some(t) = self.cat.table_mut(table)
        {
            t.checks.extend(st.checks.iter().cloned());
        }
        if !copy.indexes {
            return;
        }
        if let Some(pk) = &st.primary_key {
            let chars = Some((pk.deferrable, pk.initially_deferred));
            self.add_primary_key(
                table,
                None,
                pk.columns.clone(),
                self.span.clone(),
                chars,
                true,
            );
        }
        for u in &st.uniques {
            let name = (d == Dialect::Mysql).then(|| u.name.clone());
            let chars = (u.deferrable, u.initially_deferred);
            self.add_unique(
                table,
                name,
                u.columns.clone(),
                u.nulls_not_distinct,
                chars,
                self.span.clone(),
            );
        }
        let others: Vec<Index> = self
            .cat
            .indexes_of(src)
            .filter(|i| {
                matches!(
                    i.origin,
                    IndexOrigin::Explicit | IndexOrigin::Exclusion | IndexOrigin::ForeignKey
                )
            })
            .cloned()
            .collect();
        for ix in others {
            let mut c = ix.clone();
            c.table = table.clone();
            c.inherited_from = None;
            c.span = self.span.clone();
            match d {
                Dialect::Mysql => c.origin = IndexOrigin::Explicit,
                _ => {
                    let label = if ix.origin == IndexOrigin::Exclusion {
                        "excl"
                    } else {
                        "idx"
                    };
                    c.name =
                        self.pg_unique_relation_name(table, &pg_index_colnames(&ix.keys), label);
                }
            }
            self.push_index(c);
        }
    }

    /// A column of CREATE TABLE AS / SELECT INTO. The type of a plain column reference is the
    /// source's; MySQL also keeps its NULL/NOT NULL, default, charset and comment (not
    /// AUTO_INCREMENT), while PostgreSQL and SQLite copy no constraint at all.
    fn ctas_column(&self, name: String, src: Option<Column>) -> Column {
        let span = self.span.clone();
        match src {
            Some(c) if self.d() == Dialect::Mysql => Column {
                name,
                auto_increment: false,
                identity: None,
                sequence: None,
                generated: None,
                on_update: None,
                span,
                ..c
            },
            Some(c) => Column {
                name,
                data_type: c.data_type,
                nullable: true,
                default: None,
                identity: None,
                auto_increment: false,
                sequence: None,
                generated: None,
                on_update: None,
                collation: c.collation,
                comment: None,
                span,
            },
            None => Column {
                name,
                data_type: unknown_type(),
                nullable: true,
                default: None,
                identity: None,
                auto_increment: false,
                sequence: None,
                generated: None,
                on_update: None,
                collation: None,
                comment: None,
                span,
            },
        }
    }

    /// PostgreSQL `SELECT ... INTO [TEMP|UNLOGGED] [TABLE] t FROM ...` creates `t` like CREATE TABLE
    /// AS. (MySQL's `SELECT ... INTO` fills variables or files.)
    fn select_into(&mut self, q: &ast::Query) {
        let ast::SetExpr::Select(sel) = q.body.as_ref() else {
            return;
        };
        let Some(into) = &sel.into else {
            return;
        };
        let Some(target) = into.targets.first() else {
            return;
        };
        let parts: Vec<String> = match target {
            Expr::Identifier(i) => vec![self.ident(i)],
            Expr::CompoundIdentifier(ids) => ids.iter().map(|i| self.ident(i)).collect(),
            _ => return,
        };
        let name = self.name_from_parts(parts);
        if self.table_exists(&name) {
            self.note(format!(
                "SELECT INTO an existing table {name}; the engine would reject it"
            ));
            return;
        }
        let kind = if into.temporary {
            TableKind::Temporary
        } else if into.unlogged {
            TableKind::Unlogged
        } else {
            TableKind::Table
        };
        let columns = self
            .query_columns_full(q)
            .into_iter()
            .map(|(name, src)| self.ctas_column(name, src))
            .collect();
        let t = new_table(name, kind, columns, self.span.clone());
        self.cat.tables.push(t);
    }

    /// Read a column definition: the column and its inline constraints.
    fn column_from_def(&mut self, table: &Name, def: &ast::ColumnDef) -> (Column, Inline) {
        let name = self.ident(&def.name);
        let mut data_type = normalize(&def.data_type, self.d());
        self.resolve_user_type(&mut data_type, &def.data_type);
        let mut col = Column {
            name: name.clone(),
            data_type,
            nullable: true,
            default: None,
            identity: None,
            auto_increment: false,
            sequence: None,
            generated: None,
            on_update: None,
            collation: None,
            comment: None,
            span: self.span.as_ref().map(|s| map_ident_span(s, &def.name)),
        };
        let mut inline = Inline::default();
        self.apply_column_options(table, &mut col, &def.options, &mut inline);
        if serial_kind(&def.data_type).is_some() && self.d() == Dialect::Postgres {
            col.nullable = false;
            col.auto_increment = true;
        }
        if let ast::DataType::Collate(_, c) = &def.data_type {
            col.collation = Some(c.to_string());
        }
        // PostgreSQL and MySQL make every primary key column NOT NULL; SQLite's rules are applied
        // with the key (see `add_primary_key`).
        if inline.pk.is_some() && self.d() != Dialect::Sqlite {
            col.nullable = false;
        }
        (col, inline)
    }

    fn apply_column_options(
        &mut self,
        _table: &Name,
        col: &mut Column,
        options: &[ColumnOptionDef],
        inline: &mut Inline,
    ) {
        for o in options {
            let cname = o.name.as_ref().map(|n| self.ident(n));
            match &o.option {
                ColumnOption::Null => col.nullable = true,
                ColumnOption::NotNull => col.nullable = false,
                ColumnOption::Default(e) => {
                    let text = e.to_string();
                    col.sequence = nextval_sequence(&text).map(|s| self.name_str(&s));
                    if col.sequence.is_some() {
                        col.auto_increment = true;
                    }
                    col.default = Some(text);
                }
                ColumnOption::PrimaryKey(_) => inline.pk = Some((cname, self.span.clone())),
                ColumnOption::Unique(_) => inline.uniques.push((cname, self.span.clone())),
                ColumnOption::ForeignKey(fk) => inline.fks.push((cname, fk.clone())),
                ColumnOption::Check(c) => inline.checks.push((cname, (*c.expr).clone())),
                ColumnOption::Generated {
                    generated_as,
                    generation_expr,
                    generation_expr_mode,
                    ..
                } => {
                    if let Some(e) = generation_expr {
                        col.generated = Some(Generated {
                            expr: e.to_string(),
                            stored: !matches!(
                                generation_expr_mode,
                                Some(ast::GeneratedExpressionMode::Virtual)
                            ) || self.d() == Dialect::Postgres,
                        });
                    } else {
                        col.identity = Some(match generated_as {
                            ast::GeneratedAs::Always => Identity::Always,
                            _ => Identity::ByDefault,
                        });
                        col.nullable = false;
                    }
                }
                ColumnOption::OnUpdate(e) => col.on_update = Some(e.to_string()),
                ColumnOption::Collation(c) => col.collation = Some(c.to_string()),
                ColumnOption::Comment(c) => col.comment = Some(c.clone()),
                ColumnOption::DialectSpecific(tokens) => {
                    let s: String = tokens
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(" ");
                    let up = s.to_ascii_uppercase();
                    if up.contains("AUTO_INCREMENT") || up.contains("AUTOINCREMENT") {
                        col.auto_increment = true;
                    }
                    if up == "DESC" && inline.pk.is_some() {
                        inline.pk_desc = true;
                    }
                }
                _ => {}
            }
        }
    }

    /// Map a column type naming a user type (enum, domain) to it.
    fn resolve_user_type(&self, t: &mut SqlType, dt: &ast::DataType) {
        if let ast::DataType::Custom(on, _) = dt {
            let n = self.name(on);
            if let Some(ut) = self.cat.user_type(&n).or_else(|| {
                // Unqualified type names also resolve through the default schema.
                self.cat.types.iter().find(|u| {
                    names::ident_eq(self.d().case_insensitive_names(), &u.name.name, &n.name)
                })
            }) {
                t.user_type = Some(ut.name.clone());
                match &ut.kind {
                    UserTypeKind::Enum { values } => {
                        t.family = TypeFamily::Enum;
                        t.enum_values = values.clone();
                    }
                    UserTypeKind::Domain { base, .. } => {
                        t.family = base.family;
                        t.length = base.length;
                        t.precision = base.precision;
                        t.scale = base.scale;
                        t.int_bytes = base.int_bytes;
                        t.with_time_zone = base.with_time_zone;
                    }
                    _ => {}
                }
            }
        }
        if let ast::DataType::Array(ast::ArrayElemTypeDef::SquareBracket(inner, _)) = dt
            && let Some(e) = t.element.as_mut()
        {
            self.resolve_user_type(e, inner);
        }
    }

    /// `serial`: a sequence named by `ChooseRelationName(table, column, "seq")` (so `t_id_seq`,
    /// or `t_id_seq1` when that relation name is taken), owned by the column, as its default.
    fn make_serial(&mut self, table: &Name, col: &str) {
        let seq = Name::new(
            table.schema.clone(),
            self.pg_unique_relation_name(table, col, "seq"),
        );
        self.cat.sequences.push(Sequence {
            name: seq.clone(),
            owned_by: Some((table.clone(), col.to_string())),
            span: self.span.clone(),
        });
        if let Some(t) = self.cat.table_mut(table)
            && let Some(c) = t.column_mut(col)
        {
            c.default = Some(nextval_default(&seq));
            c.sequence = Some(seq);
            c.auto_increment = true;
            c.nullable = false;
        }
    }

    /// An identity column's sequence (PostgreSQL): named by the `SEQUENCE NAME` option when the
    /// statement has one, else like a serial's; owned by the column.
    fn make_identity_sequence(&mut self, table: &Name, col: &str) {
        let seq = match self.identity_sequence.take() {
            Some(n) => n,
            None => Name::new(
                table.schema.clone(),
                self.pg_unique_relation_name(table, col, "seq"),
            ),
        };
        let ci = self.d().case_insensitive_names();
        self.cat
            .sequences
            .retain(|s| !names::name_eq(ci, &s.name, &seq));
        self.cat.sequences.push(Sequence {
            name: seq.clone(),
            owned_by: Some((table.clone(), col.to_string())),
            span: self.span.clone(),
        });
        if let Some(t) = self.cat.table_mut(table)
            && let Some(c) = t.column_mut(col)
        {
            c.sequence = Some(seq);
            c.auto_increment = true;
        }
    }

    /// `ALTER COLUMN col SET GENERATED ...` (`Some(always)`) or `DROP IDENTITY` (`None`).
    /// Dropping the identity drops its sequence; the column stays NOT NULL.
    fn set_identity(
        &mut self,
        table: &Name,
        col: &str,
        always: Option<bool>,
        was_nullable: Option<bool>,
    ) {
        let mut targets = vec![table.clone()];
        targets.extend(self.partitions_of(table));
        let mut found = false;
        for tn in &targets {
            if let Some(t) = self.cat.table_mut(tn)
                && let Some(c) = t.column_mut(col)
            {
                if c.identity.is_none() && was_nullable == Some(true) {
                    c.nullable = true;
                }
                match always {
                    Some(a) if c.identity.is_some() => {
                        c.identity = Some(if a {
                            Identity::Always
                        } else {
                            Identity::ByDefault
                        });
                        found = true;
                    }
                    Some(_) => {}
                    None => {
                        if c.identity.take().is_some() {
                            c.auto_increment = false;
                            c.sequence = None;
                        }
                        found = true;
                    }
                }
            }
        }
        if !found {
            self.note(format!(
                "identity change of {table}.{col}, which is not an identity column"
            ));
            return;
        }
        if always.is_none() {
            let ci = self.d().case_insensitive_names();
            self.cat.sequences.retain(|s| {
                !s.owned_by.as_ref().is_some_and(|(t, c)| {
                    targets.iter().any(|x| names::name_eq(ci, t, x)) && names::ident_eq(ci, c, col)
                })
            });
        }
    }

    /// `ALTER TABLE t SET SCHEMA s` (PostgreSQL): the table moves with its indexes, constraints
    /// and the sequences it owns.
    fn set_table_schema(&mut self, old: &Name, schema: &str) {
        if !self.table_exists(old) {
            self.note(format!("SET SCHEMA of unknown table {old}"));
            return;
        }
        let ci = self.d().case_insensitive_names();
        let owned: Vec<Name> = self
            .cat
            .sequences
            .iter()
            .filter(|s| {
                s.owned_by
                    .as_ref()
                    .is_some_and(|(t, _)| names::name_eq(ci, t, old))
            })
            .map(|s| s.name.clone())
            .collect();
        let new = Name::new(schema, old.name.clone());
        self.rename_table(old, new);
        for s in owned {
            self.move_sequence(&s, schema);
        }
    }

    /// Move a sequence to another schema; columns drawing from it follow.
    fn move_sequence(&mut self, old: &Name, schema: &str) {
        let ci = self.d().case_insensitive_names();
        let Some(s) = self
            .cat
            .sequences
            .iter_mut()
            .find(|s| names::name_eq(ci, &s.name, old))
        else {
            self.note(format!("SET SCHEMA of unknown sequence {old}"));
            return;
        };
        s.name.schema = schema.to_string();
        let new = s.name.clone();
        for t in &mut self.cat.tables {
            for c in &mut t.columns {
                if c.sequence
                    .as_ref()
                    .is_some_and(|q| names::name_eq(ci, q, old))
                {
                    if c.default
                        .as_deref()
                        .is_some_and(|d| nextval_sequence(d).is_some())
                    {
                        c.default = Some(nextval_default(&new));
                    }
                    c.sequence = Some(new.clone());
                }
            }
        }
    }

    /// `ALTER SEQUENCE a RENAME TO b`: columns that draw from it follow (their default reads the
    /// sequence by OID, so it shows the new name).
    fn rename_sequence(&mut self, old: &Name, new_name: &str) {
        let ci = self.d().case_insensitive_names();
        let Some(s) = self
            .cat
            .sequences
            .iter_mut()
            .find(|s| names::name_eq(ci, &s.name, old))
        else {
            self.note(format!("ALTER SEQUENCE of unknown sequence {old}"));
            return;
        };
        s.name.name = new_name.to_string();
        let new = s.name.clone();
        for t in &mut self.cat.tables {
            for c in &mut t.columns {
                if c.sequence
                    .as_ref()
                    .is_some_and(|q| names::name_eq(ci, q, old))
                {
                    if c.default
                        .as_deref()
                        .is_some_and(|d| nextval_sequence(d).is_some())
                    {
                        c.default = Some(nextval_default(&new));
                    }
                    c.sequence = Some(new.clone());
                }
            }
        }
    }

    fn set_sequence_owner(&mut self, seq: &Name, table: Name, col: String) {
        let ci = self.d().case_insensitive_names();
        match self
            .cat
            .sequences
            .iter_mut()
            .find(|s| names::name_eq(ci, &s.name, seq))
        {
            Some(s) => s.owned_by = Some((table, col)),
            None => {
                self.cat.sequences.push(Sequence {
                    name: seq.clone(),
                    owned_by: Some((table, col)),
                    span: self.span.clone(),
                });
            }
        }
    }

    fn add_constraint(&mut self, table: &Name, c: &TableConstraint, not_valid: bool) {
        match c {
            TableConstraint::PrimaryKey(pk) => {
                let cols = pk
                    .columns
                    .iter()
                    .map(|ic| index_column_name(self, ic))
                    .collect();
                let n = pk.name.as_ref().map(|i| self.ident(i));
                let (def, init) = characteristics(pk.characteristics.as_ref());
                self.add_primary_key(table, n, cols, self.span.clone(), Some((def, init)), true);
            }
            TableConstraint::Unique(u) => {
                let cols = u
                    .columns
                    .iter()
                    .map(|ic| index_column_name(self, ic))
                    .collect();
                let n = u
                    .name
                    .as_ref()
                    .or(u.index_name.as_ref())
                    .map(|i| self.ident(i));
                let nnd = matches!(u.nulls_distinct, ast::NullsDistinctOption::NotDistinct);
                let chars = characteristics(u.characteristics.as_ref());
                self.add_unique(table, n, cols, nnd, chars, self.span.clone());
            }
            TableConstraint::ForeignKey(fk) => {
                let cols = fk.columns.iter().map(|i| self.ident(i)).collect();
                let n = fk.name.as_ref().map(|i| self.ident(i));
                self.add_foreign_key(table, n, cols, fk, not_valid);
            }
            TableConstraint::Check(cc) => {
                let n = cc.name.as_ref().map(|i| self.ident(i));
                self.add_check(table, n, &cc.expr, not_valid);
            }
            TableConstraint::Index(ic) => {
                let keys = ic
                    .columns
                    .iter()
                    .map(|c| self.index_key(table, c))
                    .collect();
                let n = ic.name.as_ref().map(|i| self.ident(i));
                let method = ic
                    .index_type
                    .as_ref()
                    .map(|t| t.to_string().to_lowercase())
                    .unwrap_or_else(|| "btree".into());
                self.add_index_for(table, n, keys, false, &method, IndexOrigin::Explicit);
            }
            TableConstraint::PrimaryKeyUsingIndex(u) | TableConstraint::UniqueUsingIndex(u) => {
                let primary = matches!(c, TableConstraint::PrimaryKeyUsingIndex(_));
                let index = self.ident(&u.index_name);
                let cname = u.name.as_ref().map(|i| self.ident(i));
                let chars = characteristics(u.characteristics.as_ref());
                self.constraint_using_index(table, &index, cname, primary, chars);
            }
            TableConstraint::Exclude(x) => {
                let keys: Vec<IndexKey> = x
                    .elements
                    .iter()
                    .map(|e| self.index_key(table, &e.column))
                    .collect();
                let name = match x.name.as_ref().map(|i| self.ident(i)) {
                    Some(n) => n,
                    None => self.pg_unique_relation_name(table, &pg_index_colnames(&keys), "excl"),
                };
                let method = x
                    .index_method
                    .as_ref()
                    .map(|m| m.value.to_lowercase())
                    .unwrap_or_else(|| "btree".into());
                self.push_index(Index {
                    name,
                    table: table.clone(),
                    keys,
                    unique: false,
                    method,
                    predicate: x.where_clause.as_ref().map(|w| w.to_string()),
                    include: x.include.iter().map(|i| self.ident(i)).collect(),
                    origin: IndexOrigin::Exclusion,
                    inherited_from: None,
                    span: self.span.clone(),
                });
            }
            TableConstraint::FulltextOrSpatial(fs) => {
                let keys = fs
                    .columns
                    .iter()
                    .map(|c| self.index_key(table, c))
                    .collect();
                let n = fs.opt_index_name.as_ref().map(|i| self.ident(i));
                let method = if fs.fulltext { "fulltext" } else { "spatial" };
                self.add_index_for(table, n, keys, false, method, IndexOrigin::Explicit);
            }
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }

    /// `ADD [CONSTRAINT c] PRIMARY KEY | UNIQUE USING INDEX i` (PostgreSQL): the unique index
    /// becomes the constraint's index, renamed to the constraint's name when one is given (the
    /// constraint is named after the index otherwise); no new index is built.
    fn constraint_using_index(
        &mut self,
        table: &Name,
        index: &str,
        cname: Option<String>,
        primary: bool,
        chars: (bool, bool),
    ) {
        let ci = self.d().case_insensitive_names();
        let Some(pos) = self.cat.indexes.iter().position(|i| {
            names::name_eq(ci, &i.table, table)
                && names::ident_eq(ci, &i.name, index)
                && i.origin == IndexOrigin::Explicit
        }) else {
            self.note(format!("USING INDEX of unknown index {index} on {table}"));
            return;
        };
        let ix = self.cat.indexes.remove(pos);
        let cols: Vec<String> = ix.keys.iter().filter_map(|k| k.column.clone()).collect();
        let name = Some(cname.unwrap_or(ix.name));
        if primary {
            self.add_primary_key(table, name, cols, self.span.clone(), Some(chars), true);
        } else {
            self.add_unique(table, name, cols, false, chars, self.span.clone());
        }
    }

    /// PostgreSQL's index column from an expression that is only a column: `(a)`, `a COLLATE x`,
    /// or a cast to the column's own type (`a::int` on an int column) index the column itself.
    fn plain_column_of(&self, table: &Name, e: &Expr) -> Option<String> {
        match e {
            Expr::Identifier(i) => Some(self.ident(i)),
            Expr::CompoundIdentifier(ids) => ids.last().map(|i| self.ident(i)),
            Expr::Nested(x) | Expr::Collate { expr: x, .. } => self.plain_column_of(table, x),
            Expr::Cast {
                expr, data_type, ..
            } if self.d() == Dialect::Postgres => {
                let col = self.plain_column_of(table, expr)?;
                let own = self.cat.table(table)?.column(&col)?.data_type.name.clone();
                (normalize(data_type, self.d()).name == own).then_some(col)
            }
            _ => None,
        }
    }

    fn index_key(&self, table: &Name, ic: &ast::IndexColumn) -> IndexKey {
        let e = &ic.column.expr;
        let (column, prefix_length) = match e {
            Expr::Nested(_) | Expr::Collate { .. } | Expr::Cast { .. }
                if self.plain_column_of(table, e).is_some() =>
            {
                (self.plain_column_of(table, e), None)
            }
            Expr::Identifier(i) => (Some(self.ident(i)), None),
            Expr::CompoundIdentifier(ids) => (ids.last().map(|i| self.ident(i)), None),
            // MySQL prefix: col(10) parses as a function call.
            Expr::Function(f) if self.d() == Dialect::Mysql => {
                let n = f.name.to_string();
                let len = f
                    .args
                    .to_string()
                    .trim_matches(|c| c == '(' || c == ')')
                    .parse::<u64>()
                    .ok();
                if len.is_some() {
                    (Some(self.ident_str(&n)), len)
                } else {
                    (None, None)
                }
            }
            _ => (None, None),
        };
        let label = match (&column, self.d()) {
            (None, Dialect::Postgres) => Some(
                pg_figure_colname(self, e)
                    .map(|(n, _)| n)
                    .unwrap_or_else(|| "expr".into()),
            ),
            _ => None,
        };
        IndexKey {
            expr: column.clone().unwrap_or_else(|| e.to_string()),
            column,
            descending: matches!(ic.column.options.sort, Some(ast::OrderBySort::Desc)),
            opclass: ic.operator_class.as_ref().map(|o| o.to_string()),
            prefix_length,
            label,
        }
    }

    /// Add a primary key and the index behind it. `rowid_alias_ok` is false for SQLite's
    /// `INTEGER PRIMARY KEY DESC` column constraint, which does not alias the rowid.
    fn add_primary_key(
        &mut self,
        table: &Name,
        name: Option<String>,
        cols: Vec<String>,
        span: Option<Span>,
        chars: Option<(bool, bool)>,
        rowid_alias_ok: bool,
    ) {
        let d = self.d();
        match self.cat.table(table) {
            None => {
                self.note(format!("primary key on unknown table {table}"));
                return;
            }
            Some(t) if t.primary_key.is_some() => {
                let msg =
                    format!("table {table} gets a second primary key; the engine would reject it");
                self.note(msg);
                return;
            }
            Some(_) => {}
        }
        let named = name.is_some();
        // PostgreSQL: `ChooseRelationName(table, NULL, "pkey")`, so `t_pkey1` if `t_pkey` is taken.
        let key_name = match (d, name) {
            (Dialect::Mysql, _) => "PRIMARY".to_string(),
            (_, Some(n)) => n,
            (Dialect::Postgres, None) => self.pg_unique_relation_name(table, "", "pkey"),
            (_, None) => names::pg_object_name(&table.name, None, "pkey"),
        };
        let (def, init) = chars.unwrap_or((false, false));
        if d == Dialect::Postgres {
            self.stmt_keys.push(StmtKey {
                table: table.clone(),
                cols: cols.clone(),
                nulls_not_distinct: false,
                chars: (def, init),
                named,
                name: key_name.clone(),
            });
        }
        let Some(t) = self.cat.table_mut(table) else {
            return;
        };
        // SQLite: a single INTEGER column key of a rowid table aliases the rowid: no index, and
        // never NULL. A WITHOUT ROWID table's key columns are NOT NULL. Other SQLite key columns
        // may hold NULL unless declared NOT NULL (legacy behaviour). PostgreSQL and MySQL make
        // every key column NOT NULL.
        let rowid_alias = d == Dialect::Sqlite
            && rowid_alias_ok
            && cols.len() == 1
            && !t.without_rowid
            && t.column(&cols[0]).is_some_and(is_rowid_alias_type);
        let not_null = d != Dialect::Sqlite || rowid_alias || t.without_rowid;
        for c in &cols {
            if let Some(col) = t.column_mut(c)
                && not_null
            {
                col.nullable = false;
            }
        }
        t.primary_key = Some(Key {
            name: key_name.clone(),
            columns: cols.clone(),
            deferrable: def,
            initially_deferred: init,
            nulls_not_distinct: false,
            inherited_from: None,
            span,
        });
        if rowid_alias {
            return;
        }
        // SQLite: an identical UNIQUE declared earlier becomes the primary key's index.
        if d == Dialect::Sqlite {
            let same = |i: &Index| {
                i.origin == IndexOrigin::Unique
                    && names::name_eq(true, &i.table, table)
                    && i.columns().is_some_and(|c| {
                        c.len() == cols.len()
                            && c.iter().zip(&cols).all(|(a, b)| a.eq_ignore_ascii_case(b))
                    })
            };
            if let Some(ix) = self.cat.indexes.iter_mut().find(|i| same(i)) {
                ix.origin = IndexOrigin::PrimaryKey;
                let taken = ix.name.clone();
                if let Some(t) = self.cat.table_mut(table) {
                    t.uniques.retain(|u| u.name != taken);
                }
                return;
            }
        }
        let keys = cols.iter().map(|c| plain_key(c)).collect();
        let idx_name = match d {
            Dialect::Sqlite => self.sqlite_autoindex_name(table),
            _ => key_name,
        };
        self.push_index(Index {
            name: idx_name,
            table: table.clone(),
            keys,
            unique: true,
            method: "btree".into(),
            predicate: None,
            include: Vec::new(),
            origin: IndexOrigin::PrimaryKey,
            inherited_from: None,
            span: self.span.clone(),
        });
        self.after_index_added(table);
        // Added to a partitioned table that has partitions (ALTER TABLE): they get it too.
        if d == Dialect::Postgres
            && let Some(pk) = self.cat.table(table).and_then(|t| t.primary_key.clone())
        {
            for p in self.partitions_of(table) {
                self.clone_primary_key_to(table, &pk, &p);
            }
        }
    }

    fn add_unique(
        &mut self,
        table: &Name,
        name: Option<String>,
        cols: Vec<String>,
        nulls_not_distinct: bool,
        chars: (bool, bool),
        span: Option<Span>,
    ) {
        let d = self.d();
        if self.cat.table(table).is_none() {
            self.note(format!("unique constraint on unknown table {table}"));
            return;
        }
        // PostgreSQL merges it into an identical key of the same statement (see `StmtKey`).
        if d == Dialect::Postgres
            && let Some(k) = self.stmt_keys.iter_mut().find(|k| {
                k.table == *table
                    && k.cols == cols
                    && k.nulls_not_distinct == nulls_not_distinct
                    && k.chars == chars
            })
        {
            if let Some(n) = name
                && !k.named
            {
                let old = std::mem::replace(&mut k.name, n.clone());
                k.named = true;
                self.rename_key(table, &old, &n);
            }
            return;
        }
        // SQLite merges a UNIQUE constraint into an existing PRIMARY KEY or UNIQUE index on the
        // same columns (`sqlite3CreateIndex`): no second index, and no second constraint in its
        // catalog either. (A rowid alias has no index, so a UNIQUE on it does get one.)
        if d == Dialect::Sqlite {
            let dup = self.cat.indexes_of(table).any(|i| {
                i.origin != IndexOrigin::Explicit
                    && i.columns().is_some_and(|c| {
                        c.len() == cols.len()
                            && c.iter().zip(&cols).all(|(a, b)| a.eq_ignore_ascii_case(b))
                    })
            });
            if dup {
                return;
            }
        }
        let name_given = name.is_some();
        let cname = match (d, name) {
            (_, Some(n)) => n,
            (Dialect::Mysql, None) => self.mysql_index_name(table, &cols[0]),
            (Dialect::Sqlite, None) => self.sqlite_autoindex_name(table),
            (_, None) => self.pg_unique_relation_name(table, &cols.join("_"), "key"),
        };
        let idx_name = match d {
            Dialect::Sqlite if !cname.starts_with("sqlite_autoindex_") => {
                self.sqlite_autoindex_name(table)
            }
            _ => cname.clone(),
        };
        if d == Dialect::Postgres {
            self.stmt_keys.push(StmtKey {
                table: table.clone(),
                cols: cols.clone(),
                nulls_not_distinct,
                chars,
                named: name_given,
                name: cname.clone(),
            });
        }
        if let Some(t) = self.cat.table_mut(table) {
            t.uniques.push(Key {
                name: cname,
                columns: cols.clone(),
                deferrable: chars.0,
                initially_deferred: chars.1,
                nulls_not_distinct,
                inherited_from: None,
                span,
            });
        }
        self.push_index(Index {
            name: idx_name,
            table: table.clone(),
            keys: cols.iter().map(|c| plain_key(c)).collect(),
            unique: true,
            method: "btree".into(),
            predicate: None,
            include: Vec::new(),
            origin: IndexOrigin::Unique,
            inherited_from: None,
            span: self.span.clone(),
        });
        self.after_index_added(table);
        if d == Dialect::Postgres
            && let Some(u) = self
                .cat
                .table(table)
                .and_then(|t| t.uniques.last().cloned())
        {
            for p in self.partitions_of(table) {
                self.clone_unique_to(table, &u, &p);
            }
        }
    }

    fn add_foreign_key(
        &mut self,
        table: &Name,
        name: Option<String>,
        cols: Vec<String>,
        fk: &ast::ForeignKeyConstraint,
        not_valid: bool,
    ) {
        let d = self.d();
        let ref_table = self.name(&fk.foreign_table);
        let mut ref_columns: Vec<String> =
            fk.referred_columns.iter().map(|i| self.ident(i)).collect();
        if ref_columns.is_empty() {
            ref_columns = self
                .cat
                .table(&ref_table)
                .and_then(|t| t.primary_key.as_ref())
                .map(|k| k.columns.clone())
                .unwrap_or_default();
        }
        let Some(t) = self.cat.table(table) else {
            self.note(format!("foreign key on unknown table {table}"));
            return;
        };
        let explicit_name = name.is_some();
        let fk_name = match name {
            Some(n) => n,
            None => match d {
                // MariaDB names an unnamed constraint after `FOREIGN KEY index_name (...)` when
                // given (MySQL 8.0.16+ would not); otherwise InnoDB's `<table>_ibfk_<n>`, n one
                // more than the highest in use.
                Dialect::Mysql => match &fk.index_name {
                    Some(i) => self.ident(i),
                    None => {
                        let prefix = format!("{}_ibfk_", table.name);
                        let n = t
                            .foreign_keys
                            .iter()
                            .filter_map(|f| f.name.strip_prefix(&prefix)?.parse::<u64>().ok())
                            .max()
                            .unwrap_or(0);
                        format!("{prefix}{}", n + 1)
                    }
                },
                _ => self.pg_constraint_name(table, &cols.join("_"), "fkey"),
            },
        };
        let (def, init) = characteristics(fk.characteristics.as_ref());
        let action = |a: &Option<ast::ReferentialAction>| {
            a.map(|x| x.to_string().to_uppercase())
                .unwrap_or_else(|| "NO ACTION".into())
        };
        let new_fk = ForeignKey {
            name: fk_name.clone(),
            columns: cols.clone(),
            ref_table,
            ref_columns,
            on_delete: action(&fk.on_delete),
            on_update: action(&fk.on_update),
            deferrable: def,
            initially_deferred: init,
            not_valid,
            inherited_from: None,
            span: self.span.clone(),
        };
        if let Some(t) = self.cat.table_mut(table) {
            t.foreign_keys.push(new_fk.clone());
        }
        // MySQL creates an index for the foreign key unless one already starts with its columns.
        if d == Dialect::Mysql && !self.has_leading_index(table, &cols) {
            let idx_name = if explicit_name {
                fk_name
            } else if let Some(i) = &fk.index_name {
                self.ident(i)
            } else {
                self.mysql_index_name(table, &cols[0])
            };
            self.push_index(Index {
                name: idx_name,
                table: table.clone(),
                keys: cols.iter().map(|c| plain_key(c)).collect(),
                unique: false,
                method: "btree".into(),
                predicate: None,
                include: Vec::new(),
                origin: IndexOrigin::ForeignKey,
                inherited_from: None,
                span: self.span.clone(),
            });
        }
        // Partitioned parent: the foreign key is cloned onto each partition (PostgreSQL 12+).
        if d == Dialect::Postgres {
            let parts: Vec<Name> = self.partitions_of(table);
            for p in parts {
                if let Some(pt) = self.cat.table_mut(&p) {
                    let mut c = new_fk.clone();
                    c.inherited_from = Some(table.clone());
                    pt.foreign_keys.push(c);
                }
            }
        }
    }

    fn add_check(&mut self, table: &Name, name: Option<String>, e: &Expr, not_valid: bool) {
        let cols = expr_columns(self, e);
        let n = match name {
            Some(n) => n,
            None => match self.d() {
                Dialect::Mysql => {
                    let k = self.cat.table(table).map(|t| t.checks.len()).unwrap_or(0);
                    format!("{}_chk_{}", table.name, k + 1)
                }
                _ => {
                    let single = (cols.len() == 1).then(|| cols[0].clone());
                    self.pg_constraint_name(table, single.as_deref().unwrap_or(""), "check")
                }
            },
        };
        let span = self.span.clone();
        match self.cat.table_mut(table) {
            Some(t) => t.checks.push(Check {
                name: n,
                expr: e.to_string(),
                columns: cols,
                not_valid,
                span,
            }),
            None => self.note(format!("check constraint on unknown table {table}")),
        }
    }

    /// Whether an index on `table` starts with `cols` (MySQL's test for an FK index).
    fn has_leading_index(&self, table: &Name, cols: &[String]) -> bool {
        self.cat.indexes_of(table).any(|i| {
            i.method != "fulltext"
                && i.keys.len() >= cols.len()
                && i.keys.iter().zip(cols).all(|(k, c)| {
                    k.column
                        .as_deref()
                        .is_some_and(|kc| kc.eq_ignore_ascii_case(c))
                })
        })
    }

    /// After an index is added in MySQL, drop implicit FK indexes it makes redundant.
    fn after_index_added(&mut self, table: &Name) {
        if self.d() != Dialect::Mysql {
            return;
        }
        let Some(last) = self.cat.indexes.last().cloned() else {
            return;
        };
        if last.origin == IndexOrigin::ForeignKey {
            return;
        }
        let ci = true;
        self.cat.indexes.retain(|i| {
            if i.origin != IndexOrigin::ForeignKey || !names::name_eq(ci, &i.table, table) {
                return true;
            }
            let covered = last.keys.len() >= i.keys.len()
                && last.keys.iter().zip(&i.keys).all(|(a, b)| {
                    a.column.is_some()
                        && a.column.as_deref().map(str::to_ascii_lowercase)
                            == b.column.as_deref().map(str::to_ascii_lowercase)
                });
            !covered
        });
    }

    fn push_index(&mut self, ix: Index) {
        self.cat.indexes.push(ix);
    }

    fn add_index_for(
        &mut self,
        table: &Name,
        name: Option<String>,
        keys: Vec<IndexKey>,
        unique: bool,
        method: &str,
        origin: IndexOrigin,
    ) {
        if self.cat.table(table).is_none() && !self.is_materialized_view(table) {
            self.note(format!("index on unknown table {table}"));
            return;
        }
        let n = match name {
            Some(n) => n,
            None => {
                let first = keys
                    .first()
                    .and_then(|k| k.column.clone())
                    .unwrap_or_else(|| "expr".into());
                match self.d() {
                    Dialect::Mysql => self.mysql_index_name(table, &first),
                    _ => self.pg_unique_relation_name(table, &pg_index_colnames(&keys), "idx"),
                }
            }
        };
        self.push_index(Index {
            name: n,
            table: table.clone(),
            keys,
            unique,
            method: method.to_string(),
            predicate: None,
            include: Vec::new(),
            origin,
            inherited_from: None,
            span: self.span.clone(),
        });
        self.after_index_added(table);
    }

    /// PostgreSQL indexes materialized views like tables (and drops the indexes with the view).
    fn is_materialized_view(&self, name: &Name) -> bool {
        self.d() == Dialect::Postgres && self.cat.view(name).is_some_and(|v| v.materialized)
    }

    fn create_index(&mut self, ci: &ast::CreateIndex, only: bool) {
        let table = self.name(&ci.table_name);
        if self.cat.table(&table).is_none() && !self.is_materialized_view(&table) {
            let what = if self.cat.view(&table).is_some() {
                "view"
            } else {
                "table"
            };
            self.note(format!("index on unknown {what} {table}"));
            return;
        }
        let keys: Vec<IndexKey> = ci
            .columns
            .iter()
            .map(|c| self.index_key(&table, c))
            .collect();
        let name = ci.name.as_ref().map(|n| {
            let parts = self.parts(n);
            parts.last().cloned().unwrap_or_default()
        });
        if let Some(n) = &name {
            let cin = self.d().case_insensitive_names();
            let exists = self.cat.indexes.iter().any(|i| {
                names::ident_eq(cin, &i.name, n)
                    && (self.d() == Dialect::Mysql && names::name_eq(cin, &i.table, &table)
                        || self.d() != Dialect::Mysql
                            && names::ident_eq(cin, &i.table.schema, &table.schema))
            });
            if exists {
                if !ci.if_not_exists {
                    self.note(format!(
                        "index {n} is created twice; the engine would reject the second"
                    ));
                }
                return;
            }
        }
        let method = ci
            .using
            .as_ref()
            .map(|u| u.to_string().to_lowercase())
            .unwrap_or_else(|| {
                if self.d() == Dialect::Mysql
                    && ci
                        .index_options
                        .iter()
                        .any(|o| o.to_string().to_uppercase().contains("FULLTEXT"))
                {
                    "fulltext".into()
                } else {
                    "btree".into()
                }
            });
        let before = self.cat.indexes.len();
        self.add_index_for(
            &table,
            name,
            keys,
            ci.unique,
            &method,
            IndexOrigin::Explicit,
        );
        if self.cat.indexes.len() > before {
            if let Some(ix) = self.cat.indexes.last_mut() {
                ix.predicate = ci.predicate.as_ref().map(|p| p.to_string());
                ix.include = ci.include.iter().map(|i| i.value.clone()).collect();
                ix.span = self.span.clone();
            }
            if !only && self.d() == Dialect::Postgres {
                let parent_ix = self.cat.indexes[self.cat.indexes.len() - 1].clone();
                for p in self.partitions_of(&table) {
                    self.clone_index_to(&parent_ix, &p);
                }
            }
        }
    }

    fn partitions_of(&self, table: &Name) -> Vec<Name> {
        self.cat
            .tables
            .iter()
            .filter(|t| t.partition_of.as_ref() == Some(table))
            .map(|t| t.name.clone())
            .collect()
    }

    /// Give a partition the parent's keys, foreign keys and indexes, reusing equivalent ones.
    fn clone_partition_objects(&mut self, parent: &Name, part: &Name) {
        let Some(pt) = self.cat.table(parent).cloned() else {
            return;
        };
        if let Some(pk) = &pt.primary_key {
            self.clone_primary_key_to(parent, pk, part);
        }
        for u in &pt.uniques {
            self.clone_unique_to(parent, u, part);
        }
        for fk in &pt.foreign_keys {
            let has = self.cat.table(part).is_some_and(|t| {
                t.foreign_keys
                    .iter()
                    .any(|f| f.columns == fk.columns && f.ref_table == fk.ref_table)
            });
            if !has && let Some(t) = self.cat.table_mut(part) {
                let mut c = fk.clone();
                c.inherited_from = Some(parent.clone());
                t.foreign_keys.push(c);
            }
        }
        let parent_indexes: Vec<Index> = self
            .cat
            .indexes_of(parent)
            .filter(|i| i.origin == IndexOrigin::Explicit)
            .cloned()
            .collect();
        for ix in parent_indexes {
            self.clone_index_to(&ix, part);
        }
    }

    /// A partitioned table's primary key, on one partition (named for the partition).
    fn clone_primary_key_to(&mut self, parent: &Name, pk: &Key, part: &Name) {
        if self.cat.table(part).is_none_or(|t| t.primary_key.is_some()) {
            return;
        }
        self.add_primary_key(
            part,
            None,
            pk.columns.clone(),
            self.span.clone(),
            Some((pk.deferrable, pk.initially_deferred)),
            true,
        );
        if let Some(t) = self.cat.table_mut(part)
            && let Some(k) = t.primary_key.as_mut()
        {
            k.inherited_from = Some(parent.clone());
        }
    }

    /// A partitioned table's UNIQUE constraint, on one partition, unless it has an equal one.
    fn clone_unique_to(&mut self, parent: &Name, u: &Key, part: &Name) {
        let has = self
            .cat
            .table(part)
            .is_none_or(|t| t.uniques.iter().any(|k| k.columns == u.columns));
        if has {
            return;
        }
        self.add_unique(
            part,
            None,
            u.columns.clone(),
            u.nulls_not_distinct,
            (u.deferrable, u.initially_deferred),
            self.span.clone(),
        );
        if let Some(t) = self.cat.table_mut(part)
            && let Some(k) = t.uniques.last_mut()
        {
            k.inherited_from = Some(parent.clone());
        }
    }

    /// Give a partition its own copy of a partitioned index: an equivalent index the partition
    /// already has (and that no other parent index claimed) is attached instead (PostgreSQL's
    /// `DefineIndex` / `AttachPartitionEnsureIndexes`). The copy is named for the partition.
    fn clone_index_to(&mut self, ix: &Index, part: &Name) {
        let parent_ix = Name::new(ix.table.schema.clone(), ix.name.clone());
        let ci = self.d().case_insensitive_names();
        if let Some(eq) = self.cat.indexes.iter_mut().find(|i| {
            names::name_eq(ci, &i.table, part)
                && i.inherited_from.is_none()
                && i.origin == IndexOrigin::Explicit
                && i.keys == ix.keys
                && i.unique == ix.unique
                && i.method == ix.method
                && i.predicate == ix.predicate
        }) {
            eq.inherited_from = Some(parent_ix);
            return;
        }
        let name = self.pg_unique_relation_name(part, &pg_index_colnames(&ix.keys), "idx");
        let mut c = ix.clone();
        c.name = name;
        c.table = part.clone();
        c.inherited_from = Some(parent_ix);
        self.push_index(c.clone());
        // A partition that is itself partitioned passes the index on.
        for sub in self.partitions_of(part) {
            self.clone_index_to(&c, &sub);
        }
    }

    /// Drop indexes cloned from `parent_ix` onto partitions, and their clones in turn.
    fn drop_index_clones(&mut self, parent_ix: &Name) {
        let ci = self.d().case_insensitive_names();
        let clones: Vec<Name> = self
            .cat
            .indexes
            .iter()
            .filter(|i| {
                i.inherited_from
                    .as_ref()
                    .is_some_and(|p| names::name_eq(ci, p, parent_ix))
            })
            .map(|i| Name::new(i.table.schema.clone(), i.name.clone()))
            .collect();
        for c in clones {
            self.cat.indexes.retain(|i| {
                !(names::ident_eq(ci, &i.name, &c.name)
                    && names::ident_eq(ci, &i.table.schema, &c.schema))
            });
            self.drop_index_clones(&c);
        }
    }

    fn alter_table(&mut self, at: &ast::AlterTable) {
        let mut table = self.name(&at.name);
        if self.cat.table(&table).is_none() {
            if at.if_exists {
                return;
            }
            // ALTER TABLE on a view, sequence or index (PostgreSQL accepts it for any relation)
            // changes no table; a RENAME TO renames that relation.
            let ci = self.d().case_insensitive_names();
            let is_view = self.cat.view(&table).is_some();
            let is_sequence = self
                .cat
                .sequences
                .iter()
                .any(|s| names::name_eq(ci, &s.name, &table));
            let is_index = self.d() == Dialect::Postgres
                && self.cat.indexes.iter().any(|i| {
                    names::ident_eq(ci, &i.name, &table.name)
                        && names::ident_eq(ci, &i.table.schema, &table.schema)
                });
            if !(is_view || is_sequence || is_index) {
                self.note(format!("ALTER TABLE of unknown table {table}"));
                return;
            }
            for op in &at.operations {
                if let AlterTableOperation::RenameTable { table_name } = op {
                    let (ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n)) =
                        table_name;
                    let new = self.name(n).name;
                    if is_view {
                        self.rename_table(&table, Name::new(table.schema.clone(), new));
                    } else if is_sequence {
                        self.rename_sequence(&table, &new);
                    } else {
                        self.rename_index(&table, &new);
                    }
                }
            }
            return;
        }
        for op in &at.operations {
            match op {
                AlterTableOperation::AddColumn {
                    if_not_exists,
                    column_def,
                    ..
                } => {
                    let cname = self.ident(&column_def.name);
                    if self
                        .cat
                        .table(&table)
                        .is_some_and(|t| t.column(&cname).is_some())
                    {
                        if !*if_not_exists {
                            self.note(format!("column {table}.{cname} is added twice"));
                        }
                        continue;
                    }
                    let (col, inline) = self.column_from_def(&table, column_def);
                    if let Some(t) = self.cat.table_mut(&table) {
                        t.columns.push(col.clone());
                    }
                    // Partitions get the column too.
                    for p in self.partitions_of(&table) {
                        if let Some(pt) = self.cat.table_mut(&p) {
                            pt.columns.push(col.clone());
                        }
                    }
                    if self.d() == Dialect::Postgres {
                        if serial_kind(&column_def.data_type).is_some() {
                            self.make_serial(&table, &cname);
                        } else if is_identity_def(column_def) {
                            self.make_identity_sequence(&table, &cname);
                        }
                    }
                    if let Some((n, span)) = inline.pk {
                        self.add_primary_key(
                            &table,
                            n,
                            vec![cname.clone()],
                            span,
                            None,
                            !inline.pk_desc,
                        );
                    }
                    for (n, span) in inline.uniques {
                        self.add_unique(
                            &table,
                            n,
                            vec![cname.clone()],
                            false,
                            (false, false),
                            span,
                        );
                    }
                    for (n, e) in inline.checks {
                        self.add_check(&table, n, &e, false);
                    }
                    for (n, fk) in inline.fks {
                        self.add_foreign_key(&table, n, vec![cname.clone()], &fk, false);
                    }
                }
                AlterTableOperation::DropColumn {
                    column_names,
                    if_exists,
                    drop_behavior,
                    ..
                } => {
                    for c in column_names {
                        let c = self.ident(c);
                        self.drop_column(&table, &c, *if_exists);
                        if matches!(drop_behavior, Some(ast::DropBehavior::Cascade)) {
                            self.drop_views_reading_column(&table, &c);
                        }
                    }
                }
                AlterTableOperation::RenameColumn {
                    old_column_name,
                    new_column_name,
                } => {
                    let old = self.ident(old_column_name);
                    let new = self.ident(new_column_name);
                    self.rename_column(&table, &old, &new);
                }
                AlterTableOperation::RenameTable { table_name } => {
                    let new_on = match table_name {
                        ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => n,
                    };
                    let mut new = self.name(new_on);
                    if new_on.0.len() == 1 {
                        new.schema = table.schema.clone();
                    }
                    self.rename_table(&table, new.clone());
                    table = new;
                }
                AlterTableOperation::AlterColumn { column_name, op } => {
                    let c = self.ident(column_name);
                    self.alter_column(&table, &c, op);
                }
                AlterTableOperation::AddConstraint {
                    constraint,
                    not_valid,
                } => self.add_constraint(&table, constraint, *not_valid),
                AlterTableOperation::DropConstraint {
                    name, if_exists, ..
                } => {
                    let n = self.ident(name);
                    self.drop_constraint(&table, &n, *if_exists);
                }
                AlterTableOperation::DropPrimaryKey { .. } => {
                    let pk = self
                        .cat
                        .table(&table)
                        .and_then(|t| t.primary_key.as_ref())
                        .map(|k| k.name.clone());
                    if let Some(n) = pk {
                        self.drop_constraint(&table, &n, false);
                    }
                }
                AlterTableOperation::DropForeignKey { name, .. } => {
                    let n = self.ident(name);
                    if let Some(t) = self.cat.table_mut(&table) {
                        t.foreign_keys.retain(|f| !f.name.eq_ignore_ascii_case(&n));
                    }
                }
                AlterTableOperation::DropIndex { name } => {
                    let n = self.ident(name);
                    let ci = true;
                    self.cat.indexes.retain(|i| {
                        !(names::name_eq(ci, &i.table, &table) && i.name.eq_ignore_ascii_case(&n))
                    });
                    if let Some(t) = self.cat.table_mut(&table) {
                        t.uniques.retain(|u| !u.name.eq_ignore_ascii_case(&n));
                    }
                }
                AlterTableOperation::ChangeColumn {
                    old_name,
                    new_name,
                    data_type,
                    options,
                    ..
                } => {
                    let old = self.ident(old_name);
                    let new = self.ident(new_name);
                    if old != new {
                        self.rename_column(&table, &old, &new);
                    }
                    self.redefine_column(&table, &new, data_type, options);
                }
                AlterTableOperation::ModifyColumn {
                    col_name,
                    data_type,
                    options,
                    ..
                } => {
                    let c = self.ident(col_name);
                    self.redefine_column(&table, &c, data_type, options);
                }
                AlterTableOperation::RenameConstraint { old_name, new_name } => {
                    let old = self.ident(old_name);
                    let new = self.ident(new_name);
                    self.rename_constraint(&table, &old, &new);
                }
                AlterTableOperation::AttachPartitionOf { partition, .. } => {
                    let part = self.name(partition);
                    if let Some(pt) = self.cat.table_mut(&part) {
                        pt.partition_of = Some(table.clone());
                        self.clone_partition_objects(&table, &part);
                    } else {
                        self.note(format!("ATTACH PARTITION of unknown table {part}"));
                    }
                }
                AlterTableOperation::DetachPartitionOf { partition, .. } => {
                    let part = self.name(partition);
                    // The partition keeps its keys, foreign keys and indexes, now its own.
                    if let Some(pt) = self.cat.table_mut(&part) {
                        pt.partition_of = None;
                        for k in pt.primary_key.iter_mut().chain(pt.uniques.iter_mut()) {
                            k.inherited_from = None;
                        }
                        for f in &mut pt.foreign_keys {
                            f.inherited_from = None;
                        }
                    }
                    let ci = self.d().case_insensitive_names();
                    for i in &mut self.cat.indexes {
                        if names::name_eq(ci, &i.table, &part) {
                            i.inherited_from = None;
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn alter_column(&mut self, table: &Name, col: &str, op: &AlterColumnOperation) {
        let d = self.d();
        let seq_of = |s: &Builder, text: &str| nextval_sequence(text).map(|x| s.name_str(&x));
        let new_type = match op {
            AlterColumnOperation::SetDataType { data_type, .. } => {
                let mut t = normalize(data_type, d);
                self.resolve_user_type(&mut t, data_type);
                Some(t)
            }
            _ => None,
        };
        let default_seq = match op {
            AlterColumnOperation::SetDefault { value } => seq_of(self, &value.to_string()),
            _ => None,
        };
        let mut targets = vec![table.clone()];
        targets.extend(self.partitions_of(table));
        let mut missing = false;
        for tn in targets {
            let Some(t) = self.cat.table_mut(&tn) else {
                continue;
            };
            let Some(c) = t.column_mut(col) else {
                missing = true;
                continue;
            };
            match op {
                AlterColumnOperation::SetNotNull => c.nullable = false,
                AlterColumnOperation::DropNotNull => c.nullable = true,
                AlterColumnOperation::SetDefault { value } => {
                    c.default = Some(value.to_string());
                    if default_seq.is_some() {
                        c.sequence = default_seq.clone();
                        c.auto_increment = true;
                    }
                }
                AlterColumnOperation::DropDefault => {
                    c.default = None;
                    c.sequence = None;
                    if c.identity.is_none() {
                        c.auto_increment = false;
                    }
                }
                AlterColumnOperation::SetDataType { .. } => {
                    if let Some(t) = &new_type {
                        c.data_type = t.clone();
                    }
                }
                AlterColumnOperation::AddGenerated { generated_as, .. } => {
                    c.identity = Some(match generated_as {
                        Some(ast::GeneratedAs::Always) => Identity::Always,
                        _ => Identity::ByDefault,
                    });
                    c.nullable = false;
                }
                _ => {}
            }
        }
        if missing {
            self.note(format!("ALTER COLUMN of unknown column {table}.{col}"));
        }
        // ALTER COLUMN ... ADD GENERATED AS IDENTITY creates the identity's sequence.
        if let AlterColumnOperation::AddGenerated { .. } = op
            && d == Dialect::Postgres
            && !missing
        {
            self.make_identity_sequence(table, col);
        }
    }

    /// MySQL CHANGE/MODIFY: the new definition replaces the old one entirely.
    fn redefine_column(
        &mut self,
        table: &Name,
        col: &str,
        dt: &ast::DataType,
        options: &[ColumnOption],
    ) {
        let defs: Vec<ColumnOptionDef> = options
            .iter()
            .map(|o| ColumnOptionDef {
                name: None,
                option: o.clone(),
            })
            .collect();
        let def = ast::ColumnDef {
            name: ast::Ident::new(col),
            data_type: dt.clone(),
            options: defs,
        };
        let (mut newc, inline) = self.column_from_def(table, &def);
        let Some(t) = self.cat.table_mut(table) else {
            return;
        };
        let is_pk = t
            .primary_key
            .as_ref()
            .is_some_and(|k| k.columns.iter().any(|c| c.eq_ignore_ascii_case(col)));
        match t.column_mut(col) {
            Some(c) => {
                newc.name = c.name.clone();
                if is_pk {
                    newc.nullable = false;
                }
                *c = newc;
            }
            None => {
                self.note(format!("MODIFY of unknown column {table}.{col}"));
                return;
            }
        }
        if let Some((n, span)) = inline.pk {
            self.add_primary_key(table, n, vec![col.to_string()], span, None, true);
        }
        for (n, span) in inline.uniques {
            self.add_unique(table, n, vec![col.to_string()], false, (false, false), span);
        }
    }

    fn drop_column(&mut self, table: &Name, col: &str, if_exists: bool) {
        let d = self.d();
        let ci = d.case_insensitive_names();
        let eq = move |a: &str, b: &str| names::ident_eq(ci, a, b);
        let Some(t) = self.cat.table_mut(table) else {
            return;
        };
        if t.column(col).is_none() {
            if !if_exists {
                self.note(format!("DROP COLUMN of unknown column {table}.{col}"));
            }
            return;
        }
        t.columns.retain(|c| !eq(&c.name, col));
        // Constraints involving the column go with it.
        if t.primary_key
            .as_ref()
            .is_some_and(|k| k.columns.iter().any(|c| eq(c, col)))
        {
            t.primary_key = None;
        }
        t.uniques.retain(|k| !k.columns.iter().any(|c| eq(c, col)));
        t.foreign_keys
            .retain(|f| !f.columns.iter().any(|c| eq(c, col)));
        t.checks.retain(|k| !k.columns.iter().any(|c| eq(c, col)));
        let partitions = self.partitions_of(table);
        for p in &partitions {
            if let Some(pt) = self.cat.table_mut(p) {
                pt.columns.retain(|c| !eq(&c.name, col));
            }
        }
        // Indexes: PostgreSQL and SQLite drop any index using the column (SQLite refuses the
        // drop; the migration would fail); MySQL removes the column from the index.
        let mut tables = vec![table.clone()];
        tables.extend(partitions);
        let uses = |i: &Index| {
            i.keys.iter().any(|k| match &k.column {
                Some(c) => eq(c, col),
                None => expr_mentions(&k.expr, col),
            }) || i.include.iter().any(|c| eq(c, col))
                || i.predicate
                    .as_deref()
                    .is_some_and(|p| expr_mentions(p, col))
        };
        if d == Dialect::Mysql {
            for i in self
                .cat
                .indexes
                .iter_mut()
                .filter(|i| tables.iter().any(|t| names::name_eq(ci, &i.table, t)))
            {
                i.keys
                    .retain(|k| !k.column.as_deref().is_some_and(|c| eq(c, col)));
            }
            self.cat.indexes.retain(|i| !i.keys.is_empty());
        } else {
            self.cat
                .indexes
                .retain(|i| !(tables.iter().any(|t| names::name_eq(ci, &i.table, t)) && uses(i)));
        }
        // Foreign keys elsewhere that reference the column (PostgreSQL needs CASCADE for this).
        for other in &mut self.cat.tables {
            other.foreign_keys.retain(|f| {
                !(names::name_eq(ci, &f.ref_table, table)
                    && f.ref_columns.iter().any(|c| eq(c, col)))
            });
        }
        // Owned sequences are dropped with their column.
        self.cat.sequences.retain(|s| {
            !s.owned_by
                .as_ref()
                .is_some_and(|(t, c)| names::name_eq(ci, t, table) && eq(c, col))
        });
    }

    fn rename_column(&mut self, table: &Name, old: &str, new: &str) {
        let ci = self.d().case_insensitive_names();
        let eq = move |a: &str, b: &str| names::ident_eq(ci, a, b);
        let ren = |v: &mut Vec<String>| {
            for c in v.iter_mut() {
                if eq(c, old) {
                    *c = new.to_string();
                }
            }
        };
        let mut tables = vec![table.clone()];
        tables.extend(self.partitions_of(table));
        let mut found = false;
        for tn in &tables {
            if let Some(t) = self.cat.table_mut(tn) {
                if let Some(c) = t.column_mut(old) {
                    c.name = new.to_string();
                    found = true;
                }
                if let Some(k) = t.primary_key.as_mut() {
                    ren(&mut k.columns);
                }
                for k in &mut t.uniques {
                    ren(&mut k.columns);
                }
                for f in &mut t.foreign_keys {
                    ren(&mut f.columns);
                }
                for k in &mut t.checks {
                    ren(&mut k.columns);
                }
            }
        }
        if !found {
            self.note(format!("RENAME of unknown column {table}.{old}"));
            return;
        }
        for i in &mut self.cat.indexes {
            if tables.iter().any(|t| names::name_eq(ci, &i.table, t)) {
                for k in &mut i.keys {
                    if k.column.as_deref().is_some_and(|c| eq(c, old)) {
                        k.column = Some(new.to_string());
                        k.expr = new.to_string();
                    }
                }
                ren(&mut i.include);
            }
        }
        for other in &mut self.cat.tables {
            for f in &mut other.foreign_keys {
                if names::name_eq(ci, &f.ref_table, table) {
                    ren(&mut f.ref_columns);
                }
            }
        }
        for s in &mut self.cat.sequences {
            if let Some((t, c)) = &mut s.owned_by
                && names::name_eq(ci, t, table)
                && eq(c, old)
            {
                *c = new.to_string();
            }
        }
    }

    fn rename_table(&mut self, old: &Name, new: Name) {
        let ci = self.d().case_insensitive_names();
        let Some(t) = self.cat.table_mut(old) else {
            // Could be a view (ALTER TABLE ... RENAME works on views in PostgreSQL).
            if let Some(v) = self
                .cat
                .views
                .iter_mut()
                .find(|v| names::name_eq(ci, &v.name, old))
            {
                v.name = new.clone();
                // A materialized view's indexes stay with it.
                for i in &mut self.cat.indexes {
                    if names::name_eq(ci, &i.table, old) {
                        i.table = new.clone();
                    }
                }
            } else {
                self.note(format!("RENAME of unknown table {old}"));
            }
            return;
        };
        t.name = new.clone();
        // SQLite renames the table's autoindexes too (`sqlite_autoindex_<table>_N`).
        let sqlite = self.d() == Dialect::Sqlite;
        let auto_prefix = format!("sqlite_autoindex_{}_", old.name);
        for i in &mut self.cat.indexes {
            if names::name_eq(ci, &i.table, old) {
                i.table = new.clone();
                if sqlite
                    && i.name.len() >= auto_prefix.len()
                    && i.name[..auto_prefix.len()].eq_ignore_ascii_case(&auto_prefix)
                {
                    i.name = format!(
                        "sqlite_autoindex_{}_{}",
                        new.name,
                        &i.name[auto_prefix.len()..]
                    );
                }
            }
        }
        for other in &mut self.cat.tables {
            for f in &mut other.foreign_keys {
                if names::name_eq(ci, &f.ref_table, old) {
                    f.ref_table = new.clone();
                }
            }
            if other
                .partition_of
                .as_ref()
                .is_some_and(|p| names::name_eq(ci, p, old))
            {
                other.partition_of = Some(new.clone());
            }
        }
        for tr in &mut self.cat.triggers {
            if names::name_eq(ci, &tr.table, old) {
                tr.table = new.clone();
            }
        }
        for s in &mut self.cat.sequences {
            if let Some((t, _)) = &mut s.owned_by
                && names::name_eq(ci, t, old)
            {
                *t = new.clone();
            }
        }
    }

    /// Rename a PRIMARY KEY or UNIQUE constraint of `table` and its index.
    fn rename_key(&mut self, table: &Name, old: &str, new: &str) {
        let ci = self.d().case_insensitive_names();
        if let Some(t) = self.cat.table_mut(table) {
            for k in t.primary_key.iter_mut().chain(t.uniques.iter_mut()) {
                if names::ident_eq(ci, &k.name, old) {
                    k.name = new.to_string();
                }
            }
        }
        for i in &mut self.cat.indexes {
            if names::name_eq(ci, &i.table, table)
                && names::ident_eq(ci, &i.name, old)
                && i.origin != IndexOrigin::Explicit
            {
                i.name = new.to_string();
            }
        }
    }

    /// MySQL `ALTER TABLE t RENAME INDEX a TO b`; a UNIQUE key's constraint is the index, so it
    /// takes the new name too.
    fn rename_index_of_table(&mut self, table: &Name, old: &str, new: &str) {
        let ci = self.d().case_insensitive_names();
        let Some(ix) = self
            .cat
            .indexes
            .iter_mut()
            .find(|i| names::name_eq(ci, &i.table, table) && names::ident_eq(ci, &i.name, old))
        else {
            self.note(format!("RENAME INDEX of unknown index {old} on {table}"));
            return;
        };
        ix.name = new.to_string();
        if let Some(t) = self.cat.table_mut(table) {
            for k in &mut t.uniques {
                if names::ident_eq(ci, &k.name, old) {
                    k.name = new.to_string();
                }
            }
        }
    }

    /// `ALTER INDEX a RENAME TO b` (PostgreSQL). Renaming the index behind a PRIMARY KEY or
    /// UNIQUE constraint renames the constraint too (`RenameRelationInternal` calls
    /// `RenameConstraintById` for an index that backs a constraint).
    fn rename_index(&mut self, old: &Name, new: &str) {
        let ci = self.d().case_insensitive_names();
        let Some(ix) = self.cat.indexes.iter_mut().find(|i| {
            names::ident_eq(ci, &i.name, &old.name)
                && names::ident_eq(ci, &i.table.schema, &old.schema)
        }) else {
            self.note(format!("ALTER INDEX of unknown index {old}"));
            return;
        };
        ix.name = new.to_string();
        let (table, origin) = (ix.table.clone(), ix.origin);
        let renamed = Name::new(table.schema.clone(), new.to_string());
        for i in &mut self.cat.indexes {
            if let Some(p) = i.inherited_from.as_mut()
                && names::ident_eq(ci, &p.name, &old.name)
                && names::ident_eq(ci, &p.schema, &old.schema)
            {
                *p = renamed.clone();
            }
        }
        if !matches!(origin, IndexOrigin::PrimaryKey | IndexOrigin::Unique) {
            return;
        }
        if let Some(t) = self.cat.table_mut(&table) {
            for k in t.primary_key.iter_mut().chain(t.uniques.iter_mut()) {
                if names::ident_eq(ci, &k.name, &old.name) {
                    k.name = new.to_string();
                }
            }
        }
    }

    fn rename_constraint(&mut self, table: &Name, old: &str, new: &str) {
        let ci = self.d().case_insensitive_names();
        let eq = move |a: &str, b: &str| names::ident_eq(ci, a, b);
        let Some(t) = self.cat.table_mut(table) else {
            return;
        };
        let mut key_renamed = false;
        for k in t.primary_key.iter_mut().chain(t.uniques.iter_mut()) {
            if eq(&k.name, old) {
                k.name = new.to_string();
                key_renamed = true;
            }
        }
        for f in &mut t.foreign_keys {
            if eq(&f.name, old) {
                f.name = new.to_string();
            }
        }
        for c in &mut t.checks {
            if eq(&c.name, old) {
                c.name = new.to_string();
            }
        }
        // Renaming a key constraint renames its index in PostgreSQL.
        if key_renamed {
            for i in &mut self.cat.indexes {
                if names::name_eq(ci, &i.table, table) && eq(&i.name, old) {
                    i.name = new.to_string();
                }
            }
        }
    }

    fn drop_constraint(&mut self, table: &Name, name: &str, if_exists: bool) {
        let ci = self.d().case_insensitive_names();
        let eq = move |a: &str, b: &str| names::ident_eq(ci, a, b);
        let mut targets = vec![table.clone()];
        targets.extend(self.partitions_of(table));
        let mut found = false;
        let mut drop_index_of: Vec<(Name, String)> = Vec::new();
        // The columns of the key being dropped, if it is one (for dependent foreign keys).
        let key_cols: Option<Vec<String>> = self.cat.table(table).and_then(|t| {
            t.primary_key
                .iter()
                .chain(t.uniques.iter())
                .find(|k| eq(&k.name, name))
                .map(|k| k.columns.clone())
        });
        for (n, tn) in targets.iter().enumerate() {
            let Some(t) = self.cat.table_mut(tn) else {
                continue;
            };
            if (n == 0
                || t.primary_key
                    .as_ref()
                    .is_some_and(|k| k.inherited_from.as_ref() == Some(table)))
                && let Some(k) = t.primary_key.as_ref()
                && (eq(&k.name, name) || n > 0)
                && (n == 0 || found)
            {
                if n == 0 {
                    found = true;
                }
                let kn = k.name.clone();
                drop_index_of.push((tn.clone(), kn));
                t.primary_key = None;
            }
            let before = t.uniques.len() + t.foreign_keys.len() + t.checks.len();
            let mut dropped_uniques = Vec::new();
            t.uniques.retain(|k| {
                let hit = eq(&k.name, name) && (n == 0 || k.inherited_from.as_ref() == Some(table));
                if hit {
                    dropped_uniques.push(k.name.clone());
                }
                !hit
            });
            for u in dropped_uniques {
                drop_index_of.push((tn.clone(), u));
            }
            t.foreign_keys.retain(|f| {
                !(eq(&f.name, name) && (n == 0 || f.inherited_from.as_ref() == Some(table)))
            });
            t.checks.retain(|c| !eq(&c.name, name));
            if n == 0 && before != t.uniques.len() + t.foreign_keys.len() + t.checks.len() {
                found = true;
            }
        }
        for (tn, kn) in drop_index_of {
            // The key's index: same name in PostgreSQL/MySQL; in SQLite keys cannot be dropped.
            self.cat.indexes.retain(|i| {
                !(names::name_eq(ci, &i.table, &tn)
                    && (eq(&i.name, &kn)
                        || (i.origin == IndexOrigin::PrimaryKey && kn == "PRIMARY"))
                    && i.origin != IndexOrigin::Explicit)
            });
        }
        // PostgreSQL: foreign keys that reference the dropped key go with it (CASCADE; without
        // it the engine refuses the drop while such foreign keys exist).
        if self.d() == Dialect::Postgres
            && found
            && let Some(cols) = key_cols
        {
            let same = |a: &[String]| a.len() == cols.len() && a.iter().all(|c| cols.contains(c));
            for t in &mut self.cat.tables {
                t.foreign_keys
                    .retain(|f| !(names::name_eq(ci, &f.ref_table, table) && same(&f.ref_columns)));
            }
        }
        // An EXCLUDE constraint lives in the model as its index.
        let before = self.cat.indexes.len();
        self.cat.indexes.retain(|i| {
            !(i.origin == IndexOrigin::Exclusion
                && names::name_eq(ci, &i.table, table)
                && eq(&i.name, name))
        });
        found |= before != self.cat.indexes.len();
        if !found && !if_exists {
            self.note(format!(
                "DROP CONSTRAINT of unknown constraint {name} on {table}"
            ));
        }
    }

    // ----------------------------------------------------------------------------------------
    // Views, types, drops, comments

    /// The output column names of a query, as the engine names them: aliases, plain column
    /// references, `*` and `t.*` expanded from the tables and views the model knows; other
    /// expressions by PostgreSQL's `FigureColname` (`count`, `max`, `?column?`), or by their text
    /// in MySQL and SQLite. Names that cannot be known (`*` over an unknown relation) are skipped.
    pub fn query_columns(&self, q: &ast::Query) -> Vec<String> {
        self.query_columns_full(q)
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    /// Output columns with, for plain column references and `*`, the source column.
    fn query_columns_full(&self, q: &ast::Query) -> Vec<(String, Option<Column>)> {
        let mut body = q.body.as_ref();
        loop {
            match body {
                ast::SetExpr::Select(s) => return self.select_columns(s),
                ast::SetExpr::SetOperation { left, .. } => body = left.as_ref(),
                ast::SetExpr::Query(q) => body = q.body.as_ref(),
                _ => return Vec::new(),
            }
        }
    }

    fn select_columns(&self, s: &ast::Select) -> Vec<(String, Option<Column>)> {
        type Cols = Vec<(String, Option<Column>)>;
        // The FROM relations in order, with the name they are visible under.
        let mut rels: Vec<(Option<String>, Cols)> = Vec::new();
        let mut add_rel = |b: &Builder, f: &ast::TableFactor| match f {
            ast::TableFactor::Table { name, alias, .. } => {
                let n = b.name(name);
                let mut cols: Cols = match b.cat.table(&n) {
                    Some(t) => t
                        .columns
                        .iter()
                        .map(|c| (c.name.clone(), Some(c.clone())))
                        .collect(),
                    None => b
                        .cat
                        .view(&n)
                        .map(|v| v.columns.iter().map(|c| (c.clone(), None)).collect())
                        .unwrap_or_default(),
                };
                if let Some(a) = alias {
                    for (i, c) in a.columns.iter().enumerate() {
                        if let Some(slot) = cols.get_mut(i) {
                            slot.0 = b.ident(&c.name);
                        }
                    }
                }
                let visible = alias.as_ref().map(|a| b.ident(&a.name)).unwrap_or(n.name);
                rels.push((Some(visible), cols));
            }
            ast::TableFactor::Derived {
                subquery, alias, ..
            } => {
                let mut cols = b.query_columns_full(subquery);
                if let Some(a) = alias {
                    for (i, c) in a.columns.iter().enumerate() {
                        if let Some(slot) = cols.get_mut(i) {
                            slot.0 = b.ident(&c.name);
                        }
                    }
                }
                rels.push((alias.as_ref().map(|a| b.ident(&a.name)), cols));
            }
            _ => rels.push((None, Vec::new())),
        };
        for twj in &s.from {
            add_rel(self, &twj.relation);
            for j in &twj.joins {
                add_rel(self, &j.relation);
            }
        }
        let ci = self.d().case_insensitive_names();
        let rel_named = |q: &str| {
            rels.iter()
                .find(|(n, _)| n.as_deref().is_some_and(|n| names::ident_eq(ci, n, q)))
        };
        let source = |rel: Option<&str>, col: &str| -> Option<Column> {
            let in_rel = |cols: &Cols| {
                cols.iter()
                    .find(|(n, _)| names::ident_eq(ci, n, col))
                    .and_then(|(_, c)| c.clone())
            };
            match rel {
                Some(r) => rel_named(r).and_then(|(_, cols)| in_rel(cols)),
                None => rels.iter().find_map(|(_, cols)| in_rel(cols)),
            }
        };
        let mut out = Vec::new();
        for item in &s.projection {
            match item {
                ast::SelectItem::ExprWithAlias { alias, expr } => {
                    out.push((self.ident(alias), self.column_source(expr, &source)))
                }
                ast::SelectItem::ExprWithAliases { aliases, .. } => {
                    out.extend(aliases.iter().map(|a| (self.ident(a), None)))
                }
                ast::SelectItem::UnnamedExpr(e) => {
                    out.push((self.expr_column_name(e), self.column_source(e, &source)))
                }
                ast::SelectItem::Wildcard(_) => {
                    for (_, cols) in &rels {
                        out.extend(cols.iter().cloned());
                    }
                }
                ast::SelectItem::QualifiedWildcard(kind, _) => {
                    if let ast::SelectItemQualifiedWildcardKind::ObjectName(on) = kind {
                        let q = self.name(on).name;
                        if let Some((_, cols)) = rel_named(&q) {
                            out.extend(cols.iter().cloned());
                        }
                    }
                }
            }
        }
        out
    }

    /// The source column of a plain column reference (`a`, `t.a`).
    fn column_source(
        &self,
        e: &Expr,
        source: &dyn Fn(Option<&str>, &str) -> Option<Column>,
    ) -> Option<Column> {
        match e {
            Expr::Identifier(i) => source(None, &self.ident(i)),
            Expr::CompoundIdentifier(ids) if ids.len() >= 2 => {
                let col = self.ident(&ids[ids.len() - 1]);
                let rel = self.ident(&ids[ids.len() - 2]);
                source(Some(&rel), &col)
            }
            Expr::Nested(x) => self.column_source(x, source),
            _ => None,
        }
    }

    /// The name an engine gives an unaliased select-list expression.
    fn expr_column_name(&self, e: &Expr) -> String {
        match e {
            Expr::Identifier(i) => self.ident(i),
            Expr::CompoundIdentifier(ids) => ids.last().map(|i| self.ident(i)).unwrap_or_default(),
            _ if self.d() == Dialect::Postgres => pg_figure_colname(self, e)
                .map(|(n, _)| n)
                .unwrap_or_else(|| "?column?".into()),
            _ => e.to_string(),
        }
    }

    fn relations_of_query(&self, q: &ast::Query) -> Vec<Name> {
        let mut ctes: Vec<String> = Vec::new();
        let _ = sqlparser::ast::visit_expressions(q, |_e: &Expr| ControlFlow::<()>::Continue(()));
        // CTE names anywhere in the query are not dependencies.
        let _ = ast::visit_statements(q, |_s: &Statement| ControlFlow::<()>::Continue(()));
        collect_cte_names(q, &mut ctes);
        let mut out: Vec<Name> = Vec::new();
        let _ = ast::visit_relations(q, |rel: &ObjectName| {
            let n = self.name(rel);
            let is_cte = rel.0.len() == 1 && ctes.iter().any(|c| c.eq_ignore_ascii_case(&n.name));
            if !is_cte && !out.contains(&n) {
                out.push(n);
            }
            ControlFlow::<()>::Continue(())
        });
        out
    }

    fn create_view(&mut self, cv: &ast::CreateView) {
        let name = self.name(&cv.name);
        if cv.if_not_exists && self.cat.view(&name).is_some() {
            return;
        }
        let depends_on = self.relations_of_query(&cv.query);
        let columns = if cv.columns.is_empty() {
            self.query_columns(&cv.query)
        } else {
            cv.columns.iter().map(|c| self.ident(&c.name)).collect()
        };
        let ci = self.d().case_insensitive_names();
        self.cat
            .views
            .retain(|v| !names::name_eq(ci, &v.name, &name));
        self.cat.views.push(View {
            name,
            materialized: cv.materialized,
            columns,
            definition: cv.query.to_string(),
            depends_on,
            comment: cv.comment.clone(),
            span: self.span.clone(),
        });
    }

    fn create_type(&mut self, name: &ObjectName, rep: Option<&ast::UserDefinedTypeRepresentation>) {
        let name = self.name(name);
        let kind = match rep {
            Some(ast::UserDefinedTypeRepresentation::Enum { labels }) => UserTypeKind::Enum {
                values: labels.iter().map(|l| l.value.clone()).collect(),
            },
            Some(ast::UserDefinedTypeRepresentation::Composite { attributes }) => {
                UserTypeKind::Composite {
                    attributes: attributes
                        .iter()
                        .map(|a| (self.ident(&a.name), a.data_type.to_string()))
                        .collect(),
                }
            }
            Some(ast::UserDefinedTypeRepresentation::Range { .. }) => UserTypeKind::Range,
            _ => UserTypeKind::Other,
        };
        let ci = self.d().case_insensitive_names();
        self.cat
            .types
            .retain(|t| !names::name_eq(ci, &t.name, &name));
        self.cat.types.push(UserType {
            name,
            kind,
            span: self.span.clone(),
        });
    }

    fn alter_type(&mut self, at: &ast::AlterType) {
        let name = self.name(&at.name);
        let ci = self.d().case_insensitive_names();
        let Some(ut) = self
            .cat
            .types
            .iter_mut()
            .find(|t| names::name_eq(ci, &t.name, &name))
        else {
            self.note(format!("ALTER TYPE of unknown type {name}"));
            return;
        };
        match &at.operation {
            ast::AlterTypeOperation::Rename(r) => {
                let new = if self.cat.dialect == Dialect::Postgres {
                    names::pg_identifier(&r.new_name.value, r.new_name.quote_style.is_some())
                } else {
                    r.new_name.value.clone()
                };
                let old = ut.name.clone();
                ut.name.name = new.clone();
                let newn = ut.name.clone();
                for t in &mut self.cat.tables {
                    for c in &mut t.columns {
                        if c.data_type.user_type.as_ref() == Some(&old) {
                            c.data_type.user_type = Some(newn.clone());
                            c.data_type.name = new.clone();
                        }
                    }
                }
            }
            ast::AlterTypeOperation::AddValue(av) => {
                if let UserTypeKind::Enum { values } = &mut ut.kind {
                    let v = av.value.value.clone();
                    if values.contains(&v) {
                        return;
                    }
                    match &av.position {
                        Some(ast::AlterTypeAddValuePosition::Before(b)) => {
                            let i = values
                                .iter()
                                .position(|x| *x == b.value)
                                .unwrap_or(values.len());
                            values.insert(i, v);
                        }
                        Some(ast::AlterTypeAddValuePosition::After(a)) => {
                            let i = values
                                .iter()
                                .position(|x| *x == a.value)
                                .map(|i| i + 1)
                                .unwrap_or(values.len());
                            values.insert(i, v);
                        }
                        None => values.push(v),
                    }
                }
            }
            ast::AlterTypeOperation::RenameValue(rv) => {
                if let UserTypeKind::Enum { values } = &mut ut.kind {
                    for v in values.iter_mut() {
                        if *v == rv.from.value {
                            *v = rv.to.value.clone();
                        }
                    }
                }
            }
        }
        // Keep columns' copies of enum values in sync.
        let updated = self
            .cat
            .types
            .iter()
            .find(|t| names::name_eq(ci, &t.name, &name))
            .cloned();
        if let Some(UserType {
            kind: UserTypeKind::Enum { values },
            name: tn,
            ..
        }) = updated
        {
            for t in &mut self.cat.tables {
                for c in &mut t.columns {
                    if c.data_type.user_type.as_ref() == Some(&tn) {
                        c.data_type.enum_values = values.clone();
                    }
                }
            }
        }
    }

    /// `ALTER DOMAIN` (read by `pg_alter`, as sqlparser lacks it).
    fn alter_domain(&mut self, text: &str) {
        use super::pg_alter::DomainOp;
        let (on, op) = match super::pg_alter::parse_alter_domain(text) {
            Ok(x) => x,
            Err(e) => {
                self.note(format!("ALTER DOMAIN not understood: {e}"));
                return;
            }
        };
        let name = self.name(&on);
        let ci = self.d().case_insensitive_names();
        let ident = |b: &Self, i: &ast::Ident| b.ident(i);
        let new_name = match &op {
            DomainOp::Rename(n) | DomainOp::SetSchema(n) => Some(ident(self, n)),
            _ => None,
        };
        let (check_name, from_to) = match &op {
            DomainOp::AddCheck { name: Some(n), .. }
            | DomainOp::DropConstraint { name: n }
            | DomainOp::Validate(n) => (Some(ident(self, n)), None),
            DomainOp::RenameConstraint { from, to } => {
                (None, Some((ident(self, from), ident(self, to))))
            }
            _ => (None, None),
        };
        let Some(ut) = self
            .cat
            .types
            .iter_mut()
            .find(|t| names::name_eq(ci, &t.name, &name))
        else {
            self.note(format!("ALTER DOMAIN of unknown domain {name}"));
            return;
        };
        let UserTypeKind::Domain {
            not_null,
            default,
            checks,
            ..
        } = &mut ut.kind
        else {
            self.note(format!("ALTER DOMAIN of {name}, which is not a domain"));
            return;
        };
        let eq = |a: &str, b: &str| names::ident_eq(ci, a, b);
        match op {
            DomainOp::AddCheck {
                expr, not_valid, ..
            } => {
                let n = check_name.unwrap_or_else(|| domain_check_name(&name.name, checks));
                checks.push(DomainCheck {
                    name: n,
                    expr: expr.to_string(),
                    not_valid,
                });
            }
            DomainOp::AddNotNull | DomainOp::SetNotNull => *not_null = true,
            DomainOp::DropNotNull => *not_null = false,
            DomainOp::DropConstraint { .. } => {
                let n = check_name.unwrap_or_default();
                checks.retain(|c| !eq(&c.name, &n));
            }
            DomainOp::SetDefault(e) => *default = Some(e.to_string()),
            DomainOp::DropDefault => *default = None,
            DomainOp::Validate(_) => {
                let n = check_name.unwrap_or_default();
                for c in checks.iter_mut().filter(|c| eq(&c.name, &n)) {
                    c.not_valid = false;
                }
            }
            DomainOp::RenameConstraint { .. } => {
                if let Some((from, to)) = from_to {
                    for c in checks.iter_mut().filter(|c| eq(&c.name, &from)) {
                        c.name = to.clone();
                    }
                }
            }
            DomainOp::Rename(_) | DomainOp::SetSchema(_) => {
                let old = ut.name.clone();
                let new = new_name.unwrap_or_default();
                if matches!(op, DomainOp::SetSchema(_)) {
                    ut.name.schema = new;
                } else {
                    ut.name.name = new;
                }
                let newn = ut.name.clone();
                let new = newn.name.clone();
                for t in &mut self.cat.tables {
                    for c in &mut t.columns {
                        let fix = |ty: &mut SqlType| {
                            if ty.user_type.as_ref() == Some(&old) {
                                ty.user_type = Some(newn.clone());
                                ty.name = new.clone();
                            }
                        };
                        if let Some(e) = c.data_type.element.as_deref_mut() {
                            fix(e);
                        }
                        fix(&mut c.data_type);
                    }
                }
            }
            DomainOp::Other => {}
        }
    }

    /// `ALTER TYPE composite {ADD|DROP|ALTER|RENAME} ATTRIBUTE ...`.
    fn alter_type_attributes(&mut self, text: &str) {
        use super::pg_alter::AttributeOp;
        let (on, ops) = match super::pg_alter::parse_alter_type_attributes(text) {
            Ok(Some(x)) => x,
            Ok(None) => {
                self.note("ALTER TYPE form not applied to the model (only attribute changes, values and renames are)");
                return;
            }
            Err(e) => {
                self.note(format!("ALTER TYPE not understood: {e}"));
                return;
            }
        };
        let name = self.name(&on);
        let ci = self.d().case_insensitive_names();
        let ops: Vec<(AttributeOp, String, Option<String>)> = ops
            .into_iter()
            .map(|o| {
                let (n, extra) = match &o {
                    AttributeOp::Add { name, data_type }
                    | AttributeOp::Alter { name, data_type } => {
                        (self.ident(name), Some(data_type.to_string()))
                    }
                    AttributeOp::Drop { name, .. } => (self.ident(name), None),
                    AttributeOp::Rename { from, to } => (self.ident(from), Some(self.ident(to))),
                };
                (o, n, extra)
            })
            .collect();
        let Some(ut) = self
            .cat
            .types
            .iter_mut()
            .find(|t| names::name_eq(ci, &t.name, &name))
        else {
            self.note(format!("ALTER TYPE of unknown type {name}"));
            return;
        };
        let UserTypeKind::Composite { attributes } = &mut ut.kind else {
            self.note(format!(
                "ALTER TYPE ... ATTRIBUTE of {name}, which is not a composite type"
            ));
            return;
        };
        let mut missing = None;
        for (op, n, extra) in ops {
            let pos = attributes
                .iter()
                .position(|(a, _)| names::ident_eq(ci, a, &n));
            match (op, pos) {
                (AttributeOp::Add { .. }, None) => {
                    attributes.push((n, extra.unwrap_or_default()));
                }
                (AttributeOp::Drop { .. }, Some(i)) => {
                    attributes.remove(i);
                }
                (
                    AttributeOp::Drop {
                        if_exists: true, ..
                    },
                    None,
                ) => {}
                (AttributeOp::Alter { .. }, Some(i)) => attributes[i].1 = extra.unwrap_or_default(),
                (AttributeOp::Rename { .. }, Some(i)) => {
                    attributes[i].0 = extra.unwrap_or_default()
                }
                (_, _) => missing = Some(n),
            }
        }
        if let Some(n) = missing {
            self.note(format!("ALTER TYPE {name}: attribute {n} cannot be changed as written (unknown or already there)"));
        }
    }

    fn drop(
        &mut self,
        object_type: ObjectType,
        names_: &[ObjectName],
        if_exists: bool,
        cascade: bool,
        on_table: Option<&ObjectName>,
    ) {
        let ci = self.d().case_insensitive_names();
        for on in names_ {
            let n = self.name(on);
            match object_type {
                ObjectType::Table | ObjectType::ForeignTable => {
                    if self.table_exists(&n) {
                        self.drop_table(&n, cascade);
                        if cascade {
                            self.drop_dependent_views(&n);
                        }
                    } else if !if_exists {
                        self.note(format!("DROP TABLE of unknown table {n}"));
                    }
                }
                ObjectType::View | ObjectType::MaterializedView => {
                    let before = self.cat.views.len();
                    self.cat.views.retain(|v| !names::name_eq(ci, &v.name, &n));
                    self.cat
                        .indexes
                        .retain(|i| !names::name_eq(ci, &i.table, &n));
                    if before == self.cat.views.len() {
                        if !if_exists {
                            self.note(format!("DROP VIEW of unknown view {n}"));
                        }
                    } else if cascade {
                        self.drop_dependent_views(&n);
                    }
                }
                ObjectType::Index => {
                    let on_t = on_table.map(|t| self.name(t));
                    let mut dropped = Vec::new();
                    self.cat.indexes.retain(|i| {
                        let same_name = names::ident_eq(ci, &i.name, &n.name);
                        let scope = match &on_t {
                            Some(t) => names::name_eq(ci, &i.table, t),
                            None => {
                                names::ident_eq(ci, &i.table.schema, &n.schema) || on.0.len() == 1
                            }
                        };
                        let hit = same_name && scope && i.origin == IndexOrigin::Explicit;
                        if hit {
                            dropped.push(Name::new(i.table.schema.clone(), i.name.clone()));
                        }
                        !hit
                    });
                    if dropped.is_empty() && !if_exists {
                        self.note(format!("DROP INDEX of unknown index {n}"));
                    }
                    // Dropping a partitioned index drops its partitions' indexes.
                    for d in dropped {
                        self.drop_index_clones(&d);
                    }
                }
                ObjectType::Sequence => {
                    self.cat
                        .sequences
                        .retain(|s| !names::name_eq(ci, &s.name, &n));
                }
                ObjectType::Type => {
                    self.cat.types.retain(|t| !names::name_eq(ci, &t.name, &n));
                    // PostgreSQL: DROP TYPE ... CASCADE drops the columns of that type (and
                    // with them their indexes and constraints).
                    if cascade {
                        let uses = |t: &SqlType| {
                            t.user_type
                                .as_ref()
                                .is_some_and(|u| names::name_eq(ci, u, &n))
                                || t.element
                                    .as_ref()
                                    .and_then(|e| e.user_type.as_ref())
                                    .is_some_and(|u| names::name_eq(ci, u, &n))
                        };
                        let cols: Vec<(Name, String)> = self
                            .cat
                            .tables
                            .iter()
                            .filter(|t| t.partition_of.is_none())
                            .flat_map(|t| {
                                t.columns
                                    .iter()
                                    .filter(|c| uses(&c.data_type))
                                    .map(|c| (t.name.clone(), c.name.clone()))
                            })
                            .collect();
                        for (t, c) in cols {
                            self.drop_column(&t, &c, true);
                        }
                    }
                }
                ObjectType::Schema => {
                    let schema = self.parts(on).last().cloned().unwrap_or_default();
                    self.cat
                        .schemas
                        .retain(|s| !names::ident_eq(ci, s, &schema));
                    let in_schema = |x: &Name| names::ident_eq(ci, &x.schema, &schema);
                    let tables: Vec<Name> = self
                        .cat
                        .tables
                        .iter()
                        .filter(|t| in_schema(&t.name))
                        .map(|t| t.name.clone())
                        .collect();
                    for t in tables {
                        self.drop_table(&t, true);
                    }
                    self.cat.views.retain(|v| !in_schema(&v.name));
                    self.cat.types.retain(|v| !in_schema(&v.name));
                    self.cat.sequences.retain(|v| !in_schema(&v.name));
                    self.cat.functions.retain(|v| !in_schema(&v.name));
                }
                _ => {}
            }
        }
    }

    fn drop_table(&mut self, n: &Name, _cascade: bool) {
        let ci = self.d().case_insensitive_names();
        // Partitions of a partitioned table go with it.
        for p in self.partitions_of(n) {
            self.drop_table(&p, true);
        }
        self.cat.tables.retain(|t| !names::name_eq(ci, &t.name, n));
        self.cat
            .indexes
            .retain(|i| !names::name_eq(ci, &i.table, n));
        self.cat
            .triggers
            .retain(|t| !names::name_eq(ci, &t.table, n));
        self.cat.sequences.retain(|s| {
            !s.owned_by
                .as_ref()
                .is_some_and(|(t, _)| names::name_eq(ci, t, n))
        });
        for other in &mut self.cat.tables {
            other
                .foreign_keys
                .retain(|f| !names::name_eq(ci, &f.ref_table, n));
        }
    }

    /// `DROP ... CASCADE` (PostgreSQL): the views and materialized views that read the dropped
    /// relation are dropped too, with their indexes, and so on down the chain. (Without CASCADE
    /// PostgreSQL refuses the drop while such views exist; MySQL and SQLite have no CASCADE and
    /// leave the views behind, invalid.)
    fn drop_dependent_views(&mut self, dropped: &Name) {
        if self.d() != Dialect::Postgres {
            return;
        }
        let ci = self.d().case_insensitive_names();
        let dependents: Vec<Name> = self
            .cat
            .views
            .iter()
            .filter(|v| v.depends_on.iter().any(|d| names::name_eq(ci, d, dropped)))
            .map(|v| v.name.clone())
            .collect();
        for v in dependents {
            self.cat.views.retain(|x| !names::name_eq(ci, &x.name, &v));
            self.cat
                .indexes
                .retain(|i| !names::name_eq(ci, &i.table, &v));
            self.drop_dependent_views(&v);
        }
    }

    /// `DROP COLUMN ... CASCADE` (PostgreSQL): views that read the column go, with whatever
    /// depends on them. The model keeps view dependencies per relation, so a view counts as
    /// reading the column when it depends on the table and its definition names the column or
    /// selects `*` (which PostgreSQL expands to every column when the view is created).
    fn drop_views_reading_column(&mut self, table: &Name, col: &str) {
        if self.d() != Dialect::Postgres {
            return;
        }
        let ci = self.d().case_insensitive_names();
        let readers: Vec<Name> = self
            .cat
            .views
            .iter()
            .filter(|v| v.depends_on.iter().any(|d| names::name_eq(ci, d, table)))
            .filter(|v| {
                let def = v.definition.as_str();
                expr_mentions(def, col) || def.contains("SELECT *") || def.contains(".*")
            })
            .map(|v| v.name.clone())
            .collect();
        for v in readers {
            self.cat.views.retain(|x| !names::name_eq(ci, &x.name, &v));
            self.cat
                .indexes
                .retain(|i| !names::name_eq(ci, &i.table, &v));
            self.drop_dependent_views(&v);
        }
    }

    fn drop_trigger(&mut self, name: &str, on: Option<&Name>) {
        let ci = self.d().case_insensitive_names();
        self.cat.triggers.retain(|t| {
            !(names::ident_eq(ci, &t.name, name)
                && on.is_none_or(|o| names::name_eq(ci, &t.table, o)))
        });
    }

    /// A function is its name and argument types: CREATE OR REPLACE of one overload leaves the
    /// others alone.
    fn add_function(&mut self, f: Function) {
        let ci = self.d().case_insensitive_names();
        self.cat
            .functions
            .retain(|x| !(names::name_eq(ci, &x.name, &f.name) && x.args == f.args));
        self.cat.functions.push(f);
    }

    /// The identifying argument types of a function (OUT arguments do not count).
    fn arg_types(&self, args: &[ast::OperateFunctionArg]) -> Vec<String> {
        args.iter()
            .filter(|a| !matches!(a.mode, Some(ast::ArgMode::Out)))
            .map(|a| arg_type_key(&a.data_type, self.d()))
            .collect()
    }

    /// Argument types of a CREATE FUNCTION the parser rejected (an exotic body or option): the
    /// header up to the argument list's closing parenthesis is parsed on its own.
    fn header_arg_types(&self, text: &str) -> Vec<String> {
        let Some(open) = text.find('(') else {
            return Vec::new();
        };
        let b = text.as_bytes();
        let (mut depth, mut close) = (0i32, None);
        let mut i = open;
        while i < b.len() {
            match b[i] {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                b'\'' => {
                    i += 1;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        let Some(close) = close else {
            return Vec::new();
        };
        // Read a procedure's header as a function's: the argument list is the same.
        let head = &text[..=close];
        let head = match head.to_ascii_uppercase().find("PROCEDURE") {
            Some(k) => format!("{}FUNCTION{}", &head[..k], &head[k + 9..]),
            None => head.to_string(),
        };
        let header = format!("{head} RETURNS void LANGUAGE sql AS 'SELECT 1'");
        let pd = sqlparser::dialect::PostgreSqlDialect {};
        match sqlparser::parser::Parser::parse_sql(&pd, &header) {
            Ok(v) => match v.first() {
                Some(Statement::CreateFunction(cf)) => {
                    self.arg_types(cf.args.as_deref().unwrap_or(&[]))
                }
                _ => Vec::new(),
            },
            Err(_) => Vec::new(),
        }
    }

    fn add_trigger(&mut self, t: Trigger) {
        let ci = self.d().case_insensitive_names();
        self.cat.triggers.retain(|x| {
            !(names::ident_eq(ci, &x.name, &t.name) && names::name_eq(ci, &x.table, &t.table))
        });
        self.cat.triggers.push(t);
    }

    fn comment(&mut self, kind: ast::CommentObject, on: &ObjectName, text: Option<String>) {
        match kind {
            ast::CommentObject::Table => {
                let n = self.name(on);
                if let Some(t) = self.cat.table_mut(&n) {
                    t.comment = text;
                } else if let Some(v) = self.cat.views.iter_mut().find(|v| v.name == n) {
                    v.comment = text;
                }
            }
            ast::CommentObject::Column => {
                let mut p = self.parts(on);
                if p.len() >= 2 {
                    let col = p.pop().unwrap_or_default();
                    let tn = self.name_from_parts(p);
                    if let Some(t) = self.cat.table_mut(&tn)
                        && let Some(c) = t.column_mut(&col)
                    {
                        c.comment = text;
                    }
                }
            }
            _ => {}
        }
    }

    // ----------------------------------------------------------------------------------------
    // Naming

    /// PostgreSQL's `ChooseConstraintName`: unique among the constraints of the whole schema
    /// (`ConstraintNameExists` looks the name up by namespace, not by table).
    fn pg_constraint_name(&self, table: &Name, cols: &str, label: &str) -> String {
        let schema = &table.schema;
        let taken = |n: &str| {
            self.cat
                .tables
                .iter()
                .filter(|t| &t.name.schema == schema)
                .any(|t| {
                    t.primary_key
                        .iter()
                        .chain(t.uniques.iter())
                        .any(|k| k.name == n)
                        || t.foreign_keys.iter().any(|f| f.name == n)
                        || t.checks.iter().any(|c| c.name == n)
                })
        };
        let col = (!cols.is_empty()).then_some(cols);
        names::pg_choose_name(&table.name, col, label, taken)
    }

    /// Whether a view, index or sequence already has this relation name (PostgreSQL).
    fn pg_relation_taken(&self, n: &Name) -> bool {
        self.cat
            .indexes
            .iter()
            .any(|i| i.table.schema == n.schema && i.name == n.name)
            || self.cat.sequences.iter().any(|s| s.name == *n)
            || self.cat.views.iter().any(|v| v.name == *n)
    }

    /// Names of relations (tables, indexes, sequences, views) share one namespace per schema.
    fn pg_unique_relation_name(&self, table: &Name, cols: &str, label: &str) -> String {
        let schema = &table.schema;
        let taken = |n: &str| {
            self.cat
                .indexes
                .iter()
                .any(|i| &i.table.schema == schema && i.name == n)
                || self
                    .cat
                    .tables
                    .iter()
                    .any(|t| &t.name.schema == schema && t.name.name == n)
                || self
                    .cat
                    .sequences
                    .iter()
                    .any(|s| &s.name.schema == schema && s.name.name == n)
                || self
                    .cat
                    .views
                    .iter()
                    .any(|v| &v.name.schema == schema && v.name.name == n)
        };
        let col = (!cols.is_empty()).then_some(cols);
        names::pg_choose_name(&table.name, col, label, taken)
    }

    fn mysql_index_name(&self, table: &Name, first_col: &str) -> String {
        let taken = |n: &str| {
            self.cat
                .indexes_of(table)
                .any(|i| i.name.eq_ignore_ascii_case(n))
        };
        if !taken(first_col) {
            return first_col.to_string();
        }
        (2..)
            .map(|k| format!("{first_col}_{k}"))
            .find(|n| !taken(n))
            .unwrap_or_else(|| first_col.to_string())
    }

    fn sqlite_autoindex_name(&self, table: &Name) -> String {
        let n = self
            .cat
            .indexes_of(table)
            .filter(|i| i.name.starts_with("sqlite_autoindex_"))
            .count();
        format!("sqlite_autoindex_{}_{}", table.name, n + 1)
    }
}

// --------------------------------------------------------------------------------------------
// Helpers

fn new_table(name: Name, kind: TableKind, columns: Vec<Column>, span: Option<Span>) -> Table {
    Table {
        name,
        kind,
        columns,
        primary_key: None,
        uniques: Vec::new(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        partition_by: None,
        partition_of: None,
        inherits: Vec::new(),
        without_rowid: false,
        options: Vec::new(),
        comment: None,
        span,
    }
}

fn plain_key(c: &str) -> IndexKey {
    IndexKey {
        expr: c.to_string(),
        column: Some(c.to_string()),
        descending: false,
        opclass: None,
        prefix_length: None,
        label: None,
    }
}

fn text_type() -> SqlType {
    SqlType {
        raw: String::new(),
        name: "text".into(),
        family: TypeFamily::Text,
        length: None,
        precision: None,
        scale: None,
        int_bytes: None,
        unsigned: false,
        with_time_zone: false,
        element: None,
        enum_values: Vec::new(),
        user_type: None,
    }
}

fn unknown_type() -> SqlType {
    SqlType {
        name: "unknown".into(),
        family: TypeFamily::Other,
        ..text_type()
    }
}

/// SQLite's rowid alias: a column whose declared type is exactly INTEGER.
fn is_rowid_alias_type(c: &Column) -> bool {
    c.data_type.raw.eq_ignore_ascii_case("integer")
}

fn index_column_name(b: &Builder, ic: &ast::IndexColumn) -> String {
    match &ic.column.expr {
        Expr::Identifier(i) => b.ident(i),
        Expr::CompoundIdentifier(ids) => ids.last().map(|i| b.ident(i)).unwrap_or_default(),
        e => e.to_string(),
    }
}

fn characteristics(c: Option<&ast::ConstraintCharacteristics>) -> (bool, bool) {
    match c {
        Some(c) => (
            c.deferrable == Some(true),
            matches!(c.initially, Some(ast::DeferrableInitial::Deferred)),
        ),
        None => (false, false),
    }
}

fn comment_text(c: &ast::CommentDef) -> String {
    match c {
        ast::CommentDef::WithEq(s) | ast::CommentDef::WithoutEq(s) => s.clone(),
    }
}

fn table_options(o: &ast::CreateTableOptions) -> Vec<(String, String)> {
    let list: &[ast::SqlOption] = match o {
        ast::CreateTableOptions::With(v)
        | ast::CreateTableOptions::Options(v)
        | ast::CreateTableOptions::Plain(v)
        | ast::CreateTableOptions::TableProperties(v) => v,
        _ => &[],
    };
    list.iter()
        .map(|opt| {
            let s = opt.to_string();
            match s.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
                None => match s.split_once(' ') {
                    Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
                    None => (s, String::new()),
                },
            }
        })
        .collect()
}

/// PostgreSQL's `ChooseIndexColumnNames` + `ChooseIndexNameAddition`: the index's column names
/// (expression keys by their label), made distinct by appending digits (`a`, `a1`), joined by `_`.
fn pg_index_colnames(keys: &[IndexKey]) -> String {
    let mut out: Vec<String> = Vec::new();
    for k in keys {
        let orig = k
            .column
            .clone()
            .or_else(|| k.label.clone())
            .unwrap_or_else(|| "expr".into());
        let mut cand = orig.clone();
        let mut suffix = 1;
        while out.contains(&cand) {
            cand = format!("{orig}{suffix}");
            suffix += 1;
        }
        out.push(cand);
    }
    out.join("_")
}

/// PostgreSQL's `FigureColnameInternal`, used for expression keys of an index: the name and its
/// strength (2: a column or function name; 1: a type name or `case`), or `None` (`expr`).
fn pg_figure_colname(b: &Builder, e: &Expr) -> Option<(String, u8)> {
    let strong = |s: &str| Some((s.to_string(), 2));
    match e {
        Expr::Identifier(i) => Some((b.ident(i), 2)),
        Expr::CompoundIdentifier(ids) => ids.last().map(|i| (b.ident(i), 2)),
        Expr::Nested(x) | Expr::Collate { expr: x, .. } => pg_figure_colname(b, x),
        Expr::Function(f) => match f.name.0.last() {
            Some(ast::ObjectNamePart::Identifier(i)) => Some((b.ident(i), 2)),
            _ => None,
        },
        Expr::Cast {
            expr, data_type, ..
        } => match pg_figure_colname(b, expr) {
            Some((n, 2)) => Some((n, 2)),
            _ => Some((pg_type_label(data_type), 1)),
        },
        Expr::TypedString(ts) => Some((pg_type_label(&ts.data_type), 1)),
        Expr::Case { else_result, .. } => {
            match else_result.as_deref().and_then(|x| pg_figure_colname(b, x)) {
                Some((n, 2)) => Some((n, 2)),
                _ => Some(("case".into(), 1)),
            }
        }
        Expr::Array(_) => strong("array"),
        Expr::Tuple(_) => strong("row"),
        Expr::Exists { .. } => strong("exists"),
        Expr::Extract { .. } => strong("extract"),
        Expr::Substring { .. } => strong("substring"),
        Expr::Position { .. } => strong("position"),
        Expr::Overlay { .. } => strong("overlay"),
        Expr::AtTimeZone { .. } => strong("timezone"),
        Expr::Ceil { .. } => strong("ceil"),
        Expr::Floor { .. } => strong("floor"),
        Expr::Trim { trim_where, .. } => match trim_where {
            Some(ast::TrimWhereField::Leading) => strong("ltrim"),
            Some(ast::TrimWhereField::Trailing) => strong("rtrim"),
            _ => strong("btrim"),
        },
        _ => None,
    }
}

/// The last name of a type as PostgreSQL's grammar records it (`int` → `int4`, `boolean` →
/// `bool`, `timestamp with time zone` → `timestamptz`, `public.mood` → `mood`).
fn pg_type_label(dt: &ast::DataType) -> String {
    let mut text = dt.to_string().to_ascii_lowercase();
    if let Some(i) = text.find(['(', '[']) {
        text.truncate(i);
    }
    let text = text.trim();
    let last = text.rsplit('.').next().unwrap_or(text).trim_matches('"');
    match last {
        "int" | "integer" | "int4" => "int4",
        "bigint" | "int8" => "int8",
        "smallint" | "int2" => "int2",
        "real" | "float4" => "float4",
        "double precision" | "float" | "float8" => "float8",
        "boolean" | "bool" => "bool",
        "decimal" | "dec" | "numeric" => "numeric",
        "character varying" | "varchar" => "varchar",
        "character" | "char" | "bpchar" => "bpchar",
        "timestamp with time zone" | "timestamptz" => "timestamptz",
        "timestamp without time zone" | "timestamp" => "timestamp",
        "time with time zone" | "timetz" => "timetz",
        "time without time zone" | "time" => "time",
        other => other,
    }
    .to_string()
}

/// The default PostgreSQL shows for a column drawing from `seq` (qualified outside `public`).
fn nextval_default(seq: &Name) -> String {
    // Mixed-case or unusual names are quoted, as PostgreSQL shows them (`'s."Orders_Id_seq"'`).
    let qi = |x: &str| crate::design::naming::quote(crate::sql::Dialect::Postgres, x);
    let qualified = if seq.schema == "public" {
        qi(&seq.name)
    } else {
        format!("{}.{}", qi(&seq.schema), qi(&seq.name))
    };
    format!("nextval('{}'::regclass)", qualified.replace('\'', "''"))
}

/// Whether a column definition declares `GENERATED ... AS IDENTITY`.
fn is_identity_def(def: &ast::ColumnDef) -> bool {
    def.options.iter().any(|o| {
        matches!(
            &o.option,
            ColumnOption::Generated {
                generation_expr: None,
                ..
            }
        )
    })
}

/// `nextval('public.x_seq'::regclass)` → `public.x_seq`.
fn nextval_sequence(default: &str) -> Option<String> {
    let lower = default.to_ascii_lowercase();
    let pos = lower.find("nextval(")?;
    let rest = &default[pos + 8..];
    let start = rest.find('\'')? + 1;
    let end = start + rest[start..].find('\'')?;
    Some(rest[start..end].to_string())
}

/// The name PostgreSQL gives an unnamed domain CHECK: `<domain>_check`, then `_check1` ...
fn domain_check_name(domain: &str, taken: &[DomainCheck]) -> String {
    let base = format!("{domain}_check");
    let mut n = 0;
    loop {
        let cand = if n == 0 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        if !taken.iter().any(|c| c.name == cand) {
            return cand;
        }
        n += 1;
    }
}

/// A function argument's type as it identifies the function: normalised, type modifiers
/// dropped (PostgreSQL ignores them in signatures), arrays as `element[]`.
pub(crate) fn arg_type_key(dt: &ast::DataType, d: Dialect) -> String {
    let t = normalize(dt, d);
    if t.name == "geometric" {
        return dt.to_string().to_ascii_lowercase();
    }
    t.name
}

fn split_dotted(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in s.chars() {
        match ch {
            '"' | '`' => {
                quoted = !quoted;
                cur.push(ch);
            }
            '.' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    out.push(cur);
    out
}

/// Whether an expression's text mentions an identifier (for index expressions and predicates).
fn expr_mentions(expr: &str, col: &str) -> bool {
    let lower = expr.to_ascii_lowercase();
    let c = col.to_ascii_lowercase();
    lower
        .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
        .any(|w| w == c)
}

/// Columns an expression reads (identifiers, last part of compound identifiers).
fn expr_columns(b: &Builder, e: &Expr) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let _ = ast::visit_expressions(e, |x: &Expr| {
        let name = match x {
            Expr::Identifier(i) => Some(b.ident(i)),
            Expr::CompoundIdentifier(ids) => ids.last().map(|i| b.ident(i)),
            _ => None,
        };
        if let Some(n) = name
            && !out.contains(&n)
        {
            out.push(n);
        }
        ControlFlow::<()>::Continue(())
    });
    out
}

fn collect_cte_names(q: &ast::Query, out: &mut Vec<String>) {
    let _ = ast::visit_statements(q, |_s: &Statement| ControlFlow::<()>::Continue(()));
    struct V<'a>(&'a mut Vec<String>);
    impl ast::Visitor for V<'_> {
        type Break = ();
        fn pre_visit_query(&mut self, q: &ast::Query) -> ControlFlow<()> {
            if let Some(w) = &q.with {
                for c in &w.cte_tables {
                    self.0.push(c.alias.name.value.clone());
                }
            }
            ControlFlow::Continue(())
        }
    }
    let _ = ast::Visit::visit(q, &mut V(out));
}

fn map_ident_span(stmt_span: &Span, id: &ast::Ident) -> Span {
    let s = id.span;
    if s.start.line == 0 {
        return stmt_span.clone();
    }
    let map = |line: u64, col: u64| {
        if line <= 1 {
            crate::findings::LineCol {
                line: stmt_span.start.line,
                column: stmt_span.start.column + col.saturating_sub(1),
            }
        } else {
            crate::findings::LineCol {
                line: stmt_span.start.line + line - 1,
                column: col,
            }
        }
    };
    Span {
        file: stmt_span.file.clone(),
        start: map(s.start.line, s.start.column),
        end: map(s.end.line, s.end.column),
    }
}

#[cfg(test)]
mod tests {
    //! One test per engine rule the builder follows. Each rule is also checked against the real
    //! engine by the scripts in `tests/catalog_engines.rs`; these pin the model side without a
    //! server.

    use super::*;
    use crate::catalog::from_sql;
    use crate::sql::DialectChoice;

    fn pg(sql: &str) -> Catalog {
        from_sql(sql, DialectChoice::Postgres).expect("builds")
    }
    fn my(sql: &str) -> Catalog {
        from_sql(sql, DialectChoice::Mysql).expect("builds")
    }
    fn lite(sql: &str) -> Catalog {
        from_sql(sql, DialectChoice::Sqlite).expect("builds")
    }
    fn indexes(cat: &Catalog, table: &str) -> Vec<String> {
        let t = cat.find_table(table).expect("table").name.clone();
        let mut v: Vec<String> = cat.indexes_of(&t).map(|i| i.name.clone()).collect();
        v.sort();
        v
    }
    fn table<'a>(cat: &'a Catalog, name: &str) -> &'a Table {
        cat.find_table(name).expect("table")
    }
    fn no_notes(cat: &Catalog) {
        assert!(cat.notes.is_empty(), "notes: {:?}", cat.notes);
    }

    #[test]
    fn pg_default_names() {
        let c = pg("CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE);
             CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p, code text REFERENCES p (code));
             CREATE INDEX ON c (p_id);
             CREATE INDEX ON c (p_id);
             CREATE TABLE c_code_idx (x int);
             CREATE INDEX ON c (code);
             ALTER TABLE c ADD UNIQUE (p_id, code);");
        no_notes(&c);
        assert_eq!(indexes(&c, "p"), ["p_code_key", "p_pkey"]);
        // Index names skip taken relation names (the table c_code_idx) by numbering.
        assert_eq!(
            indexes(&c, "c"),
            [
                "c_code_idx1",
                "c_p_id_code_key",
                "c_p_id_idx",
                "c_p_id_idx1",
                "c_pkey"
            ]
        );
        let fks: Vec<&str> = table(&c, "c")
            .foreign_keys
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(fks, ["c_p_id_fkey", "c_code_fkey"]);
    }

    #[test]
    fn pg_constraint_names_are_unique_per_schema() {
        // ChooseConstraintName looks names up in the whole schema, not the table.
        let c = pg("CREATE TABLE a (x int, CONSTRAINT b_x_check CHECK (x > 0));
             CREATE TABLE b (x int CHECK (x > 0));");
        assert_eq!(table(&c, "b").checks[0].name, "b_x_check1");
    }

    #[test]
    fn pg_identical_keys_of_one_statement_merge() {
        let c = pg("CREATE TABLE t (a int PRIMARY KEY UNIQUE, b int UNIQUE, c int, UNIQUE (b), UNIQUE (c), CONSTRAINT named_c UNIQUE (c));
             ALTER TABLE t ADD UNIQUE (a);");
        no_notes(&c);
        let t = table(&c, "t");
        let u: Vec<&str> = t.uniques.iter().map(|k| k.name.as_str()).collect();
        // (a) merges into the key; (b) twice is one; unnamed (c) takes the name of the named
        // duplicate; a later statement's UNIQUE (a) is a constraint of its own.
        assert_eq!(u, ["t_b_key", "named_c", "t_a_key"]);
        assert_eq!(
            indexes(&c, "t"),
            ["named_c", "t_a_key", "t_b_key", "t_pkey"]
        );
    }

    #[test]
    fn pg_expression_index_names() {
        let c = pg("CREATE TABLE t (a text, b text, n int);
             CREATE INDEX ON t (lower(a));
             CREATE INDEX ON t ((n + 1));
             CREATE INDEX ON t (lower(a), lower(b));
             CREATE INDEX ON t (((a || b)::varchar));
             CREATE INDEX ON t ((n::int));
             CREATE INDEX ON t ((CASE WHEN n > 0 THEN a END));
             CREATE INDEX ON t ((a || 'x'));
             CREATE INDEX ON t ((coalesce(a, b)));
             CREATE INDEX ON t (a, a);");
        no_notes(&c);
        assert_eq!(
            indexes(&c, "t"),
            [
                "t_a_a1_idx",
                "t_case_idx",
                "t_coalesce_idx",
                "t_expr_idx",
                "t_expr_idx1",
                "t_lower_idx",
                "t_lower_lower1_idx",
                "t_n_idx",
                "t_varchar_idx"
            ]
        );
    }

    #[test]
    fn pg_expressions_that_are_only_a_column_index_the_column() {
        let c = pg("CREATE TABLE t (a int, s text);
             CREATE INDEX i1 ON t ((a));
             CREATE INDEX i2 ON t (s COLLATE \"C\");
             CREATE INDEX i3 ON t ((a::int));
             CREATE INDEX i4 ON t ((a::bigint));");
        let cols: Vec<Option<&str>> = c
            .indexes
            .iter()
            .map(|i| i.keys[0].column.as_deref())
            .collect();
        assert_eq!(cols, [Some("a"), Some("s"), Some("a"), None]);
        assert_eq!(c.indexes[3].keys[0].label.as_deref(), Some("a"));
    }

    #[test]
    fn pg_identifiers_are_truncated_to_63_bytes() {
        let long = format!("idx_{}", "x".repeat(70));
        let c = pg(&format!(
            "CREATE TABLE t (a int); CREATE INDEX {long} ON t (a); DROP INDEX {};",
            &long[..63]
        ));
        no_notes(&c);
        assert!(c.indexes.is_empty());
    }

    #[test]
    fn pg_renaming_a_key_index_renames_the_constraint() {
        let c = pg("CREATE TABLE user_ (id int PRIMARY KEY, email text UNIQUE);
             ALTER TABLE user_ RENAME TO person;
             ALTER INDEX user__pkey RENAME TO person_pkey;
             ALTER TABLE person RENAME CONSTRAINT user__email_key TO person_email_key;
             ALTER TABLE person DROP CONSTRAINT person_pkey;");
        no_notes(&c);
        let t = table(&c, "person");
        assert!(t.primary_key.is_none());
        assert_eq!(t.uniques[0].name, "person_email_key");
        assert_eq!(indexes(&c, "person"), ["person_email_key"]);
    }

    #[test]
    fn pg_identity_and_serial_sequences() {
        let c = pg("CREATE SEQUENCE c_id_seq;
             CREATE TABLE c (id serial);
             CREATE TABLE a (id int GENERATED ALWAYS AS IDENTITY, n int);
             ALTER TABLE a ADD COLUMN m bigint GENERATED BY DEFAULT AS IDENTITY;
             CREATE TABLE b (id int NOT NULL);
             ALTER TABLE b ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME public.b_custom START WITH 1);
             ALTER SEQUENCE c_id_seq1 RENAME TO c_serial;");
        no_notes(&c);
        let mut seqs: Vec<&str> = c.sequences.iter().map(|s| s.name.name.as_str()).collect();
        seqs.sort();
        assert_eq!(
            seqs,
            ["a_id_seq", "a_m_seq", "b_custom", "c_id_seq", "c_serial"]
        );
        let col = table(&c, "c").column("id").expect("id");
        assert_eq!(
            col.default.as_deref(),
            Some("nextval('c_serial'::regclass)")
        );
    }

    #[test]
    fn pg_partitions_clone_keys_and_indexes() {
        let c = pg("CREATE TABLE r (id int PRIMARY KEY);
             CREATE TABLE m (id int, at date, r_id int REFERENCES r, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
             CREATE INDEX m_r ON m (r_id);
             CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
             CREATE TABLE m2 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
             ALTER TABLE m ADD UNIQUE (r_id, at);
             DROP INDEX m_r;
             ALTER TABLE m DETACH PARTITION m2;");
        no_notes(&c);
        let m1 = table(&c, "m1");
        assert_eq!(
            m1.primary_key.as_ref().map(|k| k.name.as_str()),
            Some("m1_pkey")
        );
        assert_eq!(m1.uniques[0].name, "m1_r_id_at_key");
        assert_eq!(m1.foreign_keys.len(), 1);
        // Dropping the partitioned index dropped its clones.
        assert_eq!(indexes(&c, "m1"), ["m1_pkey", "m1_r_id_at_key"]);
        // A detached partition keeps what it had, as its own.
        let m2 = table(&c, "m2");
        assert!(m2.partition_of.is_none() && m2.foreign_keys[0].inherited_from.is_none());
        assert_eq!(indexes(&c, "m2"), ["m2_pkey", "m2_r_id_at_key"]);
    }

    #[test]
    fn pg_materialized_view_indexes_and_cascade() {
        let c = pg("CREATE TABLE t (id int, v int);
             CREATE VIEW tv AS SELECT id, v FROM t;
             CREATE MATERIALIZED VIEW tm AS SELECT id FROM tv;
             CREATE UNIQUE INDEX tm_id ON tm (id);
             ALTER MATERIALIZED VIEW tm RENAME TO tm2;");
        no_notes(&c);
        assert_eq!(c.indexes[0].table.name, "tm2");
        let c2 = pg("CREATE TABLE t (id int);
             CREATE VIEW tv AS SELECT id FROM t;
             CREATE MATERIALIZED VIEW tm AS SELECT id FROM tv;
             CREATE INDEX ON tm (id);
             DROP TABLE t CASCADE;");
        assert!(c2.views.is_empty() && c2.indexes.is_empty());
    }

    #[test]
    fn pg_using_index_and_exclude() {
        let c = pg("CREATE TABLE t (id int NOT NULL, a int, r int4range);
             CREATE UNIQUE INDEX t_id_uidx ON t (id);
             ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY USING INDEX t_id_uidx;
             CREATE UNIQUE INDEX t_a_uidx ON t (a);
             ALTER TABLE t ADD UNIQUE USING INDEX t_a_uidx;
             ALTER TABLE t ADD EXCLUDE USING gist (r WITH &&);");
        no_notes(&c);
        let t = table(&c, "t");
        assert_eq!(
            t.primary_key.as_ref().map(|k| k.name.as_str()),
            Some("t_pk")
        );
        assert_eq!(t.uniques[0].name, "t_a_uidx");
        assert_eq!(indexes(&c, "t"), ["t_a_uidx", "t_pk", "t_r_excl"]);
        let c = pg(&format!(
            "{}\nALTER TABLE t DROP CONSTRAINT t_r_excl;",
            "CREATE TABLE t (r int4range, EXCLUDE USING gist (r WITH &&));"
        ));
        no_notes(&c);
        assert!(c.indexes.is_empty());
    }

    #[test]
    fn pg_like_including() {
        let c = pg("CREATE TABLE base (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code text UNIQUE, v int DEFAULT 1 CHECK (v > 0));
             CREATE INDEX base_v ON base (v);
             CREATE TABLE plain (LIKE base);
             CREATE TABLE everything (LIKE base INCLUDING ALL);
             CREATE TABLE some (a int, LIKE base INCLUDING INDEXES, extra int);");
        no_notes(&c);
        let plain = table(&c, "plain");
        assert!(plain.primary_key.is_none() && plain.checks.is_empty());
        assert!(plain.column("v").is_some_and(|c| c.default.is_none()));
        assert!(
            plain
                .column("id")
                .is_some_and(|c| !c.nullable && c.identity.is_none())
        );
        assert_eq!(
            indexes(&c, "everything"),
            ["everything_code_key", "everything_pkey", "everything_v_idx"]
        );
        assert_eq!(table(&c, "everything").checks.len(), 1);
        assert!(
            c.sequences
                .iter()
                .any(|s| s.name.name == "everything_id_seq")
        );
        let cols: Vec<&str> = table(&c, "some")
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(cols, ["a", "id", "code", "v", "extra"]);
        assert_eq!(indexes(&c, "some").len(), 3);
    }

    #[test]
    fn pg_ctas_and_select_into_columns() {
        let c = pg("CREATE TABLE src (id int PRIMARY KEY, a text);
             CREATE TABLE c1 AS SELECT * FROM src;
             CREATE TABLE c2 AS SELECT s.*, count(*), max(a), a || 'x', NULL::int AS n FROM src s GROUP BY s.id;
             SELECT id AS \"Id\" INTO c3 FROM src;");
        no_notes(&c);
        let names = |t: &str| -> Vec<String> {
            table(&c, t)
                .columns
                .iter()
                .map(|c| c.name.clone())
                .collect()
        };
        assert_eq!(names("c1"), ["id", "a"]);
        assert_eq!(names("c2"), ["id", "a", "count", "max", "?column?", "n"]);
        assert_eq!(names("c3"), ["Id"]);
        // No constraint is copied: even the key column is nullable.
        assert!(table(&c, "c1").column("id").is_some_and(|c| c.nullable));
    }

    #[test]
    fn pg_drop_type_cascade_drops_its_columns() {
        let c = pg("CREATE TYPE mood AS ENUM ('a');
             CREATE TABLE t (id int, m mood, ms mood[]);
             CREATE INDEX ON t (m);
             DROP TYPE mood CASCADE;");
        no_notes(&c);
        assert_eq!(table(&c, "t").columns.len(), 1);
        assert!(c.indexes.is_empty());
    }

    #[test]
    fn pg_set_schema_moves_table_indexes_and_owned_sequences() {
        let c = pg("CREATE SCHEMA s;
             CREATE TABLE t (id serial PRIMARY KEY);
             ALTER TABLE t SET SCHEMA s;");
        no_notes(&c);
        assert_eq!(table(&c, "s.t").name.schema, "s");
        assert_eq!(c.indexes[0].table, Name::new("s", "t"));
        assert_eq!(c.sequences[0].name, Name::new("s", "t_id_seq"));
    }

    #[test]
    fn pg_quoted_names_in_recognised_statements_keep_their_case() {
        let c = pg("CREATE TABLE \"User\" (\"Id\" int NOT NULL);
             CREATE SEQUENCE \"User_Id_seq\";
             ALTER SEQUENCE public.\"User_Id_seq\" OWNED BY public.\"User\".\"Id\";");
        no_notes(&c);
        let s = &c.sequences[0];
        assert_eq!(s.name.name, "User_Id_seq");
        assert_eq!(
            s.owned_by,
            Some((Name::new("public", "User"), "Id".to_string()))
        );
    }

    #[test]
    fn pg_cascades_of_dropped_keys_and_columns() {
        let c = pg("CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE);
             CREATE TABLE c (id int, code text REFERENCES p (code), p_id int REFERENCES p, v int);
             CREATE VIEW by_v AS SELECT id, v FROM c;
             CREATE VIEW all_c AS SELECT * FROM c;
             CREATE VIEW ids AS SELECT id FROM c;
             ALTER TABLE p DROP CONSTRAINT p_code_key CASCADE;
             ALTER TABLE c DROP COLUMN v CASCADE;
             DROP INDEX CONCURRENTLY IF EXISTS nothing_here;");
        no_notes(&c);
        let fks: Vec<&str> = table(&c, "c")
            .foreign_keys
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(fks, ["c_p_id_fkey"]);
        let views: Vec<&str> = c.views.iter().map(|v| v.name.name.as_str()).collect();
        assert_eq!(views, ["ids"]);
    }

    #[test]
    fn mysql_rename_index() {
        let c = my(
            "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, KEY ka (a), UNIQUE KEY ub (b));
             ALTER TABLE t RENAME INDEX ka TO ka2;
             ALTER TABLE t RENAME KEY ub TO ub2;",
        );
        no_notes(&c);
        assert_eq!(indexes(&c, "t"), ["PRIMARY", "ka2", "ub2"]);
        assert_eq!(table(&c, "t").uniques[0].name, "ub2");
    }

    #[test]
    fn mysql_foreign_key_indexes() {
        let c = my("CREATE TABLE p (id INT PRIMARY KEY, a INT, b INT, KEY (a, b));
             CREATE TABLE c1 (id INT PRIMARY KEY, p_id INT, FOREIGN KEY (p_id) REFERENCES p (id));
             CREATE TABLE c2 (id INT PRIMARY KEY, p_id INT, CONSTRAINT fk_c2 FOREIGN KEY (p_id) REFERENCES p (id));
             CREATE TABLE c3 (id INT PRIMARY KEY, p_id INT, x INT, KEY k3 (p_id, x), FOREIGN KEY (p_id) REFERENCES p (id));
             CREATE TABLE c4 (id INT PRIMARY KEY, p_id INT, y INT, FOREIGN KEY (p_id) REFERENCES p (id));
             ALTER TABLE c4 ADD INDEX k4 (p_id, y);
             CREATE TABLE c5 (id INT PRIMARY KEY, p_id INT, FOREIGN KEY k5 (p_id) REFERENCES p (id));");
        no_notes(&c);
        // Unnamed: an index named after the column; named: after the constraint; an index that
        // starts with the columns is used instead; one added later replaces the implicit index.
        assert_eq!(indexes(&c, "c1"), ["PRIMARY", "p_id"]);
        assert_eq!(indexes(&c, "c2"), ["PRIMARY", "fk_c2"]);
        assert_eq!(indexes(&c, "c3"), ["PRIMARY", "k3"]);
        assert_eq!(indexes(&c, "c4"), ["PRIMARY", "k4"]);
        assert_eq!(table(&c, "c1").foreign_keys[0].name, "c1_ibfk_1");
        // MariaDB names an unnamed constraint after FOREIGN KEY's index name.
        assert_eq!(table(&c, "c5").foreign_keys[0].name, "k5");
        assert_eq!(indexes(&c, "c5"), ["PRIMARY", "k5"]);
    }

    #[test]
    fn mysql_ibfk_numbers_continue_from_the_highest() {
        let c = my("CREATE TABLE p (id INT PRIMARY KEY);
             CREATE TABLE c (a INT, b INT, FOREIGN KEY (a) REFERENCES p (id), FOREIGN KEY (b) REFERENCES p (id));
             ALTER TABLE c DROP FOREIGN KEY c_ibfk_1;
             ALTER TABLE c ADD FOREIGN KEY (a) REFERENCES p (id);");
        no_notes(&c);
        let names: Vec<&str> = table(&c, "c")
            .foreign_keys
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(names, ["c_ibfk_2", "c_ibfk_3"]);
    }

    #[test]
    fn mysql_like_copies_keys_and_indexes_not_foreign_keys() {
        let c = my("CREATE TABLE p (id INT PRIMARY KEY);
             CREATE TABLE a (id INT PRIMARY KEY, code VARCHAR(9) UNIQUE, p_id INT, KEY kv (code, id), FOREIGN KEY (p_id) REFERENCES p (id));
             CREATE TABLE b LIKE a;
             CREATE TABLE f AS SELECT id, code FROM a;");
        no_notes(&c);
        assert_eq!(indexes(&c, "b"), indexes(&c, "a"));
        assert!(table(&c, "b").foreign_keys.is_empty());
        // CREATE TABLE AS keeps a plain column's NOT NULL in MySQL.
        assert!(table(&c, "f").column("id").is_some_and(|c| !c.nullable));
    }

    #[test]
    fn sqlite_rowid_alias() {
        let c = lite(
            "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);
             CREATE TABLE b (id INT PRIMARY KEY);
             CREATE TABLE d (id INTEGER PRIMARY KEY DESC);
             CREATE TABLE e (id INTEGER, PRIMARY KEY (id DESC));
             CREATE TABLE w (a INTEGER, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;
             CREATE TABLE n (a INTEGER, b INTEGER, PRIMARY KEY (a, b));",
        );
        no_notes(&c);
        // INTEGER PRIMARY KEY is the rowid: no index, never NULL.
        assert!(indexes(&c, "a").is_empty());
        assert!(table(&c, "a").column("id").is_some_and(|c| !c.nullable));
        assert_eq!(indexes(&c, "b"), ["sqlite_autoindex_b_1"]);
        // The column form with DESC is not an alias (a documented quirk); the table form is.
        assert_eq!(indexes(&c, "d"), ["sqlite_autoindex_d_1"]);
        assert!(indexes(&c, "e").is_empty());
        // WITHOUT ROWID keys are NOT NULL; other composite keys may hold NULL.
        assert!(table(&c, "w").columns.iter().all(|c| !c.nullable));
        assert!(table(&c, "n").columns.iter().all(|c| c.nullable));
    }

    #[test]
    fn sqlite_autoindexes_in_declaration_order() {
        let c = lite(
            "CREATE TABLE h (x TEXT UNIQUE, id TEXT PRIMARY KEY, y TEXT, UNIQUE (y), UNIQUE (id));
             CREATE TABLE k (id TEXT UNIQUE PRIMARY KEY);
             CREATE TABLE j (id INTEGER UNIQUE PRIMARY KEY);
             ALTER TABLE h RENAME TO hh;",
        );
        no_notes(&c);
        let hh = |n: &str| {
            c.indexes
                .iter()
                .find(|i| i.name == n)
                .map(|i| (i.origin, i.keys[0].expr.clone()))
        };
        assert_eq!(
            hh("sqlite_autoindex_hh_1"),
            Some((IndexOrigin::Unique, "x".into()))
        );
        assert_eq!(
            hh("sqlite_autoindex_hh_2"),
            Some((IndexOrigin::PrimaryKey, "id".into()))
        );
        assert_eq!(
            hh("sqlite_autoindex_hh_3"),
            Some((IndexOrigin::Unique, "y".into()))
        );
        // UNIQUE (id) merged into the key's index: no constraint of its own.
        assert_eq!(table(&c, "hh").uniques.len(), 2);
        // A PRIMARY KEY after an identical UNIQUE takes that UNIQUE's index over.
        assert_eq!(
            hh("sqlite_autoindex_k_1"),
            Some((IndexOrigin::PrimaryKey, "id".into()))
        );
        assert!(table(&c, "k").uniques.is_empty());
        // The rowid alias has no index, so a UNIQUE on it gets one.
        assert_eq!(
            hh("sqlite_autoindex_j_1"),
            Some((IndexOrigin::Unique, "id".into()))
        );
    }

    #[test]
    fn identity_set_generated_and_drop_identity_replay() {
        let c = pg("CREATE TABLE q (id bigint PRIMARY KEY, n bigint GENERATED ALWAYS AS IDENTITY, m bigint NOT NULL, k int);
            ALTER TABLE q ALTER COLUMN n SET GENERATED BY DEFAULT;
            ALTER TABLE q ALTER COLUMN m ADD GENERATED ALWAYS AS IDENTITY;");
        assert!(c.notes.is_empty(), "{:?}", c.notes);
        let t = c.find_table("q").unwrap();
        assert_eq!(t.column("n").unwrap().identity, Some(Identity::ByDefault));
        assert_eq!(t.column("m").unwrap().identity, Some(Identity::Always));
        assert_eq!(c.sequences.len(), 2);
        let c = pg(
            "CREATE TABLE q (id bigint PRIMARY KEY, n bigint GENERATED ALWAYS AS IDENTITY, k int);
            ALTER TABLE q ALTER COLUMN n DROP IDENTITY;
            ALTER TABLE q ALTER COLUMN k DROP IDENTITY IF EXISTS;",
        );
        let t = c.find_table("q").unwrap();
        let n = t.column("n").unwrap();
        assert!(n.identity.is_none() && !n.nullable && !n.auto_increment);
        // Read as SET NOT NULL, but a plain column stays nullable.
        assert!(t.column("k").unwrap().nullable);
        assert!(c.sequences.is_empty(), "{:?}", c.sequences);
    }

    #[test]
    fn domains_name_checks_and_replay_alter_domain() {
        let c = pg(
            "CREATE DOMAIN pos AS int DEFAULT 1 NOT NULL CHECK (VALUE > 0) CHECK (VALUE < 100);
            ALTER DOMAIN pos ADD CHECK (VALUE <> 7) NOT VALID;
            ALTER DOMAIN pos ADD CONSTRAINT small CHECK (VALUE < 50) NOT VALID;
            ALTER DOMAIN pos VALIDATE CONSTRAINT small;
            ALTER DOMAIN pos DROP CONSTRAINT pos_check1;
            ALTER DOMAIN pos DROP DEFAULT;
            ALTER DOMAIN pos DROP NOT NULL;
            CREATE DOMAIN nn AS text NOT NULL;",
        );
        assert!(c.notes.is_empty(), "{:?}", c.notes);
        let UserTypeKind::Domain {
            not_null,
            default,
            checks,
            ..
        } = &c.types[0].kind
        else {
            panic!("domain");
        };
        assert!(!not_null);
        assert_eq!(default, &None);
        let got: Vec<(&str, bool)> = checks
            .iter()
            .map(|c| (c.name.as_str(), c.not_valid))
            .collect();
        assert_eq!(
            got,
            vec![("pos_check", false), ("pos_check2", true), ("small", false)]
        );
        assert!(matches!(
            c.types[1].kind,
            UserTypeKind::Domain { not_null: true, .. }
        ));
        // pg_dump 17+ writes the domain's NOT NULL as a named constraint.
        let c = pg(
            "CREATE DOMAIN public.d AS integer CONSTRAINT d_not_null NOT NULL CONSTRAINT d_check CHECK ((VALUE > 0));",
        );
        assert!(c.notes.is_empty(), "{:?}", c.notes);
        let UserTypeKind::Domain {
            not_null, checks, ..
        } = &c.types[0].kind
        else {
            panic!("domain");
        };
        assert!(*not_null);
        assert_eq!(checks[0].name, "d_check");
        let c = pg("CREATE DOMAIN d AS int; ALTER DOMAIN nope SET NOT NULL;");
        assert!(c.notes[0].message.contains("unknown domain nope"));
    }

    #[test]
    fn composite_attributes_replay() {
        let c = pg("CREATE TYPE pt AS (x int, y int);
            ALTER TYPE pt ADD ATTRIBUTE z text, DROP ATTRIBUTE y;
            ALTER TYPE pt ALTER ATTRIBUTE x TYPE bigint;");
        assert!(c.notes.is_empty(), "{:?}", c.notes);
        let UserTypeKind::Composite { attributes } = &c.types[0].kind else {
            panic!("composite");
        };
        assert_eq!(
            attributes,
            &vec![
                ("x".to_string(), "BIGINT".to_string()),
                ("z".into(), "TEXT".into())
            ]
        );
    }

    #[test]
    fn function_overloads_are_separate() {
        let c = pg(
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$;
            CREATE FUNCTION f(a int, b varchar(3)) RETURNS int LANGUAGE sql AS $$ SELECT a $$;
            CREATE OR REPLACE FUNCTION f(x integer) RETURNS int LANGUAGE sql AS $$ SELECT x + 1 $$;
            CREATE FUNCTION g(OUT r int, IN a text) LANGUAGE sql AS $$ SELECT 1 $$;",
        );
        let sigs: Vec<String> = c.functions.iter().map(|f| f.signature()).collect();
        assert_eq!(sigs, vec!["f(integer, varchar)", "f(integer)", "g(text)"]);
        let c = pg(
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$;
            CREATE FUNCTION f(a text) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
            DROP FUNCTION f(int4);",
        );
        let sigs: Vec<String> = c.functions.iter().map(|f| f.signature()).collect();
        assert_eq!(sigs, vec!["f(text)"]);
    }

    #[test]
    fn domain_rename_and_set_schema_follow_columns() {
        let c = pg(
            "CREATE SCHEMA s; CREATE DOMAIN d AS int; CREATE TABLE t (a d);
            ALTER DOMAIN d RENAME TO e; ALTER DOMAIN e SET SCHEMA s;",
        );
        assert!(c.notes.is_empty(), "{:?}", c.notes);
        assert_eq!(c.types[0].name, Name::new("s", "e"));
        let col = c.find_table("t").unwrap().column("a").unwrap();
        assert_eq!(col.data_type.user_type, Some(Name::new("s", "e")));
        // A form the model does not apply is said so, not passed over.
        let c = pg("CREATE SCHEMA s; CREATE TYPE p AS (x int); ALTER TYPE p SET SCHEMA s;");
        assert_eq!(c.notes.len(), 1, "{:?}", c.notes);
    }
}

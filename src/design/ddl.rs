//! Rendering a [`Design`] as DDL for PostgreSQL, MySQL/MariaDB or SQLite, with the down script,
//! the index strategy rows, the refresh schedules of summaries, and the list of places where the
//! engine's nearest equivalent differs from the PostgreSQL design.

use super::model::*;
use super::naming::{quote, string_literal};
use super::spec::{Agg, Bucket, KeyStrategy, Op};
use crate::sql::Dialect;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// Index strategy row.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IndexRow {
    pub index: String,
    pub table: String,
    pub definition: String,
    pub why: String,
    /// Access patterns and constraints it serves.
    pub serves: Vec<String>,
}

/// How a summary is refreshed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Schedule {
    pub summary: String,
    /// pg_cron or cron.
    pub kind: String,
    pub cron: String,
    pub refresh_sql: String,
    /// pg_cron statement or crontab line.
    pub entry: String,
    pub file: String,
}

/// A file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileOut {
    pub name: String,
    pub content: String,
}

/// The DDL of one design for one engine.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub dialect: Dialect,
    /// Statements in execution order (MySQL procedure bodies are wrapped in DELIMITER lines).
    pub statements: Vec<String>,
    pub ddl: String,
    pub down: String,
    pub index_rows: Vec<IndexRow>,
    pub schedules: Vec<Schedule>,
    /// Extra files: schedule entries, SQLite refresh scripts.
    pub files: Vec<FileOut>,
    pub differences: Vec<String>,
}

struct R<'a> {
    d: Dialect,
    des: &'a Design,
    out: Vec<String>,
    down: Vec<String>,
    diffs: Vec<String>,
    /// MySQL unique keys of soft-deleted tables (they count deleted rows too).
    soft_uniques: Vec<String>,
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// Render `des` for `d` (PostgreSQL, MySQL or SQLite).
pub fn render(des: &Design, d: Dialect) -> Rendered {
    let mut r = R {
        d,
        des,
        out: Vec::new(),
        down: Vec::new(),
        diffs: des.differences.clone(),
        soft_uniques: Vec::new(),
    };
    r.prelude();
    for t in &des.tables {
        let s = r.create_table(t);
        r.out.push(s);
    }
    if !r.soft_uniques.is_empty() {
        let msg = format!(
            "MySQL/MariaDB have no partial indexes: on soft-deleted tables the unique keys count deleted rows too ({}), so a deleted row keeps its value taken; free it when deleting (for example append the id) if values must be reusable.",
            r.soft_uniques.join(", ")
        );
        r.diffs.push(msg);
    }
    for t in &des.tables {
        for fk in t.foreign_keys.iter().filter(|f| f.deferred) {
            if d == Dialect::Sqlite {
                continue; // declared inline: SQLite resolves REFERENCES when rows are written
            }
            let s = format!("ALTER TABLE {} ADD {};", r.tname(&t.name), r.fk_clause(fk));
            r.out.push(s);
        }
    }
    let mut index_rows = Vec::new();
    for ix in &des.indexes {
        let (stmts, row) = r.index(ix);
        r.out.extend(stmts);
        index_rows.push(row);
    }
    r.comments();
    r.timestamp_triggers();
    let mut schedules = Vec::new();
    let mut files = Vec::new();
    for s in &des.summaries {
        let (row, sched, f) = r.summary(s);
        index_rows.push(row);
        schedules.push(sched);
        files.extend(f);
    }
    r.down_script();
    let header = format!(
        "-- kd-dba schema design{} for {}\n-- Statements in dependency order; run them in one transaction where the engine allows.\n",
        des.name
            .as_ref()
            .map(|n| format!(" \"{n}\""))
            .unwrap_or_default(),
        match d {
            Dialect::Postgres => format!("PostgreSQL {}+", des.postgres_version),
            Dialect::Mysql => "MySQL 8.0.16+ / MariaDB 10.6+".into(),
            Dialect::Sqlite => "SQLite 3.35+".into(),
            Dialect::Generic => "generic SQL".into(),
        }
    );
    let ddl = format!("{header}\n{}\n", r.out.join("\n\n"));
    let down = format!(
        "-- Reverts the schema above, dependents first.\n\n{}\n",
        r.down.join("\n")
    );
    Rendered {
        dialect: d,
        statements: r.out,
        ddl,
        down,
        index_rows,
        schedules,
        files,
        differences: r.diffs,
    }
}

impl R<'_> {
    fn q(&self, s: &str) -> String {
        quote(self.d, s)
    }

    /// A table (or view) name, schema-qualified on PostgreSQL when a schema is set.
    fn tname(&self, t: &str) -> String {
        match (&self.des.schema, self.d) {
            (Some(s), Dialect::Postgres) => format!("{}.{}", self.q(s), self.q(t)),
            _ => self.q(t),
        }
    }

    fn cols(&self, cols: &[String]) -> String {
        cols.iter()
            .map(|c| self.q(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn prelude(&mut self) {
        let des = self.des;
        match self.d {
            Dialect::Postgres => {
                if let Some(s) = &des.schema {
                    self.out
                        .push(format!("CREATE SCHEMA IF NOT EXISTS {};", self.q(s)));
                }
                if des.key == KeyStrategy::Uuid && des.postgres_version < 13 {
                    self.out
                        .push("CREATE EXTENSION IF NOT EXISTS pgcrypto;".to_string());
                }
                if des.key == KeyStrategy::Uuidv7 && des.postgres_version < 18 {
                    self.out.push(format!(
                        "-- UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, variant bits, random rest.\n-- PostgreSQL 18 has uuidv7() built in; this function stands in for it before 18.\nCREATE OR REPLACE FUNCTION {}() RETURNS uuid\nLANGUAGE sql VOLATILE AS $$\n    SELECT encode(\n        set_bit(set_bit(\n            overlay(uuid_send(gen_random_uuid())\n                    PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)\n                    FROM 1 FOR 6),\n            52, 1), 53, 1),\n        'hex')::uuid\n$$;",
                        self.fname("uuid_generate_v7")
                    ));
                    let msg = format!(
                        "PostgreSQL {} has no uuidv7(); the DDL defines {}() (the same bit layout) — switch the defaults to uuidv7() on PostgreSQL 18+.",
                        des.postgres_version,
                        self.fname("uuid_generate_v7")
                    );
                    push_unique(&mut self.diffs, msg);
                }
            }
            Dialect::Sqlite => {
                self.out.push("PRAGMA foreign_keys = ON;".to_string());
                push_unique(&mut self.diffs, "SQLite enforces foreign keys only on connections that run PRAGMA foreign_keys = ON; set it in every connection (the migration's own PRAGMA covers only the migrating connection).".into());
            }
            Dialect::Mysql => {
                if let Some(s) = &des.schema {
                    push_unique(
                        &mut self.diffs,
                        format!(
                            "MySQL has no schemas inside a database: the schema option `{s}` is not used; create the tables in the database you connect to (or name it `{s}`)."
                        ),
                    );
                }
            }
            Dialect::Generic => {}
        }
        if self.d == Dialect::Sqlite
            && let Some(s) = &des.schema
        {
            push_unique(
                &mut self.diffs,
                format!(
                    "SQLite has no schemas (only attached databases): the schema option `{s}` is not used."
                ),
            );
        }
    }

    fn fname(&self, f: &str) -> String {
        match &self.des.schema {
            Some(s) => format!("{}.{}", self.q(s), f),
            None => f.to_string(),
        }
    }

    fn col_type(&mut self, c: &DColumn, in_table: &DTable) -> String {
        let d = self.d;
        let generated = c.generated_key;
        match (&c.ty, d) {
            (LType::Key(k), Dialect::Postgres) => match (k, generated) {
                (KeyStrategy::Uuid | KeyStrategy::Uuidv7, _) => "uuid".into(),
                (KeyStrategy::Bigserial, true) => "bigserial".into(),
                (KeyStrategy::BigintIdentity | KeyStrategy::AutoIncrement, true) => {
                    if *k == KeyStrategy::AutoIncrement {
                        push_unique(&mut self.diffs, "PostgreSQL has no AUTO_INCREMENT: the keys are identity columns (GENERATED BY DEFAULT AS IDENTITY).".into());
                    }
                    "bigint GENERATED BY DEFAULT AS IDENTITY".into()
                }
                _ => "bigint".into(),
            },
            (LType::Key(k), Dialect::Mysql) => match k {
                KeyStrategy::Uuid | KeyStrategy::Uuidv7 => {
                    push_unique(&mut self.diffs, "MySQL/MariaDB: UUID keys are CHAR(36) text (MySQL has no uuid type; MariaDB 10.7+ has UUID, MySQL 8 has UUID_TO_BIN for BINARY(16) — both engine-specific).".into());
                    "CHAR(36)".into()
                }
                _ => {
                    if generated {
                        if *k == KeyStrategy::Bigserial {
                            push_unique(
                                &mut self.diffs,
                                "MySQL has no bigserial: the keys are BIGINT AUTO_INCREMENT."
                                    .into(),
                            );
                        }
                        "BIGINT NOT NULL AUTO_INCREMENT".into()
                    } else {
                        "BIGINT".into()
                    }
                }
            },
            (LType::Key(k), Dialect::Sqlite) => match k {
                KeyStrategy::Uuid | KeyStrategy::Uuidv7 => "TEXT".into(),
                _ => {
                    if generated && in_table.primary_key.len() == 1 {
                        if *k != KeyStrategy::BigintIdentity {
                            push_unique(&mut self.diffs, "SQLite keys are INTEGER PRIMARY KEY (the 64-bit rowid), the engine's only auto-generated key.".into());
                        }
                        push_unique(&mut self.diffs, "SQLite: INTEGER PRIMARY KEY reuses the highest rowid after that row is deleted (no AUTOINCREMENT, which costs an extra table write per insert); never rely on ids never coming back.".into());
                    }
                    "INTEGER".into()
                }
            },
            (LType::String(n), Dialect::Postgres) => {
                let _ = n;
                "text".into()
            }
            (LType::String(n), _) => format!("VARCHAR({n})"),
            (LType::Text, Dialect::Postgres) => "text".into(),
            (LType::Text, _) => "TEXT".into(),
            (LType::Int, Dialect::Postgres) => "integer".into(),
            (LType::Int, Dialect::Mysql) => "INT".into(),
            (LType::Int, _) => "INTEGER".into(),
            (LType::Bigint, Dialect::Postgres) => "bigint".into(),
            (LType::Bigint, _) => "BIGINT".into(),
            (LType::Decimal(p, s), Dialect::Postgres) => format!("numeric({p},{s})"),
            (LType::Decimal(p, s), Dialect::Mysql) => format!("DECIMAL({p},{s})"),
            (LType::Decimal(p, s), _) => {
                push_unique(&mut self.diffs, "SQLite has no exact decimal type: NUMERIC(p,s) columns store fractional values as 8-byte floats; keep money arithmetic in the application or store minor units (cents) as INTEGER if sums must be exact in SQL.".into());
                format!("NUMERIC({p},{s})")
            }
            (LType::Bool, Dialect::Postgres) => "boolean".into(),
            (LType::Bool, Dialect::Mysql) => "BOOLEAN".into(),
            (LType::Bool, _) => {
                push_unique(
                    &mut self.diffs,
                    "SQLite has no boolean type: booleans are INTEGER 0/1 with a CHECK.".into(),
                );
                "BOOLEAN".into()
            }
            (LType::Date, Dialect::Postgres) => "date".into(),
            (LType::Date, _) => "DATE".into(),
            (LType::Timestamp, Dialect::Postgres) => "timestamptz".into(),
            (LType::Timestamp, Dialect::Mysql) => {
                push_unique(&mut self.diffs, "MySQL/MariaDB: timestamps are DATETIME(6) without a time zone (TIMESTAMP would end in 2038); keep sessions at time_zone = '+00:00' so they hold UTC.".into());
                "DATETIME(6)".into()
            }
            (LType::Timestamp, _) => {
                push_unique(&mut self.diffs, "SQLite has no timestamp type: timestamps are ISO-8601 UTC text ('YYYY-MM-DD HH:MM:SS.SSS'), which sorts and compares correctly.".into());
                "TIMESTAMP".into()
            }
            (LType::Json, Dialect::Postgres) => "jsonb".into(),
            (LType::Json, Dialect::Mysql) => "JSON".into(),
            (LType::Json, _) => {
                push_unique(
                    &mut self.diffs,
                    "SQLite stores JSON as TEXT checked with json_valid().".into(),
                );
                "TEXT".into()
            }
            (LType::Uuid, Dialect::Postgres) => "uuid".into(),
            (LType::Uuid, Dialect::Mysql) => {
                push_unique(
                    &mut self.diffs,
                    "MySQL/MariaDB: uuid fields are CHAR(36).".into(),
                );
                "CHAR(36)".into()
            }
            (LType::Uuid, _) => "TEXT".into(),
            (LType::Enum(_), Dialect::Postgres) => "text".into(),
            (LType::Enum(v), Dialect::Mysql) => {
                format!(
                    "VARCHAR({})",
                    v.iter()
                        .map(|x| x.chars().count())
                        .max()
                        .unwrap_or(1)
                        .max(1)
                )
            }
            (LType::Enum(_), _) => "TEXT".into(),
            (LType::Array(el), Dialect::Postgres) => {
                let inner = DColumn {
                    ty: (**el).clone(),
                    generated_key: false,
                    ..c.clone()
                };
                format!("{}[]", self.col_type(&inner, in_table))
            }
            (LType::Array(_), Dialect::Mysql) => {
                push_unique(&mut self.diffs, "MySQL/MariaDB have no array type: arrays are JSON arrays (CHECK JSON_TYPE(...) = 'ARRAY').".into());
                "JSON".into()
            }
            (LType::Array(_), _) => {
                push_unique(&mut self.diffs, "SQLite has no array type: arrays are JSON text (CHECK json_type(...) = 'array').".into());
                "TEXT".into()
            }
            (_, Dialect::Generic) => "TEXT".into(),
        }
    }

    fn literal(&self, v: &Value, ty: &LType) -> String {
        let d = self.d;
        match v {
            Value::Null => "NULL".into(),
            Value::Bool(b) => match d {
                Dialect::Postgres => if *b { "TRUE" } else { "FALSE" }.into(),
                _ => if *b { "1" } else { "0" }.into(),
            },
            Value::Number(n) => n.to_string(),
            Value::String(s) => string_literal(d, s),
            Value::Array(items) => match (d, ty) {
                (Dialect::Postgres, LType::Array(el)) => {
                    let inner = DColumn {
                        name: String::new(),
                        ty: (**el).clone(),
                        tag: None,
                        nullable: true,
                        default: None,
                        generated_key: false,
                        checks: Vec::new(),
                        searchable: false,
                        note: None,
                        origin: String::new(),
                    };
                    let elty = pg_plain_type(&inner.ty);
                    if items.is_empty() {
                        format!("'{{}}'::{elty}[]")
                    } else {
                        format!(
                            "ARRAY[{}]::{elty}[]",
                            items
                                .iter()
                                .map(|x| self.literal(x, el))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                }
                _ => string_literal(d, &v.to_string()),
            },
            Value::Object(_) => string_literal(d, &v.to_string()),
        }
    }

    fn default_sql(&self, c: &DColumn) -> Option<String> {
        let d = self.d;
        if c.generated_key {
            return match (d, &c.ty) {
                (Dialect::Postgres, LType::Key(KeyStrategy::Uuid)) => {
                    Some("gen_random_uuid()".into())
                }
                (Dialect::Postgres, LType::Key(KeyStrategy::Uuidv7)) => {
                    if self.des.postgres_version >= 18 {
                        Some("uuidv7()".into())
                    } else {
                        Some(format!("{}()", self.fname("uuid_generate_v7")))
                    }
                }
                (Dialect::Mysql, LType::Key(KeyStrategy::Uuid)) => Some("(UUID())".into()),
                (Dialect::Sqlite, LType::Key(KeyStrategy::Uuid)) => Some(
                    "(lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))))".into(),
                ),
                _ => None,
            };
        }
        let def = c.default.as_ref()?;
        Some(match def {
            DDefault::Now => match (d, &c.ty) {
                (Dialect::Postgres, LType::Date) => "CURRENT_DATE".into(),
                (Dialect::Postgres, _) => "now()".into(),
                (Dialect::Mysql, LType::Date) => "(CURRENT_DATE)".into(),
                (Dialect::Mysql, _) => "CURRENT_TIMESTAMP(6)".into(),
                (_, LType::Date) => "CURRENT_DATE".into(),
                _ => "(strftime('%Y-%m-%d %H:%M:%f', 'now'))".into(),
            },
            DDefault::Literal(v) => {
                let lit = self.literal(v, &c.ty);
                match (d, &c.ty) {
                    (Dialect::Postgres, LType::Json) => format!("{lit}::jsonb"),
                    // MySQL allows literal defaults on TEXT/JSON only as expressions.
                    (Dialect::Mysql, LType::Text | LType::Json | LType::Array(_)) => {
                        format!("({lit})")
                    }
                    _ => lit,
                }
            }
        })
    }

    fn cond_sql(&self, col: &str, ty: &LType, c: &Cond) -> Option<String> {
        let d = self.d;
        let q = self.q(col);
        Some(match c {
            Cond::Min(n) => format!("{q} >= {n}"),
            Cond::Max(n) => format!("{q} <= {n}"),
            Cond::OneOf(vals) => format!(
                "{q} IN ({})",
                vals.iter()
                    .map(|v| self.literal(v, ty))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Cond::MaxLen(n) => match d {
                Dialect::Postgres => format!("char_length({q}) <= {n}"),
                Dialect::Sqlite => format!("length({q}) <= {n}"),
                _ => return None, // VARCHAR(n) enforces it
            },
            Cond::MinLen(n) => match d {
                Dialect::Postgres | Dialect::Mysql => format!("char_length({q}) >= {n}"),
                _ => format!("length({q}) >= {n}"),
            },
            Cond::EmailShape => format!("{q} LIKE '%_@_%'"),
            Cond::BoolDomain => match d {
                Dialect::Sqlite => format!("{q} IN (0, 1)"),
                _ => return None,
            },
            Cond::JsonValid { array } => match (d, array) {
                (Dialect::Sqlite, false) => format!("json_valid({q})"),
                (Dialect::Sqlite, true) => {
                    format!("json_valid({q}) AND json_type({q}) = 'array'")
                }
                (Dialect::Mysql, true) => format!("JSON_TYPE({q}) = 'ARRAY'"),
                _ => return None,
            },
        })
    }

    fn fk_clause(&self, fk: &DForeignKey) -> String {
        let mut s = format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
            self.q(&fk.name),
            self.cols(&fk.columns),
            self.tname(&fk.ref_table),
            self.cols(&fk.ref_columns)
        );
        if fk.on_delete != super::spec::Action::NoAction {
            s.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
        }
        if fk.on_update != super::spec::Action::NoAction {
            s.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
        }
        s
    }

    fn create_table(&mut self, t: &DTable) -> String {
        let d = self.d;
        let mut lines = Vec::new();
        for c in &t.columns {
            let ty = self.col_type(c, t);
            let mut s = format!("{} {}", self.q(&c.name), ty);
            if !c.nullable
                && !ty.contains("NOT NULL")
                && !ty.contains("IDENTITY")
                && ty != "bigserial"
            {
                s.push_str(" NOT NULL");
            }
            if let Some(def) = self.default_sql(c) {
                s.push_str(&format!(" DEFAULT {def}"));
            }
            if d == Dialect::Mysql && c.name == "updated_at" && t.timestamps {
                s.push_str(" ON UPDATE CURRENT_TIMESTAMP(6)");
            }
            if d == Dialect::Mysql
                && let Some(n) = &c.note
            {
                s.push_str(&format!(" COMMENT {}", string_literal(d, n)));
            }
            lines.push(s);
        }
        let pk_name = super::naming::fit(&format!("{}_pkey", t.name));
        lines.push(format!(
            "CONSTRAINT {} PRIMARY KEY ({})",
            self.q(&pk_name),
            self.cols(&t.primary_key)
        ));
        for u in &t.uniques {
            // Soft-deleted tables get partial unique indexes instead (PostgreSQL, SQLite).
            if t.soft_delete && d != Dialect::Mysql {
                continue;
            }
            if t.soft_delete {
                self.soft_uniques
                    .push(format!("{}({})", t.name, u.columns.join(", ")));
            }
            lines.push(format!(
                "CONSTRAINT {} UNIQUE ({})",
                self.q(&u.name),
                self.cols(&u.columns)
            ));
        }
        for c in &t.columns {
            let conds: Vec<String> = c
                .checks
                .iter()
                .filter_map(|k| self.cond_sql(&c.name, &c.ty, k))
                .collect();
            if !conds.is_empty() {
                let name = super::naming::fit(&format!("{}_{}_check", t.name, c.name));
                lines.push(format!(
                    "CONSTRAINT {} CHECK ({})",
                    self.q(&name),
                    conds.join(" AND ")
                ));
            }
        }
        for fk in &t.foreign_keys {
            if fk.deferred && d != Dialect::Sqlite {
                continue;
            }
            lines.push(self.fk_clause(fk));
        }
        if d == Dialect::Mysql {
            // FULLTEXT keys go inside CREATE TABLE (one statement, and the form every MySQL
            // and MariaDB version and kd-dba's parser read alike).
            for ix in self
                .des
                .indexes
                .iter()
                .filter(|i| i.table == t.name && i.kind == IndexKind::FullText)
            {
                let cols: Vec<String> = ix.keys.iter().map(|k| k.column.clone()).collect();
                lines.push(format!(
                    "FULLTEXT KEY {} ({})",
                    self.q(&ix.name),
                    self.cols(&cols)
                ));
            }
        }
        let mut s = String::new();
        if d == Dialect::Sqlite
            && let Some(n) = &t.note
        {
            s.push_str(&format!("-- {}\n", n.replace('\n', " ")));
        }
        s.push_str(&format!(
            "CREATE TABLE {} (\n    {}\n)",
            self.tname(&t.name),
            lines.join(",\n    ")
        ));
        if d == Dialect::Mysql {
            s.push_str(" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
            if let Some(n) = &t.note {
                s.push_str(&format!(" COMMENT={}", string_literal(d, n)));
            }
        }
        s.push(';');
        s
    }

    fn pred_sql(&self, p: &[PredCond], table: &DTable) -> String {
        p.iter()
            .map(|c| {
                let q = self.q(&c.column);
                let ty = table
                    .column(&c.column)
                    .map(|x| x.ty.clone())
                    .unwrap_or(LType::Text);
                let lit = |v: &Option<Value>| {
                    v.as_ref()
                        .map(|v| self.literal(v, &ty))
                        .unwrap_or_else(|| "NULL".into())
                };
                let list = |v: &Option<Value>| match v {
                    Some(Value::Array(items)) => items
                        .iter()
                        .map(|x| self.literal(x, &ty))
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => lit(other),
                };
                match c.op {
                    Op::Eq => format!("{q} = {}", lit(&c.value)),
                    Op::Ne => format!("{q} <> {}", lit(&c.value)),
                    Op::Lt => format!("{q} < {}", lit(&c.value)),
                    Op::Le => format!("{q} <= {}", lit(&c.value)),
                    Op::Gt => format!("{q} > {}", lit(&c.value)),
                    Op::Ge => format!("{q} >= {}", lit(&c.value)),
                    Op::In => format!("{q} IN ({})", list(&c.value)),
                    Op::NotIn => format!("{q} NOT IN ({})", list(&c.value)),
                    Op::IsNull => format!("{q} IS NULL"),
                    Op::IsNotNull => format!("{q} IS NOT NULL"),
                    Op::Prefix => {
                        let s = c.value.as_ref().and_then(Value::as_str).unwrap_or("");
                        let esc = s
                            .replace('\\', "\\\\")
                            .replace('%', "\\%")
                            .replace('_', "\\_");
                        let pat = string_literal(self.d, &format!("{esc}%"));
                        match self.d {
                            Dialect::Mysql => format!("{q} LIKE {pat}"),
                            _ => format!("{q} LIKE {pat} ESCAPE '\\'"),
                        }
                    }
                }
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    fn key_list(&self, ix: &DIndex) -> String {
        ix.keys
            .iter()
            .map(|k| {
                let mut s = self.q(&k.column);
                if k.pattern_ops && self.d == Dialect::Postgres {
                    s.push_str(" text_pattern_ops");
                }
                if k.desc {
                    s.push_str(" DESC");
                }
                s
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn tsvector_expr(&self, cols: &[String]) -> String {
        let body = cols
            .iter()
            .map(|c| format!("coalesce({}, '')", self.q(c)))
            .collect::<Vec<_>>()
            .join(" || ' ' || ");
        format!(
            "to_tsvector({}, {body})",
            string_literal(self.d, &self.des.text_search)
        )
    }

    /// Statements and the strategy row of one planned index.
    fn index(&mut self, ix: &DIndex) -> (Vec<String>, IndexRow) {
        let d = self.d;
        let des = self.des;
        let table = des.table(&ix.table).cloned().unwrap_or_else(|| DTable {
            entity: ix.table.clone(),
            name: ix.table.clone(),
            columns: Vec::new(),
            primary_key: Vec::new(),
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            timestamps: false,
            soft_delete: false,
            junction: false,
            note: None,
        });
        let cols: Vec<String> = ix.keys.iter().map(|k| k.column.clone()).collect();
        let mut stmts = Vec::new();
        let mut why = ix.why.clone();
        let definition = match ix.kind {
            IndexKind::PrimaryKey => format!("PRIMARY KEY ({})", self.cols(&cols)),
            IndexKind::Unique if !(table.soft_delete && d != Dialect::Mysql) => {
                format!("UNIQUE ({})", self.cols(&cols))
            }
            IndexKind::Unique | IndexKind::Btree => {
                let mut pred = ix.predicate.clone();
                if d == Dialect::Mysql && !pred.is_empty() {
                    let shown = self.pred_sql(&pred, &table);
                    push_unique(
                        &mut self.diffs,
                        format!(
                            "MySQL/MariaDB have no partial indexes: {} indexes all rows instead of only those WHERE {shown}.",
                            ix.name
                        ),
                    );
                    why = format!("{why} (all rows: no partial indexes here)");
                    pred.clear();
                }
                let mut s = format!(
                    "CREATE {}INDEX {} ON {} ({})",
                    if ix.unique { "UNIQUE " } else { "" },
                    self.q(&ix.name),
                    self.tname(&ix.table),
                    self.key_list(ix)
                );
                if !pred.is_empty() {
                    let p = self.pred_sql(&pred, &table);
                    why = format!(
                        "{why}; partial: only rows WHERE {p} are indexed, so it stays small (queries must state that condition to use it)"
                    );
                    s.push_str(&format!(" WHERE {p}"));
                }
                if d == Dialect::Mysql && ix.keys.iter().any(|k| k.desc) {
                    push_unique(&mut self.diffs, "MySQL 8.0 and MariaDB 10.8+ store DESC index keys; older MariaDB parses DESC but builds ascending keys (read backwards, still usable).".into());
                }
                s.push(';');
                let def = s.clone();
                stmts.push(s);
                def
            }
            IndexKind::FullText => match d {
                Dialect::Postgres => {
                    let s = format!(
                        "CREATE INDEX {} ON {} USING gin ({});",
                        self.q(&ix.name),
                        self.tname(&ix.table),
                        self.tsvector_expr(&cols)
                    );
                    why = format!(
                        "{why}; queries must use the same expression: WHERE {} @@ websearch_to_tsquery({}, $1)",
                        self.tsvector_expr(&cols),
                        string_literal(d, &des.text_search)
                    );
                    stmts.push(s.clone());
                    s
                }
                Dialect::Mysql => {
                    let s = format!(
                        "FULLTEXT KEY {} ({}) in CREATE TABLE {}",
                        self.q(&ix.name),
                        self.cols(&cols),
                        self.tname(&ix.table)
                    );
                    why = format!(
                        "{why}; query with MATCH ({}) AGAINST (? IN NATURAL LANGUAGE MODE)",
                        self.cols(&cols)
                    );
                    push_unique(
                        &mut self.diffs,
                        format!(
                            "MySQL/MariaDB: full-text search on {} is an InnoDB FULLTEXT index queried with MATCH ... AGAINST instead of a GIN index over to_tsvector (no stemming configuration; minimum word length and stopwords follow the server's innodb_ft_* settings).",
                            ix.table
                        ),
                    );
                    s
                }
                _ => {
                    let (s, def) = self.sqlite_fts(&table, &cols);
                    why = format!(
                        "{why}; query with SELECT {t}.* FROM {fts} JOIN {t} ON {t}.rowid = {fts}.rowid WHERE {fts} MATCH ?",
                        t = self.q(&ix.table),
                        fts = self.q(&format!("{}_fts", ix.table))
                    );
                    push_unique(
                        &mut self.diffs,
                        format!(
                            "SQLite: full-text search on {} is an FTS5 external-content table {}_fts kept in sync by insert/update/delete triggers, instead of a GIN index.",
                            ix.table, ix.table
                        ),
                    );
                    stmts.extend(s);
                    def
                }
            },
        };
        let definition = definition.trim_end_matches(';').to_string();
        (
            stmts,
            IndexRow {
                index: ix.name.clone(),
                table: ix.table.clone(),
                definition,
                why,
                serves: ix.serves.clone(),
            },
        )
    }

    fn sqlite_fts(&self, t: &DTable, cols: &[String]) -> (Vec<String>, String) {
        let fts = format!("{}_fts", t.name);
        let rowid = if t.primary_key.len() == 1
            && t.column(&t.primary_key[0]).is_some_and(|c| {
                c.generated_key
                    && !matches!(c.ty, LType::Key(KeyStrategy::Uuid | KeyStrategy::Uuidv7))
            }) {
            t.primary_key[0].clone()
        } else {
            "rowid".into()
        };
        let qc = self.cols(cols);
        let new_vals = cols
            .iter()
            .map(|c| format!("NEW.{}", self.q(c)))
            .collect::<Vec<_>>()
            .join(", ");
        let old_vals = cols
            .iter()
            .map(|c| format!("OLD.{}", self.q(c)))
            .collect::<Vec<_>>()
            .join(", ");
        let qt = self.q(&t.name);
        let qf = self.q(&fts);
        let create = format!(
            "CREATE VIRTUAL TABLE {qf} USING fts5({qc}, content='{}', content_rowid='{rowid}');",
            t.name
        );
        let ins = format!(
            "CREATE TRIGGER {} AFTER INSERT ON {qt} BEGIN\n    INSERT INTO {qf} (rowid, {qc}) VALUES (NEW.{}, {new_vals});\nEND;",
            self.q(&format!("trg_{}_fts_insert", t.name)),
            self.q(&rowid)
        );
        let del = format!(
            "CREATE TRIGGER {} AFTER DELETE ON {qt} BEGIN\n    INSERT INTO {qf} ({qf}, rowid, {qc}) VALUES ('delete', OLD.{}, {old_vals});\nEND;",
            self.q(&format!("trg_{}_fts_delete", t.name)),
            self.q(&rowid)
        );
        let upd = format!(
            "CREATE TRIGGER {} AFTER UPDATE OF {qc} ON {qt} BEGIN\n    INSERT INTO {qf} ({qf}, rowid, {qc}) VALUES ('delete', OLD.{r}, {old_vals});\n    INSERT INTO {qf} (rowid, {qc}) VALUES (NEW.{r}, {new_vals});\nEND;",
            self.q(&format!("trg_{}_fts_update", t.name)),
            r = self.q(&rowid)
        );
        let def = create.clone();
        (vec![create, ins, del, upd], def)
    }

    fn comments(&mut self) {
        if self.d != Dialect::Postgres {
            return;
        }
        for t in &self.des.tables {
            if let Some(n) = &t.note {
                self.out.push(format!(
                    "COMMENT ON TABLE {} IS {};",
                    self.tname(&t.name),
                    string_literal(self.d, n)
                ));
            }
            for c in &t.columns {
                if let Some(n) = &c.note {
                    self.out.push(format!(
                        "COMMENT ON COLUMN {}.{} IS {};",
                        self.tname(&t.name),
                        self.q(&c.name),
                        string_literal(self.d, n)
                    ));
                }
            }
        }
    }

    fn timestamp_triggers(&mut self) {
        let tables: Vec<&DTable> = self
            .des
            .tables
            .iter()
            .filter(|t| t.timestamps && t.column("updated_at").is_some())
            .collect();
        if tables.is_empty() {
            return;
        }
        match self.d {
            Dialect::Postgres => {
                let f = self.fname("set_updated_at");
                self.out.push(format!(
                    "CREATE OR REPLACE FUNCTION {f}() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$;"
                ));
                let exec = if self.des.postgres_version >= 11 {
                    "FUNCTION"
                } else {
                    "PROCEDURE"
                };
                for t in tables {
                    self.out.push(format!(
                        "CREATE TRIGGER {} BEFORE UPDATE ON {} FOR EACH ROW EXECUTE {exec} {f}();",
                        self.q(&super::naming::fit(&format!("trg_{}_updated_at", t.name))),
                        self.tname(&t.name)
                    ));
                }
            }
            Dialect::Mysql => {
                push_unique(&mut self.diffs, "MySQL/MariaDB: updated_at is maintained by ON UPDATE CURRENT_TIMESTAMP(6) on the column instead of a trigger.".into());
            }
            Dialect::Sqlite => {
                for t in tables {
                    self.out.push(format!(
                        "CREATE TRIGGER {} AFTER UPDATE ON {} FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at BEGIN\n    UPDATE {} SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE rowid = NEW.rowid;\nEND;",
                        self.q(&super::naming::fit(&format!("trg_{}_updated_at", t.name))),
                        self.q(&t.name),
                        self.q(&t.name)
                    ));
                }
                push_unique(&mut self.diffs, "SQLite: updated_at is set by an AFTER UPDATE trigger that updates the row again (SQLite triggers cannot assign NEW); an UPDATE that sets updated_at itself keeps its value.".into());
            }
            Dialect::Generic => {}
        }
    }

    fn colref(&self, c: &ColRef) -> String {
        format!("{}.{}", self.q(&c.alias), self.q(&c.column))
    }

    fn bucket_expr(&mut self, c: &ColRef, b: Bucket) -> String {
        let col = self.colref(c);
        let tz = self.des.time_zone.clone();
        let utc = tz.eq_ignore_ascii_case("utc");
        match self.d {
            Dialect::Postgres => {
                let local = if c.ty == LType::Timestamp {
                    format!("({col} AT TIME ZONE {})", string_literal(self.d, &tz))
                } else {
                    col.clone()
                };
                match b {
                    Bucket::Day if c.ty == LType::Date => col,
                    Bucket::Day => format!("{local}::date"),
                    Bucket::Hour => format!("date_trunc('hour', {local})"),
                    Bucket::Week => format!("date_trunc('week', {local})::date"),
                    Bucket::Month => format!("date_trunc('month', {local})::date"),
                    Bucket::Year => format!("date_trunc('year', {local})::date"),
                }
            }
            Dialect::Mysql => {
                let local = if c.ty == LType::Timestamp && !utc {
                    push_unique(
                        &mut self.diffs,
                        format!(
                            "MySQL/MariaDB: summaries convert UTC to {tz} with CONVERT_TZ, which needs the server's time zone tables loaded (mysql_tzinfo_to_sql)."
                        ),
                    );
                    format!(
                        "CONVERT_TZ({col}, '+00:00', {})",
                        string_literal(self.d, &tz)
                    )
                } else {
                    col
                };
                match b {
                    Bucket::Day => format!("DATE({local})"),
                    Bucket::Hour => {
                        format!("CAST(DATE_FORMAT({local}, '%Y-%m-%d %H:00:00') AS DATETIME)")
                    }
                    Bucket::Week => {
                        format!("DATE_SUB(DATE({local}), INTERVAL WEEKDAY({local}) DAY)")
                    }
                    Bucket::Month => format!("CAST(DATE_FORMAT({local}, '%Y-%m-01') AS DATE)"),
                    Bucket::Year => format!("MAKEDATE(YEAR({local}), 1)"),
                }
            }
            _ => {
                if !utc && c.ty == LType::Timestamp {
                    push_unique(
                        &mut self.diffs,
                        format!(
                            "SQLite cannot convert to the time zone {tz}: summaries bucket timestamps in UTC."
                        ),
                    );
                }
                match b {
                    Bucket::Day => format!("date({col})"),
                    Bucket::Hour => format!("strftime('%Y-%m-%d %H:00:00', {col})"),
                    Bucket::Week => format!("date({col}, '-6 days', 'weekday 1')"),
                    Bucket::Month => format!("date({col}, 'start of month')"),
                    Bucket::Year => format!("date({col}, 'start of year')"),
                }
            }
        }
    }

    /// The SELECT of a summary.
    fn summary_select(&mut self, s: &DSummary) -> String {
        let mut items = Vec::new();
        for g in &s.groups {
            let e = match g.bucket {
                Some(b) => self.bucket_expr(&g.col, b),
                None => self.colref(&g.col),
            };
            items.push(format!("{e} AS {}", self.q(&g.name)));
        }
        for m in &s.measures {
            let arg = match (&m.col, &m.times) {
                (Some(a), Some(b)) => format!("{} * {}", self.colref(a), self.colref(b)),
                (Some(a), None) => self.colref(a),
                (None, _) => "*".into(),
            };
            let e = match m.func {
                Agg::Count => format!("count({arg})"),
                Agg::CountDistinct => format!("count(DISTINCT {arg})"),
                Agg::Sum => format!("sum({arg})"),
                Agg::Avg => format!("avg({arg})"),
                Agg::Min => format!("min({arg})"),
                Agg::Max => format!("max({arg})"),
            };
            items.push(format!("{e} AS {}", self.q(&m.name)));
        }
        let base = if self.tname(&s.base_table) == self.q(&s.base_alias) {
            self.q(&s.base_table)
        } else {
            format!("{} AS {}", self.tname(&s.base_table), self.q(&s.base_alias))
        };
        let mut from = format!("FROM {base}");
        for j in &s.joins {
            let mut on: Vec<String> =
                j.on.iter()
                    .map(|(pk, fk)| {
                        format!(
                            "{}.{} = {}.{}",
                            self.q(&j.alias),
                            self.q(pk),
                            self.q(&j.from_alias),
                            self.q(fk)
                        )
                    })
                    .collect();
            if j.left && s.live_aliases.contains(&j.alias) {
                on.push(format!("{}.deleted_at IS NULL", self.q(&j.alias)));
            }
            let target = if j.alias == j.table && self.des.schema.is_none() {
                self.q(&j.table)
            } else {
                format!("{} AS {}", self.tname(&j.table), self.q(&j.alias))
            };
            from.push_str(&format!(
                "\n{}JOIN {target} ON {}",
                if j.left { "LEFT " } else { "" },
                on.join(" AND ")
            ));
        }
        let mut wh: Vec<String> = Vec::new();
        for f in &s.filters {
            let table = DTable {
                entity: String::new(),
                name: String::new(),
                columns: vec![DColumn {
                    name: f.col.column.clone(),
                    ty: f.col.ty.clone(),
                    tag: None,
                    nullable: true,
                    default: None,
                    generated_key: false,
                    checks: Vec::new(),
                    searchable: false,
                    note: None,
                    origin: String::new(),
                }],
                primary_key: Vec::new(),
                uniques: Vec::new(),
                foreign_keys: Vec::new(),
                timestamps: false,
                soft_delete: false,
                junction: false,
                note: None,
            };
            let cond = self.pred_sql(
                &[PredCond {
                    column: f.col.column.clone(),
                    op: f.op,
                    value: f.value.clone(),
                }],
                &table,
            );
            // Qualify the column with its alias.
            let bare = self.q(&f.col.column);
            wh.push(cond.replacen(&bare, &self.colref(&f.col), 1));
        }
        for a in &s.live_aliases {
            if !s.joins.iter().any(|j| j.alias == *a && j.left) {
                wh.push(format!("{}.deleted_at IS NULL", self.q(a)));
            }
        }
        let mut sql = format!("SELECT\n    {}\n{from}", items.join(",\n    "));
        if !wh.is_empty() {
            sql.push_str(&format!("\nWHERE {}", wh.join("\n  AND ")));
        }
        let n: Vec<String> = (1..=s.groups.len()).map(|i| i.to_string()).collect();
        sql.push_str(&format!("\nGROUP BY {}", n.join(", ")));
        sql
    }

    fn summary_col_type(&mut self, s: &DSummary, name: &str) -> (String, bool) {
        let d = self.d;
        let dec = |p: u32, sc: u32| match d {
            Dialect::Mysql => format!("DECIMAL({},{})", p.min(65), sc.min(30)),
            _ => format!("NUMERIC({},{})", p.min(38), sc.min(30)),
        };
        if let Some(g) = s.groups.iter().find(|g| g.name == name) {
            let ty = match g.bucket {
                Some(Bucket::Hour) => match d {
                    Dialect::Mysql => "DATETIME".into(),
                    _ => "TIMESTAMP".into(),
                },
                Some(_) => "DATE".into(),
                None => {
                    let c = DColumn {
                        name: g.col.column.clone(),
                        ty: match &g.col.ty {
                            LType::Key(k) => LType::Key(*k),
                            t => t.clone(),
                        },
                        tag: None,
                        nullable: g.col.nullable,
                        default: None,
                        generated_key: false,
                        checks: Vec::new(),
                        searchable: false,
                        note: None,
                        origin: String::new(),
                    };
                    let dummy = DTable {
                        entity: String::new(),
                        name: String::new(),
                        columns: Vec::new(),
                        primary_key: Vec::new(),
                        uniques: Vec::new(),
                        foreign_keys: Vec::new(),
                        timestamps: false,
                        soft_delete: false,
                        junction: false,
                        note: None,
                    };
                    self.col_type(&c, &dummy)
                }
            };
            return (ty, g.col.nullable);
        }
        let m = s
            .measures
            .iter()
            .find(|m| m.name == name)
            .expect("measure exists");
        let scale = |t: &LType| match t {
            LType::Decimal(_, s) => *s as u32,
            _ => 0,
        };
        let nullable = m.col.as_ref().is_some_and(|c| c.nullable)
            || m.times.as_ref().is_some_and(|c| c.nullable);
        match m.func {
            Agg::Count | Agg::CountDistinct => ("BIGINT".into(), false),
            Agg::Sum => {
                let a = m
                    .col
                    .as_ref()
                    .map(|c| c.ty.clone())
                    .unwrap_or(LType::Bigint);
                let sc = scale(&a) + m.times.as_ref().map(|t| scale(&t.ty)).unwrap_or(0);
                let ty = if sc == 0 && m.times.is_none() && !matches!(a, LType::Decimal(..)) {
                    dec(38, 0)
                } else {
                    dec(38, sc)
                };
                (ty, nullable)
            }
            Agg::Avg => {
                let a = m
                    .col
                    .as_ref()
                    .map(|c| c.ty.clone())
                    .unwrap_or(LType::Bigint);
                let sc = scale(&a) + m.times.as_ref().map(|t| scale(&t.ty)).unwrap_or(0);
                (dec(38, (sc + 4).max(4)), nullable)
            }
            Agg::Min | Agg::Max => {
                let c = m.col.clone().expect("validated");
                let col = DColumn {
                    name: c.column.clone(),
                    ty: c.ty.clone(),
                    tag: None,
                    nullable: true,
                    default: None,
                    generated_key: false,
                    checks: Vec::new(),
                    searchable: false,
                    note: None,
                    origin: String::new(),
                };
                let dummy = DTable {
                    entity: String::new(),
                    name: String::new(),
                    columns: Vec::new(),
                    primary_key: Vec::new(),
                    uniques: Vec::new(),
                    foreign_keys: Vec::new(),
                    timestamps: false,
                    soft_delete: false,
                    junction: false,
                    note: None,
                };
                (self.col_type(&col, &dummy), nullable)
            }
        }
    }

    /// The summary's objects; returns its unique-index row, its schedule and extra files.
    fn summary(&mut self, s: &DSummary) -> (IndexRow, Schedule, Vec<FileOut>) {
        let d = self.d;
        let select = self.summary_select(s);
        let gcols: Vec<String> = s.groups.iter().map(|g| g.name.clone()).collect();
        let ux = super::naming::fit(&format!("ux_{}_{}", s.name, gcols.join("_")));
        let qname = self.tname(&s.name);
        let mut files = Vec::new();
        match d {
            Dialect::Postgres => {
                self.out.push(format!(
                    "CREATE MATERIALIZED VIEW {qname} AS\n{select}\nWITH DATA;"
                ));
                self.out.push(format!(
                    "CREATE UNIQUE INDEX {} ON {qname} ({});",
                    self.q(&ux),
                    self.cols(&gcols)
                ));
                let refresh = format!("REFRESH MATERIALIZED VIEW CONCURRENTLY {qname};");
                let (kind, entry, file) = if self.des.pg_cron {
                    let job = format!("refresh_{}", s.name);
                    (
                        "pg_cron",
                        format!(
                            "SELECT cron.schedule({}, {}, {});",
                            string_literal(d, &job),
                            string_literal(d, &s.cron),
                            string_literal(d, refresh.trim_end_matches(';'))
                        ),
                        format!("schedule/refresh_{}.sql", s.name),
                    )
                } else {
                    (
                        "cron",
                        format!(
                            "{} psql \"$DATABASE_URL\" -X -q -v ON_ERROR_STOP=1 -c '{}'",
                            s.cron,
                            refresh.trim_end_matches(';').replace('\'', "'\\''")
                        ),
                        format!("schedule/refresh_{}.cron", s.name),
                    )
                };
                files.push(FileOut {
                    name: file.clone(),
                    content: format!(
                        "{} {}\n{entry}\n",
                        if kind == "pg_cron" { "--" } else { "#" },
                        if kind == "pg_cron" {
                            format!(
                                "Refresh {} on the schedule `{}` with pg_cron (run in the database named by cron.database_name; remove with SELECT cron.unschedule('refresh_{}');)",
                                s.name, s.cron, s.name
                            )
                        } else {
                            format!(
                                "crontab line: refresh {} on the schedule `{}` (pg_cron was not selected; set options.pg_cron to schedule inside the database)",
                                s.name, s.cron
                            )
                        }
                    ),
                });
                let row = IndexRow {
                    index: ux.clone(),
                    table: s.name.clone(),
                    definition: format!("UNIQUE ({})", self.cols(&gcols)),
                    why: "REFRESH MATERIALIZED VIEW CONCURRENTLY needs a unique index on plain columns covering all rows; it also serves lookups by the grouping".into(),
                    serves: vec![format!("summary {}: refresh concurrently", s.name)],
                };
                (
                    row,
                    Schedule {
                        summary: s.name.clone(),
                        kind: kind.into(),
                        cron: s.cron.clone(),
                        refresh_sql: refresh,
                        entry,
                        file,
                    },
                    files,
                )
            }
            _ => {
                let mut lines = Vec::new();
                let nullable_group = s.groups.iter().any(|g| g.col.nullable);
                if nullable_group {
                    lines.push(match d {
                        Dialect::Mysql => "id BIGINT NOT NULL AUTO_INCREMENT".to_string(),
                        _ => "id INTEGER".to_string(),
                    });
                }
                let names: Vec<String> = gcols
                    .iter()
                    .cloned()
                    .chain(s.measures.iter().map(|m| m.name.clone()))
                    .collect();
                for n in &names {
                    let (ty, nullable) = self.summary_col_type(s, n);
                    lines.push(format!(
                        "{} {ty}{}",
                        self.q(n),
                        if nullable { "" } else { " NOT NULL" }
                    ));
                }
                lines.push(match d {
                    Dialect::Mysql => "refreshed_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)".to_string(),
                    _ => "refreshed_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))".to_string(),
                });
                let pk_name = super::naming::fit(&format!("{}_pkey", s.name));
                if nullable_group {
                    lines.push(format!("CONSTRAINT {} PRIMARY KEY (id)", self.q(&pk_name)));
                    lines.push(format!(
                        "CONSTRAINT {} UNIQUE ({})",
                        self.q(&ux),
                        self.cols(&gcols)
                    ));
                } else {
                    lines.push(format!(
                        "CONSTRAINT {} PRIMARY KEY ({})",
                        self.q(&pk_name),
                        self.cols(&gcols)
                    ));
                }
                let mut create =
                    format!("CREATE TABLE {qname} (\n    {}\n)", lines.join(",\n    "));
                if d == Dialect::Mysql {
                    create.push_str(&format!(
                        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT={}",
                        string_literal(
                            d,
                            &format!("Summary of {}; rebuilt by refresh_{}", s.base_table, s.name)
                        )
                    ));
                } else {
                    create = format!(
                        "-- Summary of {}; rebuilt by refresh_{}.sql\n{create}",
                        s.base_table, s.name
                    );
                }
                create.push(';');
                self.out.push(create);
                let cols_list = self.cols(&names);
                let insert = format!("INSERT INTO {qname} ({cols_list})\n{select};");
                let (refresh, entry, file) = if d == Dialect::Mysql {
                    let proc = format!("refresh_{}", s.name);
                    let body = format!(
                        "DELIMITER //\nCREATE PROCEDURE {}()\nBEGIN\n    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;\n    START TRANSACTION;\n    DELETE FROM {qname};\n    {}\n    COMMIT;\nEND//\nDELIMITER ;",
                        self.q(&proc),
                        insert.replace('\n', "\n    ")
                    );
                    self.out.push(body);
                    let call = format!("CALL {}();", self.q(&proc));
                    (
                        call.clone(),
                        format!(
                            "{} mysql --defaults-extra-file=\"$HOME/.my.cnf\" \"$DB_NAME\" -e '{}'",
                            s.cron, call
                        ),
                        format!("schedule/refresh_{}.cron", s.name),
                    )
                } else {
                    let script =
                        format!("BEGIN IMMEDIATE;\nDELETE FROM {qname};\n{insert}\nCOMMIT;");
                    files.push(FileOut {
                        name: format!("refresh_{}.sql", s.name),
                        content: format!(
                            "-- Rebuild the summary {} (run on a schedule).\n{script}\n",
                            s.name
                        ),
                    });
                    (
                        script,
                        format!("{} sqlite3 \"$DB_FILE\" < refresh_{}.sql", s.cron, s.name),
                        format!("schedule/refresh_{}.cron", s.name),
                    )
                };
                files.push(FileOut {
                    name: file.clone(),
                    content: format!(
                        "# crontab line: rebuild the summary {} on the schedule `{}`\n{entry}\n",
                        s.name, s.cron
                    ),
                });
                push_unique(
                    &mut self.diffs,
                    format!(
                        "{}: the summary {} is a table rebuilt by {} on the schedule `{}` (cron), not a materialized view; read refreshed_at to see its age.",
                        if d == Dialect::Mysql {
                            "MySQL/MariaDB"
                        } else {
                            "SQLite"
                        },
                        s.name,
                        if d == Dialect::Mysql {
                            format!("the procedure refresh_{}()", s.name)
                        } else {
                            format!("refresh_{}.sql", s.name)
                        },
                        s.cron
                    ),
                );
                let row = IndexRow {
                    index: if nullable_group {
                        ux.clone()
                    } else {
                        pk_name.clone()
                    },
                    table: s.name.clone(),
                    definition: if nullable_group {
                        format!("UNIQUE ({})", self.cols(&gcols))
                    } else {
                        format!("PRIMARY KEY ({})", self.cols(&gcols))
                    },
                    why: "one row per group; the refresh rewrites the table".into(),
                    serves: vec![format!("summary {}", s.name)],
                };
                (
                    row,
                    Schedule {
                        summary: s.name.clone(),
                        kind: "cron".into(),
                        cron: s.cron.clone(),
                        refresh_sql: refresh,
                        entry,
                        file,
                    },
                    files,
                )
            }
        }
    }

    fn down_script(&mut self) {
        let d = self.d;
        let des = self.des;
        let mut v = Vec::new();
        for s in des.summaries.iter().rev() {
            match d {
                Dialect::Postgres => v.push(format!(
                    "DROP MATERIALIZED VIEW IF EXISTS {};",
                    self.tname(&s.name)
                )),
                Dialect::Mysql => {
                    v.push(format!(
                        "DROP PROCEDURE IF EXISTS {};",
                        self.q(&format!("refresh_{}", s.name))
                    ));
                    v.push(format!("DROP TABLE IF EXISTS {};", self.q(&s.name)));
                }
                _ => v.push(format!("DROP TABLE IF EXISTS {};", self.q(&s.name))),
            }
        }
        if d == Dialect::Sqlite {
            for t in des.tables.iter().rev() {
                if !t.searchable().is_empty() {
                    v.push(format!(
                        "DROP TABLE IF EXISTS {};",
                        self.q(&format!("{}_fts", t.name))
                    ));
                }
            }
        }
        if d != Dialect::Sqlite {
            for t in des.tables.iter().rev() {
                for fk in t.foreign_keys.iter().filter(|f| f.deferred) {
                    v.push(match d {
                        Dialect::Mysql => format!(
                            "ALTER TABLE {} DROP FOREIGN KEY {};",
                            self.tname(&t.name),
                            self.q(&fk.name)
                        ),
                        _ => format!(
                            "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {};",
                            self.tname(&t.name),
                            self.q(&fk.name)
                        ),
                    });
                }
            }
        }
        for t in des.tables.iter().rev() {
            v.push(format!("DROP TABLE IF EXISTS {};", self.tname(&t.name)));
        }
        if d == Dialect::Postgres {
            if des.tables.iter().any(|t| t.timestamps) {
                v.push(format!(
                    "DROP FUNCTION IF EXISTS {}();",
                    self.fname("set_updated_at")
                ));
            }
            if des.key == KeyStrategy::Uuidv7 && des.postgres_version < 18 {
                v.push(format!(
                    "DROP FUNCTION IF EXISTS {}();",
                    self.fname("uuid_generate_v7")
                ));
            }
            if let Some(s) = &des.schema {
                v.push(format!(
                    "-- Drops the schema only if nothing else lives in it.\nDROP SCHEMA IF EXISTS {};",
                    self.q(s)
                ));
            }
        }
        self.down = v;
    }
}

fn pg_plain_type(t: &LType) -> &'static str {
    match t {
        LType::Int => "integer",
        LType::Bigint | LType::Key(_) => "bigint",
        LType::Decimal(..) => "numeric",
        LType::Bool => "boolean",
        LType::Date => "date",
        LType::Timestamp => "timestamptz",
        LType::Uuid => "uuid",
        LType::Json => "jsonb",
        _ => "text",
    }
}

//! `KD-schema`: design a schema from a domain spec, or take an existing one (review mode), and
//! deliver the DDL, the index strategy, the ERD, the normalization note, the review of the
//! result, an initial migration and ORM models.
//!
//! Design mode: spec → [`resolve::resolve`] (names, keys, relations, indexes) → [`ddl::render`]
//! per engine → the DDL is parsed back with `catalog::from_sources`, and everything downstream
//! (ERD, review, ORM models, table summary) reads that catalog, so it describes what the engine
//! will hold, not what we meant to emit.

pub mod check;
pub mod cli;
pub mod ddl;
pub mod model;
pub mod naming;
pub mod normalize;
pub mod orm;
pub mod resolve;
pub mod spec;

use crate::catalog::{self, Catalog};
use crate::error::KdError;
use crate::input::SqlInput;
use crate::mcp::registry::ToolCtx;
use crate::sql::{DialectChoice, Source};
pub use check::DesignReview;
pub use ddl::{FileOut, IndexRow, Schedule};
pub use orm::OrmTarget;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Request of `KD-schema`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct SchemaRequest {
    /// Domain spec (design mode); format: resource kd-dba://schema/spec.
    #[serde(default)]
    pub spec: Option<Value>,
    /// Review mode: existing DDL.
    #[serde(flatten)]
    pub input: SqlInput,
    /// postgres, mysql or sqlite (review: also auto).
    #[serde(default)]
    pub dialect: Option<String>,
    /// ORM models to render.
    #[serde(default)]
    pub orm: Vec<OrmTarget>,
    /// Overrides of spec.options.
    #[serde(default)]
    pub options: Option<serde_json::Map<String, Value>>,
}

/// A table.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TableSummary {
    pub name: String,
    pub columns: usize,
    pub primary_key: Vec<String>,
    pub foreign_keys: Vec<String>,
    pub indexes: usize,
}

/// Report of `KD-schema`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SchemaReport {
    /// design or review.
    pub mode: String,
    pub dialect: String,
    pub tables: Vec<TableSummary>,
    /// DDL in dependency order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ddl: Option<String>,
    pub index_strategy: Vec<IndexRow>,
    /// Where this engine differs from the PostgreSQL design.
    pub differences: Vec<String>,
    pub decisions: Vec<String>,
    pub normalization: Vec<String>,
    pub review: DesignReview,
    pub erd_mermaid: String,
    pub schedules: Vec<Schedule>,
    /// 001_init up/down pair.
    pub migration: Vec<FileOut>,
    pub orm: Vec<FileOut>,
    /// Schedule entries, refresh scripts.
    pub files: Vec<FileOut>,
    pub notes: Vec<String>,
}

/// The Mermaid ERD of a designed catalog, drawn by `crate::erd` with its default options.
pub fn erd_mermaid(cat: &Catalog) -> String {
    match crate::erd::render(cat, &crate::erd::ErdOptions::default()) {
        Ok(r) => r.diagrams.mermaid.unwrap_or_default(),
        Err(e) => format!("%% no ERD: {e}\n"),
    }
}

fn table_summaries(cat: &Catalog) -> Vec<TableSummary> {
    cat.tables
        .iter()
        .map(|t| TableSummary {
            name: t.name.to_string(),
            columns: t.columns.len(),
            primary_key: t
                .primary_key
                .as_ref()
                .map(|k| k.columns.clone())
                .unwrap_or_default(),
            foreign_keys: t
                .foreign_keys
                .iter()
                .map(|f| {
                    let mut s = format!(
                        "{} → {}({})",
                        f.columns.join(", "),
                        f.ref_table,
                        f.ref_columns.join(", ")
                    );
                    if f.on_delete != "NO ACTION" {
                        s.push_str(&format!(" ON DELETE {}", f.on_delete));
                    }
                    if f.on_update != "NO ACTION" {
                        s.push_str(&format!(" ON UPDATE {}", f.on_update));
                    }
                    s
                })
                .collect(),
            indexes: cat.indexes_of(&t.name).count(),
        })
        .collect()
}

/// Parse a spec value, applying the request's option overrides and dialect.
pub fn spec_from_request(
    spec: Value,
    options: Option<&serde_json::Map<String, Value>>,
    dialect: Option<&str>,
) -> Result<spec::Spec, KdError> {
    let mut spec = spec;
    let Value::Object(obj) = &mut spec else {
        return Err(KdError::invalid(
            "`spec` must be an object with `entities` (and optionally options, access_patterns, summaries); see examples/ecommerce.json",
        ));
    };
    if options.is_some() || dialect.is_some() {
        let opts = obj
            .entry("options")
            .or_insert_with(|| Value::Object(Default::default()));
        let Value::Object(o) = opts else {
            return Err(KdError::invalid("`spec.options` must be an object"));
        };
        if let Some(over) = options {
            for (k, v) in over {
                o.insert(k.clone(), v.clone());
            }
        }
        if let Some(d) = dialect {
            let td = spec::TargetDialect::parse(d)?;
            o.insert(
                "dialect".into(),
                Value::String(format!("{:?}", td).to_lowercase()),
            );
        }
    }
    spec::from_value(spec)
}

/// Everything design mode produces for one engine.
pub struct Designed {
    pub design: model::Design,
    pub rendered: ddl::Rendered,
    pub parsed: crate::sql::ParsedSql,
    pub catalog: Catalog,
}

/// Resolve and render a spec for its dialect, and parse the DDL back into a catalog.
pub fn design_spec(s: &spec::Spec) -> Result<Designed, KdError> {
    let design = resolve::resolve(s)?;
    let target = s.options.dialect.unwrap_or(spec::TargetDialect::Postgres);
    let d = target.dialect();
    let rendered = ddl::render(&design, d);
    let choice: DialectChoice = match d {
        crate::sql::Dialect::Postgres => DialectChoice::Postgres,
        crate::sql::Dialect::Mysql => DialectChoice::Mysql,
        _ => DialectChoice::Sqlite,
    };
    let (parsed, catalog) = catalog::from_sources(
        &[Source::file("schema.sql", rendered.ddl.clone())],
        choice,
        &crate::limits::Limits::default(),
    )?;
    Ok(Designed {
        design,
        rendered,
        parsed,
        catalog,
    })
}

/// The `KD-schema` engine function.
pub fn schema(req: SchemaRequest, ctx: &ToolCtx) -> Result<SchemaReport, KdError> {
    match (&req.spec, req.input.is_empty()) {
        (Some(_), false) => Err(KdError::invalid(
            "give either `spec` (design a new schema) or `sql`/`paths` (take an existing one), not both",
        )),
        (None, true) => Err(KdError::invalid(
            "give `spec` (a domain spec: {\"entities\": [...]}, see examples/ecommerce.json) to design a schema, or `sql`/`paths` with existing DDL",
        )),
        (Some(spec), true) => {
            let text_len = spec.to_string().len();
            ctx.limits.check_bytes(text_len)?;
            let s = spec_from_request(spec.clone(), req.options.as_ref(), req.dialect.as_deref())?;
            design_report(&s, &req.orm, ctx)
        }
        (None, false) => review_mode(&req, ctx),
    }
}

/// Design mode from a parsed spec.
pub fn design_report(
    s: &spec::Spec,
    orms: &[OrmTarget],
    ctx: &ToolCtx,
) -> Result<SchemaReport, KdError> {
    ctx.progress(0.0, Some(4.0), "resolving the spec");
    let Designed {
        design,
        rendered,
        parsed,
        catalog: cat,
    } = design_spec(s)?;
    ctx.progress(1.0, Some(4.0), "parsed the DDL back into a catalog");
    let review = check::review(&parsed, &cat);
    ctx.progress(2.0, Some(4.0), "reviewed the result");
    let orm = orm::render_all(&cat, orms)?;
    ctx.progress(3.0, Some(4.0), "rendered ORM models");
    let erd = erd_mermaid(&cat);
    let mut notes = vec![
        "The ERD comes from kd-dba's interim Mermaid renderer; the ERD tool (KD-db-erd) draws ASCII, DBML, PlantUML and SVG too.".to_string(),
    ];
    if !orms.is_empty() {
        notes.push("ORM models carry columns, keys, relations, unique keys, plain indexes and simple CHECKs; expression and full-text indexes, triggers and summaries stay in the SQL migration (each file says which).".into());
    }
    Ok(SchemaReport {
        mode: "design".into(),
        dialect: rendered.dialect.as_str().into(),
        tables: table_summaries(&cat),
        ddl: Some(rendered.ddl.clone()),
        index_strategy: rendered.index_rows.clone(),
        differences: rendered.differences.clone(),
        decisions: design.decisions.clone(),
        normalization: design.normalization.clone(),
        review,
        erd_mermaid: erd,
        schedules: rendered.schedules.clone(),
        migration: initial_migration(
            &rendered.ddl,
            &rendered.down,
            cat.dialect,
            s.options.migration_format,
        )?,
        orm,
        files: rendered.files.clone(),
        notes,
    })
}

/// The designed schema as its first migration, in the format asked for, through the
/// KD-db-migrate renderers: one transactional step whose up is the DDL and whose down drops it.
fn initial_migration(
    ddl: &str,
    down: &str,
    dialect: crate::sql::Dialect,
    format: crate::migrate::files::Format,
) -> Result<Vec<FileOut>, KdError> {
    use crate::migrate::{files, plan};
    let limits = crate::limits::Limits::default();
    let statements = |text: &str| -> Result<Vec<String>, KdError> {
        Ok(crate::sql::split::split(text, dialect, &limits)?
            .into_iter()
            .filter(|p| p.kind == crate::sql::split::PieceKind::Statement)
            .map(|p| p.text.trim().trim_end_matches(';').trim_end().to_string())
            .filter(|t| !t.is_empty())
            .collect())
    };
    let step = plan::Step {
        n: 1,
        kind: "create_schema".into(),
        object: "schema".into(),
        summary: "create the designed schema".into(),
        up: statements(ddl)?,
        down: statements(down)?,
        transactional: true,
        down_transactional: true,
        separate: false,
        irreversible: None,
        lock: None,
        hazards: Vec::new(),
    };
    let timeouts = plan::Timeouts {
        lock_timeout: "5s".into(),
        statement_timeout: "0".into(),
    };
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (out, _) = files::render(
        &[step],
        &files::FileOptions {
            format,
            name: "init",
            dialect,
            timeouts: &timeouts,
            existing: files::Existing::default(),
            author: "kd-dba",
            created,
        },
    )?;
    Ok(out
        .into_iter()
        .map(|f| FileOut {
            name: format!("migrations/{}", f.path),
            content: f.content,
        })
        .collect())
}

fn review_mode(req: &SchemaRequest, ctx: &ToolCtx) -> Result<SchemaReport, KdError> {
    let choice: DialectChoice = match &req.dialect {
        Some(d) => d.parse().map_err(KdError::Invalid)?,
        None => DialectChoice::Auto,
    };
    let sources = req.input.sources(ctx.base_dir.as_deref(), &ctx.limits)?;
    ctx.progress(0.0, Some(3.0), "parsing the DDL");
    let (parsed, cat) = catalog::from_sources(&sources, choice, &ctx.limits)?;
    if cat.tables.is_empty() {
        return Err(KdError::invalid(
            "the SQL defines no tables; give the CREATE TABLE statements (a schema file or a migrations folder)",
        ));
    }
    ctx.progress(1.0, Some(3.0), "reviewing");
    let review = check::review(&parsed, &cat);
    let orm = orm::render_all(&cat, &req.orm)?;
    ctx.progress(2.0, Some(3.0), "rendered ORM models");
    let index_strategy = cat
        .indexes
        .iter()
        .map(|i| IndexRow {
            index: i.name.clone(),
            table: i.table.to_string(),
            definition: format!(
                "{}{}({}){}",
                if i.unique { "UNIQUE " } else { "" },
                if i.method != "btree" {
                    format!("USING {} ", i.method)
                } else {
                    String::new()
                },
                i.keys
                    .iter()
                    .map(|k| format!("{}{}", k.expr, if k.descending { " DESC" } else { "" }))
                    .collect::<Vec<_>>()
                    .join(", "),
                i.predicate
                    .as_ref()
                    .map(|p| format!(" WHERE {p}"))
                    .unwrap_or_default()
            ),
            why: match i.origin {
                crate::catalog::IndexOrigin::Explicit => "declared index",
                crate::catalog::IndexOrigin::PrimaryKey => "backs the primary key",
                crate::catalog::IndexOrigin::Unique => "backs a unique constraint",
                crate::catalog::IndexOrigin::ForeignKey => "created by MySQL for a foreign key",
                crate::catalog::IndexOrigin::Exclusion => "backs an exclusion constraint",
            }
            .into(),
            serves: Vec::new(),
        })
        .collect();
    Ok(SchemaReport {
        mode: "review".into(),
        dialect: parsed.dialect.dialect.as_str().into(),
        tables: table_summaries(&cat),
        ddl: None,
        index_strategy,
        differences: Vec::new(),
        decisions: Vec::new(),
        normalization: {
            let n = crate::review::normalize::analyze(&cat);
            let mut v: Vec<String> = n
                .issues
                .iter()
                .map(|i| format!("{}: {}", i.form, i.message))
                .collect();
            v.push(format!("Verdict: {}", n.verdict));
            v
        },
        review,
        erd_mermaid: erd_mermaid(&cat),
        schedules: Vec::new(),
        migration: Vec::new(),
        orm,
        files: Vec::new(),
        notes: vec![
            "Review mode: the existing schema is parsed into the catalog, reviewed with every KD-db-review rule, drawn and rendered as ORM models; KD-db-review with `normalize: true` adds the normal-form analysis and the refactoring proposal.".into(),
        ],
    })
}

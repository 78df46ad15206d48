//! `kd-dba schema ...`: the terminal door of `KD-schema`.

use super::{OrmTarget, SchemaReport};
use crate::error::KdError;
use crate::limits::Limits;
use crate::mcp::registry::ToolCtx;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct SchemaArgs {
    #[command(subcommand)]
    pub command: SchemaCommand,
}

#[derive(Subcommand, Debug)]
pub enum SchemaCommand {
    /// Design a schema from a domain spec (JSON, or YAML for .yaml/.yml files).
    Design(DesignArgs),
    /// Take an existing schema (files or migration folders): tables, ERD, checks, ORM models.
    Review(ReviewArgs),
    /// Print the JSON Schema of the domain spec.
    SpecSchema,
}

#[derive(Args, Debug)]
pub struct DesignArgs {
    /// The spec file (`-` reads JSON from stdin).
    pub spec: String,
    /// postgres, mysql (MariaDB too) or sqlite; overrides the spec's options.dialect.
    #[arg(long)]
    pub dialect: Option<String>,
    /// ORM models to render, comma-separated: prisma, django, typeorm, sequelize, sqlalchemy.
    #[arg(long, value_delimiter = ',')]
    pub orm: Vec<String>,
    /// Write schema.sql, erd.mmd, migrations/, orm/ and schedule files into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// SQL files or migration folders.
    #[arg(required = true)]
    pub files: Vec<String>,
    /// auto, postgres, mysql or sqlite.
    #[arg(long)]
    pub dialect: Option<String>,
    #[arg(long, value_delimiter = ',')]
    pub orm: Vec<String>,
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

fn orm_targets(v: &[String]) -> Result<Vec<OrmTarget>, KdError> {
    v.iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse::<OrmTarget>())
        .collect()
}

pub fn run(a: &SchemaArgs, limits: &Limits) -> Result<(), KdError> {
    let ctx = ToolCtx {
        limits: *limits,
        progress: None,
        base_dir: std::env::current_dir().ok(),
    };
    match &a.command {
        SchemaCommand::SpecSchema => {
            let s = serde_json::to_string_pretty(&super::spec::spec_json_schema())
                .map_err(|e| KdError::Internal(e.to_string()))?;
            crate::cli::out(&s);
            Ok(())
        }
        SchemaCommand::Design(d) => {
            let text = if d.spec == "-" {
                let mut s = String::new();
                use std::io::Read;
                std::io::stdin()
                    .take(limits.max_bytes + 1)
                    .read_to_string(&mut s)
                    .map_err(|e| KdError::input(format!("cannot read stdin: {e}")))?;
                s
            } else {
                std::fs::read_to_string(&d.spec).map_err(|e| {
                    KdError::input(format!(
                        "cannot read the spec {}: {e}; give a JSON or YAML spec file (see examples/ecommerce.json)",
                        d.spec
                    ))
                })?
            };
            limits.check_bytes(text.len())?;
            let lower = d.spec.to_ascii_lowercase();
            let yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
            let value: serde_json::Value = if yaml {
                serde_norway::from_str(&text)
                    .map_err(|e| KdError::invalid(format!("{} is not valid YAML: {e}", d.spec)))?
            } else {
                serde_json::from_str(&text).map_err(|e| {
                    KdError::invalid(format!(
                        "{} is not valid JSON: {e} (YAML specs need a .yaml or .yml name)",
                        d.spec
                    ))
                })?
            };
            let spec = super::spec_from_request(value, None, d.dialect.as_deref())?;
            let report = super::design_report(&spec, &orm_targets(&d.orm)?, &ctx)?;
            finish(&report, d.out.as_deref(), d.json)
        }
        SchemaCommand::Review(r) => {
            let req = super::SchemaRequest {
                spec: None,
                input: crate::input::SqlInput {
                    sql: None,
                    paths: r.files.clone(),
                },
                dialect: r.dialect.clone(),
                orm: orm_targets(&r.orm)?,
                options: None,
            };
            let report = super::schema(req, &ctx)?;
            finish(&report, r.out.as_deref(), r.json)
        }
    }
}

fn finish(report: &SchemaReport, out: Option<&Path>, json: bool) -> Result<(), KdError> {
    if let Some(dir) = out {
        let written = write_files(report, dir)?;
        eprintln!(
            "kd-dba: wrote {} files into {}",
            written.len(),
            dir.display()
        );
        for w in &written {
            eprintln!("  {w}");
        }
    }
    crate::cli::emit(report, json, "schema/design.md")
}

/// Every file of a report: (relative path, content).
pub fn report_files(report: &SchemaReport) -> Vec<(String, String)> {
    let mut v = Vec::new();
    if let Some(ddl) = &report.ddl {
        v.push(("schema.sql".to_string(), ddl.clone()));
    }
    v.push(("erd.mmd".to_string(), report.erd_mermaid.clone()));
    for f in report
        .migration
        .iter()
        .chain(&report.files)
        .chain(&report.orm)
    {
        v.push((f.name.clone(), f.content.clone()));
    }
    v
}

fn write_files(report: &SchemaReport, dir: &Path) -> Result<Vec<String>, KdError> {
    let mut written = Vec::new();
    for (name, content) in report_files(report) {
        let rel = Path::new(&name);
        if rel.is_absolute() || name.contains("..") {
            return Err(KdError::Internal(format!("unsafe output path {name}")));
        }
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| KdError::input(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&p, content)
            .map_err(|e| KdError::input(format!("cannot write {}: {e}", p.display())))?;
        written.push(p.display().to_string());
    }
    Ok(written)
}

//! `kd-dba erd`: the same engine as the `KD-db-erd` tool, for terminals and scripts.
//!
//! One format without `--out` prints the bare diagram (pipe it to a file); `--format all`
//! prints the report with a fenced block per text format; `--out FILE` writes the diagram (for
//! `all`, FILE is a stem: FILE.mmd, FILE.txt, FILE.dbml, FILE.puml, FILE.svg) and prints the
//! report; `--json` prints the report as JSON.

use super::{ColumnMode, ErdReport, ErdRequest, Format};
use crate::error::KdError;
use crate::input::SqlInput;
use crate::limits::Limits;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct ErdArgs {
    /// SQL files or migration folders (`-` reads stdin).
    #[arg(required = true)]
    pub files: Vec<String>,
    /// auto, postgres, mysql (also MariaDB), sqlite or generic.
    #[arg(long, default_value = "auto")]
    pub dialect: String,
    /// mermaid, ascii, dbml, plantuml, svg, png or all.
    #[arg(long, default_value = "mermaid")]
    pub format: String,
    /// Write the diagram to FILE (with --format all: FILE is a stem for one file per format).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Only these tables, comma separated (`orders,users`, `shop.*`, `order_*`).
    #[arg(long, value_delimiter = ',')]
    pub tables: Vec<String>,
    /// Only this table and its neighbours.
    #[arg(long, value_name = "TABLE")]
    pub around: Option<String>,
    /// How many relationships away from --around (default 1).
    #[arg(long, value_name = "N")]
    pub depth: Option<u32>,
    /// Group tables by schema.
    #[arg(long)]
    pub group_by_schema: bool,
    /// Columns in the boxes: auto, all, keys or none.
    #[arg(long, default_value = "auto")]
    pub columns: String,
    /// Also draw `<table>_id` columns without a foreign key (dashed, marked inferred).
    #[arg(long)]
    pub infer: bool,
    /// Draw junction tables as boxes instead of many-to-many lines.
    #[arg(long)]
    pub keep_junctions: bool,
    /// Draw every line, also to tables referenced by many others (which are otherwise written
    /// on the column as `→ table` in drawings of more than 20 tables).
    #[arg(long)]
    pub no_fold_hubs: bool,
    /// Pixels per SVG unit for --format png (default 2).
    #[arg(long, default_value_t = 2.0)]
    pub scale: f32,
    #[arg(long)]
    pub json: bool,
}

fn write_file(path: &Path, text: &[u8]) -> Result<(), KdError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| KdError::input(format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(path, text)
        .map_err(|e| KdError::input(format!("cannot write {}: {e}", path.display())))
}

fn diagram_of(rep: &ErdReport, f: Format) -> Option<&String> {
    match f {
        Format::Mermaid => rep.diagrams.mermaid.as_ref(),
        Format::Ascii => rep.diagrams.ascii.as_ref(),
        Format::Dbml => rep.diagrams.dbml.as_ref(),
        Format::Plantuml => rep.diagrams.plantuml.as_ref(),
        Format::Svg => rep.diagrams.svg.as_ref(),
        Format::Png | Format::All => None,
    }
}

pub fn run(a: &ErdArgs, limits: &Limits) -> Result<(), KdError> {
    let format: Format = a.format.parse()?;
    let columns: ColumnMode = serde_json::from_value(serde_json::Value::String(
        a.columns.to_ascii_lowercase(),
    ))
    .map_err(|_| {
        KdError::invalid(format!(
            "--columns {}: use auto, all, keys or none",
            a.columns
        ))
    })?;
    let dialect = a
        .dialect
        .parse::<crate::sql::DialectChoice>()
        .map_err(KdError::Invalid)?;
    let sources = crate::cli::read_sources(&a.files, limits)?;
    let req = ErdRequest {
        input: SqlInput::default(),
        dialect,
        format,
        image: None,
        tables: a.tables.clone(),
        around: a.around.clone(),
        depth: a.depth,
        group_by_schema: a.group_by_schema,
        columns,
        infer: a.infer,
        collapse_junctions: Some(!a.keep_junctions),
        fold_hubs: Some(!a.no_fold_hubs),
    };
    let mut opts = req.options()?;
    opts.png_scale = a.scale;
    let mut rep = super::report_from_sources(&sources, dialect, &opts, limits)?;
    if format == Format::Png && a.out.is_none() && !a.json {
        return Err(KdError::invalid(
            "--format png writes a binary file: give --out FILE.png",
        ));
    }
    if let Some(out) = &a.out {
        if format == Format::All {
            for f in Format::EACH {
                if let Some(text) = diagram_of(&rep, f) {
                    let p = out.with_extension(f.extension());
                    write_file(&p, text.as_bytes())?;
                    rep.files.push(p.display().to_string());
                }
            }
        } else if let Some(text) = diagram_of(&rep, format) {
            write_file(out, text.as_bytes())?;
            rep.files.push(out.display().to_string());
        }
        if let Some(png) = &rep.diagrams.png {
            let p = if format == Format::All {
                out.with_extension("png")
            } else {
                out.clone()
            };
            write_file(&p, png)?;
            rep.files.push(p.display().to_string());
        }
    }
    if a.json {
        return crate::cli::emit(&rep, true, "");
    }
    if a.out.is_none() && format != Format::All {
        for n in &rep.notes {
            eprintln!("note: {n}");
        }
        if let Some(text) = diagram_of(&rep, format) {
            crate::cli::out(text);
        }
        return Ok(());
    }
    crate::cli::emit(&rep, false, "erd/erd.md")
}

//! `KD-db-erd`: entity-relationship diagrams from DDL or a catalog.
//!
//! [`render`] turns a [`Catalog`] into the requested formats: Mermaid `erDiagram`, the ASCII box
//! diagram, DBML, PlantUML (IE notation) and an SVG picture laid out by [`layout`] (a layered
//! layout with orthogonal edges and crow's-foot markers, no Graphviz). [`model`] decides what is
//! drawn and reads cardinalities from the keys. [`run`] is the tool: SQL in, report and SVG image
//! out.

pub mod ascii;
pub mod cli;
pub mod layout;
pub mod model;
pub mod png;
pub mod svg;
pub mod text;

use crate::catalog::{self, Catalog};
use crate::error::KdError;
use crate::input::SqlInput;
use crate::mcp::registry::{Image, ToolCtx};
use crate::sql::DialectChoice;
use model::{Card, RelKind};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Output format of a diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Mermaid `erDiagram` (renders on GitHub and in most IDEs).
    #[default]
    Mermaid,
    /// Box drawing for terminals.
    Ascii,
    /// DBML (dbdiagram.io).
    Dbml,
    /// PlantUML, IE notation.
    Plantuml,
    /// SVG picture laid out by kd-dba.
    Svg,
    /// The SVG picture rasterised (builds with the `png` feature).
    Png,
    /// Every format.
    All,
}

impl Format {
    pub const EACH: [Format; 5] = [
        Format::Mermaid,
        Format::Ascii,
        Format::Dbml,
        Format::Plantuml,
        Format::Svg,
    ];
    /// The formats `self` stands for (`all`: every text format, SVG, and PNG when built in).
    pub fn expand(self) -> Vec<Format> {
        if self == Format::All {
            let mut v = Self::EACH.to_vec();
            if png::available() {
                v.push(Format::Png);
            }
            v
        } else {
            vec![self]
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Mermaid => "mmd",
            Format::Ascii => "txt",
            Format::Dbml => "dbml",
            Format::Plantuml => "puml",
            Format::Png => "png",
            Format::Svg | Format::All => "svg",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = KdError;
    fn from_str(s: &str) -> Result<Self, KdError> {
        serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase())).map_err(
            |_| {
                KdError::invalid(format!(
                    "unknown format `{s}`; use mermaid, ascii, dbml, plantuml, svg, png or all"
                ))
            },
        )
    }
}

/// Which columns the boxes list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum ColumnMode {
    /// All columns up to 30 tables, key columns beyond.
    #[default]
    Auto,
    All,
    /// Primary, foreign and unique key columns only.
    Keys,
    /// Table names only.
    None,
}

/// What to draw and how.
#[derive(Debug, Clone)]
pub struct ErdOptions {
    /// Formats to produce (`All` expands to every format).
    pub formats: Vec<Format>,
    /// Tables to draw (names, `schema.name`, `*` wildcards); empty = all.
    pub tables: Vec<String>,
    /// Draw this table and its neighbours up to `depth` relationships away.
    pub around: Option<String>,
    /// Pixels per SVG unit of the PNG (1.0 by default).
    pub png_scale: f32,
    pub depth: u32,
    /// Group tables by schema (Mermaid comments, PlantUML packages, DBML TableGroups, SVG frames).
    pub group_by_schema: bool,
    /// Draw junction tables as many-to-many lines (DBML always keeps them).
    pub collapse_junctions: bool,
    /// Also draw relationships implied by `<table>_id` column names (dashed, flagged inferred).
    pub infer: bool,
    pub columns: ColumnMode,
    /// In drawings of more than 20 tables, write references to tables referenced by many others
    /// on the column instead of drawing every line (SVG and ASCII).
    pub fold_hubs: bool,
}

impl Default for ErdOptions {
    fn default() -> Self {
        ErdOptions {
            formats: vec![Format::Mermaid],
            tables: Vec::new(),
            around: None,
            png_scale: 1.0,
            depth: 1,
            group_by_schema: false,
            collapse_junctions: true,
            infer: false,
            columns: ColumnMode::Auto,
            fold_hubs: true,
        }
    }
}

/// One relationship as drawn.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RelLine {
    /// Referencing table (for many-to-many: the first end).
    pub from: String,
    pub from_columns: Vec<String>,
    /// Referenced table.
    pub to: String,
    pub to_columns: Vec<String>,
    /// one-to-many, one-to-one or many-to-many.
    pub cardinality: String,
    /// Cardinality at the `from` end.
    pub from_card: Card,
    /// Cardinality at the `to` end.
    pub to_card: Card,
    /// Short label, e.g. `1:N`, `0..1:N`, `N:M`.
    pub label: String,
    pub kind: RelKind,
    /// Constraint name (for many-to-many: the junction table).
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// The diagram texts. The SVG is not serialised (MCP gets it as image content, the CLI writes
/// it to a file); `svg_bytes` in the report gives its size.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Diagrams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mermaid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ascii: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dbml: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plantuml: Option<String>,
    #[serde(skip)]
    pub svg: Option<String>,
    #[serde(skip)]
    pub png: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErdReport {
    pub dialect: String,
    /// Tables drawn as boxes.
    pub tables: usize,
    /// Tables in the input (partitions excluded).
    pub total_tables: usize,
    /// Junction tables drawn as many-to-many lines.
    pub junction_tables: Vec<String>,
    /// Relationships drawn.
    pub relationships: usize,
    /// Foreign keys between the selected tables (junction FKs counted; DBML draws these).
    pub foreign_keys: usize,
    /// Relationships inferred from column names (with `infer`).
    pub inferred: usize,
    /// Relationships to tables left out of the selection.
    pub outside_relationships: usize,
    pub relationship_list: Vec<RelLine>,
    /// Tables with no relationship in the drawing.
    pub unconnected: Vec<String>,
    pub diagrams: Diagrams,
    /// Size of the SVG picture in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub svg_bytes: Option<usize>,
    /// Size of the PNG picture in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub png_bytes: Option<usize>,
    /// The picture attached as MCP image content (`image/png, 123456 bytes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Files written (CLI `--out`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    pub notes: Vec<String>,
}

/// Render the diagrams `opts` asks for.
pub fn render(cat: &Catalog, opts: &ErdOptions) -> Result<ErdReport, KdError> {
    let d = model::build(cat, opts)?;
    let mut formats: Vec<Format> = opts.formats.iter().flat_map(|f| f.expand()).collect();
    formats.dedup();
    if formats.is_empty() {
        formats.push(Format::Mermaid);
    }
    let mut notes = d.notes.clone();
    let mut diagrams = Diagrams::default();
    for f in &formats {
        match f {
            Format::Mermaid => diagrams.mermaid = Some(text::mermaid(&d)),
            Format::Dbml => diagrams.dbml = Some(text::dbml(&d, cat)),
            Format::Plantuml => diagrams.plantuml = Some(text::plantuml(&d)),
            Format::Ascii => {
                let (s, n) = ascii::render(&d);
                diagrams.ascii = Some(s);
                notes.extend(n);
            }
            Format::Svg => diagrams.svg = Some(svg::render(&d)),
            Format::Png | Format::All => {}
        }
    }
    if formats.contains(&Format::Png) {
        let svg_text = match &diagrams.svg {
            Some(s) => s.clone(),
            None => svg::render(&d),
        };
        diagrams.png = Some(png::render(&svg_text, opts.png_scale)?);
    }
    if d.group_by_schema && d.schemas.len() > 1 {
        if diagrams.mermaid.is_some() {
            notes.push(
                "Mermaid erDiagram has no grouping construct: entities are named schema__table and listed under a %% schema comment"
                    .into(),
            );
        }
        let cross = d
            .rels
            .iter()
            .filter(|r| d.entities[r.child].schema != d.entities[r.parent].schema)
            .count();
        if cross > 0 && (diagrams.svg.is_some() || diagrams.ascii.is_some()) {
            notes.push(format!(
                "{cross} relationships cross schemas: the SVG and ASCII pictures mark them on the column (→ table) instead of drawing a line"
            ));
        }
    }
    if d.outside_rels > 0 {
        notes.push(format!(
            "{} relationships lead to tables outside the selection and are not drawn",
            d.outside_rels
        ));
    }
    let mut connected = vec![false; d.entities.len()];
    for r in &d.rels {
        connected[r.child] = true;
        connected[r.parent] = true;
    }
    let relationship_list: Vec<RelLine> = d
        .rels
        .iter()
        .map(|r| RelLine {
            from: d.entities[r.child].label.clone(),
            from_columns: r.child_cols.clone(),
            to: d.entities[r.parent].label.clone(),
            to_columns: r.parent_cols.clone(),
            cardinality: r.cardinality_name().into(),
            from_card: r.child_card,
            to_card: r.parent_card,
            label: r.short(),
            kind: r.kind,
            name: r.name.clone(),
            via: r.via.map(|v| d.entities[v].label.clone()),
        })
        .collect();
    Ok(ErdReport {
        dialect: cat.dialect.as_str().into(),
        tables: d.box_count(),
        total_tables: d.total_tables,
        junction_tables: d
            .entities
            .iter()
            .filter(|e| e.collapsed)
            .map(|e| e.label.clone())
            .collect(),
        relationships: d.rels.len(),
        foreign_keys: d.fk_rels.len(),
        inferred: d
            .rels
            .iter()
            .filter(|r| r.kind == RelKind::Inferred)
            .count(),
        outside_relationships: d.outside_rels,
        relationship_list,
        unconnected: d
            .boxes()
            .filter(|(i, _)| !connected[*i])
            .map(|(_, e)| e.label.clone())
            .collect(),
        svg_bytes: diagrams.svg.as_ref().map(String::len),
        png_bytes: diagrams.png.as_ref().map(Vec::len),
        image: None,
        diagrams,
        files: Vec::new(),
        notes,
    })
}

/// Which picture the tool attaches as MCP image content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImageKind {
    /// PNG: what vision models read (several clients reject SVG image content).
    Png,
    Svg,
    None,
}

/// Request of the `KD-db-erd` tool.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct ErdRequest {
    #[serde(flatten)]
    pub input: SqlInput,
    /// auto, postgres, mysql, sqlite or generic.
    #[serde(default)]
    pub dialect: DialectChoice,
    /// mermaid (default), ascii, dbml, plantuml, svg, png or all.
    #[serde(default)]
    pub format: Format,
    /// Picture attached for svg/png/all: png (default), svg or none.
    #[serde(default)]
    pub image: Option<ImageKind>,
    /// Only these tables (`orders`, `shop.*`, `order_*`).
    #[serde(default)]
    pub tables: Vec<String>,
    /// Only this table and its neighbours up to `depth` relationships away.
    #[serde(default)]
    pub around: Option<String>,
    /// Neighbourhood depth for `around` (default 1).
    #[serde(default)]
    pub depth: Option<u32>,
    /// Group tables by schema.
    #[serde(default)]
    pub group_by_schema: bool,
    /// auto (default), all, keys or none.
    #[serde(default)]
    pub columns: ColumnMode,
    /// Also draw `<table>_id` columns without a foreign key as dashed inferred relationships.
    #[serde(default)]
    pub infer: bool,
    /// Draw junction tables as many-to-many lines (default true).
    #[serde(default)]
    pub collapse_junctions: Option<bool>,
    /// Over 20 tables, write references to much-referenced tables on the column (default true).
    #[serde(default)]
    pub fold_hubs: Option<bool>,
}

impl ErdRequest {
    pub fn options(&self) -> Result<ErdOptions, KdError> {
        let depth = self.depth.unwrap_or(1);
        if depth > 64 {
            return Err(KdError::invalid(format!(
                "depth {depth} is too large; use 1 to 64 (or leave `around` out to draw everything)"
            )));
        }
        if self.depth.is_some() && self.around.is_none() {
            return Err(KdError::invalid(
                "depth needs around: give the table to centre on, e.g. {\"around\": \"orders\", \"depth\": 2}",
            ));
        }
        Ok(ErdOptions {
            formats: self.format.expand(),
            tables: self
                .tables
                .iter()
                .flat_map(|t| t.split(','))
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            around: self.around.clone().filter(|a| !a.trim().is_empty()),
            png_scale: 1.0,
            depth,
            group_by_schema: self.group_by_schema,
            collapse_junctions: self.collapse_junctions.unwrap_or(true),
            infer: self.infer,
            columns: self.columns,
            fold_hubs: self.fold_hubs.unwrap_or(true),
        })
    }
}

/// Parse the input, render, and add what the parse left out to the notes.
pub fn report_for(
    req: &ErdRequest,
    base_dir: Option<&std::path::Path>,
    limits: &crate::limits::Limits,
) -> Result<ErdReport, KdError> {
    if req.input.is_empty() {
        return Err(KdError::invalid(
            "no schema given: pass `sql` (CREATE TABLE statements) or `paths` (schema files or a migrations folder)",
        ));
    }
    let opts = req.options()?;
    let sources = req.input.sources(base_dir, limits)?;
    report_from_sources(&sources, req.dialect, &opts, limits)
}

/// [`render`] from SQL sources, with parse problems added to the notes.
pub fn report_from_sources(
    sources: &[crate::sql::Source],
    dialect: DialectChoice,
    opts: &ErdOptions,
    limits: &crate::limits::Limits,
) -> Result<ErdReport, KdError> {
    let (parsed, cat) = catalog::from_sources(sources, dialect, limits)?;
    let mut rep = render(&cat, opts)?;
    if parsed.stats.failed > 0 {
        rep.notes.push(format!(
            "{} statements could not be parsed; tables or keys they define may be missing (run `kd-dba parse` for details)",
            parsed.stats.failed
        ));
    }
    for n in cat.notes.iter().take(5) {
        rep.notes.push(format!("catalog: {}", n.message));
    }
    Ok(rep)
}

/// The `KD-db-erd` tool: the report, and the picture as image content when the format is svg,
/// png or all. PNG by default: Claude's API rejects `image/svg+xml` image blocks ("Could not
/// process image"), which breaks the session of a client that forwards them; `image: "svg"`
/// attaches the SVG for clients that display it.
pub fn run(req: ErdRequest, ctx: &ToolCtx) -> Result<(ErdReport, Vec<Image>), KdError> {
    ctx.progress(0.0, Some(2.0), "parsing the schema");
    let mut rep = report_for(&req, ctx.base_dir.as_deref(), &ctx.limits)?;
    ctx.progress(2.0, Some(2.0), "diagram rendered");
    let wants_picture = matches!(req.format, Format::Svg | Format::Png | Format::All);
    let kind = req.image.unwrap_or(if png::available() {
        ImageKind::Png
    } else {
        ImageKind::Svg
    });
    let mut images = Vec::new();
    if wants_picture {
        match kind {
            ImageKind::Png => {
                if rep.diagrams.png.is_none()
                    && let Some(svg) = &rep.diagrams.svg
                {
                    let png = png::render(svg, 1.0)?;
                    rep.png_bytes = Some(png.len());
                    rep.diagrams.png = Some(png);
                }
                if let Some(png) = &rep.diagrams.png {
                    rep.image = Some(format!("image/png, {} bytes", png.len()));
                    images.push(Image {
                        mime: "image/png".into(),
                        data: base64(png),
                    });
                }
            }
            ImageKind::Svg => {
                let svg = match &rep.diagrams.svg {
                    Some(s) => s.clone(),
                    None => {
                        let opts = req.options()?;
                        let sources = req.input.sources(ctx.base_dir.as_deref(), &ctx.limits)?;
                        let (_, cat) = catalog::from_sources(&sources, req.dialect, &ctx.limits)?;
                        svg::render(&model::build(&cat, &opts)?)
                    }
                };
                rep.image = Some(format!("image/svg+xml, {} bytes", svg.len()));
                images.push(Image {
                    mime: "image/svg+xml".into(),
                    data: base64(svg.as_bytes()),
                });
            }
            ImageKind::None => {}
        }
    }
    Ok((rep, images))
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_known_values() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn format_parsing() {
        assert_eq!("SVG".parse::<Format>().unwrap(), Format::Svg);
        assert!("png2".parse::<Format>().is_err());
        assert_eq!(
            Format::All.expand().len(),
            5 + usize::from(png::available())
        );
    }
}

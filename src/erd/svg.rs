//! The SVG picture: boxes listing columns with PK/FK/UK marks and types, orthogonal edges with
//! crow's-foot markers and a short cardinality label, schema frames when grouping. Text is set in
//! a monospace font, so widths are known without font metrics.

use super::layout::{self, Edge, Node, Params, Side};
use super::model::{Card, Diagram, RelKind};
use std::collections::BTreeMap;
use std::fmt::Write;

const FONT: f64 = 12.0;
/// Advance of one character of a monospace font at 12px (DejaVu Sans Mono: 0.602 em), rounded up.
const CW: f64 = 7.3;
const LCW: f64 = 6.1;
const HEADER_H: f64 = 26.0;
const ROW_H: f64 = 18.0;
const PAD: f64 = 8.0;
const MARGIN: f64 = 20.0;
const TITLE_H: f64 = 28.0;
const MARKER: f64 = 24.0;
const FONT_FAMILY: &str = "DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, monospace";

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

fn chars(s: &str) -> f64 {
    s.chars().count() as f64
}

struct BoxRow {
    marks: String,
    name: String,
    ty: String,
    /// Marker for a reference drawn as text (cross-schema when grouping).
    note: String,
}

/// The label drawn next to the child end of an edge.
pub fn edge_label(d: &Diagram, r: &super::model::Rel) -> String {
    let mut s = match r.kind {
        RelKind::ManyToMany => format!(
            "N:M {}",
            r.via.map_or(String::new(), |v| d.entities[v].label.clone())
        ),
        RelKind::Inferred => format!("{} inferred", r.short()),
        RelKind::ForeignKey => r.short(),
    };
    if s.chars().count() > 24 {
        s = s.chars().take(23).collect::<String>() + "…";
    }
    s
}

/// How a relationship that is not drawn as a line is written on its column.
pub fn text_ref(d: &Diagram, r: &super::model::Rel) -> String {
    let p = &d.entities[r.parent].label;
    match r.kind {
        RelKind::ManyToMany => format!(
            "N:M {p} via {}",
            r.via.map_or("?", |v| d.entities[v].label.as_str())
        ),
        RelKind::Inferred => format!("→ {p} (inferred)"),
        RelKind::ForeignKey => format!("→ {p}"),
    }
}

/// Port of a relationship end: the row of its first column among the drawn attributes, or the
/// header (port index `attrs.len()`) for many-to-many lines and columns not drawn.
pub fn port_of(d: &Diagram, ent: usize, cols: &[String], header: bool) -> usize {
    let e = &d.entities[ent];
    if header {
        return e.attrs.len();
    }
    cols.first()
        .and_then(|c| e.attrs.iter().position(|a| a.name.eq_ignore_ascii_case(c)))
        .unwrap_or(e.attrs.len())
}

/// Everything the picture needs before drawing: boxes, their rows, the layout.
pub struct Plan {
    /// Entity index of each box.
    pub boxes: Vec<usize>,
    rows_of: Vec<Vec<BoxRow>>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    rel_of_edge: Vec<usize>,
    labels: Vec<String>,
    groups: Vec<String>,
    pub layout: layout::Layout,
}

/// Lay the diagram out (the SVG renderer's geometry, exposed for tests and benchmarks).
pub fn plan(d: &Diagram) -> Plan {
    // Boxes (collapsed junctions excluded) get layout indexes.
    let boxes: Vec<usize> = d.boxes().map(|(i, _)| i).collect();
    let mut node_of: BTreeMap<usize, usize> = BTreeMap::new();
    for (n, &e) in boxes.iter().enumerate() {
        node_of.insert(e, n);
    }
    let groups: Vec<String> = d.schemas.clone();
    let grouped = d.group_by_schema && groups.len() > 1;
    // Cross-group references and references to hubs are written on the column.
    let mut notes: BTreeMap<(usize, usize), String> = BTreeMap::new();
    for r in d.rels.iter().filter(|r| d.as_text(r)) {
        let row = port_of(d, r.child, &r.child_cols, false);
        notes
            .entry((r.child, row))
            .or_insert_with(|| text_ref(d, r));
    }
    let mut rows_of: Vec<Vec<BoxRow>> = Vec::new();
    let mut nodes = Vec::new();
    for &e in &boxes {
        let ent = &d.entities[e];
        let mut rows: Vec<BoxRow> = ent
            .attrs
            .iter()
            .enumerate()
            .map(|(i, a)| BoxRow {
                marks: a.marks().join(","),
                name: a.name.clone(),
                ty: a.ty.clone(),
                note: notes.get(&(e, i)).cloned().unwrap_or_default(),
            })
            .collect();
        if ent.hidden > 0 {
            rows.push(BoxRow {
                marks: String::new(),
                name: if ent.attrs.is_empty() {
                    format!("{} columns", ent.hidden)
                } else {
                    format!("… {} more", ent.hidden)
                },
                ty: String::new(),
                note: String::new(),
            });
        }
        let marks_w = rows.iter().map(|r| chars(&r.marks)).fold(0.0, f64::max);
        let name_w = rows
            .iter()
            .map(|r| {
                chars(&r.name)
                    + if r.note.is_empty() {
                        0.0
                    } else {
                        1.0 + chars(&r.note)
                    }
            })
            .fold(0.0, f64::max);
        let ty_w = rows.iter().map(|r| chars(&r.ty)).fold(0.0, f64::max);
        let body = (if marks_w > 0.0 { marks_w + 1.0 } else { 0.0 })
            + name_w
            + if ty_w > 0.0 { 2.0 + ty_w } else { 0.0 };
        let w = (2.0 * PAD + body * CW)
            .max(2.0 * PAD + chars(&ent.label) * (CW + 0.6))
            .max(90.0)
            .ceil();
        let h = HEADER_H + rows.len() as f64 * ROW_H + if rows.is_empty() { 0.0 } else { 4.0 };
        let ports = (0..ent.attrs.len())
            .map(|i| HEADER_H + i as f64 * ROW_H + ROW_H / 2.0)
            .chain(std::iter::once(HEADER_H / 2.0))
            .collect();
        nodes.push(Node {
            w,
            h,
            ports,
            group: groups.iter().position(|g| *g == ent.schema).unwrap_or(0),
            key: format!("{}\u{0}{}", ent.schema, ent.label),
        });
        rows_of.push(rows);
    }
    let mut edges = Vec::new();
    let mut rel_of_edge = Vec::new();
    for (ri, r) in d.rels.iter().enumerate() {
        let (Some(&a), Some(&b)) = (node_of.get(&r.parent), node_of.get(&r.child)) else {
            continue;
        };
        if d.as_text(r) {
            continue;
        }
        edges.push(Edge {
            a,
            a_port: port_of(d, r.parent, &r.parent_cols, r.kind == RelKind::ManyToMany),
            b,
            b_port: port_of(d, r.child, &r.child_cols, r.kind == RelKind::ManyToMany),
        });
        rel_of_edge.push(ri);
    }
    let labels: Vec<String> = rel_of_edge
        .iter()
        .map(|&ri| edge_label(d, &d.rels[ri]))
        .collect();
    let max_label = labels.iter().map(|l| chars(l)).fold(0.0, f64::max);
    let params = Params {
        end_len: (MARKER + max_label * LCW + 8.0).ceil(),
        track: 9.0,
        node_gap: 24.0,
        dummy_h: 12.0,
        block_gap: 48.0,
        integral: false,
        group_title: 26.0,
        group_pad: 16.0,
        grouped,
    };
    let lay = layout::layout(&nodes, &edges, &params);
    Plan {
        boxes,
        rows_of,
        nodes,
        edges,
        rel_of_edge,
        labels,
        groups,
        layout: lay,
    }
}

pub fn render(d: &Diagram) -> String {
    let Plan {
        boxes,
        rows_of,
        nodes,
        edges: _,
        rel_of_edge,
        labels,
        groups,
        layout: lay,
    } = plan(d);
    let ox = MARGIN;
    let oy = MARGIN + TITLE_H;
    let width = (lay.width + 2.0 * MARGIN).max(320.0).ceil();
    let height = (lay.height + 2.0 * MARGIN + TITLE_H).ceil();

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{FONT_FAMILY}" font-size="{FONT}">"#
    );
    s.push_str(
        "<style>.h{font-weight:bold;fill:#fff}.n{fill:#1f2933}.t{fill:#6b7785}.pk{fill:#a15c00;font-weight:bold}.fk{fill:#1d6fb8;font-weight:bold}.uk{fill:#7b3fa0;font-weight:bold}.l{font-size:10px;fill:#3e4c59}.e{fill:none;stroke:#52606d;stroke-width:1.3}.mm{stroke:#8e44ad}.inf{stroke-dasharray:5 4;stroke:#9aa5b1}.m{fill:none;stroke:#52606d;stroke-width:1.3}.x{fill:#7b8794;font-style:italic}</style>\n",
    );
    let _ = writeln!(
        s,
        r##"<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>"##
    );
    let title = format!(
        "{} tables, {} relationships{}{}",
        boxes.len(),
        d.rels.len(),
        {
            let t = d.rels.iter().filter(|r| d.as_text(r)).count();
            if t > 0 {
                format!(" ({t} written on the column as → table)")
            } else {
                String::new()
            }
        },
        if d.outside_rels > 0 {
            format!(" ({} to tables not shown)", d.outside_rels)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        r##"<text x="{MARGIN}" y="{}" font-size="13" fill="#3e4c59">{}</text>"##,
        MARGIN + 12.0,
        esc(&title)
    );
    // Group frames.
    for f in &lay.frames {
        let name = groups.get(f.group).map(String::as_str).unwrap_or("");
        let _ = writeln!(
            s,
            r##"<g><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" fill="#f5f7fa" stroke="#9aa5b1" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" font-weight="bold" fill="#52606d">schema {}</text></g>"##,
            f.x + ox,
            f.y + oy,
            f.w,
            f.h,
            f.x + ox + 10.0,
            f.y + oy + 18.0,
            esc(if name.is_empty() { "(default)" } else { name })
        );
    }
    // Edges.
    for route in &lay.routes {
        let ri = rel_of_edge[route.edge];
        let r = &d.rels[ri];
        let class = match r.kind {
            RelKind::ForeignKey => "e",
            RelKind::ManyToMany => "e mm",
            RelKind::Inferred => "e inf",
        };
        let mut path = String::new();
        for (k, (x, y)) in route.points.iter().enumerate() {
            let _ = write!(
                path,
                "{}{:.1} {:.1}",
                if k == 0 { "M" } else { " L" },
                x + ox,
                y + oy
            );
        }
        let tip = format!(
            "{} ({}) → {} ({}): {}{}",
            d.entities[r.child].label,
            r.child_cols.join(", "),
            d.entities[r.parent].label,
            r.parent_cols.join(", "),
            r.cardinality_name(),
            if r.kind == RelKind::ForeignKey {
                format!(", {}", r.name)
            } else {
                String::new()
            }
        );
        let _ = writeln!(
            s,
            r#"<g><title>{}</title><path class="{class}" d="{path}"/>"#,
            esc(&tip)
        );
        let (Some(&first), Some(&last)) = (route.points.first(), route.points.last()) else {
            s.push_str("</g>\n");
            continue;
        };
        let stroke = match r.kind {
            RelKind::ManyToMany => "#8e44ad",
            RelKind::Inferred => "#9aa5b1",
            RelKind::ForeignKey => "#52606d",
        };
        marker(
            &mut s,
            first.0 + ox,
            first.1 + oy,
            route.parent_side,
            r.parent_card,
            stroke,
        );
        marker(
            &mut s,
            last.0 + ox,
            last.1 + oy,
            route.child_side,
            r.child_card,
            stroke,
        );
        let label = &labels[route.edge];
        let (lx, anchor) = match route.child_side {
            Side::Left => (last.0 + ox - MARKER, "end"),
            Side::Right => (last.0 + ox + MARKER, "start"),
        };
        let _ = writeln!(
            s,
            r#"<text class="l" x="{lx:.1}" y="{:.1}" text-anchor="{anchor}">{}</text></g>"#,
            last.1 + oy - 4.0,
            esc(label)
        );
    }
    // Boxes.
    for (n, &e) in boxes.iter().enumerate() {
        let ent = &d.entities[e];
        let (x, y) = (lay.pos[n].0 + ox, lay.pos[n].1 + oy);
        let node = &nodes[n];
        let rows = &rows_of[n];
        let marks_w = rows.iter().map(|r| chars(&r.marks)).fold(0.0, f64::max);
        let name_x = x
            + PAD
            + if marks_w > 0.0 {
                (marks_w + 1.0) * CW
            } else {
                0.0
            };
        let _ = write!(s, "<g><title>{}", esc(&ent.label));
        if let Some(c) = &ent.comment {
            let _ = write!(s, ": {}", esc(c));
        }
        let _ = writeln!(s, "</title>");
        let _ = writeln!(
            s,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" rx="4" fill="#ffffff" stroke="#336791" stroke-width="1.2"/>"##,
            node.w, node.h
        );
        let _ = writeln!(
            s,
            r##"<path d="M{x:.1} {:.1} v-{:.1} a4 4 0 0 1 4 -4 h{:.1} a4 4 0 0 1 4 4 v{:.1} z" fill="#336791"/>"##,
            y + HEADER_H,
            HEADER_H - 4.0,
            node.w - 8.0,
            HEADER_H - 4.0
        );
        let _ = writeln!(
            s,
            r#"<text class="h" x="{:.1}" y="{:.1}">{}</text>"#,
            x + PAD,
            y + 17.5,
            esc(&ent.label)
        );
        for (i, r) in rows.iter().enumerate() {
            let ry = y + HEADER_H + i as f64 * ROW_H + 13.0;
            if i % 2 == 1 {
                let _ = writeln!(
                    s,
                    r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{ROW_H}" fill="#f3f6f9"/>"##,
                    x + 1.0,
                    y + HEADER_H + i as f64 * ROW_H,
                    node.w - 2.0
                );
            }
            if !r.marks.is_empty() {
                let class = if r.marks.starts_with("PK") {
                    "pk"
                } else if r.marks.starts_with("FK") {
                    "fk"
                } else {
                    "uk"
                };
                let _ = writeln!(
                    s,
                    r#"<text class="{class}" x="{:.1}" y="{ry:.1}">{}</text>"#,
                    x + PAD,
                    esc(&r.marks)
                );
            }
            let is_more = i >= ent.attrs.len();
            let _ = write!(
                s,
                r#"<text class="{}" x="{name_x:.1}" y="{ry:.1}">{}"#,
                if is_more { "x" } else { "n" },
                esc(&r.name)
            );
            if !r.note.is_empty() {
                let _ = write!(s, r#" <tspan class="x">{}</tspan>"#, esc(&r.note));
            }
            s.push_str("</text>\n");
            if !r.ty.is_empty() {
                let _ = writeln!(
                    s,
                    r#"<text class="t" x="{:.1}" y="{ry:.1}" text-anchor="end">{}</text>"#,
                    x + node.w - PAD,
                    esc(&r.ty)
                );
            }
        }
        s.push_str("</g>\n");
    }
    s.push_str("</svg>\n");
    s
}

/// Crow's-foot marker at a line end on a box side.
fn marker(s: &mut String, x: f64, y: f64, side: Side, card: Card, stroke: &str) {
    let dir = if side == Side::Right { 1.0 } else { -1.0 };
    let at = |d: f64| x + dir * d;
    let bar = |s: &mut String, d: f64| {
        let _ = write!(
            s,
            r#"<path class="m" stroke="{stroke}" d="M{:.1} {:.1} V{:.1}"/>"#,
            at(d),
            y - 6.0,
            y + 6.0
        );
    };
    let circle = |s: &mut String, d: f64| {
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{y:.1}" r="3.5" fill="#ffffff" stroke="{stroke}" stroke-width="1.3"/>"##,
            at(d)
        );
    };
    let crow = |s: &mut String| {
        let _ = write!(
            s,
            r#"<path class="m" stroke="{stroke}" d="M{:.1} {:.1} L{:.1} {y:.1} L{:.1} {:.1}"/>"#,
            at(0.0),
            y - 6.0,
            at(12.0),
            at(0.0),
            y + 6.0
        );
    };
    match card {
        Card::ExactlyOne => {
            bar(s, 8.0);
            bar(s, 13.0);
        }
        Card::ZeroOrOne => {
            bar(s, 8.0);
            circle(s, 17.0);
        }
        Card::ZeroOrMore => {
            crow(s);
            circle(s, 17.0);
        }
        Card::OneOrMore => {
            crow(s);
            bar(s, 16.0);
        }
    }
    s.push('\n');
}

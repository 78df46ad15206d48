//! The ASCII box diagram of the role card: boxes with key-marked columns joined by lines that
//! carry `1`/`0..1` at the referenced end and `N`/`1` at the referencing end (`N`…`M` for
//! many-to-many). Boxes are placed by the same layered layout as the SVG, in character cells,
//! so lines run only between boxes and never through them.
//!
//! Up to [`MAX_LINKED`] boxes are drawn with lines. Beyond that a terminal picture with lines
//! stops being readable; the boxes are then packed in a grid and the relationships are listed
//! under it, one per line.

use super::layout::{self, Edge, Node, Params, Side};
use super::model::{Card, Diagram, RelKind};
use std::collections::BTreeMap;

/// Most boxes drawn with connecting lines.
pub const MAX_LINKED: usize = 15;

const UP: u8 = 1;
const DOWN: u8 = 2;
const LEFT: u8 = 4;
const RIGHT: u8 = 8;

fn glyph(mask: u8) -> char {
    match mask {
        m if m == LEFT | RIGHT || m == LEFT || m == RIGHT => '─',
        m if m == UP | DOWN || m == UP || m == DOWN => '│',
        m if m == RIGHT | DOWN => '┌',
        m if m == LEFT | DOWN => '┐',
        m if m == UP | RIGHT => '└',
        m if m == UP | LEFT => '┘',
        m if m == UP | DOWN | RIGHT => '├',
        m if m == UP | DOWN | LEFT => '┤',
        m if m == LEFT | RIGHT | DOWN => '┬',
        m if m == LEFT | RIGHT | UP => '┴',
        _ => '┼',
    }
}

struct Canvas {
    cells: Vec<Vec<char>>,
    lines: Vec<Vec<u8>>,
}

impl Canvas {
    fn new(w: usize, h: usize) -> Self {
        Canvas {
            cells: vec![vec![' '; w]; h],
            lines: vec![vec![0; w]; h],
        }
    }
    fn put(&mut self, x: i64, y: i64, c: char) {
        if y >= 0 && (y as usize) < self.cells.len() && x >= 0 && (x as usize) < self.cells[0].len()
        {
            self.cells[y as usize][x as usize] = c;
        }
    }
    fn text(&mut self, x: i64, y: i64, s: &str) {
        for (i, c) in s.chars().enumerate() {
            self.put(x + i as i64, y, c);
        }
    }
    fn mark(&mut self, x: i64, y: i64, bits: u8) {
        if y >= 0 && (y as usize) < self.lines.len() && x >= 0 && (x as usize) < self.lines[0].len()
        {
            self.lines[y as usize][x as usize] |= bits;
        }
    }
    /// An orthogonal segment between two cells (inclusive).
    fn seg(&mut self, a: (i64, i64), b: (i64, i64)) {
        if a.1 == b.1 {
            let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
            for x in x0..=x1 {
                let mut bits = 0;
                if x > x0 {
                    bits |= LEFT;
                }
                if x < x1 {
                    bits |= RIGHT;
                }
                if x0 == x1 {
                    bits = LEFT | RIGHT;
                }
                self.mark(x, a.1, bits);
            }
        } else {
            let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
            for y in y0..=y1 {
                let mut bits = 0;
                if y > y0 {
                    bits |= UP;
                }
                if y < y1 {
                    bits |= DOWN;
                }
                self.mark(a.0, y, bits);
            }
        }
    }
    fn finish(self) -> String {
        let mut out = String::new();
        for (row, marks) in self.cells.into_iter().zip(self.lines) {
            let line: String = row
                .into_iter()
                .zip(marks)
                .map(|(c, m)| if c == ' ' && m != 0 { glyph(m) } else { c })
                .collect();
            out.push_str(line.trim_end());
            out.push('\n');
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

fn parent_mark(c: Card) -> &'static str {
    match c {
        Card::ZeroOrOne => "0..1",
        _ => "1",
    }
}

fn child_mark(r: &super::model::Rel) -> &'static str {
    match (r.kind, r.child_card.many()) {
        (RelKind::ManyToMany, _) => "N",
        (_, true) => "N",
        (_, false) => "1",
    }
}

/// Render the diagram; returns the text and notes about what was done.
pub fn render(d: &Diagram) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let boxes: Vec<usize> = d.boxes().map(|(i, _)| i).collect();
    let linked = boxes.len() <= MAX_LINKED;
    if !linked {
        notes.push(format!(
            "ASCII: {} tables are too many for connecting lines in a terminal; boxes are packed in a grid and relationships listed below them (use tables or around for a linked drawing of up to {MAX_LINKED} tables)",
            boxes.len()
        ));
    }
    let mut node_of: BTreeMap<usize, usize> = BTreeMap::new();
    for (n, &e) in boxes.iter().enumerate() {
        node_of.insert(e, n);
    }
    let grouped = d.group_by_schema && d.schemas.len() > 1;
    let port_of = |e: usize, cols: &[String], header: bool| -> usize {
        super::svg::port_of(d, e, cols, header)
    };
    let mut notes_at: BTreeMap<(usize, usize), String> = BTreeMap::new();
    if linked {
        for r in d.rels.iter().filter(|r| d.as_text(r)) {
            notes_at
                .entry((r.child, port_of(r.child, &r.child_cols, false)))
                .or_insert_with(|| format!(" {}", super::svg::text_ref(d, r)));
        }
    }
    // Box contents.
    let mut contents: Vec<(String, Vec<String>)> = Vec::new();
    let mut nodes = Vec::new();
    for &e in &boxes {
        let ent = &d.entities[e];
        let name_w = ent
            .attrs
            .iter()
            .map(|a| a.name.chars().count())
            .max()
            .unwrap_or(0);
        let mut rows: Vec<String> = ent
            .attrs
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let marks = a.marks().join(",");
                let mut s = if marks.is_empty() {
                    a.name.clone()
                } else {
                    format!("{:<name_w$} {marks}", a.name)
                };
                if let Some(n) = notes_at.get(&(e, i)) {
                    s.push_str(n);
                }
                s.trim_end().to_string()
            })
            .collect();
        if ent.hidden > 0 {
            rows.push(if ent.attrs.is_empty() {
                format!("({} columns)", ent.hidden)
            } else {
                format!("… {} more", ent.hidden)
            });
        }
        let inner = rows
            .iter()
            .map(|r| r.chars().count())
            .chain(std::iter::once(ent.label.chars().count()))
            .max()
            .unwrap_or(1);
        let w = inner + 4;
        let h = if rows.is_empty() { 3 } else { rows.len() + 4 };
        nodes.push(Node {
            w: w as f64,
            h: h as f64,
            ports: (0..ent.attrs.len())
                .map(|i| (3 + i) as f64)
                .chain(std::iter::once(1.0))
                .collect(),
            group: d.schemas.iter().position(|g| *g == ent.schema).unwrap_or(0),
            key: format!("{}\u{0}{}", ent.schema, ent.label),
        });
        contents.push((ent.label.clone(), rows));
    }
    let mut edges = Vec::new();
    let mut rel_of_edge = Vec::new();
    if linked {
        for (ri, r) in d.rels.iter().enumerate() {
            let (Some(&a), Some(&b)) = (node_of.get(&r.parent), node_of.get(&r.child)) else {
                continue;
            };
            if d.as_text(r) {
                continue;
            }
            edges.push(Edge {
                a,
                a_port: port_of(r.parent, &r.parent_cols, r.kind == RelKind::ManyToMany),
                b,
                b_port: port_of(r.child, &r.child_cols, r.kind == RelKind::ManyToMany),
            });
            rel_of_edge.push(ri);
        }
    }
    let params = Params {
        end_len: 7.0,
        track: 2.0,
        node_gap: 1.0,
        dummy_h: 1.0,
        block_gap: 3.0,
        integral: true,
        group_title: 1.0,
        group_pad: 2.0,
        grouped,
    };
    let lay = layout::layout(&nodes, &edges, &params);
    let w = lay.width.ceil() as usize + 2;
    let h = lay.height.ceil() as usize + 2;
    let mut cv = Canvas::new(w, h);
    // Group frames.
    for f in &lay.frames {
        let (x0, y0) = (f.x as i64, f.y as i64);
        let (x1, y1) = (x0 + f.w as i64 - 1, y0 + f.h as i64 - 1);
        for x in x0..=x1 {
            cv.put(x, y0, '┈');
            cv.put(x, y1, '┈');
        }
        for y in y0..=y1 {
            cv.put(x0, y, '┊');
            cv.put(x1, y, '┊');
        }
        let name = d.schemas.get(f.group).map(String::as_str).unwrap_or("");
        cv.text(
            x0 + 2,
            y0,
            &format!(
                " schema {} ",
                if name.is_empty() { "(default)" } else { name }
            ),
        );
    }
    // Edges: line cells first, labels after.
    let mut border_marks: Vec<(i64, i64, char)> = Vec::new();
    let mut labels: Vec<(i64, i64, String)> = Vec::new();
    type Label = (i64, i64, String);
    let mut pending: Vec<(Label, Label, Label)> = Vec::new();
    for route in &lay.routes {
        let r = &d.rels[rel_of_edge[route.edge]];
        let mut pts: Vec<(i64, i64)> = route
            .points
            .iter()
            .map(|(x, y)| (x.round() as i64, y.round() as i64))
            .collect();
        if pts.len() < 2 {
            continue;
        }
        // A point on a box's left side is the border cell: stop one cell before it.
        let n = pts.len();
        let ends = [(0usize, route.parent_side), (n - 1, route.child_side)];
        for &(i, side) in &ends {
            if side == Side::Left {
                pts[i].0 -= 1;
                border_marks.push((pts[i].0 + 1, pts[i].1, '┤'));
            } else {
                border_marks.push((pts[i].0 - 1, pts[i].1, '├'));
            }
        }
        for wdw in pts.windows(2) {
            cv.seg(wdw[0], wdw[1]);
        }
        let inward = |i: usize, side: Side, text: &str| -> (i64, i64, String) {
            let (x, y) = pts[i];
            let len = text.chars().count() as i64;
            match side {
                Side::Right => (x + 1, y, text.to_string()),
                Side::Left => (x - len, y, text.to_string()),
            }
        };
        let pm = if r.kind == RelKind::ManyToMany {
            "M"
        } else {
            parent_mark(r.parent_card)
        };
        // (parent label, child label, the child label with both ends for shared ports).
        let full = if r.kind == RelKind::ManyToMany {
            "M:N".to_string()
        } else {
            format!("{pm}:{}", child_mark(r))
        };
        pending.push((
            inward(0, route.parent_side, pm),
            inward(n - 1, route.child_side, child_mark(r)),
            inward(n - 1, route.child_side, &full),
        ));
    }
    // Edges leaving one port with different marks at the referenced end (a NOT NULL and a
    // nullable FK to the same key): the port gets no mark, each child end gets both (`0..1:N`).
    let mut at_port: BTreeMap<(i64, i64), Vec<String>> = BTreeMap::new();
    for (p, _, _) in &pending {
        at_port.entry((p.0, p.1)).or_default().push(p.2.clone());
    }
    for (p, c, full) in pending {
        let marks = &at_port[&(p.0, p.1)];
        if marks.iter().all(|m| *m == marks[0]) {
            labels.push(p);
            labels.push(c);
        } else {
            labels.push(full);
        }
    }
    // Boxes.
    for (n, (label, rows)) in contents.iter().enumerate() {
        let (x, y) = (lay.pos[n].0 as i64, lay.pos[n].1 as i64);
        let bw = nodes[n].w as i64;
        let inner = (bw - 2) as usize;
        let horiz = "─".repeat(inner);
        cv.text(x, y, &format!("┌{horiz}┐"));
        let lw = label.chars().count();
        let left = (inner - lw) / 2;
        cv.text(
            x,
            y + 1,
            &format!(
                "│{}{}{}│",
                " ".repeat(left),
                label,
                " ".repeat(inner - lw - left)
            ),
        );
        if rows.is_empty() {
            cv.text(x, y + 2, &format!("└{horiz}┘"));
            continue;
        }
        cv.text(x, y + 2, &format!("├{horiz}┤"));
        for (i, r) in rows.iter().enumerate() {
            let pad = inner - 1 - r.chars().count();
            cv.text(x, y + 3 + i as i64, &format!("│ {r}{}│", " ".repeat(pad)));
        }
        cv.text(x, y + 3 + rows.len() as i64, &format!("└{horiz}┘"));
    }
    for (x, y, c) in border_marks {
        cv.put(x, y, c);
    }
    for (x, y, t) in labels {
        cv.text(x, y, &t);
    }
    let mut out = cv.finish();
    if !linked && !d.rels.is_empty() {
        out.push('\n');
        for r in &d.rels {
            let (c, p) = (&d.entities[r.child], &d.entities[r.parent]);
            let pm = if r.kind == RelKind::ManyToMany {
                "M"
            } else {
                parent_mark(r.parent_card)
            };
            out.push_str(&format!(
                "{}.{} {}───{} {}.{}{}\n",
                c.label,
                r.child_cols.join(","),
                child_mark(r),
                pm,
                p.label,
                r.parent_cols.join(","),
                match r.kind {
                    RelKind::ManyToMany => format!(
                        "  (via {})",
                        r.via.map_or("", |v| d.entities[v].label.as_str())
                    ),
                    RelKind::Inferred => "  (inferred)".into(),
                    RelKind::ForeignKey => String::new(),
                }
            ));
        }
    }
    (out, notes)
}

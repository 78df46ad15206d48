//! Layered (Sugiyama-style) layout of table boxes with orthogonal edges, shared by the SVG and
//! the ASCII renderer (which runs it in character units).
//!
//! 1. **Components.** Connected tables are laid out per connected component; tables with no
//!    relationship are packed into a grid after the components (by group, then name).
//! 2. **Layers.** Edges point from the referenced (parent) table to the referencing one; cycles
//!    are broken by a depth-first search; layers are longest paths from the roots, then tables
//!    that are only referenced move right next to their nearest child. Layers run left to right,
//!    so an edge leaves a box's right side at the row of the referenced column and enters the
//!    next box's left side at the row of the foreign-key column.
//! 3. **Dummies.** An edge that spans several layers gets a dummy node in every layer it
//!    crosses; dummies take a slot in the layer, so no box sits on the edge's path.
//! 4. **Crossing reduction.** Barycenter ordering, alternating sweeps, keeping the order with
//!    the fewest crossings.
//! 5. **Coordinates.** Within a layer boxes keep their order; their vertical positions minimise
//!    the squared distance between connected ports under the no-overlap constraints (isotonic
//!    regression by pool-adjacent-violators), alternating sweeps.
//! 6. **Routing.** Between two layers each edge that changes height gets its own vertical track
//!    (edges leaving the same port share one); tracks are ordered to avoid avoidable crossings,
//!    and the gap between layers is as wide as its tracks need. Boxes never overlap and edges run
//!    only through the gaps between layers and through their dummies' slots, so no edge crosses
//!    a box.

use std::collections::BTreeMap;

/// A box to place.
#[derive(Debug, Clone)]
pub struct Node {
    pub w: f64,
    pub h: f64,
    /// Vertical offsets of the attach points (attribute rows) from the top of the box.
    pub ports: Vec<f64>,
    /// Group (schema) index; groups are laid out as separate blocks when grouping is on.
    pub group: usize,
    /// Sort key for packing unconnected boxes.
    pub key: String,
}

/// A relationship: `a` is the referenced (parent) side, `b` the referencing (child) side.
#[derive(Debug, Clone)]
pub struct Edge {
    pub a: usize,
    pub a_port: usize,
    pub b: usize,
    pub b_port: usize,
}

#[derive(Debug, Clone)]
pub struct Params {
    /// Minimum horizontal run at each end of an edge (room for markers and labels).
    pub end_len: f64,
    /// Distance between vertical tracks.
    pub track: f64,
    /// Vertical gap between boxes in a layer.
    pub node_gap: f64,
    /// Height of a dummy slot.
    pub dummy_h: f64,
    /// Gap between packed blocks.
    pub block_gap: f64,
    /// Snap coordinates to integers (character cells).
    pub integral: bool,
    /// Room above a group's content for its title.
    pub group_title: f64,
    /// Padding inside a group frame.
    pub group_pad: f64,
    /// Lay out groups as separate framed blocks.
    pub grouped: bool,
}

/// One end of a routed edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Side {
    Left,
    Right,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub edge: usize,
    /// Orthogonal polyline, from the parent's port to the child's port.
    pub points: Vec<(f64, f64)>,
    /// Which side of the parent / child box the line attaches to.
    pub parent_side: Side,
    pub child_side: Side,
}

#[derive(Debug, Clone)]
pub struct Frame {
    pub group: usize,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub pos: Vec<(f64, f64)>,
    pub routes: Vec<Route>,
    /// Edges not routed (between groups when grouping is on).
    pub unrouted: Vec<usize>,
    pub frames: Vec<Frame>,
    pub width: f64,
    pub height: f64,
}

/// A laid-out block in local coordinates.
struct Block {
    nodes: Vec<usize>,
    pos: Vec<(f64, f64)>,
    routes: Vec<Route>,
    frames: Vec<Frame>,
    w: f64,
    h: f64,
}

impl Block {
    fn shift(&mut self, dx: f64, dy: f64) {
        for p in &mut self.pos {
            p.0 += dx;
            p.1 += dy;
        }
        for r in &mut self.routes {
            for p in &mut r.points {
                p.0 += dx;
                p.1 += dy;
            }
        }
        for f in &mut self.frames {
            f.x += dx;
            f.y += dy;
        }
    }
}

pub fn layout(nodes: &[Node], edges: &[Edge], p: &Params) -> Layout {
    let n = nodes.len();
    let mut unrouted = Vec::new();
    let usable: Vec<usize> = (0..edges.len())
        .filter(|&i| {
            let e = &edges[i];
            let ok = !p.grouped || nodes[e.a].group == nodes[e.b].group;
            if !ok {
                unrouted.push(i);
            }
            ok
        })
        .collect();
    let mut blocks: Vec<Block> = Vec::new();
    if p.grouped {
        let mut groups: Vec<usize> = nodes.iter().map(|n| n.group).collect();
        groups.sort();
        groups.dedup();
        for g in groups {
            let members: Vec<usize> = (0..n).filter(|&i| nodes[i].group == g).collect();
            let mut b = layout_set(nodes, edges, &usable, &members, p);
            // Frame the group.
            b.shift(p.group_pad, p.group_pad + p.group_title);
            let frame = Frame {
                group: g,
                x: 0.0,
                y: 0.0,
                w: b.w + 2.0 * p.group_pad,
                h: b.h + 2.0 * p.group_pad + p.group_title,
            };
            b.w = frame.w;
            b.h = frame.h;
            b.frames.push(frame);
            blocks.push(b);
        }
    } else {
        let all: Vec<usize> = (0..n).collect();
        blocks.push(layout_set(nodes, edges, &usable, &all, p));
    }
    let mut out = Layout {
        pos: vec![(0.0, 0.0); n],
        routes: Vec::new(),
        unrouted,
        frames: Vec::new(),
        width: 0.0,
        height: 0.0,
    };
    let placed = pack(&mut blocks, p.block_gap, p.integral);
    out.width = placed.0;
    out.height = placed.1;
    for b in blocks {
        for (k, &i) in b.nodes.iter().enumerate() {
            out.pos[i] = b.pos[k];
        }
        out.routes.extend(b.routes);
        out.frames.extend(b.frames);
    }
    out.routes.sort_by_key(|r| r.edge);
    out
}

/// Shelf-pack blocks (already in the wanted order) into rows; returns the total size.
fn pack(blocks: &mut [Block], gap: f64, integral: bool) -> (f64, f64) {
    if blocks.is_empty() {
        return (0.0, 0.0);
    }
    let area: f64 = blocks.iter().map(|b| (b.w + gap) * (b.h + gap)).sum();
    let widest = blocks.iter().map(|b| b.w).fold(0.0, f64::max);
    // Aim for a landscape page about 1.6 times wider than high.
    let mut max_w = (area * 1.6).sqrt().max(widest);
    if integral {
        max_w = max_w.ceil();
    }
    let (mut x, mut y, mut row_h, mut width) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for b in blocks.iter_mut() {
        if x > 0.0 && x + b.w > max_w {
            y += row_h + gap;
            x = 0.0;
            row_h = 0.0;
        }
        b.shift(x, y);
        x += b.w + gap;
        row_h = row_h.max(b.h);
        width = width.max(x - gap);
    }
    (width, y + row_h)
}

/// Lay out a set of nodes: connected components first (largest first), then unconnected boxes.
fn layout_set(
    nodes: &[Node],
    edges: &[Edge],
    usable: &[usize],
    members: &[usize],
    p: &Params,
) -> Block {
    let mut local: BTreeMap<usize, usize> = BTreeMap::new();
    for (k, &i) in members.iter().enumerate() {
        local.insert(i, k);
    }
    // Union-find over member edges.
    let mut parent: Vec<usize> = (0..members.len()).collect();
    fn find(p: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while p[r] != r {
            r = p[r];
        }
        let mut c = x;
        while p[c] != r {
            let n = p[c];
            p[c] = r;
            c = n;
        }
        r
    }
    let my_edges: Vec<usize> = usable
        .iter()
        .copied()
        .filter(|&i| local.contains_key(&edges[i].a) && local.contains_key(&edges[i].b))
        .collect();
    let mut degree = vec![0usize; members.len()];
    for &i in &my_edges {
        let (a, b) = (local[&edges[i].a], local[&edges[i].b]);
        if a != b {
            degree[a] += 1;
            degree[b] += 1;
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra] = rb;
            }
        }
    }
    let mut comps: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut singles = Vec::new();
    for k in 0..members.len() {
        if degree[k] == 0 {
            singles.push(members[k]);
        } else {
            let r = find(&mut parent, k);
            comps.entry(r).or_default().push(members[k]);
        }
    }
    let mut comps: Vec<Vec<usize>> = comps.into_values().collect();
    comps.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    let mut blocks = Vec::new();
    for c in comps {
        let set: std::collections::BTreeSet<usize> = c.iter().copied().collect();
        let ce: Vec<usize> = my_edges
            .iter()
            .copied()
            .filter(|&i| set.contains(&edges[i].a))
            .collect();
        blocks.push(layered(nodes, edges, &c, &ce, p));
    }
    // Unconnected boxes (self-references only count as unconnected), sorted by key.
    singles.sort_by(|&a, &b| nodes[a].key.cmp(&nodes[b].key));
    for i in singles {
        let self_edges: Vec<usize> = my_edges
            .iter()
            .copied()
            .filter(|&e| edges[e].a == i)
            .collect();
        blocks.push(layered(nodes, edges, &[i], &self_edges, p));
    }
    let (w, h) = pack(&mut blocks, p.block_gap, p.integral);
    let mut out = Block {
        nodes: Vec::new(),
        pos: Vec::new(),
        routes: Vec::new(),
        frames: Vec::new(),
        w,
        h,
    };
    for b in blocks {
        out.nodes.extend(b.nodes);
        out.pos.extend(b.pos);
        out.routes.extend(b.routes);
        out.frames.extend(b.frames);
    }
    out
}

/// An item in a layer: a real node or a dummy of an edge.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Item {
    Real(usize),
    Dummy(usize, usize), // (edge, layer)
}

/// Lay out one connected component (or one box with its self-references).
fn layered(
    nodes: &[Node],
    edges: &[Edge],
    comp: &[usize],
    comp_edges: &[usize],
    p: &Params,
) -> Block {
    let m = comp.len();
    let mut li: BTreeMap<usize, usize> = BTreeMap::new();
    for (k, &i) in comp.iter().enumerate() {
        li.insert(i, k);
    }
    let self_loops: Vec<usize> = comp_edges
        .iter()
        .copied()
        .filter(|&e| edges[e].a == edges[e].b)
        .collect();
    let links: Vec<usize> = comp_edges
        .iter()
        .copied()
        .filter(|&e| edges[e].a != edges[e].b)
        .collect();

    // --- cycle breaking: DFS from nodes in order, reversing back edges.
    let mut out_adj: Vec<Vec<(usize, usize)>> = vec![Vec::new(); m]; // (to, edge)
    for &e in &links {
        out_adj[li[&edges[e].a]].push((li[&edges[e].b], e));
    }
    let mut state = vec![0u8; m];
    let mut reversed = std::collections::BTreeSet::new();
    for s in 0..m {
        if state[s] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(s, 0)];
        state[s] = 1;
        while let Some(&mut (u, ref mut k)) = stack.last_mut() {
            if *k < out_adj[u].len() {
                let (v, e) = out_adj[u][*k];
                *k += 1;
                match state[v] {
                    0 => {
                        state[v] = 1;
                        stack.push((v, 0));
                    }
                    1 => {
                        reversed.insert(e);
                    }
                    _ => {}
                }
            } else {
                state[u] = 2;
                stack.pop();
            }
        }
    }
    // Directed (left → right) endpoints per link.
    let dir = |e: usize| -> (usize, usize) {
        let (a, b) = (li[&edges[e].a], li[&edges[e].b]);
        if reversed.contains(&e) {
            (b, a)
        } else {
            (a, b)
        }
    };

    // --- layers: longest path.
    let mut indeg = vec![0usize; m];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); m];
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); m];
    for &e in &links {
        let (u, v) = dir(e);
        succ[u].push(v);
        pred[v].push(u);
        indeg[v] += 1;
    }
    let mut layer = vec![0usize; m];
    let mut queue: Vec<usize> = (0..m).filter(|&i| indeg[i] == 0).collect();
    let mut topo = Vec::new();
    while let Some(u) = queue.pop() {
        topo.push(u);
        for &v in &succ[u] {
            layer[v] = layer[v].max(layer[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                queue.push(v);
            }
        }
    }
    // Pull nodes right towards their children (sources only, in reverse topological order).
    for &u in topo.iter().rev() {
        if pred[u].is_empty() && !succ[u].is_empty() {
            let min_child = succ[u].iter().map(|&v| layer[v]).min().unwrap_or(1);
            layer[u] = min_child.saturating_sub(1);
        }
    }
    let nl = layer.iter().copied().max().unwrap_or(0) + 1;

    // --- layer items with dummies.
    let mut layers: Vec<Vec<Item>> = vec![Vec::new(); nl];
    // Initial order: topological DFS order tends to keep related boxes together.
    for &u in &topo {
        layers[layer[u]].push(Item::Real(u));
    }
    // segments[e] = chain of items from left end to right end.
    let mut chains: BTreeMap<usize, Vec<Item>> = BTreeMap::new();
    for &e in &links {
        let (u, v) = dir(e);
        let mut chain = vec![Item::Real(u)];
        for (l, items) in layers
            .iter_mut()
            .enumerate()
            .take(layer[v])
            .skip(layer[u] + 1)
        {
            let d = Item::Dummy(e, l);
            items.push(d);
            chain.push(d);
        }
        chain.push(Item::Real(v));
        chains.insert(e, chain);
    }
    // Ports: for an item in a chain, the attach offset on its left and right side.
    let port_off = |item: Item, e: usize, left_end: bool| -> f64 {
        match item {
            Item::Dummy(..) => p.dummy_h / 2.0,
            Item::Real(k) => {
                let node = &nodes[comp[k]];
                let ed = &edges[e];
                let is_a = li[&ed.a] == k
                    && (if reversed.contains(&e) {
                        !left_end
                    } else {
                        left_end
                    });
                let port = if is_a { ed.a_port } else { ed.b_port };
                node.ports.get(port).copied().unwrap_or(node.h / 2.0)
            }
        }
    };
    let height_of = |item: Item| -> f64 {
        match item {
            Item::Dummy(..) => p.dummy_h,
            Item::Real(k) => nodes[comp[k]].h,
        }
    };
    // Pairs of adjacent chain items per layer gap: (layer of left, left item, right item, edge).
    let mut gap_links: Vec<Vec<(Item, Item, usize)>> = vec![Vec::new(); nl.saturating_sub(1)];
    for (&e, chain) in &chains {
        for w in chain.windows(2) {
            let l = match w[0] {
                Item::Real(k) => layer[k],
                Item::Dummy(_, l) => l,
            };
            gap_links[l].push((w[0], w[1], e));
        }
    }

    // --- crossing reduction (barycenter on item order + port fraction).
    let index_in = |layers: &Vec<Vec<Item>>, l: usize| -> BTreeMap<ItemKey, f64> {
        let mut mp = BTreeMap::new();
        for (i, it) in layers[l].iter().enumerate() {
            mp.insert(key(*it), i as f64);
        }
        mp
    };
    let port_frac = |item: Item, e: usize, left_end: bool| -> f64 {
        let h = height_of(item).max(1.0);
        port_off(item, e, left_end) / h * 0.9
    };
    let count_crossings = |layers: &Vec<Vec<Item>>| -> usize {
        let mut total = 0;
        for (l, links) in gap_links.iter().enumerate() {
            let li_ = index_in(layers, l);
            let ri_ = index_in(layers, l + 1);
            let pos: Vec<(f64, f64)> = links
                .iter()
                .map(|&(a, b, e)| {
                    (
                        li_[&key(a)] + port_frac(a, e, true),
                        ri_[&key(b)] + port_frac(b, e, false),
                    )
                })
                .collect();
            for i in 0..pos.len() {
                for j in i + 1..pos.len() {
                    if (pos[i].0 - pos[j].0) * (pos[i].1 - pos[j].1) < 0.0 {
                        total += 1;
                    }
                }
            }
        }
        total
    };
    let mut best = layers.clone();
    let mut best_c = count_crossings(&layers);
    for iter in 0..16 {
        if best_c == 0 {
            break;
        }
        let down = iter % 2 == 0;
        let order: Vec<usize> = if down {
            (1..nl).collect()
        } else {
            (0..nl.saturating_sub(1)).rev().collect()
        };
        for l in order {
            let fixed = if down { l - 1 } else { l + 1 };
            let fi = index_in(&layers, fixed);
            let mut bary: BTreeMap<ItemKey, (f64, f64)> = BTreeMap::new();
            let links = if down {
                &gap_links[l - 1]
            } else {
                &gap_links[l]
            };
            for &(a, b, e) in links {
                let (mine, other, other_left) = if down { (b, a, true) } else { (a, b, false) };
                let x = fi[&key(other)] + port_frac(other, e, other_left);
                let ent = bary.entry(key(mine)).or_insert((0.0, 0.0));
                ent.0 += x;
                ent.1 += 1.0;
            }
            let cur: Vec<(f64, Item)> = layers[l]
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    let b = bary.get(&key(*it)).map(|(s, c)| s / c).unwrap_or(i as f64);
                    (b, *it)
                })
                .collect();
            let mut cur = cur;
            cur.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
            layers[l] = cur.into_iter().map(|(_, it)| it).collect();
        }
        let c = count_crossings(&layers);
        if c < best_c {
            best_c = c;
            best = layers.clone();
        }
    }
    let layers = best;

    // --- vertical coordinates.
    let mut y: BTreeMap<ItemKey, f64> = BTreeMap::new();
    for items in &layers {
        let mut acc = 0.0;
        for it in items {
            y.insert(key(*it), acc);
            acc += height_of(*it) + p.node_gap;
        }
    }
    for iter in 0..12 {
        let down = iter % 2 == 0;
        let order: Vec<usize> = if down {
            (0..nl).collect()
        } else {
            (0..nl).rev().collect()
        };
        for l in order {
            // Desired top of each item: mean over its links of (other port y - own port offset).
            let mut want: BTreeMap<ItemKey, (f64, f64)> = BTreeMap::new();
            let mut add =
                |mine: Item, me_left: bool, other: Item, other_left: bool, e: usize, w: f64| {
                    let oy = y[&key(other)] + port_off(other, e, other_left);
                    let d = oy - port_off(mine, e, me_left);
                    let ent = want.entry(key(mine)).or_insert((0.0, 0.0));
                    ent.0 += d * w;
                    ent.1 += w;
                };
            let prefer_left = down;
            if l > 0 {
                for &(a, b, e) in &gap_links[l - 1] {
                    add(b, false, a, true, e, if prefer_left { 1.0 } else { 0.5 });
                }
            }
            if l + 1 < nl {
                for &(a, b, e) in &gap_links[l] {
                    add(a, true, b, false, e, if prefer_left { 0.5 } else { 1.0 });
                }
            }
            let items = &layers[l];
            let targets: Vec<f64> = items
                .iter()
                .map(|it| {
                    want.get(&key(*it))
                        .map(|(s, c)| s / c)
                        .unwrap_or(y[&key(*it)])
                })
                .collect();
            let heights: Vec<f64> = items.iter().map(|it| height_of(*it)).collect();
            let placed = isotonic(&targets, &heights, p.node_gap);
            for (it, v) in items.iter().zip(placed) {
                y.insert(key(*it), v);
            }
        }
    }
    // Normalise and snap.
    let min_y = y.values().copied().fold(f64::INFINITY, f64::min);
    for v in y.values_mut() {
        *v -= min_y;
        if p.integral {
            *v = v.round();
        }
    }
    if p.integral {
        // Rounding may bring neighbours closer than the gap: push down where needed.
        for items in &layers {
            let mut floor = f64::NEG_INFINITY;
            for it in items {
                let k = key(*it);
                let v = y[&k].max(floor);
                y.insert(k, v);
                floor = v + height_of(*it) + p.node_gap;
            }
        }
    }

    // --- horizontal: layer widths, then tracks per gap.
    let layer_w: Vec<f64> = layers
        .iter()
        .map(|items| {
            items
                .iter()
                .map(|it| match it {
                    Item::Real(k) => nodes[comp[*k]].w,
                    Item::Dummy(..) => 0.0,
                })
                .fold(0.0, f64::max)
        })
        .collect();
    // Segments per gap: (edge, y_left, y_right, left item).
    struct Seg {
        edge: usize,
        y1: f64,
        y2: f64,
        src: ItemKey,
        track: usize,
    }
    let mut gaps: Vec<Vec<Seg>> = Vec::new();
    let mut gap_tracks: Vec<usize> = Vec::new();
    for links in &gap_links {
        let mut segs: Vec<Seg> = links
            .iter()
            .map(|&(a, b, e)| Seg {
                edge: e,
                y1: y[&key(a)] + port_off(a, e, true),
                y2: y[&key(b)] + port_off(b, e, false),
                src: key(a),
                track: usize::MAX,
            })
            .collect();
        // Order: upward segments first, lower starts further left; then downward segments,
        // higher starts further right. This avoids every crossing that the ends do not force.
        segs.sort_by(|s, t| {
            let ks = (s.y2 < s.y1, s.y1);
            let kt = (t.y2 < t.y1, t.y1);
            match (ks.0, kt.0) {
                (true, false) => std::cmp::Ordering::Less,
                (false, true) => std::cmp::Ordering::Greater,
                (true, true) => t.y1.partial_cmp(&s.y1).unwrap_or(std::cmp::Ordering::Equal),
                (false, false) => t.y1.partial_cmp(&s.y1).unwrap_or(std::cmp::Ordering::Equal),
            }
        });
        let mut next = 0usize;
        let mut by_src: BTreeMap<(ItemKey, i64), usize> = BTreeMap::new();
        for s in segs.iter_mut() {
            if (s.y1 - s.y2).abs() < 1e-6 {
                continue;
            }
            let k = (s.src, (s.y1 * 100.0).round() as i64);
            let dir_k = if s.y2 > s.y1 { 1 } else { -1 };
            let kk = (k.0, k.1 * 2 + dir_k);
            s.track = *by_src.entry(kk).or_insert_with(|| {
                next += 1;
                next - 1
            });
        }
        gap_tracks.push(next);
        gaps.push(segs);
    }
    let mut x_layer = vec![0.0; nl];
    let mut gap_x = vec![0.0; nl]; // x of the first track in gap l (right of layer l)
    // Self-loops sit left of their box: the first layer needs a margin for them.
    let mut acc = if self_loops.iter().any(|&e| layer[li[&edges[e].a]] == 0) {
        p.end_len
    } else {
        0.0
    };
    for l in 0..nl {
        x_layer[l] = acc;
        acc += layer_w[l];
        gap_x[l] = acc + p.end_len;
        if l + 1 < nl {
            let span = (gap_tracks[l].max(1) as f64 - 1.0) * p.track;
            acc += 2.0 * p.end_len + span;
        }
        if p.integral {
            acc = acc.round();
        }
    }
    let width = acc;
    let mut height: f64 = 0.0;
    let mut pos = vec![(0.0, 0.0); m];
    for (l, items) in layers.iter().enumerate() {
        for it in items {
            if let Item::Real(k) = it {
                pos[*k] = (x_layer[l], y[&key(*it)]);
                height = height.max(y[&key(*it)] + nodes[comp[*k]].h);
            }
        }
    }

    // --- routes.
    let mut routes = Vec::new();
    // Per edge: list of (x, y) points, built left to right.
    let mut pts: BTreeMap<usize, Vec<(f64, f64)>> = BTreeMap::new();
    for (l, segs) in gaps.iter().enumerate() {
        for s in segs {
            let ch = &chains[&s.edge];
            let left_item = ch.iter().position(|it| key(*it) == s.src).unwrap_or(0);
            let a = ch[left_item];
            let xa = match a {
                Item::Real(k) => x_layer[l] + nodes[comp[k]].w,
                Item::Dummy(..) => x_layer[l] + layer_w[l],
            };
            let xb = x_layer[l + 1];
            let v = pts.entry(s.edge).or_default();
            if matches!(a, Item::Dummy(..)) {
                // Continue the horizontal run through the dummy's layer.
                v.push((x_layer[l], s.y1));
            }
            v.push((xa, s.y1));
            if s.track != usize::MAX {
                let tx = gap_x[l] + s.track as f64 * p.track;
                v.push((tx, s.y1));
                v.push((tx, s.y2));
            }
            v.push((xb, s.y2));
        }
    }
    for (e, mut v) in pts {
        // Drop repeated points and merge collinear runs.
        v.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6);
        let mut clean: Vec<(f64, f64)> = Vec::new();
        for q in v {
            if clean.len() >= 2 {
                let (a, b) = (clean[clean.len() - 2], clean[clean.len() - 1]);
                let colinear = ((a.0 - b.0).abs() < 1e-6 && (b.0 - q.0).abs() < 1e-6)
                    || ((a.1 - b.1).abs() < 1e-6 && (b.1 - q.1).abs() < 1e-6);
                if colinear {
                    clean.pop();
                }
            }
            clean.push(q);
        }
        let rev = reversed.contains(&e);
        if rev {
            clean.reverse();
        }
        // Parent is edges[e].a: unless reversed it is the left end.
        routes.push(Route {
            edge: e,
            points: clean,
            parent_side: if rev { Side::Left } else { Side::Right },
            child_side: if rev { Side::Right } else { Side::Left },
        });
    }
    // Self-references loop on the left side of the box, between its child-side stubs and the
    // tracks of the gap before it (or in the margin left of the first layer).
    let mut loops_seen: BTreeMap<usize, usize> = BTreeMap::new();
    for &e in &self_loops {
        let k = li[&edges[e].a];
        let nth = {
            let c = loops_seen.entry(k).or_insert(0);
            *c += 1;
            *c - 1
        };
        let node = &nodes[comp[k]];
        let (x0, y0) = pos[k];
        let ya = y0
            + node
                .ports
                .get(edges[e].a_port)
                .copied()
                .unwrap_or(node.h / 2.0);
        let yb = y0
            + node
                .ports
                .get(edges[e].b_port)
                .copied()
                .unwrap_or(node.h / 2.0);
        let inset = if p.integral { 1.0 } else { 5.0 };
        let mut lx = x0 - p.end_len + inset + nth as f64 * p.track;
        if p.integral {
            lx = lx.round();
        }
        routes.push(Route {
            edge: e,
            points: vec![(x0, ya), (lx, ya), (lx, yb), (x0, yb)],
            parent_side: Side::Left,
            child_side: Side::Left,
        });
    }
    Block {
        nodes: comp.to_vec(),
        pos,
        routes,
        frames: Vec::new(),
        w: width,
        h: height,
    }
}

type ItemKey = (u8, usize, usize);

fn key(it: Item) -> ItemKey {
    match it {
        Item::Real(k) => (0, k, 0),
        Item::Dummy(e, l) => (1, e, l),
    }
}

/// Positions closest (least squares) to `targets`, in order, with `y[i+1] >= y[i] + h[i] + gap`.
pub fn isotonic(targets: &[f64], heights: &[f64], gap: f64) -> Vec<f64> {
    let n = targets.len();
    // Shift out the offsets: z_i = y_i - c_i with c_i the stacked height above i.
    let mut c = vec![0.0; n];
    for i in 1..n {
        c[i] = c[i - 1] + heights[i - 1] + gap;
    }
    // Pool adjacent violators on z targets.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new(); // (sum, count, len)
    for i in 0..n {
        blocks.push((targets[i] - c[i], 1.0, 1));
        while blocks.len() >= 2 {
            let (s2, c2, l2) = blocks[blocks.len() - 1];
            let (s1, c1, l1) = blocks[blocks.len() - 2];
            if s1 / c1 > s2 / c2 {
                blocks.pop();
                blocks.pop();
                blocks.push((s1 + s2, c1 + c2, l1 + l2));
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    for (s, cnt, len) in blocks {
        let z = s / cnt;
        for _ in 0..len {
            out.push(z + c[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        Params {
            end_len: 20.0,
            track: 8.0,
            node_gap: 10.0,
            dummy_h: 6.0,
            block_gap: 30.0,
            integral: false,
            group_title: 20.0,
            group_pad: 10.0,
            grouped: false,
        }
    }

    fn node(h: f64) -> Node {
        Node {
            w: 100.0,
            h,
            ports: (0..(h as usize / 20))
                .map(|i| 10.0 + 20.0 * i as f64)
                .collect(),
            group: 0,
            key: String::new(),
        }
    }

    #[test]
    fn isotonic_respects_order_and_gaps() {
        let y = isotonic(&[50.0, 0.0, 10.0], &[20.0, 20.0, 20.0], 5.0);
        assert!(
            y[1] >= y[0] + 25.0 - 1e-9 && y[2] >= y[1] + 25.0 - 1e-9,
            "{y:?}"
        );
        let y = isotonic(&[0.0, 100.0], &[20.0, 20.0], 5.0);
        assert_eq!(y, vec![0.0, 100.0]);
    }

    /// Whether segment (p, q) passes through the interior of rectangle r.
    pub(crate) fn seg_hits_rect(p: (f64, f64), q: (f64, f64), r: (f64, f64, f64, f64)) -> bool {
        let (x0, y0, x1, y1) = r;
        let eps = 0.5;
        if (p.1 - q.1).abs() < 1e-9 {
            let (a, b) = (p.0.min(q.0), p.0.max(q.0));
            p.1 > y0 + eps && p.1 < y1 - eps && b > x0 + eps && a < x1 - eps
        } else {
            let (a, b) = (p.1.min(q.1), p.1.max(q.1));
            p.0 > x0 + eps && p.0 < x1 - eps && b > y0 + eps && a < y1 - eps
        }
    }

    #[test]
    fn no_overlaps_no_edge_through_boxes() {
        // A chain with a long edge and a cycle.
        let nodes: Vec<Node> = (0..7).map(|i| node(40.0 + 20.0 * (i % 3) as f64)).collect();
        let e = |a, b| Edge {
            a,
            a_port: 0,
            b,
            b_port: 1,
        };
        let edges = vec![
            e(0, 1),
            e(1, 2),
            e(2, 3),
            e(0, 3),
            e(3, 0),
            e(4, 5),
            e(2, 2),
            e(1, 4),
        ];
        let l = layout(&nodes, &edges, &params());
        let rects: Vec<(f64, f64, f64, f64)> = (0..nodes.len())
            .map(|i| {
                (
                    l.pos[i].0,
                    l.pos[i].1,
                    l.pos[i].0 + nodes[i].w,
                    l.pos[i].1 + nodes[i].h,
                )
            })
            .collect();
        for i in 0..rects.len() {
            for j in i + 1..rects.len() {
                let (a, b) = (rects[i], rects[j]);
                let overlap = a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
                assert!(!overlap, "boxes {i} and {j} overlap");
            }
        }
        assert_eq!(l.routes.len(), edges.len());
        for r in &l.routes {
            for w in r.points.windows(2) {
                assert!(
                    (w[0].0 - w[1].0).abs() < 1e-9 || (w[0].1 - w[1].1).abs() < 1e-9,
                    "not orthogonal: {:?}",
                    r.points
                );
                for (i, rect) in rects.iter().enumerate() {
                    assert!(
                        !seg_hits_rect(w[0], w[1], *rect),
                        "edge {} crosses box {i}: {:?}",
                        r.edge,
                        r.points
                    );
                }
            }
        }
    }
}

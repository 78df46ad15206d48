//! KD-db-erd: snapshots of every format on a small fixture, cardinalities read from keys, the
//! SVG layout's geometry on real schemas (no overlapping boxes, no edge through a box), and the
//! outputs run through their own tools:
//! * Mermaid through Mermaid's parser (npm `mermaid` in jsdom, tests/js),
//! * DBML through `@dbml/core` (import, export to SQL) and the SQL executed on PostgreSQL,
//! * PlantUML through `plantuml -checkonly` (Debian `plantuml`),
//! * SVG through a well-formedness check here and `rsvg-convert` (Debian `librsvg2-bin`).
//!
//! Tools that are missing skip with a printed reason unless KD_DBA_REQUIRE_TOOLS=1 (CI);
//! `.ci/run` installs them. The corpus schemas are optional (skipped when absent).

mod common;

use kd_dba::catalog::{self, Catalog};
use kd_dba::erd::{self, ColumnMode, ErdOptions, ErdReport, Format, model, svg};
use kd_dba::sql::DialectChoice;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_sql() -> String {
    std::fs::read_to_string(root().join("tests/fixtures/erd/shop.sql")).unwrap()
}

fn cat_of(sql: &str) -> Catalog {
    catalog::from_sources(
        &[kd_dba::sql::Source::inline(sql)],
        DialectChoice::Auto,
        &kd_dba::limits::Limits::default(),
    )
    .unwrap()
    .1
}

fn all(extra: impl FnOnce(&mut ErdOptions)) -> ErdOptions {
    let mut o = ErdOptions {
        formats: vec![Format::All],
        ..Default::default()
    };
    extra(&mut o);
    o
}

fn require_tools() -> bool {
    std::env::var("KD_DBA_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Skip (print why) or, with KD_DBA_REQUIRE_TOOLS=1, fail.
fn missing(what: &str) {
    if require_tools() {
        panic!("{what}");
    }
    eprintln!("skipping: {what}");
}

/// Corpus schemas used below: (name, path, dialect).
fn corpus_schemas() -> Vec<(&'static str, PathBuf)> {
    let mut v = Vec::new();
    for (name, rel) in [
        ("pagila", "schemas/pagila/pagila-schema.sql"),
        ("danbooru", "production/danbooru/structure.sql"),
        ("chinook", "schemas/chinook/Chinook_PostgreSql.sql"),
        ("sakila", "schemas/sakila/postgres-sakila-schema.sql"),
        ("northwind", "schemas/northwind/northwind.sql"),
    ] {
        if let Some(p) = common::corpus_file(rel) {
            v.push((name, p));
        }
    }
    v
}

fn corpus_cat(p: &Path) -> Catalog {
    cat_of(&common::read_text(p))
}

// ------------------------------------------------------------------------------------------------
// Snapshots and the report

#[test]
fn snapshots_of_every_format() {
    let cat = cat_of(&fixture_sql());
    let rep = erd::render(&cat, &all(|_| {})).unwrap();
    insta::assert_snapshot!("shop_mermaid", rep.diagrams.mermaid.as_deref().unwrap());
    insta::assert_snapshot!("shop_ascii", rep.diagrams.ascii.as_deref().unwrap());
    insta::assert_snapshot!("shop_dbml", rep.diagrams.dbml.as_deref().unwrap());
    insta::assert_snapshot!("shop_plantuml", rep.diagrams.plantuml.as_deref().unwrap());
    insta::assert_snapshot!("shop_svg", rep.diagrams.svg.as_deref().unwrap());
    let md = kd_dba::render::render("erd/erd.md", &rep).unwrap();
    insta::assert_snapshot!("shop_report_md", md);

    let grouped = erd::render(&cat, &all(|o| o.group_by_schema = true)).unwrap();
    insta::assert_snapshot!(
        "shop_grouped_mermaid",
        grouped.diagrams.mermaid.as_deref().unwrap()
    );
    insta::assert_snapshot!(
        "shop_grouped_plantuml",
        grouped.diagrams.plantuml.as_deref().unwrap()
    );
    insta::assert_snapshot!(
        "shop_grouped_ascii",
        grouped.diagrams.ascii.as_deref().unwrap()
    );
    insta::assert_snapshot!(
        "shop_grouped_dbml",
        grouped.diagrams.dbml.as_deref().unwrap()
    );
}

fn rel<'a>(rep: &'a ErdReport, from: &str, to: &str) -> &'a erd::RelLine {
    rep.relationship_list
        .iter()
        .find(|r| r.from == from && r.to == to)
        .unwrap_or_else(|| {
            panic!(
                "no relationship {from} -> {to}: {:#?}",
                rep.relationship_list
            )
        })
}

#[test]
fn cardinalities_come_from_the_keys() {
    use model::{Card, RelKind};
    let cat = cat_of(&fixture_sql());
    let rep = erd::render(&cat, &all(|_| {})).unwrap();
    assert_eq!(rep.total_tables, 11);
    assert_eq!(rep.tables, 9, "two junction tables become lines");
    assert_eq!(
        rep.junction_tables,
        vec!["order_items", "product_categories"]
    );
    assert_eq!(rep.foreign_keys, 10);
    assert_eq!(rep.relationships, 8);
    assert_eq!(rep.unconnected, vec!["audit_log"]);

    let r = rel(&rep, "orders", "users");
    assert_eq!(
        (r.to_card, r.from_card),
        (Card::ExactlyOne, Card::ZeroOrMore)
    );
    assert_eq!(r.label, "1:N");
    let r = rel(&rep, "orders", "coupons");
    assert_eq!(r.to_card, Card::ZeroOrOne, "nullable FK");
    assert_eq!(r.label, "0..1:N");
    let r = rel(&rep, "profiles", "users");
    assert_eq!(
        (r.cardinality.as_str(), r.from_card),
        ("one-to-one", Card::ZeroOrOne)
    );
    let r = rel(&rep, "billing.invoices", "orders");
    assert_eq!(r.cardinality, "one-to-one", "UNIQUE FK");
    let r = rel(&rep, "categories", "categories");
    assert_eq!(r.to_card, Card::ZeroOrOne);
    let r = rel(&rep, "orders", "products");
    assert_eq!(
        (r.kind, r.via.as_deref()),
        (RelKind::ManyToMany, Some("order_items"))
    );
    // product_categories: the two FKs form a UNIQUE key, not the primary key.
    let r = rel(&rep, "products", "categories");
    assert_eq!(r.via.as_deref(), Some("product_categories"));

    // Keeping junctions: every FK is a line.
    let kept = erd::render(&cat, &all(|o| o.collapse_junctions = false)).unwrap();
    assert_eq!((kept.tables, kept.relationships), (11, 10));

    // Inferred: audit_log.user_id has no FK.
    let inf = erd::render(&cat, &all(|o| o.infer = true)).unwrap();
    assert_eq!(inf.inferred, 1);
    let r = rel(&inf, "audit_log", "users");
    assert_eq!(r.kind, RelKind::Inferred);
    assert!(inf.diagrams.mermaid.unwrap().contains("user_id (inferred)"));
}

#[test]
fn subsets_by_tables_and_around() {
    let cat = cat_of(&fixture_sql());
    let rep = erd::render(
        &cat,
        &all(|o| {
            o.around = Some("orders".into());
            o.depth = 1;
        }),
    )
    .unwrap();
    let mut names: Vec<String> = rep
        .relationship_list
        .iter()
        .flat_map(|r| [r.from.clone(), r.to.clone()])
        .collect();
    names.sort();
    names.dedup();
    // Neighbours of orders: users, coupons, order_items (junction, its other end products is
    // two steps away, so it stays a box), billing.invoices.
    assert_eq!(
        names,
        vec![
            "billing.invoices",
            "coupons",
            "order_items",
            "orders",
            "users"
        ]
    );
    assert!(rep.junction_tables.is_empty());
    assert_eq!(
        rep.outside_relationships, 3,
        "profiles→users, order_items→products, payments→invoices"
    );
    assert!(
        rep.notes
            .iter()
            .any(|n| n.contains("outside the selection"))
    );

    let rep = erd::render(&cat, &all(|o| o.tables = vec!["billing.*".into()])).unwrap();
    assert_eq!(rep.tables, 2);
    assert_eq!(rep.relationships, 1);

    let err = erd::render(&cat, &all(|o| o.around = Some("order".into())))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no table `order`") && err.contains("orders"),
        "{err}"
    );
}

// ------------------------------------------------------------------------------------------------
// SVG: well-formed, complete, and laid out without overlaps

/// A small XML well-formedness check: balanced tags, quoted attributes, known entities, one root.
fn xml_check(s: &str) -> Result<usize, String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut elements = 0;
    let check_text = |t: &str| -> Result<(), String> {
        let mut rest = t;
        while let Some(p) = rest.find('&') {
            let end = rest[p..].find(';').ok_or("unterminated entity")?;
            let ent = &rest[p + 1..p + end];
            if !matches!(ent, "amp" | "lt" | "gt" | "quot" | "apos") && !ent.starts_with('#') {
                return Err(format!("unknown entity &{ent};"));
            }
            rest = &rest[p + end..];
        }
        if t.contains('<') {
            return Err("stray <".into());
        }
        Ok(())
    };
    while i < b.len() {
        if b[i] == b'<' {
            let end = s[i..].find('>').ok_or("unterminated tag")? + i;
            let tag = &s[i + 1..end];
            if tag.starts_with('?') || tag.starts_with('!') {
                i = end + 1;
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or(format!("close without open: {name}"))?;
                if open != name.trim() {
                    return Err(format!("</{name}> closes <{open}>"));
                }
            } else {
                let self_closing = tag.ends_with('/');
                let body = tag.trim_end_matches('/');
                let name: String = body.chars().take_while(|c| !c.is_whitespace()).collect();
                if name.is_empty() {
                    return Err("empty tag name".into());
                }
                // Attributes: name="value" pairs.
                let mut rest = body[name.len()..].trim();
                while !rest.is_empty() {
                    let eq = rest
                        .find('=')
                        .ok_or(format!("attribute without value in <{name}>"))?;
                    let q = rest[eq + 1..].chars().next().ok_or("missing quote")?;
                    if q != '"' && q != '\'' {
                        return Err(format!("unquoted attribute in <{name}>"));
                    }
                    let close = rest[eq + 2..].find(q).ok_or("unterminated attribute")? + eq + 2;
                    check_text(&rest[eq + 2..close])?;
                    rest = rest[close + 1..].trim();
                }
                if stack.is_empty() {
                    roots += 1;
                }
                elements += 1;
                if !self_closing {
                    stack.push(name);
                }
            }
            i = end + 1;
        } else {
            let next = s[i..].find('<').map_or(b.len(), |p| p + i);
            let text = &s[i..next];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err("text outside the root".into());
            }
            check_text(text)?;
            i = next;
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed: {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(elements)
}

#[test]
fn xml_check_rejects_broken_documents() {
    assert!(xml_check("<svg><g></svg>").is_err());
    assert!(xml_check("<svg a=b></svg>").is_err());
    assert!(xml_check("<svg>&foo;</svg>").is_err());
    assert!(xml_check("<svg/><svg/>").is_err());
    assert_eq!(xml_check("<svg a=\"1\"><g/><t>x &amp; y</t></svg>"), Ok(3));
}

fn check_svg(name: &str, d: &model::Diagram) {
    let text = svg::render(d);
    xml_check(&text).unwrap_or_else(|e| panic!("{name}: SVG not well-formed: {e}"));
    for (_, e) in d.boxes() {
        let needle = format!("<title>{}", svg::esc(&e.label));
        assert!(text.contains(&needle), "{name}: table {} missing", e.label);
    }
    check_geometry(name, d);
}

fn rects(p: &svg::Plan) -> Vec<(f64, f64, f64, f64)> {
    p.nodes
        .iter()
        .zip(&p.layout.pos)
        .map(|(n, &(x, y))| (x, y, x + n.w, y + n.h))
        .collect()
}

/// Boxes do not overlap, every drawn edge is routed orthogonally, and no segment enters a box.
fn check_geometry(name: &str, d: &model::Diagram) {
    let p = svg::plan(d);
    let r = rects(&p);
    for i in 0..r.len() {
        for j in i + 1..r.len() {
            let (a, b) = (r[i], r[j]);
            assert!(
                !(a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3),
                "{name}: boxes {} and {} overlap",
                d.entities[p.boxes[i]].label,
                d.entities[p.boxes[j]].label
            );
        }
    }
    assert_eq!(
        p.layout.routes.len(),
        p.edges.len(),
        "{name}: every edge routed"
    );
    for route in &p.layout.routes {
        assert!(route.points.len() >= 2);
        for w in route.points.windows(2) {
            let (a, b) = (w[0], w[1]);
            assert!(
                (a.0 - b.0).abs() < 1e-6 || (a.1 - b.1).abs() < 1e-6,
                "{name}: diagonal segment {a:?}-{b:?}"
            );
            for (k, rect) in r.iter().enumerate() {
                assert!(
                    !seg_hits_rect(a, b, *rect),
                    "{name}: edge {} runs through {}",
                    route.edge,
                    d.entities[p.boxes[k]].label
                );
            }
        }
    }
}

fn seg_hits_rect(p: (f64, f64), q: (f64, f64), r: (f64, f64, f64, f64)) -> bool {
    let (x0, y0, x1, y1) = r;
    let eps = 0.5;
    if (p.1 - q.1).abs() < 1e-6 {
        let (a, b) = (p.0.min(q.0), p.0.max(q.0));
        p.1 > y0 + eps && p.1 < y1 - eps && b > x0 + eps && a < x1 - eps
    } else {
        let (a, b) = (p.1.min(q.1), p.1.max(q.1));
        p.0 > x0 + eps && p.0 < x1 - eps && b > y0 + eps && a < y1 - eps
    }
}

#[test]
fn svg_fixture_is_well_formed_and_laid_out() {
    let cat = cat_of(&fixture_sql());
    for (name, opts) in [
        ("plain", all(|_| {})),
        ("grouped", all(|o| o.group_by_schema = true)),
        ("kept junctions", all(|o| o.collapse_junctions = false)),
        ("inferred", all(|o| o.infer = true)),
        ("names only", all(|o| o.columns = ColumnMode::None)),
    ] {
        check_svg(name, &model::build(&cat, &opts).unwrap());
    }
}

#[test]
fn svg_corpus_schemas_are_well_formed_and_laid_out() {
    for (name, path) in corpus_schemas() {
        let cat = corpus_cat(&path);
        check_svg(name, &model::build(&cat, &all(|_| {})).unwrap());
        // The hardest case: every column and every line.
        check_svg(
            &format!("{name} (all columns, all lines)"),
            &model::build(
                &cat,
                &all(|o| {
                    o.columns = ColumnMode::All;
                    o.fold_hubs = false;
                }),
            )
            .unwrap(),
        );
    }
}

#[test]
fn svg_renders_with_rsvg_convert() {
    if Command::new("rsvg-convert")
        .arg("--version")
        .output()
        .is_err()
    {
        return missing("rsvg-convert is not installed (Debian librsvg2-bin)");
    }
    let dir = std::env::temp_dir().join(format!("kd_erd_rsvg_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut inputs = vec![("shop".to_string(), fixture_sql())];
    for (name, p) in corpus_schemas().into_iter().take(2) {
        inputs.push((name.to_string(), common::read_text(&p)));
    }
    for (name, sql) in inputs {
        let rep = erd::render(&cat_of(&sql), &all(|_| {})).unwrap();
        let svg_path = dir.join(format!("{name}.svg"));
        let png_path = dir.join(format!("{name}.png"));
        std::fs::write(&svg_path, rep.diagrams.svg.unwrap()).unwrap();
        let out = Command::new("rsvg-convert")
            .arg(&svg_path)
            .arg("-o")
            .arg(&png_path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: rsvg-convert failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let png = std::fs::read(&png_path).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 1000,
            "{name}: no PNG"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------------------------------------
// Mermaid, DBML, PlantUML through their own tools

fn js_tool(module: &str) -> Option<PathBuf> {
    let dir = root().join("tests/js");
    if Command::new("node").arg("--version").output().is_err() {
        missing("node is not installed");
        return None;
    }
    if !dir.join("node_modules").join(module).is_dir() {
        missing(&format!(
            "npm package {module} is not installed; run `npm ci --prefix tests/js`"
        ));
        return None;
    }
    Some(dir)
}

fn mermaid_card(c: model::Card) -> &'static str {
    match c {
        model::Card::ZeroOrOne => "ZERO_OR_ONE",
        model::Card::ExactlyOne => "ONLY_ONE",
        model::Card::ZeroOrMore => "ZERO_OR_MORE",
        model::Card::OneOrMore => "ONE_OR_MORE",
    }
}

#[test]
fn mermaid_parses_with_mermaid() {
    let Some(dir) = js_tool("mermaid") else {
        return;
    };
    let tmp = std::env::temp_dir().join(format!("kd_erd_mmd_{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut inputs = vec![
        ("shop".to_string(), fixture_sql(), false),
        ("shop grouped".to_string(), fixture_sql(), true),
    ];
    for (name, p) in corpus_schemas() {
        inputs.push((name.to_string(), common::read_text(&p), false));
    }
    for (name, sql, grouped) in inputs {
        let rep = erd::render(
            &cat_of(&sql),
            &ErdOptions {
                formats: vec![Format::Mermaid],
                group_by_schema: grouped,
                infer: true,
                ..Default::default()
            },
        )
        .unwrap();
        let file = tmp.join("d.mmd");
        std::fs::write(&file, rep.diagrams.mermaid.as_ref().unwrap()).unwrap();
        let out = Command::new("node")
            .arg(dir.join("mermaid-check.mjs"))
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: Mermaid rejected the diagram: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            rep.diagrams.mermaid.unwrap()
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["type"], "er");
        let ents = v["entities"].as_array().unwrap();
        let rels = v["relationships"].as_array().unwrap();
        assert_eq!(ents.len(), rep.tables, "{name}: entities");
        assert_eq!(rels.len(), rep.relationships, "{name}: relationships");
        // Every relationship with its cardinalities, as Mermaid read them. Mermaid's `a` is the
        // left entity (the referenced one), `cardA` the symbol next to `b`.
        let labels: Vec<String> = ents
            .iter()
            .map(|e| e["label"].as_str().unwrap().to_string())
            .collect();
        let display = |l: &str| -> String {
            // Grouped diagrams name entities schema__table without an alias.
            labels
                .iter()
                .find(|x| x.as_str() == l || x.replace("__", ".") == l)
                .cloned()
                .unwrap_or_else(|| l.to_string())
        };
        for r in &rep.relationship_list {
            let found = rels.iter().any(|m| {
                m["a"] == display(&r.to).as_str()
                    && m["b"] == display(&r.from).as_str()
                    && m["cardA"] == mermaid_card(r.from_card)
                    && m["cardB"] == mermaid_card(r.to_card)
            });
            assert!(found, "{name}: Mermaid lost {r:?}");
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn dbml_imports_with_dbml_core_and_its_sql_runs_on_postgres() {
    let Some(dir) = js_tool("@dbml/core") else {
        return;
    };
    let tmp = std::env::temp_dir().join(format!("kd_erd_dbml_{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let pg = common::postgres();
    let mut inputs = vec![("shop".to_string(), fixture_sql(), true)];
    for (name, p) in corpus_schemas() {
        // pagila needs PostgreSQL 18 (uuidv7) and pgvector, danbooru extensions: import only.
        let run = !matches!(name, "pagila" | "danbooru");
        inputs.push((name.to_string(), common::read_text(&p), run));
    }
    for (name, sql, execute) in inputs {
        let cat = cat_of(&sql);
        let rep = erd::render(
            &cat,
            &ErdOptions {
                formats: vec![Format::Dbml],
                ..Default::default()
            },
        )
        .unwrap();
        let file = tmp.join("d.dbml");
        let out_sql = tmp.join("d.sql");
        std::fs::write(&file, rep.diagrams.dbml.as_ref().unwrap()).unwrap();
        let out = Command::new("node")
            .arg(dir.join("dbml-check.cjs"))
            .arg(&file)
            .arg(&out_sql)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: @dbml/core rejected the DBML: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["tables"], rep.total_tables, "{name}: tables");
        assert_eq!(v["refs"], rep.foreign_keys, "{name}: refs");
        if !execute {
            continue;
        }
        let Some(pg) = pg.as_ref() else { continue };
        let db = pg.fresh_db(&format!("erd_dbml_{name}"));
        db.load_file(&out_sql)
            .unwrap_or_else(|e| panic!("{name}: DBML→SQL does not run on PostgreSQL: {e}"));
        let tables = db.scalar(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema')",
        );
        let fks = db.scalar("SELECT count(*) FROM pg_constraint WHERE contype = 'f'");
        assert_eq!(
            tables,
            rep.total_tables.to_string(),
            "{name}: tables on PostgreSQL"
        );
        assert_eq!(
            fks,
            rep.foreign_keys.to_string(),
            "{name}: FKs on PostgreSQL"
        );
        assert_eq!(
            cat.counts().foreign_keys.to_string(),
            fks,
            "{name}: catalog and PostgreSQL disagree"
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn plantuml_accepts_the_diagrams() {
    if Command::new("plantuml").arg("-version").output().is_err() {
        return missing("plantuml is not installed (Debian plantuml)");
    }
    let tmp = std::env::temp_dir().join(format!("kd_erd_puml_{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut files = Vec::new();
    let mut inputs = vec![
        ("shop".to_string(), fixture_sql(), false),
        ("shop_grouped".to_string(), fixture_sql(), true),
    ];
    for (name, p) in corpus_schemas() {
        inputs.push((name.to_string(), common::read_text(&p), false));
    }
    for (name, sql, grouped) in &inputs {
        let rep = erd::render(
            &cat_of(sql),
            &ErdOptions {
                formats: vec![Format::Plantuml],
                group_by_schema: *grouped,
                ..Default::default()
            },
        )
        .unwrap();
        let f = tmp.join(format!("{name}.puml"));
        std::fs::write(&f, rep.diagrams.plantuml.unwrap()).unwrap();
        files.push(f);
    }
    // Sanity: -checkonly does reject a broken diagram.
    let bad = tmp.join("broken.puml");
    std::fs::write(
        &bad,
        "@startuml\nentity a {\n}\na ||--o{ b c d :\nfoo(\n@enduml\n",
    )
    .unwrap();
    let out = Command::new("plantuml")
        .arg("-checkonly")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "plantuml -checkonly accepted a broken file"
    );
    let out = Command::new("plantuml")
        .arg("-checkonly")
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "plantuml rejected a diagram: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

// ------------------------------------------------------------------------------------------------
// The MCP tool and the CLI

#[test]
fn tool_returns_the_picture_as_image_content_not_in_structured_content() {
    let tools = kd_dba::mcp::tools::all();
    let t = tools.iter().find(|t| t.name == "KD-db-erd").unwrap();
    let ctx = kd_dba::mcp::registry::ToolCtx::default();
    let run =
        |args: serde_json::Value| (t.run)(args, &ctx).unwrap_or_else(|_| panic!("tool failed"));
    // SVG asked for, attached as SVG: same bytes as reported.
    let out = run(serde_json::json!({"sql": fixture_sql(), "format": "all", "image": "svg"}));
    assert_eq!(out.images.len(), 1);
    assert_eq!(out.images[0].mime, "image/svg+xml");
    let bytes = out.structured["svg_bytes"].as_u64().unwrap() as usize;
    assert_eq!(out.images[0].data.len(), bytes.div_ceil(3) * 4);
    assert!(out.structured["diagrams"].get("svg").is_none());
    assert!(out.structured["diagrams"].get("png").is_none());
    assert!(out.structured["diagrams"]["mermaid"].is_string());
    assert_eq!(out.structured["tables"], 9);
    assert!(
        out.markdown.contains("```mermaid")
            && out.markdown.contains("Attached as an image: image/svg+xml")
    );

    // Default picture: PNG when built in (base64 of the PNG signature starts with iVBORw0KGgo).
    let out = run(serde_json::json!({"sql": fixture_sql(), "format": "svg"}));
    assert_eq!(out.images.len(), 1);
    if kd_dba::erd::png::available() {
        assert_eq!(out.images[0].mime, "image/png");
        assert!(out.images[0].data.starts_with("iVBORw0KGgo"));
        let png = out.structured["png_bytes"].as_u64().unwrap() as usize;
        assert_eq!(out.images[0].data.len(), png.div_ceil(3) * 4);
    }
    // Text formats attach nothing; image none attaches nothing.
    assert!(
        run(serde_json::json!({"sql": fixture_sql()}))
            .images
            .is_empty()
    );
    assert!(
        run(serde_json::json!({"sql": fixture_sql(), "format": "svg", "image": "none"}))
            .images
            .is_empty()
    );

    // Bad input: clear messages.
    for (args, want) in [
        (serde_json::json!({}), "no schema given"),
        (
            serde_json::json!({"sql": fixture_sql(), "depth": 2}),
            "depth needs around",
        ),
        (serde_json::json!({"sql": "SELECT 1"}), "defines no tables"),
        (
            serde_json::json!({"sql": fixture_sql(), "tables": ["nope"]}),
            "no table matches `nope`",
        ),
    ] {
        match (t.run)(args, &ctx) {
            Err(kd_dba::mcp::registry::ToolError::Engine(e)) => {
                assert!(e.to_string().contains(want), "{e}")
            }
            _ => panic!("expected an error containing {want}"),
        }
    }
}

#[test]
fn cli_prints_and_writes_diagrams() {
    let exe = env!("CARGO_BIN_EXE_kd-dba");
    let fixture = root().join("tests/fixtures/erd/shop.sql");
    let out = Command::new(exe)
        .args(["erd", fixture.to_str().unwrap(), "--format", "svg"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("<svg"));

    let dir = std::env::temp_dir().join(format!("kd_erd_cli_{}", std::process::id()));
    let stem = dir.join("erd");
    let out = Command::new(exe)
        .args(["erd", fixture.to_str().unwrap(), "--format", "all", "--out"])
        .arg(&stem)
        .args(["--around", "orders", "--depth", "1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut exts = vec!["mmd", "txt", "dbml", "puml", "svg"];
    if kd_dba::erd::png::available() {
        exts.push("png");
    }
    for ext in exts {
        let f = stem.with_extension(ext);
        assert!(f.is_file(), "{} not written", f.display());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Written:"), "{text}");

    let out = Command::new(exe)
        .args(["erd", fixture.to_str().unwrap(), "--tables", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no table matches"));
    let _ = std::fs::remove_dir_all(&dir);
}

//! ERD benchmark: time to build the diagram model, lay out and write the SVG, and rasterise the
//! PNG, for danbooru's structure.sql (66 tables, 93 foreign keys) and pagila, from the corpus in
//! ../shared (skipped with a message when absent). Run with `cargo bench --bench erd_layout`.
//!
//! Prints the median of N runs per step; parsing and the catalog are timed too, for scale.

use kd_dba::erd::{self, ColumnMode, ErdOptions, Format, model, svg};
use kd_dba::sql::{DialectChoice, Source};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut v = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f());
        v.push(t.elapsed());
    }
    median(v)
}

fn main() {
    let corpus = std::env::var_os("KD_DBA_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
        });
    let limits = kd_dba::limits::Limits::default();
    for (name, rel) in [
        ("danbooru", "production/danbooru/structure.sql"),
        ("pagila", "schemas/pagila/pagila-schema.sql"),
    ] {
        let path = corpus.join(rel);
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipping {name}: {} not found", path.display());
            continue;
        };
        let sources = [Source::file(rel, text)];
        let parse = time(10, || {
            kd_dba::catalog::from_sources(&sources, DialectChoice::Auto, &limits).unwrap()
        });
        let (_, cat) =
            kd_dba::catalog::from_sources(&sources, DialectChoice::Auto, &limits).unwrap();
        for (variant, opts) in [
            ("default", ErdOptions::default()),
            (
                "all columns, every line",
                ErdOptions {
                    columns: ColumnMode::All,
                    fold_hubs: false,
                    ..Default::default()
                },
            ),
        ] {
            let d = model::build(&cat, &opts).unwrap();
            let build = time(20, || model::build(&cat, &opts).unwrap());
            let layout = time(20, || svg::plan(&d));
            let render = time(20, || svg::render(&d));
            let text = svg::render(&d);
            let p = svg::plan(&d);
            println!(
                "{name} [{variant}]: {} boxes, {} edges drawn; parse+catalog {:.2} ms, model {:.2} ms, layout {:.2} ms, layout+SVG {:.2} ms ({} bytes, {:.0}x{:.0})",
                p.nodes.len(),
                p.edges.len(),
                parse.as_secs_f64() * 1e3,
                build.as_secs_f64() * 1e3,
                layout.as_secs_f64() * 1e3,
                render.as_secs_f64() * 1e3,
                text.len(),
                p.layout.width,
                p.layout.height,
            );
            if erd::png::available() {
                let png = time(5, || erd::png::render(&text, 1.0).unwrap());
                let bytes = erd::png::render(&text, 1.0).unwrap().len();
                println!(
                    "{name} [{variant}]: PNG at 1x {:.1} ms ({bytes} bytes)",
                    png.as_secs_f64() * 1e3
                );
            }
        }
        let all = time(5, || {
            erd::render(
                &cat,
                &ErdOptions {
                    formats: vec![Format::All],
                    ..Default::default()
                },
            )
            .unwrap()
        });
        println!(
            "{name}: every format (mermaid, ascii, dbml, plantuml, svg, png) {:.1} ms",
            all.as_secs_f64() * 1e3
        );
    }
}

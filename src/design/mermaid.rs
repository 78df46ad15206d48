//! A Mermaid `erDiagram` of a catalog. Interim: the `erd` module (branch `erd`) renders
//! Mermaid, ASCII, DBML, PlantUML and SVG; once it is merged, `design::erd_mermaid` switches to
//! it and this file goes.

use crate::catalog::{Catalog, Table};

fn ident(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn type_word(raw: &str, name: &str, length: Option<u64>) -> String {
    let _ = raw;
    let base = ident(name);
    match length {
        Some(n) => format!("{base}({n})"),
        None => base,
    }
}

/// Whether `cols` are exactly the primary key or a unique key of `t` (a one-to-one reference).
fn is_unique_set(t: &Table, cols: &[String]) -> bool {
    let same = |k: &[String]| {
        k.len() == cols.len()
            && k.iter()
                .all(|c| cols.iter().any(|x| x.eq_ignore_ascii_case(c)))
    };
    t.primary_key.as_ref().is_some_and(|k| same(&k.columns))
        || t.uniques.iter().any(|u| same(&u.columns))
}

/// Render the catalog's tables and foreign keys.
pub fn render(cat: &Catalog) -> String {
    let mut out = String::from("erDiagram\n");
    for t in &cat.tables {
        out.push_str(&format!("    {} {{\n", ident(&t.name.name)));
        for c in &t.columns {
            let mut keys = Vec::new();
            if t.primary_key
                .as_ref()
                .is_some_and(|k| k.columns.iter().any(|x| x.eq_ignore_ascii_case(&c.name)))
            {
                keys.push("PK");
            }
            if t.foreign_keys
                .iter()
                .any(|f| f.columns.iter().any(|x| x.eq_ignore_ascii_case(&c.name)))
            {
                keys.push("FK");
            }
            if t.uniques
                .iter()
                .any(|u| u.columns.len() == 1 && u.columns[0].eq_ignore_ascii_case(&c.name))
            {
                keys.push("UK");
            }
            let mut line = format!(
                "        {} {}",
                type_word(&c.data_type.raw, &c.data_type.name, c.data_type.length),
                ident(&c.name)
            );
            if !keys.is_empty() {
                line.push(' ');
                line.push_str(&keys.join(", "));
            }
            if !c.nullable && !keys.contains(&"PK") {
                line.push_str(" \"not null\"");
            }
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str("    }\n");
    }
    for t in &cat.tables {
        for fk in &t.foreign_keys {
            let Some(parent) = cat.table(&fk.ref_table) else {
                continue;
            };
            let nullable = fk
                .columns
                .iter()
                .any(|c| t.column(c).is_none_or(|x| x.nullable));
            let left = if nullable { "|o" } else { "||" };
            let right = if is_unique_set(t, &fk.columns) {
                "o|"
            } else {
                "o{"
            };
            let identifying = t.primary_key.as_ref().is_some_and(|k| {
                fk.columns
                    .iter()
                    .all(|c| k.columns.iter().any(|x| x.eq_ignore_ascii_case(c)))
            });
            out.push_str(&format!(
                "    {} {left}{}{right} {} : \"{}\"\n",
                ident(&parent.name.name),
                if identifying { "--" } else { ".." },
                ident(&t.name.name),
                fk.columns.join(", ")
            ));
        }
    }
    out
}

//! The text formats: Mermaid `erDiagram`, DBML and PlantUML (IE notation).

use super::model::{Card, Diagram, Entity, Rel, RelKind};
use crate::catalog::{Catalog, UserTypeKind};
use std::fmt::Write;

// ------------------------------------------------------------------------------------------------
// Mermaid

fn mermaid_word_ok(s: &str) -> bool {
    let mut ch = s.chars();
    matches!(ch.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && ch.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Entity identifiers: the bare name when Mermaid accepts it, else `e<N>` with a display alias.
fn mermaid_ids(d: &Diagram) -> Vec<String> {
    d.entities
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let name = if d.group_by_schema || e.label.contains('.') {
                e.label.replace('.', "__")
            } else {
                e.label.clone()
            };
            if mermaid_word_ok(&name) {
                name
            } else {
                format!("e{i}")
            }
        })
        .collect()
}

fn mermaid_sanitize(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_-[](),".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

fn mermaid_card(c: Card, left: bool) -> &'static str {
    match (c, left) {
        (Card::ZeroOrOne, true) => "|o",
        (Card::ZeroOrOne, false) => "o|",
        (Card::ExactlyOne, _) => "||",
        (Card::ZeroOrMore, true) => "}o",
        (Card::ZeroOrMore, false) => "o{",
        (Card::OneOrMore, true) => "}|",
        (Card::OneOrMore, false) => "|{",
    }
}

fn quote_label(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "'"))
}

/// Label of a relationship: the FK columns, `via <junction>`, or `<column> (inferred)`.
pub fn rel_label(d: &Diagram, r: &Rel) -> String {
    match r.kind {
        RelKind::ManyToMany => format!(
            "via {}",
            r.via
                .map_or(r.name.as_str(), |v| d.entities[v].label.as_str())
        ),
        RelKind::Inferred => format!("{} (inferred)", r.child_cols.join(", ")),
        RelKind::ForeignKey => r.child_cols.join(", "),
    }
}

pub fn mermaid(d: &Diagram) -> String {
    let ids = mermaid_ids(d);
    let mut s = String::from("erDiagram\n");
    let mut schemas: Vec<Option<&str>> = vec![None];
    if d.group_by_schema {
        schemas = d.schemas.iter().map(|s| Some(s.as_str())).collect();
    }
    for schema in schemas {
        if let Some(sc) = schema {
            let _ = writeln!(
                s,
                "  %% schema {}",
                if sc.is_empty() { "(default)" } else { sc }
            );
        }
        for (i, e) in d.boxes() {
            if schema.is_some_and(|sc| sc != e.schema) {
                continue;
            }
            let id = &ids[i];
            if *id == e.label {
                let _ = writeln!(s, "  {id} {{");
            } else {
                let _ = writeln!(s, "  {id}[{}] {{", quote_label(&e.label));
            }
            for a in &e.attrs {
                let ty = mermaid_sanitize(&a.ty);
                let name = mermaid_sanitize(&a.name);
                let _ = write!(s, "    {ty} {name}");
                let marks = a.marks();
                if !marks.is_empty() {
                    let _ = write!(s, " {}", marks.join(", "));
                }
                let mut comment = Vec::new();
                if name != a.name {
                    comment.push(a.name.clone());
                }
                if ty != a.ty {
                    comment.push(a.ty.clone());
                }
                if !comment.is_empty() {
                    let _ = write!(s, " {}", quote_label(&comment.join(" ")));
                }
                s.push('\n');
            }
            s.push_str("  }\n");
        }
    }
    for r in &d.rels {
        let line = if r.identifying && r.kind == RelKind::ForeignKey {
            "--"
        } else {
            ".."
        };
        let _ = writeln!(
            s,
            "  {} {}{}{} {} : {}",
            ids[r.parent],
            mermaid_card(r.parent_card, true),
            line,
            mermaid_card(r.child_card, false),
            ids[r.child],
            quote_label(&rel_label(d, r))
        );
    }
    s
}

// ------------------------------------------------------------------------------------------------
// DBML

fn dbml_ident(s: &str) -> String {
    let ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if ok {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\\\""))
    }
}

fn dbml_table_name(e: &Entity) -> String {
    if e.schema.is_empty() || e.schema == "public" || e.schema == "main" {
        dbml_ident(&e.name.name)
    } else {
        format!("{}.{}", dbml_ident(&e.schema), dbml_ident(&e.name.name))
    }
}

fn dbml_str(s: &str) -> String {
    format!(
        "'{}'",
        s.replace('\\', "\\\\")
            .replace('\'', "\\'")
            .replace('\n', "\\n")
    )
}

fn dbml_cols(cols: &[String]) -> String {
    if cols.len() == 1 {
        dbml_ident(&cols[0])
    } else {
        format!(
            "({})",
            cols.iter()
                .map(|c| dbml_ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The DBML type of a column: domains become their base type (DBML has no domains).
fn dbml_type(cat: &Catalog, col: &crate::catalog::Column) -> (String, Option<String>) {
    let t = &col.data_type;
    if let Some(u) = &t.user_type
        && let Some(ut) = cat.user_type(u)
        && let UserTypeKind::Domain { base, .. } = &ut.kind
    {
        return (
            super::model::display_type(base, cat.dialect),
            Some(format!("domain {}", u.name)),
        );
    }
    (super::model::display_type(t, cat.dialect), None)
}

fn dbml_default(def: &str) -> Option<String> {
    let d = def.trim();
    let lower = d.to_ascii_lowercase();
    if lower.starts_with("nextval(") {
        return None;
    }
    if d.parse::<f64>().is_ok() {
        return Some(d.to_string());
    }
    if matches!(lower.as_str(), "true" | "false" | "null") {
        return Some(lower);
    }
    // 'text' or 'text'::type
    if let Some(rest) = d.strip_prefix('\'')
        && let Some(end) = rest.find('\'')
    {
        let tail = &rest[end + 1..];
        if tail.is_empty() || (tail.starts_with("::") && !tail.contains('(')) {
            return Some(dbml_str(&rest[..end]));
        }
    }
    if d.contains('`') {
        return None;
    }
    Some(format!("`{d}`"))
}

pub fn dbml(d: &Diagram, cat: &Catalog) -> String {
    let mut s = String::new();
    let db = match cat.dialect {
        crate::sql::Dialect::Postgres => "PostgreSQL",
        crate::sql::Dialect::Mysql => "MySQL",
        crate::sql::Dialect::Sqlite => "SQLite",
        crate::sql::Dialect::Generic => "Generic",
    };
    let _ = writeln!(s, "Project schema {{\n  database_type: '{db}'\n}}\n");
    // Enums used by drawn columns.
    let mut enums: Vec<&crate::catalog::UserType> = Vec::new();
    for e in &d.entities {
        let Some(t) = cat.table(&e.name) else {
            continue;
        };
        for c in &t.columns {
            let ut = c.data_type.user_type.as_ref().or(c
                .data_type
                .element
                .as_ref()
                .and_then(|el| el.user_type.as_ref()));
            if let Some(u) = ut
                && let Some(ut) = cat.user_type(u)
                && matches!(ut.kind, UserTypeKind::Enum { .. })
                && !enums.iter().any(|x| x.name == ut.name)
            {
                enums.push(ut);
            }
        }
    }
    for u in &enums {
        if let UserTypeKind::Enum { values } = &u.kind {
            let name = if u.name.schema.is_empty() || u.name.schema == "public" {
                dbml_ident(&u.name.name)
            } else {
                format!(
                    "{}.{}",
                    dbml_ident(&u.name.schema),
                    dbml_ident(&u.name.name)
                )
            };
            let _ = writeln!(s, "Enum {name} {{");
            for v in values {
                let _ = writeln!(s, "  {}", dbml_ident_or_str(v));
            }
            s.push_str("}\n\n");
        }
    }
    for e in &d.entities {
        let Some(t) = cat.table(&e.name) else {
            continue;
        };
        let _ = writeln!(s, "Table {} {{", dbml_table_name(e));
        let single_pk = t
            .primary_key
            .as_ref()
            .filter(|k| k.columns.len() == 1)
            .map(|k| k.columns[0].clone());
        for c in &t.columns {
            let (ty, note) = dbml_type(cat, c);
            let mut settings: Vec<String> = Vec::new();
            if single_pk
                .as_deref()
                .is_some_and(|p| cat.ident_eq(p, &c.name))
            {
                settings.push("pk".into());
            } else if !c.nullable {
                settings.push("not null".into());
            }
            if c.auto_increment || c.identity.is_some() {
                settings.push("increment".into());
            }
            let uk = t
                .uniques
                .iter()
                .any(|u| u.columns.len() == 1 && cat.ident_eq(&u.columns[0], &c.name));
            if uk {
                settings.push("unique".into());
            }
            if !c.auto_increment
                && c.identity.is_none()
                && let Some(def) = c.default.as_deref().and_then(dbml_default)
            {
                settings.push(format!("default: {def}"));
            }
            let note = match (&c.comment, note) {
                (Some(cm), Some(n)) => Some(format!("{n}; {cm}")),
                (Some(cm), None) => Some(cm.clone()),
                (None, n) => n,
            };
            if let Some(n) = note {
                settings.push(format!("note: {}", dbml_str(&n)));
            }
            let ty = if ty.contains(' ') || ty.contains('"') {
                format!("\"{}\"", ty.replace('"', ""))
            } else {
                ty
            };
            let _ = write!(s, "  {} {}", dbml_ident(&c.name), ty);
            if !settings.is_empty() {
                let _ = write!(s, " [{}]", settings.join(", "));
            }
            s.push('\n');
        }
        let mut idx = Vec::new();
        if let Some(pk) = t.primary_key.as_ref().filter(|k| k.columns.len() > 1) {
            idx.push(format!("{} [pk]", dbml_cols_paren(&pk.columns)));
        }
        for u in t.uniques.iter().filter(|u| u.columns.len() > 1) {
            idx.push(format!(
                "{} [unique, name: {}]",
                dbml_cols_paren(&u.columns),
                dbml_str(&u.name)
            ));
        }
        for i in cat.indexes_of(&t.name) {
            if i.origin != crate::catalog::IndexOrigin::Explicit || i.predicate.is_some() {
                continue;
            }
            let Some(cols) = i.columns() else { continue };
            let cols: Vec<String> = cols.into_iter().map(String::from).collect();
            let mut set = vec![format!("name: {}", dbml_str(&i.name))];
            if i.unique {
                set.insert(0, "unique".into());
            }
            if matches!(i.method.as_str(), "hash" | "btree") && i.method != "btree" {
                set.push(format!("type: {}", i.method));
            } else if i.method != "btree" {
                continue;
            }
            idx.push(format!("{} [{}]", dbml_cols_paren(&cols), set.join(", ")));
        }
        if !idx.is_empty() {
            s.push_str("\n  Indexes {\n");
            for i in idx {
                let _ = writeln!(s, "    {i}");
            }
            s.push_str("  }\n");
        }
        if let Some(c) = &e.comment {
            let _ = writeln!(s, "\n  Note: {}", dbml_str(c));
        }
        s.push_str("}\n\n");
    }
    for r in &d.fk_rels {
        let (c, p) = (&d.entities[r.child], &d.entities[r.parent]);
        let op = if r.child_card.many() { ">" } else { "-" };
        let mut set = Vec::new();
        let od = r.on_delete.to_ascii_lowercase();
        if !od.is_empty() && od != "no action" {
            set.push(format!("delete: {od}"));
        }
        let _ = write!(
            s,
            "Ref {}: {}.{} {op} {}.{}",
            dbml_ident(&r.name),
            dbml_table_name(c),
            dbml_cols(&r.child_cols),
            dbml_table_name(p),
            dbml_cols(&r.parent_cols)
        );
        if !set.is_empty() {
            let _ = write!(s, " [{}]", set.join(", "));
        }
        s.push('\n');
    }
    if d.group_by_schema && d.schemas.len() > 1 {
        for sc in &d.schemas {
            let _ = writeln!(
                s,
                "\nTableGroup {} {{",
                dbml_ident(if sc.is_empty() { "default" } else { sc })
            );
            for e in d.entities.iter().filter(|e| &e.schema == sc) {
                let _ = writeln!(s, "  {}", dbml_table_name(e));
            }
            s.push_str("}\n");
        }
    }
    s
}

fn dbml_cols_paren(cols: &[String]) -> String {
    format!(
        "({})",
        cols.iter()
            .map(|c| dbml_ident(c))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn dbml_ident_or_str(v: &str) -> String {
    if v.chars().all(|c| c.is_alphanumeric() || c == '_')
        && v.chars().next().is_some_and(|c| !c.is_ascii_digit())
    {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('"', "\\\""))
    }
}

// ------------------------------------------------------------------------------------------------
// PlantUML (IE notation)

fn puml_alias(i: usize, e: &Entity) -> String {
    let base: String = e
        .label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{base}_{i}")
}

fn puml_card(c: Card, left: bool) -> &'static str {
    mermaid_card(c, left)
}

pub fn plantuml(d: &Diagram) -> String {
    let mut s = String::from("@startuml\n");
    s.push_str("hide circle\nhide empty members\nskinparam linetype ortho\n\n");
    let aliases: Vec<String> = d
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| puml_alias(i, e))
        .collect();
    let mut groups: Vec<Option<&str>> = vec![None];
    if d.group_by_schema {
        groups = d.schemas.iter().map(|s| Some(s.as_str())).collect();
    }
    for g in groups {
        let indent = if g.is_some() { "  " } else { "" };
        if let Some(sc) = g {
            let _ = writeln!(
                s,
                "package \"{}\" {{",
                if sc.is_empty() { "(default)" } else { sc }
            );
        }
        for (i, e) in d.boxes() {
            if g.is_some_and(|sc| sc != e.schema) {
                continue;
            }
            let _ = writeln!(
                s,
                "{indent}entity \"{}\" as {} {{",
                e.label.replace('"', "'"),
                aliases[i]
            );
            let (keys, rest): (Vec<_>, Vec<_>) = e.attrs.iter().partition(|a| a.pk);
            let line = |a: &super::model::Attr| {
                let marks = a.marks();
                format!(
                    "{indent}  {}{} : {}{}",
                    if a.nullable { "" } else { "* " },
                    a.name,
                    a.ty,
                    if marks.is_empty() {
                        String::new()
                    } else {
                        format!(" <<{}>>", marks.join(","))
                    }
                )
            };
            for a in &keys {
                let _ = writeln!(s, "{}", line(a));
            }
            if !keys.is_empty() || !rest.is_empty() {
                let _ = writeln!(s, "{indent}  --");
            }
            for a in &rest {
                let _ = writeln!(s, "{}", line(a));
            }
            if e.hidden > 0 && !e.attrs.is_empty() {
                let _ = writeln!(s, "{indent}  .. {} more columns ..", e.hidden);
            }
            let _ = writeln!(s, "{indent}}}");
        }
        if g.is_some() {
            s.push_str("}\n");
        }
    }
    s.push('\n');
    for r in &d.rels {
        let line = if r.kind == RelKind::ForeignKey && r.identifying {
            "--"
        } else {
            ".."
        };
        let _ = writeln!(
            s,
            "{} {}{}{} {} : \"{}\"",
            aliases[r.parent],
            puml_card(r.parent_card, true),
            line,
            puml_card(r.child_card, false),
            aliases[r.child],
            rel_label(d, r).replace('"', "'")
        );
    }
    s.push_str("@enduml\n");
    s
}

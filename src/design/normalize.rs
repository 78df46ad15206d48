//! The normalization note of a designed schema: what the spec shows about 1NF, 2NF and 3NF, and
//! which denormalizations are deliberate. Each line is computed from the spec and the resolved
//! design (types, keys, relations, names), never canned.

use super::model::{Design, LType};
use super::naming::snake_case;
use super::spec::{RelationKind, Spec};

/// Observations, most important first; the last line is the verdict.
pub fn notes(spec: &Spec, d: &Design) -> Vec<String> {
    let mut out = Vec::new();
    let mut problems = 0;
    for t in d.tables.iter().filter(|t| !t.junction) {
        // 1NF: arrays.
        for c in &t.columns {
            if let LType::Array(el) = &c.ty {
                if matches!(**el, LType::Key(_)) || c.name.ends_with("_ids") {
                    problems += 1;
                    out.push(format!(
                        "1NF: {}.{} is an array of ids; a list of references belongs in a junction table (declare a many_to_many relation) so the database can enforce and index it.",
                        t.name, c.name
                    ));
                } else {
                    out.push(format!(
                        "1NF: {}.{} is an array, read and written as one value; if you filter by single elements or they gain attributes, move them to a child table.",
                        t.name, c.name
                    ));
                }
            }
            if c.ty == LType::Json {
                out.push(format!(
                    "1NF: {}.{} is JSON; keep there only attributes you never filter, join or constrain on.",
                    t.name, c.name
                ));
            }
        }
        // 1NF: repeating groups (phone1, phone2 ...).
        let mut stems: Vec<(String, Vec<String>)> = Vec::new();
        for c in &t.columns {
            let stem = c.name.trim_end_matches(|ch: char| ch.is_ascii_digit());
            if stem.len() < c.name.len() && !stem.is_empty() {
                let stem = stem.trim_end_matches('_').to_string();
                match stems.iter_mut().find(|(s, _)| *s == stem) {
                    Some((_, v)) => v.push(c.name.clone()),
                    None => stems.push((stem, vec![c.name.clone()])),
                }
            }
        }
        for (stem, cols) in stems.iter().filter(|(_, v)| v.len() >= 2) {
            problems += 1;
            out.push(format!(
                "1NF: {}.{} repeat one attribute ({stem}); unless they are distinct parts (like address_line1/2), move them to a child table with one row per value.",
                t.name,
                cols.join(", ")
            ));
        }
        // 2NF: composite natural keys.
        if t.primary_key.len() > 1 {
            let others: Vec<&str> = t
                .columns
                .iter()
                .filter(|c| !t.primary_key.contains(&c.name) && c.origin == "field")
                .map(|c| c.name.as_str())
                .collect();
            if !others.is_empty() {
                out.push(format!(
                    "2NF: {} has the composite key ({}); check that {} depend on the whole key, not on one part.",
                    t.name,
                    t.primary_key.join(", "),
                    others.join(", ")
                ));
            }
        }
        // 3NF: columns copied from a referenced table.
        for fk in &t.foreign_keys {
            let Some(target) = d.table(&fk.ref_table) else {
                continue;
            };
            for c in t.columns.iter().filter(|c| c.origin == "field") {
                let copied = c
                    .name
                    .strip_prefix(&format!("{}_", fk.relation))
                    .and_then(|rest| target.column(rest))
                    .or_else(|| {
                        target.column(&c.name).filter(|tc| {
                            tc.ty == c.ty
                                && target
                                    .uniques
                                    .iter()
                                    .any(|u| u.columns.len() == 1 && u.columns[0] == tc.name)
                        })
                    });
                if let Some(tc) = copied {
                    problems += 1;
                    out.push(format!(
                        "3NF: {}.{} repeats {}.{}, which {} already reaches through {}; read it through the join, or keep it on purpose as a snapshot and say so.",
                        t.name,
                        c.name,
                        target.name,
                        tc.name,
                        t.name,
                        fk.columns.join(", ")
                    ));
                }
            }
        }
        // 3NF: a field that names another entity's attribute without a relation to it.
        for c in t.columns.iter().filter(|c| c.origin == "field") {
            for other in d.tables.iter().filter(|o| o.name != t.name && !o.junction) {
                let related = t.foreign_keys.iter().any(|f| f.ref_table == other.name);
                if related {
                    continue;
                }
                if let Some(rest) = c.name.strip_prefix(&format!("{}_", other.entity))
                    && rest != "id"
                    && other.column(rest).is_some()
                {
                    problems += 1;
                    out.push(format!(
                        "3NF: {}.{} looks like {}.{} but {} has no relation to {}; declare a belongs_to and drop the copy.",
                        t.name, c.name, other.name, rest, t.name, other.name
                    ));
                }
            }
        }
    }
    // Spec-level: an entity that has a field ending in _id that is not a relation.
    for e in &spec.entities {
        for f in &e.fields {
            let n = snake_case(&f.name);
            if let Some(target) = n.strip_suffix("_id")
                && d.tables.iter().any(|t| t.entity == target)
                && !e
                    .relations
                    .iter()
                    .any(|r| r.kind == RelationKind::BelongsTo && snake_case(&r.target) == target)
            {
                problems += 1;
                out.push(format!(
                    "Field {}.{} names entity {target} but is not a relation, so no foreign key protects it; declare {{\"kind\": \"belongs_to\", \"target\": \"{target}\"}} instead.",
                    snake_case(&e.name),
                    n
                ));
            }
        }
    }
    for s in &d.summaries {
        out.push(format!(
            "Deliberate denormalization: {} stores aggregates of {} (derived data, refreshed on the schedule `{}`); the base tables stay the source of truth.",
            s.name, s.base_table, s.cron
        ));
    }
    let junctions: Vec<&str> = d
        .tables
        .iter()
        .filter(|t| t.junction)
        .map(|t| t.name.as_str())
        .collect();
    if !junctions.is_empty() {
        out.push(format!(
            "Many-to-many relations are resolved by junction tables ({}) with a unique pair, so no list of ids is stored in a column.",
            junctions.join(", ")
        ));
    }
    let verdict = if problems == 0 {
        "Verdict: 3NF as far as the spec shows — every column is atomic and typed, every table has a single key that all other columns describe, and no column repeats data reachable through a foreign key.".to_string()
    } else {
        format!(
            "Verdict: {problems} normalization issue(s) above to decide on; the rest of the schema is in 3NF as far as the spec shows."
        )
    };
    out.push(verdict);
    out
}

//! Normal forms of an existing schema, and the way there. From the catalog alone (names, types,
//! keys and foreign keys) it finds:
//! - 1NF: lists of ids in one column (delimited text, JSON arrays, arrays) and repeating column
//!   groups (phone1, phone2, phone3);
//! - 2NF: in a table with a composite key, a column named after the table one key part
//!   references (order_items.product_name with key (order_id, product_id)), which depends on that
//!   part only;
//! - 3NF: a column that copies a column of a referenced table (orders.customer_email where
//!   orders.customer_id → customers.email), a transitive dependency.
//!
//! For each it proposes the refactored DDL and the migration steps (PostgreSQL SQL: the steps
//! move the data before anything is dropped, and a view keeps copied columns readable), tested
//! by executing them on PostgreSQL over a fixture with data.

use super::schema::{design_tables, list_of_ids_name, repeating_group_list};
use super::words::{singular_forms, split_words};
use super::{qualified, quote};
use crate::catalog::{Catalog, Column, Table, TypeFamily};
use crate::findings::Span;
use crate::sql::Dialect;
use schemars::JsonSchema;
use serde::Serialize;

// One normal-form problem with its proposal.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NfIssue {
    // 1NF, 2NF or 3NF.
    pub form: String,
    // multi-valued, repeating-group, partial-dependency or transitive-dependency.
    pub kind: String,
    pub table: String,
    pub columns: Vec<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    // New tables / views (DDL).
    pub ddl: Vec<String>,
    // Migration steps in order: move the data, then drop what is no longer needed.
    pub migration: Vec<String>,
}

// Normal-form analysis of a schema.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NormalizeReport {
    pub issues: Vec<NfIssue>,
    // All proposed DDL, in order.
    pub ddl: String,
    // All migration steps, in order, as one script (run it in a transaction).
    pub migration: String,
    // The highest normal form every table reaches as far as names, keys and FKs show.
    pub verdict: String,
    pub notes: Vec<String>,
}

fn singular(name: &str) -> String {
    let forms = singular_forms(name);
    // Prefer the shortest plausible singular that is not the name itself when it ends in s.
    if name.ends_with('s') && !name.ends_with("ss") {
        if let Some(s) = forms
            .iter()
            .find(|f| name.ends_with("ies") && f.ends_with('y'))
        {
            return s.clone();
        }
        return name[..name.len() - 1].to_string();
    }
    name.to_string()
}

fn plural(word: &str) -> String {
    if word.ends_with('s') {
        word.to_string()
    } else if let Some(s) = word
        .strip_suffix('y')
        .filter(|s| !s.ends_with(['a', 'e', 'o', 'u']))
    {
        format!("{s}ies")
    } else {
        format!("{word}s")
    }
}

fn single_pk(t: &Table) -> Option<&Column> {
    t.primary_key
        .as_ref()
        .filter(|k| k.columns.len() == 1)
        .and_then(|k| t.column(&k.columns[0]))
}

fn find_table<'a>(cat: &'a Catalog, stem: &str) -> Option<&'a Table> {
    design_tables(cat).find(|t| {
        singular_forms(&t.name.name)
            .iter()
            .any(|s| s.eq_ignore_ascii_case(stem))
    })
}

/// The key type to use for a column referencing `c` (serial → integer, identity → its type).
fn ref_type(c: &Column) -> String {
    let t = &c.data_type;
    match (t.family, t.int_bytes) {
        (TypeFamily::Integer, Some(8)) => "bigint".into(),
        (TypeFamily::Integer, Some(4)) => "integer".into(),
        (TypeFamily::Integer, Some(2)) => "smallint".into(),
        _ => t.raw.clone(),
    }
}

struct Ctx<'a> {
    cat: &'a Catalog,
    d: Dialect,
}

impl Ctx<'_> {
    fn q(&self, s: &str) -> String {
        quote(self.d, s)
    }
}

fn multi_valued(cx: &Ctx, t: &Table, out: &mut Vec<NfIssue>) {
    let Some(pk) = single_pk(t) else { return };
    for c in &t.columns {
        if !matches!(
            c.data_type.family,
            TypeFamily::Text | TypeFamily::Json | TypeFamily::Array
        ) || !list_of_ids_name(&c.name)
        {
            continue;
        }
        let words = split_words(&c.name);
        let stem = words[..words.len() - 1].join("_");
        // `added_post_ids` refers to posts: try the stem, then its trailing words.
        let target = (0..words.len() - 1)
            .find_map(|i| find_table(cx.cat, &words[i..words.len() - 1].join("_")));
        let owner = singular(&t.name.name);
        let junction = format!("{owner}_{}", plural(&stem));
        let owner_col = format!("{owner}_{}", pk.name);
        let value_col = format!("{stem}_id");
        let (vtype, fk) = match target.and_then(|tt| single_pk(tt).map(|p| (tt, p))) {
            Some((tt, p)) => (
                ref_type(p),
                format!(
                    " REFERENCES {} ({})",
                    qualified(cx.d, &tt.name),
                    cx.q(&p.name)
                ),
            ),
            None => ("bigint".to_string(), String::new()),
        };
        let tq = qualified(cx.d, &t.name);
        let jq = cx.q(&junction);
        let ddl = vec![
            format!(
                "CREATE TABLE {jq} (\n  {oc} {ot} NOT NULL REFERENCES {tq} ({pk}) ON DELETE CASCADE,\n  {vc} {vtype} NOT NULL{fk},\n  PRIMARY KEY ({oc}, {vc})\n);",
                oc = cx.q(&owner_col),
                ot = ref_type(pk),
                pk = cx.q(&pk.name),
                vc = cx.q(&value_col),
            ),
            format!(
                "CREATE INDEX {} ON {jq} ({});",
                cx.q(&format!("{junction}_{value_col}_idx")),
                cx.q(&value_col)
            ),
        ];
        let col = cx.q(&c.name);
        let elems = match c.data_type.family {
            TypeFamily::Json => format!("jsonb_array_elements_text(s.{col}::jsonb)"),
            TypeFamily::Array => format!("unnest(s.{col})"),
            _ => format!("unnest(string_to_array(s.{col}, ','))"),
        };
        let migration = vec![
            format!(
                "INSERT INTO {jq} ({oc}, {vc})\nSELECT DISTINCT s.{pk}, btrim(e.v::text)::{vtype}\nFROM {tq} AS s CROSS JOIN LATERAL {elems} AS e(v)\nWHERE s.{col} IS NOT NULL AND btrim(e.v::text) <> '';",
                oc = cx.q(&owner_col),
                vc = cx.q(&value_col),
                pk = cx.q(&pk.name),
            ),
            format!("ALTER TABLE {tq} DROP COLUMN {col};"),
        ];
        out.push(NfIssue {
            form: "1NF".into(),
            kind: "multi-valued".into(),
            table: t.name.to_string(),
            columns: vec![c.name.clone()],
            message: format!(
                "{}.{} holds a list of {} ids in one value; move it to the junction table {junction}{}",
                t.name,
                c.name,
                stem,
                match target {
                    Some(tt) => format!(" with a foreign key to {}", tt.name),
                    None => String::new(),
                }
            ),
            span: c.span.clone(),
            ddl,
            migration,
        });
    }
}

fn repeating(cx: &Ctx, t: &Table, out: &mut Vec<NfIssue>) {
    let Some(pk) = single_pk(t) else { return };
    for (stem, cols) in repeating_group_list(t) {
        let owner = singular(&t.name.name);
        let child = format!("{owner}_{}", plural(&stem));
        let owner_col = format!("{owner}_{}", pk.name);
        let tq = qualified(cx.d, &t.name);
        let cq = cx.q(&child);
        let ddl = vec![format!(
            "CREATE TABLE {cq} (\n  {oc} {ot} NOT NULL REFERENCES {tq} ({pk}) ON DELETE CASCADE,\n  position smallint NOT NULL CHECK (position > 0),\n  {sc} {st} NOT NULL,\n  PRIMARY KEY ({oc}, position)\n);",
            oc = cx.q(&owner_col),
            ot = ref_type(pk),
            pk = cx.q(&pk.name),
            sc = cx.q(&stem),
            st = if cx.d == Dialect::Postgres {
                cols[0].data_type.raw.to_lowercase()
            } else {
                cols[0].data_type.raw.clone()
            },
        )];
        let selects: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                format!(
                    "SELECT {pk}, {}, {col} FROM {tq} WHERE {col} IS NOT NULL",
                    i + 1,
                    pk = cx.q(&pk.name),
                    col = cx.q(&c.name)
                )
            })
            .collect();
        let drops: Vec<String> = cols
            .iter()
            .map(|c| format!("DROP COLUMN {}", cx.q(&c.name)))
            .collect();
        let migration = vec![
            format!(
                "INSERT INTO {cq} ({}, position, {})\n{};",
                cx.q(&owner_col),
                cx.q(&stem),
                selects.join("\nUNION ALL\n")
            ),
            format!("ALTER TABLE {tq} {};", drops.join(", ")),
        ];
        let names: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
        out.push(NfIssue {
            form: "1NF".into(),
            kind: "repeating-group".into(),
            table: t.name.to_string(),
            message: format!(
                "{}.{} repeat {stem}; move the values to {child} (one row per value, position keeps the order)",
                t.name,
                names.join(", ")
            ),
            columns: names,
            span: cols[0].span.clone(),
            ddl,
            migration,
        });
    }
}

/// Columns of `t` that copy a column of the table `fk` references: `<role>_<col>` where the FK
/// column is `<role>_id`, or `<parent singular>_<col>`.
fn copied_columns<'a>(
    cat: &'a Catalog,
    t: &'a Table,
    fk: &'a crate::catalog::ForeignKey,
) -> Vec<(&'a Column, &'a Table, String, bool)> {
    let mut out = Vec::new();
    let Some(parent) = cat.table(&fk.ref_table) else {
        return out;
    };
    if fk.columns.len() != 1 || cat.name_eq(&parent.name, &t.name) {
        return out;
    }
    let fkc = fk.columns[0].to_ascii_lowercase();
    let mut prefixes: Vec<String> = Vec::new();
    if let Some(role) = fkc.strip_suffix(&format!("_{}", fk.ref_columns[0].to_ascii_lowercase())) {
        prefixes.push(role.to_string());
    }
    if let Some(role) = fkc.strip_suffix("_id") {
        prefixes.push(role.to_string());
    }
    prefixes.push(singular(&parent.name.name.to_ascii_lowercase()));
    prefixes.sort();
    prefixes.dedup();
    for c in &t.columns {
        let low = c.name.to_ascii_lowercase();
        if fk.columns.iter().any(|x| x.eq_ignore_ascii_case(&c.name))
            || t.foreign_keys
                .iter()
                .any(|f| f.columns.iter().any(|x| x.eq_ignore_ascii_case(&c.name)))
        {
            continue;
        }
        for p in &prefixes {
            let Some(rest) = low.strip_prefix(&format!("{p}_")) else {
                continue;
            };
            if rest == "id" || rest.is_empty() {
                continue;
            }
            let exists = parent.column(rest).is_some();
            out.push((c, parent, rest.to_string(), exists));
            break;
        }
    }
    out
}

/// Every column of `t` a proposal drops (lists, repeating groups, copies), so compatibility
/// views never select a dropped column.
fn dropped_columns(cat: &Catalog, t: &Table) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    if single_pk(t).is_some() {
        v.extend(
            t.columns
                .iter()
                .filter(|c| {
                    matches!(
                        c.data_type.family,
                        TypeFamily::Text | TypeFamily::Json | TypeFamily::Array
                    ) && list_of_ids_name(&c.name)
                })
                .map(|c| c.name.clone()),
        );
        for (_, cols) in repeating_group_list(t) {
            v.extend(cols.iter().map(|c| c.name.clone()));
        }
    }
    for fk in &t.foreign_keys {
        for (c, ..) in copied_columns(cat, t, fk) {
            v.push(c.name.clone());
        }
    }
    v
}

fn dependencies(cx: &Ctx, t: &Table, out: &mut Vec<NfIssue>) {
    let composite = t.primary_key.as_ref().filter(|k| k.columns.len() > 1);
    let tq = qualified(cx.d, &t.name);
    for fk in t.foreign_keys.iter().filter(|f| f.inherited_from.is_none()) {
        let part_of_key = composite.is_some_and(|k| {
            fk.columns
                .iter()
                .all(|c| k.columns.iter().any(|kc| kc.eq_ignore_ascii_case(c)))
        });
        for (c, parent, rest, exists) in copied_columns(cx.cat, t, fk) {
            // 3NF needs the column to be a true copy (the parent has it); 2NF also covers a
            // column the parent lacks, since it names the key part it depends on.
            if !exists && !part_of_key {
                continue;
            }
            let Some(pk) = single_pk(parent) else {
                continue;
            };
            let pq = qualified(cx.d, &parent.name);
            let col = cx.q(&c.name);
            let target = cx.q(&rest);
            let fkc = cx.q(&fk.columns[0]);
            let mut ddl = Vec::new();
            let mut migration = Vec::new();
            if !exists {
                migration.push(format!(
                    "ALTER TABLE {pq} ADD COLUMN {target} {};",
                    c.data_type.raw
                ));
            }
            // Fill the parent where it has no value yet (one value per parent row).
            migration.push(format!(
                "UPDATE {pq} AS p SET {target} = src.v\nFROM (SELECT DISTINCT ON ({fkc}) {fkc} AS k, {col} AS v FROM {tq} WHERE {col} IS NOT NULL ORDER BY {fkc}) AS src\nWHERE p.{pk} = src.k AND p.{target} IS NULL;",
                pk = cx.q(&pk.name),
            ));
            let view = format!("{}_with_{}", t.name.name, singular(&parent.name.name));
            let gone = dropped_columns(cx.cat, t);
            let others: Vec<String> = t
                .columns
                .iter()
                .filter(|x| !gone.contains(&x.name))
                .map(|x| format!("t.{}", cx.q(&x.name)))
                .collect();
            // Refuse to drop a copy that disagrees with its source: reconcile first.
            migration.push(format!(
                "DO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM {tq} AS t JOIN {pq} AS p ON p.{pk} = t.{fkc} WHERE t.{col} IS NOT NULL AND t.{col} IS DISTINCT FROM p.{target}) THEN\n    RAISE EXCEPTION '{t_lit}.{c_lit} differs from {p_lit}.{r_lit} in some rows; reconcile them before dropping the copy';\n  END IF;\nEND\n$$;",
                pk = cx.q(&pk.name),
                t_lit = t.name.to_string().replace('\'', "''"),
                c_lit = c.name.replace('\'', "''"),
                p_lit = parent.name.to_string().replace('\'', "''"),
                r_lit = rest.replace('\'', "''"),
            ));
            migration.push(format!("ALTER TABLE {tq} DROP COLUMN {col};"));
            ddl.push(format!(
                "CREATE VIEW {} AS\nSELECT {}, p.{target} AS {col}\nFROM {tq} AS t LEFT JOIN {pq} AS p ON p.{} = t.{fkc};",
                cx.q(&view),
                others.join(", "),
                cx.q(&pk.name),
            ));
            let (form, kind, message) = if part_of_key {
                (
                    "2NF",
                    "partial-dependency",
                    format!(
                        "{}.{} depends on {} only, one part of the key ({}); it belongs in {}.{}",
                        t.name,
                        c.name,
                        fk.columns[0],
                        composite.map(|k| k.columns.join(", ")).unwrap_or_default(),
                        parent.name,
                        rest
                    ),
                )
            } else {
                (
                    "3NF",
                    "transitive-dependency",
                    format!(
                        "{}.{} copies {}.{}, reachable through {} → {}: a transitive dependency",
                        t.name, c.name, parent.name, rest, fk.columns[0], parent.name
                    ),
                )
            };
            out.push(NfIssue {
                form: form.into(),
                kind: kind.into(),
                table: t.name.to_string(),
                columns: vec![c.name.clone()],
                message,
                span: c.span.clone(),
                // The view is created after the column is dropped.
                ddl,
                migration,
            });
        }
    }
}

/// Analyse a catalog.
pub fn analyze(cat: &Catalog) -> NormalizeReport {
    let cx = Ctx {
        cat,
        d: cat.dialect,
    };
    let mut issues = Vec::new();
    for t in design_tables(cat) {
        multi_valued(&cx, t, &mut issues);
        repeating(&cx, t, &mut issues);
        dependencies(&cx, t, &mut issues);
    }
    // Order of the script: new tables first, then data moves and drops, then views.
    let mut ddl = Vec::new();
    let mut migration = Vec::new();
    let mut views = Vec::new();
    for i in &issues {
        for d in &i.ddl {
            if d.starts_with("CREATE VIEW") {
                views.push(d.clone());
            } else {
                ddl.push(d.clone());
            }
        }
    }
    migration.extend(ddl.iter().cloned());
    for i in &issues {
        migration.extend(i.migration.iter().cloned());
    }
    migration.extend(views.iter().cloned());
    ddl.extend(views);
    let worst = issues.iter().map(|i| i.form.as_str()).min();
    let verdict = match worst {
        None => "3NF as far as names, keys and foreign keys show: no lists in columns, no repeating groups, no column depending on part of a key or copied from a referenced table.".to_string(),
        Some("1NF") => format!("Not in 1NF: {} table(s) store lists or repeating groups.", issues.iter().filter(|i| i.form == "1NF").map(|i| i.table.clone()).collect::<std::collections::BTreeSet<_>>().len()),
        Some("2NF") => "In 1NF, not in 2NF: some columns depend on part of a composite key.".into(),
        _ => "In 2NF, not in 3NF: some columns copy data reachable through a foreign key.".into(),
    };
    let mut notes = vec![
        "Detection reads names, types, keys and foreign keys; it cannot see dependencies the schema does not name. Review each proposal before running it.".to_string(),
    ];
    if cat.dialect != Dialect::Postgres && !issues.is_empty() {
        notes.push(format!(
            "The migration steps are written for PostgreSQL (string_to_array, DISTINCT ON, UPDATE ... FROM); on {} adapt the data-moving statements.",
            cat.dialect.engine_name()
        ));
    }
    NormalizeReport {
        verdict,
        ddl: ddl.join("\n\n"),
        migration: if migration.is_empty() {
            String::new()
        } else {
            format!("BEGIN;\n\n{}\n\nCOMMIT;", migration.join("\n\n"))
        },
        issues,
        notes,
    }
}

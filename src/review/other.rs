//! IDX004–IDX005 (index design), SEC (security) and NAM (naming) rules. Grants, roles and
//! row-level security come from the parsed statements; everything else from the catalog.

use super::Ctx;
use super::schema::design_tables;
use super::words::{Style, plurality, singular_forms, split_words, style};
use crate::catalog::{IndexOrigin, Table, TypeFamily};
use crate::findings::Span;
use sqlparser::ast;

pub fn check(cx: &mut Ctx) {
    indexes(cx);
    columns_sec(cx);
    let pinned = statements_sec(cx);
    functions_sec(cx, &pinned);
    naming(cx);
}

fn indexes(cx: &mut Ctx) {
    let cat = cx.cat;
    for t in design_tables(cat) {
        let own: Vec<_> = cat
            .indexes_of(&t.name)
            .filter(|i| i.inherited_from.is_none())
            .collect();
        if own.len() > 8 {
            cx.emit(
                "IDX004",
                format!("table {} has {} indexes", t.name, own.len()),
                t.span.as_ref(),
                "Check which indexes the workload uses (KD-db-index) and drop or merge the others."
                    .into(),
                None,
            );
        }
        for i in own {
            if i.unique
                || i.origin != IndexOrigin::Explicit
                || !matches!(i.method.as_str(), "btree" | "")
                || i.keys.len() <= 3
            {
                continue;
            }
            cx.emit(
                "IDX005",
                format!("index {} on {} has {} key columns", i.name, t.name, i.keys.len()),
                i.span.as_ref().or(t.span.as_ref()),
                if cx.pg() && cx.at_least(11, 0) {
                    "Keep the columns queries filter and sort on as keys; move columns only read into INCLUDE (...).".into()
                } else {
                    "Keep the columns queries filter and sort on as keys; drop the others.".into()
                },
                None,
            );
        }
    }
}

fn columns_sec(cx: &mut Ctx) {
    const HASHED: &[&str] = &[
        "hash",
        "hashed",
        "digest",
        "salt",
        "encrypted",
        "crypted",
        "bcrypt",
        "argon2",
        "scrypt",
        "reset",
        "changed",
        "updated",
        "expires",
        "expired",
        "expiry",
        "at",
        "set",
        "required",
        "policy",
        "length",
        "hint",
        "version",
        "algorithm",
        "enc",
        "cipher",
        "ciphertext",
        "sha",
        "sha256",
        "sha512",
        "pbkdf2",
        "strength",
        "attempts",
        "count",
    ];
    const CARD: &[&str] = &["cvv", "cvc", "cvv2", "ssn", "pan"];
    const CARD_SAFE: &[&str] = &[
        "token",
        "last4",
        "last",
        "hash",
        "encrypted",
        "masked",
        "fingerprint",
        "brand",
        "type",
        "expiry",
        "expires",
        "exp",
        "id",
        "ref",
        "reference",
        "country",
        "holder",
        "name",
    ];
    let cat = cx.cat;
    for t in design_tables(cat) {
        for c in &t.columns {
            let w = split_words(&c.name);
            let ws: Vec<&str> = w.iter().map(String::as_str).collect();
            // SEC001
            let pw = ws
                .iter()
                .any(|x| matches!(*x, "password" | "passwd" | "pwd" | "passcode"))
                || ws.last().is_some_and(|x| *x == "secret");
            if pw
                && c.data_type.family == TypeFamily::Text
                && !ws.iter().any(|x| HASHED.contains(x))
            {
                let new = format!("{}_hash", c.name);
                let fix = (cx.pg() || cx.my()).then(|| {
                    (
                        format!(
                            "rename {}.{} to {new} once it holds only hashes",
                            t.name, c.name
                        ),
                        format!(
                            "ALTER TABLE {} RENAME COLUMN {} TO {};",
                            cx.qn(&t.name),
                            cx.q(&c.name),
                            cx.q(&new)
                        ),
                    )
                });
                cx.emit(
                    "SEC001",
                    format!("{}.{} looks like a password or secret stored in clear", t.name, c.name),
                    c.span.as_ref().or(t.span.as_ref()),
                    "Store only a slow salted hash (argon2id, bcrypt, scrypt) and name the column for it.".into(),
                    fix,
                );
            }
            // SEC008
            let joined = w.join("_");
            let card = joined.contains("credit_card")
                || joined.contains("card_number")
                || joined.contains("cc_number")
                || joined.contains("social_security")
                || ws.iter().any(|x| CARD.contains(x));
            if card
                && matches!(
                    c.data_type.family,
                    TypeFamily::Text | TypeFamily::Integer | TypeFamily::Decimal
                )
                && !ws.iter().any(|x| CARD_SAFE.contains(x))
            {
                cx.emit(
                    "SEC008",
                    format!("{}.{} looks like card or national-ID data stored in clear", t.name, c.name),
                    c.span.as_ref().or(t.span.as_ref()),
                    "Store a payment-provider token or an encrypted value; keep only the last 4 digits in clear; never store CVVs.".into(),
                    None,
                );
            }
        }
    }
}

/// The last part of an object name, folded the engine's way.
fn obj_key(cx: &Ctx, n: &ast::ObjectName) -> String {
    n.0.last()
        .and_then(|p| p.as_ident())
        .map(|i| {
            if (i.quote_style.is_none() && cx.pg()) || cx.cat.dialect.case_insensitive_names() {
                i.value.to_lowercase()
            } else {
                i.value.clone()
            }
        })
        .unwrap_or_default()
}

/// A statement-level finding waiting for later statements (a REVOKE can withdraw a GRANT).
type Pending = (&'static str, String, Span, String, Option<(String, String)>);

fn is_public(g: &ast::Grantee) -> bool {
    g.grantee_type == ast::GranteesType::Public
        || g.name.as_ref().is_some_and(|n| {
            n.to_string()
                .trim_matches('"')
                .eq_ignore_ascii_case("public")
        })
}

/// Statement-level rules; returns the functions whose search_path a later ALTER FUNCTION pins.
fn statements_sec(cx: &mut Ctx) -> Vec<String> {
    let mut pinned: Vec<String> = Vec::new();
    let mut rls: Vec<(String, Span, String)> = Vec::new();
    let mut policies: Vec<String> = Vec::new();
    let stmts = &cx.parsed.statements;
    let mut found: Vec<Pending> = Vec::new();
    for s in stmts {
        let Some(st) = s.parsed() else { continue };
        match st {
            ast::Statement::Grant(g) => {
                let public = g.grantees.iter().any(is_public);
                let objects = g
                    .objects
                    .as_ref()
                    .map(|o| o.to_string())
                    .unwrap_or_default();
                if public {
                    let fix = (!objects.is_empty()).then(|| {
                        (
                            "revoke the grant from PUBLIC".to_string(),
                            format!("REVOKE {} ON {} FROM PUBLIC;", g.privileges, objects),
                        )
                    });
                    found.push((
                        "SEC004",
                        format!("{} ON {} is granted to PUBLIC", g.privileges, objects),
                        s.span.clone(),
                        "Grant to a named role instead and give that role to the users who need it.".into(),
                        fix,
                    ));
                }
                if matches!(g.privileges, ast::Privileges::All { .. }) {
                    found.push((
                        "SEC007",
                        format!("GRANT ALL PRIVILEGES ON {objects}"),
                        s.span.clone(),
                        "Grant only the privileges the role uses (e.g. SELECT, INSERT, UPDATE, DELETE).".into(),
                        None,
                    ));
                }
            }
            ast::Statement::CreateRole(r) => {
                if let Some(ast::Password::Password(e)) = &r.password
                    && matches!(e, ast::Expr::Value(v) if matches!(v.value, ast::Value::SingleQuotedString(_)))
                {
                    let names: Vec<String> = r.names.iter().map(|n| n.to_string()).collect();
                    found.push((
                        "SEC002",
                        format!("role {} is created with a literal password", names.join(", ")),
                        s.span.clone(),
                        "Create the role without a password and set it from a secret at deploy time (ALTER ROLE ... PASSWORD from a secret manager, or \\password).".into(),
                        None,
                    ));
                }
            }
            ast::Statement::AlterTable(at) => {
                for op in &at.operations {
                    match op {
                        ast::AlterTableOperation::EnableRowLevelSecurity => {
                            rls.push((obj_key(cx, &at.name), s.span.clone(), at.name.to_string()))
                        }
                        ast::AlterTableOperation::DisableRowLevelSecurity => {
                            let k = obj_key(cx, &at.name);
                            rls.retain(|(n, _, _)| *n != k);
                        }
                        _ => {}
                    }
                }
            }
            ast::Statement::CreatePolicy(p) => policies.push(obj_key(cx, &p.table_name)),
            ast::Statement::Revoke(r) if r.grantees.iter().any(is_public) => {
                // A later REVOKE ... FROM PUBLIC withdraws an earlier grant on the same objects.
                let objects = r
                    .objects
                    .as_ref()
                    .map(|o| o.to_string())
                    .unwrap_or_default();
                let privs = r.privileges.to_string();
                let all = matches!(r.privileges, ast::Privileges::All { .. });
                found.retain(|(id, msg, ..)| {
                    !(*id == "SEC004"
                        && msg.ends_with(&format!(" ON {objects} is granted to PUBLIC"))
                        && (all || msg.starts_with(&format!("{privs} ON "))))
                });
            }
            ast::Statement::AlterFunction(af) => {
                if let ast::AlterFunctionOperation::Actions { actions, .. } = &af.operation
                    && actions.iter().any(|a| {
                        a.to_string()
                            .to_ascii_lowercase()
                            .starts_with("set search_path")
                    })
                {
                    pinned.push(obj_key(cx, &af.function.name));
                }
            }
            _ => {}
        }
    }
    for (key, span, shown) in rls {
        if !policies.contains(&key) {
            found.push((
                "SEC006",
                format!("row-level security is enabled on {shown} but it has no policy"),
                span,
                "Create the policies in the same migration; until then every role but the owner sees no rows.".into(),
                None,
            ));
        }
    }
    for (id, msg, span, help, fix) in found {
        cx.emit(id, msg, Some(&span), help, fix);
    }
    pinned
}

fn functions_sec(cx: &mut Ctx, pinned: &[String]) {
    if !cx.pg() {
        return;
    }
    for f in &cx.cat.functions {
        if f.security_definer && !f.sets_search_path && !pinned.contains(&f.name.name) {
            let fix = (
                format!("pin search_path of {}", f.name),
                format!(
                    "ALTER {} {} SET search_path = pg_catalog, pg_temp;",
                    if f.kind.eq_ignore_ascii_case("procedure") {
                        "PROCEDURE"
                    } else {
                        "FUNCTION"
                    },
                    cx.qn(&f.name)
                ),
            );
            cx.emit(
                "SEC005",
                format!(
                    "SECURITY DEFINER {} {} does not set search_path",
                    f.kind.to_lowercase(),
                    f.name
                ),
                f.span.as_ref(),
                "Add SET search_path = pg_catalog, pg_temp and schema-qualify the objects it uses."
                    .into(),
                Some(fix),
            );
        }
    }
}

/// The styles of a set of names, ignoring single lower-case words (they fit snake_case).
fn majority(styles: &[Style]) -> Option<Style> {
    let mut counts: Vec<(Style, usize)> = Vec::new();
    for s in styles {
        let s = if *s == Style::Word { Style::Snake } else { *s };
        match counts.iter_mut().find(|(x, _)| *x == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    if counts.len() < 2 {
        return None;
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    Some(counts[0].0)
}

fn snake(name: &str) -> String {
    split_words(name).join("_")
}

fn naming(cx: &mut Ctx) {
    let tables: Vec<&Table> = design_tables(cx.cat).collect();
    // NAM001
    let styles: Vec<Style> = tables.iter().map(|t| style(&t.name.name)).collect();
    let has_real_mix = styles
        .iter()
        .any(|s| matches!(s, Style::Snake | Style::Word))
        && styles
            .iter()
            .any(|s| !matches!(s, Style::Snake | Style::Word));
    if let Some(major) = majority(&styles).filter(|_| has_real_mix || styles.len() > 1) {
        let major = if major == Style::Word {
            Style::Snake
        } else {
            major
        };
        for (t, s) in tables.iter().zip(&styles) {
            let s2 = if *s == Style::Word { Style::Snake } else { *s };
            if s2 == major {
                continue;
            }
            let fix = (major == Style::Snake && (cx.pg() || cx.my())).then(|| {
                let new = snake(&t.name.name);
                (
                    format!("rename {} to {new}", t.name),
                    format!("ALTER TABLE {} RENAME TO {};", cx.qn(&t.name), cx.q(&new)),
                )
            });
            cx.emit(
                "NAM001",
                format!(
                    "table {} is {} while most tables are {}",
                    t.name,
                    s2.name(),
                    major.name()
                ),
                t.span.as_ref(),
                format!("Name every table in {}.", major.name()),
                fix,
            );
        }
    }
    // NAM002
    let plur: Vec<Option<bool>> = tables.iter().map(|t| plurality(&t.name.name)).collect();
    let np = plur.iter().filter(|p| **p == Some(true)).count();
    let ns = plur.iter().filter(|p| **p == Some(false)).count();
    if np > 0 && ns > 0 && np + ns >= 3 {
        let minority_plural = np < ns;
        for (t, p) in tables.iter().zip(&plur) {
            if *p != Some(minority_plural) {
                continue;
            }
            cx.emit(
                "NAM002",
                format!(
                    "table {} is {} while {} of {} tables are {}",
                    t.name,
                    if minority_plural {
                        "plural"
                    } else {
                        "singular"
                    },
                    if minority_plural { ns } else { np },
                    np + ns,
                    if minority_plural {
                        "singular"
                    } else {
                        "plural"
                    }
                ),
                t.span.as_ref(),
                "Use one convention (plural or singular) for every table.".into(),
                None,
            );
        }
    }
    // NAM003
    let mut plain: Vec<&Table> = Vec::new();
    let mut prefixed: Vec<&Table> = Vec::new();
    for t in &tables {
        let Some(pk) = t.primary_key.as_ref().filter(|k| k.columns.len() == 1) else {
            continue;
        };
        let c = pk.columns[0].to_ascii_lowercase();
        if c == "id" {
            plain.push(t);
        } else if let Some(stem) = c.strip_suffix("_id").or_else(|| c.strip_suffix("id"))
            && singular_forms(&snake(&t.name.name))
                .iter()
                .any(|s| s == stem.trim_end_matches('_'))
        {
            prefixed.push(t);
        }
    }
    if !plain.is_empty() && !prefixed.is_empty() {
        let (minority, style_min, style_maj) = if prefixed.len() <= plain.len() {
            (&prefixed, "<table>_id", "id")
        } else {
            (&plain, "id", "<table>_id")
        };
        for t in minority.iter() {
            let pkc = &t
                .primary_key
                .as_ref()
                .map(|k| k.columns[0].clone())
                .unwrap_or_default();
            let span = t
                .column(pkc)
                .and_then(|c| c.span.as_ref())
                .or(t.span.as_ref());
            cx.emit(
                "NAM003",
                format!(
                    "{}.{} names the key {style_min} while {} tables use {style_maj}",
                    t.name,
                    pkc,
                    if style_maj == "id" {
                        plain.len()
                    } else {
                        prefixed.len()
                    }
                ),
                span,
                "Name primary keys the same way in every table.".into(),
                None,
            );
        }
    }
    // NAM004
    for t in &tables {
        for f in t.foreign_keys.iter().filter(|f| f.inherited_from.is_none()) {
            if f.columns.len() != 1 || f.ref_columns.len() != 1 {
                continue;
            }
            let c = f.columns[0].to_ascii_lowercase();
            let r = f.ref_columns[0].to_ascii_lowercase();
            if c.ends_with(&r) || c.ends_with("id") || c.ends_with("_key") || c.ends_with("_code") {
                continue;
            }
            let new = format!("{}_{}", f.columns[0], f.ref_columns[0]);
            let fix = (cx.pg() || cx.my()).then(|| {
                (
                    format!("rename {}.{} to {new}", t.name, f.columns[0]),
                    format!(
                        "ALTER TABLE {} RENAME COLUMN {} TO {};",
                        cx.qn(&t.name),
                        cx.q(&f.columns[0]),
                        cx.q(&new)
                    ),
                )
            });
            let span = t
                .column(&f.columns[0])
                .and_then(|c| c.span.as_ref())
                .or(f.span.as_ref());
            cx.emit(
                "NAM004",
                format!(
                    "{}.{} references {}({}) but its name does not say so",
                    t.name, f.columns[0], f.ref_table, f.ref_columns[0]
                ),
                span,
                format!("Name it {new}."),
                fix,
            );
        }
    }
    // NAM005 (PostgreSQL): names that need quotes.
    if cx.pg() {
        let needs = |s: &str| {
            !s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                || !s
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        for t in &tables {
            let cols: Vec<&crate::catalog::Column> =
                t.columns.iter().filter(|c| needs(&c.name)).collect();
            let names: Vec<String> = cols.iter().map(|c| format!("\"{}\"", c.name)).collect();
            // Column renames first (under the current table name), then the table's.
            let mut sql = Vec::new();
            for c in &cols {
                let new = snake(&c.name);
                if new != c.name && t.column(&new).is_none_or(|x| x.name == c.name) {
                    sql.push(format!(
                        "ALTER TABLE {} RENAME COLUMN {} TO {};",
                        cx.qn(&t.name),
                        cx.q(&c.name),
                        cx.q(&new)
                    ));
                }
            }
            let fix = |sql: &Vec<String>| {
                (!sql.is_empty()).then(|| ("rename to snake_case".to_string(), sql.join("\n")))
            };
            if needs(&t.name.name) {
                let new = snake(&t.name.name);
                sql.push(format!(
                    "ALTER TABLE {} RENAME TO {};",
                    cx.qn(&t.name),
                    cx.q(&new)
                ));
                let also = if names.is_empty() {
                    String::new()
                } else {
                    format!(", and so must its columns {}", names.join(", "))
                };
                cx.emit(
                    "NAM005",
                    format!("table name \"{}\" must always be quoted{also}", t.name.name),
                    t.span.as_ref(),
                    format!("Rename it to {new}."),
                    fix(&sql),
                );
            } else if let Some(first) = cols.first() {
                cx.emit(
                    "NAM005",
                    format!(
                        "columns of {} must always be quoted: {}",
                        t.name,
                        names.join(", ")
                    ),
                    first.span.as_ref().or(t.span.as_ref()),
                    "Rename them to lower-case snake_case.".into(),
                    fix(&sql),
                );
            }
        }
    }
    // NAM006
    for t in &tables {
        let styles: Vec<Style> = t.columns.iter().map(|c| style(&c.name)).collect();
        let snake_n = styles.iter().filter(|s| matches!(s, Style::Snake)).count();
        let camel_n = styles
            .iter()
            .filter(|s| matches!(s, Style::Camel | Style::Pascal))
            .count();
        if snake_n == 0 || camel_n == 0 {
            continue;
        }
        let minority_camel = camel_n <= snake_n;
        let odd: Vec<&str> = t
            .columns
            .iter()
            .zip(&styles)
            .filter(|(_, s)| {
                if minority_camel {
                    matches!(s, Style::Camel | Style::Pascal)
                } else {
                    matches!(s, Style::Snake)
                }
            })
            .map(|(c, _)| c.name.as_str())
            .collect();
        cx.emit(
            "NAM006",
            format!(
                "table {} mixes snake_case and camelCase columns ({} {})",
                t.name,
                if minority_camel {
                    "camelCase:"
                } else {
                    "snake_case:"
                },
                odd.join(", ")
            ),
            t.span.as_ref(),
            "Use one style for all columns of a table.".into(),
            None,
        );
    }
}

//! Same-length repairs for valid SQL that sqlparser does not accept yet.
//!
//! When a statement fails to parse, the error position is inspected; if the text there is a known
//! construct the parser lacks (PostgreSQL 18 named NOT NULL constraints, `VIRTUAL` generated
//! columns, pg_dump's `SEQUENCE NAME` identity option, MySQL's `BINARY` column attribute, SQLite's
//! multi-word type names, `WITH [NO] DATA` on materialized views), the text is rewritten to an
//! equivalent the parser accepts **of exactly the same length**, so every span still points at the
//! original text. Each repair is recorded on the statement so analyses can see what was read how.

use super::dialect::Dialect;
use super::fallback::{Tok, tokens};

/// A repair applied to a statement, and what it means for the schema model when the rewritten
/// SQL alone does not carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    pub what: String,
    pub effect: Option<RepairEffect>,
}

/// Model facts a repair moved out of the SQL text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepairEffect {
    /// A table-level `CONSTRAINT name NOT NULL col` was rewritten to a CHECK with that name; the
    /// catalog turns that check back into NOT NULL on the column.
    NotNull { constraint: String, column: String },
    /// `CREATE INDEX ... ON ONLY parent`: the index is not cascaded to partitions.
    IndexOnly,
    /// `GENERATED ALWAYS AS (...) VIRTUAL` was read as STORED; the column is virtual.
    VirtualColumn { column: String },
    /// pg_dump's identity option `SEQUENCE NAME name` was blanked; the identity's sequence has
    /// that name (as written, possibly qualified and quoted).
    IdentitySequence { name: String },
    /// PostgreSQL `LIKE source {INCLUDING|EXCLUDING} {option}...` options were blanked; in order,
    /// `(true, "INDEXES")` for `INCLUDING INDEXES`, `(false, "ALL")` for `EXCLUDING ALL` ...
    /// When other elements follow the LIKE clause (`(LIKE src, extra int)`, which the parser
    /// rejects), the whole clause was blanked: `source` is the table as written and `position`
    /// the number of table elements before it.
    LikeOptions {
        options: Vec<(bool, String)>,
        source: Option<String>,
        position: usize,
    },
    /// `ALTER CONSTRAINT name [NOT] DEFERRABLE [INITIALLY ...]` was lifted out of an ALTER TABLE.
    Deferrable {
        constraint: String,
        deferrable: bool,
        initially_deferred: bool,
    },
    /// `CREATE DOMAIN ... [CONSTRAINT name] NOT NULL` was blanked; the domain is NOT NULL.
    DomainNotNull,
    /// `ALTER COLUMN col SET GENERATED {ALWAYS|BY DEFAULT}` or `DROP IDENTITY [IF EXISTS]` was read
    /// as `SET NOT NULL` (which an identity column already is); `always` is the identity kind
    /// afterwards, `None` when the identity was dropped. `column` as written.
    Identity {
        column: String,
        always: Option<bool>,
    },
}

fn note(text: Vec<u8>, what: impl Into<String>) -> Option<(String, Repair)> {
    Some((
        String::from_utf8(text).ok()?,
        Repair {
            what: what.into(),
            effect: None,
        },
    ))
}

/// Byte offset of a 1-based line/column (columns in characters) within `text`.
pub fn offset_of(text: &str, line: u64, column: u64) -> Option<usize> {
    let mut cur_line = 1u64;
    let mut line_start = 0usize;
    if line > 1 {
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                cur_line += 1;
                if cur_line == line {
                    line_start = i + 1;
                    break;
                }
            }
        }
        if cur_line != line {
            return None;
        }
    }
    let rest = &text[line_start..];
    let mut chars = rest.char_indices();
    let mut off = None;
    for _ in 1..column {
        chars.next()?;
    }
    if let Some((i, _)) = chars.next() {
        off = Some(line_start + i);
    }
    off.or(Some(text.len()))
}

/// A word with its byte range in the text.
struct W {
    start: usize,
    end: usize,
    up: String,
}

/// Words (identifiers and keywords, unquoted) with positions; stops at `limit` bytes.
fn words_before(text: &str, limit: usize) -> Vec<W> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < limit.min(b.len()) {
        let c = b[i];
        if c == b'\'' || c == b'"' || c == b'`' {
            let q = c;
            let mut j = i + 1;
            while j < b.len() && b[j] != q {
                j += 1;
            }
            if q != b'\'' {
                out.push(W {
                    start: i,
                    end: (j + 1).min(b.len()),
                    up: text[i + 1..j.min(b.len())].to_ascii_uppercase(),
                });
            }
            i = j + 1;
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let mut j = i;
            while j < b.len()
                && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'$' || b[j] >= 0x80)
            {
                j += 1;
            }
            out.push(W {
                start: i,
                end: j,
                up: text[i..j].to_ascii_uppercase(),
            });
            i = j;
        } else if c == b'-' && i + 1 < b.len() && b[i + 1] == b'-' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

fn unquote(s: &str) -> String {
    let t = s.trim();
    if t.len() >= 2 && (t.starts_with('"') || t.starts_with('`')) {
        t[1..t.len() - 1].to_string()
    } else {
        t.to_string()
    }
}

fn blank(text: &mut [u8], start: usize, end: usize) {
    for b in &mut text[start..end] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// SQLite `CREATE VIRTUAL TABLE t USING fts5(a, b, content='t', content_rowid='id')`: the
/// parser takes module arguments as column names only, so the `key=value` options are blanked
/// with their commas; the model keeps the columns.
fn virtual_table_options(text: &str) -> Option<(String, Repair)> {
    let words = words_before(text, text.len());
    if words.len() < 5
        || words[0].up != "CREATE"
        || words[1].up != "VIRTUAL"
        || words[2].up != "TABLE"
    {
        return None;
    }
    let using = words.iter().position(|w| w.up == "USING")?;
    let module_end = words.get(using + 1)?.end;
    let open = module_end + text[module_end..].find('(')?;
    let b = text.as_bytes();
    let mut args: Vec<(usize, usize, bool)> = Vec::new();
    let (mut depth, mut start, mut i, mut has_eq) = (0i32, open + 1, open + 1, false);
    let mut closed = false;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
            }
            b'(' => depth += 1,
            b')' if depth == 0 => {
                args.push((start, i, has_eq));
                closed = true;
                break;
            }
            b')' => depth -= 1,
            b',' if depth == 0 => {
                args.push((start, i, has_eq));
                start = i + 1;
                has_eq = false;
            }
            b'=' if depth == 0 => has_eq = true,
            _ => {}
        }
        i += 1;
    }
    if !closed || !args.iter().any(|a| a.2) || args.iter().all(|a| a.2) {
        return None;
    }
    let mut bytes = b.to_vec();
    for (k, (s, e, opt)) in args.iter().enumerate() {
        if !opt {
            continue;
        }
        if k > 0 {
            blank(&mut bytes, s - 1, *e);
        } else {
            blank(&mut bytes, *s, e + 1);
        }
    }
    note(
        bytes,
        "virtual table module options (key=value) blanked; columns kept",
    )
}

/// Try one repair at byte offset `at` (where the parser stopped). Returns the repaired text and a
/// description, or `None` when no repair applies.
pub fn repair(text: &str, at: usize, dialect: Dialect) -> Option<(String, Repair)> {
    if let Some(r) = virtual_table_options(text) {
        return Some(r);
    }
    let at = at.min(text.len());
    // The word at the error position.
    let all = words_before(text, text.len());
    let idx = all.iter().position(|w| w.start >= at)?;
    let found = &all[idx];
    let mut bytes = text.as_bytes().to_vec();

    // `CREATE DOMAIN d AS t [DEFAULT e] NOT NULL|NULL [CHECK ...]`: the parser takes only table
    // constraints after the type.
    if dialect == Dialect::Postgres
        && all.first().is_some_and(|w| w.up == "CREATE")
        && all.get(1).is_some_and(|w| w.up == "DOMAIN")
        && (found.up == "NOT" && all.get(idx + 1).is_some_and(|w| w.up == "NULL")
            || found.up == "NULL")
    {
        let not_null = found.up == "NOT";
        let end = if not_null {
            all[idx + 1].end
        } else {
            found.end
        };
        // `CONSTRAINT name NOT NULL` (pg_dump 17+) goes with its name.
        let start = if idx >= 2 && all[idx - 2].up == "CONSTRAINT" {
            all[idx - 2].start
        } else {
            found.start
        };
        blank(&mut bytes, start, end);
        return Some((
            String::from_utf8(bytes).ok()?,
            Repair {
                what: format!(
                    "domain {} read from outside the constraint list",
                    if not_null { "NOT NULL" } else { "NULL" }
                ),
                effect: not_null.then_some(RepairEffect::DomainNotNull),
            },
        ));
    }
    // PostgreSQL `ALTER COLUMN col SET GENERATED {ALWAYS|BY DEFAULT}` and `ALTER COLUMN col
    // DROP IDENTITY [IF EXISTS]` (the parser has ADD GENERATED only): read as `SET NOT NULL`,
    // which an identity column already is, with the identity change as the effect.
    if dialect == Dialect::Postgres
        && idx >= 2
        && (found.up == "SET" && all.get(idx + 1).is_some_and(|w| w.up == "GENERATED")
            || found.up == "DROP" && all.get(idx + 1).is_some_and(|w| w.up == "IDENTITY"))
        && (all[idx - 2].up == "COLUMN" || all[idx - 2].up == "ALTER")
    {
        let col = &all[idx - 1];
        let (end, always) = if found.up == "SET" {
            match all.get(idx + 2).map(|w| w.up.as_str()) {
                Some("ALWAYS") => (all[idx + 2].end, Some(true)),
                Some("BY") if all.get(idx + 3).is_some_and(|w| w.up == "DEFAULT") => {
                    (all[idx + 3].end, Some(false))
                }
                _ => return None,
            }
        } else if all.get(idx + 2).is_some_and(|w| w.up == "IF")
            && all.get(idx + 3).is_some_and(|w| w.up == "EXISTS")
        {
            (all[idx + 3].end, None)
        } else {
            (all[idx + 1].end, None)
        };
        // Only the plain forms: sequence options after SET GENERATED are not modelled.
        let rest = text[end..].trim_start();
        if !(rest.is_empty() || rest.starts_with(',') || rest.starts_with(';')) {
            return None;
        }
        let replacement = "SET NOT NULL";
        let span = end - found.start;
        if replacement.len() > span {
            return None;
        }
        let padded = format!("{replacement:<span$}");
        bytes.splice(found.start..end, padded.bytes());
        return Some((
            String::from_utf8(bytes).ok()?,
            Repair {
                what: format!(
                    "identity change of {} read as SET NOT NULL",
                    &text[col.start..col.end]
                ),
                effect: Some(RepairEffect::Identity {
                    column: text[col.start..col.end].to_string(),
                    always,
                }),
            },
        ));
    }
    // PostgreSQL 18: `CONSTRAINT name NOT NULL` (column level) and
    // `ADD CONSTRAINT name NOT NULL col` (table level).
    if (found.up == "NOT" || found.up == "NULL") && idx >= 2 && all[idx - 2].up == "CONSTRAINT" {
        let c = &all[idx - 2];
        if idx >= 3 && all[idx - 3].up == "ADD" && found.up == "NOT" {
            // ADD CONSTRAINT name NOT NULL col  ->  ALTER COLUMN col SET NOT NULL (padded).
            let add = &all[idx - 3];
            let null = all.get(idx + 1)?;
            let col = all.get(idx + 2)?;
            if null.up != "NULL" {
                return None;
            }
            let col_text = &text[col.start..col.end];
            let replacement = format!("ALTER COLUMN {col_text} SET NOT NULL");
            let span = col.end - add.start;
            if replacement.len() > span {
                return None;
            }
            let padded = format!("{replacement:<span$}");
            bytes.splice(add.start..col.end, padded.bytes());
            return note(
                bytes,
                format!("named NOT NULL constraint read as ALTER COLUMN {col_text} SET NOT NULL"),
            );
        }
        // Table level inside CREATE TABLE: `, CONSTRAINT name NOT NULL col`.
        let before = text[..c.start].trim_end();
        if before.ends_with(',') || before.ends_with('(') {
            let name = &all[idx - 1];
            let null = all.get(idx + 1)?;
            let col = all.get(idx + 2)?;
            if null.up == "NULL" {
                let col_text = &text[col.start..col.end];
                let name_text = &text[name.start..name.end];
                let replacement = format!("CONSTRAINT {name_text} CHECK ({col_text} IS NOT NULL)");
                let mut out = String::with_capacity(text.len() + 16);
                out.push_str(&text[..c.start]);
                out.push_str(&replacement);
                out.push_str(&text[col.end..]);
                return Some((
                    out,
                    Repair {
                        what: format!("table-level NOT NULL constraint {name_text} on {col_text}"),
                        effect: Some(RepairEffect::NotNull {
                            constraint: unquote(name_text),
                            column: unquote(col_text),
                        }),
                    },
                ));
            }
        }
        blank(&mut bytes, c.start, all[idx - 1].end);
        return note(bytes, "named NOT NULL constraint read as plain NOT NULL");
    }
    // `ALTER CONSTRAINT name [NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]` among other
    // ALTER TABLE actions: lift it out (blank it and its comma) and keep its effect.
    if idx >= 1 && all[idx - 1].up == "CONSTRAINT" && idx >= 2 && all[idx - 2].up == "ALTER" {
        let alter = &all[idx - 2];
        let mut k = idx + 1;
        let mut deferrable = true;
        let mut initially_deferred = false;
        if all.get(k).is_some_and(|w| w.up == "NOT") {
            deferrable = false;
            k += 1;
        }
        if all.get(k).is_none_or(|w| w.up != "DEFERRABLE") {
            return None;
        }
        let mut end = all[k].end;
        k += 1;
        if all.get(k).is_some_and(|w| w.up == "INITIALLY") {
            let when = all.get(k + 1)?;
            initially_deferred = when.up == "DEFERRED";
            end = when.end;
        }
        // Blank the action with the comma before it (or after it when it comes first).
        let before = text[..alter.start].trim_end();
        let (bs, be) = if before.ends_with(',') {
            (before.len() - 1, end)
        } else {
            let after = &text[end..];
            let trimmed = after.trim_start();
            if trimmed.starts_with(',') {
                (alter.start, end + (after.len() - trimmed.len()) + 1)
            } else {
                (alter.start, end)
            }
        };
        blank(&mut bytes, bs, be);
        let name = unquote(&text[found.start..found.end]);
        return Some((
            String::from_utf8(bytes).ok()?,
            Repair {
                what: format!("ALTER CONSTRAINT {name} deferrability applied to the model"),
                effect: Some(RepairEffect::Deferrable {
                    constraint: name,
                    deferrable,
                    initially_deferred,
                }),
            },
        ));
    }
    // PostgreSQL 18 virtual generated columns.
    if found.up == "VIRTUAL" && found.end - found.start == 7 {
        // The column is the first word after the last top-level `,` or `(` before it.
        let b = text.as_bytes();
        let mut depth = 0i32;
        let mut k = found.start;
        let mut col_start = 0;
        while k > 0 {
            k -= 1;
            match b[k] {
                b')' => depth += 1,
                b'(' if depth == 0 => {
                    col_start = k + 1;
                    break;
                }
                b'(' => depth -= 1,
                b',' if depth == 0 => {
                    col_start = k + 1;
                    break;
                }
                _ => {}
            }
        }
        let column = all
            .iter()
            .find(|w| w.start >= col_start)
            .map(|w| unquote(&text[w.start..w.end]))
            .unwrap_or_default();
        bytes.splice(found.start..found.end, b"STORED ".iter().copied());
        return Some((
            String::from_utf8(bytes).ok()?,
            Repair {
                what: format!(
                    "VIRTUAL generated column {column} read as STORED and marked virtual"
                ),
                effect: Some(RepairEffect::VirtualColumn { column }),
            },
        ));
    }
    // PostgreSQL `CREATE INDEX ... ON ONLY parent`.
    if idx >= 2
        && all[idx - 1].up == "ONLY"
        && all[idx - 2].up == "ON"
        && all.first().is_some_and(|w| w.up == "CREATE")
        && all.iter().take(4).any(|w| w.up == "INDEX")
    {
        let only = &all[idx - 1];
        blank(&mut bytes, only.start, only.end);
        return Some((
            String::from_utf8(bytes).ok()?,
            Repair {
                what: "CREATE INDEX ON ONLY: not cascaded to partitions".into(),
                effect: Some(RepairEffect::IndexOnly),
            },
        ));
    }
    // pg_dump identity: `ADD GENERATED ... AS IDENTITY (SEQUENCE NAME x.y START WITH 1 ...)`.
    if found.up == "SEQUENCE" && all.get(idx + 1).is_some_and(|w| w.up == "NAME") {
        // Blank through the end of the (possibly qualified) name.
        let mut end = all.get(idx + 2)?.end;
        let b = text.as_bytes();
        let mut k = idx + 2;
        while end < b.len() && b[end] == b'.' {
            k += 1;
            end = all.get(k)?.end;
        }
        let name = text[all.get(idx + 2)?.start..end].to_string();
        blank(&mut bytes, found.start, end);
        return Some((
            String::from_utf8(bytes).ok()?,
            Repair {
                what: format!("identity option SEQUENCE NAME {name} lifted out"),
                effect: Some(RepairEffect::IdentitySequence { name }),
            },
        ));
    }
    // PostgreSQL `CREATE TABLE t (LIKE src INCLUDING ALL ..., more elements)`: the parser knows
    // only `INCLUDING DEFAULTS`, and no elements after LIKE; options (and, when elements follow,
    // the whole clause) are lifted out.
    if dialect == Dialect::Postgres
        && all.first().is_some_and(|w| w.up == "CREATE")
        && let Some(li) = all[..idx].iter().rposition(|w| w.up == "LIKE")
        && li + 1 < idx
    {
        let b = text.as_bytes();
        // The source name, possibly qualified and quoted.
        let src_start = all[li + 1].start;
        let mut src_end = all[li + 1].end;
        let mut k = li + 2;
        while src_end < b.len() && b[src_end] == b'.' {
            src_end = all.get(k)?.end;
            k += 1;
        }
        let mut options = Vec::new();
        let mut end = src_end;
        let first_option = all.get(k).map(|w| w.start).unwrap_or(end);
        while let Some(w) = all.get(k)
            && (w.up == "INCLUDING" || w.up == "EXCLUDING")
        {
            let what = all.get(k + 1)?;
            options.push((w.up == "INCLUDING", what.up.clone()));
            end = what.end;
            k += 2;
        }
        let rest = text[end..].trim_start();
        let clause_ends_list = rest.starts_with(')');
        let at_options = found.up == "INCLUDING" || found.up == "EXCLUDING";
        let more_elements = rest.starts_with(',');
        if !(at_options || more_elements) {
            return None;
        }
        let source;
        let position;
        if clause_ends_list {
            // `(LIKE src INCLUDING ...)`: only the options go.
            if options.is_empty() {
                return None;
            }
            blank(&mut bytes, first_option, end);
            source = None;
            position = 0;
        } else if more_elements {
            // Blank `LIKE src [options] ,` and count the elements before it.
            let comma = end + (text[end..].len() - rest.len());
            blank(&mut bytes, all[li].start, comma + 1);
            source = Some(text[src_start..src_end].to_string());
            let open = text[..all[li].start].find('(')?;
            let mut depth = 0i32;
            let mut commas = 0;
            for &c in &b[open + 1..all[li].start] {
                match c {
                    b'(' => depth += 1,
                    b')' => depth -= 1,
                    b',' if depth == 0 => commas += 1,
                    _ => {}
                }
            }
            let before = text[open + 1..all[li].start].trim();
            position = if before.is_empty() { 0 } else { commas };
        } else {
            return None;
        }
        let desc = options
            .iter()
            .map(|(inc, what)| format!("{} {what}", if *inc { "INCLUDING" } else { "EXCLUDING" }))
            .collect::<Vec<_>>()
            .join(" ");
        return Some((
            String::from_utf8(bytes).ok()?,
            Repair {
                what: format!("LIKE clause options [{desc}] lifted out"),
                effect: Some(RepairEffect::LikeOptions {
                    options,
                    source,
                    position,
                }),
            },
        ));
    }
    // PostgreSQL `DROP INDEX CONCURRENTLY [IF EXISTS] name`: the parser lacks the keyword here.
    // The drop is the same for the model; the repair records that it was concurrent.
    if dialect == Dialect::Postgres
        && idx == 3
        && all[0].up == "DROP"
        && all[1].up == "INDEX"
        && all[2].up == "CONCURRENTLY"
    {
        blank(&mut bytes, all[2].start, all[2].end);
        return note(
            bytes,
            "DROP INDEX CONCURRENTLY read as DROP INDEX (CONCURRENTLY noted)",
        );
    }
    // MySQL's deprecated BINARY column attribute (a binary collation).
    if dialect == Dialect::Mysql && found.up == "BINARY" {
        blank(&mut bytes, found.start, found.end);
        return note(bytes, "BINARY column attribute (binary collation) ignored");
    }
    // Materialized views: WITH [NO] DATA.
    if found.up == "WITH"
        && all.first().is_some_and(|w| w.up == "CREATE")
        && all.iter().take(4).any(|w| w.up == "MATERIALIZED")
    {
        let next = all.get(idx + 1)?;
        let last = if next.up == "NO" {
            all.get(idx + 2)?
        } else {
            next
        };
        if last.up == "DATA" && text[last.end..].trim().is_empty() {
            let desc = if next.up == "NO" {
                "WITH NO DATA noted (view created unpopulated)"
            } else {
                "WITH DATA noted"
            };
            blank(&mut bytes, found.start, last.end);
            return note(bytes, desc);
        }
    }
    // SQLite type names are any sequence of words (`BLOB SUB_TYPE TEXT`, `UNSIGNED BIG INT`).
    if dialect == Dialect::Sqlite && idx >= 1 {
        let prev = &all[idx - 1];
        let gap = &text[prev.end..found.start];
        let is_constraint_word = matches!(
            found.up.as_str(),
            "NOT"
                | "NULL"
                | "PRIMARY"
                | "UNIQUE"
                | "CHECK"
                | "DEFAULT"
                | "COLLATE"
                | "REFERENCES"
                | "CONSTRAINT"
                | "GENERATED"
                | "AS"
        );
        if !is_constraint_word
            && !gap.is_empty()
            && gap.bytes().all(|c| c == b' ' || c == b'\t')
            && text.as_bytes()[found.start].is_ascii_alphabetic()
        {
            bytes[prev.end..found.start].fill(b'_');
            return note(
                bytes,
                format!(
                    "multi-word SQLite type read as one name ({} {})",
                    &text[prev.start..prev.end],
                    &text[found.start..found.end]
                ),
            );
        }
    }
    None
}

/// Recognise `ALTER TABLE` statements whose every action leaves the table model unchanged
/// (statistics, storage, ownership, clustering, triggers enabled, constraint deferrability).
pub fn non_structural_alter_table(text: &str) -> bool {
    let t = tokens(text, 2000);
    if !(t.first().is_some_and(|x| x.is_kw("ALTER")) && t.get(1).is_some_and(|x| x.is_kw("TABLE")))
    {
        return false;
    }
    // Split the actions at top-level commas after the table name.
    let mut i = 2;
    while t
        .get(i)
        .is_some_and(|x| x.is_kw("ONLY") || x.is_kw("IF") || x.is_kw("EXISTS"))
    {
        i += 1;
    }
    let Some((_, mut i)) = super::fallback::qualified_name(&t, i) else {
        return false;
    };
    let mut actions: Vec<Vec<&Tok>> = vec![Vec::new()];
    let mut depth = 0i32;
    while i < t.len() {
        match &t[i] {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => depth -= 1,
            Tok::Punct(',') if depth == 0 => {
                actions.push(Vec::new());
                i += 1;
                continue;
            }
            _ => {}
        }
        if let Some(a) = actions.last_mut() {
            a.push(&t[i]);
        }
        i += 1;
    }
    actions.iter().all(|a| {
        let kw = |k: usize, w: &str| a.get(k).is_some_and(|x| x.is_kw(w));
        if kw(0, "OWNER") || kw(0, "CLUSTER") || kw(0, "REPLICA") || kw(0, "RESET") {
            return true;
        }
        if kw(0, "SET")
            && (kw(1, "WITHOUT") || kw(1, "TABLESPACE") || a.get(1) == Some(&&Tok::Punct('(')))
        {
            return true;
        }
        if kw(0, "ENABLE") || kw(0, "DISABLE") {
            return true;
        }
        if kw(0, "ALTER") && kw(1, "CONSTRAINT") {
            return true;
        }
        if kw(0, "ALTER") {
            // ALTER [COLUMN] c SET STATISTICS n | SET STORAGE x | SET COMPRESSION x | SET (..) | RESET (..)
            let k = if kw(1, "COLUMN") { 3 } else { 2 };
            return (kw(k, "SET")
                && (kw(k + 1, "STATISTICS")
                    || kw(k + 1, "STORAGE")
                    || kw(k + 1, "COMPRESSION")
                    || a.get(k + 1) == Some(&&Tok::Punct('('))))
                || kw(k, "RESET");
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(text: &str, at_word: &str, d: Dialect) -> Option<String> {
        let at = text.find(at_word)?;
        repair(text, at, d).map(|(t, _)| t)
    }

    #[test]
    fn virtual_table_options_are_blanked_with_their_commas() {
        let sql = "CREATE VIRTUAL TABLE p_fts USING fts5(name, description, content='p', content_rowid='id')";
        let (fixed, r) = virtual_table_options(sql).expect("repaired");
        assert_eq!(fixed.len(), sql.len());
        assert_eq!(
            fixed.trim_end(),
            "CREATE VIRTUAL TABLE p_fts USING fts5(name, description                                 )"
        );
        assert!(r.what.contains("virtual table"));
        let first = "CREATE VIRTUAL TABLE t USING fts5(tokenize='porter', body)";
        let (fixed, _) = virtual_table_options(first).expect("repaired");
        assert!(fixed.ends_with("fts5(                   body)"), "{fixed}");
        assert!(virtual_table_options("CREATE VIRTUAL TABLE t USING fts5(a, b)").is_none());
    }

    #[test]
    fn repairs_keep_length() {
        let cases = [
            (
                "create table t (a int CONSTRAINT a_nn NOT NULL)",
                "NOT",
                Dialect::Postgres,
            ),
            (
                "alter table t ADD CONSTRAINT t_a_not_null NOT NULL a",
                "NOT",
                Dialect::Postgres,
            ),
            (
                "create table t (b numeric GENERATED ALWAYS AS (1) VIRTUAL)",
                "VIRTUAL",
                Dialect::Postgres,
            ),
            (
                "create table t (p varchar(40) BINARY DEFAULT NULL)",
                "BINARY",
                Dialect::Mysql,
            ),
            (
                "create table t (d BLOB SUB_TYPE TEXT)",
                "SUB_TYPE",
                Dialect::Sqlite,
            ),
            (
                "CREATE MATERIALIZED VIEW v AS SELECT 1 WITH NO DATA",
                "WITH",
                Dialect::Postgres,
            ),
            (
                "CREATE INDEX i ON ONLY parent (a)",
                "parent",
                Dialect::Postgres,
            ),
            (
                "DROP INDEX CONCURRENTLY IF EXISTS i",
                "IF",
                Dialect::Postgres,
            ),
            (
                "CREATE TABLE t (LIKE s INCLUDING ALL EXCLUDING INDEXES)",
                "INCLUDING",
                Dialect::Postgres,
            ),
            (
                "CREATE TABLE t (LIKE s INCLUDING ALL, extra int)",
                "INCLUDING",
                Dialect::Postgres,
            ),
        ];
        let grows = fix(
            "create table t (a int, CONSTRAINT t_a_nn NOT NULL a, b int)",
            "NOT",
            Dialect::Postgres,
        )
        .unwrap();
        assert!(
            grows.contains("CONSTRAINT t_a_nn CHECK (a IS NOT NULL)"),
            "{grows}"
        );
        let alter = fix(
            "ALTER TABLE m ADD CONSTRAINT c CHECK (x), ALTER CONSTRAINT m_fk NOT DEFERRABLE, ADD COLUMN z int",
            "m_fk",
            Dialect::Postgres,
        )
        .unwrap();
        assert_eq!(
            alter.split_whitespace().collect::<Vec<_>>().join(" "),
            "ALTER TABLE m ADD CONSTRAINT c CHECK (x) , ADD COLUMN z int"
        );
        for (sql, w, d) in cases {
            let out = fix(sql, w, d).unwrap_or_else(|| panic!("no repair for {sql}"));
            assert_eq!(out.len(), sql.len(), "{out}");
        }
        assert_eq!(
            fix(
                "alter table t ADD CONSTRAINT t_a_not_null NOT NULL a",
                "NOT",
                Dialect::Postgres
            )
            .unwrap()
            .trim_end(),
            "alter table t ALTER COLUMN a SET NOT NULL"
        );
    }

    #[test]
    fn non_structural_alters() {
        assert!(non_structural_alter_table(
            "ALTER TABLE ONLY public.j ALTER COLUMN f SET STATISTICS 1000"
        ));
        assert!(non_structural_alter_table(
            "ALTER TABLE a ALTER CONSTRAINT a_fk DEFERRABLE INITIALLY DEFERRED"
        ));
        assert!(!non_structural_alter_table(
            "ALTER TABLE a ADD COLUMN b int, OWNER TO x"
        ));
    }

    #[test]
    fn offsets() {
        assert_eq!(offset_of("ab\ncd", 2, 2), Some(4));
        assert_eq!(offset_of("ab", 1, 1), Some(0));
    }
}

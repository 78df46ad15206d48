//! Token-level recognition of statements the parser does not understand.
//!
//! sqlparser does not cover every statement real dumps and migrations contain (REINDEX, CLUSTER,
//! DO blocks, CREATE STATISTICS, PL/pgSQL functions with exotic syntax, MySQL routines ...). Those
//! that matter to a DBA but do not change tables, columns, keys or indexes are recognised here
//! from their leading words, so they are reported and counted instead of lost. Statements that do
//! change the table model (CREATE TABLE, ALTER TABLE ...) are never "recognised": if the parser
//! fails on them the user gets SYN001, because the schema model would otherwise be silently wrong.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the fallback made of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Recognized {
    /// Statement kind, e.g. `REINDEX`, `CREATE FUNCTION`, `ALTER SEQUENCE`.
    pub kind: String,
    /// The object it names, when there is one (`schema.name` as written; quoted parts keep their
    /// quotes, as `"Name"`, so the catalog can fold unquoted parts the engine's way and leave
    /// quoted ones alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The table it applies to (triggers, policies, rules), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    /// `ALTER SEQUENCE ... OWNED BY table.column`: the owning column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    /// `ALTER <kind> name RENAME TO new_name`: the new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
    /// `ALTER <kind> name SET SCHEMA schema`: the new schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_schema: Option<String>,
}

/// A lexical token of the mini tokenizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// An unquoted word, as written.
    Word(String),
    /// A quoted identifier (`"x"`, `` `x` ``, `[x]`), unquoted.
    Quoted(String),
    /// A string literal's content.
    Str(String),
    Punct(char),
}

impl Tok {
    pub fn upper(&self) -> Option<String> {
        match self {
            Tok::Word(w) => Some(w.to_ascii_uppercase()),
            _ => None,
        }
    }
    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(self, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
    pub fn ident(&self) -> Option<&str> {
        match self {
            Tok::Word(w) | Tok::Quoted(w) => Some(w),
            _ => None,
        }
    }
}

/// Tokenize `text` coarsely: words, quoted identifiers, strings, single punctuation; comments and
/// dollar-quoted bodies are skipped (bodies become `Str`). At most `max` tokens.
pub fn tokens(text: &str, max: usize) -> Vec<Tok> {
    let b = text.as_bytes();
    let n = b.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n && out.len() < max {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && i + 1 < n && b[i + 1] == b'-' {
            while i < n && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && i + 1 < n && b[i + 1] == b'*' {
            let mut j = i + 2;
            while j + 1 < n && !(b[j] == b'*' && b[j + 1] == b'/') {
                j += 1;
            }
            i = (j + 2).min(n);
        } else if c == b'\'' || c == b'"' || c == b'`' || c == b'[' {
            let close = if c == b'[' { b']' } else { c };
            let mut j = i + 1;
            let mut s = String::new();
            while j < n {
                if b[j] == close {
                    if j + 1 < n && b[j + 1] == close && close != b']' {
                        s.push(close as char);
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            s = text[i + 1..j.min(n)].replace(
                &format!("{}{}", close as char, close as char),
                &(close as char).to_string(),
            );
            out.push(if c == b'\'' {
                Tok::Str(s)
            } else {
                Tok::Quoted(s)
            });
            i = (j + 1).min(n);
        } else if c == b'$' {
            // Dollar quote?
            let mut j = i + 1;
            while j < n && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j < n && b[j] == b'$' && !(j > i + 1 && b[i + 1].is_ascii_digit()) {
                let tag = &text[i..=j];
                let body_start = j + 1;
                let end = text[body_start..]
                    .find(tag)
                    .map(|p| body_start + p)
                    .unwrap_or(n);
                out.push(Tok::Str(text[body_start..end].to_string()));
                i = (end + tag.len()).min(n);
            } else {
                out.push(Tok::Punct('$'));
                i += 1;
            }
        } else if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            let mut j = i;
            while j < n
                && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'$' || b[j] >= 0x80)
            {
                j += 1;
            }
            out.push(Tok::Word(text[i..j].to_string()));
            i = j;
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(Tok::Punct(ch));
            i += ch.len_utf8();
        }
    }
    out
}

/// Read a possibly qualified name starting at token `i`; returns the name (`a.b`) and the index
/// after it. Quoted parts are rendered as `"x"` (inner `"` doubled), whatever quote the text
/// used, so that case folding downstream can tell them from unquoted words.
pub fn qualified_name(t: &[Tok], mut i: usize) -> Option<(String, usize)> {
    let mut parts = Vec::new();
    loop {
        match t.get(i)? {
            Tok::Word(w) => parts.push(w.clone()),
            Tok::Quoted(q) => parts.push(format!("\"{}\"", q.replace('"', "\"\""))),
            _ => return None,
        }
        i += 1;
        if t.get(i) == Some(&Tok::Punct('.')) {
            i += 1;
            continue;
        }
        break;
    }
    Some((parts.join("."), i))
}

const SIMPLE: &[&[&str]] = &[
    &["REINDEX"],
    &["CLUSTER"],
    &["VACUUM"],
    &["ANALYZE"],
    &["ANALYSE"],
    &["DO"],
    &["CHECKPOINT"],
    &["LOAD"],
    &["LISTEN"],
    &["NOTIFY"],
    &["UNLISTEN"],
    &["DISCARD"],
    &["LOCK"],
    &["UNLOCK"],
    &["RESET"],
    &["SECURITY", "LABEL"],
    &["REFRESH", "MATERIALIZED", "VIEW"],
    &["IMPORT", "FOREIGN", "SCHEMA"],
    &["REASSIGN", "OWNED"],
    &["DROP", "OWNED"],
    &["CALL"],
    &["PRAGMA"],
    &["ATTACH"],
    &["DETACH"],
    &["OPTIMIZE"],
    &["REPAIR"],
    &["CHECK", "TABLE"],
    &["FLUSH"],
    &["SET"],
    &["SHOW"],
    &["USE"],
    &["GRANT"],
    &["REVOKE"],
    &["COMMENT", "ON"],
    &["ALTER", "DEFAULT", "PRIVILEGES"],
    &["BEGIN"],
    &["START", "TRANSACTION"],
    &["COMMIT"],
    &["END"],
    &["ROLLBACK"],
    &["ABORT"],
    &["SAVEPOINT"],
    &["RELEASE"],
    &["PREPARE"],
    &["EXECUTE"],
    &["DEALLOCATE"],
    &["DECLARE"],
    &["FETCH"],
    &["MOVE"],
    &["CLOSE"],
    &["EXPLAIN"],
    &["SELECT", "PG_CATALOG"],
];

/// Object kinds whose CREATE/ALTER/DROP do not change the table model.
const OBJECTS: &[&[&str]] = &[
    &["FUNCTION"],
    &["PROCEDURE"],
    &["TRIGGER"],
    &["EVENT", "TRIGGER"],
    &["EVENT"],
    &["RULE"],
    &["AGGREGATE"],
    &["OPERATOR"],
    &["CAST"],
    &["CONVERSION"],
    &["TEXT", "SEARCH"],
    &["LANGUAGE"],
    &["ACCESS", "METHOD"],
    &["COLLATION"],
    &["TRANSFORM"],
    &["FOREIGN", "DATA", "WRAPPER"],
    &["SERVER"],
    &["USER", "MAPPING"],
    &["USER"],
    &["ROLE"],
    &["GROUP"],
    &["POLICY"],
    &["PUBLICATION"],
    &["SUBSCRIPTION"],
    &["STATISTICS"],
    &["TABLESPACE"],
    &["DATABASE"],
    &["SCHEMA"],
    &["EXTENSION"],
    &["SEQUENCE"],
    &["LARGE", "OBJECT"],
    &["SYSTEM"],
];

/// Words that may sit between CREATE and the object kind.
const CREATE_MODIFIERS: &[&str] = &[
    "OR",
    "REPLACE",
    "TEMP",
    "TEMPORARY",
    "TRUSTED",
    "PROCEDURAL",
    "CONSTRAINT",
    "DEFAULT",
    "UNIQUE",
    "AGGREGATE",
    "SQL",
    "SECURITY",
    "DEFINER",
    "INVOKER",
    "ALGORITHM",
    "UNDEFINED",
    "MERGE",
    "TEMPTABLE",
    "IF",
    "NOT",
    "EXISTS",
];

fn matches_words(t: &[Tok], at: usize, words: &[&str]) -> bool {
    words
        .iter()
        .enumerate()
        .all(|(k, w)| t.get(at + k).is_some_and(|x| x.is_kw(w)))
}

/// Recognise a statement the parser rejected. `None` when the statement is core DDL or DML, or
/// simply unknown: those are syntax errors the user should see.
pub fn recognize(text: &str) -> Option<Recognized> {
    let t = tokens(text, 400);
    let first = t.first()?.upper()?;
    let rec = |kind: String| Recognized {
        kind,
        object: None,
        on: None,
        owned_by: None,
        renamed_to: None,
        set_schema: None,
    };
    match first.as_str() {
        "CREATE" | "ALTER" | "DROP" | "COMMENT" => {}
        _ => {
            for words in SIMPLE {
                if matches_words(&t, 0, words) {
                    return Some(rec(words.join(" ")));
                }
            }
            return None;
        }
    }
    if first == "COMMENT" {
        return matches_words(&t, 0, &["COMMENT", "ON"]).then(|| rec("COMMENT ON".into()));
    }
    if matches_words(&t, 0, &["ALTER", "DEFAULT", "PRIVILEGES"]) {
        return Some(rec("ALTER DEFAULT PRIVILEGES".into()));
    }
    if first == "ALTER" {
        // `ALTER TABLE [IF EXISTS] [ONLY] name SET SCHEMA s` (the parser lacks it). It moves the
        // table, so it is recognised only in exactly this form, for the catalog to apply.
        if t.get(1).is_some_and(|x| x.is_kw("TABLE")) {
            let mut j = 2;
            while t
                .get(j)
                .is_some_and(|x| x.is_kw("IF") || x.is_kw("EXISTS") || x.is_kw("ONLY"))
            {
                j += 1;
            }
            if let Some((name, after)) = qualified_name(&t, j)
                && t.get(after).is_some_and(|x| x.is_kw("SET"))
                && t.get(after + 1).is_some_and(|x| x.is_kw("SCHEMA"))
                && let Some((schema, end)) = qualified_name(&t, after + 2)
                && end == t.len()
            {
                let mut r = rec("ALTER TABLE SET SCHEMA".into());
                r.object = Some(name);
                r.set_schema = Some(schema);
                return Some(r);
            }
            // MySQL `ALTER TABLE t RENAME {INDEX|KEY} a TO b`, alone.
            if let Some((table, after)) = qualified_name(&t, j)
                && t.get(after).is_some_and(|x| x.is_kw("RENAME"))
                && t.get(after + 1)
                    .is_some_and(|x| x.is_kw("INDEX") || x.is_kw("KEY"))
                && let Some((old, k)) = qualified_name(&t, after + 2)
                && t.get(k).is_some_and(|x| x.is_kw("TO"))
                && let Some((new, end)) = qualified_name(&t, k + 1)
                && end == t.len()
            {
                let mut r = rec("ALTER TABLE RENAME INDEX".into());
                r.object = Some(old);
                r.on = Some(table);
                r.renamed_to = Some(new);
                return Some(r);
            }
        }
        // Ownership changes never change the model: ALTER <kind> name OWNER TO role.
        let n = t.len();
        if n >= 3 && t[n - 3].is_kw("OWNER") && t[n - 2].is_kw("TO") {
            let kind = t.get(1).and_then(Tok::upper).unwrap_or_default();
            let mut r = rec(format!("ALTER {kind} OWNER TO"));
            r.object = qualified_name(&t, 2).map(|(n, _)| n);
            return Some(r);
        }
        // PostgreSQL `ALTER DOMAIN` and `ALTER TYPE ... ATTRIBUTE` (the parser lacks them): the
        // catalog reads them itself (catalog::pg_alter) and notes what it cannot apply.
        if t.get(1)
            .is_some_and(|x| x.is_kw("DOMAIN") || x.is_kw("TYPE"))
        {
            let kind = t.get(1).and_then(Tok::upper).unwrap_or_default();
            let mut r = rec(format!("ALTER {kind}"));
            r.object = qualified_name(&t, 2).map(|(n, _)| n);
            return Some(r);
        }
        // Index metadata (statistics targets, partition attachment, tablespace).
        if t.get(1).is_some_and(|x| x.is_kw("INDEX")) && !t.iter().any(|x| x.is_kw("RENAME")) {
            let mut r = rec("ALTER INDEX".into());
            let mut j = 2;
            while t.get(j).is_some_and(|x| x.is_kw("IF") || x.is_kw("EXISTS")) {
                j += 1;
            }
            r.object = qualified_name(&t, j).map(|(n, _)| n);
            return Some(r);
        }
        if super::repair::non_structural_alter_table(text) {
            let mut r = rec("ALTER TABLE (storage, statistics or ownership)".into());
            let mut j = 2;
            while t
                .get(j)
                .is_some_and(|x| x.is_kw("ONLY") || x.is_kw("IF") || x.is_kw("EXISTS"))
            {
                j += 1;
            }
            r.object = qualified_name(&t, j).map(|(n, _)| n);
            return Some(r);
        }
    }
    // Skip modifiers (and MySQL's `DEFINER = user@host`).
    let mut i = 1;
    while i < t.len() {
        match &t[i] {
            Tok::Word(w) if CREATE_MODIFIERS.iter().any(|m| w.eq_ignore_ascii_case(m)) => i += 1,
            Tok::Punct('=') | Tok::Punct('@') => i += 1,
            Tok::Quoted(_) | Tok::Str(_) if i > 1 && t[i - 1] != Tok::Punct('.') => i += 1,
            Tok::Word(_)
                if matches!(t.get(i - 1), Some(Tok::Punct('=')) | Some(Tok::Punct('@'))) =>
            {
                i += 1
            }
            _ => break,
        }
    }
    // Skip IF [NOT] EXISTS after the kind as well, below.
    for words in OBJECTS {
        if matches_words(&t, i, words) {
            let kind_words = words.join(" ");
            let mut j = i + words.len();
            while t
                .get(j)
                .is_some_and(|x| x.is_kw("IF") || x.is_kw("NOT") || x.is_kw("EXISTS"))
            {
                j += 1;
            }
            if kind_words == "TEXT SEARCH" {
                // TEXT SEARCH CONFIGURATION|DICTIONARY|PARSER|TEMPLATE name
                j += 1;
            }
            let mut r = rec(format!("{first} {kind_words}"));
            if let Some((name, after)) = qualified_name(&t, j) {
                r.object = Some(name);
                j = after;
            }
            if kind_words == "TRIGGER" || kind_words == "RULE" || kind_words == "POLICY" {
                // ... ON table
                if let Some(k) = (j..t.len().min(j + 200)).find(|k| t[*k].is_kw("ON"))
                    && let Some((tbl, _)) = qualified_name(&t, k + 1)
                {
                    r.on = Some(tbl);
                }
            }
            if first == "ALTER"
                && t.get(j).is_some_and(|x| x.is_kw("RENAME"))
                && t.get(j + 1).is_some_and(|x| x.is_kw("TO"))
            {
                r.renamed_to = qualified_name(&t, j + 2).map(|(n, _)| n);
            }
            if first == "ALTER"
                && t.get(j).is_some_and(|x| x.is_kw("SET"))
                && t.get(j + 1).is_some_and(|x| x.is_kw("SCHEMA"))
            {
                r.set_schema = qualified_name(&t, j + 2).map(|(n, _)| n);
            }
            if kind_words == "SEQUENCE"
                && let Some(k) = (j..t.len()).find(|k| t[*k].is_kw("OWNED"))
                && t.get(k + 1).is_some_and(|x| x.is_kw("BY"))
                && let Some((col, _)) = qualified_name(&t, k + 2)
            {
                r.owned_by = Some(col);
            }
            return Some(r);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_maintenance_statements() {
        assert_eq!(
            recognize("REINDEX TABLE CONCURRENTLY t").unwrap().kind,
            "REINDEX"
        );
        assert_eq!(recognize("vacuum full analyze t").unwrap().kind, "VACUUM");
        assert_eq!(
            recognize("DO $$ BEGIN RAISE NOTICE 'x'; END $$")
                .unwrap()
                .kind,
            "DO"
        );
    }

    #[test]
    fn recognises_triggers_with_their_table() {
        let r = recognize(
            "CREATE TRIGGER last_updated BEFORE UPDATE ON public.actor FOR EACH ROW EXECUTE FUNCTION public.last_updated()",
        )
        .unwrap();
        assert_eq!(r.kind, "CREATE TRIGGER");
        assert_eq!(r.object.as_deref(), Some("last_updated"));
        assert_eq!(r.on.as_deref(), Some("public.actor"));
        let my = recognize("CREATE DEFINER=`root`@`localhost` TRIGGER `ins_film` AFTER INSERT ON `film` FOR EACH ROW BEGIN END").unwrap();
        assert_eq!(my.object.as_deref(), Some("\"ins_film\""));
        assert_eq!(my.on.as_deref(), Some("\"film\""));
    }

    #[test]
    fn quoted_parts_keep_their_quotes() {
        let r =
            recognize(r#"ALTER SEQUENCE public."User_id_seq" OWNED BY public."User".id"#).unwrap();
        assert_eq!(r.object.as_deref(), Some(r#"public."User_id_seq""#));
        assert_eq!(r.owned_by.as_deref(), Some(r#"public."User".id"#));
    }

    #[test]
    fn set_schema() {
        let r = recognize("ALTER TABLE IF EXISTS public.t SET SCHEMA archive").unwrap();
        assert_eq!(r.kind, "ALTER TABLE SET SCHEMA");
        assert_eq!(r.object.as_deref(), Some("public.t"));
        assert_eq!(r.set_schema.as_deref(), Some("archive"));
        // Anything more is not this statement.
        assert!(recognize("ALTER TABLE t SET SCHEMA s, ADD COLUMN x int").is_none());
        let q = recognize("ALTER SEQUENCE s1 SET SCHEMA archive").unwrap();
        assert_eq!(q.set_schema.as_deref(), Some("archive"));
    }

    #[test]
    fn mysql_rename_index() {
        let r = recognize("ALTER TABLE `t` RENAME INDEX ka TO kb").unwrap();
        assert_eq!(r.kind, "ALTER TABLE RENAME INDEX");
        assert_eq!(r.on.as_deref(), Some("\"t\""));
        assert_eq!(r.object.as_deref(), Some("ka"));
        assert_eq!(r.renamed_to.as_deref(), Some("kb"));
        assert!(recognize("ALTER TABLE t RENAME INDEX ka TO kb, ADD COLUMN x int").is_none());
    }

    #[test]
    fn rename_to() {
        let r = recognize("ALTER SEQUENCE user__id_seq RENAME TO person_id_seq").unwrap();
        assert_eq!(r.kind, "ALTER SEQUENCE");
        assert_eq!(r.object.as_deref(), Some("user__id_seq"));
        assert_eq!(r.renamed_to.as_deref(), Some("person_id_seq"));
        assert_eq!(r.owned_by, None);
    }

    #[test]
    fn sequence_owned_by() {
        let r =
            recognize("ALTER SEQUENCE public.actor_actor_id_seq OWNED BY public.actor.actor_id")
                .unwrap();
        assert_eq!(r.object.as_deref(), Some("public.actor_actor_id_seq"));
        assert_eq!(r.owned_by.as_deref(), Some("public.actor.actor_id"));
    }

    #[test]
    fn core_ddl_is_not_recognised() {
        assert!(recognize("CREATE TABLE t (a int,,)").is_none());
        assert!(recognize("ALTER TABLE t ADD COLUMN").is_none());
        assert!(recognize("SELEC 1").is_none());
    }
}

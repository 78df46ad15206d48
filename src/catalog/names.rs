//! Identifier comparison and the engines' default object names.

use super::model::Name;

pub fn ident_eq(case_insensitive: bool, a: &str, b: &str) -> bool {
    if case_insensitive {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

pub fn name_eq(case_insensitive: bool, a: &Name, b: &Name) -> bool {
    ident_eq(case_insensitive, &a.schema, &b.schema) && ident_eq(case_insensitive, &a.name, &b.name)
}

/// PostgreSQL's longest identifier in bytes (`NAMEDATALEN - 1`).
pub const PG_MAX_IDENTIFIER: usize = 63;

/// An identifier as PostgreSQL stores it. Unquoted identifiers are folded to lower case, ASCII
/// letters only (`downcase_identifier` leaves multi-byte characters alone in a UTF-8 database, so
/// `Ä` stays `Ä`); every identifier, quoted or not, is then cut to 63 bytes on a character
/// boundary (`truncate_identifier`: `CREATE INDEX <64 chars>` makes the 63-byte name, and a later
/// `DROP INDEX` names the index by that).
pub fn pg_identifier(value: &str, quoted: bool) -> String {
    let folded = if quoted {
        value.to_string()
    } else {
        value.to_ascii_lowercase()
    };
    pg_truncate(folded)
}

/// Cut a name to [`PG_MAX_IDENTIFIER`] bytes on a character boundary.
pub fn pg_truncate(mut s: String) -> String {
    if s.len() > PG_MAX_IDENTIFIER {
        let mut n = PG_MAX_IDENTIFIER;
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s.truncate(n);
    }
    s
}

/// PostgreSQL's `makeObjectName`: `name1_name2_label`, shortened to fit 63 bytes by trimming the
/// longer of the two names first.
pub fn pg_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    const MAX: usize = 63;
    let mut overhead = 0;
    if !label.is_empty() {
        overhead += label.len() + 1;
    }
    if name2.is_some() {
        overhead += 1;
    }
    let avail = MAX.saturating_sub(overhead);
    let mut n1 = name1.len();
    let mut n2 = name2.map(str::len).unwrap_or(0);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let clip = |s: &str, mut n: usize| {
        while n > 0 && !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    let mut out = clip(name1, n1);
    if let Some(n2s) = name2 {
        out.push('_');
        out.push_str(&clip(n2s, n2));
    }
    if !label.is_empty() {
        out.push('_');
        out.push_str(label);
    }
    out
}

/// PostgreSQL's `ChooseRelationName` / `ChooseConstraintName`: the object name, or with a number
/// appended to the label (`t_a_key1`, `t_a_key2` ...) until it is free.
pub fn pg_choose_name(
    name1: &str,
    name2: Option<&str>,
    label: &str,
    taken: impl Fn(&str) -> bool,
) -> String {
    let first = pg_object_name(name1, name2, label);
    if !taken(&first) {
        return first;
    }
    for k in 1..10_000 {
        let cand = pg_object_name(name1, name2, &format!("{label}{k}"));
        if !taken(&cand) {
            return cand;
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_default_names() {
        assert_eq!(pg_object_name("orders", None, "pkey"), "orders_pkey");
        assert_eq!(
            pg_object_name("orders", Some("user_id"), "fkey"),
            "orders_user_id_fkey"
        );
        let long = "a".repeat(40);
        let n = pg_object_name(&long, Some(&"b".repeat(40)), "fkey");
        assert_eq!(n.len(), 63);
        assert!(n.ends_with("_fkey"));
        assert_eq!(
            pg_choose_name("t", Some("a"), "key", |n| n == "t_a_key"),
            "t_a_key1"
        );
    }

    #[test]
    fn postgres_identifiers_fold_ascii_and_truncate_to_63_bytes() {
        assert_eq!(pg_identifier("Orders", false), "orders");
        assert_eq!(pg_identifier("Orders", true), "Orders");
        // Only ASCII letters are folded in a UTF-8 database.
        assert_eq!(pg_identifier("ÄBC", false), "Äbc");
        let long = format!("idx_{}", "x".repeat(70));
        assert_eq!(pg_identifier(&long, false).len(), 63);
        assert_eq!(pg_identifier(&long, true).len(), 63);
        // Never in the middle of a character: 62 ASCII bytes + a 2-byte character = 64 bytes.
        let s = format!("{}é", "a".repeat(62));
        assert_eq!(pg_identifier(&s, true), "a".repeat(62));
    }
}

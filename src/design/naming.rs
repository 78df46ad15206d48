//! Names: snake_case, English plurals for table names, identifier quoting per engine, and
//! constraint/index names that fit the engines' length limits.

use crate::sql::Dialect;

/// `OrderItem`, `order item`, `order-item`, `HTTPRequest` → `order_item`, `http_request`.
pub fn snake_case(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' || c == '-' || c == '_' || c == '.' {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(|n| n.is_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out.trim_end_matches('_').to_string()
}

/// `order_item` → `OrderItem`.
pub fn pascal_case(s: &str) -> String {
    snake_case(s)
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// `order_item` → `orderItem`.
pub fn camel_case(s: &str) -> String {
    let p = pascal_case(s);
    let mut c = p.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Whether `s` is a plain snake_case identifier: `[a-z][a-z0-9_]*`.
pub fn is_plain_ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_ascii_lowercase())
        && c.all(|x| x.is_ascii_lowercase() || x.is_ascii_digit() || x == '_')
}

const UNCOUNTABLE: &[&str] = &[
    "data",
    "metadata",
    "information",
    "equipment",
    "news",
    "series",
    "species",
    "feedback",
    "software",
    "staff",
    "sheep",
    "fish",
    "media",
    "audio",
    "people",
    "children",
];

const IRREGULAR: &[(&str, &str)] = &[
    ("person", "people"),
    ("child", "children"),
    ("man", "men"),
    ("woman", "women"),
    ("mouse", "mice"),
    ("goose", "geese"),
    ("foot", "feet"),
    ("tooth", "teeth"),
    ("criterion", "criteria"),
    ("leaf", "leaves"),
    ("knife", "knives"),
    ("life", "lives"),
    ("wife", "wives"),
    ("half", "halves"),
    ("shelf", "shelves"),
    ("quiz", "quizzes"),
];

/// English plural of the last word of a snake_case name: `order_item` → `order_items`,
/// `category` → `categories`, `status` → `statuses`, `person` → `people`.
pub fn plural(s: &str) -> String {
    let (head, last) = match s.rsplit_once('_') {
        Some((h, l)) => (format!("{h}_"), l.to_string()),
        None => (String::new(), s.to_string()),
    };
    let p = if UNCOUNTABLE.contains(&last.as_str()) {
        last
    } else if let Some((_, pl)) = IRREGULAR.iter().find(|(sg, _)| *sg == last) {
        pl.to_string()
    } else if last.ends_with("sis") {
        format!("{}ses", &last[..last.len() - 3])
    } else if last.ends_with('s')
        || last.ends_with('x')
        || last.ends_with('z')
        || last.ends_with("ch")
        || last.ends_with("sh")
    {
        format!("{last}es")
    } else if last.len() > 1
        && last.ends_with('y')
        && !matches!(
            last.as_bytes()[last.len() - 2],
            b'a' | b'e' | b'i' | b'o' | b'u'
        )
    {
        format!("{}ies", &last[..last.len() - 1])
    } else {
        format!("{last}s")
    };
    format!("{head}{p}")
}

/// Words that need quoting as identifiers in at least one of the engines (PostgreSQL reserved
/// key words, MySQL reserved words, SQLite keywords that cannot be bare names).
const RESERVED: &[&str] = &[
    "add",
    "all",
    "alter",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "before",
    "between",
    "bigint",
    "binary",
    "blob",
    "both",
    "by",
    "call",
    "cascade",
    "case",
    "cast",
    "change",
    "char",
    "character",
    "check",
    "collate",
    "column",
    "condition",
    "constraint",
    "continue",
    "convert",
    "create",
    "cross",
    "current",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "cursor",
    "database",
    "databases",
    "dec",
    "decimal",
    "declare",
    "default",
    "deferrable",
    "delete",
    "desc",
    "describe",
    "distinct",
    "div",
    "do",
    "double",
    "drop",
    "each",
    "else",
    "elseif",
    "end",
    "escape",
    "except",
    "exists",
    "exit",
    "explain",
    "false",
    "fetch",
    "float",
    "for",
    "force",
    "foreign",
    "freeze",
    "from",
    "full",
    "fulltext",
    "function",
    "grant",
    "group",
    "groups",
    "having",
    "if",
    "ignore",
    "ilike",
    "in",
    "index",
    "initially",
    "inner",
    "insert",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "key",
    "keys",
    "kill",
    "lateral",
    "leading",
    "leave",
    "left",
    "like",
    "limit",
    "lines",
    "load",
    "localtime",
    "localtimestamp",
    "lock",
    "long",
    "loop",
    "match",
    "natural",
    "not",
    "notnull",
    "null",
    "numeric",
    "of",
    "offset",
    "on",
    "only",
    "option",
    "or",
    "order",
    "out",
    "outer",
    "over",
    "overlaps",
    "partition",
    "placing",
    "precision",
    "primary",
    "procedure",
    "range",
    "rank",
    "read",
    "real",
    "recursive",
    "references",
    "regexp",
    "release",
    "rename",
    "repeat",
    "replace",
    "require",
    "restrict",
    "returning",
    "revoke",
    "right",
    "rlike",
    "row",
    "rows",
    "schema",
    "select",
    "session_user",
    "set",
    "show",
    "similar",
    "smallint",
    "some",
    "symmetric",
    "system_user",
    "table",
    "then",
    "to",
    "trailing",
    "transaction",
    "trigger",
    "true",
    "union",
    "unique",
    "unsigned",
    "update",
    "usage",
    "use",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "while",
    "window",
    "with",
    "write",
    "xor",
    "year_month",
];

/// Whether an identifier must be quoted (reserved somewhere, or not a plain name).
pub fn needs_quotes(s: &str) -> bool {
    !is_plain_ident(s) || RESERVED.binary_search(&s).is_ok()
}

/// Quote an identifier for `d` when it needs it.
pub fn quote(d: Dialect, s: &str) -> String {
    if !needs_quotes(s) {
        return s.to_string();
    }
    match d {
        Dialect::Mysql => format!("`{}`", s.replace('`', "``")),
        _ => format!("\"{}\"", s.replace('"', "\"\"")),
    }
}

/// Maximum identifier length in bytes.
pub fn max_ident(d: Dialect) -> usize {
    match d {
        Dialect::Mysql => 64,
        _ => 63,
    }
}

/// Fit a generated name into 63 bytes (PostgreSQL's limit, one under MySQL's), keeping it
/// unique with a short hash of the full name when it has to be cut.
pub fn fit(name: &str) -> String {
    const MAX: usize = 63;
    if name.len() <= MAX {
        return name.to_string();
    }
    let mut h: u32 = 0x811c9dc5;
    for b in name.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x01000193);
    }
    let suffix = format!("_{:06x}", h & 0xffffff);
    let mut cut = MAX - suffix.len();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{}", name[..cut].trim_end_matches('_'), suffix)
}

/// A SQL string literal.
pub fn string_literal(d: Dialect, s: &str) -> String {
    let body = s.replace('\'', "''");
    match d {
        // MySQL treats backslash as an escape character in literals (unless
        // NO_BACKSLASH_ESCAPES is set); doubling it is right in both modes.
        Dialect::Mysql => format!("'{}'", body.replace('\\', "\\\\")),
        _ => format!("'{body}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_list_is_sorted_for_binary_search() {
        let mut v = RESERVED.to_vec();
        v.sort();
        assert_eq!(v, RESERVED);
    }

    #[test]
    fn cases_and_plurals() {
        assert_eq!(snake_case("OrderItem"), "order_item");
        assert_eq!(snake_case("order item"), "order_item");
        assert_eq!(snake_case("HTTPRequest"), "http_request");
        assert_eq!(snake_case("user_id"), "user_id");
        assert_eq!(snake_case("address2Line"), "address2_line");
        assert_eq!(pascal_case("order_item"), "OrderItem");
        assert_eq!(camel_case("order_item_id"), "orderItemId");
        assert_eq!(plural("order_item"), "order_items");
        assert_eq!(plural("category"), "categories");
        assert_eq!(plural("status"), "statuses");
        assert_eq!(plural("address"), "addresses");
        assert_eq!(plural("person"), "people");
        assert_eq!(plural("key"), "keys");
        assert_eq!(plural("analysis"), "analyses");
        assert_eq!(plural("box"), "boxes");
        assert_eq!(plural("user_data"), "user_data");
    }

    #[test]
    fn quoting_and_fitting() {
        assert_eq!(quote(Dialect::Postgres, "user"), "\"user\"");
        assert_eq!(quote(Dialect::Mysql, "order"), "`order`");
        assert_eq!(quote(Dialect::Sqlite, "orders"), "orders");
        assert_eq!(quote(Dialect::Postgres, "Weird Name"), "\"Weird Name\"");
        let long = "x".repeat(80);
        let f = fit(&long);
        assert_eq!(f.len(), 63);
        assert_ne!(fit(&format!("{long}a")), fit(&format!("{long}b")));
        assert_eq!(string_literal(Dialect::Mysql, "a'b\\c"), "'a''b\\\\c'");
        assert_eq!(string_literal(Dialect::Postgres, "a'b\\c"), "'a''b\\c'");
    }
}

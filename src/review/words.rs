//! Word lists the naming rules compare identifiers against: each engine's reserved words (the
//! ones that cannot be used as a table or column name without quotes), and the splitting of
//! identifiers into words (snake_case and camelCase).

use crate::sql::Dialect;

/// PostgreSQL: the words its manual (Appendix C) marks "reserved" or "reserved (can be function
/// or type)", which cannot name a table or column unquoted.
#[rustfmt::skip]
const POSTGRES: &[&str] = &[
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "binary", "both", "case", "cast", "check", "collate", "collation", "column", "concurrently",
    "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "default", "deferrable",
    "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign",
    "freeze", "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner",
    "intersect", "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit",
    "localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only",
    "or", "order", "outer", "overlaps", "placing", "primary", "references", "returning", "right",
    "select", "session_user", "similar", "some", "symmetric", "system_user", "table",
    "tablesample", "then", "to", "trailing", "true", "union", "unique", "user", "using",
    "variadic", "verbose", "when", "where", "window", "with",
];

/// MySQL 8.0 reserved words (the manual's keyword list, entries marked (R)).
#[rustfmt::skip]
const MYSQL: &[&str] = &[
    "accessible", "add", "all", "alter", "analyze", "and", "as", "asc", "asensitive", "before",
    "between", "bigint", "binary", "blob", "both", "by", "call", "cascade", "case", "change",
    "char", "character", "check", "collate", "column", "condition", "constraint", "continue",
    "convert", "create", "cross", "cube", "cume_dist", "current_date", "current_time",
    "current_timestamp", "current_user", "cursor", "database", "databases", "day_hour",
    "day_microsecond", "day_minute", "day_second", "dec", "decimal", "declare", "default",
    "delayed", "delete", "dense_rank", "desc", "describe", "deterministic", "distinct",
    "distinctrow", "div", "double", "drop", "dual", "each", "else", "elseif", "empty", "enclosed",
    "escaped", "except", "exists", "exit", "explain", "false", "fetch", "first_value", "float",
    "float4", "float8", "for", "force", "foreign", "from", "fulltext", "function", "generated",
    "get", "grant", "group", "grouping", "groups", "having", "high_priority", "hour_microsecond",
    "hour_minute", "hour_second", "if", "ignore", "in", "index", "infile", "inner", "inout",
    "insensitive", "insert", "int", "int1", "int2", "int3", "int4", "int8", "integer", "intersect",
    "interval", "into", "is", "iterate", "join", "json_table", "key", "keys", "kill", "lag",
    "last_value", "lateral", "lead", "leading", "leave", "left", "like", "limit", "linear",
    "lines", "load", "localtime", "localtimestamp", "lock", "long", "longblob", "longtext", "loop",
    "low_priority", "match", "maxvalue", "mediumblob", "mediumint", "mediumtext", "middleint",
    "minute_microsecond", "minute_second", "mod", "modifies", "natural", "not",
    "no_write_to_binlog", "nth_value", "ntile", "null", "numeric", "of", "on", "optimize",
    "option", "optionally", "or", "order", "out", "outer", "outfile", "over", "partition",
    "percent_rank", "precision", "primary", "procedure", "purge", "range", "rank", "read", "reads",
    "read_write", "real", "recursive", "references", "regexp", "release", "rename", "repeat",
    "replace", "require", "resignal", "restrict", "return", "revoke", "right", "rlike", "row",
    "rows", "row_number", "schema", "schemas", "second_microsecond", "select", "sensitive",
    "separator", "set", "show", "signal", "smallint", "spatial", "specific", "sql", "sqlexception",
    "sqlstate", "sqlwarning", "sql_big_result", "sql_calc_found_rows", "sql_small_result", "ssl",
    "starting", "stored", "straight_join", "system", "table", "terminated", "then", "tinyblob",
    "tinyint", "tinytext", "to", "trailing", "trigger", "true", "undo", "union", "unique",
    "unlock", "unsigned", "update", "usage", "use", "using", "utc_date", "utc_time",
    "utc_timestamp", "values", "varbinary", "varchar", "varcharacter", "varying", "virtual",
    "when", "where", "while", "window", "with", "write", "xor", "year_month", "zerofill",
];

/// SQLite keywords that cannot be used unquoted as a table or column name.
#[rustfmt::skip]
const SQLITE: &[&str] = &[
    "add", "all", "alter", "and", "as", "autoincrement", "between", "case", "check", "collate",
    "commit", "constraint", "create", "default", "deferrable", "delete", "distinct", "drop",
    "else", "escape", "except", "exists", "foreign", "from", "group", "having", "in", "index",
    "insert", "intersect", "into", "is", "isnull", "join", "limit", "not", "notnull", "null", "on",
    "or", "order", "primary", "references", "select", "set", "table", "then", "to", "transaction",
    "union", "unique", "update", "using", "values", "when", "where",
];

/// Whether `ident` is a reserved word of the dialect (case-insensitive).
pub fn is_reserved(d: Dialect, ident: &str) -> bool {
    let list = match d {
        Dialect::Mysql => MYSQL,
        Dialect::Sqlite => SQLITE,
        Dialect::Postgres | Dialect::Generic => POSTGRES,
    };
    let low = ident.to_ascii_lowercase();
    list.binary_search(&low.as_str()).is_ok() || list.contains(&low.as_str())
}

/// An identifier split into lower-case words: `order_items` → [order, items],
/// `OrderItems` / `orderItems` → [order, items], `phone2` → [phone2].
pub fn split_words(ident: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in ident.split(['_', ' ', '-']) {
        let mut cur = String::new();
        let mut prev_lower = false;
        for ch in part.chars() {
            if ch.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
            cur.extend(ch.to_lowercase());
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// Naming style of one identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// One lower-case word: fits snake_case.
    Word,
    Snake,
    Camel,
    Pascal,
    UpperSnake,
    Other,
}

impl Style {
    pub fn name(self) -> &'static str {
        match self {
            Style::Word | Style::Snake => "snake_case",
            Style::Camel => "camelCase",
            Style::Pascal => "PascalCase",
            Style::UpperSnake => "UPPER_CASE",
            Style::Other => "other",
        }
    }
}

pub fn style(ident: &str) -> Style {
    let has_upper = ident.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = ident.chars().any(|c| c.is_ascii_lowercase());
    let plain = ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return Style::Other;
    }
    match (has_upper, has_lower, ident.contains('_')) {
        (false, true, false) => Style::Word,
        (false, true, true) => Style::Snake,
        (true, false, _) => Style::UpperSnake,
        (true, true, false) => {
            if ident.starts_with(|c: char| c.is_ascii_uppercase()) {
                Style::Pascal
            } else {
                Style::Camel
            }
        }
        (true, true, true) => Style::Other,
        (false, false, _) => Style::Word,
    }
}

/// Whether the last word of a table name reads as plural (`orders`, `categories`), as singular
/// (`order`, `address`, `status`), or cannot tell (`data`, `staff`).
pub fn plurality(name: &str) -> Option<bool> {
    let words = split_words(name);
    let last = words.last()?;
    const NEUTRAL: &[&str] = &[
        "data",
        "info",
        "media",
        "staff",
        "metadata",
        "equipment",
        "series",
        "news",
        "species",
        "information",
        "software",
        "feedback",
        "analytics",
        "settings",
        "stats",
    ];
    if NEUTRAL.contains(&last.as_str()) || last.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if last.len() > 3
        && last.ends_with('s')
        && !last.ends_with("ss")
        && !last.ends_with("us")
        && !last.ends_with("is")
    {
        return Some(true);
    }
    Some(false)
}

/// Singular forms a table name may stand for: `orders` → order, `categories` → category,
/// `boxes` → box; the name itself too.
pub fn singular_forms(table: &str) -> Vec<String> {
    let t = table.to_ascii_lowercase();
    let mut v = vec![t.clone()];
    if let Some(s) = t.strip_suffix("ies") {
        v.push(format!("{s}y"));
    }
    if let Some(s) = t.strip_suffix("es") {
        v.push(s.to_string());
    }
    if let Some(s) = t.strip_suffix('s') {
        v.push(s.to_string());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_words() {
        assert!(is_reserved(Dialect::Postgres, "USER"));
        assert!(!is_reserved(Dialect::Postgres, "position"));
        assert!(is_reserved(Dialect::Mysql, "rank"));
        assert_eq!(split_words("OrderLines"), vec!["order", "lines"]);
        assert_eq!(split_words("tag_ids"), vec!["tag", "ids"]);
        assert_eq!(style("shippedAt"), Style::Camel);
        assert_eq!(style("order_items"), Style::Snake);
        assert_eq!(plurality("order_items"), Some(true));
        assert_eq!(plurality("address"), Some(false));
        assert!(singular_forms("categories").contains(&"category".to_string()));
    }
}

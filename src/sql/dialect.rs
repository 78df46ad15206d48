//! SQL dialects and the `auto` guess. The guess looks at words and punctuation that only one
//! engine writes (backticks and `ENGINE=` for MySQL, `$$` and `::` for PostgreSQL, `PRAGMA` and
//! `AUTOINCREMENT` for SQLite) and reports which it chose and why.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An SQL dialect the front end understands. `mysql` covers MariaDB too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Postgres,
    Mysql,
    Sqlite,
    Generic,
}

/// The dialect a request asks for: a fixed one, or `auto` (guess from the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum DialectChoice {
    #[default]
    Auto,
    Postgres,
    Mysql,
    Sqlite,
    Generic,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
            Dialect::Generic => "generic",
        }
    }

    /// The engine's name for people.
    pub fn engine_name(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::Mysql => "MySQL/MariaDB",
            Dialect::Sqlite => "SQLite",
            Dialect::Generic => "generic SQL",
        }
    }

    pub(crate) fn parser_dialect(self) -> Box<dyn sqlparser::dialect::Dialect> {
        use sqlparser::dialect as d;
        match self {
            Dialect::Postgres => Box::new(d::PostgreSqlDialect {}),
            Dialect::Mysql => Box::new(d::MySqlDialect {}),
            Dialect::Sqlite => Box::new(d::SQLiteDialect {}),
            Dialect::Generic => Box::new(d::GenericDialect {}),
        }
    }

    /// The schema an unqualified name lands in.
    pub fn default_schema(self) -> &'static str {
        match self {
            Dialect::Postgres => "public",
            Dialect::Sqlite => "main",
            Dialect::Mysql | Dialect::Generic => "",
        }
    }

    /// Whether unquoted identifiers compare case-insensitively as written (MySQL column names,
    /// SQLite) rather than being folded to lower case (PostgreSQL).
    pub fn case_insensitive_names(self) -> bool {
        !matches!(self, Dialect::Postgres)
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DialectChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(DialectChoice::Auto),
            "postgres" | "postgresql" | "pg" | "psql" => Ok(DialectChoice::Postgres),
            "mysql" | "mariadb" => Ok(DialectChoice::Mysql),
            "sqlite" | "sqlite3" => Ok(DialectChoice::Sqlite),
            "generic" | "ansi" => Ok(DialectChoice::Generic),
            other => Err(format!(
                "unknown dialect `{other}`; use one of auto, postgres, mysql (also for MariaDB), sqlite, generic"
            )),
        }
    }
}

impl DialectChoice {
    pub fn fixed(self) -> Option<Dialect> {
        match self {
            DialectChoice::Auto => None,
            DialectChoice::Postgres => Some(Dialect::Postgres),
            DialectChoice::Mysql => Some(Dialect::Mysql),
            DialectChoice::Sqlite => Some(Dialect::Sqlite),
            DialectChoice::Generic => Some(Dialect::Generic),
        }
    }
}

/// Which dialect was used and why.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct DialectDecision {
    pub dialect: Dialect,
    /// `given` when the caller named it, `guessed` for auto.
    pub how: String,
    /// The evidence, e.g. "backtick-quoted identifiers (12)".
    pub reasons: Vec<String>,
}

/// Resolve a choice against the text: fixed choices pass through, `auto` guesses.
pub fn resolve(choice: DialectChoice, text: &str) -> DialectDecision {
    match choice.fixed() {
        Some(d) => DialectDecision {
            dialect: d,
            how: "given".into(),
            reasons: vec![format!("dialect {d} was given")],
        },
        None => guess(text),
    }
}

/// Guess the dialect of `text` from engine-specific marks. Scans at most the first 2 MiB.
pub fn guess(text: &str) -> DialectDecision {
    let sample = if text.len() > 2 * 1024 * 1024 {
        let mut end = 2 * 1024 * 1024;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    } else {
        text
    };
    let mut pg: Vec<(String, u32)> = Vec::new();
    let mut my: Vec<(String, u32)> = Vec::new();
    let mut lite: Vec<(String, u32)> = Vec::new();

    let bytes = sample.as_bytes();
    let count_byte_seq = |pat: &str| sample.matches(pat).count() as u32;
    let backticks = bytes.iter().filter(|b| **b == b'`').count() as u32 / 2;
    if backticks > 0 {
        my.push(("backtick-quoted identifiers".into(), backticks.min(20)));
    }
    let dollars = count_byte_seq("$$");
    if dollars > 0 {
        pg.push(("dollar-quoted bodies ($$)".into(), dollars.min(20) * 2));
    }
    let casts = count_byte_seq("::");
    if casts > 0 {
        pg.push(("`::` casts".into(), casts.min(20)));
    }
    let psql_meta = sample
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with('\\') && t.len() > 1 && t.as_bytes()[1].is_ascii_alphabetic()
        })
        .count() as u32;
    if psql_meta > 0 {
        pg.push(("psql meta-commands (\\c ...)".into(), psql_meta.min(10) * 3));
    }

    // Word-level marks, counted on an upper-cased scan of identifier-like words.
    let mut words: std::collections::HashMap<&'static str, u32> = std::collections::HashMap::new();
    const PG_WORDS: &[&str] = &[
        "SERIAL",
        "BIGSERIAL",
        "SMALLSERIAL",
        "JSONB",
        "TIMESTAMPTZ",
        "BYTEA",
        "PLPGSQL",
        "NEXTVAL",
        "REGCLASS",
        "TSVECTOR",
        "ILIKE",
        "OWNED",
        "EXTENSION",
        "CONCURRENTLY",
        "RETURNING",
        "INHERITS",
        "SEARCH_PATH",
    ];
    const MY_WORDS: &[&str] = &[
        "AUTO_INCREMENT",
        "ENGINE",
        "UNSIGNED",
        "TINYINT",
        "MEDIUMTEXT",
        "LONGTEXT",
        "TINYTEXT",
        "MEDIUMINT",
        "DELIMITER",
        "CHARSET",
        "INNODB",
        "MYISAM",
        "DATETIME",
        "ZEROFILL",
    ];
    const LITE_WORDS: &[&str] = &["AUTOINCREMENT", "PRAGMA", "ROWID", "WITHOUT", "STRICT"];
    let mut word = String::new();
    let flush = |w: &mut String, words: &mut std::collections::HashMap<&'static str, u32>| {
        if !w.is_empty() {
            let up = w.to_ascii_uppercase();
            for k in PG_WORDS.iter().chain(MY_WORDS).chain(LITE_WORDS) {
                if up == *k {
                    *words.entry(k).or_insert(0) += 1;
                }
            }
            w.clear();
        }
    };
    for ch in sample.chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' {
            word.push(ch);
        } else {
            flush(&mut word, &mut words);
        }
    }
    flush(&mut word, &mut words);
    for (w, n) in &words {
        let weight = (*n).min(10);
        if PG_WORDS.contains(w) {
            pg.push((format!("keyword {w}"), weight));
        } else if MY_WORDS.contains(w) {
            // DATETIME is also valid SQLite; weigh it lightly.
            let weight = if *w == "DATETIME" {
                weight.min(2)
            } else {
                weight
            };
            my.push((format!("keyword {w}"), weight));
        } else {
            lite.push((format!("keyword {w}"), weight));
        }
    }
    if sample.contains("INTEGER PRIMARY KEY") || sample.contains("integer primary key") {
        lite.push(("INTEGER PRIMARY KEY rowid alias".into(), 2));
    }

    let score = |v: &Vec<(String, u32)>| v.iter().map(|(_, n)| *n).sum::<u32>();
    let (sp, sm, sl) = (score(&pg), score(&my), score(&lite));
    let (dialect, mut ev) = if sp == 0 && sm == 0 && sl == 0 {
        (Dialect::Generic, Vec::new())
    } else if sp >= sm && sp >= sl {
        (Dialect::Postgres, pg)
    } else if sm >= sl {
        (Dialect::Mysql, my)
    } else {
        (Dialect::Sqlite, lite)
    };
    ev.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut reasons: Vec<String> = ev
        .iter()
        .take(5)
        .map(|(r, n)| format!("{r} (weight {n})"))
        .collect();
    if reasons.is_empty() {
        reasons.push("no engine-specific syntax found; using the generic dialect".into());
    }
    reasons.push(format!("scores: postgres {sp}, mysql {sm}, sqlite {sl}"));
    DialectDecision {
        dialect,
        how: "guessed".into(),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_each_engine() {
        assert_eq!(
            guess("CREATE TABLE `a` (id int AUTO_INCREMENT) ENGINE=InnoDB;").dialect,
            Dialect::Mysql
        );
        assert_eq!(
            guess("CREATE TABLE a (id bigserial, d jsonb); SELECT 1::int;").dialect,
            Dialect::Postgres
        );
        assert_eq!(
            guess("PRAGMA foreign_keys=ON; CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);")
                .dialect,
            Dialect::Sqlite
        );
        assert_eq!(guess("SELECT 1").dialect, Dialect::Generic);
    }

    #[test]
    fn parses_choice_names() {
        assert_eq!("MariaDB".parse::<DialectChoice>(), Ok(DialectChoice::Mysql));
        assert!("oracle".parse::<DialectChoice>().is_err());
    }
}

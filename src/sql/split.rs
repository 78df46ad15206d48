//! Error-tolerant statement splitting.
//!
//! A lexical scanner walks the input once and cuts it into statements at the current delimiter,
//! while skipping everything that may contain a delimiter without ending a statement: strings
//! (with the dialect's escapes), quoted identifiers, dollar-quoted bodies, comments (nested in
//! PostgreSQL), MySQL executable comments `/*!50001 ... */` (whose content is SQL), trigger and
//! routine bodies `BEGIN ... END`, psql meta-commands (`\c db`), `COPY ... FROM stdin` data blocks
//! and MySQL `DELIMITER` changes. An unterminated string or comment ends the statement at the end
//! of input instead of failing the whole file, so one broken statement never hides the others.

use super::dialect::Dialect;
use crate::error::KdError;
use crate::findings::LineCol;
use crate::limits::Limits;
use std::ops::Range;

/// What a piece of input is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PieceKind {
    /// An SQL statement, to be parsed.
    Statement,
    /// A psql meta-command such as `\c dbname` or `\set ON_ERROR_STOP on`.
    PsqlMeta,
    /// The data lines of `COPY ... FROM stdin`, up to and including `\.`.
    CopyData,
    /// A MySQL client `DELIMITER xx` line.
    Delimiter,
}

/// One piece of the input, in order.
#[derive(Debug, Clone)]
pub struct Piece {
    pub kind: PieceKind,
    /// Byte range in the source (statement text without its delimiter).
    pub range: Range<usize>,
    pub start: LineCol,
    pub end: LineCol,
    /// The text handed to the parser: the source slice with MySQL executable-comment markers
    /// blanked out (same length, so positions map one to one).
    pub text: String,
    /// Deepest parenthesis nesting seen in the statement.
    pub depth: u64,
    /// Comments between the previous piece and this one (for suppression comments).
    pub comments: Vec<Comment>,
}

/// A comment found between statements.
#[derive(Debug, Clone)]
pub struct Comment {
    pub start: LineCol,
    pub text: String,
}

/// Maps byte offsets to 1-based line/column (columns count characters).
pub struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        for (i, b) in src.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        LineIndex { src, starts }
    }

    pub fn at(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.src.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l - 1,
        };
        let ls = self.starts[line];
        let mut end = offset;
        while end > ls && !self.src.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.src[ls..end].chars().count() as u64 + 1;
        LineCol {
            line: line as u64 + 1,
            column,
        }
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

struct Splitter<'a> {
    src: &'a str,
    b: &'a [u8],
    dialect: Dialect,
    limits: Limits,
    lines: LineIndex<'a>,
    pieces: Vec<Piece>,
    pending_comments: Vec<Comment>,
    delimiter: String,
    statements: usize,
}

/// State of the statement being scanned.
#[derive(Default)]
struct StmtState {
    depth: u64,
    max_depth: u64,
    /// Upper-cased leading words (at most 16) to classify the statement.
    words: Vec<String>,
    /// Routine or trigger whose body may hold `BEGIN ... END` with inner semicolons.
    blocky: bool,
    block_depth: u32,
    /// Byte ranges to blank in the parser text (MySQL `/*!NNNNN` and its `*/`).
    blanks: Vec<Range<usize>>,
    exec_comments: u32,
    last_word: String,
}

/// Split `src` into pieces. Fails only when a limit is exceeded.
pub fn split(src: &str, dialect: Dialect, limits: &Limits) -> Result<Vec<Piece>, KdError> {
    limits.check_bytes(src.len())?;
    let mut s = Splitter {
        src,
        b: src.as_bytes(),
        dialect,
        limits: *limits,
        lines: LineIndex::new(src),
        pieces: Vec::new(),
        pending_comments: Vec::new(),
        delimiter: ";".into(),
        statements: 0,
    };
    s.run()?;
    Ok(s.pieces)
}

impl<'a> Splitter<'a> {
    fn run(&mut self) -> Result<(), KdError> {
        let n = self.b.len();
        let mut i = 0;
        while i < n {
            let c = self.b[i];
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            // Comments between statements.
            if let Some(end) = self.comment_end(i, false) {
                self.pending_comments.push(Comment {
                    start: self.lines.at(i),
                    text: self.src[i..end].to_string(),
                });
                i = end;
                continue;
            }
            // A stray delimiter (empty statement).
            if self.at_delimiter(i) {
                i += self.delimiter.len();
                continue;
            }
            if c == b'\\' {
                let end = line_end(self.b, i);
                self.push_simple(PieceKind::PsqlMeta, i, end);
                i = end;
                continue;
            }
            if self.word_at(i).eq_ignore_ascii_case("DELIMITER") {
                let end = line_end(self.b, i);
                let rest = self.src[i + 9..end].trim();
                if !rest.is_empty() {
                    self.delimiter = rest.split_whitespace().next().unwrap_or(";").to_string();
                    self.push_simple(PieceKind::Delimiter, i, end);
                    i = end;
                    continue;
                }
            }
            i = self.statement(i)?;
        }
        Ok(())
    }

    fn word_at(&self, i: usize) -> &'a str {
        let mut j = i;
        while j < self.b.len() && (self.b[j].is_ascii_alphanumeric() || self.b[j] == b'_') {
            j += 1;
        }
        &self.src[i..j]
    }

    fn at_delimiter(&self, i: usize) -> bool {
        self.b[i..].starts_with(self.delimiter.as_bytes())
    }

    fn push_simple(&mut self, kind: PieceKind, start: usize, end: usize) {
        let mut e = end;
        while e > start && self.b[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        self.pieces.push(Piece {
            kind,
            range: start..e,
            start: self.lines.at(start),
            end: self.lines.at(e),
            text: self.src[start..e].to_string(),
            depth: 0,
            comments: std::mem::take(&mut self.pending_comments),
        });
    }

    /// If a comment starts at `i`, the offset just past it. `in_stmt` allows MySQL executable
    /// comments to be treated as code by the caller.
    fn comment_end(&self, i: usize, in_stmt: bool) -> Option<usize> {
        let b = self.b;
        let n = b.len();
        if b[i] == b'-' && i + 1 < n && b[i + 1] == b'-' {
            return Some(line_end(b, i));
        }
        if b[i] == b'#' && self.dialect == Dialect::Mysql {
            return Some(line_end(b, i));
        }
        if b[i] == b'/' && i + 1 < n && b[i + 1] == b'*' {
            if self.dialect != Dialect::Postgres && i + 2 < n && b[i + 2] == b'!' {
                // MySQL executable comment: its content is SQL. Outside a statement the caller
                // starts a statement here; inside one, `statement` blanks the marker.
                let _ = in_stmt;
                return None;
            }
            let nested = self.dialect == Dialect::Postgres;
            let mut depth = 1;
            let mut j = i + 2;
            while j < n {
                if b[j] == b'*' && j + 1 < n && b[j + 1] == b'/' {
                    depth -= 1;
                    j += 2;
                    if depth == 0 || !nested {
                        return Some(j);
                    }
                    continue;
                }
                if nested && b[j] == b'/' && j + 1 < n && b[j + 1] == b'*' {
                    depth += 1;
                    j += 2;
                    continue;
                }
                j += 1;
            }
            return Some(n);
        }
        None
    }

    /// Scan one statement starting at `start`; returns the offset after its delimiter.
    fn statement(&mut self, start: usize) -> Result<usize, KdError> {
        let b = self.b;
        let n = b.len();
        let mut st = StmtState::default();
        let mut i = start;
        let mut end = n;
        let mut after = n;
        while i < n {
            let c = b[i];
            // Delimiter.
            if (st.block_depth == 0 || self.delimiter != ";") && self.at_delimiter(i) {
                end = i;
                after = i + self.delimiter.len();
                break;
            }
            match c {
                b'\'' => {
                    let backslash = self.dialect == Dialect::Mysql
                        || (i > 0
                            && (b[i - 1] == b'E' || b[i - 1] == b'e')
                            && (i < 2 || !is_ident_byte(b[i - 2])));
                    i = skip_quoted(b, i, b'\'', backslash);
                    continue;
                }
                b'"' => {
                    i = skip_quoted(b, i, b'"', self.dialect == Dialect::Mysql);
                    continue;
                }
                b'`' => {
                    i = skip_quoted(b, i, b'`', false);
                    continue;
                }
                b'[' if self.dialect == Dialect::Sqlite => {
                    let mut j = i + 1;
                    while j < n && b[j] != b']' {
                        j += 1;
                    }
                    i = (j + 1).min(n);
                    continue;
                }
                b'$' if matches!(self.dialect, Dialect::Postgres | Dialect::Generic)
                    && (i == 0 || !is_ident_byte(b[i - 1])) =>
                {
                    if let Some(j) = skip_dollar(b, i) {
                        i = j;
                        continue;
                    }
                }
                b'(' => {
                    st.depth += 1;
                    st.max_depth = st.max_depth.max(st.depth);
                }
                b')' => st.depth = st.depth.saturating_sub(1),
                b'*' if st.exec_comments > 0 && i + 1 < n && b[i + 1] == b'/' => {
                    st.blanks.push(i..i + 2);
                    st.exec_comments -= 1;
                    i += 2;
                    continue;
                }
                b'/' if self.dialect != Dialect::Postgres
                    && i + 2 < n
                    && b[i + 1] == b'*'
                    && b[i + 2] == b'!' =>
                {
                    let mut j = i + 3;
                    while j < n && b[j].is_ascii_digit() {
                        j += 1;
                    }
                    st.blanks.push(i..j);
                    st.exec_comments += 1;
                    i = j;
                    continue;
                }
                _ => {}
            }
            if let Some(e) = self.comment_end(i, true) {
                i = e;
                continue;
            }
            if c.is_ascii_alphabetic() || c == b'_' {
                let w = self.word_at(i);
                let len = w.len().max(1);
                self.on_word(&mut st, w, i + len);
                i += len;
                continue;
            }
            if is_ident_byte(c) {
                // Non-ASCII identifier bytes: step over the whole character.
                let mut j = i + 1;
                while j < n && !self.src.is_char_boundary(j) {
                    j += 1;
                }
                i = j;
                continue;
            }
            i += 1;
        }
        // Trim trailing whitespace.
        let mut e = end;
        while e > start && b[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        self.statements += 1;
        self.limits.check_statements(self.statements)?;
        let mut text = self.src[start..e].to_string();
        if !st.blanks.is_empty() {
            // Blank markers with spaces of the same length.
            let mut bytes = std::mem::take(&mut text).into_bytes();
            for r in &st.blanks {
                for k in r.clone() {
                    if k >= start && k < e {
                        bytes[k - start] = b' ';
                    }
                }
            }
            text = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        }
        let start_lc = self.lines.at(start);
        self.limits.check_depth(st.max_depth, start_lc.line)?;
        let is_copy_stdin = st.words.first().map(String::as_str) == Some("COPY")
            && st.words.iter().any(|w| w == "STDIN");
        self.pieces.push(Piece {
            kind: PieceKind::Statement,
            range: start..e,
            start: start_lc,
            end: self.lines.at(e),
            text,
            depth: st.max_depth,
            comments: std::mem::take(&mut self.pending_comments),
        });
        if is_copy_stdin && after < n {
            // Data starts on the next line and runs to a line holding only `\.`.
            let data_start = line_end(b, after).saturating_add(1).min(n);
            let mut j = data_start;
            let mut data_end = n;
            while j < n {
                let le = line_end(b, j);
                if self.src[j..le].trim_end() == "\\." {
                    data_end = le;
                    break;
                }
                j = le + 1;
            }
            if data_start < n {
                self.push_simple(PieceKind::CopyData, data_start, data_end);
            }
            return Ok(data_end.min(n));
        }
        Ok(after)
    }

    fn on_word(&self, st: &mut StmtState, w: &str, next: usize) {
        let up = w.to_ascii_uppercase();
        if st.words.len() < 16 {
            st.words.push(up.clone());
            if st.words.len() <= 12 && st.words[0] == "CREATE" {
                let routine = matches!(up.as_str(), "TRIGGER" | "PROCEDURE" | "FUNCTION" | "EVENT");
                if routine && st.words[1..st.words.len() - 1].iter().all(|w| w != "AS") {
                    st.blocky = true;
                }
            }
        }
        if st.blocky {
            match up.as_str() {
                "BEGIN" => {
                    let pg = self.dialect == Dialect::Postgres;
                    let next_word = self.next_word(next).to_ascii_uppercase();
                    // In PostgreSQL only `BEGIN ATOMIC` opens a body; elsewhere any BEGIN does,
                    // except MySQL's `BEGIN NOT ATOMIC` which is still a block.
                    if (!pg || next_word == "ATOMIC")
                        && !(st.last_word == "END" && next_word.is_empty())
                    {
                        st.block_depth += 1;
                    }
                }
                "CASE" if st.block_depth > 0 && st.last_word != "END" => st.block_depth += 1,
                "END" => {
                    let next_word = self.next_word(next).to_ascii_uppercase();
                    if !matches!(
                        next_word.as_str(),
                        "IF" | "LOOP" | "WHILE" | "REPEAT" | "FOR"
                    ) {
                        st.block_depth = st.block_depth.saturating_sub(1);
                    }
                }
                _ => {}
            }
        }
        st.last_word = up;
    }

    /// The next word after `i`, skipping whitespace (empty if the next token is not a word).
    fn next_word(&self, mut i: usize) -> &'a str {
        while i < self.b.len() && self.b[i].is_ascii_whitespace() {
            i += 1;
        }
        self.word_at(i)
    }
}

fn line_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < b.len() && b[j] != b'\n' {
        j += 1;
    }
    j
}

/// Skip a quoted string or identifier starting at `i` (the opening quote). A doubled quote is an
/// escaped quote; with `backslash`, `\x` escapes too. Unterminated: runs to the end.
fn skip_quoted(b: &[u8], i: usize, q: u8, backslash: bool) -> usize {
    let n = b.len();
    let mut j = i + 1;
    while j < n {
        let c = b[j];
        if backslash && c == b'\\' {
            j += 2;
            continue;
        }
        if c == q {
            if j + 1 < n && b[j + 1] == q {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    n
}

/// Skip a dollar-quoted string `$tag$ ... $tag$` starting at `i`. `None` if `i` does not open
/// one (for example `$1`).
fn skip_dollar(b: &[u8], i: usize) -> Option<usize> {
    let n = b.len();
    let mut j = i + 1;
    if j < n && (b[j].is_ascii_alphabetic() || b[j] == b'_' || b[j] >= 0x80) {
        while j < n && is_ident_byte(b[j]) {
            j += 1;
        }
    }
    if j >= n || b[j] != b'$' {
        return None;
    }
    let tag = &b[i..=j];
    let mut k = j + 1;
    while k + tag.len() <= n {
        if b[k] == b'$' && &b[k..k + tag.len()] == tag {
            return Some(k + tag.len());
        }
        k += 1;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmts(src: &str, d: Dialect) -> Vec<String> {
        split(src, d, &Limits::default())
            .unwrap()
            .into_iter()
            .filter(|p| p.kind == PieceKind::Statement)
            .map(|p| p.text)
            .collect()
    }

    #[test]
    fn splits_on_semicolons_outside_quotes_and_comments() {
        let s = stmts(
            "select ';' as a; -- x;y\nselect \"a;b\" /* c; */ from t;select 1",
            Dialect::Postgres,
        );
        assert_eq!(
            s,
            vec![
                "select ';' as a",
                "select \"a;b\" /* c; */ from t",
                "select 1"
            ]
        );
    }

    #[test]
    fn dollar_quotes_and_placeholders() {
        let s = stmts(
            "create function f() returns int as $body$ begin; return 1; end $body$ language plpgsql; select $1;",
            Dialect::Postgres,
        );
        assert_eq!(s.len(), 2);
        assert!(s[0].ends_with("plpgsql"));
    }

    #[test]
    fn psql_meta_and_copy_data() {
        let src = "\\c mydb\nCOPY t (a) FROM stdin;\n1\n2;3\n\\.\nselect 1;";
        let p = split(src, Dialect::Postgres, &Limits::default()).unwrap();
        let kinds: Vec<_> = p.iter().map(|p| p.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                PieceKind::PsqlMeta,
                PieceKind::Statement,
                PieceKind::CopyData,
                PieceKind::Statement
            ]
        );
        assert_eq!(p[3].text, "select 1");
        assert_eq!(p[3].start.line, 6);
    }

    #[test]
    fn mysql_delimiter_and_executable_comments() {
        let src = "DELIMITER ;;\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END;;\nDELIMITER ;\n/*!40101 SET NAMES utf8 */;\nselect 'it\\'s';";
        let s = stmts(src, Dialect::Mysql);
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s[0].ends_with("END"));
        assert_eq!(s[1].trim(), "SET NAMES utf8");
    }

    #[test]
    fn sqlite_trigger_body() {
        let src = "CREATE TRIGGER tr AFTER UPDATE ON a BEGIN UPDATE b SET x = CASE WHEN 1 THEN 2 END; DELETE FROM c; END; select 1;";
        let s = stmts(src, Dialect::Sqlite);
        assert_eq!(s.len(), 2, "{s:?}");
    }

    #[test]
    fn unterminated_string_runs_to_end() {
        let s = stmts("select 1; select 'abc", Dialect::Postgres);
        assert_eq!(s, vec!["select 1", "select 'abc"]);
    }

    #[test]
    fn depth_limit_is_reported() {
        let deep = format!("select {}1{}", "(".repeat(300), ")".repeat(300));
        let err = split(&deep, Dialect::Postgres, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("max_depth"), "{err}");
    }

    #[test]
    fn line_index_counts_characters() {
        let li = LineIndex::new("aé\nxyz");
        assert_eq!(li.at(3), LineCol { line: 1, column: 3 });
        assert_eq!(li.at(5), LineCol { line: 2, column: 2 });
    }
}

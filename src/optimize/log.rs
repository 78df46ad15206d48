//! Query logs: plain SQL, `pg_stat_statements` exports (CSV or JSON with calls and mean time)
//! and the MySQL/MariaDB slow query log; statement fingerprints (literals replaced by `?`, IN
//! lists collapsed) and N+1 detection (one shape repeated with different literals) with the
//! batched rewrite and the calls it saves.

use crate::error::KdError;
use crate::findings::{Finding, Fix, Span};
use crate::limits::Limits;
use crate::sql::{Dialect, DialectChoice};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sqlparser::ast::{self, Expr, Statement, Value, VisitMut, VisitorMut};
use std::collections::BTreeMap;
use std::ops::ControlFlow;

// Log formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    // SQL statements, `;`-separated or one per line.
    Plain,
    // `pg_stat_statements` exported as CSV with a header (query, calls, mean_exec_time ...).
    #[serde(alias = "pg_stat_statements_csv", alias = "csv")]
    PgssCsv,
    // `pg_stat_statements` rows as a JSON array (or JSON lines).
    #[serde(alias = "pg_stat_statements_json", alias = "json")]
    PgssJson,
    // MySQL/MariaDB slow query log.
    #[serde(alias = "slow", alias = "slowlog")]
    MysqlSlow,
}

/// One statement of the log.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogEntry {
    pub sql: String,
    /// 1-based line where it starts.
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_ms: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct ParsedLog {
    pub format: LogFormat,
    pub entries: Vec<LogEntry>,
}

/// An N+1 group.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NPlusOne {
    /// The statement shape, literals as `?`.
    pub fingerprint: String,
    /// Statements of this shape in the log (or calls in a pg_stat_statements export).
    pub calls: f64,
    /// Different literal sets seen.
    pub distinct_values: usize,
    /// The varying column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Lines of the first occurrences.
    pub lines: Vec<usize>,
    /// The one batched statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batched: Option<String>,
    /// The batched statement with one array parameter (PostgreSQL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batched_param: Option<String>,
    /// With a schema: the parent rows and their children in one query (PostgreSQL json_agg).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batched_join: Option<String>,
    /// Calls saved by running the batched statement instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls_saved: Option<f64>,
    /// pg_stat_statements: the statement shape that drives the loop (it reads the table the
    /// filter column references), with its calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_calls: Option<f64>,
    /// Calls of this shape per call of the parent shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_parent_call: Option<f64>,
    /// How the parent and calls_saved were derived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derivation: Option<String>,
    /// Total time of the group, when the log has times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_ms: Option<f64>,
    pub finding: Finding,
}

/// Read a log; the format is detected when not given.
pub fn parse(text: &str, format: Option<LogFormat>, limits: &Limits) -> Result<ParsedLog, KdError> {
    limits.check_bytes(text.len())?;
    let format = format.unwrap_or_else(|| detect(text));
    let entries = match format {
        LogFormat::Plain => plain(text),
        LogFormat::PgssCsv => pgss_csv(text)?,
        LogFormat::PgssJson => pgss_json(text)?,
        LogFormat::MysqlSlow => mysql_slow(text),
    };
    limits.check_statements(entries.len())?;
    Ok(ParsedLog { format, entries })
}

/// Guess the format from the first lines.
pub fn detect(text: &str) -> LogFormat {
    let t = text.trim_start();
    let first = t.lines().next().unwrap_or("").to_ascii_lowercase();
    if t.starts_with('[') || t.starts_with('{') {
        LogFormat::PgssJson
    } else if t.contains("# Query_time:") || t.contains("# User@Host:") {
        LogFormat::MysqlSlow
    } else if first.contains("query") && first.contains("calls") && first.contains(',') {
        LogFormat::PgssCsv
    } else {
        LogFormat::Plain
    }
}

fn plain(text: &str) -> Vec<LogEntry> {
    let has_semicolon = text.contains(';');
    let mut out = Vec::new();
    if !has_semicolon {
        for (i, l) in text.lines().enumerate() {
            let s = l.trim();
            if !s.is_empty() && !s.starts_with("--") {
                out.push(LogEntry {
                    sql: s.to_string(),
                    line: i + 1,
                    calls: None,
                    mean_ms: None,
                });
            }
        }
        return out;
    }
    let mut cur = String::new();
    let mut start = 0usize;
    let mut quote: Option<char> = None;
    for (i, line) in text.lines().enumerate() {
        if cur.trim().is_empty() {
            cur.clear();
            start = i + 1;
            if line.trim_start().starts_with("--") {
                continue;
            }
        }
        for ch in line.chars() {
            match quote {
                Some(q) if ch == q => quote = None,
                Some(_) => {}
                None if ch == '\'' || ch == '"' || ch == '`' => quote = Some(ch),
                None if ch == ';' => {
                    if !cur.trim().is_empty() {
                        out.push(LogEntry {
                            sql: cur.trim().to_string(),
                            line: start,
                            calls: None,
                            mean_ms: None,
                        });
                    }
                    cur.clear();
                    start = i + 1;
                    continue;
                }
                None => {}
            }
            cur.push(ch);
        }
        cur.push('\n');
    }
    if !cur.trim().is_empty() {
        out.push(LogEntry {
            sql: cur.trim().to_string(),
            line: start,
            calls: None,
            mean_ms: None,
        });
    }
    out
}

/// RFC 4180 CSV: quoted fields with doubled quotes and embedded newlines.
fn csv_rows(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut in_q = false;
    let mut line = 1usize;
    let mut row_line = 1usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_q {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    in_q = false;
                }
            } else {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => in_q = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut row)));
                line += 1;
                row_line = line;
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    rows
}

fn pgss_csv(text: &str) -> Result<Vec<LogEntry>, KdError> {
    let rows = csv_rows(text);
    let Some((_, header)) = rows.first() else {
        return Ok(Vec::new());
    };
    let h: Vec<String> = header
        .iter()
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    let col = |names: &[&str]| h.iter().position(|x| names.contains(&x.as_str()));
    let q = col(&["query"]).ok_or_else(|| {
        KdError::invalid("the pg_stat_statements CSV has no `query` column; export it with `\\copy (SELECT query, calls, mean_exec_time, total_exec_time FROM pg_stat_statements) TO 'pgss.csv' CSV HEADER`")
    })?;
    let calls = col(&["calls"]);
    let mean = col(&["mean_exec_time", "mean_time", "mean_ms"]);
    let total = col(&["total_exec_time", "total_time"]);
    let mut out = Vec::new();
    for (line, r) in rows.iter().skip(1) {
        let Some(sql) = r.get(q) else { continue };
        if sql.trim().is_empty() {
            continue;
        }
        let num = |i: Option<usize>| {
            i.and_then(|i| r.get(i))
                .and_then(|s| s.trim().parse::<f64>().ok())
        };
        let c = num(calls);
        let m = num(mean).or_else(|| match (num(total), c) {
            (Some(t), Some(c)) if c > 0.0 => Some(t / c),
            _ => None,
        });
        out.push(LogEntry {
            sql: sql.clone(),
            line: *line,
            calls: c,
            mean_ms: m,
        });
    }
    Ok(out)
}

fn pgss_json(text: &str) -> Result<Vec<LogEntry>, KdError> {
    let t = text.trim();
    let values: Vec<serde_json::Value> = if t.starts_with('[') {
        serde_json::from_str(t).map_err(|e| KdError::invalid(format!("the pg_stat_statements JSON does not parse: {e}; expected an array of objects with query, calls, mean_exec_time")))?
    } else {
        let mut v = Vec::new();
        for (i, l) in t.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            let x: serde_json::Value = serde_json::from_str(l).map_err(|e| {
                KdError::invalid(format!(
                    "line {} of the JSON-lines log does not parse: {e}",
                    i + 1
                ))
            })?;
            match x {
                serde_json::Value::Object(ref o) if o.contains_key("rows") => {
                    if let Some(serde_json::Value::Array(a)) = o.get("rows") {
                        v.extend(a.iter().cloned());
                    }
                }
                x => v.push(x),
            }
        }
        v
    };
    let num = |o: &serde_json::Map<String, serde_json::Value>, ks: &[&str]| {
        ks.iter().find_map(|k| {
            o.get(*k).and_then(|v| {
                v.as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
        })
    };
    let mut out = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let Some(o) = v.as_object() else { continue };
        let Some(sql) = o.get("query").and_then(|q| q.as_str()) else {
            continue;
        };
        let calls = num(o, &["calls"]);
        let mean = num(o, &["mean_exec_time", "mean_time", "mean_ms"]).or_else(|| {
            match (num(o, &["total_exec_time", "total_time"]), calls) {
                (Some(t), Some(c)) if c > 0.0 => Some(t / c),
                _ => None,
            }
        });
        out.push(LogEntry {
            sql: sql.to_string(),
            line: i + 1,
            calls,
            mean_ms: mean,
        });
    }
    Ok(out)
}

fn mysql_slow(text: &str) -> Vec<LogEntry> {
    let mut out = Vec::new();
    let mut qtime: Option<f64> = None;
    let mut cur = String::new();
    let mut start = 0usize;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim_end();
        if let Some(rest) = l.strip_prefix("# Query_time:") {
            qtime = rest
                .split_whitespace()
                .next()
                .and_then(|s| s.parse::<f64>().ok());
            continue;
        }
        if l.starts_with('#')
            || l.starts_with("/usr/")
            || l.starts_with("Tcp port")
            || l.starts_with("Time ")
            || l.contains(", Version: ")
        {
            continue;
        }
        let lower = l.trim_start().to_ascii_lowercase();
        if cur.is_empty()
            && (lower.starts_with("set timestamp=")
                || lower.starts_with("use ")
                || lower.starts_with("set insert_id")
                || lower.starts_with("set last_insert_id"))
        {
            continue;
        }
        if l.trim().is_empty() && cur.is_empty() {
            continue;
        }
        if cur.is_empty() {
            start = i + 1;
        }
        cur.push_str(l);
        cur.push('\n');
        if l.trim_end().ends_with(';') {
            out.push(LogEntry {
                sql: cur.trim().trim_end_matches(';').to_string(),
                line: start,
                calls: Some(1.0),
                mean_ms: qtime.map(|s| s * 1000.0),
            });
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(LogEntry {
            sql: cur.trim().to_string(),
            line: start,
            calls: Some(1.0),
            mean_ms: qtime.map(|s| s * 1000.0),
        });
    }
    out
}

/// Replace literals by `?`, collapse IN lists; returns the literals in order.
struct Normalise {
    values: Vec<String>,
}

impl VisitorMut for Normalise {
    type Break = ();
    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        if let Expr::In {
            target: ast::InTarget::List(list),
            ..
        } = e
            && list.len() > 1
        {
            let joined: Vec<String> = list.iter().map(|x| x.to_string()).collect();
            self.values.push(format!("({})", joined.join(", ")));
            list.truncate(1);
            list[0] = Expr::value(Value::Placeholder("?".into()));
        }
        ControlFlow::Continue(())
    }
    fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        if let Expr::Value(v) = e {
            match &v.value {
                Value::Null | Value::Boolean(_) => {}
                Value::Placeholder(p) if p == "?" => {}
                other => {
                    self.values.push(other.to_string());
                    v.value = Value::Placeholder("?".into());
                }
            }
        }
        ControlFlow::Continue(())
    }
}

/// The fingerprint of one statement and its literals.
pub fn fingerprint(stmt: &Statement) -> (String, Vec<String>) {
    let mut s = stmt.clone();
    let mut n = Normalise { values: Vec::new() };
    let _ = s.visit(&mut n);
    (s.to_string(), n.values)
}

fn parse_one(sql: &str, d: Dialect) -> Option<Statement> {
    let pd = d.parser_dialect();
    let mut v = sqlparser::parser::Parser::parse_sql(&*pd, sql).ok()?;
    (v.len() == 1).then(|| v.remove(0))
}

/// Minimum repeats of one shape with different literals to call it N+1.
pub const MIN_REPEATS: usize = 3;
/// pg_stat_statements: a parameterised single-row lookup called this often is an N+1 suspect.
pub const PGSS_MIN_CALLS: f64 = 1000.0;

/// Find N+1 groups in a log.
pub fn n_plus_one(
    log: &ParsedLog,
    d: Dialect,
    cat: Option<&crate::catalog::Catalog>,
) -> Vec<NPlusOne> {
    struct G {
        count: usize,
        calls: f64,
        values: Vec<Vec<String>>,
        lines: Vec<usize>,
        first: Statement,
        total_ms: Option<f64>,
    }
    let mut groups: BTreeMap<String, G> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for e in &log.entries {
        let Some(st) = parse_one(&e.sql, d) else {
            continue;
        };
        if !matches!(st, Statement::Query(_)) {
            continue;
        }
        let (fp, vals) = fingerprint(&st);
        let g = groups.entry(fp.clone()).or_insert_with(|| {
            order.push(fp.clone());
            G {
                count: 0,
                calls: 0.0,
                values: Vec::new(),
                lines: Vec::new(),
                first: st.clone(),
                total_ms: None,
            }
        });
        g.count += 1;
        let calls = e.calls.unwrap_or(1.0);
        g.calls += calls;
        if let Some(m) = e.mean_ms {
            *g.total_ms.get_or_insert(0.0) += m * calls;
        }
        if !g.values.contains(&vals) {
            g.values.push(vals);
        }
        if g.lines.len() < 5 {
            g.lines.push(e.line);
        }
    }
    let mut out = Vec::new();
    let pgss = matches!(log.format, LogFormat::PgssCsv | LogFormat::PgssJson);
    let groups_calls =
        |groups: &BTreeMap<String, G>, except: &str| -> Vec<(String, Statement, f64)> {
            order
                .iter()
                .filter(|f| f.as_str() != except)
                .map(|f| (f.clone(), groups[f].first.clone(), groups[f].calls))
                .collect()
        };
    for fp in order.clone() {
        let g = &groups[&fp];
        let literal_repeats = g.values.len() >= MIN_REPEATS && g.count >= MIN_REPEATS;
        let param_lookup = pgss && g.calls >= PGSS_MIN_CALLS && has_param_equality(&g.first);
        if !literal_repeats && !param_lookup {
            continue;
        }
        // The varying position: the literal index whose values differ.
        let varying: Option<usize> = (0..g.values[0].len()).find(|&i| {
            let first = g.values[0].get(i);
            g.values.iter().any(|v| v.get(i) != first)
        });
        let (column, batched, batched_param) = match varying {
            Some(i) if literal_repeats => batch(&g.first, i, &g.values, d),
            _ if param_lookup => batch_param(&g.first, d),
            _ => (None, None, None),
        };
        let driver = if literal_repeats {
            None
        } else {
            column
                .as_deref()
                .and_then(|c| parent_shape(&g.first, c, g.calls, &groups_calls(&groups, &fp), cat))
        };
        let calls_saved = if literal_repeats {
            Some(g.count as f64 - 1.0)
        } else {
            driver.as_ref().map(|p| g.calls - p.calls)
        };
        let d_ = &crate::rules::qry::N_PLUS_ONE;
        let mut f = d_.finding(
            if literal_repeats {
                format!(
                    "the same query ran {} times with {} different values{}: an N+1 loop",
                    g.count,
                    g.values.len(),
                    column.as_ref().map(|c| format!(" of {c}")).unwrap_or_default()
                )
            } else {
                format!(
                    "a parameterised lookup was called {} times{}{}",
                    g.calls,
                    g.total_ms.map(|t| format!(" ({:.0} ms in total)", t)).unwrap_or_default(),
                    match &driver {
                        Some(p) => format!(
                            ": {:.1} calls per call of `{}` ({} calls), an N+1 loop; batching saves {} calls",
                            g.calls / p.calls,
                            p.fingerprint,
                            p.calls,
                            g.calls - p.calls
                        ),
                        None => ": likely an N+1 loop".to_string(),
                    }
                )
            },
            Some(Span::new(Some("<log>"), crate::findings::LineCol { line: g.lines[0] as u64, column: 1 }, crate::findings::LineCol { line: g.lines[0] as u64, column: 1 })),
            "Fetch all the values in one statement (= ANY / IN, or one JOIN with json_agg for the parent rows), then group in the application; in an ORM use select_related / prefetch_related, joinedload / selectinload, include or with.",
        );
        if let Some(b) = &batched {
            f.fix = Some(Fix {
                title: "One batched query".into(),
                sql: b.clone(),
            });
        } else if let Some(b) = &batched_param {
            f.fix = Some(Fix {
                title: "One batched query".into(),
                sql: b.clone(),
            });
        }
        let batched_join = if d == Dialect::Postgres {
            column
                .as_deref()
                .and_then(|c| json_agg_join(&g.first, c, cat))
        } else {
            None
        };
        out.push(NPlusOne {
            batched_join,
            fingerprint: fp.clone(),
            calls: g.calls,
            distinct_values: g.values.len(),
            column,
            lines: g.lines.clone(),
            batched,
            batched_param,
            calls_saved,
            parent: driver.as_ref().map(|p| p.fingerprint.clone()),
            parent_calls: driver.as_ref().map(|p| p.calls),
            per_parent_call: driver.as_ref().map(|p| g.calls / p.calls),
            derivation: driver.map(|p| p.derivation),
            total_ms: g.total_ms,
            finding: f,
        });
    }
    out
}

/// The statement shape that drives an N+1 loop in a pg_stat_statements export.
struct Driver {
    fingerprint: String,
    calls: f64,
    derivation: String,
}

/// Tables a statement reads (last name part, lower case).
fn relations(s: &Statement) -> Vec<String> {
    let mut v = Vec::new();
    let _ = ast::visit_relations(s, |n| {
        let name = crate::query::object_name(n);
        let bare = name.rsplit('.').next().unwrap_or_default().to_lowercase();
        if !v.contains(&bare) {
            v.push(bare);
        }
        ControlFlow::<()>::Continue(())
    });
    v
}

/// The parent of a child lookup `SELECT ... FROM child WHERE col = $1` called `calls` times: the
/// table `col` references (a foreign key of the schema; without a schema, the name `<parent>_id`),
/// and among the other shapes of the export that read that table, the one called most often but
/// fewer times than the child. Its calls are the loops; the batched form runs once per loop.
fn parent_shape(
    child: &Statement,
    column: &str,
    calls: f64,
    others: &[(String, Statement, f64)],
    cat: Option<&crate::catalog::Catalog>,
) -> Option<Driver> {
    let rels = relations(child);
    let [child_table] = rels.as_slice() else {
        return None;
    };
    let col = column.rsplit('.').next()?.trim_matches('"').to_lowercase();
    let (parents, how): (Vec<String>, String) = match cat {
        Some(cat) => {
            let t = cat.find_table(child_table)?;
            let fk = t
                .foreign_keys
                .iter()
                .find(|fk| fk.columns.len() == 1 && fk.columns[0].eq_ignore_ascii_case(&col))?;
            let p = fk.ref_table.name.to_lowercase();
            let how = format!(
                "{child_table}.{col} references {p}({}) (foreign key {} of the schema)",
                fk.ref_columns.join(", "),
                if fk.name.is_empty() {
                    "without a name"
                } else {
                    &fk.name
                }
            );
            (vec![p], how)
        }
        None => {
            let stem = col.strip_suffix("_id")?;
            if stem.is_empty() {
                return None;
            }
            let mut names = vec![stem.to_string(), format!("{stem}s")];
            if ["s", "x", "z", "ch", "sh"]
                .iter()
                .any(|e| stem.ends_with(e))
            {
                names.push(format!("{stem}es"));
            }
            if let Some(y) = stem.strip_suffix('y') {
                names.push(format!("{y}ies"));
            }
            let how = format!(
                "no schema given: {child_table}.{col} is taken to reference the table named after it ({})",
                names.join(" / ")
            );
            (names, how)
        }
    };
    let (fp, _, pcalls) = others
        .iter()
        .filter(|(_, s, c)| {
            *c > 0.0 && *c < calls && relations(s).iter().any(|r| parents.contains(r))
        })
        .max_by(|a, b| a.2.total_cmp(&b.2))?;
    Some(Driver {
        fingerprint: fp.clone(),
        calls: *pcalls,
        derivation: format!(
            "{how}; `{fp}` reads it and ran {pcalls} times, this lookup {calls} times: {:.2} lookups per call. Batched with = ANY($1) once per parent call, it runs {pcalls} times instead of {calls}: {} calls saved.",
            calls / pcalls,
            calls - pcalls
        ),
    })
}

/// `SELECT ... FROM child WHERE fk = ?` → the parents with their children as one JSON array.
fn json_agg_join(
    first: &Statement,
    column: &str,
    cat: Option<&crate::catalog::Catalog>,
) -> Option<String> {
    let cat = cat?;
    let Statement::Query(q) = first else {
        return None;
    };
    let ast::SetExpr::Select(sel) = q.body.as_ref() else {
        return None;
    };
    if sel.from.len() != 1 || !sel.from[0].joins.is_empty() {
        return None;
    }
    let ast::TableFactor::Table { name, .. } = &sel.from[0].relation else {
        return None;
    };
    let child = cat.find_table(&crate::query::object_name(name).to_lowercase())?;
    let col = column.rsplit('.').next()?.to_lowercase();
    let fk = child
        .foreign_keys
        .iter()
        .find(|fk| fk.columns.len() == 1 && fk.columns[0].eq_ignore_ascii_case(&col))?;
    let parent = cat.table(&fk.ref_table)?;
    let pk = &fk.ref_columns[0];
    let is_pk = parent
        .primary_key
        .as_ref()
        .is_some_and(|k| k.columns.len() == 1 && k.columns[0].eq_ignore_ascii_case(pk));
    if !is_pk {
        return None;
    }
    Some(format!(
        "SELECT p.*, COALESCE(json_agg(c ORDER BY c.{cpk}) FILTER (WHERE c.{col} IS NOT NULL), '[]') AS {child_name} FROM {pt} AS p LEFT JOIN {ct} AS c ON c.{col} = p.{pk} WHERE p.{pk} = ANY($1) GROUP BY p.{pk}",
        cpk = child
            .primary_key
            .as_ref()
            .and_then(|k| k.columns.first())
            .cloned()
            .unwrap_or_else(|| col.clone()),
        child_name = child.name.name,
        pt = parent.name,
        ct = child.name,
    ))
}

fn has_param_equality(s: &Statement) -> bool {
    let mut yes = false;
    let _ = ast::visit_expressions(s, |e| {
        if let Expr::BinaryOp {
            op: ast::BinaryOperator::Eq,
            right,
            left,
        } = e
            && [left, right].iter().any(
                |x| matches!(&***x, Expr::Value(v) if matches!(v.value, Value::Placeholder(_))),
            )
        {
            yes = true;
        }
        ControlFlow::<()>::Continue(())
    });
    yes
}

/// Rewrite `col = <literal #i>` into `col IN (all values)` / `col = ANY(ARRAY[...])`.
fn batch(
    first: &Statement,
    i: usize,
    values: &[Vec<String>],
    d: Dialect,
) -> (Option<String>, Option<String>, Option<String>) {
    // Locate the i-th literal again by normalising in the same order and stopping there.
    let mut s = first.clone();
    let mut n = Normalise { values: Vec::new() };
    let _ = s.visit(&mut n);
    // Find `col = ?` occurrences in order of their literal position.
    let mut k = 0usize;
    let mut column = None;
    let vals: Vec<String> = values.iter().filter_map(|v| v.get(i).cloned()).collect();
    let list = vals.join(", ");
    let mut any_form = None;
    let mut in_form = None;
    let mut s_any = first.clone();
    let mut s_in = first.clone();
    let mut s_param = first.clone();
    // Walk the original statement's comparisons; count literals in post-order like Normalise.
    struct Find {
        target: usize,
        seen: usize,
        col: Option<Expr>,
    }
    impl ast::Visitor for Find {
        type Break = ();
        fn post_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            if let Expr::Value(v) = e
                && !matches!(v.value, Value::Null | Value::Boolean(_))
                && !matches!(&v.value, Value::Placeholder(p) if p == "?")
            {
                self.seen += 1;
            }
            if let Expr::BinaryOp {
                left,
                op: ast::BinaryOperator::Eq,
                right,
            } = e
                && matches!(&**right, Expr::Value(_))
                && self.seen == self.target + 1
                && self.col.is_none()
            {
                self.col = Some((**left).clone());
            }
            ControlFlow::Continue(())
        }
    }
    let mut f = Find {
        target: i,
        seen: 0,
        col: None,
    };
    let _ = ast::Visit::visit(first, &mut f);
    let _ = (&mut k, &s);
    if let Some(col) = f.col {
        column = Some(col.to_string());
        let target_val = values[0].get(i).cloned().unwrap_or_default();
        let repl = |st: &mut Statement, new: &str| -> bool {
            let Some(ne) = super::rewrite::parse_expr(new, d) else {
                return false;
            };
            let mut done = false;
            let _ = ast::visit_expressions_mut(st, |e| {
                if !done
                    && let Expr::BinaryOp {
                        left,
                        op: ast::BinaryOperator::Eq,
                        right,
                    } = e
                    && **left == col
                    && matches!(&**right, Expr::Value(v) if v.value.to_string() == target_val)
                {
                    *e = ne.clone();
                    done = true;
                }
                ControlFlow::<()>::Continue(())
            });
            done
        };
        if repl(&mut s_in, &format!("{col} IN ({list})")) {
            in_form = Some(s_in.to_string());
        }
        if d == Dialect::Postgres {
            if repl(&mut s_any, &format!("{col} = ANY(ARRAY[{list}])")) {
                any_form = Some(s_any.to_string());
            }
            if repl(&mut s_param, &format!("{col} = ANY($1)")) {
                return (column, any_form.or(in_form), Some(s_param.to_string()));
            }
        }
    }
    let _ = n;
    (column, any_form.or(in_form), None)
}

fn batch_param(first: &Statement, d: Dialect) -> (Option<String>, Option<String>, Option<String>) {
    let mut s = first.clone();
    let mut column = None;
    let _ = ast::visit_expressions_mut(&mut s, |e| {
        if column.is_none()
            && let Expr::BinaryOp {
                left,
                op: ast::BinaryOperator::Eq,
                right,
            } = e
            && let Expr::Value(v) = &**right
            && let Value::Placeholder(p) = &v.value
        {
            column = Some(left.to_string());
            if let Some(ne) = super::rewrite::parse_expr(&format!("{left} = ANY({p})"), d) {
                *e = ne;
            }
        }
        ControlFlow::<()>::Continue(())
    });
    let sql = column.as_ref().map(|_| s.to_string());
    (column, None, sql)
}

/// Parse the log with a fixed dialect for callers outside `optimize` (tests, benches).
pub fn dialect_choice(d: Dialect) -> DialectChoice {
    match d {
        Dialect::Postgres => DialectChoice::Postgres,
        Dialect::Mysql => DialectChoice::Mysql,
        Dialect::Sqlite => DialectChoice::Sqlite,
        Dialect::Generic => DialectChoice::Generic,
    }
}

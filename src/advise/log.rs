//! Workload logs: plain SQL (a file of statements, or server log lines with `statement:` /
//! `execute <name>:` prefixes), and `pg_stat_statements` exports as CSV (with a header line) or
//! JSON (an array of objects with `query` and `calls`). Identical statements are merged and their
//! calls added up.

use crate::error::KdError;

/// One workload entry before parsing: text and how often it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub sql: String,
    pub calls: f64,
}

/// What kind of log the text was read as.
pub fn read_log(text: &str) -> Result<(Vec<Entry>, &'static str), KdError> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('[') || (t.starts_with('{') && !t.contains("\n{")) {
        return read_json(t).map(|e| (e, "pg_stat_statements JSON"));
    }
    let first = t.lines().next().unwrap_or("");
    let header = split_csv_record(first);
    if header
        .iter()
        .any(|h| h.trim().trim_matches('"').eq_ignore_ascii_case("query"))
        && first.contains(',')
    {
        return read_csv(t).map(|e| (e, "pg_stat_statements CSV"));
    }
    if t.contains("# Query_time:") {
        return Ok((read_slow(t), "MySQL slow log"));
    }
    Ok((read_plain(t), "SQL log"))
}

/// MySQL/MariaDB slow query log: `# Time:` / `# User@Host:` / `# Query_time:` comment lines,
/// `SET timestamp=...;` and `use db;` lines, then the statement. The server's header lines
/// before the first entry are skipped.
fn read_slow(t: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut started = false;
    for line in t.lines() {
        let l = line.trim_start();
        if l.starts_with("# ") || l.starts_with("#\t") {
            started = true;
            if !cur.trim().is_empty() {
                out.push(Entry {
                    sql: std::mem::take(&mut cur),
                    calls: 1.0,
                });
            }
            cur.clear();
            continue;
        }
        let lower = l.to_ascii_lowercase();
        if !started || lower.starts_with("set timestamp=") || lower.starts_with("use ") {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
    }
    if !cur.trim().is_empty() {
        out.push(Entry {
            sql: cur,
            calls: 1.0,
        });
    }
    merge(out)
}

fn merge(entries: Vec<Entry>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut pos = std::collections::HashMap::new();
    for e in entries {
        let key = e.sql.split_whitespace().collect::<Vec<_>>().join(" ");
        let key = key.trim_end_matches(';').trim().to_string();
        if key.is_empty() {
            continue;
        }
        match pos.get(&key) {
            Some(&i) => {
                let x: &mut Entry = &mut out[i];
                x.calls += e.calls;
            }
            None => {
                pos.insert(key, out.len());
                out.push(e);
            }
        }
    }
    out
}

fn number(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn read_json(t: &str) -> Result<Vec<Entry>, KdError> {
    let v: serde_json::Value = serde_json::from_str(t).map_err(|e| {
        KdError::invalid(format!(
            "the workload log looks like JSON but does not parse: {e}; give an array of {{\"query\": \"...\", \"calls\": N}} objects (pg_stat_statements exported with json_agg)"
        ))
    })?;
    let rows = match &v {
        serde_json::Value::Array(a) => a.clone(),
        serde_json::Value::Object(o) => match o.get("queries").or_else(|| o.get("rows")) {
            Some(serde_json::Value::Array(a)) => a.clone(),
            _ => vec![v.clone()],
        },
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let Some(q) = r
            .get("query")
            .or_else(|| r.get("sql"))
            .and_then(|q| q.as_str())
        else {
            return Err(KdError::invalid(format!(
                "workload JSON entry {} has no \"query\" string; each entry needs \"query\" and optionally \"calls\"",
                i + 1
            )));
        };
        let calls = r.get("calls").and_then(number).unwrap_or(1.0);
        out.push(Entry {
            sql: q.to_string(),
            calls: calls.max(0.0),
        });
    }
    Ok(merge(out))
}

/// RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines.
fn csv_records(t: &str) -> Vec<Vec<String>> {
    let mut recs = Vec::new();
    let mut rec = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => rec.push(std::mem::take(&mut field)),
                '\n' => {
                    rec.push(std::mem::take(&mut field));
                    recs.push(std::mem::take(&mut rec));
                }
                '\r' => {}
                _ => field.push(c),
            }
        }
    }
    if !field.is_empty() || !rec.is_empty() {
        rec.push(field);
        recs.push(rec);
    }
    recs
}

fn split_csv_record(line: &str) -> Vec<String> {
    csv_records(line).into_iter().next().unwrap_or_default()
}

fn read_csv(t: &str) -> Result<Vec<Entry>, KdError> {
    let recs = csv_records(t);
    let Some(header) = recs.first() else {
        return Ok(Vec::new());
    };
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let q = col("query").ok_or_else(|| KdError::invalid("the CSV has no `query` column"))?;
    let calls = col("calls");
    let mut out = Vec::new();
    for (i, r) in recs.iter().enumerate().skip(1) {
        if r.len() == 1 && r[0].trim().is_empty() {
            continue;
        }
        let Some(sql) = r.get(q) else {
            return Err(KdError::invalid(format!(
                "CSV record {} has {} fields but `query` is field {}; quote fields that contain commas or newlines",
                i + 1,
                r.len(),
                q + 1
            )));
        };
        let n = calls
            .and_then(|c| r.get(c))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(1.0);
        out.push(Entry {
            sql: sql.clone(),
            calls: n.max(0.0),
        });
    }
    Ok(merge(out))
}

/// Plain SQL: server log prefixes are dropped; statements are split by the SQL splitter later,
/// so here lines are only grouped into statements ending with `;` or a new log line.
fn read_plain(t: &str) -> Vec<Entry> {
    let markers = ["statement: ", "execute ", "Query\t", "Query "];
    let is_log = t
        .lines()
        .any(|l| l.contains("LOG:") || l.contains("statement: ") || l.contains("\tQuery\t"));
    if !is_log {
        return vec![Entry {
            sql: t.to_string(),
            calls: 1.0,
        }];
    }
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in t.lines() {
        let found = markers.iter().find_map(|m| {
            line.find(m).map(|i| {
                let rest = &line[i + m.len()..];
                if *m == "execute " {
                    rest.split_once(": ").map(|x| x.1).unwrap_or(rest)
                } else {
                    rest
                }
            })
        });
        if let Some(sql) = found {
            if let Some(c) = cur.take() {
                out.push(Entry { sql: c, calls: 1.0 });
            }
            cur = Some(sql.to_string());
        } else if line.contains("LOG:") || line.contains("DETAIL:") || line.contains("ERROR:") {
            if let Some(c) = cur.take() {
                out.push(Entry { sql: c, calls: 1.0 });
            }
        } else if let Some(c) = cur.as_mut() {
            c.push('\n');
            c.push_str(line);
        }
    }
    if let Some(c) = cur {
        out.push(Entry { sql: c, calls: 1.0 });
    }
    merge(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_quoted_newlines_and_calls() {
        let t = "userid,dbid,query,calls,mean_exec_time\n10,5,\"select * from t\nwhere a = $1\",120,0.5\n10,5,\"select 1, 2\",3,0.1\n";
        let (e, kind) = read_log(t).unwrap();
        assert_eq!(kind, "pg_stat_statements CSV");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].calls, 120.0);
        assert!(e[0].sql.contains("where a = $1"));
        assert_eq!(e[1].sql, "select 1, 2");
    }

    #[test]
    fn json_array() {
        let (e, kind) =
            read_log(r#"[{"query":"select 1","calls":"7"},{"query":"select 1","calls":3}]"#)
                .unwrap();
        assert_eq!(kind, "pg_stat_statements JSON");
        assert_eq!(
            e,
            vec![Entry {
                sql: "select 1".into(),
                calls: 10.0
            }]
        );
        assert!(read_log(r#"[{"calls":1}]"#).is_err());
    }

    #[test]
    fn mysql_slow_log() {
        let t = "/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-log. started with:\nTcp port: 3306\nTime Id Command Argument\n# Time: 241124 10:00:00\n# User@Host: app[app] @ localhost []\n# Query_time: 2.5  Lock_time: 0.0\nSET timestamp=1732442400;\nSELECT id FROM posts\n WHERE author_id = 17;\n# Time: 241124 10:00:01\n# Query_time: 2.4\nuse shop;\nSET timestamp=1732442401;\nSELECT id FROM posts\n WHERE author_id = 17;\n";
        let (e, kind) = read_log(t).unwrap();
        assert_eq!(kind, "MySQL slow log");
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].calls, 2.0);
        assert!(e[0].sql.contains("author_id = 17"));
    }

    #[test]
    fn server_log_lines_are_counted() {
        let t = "2024-05-01 10:00:00 UTC [1] LOG:  statement: select * from a where id = 1;\n2024-05-01 10:00:01 UTC [1] LOG:  statement: select * from a where id = 1;\n2024-05-01 10:00:02 UTC [1] LOG:  execute S_1: select b from c\n  where d = $1\n";
        let (e, _) = read_log(t).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].calls, 2.0);
        assert!(e[1].sql.contains("where d = $1"));
    }
}

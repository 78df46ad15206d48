//! Validated mode: confirm each recommended index on a live PostgreSQL with HypoPG before it is
//! recommended. For every query an index is meant to serve, `EXPLAIN (FORMAT JSON)` runs without
//! and then with the index created as a hypothetical index (`hypopg_create_index`, visible to
//! this session only, nothing written). An index is kept when at least one of its queries plans
//! with it and gets cheaper.
//!
//! The session is read-only (`default_transaction_read_only`); the `hypopg` extension must
//! already be installed in the database. `psql` runs the script, so no client library is linked.
//! Queries with parameters (`$1`) cannot be planned without values (PostgreSQL 16 adds
//! `GENERIC_PLAN`); indexes that only serve such queries are kept unchecked and say so.

use super::plan::{Selection, Shape};
use super::workload::QueryModel;
use crate::error::KdError;
use crate::sql::Dialect;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

fn psql(url: &str, script: &str) -> Result<String, KdError> {
    let mut child = Command::new("psql")
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=0", "-d", url])
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            KdError::input(format!(
                "validate_url needs the psql client on PATH ({e}); install postgresql-client or remove validate_url"
            ))
        })?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| KdError::Internal("psql stdin".into()))?;
    let text = script.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(text.as_bytes());
    });
    let out = child
        .wait_with_output()
        .map_err(|e| KdError::input(format!("psql failed: {e}")))?;
    let _ = writer.join();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() && stdout.trim().is_empty() {
        return Err(KdError::input(format!(
            "cannot reach PostgreSQL at validate_url: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .next()
                .unwrap_or("")
        )));
    }
    Ok(stdout)
}

/// The statement HypoPG takes: no CONCURRENTLY, no IF NOT EXISTS, no name.
pub fn hypothetical_sql(s: &Shape) -> String {
    plain_sql(&super::ddl::create(Dialect::Postgres, s).0)
}

/// A PostgreSQL CREATE INDEX as emitted, without `CONCURRENTLY IF NOT EXISTS <name>` and `;`.
pub fn plain_sql(create: &str) -> String {
    let marker = "CONCURRENTLY IF NOT EXISTS ";
    let Some(i) = create.find(marker) else {
        return create.trim_end_matches(';').to_string();
    };
    let rest = &create[i + marker.len()..];
    // Skip the (possibly quoted) name.
    let after = if let Some(r) = rest.strip_prefix('"') {
        let mut end = 0;
        let b = r.as_bytes();
        while end < b.len() {
            if b[end] == b'"' {
                if b.get(end + 1) == Some(&b'"') {
                    end += 2;
                    continue;
                }
                break;
            }
            end += 1;
        }
        &r[(end + 1).min(r.len())..]
    } else {
        rest.split_once(' ').map(|x| x.1).unwrap_or("")
    };
    format!("{}{}", &create[..i], after.trim_start())
        .trim_end_matches(';')
        .to_string()
}

fn total_cost(json: &str) -> Option<f64> {
    let v: serde_json::Value = serde_json::from_str(json.trim()).ok()?;
    v.get(0)?.get("Plan")?.get("Total Cost")?.as_f64()
}

/// Per chosen shape: (verdict text, keep?).
pub fn validate(
    url: &str,
    queries: &[QueryModel],
    shapes: &[Shape],
    sel: &Selection,
) -> Result<BTreeMap<usize, (String, bool)>, KdError> {
    let probe = psql(
        url,
        "SELECT count(*) FROM pg_extension WHERE extname = 'hypopg';\n",
    )?;
    if probe.trim() != "1" {
        return Err(KdError::input(
            "validate_url: the hypopg extension is not installed in that database; run CREATE EXTENSION hypopg (package postgresql-<version>-hypopg) or remove validate_url",
        ));
    }
    let mut script = String::from("SET default_transaction_read_only = on;\n");
    let mut plan: Vec<(usize, usize)> = Vec::new();
    let mut unchecked: BTreeMap<usize, usize> = BTreeMap::new();
    for c in &sel.chosen {
        let serves: Vec<usize> = sel
            .after
            .iter()
            .enumerate()
            .filter(|(_, v)| v.iter().any(|a| a.index == Some(c.shape)))
            .map(|(i, _)| i)
            .collect();
        for qi in serves {
            let q = &queries[qi];
            if q.has_params || !q.writes.is_empty() {
                *unchecked.entry(c.shape).or_default() += 1;
                continue;
            }
            let n = plan.len();
            let hyp = hypothetical_sql(&shapes[c.shape]).replace('\'', "''");
            let text = q.text.trim().trim_end_matches(';');
            script.push_str(&format!(
                "SELECT hypopg_reset();\n\\echo @@base {n}\nEXPLAIN (FORMAT JSON) {text};\n\\echo @@hyp {n}\nSELECT indexname FROM hypopg_create_index('{hyp}');\n\\echo @@with {n}\nEXPLAIN (FORMAT JSON) {text};\n"
            ));
            plan.push((c.shape, qi));
        }
    }
    script.push_str("SELECT hypopg_reset();\n");
    let out = if plan.is_empty() {
        String::new()
    } else {
        psql(url, &script)?
    };
    // Split the output at the markers.
    let mut parts: BTreeMap<(String, usize), String> = BTreeMap::new();
    let mut cur: Option<(String, usize)> = None;
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix("@@") {
            let mut it = rest.split_whitespace();
            let kind = it.next().unwrap_or("").to_string();
            let n = it.next().and_then(|x| x.parse().ok()).unwrap_or(usize::MAX);
            cur = Some((kind, n));
            continue;
        }
        if let Some(k) = &cur {
            let e = parts.entry(k.clone()).or_default();
            e.push_str(line);
            e.push('\n');
        }
    }
    let mut verdicts: BTreeMap<usize, (String, bool)> = BTreeMap::new();
    for (n, (shape, qi)) in plan.iter().enumerate() {
        let base = parts.get(&("base".into(), n)).and_then(|t| {
            total_cost(
                t.lines()
                    .filter(|l| !l.trim().is_empty() && !l.starts_with("hypopg_reset"))
                    .collect::<Vec<_>>()
                    .join("\n")
                    .as_str(),
            )
        });
        let hname = parts
            .get(&("hyp".into(), n))
            .map(|t| t.trim().to_string())
            .unwrap_or_default();
        let with_text = parts.get(&("with".into(), n)).cloned().unwrap_or_default();
        let with = total_cost(&with_text);
        let used = !hname.is_empty() && with_text.contains(&hname);
        let (msg, ok) = match (base, with) {
            (Some(b), Some(w)) if used && w < b => (
                format!("planner uses it for query {}: cost {b:.0} → {w:.0}", qi + 1),
                true,
            ),
            (Some(b), Some(w)) => (
                format!(
                    "planner {} for query {} (cost {b:.0} → {w:.0})",
                    if used {
                        "uses it without a saving"
                    } else {
                        "does not use it"
                    },
                    qi + 1
                ),
                false,
            ),
            _ => (
                format!("query {} could not be planned on the server", qi + 1),
                false,
            ),
        };
        let e = verdicts.entry(*shape).or_insert((msg.clone(), ok));
        if ok && !e.1 {
            *e = (msg, true);
        }
    }
    for c in &sel.chosen {
        let n = unchecked.get(&c.shape).copied().unwrap_or(0);
        verdicts.entry(c.shape).or_insert_with(|| {
            (
                format!("not checked: the {n} queries it serves have parameters or write"),
                true,
            )
        });
    }
    Ok(verdicts)
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_sql_drops_name_and_concurrently() {
        assert_eq!(
            super::plain_sql(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS o_idx ON orders (a) WHERE b <> 'x';"
            ),
            "CREATE INDEX ON orders (a) WHERE b <> 'x'"
        );
        assert_eq!(
            super::plain_sql(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"Odd \"\"x\" ON t USING gin (d);"
            ),
            "CREATE INDEX ON t USING gin (d)"
        );
    }
}

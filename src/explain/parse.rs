//! Plan readers: PostgreSQL EXPLAIN as JSON or text (with or without ANALYZE, BUFFERS, psql's
//! aligned framing), MySQL/MariaDB `EXPLAIN FORMAT=JSON` and MariaDB `ANALYZE FORMAT=JSON`
//! (also with the `\n` escapes of `mariadb --batch`), MySQL 8 `EXPLAIN ANALYZE` /
//! `EXPLAIN FORMAT=TREE` (the `-> Nested loop inner join  (cost=… rows=…) (actual time=…)` tree),
//! and SQLite `EXPLAIN QUERY PLAN` (the CLI's tree or `id|parent|notused|detail` rows). All become
//! one [`Plan`] of [`PlanNode`]s.

use crate::error::KdError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which reader to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanFormat {
    PostgresJson,
    PostgresText,
    MysqlJson,
    /// MySQL 8 `EXPLAIN ANALYZE` or `EXPLAIN FORMAT=TREE`.
    MysqlTree,
    SqliteEqp,
}

/// One plan node, engine-neutral.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct PlanNode {
    pub id: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<usize>,
    pub depth: usize,
    /// `Seq Scan`, `Hash Join`, `ALL` (MySQL access type), `SCAN` (SQLite) ...
    pub node_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    /// Free text detail (SQLite detail, MySQL key, join type).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_cost: Option<f64>,
    /// Estimated rows per loop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub est_rows: Option<f64>,
    /// Actual rows per loop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_rows: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loops: Option<f64>,
    /// Time including children, all loops (ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inclusive_ms: Option<f64>,
    /// Time of this node alone (ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_cond: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_removed_by_filter: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_removed_by_recheck: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heap_fetches: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_hit: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_read: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temp_read: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temp_written: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_space_kb: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_space_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash_batches: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_hash_batches: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_memory_kb: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact_heap_blocks: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lossy_heap_blocks: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workers_planned: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workers_launched: Option<f64>,
    /// MySQL `filtered` (percent of rows kept by the condition), estimated and actual.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filtered_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r_filtered_pct: Option<f64>,
}

/// A trigger's time from EXPLAIN ANALYZE.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TriggerTime {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    pub time_ms: f64,
    pub calls: f64,
}

/// A parsed plan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Plan {
    pub format: PlanFormat,
    /// `postgres`, `mysql` or `sqlite`.
    pub engine: String,
    /// Actual rows/times are present (EXPLAIN ANALYZE / ANALYZE FORMAT=JSON).
    pub analyzed: bool,
    /// Buffer counts are present.
    pub buffers: bool,
    pub nodes: Vec<PlanNode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planning_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jit_ms: Option<f64>,
    pub triggers: Vec<TriggerTime>,
}

impl Plan {
    fn new(format: PlanFormat, engine: &str) -> Self {
        Plan {
            format,
            engine: engine.into(),
            analyzed: false,
            buffers: false,
            nodes: Vec::new(),
            planning_ms: None,
            execution_ms: None,
            jit_ms: None,
            triggers: Vec::new(),
        }
    }

    pub fn children(&self, id: usize) -> impl Iterator<Item = &PlanNode> {
        self.nodes.iter().filter(move |n| n.parent == Some(id))
    }

    /// Fill exclusive times from inclusive ones.
    fn finish(&mut self) {
        for i in 0..self.nodes.len() {
            let Some(inc) = self.nodes[i].inclusive_ms else {
                continue;
            };
            let kids: f64 = self.children(i).filter_map(|c| c.inclusive_ms).sum();
            self.nodes[i].exclusive_ms = Some((inc - kids).max(0.0));
        }
        self.analyzed = self.nodes.iter().any(|n| n.actual_rows.is_some());
        self.buffers = self
            .nodes
            .iter()
            .any(|n| n.shared_hit.is_some() || n.shared_read.is_some());
    }
}

/// Guess the format.
pub fn detect(text: &str) -> PlanFormat {
    let t = text.trim_start();
    let lower = t.to_ascii_lowercase();
    if lower.contains("\"query_block\"")
        || lower.contains("\\\"query_block\\\"")
        || lower.contains("query_block") && lower.contains('{')
    {
        PlanFormat::MysqlJson
    } else if is_mysql_tree(t) {
        PlanFormat::MysqlTree
    } else if lower.contains("\"node type\"") || lower.contains("\"plan\"") {
        PlanFormat::PostgresJson
    } else if lower.starts_with("query plan") && (lower.contains("|--") || lower.contains("`--"))
        || t.lines().all(|l| l.trim().is_empty() || is_sqlite_row(l))
        || lower.contains("scan ")
            && !lower.contains("(cost=")
            && !lower.contains("actual")
            && !lower.contains("->")
    {
        PlanFormat::SqliteEqp
    } else {
        PlanFormat::PostgresText
    }
}

fn is_sqlite_row(l: &str) -> bool {
    let p: Vec<&str> = l.trim().splitn(4, '|').collect();
    p.len() == 4 && p[0].trim().parse::<i64>().is_ok() && p[1].trim().parse::<i64>().is_ok()
}

/// Parse a plan in the given (or detected) format.
pub fn parse(text: &str, format: Option<PlanFormat>) -> Result<Plan, KdError> {
    let f = format.unwrap_or_else(|| detect(text));
    let mut p = match f {
        PlanFormat::PostgresJson => pg_json(text)?,
        PlanFormat::PostgresText => pg_text(text)?,
        PlanFormat::MysqlJson => mysql_json(text)?,
        PlanFormat::MysqlTree => mysql_tree(text)?,
        PlanFormat::SqliteEqp => sqlite_eqp(text)?,
    };
    if p.nodes.is_empty() {
        return Err(KdError::invalid(format!(
            "no plan nodes found in the {f:?} plan; paste the whole output of EXPLAIN (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ...; MariaDB: ANALYZE FORMAT=JSON ...; SQLite: EXPLAIN QUERY PLAN ...)"
        )));
    }
    p.finish();
    Ok(p)
}

/// Remove psql's aligned framing: the `QUERY PLAN` header, the dashes, `(N rows)`, the leading
/// space and the trailing `+` of wrapped lines.
pub fn strip_psql(text: &str) -> String {
    let mut out = Vec::new();
    for l in text.lines() {
        let t = l.trim();
        if t == "QUERY PLAN" || (!t.is_empty() && t.chars().all(|c| c == '-' || c == '+')) {
            continue;
        }
        if t.starts_with('(') && (t.ends_with(" rows)") || t.ends_with(" row)")) {
            continue;
        }
        let mut s = l.strip_prefix(' ').unwrap_or(l).to_string();
        if s.trim_end().ends_with('+') {
            let cut = s.trim_end().len() - 1;
            s.truncate(cut);
        }
        out.push(s.trim_end().to_string());
    }
    out.join("\n")
}

fn json_value(text: &str) -> Result<Value, KdError> {
    let t = text.trim();
    if let Ok(v) = serde_json::from_str::<Value>(t) {
        return Ok(v);
    }
    let stripped = strip_psql(t);
    if let Ok(v) = serde_json::from_str::<Value>(stripped.trim()) {
        return Ok(v);
    }
    // mariadb --batch escapes newlines and tabs; also drop a leading column header.
    let unescaped = t.replace("\\n", "\n").replace("\\t", "\t");
    let start = unescaped.find(['{', '[']).unwrap_or(0);
    serde_json::from_str::<Value>(unescaped[start..].trim()).map_err(|e| {
        if e.to_string().contains("recursion limit") {
            KdError::Limit {
                limit: "plan nesting",
                actual: 128,
                max: 127,
                hint: "the JSON plan nests deeper than 127 levels; send the same plan in text format (EXPLAIN (ANALYZE, BUFFERS) without FORMAT JSON), which has no nesting limit".into(),
            }
        } else {
            KdError::invalid(format!(
                "the plan looks like JSON but does not parse ({e}); paste the complete EXPLAIN output"
            ))
        }
    })
}

fn f(v: &Value, k: &str) -> Option<f64> {
    v.get(k).and_then(|x| {
        x.as_f64()
            .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
    })
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(|x| x.as_str()).map(str::to_string)
}

fn pg_json(text: &str) -> Result<Plan, KdError> {
    let v = json_value(text)?;
    let root = match &v {
        Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
        o => o.clone(),
    };
    let top = root.get("Plan").ok_or_else(|| {
        KdError::invalid("the PostgreSQL JSON plan has no \"Plan\" key; run EXPLAIN (FORMAT JSON) and paste all of its output")
    })?;
    let mut p = Plan::new(PlanFormat::PostgresJson, "postgres");
    p.planning_ms = f(&root, "Planning Time");
    p.execution_ms = f(&root, "Execution Time");
    p.jit_ms = root.get("JIT").and_then(|j| j.get("Timing")).and_then(|t| {
        t.get("Total")
            .and_then(|x| x.as_f64())
            .or_else(|| t.as_f64())
    });
    if let Some(Value::Array(ts)) = root.get("Triggers") {
        for t in ts {
            p.triggers.push(TriggerTime {
                name: s(t, "Trigger Name").unwrap_or_default(),
                constraint: s(t, "Constraint Name"),
                relation: s(t, "Relation"),
                time_ms: f(t, "Time").unwrap_or(0.0),
                calls: f(t, "Calls").unwrap_or(0.0),
            });
        }
    }
    fn walk(p: &mut Plan, v: &Value, parent: Option<usize>, depth: usize) {
        let id = p.nodes.len();
        let loops = f(v, "Actual Loops");
        let total = f(v, "Actual Total Time");
        let n = PlanNode {
            id,
            parent,
            depth,
            node_type: text_name(v),
            relation: s(v, "Relation Name"),
            alias: s(v, "Alias"),
            index: s(v, "Index Name"),
            detail: [
                s(v, "Join Type"),
                s(v, "Strategy"),
                s(v, "Parent Relationship").filter(|r| r != "Outer" && r != "Inner"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
            total_cost: f(v, "Total Cost"),
            est_rows: f(v, "Plan Rows"),
            actual_rows: f(v, "Actual Rows"),
            loops,
            inclusive_ms: total.map(|t| t * loops.unwrap_or(1.0)),
            filter: s(v, "Filter").or_else(|| s(v, "Join Filter")),
            index_cond: s(v, "Index Cond")
                .or_else(|| s(v, "Hash Cond"))
                .or_else(|| s(v, "Recheck Cond")),
            rows_removed_by_filter: f(v, "Rows Removed by Filter")
                .or_else(|| f(v, "Rows Removed by Join Filter")),
            rows_removed_by_recheck: f(v, "Rows Removed by Index Recheck"),
            heap_fetches: f(v, "Heap Fetches"),
            shared_hit: f(v, "Shared Hit Blocks"),
            shared_read: f(v, "Shared Read Blocks"),
            temp_read: f(v, "Temp Read Blocks"),
            temp_written: f(v, "Temp Written Blocks"),
            sort_method: s(v, "Sort Method"),
            sort_space_kb: f(v, "Sort Space Used"),
            sort_space_type: s(v, "Sort Space Type"),
            hash_batches: f(v, "Hash Batches"),
            original_hash_batches: f(v, "Original Hash Batches"),
            peak_memory_kb: f(v, "Peak Memory Usage"),
            exact_heap_blocks: f(v, "Exact Heap Blocks"),
            lossy_heap_blocks: f(v, "Lossy Heap Blocks"),
            workers_planned: f(v, "Workers Planned"),
            workers_launched: f(v, "Workers Launched"),
            ..Default::default()
        };
        p.nodes.push(n);
        if let Some(Value::Array(kids)) = v.get("Plans") {
            for k in kids {
                walk(p, k, Some(id), depth + 1);
            }
        }
    }
    walk(&mut p, top, None, 0);
    Ok(p)
}

/// The node name as EXPLAIN's text format prints it (`HashAggregate`, `Hash Left Join`,
/// `Parallel Seq Scan`, `Finalize GroupAggregate`), so JSON and text plans read the same.
fn text_name(v: &Value) -> String {
    let base = s(v, "Node Type").unwrap_or_default();
    let mut name = match base.as_str() {
        "Aggregate" => match s(v, "Strategy").as_deref() {
            Some("Sorted") => "GroupAggregate".to_string(),
            Some("Hashed") => "HashAggregate".to_string(),
            Some("Mixed") => "MixedAggregate".to_string(),
            _ => base.clone(),
        },
        "SetOp" => match s(v, "Strategy").as_deref() {
            Some("Hashed") => "HashSetOp".to_string(),
            _ => base.clone(),
        },
        "Hash Join" | "Merge Join" | "Nested Loop" => {
            let jt = s(v, "Join Type").unwrap_or_else(|| "Inner".into());
            let jt = if jt == "Right Anti" {
                "Right Anti".to_string()
            } else {
                jt
            };
            match (base.as_str(), jt.as_str()) {
                (_, "Inner") => base.clone(),
                ("Nested Loop", j) => format!("Nested Loop {j} Join"),
                (b, j) => format!("{} {j} Join", b.trim_end_matches(" Join")),
            }
        }
        _ => base.clone(),
    };
    if v.get("Parallel Aware").and_then(|x| x.as_bool()) == Some(true) {
        name = format!("Parallel {name}");
    }
    if let Some(m) = s(v, "Partial Mode").filter(|m| m != "Simple") {
        name = format!("{m} {name}");
    }
    name
}

/// `key=value` numbers inside a parenthesised group.
fn kv(group: &str, key: &str) -> Option<f64> {
    let i = group.find(&format!("{key}="))?;
    let rest = &group[i + key.len() + 1..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn num_after(line: &str, key: &str) -> Option<f64> {
    let i = line.find(key)?;
    let rest = line[i + key.len()..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn pg_text(text: &str) -> Result<Plan, KdError> {
    let text = strip_psql(text);
    if !text.contains("(cost=") && !text.contains("(actual") && !text.contains("->") {
        return Err(KdError::invalid(
            "this is not a recognisable plan: no PostgreSQL plan nodes (cost=/actual), no MySQL/MariaDB JSON (query_block), no SQLite QUERY PLAN lines; paste the whole output of EXPLAIN",
        ));
    }
    let mut p = Plan::new(PlanFormat::PostgresText, "postgres");
    // Stack of (indent, node id).
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut in_jit = false;
    for raw in text.lines() {
        if raw.trim().is_empty() {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        let is_node = line.starts_with("->")
            || (p.nodes.is_empty()
                && (line.contains("(cost=") || line.contains("(actual") || !line.contains(':')));
        if is_node {
            in_jit = false;
            let body = line.trim_start_matches("->").trim();
            let node_indent = if line.starts_with("->") { indent } else { 0 };
            while stack.last().is_some_and(|(i, _)| *i >= node_indent) {
                stack.pop();
            }
            let parent = stack.last().map(|(_, id)| *id);
            let id = p.nodes.len();
            let name_end = body
                .find("  (")
                .or_else(|| body.find(" (cost="))
                .or_else(|| body.find(" (actual"))
                .or_else(|| body.find(" (never"))
                .unwrap_or(body.len());
            let name = body[..name_end].trim();
            let (mut node_type, mut relation, mut alias, mut index) =
                (name.to_string(), None, None, None);
            if let Some((a, b)) = name.split_once(" using ") {
                node_type = a.to_string();
                let (idx, rest) = b.split_once(" on ").unwrap_or((b, ""));
                index = Some(idx.trim().to_string());
                if !rest.is_empty() {
                    let mut it = rest.split_whitespace();
                    relation = it.next().map(str::to_string);
                    alias = it.next().map(str::to_string);
                }
            } else if let Some((a, b)) = name.split_once(" on ") {
                node_type = a.to_string();
                let mut it = b.split_whitespace();
                relation = it.next().map(str::to_string);
                alias = it.next().map(str::to_string);
            }
            let groups: Vec<&str> = body[name_end..].split('(').skip(1).collect();
            let mut n = PlanNode {
                id,
                parent,
                depth: stack.len(),
                node_type,
                relation,
                alias,
                index,
                ..Default::default()
            };
            for g in groups {
                if g.starts_with("cost=") {
                    n.total_cost = g
                        .split("..")
                        .nth(1)
                        .and_then(|x| x.split_whitespace().next())
                        .and_then(|x| x.parse().ok());
                    n.est_rows = kv(g, "rows");
                } else if g.starts_with("actual") {
                    n.actual_rows = kv(g, "rows");
                    n.loops = kv(g, "loops");
                    if let Some(times) = g.strip_prefix("actual time=") {
                        let t: Option<f64> = times
                            .split("..")
                            .nth(1)
                            .and_then(|x| x.split_whitespace().next())
                            .and_then(|x| x.parse().ok());
                        n.inclusive_ms = t.map(|t| t * n.loops.unwrap_or(1.0));
                    }
                } else if g.starts_with("never executed") {
                    n.actual_rows = Some(0.0);
                    n.loops = Some(0.0);
                    n.inclusive_ms = Some(0.0);
                }
            }
            p.nodes.push(n);
            stack.push((node_indent, id));
            continue;
        }
        // Top-level lines.
        if let Some(v) = line
            .strip_prefix("Planning Time:")
            .or_else(|| line.strip_prefix("Planning time:"))
        {
            p.planning_ms = v.trim().trim_end_matches("ms").trim().parse().ok();
            continue;
        }
        if let Some(v) = line
            .strip_prefix("Execution Time:")
            .or_else(|| line.strip_prefix("Execution time:"))
        {
            p.execution_ms = v.trim().trim_end_matches("ms").trim().parse().ok();
            continue;
        }
        if line == "JIT:" {
            in_jit = true;
            continue;
        }
        if in_jit {
            if line.starts_with("Timing:") {
                p.jit_ms = num_after(line, "Total");
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("Trigger ") {
            // Trigger RI_ConstraintTrigger_a_16431 for constraint orders_user_id_fkey on users: time=12.3 calls=100
            let (head, tail) = rest.split_once(": ").unwrap_or((rest, ""));
            let head_c = head
                .strip_prefix("for constraint ")
                .map(|c| format!("RI for constraint {c}"));
            let head = head_c.as_deref().unwrap_or(head);
            let name = head.split_whitespace().next().unwrap_or("").to_string();
            let constraint = head
                .split_once(" for constraint ")
                .map(|(_, c)| c.split(" on ").next().unwrap_or("").trim().to_string());
            let relation = head.rsplit_once(" on ").map(|(_, r)| r.trim().to_string());
            p.triggers.push(TriggerTime {
                name,
                constraint,
                relation,
                time_ms: kv(tail, "time").unwrap_or(0.0),
                calls: kv(tail, "calls").unwrap_or(0.0),
            });
            continue;
        }
        // A property of the innermost node whose indent is smaller.
        let Some(&(_, id)) = stack.iter().rev().find(|(i, _)| *i < indent) else {
            continue;
        };
        let n = &mut p.nodes[id];
        if let Some(v) = line.strip_prefix("Filter: ") {
            n.filter = Some(v.to_string());
        } else if let Some(v) = line.strip_prefix("Join Filter: ") {
            n.filter = Some(v.to_string());
        } else if let Some(v) = line
            .strip_prefix("Index Cond: ")
            .or_else(|| line.strip_prefix("Hash Cond: "))
            .or_else(|| line.strip_prefix("Recheck Cond: "))
        {
            n.index_cond.get_or_insert_with(|| v.to_string());
        } else if line.starts_with("Rows Removed by Filter:")
            || line.starts_with("Rows Removed by Join Filter:")
        {
            n.rows_removed_by_filter = num_after(line, ":");
        } else if line.starts_with("Rows Removed by Index Recheck:") {
            n.rows_removed_by_recheck = num_after(line, ":");
        } else if line.starts_with("Heap Fetches:") {
            n.heap_fetches = num_after(line, ":");
        } else if line.starts_with("Buffers:") {
            if let Some(sh) = line.split("shared").nth(1) {
                let sh = sh.split(',').next().unwrap_or("");
                n.shared_hit = kv(sh, "hit").or(Some(0.0));
                n.shared_read = kv(sh, "read").or(Some(0.0));
            }
            if let Some(t) = line.split("temp").nth(1) {
                n.temp_read = kv(t, "read");
                n.temp_written = kv(t, "written");
            }
        } else if let Some(v) = line.strip_prefix("Sort Method: ") {
            // "external merge  Disk: 1234kB" / "quicksort  Memory: 25kB"
            let (m, rest) = v.split_once("  ").unwrap_or((v, ""));
            n.sort_method = Some(m.trim().to_string());
            if let Some((ty, amt)) = rest.split_once(':') {
                n.sort_space_type = Some(ty.trim().to_string());
                n.sort_space_kb = amt.trim().trim_end_matches("kB").parse().ok();
            }
        } else if line.starts_with("Buckets:") {
            n.hash_batches = num_after(line, "Batches:");
            n.original_hash_batches = num_after(line, "(originally").or(n.hash_batches);
            n.peak_memory_kb = num_after(line, "Memory Usage:");
        } else if line.starts_with("Heap Blocks:") {
            n.exact_heap_blocks = kv(line, "exact");
            n.lossy_heap_blocks = kv(line, "lossy");
        } else if line.starts_with("Workers Planned:") {
            n.workers_planned = num_after(line, ":");
        } else if line.starts_with("Workers Launched:") {
            n.workers_launched = num_after(line, ":");
        }
    }
    Ok(p)
}

fn mysql_json(text: &str) -> Result<Plan, KdError> {
    let v = json_value(text)?;
    let root = match &v {
        Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
        o => o.clone(),
    };
    let qb = root.get("query_block").ok_or_else(|| {
        KdError::invalid("the MySQL/MariaDB JSON plan has no \"query_block\"; run EXPLAIN FORMAT=JSON (or MariaDB ANALYZE FORMAT=JSON) and paste all of its output")
    })?;
    let mut p = Plan::new(PlanFormat::MysqlJson, "mysql");
    p.execution_ms = f(qb, "r_total_time_ms");
    let id = p.nodes.len();
    p.nodes.push(PlanNode {
        id,
        node_type: format!("query_block #{}", f(qb, "select_id").unwrap_or(1.0)),
        inclusive_ms: f(qb, "r_total_time_ms"),
        total_cost: qb
            .get("cost_info")
            .and_then(|c| f(c, "query_cost"))
            .or_else(|| f(qb, "cost")),
        ..Default::default()
    });
    fn walk(p: &mut Plan, v: &Value, parent: usize, depth: usize) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    match k.as_str() {
                        "table" => {
                            let id = p.nodes.len();
                            let loops = f(x, "r_loops");
                            let time = f(x, "r_total_time_ms").or_else(|| f(x, "r_table_time_ms"));
                            p.nodes.push(PlanNode {
                                id,
                                parent: Some(parent),
                                depth,
                                node_type: s(x, "access_type").unwrap_or_else(|| "table".into()),
                                relation: s(x, "table_name"),
                                index: s(x, "key"),
                                detail: s(x, "using_index")
                                    .map(|_| "covering".to_string())
                                    .unwrap_or_default(),
                                total_cost: x
                                    .get("cost_info")
                                    .and_then(|c| f(c, "prefix_cost"))
                                    .or_else(|| f(x, "cost")),
                                est_rows: f(x, "rows").or_else(|| f(x, "rows_examined_per_scan")),
                                actual_rows: f(x, "r_rows"),
                                loops,
                                inclusive_ms: time,
                                filter: s(x, "attached_condition"),
                                filtered_pct: f(x, "filtered"),
                                r_filtered_pct: f(x, "r_filtered"),
                                ..Default::default()
                            });
                            walk(p, x, id, depth + 1);
                        }
                        "filesort" | "read_sorted_file" | "temporary_table"
                        | "duplicates_removal" | "materialized" | "union_result" => {
                            let id = p.nodes.len();
                            p.nodes.push(PlanNode {
                                id,
                                parent: Some(parent),
                                depth,
                                node_type: k.clone(),
                                detail: s(x, "sort_key").unwrap_or_default(),
                                loops: f(x, "r_loops"),
                                inclusive_ms: f(x, "r_total_time_ms"),
                                actual_rows: f(x, "r_output_rows"),
                                ..Default::default()
                            });
                            walk(p, x, id, depth + 1);
                        }
                        _ => walk(p, x, parent, depth),
                    }
                }
            }
            Value::Array(a) => {
                for x in a {
                    walk(p, x, parent, depth);
                }
            }
            _ => {}
        }
    }
    walk(&mut p, qb, id, 1);
    Ok(p)
}

/// The lines of a MySQL tree plan without the client's framing: `EXPLAIN: ` (`\\G`), the
/// `+---+` borders, the `| EXPLAIN |` header and the `| ` … ` |` of the table cell.
fn mysql_tree_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for l in text.lines() {
        let t = l.trim();
        if t.is_empty()
            || t.chars().all(|c| c == '-' || c == '+')
            || t.trim_matches('|').trim().eq_ignore_ascii_case("explain")
            || t.starts_with("***")
            || (t.ends_with(" sec)") && t.contains(" in set"))
        {
            continue;
        }
        let mut l = l.trim_end();
        if let Some(r) = l.trim_start().strip_prefix("EXPLAIN: ") {
            l = r;
        }
        if let Some(r) = l.strip_prefix("| ") {
            l = r;
        }
        let l = l.trim_end_matches('|').trim_end();
        if !l.trim().is_empty() {
            out.push(l.to_string());
        }
    }
    out
}

/// A MySQL tree: its first line is a `->` node, and its costs are `(cost=X rows=N)` without
/// PostgreSQL's `..` startup cost and width.
fn is_mysql_tree(text: &str) -> bool {
    let lines = mysql_tree_lines(text);
    let Some(first) = lines.first() else {
        return false;
    };
    first.trim_start().starts_with("-> ")
        && !text.contains(" width=")
        && (text.contains("(cost=") || text.contains("(actual time=") || text.contains("-> "))
}

/// (cost, estimated rows, last-row time per loop, actual rows, loops).
type TreeNumbers = (
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

/// Numbers of `(cost=4.95 rows=9)` and `(actual time=0.153..0.200 rows=9 loops=1)`.
fn mysql_tree_numbers(body: &str) -> TreeNumbers {
    let group = |key: &str| -> Option<&str> {
        let i = body.find(key)?;
        let rest = &body[i + key.len()..];
        Some(&rest[..rest.find(')')?])
    };
    let num = |g: &str, k: &str| -> Option<f64> {
        g.split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .and_then(|v| v.parse().ok())
    };
    let (cost, est) = match group("(cost=") {
        Some(g) => (
            g.split_whitespace().next().and_then(|v| v.parse().ok()),
            num(g, "rows="),
        ),
        None => (None, group("(rows=").and_then(|g| g.trim().parse().ok())),
    };
    let (last, rows, loops) = match group("(actual time=") {
        Some(g) => (
            g.split_whitespace()
                .next()
                .and_then(|t| t.split("..").nth(1))
                .and_then(|v| v.parse().ok()),
            num(g, "rows="),
            num(g, "loops="),
        ),
        None => (None, None, None),
    };
    (cost, est, last, rows, loops)
}

fn mysql_tree(text: &str) -> Result<Plan, KdError> {
    let lines = mysql_tree_lines(text);
    if !lines.iter().any(|l| l.trim_start().starts_with("-> ")) {
        return Err(KdError::invalid(
            "this MySQL plan has no `->` nodes; paste the whole output of EXPLAIN ANALYZE (or EXPLAIN FORMAT=TREE)",
        ));
    }
    // The manual (and narrow terminals) wrap `(actual time=…)` onto a line of its own: join
    // every line that does not start a node to the node before it.
    let mut merged: Vec<String> = Vec::new();
    for l in lines {
        match merged.last_mut() {
            Some(prev) if !l.trim_start().starts_with("-> ") => {
                prev.push(' ');
                prev.push_str(l.trim());
            }
            _ => merged.push(l),
        }
    }
    let mut p = Plan::new(PlanFormat::MysqlTree, "mysql");
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for raw in &merged {
        let indent = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        let Some(body) = line.strip_prefix("-> ") else {
            continue;
        };
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let parent = stack.last().map(|(_, id)| *id);
        let id = p.nodes.len();
        // The description ends where the numbers start.
        let end = [
            "  (cost=",
            " (cost=",
            "  (rows=",
            "  (actual time=",
            " (actual time=",
            "  (never executed)",
            " (never executed)",
        ]
        .iter()
        .filter_map(|k| body.find(k))
        .min()
        .unwrap_or(body.len());
        let desc = body[..end].trim();
        let (cost, est, last, rows, loops) = mysql_tree_numbers(&body[end..]);
        let mut n = PlanNode {
            id,
            parent,
            depth: stack.len(),
            total_cost: cost,
            est_rows: est,
            actual_rows: rows,
            loops,
            // MySQL's times are per loop, like PostgreSQL's.
            inclusive_ms: last.map(|t| t * loops.unwrap_or(1.0)),
            ..Default::default()
        };
        if body[end..].contains("never executed") {
            n.actual_rows = Some(0.0);
            n.loops = Some(0.0);
            n.inclusive_ms = Some(0.0);
        }
        // "Index lookup on t2 using a (a=t1.a)", "Table scan on t1", "Filter: (cond)",
        // "Inner hash join (t2.a = t1.a)", "Sort: t1.a", "Limit: 10 row(s)".
        let first = |k: &str| desc.find(k).unwrap_or(usize::MAX);
        let labelled = first(": ") < first(" (").min(first(" on "));
        if labelled && let Some((kind, cond)) = desc.split_once(": ") {
            n.node_type = kind.to_string();
            if kind == "Filter" {
                n.filter = Some(cond.to_string());
            } else {
                n.detail = cond.to_string();
            }
        } else if let Some((kind, rest)) = desc.split_once(" on ") {
            n.node_type = kind.to_string();
            let (target, cond) = match rest.find(" (") {
                Some(i) => (&rest[..i], Some(rest[i + 1..].to_string())),
                None => (rest, None),
            };
            let (table, index) = match target.split_once(" using ") {
                Some((t, i)) => (t, Some(i)),
                None => (target, None),
            };
            // "Index range scan on t using idx over (a < 5)": the range is the condition.
            let index = index.map(|i| i.trim().trim_end_matches(" over").trim());
            let mut tw = table.split_whitespace();
            n.relation = tw.next().map(str::to_string);
            n.index = index.map(str::to_string);
            n.index_cond = cond;
        } else if let Some(i) = desc.find(" (") {
            n.node_type = desc[..i].to_string();
            n.index_cond = Some(desc[i + 1..].to_string());
        } else {
            n.node_type = desc.to_string();
        }
        p.nodes.push(n);
        stack.push((indent, id));
    }
    p.execution_ms = p.nodes.first().and_then(|n| n.inclusive_ms);
    Ok(p)
}

fn sqlite_eqp(text: &str) -> Result<Plan, KdError> {
    let mut p = Plan::new(PlanFormat::SqliteEqp, "sqlite");
    // Rows `id|parent|notused|detail`.
    let rows: Vec<(i64, i64, String)> = text
        .lines()
        .filter(|l| is_sqlite_row(l))
        .map(|l| {
            let v: Vec<&str> = l.trim().splitn(4, '|').collect();
            (
                v[0].trim().parse().unwrap_or(0),
                v[1].trim().parse().unwrap_or(0),
                v[3].trim().to_string(),
            )
        })
        .collect();
    let mut items: Vec<(usize, String, i64, i64)> = Vec::new(); // depth, detail, id, parent
    if !rows.is_empty() {
        for (id, parent, d) in rows {
            let depth = items
                .iter()
                .find(|(_, _, i, _)| *i == parent)
                .map(|x| x.0 + 1)
                .unwrap_or(0);
            items.push((depth, d, id, parent));
        }
    } else {
        for l in text.lines() {
            let t = l.trim_end();
            if t.trim().is_empty() || t.trim().eq_ignore_ascii_case("QUERY PLAN") {
                continue;
            }
            let start = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(0);
            let prefix = &t[..start];
            let depth = prefix.chars().count() / 3;
            items.push((depth.saturating_sub(1), t[start..].to_string(), 0, 0));
        }
    }
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for (depth, detail, _, _) in items {
        while stack.last().is_some_and(|(d, _)| *d >= depth) {
            stack.pop();
        }
        let id = p.nodes.len();
        let mut words = detail.split_whitespace();
        let kind = words.next().unwrap_or("").to_string();
        let (node_type, relation) = match kind.as_str() {
            "SCAN" | "SEARCH" => {
                let mut rel = words.next().map(str::to_string);
                if rel.as_deref() == Some("TABLE") {
                    rel = words.next().map(str::to_string);
                }
                (kind.clone(), rel)
            }
            _ => (detail.clone(), None),
        };
        let index = detail.split_once(" USING ").map(|(_, r)| r.to_string());
        p.nodes.push(PlanNode {
            id,
            parent: stack.last().map(|(_, i)| *i),
            depth,
            node_type,
            relation,
            index,
            detail: detail.clone(),
            ..Default::default()
        });
        stack.push((depth, id));
    }
    Ok(p)
}

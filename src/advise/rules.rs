//! IDX rules of the index advisor (IDX004–IDX005 belong to the review capability).

use crate::findings::Severity;
use crate::rules::RuleDoc;

pub static IDX001: RuleDoc = RuleDoc {
    id: "IDX001",
    slug: "duplicate-index",
    family: "IDX",
    severity: Severity::Warning,
    summary: "Two indexes of a table have the same keys, method and predicate.",
    why: "Every INSERT, UPDATE of an indexed column and DELETE maintains both copies, and both take space and cache, while the planner only ever uses one. Duplicates usually come from an ORM adding an index a migration already created, or from an index added next to a UNIQUE constraint on the same columns.",
    bad: "CREATE INDEX orders_user_id_idx ON orders (user_id);\nCREATE INDEX idx_orders_user ON orders (user_id);",
    good: "CREATE INDEX orders_user_id_idx ON orders (user_id);",
    dialects: &[],
    crosswalk: &[
        "pgsql-http:duplicate-index",
        "pt-duplicate-key-checker",
        "sqlcheck:index-overuse",
    ],
};

pub static IDX002: RuleDoc = RuleDoc {
    id: "IDX002",
    slug: "redundant-prefix-index",
    family: "IDX",
    severity: Severity::Info,
    summary: "A B-tree index's keys are a left prefix of another B-tree index's keys on the same table.",
    why: "A B-tree on (a, b) serves every search, range and sort on (a) as well, so an index on (a) alone only adds write cost and space. Keep it only if measurements show the smaller index matters (it is narrower, so scans read fewer pages) or it is UNIQUE.",
    bad: "CREATE INDEX o_user ON orders (user_id);\nCREATE INDEX o_user_created ON orders (user_id, created_at);",
    good: "CREATE INDEX o_user_created ON orders (user_id, created_at);",
    dialects: &[],
    crosswalk: &[
        "pt-duplicate-key-checker:left-prefix",
        "pganalyze:redundant-index",
    ],
};

pub static IDX003: RuleDoc = RuleDoc {
    id: "IDX003",
    slug: "unique-index-duplicates-pk",
    family: "IDX",
    severity: Severity::Warning,
    summary: "A unique index or constraint covers exactly the primary key's columns.",
    why: "The primary key is already unique and indexed. A second unique index on the same columns doubles the write cost and the space and enforces nothing new.",
    bad: "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE UNIQUE INDEX users_id_key ON users (id);",
    good: "CREATE TABLE users (id bigint PRIMARY KEY, email text);",
    dialects: &[],
    crosswalk: &["pt-duplicate-key-checker"],
};

pub static IDX006: RuleDoc = RuleDoc {
    id: "IDX006",
    slug: "index-unused-by-workload",
    family: "IDX",
    severity: Severity::Info,
    summary: "No query of the given workload can use this index (it is unused by this workload, which is not the same as unused).",
    why: "An index no query can use only costs writes and space. The workload given is a sample: before dropping, confirm with the server's own counters (`pg_stat_user_indexes.idx_scan`, `sys.schema_unused_indexes`) over a full business cycle, and keep indexes that back foreign keys or serve rare jobs (month-end reports, deletes on a parent table).",
    bad: "CREATE INDEX orders_note_idx ON orders (note);  -- no query filters, joins or sorts on note",
    good: "-- drop it after the server's counters confirm it is unused\nDROP INDEX CONCURRENTLY orders_note_idx;",
    dialects: &[],
    crosswalk: &["pganalyze:unused-index", "pghero:unused-indexes"],
};

pub static IDX007: RuleDoc = RuleDoc {
    id: "IDX007",
    slug: "missing-index-for-workload",
    family: "IDX",
    severity: Severity::Warning,
    summary: "A query of the workload reads a table without an index that serves its filter, join or sort; the advisor recommends one.",
    why: "Without a fitting index the engine scans the whole table (and sorts) for every call. The recommended index follows equality → range → sort key order, so one index serves the filter and the ORDER BY; its estimated benefit counts every call of every query it serves minus its write cost.",
    bad: "SELECT id, total FROM orders WHERE user_id = $1 ORDER BY created_at DESC LIMIT 20;  -- no index on orders(user_id, ...)",
    good: "CREATE INDEX CONCURRENTLY orders_user_id_created_at_idx ON orders (user_id, created_at DESC);",
    dialects: &[],
    crosswalk: &["dexter", "pganalyze:index-advisor", "dta"],
};

pub static IDX008: RuleDoc = RuleDoc {
    id: "IDX008",
    slug: "index-blocks-hot-update",
    family: "IDX",
    severity: Severity::Info,
    summary: "PostgreSQL: an index contains a column the workload updates, so those updates can no longer be HOT.",
    why: "A HOT (heap-only tuple) update writes no index entries, but only while no indexed column changes. Indexing a frequently updated column (status, updated_at, counters) turns every such update into a write to every index of the table, plus more vacuum work. Index it only when the reads it serves outweigh that, or index a stable column instead.",
    bad: "CREATE INDEX jobs_heartbeat_idx ON jobs (heartbeat_at);  -- UPDATE jobs SET heartbeat_at = now() runs constantly",
    good: "CREATE INDEX jobs_pending_idx ON jobs (queued_at) WHERE state = 'pending';",
    dialects: &["postgres"],
    crosswalk: &["pganalyze:hot-updates"],
};

pub static DOCS: [&RuleDoc; 6] = [&IDX001, &IDX002, &IDX003, &IDX006, &IDX007, &IDX008];

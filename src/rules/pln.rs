//! PLN: EXPLAIN plan rules (KD-db-explain). Checks live in `crate::explain::rules`.

use super::RuleDoc;
use crate::findings::Severity;

pub static MISESTIMATE: RuleDoc = RuleDoc {
    id: "PLN001",
    slug: "row-misestimate",
    family: "PLN",
    severity: Severity::Warning,
    summary: "A node's actual rows differ from the planner's estimate by 10x or more (info at 10x, warning at 100x, error at 1000x), in either direction.",
    why: "The planner picks join order, join method and memory from its row estimates; a large error leads to nested loops over many rows or hash tables that spill. Stale statistics (ANALYZE), correlated columns (CREATE STATISTICS) or a function hiding the column are the usual causes.",
    bad: "Seq Scan on orders (rows=10) (actual rows=50000 loops=1)",
    good: "Seq Scan on orders (rows=48000) (actual rows=50000 loops=1)",
    dialects: &[],
    crosswalk: &["pev2:misestimation", "explain.depesz.com:rows-x"],
};

pub static SEQ_SCAN_FILTER: RuleDoc = RuleDoc {
    id: "PLN002",
    slug: "seq-scan-filter",
    family: "PLN",
    severity: Severity::Warning,
    summary: "A full scan (Seq Scan, MySQL access type ALL) whose filter removes most of the rows it reads.",
    why: "Reading a whole table to keep a few rows is what an index is for: the cost grows with the table, not with the result.",
    bad: "Seq Scan on orders  Filter: (customer_id = 42)  Rows Removed by Filter: 99990",
    good: "Index Scan using orders_customer_id_idx on orders  Index Cond: (customer_id = 42)",
    dialects: &[],
    crosswalk: &["pganalyze:seq-scan", "pev2:filter"],
};

pub static SORT_SPILL: RuleDoc = RuleDoc {
    id: "PLN003",
    slug: "sort-spill",
    family: "PLN",
    severity: Severity::Warning,
    summary: "A sort that spilled to disk (Sort Method: external merge, Disk: ...).",
    why: "The sort did not fit in work_mem and wrote temporary files: many times slower than in memory.",
    bad: "Sort Method: external merge  Disk: 20480kB",
    good: "Sort Method: quicksort  Memory: 30000kB",
    dialects: &[],
    crosswalk: &["pev2:disk-sort"],
};

pub static HASH_SPILL: RuleDoc = RuleDoc {
    id: "PLN004",
    slug: "hash-spill",
    family: "PLN",
    severity: Severity::Warning,
    summary: "A hash (join or aggregate) split into several batches on disk.",
    why: "The hash table did not fit in work_mem x hash_mem_multiplier, so both sides were written to temporary files and read back.",
    bad: "Buckets: 65536  Batches: 8 (originally 1)  Memory Usage: 4096kB",
    good: "Buckets: 131072  Batches: 1  Memory Usage: 9000kB",
    dialects: &[],
    crosswalk: &["pev2:hash-batches"],
};

pub static LOSSY_BITMAP: RuleDoc = RuleDoc {
    id: "PLN005",
    slug: "lossy-bitmap",
    family: "PLN",
    severity: Severity::Warning,
    summary: "A bitmap heap scan with lossy blocks (Heap Blocks: lossy=N).",
    why: "The bitmap did not fit in work_mem and degraded to whole pages, so every row of those pages is rechecked.",
    bad: "Heap Blocks: exact=120 lossy=9000  Rows Removed by Index Recheck: 400000",
    good: "Heap Blocks: exact=9120",
    dialects: &[],
    crosswalk: &["pganalyze:lossy-bitmap"],
};

pub static HEAP_FETCHES: RuleDoc = RuleDoc {
    id: "PLN006",
    slug: "index-only-heap-fetches",
    family: "PLN",
    severity: Severity::Warning,
    summary: "An Index Only Scan that still fetched many rows from the table (Heap Fetches).",
    why: "Index-only scans skip the table only for pages marked all-visible; after many writes without VACUUM they read the table anyway.",
    bad: "Index Only Scan using i on t  Heap Fetches: 50000",
    good: "Index Only Scan using i on t  Heap Fetches: 0",
    dialects: &[],
    crosswalk: &["pev2:heap-fetches"],
};

pub static RESIDUAL_FILTER: RuleDoc = RuleDoc {
    id: "PLN007",
    slug: "index-residual-filter",
    family: "PLN",
    severity: Severity::Warning,
    summary: "An index scan whose filter removes most of the rows the index returned.",
    why: "The index finds candidates by its leading columns but the rest of the condition is checked row by row on the table; adding the filtered column to the index removes the wasted reads.",
    bad: "Index Scan using orders_customer_idx on orders  Filter: (status = 'open')  Rows Removed by Filter: 9000",
    good: "Index Scan using orders_customer_status_idx on orders  Index Cond: (customer_id = 1 AND status = 'open')",
    dialects: &[],
    crosswalk: &["pganalyze:index-filter"],
};

pub static NESTED_LOOP_LOOPS: RuleDoc = RuleDoc {
    id: "PLN008",
    slug: "nested-loop-many-loops",
    family: "PLN",
    severity: Severity::Warning,
    summary: "A node executed 1,000 times or more under a nested loop, taking a large share of the time.",
    why: "A nested loop repeats its inner side once per outer row; with many outer rows (often a misestimate) a hash or merge join, or an index on the inner join key, is far cheaper.",
    bad: "Nested Loop -> Seq Scan on items (actual rows=1 loops=20000)",
    good: "Hash Join -> Seq Scan on items (actual rows=20000 loops=1)",
    dialects: &[],
    crosswalk: &["pev2:loops"],
};

pub static LOW_HIT_RATIO: RuleDoc = RuleDoc {
    id: "PLN009",
    slug: "low-buffer-hit-ratio",
    family: "PLN",
    severity: Severity::Info,
    summary: "The query read many blocks from disk compared with those found in shared buffers.",
    why: "Under 90% hits with thousands of reads means the data was not cached: a cold cache (run it twice), shared_buffers too small for the working set, or a scan reading far more than it needs.",
    bad: "Buffers: shared hit=100 read=90000",
    good: "Buffers: shared hit=90000 read=100",
    dialects: &[],
    crosswalk: &["pganalyze:buffer-hit"],
};

pub static TEMP_IO: RuleDoc = RuleDoc {
    id: "PLN010",
    slug: "temp-io",
    family: "PLN",
    severity: Severity::Warning,
    summary: "The plan wrote temporary blocks (temp written=N).",
    why: "Temporary files mean an operation ran out of work_mem: sorts, hashes, materialise or CTE scans spilled to disk.",
    bad: "Buffers: shared hit=10, temp read=5000 written=5000",
    good: "Buffers: shared hit=10",
    dialects: &[],
    crosswalk: &["pev2:temp"],
};

pub static WORKERS_NOT_LAUNCHED: RuleDoc = RuleDoc {
    id: "PLN011",
    slug: "workers-not-launched",
    family: "PLN",
    severity: Severity::Warning,
    summary: "Fewer parallel workers launched than planned.",
    why: "The plan assumed parallel workers that were not available (max_parallel_workers or max_worker_processes exhausted), so the leader did the work alone.",
    bad: "Gather  Workers Planned: 4  Workers Launched: 0",
    good: "Gather  Workers Planned: 4  Workers Launched: 4",
    dialects: &[],
    crosswalk: &["pev2:workers"],
};

pub static PLANNING_DOMINATES: RuleDoc = RuleDoc {
    id: "PLN012",
    slug: "planning-time-dominates",
    family: "PLN",
    severity: Severity::Info,
    summary: "Planning took longer than execution (and at least 5 ms).",
    why: "For short queries the plan is the cost: many partitions, many joins (join_collapse_limit) or no prepared statement re-plan every call.",
    bad: "Planning Time: 45 ms  Execution Time: 2 ms",
    good: "Planning Time: 0.3 ms  Execution Time: 2 ms",
    dialects: &[],
    crosswalk: &["pganalyze:planning-time"],
};

pub static JIT_DOMINATES: RuleDoc = RuleDoc {
    id: "PLN013",
    slug: "jit-time-dominates",
    family: "PLN",
    severity: Severity::Warning,
    summary: "JIT compilation took half of the execution time or more.",
    why: "JIT pays off for long analytic queries; for short ones its compile time dominates. Raise jit_above_cost or turn JIT off for this workload.",
    bad: "JIT: Timing: Total 180 ms  Execution Time: 220 ms",
    good: "JIT: off  Execution Time: 40 ms",
    dialects: &[],
    crosswalk: &["pev2:jit"],
};

pub static SLOW_FK_TRIGGER: RuleDoc = RuleDoc {
    id: "PLN014",
    slug: "slow-fk-trigger",
    family: "PLN",
    severity: Severity::Warning,
    summary: "A foreign-key (RI) trigger took a large share of the execution time.",
    why: "Deleting or updating a referenced row makes PostgreSQL look up referencing rows; without an index on the referencing columns each lookup scans the child table.",
    bad: "Trigger for constraint orders_user_id_fkey on users: time=5200 calls=1000",
    good: "CREATE INDEX ON orders (user_id);",
    dialects: &[],
    crosswalk: &["pganalyze:fk-trigger"],
};

pub static SQLITE_TEMP_BTREE: RuleDoc = RuleDoc {
    id: "PLN015",
    slug: "temp-b-tree-sort",
    family: "PLN",
    severity: Severity::Info,
    summary: "SQLite sorts or groups with a temporary B-tree (USE TEMP B-TREE FOR ORDER BY / GROUP BY / DISTINCT).",
    why: "An index whose leading columns match the ORDER BY / GROUP BY would return rows in order and skip the sort.",
    bad: "USE TEMP B-TREE FOR ORDER BY",
    good: "SCAN t USING INDEX t_created_at",
    dialects: &[],
    crosswalk: &["sqlite:eqp"],
};

pub static DOCS: &[&RuleDoc] = &[
    &MISESTIMATE,
    &SEQ_SCAN_FILTER,
    &SORT_SPILL,
    &HASH_SPILL,
    &LOSSY_BITMAP,
    &HEAP_FETCHES,
    &RESIDUAL_FILTER,
    &NESTED_LOOP_LOOPS,
    &LOW_HIT_RATIO,
    &TEMP_IO,
    &WORKERS_NOT_LAUNCHED,
    &PLANNING_DOMINATES,
    &JIT_DOMINATES,
    &SLOW_FK_TRIGGER,
    &SQLITE_TEMP_BTREE,
];

//! QRY: query rules (KD-optimize). Checks live in `crate::optimize::rules`.

use super::RuleDoc;
use crate::findings::Severity;

pub static SELECT_STAR: RuleDoc = RuleDoc {
    id: "QRY001",
    slug: "select-star",
    family: "QRY",
    severity: Severity::Warning,
    summary: "`SELECT *` where the table's columns are known.",
    why: "Every column is read, sent and decoded, wide (TOASTed) columns are fetched, no index can cover the query, and adding a column changes what callers receive.",
    bad: "SELECT * FROM users WHERE id = 1;",
    good: "SELECT id, email FROM users WHERE id = 1;",
    dialects: &[],
    crosswalk: &["sqlcheck:select-star", "sqlfluff:AM04"],
};

pub static NON_SARGABLE: RuleDoc = RuleDoc {
    id: "QRY002",
    slug: "non-sargable-predicate",
    family: "QRY",
    severity: Severity::Warning,
    summary: "A function, cast or arithmetic applied to a column in a comparison (`DATE(created_at) = ...`, `lower(email) = ...`, `id + 1 = 5`).",
    why: "The expression is computed for every row before the comparison, so a B-tree index on the bare column cannot be used. Compare the bare column with a range, or index the expression.",
    bad: "SELECT id FROM orders WHERE DATE(created_at) = '2024-05-01';",
    good: "SELECT id FROM orders WHERE created_at >= DATE '2024-05-01' AND created_at < DATE '2024-05-02';",
    dialects: &[],
    crosswalk: &[
        "sqlcheck:function-on-indexed-column",
        "pganalyze:non-sargable",
    ],
};

pub static IMPLICIT_CAST: RuleDoc = RuleDoc {
    id: "QRY003",
    slug: "implicit-cast",
    family: "QRY",
    severity: Severity::Warning,
    summary: "A comparison whose sides have different types per the schema (text column vs number, integer column vs decimal, join columns of different types).",
    why: "The engine converts the column side on every row, so its index is not used; MySQL compares string and number as floating point ('1a' = 1 is true).",
    bad: "SELECT * FROM users WHERE phone = 5551234;",
    good: "SELECT * FROM users WHERE phone = '5551234';",
    dialects: &[],
    crosswalk: &["sqlcheck:implicit-type-conversion"],
};

pub static LEADING_WILDCARD: RuleDoc = RuleDoc {
    id: "QRY004",
    slug: "leading-wildcard-like",
    family: "QRY",
    severity: Severity::Warning,
    summary: "`LIKE '%...'` (or `'_...'`): a pattern that does not start with a fixed prefix.",
    why: "A B-tree index serves LIKE only for a fixed prefix; a leading wildcard reads every row. Use a trigram (pg_trgm) GIN index or full-text search.",
    bad: "SELECT id FROM users WHERE email LIKE '%@example.com';",
    good: "SELECT id FROM users WHERE email LIKE 'alice%';",
    dialects: &[],
    crosswalk: &["sqlcheck:pattern-matching", "sqlfluff:-"],
};

pub static EQUALS_NULL: RuleDoc = RuleDoc {
    id: "QRY005",
    slug: "equals-null",
    family: "QRY",
    severity: Severity::Error,
    summary: "`= NULL` or `<> NULL`.",
    why: "Any comparison with NULL is unknown, so the condition is never true and the rows are never returned. Use IS NULL / IS NOT NULL.",
    bad: "SELECT id FROM users WHERE deleted_at = NULL;",
    good: "SELECT id FROM users WHERE deleted_at IS NULL;",
    dialects: &[],
    crosswalk: &["sqlcheck:null-usage", "sqlfluff:CV05"],
};

pub static NOT_IN_NULLABLE: RuleDoc = RuleDoc {
    id: "QRY006",
    slug: "not-in-nullable-subquery",
    family: "QRY",
    severity: Severity::Error,
    summary: "`x NOT IN (SELECT col ...)` where `col` is nullable (or its nullability is unknown).",
    why: "One NULL in the subquery makes `x NOT IN (...)` NULL for every row, so the query silently returns nothing. NOT EXISTS has the intended meaning and plans as an anti-join.",
    bad: "SELECT id FROM users WHERE id NOT IN (SELECT referrer_id FROM users);",
    good: "SELECT u.id FROM users u WHERE NOT EXISTS (SELECT 1 FROM users r WHERE r.referrer_id = u.id);",
    dialects: &[],
    crosswalk: &["postgres-wiki:dont-use-not-in"],
};

pub static DEEP_OFFSET: RuleDoc = RuleDoc {
    id: "QRY007",
    slug: "deep-offset",
    family: "QRY",
    severity: Severity::Warning,
    summary: "`OFFSET n` with n >= 1000.",
    why: "OFFSET reads and discards n rows for every page, so page cost grows with page number. Keyset pagination (`WHERE key > last_seen ORDER BY key LIMIT n`) reads only the page.",
    bad: "SELECT id, title FROM posts ORDER BY id LIMIT 20 OFFSET 100000;",
    good: "SELECT id, title FROM posts WHERE id > $1 ORDER BY id LIMIT 20;",
    dialects: &[],
    crosswalk: &["use-the-index-luke:no-offset"],
};

pub static ORDER_BY_RANDOM: RuleDoc = RuleDoc {
    id: "QRY008",
    slug: "order-by-random",
    family: "QRY",
    severity: Severity::Warning,
    summary: "`ORDER BY random()` / `RAND()`.",
    why: "Every row gets a random key and the whole set is sorted to keep a few rows: O(n log n) per call.",
    bad: "SELECT id FROM posts ORDER BY random() LIMIT 5;",
    good: "SELECT id FROM posts TABLESAMPLE BERNOULLI (1) LIMIT 5;",
    dialects: &[],
    crosswalk: &["sqlcheck:order-by-rand"],
};

pub static CARTESIAN_JOIN: RuleDoc = RuleDoc {
    id: "QRY009",
    slug: "cartesian-join",
    family: "QRY",
    severity: Severity::Error,
    summary: "Tables in FROM (comma list or CROSS JOIN) with no predicate connecting them.",
    why: "Without a join condition every row pairs with every row: the result multiplies and is almost never what was meant.",
    bad: "SELECT o.id, c.name FROM orders o, customers c WHERE o.total > 10;",
    good: "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 10;",
    dialects: &[],
    crosswalk: &["sqlcheck:implicit-cross-join", "sqlfluff:AM05"],
};

pub static CORRELATED_SUBQUERY: RuleDoc = RuleDoc {
    id: "QRY010",
    slug: "correlated-subquery-in-select",
    family: "QRY",
    severity: Severity::Warning,
    summary: "A scalar subquery in the select list that reads a column of the outer query.",
    why: "It runs once per outer row, a nested loop the planner cannot reorder. A LATERAL join or a grouped join computes the values in one pass.",
    bad: "SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id) FROM users u;",
    good: "SELECT u.id, l.n FROM users u LEFT JOIN LATERAL (SELECT count(*) AS n FROM orders o WHERE o.user_id = u.id) l ON true;",
    dialects: &[],
    crosswalk: &["sqlcheck:correlated-subquery"],
};

pub static DISTINCT_FANOUT: RuleDoc = RuleDoc {
    id: "QRY011",
    slug: "distinct-join-fanout",
    family: "QRY",
    severity: Severity::Warning,
    summary: "SELECT DISTINCT over a join whose joined tables are only used to filter.",
    why: "The join multiplies rows and DISTINCT sorts or hashes them away again. A semi-join (EXISTS) never creates the duplicates.",
    bad: "SELECT DISTINCT u.id, u.email FROM users u JOIN orders o ON o.user_id = u.id;",
    good: "SELECT u.id, u.email FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id);",
    dialects: &[],
    crosswalk: &["sqlcheck:distinct-usage"],
};

pub static UNION_NOT_ALL: RuleDoc = RuleDoc {
    id: "QRY012",
    slug: "union-without-all",
    family: "QRY",
    severity: Severity::Info,
    summary: "`UNION` (which removes duplicates) where `UNION ALL` would return the same rows.",
    why: "UNION is UNION ALL plus a sort or hash over the whole result. When branches cannot overlap (different constants) or duplicates are fine, UNION ALL skips it. Warning when the branches are provably disjoint.",
    bad: "SELECT id, 'a' AS src FROM a UNION SELECT id, 'b' FROM b;",
    good: "SELECT id, 'a' AS src FROM a UNION ALL SELECT id, 'b' FROM b;",
    dialects: &[],
    crosswalk: &["sqlcheck:union-usage"],
};

pub static COUNT_FOR_EXISTENCE: RuleDoc = RuleDoc {
    id: "QRY013",
    slug: "count-for-existence",
    family: "QRY",
    severity: Severity::Warning,
    summary: "`(SELECT COUNT(*) ...) > 0` (or `= 0`) used to test whether a row exists.",
    why: "COUNT(*) reads every matching row; EXISTS stops at the first one.",
    bad: "SELECT id FROM users u WHERE (SELECT count(*) FROM orders o WHERE o.user_id = u.id) > 0;",
    good: "SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id);",
    dialects: &[],
    crosswalk: &["sqlcheck:count-exists"],
};

pub static LONG_IN_LIST: RuleDoc = RuleDoc {
    id: "QRY014",
    slug: "long-in-list",
    family: "QRY",
    severity: Severity::Warning,
    summary: "An IN list with more than 100 values.",
    why: "Long lists cost parse and plan time, and each list length is a different statement for pg_stat_statements (before PostgreSQL 18) and the plan cache. Bind one array (`= ANY($1)`) or join a VALUES list / temporary table.",
    bad: "SELECT * FROM items WHERE id IN (1, 2, 3, /* ... 500 values */ 500);",
    good: "SELECT * FROM items WHERE id = ANY($1);",
    dialects: &[],
    crosswalk: &["pganalyze:in-list"],
};

pub static DML_WITHOUT_WHERE: RuleDoc = RuleDoc {
    id: "QRY015",
    slug: "dml-without-where",
    family: "QRY",
    severity: Severity::Error,
    summary: "UPDATE or DELETE without WHERE (and without LIMIT).",
    why: "Every row of the table is changed in one transaction: locks, a WAL/binlog burst, and no way back but a restore. Add the WHERE clause, or TRUNCATE if emptying the table is the point.",
    bad: "DELETE FROM sessions;",
    good: "DELETE FROM sessions WHERE expires_at < now();",
    dialects: &[],
    crosswalk: &["sqlfluff:-", "squawk:-", "MySQL:sql_safe_updates"],
};

pub static LIMIT_WITHOUT_ORDER: RuleDoc = RuleDoc {
    id: "QRY016",
    slug: "limit-without-order-by",
    family: "QRY",
    severity: Severity::Warning,
    summary: "LIMIT (or FETCH FIRST) without ORDER BY.",
    why: "Which rows come back depends on the plan: a new index, a parallel scan or a VACUUM changes the answer. Order by a unique key.",
    bad: "SELECT id FROM jobs WHERE state = 'new' LIMIT 10;",
    good: "SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 10;",
    dialects: &[],
    crosswalk: &["sqlfluff:-"],
};

pub static UNUSED_CTE: RuleDoc = RuleDoc {
    id: "QRY017",
    slug: "unused-cte",
    family: "QRY",
    severity: Severity::Warning,
    summary: "A CTE that nothing reads.",
    why: "Dead code; MySQL and PostgreSQL before 12 (or with MATERIALIZED) may still compute it.",
    bad: "WITH a AS (SELECT 1 AS x), b AS (SELECT 2 AS y) SELECT x FROM a;",
    good: "WITH a AS (SELECT 1 AS x) SELECT x FROM a;",
    dialects: &[],
    crosswalk: &["sqlfluff:ST03"],
};

pub static UNUSED_JOIN: RuleDoc = RuleDoc {
    id: "QRY018",
    slug: "unused-join",
    family: "QRY",
    severity: Severity::Warning,
    summary: "A LEFT JOIN whose table is never read outside its ON clause.",
    why: "If the ON clause fixes a unique key the join changes nothing but the cost; otherwise it only duplicates rows.",
    bad: "SELECT o.id FROM orders o LEFT JOIN customers c ON c.id = o.customer_id;",
    good: "SELECT o.id FROM orders o;",
    dialects: &[],
    crosswalk: &["sqlfluff:-"],
};

pub static OR_ACROSS_COLUMNS: RuleDoc = RuleDoc {
    id: "QRY019",
    slug: "or-across-columns",
    family: "QRY",
    severity: Severity::Info,
    summary: "An OR whose branches test different columns.",
    why: "One index cannot serve it. PostgreSQL may combine bitmap scans (one index per column), MySQL may use index_merge; otherwise it is a full scan. A UNION ALL of index-served branches is the portable rewrite; each later branch excludes the earlier conditions with IS NOT TRUE, so duplicates are kept exactly (a plain UNION would also remove duplicates the original returns).",
    bad: "SELECT id FROM users WHERE email = $1 OR phone = $2;",
    good: "SELECT id FROM users WHERE email = $1 UNION ALL SELECT id FROM users WHERE phone = $2 AND (email = $1) IS NOT TRUE;",
    dialects: &[],
    crosswalk: &["sqlcheck:or-usage"],
};

pub static N_PLUS_ONE: RuleDoc = RuleDoc {
    id: "QRY020",
    slug: "n-plus-one",
    family: "QRY",
    severity: Severity::Warning,
    summary: "A query log with the same statement shape repeated with different literals (N+1 queries).",
    why: "Each call pays a round trip, parse and plan; a loop of N lookups costs N round trips where one batched query (`= ANY($1)`, IN, or one JOIN) costs one.",
    bad: "SELECT * FROM orders WHERE user_id = 1;\nSELECT * FROM orders WHERE user_id = 2;\nSELECT * FROM orders WHERE user_id = 3;",
    good: "SELECT * FROM orders WHERE user_id = ANY(ARRAY[1, 2, 3]);",
    dialects: &[],
    crosswalk: &["django:select_related", "rails:bullet"],
};

pub static DOCS: &[&RuleDoc] = &[
    &SELECT_STAR,
    &NON_SARGABLE,
    &IMPLICIT_CAST,
    &LEADING_WILDCARD,
    &EQUALS_NULL,
    &NOT_IN_NULLABLE,
    &DEEP_OFFSET,
    &ORDER_BY_RANDOM,
    &CARTESIAN_JOIN,
    &CORRELATED_SUBQUERY,
    &DISTINCT_FANOUT,
    &UNION_NOT_ALL,
    &COUNT_FOR_EXISTENCE,
    &LONG_IN_LIST,
    &DML_WITHOUT_WHERE,
    &LIMIT_WITHOUT_ORDER,
    &UNUSED_CTE,
    &UNUSED_JOIN,
    &OR_ACROSS_COLUMNS,
    &N_PLUS_ONE,
];

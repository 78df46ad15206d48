//! MIG: migration safety (locks, rewrites, compatibility), checked by `crate::migrate::lint`;
//! GEN: hazards the migration generator attaches to plan steps (`crate::migrate::plan`).

use super::RuleDoc;
use crate::findings::Severity;

macro_rules! rule {
    ($id:literal, $slug:literal, $fam:literal, $sev:ident, $summary:literal, $why:literal, $bad:literal, $good:literal, [$($d:literal),*], [$($x:literal),*]) => {
        RuleDoc {
            id: $id,
            slug: $slug,
            family: $fam,
            severity: Severity::$sev,
            summary: $summary,
            why: $why,
            bad: $bad,
            good: $good,
            dialects: &[$($d),*],
            crosswalk: &[$($x),*],
        }
    };
}

pub static DOCS: &[RuleDoc] = &[
    rule!(
        "MIG001",
        "require-concurrent-index-creation",
        "MIG",
        Warning,
        "`CREATE INDEX` on an existing table without `CONCURRENTLY`.",
        "A plain CREATE INDEX holds a SHARE lock for the whole build: every INSERT, UPDATE and DELETE on the table waits until the index is built. CONCURRENTLY builds it without blocking writes (it must run outside a transaction block). Tables created earlier in the same migration are exempt.",
        "CREATE INDEX orders_user_idx ON orders (user_id);",
        "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);",
        ["postgres"],
        [
            "squawk:require-concurrent-index-creation",
            "atlas:PG101",
            "strong_migrations:add_index"
        ]
    ),
    rule!(
        "MIG002",
        "require-concurrent-index-drop",
        "MIG",
        Warning,
        "`DROP INDEX` without `CONCURRENTLY`.",
        "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table: reads and writes wait behind it, and it waits behind every running query. DROP INDEX CONCURRENTLY does not block them.",
        "DROP INDEX orders_user_idx;",
        "DROP INDEX CONCURRENTLY orders_user_idx;",
        ["postgres"],
        ["squawk:require-concurrent-index-deletion", "atlas:PG102"]
    ),
    rule!(
        "MIG003",
        "concurrently-in-transaction",
        "MIG",
        Error,
        "`CREATE/DROP INDEX CONCURRENTLY` inside a transaction block.",
        "PostgreSQL refuses CONCURRENTLY inside a transaction block (`ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block`). Put it in its own migration with the tool's non-transactional mode (Flyway executeInTransaction=false, sqlx `-- no-transaction`, Alembic autocommit_block, Liquibase runInTransaction:false).",
        "BEGIN;\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\nCOMMIT;",
        "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);",
        ["postgres"],
        [
            "squawk:ban-concurrent-index-creation-in-transaction",
            "atlas:PG103"
        ]
    ),
    rule!(
        "MIG004",
        "fk-without-not-valid",
        "MIG",
        Warning,
        "A foreign key added to an existing table without `NOT VALID`.",
        "Adding a foreign key checks every existing row while holding SHARE ROW EXCLUSIVE locks on both tables, blocking writes to both. Add it NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT in a separate transaction, which only takes SHARE UPDATE EXCLUSIVE.",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
        ["postgres"],
        [
            "squawk:adding-foreign-key-constraint",
            "atlas:PG306",
            "strong_migrations:add_foreign_key"
        ]
    ),
    rule!(
        "MIG005",
        "check-without-not-valid",
        "MIG",
        Warning,
        "A CHECK constraint added to an existing table without `NOT VALID`.",
        "Adding a CHECK scans the whole table under an ACCESS EXCLUSIVE lock. Add it NOT VALID, then VALIDATE CONSTRAINT separately (SHARE UPDATE EXCLUSIVE: reads and writes continue).",
        "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total >= 0);",
        "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT total_positive;",
        ["postgres"],
        ["squawk:constraint-missing-not-valid", "atlas:PG305"]
    ),
    rule!(
        "MIG006",
        "unique-constraint-without-index",
        "MIG",
        Warning,
        "`ADD UNIQUE` on an existing table builds its index under an ACCESS EXCLUSIVE lock.",
        "ADD CONSTRAINT ... UNIQUE builds the unique index while blocking reads and writes. Build the index with CREATE UNIQUE INDEX CONCURRENTLY, then attach it: ADD CONSTRAINT ... UNIQUE USING INDEX (a short lock).",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
        "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;",
        ["postgres"],
        ["squawk:disallowed-unique-constraint", "atlas:PG105"]
    ),
    rule!(
        "MIG007",
        "primary-key-without-index",
        "MIG",
        Warning,
        "`ADD PRIMARY KEY` on an existing table builds its index under an ACCESS EXCLUSIVE lock.",
        "Like a unique constraint, a new primary key builds its index while blocking the table (and sets NOT NULL, scanning it). Build the unique index concurrently, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX.",
        "ALTER TABLE events ADD PRIMARY KEY (id);",
        "CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events (id);\nALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;",
        ["postgres"],
        ["squawk:adding-serial-primary-key-field", "atlas:PG104"]
    ),
    rule!(
        "MIG008",
        "set-not-null-scan",
        "MIG",
        Warning,
        "`ALTER COLUMN ... SET NOT NULL` scans the table under an ACCESS EXCLUSIVE lock.",
        "SET NOT NULL reads every row to prove there is no NULL while blocking reads and writes. On PostgreSQL 12+, a validated CHECK (col IS NOT NULL) lets SET NOT NULL skip the scan: add the check NOT VALID, VALIDATE it, SET NOT NULL, then drop the check.",
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        "ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_email_not_null;",
        ["postgres"],
        [
            "squawk:adding-not-nullable-field",
            "atlas:PG303",
            "strong_migrations:change_column_null"
        ]
    ),
    rule!(
        "MIG009",
        "add-required-column",
        "MIG",
        Error,
        "`ADD COLUMN ... NOT NULL` without a default on an existing table.",
        "The statement fails on any table that has rows, and application code that inserts without the new column breaks. Add the column with a default (or nullable, backfill, then set NOT NULL).",
        "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;",
        "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL DEFAULT 0;",
        [],
        ["squawk:adding-required-field", "atlas:MF103"]
    ),
    rule!(
        "MIG010",
        "add-column-default-rewrite",
        "MIG",
        Warning,
        "`ADD COLUMN` with a default that rewrites the table (any default before PostgreSQL 11, a volatile one after).",
        "PostgreSQL 11+ stores a constant default in the catalog without touching rows, but a volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval()) — or any default before 11 — rewrites the whole table under an ACCESS EXCLUSIVE lock. Add the column without the default, set the default, backfill in batches.",
        "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
        "ALTER TABLE users ADD COLUMN token uuid;\nALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();\n-- backfill in batches: UPDATE users SET token = gen_random_uuid() WHERE id BETWEEN ...;",
        ["postgres"],
        [
            "squawk:adding-field-with-default",
            "atlas:PG302",
            "strong_migrations:add_column_default"
        ]
    ),
    rule!(
        "MIG011",
        "column-type-change-rewrite",
        "MIG",
        Warning,
        "`ALTER COLUMN ... TYPE` that rewrites the table (not a binary-coercible change).",
        "Changing a column's type rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock (MySQL: a COPY rebuild). Widening varchar, varchar → text and widening numeric precision are exempt. Use expand/contract: add a new column, backfill, switch reads, drop the old one.",
        "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);",
        "ALTER TABLE orders ADD COLUMN total_v2 numeric(12,2);\n-- backfill in batches, switch the application, then drop total",
        [],
        [
            "squawk:changing-column-type",
            "atlas:PG301",
            "strong_migrations:change_column"
        ]
    ),
    rule!(
        "MIG012",
        "type-narrowing",
        "MIG",
        Warning,
        "A column type change that narrows the type (shorter length, smaller integer, lower precision or scale) or changes its family.",
        "Narrowing fails on rows that do not fit (or, for a lower numeric scale, silently rounds them), and the old values cannot come back in a down migration.",
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(20);",
        "ALTER TABLE users ADD CONSTRAINT name_len CHECK (char_length(name) <= 20) NOT VALID;",
        [],
        ["atlas:MF101", "MP044"]
    ),
    rule!(
        "MIG013",
        "rename-column",
        "MIG",
        Warning,
        "Renaming a column.",
        "Application code still using the old name fails the moment the rename commits; deploys are never atomic with migrations. Add the new column (or a view/generated column), migrate readers and writers, then drop the old one.",
        "ALTER TABLE users RENAME COLUMN name TO full_name;",
        "ALTER TABLE users ADD COLUMN full_name text;\n-- dual-write, backfill, switch reads, then drop name",
        [],
        [
            "squawk:renaming-column",
            "atlas:BC102",
            "strong_migrations:rename_column"
        ]
    ),
    rule!(
        "MIG014",
        "rename-table",
        "MIG",
        Warning,
        "Renaming a table.",
        "Running application code still uses the old name. Rename behind a compatibility view (CREATE VIEW old AS SELECT * FROM new) or expand/contract.",
        "ALTER TABLE users RENAME TO accounts;",
        "ALTER TABLE users RENAME TO accounts;\nCREATE VIEW users AS SELECT * FROM accounts;",
        [],
        [
            "squawk:renaming-table",
            "atlas:BC101",
            "strong_migrations:rename_table"
        ]
    ),
    rule!(
        "MIG015",
        "drop-column",
        "MIG",
        Warning,
        "Dropping a column.",
        "The column's data is gone and clients that still select or insert it break. Stop using it in the application first (and, in Rails/Django, ignore it in the model), then drop it in a later deploy.",
        "ALTER TABLE users DROP COLUMN legacy_flag;",
        "-- after the application no longer reads or writes legacy_flag:\nALTER TABLE users DROP COLUMN legacy_flag;  -- kd-dba: ignore MIG015 unused since v42",
        [],
        [
            "squawk:ban-drop-column",
            "atlas:DS103",
            "strong_migrations:remove_column"
        ]
    ),
    rule!(
        "MIG016",
        "drop-table",
        "MIG",
        Warning,
        "Dropping a table.",
        "Every row is deleted and clients still using the table fail. Rename it aside first or make sure nothing reads it; keep a backup.",
        "DROP TABLE audit_log;",
        "ALTER TABLE audit_log RENAME TO audit_log_retired;  -- drop in a later release",
        [],
        ["squawk:ban-drop-table", "atlas:DS102"]
    ),
    rule!(
        "MIG017",
        "drop-database-or-schema",
        "MIG",
        Error,
        "Dropping a database or a schema in a migration.",
        "It deletes everything in it. Migrations are replayed on every environment; this belongs in a one-off, reviewed operation, not in a migration.",
        "DROP SCHEMA reporting CASCADE;",
        "-- do it by hand, after a backup",
        [],
        [
            "squawk:ban-drop-database",
            "squawk:ban-drop-schema",
            "atlas:DS101"
        ]
    ),
    rule!(
        "MIG018",
        "drop-constraint",
        "MIG",
        Info,
        "Dropping a primary key, foreign key or check constraint.",
        "Integrity the application may rely on goes away, and dropping a primary key or unique constraint drops its index (queries slow down). Make sure it is intended.",
        "ALTER TABLE orders DROP CONSTRAINT orders_user_fk;",
        "-- replace it first, then drop the old one",
        [],
        [
            "squawk:ban-drop-constraint",
            "atlas:CD101",
            "atlas:CD102",
            "atlas:CD103"
        ]
    ),
    rule!(
        "MIG019",
        "drop-not-null",
        "MIG",
        Info,
        "`ALTER COLUMN ... DROP NOT NULL`.",
        "Readers that assume the column is never NULL may break once NULLs appear.",
        "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;",
        "-- make sure every reader handles NULL first",
        [],
        ["squawk:ban-drop-not-null"]
    ),
    rule!(
        "MIG020",
        "cascade-truncate-or-drop",
        "MIG",
        Warning,
        "`TRUNCATE ... CASCADE` or `DROP ... CASCADE`.",
        "CASCADE silently extends the operation to every table, view or constraint that depends on the target — including ones the author did not think of.",
        "TRUNCATE orders CASCADE;",
        "TRUNCATE order_items, orders;",
        [],
        ["squawk:ban-truncate-cascade", "MP022"]
    ),
    rule!(
        "MIG021",
        "require-lock-timeout",
        "MIG",
        Warning,
        "A statement that takes a heavy lock, with no `lock_timeout` set earlier in the migration.",
        "A DDL statement waiting for its lock blocks every query that arrives after it; without lock_timeout, one long-running transaction turns a migration into an outage. Set lock_timeout (and retry) first.",
        "ALTER TABLE orders ADD COLUMN note text;",
        "SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;",
        ["postgres"],
        ["squawk:require-lock-timeout", "MP004"]
    ),
    rule!(
        "MIG022",
        "require-statement-timeout",
        "MIG",
        Info,
        "A statement that takes a heavy lock, with no `statement_timeout` set earlier in the migration.",
        "A statement that runs far longer than expected (a rewrite, a scan) holds its lock the whole time. statement_timeout bounds the damage.",
        "ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);",
        "SET statement_timeout = '15min';\nALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);",
        ["postgres"],
        ["squawk:require-statement-timeout"]
    ),
    rule!(
        "MIG023",
        "transaction-nesting",
        "MIG",
        Warning,
        "`BEGIN` inside a transaction (a nested BEGIN, or a file the migration tool already wraps).",
        "PostgreSQL warns and ignores the inner BEGIN, so the inner COMMIT ends the tool's transaction early: later statements run outside it, and a failure leaves a half-applied migration.",
        "BEGIN;\nALTER TABLE a ADD COLUMN b int;\nCOMMIT;",
        "ALTER TABLE a ADD COLUMN b int;",
        [],
        ["squawk:transaction-nesting", "atlas:TX101"]
    ),
    rule!(
        "MIG024",
        "uncommitted-transaction",
        "MIG",
        Error,
        "`BEGIN` without a matching `COMMIT` in the file.",
        "The migration tool reports success but the open transaction is rolled back when the session ends: nothing was applied.",
        "BEGIN;\nALTER TABLE a ADD COLUMN b int;",
        "BEGIN;\nALTER TABLE a ADD COLUMN b int;\nCOMMIT;",
        [],
        ["squawk:ban-uncommitted-transaction"]
    ),
    rule!(
        "MIG025",
        "prefer-robust-stmts",
        "MIG",
        Info,
        "DDL without `IF [NOT] EXISTS` in a migration that cannot run in one transaction.",
        "A migration with non-transactional steps (CONCURRENTLY) can fail half-way; with IF NOT EXISTS / IF EXISTS it can simply be re-run.",
        "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_idx ON orders (user_id);",
        ["postgres"],
        ["squawk:prefer-robust-stmts"]
    ),
    rule!(
        "MIG026",
        "enum-value-ordering",
        "MIG",
        Info,
        "`ALTER TYPE ... ADD VALUE` without `BEFORE`/`AFTER`.",
        "The value goes to the end of the enum's sort order; for ordered enums (severity, status flow) say where it belongs.",
        "ALTER TYPE status ADD VALUE 'paused';",
        "ALTER TYPE status ADD VALUE 'paused' AFTER 'active';",
        ["postgres"],
        ["squawk:require-enum-value-ordering"]
    ),
    rule!(
        "MIG027",
        "enum-add-value-in-transaction",
        "MIG",
        Warning,
        "`ALTER TYPE ... ADD VALUE` inside a transaction on PostgreSQL before 12, or used in the same transaction on 12+.",
        "Before PostgreSQL 12 ADD VALUE cannot run in a transaction block at all; on 12+ the new value cannot be used until the transaction commits (`unsafe use of new value`).",
        "BEGIN;\nALTER TYPE status ADD VALUE 'paused';\nUPDATE jobs SET status = 'paused' WHERE ...;\nCOMMIT;",
        "ALTER TYPE status ADD VALUE 'paused';  -- own migration\n-- next migration: UPDATE jobs SET status = 'paused' ...",
        ["postgres"],
        ["MP012", "MP054"]
    ),
    rule!(
        "MIG029",
        "detach-partition-non-concurrent",
        "MIG",
        Warning,
        "`DETACH PARTITION` without `CONCURRENTLY`.",
        "It takes an ACCESS EXCLUSIVE lock on the parent table. PostgreSQL 14+ has DETACH PARTITION ... CONCURRENTLY.",
        "ALTER TABLE events DETACH PARTITION events_2020;",
        "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;",
        ["postgres"],
        ["squawk:require-concurrent-partition-detach"]
    ),
    rule!(
        "MIG030",
        "reindex-non-concurrent",
        "MIG",
        Warning,
        "`REINDEX` without `CONCURRENTLY`.",
        "REINDEX blocks writes to the table (and reads that would use the index) for the whole rebuild. PostgreSQL 12+ has REINDEX CONCURRENTLY.",
        "REINDEX INDEX orders_user_idx;",
        "REINDEX INDEX CONCURRENTLY orders_user_idx;",
        ["postgres"],
        ["squawk:require-concurrent-reindex"]
    ),
    rule!(
        "MIG031",
        "vacuum-full-or-cluster",
        "MIG",
        Warning,
        "`VACUUM FULL` or `CLUSTER` in a migration.",
        "Both rewrite the table under an ACCESS EXCLUSIVE lock. pg_repack does the same online.",
        "VACUUM FULL orders;",
        "-- pg_repack --table orders",
        ["postgres"],
        ["squawk:prefer-repack"]
    ),
    rule!(
        "MIG033",
        "domain-with-constraint",
        "MIG",
        Info,
        "A domain with a CHECK constraint (created, or added with ALTER DOMAIN).",
        "Adding a constraint to a domain revalidates every column of every table that uses it, and domain constraints are hard to change online later. Prefer table CHECK constraints.",
        "CREATE DOMAIN positive AS integer CHECK (VALUE > 0);",
        "CREATE TABLE t (n integer CHECK (n > 0));",
        ["postgres"],
        [
            "squawk:ban-create-domain-with-constraint",
            "squawk:ban-alter-domain-with-add-constraint"
        ]
    ),
    rule!(
        "MIG034",
        "stored-generated-column-rewrite",
        "MIG",
        Warning,
        "Adding a stored generated column or an identity column to an existing table.",
        "The value must be computed for every existing row: the table is rewritten under an ACCESS EXCLUSIVE lock.",
        "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;",
        "-- add a plain column, backfill in batches, keep it in sync with a trigger",
        ["postgres"],
        [
            "squawk:adding-field-with-default",
            "atlas:PG309",
            "atlas:PG310",
            "strong_migrations:add_column_generated_stored"
        ]
    ),
    rule!(
        "MIG036",
        "set-logged-unlogged",
        "MIG",
        Warning,
        "`ALTER TABLE ... SET LOGGED / SET UNLOGGED`.",
        "Both rewrite the whole table under an ACCESS EXCLUSIVE lock.",
        "ALTER TABLE staging SET LOGGED;",
        "-- create the table LOGGED from the start",
        ["postgres"],
        ["atlas:PG307"]
    ),
    rule!(
        "MIG042",
        "dependent-objects-broken",
        "MIG",
        Error,
        "A dropped or retyped column (or a dropped table) is still used by a view, an index, a trigger or a function of the schema.",
        "Found with the schema model: PostgreSQL refuses the DROP/ALTER while a view depends on it (or drops the view too with CASCADE), indexes on the column vanish silently, and functions or triggers that name it fail at run time. Drop or rewrite the dependents in the same migration.",
        "CREATE VIEW active_users AS SELECT id, email FROM users;\nALTER TABLE users DROP COLUMN email;",
        "DROP VIEW active_users;\nALTER TABLE users DROP COLUMN email;\nCREATE VIEW active_users AS SELECT id FROM users;",
        [],
        ["MP052"]
    ),
    rule!(
        "MIG045",
        "prefer-bigint-over-int",
        "MIG",
        Info,
        "An `integer` (int4) column in new DDL.",
        "int4 tops out at 2,147,483,647; identifiers and counters that reach it need a full-table type change later. bigint costs 4 bytes more per value.",
        "CREATE TABLE events (id integer PRIMARY KEY);",
        "CREATE TABLE events (id bigint PRIMARY KEY);",
        ["postgres"],
        ["squawk:prefer-bigint-over-int"]
    ),
    rule!(
        "MIG046",
        "prefer-bigint-over-smallint",
        "MIG",
        Info,
        "A `smallint` (int2) column in new DDL.",
        "int2 tops out at 32,767.",
        "CREATE TABLE t (n smallint);",
        "CREATE TABLE t (n bigint);",
        ["postgres"],
        ["squawk:prefer-bigint-over-smallint"]
    ),
    rule!(
        "MIG047",
        "prefer-identity",
        "MIG",
        Info,
        "A `serial` / `bigserial` column.",
        "serial creates a separately owned sequence with awkward permissions and dependency handling; GENERATED ... AS IDENTITY is the SQL-standard replacement (PostgreSQL 10+).",
        "CREATE TABLE t (id bigserial PRIMARY KEY);",
        "CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);",
        ["postgres"],
        ["squawk:prefer-identity"]
    ),
    rule!(
        "MIG048",
        "prefer-text-field",
        "MIG",
        Info,
        "A `varchar(n)` column.",
        "Changing n later needs an ALTER TYPE (a lock; a rewrite when shrinking). text with a CHECK (char_length(col) <= n) is as fast and the check can be replaced NOT VALID.",
        "CREATE TABLE t (name varchar(100));",
        "CREATE TABLE t (name text CHECK (char_length(name) <= 100));",
        ["postgres"],
        ["squawk:prefer-text-field"]
    ),
    rule!(
        "MIG049",
        "prefer-timestamptz",
        "MIG",
        Info,
        "A `timestamp` (without time zone) column.",
        "timestamp stores wall-clock time with no offset; values written from sessions in different time zones cannot be compared. timestamptz stores an instant.",
        "CREATE TABLE t (created_at timestamp);",
        "CREATE TABLE t (created_at timestamptz);",
        ["postgres"],
        ["squawk:prefer-timestamp-tz"]
    ),
    rule!(
        "MIG050",
        "ban-char-field",
        "MIG",
        Info,
        "A `char(n)` column.",
        "char(n) pads with spaces, compares surprisingly and is never faster than text or varchar.",
        "CREATE TABLE t (code char(10));",
        "CREATE TABLE t (code text);",
        ["postgres"],
        ["squawk:ban-char-field"]
    ),
    rule!(
        "MIG051",
        "identifier-too-long",
        "MIG",
        Warning,
        "An identifier longer than 63 bytes.",
        "PostgreSQL silently truncates it to 63 bytes, so the object gets another name than the migration says (and two long names may collide).",
        "CREATE INDEX an_index_name_that_is_much_longer_than_sixty_three_bytes_in_total_x ON t (a);",
        "CREATE INDEX t_a_idx ON t (a);",
        ["postgres"],
        ["squawk:identifier-too-long"]
    ),
    rule!(
        "MIG052",
        "duplicate-column",
        "MIG",
        Error,
        "The same column twice in a CREATE TABLE or in one UPDATE's SET list.",
        "The statement fails at run time.",
        "CREATE TABLE t (a int, a text);",
        "CREATE TABLE t (a int, b text);",
        [],
        ["squawk:ban-duplicate-column-assignments"]
    ),
    // GEN: hazards of generated plans.
    rule!(
        "GEN001",
        "deletes-data",
        "GEN",
        Warning,
        "A generated step deletes data (drops a table or column, or a rebuild does not copy a column).",
        "The down step can recreate the structure but not the rows or values; take a backup first.",
        "DROP TABLE audit_log;",
        "-- keep the table, or back it up first",
        [],
        ["pg-schema-diff:DELETES_DATA"]
    ),
    rule!(
        "GEN002",
        "access-exclusive-lock",
        "GEN",
        Info,
        "A generated step takes an ACCESS EXCLUSIVE lock.",
        "Reads and writes of the table wait until the step ends; lock_timeout keeps the wait bounded.",
        "ALTER TABLE users RENAME TO accounts;",
        "SET lock_timeout = '5s';\nALTER TABLE users RENAME TO accounts;",
        ["postgres"],
        ["pg-schema-diff:ACQUIRES_ACCESS_EXCLUSIVE_LOCK"]
    ),
    rule!(
        "GEN003",
        "share-lock",
        "GEN",
        Info,
        "A generated step takes a SHARE lock (writes wait).",
        "Writes to the table wait until the step ends.",
        "CREATE INDEX i ON t (a);",
        "CREATE INDEX CONCURRENTLY i ON t (a);",
        ["postgres"],
        ["pg-schema-diff:ACQUIRES_SHARE_LOCK"]
    ),
    rule!(
        "GEN004",
        "share-row-exclusive-lock",
        "GEN",
        Info,
        "A generated step takes SHARE ROW EXCLUSIVE locks (foreign keys).",
        "Writes to both tables wait for a moment.",
        "ALTER TABLE a DROP CONSTRAINT a_b_fkey;",
        "SET lock_timeout = '5s';\nALTER TABLE a DROP CONSTRAINT a_b_fkey;",
        ["postgres"],
        ["pg-schema-diff:ACQUIRES_SHARE_ROW_EXCLUSIVE_LOCK"]
    ),
    rule!(
        "GEN005",
        "index-build",
        "GEN",
        Info,
        "A generated step builds an index over existing rows.",
        "CPU and I/O proportional to the table; CONCURRENTLY keeps writes flowing but takes longer.",
        "CREATE INDEX CONCURRENTLY i ON t (a);",
        "-- run it off-peak",
        [],
        ["pg-schema-diff:INDEX_BUILD"]
    ),
    rule!(
        "GEN006",
        "index-dropped",
        "GEN",
        Info,
        "A generated step drops an index.",
        "Queries that used it may slow down.",
        "DROP INDEX CONCURRENTLY i;",
        "-- check pg_stat_user_indexes first",
        [],
        ["pg-schema-diff:INDEX_DROPPED"]
    ),
    rule!(
        "GEN007",
        "may-fail-on-data",
        "GEN",
        Warning,
        "A generated step can fail on existing rows (NOT NULL, unique, check, foreign key, narrowing).",
        "Check the data first (the step's hazard says what to look for) or clean it up in an earlier migration.",
        "ALTER TABLE t VALIDATE CONSTRAINT t_a_check;",
        "-- SELECT count(*) FROM t WHERE NOT (a > 0);",
        [],
        ["pg-schema-diff:CORRECTNESS"]
    ),
    rule!(
        "GEN008",
        "untracked-dependencies",
        "GEN",
        Info,
        "A generated step may affect something the model cannot see (application code, materialized view data).",
        "Review the callers.",
        "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;",
        "-- make sure readers handle NULL",
        [],
        ["pg-schema-diff:HAS_UNTRACKABLE_DEPENDENCIES"]
    ),
    rule!(
        "GEN009",
        "rewrites-table",
        "GEN",
        Warning,
        "A generated step rewrites the whole table.",
        "Time and disk proportional to the table, under an ACCESS EXCLUSIVE lock on PostgreSQL.",
        "ALTER TABLE t ALTER COLUMN a TYPE bigint;",
        "-- expand/contract: new column, backfill, switch",
        [],
        ["pg-schema-diff:IMPACTS_DATABASE_PERFORMANCE"]
    ),
    rule!(
        "GEN011",
        "possible-rename",
        "GEN",
        Warning,
        "The diff sees a table or column dropped and a similar one added: probably a rename.",
        "A rename keeps the data; drop + add loses it. Pass the rename hint the step names if it is a rename.",
        "-- old: users(id, name)  new: accounts(id, name)",
        "kd-dba migrate diff --rename users=accounts ...",
        [],
        ["sqldef:@renamed"]
    ),
];

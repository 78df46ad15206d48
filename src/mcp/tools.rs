//! Every MCP tool, in one list. Each capability adds its entry here: name, short description,
//! template, example arguments and the engine function. Descriptions stay short because
//! `tools/list` is paid for in every assistant's context (a test keeps it under 32 KiB).

use super::registry::{ToolDef, typed, typed_with_images};
use crate::{backup, role, tune};
use serde_json::json;

pub fn all() -> Vec<ToolDef> {
    vec![
        typed(
            "KD-db-route",
            "Route a prompt to the [DBA] role",
            "Decide whether a prompt is database work for the [DBA] role: activate yes/no, confidence, matched triggers, suggested /KD command and arguments. Detects pasted SQL by parsing it.",
            "route/decision.md",
            json!({"text": "the orders query takes 4 seconds", "stage": "Implementation"}),
            true,
            |req: role::RouteRequest, ctx| {
                ctx.limits.check_bytes(
                    req.text.len() + req.recent_context.as_ref().map_or(0, String::len),
                )?;
                Ok(role::route(&req))
            },
        ),
        typed(
            "KD-schema",
            "Design or take a schema",
            "Design a schema from a domain spec (format: resource kd-dba://schema/spec) for postgres, mysql or sqlite: DDL, index strategy, engine differences, normalization, review, Mermaid ERD, up/down migration, ORM models. Or take existing DDL (sql/paths).",
            "schema/design.md",
            json!({"spec": {"entities": [{"name": "user", "fields": [{"name": "email", "type": "email", "required": true, "unique": true}]}]}, "dialect": "postgres", "orm": ["prisma"]}),
            true,
            crate::design::schema,
        ),
        typed(
            "KD-db-handoff",
            "Hand [DBA] work to [ARCH], [BACKEND] or [DEVOPS]",
            "Structured handoff from [DBA] to arch (database architecture), backend (query optimization) or devops (database deployment): artifacts, decisions, open questions, blockers, next actions, exit gate and the receiver's checklist.",
            "handoff/handoff.md",
            json!({"to": "devops", "summary": "Orders schema and migration ready", "artifacts": [{"kind": "migration", "path": "migrations/001_orders.up.sql"}], "decisions": ["bigint identity keys"]}),
            true,
            |req: role::HandoffRequest, ctx| role::handoff(&req, ctx.base_dir.as_deref()),
        ),
        typed_with_images(
            "KD-db-erd",
            "Entity-relationship diagram",
            "ERD from DDL: Mermaid, ASCII, DBML, PlantUML or SVG (image, own layout). Cardinality from keys; junction tables as N:M; subsets by tables or around+depth; schema grouping.",
            "erd/erd.md",
            json!({"sql": "CREATE TABLE users (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id));", "format": "mermaid"}),
            true,
            crate::erd::run,
        ),
        typed(
            "KD-db-backup",
            "Backup and recovery plan with scripts",
            "Backup/PITR plan (postgres, mysql, mariadb, sqlite, mongodb, redis) from size, RPO, RTO, target: tool, schedule, RPO/RTO/storage arithmetic, risks; generated scripts, timers, cron, alert rules, runbook; a ready KD-db-handoff request.",
            "backup/plan.md",
            json!({"engine": "postgres", "size": "200GB", "growth": "5GB/month", "rpo": "15m", "rto": "1h", "target": "s3://bucket/pg", "retention": "30d"}),
            true,
            |req: backup::BackupRequest, _ctx| backup::backup(&req),
        ),
        typed(
            "KD-db-tune",
            "Engine configuration for machine and workload",
            "Settings for postgres (PGTune formulas), mysql/mariadb, sqlite from RAM, cores, storage, workload, connections, with reasons and restart flags; diff against current settings ranked by impact; config file; a ready KD-db-handoff request.",
            "tune/tune.md",
            json!({"engine": "postgres", "version": "16", "ram": "64GB", "cores": 16, "storage": "ssd", "workload": "oltp", "connections": 200}),
            true,
            |req: tune::TuneRequest, ctx| {
                ctx.limits
                    .check_bytes(req.current.as_ref().map_or(0, String::len))?;
                tune::tune(&req)
            },
        ),
        typed(
            "KD-db-review",
            "Review a schema against the rules",
            "Review DDL or migrations (sql/paths) with 45+ rules (SCH design, IDX, SEC, NAM): ID, severity, line:column, why, fix SQL. Options: dialect, version, disable, min_severity; normalize: 1NF/2NF/3NF with refactored DDL and migration.",
            "review/review.md",
            json!({"sql": "CREATE TABLE orders (id serial PRIMARY KEY, user_id int, total float);", "dialect": "postgres", "version": "16"}),
            true,
            crate::review::review,
        ),
        typed(
            "KD-db-index",
            "Index strategy for a workload",
            "Indexes for a workload (queries with calls, SQL/server log, pg_stat_statements CSV/JSON) over a schema with its indexes: equality-range-sort keys, INCLUDE, partial, expression, GIN/FULLTEXT; cost model with stats, write cost, budget; CREATE/DROP per engine; per-query benefit.",
            "index/index.md",
            json!({"schema": {"sql": "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, status text, created_at timestamptz);"}, "queries": [{"sql": "SELECT id FROM orders WHERE user_id = $1 ORDER BY created_at DESC LIMIT 20", "calls": 1000}], "dialect": "postgres"}),
            true,
            crate::advise::run,
        ),
        typed(
            "KD-optimize",
            "Find why queries are slow or wrong; rewrite them",
            "Queries or a log (plain, pg_stat_statements CSV/JSON, MySQL slow log) + optional schema, stats: QRY findings (line:col), rewrites with equivalence conditions, N+1 batching, index candidates, EXPLAIN to run.",
            "optimize/optimize.md",
            json!({"sql": "SELECT * FROM orders WHERE DATE(created_at) = '2024-05-01' ORDER BY id LIMIT 20 OFFSET 5000", "schema": {"sql": "CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);"}, "dialect": "postgres"}),
            true,
            crate::optimize::run,
        ),
        typed(
            "KD-db-migrate",
            "Schema diff to safe migrations; migration lint",
            "diff: from/to DDL or migration folders → ordered steps with up/down, hazards, lock-safe forms (CONCURRENTLY, NOT VALID+VALIDATE, timeouts; MySQL ALGORITHM/LOCK; SQLite rebuild) as sql, golang-migrate, sqlx, flyway, liquibase or alembic files. lint: MIG rules over migration files.",
            "migrate/report.md",
            json!({"from": {"sql": "CREATE TABLE users (id bigint PRIMARY KEY);"}, "to": {"sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL DEFAULT '');"}, "dialect": "postgres", "format": "flyway"}),
            true,
            crate::migrate::migrate,
        ),
        typed(
            "KD-db-explain",
            "Read an EXPLAIN plan",
            "PostgreSQL EXPLAIN JSON/text (ANALYZE, BUFFERS, psql framing), MySQL/MariaDB FORMAT=JSON, SQLite EXPLAIN QUERY PLAN: PLN findings with actions, plan table (time, rows est vs actual, loops, buffers); optional query and schema.",
            "explain/explain.md",
            json!({"plan": "Seq Scan on orders  (cost=0.00..1693.00 rows=10 width=8) (actual time=0.02..9.1 rows=50 loops=1)\n  Filter: (customer_id = 42)\n  Rows Removed by Filter: 99950", "dialect": "postgres"}),
            true,
            crate::explain::run,
        ),
    ]
}

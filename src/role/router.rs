//! The router: does a prompt call for the [DBA] role, how sure are we, and which command fits?
//!
//! Deterministic and explainable. The prompt is tokenised; terms from a lexicon add evidence
//! (strong database words, engine and ORM names, word forms of the card's triggers), ambiguous
//! words (schema, index, query, migration, table, backup ...) count only when no negative context
//! claims them ("GraphQL schema", "index.html", "React Query", "migrate to TypeScript"), SQL pasted
//! into the prompt is detected by parsing it, and the workflow stage and recent context weigh in.
//! Every point of the score is listed in `matched`, so a decision can always be explained.

use crate::sql::DialectChoice;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Input of the router.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
pub struct RouteRequest {
    /// The user's prompt (free text; may contain SQL).
    pub text: String,
    /// Workflow stage: Discovery, Brainstorm, Requirements, Architecture, Implementation,
    /// Quality, Deployment or Release.
    #[serde(default)]
    pub stage: Option<String>,
    /// A short summary of what the session was doing (earlier prompts, open files).
    #[serde(default)]
    pub recent_context: Option<String>,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Trigger {
    /// `keyword`, `engine`, `sql`, `stage`, `context`, `command` or `negative`.
    pub kind: String,
    /// The term as matched.
    pub term: String,
    /// Contribution to the score (negative for counter-evidence).
    pub weight: f64,
}

/// Confidence level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    High,
    Medium,
    Low,
}

/// The router's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RouteDecision {
    /// Whether the [DBA] role should switch on.
    pub activate: bool,
    pub role: String,
    /// 0..1.
    pub confidence: f64,
    pub level: Level,
    /// Raw evidence score (activation threshold 2.5).
    pub score: f64,
    pub matched: Vec<Trigger>,
    /// The stage as understood, if one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Suggested slash command, e.g. `/KD-optimize`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The MCP tool behind the command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Suggested arguments for the command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
    /// One line: why.
    pub reason: String,
}

pub const THRESHOLD: f64 = 2.5;

/// Commands the router can suggest, in tie-break priority order.
pub const COMMANDS: &[(&str, &str)] = &[
    ("/KD-db-explain", "KD-db-explain"),
    ("/KD-db-backup", "KD-db-backup"),
    ("/KD-db-tune", "KD-db-tune"),
    ("/KD-db-erd", "KD-db-erd"),
    ("/KD-db-handoff", "KD-db-handoff"),
    ("/KD-db-migrate", "KD-db-migrate"),
    ("/KD-db-index", "KD-db-index"),
    ("/KD-optimize", "KD-optimize"),
    ("/KD-db-review", "KD-db-review"),
    ("/KD-schema", "KD-schema"),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum C {
    Explain,
    Backup,
    Tune,
    Erd,
    Handoff,
    Migrate,
    Index,
    Optimize,
    Review,
    Schema,
}

impl C {
    fn idx(self) -> usize {
        self as usize
    }
}

/// A lexicon entry: a phrase (space-separated tokens; a trailing `*` matches any suffix of the
/// last token), its activation weight, the command it points to with an affinity weight, and the
/// words that, when present, mean it is not about databases.
struct Term {
    phrase: &'static str,
    weight: f64,
    kind: &'static str,
    cmd: Option<(C, f64)>,
    neg: &'static [&'static str],
}

const fn t(
    phrase: &'static str,
    weight: f64,
    kind: &'static str,
    cmd: Option<(C, f64)>,
    neg: &'static [&'static str],
) -> Term {
    Term {
        phrase,
        weight,
        kind,
        cmd,
        neg,
    }
}

const NONE: &[&str] = &[];
/// Front-end and tooling words that claim "performance", "schema", "index", "query", "table" ...
const FRONTEND: &[&str] = &[
    "syntax highlighting",
    "react",
    "vue",
    "angular",
    "svelte",
    "component",
    "components",
    "render",
    "rerender",
    "re-render",
    "rerenders",
    "re-renders",
    "dom",
    "css",
    "html",
    "jsx",
    "tsx",
    "webpack",
    "vite",
    "bundle",
    "frontend",
    "front-end",
    "browser",
    "lighthouse",
    "tailwind",
    "nextjs",
    "next.js",
    "redux",
    "usememo",
    "usestate",
    "useeffect",
    "hook",
    "hooks",
    "props",
    "animation",
];
const SCHEMA_NEG: &[&str] = &[
    "graphql",
    "json",
    "jsonschema",
    "openapi",
    "swagger",
    "zod",
    "yup",
    "joi",
    "avro",
    "protobuf",
    "xml",
    "xsd",
    "yaml",
    "ajv",
    "pydantic",
    "marshmallow",
    "typescript",
    "redux",
    "form",
    "validation",
    "validate",
    "apollo",
    "resolver",
    "resolvers",
    "mutation",
    "mutations",
    "markup",
    "seo",
    "structured",
    "mongoose-free",
    "kafka",
    "event",
    "config",
];
const INDEX_NEG: &[&str] = &[
    "index page",
    "index pages",
    "landing page",
    "index.html",
    "index.js",
    "index.ts",
    "index.tsx",
    "index.jsx",
    "index.php",
    "index.md",
    "array",
    "list",
    "loop",
    "git",
    "vector",
    "elasticsearch",
    "opensearch",
    "algolia",
    "lucene",
    "solr",
    "search engine",
    "google",
    "seo",
    "pandas",
    "dataframe",
    "numpy",
    "string",
    "substring",
    "python list",
    "tuple",
    "enumerate",
    "iloc",
    "loc",
    "out of range",
    "route",
    "barrel",
    "typesense",
    "meilisearch",
    "sitemap",
    "crawl",
];
const QUERY_NEG: &[&str] = &[
    "react query",
    "tanstack",
    "query string",
    "querystring",
    "query param",
    "query params",
    "query parameter",
    "query parameters",
    "url",
    "jquery",
    "media query",
    "media queries",
    "graphql",
    "usequery",
    "search bar",
    "elasticsearch",
    "opensearch",
    "dns",
    "apollo",
    "container query",
    "http",
    "endpoint",
    "google sheets",
    "sheets",
    "sheet",
    "excel",
    "spreadsheet",
    "pandas",
    "dataframe",
    "power query",
    "power bi",
];
const MIGRATE_NEG: &[&str] = &[
    "typescript",
    "javascript",
    "python 3",
    "python3",
    "react",
    "vue",
    "angular",
    "webpack",
    "vite",
    "git",
    "github",
    "gitlab",
    "repo",
    "repository",
    "repositories",
    "monorepo",
    "kubernetes",
    "k8s",
    "aws",
    "gcp",
    "azure",
    "cloud",
    "server",
    "servers",
    "java",
    "spring boot",
    "node",
    "node.js",
    "npm",
    "yarn",
    "pnpm",
    "eslint",
    "jest",
    "vitest",
    "framework",
    "library",
    "version",
    "upgrade",
    "email",
    "domain",
    "dns",
    "slack",
    "jira",
    "birds",
    "kotlin",
    "swift",
    "esm",
    "commonjs",
    "api",
    "hooks",
    "class components",
    "tailwind",
    "storybook",
];
const TABLE_NEG: &[&str] = &[
    "html",
    "markdown",
    "css",
    "excel",
    "spreadsheet",
    "pivot",
    "word",
    "docx",
    "latex",
    "tailwind",
    "react",
    "component",
    "ui",
    "ag-grid",
    "datatable",
    "mui",
    "antd",
    "bootstrap",
    "<table>",
    "td",
    "tr",
    "flexbox",
    "grid",
    "dining",
    "restaurant",
    "furniture",
    "google sheets",
    "sheets",
    "sheet",
    "pandas",
    "dataframe",
    "numpy",
];
const BACKUP_NEG: &[&str] = &[
    "photo",
    "photos",
    "laptop",
    "phone",
    "iphone",
    "android",
    "icloud",
    "google drive",
    "dropbox",
    "time machine",
    "files",
    "documents",
    "home directory",
    "dotfiles",
    "git",
    "repo",
    "repository",
    "vm image",
    "windows",
    "mac",
    "macbook",
    "wordpress plugin",
    "music",
    "contacts",
    "whatsapp",
    "nas",
    "external drive",
    "hard drive",
    "usb",
    "vs code",
    "vscode",
    "settings sync",
    "editor",
    "ide",
    "bookmarks",
    "browser",
    "obsidian",
    "notes",
];
const PERF_NEG: &[&str] = &[
    "react",
    "vue",
    "angular",
    "component",
    "render",
    "rerender",
    "re-render",
    "css",
    "webpack",
    "vite",
    "bundle",
    "lighthouse",
    "frontend",
    "front-end",
    "browser",
    "animation",
    "jvm",
    "gc",
    "garbage",
    "heap",
    "kubernetes",
    "pod",
    "pods",
    "cpu",
    "gpu",
    "game",
    "unity",
    "ios",
    "android",
    "mobile",
    "app startup",
    "image",
    "images",
    "video",
    "network",
    "wifi",
    "laptop",
    "python loop",
    "numpy",
    "pandas",
    "golang",
    "goroutine",
    "rust",
    "compile",
    "build time",
    "ci",
    "docker build",
    "test suite",
    "tests",
];
const NORM_NEG: &[&str] = &[
    "css",
    "audio",
    "volume",
    "vector",
    "vectors",
    "text",
    "unicode",
    "string",
    "strings",
    "whitespace",
    "path",
    "paths",
    "url",
    "urls",
    "data science",
    "pandas",
    "numpy",
    "features",
    "feature",
    "image",
    "images",
    "loudness",
    "redux",
    "normalizr",
    "min-max",
    "scaling",
];
const DS_NEG: &[&str] = &[
    "data structure",
    "data structures",
    "course",
    "homework",
    "leetcode",
    "algorithm",
    "algorithms",
    "implement",
    "insertion",
    "binary tree",
    "red-black",
];
const MODEL_NEG: &[&str] = &[
    "machine learning",
    "ml",
    "llm",
    "gpt",
    "neural",
    "training",
    "train",
    "3d",
    "blender",
    "pytorch",
    "tensorflow",
    "openai",
    "embedding",
    "transformer",
    "huggingface",
];

const E: &str = "engine";
const K: &str = "keyword";

static TERMS: &[Term] = &[
    // Engines, ORMs and tools: strong on their own.
    t("postgres", 3.0, E, None, NONE),
    t("postgresql", 3.0, E, None, NONE),
    t("psql", 3.0, E, None, NONE),
    t("pg", 2.0, E, None, &["pg-13", "pg13", "pg-rated", "page"]),
    t("mysql", 3.0, E, None, NONE),
    t("mariadb", 3.0, E, None, NONE),
    t("sqlite", 3.0, E, None, NONE),
    t("sqlite3", 3.0, E, None, NONE),
    t("mongodb", 3.0, E, None, NONE),
    t("mongo", 3.0, E, None, NONE),
    t("mongoose", 2.5, E, None, NONE),
    t("redis", 2.5, E, None, NONE),
    t("dynamodb", 3.0, E, None, NONE),
    t(
        "oracle",
        1.5,
        E,
        None,
        &["java", "jdk", "cloud", "license", "virtualbox"],
    ),
    t("sql server", 3.0, E, None, NONE),
    t("mssql", 3.0, E, None, NONE),
    t("cockroachdb", 3.0, E, None, NONE),
    t("timescaledb", 3.0, E, None, NONE),
    t("supabase", 2.5, E, None, NONE),
    t("planetscale", 2.5, E, None, NONE),
    t(
        "neon",
        1.0,
        E,
        None,
        &["sign", "light", "color", "colour", "glow"],
    ),
    t("rds", 2.5, E, None, NONE),
    t("aurora", 2.5, E, None, NONE),
    t("cloud sql", 3.0, E, None, NONE),
    t("pgbouncer", 3.0, E, Some((C::Tune, 1.0)), NONE),
    t("prisma", 3.0, E, None, NONE),
    t("typeorm", 3.0, E, None, NONE),
    t("sequelize", 3.0, E, None, NONE),
    t("sqlalchemy", 3.0, E, None, NONE),
    t("django orm", 3.0, E, None, NONE),
    t("activerecord", 3.0, E, None, NONE),
    t("active record", 2.5, E, None, NONE),
    t("knex", 3.0, E, None, NONE),
    t("drizzle", 2.0, E, None, NONE),
    t("hibernate", 2.5, E, None, NONE),
    t("jpa", 2.0, E, None, NONE),
    t("ecto", 2.0, E, None, NONE),
    t("diesel", 1.5, E, None, &["engine", "car", "fuel", "truck"]),
    t("gorm", 2.5, E, None, NONE),
    t("orm", 2.5, K, None, NONE),
    t("flyway", 3.0, E, Some((C::Migrate, 2.0)), NONE),
    t("liquibase", 3.0, E, Some((C::Migrate, 2.0)), NONE),
    t("alembic", 3.0, E, Some((C::Migrate, 2.0)), NONE),
    t("pg_dump", 3.0, E, Some((C::Backup, 2.0)), NONE),
    t("pg_dumpall", 3.0, E, Some((C::Backup, 2.0)), NONE),
    t("pg_restore", 3.0, E, Some((C::Backup, 2.0)), NONE),
    t("pg_basebackup", 3.0, E, Some((C::Backup, 2.0)), NONE),
    t("mysqldump", 3.0, E, Some((C::Backup, 2.0)), NONE),
    t("mariadb-dump", 3.0, E, Some((C::Backup, 2.0)), NONE),
    t("mariabackup", 3.0, E, Some((C::Backup, 2.0)), NONE),
    t("xtrabackup", 3.0, E, Some((C::Backup, 2.0)), NONE),
    t("pgbackrest", 3.0, E, Some((C::Backup, 2.0)), NONE),
    t("wal-g", 3.0, E, Some((C::Backup, 2.0)), NONE),
    t("barman", 2.5, E, Some((C::Backup, 2.0)), NONE),
    t("litestream", 3.0, E, Some((C::Backup, 2.0)), NONE),
    t("mongodump", 3.0, E, Some((C::Backup, 2.0)), NONE),
    t("pg_stat_statements", 3.0, E, Some((C::Optimize, 2.0)), NONE),
    t("hypopg", 3.0, E, Some((C::Index, 2.0)), NONE),
    t("plpgsql", 3.0, E, None, NONE),
    // Core vocabulary.
    t(
        "sql",
        3.0,
        K,
        None,
        &[
            "syntax highlighting",
            "highlighting",
            "prism.js",
            "prismjs",
            "highlight.js",
            "codemirror",
            "monaco",
            "pygments",
        ],
    ),
    t("database", 3.0, K, None, NONE),
    t("databases", 3.0, K, None, NONE),
    t("db", 2.5, K, None, &["decibel", "decibels", "volume"]),
    t("dba", 3.0, K, None, NONE),
    t("rdbms", 3.0, K, None, NONE),
    t("ddl", 3.0, K, Some((C::Review, 1.0)), NONE),
    t("dml", 3.0, K, None, NONE),
    t("schema", 1.5, K, Some((C::Schema, 1.0)), SCHEMA_NEG),
    t("schemas", 1.5, K, Some((C::Schema, 1.0)), SCHEMA_NEG),
    t("table", 0.8, K, None, TABLE_NEG),
    t("tables", 1.0, K, None, TABLE_NEG),
    t("column", 0.8, K, None, TABLE_NEG),
    t("columns", 0.8, K, None, TABLE_NEG),
    t("row", 0.3, K, None, TABLE_NEG),
    t("rows", 0.5, K, None, TABLE_NEG),
    t("foreign key", 3.0, K, Some((C::Review, 1.0)), NONE),
    t("foreign keys", 3.0, K, Some((C::Review, 1.0)), NONE),
    t("fk", 2.5, K, Some((C::Review, 1.0)), NONE),
    t("fks", 2.5, K, Some((C::Review, 1.0)), NONE),
    t("primary key", 3.0, K, Some((C::Schema, 0.5)), NONE),
    t("primary keys", 3.0, K, Some((C::Schema, 0.5)), NONE),
    t("unique constraint", 3.0, K, None, NONE),
    t("constraint", 1.0, K, None, NONE),
    t(
        "constraints",
        1.0,
        K,
        None,
        &["layout", "autolayout", "css", "ios", "scheduling"],
    ),
    t(
        "join",
        0.8,
        K,
        Some((C::Optimize, 0.5)),
        &[
            "meeting", "team", "call", "discord", "slack", "array", "path", "strings", "string",
            "python", "lodash", "join()",
        ],
    ),
    t(
        "joins",
        1.2,
        K,
        Some((C::Optimize, 0.5)),
        &["array", "strings"],
    ),
    t("query", 1.0, K, Some((C::Optimize, 1.0)), QUERY_NEG),
    t("queries", 1.2, K, Some((C::Optimize, 1.0)), QUERY_NEG),
    t("subquery", 2.5, K, Some((C::Optimize, 1.5)), NONE),
    t("cte", 2.5, K, Some((C::Optimize, 1.0)), NONE),
    t("upsert", 2.0, K, None, NONE),
    t(
        "transaction",
        1.0,
        K,
        None,
        &[
            "payment",
            "payments",
            "credit card",
            "stripe",
            "bank",
            "blockchain",
            "crypto",
            "wallet",
        ],
    ),
    t(
        "transactions",
        1.0,
        K,
        None,
        &[
            "payment",
            "payments",
            "credit card",
            "stripe",
            "bank",
            "blockchain",
            "crypto",
            "wallet",
        ],
    ),
    t("isolation level", 3.0, K, None, NONE),
    t(
        "deadlock",
        2.0,
        K,
        Some((C::Optimize, 1.0)),
        &["thread", "threads", "mutex", "goroutine", "rust", "async"],
    ),
    t("stored procedure", 3.0, K, None, NONE),
    t("stored procedures", 3.0, K, None, NONE),
    t("materialized view", 3.0, K, Some((C::Optimize, 0.5)), NONE),
    t("trigger", 0.3, K, None, NONE),
    t("triggers", 0.3, K, None, NONE),
    t(
        "partitioning",
        1.5,
        K,
        Some((C::Schema, 1.0)),
        &["disk", "hard drive", "kafka"],
    ),
    t("sharding", 2.0, K, Some((C::Schema, 1.0)), NONE),
    t(
        "replication",
        2.0,
        K,
        Some((C::Backup, 1.5)),
        &["kafka", "dna", "s3"],
    ),
    t(
        "replica",
        1.5,
        K,
        Some((C::Backup, 1.0)),
        &["kafka", "kubernetes", "pod", "deployment", "replicaset"],
    ),
    t("read replica", 3.0, K, Some((C::Backup, 1.0)), NONE),
    t("data model", 2.5, K, Some((C::Schema, 3.0)), MODEL_NEG),
    t("data modeling", 2.5, K, Some((C::Schema, 3.0)), MODEL_NEG),
    t("data modelling", 2.5, K, Some((C::Schema, 3.0)), MODEL_NEG),
    t("entity relationship", 3.0, K, Some((C::Erd, 4.0)), NONE),
    t("er diagram", 3.0, K, Some((C::Erd, 4.0)), NONE),
    t("erd", 3.0, K, Some((C::Erd, 4.0)), NONE),
    t("erds", 3.0, K, Some((C::Erd, 4.0)), NONE),
    t("dbml", 3.0, K, Some((C::Erd, 4.0)), NONE),
    t("normalization", 2.5, K, Some((C::Schema, 2.5)), NORM_NEG),
    t("normalisation", 2.5, K, Some((C::Schema, 2.5)), NORM_NEG),
    t("normalize", 1.5, K, Some((C::Schema, 2.5)), NORM_NEG),
    t("normalise", 1.5, K, Some((C::Schema, 2.5)), NORM_NEG),
    t("normalized", 1.5, K, Some((C::Schema, 2.0)), NORM_NEG),
    t("normalised", 1.5, K, Some((C::Schema, 2.0)), NORM_NEG),
    t("denormalize", 2.5, K, Some((C::Schema, 2.0)), NORM_NEG),
    t("denormalization", 2.5, K, Some((C::Schema, 2.0)), NORM_NEG),
    t("3nf", 3.0, K, Some((C::Schema, 2.5)), NONE),
    t("bcnf", 3.0, K, Some((C::Schema, 2.5)), NONE),
    t("1nf", 3.0, K, Some((C::Schema, 2.5)), NONE),
    t("2nf", 3.0, K, Some((C::Schema, 2.5)), NONE),
    t("junction table", 3.0, K, Some((C::Schema, 2.0)), NONE),
    t("join table", 3.0, K, Some((C::Schema, 2.0)), NONE),
    t("many-to-many", 1.5, K, Some((C::Schema, 1.5)), NONE),
    t("one-to-many", 1.5, K, Some((C::Schema, 1.5)), NONE),
    // Indexing.
    t("index", 1.5, K, Some((C::Index, 3.0)), INDEX_NEG),
    t("indexes", 2.0, K, Some((C::Index, 3.0)), INDEX_NEG),
    t("indices", 1.5, K, Some((C::Index, 3.0)), INDEX_NEG),
    t("indexing", 2.0, K, Some((C::Index, 3.0)), INDEX_NEG),
    t("indexed", 1.0, K, Some((C::Index, 2.0)), INDEX_NEG),
    t("reindex", 3.0, K, Some((C::Index, 2.0)), INDEX_NEG),
    t("composite index", 3.0, K, Some((C::Index, 3.0)), NONE),
    t("covering index", 3.0, K, Some((C::Index, 3.0)), NONE),
    t("partial index", 3.0, K, Some((C::Index, 3.0)), NONE),
    t("btree", 3.0, K, Some((C::Index, 2.0)), DS_NEG),
    t("b-tree", 3.0, K, Some((C::Index, 2.0)), DS_NEG),
    t(
        "gin",
        1.0,
        K,
        Some((C::Index, 2.0)),
        &["gin framework", "golang", "go", "drink", "cocktail"],
    ),
    // Query performance and plans.
    t("n+1", 3.0, K, Some((C::Optimize, 3.0)), NONE),
    t("slow query", 3.0, K, Some((C::Optimize, 3.0)), NONE),
    t("slow queries", 3.0, K, Some((C::Optimize, 3.0)), NONE),
    t("slow log", 2.5, K, Some((C::Optimize, 2.0)), NONE),
    t("explain analyze", 3.0, K, Some((C::Explain, 4.0)), NONE),
    t("explain", 0.5, K, Some((C::Explain, 1.5)), NONE),
    t("query plan", 3.0, K, Some((C::Explain, 4.0)), NONE),
    t("query planner", 3.0, K, Some((C::Explain, 3.0)), NONE),
    t("execution plan", 3.0, K, Some((C::Explain, 4.0)), NONE),
    t("seq scan", 3.0, K, Some((C::Explain, 3.0)), NONE),
    t("sequential scan", 3.0, K, Some((C::Explain, 3.0)), NONE),
    t("index scan", 3.0, K, Some((C::Explain, 2.0)), NONE),
    t("bitmap heap scan", 3.0, K, Some((C::Explain, 3.0)), NONE),
    t("nested loop", 2.5, K, Some((C::Explain, 3.0)), NONE),
    t("hash join", 3.0, K, Some((C::Explain, 3.0)), NONE),
    t(
        "rows removed by filter",
        3.0,
        K,
        Some((C::Explain, 3.0)),
        NONE,
    ),
    t("full table scan", 3.0, K, Some((C::Index, 1.5)), NONE),
    t(
        "vacuum",
        2.5,
        K,
        Some((C::Tune, 2.0)),
        &["cleaner", "robot", "dyson", "roomba"],
    ),
    t("autovacuum", 3.0, K, Some((C::Tune, 2.0)), NONE),
    t(
        "bloat",
        1.0,
        K,
        Some((C::Tune, 1.0)),
        &["bundle", "code", "javascript", "node_modules"],
    ),
    // Configuration.
    t("shared_buffers", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t("work_mem", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t("maintenance_work_mem", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t("effective_cache_size", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t("max_connections", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t("random_page_cost", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t(
        "innodb_buffer_pool_size",
        3.0,
        K,
        Some((C::Tune, 4.0)),
        NONE,
    ),
    t("innodb", 3.0, K, Some((C::Tune, 1.0)), NONE),
    t("postgresql.conf", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t("my.cnf", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t(
        "pragma",
        2.0,
        K,
        Some((C::Tune, 2.0)),
        &["c", "c++", "gcc", "rust", "#pragma", "openmp"],
    ),
    t("pgtune", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t(
        "checkpoint",
        0.5,
        K,
        Some((C::Tune, 1.0)),
        &["model", "training", "pytorch", "tensorflow"],
    ),
    t("connection pool", 1.5, K, Some((C::Tune, 2.0)), NONE),
    t("connection pooling", 1.5, K, Some((C::Tune, 2.0)), NONE),
    // Backup and recovery.
    t("backup", 1.0, K, Some((C::Backup, 3.0)), BACKUP_NEG),
    t("backups", 1.0, K, Some((C::Backup, 3.0)), BACKUP_NEG),
    t("back up", 1.0, K, Some((C::Backup, 3.0)), BACKUP_NEG),
    t("restore", 0.8, K, Some((C::Backup, 2.5)), BACKUP_NEG),
    t("point-in-time", 2.5, K, Some((C::Backup, 3.0)), NONE),
    t(
        "point in time recovery",
        3.0,
        K,
        Some((C::Backup, 3.0)),
        NONE,
    ),
    t("pitr", 3.0, K, Some((C::Backup, 3.0)), NONE),
    t(
        "wal",
        2.5,
        K,
        Some((C::Backup, 2.0)),
        &["wall", "street", "mart", "walmart"],
    ),
    t("wal archiving", 3.0, K, Some((C::Backup, 3.0)), NONE),
    t("binlog", 3.0, K, Some((C::Backup, 2.0)), NONE),
    t("binlogs", 3.0, K, Some((C::Backup, 2.0)), NONE),
    t("disaster recovery", 1.0, K, Some((C::Backup, 3.0)), NONE),
    t("rpo", 1.0, K, Some((C::Backup, 3.0)), NONE),
    t("rto", 1.0, K, Some((C::Backup, 3.0)), NONE),
    // Migrations.
    t("migration", 1.0, K, Some((C::Migrate, 2.5)), MIGRATE_NEG),
    t("migrations", 1.5, K, Some((C::Migrate, 2.0)), MIGRATE_NEG),
    t("migrate", 0.8, K, Some((C::Migrate, 2.5)), MIGRATE_NEG),
    t("alter table", 3.0, K, Some((C::Migrate, 3.0)), NONE),
    t("add column", 2.0, K, Some((C::Migrate, 3.0)), TABLE_NEG),
    t("add a column", 2.0, K, Some((C::Migrate, 3.0)), TABLE_NEG),
    t("rename column", 2.0, K, Some((C::Migrate, 3.0)), TABLE_NEG),
    t(
        "rename a column",
        2.0,
        K,
        Some((C::Migrate, 3.0)),
        TABLE_NEG,
    ),
    t("drop column", 2.5, K, Some((C::Migrate, 3.0)), NONE),
    t("drop a column", 2.5, K, Some((C::Migrate, 3.0)), NONE),
    t("zero-downtime", 0.5, K, Some((C::Migrate, 1.5)), NONE),
    t("backfill", 1.5, K, Some((C::Migrate, 2.0)), NONE),
    t("schema change", 2.0, K, Some((C::Migrate, 3.0)), NONE),
    t("schema changes", 2.0, K, Some((C::Migrate, 3.0)), NONE),
    t("schema diff", 2.5, K, Some((C::Migrate, 3.0)), NONE),
    t("rollback", 0.5, K, Some((C::Migrate, 1.0)), NONE),
    // More vocabulary (word forms, file names, cloud and ORM specifics).
    t("relational", 2.5, K, None, NONE),
    t("what tables", 2.0, K, Some((C::Schema, 2.5)), TABLE_NEG),
    t("tables for", 2.0, K, Some((C::Schema, 2.5)), TABLE_NEG),
    t("create tables", 2.0, K, Some((C::Schema, 2.5)), TABLE_NEG),
    t("audit history", 0.5, "intent", Some((C::Schema, 3.0)), NONE),
    t("audit trail", 0.5, "intent", Some((C::Schema, 3.0)), NONE),
    t("audit log", 0.5, "intent", Some((C::Schema, 3.0)), NONE),
    t("design issues", 0.3, "intent", Some((C::Review, 3.0)), NONE),
    t(
        "design problems",
        0.3,
        "intent",
        Some((C::Review, 3.0)),
        NONE,
    ),
    t(
        "good db design",
        0.5,
        "intent",
        Some((C::Review, 3.0)),
        NONE,
    ),
    t("good design", 0.3, "intent", Some((C::Review, 2.5)), NONE),
    t("sanity check", 0.3, "intent", Some((C::Review, 3.0)), NONE),
    t("denormalized", 2.5, K, Some((C::Schema, 2.0)), NORM_NEG),
    t("denormalised", 2.5, K, Some((C::Schema, 2.0)), NORM_NEG),
    t("summary table", 1.5, K, Some((C::Schema, 1.5)), TABLE_NEG),
    t("django models", 3.0, E, Some((C::Schema, 1.0)), NONE),
    t("django model", 3.0, E, Some((C::Schema, 1.0)), NONE),
    t("models.py", 2.5, E, Some((C::Schema, 1.0)), NONE),
    t("makemigrations", 3.0, E, Some((C::Migrate, 3.0)), NONE),
    t("schema.prisma", 3.0, E, None, NONE),
    t("schema.rb", 3.0, E, None, NONE),
    t("structure.sql", 3.0, E, Some((C::Review, 1.0)), NONE),
    t("schema.sql", 3.0, E, Some((C::Review, 1.0)), NONE),
    t("erdiagram", 3.0, K, Some((C::Erd, 4.0)), NONE),
    t("entity-relationship", 3.0, K, Some((C::Erd, 4.0)), NONE),
    t("gsi", 2.5, K, Some((C::Index, 3.0)), NONE),
    t("gsis", 2.5, K, Some((C::Index, 3.0)), NONE),
    t("lsi", 2.0, K, Some((C::Index, 3.0)), NONE),
    t("access patterns", 1.0, K, Some((C::Index, 1.5)), NONE),
    t("selects", 1.5, K, Some((C::Optimize, 2.0)), NONE),
    t(
        "lazy loading",
        1.5,
        K,
        Some((C::Optimize, 3.0)),
        &[
            "image",
            "images",
            "react",
            "component",
            "route",
            "routes",
            "module",
            "modules",
            "webpack",
            "img",
        ],
    ),
    t("eager loading", 2.0, K, Some((C::Optimize, 3.0)), NONE),
    t("select_related", 3.0, E, Some((C::Optimize, 3.0)), NONE),
    t("prefetch_related", 3.0, E, Some((C::Optimize, 3.0)), NONE),
    t("joinedload", 3.0, E, Some((C::Optimize, 3.0)), NONE),
    t(
        "pragmas",
        2.5,
        K,
        Some((C::Tune, 4.0)),
        &["c", "c++", "gcc", "rust", "openmp"],
    ),
    t("maxmemory", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t("maxmemory-policy", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t("parameter group", 2.0, K, Some((C::Tune, 3.0)), NONE),
    t("parameter groups", 2.0, K, Some((C::Tune, 3.0)), NONE),
    t("connection limit", 1.0, K, Some((C::Tune, 3.0)), NONE),
    t("too many connections", 2.0, K, Some((C::Tune, 3.0)), NONE),
    t("database is locked", 3.0, K, Some((C::Tune, 2.0)), NONE),
    t("busy_timeout", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t("journal_mode", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t("pool_mode", 3.0, K, Some((C::Tune, 4.0)), NONE),
    t("erwin", 2.0, K, Some((C::Erd, 3.0)), NONE),
    // Intent words: no activation weight on their own, only command affinity.
    t("check", 0.1, "intent", Some((C::Review, 1.0)), NONE),
    t("bad practices", 0.3, "intent", Some((C::Review, 3.0)), NONE),
    t("good practice", 0.3, "intent", Some((C::Review, 2.0)), NONE),
    t("red flags", 0.3, "intent", Some((C::Review, 3.0)), NONE),
    t("problem", 0.1, "intent", Some((C::Review, 1.0)), NONE),
    t("problems", 0.1, "intent", Some((C::Review, 1.5)), NONE),
    t("issues", 0.1, "intent", Some((C::Review, 1.0)), NONE),
    t("wrong", 0.1, "intent", Some((C::Review, 1.5)), NONE),
    t("smells", 0.3, "intent", Some((C::Review, 2.5)), NONE),
    t("existing", 0.1, "intent", Some((C::Review, 1.5)), NONE),
    t("dump", 0.3, "intent", Some((C::Review, 1.0)), NONE),
    t("svg", 0.3, "intent", Some((C::Erd, 3.0)), NONE),
    t("png", 0.2, "intent", Some((C::Erd, 2.0)), NONE),
    t("draw", 0.3, "intent", Some((C::Erd, 3.0)), NONE),
    t("picture", 0.2, "intent", Some((C::Erd, 2.0)), NONE),
    t("hammering", 0.5, "intent", Some((C::Optimize, 2.0)), NONE),
    t("per request", 0.3, "intent", Some((C::Optimize, 2.0)), NONE),
    t("batch", 0.2, "intent", Some((C::Optimize, 1.5)), NONE),
    t("hundreds of", 0.1, "intent", Some((C::Optimize, 1.0)), NONE),
    t("downtime", 0.3, "intent", Some((C::Migrate, 2.0)), NONE),
    t("convert", 0.2, "intent", Some((C::Migrate, 2.0)), NONE),
    t("moving from", 0.3, "intent", Some((C::Migrate, 2.0)), NONE),
    t("recover", 0.3, "intent", Some((C::Backup, 2.0)), NONE),
    t("recovery", 0.3, "intent", Some((C::Backup, 2.0)), NONE),
    t(
        "get the rows back",
        1.0,
        "intent",
        Some((C::Backup, 3.0)),
        NONE,
    ),
    t(
        "accidentally deleted",
        0.5,
        "intent",
        Some((C::Backup, 3.0)),
        NONE,
    ),
    t("slow", 0.5, "intent", Some((C::Optimize, 2.0)), NONE),
    t("slower", 0.5, "intent", Some((C::Optimize, 2.0)), NONE),
    t("faster", 0.3, "intent", Some((C::Optimize, 2.0)), NONE),
    t("speed up", 0.3, "intent", Some((C::Optimize, 2.0)), NONE),
    t("optimize", 0.5, "intent", Some((C::Optimize, 2.0)), NONE),
    t("optimise", 0.5, "intent", Some((C::Optimize, 2.0)), NONE),
    t(
        "optimization",
        0.5,
        "intent",
        Some((C::Optimize, 2.0)),
        NONE,
    ),
    t("rewrite", 0.3, "intent", Some((C::Optimize, 1.0)), NONE),
    t("timeout", 0.3, "intent", Some((C::Optimize, 1.0)), NONE),
    t("takes", 0.0, "intent", Some((C::Optimize, 0.5)), NONE),
    t("seconds", 0.0, "intent", Some((C::Optimize, 0.5)), NONE),
    t("performance", 1.0, K, Some((C::Optimize, 1.5)), PERF_NEG),
    t("design", 0.3, "intent", Some((C::Schema, 2.0)), NONE),
    t("model", 0.3, "intent", Some((C::Schema, 1.0)), MODEL_NEG),
    t("models", 0.3, "intent", Some((C::Schema, 1.0)), MODEL_NEG),
    t("entities", 0.5, "intent", Some((C::Schema, 1.5)), NONE),
    t("relationships", 0.5, "intent", Some((C::Schema, 1.5)), NONE),
    t("review", 0.3, "intent", Some((C::Review, 2.5)), NONE),
    t("audit", 0.3, "intent", Some((C::Review, 2.5)), NONE),
    t("lint", 0.3, "intent", Some((C::Review, 2.0)), NONE),
    t("anti-pattern", 0.5, "intent", Some((C::Review, 2.0)), NONE),
    t("anti-patterns", 0.5, "intent", Some((C::Review, 2.0)), NONE),
    t("antipatterns", 0.5, "intent", Some((C::Review, 2.0)), NONE),
    t(
        "best practices",
        0.3,
        "intent",
        Some((C::Review, 1.5)),
        NONE,
    ),
    t("what's wrong", 0.3, "intent", Some((C::Review, 1.5)), NONE),
    t("diagram", 0.5, "intent", Some((C::Erd, 3.0)), NONE),
    t("diagrams", 0.5, "intent", Some((C::Erd, 3.0)), NONE),
    t("visualize", 0.3, "intent", Some((C::Erd, 2.0)), NONE),
    t("visualise", 0.3, "intent", Some((C::Erd, 2.0)), NONE),
    t("mermaid", 0.5, "intent", Some((C::Erd, 2.5)), NONE),
    t("plantuml", 0.5, "intent", Some((C::Erd, 2.5)), NONE),
    t("tune", 0.5, "intent", Some((C::Tune, 2.5)), NONE),
    t("tuning", 0.5, "intent", Some((C::Tune, 2.5)), NONE),
    t("configuration", 0.3, "intent", Some((C::Tune, 1.5)), NONE),
    t("config", 0.2, "intent", Some((C::Tune, 1.5)), NONE),
    t("settings", 0.2, "intent", Some((C::Tune, 1.5)), NONE),
    t("memory", 0.2, "intent", Some((C::Tune, 1.0)), NONE),
    t("ram", 0.2, "intent", Some((C::Tune, 1.0)), NONE),
    t("hand off", 0.5, "intent", Some((C::Handoff, 4.0)), NONE),
    t("handoff", 0.5, "intent", Some((C::Handoff, 4.0)), NONE),
    t("hand over", 0.5, "intent", Some((C::Handoff, 4.0)), NONE),
    t("hand-off", 0.5, "intent", Some((C::Handoff, 4.0)), NONE),
    t("devops", 0.3, "intent", Some((C::Handoff, 1.0)), NONE),
    t("deployment", 0.2, "intent", Some((C::Handoff, 0.5)), NONE),
    t("architect", 0.3, "intent", Some((C::Handoff, 1.0)), NONE),
];

/// Tokenise: lower case; words keep inner `_ . + -` (`pg_dump`, `my.cnf`, `n+1`, `wal-g`).
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | ';'
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '"'
                    | '\''
                    | '`'
                    | '!'
                    | '?'
                    | ':'
                    | '/'
                    | '\\'
                    | '|'
                    | '='
                    | '<'
                    | '>'
                    | '*'
                    | '&'
                    | '#'
                    | '@'
                    | '~'
                    | '^'
                    | '%'
            )
    }) {
        let w = raw
            .trim_matches(|c: char| matches!(c, '.' | '-' | '_'))
            .to_lowercase();
        if !w.is_empty() {
            out.push(w);
        }
    }
    out
}

/// Position of `phrase` in `toks`, if present (a trailing `*` matches a prefix).
fn find_phrase(toks: &[String], phrase: &str) -> bool {
    let words: Vec<&str> = phrase.split(' ').collect();
    if words.len() > toks.len() {
        return false;
    }
    (0..=toks.len() - words.len()).any(|i| {
        words
            .iter()
            .enumerate()
            .all(|(k, w)| match w.strip_suffix('*') {
                Some(pre) => toks[i + k].starts_with(pre),
                None => toks[i + k] == *w,
            })
    })
}

fn has_any(toks: &[String], words: &[&str]) -> Option<String> {
    words
        .iter()
        .find(|w| find_phrase(toks, w))
        .map(|w| w.to_string())
}

/// Damerau-Levenshtein distance ≤ 1 (one edit or one transposition), for typos.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return true;
    }
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let mut i = 0;
    while i < la.min(lb) && a[i] == b[i] {
        i += 1;
    }
    if la == lb {
        (a[i + 1..] == b[i + 1..])
            || (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && a[i + 2..] == b[i + 2..])
    } else if la > lb {
        a[i + 1..] == b[i..]
    } else {
        a[i..] == b[i + 1..]
    }
}

/// Verbs that change a schema, and what they change: "drop the legacy column", "add fk".
const DDL_VERBS: &[&str] = &[
    "add", "drop", "rename", "alter", "change", "remove", "modify", "widen", "backfill",
];
const DDL_OBJECTS: &[&str] = &[
    "column",
    "columns",
    "constraint",
    "constraints",
    "fk",
    "fks",
    "foreign",
    "default",
    "nullable",
    "enum",
    "index",
    "table",
];
const HANDOFF_VERBS: &[&str] = &[
    "hand", "handoff", "handover", "pass", "give", "escalate", "transfer", "send",
];
const HANDOFF_TARGETS: &[&str] = &[
    "devops",
    "ops",
    "sre",
    "backend",
    "architect",
    "architecture",
    "arch",
    "platform",
    "infra",
];
const SQL_UPPER: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "JOIN",
    "DELETE",
    "UPDATE",
    "INSERT",
    "GROUP",
    "ORDER",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "TRUNCATE",
    "DISTINCT",
    "UNION",
    "VALUES",
    "RETURNING",
    "COALESCE",
];

/// SQL found in the prompt, if any: a statement that parses, written like code.
pub fn detect_sql(text: &str) -> Option<(String, bool)> {
    const STARTS: &[&str] = &[
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "WITH", "EXPLAIN",
        "TRUNCATE", "MERGE",
    ];
    // Candidate starts: code fences first, then any line or sentence starting with a keyword.
    let mut candidates: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(p) = rest.find("```") {
        let after = &rest[p + 3..];
        let body_start = after.find('\n').map(|n| n + 1).unwrap_or(0);
        let end = after[body_start..]
            .find("```")
            .map(|e| body_start + e)
            .unwrap_or(after.len());
        candidates.push(after[body_start..end].to_string());
        rest = &after[(end + 3).min(after.len())..];
    }
    for (i, _) in text.char_indices() {
        let tail = &text[i..];
        let boundary = i == 0 || !text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        if !boundary {
            continue;
        }
        if let Some(kw) = STARTS.iter().find(|k| {
            tail.get(..k.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(k))
        }) {
            let after = &tail[kw.len()..];
            if !after.starts_with(|c: char| c.is_whitespace()) {
                continue;
            }
            // Up to a blank line or the end.
            let end = tail.find("\n\n").unwrap_or(tail.len());
            candidates.push(tail[..end].to_string());
            if candidates.len() > 12 {
                break;
            }
        }
    }
    let limits = crate::limits::Limits {
        max_bytes: 256 * 1024,
        max_statements: 50,
        max_depth: 64,
    };
    for c in candidates {
        let c = c.trim();
        if c.len() < 8 {
            continue;
        }
        let upper_kw = STARTS.iter().any(|k| c.starts_with(k));
        let codeish = c.contains('*')
            || c.contains('=')
            || c.contains('(')
            || c.contains(';')
            || c.contains('.');
        for d in [DialectChoice::Postgres, DialectChoice::Mysql] {
            // Prose often follows the SQL on the same line ("... DESC takes 4 seconds"): on a
            // parse error, cut the text where the parser stopped and try again.
            let mut piece: &str = c;
            for _ in 0..4 {
                let Ok(p) = crate::sql::parse_text(piece, d, &limits) else {
                    break;
                };
                let failed = p.statements.iter().find_map(|s| match &s.kind {
                    crate::sql::StmtKind::Failed(e) => Some((s.span.start, e.at)),
                    _ => None,
                });
                if let Some((_, at)) = failed {
                    let Some(off) = crate::sql::repair::offset_of(piece, at.line, at.column) else {
                        break;
                    };
                    let cut = piece[..off].trim_end();
                    if cut.len() < 8 || cut.len() == piece.len() {
                        break;
                    }
                    piece = cut;
                    continue;
                }
                let parsed: Vec<_> = p.statements.iter().filter_map(|s| s.parsed()).collect();
                if parsed.is_empty() {
                    break;
                }
                let structural = parsed.iter().any(|s| {
                    let t = s.to_string();
                    t.contains(" FROM ")
                        || t.contains("INTO ")
                        || t.contains(" SET ")
                        || t.contains("TABLE")
                        || t.contains("INDEX")
                        || t.contains("VIEW")
                });
                if structural && (upper_kw || codeish) {
                    let ddl = parsed.iter().any(|s| {
                        matches!(
                            s,
                            sqlparser::ast::Statement::CreateTable(_)
                                | sqlparser::ast::Statement::AlterTable(_)
                                | sqlparser::ast::Statement::CreateIndex(_)
                        )
                    });
                    return Some((piece.to_string(), ddl));
                }
                break;
            }
        }
    }
    None
}

/// Evidence from one text.
struct Evidence {
    score: f64,
    affinity: [f64; 10],
    matched: Vec<Trigger>,
    strong: bool,
    sql: Option<(String, bool)>,
}

/// Evidence in `text`. Words in `neg_extra` (the recent context of a short follow-up) can also
/// claim ambiguous terms: "add one more column" after work on an HTML table is not database work.
fn evidence(text: &str, kind_prefix: &str, neg_extra: &[String]) -> Evidence {
    let toks = tokens(text);
    let mut neg_scope = toks.clone();
    neg_scope.extend(neg_extra.iter().cloned());
    let mut ev = Evidence {
        score: 0.0,
        affinity: [0.0; 10],
        matched: Vec::new(),
        strong: false,
        sql: None,
    };
    // Multi-word terms claim their words so `slow query` does not also count `query`.
    let mut claimed: Vec<&str> = Vec::new();
    let mut terms: Vec<&Term> = TERMS.iter().collect();
    terms.sort_by_key(|t| std::cmp::Reverse(t.phrase.split(' ').count()));
    for term in terms {
        if !find_phrase(&toks, term.phrase) {
            continue;
        }
        let words: Vec<&str> = term.phrase.split(' ').collect();
        if words.len() == 1 && claimed.contains(&words[0]) {
            continue;
        }
        if let Some(neg) = has_any(&neg_scope, term.neg) {
            ev.matched.push(Trigger {
                kind: "negative".into(),
                term: format!("{} (claimed by \"{neg}\")", term.phrase),
                weight: 0.0,
            });
            continue;
        }
        claimed.extend(words.iter().copied());
        ev.score += term.weight;
        if term.weight >= 2.5 {
            ev.strong = true;
        }
        if let Some((c, a)) = term.cmd {
            ev.affinity[c.idx()] += a;
        }
        if term.weight > 0.0 {
            ev.matched.push(Trigger {
                kind: format!("{kind_prefix}{}", term.kind),
                term: term.phrase.to_string(),
                weight: term.weight,
            });
        }
    }
    // Typos of database words ("migraton", "bakup", "indx", "revew").
    for tok in &toks {
        if tok.len() < 4 || TERMS.iter().any(|t| t.phrase == tok) {
            continue;
        }
        if let Some(term) = TERMS.iter().find(|t| {
            !t.phrase.contains(' ')
                && t.phrase.len() >= 5
                && t.weight >= 0.3
                && t.phrase.chars().all(|c| c.is_ascii_alphabetic())
                && within_one_edit(tok, t.phrase)
        }) {
            if claimed.contains(&term.phrase) || has_any(&neg_scope, term.neg).is_some() {
                continue;
            }
            claimed.push(term.phrase);
            ev.score += term.weight;
            if let Some((c, a)) = term.cmd {
                ev.affinity[c.idx()] += a;
            }
            ev.matched.push(Trigger {
                kind: format!("{kind_prefix}{}", term.kind),
                term: format!("{tok} (≈ {})", term.phrase),
                weight: term.weight,
            });
        }
    }
    // Schema-change phrasing with words in between: "drop the legacy_status column", "add fk".
    if let Some((verb, obj)) = toks.iter().enumerate().find_map(|(i, t)| {
        if !DDL_VERBS.contains(&t.as_str()) {
            return None;
        }
        toks[i + 1..toks.len().min(i + 5)]
            .iter()
            .find(|o| DDL_OBJECTS.contains(&o.as_str()))
            .map(|o| (t.clone(), o.clone()))
    }) && has_any(&neg_scope, TABLE_NEG).is_none()
        && has_any(&neg_scope, FRONTEND).is_none()
    {
        ev.score += 1.5;
        if obj == "index" {
            ev.affinity[C::Index.idx()] += 3.0;
        } else {
            ev.affinity[C::Migrate.idx()] += 3.0;
        }
        ev.matched.push(Trigger {
            kind: format!("{kind_prefix}keyword"),
            term: format!("{verb} … {obj}"),
            weight: 1.5,
        });
    }
    // Handing work to another role: "pass the deployment over to devops".
    if let Some((verb, target)) = toks.iter().enumerate().find_map(|(i, t)| {
        if !HANDOFF_VERBS.contains(&t.as_str()) {
            return None;
        }
        toks[i + 1..toks.len().min(i + 12)]
            .iter()
            .find(|o| HANDOFF_TARGETS.contains(&o.as_str()))
            .map(|o| (t.clone(), o.clone()))
    }) {
        ev.affinity[C::Handoff.idx()] += 6.0;
        ev.matched.push(Trigger {
            kind: format!("{kind_prefix}intent"),
            term: format!("{verb} … {target}"),
            weight: 0.0,
        });
    }
    // Column-style identifiers (customer_id, created_at) are database vocabulary.
    if let Some(id) = toks.iter().find(|t| {
        (t.ends_with("_id") || t.ends_with("_at") || t.ends_with("_ids"))
            && t.len() > 4
            && t.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    }) {
        ev.score += 1.0;
        ev.matched.push(Trigger {
            kind: format!("{kind_prefix}keyword"),
            term: id.clone(),
            weight: 1.0,
        });
    }
    // SQL keywords written in capitals ("DELETE without a WHERE").
    let upper: Vec<&str> = SQL_UPPER
        .iter()
        .copied()
        .filter(|k| {
            text.split(|c: char| !c.is_ascii_alphabetic())
                .any(|w| w == *k)
        })
        .collect();
    if upper.len() >= 2 {
        ev.score += 1.5;
        ev.matched.push(Trigger {
            kind: format!("{kind_prefix}keyword"),
            term: upper.join(" "),
            weight: 1.5,
        });
    }
    // A file of SQL or schema (`db/structure.sql`, `schema.prisma`) means existing DDL.
    if let Some(f) = toks.iter().find(|t| {
        (t.ends_with(".sql") || t.ends_with(".prisma") || t.ends_with(".dbml")) && t.len() > 4
    }) && !claimed.iter().any(|c| c == f)
    {
        ev.score += 2.5;
        ev.strong = true;
        ev.affinity[C::Review.idx()] += 1.0;
        ev.matched.push(Trigger {
            kind: format!("{kind_prefix}keyword"),
            term: f.clone(),
            weight: 2.5,
        });
    }
    // Two or more distinct database words reinforce each other ("index the orders table").
    let weak_db: Vec<&Trigger> = ev
        .matched
        .iter()
        .filter(|t| {
            t.kind.ends_with("keyword") && t.weight > 0.0 && t.weight < 2.5 && !t.term.contains('…')
        })
        .collect();
    let design_intent = ev.matched.iter().any(|t| {
        t.kind.ends_with("intent")
            && matches!(
                t.term.as_str(),
                "design" | "model" | "models" | "entities" | "relationships" | "review"
            )
    }) || [
        "need",
        "create",
        "structure",
        "structured",
        "represent",
        "store",
        "relations",
    ]
    .iter()
    .any(|w| toks.iter().any(|t| t == w));
    if weak_db.len() >= 2 || (weak_db.len() == 1 && design_intent) {
        ev.score += 1.0;
        ev.matched.push(Trigger {
            kind: format!("{kind_prefix}keyword"),
            term: "co-occurring database terms".into(),
            weight: 1.0,
        });
    }
    if let Some(sql) = detect_sql(text) {
        ev.score += 4.0;
        ev.strong = true;
        let head: String = sql.0.chars().take(40).collect();
        ev.matched.push(Trigger {
            kind: format!("{kind_prefix}sql"),
            term: head,
            weight: 4.0,
        });
        if sql.1 {
            ev.affinity[C::Review.idx()] += 1.0;
        } else {
            ev.affinity[C::Optimize.idx()] += 1.0;
        }
        ev.sql = Some(sql);
    }
    // Front-end context with no strong database evidence counts against.
    if !ev.strong
        && let Some(fe) = has_any(&neg_scope, FRONTEND)
    {
        ev.score -= 1.5;
        ev.matched.push(Trigger {
            kind: "negative".into(),
            term: format!("front-end context (\"{fe}\")"),
            weight: -1.5,
        });
    }
    ev
}

/// Map a stage name to its canonical form and weight.
fn stage_weight(stage: &str) -> Option<(&'static str, f64)> {
    match stage.trim().to_ascii_lowercase().as_str() {
        "architecture" | "arch" | "design" => Some(("Architecture", 1.0)),
        "implementation" | "impl" | "build" | "development" => Some(("Implementation", 0.5)),
        "quality" | "qa" | "test" | "testing" | "review" => Some(("Quality", 0.5)),
        "discovery" => Some(("Discovery", 0.0)),
        "brainstorm" => Some(("Brainstorm", 0.0)),
        "requirements" => Some(("Requirements", 0.0)),
        "deployment" => Some(("Deployment", 0.0)),
        "release" => Some(("Release", 0.0)),
        _ => None,
    }
}

/// The router reads at most this much of a prompt (and of the recent context): evidence is in
/// the first pages, and routing runs on every prompt, so it must stay fast.
pub const MAX_ROUTE_BYTES: usize = 64 * 1024;

fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Route a prompt.
pub fn route(req: &RouteRequest) -> RouteDecision {
    let text = clip(req.text.trim(), MAX_ROUTE_BYTES);
    // Explicit slash command: `/KD-optimize ...`, or namespaced `/kd-dba:KD-optimize ...`.
    if let Some(first) = text.split_whitespace().next()
        && first.starts_with('/')
    {
        let bare = first.trim_start_matches('/');
        let bare = bare.rsplit(':').next().unwrap_or(bare);
        if let Some((c, tool)) = COMMANDS
            .iter()
            .find(|(c, _)| c.trim_start_matches('/').eq_ignore_ascii_case(bare))
        {
            let args = text[first.len()..].trim();
            return RouteDecision {
                activate: true,
                role: "[DBA]".into(),
                confidence: 1.0,
                level: Level::High,
                score: 10.0,
                matched: vec![Trigger {
                    kind: "command".into(),
                    term: c.to_string(),
                    weight: 10.0,
                }],
                stage: req
                    .stage
                    .as_deref()
                    .and_then(stage_weight)
                    .map(|s| s.0.to_string()),
                command: Some(c.to_string()),
                tool: Some(tool.to_string()),
                arguments: (!args.is_empty()).then(|| args.to_string()),
                reason: format!("explicit command {c}"),
            };
        }
    }
    // A short follow-up that points back ("make it faster", "draw that", "do the same for
    // staging") is about whatever the session was doing.
    let prompt_toks = tokens(text);
    let follow_up = prompt_toks.len() <= 10
        && prompt_toks.iter().any(|t| {
            matches!(
                t.as_str(),
                "it" | "this"
                    | "that"
                    | "them"
                    | "same"
                    | "those"
                    | "these"
                    | "there"
                    | "one"
                    | "more"
            )
        });
    let ctx_toks: Vec<String> = match (&req.recent_context, follow_up) {
        (Some(c), true) => tokens(clip(c, MAX_ROUTE_BYTES)),
        _ => Vec::new(),
    };
    let mut ev = evidence(text, "", &ctx_toks);
    let mut matched = std::mem::take(&mut ev.matched);
    let mut score = ev.score;
    let mut affinity = ev.affinity;
    // Recent context: half weight, at most 2 points, and only when the prompt itself does not
    // already say what it is about.
    if let Some(ctx) = req
        .recent_context
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    {
        let cev = evidence(clip(ctx, MAX_ROUTE_BYTES), "context:", &[]);
        // For a short follow-up the context counts in full.
        let add = if follow_up && cev.score >= THRESHOLD {
            cev.score.min(3.0)
        } else {
            (cev.score * 0.5).clamp(-1.0, 2.0)
        };
        if add.abs() > f64::EPSILON && (score < THRESHOLD || add < 0.0) {
            score += add;
            matched.push(Trigger {
                kind: "context".into(),
                term: cev
                    .matched
                    .iter()
                    .filter(|t| t.weight > 0.0)
                    .map(|t| t.term.clone())
                    .take(4)
                    .collect::<Vec<_>>()
                    .join(", "),
                weight: add,
            });
            let share = if follow_up { 0.6 } else { 0.3 };
            for (a, b) in affinity.iter_mut().zip(cev.affinity) {
                *a += b * share;
            }
        }
    }
    // Stage: only with some database evidence already present.
    let stage = req.stage.as_deref().and_then(stage_weight);
    if let Some((name, w)) = stage
        && w > 0.0
        && score >= 1.0
    {
        score += w;
        matched.push(Trigger {
            kind: "stage".into(),
            term: name.to_string(),
            weight: w,
        });
    }
    let activate = score >= THRESHOLD;
    let confidence = if score <= 0.0 {
        0.0
    } else {
        1.0 - (-score / 3.0).exp()
    };
    let confidence = (confidence * 100.0).round() / 100.0;
    let level = if confidence >= 0.75 {
        Level::High
    } else if confidence >= 0.5 {
        Level::Medium
    } else {
        Level::Low
    };
    let (command, tool) = if activate {
        let best = (0..COMMANDS.len())
            .filter(|i| affinity[*i] > 0.0)
            .max_by(|a, b| {
                affinity[*a]
                    .partial_cmp(&affinity[*b])
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then(b.cmp(a))
            });
        let i = best.unwrap_or(match &ev.sql {
            Some((_, true)) => C::Review.idx(),
            Some((_, false)) => C::Optimize.idx(),
            None => C::Schema.idx(),
        });
        (
            Some(COMMANDS[i].0.to_string()),
            Some(COMMANDS[i].1.to_string()),
        )
    } else {
        (None, None)
    };
    let arguments = if activate {
        Some(match &ev.sql {
            Some((sql, _)) => sql.clone(),
            None => text.chars().take(300).collect(),
        })
    } else {
        None
    };
    let positives: Vec<String> = matched
        .iter()
        .filter(|t| t.weight > 0.0)
        .map(|t| t.term.clone())
        .take(5)
        .collect();
    let reason = if activate {
        format!(
            "score {:.1} ≥ {THRESHOLD}: {}{}",
            score,
            positives.join(", "),
            command
                .as_deref()
                .map(|c| format!(" → {c}"))
                .unwrap_or_default()
        )
    } else if positives.is_empty() {
        format!("score {score:.1} < {THRESHOLD}: no database evidence")
    } else {
        format!(
            "score {:.1} < {THRESHOLD}: only weak evidence ({})",
            score,
            positives.join(", ")
        )
    };
    RouteDecision {
        activate,
        role: "[DBA]".into(),
        confidence,
        level,
        score: (score * 100.0).round() / 100.0,
        matched,
        stage: stage.map(|s| s.0.to_string()),
        command,
        tool,
        arguments,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> RouteDecision {
        route(&RouteRequest {
            text: text.into(),
            ..Default::default()
        })
    }

    #[test]
    fn database_prompts_activate_with_the_right_command() {
        let d = r("How should I index the orders table for lookups by customer?");
        assert!(d.activate, "{d:?}");
        assert_eq!(d.command.as_deref(), Some("/KD-db-index"));
        let d = r(
            "SELECT * FROM orders WHERE customer_id = 42 ORDER BY created_at DESC takes 4 seconds",
        );
        assert!(d.activate);
        assert_eq!(d.command.as_deref(), Some("/KD-optimize"));
        assert!(d.matched.iter().any(|t| t.kind == "sql"));
        let d = r("set up pgbackrest with WAL archiving for point-in-time recovery");
        assert_eq!(d.command.as_deref(), Some("/KD-db-backup"));
    }

    #[test]
    fn negative_context_keeps_it_off() {
        for p in [
            "Improve the performance of this React component that re-renders too often",
            "Update the GraphQL schema to add a field to the User type",
            "Fix the script tag in index.html",
            "Help me migrate this project from JavaScript to TypeScript",
            "How do I back up my photos to an external drive?",
        ] {
            let d = r(p);
            assert!(!d.activate, "{p}: {d:?}");
        }
    }

    #[test]
    fn explicit_commands_win() {
        let d = r("/KD-db-tune 64GB RAM, 16 cores");
        assert!(d.activate);
        assert_eq!(d.command.as_deref(), Some("/KD-db-tune"));
        assert_eq!(d.arguments.as_deref(), Some("64GB RAM, 16 cores"));
    }

    #[test]
    fn stage_weighs_in_only_with_evidence() {
        let none = route(&RouteRequest {
            text: "What should we do next?".into(),
            stage: Some("Architecture".into()),
            recent_context: None,
        });
        assert!(!none.activate);
        let weak = route(&RouteRequest {
            text: "which tables do we need for orders and users".into(),
            stage: Some("Architecture".into()),
            recent_context: None,
        });
        assert!(weak.matched.iter().any(|t| t.kind == "stage"), "{weak:?}");
    }
}

#[cfg(test)]
mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The router runs on every prompt through the hook: it must never panic, whatever the
        /// text (multi-byte characters next to SQL keywords found that once).
        #[test]
        fn route_never_panics(text in "\\PC{0,200}", sqlish in "(SELECT|select|ALTER|É|ß|日本|\\*| |FROM|é|;|\\(|'){0,30}") {
            let t = format!("{text}{sqlish}{text}");
            let d = route(&RouteRequest { text: t, stage: Some("Architecture".into()), recent_context: Some(sqlish.clone()) });
            prop_assert!(d.confidence >= 0.0 && d.confidence <= 1.0);
        }
    }
}

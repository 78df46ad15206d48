//! The [DBA] role card as data: what the role is for, what switches it on, what it produces and
//! whom it hands off to. `prompts/dba.md` is the same role in prose for the assistant.

use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Collaboration {
    /// Receiving role prefix, e.g. `[DEVOPS]`.
    pub role: &'static str,
    pub id: &'static str,
    /// What is handed off.
    pub topic: &'static str,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Triggers {
    pub keywords: &'static [&'static str],
    pub stages: &'static [&'static str],
    pub commands: &'static [&'static str],
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Knows {
    pub databases_first: &'static [&'static str],
    pub databases_also: &'static [&'static str],
    pub orms: &'static [&'static str],
    pub migration_tools: &'static [&'static str],
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RoleCard {
    pub id: &'static str,
    pub prefix: &'static str,
    pub name: &'static str,
    pub focus: &'static str,
    pub responsibilities: &'static [&'static str],
    pub triggers: Triggers,
    pub outputs: &'static [&'static str],
    pub collaboration: &'static [Collaboration],
    pub knows: Knows,
    /// MCP tool per command.
    pub tools: &'static [(&'static str, &'static str)],
}

pub static CARD: RoleCard = RoleCard {
    id: "dba",
    prefix: "[DBA]",
    name: "Database Administrator",
    focus: "Database design, optimization and maintenance",
    responsibilities: &[
        "Schema design and normalization",
        "Query optimization",
        "Index strategy",
        "Backup and recovery",
        "Performance tuning",
    ],
    triggers: Triggers {
        keywords: &["database", "schema", "SQL", "performance", "indexing"],
        stages: &["Architecture", "Implementation", "Quality"],
        commands: &["/KD-db-*", "/KD-schema", "/KD-optimize"],
    },
    outputs: &[
        "ERD diagrams",
        "Schema definitions (SQL)",
        "Index strategies",
        "Migration scripts",
        "Performance analyses",
    ],
    collaboration: &[
        Collaboration {
            role: "[ARCH]",
            id: "arch",
            topic: "database architecture",
        },
        Collaboration {
            role: "[BACKEND]",
            id: "backend",
            topic: "query optimization",
        },
        Collaboration {
            role: "[DEVOPS]",
            id: "devops",
            topic: "database deployment",
        },
    ],
    knows: Knows {
        databases_first: &["PostgreSQL", "MySQL/MariaDB", "SQLite"],
        databases_also: &["MongoDB", "Redis", "DynamoDB"],
        orms: &["Prisma", "TypeORM", "Sequelize", "Django"],
        migration_tools: &["Flyway", "Liquibase", "Alembic"],
    },
    tools: &[
        ("/KD-schema", "KD-schema"),
        ("/KD-db-review", "KD-db-review"),
        ("/KD-db-erd", "KD-db-erd"),
        ("/KD-optimize", "KD-optimize"),
        ("/KD-db-index", "KD-db-index"),
        ("/KD-db-explain", "KD-db-explain"),
        ("/KD-db-migrate", "KD-db-migrate"),
        ("/KD-db-backup", "KD-db-backup"),
        ("/KD-db-tune", "KD-db-tune"),
        ("/KD-db-handoff", "KD-db-handoff"),
    ],
};

//! MCP prompts: one per slash command, rendered from `prompts/<name>.md`. Each tells the
//! assistant how to gather its inputs and which tool to call.

use crate::error::KdError;
use serde::Serialize;

pub struct PromptDef {
    pub name: &'static str,
    pub description: &'static str,
    /// The tool the prompt steers to.
    pub tool: &'static str,
}

pub static PROMPTS: &[PromptDef] = &[
    PromptDef {
        name: "KD-schema",
        description: "[DBA] Design a schema from a domain description, or normalize existing DDL",
        tool: "KD-schema",
    },
    PromptDef {
        name: "KD-optimize",
        description: "[DBA] Find why a query is slow or wrong and rewrite it; find N+1 patterns",
        tool: "KD-optimize",
    },
    PromptDef {
        name: "KD-db-erd",
        description: "[DBA] Draw the schema as an ERD (Mermaid, ASCII, DBML, PlantUML, SVG)",
        tool: "KD-db-erd",
    },
    PromptDef {
        name: "KD-db-review",
        description: "[DBA] Review existing DDL or migrations against the schema rules",
        tool: "KD-db-review",
    },
    PromptDef {
        name: "KD-db-index",
        description: "[DBA] Index strategy for a workload: what to add, what to drop",
        tool: "KD-db-index",
    },
    PromptDef {
        name: "KD-db-explain",
        description: "[DBA] Read an EXPLAIN plan and say what to do about it",
        tool: "KD-db-explain",
    },
    PromptDef {
        name: "KD-db-migrate",
        description: "[DBA] Diff two schemas into safe migrations, or lint migration files",
        tool: "KD-db-migrate",
    },
    PromptDef {
        name: "KD-db-backup",
        description: "[DBA] Backup and recovery plan with scripts, schedules and restore tests",
        tool: "KD-db-backup",
    },
    PromptDef {
        name: "KD-db-tune",
        description: "[DBA] Engine configuration for the machine and workload",
        tool: "KD-db-tune",
    },
    PromptDef {
        name: "KD-db-handoff",
        description: "[DBA] Hand the work to [ARCH], [BACKEND] or [DEVOPS]",
        tool: "KD-db-handoff",
    },
];

#[derive(Serialize)]
struct PromptCtx<'a> {
    request: &'a str,
    dialect: &'a str,
    tool: &'a str,
}

pub fn find(name: &str) -> Option<&'static PromptDef> {
    PROMPTS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// Render a prompt's text.
pub fn render(def: &PromptDef, request: &str, dialect: &str) -> Result<String, KdError> {
    crate::render::render(
        &format!("prompts/{}.md", def.name),
        &PromptCtx {
            request,
            dialect,
            tool: def.tool,
        },
    )
}

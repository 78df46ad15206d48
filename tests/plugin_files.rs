//! The assistant-facing files agree with the server: every slash command (Claude Code
//! `commands/*.md`, Gemini CLI `gemini/commands/*.toml`), every MCP prompt and every command the
//! router suggests names a tool the server really lists, and each front end has the same set.

use kd_dba::mcp::{prompts, tools};
use std::collections::BTreeSet;
use std::path::Path;

fn tool_names() -> BTreeSet<String> {
    tools::all().iter().map(|t| t.name.to_string()).collect()
}

fn stems(dir: &str, ext: &str) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_claude_command_calls_a_listed_tool() {
    let tools = tool_names();
    for name in stems("commands", "md") {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("commands/{name}.md")),
        )
        .unwrap();
        let called: Vec<&str> = text
            .match_indices("mcp__plugin_kd-dba_kd-dba__")
            .map(|(i, m)| {
                let rest = &text[i + m.len()..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .filter(|t| !t.is_empty())
            .collect();
        assert!(
            !called.is_empty(),
            "commands/{name}.md calls no kd-dba tool"
        );
        for t in called {
            assert!(
                tools.contains(t),
                "commands/{name}.md calls {t}, which the server does not list"
            );
        }
    }
}

#[test]
fn claude_and_gemini_commands_and_prompts_are_the_same_set() {
    let claude = stems("commands", "md");
    let gemini = stems("gemini/commands", "toml");
    assert_eq!(claude, gemini, "commands/ and gemini/commands/ differ");
    let prompt_names: BTreeSet<String> = prompts::PROMPTS
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    assert_eq!(claude, prompt_names, "commands/ and the MCP prompts differ");
    let tools = tool_names();
    for p in prompts::PROMPTS {
        assert!(
            tools.contains(p.tool),
            "prompt {} uses {}, which the server does not list",
            p.name,
            p.tool
        );
    }
    for name in &gemini {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("gemini/commands/{name}.toml")),
        )
        .unwrap();
        for (i, m) in text.match_indices("mcp_kd-dba_") {
            let rest = &text[i + m.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(rest.len());
            assert!(
                tools.contains(&rest[..end]),
                "gemini/commands/{name}.toml calls {}, which the server does not list",
                &rest[..end]
            );
        }
    }
}

#[test]
fn every_command_the_router_suggests_exists() {
    let claude = stems("commands", "md");
    for prompt in [
        "add an index for the orders query",
        "this query is slow: SELECT * FROM orders WHERE user_id = 1",
        "review my schema for problems",
        "design a database schema for a blog",
        "draw an ERD of the database",
        "write a migration to add a column to users",
        "plan PostgreSQL backups with a 15 minute RPO",
        "tune postgresql.conf for 64GB RAM",
        "explain this EXPLAIN ANALYZE plan of my SQL query",
        "hand the database deployment to devops",
    ] {
        let d = kd_dba::role::route(&kd_dba::role::RouteRequest {
            text: prompt.to_string(),
            ..Default::default()
        });
        if let Some(cmd) = d.command {
            let name = cmd.trim_start_matches('/');
            assert!(
                claude.contains(name),
                "the router suggests {cmd} for {prompt:?}, but commands/{name}.md does not exist"
            );
        }
    }
}

//! `kd-dba hook user-prompt-submit`: the assistants' prompt-submit hook.
//!
//! Reads the hook JSON on stdin (Claude Code `UserPromptSubmit`, Gemini CLI `BeforeAgent`; the
//! prompt is in `prompt`, older Claude builds used `user_prompt`), routes the prompt and, when the
//! [DBA] role applies, prints the hook output that adds a short context announcing the role and
//! the suggested command. Otherwise it prints nothing. It always exits 0 and never blocks a
//! prompt: bad JSON only produces a message on stderr.

use crate::role::{RouteRequest, route};
use serde_json::{Value, json};

/// Build the hook's stdout for one input; `Ok(None)` = print nothing.
pub fn respond(input: &str) -> Result<Option<String>, String> {
    let v: Value = serde_json::from_str(input).map_err(|e| {
        format!("kd-dba hook: stdin is not the hook JSON ({e}); expected an object with a \"prompt\" field")
    })?;
    let event = v
        .get("hook_event_name")
        .and_then(Value::as_str)
        .unwrap_or("UserPromptSubmit");
    let prompt = v
        .get("prompt")
        .or_else(|| v.get("user_prompt"))
        .and_then(Value::as_str)
        .ok_or_else(|| "kd-dba hook: the hook JSON has no \"prompt\" string".to_string())?;
    let stage = std::env::var("KD_DBA_STAGE")
        .ok()
        .filter(|s| !s.trim().is_empty());
    let d = route(&RouteRequest {
        text: prompt.to_string(),
        stage,
        recent_context: None,
    });
    if !d.activate {
        return Ok(None);
    }
    let evidence: Vec<String> = d
        .matched
        .iter()
        .filter(|t| t.weight > 0.0)
        .map(|t| {
            if t.kind == "sql" {
                "pasted SQL".to_string()
            } else {
                t.term.clone()
            }
        })
        .take(4)
        .collect();
    let command = d.command.clone().unwrap_or_else(|| "/KD-db-review".into());
    let tool = d.tool.clone().unwrap_or_default();
    let mut ctx = format!(
        "[KD] Role [DBA] auto-activated (confidence {:.2} {:?}: {}). Act as [DBA], the Database Administrator: start answers with [DBA]:, base findings on the kd-dba tools' output, never run destructive SQL without a reviewed migration. Suggested: {command}",
        d.confidence,
        d.level,
        evidence.join(", ")
    );
    if !tool.is_empty() {
        ctx.push_str(&format!(" (call the kd-dba tool {tool})."));
    }
    // Gemini escapes angle brackets; keep the text free of them.
    let ctx = ctx.replace(['<', '>'], "");
    let event_out = if event == "BeforeAgent" {
        "BeforeAgent"
    } else {
        "UserPromptSubmit"
    };
    Ok(Some(
        json!({"hookSpecificOutput": {"hookEventName": event_out, "additionalContext": ctx}})
            .to_string(),
    ))
}

/// Entry point: read stdin, print the response, exit 0 whatever happens.
pub fn run_user_prompt_submit() -> i32 {
    use std::io::Read;
    let mut input = String::new();
    if let Err(e) = std::io::stdin()
        .take(4 * 1024 * 1024)
        .read_to_string(&mut input)
    {
        eprintln!("kd-dba hook: cannot read stdin: {e}");
        return 0;
    }
    // A panic must never turn into a blocked prompt (Gemini blocks on unexpected exit codes).
    let out = std::panic::catch_unwind(|| respond(&input));
    match out {
        Ok(Ok(Some(s))) => {
            // Never a panic on a closed stdout: the hook must exit 0.
            use std::io::Write;
            let _ = writeln!(std::io::stdout().lock(), "{s}");
        }
        Ok(Ok(None)) => {}
        Ok(Err(msg)) => eprintln!("{msg}"),
        Err(_) => eprintln!("kd-dba hook: internal error while routing; prompt left unchanged"),
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_and_gemini_shapes() {
        let c = respond(r#"{"hook_event_name":"UserPromptSubmit","prompt":"How should I index the orders table in Postgres?"}"#)
            .unwrap()
            .unwrap();
        let v: Value = serde_json::from_str(&c).unwrap();
        assert_eq!(v["hookSpecificOutput"]["hookEventName"], "UserPromptSubmit");
        assert!(
            v["hookSpecificOutput"]["additionalContext"]
                .as_str()
                .unwrap()
                .contains("[DBA]")
        );
        let g = respond(r#"{"hook_event_name":"BeforeAgent","prompt":"EXPLAIN ANALYZE shows a seq scan on orders"}"#)
            .unwrap()
            .unwrap();
        assert!(g.contains("\"BeforeAgent\""));
        assert!(!g.contains('<'));
    }

    #[test]
    fn silent_when_not_database_work() {
        assert_eq!(
            respond(r#"{"prompt":"center this div with flexbox"}"#).unwrap(),
            None
        );
        assert_eq!(respond(r#"{"user_prompt":"write a haiku"}"#).unwrap(), None);
    }

    #[test]
    fn bad_json_is_an_error_message_not_a_panic() {
        assert!(respond("not json").is_err());
        assert!(respond(r#"{"prompt": 5}"#).is_err());
    }
}

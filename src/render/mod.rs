//! Rendering reports for people: minijinja templates embedded in the binary, overridable file by
//! file from a user directory. Templates never compute; they lay out report data.

use crate::error::KdError;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock, RwLock};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Environment variable naming a template override directory.
pub const TEMPLATES_ENV: &str = "KD_DBA_TEMPLATES";

static OVERRIDE_DIR: RwLock<Option<PathBuf>> = RwLock::new(None);

/// Set the override directory (from `--templates DIR`). Files in it replace embedded templates
/// of the same name, e.g. `DIR/handoff/handoff.md` or `DIR/prompts/KD-schema.md`.
pub fn set_override_dir(dir: Option<PathBuf>) {
    if let Ok(mut g) = OVERRIDE_DIR.write() {
        *g = dir;
    }
}

fn override_dir() -> Option<PathBuf> {
    if let Ok(g) = OVERRIDE_DIR.read()
        && let Some(d) = g.as_ref()
    {
        return Some(d.clone());
    }
    std::env::var_os(TEMPLATES_ENV).map(PathBuf::from)
}

/// Names of all embedded templates (prompts included, as `prompts/<file>`).
pub fn template_names() -> Vec<&'static str> {
    embedded::EMBEDDED.iter().map(|(n, _)| *n).collect()
}

/// The source of a template: the override file if there is one, else the embedded text.
pub fn template_source(name: &str) -> Option<String> {
    if name.contains("..") {
        return None;
    }
    if let Some(dir) = override_dir() {
        let p = dir.join(name);
        if let Ok(s) = std::fs::read_to_string(&p) {
            return Some(s);
        }
    }
    embedded::EMBEDDED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| s.to_string())
}

fn build_env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.set_loader(|name| Ok(template_source(name)));
    env.add_filter("pct", |v: f64| format!("{:.1}%", v * 100.0));
    env.add_filter("fixed", |v: f64, digits: Option<usize>| {
        format!("{:.*}", digits.unwrap_or(2), v)
    });
    env.add_filter("md_escape", |s: String| {
        s.replace('|', "\\|").replace('\n', " ")
    });
    env
}

/// The shared environment. With an override directory set, templates are re-read on every render
/// so edits show up without a restart.
fn env() -> Arc<Environment<'static>> {
    static ENV: OnceLock<Arc<Environment<'static>>> = OnceLock::new();
    if override_dir().is_some() {
        return Arc::new(build_env());
    }
    ENV.get_or_init(|| Arc::new(build_env())).clone()
}

/// Render template `name` with `ctx`.
pub fn render<T: Serialize>(name: &str, ctx: &T) -> Result<String, KdError> {
    let env = env();
    let tmpl = env.get_template(name).map_err(|e| KdError::Template {
        name: name.to_string(),
        message: e.to_string(),
    })?;
    tmpl.render(minijinja::Value::from(minijinja::value::Serde(ctx)))
        .map_err(|e| KdError::Template {
            name: name.to_string(),
            message: format!("{e:#}"),
        })
}

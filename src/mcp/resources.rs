//! MCP resources: the role card, rule documentation and the templates.
//!
//! - `kd-dba://role/dba`: the [DBA] role card (markdown), `kd-dba://role/dba.json` as data;
//! - `kd-dba://rules`: every rule (JSON list); `kd-dba://rules/{id}`: one rule's documentation;
//! - `kd-dba://schema/spec`: JSON Schema of KD-schema's domain spec; `kd-dba://schema/example`:
//!   the e-commerce example spec;
//! - `kd-dba://templates`: template names; `kd-dba://templates/{name}`: a template's source.

use crate::rules;
use serde_json::json;

pub struct ResourceText {
    pub mime: &'static str,
    pub text: String,
}

/// Static resources (listed by `resources/list`): (uri, name, description, mime).
pub fn listed() -> Vec<(String, &'static str, &'static str, &'static str)> {
    vec![
        (
            "kd-dba://role/dba".into(),
            "role-dba",
            "The [DBA] role card: focus, responsibilities, triggers, outputs, handoffs",
            "text/markdown",
        ),
        (
            "kd-dba://role/dba.json".into(),
            "role-dba-json",
            "The [DBA] role card as data",
            "application/json",
        ),
        (
            "kd-dba://rules".into(),
            "rules",
            "Every rule kd-dba reports: ID, slug, severity, summary",
            "application/json",
        ),
        (
            "kd-dba://schema/spec".into(),
            "schema-spec",
            "JSON Schema of the domain spec KD-schema designs from",
            "application/schema+json",
        ),
        (
            "kd-dba://schema/example".into(),
            "schema-example",
            "Example domain spec: the e-commerce schema (users, products, orders, order_items, daily_sales)",
            "application/json",
        ),
        (
            "kd-dba://templates".into(),
            "templates",
            "Names of the templates reports and prompts are rendered from",
            "application/json",
        ),
    ]
}

/// Resource templates: (uri template, name, description, mime).
pub fn templates() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    vec![
        (
            "kd-dba://rules/{id}",
            "rule",
            "Documentation of one rule by ID or slug: what, why, bad and good example",
            "text/markdown",
        ),
        (
            "kd-dba://templates/{name}",
            "template",
            "Source of one template (override it with --templates DIR)",
            "text/plain",
        ),
    ]
}

/// Read a resource; `None` if the URI names nothing.
pub fn read(uri: &str) -> Option<ResourceText> {
    let rest = uri.strip_prefix("kd-dba://")?;
    match rest {
        "role/dba" => {
            let text = crate::render::template_source("prompts/dba.md")?;
            Some(ResourceText {
                mime: "text/markdown",
                text,
            })
        }
        "role/dba.json" => Some(ResourceText {
            mime: "application/json",
            text: serde_json::to_string_pretty(&crate::role::CARD).ok()?,
        }),
        "rules" => {
            let list: Vec<_> = rules::all()
                .into_iter()
                .map(|r| {
                    json!({"id": r.id, "slug": r.slug, "family": r.family, "severity": r.severity, "summary": r.summary, "uri": format!("kd-dba://rules/{}", r.id)})
                })
                .collect();
            Some(ResourceText {
                mime: "application/json",
                text: serde_json::to_string_pretty(&list).ok()?,
            })
        }
        "schema/spec" => Some(ResourceText {
            mime: "application/schema+json",
            text: serde_json::to_string_pretty(&crate::design::spec::spec_json_schema()).ok()?,
        }),
        "schema/example" => Some(ResourceText {
            mime: "application/json",
            text: include_str!("../../examples/ecommerce.json").to_string(),
        }),
        "templates" => Some(ResourceText {
            mime: "application/json",
            text: serde_json::to_string_pretty(&crate::render::template_names()).ok()?,
        }),
        _ => {
            if let Some(id) = rest.strip_prefix("rules/") {
                let r = rules::find(id)?;
                return Some(ResourceText {
                    mime: "text/markdown",
                    text: crate::render::render("rules/rule.md", r).ok()?,
                });
            }
            if let Some(name) = rest.strip_prefix("templates/") {
                return Some(ResourceText {
                    mime: "text/plain",
                    text: crate::render::template_source(name)?,
                });
            }
            None
        }
    }
}

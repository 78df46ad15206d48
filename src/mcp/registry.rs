//! The tool registry: one entry per MCP tool, built from a typed request, a typed report, an
//! engine function and a template. The same entries drive `tools/list`, `tools/call` and the
//! CLI's `--json` output, so every door speaks the same data.

use crate::error::KdError;
use crate::limits::Limits;
use rmcp::model::JsonObject;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;

/// Progress callback: (done, total, message).
pub type Progress = Arc<dyn Fn(f64, Option<f64>, &str) + Send + Sync>;

/// What a tool call may use besides its arguments.
#[derive(Clone, Default)]
pub struct ToolCtx {
    pub limits: Limits,
    pub progress: Option<Progress>,
    /// Directory relative paths resolve against (the client's project, if known).
    pub base_dir: Option<std::path::PathBuf>,
}

impl ToolCtx {
    pub fn progress(&self, done: f64, total: Option<f64>, msg: &str) {
        if let Some(p) = &self.progress {
            p(done, total, msg);
        }
    }
}

/// An image to return as MCP image content (SVG ERDs, for example).
#[derive(Debug, Clone)]
pub struct Image {
    pub mime: String,
    /// Base64 data.
    pub data: String,
}

/// A tool's result: the data, the text for people, and optional images.
#[derive(Debug, Clone)]
pub struct ToolOutput {
    pub structured: Value,
    pub markdown: String,
    pub images: Vec<Image>,
}

pub type RunFn = Arc<dyn Fn(Value, &ToolCtx) -> Result<ToolOutput, ToolError> + Send + Sync>;

/// Why a call failed: bad arguments (with the expected shape) or a failure of the engine.
#[derive(Debug)]
pub enum ToolError {
    Arguments(String),
    Engine(KdError),
}

impl From<KdError> for ToolError {
    fn from(e: KdError) -> Self {
        ToolError::Engine(e)
    }
}

#[derive(Clone)]
pub struct ToolDef {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub input_schema: Arc<JsonObject>,
    pub output_schema: Arc<JsonObject>,
    pub read_only: bool,
    pub idempotent: bool,
    /// A minimal valid argument object, quoted in argument errors.
    pub example: Value,
    pub run: RunFn,
}

/// schemars marks Rust integer widths with OpenAPI-style formats (`uint64`, `int32`, `double`
/// ...) that JSON Schema 2020-12 does not define; clients such as Ajv print a warning for each
/// ("unknown format \"uint64\" ignored"). Drop them: `type` already says integer or number.
fn strip_numeric_formats(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let numeric = m.get("format").and_then(Value::as_str).is_some_and(|f| {
                matches!(
                    f,
                    "uint"
                        | "uint8"
                        | "uint16"
                        | "uint32"
                        | "uint64"
                        | "uint128"
                        | "int"
                        | "int8"
                        | "int16"
                        | "int32"
                        | "int64"
                        | "int128"
                        | "float"
                        | "double"
                )
            });
            if numeric {
                m.remove("format");
            }
            for (_, x) in m.iter_mut() {
                strip_numeric_formats(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_numeric_formats),
        _ => {}
    }
}

fn schema_of<T: JsonSchema>() -> Arc<JsonObject> {
    let settings = schemars::generate::SchemaSettings::draft2020_12();
    let schema = settings.into_generator().into_root_schema_for::<T>();
    finish_schema(serde_json::to_value(schema).map(|mut v| {
        lean_input_schema(&mut v);
        v
    }))
}

/// JSON Schema allows `true` / `false` as a whole subschema (what schemars writes for
/// `serde_json::Value`), but the TypeScript MCP SDK, and with it Claude Code and the MCP
/// Inspector, rejects a `tools/list` that has one under `properties`: the whole list fails. Write
/// them as the equivalent objects `{}` and `{"not": {}}`.
fn objectify_boolean_subschemas(v: &mut Value) {
    fn fix(x: &mut Value) {
        if let Value::Bool(b) = x {
            *x = if *b {
                Value::Object(JsonObject::new())
            } else {
                serde_json::json!({"not": {}})
            };
        }
        objectify_boolean_subschemas(x);
    }
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match k.as_str() {
                    "properties" | "$defs" | "definitions" | "patternProperties" => {
                        if let Value::Object(props) = x {
                            props.values_mut().for_each(fix);
                        }
                    }
                    "items" | "not" | "contains" | "if" | "then" | "else" => fix(x),
                    "anyOf" | "oneOf" | "allOf" | "prefixItems" => {
                        if let Value::Array(a) = x {
                            a.iter_mut().for_each(fix);
                        }
                    }
                    _ => objectify_boolean_subschemas(x),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(objectify_boolean_subschemas),
        _ => {}
    }
}

fn finish_schema(v: Result<Value, serde_json::Error>) -> Arc<JsonObject> {
    match v {
        Ok(mut v) => {
            strip_numeric_formats(&mut v);
            objectify_boolean_subschemas(&mut v);
            match v {
                Value::Object(mut m) => {
                    m.remove("$schema");
                    Arc::new(m)
                }
                _ => Arc::new(JsonObject::new()),
            }
        }
        Err(_) => Arc::new(JsonObject::new()),
    }
}

/// `tools/list` is paid for in every assistant's context, so input schemas lose what carries
/// no information: `"default": null`, titles, and `oneOf` lists of documented constants (an
/// `enum` says the same; the field's own description names the values).
fn lean_input_schema(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("default").is_some_and(Value::is_null) {
                m.remove("default");
            }
            if m.get("title").is_some_and(Value::is_string) && m.contains_key("type") {
                m.remove("title");
            }
            let consts: Option<Vec<Value>> =
                m.get("oneOf").and_then(Value::as_array).and_then(|alts| {
                    let mut all = Vec::new();
                    for a in alts {
                        let a = a.as_object()?;
                        if a.get("type").and_then(Value::as_str) != Some("string") {
                            return None;
                        }
                        match (a.get("const"), a.get("enum").and_then(Value::as_array)) {
                            (Some(c), _) => all.push(c.clone()),
                            (None, Some(e)) => all.extend(e.iter().cloned()),
                            _ => return None,
                        }
                    }
                    Some(all)
                });
            if let Some(values) = consts {
                m.remove("oneOf");
                m.insert("type".into(), Value::String("string".into()));
                m.insert("enum".into(), Value::Array(values));
            }
            for (_, x) in m.iter_mut() {
                lean_input_schema(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(lean_input_schema),
        _ => {}
    }
}

/// The output schema is the report's top-level shape: every field with its JSON type, and which
/// are always present. Nested types are left open (`{}` or a bare `object`/`array`), which keeps
/// `tools/list` small while clients still validate `structuredContent` against it; the full
/// shape of each report is what `--json` prints and the templates read.
fn shallow_output_schema(full: Value) -> Value {
    let defs = full.get("$defs").cloned().unwrap_or(Value::Null);
    let type_of = |p: &Value| -> Option<Value> {
        let resolve = |r: &str| {
            r.strip_prefix("#/$defs/")
                .and_then(|n| defs.get(n))
                .and_then(|d| d.get("type"))
                .cloned()
        };
        if let Some(t) = p.get("type") {
            return Some(t.clone());
        }
        if let Some(r) = p.get("$ref").and_then(Value::as_str) {
            return resolve(r);
        }
        // Option<T> of a referenced type: anyOf [ {$ref}, {type: null} ].
        let alts = p.get("anyOf").and_then(Value::as_array)?;
        let mut types = Vec::new();
        for a in alts {
            let t = match (a.get("type"), a.get("$ref").and_then(Value::as_str)) {
                (Some(t), _) => t.clone(),
                (None, Some(r)) => resolve(r)?,
                _ => return None,
            };
            match t {
                Value::Array(ts) => types.extend(ts),
                t => types.push(t),
            }
        }
        Some(Value::Array(types))
    };
    let mut props = serde_json::Map::new();
    if let Some(ps) = full.get("properties").and_then(Value::as_object) {
        for (k, p) in ps {
            let mut o = serde_json::Map::new();
            if let Some(t) = type_of(p) {
                o.insert("type".into(), t);
            }
            props.insert(k.clone(), Value::Object(o));
        }
    }
    let mut out = serde_json::Map::new();
    out.insert("type".into(), Value::String("object".into()));
    out.insert("properties".into(), Value::Object(props));
    if let Some(r) = full.get("required") {
        out.insert("required".into(), r.clone());
    }
    Value::Object(out)
}

fn output_schema_of<T: JsonSchema>() -> Arc<JsonObject> {
    let mut settings = schemars::generate::SchemaSettings::draft2020_12();
    settings = settings.for_serialize();
    let schema = settings.into_generator().into_root_schema_for::<T>();
    finish_schema(serde_json::to_value(schema).map(shallow_output_schema))
}

/// Describe how a request should look, for argument errors.
fn expected_shape(schema: &JsonObject) -> String {
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    format!("fields: {props}; required: {required}")
}

/// Build a tool from a typed engine function and the template that renders its report.
pub fn typed<Req, Rep, F>(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    template: &'static str,
    example: Value,
    read_only: bool,
    f: F,
) -> ToolDef
where
    Req: DeserializeOwned + JsonSchema + 'static,
    Rep: Serialize + JsonSchema + 'static,
    F: Fn(Req, &ToolCtx) -> Result<Rep, KdError> + Send + Sync + 'static,
{
    let input_schema = schema_of::<Req>();
    let shape = expected_shape(&input_schema);
    let example_text = example.to_string();
    let run: RunFn = Arc::new(move |args: Value, ctx: &ToolCtx| {
        let req: Req = serde_json::from_value(args).map_err(|e| {
            ToolError::Arguments(format!(
                "the arguments do not match the {name} input schema: {e}. Expected {shape}. Example: {example_text}"
            ))
        })?;
        let rep = f(req, ctx)?;
        let markdown = crate::render::render(template, &rep)?;
        let structured = serde_json::to_value(&rep)
            .map_err(|e| ToolError::Engine(KdError::Internal(e.to_string())))?;
        Ok(ToolOutput {
            structured,
            markdown,
            images: Vec::new(),
        })
    });
    ToolDef {
        name,
        title,
        description,
        input_schema,
        output_schema: output_schema_of::<Rep>(),
        read_only,
        idempotent: true,
        example,
        run,
    }
}

/// Like [`typed`], for engine functions that also return images.
#[allow(clippy::too_many_arguments)]
pub fn typed_with_images<Req, Rep, F>(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    template: &'static str,
    example: Value,
    read_only: bool,
    f: F,
) -> ToolDef
where
    Req: DeserializeOwned + JsonSchema + 'static,
    Rep: Serialize + JsonSchema + 'static,
    F: Fn(Req, &ToolCtx) -> Result<(Rep, Vec<Image>), KdError> + Send + Sync + 'static,
{
    let input_schema = schema_of::<Req>();
    let shape = expected_shape(&input_schema);
    let example_text = example.to_string();
    let run: RunFn = Arc::new(move |args: Value, ctx: &ToolCtx| {
        let req: Req = serde_json::from_value(args).map_err(|e| {
            ToolError::Arguments(format!(
                "the arguments do not match the {name} input schema: {e}. Expected {shape}. Example: {example_text}"
            ))
        })?;
        let (rep, images) = f(req, ctx)?;
        let markdown = crate::render::render(template, &rep)?;
        let structured = serde_json::to_value(&rep)
            .map_err(|e| ToolError::Engine(KdError::Internal(e.to_string())))?;
        Ok(ToolOutput {
            structured,
            markdown,
            images,
        })
    });
    ToolDef {
        name,
        title,
        description,
        input_schema,
        output_schema: output_schema_of::<Rep>(),
        read_only,
        idempotent: true,
        example,
        run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize, schemars::JsonSchema)]
    struct Inner {
        a: u32,
    }
    #[derive(Serialize, schemars::JsonSchema)]
    struct Report {
        name: String,
        inner: Inner,
        maybe: Option<Inner>,
        list: Vec<Inner>,
        #[schemars(with = "serde_json::Value")]
        any: Inner,
    }

    #[test]
    fn output_schema_is_the_top_level_shape() {
        let s = output_schema_of::<Report>();
        let v = Value::Object((*s).clone());
        assert_eq!(v["type"], "object");
        assert_eq!(v["properties"]["name"], json!({"type": "string"}));
        assert_eq!(v["properties"]["inner"], json!({"type": "object"}));
        assert_eq!(
            v["properties"]["maybe"],
            json!({"type": ["object", "null"]})
        );
        assert_eq!(v["properties"]["list"], json!({"type": "array"}));
        assert_eq!(v["properties"]["any"], json!({}));
        assert!(v.get("$defs").is_none());
    }

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    #[serde(rename_all = "lowercase")]
    enum Mode {
        /// First.
        One,
        /// Second.
        Two,
    }
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Request {
        mode: Mode,
        text: Option<String>,
    }

    #[test]
    fn input_schema_loses_null_defaults_titles_and_documented_const_lists() {
        let s = schema_of::<Request>();
        let v = Value::Object((*s).clone());
        assert!(v.get("title").is_none(), "{v}");
        assert_eq!(v["$defs"]["Mode"]["enum"], json!(["one", "two"]), "{v}");
        assert!(v["$defs"]["Mode"].get("oneOf").is_none());
        assert!(!v.to_string().contains("\"default\":null"), "{v}");
    }

    #[test]
    fn boolean_subschemas_become_objects() {
        let mut v = json!({"properties": {"a": true, "b": false, "c": {"items": true}}});
        objectify_boolean_subschemas(&mut v);
        assert_eq!(
            v,
            json!({"properties": {"a": {}, "b": {"not": {}}, "c": {"items": {}}}})
        );
    }
}

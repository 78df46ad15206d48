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
    finish_schema(serde_json::to_value(schema))
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

fn output_schema_of<T: JsonSchema>() -> Arc<JsonObject> {
    let mut settings = schemars::generate::SchemaSettings::draft2020_12();
    settings = settings.for_serialize();
    let schema = settings.into_generator().into_root_schema_for::<T>();
    finish_schema(serde_json::to_value(schema))
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

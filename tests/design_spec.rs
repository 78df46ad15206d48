//! Design mode without engines: snapshots of the DDL per dialect, the spec's error messages, YAML
//! input, the request door (MCP tool and CLI).

use kd_dba::design::{self, spec};
use kd_dba::mcp::registry::ToolCtx;
use serde_json::{Value, json};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn spec_value(rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(rel)).unwrap()).unwrap()
}

fn ddl(rel: &str, dialect: &str) -> (String, String) {
    let s = design::spec_from_request(spec_value(rel), None, Some(dialect)).unwrap();
    let d = design::design_spec(&s).unwrap();
    (d.rendered.ddl, d.rendered.down)
}

#[test]
fn ddl_snapshots() {
    for (name, rel) in [
        ("ecommerce", "examples/ecommerce.json"),
        ("blog", "tests/fixtures/design/blog.json"),
    ] {
        for dialect in ["postgres", "mysql", "sqlite"] {
            let (up, down) = ddl(rel, dialect);
            insta::assert_snapshot!(format!("{name}_{dialect}_up"), up);
            insta::assert_snapshot!(format!("{name}_{dialect}_down"), down);
        }
    }
}

/// The error message for a spec with `patch` applied to a minimal valid spec.
fn error_for(patch: Value) -> String {
    let mut base = json!({
        "entities": [
            {"name": "user", "fields": [{"name": "email", "type": "email", "required": true}]},
            {"name": "order", "fields": [{"name": "total", "type": "money"}],
             "relations": [{"kind": "belongs_to", "target": "user"}]}
        ]
    });
    if let (Value::Object(b), Value::Object(p)) = (&mut base, patch) {
        for (k, v) in p {
            b.insert(k, v);
        }
    }
    match design::spec_from_request(base, None, None).and_then(|s| design::design_spec(&s)) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_specs_get_errors_that_say_what_to_write() {
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"entities": [{"name": "user", "fields": [{"name": "age", "type": "integr"}]}]}),
            "unknown type `integr`",
        ),
        (
            json!({"entities": [{"name": "user", "fields": [{"name": "n", "type": "string"}]}]}),
            "string(100)",
        ),
        (
            json!({"entities": [{"name": "order", "relations": [{"kind": "belongs_to", "target": "customer"}]}]}),
            "no entity `customer`",
        ),
        (
            json!({"entities": [
                {"name": "user"},
                {"name": "order", "relations": [{"kind": "belongs_to", "target": "user", "on_delete": "set_null"}]}
            ]}),
            "\"required\": false",
        ),
        (
            json!({"entities": [{"name": "user", "fields": [{"name": "bio", "type": "text", "checks": {"min": 1}}]}]}),
            "min/max checks need a numeric type",
        ),
        (
            json!({"entities": [{"name": "o", "fields": [{"name": "status", "type": "enum[a, b]", "default": "c"}]}]}),
            "not one of the allowed values",
        ),
        (
            json!({"entities": [{"name": "user"}, {"name": "User"}]}),
            "declared twice",
        ),
        (
            json!({"access_patterns": [{"label": "all", "entity": "user"}]}),
            "give a filter or an order_by",
        ),
        (
            json!({"summaries": [{"name": "s", "from": "order", "group_by": [{"field": "total", "bucket": "day"}], "measures": [{"as": "n", "fn": "count"}]}]}),
            "cannot be bucketed",
        ),
        (
            json!({"entities": [{"name": "user", "fields": [{"name": "id", "type": "bigint"}]}]}),
            "surrogate key",
        ),
        (
            json!({"entities": [{"name": "user", "fields": [{"name": "x", "type": "int", "colour": "red"}]}]}),
            "entities[0].fields[0]",
        ),
        (json!({"entities": []}), "no entities"),
        (
            json!({"summaries": [{"name": "s", "from": "order", "group_by": [{"field": "user.email"}], "measures": [{"as": "n", "fn": "count"}], "refresh": "hourly"}]}),
            "five fields",
        ),
    ];
    for (patch, want) in cases {
        let msg = error_for(patch.clone());
        assert!(
            msg.contains(want),
            "for {patch}: got `{msg}`, wanted `{want}`"
        );
    }
}

#[test]
fn yaml_and_json_specs_design_the_same_schema() {
    let yaml = r#"
name: shop
options: { dialect: sqlite }
entities:
  - name: user
    fields:
      - { name: email, type: email, required: true, unique: true }
  - name: order
    fields:
      - { name: status, type: "enum[open, closed]", required: true, default: open }
    relations:
      - { kind: belongs_to, target: user, on_delete: cascade }
access_patterns:
  - label: open orders of a user
    entity: order
    filter: [{ field: user, op: eq }, { field: status, op: eq, value: open }]
"#;
    let from_yaml = spec::from_text(yaml, true).expect("yaml");
    let value: Value = serde_norway::from_str(yaml).unwrap();
    let from_json = spec::from_text(&serde_json::to_string(&value).unwrap(), false).unwrap();
    let a = design::design_spec(&from_yaml).unwrap().rendered.ddl;
    let b = design::design_spec(&from_json).unwrap().rendered.ddl;
    assert_eq!(a, b);
    assert!(a.contains("WHERE status = 'open'"), "{a}");
    let bad = spec::from_text("entities:\n  - name: user\n    fields: 3\n", true).unwrap_err();
    assert!(bad.to_string().contains("entities[0].fields"), "{bad}");
}

#[test]
fn the_tool_takes_a_spec_or_sql_but_not_both() {
    let tools = kd_dba::mcp::tools::all();
    let t = tools.iter().find(|t| t.name == "KD-schema").unwrap();
    let ctx = ToolCtx::default();
    let ok = (t.run)(t.example.clone(), &ctx).expect("example runs");
    assert_eq!(ok.structured["mode"], "design");
    assert!(ok.markdown.contains("CREATE TABLE users"));
    for bad in [
        json!({}),
        json!({"spec": {"entities": [{"name": "a"}]}, "sql": "create table t (id int primary key)"}),
        json!({"spec": [1, 2]}),
        json!({"spec": {"entities": [{"name": "a"}]}, "dialect": "oracle"}),
    ] {
        match (t.run)(bad.clone(), &ctx) {
            Ok(_) => panic!("{bad} should fail"),
            Err(kd_dba::mcp::registry::ToolError::Engine(e)) => {
                assert!(!e.to_string().is_empty())
            }
            Err(kd_dba::mcp::registry::ToolError::Arguments(m)) => assert!(!m.is_empty()),
        }
    }
    // Review mode: existing DDL in, tables, ERD and checks out.
    let r = (t.run)(
        json!({"sql": "create table a (id int primary key); create table b (id int primary key, a_id int references a(id));", "dialect": "postgres"}),
        &ctx,
    )
    .expect("review mode");
    assert_eq!(r.structured["mode"], "review");
    assert!(
        r.structured["review"]["problems"][0]
            .as_str()
            .unwrap()
            .contains("a_id")
    );
}

#[test]
fn cli_writes_the_files() {
    let out = root()
        .join("target")
        .join("tmp")
        .join(format!("design_cli_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kd-dba"))
        .args([
            "schema",
            "design",
            "examples/ecommerce.json",
            "--dialect",
            "sqlite",
            "--out",
        ])
        .arg(&out)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    for f in [
        "schema.sql",
        "erd.mmd",
        "migrations/001_init.up.sql",
        "migrations/001_init.down.sql",
        "refresh_daily_sales.sql",
        "schedule/refresh_daily_sales.cron",
    ] {
        assert!(out.join(f).is_file(), "{f} written");
    }
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_kd-dba"))
        .args(["schema", "design", "examples/nope.json"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot read the spec"));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn the_prompt_example_is_a_valid_spec() {
    let text = std::fs::read_to_string(root().join("prompts/KD-schema.md")).unwrap();
    let start = text.find("```json\n").expect("json block") + "```json\n".len();
    let end = start + text[start..].find("```").unwrap();
    let v: Value = serde_json::from_str(&text[start..end]).expect("the prompt's example is JSON");
    for dialect in ["postgres", "mysql", "sqlite"] {
        let s = design::spec_from_request(v.clone(), None, Some(dialect)).expect("valid spec");
        let d = design::design_spec(&s).expect("designs");
        assert!(design::check::review(&d.parsed, &d.catalog).clean());
    }
}

mod no_panics {
    use super::*;
    use proptest::prelude::*;

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => "[a-z]{2,8}",
            1 => "[A-Za-z0-9 _é-]{0,16}",
            1 => Just("user".to_string()),
            1 => Just("Order Line".to_string()),
        ]
    }

    fn ty() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("int".to_string()),
            Just("string(20)".to_string()),
            Just("money".to_string()),
            Just("enum[a, b]".to_string()),
            Just("array<int>".to_string()),
            Just("timestamp".to_string()),
            Just("json".to_string()),
            "[a-z()0-9,<>\\[\\] ]{0,14}",
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            6 => Just(Value::Null),
            1 => any::<i64>().prop_map(|n| json!(n)),
            1 => any::<bool>().prop_map(|b| json!(b)),
            1 => "[a-zé0-9 :-]{0,12}".prop_map(|s| json!(s)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Any spec of this shape designs or fails with an error; nothing panics, a design's DDL
        /// always parses back without syntax errors, and on SQLite it runs (up and down).
        #[test]
        fn arbitrary_specs_never_panic(
            e1 in name(), e2 in name(), f1 in name(), t1 in ty(), d1 in value(),
            req in any::<bool>(), uniq in any::<bool>(), kind in 0usize..4, dialect in 0usize..3,
            soft in any::<bool>(), key in 0usize..5, pat in name(), pat_is_field in any::<bool>(),
        ) {
            let e2 = format!("{e2}_x");
            let pat = if pat_is_field { f1.clone() } else { pat };
            let kinds = ["belongs_to", "has_many", "has_one", "many_to_many"];
            let keys = ["bigint_identity", "bigserial", "auto_increment", "uuid", "uuidv7"];
            let spec = json!({
                "options": {"soft_delete": soft, "key": keys[key]},
                "entities": [
                    {"name": e1, "fields": [{"name": f1, "type": t1, "required": req, "unique": uniq, "default": d1}]},
                    {"name": e2, "relations": [{"kind": kinds[kind], "target": e1}]}
                ],
                "access_patterns": [{"label": "p", "entity": e1, "filter": [{"field": pat, "op": "eq"}]}]
            });
            let d = ["postgres", "mysql", "sqlite"][dialect];
            if let Ok(s) = design::spec_from_request(spec, None, Some(d))
                && let Ok(out) = design::design_spec(&s)
            {
                prop_assert_eq!(out.parsed.stats.failed, 0, "{}", out.rendered.ddl);
                if d == "sqlite" {
                    let conn = rusqlite::Connection::open_in_memory().unwrap();
                    let run = conn.execute_batch(&out.rendered.ddl);
                    prop_assert!(run.is_ok(), "{:?}\n{}", run, out.rendered.ddl);
                    let down = conn.execute_batch(&out.rendered.down);
                    prop_assert!(down.is_ok(), "{:?}\n{}", down, out.rendered.down);
                }
            }
        }
    }
}

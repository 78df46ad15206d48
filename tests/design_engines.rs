//! Design mode against the real engines: the role card's e-commerce schema (examples/ecommerce.json)
//! and the fixture specs under tests/fixtures/design/ are rendered for PostgreSQL, MariaDB and
//! SQLite; every emitted statement runs on its engine; the engine's own catalog is compared with
//! kd-dba's catalog of the same DDL; triggers, refreshes, full-text search and constraints are
//! exercised with real rows; the down migration leaves an empty database.

mod common;

use kd_dba::catalog::{Catalog, Table};
use kd_dba::design::{self, Designed, spec};
use sqlparser::ast::{BinaryOperator, Expr, InTarget, Value};
use sqlparser::dialect::{GenericDialect, PostgreSqlDialect};
use sqlparser::parser::Parser;
use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load_spec(rel: &str, dialect: &str) -> spec::Spec {
    let text = std::fs::read_to_string(root().join(rel)).expect("spec file");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    design::spec_from_request(v, None, Some(dialect)).expect("valid spec")
}

fn designed(rel: &str, dialect: &str) -> Designed {
    design::design_spec(&load_spec(rel, dialect)).expect("design")
}

fn table<'a>(cat: &'a Catalog, name: &str) -> &'a Table {
    cat.find_table(name)
        .unwrap_or_else(|| panic!("table {name} missing from the catalog"))
}

fn parse_expr(s: &str) -> Expr {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(s)
        .and_then(|mut p| p.parse_expr())
        .unwrap_or_else(|e| panic!("cannot parse `{s}`: {e}"))
}

/// Split an AND chain into its conjuncts.
fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            let mut v = conjuncts(left);
            v.extend(conjuncts(right));
            v
        }
        Expr::Nested(inner) => conjuncts(inner),
        other => vec![other],
    }
}

fn ident_of(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) => Some(i.value.clone()),
        Expr::CompoundIdentifier(v) => v.last().map(|i| i.value.clone()),
        Expr::Nested(x) => ident_of(x),
        _ => None,
    }
}

fn number_of(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Some(n.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn string_of(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a check of `t` on `col` contains the conjunct `col >= n`.
fn has_min_check(t: &Table, col: &str, n: &str) -> bool {
    t.checks.iter().any(|c| {
        conjuncts(&parse_expr(&c.expr)).iter().any(|e| {
            matches!(e, Expr::BinaryOp { left, op: BinaryOperator::GtEq, right }
                if ident_of(left).as_deref() == Some(col) && number_of(right).as_deref() == Some(n))
        })
    })
}

/// The values of a `col IN (...)` conjunct of some check of `t`.
fn in_list_check(t: &Table, col: &str) -> Option<Vec<String>> {
    t.checks.iter().find_map(|c| {
        conjuncts(&parse_expr(&c.expr))
            .into_iter()
            .find_map(|e| match e {
                Expr::In {
                    expr,
                    target: InTarget::List(list),
                    negated: false,
                    ..
                } if ident_of(expr).as_deref() == Some(col) => {
                    list.iter().map(string_of).collect::<Option<Vec<_>>>()
                }
                _ => None,
            })
    })
}

fn has_unique(t: &Table, cols: &[&str]) -> bool {
    t.uniques
        .iter()
        .any(|u| u.columns.len() == cols.len() && u.columns.iter().zip(cols).all(|(a, b)| a == b))
}

/// Identifiers an expression mentions (function arguments included).
fn idents_in(s: &str) -> BTreeSet<String> {
    use sqlparser::ast::Visit;
    use std::ops::ControlFlow;
    struct V(BTreeSet<String>);
    impl sqlparser::ast::Visitor for V {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            if let Expr::Identifier(i) = e {
                self.0.insert(i.value.clone());
            }
            ControlFlow::Continue(())
        }
    }
    let e = Parser::new(&GenericDialect {})
        .try_with_sql(s)
        .and_then(|mut p| p.parse_expr())
        .unwrap_or_else(|e| panic!("cannot parse `{s}`: {e}"));
    let mut v = V(BTreeSet::new());
    let _ = e.visit(&mut v);
    v.0
}

// ------------------------------------------------------------------------------------------------
// The acceptance case, checked on kd-dba's own catalog of the emitted DDL.

#[test]
fn ecommerce_postgres_has_every_element_of_the_card_schema() {
    let d = designed("examples/ecommerce.json", "postgres");
    let cat = &d.catalog;
    assert!(cat.notes.is_empty(), "catalog notes: {:?}", cat.notes);
    assert_eq!(d.parsed.stats.failed, 0);
    for t in ["users", "products", "orders", "order_items"] {
        table(cat, t);
    }
    let users = table(cat, "users");
    let email = users.column("email").expect("users.email");
    assert!(!email.nullable, "email NOT NULL");
    assert!(has_unique(users, &["email"]), "email UNIQUE");

    let products = table(cat, "products");
    assert!(has_min_check(products, "price", "0"), "price CHECK >= 0");
    assert!(has_min_check(products, "stock", "0"), "stock CHECK >= 0");

    let orders = table(cat, "orders");
    assert_eq!(
        in_list_check(orders, "status").expect("status CHECK IN"),
        ["pending", "processing", "shipped", "delivered", "cancelled"]
    );
    assert!(has_unique(orders, &["order_number"]), "order_number UNIQUE");
    let fk_user = orders
        .foreign_keys
        .iter()
        .find(|f| f.columns == ["user_id"])
        .expect("orders.user_id FK");
    assert_eq!(fk_user.ref_table.name, "users");
    assert_eq!(fk_user.on_delete, "CASCADE");

    let items = table(cat, "order_items");
    let fk_product = items
        .foreign_keys
        .iter()
        .find(|f| f.columns == ["product_id"])
        .expect("order_items.product_id FK");
    assert_eq!(fk_product.ref_table.name, "products");
    assert_eq!(fk_product.on_delete, "RESTRICT");
    assert!(has_unique(items, &["order_id", "product_id"]));

    // An index covering every foreign key, a primary key on every table.
    for t in &cat.tables {
        assert!(t.primary_key.is_some(), "{} has a primary key", t.name);
        for fk in &t.foreign_keys {
            assert!(
                design::check::fk_covered(cat, t, &fk.columns),
                "FK {}.{:?} covered by an index",
                t.name,
                fk.columns
            );
        }
    }
    // Partial index on status WHERE status <> 'delivered'.
    let partial = cat
        .indexes_of(&orders.name)
        .find(|i| i.columns() == Some(vec!["status"]))
        .expect("index on orders(status)");
    let pred = parse_expr(partial.predicate.as_deref().expect("partial"));
    assert!(
        matches!(&pred, Expr::BinaryOp { left, op: BinaryOperator::NotEq, right }
            if ident_of(left).as_deref() == Some("status") && string_of(right).as_deref() == Some("delivered")),
        "predicate {pred}"
    );
    // created_at DESC.
    assert!(
        cat.indexes_of(&orders.name).any(|i| i.keys.len() == 1
            && i.keys[0].column.as_deref() == Some("created_at")
            && i.keys[0].descending),
        "index on orders(created_at DESC)"
    );
    // GIN full-text index over name and description.
    let gin = cat
        .indexes_of(&products.name)
        .find(|i| i.method == "gin")
        .expect("GIN index on products");
    let mentioned = idents_in(&gin.keys[0].expr);
    assert!(
        mentioned.contains("name") && mentioned.contains("description"),
        "{mentioned:?}"
    );
    assert!(gin.keys[0].expr.contains("to_tsvector"));
    // updated_at triggers on every table, through the trigger function.
    assert!(
        cat.functions
            .iter()
            .any(|f| f.name.name == "set_updated_at")
    );
    for t in ["users", "products", "orders", "order_items"] {
        let trg = cat
            .triggers
            .iter()
            .find(|g| g.table.name == t)
            .unwrap_or_else(|| panic!("updated_at trigger on {t}"));
        assert_eq!(
            trg.function.as_ref().map(|f| f.name.as_str()),
            Some("set_updated_at")
        );
        assert!(
            trg.timing
                .as_deref()
                .is_some_and(|x| x.contains("BEFORE") && x.contains("UPDATE"))
        );
    }
    // daily_sales: materialized view with a unique index and a refresh schedule.
    let mv = cat
        .views
        .iter()
        .find(|v| v.name.name == "daily_sales")
        .expect("daily_sales");
    assert!(mv.materialized);
    let deps: BTreeSet<&str> = mv.depends_on.iter().map(|n| n.name.as_str()).collect();
    assert!(
        deps.contains("orders") && deps.contains("order_items"),
        "{deps:?}"
    );
    assert!(
        cat.indexes_of(&mv.name)
            .any(|i| i.unique && i.columns() == Some(vec!["day"])),
        "unique index on daily_sales(day)"
    );
    assert_eq!(d.rendered.schedules.len(), 1);
    let sched = &d.rendered.schedules[0];
    assert_eq!(
        sched.kind, "cron",
        "pg_cron is off in the example: a cron line"
    );
    assert!(sched.entry.starts_with("15 * * * * psql "));
    assert!(
        sched
            .entry
            .contains("REFRESH MATERIALIZED VIEW CONCURRENTLY daily_sales")
    );
    // The review of the result is clean.
    let review = design::check::review(&d.parsed, cat);
    assert!(review.clean(), "{:?}", review.problems);
}

#[test]
fn ecommerce_report_has_strategy_differences_and_migration() {
    let spec = load_spec("examples/ecommerce.json", "mysql");
    let ctx = kd_dba::mcp::registry::ToolCtx::default();
    let r = design::design_report(&spec, &[], &ctx).expect("report");
    assert_eq!(r.dialect, "mysql");
    assert!(r.differences.iter().any(|d| d.contains("FULLTEXT")));
    assert!(r.differences.iter().any(|d| d.contains("partial indexes")));
    assert!(
        r.differences
            .iter()
            .any(|d| d.contains("not a materialized view"))
    );
    let fk_row = r
        .index_strategy
        .iter()
        .find(|x| x.index == "idx_orders_user_id_created_at")
        .expect("pattern index");
    assert!(fk_row.serves.iter().any(|s| s.contains("orders of a user")));
    assert!(
        fk_row
            .serves
            .iter()
            .any(|s| s.contains("foreign key user_id"))
    );
    assert_eq!(r.migration.len(), 2);
    assert!(r.migration[0].name.ends_with("001_init.up.sql"));
    assert!(r.erd_mermaid.starts_with("erDiagram"));
    assert!(r.erd_mermaid.contains("users ||..o{ orders"));
    let md = kd_dba::render::render("schema/design.md", &r).expect("template");
    assert!(md.contains("idx_orders_user_id_created_at"));
}

// ------------------------------------------------------------------------------------------------
// PostgreSQL

fn pg_names(db: &common::TestDb, sql: &str) -> BTreeSet<String> {
    db.column(sql).into_iter().collect()
}

/// The engine's catalog against kd-dba's: tables, constraints by kind, indexes, triggers, views.
fn pg_compare(db: &common::TestDb, cat: &Catalog, schema: &str) {
    let want_tables: BTreeSet<String> = cat.tables.iter().map(|t| t.name.name.clone()).collect();
    let got_tables = pg_names(
        db,
        &format!(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}' AND table_type = 'BASE TABLE'"
        ),
    );
    assert_eq!(got_tables, want_tables, "tables");
    for (kind, f) in [
        (
            "p",
            Box::new(|t: &Table| {
                t.primary_key
                    .iter()
                    .map(|k| k.name.clone())
                    .collect::<Vec<_>>()
            }) as Box<dyn Fn(&Table) -> Vec<String>>,
        ),
        (
            "u",
            Box::new(|t: &Table| t.uniques.iter().map(|k| k.name.clone()).collect()),
        ),
        (
            "f",
            Box::new(|t: &Table| t.foreign_keys.iter().map(|k| k.name.clone()).collect()),
        ),
        (
            "c",
            Box::new(|t: &Table| t.checks.iter().map(|k| k.name.clone()).collect()),
        ),
    ] {
        let want: BTreeSet<String> = cat.tables.iter().flat_map(&f).collect();
        let got = pg_names(
            db,
            &format!(
                "SELECT conname FROM pg_constraint WHERE connamespace = '{schema}'::regnamespace AND contype = '{kind}'"
            ),
        );
        assert_eq!(got, want, "constraints of kind {kind}");
    }
    let want_ix: BTreeSet<String> = cat.indexes.iter().map(|i| i.name.clone()).collect();
    let got_ix = pg_names(
        db,
        &format!("SELECT indexname FROM pg_indexes WHERE schemaname = '{schema}'"),
    );
    assert_eq!(got_ix, want_ix, "indexes");
    let want_trg: BTreeSet<String> = cat.triggers.iter().map(|t| t.name.clone()).collect();
    let got_trg = pg_names(
        db,
        &format!(
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relnamespace = '{schema}'::regnamespace"
        ),
    );
    assert_eq!(got_trg, want_trg, "triggers");
    let want_mv: BTreeSet<String> = cat
        .views
        .iter()
        .filter(|v| v.materialized)
        .map(|v| v.name.name.clone())
        .collect();
    let got_mv = pg_names(
        db,
        &format!("SELECT matviewname FROM pg_matviews WHERE schemaname = '{schema}'"),
    );
    assert_eq!(got_mv, want_mv, "materialized views");
    // FK actions as the engine stores them.
    for t in &cat.tables {
        for fk in &t.foreign_keys {
            let code = db.scalar(&format!(
                "SELECT confdeltype FROM pg_constraint WHERE conname = '{}' AND connamespace = '{schema}'::regnamespace",
                fk.name
            ));
            let want = match fk.on_delete.as_str() {
                "CASCADE" => "c",
                "RESTRICT" => "r",
                "SET NULL" => "n",
                "SET DEFAULT" => "d",
                _ => "a",
            };
            assert_eq!(code, want, "ON DELETE of {}", fk.name);
        }
    }
}

fn run_cron_line(entry: &str, envs: &[(&str, String)]) -> Result<String, String> {
    // Drop the five schedule fields; run the command as cron would (sh -c).
    let cmd: String = entry.splitn(6, ' ').nth(5).expect("command").to_string();
    let mut c = std::process::Command::new("sh");
    c.arg("-c").arg(&cmd);
    for (k, v) in envs {
        c.env(k, v);
    }
    let out = c.output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn ecommerce_runs_on_postgres() {
    let Some(pg) = common::postgres() else { return };
    let d = designed("examples/ecommerce.json", "postgres");
    let db = pg.fresh_db("design_ecommerce_pg");
    db.exec_in_transaction(&d.rendered.ddl)
        .unwrap_or_else(|e| panic!("DDL failed on PostgreSQL: {e}\n{}", d.rendered.ddl));
    pg_compare(&db, &d.catalog, "public");

    db.exec(
        "INSERT INTO users (email, name, password_hash) VALUES ('ada@example.com', 'Ada', 'h');
         INSERT INTO products (sku, name, description, price, stock) VALUES
           ('KB-1', 'Ergonomic keyboard', 'Split mechanical keyboard with tenting', 129.00, 10),
           ('MS-1', 'Vertical mouse', 'Wireless mouse', 49.50, 5);
         INSERT INTO orders (user_id, order_number, status, total) VALUES (1, 'A-1', 'pending', 178.50);
         INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES (1, 1, 1, 129.00), (1, 2, 2, 49.50);",
    )
    .expect("rows");
    // updated_at trigger (a later transaction, so now() differs).
    db.exec("UPDATE users SET name = 'Ada L.' WHERE id = 1")
        .expect("update");
    assert_eq!(
        db.scalar("SELECT updated_at > created_at FROM users WHERE id = 1"),
        "t"
    );
    // The refresh the schedule runs, exactly as the crontab line runs it.
    let entry = &d.rendered.schedules[0].entry;
    run_cron_line(entry, &[("DATABASE_URL", db.url())]).expect("cron line runs");
    assert_eq!(
        db.rows("SELECT orders, items_sold, revenue FROM daily_sales"),
        vec![vec!["1".to_string(), "3".into(), "228.00".into()]]
    );
    db.exec(&d.rendered.schedules[0].refresh_sql)
        .expect("REFRESH ... CONCURRENTLY");
    // Full-text search (stemmed) and the planner can use the GIN index for that expression.
    let q = "SELECT sku FROM products WHERE to_tsvector('english', coalesce(name, '') || ' ' || coalesce(description, '')) @@ websearch_to_tsquery('english', 'keyboards')";
    assert_eq!(db.column(q), vec!["KB-1"]);
    let plan = db
        .exec(&format!("SET enable_seqscan = off; EXPLAIN {q}"))
        .expect("explain");
    assert!(plan.contains("idx_products_search"), "{plan}");
    // The partial index serves a status lookup the predicate implies.
    let plan = db
        .exec("SET enable_seqscan = off; EXPLAIN SELECT id FROM orders WHERE status = 'pending'")
        .expect("explain");
    assert!(plan.contains("idx_orders_status"), "{plan}");
    // Constraints.
    assert!(
        db.exec("INSERT INTO products (sku, name, price) VALUES ('X', 'x', -1)")
            .is_err()
    );
    assert!(db.exec("UPDATE orders SET status = 'lost'").is_err());
    assert!(
        db.exec(
            "INSERT INTO users (email, name, password_hash) VALUES ('ada@example.com', 'Dup', 'h')"
        )
        .is_err()
    );
    assert!(
        db.exec("DELETE FROM products WHERE id = 1").is_err(),
        "RESTRICT"
    );
    db.exec("DELETE FROM users WHERE id = 1").expect("cascade");
    assert_eq!(db.scalar("SELECT count(*) FROM order_items"), "0");
    // Down, then up again.
    let down = &d.rendered.down;
    db.exec(down).expect("down");
    assert_eq!(
        db.scalar("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"),
        "0"
    );
    assert_eq!(
        db.scalar("SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace"),
        "0"
    );
    db.exec_in_transaction(&d.rendered.ddl).expect("up again");
}

// ------------------------------------------------------------------------------------------------
// MariaDB

fn my_names(db: &common::TestDb, sql: &str) -> BTreeSet<String> {
    db.column(sql).into_iter().collect()
}

fn my_compare(db: &common::TestDb, cat: &Catalog) {
    let s = &db.name;
    let want_tables: BTreeSet<String> = cat.tables.iter().map(|t| t.name.name.clone()).collect();
    let got = my_names(
        db,
        &format!(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '{s}' AND table_type = 'BASE TABLE'"
        ),
    );
    assert_eq!(got, want_tables, "tables");
    for (kind, f) in [
        (
            "UNIQUE",
            Box::new(|t: &Table| t.uniques.iter().map(|k| k.name.clone()).collect::<Vec<_>>())
                as Box<dyn Fn(&Table) -> Vec<String>>,
        ),
        (
            "FOREIGN KEY",
            Box::new(|t: &Table| t.foreign_keys.iter().map(|k| k.name.clone()).collect()),
        ),
        (
            "CHECK",
            Box::new(|t: &Table| t.checks.iter().map(|k| k.name.clone()).collect()),
        ),
    ] {
        let want: BTreeSet<String> = cat.tables.iter().flat_map(&f).collect();
        // MariaDB adds a json_valid() CHECK named after each JSON column (MySQL does not).
        let json_cols: BTreeSet<String> = cat
            .tables
            .iter()
            .flat_map(|t| t.columns.iter())
            .filter(|c| c.data_type.family == kd_dba::catalog::TypeFamily::Json)
            .map(|c| c.name.clone())
            .collect();
        let got: BTreeSet<String> = my_names(
            db,
            &format!(
                "SELECT constraint_name FROM information_schema.table_constraints WHERE constraint_schema = '{s}' AND constraint_type = '{kind}'"
            ),
        )
        .into_iter()
        .filter(|n| kind != "CHECK" || !json_cols.contains(n))
        .collect();
        assert_eq!(got, want, "constraints {kind}");
    }
    let want_ix: BTreeSet<String> = cat
        .indexes
        .iter()
        .map(|i| format!("{}.{}", i.table.name, i.name))
        .collect();
    let got_ix = my_names(
        db,
        &format!(
            "SELECT DISTINCT concat(table_name, '.', index_name) FROM information_schema.statistics WHERE table_schema = '{s}'"
        ),
    );
    assert_eq!(got_ix, want_ix, "indexes");
    for t in &cat.tables {
        for fk in &t.foreign_keys {
            let rule = db.scalar(&format!(
                "SELECT delete_rule FROM information_schema.referential_constraints WHERE constraint_schema = '{s}' AND constraint_name = '{}'",
                fk.name
            ));
            assert_eq!(rule, fk.on_delete, "ON DELETE of {}", fk.name);
        }
    }
}

#[test]
fn ecommerce_runs_on_mariadb() {
    let Some(my) = common::mysql() else { return };
    let d = designed("examples/ecommerce.json", "mysql");
    assert_eq!(d.parsed.stats.failed, 0);
    assert!(d.catalog.notes.is_empty(), "{:?}", d.catalog.notes);
    let db = my.fresh_db("design_ecommerce_my");
    db.exec(&d.rendered.ddl)
        .unwrap_or_else(|e| panic!("DDL failed on MariaDB: {e}\n{}", d.rendered.ddl));
    my_compare(&db, &d.catalog);
    assert_eq!(
        db.scalar(&format!("SELECT index_type FROM information_schema.statistics WHERE table_schema = '{}' AND index_name = 'idx_products_search' LIMIT 1", db.name)),
        "FULLTEXT"
    );
    db.exec(
        "INSERT INTO users (email, name, password_hash) VALUES ('ada@example.com', 'Ada', 'h');
         INSERT INTO products (sku, name, description, price, stock) VALUES
           ('KB-1', 'Ergonomic keyboard', 'Split mechanical keyboard with tenting', 129.00, 10),
           ('MS-1', 'Vertical mouse', 'Wireless mouse', 49.50, 5);
         INSERT INTO orders (user_id, order_number, status, total) VALUES (1, 'A-1', 'pending', 178.50);
         INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES (1, 1, 1, 129.00), (1, 2, 2, 49.50);",
    )
    .expect("rows");
    db.exec("UPDATE users SET name = 'Ada L.' WHERE id = 1")
        .expect("update");
    assert_eq!(
        db.scalar("SELECT updated_at > created_at FROM users WHERE id = 1"),
        "1"
    );
    // The crontab line, with a client option file as the line expects.
    let home = tempdir("design_my_home");
    let url = &db.server.url;
    let mut cnf = format!("[client]\nhost={}\n", url.host);
    if let Some(p) = url.port {
        cnf.push_str(&format!("port={p}\n"));
    }
    if let Some(u) = &url.user {
        cnf.push_str(&format!("user={u}\n"));
    }
    if let Some(p) = &url.password {
        cnf.push_str(&format!("password={p}\n"));
    }
    std::fs::write(home.join(".my.cnf"), cnf).unwrap();
    run_cron_line(
        &d.rendered.schedules[0].entry,
        &[
            ("HOME", home.display().to_string()),
            ("DB_NAME", db.name.clone()),
        ],
    )
    .expect("cron line runs");
    assert_eq!(
        db.rows("SELECT orders, items_sold, revenue FROM daily_sales"),
        vec![vec!["1".to_string(), "3".into(), "228.00".into()]]
    );
    assert_eq!(
        db.column("SELECT sku FROM products WHERE MATCH (name, description) AGAINST ('keyboard' IN NATURAL LANGUAGE MODE)"),
        vec!["KB-1"]
    );
    assert!(
        db.exec("INSERT INTO products (sku, name, price) VALUES ('X', 'x', -1)")
            .is_err()
    );
    assert!(db.exec("UPDATE orders SET status = 'lost'").is_err());
    assert!(
        db.exec("DELETE FROM products WHERE id = 1").is_err(),
        "RESTRICT"
    );
    db.exec("DELETE FROM users WHERE id = 1").expect("cascade");
    assert_eq!(db.scalar("SELECT count(*) FROM order_items"), "0");
    db.exec(&d.rendered.down).expect("down");
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = '{}'",
            db.name
        )),
        "0"
    );
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) FROM information_schema.routines WHERE routine_schema = '{}'",
            db.name
        )),
        "0"
    );
    db.exec(&d.rendered.ddl).expect("up again");
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let p = root()
        .join("target")
        .join("tmp")
        .join(format!("{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

// ------------------------------------------------------------------------------------------------
// SQLite

fn sqlite_names(conn: &rusqlite::Connection, sql: &str) -> BTreeSet<String> {
    let mut st = conn.prepare(sql).unwrap();
    st.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn sqlite_compare(conn: &rusqlite::Connection, cat: &Catalog) {
    let want: BTreeSet<String> = cat.tables.iter().map(|t| t.name.name.clone()).collect();
    // FTS5 shadow tables (`<fts>_data`, ...) are the module's own storage.
    let virtuals: Vec<String> = cat
        .tables
        .iter()
        .filter(|t| t.kind == kd_dba::catalog::TableKind::Virtual)
        .map(|t| format!("{}_", t.name.name))
        .collect();
    let got: BTreeSet<String> =
        sqlite_names(conn, "SELECT name FROM sqlite_master WHERE type = 'table'")
            .into_iter()
            .filter(|n| !virtuals.iter().any(|v| n.starts_with(v.as_str())))
            .collect();
    assert_eq!(got, want, "tables");
    let want_ix: BTreeSet<String> = cat.indexes.iter().map(|i| i.name.clone()).collect();
    let got_ix = sqlite_names(conn, "SELECT name FROM sqlite_master WHERE type = 'index'");
    assert_eq!(got_ix, want_ix, "indexes");
    let want_trg: BTreeSet<String> = cat.triggers.iter().map(|t| t.name.clone()).collect();
    let got_trg = sqlite_names(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'trigger'",
    );
    assert_eq!(got_trg, want_trg, "triggers");
    for t in cat
        .tables
        .iter()
        .filter(|t| t.kind != kd_dba::catalog::TableKind::Virtual)
    {
        let mut st = conn
            .prepare(&format!(
                "SELECT \"from\", on_delete FROM pragma_foreign_key_list('{}')",
                t.name.name
            ))
            .unwrap();
        let got: BTreeSet<(String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let want: BTreeSet<(String, String)> = t
            .foreign_keys
            .iter()
            .map(|f| (f.columns[0].clone(), f.on_delete.clone()))
            .collect();
        assert_eq!(got, want, "foreign keys of {}", t.name);
    }
}

/// The SQLite crontab line (`sqlite3 "$DB_FILE" < refresh_daily_sales.sql`), run as cron would,
/// from the folder the files were written to.
#[test]
fn sqlite_cron_line_refreshes_the_summary() {
    let has_cli = std::process::Command::new("sqlite3")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_cli {
        if std::env::var("KD_DBA_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
            panic!("KD_DBA_REQUIRE_TOOLS=1 but the sqlite3 command-line shell is missing");
        }
        eprintln!("skipping: the sqlite3 command-line shell is missing (apt package sqlite3)");
        return;
    }
    let d = designed("examples/ecommerce.json", "sqlite");
    let dir = tempdir("design_sqlite_cron");
    for f in &d.rendered.files {
        let p = dir.join(&f.name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, &f.content).unwrap();
    }
    let db = dir.join("app.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(&d.rendered.ddl).unwrap();
        conn.execute_batch(
            "INSERT INTO users (email, name, password_hash) VALUES ('ada@example.com', 'Ada', 'h');
             INSERT INTO products (sku, name, price) VALUES ('KB-1', 'Keyboard', 129.00);
             INSERT INTO orders (user_id, order_number) VALUES (1, 'A-1');
             INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES (1, 1, 2, 129.00);",
        )
        .unwrap();
    }
    let entry = &d.rendered.schedules[0].entry;
    let cmd: String = entry.splitn(6, ' ').nth(5).unwrap().to_string();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&cmd)
        .env("DB_FILE", &db)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (n, revenue): (i64, f64) = conn
        .query_row("SELECT items_sold, revenue FROM daily_sales", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((n, revenue), (2, 258.0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ecommerce_runs_on_sqlite() {
    let d = designed("examples/ecommerce.json", "sqlite");
    assert_eq!(d.parsed.stats.failed, 0, "{:?}", d.parsed.syntax_findings());
    assert!(d.catalog.notes.is_empty(), "{:?}", d.catalog.notes);
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(&d.rendered.ddl)
        .unwrap_or_else(|e| panic!("DDL failed on SQLite: {e}\n{}", d.rendered.ddl));
    sqlite_compare(&conn, &d.catalog);
    conn.execute_batch(
        "INSERT INTO users (email, name, password_hash) VALUES ('ada@example.com', 'Ada', 'h');
         INSERT INTO products (sku, name, description, price, stock) VALUES
           ('KB-1', 'Ergonomic keyboard', 'Split mechanical keyboard with tenting', 129.00, 10),
           ('MS-1', 'Vertical mouse', 'Wireless mouse', 49.50, 5);
         INSERT INTO orders (user_id, order_number, status, total) VALUES (1, 'A-1', 'pending', 178.50);
         INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES (1, 1, 1, 129.00), (1, 2, 2, 49.50);",
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    conn.execute("UPDATE users SET name = 'Ada L.' WHERE id = 1", [])
        .unwrap();
    let later: bool = conn
        .query_row(
            "SELECT updated_at > created_at FROM users WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(later, "updated_at trigger");
    let fts = "SELECT p.sku FROM products_fts JOIN products p ON p.rowid = products_fts.rowid WHERE products_fts MATCH ?1";
    let find = |term: &str| -> Vec<String> {
        let mut st = conn.prepare(fts).unwrap();
        st.query_map([term], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(find("keyboard"), vec!["KB-1"]);
    conn.execute(
        "UPDATE products SET name = 'Split board' WHERE sku = 'KB-1'",
        [],
    )
    .unwrap();
    assert_eq!(
        find("ergonomic"),
        Vec::<String>::new(),
        "update trigger removed the old text"
    );
    assert_eq!(find("split"), vec!["KB-1"]);
    let refresh = d
        .rendered
        .files
        .iter()
        .find(|f| f.name == "refresh_daily_sales.sql")
        .expect("refresh script");
    conn.execute_batch(&refresh.content).unwrap();
    let row: (i64, i64, f64) = conn
        .query_row(
            "SELECT orders, items_sold, revenue FROM daily_sales",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(row, (1, 3, 228.0));
    assert!(
        conn.execute(
            "INSERT INTO products (sku, name, price) VALUES ('X', 'x', -1)",
            []
        )
        .is_err()
    );
    assert!(
        conn.execute("UPDATE orders SET status = 'lost'", [])
            .is_err()
    );
    assert!(
        conn.execute(
            "INSERT INTO orders (user_id, order_number) VALUES (99, 'B')",
            []
        )
        .is_err(),
        "FK enforced"
    );
    assert!(
        conn.execute("DELETE FROM products WHERE sku = 'MS-1'", [])
            .is_err(),
        "RESTRICT"
    );
    conn.execute("DELETE FROM users WHERE id = 1", []).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM order_items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0, "cascade");
    conn.execute("DELETE FROM order_items", []).unwrap();
    conn.execute("DELETE FROM products WHERE sku = 'KB-1'", [])
        .unwrap();
    assert_eq!(find("split"), Vec::<String>::new(), "delete trigger");
    conn.execute_batch(&d.rendered.down).unwrap();
    let left: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
    conn.execute_batch(&d.rendered.ddl).unwrap();
}

#[test]
fn kd_schema_tool_stays_small_in_tools_list() {
    let tools = kd_dba::mcp::tools::all();
    let t = tools
        .iter()
        .find(|t| t.name == "KD-schema")
        .expect("KD-schema");
    let bytes = serde_json::to_vec(&serde_json::json!({
        "name": t.name, "title": t.title, "description": t.description,
        "inputSchema": *t.input_schema, "outputSchema": *t.output_schema,
    }))
    .unwrap()
    .len();
    println!("KD-schema in tools/list: {bytes} bytes");
    // A ninth-or-so of the 32 KiB budget all tools share.
    assert!(
        bytes <= 5 * 1024,
        "KD-schema takes {bytes} bytes of tools/list"
    );
}

// ------------------------------------------------------------------------------------------------
// The fixture spec with everything else: UUID keys, soft delete, a schema, a natural key, has_one,
// has_many, self and plain many-to-many, a relation cycle, arrays, JSON, prefix/IN/IS NULL
// patterns, a summary over a nullable join with a time zone, pg_cron scheduling.

const BLOG: &str = "tests/fixtures/design/blog.json";

fn assert_clean(d: &Designed) {
    assert_eq!(d.parsed.stats.failed, 0, "{:?}", d.parsed.syntax_findings());
    assert!(d.catalog.notes.is_empty(), "{:?}", d.catalog.notes);
    let review = design::check::review(&d.parsed, &d.catalog);
    assert!(review.clean(), "{:?}", review.problems);
}

#[test]
fn blog_runs_on_postgres() {
    let d = designed(BLOG, "postgres");
    assert_clean(&d);
    // The cycle users.pinned_post_id ↔ posts.author_id is closed by ALTER TABLE.
    assert!(
        d.rendered
            .statements
            .iter()
            .any(|s| s
                .starts_with("ALTER TABLE blog.users ADD CONSTRAINT users_pinned_post_id_fkey"))
    );
    assert_eq!(d.rendered.schedules[0].kind, "pg_cron");
    let Some(pg) = common::postgres() else { return };
    let db = pg.fresh_db("design_blog_pg");
    db.exec_in_transaction(&d.rendered.ddl)
        .unwrap_or_else(|e| panic!("DDL failed: {e}\n{}", d.rendered.ddl));
    pg_compare(&db, &d.catalog, "blog");
    db.exec(
        "SET search_path = blog;
         INSERT INTO countries (code, name) VALUES ('DE', 'Germany');
         INSERT INTO users (email, handle, country_code) VALUES ('a@example.com', 'ada', 'DE');
         INSERT INTO posts (author_id, title, slug, body, status, published_at, rating, word_count, tags_cache)
           SELECT id, 'Indexing partial rows', 'partial', 'Partial indexes keep hot rows small', 'published', now(), 4.5, 100, ARRAY['pg']
           FROM users;",
    )
    .expect("rows");
    assert_eq!(
        db.scalar("SELECT count(*) FROM blog.posts WHERE id::text ~ '^[0-9a-f-]{36}$'"),
        "1"
    );
    db.exec(&d.rendered.schedules[0].refresh_sql)
        .expect("refresh");
    assert_eq!(
        db.rows("SELECT country, posts, words FROM blog.weekly_posts"),
        vec![vec!["DE".to_string(), "1".into(), "100".into()]]
    );
    // Soft delete: a deleted user's email is free again; a live duplicate is not.
    assert!(
        db.exec("INSERT INTO blog.users (email, handle) VALUES ('a@example.com', 'ada2')")
            .is_err()
    );
    db.exec("UPDATE blog.users SET deleted_at = now()")
        .expect("soft delete");
    db.exec("INSERT INTO blog.users (email, handle) VALUES ('a@example.com', 'ada')")
        .expect("email reusable after soft delete");
    // The array must be an array, the rating in range, the tag kind one of the values.
    assert!(db.exec("UPDATE blog.posts SET rating = 6").is_err());
    assert!(
        db.exec("INSERT INTO blog.tags (name, kind) VALUES ('x', 'other')")
            .is_err()
    );
    // The prefix index (text_pattern_ops, live rows) serves LIKE 'ad%' whatever the collation.
    db.exec("INSERT INTO blog.users (email, handle) SELECT 'u' || g || '@example.com', 'user' || g FROM generate_series(1, 3000) g; ANALYZE blog.users;")
        .expect("load");
    let plan = db
        .exec("EXPLAIN SELECT id FROM blog.users WHERE handle LIKE 'ad%' AND deleted_at IS NULL")
        .expect("explain");
    assert!(plan.contains("idx_users_handle"), "{plan}");
    db.exec(&d.rendered.down).expect("down");
    assert_eq!(
        db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'blog'"),
        "0"
    );
}

#[test]
fn blog_runs_on_mariadb() {
    let d = designed(BLOG, "mysql");
    assert_clean(&d);
    let Some(my) = common::mysql() else { return };
    let db = my.fresh_db("design_blog_my");
    db.exec(&d.rendered.ddl)
        .unwrap_or_else(|e| panic!("DDL failed: {e}\n{}", d.rendered.ddl));
    my_compare(&db, &d.catalog);
    db.exec(
        "INSERT INTO countries (code, name) VALUES ('DE', 'Germany');
         INSERT INTO users (email, handle, country_code) VALUES ('a@example.com', 'ada', 'DE');
         INSERT INTO posts (author_id, title, slug, body, status, published_at, rating, word_count)
           SELECT id, 'Indexing partial rows', 'partial', 'Partial indexes keep hot rows small', 'published', NOW(6), 4.5, 100 FROM users;",
    )
    .expect("rows");
    assert_eq!(
        db.scalar("SELECT JSON_TYPE(tags_cache) FROM posts"),
        "ARRAY"
    );
    assert!(
        db.exec("UPDATE posts SET tags_cache = '{}'").is_err(),
        "array CHECK"
    );
    db.exec(&d.rendered.schedules[0].refresh_sql)
        .expect("CALL refresh");
    assert_eq!(db.scalar("SELECT sum(posts) FROM weekly_posts"), "1");
    db.exec(&d.rendered.down).expect("down");
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = '{}'",
            db.name
        )),
        "0"
    );
}

#[test]
fn blog_runs_on_sqlite() {
    let d = designed(BLOG, "sqlite");
    assert_clean(&d);
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(&d.rendered.ddl)
        .unwrap_or_else(|e| panic!("DDL failed: {e}\n{}", d.rendered.ddl));
    sqlite_compare(&conn, &d.catalog);
    conn.execute_batch(
        "INSERT INTO countries (code, name) VALUES ('DE', 'Germany');
         INSERT INTO users (email, handle, country_code) VALUES ('a@example.com', 'ada', 'DE');
         INSERT INTO posts (author_id, title, slug, body, status, published_at, rating, word_count)
           SELECT id, 'Indexing partial rows', 'partial', 'Partial indexes keep hot rows small', 'published', '2024-05-08 10:00:00', 4.5, 100 FROM users;",
    )
    .unwrap();
    let id: String = conn
        .query_row("SELECT id FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id.len(), 36, "generated UUID {id}");
    assert_eq!(&id[14..15], "4");
    let refresh = d
        .rendered
        .files
        .iter()
        .find(|f| f.name == "refresh_weekly_posts.sql")
        .unwrap();
    conn.execute_batch(&refresh.content).unwrap();
    let (week, country): (String, String) = conn
        .query_row("SELECT week, country FROM weekly_posts", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        (week.as_str(), country.as_str()),
        ("2024-05-06", "DE"),
        "Monday of the week"
    );
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'partial'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    conn.execute("UPDATE users SET deleted_at = '2024-06-01'", [])
        .unwrap();
    conn.execute(
        "INSERT INTO users (email, handle) VALUES ('a@example.com', 'ada')",
        [],
    )
    .expect("email reusable after soft delete");
    assert!(
        conn.execute("UPDATE posts SET tags_cache = '{}'", [])
            .is_err()
    );
    assert!(conn.execute("UPDATE users SET is_admin = 2", []).is_err());
    conn.execute_batch(&d.rendered.down).unwrap();
    let left: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
}

// ------------------------------------------------------------------------------------------------
// Every key strategy on every engine.

fn with_key(key: &str, dialect: &str) -> Designed {
    let text = std::fs::read_to_string(root().join("examples/ecommerce.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut over = serde_json::Map::new();
    over.insert("key".into(), serde_json::Value::String(key.into()));
    let s = design::spec_from_request(v, Some(&over), Some(dialect)).unwrap();
    design::design_spec(&s).unwrap()
}

const KEYS: [&str; 5] = [
    "bigint_identity",
    "bigserial",
    "auto_increment",
    "uuid",
    "uuidv7",
];

/// Insert a user and an order, giving ids only where the engine cannot generate them.
fn key_rows(app_ids: bool) -> String {
    let uid = "'0190163d-8694-739b-aea5-966c26f8ad91'";
    let oid = "'0190163d-8694-739b-aea5-966c26f8ad92'";
    if app_ids {
        format!(
            "INSERT INTO users (id, email, name, password_hash) VALUES ({uid}, 'k@example.com', 'K', 'h');
             INSERT INTO orders (id, user_id, order_number) VALUES ({oid}, {uid}, 'K-1');"
        )
    } else {
        "INSERT INTO users (email, name, password_hash) VALUES ('k@example.com', 'K', 'h');
         INSERT INTO orders (user_id, order_number) SELECT id, 'K-1' FROM users;"
            .to_string()
    }
}

#[test]
fn every_key_strategy_runs_on_every_engine() {
    let pg = common::postgres();
    let my = common::mysql();
    for key in KEYS {
        let d = with_key(key, "postgres");
        assert_clean(&d);
        if let Some(pg) = &pg {
            let db = pg.fresh_db("design_keys_pg");
            db.exec_in_transaction(&d.rendered.ddl)
                .unwrap_or_else(|e| panic!("{key}: {e}"));
            pg_compare(&db, &d.catalog, "public");
            db.exec(&key_rows(false))
                .unwrap_or_else(|e| panic!("{key}: {e}"));
            if key == "uuidv7" {
                db.exec("INSERT INTO users (email, name, password_hash) VALUES ('l@example.com', 'L', 'h')")
                    .unwrap();
                // Version 7, RFC 9562 variant, and time-ordered.
                assert_eq!(
                    db.column("SELECT substr(id::text, 15, 1) FROM users"),
                    vec!["7", "7"]
                );
                assert_eq!(
                    db.scalar("SELECT count(*) FROM users WHERE substr(id::text, 20, 1) IN ('8', '9', 'a', 'b')"),
                    "2"
                );
                assert_eq!(
                    db.scalar("SELECT (SELECT id FROM users WHERE email = 'k@example.com') < (SELECT id FROM users WHERE email = 'l@example.com')"),
                    "t"
                );
            }
        }
        let d = with_key(key, "mysql");
        assert_clean(&d);
        if let Some(my) = &my {
            let db = my.fresh_db("design_keys_my");
            db.exec(&d.rendered.ddl)
                .unwrap_or_else(|e| panic!("{key}: {e}"));
            my_compare(&db, &d.catalog);
            db.exec(&key_rows(key == "uuidv7"))
                .unwrap_or_else(|e| panic!("{key}: {e}"));
            assert_eq!(db.scalar("SELECT count(*) FROM orders"), "1");
        }
        let d = with_key(key, "sqlite");
        assert_clean(&d);
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(&d.rendered.ddl)
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        sqlite_compare(&conn, &d.catalog);
        conn.execute_batch(&key_rows(key == "uuidv7"))
            .unwrap_or_else(|e| panic!("{key}: {e}"));
    }
}

// ------------------------------------------------------------------------------------------------
// pg_cron: the schedule statement runs in a private PostgreSQL cluster that preloads pg_cron (the
// shared test server does not, and changing shared_preload_libraries needs a restart).

fn require_tools() -> bool {
    std::env::var("KD_DBA_REQUIRE_TOOLS").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

fn tool_skip(why: &str) {
    if require_tools() {
        panic!("KD_DBA_REQUIRE_TOOLS=1 but {why}");
    }
    eprintln!("skipping: {why} (set KD_DBA_REQUIRE_TOOLS=1 to make this a failure)");
}

fn pg_bindir() -> Option<std::path::PathBuf> {
    let out = std::process::Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()?;
    let p = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    p.join("initdb").is_file().then_some(p)
}

struct Cluster {
    bindir: std::path::PathBuf,
    data: std::path::PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    fn cmd(&self, prog: &str) -> std::process::Command {
        let bin = self.bindir.join(prog);
        if self.as_postgres {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(bin);
            c
        } else {
            std::process::Command::new(bin)
        }
    }
    fn psql(&self, sql: &str) -> Result<String, String> {
        let out = std::process::Command::new(self.bindir.join("psql"))
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
            ])
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-c")
            .arg(sql)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .cmd("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

#[test]
fn pg_cron_schedule_runs_where_pg_cron_is_preloaded() {
    let Some(bindir) = pg_bindir() else {
        return tool_skip("pg_config/initdb not found");
    };
    let libdir = std::process::Command::new("pg_config")
        .arg("--pkglibdir")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if !Path::new(&libdir).join("pg_cron.so").is_file() {
        return tool_skip("pg_cron is not installed (apt package postgresql-15-cron)");
    }
    let d = designed(BLOG, "postgres");
    let sched = &d.rendered.schedules[0];
    assert_eq!(sched.kind, "pg_cron");
    let data = std::env::temp_dir().join(format!("kd_pgcron_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    // initdb refuses to run as root: run the cluster as the postgres user then.
    let as_postgres = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if as_postgres {
        let ok = std::process::Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&data)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return tool_skip("cannot hand the cluster folder to the postgres user");
        }
    }
    let port = 20000 + (std::process::id() % 20000) as u16;
    let cluster = Cluster {
        bindir,
        data: data.clone(),
        port,
        as_postgres,
    };
    let out = cluster
        .cmd("initdb")
        .args(["-A", "trust", "-U", "postgres", "-D"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "initdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conf = format!(
        "\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nshared_preload_libraries = 'pg_cron'\ncron.database_name = 'postgres'\n",
        data.display()
    );
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(data.join("postgresql.conf"))
        .unwrap();
    std::io::Write::write_all(&mut f, conf.as_bytes()).unwrap();
    let out = cluster
        .cmd("pg_ctl")
        .arg("-D")
        .arg(&data)
        .args(["-w", "-l"])
        .arg(data.join("log"))
        .arg("start")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pg_ctl start: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    cluster
        .psql("CREATE EXTENSION pg_cron")
        .expect("CREATE EXTENSION pg_cron");
    cluster
        .psql(&format!("BEGIN;\n{}\nCOMMIT;", d.rendered.ddl))
        .expect("DDL");
    let schedule = d
        .rendered
        .files
        .iter()
        .find(|f| f.name == sched.file)
        .expect("schedule file");
    cluster.psql(&schedule.content).expect("cron.schedule");
    assert_eq!(
        cluster
            .psql("SELECT schedule || ' | ' || command FROM cron.job")
            .unwrap()
            .trim(),
        "0 3 * * 1 | REFRESH MATERIALIZED VIEW CONCURRENTLY blog.weekly_posts"
    );
    cluster
        .psql(&sched.refresh_sql)
        .expect("the scheduled command runs");
    cluster
        .psql("SELECT cron.unschedule('refresh_weekly_posts')")
        .expect("unschedule, as the file says");
}

/// The initial migration in each format of the KD-db-migrate renderers: the up files build the
/// card's schema on PostgreSQL and the down files remove it again.
#[test]
fn initial_migration_in_every_format() {
    use kd_dba::mcp::registry::ToolCtx;
    let Some(pg) = common::postgres() else { return };
    let spec_text = std::fs::read_to_string(root().join("examples/ecommerce.json")).unwrap();
    let mut names_seen = Vec::new();
    for format in [
        "sql",
        "golang-migrate",
        "sqlx",
        "flyway",
        "liquibase",
        "alembic",
    ] {
        let mut v: serde_json::Value = serde_json::from_str(&spec_text).unwrap();
        v["options"]["migration_format"] = serde_json::json!(format);
        let s: spec::Spec = serde_json::from_value(v).unwrap();
        let rep = design::design_report(&s, &[], &ToolCtx::default()).expect("design");
        let files: Vec<(&str, &str)> = rep
            .migration
            .iter()
            .map(|f| (f.name.as_str(), f.content.as_str()))
            .collect();
        names_seen.push((
            format,
            files.iter().map(|f| f.0.to_string()).collect::<Vec<_>>(),
        ));
        let ups: Vec<&str> = files
            .iter()
            .filter(|(n, _)| n.ends_with(".up.sql") || n.contains("/V"))
            .map(|f| f.1)
            .collect();
        let downs: Vec<&str> = files
            .iter()
            .filter(|(n, _)| n.ends_with(".down.sql") || n.contains("/U"))
            .map(|f| f.1)
            .collect();
        match format {
            "liquibase" => assert!(
                files.iter().any(|(n, c)| n.ends_with(".sql")
                    && c.starts_with("--liquibase formatted sql")
                    && c.contains("CREATE TABLE orders")
                    && c.contains("--rollback")),
                "{files:?}"
            ),
            "alembic" => assert!(
                files.iter().any(|(n, c)| n.ends_with(".py")
                    && c.contains("def upgrade()")
                    && c.contains("def downgrade()")
                    && c.contains("CREATE TABLE orders")),
                "{files:?}"
            ),
            _ => {
                assert_eq!((ups.len(), downs.len()), (1, 1), "{format}: {files:?}");
                let db = pg.fresh_db(&format!("design_mig_{}", format.replace('-', "_")));
                db.exec(ups[0])
                    .unwrap_or_else(|e| panic!("{format} up failed: {e}\n{}", ups[0]));
                assert_eq!(
                    db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
                    "4",
                    "{format}"
                );
                assert_eq!(
                    db.scalar("SELECT count(*) FROM pg_matviews WHERE matviewname = 'daily_sales'"),
                    "1"
                );
                db.exec(downs[0])
                    .unwrap_or_else(|e| panic!("{format} down failed: {e}\n{}", downs[0]));
                assert_eq!(
                    db.scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"),
                    "0",
                    "{format}: the down leaves objects behind"
                );
            }
        }
    }
    let flyway = &names_seen.iter().find(|x| x.0 == "flyway").unwrap().1;
    assert!(
        flyway.iter().any(|n| n.ends_with("V1__init.sql")),
        "{flyway:?}"
    );
}

//! `kd-dba review --normalize`: the proposed DDL and migration steps run on PostgreSQL over a
//! fixture with data, keep every value (in the new tables, or through the compatibility views),
//! leave a schema in which the analysis finds nothing more, and refuse (rolling back) when a
//! copied column disagrees with its source.

mod common;

use kd_dba::catalog;
use kd_dba::limits::Limits;
use kd_dba::review::normalize::{self, NormalizeReport};
use kd_dba::sql::{DialectChoice, Source};
use std::path::PathBuf;

fn fixture() -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/review/normalize.sql"),
    )
    .unwrap()
}

fn analyze(sql: &str) -> NormalizeReport {
    let (_, cat) = catalog::from_sources(
        &[Source::file("normalize.sql", sql.to_string())],
        DialectChoice::Postgres,
        &Limits::default(),
    )
    .unwrap();
    normalize::analyze(&cat)
}

#[test]
fn finds_every_normal_form_problem() {
    let rep = analyze(&fixture());
    let got: Vec<(String, String, String)> = rep
        .issues
        .iter()
        .map(|i| (i.form.clone(), i.table.clone(), i.columns.join(",")))
        .collect();
    let want = [
        ("1NF", "articles", "tag_ids"),
        ("1NF", "articles", "category_ids"),
        ("1NF", "articles", "reviewer_ids"),
        ("1NF", "contacts", "phone1,phone2,phone3"),
        ("3NF", "orders", "customer_email"),
        ("2NF", "order_items", "product_title"),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (f, t, c) in want {
        assert!(
            got.iter().any(|g| g.0 == f && g.1 == t && g.2 == c),
            "missing {f} {t}.{c} in {got:?}"
        );
    }
    assert!(rep.verdict.starts_with("Not in 1NF"), "{}", rep.verdict);
    // Every issue has spans and both DDL and steps.
    for i in &rep.issues {
        assert!(
            i.span.is_some() && !i.migration.is_empty() && !i.ddl.is_empty(),
            "{i:?}"
        );
    }
    // A normalized schema has nothing to report.
    let clean = analyze(kd_dba::review::docs::doc("SCH005").good);
    assert!(clean.issues.is_empty(), "{:?}", clean.issues);
    assert!(clean.verdict.starts_with("3NF"));
}

#[test]
fn migration_runs_on_postgres_and_keeps_the_data() {
    let Some(pg) = common::postgres() else { return };
    let sql = fixture();
    let rep = analyze(&sql);
    let db = pg.fresh_db("review_normalize");
    db.exec(&sql).expect("fixture loads");
    let counts_before: Vec<String> = ["articles", "contacts", "orders", "order_items"]
        .iter()
        .map(|t| db.scalar(&format!("SELECT count(*) FROM {t}")))
        .collect();
    db.exec(&rep.migration)
        .unwrap_or_else(|e| panic!("migration failed: {e}\n{}", rep.migration));
    let counts_after: Vec<String> = ["articles", "contacts", "orders", "order_items"]
        .iter()
        .map(|t| db.scalar(&format!("SELECT count(*) FROM {t}")))
        .collect();
    assert_eq!(
        counts_before, counts_after,
        "no row of a base table is lost"
    );
    let rows = |q: &str| -> Vec<String> { db.rows(q).into_iter().map(|r| r.join("|")).collect() };
    assert_eq!(
        rows("SELECT article_id, tag_id FROM article_tags ORDER BY 1, 2"),
        ["1|1", "1|2", "2|3"]
    );
    assert_eq!(
        rows("SELECT article_id, category_id FROM article_categories ORDER BY 1, 2"),
        ["1|10", "1|20", "2|20"]
    );
    assert_eq!(
        rows("SELECT article_id, reviewer_id FROM article_reviewers ORDER BY 1, 2"),
        ["1|7", "1|8"]
    );
    assert_eq!(
        rows("SELECT contact_id, position, phone FROM contact_phones ORDER BY 1, 2"),
        ["1|1|555-1", "1|3|555-3"]
    );
    assert_eq!(
        rows("SELECT id, customer_email FROM orders_with_customer ORDER BY 1"),
        [
            "1|ann@example.com",
            "2|bob@example.com",
            "3|ann@example.com"
        ]
    );
    assert_eq!(
        rows(
            "SELECT order_id, product_id, product_title, quantity FROM order_items_with_product ORDER BY 1, 2"
        ),
        ["1|100|Keyboard|1", "1|200|Mouse|2", "2|200|Mouse|1"]
    );
    // The copies and lists are gone from the base tables.
    let cols = rows(
        "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name IN ('tag_ids', 'category_ids', 'reviewer_ids', 'phone1', 'customer_email', 'product_title') AND table_name IN ('articles', 'contacts', 'orders', 'order_items')",
    );
    assert!(cols.is_empty(), "{cols:?}");
    // Replaying fixture + migration, the analysis finds nothing more.
    let after = analyze(&format!("{sql}\n{}", rep.migration));
    assert!(after.issues.is_empty(), "{:?}", after.issues);
    // The refactored schema reviews without SCH005/SCH007.
    let r = kd_dba::review::review_sources(
        &[Source::inline(format!("{sql}\n{}", rep.migration))],
        DialectChoice::Postgres,
        &kd_dba::review::Options::default(),
        &Limits::default(),
    )
    .unwrap();
    assert!(
        !r.findings
            .iter()
            .any(|f| f.id == "SCH005" || f.id == "SCH007" || f.id == "SYN001"),
        "{:?}",
        r.findings
    );
}

#[test]
fn a_copy_that_disagrees_stops_the_migration_and_nothing_changes() {
    let Some(pg) = common::postgres() else { return };
    let sql = fixture();
    let rep = analyze(&sql);
    let db = pg.fresh_db("review_normalize_conflict");
    db.exec(&sql).expect("fixture loads");
    db.exec("UPDATE orders SET customer_email = 'old@example.com' WHERE id = 2")
        .unwrap();
    let e = db.exec(&rep.migration).expect_err("must refuse");
    assert!(e.contains("reconcile"), "{e}");
    // The transaction rolled back: the list column and the copy are still there.
    assert_eq!(
        db.scalar("SELECT customer_email FROM orders WHERE id = 2"),
        "old@example.com"
    );
    assert_eq!(
        db.scalar("SELECT tag_ids FROM articles WHERE id = 1"),
        "1,2"
    );
    assert_eq!(
        db.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'article_tags'"
        ),
        "0"
    );
}

#[test]
fn danbooru_proposal_executes_on_postgres() {
    // A real schema: danbooru's id arrays (pools.post_ids ...) become junction tables.
    let Some(path) = common::corpus_file("production/danbooru/structure.sql") else {
        return;
    };
    let Some(pg) = common::postgres() else { return };
    let text = common::read_text(&path);
    let rep = analyze(&text);
    assert!(rep.issues.len() >= 5, "{:?}", rep.issues);
    assert!(
        rep.issues.iter().all(|i| i.form == "1NF"),
        "{:?}",
        rep.issues
    );
    let db = pg.fresh_db("review_normalize_danbooru");
    db.load(&text).expect("danbooru loads");
    db.exec(&rep.migration)
        .unwrap_or_else(|e| panic!("migration failed: {e}\n{}", rep.migration));
    assert_eq!(
        db.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'pools' AND column_name = 'post_ids'"),
        "0"
    );
    assert_eq!(
        db.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'pool_posts'"),
        "1"
    );
}

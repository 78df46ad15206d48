//! ORM models rendered from designed catalogs, checked by each ORM's own tool where it installs
//! from the registries: SQLAlchemy (configure_mappers + create_all on SQLite and PostgreSQL, then
//! the created tables compared with kd-dba's catalog), Django (check, makemigrations --check,
//! migrate on SQLite and PostgreSQL, compared with the catalog), Prisma (`prisma validate`),
//! TypeORM and Sequelize (`tsc` against the installed packages, then `synchronize`/`sync()` on
//! PostgreSQL and SQLite, compared with the catalog). Snapshots cover every renderer.
//!
//! The tools come from `.ci/run` (pip: sqlalchemy, django, psycopg2-binary; npm into
//! target/orm-check/node: prisma@6, typeorm, sequelize, typescript, pg, pg-hstore, sqlite3,
//! better-sqlite3, reflect-metadata, @types/node). A missing
//! tool skips its test with the reason, unless KD_DBA_REQUIRE_TOOLS=1.

mod common;

use kd_dba::catalog::{Catalog, TableKind};
use kd_dba::design::{self, Designed, OrmTarget};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const SPECS: [(&str, &str); 2] = [
    ("ecommerce", "examples/ecommerce.json"),
    ("blog", "tests/fixtures/design/blog.json"),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn require_tools() -> bool {
    std::env::var("KD_DBA_REQUIRE_TOOLS").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// Print why a test skips (or fail under KD_DBA_REQUIRE_TOOLS=1).
fn skip(why: &str) {
    if require_tools() {
        panic!("KD_DBA_REQUIRE_TOOLS=1 but {why}");
    }
    eprintln!("skipping: {why} (set KD_DBA_REQUIRE_TOOLS=1 to make this a failure)");
}

fn designed(rel: &str, dialect: &str) -> Designed {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(rel)).unwrap()).unwrap();
    let s = design::spec_from_request(v, None, Some(dialect)).unwrap();
    design::design_spec(&s).unwrap()
}

fn orm_file(d: &Designed, t: OrmTarget) -> String {
    design::orm::render(&d.catalog, t).unwrap().content
}

fn work_dir(name: &str) -> PathBuf {
    let p = root()
        .join("target")
        .join("orm-check")
        .join("runs")
        .join(format!("{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn orm_snapshots() {
    for (name, rel) in SPECS {
        for dialect in ["postgres", "mysql", "sqlite"] {
            let d = designed(rel, dialect);
            for t in OrmTarget::ALL {
                insta::assert_snapshot!(
                    format!("{name}_{dialect}_{}", t.as_str()),
                    orm_file(&d, t)
                );
            }
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Comparing what an ORM created with the catalog

/// (table, column, not null) of the catalog's base tables.
fn catalog_columns(cat: &Catalog) -> BTreeSet<(String, String, bool)> {
    cat.tables
        .iter()
        .filter(|t| t.kind != TableKind::Virtual)
        .flat_map(|t| {
            t.columns
                .iter()
                .map(move |c| (t.name.name.clone(), c.name.clone(), !c.nullable))
        })
        .collect()
}

/// (table, fk columns, referenced table) of the catalog.
fn catalog_fks(cat: &Catalog) -> BTreeSet<(String, String, String)> {
    cat.tables
        .iter()
        .flat_map(|t| {
            t.foreign_keys.iter().map(move |f| {
                (
                    t.name.name.clone(),
                    f.columns.join(","),
                    f.ref_table.name.clone(),
                )
            })
        })
        .collect()
}

fn sqlite_columns(db: &Path, skip: &[&str]) -> BTreeSet<(String, String, bool)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn
        .prepare("SELECT m.name, p.name, p.\"notnull\" OR p.pk FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'")
        .unwrap();
    st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, bool>(2)?,
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .filter(|(t, _, _)| !skip.iter().any(|s| t.starts_with(s)))
    .collect()
}

fn sqlite_fks(db: &Path) -> BTreeSet<(String, String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn
        .prepare("SELECT m.name, group_concat(f.\"from\", ','), f.\"table\" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' GROUP BY m.name, f.id")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn pg_columns(db: &common::TestDb, schemas: &str) -> BTreeSet<(String, String, bool)> {
    db.rows(&format!(
        "SELECT c.table_name, c.column_name, c.is_nullable = 'NO' FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name) WHERE c.table_schema IN ({schemas}) AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE 'django_%'"
    ))
    .into_iter()
    .map(|r| (r[0].clone(), r[1].clone(), r[2] == "t"))
    .collect()
}

fn pg_fks(db: &common::TestDb, schemas: &str) -> BTreeSet<(String, String, String)> {
    db.rows(&format!(
        "SELECT c.conrelid::regclass::text, string_agg(a.attname, ',' ORDER BY k.ord), c.confrelid::regclass::text
           FROM pg_constraint c
           CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
          WHERE c.contype = 'f' AND c.connamespace::regnamespace::text IN ({schemas})
          GROUP BY c.oid, c.conrelid, c.confrelid"
    ))
    .into_iter()
    .map(|r| {
        let strip = |s: &str| s.rsplit('.').next().unwrap_or(s).to_string();
        (strip(&r[0]), r[1].clone(), strip(&r[2]))
    })
    .collect()
}

// ------------------------------------------------------------------------------------------------
// SQLAlchemy

const SA_SCRIPT: &str = r#"
import sys
sys.path.insert(0, sys.argv[1])
import sqlalchemy as sa
from sqlalchemy.orm import configure_mappers
import models
configure_mappers()
engine = sa.create_engine(sys.argv[2])
with engine.begin() as conn:
    for schema in sorted({t.schema for t in models.Base.metadata.tables.values() if t.schema}):
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
models.Base.metadata.create_all(engine)
print("created", len(models.Base.metadata.tables))
"#;

#[test]
fn sqlalchemy_create_all_matches_the_catalog() {
    if !python_has("sqlalchemy") {
        return skip("the Python package sqlalchemy is not installed (pip install sqlalchemy)");
    }
    for (name, rel) in SPECS {
        let d = designed(rel, "sqlite");
        let dir = work_dir(&format!("sa_{name}_sqlite"));
        std::fs::write(dir.join("models.py"), orm_file(&d, OrmTarget::Sqlalchemy)).unwrap();
        let db = dir.join("db.sqlite");
        run(Command::new("python3")
            .arg("-c")
            .arg(SA_SCRIPT)
            .arg(&dir)
            .arg(format!("sqlite:///{}", db.display())))
        .unwrap_or_else(|e| panic!("SQLAlchemy on SQLite ({name}): {e}"));
        assert_eq!(
            sqlite_columns(&db, &[]),
            catalog_columns(&d.catalog),
            "{name}: columns"
        );
        assert_eq!(
            sqlite_fks(&db),
            catalog_fks(&d.catalog),
            "{name}: foreign keys"
        );
    }
    if !python_has("psycopg2") {
        return skip("psycopg2 is not installed; SQLAlchemy on PostgreSQL not checked");
    }
    let Some(pg) = common::postgres() else { return };
    for (name, rel) in SPECS {
        let d = designed(rel, "postgres");
        let dir = work_dir(&format!("sa_{name}_pg"));
        std::fs::write(dir.join("models.py"), orm_file(&d, OrmTarget::Sqlalchemy)).unwrap();
        let db = pg.fresh_db(&format!("orm_sa_{name}"));
        let url = db
            .url()
            .replacen("postgres://", "postgresql+psycopg2://", 1);
        run(Command::new("python3")
            .arg("-c")
            .arg(SA_SCRIPT)
            .arg(&dir)
            .arg(url))
        .unwrap_or_else(|e| panic!("SQLAlchemy on PostgreSQL ({name}): {e}"));
        let schemas = "'public', 'blog'";
        assert_eq!(
            pg_columns(&db, schemas),
            catalog_columns(&d.catalog),
            "{name}: columns"
        );
        assert_eq!(
            pg_fks(&db, schemas),
            catalog_fks(&d.catalog),
            "{name}: foreign keys"
        );
        // Constraint and index names the ORM declared are the catalog's.
        let ix: BTreeSet<String> = db
            .column(&format!(
                "SELECT indexname FROM pg_indexes WHERE schemaname IN ({schemas})"
            ))
            .into_iter()
            .collect();
        for i in d.catalog.indexes.iter().filter(|i| i.method == "btree") {
            if d.catalog.view(&i.table).is_some() {
                continue;
            }
            if i.keys.iter().any(|k| k.opclass.is_some()) {
                continue; // operator classes stay in SQL
            }
            assert!(
                ix.contains(&i.name),
                "{name}: index {} created by SQLAlchemy",
                i.name
            );
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Django

fn django_project(dir: &Path, models: &str, database: &str) {
    let app = dir.join("designapp");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("__init__.py"), "").unwrap();
    std::fs::write(app.join("models.py"), models).unwrap();
    std::fs::write(
        dir.join("settings.py"),
        format!(
            "SECRET_KEY = 'kd-dba-test'\nINSTALLED_APPS = ['designapp']\nDATABASES = {{'default': {database}}}\nDEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\nUSE_TZ = True\n"
        ),
    )
    .unwrap();
}

fn django(dir: &Path, args: &[&str]) -> Result<String, String> {
    run(Command::new("python3")
        .args(["-m", "django"])
        .args(args)
        .env("PYTHONPATH", dir)
        .env("DJANGO_SETTINGS_MODULE", "settings")
        .current_dir(dir))
}

#[test]
fn django_check_makemigrations_and_migrate() {
    if !python_has("django") {
        return skip("the Python package django is not installed (pip install 'django>=5.2,<6')");
    }
    for (name, rel) in SPECS {
        for dialect in ["postgres", "mysql", "sqlite"] {
            let d = designed(rel, dialect);
            let dir = work_dir(&format!("dj_{name}_{dialect}"));
            let db = dir.join("db.sqlite");
            django_project(
                &dir,
                &orm_file(&d, OrmTarget::Django),
                &format!(
                    "{{'ENGINE': 'django.db.backends.sqlite3', 'NAME': r'{}'}}",
                    db.display()
                ),
            );
            django(&dir, &["check", "--fail-level", "WARNING"])
                .unwrap_or_else(|e| panic!("django check ({name}, {dialect}): {e}"));
            django(&dir, &["makemigrations", "designapp"])
                .unwrap_or_else(|e| panic!("makemigrations ({name}, {dialect}): {e}"));
            let again = django(
                &dir,
                &["makemigrations", "designapp", "--check", "--dry-run"],
            )
            .unwrap_or_else(|e| panic!("makemigrations --check ({name}, {dialect}): {e}"));
            assert!(again.contains("No changes detected"), "{again}");
            if dialect == "sqlite" {
                django(&dir, &["migrate", "designapp"])
                    .unwrap_or_else(|e| panic!("migrate ({name}): {e}"));
                assert_eq!(
                    sqlite_columns(&db, &["django_"]),
                    catalog_columns(&d.catalog),
                    "{name}: Django's tables and columns"
                );
                assert_eq!(
                    sqlite_fks(&db),
                    catalog_fks(&d.catalog),
                    "{name}: foreign keys"
                );
            }
        }
    }
    if !python_has("psycopg2") {
        return skip("psycopg2 is not installed; Django on PostgreSQL not checked");
    }
    let Some(pg) = common::postgres() else { return };
    for (name, rel) in SPECS {
        let d = designed(rel, "postgres");
        let dir = work_dir(&format!("dj_{name}_pg"));
        let db = pg.fresh_db(&format!("orm_dj_{name}"));
        let u = &pg.url;
        if name == "blog" {
            db.exec("CREATE SCHEMA blog").unwrap();
        }
        django_project(
            &dir,
            &orm_file(&d, OrmTarget::Django),
            &format!(
                "{{'ENGINE': 'django.db.backends.postgresql', 'NAME': '{}', 'USER': '{}', 'PASSWORD': '{}', 'HOST': '{}', 'PORT': '{}'}}",
                db.name,
                u.user.clone().unwrap_or_default(),
                u.password.clone().unwrap_or_default(),
                u.host,
                u.port.unwrap_or(5432)
            ),
        );
        django(&dir, &["makemigrations", "designapp"]).unwrap_or_else(|e| panic!("{name}: {e}"));
        django(&dir, &["migrate", "designapp"])
            .unwrap_or_else(|e| panic!("migrate on PostgreSQL ({name}): {e}"));
        let schemas = "'public', 'blog'";
        assert_eq!(
            pg_columns(&db, schemas),
            catalog_columns(&d.catalog),
            "{name}: Django's tables and columns on PostgreSQL"
        );
        assert_eq!(
            pg_fks(&db, schemas),
            catalog_fks(&d.catalog),
            "{name}: foreign keys"
        );
    }
}

// ------------------------------------------------------------------------------------------------
// Node tools: prisma, tsc

fn node_bin(tool: &str) -> Option<PathBuf> {
    let p = root()
        .join("target/orm-check/node/node_modules/.bin")
        .join(tool);
    p.is_file().then_some(p)
}

#[test]
fn prisma_validate_accepts_every_schema() {
    let Some(prisma) = node_bin("prisma") else {
        return skip("prisma is not installed in target/orm-check/node (.ci/run installs it)");
    };
    for (name, rel) in SPECS {
        for dialect in ["postgres", "mysql", "sqlite"] {
            let d = designed(rel, dialect);
            let dir = work_dir(&format!("prisma_{name}_{dialect}"));
            let file = dir.join("schema.prisma");
            std::fs::write(&file, orm_file(&d, OrmTarget::Prisma)).unwrap();
            // The CLI wants engine binaries at start-up, which it would download; validation
            // itself runs in the bundled WebAssembly, so point the engine paths at a stub.
            let out = run(Command::new(&prisma)
                .arg("validate")
                .arg("--schema")
                .arg(&file)
                .env("PRISMA_SCHEMA_ENGINE_BINARY", "/bin/true")
                .env("PRISMA_QUERY_ENGINE_LIBRARY", "/bin/true")
                .env("PRISMA_HIDE_UPDATE_MESSAGE", "1")
                .env("CHECKPOINT_DISABLE", "1")
                .env(
                    "DATABASE_URL",
                    match dialect {
                        "postgres" => "postgresql://u@localhost/db",
                        "mysql" => "mysql://u@localhost/db",
                        _ => "file:./dev.db",
                    },
                ))
            .unwrap_or_else(|e| panic!("prisma validate ({name}, {dialect}): {e}"));
            assert!(out.contains("is valid"), "{out}");
        }
    }
}

#[test]
fn typeorm_and_sequelize_models_compile() {
    let Some(tsc) = node_bin("tsc") else {
        return skip("typescript is not installed in target/orm-check/node (.ci/run installs it)");
    };
    let node = root().join("target/orm-check/node");
    for pkg in ["typeorm", "sequelize"] {
        if !node.join("node_modules").join(pkg).is_dir() {
            return skip(&format!("{pkg} is not installed in target/orm-check/node"));
        }
    }
    // One project under the node folder, so module resolution finds its node_modules.
    let dir = node.join(format!("tsc_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (name, rel) in SPECS {
        for dialect in ["postgres", "mysql", "sqlite"] {
            let d = designed(rel, dialect);
            for t in [OrmTarget::Typeorm, OrmTarget::Sequelize] {
                let f = format!("{name}_{dialect}_{}.ts", t.as_str());
                std::fs::write(dir.join(&f), orm_file(&d, t)).unwrap();
                files.push(f);
            }
        }
    }
    std::fs::write(
        dir.join("tsconfig.json"),
        serde_json::json!({
            "compilerOptions": {
                "target": "ES2022", "module": "node16", "moduleResolution": "node16",
                "strict": true, "experimentalDecorators": true, "emitDecoratorMetadata": true,
                "skipLibCheck": true, "noEmit": true, "esModuleInterop": true, "isolatedModules": true
            },
            "files": files,
        })
        .to_string(),
    )
    .unwrap();
    let out = run(Command::new(&tsc).arg("-p").arg(dir.join("tsconfig.json")));
    let _ = std::fs::remove_dir_all(&dir);
    out.unwrap_or_else(|e| panic!("tsc --noEmit failed:\n{e}"));
}

const TYPEORM_RUN: &str = r#"
require("reflect-metadata");
const { DataSource } = require("typeorm");
const entities = require(process.argv[2]);
const conn = process.env.SQLITE_FILE
  ? { type: "better-sqlite3", database: process.env.SQLITE_FILE }
  : { type: "postgres", url: process.env.DATABASE_URL };
const ds = new DataSource({ ...conn, entities: Object.values(entities), synchronize: true, logging: false });
ds.initialize().then(() => ds.destroy()).then(() => console.log("synchronized")).catch((e) => { console.error(e); process.exit(1); });
"#;

const SEQUELIZE_RUN: &str = r#"
const { Sequelize } = require("sequelize");
const { initModels } = require(process.argv[2]);
const sequelize = process.env.SQLITE_FILE
  ? new Sequelize({ dialect: "sqlite", storage: process.env.SQLITE_FILE, logging: false })
  : new Sequelize(process.env.DATABASE_URL, { logging: false });
initModels(sequelize);
sequelize.sync().then(() => sequelize.close()).then(() => console.log("synced")).catch((e) => { console.error(e); process.exit(1); });
"#;

/// TypeORM `synchronize` and Sequelize `sync()` build the schema on PostgreSQL (through the pure
/// JavaScript `pg` driver) and on SQLite (the `sqlite3` package); the tables, columns and foreign
/// keys they create are the catalog's. (TypeORM 1.x reaches SQLite through better-sqlite3, Sequelize
/// through sqlite3; both build native code when installed.)
#[test]
fn typeorm_and_sequelize_build_the_schema_on_postgres_and_sqlite() {
    let Some(tsc) = node_bin("tsc") else {
        return skip("typescript is not installed in target/orm-check/node (.ci/run installs it)");
    };
    let node = root().join("target/orm-check/node");
    for pkg in [
        "typeorm",
        "sequelize",
        "pg",
        "pg-hstore",
        "reflect-metadata",
    ] {
        if !node.join("node_modules").join(pkg).is_dir() {
            return skip(&format!("{pkg} is not installed in target/orm-check/node"));
        }
    }
    let Some(pg) = common::postgres() else { return };
    let dir = node.join(format!("sync_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    let mut cases = Vec::new();
    let mut lite_cases = Vec::new();
    for (name, rel) in SPECS {
        let d = designed(rel, "postgres");
        let l = designed(rel, "sqlite");
        for t in [OrmTarget::Typeorm, OrmTarget::Sequelize] {
            let f = format!("{name}_{}.ts", t.as_str());
            std::fs::write(dir.join(&f), orm_file(&d, t)).unwrap();
            files.push(f);
            let f = format!("{name}_sqlite_{}.ts", t.as_str());
            std::fs::write(dir.join(&f), orm_file(&l, t)).unwrap();
            files.push(f);
        }
        cases.push((name, d));
        lite_cases.push((name, l));
    }
    std::fs::write(dir.join("typeorm_run.js"), TYPEORM_RUN).unwrap();
    std::fs::write(dir.join("sequelize_run.js"), SEQUELIZE_RUN).unwrap();
    std::fs::write(
        dir.join("tsconfig.json"),
        serde_json::json!({
            "compilerOptions": {
                "target": "ES2022", "module": "node16", "moduleResolution": "node16",
                "strict": true, "experimentalDecorators": true, "emitDecoratorMetadata": true,
                "skipLibCheck": true, "outDir": "out", "esModuleInterop": true
            },
            "files": files,
        })
        .to_string(),
    )
    .unwrap();
    run(Command::new(&tsc).arg("-p").arg(dir.join("tsconfig.json")))
        .unwrap_or_else(|e| panic!("tsc: {e}"));
    for (name, d) in &cases {
        for (orm, script) in [
            ("typeorm", "typeorm_run.js"),
            ("sequelize", "sequelize_run.js"),
        ] {
            let db = pg.fresh_db(&format!("orm_{orm}_{name}"));
            if *name == "blog" {
                db.exec("CREATE SCHEMA blog").unwrap();
            }
            run(Command::new("node")
                .arg(dir.join(script))
                .arg(dir.join("out").join(format!("{name}_{orm}.js")))
                .env("DATABASE_URL", db.url()))
            .unwrap_or_else(|e| panic!("{orm} on PostgreSQL ({name}): {e}"));
            let schemas = "'public', 'blog'";
            assert_eq!(
                pg_columns(&db, schemas),
                catalog_columns(&d.catalog),
                "{orm} {name}: columns"
            );
            assert_eq!(
                pg_fks(&db, schemas),
                catalog_fks(&d.catalog),
                "{orm} {name}: foreign keys"
            );
        }
    }
    for pkg in ["sqlite3", "better-sqlite3"] {
        if !node.join("node_modules").join(pkg).is_dir() {
            let _ = std::fs::remove_dir_all(&dir);
            return skip(&format!(
                "{pkg} (npm) is not installed; TypeORM/Sequelize on SQLite not checked"
            ));
        }
    }
    for (name, d) in &lite_cases {
        for (orm, script) in [
            ("typeorm", "typeorm_run.js"),
            ("sequelize", "sequelize_run.js"),
        ] {
            let db = dir.join(format!("{name}_{orm}.sqlite"));
            run(Command::new("node")
                .arg(dir.join(script))
                .arg(dir.join("out").join(format!("{name}_sqlite_{orm}.js")))
                .env("SQLITE_FILE", &db))
            .unwrap_or_else(|e| panic!("{orm} on SQLite ({name}): {e}"));
            assert_eq!(
                sqlite_columns(&db, &[]),
                catalog_columns(&d.catalog),
                "{orm} {name}: columns on SQLite"
            );
            assert_eq!(
                sqlite_fks(&db),
                catalog_fks(&d.catalog),
                "{orm} {name}: foreign keys on SQLite"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

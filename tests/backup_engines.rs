//! The generated backup scripts, run against real engines. PostgreSQL: a pg_dump logical backup
//! restored into a new database; a pg_basebackup with WAL archiving recovered to a point in time
//! into a scratch cluster on another port, plain and encrypted; pgBackRest stanza, full and
//! incremental backups and a point-in-time restore. MariaDB: dump and restore; mariabackup full,
//! incremental and binlog point-in-time recovery on a scratch server. SQLite: online backup while
//! a writer is busy, and restore. Redis: RDB snapshot and restore. Data is compared after every
//! restore, and each restore test is also made to fail on purpose.
//!
//! Servers: the machine's PostgreSQL and MariaDB (tests/common) for the logical tests; scratch
//! clusters/servers (initdb, mariadb-install-db, redis-server) for the physical ones. Tools that
//! may be missing (shellcheck, sqlite3, mariabackup, pgbackrest, promtool) skip the test with a
//! reason, or fail it under KD_DBA_REQUIRE_TOOLS=1.

mod common;
#[path = "ops_support/mod.rs"]
mod ops;

use ops::{Scratch, as_user, chown, free_port, have_tools, ok, run, sleep_ms};
use serde_json::json;
use std::process::Command;

// ------------------------------------------------------------------------------------------------
// PostgreSQL

fn pg_bin(name: &str) -> String {
    ops::pg_bindir()
        .map(|d| d.join(name).display().to_string())
        .unwrap_or_else(|| name.to_string())
}

/// A scratch PostgreSQL cluster owned by the postgres OS user, listening on a Unix socket in
/// its own directory and on a free port number.
struct Cluster {
    data: String,
    sock: String,
    port: u16,
    log: String,
    env: Vec<(&'static str, String)>,
}

impl Cluster {
    fn init(s: &Scratch, extra_conf: &str, env: Vec<(&'static str, String)>) -> Cluster {
        let data = s.s("data");
        let port = free_port();
        ok(&mut as_user(
            "postgres",
            &pg_bin("initdb"),
            &["-D", &data, "--auth=trust", "-U", "postgres", "-E", "UTF8"],
            &[],
        ));
        let conf = format!(
            "port = {port}\nlisten_addresses = ''\nunix_socket_directories = '{}'\n{extra_conf}\n",
            s.dir.display()
        );
        let pc = format!("{data}/postgresql.conf");
        let mut text = std::fs::read_to_string(&pc).unwrap();
        text.push_str(&conf);
        std::fs::write(&pc, text).unwrap();
        let c = Cluster {
            data,
            sock: s.dir.display().to_string(),
            port,
            log: s.s("pg.log"),
            env,
        };
        ok(&mut as_user(
            "postgres",
            &pg_bin("pg_ctl"),
            &["-D", &c.data, "-l", &c.log, "-w", "start"],
            &c.env,
        ));
        c
    }

    fn psql(&self, db: &str, sql: &str) -> String {
        ok(&mut as_user(
            "postgres",
            "psql",
            &[
                "-X",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                &self.sock,
                "-p",
                &self.port.to_string(),
                "-d",
                db,
                "-c",
                sql,
            ],
            &[],
        ))
        .trim()
        .to_string()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_user(
            "postgres",
            &pg_bin("pg_ctl"),
            &["-D", &self.data, "-m", "immediate", "-w", "stop"],
            &[],
        )
        .output();
    }
}

/// Environment of the generated scripts, pointed at a scratch cluster and scratch places.
fn pg_env(s: &Scratch, c_sock: &str, c_port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("PGHOST", c_sock.to_string()),
        ("PGPORT", c_port.to_string()),
        ("PGUSER", "postgres".into()),
        ("KD_STATE_DIR", s.s("state")),
        ("KD_SCRATCH_DIR", s.s("scratch")),
        ("KD_SCRATCH_PORT", free_port().to_string()),
        ("KD_RECOVERY_TIMEOUT", "180".into()),
        (
            "KD_PG_BINDIR",
            ops::pg_bindir()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
        ),
    ]
}

fn script(s: &Scratch, name: &str) -> String {
    s.s(&format!("gen/bin/{name}"))
}

fn pitr(encrypt: bool) {
    if !have_tools(
        &[
            "initdb",
            "pg_ctl",
            "pg_basebackup",
            "pg_verifybackup",
            "pg_archivecleanup",
            "gpg",
        ],
        "the PostgreSQL point-in-time recovery test",
    ) {
        return;
    }
    let s = Scratch::new(if encrypt { "pg-pitr-enc" } else { "pg-pitr" });
    let rep = ops::backup_plan(
        json!({
            "engine": "postgres", "version": "15", "size": "1GB", "rpo": "15m", "rto": "1h",
            "target": s.s("repo"), "bin_dir": s.s("gen/bin"), "config_dir": s.s("gen/etc"),
            "data_dir": s.s("data"), "database": "app", "verify_tables": ["public.orders"],
            "encrypt": encrypt
        }),
        &s.path("gen"),
    );
    assert_eq!(rep.tool.name, "pg_basebackup + archive_command");
    if encrypt {
        std::fs::write(s.path("gen/etc/backup.key"), "a long test passphrase\n").unwrap();
    }
    chown(&s.dir, "postgres");
    // The cluster takes its archive settings from the generated file.
    let c = Cluster::init(
        &s,
        &format!("include '{}'", s.s("gen/etc/postgresql.backup.conf")),
        vec![],
    );
    assert_eq!(c.psql("postgres", "SHOW archive_mode"), "on");
    assert_eq!(c.psql("postgres", "SHOW archive_timeout"), "1min");
    let env = pg_env(&s, &c.sock, c.port);
    c.psql("postgres", "CREATE DATABASE app");
    c.psql(
        "app",
        "CREATE TABLE orders (id int PRIMARY KEY, note text NOT NULL, amount numeric(10,2));
         INSERT INTO orders SELECT g, 'before the base backup ' || g, g * 1.5 FROM generate_series(1, 1000) g",
    );
    ok(&mut as_user(
        "postgres",
        &script(&s, "kd-backup.sh"),
        &["full"],
        &env,
    ));
    c.psql(
        "app",
        "INSERT INTO orders SELECT g, 'after the base backup ' || g, g FROM generate_series(1001, 1500) g",
    );
    let expected = c.psql(
        "app",
        "SELECT count(*) || ' ' || md5(string_agg(id || ':' || note || ':' || amount, ',' ORDER BY id)) FROM orders",
    );
    sleep_ms(1200);
    let target = c.psql(
        "app",
        "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'",
    );
    sleep_ms(1200);
    c.psql(
        "app",
        "INSERT INTO orders SELECT g, 'after the target time ' || g, 0 FROM generate_series(1501, 2000) g;
         UPDATE orders SET note = 'changed later' WHERE id <= 10",
    );
    c.psql("app", "SELECT pg_switch_wal()");
    // Wait until the archiver has pushed the segment holding the later changes.
    let mut archived = false;
    for _ in 0..60 {
        if c.psql("postgres", "SELECT last_archived_wal IS NOT NULL AND last_archived_wal >= pg_walfile_name(pg_current_wal_lsn() - 1) FROM pg_stat_archiver") == "t" {
            archived = true;
            break;
        }
        sleep_ms(500);
    }
    assert!(archived, "the archiver did not archive the last segment");
    let wal: Vec<String> = std::fs::read_dir(s.path("repo/wal"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let ext = if encrypt { ".gz.gpg" } else { ".gz" };
    assert!(
        wal.iter().all(|f| f.ends_with(ext)),
        "archived WAL files end with {ext}: {wal:?}"
    );

    // Point-in-time recovery into a scratch data directory on another port.
    let restored = s.s("restored");
    let port2 = free_port();
    ok(&mut as_user(
        "postgres",
        &script(&s, "kd-restore.sh"),
        &[
            "physical",
            "--to",
            &restored,
            "--target-time",
            &target,
            "--scratch",
            &port2.to_string(),
            "--verify",
        ],
        &env,
    ));
    let r = Cluster {
        data: restored.clone(),
        sock: restored.clone(),
        port: port2,
        log: s.s("restored.log"),
        env: vec![],
    };
    ok(&mut as_user(
        "postgres",
        &pg_bin("pg_ctl"),
        &["-D", &r.data, "-l", &r.log, "-w", "-t", "120", "start"],
        &[],
    ));
    let mut promoted = false;
    for _ in 0..120 {
        if r.psql("postgres", "SELECT pg_is_in_recovery()") == "f" {
            promoted = true;
            break;
        }
        sleep_ms(500);
    }
    assert!(promoted, "the restored copy did not finish recovery");
    let got = r.psql(
        "app",
        "SELECT count(*) || ' ' || md5(string_agg(id || ':' || note || ':' || amount, ',' ORDER BY id)) FROM orders",
    );
    assert_eq!(
        got, expected,
        "restored data must equal the data at the target time"
    );
    assert_eq!(
        r.psql(
            "app",
            "SELECT count(*) FROM orders WHERE id > 1500 OR note = 'changed later'"
        ),
        "0"
    );
    let log = std::fs::read_to_string(&r.log).unwrap();
    assert!(log.contains("recovery stopping before commit"), "{log}");
    drop(r);

    // The restore test restores the newest backup, verifies and checksums it.
    ok(&mut as_user(
        "postgres",
        &script(&s, "kd-restore-test.sh"),
        &["physical"],
        &env,
    ));
    let report = std::fs::read_to_string(s.path("state/restore-test-physical.tsv")).unwrap();
    assert!(report.starts_with("app:public.orders\t2000 "), "{report}");
    // A logical export and its restore test.
    ok(&mut as_user(
        "postgres",
        &script(&s, "kd-backup.sh"),
        &["logical"],
        &env,
    ));
    ok(&mut as_user(
        "postgres",
        &script(&s, "kd-restore-test.sh"),
        &["logical"],
        &env,
    ));
    // Monitoring: everything fresh, archiving healthy.
    let out = run(&mut as_user(
        "postgres",
        &script(&s, "kd-check-backup.sh"),
        &[],
        &env,
    ));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("KD-BACKUP OK"), "{text}");
    let prom = ok(&mut as_user(
        "postgres",
        &script(&s, "kd-check-backup.sh"),
        &["--prometheus"],
        &env,
    ));
    assert!(prom.contains("kd_backup_archive_failing 0"), "{prom}");
    assert!(
        prom.contains("kd_backup_last_success_timestamp_seconds{kind=\"full\"}"),
        "{prom}"
    );

    // Archiving that starts failing is reported as CRITICAL.
    let wal_dir = s.s("repo/wal");
    ok(Command::new("chmod").args(["000", &wal_dir]));
    c.psql("app", "INSERT INTO orders VALUES (9999, 'x', 1)");
    c.psql("postgres", "SELECT pg_switch_wal()");
    let mut failing = false;
    for _ in 0..60 {
        if c.psql("postgres", "SELECT failed_count > 0 FROM pg_stat_archiver") == "t" {
            failing = true;
            break;
        }
        sleep_ms(500);
    }
    assert!(
        failing,
        "archive_command should fail on an unwritable archive"
    );
    let out = run(&mut as_user(
        "postgres",
        &script(&s, "kd-check-backup.sh"),
        &[],
        &env,
    ));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("archive_command is failing"), "{text}");
    ok(Command::new("chmod").args(["700", &wal_dir]));

    // A damaged base backup fails the restore test, and the check then reports it.
    let base = std::fs::read_dir(s.path("repo/base"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max()
        .unwrap();
    let f = base.join(if encrypt {
        "base.tar.gz.gpg"
    } else {
        "base.tar.gz"
    });
    let mut bytes = std::fs::read(&f).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(&f, bytes).unwrap();
    let out = run(&mut as_user(
        "postgres",
        &script(&s, "kd-restore-test.sh"),
        &["physical"],
        &env,
    ));
    assert!(
        !out.status.success(),
        "a damaged backup must fail the restore test"
    );
    let out = run(&mut as_user(
        "postgres",
        &script(&s, "kd-check-backup.sh"),
        &[],
        &env,
    ));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("last restore_test run FAILED"), "{text}");
}

#[test]
fn postgres_base_backup_and_wal_archive_recover_to_a_point_in_time() {
    pitr(false);
}

#[test]
fn postgres_encrypted_base_backup_and_wal_archive_recover_to_a_point_in_time() {
    pitr(true);
}

/// `COPY (SELECT * FROM t ORDER BY 1) TO STDOUT` of every table, for comparing two databases.
fn pg_table_texts(pg: &common::Server, db: &str, tables: &[&str]) -> Vec<String> {
    tables
        .iter()
        .map(|t| {
            pg.run_sql_on(
                db,
                &format!("COPY (SELECT * FROM {t} ORDER BY 1) TO STDOUT"),
            )
            .unwrap_or_else(|e| panic!("{db}.{t}: {e}"))
        })
        .collect()
}

#[test]
fn postgres_logical_dump_restores_into_a_new_database() {
    let Some(pg) = common::postgres() else { return };
    if !have_tools(&["pg_dump", "pg_restore", "pg_dumpall"], "the pg_dump test") {
        return;
    }
    let db = pg.fresh_db("backup_logical");
    db.exec(
        "CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text UNIQUE NOT NULL, profile jsonb, photo bytea);
         CREATE TABLE orders (id serial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers, placed_at timestamptz NOT NULL, total numeric(12,2), note text);
         CREATE INDEX orders_customer ON orders (customer_id);
         CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
         INSERT INTO customers (email, profile, photo)
           SELECT 'c' || g || '@example.com', jsonb_build_object('n', g, 'tags', ARRAY['a', 'ü']), decode(md5(g::text), 'hex')
           FROM generate_series(1, 300) g;
         INSERT INTO orders (customer_id, placed_at, total, note)
           SELECT 1 + g % 300, timestamptz '2024-01-01 00:00+00' + g * interval '1 hour', g * 0.37, CASE WHEN g % 7 = 0 THEN NULL ELSE 'n''' || g END
           FROM generate_series(1, 5000) g;",
    )
    .expect("schema");
    let s = Scratch::new("pg-logical");
    let rep = ops::backup_plan(
        json!({
            "engine": "postgres", "size": "1GB", "rpo": "24h", "rto": "1h",
            "target": s.s("repo"), "bin_dir": s.s("gen/bin"), "config_dir": s.s("gen/etc"),
            "database": db.name, "verify_tables": ["public.customers", "public.orders"]
        }),
        &s.path("gen"),
    );
    assert_eq!(rep.tool.name, "pg_dump");
    let url = &pg.url;
    let env: Vec<(&str, String)> = vec![
        ("PGHOST", url.host.clone()),
        ("PGPORT", url.port.unwrap_or(5432).to_string()),
        (
            "PGUSER",
            url.user.clone().unwrap_or_else(|| "postgres".into()),
        ),
        ("KD_PG_DATABASES", db.name.clone()),
        ("KD_STATE_DIR", s.s("state")),
    ];
    ok(&mut as_user(
        "root",
        &script(&s, "kd-backup.sh"),
        &["logical"],
        &env,
    ));
    let set = std::fs::read_dir(s.path("repo/logical"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let verify = std::fs::read_to_string(set.join("verify.tsv")).unwrap();
    assert!(
        verify.contains(&format!("{}:public.orders\t5000 ", db.name)),
        "{verify}"
    );
    assert!(
        verify.contains(&format!("{}:public.customers\t300 ", db.name)),
        "{verify}"
    );
    assert!(set.join("globals.sql").is_file());

    let restored = format!("{}_r", db.name);
    let out = run(&mut as_user(
        "root",
        &script(&s, "kd-restore.sh"),
        &[
            "logical",
            "--db",
            &db.name,
            "--to-db",
            &restored,
            "--compare",
        ],
        &env,
    ));
    let cleanup = || {
        let _ = pg.run_sql_on(
            &pg.url.database,
            &format!("DROP DATABASE IF EXISTS \"{restored}\""),
        );
    };
    if !out.status.success() {
        cleanup();
        panic!(
            "kd-restore.sh logical failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let tables = ["customers", "orders"];
    let a = pg_table_texts(&pg, &db.name, &tables);
    let b = pg_table_texts(&pg, &restored, &tables);
    let view = pg
        .run_sql_on(&restored, "SELECT count(*) FROM big_orders")
        .unwrap();
    let idx = pg
        .run_sql_on(
            &restored,
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_customer'",
        )
        .unwrap();
    cleanup();
    assert_eq!(a, b, "restored tables must equal the originals");
    assert_eq!(
        view.trim(),
        pg.run_sql_on(&db.name, "SELECT count(*) FROM big_orders")
            .unwrap()
            .trim()
    );
    assert_eq!(idx.trim(), "1");

    // The restore test restores into a scratch database and compares with the dump's snapshot.
    let scratch_dbs = || {
        pg.run_sql_on(
            &pg.url.database,
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'kd_restore_test_%'",
        )
        .unwrap()
        .trim()
        .to_string()
    };
    let before = scratch_dbs();
    let mut env_t = env.clone();
    env_t.push(("KD_PG_DATABASE", db.name.clone()));
    env_t.push(("KD_TEST_PGHOST", url.host.clone()));
    env_t.push(("KD_TEST_PGPORT", url.port.unwrap_or(5432).to_string()));
    ok(&mut as_user(
        "root",
        &script(&s, "kd-restore-test.sh"),
        &["logical"],
        &env_t,
    ));
    // ... and fails when the restored data does not match what was recorded.
    let tampered = verify.replace(
        &format!("{}:public.orders\t5000 ", db.name),
        &format!("{}:public.orders\t4999 ", db.name),
    );
    std::fs::write(set.join("verify.tsv"), tampered).unwrap();
    let out = run(&mut as_user(
        "root",
        &script(&s, "kd-restore-test.sh"),
        &["logical"],
        &env_t,
    ));
    assert!(
        !out.status.success(),
        "a mismatch must fail the restore test"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("MISMATCH"));
    assert_eq!(
        scratch_dbs(),
        before,
        "the restore test drops its scratch database"
    );
}

#[test]
fn postgres_pgbackrest_backs_up_and_restores_to_a_point_in_time() {
    if !have_tools(&["pgbackrest", "initdb", "pg_ctl"], "the pgBackRest test") {
        return;
    }
    let s = Scratch::new("pgbackrest");
    ops::backup_plan(
        json!({
            "engine": "postgres", "version": "15", "size": "200GB", "rpo": "15m", "rto": "1h",
            "target": s.s("repo"), "tool": "pgbackrest", "bin_dir": s.s("gen/bin"),
            "config_dir": s.s("gen/etc"), "data_dir": s.s("data"), "database": "app",
            "verify_tables": ["public.orders"]
        }),
        &s.path("gen"),
    );
    for d in ["log", "spool", "lock"] {
        std::fs::create_dir_all(s.path(d)).unwrap();
    }
    chown(&s.dir, "postgres");
    let port = free_port();
    // pgBackRest reads PGBACKREST_* from the environment of archive_command (the postmaster's)
    // and of the scripts: point it at the generated configuration and scratch paths.
    let br_env = vec![
        ("PGBACKREST_CONFIG", s.s("gen/etc/pgbackrest.conf")),
        ("PGBACKREST_LOG_PATH", s.s("log")),
        ("PGBACKREST_SPOOL_PATH", s.s("spool")),
        ("PGBACKREST_LOCK_PATH", s.s("lock")),
        ("PGBACKREST_PG1_PORT", port.to_string()),
        ("PGBACKREST_PG1_SOCKET_PATH", s.dir.display().to_string()),
    ];
    let conf = std::fs::read_to_string(s.path("gen/etc/pgbackrest.conf")).unwrap();
    assert!(
        conf.contains(&format!("repo1-path={}", s.s("repo"))),
        "{conf}"
    );
    assert!(conf.contains("repo1-retention-full=30"), "{conf}");
    // Cluster::init picks its own port; start it on the port pgBackRest was told about.
    let data = s.s("data");
    ok(&mut as_user(
        "postgres",
        &pg_bin("initdb"),
        &["-D", &data, "--auth=trust", "-U", "postgres"],
        &[],
    ));
    let pc = format!("{data}/postgresql.conf");
    let mut text = std::fs::read_to_string(&pc).unwrap();
    text.push_str(&format!(
        "port = {port}\nlisten_addresses = ''\nunix_socket_directories = '{}'\ninclude '{}'\n",
        s.dir.display(),
        s.s("gen/etc/postgresql.backup.conf")
    ));
    std::fs::write(&pc, text).unwrap();
    let c = Cluster {
        data: data.clone(),
        sock: s.dir.display().to_string(),
        port,
        log: s.s("pg.log"),
        env: br_env.clone(),
    };
    ok(&mut as_user(
        "postgres",
        &pg_bin("pg_ctl"),
        &["-D", &data, "-l", &c.log, "-w", "start"],
        &br_env,
    ));
    let mut env = pg_env(&s, &c.sock, c.port);
    env.extend(br_env.iter().cloned());
    c.psql("postgres", "CREATE DATABASE app");
    c.psql("app", "CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders SELECT g, 'full ' || g FROM generate_series(1, 1000) g");
    ok(&mut as_user(
        "postgres",
        &script(&s, "kd-backup.sh"),
        &["init"],
        &env,
    ));
    ok(&mut as_user(
        "postgres",
        &script(&s, "kd-backup.sh"),
        &["full"],
        &env,
    ));
    c.psql(
        "app",
        "INSERT INTO orders SELECT g, 'incr ' || g FROM generate_series(1001, 1500) g",
    );
    ok(&mut as_user(
        "postgres",
        &script(&s, "kd-backup.sh"),
        &["incr"],
        &env,
    ));
    c.psql(
        "app",
        "INSERT INTO orders SELECT g, 'wal ' || g FROM generate_series(1501, 1700) g",
    );
    let expected = c.psql(
        "app",
        "SELECT count(*) || ' ' || md5(string_agg(id || note, ',' ORDER BY id)) FROM orders",
    );
    sleep_ms(1200);
    let target = c.psql(
        "app",
        "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'",
    );
    sleep_ms(1200);
    c.psql(
        "app",
        "INSERT INTO orders SELECT g, 'late ' || g FROM generate_series(1701, 2000) g",
    );
    c.psql("postgres", "SELECT pg_switch_wal()");
    let info = ok(&mut as_user(
        "postgres",
        "pgbackrest",
        &["--stanza=main", "info"],
        &env,
    ));
    assert!(
        info.contains("full backup") && info.contains("incr backup"),
        "{info}"
    );
    // The WAL with the later changes must be in the repository before the restore.
    let mut pushed = false;
    for _ in 0..60 {
        if c.psql("postgres", "SELECT last_archived_wal >= pg_walfile_name(pg_current_wal_lsn() - 1) FROM pg_stat_archiver") == "t" {
            pushed = true;
            break;
        }
        sleep_ms(500);
    }
    assert!(
        pushed,
        "pgbackrest archive-push did not archive the last segment"
    );
    let restored = s.s("restored");
    let port2 = free_port();
    ok(&mut as_user(
        "postgres",
        &script(&s, "kd-restore.sh"),
        &[
            "physical",
            "--to",
            &restored,
            "--target-time",
            &target,
            "--scratch",
            &port2.to_string(),
        ],
        &env,
    ));
    let r = Cluster {
        data: restored.clone(),
        sock: restored.clone(),
        port: port2,
        log: s.s("restored.log"),
        env: br_env.clone(),
    };
    ok(&mut as_user(
        "postgres",
        &pg_bin("pg_ctl"),
        &["-D", &r.data, "-l", &r.log, "-w", "-t", "120", "start"],
        &br_env,
    ));
    for _ in 0..120 {
        if r.psql("postgres", "SELECT pg_is_in_recovery()") == "f" {
            break;
        }
        sleep_ms(500);
    }
    let got = r.psql(
        "app",
        "SELECT count(*) || ' ' || md5(string_agg(id || note, ',' ORDER BY id)) FROM orders",
    );
    assert_eq!(
        got, expected,
        "pgBackRest point-in-time restore must give the data at the target"
    );
    drop(r);
    ok(&mut as_user(
        "postgres",
        &script(&s, "kd-restore-test.sh"),
        &["physical"],
        &env,
    ));
    let report = std::fs::read_to_string(s.path("state/restore-test-physical.tsv")).unwrap();
    assert!(report.starts_with("app:public.orders\t2000 "), "{report}");
    let prom = ok(&mut as_user(
        "postgres",
        &script(&s, "kd-check-backup.sh"),
        &["--prometheus"],
        &env,
    ));
    assert!(
        prom.contains("kd_backup_repository_newest_timestamp_seconds"),
        "{prom}"
    );
}

// ------------------------------------------------------------------------------------------------
// MariaDB

fn my_rows(server: &common::Server, db: &str, sql: &str) -> String {
    server
        .run_sql_on(db, sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn mariadb_dump_restores_into_a_new_database() {
    let Some(my) = common::mysql() else { return };
    if !have_tools(&["mariadb-dump", "mariadb"], "the mariadb-dump test") {
        return;
    }
    let db = my.fresh_db("backup_dump");
    db.exec(
        "CREATE TABLE customers (id bigint AUTO_INCREMENT PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, doc json, photo varbinary(32)) ENGINE=InnoDB;
         CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, customer_id bigint NOT NULL, placed_at datetime(3) NOT NULL, total decimal(12,2), note text,
           KEY (customer_id), CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id)) ENGINE=InnoDB;
         INSERT INTO customers (email, doc, photo) SELECT concat('c', seq, '@example.com'), json_object('n', seq, 'ü', 'ß'), unhex(md5(seq)) FROM seq_1_to_300;
         INSERT INTO orders (customer_id, placed_at, total, note) SELECT 1 + seq % 300, '2024-01-01' + INTERVAL seq HOUR, seq * 0.37, IF(seq % 7 = 0, NULL, concat('n''', seq)) FROM seq_1_to_5000;
         CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;",
    )
    .expect("schema");
    let s = Scratch::new("my-dump");
    let rep = ops::backup_plan(
        json!({
            "engine": "mariadb", "version": "10.11", "size": "1GB", "rpo": "24h", "rto": "4h",
            "target": s.s("repo"), "bin_dir": s.s("gen/bin"), "config_dir": s.s("gen/etc"),
            "database": db.name, "verify_tables": ["orders", "customers"]
        }),
        &s.path("gen"),
    );
    assert_eq!(rep.tool.name, "mariadb-dump + binlog archiving");
    let env: Vec<(&str, String)> = vec![
        ("KD_MY_HOST", my.url.host.clone()),
        ("KD_MY_PORT", my.url.port.unwrap_or(3306).to_string()),
        (
            "KD_MY_USER",
            my.url.user.clone().unwrap_or_else(|| "root".into()),
        ),
        ("KD_MY_DATABASES", db.name.clone()),
        ("KD_MY_DATABASE", db.name.clone()),
        ("KD_STATE_DIR", s.s("state")),
    ];
    ok(&mut as_user(
        "root",
        &script(&s, "kd-backup.sh"),
        &["logical"],
        &env,
    ));
    let restored = format!("{}_r", db.name);
    let out = run(&mut as_user(
        "root",
        &script(&s, "kd-restore.sh"),
        &["logical", "--db", &db.name, "--to-db", &restored],
        &env,
    ));
    let q = |d: &str| {
        (
            my_rows(&my, d, "SELECT * FROM customers ORDER BY id"),
            my_rows(&my, d, "SELECT * FROM orders ORDER BY id"),
            my_rows(&my, d, "SELECT count(*) FROM big_orders"),
        )
    };
    let result = out.status.success().then(|| (q(&db.name), q(&restored)));
    let _ = my.run_sql_on("", &format!("DROP DATABASE IF EXISTS `{restored}`"));
    let (a, b) = result.unwrap_or_else(|| {
        panic!(
            "kd-restore.sh logical failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(a, b, "restored tables must equal the originals");
    let scratch_dbs = || {
        my_rows(
            &my,
            "",
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'kd\\_restore\\_test\\_%'",
        )
        .trim()
        .to_string()
    };
    let before = scratch_dbs();
    // The restore test loads the dump into a scratch database and checks every table.
    ok(&mut as_user(
        "root",
        &script(&s, "kd-restore-test.sh"),
        &["logical"],
        &env,
    ));
    let report = std::fs::read_to_string(s.path("state/restore-test-logical.tsv")).unwrap();
    assert!(report.contains("orders\t5000 "), "{report}");
    // A truncated dump fails it.
    let set = std::fs::read_dir(s.path("repo/logical"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let dump = set.join(format!("{}.sql.gz", db.name));
    let bytes = std::fs::read(&dump).unwrap();
    std::fs::write(&dump, &bytes[..bytes.len() / 2]).unwrap();
    let out = run(&mut as_user(
        "root",
        &script(&s, "kd-restore-test.sh"),
        &["logical"],
        &env,
    ));
    assert!(
        !out.status.success(),
        "a truncated dump must fail the restore test"
    );
    assert_eq!(
        scratch_dbs(),
        before,
        "the restore test drops its scratch database"
    );
}

/// A scratch MariaDB server with the generated binlog settings.
struct MyServer {
    sock: String,
    child: std::process::Child,
}

impl MyServer {
    fn start(s: &Scratch, cnf_include: &str, port: u16) -> MyServer {
        let data = s.s("data");
        // A private tmpdir for every server started here (bootstrap included): mariadbd deletes
        // every #sql* file of its tmpdir at start-up, which would break the temporary tables of
        // the machine's own server in /tmp.
        std::fs::create_dir_all(s.path("tmp")).unwrap();
        chown(&s.path("tmp"), "mysql");
        ok(Command::new("mariadb-install-db").args([
            "--no-defaults",
            &format!("--datadir={data}"),
            &format!("--tmpdir={}", s.s("tmp")),
            "--user=mysql",
            "--skip-test-db",
        ]));
        std::fs::create_dir_all(s.path("data-binlog")).unwrap();
        chown(&s.path("data"), "mysql");
        chown(&s.path("data-binlog"), "mysql");
        chown(&s.dir, "mysql");
        let sock = s.s("mysqld.sock");
        let cnf = format!(
            "[mysqld]\ndatadir={data}\nsocket={sock}\nport={port}\nbind-address=127.0.0.1\npid-file={}\ntmpdir={}\ninnodb_buffer_pool_size=128M\n!include {cnf_include}\n",
            s.s("mysqld.pid"),
            s.s("tmp")
        );
        std::fs::write(s.path("my.cnf"), cnf).unwrap();
        let mut args = vec![format!("--defaults-file={}", s.s("my.cnf"))];
        if ops::is_root() {
            args.push("--user=mysql".into());
        }
        let child = Command::new("mariadbd")
            .args(&args)
            .stdout(std::fs::File::create(s.path("mysqld.log")).unwrap())
            .stderr(std::fs::File::create(s.path("mysqld.err")).unwrap())
            .spawn()
            .expect("mariadbd");
        let srv = MyServer { sock, child };
        for _ in 0..60 {
            if srv.try_sql("", "SELECT 1").is_ok() {
                return srv;
            }
            sleep_ms(500);
        }
        panic!(
            "scratch mariadbd did not start: {}",
            std::fs::read_to_string(s.path("mysqld.err")).unwrap_or_default()
        );
    }
    fn try_sql(&self, db: &str, sql: &str) -> Result<String, String> {
        let mut c = Command::new("mariadb");
        c.args([
            "--batch",
            "--skip-column-names",
            &format!("--socket={}", self.sock),
            "-e",
            sql,
        ]);
        if !db.is_empty() {
            c.arg(db);
        }
        let out = c.output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
    fn sql(&self, db: &str, sql: &str) -> String {
        self.try_sql(db, sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

impl Drop for MyServer {
    fn drop(&mut self) {
        let _ = Command::new("mariadb-admin")
            .args([&format!("--socket={}", self.sock), "shutdown"])
            .output();
        let _ = self.child.wait();
    }
}

const MY_FINGERPRINT: &str =
    "SELECT concat(count(*), ' ', sum(crc32(concat(id, ':', note)))) FROM orders";

#[test]
fn mariadb_mariabackup_incremental_and_binlogs_recover_to_a_point_in_time() {
    if !have_tools(
        &[
            "mariabackup",
            "mbstream",
            "mariadbd",
            "mariadb-install-db",
            "mariadb-binlog",
        ],
        "the mariabackup test",
    ) {
        return;
    }
    let s = Scratch::new("my-pitr");
    let rep = ops::backup_plan(
        json!({
            "engine": "mariadb", "version": "10.11", "size": "500GB", "rpo": "15m", "rto": "4h",
            "target": s.s("repo"), "bin_dir": s.s("gen/bin"), "config_dir": s.s("gen/etc"),
            "data_dir": s.s("data"), "database": "shop", "verify_tables": ["orders"]
        }),
        &s.path("gen"),
    );
    assert_eq!(rep.tool.name, "mariabackup + binlog archiving");
    let srv = MyServer::start(&s, &s.s("gen/etc/my.cnf.d/kd-backup.cnf"), free_port());
    assert_eq!(
        srv.sql(
            "",
            "SELECT concat(@@log_bin + 0, @@binlog_format, @@sync_binlog)"
        ),
        "1ROW1"
    );
    let env: Vec<(&str, String)> = vec![
        ("KD_MY_SOCKET", srv.sock.clone()),
        ("KD_STATE_DIR", s.s("state")),
        ("KD_SCRATCH_DIR", s.s("scratch")),
        ("KD_SCRATCH_PORT", free_port().to_string()),
    ];
    let sh = |args: &[&str]| {
        ok(&mut as_user(
            "root",
            &script(&s, "kd-backup.sh"),
            args,
            &env,
        ))
    };
    srv.sql("", "CREATE DATABASE shop; CREATE TABLE shop.orders (id int PRIMARY KEY, note varchar(100) NOT NULL) ENGINE=InnoDB");
    srv.sql(
        "shop",
        "INSERT INTO orders SELECT seq, concat('base ', seq) FROM seq_1_to_1000",
    );
    sh(&["full"]);
    sh(&["logical"]);
    srv.sql(
        "shop",
        "INSERT INTO orders SELECT seq, concat('incremental ', seq) FROM seq_1001_to_1500",
    );
    sh(&["incr"]);
    srv.sql("shop", "INSERT INTO orders SELECT seq, concat('binlog ', seq) FROM seq_1501_to_1700; UPDATE orders SET note = 'edited' WHERE id <= 5");
    let expected = srv.sql("shop", MY_FINGERPRINT);
    sleep_ms(2100);
    let target = ops::utc_now();
    sleep_ms(2100);
    srv.sql("shop", "INSERT INTO orders SELECT seq, concat('late ', seq) FROM seq_1701_to_2000; DELETE FROM orders WHERE id BETWEEN 100 AND 199");
    sh(&["binlog"]);
    assert!(s.path("repo/binlog/mysql-bin.000001.gz").is_file());

    // Physical: full + incremental + binlog replay to the target time, into a new datadir.
    let restored = s.s("restored");
    ok(&mut as_user(
        "root",
        &script(&s, "kd-restore.sh"),
        &["physical", "--to", &restored, "--target-time", &target],
        &env,
    ));
    let rsock = s.s("restored.sock");
    let mut args = vec![
        "--no-defaults".to_string(),
        format!("--datadir={restored}"),
        format!("--socket={rsock}"),
        "--skip-networking".into(),
        format!("--pid-file={}", s.s("restored.pid")),
        format!("--tmpdir={}", s.s("restored-tmp")),
    ];
    // A private tmpdir (see MyServer): start-up deletes every #sql* file of the tmpdir.
    std::fs::create_dir_all(s.path("restored-tmp")).unwrap();
    chown(&s.path("restored-tmp"), "mysql");
    if ops::is_root() {
        args.push("--user=mysql".into());
    }
    let child = Command::new("mariadbd")
        .args(&args)
        .stdout(std::fs::File::create(s.path("restored.log")).unwrap())
        .stderr(std::fs::File::create(s.path("restored.err")).unwrap())
        .spawn()
        .unwrap();
    let r = MyServer { sock: rsock, child };
    let mut up = false;
    for _ in 0..60 {
        if r.try_sql("", "SELECT 1").is_ok() {
            up = true;
            break;
        }
        sleep_ms(500);
    }
    assert!(up, "restored server did not start");
    assert_eq!(
        r.sql("shop", MY_FINGERPRINT),
        expected,
        "restored data must equal the data at the target time"
    );
    drop(r);

    // Logical: the dump taken after the full, rolled forward through the binlogs to the target.
    ok(&mut as_user(
        "root",
        &script(&s, "kd-restore.sh"),
        &[
            "logical",
            "--db",
            "shop",
            "--to-db",
            "shop_at_target",
            "--target-time",
            &target,
        ],
        &env,
    ));
    assert_eq!(
        srv.sql("shop_at_target", MY_FINGERPRINT),
        expected,
        "dump + binlog replay must give the data at the target time"
    );

    // Restore test (newest full + incremental + all binlogs) and the check.
    ok(&mut as_user(
        "root",
        &script(&s, "kd-restore-test.sh"),
        &["physical"],
        &env,
    ));
    let report = std::fs::read_to_string(s.path("state/restore-test-physical.tsv")).unwrap();
    assert!(report.starts_with("orders\t1900 "), "{report}");
    let out = run(&mut as_user(
        "root",
        &script(&s, "kd-check-backup.sh"),
        &[],
        &env,
    ));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A damaged incremental fails the restore test.
    let full = std::fs::read_dir(s.path("repo/full"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let inc = std::fs::read_dir(full.join("inc"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let f = inc.join("inc.xb.gz");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() / 3]).unwrap();
    let out = run(&mut as_user(
        "root",
        &script(&s, "kd-restore-test.sh"),
        &["physical"],
        &env,
    ));
    assert!(
        !out.status.success(),
        "a damaged incremental must fail the restore test"
    );
}

// ------------------------------------------------------------------------------------------------
// SQLite

fn sqlite_roundtrip(method: &str) {
    if !have_tools(&["sqlite3"], "the SQLite backup test") {
        return;
    }
    let s = Scratch::new(&format!("sqlite-{method}"));
    let db = s.s("app.db");
    ops::backup_plan(
        json!({
            "engine": "sqlite", "size": "100MB", "rpo": "6h", "rto": "1h", "target": s.s("repo"),
            "bin_dir": s.s("gen/bin"), "config_dir": s.s("gen/etc"), "database": db,
            "verify_tables": ["items"]
        }),
        &s.path("gen"),
    );
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE items (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, v TEXT NOT NULL);").unwrap();
    }
    // A writer keeps committing batches of 50 rows while the snapshots are taken.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let db = db.clone();
        std::thread::spawn(move || {
            let mut c = rusqlite::Connection::open(&db).unwrap();
            c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
            let mut batch = 0i64;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) && batch < 2000 {
                let tx = c.transaction().unwrap();
                for k in 0..50 {
                    tx.execute(
                        "INSERT INTO items (batch, v) VALUES (?1, ?2)",
                        rusqlite::params![batch, format!("b{batch}-{k}")],
                    )
                    .unwrap();
                }
                tx.commit().unwrap();
                batch += 1;
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            batch
        })
    };
    let env: Vec<(&str, String)> = vec![
        ("KD_STATE_DIR", s.s("state")),
        ("KD_SCRATCH_DIR", s.s("scratch")),
        ("KD_SQLITE_METHOD", method.to_string()),
    ];
    sleep_ms(200);
    for _ in 0..3 {
        ok(&mut as_user(
            "root",
            &script(&s, "kd-backup.sh"),
            &["snapshot"],
            &env,
        ));
        sleep_ms(1100);
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let batches = writer.join().unwrap();
    assert!(batches > 0);
    // Restore the newest snapshot: a consistent cut, whole batches only, rows as recorded.
    let restored = s.s("restored.db");
    ok(&mut as_user(
        "root",
        &script(&s, "kd-restore.sh"),
        &["snapshot", "--to", &restored],
        &env,
    ));
    let c = rusqlite::Connection::open(&restored).unwrap();
    let (n, max_batch): (i64, i64) = c
        .query_row(
            "SELECT count(*), coalesce(max(batch), -1) FROM items",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        n,
        (max_batch + 1) * 50,
        "the snapshot holds whole transactions only"
    );
    let ids_contiguous: i64 = c
        .query_row("SELECT count(*) FROM items WHERE id > ?1", [n], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(ids_contiguous, 0);
    let sets: Vec<_> = std::fs::read_dir(s.path("repo/snap"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(sets.len(), 3);
    let newest = sets.iter().max().unwrap();
    let verify = std::fs::read_to_string(newest.join("verify.tsv")).unwrap();
    assert!(verify.contains(&format!("items\t{n}")), "{verify}");
    // The source keeps rows the snapshot did not see; the restored copy equals its snapshot.
    let src = rusqlite::Connection::open(&db).unwrap();
    let later: i64 = src
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert!(later >= n);
    let mut a = src
        .prepare("SELECT id, batch, v FROM items WHERE id <= ?1 ORDER BY id")
        .unwrap();
    let rows_a: Vec<(i64, i64, String)> = a
        .query_map([n], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut b = c
        .prepare("SELECT id, batch, v FROM items ORDER BY id")
        .unwrap();
    let rows_b: Vec<(i64, i64, String)> = b
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows_a, rows_b);
    // Restoring over an existing file needs --force; the restore test passes, then fails on a damaged snapshot.
    let out = run(&mut as_user(
        "root",
        &script(&s, "kd-restore.sh"),
        &["snapshot", "--to", &restored],
        &env,
    ));
    assert!(
        !out.status.success(),
        "replacing a database must need --force"
    );
    ok(&mut as_user(
        "root",
        &script(&s, "kd-restore-test.sh"),
        &[],
        &env,
    ));
    let out = run(&mut as_user(
        "root",
        &script(&s, "kd-check-backup.sh"),
        &[],
        &env,
    ));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let gz = newest.join("app.db.gz");
    let bytes = std::fs::read(&gz).unwrap();
    std::fs::write(&gz, &bytes[..bytes.len() / 2]).unwrap();
    let out = run(&mut as_user(
        "root",
        &script(&s, "kd-restore-test.sh"),
        &[],
        &env,
    ));
    assert!(
        !out.status.success(),
        "a damaged snapshot must fail the restore test"
    );
}

#[test]
fn sqlite_online_backup_while_writing_restores_a_consistent_copy() {
    sqlite_roundtrip("backup");
}

#[test]
fn sqlite_vacuum_into_while_writing_restores_a_consistent_copy() {
    sqlite_roundtrip("vacuum");
}

// ------------------------------------------------------------------------------------------------
// Redis

#[test]
fn redis_rdb_snapshot_restores_every_key() {
    if !have_tools(
        &["redis-server", "redis-cli", "redis-check-rdb"],
        "the Redis backup test",
    ) {
        return;
    }
    let s = Scratch::new("redis");
    ops::backup_plan(
        json!({
            "engine": "redis", "size": "100MB", "rpo": "1h", "rto": "30m", "target": s.s("repo"),
            "bin_dir": s.s("gen/bin"), "config_dir": s.s("gen/etc"), "data_dir": s.s("src")
        }),
        &s.path("gen"),
    );
    std::fs::create_dir_all(s.path("src")).unwrap();
    let port = free_port().to_string();
    ok(Command::new("redis-server").args([
        "--port",
        &port,
        "--bind",
        "127.0.0.1",
        "--dir",
        &s.s("src"),
        "--daemonize",
        "yes",
        "--save",
        "",
        "--logfile",
        &s.s("src/redis.log"),
        "--pidfile",
        &s.s("src/redis.pid"),
    ]));
    struct Stop(String);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = Command::new("redis-cli")
                .args(["-p", &self.0, "shutdown", "nosave"])
                .output();
        }
    }
    let _stop = Stop(port.clone());
    for _ in 0..40 {
        if Command::new("redis-cli")
            .args(["-p", &port, "ping"])
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"PONG"))
        {
            break;
        }
        sleep_ms(100);
    }
    let mut cmds = String::new();
    for i in 0..500 {
        cmds.push_str(&format!("SET key:{i} value-{i}\n"));
    }
    cmds.push_str("HSET user:1 name Ada lang en\nRPUSH queue a b c\nSELECT 3\nSET other 42\n");
    let mut child = Command::new("redis-cli")
        .args(["-p", &port])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cmds.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let scratch_port = free_port().to_string();
    let env: Vec<(&str, String)> = vec![
        ("KD_REDIS_PORT", port.clone()),
        ("KD_STATE_DIR", s.s("state")),
        ("KD_SCRATCH_DIR", s.s("scratch")),
        ("KD_SCRATCH_PORT", scratch_port.clone()),
    ];
    ok(&mut as_user(
        "root",
        &script(&s, "kd-backup.sh"),
        &["snapshot"],
        &env,
    ));
    // Restore into a new directory and serve it on another port; compare every key.
    let rdir = s.s("restored");
    ok(&mut as_user(
        "root",
        &script(&s, "kd-restore.sh"),
        &["snapshot", "--to", &rdir],
        &env,
    ));
    let rport = free_port().to_string();
    ok(&mut as_user(
        "root",
        &script(&s, "kd-restore.sh"),
        &["start", "--dir", &rdir, "--port", &rport],
        &env,
    ));
    let _stop2 = Stop(rport.clone());
    let get = |p: &str, args: &[&str]| {
        let mut a = vec!["-p", p];
        a.extend_from_slice(args);
        String::from_utf8_lossy(&Command::new("redis-cli").args(&a).output().unwrap().stdout)
            .trim()
            .to_string()
    };
    assert_eq!(get(&rport, &["DBSIZE"]), "502");
    assert_eq!(get(&rport, &["-n", "3", "GET", "other"]), "42");
    for i in (0..500).step_by(37) {
        assert_eq!(
            get(&rport, &["GET", &format!("key:{i}")]),
            format!("value-{i}")
        );
    }
    assert_eq!(get(&rport, &["HGET", "user:1", "lang"]), "en");
    assert_eq!(get(&rport, &["LRANGE", "queue", "0", "-1"]), "a\nb\nc");
    ok(&mut as_user(
        "root",
        &script(&s, "kd-restore-test.sh"),
        &[],
        &env,
    ));
    let report = std::fs::read_to_string(s.path("state/restore-test-snapshot.tsv")).unwrap();
    assert_eq!(report.trim(), "keys\t503");
    let out = run(&mut as_user(
        "root",
        &script(&s, "kd-check-backup.sh"),
        &[],
        &env,
    ));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

// ------------------------------------------------------------------------------------------------
// Retention

/// A UTC stamp `days` days before today at `hour`:00, as the scripts name their sets.
fn stamp_days_ago(days: u32, hour: u32) -> String {
    let out = Command::new("date")
        .args([
            "-u",
            "-d",
            &format!("today 00:00 UTC - {days} days + {hour} hours"),
            "+%Y%m%dT%H%M%SZ",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn retention_keeps_recent_sets_one_per_day_and_the_newest_older_one() {
    if !have_tools(&["sqlite3"], "the retention test") {
        return;
    }
    let s = Scratch::new("retention");
    let db = s.s("app.db");
    ops::backup_plan(
        json!({
            "engine": "sqlite", "size": "10MB", "rpo": "6h", "rto": "1h", "target": s.s("repo"),
            "bin_dir": s.s("gen/bin"), "config_dir": s.s("gen/etc"), "database": db, "retention": "3d"
        }),
        &s.path("gen"),
    );
    let env_file = std::fs::read_to_string(s.path("gen/etc/kd-backup.env")).unwrap();
    assert!(
        env_file.contains("KD_RETENTION_DAYS=\"${KD_RETENTION_DAYS:-3}\""),
        "{env_file}"
    );
    ok(Command::new("sqlite3").args([&db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);"]));
    // Old sets: two on the day before yesterday, one yesterday, and two beyond the 3 days.
    let sets = [
        (stamp_days_ago(10, 3), false), // older than the newest set beyond the retention
        (stamp_days_ago(5, 3), true),   // the newest set older than the retention: kept
        (stamp_days_ago(2, 1), true),   // first of its day
        (stamp_days_ago(2, 2), false),  // second of the same day
        (stamp_days_ago(1, 5), true),   // first of its day
    ];
    for (st, _) in &sets {
        let d = s.path(&format!("repo/snap/{st}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("kd-info"), "end=0\n").unwrap();
    }
    let env: Vec<(&str, String)> = vec![
        ("KD_STATE_DIR", s.s("state")),
        // Keep-everything window of one hour, so the test does not depend on the time of day.
        ("KD_KEEP_ALL_HOURS", "1".into()),
    ];
    ok(&mut as_user(
        "root",
        &script(&s, "kd-backup.sh"),
        &["snapshot"],
        &env,
    ));
    let left: Vec<String> = std::fs::read_dir(s.path("repo/snap"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for (st, keep) in &sets {
        assert_eq!(left.contains(st), *keep, "{st}: kept {left:?}");
    }
    assert_eq!(
        left.len(),
        4,
        "three old sets and the new snapshot: {left:?}"
    );
}

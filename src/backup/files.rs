//! The generated files: every value is computed here (or in `plan.rs`) and handed to the
//! templates under `templates/backup/files/`, which lay them out as configuration, scripts,
//! schedules, alert rules and the runbook.

use super::plan::{Inputs, Plan, Tool};
use super::target::Target;
use super::{BackupEngine, GenFile, Job};
use crate::error::KdError;
use crate::render::render;
use crate::units::{human_bytes, human_duration};
use serde_json::{Value, json};

/// One monitored job: the state key its script records, and its age thresholds.
fn checks(p: &Plan) -> Vec<Value> {
    p.jobs
        .iter()
        .filter(|j| j.id != "check")
        .map(|j| {
            let key = j.id.replace('-', "_");
            let (warn, crit) = if j.id == "restore-test" {
                (
                    p.thresholds.restore_test_age_warn,
                    p.thresholds.restore_test_age_crit,
                )
            } else if Some(j.every_s) == p.log_every_s && j.id == "binlog" {
                (p.thresholds.log_lag_warn, p.thresholds.log_lag_crit)
            } else {
                let slack = (j.every_s / 2).min(2 * 3600);
                (j.every_s + slack, 2 * j.every_s + slack)
            };
            let alert: String = key
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    match c.next() {
                        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                        None => String::new(),
                    }
                })
                .collect();
            json!({
                "job": key,
                "warn": warn,
                "crit": crit,
                "warn_text": human_duration(warn as f64),
                "crit_text": human_duration(crit as f64),
                "alert": alert,
            })
        })
        .collect()
}

fn engine_dir(e: BackupEngine) -> &'static str {
    match e {
        BackupEngine::Postgres => "postgres",
        BackupEngine::Mysql | BackupEngine::Mariadb => "mysql",
        BackupEngine::Sqlite => "sqlite",
        BackupEngine::Mongodb => "mongodb",
        BackupEngine::Redis => "redis",
    }
}

fn os_user(e: BackupEngine) -> &'static str {
    match e {
        BackupEngine::Postgres => "postgres",
        BackupEngine::Mysql | BackupEngine::Mariadb => "mysql",
        BackupEngine::Redis => "redis",
        BackupEngine::Mongodb => "mongodb",
        BackupEngine::Sqlite => "root",
    }
}

/// Build the template context.
fn context(i: &Inputs, p: &Plan) -> Result<Value, KdError> {
    let e = i.engine;
    let managed = i.hosting.is_managed();
    let tool_owns_repo = matches!(p.tool, Tool::PgBackRest | Tool::WalG);
    let repo = match &i.target {
        Target::Local { path } => path.clone(),
        _ => format!("/var/backups/kd-{}", e.id()),
    };
    let remote = match (&i.target, tool_owns_repo) {
        (Target::Local { .. }, _) => String::new(),
        (t, true) => format!("{}/exports", t.remote_url()),
        (t, false) => t.remote_url(),
    };
    let s3_endpoint = match &i.target {
        Target::S3 { endpoint, .. } => endpoint.clone(),
        _ => String::new(),
    };
    let key_file = if i.encrypt {
        format!("{}/backup.key", i.config_dir)
    } else {
        String::new()
    };
    let major = i.major.unwrap_or(match e {
        BackupEngine::Postgres => 16,
        BackupEngine::Mariadb => 10,
        BackupEngine::Mysql => 8,
        _ => 0,
    });
    let data_dir = i.data_dir.clone().unwrap_or_else(|| match e {
        BackupEngine::Postgres => format!("/var/lib/postgresql/{major}/main"),
        BackupEngine::Mysql | BackupEngine::Mariadb => "/var/lib/mysql".into(),
        BackupEngine::Redis => "/var/lib/redis".into(),
        BackupEngine::Mongodb => "/var/lib/mongodb".into(),
        BackupEngine::Sqlite => String::new(),
    });
    let physical = !managed
        && matches!(
            p.tool,
            Tool::PgBackRest
                | Tool::WalG
                | Tool::PgBaseBackup
                | Tool::Mariabackup
                | Tool::Xtrabackup
        );
    let mut modes: Vec<&str> = Vec::new();
    match p.tool {
        Tool::PgBackRest => modes.extend(["init", "full", "diff", "incr", "logical"]),
        Tool::WalG => {
            modes.extend(["full", "incr"]);
            if p.differential {
                modes.push("diff");
            }
            modes.push("logical");
        }
        Tool::PgBaseBackup => modes.extend(["full", "logical"]),
        Tool::PgDump => modes.push("logical"),
        Tool::Mariabackup | Tool::Xtrabackup => modes.extend(["full", "incr", "logical", "binlog"]),
        Tool::MyDump => {
            modes.push("logical");
            if !managed {
                modes.push("binlog");
            }
        }
        Tool::Sqlite3 | Tool::Litestream | Tool::RedisRdb => modes.push("snapshot"),
        Tool::Mongodump | Tool::Pbm => modes.push("full"),
    }
    let restore_test_modes: Vec<&str> = if physical {
        vec!["physical", "logical"]
    } else if matches!(p.tool, Tool::PgDump | Tool::MyDump) {
        vec!["logical"]
    } else {
        vec!["snapshot"]
    };
    let restore_test = p
        .jobs
        .iter()
        .find(|j| j.id == "restore-test")
        .map(|j| j.command.clone())
        .unwrap_or_default();
    let backup_jobs: Vec<&Job> = p
        .jobs
        .iter()
        .filter(|j| j.id != "check" && j.id != "restore-test")
        .collect();
    let log_check = match (e, p.log_every_s, physical || p.tool == Tool::MyDump) {
        (BackupEngine::Postgres, Some(_), true) => Some("WAL archive lag (oldest .ready segment)"),
        _ => None,
    };
    let secrets_hint = match p.tool {
        Tool::PgBackRest => "PGBACKREST_* environment variables of the postgres user",
        Tool::WalG => "the AWS_* environment or an instance role, and walg.key",
        _ if e == BackupEngine::Postgres => "~/.pgpass of the postgres user",
        Tool::Mariabackup | Tool::Xtrabackup | Tool::MyDump => {
            "the [client] section of KD_MY_DEFAULTS_FILE, mode 0600"
        }
        Tool::RedisRdb => "REDISCLI_AUTH in the service environment",
        Tool::Mongodump | Tool::Pbm => "the connection string file KD_MONGO_URI_FILE, mode 0600",
        _ => "none needed",
    };
    let pg_host = i
        .host
        .clone()
        .unwrap_or_else(|| "/var/run/postgresql".into());
    let fulls = p.storage.full_count.max(1);
    let delta_steps = match p.incr_every_h {
        Some(h) => (p.full_every_days * 24 / h).max(1),
        None => 0,
    };
    let maria = e == BackupEngine::Mariadb;
    let sqlite_db = i.database.clone().unwrap_or_default();
    if e == BackupEngine::Sqlite && sqlite_db.is_empty() {
        return Err(KdError::invalid(
            "database: give the absolute path of the SQLite database file, e.g. /var/lib/app/app.db",
        ));
    }
    let sqlite_name = std::path::Path::new(&sqlite_db)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "db".into());
    let lifecycle_prefix = match (&i.target, p.tool) {
        (Target::S3 { .. }, Tool::Pbm | Tool::Litestream)
        | (Target::Local { .. } | Target::Ssh { .. }, _) => None,
        (Target::S3 { prefix, .. }, tool) => {
            let base = if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            };
            Some(match tool {
                Tool::PgBackRest | Tool::WalG => format!("{base}exports/"),
                _ => base,
            })
        }
    };
    let lifecycle_days = i.retention_days + p.full_every_days as u64 + 1;
    let mut v = json!({
        "lifecycle_prefix": lifecycle_prefix,
        "lifecycle_days": lifecycle_days,
        "risks": p.risks,
        "engine": e.id(),
        "engine_dir": engine_dir(e),
        "engine_name": i.engine_label(),
        "tool": p.tool.id(),
        "tool_name": p.tool_choice.name,
        "method": p.tool_choice.method,
        "managed": managed,
        "hosting": i.hosting.name(),
        "physical": physical,
        "differential": p.differential,
        "modes": modes,
        "restore_test_modes": restore_test_modes,
        "target": serde_json::to_value(&i.target).map_err(|e| KdError::Internal(e.to_string()))?,
        "target_display": i.target.display(),
        "remote": remote,
        "s3_endpoint": s3_endpoint,
        "repo": repo,
        "state_dir": "/var/lib/kd-backup",
        "local_keep_days": p.local_keep_days,
        "retention_days": i.retention_days,
        "encrypt": i.encrypt,
        "key_file": key_file,
        "verify_tables": i.verify_tables.join(" "),
        "bin_dir": i.bin_dir,
        "config_dir": i.config_dir,
        "data_dir": data_dir,
        "os_user": os_user(e),
        "archive_timeout": p.log_every_s.unwrap_or(60),
        "log_every": p.log_every_s,
        "snapshot_every": p.snapshot_every_s,
        "incr_every_h": p.incr_every_h,
        "checks": checks(p),
        "log_check": log_check,
        "thresholds": p.thresholds,
        "jobs": p.jobs,
        "backup_jobs": backup_jobs,
        "backup_job_ids": backup_jobs.iter().map(|j| j.id.clone()).collect::<Vec<_>>(),
        "restore_test_command": restore_test,
        "after_unit": match e {
            BackupEngine::Postgres if !managed => "postgresql.service",
            BackupEngine::Mysql | BackupEngine::Mariadb if !managed => "mariadb.service mysql.service",
            BackupEngine::Redis => "redis-server.service",
            BackupEngine::Mongodb => "mongod.service",
            _ => "",
        },
        "secrets_hint": secrets_hint,
    });
    v["rpo"] = json!({"target": human_duration(p.rpo.target_s as f64), "estimate": human_duration(p.rpo.estimate_s as f64), "meets": p.rpo.meets});
    v["rto"] = json!({"target": human_duration(p.rto.target_s as f64), "estimate": human_duration(p.rto.estimate_s as f64), "meets": p.rto.meets});
    v["storage_total"] = json!(human_bytes(p.storage.total_bytes as f64));
    v["pg"] = json!({
                "host": pg_host,
                "port": 5432,
                "user": "postgres",
                "database": i.database.clone().unwrap_or_else(|| "postgres".into()),
                "bindir": format!("/usr/lib/postgresql/{major}/bin"),
                "stanza": "main",
                "process_max": 4,
                "test_host": if managed { "/var/run/postgresql".to_string() } else { i.host.clone().unwrap_or_else(|| "/var/run/postgresql".into()) },
    });
    v["walg"] = json!({"delta_steps": delta_steps, "retain_full": fulls});
    v["my"] = json!({
                "maria": maria,
                "host": i.host.clone().unwrap_or_default(),
                "socket": if i.host.is_some() { String::new() } else { "/run/mysqld/mysqld.sock".to_string() },
                "client": if maria { "mariadb" } else { "mysql" },
                "dump": if maria { "mariadb-dump" } else { "mysqldump" },
                "binlog_tool": if maria { "mariadb-binlog" } else { "mysqlbinlog" },
                "admin": if maria { "mariadb-admin" } else { "mysqladmin" },
                "xb": if maria { "mariabackup" } else { "xtrabackup" },
                "xbstream": if maria { "mbstream" } else { "xbstream" },
                "server": if maria { "mariadbd" } else { "mysqld" },
                "database": i.database.clone().unwrap_or_default(),
                "binlog_dir": format!("{data_dir}-binlog"),
                "expire_days": 7,
                "mysql8": !maria && major >= 8,
    });
    v["sqlite"] = json!({"db": sqlite_db, "name": sqlite_name});
    v["redis"] =
        json!({"host": i.host.clone().unwrap_or_else(|| "127.0.0.1".into()), "port": 6379});
    v["mongo"] =
        json!({"host": i.host.clone().unwrap_or_else(|| "127.0.0.1".into()), "port": 27017});
    Ok(v)
}

fn file(path: &str, template: &str, ctx: &Value, executable: bool) -> Result<GenFile, KdError> {
    Ok(GenFile {
        path: path.to_string(),
        content: render(template, ctx)?,
        executable,
    })
}

/// Render every file of the plan.
pub fn generate(i: &Inputs, p: &Plan) -> Result<Vec<GenFile>, KdError> {
    let ctx = context(i, p)?;
    let dir = engine_dir(i.engine);
    let managed = i.hosting.is_managed();
    let t = |name: &str| format!("backup/files/{dir}/{name}.tmpl");
    let mut out = vec![
        file("RUNBOOK.md", "backup/files/RUNBOOK.md.tmpl", &ctx, false)?,
        file(
            "etc/kd-backup.env",
            "backup/files/kd-backup.env.tmpl",
            &ctx,
            false,
        )?,
    ];
    match i.engine {
        BackupEngine::Postgres if !managed => match p.tool {
            Tool::PgBackRest => {
                out.push(file(
                    "etc/pgbackrest.conf",
                    &t("pgbackrest.conf"),
                    &ctx,
                    false,
                )?);
                out.push(file(
                    "etc/postgresql.backup.conf",
                    &t("postgresql.backup.conf"),
                    &ctx,
                    false,
                )?);
            }
            Tool::WalG => {
                out.push(file("etc/walg.env", &t("walg.env"), &ctx, false)?);
                out.push(file(
                    "etc/postgresql.backup.conf",
                    &t("postgresql.backup.conf"),
                    &ctx,
                    false,
                )?);
            }
            Tool::PgBaseBackup => {
                out.push(file(
                    "etc/postgresql.backup.conf",
                    &t("postgresql.backup.conf"),
                    &ctx,
                    false,
                )?);
            }
            _ => {}
        },
        BackupEngine::Mysql | BackupEngine::Mariadb if !managed => {
            out.push(file(
                "etc/my.cnf.d/kd-backup.cnf",
                &t("kd-backup.cnf"),
                &ctx,
                false,
            )?);
        }
        BackupEngine::Sqlite if p.tool == Tool::Litestream => {
            out.push(file(
                "etc/litestream.yml",
                &t("litestream.yml"),
                &ctx,
                false,
            )?);
        }
        BackupEngine::Redis => {
            out.push(file(
                "etc/redis.persistence.conf",
                &t("redis.persistence.conf"),
                &ctx,
                false,
            )?);
        }
        BackupEngine::Mongodb if p.tool == Tool::Pbm => {
            out.push(file(
                "etc/pbm-config.yaml",
                &t("pbm-config.yaml"),
                &ctx,
                false,
            )?);
        }
        _ => {}
    }
    if !ctx["lifecycle_prefix"].is_null() {
        out.push(file(
            "etc/s3-lifecycle.json",
            "backup/files/s3-lifecycle.json.tmpl",
            &ctx,
            false,
        )?);
    }
    out.push(file(
        "bin/kd-backup-lib.sh",
        "backup/files/kd-backup-lib.sh.tmpl",
        &ctx,
        false,
    )?);
    out.push(file("bin/kd-backup.sh", &t("kd-backup.sh"), &ctx, true)?);
    out.push(file("bin/kd-restore.sh", &t("kd-restore.sh"), &ctx, true)?);
    out.push(file(
        "bin/kd-restore-test.sh",
        &t("kd-restore-test.sh"),
        &ctx,
        true,
    )?);
    out.push(file(
        "bin/kd-check-backup.sh",
        "backup/files/kd-check-backup.sh.tmpl",
        &ctx,
        true,
    )?);
    if p.tool == Tool::PgBaseBackup {
        out.push(file(
            "bin/kd-archive-wal.sh",
            &t("kd-archive-wal.sh"),
            &ctx,
            true,
        )?);
        out.push(file(
            "bin/kd-restore-wal.sh",
            &t("kd-restore-wal.sh"),
            &ctx,
            true,
        )?);
    }
    // Schedules: systemd units and timers, and the same jobs as a cron file.
    out.push(file(
        "systemd/kd-backup@.service",
        "backup/files/systemd/backup@.service.tmpl",
        &ctx,
        false,
    )?);
    for j in p
        .jobs
        .iter()
        .filter(|j| j.id != "check" && j.id != "restore-test")
    {
        let mut c = ctx.clone();
        c["job"] = serde_json::to_value(j).map_err(|e| KdError::Internal(e.to_string()))?;
        c["unit_name"] = json!(format!("kd-backup-{}.timer", j.id));
        c["service"] = json!(format!("kd-backup@{}.service", j.id));
        c["description"] = json!(format!("kd-backup {} ({})", j.id, j.when));
        out.push(file(
            &format!("systemd/kd-backup-{}.timer", j.id),
            "backup/files/systemd/job.timer.tmpl",
            &c,
            false,
        )?);
    }
    out.push(file(
        "systemd/kd-restore-test.service",
        "backup/files/systemd/restore-test.service.tmpl",
        &ctx,
        false,
    )?);
    for (id, unit, service, desc) in [
        (
            "restore-test",
            "kd-restore-test.timer",
            "kd-restore-test.service",
            "kd-backup restore test",
        ),
        (
            "check",
            "kd-backup-check.timer",
            "kd-backup-check.service",
            "kd-backup health check",
        ),
    ] {
        if let Some(j) = p.jobs.iter().find(|j| j.id == id) {
            let mut c = ctx.clone();
            c["job"] = serde_json::to_value(j).map_err(|e| KdError::Internal(e.to_string()))?;
            c["unit_name"] = json!(unit);
            c["service"] = json!(service);
            c["description"] = json!(format!("{desc} ({})", j.when));
            out.push(file(
                &format!("systemd/{unit}"),
                "backup/files/systemd/job.timer.tmpl",
                &c,
                false,
            )?);
        }
    }
    out.push(file(
        "systemd/kd-backup-check.service",
        "backup/files/systemd/check.service.tmpl",
        &ctx,
        false,
    )?);
    out.push(file(
        "cron/kd-backup",
        "backup/files/crontab.tmpl",
        &ctx,
        false,
    )?);
    out.push(file(
        "monitoring/kd-backup-alerts.yml",
        "backup/files/kd-backup-alerts.yml.tmpl",
        &ctx,
        false,
    )?);
    Ok(out)
}

//! Every generated file checked by the tool that reads it: shell scripts by `bash -n` and
//! shellcheck, systemd timers and services by `systemd-analyze calendar` / `verify`, cron lines
//! by their field count, alert rules by `promtool check rules` and by `promtool test rules`
//! (the alerts fire at their thresholds and not before), the S3 lifecycle rule as JSON. Plans
//! cover every engine, tool and target kind.

#[path = "ops_support/mod.rs"]
mod ops;

use ops::{Scratch, have_tools, ok, run};
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;

/// One plan per engine, tool and kind of target.
fn variants(s: &Scratch) -> Vec<(String, serde_json::Value)> {
    let base = |extra: serde_json::Value| {
        let mut v = json!({"rpo": "15m", "rto": "1h", "retention": "30d"});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let raw = vec![
        (
            "pg-basebackup",
            base(
                json!({"engine": "postgres", "size": "5GB", "target": "/backups/pg", "verify_tables": ["public.orders"]}),
            ),
        ),
        (
            "pg-basebackup-enc",
            base(
                json!({"engine": "postgres", "size": "5GB", "target": "/backups/pg", "encrypt": true}),
            ),
        ),
        (
            "pg-pgbackrest-s3",
            base(json!({"engine": "postgres", "size": "200GB", "target": "s3://bucket/pg"})),
        ),
        (
            "pg-pgbackrest-minio",
            base(
                json!({"engine": "postgres", "size": "200GB", "target": "s3://bucket/pg?endpoint=minio:9000&region=eu-1"}),
            ),
        ),
        (
            "pg-pgbackrest-ssh",
            base(
                json!({"engine": "postgres", "size": "200GB", "target": "ssh://backup@vault/srv/pg"}),
            ),
        ),
        (
            "pg-pgbackrest-local",
            base(json!({"engine": "postgres", "size": "200GB", "target": "/backups/pg"})),
        ),
        (
            "pg-walg-k8s",
            base(
                json!({"engine": "postgres", "size": "200GB", "rto": "2h", "target": "s3://bucket/pg", "hosting": "kubernetes"}),
            ),
        ),
        (
            "pg-walg-diff",
            base(
                json!({"engine": "postgres", "size": "4TB", "rto": "12h", "target": "s3://bucket/pg", "hosting": "kubernetes"}),
            ),
        ),
        (
            "pg-dump",
            base(
                json!({"engine": "postgres", "size": "5GB", "rpo": "24h", "target": "/backups/pg"}),
            ),
        ),
        (
            "pg-rds",
            base(
                json!({"engine": "postgres", "size": "50GB", "rpo": "1h", "rto": "2h", "target": "s3://bucket/exports", "hosting": "rds", "host": "db.example.rds.amazonaws.com"}),
            ),
        ),
        (
            "pg-azure",
            base(
                json!({"engine": "postgres", "size": "200GB", "target": "s3://bucket/pg", "hosting": "azure", "host": "pg.example.azure.com"}),
            ),
        ),
        (
            "maria-dump",
            base(
                json!({"engine": "mariadb", "size": "10GB", "rto": "4h", "target": "/backups/my", "database": "shop"}),
            ),
        ),
        (
            "maria-backup",
            base(
                json!({"engine": "mariadb", "size": "500GB", "rto": "4h", "target": "/backups/my", "database": "shop"}),
            ),
        ),
        (
            "maria-backup-s3",
            base(
                json!({"engine": "mariadb", "size": "500GB", "rto": "4h", "target": "s3://bucket/my", "database": "shop", "encrypt": true}),
            ),
        ),
        (
            "mysql8-xtrabackup",
            base(
                json!({"engine": "mysql", "version": "8.0", "size": "500GB", "rto": "4h", "target": "/backups/my", "database": "shop"}),
            ),
        ),
        (
            "mysql57-dump",
            base(
                json!({"engine": "mysql", "version": "5.7", "size": "5GB", "rto": "4h", "target": "/backups/my", "database": "shop"}),
            ),
        ),
        (
            "mysql-cloudsql",
            base(
                json!({"engine": "mysql", "size": "50GB", "rpo": "1h", "rto": "4h", "target": "s3://bucket/my", "hosting": "cloud_sql", "host": "10.0.0.5", "database": "shop"}),
            ),
        ),
        (
            "sqlite",
            base(
                json!({"engine": "sqlite", "size": "2GB", "rpo": "6h", "target": "/backups/app", "database": "/var/lib/app/app.db"}),
            ),
        ),
        (
            "sqlite-litestream",
            base(
                json!({"engine": "sqlite", "size": "2GB", "target": "s3://bucket/app", "database": "/var/lib/app/app.db"}),
            ),
        ),
        (
            "redis",
            base(
                json!({"engine": "redis", "size": "4GB", "rpo": "1h", "rto": "30m", "target": "/backups/redis"}),
            ),
        ),
        (
            "redis-ssh",
            base(
                json!({"engine": "redis", "size": "4GB", "rpo": "1h", "rto": "30m", "target": "ssh://vault/srv/redis"}),
            ),
        ),
        (
            "mongo-dump",
            base(
                json!({"engine": "mongodb", "size": "50GB", "rpo": "24h", "rto": "4h", "target": "/backups/mongo"}),
            ),
        ),
        (
            "mongo-pbm",
            base(
                json!({"engine": "mongodb", "size": "500GB", "rto": "12h", "target": "s3://bucket/mongo"}),
            ),
        ),
    ];
    raw.into_iter()
        .map(|(name, mut v)| {
            // Scripts are "installed" where the files are written, so unit files point at them.
            v["bin_dir"] = json!(s.s(&format!("{name}/bin")));
            v["config_dir"] = json!(s.s(&format!("{name}/etc")));
            (name.to_string(), v)
        })
        .collect()
}

fn write_all(s: &Scratch) -> Vec<(String, kd_dba::backup::BackupReport)> {
    variants(s)
        .into_iter()
        .map(|(name, v)| {
            let rep = ops::backup_plan(v, &s.path(&name));
            (name, rep)
        })
        .collect()
}

fn files_with(
    s: &Scratch,
    reps: &[(String, kd_dba::backup::BackupReport)],
    pred: impl Fn(&str) -> bool,
) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for (name, rep) in reps {
        for f in &rep.files {
            if pred(&f.path) {
                v.push(s.path(name).join(&f.path));
            }
        }
    }
    v
}

fn rep_user(name: &str) -> &'static str {
    match name.split('-').next().unwrap() {
        "pg" => "postgres",
        "maria" | "mysql8" | "mysql57" | "mysql" => "mysql",
        "redis" => "redis",
        "mongo" => "mongodb",
        _ => "root",
    }
}

#[test]
fn every_generated_shell_script_passes_bash_n_and_shellcheck() {
    let s = Scratch::new("files-sh");
    let reps = write_all(&s);
    let scripts = files_with(&s, &reps, |p| p.ends_with(".sh"));
    assert!(scripts.len() >= 23 * 4, "{} scripts", scripts.len());
    for f in &scripts {
        let out = run(Command::new("bash").arg("-n").arg(f));
        assert!(out.status.success(), "bash -n {}", f.display());
        // Executable bit as written by --out (the sourced library is not run by itself).
        use std::os::unix::fs::PermissionsExt;
        let x = std::fs::metadata(f).unwrap().permissions().mode() & 0o111;
        let lib = f.ends_with("kd-backup-lib.sh");
        assert_eq!(x, if lib { 0 } else { 0o111 }, "{}", f.display());
    }
    if !have_tools(&["shellcheck"], "checking the generated scripts") {
        return;
    }
    // Many plans share scripts byte for byte: check each distinct script once.
    let mut seen = std::collections::HashSet::new();
    let distinct: Vec<&PathBuf> = scripts
        .iter()
        .filter(|f| seen.insert(std::fs::read(f).unwrap()))
        .collect();
    eprintln!("{} scripts, {} distinct", scripts.len(), distinct.len());
    // -x follows `. kd-backup-lib.sh`, so variables and helpers defined there are known.
    let out = run(Command::new("shellcheck").arg("-x").args(&distinct));
    assert!(
        out.status.success(),
        "shellcheck findings:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn schedules_parse_as_systemd_calendars_units_and_cron_lines() {
    let s = Scratch::new("files-sched");
    let reps = write_all(&s);
    for (name, rep) in &reps {
        let cron = std::fs::read_to_string(s.path(name).join("cron/kd-backup")).unwrap();
        let lines: Vec<&str> = cron
            .lines()
            .filter(|l| !l.starts_with('#') && !l.contains('=') && !l.trim().is_empty())
            .collect();
        assert_eq!(
            lines.len(),
            rep.schedule.len(),
            "{name}: one cron line per job\n{cron}"
        );
        for (l, j) in lines.iter().zip(&rep.schedule) {
            let fields: Vec<&str> = l.split_whitespace().collect();
            assert!(fields.len() >= 7, "{name}: {l}");
            assert_eq!(fields[..5].join(" "), j.cron, "{name}");
            assert_eq!(fields[5], rep_user(name), "{name}: {l}");
            let command = fields[6..].join(" ");
            assert_eq!(command.split(" 2>&1").next().unwrap(), j.command, "{name}");
        }
    }
    if !have_tools(&["systemd-analyze"], "checking the systemd units") {
        return;
    }
    let mut calendars: Vec<String> = reps
        .iter()
        .flat_map(|(_, r)| r.schedule.iter().map(|j| j.on_calendar.clone()))
        .collect();
    calendars.sort();
    calendars.dedup();
    for c in &calendars {
        ok(Command::new("systemd-analyze").args(["calendar", c]));
    }
    for (name, rep) in &reps {
        let dir = s.path(name).join("systemd");
        // Instantiate the template service once per backup job, then verify every unit.
        let template = std::fs::read_to_string(dir.join("kd-backup@.service")).unwrap();
        let mut units = Vec::new();
        for j in rep
            .schedule
            .iter()
            .filter(|j| j.id != "check" && j.id != "restore-test")
        {
            let p = dir.join(format!("kd-backup@{}.service", j.id));
            std::fs::write(&p, template.replace("%i", &j.id)).unwrap();
            units.push(p);
            units.push(dir.join(format!("kd-backup-{}.timer", j.id)));
        }
        for u in [
            "kd-restore-test.service",
            "kd-restore-test.timer",
            "kd-backup-check.service",
            "kd-backup-check.timer",
        ] {
            units.push(dir.join(u));
        }
        let out = run(Command::new("systemd-analyze")
            .arg("verify")
            .args(&units)
            .current_dir(&dir));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !err.contains("Failed to parse"),
            "{name}: {err}"
        );
    }
}

#[test]
fn alert_rules_load_in_promtool_and_fire_at_their_thresholds() {
    let s = Scratch::new("files-prom");
    let reps = write_all(&s);
    for (name, rep) in &reps {
        let f = s.path(name).join("etc/s3-lifecycle.json");
        if f.exists() {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            assert!(
                v["Rules"][0]["Expiration"]["Days"].as_u64().unwrap() > rep.retention_days,
                "{name}"
            );
        }
    }
    if !have_tools(&["promtool"], "checking the alert rules") {
        return;
    }
    let rules = files_with(&s, &reps, |p| p.ends_with("kd-backup-alerts.yml"));
    assert_eq!(rules.len(), reps.len());
    for r in &rules {
        ok(Command::new("promtool").arg("check").arg("rules").arg(r));
    }
    // pg_basebackup plan: full backups daily (critical after 2 d 2 h), archive lag critical at
    // the RPO (15 min), check critical after 10 min.
    let (_, rep) = &reps[0];
    let dir = s.path("pg-basebackup/monitoring");
    let full = rep.schedule.iter().find(|j| j.id == "full").unwrap();
    assert_eq!(full.every_s, 86400);
    let test = r#"rule_files: [kd-backup-alerts.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'kd_backup_last_success_timestamp_seconds{kind="full", instance="db1"}'
        values: '0+0x4400'
      - series: 'kd_backup_archive_lag_seconds{instance="db1"}'
        values: '0x30 1200x30'
      - series: 'kd_backup_check_status{instance="db1"}'
        values: '0x30 2x30'
    alert_rule_test:
      - eval_time: 1h
        alertname: KdBackupFullLate
        exp_alerts: []
      - eval_time: 50h
        alertname: KdBackupFullLate
        exp_alerts: []
      - eval_time: 52h
        alertname: KdBackupFullLate
        exp_alerts:
          - exp_labels: {severity: critical, kind: full, instance: db1}
            exp_annotations:
              summary: "No good full backup for 2 d 2 h on db1"
              description: "kd-backup.sh full last succeeded 2d 4h 0m 0s ago. Read the job's journal (journalctl -u kd-backup@full) and run it by hand."
      - eval_time: 25m
        alertname: KdBackupArchiveLag
        exp_alerts: []
      - eval_time: 45m
        alertname: KdBackupArchiveLag
        exp_alerts:
          - exp_labels: {severity: critical, instance: db1}
            exp_annotations:
              summary: "The oldest unarchived WAL segment waits longer than the RPO allows (900 s)"
      - eval_time: 35m
        alertname: KdBackupCheckCritical
        exp_alerts: []
      - eval_time: 55m
        alertname: KdBackupCheckCritical
        exp_alerts:
          - exp_labels: {severity: critical, instance: db1}
            exp_annotations:
              summary: "kd-check-backup.sh reports CRITICAL on db1: run it by hand for the reason"
"#;
    std::fs::write(dir.join("test.yml"), test).unwrap();
    let out = run(Command::new("promtool")
        .args(["test", "rules", "test.yml"])
        .current_dir(&dir));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

//! `KD-db-backup`: a backup and recovery plan whose numbers are shown, and the files that carry
//! it out (configuration, backup/restore/restore-test/check scripts, cron and systemd schedules,
//! alert rules, a runbook), for PostgreSQL, MySQL/MariaDB, SQLite, MongoDB and Redis.
//!
//! The engine computes everything (`plan.rs`: tool choice, schedule, RPO/RTO/storage arithmetic,
//! risks; `managed.rs`: what RDS / Aurora / Cloud SQL / Azure do and do not do); `files.rs` hands
//! the computed values to the templates under `templates/backup/files/`, which only lay them out.

pub mod cli;
mod files;
mod managed;
mod plan;
pub mod target;

use crate::error::KdError;
use crate::role::handoff::{Artifact, ArtifactKind, HandoffRequest, TargetRole};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use plan::{Inputs, Tool};
pub use target::Target;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BackupEngine {
    #[serde(alias = "postgresql", alias = "pg")]
    Postgres,
    Mysql,
    Mariadb,
    Sqlite,
    #[serde(alias = "mongo")]
    Mongodb,
    Redis,
}

impl BackupEngine {
    pub fn name(self) -> &'static str {
        match self {
            BackupEngine::Postgres => "PostgreSQL",
            BackupEngine::Mysql => "MySQL",
            BackupEngine::Mariadb => "MariaDB",
            BackupEngine::Sqlite => "SQLite",
            BackupEngine::Mongodb => "MongoDB",
            BackupEngine::Redis => "Redis",
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            BackupEngine::Postgres => "postgres",
            BackupEngine::Mysql => "mysql",
            BackupEngine::Mariadb => "mariadb",
            BackupEngine::Sqlite => "sqlite",
            BackupEngine::Mongodb => "mongodb",
            BackupEngine::Redis => "redis",
        }
    }
}

impl std::str::FromStr for BackupEngine {
    type Err = KdError;
    fn from_str(s: &str) -> Result<Self, KdError> {
        serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase())).map_err(
            |_| {
                KdError::invalid(format!(
                    "engine: `{s}` is not supported; use postgres, mysql, mariadb, sqlite, mongodb or redis"
                ))
            },
        )
    }
}

// Where the database runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Hosting {
    #[default]
    #[serde(alias = "bare_metal", alias = "baremetal", alias = "host")]
    Vm,
    #[serde(alias = "k8s")]
    Kubernetes,
    Rds,
    Aurora,
    #[serde(alias = "cloudsql", alias = "gcp")]
    CloudSql,
    #[serde(alias = "azure_database")]
    Azure,
}

impl Hosting {
    pub fn is_managed(self) -> bool {
        matches!(
            self,
            Hosting::Rds | Hosting::Aurora | Hosting::CloudSql | Hosting::Azure
        )
    }
    pub fn name(self) -> &'static str {
        match self {
            Hosting::Vm => "VM or bare metal",
            Hosting::Kubernetes => "Kubernetes",
            Hosting::Rds => "Amazon RDS",
            Hosting::Aurora => "Amazon Aurora",
            Hosting::CloudSql => "Google Cloud SQL",
            Hosting::Azure => "Azure Database (flexible server)",
        }
    }
}

impl std::str::FromStr for Hosting {
    type Err = KdError;
    fn from_str(s: &str) -> Result<Self, KdError> {
        serde_json::from_value(serde_json::Value::String(
            s.trim().to_ascii_lowercase().replace('-', "_"),
        ))
        .map_err(|_| {
            KdError::invalid(format!(
                "hosting: `{s}` is not known; use vm, bare_metal, kubernetes, rds, aurora, cloud_sql or azure"
            ))
        })
    }
}

/// Sizes are binary (1 GB = 1024 MB).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupRequest {
    pub engine: BackupEngine,
    /// e.g. "16", "10.11"
    pub version: Option<String>,
    /// Data size, e.g. "200GB"
    pub size: String,
    /// e.g. "5GB/month"
    pub growth: Option<String>,
    /// WAL/binlog volume, e.g. "20GB/day"
    pub change_rate: Option<String>,
    /// Max data loss, e.g. "15m"
    pub rpo: String,
    /// Max restore time, e.g. "1h"
    pub rto: String,
    /// /path, s3://bucket/prefix[?endpoint=&region=], ssh://user@host/path
    pub target: String,
    /// Default "30d"
    pub retention: Option<String>,
    pub encrypt: Option<bool>,
    /// vm, kubernetes, rds, aurora, cloud_sql, azure
    pub hosting: Option<Hosting>,
    /// Force a tool, e.g. pgbackrest, wal-g, pg_basebackup, mariabackup
    pub tool: Option<String>,
    /// Database name; SQLite: file path
    pub database: Option<String>,
    /// Tables the restore test checksums
    #[serde(default)]
    pub verify_tables: Vec<String>,
    pub data_dir: Option<String>,
    /// Endpoint (managed services)
    pub host: Option<String>,
    pub bin_dir: Option<String>,
    pub config_dir: Option<String>,
    /// Assumed compressed/raw ratio
    pub compression: Option<f64>,
    /// Assumed restore speed, e.g. "200MB/s"
    pub throughput: Option<String>,
}

// A generated file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct GenFile {
    // Path relative to the output directory.
    pub path: String,
    pub content: String,
    // Install with mode 0755.
    pub executable: bool,
}

// The tool and why.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ToolChoice {
    pub name: String,
    pub method: String,
    pub reasons: Vec<String>,
    // Other tools and when they fit better.
    pub alternatives: Vec<String>,
}

// One scheduled job.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Job {
    pub id: String,
    pub when: String,
    // Seconds between runs.
    pub every_s: u64,
    // systemd OnCalendar expression.
    pub on_calendar: String,
    pub cron: String,
    pub command: String,
}

// A target (RPO or RTO) against the plan's estimate, with the arithmetic.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Objective {
    pub target_s: u64,
    pub estimate_s: u64,
    pub meets: bool,
    pub steps: Vec<String>,
}

// Storage the retention needs.
#[derive(Debug, Clone, Serialize, JsonSchema, Default)]
pub struct Storage {
    pub full_bytes: u64,
    pub full_count: u64,
    pub differential_bytes: u64,
    pub differential_count: u64,
    pub incremental_bytes: u64,
    pub incremental_count: u64,
    // WAL / binlog / oplog kept.
    pub log_bytes: u64,
    pub total_bytes: u64,
    pub total_in_12_months_bytes: u64,
    // Local staging copy when the target is remote.
    pub local_bytes: u64,
    pub steps: Vec<String>,
}

// Something that breaks the promise, and what guards against it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Risk {
    pub risk: String,
    pub guard: String,
}

// What a managed service does and does not do.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Managed {
    pub platform: String,
    pub does: Vec<String>,
    pub does_not: Vec<String>,
    pub add: Vec<String>,
}

// Output of `KD-db-backup`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BackupReport {
    pub engine: String,
    pub hosting: String,
    pub target: String,
    pub retention_days: u64,
    pub encrypted: bool,
    #[schemars(with = "serde_json::Value")]
    pub tool: ToolChoice,
    #[schemars(with = "serde_json::Value")]
    pub schedule: Vec<Job>,
    pub rpo: Objective,
    pub rto: Objective,
    pub storage: Storage,
    // Both RPO and RTO are met.
    pub meets: bool,
    // What would meet the targets when they are not met.
    pub to_meet: Vec<String>,
    #[schemars(with = "serde_json::Value")]
    pub risks: Vec<Risk>,
    pub assumptions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub managed: Option<Managed>,
    pub files: Vec<GenFile>,
    // Set by the CLI when the files were written to a directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_to: Option<String>,
    // Ready for `KD-db-handoff` to [DEVOPS], unchanged.
    #[schemars(with = "serde_json::Value")]
    pub handoff: HandoffRequest,
}

/// Build the plan and its files.
pub fn backup(req: &BackupRequest) -> Result<BackupReport, KdError> {
    let inputs = Inputs::from_request(req)?;
    let p = plan::plan(&inputs)?;
    let managed = managed::notes(&inputs);
    let files = files::generate(&inputs, &p)?;
    let handoff = handoff_request(&inputs, &p, &files);
    Ok(BackupReport {
        engine: inputs.engine_label(),
        hosting: inputs.hosting.name().to_string(),
        target: inputs.target.display(),
        retention_days: inputs.retention_days,
        encrypted: inputs.encrypt,
        tool: p.tool_choice.clone(),
        schedule: p.jobs.clone(),
        rpo: p.rpo.clone(),
        rto: p.rto.clone(),
        storage: p.storage.clone(),
        meets: p.rpo.meets && p.rto.meets,
        to_meet: p.to_meet.clone(),
        risks: p.risks.clone(),
        assumptions: p.assumptions.clone(),
        managed,
        files,
        written_to: None,
        handoff,
    })
}

/// Artifact kind of a generated file, by where it lives.
fn artifact_kind(path: &str) -> ArtifactKind {
    if path == "RUNBOOK.md" {
        ArtifactKind::RestoreRunbook
    } else if path.starts_with("systemd/") || path.starts_with("cron/") {
        ArtifactKind::Schedule
    } else if path.starts_with("monitoring/") || path.ends_with("kd-check-backup.sh") {
        ArtifactKind::Monitoring
    } else if path.ends_with("kd-restore.sh")
        || path.ends_with("kd-restore-test.sh")
        || path.ends_with("kd-restore-wal.sh")
    {
        ArtifactKind::RestoreRunbook
    } else {
        ArtifactKind::BackupPlan
    }
}

fn handoff_request(inputs: &Inputs, p: &plan::Plan, files: &[GenFile]) -> HandoffRequest {
    let artifacts = files
        .iter()
        .map(|f| Artifact {
            kind: artifact_kind(&f.path),
            title: Some(f.path.clone()),
            path: Some(f.path.clone()),
            content: Some(f.content.clone()),
            description: None,
        })
        .collect();
    let mut decisions = vec![
        format!(
            "{} with {}: {}",
            inputs.engine_label(),
            p.tool_choice.name,
            p.tool_choice.method
        ),
        format!(
            "RPO {} (estimate {}), RTO {} (estimate {})",
            crate::units::human_duration(p.rpo.target_s as f64),
            crate::units::human_duration(p.rpo.estimate_s as f64),
            crate::units::human_duration(p.rto.target_s as f64),
            crate::units::human_duration(p.rto.estimate_s as f64),
        ),
        format!(
            "retention {} days at {}, {} needed now",
            inputs.retention_days,
            inputs.target.display(),
            crate::units::human_bytes(p.storage.total_bytes as f64)
        ),
    ];
    for j in &p.jobs {
        decisions.push(format!("schedule {}: {}", j.id, j.when));
    }
    let mut open_questions = Vec::new();
    if inputs.change_assumed {
        open_questions
            .push("Measure the real WAL/binlog volume per day; the plan assumed one".to_string());
    }
    if inputs.encrypt {
        open_questions.push(
            "Where is the encryption key kept (secret manager), apart from the backups?".into(),
        );
    }
    let mut blockers = Vec::new();
    if !p.rpo.meets {
        blockers.push(format!(
            "RPO not met: {}",
            p.to_meet.first().cloned().unwrap_or_default()
        ));
    }
    if !p.rto.meets {
        blockers.push(format!(
            "RTO not met: {}",
            p.to_meet.last().cloned().unwrap_or_default()
        ));
    }
    HandoffRequest {
        to: TargetRole::Devops,
        stage: Some("Implementation → Deployment".into()),
        summary: format!(
            "Backup and recovery for {} ({}): {} to {}, retention {} days; scripts, schedules, restore test, monitoring checks and a restore runbook.",
            inputs.engine_label(),
            inputs.hosting.name(),
            p.tool_choice.name,
            inputs.target.display(),
            inputs.retention_days
        ),
        artifacts,
        decisions,
        open_questions,
        blockers,
        next_actions: vec![
            "Install the files (paths in RUNBOOK.md), enable the timers or the cron file".into(),
            "Run kd-backup.sh full once, then kd-restore-test.sh, and keep its output".into(),
            "Load monitoring/kd-backup-alerts.yml into Prometheus or wire kd-check-backup.sh into Nagios/Icinga".into(),
        ],
        done: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::handoff::handoff;

    fn req(v: serde_json::Value) -> BackupRequest {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_handoff_object_passes_the_devops_gate_unchanged() {
        let rep = backup(&req(serde_json::json!({
            "engine": "postgres", "size": "200GB", "growth": "5GB/month", "rpo": "15m",
            "rto": "1h", "target": "s3://bucket/pg", "retention": "30d"
        })))
        .unwrap();
        // Through JSON, as an assistant passes it to KD-db-handoff.
        let text = serde_json::to_string(&rep.handoff).unwrap();
        let h: HandoffRequest = serde_json::from_str(&text).unwrap();
        let out = handoff(&h, None).unwrap();
        assert_eq!(out.exit_gate.result, "PASS", "{:?}", out.exit_gate.checks);
        assert_eq!(out.to, "[DEVOPS]");
        let ids: Vec<&str> = out.checklist.iter().map(|c| c.id.as_str()).collect();
        for id in [
            "restore-test",
            "backup-alerts",
            "schedules-installed",
            "runbook-rehearsed",
            "checks-wired",
        ] {
            assert!(ids.contains(&id), "checklist lacks {id}: {ids:?}");
        }
        let kinds: std::collections::BTreeSet<String> = out
            .artifacts
            .iter()
            .map(|a| {
                serde_json::to_value(a.kind)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            kinds.into_iter().collect::<Vec<_>>(),
            ["backup_plan", "monitoring", "restore_runbook", "schedule"]
        );
        assert_eq!(out.artifacts.len(), rep.files.len());
        assert!(out.decisions.iter().any(|d| d.contains("pgBackRest")));
    }

    #[test]
    fn an_unmet_plan_hands_over_with_blockers_and_a_failed_gate() {
        let rep = backup(&req(serde_json::json!({
            "engine": "postgres", "size": "2TB", "rpo": "0", "rto": "5m", "target": "s3://b/p"
        })))
        .unwrap();
        assert!(!rep.meets);
        let out = handoff(&rep.handoff, None).unwrap();
        assert_eq!(out.exit_gate.result, "FAIL");
        assert!(
            out.exit_gate
                .checks
                .iter()
                .any(|c| c.id == "no-blockers" && !c.ok)
        );
    }

    #[test]
    fn every_engine_renders_its_report() {
        for (engine, extra) in [
            ("postgres", serde_json::json!({})),
            ("mariadb", serde_json::json!({"database": "shop"})),
            ("mysql", serde_json::json!({"version": "8.0.36"})),
            (
                "sqlite",
                serde_json::json!({"database": "/var/lib/app/app.db"}),
            ),
            ("mongodb", serde_json::json!({})),
            ("redis", serde_json::json!({})),
        ] {
            let mut v = serde_json::json!({
                "engine": engine, "size": "20GB", "rpo": "1h", "rto": "2h", "target": "/backups/x"
            });
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            let rep = backup(&req(v)).unwrap();
            let md = crate::render::render("backup/plan.md", &rep).unwrap();
            assert!(md.contains("### RPO"), "{engine}");
            assert!(md.contains("#### `RUNBOOK.md`"), "{engine}");
            let runbook = &rep
                .files
                .iter()
                .find(|f| f.path == "RUNBOOK.md")
                .unwrap()
                .content;
            assert!(runbook.contains("## 3. Restore"), "{engine}: {runbook}");
            // Only Prometheus annotations ({{ $labels.x }}, {{ $value }}) may remain.
            assert!(!md.contains("{%"), "{engine}: unrendered template syntax");
            for (k, _) in md.match_indices("{{") {
                assert!(
                    md[k + 2..].trim_start().starts_with('$'),
                    "{engine}: unrendered template syntax at {}",
                    &md[k..(k + 40).min(md.len())]
                );
            }
        }
    }
}

//! `KD-db-tune`: engine settings for a machine and a workload, each with its reasoning and how it
//! is applied (restart, reload, online, per connection), and — given the current settings — the
//! differences ranked by expected impact.
//!
//! * PostgreSQL follows PGTune's published formulas (`postgres.rs`, le0pard/pgtune
//!   `src/features/configuration/configurationSlice.js`, commit 7caef27).
//! * MySQL/MariaDB follow MySQL's `innodb_dedicated_server` sizing rules and the engines' own
//!   documentation (`mysql.rs`).
//! * SQLite sets the PRAGMAs that matter (`sqlite.rs`).
//!
//! `current.rs` reads current settings from a configuration file or from `SHOW ALL` /
//! `SHOW VARIABLES` / pg_settings output and compares values in the engine's units.

pub mod cli;
mod current;
mod mysql;
mod postgres;
mod sqlite;

use crate::backup::GenFile;
use crate::error::KdError;
use crate::role::handoff::{Artifact, ArtifactKind, HandoffRequest, TargetRole};
use crate::units::{human_bytes, parse_size};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

// Engine to tune.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TuneEngine {
    #[serde(alias = "postgresql", alias = "pg")]
    Postgres,
    Mysql,
    Mariadb,
    Sqlite,
}

impl TuneEngine {
    pub fn name(self) -> &'static str {
        match self {
            TuneEngine::Postgres => "PostgreSQL",
            TuneEngine::Mysql => "MySQL",
            TuneEngine::Mariadb => "MariaDB",
            TuneEngine::Sqlite => "SQLite",
        }
    }
}

// Storage under the data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    #[default]
    Ssd,
    Nvme,
    Hdd,
    #[serde(alias = "san", alias = "ebs")]
    Network,
}

// Workload type (PGTune's DB types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    #[default]
    Web,
    Oltp,
    #[serde(alias = "data_warehouse", alias = "datawarehouse", alias = "analytics")]
    Dw,
    Mixed,
    Desktop,
}

// Operating system (PGTune adjusts a few limits for Windows and macOS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    #[default]
    Linux,
    Windows,
    #[serde(alias = "macos")]
    Mac,
}

/// Sizes are binary (1 GB = 1024 MB).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TuneRequest {
    pub engine: TuneEngine,
    /// e.g. "16", "10.11", "8.0.36"
    pub version: Option<String>,
    /// e.g. "64GB"
    pub ram: String,
    pub cores: Option<u32>,
    pub storage: Option<StorageKind>,
    pub workload: Option<Workload>,
    /// Max connections
    pub connections: Option<u32>,
    /// Total data size, e.g. "300GB"
    pub data_size: Option<String>,
    pub os: Option<Os>,
    /// Current settings: config file text, or SHOW ALL / SHOW VARIABLES output
    pub current: Option<String>,
}

// One proposed setting.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Setting {
    pub name: String,
    pub value: String,
    pub reason: String,
    // restart, reload, online, per connection, or persistent (SQLite journal_mode).
    pub apply: String,
    pub restart: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
}

// A difference from the current settings, ranked.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Change {
    pub rank: u32,
    pub name: String,
    pub current: String,
    pub proposed: String,
    // high, medium or low.
    pub impact: String,
    pub restart: bool,
    pub why: String,
}

// Output of `KD-db-tune`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TuneReport {
    pub engine: String,
    pub machine: String,
    pub settings: Vec<Setting>,
    // Differences from `current`, most impact first.
    pub changes: Vec<Change>,
    // Current settings that already match.
    pub unchanged: Vec<String>,
    pub warnings: Vec<String>,
    pub assumptions: Vec<String>,
    pub files: Vec<GenFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_to: Option<String>,
    // Ready for `KD-db-handoff` to [DEVOPS], unchanged.
    #[schemars(with = "serde_json::Value")]
    pub handoff: HandoffRequest,
}

/// The machine, parsed.
#[derive(Debug, Clone)]
pub struct Machine {
    pub engine: TuneEngine,
    pub version: Option<String>,
    /// (major, minor) when given.
    pub ver: Option<(u32, u32)>,
    pub ram: u64,
    pub cores: Option<u32>,
    pub storage: StorageKind,
    pub workload: Workload,
    pub connections: Option<u32>,
    pub data_size: Option<u64>,
    pub os: Os,
}

/// What an engine module returns.
pub struct Tuned {
    pub settings: Vec<Setting>,
    pub warnings: Vec<String>,
    pub assumptions: Vec<String>,
}

impl Machine {
    fn from_request(r: &TuneRequest) -> Result<Machine, KdError> {
        let ram = parse_size("ram", &r.ram)?;
        if ram < 64 * 1024 * 1024 {
            return Err(KdError::invalid(format!(
                "ram: {} is too little to tune for; give the memory available to the database, e.g. 8GB",
                human_bytes(ram as f64)
            )));
        }
        if ram > 64u64 << 40 {
            return Err(KdError::invalid(
                "ram: more than 64 TB; give the memory of one machine, e.g. 512GB",
            ));
        }
        if let Some(c) = r.cores
            && !(1..=1024).contains(&c)
        {
            return Err(KdError::invalid(format!(
                "cores: {c} is outside 1..1024; give the vCPUs the database may use"
            )));
        }
        if let Some(c) = r.connections
            && !(1..=100_000).contains(&c)
        {
            return Err(KdError::invalid(format!(
                "connections: {c} is outside 1..100000; give the maximum number of client connections"
            )));
        }
        let ver = match &r.version {
            Some(v) => {
                let mut it = v.trim().split(['.', '-', ' ']);
                let major = it.next().and_then(|m| m.parse::<u32>().ok()).ok_or_else(|| {
                    KdError::invalid(format!(
                        "version: `{v}` has no major version number; write it as 16, 10.11 or 8.0.36"
                    ))
                })?;
                let minor = it.next().and_then(|m| m.parse::<u32>().ok()).unwrap_or(0);
                Some((major, minor))
            }
            None => None,
        };
        let data_size = match &r.data_size {
            Some(d) => Some(parse_size("data_size", d)?),
            None => None,
        };
        Ok(Machine {
            engine: r.engine,
            version: r.version.clone(),
            ver,
            ram,
            cores: r.cores,
            storage: r.storage.unwrap_or_default(),
            workload: r.workload.unwrap_or_default(),
            connections: r.connections,
            data_size,
            os: r.os.unwrap_or_default(),
        })
    }

    fn summary(&self) -> String {
        format!(
            "{} RAM, {} cores, {} storage, {} workload, {} connections{}",
            human_bytes(self.ram as f64),
            self.cores.map_or("unknown".to_string(), |c| c.to_string()),
            postgres::storage_name(self.storage),
            postgres::workload_name(self.workload),
            self.connections
                .map_or("default".to_string(), |c| c.to_string()),
            self.data_size.map_or(String::new(), |d| format!(
                ", {} of data",
                human_bytes(d as f64)
            ))
        )
    }
}

/// Tune an engine for a machine.
pub fn tune(req: &TuneRequest) -> Result<TuneReport, KdError> {
    let m = Machine::from_request(req)?;
    let mut tuned = match m.engine {
        TuneEngine::Postgres => postgres::tune(&m)?,
        TuneEngine::Mysql | TuneEngine::Mariadb => mysql::tune(&m)?,
        TuneEngine::Sqlite => sqlite::tune(&m)?,
    };
    let (changes, unchanged) = match &req.current {
        Some(text) => {
            let cur = current::parse(m.engine, text)?;
            current::compare(m.engine, &m, &mut tuned.settings, &cur, &mut tuned.warnings)
        }
        None => (Vec::new(), Vec::new()),
    };
    let engine = match &m.version {
        Some(v) => format!("{} {}", m.engine.name(), v.trim()),
        None => m.engine.name().to_string(),
    };
    let ctx = serde_json::json!({
        "engine": engine,
        "machine": m.summary(),
        "settings": tuned.settings,
        "warnings": tuned.warnings,
    });
    let files = match m.engine {
        TuneEngine::Postgres => vec![
            GenFile {
                path: "tune/postgresql.tune.conf".into(),
                content: crate::render::render("tune/files/postgresql.tune.conf.tmpl", &ctx)?,
                executable: false,
            },
            GenFile {
                path: "tune/alter-system.sql".into(),
                content: crate::render::render("tune/files/alter-system.sql.tmpl", &ctx)?,
                executable: false,
            },
        ],
        TuneEngine::Mysql | TuneEngine::Mariadb => vec![GenFile {
            path: "tune/kd-tune.cnf".into(),
            content: crate::render::render("tune/files/kd-tune.cnf.tmpl", &ctx)?,
            executable: false,
        }],
        TuneEngine::Sqlite => vec![GenFile {
            path: "tune/pragmas.sql".into(),
            content: crate::render::render("tune/files/pragmas.sql.tmpl", &ctx)?,
            executable: false,
        }],
    };
    let handoff = handoff_request(&engine, &m, &tuned.settings, &changes, &files);
    Ok(TuneReport {
        engine,
        machine: m.summary(),
        settings: tuned.settings,
        changes,
        unchanged,
        warnings: tuned.warnings,
        assumptions: tuned.assumptions,
        files,
        written_to: None,
        handoff,
    })
}

fn handoff_request(
    engine: &str,
    m: &Machine,
    settings: &[Setting],
    changes: &[Change],
    files: &[GenFile],
) -> HandoffRequest {
    let restart: Vec<&str> = settings
        .iter()
        .filter(|s| s.restart)
        .map(|s| s.name.as_str())
        .collect();
    let mut decisions: Vec<String> = if changes.is_empty() {
        settings
            .iter()
            .map(|s| format!("{} = {}", s.name, s.value))
            .collect()
    } else {
        changes
            .iter()
            .map(|c| {
                format!(
                    "#{} {}: {} -> {} ({} impact)",
                    c.rank, c.name, c.current, c.proposed, c.impact
                )
            })
            .collect()
    };
    decisions.truncate(20);
    let mut next_actions = vec![format!(
        "Record latency and throughput (p50/p95, TPS) for a day before the change"
    )];
    if restart.is_empty() {
        next_actions.push("Apply the file and reload; no restart needed".into());
    } else {
        next_actions.push(format!(
            "Schedule a restart window: {} only take effect at restart",
            restart.join(", ")
        ));
    }
    next_actions
        .push("Compare the same figures a day after; roll back by removing the file".into());
    HandoffRequest {
        to: TargetRole::Devops,
        stage: Some("Implementation → Deployment".into()),
        summary: format!(
            "{engine} configuration for {}: {} settings{}.",
            m.summary(),
            settings.len(),
            if changes.is_empty() {
                String::new()
            } else {
                format!(", {} differ from the current configuration", changes.len())
            }
        ),
        artifacts: files
            .iter()
            .map(|f| Artifact {
                kind: ArtifactKind::TuneConfig,
                title: Some(f.path.clone()),
                path: Some(f.path.clone()),
                content: Some(f.content.clone()),
                description: None,
            })
            .collect(),
        decisions,
        open_questions: Vec::new(),
        blockers: Vec::new(),
        next_actions,
        done: Vec::new(),
    }
}

/// Helper for engine modules.
pub(crate) fn setting(
    name: &str,
    value: impl Into<String>,
    apply: &str,
    reason: String,
) -> Setting {
    Setting {
        name: name.to_string(),
        value: value.into(),
        reason,
        apply: apply.to_string(),
        restart: apply == "restart",
        current: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::handoff::handoff;

    #[test]
    fn the_handoff_object_passes_the_devops_gate_with_tune_checks() {
        let rep = tune(&TuneRequest {
            engine: TuneEngine::Postgres,
            version: Some("16".into()),
            ram: "64GB".into(),
            cores: Some(16),
            storage: Some(StorageKind::Ssd),
            workload: Some(Workload::Oltp),
            connections: Some(200),
            data_size: None,
            os: None,
            current: Some("shared_buffers = 128MB\nwork_mem = 4MB\n".into()),
        })
        .unwrap();
        let text = serde_json::to_string(&rep.handoff).unwrap();
        let h: HandoffRequest = serde_json::from_str(&text).unwrap();
        let out = handoff(&h, None).unwrap();
        assert_eq!(out.exit_gate.result, "PASS", "{:?}", out.exit_gate.checks);
        let ids: Vec<&str> = out.checklist.iter().map(|c| c.id.as_str()).collect();
        assert!(
            ids.contains(&"settings-applied") && ids.contains(&"before-after"),
            "{ids:?}"
        );
        assert_eq!(rep.changes[0].name, "shared_buffers");
        assert!(rep.changes[0].restart);
        assert!(
            out.next_actions
                .iter()
                .any(|a| a.contains("restart window") && a.contains("shared_buffers"))
        );
    }

    #[test]
    fn bad_inputs_are_clear_errors() {
        let mut r = TuneRequest {
            engine: TuneEngine::Postgres,
            version: None,
            ram: "lots".into(),
            cores: None,
            storage: None,
            workload: None,
            connections: None,
            data_size: None,
            os: None,
            current: None,
        };
        assert!(tune(&r).unwrap_err().to_string().starts_with("ram:"));
        r.ram = "16MB".into();
        assert!(tune(&r).unwrap_err().to_string().contains("too little"));
        r.ram = "16GB".into();
        r.version = Some("9.6".into());
        assert!(tune(&r).unwrap_err().to_string().starts_with("version:"));
        r.version = Some("16".into());
        r.cores = Some(0);
        assert!(tune(&r).unwrap_err().to_string().starts_with("cores:"));
        r.cores = Some(8);
        r.current = Some("# nothing but comments\n".into());
        assert!(tune(&r).unwrap_err().to_string().starts_with("current:"));
    }
}

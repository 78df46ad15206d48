//! `KD-db-handoff`: a structured handoff from [DBA] to [ARCH] (database architecture), [BACKEND]
//! (query optimization) or [DEVOPS] (database deployment).
//!
//! The record carries the stage, a summary, the artifacts (by path or inline), decisions, open
//! questions, blockers and next actions, the sender's exit gate (computed: are there artifacts,
//! can they be found, are there blockers ...) and the receiving role's checklist, derived from the
//! receiving role and the kinds of artifacts handed over.

use crate::error::KdError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Who receives the handoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TargetRole {
    /// [ARCH]: database architecture.
    #[serde(
        alias = "ARCH",
        alias = "[ARCH]",
        alias = "architect",
        alias = "architecture"
    )]
    Arch,
    /// [BACKEND]: query optimization in application code.
    #[serde(alias = "BACKEND", alias = "[BACKEND]")]
    Backend,
    /// [DEVOPS]: database deployment.
    #[serde(alias = "DEVOPS", alias = "[DEVOPS]", alias = "ops")]
    Devops,
}

impl TargetRole {
    pub fn prefix(self) -> &'static str {
        match self {
            TargetRole::Arch => "[ARCH]",
            TargetRole::Backend => "[BACKEND]",
            TargetRole::Devops => "[DEVOPS]",
        }
    }
    pub fn topic(self) -> &'static str {
        match self {
            TargetRole::Arch => "database architecture",
            TargetRole::Backend => "query optimization",
            TargetRole::Devops => "database deployment",
        }
    }
}

impl std::str::FromStr for TargetRole {
    type Err = KdError;
    fn from_str(s: &str) -> Result<Self, KdError> {
        match s
            .trim()
            .trim_matches(|c| c == '[' || c == ']')
            .to_ascii_lowercase()
            .as_str()
        {
            "arch" | "architect" | "architecture" => Ok(TargetRole::Arch),
            "backend" => Ok(TargetRole::Backend),
            "devops" | "ops" => Ok(TargetRole::Devops),
            other => Err(KdError::invalid(format!(
                "unknown receiving role `{other}`; use arch (database architecture), backend (query optimization) or devops (database deployment)"
            ))),
        }
    }
}

/// What an artifact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactKind {
    SchemaSql,
    Erd,
    Migration,
    IndexPlan,
    QueryRewrite,
    PerformanceAnalysis,
    BackupPlan,
    RestoreRunbook,
    TuneConfig,
    Monitoring,
    Schedule,
    OrmModels,
    Other,
}

/// One artifact handed over: a file path, inline content, or both.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Artifact {
    pub kind: ArtifactKind,
    /// Short title, e.g. "initial schema".
    #[serde(default)]
    pub title: Option<String>,
    /// Path of the file, relative to the project.
    #[serde(default)]
    pub path: Option<String>,
    /// Inline content (SQL, config ...), when there is no file.
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Input of `KD-db-handoff`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct HandoffRequest {
    /// Receiving role: `arch`, `backend` or `devops`.
    pub to: TargetRole,
    /// Workflow stage, e.g. "Architecture → Implementation".
    #[serde(default)]
    pub stage: Option<String>,
    /// What the [DBA] work produced, in a few sentences.
    pub summary: String,
    #[serde(default)]
    pub artifacts: Vec<Artifact>,
    #[serde(default)]
    pub decisions: Vec<String>,
    #[serde(default)]
    pub open_questions: Vec<String>,
    #[serde(default)]
    pub blockers: Vec<String>,
    #[serde(default)]
    pub next_actions: Vec<String>,
    /// IDs of receiving-checklist items already done (e.g. `restore-test`).
    #[serde(default)]
    pub done: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ArtifactOut {
    pub kind: ArtifactKind,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Whether the path exists where the server runs (`null` when no path was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    /// Size of the file or of the inline content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct GateCheck {
    pub id: String,
    pub check: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Gate {
    /// `PASS` or `FAIL`.
    pub result: String,
    pub checks: Vec<GateCheck>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ChecklistItem {
    pub id: String,
    pub item: String,
    /// `done` or `pending`.
    pub status: String,
    /// The artifact kind the item comes from, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<ArtifactKind>,
}

/// The handoff record.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct HandoffReport {
    pub from: String,
    pub to: String,
    /// What the receiving role takes over.
    pub topic: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    pub summary: String,
    pub artifacts: Vec<ArtifactOut>,
    pub decisions: Vec<String>,
    pub open_questions: Vec<String>,
    pub blockers: Vec<String>,
    pub next_actions: Vec<String>,
    /// The sender's exit gate.
    pub exit_gate: Gate,
    /// What the receiving role must confirm before its own exit gate.
    pub checklist: Vec<ChecklistItem>,
}

fn kind_title(k: ArtifactKind) -> &'static str {
    match k {
        ArtifactKind::SchemaSql => "schema definition (SQL)",
        ArtifactKind::Erd => "ERD diagram",
        ArtifactKind::Migration => "migration scripts",
        ArtifactKind::IndexPlan => "index strategy",
        ArtifactKind::QueryRewrite => "query rewrites",
        ArtifactKind::PerformanceAnalysis => "performance analysis",
        ArtifactKind::BackupPlan => "backup plan",
        ArtifactKind::RestoreRunbook => "restore runbook",
        ArtifactKind::TuneConfig => "configuration settings",
        ArtifactKind::Monitoring => "monitoring checks",
        ArtifactKind::Schedule => "schedules",
        ArtifactKind::OrmModels => "ORM models",
        ArtifactKind::Other => "artifact",
    }
}

/// Receiving checklist: items per role, then per artifact kind handed over.
fn checklist_for(
    to: TargetRole,
    kinds: &[ArtifactKind],
) -> Vec<(&'static str, &'static str, Option<ArtifactKind>)> {
    let mut v: Vec<(&'static str, &'static str, Option<ArtifactKind>)> = match to {
        TargetRole::Devops => vec![
            (
                "staging-rehearsal",
                "Apply the change to a staging copy of production data and time each step",
                None,
            ),
            (
                "pre-deploy-backup",
                "Take a backup right before deploying and confirm it restores",
                None,
            ),
            (
                "db-monitoring",
                "Alerts wired for connections, replication lag, disk and slow queries",
                None,
            ),
        ],
        TargetRole::Backend => vec![
            (
                "models-match",
                "ORM models and entities match the schema (types, nullability, keys)",
                None,
            ),
            (
                "bound-parameters",
                "Queries use bound parameters, never string-built SQL",
                None,
            ),
            ("query-tests", "Tests cover the queries that changed", None),
        ],
        TargetRole::Arch => vec![
            (
                "capacity",
                "Growth and capacity estimate reviewed (rows, bytes, QPS per table)",
                None,
            ),
            (
                "ha-topology",
                "High availability and replication topology decided",
                None,
            ),
            (
                "retention-privacy",
                "Data retention and personal-data handling decided",
                None,
            ),
        ],
    };
    let per_kind: &[(ArtifactKind, &str, &str)] = &[
        (
            ArtifactKind::Migration,
            "migration-timeouts",
            "Migration session sets lock_timeout and statement_timeout",
        ),
        (
            ArtifactKind::Migration,
            "non-transactional-steps",
            "Steps that cannot run in a transaction (CREATE INDEX CONCURRENTLY) run on their own",
        ),
        (
            ArtifactKind::Migration,
            "down-tested",
            "The down migration was run once; irreversible steps are acknowledged",
        ),
        (
            ArtifactKind::BackupPlan,
            "restore-test",
            "Restore test passed on a scratch instance, data verified",
        ),
        (
            ArtifactKind::BackupPlan,
            "backup-alerts",
            "Alerts wired: last good backup age, archive lag, failed archives",
        ),
        (
            ArtifactKind::Schedule,
            "schedules-installed",
            "Backup schedules installed (cron or systemd timers) and seen running",
        ),
        (
            ArtifactKind::RestoreRunbook,
            "runbook-rehearsed",
            "Point-in-time restore runbook rehearsed end to end",
        ),
        (
            ArtifactKind::TuneConfig,
            "settings-applied",
            "Settings applied; restart-only settings (shared_buffers) scheduled with a restart",
        ),
        (
            ArtifactKind::TuneConfig,
            "before-after",
            "Latency and throughput compared before and after the change",
        ),
        (
            ArtifactKind::Monitoring,
            "checks-wired",
            "Monitoring checks installed with their thresholds",
        ),
        (
            ArtifactKind::IndexPlan,
            "explain-confirmed",
            "EXPLAIN (ANALYZE, BUFFERS) confirms each new index is used",
        ),
        (
            ArtifactKind::IndexPlan,
            "write-cost",
            "Write latency checked on tables that gained indexes",
        ),
        (
            ArtifactKind::QueryRewrite,
            "same-rows",
            "Rewritten queries return the same rows as the originals (tests)",
        ),
        (
            ArtifactKind::QueryRewrite,
            "n-plus-one",
            "N+1 loops replaced by the batched query",
        ),
        (
            ArtifactKind::SchemaSql,
            "schema-applied",
            "Schema applied from the SQL as delivered, no hand edits",
        ),
        (
            ArtifactKind::Erd,
            "erd-reviewed",
            "ERD reviewed against the domain model",
        ),
        (
            ArtifactKind::PerformanceAnalysis,
            "findings-triaged",
            "Performance findings triaged with owners",
        ),
        (
            ArtifactKind::OrmModels,
            "orm-generated",
            "Generated ORM models compiled and checked by the framework's own tool",
        ),
    ];
    for (k, id, item) in per_kind {
        if kinds.contains(k) && !v.iter().any(|(i, _, _)| i == id) {
            v.push((id, item, Some(*k)));
        }
    }
    v
}

/// Build the handoff record.
pub fn handoff(req: &HandoffRequest, base_dir: Option<&Path>) -> Result<HandoffReport, KdError> {
    if req.summary.trim().is_empty() {
        return Err(KdError::invalid(
            "the handoff needs a summary: say in a few sentences what the [DBA] work produced",
        ));
    }
    let mut artifacts = Vec::new();
    for a in &req.artifacts {
        if a.path.is_none() && a.content.is_none() {
            return Err(KdError::invalid(format!(
                "artifact `{}` has neither a path nor inline content; give `path` (a file in the project) or `content`",
                a.title.as_deref().unwrap_or(kind_title(a.kind))
            )));
        }
        let (exists, bytes) = match &a.path {
            Some(p) => {
                let full = match base_dir {
                    Some(b) if Path::new(p).is_relative() => b.join(p),
                    _ => Path::new(p).to_path_buf(),
                };
                match std::fs::metadata(&full) {
                    Ok(m) => (Some(true), Some(m.len())),
                    Err(_) => (Some(false), a.content.as_ref().map(|c| c.len() as u64)),
                }
            }
            None => (None, a.content.as_ref().map(|c| c.len() as u64)),
        };
        artifacts.push(ArtifactOut {
            kind: a.kind,
            title: a
                .title
                .clone()
                .unwrap_or_else(|| kind_title(a.kind).to_string()),
            path: a.path.clone(),
            exists,
            bytes,
            content: a.content.clone(),
            description: a.description.clone(),
        });
    }
    let kinds: Vec<ArtifactKind> = artifacts.iter().map(|a| a.kind).collect();
    // Sender's exit gate.
    let mut checks = Vec::new();
    checks.push(GateCheck {
        id: "artifacts-produced".into(),
        check: "All artifacts produced".into(),
        ok: !artifacts.is_empty(),
        detail: format!("{} artifact(s)", artifacts.len()),
    });
    let missing: Vec<String> = artifacts
        .iter()
        .filter(|a| a.exists == Some(false) && a.content.is_none())
        .filter_map(|a| a.path.clone())
        .collect();
    checks.push(GateCheck {
        id: "artifacts-reachable".into(),
        check: "Every artifact can be found (file exists or content inline)".into(),
        ok: missing.is_empty(),
        detail: if missing.is_empty() {
            "all reachable".into()
        } else {
            format!("missing: {}", missing.join(", "))
        },
    });
    let needed: &[ArtifactKind] = match req.to {
        TargetRole::Devops => &[
            ArtifactKind::Migration,
            ArtifactKind::BackupPlan,
            ArtifactKind::TuneConfig,
            ArtifactKind::SchemaSql,
            ArtifactKind::RestoreRunbook,
            ArtifactKind::Monitoring,
            ArtifactKind::Schedule,
        ],
        TargetRole::Backend => &[
            ArtifactKind::SchemaSql,
            ArtifactKind::QueryRewrite,
            ArtifactKind::IndexPlan,
            ArtifactKind::OrmModels,
            ArtifactKind::PerformanceAnalysis,
            ArtifactKind::Migration,
        ],
        TargetRole::Arch => &[
            ArtifactKind::SchemaSql,
            ArtifactKind::Erd,
            ArtifactKind::PerformanceAnalysis,
            ArtifactKind::IndexPlan,
            ArtifactKind::BackupPlan,
        ],
    };
    let relevant = kinds.iter().any(|k| needed.contains(k));
    checks.push(GateCheck {
        id: "relevant-artifact".into(),
        check: format!(
            "At least one artifact {} needs for {}",
            req.to.prefix(),
            req.to.topic()
        ),
        ok: relevant,
        detail: format!(
            "expects one of: {}",
            needed
                .iter()
                .map(|k| kind_title(*k))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    checks.push(GateCheck {
        id: "no-blockers".into(),
        check: "No critical blockers".into(),
        ok: req.blockers.is_empty(),
        detail: if req.blockers.is_empty() {
            "none".into()
        } else {
            format!("{} open", req.blockers.len())
        },
    });
    checks.push(GateCheck {
        id: "decisions-recorded".into(),
        check: "Decisions recorded".into(),
        ok: !req.decisions.is_empty(),
        detail: format!("{} decision(s)", req.decisions.len()),
    });
    let pass = checks.iter().all(|c| c.ok);
    let checklist = checklist_for(req.to, &kinds)
        .into_iter()
        .map(|(id, item, artifact)| ChecklistItem {
            id: id.to_string(),
            item: item.to_string(),
            status: if req.done.iter().any(|d| d.eq_ignore_ascii_case(id)) {
                "done".into()
            } else {
                "pending".into()
            },
            artifact,
        })
        .collect();
    Ok(HandoffReport {
        from: "[DBA]".into(),
        to: req.to.prefix().into(),
        topic: req.to.topic().into(),
        stage: req.stage.clone(),
        summary: req.summary.trim().to_string(),
        artifacts,
        decisions: req.decisions.clone(),
        open_questions: req.open_questions.clone(),
        blockers: req.blockers.clone(),
        next_actions: req.next_actions.clone(),
        exit_gate: Gate {
            result: if pass { "PASS" } else { "FAIL" }.into(),
            checks,
        },
        checklist,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(to: TargetRole) -> HandoffRequest {
        HandoffRequest {
            to,
            stage: Some("Implementation → Deployment".into()),
            summary: "Orders schema and its migration are ready.".into(),
            artifacts: vec![Artifact {
                kind: ArtifactKind::Migration,
                title: None,
                path: None,
                content: Some("ALTER TABLE orders ADD COLUMN note text;".into()),
                description: None,
            }],
            decisions: vec!["bigint identity keys".into()],
            open_questions: vec![],
            blockers: vec![],
            next_actions: vec!["deploy".into()],
            done: vec!["down-tested".into()],
        }
    }

    #[test]
    fn devops_handoff_passes_and_lists_migration_checks() {
        let r = handoff(&req(TargetRole::Devops), None).unwrap();
        assert_eq!(r.exit_gate.result, "PASS");
        assert!(
            r.checklist
                .iter()
                .any(|c| c.id == "migration-timeouts" && c.status == "pending")
        );
        assert!(
            r.checklist
                .iter()
                .any(|c| c.id == "down-tested" && c.status == "done")
        );
    }

    #[test]
    fn blockers_and_missing_files_fail_the_gate() {
        let mut q = req(TargetRole::Backend);
        q.blockers.push("waiting for row counts".into());
        q.artifacts.push(Artifact {
            kind: ArtifactKind::SchemaSql,
            title: None,
            path: Some("does/not/exist.sql".into()),
            content: None,
            description: None,
        });
        let r = handoff(&q, None).unwrap();
        assert_eq!(r.exit_gate.result, "FAIL");
        let failed: Vec<&str> = r
            .exit_gate
            .checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(failed, vec!["artifacts-reachable", "no-blockers"]);
    }

    #[test]
    fn empty_summary_is_an_error() {
        let mut q = req(TargetRole::Arch);
        q.summary = " ".into();
        assert!(handoff(&q, None).is_err());
    }
}

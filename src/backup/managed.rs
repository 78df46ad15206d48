//! Managed services: what the platform does for backups, what it does not, and what to add.
//! Figures are the providers' documented limits at the time of writing; the report says to check
//! the tier in use.

use super::plan::Inputs;
use super::{BackupEngine, Hosting, Managed};

pub fn notes(i: &Inputs) -> Option<Managed> {
    if !i.hosting.is_managed() {
        return None;
    }
    let engine = i.engine.name();
    let (does, does_not, add): (Vec<String>, Vec<String>, Vec<String>) = match i.hosting {
        Hosting::Rds => (
            vec![
                "Takes a daily automated snapshot in the backup window and uploads transaction logs about every 5 minutes.".into(),
                "Restores to any second within the retention (1-35 days) — always into a new DB instance with a new endpoint.".into(),
                "Keeps manual snapshots until you delete them; can replicate automated backups to another region.".into(),
            ],
            vec![
                "Keep point-in-time recovery longer than 35 days.".into(),
                "Protect against deletion of the account, the instance with its automated backups, or the region, unless you set up cross-region or cross-account copies.".into(),
                "Test that a restore works and the data is right; restored volumes load lazily from S3, so the first queries are slow.".into(),
                format!("Give you a portable copy: snapshots restore only into RDS {engine}."),
            ],
            vec![
                "Cross-region automated backup replication, or AWS Backup copies to another account with a vault lock.".into(),
                "Weekly logical exports to your own bucket for long retention (the scripts below).".into(),
                "A weekly restore drill: aws rds restore-db-instance-to-point-in-time into a scratch instance, run the checks, delete it.".into(),
                "Deletion protection on, and 'retain automated backups' when an instance is deleted.".into(),
            ],
        ),
        Hosting::Aurora => (
            vec![
                "Backs up the cluster volume continuously to S3; restores to any second within the retention (1-35 days) into a new cluster.".into(),
                "Keeps manual cluster snapshots until you delete them.".into(),
            ],
            vec![
                "Keep point-in-time recovery longer than 35 days.".into(),
                "Protect against account or region loss without cross-region copies (or a Global Database).".into(),
                "Test restores for you.".into(),
            ],
            vec![
                "AWS Backup copies to another account and region, or an Aurora Global Database.".into(),
                "Weekly logical exports for long retention (the scripts below).".into(),
                "A weekly restore drill with aws rds restore-db-cluster-to-point-in-time.".into(),
            ],
        ),
        Hosting::CloudSql => (
            vec![
                "Takes daily automated backups (7 kept by default, configurable) and, with point-in-time recovery on, keeps the write-ahead / binary logs for 1-7 days (up to 35 on Enterprise Plus).".into(),
                "Restores by cloning to a point in time (a new instance) or by restoring a backup over an instance.".into(),
            ],
            vec![
                "Keep point-in-time recovery beyond the log retention.".into(),
                "Keep backups after the instance is deleted unless retained backups are enabled; protect against project loss.".into(),
                "Test restores for you.".into(),
            ],
            vec![
                "On-demand backups before risky changes, and retained backups on instance deletion.".into(),
                "Weekly logical exports to a bucket in another project/region (the scripts below, or gcloud sql export).".into(),
                "A weekly restore drill: gcloud sql instances clone --point-in-time into a scratch instance.".into(),
            ],
        ),
        Hosting::Azure => (
            vec![
                "Takes automated backups with point-in-time recovery for 7-35 days; geo-redundant backup storage if chosen when the server was created.".into(),
                "Restores into a new server (point-in-time or fastest restore point).".into(),
            ],
            vec![
                "Keep point-in-time recovery beyond 35 days (long-term retention is a separate feature).".into(),
                "Switch on geo-redundant backups after creation.".into(),
                "Test restores for you.".into(),
            ],
            vec![
                "Long-term retention or weekly logical exports to your own storage account (the scripts below).".into(),
                "A weekly restore drill: az postgres/mysql flexible-server restore into a scratch server.".into(),
            ],
        ),
        Hosting::Vm | Hosting::Kubernetes => return None,
    };
    let _ = matches!(i.engine, BackupEngine::Postgres);
    Some(Managed {
        platform: format!("{} for {engine}", i.hosting.name()),
        does,
        does_not,
        add,
    })
}

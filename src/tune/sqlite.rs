//! SQLite PRAGMAs that matter for throughput and for concurrent access.

use super::postgres::{storage_name, workload_name};
use super::{Machine, StorageKind, Tuned, Workload, setting};
use crate::error::KdError;
use crate::units::human_bytes;

const MIB: u64 = 1024 * 1024;

pub fn tune(m: &Machine) -> Result<Tuned, KdError> {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut assumptions = Vec::new();
    let w = m.workload;
    let conns = m.connections.unwrap_or(match w {
        Workload::Desktop => 1,
        Workload::Dw => 4,
        _ => 16,
    }) as u64;
    if m.connections.is_none() {
        assumptions.push(format!(
            "Connections not given: {conns} open connections assumed for the cache budget."
        ));
    }
    out.push(setting(
        "journal_mode",
        "WAL",
        "persistent",
        "Write-ahead logging: readers no longer block the writer nor the writer the readers, and commits need fewer syncs. Stored in the database file: set once.".into(),
    ));
    out.push(setting(
        "synchronous",
        "NORMAL",
        "per connection",
        "With WAL, NORMAL syncs at checkpoints instead of every commit: the database cannot be corrupted, but a power loss may undo the last transactions. Use FULL if every commit must survive a power cut.".into(),
    ));
    // Page cache per connection: an eighth of RAM shared by the connections, 2MiB..256MiB each.
    let per = (m.ram / 8 / conns).clamp(2 * MIB, 256 * MIB) / 1024 * 1024;
    out.push(setting(
        "cache_size",
        format!("-{}", per / 1024),
        "per connection",
        format!(
            "Negative means KiB: {} per connection (RAM / 8 / {conns} connections, within 2MiB..256MiB). Each connection has its own cache; the default is 2MiB.",
            human_bytes(per as f64)
        ),
    ));
    let mmap = if m.storage == StorageKind::Network {
        0
    } else {
        let limit = (m.ram / 4).min(1024 * MIB);
        match m.data_size {
            Some(d) => d.min(limit),
            None => limit,
        }
    };
    out.push(setting(
        "mmap_size",
        mmap.to_string(),
        "per connection",
        if mmap == 0 {
            warnings.push("SQLite on network storage: file locking over NFS/SMB is unreliable; keep the database on a local disk.".into());
            "0 on network storage: memory-mapped I/O over a network file system turns I/O errors into crashes.".into()
        } else {
            format!(
                "{}: reads go through the OS page cache without a copy (min(data size, RAM / 4, 1GiB)). An I/O error on a mapped page ends the process, so keep it off on unreliable storage.",
                human_bytes(mmap as f64)
            )
        },
    ));
    let busy = if w == Workload::Desktop { 2000 } else { 5000 };
    out.push(setting(
        "busy_timeout",
        busy.to_string(),
        "per connection",
        format!("Wait up to {busy} ms for a lock instead of failing at once with SQLITE_BUSY (\"database is locked\"); with WAL only writers wait for each other."),
    ));
    out.push(setting(
        "temp_store",
        "MEMORY",
        "per connection",
        "Temporary tables and indexes (ORDER BY, GROUP BY, DISTINCT without an index) in memory instead of temporary files.".into(),
    ));
    let ckpt = if w == Workload::Dw { 10000 } else { 1000 };
    out.push(setting(
        "wal_autocheckpoint",
        ckpt.to_string(),
        "per connection",
        if ckpt == 1000 {
            "1000 pages (the default, about 4MiB of WAL): short checkpoints keep the -wal file and read latency small.".into()
        } else {
            "10000 pages for bulk loads: fewer, larger checkpoints; the -wal file grows to about 40MiB between them.".into()
        },
    ));
    if m.storage == StorageKind::Hdd {
        assumptions.push(format!(
            "{} storage: every sync costs a seek; WAL with synchronous=NORMAL matters most here.",
            storage_name(m.storage)
        ));
    }
    assumptions.push(format!(
        "Workload {}: set the per-connection PRAGMAs in the application's connection setup (pool init hook), journal_mode once.",
        workload_name(w)
    ));
    Ok(Tuned {
        settings: out,
        warnings,
        assumptions,
    })
}

//! MySQL and MariaDB InnoDB settings.
//!
//! Buffer pool: MySQL's `innodb_dedicated_server` rule (MySQL 8.0/8.4 reference manual, "Enabling
//! Automatic InnoDB Configuration for a Dedicated MySQL Server"): under 1GiB of RAM 128MiB, up to
//! 4GiB half of RAM, above that three quarters. Redo log: MySQL ≥ 8.0.30 the same rule's
//! `innodb_redo_log_capacity` = (logical processors / 2) GB, at most 16GB; older MySQL its
//! `innodb_log_file_size` steps (512MB / 1GB / 2GB by buffer pool); MariaDB (one redo file since
//! 10.5) a quarter of the buffer pool within 256MiB..8GiB.

use super::postgres::{storage_name, workload_name};
use super::{Machine, StorageKind, TuneEngine, Tuned, Workload, setting};
use crate::error::KdError;
use crate::units::human_bytes;

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// MySQL/MariaDB size syntax: the largest of G/M/K that divides exactly.
pub fn my_size(b: u64) -> String {
    if b > 0 && b.is_multiple_of(GIB) {
        format!("{}G", b / GIB)
    } else if b > 0 && b.is_multiple_of(MIB) {
        format!("{}M", b / MIB)
    } else if b > 0 && b.is_multiple_of(1024) {
        format!("{}K", b / 1024)
    } else {
        b.to_string()
    }
}

pub fn tune(m: &Machine) -> Result<Tuned, KdError> {
    let maria = m.engine == TuneEngine::Mariadb;
    let mut assumptions = Vec::new();
    let (major, minor) = match m.ver {
        Some(v) => v,
        None => {
            let v = if maria { (10, 11) } else { (8, 0) };
            assumptions.push(format!(
                "Version not given: {} {}.{} assumed.",
                m.engine.name(),
                v.0,
                v.1
            ));
            v
        }
    };
    let patch = m
        .version
        .as_deref()
        .and_then(|v| v.split(['.', '-']).nth(2))
        .and_then(|p| p.parse::<u32>().ok())
        // "8.0" without a patch level: the current 8.0 release (8.0.30 and later).
        .unwrap_or(99);
    if maria && !(major == 10 || major == 11) {
        return Err(KdError::invalid(format!(
            "version: MariaDB {major} is not one these rules cover (10.x, 11.x)"
        )));
    }
    if !maria && !(5..=9).contains(&major) {
        return Err(KdError::invalid(format!(
            "version: MySQL {major} is not one these rules cover (5.7, 8.x, 9.x)"
        )));
    }
    let ram = m.ram;
    let w = m.workload;
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    // Dynamic (SET GLOBAL) or only at start-up, per engine/version.
    let apply = |name: &str| -> &'static str {
        match name {
            "innodb_flush_method" | "innodb_buffer_pool_instances" => "restart",
            "innodb_log_file_size" => {
                if maria && (major > 10 || minor >= 9) {
                    "online"
                } else {
                    "restart"
                }
            }
            _ => "online",
        }
    };

    // Buffer pool.
    let (pool_raw, rule) = if w == Workload::Desktop {
        (
            (ram / 8).max(128 * MIB),
            "RAM / 8 (a desktop shares the machine)".to_string(),
        )
    } else if ram < GIB {
        (128 * MIB, "under 1GiB of RAM: 128MiB".to_string())
    } else if ram <= 4 * GIB {
        (ram / 2, format!("{} × 0.5", human_bytes(ram as f64)))
    } else {
        (ram / 4 * 3, format!("{} × 0.75", human_bytes(ram as f64)))
    };
    let instances: u64 = if maria {
        1
    } else if pool_raw >= GIB {
        (pool_raw / GIB).clamp(1, 8)
    } else {
        1
    };
    // The pool is a multiple of chunk size (128MiB) × instances; round down to it.
    let unit = 128 * MIB * instances;
    let pool = (pool_raw / unit * unit).max(128 * MIB);
    out.push(setting(
        "innodb_buffer_pool_size",
        my_size(pool),
        apply("innodb_buffer_pool_size"),
        format!(
            "{rule} = {}, rounded down to a multiple of {} (chunk × instances) = {}: InnoDB's cache of data and index pages; on a dedicated server most of RAM (the innodb_dedicated_server rule).",
            human_bytes(pool_raw as f64),
            my_size(unit),
            my_size(pool)
        ),
    ));
    if !maria {
        out.push(setting(
            "innodb_buffer_pool_instances",
            instances.to_string(),
            apply("innodb_buffer_pool_instances"),
            format!(
                "{instances}: one instance per GiB of pool up to 8 (MySQL's default of 8 from 1GiB), so page-hash and LRU mutexes are split between threads."
            ),
        ));
    }

    // Redo log.
    if maria {
        let v = if w == Workload::Desktop {
            96 * MIB
        } else {
            (pool / 4).clamp(256 * MIB, 8 * GIB) / MIB * MIB
        };
        out.push(setting(
            "innodb_log_file_size",
            my_size(v),
            apply("innodb_log_file_size"),
            if w == Workload::Desktop {
                "96M (the default): a desktop writes little.".into()
            } else {
                format!(
                    "buffer pool / 4 = {}, within 256M..8G: a redo log large enough that checkpoints are driven by time rather than by a full log under write bursts; recovery after a crash reads at most this much.",
                    my_size(v)
                )
            },
        ));
    } else if major > 8 || (major == 8 && (minor > 0 || patch >= 30)) {
        let cores = m.cores.unwrap_or(4) as u64;
        let v = (cores * GIB / 2).clamp(100 * MIB, 16 * GIB);
        out.push(setting(
            "innodb_redo_log_capacity",
            my_size(v),
            apply("innodb_redo_log_capacity"),
            format!(
                "{cores} logical processors / 2 = {} (the innodb_dedicated_server rule, at most 16G): redo space for write bursts between checkpoints.",
                my_size(v)
            ),
        ));
        if m.cores.is_none() {
            assumptions.push("Cores not given: 4 assumed for innodb_redo_log_capacity.".into());
        }
    } else {
        let v = if pool < 8 * GIB {
            512 * MIB
        } else if pool <= 128 * GIB {
            GIB
        } else {
            2 * GIB
        };
        out.push(setting(
            "innodb_log_file_size",
            my_size(v),
            "restart",
            format!(
                "buffer pool {} → {} per file (the innodb_dedicated_server steps before 8.0.30; two files by default).",
                my_size(pool),
                my_size(v)
            ),
        ));
    }

    // Flushing.
    let flush_method_supported = !(maria && major >= 11);
    if flush_method_supported {
        out.push(setting(
            "innodb_flush_method",
            "O_DIRECT",
            apply("innodb_flush_method"),
            "Write data files past the OS page cache: the buffer pool already caches them, so double caching only wastes RAM.".into(),
        ));
    }
    out.push(setting(
        "innodb_flush_log_at_trx_commit",
        "1",
        apply("innodb_flush_log_at_trx_commit"),
        "Write and sync the redo log at every commit: a committed transaction survives a crash. 2 syncs once a second and can lose up to a second of commits on an OS crash or power loss; 0 can lose them on a mysqld crash too. Trade it only with eyes open (a replica or batch import).".into(),
    ));
    out.push(setting(
        "sync_binlog",
        "1",
        apply("sync_binlog"),
        "Sync the binary log at every commit, so the binlog (replicas, point-in-time recovery) never misses a committed transaction after a crash. 0 leaves it to the OS and can lose binlog events that InnoDB kept.".into(),
    ));
    let (io, io_max) = match m.storage {
        StorageKind::Hdd => (200, 2000),
        StorageKind::Ssd => (2000, 4000),
        StorageKind::Nvme => (10000, 20000),
        StorageKind::Network => (1000, 3000),
    };
    out.push(setting(
        "innodb_io_capacity",
        io.to_string(),
        apply("innodb_io_capacity"),
        format!(
            "Background flushing budget in IOPS for {} storage ({io}); set it near what the device sustains, not its burst.",
            storage_name(m.storage)
        ),
    ));
    out.push(setting(
        "innodb_io_capacity_max",
        io_max.to_string(),
        apply("innodb_io_capacity_max"),
        format!("Ceiling when flushing falls behind: {io_max}."),
    ));
    let conns = m.connections.unwrap_or(match w {
        Workload::Web => 200,
        Workload::Oltp => 300,
        Workload::Dw => 40,
        Workload::Desktop => 20,
        Workload::Mixed => 100,
    });
    out.push(setting(
        "max_connections",
        conns.to_string(),
        apply("max_connections"),
        if m.connections.is_some() {
            format!("The stated maximum of client connections ({conns}).")
        } else {
            format!(
                "Default for a {} workload ({conns}); pass `connections` for yours.",
                workload_name(w)
            )
        },
    ));
    // In-memory temporary tables: per workload, at most a quarter of RAM across connections.
    let base = match w {
        Workload::Web | Workload::Oltp => 64 * MIB,
        Workload::Mixed => 128 * MIB,
        Workload::Dw => 256 * MIB,
        Workload::Desktop => 32 * MIB,
    };
    let cap = (ram / 4 / conns as u64 / MIB * MIB).max(16 * MIB);
    let tmp = base.min(cap);
    let why = format!(
        "{} for the {} workload{}; a query's implicit temporary table spills to disk above min(tmp_table_size, max_heap_table_size), so both get the same value.",
        my_size(base),
        workload_name(w),
        if tmp < base {
            format!(
                ", lowered to RAM / 4 / {conns} connections = {} so that every connection at once stays within a quarter of RAM",
                my_size(tmp)
            )
        } else {
            String::new()
        }
    );
    out.push(setting(
        "tmp_table_size",
        my_size(tmp),
        apply("tmp_table_size"),
        why.clone(),
    ));
    out.push(setting(
        "max_heap_table_size",
        my_size(tmp),
        apply("max_heap_table_size"),
        "Same as tmp_table_size (the smaller of the two is the limit).".into(),
    ));
    let per_conn_worst = tmp + 4 * MIB; // sort/join/read buffers at their defaults, roughly
    let worst = pool + conns as u64 * per_conn_worst;
    if worst > ram {
        warnings.push(format!(
            "buffer pool {} + {conns} connections × (temp table {} + about 4M of per-session buffers) = {} exceeds RAM ({}); lower max_connections or use a pooler (ProxySQL).",
            my_size(pool),
            my_size(tmp),
            human_bytes(worst as f64),
            human_bytes(ram as f64)
        ));
    }
    Ok(Tuned {
        settings: out,
        warnings,
        assumptions,
    })
}

//! PostgreSQL settings by PGTune's formulas (le0pard/pgtune,
//! `src/features/configuration/configurationSlice.js` at commit 7caef27, MIT), with the
//! arithmetic written into each reason. Memory is computed in kB, as PGTune does, and printed
//! with the largest unit that divides it exactly.

use super::{Machine, Os, StorageKind, Tuned, Workload, setting};
use crate::error::KdError;
use crate::units::pg_memory;

const MB: u64 = 1024; // in kB
const GB: u64 = 1024 * 1024; // in kB

/// pg_settings.context is 'postmaster' (restart) for these, in the versions listed.
fn apply_of(name: &str, major: u32) -> &'static str {
    match name {
        "max_connections"
        | "shared_buffers"
        | "huge_pages"
        | "wal_buffers"
        | "max_worker_processes"
        | "wal_level"
        | "max_wal_senders"
        | "io_method" => "restart",
        "autovacuum_max_workers" if major < 18 => "restart",
        "effective_cache_size"
        | "work_mem"
        | "maintenance_work_mem"
        | "random_page_cost"
        | "effective_io_concurrency"
        | "max_parallel_workers_per_gather"
        | "max_parallel_workers"
        | "max_parallel_maintenance_workers"
        | "default_statistics_target"
        | "jit" => "online",
        _ => "reload",
    }
}

/// PostgreSQL keeps shared_buffers, effective_cache_size and wal_buffers in 8kB pages and
/// rounds a kB value to the nearest page (ties to even, as rint() does); emit the value the
/// server will actually use.
fn pages8(kb: u64) -> u64 {
    ((kb as f64 / 8.0).round_ties_even() as u64) * 8
}

pub fn tune(m: &Machine) -> Result<Tuned, KdError> {
    let mut assumptions = Vec::new();
    let major = match m.ver {
        Some((maj, _)) => {
            if !(10..=18).contains(&maj) {
                return Err(KdError::invalid(format!(
                    "version: PostgreSQL {maj} is outside 10..18, the versions these formulas cover"
                )));
            }
            maj
        }
        None => {
            assumptions.push("Version not given: PostgreSQL 16 assumed.".into());
            16
        }
    };
    let kb = m.ram / 1024;
    let w = m.workload;
    let ram_text = pg_memory(kb);
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let ap = |n: &str| apply_of(n, major);

    // Database size relative to RAM (PGTune's dbSize; "1x-3x RAM" when unknown).
    let db_size = match m.data_size {
        Some(d) if d < m.ram => DbSize::Less,
        Some(d) if d > 3 * m.ram => DbSize::Greater,
        Some(_) => DbSize::Mid,
        None => {
            assumptions.push(
                "Data size not given: PGTune's default '1x-3x RAM' assumed (work_mem and random_page_cost use it).".into(),
            );
            DbSize::Mid
        }
    };

    let max_conn = m.connections.unwrap_or(match w {
        Workload::Web => 200,
        Workload::Oltp => 300,
        Workload::Dw => 40,
        Workload::Desktop => 20,
        Workload::Mixed => 100,
    });
    out.push(setting(
        "max_connections",
        max_conn.to_string(),
        ap("max_connections"),
        if m.connections.is_some() {
            format!("The stated maximum of client connections ({max_conn}). Each one is a process with its own memory; above a few hundred put PgBouncer in front instead of raising it.")
        } else {
            format!("PGTune's default for a {} workload ({max_conn}); pass `connections` for yours.", workload_name(w))
        },
    ));

    // shared_buffers: RAM/4 (desktop RAM/16); Windows before 10 capped at 512MB.
    let mut sb = if w == Workload::Desktop {
        kb / 16
    } else {
        kb / 4
    };
    if major < 10 && m.os == Os::Windows && sb > 512 * MB {
        sb = 512 * MB;
    }
    let sb = pages8(sb);
    out.push(setting(
        "shared_buffers",
        pg_memory(sb),
        ap("shared_buffers"),
        format!(
            "{ram_text} / {} = {}: PostgreSQL's own page cache. The rest of RAM stays with the OS page cache, which PostgreSQL reads through as well; much more than a quarter mostly caches pages twice.",
            if w == Workload::Desktop { 16 } else { 4 },
            pg_memory(sb)
        ),
    ));

    // huge_pages: try from 2GB of shared_buffers (never on macOS).
    let huge = if m.os != Os::Mac && sb >= 2 * GB {
        "try"
    } else {
        "off"
    };
    out.push(setting(
        "huge_pages",
        huge,
        ap("huge_pages"),
        if huge == "try" {
            format!("shared_buffers of {} ≥ 2GB: huge pages cut page-table memory and TLB misses; 'try' falls back to normal pages if none are reserved (set vm.nr_hugepages to about shared_buffers / 2MB + 5%).", pg_memory(sb))
        } else {
            "shared_buffers below 2GB (or macOS): huge pages gain little.".into()
        },
    ));

    // effective_cache_size: 3/4 RAM (desktop 1/4).
    let ecs = pages8(if w == Workload::Desktop {
        kb / 4
    } else {
        kb * 3 / 4
    });
    out.push(setting(
        "effective_cache_size",
        pg_memory(ecs),
        ap("effective_cache_size"),
        format!(
            "{ram_text} × {} = {}: what the planner may assume is cached (shared_buffers plus OS cache). It allocates nothing; too low makes index scans look expensive.",
            if w == Workload::Desktop { "1/4" } else { "3/4" },
            pg_memory(ecs)
        ),
    ));

    // maintenance_work_mem: RAM/16 (dw RAM/8), capped at 8GB (Windows ≤ 17: 2GB - 1MB).
    let mut mwm = if w == Workload::Dw { kb / 8 } else { kb / 16 };
    let mut limit = 8 * GB;
    let win = m.os == Os::Windows && major <= 17;
    if win {
        limit = 2 * GB;
    }
    let raw_mwm = mwm;
    if mwm >= limit {
        mwm = if win { limit - MB } else { limit };
    }
    out.push(setting(
        "maintenance_work_mem",
        pg_memory(mwm),
        ap("maintenance_work_mem"),
        format!(
            "{ram_text} / {} = {}{}: memory for VACUUM, CREATE INDEX and ALTER TABLE ADD FOREIGN KEY; only a few run at once, so it can be much larger than work_mem.",
            if w == Workload::Dw { 8 } else { 16 },
            pg_memory(raw_mwm),
            if raw_mwm != mwm { format!(", capped at {}", pg_memory(mwm)) } else { String::new() }
        ),
    ));

    // Checkpoints.
    let (min_wal, max_wal) = match w {
        Workload::Web | Workload::Mixed => (GB, 4 * GB),
        Workload::Oltp => (2 * GB, 8 * GB),
        Workload::Dw => (4 * GB, 16 * GB),
        Workload::Desktop => (100 * MB, 2 * GB),
    };
    out.push(setting(
        "checkpoint_completion_target",
        "0.9",
        ap("checkpoint_completion_target"),
        "Spread each checkpoint's writes over 90% of the interval instead of a burst (the default since PostgreSQL 14).".into(),
    ));
    // wal_buffers: 3% of shared_buffers, at most 16MB, rounded up to 16MB above 14MB, at least 32kB.
    let mut wb = 3 * sb / 100;
    let raw_wb = wb;
    if wb > 16 * MB {
        wb = 16 * MB;
    }
    if wb > 14 * MB && wb < 16 * MB {
        wb = 16 * MB;
    }
    if wb < 32 {
        wb = 32;
    }
    let pgtune_wb = wb;
    wb = pages8(wb);
    out.push(setting(
        "wal_buffers",
        pg_memory(wb),
        ap("wal_buffers"),
        format!(
            "3% of shared_buffers = {}kB, {}{}: WAL written between flushes; more than one segment (16MB) gains nothing.",
            raw_wb,
            if pgtune_wb != raw_wb { format!("bounded to {}", pg_memory(pgtune_wb)) } else { "kept".to_string() },
            if wb != pgtune_wb { format!(", rounded to whole 8kB pages as PostgreSQL stores it = {}", pg_memory(wb)) } else { String::new() }
        ),
    ));
    let stats = if w == Workload::Dw { 500 } else { 100 };
    out.push(setting(
        "default_statistics_target",
        stats.to_string(),
        ap("default_statistics_target"),
        if w == Workload::Dw {
            "500 for analytics: finer histograms for skewed data and big joins, at the price of slower ANALYZE.".into()
        } else {
            "100 (the default): enough for short OLTP queries; raise per column with ALTER TABLE ... SET STATISTICS where estimates are off.".into()
        },
    ));
    let rpc = if db_size == DbSize::Less {
        "1.1"
    } else if m.storage == StorageKind::Hdd || w == Workload::Dw {
        "4"
    } else {
        "1.1"
    };
    out.push(setting(
        "random_page_cost",
        rpc,
        ap("random_page_cost"),
        if db_size == DbSize::Less {
            "The data fits in RAM, so random reads cost about what sequential ones do: 1.1.".into()
        } else if m.storage == StorageKind::Hdd {
            "Spinning disks: a random read really costs about 4 sequential ones (the default).".into()
        } else if w == Workload::Dw {
            "Analytics on data larger than RAM: keep 4 so the planner does not pick index scans for large ranges, which are slower than sequential scans even on SSD.".into()
        } else {
            "SSD or network storage: random reads cost little more than sequential ones: 1.1 lets the planner use indexes.".into()
        },
    ));
    if m.os == Os::Linux {
        let eio = match m.storage {
            StorageKind::Hdd => 2,
            StorageKind::Ssd => 200,
            StorageKind::Network => 300,
            StorageKind::Nvme => 1000,
        };
        out.push(setting(
            "effective_io_concurrency",
            eio.to_string(),
            ap("effective_io_concurrency"),
            format!(
                "Concurrent read-ahead requests for bitmap heap scans on {} storage: {eio}.",
                storage_name(m.storage)
            ),
        ));
    }
    let wm_comp = if major >= 15 {
        Some("lz4")
    } else if major >= 10 {
        Some("on")
    } else {
        None
    };
    if let Some(c) = wm_comp {
        out.push(setting(
            "wal_compression",
            c,
            ap("wal_compression"),
            if c == "lz4" {
                "Compress full-page images in WAL with lz4 (PostgreSQL 15+): less WAL to write, archive and replicate for little CPU. Needs a server built with lz4 (the PGDG and Debian packages are).".into()
            } else {
                "Compress full-page images in WAL (pglz): less WAL to write and archive.".into()
            },
        ));
    }
    if major >= 12 && matches!(w, Workload::Web | Workload::Oltp | Workload::Mixed) {
        out.push(setting(
            "jit",
            "off",
            ap("jit"),
            "JIT compilation pays off only for long CPU-bound queries; for short queries it adds planning time and CPU spikes.".into(),
        ));
    }

    // Parallelism (4+ cores).
    let mut max_worker_processes = None;
    if let Some(cpu) = m.cores
        && cpu >= 4
    {
        let mut per_gather = cpu.div_ceil(2);
        if w != Workload::Dw && per_gather > 4 {
            per_gather = 4;
        }
        max_worker_processes = Some(cpu);
        out.push(setting(
            "max_worker_processes",
            cpu.to_string(),
            ap("max_worker_processes"),
            format!("One background worker per core ({cpu}): the pool parallel queries and extensions draw from."),
        ));
        out.push(setting(
            "max_parallel_workers_per_gather",
            per_gather.to_string(),
            ap("max_parallel_workers_per_gather"),
            format!(
                "ceil({cpu} / 2) = {}{}: workers one query node may use.",
                cpu.div_ceil(2),
                if per_gather != cpu.div_ceil(2) { ", capped at 4 outside analytics (more workers per query rarely pay off for short queries)".to_string() } else { String::new() }
            ),
        ));
        out.push(setting(
            "max_parallel_workers",
            cpu.to_string(),
            ap("max_parallel_workers"),
            format!("All {cpu} cores may run parallel workers at once."),
        ));
        if major >= 11 {
            let pm = cpu.div_ceil(2).min(4);
            out.push(setting(
                "max_parallel_maintenance_workers",
                pm.to_string(),
                ap("max_parallel_maintenance_workers"),
                format!("min(ceil({cpu} / 2), 4) = {pm}: workers for CREATE INDEX and VACUUM."),
            ));
        }
    } else if m.cores.is_none() {
        assumptions.push("Cores not given: parallel-query settings left at their defaults (8 workers assumed for work_mem, as PGTune does).".into());
    }

    // work_mem: (RAM - shared_buffers) / ((max_connections + max_worker_processes) × 3).
    let par = max_worker_processes.unwrap_or(8) as f64;
    let wm_value = (kb - sb) as f64 / ((max_conn as f64 + par) * 3.0);
    let (mut wm, div) = match w {
        Workload::Web | Workload::Oltp => (wm_value.floor() as u64, 1),
        Workload::Dw | Workload::Mixed => ((wm_value / 2.0).floor() as u64, 2),
        Workload::Desktop => ((wm_value / 6.0).floor() as u64, 6),
    };
    let mut wm_steps = format!(
        "({ram_text} - {} shared_buffers) / (({max_conn} connections + {} workers) × 3) = {:.0}kB{}",
        pg_memory(sb),
        par,
        wm_value,
        if div > 1 {
            format!(", / {div} for {} = {}kB", workload_name(w), wm)
        } else {
            String::new()
        }
    );
    match db_size {
        DbSize::Less => {
            wm = (wm as f64 * 1.3).floor() as u64;
            wm_steps.push_str(&format!(", × 1.3 because the data fits in RAM = {wm}kB"));
        }
        DbSize::Greater => {
            wm = (wm as f64 * 0.9).floor() as u64;
            wm_steps.push_str(&format!(", × 0.9 because the data is over 3× RAM = {wm}kB"));
        }
        DbSize::Mid => {}
    }
    if wm < 4 * MB {
        wm = 4 * MB;
        wm_steps.push_str(", raised to the 4MB floor");
    }
    if win && wm > 2 * GB - MB {
        wm = 2 * GB - MB;
    }
    out.push(setting(
        "work_mem",
        pg_memory(wm),
        ap("work_mem"),
        format!(
            "{wm_steps}: memory per sort or hash step; one query can use several, so the ×3 leaves room. Raise it per session for reports (SET work_mem) rather than globally."
        ),
    ));

    // WAL size.
    out.push(setting(
        "min_wal_size",
        pg_memory(min_wal),
        ap("min_wal_size"),
        format!(
            "Keep {} of WAL segments for reuse instead of recycling them ({} workload).",
            pg_memory(min_wal),
            workload_name(w)
        ),
    ));
    out.push(setting(
        "max_wal_size",
        pg_memory(max_wal),
        ap("max_wal_size"),
        format!(
            "Let {} of WAL accumulate before a checkpoint is forced, so checkpoints come from checkpoint_timeout instead of write bursts (fewer full-page writes). Watch for 'checkpoints are occurring too frequently' in the log.",
            pg_memory(max_wal)
        ),
    ));
    if w == Workload::Desktop {
        out.push(setting(
            "wal_level",
            "minimal",
            ap("wal_level"),
            "A desktop database needs no replication or archiving: minimal WAL is faster for bulk loads. Not with WAL archiving or replicas.".into(),
        ));
        out.push(setting(
            "max_wal_senders",
            "0",
            ap("max_wal_senders"),
            "Required to be 0 with wal_level = minimal.".into(),
        ));
    }

    // Autovacuum.
    if let Some(cpu) = m.cores {
        let avw = if cpu >= 32 {
            Some(5)
        } else if cpu >= 16 {
            Some(4)
        } else {
            None
        };
        if let Some(n) = avw {
            out.push(setting(
                "autovacuum_max_workers",
                n.to_string(),
                ap("autovacuum_max_workers"),
                format!("{cpu} cores: {n} autovacuum workers (default 3) so large tables do not starve the others."),
            ));
        }
    }
    if mwm >= 2 * GB {
        let v = if win { 2 * GB - MB } else { 2 * GB };
        out.push(setting(
            "autovacuum_work_mem",
            pg_memory(v),
            ap("autovacuum_work_mem"),
            format!(
                "maintenance_work_mem is {}; without this each autovacuum worker could take that much: cap each at {}.",
                pg_memory(mwm),
                pg_memory(v)
            ),
        ));
    }

    // PostgreSQL 18 asynchronous I/O.
    if major >= 18 {
        let method = if m.os == Os::Linux {
            "io_uring"
        } else {
            "worker"
        };
        out.push(setting(
            "io_method",
            method,
            ap("io_method"),
            if method == "io_uring" {
                "PostgreSQL 18 asynchronous I/O through io_uring (needs a server built with liburing).".into()
            } else {
                "PostgreSQL 18 asynchronous I/O through worker processes (no io_uring here).".into()
            },
        ));
        if method != "io_uring"
            && let Some(cpu) = m.cores
        {
            let n = (cpu / 4).clamp(3, 32);
            if n > 3 {
                out.push(setting(
                    "io_workers",
                    n.to_string(),
                    ap("io_workers"),
                    format!("floor({cpu} / 4) = {n} I/O workers (default 3)."),
                ));
            }
        }
    }

    // Memory budget check.
    let worst = sb + (max_conn as u64) * wm;
    if worst > kb {
        warnings.push(format!(
            "shared_buffers + max_connections × work_mem = {} + {} × {} = {} exceeds RAM ({}): only safe if few connections sort or hash at once; use a pooler.",
            pg_memory(sb),
            max_conn,
            pg_memory(wm),
            crate::units::human_bytes(worst as f64 * 1024.0),
            ram_text
        ));
    }
    if m.ram < 256 * 1024 * 1024 {
        warnings.push(
            "Under 256MB of RAM these formulas are not optimal (PGTune's own warning).".into(),
        );
    } else if m.ram > 100 * 1024 * 1024 * 1024 {
        warnings.push("Over 100GB of RAM these formulas are not optimal (PGTune's own warning); review shared_buffers against the working set.".into());
    }
    if w == Workload::Dw && m.storage != StorageKind::Hdd && db_size != DbSize::Less {
        warnings.push("Cost settings for a data warehouse on fast storage are left at the defaults to avoid index scans over large ranges; adjust random_page_cost only after watching plans.".into());
    }
    // Order by importance of reading.
    Ok(Tuned {
        settings: out,
        warnings,
        assumptions,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DbSize {
    Less,
    Mid,
    Greater,
}

pub fn workload_name(w: Workload) -> &'static str {
    match w {
        Workload::Web => "web",
        Workload::Oltp => "OLTP",
        Workload::Dw => "data warehouse",
        Workload::Mixed => "mixed",
        Workload::Desktop => "desktop",
    }
}

pub fn storage_name(s: StorageKind) -> &'static str {
    match s {
        StorageKind::Ssd => "SSD",
        StorageKind::Nvme => "NVMe",
        StorageKind::Hdd => "HDD",
        StorageKind::Network => "network/SAN",
    }
}

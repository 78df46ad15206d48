//! The strategy and its arithmetic: which tool, which schedule, and whether the schedule meets the
//! stated RPO and RTO, with every number derived from the request or a stated assumption.

use super::target::{Target, path_chars_ok};
use super::{BackupEngine, BackupRequest, Hosting, Job, Objective, Risk, Storage, ToolChoice};
use crate::error::KdError;
use crate::units::{
    human_bytes as hb, human_duration as hd, parse_duration, parse_rate, parse_size,
};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const MIB: f64 = 1024.0 * 1024.0;
const DAY: f64 = 86400.0;
/// Start-up, checks and hand-over time counted in every restore estimate (detection not counted).
const OVERHEAD_S: f64 = 600.0;

/// The tool that carries out the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    PgBackRest,
    WalG,
    PgBaseBackup,
    PgDump,
    Mariabackup,
    Xtrabackup,
    MyDump,
    Sqlite3,
    Litestream,
    Mongodump,
    Pbm,
    RedisRdb,
}

impl Tool {
    pub fn id(self) -> &'static str {
        match self {
            Tool::PgBackRest => "pgbackrest",
            Tool::WalG => "wal-g",
            Tool::PgBaseBackup => "pg_basebackup",
            Tool::PgDump => "pg_dump",
            Tool::Mariabackup => "mariabackup",
            Tool::Xtrabackup => "xtrabackup",
            Tool::MyDump => "dump",
            Tool::Sqlite3 => "sqlite3",
            Tool::Litestream => "litestream",
            Tool::Mongodump => "mongodump",
            Tool::Pbm => "pbm",
            Tool::RedisRdb => "redis-rdb",
        }
    }

    fn parse(s: &str, engine: BackupEngine) -> Result<Tool, KdError> {
        let k = s.trim().to_ascii_lowercase().replace('_', "-");
        let t = match k.as_str() {
            "pgbackrest" => Tool::PgBackRest,
            "wal-g" | "walg" => Tool::WalG,
            "pg-basebackup" | "basebackup" => Tool::PgBaseBackup,
            "pg-dump" | "pgdump" => Tool::PgDump,
            "mariabackup" | "mariadb-backup" => Tool::Mariabackup,
            "xtrabackup" | "percona-xtrabackup" => Tool::Xtrabackup,
            "mariadb-dump" | "mysqldump" | "mysql-dump" | "dump" => Tool::MyDump,
            "sqlite3" | "sqlite" | "backup" | "vacuum-into" => Tool::Sqlite3,
            "litestream" => Tool::Litestream,
            "mongodump" => Tool::Mongodump,
            "pbm" | "percona-backup-mongodb" => Tool::Pbm,
            "redis-rdb" | "rdb" | "redis-cli" => Tool::RedisRdb,
            _ => {
                return Err(KdError::invalid(format!(
                    "tool: `{s}` is not known; for {} use {}",
                    engine.name(),
                    tools_for(engine).join(", ")
                )));
            }
        };
        if !(tools_for(engine).contains(&t.id()) || t == Tool::MyDump && k != "dump") {
            return Err(KdError::invalid(format!(
                "tool: {} does not back up {}; use {}",
                s.trim(),
                engine.name(),
                tools_for(engine).join(", ")
            )));
        }
        if t == Tool::MyDump && !matches!(engine, BackupEngine::Mysql | BackupEngine::Mariadb) {
            return Err(KdError::invalid(format!(
                "tool: {} does not back up {}; use {}",
                s.trim(),
                engine.name(),
                tools_for(engine).join(", ")
            )));
        }
        Ok(t)
    }
}

fn tools_for(engine: BackupEngine) -> Vec<&'static str> {
    match engine {
        BackupEngine::Postgres => vec!["pgbackrest", "wal-g", "pg_basebackup", "pg_dump"],
        BackupEngine::Mysql => vec!["xtrabackup", "mysqldump"],
        BackupEngine::Mariadb => vec!["mariabackup", "mariadb-dump"],
        BackupEngine::Sqlite => vec!["sqlite3", "litestream"],
        BackupEngine::Mongodb => vec!["mongodump", "pbm"],
        BackupEngine::Redis => vec!["redis-rdb"],
    }
}

/// The request, parsed and with defaults applied.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub engine: BackupEngine,
    pub version: Option<String>,
    pub major: Option<u32>,
    pub size: f64,
    pub growth_per_day: f64,
    pub growth_assumed: bool,
    pub change_per_day: f64,
    pub change_assumed: bool,
    pub rpo_s: u64,
    pub rto_s: u64,
    pub target: Target,
    pub retention_days: u64,
    pub encrypt: bool,
    pub hosting: Hosting,
    pub forced_tool: Option<Tool>,
    pub database: Option<String>,
    pub verify_tables: Vec<String>,
    pub data_dir: Option<String>,
    pub host: Option<String>,
    pub bin_dir: String,
    pub config_dir: String,
    pub compression: f64,
    pub compression_assumed: bool,
    pub throughput: f64,
    pub throughput_assumed: bool,
}

impl Inputs {
    pub fn from_request(r: &BackupRequest) -> Result<Inputs, KdError> {
        let size = parse_size("size", &r.size)? as f64;
        if size <= 0.0 {
            return Err(KdError::invalid(
                "size: must be more than 0; give the data size now, e.g. 200GB",
            ));
        }
        let (growth_per_day, growth_assumed) = match &r.growth {
            Some(g) => (parse_rate("growth", g)? * DAY, false),
            None => (0.0, true),
        };
        let (change_per_day, change_assumed) = match &r.change_rate {
            Some(c) => (parse_rate("change_rate", c)? * DAY, false),
            None => (size * 0.10, true),
        };
        let rpo_s = parse_duration("rpo", &r.rpo)?;
        let rto_s = parse_duration("rto", &r.rto)?;
        if rto_s == 0 {
            return Err(KdError::invalid(
                "rto: 0 is not reachable by any restore; give the longest outage you accept, e.g. 1h (for instant failover you need a replica, not a backup)",
            ));
        }
        let retention_s = parse_duration("retention", r.retention.as_deref().unwrap_or("30d"))?;
        let retention_days = (retention_s as f64 / DAY).ceil() as u64;
        if retention_days == 0 {
            return Err(KdError::invalid(
                "retention: must be at least 1 day, e.g. 30d",
            ));
        }
        if retention_days > 3650 {
            return Err(KdError::invalid(
                "retention: more than 10 years; keep long-term archives as separate logical exports and give the operational retention here (e.g. 30d)",
            ));
        }
        let target = Target::parse(&r.target)?;
        let hosting = r.hosting.unwrap_or_default();
        let encrypt = r.encrypt.unwrap_or(!matches!(target, Target::Local { .. }));
        let forced_tool = match &r.tool {
            Some(t) => Some(Tool::parse(t, r.engine)?),
            None => None,
        };
        let major = r.version.as_deref().and_then(|v| {
            v.trim()
                .split(['.', ' '])
                .next()
                .and_then(|m| m.parse::<u32>().ok())
        });
        if let Some(v) = &r.version
            && major.is_none()
        {
            return Err(KdError::invalid(format!(
                "version: `{v}` has no major version number; write it as 16, 10.11 or 8.0"
            )));
        }
        let compression = r.compression.unwrap_or(match r.engine {
            BackupEngine::Redis => 0.45,
            BackupEngine::Sqlite | BackupEngine::Mongodb => 0.4,
            _ => 0.35,
        });
        if !(0.05..=1.0).contains(&compression) {
            return Err(KdError::invalid(format!(
                "compression: {compression} is outside 0.05..1; give the compressed/raw size ratio, e.g. 0.35 for 35%"
            )));
        }
        let (throughput, throughput_assumed) = match &r.throughput {
            Some(t) => {
                let v = parse_rate("throughput", t)?;
                if v < 1.0 * MIB {
                    return Err(KdError::invalid(format!(
                        "throughput: `{t}` is below 1MB/s; give the restore speed, e.g. 200MB/s"
                    )));
                }
                (v, false)
            }
            None => (
                match target {
                    Target::Local { .. } => 200.0 * MIB,
                    Target::S3 { .. } => 150.0 * MIB,
                    Target::Ssh { .. } => 110.0 * MIB,
                },
                true,
            ),
        };
        let mut verify_tables = Vec::new();
        for t in &r.verify_tables {
            let t = t.trim();
            if t.is_empty()
                || !t
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$')
            {
                return Err(KdError::invalid(format!(
                    "verify_tables: `{t}` is not a plain table name; give schema.table (letters, digits, _ and $)"
                )));
            }
            verify_tables.push(t.to_string());
        }
        let path_field =
            |name: &str, v: &Option<String>, default: &str| -> Result<String, KdError> {
                let p = v.clone().unwrap_or_else(|| default.to_string());
                if !p.starts_with('/') || !path_chars_ok(&p) {
                    return Err(KdError::invalid(format!(
                        "{name}: `{p}` must be an absolute path of letters, digits and / . - _"
                    )));
                }
                Ok(p.trim_end_matches('/').to_string())
            };
        let bin_dir = path_field("bin_dir", &r.bin_dir, "/usr/local/bin")?;
        let config_dir = path_field("config_dir", &r.config_dir, "/etc/kd-backup")?;
        let data_dir = match &r.data_dir {
            Some(_) => Some(path_field("data_dir", &r.data_dir, "")?),
            None => None,
        };
        let database = match &r.database {
            Some(d) => {
                let d = d.trim();
                if d.is_empty() || !path_chars_ok(d) {
                    return Err(KdError::invalid(format!(
                        "database: `{d}` must be a plain name (SQLite: an absolute file path)"
                    )));
                }
                if r.engine == BackupEngine::Sqlite && !d.starts_with('/') {
                    return Err(KdError::invalid(format!(
                        "database: for SQLite give the absolute path of the database file, not `{d}`"
                    )));
                }
                Some(d.to_string())
            }
            None => None,
        };
        let host = match &r.host {
            Some(h) => {
                let h = h.trim();
                if h.is_empty()
                    || !h
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
                {
                    return Err(KdError::invalid(format!(
                        "host: `{h}` must be a host name, an IP address or a socket directory"
                    )));
                }
                Some(h.to_string())
            }
            None => None,
        };
        if hosting.is_managed() && host.is_none() {
            return Err(KdError::invalid(format!(
                "host: give the {} endpoint the export and restore-test scripts connect to",
                hosting.name()
            )));
        }
        if hosting.is_managed()
            && matches!(
                r.engine,
                BackupEngine::Sqlite | BackupEngine::Redis | BackupEngine::Mongodb
            )
        {
            return Err(KdError::invalid(format!(
                "hosting: {} is a managed service for PostgreSQL and MySQL/MariaDB; for {} use vm or kubernetes",
                hosting.name(),
                r.engine.name()
            )));
        }
        Ok(Inputs {
            engine: r.engine,
            version: r.version.clone(),
            major,
            size,
            growth_per_day,
            growth_assumed,
            change_per_day,
            change_assumed,
            rpo_s,
            rto_s,
            target,
            retention_days,
            encrypt,
            hosting,
            forced_tool,
            database,
            verify_tables,
            data_dir,
            host,
            bin_dir,
            config_dir,
            compression,
            compression_assumed: r.compression.is_none(),
            throughput,
            throughput_assumed,
        })
    }

    pub fn engine_label(&self) -> String {
        match &self.version {
            Some(v) => format!("{} {}", self.engine.name(), v.trim()),
            None => self.engine.name().to_string(),
        }
    }

    fn size_in_12_months(&self) -> f64 {
        self.size + self.growth_per_day * 365.0
    }
}

/// The computed plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub tool: Tool,
    pub tool_choice: ToolChoice,
    pub full_every_days: u32,
    /// Daily differential between weekly fulls.
    pub differential: bool,
    pub incr_every_h: Option<u32>,
    /// Continuous log shipping interval: archive_timeout, binlog archive period, oplog span,
    /// Litestream sync interval.
    pub log_every_s: Option<u64>,
    /// Snapshot period for snapshot-only tools (SQLite, Redis, dumps).
    pub snapshot_every_s: Option<u64>,
    pub jobs: Vec<Job>,
    pub rpo: Objective,
    pub rto: Objective,
    pub storage: Storage,
    pub to_meet: Vec<String>,
    pub risks: Vec<Risk>,
    pub assumptions: Vec<String>,
    pub thresholds: Thresholds,
    /// Days of backups the local repository keeps (all of them for a local target, a short
    /// staging window when the target is remote).
    pub local_keep_days: u64,
}

/// Alert thresholds, in seconds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Thresholds {
    pub backup_age_warn: u64,
    pub backup_age_crit: u64,
    pub log_lag_warn: u64,
    pub log_lag_crit: u64,
    pub restore_test_age_warn: u64,
    pub restore_test_age_crit: u64,
    pub check_stale: u64,
}

fn mbps(b: f64) -> String {
    format!("{:.0} MB/s", b / MIB)
}

/// Which log shipping interval meets an RPO (seconds), from a list of supported periods.
fn largest_at_most(options: &[u64], limit: u64) -> Option<u64> {
    options.iter().copied().filter(|o| *o <= limit).max()
}

struct Rates {
    /// WAL/binlog/oplog replay, bytes/s.
    replay: f64,
    replay_text: &'static str,
    /// Logical restore (load + index builds), bytes of data per second.
    logical: f64,
}

fn rates(engine: BackupEngine) -> Rates {
    match engine {
        BackupEngine::Postgres => Rates {
            replay: 40.0 * MIB,
            replay_text: "WAL replay at 40 MB/s (one startup process; 10-100 MB/s is typical on SSD)",
            logical: 25.0 * MIB,
        },
        BackupEngine::Mysql | BackupEngine::Mariadb => Rates {
            replay: 10.0 * MIB,
            replay_text: "binlog replay at 10 MB/s (one client session applying row events)",
            logical: 20.0 * MIB,
        },
        BackupEngine::Mongodb => Rates {
            replay: 10.0 * MIB,
            replay_text: "oplog replay at 10 MB/s",
            logical: 20.0 * MIB,
        },
        _ => Rates {
            replay: 0.0,
            replay_text: "",
            logical: 0.0,
        },
    }
}

/// Snapshots kept by the tiered prune of the scripts: every snapshot of the last 48 hours, then
/// the first of each UTC day up to the retention, plus the newest one older than the retention.
pub fn tiered_count(every_s: u64, retention_days: u64) -> u64 {
    let per_day = (DAY as u64 / every_s.max(1)).max(1);
    let recent_days = retention_days.min(2);
    recent_days * per_day + retention_days.saturating_sub(2) + 1
}

/// Build the plan.
pub fn plan(i: &Inputs) -> Result<Plan, KdError> {
    let mut assumptions = Vec::new();
    if i.change_assumed {
        assumptions.push(format!(
            "Change volume not given: assumed {} per day (10% of the data size). Measure it{}",
            hb(i.change_per_day),
            match i.engine {
                BackupEngine::Postgres =>
                    ": SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') now and 24 h later",
                BackupEngine::Mysql | BackupEngine::Mariadb =>
                    ": the size of the binlogs written in 24 h (SHOW BINARY LOGS)",
                BackupEngine::Mongodb => ": rs.printReplicationInfo() (oplog size and time window)",
                _ => "",
            }
        ));
    }
    if i.growth_assumed {
        assumptions.push("Growth not given: assumed 0; the 12-month figures equal today's.".into());
    }
    if i.compression_assumed {
        assumptions.push(format!(
            "Compressed backups take {:.0}% of the raw size{}. Check it against your first backup and pass `compression`.",
            i.compression * 100.0,
            match i.engine {
                BackupEngine::Redis => " (RDB is already LZF-compressed; ratio to used memory)",
                _ => " (zstd/gzip on table data is typically 25-45%)",
            }
        ));
    }
    if i.throughput_assumed {
        assumptions.push(format!(
            "Restore throughput {} from a {} target ({}). Measure it in the first restore test and pass `throughput`.",
            mbps(i.throughput),
            i.target.kind(),
            match i.target {
                Target::Local { .. } => "local disk, decompression included",
                Target::S3 { .. } => "parallel S3 GETs",
                Target::Ssh { .. } => "about 1 Gbit/s over SSH",
            }
        ));
    }
    let r = rates(i.engine);
    if r.replay > 0.0 {
        assumptions.push(format!("{}.", capitalise(r.replay_text)));
    }
    assumptions.push(format!(
        "{} of fixed overhead per restore (start-up, checks, switching clients); the time to notice the failure is not counted.",
        hd(OVERHEAD_S)
    ));
    if i.hosting.is_managed() {
        return managed_plan(i, assumptions);
    }
    match i.engine {
        BackupEngine::Postgres => postgres(i, assumptions),
        BackupEngine::Mysql | BackupEngine::Mariadb => mysql(i, assumptions),
        BackupEngine::Sqlite => sqlite(i, assumptions),
        BackupEngine::Redis => redis(i, assumptions),
        BackupEngine::Mongodb => mongodb(i, assumptions),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn push_latency(t: &Target) -> u64 {
    match t {
        Target::Local { .. } => 1,
        Target::Ssh { .. } => 5,
        Target::S3 { .. } => 10,
    }
}

/// RPO from continuous log shipping every `every` seconds.
fn rpo_continuous(i: &Inputs, every: u64, what: &str) -> Objective {
    let push = push_latency(&i.target);
    let est = every + push;
    let meets = est <= i.rpo_s;
    Objective {
        target_s: i.rpo_s,
        estimate_s: est,
        meets,
        steps: vec![
            format!("{what} every {} at the latest", hd(every as f64)),
            format!(
                "plus {} to push a file to the {} target = {} of changes at risk in the worst case",
                hd(push as f64),
                i.target.kind(),
                hd(est as f64)
            ),
            format!(
                "{} {} the RPO of {}",
                hd(est as f64),
                if meets { "is within" } else { "exceeds" },
                hd(i.rpo_s as f64)
            ),
        ],
    }
}

/// RPO from periodic snapshots every `every` seconds taking `dur` seconds.
fn rpo_snapshots(i: &Inputs, every: u64, dur: f64, what: &str) -> Objective {
    let est = every + dur.ceil() as u64 + push_latency(&i.target);
    let meets = est <= i.rpo_s;
    Objective {
        target_s: i.rpo_s,
        estimate_s: est,
        meets,
        steps: vec![
            format!(
                "{what} every {}; a failure just before the next one loses {}",
                hd(every as f64),
                hd(every as f64)
            ),
            format!(
                "plus {} to take and push the copy = {}",
                hd(dur + push_latency(&i.target) as f64),
                hd(est as f64)
            ),
            format!(
                "{} {} the RPO of {}",
                hd(est as f64),
                if meets { "is within" } else { "exceeds" },
                hd(i.rpo_s as f64)
            ),
        ],
    }
}

struct RtoParts {
    /// (seconds, explanation) pairs summed into the estimate.
    parts: Vec<(f64, String)>,
}

impl RtoParts {
    fn objective(self, i: &Inputs) -> Objective {
        let total: f64 = self.parts.iter().map(|(s, _)| s).sum::<f64>() + OVERHEAD_S;
        let est = total.ceil() as u64;
        let meets = est <= i.rto_s;
        let mut steps: Vec<String> = self
            .parts
            .into_iter()
            .map(|(s, why)| format!("{why} = {}", hd(s)))
            .collect();
        steps.push(format!("fixed overhead {}", hd(OVERHEAD_S)));
        steps.push(format!(
            "total {} {} the RTO of {}",
            hd(est as f64),
            if meets { "is within" } else { "exceeds" },
            hd(i.rto_s as f64)
        ));
        Objective {
            target_s: i.rto_s,
            estimate_s: est,
            meets,
            steps,
        }
    }
}

/// Restore of a physical base (bytes at throughput) plus replay of `window_h` hours of log.
fn physical_rto(
    i: &Inputs,
    size: f64,
    throughput: f64,
    window_h: f64,
    r: &Rates,
    extra: Vec<(f64, String)>,
) -> (f64, Objective) {
    let base = size / throughput;
    let log = i.change_per_day * window_h / 24.0;
    let replay = if r.replay > 0.0 { log / r.replay } else { 0.0 };
    let mut parts = vec![(
        base,
        format!("restore {} at {}", hb(size), mbps(throughput)),
    )];
    parts.extend(extra);
    if r.replay > 0.0 {
        parts.push((
            replay,
            format!(
                "replay up to {} of changes ({} per day × {:.0} h since the last backup) at {}",
                hb(log),
                hb(i.change_per_day),
                window_h,
                mbps(r.replay)
            ),
        ));
    }
    let o = RtoParts { parts }.objective(i);
    (base + replay + OVERHEAD_S, o)
}

fn cal_daily(h: u32) -> (String, String) {
    (format!("*-*-* {h:02}:00:00 UTC"), format!("0 {h} * * *"))
}

/// systemd and cron forms of "every N hours except at `skip`" (incrementals between fulls).
fn cal_every_hours(every: u32, start: u32, skip_first: bool) -> (String, String) {
    let hours: Vec<u32> = (0..24 / every)
        .map(|k| (start + k * every) % 24)
        .filter(|h| !(skip_first && *h == start))
        .collect();
    let mut sorted = hours.clone();
    sorted.sort_unstable();
    let list: Vec<String> = sorted.iter().map(|h| format!("{h:02}")).collect();
    let cron_list: Vec<String> = sorted.iter().map(|h| h.to_string()).collect();
    (
        format!("*-*-* {}:00:00 UTC", list.join(",")),
        format!("0 {} * * *", cron_list.join(",")),
    )
}

/// systemd and cron forms of "every N seconds" (N a divisor of an hour or of a day).
fn cal_every_seconds(every: u64) -> (String, String) {
    if every < 3600 {
        let m = (every / 60).max(1);
        (format!("*:0/{m}"), format!("*/{m} * * * *"))
    } else {
        let h = (every / 3600).max(1);
        (format!("*-*-* 00/{h}:00:00 UTC"), format!("0 */{h} * * *"))
    }
}

fn job(id: &str, every_s: u64, when: String, cal: (String, String), command: String) -> Job {
    Job {
        id: id.to_string(),
        when,
        every_s,
        on_calendar: cal.0,
        cron: cal.1,
        command,
    }
}

fn restore_test_job(i: &Inputs, args: &str) -> Job {
    job(
        "restore-test",
        7 * 86400,
        "weekly, Sunday 04:00 UTC".into(),
        ("Sun *-*-* 04:00:00 UTC".into(), "0 4 * * 0".into()),
        format!("{}/kd-restore-test.sh{args}", i.bin_dir),
    )
}

fn check_job(i: &Inputs) -> Job {
    job(
        "check",
        300,
        "every 5 minutes".into(),
        ("*:0/5".into(), "*/5 * * * *".into()),
        format!("{}/kd-check-backup.sh", i.bin_dir),
    )
}

fn thresholds(full_every_s: u64, log_every_s: Option<u64>, rpo_s: u64) -> Thresholds {
    let (lw, lc) = match log_every_s {
        Some(e) => {
            let crit = rpo_s.max(e * 2).max(120);
            ((crit / 2).max(e + 30), crit)
        }
        None => (0, 0),
    };
    Thresholds {
        backup_age_warn: full_every_s + 2 * 3600,
        backup_age_crit: 2 * full_every_s + 2 * 3600,
        log_lag_warn: lw,
        log_lag_crit: lc,
        restore_test_age_warn: 8 * 86400,
        restore_test_age_crit: 15 * 86400,
        check_stale: 15 * 60,
    }
}

fn local_keep_days(i: &Inputs) -> u64 {
    match i.target {
        Target::Local { .. } => i.retention_days,
        _ => 2.min(i.retention_days),
    }
}

fn common_risks(i: &Inputs, risks: &mut Vec<Risk>) {
    risks.push(Risk {
        risk: "A backup that was never restored does not count: it may be incomplete, unreadable or missing files the restore needs.".into(),
        guard: "kd-restore-test.sh runs weekly, restores into a scratch place, verifies the data and records its result; the check alerts when the last good restore test is older than 8 days.".into(),
    });
    if let Target::Local { path } = &i.target {
        risks.push(Risk {
            risk: format!("Backups in {path} on the database host are lost with the host, its disk or its credentials."),
            guard: "Mount the path from another machine (NFS) or copy the repository off-site (an s3:// or ssh:// target); keep at least one copy the database host cannot delete.".into(),
        });
    } else {
        risks.push(Risk {
            risk: "Whoever controls the database host can usually delete the off-site copy with the same credentials (ransomware, a wrong command).".into(),
            guard: match i.target {
                Target::S3 { .. } => "Give the backup credentials put/get but not delete, turn on bucket versioning with Object Lock (compliance mode) for the retention period, and expire old objects with the lifecycle rule in the runbook.".into(),
                _ => "Pull from the backup host instead of pushing, or give the backup user an append-only account; prune on the backup host.".into(),
            },
        });
    }
    if i.encrypt {
        risks.push(Risk {
            risk: "Encrypted backups are useless without their key.".into(),
            guard: "Keep the key in a secret manager, apart from the backups and the database host, and restore from it in the restore test.".into(),
        });
    } else {
        risks.push(Risk {
            risk: "Backups are not encrypted: anyone who reads the repository reads the data.".into(),
            guard: "Set encrypt: true (a key file for the scripts, or the tool's own cipher) or encrypt the volume/bucket at rest with restricted keys.".into(),
        });
    }
    let s12 = i.size_in_12_months();
    if s12 > i.size * 1.2 {
        risks.push(Risk {
            risk: format!(
                "Growth: the data reaches {} in 12 months, so restores get slower and storage grows.",
                hb(s12)
            ),
            guard: "Re-run this plan with the new size every quarter; the RTO estimate below includes the 12-month figure.".into(),
        });
    }
    risks.push(Risk {
        risk: format!(
            "Logical damage (a bad deploy, a wrong UPDATE) found after {} days can no longer be undone from these backups.",
            i.retention_days
        ),
        guard: "Keep monthly logical exports for longer if the business needs it; tell users the retention.".into(),
    });
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

fn postgres(i: &Inputs, mut assumptions: Vec<String>) -> Result<Plan, KdError> {
    let r = rates(i.engine);
    let s = i.size;
    let s12 = i.size_in_12_months();
    let w = i.change_per_day;
    let t = i.throughput;
    let pg_dump_ok = i.rpo_s >= DAY as u64 && s <= 20.0 * GIB;
    // Single-stream tar.gz extraction of pg_basebackup.
    let bb_t = t.min(100.0 * MIB);
    let basebackup_rto_ok = s / bb_t + w / r.replay + OVERHEAD_S <= i.rto_s as f64;
    let mut reasons = Vec::new();
    let tool = match i.forced_tool {
        Some(tl) => {
            if tl == Tool::PgBaseBackup && !matches!(i.target, Target::Local { .. }) {
                return Err(KdError::invalid(format!(
                    "tool: pg_basebackup with archive_command writes to a local or mounted directory, not to {}; use pgbackrest (S3 and SSH repositories) or wal-g, or mount the target",
                    i.target.display()
                )));
            }
            reasons.push(format!("{} was requested.", tl.id()));
            tl
        }
        None => {
            if pg_dump_ok {
                reasons.push(format!(
                    "The RPO of {} allows daily copies and {} restores from a dump in {}; pg_dump needs no extra packages and restores into any newer major version.",
                    hd(i.rpo_s as f64),
                    hb(s),
                    hd(s / r.logical)
                ));
                Tool::PgDump
            } else {
                match &i.target {
                    Target::S3 { .. } if i.hosting == Hosting::Kubernetes => {
                        reasons.push("Kubernetes with object storage: WAL-G is a single static binary that fits a sidecar or an init container, pushes WAL and delta backups straight to S3 and is what the Zalando operator uses.".into());
                        Tool::WalG
                    }
                    Target::S3 { .. } => {
                        reasons.push("pgBackRest writes full, differential and incremental backups and WAL straight to S3 with parallel, compressed, checksummed transfers, encrypts the repository, and manages retention and PITR restores itself.".into());
                        Tool::PgBackRest
                    }
                    Target::Ssh { .. } => {
                        reasons.push("Another host over SSH: pgBackRest runs a dedicated repository host (repo1-host) with parallel compressed transfers; pg_basebackup cannot write there with WAL archiving.".into());
                        Tool::PgBackRest
                    }
                    Target::Local { .. } => {
                        if s <= 50.0 * GIB && basebackup_rto_ok {
                            reasons.push(format!(
                                "{} fits a daily pg_basebackup: it ships with PostgreSQL, writes a backup manifest that pg_verifybackup checks, and a full day of WAL replays within the RTO.",
                                hb(s)
                            ));
                            Tool::PgBaseBackup
                        } else {
                            reasons.push(format!(
                                "{}: incremental backups keep both the nightly window and the WAL replay short; pgBackRest does them with parallel compression, checksums and retention.",
                                if s > 50.0 * GIB { format!("{} is too large for a daily full copy alone", hb(s)) } else { "A daily full copy plus a day of WAL replay would exceed the RTO".to_string() }
                            ));
                            Tool::PgBackRest
                        }
                    }
                }
            }
        }
    };
    if i.hosting == Hosting::Kubernetes {
        reasons.push("If the cluster is run by an operator, configure its backup section instead of these scripts: CloudNativePG (Barman Cloud), Crunchy PGO (pgBackRest), Zalando (WAL-G); the schedule, RPO/RTO arithmetic and checks below still apply.".into());
    }
    let alternatives = vec![
        "pgBackRest: large databases, S3/SSH repositories, parallel backup and restore, incremental and differential backups, repository encryption.".into(),
        "WAL-G: Kubernetes and object storage, delta backups, a single binary.".into(),
        "pg_basebackup + archive_command: small databases on a local or mounted target, nothing to install; no incrementals before PostgreSQL 17.".into(),
        "pg_dump -Fc: logical copies for long-term retention, single databases, and moving across major versions; no point-in-time recovery.".into(),
    ];

    let mut to_meet = Vec::new();
    let mut risks = Vec::new();
    let (rpo, log_every, incr, full_days, differential, rto, method, snapshot_every);
    if tool == Tool::PgDump {
        let dump_rate = 50.0 * MIB;
        let dur = s / dump_rate;
        let every = largest_at_most(&[86400, 43200, 21600, 14400, 10800, 7200, 3600], i.rpo_s)
            .unwrap_or(3600);
        assumptions.push(format!(
            "pg_dump reads at 50 MB/s: a dump of {} takes {}.",
            hb(s),
            hd(dur)
        ));
        rpo = rpo_snapshots(i, every, dur, "pg_dump -Fc");
        if !rpo.meets {
            to_meet.push(format!(
                "RPO {}: pg_dump cannot copy {} that often; use pgBackRest or pg_basebackup with continuous WAL archiving (RPO about a minute).",
                hd(i.rpo_s as f64),
                hb(s)
            ));
        }
        rto = RtoParts {
            parts: vec![(
                s / r.logical,
                format!(
                    "pg_restore of {} (rows and index builds) at {}",
                    hb(s),
                    mbps(r.logical)
                ),
            )],
        }
        .objective(i);
        if !rto.meets {
            to_meet.push(format!(
                "RTO {}: a logical restore of {} takes about {}; restore from physical backups (pgBackRest) or fail over to a standby.",
                hd(i.rto_s as f64),
                hb(s),
                hd(s / r.logical)
            ));
        }
        log_every = None;
        incr = None;
        full_days = 1;
        differential = false;
        snapshot_every = Some(every);
        method = format!(
            "logical dumps (pg_dump -Fc of every database plus roles) every {}",
            hd(every as f64)
        );
    } else {
        let (archive_timeout, floor_note) = if i.rpo_s >= 240 {
            (60, None)
        } else if i.rpo_s >= 60 {
            ((i.rpo_s / 4).max(15), None)
        } else {
            (15, Some(()))
        };
        rpo = rpo_continuous(
            i,
            archive_timeout,
            "A WAL segment is archived when it is full or when archive_timeout forces a switch",
        );
        if !rpo.meets || floor_note.is_some() {
            to_meet.push(format!(
                "RPO {}: WAL archiving ships whole segments and cannot promise less than about a minute. Stream WAL with pg_receivewal --synchronous to the backup host (with synchronous_standby_names) or run a synchronous standby; only synchronous replication gives RPO 0.",
                hd(i.rpo_s as f64)
            ));
        }
        log_every = Some(archive_timeout);
        snapshot_every = None;
        let backup_rate = t;
        let full_window = s12 / backup_rate;
        differential = matches!(tool, Tool::PgBackRest | Tool::WalG) && full_window > 4.0 * 3600.0;
        full_days = if differential { 7 } else { 1 };
        if differential {
            assumptions.push(format!(
                "A full copy of {} (in 12 months) takes {} at {}, longer than a 4-hour night window: weekly full, daily differential.",
                hb(s12),
                hd(full_window),
                mbps(backup_rate)
            ));
        }
        if matches!(tool, Tool::PgBackRest | Tool::WalG) {
            let mut chosen = None;
            let mut last = None;
            for h in [6u32, 4, 3, 2, 1] {
                let (_, o) = physical_rto(i, s, t, h as f64, &r, vec![]);
                if o.meets {
                    chosen = Some((h, o));
                    break;
                }
                last = Some((h, o));
            }
            let (h, o) = match chosen {
                Some(c) => c,
                None => {
                    let (h, o) = last.expect("candidates");
                    let budget = i.rto_s as f64 - OVERHEAD_S - w / 24.0 / r.replay;
                    to_meet.push(if budget > 0.0 {
                        format!(
                            "RTO {}: even with hourly incrementals a restore needs {}; it needs {} of restore throughput (pgBackRest process-max, local repository, faster disks), or a streaming standby to fail over to (RTO minutes).",
                            hd(i.rto_s as f64),
                            hd(o.estimate_s as f64),
                            mbps(s / budget)
                        )
                    } else {
                        format!(
                            "RTO {}: shorter than any restore of {}; run a streaming standby (Patroni or repmgr) and fail over to it; keep backups for disasters.",
                            hd(i.rto_s as f64),
                            hb(s)
                        )
                    });
                    (h, o)
                }
            };
            incr = Some(h);
            rto = o;
            method = format!(
                "physical: {} full{}, incremental every {} h, continuous WAL archiving (archive_timeout {} s)",
                if differential {
                    "weekly (Sunday 02:00 UTC)"
                } else {
                    "daily (02:00 UTC)"
                },
                if differential {
                    ", daily differential"
                } else {
                    ""
                },
                h,
                archive_timeout
            );
        } else {
            incr = None;
            if bb_t < t {
                assumptions.push(format!(
                    "pg_basebackup's tar.gz is extracted in one stream: restore throughput capped at {} instead of {}.",
                    mbps(bb_t),
                    mbps(t)
                ));
            }
            let (_, o) = physical_rto(i, s, bb_t, 24.0, &r, vec![]);
            if !o.meets {
                to_meet.push(format!(
                    "RTO {}: a daily base backup means replaying up to a day of WAL; use pgBackRest or WAL-G with incrementals every few hours, or a streaming standby.",
                    hd(i.rto_s as f64)
                ));
            }
            rto = o;
            method = format!(
                "physical: daily pg_basebackup (02:00 UTC, tar + gzip, with manifest), continuous WAL archiving (archive_timeout {archive_timeout} s) through kd-archive-wal.sh"
            );
        }
    }
    // RTO in 12 months.
    let rto12 = s12 / i.throughput + OVERHEAD_S;
    let mut rto = rto;
    if s12 > s * 1.05 {
        rto.steps.push(format!(
            "in 12 months the base restore alone is {} ({})",
            hd(rto12),
            hb(s12)
        ));
    }

    // Storage.
    let c = i.compression;
    let storage = storage_physical(
        i,
        full_days,
        differential,
        incr,
        log_every.is_some(),
        snapshot_every,
    );

    // Jobs.
    let b = &i.bin_dir;
    let mut jobs = Vec::new();
    if tool == Tool::PgDump {
        let every = snapshot_every.unwrap_or(86400);
        if every >= 86400 {
            jobs.push(job(
                "logical",
                86400,
                "daily, 02:00 UTC".into(),
                cal_daily(2),
                format!("{b}/kd-backup.sh logical"),
            ));
        } else {
            jobs.push(job(
                "logical",
                every,
                format!("every {}", hd(every as f64)),
                cal_every_seconds(every),
                format!("{b}/kd-backup.sh logical"),
            ));
        }
        jobs.push(restore_test_job(i, " logical"));
    } else {
        if differential {
            jobs.push(job(
                "full",
                7 * 86400,
                "weekly, Sunday 02:00 UTC".into(),
                ("Sun *-*-* 02:00:00 UTC".into(), "0 2 * * 0".into()),
                format!("{b}/kd-backup.sh full"),
            ));
            jobs.push(job(
                "diff",
                86400,
                "Monday to Saturday, 02:00 UTC".into(),
                ("Mon..Sat *-*-* 02:00:00 UTC".into(), "0 2 * * 1-6".into()),
                format!("{b}/kd-backup.sh diff"),
            ));
        } else {
            jobs.push(job(
                "full",
                86400,
                "daily, 02:00 UTC".into(),
                cal_daily(2),
                format!("{b}/kd-backup.sh full"),
            ));
        }
        if let Some(h) = incr {
            jobs.push(job(
                "incr",
                h as u64 * 3600,
                format!("every {h} h between the nightly backups"),
                cal_every_hours(h, 2, true),
                format!("{b}/kd-backup.sh incr"),
            ));
        }
        jobs.push(job(
            "logical",
            7 * 86400,
            "weekly, Saturday 03:00 UTC (portable export)".into(),
            ("Sat *-*-* 03:00:00 UTC".into(), "0 3 * * 6".into()),
            format!("{b}/kd-backup.sh logical"),
        ));
        jobs.push(restore_test_job(i, ""));
    }
    jobs.push(check_job(i));

    // Risks.
    if tool != Tool::PgDump {
        risks.push(Risk {
            risk: "archive_command failing silently: PostgreSQL keeps the WAL and retries, the backups look fine, but point-in-time recovery stops at the first missing segment and pg_wal fills the disk.".into(),
            guard: format!(
                "kd-check-backup.sh reads pg_stat_archiver and the .ready queue: critical when the last archive attempt failed or the oldest unarchived segment waits more than {}.",
                hd(thresholds(86400, log_every, i.rpo_s).log_lag_crit as f64)
            ),
        });
        risks.push(Risk {
            risk: format!(
                "WAL volume spikes (bulk loads, VACUUM FULL, index rebuilds, a stuck replication slot) can outrun archiving: the queue grows and the RPO stretches beyond {}.",
                hd(i.rpo_s as f64)
            ),
            guard: if tool == Tool::PgBackRest {
                "archive-async with process-max in pgbackrest.conf; the archive-lag alert fires before the RPO is lost; keep pg_wal on a volume with room for a day of WAL.".into()
            } else {
                "The archive-lag alert fires before the RPO is lost; keep pg_wal on a volume with room for a day of WAL.".into()
            },
        });
        risks.push(Risk {
            risk: "Physical backups restore only into the same PostgreSQL major version; after an upgrade older backups need the old binaries.".into(),
            guard: "Take a full backup right after a major upgrade (pgBackRest: stanza-upgrade first); keep the weekly logical export for portability.".into(),
        });
    } else {
        risks.push(Risk {
            risk: "A dump has no point-in-time recovery: everything after the last dump is lost.".into(),
            guard: "Accept it only while the RPO is a day or more; otherwise switch to continuous archiving.".into(),
        });
    }
    risks.push(Risk {
        risk: "recovery_target_time without a time zone is read in the server's time zone.".into(),
        guard: "Always give targets in UTC with an explicit offset, e.g. 2024-05-01 10:15:00+00 (the runbook does).".into(),
    });
    common_risks(i, &mut risks);

    let th = thresholds(full_days as u64 * 86400, log_every, i.rpo_s);
    let _ = c;
    Ok(Plan {
        tool,
        tool_choice: ToolChoice {
            name: match tool {
                Tool::PgBackRest => "pgBackRest",
                Tool::WalG => "WAL-G",
                Tool::PgBaseBackup => "pg_basebackup + archive_command",
                _ => "pg_dump",
            }
            .into(),
            method,
            reasons,
            alternatives,
        },
        full_every_days: full_days,
        differential,
        incr_every_h: incr,
        log_every_s: log_every,
        snapshot_every_s: snapshot_every,
        jobs,
        rpo,
        rto,
        storage,
        to_meet,
        risks,
        assumptions,
        thresholds: th,
        local_keep_days: local_keep_days(i),
    })
}

/// Storage for physical plans (fulls + differentials + incrementals + logs) and snapshot plans.
fn storage_physical(
    i: &Inputs,
    full_days: u32,
    differential: bool,
    incr_h: Option<u32>,
    logs: bool,
    snapshot_every: Option<u64>,
) -> Storage {
    let c = i.compression;
    let r = i.retention_days as f64;
    let mut st = Storage::default();
    let compute = |s: f64, w: f64, st: &mut Storage, record: bool| -> f64 {
        let mut steps = Vec::new();
        let total;
        if let Some(every) = snapshot_every {
            let n = tiered_count(every, i.retention_days);
            let one = s * c;
            total = n as f64 * one;
            if record {
                st.full_count = n;
                st.full_bytes = one as u64;
                steps.push(format!(
                    "snapshots kept: every one of the last 48 h ({} per day) and the first of each day up to {} days, plus the newest older one = {n}",
                    (DAY as u64 / every).max(1),
                    i.retention_days
                ));
                steps.push(format!(
                    "each snapshot {} × {:.0}% = {}; {n} × {} = {}",
                    hb(s),
                    c * 100.0,
                    hb(one),
                    hb(one),
                    hb(total)
                ));
            }
        } else {
            let fd = full_days as f64;
            let fulls = (r / fd).ceil() + 1.0;
            let covered = fulls * fd;
            let full_one = s * c;
            let diffs = if differential { covered - fulls } else { 0.0 };
            let diff_one = (w * 3.5).min(s) * c;
            let incrs = match incr_h {
                Some(h) => covered * (24.0 / h as f64 - 1.0),
                None => 0.0,
            };
            let incr_one = match incr_h {
                Some(h) => (w * h as f64 / 24.0).min(s) * c,
                None => 0.0,
            };
            let log = if logs { w * covered * c } else { 0.0 };
            total = fulls * full_one + diffs * diff_one + incrs * incr_one + log;
            if record {
                st.full_count = fulls as u64;
                st.full_bytes = full_one as u64;
                st.differential_count = diffs as u64;
                st.differential_bytes = diff_one as u64;
                st.incremental_count = incrs as u64;
                st.incremental_bytes = incr_one as u64;
                st.log_bytes = log as u64;
                steps.push(format!(
                    "full backups kept: ceil({} days / {}) + 1 = {} (the newest full older than the retention is kept so the whole window stays restorable), covering {} days",
                    i.retention_days,
                    if full_days == 7 { "7 (weekly)" } else { "1 (daily)" },
                    fulls,
                    covered
                ));
                steps.push(format!(
                    "each full {} × {:.0}% = {}; {} × {} = {}",
                    hb(s),
                    c * 100.0,
                    hb(full_one),
                    fulls,
                    hb(full_one),
                    hb(fulls * full_one)
                ));
                if differential {
                    steps.push(format!(
                        "differentials: {diffs} × (3.5 days of changes on average = {}) × {:.0}% = {}",
                        hb((w * 3.5).min(s)),
                        c * 100.0,
                        hb(diffs * diff_one)
                    ));
                }
                if let Some(h) = incr_h {
                    steps.push(format!(
                        "incrementals: {} per day × {covered} days = {incrs}, each about the changes of {h} h ({}) × {:.0}% = {}; total {}",
                        24 / h - 1,
                        hb((w * h as f64 / 24.0).min(s)),
                        c * 100.0,
                        hb(incr_one),
                        hb(incrs * incr_one)
                    ));
                }
                if logs {
                    steps.push(format!(
                        "logs since the oldest kept full: {} per day × {covered} days × {:.0}% = {}",
                        hb(w),
                        c * 100.0,
                        hb(log)
                    ));
                }
            }
        }
        if record {
            st.steps.extend(steps);
        }
        total
    };
    let now = compute(i.size, i.change_per_day, &mut st, true);
    let s12 = i.size_in_12_months();
    let w12 = i.change_per_day * s12 / i.size;
    let later = compute(s12, w12, &mut st, false);
    st.total_bytes = now as u64;
    st.total_in_12_months_bytes = later as u64;
    st.steps.push(format!("total now {}", hb(now)));
    if s12 > i.size * 1.001 {
        st.steps.push(format!(
            "in 12 months ({} of data, change volume assumed to grow in proportion) {}",
            hb(s12),
            hb(later)
        ));
    }
    if !matches!(i.target, Target::Local { .. }) {
        let keep = local_keep_days(i) as f64;
        let local = (now / i.retention_days as f64 * keep).max(i.size * c);
        st.local_bytes = local as u64;
        st.steps.push(format!(
            "local staging for the scripts: about {} days of backups = {} (the tool's own repository, when it writes straight to the target, needs none)",
            keep,
            hb(local)
        ));
    }
    st
}

// ---------------------------------------------------------------------------------------------
// MySQL / MariaDB

fn mysql(i: &Inputs, mut assumptions: Vec<String>) -> Result<Plan, KdError> {
    let r = rates(i.engine);
    let s = i.size;
    let w = i.change_per_day;
    let t = i.throughput;
    let maria = i.engine == BackupEngine::Mariadb;
    let physical_tool = if maria {
        Tool::Mariabackup
    } else {
        Tool::Xtrabackup
    };
    let dump_name = if maria { "mariadb-dump" } else { "mysqldump" };
    let phys_name = if maria {
        "mariabackup"
    } else {
        "Percona XtraBackup"
    };
    let dump_rto = s / r.logical + w / r.replay + OVERHEAD_S;
    let mut reasons = Vec::new();
    let tool = match i.forced_tool {
        Some(Tool::Mariabackup) if !maria => {
            return Err(KdError::invalid(
                "tool: mariabackup is MariaDB's; for MySQL 8 use xtrabackup (Percona XtraBackup of the server's version) or mysqldump",
            ));
        }
        Some(Tool::Xtrabackup) if maria => {
            return Err(KdError::invalid(
                "tool: Percona XtraBackup does not support MariaDB 10.3 and later; use mariabackup or mariadb-dump",
            ));
        }
        Some(tl) => {
            reasons.push(format!(
                "{} was requested.",
                if tl == Tool::MyDump {
                    dump_name
                } else {
                    tl.id()
                }
            ));
            tl
        }
        None => {
            if s <= 20.0 * GIB && dump_rto <= i.rto_s as f64 {
                reasons.push(format!(
                    "{} loads back in about {} and {} is simple, portable across versions, and with binlog archiving still gives point-in-time recovery.",
                    hb(s),
                    hd(s / r.logical),
                    dump_name
                ));
                Tool::MyDump
            } else {
                reasons.push(format!(
                    "{}: {} copies InnoDB files while the server runs (hot physical backup), restores at disk speed instead of re-inserting rows and rebuilding indexes, and takes page-level incrementals.",
                    if s > 20.0 * GIB { format!("{} is too large to reload from a dump in time", hb(s)) } else { "A dump reload would exceed the RTO".into() },
                    phys_name
                ));
                physical_tool
            }
        }
    };
    if !maria && tool == Tool::Xtrabackup {
        reasons.push("Use the Percona XtraBackup release that matches the server's major version (8.0 for 8.0, 8.4 for 8.4).".into());
    }
    let alternatives = vec![
        format!("{phys_name}: hot physical backups with incrementals; restores at disk speed."),
        format!("{dump_name}: small databases, portable logical copies, long-term exports; slow to reload."),
        "Binlog archiving (FLUSH BINARY LOGS + copying closed binlogs) with either, for point-in-time recovery.".into(),
        "A replica (semi-synchronous) for RPO near 0 and failover in minutes; backups stay for disasters.".into(),
    ];
    let mut to_meet = Vec::new();
    let mut risks = Vec::new();
    // Binlog archiving period.
    let log_every = if i.rpo_s < DAY as u64 {
        let options = [60u64, 120, 180, 300, 600, 900, 1200, 1800, 3600];
        Some(largest_at_most(&options, (i.rpo_s / 3).max(1)).unwrap_or(60))
    } else {
        None
    };
    let rpo = match log_every {
        Some(e) => {
            let mut o = rpo_continuous(
                i,
                e + 10,
                "Binlogs are closed (FLUSH BINARY LOGS) and copied off the server, taking about 10 s, on a timer",
            );
            o.steps.insert(
                0,
                format!("kd-backup.sh binlog runs every {}", hd(e as f64)),
            );
            if !o.meets {
                to_meet.push(format!(
                    "RPO {}: copying closed binlogs on a timer cannot go below a few minutes; stream them continuously (mariadb-binlog --read-from-remote-server --raw --stop-never on the backup host) or run a semi-synchronous replica.",
                    hd(i.rpo_s as f64)
                ));
            }
            o
        }
        None => rpo_snapshots(i, 86400, s / (100.0 * MIB), "A full backup"),
    };
    let (incr, rto, method);
    if tool == Tool::MyDump {
        incr = None;
        let mut parts = vec![(
            s / r.logical,
            format!(
                "reload {} from the dump (rows and index builds) at {}",
                hb(s),
                mbps(r.logical)
            ),
        )];
        if log_every.is_some() {
            parts.push((
                w / r.replay,
                format!(
                    "replay up to a day of binlogs ({}) at {}",
                    hb(w),
                    mbps(r.replay)
                ),
            ));
        }
        rto = RtoParts { parts }.objective(i);
        if !rto.meets {
            to_meet.push(format!(
                "RTO {}: a dump reload is too slow for {}; use {phys_name} with incrementals, or a replica to fail over to.",
                hd(i.rto_s as f64),
                hb(s)
            ));
        }
        method = format!(
            "logical: daily {dump_name} --single-transaction (02:00 UTC){}",
            match log_every {
                Some(e) => format!(", binlogs archived every {}", hd(e as f64)),
                None => String::new(),
            }
        );
    } else {
        let mut chosen = None;
        let mut last = None;
        for h in [6u32, 4, 3, 2, 1] {
            let applied = (24.0 / h as f64 - 1.0).max(0.0) * (w * h as f64 / 24.0).min(s);
            let extra = vec![(
                applied / t + 60.0,
                format!(
                    "prepare the full (apply its redo, about 1 min) and apply up to {} incrementals ({}) at {}",
                    24 / h - 1,
                    hb(applied),
                    mbps(t)
                ),
            )];
            let (_, o) = physical_rto(i, s, t, h as f64, &r, extra);
            if o.meets {
                chosen = Some((h, o));
                break;
            }
            last = Some((h, o));
        }
        let (h, o) = match chosen {
            Some(c) => c,
            None => {
                let (h, o) = last.expect("candidates");
                to_meet.push(format!(
                    "RTO {}: even with hourly incrementals a restore takes about {}; run a replica to fail over to and keep backups for disasters.",
                    hd(i.rto_s as f64),
                    hd(o.estimate_s as f64)
                ));
                (h, o)
            }
        };
        incr = Some(h);
        rto = o;
        method = format!(
            "physical: daily full {phys_name} (02:00 UTC), incremental every {h} h{}",
            match log_every {
                Some(e) => format!(", binlogs archived every {}", hd(e as f64)),
                None => String::new(),
            }
        );
    }
    if i.change_assumed {
        assumptions.push("Binlog volume assumed equal to the change volume above.".into());
    }
    let storage = storage_physical(i, 1, false, incr, log_every.is_some(), None);
    let b = &i.bin_dir;
    let mut jobs = Vec::new();
    if tool == Tool::MyDump {
        jobs.push(job(
            "logical",
            86400,
            "daily, 02:00 UTC".into(),
            cal_daily(2),
            format!("{b}/kd-backup.sh logical"),
        ));
    } else {
        jobs.push(job(
            "full",
            86400,
            "daily, 02:00 UTC".into(),
            cal_daily(2),
            format!("{b}/kd-backup.sh full"),
        ));
        if let Some(h) = incr {
            jobs.push(job(
                "incr",
                h as u64 * 3600,
                format!("every {h} h between the nightly backups"),
                cal_every_hours(h, 2, true),
                format!("{b}/kd-backup.sh incr"),
            ));
        }
        jobs.push(job(
            "logical",
            7 * 86400,
            "weekly, Saturday 03:00 UTC (portable export)".into(),
            ("Sat *-*-* 03:00:00 UTC".into(), "0 3 * * 6".into()),
            format!("{b}/kd-backup.sh logical"),
        ));
    }
    if let Some(e) = log_every {
        jobs.push(job(
            "binlog",
            e,
            format!("every {}", hd(e as f64)),
            cal_every_seconds(e),
            format!("{b}/kd-backup.sh binlog"),
        ));
    }
    jobs.push(restore_test_job(
        i,
        if tool == Tool::MyDump { " logical" } else { "" },
    ));
    jobs.push(check_job(i));
    risks.push(Risk {
        risk: "Binlogs expire on the server (binlog_expire_logs_seconds / expire_logs_days) before a failing archive job copied them: a gap no restore can cross.".into(),
        guard: "Keep binlogs on the server for 7 days (my.cnf fragment); the check alerts when the last binlog archive is older than its threshold.".into(),
    });
    risks.push(Risk {
        risk: "sync_binlog or innodb_flush_log_at_trx_commit other than 1: a crash loses committed transactions from the binlog, and point-in-time recovery replays a different history.".into(),
        guard: "The my.cnf fragment sets both to 1 and binlog_format=ROW.".into(),
    });
    if tool == Tool::MyDump {
        risks.push(Risk {
            risk: "Non-InnoDB tables (MyISAM, Aria) are not consistent under --single-transaction."
                .into(),
            guard: "Convert them to InnoDB, or dump with --lock-all-tables in a quiet window."
                .into(),
        });
    } else {
        risks.push(Risk {
            risk: format!(
                "{phys_name} must match the server version; a backup taken by an older tool may not prepare."
            ),
            guard: "Upgrade the backup tool together with the server, and take a new full right after.".into(),
        });
    }
    common_risks(i, &mut risks);
    let th = thresholds(86400, log_every, i.rpo_s);
    Ok(Plan {
        tool,
        tool_choice: ToolChoice {
            name: match tool {
                Tool::MyDump => format!("{dump_name} + binlog archiving"),
                _ => format!("{phys_name} + binlog archiving"),
            },
            method,
            reasons,
            alternatives,
        },
        full_every_days: 1,
        differential: false,
        incr_every_h: incr,
        log_every_s: log_every,
        snapshot_every_s: None,
        jobs,
        rpo,
        rto,
        storage,
        to_meet,
        risks,
        assumptions,
        thresholds: th,
        local_keep_days: local_keep_days(i),
    })
}

// ---------------------------------------------------------------------------------------------
// SQLite

const SNAPSHOT_PERIODS: [u64; 12] = [
    300, 600, 900, 1800, 3600, 7200, 10800, 14400, 21600, 28800, 43200, 86400,
];

fn sqlite(i: &Inputs, mut assumptions: Vec<String>) -> Result<Plan, KdError> {
    let s = i.size;
    let t = i.throughput;
    let mut reasons = Vec::new();
    let tool = match i.forced_tool {
        Some(tl) => {
            reasons.push(format!("{} was requested.", tl.id()));
            tl
        }
        None if i.rpo_s < 3600 => {
            reasons.push(format!(
                "An RPO of {} is below what periodic copies can give cheaply; Litestream streams the WAL to the target continuously (about 1 s behind).",
                hd(i.rpo_s as f64)
            ));
            Tool::Litestream
        }
        None => {
            reasons.push("The sqlite3 online backup API (.backup) copies a consistent snapshot while the application keeps writing; the copy is checked with PRAGMA integrity_check before it is kept.".into());
            Tool::Sqlite3
        }
    };
    let copy_dur = s / (200.0 * MIB);
    let mut to_meet = Vec::new();
    let (rpo, snapshot_every, log_every, method);
    if tool == Tool::Litestream {
        log_every = Some(1);
        snapshot_every = Some(86400);
        rpo = rpo_continuous(i, 1, "Litestream ships WAL frames (sync-interval 1 s)");
        method = "continuous: Litestream replication (sync-interval 1 s, snapshot every 24 h) plus a daily .backup snapshot (02:00 UTC) checked with integrity_check".into();
        reasons.push("A daily .backup snapshot is kept as well: it does not depend on Litestream and is what the weekly restore test verifies.".into());
    } else {
        let every = largest_at_most(
            &SNAPSHOT_PERIODS,
            i.rpo_s.saturating_sub(copy_dur.ceil() as u64 + 1),
        )
        .unwrap_or(300);
        snapshot_every = Some(every);
        log_every = None;
        rpo = rpo_snapshots(i, every, copy_dur, "sqlite3 .backup");
        if !rpo.meets {
            to_meet.push(format!(
                "RPO {}: use Litestream for continuous replication (about 1 s).",
                hd(i.rpo_s as f64)
            ));
        }
        method = format!(
            "snapshots: sqlite3 .backup every {}, integrity-checked and compressed",
            hd(every as f64)
        );
    }
    assumptions.push(format!(
        "Copying the database file runs at 200 MB/s: {} takes {}.",
        hb(s),
        hd(copy_dur)
    ));
    let rto = RtoParts {
        parts: vec![(
            s / t + copy_dur,
            format!(
                "fetch and decompress {} at {}, integrity check",
                hb(s),
                mbps(t)
            ),
        )],
    }
    .objective(i);
    if !rto.meets {
        to_meet.push("RTO: keep a warm copy next to the application (Litestream restore into place ahead of time).".into());
    }
    let mut storage = storage_physical(i, 1, false, None, false, snapshot_every);
    if tool == Tool::Litestream {
        let gens = i.retention_days as f64 + 1.0;
        let wal = i.change_per_day * i.retention_days as f64 * i.compression;
        let lt = gens * s * i.compression + wal;
        storage.log_bytes = wal as u64;
        storage.total_bytes += lt as u64;
        storage.total_in_12_months_bytes +=
            (gens * i.size_in_12_months() * i.compression + wal) as u64;
        storage.steps.push(format!(
            "Litestream replica: {} daily snapshots × {} + {} of WAL ({} per day × {} days × {:.0}%) = {}",
            gens,
            hb(s * i.compression),
            hb(wal),
            hb(i.change_per_day),
            i.retention_days,
            i.compression * 100.0,
            hb(lt)
        ));
    }
    let b = &i.bin_dir;
    let every = snapshot_every.unwrap_or(86400);
    let mut jobs = vec![if every >= 86400 {
        job(
            "snapshot",
            86400,
            "daily, 02:00 UTC".into(),
            cal_daily(2),
            format!("{b}/kd-backup.sh snapshot"),
        )
    } else {
        job(
            "snapshot",
            every,
            format!("every {}", hd(every as f64)),
            cal_every_seconds(every),
            format!("{b}/kd-backup.sh snapshot"),
        )
    }];
    jobs.push(restore_test_job(i, ""));
    jobs.push(check_job(i));
    let mut risks = vec![
        Risk {
            risk: "Copying the file with cp or rsync while the application writes gives a torn, corrupt copy (and misses the -wal file).".into(),
            guard: "The scripts use the online backup API (.backup) or VACUUM INTO, never a file copy.".into(),
        },
        Risk {
            risk: "Restoring over a database while a stale -wal or -shm file sits next to it corrupts the restored file.".into(),
            guard: "kd-restore.sh stops if the application may be running and removes the old -wal and -shm files when it replaces the database.".into(),
        },
    ];
    if tool == Tool::Litestream {
        risks.push(Risk {
            risk: "Litestream only replicates while it runs and the database is in WAL mode; changes made while it is stopped are caught only by the next snapshot.".into(),
            guard: "Run it as a systemd service with Restart=always; the check alerts when the daily snapshot is late; keep journal_mode=WAL.".into(),
        });
    }
    common_risks(i, &mut risks);
    let th = thresholds(every, None, i.rpo_s);
    Ok(Plan {
        tool,
        tool_choice: ToolChoice {
            name: if tool == Tool::Litestream {
                "Litestream + sqlite3 .backup".into()
            } else {
                "sqlite3 .backup".into()
            },
            method,
            reasons,
            alternatives: vec![
                "sqlite3 .backup / VACUUM INTO: consistent online copies on a timer; VACUUM INTO also compacts the copy.".into(),
                "Litestream: continuous replication of the WAL to S3 or a directory; RPO about a second.".into(),
            ],
        },
        full_every_days: 1,
        differential: false,
        incr_every_h: None,
        log_every_s: log_every,
        snapshot_every_s: snapshot_every,
        jobs,
        rpo,
        rto,
        storage,
        to_meet,
        risks,
        assumptions,
        thresholds: th,
        local_keep_days: local_keep_days(i),
    })
}

// ---------------------------------------------------------------------------------------------
// Redis

fn redis(i: &Inputs, mut assumptions: Vec<String>) -> Result<Plan, KdError> {
    let s = i.size;
    let rdb = s * i.compression;
    let dump_dur = rdb / (100.0 * MIB);
    let every = largest_at_most(
        &SNAPSHOT_PERIODS,
        i.rpo_s.saturating_sub(dump_dur.ceil() as u64 + 10),
    )
    .unwrap_or(300);
    let mut to_meet = Vec::new();
    let rpo = rpo_snapshots(
        i,
        every,
        dump_dur,
        "redis-cli --rdb copies a fresh RDB snapshot off the server",
    );
    if !rpo.meets {
        to_meet.push(format!(
            "RPO {}: off-host copies cannot be that frequent; run a replica (Redis replication or Sentinel) for failover; AOF (appendfsync everysec) only protects against a crash on the same host.",
            hd(i.rpo_s as f64)
        ));
    }
    assumptions.push(format!(
        "The RDB file is {:.0}% of used memory ({}) and loads at 100 MB/s.",
        i.compression * 100.0,
        hb(rdb)
    ));
    let rto = RtoParts {
        parts: vec![
            (
                rdb / i.throughput,
                format!("fetch {} at {}", hb(rdb), mbps(i.throughput)),
            ),
            (
                rdb / (100.0 * MIB),
                format!("load {} into memory at 100 MB/s", hb(rdb)),
            ),
        ],
    }
    .objective(i);
    if !rto.meets {
        to_meet.push("RTO: fail over to a replica instead of restoring.".into());
    }
    let storage = storage_physical(i, 1, false, None, false, Some(every));
    let b = &i.bin_dir;
    let jobs = vec![
        if every >= 86400 {
            job(
                "snapshot",
                86400,
                "daily, 02:00 UTC".into(),
                cal_daily(2),
                format!("{b}/kd-backup.sh snapshot"),
            )
        } else {
            job(
                "snapshot",
                every,
                format!("every {}", hd(every as f64)),
                cal_every_seconds(every),
                format!("{b}/kd-backup.sh snapshot"),
            )
        },
        restore_test_job(i, ""),
        check_job(i),
    ];
    let mut risks = vec![
        Risk {
            risk: "With appendonly yes Redis loads the AOF, not the RDB, at start-up: a restored dump.rdb is silently ignored.".into(),
            guard: "kd-restore.sh starts the restored data with appendonly no and then turns AOF back on with CONFIG SET appendonly yes, which rewrites the AOF from memory.".into(),
        },
        Risk {
            risk: "BGSAVE forks: under heavy writes copy-on-write can need up to the dataset size again in memory; the save fails or the OOM killer strikes.".into(),
            guard: "Leave memory headroom (maxmemory at most 60-70% of RAM), vm.overcommit_memory=1; the check reads rdb_last_bgsave_status.".into(),
        },
        Risk {
            risk: "Managed Redis (ElastiCache, Memorystore) refuses SYNC, so redis-cli --rdb fails there.".into(),
            guard: "Use the provider's snapshot export instead.".into(),
        },
    ];
    common_risks(i, &mut risks);
    let th = thresholds(every, None, i.rpo_s);
    Ok(Plan {
        tool: Tool::RedisRdb,
        tool_choice: ToolChoice {
            name: "RDB snapshots (redis-cli --rdb) + AOF".into(),
            method: format!(
                "RDB copy every {} taken over the replication protocol, checked with redis-check-rdb; AOF everysec on the server for crash safety",
                hd(every as f64)
            ),
            reasons: vec![
                "redis-cli --rdb asks the server for a fresh RDB over the replication protocol: no file access on the server, a consistent point-in-time snapshot.".into(),
                "AOF (appendfsync everysec, RDB preamble) bounds loss after a crash of the process to about 1 s, but lives on the same host: it is durability, not a backup.".into(),
            ],
            alternatives: vec!["A replica (and Sentinel or Cluster) for failover with near-zero loss.".into()],
        },
        full_every_days: 1,
        differential: false,
        incr_every_h: None,
        log_every_s: None,
        snapshot_every_s: Some(every),
        jobs,
        rpo,
        rto,
        storage,
        to_meet,
        risks,
        assumptions,
        thresholds: th,
        local_keep_days: local_keep_days(i),
    })
}

// ---------------------------------------------------------------------------------------------
// MongoDB

fn mongodb(i: &Inputs, assumptions: Vec<String>) -> Result<Plan, KdError> {
    let r = rates(i.engine);
    let s = i.size;
    let w = i.change_per_day;
    let mut reasons = Vec::new();
    let tool = match i.forced_tool {
        Some(tl) => {
            reasons.push(format!("{} was requested.", tl.id()));
            tl
        }
        None if i.rpo_s >= 86400 && s <= 100.0 * GIB => {
            reasons.push("A daily mongodump --oplog gives a consistent copy of a replica set and meets a one-day RPO; nothing else to run.".into());
            Tool::Mongodump
        }
        None => {
            reasons.push("Percona Backup for MongoDB (pbm) takes consistent backups of replica sets and sharded clusters and saves oplog slices continuously for point-in-time recovery; mongodump cannot do either across shards.".into());
            Tool::Pbm
        }
    };
    let mut to_meet = Vec::new();
    let (rpo, log_every, method);
    if tool == Tool::Pbm {
        let span = largest_at_most(&[60, 120, 300, 600], i.rpo_s / 2).unwrap_or(60);
        log_every = Some(span);
        rpo = rpo_continuous(i, span, "pbm saves an oplog slice (pitr.oplogSpanMin)");
        method = format!(
            "daily pbm logical backup (02:00 UTC) with point-in-time recovery: oplog slices every {} min",
            span / 60
        );
    } else {
        log_every = None;
        rpo = rpo_snapshots(i, 86400, s / (50.0 * MIB), "mongodump --oplog");
        method = "daily mongodump --oplog --gzip --archive (02:00 UTC)".into();
    }
    if !rpo.meets {
        to_meet.push(format!(
            "RPO {}: use pbm with point-in-time recovery, and a replica set (w: majority) for failover.",
            hd(i.rpo_s as f64)
        ));
    }
    let mut parts = vec![(
        s / r.logical,
        format!(
            "mongorestore of {} with index builds at {}",
            hb(s),
            mbps(r.logical)
        ),
    )];
    if tool == Tool::Pbm {
        parts.push((
            w / r.replay,
            format!(
                "replay up to a day of oplog ({}) at {}",
                hb(w),
                mbps(r.replay)
            ),
        ));
    }
    let rto = RtoParts { parts }.objective(i);
    if !rto.meets {
        to_meet.push("RTO: physical backups (pbm physical on Percona Server for MongoDB, or filesystem snapshots) restore at disk speed; a replica set member fails over in seconds.".into());
    }
    let storage = storage_physical(i, 1, false, None, log_every.is_some(), None);
    let b = &i.bin_dir;
    let jobs = vec![
        job(
            "full",
            86400,
            "daily, 02:00 UTC".into(),
            cal_daily(2),
            format!("{b}/kd-backup.sh full"),
        ),
        restore_test_job(i, ""),
        check_job(i),
    ];
    let mut risks = vec![
        Risk {
            risk: "mongodump without --oplog, or of a sharded cluster through mongos, is not a consistent snapshot.".into(),
            guard: "--oplog on a replica set; pbm for sharded clusters.".into(),
        },
        Risk {
            risk: "The oplog window (rs.printReplicationInfo) shorter than the time between backups leaves a gap for point-in-time recovery.".into(),
            guard: "Size the oplog for at least 2 days of writes; the check alerts when the last backup is late.".into(),
        },
    ];
    common_risks(i, &mut risks);
    let th = thresholds(86400, log_every, i.rpo_s);
    Ok(Plan {
        tool,
        tool_choice: ToolChoice {
            name: if tool == Tool::Pbm { "Percona Backup for MongoDB (pbm)".into() } else { "mongodump --oplog".into() },
            method,
            reasons,
            alternatives: vec![
                "mongodump --oplog: small replica sets, daily copies.".into(),
                "pbm: replica sets and sharded clusters, point-in-time recovery, physical backups on Percona Server.".into(),
            ],
        },
        full_every_days: 1,
        differential: false,
        incr_every_h: None,
        log_every_s: log_every,
        snapshot_every_s: None,
        jobs,
        rpo,
        rto,
        storage,
        to_meet,
        risks,
        assumptions,
        thresholds: th,
        local_keep_days: local_keep_days(i),
    })
}

// ---------------------------------------------------------------------------------------------
// Managed services

fn managed_plan(i: &Inputs, mut assumptions: Vec<String>) -> Result<Plan, KdError> {
    let r = rates(i.engine);
    let s = i.size;
    let w = i.change_per_day;
    let (pitr_max_days, log_upload_s) = match i.hosting {
        Hosting::CloudSql => (7u64, 300u64),
        _ => (35, 300),
    };
    assumptions.push(format!(
        "{} keeps automated backups and transaction logs for point-in-time recovery for at most {} days, uploading logs about every {} (provider documentation; check your tier).",
        i.hosting.name(),
        pitr_max_days,
        hd(log_upload_s as f64)
    ));
    let rpo = rpo_continuous(i, log_upload_s, "The platform uploads transaction logs");
    let mut to_meet = Vec::new();
    if !rpo.meets {
        to_meet.push(format!(
            "RPO {}: the platform's log uploads are about 5 minutes apart; use a synchronous or Multi-AZ standby (RDS Multi-AZ, Aurora, Cloud SQL HA, Azure zone-redundant HA) for failover without loss.",
            hd(i.rpo_s as f64)
        ));
    }
    let provision = 15.0 * 60.0;
    assumptions.push(
        "A point-in-time restore creates a new instance: 15 min to provision before the data is usable (measure it in a drill).".into(),
    );
    let rto = RtoParts {
        parts: vec![
            (
                provision,
                "provision the new instance from the snapshot".into(),
            ),
            (
                w / r.replay,
                format!(
                    "replay up to a day of logs ({}) at {}",
                    hb(w),
                    mbps(r.replay)
                ),
            ),
        ],
    }
    .objective(i);
    if !rto.meets {
        to_meet.push("RTO: fail over to the platform's standby (Multi-AZ / HA) instead of restoring; restores always build a new instance.".into());
    }
    let dump_name = match i.engine {
        BackupEngine::Postgres => "pg_dump -Fc",
        BackupEngine::Mariadb => "mariadb-dump",
        _ => "mysqldump",
    };
    let weekly = 7 * 86400;
    let mut storage = Storage::default();
    let exports = (i.retention_days as f64 / 7.0).ceil() + 1.0;
    let one = s * i.compression;
    storage.full_count = exports as u64;
    storage.full_bytes = one as u64;
    storage.total_bytes = (exports * one) as u64;
    storage.total_in_12_months_bytes = (exports * i.size_in_12_months() * i.compression) as u64;
    storage
        .steps
        .push("the platform's own backups are billed by the provider and not counted here".into());
    storage.steps.push(format!(
        "weekly logical exports kept {} days: ceil({} / 7) + 1 = {} × {} ({} × {:.0}%) = {}",
        i.retention_days,
        i.retention_days,
        exports,
        hb(one),
        hb(s),
        i.compression * 100.0,
        hb(exports * one)
    ));
    let b = &i.bin_dir;
    let jobs = vec![
        job(
            "logical",
            7 * 86400,
            "weekly, Saturday 03:00 UTC (export outside the platform)".into(),
            ("Sat *-*-* 03:00:00 UTC".into(), "0 3 * * 6".into()),
            format!("{b}/kd-backup.sh logical"),
        ),
        restore_test_job(i, " logical"),
        check_job(i),
    ];
    let mut risks = vec![Risk {
        risk: format!(
            "Retention of {} days {} the platform's limit of {} days for point-in-time recovery.",
            i.retention_days,
            if i.retention_days > pitr_max_days { "exceeds" } else { "is within" },
            pitr_max_days
        ),
        guard: "Weekly logical exports to your own bucket, kept for the full retention (generated below).".into(),
    }];
    common_risks(i, &mut risks);
    let _ = weekly;
    let th = thresholds(7 * 86400, None, i.rpo_s);
    Ok(Plan {
        tool: match i.engine {
            BackupEngine::Postgres => Tool::PgDump,
            _ => Tool::MyDump,
        },
        tool_choice: ToolChoice {
            name: format!("{} automated backups + {dump_name} exports", i.hosting.name()),
            method: format!(
                "the platform's daily snapshots and log backups (PITR up to {pitr_max_days} days), plus weekly logical exports to your own storage and a weekly restore drill"
            ),
            reasons: vec![
                "On a managed service you cannot archive WAL/binlogs yourself; the platform's point-in-time recovery is the primary restore path.".into(),
                "Logical exports outside the platform cover retention beyond its limit, account or region loss, and moving away.".into(),
            ],
            alternatives: vec![
                "AWS Backup / cross-region automated backup replication for copies outside the region.".into(),
            ],
        },
        full_every_days: 7,
        differential: false,
        incr_every_h: None,
        log_every_s: None,
        snapshot_every_s: Some(weekly),
        jobs,
        rpo,
        rto,
        storage,
        to_meet,
        risks,
        assumptions,
        thresholds: th,
        local_keep_days: local_keep_days(i),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(engine: BackupEngine, size: &str, rpo: &str, rto: &str, target: &str) -> BackupRequest {
        BackupRequest {
            engine,
            version: None,
            size: size.into(),
            growth: None,
            change_rate: None,
            rpo: rpo.into(),
            rto: rto.into(),
            target: target.into(),
            retention: None,
            encrypt: None,
            hosting: None,
            tool: None,
            database: None,
            verify_tables: vec![],
            data_dir: None,
            host: None,
            bin_dir: None,
            config_dir: None,
            compression: None,
            throughput: None,
        }
    }

    #[test]
    fn role_card_default_for_postgres() {
        let mut r = req(
            BackupEngine::Postgres,
            "200GB",
            "15m",
            "1h",
            "s3://bucket/pg",
        );
        r.growth = Some("5GB/month".into());
        r.change_rate = Some("20GB/day".into());
        let i = Inputs::from_request(&r).unwrap();
        let p = plan(&i).unwrap();
        assert_eq!(p.tool, Tool::PgBackRest);
        assert_eq!(p.incr_every_h, Some(6));
        assert_eq!(p.full_every_days, 1);
        assert_eq!(p.log_every_s, Some(60));
        // RPO: 60 s archive_timeout + 10 s push to S3.
        assert_eq!(p.rpo.estimate_s, 70);
        assert!(p.rpo.meets);
        // RTO: 200 GiB / 150 MiB/s = 1365.33 s; 6 h of 20 GiB/day = 5 GiB / 40 MiB/s = 128 s;
        // + 600 s overhead = 2093.33 s -> 2094 s.
        assert_eq!(p.rto.estimate_s, 2094);
        assert!(p.rto.meets);
        // Storage: 31 fulls × 70 GiB + 31×3 incrementals × (5 GiB × 0.35) + 20 GiB × 31 × 0.35.
        let gib = 1024f64.powi(3);
        let expect = 31.0 * 70.0 * gib + 93.0 * 1.75 * gib + 20.0 * 31.0 * 0.35 * gib;
        assert!(
            (p.storage.total_bytes as f64 - expect).abs() < 1024.0,
            "{}",
            p.storage.total_bytes
        );
        assert_eq!(p.storage.full_count, 31);
        assert_eq!(p.storage.incremental_count, 93);
        let ids: Vec<&str> = p.jobs.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids, ["full", "incr", "logical", "restore-test", "check"]);
        assert_eq!(p.jobs[1].on_calendar, "*-*-* 08,14,20:00:00 UTC");
        assert_eq!(p.jobs[1].cron, "0 8,14,20 * * *");
    }

    #[test]
    fn unmeetable_targets_say_what_would_meet_them() {
        let r = req(BackupEngine::Postgres, "2TB", "10s", "15m", "s3://b/p");
        let p = plan(&Inputs::from_request(&r).unwrap()).unwrap();
        assert!(!p.rpo.meets && !p.rto.meets);
        assert!(
            p.to_meet.iter().any(|t| t.contains("synchronous")),
            "{:?}",
            p.to_meet
        );
        assert!(
            p.to_meet.iter().any(|t| t.contains("standby")),
            "{:?}",
            p.to_meet
        );
    }

    #[test]
    fn small_local_postgres_uses_pg_basebackup_and_lax_rpo_uses_pg_dump() {
        let r = req(BackupEngine::Postgres, "5GB", "15m", "1h", "/backups/pg");
        let p = plan(&Inputs::from_request(&r).unwrap()).unwrap();
        assert_eq!(p.tool, Tool::PgBaseBackup);
        assert_eq!(p.incr_every_h, None);
        let r = req(BackupEngine::Postgres, "5GB", "24h", "1h", "/backups/pg");
        let p = plan(&Inputs::from_request(&r).unwrap()).unwrap();
        assert_eq!(p.tool, Tool::PgDump);
        let mut r = req(BackupEngine::Postgres, "5GB", "15m", "1h", "s3://b/p");
        r.tool = Some("pg_basebackup".into());
        assert!(Inputs::from_request(&r).and_then(|i| plan(&i)).is_err());
    }

    #[test]
    fn large_postgres_gets_weekly_full_and_daily_differential() {
        let r = req(BackupEngine::Postgres, "4TB", "15m", "12h", "s3://b/p");
        let p = plan(&Inputs::from_request(&r).unwrap()).unwrap();
        assert!(p.differential);
        assert_eq!(p.full_every_days, 7);
        // ceil(30 / 7) + 1 = 6 fulls covering 42 days, 36 differentials.
        assert_eq!(p.storage.full_count, 6);
        assert_eq!(p.storage.differential_count, 36);
    }

    #[test]
    fn mysql_tool_choice_and_binlog_period() {
        let r = req(BackupEngine::Mariadb, "10GB", "15m", "4h", "/backups/my");
        let p = plan(&Inputs::from_request(&r).unwrap()).unwrap();
        assert_eq!(p.tool, Tool::MyDump);
        assert_eq!(p.log_every_s, Some(300));
        let r = req(BackupEngine::Mariadb, "500GB", "15m", "4h", "/backups/my");
        let p = plan(&Inputs::from_request(&r).unwrap()).unwrap();
        assert_eq!(p.tool, Tool::Mariabackup);
        assert!(p.incr_every_h.is_some());
        let mut r = req(BackupEngine::Mysql, "500GB", "15m", "4h", "/b");
        r.tool = Some("mariabackup".into());
        assert!(Inputs::from_request(&r).and_then(|i| plan(&i)).is_err());
    }

    #[test]
    fn sqlite_and_redis_periods() {
        let r = req(BackupEngine::Sqlite, "2GB", "15m", "1h", "/backups/app");
        let p = plan(&Inputs::from_request(&r).unwrap()).unwrap();
        assert_eq!(p.tool, Tool::Litestream);
        let r = req(BackupEngine::Sqlite, "2GB", "6h", "1h", "/backups/app");
        let p = plan(&Inputs::from_request(&r).unwrap()).unwrap();
        assert_eq!(p.tool, Tool::Sqlite3);
        assert_eq!(p.snapshot_every_s, Some(14400));
        // 2 days × 6 per day + 28 dailies + 1.
        assert_eq!(p.storage.full_count, 41);
        let r = req(BackupEngine::Redis, "4GB", "1h", "30m", "/backups/redis");
        let p = plan(&Inputs::from_request(&r).unwrap()).unwrap();
        assert_eq!(p.snapshot_every_s, Some(1800));
    }

    #[test]
    fn bad_inputs_are_clear_errors() {
        let mut r = req(BackupEngine::Postgres, "lots", "15m", "1h", "/b");
        assert!(
            Inputs::from_request(&r)
                .unwrap_err()
                .to_string()
                .starts_with("size:")
        );
        r.size = "1GB".into();
        r.rto = "0".into();
        assert!(
            Inputs::from_request(&r)
                .unwrap_err()
                .to_string()
                .starts_with("rto:")
        );
        r.rto = "1h".into();
        r.tool = Some("mongodump".into());
        assert!(
            Inputs::from_request(&r)
                .unwrap_err()
                .to_string()
                .starts_with("tool:")
        );
        r.tool = None;
        r.verify_tables = vec!["orders; drop".into()];
        assert!(
            Inputs::from_request(&r)
                .unwrap_err()
                .to_string()
                .starts_with("verify_tables:")
        );
    }

    #[test]
    fn tiered_counts() {
        assert_eq!(tiered_count(86400, 30), 31);
        assert_eq!(tiered_count(3600, 30), 48 + 28 + 1);
        assert_eq!(tiered_count(3600, 1), 24 + 1);
    }
}

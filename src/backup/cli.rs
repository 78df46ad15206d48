//! `kd-dba backup`: the CLI door of `KD-db-backup`.

use super::{BackupEngine, BackupRequest, GenFile, Hosting, backup};
use crate::error::KdError;
use crate::limits::Limits;
use clap::Args;
use std::path::Path;

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Read the whole request as JSON from FILE (`-` for stdin); the other options are ignored.
    #[arg(long, value_name = "FILE")]
    pub input: Option<String>,
    /// postgres, mysql, mariadb, sqlite, mongodb or redis.
    #[arg(long)]
    pub engine: Option<String>,
    /// Major version, e.g. 16, 10.11, 8.0.
    #[arg(long = "version", alias = "db-version", value_name = "VERSION")]
    pub db_version: Option<String>,
    /// Data size now, e.g. 200GB.
    #[arg(long)]
    pub size: Option<String>,
    /// Growth, e.g. 5GB/month.
    #[arg(long)]
    pub growth: Option<String>,
    /// WAL/binlog volume, e.g. 20GB/day.
    #[arg(long)]
    pub change_rate: Option<String>,
    /// Most data you may lose, e.g. 15m.
    #[arg(long)]
    pub rpo: Option<String>,
    /// Longest a restore may take, e.g. 1h.
    #[arg(long)]
    pub rto: Option<String>,
    /// /path, s3://bucket/prefix or ssh://user@host/path.
    #[arg(long)]
    pub target: Option<String>,
    /// e.g. 30d (default).
    #[arg(long)]
    pub retention: Option<String>,
    /// Encrypt backups (default: on for s3 and ssh targets).
    #[arg(long, overrides_with = "no_encrypt")]
    pub encrypt: bool,
    #[arg(long)]
    pub no_encrypt: bool,
    /// vm, bare_metal, kubernetes, rds, aurora, cloud_sql or azure.
    #[arg(long)]
    pub hosting: Option<String>,
    /// Force a tool (pgbackrest, wal-g, pg_basebackup, pg_dump, mariabackup, ...).
    #[arg(long)]
    pub tool: Option<String>,
    /// Database name (SQLite: the database file).
    #[arg(long)]
    pub database: Option<String>,
    /// A table the restore test counts and checksums (repeatable).
    #[arg(long = "verify-table", value_name = "TABLE")]
    pub verify_tables: Vec<String>,
    #[arg(long)]
    pub data_dir: Option<String>,
    /// Server host or endpoint (required for managed services).
    #[arg(long)]
    pub host: Option<String>,
    #[arg(long)]
    pub bin_dir: Option<String>,
    #[arg(long)]
    pub config_dir: Option<String>,
    /// Assumed compressed/raw ratio, e.g. 0.35.
    #[arg(long)]
    pub compression: Option<f64>,
    /// Assumed restore throughput, e.g. 200MB/s.
    #[arg(long)]
    pub throughput: Option<String>,
    /// Write the generated files under DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<String>,
    /// With --out: replace files that exist with other content.
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub json: bool,
}

/// The text of FILE, or of stdin for `-`.
pub fn read_arg_file(f: &str) -> Result<String, KdError> {
    if f == "-" {
        use std::io::Read;
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| KdError::input(format!("cannot read stdin: {e}")))?;
        Ok(s)
    } else {
        std::fs::read_to_string(f).map_err(|e| KdError::input(format!("cannot read {f}: {e}")))
    }
}

fn need(v: &Option<String>, flag: &str, example: &str) -> Result<String, KdError> {
    v.clone().ok_or_else(|| {
        KdError::invalid(format!(
            "give {flag}, e.g. {flag} {example} (or the whole request with --input FILE)"
        ))
    })
}

fn request(a: &BackupArgs) -> Result<BackupRequest, KdError> {
    if let Some(f) = &a.input {
        let text = read_arg_file(f)?;
        return serde_json::from_str(&text).map_err(|e| {
            KdError::invalid(format!(
                "{f} is not a backup request: {e}; expected {{\"engine\": \"postgres\", \"size\": \"200GB\", \"rpo\": \"15m\", \"rto\": \"1h\", \"target\": \"s3://bucket/path\"}}"
            ))
        });
    }
    let engine: BackupEngine = need(&a.engine, "--engine", "postgres")?.parse()?;
    let hosting: Option<Hosting> = match &a.hosting {
        Some(h) => Some(h.parse()?),
        None => None,
    };
    Ok(BackupRequest {
        engine,
        version: a.db_version.clone(),
        size: need(&a.size, "--size", "200GB")?,
        growth: a.growth.clone(),
        change_rate: a.change_rate.clone(),
        rpo: need(&a.rpo, "--rpo", "15m")?,
        rto: need(&a.rto, "--rto", "1h")?,
        target: need(&a.target, "--target", "s3://bucket/path")?,
        retention: a.retention.clone(),
        encrypt: if a.encrypt {
            Some(true)
        } else if a.no_encrypt {
            Some(false)
        } else {
            None
        },
        hosting,
        tool: a.tool.clone(),
        database: a.database.clone(),
        verify_tables: a.verify_tables.clone(),
        data_dir: a.data_dir.clone(),
        host: a.host.clone(),
        bin_dir: a.bin_dir.clone(),
        config_dir: a.config_dir.clone(),
        compression: a.compression,
        throughput: a.throughput.clone(),
    })
}

/// Write generated files under `dir`; existing files with other content need `force`.
pub fn write_files(dir: &Path, files: &[GenFile], force: bool) -> Result<(), KdError> {
    for f in files {
        let p = dir.join(&f.path);
        if let Ok(old) = std::fs::read_to_string(&p)
            && old != f.content
            && !force
        {
            return Err(KdError::input(format!(
                "{} exists with other content; add --force to replace it, or choose another --out directory",
                p.display()
            )));
        }
    }
    for f in files {
        let p = dir.join(&f.path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| KdError::input(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&p, &f.content)
            .map_err(|e| KdError::input(format!("cannot write {}: {e}", p.display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = if f.executable { 0o755 } else { 0o644 };
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode))
                .map_err(|e| KdError::input(format!("cannot chmod {}: {e}", p.display())))?;
        }
    }
    Ok(())
}

pub fn run(a: &BackupArgs, _limits: &Limits) -> Result<(), KdError> {
    let req = request(a)?;
    let mut report = backup(&req)?;
    if let Some(out) = &a.out {
        let dir = Path::new(out);
        write_files(dir, &report.files, a.force)?;
        report.written_to = Some(dir.display().to_string());
        // Handoff artifacts point at the written files.
        for art in &mut report.handoff.artifacts {
            if let Some(p) = &art.path {
                art.path = Some(dir.join(p).display().to_string());
            }
        }
    }
    crate::cli::emit(&report, a.json, "backup/plan.md")
}

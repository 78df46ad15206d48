//! `kd-dba tune`: the CLI door of `KD-db-tune`.

use super::{TuneEngine, TuneRequest, tune};
use crate::backup::cli::{read_arg_file, write_files};
use crate::error::KdError;
use crate::limits::Limits;
use clap::Args;
use std::path::Path;

#[derive(Args, Debug)]
pub struct TuneArgs {
    /// Read the whole request as JSON from FILE (`-` for stdin); the other options are ignored.
    #[arg(long, value_name = "FILE")]
    pub input: Option<String>,
    /// postgres, mysql, mariadb or sqlite.
    #[arg(long)]
    pub engine: Option<String>,
    /// Engine version, e.g. 16, 10.11, 8.0.36.
    #[arg(long = "version", alias = "db-version", value_name = "VERSION")]
    pub db_version: Option<String>,
    /// Memory for the database, e.g. 64GB.
    #[arg(long)]
    pub ram: Option<String>,
    #[arg(long)]
    pub cores: Option<u32>,
    /// ssd, nvme, hdd or network.
    #[arg(long)]
    pub storage: Option<String>,
    /// web, oltp, dw, mixed or desktop.
    #[arg(long)]
    pub workload: Option<String>,
    #[arg(long)]
    pub connections: Option<u32>,
    /// Total data size, e.g. 300GB.
    #[arg(long)]
    pub data_size: Option<String>,
    /// linux, windows or mac.
    #[arg(long)]
    pub os: Option<String>,
    /// Current settings: a config file or saved SHOW ALL / SHOW VARIABLES output (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub current: Option<String>,
    /// Write the generated files under DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<String>,
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub json: bool,
}

fn enum_arg<T: serde::de::DeserializeOwned>(
    flag: &str,
    v: &Option<String>,
    allowed: &str,
) -> Result<Option<T>, KdError> {
    match v {
        None => Ok(None),
        Some(s) => serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase()))
            .map(Some)
            .map_err(|_| KdError::invalid(format!("{flag}: `{s}` is not one of {allowed}"))),
    }
}

fn request(a: &TuneArgs, limits: &Limits) -> Result<TuneRequest, KdError> {
    if let Some(f) = &a.input {
        let text = read_arg_file(f)?;
        return serde_json::from_str(&text).map_err(|e| {
            KdError::invalid(format!(
                "{f} is not a tune request: {e}; expected {{\"engine\": \"postgres\", \"ram\": \"64GB\", \"cores\": 16, \"storage\": \"ssd\", \"workload\": \"oltp\", \"connections\": 200}}"
            ))
        });
    }
    let engine: TuneEngine = enum_arg("--engine", &a.engine, "postgres, mysql, mariadb, sqlite")?
        .ok_or_else(|| {
        KdError::invalid(
            "give --engine postgres|mysql|mariadb|sqlite (or the whole request with --input FILE)",
        )
    })?;
    let ram = a
        .ram
        .clone()
        .ok_or_else(|| KdError::invalid("give --ram, e.g. --ram 64GB"))?;
    let current = match &a.current {
        Some(f) => {
            let t = read_arg_file(f)?;
            limits.check_bytes(t.len())?;
            Some(t)
        }
        None => None,
    };
    Ok(TuneRequest {
        engine,
        version: a.db_version.clone(),
        ram,
        cores: a.cores,
        storage: enum_arg("--storage", &a.storage, "ssd, nvme, hdd, network")?,
        workload: enum_arg("--workload", &a.workload, "web, oltp, dw, mixed, desktop")?,
        connections: a.connections,
        data_size: a.data_size.clone(),
        os: enum_arg("--os", &a.os, "linux, windows, mac")?,
        current,
    })
}

pub fn run(a: &TuneArgs, limits: &Limits) -> Result<(), KdError> {
    let req = request(a, limits)?;
    let mut report = tune(&req)?;
    if let Some(out) = &a.out {
        let dir = Path::new(out);
        write_files(dir, &report.files, a.force)?;
        report.written_to = Some(dir.display().to_string());
        for art in &mut report.handoff.artifacts {
            if let Some(p) = &art.path {
                art.path = Some(dir.join(p).display().to_string());
            }
        }
    }
    crate::cli::emit(&report, a.json, "tune/tune.md")
}

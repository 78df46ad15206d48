//! Helpers for the backup and tune tests: external tools (skip with a reason, or fail under
//! `KD_DBA_REQUIRE_TOOLS=1`), scratch directories, running commands as the `postgres`/`mysql`
//! OS users when the tests run as root, free ports, and writing generated files.

#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

/// `KD_DBA_REQUIRE_TOOLS=1`: a missing tool fails the test instead of skipping it.
pub fn require_tools() -> bool {
    std::env::var("KD_DBA_REQUIRE_TOOLS").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// The path of an executable found on PATH (or in the PostgreSQL bin directory).
pub fn which(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(b) = pg_bindir() {
        dirs.push(b);
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// True when every tool is there; otherwise prints why the caller skips (or panics under
/// `KD_DBA_REQUIRE_TOOLS=1`).
pub fn have_tools(tools: &[&str], why: &str) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| which(t).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "{why} needs {} (Debian packages; see .ci/run)",
        missing.join(", ")
    );
    if require_tools() {
        panic!("KD_DBA_REQUIRE_TOOLS=1 but {msg}");
    }
    eprintln!("skipping: {msg}");
    false
}

/// The directory of initdb, pg_ctl, pg_verifybackup ... (`pg_config --bindir`).
pub fn pg_bindir() -> Option<PathBuf> {
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    p.is_dir().then_some(p)
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

static N: AtomicU32 = AtomicU32::new(0);

/// A scratch directory removed when dropped (kept with `KD_DBA_KEEP_SCRATCH=1`).
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "kd-ops-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch { dir }
    }
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }
    pub fn s(&self, rel: &str) -> String {
        self.dir.join(rel).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var("KD_DBA_KEEP_SCRATCH").is_ok_and(|v| v == "1") {
            eprintln!("keeping {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Give a directory tree to an OS user (when running as root).
pub fn chown(path: &Path, user: &str) {
    if is_root() {
        let st = Command::new("chown")
            .arg("-R")
            .arg(format!("{user}:"))
            .arg(path)
            .status()
            .expect("chown");
        assert!(st.success(), "chown {user} {}", path.display());
    }
}

/// A command run as `user` when the tests run as root (PostgreSQL refuses to run as root), with
/// the environment given.
pub fn as_user(user: &str, program: &str, args: &[&str], env: &[(&str, String)]) -> Command {
    let mut c = if is_root() && user != "root" {
        let mut c = Command::new("runuser");
        c.args(["-u", user, "--preserve-environment", "--", program]);
        c
    } else {
        Command::new(program)
    };
    c.args(args);
    // The user's home is not ours: keep tools from looking for rc files in /root.
    c.env("HOME", std::env::temp_dir());
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// Run and return the output, printing stdout/stderr to the test log.
pub fn run(c: &mut Command) -> Output {
    let out = c
        .output()
        .unwrap_or_else(|e| panic!("cannot run {c:?}: {e}"));
    let so = String::from_utf8_lossy(&out.stdout);
    let se = String::from_utf8_lossy(&out.stderr);
    eprintln!(
        "$ {:?} -> {}\n{}{}",
        c,
        out.status,
        tail(&so, 40),
        tail(&se, 60)
    );
    out
}

/// Run, require success, return stdout.
pub fn ok(c: &mut Command) -> String {
    let out = run(c);
    assert!(
        out.status.success(),
        "command failed: {c:?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let start = lines.len().saturating_sub(n);
    let mut t = lines[start..].join("\n");
    if !t.is_empty() {
        t.push('\n');
    }
    t
}

/// A TCP port nobody listens on right now.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Generate a backup plan and write its files under `dir`.
pub fn backup_plan(req: serde_json::Value, dir: &Path) -> kd_dba::backup::BackupReport {
    let req: kd_dba::backup::BackupRequest = serde_json::from_value(req).expect("backup request");
    let rep = kd_dba::backup::backup(&req).unwrap_or_else(|e| panic!("backup plan: {e}"));
    kd_dba::backup::cli::write_files(dir, &rep.files, true).expect("write files");
    rep
}

/// UTC now as `YYYY-MM-DD HH:MM:SS` (from `date`, the clock the scripts read).
pub fn utc_now() -> String {
    let out = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M:%S"])
        .output()
        .expect("date");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn sleep_ms(ms: u64) {
    std::thread::sleep(std::time::Duration::from_millis(ms));
}

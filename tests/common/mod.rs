//! Helpers shared by the integration tests: real engines through their command-line clients, fresh
//! uniquely named databases, and the corpus in ../shared.
//!
//! * Servers: `KD_DBA_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) and
//!   `KD_DBA_MYSQL_URL` (default `mysql://root@127.0.0.1:3306/test`). When a server does not answer
//!   (or its CLI, `psql` / `mariadb`, is missing) the tests that need it print why and return; with
//!   `KD_DBA_REQUIRE_DB=1` they fail instead.
//! * Databases: [`Server::fresh_db`] creates `kd_test_<test>_<pid>_<counter>` and drops it when the
//!   guard goes out of scope, so tests can run in parallel.
//! * Corpus: `KD_DBA_CORPUS` or `<CARGO_MANIFEST_DIR>/../shared/corpus`; it is not part of this
//!   repository, so tests that need it print a reason and return when it is absent.
//!
//! The CLIs are used rather than client crates, to keep the dependency tree of the crate small.

#![allow(dead_code)] // each test binary uses a different subset

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

// ------------------------------------------------------------------------------------------------
// Environment

pub fn pg_url() -> String {
    std::env::var("KD_DBA_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn mysql_url() -> String {
    std::env::var("KD_DBA_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into())
}

/// `KD_DBA_REQUIRE_DB=1`: a missing server fails the test instead of skipping it.
pub fn require_db() -> bool {
    std::env::var("KD_DBA_REQUIRE_DB").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// The corpus directory, or `None` after printing why the caller skips.
pub fn corpus() -> Option<PathBuf> {
    let p = std::env::var_os("KD_DBA_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "skipping: corpus not found at {} (it is not part of this repository; set KD_DBA_CORPUS to its path)",
            p.display()
        );
        None
    }
}

/// A corpus file, or `None` after printing why the caller skips.
pub fn corpus_file(rel: &str) -> Option<PathBuf> {
    let p = corpus()?.join(rel);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("skipping: corpus file {} not found", p.display());
        None
    }
}

/// Read a file as text (lossy: a few corpus files are not valid UTF-8 everywhere).
pub fn read_text(p: &Path) -> String {
    let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
    String::from_utf8_lossy(&bytes).into_owned()
}

// ------------------------------------------------------------------------------------------------
// Connection URLs

/// The parts of `scheme://user:password@host:port/database?query` the CLIs need.
#[derive(Debug, Clone)]
pub struct Url {
    pub scheme: String,
    pub user: Option<String>,
    pub password: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    pub database: String,
    pub query: String,
}

impl Url {
    pub fn parse(s: &str) -> Url {
        let (scheme, rest) = s
            .split_once("://")
            .unwrap_or_else(|| panic!("not a URL: {s}"));
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, q.to_string()),
            None => (rest, String::new()),
        };
        let (authority, database) = match rest.split_once('/') {
            Some((a, d)) => (a, d.to_string()),
            None => (rest, String::new()),
        };
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            Some(u) => match u.split_once(':') {
                Some((n, p)) => (Some(n.to_string()), Some(p.to_string())),
                None => (Some(u.to_string()), None),
            },
            None => (None, None),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => {
                (h.to_string(), p.parse().ok())
            }
            _ => (hostport.to_string(), None),
        };
        Url {
            scheme: scheme.to_string(),
            user,
            password,
            host,
            port,
            database,
            query,
        }
    }

    pub fn with_database(&self, db: &str) -> Url {
        Url {
            database: db.to_string(),
            ..self.clone()
        }
    }

    pub fn to_url_string(&self) -> String {
        let mut s = format!("{}://", self.scheme);
        if let Some(u) = &self.user {
            s.push_str(u);
            if let Some(p) = &self.password {
                s.push(':');
                s.push_str(p);
            }
            s.push('@');
        }
        s.push_str(&self.host);
        if let Some(p) = self.port {
            s.push_str(&format!(":{p}"));
        }
        s.push('/');
        s.push_str(&self.database);
        if !self.query.is_empty() {
            s.push('?');
            s.push_str(&self.query);
        }
        s
    }
}

// ------------------------------------------------------------------------------------------------
// Servers

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    Mysql,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Postgres => "PostgreSQL",
            Engine::Mysql => "MariaDB/MySQL",
        }
    }
}

/// A reachable server (the maintenance database of the URL).
#[derive(Debug, Clone)]
pub struct Server {
    pub engine: Engine,
    pub url: Url,
}

static PG: OnceLock<Result<Server, String>> = OnceLock::new();
static MY: OnceLock<Result<Server, String>> = OnceLock::new();

/// The PostgreSQL server, or `None` after printing why the caller skips (panics instead under
/// `KD_DBA_REQUIRE_DB=1`).
pub fn postgres() -> Option<Server> {
    available(PG.get_or_init(|| probe(Engine::Postgres, &pg_url())))
}

/// The MariaDB/MySQL server, or `None` after printing why the caller skips.
pub fn mysql() -> Option<Server> {
    available(MY.get_or_init(|| probe(Engine::Mysql, &mysql_url())))
}

fn available(r: &Result<Server, String>) -> Option<Server> {
    match r {
        Ok(s) => Some(s.clone()),
        Err(why) if require_db() => panic!("KD_DBA_REQUIRE_DB=1 but {why}"),
        Err(why) => {
            eprintln!("skipping: {why} (set KD_DBA_REQUIRE_DB=1 to make this a failure)");
            None
        }
    }
}

fn probe(engine: Engine, url: &str) -> Result<Server, String> {
    let s = Server {
        engine,
        url: Url::parse(url),
    };
    match s.run_sql_on(&s.url.database, "SELECT 1") {
        Ok(out) if out.trim() == "1" => Ok(s),
        Ok(out) => Err(format!(
            "{} at {url} answered {out:?} to SELECT 1",
            engine.name()
        )),
        Err(e) => Err(format!(
            "no {} server answers at {url}: {}",
            engine.name(),
            e.lines().next().unwrap_or("")
        )),
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database name that is unique across parallel tests and processes, valid in both engines
/// (lower case, at most 63 bytes).
pub fn unique_db_name(test: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let suffix = format!("_{}_{}", std::process::id(), n);
    let mut clean: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let room = 63 - "kd_test_".len() - suffix.len();
    clean.truncate(room);
    format!("kd_test_{clean}{suffix}")
}

impl Server {
    fn command(&self, database: &str) -> Command {
        match self.engine {
            Engine::Postgres => {
                let mut c = Command::new("psql");
                c.args([
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-X",
                    "-q",
                    "-A",
                    "-t",
                    "-F",
                    "\x1f",
                ])
                .arg("-d")
                .arg(self.url.with_database(database).to_url_string())
                .env("PGCONNECT_TIMEOUT", "5");
                c
            }
            Engine::Mysql => {
                let mut c = Command::new("mariadb");
                c.arg("--batch")
                    .arg("--skip-column-names")
                    .arg("--default-character-set=utf8mb4")
                    .arg("--connect-timeout=5")
                    .arg(format!("--host={}", self.url.host));
                if let Some(p) = self.url.port {
                    c.arg(format!("--port={p}"));
                }
                if let Some(u) = &self.url.user {
                    c.arg(format!("--user={u}"));
                }
                // Passed through the environment rather than argv.
                if let Some(p) = &self.url.password {
                    c.env("MYSQL_PWD", p);
                }
                if !database.is_empty() {
                    c.arg(format!("--database={database}"));
                }
                c
            }
        }
    }

    /// Run SQL text (fed on stdin, so psql meta-commands and MariaDB `DELIMITER` work) against
    /// `database`; stdout on success, the client's stderr on failure.
    pub fn run_sql_on(&self, database: &str, sql: &str) -> Result<String, String> {
        let mut c = self.command(database);
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c
            .spawn()
            .map_err(|e| format!("cannot run the {} client: {e}", self.engine.name()))?;
        let mut stdin = child.stdin.take().expect("stdin");
        let text = sql.to_string();
        // Write from a thread: a large script and a chatty client could otherwise deadlock.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(text.as_bytes());
        });
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let _ = writer.join();
        result(out)
    }

    /// Create a fresh, uniquely named database, dropped when the guard is dropped.
    pub fn fresh_db(&self, test: &str) -> TestDb {
        let name = unique_db_name(test);
        let ddl = match self.engine {
            Engine::Postgres => format!("CREATE DATABASE \"{name}\""),
            Engine::Mysql => format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4"),
        };
        self.run_sql_on(&self.url.database, &ddl)
            .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
        TestDb {
            server: self.clone(),
            name,
        }
    }
}

fn result(out: Output) -> Result<String, String> {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "{}{}",
            stderr,
            if stderr.is_empty() { &stdout } else { "" }
        ))
    }
}

/// A database created for one test; dropped on drop (also when the test panics).
pub struct TestDb {
    pub server: Server,
    pub name: String,
}

impl TestDb {
    pub fn engine(&self) -> Engine {
        self.server.engine
    }

    /// The URL of this database.
    pub fn url(&self) -> String {
        self.server.url.with_database(&self.name).to_url_string()
    }

    /// Run SQL text in this database (psql: autocommit, stop at the first error).
    pub fn exec(&self, sql: &str) -> Result<String, String> {
        self.server.run_sql_on(&self.name, sql)
    }

    /// Run SQL text in one transaction (psql `--single-transaction` semantics via BEGIN/COMMIT).
    pub fn exec_in_transaction(&self, sql: &str) -> Result<String, String> {
        match self.engine() {
            Engine::Postgres => self.exec(&format!("BEGIN;\n{sql}\n;COMMIT;\n")),
            Engine::Mysql => self.exec(&format!("START TRANSACTION;\n{sql}\nCOMMIT;\n")),
        }
    }

    /// Load a script (a dump, a schema, a migration): like [`TestDb::exec`], but without waiting
    /// for the disk on every commit, which makes data-heavy scripts many times faster on a busy
    /// machine. PostgreSQL: `SET synchronous_commit = off` for the session (a crash could lose
    /// the last commits, nothing else changes). MariaDB/MySQL: `autocommit = 0` and a final
    /// COMMIT, so INSERTs share commits (DDL still commits implicitly, as always).
    pub fn load(&self, sql: &str) -> Result<String, String> {
        match self.engine() {
            Engine::Postgres => self.exec(&format!("SET synchronous_commit = off;\n{sql}")),
            // (No bare `;` before COMMIT: the mariadb client rejects an empty statement.)
            Engine::Mysql => self.exec(&format!("SET autocommit = 0;\n{sql}\nCOMMIT;\n")),
        }
    }

    /// Load a file as the client would (`psql -f`, `mariadb < file`), see [`TestDb::load`].
    pub fn load_file(&self, path: &Path) -> Result<String, String> {
        self.load(&read_text(path))
    }

    /// Rows of a query, fields split (psql: unaligned with a unit-separator; MariaDB: batch tabs).
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        let out = self
            .exec(sql)
            .unwrap_or_else(|e| panic!("query failed: {e}\n{sql}"));
        let sep = match self.engine() {
            Engine::Postgres => '\x1f',
            Engine::Mysql => '\t',
        };
        out.lines()
            .filter(|l| !l.is_empty())
            .map(|l| l.split(sep).map(str::to_string).collect())
            .collect()
    }

    /// The first column of each row.
    pub fn column(&self, sql: &str) -> Vec<String> {
        self.rows(sql)
            .into_iter()
            .filter_map(|r| r.into_iter().next())
            .collect()
    }

    /// A single value.
    pub fn scalar(&self, sql: &str) -> String {
        let out = self
            .exec(sql)
            .unwrap_or_else(|e| panic!("query failed: {e}\n{sql}"));
        out.lines().next().unwrap_or("").to_string()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if std::env::var_os("KD_DBA_KEEP_TEST_DB").is_some() {
            eprintln!(
                "keeping test database {} (KD_DBA_KEEP_TEST_DB is set)",
                self.name
            );
            return;
        }
        let ddl = match self.engine() {
            Engine::Postgres => format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
            Engine::Mysql => format!("DROP DATABASE IF EXISTS `{}`", self.name),
        };
        if let Err(e) = self.server.run_sql_on(&self.server.url.database, &ddl) {
            eprintln!("warning: could not drop test database {}: {e}", self.name);
        }
    }
}

//! Private PostgreSQL and Redis servers for cluster tests: each on a free loopback port
//! with its files in a temp dir, started and stopped by the test, never a system
//! service. Debian's `postgresql` and `redis-server` packages provide the programs
//! (`.ci/run` installs them).

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Where Debian keeps PostgreSQL's server programs (they are not on PATH).
fn pg_bin(name: &str) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| PathBuf::from(name))
}

/// PostgreSQL refuses to run as root: as root, run it as the `postgres` user the
/// package creates.
fn unprivileged(command: &mut Command, dir: &Path) {
    if !nix::unistd::Uid::effective().is_root() {
        return;
    }
    let user = nix::unistd::User::from_name("postgres")
        .ok()
        .flatten()
        .expect("the postgres user (apt install postgresql)");
    let chown = |p: &Path| nix::unistd::chown(p, Some(user.uid), Some(user.gid));
    chown(dir).expect("chown the PostgreSQL dir");
    command.uid(user.uid.as_raw()).gid(user.gid.as_raw());
}

fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(Instant::now() < deadline, "{what} did not start in time");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A private PostgreSQL server.
pub struct Postgres {
    dir: tempfile::TempDir,
    pub port: u16,
    child: Option<Child>,
}

impl Postgres {
    /// Initialises a cluster in a temp dir and starts it.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("pg");
        std::fs::create_dir(&data).expect("pg dir");
        let mut init = Command::new(pg_bin("initdb"));
        init.arg("-D")
            .arg(&data)
            .args(["-U", "gateway", "--auth=trust", "-E", "UTF8", "--no-sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        unprivileged(&mut init, dir.path());
        unprivileged(&mut init, &data);
        assert!(
            init.status()
                .expect("run initdb (apt install postgresql)")
                .success(),
            "initdb failed"
        );
        let mut pg = Self {
            dir,
            port: free_port(),
            child: None,
        };
        pg.resume();
        pg
    }

    /// `postgres://gateway@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://gateway@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server again on the same files and port.
    pub fn resume(&mut self) {
        let dir = self.dir.path();
        let mut server = Command::new(pg_bin("postgres"));
        server
            .arg("-D")
            .arg(dir.join("pg"))
            .args([
                "-p",
                &self.port.to_string(),
                "-c",
                "listen_addresses=127.0.0.1",
            ])
            .arg("-k")
            .arg(dir)
            .args(["-c", "fsync=off", "-c", "max_connections=200"])
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(dir.join("postgres.log"))
                    .map(Stdio::from)
                    .unwrap_or_else(|_| Stdio::null()),
            );
        unprivileged(&mut server, dir);
        self.child = Some(server.spawn().expect("start postgres"));
        let port = self.port.to_string();
        wait_until("PostgreSQL", || {
            Command::new(pg_bin("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &port, "-U", "gateway", "-q"])
                .status()
                .is_ok_and(|s| s.success())
        });
    }

    /// Stops the server at once (SIGQUIT: no checkpoint, as a crash would).
    pub fn halt(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGQUIT,
            );
            let _ = child.wait();
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.halt();
    }
}

/// A private Redis server (nothing saved to disk).
pub struct Redis {
    dir: tempfile::TempDir,
    pub port: u16,
    child: Option<Child>,
}

impl Redis {
    pub fn start() -> Self {
        let mut redis = Self {
            dir: tempfile::tempdir().expect("temp dir"),
            port: free_port(),
            child: None,
        };
        redis.resume();
        redis
    }

    /// `redis://127.0.0.1:PORT/0`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Starts the server again on the same port (empty: it saves nothing).
    pub fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server (apt install redis-server)");
        self.child = Some(child);
        let port = self.port;
        wait_until("Redis", || ping(port));
    }

    /// Stops the server at once.
    pub fn halt(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.halt();
    }
}

fn ping(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
    let mut buf = [0u8; 7];
    s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

//! The processes under test: mock-upstream and gatewayd as children (pinned with
//! `taskset`), provisioned with the real gatewayctl, and read through `/proc`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Options;

/// The upstream key every mock account is added with (account `i` gets suffix `i`).
pub const UPSTREAM_KEY: &str = "sk-bench-upstream";

/// Lifts this process's open-file limit to the hard limit; children inherit it.
pub fn raise_fd_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
    }
}

/// Pins this process (the load generator) to one CPU.
pub fn pin_self(cpu: usize) -> Result<(), String> {
    let mut set = nix::sched::CpuSet::new();
    set.set(cpu).map_err(|e| format!("cpu {cpu}: {e}"))?;
    nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set)
        .map_err(|e| format!("cannot pin to cpu {cpu}: {e}"))
}

fn command(options: &Options, cpu: &str, exe: &Path) -> Command {
    if options.pin {
        let mut c = Command::new("taskset");
        c.args(["-c", cpu]).arg(exe);
        c
    } else {
        Command::new(exe)
    }
}

/// A running mock-upstream.
pub struct Mock {
    child: Child,
    pub url: String,
}

impl Mock {
    pub fn start(options: &Options) -> Result<Self, String> {
        let mut child = command(options, "1", &options.bin_dir.join("mock-upstream"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--tokens",
                "64",
                "--chunk-tokens",
                "8",
            ])
            .args(options.static_upstream.then_some("--static"))
            .args(["--ttfb-ms", &options.upstream_latency_ms.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start mock-upstream: {e}"))?;
        let stdout = child.stdout.take().ok_or("no mock stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let url = line
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://"))
            .ok_or_else(|| format!("unexpected mock banner {line:?}"))?
            .to_owned();
        Ok(Self { child, url })
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running, provisioned gatewayd.
pub struct Gateway {
    child: Option<Child>,
    dir: tempfile::TempDir,
    bin_dir: PathBuf,
    pub url: String,
    pub secret: String,
}

/// How a gatewayd is set up.
#[derive(Default)]
pub struct Setup<'a> {
    /// Its configuration file's text.
    pub config: Option<String>,
    /// A node joining a cluster already provisioned: no key or accounts of its own.
    pub joining: bool,
    /// Limits for the bench key (`key create` flags).
    pub key_limits: &'a [&'a str],
}

impl Gateway {
    pub fn start(options: &Options, mock: &Mock) -> Result<Self, String> {
        Self::start_with(options, mock, &Setup::default())
    }

    pub fn start_with(options: &Options, mock: &Mock, setup: &Setup<'_>) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let socket = dir.path().join("ctl.sock");
        let mut gatewayd = command(options, "0", &options.bin_dir.join("gatewayd"));
        if let Some(config) = &setup.config {
            let path = dir.path().join("gatewayd.toml");
            std::fs::write(&path, config).map_err(|e| e.to_string())?;
            gatewayd.arg("--config").arg(path);
        }
        let child = gatewayd
            .args(["--listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--socket")
            .arg(&socket)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start gatewayd: {e}"))?;
        let ctl = |args: &[&str], stdin: &[u8]| ctl(&options.bin_dir, &socket, args, stdin);
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            match ctl(&["--json", "status"], b"") {
                Ok(v) => break v,
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("gatewayd not ready: {e}"))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        let url = format!(
            "http://{}",
            status["listen_address"].as_str().unwrap_or_default()
        );
        if setup.joining {
            return Ok(Self {
                child: Some(child),
                dir,
                bin_dir: options.bin_dir.clone(),
                url,
                secret: String::new(),
            });
        }
        let mut create = vec!["--json", "key", "create", "--name", "bench"];
        create.extend_from_slice(setup.key_limits);
        let key = ctl(&create, b"")?;
        for i in 0..options.accounts.max(1) {
            for kind in ["claude-code", "gemini-cli"] {
                let name = format!("{kind}-{i}");
                let args = [
                    "--json",
                    "account",
                    "add",
                    "--name",
                    &name,
                    "--type",
                    kind,
                    "--api-key-stdin",
                    "--base-url",
                    &mock.url,
                ];
                ctl(&args, format!("{UPSTREAM_KEY}-{i}").as_bytes())?;
            }
        }
        Ok(Self {
            child: Some(child),
            dir,
            bin_dir: options.bin_dir.clone(),
            url,
            secret: key["secret"].as_str().unwrap_or_default().to_owned(),
        })
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    fn status_field_kib(&self, field: &str) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }

    /// Makes another key with `limits` (`key create` flags); its secret.
    pub fn create_key(&self, name: &str, limits: &[&str]) -> Result<String, String> {
        let mut create = vec!["--json", "key", "create", "--name", name];
        create.extend_from_slice(limits);
        let socket = self.dir.path().join("ctl.sock");
        let key = ctl(&self.bin_dir, &socket, &create, b"")?;
        Ok(key["secret"].as_str().unwrap_or_default().to_owned())
    }

    /// `gatewayctl --json status`.
    pub fn status(&self) -> Result<serde_json::Value, String> {
        status_at(&self.bin_dir, &self.dir.path().join("ctl.sock"))
    }

    /// Where gatewayctl is and the socket it dials, for calls from another thread.
    pub fn ctl_paths(&self) -> (PathBuf, PathBuf) {
        (self.bin_dir.clone(), self.dir.path().join("ctl.sock"))
    }

    /// Resident memory now.
    pub fn rss_kib(&self) -> u64 {
        self.status_field_kib("VmRSS:")
    }

    /// Resident memory of its own (heap, stacks), without the executable's code pages.
    pub fn anon_kib(&self) -> u64 {
        self.status_field_kib("RssAnon:")
    }

    /// The peak resident memory so far.
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_field_kib("VmHWM:")
    }

    /// User plus system CPU time so far.
    pub fn cpu_time(&self) -> Duration {
        cpu_time_of(self.pid())
    }

    /// Context switches of all its threads so far.
    pub fn switches(&self) -> u64 {
        switches_of(self.pid())
    }

    pub fn stop(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let _ = child.wait();
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// User plus system CPU time process `pid` used so far.
pub fn cpu_time_of(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

/// Context switches (voluntary and not) of every thread of process `pid` so far: each
/// one a thread put to sleep or woken, which a single-threaded event loop avoids.
pub fn switches_of(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("status")).ok())
        .flat_map(|status| {
            status
                .lines()
                .filter(|l| l.contains("ctxt_switches:"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .collect::<Vec<_>>()
        })
        .sum()
}

/// `gatewayctl --json status` against `socket`.
pub fn status_at(bin_dir: &Path, socket: &Path) -> Result<serde_json::Value, String> {
    ctl(bin_dir, socket, &["--json", "status"], b"")
}

fn ctl(
    bin_dir: &Path,
    socket: &Path,
    args: &[&str],
    stdin: &[u8],
) -> Result<serde_json::Value, String> {
    let out = crate::harness::ctl_with(&bin_dir.join("gatewayctl"), socket, args, stdin);
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

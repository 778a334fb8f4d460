//! Runs the real binaries: a `gatewayd` on an ephemeral loopback port with a temp data
//! dir and socket, and `gatewayctl` against it. Binaries are found next to the test
//! executable (`target/<profile>/`), or in `$GATEWAY_BIN_DIR`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Where the workspace binaries are.
pub fn bin(name: &str) -> PathBuf {
    let dir = std::env::var_os("GATEWAY_BIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let exe = std::env::current_exe().expect("test executable path");
            // target/<profile>/deps/<test> → target/<profile>
            exe.parent()
                .and_then(Path::parent)
                .expect("target dir")
                .to_owned()
        });
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace` so every binary is built",
        path.display()
    );
    path
}

/// A running gatewayd and the temp dir it lives in. Every secret it was handed through
/// the helpers (gateway keys, upstream keys) is remembered, and when the daemon goes away
/// its log is checked for them: no test can leak a secret into the log unnoticed.
pub struct Daemon {
    child: Option<Child>,
    pub dir: tempfile::TempDir,
    secrets: std::sync::Mutex<Vec<String>>,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Daemon {
    /// Starts gatewayd in a fresh temp dir.
    pub fn start() -> Self {
        Self::start_in(tempfile::tempdir().expect("temp dir"), &[])
    }

    /// Starts gatewayd with extra flags.
    pub fn start_with(args: &[&str]) -> Self {
        Self::start_in(tempfile::tempdir().expect("temp dir"), args)
    }

    /// Starts gatewayd with `toml` as its config file (`gatewayd.toml` in its dir).
    pub fn start_with_config(toml: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("gatewayd.toml");
        std::fs::write(&path, toml).expect("write config");
        let path = path.to_str().expect("UTF-8 temp path").to_owned();
        Self::start_in(dir, &["--config", &path])
    }

    /// Starts gatewayd in `dir` (reusing its data, as after a restart).
    pub fn start_in(dir: tempfile::TempDir, args: &[&str]) -> Self {
        match Self::try_start_in(dir, args) {
            Ok(daemon) => daemon,
            Err(refusal) => panic!(
                "gatewayd exited early with {:?}; log:\n{}",
                refusal.code, refusal.log
            ),
        }
    }

    /// Starts gatewayd in `dir`, or returns how it refused to start.
    pub fn try_start_in(dir: tempfile::TempDir, args: &[&str]) -> Result<Self, Refusal> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join("gatewayd.log"))
            .expect("log file");
        let child = Command::new(bin("gatewayd"))
            .args(["--listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--socket")
            .arg(dir.path().join("ctl.sock"))
            .args(args)
            .env("RUST_LOG", "info,gatewayd=debug")
            .env_remove("GATEWAYD_MASTER_KEY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn gatewayd");
        let mut daemon = Self {
            child: Some(child),
            dir,
            secrets: std::sync::Mutex::new(Vec::new()),
            url: String::new(),
        };
        match daemon.wait_ready() {
            Ok(status) => {
                daemon.url = format!(
                    "http://{}",
                    status["listen_address"].as_str().expect("listen address")
                );
                Ok(daemon)
            }
            Err(code) => Err(Refusal {
                code,
                log: daemon.log(),
                dir: std::mem::replace(&mut daemon.dir, tempfile::tempdir().expect("temp dir")),
            }),
        }
    }

    /// The status once the daemon answers, or its exit code if it exits first.
    fn wait_ready(&mut self) -> Result<Value, Option<i32>> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = self.ctl(&["--json", "status"]);
            if out.status.success() {
                return Ok(serde_json::from_slice(&out.stdout).expect("status JSON"));
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                return Err(status.code());
            }
            assert!(
                Instant::now() < deadline,
                "gatewayd not ready in time; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until every usage record the daemon has taken is in its ledger. A request's
    /// record is queued before its answer's last byte is sent, so once a client has read
    /// its answers, stats, the request log and keys' last use show them after this.
    pub fn settle(&self) {
        eventually("the recorder to write what it holds", || {
            let status = self.ctl_json(&["status"]);
            (status["records_pending"] == 0).then_some(())
        });
    }

    /// The control socket path.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("ctl.sock")
    }

    /// The data dir.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Everything gatewayd logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("gatewayd.log")).unwrap_or_default()
    }

    /// Runs gatewayctl against this daemon.
    pub fn ctl(&self, args: &[&str]) -> Output {
        self.ctl_stdin(args, b"")
    }

    /// Runs gatewayctl with `stdin` as its standard input.
    pub fn ctl_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        ctl_at(&self.socket(), args, stdin)
    }

    /// Runs gatewayctl with `--json`, asserts success, parses stdout.
    pub fn ctl_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ctl(&all);
        assert!(
            out.status.success(),
            "gatewayctl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("gatewayctl JSON")
    }

    /// Creates a key and returns (id, secret).
    pub fn create_key(&self, name: &str, extra: &[&str]) -> (String, String) {
        let mut args = vec!["key", "create", "--name", name];
        args.extend_from_slice(extra);
        let key = self.ctl_json(&args);
        let secret = key["secret"].as_str().unwrap().to_owned();
        self.remember(&secret);
        (key["id"].as_str().unwrap().to_owned(), secret)
    }

    /// Adds an API-key account pointing at `base_url`; returns its id.
    pub fn add_account(
        &self,
        name: &str,
        kind: &str,
        api_key: &str,
        base_url: &str,
        extra: &[&str],
    ) -> String {
        let mut args = vec![
            "--json",
            "account",
            "add",
            "--name",
            name,
            "--type",
            kind,
            "--auth",
            "api-key",
            "--api-key-stdin",
            "--base-url",
            base_url,
        ];
        args.extend_from_slice(extra);
        self.remember(api_key);
        let out = self.ctl_stdin(&args, api_key.as_bytes());
        assert!(
            out.status.success(),
            "account add failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let account: Value = serde_json::from_slice(&out.stdout).unwrap();
        account["id"].as_str().unwrap().to_owned()
    }

    /// Sends SIGTERM and waits for the exit; returns the temp dir for a restart.
    pub fn stop(mut self) -> (tempfile::TempDir, ExitStatus) {
        let status = self.terminate();
        self.check_log_for_secrets();
        self.secrets.lock().unwrap().clear();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("temp dir"));
        (dir, status)
    }

    /// Kills the daemon with SIGKILL (no shutdown at all) and returns the temp dir for a
    /// restart.
    pub fn kill(mut self) -> tempfile::TempDir {
        let mut child = self.child.take().expect("daemon running");
        child.kill().expect("SIGKILL gatewayd");
        child.wait().expect("wait gatewayd");
        self.check_log_for_secrets();
        self.secrets.lock().unwrap().clear();
        std::mem::replace(&mut self.dir, tempfile::tempdir().expect("temp dir"))
    }

    fn terminate(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("daemon running");
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().expect("wait gatewayd") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("gatewayd did not stop within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Daemon {
    /// A secret that must never appear in the daemon's log.
    pub fn remember(&self, secret: &str) {
        self.secrets.lock().unwrap().push(secret.to_owned());
    }

    /// Fails if any remembered secret is in the log.
    fn check_log_for_secrets(&self) {
        let log = self.log();
        // Placeholder keys like "a" or "k1" would match any log; real secrets are longer.
        for secret in self.secrets.lock().unwrap().iter().filter(|s| s.len() >= 8) {
            assert!(
                !log.contains(secret.as_str()),
                "a secret reached the daemon's log: …{}",
                &secret[secret.len().saturating_sub(4)..]
            );
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if !std::thread::panicking() {
            self.check_log_for_secrets();
        }
    }
}

/// A daemon that would not start: its exit code, its log, and its temp dir.
pub struct Refusal {
    pub code: Option<i32>,
    pub log: String,
    pub dir: tempfile::TempDir,
}

/// Runs gatewayctl against `socket`.
pub fn ctl_at(socket: &Path, args: &[&str], stdin: &[u8]) -> Output {
    ctl_with(&bin("gatewayctl"), socket, args, stdin)
}

/// Runs the gatewayctl at `exe` against `socket`, with `stdin` as its input.
pub fn ctl_with(exe: &Path, socket: &Path, args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(exe)
        .arg("--socket")
        .arg(socket)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn gatewayctl");
    let mut input = child.stdin.take().expect("stdin");
    // A command that refuses its arguments may exit before it reads its input: that is
    // its answer, not the harness's failure.
    match input.write_all(stdin) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        written => written.expect("write stdin"),
    }
    drop(input);
    child.wait_with_output().expect("gatewayctl output")
}

/// Polls `check` until it returns `Some` or the deadline passes.
pub fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

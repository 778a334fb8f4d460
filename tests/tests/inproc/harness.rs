//! One gatewayd running inside the test process on `gatewayd::run_with_clock`, with a
//! manual clock the test moves: a cool-down, a rate window or a retention age passes in
//! one call instead of a wait. The data plane is still real HTTP on a loopback port and
//! the control plane the real gRPC socket, driven through gatewayctl's client.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use gateway_proto::v1 as pb;
use gatewayctl::client::Client;
use gatewayd::clock::Clock;

/// A daemon on its own thread and runtime, stopped (cleanly) when dropped.
pub struct InProcess {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The daemon's wall clock; `clock.advance(..)` moves its time of day.
    pub clock: Clock,
    pub ctl: Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl InProcess {
    /// Starts a daemon with `toml` over the defaults, in a fresh temp dir.
    pub async fn start(toml: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("gatewayd.toml");
        std::fs::write(&path, toml).expect("write config");
        let mut config = gatewayd::config::Config::from_file(&path).expect("valid config");
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.data_dir = dir.path().join("data");
        config.socket = dir.path().join("gatewayd.sock");
        let socket: PathBuf = config.socket.clone();
        let clock = Clock::manual_from_now();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let daemon_clock = clock.clone();
        let thread = std::thread::Builder::new()
            .name("gatewayd".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .expect("daemon runtime");
                let shutdown = async {
                    let _ = stopped.await;
                };
                runtime
                    .block_on(gatewayd::run_with_clock(
                        config,
                        None,
                        shutdown,
                        daemon_clock,
                    ))
                    .expect("gatewayd ran and stopped cleanly");
            })
            .expect("spawn the daemon thread");
        let ctl = Client::new(&socket, Duration::from_secs(10)).expect("control client");
        let url = listen_address(&ctl).await;
        Self {
            url: format!("http://{url}"),
            clock,
            ctl,
            stop: Some(stop),
            thread: Some(thread),
            _dir: dir,
        }
    }

    /// Issues a key with `limits`; returns its secret.
    pub async fn key(&self, name: &str, limits: pb::Limits, expires_at: Option<i64>) -> String {
        let request = pb::CreateKeyRequest {
            name: name.to_owned(),
            limits: Some(limits),
            expires_at,
            ..Default::default()
        };
        let mut keys = self.ctl.keys.clone();
        let created = self.ctl.call(keys.create_key(request)).await.unwrap();
        created.secret
    }

    /// Adds a Claude API-key account at `base_url`; the mock knows it by `api_key`.
    pub async fn account(&self, name: &str, api_key: &str, base_url: &str, priority: i32) {
        let request = pb::AddAccountRequest {
            name: name.to_owned(),
            r#type: "claude-code".to_owned(),
            auth: "api-key".to_owned(),
            credential: api_key.as_bytes().to_vec(),
            base_url: base_url.to_owned(),
            priority,
            ..Default::default()
        };
        let mut accounts = self.ctl.accounts.clone();
        self.ctl.call(accounts.add_account(request)).await.unwrap();
    }

    /// The account named `name`, as `account show` sees it.
    pub async fn show(&self, name: &str) -> pb::Account {
        let mut accounts = self.ctl.accounts.clone();
        let all = accounts.list_accounts(pb::ListAccountsRequest {});
        let list = self.ctl.call(all).await.unwrap();
        let id = list
            .accounts
            .into_iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no account {name}"))
            .id;
        let one = accounts.get_account(pb::GetAccountRequest { id });
        self.ctl.call(one).await.unwrap().account.unwrap()
    }

    /// Usage grouped by `by` over the last `since_seconds` (0 = all time), as `stats`.
    pub async fn usage(&self, by: &str, since_seconds: u64) -> pb::GetUsageResponse {
        let mut stats = self.ctl.stats.clone();
        let request = pb::GetUsageRequest {
            by: by.to_owned(),
            since_seconds,
        };
        self.ctl.call(stats.get_usage(request)).await.unwrap()
    }

    /// The request log as `log tail` prints it.
    pub async fn log(&self) -> Vec<pb::LogEntry> {
        let mut logs = self.ctl.logs.clone();
        let tail = logs.tail_log(pb::TailLogRequest {
            limit: 100,
            ..Default::default()
        });
        let mut stream = self.ctl.call(tail).await.unwrap();
        let mut entries = Vec::new();
        while let Some(entry) = stream.message().await.expect("the log streams") {
            entries.push(entry);
        }
        entries
    }

    /// Sends a Claude Messages request with `secret`.
    pub async fn send(&self, secret: &str, text: &str) -> reqwest::Response {
        let body = serde_json::json!({
            "model": "claude-sonnet-mock",
            "max_tokens": 64,
            "messages": [{"role": "user", "content": text}],
        });
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .post(format!("{}/v1/messages", self.url))
            .header("x-api-key", secret)
            .json(&body)
            .send()
            .await
            .expect("the gateway answers")
    }

    /// [`InProcess::send`], read to its end: the status and the headers.
    pub async fn claude(&self, secret: &str, text: &str) -> (u16, reqwest::header::HeaderMap) {
        let response = self.send(secret, text).await;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let _ = response.bytes().await;
        (status, headers)
    }
}

/// The input and output tokens a Messages answer reports.
pub async fn tokens_of(response: reqwest::Response) -> u64 {
    let body: serde_json::Value = response.json().await.expect("a JSON answer");
    let usage = &body["usage"];
    usage["input_tokens"].as_u64().unwrap() + usage["output_tokens"].as_u64().unwrap()
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic in the daemon fails the test that started it.
            if thread.join().is_err() && !std::thread::panicking() {
                panic!("the in-process gatewayd panicked");
            }
        }
    }
}

/// Waits (with a deadline) for the control socket to answer; the data-plane address.
async fn listen_address(ctl: &Client) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut system = ctl.system.clone();
        if let Ok(status) = ctl.call(system.get_status(pb::GetStatusRequest {})).await {
            return status.listen_address;
        }
        assert!(Instant::now() < deadline, "gatewayd did not come up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls `check` until it yields, failing after a deadline; for work the daemon does
/// on its own schedule (housekeeping), never for time the clock stands for.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

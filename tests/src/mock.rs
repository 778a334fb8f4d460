//! A deterministic upstream that plays the Anthropic Messages API and the Gemini API on
//! loopback, records what it receives and what it sends, and fails on request: per-test
//! rules (`POST /__mock/faults` or [`MockHandle::fault`]) or in-band `[[mock:…]]`
//! directives in the last user text.

mod admin;
mod anthropic;
pub mod codeassist;
mod faults;
mod gemini;
mod oauth;
mod reply;
mod server;
mod tokens;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde::Serialize;

pub use faults::{Action, Fault};
pub use server::{serve_on as serve, MockConfig};
pub use tokens::input_tokens;

/// One request as the mock saw it.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    /// The credential the request carried (API key or bearer token).
    pub account: Option<String>,
    pub body: String,
    /// Which TCP connection carried it (numbered from 1 as the mock accepts them).
    pub connection: u64,
    /// Exactly the bytes the mock sent back (the part it sent, for a cut stream).
    #[serde(skip)]
    pub response: Vec<u8>,
    pub status: u16,
}

impl Recorded {
    /// A header's value (names compare case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Shared state of a running mock.
#[derive(Default)]
pub(crate) struct State {
    pub config: MockConfig,
    pub seq: Mutex<u64>,
    pub connections: std::sync::atomic::AtomicU64,
    pub requests: Mutex<Vec<Recorded>>,
    pub faults: Mutex<Vec<Fault>>,
    pub cache_prefixes: Mutex<std::collections::HashSet<String>>,
    pub oauth_used: Mutex<std::collections::HashSet<String>>,
    pub oauth_calls: std::sync::atomic::AtomicU64,
    /// A Google login has called `onboardUser`.
    pub onboarded: std::sync::atomic::AtomicBool,
    /// The utilisation (0..1) the usage reads report, when set: Claude's 5-hour window
    /// (`config.utilization_5h` otherwise) and the Code Assist bucket (1 - it remains;
    /// 0.25 used otherwise).
    pub usage_5h: Mutex<Option<f64>>,
    /// Per subscription (its access token): the 5-hour window's utilisation and reset
    /// (seconds from now) its answers report, instead of the config's.
    pub windows: Mutex<std::collections::HashMap<String, (f64, u64)>>,
}

impl State {
    pub fn next_seq(&self) -> u64 {
        let mut seq = self.seq.lock().unwrap();
        *seq += 1;
        *seq
    }
}

/// A running mock upstream (on its own thread and runtime). Dropping it stops it.
pub struct MockHandle {
    pub addr: SocketAddr,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl MockHandle {
    /// Starts a mock on an ephemeral loopback port.
    pub fn start(config: MockConfig) -> Self {
        server::start(config)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sets the utilisation (0..1) the usage reads report from now on: the 5-hour window
    /// of `GET /api/oauth/usage`, and `retrieveUserQuota`'s bucket (1 - it remains).
    pub fn set_usage(&self, utilization_5h: f64) {
        *self.state.usage_5h.lock().unwrap() = Some(utilization_5h);
    }

    /// Makes the answers to the subscription whose access token is `account` report its
    /// 5-hour window `utilization` (0..1) used, resetting `reset_in` seconds from now.
    pub fn set_windows(&self, account: &str, utilization: f64, reset_in: u64) {
        let mut windows = self.state.windows.lock().unwrap();
        windows.insert(account.to_owned(), (utilization, reset_in));
    }

    /// Queues a fault rule.
    pub fn fault(&self, fault: Fault) {
        self.state.faults.lock().unwrap().push(fault);
    }

    /// Drops every queued fault rule.
    pub fn clear_faults(&self) {
        self.state.faults.lock().unwrap().clear();
    }

    /// Everything received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Requests that carried `account`'s credential.
    pub fn requests_for(&self, account: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.account.as_deref() == Some(account))
            .collect()
    }

    /// Calls made to the OAuth token endpoint so far.
    pub fn oauth_refresh_calls(&self) -> u64 {
        self.state
            .oauth_calls
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forgets recorded requests.
    pub fn clear_requests(&self) {
        self.state.requests.lock().unwrap().clear();
    }
}

impl Drop for MockHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

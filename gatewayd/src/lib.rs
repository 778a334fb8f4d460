//! gatewayd: shares a pool of Claude Code and Gemini CLI accounts behind gateway-issued
//! keys. `run` is the only entry point; the binary passes it a signal future and tests
//! may pass anything else.

mod admission;
mod alerts;
mod app;
mod balance;
pub mod clock;
mod codeassist;
pub mod config;
mod control;
mod dashboard;
mod health_check;
mod heartbeat;
mod login;
mod metrics;
mod metrics_listen;
pub mod model;
mod oauth;
mod prices;
mod probe;
mod proxy;
mod recorder;
mod recovery;
mod restore;
mod rollup;
pub mod secrets;
mod shared_health;
pub mod shutdown;
mod state;
mod store;
pub mod telemetry;
pub mod tls;
mod upstream_client;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use app::{run, run_with_clock};
#[cfg(feature = "fuzzing")]
pub use proxy::fuzzing;
pub use restore::{restore, Restored};

/// Why the daemon could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Secrets(#[from] secrets::SecretsError),
    #[error("the data directory holds sealed credentials but the master key is missing; restore master.key (or set GATEWAYD_MASTER_KEY) instead of starting over")]
    MasterKeyMissing,
    #[error("the master key does not match the one this data directory was sealed with")]
    MasterKeyMismatch,
    #[error("cannot load state: {0}")]
    State(#[from] state::OpError),
    #[error(transparent)]
    Control(#[from] control::BindError),
    #[error("cannot start a thread: {0}")]
    Thread(#[source] std::io::Error),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Client(#[from] upstream_client::ClientError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
}

impl RunError {
    /// Exit code: 64 for bad configuration, 65 for a data directory that failed its
    /// integrity check, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Config(_) | RunError::Tls(_) => 64,
            RunError::Store(store::StoreError::Integrity(_)) => 65,
            _ => 1,
        }
    }
}

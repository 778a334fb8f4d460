//! Dials gatewayd's Unix socket and wraps each RPC with the `--timeout` deadline and a
//! friendly error when the daemon is not there.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gateway_proto::v1::accounts_client::AccountsClient;
use gateway_proto::v1::audit_client::AuditClient;
use gateway_proto::v1::keys_client::KeysClient;
use gateway_proto::v1::logs_client::LogsClient;
use gateway_proto::v1::stats_client::StatsClient;
use gateway_proto::v1::system_client::SystemClient;
use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;
use tonic::transport::{Channel, Endpoint, Uri};

use crate::CtlError;

/// The RPC deadline when `--timeout` is not given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// One connection to the daemon with a client per service.
pub struct Client {
    pub keys: KeysClient<Channel>,
    pub accounts: AccountsClient<Channel>,
    pub stats: StatsClient<Channel>,
    pub logs: LogsClient<Channel>,
    pub system: SystemClient<Channel>,
    pub audit: AuditClient<Channel>,
    path: PathBuf,
    timeout: Duration,
}

impl Client {
    /// Prepares a connection; nothing is dialled until the first call, so commands can
    /// check their arguments (and prompt) before the daemon is needed.
    pub fn new(path: &Path, timeout: Duration) -> Result<Self, CtlError> {
        let socket: PathBuf = path.to_owned();
        let connector = tower::service_fn(move |_: Uri| {
            let socket = socket.clone();
            async move { Ok::<_, std::io::Error>(TokioIo::new(UnixStream::connect(socket).await?)) }
        });
        // The URI is a placeholder: the connector ignores it and dials the socket.
        let channel = Endpoint::from_static("http://gatewayd.local")
            .connect_timeout(timeout)
            .connect_with_connector_lazy(connector);
        Ok(Self {
            keys: KeysClient::new(channel.clone()),
            accounts: AccountsClient::new(channel.clone()),
            stats: StatsClient::new(channel.clone()),
            logs: LogsClient::new(channel.clone()),
            audit: AuditClient::new(channel.clone()),
            system: SystemClient::new(channel),
            path: path.to_owned(),
            timeout,
        })
    }

    /// Runs one RPC under the deadline; a daemon that is not there is named by its socket.
    pub async fn call<T>(
        &self,
        rpc: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
    ) -> Result<T, CtlError> {
        match std::fs::metadata(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return Err(CtlError::NoAccess(self.path.clone()))
            }
            Err(_) => return Err(self.unreachable("no socket there".to_owned())),
            Ok(_) => {}
        }
        match tokio::time::timeout(self.timeout, rpc).await {
            Err(_) => Err(CtlError::Timeout(self.timeout)),
            Ok(Ok(response)) => Ok(response.into_inner()),
            // A status the transport made up: the connection itself failed.
            Ok(Err(status))
                if status.code() == tonic::Code::Unavailable && status.metadata().is_empty() =>
            {
                let reason = std::error::Error::source(&status)
                    .map_or_else(|| status.message().to_owned(), source_message);
                if reason.contains("Permission denied") {
                    return Err(CtlError::NoAccess(self.path.clone()));
                }
                Err(self.unreachable(reason))
            }
            Ok(Err(status)) => Err(status.into()),
        }
    }

    fn unreachable(&self, reason: String) -> CtlError {
        CtlError::Unreachable {
            path: self.path.clone(),
            reason,
        }
    }
}

fn source_message(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message = s.to_string();
        source = s.source();
    }
    message
}

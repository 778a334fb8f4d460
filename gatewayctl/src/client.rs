//! Dials gatewayd's Unix socket and wraps each RPC with the `--timeout` deadline and a
//! friendly error when the daemon is not there.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gateway_proto::v1::accounts_client::AccountsClient;
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
    timeout: Duration,
}

impl Client {
    /// Connects, or explains why not.
    pub async fn connect(path: &Path, timeout: Duration) -> Result<Self, CtlError> {
        let unreachable = |reason: String| CtlError::Unreachable {
            path: path.to_owned(),
            reason,
        };
        if !path.exists() {
            return Err(unreachable("no socket there".to_owned()));
        }
        let socket: PathBuf = path.to_owned();
        let connector = tower::service_fn(move |_: Uri| {
            let socket = socket.clone();
            async move { Ok::<_, std::io::Error>(TokioIo::new(UnixStream::connect(socket).await?)) }
        });
        // The URI is a placeholder: the connector ignores it and dials the socket.
        let endpoint = Endpoint::from_static("http://gatewayd.local").connect_timeout(timeout);
        let channel = tokio::time::timeout(timeout, endpoint.connect_with_connector(connector))
            .await
            .map_err(|_| CtlError::Timeout(timeout))?
            .map_err(|e| unreachable(source_message(&e)))?;
        Ok(Self {
            keys: KeysClient::new(channel.clone()),
            accounts: AccountsClient::new(channel.clone()),
            stats: StatsClient::new(channel.clone()),
            logs: LogsClient::new(channel.clone()),
            system: SystemClient::new(channel),
            timeout,
        })
    }

    /// Runs one RPC under the deadline.
    pub async fn call<T>(
        &self,
        rpc: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
    ) -> Result<T, CtlError> {
        match tokio::time::timeout(self.timeout, rpc).await {
            Err(_) => Err(CtlError::Timeout(self.timeout)),
            Ok(result) => Ok(result?.into_inner()),
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

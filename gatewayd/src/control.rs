//! The control plane: tonic gRPC services of package `gateway.v1` on a Unix socket
//! created with mode 0600, checked against the peer's uid. Each method is a thin call to
//! one `state` operation. Nothing here imports the data plane.

mod accounts;
mod audit;
mod audit_log;
mod backup;
mod convert;
mod keys;
mod logs;
mod peer;
mod route;
mod stats;
mod status;
mod system;

use std::future::Future;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gateway_proto::v1::accounts_server::AccountsServer;
use gateway_proto::v1::audit_server::AuditServer;
use gateway_proto::v1::keys_server::KeysServer;
use gateway_proto::v1::logs_server::LogsServer;
use gateway_proto::v1::stats_server::StatsServer;
use gateway_proto::v1::system_server::SystemServer;
use tokio::net::UnixListener;
use tokio_stream::wrappers::UnixListenerStream;

use crate::config::{Config, Live, Loader};
use crate::recorder::Recorder;
use crate::state::Gateway;

/// What the services need.
#[derive(Clone)]
pub struct Control {
    pub gateway: Gateway,
    /// For `account test` probes.
    pub probe_client: reqwest::Client,
    pub recorder: Recorder,
    pub listen_address: String,
    pub data_dir: PathBuf,
    /// Settings that change without a restart.
    pub live: Live,
    /// The configuration the daemon started with.
    pub running: Arc<Config>,
    /// Re-reads the configuration; `None` when the daemon was started without a file.
    pub loader: Option<Loader>,
    /// Logins in progress.
    pub logins: Arc<crate::login::Logins>,
    /// The key windows and budgets, for `key show` and `stats`.
    pub admission: Arc<crate::admission::Admission>,
    /// The data plane's balancer, for `route explain`.
    pub balancer: Arc<crate::balance::Balancer>,
    /// Cancelled when the daemon stops: streams that would run on (a followed log) end.
    pub stopping: tokio_util::sync::CancellationToken,
}

/// The control socket could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error("cannot create the socket directory {path}: {source}")]
    Dir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("another gatewayd is already serving {path}")]
    InUse { path: PathBuf },
    #[error("unknown socket group {0:?}")]
    Group(String),
    #[error("cannot bind the control socket {path}: {source}")]
    Bind {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Binds the socket (replacing a stale one) with mode 0600, or 0660 owned by `group`.
/// The listener is a std one so the control plane can adopt it on its own runtime.
pub fn bind(
    path: &Path,
    group: Option<&str>,
) -> Result<std::os::unix::net::UnixListener, BindError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| BindError::Dir {
            path: dir.to_owned(),
            source,
        })?;
    }
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(BindError::InUse {
                path: path.to_owned(),
            });
        }
        let _ = std::fs::remove_file(path);
    }
    let bind_err = |source| BindError::Bind {
        path: path.to_owned(),
        source,
    };
    let gid = group
        .map(|name| match nix::unistd::Group::from_name(name) {
            Ok(Some(g)) => Ok(g.gid.as_raw()),
            _ => Err(BindError::Group(name.to_owned())),
        })
        .transpose()?;
    let listener = std::os::unix::net::UnixListener::bind(path).map_err(bind_err)?;
    let mode = if gid.is_some() { 0o660 } else { 0o600 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(bind_err)?;
    if let Some(gid) = gid {
        std::os::unix::fs::chown(path, None, Some(gid)).map_err(bind_err)?;
    }
    listener.set_nonblocking(true).map_err(bind_err)?;
    Ok(listener)
}

/// Serves the control plane until `shutdown` resolves. Call inside the runtime that
/// should run it.
pub async fn serve(
    listener: std::os::unix::net::UnixListener,
    control: Control,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let listener = UnixListener::from_std(listener).map_err(ServeError::Adopt)?;
    let check = peer::PeerCheck::new(control.live.clone());
    tonic::transport::Server::builder()
        .layer(audit::AuditLayer)
        .add_service(KeysServer::with_interceptor(control.clone(), check.clone()))
        .add_service(AccountsServer::with_interceptor(
            control.clone(),
            check.clone(),
        ))
        .add_service(StatsServer::with_interceptor(
            control.clone(),
            check.clone(),
        ))
        .add_service(LogsServer::with_interceptor(control.clone(), check.clone()))
        .add_service(AuditServer::with_interceptor(
            control.clone(),
            check.clone(),
        ))
        .add_service(SystemServer::with_interceptor(control, check))
        .serve_with_incoming_shutdown(UnixListenerStream::new(listener), shutdown)
        .await
        .map_err(ServeError::Serve)
}

/// The control plane stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot adopt the control socket: {0}")]
    Adopt(#[source] std::io::Error),
    #[error("control plane failed: {0}")]
    Serve(#[source] tonic::transport::Error),
}

//! Wiring only, in a fixed order: data dir → store → master key → state → recorder →
//! control socket → data-plane port → serve; and the reverse on shutdown.

use std::future::Future;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::{Config, Live, Loader};
use crate::control::{self, Control};
use crate::proxy::{self, Proxy};
use crate::recorder;
use crate::secrets::{MasterKey, MasterKeySource};
use crate::state::Gateway;
use crate::store::{Ledger, Store};
use crate::RunError;

mod cluster;

/// The setting holding the master key's check value.
pub(crate) const KEY_CHECK: &str = "master_key_check";

/// Runs the daemon until `shutdown` resolves, then drains and flushes.
/// `loader` re-reads the configuration for `config reload` (`None`: nothing to reload).
pub async fn run(
    config: Config,
    loader: Option<Loader>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RunError> {
    run_with_clock(config, loader, shutdown, Clock::system()).await
}

/// [`run`] reading the time of day from `clock`, which tests hold still and move.
pub async fn run_with_clock(
    config: Config,
    loader: Option<Loader>,
    shutdown: impl Future<Output = ()>,
    clock: Clock,
) -> Result<(), RunError> {
    config.validate()?;
    create_private_dir(&config.data_dir)?;
    let mut store = Store::open(&config.data_dir)?;
    if let Some(url) = &config.cluster.postgres_url {
        store.join_cluster(url)?;
    }
    let master = master_key(&config, &store)?;
    store.verify_manifest(&master.manifest_key())?;
    let ledger = match &config.cluster.postgres_url {
        Some(url) => Ledger::open_postgres(url)?,
        None => Ledger::open(&config.data_dir).await?,
    };
    if let Some(moved) = ledger.import_legacy(&store).await? {
        tracing::info!(
            request_log_entries = moved,
            "moved the usage totals, rollups and request log from sled into the usage ledger (once)"
        );
    }
    let gateway = Gateway::open(
        store.clone(),
        ledger.clone(),
        &master,
        &config.upstream,
        &config.oauth,
        clock.clone(),
    )?;
    gateway.commit()?;
    match ledger.marks().await {
        Ok(marks) => gateway.seed_marks(marks),
        Err(e) if store.cluster().is_some() && e.is_unreachable() => {
            tracing::warn!(error = %e, "the cluster's ledger is unreachable: keys' last use and quota counts start from this node's snapshot");
        }
        Err(e) => return Err(e.into()),
    }
    let admission = Arc::new(cluster::admission(&config).await?);
    admission.import(store.limits()?, clock.now_millis());
    let mut cluster_tasks = cluster::follow(&config, &gateway, &admission);
    let live = Live::new(&config);
    let metrics = crate::metrics::Metrics::new(admission.hot().map(|_| admission.decisions()));
    let clients = crate::upstream_client::Clients::new(&config.upstream)?;
    let (alerter, alert_task) = crate::alerts::channel(clients.shared.clone(), live.clone());
    let alert_task = tokio::spawn(alert_task);
    let periods = Arc::new(recorder::periods::KeyPeriods::default());
    match recorder::periods::seed(&gateway, &admission, &periods, clock.now_millis()).await {
        Err(e) if store.cluster().is_some() && e.kind == crate::state::ErrorKind::Unavailable => {
            tracing::warn!(error = %e, "the cluster's ledger is unreachable: spend so far this period counts from now on this node");
        }
        done => done?,
    }
    let (recorder, recorder_task) = recorder::channel(
        gateway.clone(),
        Arc::clone(&admission),
        live.clone(),
        metrics.clone(),
        alerter,
        &config.record,
        Arc::clone(&periods),
    );
    let metrics_listener = match config.metrics.listen {
        Some(addr) => {
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|source| RunError::Listen { addr, source })?;
            Some(tokio::spawn(crate::metrics_listen::serve(
                listener,
                metrics.clone(),
                gateway.clone(),
            )))
        }
        None => None,
    };
    let dashboard = Arc::new(crate::dashboard::Dashboard::new(
        gateway.clone(),
        Arc::clone(&admission),
        Arc::clone(&periods),
        recorder.clone(),
        live.clone(),
        // Cookies are Secure where the dashboard is served over TLS (its own address is
        // plain HTTP).
        config.tls.cert.is_some() && config.dashboard.listen.is_none(),
    ));
    let dashboard_listener = match config.dashboard.listen {
        Some(addr) => {
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|source| RunError::Listen { addr, source })?;
            tracing::info!(dashboard.addr = %addr, "dashboard on its own address");
            let dashboard = Arc::clone(&dashboard);
            Some(tokio::spawn(crate::dashboard::listen::serve(
                listener, dashboard,
            )))
        }
        None => None,
    };
    let recorder_thread = spawn_recorder(recorder_task)?;
    let refresher = tokio::spawn(crate::oauth::keep_fresh(
        gateway.clone(),
        clients.shared.clone(),
        recorder.clone(),
        config.oauth.refresh_check_interval,
    ));

    let backups = periodic_backups(&gateway, &config);
    let tls = crate::tls::acceptor(&config.tls, config.listen, config.security.allow_plain_http)?;
    let checker = tokio::spawn(crate::health_check::run(
        gateway.clone(),
        clients.shared.clone(),
        recorder.clone(),
        live.clone(),
    ));
    let socket = control::bind(&config.socket, config.control.socket_group.as_deref())?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| RunError::Listen {
            addr: config.listen,
            source,
        })?;
    let local = listener.local_addr().map_err(|source| RunError::Listen {
        addr: config.listen,
        source,
    })?;
    let listen = local.to_string();
    cluster::beat(
        &mut cluster_tasks,
        &config,
        &gateway,
        &admission,
        &recorder,
        listen,
    );
    let control_stopping = tokio_util::sync::CancellationToken::new();
    let balancer = Arc::new(crate::balance::Balancer::default());
    let control = Control {
        admission: Arc::clone(&admission),
        balancer: Arc::clone(&balancer),
        gateway: gateway.clone(),
        probe_client: clients.shared.clone(),
        recorder: recorder.clone(),
        listen_address: local.to_string(),
        data_dir: config.data_dir.clone(),
        live: live.clone(),
        running: Arc::new(config.clone()),
        loader,
        logins: Arc::default(),
        stopping: control_stopping.clone(),
    };
    let (stop_control, control_thread) = spawn_control(socket, control)?;
    tracing::info!(listen.addr = %local, control.socket = %config.socket.display(), data_dir = %config.data_dir.display(), "gatewayd ready");

    let proxy = Proxy::new(
        gateway.clone(),
        proxy::Shared {
            dashboard,
            admission: Arc::clone(&admission),
            balancer,
            periods,
        },
        metrics_listener.is_none().then_some(metrics),
        recorder.clone(),
        clients,
        live,
        proxy::request_body::BodyPace {
            grace: config.client_timeout,
            min_rate: config.min_body_rate,
        },
    );
    let caps = proxy::connections::ConnectionCaps::new(
        config.max_connections,
        config.max_connections_per_ip,
        &config.security.trusted_proxies,
    );
    tracing::info!(
        max_connections = caps.max_total(),
        "client connections capped"
    );
    let timing = proxy::listen::Timing {
        grace: config.shutdown_grace,
        client: config.client_timeout,
        http2_keepalive: config.http2_keepalive,
        caps,
    };
    proxy::listen::serve(listener, tls, proxy, shutdown, timing).await;
    admission.give_back_leases().await;

    refresher.abort();
    checker.abort();
    if let Some(task) = backups {
        task.abort();
    }
    alert_task.abort();
    for task in [metrics_listener, dashboard_listener].into_iter().flatten() {
        task.abort();
    }
    cluster_tasks.abort();
    recorder.stop().await;
    let _ = tokio::task::spawn_blocking(move || recorder_thread.join()).await;
    store.save_limits(&admission.export())?;
    if let Err(e) = gateway.seal_audit() {
        tracing::error!(error = %e, "cannot sign the audit chain head");
    }
    control_stopping.cancel();
    let _ = stop_control.send(());
    let _ = tokio::task::spawn_blocking(move || control_thread.join()).await;
    let _ = std::fs::remove_file(&config.socket);
    gateway.commit()?;
    ledger.close().await;
    tracing::info!("gatewayd stopped cleanly");
    Ok(())
}

/// Writes a backup every `backup.interval` (when set), keeping `backup.keep`.
fn periodic_backups(gateway: &Gateway, config: &Config) -> Option<tokio::task::JoinHandle<()>> {
    let every = config.backup.interval;
    if every.is_zero() {
        return None;
    }
    let dir = config
        .backup
        .dir
        .clone()
        .unwrap_or_else(|| config.data_dir.join("backups"));
    let (gateway, keep) = (gateway.clone(), config.backup.keep);
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match crate::state::backup::periodic(&gateway, &dir, keep).await {
                Ok(path) => tracing::info!(path = %path.display(), "backup written"),
                Err(e) => tracing::error!(error = %e, "cannot write the periodic backup"),
            }
        }
    }))
}

fn create_private_dir(dir: &Path) -> Result<(), RunError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| RunError::DataDir {
            path: dir.to_owned(),
            source,
        })
}

/// Loads the master key and proves it is the one the data dir was sealed with.
fn master_key(config: &Config, store: &Store) -> Result<MasterKey, RunError> {
    let source = MasterKeySource::resolve(&config.data_dir, config.master_key_file.as_deref())?;
    match store.setting(KEY_CHECK)? {
        None => {
            let master = source.load(true)?;
            if let MasterKeySource::DataDir(path) = &source {
                tracing::warn!(
                    path = %path.display(),
                    "master key in use for this data directory: back it up now and keep the copy apart from the data directory's backups; without it no sealed credential can be read"
                );
            }
            store.set_setting(KEY_CHECK, &master.check_value())?;
            Ok(master)
        }
        Some(_) if !source.exists() => Err(RunError::MasterKeyMissing),
        Some(check) => {
            let master = source.load(false)?;
            if master.check_value() != check {
                return Err(RunError::MasterKeyMismatch);
            }
            Ok(master)
        }
    }
}

/// The recorder runs on its own thread and runtime: summing records, encoding batches
/// and housekeeping never take turns with requests on the data plane's threads.
fn spawn_recorder(task: recorder::RecorderTask) -> Result<std::thread::JoinHandle<()>, RunError> {
    std::thread::Builder::new()
        .name("recorder".to_owned())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(task.run()),
                Err(e) => tracing::error!(error = %e, "cannot start the recorder's runtime"),
            }
        })
        .map_err(RunError::Thread)
}

/// The control plane runs on its own thread and runtime, so it answers while the data
/// plane is saturated.
fn spawn_control(
    socket: std::os::unix::net::UnixListener,
    control: Control,
) -> Result<(oneshot::Sender<()>, std::thread::JoinHandle<()>), RunError> {
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("control".to_owned())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => return tracing::error!(error = %e, "cannot start the control runtime"),
            };
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = runtime.block_on(control::serve(socket, control, shutdown)) {
                tracing::error!(error = %e, "control plane stopped");
            }
        })
        .map_err(RunError::Thread)?;
    Ok((stop, thread))
}

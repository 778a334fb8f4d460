//! `gatewayd`: parse flags, load config, run until SIGINT/SIGTERM; or `gatewayd restore`.
//! Exit codes: 0 clean shutdown, 1 runtime failure, 64 bad configuration, 65 a data
//! directory (or backup) that failed its integrity check.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gatewayd::config::Config;

// jemalloc replaces the C library's malloc for the whole process.
use tikv_jemalloc_sys as _;

/// The LLM Gateway daemon: proxies Claude Code and Gemini CLI traffic for gateway keys
/// over a shared pool of upstream accounts. Every setting has a default.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Data-plane HTTP address [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// State directory (records, usage ledger, master key).
    #[arg(long, global = true, value_name = "DIR", env = gateway_shared::paths::DATA_DIR_ENV)]
    data_dir: Option<PathBuf>,
    /// Control-plane Unix socket.
    #[arg(long, value_name = "PATH", env = gateway_shared::paths::SOCKET_ENV)]
    socket: Option<PathBuf>,
    /// TOML configuration file; flags override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log as JSON lines.
    #[arg(long)]
    log_json: bool,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "FILE")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key for --tls-cert.
    #[arg(long, value_name = "FILE")]
    tls_key: Option<PathBuf>,
    /// Require client certificates signed by this PEM CA (mutual TLS).
    #[arg(long, value_name = "FILE")]
    tls_client_ca: Option<PathBuf>,
    /// Serve Prometheus /metrics on this address instead of the data-plane port.
    #[arg(long, value_name = "ADDR")]
    metrics_listen: Option<SocketAddr>,
    /// Check the configuration (file, flags, TLS files) and exit: 0 when it is usable,
    /// 64 with the reason when not.
    #[arg(long)]
    check_config: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Restore a stopped daemon's data directory from a `gatewayctl backup` file. What the
    /// directory held is moved aside (`*.replaced-<time>`), not deleted.
    Restore {
        /// The backup file.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = match load(&args) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("gatewayd: {e}");
            return ExitCode::from(64);
        }
    };
    if let Some(Command::Restore { file }) = &args.command {
        return restore(file, &config);
    }
    if args.check_config {
        return check(&args, &config);
    }
    raise_fd_limit();
    let runtime = match build_runtime(config.workers) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gatewayd: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    {
        // An OTLP exporter binds to the runtime it is made in.
        let _inside = runtime.enter();
        gatewayd::telemetry::init(config.log_json, &config.telemetry);
    }
    let loader: Option<gatewayd::config::Loader> = args.config.is_some().then(|| {
        let args = std::sync::Arc::new(args);
        std::sync::Arc::new(move || load(&args)) as gatewayd::config::Loader
    });
    match runtime.block_on(gatewayd::run(
        config,
        loader,
        gatewayd::shutdown::signal_received(),
    )) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "gatewayd failed");
            eprintln!("gatewayd: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// `gatewayd --check-config`: the configuration was read and validated; the TLS files
/// must load too.
fn check(args: &Args, config: &Config) -> ExitCode {
    let source = args
        .config
        .as_ref()
        .map_or_else(|| "the defaults".to_owned(), |p| p.display().to_string());
    if let Err(e) =
        gatewayd::tls::acceptor(&config.tls, config.listen, config.security.allow_plain_http)
    {
        eprintln!("gatewayd: {e}");
        return ExitCode::from(64);
    }
    println!("configuration OK: {source}");
    ExitCode::SUCCESS
}

/// `gatewayd restore FILE`: prints what was restored, or why not.
fn restore(file: &std::path::Path, config: &Config) -> ExitCode {
    match gatewayd::restore(file, &config.data_dir, config.master_key_file.as_deref()) {
        Ok(done) => {
            let h = &done.header;
            println!(
                "restored {} into {}: {} keys, {} accounts, {} audit entries (backup of {} ms)",
                file.display(),
                config.data_dir.display(),
                h.keys,
                h.accounts,
                h.audit_entries,
                h.created_ms
            );
            if !done.master_key_found {
                println!(
                    "no master key found for {}: put the one the backup was made under at {}/master.key (mode 0600) or set GATEWAYD_MASTER_KEY before starting gatewayd",
                    config.data_dir.display(),
                    config.data_dir.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gatewayd: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn load(args: &Args) -> Result<Config, gatewayd::config::ConfigError> {
    let mut config = match &args.config {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(dir) = &args.data_dir {
        config.data_dir.clone_from(dir);
    }
    if let Some(socket) = &args.socket {
        config.socket.clone_from(socket);
    }
    config.log_json |= args.log_json;
    if let Some(addr) = args.metrics_listen {
        config.metrics.listen = Some(addr);
    }
    for (flag, setting) in [
        (&args.tls_cert, &mut config.tls.cert),
        (&args.tls_key, &mut config.tls.key),
        (&args.tls_client_ca, &mut config.tls.client_ca),
    ] {
        if let Some(path) = flag {
            *setting = Some(path.clone());
        }
    }
    config.validate()?;
    Ok(config)
}

/// One worker per available core, or `workers`. With a single worker the data plane
/// runs on a current-thread runtime: no work stealing, no cross-thread wake-ups.
fn build_runtime(workers: usize) -> std::io::Result<tokio::runtime::Runtime> {
    let workers = match workers {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    if workers == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
    }
}

/// Each proxied stream holds two sockets; lift the soft open-file limit to the hard one.
fn raise_fd_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => {
            if let Err(e) = setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
                tracing::warn!(error = %e, soft, "cannot raise the open-file limit");
            }
        }
        _ => {}
    }
}

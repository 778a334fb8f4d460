//! The command-line grammar: `gatewayctl [global flags] <noun> <verb> [args]`, singular
//! nouns with plural aliases.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

mod account;
mod key;
mod observe;

pub use account::*;
pub use key::*;
pub use observe::*;

/// Operate a running gatewayd over its control socket.
#[derive(Parser, Debug)]
#[command(name = "gatewayctl", version, about, propagate_version = true)]
pub struct Cli {
    /// Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock].
    #[arg(long, global = true, value_name = "PATH", env = gateway_shared::paths::SOCKET_ENV)]
    pub socket: Option<PathBuf>,
    /// Print one JSON document on stdout instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Tables as wide as their content (no wrapping), for wide terminals and pipes.
    #[arg(long, global = true)]
    pub wide: bool,
    /// How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m].
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    #[command(subcommand)]
    pub command: Noun,
}

impl Cli {
    /// The socket to dial.
    pub fn socket_path(&self) -> PathBuf {
        self.socket
            .clone()
            .unwrap_or_else(gateway_shared::paths::default_socket)
    }
}

/// Parses the process arguments.
pub fn parse() -> Cli {
    Cli::parse()
}

#[derive(Subcommand, Debug)]
pub enum Noun {
    /// Upstream accounts in the pool.
    #[command(visible_alias = "accounts")]
    Account(AccountArgs),
    /// Gateway keys that clients present.
    #[command(visible_alias = "keys")]
    Key(KeyArgs),
    /// How requests are placed on the pool.
    Route(RouteArgs),
    /// Counted requests and tokens.
    Stats(StatsArgs),
    /// The request log (redacted: ids, statuses, timings, tokens).
    Log(LogArgs),
    /// The tamper-evident audit log: control-plane changes and security events.
    Audit(AuditArgs),
    /// Alert webhooks.
    Alerts(AlertsArgs),
    /// Daemon version, uptime, address and counts.
    Status,
    /// The price table cost is estimated from (the config's rows, then the shipped ones).
    Prices,
    /// Write a consistent backup of all state to FILE while the daemon runs (the master
    /// key is not included; restore with `gatewayd restore FILE --data-dir DIR`).
    Backup {
        /// Where to write it (must not exist).
        file: PathBuf,
    },
    /// The daemon's configuration file.
    Config(ConfigArgs),
    /// Print a shell completion script (the same as the files in completions/).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

pub(crate) fn parse_grace(s: &str) -> Result<Duration, String> {
    if s.trim() == "0" || s.trim() == "0s" {
        return Ok(Duration::ZERO);
    }
    parse_duration(s)
}

pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    gateway_shared::duration::parse(s).map_err(|e| e.to_string())
}

/// The clap tree, for completions and tests.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

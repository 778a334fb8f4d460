//! `gatewayctl stats`, `log` and `config` arguments.

use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};

use super::parse_duration;

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Group rows by key, account, model or dialect.
    #[arg(long, value_enum, default_value = "key")]
    pub by: StatsBy,
    /// Only the last DURATION (1h, 24h, 7d; whole hours) [default: all time].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub since: Option<Duration>,
}

#[derive(Args, Debug)]
pub struct LogArgs {
    #[command(subcommand)]
    pub verb: LogVerb,
}

#[derive(Subcommand, Debug)]
pub enum LogVerb {
    /// The newest entries; with --follow, new ones as they come (JSON lines with --json).
    Tail {
        #[arg(long, short = 'f')]
        follow: bool,
        /// Only this key's requests.
        #[arg(long = "key", value_name = "ID")]
        key_id: Option<String>,
        /// Only this account's requests.
        #[arg(long = "account", value_name = "ID")]
        account_id: Option<String>,
        /// Only the request with this id (`req_gw_…`, from the answer's
        /// `x-gateway-request-id` header or an error's `request_id`).
        #[arg(long = "request", value_name = "ID")]
        request_id: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum StatsBy {
    Key,
    Account,
    Model,
    Dialect,
}

impl StatsBy {
    pub fn as_str(self) -> &'static str {
        match self {
            StatsBy::Key => "key",
            StatsBy::Account => "account",
            StatsBy::Model => "model",
            StatsBy::Dialect => "dialect",
        }
    }
}

#[derive(Args, Debug)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub verb: ConfigVerb,
}

#[derive(Subcommand, Debug)]
pub enum ConfigVerb {
    /// Re-read the file gatewayd was started with; connections stay up.
    Reload,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub verb: AuditVerb,
}

#[derive(Subcommand, Debug)]
pub enum AuditVerb {
    /// Control-plane changes and security events, oldest first.
    List {
        /// Only the last DURATION (1h, 24h, 7d).
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        since: Option<Duration>,
        /// The newest this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Recompute the hash chain and check every signed head; exit 5 if anything is off.
    Verify,
}

#[derive(Args, Debug)]
pub struct AlertsArgs {
    #[command(subcommand)]
    pub verb: AlertsVerb,
}

#[derive(Subcommand, Debug)]
pub enum AlertsVerb {
    /// Send a test alert to every configured webhook now; exit 1 if any fails.
    Test,
}

#[derive(Args, Debug)]
pub struct RouteArgs {
    #[command(subcommand)]
    pub verb: RouteVerb,
}

#[derive(Subcommand, Debug)]
pub enum RouteVerb {
    /// Where a new conversation would go now, and why: every account of the pool with
    /// its place in the plan or why it is left out, and the strategy's view of it.
    /// Takes no turn: explaining changes nothing.
    Explain {
        /// The model the request names [default: none].
        #[arg(long)]
        model: Option<String>,
        /// The pool: claude-code or gemini-cli [default: gemini-cli for a gemini model,
        /// else claude-code].
        #[arg(long = "type", value_name = "TYPE", value_parser = ["claude-code", "gemini-cli"])]
        kind: Option<String>,
        /// Also check that this key (id or name) may send it.
        #[arg(long, value_name = "ID|NAME")]
        key: Option<String>,
        /// Who sends it: claude-code or other.
        #[arg(long, default_value = "claude-code", value_parser = ["claude-code", "other"])]
        client: String,
    },
}

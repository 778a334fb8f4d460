//! The command-line grammar: `gatewayctl [global flags] <noun> <verb> [args]`, singular
//! nouns with plural aliases.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// Counted requests and tokens.
    Stats(StatsArgs),
    /// The request log (redacted: ids, statuses, timings, tokens).
    Log(LogArgs),
    /// Daemon version, uptime, address and counts.
    Status,
    /// The daemon's configuration file.
    Config(ConfigArgs),
    /// Print a shell completion script (the same as the files in completions/).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Debug)]
pub struct AccountArgs {
    #[command(subcommand)]
    pub verb: AccountVerb,
}

#[derive(Subcommand, Debug)]
pub enum AccountVerb {
    /// Add an upstream account; its credential is read from a file, stdin or a hidden prompt.
    Add(AccountAdd),
    /// List accounts with their status.
    #[command(visible_alias = "ls")]
    List,
    /// Show one account.
    Show { id: String },
    /// Change an account's settings or credential.
    Update(AccountUpdateArgs),
    /// Remove an account from the pool for good (asks on a terminal; scripts pass --yes).
    #[command(visible_alias = "rm")]
    Remove {
        id: String,
        #[arg(long)]
        yes: bool,
    },
    /// Take an account out of rotation.
    Disable { id: String },
    /// Put an account back into rotation, clearing errors and cool-downs.
    Enable { id: String },
    /// Stop new requests to an account; with --wait, follow its in-flight requests to zero.
    Drain {
        id: String,
        /// Wait until nothing is in flight (bounded by --timeout, default 10m).
        #[arg(long)]
        wait: bool,
    },
    /// Return a drained account to service.
    Undrain { id: String },
    /// One live call through the account; prints latency and result.
    Test { id: String },
    /// Add a subscription account from an existing login (Claude Code's
    /// ~/.claude/.credentials.json, a token JSON, or a long-lived setup token).
    Import(AccountImport),
    /// Refresh an OAuth account's access token now.
    Refresh { id: String },
    /// A subscription's rate-limit windows (5h/7d utilisation and resets) as last reported.
    Usage { id: String },
    /// Log in to a Claude subscription in a browser and add it (authorization code + PKCE).
    Login(AccountLogin),
}

#[derive(Args, Debug)]
pub struct AccountLogin {
    /// Only claude-code for now.
    #[arg(value_enum)]
    pub provider: ProviderArg,
    /// A name unique among accounts (asked for on a terminal if missing).
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub priority: i32,
}

#[derive(Args, Debug)]
pub struct AccountImport {
    /// The credentials file (it holds secrets: keep it 0600 and delete it after).
    pub file: PathBuf,
    /// A name unique among accounts (asked for on a terminal if missing).
    #[arg(long)]
    pub name: Option<String>,
    /// Which clients the account serves.
    #[arg(long = "type", value_enum, default_value = "claude-code")]
    pub provider: ProviderArg,
    /// Upstream base URL [default: the provider's public API].
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    #[arg(long, default_value_t = 1)]
    pub weight: u32,
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub priority: i32,
}

/// Where an account's upstream API key comes from: never argv.
#[derive(Args, Debug, Default)]
pub struct CredentialSource {
    /// Read the upstream API key from this file.
    #[arg(long, value_name = "PATH", conflicts_with = "api_key_stdin")]
    pub api_key_file: Option<PathBuf>,
    /// Read the upstream API key from standard input.
    #[arg(long)]
    pub api_key_stdin: bool,
}

#[derive(Args, Debug)]
pub struct AccountUpdateArgs {
    pub id: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    #[arg(long)]
    pub weight: Option<u32>,
    #[arg(long, allow_hyphen_values = true)]
    pub priority: Option<i32>,
    /// Comma-separated model patterns this account serves (`*` wildcard).
    #[arg(long, value_delimiter = ',')]
    pub models: Option<Vec<String>>,
    /// Requests in flight at most (0 = unlimited).
    #[arg(long)]
    pub max_concurrency: Option<u32>,
    #[command(flatten)]
    pub credential: CredentialSource,
    #[command(flatten)]
    pub proxy: ProxySource,
}

#[derive(Args, Debug)]
pub struct AccountAdd {
    /// A name unique among accounts (asked for on a terminal if missing).
    #[arg(long)]
    pub name: Option<String>,
    /// Which clients the account serves (asked for on a terminal if missing).
    #[arg(long = "type", value_enum)]
    pub provider: Option<ProviderArg>,
    /// How the gateway authenticates upstream.
    #[arg(long, value_enum, default_value = "api-key")]
    pub auth: AuthArg,
    #[command(flatten)]
    pub credential: CredentialSource,
    /// Upstream base URL [default: the provider's public API].
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Share of traffic relative to other accounts.
    #[arg(long, default_value_t = 1)]
    pub weight: u32,
    /// Lower numbers are used first; higher ones only when those are unusable.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub priority: i32,
    /// Comma-separated model patterns this account serves (`*` wildcard) [default: all].
    #[arg(long, value_delimiter = ',')]
    pub models: Vec<String>,
    /// Requests in flight at most; a full account is skipped (0 = unlimited).
    #[arg(long, default_value_t = 0)]
    pub max_concurrency: u32,
    #[command(flatten)]
    pub proxy: ProxySource,
}

/// Where an account's upstream proxy comes from; a password never comes through argv.
#[derive(Args, Debug, Default)]
pub struct ProxySource {
    /// Upstream proxy for this account, http(s)://host:port (`none` removes it on update).
    #[arg(long, value_name = "URL", conflicts_with = "proxy_file")]
    pub proxy: Option<String>,
    /// Read the proxy URL from a file, for URLs that carry a password.
    #[arg(long, value_name = "PATH")]
    pub proxy_file: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ProviderArg {
    ClaudeCode,
    GeminiCli,
}

impl ProviderArg {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderArg::ClaudeCode => "claude-code",
            ProviderArg::GeminiCli => "gemini-cli",
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum AuthArg {
    ApiKey,
    /// A subscription login; use `account import` to bring one in.
    Oauth,
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
pub struct KeyArgs {
    #[command(subcommand)]
    pub verb: KeyVerb,
}

#[derive(Subcommand, Debug)]
pub enum KeyVerb {
    /// Issue a key; its secret is printed once, here.
    Create(KeyCreate),
    /// List keys (revoked and expired ones with --all).
    #[command(visible_alias = "ls")]
    List {
        #[arg(long)]
        all: bool,
    },
    /// Show one key.
    Show {
        /// The key id (key_…).
        id: String,
    },
    /// Change a key's settings; its secret stays the same.
    Update(KeyUpdateArgs),
    /// Issue a new secret for the same key; printed once.
    Rotate {
        /// The key id (key_…).
        id: String,
        /// How long the old secret keeps working (0 = it stops at once).
        #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_grace)]
        grace: Duration,
    },
    /// Revoke a key at once.
    Revoke {
        /// The key id (key_…).
        id: String,
    },
    /// Delete a key for good (asks on a terminal; scripts pass --yes).
    Delete {
        /// The key id (key_…).
        id: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

/// Limits and scope shared by `key create` and `key update`.
#[derive(Args, Debug, Default)]
pub struct KeyScope {
    /// Comma-separated providers the key may use [default: all].
    #[arg(long, value_delimiter = ',')]
    pub providers: Option<Vec<String>>,
    /// Comma-separated model patterns (`*` wildcard), e.g. 'claude-*,gemini-2.5-*' [default: all].
    #[arg(long, value_delimiter = ',')]
    pub models: Option<Vec<String>>,
    /// Requests per minute (0 = unlimited).
    #[arg(long)]
    pub rpm: Option<u32>,
    /// Requests per hour (0 = unlimited).
    #[arg(long)]
    pub rph: Option<u32>,
    /// Free text for operators.
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Args, Debug)]
pub struct KeyUpdateArgs {
    /// The key id (key_…).
    pub id: String,
    /// A new name.
    #[arg(long)]
    pub name: Option<String>,
    /// Comma-separated: read, write, admin.
    #[arg(long, value_delimiter = ',')]
    pub permissions: Option<Vec<String>>,
    /// A duration from now (30d), an RFC 3339 time, or `never`.
    #[arg(long, value_name = "WHEN")]
    pub expires: Option<String>,
    #[command(flatten)]
    pub scope: KeyScope,
}

#[derive(Args, Debug)]
pub struct KeyCreate {
    /// A name to recognise the key by (asked for on a terminal if missing).
    #[arg(long)]
    pub name: Option<String>,
    /// Comma-separated: read, write, admin.
    #[arg(long, value_delimiter = ',', default_value = "read,write")]
    pub permissions: Vec<String>,
    /// Expiry: a duration from now (30d, 12h) or an RFC 3339 time.
    #[arg(long, value_name = "WHEN")]
    pub expires: Option<String>,
    #[command(flatten)]
    pub scope: KeyScope,
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Group rows by key, account or model.
    #[arg(long, value_enum, default_value = "key")]
    pub by: StatsBy,
    /// Only the last DURATION (1h, 24h, 7d), from the request log [default: all time].
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
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum StatsBy {
    Key,
    Account,
    Model,
}

impl StatsBy {
    pub fn as_str(self) -> &'static str {
        match self {
            StatsBy::Key => "key",
            StatsBy::Account => "account",
            StatsBy::Model => "model",
        }
    }
}

fn parse_grace(s: &str) -> Result<Duration, String> {
    if s.trim() == "0" || s.trim() == "0s" {
        return Ok(Duration::ZERO);
    }
    parse_duration(s)
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    gateway_shared::duration::parse(s).map_err(|e| e.to_string())
}

/// The clap tree, for completions and tests.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

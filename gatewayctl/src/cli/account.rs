//! `gatewayctl account …` arguments.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

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
    Show {
        #[arg(value_name = "ID|NAME")]
        id: String,
    },
    /// Change an account's settings or credential.
    Update(AccountUpdateArgs),
    /// Remove an account from the pool for good (asks on a terminal; scripts pass --yes).
    #[command(visible_alias = "rm")]
    Remove {
        #[arg(value_name = "ID|NAME")]
        id: String,
        #[arg(long)]
        yes: bool,
    },
    /// Take an account out of rotation.
    Disable {
        #[arg(value_name = "ID|NAME")]
        id: String,
    },
    /// Put an account back into rotation, clearing errors and cool-downs.
    Enable {
        #[arg(value_name = "ID|NAME")]
        id: String,
    },
    /// Stop new requests to an account; with --wait, follow its in-flight requests to zero.
    Drain {
        #[arg(value_name = "ID|NAME")]
        id: String,
        /// Wait until nothing is in flight (bounded by --timeout, default 10m).
        #[arg(long)]
        wait: bool,
    },
    /// Return a drained account to service.
    Undrain {
        #[arg(value_name = "ID|NAME")]
        id: String,
    },
    /// One live call through the account; prints latency and result.
    Test {
        #[arg(value_name = "ID|NAME")]
        id: String,
    },
    /// Add a subscription account from an existing login (Claude Code's
    /// ~/.claude/.credentials.json, Gemini CLI's ~/.gemini/oauth_creds.json, a token JSON,
    /// or a long-lived setup token).
    Import(AccountImport),
    /// Refresh an OAuth account's access token now.
    Refresh {
        #[arg(value_name = "ID|NAME")]
        id: String,
    },
    /// A subscription's rate-limit windows (5h/7d utilisation and resets) as last reported.
    Usage {
        #[arg(value_name = "ID|NAME")]
        id: String,
    },
    /// Log in to a Claude subscription or a Google account (Gemini CLI) in a browser and
    /// add it (authorization code + PKCE, code pasted back).
    Login(AccountLogin),
}

#[derive(Args, Debug)]
pub struct AccountLogin {
    /// claude-code (a Claude subscription) or gemini-cli (a Google login, Code Assist).
    #[arg(value_enum)]
    pub provider: ProviderArg,
    /// A name unique among accounts (asked for on a terminal if missing).
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub priority: i32,
    /// gemini-cli: the Google Cloud project to bill [default: discovered from the login].
    #[arg(long)]
    pub project: Option<String>,
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
    /// Share of traffic under weighted-round-robin (1 or more).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub weight: u32,
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub priority: i32,
    /// gemini-cli: the Google Cloud project to bill [default: discovered from the login].
    #[arg(long)]
    pub project: Option<String>,
    #[command(flatten)]
    pub rules: PoolRules,
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
    #[arg(value_name = "ID|NAME")]
    pub id: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Share of traffic under weighted-round-robin (1 or more).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
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
    pub rules: PoolRules,
    #[command(flatten)]
    pub credential: CredentialSource,
    #[command(flatten)]
    pub proxy: ProxySource,
}

/// Which clients an account serves and when it pauses; for add, import and update.
#[derive(Args, Debug, Default)]
pub struct PoolRules {
    /// Which clients it serves: claude-code (the default of Claude subscriptions), any,
    /// or default (the account type's own rule).
    #[arg(long, value_parser = ["claude-code", "any", "default"])]
    pub serves: Option<String>,
    /// Pause new sessions on it once a subscription window is this used: 95%, 0.95,
    /// or off.
    #[arg(long, value_name = "SHARE", value_parser = pause_at)]
    pub pause_at: Option<u32>,
}

/// `95%`, `95`, `0.95` or `off`, as a percentage (0 = off).
fn pause_at(text: &str) -> Result<u32, String> {
    let bad = || format!("{text:?} is not a share of a window: use e.g. 95%, 0.95 or off");
    let text = text.trim();
    if text == "off" {
        return Ok(0);
    }
    let number: f64 = text.trim_end_matches('%').parse().map_err(|_| bad())?;
    let percent = if number > 0.0 && number <= 1.0 && !text.ends_with('%') {
        number * 100.0
    } else {
        number
    };
    match percent.round() {
        p if (1.0..=100.0).contains(&p) => Ok(p as u32),
        _ => Err(bad()),
    }
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
    /// Share of traffic under weighted-round-robin (1 or more).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
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
    /// gemini-cli OAuth: the Google Cloud project to bill [default: discovered].
    #[arg(long)]
    pub project: Option<String>,
    #[command(flatten)]
    pub rules: PoolRules,
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

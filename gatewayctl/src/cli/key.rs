//! `gatewayctl key …` arguments.

use std::time::Duration;

use clap::{Args, Subcommand};

use super::parse_grace;

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
        /// The key: its id (key_…) or its name.
        #[arg(value_name = "ID|NAME")]
        id: String,
    },
    /// Change a key's settings; its secret stays the same.
    Update(KeyUpdateArgs),
    /// Issue a new secret for the same key; printed once.
    Rotate {
        /// The key: its id (key_…) or its name.
        #[arg(value_name = "ID|NAME")]
        id: String,
        /// How long the old secret keeps working (0 = it stops at once).
        #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_grace)]
        grace: Duration,
    },
    /// Revoke a key at once.
    Revoke {
        /// The key: its id (key_…) or its name.
        #[arg(value_name = "ID|NAME")]
        id: String,
    },
    /// Delete a key for good (asks on a terminal; scripts pass --yes).
    Delete {
        /// The key: its id (key_…) or its name.
        #[arg(value_name = "ID|NAME")]
        id: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

impl KeyScope {
    /// The limits given on the command line (the others unset).
    pub fn limits(&self) -> gateway_proto::v1::Limits {
        gateway_proto::v1::Limits {
            requests_per_minute: self.rpm,
            requests_per_hour: self.rph,
            tokens_per_minute: self.tpm,
            tokens_per_day: self.tpd,
            requests_per_second: self.rps,
            burst: self.burst,
            max_concurrent: self.max_concurrent,
            budget_usd_micros_day: self.budget_usd.and_then(|b| b[0]),
            budget_usd_micros_week: self.budget_usd.and_then(|b| b[1]),
            budget_usd_micros_month: self.budget_usd.and_then(|b| b[2]),
            budget_usd_micros_total: self.budget_usd.and_then(|b| b[3]),
        }
    }
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
    /// Input+output tokens per minute (0 = unlimited).
    #[arg(long)]
    pub tpm: Option<u64>,
    /// Input+output tokens per day (0 = unlimited).
    #[arg(long)]
    pub tpd: Option<u64>,
    /// Token bucket: sustained requests per second (0 = none).
    #[arg(long)]
    pub rps: Option<u32>,
    /// Token bucket: burst above the sustained rate (0 = the rate).
    #[arg(long)]
    pub burst: Option<u32>,
    /// Requests in flight at most (0 = unlimited).
    #[arg(long)]
    pub max_concurrent: Option<u32>,
    /// Spend budgets in US dollars per calendar day, week (from Monday) and month (UTC)
    /// and in total, any subset: day=5,week=20,month=60,total=500 (0 removes one).
    #[arg(long, value_name = "PERIOD=USD,…", value_parser = crate::cmd::budget::parse)]
    pub budget_usd: Option<[Option<u64>; 4]>,
    /// Comma-separated networks (CIDR) the key may be used from [default: anywhere].
    #[arg(long, value_delimiter = ',', value_name = "CIDRS")]
    pub allow_ip: Option<Vec<String>>,
    /// Comma-separated networks (CIDR) the key is refused from.
    #[arg(long, value_delimiter = ',', value_name = "CIDRS")]
    pub deny_ip: Option<Vec<String>>,
    /// Free text for operators.
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Args, Debug)]
pub struct KeyUpdateArgs {
    /// The key: its id (key_…) or its name.
    #[arg(value_name = "ID|NAME")]
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

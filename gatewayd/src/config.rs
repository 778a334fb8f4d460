//! Settings: every one has an embedded default, a TOML file may override them, and the
//! command line overrides the file. Validated whole before anything binds.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

mod admission;
mod cluster;
mod live;
mod parse;
mod pool;
mod reload;

pub use admission::{LimitsConfig, SecurityConfig};
pub use cluster::ClusterConfig;
pub use live::{ControlLive, Live, LiveSettings, UpstreamLive};
pub use pool::{BalanceConfig, HealthConfig, StrategyName};
pub use reload::{leaves, reload, Change, Loader, ReloadReport};

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid setting {name}: {message}")]
    Invalid { name: &'static str, message: String },
}

/// The whole daemon configuration.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Data-plane HTTP address.
    pub listen: SocketAddr,
    /// Where sled and the generated master key live.
    pub data_dir: PathBuf,
    /// The control-plane Unix socket.
    pub socket: PathBuf,
    /// A file holding the master key as hex, instead of `<data_dir>/master.key`.
    pub master_key_file: Option<PathBuf>,
    /// Largest request body accepted on the data plane, in bytes.
    pub max_body_bytes: usize,
    /// How long in-flight requests (streams included) may run after a shutdown signal.
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Duration,
    /// How long a client connection may take to finish its TLS handshake, to send its
    /// first bytes, and to send a whole request head, and how long it may sit with
    /// nothing in flight (HTTP/1.1 between requests, HTTP/2 with no open stream); past it
    /// the connection is closed.
    #[serde(with = "humantime_serde")]
    pub client_timeout: Duration,
    /// A request body must arrive at this many bytes per second at least (after
    /// `client_timeout` of grace); 0 = no minimum.
    pub min_body_rate: u64,
    /// HTTP/2 pings a silent client this often and closes the connection when a ping
    /// goes unanswered as long; 0 = never.
    #[serde(with = "humantime_serde")]
    pub http2_keepalive: Duration,
    /// Open client connections at most; past it (and a small reserve for `/healthz`)
    /// new ones are answered 503. 0 = from the open-file limit (half of it, as each
    /// proxied request holds an upstream connection too).
    pub max_connections: u32,
    /// Open connections from one client address at most (trusted proxies exempt); 0 = no cap.
    pub max_connections_per_ip: u32,
    /// Log lines as JSON instead of text.
    pub log_json: bool,
    /// Data-plane worker threads; 0 = one per available core.
    pub workers: usize,
    pub upstream: UpstreamConfig,
    pub record: RecordConfig,
    pub control: ControlConfig,
    pub oauth: OAuthConfig,
    pub balance: BalanceConfig,
    pub health: HealthConfig,
    pub limits: LimitsConfig,
    pub security: SecurityConfig,
    pub tls: crate::tls::TlsConfig,
    /// Price rows tried before the shipped table (`[[prices]]`).
    pub prices: Vec<crate::prices::Price>,
    pub metrics: MetricsConfig,
    pub alerts: crate::alerts::AlertsConfig,
    pub telemetry: crate::telemetry::TelemetryConfig,
    pub backup: BackupConfig,
    pub dashboard: DashboardConfig,
    pub cluster: ClusterConfig,
}

/// The web dashboard under `/ui/`, on the data-plane port or its own address.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DashboardConfig {
    /// Serve it; off, `/ui/` answers 404.
    pub enabled: bool,
    /// A session unused this long is signed out.
    #[serde(with = "humantime_serde")]
    pub session_idle: Duration,
    /// Serve it on this address (plain HTTP) instead of the data-plane port.
    pub listen: Option<SocketAddr>,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            session_idle: Duration::from_secs(15 * 60),
            listen: None,
        }
    }
}

/// Periodic backups (off unless `interval` is set).
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupConfig {
    /// How often to write one; 0 = never.
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    /// Backups kept; older ones are removed.
    pub keep: usize,
    /// Where they go [default: `<data_dir>/backups`].
    pub dir: Option<PathBuf>,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self {
            interval: Duration::ZERO,
            keep: 7,
            dir: None,
        }
    }
}

/// Where Prometheus scrapes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Serve `/metrics` on its own address instead of the data-plane port.
    pub listen: Option<SocketAddr>,
}

/// Claude subscription (OAuth) endpoints and policy. Undocumented by Anthropic and changed
/// before, so configurable; the defaults are today's values.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct OAuthConfig {
    pub claude_authorize_url: String,
    pub claude_redirect_uri: String,
    pub claude_scopes: String,
    pub claude_token_url: String,
    pub claude_client_id: String,
    /// Added to `anthropic-beta` on OAuth requests.
    pub claude_beta: String,
    /// Refresh this long before the access token expires.
    #[serde(with = "humantime_serde")]
    pub refresh_before: Duration,
    /// Where a Claude subscription's window usage is read, after the account's base URL
    /// (what Claude Code's `/usage` shows); asked to bring a benched account back early.
    pub claude_usage_path: String,
    /// How often idle and cooling-down accounts are checked for a due refresh.
    #[serde(with = "humantime_serde")]
    pub refresh_check_interval: Duration,
    /// Google's installed-app login, as Gemini CLI does it.
    pub google_authorize_url: String,
    pub google_redirect_uri: String,
    pub google_scopes: String,
    pub google_token_url: String,
    pub google_client_id: String,
    /// Public by design for installed apps; Google does not treat it as a secret.
    pub google_client_secret: String,
    /// How often a Code Assist onboarding operation is polled.
    #[serde(with = "humantime_serde")]
    pub onboard_poll_interval: Duration,
    /// How long onboarding may take before the account add fails.
    #[serde(with = "humantime_serde")]
    pub onboard_timeout: Duration,
}

impl Default for OAuthConfig {
    fn default() -> Self {
        Self {
            claude_authorize_url: "https://claude.ai/oauth/authorize".to_owned(),
            claude_redirect_uri: "https://platform.claude.com/oauth/code/callback".to_owned(),
            claude_scopes:
                "org:create_api_key user:profile user:inference user:sessions:claude_code"
                    .to_owned(),
            claude_token_url: "https://platform.claude.com/v1/oauth/token".to_owned(),
            claude_client_id: "9d1c250a-e61b-44d9-88ed-5944d1962f5e".to_owned(),
            claude_beta: "oauth-2025-04-20".to_owned(),
            claude_usage_path: "/api/oauth/usage".to_owned(),
            refresh_before: Duration::from_secs(300),
            refresh_check_interval: Duration::from_secs(60),
            google_authorize_url: "https://accounts.google.com/o/oauth2/v2/auth".to_owned(),
            google_redirect_uri: "https://codeassist.google.com/authcode".to_owned(),
            google_scopes: "https://www.googleapis.com/auth/cloud-platform \
                            https://www.googleapis.com/auth/userinfo.email \
                            https://www.googleapis.com/auth/userinfo.profile"
                .to_owned(),
            google_token_url: "https://oauth2.googleapis.com/token".to_owned(),
            google_client_id:
                "681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com"
                    .to_owned(),
            google_client_secret: "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".to_owned(),
            onboard_poll_interval: Duration::from_secs(5),
            onboard_timeout: Duration::from_secs(120),
        }
    }
}

/// Who may use the control socket.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ControlConfig {
    /// Make the socket 0660 and owned by this group (default: 0600, owner only).
    pub socket_group: Option<String>,
    /// Uids allowed besides the daemon's own and root.
    pub allowed_uids: Vec<u32>,
}

/// How gatewayd talks to upstream accounts.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpstreamConfig {
    /// Accounts tried per request before giving up (the first attempt included).
    pub max_attempts: u32,
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Longest wait for an upstream's response headers.
    #[serde(with = "humantime_serde")]
    pub header_timeout: Duration,
    /// Longest silence inside a response body before it is abandoned.
    #[serde(with = "humantime_serde")]
    pub idle_timeout: Duration,
    /// Cool-down after a 429 that names no reset time.
    #[serde(with = "humantime_serde")]
    pub rate_limit_cooldown: Duration,
    /// Cool-down after a connect failure or header timeout.
    #[serde(with = "humantime_serde")]
    pub unreachable_cooldown: Duration,
    /// Cool-down after an overloaded answer (Anthropic 529, Google 503).
    #[serde(with = "humantime_serde")]
    pub overloaded_cooldown: Duration,
    /// Default base URL of new claude-code accounts.
    pub anthropic_base_url: String,
    /// Default base URL of new gemini-cli API-key accounts.
    pub gemini_base_url: String,
    /// Default base URL of new gemini-cli OAuth accounts (Google's Code Assist API).
    pub code_assist_base_url: String,
}

/// How counted usage reaches the store.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecordConfig {
    /// Records waiting for the writer; beyond this they are dropped and counted.
    pub queue: usize,
    #[serde(with = "humantime_serde")]
    pub flush_interval: Duration,
    /// Request log entries kept at most.
    pub log_max_entries: usize,
    /// Request log entries older than this are dropped.
    #[serde(with = "humantime_serde")]
    pub log_max_age: Duration,
    /// Also append every request log entry to this file as a JSON line (redacted like
    /// the log itself).
    pub log_file: Option<PathBuf>,
    /// How often the request log and rollups are pruned, limits saved and the audit
    /// head signed.
    #[serde(with = "humantime_serde")]
    pub housekeeping_interval: Duration,
    /// Distinct model names counted in stats and metrics; later new names count as
    /// `other`, so clients cannot grow memory, the ledger or `/metrics` by inventing names.
    pub max_models: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: gateway_shared::paths::default_data_dir(),
            socket: gateway_shared::paths::default_socket(),
            master_key_file: None,
            max_body_bytes: 32 * 1024 * 1024,
            shutdown_grace: Duration::from_secs(30),
            client_timeout: Duration::from_secs(30),
            min_body_rate: 4_096,
            http2_keepalive: Duration::from_secs(20),
            max_connections: 0,
            max_connections_per_ip: 4_096,
            log_json: false,
            workers: 0,
            upstream: UpstreamConfig::default(),
            record: RecordConfig::default(),
            control: ControlConfig::default(),
            oauth: OAuthConfig::default(),
            balance: BalanceConfig::default(),
            health: HealthConfig::default(),
            limits: LimitsConfig::default(),
            security: SecurityConfig::default(),
            tls: crate::tls::TlsConfig::default(),
            prices: Vec::new(),
            metrics: MetricsConfig::default(),
            backup: BackupConfig::default(),
            dashboard: DashboardConfig::default(),
            cluster: ClusterConfig::default(),
            alerts: crate::alerts::AlertsConfig::default(),
            telemetry: crate::telemetry::TelemetryConfig::default(),
        }
    }
}

impl Default for UpstreamConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            connect_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(600),
            idle_timeout: Duration::from_secs(600),
            rate_limit_cooldown: Duration::from_secs(30),
            unreachable_cooldown: Duration::from_secs(10),
            overloaded_cooldown: Duration::from_secs(5),
            anthropic_base_url: "https://api.anthropic.com".to_owned(),
            gemini_base_url: "https://generativelanguage.googleapis.com".to_owned(),
            code_assist_base_url: "https://cloudcode-pa.googleapis.com".to_owned(),
        }
    }
}

impl Default for RecordConfig {
    fn default() -> Self {
        Self {
            queue: 65_536,
            flush_interval: Duration::from_secs(1),
            log_max_entries: 100_000,
            log_max_age: Duration::from_secs(7 * 86_400),
            log_file: None,
            housekeeping_interval: Duration::from_secs(30),
            max_models: 1_000,
        }
    }
}

impl Config {
    /// Reads a TOML file over the defaults.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        parse::parse(path, &text)
    }

    /// Rejects values that cannot work, naming the setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |name, message: &str| {
            Err(ConfigError::Invalid {
                name,
                message: message.to_owned(),
            })
        };
        if self.max_body_bytes == 0 {
            return invalid("max_body_bytes", "must be above 0");
        }
        if self.upstream.max_attempts == 0 {
            return invalid("upstream.max_attempts", "must be at least 1");
        }
        if self.health.circuit_failures == 0 {
            return invalid("health.circuit_failures", "must be at least 1");
        }
        for (name, list) in [
            ("security.allow", &self.security.allow),
            ("security.deny", &self.security.deny),
            ("security.trusted_proxies", &self.security.trusted_proxies),
        ] {
            if let Some(bad) = list
                .iter()
                .find(|n| crate::admission::parse_net(n).is_none())
            {
                return Err(ConfigError::Invalid {
                    name,
                    message: format!("{bad:?} is not an IP network (CIDR) or address"),
                });
            }
        }
        if let Some(bad) = self.alerts.webhooks.iter().find(|u| {
            reqwest::Url::parse(u).map_or(true, |u| !matches!(u.scheme(), "http" | "https"))
        }) {
            return Err(ConfigError::Invalid {
                name: "alerts.webhooks",
                message: format!("{} is not an http(s) URL", crate::alerts::redact_url(bad)),
            });
        }
        if self.telemetry.otlp_endpoint.is_some() && !crate::telemetry::OTLP_BUILT_IN {
            return invalid(
                "telemetry.otlp_endpoint",
                "this gatewayd was built without OTLP support; rebuild with --features otlp",
            );
        }
        if self.balance.explore_every == 0 {
            return invalid("balance.explore_every", "must be at least 1");
        }
        self.cluster.validate()?;
        if self.record.queue == 0 {
            return invalid("record.queue", "must be above 0");
        }
        for (name, url) in [
            (
                "upstream.anthropic_base_url",
                &self.upstream.anthropic_base_url,
            ),
            ("upstream.gemini_base_url", &self.upstream.gemini_base_url),
            (
                "upstream.code_assist_base_url",
                &self.upstream.code_assist_base_url,
            ),
            ("oauth.claude_token_url", &self.oauth.claude_token_url),
            (
                "oauth.claude_authorize_url",
                &self.oauth.claude_authorize_url,
            ),
            ("oauth.google_token_url", &self.oauth.google_token_url),
            (
                "oauth.google_authorize_url",
                &self.oauth.google_authorize_url,
            ),
        ] {
            if reqwest::Url::parse(url).is_err() {
                return invalid(name, "must be an absolute URL");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_overrides_defaults_and_rejects_unknown_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gw.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9999\"\n[upstream]\nmax_attempts = 5\n",
        )
        .unwrap();
        let cfg = Config::from_file(&path).unwrap();
        assert_eq!(cfg.listen.port(), 9999);
        assert_eq!(cfg.upstream.max_attempts, 5);
        assert_eq!(cfg.upstream.connect_timeout, Duration::from_secs(10));

        std::fs::write(&path, "lisen = \"x\"\n").unwrap();
        assert!(Config::from_file(&path).is_err());
    }
}

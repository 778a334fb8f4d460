//! The settings that change without a restart, shared by both planes through one
//! atomic pointer, and `config reload`: re-read, validate, apply what can be applied,
//! and say what needs a restart.

use std::sync::Arc;

use arc_swap::ArcSwap;

use super::{
    BalanceConfig, Config, ConfigError, HealthConfig, LimitsConfig, SecurityConfig, UpstreamConfig,
};

/// What the data plane and the control socket read on every request.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSettings {
    pub upstream: UpstreamConfig,
    pub max_body_bytes: usize,
    pub allowed_uids: Vec<u32>,
    pub balance: BalanceConfig,
    pub health: HealthConfig,
    pub limits: LimitsConfig,
    pub security: SecurityConfig,
    pub alerts: crate::alerts::AlertsConfig,
    /// Prices: the config's rows, then the shipped ones.
    pub prices: Arc<crate::prices::PriceTable>,
    /// `security`'s networks, parsed once per load.
    pub ip_rules: Arc<crate::admission::IpRules>,
}

impl LiveSettings {
    fn of(config: &Config) -> Self {
        Self {
            upstream: config.upstream.clone(),
            max_body_bytes: config.max_body_bytes,
            allowed_uids: config.control.allowed_uids.clone(),
            balance: config.balance.clone(),
            health: config.health.clone(),
            limits: config.limits.clone(),
            security: config.security.clone(),
            alerts: config.alerts.clone(),
            prices: Arc::new(crate::prices::PriceTable::new(&config.prices)),
            ip_rules: Arc::new(crate::admission::IpRules::new(
                &config.security.allow,
                &config.security.deny,
                &config.security.trusted_proxies,
            )),
        }
    }
}

/// Shared handle on the live settings; cheap to clone.
#[derive(Clone)]
pub struct Live(Arc<ArcSwap<LiveSettings>>);

impl Live {
    pub fn new(config: &Config) -> Self {
        Self(Arc::new(ArcSwap::from_pointee(LiveSettings::of(config))))
    }

    /// The current settings (one atomic load and a reference count).
    pub fn load(&self) -> Arc<LiveSettings> {
        self.0.load_full()
    }
}

/// Re-reads the configuration the same way the daemon first read it.
pub type Loader = Arc<dyn Fn() -> Result<Config, ConfigError> + Send + Sync>;

/// What a reload did.
#[derive(Debug, Default)]
pub struct ReloadReport {
    /// Settings that changed and now apply.
    pub applied: Vec<&'static str>,
    /// Settings that changed but only apply after a restart.
    pub needs_restart: Vec<&'static str>,
}

/// Loads the configuration again and applies the live part. `running` is what the
/// daemon started with; settings outside the live part are compared against it.
pub fn reload(loader: &Loader, running: &Config, live: &Live) -> Result<ReloadReport, ConfigError> {
    let new = loader()?;
    new.validate()?;
    let old = live.load();
    let mut report = ReloadReport::default();
    let u = (&old.upstream, &new.upstream);
    let applied = [
        (
            "upstream.max_attempts",
            u.0.max_attempts != u.1.max_attempts,
        ),
        (
            "upstream.header_timeout",
            u.0.header_timeout != u.1.header_timeout,
        ),
        (
            "upstream.rate_limit_cooldown",
            u.0.rate_limit_cooldown != u.1.rate_limit_cooldown,
        ),
        (
            "upstream.unreachable_cooldown",
            u.0.unreachable_cooldown != u.1.unreachable_cooldown,
        ),
        ("max_body_bytes", old.max_body_bytes != new.max_body_bytes),
        (
            "control.allowed_uids",
            old.allowed_uids != new.control.allowed_uids,
        ),
        ("balance", old.balance != new.balance),
        ("health", old.health != new.health),
        ("limits", old.limits != new.limits),
        ("alerts", old.alerts != new.alerts),
        ("security", old.security != new.security),
        (
            "prices",
            *old.prices != crate::prices::PriceTable::new(&new.prices),
        ),
    ];
    let restart = [
        ("listen", running.listen != new.listen),
        ("data_dir", running.data_dir != new.data_dir),
        ("socket", running.socket != new.socket),
        (
            "master_key_file",
            running.master_key_file != new.master_key_file,
        ),
        (
            "shutdown_grace",
            running.shutdown_grace != new.shutdown_grace,
        ),
        ("log_json", running.log_json != new.log_json),
        ("workers", running.workers != new.workers),
        ("tls", running.tls != new.tls),
        ("metrics", running.metrics != new.metrics),
        ("telemetry", running.telemetry != new.telemetry),
        ("record", running.record != new.record),
        ("backup", running.backup != new.backup),
        (
            "control.socket_group",
            running.control.socket_group != new.control.socket_group,
        ),
        (
            "upstream.connect_timeout",
            running.upstream.connect_timeout != new.upstream.connect_timeout,
        ),
        (
            "upstream.idle_timeout",
            running.upstream.idle_timeout != new.upstream.idle_timeout,
        ),
        (
            "upstream.anthropic_base_url",
            running.upstream.anthropic_base_url != new.upstream.anthropic_base_url,
        ),
        (
            "upstream.gemini_base_url",
            running.upstream.gemini_base_url != new.upstream.gemini_base_url,
        ),
        (
            "upstream.code_assist_base_url",
            running.upstream.code_assist_base_url != new.upstream.code_assist_base_url,
        ),
    ];
    report.applied = applied
        .iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| *name)
        .collect();
    report.needs_restart = restart
        .iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| *name)
        .collect();
    live.0.store(Arc::new(LiveSettings::of(&new)));
    Ok(report)
}

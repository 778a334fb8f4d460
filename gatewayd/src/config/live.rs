//! The settings that change without a restart, by type: [`LiveSettings`] holds exactly
//! them, under the same names as in the file, and `config reload` takes what is live from
//! this type's own shape. Everything else in [`Config`] is read once at boot.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use serde::Serialize;

use super::{BalanceConfig, Config, HealthConfig, LimitsConfig, SecurityConfig};

/// What the data plane and the control socket read on every request. Serialised, its
/// leaves are the live settings' paths in the file (derived values are skipped).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveSettings {
    pub upstream: UpstreamLive,
    pub max_body_bytes: usize,
    pub control: ControlLive,
    pub balance: BalanceConfig,
    pub health: HealthConfig,
    pub limits: LimitsConfig,
    pub security: SecurityConfig,
    pub alerts: crate::alerts::AlertsConfig,
    pub dashboard: DashboardLive,
    /// The `[[prices]]` rows as written.
    #[serde(rename = "prices")]
    pub price_rows: Vec<crate::prices::Price>,
    /// Prices: the config's rows, then the shipped ones.
    #[serde(skip)]
    pub prices: Arc<crate::prices::PriceTable>,
    /// `security`'s networks, parsed once per load.
    #[serde(skip)]
    pub ip_rules: Arc<crate::admission::IpRules>,
    /// The whole configuration these were taken from, for the next reload's comparison.
    #[serde(skip)]
    pub source: Arc<Config>,
}

/// The `[upstream]` settings each attempt reads; the rest shape the HTTP clients, which
/// are built once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpstreamLive {
    pub max_attempts: u32,
    #[serde(with = "humantime_serde")]
    pub header_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub rate_limit_cooldown: Duration,
    #[serde(with = "humantime_serde")]
    pub unreachable_cooldown: Duration,
    #[serde(with = "humantime_serde")]
    pub overloaded_cooldown: Duration,
}

/// The `[dashboard]` settings read per page (its address is read once, at boot).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DashboardLive {
    pub enabled: bool,
    #[serde(with = "humantime_serde")]
    pub session_idle: Duration,
}

/// The `[control]` settings checked per call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlLive {
    pub allowed_uids: Vec<u32>,
}

impl LiveSettings {
    pub(super) fn of(config: &Config) -> Self {
        let upstream = &config.upstream;
        Self {
            upstream: UpstreamLive {
                max_attempts: upstream.max_attempts,
                header_timeout: upstream.header_timeout,
                rate_limit_cooldown: upstream.rate_limit_cooldown,
                unreachable_cooldown: upstream.unreachable_cooldown,
                overloaded_cooldown: upstream.overloaded_cooldown,
            },
            max_body_bytes: config.max_body_bytes,
            control: ControlLive {
                allowed_uids: config.control.allowed_uids.clone(),
            },
            balance: config.balance.clone(),
            health: config.health.clone(),
            limits: config.limits.clone(),
            security: config.security.clone(),
            alerts: config.alerts.clone(),
            dashboard: DashboardLive {
                enabled: config.dashboard.enabled,
                session_idle: config.dashboard.session_idle,
            },
            price_rows: config.prices.clone(),
            prices: Arc::new(crate::prices::PriceTable::new(&config.prices)),
            ip_rules: Arc::new(crate::admission::IpRules::new(
                &config.security.allow,
                &config.security.deny,
                &config.security.trusted_proxies,
            )),
            source: Arc::new(config.clone()),
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

    /// Makes `config`'s live part the current settings.
    pub(super) fn store(&self, config: &Config) {
        self.0.store(Arc::new(LiveSettings::of(config)));
    }
}

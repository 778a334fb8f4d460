//! The settings that change without a restart, shared by both planes through one
//! atomic pointer.

use std::sync::Arc;

use arc_swap::ArcSwap;

use super::{BalanceConfig, Config, HealthConfig, LimitsConfig, SecurityConfig, UpstreamConfig};

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
    /// The whole configuration these were taken from, for the next reload's comparison.
    pub source: Arc<Config>,
}

impl LiveSettings {
    pub(super) fn of(config: &Config) -> Self {
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

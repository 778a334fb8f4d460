//! How the pool of accounts behaves: the balancing strategy of each provider's pool,
//! sticky sessions, the circuit breaker and active health checks.

use std::time::Duration;

use serde::Deserialize;

/// A balancing strategy's name, as the config spells it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StrategyName {
    #[default]
    RoundRobin,
    WeightedRoundRobin,
    LeastConnections,
    FastestResponse,
    /// Subscriptions whose binding window resets soonest with room first.
    SoonestReset,
}

impl StrategyName {
    /// As the config spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            StrategyName::RoundRobin => "round-robin",
            StrategyName::WeightedRoundRobin => "weighted-round-robin",
            StrategyName::LeastConnections => "least-connections",
            StrategyName::FastestResponse => "fastest-response",
            StrategyName::SoonestReset => "soonest-reset",
        }
    }
}

/// Balancing and stickiness; applies on `config reload`.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct BalanceConfig {
    /// The strategy of every pool that names none of its own.
    pub strategy: StrategyName,
    /// The claude-code pool's strategy.
    pub claude_code: Option<StrategyName>,
    /// The gemini-cli pool's strategy.
    pub gemini_cli: Option<StrategyName>,
    /// Keep a conversation on the account that holds its prompt cache.
    pub sticky_sessions: bool,
    /// How long an idle conversation stays pinned.
    #[serde(with = "humantime_serde")]
    pub session_ttl: Duration,
    /// fastest-response: one request in this many explores the least recently measured
    /// account, so a recovered one is measured again.
    pub explore_every: u32,
}

impl Default for BalanceConfig {
    fn default() -> Self {
        Self {
            strategy: StrategyName::RoundRobin,
            claude_code: None,
            gemini_cli: None,
            sticky_sessions: true,
            session_ttl: Duration::from_secs(3600),
            explore_every: 10,
        }
    }
}

/// Passive and active health.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthConfig {
    /// Consecutive failures (5xx, timeouts, unreachable) that open an account's circuit.
    pub circuit_failures: u32,
    /// The first open circuit's cool-down; each reopening doubles it.
    #[serde(with = "humantime_serde")]
    pub circuit_cooldown: Duration,
    /// The longest a circuit stays open.
    #[serde(with = "humantime_serde")]
    pub circuit_max_cooldown: Duration,
    /// How often every enabled account is probed; 0 turns active checks off.
    #[serde(with = "humantime_serde")]
    pub check_interval: Duration,
    /// A probe that takes longer fails.
    #[serde(with = "humantime_serde")]
    pub check_timeout: Duration,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            circuit_failures: 5,
            circuit_cooldown: Duration::from_secs(10),
            circuit_max_cooldown: Duration::from_secs(300),
            check_interval: Duration::from_secs(60),
            check_timeout: Duration::from_secs(20),
        }
    }
}

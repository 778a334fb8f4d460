//! An account's state as operators see it, and why a cool-down started: closed sets,
//! stored and sent by their `as_str` names.

use serde::{Deserialize, Serialize};

/// The state an account is in (or, in its history, entered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    Active,
    /// Out of rotation until a rate limit, quota or overload passes.
    CoolingDown,
    /// Out of rotation because its circuit breaker opened; a trial request closes it.
    CircuitOpen,
    /// One model family is benched on it (history only; the account serves others).
    RateLimited,
    /// Its credential was refused: an operator must act.
    Error,
    /// Disabled by an operator.
    Disabled,
    /// Takes no new requests; in-flight ones finish.
    Draining,
}

impl AccountState {
    /// The states an account can be in now (the gauges' label values).
    pub const CURRENT: [AccountState; 6] = [
        AccountState::Active,
        AccountState::CoolingDown,
        AccountState::CircuitOpen,
        AccountState::Error,
        AccountState::Disabled,
        AccountState::Draining,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Active => "active",
            AccountState::CoolingDown => "cooling_down",
            AccountState::CircuitOpen => "circuit_open",
            AccountState::RateLimited => "rate_limited",
            AccountState::Error => "error",
            AccountState::Disabled => "disabled",
            AccountState::Draining => "draining",
        }
    }
}

impl std::fmt::Display for AccountState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an account (or one model family on it) is cooling down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CoolReason {
    /// A 429 without a quota or window that says more.
    RateLimited,
    /// A Claude subscription window (5-hour, 7-day, …) is used up.
    WindowExhausted,
    /// A Google quota for the whole project is used up.
    QuotaExhausted,
    /// A Google quota for one model is used up.
    ModelQuotaExhausted,
    /// The upstream said it is overloaded (503, 529).
    Overloaded,
    /// The upstream could not be reached.
    Unreachable,
    /// No access token could be had (the token endpoint failed, not refused).
    NoToken,
    /// The circuit breaker opened.
    CircuitOpen,
}

impl CoolReason {
    pub const ALL: [CoolReason; 8] = [
        CoolReason::RateLimited,
        CoolReason::WindowExhausted,
        CoolReason::QuotaExhausted,
        CoolReason::ModelQuotaExhausted,
        CoolReason::Overloaded,
        CoolReason::Unreachable,
        CoolReason::NoToken,
        CoolReason::CircuitOpen,
    ];

    /// The reason [`CoolReason::as_str`] names.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CoolReason::RateLimited => "rate limited",
            CoolReason::WindowExhausted => "subscription window exhausted",
            CoolReason::QuotaExhausted => "quota exhausted",
            CoolReason::ModelQuotaExhausted => "model quota exhausted",
            CoolReason::Overloaded => "overloaded",
            CoolReason::Unreachable => "unreachable",
            CoolReason::NoToken => "no usable access token",
            CoolReason::CircuitOpen => "circuit open",
        }
    }

    /// A passing health check proves the cause gone (the upstream answers again); a
    /// rate limit or quota is not disproved by one cheap request.
    pub fn healed_by_probe(self) -> bool {
        matches!(
            self,
            CoolReason::CircuitOpen | CoolReason::Unreachable | CoolReason::Overloaded
        )
    }

    /// Counts toward the circuit breaker like a server error.
    pub fn is_failure(self) -> bool {
        matches!(self, CoolReason::Unreachable)
    }
}

impl std::fmt::Display for CoolReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

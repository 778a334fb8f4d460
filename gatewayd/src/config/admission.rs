//! Who may come in and how fast: per-client-IP limits, the IP allow and deny lists,
//! trusted proxies, browser origins, and the plain-HTTP guard.

use serde::Deserialize;

/// Per-client-IP defaults; applies on `config reload`.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Requests per sliding minute from one client IP; 0 = unlimited.
    pub ip_requests_per_minute: u32,
    /// Token bucket per client IP: sustained requests per second; 0 = none.
    pub ip_requests_per_second: u32,
    /// Token bucket per client IP: burst (0 = the rate).
    pub ip_burst: u32,
    /// Failed key attempts from one IP per sliding minute before the IP is refused for
    /// the rest of the window (and a security event is raised); 0 = no limit.
    pub failed_auth_per_minute: u32,
    /// Refusals of one key per sliding minute that make a rate-limit storm (a security
    /// event, raised once per storm); 0 = never.
    pub refusal_storm_per_minute: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            ip_requests_per_minute: 0,
            ip_requests_per_second: 0,
            ip_burst: 0,
            failed_auth_per_minute: 20,
            refusal_storm_per_minute: 100,
        }
    }
}

/// Network rules; applies on `config reload`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// Client networks (CIDR or address) allowed in; empty = all.
    pub allow: Vec<String>,
    /// Client networks refused (wins over `allow`).
    pub deny: Vec<String>,
    /// Peers whose `X-Forwarded-For` is believed; the client IP is the first address
    /// from the right that is not one of them.
    pub trusted_proxies: Vec<String>,
    /// Browser origins allowed to call (a request with any other `Origin` is refused);
    /// empty = browsers refused, non-browser clients (no `Origin`) unaffected. `*` = any.
    pub allowed_origins: Vec<String>,
    /// Serve plain HTTP on a non-loopback address without TLS (refused otherwise).
    pub allow_plain_http: bool,
}

//! Why a request ended without success, as one closed set: the gateway's own refusals
//! (before any account is tried) and the classes of upstream failure. The request log,
//! the metrics and the stats carry [`Failure::as_str`]; decisions use the variants.

use std::fmt;

/// What went wrong with one client request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failure {
    /// No such route (404).
    NotFound,
    /// No gateway key, or one that does not exist (401).
    Unauthorized,
    /// A valid key that may not do this: expired, wrong permission, model or origin (403).
    Forbidden,
    /// The client's address is outside the network rules or the key's networks (403).
    IpDenied,
    /// The address's own request limits (429).
    IpRateLimited,
    /// The address is locked out after failed key attempts (429).
    AuthLockout,
    /// The key's request windows or its requests-per-second bucket (429).
    RateLimited,
    /// The key's token budget per minute or day (429).
    TokenBudget,
    /// The key's spend budget in dollars per day, week, month or in total (429).
    SpendBudget,
    /// The key's cap on requests in flight (429).
    Concurrency,
    /// The request body is over the size limit (413).
    BodyTooLarge,
    /// The request body is not what the route needs (400).
    BadRequest,
    /// The request body arrived slower than the minimum rate (408).
    SlowBody,
    /// The gateway is at its connection limit (503).
    Overloaded,
    /// An upstream answered with an error, relayed as it came.
    UpstreamError,
    /// No account of the provider could take the request (503).
    NoAccount,
    /// Only accounts that serve other clients could (a Claude subscription serves
    /// Claude Code only unless widened) (403).
    ClientNotServed,
    /// Anthropic refused a subscription request as third-party traffic, or billed it as
    /// extra usage; relayed as it came, the account not blamed.
    ThirdPartyBilling,
    /// The client is older than the minimum version the model needs; relayed as it
    /// came, the account not blamed.
    ClientTooOld,
    /// Every account tried was unreachable (502).
    Unreachable,
    /// The answer was cut before its end.
    Incomplete,
    /// The client went away before an answer was ready.
    ClientAborted,
}

impl Failure {
    /// The stable name, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::NotFound => "not_found",
            Failure::Unauthorized => "unauthorized",
            Failure::Forbidden => "forbidden",
            Failure::IpDenied => "ip_denied",
            Failure::IpRateLimited => "ip_rate_limited",
            Failure::AuthLockout => "auth_lockout",
            Failure::RateLimited => "rate_limited",
            Failure::TokenBudget => "token_budget",
            Failure::SpendBudget => "spend_budget",
            Failure::Concurrency => "concurrency",
            Failure::BodyTooLarge => "body_too_large",
            Failure::BadRequest => "bad_request",
            Failure::SlowBody => "slow_body",
            Failure::Overloaded => "overloaded",
            Failure::UpstreamError => "upstream_error",
            Failure::NoAccount => "no_account",
            Failure::ClientNotServed => "client_not_served",
            Failure::ThirdPartyBilling => "third_party_billing",
            Failure::ClientTooOld => "client_too_old",
            Failure::Unreachable => "unreachable",
            Failure::Incomplete => "incomplete",
            Failure::ClientAborted => "client_aborted",
        }
    }

    /// The gateway turned the request away itself, before any upstream was tried.
    pub fn is_refusal(self) -> bool {
        !matches!(
            self,
            Failure::UpstreamError
                | Failure::ThirdPartyBilling
                | Failure::ClientTooOld
                | Failure::NoAccount
                | Failure::Unreachable
                | Failure::Incomplete
                | Failure::ClientAborted
        )
    }
}

impl Failure {
    /// What the pool's subscription rules turned away: the client's doing, never the
    /// account's; counted per key and alerted.
    pub fn is_client_refusal(self) -> bool {
        matches!(
            self,
            Failure::ClientNotServed | Failure::ThirdPartyBilling | Failure::ClientTooOld
        )
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

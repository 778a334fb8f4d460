//! The durable records: gateway keys and upstream accounts, as the seed's data model
//! describes them plus what routing needs. Plain data; no I/O here.

mod account_state;
mod clients;
mod failure;

pub use account_state::{AccountState, CoolReason};
pub use clients::{Client, Clients};
pub use failure::Failure;

use gateway_shared::provider::{AuthKind, Provider};
use serde::{Deserialize, Serialize};

/// Seconds since the Unix epoch.
pub type UnixSecs = i64;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    /// Model listings and token counting.
    Read,
    /// Generation (messages, generateContent).
    Write,
    /// Reserved for the admin API.
    Admin,
}

impl Permission {
    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Write => "write",
            Permission::Admin => "admin",
        }
    }

    /// Parses one permission name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Permission::Read),
            "write" => Some(Permission::Write),
            "admin" => Some(Permission::Admin),
            _ => None,
        }
    }
}

/// Per-key request limits (enforced by admission; 0 means unlimited).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    pub requests_per_minute: u32,
    pub requests_per_hour: u32,
    /// Input plus output tokens per sliding minute; 0 = unlimited.
    #[serde(default)]
    pub tokens_per_minute: u64,
    /// Input plus output tokens per sliding day; 0 = unlimited.
    #[serde(default)]
    pub tokens_per_day: u64,
    /// Token bucket: sustained requests per second; 0 = no bucket.
    #[serde(default)]
    pub requests_per_second: u32,
    /// Token bucket: requests allowed at once above the sustained rate (0 = the rate).
    #[serde(default)]
    pub burst: u32,
    /// Requests in flight at most; 0 = unlimited.
    #[serde(default)]
    pub max_concurrent: u32,
    /// What the key may cost per calendar period (UTC) and in total.
    #[serde(default, skip_serializing_if = "SpendBudgets::is_none")]
    pub budget_usd: SpendBudgets,
}

/// Spend budgets in micro-dollars; 0 = none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpendBudgets {
    pub day: u64,
    pub week: u64,
    pub month: u64,
    pub total: u64,
}

impl SpendBudgets {
    pub fn is_none(&self) -> bool {
        *self == Self::default()
    }
}

impl RateLimit {
    /// Whether any limit is set.
    pub fn any(&self) -> bool {
        *self != Self::default()
    }
}

/// A gateway-issued key. The secret itself is never stored, only its HMAC digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    pub id: String,
    pub name: String,
    /// HMAC-SHA256(pepper, secret), hex.
    pub digest: String,
    /// Last four characters of the secret, so an operator can tell keys apart.
    pub hint: String,
    pub permissions: Vec<Permission>,
    /// Empty means every provider.
    pub providers: Vec<String>,
    pub rate_limit: RateLimit,
    pub expires_at: Option<UnixSecs>,
    pub created_at: UnixSecs,
    pub last_used: Option<UnixSecs>,
    pub revoked_at: Option<UnixSecs>,
    /// Model patterns (`*` matches any run of characters); empty means every model.
    #[serde(default)]
    pub models: Vec<String>,
    /// Free text for operators.
    #[serde(default)]
    pub note: String,
    /// The secret replaced by the last rotation, still accepted until its grace ends.
    #[serde(default)]
    pub previous: Option<PreviousSecret>,
    #[serde(default)]
    pub rotated_at: Option<UnixSecs>,
    /// Client networks (CIDR) this key may be used from; empty = anywhere.
    #[serde(default)]
    pub allowed_ips: Vec<String>,
    /// Client networks this key is refused from.
    #[serde(default)]
    pub denied_ips: Vec<String>,
}

/// A rotated-out secret's digest and the end of its grace period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousSecret {
    pub digest: String,
    pub valid_until: UnixSecs,
}

impl KeyRecord {
    /// Whether the key may be used for `model` (a request without a model always may).
    pub fn allows_model(&self, model: Option<&str>) -> bool {
        match model {
            Some(model) if !self.models.is_empty() => {
                self.models.iter().any(|p| glob_match(p, model))
            }
            _ => true,
        }
    }

    /// Whether the key has passed its expiry at `now`.
    pub fn is_expired(&self, now: UnixSecs) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// Whether an account takes traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Active,
    Inactive,
    /// Failed in a way that needs an operator (bad credentials, banned); see `status_reason`.
    Error,
}

impl AccountStatus {
    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Inactive => "inactive",
            AccountStatus::Error => "error",
        }
    }
}

/// The seed's quota block: tokens served in the binding subscription window and when it
/// resets. The seed's `total` is not kept: subscriptions publish utilisation, never an
/// allowance, so it could only ever be 0 (older records that carry it still load).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub used: u64,
    pub reset_time: Option<UnixSecs>,
}

/// An upstream account in the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub provider: String,
    pub auth: String,
    /// The credential sealed with the master key (nonce ‖ ciphertext), base64.
    pub credentials: String,
    pub status: AccountStatus,
    pub status_reason: String,
    pub quota: Quota,
    pub base_url: String,
    pub weight: u32,
    pub priority: i32,
    pub last_health_check: Option<UnixSecs>,
    pub created_at: UnixSecs,
    pub updated_at: UnixSecs,
    /// Model patterns this account serves (`*` wildcard); empty means every model.
    #[serde(default)]
    pub models: Vec<String>,
    /// Requests in flight at most; 0 = no limit. A full account is skipped, not queued on.
    #[serde(default)]
    pub max_concurrency: u32,
    /// Takes no new requests; in-flight ones finish.
    #[serde(default)]
    pub draining: bool,
    /// The upstream proxy, without user and password (for display).
    #[serde(default)]
    pub proxy: Option<String>,
    /// The full proxy URL, sealed like the credential (it may hold a password).
    #[serde(default)]
    pub proxy_sealed: Option<String>,
    /// The Google Cloud project a Code Assist account calls under.
    #[serde(default)]
    pub project: Option<String>,
    /// Which clients it serves; unset = its type's default (see [`Clients::default_for`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serves: Option<Clients>,
    /// Leaves new sessions to other accounts once a subscription window is this many
    /// percent used; unset = never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_at: Option<u8>,
}

impl AccountRecord {
    /// The provider family, if the stored name is one this build knows.
    pub fn provider(&self) -> Option<Provider> {
        self.provider.parse().ok()
    }

    /// The auth kind, if the stored name is one this build knows.
    pub fn auth_kind(&self) -> Option<AuthKind> {
        self.auth.parse().ok()
    }

    /// The clients it serves: its own rule, or its type's default.
    pub fn serves(&self) -> Clients {
        self.serves
            .unwrap_or_else(|| match (self.provider(), self.auth_kind()) {
                (Some(provider), Some(auth)) => Clients::default_for(provider, auth),
                _ => Clients::Any,
            })
    }
}

/// One change of an account's state, kept for `account show` and for alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountEvent {
    pub at_ms: u64,
    /// The state entered.
    pub state: AccountState,
    pub reason: String,
    /// When a cool-down or a model bench ends, Unix milliseconds.
    #[serde(default)]
    pub until_ms: Option<u64>,
}

impl AccountEvent {
    /// The change at `at_ms` (Unix milliseconds) into `state`.
    pub fn new(
        at_ms: u64,
        state: AccountState,
        reason: impl Into<String>,
        until_ms: Option<u64>,
    ) -> Self {
        Self {
            at_ms,
            state,
            reason: reason.into(),
            until_ms,
        }
    }
}

/// One entry of the tamper-evident audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at_ms: u64,
    /// `uid:N` for a control-plane caller, `gatewayd` for the daemon itself.
    pub actor: String,
    /// The RPC (`Keys/CreateKey`) or security event (`security/auth_failure_storm`).
    pub action: String,
    pub target: String,
    /// Before and after, secrets removed (JSON), or the event's description.
    pub detail: serde_json::Value,
    /// SHA-256 of the previous entry, hex (zeros for the first).
    pub prev_hash: String,
    /// SHA-256 of this entry's other fields and `prev_hash`, hex.
    pub hash: String,
}

/// A signature over the chain head at `seq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditSeal {
    pub seq: u64,
    pub hash: String,
    pub at_ms: u64,
    /// ed25519 over `"{seq}:{hash}"`, hex.
    pub signature: String,
}

/// How a request id is shown: `req_gw_` and 16 hex digits.
pub fn request_id(id: u64) -> String {
    format!("req_gw_{id:016x}")
}

/// A new request id: a random start per process, then counting up, so ids are unique
/// across restarts without coordination.
pub fn next_request_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static START: OnceLock<u64> = OnceLock::new();
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let start = *START.get_or_init(|| {
        let mut bytes = [0u8; 8];
        let _ = getrandom::fill(&mut bytes);
        u64::from_le_bytes(bytes) & 0xffff_ffff_0000_0000
    });
    start | (SEQ.fetch_add(1, Ordering::Relaxed) & 0xffff_ffff)
}

/// Tokens counted from one answer, or summed over many.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Prompt tokens not served from cache (Anthropic `input_tokens`; Gemini
    /// `promptTokenCount - cachedContentTokenCount`).
    pub input_tokens: u64,
    /// Generated tokens, thinking included (Gemini `candidates + thoughts`).
    pub output_tokens: u64,
    pub cache_creation_tokens: u64,
    pub cache_read_tokens: u64,
    /// Of `output_tokens`, Gemini's `thoughtsTokenCount`.
    pub thoughts_tokens: u64,
}

impl TokenUsage {
    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &TokenUsage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_creation_tokens += other.cache_creation_tokens;
        self.cache_read_tokens += other.cache_read_tokens;
        self.thoughts_tokens += other.thoughts_tokens;
    }
}

/// Running totals for one scope (a key, an account or a model).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageCounters {
    pub requests: u64,
    pub errors: u64,
    #[serde(flatten)]
    pub tokens: TokenUsage,
    /// Estimated cost from the price table, micro-dollars.
    #[serde(default)]
    pub cost_micros: u64,
}

impl UsageCounters {
    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &UsageCounters) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.tokens.add(&other.tokens);
        self.cost_micros += other.cost_micros;
    }
}

/// What a usage row is counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UsageScope {
    Key,
    Account,
    Model,
    Dialect,
}

impl UsageScope {
    /// The canonical spelling (also the store's key prefix).
    pub fn as_str(self) -> &'static str {
        match self {
            UsageScope::Key => "key",
            UsageScope::Account => "account",
            UsageScope::Model => "model",
            UsageScope::Dialect => "dialect",
        }
    }

    /// Parses `key`, `account`, `model` or `dialect`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "key" => Some(UsageScope::Key),
            "account" => Some(UsageScope::Account),
            "model" => Some(UsageScope::Model),
            "dialect" => Some(UsageScope::Dialect),
            _ => None,
        }
    }
}

/// `*` matches any run of characters (including none); everything else matches itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let tail: Vec<&str> = parts.collect();
    let Some((last, middle)) = tail.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn model_patterns() {
        assert!(glob_match("claude-*", "claude-sonnet-4-5"));
        assert!(glob_match("*-flash", "gemini-2.5-flash"));
        assert!(glob_match("gemini-*-pro*", "gemini-2.5-pro-preview"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
        assert!(!glob_match("claude-*", "gemini-2.5-pro"));
        assert!(glob_match("*", "anything"));
    }
}

/// One request as the request log keeps it: facts only, no prompt or answer text and no
/// secrets (keys and accounts appear by id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestLogEntry {
    /// Unix milliseconds when the request arrived.
    pub at_ms: u64,
    pub key_id: Option<String>,
    /// The account that answered (or last failed); `None` if none was tried.
    pub account_id: Option<String>,
    /// `anthropic` or `gemini`.
    pub dialect: String,
    pub model: Option<String>,
    pub stream: bool,
    /// The HTTP status the client got.
    pub status: u16,
    /// Set when the request failed: a [`Failure`]'s name.
    pub error: Option<String>,
    /// Accounts tried, failovers included.
    pub attempts: u32,
    pub ttfb_ms: Option<u64>,
    pub latency_ms: u64,
    pub tokens: TokenUsage,
    pub client_ip: String,
    pub user_agent: String,
    /// The id returned to the client (`x-gateway-request-id`) and sent upstream.
    #[serde(default)]
    pub request_id: String,
    /// Estimated cost, micro-dollars.
    #[serde(default)]
    pub cost_micros: u64,
}

/// A subscription login as it is sealed in an account's `credentials`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthTokens {
    pub access_token: String,
    /// `None` for a long-lived setup token, which cannot be refreshed.
    pub refresh_token: Option<String>,
    /// Unix milliseconds; `None` when unknown.
    pub expires_at_ms: Option<u64>,
    #[serde(default)]
    pub scopes: Vec<String>,
}

//! The immutable picture of keys and accounts that the data plane reads per request,
//! plus the small mutable runtime health of each account (atomics, no locks).

use std::collections::HashMap;
use std::sync::Arc;

use gateway_shared::provider::{AuthKind, Provider};
use http::HeaderValue;

use super::runtime::AccountRuntime;
use super::OpError;
use crate::model::{AccountRecord, AccountState, AccountStatus, KeyRecord, Permission};
use crate::secrets::Sealer;

/// Finds or creates the token cell of an OAuth account.
pub(super) type CellFor<'a> =
    dyn FnMut(&str, crate::model::OAuthTokens) -> Result<Arc<super::TokenCell>, OpError> + 'a;

/// Keys by digest and accounts in preference order.
#[derive(Default)]
pub struct Snapshot {
    keys: foldhash::HashMap<[u8; 32], Arc<ActiveKey>>,
    /// Rotated-out secrets in their grace period: digest → (key, valid until, Unix secs).
    previous: foldhash::HashMap<[u8; 32], (Arc<ActiveKey>, i64)>,
    /// Sorted by priority (lower first), then creation time.
    pub accounts: Vec<Arc<Account>>,
}

/// A key that is not revoked (it may be expired; auth decides).
pub struct ActiveKey {
    pub record: KeyRecord,
    /// The key id, shared into every usage record instead of copied per request.
    pub id: Arc<str>,
    pub digest: [u8; 32],
    /// The key's providers; empty = all.
    providers: Vec<Provider>,
    /// The key's own client networks, parsed.
    allowed_ips: Vec<ipnet::IpNet>,
    denied_ips: Vec<ipnet::IpNet>,
}

impl ActiveKey {
    /// Whether the key may be used from `ip`.
    pub fn admits_ip(&self, ip: std::net::IpAddr) -> bool {
        crate::admission::admits(&self.allowed_ips, &self.denied_ips, ip)
    }

    /// Whether the key holds `permission`.
    pub fn allows(&self, permission: Permission) -> bool {
        self.record.permissions.contains(&permission)
    }

    /// Whether the key may reach `provider`'s accounts.
    pub fn reaches(&self, provider: Provider) -> bool {
        self.providers.is_empty() || self.providers.contains(&provider)
    }
}

/// An account ready for the data plane: decrypted credential and live health.
pub struct Account {
    pub id: String,
    pub provider: Provider,
    pub auth: AuthKind,
    /// Without a trailing slash.
    pub base_url: String,
    pub priority: i32,
    /// Share of traffic under weighted round robin (at least 1).
    pub weight: u32,
    pub status: AccountStatus,
    pub draining: bool,
    pub max_concurrency: u32,
    /// Model patterns; empty = all.
    pub models: Vec<String>,
    /// The clients it takes requests from.
    pub clients: crate::model::Clients,
    /// Percent of a subscription window at which new sessions go elsewhere.
    pub pause_at: Option<u8>,
    /// The credential as a header value, marked sensitive.
    pub credential: HeaderValue,
    /// A client that goes through the account's own proxy, if it has one.
    pub client: Option<reqwest::Client>,
    /// The live token of an OAuth account.
    pub oauth: Option<Arc<super::TokenCell>>,
    /// The Google Cloud project of a Code Assist account.
    pub project: Option<Arc<str>>,
    pub runtime: Arc<AccountRuntime>,
}

impl Account {
    /// A Gemini CLI login: speaks Google's Code Assist protocol, not the Gemini API.
    pub fn code_assist(&self) -> bool {
        self.provider == Provider::GeminiCli && self.auth == AuthKind::OAuth
    }

    /// The state operators see: derived here once, for `status`, the metrics and the
    /// control plane alike.
    pub fn state(&self, now_ms: u64) -> AccountState {
        let cooling = self.runtime.cooling_until(now_ms).is_some();
        if self.status == AccountStatus::Inactive {
            AccountState::Disabled
        } else if self.status == AccountStatus::Error || self.runtime.failed() {
            AccountState::Error
        } else if self.draining {
            AccountState::Draining
        } else if cooling && self.runtime.circuit_open() {
            AccountState::CircuitOpen
        } else if cooling {
            AccountState::CoolingDown
        } else {
            AccountState::Active
        }
    }

    /// Whether the account may take a request at `now_ms`.
    pub fn usable(&self, now_ms: u64) -> bool {
        self.status == AccountStatus::Active
            && !self.draining
            && self.runtime.usable(now_ms)
            && (self.max_concurrency == 0 || self.runtime.in_flight() < self.max_concurrency)
    }

    /// The header the account's credential travels in, and its value.
    pub fn credential_header(&self) -> (http::HeaderName, HeaderValue) {
        let name = match (self.provider, self.auth) {
            (_, AuthKind::OAuth) => return (http::header::AUTHORIZATION, self.bearer()),
            (Provider::ClaudeCode, AuthKind::ApiKey) => "x-api-key",
            (Provider::GeminiCli, AuthKind::ApiKey) => "x-goog-api-key",
        };
        (http::HeaderName::from_static(name), self.credential.clone())
    }

    /// The current bearer of an OAuth account (refreshed tokens included).
    fn bearer(&self) -> HeaderValue {
        self.oauth.as_ref().map_or_else(
            || self.credential.clone(),
            |cell| cell.current().bearer.clone(),
        )
    }

    /// Whether the account serves `model` (a request without a model goes anywhere).
    pub fn serves(&self, model: Option<&str>) -> bool {
        match model {
            Some(model) if !self.models.is_empty() => self
                .models
                .iter()
                .any(|p| crate::model::glob_match(p, model)),
            _ => true,
        }
    }
}

impl Snapshot {
    /// Builds a snapshot, decrypting every account credential once.
    pub(super) fn build(
        keys: Vec<KeyRecord>,
        mut records: Vec<AccountRecord>,
        sealer: &Sealer,
        runtime: &mut HashMap<String, Arc<AccountRuntime>>,
        client_for: &mut dyn FnMut(&str) -> Result<reqwest::Client, OpError>,
        cell_for: &mut CellFor<'_>,
    ) -> Result<Self, OpError> {
        let active: Vec<Arc<ActiveKey>> = keys
            .into_iter()
            .filter(|k| k.revoked_at.is_none())
            .filter_map(active_key)
            .map(Arc::new)
            .collect();
        let previous = active
            .iter()
            .filter_map(|k| {
                let p = k.record.previous.as_ref()?;
                Some((parse_digest(&p.digest)?, (Arc::clone(k), p.valid_until)))
            })
            .collect();
        let keys = active.into_iter().map(|k| (k.digest, k)).collect();
        records.sort_by_key(|r| (r.priority, r.created_at));
        let mut accounts = Vec::with_capacity(records.len());
        for record in records {
            let rt = Arc::clone(runtime.entry(record.id.clone()).or_default());
            match account(record, sealer, rt, client_for, cell_for) {
                Ok(Some(a)) => accounts.push(Arc::new(a)),
                Ok(None) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Self {
            keys,
            previous,
            accounts,
        })
    }

    /// The key whose current digest is `digest`, or whose rotated-out digest it is and
    /// still inside its grace period at `now`.
    pub fn key(&self, digest: &[u8; 32], now: i64) -> Option<&Arc<ActiveKey>> {
        self.keys.get(digest).or_else(|| {
            self.previous
                .get(digest)
                .filter(|(_, until)| now < *until)
                .map(|(key, _)| key)
        })
    }

    /// Keys neither revoked nor expired at `now`.
    pub fn live_keys(&self, now: i64) -> usize {
        self.keys
            .values()
            .filter(|k| !k.record.is_expired(now))
            .count()
    }
}

fn parse_digest(hex_digest: &str) -> Option<[u8; 32]> {
    hex::decode(hex_digest).ok()?.try_into().ok()
}

fn active_key(record: KeyRecord) -> Option<ActiveKey> {
    let digest = parse_digest(&record.digest)?;
    let providers = record
        .providers
        .iter()
        .filter_map(|p| p.parse().ok())
        .collect();
    let nets = |list: &[String]| {
        list.iter()
            .filter_map(|n| crate::admission::parse_net(n))
            .collect()
    };
    Some(ActiveKey {
        id: Arc::from(record.id.as_str()),
        allowed_ips: nets(&record.allowed_ips),
        denied_ips: nets(&record.denied_ips),
        record,
        digest,
        providers,
    })
}

fn account(
    record: AccountRecord,
    sealer: &Sealer,
    runtime: Arc<AccountRuntime>,
    client_for: &mut dyn FnMut(&str) -> Result<reqwest::Client, OpError>,
    cell_for: &mut CellFor<'_>,
) -> Result<Option<Account>, OpError> {
    let (Some(provider), Some(auth)) = (record.provider(), record.auth_kind()) else {
        tracing::warn!(account = %record.id, "account of unknown type or auth kind is skipped");
        return Ok(None);
    };
    let secret = sealer.open(&record.id, &record.credentials)?;
    let (credential, oauth) = match auth {
        AuthKind::ApiKey => {
            let mut credential = HeaderValue::from_bytes(&secret)
                .map_err(|_| OpError::invalid("stored credential is not a valid header value"))?;
            credential.set_sensitive(true);
            (credential, None)
        }
        AuthKind::OAuth => {
            let tokens = serde_json::from_slice(&secret)
                .map_err(|_| OpError::invalid("stored OAuth tokens are unreadable"))?;
            let cell = cell_for(&record.id, tokens)?;
            (cell.current().bearer.clone(), Some(cell))
        }
    };
    let client = match &record.proxy_sealed {
        Some(sealed) => {
            let url = sealer.open(&super::accounts::proxy_aad(&record.id), sealed)?;
            Some(client_for(&String::from_utf8_lossy(&url))?)
        }
        None => None,
    };
    let clients = record.serves();
    Ok(Some(Account {
        client,
        oauth,
        project: record.project.as_deref().map(Arc::from),
        base_url: record.base_url.trim_end_matches('/').to_owned(),
        id: record.id,
        provider,
        auth,
        priority: record.priority,
        weight: record.weight.max(1),
        status: record.status,
        draining: record.draining,
        max_concurrency: record.max_concurrency,
        clients,
        pause_at: record.pause_at,
        models: record.models,
        credential,
        runtime,
    }))
}

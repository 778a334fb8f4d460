//! Upstream account operations: add (the credential is sealed before it is stored),
//! list and show with live health, update, remove, enable/disable, drain, and the
//! failures the data plane reports.

use gateway_shared::keyfmt::ACCOUNT_ID_PREFIX;
use gateway_shared::provider::{AuthKind, Provider};

use super::account_input::{self as input, AccountUpdate, NewAccount};
use super::key_input;
use super::keys::random_bytes;
use super::{ErrorKind, Gateway, OpError};
use crate::model::{AccountEvent, AccountRecord, AccountState, AccountStatus, Quota};

/// Transitions `account show` lists.
const HISTORY_SHOWN: usize = 20;

/// An account as the control plane shows it: the record plus live health.
#[derive(Debug, Clone)]
pub struct AccountView {
    pub record: AccountRecord,
    /// The state operators see (see `Account::state`).
    pub state: crate::model::AccountState,
    pub cooling_until_ms: Option<u64>,
    pub in_flight: u32,
    /// A subscription's windows as last reported.
    pub quota: Option<std::sync::Arc<super::QuotaWindows>>,
    /// Why the account is cooling down (when it is).
    pub cooling_reason: &'static str,
    /// Model families benched now: (family, until Unix ms).
    pub benched: Vec<(String, u64)>,
    /// Moving-average time to response headers, microseconds.
    pub latency_us: Option<u64>,
    pub circuit_open: bool,
    pub last_check: Option<std::sync::Arc<super::HealthCheck>>,
    /// The last early-recovery read of its windows, and when the next may run.
    pub quota_check: Option<std::sync::Arc<super::QuotaCheck>>,
    pub next_quota_check_ms: Option<u64>,
    /// State transitions, oldest first (filled for one account, empty in listings).
    pub history: Vec<AccountEvent>,
}

impl Gateway {
    /// Seals the credential and adds the account to the pool.
    pub fn add_account(&self, new: NewAccount) -> Result<AccountRecord, OpError> {
        let name = input::name(&new.name)?;
        let provider = input::provider(&new.provider)?;
        let auth: AuthKind = new
            .auth
            .parse()
            .map_err(|e: gateway_shared::provider::UnknownName| OpError::invalid(e.to_string()))?;
        let credential = match auth {
            AuthKind::ApiKey => input::credential(&new.credential)?.to_vec(),
            AuthKind::OAuth => {
                let tokens = input::oauth_tokens(&new.credential, self.clock().now_millis())?;
                serde_json::to_vec(&tokens)
                    .map_err(|e| OpError::new(ErrorKind::Internal, e.to_string()))?
            }
        };
        let project = input::project(provider, auth, new.project.as_deref())?;
        let base_url = input::base_url(&new.base_url, self.default_base_url(provider, auth))?;
        let models = key_input::models(&new.models)?;
        input::models_for(provider, &models)?;
        let proxy = new.proxy.as_deref().map(input::proxy).transpose()?;
        let serves = new
            .serves
            .as_deref()
            .map(input::serves)
            .transpose()?
            .flatten();
        let pause_at = new.pause_at.map(input::pause_at).transpose()?.flatten();
        let _guard = self.write_guard()?;
        self.ensure_unique_name(&name, None)?;
        let id = format!("{ACCOUNT_ID_PREFIX}{}", hex::encode(random_bytes::<6>()));
        let now = self.clock().now_secs();
        let mut record = AccountRecord {
            credentials: self.inner.keys.sealer.seal(&id, &credential)?,
            id,
            name,
            provider: provider.as_str().to_owned(),
            auth: auth.as_str().to_owned(),
            status: AccountStatus::Active,
            status_reason: String::new(),
            quota: Quota::default(),
            base_url,
            weight: new.weight.max(1),
            priority: new.priority,
            last_health_check: None,
            created_at: now,
            updated_at: now,
            models,
            max_concurrency: new.max_concurrency,
            draining: false,
            proxy: proxy.as_deref().map(crate::upstream_client::redact_proxy),
            proxy_sealed: None,
            project,
            serves,
            pause_at,
        };
        if let Some(url) = &proxy {
            record.proxy_sealed = Some(
                self.inner
                    .keys
                    .sealer
                    .seal(&proxy_aad(&record.id), url.as_bytes())?,
            );
        }
        self.inner.store.put_account(&record)?;
        self.republish()?;
        self.note_change(&record.id, AccountState::Active, "added")?;
        self.audit_change("Accounts/AddAccount", &record.id, None, Some(&record))?;
        Ok(record)
    }

    /// Every account with its live health, in preference order.
    pub fn list_accounts(&self) -> Result<Vec<AccountView>, OpError> {
        let mut records = self.inner.store.accounts()?;
        records.sort_by_key(|r| (r.priority, r.created_at));
        Ok(records.into_iter().map(|r| self.view(r)).collect())
    }

    /// One account with its live health and its recent transitions.
    pub fn get_account(&self, id: &str) -> Result<AccountView, OpError> {
        let id = self.account_id(id)?;
        let id = id.as_str();
        let record = self
            .inner
            .store
            .account(id)?
            .ok_or_else(|| no_account(id))?;
        let mut view = self.view(record);
        view.history = self.inner.store.account_events(id, HISTORY_SHOWN)?;
        Ok(view)
    }

    /// Records a transition the data plane applied in memory (a cool-down, a benched
    /// model family).
    pub fn record_account_event(&self, id: &str, event: AccountEvent) -> Result<(), OpError> {
        self.note(id, event)
    }

    /// Notes an operator's (or the control plane's) change of an account's state, now.
    fn note_change(&self, id: &str, state: AccountState, why: &str) -> Result<(), OpError> {
        let event = AccountEvent::new(self.clock().now_millis(), state, why, None);
        self.note(id, event)
    }

    fn note(&self, id: &str, event: AccountEvent) -> Result<(), OpError> {
        tracing::info!(account = %id, state = %event.state, reason = %event.reason, "account state changed");
        self.inner.store.append_account_event(id, &event)?;
        Ok(())
    }

    /// Changes an account's settings (and optionally its credential).
    pub fn update_account(&self, id: &str, change: AccountUpdate) -> Result<AccountView, OpError> {
        let id = self.account_id(id)?;
        let id = id.as_str();
        let current = self.get_account(id)?.record;
        let provider = input::provider(&current.provider)?;
        let auth = current.auth_kind().unwrap_or(AuthKind::ApiKey);
        let name = change.name.as_deref().map(input::name).transpose()?;
        let base_url = change
            .base_url
            .as_deref()
            .map(|url| input::base_url(url, self.default_base_url(provider, auth)))
            .transpose()?;
        let models = change
            .models
            .as_deref()
            .map(key_input::models)
            .transpose()?;
        if let Some(models) = &models {
            input::models_for(provider, models)?;
        }
        let weight = change.weight.map(input::weight).transpose()?;
        let proxy = match &change.proxy {
            Some(Some(url)) => {
                let url = input::proxy(url)?;
                let sealed = self
                    .inner
                    .keys
                    .sealer
                    .seal(&proxy_aad(id), url.as_bytes())?;
                Some((
                    Some(crate::upstream_client::redact_proxy(&url)),
                    Some(sealed),
                ))
            }
            Some(None) => Some((None, None)),
            None => None,
        };
        let sealed = match &change.credential {
            Some(raw) if current.auth == AuthKind::OAuth.as_str() => {
                let tokens = input::oauth_tokens(raw, self.clock().now_millis())?;
                let json = serde_json::to_vec(&tokens)
                    .map_err(|e| OpError::new(ErrorKind::Internal, e.to_string()))?;
                Some(self.inner.keys.sealer.seal(id, &json)?)
            }
            Some(raw) => Some(self.inner.keys.sealer.seal(id, input::credential(raw)?)?),
            None => None,
        };
        let serves = change.serves.as_deref().map(input::serves).transpose()?;
        let pause_at = change.pause_at.map(input::pause_at).transpose()?;
        if let Some(name) = &name {
            self.ensure_unique_name(name, Some(id))?;
        }
        self.change_account(id, "Accounts/UpdateAccount", |a| {
            set(&mut a.serves, serves);
            set(&mut a.pause_at, pause_at);
            set(&mut a.name, name.clone());
            set(&mut a.base_url, base_url.clone());
            set(&mut a.credentials, sealed.clone());
            set(&mut a.weight, weight);
            set(&mut a.priority, change.priority);
            set(&mut a.models, models.clone());
            set(&mut a.max_concurrency, change.max_concurrency);
            if let Some((shown, sealed)) = &proxy {
                a.proxy.clone_from(shown);
                a.proxy_sealed.clone_from(sealed);
            }
        })
    }

    /// Removes an account from the pool for good.
    pub fn remove_account(&self, id: &str) -> Result<AccountRecord, OpError> {
        let id = self.account_id(id)?;
        let id = id.as_str();
        let _guard = self.write_guard()?;
        let record = self
            .inner
            .store
            .delete_account(id)?
            .ok_or_else(|| no_account(id))?;
        self.republish()?;
        self.inner.store.delete_account_events(id)?;
        self.audit_change("Accounts/RemoveAccount", id, Some(&record), None)?;
        Ok(record)
    }

    /// Takes the account out of rotation (`inactive`) or puts it back (`active`, clearing
    /// any error, failure or cool-down).
    pub fn set_account_enabled(&self, id: &str, enabled: bool) -> Result<AccountView, OpError> {
        let id = self.account_id(id)?;
        let id = id.as_str();
        let view = self.change_account(id, "Accounts/SetAccountEnabled", |a| {
            a.status = if enabled {
                AccountStatus::Active
            } else {
                AccountStatus::Inactive
            };
            a.status_reason.clear();
        })?;
        let view = match enabled {
            true => {
                if let Some(live) = self.snapshot().accounts.iter().find(|a| a.id == id) {
                    live.runtime.reset();
                }
                // As it is now: no cool-down, no failure.
                self.view(view.record)
            }
            false => view,
        };
        let (state, why) = match enabled {
            true => (AccountState::Active, "enabled by an operator"),
            false => (AccountState::Disabled, "disabled by an operator"),
        };
        self.note_change(id, state, why)?;
        Ok(view)
    }

    /// The account as the data plane sees it now.
    pub fn live_account(&self, id: &str) -> Result<std::sync::Arc<super::Account>, OpError> {
        let id = self.account_id(id)?;
        let id = id.as_str();
        self.snapshot()
            .accounts
            .iter()
            .find(|a| a.id == id)
            .cloned()
            .ok_or_else(|| no_account(id))
    }

    /// Starts or ends draining: a draining account takes no new requests.
    pub fn set_account_draining(&self, id: &str, draining: bool) -> Result<AccountView, OpError> {
        let id = self.account_id(id)?;
        let id = id.as_str();
        let rpc = match draining {
            true => "Accounts/DrainAccount",
            false => "Accounts/UndrainAccount",
        };
        let view = self.change_account(id, rpc, |a| a.draining = draining)?;
        let (state, why) = match draining {
            true => (AccountState::Draining, "drained by an operator"),
            false => (AccountState::Active, "returned to service"),
        };
        self.note_change(id, state, why)?;
        Ok(view)
    }

    /// Requests in flight on an account now.
    pub fn account_in_flight(&self, id: &str) -> u32 {
        let snapshot = self.snapshot();
        snapshot
            .accounts
            .iter()
            .find(|a| a.id == id)
            .map_or(0, |a| a.runtime.in_flight())
    }

    /// For each subscription account, when its binding window (the most used one) resets,
    /// as the upstream last reported it.
    pub fn quota_resets(&self) -> std::collections::HashMap<String, u64> {
        self.snapshot()
            .accounts
            .iter()
            .filter_map(|a| {
                let windows = a.runtime.quota.load_full()?;
                let binding = windows.windows.iter().max_by(|x, y| x.2.total_cmp(&y.2))?;
                Some((a.id.clone(), binding.3?))
            })
            .collect()
    }

    /// When the account was last probed, kept without republishing the snapshot.
    pub fn note_health_check(&self, id: &str, at_secs: i64) -> Result<(), OpError> {
        self.inner
            .store
            .update_account(id, |a| a.last_health_check = Some(at_secs))?;
        Ok(())
    }

    /// Back in rotation after evidence it works (a passing probe, a successful token
    /// refresh): clears an error, a failure and any cool-down.
    pub fn restore_account(&self, id: &str, why: &str) -> Result<(), OpError> {
        let current = self.get_account(id)?.record;
        if current.status == AccountStatus::Error {
            self.change_account(id, "health/RestoreAccount", |a| {
                a.status = AccountStatus::Active;
                a.status_reason.clear();
            })?;
        }
        if let Some(live) = self.snapshot().accounts.iter().find(|a| a.id == id) {
            live.runtime.reset();
        }
        self.note_change(id, AccountState::Active, why)
    }

    /// Persists a failure the data plane already applied in memory: the account goes to
    /// `error` with the reason until an operator acts.
    pub fn persist_account_failure(&self, id: &str, reason: &str) -> Result<(), OpError> {
        self.change_account(id, "data-plane/AccountFailed", |a| {
            a.status = AccountStatus::Error;
            a.status_reason = reason.to_owned();
        })?;
        self.note_change(id, AccountState::Error, reason)
    }

    fn change_account(
        &self,
        id: &str,
        rpc: &'static str,
        mut f: impl FnMut(&mut AccountRecord),
    ) -> Result<AccountView, OpError> {
        let _guard = self.write_guard()?;
        let now = self.clock().now_secs();
        let mut before = None;
        let record = self
            .inner
            .store
            .update_account(id, |a| {
                before = Some(a.clone());
                f(a);
                a.updated_at = now;
            })?
            .ok_or_else(|| no_account(id))?;
        self.republish()?;
        self.audit_change(rpc, id, before.as_ref(), Some(&record))?;
        Ok(self.view(record))
    }

    fn view(&self, record: AccountRecord) -> AccountView {
        let snapshot = self.snapshot();
        let live = snapshot.accounts.iter().find(|a| a.id == record.id);
        let now = self.clock().now_millis();
        AccountView {
            state: live.map_or_else(|| stored_state(&record), |a| a.state(now)),
            cooling_until_ms: live.and_then(|a| a.runtime.cooling_until(now)),
            in_flight: live.map_or(0, |a| a.runtime.in_flight()),
            quota: live.and_then(|a| a.runtime.quota.load_full()),
            cooling_reason: live
                .and_then(|a| a.runtime.cooling_reason())
                .map_or("", crate::model::CoolReason::as_str),
            benched: live.map(|a| a.runtime.benched(now)).unwrap_or_default(),
            latency_us: live.and_then(|a| a.runtime.latency()).map(|(us, _)| us),
            circuit_open: live.is_some_and(|a| a.runtime.circuit_open()),
            last_check: live.and_then(|a| a.runtime.last_check.load_full()),
            quota_check: live.and_then(|a| a.runtime.recovery.last()),
            next_quota_check_ms: live.and_then(|a| a.runtime.recovery.next_ms()),
            history: Vec::new(),
            record: self.with_account_marks(record),
        }
    }

    fn ensure_unique_name(&self, name: &str, except: Option<&str>) -> Result<(), OpError> {
        let taken = self
            .inner
            .store
            .accounts()?
            .iter()
            .any(|a| a.name == name && Some(a.id.as_str()) != except);
        if taken {
            return Err(OpError::new(
                ErrorKind::AlreadyExists,
                format!("an account named {name:?} exists"),
            ));
        }
        Ok(())
    }

    /// Where a new account of this kind points when the operator names no base URL.
    pub fn default_base_url(&self, provider: Provider, auth: AuthKind) -> &str {
        let upstream = &self.inner.upstream;
        match (provider, auth) {
            (Provider::ClaudeCode, _) => &upstream.anthropic_base_url,
            (Provider::GeminiCli, AuthKind::ApiKey) => &upstream.gemini_base_url,
            (Provider::GeminiCli, AuthKind::OAuth) => &upstream.code_assist_base_url,
        }
    }
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}

/// The associated data the proxy URL is sealed with (distinct from the credential's).
pub(super) fn proxy_aad(id: &str) -> String {
    format!("{id}/proxy")
}

/// The state of an account not (yet) in the live snapshot, from its record alone.
fn stored_state(record: &AccountRecord) -> AccountState {
    match record.status {
        AccountStatus::Inactive => AccountState::Disabled,
        AccountStatus::Error => AccountState::Error,
        AccountStatus::Active if record.draining => AccountState::Draining,
        AccountStatus::Active => AccountState::Active,
    }
}

fn no_account(id: &str) -> OpError {
    OpError::not_found(format!(
        "no account with id {id} (`gatewayctl account list` shows them)"
    ))
}

//! Upstream account operations: add (the credential is sealed before it is stored),
//! list with live health, and the failure reports the data plane raises.

use gateway_shared::keyfmt::ACCOUNT_ID_PREFIX;
use gateway_shared::provider::{AuthKind, Provider};

use super::keys::random_bytes;
use super::{ErrorKind, Gateway, OpError};
use crate::model::{now_millis, now_secs, AccountRecord, AccountStatus, Quota};

/// What an operator asks for when adding an account.
#[derive(Clone, Default)]
pub struct NewAccount {
    pub name: String,
    pub provider: String,
    pub auth: String,
    pub credential: Vec<u8>,
    /// Empty = the provider's public API.
    pub base_url: String,
    /// 0 = 1.
    pub weight: u32,
    pub priority: i32,
}

/// An account as the control plane shows it: the record plus live health.
#[derive(Debug, Clone)]
pub struct AccountView {
    pub record: AccountRecord,
    pub cooling_until_ms: Option<u64>,
    pub in_flight: u32,
}

impl Gateway {
    /// Seals the credential and adds the account to the pool.
    pub fn add_account(&self, new: NewAccount) -> Result<AccountRecord, OpError> {
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(OpError::invalid("an account needs a name"));
        }
        let provider: Provider = new
            .provider
            .parse()
            .map_err(|e: gateway_shared::provider::UnknownName| OpError::invalid(e.to_string()))?;
        let auth: AuthKind = new
            .auth
            .parse()
            .map_err(|e: gateway_shared::provider::UnknownName| OpError::invalid(e.to_string()))?;
        let credential = new.credential.trim_ascii();
        if credential.is_empty() {
            return Err(OpError::invalid("the credential is empty"));
        }
        if http::HeaderValue::from_bytes(credential).is_err() {
            return Err(OpError::invalid(
                "the credential contains characters a header cannot carry",
            ));
        }
        let base_url = self.base_url_for(provider, &new.base_url)?;
        let _guard = self.write_guard();
        if self.inner.store.accounts()?.iter().any(|a| a.name == name) {
            return Err(OpError::new(
                ErrorKind::AlreadyExists,
                format!("an account named {name:?} exists"),
            ));
        }
        let id = format!("{ACCOUNT_ID_PREFIX}{}", hex::encode(random_bytes::<6>()));
        let now = now_secs();
        let record = AccountRecord {
            credentials: self.inner.sealer.seal(&id, credential)?,
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
        };
        self.inner.store.put_account(&record)?;
        self.republish()?;
        tracing::info!(audit.rpc = "Accounts/AddAccount", audit.target = %record.id, "account added");
        Ok(record)
    }

    /// Every account with its live health, in preference order.
    pub fn list_accounts(&self) -> Result<Vec<AccountView>, OpError> {
        let snapshot = self.snapshot();
        let now = now_millis();
        let mut records = self.inner.store.accounts()?;
        records.sort_by_key(|r| (r.priority, r.created_at));
        Ok(records
            .into_iter()
            .map(|record| {
                let live = snapshot.accounts.iter().find(|a| a.id == record.id);
                AccountView {
                    cooling_until_ms: live.and_then(|a| a.runtime.cooling_until(now)),
                    in_flight: live.map_or(0, |a| a.runtime.in_flight()),
                    record,
                }
            })
            .collect())
    }

    /// Persists a failure the data plane already applied in memory: the account goes to
    /// `error` with the reason until an operator acts.
    pub fn persist_account_failure(&self, id: &str, reason: &str) -> Result<(), OpError> {
        let _guard = self.write_guard();
        let now = now_secs();
        self.inner.store.update_account(id, |a| {
            a.status = AccountStatus::Error;
            a.status_reason = reason.to_owned();
            a.updated_at = now;
        })?;
        self.republish()
    }

    fn base_url_for(&self, provider: Provider, given: &str) -> Result<String, OpError> {
        let given = given.trim();
        let url = if given.is_empty() {
            match provider {
                Provider::ClaudeCode => self.inner.default_base_urls.0.clone(),
                Provider::GeminiCli => self.inner.default_base_urls.1.clone(),
            }
        } else {
            given.to_owned()
        };
        match reqwest::Url::parse(&url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.query().is_none() => {
                Ok(url.trim_end_matches('/').to_owned())
            }
            _ => Err(OpError::invalid(format!(
                "base URL {url:?} is not an http(s) URL without a query"
            ))),
        }
    }
}

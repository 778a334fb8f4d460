//! Test helpers for the state: accounts made by hand.

use std::sync::Arc;

use gateway_shared::provider::{AuthKind, Provider};

use super::{Account, AccountRuntime};
use crate::model::AccountStatus;

/// An active API-key Claude account with `weight` and a fresh runtime.
pub fn account(id: &str, weight: u32) -> Arc<Account> {
    account_with(id, |a| a.weight = weight)
}

/// [`account`] as `change` leaves it.
pub fn account_with(id: &str, change: impl FnOnce(&mut Account)) -> Arc<Account> {
    let mut account = Account {
        id: id.to_owned(),
        provider: Provider::ClaudeCode,
        auth: AuthKind::ApiKey,
        base_url: "http://127.0.0.1:9".to_owned(),
        priority: 0,
        weight: 1,
        status: AccountStatus::Active,
        draining: false,
        max_concurrency: 0,
        models: Vec::new(),
        clients: crate::model::Clients::Any,
        pause_at: None,
        credential: http::HeaderValue::from_static("test"),
        client: None,
        oauth: None,
        project: None,
        runtime: Arc::new(AccountRuntime::default()),
    };
    change(&mut account);
    Arc::new(account)
}

/// A Claude subscription whose windows were last reported as `windows`: (name,
/// utilisation 0..1, reset Unix seconds).
pub fn subscription(id: &str, windows: &[(&str, f64, Option<u64>)]) -> Arc<Account> {
    let tokens = crate::model::OAuthTokens {
        access_token: format!("at-{id}"),
        refresh_token: None,
        expires_at_ms: None,
        scopes: Vec::new(),
    };
    let account = account_with(id, |a| {
        a.auth = AuthKind::OAuth;
        a.oauth = super::TokenCell::new(tokens).ok();
    });
    if !windows.is_empty() {
        let windows = windows
            .iter()
            .map(|(name, used, reset)| (name.to_string(), "allowed".to_owned(), *used, *reset))
            .collect();
        let quota = super::QuotaWindows {
            windows,
            ..Default::default()
        };
        account.runtime.quota.store(Some(Arc::new(quota)));
    }
    account
}

#[cfg(test)]
mod tests {
    use super::{account, account_with};
    use crate::model::{AccountState, AccountStatus, CoolReason};

    #[test]
    fn the_displayed_state_is_derived_in_one_order() {
        let a = account("a", 1);
        assert_eq!(a.state(0), AccountState::Active);
        a.runtime.cool_until(100, 0, CoolReason::RateLimited);
        assert_eq!(a.state(0), AccountState::CoolingDown);
        assert_eq!(a.state(100), AccountState::Active, "the cool-down ended");
        let policy = crate::state::CircuitPolicy {
            failures: 1,
            cooldown_ms: 50,
            max_cooldown_ms: 50,
        };
        a.runtime.failed_once(policy, 0);
        assert_eq!(a.state(10), AccountState::CircuitOpen);
        a.runtime.fail();
        assert_eq!(
            a.state(10),
            AccountState::Error,
            "a refused credential wins"
        );
        let disabled = account_with("b", |a| a.status = AccountStatus::Inactive);
        disabled.runtime.fail();
        assert_eq!(
            disabled.state(0),
            AccountState::Disabled,
            "an operator's word wins"
        );
    }
}

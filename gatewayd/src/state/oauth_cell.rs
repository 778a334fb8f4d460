//! The live token of a subscription (OAuth) account: swapped atomically when refreshed,
//! with a per-account lock so concurrent requests cause one refresh, not many.

use std::sync::Arc;

use arc_swap::ArcSwap;
use http::HeaderValue;

use super::OpError;
use crate::model::OAuthTokens;

/// The current tokens and the header they make.
pub struct TokenState {
    pub tokens: OAuthTokens,
    /// `Bearer <access token>`, marked sensitive.
    pub bearer: HeaderValue,
}

impl TokenState {
    fn new(tokens: OAuthTokens) -> Result<Self, OpError> {
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", tokens.access_token))
            .map_err(|_| OpError::invalid("the access token cannot travel in a header"))?;
        bearer.set_sensitive(true);
        Ok(Self { tokens, bearer })
    }
}

/// Shared by every snapshot of the same account.
pub struct TokenCell {
    state: ArcSwap<TokenState>,
    /// Held while refreshing (an async lock: the refresh is a network call).
    pub refresh: tokio::sync::Mutex<()>,
}

impl TokenCell {
    pub(super) fn new(tokens: OAuthTokens) -> Result<Arc<Self>, OpError> {
        Ok(Arc::new(Self {
            state: ArcSwap::from_pointee(TokenState::new(tokens)?),
            refresh: tokio::sync::Mutex::new(()),
        }))
    }

    /// The current tokens.
    pub fn current(&self) -> Arc<TokenState> {
        self.state.load_full()
    }

    /// Replaces the tokens (after a refresh, or when the store holds newer ones).
    pub fn set(&self, tokens: OAuthTokens) -> Result<(), OpError> {
        if self.state.load().tokens != tokens {
            self.state.store(Arc::new(TokenState::new(tokens)?));
        }
        Ok(())
    }
}

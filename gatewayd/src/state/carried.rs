//! What outlives a snapshot: each account's runtime health, its live OAuth tokens and
//! the pooled client of its proxy. A rebuilt snapshot takes them over by account id (and
//! proxy URL), so a control-plane write never resets a cool-down, a refreshed token or a
//! warm connection pool.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{AccountRuntime, OpError, Snapshot, TokenCell};
use crate::config::UpstreamConfig;
use crate::model::{AccountRecord, KeyRecord, OAuthTokens};
use crate::secrets::Sealer;

pub(super) struct Carried {
    /// Runtime health per account id.
    runtime: Mutex<HashMap<String, Arc<AccountRuntime>>>,
    /// Live tokens of OAuth accounts by id.
    tokens: Mutex<HashMap<String, Arc<TokenCell>>>,
    /// One pooled client per proxy URL.
    proxy_clients: Mutex<HashMap<String, reqwest::Client>>,
    /// The settings proxied clients are built with.
    upstream: UpstreamConfig,
}

impl Carried {
    pub(super) fn new(upstream: &UpstreamConfig) -> Self {
        Self {
            runtime: Mutex::default(),
            tokens: Mutex::default(),
            proxy_clients: Mutex::default(),
            upstream: upstream.clone(),
        }
    }

    /// A snapshot of `keys` and `accounts` carrying over what the last one had.
    pub(super) fn snapshot(
        &self,
        keys: Vec<KeyRecord>,
        accounts: Vec<AccountRecord>,
        sealer: &Sealer,
    ) -> Result<Snapshot, OpError> {
        let mut runtime = self.runtime.lock().expect("runtime lock poisoned");
        let mut clients = self.proxy_clients.lock().expect("client lock poisoned");
        let mut client_for = |url: &str| -> Result<reqwest::Client, OpError> {
            if let Some(client) = clients.get(url) {
                return Ok(client.clone());
            }
            let client = crate::upstream_client::build(&self.upstream, Some(url))
                .map_err(|e| OpError::invalid(format!("cannot use the proxy: {e}")))?;
            clients.insert(url.to_owned(), client.clone());
            Ok(client)
        };
        let mut cells = self.tokens.lock().expect("token lock poisoned");
        let mut cell_for = |id: &str, tokens: OAuthTokens| -> Result<Arc<TokenCell>, OpError> {
            if let Some(cell) = cells.get(id) {
                cell.set(tokens)?;
                return Ok(Arc::clone(cell));
            }
            let cell = TokenCell::new(tokens)?;
            cells.insert(id.to_owned(), Arc::clone(&cell));
            Ok(cell)
        };
        Snapshot::build(
            keys,
            accounts,
            sealer,
            &mut runtime,
            &mut client_for,
            &mut cell_for,
        )
    }
}

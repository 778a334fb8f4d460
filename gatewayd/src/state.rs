//! The gateway's live state: the durable records (through `store`) and the in-memory
//! snapshot the data plane reads on every request. Control-plane operations change the
//! store and publish a new snapshot; the data plane never touches the store.

mod account_input;
mod accounts;
mod audit;
pub mod backup;
mod carried;
mod errors;
mod follow;
mod key_input;
mod keys;
mod log;
mod marks;
mod names;
mod oauth_cell;
mod runtime;
mod snapshot;
#[cfg(test)]
pub mod testing;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use arc_swap::ArcSwap;

use crate::clock::Clock;
use crate::config::{OAuthConfig, UpstreamConfig};
use crate::secrets::{KeyHasher, MasterKey, Sealer};
use crate::store::{Ledger, Store};

pub use account_input::{oauth_tokens, AccountUpdate, NewAccount};
pub use accounts::AccountView;
pub use audit::{AuditReport, ACTOR};
pub use errors::{ErrorKind, OpError};
pub use key_input::{KeyUpdate, LimitsPatch, NewKey};
pub use log::LogFilter;
pub use oauth_cell::TokenCell;
pub use runtime::{
    model_family, AccountRuntime, CircuitPolicy, HealthCheck, InFlightGuard, QuotaCheck,
    QuotaFinding, QuotaWindows,
};
pub use snapshot::{Account, ActiveKey, Snapshot};

/// Cheap-to-clone handle on the live state.
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    ledger: Ledger,
    keys: Sealing,
    snapshot: ArcSwap<Snapshot>,
    /// What survives snapshot rebuilds.
    carried: carried::Carried,
    oauth: OAuthConfig,
    /// Default base URLs of new accounts.
    upstream: UpstreamConfig,
    /// Serialises writers so each publishes a snapshot of its own write.
    writer: Mutex<()>,
    /// Serialises audit appends (each links to the one before).
    audit_lock: Mutex<()>,
    /// Keys' last use and accounts' quota counts, as the ledger holds them.
    marks: Mutex<crate::store::UsageMarks>,
    started: Instant,
    /// Wall-clock time for every decision the state makes.
    clock: Clock,
}

/// What the master key gives the state: lookup digests for gateway keys, sealing for
/// credentials, a signature for the audit chain and the manifest's MAC key.
struct Sealing {
    hasher: KeyHasher,
    sealer: Sealer,
    signer: crate::secrets::AuditSigner,
    manifest_key: [u8; 32],
}

impl Sealing {
    fn of(master: &MasterKey) -> Result<Self, OpError> {
        Ok(Self {
            hasher: master.key_hasher(),
            sealer: master.sealer(),
            signer: master
                .audit_signer()
                .map_err(|e| OpError::new(ErrorKind::Internal, e.to_string()))?,
            manifest_key: master.manifest_key(),
        })
    }
}

impl Gateway {
    /// Loads every record and publishes the first snapshot.
    pub fn open(
        store: Store,
        ledger: Ledger,
        master: &MasterKey,
        upstream: &UpstreamConfig,
        oauth: &OAuthConfig,
        clock: Clock,
    ) -> Result<Self, OpError> {
        let gateway = Self {
            inner: Arc::new(Inner {
                store,
                ledger,
                keys: Sealing::of(master)?,
                snapshot: ArcSwap::from_pointee(Snapshot::default()),
                carried: carried::Carried::new(upstream),
                oauth: oauth.clone(),
                upstream: upstream.clone(),
                writer: Mutex::new(()),
                audit_lock: Mutex::new(()),
                marks: Mutex::default(),
                started: Instant::now(),
                clock,
            }),
        };
        gateway.republish()?;
        Ok(gateway)
    }

    /// The snapshot the data plane reads; lock-free.
    pub fn snapshot(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.inner.snapshot.load()
    }

    /// The keyed hasher gateway key secrets are looked up by.
    pub fn hasher(&self) -> &KeyHasher {
        &self.inner.keys.hasher
    }

    /// The wall clock every time-dependent decision reads.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// When the daemon started.
    pub fn started(&self) -> Instant {
        self.inner.started
    }

    /// The store, for the usage recorder.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The usage ledger, for the recorder.
    pub fn ledger(&self) -> &Ledger {
        &self.inner.ledger
    }

    /// The cluster this node belongs to, in cluster mode.
    pub fn cluster(&self) -> Option<&Arc<crate::store::Cluster>> {
        self.inner.store.cluster()
    }

    /// Rebuilds the snapshot from the store and swaps it in.
    fn republish(&self) -> Result<(), OpError> {
        let keys = self.inner.store.keys()?;
        let accounts = self.inner.store.accounts()?;
        let snapshot = self
            .inner
            .carried
            .snapshot(keys, accounts, &self.inner.keys.sealer)?;
        self.inner.snapshot.store(Arc::new(snapshot));
        Ok(())
    }

    /// Holds other writers off for one change; refused up front when the disk is full,
    /// so a change is not left half done.
    fn write_guard(&self) -> Result<std::sync::MutexGuard<'_, ()>, OpError> {
        self.inner.store.check_space()?;
        Ok(self.inner.writer.lock().expect("writer lock poisoned"))
    }
}

impl Gateway {
    /// The beta header an account's OAuth bearer needs (Claude subscriptions only).
    pub fn oauth_beta(&self, account: &Account) -> Option<&str> {
        (account.oauth.is_some()
            && account.provider == gateway_shared::provider::Provider::ClaudeCode)
            .then_some(self.inner.oauth.claude_beta.as_str())
    }

    /// The OAuth endpoints and policy.
    pub fn oauth_config(&self) -> &OAuthConfig {
        &self.inner.oauth
    }

    /// The OAuth tokens the store holds for account `id` (in cluster mode, as of the
    /// last change this node applied).
    pub fn stored_tokens(&self, id: &str) -> Result<Option<crate::model::OAuthTokens>, OpError> {
        let Some(record) = self.inner.store.account(id)? else {
            return Ok(None);
        };
        let plain = self.inner.keys.sealer.open(id, &record.credentials)?;
        Ok(serde_json::from_slice(&plain).ok())
    }

    /// Seals and stores refreshed tokens before they are used, so a rotated refresh
    /// token is never lost.
    pub fn store_tokens(
        &self,
        id: &str,
        tokens: &crate::model::OAuthTokens,
    ) -> Result<(), OpError> {
        let json = serde_json::to_vec(tokens)
            .map_err(|e| OpError::new(ErrorKind::Internal, e.to_string()))?;
        let sealed = self.inner.keys.sealer.seal(id, &json)?;
        let _guard = self.write_guard()?;
        self.inner
            .store
            .update_account(id, |a| a.credentials.clone_from(&sealed))?
            .ok_or_else(|| OpError::not_found(format!("no account with id {id}")))?;
        // A rotated refresh token that is lost leaves the account needing a new login.
        self.commit()
    }
}

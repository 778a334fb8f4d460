//! Gateway key operations: create (the only time a secret exists outside a client),
//! list, revoke.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use gateway_shared::keyfmt::{KEY_ID_PREFIX, KEY_SECRET_PREFIX};
use gateway_shared::provider::Provider;

use super::{Gateway, OpError};
use crate::model::{now_secs, KeyRecord, Permission, RateLimit, UnixSecs};

/// What an operator asks for when creating a key.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    pub name: String,
    /// Empty = read and write.
    pub permissions: Vec<String>,
    /// Empty = every provider.
    pub providers: Vec<String>,
    pub expires_at: Option<UnixSecs>,
    pub rate_limit: RateLimit,
}

impl Gateway {
    /// Creates a key and returns it with its secret, which is not kept.
    pub fn create_key(&self, new: NewKey) -> Result<(KeyRecord, String), OpError> {
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(OpError::invalid("a key needs a name"));
        }
        let permissions = parse_permissions(&new.permissions)?;
        let providers = parse_providers(&new.providers)?;
        let now = now_secs();
        if new.expires_at.is_some_and(|at| at <= now) {
            return Err(OpError::invalid("expiry must be in the future"));
        }
        let secret = format!("{KEY_SECRET_PREFIX}{}", B64URL.encode(random_bytes::<32>()));
        let record = KeyRecord {
            id: format!("{KEY_ID_PREFIX}{}", hex::encode(random_bytes::<6>())),
            name,
            digest: hex::encode(self.hasher().digest(&secret)),
            hint: secret[secret.len() - 4..].to_owned(),
            permissions,
            providers,
            rate_limit: new.rate_limit,
            expires_at: new.expires_at,
            created_at: now,
            last_used: None,
            revoked_at: None,
        };
        let _guard = self.write_guard();
        self.inner.store.put_key(&record)?;
        self.republish()?;
        tracing::info!(audit.rpc = "Keys/CreateKey", audit.target = %record.id, "key created");
        Ok((record, secret))
    }

    /// Keys, newest first; revoked and expired ones only with `all`.
    pub fn list_keys(&self, all: bool) -> Result<Vec<KeyRecord>, OpError> {
        let now = now_secs();
        let mut keys: Vec<KeyRecord> = self
            .inner
            .store
            .keys()?
            .into_iter()
            .filter(|k| all || (k.revoked_at.is_none() && !k.is_expired(now)))
            .collect();
        keys.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        Ok(keys)
    }

    /// Revokes a key at once; its secret stops working on the next request.
    pub fn revoke_key(&self, id: &str) -> Result<KeyRecord, OpError> {
        let _guard = self.write_guard();
        let now = now_secs();
        let record = self
            .inner
            .store
            .update_key(id, |k| {
                k.revoked_at.get_or_insert(now);
            })?
            .ok_or_else(|| OpError::not_found(format!("no key with id {id}")))?;
        self.republish()?;
        tracing::info!(audit.rpc = "Keys/RevokeKey", audit.target = %id, "key revoked");
        Ok(record)
    }
}

fn parse_permissions(names: &[String]) -> Result<Vec<Permission>, OpError> {
    if names.is_empty() {
        return Ok(vec![Permission::Read, Permission::Write]);
    }
    let mut out = names
        .iter()
        .map(|n| {
            Permission::parse(n.trim()).ok_or_else(|| {
                OpError::invalid(format!(
                    "unknown permission {n:?}; expected read, write or admin"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

fn parse_providers(names: &[String]) -> Result<Vec<String>, OpError> {
    let mut out = names
        .iter()
        .map(|n| {
            n.trim()
                .parse::<Provider>()
                .map(|p| p.as_str().to_owned())
                .map_err(|e| OpError::invalid(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

pub(super) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).expect("the OS random source is available");
    out
}

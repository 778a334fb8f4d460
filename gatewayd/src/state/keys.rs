//! Gateway key operations: create and rotate (the only times a secret exists outside a
//! client), list, show, update, revoke, delete.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use gateway_shared::keyfmt::{KEY_ID_PREFIX, KEY_SECRET_PREFIX};

use super::key_input::{self as input, KeyUpdate, NewKey};
use super::{Gateway, OpError};
use crate::model::{KeyRecord, PreviousSecret};

impl Gateway {
    /// Creates a key and returns it with its secret, which is not kept.
    pub fn create_key(&self, new: NewKey) -> Result<(KeyRecord, String), OpError> {
        let now = self.clock().now_secs();
        let (secret, digest) = self.new_secret();
        let record = KeyRecord {
            id: format!("{KEY_ID_PREFIX}{}", hex::encode(random_bytes::<6>())),
            name: input::name(&new.name)?,
            hint: hint(&secret),
            digest,
            permissions: input::permissions(&new.permissions)?,
            providers: input::providers(&new.providers)?,
            models: input::models(&new.models)?,
            rate_limit: input::limits(new.rate_limit)?,
            expires_at: input::expiry(new.expires_at, now)?,
            note: input::note(&new.note)?,
            created_at: now,
            last_used: None,
            revoked_at: None,
            previous: None,
            rotated_at: None,
            allowed_ips: input::networks(&new.allowed_ips)?,
            denied_ips: input::networks(&new.denied_ips)?,
        };
        let _guard = self.write_guard()?;
        self.ensure_unique_key_name(&record.name, None)?;
        self.inner.store.put_key(&record)?;
        self.republish()?;
        self.audit_change("Keys/CreateKey", &record.id, None, Some(&record))?;
        Ok((record, secret))
    }

    /// Keys, newest first; revoked and expired ones only with `all`.
    pub fn list_keys(&self, all: bool) -> Result<Vec<KeyRecord>, OpError> {
        let now = self.clock().now_secs();
        let mut keys: Vec<KeyRecord> = self
            .inner
            .store
            .keys()?
            .into_iter()
            .filter(|k| all || (k.revoked_at.is_none() && !k.is_expired(now)))
            .map(|k| self.with_key_marks(k))
            .collect();
        keys.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        Ok(keys)
    }

    /// One key.
    pub fn get_key(&self, id: &str) -> Result<KeyRecord, OpError> {
        let id = self.key_id(id)?;
        let id = id.as_str();
        let key = self.inner.store.key(id)?.ok_or_else(|| no_key(id))?;
        Ok(self.with_key_marks(key))
    }

    /// Changes a key's settings; its secret stays the same.
    pub fn update_key(&self, id: &str, change: KeyUpdate) -> Result<KeyRecord, OpError> {
        let id = self.key_id(id)?;
        let id = id.as_str();
        let now = self.clock().now_secs();
        let name = change.name.as_deref().map(input::name).transpose()?;
        if let Some(name) = &name {
            self.ensure_unique_key_name(name, Some(id))?;
        }
        let permissions = change
            .permissions
            .as_deref()
            .map(input::permissions)
            .transpose()?;
        let providers = change
            .providers
            .as_deref()
            .map(input::providers)
            .transpose()?;
        let models = change.models.as_deref().map(input::models).transpose()?;
        let allowed_ips = change
            .allowed_ips
            .as_deref()
            .map(input::networks)
            .transpose()?;
        let denied_ips = change
            .denied_ips
            .as_deref()
            .map(input::networks)
            .transpose()?;
        let expires_at = change
            .expires_at
            .map(|at| input::expiry(at, now))
            .transpose()?;
        let note = change.note.as_deref().map(input::note).transpose()?;
        let mut limits = self.get_key(id)?.rate_limit;
        change.limits.apply(&mut limits);
        let limits = input::limits(limits)?;
        self.change_key(id, "Keys/UpdateKey", |k| {
            set(&mut k.name, name.clone());
            set(&mut k.permissions, permissions.clone());
            set(&mut k.providers, providers.clone());
            set(&mut k.models, models.clone());
            set(&mut k.expires_at, expires_at);
            k.rate_limit = limits;
            set(&mut k.allowed_ips, allowed_ips.clone());
            set(&mut k.denied_ips, denied_ips.clone());
            set(&mut k.note, note.clone());
        })
    }

    /// Issues a new secret for the same key; the old one keeps working for `grace_secs`.
    pub fn rotate_key(&self, id: &str, grace_secs: u64) -> Result<(KeyRecord, String), OpError> {
        let id = self.key_id(id)?;
        let id = id.as_str();
        let now = self.clock().now_secs();
        let (secret, digest) = self.new_secret();
        let mut refused = None;
        let record = self.change_key(id, "Keys/RotateKey", |k| {
            if k.revoked_at.is_some() {
                refused = Some(OpError::new(
                    super::ErrorKind::FailedPrecondition,
                    "a revoked key cannot be rotated",
                ));
                return;
            }
            let old = std::mem::replace(&mut k.digest, digest.clone());
            k.previous = (grace_secs > 0).then(|| PreviousSecret {
                digest: old,
                valid_until: now + grace_secs as i64,
            });
            k.hint = hint(&secret);
            k.rotated_at = Some(now);
        })?;
        match refused {
            Some(e) => Err(e),
            None => Ok((record, secret)),
        }
    }

    /// Revokes a key at once; its secret stops working on the next request.
    pub fn revoke_key(&self, id: &str) -> Result<KeyRecord, OpError> {
        let id = self.key_id(id)?;
        let id = id.as_str();
        let now = self.clock().now_secs();
        self.change_key(id, "Keys/RevokeKey", |k| {
            k.revoked_at.get_or_insert(now);
            k.previous = None;
        })
    }

    /// Removes a key for good (its usage rows stay, under its id).
    pub fn delete_key(&self, id: &str) -> Result<KeyRecord, OpError> {
        let id = self.key_id(id)?;
        let id = id.as_str();
        let _guard = self.write_guard()?;
        let record = self.inner.store.delete_key(id)?.ok_or_else(|| no_key(id))?;
        self.republish()?;
        self.audit_change("Keys/DeleteKey", id, Some(&record), None)?;
        Ok(record)
    }

    fn change_key(
        &self,
        id: &str,
        rpc: &'static str,
        mut f: impl FnMut(&mut KeyRecord),
    ) -> Result<KeyRecord, OpError> {
        let _guard = self.write_guard()?;
        let mut before = None;
        let record = self
            .inner
            .store
            .update_key(id, |k| {
                before = Some(k.clone());
                f(k);
            })?
            .ok_or_else(|| no_key(id))?;
        self.republish()?;
        self.audit_change(rpc, id, before.as_ref(), Some(&record))?;
        Ok(record)
    }

    fn new_secret(&self) -> (String, String) {
        let secret = format!("{KEY_SECRET_PREFIX}{}", B64URL.encode(random_bytes::<32>()));
        let digest = hex::encode(self.hasher().digest(&secret));
        (secret, digest)
    }
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}

fn hint(secret: &str) -> String {
    secret[secret.len() - 4..].to_owned()
}

fn no_key(id: &str) -> OpError {
    OpError::not_found(format!(
        "no key with id {id} (`gatewayctl key list` shows them)"
    ))
}

pub(super) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).expect("the OS random source is available");
    out
}

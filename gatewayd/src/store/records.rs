//! Key and account records, by id.

use super::{decode, scan, Store, StoreError};
use crate::model::{AccountRecord, KeyRecord};

impl Store {
    /// Every key, revoked and expired ones included.
    pub fn keys(&self) -> Result<Vec<KeyRecord>, StoreError> {
        scan(&self.keys, "keys")
    }

    /// Inserts or replaces a key.
    pub fn put_key(&self, key: &KeyRecord) -> Result<(), StoreError> {
        self.put_record(&self.keys, "keys", key.id.as_bytes(), key)
    }

    /// One key by id.
    pub fn key(&self, id: &str) -> Result<Option<KeyRecord>, StoreError> {
        self.keys
            .get(id)?
            .map(|raw| decode("keys", id.as_bytes(), &raw))
            .transpose()
    }

    /// Removes a key; returns what was there.
    pub fn delete_key(&self, id: &str) -> Result<Option<KeyRecord>, StoreError> {
        self.remove_record(&self.keys, "keys", id)
    }

    /// Changes one key in place; `None` if it does not exist.
    pub fn update_key(
        &self,
        id: &str,
        f: impl FnMut(&mut KeyRecord),
    ) -> Result<Option<KeyRecord>, StoreError> {
        self.update_record(&self.keys, "keys", id, f)
    }

    /// Every account.
    pub fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        scan(&self.accounts, "accounts")
    }

    /// Inserts or replaces an account.
    pub fn put_account(&self, account: &AccountRecord) -> Result<(), StoreError> {
        self.put_record(&self.accounts, "accounts", account.id.as_bytes(), account)
    }

    /// One account by id.
    pub fn account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError> {
        self.accounts
            .get(id)?
            .map(|raw| decode("accounts", id.as_bytes(), &raw))
            .transpose()
    }

    /// Removes an account; returns what was there.
    pub fn delete_account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError> {
        self.remove_record(&self.accounts, "accounts", id)
    }

    /// Changes one account in place; `None` if it does not exist.
    pub fn update_account(
        &self,
        id: &str,
        f: impl FnMut(&mut AccountRecord),
    ) -> Result<Option<AccountRecord>, StoreError> {
        self.update_record(&self.accounts, "accounts", id, f)
    }
}

//! Rate-limit windows and budgets per key, saved so they survive a restart.

use super::{decode, encode, Store, StoreError};
use crate::admission::KeyWindows;

impl Store {
    /// Replaces the saved rate-limit windows.
    pub fn save_limits(&self, windows: &[(String, KeyWindows)]) -> Result<(), StoreError> {
        self.check_space()?;
        let mut batch = sled::Batch::default();
        for k in self.limits.iter().keys() {
            batch.remove(k?);
        }
        for (key, w) in windows {
            batch.insert(key.as_bytes(), encode(w)?);
        }
        self.limits.apply_batch(batch)?;
        Ok(())
    }

    /// The saved rate-limit windows.
    pub fn limits(&self) -> Result<Vec<(String, KeyWindows)>, StoreError> {
        self.limits
            .iter()
            .map(|entry| {
                let (k, v) = entry?;
                Ok((
                    String::from_utf8_lossy(&k).into_owned(),
                    decode("limits", &k, &v)?,
                ))
            })
            .collect()
    }
}

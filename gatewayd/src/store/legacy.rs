//! What older data directories kept in sled and now lives in the ledger: usage totals,
//! the request log (one value per recorder batch, or per entry in the oldest form) and the
//! rollups. Read once by the ledger's import, then cleared.

use super::{decode, Store, StoreError};
use crate::model::{RequestLogEntry, UsageCounters, UsageScope};
use crate::rollup::{Grain, Rollup};

fn parse_grain(s: &str) -> Option<Grain> {
    [Grain::Hour, Grain::Day]
        .into_iter()
        .find(|g| g.as_str() == s)
}

impl Store {
    /// Whether any legacy tree still holds data.
    pub fn has_legacy_usage(&self) -> bool {
        !(self.usage.is_empty() && self.requests.is_empty() && self.rollups.is_empty())
    }

    /// Every stored total: (scope, id, counters).
    pub fn legacy_totals(&self) -> Result<Vec<(UsageScope, String, UsageCounters)>, StoreError> {
        let mut out = Vec::new();
        for entry in self.usage.iter() {
            let (k, v) = entry?;
            let text = String::from_utf8_lossy(&k).into_owned();
            let Some((scope, id)) = text.split_once('\0') else {
                continue;
            };
            if let Some(scope) = UsageScope::parse(scope) {
                out.push((scope, id.to_owned(), decode("usage", &k, &v)?));
            }
        }
        Ok(out)
    }

    /// Every stored rollup: (scope, grain, bucket start, id, rollup).
    #[allow(clippy::type_complexity)]
    pub fn legacy_rollups(
        &self,
    ) -> Result<Vec<(UsageScope, Grain, u64, String, Rollup)>, StoreError> {
        let mut out = Vec::new();
        for entry in self.rollups.iter() {
            let (k, v) = entry?;
            let text = String::from_utf8_lossy(&k).into_owned();
            let mut parts = text.splitn(4, '\0');
            let (Some(scope), Some(grain), Some(bucket), Some(id)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let (Some(scope), Some(grain), Ok(bucket)) =
                (UsageScope::parse(scope), parse_grain(grain), bucket.parse())
            else {
                continue;
            };
            out.push((
                scope,
                grain,
                bucket,
                id.to_owned(),
                decode("rollups", &k, &v)?,
            ));
        }
        Ok(out)
    }

    /// The request log's batches, oldest first; `visit` gets each one.
    pub fn legacy_log(
        &self,
        mut visit: impl FnMut(Vec<RequestLogEntry>),
    ) -> Result<(), StoreError> {
        for entry in self.requests.iter() {
            let (k, v) = entry?;
            // A 16-byte key is the oldest form: one entry per key.
            let batch = if k.len() == 16 {
                vec![decode("requests", &k, &v)?]
            } else {
                decode("requests", &k, &v)?
            };
            visit(batch);
        }
        Ok(())
    }

    /// Empties the legacy trees once their content is in the ledger.
    pub fn clear_legacy_usage(&self) -> Result<(), StoreError> {
        self.usage.clear()?;
        self.requests.clear()?;
        self.rollups.clear()?;
        self.db.flush()?;
        Ok(())
    }
}

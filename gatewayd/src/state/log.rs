//! Reading the request log (tails for `log tail`) and the usage rollups (totals and
//! windows per key, account, model or dialect, with latency histograms, for `stats`).

use std::collections::HashMap;

use super::{Gateway, OpError};
use crate::model::{RequestLogEntry, UsageScope};
use crate::rollup::{Grain, Rollup};
use crate::store::LogCursor;

/// Which entries a tail shows.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub key_id: Option<String>,
    pub account_id: Option<String>,
}

impl LogFilter {
    fn keeps(&self, e: &RequestLogEntry) -> bool {
        self.key_id
            .as_ref()
            .is_none_or(|k| e.key_id.as_ref() == Some(k))
            && self
                .account_id
                .as_ref()
                .is_none_or(|a| e.account_id.as_ref() == Some(a))
    }
}

impl Gateway {
    /// The newest `limit` entries passing `filter`, and a cursor to follow from.
    pub fn log_tail(
        &self,
        limit: usize,
        filter: &LogFilter,
    ) -> Result<(Vec<RequestLogEntry>, LogCursor), OpError> {
        Ok(self.inner.store.log_tail(limit, |e| filter.keeps(e))?)
    }

    /// Entries recorded after `cursor`.
    pub fn log_after(
        &self,
        cursor: &LogCursor,
        filter: &LogFilter,
    ) -> Result<(Vec<RequestLogEntry>, LogCursor), OpError> {
        Ok(self.inner.store.log_after(cursor, |e| filter.keeps(e))?)
    }

    /// Usage grouped by `scope` with latency histograms: all time (the totals, with the
    /// daily rollups' histograms), or the window from `since_secs` (hourly rollups up to
    /// eight days back, daily beyond; whole buckets).
    pub fn usage_stats(
        &self,
        scope: UsageScope,
        since_secs: Option<u64>,
    ) -> Result<HashMap<String, Rollup>, OpError> {
        let store = &self.inner.store;
        let Some(since) = since_secs else {
            let mut rows = store.rollup_window(scope, Grain::Day, 0)?;
            for (id, totals) in store.usage(scope)? {
                rows.entry(id).or_default().counters = totals;
            }
            return Ok(rows);
        };
        let age = (crate::model::now_secs() as u64).saturating_sub(since);
        let grain = if age <= HOURLY_KEPT_SECS {
            Grain::Hour
        } else {
            Grain::Day
        };
        Ok(store.rollup_window(scope, grain, since)?)
    }

    /// Drops hourly rollups past their retention.
    pub fn prune_rollups(&self) -> Result<(), OpError> {
        let now = crate::model::now_secs() as u64;
        Ok(self
            .inner
            .store
            .prune_rollups(Grain::Hour, now.saturating_sub(HOURLY_KEPT_SECS))?)
    }
}

/// Hourly rollups are kept eight days (enough for a 7-day window); daily ones for good.
const HOURLY_KEPT_SECS: u64 = 8 * 86_400;

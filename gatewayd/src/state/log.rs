//! Reading the request log (tails for `log tail`) and the usage rollups (totals and
//! windows per key, account, model or dialect, with latency histograms, for `stats`).

use std::collections::HashMap;

use super::{Gateway, OpError};
use crate::model::{RequestLogEntry, UsageScope};
use crate::rollup::{Grain, Rollup};
use crate::store::{LogCursor, LogQuery};

/// Which entries a tail shows.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub key_id: Option<String>,
    pub account_id: Option<String>,
    pub request_id: Option<String>,
}

impl LogFilter {
    fn query(&self) -> LogQuery<'_> {
        LogQuery {
            key_id: self.key_id.as_deref(),
            account_id: self.account_id.as_deref(),
            request_id: self.request_id.as_deref(),
        }
    }
}

/// Entries a follower is sent per look at the log.
const FOLLOW_PAGE: usize = 1_000;

impl Gateway {
    /// The newest `limit` entries passing `filter`, and a cursor to follow from.
    pub async fn log_tail(
        &self,
        limit: usize,
        filter: &LogFilter,
    ) -> Result<(Vec<RequestLogEntry>, LogCursor), OpError> {
        Ok(self.inner.ledger.log_tail(limit, &filter.query()).await?)
    }

    /// Entries recorded after `cursor`.
    pub async fn log_after(
        &self,
        cursor: LogCursor,
        filter: &LogFilter,
    ) -> Result<(Vec<RequestLogEntry>, LogCursor), OpError> {
        Ok(self
            .inner
            .ledger
            .log_after(cursor, FOLLOW_PAGE, &filter.query())
            .await?)
    }

    /// Usage grouped by `scope` with latency histograms: all time (the totals, with the
    /// daily rollups' histograms), or the window from `since_secs` (hourly rollups up to
    /// eight days back, daily beyond; whole buckets).
    pub async fn usage_stats(
        &self,
        scope: UsageScope,
        since_secs: Option<u64>,
    ) -> Result<HashMap<String, Rollup>, OpError> {
        let ledger = &self.inner.ledger;
        let Some(since) = since_secs else {
            let mut rows = ledger.rollup_window(scope, Grain::Day, 0).await?;
            for (id, totals) in ledger.totals(scope).await? {
                rows.entry(id).or_default().counters = totals;
            }
            return Ok(rows);
        };
        let age = (self.clock().now_secs() as u64).saturating_sub(since);
        let grain = if age <= HOURLY_KEPT_SECS {
            Grain::Hour
        } else {
            Grain::Day
        };
        Ok(ledger.rollup_window(scope, grain, since).await?)
    }

    /// Drops hourly rollups past their retention.
    pub async fn prune_rollups(&self) -> Result<(), OpError> {
        let now = self.clock().now_secs() as u64;
        Ok(self
            .inner
            .ledger
            .prune_rollups(Grain::Hour, now.saturating_sub(HOURLY_KEPT_SECS))
            .await?)
    }
}

/// Hourly rollups are kept eight days (enough for a 7-day window); daily ones for good.
const HOURLY_KEPT_SECS: u64 = 8 * 86_400;

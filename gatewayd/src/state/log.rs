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
    pub model: Option<String>,
    pub status: Option<u16>,
}

impl LogFilter {
    fn query(&self) -> LogQuery<'_> {
        LogQuery {
            key_id: self.key_id.as_deref(),
            account_id: self.account_id.as_deref(),
            request_id: self.request_id.as_deref(),
            model: self.model.as_deref(),
            status: self.status,
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

    /// The client refusals (see [`crate::model::Failure::is_client_refusal`]) among
    /// `key`'s requests still in the log, by kind.
    pub async fn client_refusals(&self, key: &str) -> Result<Vec<(String, u64)>, OpError> {
        use crate::model::Failure;
        let kinds = [
            Failure::ThirdPartyBilling,
            Failure::ClientTooOld,
            Failure::ClientNotServed,
        ]
        .map(Failure::as_str);
        Ok(self.inner.ledger.errors_of_key(key, &kinds).await?)
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
    /// daily rollups' histograms), or the window from `since_secs` (minute rollups up to
    /// two days back, hourly up to eight, daily beyond; whole buckets).
    /// Also the window's true start, its first bucket's.
    pub async fn usage_stats(
        &self,
        scope: UsageScope,
        since_secs: Option<u64>,
    ) -> Result<(HashMap<String, Rollup>, Option<u64>), OpError> {
        let ledger = &self.inner.ledger;
        let Some(since) = since_secs else {
            let mut rows = ledger.rollup_window(scope, Grain::Day, 0).await?;
            for (id, totals) in ledger.totals(scope).await? {
                rows.entry(id).or_default().counters = totals;
            }
            return Ok((rows, None));
        };
        let age = (self.clock().now_secs() as u64).saturating_sub(since);
        let grain = match age {
            age if age <= MINUTES_KEPT_SECS => Grain::Minute,
            age if age <= HOURLY_KEPT_SECS => Grain::Hour,
            _ => Grain::Day,
        };
        let rows = ledger.rollup_window(scope, grain, since).await?;
        Ok((rows, Some(grain.bucket(since))))
    }

    /// Each key's usage summed over the daily rollups since `since_secs` (a UTC
    /// midnight), to seed the in-memory periods at start.
    pub async fn key_sums_since(
        &self,
        since_secs: u64,
    ) -> Result<HashMap<String, crate::model::UsageCounters>, OpError> {
        let rows = self
            .inner
            .ledger
            .rollup_window(UsageScope::Key, Grain::Day, since_secs)
            .await?;
        Ok(rows.into_iter().map(|(id, r)| (id, r.counters)).collect())
    }

    /// All traffic per bucket of `grain` since `since_secs` (a chart's points).
    pub async fn traffic_series(
        &self,
        grain: Grain,
        since_secs: u64,
    ) -> Result<Vec<(u64, crate::model::UsageCounters)>, OpError> {
        let ledger = &self.inner.ledger;
        Ok(ledger
            .rollup_series(UsageScope::Dialect, grain, since_secs)
            .await?)
    }

    /// Requests since `since_ms` by error class (refusals and failures), most first.
    pub async fn errors_since(&self, since_ms: u64) -> Result<Vec<(String, u64)>, OpError> {
        Ok(self.inner.ledger.errors_since(since_ms).await?)
    }

    /// Drops minute and hourly rollups past their retention.
    pub async fn prune_rollups(&self) -> Result<(), OpError> {
        let now = self.clock().now_secs() as u64;
        let ledger = &self.inner.ledger;
        ledger
            .prune_rollups(Grain::Minute, now.saturating_sub(MINUTES_KEPT_SECS))
            .await?;
        Ok(ledger
            .prune_rollups(Grain::Hour, now.saturating_sub(HOURLY_KEPT_SECS))
            .await?)
    }
}

/// Minute rollups are kept two days (windows shorter than that are counted by the minute).
const MINUTES_KEPT_SECS: u64 = 2 * 86_400;

/// Hourly rollups are kept eight days (enough for a 7-day window); daily ones for good.
const HOURLY_KEPT_SECS: u64 = 8 * 86_400;

//! Writing a batch: to the ledger (one transaction, with the key and quota marks it
//! moves) followed by a bounded prune back to the log's cap, then the JSON-lines mirror
//! on the blocking pool, then the age pruning when housekeeping is due. A batch the
//! ledger refuses (disk full, an I/O error) is held and retried with the next ones,
//! backing off up to a minute, with at most one queue's worth of log entries kept.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::RecorderTask;
use crate::store::UsageDelta;

const FIRST_RETRY: Duration = Duration::from_millis(250);
const LAST_RETRY: Duration = Duration::from_secs(60);

/// Tells when the recorder's traffic went quiet: the first round with nothing to write
/// after one that read or wrote the ledger (a batch, or housekeeping's pruning, which
/// reads pages into the caches too).
#[derive(Default)]
pub struct Quiet {
    touched_last_round: bool,
}

impl Quiet {
    /// A write round: whether it is the first quiet one since the ledger was touched.
    pub fn round(&mut self, wrote: bool) -> bool {
        let went_quiet = self.touched_last_round && !wrote;
        self.touched_last_round = wrote;
        went_quiet
    }

    /// This round touched the ledger besides its batch.
    pub fn touched(&mut self) {
        self.touched_last_round = true;
    }
}

/// A batch waiting for the ledger to take it again.
#[derive(Default)]
pub struct Held {
    batch: Option<UsageDelta>,
    retry_at: Option<Instant>,
    delay: Duration,
    /// Log entries given up because the held batch outgrew its bound.
    dropped: u64,
}

impl Held {
    /// The batch to write now: the held one with `fresh` after it. `None` while the
    /// ledger is being given time to recover (the fresh batch is then held too).
    fn take(&mut self, fresh: Option<UsageDelta>, max_log: usize) -> Option<UsageDelta> {
        let batch = match (self.batch.take(), fresh) {
            (Some(held), Some(mut fresh)) => {
                let dropped = fresh.absorb_older(held, max_log);
                if dropped > 0 {
                    self.dropped += dropped as u64;
                    tracing::warn!(
                        dropped,
                        total = self.dropped,
                        "the usage ledger is still refusing writes; the oldest held request log entries were dropped (their tokens stay counted)"
                    );
                }
                Some(fresh)
            }
            (held, fresh) => held.or(fresh),
        };
        if self.retry_at.is_some_and(|at| Instant::now() < at) {
            self.batch = batch;
            return None;
        }
        batch
    }

    fn failed(&mut self, batch: UsageDelta, error: &crate::store::StoreError) {
        self.delay = (self.delay * 2).clamp(FIRST_RETRY, LAST_RETRY);
        self.retry_at = Some(Instant::now() + self.delay);
        tracing::error!(
            error = %error,
            held = batch.log.len(),
            retry_in_ms = self.delay.as_millis() as u64,
            "cannot write usage to the ledger; holding the batch and retrying"
        );
        self.batch = Some(batch);
    }

    fn succeeded(&mut self) {
        if self.retry_at.take().is_some() {
            tracing::info!("the usage ledger accepts writes again; held usage written");
        }
        self.delay = Duration::ZERO;
    }

    /// Log entries still held (not yet in the ledger).
    fn pending_entries(&self) -> usize {
        self.batch.as_ref().map_or(0, |b| b.log.len())
    }
}

impl RecorderTask {
    /// Writes the pending batch (and any held one) and does the housekeeping when due.
    /// The runtime thread serves requests meanwhile; new records queue in the channel.
    pub(super) async fn write(&mut self, pending: &mut UsageDelta) {
        self.raise_budget_alerts();
        let fresh = (!pending.is_empty()).then(|| {
            let mut batch = std::mem::take(pending);
            batch.quota_resets = self.gateway.quota_resets();
            batch
        });
        let mut written = None;
        if let Some(batch) = self.held.take(fresh, self.config.queue) {
            let moved = self.gateway.marks_moved_by(&batch);
            match self.gateway.ledger().write(&batch, &moved).await {
                Ok(()) => {
                    self.held.succeeded();
                    self.gateway.apply_marks(moved);
                    // Counted once readers can see it: the ledger and the marks.
                    self.counts
                        .written
                        .fetch_add(batch.records, Ordering::Release);
                    written = Some(batch);
                    // Every batch keeps the log at its cap, so no prune is ever large.
                    let cap = self.config.log_max_entries;
                    if let Err(e) = self.gateway.ledger().prune_log_count(cap).await {
                        tracing::error!(error = %e, "cannot prune the request log");
                    }
                }
                Err(e) => self.held.failed(batch, &e),
            }
        }
        self.release_memory_when_quiet(written.is_some()).await;
        let Some(mut writer) = self.writer.take() else {
            return;
        };
        let done = tokio::task::spawn_blocking(move || {
            let housekept = writer.write(written.as_ref());
            (writer, housekept)
        })
        .await;
        match done {
            Ok((writer, housekept)) => {
                self.writer = Some(writer);
                if housekept {
                    self.prune_ledger().await;
                    self.quiet.touched();
                    let settings = self.live.load();
                    let now = self.gateway.clock().now_millis();
                    self.error_rates.sweep(now, &settings.alerts);
                    self.client_refusals.sweep(now);
                    self.periods.sweep(now);
                }
            }
            // Only a panic in the store code gets here; recording stops, serving does not.
            Err(e) => tracing::error!(error = %e, "the request recorder's writer failed"),
        }
    }

    /// When traffic went quiet, hands the ledger's page caches back: the memory a burst
    /// of traffic (or a prune of what it left) took is returned once it is over.
    async fn release_memory_when_quiet(&mut self, wrote: bool) {
        if self.quiet.round(wrote) {
            if let Err(e) = self.gateway.ledger().release_cache_memory().await {
                tracing::warn!(error = %e, "cannot release the ledger's cache memory");
            }
        }
    }

    /// Drops request log entries past their age, and hourly rollups past theirs.
    async fn prune_ledger(&self) {
        let max_age = self.config.log_max_age.as_millis() as u64;
        let oldest = self.gateway.clock().now_millis().saturating_sub(max_age);
        let ledger = self.gateway.ledger();
        if let Err(e) = ledger.prune_log_age(oldest).await {
            tracing::error!(error = %e, "cannot prune the request log");
        }
        if let Err(e) = self.gateway.prune_rollups().await {
            tracing::error!(error = %e, "cannot prune hourly rollups");
        }
    }

    /// The last write on the way out: whatever is still held is tried once more, and
    /// what cannot be written is said.
    pub(super) async fn final_write(&mut self, pending: &mut UsageDelta) {
        self.held.retry_at = None;
        self.write(pending).await;
        let lost = self.held.pending_entries();
        if lost > 0 {
            tracing::error!(
                lost,
                "the usage ledger refused the final write; these request log entries are lost"
            );
        }
    }
}

impl RecorderTask {
    /// Raises an alert for each key spend budget that crossed its alert fraction.
    fn raise_budget_alerts(&self) {
        use crate::admission::spend::usd;
        for alert in self.admission.take_budget_alerts() {
            let crossed = &alert.crossed;
            let message = format!(
                "key {} has spent {} of its {} budget of {}",
                alert.key,
                usd(crossed.micros),
                crossed.period.as_str(),
                usd(crossed.limit)
            );
            tracing::warn!(key = %alert.key, period = crossed.period.as_str(), "a key's spend budget is nearly used up");
            let mut raised = crate::alerts::Alert::new(
                self.gateway.clock().now_millis(),
                "budget_threshold",
                None,
                message,
            );
            raised.key = Some(alert.key.to_string());
            self.alerter.raise(raised);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Quiet;

    #[test]
    fn traffic_goes_quiet_once_after_the_rounds_that_wrote() {
        let mut quiet = Quiet::default();
        assert!(!quiet.round(false), "nothing was ever written");
        assert!(!quiet.round(true));
        assert!(!quiet.round(true));
        assert!(quiet.round(false), "the first round without a batch");
        assert!(!quiet.round(false), "once, not every quiet round");
    }

    #[test]
    fn a_housekeeping_round_counts_as_touching_the_ledger() {
        let mut quiet = Quiet::default();
        assert!(!quiet.round(false));
        quiet.touched();
        assert!(
            quiet.round(false),
            "the pruning's pages are given back next round"
        );
        assert!(!quiet.round(false));
    }
}

//! Taking the queue in rounds: the writer wakes every [`TAKE_EVERY`] (or sooner, when the
//! queue is half full) and sums everything queued since, instead of waking for each
//! record — on a busy gateway that was a thread switch per request on the request path's
//! CPU.

use std::ops::ControlFlow;
use std::time::Duration;

use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::oneshot;

use super::{tally, Message, RecorderTask};
use crate::store::UsageDelta;

/// How often the writer takes what the queue holds. Usage shows in `stats` and alerts
/// fire at most this much later; a queue of `record.queue` records fills no sooner than
/// `record.queue` requests in this time (65,536 by default: 1.3 million a second).
pub(super) const TAKE_EVERY: Duration = Duration::from_millis(50);

/// A batch holding this many log entries is written at once rather than at the next
/// flush tick: a thirty-second of `record.queue` (2,048 entries, about 1 MB, at the
/// default), so what a busy gateway holds in memory between writes stays small whatever
/// the rate (a second of 20,000 requests was ~10 MB, twice over while one was written).
pub(super) fn write_at(queue: usize) -> usize {
    (queue / 32).max(1)
}

impl RecorderTask {
    /// Sums every queued record into `pending`; `Break` once told to stop (with whom to
    /// answer) or once every sender is gone.
    pub(super) fn take_queued(
        &mut self,
        pending: &mut UsageDelta,
    ) -> ControlFlow<Option<oneshot::Sender<()>>> {
        loop {
            match self.rx.try_recv() {
                Ok(Message::Usage(r)) => {
                    let now = self.gateway.clock().now_millis();
                    self.alert(&r, now);
                    let prices = &self.live.load().prices;
                    tally::add(
                        pending,
                        r,
                        now / 1000,
                        prices,
                        &self.metrics,
                        &mut self.models,
                        &self.periods,
                    );
                }
                Ok(Message::Stop(done)) => return ControlFlow::Break(Some(done)),
                Err(TryRecvError::Empty) => return ControlFlow::Continue(()),
                Err(TryRecvError::Disconnected) => return ControlFlow::Break(None),
            }
        }
    }
}

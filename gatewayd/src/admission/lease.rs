//! Cluster mode: a busy key's admissions leased from Redis ahead of its requests, so
//! most of them are decided on the node, without a round trip. A lease counts its
//! admissions in the shared windows and holds their in-flight slots from the moment it is
//! granted, so the cluster never admits more than a limit; what a lease did not hand out
//! within its term goes back. Only keys limited by requests per minute, per hour and in
//! flight are leased (a per-second bucket and token or dollar budgets need each request
//! decided in Redis), only while this node sees the key busy, and never more than a
//! second's share of a limit, or half of what is left of it (`lease.lua`): near a limit
//! requests are decided one at a time again, exactly.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus_client::metrics::counter::Counter;

use super::shared::SharedHold;
use super::{Admission, Permit};
use crate::model::RateLimit;
use crate::store::hot::{Hot, LeaseLimits, Leased};

/// How long a lease's admissions may be handed out; what is left then goes back.
pub(super) const TERM: Duration = Duration::from_secs(1);
/// A lease smaller than this is not worth its round trips.
const SMALLEST: u32 = 2;

/// How the cluster's admissions were decided on this node, for the metrics.
#[derive(Clone, Default)]
pub struct SharedDecisions {
    /// Handed out from a lease, with no round trip.
    pub leased: Counter,
    /// Decided by a round trip to Redis (admitted or refused).
    pub round_trips: Counter,
}

/// The most admissions a lease for a key with limits `l` may hold; 0 when its
/// admissions may not be leased.
pub(super) fn largest(l: &RateLimit) -> u32 {
    let decided_per_request = l.requests_per_second > 0
        || l.tokens_per_minute > 0
        || l.tokens_per_day > 0
        || !l.budget_usd.is_none();
    if decided_per_request {
        return 0;
    }
    // A second's share of each window, a quarter of the in-flight cap.
    let shares = [
        (l.requests_per_minute, 60),
        (l.requests_per_hour, 3600),
        (l.max_concurrent, 4),
    ];
    shares
        .iter()
        .filter(|(limit, _)| *limit > 0)
        .map(|(limit, per)| limit / per)
        .min()
        .filter(|n| *n >= SMALLEST)
        .unwrap_or(0)
}

/// What a lease for `l`'s key is taken under.
fn lease_limits(l: &RateLimit) -> LeaseLimits {
    LeaseLimits {
        requests_per_minute: u64::from(l.requests_per_minute),
        requests_per_hour: u64::from(l.requests_per_hour),
        max_in_flight: u64::from(l.max_concurrent),
    }
}

/// One key's leased admissions on this node.
#[derive(Default)]
pub(super) struct Lease {
    /// Oldest first; each ends at its term.
    batches: VecDeque<Batch>,
    next_id: u64,
    /// A lease is on its way.
    asking: bool,
    /// The last lease brought nothing (the key is near a limit): none is asked for
    /// before then.
    quiet_until: Option<Instant>,
    demand: Demand,
}

struct Batch {
    id: u64,
    left: u32,
    until: Instant,
    leased: Leased,
}

impl Batch {
    /// What the batch did not hand out.
    fn unused(self) -> Leased {
        Leased {
            admissions: self.left,
            ..self.leased
        }
    }
}

/// Admissions of the key this node decided, this term and the one before.
#[derive(Default)]
struct Demand {
    since: Option<Instant>,
    this: u32,
    last: u32,
}

impl Demand {
    fn count(&mut self, now: Instant) {
        let elapsed = self.since.map(|since| now.duration_since(since));
        if elapsed.is_none_or(|e| e >= TERM) {
            self.last = match elapsed {
                Some(e) if e < 2 * TERM => self.this,
                _ => 0,
            };
            self.this = 0;
            self.since = Some(now);
        }
        self.this += 1;
    }

    fn per_term(&self) -> u32 {
        self.this.max(self.last)
    }
}

/// A leased admission: the incarnation it is held under, whether it holds a slot.
pub(super) struct Ticket {
    pub incarnation: Arc<String>,
    pub slot: bool,
}

impl Lease {
    /// Counts a request of the key and hands it an admission, if a batch within its
    /// term has one left.
    pub(super) fn take(&mut self, now: Instant) -> Option<Ticket> {
        self.demand.count(now);
        let batch = self
            .batches
            .iter_mut()
            .find(|b| b.left > 0 && b.until > now)?;
        batch.left -= 1;
        Some(Ticket {
            incarnation: Arc::clone(&batch.leased.incarnation),
            slot: batch.leased.slots,
        })
    }

    /// How many admissions to lease now (at most `largest`), if more are needed: the key
    /// is busy here and what is left for the next half term is under half its demand.
    pub(super) fn wanted(&mut self, now: Instant, largest: u32) -> Option<u32> {
        let demand = self.demand.per_term();
        let quiet = self.quiet_until.is_some_and(|until| now < until);
        if self.asking || quiet || demand < SMALLEST {
            return None;
        }
        let wanted = demand.min(largest);
        let lasting = now + TERM / 2;
        let left: u32 = self
            .batches
            .iter()
            .filter(|b| b.until > lasting)
            .map(|b| b.left)
            .sum();
        if 2 * left >= wanted {
            return None;
        }
        self.asking = true;
        Some(wanted)
    }

    /// Takes in what a lease brought (`None`: nothing); the batch's id and the end of
    /// its term.
    pub(super) fn granted(
        &mut self,
        leased: Option<Leased>,
        now: Instant,
    ) -> Option<(u64, Instant)> {
        self.asking = false;
        self.quiet_until = leased.is_none().then_some(now + TERM / 4);
        let leased = leased?;
        let id = self.next_id;
        self.next_id += 1;
        let until = now + TERM;
        self.batches.push_back(Batch {
            id,
            left: leased.admissions,
            until,
            leased,
        });
        Some((id, until))
    }

    /// Ends batch `id`'s term: what it did not hand out, to give back.
    pub(super) fn end(&mut self, id: u64) -> Option<Leased> {
        let at = self.batches.iter().position(|b| b.id == id)?;
        self.batches.remove(at).map(Batch::unused)
    }

    /// Ends every batch's term now: what each did not hand out, to give back.
    pub(super) fn end_all(&mut self) -> Vec<Leased> {
        self.batches.drain(..).map(Batch::unused).collect()
    }

    /// Whether admissions are held, or asked for.
    pub(super) fn holds(&self) -> bool {
        self.asking || !self.batches.is_empty()
    }
}

impl Admission {
    /// A leased admission of `key_id`, if this node holds one (asking for more when they
    /// run low); `None` when the key is decided in Redis this time.
    pub(super) fn from_lease(
        self: &Arc<Self>,
        hot: &Arc<Hot>,
        key_id: &Arc<str>,
        limits: &RateLimit,
        now_ms: u64,
    ) -> Option<Option<Permit>> {
        if !self.leasing {
            return None;
        }
        let largest = largest(limits);
        if largest == 0 {
            return None;
        }
        let now = Instant::now();
        let (ticket, wanted) = self.keys.with(key_id, |s| {
            s.last_ms = now_ms;
            let lease = s.lease.get_or_insert_default();
            (lease.take(now), lease.wanted(now, largest))
        });
        if let Some(wanted) = wanted {
            self.ask_lease(hot, key_id, lease_limits(limits), wanted);
        }
        let ticket = ticket?;
        self.decisions.leased.inc();
        let hold = SharedHold::leased(Arc::clone(hot), ticket.incarnation, ticket.slot);
        Some(self.shared_permit(key_id, hold))
    }

    /// Leases up to `wanted` admissions of `key` in the background; what the batch has
    /// not handed out at the end of its term goes back.
    fn ask_lease(
        self: &Arc<Self>,
        hot: &Arc<Hot>,
        key: &Arc<str>,
        limits: LeaseLimits,
        wanted: u32,
    ) {
        let (admission, hot, key) = (Arc::clone(self), Arc::clone(hot), Arc::clone(key));
        tokio::spawn(async move {
            let leased = hot.lease(&key, limits, wanted).await;
            let granted = admission.keys.with(&key, |s| {
                let lease = s.lease.get_or_insert_default();
                lease.granted(leased, Instant::now())
            });
            let Some((id, until)) = granted else {
                return;
            };
            tokio::time::sleep_until(until.into()).await;
            let unused = admission.keys.with(&key, |s| s.lease.as_mut()?.end(id));
            if let Some(unused) = unused {
                hot.give_back(&key, &unused).await;
            }
        });
    }

    /// Gives back what every lease has not handed out (at shutdown, once the requests
    /// are over), so a node stopped in a busy minute leaves the rest of it to the others.
    pub async fn give_back_leases(&self) {
        let Some(hot) = &self.hot else {
            return;
        };
        let mut unused = Vec::new();
        self.keys.retain(|key, s| {
            if let Some(lease) = s.lease.as_mut() {
                unused.extend(lease.end_all().into_iter().map(|l| (Arc::clone(key), l)));
            }
            true
        });
        for (key, leased) in unused {
            hot.give_back(&key, &leased).await;
        }
    }

    /// How this node's shared admissions were decided.
    pub fn decisions(&self) -> &SharedDecisions {
        &self.decisions
    }
}

#[cfg(test)]
mod tests;

//! Admissions leased in advance (`lease.lua`): a node takes a handful of a busy key's
//! admissions in one round trip and hands them out itself, then gives back what it did
//! not use.

use std::sync::Arc;

use super::Hot;

/// The limits a lease is taken under (0: none).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LeaseLimits {
    pub requests_per_minute: u64,
    pub requests_per_hour: u64,
    pub max_in_flight: u64,
}

/// Admissions counted in Redis for this node, under `incarnation`.
#[derive(Debug, Clone, PartialEq)]
pub struct Leased {
    pub admissions: u32,
    pub incarnation: Arc<String>,
    /// The minute and hour slots they were counted in (`None`: that window is not
    /// limited), where unused ones are taken back from.
    pub minute_slot: Option<i64>,
    pub hour_slot: Option<i64>,
    /// Whether each holds an in-flight slot.
    pub slots: bool,
}

impl Hot {
    /// Leases up to `wanted` admissions of `key`; `None` when Redis did not answer or
    /// granted none. Never retried: a lease run twice would hold twice.
    pub async fn lease(&self, key: &str, limits: LeaseLimits, wanted: u32) -> Option<Leased> {
        if !self.up() {
            return None;
        }
        let incarnation = self.incarnation();
        let reply = self
            .run_lease(key, &incarnation, limits, wanted, None)
            .await?;
        let at = |i: usize| reply.get(i).copied().filter(|v| *v >= 0);
        let admissions = u32::try_from(at(0)?).ok().filter(|n| *n > 0)?;
        Some(Leased {
            admissions,
            incarnation,
            minute_slot: at(1),
            hour_slot: at(2),
            slots: limits.max_in_flight > 0,
        })
    }

    /// Gives back `leased`'s admissions, what a batch did not hand out (nothing while
    /// Redis is away: the in-flight slots go with the incarnation, the counts with their
    /// windows).
    pub async fn give_back(&self, key: &str, leased: &Leased) {
        if leased.admissions > 0 && self.up() {
            let (incarnation, none) = (&leased.incarnation, LeaseLimits::default());
            self.run_lease(key, incarnation, none, 0, Some(leased))
                .await;
        }
    }

    /// Runs `lease.lua` under `incarnation`: asks for `wanted` admissions, gives `back`
    /// (this incarnation's) back.
    async fn run_lease(
        &self,
        key: &str,
        incarnation: &str,
        limits: LeaseLimits,
        wanted: u32,
        back: Option<&Leased>,
    ) -> Option<Vec<i64>> {
        let mut call = self.scripts.lease.prepare_invoke();
        for name in super::limits::keys(key, &["held", "rm", "rh"]) {
            call.key(name);
        }
        call.arg(incarnation)
            .arg(super::ALIVE_PREFIX)
            .arg(limits.requests_per_minute)
            .arg(limits.requests_per_hour)
            .arg(limits.max_in_flight)
            .arg(wanted)
            .arg(back.map_or(0, |b| b.admissions))
            .arg(back.and_then(|b| b.minute_slot).unwrap_or(-1))
            .arg(back.and_then(|b| b.hour_slot).unwrap_or(-1))
            .arg(u8::from(back.is_some_and(|b| b.slots)));
        let mut conn = self.conn.clone();
        match call.invoke_async::<Vec<i64>>(&mut conn).await {
            Ok(reply) => Some(reply),
            Err(e) => {
                self.failed(&e);
                None
            }
        }
    }
}

//! A key's limits in Redis: the admission script (checks and counts in one step) and
//! the settling script (slot and reservation back, the real count in).

use std::sync::Arc;

use redis::Script;

use super::{Hot, ALIVE_PREFIX};

/// The limits the scripts enforce (0: none).
#[derive(Debug, Clone, Default)]
pub struct HotLimits {
    pub requests_per_minute: u64,
    pub requests_per_hour: u64,
    pub requests_per_second: u64,
    pub burst: u64,
    pub max_in_flight: u64,
    pub tokens_per_minute: u64,
    pub tokens_per_day: u64,
    /// Spend budgets: the period's field, its limit in micro-dollars, ms until it resets.
    pub spend: Vec<(String, u64, u64)>,
}

/// An answer's cost, for the spend budgets.
#[derive(Debug, Clone, Default)]
pub struct HotCost {
    /// What admission reserved (`None`: the key has no spend budget).
    pub reservation: Option<u64>,
    /// What the answer cost, when it ended.
    pub spent: Option<u64>,
    /// The fraction of a budget that alerts.
    pub alert_at: f64,
    /// Every period's field and budget (0: none); the spend counts in all of them.
    pub periods: Vec<(String, u64)>,
}

/// What the cluster decided.
#[derive(Debug, Clone, PartialEq)]
pub enum HotVerdict {
    /// Let in under `incarnation`, with the tokens and the cost reserved against the
    /// budgets.
    Admitted {
        incarnation: Arc<String>,
        reservation: Option<u64>,
        cost_reservation: Option<u64>,
    },
    /// Turned away by the limit `code` names (see `admit.lua`); `budget` is the index
    /// of the spend budget that refused.
    Refused {
        code: u8,
        wait_ms: u64,
        limit: u64,
        budget: usize,
    },
}

/// The prelude of the scripts that count requests in a key's windows.
const WINDOWS: &str = include_str!("windows.lua");

pub(super) struct Scripts {
    admit: Script,
    pub(super) lease: Script,
    settle: Script,
    standing: Script,
    seed: Script,
}

impl Default for Scripts {
    fn default() -> Self {
        Self {
            admit: Script::new(&[WINDOWS, include_str!("admit.lua")].concat()),
            lease: Script::new(&[WINDOWS, include_str!("lease.lua")].concat()),
            settle: Script::new(include_str!("settle.lua")),
            standing: Script::new(include_str!("standing.lua")),
            seed: Script::new(include_str!("seed.lua")),
        }
    }
}

/// The Redis keys of one gateway key's state, in the scripts' order.
pub(super) fn keys(key: &str, names: &[&str]) -> Vec<String> {
    names.iter().map(|n| format!("gw:k:{key}:{n}")).collect()
}

impl Hot {
    /// Checks and counts one request of `key`; `None` when Redis did not answer (the
    /// caller decides alone).
    pub async fn admit(&self, key: &str, l: &HotLimits) -> Option<HotVerdict> {
        if !self.up() {
            return None;
        }
        let incarnation = self.incarnation();
        let mut call = self.scripts.admit.prepare_invoke();
        for k in keys(
            key,
            &["held", "rm", "rh", "tm", "td", "tat", "est", "spend"],
        ) {
            call.key(k);
        }
        call.arg(incarnation.as_str()).arg(ALIVE_PREFIX);
        for v in [
            l.requests_per_minute,
            l.requests_per_hour,
            l.requests_per_second,
            l.burst,
            l.max_in_flight,
            l.tokens_per_minute,
            l.tokens_per_day,
            l.spend.len() as u64,
        ] {
            call.arg(v);
        }
        for (field, limit, resets_in) in &l.spend {
            call.arg(field).arg(limit).arg(resets_in);
        }
        // Counting one request twice, should Redis have run the first before the
        // connection dropped, errs on the safe side.
        match self.invoke::<Vec<i64>>(&call).await {
            Ok(reply) => Some(verdict(&reply, incarnation)),
            Err(e) => {
                self.failed(&e);
                None
            }
        }
    }

    /// What `key` has used of each shared window — (used, clears at Unix ms or 0) for
    /// requests per minute and hour, tokens per minute and day — and its requests in
    /// flight; `None` when Redis does not answer.
    pub async fn standing(&self, key: &str) -> Option<([(u64, u64); 4], u64)> {
        if !self.up() {
            return None;
        }
        let mut call = self.scripts.standing.prepare_invoke();
        for k in keys(key, &["held", "rm", "rh", "tm", "td"]) {
            call.key(k);
        }
        call.arg(ALIVE_PREFIX);
        let reply = match self.invoke::<Vec<i64>>(&call).await {
            Ok(reply) => reply,
            Err(e) => {
                self.failed(&e);
                return None;
            }
        };
        let at = |i: usize| reply.get(i).copied().unwrap_or(0).max(0) as u64;
        let windows = [0, 1, 2, 3].map(|w| (at(2 * w), at(2 * w + 1)));
        Some((windows, at(8)))
    }

    /// Gives back what an admitted answer held (its slot, its reservations) and counts
    /// `tokens` and the cost when it ended; the spend budgets (by index in
    /// `cost.periods`) whose spend crossed the alert fraction, with the spend.
    pub async fn settle(
        &self,
        key: &str,
        incarnation: &str,
        slot: bool,
        reservation: Option<u64>,
        ended: Option<u64>,
        cost: &HotCost,
    ) -> Vec<(usize, u64)> {
        let mut call = self.scripts.settle.prepare_invoke();
        for k in keys(key, &["held", "tm", "td", "est", "spend", "alerted"]) {
            call.key(k);
        }
        call.arg(incarnation)
            .arg(u8::from(slot))
            .arg(reservation.map_or(-1, |r| r as i64))
            .arg(u8::from(ended.is_some()))
            .arg(ended.unwrap_or(0))
            .arg(cost.reservation.map_or(-1, |r| r as i64))
            .arg(cost.spent.unwrap_or(0))
            .arg(cost.alert_at)
            .arg(cost.periods.len());
        for (field, limit) in &cost.periods {
            call.arg(field).arg(limit);
        }
        let mut conn = self.conn.clone();
        match call.invoke_async::<Vec<i64>>(&mut conn).await {
            Ok(crossed) => crossed
                .chunks(2)
                .filter_map(|c| Some((usize::try_from(*c.first()?).ok()?, *c.get(1)? as u64)))
                .collect(),
            Err(e) => {
                // What stays held is forgotten with this incarnation once Redis is back.
                self.failed(&e);
                Vec::new()
            }
        }
    }

    /// `key`'s spend per period field and what admitted answers hold of it, for the
    /// whole cluster; `None` when Redis does not answer.
    pub async fn spend(&self, key: &str) -> Option<(Vec<(String, u64)>, u64)> {
        if !self.up() {
            return None;
        }
        let [held, spend] = [0, 1].map(|i| keys(key, &["held", "spend"])[i].clone());
        let mut conn = self.conn.clone();
        let read: redis::RedisResult<(Fields, Fields)> = redis::pipe()
            .cmd("HGETALL")
            .arg(&spend)
            .cmd("HGETALL")
            .arg(&held)
            .query_async(&mut conn)
            .await;
        match read {
            Ok((spent, held)) => {
                let reserved = held
                    .iter()
                    .filter(|(f, _)| f.ends_with(":c"))
                    .map(|(_, v)| (*v).max(0) as u64)
                    .sum();
                let spent = spent
                    .into_iter()
                    .map(|(f, v)| (f, v.max(0) as u64))
                    .collect();
                Some((spent, reserved))
            }
            Err(e) => {
                self.failed(&e);
                None
            }
        }
    }

    /// Raises `key`'s spend per period field to at least what the ledger counted.
    pub async fn seed_spend(&self, key: &str, spent: &[(String, u64)]) -> bool {
        if spent.is_empty() {
            return true;
        }
        let mut call = self.scripts.seed.prepare_invoke();
        call.key(keys(key, &["spend"]).remove(0));
        for (field, micros) in spent {
            call.arg(field).arg(micros);
        }
        match self.invoke::<i64>(&call).await {
            Ok(_) => true,
            Err(e) => {
                self.failed(&e);
                false
            }
        }
    }
}

/// A hash's fields and integer values.
type Fields = Vec<(String, i64)>;

fn verdict(reply: &[i64], incarnation: Arc<String>) -> HotVerdict {
    let at = |i: usize| reply.get(i).copied().unwrap_or(0);
    match at(0) {
        0 => HotVerdict::Admitted {
            incarnation,
            reservation: u64::try_from(at(1)).ok(),
            cost_reservation: u64::try_from(at(2)).ok(),
        },
        code => HotVerdict::Refused {
            code: u8::try_from(code).unwrap_or(u8::MAX),
            wait_ms: at(1).max(0) as u64,
            limit: at(2).max(0) as u64,
            budget: usize::try_from(at(3)).unwrap_or(0),
        },
    }
}

//! A key's limits in Redis: the admission script (checks and counts in one step) and
//! the settling script (slot and reservation back, the real count in).

use std::sync::Arc;

use redis::Script;

use super::{Hot, ALIVE_PREFIX};

/// The limits the scripts enforce (0: none).
#[derive(Debug, Clone, Copy, Default)]
pub struct HotLimits {
    pub requests_per_minute: u64,
    pub requests_per_hour: u64,
    pub requests_per_second: u64,
    pub burst: u64,
    pub max_in_flight: u64,
    pub tokens_per_minute: u64,
    pub tokens_per_day: u64,
}

/// What the cluster decided.
#[derive(Debug, Clone, PartialEq)]
pub enum HotVerdict {
    /// Let in under `incarnation`, with the tokens reserved against the budgets.
    Admitted {
        incarnation: Arc<String>,
        reservation: Option<u64>,
    },
    /// Turned away by the limit `code` names (see `admit.lua`).
    Refused { code: u8, wait_ms: u64, limit: u64 },
}

pub(super) struct Scripts {
    admit: Script,
    settle: Script,
}

impl Default for Scripts {
    fn default() -> Self {
        Self {
            admit: Script::new(include_str!("admit.lua")),
            settle: Script::new(include_str!("settle.lua")),
        }
    }
}

/// The Redis keys of one gateway key's state, in the scripts' order.
fn keys(key: &str, names: &[&str]) -> Vec<String> {
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
        for k in keys(key, &["held", "rm", "rh", "tm", "td", "tat", "est"]) {
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
        ] {
            call.arg(v);
        }
        let mut conn = self.conn.clone();
        match call.invoke_async::<Vec<i64>>(&mut conn).await {
            Ok(reply) => Some(verdict(&reply, incarnation)),
            Err(e) => {
                self.failed(&e);
                None
            }
        }
    }

    /// Gives back what an admitted answer held (its slot, its reservation) and counts
    /// `tokens` when it ended.
    pub async fn settle(
        &self,
        key: &str,
        incarnation: &str,
        slot: bool,
        reservation: Option<u64>,
        ended: Option<u64>,
    ) {
        let mut call = self.scripts.settle.prepare_invoke();
        for k in keys(key, &["held", "tm", "td", "est"]) {
            call.key(k);
        }
        call.arg(incarnation)
            .arg(u8::from(slot))
            .arg(reservation.map_or(-1, |r| r as i64))
            .arg(u8::from(ended.is_some()))
            .arg(ended.unwrap_or(0));
        let mut conn = self.conn.clone();
        if let Err(e) = call.invoke_async::<i64>(&mut conn).await {
            // What stays held is forgotten with this incarnation once Redis is back.
            self.failed(&e);
        }
    }
}

fn verdict(reply: &[i64], incarnation: Arc<String>) -> HotVerdict {
    let at = |i: usize| reply.get(i).copied().unwrap_or(0);
    match at(0) {
        0 => HotVerdict::Admitted {
            incarnation,
            reservation: u64::try_from(at(1)).ok(),
        },
        code => HotVerdict::Refused {
            code: u8::try_from(code).unwrap_or(u8::MAX),
            wait_ms: at(1).max(0) as u64,
            limit: at(2).max(0) as u64,
        },
    }
}

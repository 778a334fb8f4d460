//! Sticky sessions: which account each recent conversation was served by, so its next
//! turn goes there too (the prompt cache lives per account). Sharded maps with short
//! locks; entries idle longer than the TTL are ignored and swept.

use foldhash::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SHARDS: usize = 16;
/// Conversations remembered per shard before the idle ones are swept.
const SWEEP_AT: usize = 4096;

/// Conversation → (account id, last seen Unix ms).
type Shard = HashMap<u64, (Arc<str>, u64)>;

#[derive(Default)]
pub struct Sessions {
    shards: [Mutex<Shard>; SHARDS],
}

impl Sessions {
    fn shard(&self, session: u64) -> std::sync::MutexGuard<'_, Shard> {
        self.shards[(session as usize) % SHARDS]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The account the conversation is pinned to, if it was seen within `ttl`.
    pub fn get(&self, session: u64, now_ms: u64, ttl: Duration) -> Option<Arc<str>> {
        let shard = self.shard(session);
        let (account, seen) = shard.get(&session)?;
        (now_ms.saturating_sub(*seen) < ttl.as_millis() as u64).then(|| Arc::clone(account))
    }

    /// Pins (or refreshes) the conversation on `account`. True when the pin is new or
    /// moved, or was last shared a quarter of `ttl` ago: worth telling the other nodes.
    pub fn pin(&self, session: u64, account: &str, now_ms: u64, ttl: Duration) -> bool {
        let mut shard = self.shard(session);
        match shard.get_mut(&session) {
            Some((current, seen)) if &**current == account => {
                let stale = now_ms.saturating_sub(*seen) >= ttl.as_millis() as u64 / 4;
                *seen = now_ms;
                stale
            }
            _ => {
                if shard.len() >= SWEEP_AT {
                    let ttl = ttl.as_millis() as u64;
                    shard.retain(|_, (_, seen)| now_ms.saturating_sub(*seen) < ttl);
                    if shard.len() >= SWEEP_AT {
                        shard.clear();
                    }
                }
                shard.insert(session, (Arc::from(account), now_ms));
                true
            }
        }
    }
}

//! What one node learns and the others should know at once: cool-downs (a 429, an
//! overload, an open circuit) and benched model families, announced on a Redis channel
//! and kept in a hash for nodes that (re)subscribe later; failed key attempts per client
//! address, and the addresses locked out for them; which account each conversation is
//! pinned to, so its turns stay there whichever node they reach; and subscription
//! windows.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::Hot;

const CHANNEL: &str = "gw:announce";
const COOLS: &str = "gw:cools:known";
/// Failed key attempts per client address, counted by every node.
const FAILED_PREFIX: &str = "gw:failed:";

/// A cool-down (or, with `family`, a benched model family) one node applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedCool {
    pub account: String,
    pub family: Option<String>,
    pub until_ms: u64,
    /// `CoolReason::as_str`.
    pub reason: String,
    /// The node that learnt it.
    pub node: String,
}

/// A client address one node locked out for failed key attempts, until `until_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedLockout {
    pub ip: String,
    pub until_ms: u64,
    pub node: String,
}

/// What goes over the channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Announcement {
    Cool(SharedCool),
    Lockout(SharedLockout),
}

impl Announcement {
    fn node(&self) -> &str {
        match self {
            Announcement::Cool(c) => &c.node,
            Announcement::Lockout(l) => &l.node,
        }
    }
}

impl SharedCool {
    fn field(&self) -> String {
        format!("{}|{}", self.account, self.family.as_deref().unwrap_or(""))
    }
}

impl Hot {
    /// Tells the other nodes (in the background; lost if Redis is away).
    pub fn announce(self: &Arc<Self>, mut cool: SharedCool) {
        if !self.up() {
            return;
        }
        cool.node.clone_from(&self.node);
        let hot = Arc::clone(self);
        tokio::spawn(async move {
            let (Ok(known), Ok(text)) = (
                serde_json::to_string(&cool),
                serde_json::to_string(&Announcement::Cool(cool.clone())),
            ) else {
                return;
            };
            let mut conn = hot.conn.clone();
            let sent: redis::RedisResult<()> = redis::pipe()
                .cmd("HSET")
                .arg(COOLS)
                .arg(cool.field())
                .arg(&known)
                .ignore()
                .cmd("PUBLISH")
                .arg(CHANNEL)
                .arg(&text)
                .ignore()
                .query_async(&mut conn)
                .await;
            if let Err(e) = sent {
                hot.failed(&e);
            }
        });
    }

    /// Tells the other nodes that `ip` is locked out until `until_ms` (in the background).
    pub fn announce_lockout(self: &Arc<Self>, ip: String, until_ms: u64) {
        if !self.up() {
            return;
        }
        let hot = Arc::clone(self);
        let lockout = SharedLockout {
            ip,
            until_ms,
            node: self.node.clone(),
        };
        tokio::spawn(async move {
            let Ok(text) = serde_json::to_string(&Announcement::Lockout(lockout)) else {
                return;
            };
            let mut conn = hot.conn.clone();
            let sent: redis::RedisResult<()> = redis::cmd("PUBLISH")
                .arg(CHANNEL)
                .arg(&text)
                .query_async(&mut conn)
                .await;
            if let Err(e) = sent {
                hot.failed(&e);
            }
        });
    }

    /// Counts a failed key attempt from `ip` for the whole cluster, in a window that
    /// opens with the first failure and lasts `window_ms`: the count so far (`None`:
    /// Redis is away, and only this node's count applies).
    pub async fn count_failed_attempt(&self, ip: &str, window_ms: u64) -> Option<u64> {
        if !self.up() {
            return None;
        }
        let key = format!("{FAILED_PREFIX}{ip}");
        let mut conn = self.conn.clone();
        let counted: redis::RedisResult<(u64,)> = redis::pipe()
            .atomic()
            .cmd("SET")
            .arg(&key)
            .arg(0)
            .arg("PX")
            .arg(window_ms)
            .arg("NX")
            .ignore()
            .cmd("INCR")
            .arg(&key)
            .query_async(&mut conn)
            .await;
        counted.map(|(n,)| n).map_err(|e| self.failed(&e)).ok()
    }

    /// What the other nodes announce, as it comes (after the cool-downs they announced
    /// before): follows the channel for as long as the receiver is kept, resubscribing
    /// after Redis was away.
    pub fn follow_announcements(
        self: &Arc<Self>,
        url: &str,
    ) -> tokio::sync::mpsc::Receiver<Announcement> {
        let (tx, rx) = tokio::sync::mpsc::channel(256);
        let (hot, url) = (Arc::clone(self), url.to_owned());
        tokio::spawn(async move {
            while !tx.is_closed() {
                if let Err(e) = hot.follow_once(&url, &tx).await {
                    tracing::debug!(error = %e, "the cluster's cool-down channel dropped; resubscribing");
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        });
        rx
    }

    async fn follow_once(
        &self,
        url: &str,
        tx: &tokio::sync::mpsc::Sender<Announcement>,
    ) -> redis::RedisResult<()> {
        let client = redis::Client::open(url)?;
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(CHANNEL).await?;
        let mut conn = self.conn.clone();
        let known: Vec<String> = redis::cmd("HVALS")
            .arg(COOLS)
            .query_async(&mut conn)
            .await?;
        for cool in known.iter().filter_map(|t| serde_json::from_str(t).ok()) {
            self.pass_on(Announcement::Cool(cool), tx).await;
        }
        let mut messages = pubsub.into_on_message();
        while let Some(message) = messages.next().await {
            let Ok(text) = message.get_payload::<String>() else {
                continue;
            };
            if let Ok(announced) = serde_json::from_str(&text) {
                self.pass_on(announced, tx).await;
            }
        }
        Ok(())
    }

    async fn pass_on(&self, announced: Announcement, tx: &tokio::sync::mpsc::Sender<Announcement>) {
        if announced.node() != self.node {
            let _ = tx.send(announced).await;
        }
    }

    /// Offers the subscription windows this node saw — (account, seen at ms, windows as
    /// JSON) — and returns what every node saw, newest per account, in the same form;
    /// `None` when Redis does not answer.
    pub async fn exchange_windows(
        &self,
        mine: &[(String, u64, String)],
    ) -> Option<Vec<(String, u64, String)>> {
        if !self.up() {
            return None;
        }
        let script = redis::Script::new(include_str!("quota.lua"));
        let mut call = script.prepare_invoke();
        call.key("gw:windows");
        for (account, seen, json) in mine {
            call.arg(account).arg(seen).arg(json);
        }
        let mut conn = self.conn.clone();
        match call.invoke_async::<Vec<(String, String)>>(&mut conn).await {
            Ok(all) => Some(
                all.into_iter()
                    .filter_map(|(account, value)| {
                        let (seen, json) = value.split_once('|')?;
                        Some((account, seen.parse().ok()?, json.to_owned()))
                    })
                    .collect(),
            ),
            Err(e) => {
                self.failed(&e);
                None
            }
        }
    }

    /// The account `session` is pinned to in the cluster, if any (`None` too when Redis
    /// does not answer).
    pub async fn pinned(&self, session: u64) -> Option<String> {
        if !self.up() {
            return None;
        }
        let mut conn = self.conn.clone();
        match redis::cmd("GET")
            .arg(format!("gw:s:{session:016x}"))
            .query_async::<Option<String>>(&mut conn)
            .await
        {
            Ok(account) => account,
            Err(e) => {
                self.failed(&e);
                None
            }
        }
    }

    /// Pins `session` to `account` for the cluster, for `ttl`. Awaited before the
    /// answer is relayed: the conversation's next turn cannot be sent before this one is
    /// answered, so whichever node it reaches finds the pin.
    pub async fn pin(&self, session: u64, account: &str, ttl: Duration) {
        if !self.up() {
            return;
        }
        let mut conn = self.conn.clone();
        let set: redis::RedisResult<()> = redis::cmd("SET")
            .arg(format!("gw:s:{session:016x}"))
            .arg(account)
            .arg("PX")
            .arg(ttl.as_millis().max(1) as u64)
            .query_async(&mut conn)
            .await;
        if let Err(e) = set {
            self.failed(&e);
        }
    }
}

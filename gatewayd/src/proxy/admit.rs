//! Admission on the request path, before the body is read: the client's address (socket
//! or trusted `X-Forwarded-For`) against the network rules and per-IP limits, the browser
//! origin, the gateway key (failed attempts count against the address), the key's own
//! networks, then the key's limits. What it learns (the client's address, the key) goes
//! into the request's context, so a refusal is recorded with them; lock-outs and denied
//! addresses are also security events. The limits are decided while the body is read
//! (`alongside`).

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

use http::request::Parts;

use super::auth;
use super::context::RequestContext;
use super::respond::Reject;
use super::route::ApiRoute;
use crate::admission::{Admission, Permit, Refusal};
use crate::config::LiveSettings;
use crate::recorder::Recorder;
use crate::state::{ActiveKey, Gateway};

/// How long an address locked out here is locked out on the other nodes of a cluster:
/// the failed-attempt window.
const LOCKOUT_MS: u64 = 60_000;

/// A request let in holds its key's in-flight slot (when the key has a cap).
pub type Admitted = Option<Permit>;

/// What admission needs.
pub struct Gate<'a> {
    pub gateway: &'a Gateway,
    pub admission: &'a Arc<Admission>,
    pub recorder: &'a Recorder,
    pub settings: &'a LiveSettings,
}

impl Gate<'_> {
    /// Lets a request without a body in, or says why not (in the request's dialect).
    pub async fn admit(
        &self,
        api: &ApiRoute,
        parts: &Parts,
        peer: IpAddr,
        ctx: &mut RequestContext,
    ) -> Result<Admitted, Reject> {
        let key = self.identify(Some(api), parts, peer, ctx)?;
        self.limit(&key).await
    }

    /// The key's own limits (a round trip to Redis in a cluster): lets the request in,
    /// or says why not (in the request's dialect).
    pub async fn limit(&self, key: &ActiveKey) -> Result<Admitted, Reject> {
        let now = self.gateway.clock().now_millis();
        let storm_at = self.settings.limits.refusal_storm_per_minute;
        let alert_at = self.settings.alerts.budget_threshold;
        let limits = &key.record.rate_limit;
        let shared = self
            .admission
            .admit_key_shared(&key.id, limits, now, (storm_at, alert_at))
            .await;
        let decided = match shared {
            Some(decided) => decided,
            None => self
                .admission
                .admit_key(&key.id, limits, now, (storm_at, alert_at)),
        };
        match decided {
            Ok(permit) => Ok(permit),
            Err(refusal) => {
                if refusal.storm {
                    self.recorder.security(
                        "rate_limit_storm",
                        format!("key {} refused {storm_at} times in a minute", key.id),
                    );
                }
                Err(refusal.into())
            }
        }
    }

    /// Everything but the key's own limits: the address, the origin, the key (authorised
    /// for `api`, if given) and the key's networks.
    pub fn identify(
        &self,
        api: Option<&ApiRoute>,
        parts: &Parts,
        peer: IpAddr,
        ctx: &mut RequestContext,
    ) -> Result<Arc<ActiveKey>, Reject> {
        let now = self.gateway.clock().now_millis();
        let rules = &self.settings.ip_rules;
        let client_ip = rules.client_ip(peer, &parts.headers);
        ctx.client_ip = client_ip;
        if !rules.admits(client_ip) {
            self.recorder.security(
                "ip_denied",
                format!("request from {client_ip} refused by the network rules"),
            );
            return Err(Refusal::forbidden("your address may not use this gateway").into());
        }
        self.check_origin(parts)?;
        self.admission
            .admit_ip(client_ip, now, &self.settings.limits)
            .map_err(Reject::from)?;
        let snapshot = self.gateway.snapshot();
        let query = parts.uri.query();
        let hasher = self.gateway.hasher();
        let key = match auth::authenticate(&snapshot, hasher, &parts.headers, query, api, now) {
            Ok(key) => key,
            // Only a key that does not exist counts toward the address's lock-out: a valid
            // key's own 403 (expired, wrong permission) must not lock out others behind
            // the same address.
            Err(reject) if reject.failure != crate::model::Failure::Unauthorized => {
                return Err(reject)
            }
            Err(reject) => {
                self.failed_attempt(client_ip, now);
                return Err(reject);
            }
        };
        ctx.key_id = Some(Arc::clone(&key.id));
        if !key.admits_ip(client_ip) {
            self.recorder.security(
                "ip_denied",
                format!("key {} used from {client_ip}, outside its networks", key.id),
            );
            return Err(
                Refusal::forbidden("this gateway key may not be used from your address").into(),
            );
        }
        Ok(key)
    }

    /// A browser may call only from an allowed origin; clients without `Origin` pass.
    fn check_origin(&self, parts: &Parts) -> Result<(), Reject> {
        let Some(origin) = parts.headers.get(http::header::ORIGIN) else {
            return Ok(());
        };
        let allowed = &self.settings.security.allowed_origins;
        let origin = origin.to_str().unwrap_or("");
        if allowed
            .iter()
            .any(|a| a == "*" || a.eq_ignore_ascii_case(origin))
        {
            return Ok(());
        }
        Err(Reject::forbidden(format!(
            "requests from origin {origin:?} are not allowed"
        )))
    }

    /// Counts a failed key attempt from `ip`, on this node and (in a cluster, in the
    /// background) for every node: the attempt that reaches the limit on either count
    /// locks the address out on every node.
    fn failed_attempt(&self, ip: IpAddr, now: u64) {
        let limit = self.settings.limits.failed_auth_per_minute;
        if self.admission.auth_failed(ip, now, &self.settings.limits) {
            lock_out(self.admission, self.recorder, ip, (now, limit), "");
            return;
        }
        let Some(hot) = self.admission.hot().cloned() else {
            return;
        };
        if limit == 0 || !hot.up() {
            return;
        }
        let (admission, recorder) = (Arc::clone(self.admission), self.recorder.clone());
        tokio::spawn(async move {
            let counted = hot.count_failed_attempt(&ip.to_string(), LOCKOUT_MS).await;
            if counted == Some(u64::from(limit)) {
                lock_out(
                    &admission,
                    &recorder,
                    ip,
                    (now, limit),
                    " across the cluster",
                );
            }
        });
    }
}

/// Runs `admission` beside `reading`: a refusal answers at once, leaving the rest of the
/// body unread, and a read that fails first still waits for admission's verdict (which
/// wins, as when admission came first). Admission itself always runs to its end: a shared
/// admission dropped mid-flight could leave its reservation in Redis with no permit to
/// give it back.
pub async fn alongside<A, R>(
    admission: impl Future<Output = Result<A, Reject>>,
    reading: impl Future<Output = Result<R, Reject>>,
) -> Result<(A, R), Reject> {
    tokio::pin!(admission, reading);
    let mut read = None;
    let admitted = loop {
        tokio::select! {
            // Admission first: its first poll sends the round trip on its way.
            biased;
            decided = &mut admission => break decided?,
            done = &mut reading, if read.is_none() => read = Some(done),
        }
    };
    let read = match read {
        Some(done) => done,
        None => reading.await,
    };
    Ok((admitted, read?))
}

/// Locks `ip` out on this node and every other, as a security event: `limit` failed
/// attempts were counted by `now`.
fn lock_out(
    admission: &Admission,
    recorder: &Recorder,
    ip: IpAddr,
    (now, limit): (u64, u32),
    scope: &str,
) {
    admission.lock_out(ip, now + LOCKOUT_MS);
    if let Some(hot) = admission.hot() {
        hot.announce_lockout(ip.to_string(), now + LOCKOUT_MS);
    }
    recorder.security(
        "auth_failure_storm",
        format!("{limit} failed key attempts in a minute from {ip}{scope}; address locked out"),
    );
}

#[cfg(test)]
mod tests;

//! Failover: tries the planned accounts in turn until one answers with something the
//! client should see, applying what each failure means to that account. Once an answer
//! is relayed there is no retry: its bytes go to the client as they arrive.

use std::sync::Arc;
use std::time::Instant;

use http::{Response, StatusCode};
use http_body::Body as _;
use http_body_util::BodyDataStream;

use super::body::{ByteStream, Pending, ProxyBody, Relayed, Source};
use super::context::RequestContext;
use super::envelope::{Reframe, Reframed};
use super::headers::downstream_response;
use super::health::{Judge, Outcome, Undecided};
use super::meter::Meter;
use super::respond::Reject;
use super::route::Dialect;
use super::upstream::{attempt, Blame, Buffered, Effect, Exchange, Verdict};
use crate::balance::{Balancer, Want};
use crate::model::Failure;
use crate::oauth;
use crate::recorder::{Recorder, UsageRecord};
use crate::state::{Account, Gateway};
use crate::upstream_client::UpstreamBody;

/// The admitted request (who asked, when, its id) and what it asks for.
pub struct Caller<'a> {
    pub ctx: &'a mut RequestContext,
    pub model: Option<Arc<str>>,
    /// The conversation, for sticky sessions.
    pub session: Option<u64>,
    /// The key's in-flight slot, held until the answer is over.
    pub permit: Option<crate::admission::Permit>,
}

/// The shared pieces failover needs.
pub struct Forwarder<'a> {
    pub gateway: &'a Gateway,
    /// For token refreshes.
    pub client: &'a reqwest::Client,
    /// For the requests themselves (accounts without a proxy).
    pub direct: &'a crate::upstream_client::Direct,
    pub balancer: &'a Balancer,
    pub recorder: &'a Recorder,
    /// The request's one view of the live settings (upstream, balance, health, alerts);
    /// shared with an answer that outlives this call.
    pub settings: &'a Arc<crate::config::LiveSettings>,
    /// Cluster mode: where conversations' pins are shared.
    pub hot: Option<&'a Arc<crate::store::hot::Hot>>,
}

impl Forwarder<'_> {
    /// Sends the exchange to the first account that takes it.
    pub async fn forward(&self, mut caller: Caller<'_>, exchange: Exchange) -> Response<ProxyBody> {
        let want = Want {
            provider: caller.ctx.dialect.provider(),
            client: crate::model::Client::of(&exchange.headers),
            model: caller.model.as_deref(),
            session: caller.session,
            limit: self.settings.upstream.max_attempts as usize,
        };
        self.learn_pin(caller.session).await;
        let plan = self.balancer.plan(
            &self.gateway.snapshot(),
            &want,
            self.now(),
            &self.settings.balance,
        );
        let mut last: Option<(Arc<Account>, Buffered)> = None;
        let mut undecided = Undecided::default();
        let mut attempts = 0;
        for account in plan.iter() {
            // Another request may have benched it since the plan was made; a half-open
            // circuit lets one trial request through.
            if !account.usable(self.now())
                || !exchange.servable_by(account)
                || !account.runtime.admit(self.now())
            {
                continue;
            }
            attempts += 1;
            let guard = account.runtime.enter();
            let bearer = match self.oauth_bearer(account).await {
                Ok(bearer) => bearer,
                Err(effect) => {
                    drop(guard);
                    self.apply(account, Outcome::Failed(effect), None);
                    continue;
                }
            };
            let sent = Instant::now();
            match attempt(
                self.direct,
                account,
                &exchange,
                &self.settings.upstream,
                bearer,
                self.gateway.clock(),
            )
            .await
            {
                Verdict::Relay(response, opening) => {
                    let now = self.now();
                    let waited = sent.elapsed().as_micros() as u64;
                    account.runtime.observe_latency(waited, now);
                    // Judged when the answer ends: a stream cut later is a failure.
                    self.check_quota(account);
                    let sse = super::upstream::is_event_stream(response.headers());
                    let failed = !response.status().is_success();
                    let model = caller.model.as_deref();
                    undecided.judge(!failed, &self.judge(), model);
                    if !failed {
                        self.pinned(caller.session, account, now).await;
                    }
                    let mut record = self.record(&caller, Some(account), failed);
                    let status = response.status().as_u16();
                    let failure = failed.then_some(Failure::UpstreamError);
                    let f = caller.ctx.facts(status, attempts, sse, failure);
                    record.request = Some(Box::new(f));
                    caller.ctx.hand_over();
                    let pending = Pending {
                        recorder: self.recorder.clone(),
                        record,
                        started: caller.ctx.started,
                        _in_flight: guard,
                        permit: caller.permit.take(),
                        source: Source {
                            account: Arc::clone(account),
                            settings: Arc::clone(self.settings),
                            clock: self.gateway.clock().clone(),
                        },
                    };
                    let reframe = exchange
                        .gemini
                        .as_ref()
                        .and_then(|call| call.reframe(account))
                        .filter(|_| !failed);
                    let answer = Answer { response, opening };
                    return relay(answer, caller.ctx.dialect, sse, pending, reframe);
                }
                Verdict::Answer(answer) => {
                    drop(guard);
                    self.apply(account, Outcome::Answered, None);
                    let model = caller.model.as_deref();
                    undecided.judge(false, &self.judge(), model);
                    let failure = super::upstream::client_refusal(&answer.body)
                        .unwrap_or(Failure::UpstreamError);
                    return self.answer_now(
                        &mut caller,
                        Some(account),
                        buffered(answer),
                        attempts,
                        failure,
                    );
                }
                Verdict::FailOver {
                    effect,
                    answer,
                    blame,
                } => {
                    drop(guard);
                    match blame {
                        Blame::Account => {
                            let model = caller.model.as_deref();
                            self.apply(account, Outcome::Failed(effect), model);
                        }
                        Blame::Undecided => undecided.hold(account, effect),
                    }
                    self.recorder.usage(self.record_attempt(account));
                    if let Some(answer) = answer {
                        last = Some((Arc::clone(account), answer));
                    }
                }
            }
        }
        let model = caller.model.as_deref();
        undecided.judge(false, &self.judge(), model);
        let snapshot = self.gateway.snapshot();
        let (next_free, refuses_client) = match attempts {
            0 => (
                Balancer::next_free(&snapshot, &want, self.now()),
                Balancer::refuses_client(&snapshot, &want),
            ),
            _ => (None, false),
        };
        self.give_up(caller, last, attempts, next_free.ok_or(refuses_client))
    }

    /// Every attempt failed (or none could be made): relay the last upstream error, or
    /// answer in the client's dialect. With no account to try, a pool that is only
    /// cooling down says when its first account is back (429 with that `retry-after`);
    /// one whose accounts serve other clients only says so (403); one where nothing will
    /// come back by itself answers 503. `next_free` is when an account is back, or
    /// whether one turned the client away.
    fn give_up(
        &self,
        mut caller: Caller<'_>,
        last: Option<(Arc<Account>, Buffered)>,
        attempts: u32,
        next_free: Result<u64, bool>,
    ) -> Response<ProxyBody> {
        let provider = caller.ctx.dialect.provider();
        let reject = match last {
            Some((account, answer)) => {
                let response = buffered(answer);
                let failure = Failure::UpstreamError;
                return self.answer_now(&mut caller, Some(&account), response, attempts, failure);
            }
            None if attempts == 0 => match next_free {
                Ok(at) => {
                    let secs = at.saturating_sub(self.now()).div_ceil(1000).max(1);
                    let mut reject = Reject::new(
                        Failure::NoAccount,
                        StatusCode::TOO_MANY_REQUESTS,
                        format!("every usable {provider} account is cooling down; the first is back in {secs} s"),
                    );
                    reject.retry_after = Some(secs);
                    reject
                }
                Err(true) => Reject::new(
                    Failure::ClientNotServed,
                    StatusCode::FORBIDDEN,
                    format!("the {provider} accounts that could serve this request take Claude Code traffic only (a subscription bills other clients as extra usage); use an API-key account, or ask the operator to widen one with `gatewayctl account update ID --serves any`"),
                ),
                Err(false) => Reject::new(
                    Failure::NoAccount,
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("no usable {provider} account: all are failing, disabled, draining, paused at their quota threshold or absent"),
                ),
            },
            None => Reject::new(
                Failure::Unreachable,
                StatusCode::BAD_GATEWAY,
                format!("no {provider} account could be reached"),
            ),
        };
        let failure = reject.failure;
        let response = reject.into_response(caller.ctx.dialect, &caller.ctx.shown);
        self.answer_now(&mut caller, None, response, attempts, failure)
    }

    /// Records a failed request whose whole answer is ready, and returns the answer.
    fn answer_now(
        &self,
        caller: &mut Caller<'_>,
        account: Option<&Account>,
        response: Response<ProxyBody>,
        attempts: u32,
        failure: Failure,
    ) -> Response<ProxyBody> {
        let mut record = self.record(caller, account, true);
        let status = response.status().as_u16();
        let f = caller.ctx.facts(status, attempts, false, Some(failure));
        record.request = Some(Box::new(f));
        caller.ctx.record(record);
        response
    }

    fn record(&self, caller: &Caller<'_>, account: Option<&Account>, failed: bool) -> UsageRecord {
        UsageRecord {
            account_id: account.map(|a| Arc::from(a.id.as_str())),
            model: caller.model.clone(),
            ..caller.ctx.usage(failed)
        }
    }

    /// A failed-over attempt counts against its account only.
    fn record_attempt(&self, account: &Account) -> UsageRecord {
        UsageRecord {
            key_id: None,
            account_id: Some(Arc::from(account.id.as_str())),
            model: None,
            failed: true,
            tokens: Default::default(),
            request: None,
        }
    }

    /// For OAuth accounts, the bearer (refreshed when due) and the beta it needs; what a
    /// failed refresh means for the account otherwise.
    async fn oauth_bearer(
        &self,
        account: &Account,
    ) -> Result<Option<(http::HeaderValue, &str)>, Effect> {
        if account.oauth.is_none() {
            return Ok(None);
        }
        let client = account.client.as_ref().unwrap_or(self.client);
        match oauth::bearer(self.gateway, client, account).await {
            Ok(bearer) => Ok(Some((
                bearer,
                self.gateway.oauth_beta(account).unwrap_or(""),
            ))),
            Err(e @ oauth::TokenError::Refused(_)) => Err(Effect::Fail(e.to_string())),
            Err(e) => {
                tracing::warn!(account = %account.id, error = %e, "no usable token; failing over");
                Err(Effect::CoolUntil(
                    self.now() + self.settings.upstream.unreachable_cooldown.as_millis() as u64,
                    crate::model::CoolReason::NoToken,
                ))
            }
        }
    }

    /// Alerts once when a subscription window's utilisation crosses the threshold (and
    /// again only after it has fallen back below).
    fn check_quota(&self, account: &Account) {
        let Some(windows) = account.runtime.quota.load_full() else {
            return;
        };
        let top = windows.windows.iter().max_by(|a, b| a.2.total_cmp(&b.2));
        let Some((name, _, utilization, _)) = top else {
            return;
        };
        let over = *utilization >= self.settings.alerts.quota_threshold;
        if account
            .runtime
            .quota_alerted
            .swap(over, std::sync::atomic::Ordering::Relaxed)
            || !over
        {
            return;
        }
        self.recorder.alert(crate::alerts::Alert::new(
            self.now(),
            "quota_threshold",
            Some(&account.id),
            format!(
                "subscription window {name} is {:.0}% used",
                utilization * 100.0
            ),
        ));
    }

    fn apply(&self, account: &Account, outcome: Outcome, model: Option<&str>) {
        self.judge().apply(account, outcome, model);
    }

    /// Cluster mode: a conversation this node has not seen may be pinned by another.
    async fn learn_pin(&self, session: Option<u64>) {
        let cfg = &self.settings.balance;
        let (Some(hot), Some(session)) = (self.hot, session.filter(|_| cfg.sticky_sessions)) else {
            return;
        };
        if self.balancer.knows(session, self.now(), cfg) {
            return;
        }
        if let Some(account) = hot.pinned(session).await {
            self.balancer.adopt(session, &account, self.now(), cfg);
        }
    }

    /// Pins the conversation to the account that served it, for the cluster too.
    async fn pinned(&self, session: Option<u64>, account: &Account, now: u64) {
        let cfg = &self.settings.balance;
        if self.balancer.served(session, account, now, cfg) {
            if let (Some(hot), Some(session)) = (self.hot, session) {
                hot.pin(session, &account.id, cfg.session_ttl).await;
            }
        }
    }

    /// Judges attempts as of now.
    fn judge(&self) -> Judge<'_> {
        Judge {
            recorder: self.recorder,
            health: &self.settings.health,
            now: self.now(),
        }
    }

    /// Unix milliseconds, from the gateway's clock.
    fn now(&self) -> u64 {
        self.gateway.clock().now_millis()
    }
}

/// An upstream answer to relay, and what was read of its body already.
struct Answer {
    response: http::Response<UpstreamBody>,
    opening: bytes::Bytes,
}

fn relay(
    answer: Answer,
    dialect: Dialect,
    sse: bool,
    pending: Pending,
    reframe: Option<Reframe>,
) -> Response<ProxyBody> {
    let Answer { response, opening } = answer;
    let status = response.status();
    let mut headers = downstream_response(response.headers());
    let body = response.into_body();
    let mut length = body
        .size_hint()
        .exact()
        .map(|rest| rest + opening.len() as u64);
    let meter = Meter::new(dialect, sse);
    let rest = BodyDataStream::new(body);
    let mut stream: ByteStream = match opening.is_empty() {
        true => Box::pin(rest),
        false => Box::pin(futures_util::StreamExt::chain(
            futures_util::stream::iter([Ok(opening)]),
            rest,
        )),
    };
    if let Some(reframe) = reframe {
        // The envelope changes the length.
        headers.remove(http::header::CONTENT_LENGTH);
        length = None;
        stream = Box::pin(Reframed::new(stream, reframe, sse));
    }
    let body = Relayed::new(stream, meter, pending, length, sse.then_some(dialect));
    let mut out = Response::new(ProxyBody::Relayed(Box::new(body)));
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    out
}

fn buffered(answer: Buffered) -> Response<ProxyBody> {
    let mut headers = downstream_response(&answer.headers);
    headers.insert(http::header::CONTENT_LENGTH, answer.body.len().into());
    let mut out = Response::new(ProxyBody::full(answer.body));
    *out.status_mut() = answer.status;
    *out.headers_mut() = headers;
    out
}

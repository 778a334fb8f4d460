//! Failover: tries the planned accounts in turn until one answers with something the
//! client should see, applying what each failure means to that account. Once an answer
//! is relayed there is no retry: its bytes go to the client as they arrive.

use std::sync::Arc;

use http::{Response, StatusCode};

use super::balance::Balancer;
use super::body::{Pending, ProxyBody, Relayed};
use super::headers::downstream_response;
use super::meter::Meter;
use super::respond::Reject;
use super::route::Dialect;
use super::upstream::{attempt, Buffered, Effect, Exchange, Verdict};
use crate::config::UpstreamConfig;
use crate::model::now_millis;
use crate::recorder::{Recorder, UsageRecord};
use crate::state::{Account, Gateway};

/// Who asked, for what model, in which dialect.
pub struct Caller {
    pub key_id: Arc<str>,
    pub model: Option<Arc<str>>,
    pub dialect: Dialect,
}

/// The shared pieces failover needs.
pub struct Forwarder<'a> {
    pub gateway: &'a Gateway,
    pub client: &'a reqwest::Client,
    pub balancer: &'a Balancer,
    pub recorder: &'a Recorder,
    pub config: &'a UpstreamConfig,
}

impl Forwarder<'_> {
    /// Sends the exchange to the first account that takes it.
    pub async fn forward(&self, caller: Caller, exchange: Exchange) -> Response<ProxyBody> {
        let provider = caller.dialect.provider();
        let plan = self.balancer.plan(
            &self.gateway.snapshot(),
            provider,
            caller.model.as_deref(),
            now_millis(),
            self.config.max_attempts as usize,
        );
        if plan.is_empty() {
            let mut reject = Reject::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("no usable {provider} account: all are cooling down, failing or absent"),
            );
            reject.retry_after = Some(1);
            return reject.into_response(caller.dialect);
        }
        let mut last: Option<(Arc<Account>, Buffered)> = None;
        for account in plan {
            // Another request may have benched it since the plan was made.
            if !account.usable(now_millis()) {
                continue;
            }
            let guard = account.runtime.enter();
            match attempt(self.client, &account, &exchange, self.config).await {
                Verdict::Relay(response) => {
                    let pending = Pending {
                        recorder: self.recorder.clone(),
                        record: self.record(&caller, &account, !response.status().is_success()),
                        _in_flight: guard,
                    };
                    return relay(response, caller.dialect, pending);
                }
                Verdict::FailOver { effect, answer } => {
                    drop(guard);
                    self.apply(&account, effect);
                    self.recorder.usage(UsageRecord {
                        key_id: None,
                        account_id: Arc::from(account.id.as_str()),
                        model: None,
                        failed: true,
                        tokens: Default::default(),
                    });
                    if let Some(answer) = answer {
                        last = Some((account, answer));
                    }
                }
            }
        }
        match last {
            Some((account, answer)) => {
                self.recorder.usage(self.record(&caller, &account, true));
                buffered(answer)
            }
            None => Reject::new(
                StatusCode::BAD_GATEWAY,
                format!("no {provider} account could be reached"),
            )
            .into_response(caller.dialect),
        }
    }

    fn record(&self, caller: &Caller, account: &Account, failed: bool) -> UsageRecord {
        UsageRecord {
            key_id: Some(Arc::clone(&caller.key_id)),
            account_id: Arc::from(account.id.as_str()),
            model: caller.model.clone(),
            failed,
            tokens: Default::default(),
        }
    }

    fn apply(&self, account: &Account, effect: Effect) {
        match effect {
            Effect::None => {}
            Effect::CoolUntil(until_ms) => account.runtime.cool_until(until_ms),
            Effect::Fail(reason) => {
                if account.runtime.fail() {
                    tracing::warn!(account = %account.id, %reason, "account taken out of rotation");
                    self.recorder
                        .account_failed(Arc::from(account.id.as_str()), reason);
                }
            }
        }
    }
}

fn relay(response: reqwest::Response, dialect: Dialect, pending: Pending) -> Response<ProxyBody> {
    let status = response.status();
    let headers = downstream_response(response.headers());
    let sse = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let length = response.content_length();
    let meter = Meter::new(dialect, sse);
    let body = Relayed::new(Box::pin(response.bytes_stream()), meter, pending, length);
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

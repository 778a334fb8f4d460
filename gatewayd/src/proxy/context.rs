//! One request from the moment it is routed until its record is sent: its one id (in
//! the `x-gateway-request-id` header, an error body's `request_id`, the `request-id`
//! header, the upstream request, the span and the request log), who sent it, and the
//! guarantee of exactly one record. Every answer the gateway makes itself leaves through
//! [`RequestContext::refuse`]; an upstream answer hands the record to the relayed body,
//! which sends it when the answer ends; a request whose client goes away first is
//! recorded as `client_aborted` when its context is dropped.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use http::{HeaderValue, Response};

use super::body::ProxyBody;
use super::respond::Reject;
use super::route::Dialect;
use crate::model::Failure;
use crate::recorder::{Recorder, RequestFacts, UsageRecord};

/// The response header that names the request.
pub const REQUEST_ID_HEADER: http::HeaderName =
    http::HeaderName::from_static("x-gateway-request-id");

/// What the gateway answers when the client has gone (nginx's convention); only the
/// request log sees it.
const CLIENT_CLOSED: u16 = 499;

/// One request's identity and facts, owned by the task that serves it.
pub struct RequestContext {
    pub id: u64,
    /// `id` as the client sees it, `req_gw_…`.
    pub shown: HeaderValue,
    pub dialect: Dialect,
    pub started: Instant,
    pub at_ms: u64,
    /// The socket peer until admission resolves a trusted `X-Forwarded-For`.
    pub client_ip: IpAddr,
    pub user_agent: Option<HeaderValue>,
    /// Set once the key is known.
    pub key_id: Option<Arc<str>>,
    recorder: Recorder,
    /// No record has been sent or handed over yet.
    open: bool,
}

impl RequestContext {
    pub fn new(
        dialect: Dialect,
        peer: IpAddr,
        headers: &http::HeaderMap,
        recorder: &Recorder,
        at_ms: u64,
    ) -> Self {
        let id = crate::model::next_request_id();
        let shown = HeaderValue::from_str(&crate::model::request_id(id))
            .unwrap_or_else(|_| HeaderValue::from_static("req_gw_0"));
        Self {
            id,
            shown,
            dialect,
            started: Instant::now(),
            at_ms,
            client_ip: peer,
            user_agent: super::headers::owned_user_agent(headers),
            key_id: None,
            recorder: recorder.clone(),
            open: true,
        }
    }

    /// The request log facts of an answer with `status`, timed up to now.
    pub fn facts(
        &self,
        status: u16,
        attempts: u32,
        stream: bool,
        error: Option<Failure>,
    ) -> RequestFacts {
        let latency_ms = self.started.elapsed().as_millis() as u64;
        RequestFacts {
            at_ms: self.at_ms,
            dialect: self.dialect.as_str(),
            stream,
            status,
            error,
            attempts,
            ttfb_ms: Some(latency_ms),
            latency_ms,
            client_ip: self.client_ip,
            user_agent: self.user_agent.clone(),
            request_id: self.id,
        }
    }

    /// A usage record of this request with no account and no tokens yet.
    pub fn usage(&self, failed: bool) -> UsageRecord {
        UsageRecord {
            key_id: self.key_id.clone(),
            account_id: None,
            model: None,
            failed,
            tokens: Default::default(),
            request: None,
        }
    }

    /// Sends this request's one record.
    pub fn record(&mut self, record: UsageRecord) {
        if std::mem::take(&mut self.open) {
            self.recorder.usage(record);
        }
    }

    /// The record now travels with the relayed answer, which sends it when it ends.
    pub fn hand_over(&mut self) {
        self.open = false;
    }

    /// Records an answer no account took part in.
    fn record_own(&mut self, status: u16, failure: Option<Failure>) {
        let mut record = self.usage(failure.is_some());
        record.request = Some(Box::new(self.facts(status, 0, false, failure)));
        self.record(record);
    }

    /// The gateway's own answer: rendered in the client's dialect under this request's
    /// id, recorded with its typed reason.
    pub fn refuse(&mut self, reject: Reject) -> Response<ProxyBody> {
        self.record_own(reject.status.as_u16(), Some(reject.failure));
        reject.into_response(self.dialect, &self.shown)
    }

    /// A local answer that succeeded (Code Assist housekeeping the gateway answers).
    pub fn answered_locally(&mut self, response: Response<ProxyBody>) -> Response<ProxyBody> {
        self.record_own(response.status().as_u16(), None);
        response
    }

    /// An answer that is no request of the key's (a key holder reading its own usage):
    /// nothing is recorded, so looking never changes what is shown.
    pub fn answered_unrecorded(&mut self, response: Response<ProxyBody>) -> Response<ProxyBody> {
        self.open = false;
        response
    }

    /// Puts the id on the answer.
    pub fn stamp(&self, response: &mut Response<ProxyBody>) {
        response
            .headers_mut()
            .insert(REQUEST_ID_HEADER, self.shown.clone());
    }
}

impl Drop for RequestContext {
    /// The task was dropped before any answer was ready: the client went away.
    fn drop(&mut self) {
        if self.open {
            self.record_own(CLIENT_CLOSED, Some(Failure::ClientAborted));
        }
    }
}

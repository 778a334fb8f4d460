//! The data plane. One request walks one straight line, each step its own module:
//! listen → route → auth → (body peek) → balance → upstream/forward → meter → record.
//! Nothing here touches the store or imports the control plane.

mod admit;
mod auth;
pub mod body;
mod connection;
pub mod connections;
mod context;
mod envelope;
mod forward;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod headers;
mod health;
pub mod listen;
mod malformed;
mod meter;
mod names;
mod opening;
mod own_usage;
mod peek;
mod prepare;
pub mod request_body;
mod respond;
pub mod route;
mod upstream;

use std::sync::Arc;

use http::{Request, Response};
use hyper::body::Incoming;
use tracing::Instrument;

use self::body::ProxyBody;
use self::context::{RequestContext, REQUEST_ID_HEADER};
use self::forward::{Caller, Forwarder};
use self::route::{ApiRoute, Route};
use crate::admission::Admission;
use crate::balance::Balancer;
use crate::config::Live;
use crate::recorder::periods::KeyPeriods;
use crate::recorder::Recorder;
use crate::state::Gateway;

/// What the data plane shares with the rest of the daemon.
pub struct Shared {
    pub admission: Arc<Admission>,
    pub balancer: Arc<Balancer>,
    pub periods: Arc<KeyPeriods>,
    /// Answers `/ui/…`.
    pub dashboard: Arc<crate::dashboard::Dashboard>,
}

/// The data plane's shared handle; cheap to clone.
#[derive(Clone)]
pub struct Proxy {
    inner: Arc<Inner>,
}

struct Inner {
    gateway: Gateway,
    admission: Arc<Admission>,
    /// `None` when metrics are served on their own address.
    metrics: Option<crate::metrics::Metrics>,
    recorder: Recorder,
    /// For token refreshes.
    client: reqwest::Client,
    /// For upstream requests of accounts without a proxy.
    direct: crate::upstream_client::Direct,
    balancer: Arc<Balancer>,
    /// Each key's usage this day, week and month (kept by the recorder).
    periods: Arc<KeyPeriods>,
    dashboard: Arc<crate::dashboard::Dashboard>,
    live: Live,
    /// How fast request bodies must arrive.
    pace: request_body::BodyPace,
}

impl Proxy {
    /// Builds the data plane with a pooled upstream client.
    pub fn new(
        gateway: Gateway,
        shared: Shared,
        metrics: Option<crate::metrics::Metrics>,
        recorder: Recorder,
        clients: crate::upstream_client::Clients,
        live: Live,
        pace: request_body::BodyPace,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                gateway,
                admission: shared.admission,
                periods: shared.periods,
                dashboard: shared.dashboard,
                metrics,
                recorder,
                client: clients.shared,
                direct: clients.direct,
                balancer: shared.balancer,
                live,
                pace,
            }),
        }
    }

    /// Answers one request. Never fails: every problem becomes an answer in the client's
    /// dialect, and every answer carries the request's one id.
    pub async fn handle(
        &self,
        request: Request<Incoming>,
        peer: std::net::SocketAddr,
    ) -> Response<ProxyBody> {
        let path = request.uri().path();
        if path == "/ui" || path.starts_with("/ui/") {
            return self.dashboard(request, peer).await;
        }
        let (parts, body) = request.into_parts();
        let query = parts.uri.query();
        let route = route::route(&parts.method, parts.uri.path(), &parts.headers, query);
        let Some(dialect) = route.dialect() else {
            return self.own_answer(&route, &parts, peer);
        };
        let mut ctx = self.context(dialect, &parts, peer);
        let span = tracing::info_span!("request", id = %ctx.shown.to_str().unwrap_or_default());
        let mut response = match route {
            Route::Api(api) => {
                self.api(api, parts, body, peer, &mut ctx)
                    .instrument(span)
                    .await
            }
            Route::OwnUsage(_) => {
                let settings = self.inner.live.load();
                let inner = &*self.inner;
                match self
                    .gate_with(&settings)
                    .identify(None, &parts, peer.ip(), &mut ctx)
                {
                    Ok(key) => {
                        let now = inner.gateway.clock().now_millis();
                        let answer =
                            own_usage::answer(&key, &inner.admission, &inner.periods, now).await;
                        ctx.answered_unrecorded(answer)
                    }
                    Err(reject) => ctx.refuse(reject),
                }
            }
            Route::Local(api, answer) => {
                let settings = self.inner.live.load();
                match self
                    .gate_with(&settings)
                    .admit(&api, &parts, peer.ip(), &mut ctx)
                    .await
                {
                    Ok(_) => ctx.answered_locally(respond::code_assist_local(answer)),
                    Err(reject) => ctx.refuse(reject),
                }
            }
            _ => {
                let path = parts.uri.path();
                let reject = names::check_path(path).err().unwrap_or_else(|| {
                    respond::Reject::new(
                        crate::model::Failure::NotFound,
                        http::StatusCode::NOT_FOUND,
                        format!("no route for {} {path}", parts.method),
                    )
                });
                ctx.refuse(reject)
            }
        };
        ctx.stamp(&mut response);
        response
    }

    /// `/ui/…`: the dashboard when it is on (with the request's id), else a 404.
    async fn dashboard(
        &self,
        request: Request<Incoming>,
        peer: std::net::SocketAddr,
    ) -> Response<ProxyBody> {
        let settings = self.inner.live.load();
        let id = crate::model::request_id(crate::model::next_request_id());
        let id = http::HeaderValue::from_str(&id)
            .unwrap_or_else(|_| http::HeaderValue::from_static("req_gw_0"));
        let elsewhere = settings.source.dashboard.listen.is_some();
        let mut response = match settings.dashboard.enabled && !elsewhere {
            true => {
                let client = settings.ip_rules.client_ip(peer.ip(), request.headers());
                self.inner.dashboard.handle(request, client).await
            }
            false => respond::Reject::new(
                crate::model::Failure::NotFound,
                http::StatusCode::NOT_FOUND,
                "the dashboard is not served here (dashboard.enabled, dashboard.listen)",
            )
            .into_response(route::Dialect::Anthropic, &id),
        };
        response.headers_mut().insert(REQUEST_ID_HEADER, id);
        response
    }

    /// The answer on a connection over the connection cap: `/healthz` as ever, anything
    /// else a 503 in the client's dialect (recorded like any refusal), and the connection
    /// closed after it.
    pub fn overflow(
        &self,
        request: Request<Incoming>,
        peer: std::net::SocketAddr,
    ) -> Response<ProxyBody> {
        let (parts, _body) = request.into_parts();
        let query = parts.uri.query();
        let route = route::route(&parts.method, parts.uri.path(), &parts.headers, query);
        let mut response = match route.dialect() {
            None => self.own_answer(&route, &parts, peer),
            Some(dialect) => {
                let mut ctx = self.context(dialect, &parts, peer);
                let mut reject = respond::Reject::new(
                    crate::model::Failure::Overloaded,
                    http::StatusCode::SERVICE_UNAVAILABLE,
                    "the gateway is at its connection limit; retry shortly",
                );
                reject.retry_after = Some(1);
                let mut response = ctx.refuse(reject);
                ctx.stamp(&mut response);
                response
            }
        };
        response.headers_mut().insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
        response
    }

    /// The answer to the gateway's own routes (health, metrics, probe), which carry an
    /// id and make no record.
    fn own_answer(
        &self,
        route: &Route,
        parts: &http::request::Parts,
        peer: std::net::SocketAddr,
    ) -> Response<ProxyBody> {
        let id = crate::model::request_id(crate::model::next_request_id());
        let id = http::HeaderValue::from_str(&id)
            .unwrap_or_else(|_| http::HeaderValue::from_static("req_gw_0"));
        let mut response = match route {
            Route::Metrics => self.metrics(parts, peer.ip(), &id),
            Route::Health => respond::health(),
            _ => respond::probe(),
        };
        response.headers_mut().insert(REQUEST_ID_HEADER, id);
        response
    }

    fn context(
        &self,
        dialect: route::Dialect,
        parts: &http::request::Parts,
        peer: std::net::SocketAddr,
    ) -> RequestContext {
        RequestContext::new(
            dialect,
            peer.ip(),
            &parts.headers,
            &self.inner.recorder,
            self.inner.gateway.clock().now_millis(),
        )
    }

    /// The Prometheus exposition, for addresses the network rules let in (404 when
    /// metrics have their own listener).
    fn metrics(
        &self,
        parts: &http::request::Parts,
        peer: std::net::IpAddr,
        id: &http::HeaderValue,
    ) -> Response<ProxyBody> {
        let inner = &*self.inner;
        let Some(metrics) = &inner.metrics else {
            return respond::Reject::new(
                crate::model::Failure::NotFound,
                http::StatusCode::NOT_FOUND,
                "metrics are served on their own address",
            )
            .into_response(route::Dialect::Anthropic, id);
        };
        let settings = inner.live.load();
        if !settings
            .ip_rules
            .admits(settings.ip_rules.client_ip(peer, &parts.headers))
        {
            return respond::Reject::forbidden("your address may not read metrics")
                .into_response(route::Dialect::Anthropic, id);
        }
        let text = metrics.render(
            &inner.gateway.snapshot(),
            inner.gateway.clock().now_millis(),
        );
        respond::metrics(text)
    }

    /// Admission under `settings`.
    fn gate_with<'a>(&'a self, settings: &'a crate::config::LiveSettings) -> admit::Gate<'a> {
        let inner = &*self.inner;
        admit::Gate {
            gateway: &inner.gateway,
            admission: &inner.admission,
            recorder: &inner.recorder,
            settings,
        }
    }

    async fn api(
        &self,
        api: ApiRoute,
        parts: http::request::Parts,
        body: Incoming,
        peer: std::net::SocketAddr,
        ctx: &mut RequestContext,
    ) -> Response<ProxyBody> {
        let inner = &*self.inner;
        // One view of the live settings for the whole request.
        let settings = inner.live.load();
        if let Err(reject) = names::check_path(parts.uri.path()) {
            return ctx.refuse(reject);
        }
        let gate = self.gate_with(&settings);
        let key = match gate.identify(Some(&api), &parts, peer.ip(), ctx) {
            Ok(key) => key,
            Err(reject) => return ctx.refuse(reject),
        };
        let inbound = prepare::Inbound {
            api: &api,
            parts: &parts,
            key: &key,
            settings: &settings,
            pace: inner.pace,
            shown: ctx.shown.clone(),
        };
        let reading = prepare::prepare(inbound, body);
        let (permit, prepared) = match admit::alongside(gate.limit(&key), reading).await {
            Ok(both) => both,
            Err(reject) => return ctx.refuse(reject),
        };
        let caller = Caller {
            ctx,
            model: prepared.model,
            session: prepared.session,
            permit,
        };
        let forwarder = Forwarder {
            gateway: &inner.gateway,
            client: &inner.client,
            direct: &inner.direct,
            balancer: &inner.balancer,
            recorder: &inner.recorder,
            settings: &settings,
            hot: inner.admission.hot(),
        };
        forwarder.forward(caller, prepared.exchange).await
    }
}

//! The web dashboard under `/ui/`: server-rendered pages for operators (a key with the
//! `admin` permission) and for key holders (their own usage), signed in with a gateway
//! key. Sessions live in memory behind an HttpOnly, SameSite=Strict cookie; every form
//! carries the session's CSRF token; every answer carries a strict Content-Security-Policy
//! (no inline script or style), `X-Frame-Options: DENY` and `Cache-Control: no-store`.
//! Actions go through the same domain operations as the control plane and are audited
//! with the signed-in key as the actor. Neither plane imports this module's internals:
//! the data plane hands it `/ui/` requests.

mod account;
mod actions;
mod chart;
mod keys;
mod layout;
pub mod listen;
mod operator;
mod overview;
mod own;
mod records;
mod session;
mod signin;

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use crate::admission::Admission;
use crate::config::Live;
use crate::model::Permission;
use crate::proxy::body::ProxyBody;
use crate::recorder::periods::KeyPeriods;
use crate::recorder::Recorder;
use crate::state::{ActiveKey, Gateway};

/// How long a verification of the audit chain is shown before it runs again.
const AUDIT_CHECK_MS: u64 = 60_000;

/// Largest form accepted.
const MAX_FORM: usize = 16 * 1024;

/// The Content-Security-Policy of every page: nothing but this origin's own files.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The operator pages (and what is below them): a key holder gets a 403 there.
const OPERATOR_PAGES: [&str; 4] = ["/ui/accounts", "/ui/keys", "/ui/log", "/ui/audit"];

/// What the dashboard reads and acts through; shared with the data plane.
pub struct Dashboard {
    pub gateway: Gateway,
    pub admission: Arc<Admission>,
    pub periods: Arc<KeyPeriods>,
    pub recorder: Recorder,
    pub live: Live,
    /// Served over TLS: cookies are `Secure`.
    pub secure: bool,
    sessions: session::Sessions,
    /// The audit chain's last verification and when it ran (Unix ms).
    audit_check: std::sync::Mutex<Option<(u64, crate::state::AuditReport)>>,
}

/// A signed-in request: the session and the key behind it, as it stands now.
pub struct Viewer {
    pub key: Arc<ActiveKey>,
    pub csrf: String,
}

impl Viewer {
    pub fn admin(&self) -> bool {
        self.key.allows(Permission::Admin)
    }
}

impl Dashboard {
    pub fn new(
        gateway: Gateway,
        admission: Arc<Admission>,
        periods: Arc<KeyPeriods>,
        recorder: Recorder,
        live: Live,
        secure: bool,
    ) -> Self {
        Self {
            gateway,
            admission,
            periods,
            recorder,
            live,
            secure,
            sessions: Default::default(),
            audit_check: Default::default(),
        }
    }

    /// Answers one `/ui/…` request from `peer` (the client's address as the network
    /// rules see it).
    pub async fn handle(&self, request: Request<Incoming>, client: IpAddr) -> Response<ProxyBody> {
        let (parts, body) = request.into_parts();
        let mut response = self.route(&parts, body, client).await;
        harden(response.headers_mut());
        response
    }

    async fn route(
        &self,
        parts: &http::request::Parts,
        body: Incoming,
        client: IpAddr,
    ) -> Response<ProxyBody> {
        let path = parts.uri.path();
        let ours = path == "/ui" || path.starts_with("/ui/");
        if !ours || !self.live.load().dashboard.enabled {
            return layout::status(StatusCode::NOT_FOUND, "No such page.");
        }
        if path == "/ui/static/app.css" {
            return layout::stylesheet();
        }
        let settings = self.live.load();
        if !settings.ip_rules.admits(client) {
            return layout::status(
                StatusCode::FORBIDDEN,
                "Your address may not use this gateway.",
            );
        }
        let post = parts.method == Method::POST;
        if post && !same_origin(parts) {
            return layout::status(
                StatusCode::FORBIDDEN,
                "Forms are accepted from this dashboard's own pages only.",
            );
        }
        match (post, path) {
            (false, "/ui/login") => return signin::form(None),
            (true, "/ui/login") => {
                let form = read_form(body).await;
                return signin::sign_in(self, &form, client, &settings.limits);
            }
            _ => {}
        }
        let viewer = match self.viewer(parts) {
            Some(viewer) => viewer,
            None if post => return layout::status(StatusCode::UNAUTHORIZED, "Sign in first."),
            None => return layout::redirect("/ui/login"),
        };
        if post {
            let form = read_form(body).await;
            if !csrf_matches(&form, &viewer.csrf) {
                return layout::status(
                    StatusCode::FORBIDDEN,
                    "This form has expired; reload the page and try again.",
                );
            }
            if path == "/ui/logout" {
                return signin::sign_out(self, parts);
            }
            if !viewer.admin() {
                return layout::status(
                    StatusCode::FORBIDDEN,
                    "Only an admin key may act on the pool.",
                );
            }
            return actions::act(self, &viewer, path, &form).await;
        }
        match (path, viewer.admin()) {
            ("/ui" | "/ui/", true) => overview::overview(self, &viewer).await,
            ("/ui" | "/ui/", false) => own::page_for(self, &viewer).await,
            ("/ui/accounts", true) => operator::accounts(self, &viewer).await,
            ("/ui/keys", true) => keys::keys(self, &viewer).await,
            ("/ui/log", true) => records::log(self, &viewer, parts.uri.query()).await,
            ("/ui/audit", true) => records::audit(self, &viewer).await,
            (page, true) if page.starts_with("/ui/accounts/") => {
                account::page(self, &viewer, &page["/ui/accounts/".len()..]).await
            }
            (page, false) if OPERATOR_PAGES.iter().any(|p| page.starts_with(p)) => layout::status(
                StatusCode::FORBIDDEN,
                "This page is for operators (a key with the admin permission).",
            ),
            _ => layout::status(StatusCode::NOT_FOUND, "No such page."),
        }
    }

    /// The signed-in key of this request, if its session is live and its key still is.
    fn viewer(&self, parts: &http::request::Parts) -> Option<Viewer> {
        let token = session::token(&parts.headers)?;
        let now = self.gateway.clock().now_millis();
        let session = self.sessions.touch(token, now, self.idle_ms())?;
        let snapshot = self.gateway.snapshot();
        let key = snapshot.key(&session.key_digest, (now / 1000) as i64)?;
        if key.record.is_expired((now / 1000) as i64) {
            return None;
        }
        Some(Viewer {
            key: Arc::clone(key),
            csrf: session.csrf,
        })
    }

    fn idle_ms(&self) -> u64 {
        self.live.load().dashboard.session_idle.as_millis() as u64
    }

    /// The audit chain's verification, at most [`AUDIT_CHECK_MS`] old, and when it ran.
    /// Verifying reads and hashes every entry, so it runs on the blocking pool, never on
    /// a thread that serves requests, and at most once a minute however often the page
    /// is loaded.
    async fn audit_report(
        &self,
    ) -> Result<(u64, crate::state::AuditReport), crate::state::OpError> {
        let now = self.gateway.clock().now_millis();
        let cached = self
            .audit_check
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some((at, report)) =
            cached.filter(|(at, _)| now.saturating_sub(*at) < AUDIT_CHECK_MS)
        {
            return Ok((at, report));
        }
        let report = self.blocking(|g| g.verify_audit()).await?;
        *self.audit_check.lock().unwrap_or_else(|e| e.into_inner()) = Some((now, report.clone()));
        Ok((now, report))
    }

    /// Runs a store read on the blocking pool, off the threads that serve requests.
    async fn blocking<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Gateway) -> Result<T, crate::state::OpError> + Send + 'static,
    ) -> Result<T, crate::state::OpError> {
        let gateway = self.gateway.clone();
        tokio::task::spawn_blocking(move || read(&gateway))
            .await
            .map_err(|e| crate::state::OpError::internal(e.to_string()))?
    }

    /// Drops idle sessions (at each sign-in: they are rare, and the count is capped).
    fn sweep(&self) {
        self.sessions
            .sweep(self.gateway.clock().now_millis(), self.idle_ms());
    }
}

/// A POST must come from a page of this origin: `Sec-Fetch-Site` (which browsers send
/// and pages cannot forge) says same-origin; without it, `Origin` (when present) must name
/// this host.
fn same_origin(parts: &http::request::Parts) -> bool {
    let headers = &parts.headers;
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("same-origin") => return true,
        Some(_) => return false,
        None => {}
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()));
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    host.is_some() && origin_host == host
}

/// The form fields of a POST body (at most [`MAX_FORM`] bytes; more reads as empty).
async fn read_form(body: Incoming) -> Vec<(String, String)> {
    let limited = http_body_util::Limited::new(body, MAX_FORM);
    let Ok(collected) = limited.collect().await else {
        return Vec::new();
    };
    let bytes: Bytes = collected.to_bytes();
    form_urlencoded::parse(&bytes).into_owned().collect()
}

/// The form's value of `name`.
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Whether the form carries the session's CSRF token (compared in constant time).
fn csrf_matches(form: &[(String, String)], expected: &str) -> bool {
    let given = field(form, "csrf").unwrap_or("");
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The headers every dashboard answer carries.
fn harden(headers: &mut http::HeaderMap) {
    let set = |headers: &mut http::HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, "content-security-policy", CSP);
    set(headers, "x-frame-options", "DENY");
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "same-origin");
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, "cache-control", "no-store");
    }
}

/// A response with `body` as HTML.
pub fn html(status: StatusCode, body: String) -> Response<ProxyBody> {
    let mut response = Response::new(ProxyBody::full(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

//! Signing in with a gateway key and out again. The key travels only in the sign-in
//! form's POST body; it is hashed and looked up like an API key, never stored, echoed or
//! logged. A key that does not exist counts toward the address's failed-key lock-out,
//! exactly as on the API.

use std::net::IpAddr;

use http::{header, HeaderValue, Response, StatusCode};
use maud::html;

use super::layout;
use super::{field, session, Dashboard};
use crate::config::LimitsConfig;
use crate::proxy::body::ProxyBody;

/// The sign-in page, with what went wrong last time.
pub fn form(problem: Option<&str>) -> Response<ProxyBody> {
    let status = match problem {
        None => StatusCode::OK,
        Some(_) => StatusCode::UNAUTHORIZED,
    };
    let body = html! {
        section.signin {
            h1 { "Sign in" }
            p { "Operators sign in with a key that has the " code { "admin" } " permission; any other key shows its own usage." }
            @if let Some(problem) = problem {
                p.problem role="alert" { (problem) }
            }
            form method="post" action="/ui/login" {
                label for="key" { "Gateway key" }
                input #key type="password" name="key" autocomplete="off" required autofocus;
                button type="submit" { "Sign in" }
            }
        }
    };
    super::html(status, layout::page("Sign in", None, body).into_string())
}

/// Checks the key in `form` and starts a session for it.
pub fn sign_in(
    d: &Dashboard,
    form_fields: &[(String, String)],
    client: IpAddr,
    limits: &LimitsConfig,
) -> Response<ProxyBody> {
    let now = d.gateway.clock().now_millis();
    if let Err(refusal) = d.admission.admit_ip(client, now, limits) {
        let mut response = form(Some(&refusal.message));
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return response;
    }
    let secret = field(form_fields, "key").unwrap_or("").trim();
    let digest = d.gateway.hasher().digest(secret);
    let snapshot = d.gateway.snapshot();
    let now_secs = (now / 1000) as i64;
    let Some(key) = snapshot.key(&digest, now_secs) else {
        if d.admission.auth_failed(client, now, limits) {
            let limit = limits.failed_auth_per_minute;
            d.recorder.security(
                "auth_failure_storm",
                format!("{limit} failed key attempts in a minute from {client} (dashboard sign-in); address locked out"),
            );
        }
        return form(Some("That is not a valid gateway key."));
    };
    if key.record.is_expired(now_secs) {
        return form(Some("This gateway key has expired."));
    }
    if !key.admits_ip(client) {
        return form(Some("This gateway key may not be used from your address."));
    }
    let admin = key.allows(crate::model::Permission::Admin);
    tracing::info!(key = %key.id, admin, "dashboard sign-in");
    d.sweep();
    let token = d.sessions.start(digest, now);
    let idle = d.live.load().dashboard.session_idle.as_secs();
    let mut response = layout::redirect("/ui/");
    set_cookie(&mut response, &session::cookie(&token, idle, d.secure));
    response
}

/// Ends the request's session and clears its cookie.
pub fn sign_out(d: &Dashboard, parts: &http::request::Parts) -> Response<ProxyBody> {
    if let Some(token) = session::token(&parts.headers) {
        d.sessions.end(token);
    }
    let mut response = layout::redirect("/ui/login");
    set_cookie(&mut response, &session::cookie("", 0, d.secure));
    response
}

fn set_cookie(response: &mut Response<ProxyBody>, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
}

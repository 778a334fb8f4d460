//! The page frame (head, navigation, sign-out), plain status pages, redirects, and the
//! stylesheet, embedded in the binary.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use maud::{html, Markup, DOCTYPE};

use super::Viewer;
use crate::proxy::body::ProxyBody;

const STYLESHEET: &str = include_str!("app.css");

/// A whole page: `title`, the navigation for `viewer` (none on the sign-in page), `body`.
pub fn page(title: &str, viewer: Option<&Viewer>, body: Markup) -> Markup {
    page_with(title, viewer, body, None)
}

/// The same, reloading itself every `refresh` seconds (pages that show live state).
pub fn page_with(
    title: &str,
    viewer: Option<&Viewer>,
    body: Markup,
    refresh: Option<u32>,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(secs) = refresh {
                    meta http-equiv="refresh" content=(secs);
                }
                title { (title) " · LLM Gateway" }
                link rel="stylesheet" href="/ui/static/app.css";
                link rel="icon" href="data:,";
            }
            body {
                header {
                    a.brand href="/ui/" { "LLM Gateway" }
                    @if let Some(viewer) = viewer {
                        nav { (links(viewer)) }
                        form.signout method="post" action="/ui/logout" {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            span.who { (viewer.key.record.name) }
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

fn links(viewer: &Viewer) -> Markup {
    match viewer.admin() {
        true => html! {
            a href="/ui/" { "Overview" }
            a href="/ui/accounts" { "Accounts" }
            a href="/ui/keys" { "Keys" }
            a href="/ui/log" { "Requests" }
            a href="/ui/audit" { "Audit" }
        },
        false => html! { a href="/ui/" { "My usage" } },
    }
}

/// A page that only says `message`, with `status`.
pub fn status(status: StatusCode, message: &str) -> Response<ProxyBody> {
    let body = html! {
        section.notice {
            h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) }
            p { (message) }
            p { a href="/ui/" { "Back to the dashboard" } }
        }
    };
    super::html(status, page("Dashboard", None, body).into_string())
}

/// 303 See Other to `location` (after a form, or to the sign-in page).
pub fn redirect(location: &'static str) -> Response<ProxyBody> {
    let mut response = Response::new(ProxyBody::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(location));
    response
}

/// `/ui/static/app.css`.
pub fn stylesheet() -> Response<ProxyBody> {
    let mut response = Response::new(ProxyBody::full(Bytes::from_static(STYLESHEET.as_bytes())));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

/// Unix ms as `2026-12-03 18:20:05 UTC`; `-` for none.
pub fn when(ms: Option<u64>) -> String {
    ms.map_or_else(
        || "-".to_owned(),
        |ms| {
            let at = humantime::format_rfc3339_seconds(
                std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms),
            )
            .to_string();
            at.replace('T', " ").replace('Z', " UTC")
        },
    )
}

/// Micro-dollars as `$1.2345`.
pub fn usd(micros: u64) -> String {
    format!("${:.4}", micros as f64 / 1_000_000.0)
}

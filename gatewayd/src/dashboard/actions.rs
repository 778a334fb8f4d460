//! The operator's actions: disable, enable, drain and undrain an account; create, rotate
//! and revoke a key. Each runs the same domain operation as gatewayctl and is audited with
//! the signed-in key as the actor. A new or rotated secret is shown once, on the page that
//! answers the form, and nowhere else.

use std::time::Duration;

use http::{Response, StatusCode};
use maud::html;

use super::layout::{self, page};
use super::{field, Dashboard, Viewer};
use crate::proxy::body::ProxyBody;
use crate::state::{Gateway, NewKey, OpError};

/// The grace a rotated-out secret keeps working, unless the form names another.
const ROTATE_GRACE: Duration = Duration::from_secs(3_600);

/// `POST /ui/accounts/{id}/{verb}` and `POST /ui/keys/…`. The store writes run on the
/// blocking pool, off the threads that serve requests.
pub async fn act(
    d: &Dashboard,
    viewer: &Viewer,
    path: &str,
    form: &[(String, String)],
) -> Response<ProxyBody> {
    let actor = format!("key:{}", viewer.key.id);
    let (target, fields) = (path.to_owned(), form.to_vec());
    let done = d
        .blocking(move |g| crate::state::ACTOR.sync_scope(actor, || perform(g, &target, &fields)))
        .await;
    match done {
        Ok(None) if path.starts_with("/ui/keys/") => layout::redirect("/ui/keys"),
        Ok(None) => layout::redirect("/ui/accounts"),
        Ok(Some((name, secret))) => shown_once(viewer, &name, &secret),
        Err(e) => layout::status(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

/// The action `path` names; a new or rotated key's name and secret, to show once.
fn perform(
    g: &Gateway,
    path: &str,
    form: &[(String, String)],
) -> Result<Option<(String, String)>, OpError> {
    if let Some(rest) = path.strip_prefix("/ui/accounts/") {
        return account(g, rest).map(|()| None);
    }
    match path.strip_prefix("/ui/keys/") {
        Some("create") => create(g, form).map(Some),
        Some(rest) => key(g, rest, form),
        None => Err(OpError::invalid("no such action")),
    }
}

fn account(g: &Gateway, rest: &str) -> Result<(), OpError> {
    let (id, verb) = rest
        .split_once('/')
        .ok_or_else(|| OpError::invalid("no such action"))?;
    match verb {
        "disable" => g.set_account_enabled(id, false).map(drop),
        "enable" => g.set_account_enabled(id, true).map(drop),
        "drain" => g.set_account_draining(id, true).map(drop),
        "undrain" => g.set_account_draining(id, false).map(drop),
        _ => Err(OpError::invalid(format!("no action {verb:?}"))),
    }
}

/// Rotate or revoke; a rotation's new secret is returned to be shown once.
fn key(
    g: &Gateway,
    rest: &str,
    form: &[(String, String)],
) -> Result<Option<(String, String)>, OpError> {
    let (id, verb) = rest
        .split_once('/')
        .ok_or_else(|| OpError::invalid("no such action"))?;
    match verb {
        "revoke" => g.revoke_key(id).map(|_| None),
        "rotate" => {
            let grace = match field(form, "grace")
                .map(str::trim)
                .filter(|text| !text.is_empty())
            {
                Some(text) => gateway_shared::duration::parse(text)
                    .map_err(|e| OpError::invalid(e.to_string()))?,
                None => ROTATE_GRACE,
            };
            let (record, secret) = g.rotate_key(id, grace.as_secs())?;
            Ok(Some((record.name, secret)))
        }
        _ => Err(OpError::invalid(format!("no action {verb:?}"))),
    }
}

/// A new key from the create form: name, permissions, requests per minute, a day budget
/// in dollars and an expiry (a duration from now).
fn create(g: &Gateway, form: &[(String, String)]) -> Result<(String, String), OpError> {
    let permissions: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "permission")
        .map(|(_, v)| v.clone())
        .collect();
    let number = |name: &str| -> Result<Option<f64>, OpError> {
        match field(form, name).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .map(Some)
                .ok_or_else(|| OpError::invalid(format!("{name}: {v:?} is not a number"))),
        }
    };
    let rate_limit = crate::model::RateLimit {
        requests_per_minute: number("rpm")?.map_or(0, |n| n.min(f64::from(u32::MAX)) as u32),
        budget_usd: crate::model::SpendBudgets {
            day: number("budget_day")?.map_or(0, |usd| (usd * 1e6).round() as u64),
            ..Default::default()
        },
        ..Default::default()
    };
    let expires_at = match field(form, "expires")
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(text) => {
            let after = gateway_shared::duration::parse(text)
                .map_err(|e| OpError::invalid(e.to_string()))?;
            Some(g.clock().now_secs() + after.as_secs() as i64)
        }
    };
    let (record, secret) = g.create_key(NewKey {
        name: field(form, "name").unwrap_or("").to_owned(),
        permissions,
        providers: Vec::new(),
        models: Vec::new(),
        expires_at,
        rate_limit,
        note: String::new(),
        allowed_ips: Vec::new(),
        denied_ips: Vec::new(),
    })?;
    Ok((record.name, secret))
}

/// The one page that shows a secret.
fn shown_once(viewer: &Viewer, name: &str, secret: &str) -> Response<ProxyBody> {
    let body = html! {
        section.notice {
            h1 { "Key " (name) }
            p { "Its secret, shown this once: copy it now. The gateway keeps only its digest." }
            p { code #secret { (secret) } }
            p { a href="/ui/keys" { "Back to the keys" } }
        }
    };
    super::html(
        StatusCode::OK,
        page("New secret", Some(viewer), body).into_string(),
    )
}

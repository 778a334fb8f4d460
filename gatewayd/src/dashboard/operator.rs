//! The operator pages' frame (render, live reload, failures) and the accounts list with
//! its actions; the overview, keys and records pages have files of their own.

use http::{Response, StatusCode};
use maud::{html, Markup};

use super::layout::{page, page_with, when};
use super::{Dashboard, Viewer};
use crate::model::AccountState;
use crate::proxy::body::ProxyBody;
use crate::state::AccountView;

/// Live pages reload this often.
const REFRESH_SECS: u32 = 5;

pub(super) fn render(title: &str, viewer: &Viewer, body: Markup) -> Response<ProxyBody> {
    super::html(
        StatusCode::OK,
        page(title, Some(viewer), body).into_string(),
    )
}

/// A page that shows live state and reloads itself.
pub(super) fn render_live(title: &str, viewer: &Viewer, body: Markup) -> Response<ProxyBody> {
    let page = page_with(title, Some(viewer), body, Some(REFRESH_SECS));
    super::html(StatusCode::OK, page.into_string())
}

pub(super) fn failed(
    viewer: &Viewer,
    what: &str,
    error: impl std::fmt::Display,
) -> Response<ProxyBody> {
    let body = html! { h1 { (what) } p.problem { "Could not read it: " (error) } };
    super::html(
        StatusCode::INTERNAL_SERVER_ERROR,
        page(what, Some(viewer), body).into_string(),
    )
}

/// `/ui/accounts`: every account with its state, windows, load and actions.
pub async fn accounts(d: &Dashboard, viewer: &Viewer) -> Response<ProxyBody> {
    let accounts = match d.blocking(|g| g.list_accounts()).await {
        Ok(accounts) => accounts,
        Err(e) => return failed(viewer, "Accounts", e),
    };
    let body = html! {
        h1 { "Accounts" }
        div.table-wrap { table #accounts {
            thead { tr { th { "name" } th { "type" } th { "state" } th { "windows" } th { "in flight" } th { "latency" } th { "last check" } th { "actions" } } }
            tbody {
                @for a in &accounts { (account_row(a, &viewer.csrf)) }
            }
        } }
    };
    render_live("Accounts", viewer, body)
}

fn account_row(a: &AccountView, csrf: &str) -> Markup {
    let r = &a.record;
    let state = a.state.as_str();
    let why = match a.state {
        AccountState::Error => r.status_reason.clone(),
        AccountState::CoolingDown | AccountState::CircuitOpen => {
            format!("{} until {}", a.cooling_reason, when(a.cooling_until_ms))
        }
        _ => String::new(),
    };
    html! {
        tr data-id=(r.id) {
            td { a href=(format!("/ui/accounts/{}", r.id)) { (r.name) } br; span.muted { (r.id) } }
            td { (r.provider) " " span.muted { (r.auth) } }
            td.wrap { span.state.(state) { (state) } @if !why.is_empty() { br; span.muted { (why) } } }
            td {
                @if let Some(q) = &a.quota {
                    @for (name, _, used, reset) in &q.windows {
                        div { (name) " " meter min="0" max="1" value=(used) {} " " (format!("{:.0}%", used * 100.0))
                              span.muted { " resets " (when(reset.map(|s| s * 1000))) } }
                    }
                } @else { span.muted { "-" } }
            }
            td.in-flight { (a.in_flight) }
            td { (a.latency_us.map_or_else(|| "-".to_owned(), |us| format!("{:.1} ms", us as f64 / 1000.0))) }
            td { (a.last_check.as_ref().map_or_else(|| "-".to_owned(), |c| format!("{} {}", when(Some(c.at_ms)), if c.ok { "ok" } else { "failed" }))) }
            td { div.actions { (account_actions(r, csrf)) } }
        }
    }
}

/// Enable or disable, drain or undrain, as the account stands.
pub(super) fn account_actions(r: &crate::model::AccountRecord, csrf: &str) -> Markup {
    let (toggle, toggled) = match r.status {
        crate::model::AccountStatus::Inactive => ("enable", "Enable"),
        _ => ("disable", "Disable"),
    };
    let (drain, drained) = match r.draining {
        true => ("undrain", "Undrain"),
        false => ("drain", "Drain"),
    };
    html! { (action(&r.id, toggle, toggled, csrf)) (action(&r.id, drain, drained, csrf)) }
}

fn action(id: &str, verb: &str, label: &str, csrf: &str) -> Markup {
    html! {
        form method="post" action=(format!("/ui/accounts/{id}/{verb}")) {
            input type="hidden" name="csrf" value=(csrf);
            button.secondary type="submit" name="verb" value=(verb) { (label) }
        }
    }
}

//! One account: its settings, windows, last health and early-recovery checks, and its
//! recent state transitions, with the same actions as the accounts list.

use http::{Response, StatusCode};
use maud::html;

use super::layout::{page_with, when};
use super::operator::account_actions;
use super::{Dashboard, Viewer};
use crate::proxy::body::ProxyBody;

/// `/ui/accounts/{id}`.
pub async fn page(d: &Dashboard, viewer: &Viewer, id: &str) -> Response<ProxyBody> {
    let id = id.to_owned();
    let view = match d.blocking(move |g| g.get_account(&id)).await {
        Ok(view) => view,
        Err(e) => return super::layout::status(StatusCode::NOT_FOUND, &e.to_string()),
    };
    let r = &view.record;
    let settings = [
        ("id", r.id.clone()),
        ("type", format!("{} ({})", r.provider, r.auth)),
        ("state", view.state.as_str().to_owned()),
        ("reason", r.status_reason.clone()),
        ("base URL", r.base_url.clone()),
        (
            "priority / weight",
            format!("{} / {}", r.priority, r.weight),
        ),
        ("serves", r.serves().as_str().to_owned()),
        (
            "pause at",
            r.pause_at
                .map_or_else(|| "never".to_owned(), |p| format!("{p}% of a window")),
        ),
        (
            "models",
            if r.models.is_empty() {
                "all".to_owned()
            } else {
                r.models.join(", ")
            },
        ),
        ("in flight", view.in_flight.to_string()),
        (
            "last health check",
            view.last_check.as_ref().map_or_else(
                || "-".to_owned(),
                |c| {
                    format!(
                        "{} {} {}",
                        when(Some(c.at_ms)),
                        if c.ok { "ok" } else { "failed:" },
                        c.message
                    )
                },
            ),
        ),
        (
            "last quota check",
            view.quota_check.as_ref().map_or_else(
                || "-".to_owned(),
                |c| format!("{} {}", when(Some(c.at_ms)), c.finding.as_str()),
            ),
        ),
    ];
    let body = html! {
        h1 { (r.name) }
        div.actions { (account_actions(r, &viewer.csrf)) }
        div.table-wrap { table #settings { tbody {
            @for (name, value) in &settings { tr { th { (name) } td { (value) } } }
        } } }
        @if let Some(q) = &view.quota {
            h2 { "Windows" }
            div.table-wrap { table { tbody {
                @for (name, status, used, reset) in &q.windows {
                    tr { td { (name) } td { (status) } td { meter min="0" max="1" value=(used) {} " " (format!("{:.0}%", used * 100.0)) } td { "resets " (when(reset.map(|s| s * 1000))) } }
                }
            } } }
        }
        h2 { "Recent transitions" }
        div.table-wrap { table #history {
            thead { tr { th { "when" } th { "state" } th { "reason" } th { "until" } } }
            tbody { @for e in view.history.iter().rev() {
                tr { td { (when(Some(e.at_ms))) } td { (e.state.as_str()) } td { (e.reason) } td { (when(e.until_ms)) } }
            } }
        } }
    };
    super::html(
        StatusCode::OK,
        page_with(&r.name, Some(viewer), body, Some(5)).into_string(),
    )
}

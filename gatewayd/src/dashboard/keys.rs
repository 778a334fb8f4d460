//! The keys page: every active key with its usage, limits, budgets and expiry, and the
//! forms that create, rotate and revoke keys.

use http::Response;
use maud::html;

use super::layout::{usd, when};
use super::operator::{failed, render};
use super::{Dashboard, Viewer};
use crate::proxy::body::ProxyBody;

/// `/ui/keys`: every active key with its limits, budgets and usage today.
pub async fn keys(d: &Dashboard, viewer: &Viewer) -> Response<ProxyBody> {
    let keys = match d.blocking(|g| g.list_keys(false)).await {
        Ok(keys) => keys,
        Err(e) => return failed(viewer, "Keys", e),
    };
    let now = d.gateway.clock().now_millis();
    let mut budgets_of = std::collections::HashMap::new();
    for k in keys.iter().filter(|k| !k.rate_limit.budget_usd.is_none()) {
        let uses = d
            .admission
            .budgets_now(&k.id, &k.rate_limit.budget_usd, now)
            .await;
        budgets_of.insert(k.id.clone(), uses);
    }
    let body = html! {
        h1 { "Keys" }
        form.create method="post" action="/ui/keys/create" {
            input type="hidden" name="csrf" value=(viewer.csrf);
            input type="text" name="name" placeholder="name" required;
            label { input type="checkbox" name="permission" value="read" checked; " read" }
            label { input type="checkbox" name="permission" value="write" checked; " write" }
            label { input type="checkbox" name="permission" value="admin"; " admin" }
            input type="number" name="rpm" min="0" placeholder="requests/min";
            input type="number" name="budget_day" min="0" step="0.01" placeholder="USD per day";
            input type="text" name="expires" placeholder="expires in (30d)";
            button type="submit" { "Create key" }
        }
        div.table-wrap { table #keys {
            thead { tr { th { "name" } th { "permissions" } th { "today" } th { "this month" } th { "limits" } th { "budgets" } th { "expires" } th { "last used" } th { "actions" } } }
            tbody {
                @for k in &keys {
                    @let [today, _, month] = d.periods.get(&k.id, now);
                    @let budgets = budgets_of.get(&k.id).cloned().unwrap_or_default();
                    tr data-id=(k.id) {
                        td { (k.name) br; span.muted { (k.id) " …" (k.hint) } }
                        td { (k.permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")) }
                        td { (today.requests) " req · " (usd(today.cost_micros)) }
                        td { (month.requests) " req · " (usd(month.cost_micros)) }
                        td.wrap { (limits(&k.rate_limit)) }
                        td.wrap {
                            @for b in &budgets {
                                div { (b.period.as_str()) " " meter min="0" max=(b.limit) value=(b.spent) {} " " (usd(b.spent)) " of " (usd(b.limit)) }
                            }
                            @if budgets.is_empty() { span.muted { "-" } }
                        }
                        td { (when(k.expires_at.map(|s| s.max(0) as u64 * 1000))) }
                        td { (when(k.last_used.map(|s| s.max(0) as u64 * 1000))) }
                        td { div.actions {
                            form method="post" action=(format!("/ui/keys/{}/rotate", k.id)) {
                                input type="hidden" name="csrf" value=(viewer.csrf);
                                input.grace type="text" name="grace" value="1h" aria-label="grace for the old secret";
                                button.secondary type="submit" name="verb" value="rotate" { "Rotate" }
                            }
                            form method="post" action=(format!("/ui/keys/{}/revoke", k.id)) {
                                input type="hidden" name="csrf" value=(viewer.csrf);
                                button.danger type="submit" name="verb" value="revoke" { "Revoke" }
                            }
                        } }
                    }
                }
            }
        } }
    };
    render("Keys", viewer, body)
}

fn limits(l: &crate::model::RateLimit) -> String {
    let set: Vec<String> = [
        (u64::from(l.requests_per_minute), "req/min"),
        (u64::from(l.requests_per_hour), "req/h"),
        (l.tokens_per_minute, "tok/min"),
        (l.tokens_per_day, "tok/day"),
        (u64::from(l.max_concurrent), "in flight"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, unit)| format!("{n} {unit}"))
    .collect();
    if set.is_empty() {
        "none".to_owned()
    } else {
        set.join(", ")
    }
}

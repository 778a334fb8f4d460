//! The operator pages: the pool at a glance, accounts with their windows and actions,
//! keys with their usage and limits, the request log with filters, and the audit chain.

use http::{Response, StatusCode};
use maud::{html, Markup};

use super::chart::Bars;
use super::layout::{page, page_with, usd, when};
use super::{Dashboard, Viewer};
use crate::model::{AccountState, UsageCounters, UsageScope};
use crate::proxy::body::ProxyBody;
use crate::rollup::{Grain, Rollup};
use crate::state::{AccountView, LogFilter};

/// Requests the log page shows at most.
const LOG_ROWS: usize = 200;
/// Audit entries the audit page shows at most.
const AUDIT_ROWS: usize = 200;

/// Live pages reload this often.
const REFRESH_SECS: u32 = 5;

fn render(title: &str, viewer: &Viewer, body: Markup) -> Response<ProxyBody> {
    super::html(
        StatusCode::OK,
        page(title, Some(viewer), body).into_string(),
    )
}

/// A page that shows live state and reloads itself.
fn render_live(title: &str, viewer: &Viewer, body: Markup) -> Response<ProxyBody> {
    let page = page_with(title, Some(viewer), body, Some(REFRESH_SECS));
    super::html(StatusCode::OK, page.into_string())
}

fn failed(viewer: &Viewer, what: &str, error: impl std::fmt::Display) -> Response<ProxyBody> {
    let body = html! { h1 { (what) } p.problem { "Could not read it: " (error) } };
    super::html(
        StatusCode::INTERNAL_SERVER_ERROR,
        page(what, Some(viewer), body).into_string(),
    )
}

/// `/ui/`: the pool's state counts and the traffic of the last hour and week.
pub async fn overview(d: &Dashboard, viewer: &Viewer) -> Response<ProxyBody> {
    let now = d.gateway.clock().now_millis();
    let snapshot = d.gateway.snapshot();
    let states = [
        AccountState::Active,
        AccountState::CoolingDown,
        AccountState::CircuitOpen,
        AccountState::Draining,
        AccountState::Error,
        AccountState::Disabled,
    ];
    let count = |state: AccountState| {
        snapshot
            .accounts
            .iter()
            .filter(|a| a.state(now) == state)
            .count()
    };
    let in_flight: u32 = snapshot
        .accounts
        .iter()
        .map(|a| a.runtime.in_flight())
        .sum();
    let mut windows = Vec::new();
    for (label, secs) in [("Last hour", 3_600), ("Last 7 days", 7 * 86_400)] {
        let since = (now / 1000).saturating_sub(secs);
        match d
            .gateway
            .usage_stats(UsageScope::Dialect, Some(since))
            .await
        {
            Ok((rows, _)) => {
                let mut all = Rollup::default();
                rows.values().for_each(|r| all.merge(r));
                windows.push((label, all));
            }
            Err(e) => return failed(viewer, "Overview", e),
        }
    }
    let charts = match charts(d, now).await {
        Ok(charts) => charts,
        Err(e) => return failed(viewer, "Overview", e),
    };
    let refusals = match d.gateway.errors_since(now.saturating_sub(3_600_000)).await {
        Ok(refusals) => refusals,
        Err(e) => return failed(viewer, "Overview", e),
    };
    let body = html! {
        h1 { "Overview" }
        h2 { "Accounts" }
        div.cards {
            @for state in states {
                div.card { div.label { (state.as_str()) } div.value data-state=(state.as_str()) { (count(state)) } }
            }
            div.card { div.label { "in flight" } div.value { (in_flight) } }
        }
        @for (label, r) in &windows {
            h2 { (label) }
            div.cards data-window=(label.to_lowercase().replace(' ', "-")) {
                (card("requests", r.counters.requests.to_string()))
                (card("errors", r.counters.errors.to_string()))
                (card("tokens", (r.counters.tokens.input_tokens + r.counters.tokens.output_tokens).to_string()))
                (card("cost", usd(r.counters.cost_micros)))
                (card("latency p50/p95/p99", format!("{}/{}/{} ms", r.latency.quantile(0.5), r.latency.quantile(0.95), r.latency.quantile(0.99))))
                (card("first byte p50/p95/p99", format!("{}/{}/{} ms", r.ttfb.quantile(0.5), r.ttfb.quantile(0.95), r.ttfb.quantile(0.99))))
            }
        }
        h2 { "Over time" }
        div.charts { (charts) }
        h2 { "Refused and failed in the last hour" }
        @if refusals.is_empty() { p.muted { "Nothing." } }
        @else {
            div.table-wrap { table #refusals {
                thead { tr { th { "reason" } th { "requests" } } }
                tbody { @for (reason, n) in &refusals { tr { td { (reason) } td { (n) } } } }
            } }
        }
    };
    render_live("Overview", viewer, body)
}

/// Requests (errors over them) and tokens per minute for the last hour; requests and cost
/// per hour for the last week.
async fn charts(d: &Dashboard, now_ms: u64) -> Result<Markup, crate::state::OpError> {
    let now = now_ms / 1000;
    let minutes_from = Grain::Minute.bucket(now) - 59 * 60;
    let hours_from = Grain::Hour.bucket(now) - 167 * 3_600;
    let minutes = d
        .gateway
        .traffic_series(Grain::Minute, minutes_from)
        .await?;
    let hours = d.gateway.traffic_series(Grain::Hour, hours_from).await?;
    let requests = |s: &[(u64, UsageCounters)]| -> Vec<(u64, f64, f64)> {
        s.iter()
            .map(|(at, c)| (*at, c.requests as f64, c.errors as f64))
            .collect()
    };
    let tokens: Vec<(u64, f64, f64)> = minutes
        .iter()
        .map(|(at, c)| {
            (
                *at,
                (c.tokens.input_tokens + c.tokens.output_tokens) as f64,
                0.0,
            )
        })
        .collect();
    let cost: Vec<(u64, f64, f64)> = hours
        .iter()
        .map(|(at, c)| (*at, c.cost_micros as f64 / 1e6, 0.0))
        .collect();
    let (per_minute, per_hour) = (requests(&minutes), requests(&hours));
    let chart = |title, from, step, buckets, points: &[(u64, f64, f64)], unit| {
        Bars {
            title,
            from,
            step,
            buckets,
            points,
            unit,
            overlay: "errors",
        }
        .render()
    };
    Ok(html! {
        (chart("Requests per minute, last hour (errors in red)", minutes_from, 60, 60, &per_minute, "requests"))
        (chart("Tokens per minute, last hour", minutes_from, 60, 60, &tokens, "tokens"))
        (chart("Requests per hour, last 7 days (errors in red)", hours_from, 3_600, 168, &per_hour, "requests"))
        (chart("Cost per hour, last 7 days", hours_from, 3_600, 168, &cost, "USD"))
    })
}

fn card(label: &str, value: String) -> Markup {
    html! { div.card data-label=(label) { div.label { (label) } div.value { (value) } } }
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

/// `/ui/keys`: every active key with its limits, budgets and usage today.
pub async fn keys(d: &Dashboard, viewer: &Viewer) -> Response<ProxyBody> {
    let keys = match d.blocking(|g| g.list_keys(false)).await {
        Ok(keys) => keys,
        Err(e) => return failed(viewer, "Keys", e),
    };
    let now = d.gateway.clock().now_millis();
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
                    @let budgets = d.admission.budgets(&k.id, &k.rate_limit.budget_usd, now);
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

/// `/ui/log?key=…&account=…`: the newest requests, filtered.
pub async fn log(d: &Dashboard, viewer: &Viewer, query: Option<&str>) -> Response<ProxyBody> {
    let params: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let param = |name: &str| {
        super::field(&params, name)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let filter = LogFilter {
        key_id: param("key"),
        account_id: param("account"),
        request_id: param("request"),
        model: param("model"),
        status: param("status").and_then(|s| s.parse().ok()),
    };
    let entries = match d.gateway.log_tail(LOG_ROWS, &filter).await {
        Ok((entries, _)) => entries,
        Err(e) => return failed(viewer, "Requests", e),
    };
    let body = html! {
        h1 { "Requests" }
        form.filters method="get" action="/ui/log" {
            input type="text" name="key" placeholder="key id" value=(filter.key_id.clone().unwrap_or_default());
            input type="text" name="account" placeholder="account id" value=(filter.account_id.clone().unwrap_or_default());
            input type="text" name="request" placeholder="request id" value=(filter.request_id.clone().unwrap_or_default());
            input type="text" name="model" placeholder="model" value=(filter.model.clone().unwrap_or_default());
            input type="number" name="status" placeholder="status" value=(filter.status.map(|s| s.to_string()).unwrap_or_default());
            button type="submit" { "Filter" }
        }
        (log_table(&entries, true))
    };
    render_live("Requests", viewer, body)
}

/// Request log entries, newest first; `with_key` adds the key column.
pub fn log_table(entries: &[crate::model::RequestLogEntry], with_key: bool) -> Markup {
    html! {
        div.table-wrap { table #log {
            thead { tr {
                th { "when" } th { "request" } @if with_key { th { "key" } } th { "account" } th { "model" }
                th { "status" } th { "latency" } th { "tokens in/out" } th { "cost" }
            } }
            tbody {
                @for e in entries.iter().rev() {
                    tr {
                        td { (when(Some(e.at_ms))) }
                        td { (e.request_id) }
                        @if with_key { td { (e.key_id.as_deref().unwrap_or("-")) } }
                        td { (e.account_id.as_deref().unwrap_or("-")) }
                        td { (e.model.as_deref().unwrap_or("-")) }
                        td { (e.status) @if let Some(error) = &e.error { " " span.muted { (error) } } }
                        td { (e.latency_ms) " ms" }
                        td { (e.tokens.input_tokens) " / " (e.tokens.output_tokens) }
                        td { (usd(e.cost_micros)) }
                    }
                }
            }
        } }
    }
}

/// `/ui/audit`: the newest audit entries and whether the chain verifies.
pub async fn audit(d: &Dashboard, viewer: &Viewer) -> Response<ProxyBody> {
    let (checked, report) = match d.audit_report().await {
        Ok(checked) => checked,
        Err(e) => return failed(viewer, "Audit", e),
    };
    let entries = match d.blocking(|g| g.audit_entries(0, AUDIT_ROWS)).await {
        Ok(entries) => entries,
        Err(e) => return failed(viewer, "Audit", e),
    };
    let body = html! {
        h1 { "Audit" }
        @match &report.broken {
            None => p.verified {
                "The chain of " (report.entries) " entries verifies; "
                @match report.signed_through {
                    0 => "its head is not signed yet (every 30 s).",
                    n => { "signed through entry " (n) "." },
                }
                span.muted { " Checked " (when(Some(checked))) "." }
            },
            Some((seq, why)) => p.broken { "The chain is broken at entry " (seq) ": " (why) },
        }
        div.table-wrap { table #audit {
            thead { tr { th { "#" } th { "when" } th { "actor" } th { "action" } th { "target" } th { "change" } } }
            tbody {
                @for e in entries.iter().rev() {
                    tr {
                        td { (e.seq) } td { (when(Some(e.at_ms))) } td { (e.actor) } td { (e.action) } td { (e.target) }
                        td.change { (gateway_shared::audit::summary(&e.detail)) }
                    }
                }
            }
        } }
    };
    render("Audit", viewer, body)
}

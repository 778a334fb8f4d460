//! The overview: the pool's state counts, traffic of the last hour and week with its
//! charts, and refusals by reason.

use http::Response;
use maud::{html, Markup};

use super::chart::Bars;
use super::layout::usd;
use super::operator::{failed, render_live};
use super::{Dashboard, Viewer};
use crate::model::{AccountState, UsageCounters, UsageScope};
use crate::proxy::body::ProxyBody;
use crate::rollup::{Grain, Rollup};

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

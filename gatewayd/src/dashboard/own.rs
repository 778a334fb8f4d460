//! The key holder's own page: the key's limits, spend budgets and usage today, this week
//! and this month, and its recent requests — the signed-in key's data only.

use http::{Response, StatusCode};
use maud::html;

use super::layout::{page, usd, when};
use super::records::log_table;
use super::{Dashboard, Viewer};
use crate::proxy::body::ProxyBody;
use crate::state::LogFilter;

/// Recent requests shown.
const RECENT: usize = 50;

pub async fn page_for(d: &Dashboard, viewer: &Viewer) -> Response<ProxyBody> {
    let record = &viewer.key.record;
    let now = d.gateway.clock().now_millis();
    let [today, week, month] = d.periods.get(&record.id, now);
    let limits = d
        .admission
        .standing_now(&record.id, &record.rate_limit, now)
        .await;
    let budgets = d
        .admission
        .budgets_now(&record.id, &record.rate_limit.budget_usd, now)
        .await;
    let filter = LogFilter {
        key_id: Some(record.id.clone()),
        ..LogFilter::default()
    };
    let recent = match d.gateway.log_tail(RECENT, &filter).await {
        Ok((entries, _)) => entries,
        Err(_) => Vec::new(),
    };
    let body = html! {
        h1 { "My usage" }
        p.muted { "Key " (record.name) " (" (record.id) "), expires " (when(record.expires_at.map(|s| s.max(0) as u64 * 1000))) }
        div.cards {
            @for (label, c) in [("today", today), ("this week", week), ("this month", month)] {
                div.card #(format!("usage-{}", label.replace(' ', "-"))) {
                    div.label { (label) }
                    div.value { (c.requests) " requests" }
                    div { (c.tokens.input_tokens + c.tokens.output_tokens) " tokens · " (usd(c.cost_micros)) }
                }
            }
        }
        h2 { "Limits" }
        @if limits.is_empty() { p.muted { "No limits are set on this key." } }
        @else {
            div.table-wrap { table #limits {
                thead { tr { th { "limit" } th { "used" } th { "remaining" } th { "clears" } } }
                tbody { @for l in &limits { tr {
                    td { (l.name) } td { (l.used) " of " (l.limit) } td { (l.limit.saturating_sub(l.used)) } td { (when(l.clears_at_ms)) }
                } } }
            } }
        }
        h2 { "Spend budgets" }
        @if budgets.is_empty() { p.muted { "No spend budgets are set on this key." } }
        @else {
            div.table-wrap { table #budgets {
                thead { tr { th { "period" } th { "spent" } th { "remaining" } th { "resets" } } }
                tbody { @for b in &budgets { tr {
                    td { (b.period.as_str()) }
                    td { meter min="0" max=(b.limit) value=(b.spent) {} " " (usd(b.spent)) " of " (usd(b.limit)) }
                    td { (usd(b.limit.saturating_sub(b.spent + b.reserved))) }
                    td { (when(b.resets_at_ms)) }
                } } }
            } }
        }
        h2 { "Recent requests" }
        (log_table(&recent, false))
    };
    super::html(
        StatusCode::OK,
        page("My usage", Some(viewer), body).into_string(),
    )
}

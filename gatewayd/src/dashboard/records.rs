//! The records: the request log with its filters, and the audit chain with each entry's
//! change and the chain's verification.

use http::Response;
use maud::{html, Markup};

use super::layout::{usd, when};
use super::operator::{failed, render, render_live};
use super::{Dashboard, Viewer};
use crate::proxy::body::ProxyBody;
use crate::state::LogFilter;

/// Requests the log page shows at most.
const LOG_ROWS: usize = 200;
/// Audit entries the audit page shows at most.
const AUDIT_ROWS: usize = 200;

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

//! `gatewayctl stats [--by key|account|model|dialect] [--since 24h]`.

use gateway_proto::v1 as pb;
use serde_json::{json, Value};

use crate::cli::StatsArgs;
use crate::client::Client;
use crate::output::Printer;
use crate::CtlError;

pub async fn run(args: StatsArgs, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let mut stats = client.stats.clone();
    let request = pb::GetUsageRequest {
        by: args.by.as_str().to_owned(),
        since_seconds: args.since.map_or(0, |d| d.as_secs().max(1)),
    };
    let usage = client.call(stats.get_usage(request)).await?;
    if out.json {
        out.json(&Value::Array(usage.rows.iter().map(row_json).collect()));
        return Ok(());
    }
    let rows = usage
        .rows
        .iter()
        .map(|r| {
            let u = r.usage.unwrap_or_default();
            vec![
                match args.by.as_str() {
                    "key" | "account" => out.id(&r.id),
                    _ => r.id.clone(),
                },
                r.name.clone(),
                u.requests.to_string(),
                u.errors.to_string(),
                u.input_tokens.to_string(),
                u.output_tokens.to_string(),
                u.cache_creation_tokens.to_string(),
                u.cache_read_tokens.to_string(),
                cost(&u),
                format!(
                    "{}/{}/{}",
                    r.latency_p50_ms, r.latency_p95_ms, r.latency_p99_ms
                ),
                format!("{}/{}/{}", r.ttfb_p50_ms, r.ttfb_p95_ms, r.ttfb_p99_ms),
                budgets(r),
            ]
        })
        .collect();
    out.listing(
        &[
            args.by.as_str(),
            "name",
            "requests",
            "errors",
            "input",
            "output",
            "cache write",
            "cache read",
            "cost",
            "latency p50/95/99 ms",
            "first byte p50/95/99 ms",
            "budgets",
        ],
        rows,
        &[0, 1, 2, 3, 4, 5, 8, 11],
    );
    let unpriced: Vec<&str> = usage
        .rows
        .iter()
        .filter(|r| r.usage.as_ref().is_some_and(|u| cost(u) == "—"))
        .map(|r| r.id.as_str())
        .collect();
    if args.by.as_str() == "model" && !unpriced.is_empty() {
        out.note(&format!(
            "no price for {} (cost shown as —): add [[prices]] rows to the config",
            unpriced.join(", ")
        ));
    }
    if let Some(ms) = usage.since_ms {
        let from = gateway_shared::duration::format_unix((ms / 1000) as i64);
        out.note(&format!("counted from {from} (whole buckets)"));
    }
    Ok(())
}

/// A key's spend budgets, one line each; `-` without.
fn budgets(r: &pb::UsageRow) -> String {
    match r.budgets.is_empty() {
        true => "-".to_owned(),
        false => r
            .budgets
            .iter()
            .map(crate::cmd::budget::shown)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// The estimated cost, or `—` when tokens were counted but nothing priced them.
fn cost(u: &pb::Usage) -> String {
    let tokens = u.input_tokens + u.output_tokens + u.cache_read_tokens + u.cache_creation_tokens;
    match (u.cost_usd, tokens) {
        (0.0, 1..) => "—".to_owned(),
        (usd, _) => format!("${usd:.4}"),
    }
}

fn row_json(r: &pb::UsageRow) -> Value {
    let u = r.usage.unwrap_or_default();
    json!({
        "scope": r.scope,
        "id": r.id,
        "name": r.name,
        "requests": u.requests,
        "errors": u.errors,
        "input_tokens": u.input_tokens,
        "output_tokens": u.output_tokens,
        "cache_creation_tokens": u.cache_creation_tokens,
        "cache_read_tokens": u.cache_read_tokens,
        "thoughts_tokens": u.thoughts_tokens,
        "cost_usd": u.cost_usd,
        "latency_p50_ms": r.latency_p50_ms,
        "latency_p95_ms": r.latency_p95_ms,
        "latency_p99_ms": r.latency_p99_ms,
        "ttfb_p50_ms": r.ttfb_p50_ms,
        "ttfb_p95_ms": r.ttfb_p95_ms,
        "ttfb_p99_ms": r.ttfb_p99_ms,
        "budgets": crate::cmd::budget::json(&r.budgets),
    })
}

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
                r.id.clone(),
                r.name.clone(),
                u.requests.to_string(),
                u.errors.to_string(),
                u.input_tokens.to_string(),
                u.output_tokens.to_string(),
                u.cache_creation_tokens.to_string(),
                u.cache_read_tokens.to_string(),
                format!("${:.4}", u.cost_usd),
                format!(
                    "{}/{}/{}",
                    r.latency_p50_ms, r.latency_p95_ms, r.latency_p99_ms
                ),
                format!("{}/{}/{}", r.ttfb_p50_ms, r.ttfb_p95_ms, r.ttfb_p99_ms),
            ]
        })
        .collect();
    out.table(
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
        ],
        rows,
    );
    Ok(())
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
    })
}

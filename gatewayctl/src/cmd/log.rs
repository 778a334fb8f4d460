//! `gatewayctl log tail [--follow] [--key ID] [--account ID] [--request ID] [--limit N]`.

use gateway_proto::v1 as pb;
use serde_json::{json, Value};

use crate::cli::{LogArgs, LogVerb};
use crate::client::Client;
use crate::output::Printer;
use crate::CtlError;

pub async fn run(args: LogArgs, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let LogVerb::Tail {
        follow,
        key_id,
        account_id,
        request_id,
        limit,
    } = args.verb;
    let request = pb::TailLogRequest {
        limit,
        follow,
        key_id: key_id.unwrap_or_default(),
        account_id: account_id.unwrap_or_default(),
        request_id: request_id.unwrap_or_default(),
    };
    let mut logs = client.logs.clone();
    let mut stream = client.call(logs.tail_log(request)).await?;
    let mut batch = Vec::new();
    while let Some(entry) = stream.message().await? {
        match (out.json, follow) {
            // Followed JSON is one object per line, so scripts can read it as it comes.
            (true, true) => say!("{}", entry_json(&entry)),
            (true, false) => batch.push(entry_json(&entry)),
            (false, _) => say!("{}", crate::output::printable(&line(&entry))),
        }
    }
    if out.json && !follow {
        out.json(&Value::Array(batch));
    }
    Ok(())
}

fn line(e: &pb::LogEntry) -> String {
    let t = e.tokens.unwrap_or_default();
    let at = gateway_shared::duration::format_unix((e.at_ms / 1000) as i64);
    let what = if e.error.is_empty() {
        String::new()
    } else {
        format!(" {}", e.error)
    };
    let or_dash = |s: &str| {
        if s.is_empty() {
            "-".to_owned()
        } else {
            s.to_owned()
        }
    };
    format!(
        "{at} {} {} {} {}{} {}ms ttfb={}ms in={} out={} cache_r={} cost={} attempts={} id={}",
        or_dash(&e.key_id),
        or_dash(&e.account_id),
        or_dash(&e.model),
        e.status,
        what,
        e.latency_ms,
        e.ttfb_ms.unwrap_or(0),
        t.input_tokens,
        t.output_tokens,
        t.cache_read_tokens,
        cost(t.cost_usd),
        e.attempts,
        or_dash(&e.request_id),
    )
}

fn entry_json(e: &pb::LogEntry) -> Value {
    let t = e.tokens.unwrap_or_default();
    json!({
        "at_ms": e.at_ms,
        "key_id": e.key_id,
        "account_id": e.account_id,
        "dialect": e.dialect,
        "model": e.model,
        "stream": e.stream,
        "status": e.status,
        "error": e.error,
        "attempts": e.attempts,
        "ttfb_ms": e.ttfb_ms,
        "latency_ms": e.latency_ms,
        "input_tokens": t.input_tokens,
        "output_tokens": t.output_tokens,
        "cache_creation_tokens": t.cache_creation_tokens,
        "cache_read_tokens": t.cache_read_tokens,
        "thoughts_tokens": t.thoughts_tokens,
        "client_ip": e.client_ip,
        "user_agent": e.user_agent,
        "request_id": e.request_id,
        "cost_usd": t.cost_usd,
    })
}

/// A request's estimated cost; `-` when nothing was priced.
fn cost(usd: f64) -> String {
    match usd {
        0.0 => "-".to_owned(),
        usd => format!("${usd:.4}"),
    }
}

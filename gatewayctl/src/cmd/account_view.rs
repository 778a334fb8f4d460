//! How accounts are shown: the list, one account with its transitions, and a
//! subscription's rate-limit windows, as tables or as JSON.

use gateway_proto::v1 as pb;
use serde_json::{json, Value};

use crate::output::{time, Printer};

pub fn print_list(out: &Printer, accounts: &[pb::Account]) {
    if out.json {
        out.json(&Value::Array(accounts.iter().map(account_json).collect()));
        return;
    }
    let rows = accounts
        .iter()
        .map(|a| {
            vec![
                out.id(&a.id),
                a.name.clone(),
                a.r#type.clone(),
                state(a),
                a.priority.to_string(),
                a.weight.to_string(),
                a.in_flight.to_string(),
                latency(a),
                last_check(a),
            ]
        })
        .collect();
    out.listing(
        &[
            "id",
            "name",
            "type",
            "state",
            "priority",
            "weight",
            "in flight",
            "latency",
            "last check",
        ],
        rows,
        &[0, 1, 2, 3, 6, 7],
    );
}

/// The moving-average time to response headers.
fn latency(a: &pb::Account) -> String {
    a.latency_ms
        .map_or_else(|| "-".to_owned(), |ms| format!("{ms:.1} ms"))
}

/// The last early-recovery read of the windows: when, what it found, when the next runs.
fn quota_check(a: &pb::Account) -> String {
    let Some(c) = &a.quota_check else {
        return "-".to_owned();
    };
    let at = time(Some(c.at_ms / 1000));
    let next = c.next_ms.map_or_else(String::new, |ms| {
        format!("; next {}", time(Some(ms / 1000)))
    });
    match c.finding.as_str() {
        "room" => format!("{at} room: back in the pool"),
        "unreadable" => format!("{at} unreadable: {}{next}", c.message),
        finding => format!("{at} {finding}{next}"),
    }
}

/// The last health check: when, and how it went.
fn last_check(a: &pb::Account) -> String {
    match &a.last_check {
        None => "-".to_owned(),
        Some(c) if c.ok => format!("{} ok ({} ms)", time(Some(c.at_ms / 1000)), c.latency_ms),
        Some(c) => format!("{} failed: {}", time(Some(c.at_ms / 1000)), c.message),
    }
}

pub fn print_account(out: &Printer, a: &pb::Account) {
    if out.json {
        out.json(&account_json(a));
        return;
    }
    let models = if a.models.is_empty() {
        "all".to_owned()
    } else {
        a.models.join(",")
    };
    let concurrency = if a.max_concurrency == 0 {
        "unlimited".to_owned()
    } else {
        a.max_concurrency.to_string()
    };
    let rows = vec![
        vec!["id".to_owned(), a.id.clone()],
        vec!["name".to_owned(), a.name.clone()],
        vec!["type".to_owned(), format!("{} ({})", a.r#type, a.auth)],
        vec!["state".to_owned(), state(a)],
        vec!["base url".to_owned(), a.base_url.clone()],
        vec!["project".to_owned(), or_dash(&a.project)],
        vec![
            "priority / weight".to_owned(),
            format!("{} / {}", a.priority, a.weight),
        ],
        vec!["models".to_owned(), models],
        vec!["max concurrency".to_owned(), concurrency],
        vec!["serves".to_owned(), serves(a)],
        vec!["proxy".to_owned(), or_dash(&a.proxy)],
        vec!["in flight".to_owned(), a.in_flight.to_string()],
        vec!["latency".to_owned(), latency(a)],
        vec!["last check".to_owned(), last_check(a)],
        vec!["quota check".to_owned(), quota_check(a)],
        vec!["updated".to_owned(), time(Some(a.updated_at))],
    ];
    out.table(&["account", ""], rows);
    print_history(out, a);
}

/// The clients it serves and when it pauses.
fn serves(a: &pb::Account) -> String {
    let clients = match a.serves.as_str() {
        "claude-code" => "Claude Code only",
        _ => "any client",
    };
    match a.pause_at {
        0 => clients.to_owned(),
        p => format!("{clients}; new sessions pause at {p}% of a window"),
    }
}

/// The value, or `-` when it is empty.
fn or_dash(value: &str) -> String {
    if value.is_empty() {
        "-".to_owned()
    } else {
        value.to_owned()
    }
}

/// Subscription windows (Claude) and quota buckets (Code Assist).
pub fn print_usage(out: &Printer, usage: &pb::GetAccountUsageResponse) {
    let a = usage.account.clone().unwrap_or_default();
    let windows: Vec<Value> = a
        .windows
        .iter()
        .map(|w| json!({"window": w.name, "status": w.status, "utilization": w.utilization, "reset": w.reset}))
        .collect();
    let buckets: Vec<Value> = usage
        .buckets
        .iter()
        .map(|b| json!({"model": b.model_id, "token_type": b.token_type, "remaining_fraction": b.remaining_fraction, "remaining_amount": b.remaining_amount, "reset_time": b.reset_time}))
        .collect();
    if out.json {
        out.json(&json!({"id": a.id, "status": a.limit_status, "claim": a.limit_claim, "windows": windows,
                         "buckets": buckets, "buckets_error": usage.buckets_error,
                         "quota_check": quota_check_json(&a)}));
        return;
    }
    if a.quota_check.is_some() {
        out.note(&format!("last quota check: {}", quota_check(&a)));
    }
    if !usage.buckets_error.is_empty() {
        out.note(&format!(
            "quota buckets unavailable: {}",
            usage.buckets_error
        ));
    }
    if !usage.buckets.is_empty() {
        let rows = usage
            .buckets
            .iter()
            .map(|b| {
                vec![
                    b.model_id.clone(),
                    b.token_type.clone(),
                    b.remaining_fraction
                        .map_or_else(|| "-".to_owned(), |f| format!("{:.0}%", f * 100.0)),
                    or_dash(&b.reset_time),
                ]
            })
            .collect();
        out.table(&["model", "counts", "left", "resets"], rows);
        return;
    }
    if a.windows.is_empty() {
        say!("no rate-limit windows reported for {} yet", a.id);
        return;
    }
    let rows = a
        .windows
        .iter()
        .map(|w| {
            vec![
                w.name.clone(),
                w.status.clone(),
                format!("{:.0}%", w.utilization * 100.0),
                time(w.reset),
            ]
        })
        .collect();
    out.table(&["window", "status", "used", "resets"], rows);
    out.note(&format!(
        "overall: {} (binding: {})",
        a.limit_status, a.limit_claim
    ));
}

/// One line for the account's state, as the daemon derived it, with its details: error
/// (why), cooling down (until, why), rate-limited model families, near its limit.
pub(crate) fn state(a: &pb::Account) -> String {
    match a.state.as_str() {
        "error" => format!("error: {}", or_dash(&a.status_reason)),
        "cooling_down" | "circuit_open" => format!(
            "cooling down until {} ({})",
            time(a.cooling_until.map(|ms| ms / 1000)),
            or_dash(&a.cooling_reason)
        ),
        "active" if !a.benched.is_empty() => {
            let families: Vec<String> = a
                .benched
                .iter()
                .map(|b| format!("{} until {}", b.family, time(Some(b.until_ms / 1000))))
                .collect();
            format!("active; rate-limited: {}", families.join(", "))
        }
        "active" if a.limit_status == "allowed_warning" => "active (near its limit)".to_owned(),
        state => state.to_owned(),
    }
}

/// The account's recent transitions, oldest first.
fn print_history(out: &Printer, a: &pb::Account) {
    if a.history.is_empty() {
        return;
    }
    let rows = a
        .history
        .iter()
        .map(|e| {
            vec![
                time(Some(e.at_ms / 1000)),
                e.state.clone(),
                e.reason.clone(),
                e.until_ms
                    .map_or_else(|| "-".to_owned(), |u| time(Some(u / 1000))),
            ]
        })
        .collect();
    out.table(&["when", "state", "reason", "until"], rows);
}

fn account_json(a: &pb::Account) -> Value {
    json!({
        "id": a.id,
        "name": a.name,
        "type": a.r#type,
        "auth": a.auth,
        "status": a.status,
        "status_reason": a.status_reason,
        "state": state(a),
        "draining": a.draining,
        "base_url": a.base_url,
        "weight": a.weight,
        "priority": a.priority,
        "models": a.models,
        "max_concurrency": a.max_concurrency,
        "serves": a.serves,
        "pause_at": a.pause_at,
        "proxy": a.proxy,
        "project": a.project,
        "limit_status": a.limit_status,
        "in_flight": a.in_flight,
        "cooling_until_ms": a.cooling_until,
        "cooling_reason": a.cooling_reason,
        "circuit_open": a.circuit_open,
        "latency_ms": a.latency_ms,
        "last_check": a.last_check.as_ref().map(|c| json!({"at_ms": c.at_ms, "ok": c.ok, "latency_ms": c.latency_ms, "message": c.message})),
        "quota_check": quota_check_json(a),
        "benched": a.benched.iter().map(|b| json!({"family": b.family, "until_ms": b.until_ms})).collect::<Vec<_>>(),
        "history": a.history.iter().map(|e| json!({"at_ms": e.at_ms, "state": e.state, "reason": e.reason, "until_ms": e.until_ms})).collect::<Vec<_>>(),
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "last_health_check": a.last_health_check,
        "quota": a.quota.as_ref().map(|q| json!({"used": q.used, "reset_time": q.reset_time})),
    })
}

fn quota_check_json(a: &pb::Account) -> Value {
    a.quota_check.as_ref().map_or(Value::Null, |c| {
        json!({"at_ms": c.at_ms, "finding": c.finding, "message": c.message, "next_ms": c.next_ms})
    })
}

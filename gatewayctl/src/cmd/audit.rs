//! `gatewayctl audit list [--since 24h] [--limit N]` and `gatewayctl audit verify`.

use gateway_proto::v1 as pb;
use serde_json::{json, Value};

use crate::cli::{AuditArgs, AuditVerb};
use crate::client::Client;
use crate::output::{time, Printer};
use crate::CtlError;

pub async fn run(args: AuditArgs, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let mut audit = client.audit.clone();
    match args.verb {
        AuditVerb::List { since, limit } => {
            let since_ms = since.map_or(0, |d| {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default();
                now.saturating_sub(d).as_millis() as u64
            });
            let listed = client
                .call(audit.list_audit(pb::ListAuditRequest { since_ms, limit }))
                .await?;
            print_entries(out, &listed.entries);
            Ok(())
        }
        AuditVerb::Verify => {
            let r = client
                .call(audit.verify_audit(pb::VerifyAuditRequest {}))
                .await?;
            if out.json {
                out.json(&json!({"ok": r.ok, "entries": r.entries, "signed_through": r.signed_through,
                                 "broken_at": r.broken_at, "problem": r.problem, "public_key": r.public_key}));
            }
            match r.broken_at {
                Some(seq) => Err(CtlError::Tampered(format!(
                    "audit chain broken at entry {seq}: {}",
                    r.problem
                ))),
                None => {
                    if !out.json {
                        say!(
                            "audit chain intact: {} entries, signed through entry {} (key {})",
                            r.entries,
                            r.signed_through,
                            r.public_key
                        );
                    }
                    Ok(())
                }
            }
        }
    }
}

fn print_entries(out: &Printer, entries: &[pb::AuditEntry]) {
    if out.json {
        let all: Vec<Value> = entries
            .iter()
            .map(|e| {
                let detail: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
                json!({"seq": e.seq, "at_ms": e.at_ms, "actor": e.actor, "action": e.action,
                       "target": e.target, "detail": detail, "hash": e.hash, "prev_hash": e.prev_hash})
            })
            .collect();
        out.json(&Value::Array(all));
        return;
    }
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                time(Some((e.at_ms / 1000) as i64)),
                e.actor.clone(),
                e.action.clone(),
                e.target.clone(),
                summary(&serde_json::from_str(&e.detail).unwrap_or(Value::Null)),
            ]
        })
        .collect();
    out.table(&["seq", "when", "who", "what", "target", "change"], rows);
}

/// One line saying what an entry changed: the fields that differ between `before` and
/// `after` (bookkeeping fields left out), `created`/`removed`, or the entry's own text.
fn summary(detail: &Value) -> String {
    const QUIET: [&str; 3] = ["updated_at", "last_used", "last_health_check"];
    let line = match (&detail["before"], &detail["after"]) {
        (Value::Null, Value::Object(_)) => "created".to_owned(),
        (Value::Object(_), Value::Null) => "removed".to_owned(),
        (Value::Object(before), Value::Object(after)) => {
            let changed: Vec<String> = after
                .iter()
                .filter(|(name, value)| {
                    !QUIET.contains(&name.as_str()) && before.get(*name) != Some(value)
                })
                .map(|(name, value)| format!("{name}: {} → {}", short(&before[name]), short(value)))
                .collect();
            match changed.is_empty() {
                true => "no change".to_owned(),
                false => changed.join("; "),
            }
        }
        _ => match detail {
            Value::Object(fields) => fields
                .iter()
                .map(|(name, value)| format!("{name}: {}", short(value)))
                .collect::<Vec<_>>()
                .join("; "),
            Value::Null => String::new(),
            other => short(other),
        },
    };
    shorten(&line, 72)
}

fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    shorten(&text, 24)
}

fn shorten(text: &str, max: usize) -> String {
    match text.chars().count() > max {
        true => format!("{}…", text.chars().take(max - 1).collect::<String>()),
        false => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::summary;
    use serde_json::json;

    #[test]
    fn a_change_is_summed_up_in_one_line() {
        let update = json!({"before": {"name": "a", "weight": 1, "updated_at": 1},
                            "after": {"name": "a", "weight": 3, "updated_at": 2}});
        assert_eq!(summary(&update), "weight: 1 → 3");
        assert_eq!(
            summary(&json!({"before": null, "after": {"name": "a"}})),
            "created"
        );
        assert_eq!(
            summary(&json!({"before": {"name": "a"}, "after": null})),
            "removed"
        );
        assert_eq!(summary(&json!({"kind": "ip_denied"})), "kind: ip_denied");
    }
}

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
                gateway_shared::audit::summary(
                    &serde_json::from_str(&e.detail).unwrap_or(Value::Null),
                ),
            ]
        })
        .collect();
    out.table(&["seq", "when", "who", "what", "target", "change"], rows);
}

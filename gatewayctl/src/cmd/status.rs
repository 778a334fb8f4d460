//! `gatewayctl status`, `config reload` and `alerts test`: the daemon as a whole.

use gateway_proto::v1 as pb;
use serde_json::{json, Value};

use crate::cli::{AlertsArgs, AlertsVerb, ConfigArgs, ConfigVerb};
use crate::client::Client;
use crate::output::Printer;
use crate::CtlError;

pub async fn run(client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let mut system = client.system.clone();
    let s = client
        .call(system.get_status(pb::GetStatusRequest {}))
        .await?;
    if out.json {
        out.json(&json!({
            "version": s.version,
            "uptime_seconds": s.uptime_seconds,
            "listen_address": s.listen_address,
            "keys": s.keys,
            "accounts": s.accounts,
            "accounts_usable": s.accounts_usable,
            "accounts_cooling": s.accounts_cooling,
            "accounts_error": s.accounts_error,
            "accounts_draining": s.accounts_draining,
            "accounts_disabled": s.accounts_disabled,
            "accounts_circuit_open": s.accounts_circuit_open,
            "strategies": {"claude-code": s.claude_code_strategy, "gemini-cli": s.gemini_cli_strategy},
            "sticky_sessions": s.sticky_sessions,
            "in_flight": s.in_flight,
            "records_dropped": s.records_dropped,
            "records_pending": s.records_pending,
            "data_dir": s.data_dir,
            "cluster": s.cluster.as_ref().map(cluster_json),
        }));
        return Ok(());
    }
    let rows = vec![
        vec!["version".to_owned(), s.version],
        vec!["uptime".to_owned(), format!("{}s", s.uptime_seconds)],
        vec!["listening on".to_owned(), s.listen_address],
        vec!["keys".to_owned(), s.keys.to_string()],
        vec![
            "accounts".to_owned(),
            format!(
                "{} ({} usable, {} cooling down, {} circuit open, {} in error, {} draining, {} disabled)",
                s.accounts,
                s.accounts_usable,
                s.accounts_cooling,
                s.accounts_circuit_open,
                s.accounts_error,
                s.accounts_draining,
                s.accounts_disabled
            ),
        ],
        vec![
            "balancing".to_owned(),
            format!(
                "claude-code {}, gemini-cli {}, sticky sessions {}",
                s.claude_code_strategy,
                s.gemini_cli_strategy,
                if s.sticky_sessions { "on" } else { "off" }
            ),
        ],
        vec!["in flight".to_owned(), s.in_flight.to_string()],
        vec!["data dir".to_owned(), s.data_dir],
    ];
    let mut rows = rows;
    if let Some(c) = &s.cluster {
        rows.push(vec!["node".to_owned(), c.node_id.clone()]);
        rows.push(vec![
            "postgresql".to_owned(),
            if c.postgres_reachable {
                "reachable"
            } else {
                "UNREACHABLE: serving from this node's snapshot, control changes refused"
            }
            .to_owned(),
        ]);
        rows.push(vec!["limits".to_owned(), c.limits.clone()]);
    }
    out.table(&["gatewayd", ""], rows);
    if let Some(c) = &s.cluster {
        let nodes = c
            .nodes
            .iter()
            .map(|n| {
                vec![
                    n.node_id.clone(),
                    n.version.clone(),
                    n.listen_address.clone(),
                    format!("{}s ago", n.seen_seconds_ago),
                    format!("{}s", n.uptime_seconds),
                    n.in_flight.to_string(),
                    n.accounts_usable.to_string(),
                    if n.limits_shared {
                        "shared"
                    } else {
                        "node-local"
                    }
                    .to_owned(),
                ]
            })
            .collect();
        out.table(
            &[
                "node",
                "version",
                "address",
                "seen",
                "up",
                "in flight",
                "usable accounts",
                "limits",
            ],
            nodes,
        );
    }
    Ok(())
}

fn cluster_json(c: &pb::ClusterStatus) -> Value {
    json!({
        "node_id": c.node_id,
        "postgres_reachable": c.postgres_reachable,
        "limits": c.limits,
        "nodes": c.nodes.iter().map(|n| json!({
            "node_id": n.node_id,
            "version": n.version,
            "listen_address": n.listen_address,
            "seen_seconds_ago": n.seen_seconds_ago,
            "uptime_seconds": n.uptime_seconds,
            "in_flight": n.in_flight,
            "accounts_usable": n.accounts_usable,
            "limits_shared": n.limits_shared,
        })).collect::<Vec<_>>(),
    })
}

pub async fn config(args: ConfigArgs, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let ConfigVerb::Reload = args.verb;
    let mut system = client.system.clone();
    let r = client
        .call(system.reload_config(pb::ReloadConfigRequest {}))
        .await?;
    if out.json {
        let changes: Vec<Value> = r
            .changes
            .iter()
            .map(|c| json!({"setting": c.setting, "old": c.old, "new": c.new, "needs_restart": c.needs_restart}))
            .collect();
        out.json(
            &json!({"applied": r.applied, "needs_restart": r.needs_restart, "changes": changes}),
        );
        return Ok(());
    }
    if r.changes.is_empty() {
        say!("configuration reloaded: nothing changed");
        return Ok(());
    }
    let rows = r
        .changes
        .iter()
        .map(|c| {
            let when = if c.needs_restart {
                "after a restart"
            } else {
                "now"
            };
            vec![
                c.setting.clone(),
                c.old.clone(),
                c.new.clone(),
                when.to_owned(),
            ]
        })
        .collect();
    out.table(&["setting", "was", "is", "applies"], rows);
    Ok(())
}

pub async fn alerts(args: AlertsArgs, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let AlertsVerb::Test = args.verb;
    let mut system = client.system.clone();
    let r = client
        .call(system.send_test_alert(pb::SendTestAlertRequest {}))
        .await?;
    if out.json {
        let all: Vec<_> = r
            .deliveries
            .iter()
            .map(|d| json!({"webhook": d.webhook, "ok": d.ok, "error": d.error}))
            .collect();
        out.json(&json!(all));
    } else if r.deliveries.is_empty() {
        say!("no webhooks configured ([alerts] webhooks in the config)");
    } else {
        for d in &r.deliveries {
            match d.ok {
                true => say!("{}: delivered", d.webhook),
                false => say!("{}: failed ({})", d.webhook, d.error),
            }
        }
    }
    match r.deliveries.iter().find(|d| !d.ok) {
        Some(d) => Err(CtlError::Local(format!(
            "the test alert did not reach {}: {}",
            d.webhook, d.error
        ))),
        None => Ok(()),
    }
}

/// `gatewayctl prices`: the rows in the order they are tried, and the shipped rows' date.
pub async fn prices(client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let mut system = client.system.clone();
    let table = client
        .call(system.list_prices(pb::ListPricesRequest {}))
        .await?;
    if out.json {
        let rows: Vec<Value> = table
            .rows
            .iter()
            .map(|r| {
                json!({"model": r.model, "input": r.input, "output": r.output,
                       "cache_write": r.cache_write, "cache_read": r.cache_read, "source": r.source})
            })
            .collect();
        out.json(&json!({"rows": rows, "shipped_as_of": table.shipped_as_of}));
        return Ok(());
    }
    let usd = |v: f64| format!("${v:.3}");
    let rows = table
        .rows
        .iter()
        .map(|r| {
            vec![
                r.model.clone(),
                usd(r.input),
                usd(r.output),
                usd(r.cache_write),
                usd(r.cache_read),
                r.source.clone(),
            ]
        })
        .collect();
    out.table(
        &[
            "model",
            "input",
            "output",
            "cache write",
            "cache read",
            "source",
        ],
        rows,
    );
    out.note(&format!(
        "USD per million tokens; first matching row wins; shipped rows as of {}",
        table.shipped_as_of
    ));
    Ok(())
}

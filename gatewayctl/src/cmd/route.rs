//! `gatewayctl route explain`: the balancer's view of the pool for one kind of request.

use gateway_proto::v1 as pb;
use serde_json::{json, Value};

use super::account_view::state;
use crate::cli::{RouteArgs, RouteVerb};
use crate::client::Client;
use crate::output::{time, Printer};
use crate::CtlError;

pub async fn run(args: RouteArgs, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let RouteVerb::Explain {
        model,
        kind,
        key,
        client: sender,
    } = args.verb;
    let request = pb::ExplainRouteRequest {
        r#type: kind.unwrap_or_default(),
        model: model.unwrap_or_default(),
        key: key.unwrap_or_default(),
        client: sender,
    };
    let mut accounts = client.accounts.clone();
    let explained = client.call(accounts.explain_route(request)).await?;
    print(out, &explained);
    Ok(())
}

fn print(out: &Printer, e: &pb::ExplainRouteResponse) {
    if out.json {
        let candidates: Vec<Value> = e
            .candidates
            .iter()
            .map(|c| {
                let a = c.account.clone().unwrap_or_default();
                json!({"id": a.id, "name": a.name, "priority": a.priority, "state": state(&a),
                       "windows": windows(&a), "place": c.place, "excluded": c.excluded,
                       "score": c.score})
            })
            .collect();
        out.json(
            &json!({"strategy": e.strategy, "picked": e.picked, "why": e.why,
                         "candidates": candidates}),
        );
        return;
    }
    let rows = e
        .candidates
        .iter()
        .map(|c| {
            let a = c.account.clone().unwrap_or_default();
            let place = match c.place {
                0 => format!("out: {}", c.excluded),
                n => n.to_string(),
            };
            vec![
                out.id(&a.id),
                a.name.clone(),
                a.priority.to_string(),
                state(&a),
                windows(&a),
                c.score.clone(),
                place,
            ]
        })
        .collect();
    out.listing(
        &[
            "id",
            "name",
            "priority",
            "state",
            "windows",
            e.strategy.as_str(),
            "place",
        ],
        rows,
        &[1, 2, 4, 5, 6],
    );
    match e.picked.as_str() {
        "" => say!("nothing would be picked: {}", e.why),
        picked => say!("would pick {}: {}", out.id(picked), e.why),
    }
}

/// The subscription windows as last reported: `5h 40% (resets 14:00), 7d 12% (…)`.
fn windows(a: &pb::Account) -> String {
    if a.windows.is_empty() {
        return "-".to_owned();
    }
    a.windows
        .iter()
        .map(|w| {
            let reset = w
                .reset
                .map_or_else(String::new, |at| format!(" (resets {})", time(Some(at))));
            format!("{} {:.0}%{reset}", w.name, w.utilization * 100.0)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

//! `gatewayctl account drain ID [--wait]`: follows the daemon's stream of in-flight
//! counts down to zero, with a progress display on a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use gateway_proto::v1 as pb;
use serde_json::json;

use crate::client::Client;
use crate::output::Printer;
use crate::CtlError;

pub async fn run(
    client: &Client,
    out: &Printer,
    id: String,
    wait: bool,
    timeout: Duration,
) -> Result<(), CtlError> {
    let mut accounts = client.accounts.clone();
    let request = pb::DrainAccountRequest {
        id: id.clone(),
        wait,
    };
    let mut stream = client.call(accounts.drain_account(request)).await?;
    let bar = (wait && !out.json && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let mut in_flight = None;
    let mut id = id;
    let followed = tokio::time::timeout(timeout, async {
        while let Some(progress) = stream.message().await? {
            in_flight = Some(progress.in_flight);
            if !progress.id.is_empty() {
                id.clone_from(&progress.id);
            }
            if let Some(bar) = &bar {
                bar.set_message(format!("draining {id}: {} in flight", progress.in_flight));
            }
        }
        Ok::<_, tonic::Status>(())
    })
    .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let left = in_flight.unwrap_or(0);
    match followed {
        Err(_) => {
            return Err(CtlError::Local(format!(
            "account {id} is draining but {left} request(s) are still in flight after {timeout:?}"
        )))
        }
        Ok(Err(status)) => return Err(status.into()),
        Ok(Ok(())) => {}
    }
    if out.json {
        out.json(&json!({"id": id, "draining": true, "in_flight": left}));
    } else if wait {
        say!("drained {id}: nothing in flight");
    } else {
        say!("draining {id}: {left} in flight");
    }
    Ok(())
}

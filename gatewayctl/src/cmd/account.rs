//! `gatewayctl account add|list`.

use std::io::{IsTerminal, Read};

use gateway_proto::v1 as pb;
use serde_json::{json, Value};

use crate::cli::{AccountAdd, AccountArgs, AccountVerb, AuthArg};
use crate::client::Client;
use crate::output::{time, Printer};
use crate::CtlError;

pub async fn run(args: AccountArgs, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    match args.verb {
        AccountVerb::Add(add) => add_account(add, client, out).await,
        AccountVerb::List => list(client, out).await,
    }
}

async fn add_account(args: AccountAdd, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let credential = read_credential(&args)?;
    let request = pb::AddAccountRequest {
        name: args.name,
        r#type: args.provider.as_str().to_owned(),
        auth: match args.auth {
            AuthArg::ApiKey => "api-key".to_owned(),
        },
        credential,
        base_url: args.base_url.unwrap_or_default(),
        weight: args.weight,
        priority: args.priority,
    };
    let mut accounts = client.accounts.clone();
    let added = client.call(accounts.add_account(request)).await?;
    let account = added.account.unwrap_or_default();
    if out.json {
        out.json(&account_json(&account));
    } else {
        println!(
            "added account {} ({}, {})",
            account.id, account.name, account.r#type
        );
    }
    Ok(())
}

/// The secret comes from a file, stdin, or a hidden prompt — never from argv.
fn read_credential(args: &AccountAdd) -> Result<Vec<u8>, CtlError> {
    if let Some(path) = &args.api_key_file {
        return std::fs::read(path).map_err(|e| {
            CtlError::Local(format!("cannot read API key file {}: {e}", path.display()))
        });
    }
    if args.api_key_stdin {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| CtlError::Local(format!("cannot read the API key from stdin: {e}")))?;
        return Ok(buf);
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let key = dialoguer::Password::new()
            .with_prompt("Upstream API key")
            .interact()
            .map_err(|e| CtlError::Local(format!("cannot read the API key: {e}")))?;
        return Ok(key.into_bytes());
    }
    Err(CtlError::Usage(
        "no API key given: use --api-key-file PATH or --api-key-stdin".to_owned(),
    ))
}

async fn list(client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let mut accounts = client.accounts.clone();
    let listed = client
        .call(accounts.list_accounts(pb::ListAccountsRequest {}))
        .await?;
    if out.json {
        out.json(&Value::Array(
            listed.accounts.iter().map(account_json).collect(),
        ));
        return Ok(());
    }
    let rows = listed
        .accounts
        .iter()
        .map(|a| {
            vec![
                a.id.clone(),
                a.name.clone(),
                a.r#type.clone(),
                a.auth.clone(),
                state(a),
                a.priority.to_string(),
                a.weight.to_string(),
                a.in_flight.to_string(),
                a.base_url.clone(),
            ]
        })
        .collect();
    out.table(
        &[
            "id",
            "name",
            "type",
            "auth",
            "state",
            "priority",
            "weight",
            "in flight",
            "base url",
        ],
        rows,
    );
    Ok(())
}

fn state(a: &pb::Account) -> String {
    match (a.status.as_str(), a.cooling_until) {
        ("error", _) => format!("error: {}", a.status_reason),
        ("active", Some(ms)) => format!("cooling down until {}", time(Some(ms / 1000))),
        (status, _) => status.to_owned(),
    }
}

fn account_json(a: &pb::Account) -> Value {
    json!({
        "id": a.id,
        "name": a.name,
        "type": a.r#type,
        "auth": a.auth,
        "status": a.status,
        "status_reason": a.status_reason,
        "base_url": a.base_url,
        "weight": a.weight,
        "priority": a.priority,
        "in_flight": a.in_flight,
        "cooling_until_ms": a.cooling_until,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "last_health_check": a.last_health_check,
    })
}

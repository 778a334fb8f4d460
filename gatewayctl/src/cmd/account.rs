//! `gatewayctl account add|list|show|update|remove|disable|enable|drain|undrain|test`.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use gateway_proto::v1 as pb;
use serde_json::{json, Value};

use super::confirm;
use crate::cli::{
    AccountAdd, AccountArgs, AccountImport, AccountUpdateArgs, AccountVerb, AuthArg,
    CredentialSource, ProviderArg, ProxySource,
};
use crate::client::Client;
use crate::output::{time, Printer};
use crate::CtlError;

/// How long `drain --wait` waits when `--timeout` is not given.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(600);

pub async fn run(
    args: AccountArgs,
    client: &mut Client,
    out: &Printer,
    timeout: Option<Duration>,
) -> Result<(), CtlError> {
    let mut accounts = client.accounts.clone();
    let shown = match args.verb {
        AccountVerb::Add(add) => {
            client
                .call(accounts.add_account(add_request(add)?))
                .await?
                .account
        }
        AccountVerb::List => {
            let listed = client
                .call(accounts.list_accounts(pb::ListAccountsRequest {}))
                .await?;
            print_list(out, &listed.accounts);
            return Ok(());
        }
        AccountVerb::Show { id } => {
            client
                .call(accounts.get_account(pb::GetAccountRequest { id }))
                .await?
                .account
        }
        AccountVerb::Update(update) => {
            client
                .call(accounts.update_account(update_request(update)?))
                .await?
                .account
        }
        AccountVerb::Remove { id, yes } => {
            confirm(&format!("Remove account {id} from the pool for good?"), yes)?;
            client
                .call(accounts.remove_account(pb::RemoveAccountRequest { id }))
                .await?
                .account
        }
        AccountVerb::Disable { id } => enable(client, id, false).await?,
        AccountVerb::Enable { id } => enable(client, id, true).await?,
        AccountVerb::Drain { id, wait } => {
            return super::drain::run(client, out, id, wait, timeout.unwrap_or(DRAIN_TIMEOUT))
                .await;
        }
        AccountVerb::Undrain { id } => {
            client
                .call(accounts.undrain_account(pb::UndrainAccountRequest { id }))
                .await?
                .account
        }
        AccountVerb::Test { id } => return test(client, out, id).await,
        AccountVerb::Import(import) => {
            client
                .call(accounts.add_account(import_request(import)?))
                .await?
                .account
        }
        AccountVerb::Login(login) => super::login::run(client, login).await?,
        AccountVerb::Usage { id } => {
            let shown = client
                .call(accounts.get_account(pb::GetAccountRequest { id }))
                .await?;
            print_usage(out, &shown.account.unwrap_or_default());
            return Ok(());
        }
        AccountVerb::Refresh { id } => {
            client
                .call(accounts.refresh_account(pb::RefreshAccountRequest { id }))
                .await?
                .account
        }
    };
    print_account(out, &shown.unwrap_or_default());
    Ok(())
}

async fn enable(
    client: &Client,
    id: String,
    enabled: bool,
) -> Result<Option<pb::Account>, CtlError> {
    let mut accounts = client.accounts.clone();
    let request = pb::SetAccountEnabledRequest { id, enabled };
    Ok(client
        .call(accounts.set_account_enabled(request))
        .await?
        .account)
}

async fn test(client: &Client, out: &Printer, id: String) -> Result<(), CtlError> {
    let mut accounts = client.accounts.clone();
    let result = client
        .call(accounts.test_account(pb::TestAccountRequest { id }))
        .await?;
    if out.json {
        out.json(&json!({"ok": result.ok, "status": result.status, "latency_ms": result.latency_ms, "message": result.message}));
    } else if result.ok {
        println!("ok: HTTP {} in {} ms", result.status, result.latency_ms);
    } else {
        println!("failed after {} ms: {}", result.latency_ms, result.message);
    }
    if result.ok {
        Ok(())
    } else {
        Err(CtlError::Local(format!(
            "account test failed: {}",
            result.message
        )))
    }
}

fn add_request(args: AccountAdd) -> Result<pb::AddAccountRequest, CtlError> {
    let name = super::required(args.name, "--name", "Account name")?;
    let kinds = [
        ("claude-code", ProviderArg::ClaudeCode),
        ("gemini-cli", ProviderArg::GeminiCli),
    ];
    let provider = super::choose(args.provider, "--type", "Account type", &kinds)?;
    let credential = read_credential(&args.credential)?.ok_or_else(|| {
        CtlError::Usage("no API key given: use --api-key-file PATH or --api-key-stdin".to_owned())
    })?;
    Ok(pb::AddAccountRequest {
        name,
        r#type: provider.as_str().to_owned(),
        auth: match args.auth {
            AuthArg::ApiKey => "api-key".to_owned(),
            AuthArg::Oauth => "oauth".to_owned(),
        },
        credential,
        base_url: args.base_url.unwrap_or_default(),
        weight: args.weight,
        priority: args.priority,
        models: args.models,
        max_concurrency: args.max_concurrency,
        proxy: read_proxy(&args.proxy)?.unwrap_or_default(),
        project: args.project.unwrap_or_default(),
    })
}

fn import_request(args: AccountImport) -> Result<pb::AddAccountRequest, CtlError> {
    let credential = std::fs::read(&args.file).map_err(|e| {
        CtlError::Local(format!(
            "cannot read credentials file {}: {e}",
            args.file.display()
        ))
    })?;
    Ok(pb::AddAccountRequest {
        name: super::required(args.name, "--name", "Account name")?,
        r#type: args.provider.as_str().to_owned(),
        auth: "oauth".to_owned(),
        credential,
        base_url: args.base_url.unwrap_or_default(),
        weight: args.weight,
        priority: args.priority,
        project: args.project.unwrap_or_default(),
        ..Default::default()
    })
}

/// The proxy URL from `--proxy` (no password allowed on argv) or `--proxy-file`;
/// `Some("")` for `--proxy none`.
fn read_proxy(source: &ProxySource) -> Result<Option<String>, CtlError> {
    if let Some(path) = &source.proxy_file {
        let url = std::fs::read_to_string(path).map_err(|e| {
            CtlError::Local(format!("cannot read proxy file {}: {e}", path.display()))
        })?;
        return Ok(Some(url.trim().to_owned()));
    }
    match source.proxy.as_deref() {
        None => Ok(None),
        Some("none") => Ok(Some(String::new())),
        Some(url) if url.split_once("://").is_some_and(|(_, rest)| rest.split('/').next().unwrap_or("").contains('@')) => {
            Err(CtlError::Usage("a proxy URL with a user or password must come from --proxy-file, not the command line".to_owned()))
        }
        Some(url) => Ok(Some(url.to_owned())),
    }
}

fn update_request(args: AccountUpdateArgs) -> Result<pb::UpdateAccountRequest, CtlError> {
    let credential = match (&args.credential.api_key_file, args.credential.api_key_stdin) {
        (None, false) => None,
        _ => read_credential(&args.credential)?,
    };
    Ok(pb::UpdateAccountRequest {
        id: args.id,
        name: args.name,
        credential,
        base_url: args.base_url,
        weight: args.weight,
        priority: args.priority,
        models: args.models.map(|values| pb::StringList { values }),
        max_concurrency: args.max_concurrency,
        proxy: read_proxy(&args.proxy)?,
    })
}

/// The secret comes from a file, stdin, or a hidden prompt on a terminal — never argv.
fn read_credential(source: &CredentialSource) -> Result<Option<Vec<u8>>, CtlError> {
    if let Some(path) = &source.api_key_file {
        let key = std::fs::read(path).map_err(|e| {
            CtlError::Local(format!("cannot read API key file {}: {e}", path.display()))
        })?;
        return Ok(Some(key));
    }
    if source.api_key_stdin {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| CtlError::Local(format!("cannot read the API key from stdin: {e}")))?;
        return Ok(Some(buf));
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let key = dialoguer::Password::new()
            .with_prompt("Upstream API key")
            .interact()
            .map_err(|e| CtlError::Local(format!("cannot read the API key: {e}")))?;
        return Ok(Some(key.into_bytes()));
    }
    Ok(None)
}

fn print_list(out: &Printer, accounts: &[pb::Account]) {
    if out.json {
        out.json(&Value::Array(accounts.iter().map(account_json).collect()));
        return;
    }
    let rows = accounts
        .iter()
        .map(|a| {
            vec![
                a.id.clone(),
                a.name.clone(),
                a.r#type.clone(),
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
            "state",
            "priority",
            "weight",
            "in flight",
            "base url",
        ],
        rows,
    );
}

fn print_account(out: &Printer, a: &pb::Account) {
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
        vec!["proxy".to_owned(), or_dash(&a.proxy)],
        vec!["in flight".to_owned(), a.in_flight.to_string()],
        vec!["updated".to_owned(), time(Some(a.updated_at))],
    ];
    out.table(&["account", ""], rows);
}

/// The value, or `-` when it is empty.
fn or_dash(value: &str) -> String {
    if value.is_empty() {
        "-".to_owned()
    } else {
        value.to_owned()
    }
}

fn print_usage(out: &Printer, a: &pb::Account) {
    let windows: Vec<Value> = a
        .windows
        .iter()
        .map(|w| json!({"window": w.name, "status": w.status, "utilization": w.utilization, "reset": w.reset}))
        .collect();
    if out.json {
        out.json(&json!({"id": a.id, "status": a.limit_status, "claim": a.limit_claim, "windows": windows}));
        return;
    }
    if a.windows.is_empty() {
        println!("no rate-limit windows reported for {} yet", a.id);
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

fn state(a: &pb::Account) -> String {
    match (a.status.as_str(), a.draining, a.cooling_until) {
        ("error", _, _) => format!("error: {}", a.status_reason),
        ("inactive", _, _) => "disabled".to_owned(),
        (_, true, _) => "draining".to_owned(),
        ("active", _, Some(ms)) => format!("cooling down until {}", time(Some(ms / 1000))),
        ("active", _, None) if a.limit_status == "allowed_warning" => {
            "active (near its limit)".to_owned()
        }
        (status, _, _) => status.to_owned(),
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
        "state": state(a),
        "draining": a.draining,
        "base_url": a.base_url,
        "weight": a.weight,
        "priority": a.priority,
        "models": a.models,
        "max_concurrency": a.max_concurrency,
        "proxy": a.proxy,
        "project": a.project,
        "limit_status": a.limit_status,
        "in_flight": a.in_flight,
        "cooling_until_ms": a.cooling_until,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "last_health_check": a.last_health_check,
    })
}

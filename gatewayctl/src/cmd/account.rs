//! `gatewayctl account add|list|show|update|remove|disable|enable|drain|undrain|test`.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use gateway_proto::v1 as pb;
use serde_json::json;

use super::account_view::{print_account, print_list, print_usage};
use super::confirm;
use crate::cli::{
    AccountAdd, AccountArgs, AccountImport, AccountUpdateArgs, AccountVerb, AuthArg,
    CredentialSource, ProviderArg, ProxySource,
};
use crate::client::Client;
use crate::output::Printer;
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
            warn_base_url(out, add.base_url.as_deref());
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
            warn_base_url(out, update.base_url.as_deref());
            client
                .call(accounts.update_account(update_request(update)?))
                .await?
                .account
        }
        AccountVerb::Remove { id, yes } => {
            confirm(&format!("Remove account {id} from the pool for good?"), yes)?;
            let removed = client
                .call(accounts.remove_account(pb::RemoveAccountRequest { id }))
                .await?
                .account
                .unwrap_or_default();
            if !out.json {
                let name = crate::output::printable(&removed.name);
                say!("removed account {} ({name})", removed.id);
                return Ok(());
            }
            Some(removed)
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
            warn_base_url(out, import.base_url.as_deref());
            client
                .call(accounts.add_account(import_request(import)?))
                .await?
                .account
        }
        AccountVerb::Login(login) => super::login::run(client, login).await?,
        AccountVerb::Usage { id } => {
            let usage = client
                .call(accounts.get_account_usage(pb::GetAccountUsageRequest { id }))
                .await?;
            print_usage(out, &usage);
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
        say!("ok: HTTP {} in {} ms", result.status, result.latency_ms);
    } else {
        say!("failed after {} ms: {}", result.latency_ms, result.message);
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

/// A base URL that already ends in an API version (`/v1`, `/v1beta`, `/v1internal`)
/// doubles it: gatewayd appends the whole API path itself.
fn warn_base_url(out: &Printer, url: Option<&str>) {
    let Some(url) = url else {
        return;
    };
    let last = url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    if matches!(last, "v1" | "v1beta" | "v1internal") {
        out.note(&format!(
            "warning: the base URL {url} ends in /{last}: gatewayd adds the API path itself, so requests would go to …/{last}/{last}/…; give the URL without it"
        ));
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
        serves: args.rules.serves,
        pause_at: args.rules.pause_at,
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
        serves: args.rules.serves,
        pause_at: args.rules.pause_at,
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
        serves: args.rules.serves,
        pause_at: args.rules.pause_at,
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

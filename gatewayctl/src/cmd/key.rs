//! `gatewayctl key create|list|revoke`.

use gateway_proto::v1 as pb;
use serde_json::{json, Value};

use crate::cli::{KeyArgs, KeyCreate, KeyVerb};
use crate::client::Client;
use crate::output::{time, Printer};
use crate::CtlError;

pub async fn run(args: KeyArgs, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    match args.verb {
        KeyVerb::Create(create) => create_key(create, client, out).await,
        KeyVerb::List { all } => list(all, client, out).await,
        KeyVerb::Revoke { id } => revoke(id, client, out).await,
    }
}

async fn create_key(args: KeyCreate, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let expires_at = match &args.expires {
        Some(when) => Some(
            gateway_shared::duration::parse_expiry(when, now_secs())
                .map_err(|e| CtlError::Usage(e.to_string()))?,
        ),
        None => None,
    };
    let request = pb::CreateKeyRequest {
        name: args.name,
        permissions: args.permissions,
        providers: args.providers,
        expires_at,
        ..Default::default()
    };
    let mut keys = client.keys.clone();
    let created = client.call(keys.create_key(request)).await?;
    let key = created.key.unwrap_or_default();
    if out.json {
        let mut doc = key_json(&key);
        doc["secret"] = Value::String(created.secret);
        out.json(&doc);
    } else {
        println!("{}", created.secret);
        out.note(&format!(
            "created key {} ({}). The secret above is shown only now: store it safely.",
            key.id, key.name
        ));
    }
    Ok(())
}

async fn list(all: bool, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let mut keys = client.keys.clone();
    let listed = client
        .call(keys.list_keys(pb::ListKeysRequest { all }))
        .await?;
    if out.json {
        out.json(&Value::Array(listed.keys.iter().map(key_json).collect()));
        return Ok(());
    }
    let rows = listed
        .keys
        .iter()
        .map(|k| {
            vec![
                k.id.clone(),
                k.name.clone(),
                format!("…{}", k.hint),
                k.permissions.join(","),
                if k.providers.is_empty() {
                    "all".to_owned()
                } else {
                    k.providers.join(",")
                },
                state(k),
                time(k.expires_at),
                time(k.last_used),
            ]
        })
        .collect();
    out.table(
        &[
            "id",
            "name",
            "secret",
            "permissions",
            "providers",
            "state",
            "expires",
            "last used",
        ],
        rows,
    );
    Ok(())
}

async fn revoke(id: String, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let mut keys = client.keys.clone();
    let revoked = client
        .call(keys.revoke_key(pb::RevokeKeyRequest { id }))
        .await?;
    let key = revoked.key.unwrap_or_default();
    if out.json {
        out.json(&key_json(&key));
    } else {
        println!("revoked {} ({})", key.id, key.name);
    }
    Ok(())
}

fn state(k: &pb::Key) -> String {
    if k.revoked_at.is_some() {
        "revoked".to_owned()
    } else if k.expires_at.is_some_and(|at| at <= now_secs()) {
        "expired".to_owned()
    } else {
        "active".to_owned()
    }
}

fn key_json(k: &pb::Key) -> Value {
    json!({
        "id": k.id,
        "name": k.name,
        "hint": k.hint,
        "permissions": k.permissions,
        "providers": k.providers,
        "state": state(k),
        "expires_at": k.expires_at,
        "created_at": k.created_at,
        "last_used": k.last_used,
        "revoked_at": k.revoked_at,
    })
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

//! `gatewayctl key create|list|show|update|rotate|revoke|delete`.

use gateway_proto::v1 as pb;
use serde_json::{json, Value};

use super::confirm;
use crate::cli::{KeyArgs, KeyCreate, KeyScope, KeyUpdateArgs, KeyVerb};
use crate::client::Client;
use crate::output::{time, Printer};
use crate::CtlError;

pub async fn run(args: KeyArgs, client: &mut Client, out: &Printer) -> Result<(), CtlError> {
    let mut keys = client.keys.clone();
    match args.verb {
        KeyVerb::Create(create) => {
            let created = client
                .call(keys.create_key(create_request(create)?))
                .await?;
            print_secret(
                out,
                created.key.unwrap_or_default(),
                created.secret,
                "created",
            );
        }
        KeyVerb::List { all } => {
            let listed = client
                .call(keys.list_keys(pb::ListKeysRequest { all }))
                .await?;
            print_list(out, &listed.keys);
        }
        KeyVerb::Show { id } => {
            let shown = client.call(keys.get_key(pb::GetKeyRequest { id })).await?;
            print_shown(out, &shown);
        }
        KeyVerb::Update(update) => {
            let updated = client
                .call(keys.update_key(update_request(update)?))
                .await?;
            print_key(out, &updated.key.unwrap_or_default());
        }
        KeyVerb::Rotate { id, grace } => {
            let request = pb::RotateKeyRequest {
                id,
                grace_seconds: grace.as_secs(),
            };
            let rotated = client.call(keys.rotate_key(request)).await?;
            print_secret(
                out,
                rotated.key.unwrap_or_default(),
                rotated.secret,
                "rotated",
            );
        }
        KeyVerb::Revoke { id } => {
            let revoked = client
                .call(keys.revoke_key(pb::RevokeKeyRequest { id }))
                .await?;
            print_done(out, &revoked.key.unwrap_or_default(), "revoked");
        }
        KeyVerb::Delete { id, yes } => {
            confirm(&format!("Delete key {id} for good?"), yes)?;
            let deleted = client
                .call(keys.delete_key(pb::DeleteKeyRequest { id }))
                .await?;
            print_done(out, &deleted.key.unwrap_or_default(), "deleted");
        }
    }
    Ok(())
}

fn create_request(args: KeyCreate) -> Result<pb::CreateKeyRequest, CtlError> {
    let limits = Some(args.scope.limits());
    let KeyScope {
        providers,
        models,
        allow_ip,
        deny_ip,
        note,
        ..
    } = args.scope;
    Ok(pb::CreateKeyRequest {
        name: super::required(args.name, "--name", "Key name")?,
        permissions: args.permissions,
        providers: providers.unwrap_or_default(),
        models: models.unwrap_or_default(),
        expires_at: args.expires.as_deref().map(expiry).transpose()?,
        limits,
        allowed_ips: allow_ip.unwrap_or_default(),
        denied_ips: deny_ip.unwrap_or_default(),
        note: note.unwrap_or_default(),
    })
}

fn update_request(args: KeyUpdateArgs) -> Result<pb::UpdateKeyRequest, CtlError> {
    let limits = Some(args.scope.limits());
    let KeyScope {
        providers,
        models,
        allow_ip,
        deny_ip,
        note,
        ..
    } = args.scope;
    let list = |values: Option<Vec<String>>| values.map(|values| pb::StringList { values });
    let never = args.expires.as_deref() == Some("never");
    Ok(pb::UpdateKeyRequest {
        id: args.id,
        name: args.name,
        permissions: list(args.permissions),
        providers: list(providers),
        models: list(models),
        expires_at: args
            .expires
            .as_deref()
            .filter(|_| !never)
            .map(expiry)
            .transpose()?,
        clear_expiry: never,
        limits,
        allowed_ips: list(allow_ip),
        denied_ips: list(deny_ip),
        note,
    })
}

fn expiry(when: &str) -> Result<i64, CtlError> {
    gateway_shared::duration::parse_expiry(when, now_secs())
        .map_err(|e| CtlError::Usage(e.to_string()))
}

fn print_secret(out: &Printer, key: pb::Key, secret: String, verb: &str) {
    if out.json {
        let mut doc = key_json(&key);
        doc["secret"] = Value::String(secret);
        out.json(&doc);
        return;
    }
    say!("{secret}");
    out.note(&format!(
        "{verb} key {} ({}). The secret above is shown only now: store it safely.",
        key.id, key.name
    ));
}

fn print_done(out: &Printer, key: &pb::Key, verb: &str) {
    if out.json {
        out.json(&key_json(key));
    } else {
        say!(
            "{verb} {} ({})",
            key.id,
            crate::output::printable(&key.name)
        );
    }
}

fn print_list(out: &Printer, keys: &[pb::Key]) {
    if out.json {
        out.json(&Value::Array(keys.iter().map(key_json).collect()));
        return;
    }
    let rows = keys
        .iter()
        .map(|k| {
            vec![
                out.id(&k.id),
                k.name.clone(),
                format!("…{}", k.hint),
                k.permissions.join(","),
                all_if_empty(&k.providers),
                all_if_empty(&k.models),
                state(k),
                time(k.expires_at),
                time(k.last_used),
            ]
        })
        .collect();
    out.listing(
        &[
            "id",
            "name",
            "secret",
            "permissions",
            "providers",
            "models",
            "state",
            "expires",
            "last used",
        ],
        rows,
        &[0, 1, 3, 6, 7],
    );
}

fn print_key(out: &Printer, k: &pb::Key) {
    if out.json {
        out.json(&key_json(k));
        return;
    }
    out.table(&["key", ""], key_rows(k));
}

/// `key show`: the key, and what a subscription rule turned away of its requests.
fn print_shown(out: &Printer, shown: &pb::GetKeyResponse) {
    let k = shown.key.clone().unwrap_or_default();
    let refusals: Vec<String> = shown
        .client_refusals
        .iter()
        .map(|r| format!("{} {}", r.reason, r.count))
        .collect();
    if out.json {
        let mut value = key_json(&k);
        value["budgets"] = crate::cmd::budget::json(&shown.budgets);
        value["client_refusals"] = shown
            .client_refusals
            .iter()
            .map(|r| (r.reason.clone(), Value::from(r.count)))
            .collect::<serde_json::Map<_, _>>()
            .into();
        out.json(&value);
        return;
    }
    let mut rows = key_rows(&k);
    let refused = match refusals.is_empty() {
        true => "none".to_owned(),
        false => refusals.join(", "),
    };
    rows.push(vec!["client refusals".to_owned(), refused]);
    for budget in &shown.budgets {
        rows.push(vec!["spent".to_owned(), crate::cmd::budget::shown(budget)]);
    }
    out.table(&["key", ""], rows);
}

/// The key's settings as table rows.
fn key_rows(k: &pb::Key) -> Vec<Vec<String>> {
    let limit = |n: u64| {
        if n == 0 {
            "unlimited".to_owned()
        } else {
            n.to_string()
        }
    };
    let l = k.limits.unwrap_or_default();
    let n = |v: Option<u32>| u64::from(v.unwrap_or(0));
    let bucket = match (n(l.requests_per_second), n(l.burst)) {
        (0, _) => "none".to_owned(),
        (rate, 0) => format!("{rate}/s"),
        (rate, burst) => format!("{rate}/s, burst {burst}"),
    };
    vec![
        vec!["id".to_owned(), k.id.clone()],
        vec!["name".to_owned(), k.name.clone()],
        vec!["secret".to_owned(), format!("…{}", k.hint)],
        vec!["state".to_owned(), state(k)],
        vec!["permissions".to_owned(), k.permissions.join(",")],
        vec!["providers".to_owned(), all_if_empty(&k.providers)],
        vec!["models".to_owned(), all_if_empty(&k.models)],
        vec!["requests/min".to_owned(), limit(n(l.requests_per_minute))],
        vec!["requests/hour".to_owned(), limit(n(l.requests_per_hour))],
        vec!["token bucket".to_owned(), bucket],
        vec![
            "tokens/min".to_owned(),
            limit(l.tokens_per_minute.unwrap_or(0)),
        ],
        vec![
            "tokens/day".to_owned(),
            limit(l.tokens_per_day.unwrap_or(0)),
        ],
        vec!["in flight".to_owned(), limit(n(l.max_concurrent))],
        vec!["spend budgets".to_owned(), crate::cmd::budget::limits(&l)],
        vec!["from".to_owned(), networks(&k.allowed_ips, &k.denied_ips)],
        vec!["expires".to_owned(), time(k.expires_at)],
        vec!["created".to_owned(), time(Some(k.created_at))],
        vec!["last used".to_owned(), time(k.last_used)],
        vec!["rotated".to_owned(), time(k.rotated_at)],
        vec![
            "old secret valid until".to_owned(),
            time(k.previous_valid_until),
        ],
        vec!["note".to_owned(), k.note.clone()],
    ]
}

/// Where the key may be used from.
fn networks(allowed: &[String], denied: &[String]) -> String {
    let mut text = if allowed.is_empty() {
        "anywhere".to_owned()
    } else {
        allowed.join(",")
    };
    if !denied.is_empty() {
        text.push_str(&format!(" except {}", denied.join(",")));
    }
    text
}

fn all_if_empty(values: &[String]) -> String {
    if values.is_empty() {
        "all".to_owned()
    } else {
        values.join(",")
    }
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
    let l = k.limits.unwrap_or_default();
    json!({
        "id": k.id,
        "name": k.name,
        "hint": k.hint,
        "permissions": k.permissions,
        "providers": k.providers,
        "models": k.models,
        "requests_per_minute": l.requests_per_minute.unwrap_or(0),
        "requests_per_hour": l.requests_per_hour.unwrap_or(0),
        "tokens_per_minute": l.tokens_per_minute.unwrap_or(0),
        "tokens_per_day": l.tokens_per_day.unwrap_or(0),
        "requests_per_second": l.requests_per_second.unwrap_or(0),
        "burst": l.burst.unwrap_or(0),
        "max_concurrent": l.max_concurrent.unwrap_or(0),
        "budget_usd": {
            "day": l.budget_usd_micros_day.unwrap_or(0) as f64 / 1e6,
            "week": l.budget_usd_micros_week.unwrap_or(0) as f64 / 1e6,
            "month": l.budget_usd_micros_month.unwrap_or(0) as f64 / 1e6,
            "total": l.budget_usd_micros_total.unwrap_or(0) as f64 / 1e6,
        },
        "allowed_ips": k.allowed_ips,
        "denied_ips": k.denied_ips,
        "note": k.note,
        "state": state(k),
        "expires_at": k.expires_at,
        "created_at": k.created_at,
        "last_used": k.last_used,
        "revoked_at": k.revoked_at,
        "rotated_at": k.rotated_at,
        "previous_valid_until": k.previous_valid_until,
    })
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

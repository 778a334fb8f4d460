//! Auth: finds the gateway key the client presented (`x-api-key`, `Authorization:
//! Bearer`, `x-goog-api-key` or `?key=`), looks it up by its HMAC digest in the snapshot,
//! and checks revocation, expiry, permission and provider scope.

use std::sync::Arc;

use http::HeaderMap;

use super::respond::Reject;
use super::route::ApiRoute;
use crate::secrets::KeyHasher;
use crate::state::{ActiveKey, Snapshot};

/// The first non-empty credential, in the order the clients use them.
fn presented<'a>(headers: &'a HeaderMap, query: Option<&'a str>) -> Option<&'a str> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    header("x-api-key")
        .or_else(|| {
            header("authorization")
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
                .map(str::trim)
                .filter(|v| !v.is_empty())
        })
        .or_else(|| header("x-goog-api-key"))
        .or_else(|| query_key(query))
}

fn query_key(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("key="))
        .filter(|v| !v.is_empty())
}

/// Authenticates one request and, for an API `route`, authorises it (without one, any
/// valid key passes: a key holder reading its own usage).
pub fn authenticate(
    snapshot: &Snapshot,
    hasher: &KeyHasher,
    headers: &HeaderMap,
    query: Option<&str>,
    route: Option<&ApiRoute>,
    now_ms: u64,
) -> Result<Arc<ActiveKey>, Reject> {
    let secret = presented(headers, query).ok_or_else(|| {
        Reject::unauthorized(
            "no gateway key: send it in x-api-key, Authorization: Bearer, x-goog-api-key or ?key=",
        )
    })?;
    if !gateway_shared::keyfmt::looks_like_key_secret(secret) {
        // Often a provider's own key (sk-ant-…, AIza…) pasted where the gateway's goes.
        return Err(Reject::unauthorized(
            "invalid gateway key: a gateway key is gwk_ and 43 more characters (is this a provider's own key?)",
        ));
    }
    // The secret is never compared: its keyed digest is looked up, so lookup timing can
    // tell an attacker nothing about any stored secret.
    let digest = hasher.digest(secret);
    let now = (now_ms / 1000) as crate::model::UnixSecs;
    let key = snapshot
        .key(&digest, now)
        .ok_or_else(|| Reject::unauthorized("invalid gateway key"))?;
    if key.record.is_expired(now) {
        return Err(Reject::forbidden("this gateway key has expired"));
    }
    let Some(route) = route else {
        return Ok(Arc::clone(key));
    };
    if !key.allows(route.permission) {
        return Err(Reject::forbidden(format!(
            "this gateway key lacks the {} permission",
            route.permission.as_str()
        )));
    }
    let provider = route.dialect.provider();
    if !key.reaches(provider) {
        return Err(Reject::forbidden(format!(
            "this gateway key may not use {provider} accounts"
        )));
    }
    Ok(Arc::clone(key))
}

/// Refuses a model outside the key's patterns.
/// A key limited to some models must name one of them; a request that names none (a
/// body without `model`) is refused rather than let through unchecked.
pub fn check_model(key: &ActiveKey, model: Option<&str>, route: &ApiRoute) -> Result<(), Reject> {
    let scoped = !key.record.models.is_empty();
    if model.is_none() && scoped && route.json_body {
        return Err(Reject::forbidden(
            "this gateway key is limited to some models; the request must name one",
        ));
    }
    if key.record.allows_model(model) {
        return Ok(());
    }
    Err(Reject::forbidden(format!(
        "this gateway key may not use model {}",
        model.unwrap_or_default()
    )))
}

/// A key with a spend budget generates only with models the price table prices: an
/// unpriced model would cost nothing against the budget.
pub fn check_priced(
    key: &ActiveKey,
    model: Option<&str>,
    route: &ApiRoute,
    prices: &crate::prices::PriceTable,
) -> Result<(), Reject> {
    let budgeted = !key.record.rate_limit.budget_usd.is_none();
    if !budgeted || route.permission != crate::model::Permission::Write {
        return Ok(());
    }
    match model {
        Some(model) if prices.prices(model) => Ok(()),
        Some(model) => Err(Reject::forbidden(format!(
            "this gateway key has a spend budget and model {model} has no price; ask the operator to add a [[prices]] row for it"
        ))),
        None => Err(Reject::forbidden(
            "this gateway key has a spend budget; the request must name a model",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_sources_in_client_order() {
        let mut h = HeaderMap::new();
        assert_eq!(presented(&h, Some("alt=sse&key=q1")), Some("q1"));
        h.insert("x-goog-api-key", "".parse().unwrap());
        assert_eq!(
            presented(&h, None),
            None,
            "Gemini CLI's empty header is no key"
        );
        h.insert("x-goog-api-key", "g1".parse().unwrap());
        assert_eq!(presented(&h, Some("key=q1")), Some("g1"));
        h.insert("authorization", "Bearer b1".parse().unwrap());
        assert_eq!(presented(&h, None), Some("b1"));
        h.insert("x-api-key", "a1".parse().unwrap());
        assert_eq!(presented(&h, None), Some("a1"));
    }
}

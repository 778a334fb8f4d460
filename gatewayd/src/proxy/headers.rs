//! Which headers cross the gateway: everything the client sent except hop-by-hop
//! headers and its gateway key, which the account's credential replaces; on the way back,
//! everything the upstream sent except hop-by-hop headers.

use http::header::{self, HeaderName};
use http::{HeaderMap, HeaderValue};

use crate::state::Account;

/// Hop-by-hop headers (RFC 9110 §7.6.1) plus those hyper and reqwest set themselves.
const HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Where clients put the gateway key; never forwarded.
const CLIENT_CREDENTIALS: [HeaderName; 3] = [
    header::AUTHORIZATION,
    HeaderName::from_static("x-api-key"),
    HeaderName::from_static("x-goog-api-key"),
];

/// The client's headers as they go upstream, before the account's credential is added.
pub fn upstream_request(client: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(client.len() + 2);
    for (name, value) in client {
        if HOP_BY_HOP.contains(name)
            || CLIENT_CREDENTIALS.contains(name)
            || name == header::HOST
            || name == header::CONTENT_LENGTH
            || name == header::ACCEPT_ENCODING
        {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    // The meter reads the answer, so it must arrive uncompressed.
    out.insert(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("identity"),
    );
    out
}

/// Adds the account's credential the way its provider expects it. OAuth accounts send
/// `bearer` and need `oauth_beta` among the client's `anthropic-beta` values.
pub fn inject_credential(
    headers: &mut HeaderMap,
    account: &Account,
    bearer: Option<HeaderValue>,
    oauth_beta: &str,
) {
    let Some(bearer) = bearer else {
        let (name, value) = account.credential_header();
        headers.insert(name, value);
        return;
    };
    headers.insert(header::AUTHORIZATION, bearer);
    if oauth_beta.is_empty() {
        return;
    }
    let beta = HeaderName::from_static("anthropic-beta");
    let merged = match headers.get(&beta).and_then(|v| v.to_str().ok()) {
        Some(list) if list.split(',').any(|b| b.trim() == oauth_beta) => return,
        Some(list) if !list.trim().is_empty() => format!("{list},{oauth_beta}"),
        _ => oauth_beta.to_owned(),
    };
    if let Ok(value) = HeaderValue::from_str(&merged) {
        headers.insert(beta, value);
    }
}

/// The upstream's response headers as they go to the client.
pub fn downstream_response(upstream: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(upstream.len());
    for (name, value) in upstream {
        if !HOP_BY_HOP.contains(name) {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

/// The client's `User-Agent`, copied out (at most 200 bytes). A clone of the parsed
/// header would share, and so keep alive for the whole answer, the connection's read
/// buffer it was parsed from — hundreds of kilobytes per open stream.
pub fn owned_user_agent(headers: &HeaderMap) -> Option<HeaderValue> {
    let ua = headers.get(header::USER_AGENT)?.as_bytes();
    HeaderValue::from_bytes(&ua[..ua.len().min(200)]).ok()
}

/// The query string without the gateway key (`key=`), or `None` if nothing is left.
pub fn upstream_query(query: Option<&str>) -> Option<String> {
    let query = query?;
    if !query.split('&').any(|p| p.starts_with("key=")) {
        return Some(query.to_owned()).filter(|q| !q.is_empty());
    }
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.starts_with("key=") && !p.is_empty())
        .collect();
    (!kept.is_empty()).then(|| kept.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_key_and_hop_headers_do_not_travel() {
        let mut client = HeaderMap::new();
        client.insert("x-api-key", "gwk_secret".parse().unwrap());
        client.insert("authorization", "Bearer gwk_secret".parse().unwrap());
        client.insert("connection", "keep-alive".parse().unwrap());
        client.insert("anthropic-beta", "a,b".parse().unwrap());
        client.insert("accept-encoding", "gzip, br".parse().unwrap());
        let up = upstream_request(&client);
        assert!(up.get("x-api-key").is_none() && up.get("authorization").is_none());
        assert!(up.get("connection").is_none());
        assert_eq!(up["anthropic-beta"], "a,b");
        assert_eq!(up["accept-encoding"], "identity");
    }

    #[test]
    fn key_param_is_dropped_from_the_query() {
        assert_eq!(
            upstream_query(Some("alt=sse&key=gwk_x")).as_deref(),
            Some("alt=sse")
        );
        assert_eq!(upstream_query(Some("key=gwk_x")), None);
        assert_eq!(
            upstream_query(Some("beta=true")).as_deref(),
            Some("beta=true")
        );
    }
}

//! What goes upstream for an API request from an identified key: the body read under the
//! size and pace limits, its model and conversation peeked, the key's model permissions
//! checked, the path, query and headers the upstream sees. It runs while the key's limits
//! are decided (a round trip to Redis in a cluster), and its result is used only once the
//! request is admitted.

use std::sync::Arc;

use bytes::Bytes;
use http::request::Parts;
use http::HeaderValue;
use hyper::body::Incoming;

use super::context::REQUEST_ID_HEADER;
use super::envelope::GeminiCall;
use super::request_body::{self, BodyPace};
use super::respond::Reject;
use super::route::ApiRoute;
use super::upstream::Exchange;
use super::{auth, headers, names, peek};
use crate::config::LiveSettings;
use crate::state::ActiveKey;

/// An API request ready to forward.
pub struct Prepared {
    pub exchange: Exchange,
    pub model: Option<Arc<str>>,
    /// The conversation, for sticky sessions.
    pub session: Option<u64>,
}

/// What preparing a request reads.
pub struct Inbound<'a> {
    pub api: &'a ApiRoute,
    pub parts: &'a Parts,
    pub key: &'a ActiveKey,
    pub settings: &'a LiveSettings,
    pub pace: BodyPace,
    /// The request's id, sent upstream too.
    pub shown: HeaderValue,
}

/// Reads `body` and builds the upstream request, or says why the request is refused.
pub async fn prepare(request: Inbound<'_>, body: Incoming) -> Result<Prepared, Reject> {
    let Inbound {
        api,
        parts,
        key,
        settings,
        pace,
        shown,
    } = request;
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body = request_body::read_request(body, declared, settings.max_body_bytes, pace).await?;
    let peeked = peek::peek(api, &body)?;
    let (model, gemini) = gemini_call(api, &body, peeked.model)?;
    if let Some(name) = model.as_deref() {
        names::check_model(api.dialect, name)?;
    }
    auth::check_model(key, model.as_deref(), api)?;
    auth::check_priced(key, model.as_deref(), api, &settings.prices)?;
    let query = headers::upstream_query(parts.uri.query());
    let path_and_query = match &query {
        Some(q) => format!("{}?{q}", parts.uri.path()),
        None => parts.uri.path().to_owned(),
    };
    let mut upstream_headers = headers::upstream_request(&parts.headers);
    upstream_headers.insert(REQUEST_ID_HEADER, shown);
    let exchange = Exchange {
        method: parts.method.clone(),
        path_and_query,
        query,
        headers: upstream_headers,
        body,
        gemini,
    };
    Ok(Prepared {
        exchange,
        model,
        session: peeked.session,
    })
}

/// The neutral form of a Gemini generation call (and, for a Code Assist client, the model
/// its envelope names).
fn gemini_call(
    api: &ApiRoute,
    body: &Bytes,
    model: Option<Arc<str>>,
) -> Result<(Option<Arc<str>>, Option<GeminiCall>), Reject> {
    let Some(route) = api.gemini else {
        return Ok((model, None));
    };
    if !route.envelope {
        let name = model.as_deref().unwrap_or_default();
        let call = GeminiCall::plain(route.method, name, body.clone());
        return Ok((model, Some(call)));
    }
    let call = GeminiCall::from_envelope(route.method, body)?;
    Ok((Some(Arc::from(call.model.as_str())), Some(call)))
}

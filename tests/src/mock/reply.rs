//! What the mock sends: a reply (status, headers, events, pacing, cut point) turned into
//! a streamed HTTP response, and the knobs of a successful answer.

use std::time::Duration;

use bytes::Bytes;
use futures_util::stream;
use http::{Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use serde_json::Value;

use super::faults::Action;
use super::State;

pub(crate) type MockBody = BoxBody<Bytes, std::io::Error>;

/// What a handler decided to send.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(&'static str, String)>,
    pub events: Vec<Bytes>,
    pub interval: Duration,
    /// Cut the connection after this many events.
    pub cut_after: Option<usize>,
}

impl Reply {
    pub fn json(status: StatusCode, body: &Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".to_owned())],
            events: vec![Bytes::from(body.to_string())],
            interval: Duration::ZERO,
            cut_after: None,
        }
    }
}

impl Reply {
    /// This (JSON error) reply as some upstreams send it after the headers went out: a
    /// 200 event stream whose first event is the error, named `event` when given.
    pub fn into_stream_error(self, event: Option<&str>) -> Self {
        let error = self.events.into_iter().next().unwrap_or_default();
        let data = String::from_utf8_lossy(&error);
        let text = match event {
            Some(name) => format!("event: {name}\ndata: {data}\n\n"),
            None => format!("data: {data}\n\n"),
        };
        Self {
            status: StatusCode::OK,
            headers: vec![("content-type", "text/event-stream".to_owned())],
            events: vec![Bytes::from(text)],
            interval: Duration::ZERO,
            cut_after: None,
        }
    }
}

impl Reply {
    /// Ends this event stream after `after` events with `error`'s (single) event.
    pub fn fail_midway(&mut self, after: usize, error: Reply) {
        self.events.truncate(after);
        self.events.extend(error.events);
    }
}

/// The knobs of one successful answer.
pub(crate) struct Knobs {
    pub tokens: u64,
    pub chunk_tokens: u64,
    pub interval: Duration,
    pub thinking: u64,
    pub cut_after: Option<usize>,
}

pub(crate) fn to_response(reply: Reply) -> Response<MockBody> {
    let Reply {
        status,
        headers,
        events,
        interval,
        cut_after,
    } = reply;
    if events.len() == 1 && cut_after.is_none() {
        let body = http_body_util::Full::new(events.into_iter().next().unwrap_or_default())
            .map_err(|never| match never {})
            .boxed();
        return finish(Response::new(body), status, headers);
    }
    let cut = cut_after.unwrap_or(usize::MAX);
    let frames = stream::unfold(
        (events.into_iter(), 0usize),
        move |(mut events, sent)| async move {
            if sent == cut {
                // Let what was sent reach the wire before the connection is cut.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let err =
                    std::io::Error::new(std::io::ErrorKind::ConnectionReset, "mock cut the stream");
                return Some((Err(err), (events, usize::MAX)));
            }
            if sent == usize::MAX {
                return None;
            }
            let event = events.next()?;
            if sent > 0 && !interval.is_zero() {
                tokio::time::sleep(interval).await;
            }
            Some((Ok(Frame::data(event)), (events, sent + 1)))
        },
    );
    finish(
        Response::new(StreamBody::new(frames).boxed()),
        status,
        headers,
    )
}

fn finish(
    mut response: Response<MockBody>,
    status: StatusCode,
    headers: Vec<(&'static str, String)>,
) -> Response<MockBody> {
    *response.status_mut() = status;
    for (name, value) in headers {
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            response.headers_mut().append(name, v);
        }
    }
    response
}

/// Reads the knobs of a success from the config and an `ok` action.
pub(crate) fn knobs(state: &State, action: &Option<Action>) -> Knobs {
    let c = &state.config;
    let mut k = Knobs {
        tokens: c.tokens,
        chunk_tokens: c.chunk_tokens.max(1),
        interval: Duration::from_millis(c.interval_ms),
        thinking: 0,
        cut_after: None,
    };
    match action {
        Some(Action::Ok {
            tokens,
            interval_ms,
            thinking,
            ..
        }) => {
            k.tokens = tokens.unwrap_or(k.tokens);
            k.interval = interval_ms.map_or(k.interval, Duration::from_millis);
            k.thinking = thinking.unwrap_or(0);
        }
        Some(Action::Drop { after }) => k.cut_after = Some(*after),
        _ => {}
    }
    k
}

//! The mock's HTTP server: dispatch by path, record, apply faults, stream the reply.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream;
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use serde_json::Value;

use super::faults::{self, Action, Fault};
use super::{anthropic, gemini, MockHandle, Recorded, State};

/// Defaults for successful answers.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Words of generated text (one token each).
    pub tokens: u64,
    /// Tokens per stream event.
    pub chunk_tokens: u64,
    pub ttfb_ms: u64,
    pub interval_ms: u64,
    /// Keep each request's body and reply (turn off for benchmarks).
    pub record: bool,
    /// Answer from a canned request instead of reading the client's body: no JSON
    /// parsing and no fault rules (in-band directives still apply). A static upstream for
    /// saturation benchmarks.
    pub static_answers: bool,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            tokens: 16,
            chunk_tokens: 4,
            ttfb_ms: 0,
            interval_ms: 0,
            record: true,
            static_answers: false,
        }
    }
}

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

/// The knobs of one successful answer.
pub(crate) struct Knobs {
    pub tokens: u64,
    pub chunk_tokens: u64,
    pub interval: Duration,
    pub thinking: u64,
    pub cut_after: Option<usize>,
}

type MockBody = BoxBody<Bytes, std::io::Error>;

pub(crate) fn start(config: MockConfig) -> MockHandle {
    let state = Arc::new(State {
        config,
        ..State::default()
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind mock upstream");
    listener
        .set_nonblocking(true)
        .expect("nonblocking listener");
    let addr = listener.local_addr().expect("mock address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serve_state = Arc::clone(&state);
    std::thread::Builder::new()
        .name("mock-upstream".to_owned())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("mock runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("adopt listener");
                tokio::select! {
                    () = serve(listener, serve_state) => {}
                    _ = stopped => {}
                }
            });
        })
        .expect("spawn mock thread");
    MockHandle {
        addr,
        state,
        stop: Some(stop),
    }
}

/// Serves on an already-bound listener until the task is dropped (used by the binary).
pub async fn serve_on(listener: tokio::net::TcpListener, config: MockConfig) {
    serve(
        listener,
        Arc::new(State {
            config,
            ..State::default()
        }),
    )
    .await;
}

async fn serve(listener: tokio::net::TcpListener, state: Arc<State>) {
    let builder = auto::Builder::new(TokioExecutor::new());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        let connection = state
            .connections
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        let service = service_fn(move |req| {
            let state = Arc::clone(&state);
            async move { Ok::<_, Infallible>(handle(req, state, connection).await) }
        });
        let conn = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
}

async fn handle(req: Request<Incoming>, state: Arc<State>, connection: u64) -> Response<MockBody> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    if let Some(admin) = path.strip_prefix("/__mock/") {
        return to_response(admin_api(&parts.method, admin, &body, &state));
    }
    let query = parts.uri.query().map(str::to_owned);
    let account = credential(&parts.headers, query.as_deref());
    // Directives still work in static mode: they are how a benchmark asks for long streams.
    if state.config.static_answers && memchr::memmem::find(&body, b"[[mock:").is_none() {
        return to_response(canned(
            &state,
            &parts.method,
            &path,
            query.as_deref(),
            account.as_deref(),
            &body,
        ));
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    let action = faults::take(&mut state.faults.lock().unwrap(), &path, account.as_deref())
        .or_else(|| faults::directive(&text));
    let seq = state.next_seq();
    let google = path.starts_with("/v1beta/")
        || path.contains(':')
        || parts.headers.contains_key("x-goog-api-key")
        || query.as_deref().is_some_and(|q| q.contains("key="));
    let ttfb = match &action {
        Some(Action::Ok {
            ttfb_ms: Some(ms), ..
        }) => *ms,
        _ => state.config.ttfb_ms,
    };
    if ttfb > 0 {
        tokio::time::sleep(Duration::from_millis(ttfb)).await;
    }
    let reply = if google {
        gemini::reply(
            &state,
            seq,
            &parts.method,
            &path,
            query.as_deref(),
            account.as_deref(),
            &body,
            action,
        )
    } else {
        anthropic::reply(
            &state,
            seq,
            &parts.method,
            &path,
            account.as_deref(),
            &body,
            action,
        )
    };
    if state.config.record {
        let sent: Vec<u8> = reply
            .events
            .iter()
            .take(reply.cut_after.unwrap_or(usize::MAX))
            .flat_map(|e| e.iter().copied())
            .collect();
        state.requests.lock().unwrap().push(Recorded {
            seq,
            method: parts.method.to_string(),
            path,
            query,
            headers: parts
                .headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            account,
            body: text,
            connection,
            response: sent,
            status: reply.status.as_u16(),
        });
    }
    to_response(reply)
}

/// The answer to a small fixed request of the same route and streaming mode.
fn canned(
    state: &State,
    method: &http::Method,
    path: &str,
    query: Option<&str>,
    account: Option<&str>,
    body: &[u8],
) -> Reply {
    if path.starts_with("/v1beta/") || path.contains(':') {
        let request = br#"{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"#;
        return gemini::reply(state, 0, method, path, query, account, request, None);
    }
    let stream = memchr::memmem::find(body, b"\"stream\":true").is_some();
    let request = if stream {
        br#"{"model":"claude-mock","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
            .as_slice()
    } else {
        br#"{"model":"claude-mock","messages":[{"role":"user","content":"hi"}]}"#.as_slice()
    };
    anthropic::reply(state, 0, method, path, account, request, None)
}

fn credential(headers: &http::HeaderMap, query: Option<&str>) -> Option<String> {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    h("x-api-key")
        .or_else(|| h("x-goog-api-key"))
        .or_else(|| h("authorization").and_then(|v| v.strip_prefix("Bearer ").map(str::to_owned)))
        .or_else(|| {
            query?
                .split('&')
                .find_map(|p| p.strip_prefix("key="))
                .map(str::to_owned)
        })
        .filter(|v| !v.is_empty())
}

fn admin_api(method: &http::Method, what: &str, body: &[u8], state: &State) -> Reply {
    let ok = || Reply::json(StatusCode::OK, &serde_json::json!({"ok": true}));
    match (method.as_str(), what) {
        ("POST", "faults") => match serde_json::from_slice::<Fault>(body) {
            Ok(fault) => {
                state.faults.lock().unwrap().push(fault);
                ok()
            }
            Err(e) => Reply::json(
                StatusCode::BAD_REQUEST,
                &serde_json::json!({"error": e.to_string()}),
            ),
        },
        ("DELETE", "faults") => {
            state.faults.lock().unwrap().clear();
            ok()
        }
        ("GET", "requests") => {
            let requests = state.requests.lock().unwrap().clone();
            Reply::json(
                StatusCode::OK,
                &serde_json::to_value(requests).unwrap_or_default(),
            )
        }
        ("DELETE", "requests") => {
            state.requests.lock().unwrap().clear();
            ok()
        }
        ("GET", "stats") => {
            let count = *state.seq.lock().unwrap();
            Reply::json(StatusCode::OK, &serde_json::json!({"requests": count}))
        }
        _ => Reply::json(
            StatusCode::NOT_FOUND,
            &serde_json::json!({"error": "unknown mock admin path"}),
        ),
    }
}

fn to_response(reply: Reply) -> Response<MockBody> {
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

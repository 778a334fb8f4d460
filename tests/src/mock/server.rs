//! The mock's HTTP server: dispatch by path, record, apply faults, stream the reply.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;

use super::admin::admin_api;
use super::faults::{self, Action};
use super::reply::{to_response, MockBody, Reply};
use super::{anthropic, codeassist, gemini, oauth, MockHandle, Recorded, State};

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
    /// Lifetime of access tokens the OAuth endpoint issues, in seconds.
    pub oauth_expires_in: u64,
    /// The 5-hour utilisation subscription answers report (0.8 and above: a warning).
    pub utilization_5h: f64,
    /// Code Assist users must onboard before `loadCodeAssist` names their project.
    pub onboard_required: bool,
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
            oauth_expires_in: 28_800,
            utilization_5h: 0.12,
            onboard_required: false,
        }
    }
}

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
    let reply = if let Some(Action::Status { code, retry_after }) =
        action.clone().filter(|_| path == "/api/oauth/usage")
    {
        anthropic::status_fault(code, retry_after)
    } else if path == "/api/oauth/usage" {
        oauth::usage(&state, &parts.headers)
    } else if path == "/v1/oauth/token" {
        oauth::token(&state, seq, &body)
    } else if path == "/token" {
        codeassist::token(&state, seq, &body)
    } else if path.starts_with("/v1internal") {
        let bearer = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        codeassist::reply(
            &state,
            seq,
            &parts.method,
            &path,
            query.as_deref(),
            bearer,
            &body,
            action,
        )
    } else if let Some(refusal) = (!google)
        .then(|| oauth::check_bearer(&parts.headers))
        .flatten()
    {
        refusal
    } else if google {
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
        let mut reply = anthropic::reply(
            &state,
            seq,
            &parts.method,
            &path,
            account.as_deref(),
            &body,
            action,
        );
        let unified = reply
            .headers
            .iter()
            .any(|(n, _)| n.starts_with("anthropic-ratelimit-unified"));
        if is_bearer(&parts.headers) && !unified {
            reply
                .headers
                .extend(oauth::allowed_windows(&state, account.as_deref()));
        }
        reply
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

fn is_bearer(headers: &http::HeaderMap) -> bool {
    headers.contains_key("authorization") && !headers.contains_key("x-api-key")
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

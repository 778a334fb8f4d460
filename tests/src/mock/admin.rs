//! The mock's out-of-band admin API: fault rules, recorded requests, counters.

use http::StatusCode;

use super::faults::Fault;
use super::reply::Reply;
use super::State;

pub(crate) fn admin_api(method: &http::Method, what: &str, body: &[u8], state: &State) -> Reply {
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

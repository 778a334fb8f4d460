//! The Google-login roles of the mock: Code Assist (`/v1internal:*`, with envelopes,
//! project discovery and an onboarding operation, and Google's quota errors) and Google's
//! token endpoint (`POST /token`, form-encoded; refresh tokens do not rotate).

use std::sync::atomic::Ordering;

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::faults::Action;
use super::gemini::{error, frame, pieces, status_fault};
use super::reply::Reply;
use super::tokens::input_tokens;
use super::State;

/// The project every mock Google login belongs to.
pub const PROJECT: &str = "mock-project-1";

#[allow(clippy::too_many_arguments)]
pub(crate) fn reply(
    state: &State,
    seq: u64,
    method: &Method,
    path: &str,
    query: Option<&str>,
    bearer: Option<&str>,
    body: &[u8],
    action: Option<Action>,
) -> Reply {
    if bearer.is_none() {
        return error(
            401,
            "Request had invalid authentication credentials.",
            "UNAUTHENTICATED",
            None,
        );
    }
    let rest = path.strip_prefix("/v1internal").unwrap_or("");
    if method == Method::GET && rest.starts_with("/operations/") {
        return Reply::json(StatusCode::OK, &onboarded());
    }
    let Some(name) = rest.strip_prefix(':') else {
        return error(404, "Not found", "NOT_FOUND", None);
    };
    match action {
        Some(Action::Exhausted {
            reset_in,
            model_scoped,
        }) => return quota_exhausted(reset_in, model_scoped),
        Some(Action::Status {
            code: 429,
            retry_after,
        }) => return rate_limited(retry_after.unwrap_or(1)),
        Some(Action::Status { code, retry_after }) => return status_fault(code, retry_after),
        _ => {}
    }
    let request: Value = serde_json::from_slice(body).unwrap_or_default();
    match name {
        "loadCodeAssist" => Reply::json(StatusCode::OK, &load(state)),
        "onboardUser" => {
            state.onboarded.store(true, Ordering::Relaxed);
            Reply::json(
                StatusCode::OK,
                &json!({"name": "operations/mock-1", "done": false}),
            )
        }
        "generateContent" | "streamGenerateContent" => {
            if request["project"] != PROJECT {
                return error(
                    403,
                    "Permission denied on resource project.",
                    "PERMISSION_DENIED",
                    None,
                );
            }
            let model = request["model"].as_str().unwrap_or("gemini-mock");
            let stream = name == "streamGenerateContent";
            let (chunks, k) = pieces(state, seq, model, &request["request"], &action, stream);
            let wrapped = chunks
                .into_iter()
                .map(|c| json!({"response": c, "traceId": format!("trace-{seq}")}))
                .collect();
            frame(wrapped, &k, stream, query)
        }
        "countTokens" => Reply::json(
            StatusCode::OK,
            &json!({"totalTokens": input_tokens(&request["request"])}),
        ),
        "listExperiments" | "fetchAdminControls" | "recordCodeAssistMetrics" => {
            Reply::json(StatusCode::OK, &json!({}))
        }
        "retrieveUserQuota" => {
            let used = state.usage_5h.lock().unwrap().unwrap_or(0.25);
            Reply::json(
                StatusCode::OK,
                &json!({"buckets": [{"modelId": "gemini-2.5-pro", "tokenType": "REQUESTS",
                    "remainingFraction": 1.0 - used, "resetTime": "2026-11-29T00:00:00Z"}]}),
            )
        }
        _ => error(404, "Not found", "NOT_FOUND", None),
    }
}

/// `loadCodeAssist`: a tier and the project, unless the mock was told the user still has
/// to onboard (then only the allowed tiers, until `onboardUser` is called).
fn load(state: &State) -> Value {
    let tiers = json!([{"id": "standard-tier", "isDefault": true}]);
    if state.config.onboard_required && !state.onboarded.load(Ordering::Relaxed) {
        return json!({"allowedTiers": tiers});
    }
    json!({"currentTier": {"id": "standard-tier", "name": "Mock"}, "allowedTiers": tiers, "cloudaicompanionProject": PROJECT})
}

fn onboarded() -> Value {
    json!({"name": "operations/mock-1", "done": true, "response": {"cloudaicompanionProject": {"id": PROJECT, "name": "Mock"}}})
}

fn quota_exhausted(reset_in: u64, model_scoped: bool) -> Reply {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut metadata = json!({
        "quotaResetTimeStamp": rfc3339(now + reset_in),
        "quotaResetDelay": format!("{reset_in}s"),
    });
    if model_scoped {
        metadata["model"] = json!("gemini-mock-pro");
    }
    google_429(
        &format!("Individual quota reached. Resets in {reset_in}s."),
        json!({"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "QUOTA_EXHAUSTED", "domain": "cloudcode-pa.googleapis.com", "metadata": metadata}),
        reset_in,
    )
}

fn rate_limited(retry_after: u64) -> Reply {
    google_429(
        "Resource has been exhausted (e.g. check quota).",
        json!({"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED", "domain": "cloudcode-pa.googleapis.com"}),
        retry_after,
    )
}

fn google_429(message: &str, info: Value, delay: u64) -> Reply {
    let body = json!({"error": {"code": 429, "message": message, "status": "RESOURCE_EXHAUSTED", "details": [
        info,
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": format!("{delay}s")},
    ]}});
    Reply::json(StatusCode::TOO_MANY_REQUESTS, &body)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds (civil-from-days, proleptic Gregorian).
fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `POST /token`: Google's token endpoint. Refresh tokens start `1//`; `1//revoked…` ones
/// are refused. The code grant checks PKCE like the Claude role (`code-<challenge>`).
pub(crate) fn token(state: &State, seq: u64, body: &[u8]) -> Reply {
    state.oauth_calls.fetch_add(1, Ordering::Relaxed);
    let form: std::collections::HashMap<String, String> =
        form_urlencoded::parse(body).into_owned().collect();
    let field = |k: &str| form.get(k).map(String::as_str);
    let refused = |why: &str| {
        Reply::json(
            StatusCode::BAD_REQUEST,
            &json!({"error": "invalid_grant", "error_description": why}),
        )
    };
    if field("client_id").is_none() || field("client_secret").is_none() {
        return Reply::json(
            StatusCode::UNAUTHORIZED,
            &json!({"error": "invalid_client"}),
        );
    }
    let mut answer = json!({
        "access_token": format!("ya29.mock-{seq}"),
        "expires_in": state.config.oauth_expires_in,
        "scope": "https://www.googleapis.com/auth/cloud-platform",
        "token_type": "Bearer",
    });
    match field("grant_type") {
        Some("refresh_token") => match field("refresh_token") {
            Some(t) if t.starts_with("1//") && !t.starts_with("1//revoked") => {
                Reply::json(StatusCode::OK, &answer)
            }
            _ => refused("Token has been expired or revoked."),
        },
        Some("authorization_code") => {
            let (Some(code), Some(verifier)) = (field("code"), field("code_verifier")) else {
                return refused("code and code_verifier are required");
            };
            if !super::oauth::pkce_matches(code, verifier) {
                return refused("PKCE verification failed");
            }
            answer["refresh_token"] = json!(format!("1//mock-{seq}"));
            Reply::json(StatusCode::OK, &answer)
        }
        _ => refused("unsupported grant"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_789_938_194), "2026-09-20T21:03:14Z");
    }
}

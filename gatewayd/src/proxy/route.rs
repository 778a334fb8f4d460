//! Route: the method, path and credential header pick the dialect, the provider family
//! and what the request is for. Nothing here reads the body.

use gateway_shared::provider::Provider;
use http::{HeaderMap, Method};

use super::envelope::Method as GeminiMethod;
use crate::model::Permission;

/// The error and wire dialect of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Anthropic Messages (`{"type":"error","error":{…}}`).
    Anthropic,
    /// Gemini API (`{"error":{"code","message","status"}}`).
    Gemini,
}

impl Dialect {
    /// The dialect's name in records, metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Anthropic => "anthropic",
            Dialect::Gemini => "gemini",
        }
    }

    /// The provider family that serves this dialect.
    pub fn provider(self) -> Provider {
        match self {
            Dialect::Anthropic => Provider::ClaudeCode,
            Dialect::Gemini => Provider::GeminiCli,
        }
    }
}

/// What the gateway does with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /healthz`.
    Health,
    /// `GET /metrics`: Prometheus.
    Metrics,
    /// `HEAD` on any path: Claude Code's base-URL probe. No auth, no body.
    Probe,
    /// A proxied API call.
    Api(ApiRoute),
    /// A Code Assist housekeeping call (Gemini CLI's Google-login mode), answered by the
    /// gateway itself once the key is checked.
    Local(ApiRoute, LocalAnswer),
    /// `GET /gateway/usage`: the presented key's own usage, limits and budgets; errors in
    /// the dialect its credential's place suggests.
    OwnUsage(Dialect),
    /// Nothing here; answered 404 in the guessed dialect.
    NotFound(Dialect),
}

impl Route {
    /// The client's dialect, for API routes (and misses); `None` for the gateway's own.
    pub fn dialect(&self) -> Option<Dialect> {
        match self {
            Route::Api(api) | Route::Local(api, _) => Some(api.dialect),
            Route::NotFound(dialect) | Route::OwnUsage(dialect) => Some(*dialect),
            Route::Health | Route::Metrics | Route::Probe => None,
        }
    }
}

/// A proxied call: its dialect, what it needs, and what the path says about the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRoute {
    pub dialect: Dialect,
    /// `Write` for generation, `Read` for listings and token counts.
    pub permission: Permission,
    /// The request carries a JSON body that must be valid before going upstream.
    pub json_body: bool,
    /// Gemini names the model in the path; Anthropic in the body.
    pub path_model: Option<String>,
    /// A Gemini generation call, which Code Assist accounts can serve too.
    pub gemini: Option<GeminiRoute>,
}

/// Which Gemini method, and whether the client wrapped it in the Code Assist envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeminiRoute {
    pub method: GeminiMethod,
    pub envelope: bool,
}

/// The gateway's own answers to Code Assist housekeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalAnswer {
    /// `loadCodeAssist`: a tier and a project, so the client needs no onboarding.
    Load,
    /// `onboardUser` and operation polls: already done.
    Onboarded,
    /// `retrieveUserQuota`: no buckets to report.
    Quota,
    /// Experiments, admin controls, metrics and settings: nothing.
    Empty,
}

/// Classifies a request.
pub fn route(method: &Method, path: &str, headers: &HeaderMap, query: Option<&str>) -> Route {
    if method == Method::HEAD {
        return Route::Probe;
    }
    if method == Method::GET && path == "/healthz" {
        return Route::Health;
    }
    if method == Method::GET && path == "/metrics" {
        return Route::Metrics;
    }
    let google_credential = headers.contains_key("x-goog-api-key") || has_key_param(query);
    if method == Method::GET && path == "/gateway/usage" {
        return Route::OwnUsage(guess(google_credential));
    }
    if let Some(rest) = path.strip_prefix("/v1beta/") {
        return gemini(method, rest);
    }
    if let Some(rest) = path.strip_prefix("/v1internal") {
        return code_assist(method, rest);
    }
    if let Some(rest) = path.strip_prefix("/v1/") {
        return match (method, rest) {
            (&Method::POST, "messages") => anthropic(Permission::Write, true),
            (&Method::POST, "messages/count_tokens") => anthropic(Permission::Read, true),
            (&Method::GET, r) if is_model_listing(r) && !google_credential => {
                anthropic(Permission::Read, false)
            }
            (_, r) if r.starts_with("models") => gemini(method, rest),
            _ => Route::NotFound(guess(google_credential)),
        };
    }
    Route::NotFound(guess(google_credential))
}

fn is_model_listing(rest: &str) -> bool {
    rest == "models"
        || rest
            .strip_prefix("models/")
            .is_some_and(|id| !id.contains(':'))
}

fn anthropic(permission: Permission, json_body: bool) -> Route {
    Route::Api(ApiRoute {
        dialect: Dialect::Anthropic,
        permission,
        json_body,
        path_model: None,
        gemini: None,
    })
}

/// `rest` is the path after `/v1internal`: `:{method}` or `/operations/{id}`.
fn code_assist(method: &Method, rest: &str) -> Route {
    let api = |permission, json_body, gemini| ApiRoute {
        dialect: Dialect::Gemini,
        permission,
        json_body,
        path_model: None,
        gemini,
    };
    let local = |answer| Route::Local(api(Permission::Read, false, None), answer);
    if rest.starts_with("/operations/") && method == Method::GET {
        return local(LocalAnswer::Onboarded);
    }
    let Some(name) = rest.strip_prefix(':') else {
        return Route::NotFound(Dialect::Gemini);
    };
    if let (&Method::POST, Some(m)) = (method, GeminiMethod::parse(name)) {
        let permission = match m {
            GeminiMethod::CountTokens => Permission::Read,
            _ => Permission::Write,
        };
        let gemini = Some(GeminiRoute {
            method: m,
            envelope: true,
        });
        return Route::Api(api(permission, true, gemini));
    }
    match name {
        "loadCodeAssist" => local(LocalAnswer::Load),
        "onboardUser" => local(LocalAnswer::Onboarded),
        "retrieveUserQuota" => local(LocalAnswer::Quota),
        "listExperiments"
        | "fetchAdminControls"
        | "recordCodeAssistMetrics"
        | "getCodeAssistGlobalUserSetting"
        | "setCodeAssistGlobalUserSetting" => local(LocalAnswer::Empty),
        _ => Route::NotFound(Dialect::Gemini),
    }
}

/// `rest` is the path after `/v1beta/` or `/v1/`.
fn gemini(method: &Method, rest: &str) -> Route {
    let Some(models) = rest.strip_prefix("models") else {
        return Route::NotFound(Dialect::Gemini);
    };
    let api = |permission, json_body, path_model: Option<String>| {
        let gemini = path_model
            .as_deref()
            .and_then(|m| m.rsplit_once(':'))
            .and_then(|(_, action)| GeminiMethod::parse(action))
            .map(|method| GeminiRoute {
                method,
                envelope: false,
            });
        Route::Api(ApiRoute {
            dialect: Dialect::Gemini,
            permission,
            json_body,
            path_model: path_model.map(|m| match m.rsplit_once(':') {
                Some((model, _)) => model.to_owned(),
                None => m,
            }),
            gemini,
        })
    };
    if models.is_empty() {
        return match *method {
            Method::GET => api(Permission::Read, false, None),
            _ => Route::NotFound(Dialect::Gemini),
        };
    }
    let Some(target) = models.strip_prefix('/') else {
        return Route::NotFound(Dialect::Gemini);
    };
    match (method, target.rsplit_once(':')) {
        (&Method::GET, None) if !target.is_empty() => {
            api(Permission::Read, false, Some(target.to_owned()))
        }
        (&Method::POST, Some((model, action))) if !model.is_empty() => match action {
            // Embeddings are billed like generation: they need `write`.
            "generateContent" | "streamGenerateContent" | "embedContent" | "batchEmbedContents" => {
                api(Permission::Write, true, Some(target.to_owned()))
            }
            "countTokens" => api(Permission::Read, true, Some(target.to_owned())),
            _ => Route::NotFound(Dialect::Gemini),
        },
        _ => Route::NotFound(Dialect::Gemini),
    }
}

fn guess(google_credential: bool) -> Dialect {
    if google_credential {
        Dialect::Gemini
    } else {
        Dialect::Anthropic
    }
}

fn has_key_param(query: Option<&str>) -> bool {
    query.is_some_and(|q| q.split('&').any(|pair| pair.starts_with("key=")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(method: Method, path: &str, goog: bool) -> Route {
        let mut headers = HeaderMap::new();
        if goog {
            headers.insert("x-goog-api-key", "k".parse().unwrap());
        }
        route(&method, path, &headers, None)
    }

    fn dialect(route: Route) -> Dialect {
        match route {
            Route::Api(api) => api.dialect,
            other => panic!("not an API route: {other:?}"),
        }
    }

    #[test]
    fn anthropic_and_gemini_paths_are_told_apart() {
        assert_eq!(
            dialect(r(Method::POST, "/v1/messages", false)),
            Dialect::Anthropic
        );
        assert_eq!(
            dialect(r(Method::GET, "/v1/models", false)),
            Dialect::Anthropic
        );
        assert_eq!(dialect(r(Method::GET, "/v1/models", true)), Dialect::Gemini);
        assert_eq!(
            dialect(r(
                Method::POST,
                "/v1/models/gemini-2.5-pro:generateContent",
                false
            )),
            Dialect::Gemini
        );
        let Route::Api(api) = r(
            Method::POST,
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent",
            true,
        ) else {
            panic!()
        };
        assert_eq!(api.path_model.as_deref(), Some("gemini-2.5-pro"));
        assert_eq!(
            r(Method::POST, "/v1/complete", false),
            Route::NotFound(Dialect::Anthropic)
        );
        assert_eq!(
            r(Method::POST, "/v1beta/models/x:explode", true),
            Route::NotFound(Dialect::Gemini)
        );
        assert_eq!(r(Method::HEAD, "/", false), Route::Probe);
    }
}

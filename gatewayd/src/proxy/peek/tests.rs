use super::*;
use crate::model::Permission;

fn messages() -> ApiRoute {
    ApiRoute {
        dialect: Dialect::Anthropic,
        permission: Permission::Write,
        json_body: true,
        path_model: None,
        gemini: None,
    }
}

fn session(body: &str) -> Option<u64> {
    peek(&messages(), body.as_bytes()).unwrap().session
}

#[test]
fn reads_the_model_and_refuses_broken_json() {
    let body = br#"{"model":"claude-sonnet","messages":[{"role":"system","content":"x"}],"new_field":{"a":[1,2]}}"#;
    assert_eq!(
        peek(&messages(), body).unwrap().model.as_deref(),
        Some("claude-sonnet")
    );
    assert!(peek(&messages(), b"{\"model\":").is_err());
    assert!(peek(&messages(), b"[1,2]").is_err());
    assert!(peek(&messages(), b"").is_err());
    assert!(peek(&messages(), br#"{"messages":[{"a":1},{"b":]}"#).is_err());
}

#[test]
fn a_conversation_is_known_by_its_session_id_or_its_opening() {
    let turn = |user: &str, messages: &str| {
        session(&format!(
            r#"{{"model":"m","metadata":{{"user_id":"{user}"}},"system":"s","messages":{messages}}}"#
        ))
    };
    let a1 = turn("user_ab_account_1_session_A", r#"[{"n":1}]"#);
    let a2 = turn(
        "user_ab_account_1_session_A",
        r#"[{"n":1},{"n":2},{"n":3}]"#,
    );
    let b = turn("user_ab_account_1_session_B", r#"[{"n":1}]"#);
    assert_eq!(a1, a2);
    assert_ne!(a1, b);
    let j1 = turn(
        r#"{\"device_id\":\"d\",\"session_id\":\"X\"}"#,
        r#"[{"n":1}]"#,
    );
    let j2 = turn(
        r#"{\"device_id\":\"e\",\"session_id\":\"X\"}"#,
        r#"[{"n":2}]"#,
    );
    assert_eq!(j1, j2, "newer Claude Code sends a JSON user_id");
    // Without a session id: the system prompt and first message decide.
    let p1 = session(r#"{"system":"s","messages":[{"n":1}]}"#);
    let p2 = session(r#"{"system":"s","messages":[{"n":1},{"n":2}]}"#);
    let p3 = session(r#"{"system":"t","messages":[{"n":1}]}"#);
    assert!(p1.is_some());
    assert_eq!(p1, p2);
    assert_ne!(p1, p3);
    assert_eq!(session(r#"{"model":"m"}"#), None);
    // Code Assist: the inner request's session id.
    let c1 = session(r#"{"model":"g","request":{"session_id":"S1","contents":[{"n":1}]}}"#);
    let c2 = session(r#"{"model":"g","request":{"session_id":"S1","contents":[{"n":9}]}}"#);
    assert_eq!(c1, c2);
}

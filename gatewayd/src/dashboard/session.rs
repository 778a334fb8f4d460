//! Dashboard sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure
//! under TLS) maps to the digest of the key that signed in (looked up again on every
//! request, so a revoked, expired or demoted key loses its session at once), the
//! session's CSRF token and when it was last used. Held in memory only; idle ones
//! expire, and the number held is capped so sign-ins cannot grow memory without bound.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;

/// The cookie's name.
pub const COOKIE: &str = "gw_session";
/// Sessions held at most; past it the least recently used one is dropped.
const MAX_SESSIONS: usize = 10_000;

/// One signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    /// The signed-in key's digest, as the snapshot finds keys.
    pub key_digest: [u8; 32],
    /// Sent in every form; an action without it is refused.
    pub csrf: String,
    last_ms: u64,
}

/// Every live session, by the SHA-256 of its token (the token itself is kept nowhere).
#[derive(Default)]
pub struct Sessions {
    by_digest: Mutex<HashMap<[u8; 32], Session>>,
}

/// 32 random bytes, URL-safe base64.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn digest(token: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).into()
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Session>> {
        self.by_digest.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a session for the key; returns its token (for the cookie only).
    pub fn start(&self, key_digest: [u8; 32], now_ms: u64) -> String {
        let token = random_token();
        let session = Session {
            key_digest,
            csrf: random_token(),
            last_ms: now_ms,
        };
        let mut all = self.lock();
        if all.len() >= MAX_SESSIONS {
            if let Some(oldest) = all.iter().min_by_key(|(_, s)| s.last_ms).map(|(d, _)| *d) {
                all.remove(&oldest);
            }
        }
        all.insert(digest(&token), session);
        token
    }

    /// The session of `token` if it was used within `idle_ms`; marks it used now.
    pub fn touch(&self, token: &str, now_ms: u64, idle_ms: u64) -> Option<Session> {
        let mut all = self.lock();
        let key = digest(token);
        let fresh = all
            .get(&key)
            .is_some_and(|s| now_ms.saturating_sub(s.last_ms) < idle_ms);
        if !fresh {
            all.remove(&key);
            return None;
        }
        let session = all.get_mut(&key)?;
        session.last_ms = now_ms;
        Some(session.clone())
    }

    /// Ends the session of `token`.
    pub fn end(&self, token: &str) {
        self.lock().remove(&digest(token));
    }

    /// Drops sessions idle longer than `idle_ms`.
    pub fn sweep(&self, now_ms: u64, idle_ms: u64) {
        self.lock()
            .retain(|_, s| now_ms.saturating_sub(s.last_ms) < idle_ms);
    }
}

/// The session token in a request's cookies.
pub fn token(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value for `token` (empty: clear it).
pub fn cookie(token: &str, idle_secs: u64, secure: bool) -> String {
    let max_age = if token.is_empty() { 0 } else { idle_secs };
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_expires_when_idle_or_signed_out() {
        let sessions = Sessions::default();
        let token = sessions.start([1; 32], 0);
        assert!(sessions.touch(&token, 1_000, 900_000).is_some());
        assert!(
            sessions.touch(&token, 900_999, 900_000).is_some(),
            "touched at 1 s"
        );
        assert!(
            sessions.touch(&token, 1_900_000, 900_000).is_none(),
            "idle too long"
        );
        let other = sessions.start([1; 32], 0);
        sessions.end(&other);
        assert!(sessions.touch(&other, 1, 900_000).is_none());
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            format!("a=b; {COOKIE}=t0k").parse().unwrap(),
        );
        assert_eq!(token_of(&headers), Some("t0k"));
        assert!(cookie("x", 900, true).contains("HttpOnly; SameSite=Strict; Max-Age=900; Secure"));
    }

    fn token_of(h: &http::HeaderMap) -> Option<&str> {
        token(h)
    }
}

//! The shape of gateway-issued secrets and ids, so either side can recognise one.

/// Every gateway key secret starts with this, so leaked keys are easy to grep for.
pub const KEY_SECRET_PREFIX: &str = "gwk_";
/// Prefix of key ids (not secret).
pub const KEY_ID_PREFIX: &str = "key_";
/// Prefix of account ids (not secret).
pub const ACCOUNT_ID_PREFIX: &str = "acc_";

/// Whether `s` has the shape of a gateway key secret (prefix plus 43 base64url characters).
pub fn looks_like_key_secret(s: &str) -> bool {
    s.strip_prefix(KEY_SECRET_PREFIX).is_some_and(|rest| {
        rest.len() == 43
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_well_formed_secrets() {
        let good = format!("gwk_{}", "a".repeat(43));
        assert!(looks_like_key_secret(&good));
        assert!(!looks_like_key_secret("gwk_short"));
        assert!(!looks_like_key_secret(&good.replace("gwk_", "sk_")));
        assert!(!looks_like_key_secret(&format!("gwk_{}", "!".repeat(43))));
    }
}

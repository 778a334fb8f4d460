//! What an operator typed → an id: every control call that names a key or an account
//! takes its id, its (unique) name, or the start of its id as short tables show it (at
//! least 8 characters, when only one id starts so). Key and account names are unique
//! among the keys still in force and among accounts, so a name never means two things.

use super::{ErrorKind, Gateway, OpError};

impl Gateway {
    /// The id of the account `wanted` names: its id or its name.
    pub fn account_id(&self, wanted: &str) -> Result<String, OpError> {
        let accounts = self.inner.store.accounts()?;
        let all = accounts
            .iter()
            .map(|a| (a.id.as_str(), a.name.as_str(), true));
        resolve(wanted, all, "account")
    }

    /// The id of the key `wanted` names: its id or its name (a revoked key only when no
    /// key in force has that name).
    pub fn key_id(&self, wanted: &str) -> Result<String, OpError> {
        let keys = self.inner.store.keys()?;
        let all = keys
            .iter()
            .map(|k| (k.id.as_str(), k.name.as_str(), k.revoked_at.is_none()));
        resolve(wanted, all, "key")
    }

    /// Refuses `name` for a key when a key in force (other than `except`) has it.
    pub(super) fn ensure_unique_key_name(
        &self,
        name: &str,
        except: Option<&str>,
    ) -> Result<(), OpError> {
        let taken = self
            .inner
            .store
            .keys()?
            .iter()
            .any(|k| k.name == name && k.revoked_at.is_none() && Some(k.id.as_str()) != except);
        match taken {
            true => Err(OpError::new(
                ErrorKind::AlreadyExists,
                format!("a key named {name:?} exists; pick another name or revoke that key first"),
            )),
            false => Ok(()),
        }
    }
}

/// The shortest start of an id that names it.
const MIN_PREFIX: usize = 8;

/// `wanted` among (id, name, in force): an exact id first, then the one name match (the
/// one in force, when several match), then the one id starting with it.
fn resolve<'a>(
    wanted: &str,
    items: impl Iterator<Item = (&'a str, &'a str, bool)>,
    noun: &str,
) -> Result<String, OpError> {
    let mut named = Vec::new();
    let mut prefixed = Vec::new();
    for (id, name, in_force) in items {
        if id == wanted {
            return Ok(id.to_owned());
        }
        if name == wanted {
            named.push((id, in_force));
        }
        if id.starts_with(wanted) {
            prefixed.push((id, in_force));
        }
    }
    if named.len() > 1 {
        named.retain(|(_, in_force)| *in_force);
    }
    if named.is_empty() && wanted.len() >= MIN_PREFIX {
        named = prefixed;
    }
    match named.as_slice() {
        [(id, _)] => Ok((*id).to_owned()),
        [] => Err(OpError::not_found(format!(
            "no {noun} with id or name {wanted:?} (`gatewayctl {noun} list` shows them)"
        ))),
        many => Err(OpError::invalid(format!(
            "{} {noun}s are named {wanted:?}; use an id: {}",
            many.len(),
            many.iter()
                .map(|(id, _)| *id)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn ids_win_then_one_name_then_the_one_in_force() {
        let items = [
            ("acc_1", "claude-1", true),
            ("acc_2", "acc_1", true),
            ("acc_3", "old", false),
            ("acc_4", "old", true),
        ];
        let find = |w| resolve(w, items.iter().copied(), "account");
        assert_eq!(find("acc_1").unwrap(), "acc_1", "an id, not the name");
        assert_eq!(find("claude-1").unwrap(), "acc_1");
        assert_eq!(find("old").unwrap(), "acc_4");
        let long = [
            ("acc_d58f0e9b16ed", "a", true),
            ("acc_d58f11111111", "b", true),
        ];
        let find = |w| resolve(w, long.iter().copied(), "account");
        assert_eq!(
            find("acc_d58f0e").unwrap(),
            "acc_d58f0e9b16ed",
            "a short id"
        );
        assert!(find("acc_d58f").is_err(), "two ids start so");
        assert!(find("acc_d5").is_err(), "too short to be an id");
        let missing = find("claude-9").unwrap_err().to_string();
        assert!(missing.contains("gatewayctl account list"), "{missing}");
    }
}

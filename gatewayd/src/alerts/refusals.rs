//! Client refusals per key: a key whose requests a subscription turned away (third-party
//! billing, a client too old, an account that serves Claude Code only) raises one alert
//! per kind an hour, so the operator hears of it without a webhook per request.

use std::collections::HashMap;

use super::Alert;
use crate::model::Failure;

/// Quiet time after an alert for one key and kind.
const QUIET_MS: u64 = 3_600_000;

/// When each (key, kind) may alert again.
#[derive(Default)]
pub struct ClientRefusals {
    quiet_until: HashMap<(String, Failure), u64>,
}

impl ClientRefusals {
    /// Counts one refused request of `key`; an alert unless one went out within the hour.
    pub fn count(&mut self, key: &str, failure: Failure, now_ms: u64) -> Option<Alert> {
        let until = self
            .quiet_until
            .entry((key.to_owned(), failure))
            .or_default();
        if now_ms < *until {
            return None;
        }
        *until = now_ms + QUIET_MS;
        let why = match failure {
            Failure::ThirdPartyBilling => {
                "Anthropic billed or refused it as third-party traffic on a subscription"
            }
            Failure::ClientTooOld => "the client is older than the model's minimum version",
            _ => "the accounts that could serve it take Claude Code traffic only",
        };
        let mut alert = Alert::new(
            now_ms,
            "client_refusal",
            None,
            format!("a request of key {key} was refused ({failure}): {why}"),
        );
        alert.key = Some(key.to_owned());
        Some(alert)
    }

    /// Forgets pairs whose quiet time is over.
    pub fn sweep(&mut self, now_ms: u64) {
        self.quiet_until.retain(|_, until| *until > now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::ClientRefusals;
    use crate::model::Failure;

    #[test]
    fn one_alert_per_key_and_kind_an_hour() {
        let mut r = ClientRefusals::default();
        assert!(r.count("k1", Failure::ClientTooOld, 0).is_some());
        assert!(r.count("k1", Failure::ClientTooOld, 1_000).is_none());
        assert!(r.count("k1", Failure::ThirdPartyBilling, 1_000).is_some());
        assert!(r.count("k2", Failure::ClientTooOld, 1_000).is_some());
        r.sweep(3_600_000);
        assert!(r.count("k1", Failure::ClientTooOld, 3_600_000).is_some());
    }
}

//! `route explain`: the balancer's view of the pool for one kind of request, read
//! without taking a turn; with a key, whether that key could send it at all.

use gateway_proto::v1 as pb;
use gateway_shared::provider::Provider;

use super::{convert, Control};
use crate::balance::Want;
use crate::model::Client;
use crate::state::OpError;

impl Control {
    pub(super) fn explain_route(
        &self,
        r: pb::ExplainRouteRequest,
    ) -> Result<pb::ExplainRouteResponse, OpError> {
        let model = Some(r.model.trim()).filter(|m| !m.is_empty());
        let provider = match r.r#type.as_str() {
            "" if model.is_some_and(|m| m.starts_with("gemini")) => Provider::GeminiCli,
            "" => Provider::ClaudeCode,
            name => name.parse().map_err(|_| {
                OpError::invalid(format!(
                    "unknown account type {name:?}: use claude-code or gemini-cli"
                ))
            })?,
        };
        let client = match r.client.as_str() {
            "" | "claude-code" => Client::ClaudeCode,
            "other" => Client::Other,
            other => {
                return Err(OpError::invalid(format!(
                    "unknown client {other:?}: use claude-code or other"
                )))
            }
        };
        let refused = match r.key.as_str() {
            "" => None,
            key => self.key_refusal(key, provider, model)?,
        };
        let snapshot = self.gateway.snapshot();
        let now = self.gateway.clock().now_millis();
        let want = Want {
            provider,
            client,
            model,
            session: None,
            limit: snapshot.accounts.len(),
        };
        let settings = self.live.load();
        let explained = self
            .balancer
            .explain(&snapshot, &want, now, &settings.balance);
        let candidates = explained
            .candidates
            .iter()
            .map(|c| {
                let view = self.gateway.get_account(&c.account.id)?;
                Ok(pb::RouteCandidate {
                    account: Some(convert::account(view)),
                    place: c.place.as_ref().map_or(0, |at| *at as u32 + 1),
                    excluded: c
                        .place
                        .as_ref()
                        .err()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    score: c.score.clone(),
                })
            })
            .collect::<Result<_, OpError>>()?;
        let (picked, why) = match refused {
            Some(why) => (String::new(), why),
            None => (
                explained.picked.map(|a| a.id.clone()).unwrap_or_default(),
                explained.why,
            ),
        };
        Ok(pb::ExplainRouteResponse {
            strategy: explained.strategy.as_str().to_owned(),
            candidates,
            picked,
            why,
        })
    }

    /// Why `key` could not send this request, if it could not.
    fn key_refusal(
        &self,
        key: &str,
        provider: Provider,
        model: Option<&str>,
    ) -> Result<Option<String>, OpError> {
        let record = self.gateway.get_key(key)?;
        let now = self.gateway.clock().now_secs();
        let reaches =
            record.providers.is_empty() || record.providers.iter().any(|p| p == provider.as_str());
        let why = if record.revoked_at.is_some() {
            "the key is revoked".to_owned()
        } else if record.is_expired(now) {
            "the key has expired".to_owned()
        } else if !reaches {
            format!("the key may not use {provider} accounts")
        } else if !record.allows_model(model) || (model.is_none() && !record.models.is_empty()) {
            format!(
                "the key may not use model {}",
                model.unwrap_or("(none named)")
            )
        } else {
            return Ok(None);
        };
        Ok(Some(format!(
            "key {}: {why}; no account would be tried",
            record.id
        )))
    }
}

//! The operator's actions: disable, enable, drain and undrain an account. Each runs the
//! same domain operation as gatewayctl and is audited with the signed-in key as the actor.

use http::{Response, StatusCode};

use super::layout;
use super::{Dashboard, Viewer};
use crate::proxy::body::ProxyBody;

/// `POST /ui/accounts/{id}/{verb}`.
pub fn act(d: &Dashboard, viewer: &Viewer, path: &str) -> Response<ProxyBody> {
    let Some((id, verb)) = path
        .strip_prefix("/ui/accounts/")
        .and_then(|rest| rest.split_once('/'))
    else {
        return layout::status(StatusCode::NOT_FOUND, "No such action.");
    };
    let actor = format!("key:{}", viewer.key.id);
    let done = crate::state::ACTOR.sync_scope(actor, || match verb {
        "disable" => d.gateway.set_account_enabled(id, false).map(drop),
        "enable" => d.gateway.set_account_enabled(id, true).map(drop),
        "drain" => d.gateway.set_account_draining(id, true).map(drop),
        "undrain" => d.gateway.set_account_draining(id, false).map(drop),
        _ => Err(crate::state::OpError::invalid(format!(
            "no action {verb:?}"
        ))),
    });
    match done {
        Ok(()) => {
            tracing::info!(key = %viewer.key.id, account = id, action = verb, "dashboard action");
            layout::redirect("/ui/accounts")
        }
        Err(e) => layout::status(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

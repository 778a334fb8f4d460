//! Who may talk to the control plane: the daemon's own user, root and configured uids,
//! identified by the socket peer's credentials (SO_PEERCRED), on top of the socket's mode.

use tonic::service::Interceptor;

use crate::config::Live;
use crate::state::OpError;
use tonic::transport::server::UdsConnectInfo;
use tonic::{Request, Status};

/// Admits requests from allowed uids only.
#[derive(Clone)]
pub struct PeerCheck {
    own: u32,
    /// The configured allow list, reloadable.
    live: Live,
}

impl PeerCheck {
    /// Allows the daemon's uid, root and the configured uids.
    pub fn new(live: Live) -> Self {
        Self {
            own: current_uid(),
            live,
        }
    }

    fn allows(&self, uid: u32) -> bool {
        uid == self.own || uid == 0 || self.live.load().control.allowed_uids.contains(&uid)
    }
}

fn current_uid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

impl Interceptor for PeerCheck {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        let uid = request
            .extensions()
            .get::<UdsConnectInfo>()
            .and_then(|info| info.peer_cred)
            .map(|cred| cred.uid());
        match uid {
            Some(uid) if self.allows(uid) => Ok(request),
            Some(uid) => {
                Err(OpError::denied(format!("uid {uid} may not use this gatewayd")).into())
            }
            None => Err(OpError::denied("cannot identify the caller").into()),
        }
    }
}

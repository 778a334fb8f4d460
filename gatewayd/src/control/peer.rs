//! Who may talk to the control plane: the daemon's own user and root, identified by
//! the socket peer's credentials (SO_PEERCRED), on top of the socket's 0600 mode.

use tonic::service::Interceptor;
use tonic::transport::server::UdsConnectInfo;
use tonic::{Request, Status};

/// Admits requests from allowed uids only.
#[derive(Clone)]
pub struct PeerCheck {
    allowed: Vec<u32>,
}

impl PeerCheck {
    /// Allows the daemon's uid and root.
    pub fn current_user() -> Self {
        Self {
            allowed: vec![current_uid(), 0],
        }
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
            Some(uid) if self.allowed.contains(&uid) => Ok(request),
            Some(uid) => Err(Status::permission_denied(format!(
                "uid {uid} may not use this gatewayd"
            ))),
            None => Err(Status::permission_denied("cannot identify the caller")),
        }
    }
}

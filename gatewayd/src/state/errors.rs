//! The one error type of state operations, with a category the control plane maps to
//! gRPC codes (in `control/status.rs`) without knowing the details.

use crate::secrets::SecretsError;
use crate::store::StoreError;

/// What kind of failure, independent of transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    AlreadyExists,
    InvalidArgument,
    FailedPrecondition,
    /// The caller may not do this.
    PermissionDenied,
    /// The data directory's disk is full: nothing was changed.
    DiskFull,
    /// Cluster mode: the cluster's PostgreSQL is unreachable; nothing was changed.
    Unavailable,
    Internal,
}

/// A failed state operation; `message` is safe to show to an operator.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct OpError {
    pub kind: ErrorKind,
    pub message: String,
}

impl OpError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn precondition(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::FailedPrecondition, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn denied(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::PermissionDenied, message)
    }
}

impl From<StoreError> for OpError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "store operation failed");
        let kind = if e.is_disk_full() {
            ErrorKind::DiskFull
        } else if e.is_unreachable() {
            ErrorKind::Unavailable
        } else {
            ErrorKind::Internal
        };
        Self::new(kind, format!("store: {e}"))
    }
}

impl From<crate::oauth::TokenError> for OpError {
    fn from(e: crate::oauth::TokenError) -> Self {
        Self::precondition(e.to_string())
    }
}

impl From<crate::config::ConfigError> for OpError {
    fn from(e: crate::config::ConfigError) -> Self {
        Self::invalid(format!("{e}; the running configuration is unchanged"))
    }
}

impl From<SecretsError> for OpError {
    fn from(e: SecretsError) -> Self {
        tracing::error!(error = %e, "secret operation failed");
        Self::new(ErrorKind::Internal, e.to_string())
    }
}

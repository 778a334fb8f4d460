//! What can go wrong in gatewayctl, each with its exit code and a one-line message.

use std::path::PathBuf;

use tonic::Code;

use crate::exit;

/// A failed command.
#[derive(Debug, thiserror::Error)]
pub enum CtlError {
    #[error("cannot reach gatewayd at {path}: {reason}; is it running? (start it with `gatewayd`, or pass --socket)")]
    Unreachable { path: PathBuf, reason: String },
    #[error("permission denied on {0}: this user may not use gatewayd's control socket (an operator grants it with [control] socket_group and allowed_uids; see docs/operations.md)")]
    NoAccess(PathBuf),
    #[error("gatewayd did not answer within {0:?}")]
    Timeout(std::time::Duration),
    #[error("{message}")]
    Daemon { code: Code, message: String },
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Local(String),
    #[error("{0}")]
    Tampered(String),
}

impl CtlError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CtlError::Unreachable { .. } => exit::UNAVAILABLE,
            CtlError::NoAccess(_) => exit::NO_PERMISSION,
            CtlError::Timeout(_) => exit::TIMEOUT,
            CtlError::Usage(_) => exit::USAGE,
            CtlError::Local(_) => exit::FAILURE,
            CtlError::Tampered(_) => exit::TAMPERED,
            CtlError::Daemon { code, .. } => match code {
                Code::NotFound => exit::NOT_FOUND,
                Code::AlreadyExists | Code::FailedPrecondition => exit::CONFLICT,
                Code::InvalidArgument => exit::USAGE,
                Code::Unavailable => exit::UNAVAILABLE,
                Code::DeadlineExceeded => exit::TIMEOUT,
                Code::ResourceExhausted => exit::DISK_FULL,
                _ => exit::FAILURE,
            },
        }
    }

    /// A stable upper-case name for `--json` error output.
    pub fn code_name(&self) -> &'static str {
        match self {
            CtlError::Unreachable { .. } => "UNAVAILABLE",
            CtlError::NoAccess(_) => "PERMISSION_DENIED",
            CtlError::Timeout(_) => "DEADLINE_EXCEEDED",
            CtlError::Usage(_) => "INVALID_ARGUMENT",
            CtlError::Local(_) => "LOCAL",
            CtlError::Tampered(_) => "DATA_LOSS",
            CtlError::Daemon { code, .. } => match code {
                Code::NotFound => "NOT_FOUND",
                Code::AlreadyExists => "ALREADY_EXISTS",
                Code::FailedPrecondition => "FAILED_PRECONDITION",
                Code::InvalidArgument => "INVALID_ARGUMENT",
                Code::PermissionDenied => "PERMISSION_DENIED",
                Code::Unavailable => "UNAVAILABLE",
                Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
                _ => "INTERNAL",
            },
        }
    }
}

impl From<tonic::Status> for CtlError {
    fn from(status: tonic::Status) -> Self {
        CtlError::Daemon {
            code: status.code(),
            message: status.message().to_owned(),
        }
    }
}

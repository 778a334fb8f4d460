//! The one mapping from state errors to gRPC status codes.

use tonic::{Code, Status};

use crate::state::{ErrorKind, OpError};

impl From<OpError> for Status {
    fn from(e: OpError) -> Self {
        let code = match e.kind {
            ErrorKind::NotFound => Code::NotFound,
            ErrorKind::AlreadyExists => Code::AlreadyExists,
            ErrorKind::InvalidArgument => Code::InvalidArgument,
            ErrorKind::FailedPrecondition => Code::FailedPrecondition,
            ErrorKind::PermissionDenied => Code::PermissionDenied,
            ErrorKind::DiskFull => Code::ResourceExhausted,
            ErrorKind::Unavailable => Code::Unavailable,
            ErrorKind::Internal => Code::Internal,
        };
        Status::new(code, e.message)
    }
}

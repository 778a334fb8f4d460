//! The little that gatewayd and gatewayctl must agree on without talking: where the
//! socket and data dir are by default, what a gateway key looks like, how durations and
//! provider names are spelled, how an audit entry reads in one line.

pub mod audit;
pub mod duration;
pub mod keyfmt;
pub mod paths;
pub mod provider;

/// The version both binaries report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

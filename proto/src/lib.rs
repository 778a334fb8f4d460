//! The `gateway.v1` control-plane API shared by gatewayd (server) and gatewayctl (client).
//! Generated code only; no project logic lives here.

#![allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]

/// Package `gateway.v1`: one service per noun (Keys, Accounts, Stats, System).
pub mod v1 {
    tonic::include_proto!("gateway.v1");
}

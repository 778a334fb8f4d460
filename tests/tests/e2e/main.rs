//! End-to-end tests: the real gatewayd and gatewayctl binaries, the mock upstream on
//! loopback, temp dirs and ephemeral ports. One test binary keeps link time down.

mod accounts;
mod admission;
mod anthropic;
mod audit;
mod backup;
mod bench;
mod budgets;
mod cluster;
mod codeassist;
mod connections;
mod control;
mod dashboard;
mod disk;
mod disk_full;
mod docs;
mod durability;
mod errors;
mod failover;
mod gemini;
mod hostile;
mod keys;
mod lifecycle;
mod log;
mod oauth;
mod observe;
mod own_usage;
mod pool;
mod route;
mod safety;
mod support;
mod tls;
mod usage;

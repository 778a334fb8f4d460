//! Test support for LLM Gateway: the mock upstream (Anthropic and Gemini roles with
//! fault injection) and a harness that runs the real gatewayd and gatewayctl binaries.

pub mod bench;
pub mod harness;
pub mod mock;
pub mod services;

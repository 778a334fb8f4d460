//! In-process tests: gatewayd on `run_with_clock` inside the test process, with a manual
//! clock, for behaviour that depends on the time of day (cool-downs, windows, budgets,
//! expiry, retention). What needs real processes (signals, kill -9, exit codes, the
//! CLI's output) stays in the e2e suite.

mod harness;
mod record;
mod timed;

//! gatewayctl: the operator CLI. One module per noun under `cmd/`; each verb is one gRPC
//! call to gatewayd plus rendering. The clap tree is public so completions can be built
//! from it.

/// `println!` for stdout that ends quietly on a closed pipe (see [`output::emit`]).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::emit(format_args!($($arg)*))
    };
}

pub mod cli;
pub mod client;
mod cmd;
pub mod error;
pub mod exit;
pub mod output;

pub use error::CtlError;

use cli::{Cli, Noun};
use client::Client;

/// Runs one parsed command line.
pub async fn run(cli: Cli) -> Result<(), CtlError> {
    let out = output::Printer::new(cli.json).wide(cli.wide);
    let timeout = cli.timeout.unwrap_or(client::DEFAULT_TIMEOUT);
    // Nothing is dialled until a command makes its first call.
    let mut client = Client::new(&cli.socket_path(), timeout)?;
    match cli.command {
        Noun::Account(args) => cmd::account::run(args, &mut client, &out, cli.timeout).await,
        Noun::Key(args) => cmd::key::run(args, &mut client, &out).await,
        Noun::Route(args) => cmd::route::run(args, &mut client, &out).await,
        Noun::Stats(args) => cmd::stats::run(args, &mut client, &out).await,
        Noun::Log(args) => cmd::log::run(args, &mut client, &out).await,
        Noun::Audit(args) => cmd::audit::run(args, &mut client, &out).await,
        Noun::Alerts(args) => cmd::status::alerts(args, &mut client, &out).await,
        Noun::Status => cmd::status::run(&mut client, &out).await,
        Noun::Prices => cmd::status::prices(&mut client, &out).await,
        Noun::Backup { file } => cmd::backup::run(&file, &mut client, &out).await,
        Noun::Config(args) => cmd::status::config(args, &mut client, &out).await,
        Noun::Completions { shell } => cmd::completion::print(shell),
    }
}

//! `gatewayctl`: parse, run one command against gatewayd, exit with a documented code.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = gatewayctl::cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gatewayctl: cannot start the runtime: {e}");
            return ExitCode::from(gatewayctl::exit::FAILURE);
        }
    };
    let json = cli.json;
    match runtime.block_on(gatewayctl::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            gatewayctl::output::print_error(&e, json);
            ExitCode::from(e.exit_code())
        }
    }
}

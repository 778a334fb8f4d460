//! `gatewayctl completions <shell>`: the scripts checked in under `completions/`.

use crate::CtlError;

pub fn print(shell: clap_complete::Shell) -> Result<(), CtlError> {
    let mut command = crate::cli::command();
    clap_complete::generate(shell, &mut command, "gatewayctl", &mut std::io::stdout());
    Ok(())
}

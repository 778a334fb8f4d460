//! `gatewayctl completions <shell>`: the scripts checked in under `completions/`.

use crate::CtlError;

pub fn print(shell: clap_complete::Shell) -> Result<(), CtlError> {
    let mut command = crate::cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "gatewayctl", &mut script);
    let script = String::from_utf8_lossy(&script);
    say!("{}", script.strip_suffix('\n').unwrap_or(&script));
    Ok(())
}

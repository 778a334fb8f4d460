//! One module per noun; one function per verb.

pub mod account;
pub mod completion;
pub mod drain;
pub mod key;
pub mod log;
pub mod stats;
pub mod status;

use std::io::IsTerminal;

use crate::CtlError;

/// Destructive verbs ask on a terminal and need `--yes` elsewhere.
pub fn confirm(question: &str, yes: bool) -> Result<(), CtlError> {
    if yes {
        return Ok(());
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(CtlError::Usage(
            "refusing to act without --yes when not on a terminal".to_owned(),
        ));
    }
    let confirmed = dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .map_err(|e| CtlError::Local(format!("cannot read the answer: {e}")))?;
    if confirmed {
        Ok(())
    } else {
        Err(CtlError::Local(
            "not confirmed; nothing was changed".to_owned(),
        ))
    }
}

//! One module per noun; one function per verb.

pub mod account;
mod account_view;
pub mod audit;
pub mod backup;
pub mod budget;
pub mod completion;
pub mod drain;
pub mod key;
pub mod log;
pub mod login;
pub mod route;
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

/// A required value: the flag's, or on a terminal an answer to a prompt; elsewhere a
/// usage error that names the flag.
pub fn required(value: Option<String>, flag: &str, prompt: &str) -> Result<String, CtlError> {
    if let Some(value) = value {
        return Ok(value);
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(CtlError::Usage(format!("missing {flag}")));
    }
    dialoguer::Input::new()
        .with_prompt(prompt)
        .interact_text()
        .map_err(|e| CtlError::Local(format!("cannot read the answer: {e}")))
}

/// One of several choices: the flag's, or picked on a terminal.
pub fn choose<T: Copy>(
    value: Option<T>,
    flag: &str,
    prompt: &str,
    options: &[(&str, T)],
) -> Result<T, CtlError> {
    if let Some(value) = value {
        return Ok(value);
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(CtlError::Usage(format!("missing {flag}")));
    }
    let labels: Vec<&str> = options.iter().map(|(label, _)| *label).collect();
    let picked = dialoguer::Select::new()
        .with_prompt(prompt)
        .items(&labels)
        .default(0)
        .interact()
        .map_err(|e| CtlError::Local(format!("cannot read the answer: {e}")))?;
    Ok(options[picked].1)
}

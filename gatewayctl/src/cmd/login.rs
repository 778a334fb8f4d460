//! `gatewayctl account login claude-code|gemini-cli --name NAME`: prints the URL to open, reads back
//! the code the browser shows (a prompt on a terminal, a line on stdin otherwise) and
//! lets the daemon exchange it. The code never appears in argv.

use std::io::{BufRead, IsTerminal};

use gateway_proto::v1 as pb;

use crate::cli::AccountLogin;
use crate::client::Client;
use crate::CtlError;

pub async fn run(client: &Client, args: AccountLogin) -> Result<Option<pb::Account>, CtlError> {
    let name = super::required(args.name, "--name", "Account name")?;
    let mut accounts = client.accounts.clone();
    let request = pb::StartLoginRequest {
        r#type: args.provider.as_str().to_owned(),
    };
    let started = client.call(accounts.start_login(request)).await?;
    eprintln!(
        "Open this URL, sign in, and copy the code it shows:\n\n  {}\n",
        started.authorize_url
    );
    let code = read_code()?;
    let finish = pb::FinishLoginRequest {
        session: started.session,
        code,
        name,
        base_url: args.base_url.unwrap_or_default(),
        priority: args.priority,
        project: args.project.unwrap_or_default(),
    };
    Ok(client.call(accounts.finish_login(finish)).await?.account)
}

fn read_code() -> Result<String, CtlError> {
    if std::io::stdin().is_terminal() {
        return dialoguer::Password::new()
            .with_prompt("Code")
            .interact()
            .map_err(|e| CtlError::Local(format!("cannot read the code: {e}")));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CtlError::Local(format!("cannot read the code from stdin: {e}")))?;
    let code = line.trim().to_owned();
    if code.is_empty() {
        return Err(CtlError::Usage("no code on stdin".to_owned()));
    }
    Ok(code)
}

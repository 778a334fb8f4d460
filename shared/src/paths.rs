//! Default locations, computed the same way by the daemon and the CLI so that neither
//! needs a flag on a single-user machine.

use std::path::PathBuf;

/// Environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "GATEWAYD_DATA_DIR";
/// Environment variable that overrides the control socket path.
pub const SOCKET_ENV: &str = "GATEWAYD_SOCKET";

/// `$XDG_DATA_HOME/gatewayd`, else `~/.local/share/gatewayd`, else `./gatewayd-data`.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = non_empty_env("XDG_DATA_HOME") {
        return PathBuf::from(dir).join("gatewayd");
    }
    match non_empty_env("HOME") {
        Some(home) => PathBuf::from(home).join(".local/share/gatewayd"),
        None => PathBuf::from("gatewayd-data"),
    }
}

/// `$XDG_RUNTIME_DIR/gatewayd.sock`, else `gatewayd.sock` inside the default data dir.
/// It does not follow `--data-dir`, so gatewayctl finds it without knowing the daemon's flags.
pub fn default_socket() -> PathBuf {
    match non_empty_env("XDG_RUNTIME_DIR") {
        Some(dir) => PathBuf::from(dir).join("gatewayd.sock"),
        None => default_data_dir().join("gatewayd.sock"),
    }
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

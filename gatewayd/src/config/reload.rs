//! `config reload`: re-read and validate the file, apply the settings that can change
//! while running, and report every setting that changed, whether it applied or needs a
//! restart. Settings are compared leaf by leaf on their serialised form, so a setting
//! nobody listed is never ignored silently: unless it is known to be live, it is reported
//! as needing a restart.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::{Config, ConfigError, Live, LiveSettings};

/// Re-reads the configuration the same way the daemon first read it.
pub type Loader = Arc<dyn Fn() -> Result<Config, ConfigError> + Send + Sync>;

/// Words in a setting's path that mark its value as not for the audit log or a terminal.
const SENSITIVE: [&str; 6] = [
    "secret",
    "token",
    "password",
    "webhook",
    "postgres_url",
    "redis_url",
];

/// One setting that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Dotted path, e.g. `balance.strategy`.
    pub setting: String,
    /// Values as TOML would spell them (JSON text); `(hidden)` for sensitive ones.
    pub old: String,
    pub new: String,
    /// Applies only after a restart.
    pub needs_restart: bool,
}

/// What a reload did.
#[derive(Debug, Default)]
pub struct ReloadReport {
    /// Live settings that changed since the last load and now apply.
    pub applied: Vec<String>,
    /// Settings that differ from what the daemon started with and apply after a restart.
    pub needs_restart: Vec<String>,
    /// Every setting in either list, with its values.
    pub changes: Vec<Change>,
    /// Whether anything differs from the previous load (the reload is worth an audit entry).
    pub changed: bool,
}

/// Loads the configuration again and applies its live part. `running` is what the daemon
/// started with: settings that need a restart are compared against it, live ones against
/// the last load.
pub fn reload(loader: &Loader, running: &Config, live: &Live) -> Result<ReloadReport, ConfigError> {
    let new = loader()?;
    new.validate()?;
    let last = leaves(live.load().source.as_ref());
    let started = leaves(running);
    let now = leaves(&new);
    // What is live is what the live settings hold.
    let live_now = leaves(&LiveSettings::of(&new));
    let mut report = ReloadReport::default();
    for (setting, value) in &now {
        let missing = Value::Null;
        let before = last.get(setting).unwrap_or(&missing);
        report.changed |= before != value;
        let (baseline, needs_restart) = match live_now.contains_key(setting) {
            true => (before, false),
            false => (started.get(setting).unwrap_or(&missing), true),
        };
        if baseline == value {
            continue;
        }
        match needs_restart {
            true => report.needs_restart.push(setting.clone()),
            false => report.applied.push(setting.clone()),
        }
        report.changes.push(Change {
            setting: setting.clone(),
            old: shown(setting, baseline),
            new: shown(setting, value),
            needs_restart,
        });
    }
    live.store(&new);
    Ok(report)
}

fn shown(setting: &str, value: &Value) -> String {
    if SENSITIVE.iter().any(|word| setting.contains(word)) {
        return "(hidden)".to_owned();
    }
    value.to_string()
}

/// Every leaf setting of `config` (or of anything shaped like it) by dotted path; arrays
/// are one leaf.
pub fn leaves(config: &impl serde::Serialize) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let value = serde_json::to_value(config).unwrap_or(Value::Null);
    flatten("", value, &mut out);
    out
}

fn flatten(prefix: &str, value: Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(fields) => {
            for (name, value) in fields {
                let path = match prefix {
                    "" => name,
                    _ => format!("{prefix}.{name}"),
                };
                flatten(&path, value, out);
            }
        }
        leaf => {
            out.insert(prefix.to_owned(), leaf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loader(toml: &'static str) -> Loader {
        Arc::new(move || Ok(toml::from_str::<Config>(toml).expect("test config")))
    }

    #[test]
    fn every_changed_setting_is_reported_as_applied_or_needing_a_restart() {
        let running = Config::default();
        let live = Live::new(&running);
        let toml = "max_body_bytes = 4096\n[oauth]\nrefresh_before = \"10m\"\n[upstream]\noverloaded_cooldown = \"9s\"\n[alerts]\nwebhooks = [\"https://hooks.example/T0/secret\"]\n";
        let report = reload(&loader(toml), &running, &live).unwrap();
        assert_eq!(
            report.applied,
            [
                "alerts.webhooks",
                "max_body_bytes",
                "upstream.overloaded_cooldown"
            ]
        );
        assert_eq!(report.needs_restart, ["oauth.refresh_before"]);
        assert!(report.changed);
        let hook = report
            .changes
            .iter()
            .find(|c| c.setting == "alerts.webhooks")
            .unwrap();
        assert_eq!(
            (hook.old.as_str(), hook.new.as_str()),
            ("(hidden)", "(hidden)")
        );
        assert_eq!(live.load().max_body_bytes, 4096);

        // The same file again: nothing applies anew, the restart is still owed.
        let again = reload(&loader(toml), &running, &live).unwrap();
        assert!(again.applied.is_empty());
        assert_eq!(again.needs_restart, ["oauth.refresh_before"]);
        assert!(!again.changed);
    }

    #[test]
    fn every_live_setting_is_a_setting_of_the_file() {
        let config = Config::default();
        let file = leaves(&config);
        let live = leaves(&LiveSettings::of(&config));
        for (setting, value) in &live {
            assert_eq!(file.get(setting), Some(value), "{setting}");
        }
        assert!(live.contains_key("upstream.overloaded_cooldown"));
        assert!(!live.contains_key("upstream.connect_timeout"));
        assert!(live.contains_key("prices"));
    }
}

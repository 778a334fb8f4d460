//! `config.example.toml` is the reference for every setting: it parses, it holds exactly
//! the defaults, it names every setting the daemon reads (commented out where the default
//! depends on the machine or is unset), and it marks as (live) exactly the settings
//! `config reload` applies.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use gatewayd::config::{leaves, Config, Live};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");

/// Every `name =` line of the file (commented or not) by dotted path, and whether the
/// line says (live).
fn mentioned() -> BTreeMap<String, bool> {
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    let mut section = String::new();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let bare = line.trim_start_matches('#').trim();
        if let Some(name) = bare.strip_prefix("[[").and_then(|s| s.split_once("]]")) {
            out.insert(name.0.to_owned(), line.contains("(live)"));
            section = format!("{}.", name.0);
            continue;
        }
        if let Some(name) = bare.strip_prefix('[').and_then(|s| s.split_once(']')) {
            section = format!("{}.", name.0);
            continue;
        }
        let Some((key, _)) = bare.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            out.insert(format!("{section}{key}"), line.contains("(live)"));
        }
    }
    out
}

#[test]
fn the_example_parses_to_exactly_the_defaults() {
    let parsed = Config::from_file(Path::new(EXAMPLE)).expect("the example parses");
    parsed.validate().expect("the example is valid");
    assert_eq!(parsed, Config::default());
}

#[test]
fn the_example_names_every_setting_and_marks_the_live_ones() {
    let settings = leaves(&Config::default());
    let live = leaves(&*Live::new(&Config::default()).load());
    let named = mentioned();
    let missing: Vec<&String> = settings
        .keys()
        .filter(|s| !named.contains_key(*s))
        .collect();
    assert!(
        missing.is_empty(),
        "not in config.example.toml: {missing:?}"
    );
    let unknown: Vec<&String> = named
        .keys()
        .filter(|s| !settings.contains_key(*s) && !s.starts_with("prices."))
        .collect();
    assert!(unknown.is_empty(), "not settings: {unknown:?}");
    let marked: BTreeSet<&String> = named.iter().filter(|(_, l)| **l).map(|(s, _)| s).collect();
    let reloadable: BTreeSet<&String> = live.keys().collect();
    assert_eq!(
        marked, reloadable,
        "(live) marks differ from what reload applies"
    );
}

#[test]
fn the_readme_sample_config_works_as_it_is() {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("\n## gatewayd\n")
        .nth(1)
        .expect("the gatewayd section");
    let sample = section
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml sample");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.toml");
    std::fs::write(&path, sample).unwrap();
    let config = Config::from_file(&path).expect("the README's sample parses");
    config.validate().expect("the README's sample is valid");
}

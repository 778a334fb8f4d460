//! What tokens cost: a price table per model pattern (USD per million input, output,
//! cache-write and cache-read tokens), shipped with the public list prices of November
//! 2026 and overridable in config (`[[prices]]` entries are tried before the shipped
//! ones). Costs are kept in micro-dollars so they sum exactly.

use std::sync::Mutex;

use serde::Deserialize;

use crate::model::{glob_match, TokenUsage};

/// One row: a model pattern (`*` wildcard) and its prices per million tokens.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub model: String,
    pub input: f64,
    pub output: f64,
    #[serde(default)]
    pub cache_write: f64,
    #[serde(default)]
    pub cache_read: f64,
}

/// The rows in the order they are tried.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable {
    rows: Vec<Price>,
    /// Which row each model seen so far matched: every request asks (a model that has no
    /// price may be refused) and so does its usage record, and trying the patterns in
    /// turn was 2% of a request's instructions.
    found: Found,
}

/// Model name → the index of its row (`None`: no row prices it). Names come from
/// clients, so it holds at most [`Found::CAP`] and starts again when full.
#[derive(Debug, Default)]
struct Found(Mutex<foldhash::HashMap<Box<str>, Option<usize>>>);

impl Found {
    const CAP: usize = 1024;

    /// The remembered row, else `find`'s answer (found with the lock let go, so other
    /// requests never wait on a scan of the patterns), remembered.
    fn get_or(&self, model: &str, find: impl FnOnce() -> Option<usize>) -> Option<usize> {
        let seen = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&index) = seen().get(model) {
            return index;
        }
        let index = find();
        let mut seen = seen();
        if seen.len() >= Self::CAP {
            seen.clear();
        }
        seen.insert(model.into(), index);
        index
    }
}

/// A table's copy starts with nothing remembered.
impl Clone for Found {
    fn clone(&self) -> Self {
        Self::default()
    }
}

/// What was remembered never makes two tables differ.
impl PartialEq for Found {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// When the shipped rows were last checked against Anthropic's and Google's list prices.
pub const SHIPPED_AS_OF: &str = "2026-12-03";

/// (pattern, input, output, cache write, cache read), USD per million tokens. Opus 4 and
/// 4.1 kept the old price; every Opus from 4.5 on costs a third of it.
const SHIPPED: &[(&str, f64, f64, f64, f64)] = &[
    ("claude-opus-4-0*", 15.0, 75.0, 18.75, 1.50),
    ("claude-opus-4-1*", 15.0, 75.0, 18.75, 1.50),
    ("claude-opus-4-2025*", 15.0, 75.0, 18.75, 1.50),
    ("claude-opus-4*", 5.0, 25.0, 6.25, 0.50),
    ("claude-3-opus*", 15.0, 75.0, 18.75, 1.50),
    ("claude-sonnet-4*", 3.0, 15.0, 3.75, 0.30),
    ("claude-3-7-sonnet*", 3.0, 15.0, 3.75, 0.30),
    ("claude-3-5-sonnet*", 3.0, 15.0, 3.75, 0.30),
    ("claude-haiku-4*", 1.0, 5.0, 1.25, 0.10),
    ("claude-3-5-haiku*", 0.80, 4.0, 1.0, 0.08),
    ("claude-3-haiku*", 0.25, 1.25, 0.30, 0.03),
    ("gemini-2.5-pro*", 1.25, 10.0, 0.0, 0.31),
    ("gemini-2.5-flash-lite*", 0.10, 0.40, 0.0, 0.025),
    ("gemini-2.5-flash*", 0.30, 2.50, 0.0, 0.075),
    ("gemini-2.0-flash*", 0.10, 0.40, 0.0, 0.025),
    ("gemini-3-pro*", 2.0, 12.0, 0.0, 0.20),
    ("gemini-3-flash*", 0.50, 3.0, 0.0, 0.05),
];

impl PriceTable {
    /// `overrides` first, then the shipped rows.
    pub fn new(overrides: &[Price]) -> Self {
        let shipped = SHIPPED
            .iter()
            .map(|&(model, input, output, cache_write, cache_read)| Price {
                model: model.to_owned(),
                input,
                output,
                cache_write,
                cache_read,
            });
        Self {
            rows: overrides.iter().cloned().chain(shipped).collect(),
            found: Found::default(),
        }
    }

    /// The rows in the order they are tried.
    pub fn rows(&self) -> &[Price] {
        &self.rows
    }

    /// The first row whose pattern matches `model`.
    fn row(&self, model: &str) -> Option<&Price> {
        let find = || self.rows.iter().position(|p| glob_match(&p.model, model));
        self.found.get_or(model, find).map(|i| &self.rows[i])
    }

    /// Whether a row prices `model`.
    pub fn prices(&self, model: &str) -> bool {
        self.row(model).is_some()
    }

    /// What `tokens` of `model` cost, in micro-dollars; 0 for a model with no price.
    pub fn cost_micros(&self, model: &str, tokens: &TokenUsage) -> u64 {
        let Some(p) = self.row(model) else {
            return 0;
        };
        // USD per million tokens = micro-dollars per token.
        let micros = tokens.input_tokens as f64 * p.input
            + tokens.output_tokens as f64 * p.output
            + tokens.cache_creation_tokens as f64 * p.cache_write
            + tokens.cache_read_tokens as f64 * p.cache_read;
        micros.round() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_opus_from_4_5_on_has_the_new_price_and_4_1_the_old() {
        let table = PriceTable::new(&[]);
        let million_in = TokenUsage {
            input_tokens: 1_000_000,
            ..Default::default()
        };
        let price = |model| table.cost_micros(model, &million_in);
        assert_eq!(price("claude-opus-4-8"), 5_000_000);
        assert_eq!(price("claude-opus-4-5-20251101"), 5_000_000);
        assert_eq!(price("claude-opus-4-1-20250805"), 15_000_000);
        assert_eq!(price("claude-opus-4-20250514"), 15_000_000);
        assert_eq!(price("gemini-3-flash-preview"), 500_000);
        assert_eq!(price("claude-haiku-4-5"), 1_000_000);
    }

    #[test]
    fn first_matching_row_prices_each_kind_of_token() {
        let table = PriceTable::new(&[Price {
            model: "claude-sonnet-4-5*".into(),
            input: 2.0,
            output: 10.0,
            cache_write: 0.0,
            cache_read: 0.0,
        }]);
        let tokens = TokenUsage {
            input_tokens: 1_000,
            output_tokens: 100,
            cache_creation_tokens: 10,
            cache_read_tokens: 2_000,
            thoughts_tokens: 0,
        };
        // The override wins: 1000×2 + 100×10.
        assert_eq!(
            table.cost_micros("claude-sonnet-4-5-20250929", &tokens),
            3_000
        );
        // Shipped: 1000×3 + 100×15 + 10×3.75 + 2000×0.30.
        assert_eq!(
            table.cost_micros("claude-sonnet-4-20250514", &tokens),
            5_138
        );
        assert_eq!(table.cost_micros("unknown-model", &tokens), 0);
    }

    #[test]
    fn remembered_rows_answer_as_the_patterns_do_and_stay_bounded() {
        let table = PriceTable::new(&[]);
        let million_out = TokenUsage {
            output_tokens: 1_000_000,
            ..Default::default()
        };
        let out = |model: &str| table.cost_micros(model, &million_out);
        for _ in 0..2 {
            assert_eq!(out("claude-opus-4-1-x"), 75_000_000);
            assert_eq!(out("claude-opus-4-6"), 25_000_000);
            assert!(!table.prices("nobody-prices-this"));
        }
        for n in 0..Found::CAP + 10 {
            assert!(!table.prices(&format!("made-up-{n}")));
        }
        let held = table.found.0.lock().map_or(usize::MAX, |seen| seen.len());
        assert!(held <= Found::CAP, "{held} names remembered");
        assert_eq!(out("claude-opus-4-1-x"), 75_000_000);
        assert_eq!(table.clone().found.0.lock().map_or(1, |seen| seen.len()), 0);
    }
}

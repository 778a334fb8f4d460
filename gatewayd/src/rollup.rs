//! Usage rollups: per key, account, model and dialect, per minute, hour and day, the counted
//! requests, tokens and cost with histograms of latency and time to first byte. The
//! recorder sums them in memory and merges them into the store in batches; `stats`
//! merges the buckets of a window and reads percentiles from the merged histograms.

use hdrhistogram::Histogram;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::UsageCounters;

/// Minute, hour or day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grain {
    Minute,
    Hour,
    Day,
}

impl Grain {
    pub fn secs(self) -> u64 {
        match self {
            Grain::Minute => 60,
            Grain::Hour => 3_600,
            Grain::Day => 86_400,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Minute => "m",
            Grain::Hour => "h",
            Grain::Day => "d",
        }
    }

    /// The start of the bucket holding `at_secs`.
    pub fn bucket(self, at_secs: u64) -> u64 {
        at_secs - at_secs % self.secs()
    }
}

/// Milliseconds, 1 ms to an hour, two significant digits.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000, 2).expect("static histogram bounds are valid")
}

/// A latency histogram stored as `[[value, count], …]` (readable in the data dir).
#[derive(Debug, Clone)]
pub struct Latency(pub Histogram<u64>);

impl Default for Latency {
    fn default() -> Self {
        Self(histogram())
    }
}

impl Latency {
    pub fn record(&mut self, ms: u64) {
        self.0.saturating_record(ms.clamp(1, 3_600_000));
    }

    pub fn merge(&mut self, other: &Latency) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.0.add(&other.0);
    }

    /// The value at `quantile` (0..1), 0 when empty.
    pub fn quantile(&self, quantile: f64) -> u64 {
        if self.0.is_empty() {
            0
        } else {
            self.0.value_at_quantile(quantile)
        }
    }
}

impl Serialize for Latency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let pairs: Vec<(u64, u64)> = self
            .0
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect();
        pairs.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Latency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pairs = Vec::<(u64, u64)>::deserialize(d)?;
        let mut h = histogram();
        for (value, count) in pairs {
            h.saturating_record_n(value.clamp(1, 3_600_000), count);
        }
        Ok(Self(h))
    }
}

/// One bucket of one group.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Rollup {
    #[serde(flatten)]
    pub counters: UsageCounters,
    #[serde(default)]
    pub latency: Latency,
    #[serde(default)]
    pub ttfb: Latency,
}

impl Rollup {
    pub fn merge(&mut self, other: &Rollup) {
        self.counters.add(&other.counters);
        self.latency.merge(&other.latency);
        self.ttfb.merge(&other.ttfb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_round_trip_and_give_percentiles() {
        let mut r = Rollup::default();
        for ms in 1..=100 {
            r.latency.record(ms);
        }
        let json = serde_json::to_string(&r).unwrap();
        let back: Rollup = serde_json::from_str(&json).unwrap();
        assert_eq!(back.latency.quantile(0.5), 50);
        assert_eq!(back.latency.quantile(0.99), 99);
        let mut merged = back.clone();
        merged.merge(&back);
        assert_eq!(merged.latency.0.len(), 200);
        assert_eq!(Rollup::default().ttfb.quantile(0.5), 0);
        assert_eq!(Grain::Hour.bucket(7_201), 7_200);
    }
}

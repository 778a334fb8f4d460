//! `--check BASELINE.json`, the guard to run before a release: every figure the gateway
//! has relative to the reference proxy in this run — latency at p50, p99 and p99.9 and
//! time to first byte at p50 over nginx's at each fixed rate, throughput over nginx's at
//! each concurrency — is compared with the same figure in a baseline (an earlier
//! `--json` report). Ratios to a proxy measured in the same run travel between machines
//! and days far better than absolute times; a ratio more than 10% worse fails.

use serde_json::Value;

/// How much worse a ratio may get before the check fails.
const TOLERANCE: f64 = 0.10;

/// One compared figure.
pub struct Compared {
    pub figure: String,
    pub baseline: f64,
    pub now: f64,
    /// Lower is better (latency) or higher is (throughput).
    pub lower_is_better: bool,
}

impl Compared {
    /// Worse than the baseline by more than the tolerance.
    pub fn regressed(&self) -> bool {
        if self.lower_is_better {
            self.now > self.baseline * (1.0 + TOLERANCE)
        } else {
            self.now < self.baseline * (1.0 - TOLERANCE)
        }
    }
}

/// The figures relative to the reference proxy in one report (its JSON form), by name.
fn relative_figures(report: &Value) -> Vec<(String, f64, bool)> {
    let mut figures = Vec::new();
    let ratio = |a: &Value, b: &Value| Some(a.as_f64()? / b.as_f64().filter(|b| *b > 0.0)?);
    for run in report["open_loop"].as_array().into_iter().flatten() {
        let name = format!(
            "{} at {}/s",
            run["workload"].as_str().unwrap_or("?"),
            run["rate_rps"]
        );
        let (gateway, nginx) = (&run["gateway"], &run["reference"]);
        for (series, p) in [
            ("latency", "p50"),
            ("latency", "p99"),
            ("latency", "p999"),
            ("ttfb", "p50"),
        ] {
            let field = format!("{series}_us");
            if let Some(r) = ratio(&gateway[&field][p], &nginx[&field][p]) {
                figures.push((format!("{name}: {series} {p} / nginx"), r, true));
            }
        }
    }
    for run in report["closed_loop"].as_array().into_iter().flatten() {
        let name = format!(
            "{} at {} connections: throughput / nginx",
            run["workload"].as_str().unwrap_or("?"),
            run["concurrency"]
        );
        let (gateway, nginx) = (&run["gateway"], &run["reference"]);
        if let Some(r) = ratio(&gateway["throughput_rps"], &nginx["throughput_rps"]) {
            figures.push((name, r, false));
        }
    }
    figures
}

/// Compares `now` with `baseline`, figure by figure; an error when they have no figure
/// in common (the reference proxy missing from either, or different runs).
pub fn compare(baseline: &Value, now: &Value) -> Result<Vec<Compared>, String> {
    let before = relative_figures(baseline);
    let compared: Vec<Compared> = relative_figures(now)
        .into_iter()
        .filter_map(|(figure, now, lower_is_better)| {
            let baseline = before.iter().find(|(f, ..)| *f == figure)?.1;
            Some(Compared {
                figure,
                baseline,
                now,
                lower_is_better,
            })
        })
        .collect();
    if compared.is_empty() {
        return Err("no figure relative to nginx in common with the baseline: both runs need nginx installed and the same parts (--quick, --only)".into());
    }
    Ok(compared)
}

/// The comparison as a table, one figure a line.
pub fn text(compared: &[Compared]) -> String {
    let mut out = format!(
        "\nAgainst the baseline (ratios to nginx; more than {:.0}% worse fails)\n{:<58} {:>9} {:>9} {:>8}\n",
        TOLERANCE * 100.0,
        "figure",
        "baseline",
        "now",
        "change"
    );
    for c in compared {
        let change = (c.now / c.baseline - 1.0) * 100.0;
        out.push_str(&format!(
            "{:<58} {:>9.3} {:>9.3} {:>+7.1}% {}\n",
            c.figure,
            c.baseline,
            c.now,
            change,
            if c.regressed() { "WORSE" } else { "ok" }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(p50_gateway: u64, rps_gateway: f64) -> Value {
        let side = |p50: u64, rps: f64| {
            json!({"latency_us": {"p50": p50, "p99": 900, "p999": 1000},
                   "ttfb_us": {"p50": p50}, "throughput_rps": rps})
        };
        json!({
            "open_loop": [{"workload": "claude-json", "rate_rps": 1000,
                           "gateway": side(p50_gateway, 0.0), "reference": side(200, 0.0)}],
            "closed_loop": [{"workload": "claude-json", "concurrency": 64,
                             "gateway": side(0, rps_gateway), "reference": side(0, 20000.0)}],
        })
    }

    #[test]
    fn a_ratio_more_than_ten_percent_worse_fails_and_one_within_passes() {
        let baseline = report(300, 20000.0);
        let within = compare(&baseline, &report(320, 18500.0)).unwrap();
        assert!(within.iter().all(|c| !c.regressed()), "{}", text(&within));
        let slower = compare(&baseline, &report(340, 20000.0)).unwrap();
        let worse: Vec<_> = slower.iter().filter(|c| c.regressed()).collect();
        assert_eq!(worse.len(), 2, "p50 and ttfb p50: {}", text(&slower));
        let fewer = compare(&baseline, &report(300, 17000.0)).unwrap();
        assert_eq!(fewer.iter().filter(|c| c.regressed()).count(), 1);
    }

    #[test]
    fn runs_without_the_reference_proxy_cannot_be_checked() {
        let mut bare = report(300, 20000.0);
        bare["open_loop"][0]["reference"] = Value::Null;
        bare["closed_loop"][0]["reference"] = Value::Null;
        assert!(compare(&report(300, 20000.0), &bare).is_err());
    }
}

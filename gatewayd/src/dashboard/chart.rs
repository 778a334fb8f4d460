//! Charts drawn on the server as inline SVG: bars per time bucket, with a second series
//! (errors, say) drawn over the first, and a tooltip per bar. No script, no inline style:
//! colours come from the stylesheet, so the page's Content-Security-Policy holds.

use maud::{html, Markup};

/// The drawing's size in SVG units (it scales to the page's width).
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 120.0;

/// One chart: `buckets` buckets of `step` seconds from `from` (Unix seconds), with the
/// value of each from `points` (bucket start, main value, overlaid value); missing
/// buckets are zero. `unit` names the values in the tooltips.
pub struct Bars<'a> {
    pub title: &'a str,
    pub from: u64,
    pub step: u64,
    pub buckets: usize,
    pub points: &'a [(u64, f64, f64)],
    pub unit: &'a str,
    pub overlay: &'a str,
}

impl Bars<'_> {
    pub fn render(&self) -> Markup {
        let mut values = vec![(0.0, 0.0); self.buckets];
        for (bucket, main, over) in self.points {
            let Some(at) = bucket
                .checked_sub(self.from)
                .map(|d| (d / self.step) as usize)
            else {
                continue;
            };
            if let Some(slot) = values.get_mut(at) {
                *slot = (slot.0 + main, slot.1 + over);
            }
        }
        let top = values.iter().map(|v| v.0.max(v.1)).fold(0.0, f64::max);
        let scale = if top > 0.0 { (HEIGHT - 4.0) / top } else { 0.0 };
        let width = WIDTH / self.buckets.max(1) as f64;
        let label = |at: u64| {
            let shown = humantime::format_rfc3339_seconds(
                std::time::UNIX_EPOCH + std::time::Duration::from_secs(at),
            );
            shown
                .to_string()
                .replace('T', " ")
                .trim_end_matches('Z')
                .to_owned()
        };
        html! {
            figure.chart {
                figcaption { (self.title) span.muted { " · peak " (format_value(top)) " " (self.unit) } }
                svg viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) preserveAspectRatio="none" role="img" aria-label=(self.title) {
                    @for (i, (main, over)) in values.iter().enumerate() {
                        @let x = i as f64 * width;
                        @let at = self.from + i as u64 * self.step;
                        g {
                            title { (label(at)) ": " (format_value(*main)) " " (self.unit) @if *over > 0.0 { ", " (format_value(*over)) " " (self.overlay) } }
                            rect.main x=(format!("{x:.2}")) y=(format!("{:.2}", HEIGHT - main * scale)) width=(format!("{:.2}", (width - 1.0).max(0.5))) height=(format!("{:.2}", main * scale)) {}
                            @if *over > 0.0 {
                                rect.over x=(format!("{x:.2}")) y=(format!("{:.2}", HEIGHT - over * scale)) width=(format!("{:.2}", (width - 1.0).max(0.5))) height=(format!("{:.2}", over * scale)) {}
                            }
                        }
                    }
                }
                div.axis { span { (label(self.from)) } span { (label(self.from + self.step * self.buckets as u64)) } }
            }
        }
    }
}

/// 12, 3.4k, 1.2M; cents for small fractions.
fn format_value(v: f64) -> String {
    match v {
        v if v >= 1e6 => format!("{:.1}M", v / 1e6),
        v if v >= 1e4 => format!("{:.1}k", v / 1e3),
        v if v.fract() == 0.0 => format!("{v:.0}"),
        v if v < 1.0 => format!("{v:.4}"),
        v => format!("{v:.2}"),
    }
}

#[cfg(test)]
mod tests {
    use super::Bars;

    #[test]
    fn bars_fill_missing_buckets_and_scale_to_the_peak() {
        let points = [(120, 4.0, 1.0), (240, 2.0, 0.0), (9_999, 50.0, 0.0)];
        let chart = Bars {
            title: "requests",
            from: 60,
            step: 60,
            buckets: 4,
            points: &points,
            unit: "requests",
            overlay: "errors",
        };
        let svg = chart.render().into_string();
        assert_eq!(
            svg.matches("<rect class=\"main\"").count(),
            4,
            "every bucket, empty ones too"
        );
        assert_eq!(svg.matches("<rect class=\"over\"").count(), 1);
        assert!(
            svg.contains("peak 4 requests"),
            "the out-of-range point is ignored: {svg}"
        );
        assert!(!svg.contains("style="), "no inline style");
    }
}

//! A line chart's data and geometry (drawn by `ui::chart`): the lines, the axes' ranges,
//! round tick values, and where a value falls in the chart's box.

pub const W: f64 = 640.0;
pub const H: f64 = 340.0;
pub const LEFT: f64 = 64.0;
pub const RIGHT: f64 = 16.0;
pub const TOP: f64 = 16.0;
pub const BOTTOM: f64 = 52.0;

/// One line of the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    /// A CSS class: its colour and dash.
    pub class: &'static str,
    pub points: Vec<(f64, f64)>,
    /// Per point, the band's low and high (a confidence interval), if any.
    pub band: Option<Vec<(f64, f64)>>,
    /// Whether to draw the points alone, without a line between them.
    pub markers_only: bool,
}

/// The chart: its axes and lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub id: &'static str,
    pub x_label: String,
    pub y_label: String,
    /// A log₂ x axis (for sizes that double).
    pub x_log: bool,
    pub y_min: f64,
    pub y_max: f64,
    pub series: Vec<Series>,
}

impl Chart {
    pub fn x_range(&self) -> (f64, f64) {
        let xs = self.series.iter().flat_map(|s| s.points.iter().map(|p| self.fx(p.0)));
        let (lo, hi) =
            xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
        match (lo.is_finite(), hi > lo) {
            (true, true) => (lo, hi),
            (true, false) => (lo - 1.0, lo + 1.0), // one x: centre it
            (false, _) => (0.0, 1.0),              // no points yet
        }
    }

    fn fx(&self, x: f64) -> f64 {
        if self.x_log {
            x.max(f64::MIN_POSITIVE).ln() / std::f64::consts::LN_2
        } else {
            x
        }
    }

    pub fn sx(&self, x: f64) -> f64 {
        let (lo, hi) = self.x_range();
        LEFT + (self.fx(x) - lo) / (hi - lo) * (W - LEFT - RIGHT)
    }

    pub fn sy(&self, y: f64) -> f64 {
        let span = (self.y_max - self.y_min).max(f64::MIN_POSITIVE);
        TOP + (1.0 - (y - self.y_min) / span) * (H - TOP - BOTTOM)
    }
}

/// Tick values: about `count` round numbers across [lo, hi].
pub fn ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    let raw = (hi - lo) / count.max(1) as f64;
    // The power of ten at or below `raw` (a loop, not powf/log10: the page stays small).
    let mut magnitude = 1.0;
    while magnitude > raw && magnitude > 1e-12 {
        magnitude /= 10.0;
    }
    while magnitude * 10.0 <= raw {
        magnitude *= 10.0;
    }
    let step =
        [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|&s| s >= raw).unwrap_or(raw);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    // Rounded, so that 3 × 0.2 reads 0.6.
    (first..=last).map(|i| (i as f64 * step * 1e9).round() / 1e9).collect()
}

pub fn label(v: f64) -> String {
    if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let text = format!("{v:.2}");
        text.trim_end_matches('0').to_string()
    }
}

pub fn f(v: f64) -> String {
    format!("{v:.1}")
}

/// A value with up to three decimals, for hover text.
pub fn label3(v: f64) -> String {
    format!("{v:.3}").trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers_inside_the_range() {
        assert_eq!(ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(ticks(0.0, 20.0, 8), vec![0.0, 2.5, 5.0, 7.5, 10.0, 12.5, 15.0, 17.5, 20.0]);
    }
}

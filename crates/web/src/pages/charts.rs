//! Small server-side SVG charts: weekly bars (with the plan's target as a mark) and lines (with
//! reference lines such as a cut-off). Written here rather than with plotters because these
//! charts need a few rectangles and polylines, plotters' text layout needs system font libraries,
//! and inline SVG styled by the page's CSS satisfies a CSP without inline styles. Every chart has
//! a title and description for screen readers, and the pages show the same figures as a table.

use std::fmt::Write;

const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 250.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 34.0;
/// The largest axis font, in the chart's own units: the stylesheet sets 13 to 21 by the chart's
/// width so that text reads at 12 px or more on a 360 px phone; the layout makes room for 21.
const FONT: f64 = 21.0;
/// Width of one character at [`FONT`] (digits and most letters of a system font are narrower).
const CHAR_WIDTH: f64 = FONT * 0.6;
/// Most intervals on a value axis: more would crowd the labels.
const MAX_INTERVALS: u32 = 5;

/// Escapes text for SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A value axis with round ticks: from `low` to `high` every `step`, where `step` is 1, 2 or 5
/// times a power of ten and both ends are multiples of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Axis {
    /// The first tick.
    pub(crate) low: f64,
    /// The last tick.
    pub(crate) high: f64,
    /// Between ticks.
    pub(crate) step: f64,
}

impl Axis {
    /// The tightest round axis holding `min..=max` in at most `max_intervals` steps (at least
    /// one): the smallest 1-2-5 step that fits, so 30 gets 0-30, not 0-50. A range that is
    /// empty or not finite gets 0-1.
    pub(crate) fn nice(min: f64, max: f64, max_intervals: u32) -> Axis {
        let (min, max) = if min.is_finite() && max.is_finite() && max >= min {
            (min, max)
        } else {
            (0.0, 1.0)
        };
        // One value: an axis from it to its size again (or 0-1), so it is not drawn on an edge.
        let max = if max > min {
            max
        } else {
            min + if min == 0.0 { 1.0 } else { min.abs() }
        };
        // A range across zero needs at least two intervals, one either side.
        let max_intervals = f64::from(max_intervals.max(2));
        // Start one decade below the step that would just fit, and go up; forty decades are
        // more than any finite range needs.
        let first = ((max - min) / max_intervals).log10().floor() as i32 - 1;
        for exponent in first..first + 40 {
            for m in [1.0, 2.0, 5.0] {
                let step = m * 10f64.powi(exponent);
                let low = (min / step + 1e-9).floor() * step;
                let mut high = (max / step - 1e-9).ceil() * step;
                if high <= low {
                    high = low + step;
                }
                if ((high - low) / step).round() <= max_intervals {
                    return Axis { low, high, step };
                }
            }
        }
        Axis {
            low: min,
            high: max,
            step: max - min,
        }
    }

    /// The ticks from low to high.
    pub(crate) fn ticks(&self) -> Vec<f64> {
        let n = ((self.high - self.low) / self.step).round() as u32;
        (0..=n)
            .map(|i| self.low + self.step * f64::from(i))
            .collect()
    }

    /// A tick as written: as many decimals as the step has, no more (no 8.8 or 11.6 from
    /// rounding noise).
    fn label(&self, v: f64) -> String {
        let decimals = (-self.step.log10().floor()).max(0.0) as usize;
        let text = format!("{v:.decimals$}");
        // "-0" reads oddly.
        if text
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            text.trim_start_matches('-').to_string()
        } else {
            text
        }
    }
}

/// The page's words in place of a chart with nothing to show yet.
pub(crate) fn nothing_yet(text: &str) -> String {
    format!(r#"<p class="chart-empty">{}</p>"#, escape(text))
}

/// Room on the left for the longest tick label.
fn left_margin(axis: &Axis) -> f64 {
    let longest = axis
        .ticks()
        .iter()
        .map(|v| axis.label(*v).chars().count())
        .max()
        .unwrap_or(1);
    longest as f64 * CHAR_WIDTH + 12.0
}

fn open(out: &mut String, title: &str, description: &str) {
    let id = title
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(description)
    );
}

fn y_axis(out: &mut String, axis: &Axis, left: f64, y: &impl Fn(f64) -> f64) {
    for v in axis.ticks() {
        let py = y(v);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{left:.1}" x2="{}" y1="{py:.1}" y2="{py:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            left - 6.0,
            py + FONT * 0.35,
            axis.label(v)
        );
    }
}

/// Labels under the slots, thinned so that none overlaps the next at the largest font, and
/// kept inside the chart at both ends.
fn x_labels(out: &mut String, labels: &[String], slot: f64, x_center: &impl Fn(usize) -> f64) {
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * CHAR_WIDTH;
    let every = ((widest + CHAR_WIDTH) / slot.max(1.0)).ceil().max(1.0) as usize;
    for (i, label) in labels.iter().enumerate() {
        if i % every == 0 {
            let half = label.chars().count() as f64 * CHAR_WIDTH / 2.0;
            let x = x_center(i).clamp(half + 2.0, WIDTH - half - 2.0);
            let _ = write!(
                out,
                r#"<text class="axis" x="{x:.1}" y="{}" text-anchor="middle">{}</text>"#,
                HEIGHT - 8.0,
                escape(label)
            );
        }
    }
}

/// Bars per label; `targets` (when given) are drawn as a mark across each bar.
pub(crate) fn bars(
    title: &str,
    unit: &str,
    labels: &[String],
    values: &[f64],
    targets: &[Option<f64>],
) -> String {
    let max = values
        .iter()
        .copied()
        .chain(targets.iter().flatten().copied())
        .fold(0.0, f64::max);
    let axis = Axis::nice(0.0, max, MAX_INTERVALS);
    let left = left_margin(&axis);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y =
        |v: f64| TOP + plot_h * (1.0 - ((v - axis.low) / (axis.high - axis.low)).clamp(0.0, 1.0));
    let n = labels.len().max(1) as f64;
    let slot = (WIDTH - left - RIGHT) / n;
    let x_center = |i: usize| left + slot * (i as f64 + 0.5);
    let described: Vec<String> = labels
        .iter()
        .zip(values)
        .map(|(l, v)| format!("{l} {v:.0} {unit}"))
        .collect();
    let mut out = String::new();
    open(&mut out, title, &described.join("; "));
    y_axis(&mut out, &axis, left, &y);
    for (i, v) in values.iter().enumerate() {
        let top = y(*v);
        let _ = write!(
            out,
            r#"<rect class="bar" x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}"/>"#,
            x_center(i) - slot * 0.35,
            slot * 0.7,
            (y(0.0) - top).max(0.0)
        );
    }
    for (i, target) in targets.iter().enumerate() {
        if let Some(t) = target {
            let ty = y(*t);
            let _ = write!(
                out,
                r#"<line class="target" x1="{:.1}" x2="{:.1}" y1="{ty:.1}" y2="{ty:.1}"/>"#,
                x_center(i) - slot * 0.45,
                x_center(i) + slot * 0.45
            );
        }
    }
    x_labels(&mut out, labels, slot, &x_center);
    out.push_str("</svg>");
    out
}

/// Lines per series over the labels (gaps where a value is missing), on a round axis holding
/// `range` (a scale's ends, or 0 and the largest value) with at most `max_intervals` ticks,
/// with horizontal reference lines.
pub(crate) fn lines(
    title: &str,
    range: (f64, f64),
    max_intervals: u32,
    labels: &[String],
    series: &[(&str, Vec<Option<f64>>)],
    references: &[(f64, String)],
) -> String {
    let axis = Axis::nice(range.0, range.1, max_intervals);
    let (low, high) = (axis.low, axis.high);
    let left = left_margin(&axis);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h * (1.0 - ((v - low) / (high - low)).clamp(0.0, 1.0));
    let n = labels.len().max(1) as f64;
    let slot = (WIDTH - left - RIGHT) / n;
    let x_center = |i: usize| left + slot * (i as f64 + 0.5);
    let described: Vec<String> = series
        .iter()
        .map(|(name, values)| {
            let points: Vec<String> = labels
                .iter()
                .zip(values)
                .filter_map(|(l, v)| v.map(|v| format!("{l} {v:.1}")))
                .collect();
            if points.is_empty() {
                format!("{name}: no data yet")
            } else {
                format!("{name}: {}", points.join(", "))
            }
        })
        .collect();
    let mut out = String::new();
    open(&mut out, title, &described.join("; "));
    y_axis(&mut out, &axis, left, &y);
    for (value, label) in references {
        let ry = y(*value);
        // Above the line, or below it when above would leave the chart.
        let label_y = if ry - 5.0 - FONT < 0.0 {
            ry + FONT + 2.0
        } else {
            ry - 5.0
        };
        let _ = write!(
            out,
            r#"<line class="reference" x1="{left:.1}" x2="{}" y1="{ry:.1}" y2="{ry:.1}"/><text class="reference-label" x="{}" y="{label_y:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            WIDTH - RIGHT - 4.0,
            escape(label)
        );
    }
    for (s, (name, values)) in series.iter().enumerate() {
        // One polyline per run of consecutive values, so a missing week shows as a gap.
        let mut run: Vec<String> = Vec::new();
        let flush = |run: &mut Vec<String>, out: &mut String| {
            if run.len() > 1 {
                let _ = write!(
                    out,
                    r#"<polyline class="series series-{s}" points="{}"/>"#,
                    run.join(" ")
                );
            }
            run.clear();
        };
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    let (px, py) = (x_center(i), y(*v));
                    run.push(format!("{px:.1},{py:.1}"));
                    let _ = write!(
                        out,
                        r#"<circle class="point series-{s}" cx="{px:.1}" cy="{py:.1}" r="4"><title>{}: {} {v:.1}</title></circle>"#,
                        escape(name),
                        escape(&labels.get(i).cloned().unwrap_or_default())
                    );
                }
                None => flush(&mut run, &mut out),
            }
        }
        flush(&mut run, &mut out);
    }
    x_labels(&mut out, labels, slot, &x_center);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_round_and_tight() {
        let a = Axis::nice(0.0, 30.0, MAX_INTERVALS);
        assert_eq!(a.ticks(), vec![0.0, 10.0, 20.0, 30.0]);
        assert_eq!(
            Axis::nice(0.0, 7.0, 5).ticks(),
            vec![0.0, 2.0, 4.0, 6.0, 8.0]
        );
        assert_eq!(Axis::nice(0.0, 10.0, 5).step, 2.0);
        assert_eq!(Axis::nice(6.0, 20.0, 7).ticks().first(), Some(&6.0));
        assert_eq!(Axis::nice(0.0, 45.0, 5).high, 50.0);
        assert_eq!(Axis::nice(0.0, 0.0, 5), Axis::nice(0.0, 1.0, 5));
        assert_eq!(
            Axis::nice(7.0, 7.0, 5).ticks(),
            vec![6.0, 8.0, 10.0, 12.0, 14.0]
        );
        assert_eq!(Axis::nice(f64::NAN, 3.0, 5), Axis::nice(0.0, 1.0, 5));
        // The old 3MBWT axis (0 to 1.2 x 12 s, in five) gave ticks of 2.8, 5.6, 8.4, 11.2.
        let a = Axis::nice(0.0, 12.0, 5);
        assert!(a.ticks().iter().all(|t| t % 1.0 == 0.0), "{:?}", a.ticks());
        assert_eq!(Axis::nice(0.0, 0.3, 5).label(0.30000000000000004), "0.3");
    }

    #[test]
    fn bars_describe_their_values_and_escape_labels() {
        let svg = bars(
            "Backward <minutes>",
            "min",
            &["W1".into(), "W2".into()],
            &[10.0, 0.0],
            &[Some(15.0), None],
        );
        assert!(svg.contains("W1 10 min; W2 0 min"));
        assert!(svg.contains("&lt;minutes&gt;"));
        assert_eq!(svg.matches("<rect").count(), 2);
        assert_eq!(svg.matches(r#"class="target""#).count(), 1);
    }

    #[test]
    fn missing_values_break_the_line() {
        let svg = lines(
            "Pain",
            (0.0, 10.0),
            5,
            &["a".into(), "b".into(), "c".into(), "d".into()],
            &[("before", vec![Some(3.0), Some(2.0), None, Some(1.0)])],
            &[(5.0, "cut-off".into())],
        );
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("cut-off"));
    }

    /// The largest-font estimate of a text's width, for the overlap checks.
    fn width(text: &str) -> f64 {
        text.chars().count() as f64 * CHAR_WIDTH
    }

    /// The x positions and texts of the labels under the chart.
    fn x_label_positions(svg: &str) -> Vec<(f64, String)> {
        let bottom = format!(r#"y="{}""#, HEIGHT - 8.0);
        svg.split("<text ")
            .skip(1)
            .filter(|t| t.contains(&bottom))
            .map(|t| {
                let x: f64 = t
                    .split(r#"x=""#)
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .and_then(|v| v.parse().ok())
                    .unwrap();
                let text = t.split('>').nth(1).unwrap().split('<').next().unwrap();
                (x, text.to_string())
            })
            .collect()
    }

    #[test]
    fn x_labels_neither_overlap_nor_leave_the_chart() {
        for n in [1usize, 6, 12, 26, 52] {
            let labels: Vec<String> = (1..=n).map(|i| format!("W{i}")).collect();
            let svg = bars("Weeks", "min", &labels, &vec![1.0; n], &[]);
            let placed = x_label_positions(&svg);
            assert!(!placed.is_empty());
            for pair in placed.windows(2) {
                let gap = pair[1].0 - pair[0].0;
                assert!(
                    gap >= (width(&pair[0].1) + width(&pair[1].1)) / 2.0,
                    "{n} weeks: {pair:?} overlap"
                );
            }
            for (x, text) in &placed {
                assert!(x - width(text) / 2.0 >= 0.0 && x + width(text) / 2.0 <= WIDTH);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn nice_axes_hold_the_data_in_round_steps(
            min in -1000.0..1000.0f64, span in 0.0..1.0e6f64, max_intervals in 2u32..10,
        ) {
            // One value is drawn on an axis from it to its size again (see `nice`).
            let max = min + span;
            let a = Axis::nice(min, max, max_intervals);
            let max = if span > 0.0 { max } else { min + if min == 0.0 { 1.0 } else { min.abs() } };
            // The step is 1, 2 or 5 times a power of ten.
            let exponent = a.step.log10().floor();
            let mantissa = a.step / 10f64.powf(exponent);
            proptest::prop_assert!(
                [1.0, 2.0, 5.0, 10.0].iter().any(|m| (mantissa - m).abs() < 1e-6),
                "step {}", a.step
            );
            // The ends are multiples of the step and hold the data.
            for end in [a.low, a.high] {
                let k = end / a.step;
                proptest::prop_assert!((k - k.round()).abs() < 1e-6, "{end} is not a multiple of {}", a.step);
            }
            let slack = a.step * 1e-6;
            proptest::prop_assert!(a.low <= min + slack && a.high >= max - slack, "{a:?} misses {min}..{max}");
            // Within the tick budget, and tight: no whole step wasted at either end.
            let intervals = a.ticks().len() - 1;
            proptest::prop_assert!(intervals >= 1 && intervals as u32 <= max_intervals);
            proptest::prop_assert!(min - a.low < a.step + slack && a.high - max < a.step + slack);
            // The next smaller round step would not have fitted.
            let smaller = [1.0, 2.0, 5.0]
                .iter()
                .flat_map(|m| (-8..8).map(move |e| m * 10f64.powi(e)))
                .filter(|s| *s < a.step * (1.0 - 1e-9))
                .fold(0.0, f64::max);
            if smaller > 0.0 {
                let n = ((max / smaller - 1e-9).ceil() - (min / smaller + 1e-9).floor()).round();
                proptest::prop_assert!(n > f64::from(max_intervals), "{smaller} would have fitted {min}..{max}");
            }
            // Every label is short and exact: no 8.8000000001.
            for t in a.ticks() {
                proptest::prop_assert!(a.label(t).len() <= 12, "{}", a.label(t));
            }
        }
    }
}

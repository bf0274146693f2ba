//! Small server-side SVG charts: weekly bars (with the plan's target as a mark) and lines (with
//! reference lines such as a cut-off). Written here rather than with plotters because these
//! charts need a few rectangles and polylines, plotters' text layout needs system font libraries,
//! and inline SVG styled by the page's CSS satisfies a CSP without inline styles. Every chart has
//! a title and description for screen readers, and the pages show the same figures as a table.

use std::fmt::Write;

const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 250.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 32.0;

/// Escapes text for SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at or above `max`.
fn nice_ceiling(max: f64) -> f64 {
    if !(max.is_finite()) || max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * magnitude)
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

fn y_axis(out: &mut String, low: f64, high: f64, y: &impl Fn(f64) -> f64) {
    // Ticks at round values: a top of 5 or 10 (times a power of ten) splits in five, 2 in four.
    let span = high - low;
    let leading = span / 10f64.powf(span.log10().floor());
    let steps = if (leading - 2.0).abs() < 1e-9 { 4 } else { 5 };
    for i in 0..=steps {
        let v = low + span * f64::from(i) / f64::from(steps);
        let py = y(v);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{py:.1}" y2="{py:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            py + 4.0,
            format_tick(v)
        );
    }
}

fn format_tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn x_labels(out: &mut String, labels: &[String], x_center: &impl Fn(usize) -> f64) {
    // At most about 8 labels fit; thin them out on long plans.
    let every = labels.len().div_ceil(8).max(1);
    for (i, label) in labels.iter().enumerate() {
        if i % every == 0 {
            let _ = write!(
                out,
                r#"<text class="axis" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                x_center(i),
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
    let high = nice_ceiling(max);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h * (1.0 - (v / high).clamp(0.0, 1.0));
    let n = labels.len().max(1) as f64;
    let slot = (WIDTH - LEFT - RIGHT) / n;
    let x_center = |i: usize| LEFT + slot * (i as f64 + 0.5);
    let described: Vec<String> = labels
        .iter()
        .zip(values)
        .map(|(l, v)| format!("{l} {v:.0} {unit}"))
        .collect();
    let mut out = String::new();
    open(&mut out, title, &described.join("; "));
    y_axis(&mut out, 0.0, high, &y);
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
    x_labels(&mut out, labels, &x_center);
    out.push_str("</svg>");
    out
}

/// Lines per series over the labels (gaps where a value is missing), in a fixed range, with
/// horizontal reference lines.
pub(crate) fn lines(
    title: &str,
    range: (f64, f64),
    labels: &[String],
    series: &[(&str, Vec<Option<f64>>)],
    references: &[(f64, String)],
) -> String {
    let (low, high) = if range.1 > range.0 {
        range
    } else {
        (range.0, range.0 + 1.0)
    };
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h * (1.0 - ((v - low) / (high - low)).clamp(0.0, 1.0));
    let n = labels.len().max(1) as f64;
    let slot = (WIDTH - LEFT - RIGHT) / n;
    let x_center = |i: usize| LEFT + slot * (i as f64 + 0.5);
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
    y_axis(&mut out, low, high, &y);
    for (value, label) in references {
        let ry = y(*value);
        let _ = write!(
            out,
            r#"<line class="reference" x1="{LEFT}" x2="{}" y1="{ry:.1}" y2="{ry:.1}"/><text class="reference-label" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            WIDTH - RIGHT - 4.0,
            ry - 5.0,
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
    x_labels(&mut out, labels, &x_center);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(12.0), 20.0);
        assert_eq!(nice_ceiling(45.0), 50.0);
        assert_eq!(nice_ceiling(f64::NAN), 1.0);
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
            &["a".into(), "b".into(), "c".into(), "d".into()],
            &[("before", vec![Some(3.0), Some(2.0), None, Some(1.0)])],
            &[(5.0, "cut-off".into())],
        );
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("cut-off"));
    }
}

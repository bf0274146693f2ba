//! Which way each stretch of walking went, from the mechanics of walking, with a confidence
//! that says how far the evidence goes.
//!
//! Two features, each with a mechanical reason, and each read against a stretch of this
//! recording that is known to be forward (a guided session's warm-up, `--forward-until`):
//!
//! - **Foot strides** (sensor on the foot or ankle, with a gyroscope): each stride's horizontal
//!   displacement in a frame fixed to the foot (`foot.rs`). Forward strides go towards the
//!   toes, backward strides towards the heel: the sign against the warm-up's mean stride is the
//!   direction. This is kinematics, not a pattern, so it holds for anyone.
//! - **Trunk and thigh coupling** (lower back, trouser pocket): the cross-covariance, over lags
//!   of up to a quarter of a second, between the vertical acceleration and the horizontal
//!   acceleration (a vector in the sensor's frame). After each initial contact the body brakes
//!   against the direction of travel while the vertical force peaks, then propels along it: in
//!   both directions of walking, relative to the way of travel. Turning round relative to the
//!   travel (walking backward) therefore reverses the horizontal part in the sensor's frame
//!   while the vertical part stays, and the cross-covariance changes sign. Its shape differs
//!   from person to person and with the sensor's mounting, which is why it is only read
//!   against the same recording's forward walking, never against a fixed template. It is read
//!   along the horizontal axis of travel found in the warm-up (the axis that carries most of
//!   the coupling); the side-to-side part alternates with the stepping foot and is left out.
//!
//! Neither feature changes sign when a recording is played backwards in time (acceleration is
//! even in time; a time-reversed forward walk is a kinematically backward walk only for the
//! foot's displacement, which does flip). Wrist, hand, bag and armband sensors move with the
//! arm or the load, not with the direction of travel: no feature is claimed for them, and their
//! answer is `unknown`, as is every answer without a known forward stretch.
//!
//! The confidence is a probability from a simple model of the evidence: windows of 2 s each
//! give a score (+1 is like the warm-up, -1 its mirror); a stretch's mean score is weighed
//! against the spread of the warm-up's own windows and a systematic spread `tau` that no number
//! of windows removes (how much a person's backward walking may differ from a mirrored forward
//! walk). `tau` and the caps are the only constants chosen on data; the evaluation example
//! fits `tau` by leave-one-person-out cross-validation and prints the reliability table.

use serde::Serialize;

use crate::Direction;

/// A window is 2 s at 50 Hz: about one stride, so that a stretch of 10 s has five.
pub(crate) const WINDOW_SAMPLES: u32 = 100;
/// Lags of the coupling: every second sample from -12 to +12 (±0.24 s), 13 in all.
const LAG_STEP: usize = 2;
const LAGS: usize = 13;
/// Samples kept for the lags.
const RING: usize = (LAGS - 1) * LAG_STEP + 1;
/// The fewest windows in a stretch of its own (10 s).
pub(crate) const MIN_STRETCH_WINDOWS: usize = 5;
/// Windows beyond this many count no further towards certainty: neighbouring windows of one
/// walk are not independent evidence.
const MAX_EFFECTIVE_WINDOWS: f64 = 10.0;
/// Systematic spread of a stretch's normalised score (see the module's documentation). Fitted
/// by leave-one-person-out cross-validation in `examples/evaluate.rs`, which prints the value
/// each fold chose; this is the value all people together give, rounded up.
pub const TAU: f64 = 0.35;
/// The most the coupling claims: it was checked on one person's real backward walking.
pub const COUPLING_CAP: f64 = 0.95;
/// The most the foot's strides claim: displacement is kinematics, but a sensor that slips on
/// the shoe after the warm-up would turn its axes.
pub const FOOT_CAP: f64 = 0.97;
/// The warm-up must be at least this consistent with itself (mean leave-one-out score of its
/// windows) for its feature to be read at all.
const MIN_SELF_AGREEMENT: f64 = 0.2;

/// Which mechanical feature an answer rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    /// The foot's stride displacement (strapdown between stances).
    FootStrides,
    /// The vertical-horizontal acceleration coupling of the trunk or thigh.
    Coupling,
}

/// The evidence behind a stretch's direction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The feature read.
    pub feature: Feature,
    /// Mean score of the stretch's windows, normalised by the warm-up's own agreement: about
    /// +1 walks like the warm-up, about -1 like its mirror.
    pub score: f64,
    /// The standard error used for the score: window noise and [`TAU`] together.
    pub spread: f64,
    /// The window noise's part of it alone (the warm-up's own spread over the windows).
    pub noise: f64,
    /// Windows (or strides, for the foot) behind the score.
    pub windows: u32,
}

/// The standard error of a score from its window noise and a systematic spread `tau`.
pub fn spread_with(noise: f64, tau: f64) -> f64 {
    (noise * noise + tau * tau).sqrt()
}

/// The probability that a stretch was walked forward, from its normalised score and spread.
pub fn probability_forward(score: f64, spread: f64) -> f64 {
    normal_cdf(score / spread.max(1e-9))
}

/// Direction and confidence from the probability of forward, with the feature's cap; below
/// [`crate::ANSWER_FROM`] the answer is `unknown`.
pub fn decide(p_forward: f64, cap: f64) -> (Direction, f64) {
    let p = p_forward.clamp(1.0 - cap, cap);
    let (direction, confidence) = if p >= 0.5 {
        (Direction::Forward, p)
    } else {
        (Direction::Backward, 1.0 - p)
    };
    if confidence < crate::ANSWER_FROM {
        (Direction::Unknown, confidence)
    } else {
        (direction, confidence)
    }
}

/// The standard normal distribution function (Abramowitz and Stegun 7.1.26, error < 1.5e-7).
fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// The cross-covariance sums of one window, flattened: lag by lag, the horizontal vector.
pub(crate) type CouplingSums = [f64; LAGS * 3];

/// Streams the band-passed vertical and horizontal accelerations into cross-covariance sums.
/// Each value is written twice, `RING` apart, so that the last `RING` values are always one
/// contiguous slice (no shifting or modulo per sample).
#[derive(Debug, Clone)]
pub(crate) struct CouplingStream {
    vertical: [f64; 2 * RING],
    horizontal: [[f64; 3]; 2 * RING],
    /// Where the next value goes (0..RING), and how many were seen since a restart.
    next: usize,
    filled: usize,
}

impl Default for CouplingStream {
    fn default() -> Self {
        CouplingStream {
            vertical: [0.0; 2 * RING],
            horizontal: [[0.0; 3]; 2 * RING],
            next: 0,
            filled: 0,
        }
    }
}

impl CouplingStream {
    pub(crate) fn restart(&mut self) {
        self.filled = 0;
    }

    /// Adds a sample; once the ring is full, the products of its middle sample's vertical with
    /// every lag's horizontal go into the window's sums (centred, so that time's arrow plays no
    /// part), with both signals' energies.
    pub(crate) fn push(&mut self, vertical: f64, horizontal: [f64; 3], window: &mut Window) {
        let i = self.next;
        self.vertical[i] = vertical;
        self.vertical[i + RING] = vertical;
        self.horizontal[i] = horizontal;
        self.horizontal[i + RING] = horizontal;
        self.next = (i + 1) % RING;
        self.filled += 1;
        if self.filled < RING {
            return;
        }
        // The last RING values, oldest first.
        let start = self.next;
        let v = self.vertical[start + RING / 2];
        let h = self.horizontal[start + RING / 2];
        window.energy[0] += v * v;
        window.energy[1] += h[0] * h[0] + h[1] * h[1] + h[2] * h[2];
        window.counted += 1.0;
        let sums = &mut window.coupling;
        let recent = &self.horizontal[start..start + RING];
        for (k, h) in recent.iter().step_by(LAG_STEP).enumerate() {
            sums[3 * k] += v * h[0];
            sums[3 * k + 1] += v * h[1];
            sums[3 * k + 2] += v * h[2];
        }
    }
}

/// Least RMS acceleration (m/s², in the coupling's band) vertically and horizontally for a
/// window's coupling to count: walking moves a trunk or thigh by about 1 m/s² both ways; a
/// tenth of that is a sensor that is hardly moving in one of them.
const MIN_MOVEMENT_RMS: f64 = 0.1;

/// What one 2 s window of the recording holds for the direction.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    pub(crate) start: f64,
    pub(crate) end: f64,
    pub(crate) coupling: CouplingSums,
    /// Sums of the vertical's and the horizontal's squares, and how many samples they hold.
    energy: [f64; 2],
    counted: f64,
    /// Unit horizontal displacements of the strides that ended in it.
    pub(crate) strides: Vec<[f64; 2]>,
}

impl Window {
    pub(crate) fn new(start: f64) -> Self {
        Window {
            start,
            end: start,
            coupling: [0.0; LAGS * 3],
            energy: [0.0; 2],
            counted: 0.0,
            strides: Vec::new(),
        }
    }

    /// Whether the window moved enough, up and down and sideways, for its coupling to mean
    /// anything: a sensor that only moves vertically (or a signal made that way) has no
    /// horizontal part whose sign could tell the way of travel.
    fn has_coupling(&self) -> bool {
        let n = self.counted.max(1.0);
        self.counted > 0.0
            && self.energy[0] / n >= MIN_MOVEMENT_RMS * MIN_MOVEMENT_RMS
            && self.energy[1] / n >= MIN_MOVEMENT_RMS * MIN_MOVEMENT_RMS
    }

    pub(crate) fn middle(&self) -> f64 {
        (self.start + self.end) / 2.0
    }
}

fn cosine(a: &[f64], b: &[f64]) -> Option<f64> {
    let ab: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let aa: f64 = a.iter().map(|x| x * x).sum();
    let bb: f64 = b.iter().map(|x| x * x).sum();
    let norm = (aa * bb).sqrt();
    (norm > 1e-12).then(|| ab / norm)
}

/// The coupling along one horizontal axis: one value per lag.
fn along(coupling: &CouplingSums, axis: [f64; 3]) -> Vec<f64> {
    coupling
        .chunks_exact(3)
        .map(|c| c[0] * axis[0] + c[1] * axis[1] + c[2] * axis[2])
        .collect()
}

/// The axis (unit, sign arbitrary) that carries most of the coupling over all lags: the main
/// eigenvector of the sum of the lag vectors' outer products, by power iteration. `None` when
/// there is no coupling at all.
fn travel_axis(coupling: &CouplingSums) -> Option<[f64; 3]> {
    let mut m = [[0.0; 3]; 3];
    for c in coupling.chunks_exact(3) {
        for i in 0..3 {
            for j in 0..3 {
                m[i][j] += c[i] * c[j];
            }
        }
    }
    // Start from the largest column, which cannot be orthogonal to the main eigenvector of a
    // positive semi-definite matrix unless it is zero.
    let mut v = (0..3).map(|j| [m[0][j], m[1][j], m[2][j]]).max_by(|a, b| {
        let na = a[0] * a[0] + a[1] * a[1] + a[2] * a[2];
        let nb = b[0] * b[0] + b[1] * b[1] + b[2] * b[2];
        na.total_cmp(&nb)
    })?;
    for _ in 0..50 {
        let next = [0, 1, 2].map(|i| m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2]);
        let norm = (next[0] * next[0] + next[1] * next[1] + next[2] * next[2]).sqrt();
        if norm.is_nan() || norm <= 1e-300 {
            return None;
        }
        v = next.map(|x| x / norm);
    }
    Some(v)
}

fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

/// The warm-up's feature, as a reference to read the rest against.
#[derive(Debug, Clone)]
pub(crate) struct Reference {
    pub(crate) feature: Feature,
    template: Vec<f64>,
    /// The coupling's axis of travel in the sensor's frame.
    axis: Option<[f64; 3]>,
    /// Mean and spread of the warm-up's own leave-one-out scores.
    agreement: f64,
    spread: f64,
    pub(crate) cap: f64,
}

impl Reference {
    /// From the warm-up's windows: the foot's strides when `foot`, else the coupling. `None`
    /// when the warm-up is too short or does not agree with itself.
    pub(crate) fn from_warm_up(windows: &[Window], foot: bool) -> Option<Reference> {
        // The coupling is read along the horizontal axis of travel: the axis in the sensor's
        // frame along which the warm-up's horizontal acceleration couples most with the
        // vertical. The side-to-side part alternates with the stepping foot and only adds noise.
        let axis = if foot {
            None
        } else {
            let mut total = [0.0; LAGS * 3];
            for w in windows.iter().filter(|w| w.has_coupling()) {
                for (t, v) in total.iter_mut().zip(&w.coupling) {
                    *t += v;
                }
            }
            Some(travel_axis(&total)?)
        };
        let units: Vec<Vec<f64>> = match axis {
            None => windows
                .iter()
                .flat_map(|w| w.strides.iter().map(|s| s.to_vec()))
                .collect(),
            Some(axis) => windows
                .iter()
                .filter(|w| w.has_coupling())
                .map(|w| along(&w.coupling, axis))
                .collect(),
        };
        if units.len() < 3 {
            return None;
        }
        let dim = units[0].len();
        let mut total = vec![0.0; dim];
        for u in &units {
            for (t, v) in total.iter_mut().zip(u) {
                *t += v;
            }
        }
        let scores: Vec<f64> = units
            .iter()
            .filter_map(|u| {
                let others: Vec<f64> = total.iter().zip(u).map(|(t, v)| t - v).collect();
                cosine(u, &others)
            })
            .collect();
        let (agreement, spread) = mean_sd(&scores);
        (agreement >= MIN_SELF_AGREEMENT).then_some(Reference {
            feature: if foot {
                Feature::FootStrides
            } else {
                Feature::Coupling
            },
            template: total,
            axis,
            agreement,
            spread: spread.max(0.05),
            cap: if foot { FOOT_CAP } else { COUPLING_CAP },
        })
    }

    /// A window's scores: its coupling's cosine with the warm-up's, or its strides' cosines
    /// with the warm-up's mean stride.
    pub(crate) fn scores(&self, window: &Window) -> Vec<f64> {
        match (self.feature, self.axis) {
            (Feature::FootStrides, _) => window
                .strides
                .iter()
                .filter_map(|s| cosine(s, &self.template))
                .collect(),
            (Feature::Coupling, Some(axis)) if window.has_coupling() => {
                cosine(&along(&window.coupling, axis), &self.template)
                    .into_iter()
                    .collect()
            }
            (Feature::Coupling, _) => Vec::new(),
        }
    }

    /// The evidence of a stretch's scores.
    pub(crate) fn evidence(&self, scores: &[f64]) -> Option<Evidence> {
        if scores.is_empty() {
            return None;
        }
        let n = scores.len() as f64;
        let (mean, _) = mean_sd(scores);
        let relative_spread = self.spread / self.agreement;
        let noise = relative_spread / n.min(MAX_EFFECTIVE_WINDOWS).sqrt();
        Some(Evidence {
            feature: self.feature,
            score: mean / self.agreement,
            spread: spread_with(noise, TAU),
            noise,
            windows: scores.len() as u32,
        })
    }
}

/// Splits a walk's windows where the direction changes: binary segmentation on the windows'
/// mean scores, keeping a split only where both sides have at least
/// [`MIN_STRETCH_WINDOWS`] windows and clearly opposite signs. Gives the index ranges.
pub(crate) fn stretches(scores: &[Option<f64>]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    split(scores, 0..scores.len(), &mut out);
    out.sort_by_key(|r| r.start);
    out
}

fn split(
    scores: &[Option<f64>],
    range: std::ops::Range<usize>,
    out: &mut Vec<std::ops::Range<usize>>,
) {
    let mean_of = |r: std::ops::Range<usize>| -> Option<(f64, f64, usize)> {
        let v: Vec<f64> = scores[r].iter().flatten().copied().collect();
        (v.len() >= 2).then(|| {
            let (m, sd) = mean_sd(&v);
            (m, sd, v.len())
        })
    };
    let mut best: Option<(f64, usize)> = None;
    if range.len() >= 2 * MIN_STRETCH_WINDOWS {
        for k in range.start + MIN_STRETCH_WINDOWS..=range.end - MIN_STRETCH_WINDOWS {
            let (Some((ml, sl, nl)), Some((mr, sr, nr))) =
                (mean_of(range.start..k), mean_of(k..range.end))
            else {
                continue;
            };
            if ml.signum() == mr.signum() {
                continue;
            }
            // Both sides must stand on their own (a t of 2 against zero), and the split is
            // where the difference is clearest.
            let t_left = ml.abs() / (sl.max(0.05) / (nl as f64).sqrt());
            let t_right = mr.abs() / (sr.max(0.05) / (nr as f64).sqrt());
            if t_left < 2.0 || t_right < 2.0 {
                continue;
            }
            let gap = (ml - mr).abs() * ((nl * nr) as f64 / (nl + nr) as f64).sqrt();
            if best.is_none_or(|(g, _)| gap > g) {
                best = Some((gap, k));
            }
        }
    }
    match best {
        Some((_, k)) => {
            split(scores, range.start..k, out);
            split(scores, k..range.end, out);
        }
        None => out.push(range),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_of_travel_carries_the_coupling() {
        // Coupling along (3, 4, 0)/5 at every lag, with a little side-to-side that alternates.
        let mut sums = [0.0; LAGS * 3];
        for (k, c) in sums.chunks_exact_mut(3).enumerate() {
            let along = (k as f64 - 6.0) / 6.0;
            let side = if k % 2 == 0 { 0.05 } else { -0.05 };
            c[0] = 0.6 * along - 0.8 * side;
            c[1] = 0.8 * along + 0.6 * side;
        }
        let axis = travel_axis(&sums).unwrap();
        assert!((axis[0].abs() - 0.6).abs() < 0.01 && (axis[1].abs() - 0.8).abs() < 0.01);
        assert_eq!(travel_axis(&[0.0; LAGS * 3]), None);
    }

    #[test]
    fn the_normal_distribution_function_is_right() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(-1.0) - 0.158_655).abs() < 1e-6);
    }

    #[test]
    fn weak_evidence_is_unknown_and_strong_evidence_is_capped() {
        assert_eq!(decide(0.55, 0.95).0, Direction::Unknown);
        assert_eq!(decide(0.3, 0.95), (Direction::Backward, 0.7));
        let (d, c) = decide(0.999_999, 0.95);
        assert_eq!(d, Direction::Forward);
        assert!((c - 0.95).abs() < 1e-12);
    }

    #[test]
    fn a_walk_that_turns_round_splits_where_it_turns() {
        let mut scores: Vec<Option<f64>> = (0..8)
            .map(|i| Some(0.7 + 0.05 * f64::from(i % 3)))
            .collect();
        scores.extend((0..6).map(|i| Some(-0.6 - 0.05 * f64::from(i % 2))));
        assert_eq!(stretches(&scores), vec![0..8, 8..14]);
        // Too short a change (8 s) is not a stretch of its own.
        let mut short: Vec<Option<f64>> = vec![Some(0.7); 10];
        short.extend(vec![Some(-0.7); 4]);
        assert_eq!(stretches(&short), vec![0..14]);
        // Noise around zero does not split.
        let noise: Vec<Option<f64>> = (0..20)
            .map(|i| Some(if i % 2 == 0 { 0.2 } else { -0.2 }))
            .collect();
        assert_eq!(stretches(&noise), vec![0..20]);
    }

    #[test]
    fn the_coupling_reverses_with_the_horizontal_and_ignores_time_reversal() {
        // Vertical and horizontal in a fixed phase: reversing the horizontal flips every lag.
        let signal: Vec<(f64, [f64; 3])> = (0..500)
            .map(|i| {
                let p = f64::from(i) * 0.02 * 2.0 * std::f64::consts::PI * 1.8;
                (p.sin(), [(p + 0.6).sin(), 0.3 * (p / 2.0).cos(), 0.0])
            })
            .collect();
        let sums = |reverse_time: bool, mirror: bool| {
            let mut stream = CouplingStream::default();
            let mut window = Window::new(0.0);
            let mut s = signal.clone();
            if reverse_time {
                s.reverse();
            }
            for (v, h) in s {
                let h = if mirror { h.map(|x| -x) } else { h };
                stream.push(v, h, &mut window);
            }
            assert!(window.has_coupling());
            window.coupling
        };
        let forward = sums(false, false);
        let mirrored = sums(false, true);
        assert!(cosine(&forward, &mirrored).unwrap() < -0.999);
        // Time reversal mirrors the lags; the zero-lag term is unchanged.
        let reversed = sums(true, false);
        let mid = 3 * (LAGS / 2);
        assert!((forward[mid] - reversed[mid]).abs() < 1e-6 * forward[mid].abs().max(1.0));
    }
}

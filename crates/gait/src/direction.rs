//! Which way each stretch of walking went, from the mechanics of walking, with a confidence
//! that says how far the evidence goes.
//!
//! Two features, each with a mechanical reason, and each read against a stretch of this
//! recording that is known to be forward (a guided session's warm-up, `--forward-until`):
//!
//! - **Foot strides** (sensor on the foot or ankle, with a gyroscope): each stride's horizontal
//!   displacement in a frame fixed to the foot (`foot.rs`). Forward strides go towards the
//!   toes, backward strides towards the heel: the sign against the warm-up's mean stride is the
//!   direction. This is kinematics, not a learned pattern; it was checked on one person's
//!   virtual foot sensor (motion capture). Above the ankle the shank is not quite still in
//!   stance, so the same method there is looser and untested on real data.
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
//! Played backwards in time, a recording's foot displacements reverse (it is then kinematically
//! a backward walk), and its coupling is mirrored in lag (C(τ) becomes C(−τ)), so the part of
//! the brake-then-propel pattern that is odd in lag flips too. Time reversal is therefore no
//! model of backward walking here; the coupling cannot by itself tell a mirrored walk from a
//! time-reversed one, which is why it rests on the mechanical argument above and was checked on
//! one person's real backward walking. Wrist, hand, bag and armband sensors move with the arm
//! or the load, not with the direction of travel: no feature is claimed for them, and their
//! answer is `unknown`, as is every answer without a known forward stretch. In a trouser
//! pocket the thigh's swing also tilts the sensor, so some gravity leaks into the horizontal
//! part at the stride's rhythm: the pocket rests on the same one real backward walk.
//!
//! The confidence is a probability from a simple model of the evidence: windows of 2 s each
//! give a score (+1 is like the warm-up, -1 its mirror); a stretch's mean score is weighed
//! against the spread of the warm-up's own windows and a systematic spread `tau` that no number
//! of windows removes (how much a person's backward walking may differ from a mirrored forward
//! walk). A stretch's own disagreement between its windows counts when it is larger than the
//! warm-up's, and a stretch with too little evidence (fewer than three windows, or four
//! strides) is `unknown`. `tau` and the caps are chosen, not fitted: the evaluation example
//! fits `tau` leave-one-person-out and prints the reliability table, but with no stretch read
//! wrong the fit runs to its smallest value, so the product keeps a cautious one.

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
/// Systematic spread of a stretch's normalised score (see the module's documentation): a
/// cautious prior, not a fitted value. `examples/evaluate.rs` fits it leave-one-person-out and
/// prints what each fold chose (0.05, the grid's smallest, while no stretch is read wrong).
pub const TAU: f64 = 0.35;
/// The most the coupling claims: it was checked on one person's real backward walking.
pub const COUPLING_CAP: f64 = 0.95;
/// The most the foot's strides claim: displacement is kinematics, but a sensor that slips on
/// the shoe after the warm-up would turn its axes.
pub const FOOT_CAP: f64 = 0.97;
/// The least evidence for an answer: three windows (6 s) of coupling, or four strides.
const MIN_COUPLING_WINDOWS: u32 = 3;
const MIN_STRIDES: u32 = 4;
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

impl Evidence {
    /// The direction and its confidence with a systematic spread `tau` ([`TAU`] in the
    /// product): `unknown` with too little evidence, capped by the feature.
    pub fn answer(&self, tau: f64) -> (Direction, f64) {
        let (least, cap) = match self.feature {
            Feature::FootStrides => (MIN_STRIDES, FOOT_CAP),
            Feature::Coupling => (MIN_COUPLING_WINDOWS, COUPLING_CAP),
        };
        if self.windows < least {
            return (Direction::Unknown, 0.5);
        }
        decide(
            probability_forward(self.score, spread_with(self.noise, tau)),
            cap,
        )
    }
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
    if !p_forward.is_finite() {
        return (Direction::Unknown, 0.5);
    }
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
    /// every lag's horizontal go into the window's sums (centred on that sample, so that no lag
    /// is favoured by the processing), with both signals' energies.
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
}

fn cosine(a: &[f64], b: &[f64]) -> Option<f64> {
    let ab: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let aa: f64 = a.iter().map(|x| x * x).sum();
    let bb: f64 = b.iter().map(|x| x * x).sum();
    let norm = (aa * bb).sqrt();
    (norm.is_finite() && ab.is_finite() && norm > 1e-12).then(|| ab / norm)
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

    /// The evidence of a stretch's scores: their mean against the warm-up's agreement, with a
    /// noise from the larger of the warm-up's and the stretch's own spread.
    pub(crate) fn evidence(&self, scores: &[f64]) -> Option<Evidence> {
        if scores.is_empty() {
            return None;
        }
        let n = scores.len() as f64;
        let (mean, own_spread) = mean_sd(scores);
        let own_spread = if scores.len() >= 2 { own_spread } else { 0.0 };
        let relative_spread = self.spread.max(own_spread) / self.agreement;
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

/// Splits a walk's windows where the direction changes: circular binary segmentation on shifts
/// of the windows' mean score (a stretch against the rest of the walk, each at least
/// [`MIN_STRETCH_WINDOWS`] windows, the shift at least [`MIN_SHIFT_T`] standard errors), so
/// that a reversal in the middle of a walk (forward, backward, forward) is found too; then
/// neighbours whose mean scores have the same sign are joined again, so that only reversals
/// remain. Gives the index ranges, in order.
pub(crate) fn stretches(scores: &[Option<f64>]) -> Vec<std::ops::Range<usize>> {
    let mut cuts = Vec::new();
    split(&Prefix::new(scores), 0..scores.len(), &mut cuts);
    cuts.sort_by_key(|r| r.start);
    let sign =
        |r: &std::ops::Range<usize>| valued(scores, r.clone()).map_or(0.0, |(m, _, _)| m.signum());
    let mut joined: Vec<std::ops::Range<usize>> = Vec::new();
    for range in cuts {
        match joined.last_mut() {
            Some(last) if sign(last) == sign(&range) || sign(&range) == 0.0 => last.end = range.end,
            _ => joined.push(range),
        }
    }
    joined
}

/// The longest stretch looked for in the middle of a walk: half an hour of windows.
const MAX_MIDDLE_WINDOWS: usize = 900;
/// A shift of the mean score smaller than this many standard errors is not a change.
const MIN_SHIFT_T: f64 = 4.0;

/// Mean, standard deviation and count of the windows that have a score, when two or more do.
fn valued(scores: &[Option<f64>], range: std::ops::Range<usize>) -> Option<(f64, f64, usize)> {
    let v: Vec<f64> = scores.get(range)?.iter().flatten().copied().collect();
    (v.len() >= 2).then(|| {
        let (m, sd) = mean_sd(&v);
        (m, sd, v.len())
    })
}

/// Running count, sum and sum of squares of the scored windows before each index.
struct Prefix {
    count: Vec<f64>,
    sum: Vec<f64>,
    squares: Vec<f64>,
}

impl Prefix {
    fn new(scores: &[Option<f64>]) -> Prefix {
        let mut p = Prefix {
            count: vec![0.0],
            sum: vec![0.0],
            squares: vec![0.0],
        };
        for s in scores {
            let (c, v) = match s {
                Some(v) if v.is_finite() => (1.0, *v),
                _ => (0.0, 0.0),
            };
            p.count.push(p.count[p.count.len() - 1] + c);
            p.sum.push(p.sum[p.sum.len() - 1] + v);
            p.squares.push(p.squares[p.squares.len() - 1] + v * v);
        }
        p
    }

    /// Count, sum and sum of squares over `a..b`.
    fn over(&self, a: usize, b: usize) -> [f64; 3] {
        [
            self.count[b] - self.count[a],
            self.sum[b] - self.sum[a],
            self.squares[b] - self.squares[a],
        ]
    }
}

/// How many standard errors apart the means of two groups of scores are (count, sum, sum of
/// squares each), with their pooled spread (at least 0.05); 0 when either has fewer than two.
fn shift_t(inside: [f64; 3], outside: [f64; 3]) -> f64 {
    let [n1, s1, q1] = inside;
    let [n2, s2, q2] = outside;
    if n1 < 2.0 || n2 < 2.0 {
        return 0.0;
    }
    let (m1, m2) = (s1 / n1, s2 / n2);
    let within = (q1 - n1 * m1 * m1).max(0.0) + (q2 - n2 * m2 * m2).max(0.0);
    let pooled = (within / (n1 + n2 - 2.0)).sqrt().max(0.05);
    let t = (m1 - m2).abs() / (pooled * (1.0 / n1 + 1.0 / n2).sqrt());
    if t.is_finite() { t } else { 0.0 }
}

/// Circular binary segmentation: the stretch `i..j` inside `range` whose mean differs most from
/// the rest of the range (the rest may be empty on one side: a single cut). Both it and the
/// rest need [`MIN_STRETCH_WINDOWS`] windows.
fn split(prefix: &Prefix, range: std::ops::Range<usize>, out: &mut Vec<std::ops::Range<usize>>) {
    let (start, end) = (range.start, range.end);
    let whole = prefix.over(start, end);
    let mut best: Option<(f64, usize, usize)> = None;
    if range.len() >= 2 * MIN_STRETCH_WINDOWS {
        for i in start..=end - MIN_STRETCH_WINDOWS {
            // A stretch in the middle is looked for up to half an hour long (so that the
            // search stays linear in a long walk); from either end, at any length.
            let last = if i == start {
                end
            } else {
                end.min(i + MAX_MIDDLE_WINDOWS)
            };
            let ends = (i + MIN_STRETCH_WINDOWS..=last).chain((last < end).then_some(end));
            for j in ends {
                let rest_len = (i - start) + (end - j);
                if rest_len < MIN_STRETCH_WINDOWS {
                    continue;
                }
                let inside = prefix.over(i, j);
                let outside = [0, 1, 2].map(|k| whole[k] - inside[k]);
                let t = shift_t(inside, outside);
                if t >= MIN_SHIFT_T && best.is_none_or(|(b, _, _)| t > b) {
                    best = Some((t, i, j));
                }
            }
        }
    }
    match best {
        Some((_, i, j)) => {
            for piece in [start..i, i..j, j..end] {
                if !piece.is_empty() {
                    split(prefix, piece, out);
                }
            }
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
        assert_eq!(decide(f64::NAN, 0.95), (Direction::Unknown, 0.5));
        // One stride, however clear, is not enough to answer.
        let one = Evidence {
            feature: Feature::FootStrides,
            score: -1.0,
            spread: 0.36,
            noise: 0.1,
            windows: 1,
        };
        assert_eq!(one.answer(TAU).0, Direction::Unknown);
        assert_eq!(
            Evidence { windows: 4, ..one }.answer(TAU).0,
            Direction::Backward
        );
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
        // Too short a change (6 s) is not a stretch of its own.
        let mut short: Vec<Option<f64>> = vec![Some(0.7); 10];
        short.extend(vec![Some(-0.7); 3]);
        assert_eq!(stretches(&short), vec![0..13]);
        // A reversal in the middle of a walk is found (forward, backward, forward).
        let mut fbf: Vec<Option<f64>> = vec![Some(0.7); 20];
        fbf.extend(vec![Some(-0.6); 8]);
        fbf.extend(vec![Some(0.7); 20]);
        for (i, s) in fbf.iter_mut().enumerate() {
            *s = s.map(|v| v + 0.1 * ((i * 7) % 5) as f64 / 5.0);
        }
        assert_eq!(stretches(&fbf), vec![0..20, 20..28, 28..48]);
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

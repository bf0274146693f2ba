//! Finds walking in raw motion data from a phone, a watch or a body-worn sensor: walking bouts,
//! initial contacts (steps), cadence and step-time variability per bout, and the direction of
//! each bout (forward or backward) with a confidence.
//!
//! The pipeline streams: samples go into an [`Analyzer`] one at a time and memory stays the same
//! however long the recording. It uses the magnitude of acceleration and its component along
//! gravity, so the sensor may sit in any orientation and move between places (a phone from hand to pocket):
//!
//! 1. resample to 50 Hz (linear interpolation; gaps over 1 s restart the stream);
//! 2. steps: band-pass 0.5-2 Hz (0.5-3 Hz on the lower back; Butterworth), peaks above an
//!    adaptive threshold (a share of the running RMS) at least 0.3 s apart (0.4 s on the lower
//!    back);
//! 3. bouts: steps at most 2 s apart; a bout needs 4 steps and regular step times;
//! 4. rhythm: each bout's autocorrelation (running sums over lags up to 2.4 s, at 25 Hz). Away
//!    from the lower back a bout must repeat at some stride lag (fidgeting and handling make
//!    peaks but no rhythm). Peaks one stride apart (a sensor on one leg shows its own foot's
//!    impact, hardly the other's) are recognised by a positive autocorrelation at half their
//!    interval, and each interval then counts two steps;
//! 5. direction: the time asymmetry of the gait signal. Walking backward is, to a first
//!    approximation, walking forward reversed in time, and every statistic used flips sign when
//!    time runs backward: the share of samples where the vertical acceleration (along the
//!    low-passed gravity) rises, and the magnitude's jerk skewness, share of rising samples and
//!    third-order lag products. They are computed with centred operations only, so that
//!    processing does not itself break the symmetry. Without calibration the vertical rise
//!    decides; a segment known to be forward (the warm-up of a guided session) sets its sign and
//!    adds the others, for this person and placement.
//!
//! Readers: CSV with a header ([`csv`]), Axivity CWA ([`cwa`]) and GENEActiv `.bin`
//! ([`geneactiv`]); [`synthetic`] makes a day of
//! data for benchmarks.

mod blocks;
pub mod csv;
pub mod cwa;
mod filter;
pub mod geneactiv;
pub mod synthetic;

use filter::{Biquad, Resampler};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Standard gravity, m/s².
pub const G: f64 = 9.806_65;
/// The rate the pipeline works at, Hz.
pub const RATE_HZ: f64 = 50.0;
const DT: f64 = 1.0 / RATE_HZ;
/// Band-pass for steps, Hz (the low-pass corner depends on the placement).
const HIGH_PASS_HZ: f64 = 0.5;
/// A pause longer than this ends a bout.
const MAX_STEP_GAP_S: f64 = 2.0;
/// Fewest steps in a bout.
const MIN_BOUT_STEPS: u32 = 4;
/// Step times more irregular than this (coefficient of variation) are not walking.
const MAX_STEP_TIME_CV: f64 = 0.6;
/// Running RMS time constant, s.
const RMS_TAU_S: f64 = 2.0;
/// Input gaps longer than this restart the stream.
const MAX_INPUT_GAP_S: f64 = 1.0;
/// The rhythm path works at half the pipeline's rate (25 Hz, after a 4 Hz low-pass).
const RHYTHM_DECIMATION: u64 = 2;
/// Low-pass corner of the rhythm path, Hz: keeps the step rhythm (up to about 3 Hz) that the
/// steps' lower corner may damp.
const RHYTHM_LOW_PASS_HZ: f64 = 4.0;
/// Longest lag of the bout's autocorrelation: 60 lags of 0.04 s, 2.4 s (a stride at 50 steps a
/// minute).
const RHYTHM_LAGS: usize = 60;
const RHYTHM_DT: f64 = DT * RHYTHM_DECIMATION as f64;
/// Shortest stride the regularity looks for, s (170 steps a minute).
const MIN_STRIDE_S: f64 = 0.7;
/// Elsewhere than the lower back, a bout whose signal repeats less than this (autocorrelation
/// at its best stride lag) is not walking: fidgeting, gestures and handling make peaks but no
/// rhythm. Real walks in the phone and CWA recordings score 0.56-0.91; the movements between
/// them 0.11-0.35 (the threshold sits between the two).
const MIN_REGULARITY: f64 = 0.45;
/// Autocorrelation at the peaks' interval above which peaks with a positive half-interval
/// autocorrelation are taken for strides.
const STRIDE_PEAKS_REPEAT: f64 = 0.5;
/// Peaks are not taken for strides if that would make the cadence faster than this (brisk
/// walking rarely passes 140 steps a minute): a slow walker's steps stay steps.
const MAX_DOUBLED_CADENCE_SPM: f64 = 150.0;
/// The most the direction's confidence says.
const MAX_CONFIDENCE: f64 = 0.95;
/// Direction score at which the confidence reaches about 82%.
const DIRECTION_SCALE: f64 = 1.0;

/// One motion sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Seconds from any origin, increasing.
    pub t: f64,
    /// Acceleration, m/s², gravity included, in the sensor's own axes.
    pub acc: [f64; 3],
    /// Angular velocity, deg/s, when the sensor has a gyroscope.
    pub gyr: Option<[f64; 3]>,
}

/// Where the sensor was worn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// On the lower back (the reference placement of gait research).
    LowerBack,
    /// In a trouser pocket.
    Pocket,
    /// Held in the hand.
    Hand,
    /// In a bag or backpack.
    Bag,
    /// On the upper arm.
    Armband,
    /// On the wrist (a watch).
    Wrist,
}

impl Placement {
    /// Every placement.
    pub const ALL: [Placement; 6] = [
        Placement::LowerBack,
        Placement::Pocket,
        Placement::Hand,
        Placement::Bag,
        Placement::Armband,
        Placement::Wrist,
    ];

    /// The name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::LowerBack => "lower-back",
            Placement::Pocket => "pocket",
            Placement::Hand => "hand",
            Placement::Bag => "bag",
            Placement::Armband => "armband",
            Placement::Wrist => "wrist",
        }
    }

    /// Low-pass corner for steps, Hz. On the lower back the impact of each step is sharp and
    /// single, so more of it is kept; elsewhere (pockets, hands, bags) a lower corner merges the
    /// secondary peaks of one step. Tuned on the lab and phone recordings (see the evaluation).
    fn low_pass_hz(placement: Option<Self>) -> f64 {
        match placement {
            Some(Placement::LowerBack) => 3.0,
            _ => 2.0,
        }
    }

    /// Steps closer than this are one step: 150 steps a minute at most on the lower back, where
    /// heel strike and push-off otherwise count twice; 200 elsewhere.
    fn min_step_interval_s(placement: Option<Self>) -> f64 {
        match placement {
            Some(Placement::LowerBack) => 0.4,
            _ => 0.3,
        }
    }

    /// The least regularity a bout needs ([`MIN_REGULARITY`]). Not on the lower back, whose
    /// sharp impacts are reliable and where irregular walking (turns, shuffling, gait
    /// disorders) is the case to keep.
    fn min_regularity(placement: Option<Self>) -> Option<f64> {
        match placement {
            Some(Placement::LowerBack) => None,
            _ => Some(MIN_REGULARITY),
        }
    }

    /// Share of the running RMS a peak must exceed to be a step.
    fn relative_threshold(self) -> f64 {
        match self {
            Placement::Hand | Placement::Wrist => 0.5,
            _ => 0.6,
        }
    }
}

impl FromStr for Placement {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Placement::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!(
                    "placement '{s}' is not known; expected one of {}",
                    Placement::ALL.map(Placement::as_str).join(", ")
                )
            })
    }
}

/// Which way a bout was walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Facing the way of travel.
    Forward,
    /// With the back to the way of travel.
    Backward,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Forward => "forward",
            Direction::Backward => "backward",
        })
    }
}

/// One walking bout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bout {
    /// First initial contact, seconds from the first sample.
    pub start_s: f64,
    /// Last initial contact, seconds from the first sample.
    pub end_s: f64,
    /// Initial contacts (steps).
    pub steps: u32,
    /// Steps per minute.
    pub cadence_spm: f64,
    /// Step-time variability: coefficient of variation of the times between steps.
    pub step_time_cv: f64,
    /// Forward or backward.
    pub direction: Direction,
    /// How sure the direction is, 0.5 (a guess) to 0.95 (the most it ever claims).
    pub confidence: f64,
    /// The time-asymmetry score: the bout's asymmetry features projected on forward walking's
    /// (positive is forward).
    pub asymmetry: f64,
    /// The initial contacts' times, when asked for ([`Options::keep_contacts`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<f64>,
}

/// What the analysis found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Steps in all bouts.
    pub total_steps: u64,
    /// The bouts in order.
    pub bouts: Vec<Bout>,
    /// Samples read.
    pub samples: u64,
    /// Seconds from the first sample to the last.
    pub duration_s: f64,
    /// Gaps in the input longer than 1 s.
    pub gaps: u32,
    /// Whether a known forward segment set the direction's sign.
    pub calibrated: bool,
}

/// How to analyse.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Where the sensor was worn, if known.
    pub placement: Option<Placement>,
    /// A stretch (start, end, in seconds from the first sample) known to be walked forward.
    pub forward_segment: Option<(f64, f64)>,
    /// Keep every initial contact's time in the bouts.
    pub keep_contacts: bool,
}

/// Lags (in 50 Hz samples) of the time-reversal statistics.
const LAGS: [usize; 4] = [2, 5, 10, 15];
/// Number of asymmetry features: five of the magnitude, one of the vertical acceleration.
const FEATURES: usize = 3 + LAGS.len();
/// Typical size of each feature in forward walking (about the mean absolute value over the lab
/// and phone recordings), to weigh them equally.
const FEATURE_SCALE: [f64; FEATURES] = [0.2158, 0.024, 0.0163, 0.1349, 0.2512, 0.1629, 0.035];
/// The direction of forward walking in feature space when no known forward segment calibrates
/// the sensor: the vertical acceleration (along gravity) rises in more than half of the samples,
/// that is, it falls faster than it rises. This held in 29 of the 31 forward bouts of the lab,
/// phone and CWA recordings (lower back, six phone placements, a leg-worn AX3), where the
/// magnitude's statistics change sign between placements. It is an observation on those
/// recordings, not an established law of gait, and it depends on the 5-point smoothing (see
/// ARCHITECTURE.md).
const DEFAULT_FORWARD: [f64; FEATURES] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
/// Weight of the magnitude's statistics against the vertical rise when a known forward segment
/// calibrates them. Chosen on the recordings of the evaluation; any weight from 0.1 to 0.5
/// gives the same result there, 1 (equal weights) does worse.
const CALIBRATED_WEIGHT: f64 = 0.3;
/// Low-pass corner of the gravity estimate, Hz.
const GRAVITY_HZ: f64 = 0.3;

/// Running sums of time-asymmetry statistics of the smoothed signal, so that no samples are
/// kept: every one of them changes sign when time runs backward.
#[derive(Debug, Clone, Copy, Default)]
struct Asymmetry {
    /// Jerk moments (count, sums of powers 1-3), for its skewness.
    n: f64,
    j1: f64,
    j2: f64,
    j3: f64,
    /// Samples where the signal rose.
    rising: f64,
    /// Signal moments, for normalising the lag statistics.
    x1: f64,
    x2: f64,
    /// Sums of x(t) x(t+L) (x(t) - x(t+L)) per lag.
    reversal: [f64; LAGS.len()],
    /// Samples where the vertical acceleration rose.
    vertical_rising: f64,
}

impl Asymmetry {
    fn merge(&mut self, o: &Asymmetry) {
        self.n += o.n;
        self.j1 += o.j1;
        self.j2 += o.j2;
        self.j3 += o.j3;
        self.rising += o.rising;
        self.x1 += o.x1;
        self.x2 += o.x2;
        self.vertical_rising += o.vertical_rising;
        for (a, b) in self.reversal.iter_mut().zip(o.reversal) {
            *a += b;
        }
    }

    /// The scaled feature vector (each entry flips sign under time reversal).
    fn features(&self) -> [f64; FEATURES] {
        if self.n < 10.0 {
            return [0.0; FEATURES];
        }
        let mean = self.j1 / self.n;
        let m2 = self.j2 / self.n - mean * mean;
        let m3 = self.j3 / self.n - 3.0 * mean * self.j2 / self.n + 2.0 * mean.powi(3);
        let skew = if m2 > 1e-12 { m3 / m2.powf(1.5) } else { 0.0 };
        let xm = self.x1 / self.n;
        let var = (self.x2 / self.n - xm * xm).max(1e-12);
        let mut f = [0.0; FEATURES];
        f[0] = skew;
        f[1] = self.rising / self.n - 0.5;
        for (k, r) in self.reversal.iter().enumerate() {
            f[2 + k] = r / self.n / var.powf(1.5);
        }
        f[2 + LAGS.len()] = self.vertical_rising / self.n - 0.5;
        for (v, s) in f.iter_mut().zip(FEATURE_SCALE) {
            *v /= s;
        }
        f
    }
}

fn dot(a: &[f64; FEATURES], b: &[f64; FEATURES]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Running autocorrelation sums of the rhythm signal (25 Hz), so that no samples are kept.
#[derive(Debug, Clone, Copy)]
struct Rhythm {
    n: f64,
    energy: f64,
    /// Sums of x(t) x(t - k - 1) for lags of k + 1 samples, and of x(t - k - 1)².
    lagged: [f64; RHYTHM_LAGS],
    lagged_energy: [f64; RHYTHM_LAGS],
}

impl Default for Rhythm {
    fn default() -> Self {
        Rhythm {
            n: 0.0,
            energy: 0.0,
            lagged: [0.0; RHYTHM_LAGS],
            lagged_energy: [0.0; RHYTHM_LAGS],
        }
    }
}

impl Rhythm {
    fn merge(&mut self, o: &Rhythm) {
        self.n += o.n;
        self.energy += o.energy;
        for (a, b) in self.lagged.iter_mut().zip(o.lagged) {
            *a += b;
        }
        for (a, b) in self.lagged_energy.iter_mut().zip(o.lagged_energy) {
            *a += b;
        }
    }

    /// Normalised autocorrelation (-1 to 1) at a lag in seconds, linear between the 0.04 s
    /// lags; `None` beyond the lags kept or when the bout is shorter than twice the lag.
    fn at(&self, lag_s: f64) -> Option<f64> {
        let k = lag_s / RHYTHM_DT;
        if !(1.0..=RHYTHM_LAGS as f64).contains(&k) || self.n < 2.0 * k.ceil() {
            return None;
        }
        let lower = (k.floor() as usize).min(RHYTHM_LAGS - 1);
        let upper = (lower + 1).min(RHYTHM_LAGS);
        let r = |lag: usize| {
            let norm = (self.energy * self.lagged_energy[lag - 1]).sqrt();
            (norm > 0.0).then(|| self.lagged[lag - 1] / norm)
        };
        let (a, b) = (r(lower)?, r(upper)?);
        let w = k - lower as f64;
        Some(a + (b - a) * w)
    }

    /// How strongly the signal repeats at a stride: the best autocorrelation over strides from
    /// 0.7 to 2.4 s.
    fn regularity(&self) -> f64 {
        let first = (MIN_STRIDE_S / RHYTHM_DT).ceil() as usize;
        (first..=RHYTHM_LAGS)
            .filter_map(|k| self.at(k as f64 * RHYTHM_DT))
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

/// The bout being walked.
#[derive(Debug, Clone)]
struct OpenBout {
    first: f64,
    last: f64,
    steps: u32,
    interval_sum: f64,
    interval_sq: f64,
    asymmetry: Asymmetry,
    rhythm: Box<Rhythm>,
    contacts: Vec<f64>,
}

/// The streaming analysis. Feed samples with [`Analyzer::push`], then [`Analyzer::finish`].
#[derive(Debug, Clone)]
pub struct Analyzer {
    options: Options,
    min_step_interval: f64,
    min_regularity: Option<f64>,
    resampler: Resampler,
    high_pass: Biquad,
    low_pass: Biquad,
    rhythm_low_pass: Biquad,
    /// The last rhythm values (25 Hz), newest first (zero before the stream's start, which adds
    /// nothing to the sums), and how many 50 Hz samples were seen.
    rhythm_history: [f64; RHYTHM_LAGS],
    rhythm_seen: u64,
    pending_rhythm: Rhythm,
    regular_buffer: Vec<(f64, [f64; 3])>,
    started: bool,
    mean_square: f64,
    /// The last three filtered values, oldest first, and the last regular time.
    recent: [f64; 3],
    t: f64,
    tentative: Option<(f64, f64)>,
    /// Raw magnitudes for the centred smoothing (5) and the last smoothed values (for the jerk
    /// and the lagged products), newest last.
    raw: [f64; 5],
    smooth: [f64; 16],
    /// Gravity (a low-pass of each axis), the last raw vertical accelerations and the last
    /// smoothed one.
    gravity: [Biquad; 3],
    raw_vertical: [f64; 5],
    smooth_vertical: f64,
    filled: usize,
    pending: Asymmetry,
    calibration: Asymmetry,
    open: Option<OpenBout>,
    bouts: Vec<Bout>,
    /// Each bout's asymmetry features, for the direction decided at the end.
    features: Vec<[f64; FEATURES]>,
    samples: u64,
    first_t: Option<f64>,
    last_t: f64,
    gaps: u32,
}

impl Analyzer {
    /// A new analysis.
    pub fn new(options: Options) -> Self {
        let placement = options.placement;
        Analyzer {
            options,
            resampler: Resampler::new(RATE_HZ, MAX_INPUT_GAP_S),
            high_pass: Biquad::high_pass(HIGH_PASS_HZ, RATE_HZ),
            low_pass: Biquad::low_pass(Placement::low_pass_hz(placement), RATE_HZ),
            rhythm_low_pass: Biquad::low_pass(RHYTHM_LOW_PASS_HZ, RATE_HZ),
            rhythm_history: [0.0; RHYTHM_LAGS],
            rhythm_seen: 0,
            pending_rhythm: Rhythm::default(),
            regular_buffer: Vec::new(),
            min_regularity: Placement::min_regularity(placement),
            min_step_interval: Placement::min_step_interval_s(placement),
            started: false,
            mean_square: 0.0,
            recent: [0.0; 3],
            t: 0.0,
            tentative: None,
            raw: [0.0; 5],
            smooth: [0.0; 16],
            gravity: [Biquad::low_pass(GRAVITY_HZ, RATE_HZ); 3],
            raw_vertical: [0.0; 5],
            smooth_vertical: 0.0,
            filled: 0,
            pending: Asymmetry::default(),
            calibration: Asymmetry::default(),
            open: None,
            bouts: Vec::new(),
            features: Vec::new(),
            samples: 0,
            first_t: None,
            last_t: 0.0,
            gaps: 0,
        }
    }

    /// Feeds one sample. Samples out of time order, or with values that are not finite, are
    /// skipped.
    pub fn push(&mut self, sample: &Sample) {
        if !sample.t.is_finite() || sample.acc.iter().any(|a| !a.is_finite()) {
            return;
        }
        self.samples += 1;
        self.first_t.get_or_insert(sample.t);
        self.last_t = sample.t;
        // One buffer for the whole stream: no allocation per sample.
        let mut regular = std::mem::take(&mut self.regular_buffer);
        regular.clear();
        let gap = self
            .resampler
            .push(sample.t, sample.acc, |t, v| regular.push((t, v)));
        if gap {
            self.gaps += 1;
            self.restart();
        }
        for &(t, v) in &regular {
            self.regular(t, v);
        }
        self.regular_buffer = regular;
    }

    /// After a gap: close what was open and start the filters afresh.
    fn restart(&mut self) {
        self.commit_tentative();
        self.close_bout();
        self.started = false;
        self.filled = 0;
        self.pending = Asymmetry::default();
        self.rhythm_seen = 0;
        self.rhythm_history = [0.0; RHYTHM_LAGS];
        self.pending_rhythm = Rhythm::default();
    }

    fn regular(&mut self, t: f64, acc: [f64; 3]) {
        let v = (acc[0] * acc[0] + acc[1] * acc[1] + acc[2] * acc[2]).sqrt() - G;
        if !self.started {
            for (filter, a) in self.gravity.iter_mut().zip(acc) {
                filter.settle(a);
            }
            self.high_pass.settle(v);
            self.low_pass.settle(0.0);
            self.rhythm_low_pass.settle(0.0);
            self.mean_square = 0.0;
            self.recent = [0.0; 3];
            self.started = true;
        }
        self.t = t;
        // Direction path: centred 5-point smoothing, then statistics that change sign when time
        // runs backward (computed from centred or symmetric operations). The one causal part is
        // the gravity estimate that defines "vertical": a 0.3 Hz low-pass, which lags far behind
        // any step, so the direction it gives barely depends on time's arrow.
        let gravity = [0, 1, 2].map(|i| self.gravity[i].step(acc[i]));
        let g = (gravity[0] * gravity[0] + gravity[1] * gravity[1] + gravity[2] * gravity[2])
            .sqrt()
            .max(1e-9);
        let vertical = (acc[0] * gravity[0] + acc[1] * gravity[1] + acc[2] * gravity[2]) / g;
        self.raw.rotate_left(1);
        self.raw[4] = v;
        self.raw_vertical.rotate_left(1);
        self.raw_vertical[4] = vertical;
        self.filled += 1;
        if self.filled >= 5 {
            let smoothed = self.raw.iter().sum::<f64>() / 5.0;
            self.smooth.rotate_left(1);
            self.smooth[15] = smoothed;
            let vertical = self.raw_vertical.iter().sum::<f64>() / 5.0;
            let vertical_rose = vertical > self.smooth_vertical;
            self.smooth_vertical = vertical;
            if self.filled >= 5 + 16 {
                let mut add = Asymmetry::default();
                // The jerk at the second newest smoothed value (central difference).
                let jerk = (self.smooth[15] - self.smooth[13]) / (2.0 * DT);
                add.n = 1.0;
                add.j1 = jerk;
                add.j2 = jerk * jerk;
                add.j3 = jerk * jerk * jerk;
                add.rising = f64::from(u8::from(self.smooth[15] > self.smooth[14]));
                add.vertical_rising = f64::from(u8::from(vertical_rose));
                add.x1 = smoothed;
                add.x2 = smoothed * smoothed;
                for (k, lag) in LAGS.iter().enumerate() {
                    let earlier = self.smooth[15 - lag];
                    add.reversal[k] = earlier * smoothed * (earlier - smoothed);
                }
                // Calibration times count from the first sample.
                let at = t - 3.0 * DT - self.first_t.unwrap_or(0.0);
                self.pending.merge(&add);
                if let Some((a, b)) = self.options.forward_segment
                    && at >= a
                    && at <= b
                {
                    self.calibration.merge(&add);
                }
            }
        }
        // Step path.
        let high_passed = self.high_pass.step(v);
        let filtered = self.low_pass.step(high_passed);
        self.rhythm(high_passed);
        let alpha = DT / RMS_TAU_S;
        self.mean_square += alpha * (filtered * filtered - self.mean_square);
        self.recent = [self.recent[1], self.recent[2], filtered];
        let placement = self.options.placement.unwrap_or(Placement::Pocket);
        let threshold = placement.relative_threshold() * self.mean_square.sqrt();
        let [a, b, c] = self.recent;
        if b > a && b >= c && b > threshold && b > 0.05 {
            self.candidate(t - DT, b);
        }
        if let Some((pt, _)) = self.tentative
            && t - pt >= self.min_step_interval
        {
            self.commit_tentative();
        }
        if let Some(open) = &self.open
            && t - open.last > MAX_STEP_GAP_S
        {
            self.close_bout();
        }
    }

    /// Rhythm path: a 4 Hz low-pass, every second sample, and the lagged products.
    fn rhythm(&mut self, high_passed: f64) {
        let x = self.rhythm_low_pass.step(high_passed);
        self.rhythm_seen += 1;
        if !self.rhythm_seen.is_multiple_of(RHYTHM_DECIMATION) {
            return;
        }
        let add = &mut self.pending_rhythm;
        add.n += 1.0;
        add.energy += x * x;
        // Plain loops over arrays, so that they vectorise: this is the pipeline's costliest part.
        for ((sum, energy), earlier) in add
            .lagged
            .iter_mut()
            .zip(add.lagged_energy.iter_mut())
            .zip(self.rhythm_history)
        {
            *sum += x * earlier;
            *energy += earlier * earlier;
        }
        self.rhythm_history.rotate_right(1);
        self.rhythm_history[0] = x;
    }

    fn candidate(&mut self, t: f64, height: f64) {
        match self.tentative {
            Some((pt, ph)) if t - pt < self.min_step_interval => {
                if height > ph {
                    self.tentative = Some((t, height));
                }
            }
            _ => {
                self.commit_tentative();
                self.tentative = Some((t, height));
            }
        }
    }

    fn commit_tentative(&mut self) {
        if let Some((t, _)) = self.tentative.take() {
            self.step(t);
        }
    }

    fn step(&mut self, t: f64) {
        let keep = self.options.keep_contacts;
        match &mut self.open {
            Some(open) if t - open.last <= MAX_STEP_GAP_S => {
                let interval = t - open.last;
                open.interval_sum += interval;
                open.interval_sq += interval * interval;
                open.steps += 1;
                open.last = t;
                open.asymmetry.merge(&self.pending);
                open.rhythm.merge(&self.pending_rhythm);
                if keep {
                    open.contacts.push(t);
                }
            }
            _ => {
                self.close_bout();
                self.open = Some(OpenBout {
                    first: t,
                    last: t,
                    steps: 1,
                    interval_sum: 0.0,
                    interval_sq: 0.0,
                    asymmetry: Asymmetry::default(),
                    rhythm: Box::default(),
                    contacts: if keep { vec![t] } else { Vec::new() },
                });
            }
        }
        self.pending = Asymmetry::default();
        self.pending_rhythm = Rhythm::default();
    }

    fn close_bout(&mut self) {
        let Some(mut open) = self.open.take() else {
            return;
        };
        if open.steps < MIN_BOUT_STEPS {
            return;
        }
        let intervals = f64::from(open.steps - 1);
        let mean = open.interval_sum / intervals;
        let variance = (open.interval_sq / intervals - mean * mean).max(0.0);
        let cv = variance.sqrt() / mean;
        if cv > MAX_STEP_TIME_CV {
            return;
        }
        if let Some(least) = self.min_regularity
            && open.rhythm.regularity() < least
        {
            return;
        }
        // Peaks one stride apart: the signal repeats at the peaks' interval and, positively,
        // at half of it, so a rhythm twice as fast underlies them. Steps alternate between the
        // feet; a sensor on one leg (an ankle, a shank) can show only its own foot's impact
        // clearly. Walking steps at half the interval would instead make the half lag
        // anti-correlated. Each interval then holds one more step, at its middle.
        let mut steps = open.steps;
        let mut mean = mean;
        if let (Some(at_peaks), Some(at_half)) = (open.rhythm.at(mean), open.rhythm.at(mean / 2.0))
            && at_peaks >= STRIDE_PEAKS_REPEAT
            && at_half > 0.0
            && 2.0 * 60.0 / mean <= MAX_DOUBLED_CADENCE_SPM
        {
            steps = 2 * open.steps - 1;
            mean /= 2.0;
            if self.options.keep_contacts {
                let strides = std::mem::take(&mut open.contacts);
                for pair in strides.windows(2) {
                    open.contacts.push(pair[0]);
                    open.contacts.push((pair[0] + pair[1]) / 2.0);
                }
                open.contacts.extend(strides.last());
            }
        }
        let features = open.asymmetry.features();
        self.features.push(features);
        self.bouts.push(Bout {
            start_s: open.first,
            end_s: open.last,
            steps,
            cadence_spm: 60.0 / mean,
            step_time_cv: cv,
            direction: Direction::Forward,
            confidence: 0.5,
            asymmetry: 0.0,
            contacts: open.contacts,
        });
    }

    /// Ends the stream and gives the analysis; directions are decided here, after the
    /// calibration segment (if any) has been seen.
    pub fn finish(mut self) -> Analysis {
        self.commit_tentative();
        self.close_bout();
        // The direction of forward walking in feature space: from a known forward segment of
        // this recording when there is one (it fits this person and placement), else the
        // vertical rise alone.
        let calibrated = self.calibration.n >= RATE_HZ * 5.0;
        let forward = if calibrated {
            // The vertical rise keeps its full weight; the calibration sets its sign and adds
            // the other statistics at a lower weight, for what is particular to this person and
            // placement.
            let c = self.calibration.features();
            let mut forward = c.map(|x| x * CALIBRATED_WEIGHT);
            forward[FEATURES - 1] = c[FEATURES - 1];
            forward
        } else {
            DEFAULT_FORWARD
        };
        let norm = dot(&forward, &forward).sqrt().max(1e-9);
        // Times are reported from the first sample.
        let origin = self.first_t.unwrap_or(0.0);
        for (bout, f) in self.bouts.iter_mut().zip(&self.features) {
            // Milliseconds are plenty at 50 Hz and keep the JSON readable.
            bout.start_s = ((bout.start_s - origin) * 1000.0).round() / 1000.0;
            bout.end_s = ((bout.end_s - origin) * 1000.0).round() / 1000.0;
            for c in &mut bout.contacts {
                *c -= origin;
            }
            // Cosine-like score: positive is forward.
            // The projection on forward walking's direction, in units of the features' typical
            // size: about 1 for a typical forward bout.
            let score = dot(f, &forward) / norm;
            bout.asymmetry = score;
            bout.direction = if score >= 0.0 {
                Direction::Forward
            } else {
                Direction::Backward
            };
            // Never certainty: the method was checked on reversed forward walking, not on real
            // backward walking.
            bout.confidence =
                (0.5 + 0.5 * (1.0 - (-score.abs() / DIRECTION_SCALE).exp())).min(MAX_CONFIDENCE);
        }
        Analysis {
            total_steps: self.bouts.iter().map(|b| u64::from(b.steps)).sum(),
            bouts: self.bouts,
            samples: self.samples,
            duration_s: self.first_t.map_or(0.0, |f| self.last_t - f),
            gaps: self.gaps,
            calibrated,
        }
    }
}

/// Analyses a whole stream of samples.
pub fn analyze(samples: impl IntoIterator<Item = Sample>, options: Options) -> Analysis {
    let mut analyzer = Analyzer::new(options);
    for s in samples {
        analyzer.push(&s);
    }
    analyzer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic walk: an asymmetric impact per step (sharp rise, slow fall) at `cadence`.
    pub(crate) fn walk(seconds: f64, cadence_spm: f64, rate: f64, reversed: bool) -> Vec<Sample> {
        let n = (seconds * rate) as usize;
        let period = 60.0 / cadence_spm;
        let mut values: Vec<f64> = (0..n)
            .map(|i| {
                let t = i as f64 / rate;
                let phase = (t % period) / period;
                // Sharp rise over 10% of the step, slow decay over the rest.
                let pulse = if phase < 0.1 {
                    phase / 0.1
                } else {
                    (-(phase - 0.1) * 6.0).exp()
                };
                3.0 * pulse - 1.0
            })
            .collect();
        if reversed {
            values.reverse();
        }
        values
            .into_iter()
            .enumerate()
            .map(|(i, v)| Sample {
                t: i as f64 / rate,
                acc: [G + v, 0.3, 0.1],
                gyr: None,
            })
            .collect()
    }

    #[test]
    fn a_steady_synthetic_walk_gives_its_steps_and_cadence() {
        let a = analyze(walk(60.0, 110.0, 100.0, false), Options::default());
        assert_eq!(a.bouts.len(), 1, "{:?}", a.bouts);
        let steps = a.total_steps as f64;
        assert!((steps - 110.0).abs() <= 2.0, "{steps}");
        assert!((a.bouts[0].cadence_spm - 110.0).abs() < 1.0);
        assert!(a.bouts[0].step_time_cv < 0.05);
    }

    #[test]
    fn reversing_time_reverses_the_direction() {
        let forward = analyze(walk(60.0, 100.0, 100.0, false), Options::default());
        let backward = analyze(walk(60.0, 100.0, 100.0, true), Options::default());
        // Whatever the uncalibrated guess for this synthetic signal, reversal flips it.
        assert_ne!(forward.bouts[0].direction, backward.bouts[0].direction);
        assert!((forward.bouts[0].confidence - backward.bouts[0].confidence).abs() < 0.05);
        // Calibrated on its own forward start, the forward walk reads forward with confidence.
        let calibrated = analyze(
            walk(60.0, 100.0, 100.0, false),
            Options {
                forward_segment: Some((0.0, 30.0)),
                ..Options::default()
            },
        );
        assert_eq!(calibrated.bouts[0].direction, Direction::Forward);
        assert!(
            calibrated.bouts[0].confidence > 0.8,
            "{}",
            calibrated.bouts[0].confidence
        );
    }

    #[test]
    fn a_known_forward_segment_sets_the_sign() {
        // A sensor whose signal is mirrored in time from the start: calibrated, it reads forward.
        let options = Options {
            forward_segment: Some((0.0, 30.0)),
            ..Options::default()
        };
        let a = analyze(walk(60.0, 100.0, 100.0, true), options);
        assert!(a.calibrated);
        assert_eq!(a.bouts[0].direction, Direction::Forward);
    }

    /// Samples from a function of time, at 100 Hz.
    fn signal(seconds: f64, f: impl Fn(f64) -> f64) -> Vec<Sample> {
        (0..(seconds * 100.0) as usize)
            .map(|i| {
                let t = i as f64 / 100.0;
                Sample {
                    t,
                    acc: [G + f(t), 0.2, 0.1],
                    gyr: None,
                }
            })
            .collect()
    }

    /// A smooth impact of `height` centred at `at`, 0.1 s wide.
    fn bump(t: f64, at: f64, height: f64) -> f64 {
        height * (-((t - at) / 0.05).powi(2)).exp()
    }

    #[test]
    fn the_rhythm_autocorrelation_finds_the_period() {
        // Too small to make steps, which would hand the sums on to a bout.
        let mut a = Analyzer::new(Options::default());
        for s in signal(30.0, |t| {
            0.04 * (2.0 * std::f64::consts::PI * t / 1.2).sin()
        }) {
            a.push(&s);
        }
        let r = &a.pending_rhythm;
        assert!(r.at(1.2).is_some_and(|v| v > 0.95), "{:?}", r.at(1.2));
        assert!(r.at(0.6).is_some_and(|v| v < -0.95), "{:?}", r.at(0.6));
        assert!((r.regularity() - 1.0).abs() < 0.05);
        // Beyond the lags kept, and longer than half the samples seen: unknown.
        assert_eq!(r.at(3.0), None);
        assert_eq!(Rhythm::default().at(1.0), None);
    }

    #[test]
    fn one_clear_impact_per_stride_counts_two_steps() {
        // A leg-worn sensor: its own foot's strike every 1.0 s, the other foot's far weaker
        // halfway, too weak to pass as a peak.
        let strides = signal(60.0, |t| {
            let phase = t % 1.0;
            bump(phase, 0.5, 8.0) + bump(phase, 0.0, 1.2) + bump(phase, 1.0, 1.2)
        });
        let a = analyze(strides, Options::default());
        assert_eq!(a.bouts.len(), 1, "{:?}", a.bouts);
        let b = &a.bouts[0];
        assert!((b.cadence_spm - 120.0).abs() < 2.0, "{b:?}");
        assert!((f64::from(b.steps) - 119.0).abs() <= 2.0, "{b:?}");
    }

    #[test]
    fn peaks_without_a_rhythm_are_not_a_bout_away_from_the_lower_back() {
        // Movements at irregular times (0.45-1.35 s apart), as when handling a phone.
        let mut times = vec![1.0];
        let mut seed = 7_u64;
        while times.last().is_some_and(|t| *t < 58.0) {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let jitter = (seed >> 33) as f64 / (1u64 << 31) as f64;
            times.push(times[times.len() - 1] + 0.45 + 0.9 * jitter);
        }
        let movements = signal(60.0, |t| times.iter().map(|at| bump(t, *at, 4.0)).sum());
        assert_eq!(
            analyze(movements.clone(), Options::default()).total_steps,
            0
        );
        // On the lower back, irregular steps are kept (shuffling, turns, gait disorders).
        let lower_back = Options {
            placement: Some(Placement::LowerBack),
            ..Options::default()
        };
        assert!(analyze(movements, lower_back).total_steps > 20);
    }

    #[test]
    fn stillness_and_noise_are_not_walking() {
        let still: Vec<Sample> = (0..6000)
            .map(|i| Sample {
                t: i as f64 / 100.0,
                acc: [0.0, 0.0, G + 0.01 * ((i * 7919) % 13) as f64],
                gyr: None,
            })
            .collect();
        assert_eq!(analyze(still, Options::default()).total_steps, 0);
    }

    #[test]
    fn gaps_restart_the_stream_and_bad_values_are_skipped() {
        let mut samples = walk(20.0, 100.0, 100.0, false);
        let later: Vec<Sample> = walk(20.0, 100.0, 100.0, false)
            .into_iter()
            .map(|mut s| {
                s.t += 100.0;
                s
            })
            .collect();
        samples.push(Sample {
            t: f64::NAN,
            acc: [0.0; 3],
            gyr: None,
        });
        samples.extend(later);
        let a = analyze(samples, Options::default());
        assert_eq!(a.gaps, 1);
        assert_eq!(a.bouts.len(), 2);
    }

    #[test]
    fn placements_parse_and_refuse_with_the_list() {
        assert_eq!("lower-back".parse::<Placement>(), Ok(Placement::LowerBack));
        let e = "shoe".parse::<Placement>().unwrap_err();
        assert!(e.contains("pocket") && e.contains("shoe"));
    }
}

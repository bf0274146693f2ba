//! Finds walking in raw motion data from a phone, a watch or a body-worn sensor: walking bouts,
//! initial contacts (steps), cadence and step-time variability per bout, and the direction of
//! each bout (forward or backward) with a confidence.
//!
//! The pipeline streams: samples go into an [`Analyzer`] one at a time and memory stays the same
//! however long the recording. It uses the magnitude of acceleration, so the sensor may sit in
//! any orientation and move between places (a phone from hand to pocket):
//!
//! 1. resample to 50 Hz (linear interpolation; gaps over 1 s restart the stream);
//! 2. steps: band-pass 0.5-2 Hz (0.5-3 Hz on the lower back; Butterworth), peaks above an
//!    adaptive threshold (a share of the running RMS) at least 0.3 s apart (0.4 s on the lower
//!    back);
//! 3. bouts: steps at most 2 s apart; a bout needs 4 steps and regular step times (away from
//!    the lower back, a peak much sooner than the bout's rhythm is not a step);
//! 4. direction: the time asymmetry of the gait signal. Walking backward is, to a first
//!    approximation, walking forward reversed in time; reversing time flips the sign of the
//!    jerk (the derivative of acceleration), so the skewness of the jerk tells the two apart.
//!    It is computed with symmetric (centred) operations only, so that processing does not
//!    itself break the symmetry. A segment known to be forward (the warm-up of a guided session)
//!    calibrates the sign for the sensor's placement.
//!
//! Readers: CSV with a header ([`csv`]) and Axivity CWA ([`cwa`]); [`synthetic`] makes a day of
//! data for benchmarks.

pub mod csv;
pub mod cwa;
mod filter;
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
/// Elsewhere than the lower back, a peak sooner than this share of the bout's mean step time is
/// not a step.
const EARLY_PEAK_SHARE: f64 = 0.65;
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
/// Direction score at which the confidence reaches about 82%.
const SKEW_SCALE: f64 = 0.5;

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

    /// A peak sooner than this share of the bout's mean step time is not a step (a second peak
    /// within one step, or an arm movement). Not on the lower back, where the single sharp
    /// impact makes real but uneven steps (turns, gait disorders) the commoner case.
    fn early_peak_share(placement: Option<Self>) -> Option<f64> {
        match placement {
            Some(Placement::LowerBack) => None,
            _ => Some(EARLY_PEAK_SHARE),
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
    /// How sure the direction is, 0.5 (a guess) to 1.
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
/// Number of asymmetry features.
const FEATURES: usize = 2 + LAGS.len();
/// Typical size of each feature in forward walking (the mean absolute value over the lab and
/// phone recordings), to weigh them equally.
const FEATURE_SCALE: [f64; FEATURES] = [0.2158, 0.024, 0.0163, 0.1349, 0.2512, 0.1629];
/// The mean scaled feature vector of forward walking over those recordings: the direction used
/// when no known forward segment calibrates the sensor.
const DEFAULT_FORWARD: [f64; FEATURES] = [-0.396, 0.9, 0.187, 0.157, -0.261, 0.404];

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
        for (v, s) in f.iter_mut().zip(FEATURE_SCALE) {
            *v /= s;
        }
        f
    }
}

fn dot(a: &[f64; FEATURES], b: &[f64; FEATURES]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
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
    contacts: Vec<f64>,
}

/// The streaming analysis. Feed samples with [`Analyzer::push`], then [`Analyzer::finish`].
#[derive(Debug, Clone)]
pub struct Analyzer {
    options: Options,
    min_step_interval: f64,
    early_peak_share: Option<f64>,
    resampler: Resampler,
    high_pass: Biquad,
    low_pass: Biquad,
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
            min_step_interval: Placement::min_step_interval_s(placement),
            early_peak_share: Placement::early_peak_share(placement),
            started: false,
            mean_square: 0.0,
            recent: [0.0; 3],
            t: 0.0,
            tentative: None,
            raw: [0.0; 5],
            smooth: [0.0; 16],
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
        let magnitude =
            (sample.acc[0].powi(2) + sample.acc[1].powi(2) + sample.acc[2].powi(2)).sqrt() - G;
        let mut regular = Vec::new();
        let gap = self
            .resampler
            .push(sample.t, magnitude, |t, v| regular.push((t, v)));
        if gap {
            self.gaps += 1;
            self.restart();
        }
        for (t, v) in regular {
            self.regular(t, v);
        }
    }

    /// After a gap: close what was open and start the filters afresh.
    fn restart(&mut self) {
        self.commit_tentative();
        self.close_bout();
        self.started = false;
        self.filled = 0;
        self.pending = Asymmetry::default();
    }

    fn regular(&mut self, t: f64, v: f64) {
        if !self.started {
            self.high_pass.settle(v);
            self.low_pass.settle(0.0);
            self.mean_square = 0.0;
            self.recent = [0.0; 3];
            self.started = true;
        }
        self.t = t;
        // Direction path: centred 5-point smoothing, then statistics that change sign when time
        // runs backward (all computed from centred or symmetric operations).
        self.raw.rotate_left(1);
        self.raw[4] = v;
        self.filled += 1;
        if self.filled >= 5 {
            let smoothed = self.raw.iter().sum::<f64>() / 5.0;
            self.smooth.rotate_left(1);
            self.smooth[15] = smoothed;
            if self.filled >= 5 + 16 {
                let mut add = Asymmetry::default();
                // The jerk at the second newest smoothed value (central difference).
                let jerk = (self.smooth[15] - self.smooth[13]) / (2.0 * DT);
                add.n = 1.0;
                add.j1 = jerk;
                add.j2 = jerk * jerk;
                add.j3 = jerk * jerk * jerk;
                add.rising = f64::from(u8::from(self.smooth[15] > self.smooth[14]));
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
        let filtered = self.low_pass.step(self.high_pass.step(v));
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
                // Once the rhythm is known, a peak far sooner than it is a second peak within
                // one step (or an arm movement), not a step.
                if let Some(share) = self.early_peak_share
                    && open.steps >= 4
                {
                    let typical = open.interval_sum / f64::from(open.steps - 1);
                    if interval < share * typical {
                        return;
                    }
                }
                open.interval_sum += interval;
                open.interval_sq += interval * interval;
                open.steps += 1;
                open.last = t;
                open.asymmetry.merge(&self.pending);
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
                    contacts: if keep { vec![t] } else { Vec::new() },
                });
            }
        }
        self.pending = Asymmetry::default();
    }

    fn close_bout(&mut self) {
        let Some(open) = self.open.take() else {
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
        let features = open.asymmetry.features();
        self.features.push(features);
        self.bouts.push(Bout {
            start_s: open.first,
            end_s: open.last,
            steps: open.steps,
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
        // this recording when there is one (it fits this person and placement), else the mean of
        // the forward recordings the constants come from.
        let calibrated = self.calibration.n >= RATE_HZ * 5.0;
        let forward = if calibrated {
            self.calibration.features()
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
            let score = dot(f, &forward) / norm / (FEATURES as f64).sqrt();
            bout.asymmetry = score;
            bout.direction = if score >= 0.0 {
                Direction::Forward
            } else {
                Direction::Backward
            };
            bout.confidence = 0.5 + 0.5 * (1.0 - (-score.abs() / SKEW_SCALE).exp());
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

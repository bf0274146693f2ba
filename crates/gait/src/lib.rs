//! Finds walking in raw motion data from a phone, a watch or a body-worn sensor: walking bouts,
//! initial contacts (steps), cadence and step-time variability, and which way each stretch of
//! walking went (forward, backward, or unknown) with a calibrated confidence.
//!
//! The pipeline streams: samples go into an [`Analyzer`] one at a time; memory per bout is its
//! contact times and a small record per 2 s window. Steps use the magnitude of acceleration, so
//! the sensor may sit in any orientation and move between places (a phone from hand to pocket):
//!
//! 1. resample to 50 Hz (linear interpolation; gaps over 1 s restart the stream);
//! 2. steps: band-pass 0.5-2 Hz (0.5-3 Hz on the lower back; Butterworth), peaks above an
//!    adaptive threshold (a share of the running RMS) at least 0.3 s apart (0.4 s on the lower
//!    back). A foot or ankle sensor with a gyroscope counts its own foot's stances instead, two
//!    steps per stride;
//! 3. bouts: steps at most 2 s apart; a bout needs 4 steps and regular step times;
//! 4. rhythm: each bout's autocorrelation (running sums over lags up to 2.4 s, at 25 Hz). Away
//!    from the lower back a bout must repeat at some stride lag (fidgeting and handling make
//!    peaks but no rhythm). Peaks one stride apart (a sensor on one leg shows its own foot's
//!    impact, hardly the other's) are recognised by a positive autocorrelation at half their
//!    interval, and each interval then counts two steps;
//! 5. direction ([`direction`]): read from the mechanics of walking against a stretch known to
//!    be walked forward ([`Options::forward_segment`]): each stride's displacement for a foot
//!    or ankle sensor, the braking-and-propulsion coupling of vertical and horizontal
//!    acceleration for the lower back or a pocket. Without such a stretch, or on the wrist, in
//!    the hand, on the arm or in a bag, the direction is [`Direction::Unknown`]. A walk that
//!    turns round without stopping is split where it turns.
//!
//! Readers: CSV with a header ([`csv`]), Axivity CWA ([`cwa`]) and GENEActiv `.bin`
//! ([`geneactiv`]), and [`file`] for any of them by its first bytes; [`synthetic`] makes a day
//! of data for benchmarks.

mod blocks;
pub mod csv;
pub mod cwa;
pub mod direction;
pub mod file;
mod filter;
mod foot;
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
    /// On the shoe or the instep (research sensors such as APDM Opal).
    Foot,
    /// Strapped above the ankle, on the shank.
    Ankle,
}

impl Placement {
    /// Every placement.
    pub const ALL: [Placement; 8] = [
        Placement::LowerBack,
        Placement::Pocket,
        Placement::Hand,
        Placement::Bag,
        Placement::Armband,
        Placement::Wrist,
        Placement::Foot,
        Placement::Ankle,
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
            Placement::Foot => "foot",
            Placement::Ankle => "ankle",
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

/// Which way a stretch of walking was walked, as far as the motion can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Facing the way of travel.
    Forward,
    /// With the back to the way of travel.
    Backward,
    /// The recording does not say: no known forward stretch to calibrate on, a placement whose
    /// motion does not show the direction, or evidence too weak either way.
    Unknown,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Forward => "forward",
            Direction::Backward => "backward",
            Direction::Unknown => "unknown",
        })
    }
}

/// Confidence from which a direction is said without hedging ("backward (sure)").
pub const SURE_FROM: f64 = 0.9;
/// Confidence below which no direction is given at all (`unknown`).
pub const ANSWER_FROM: f64 = 0.65;

/// The direction in words, hedged by how sure it is: "backward (sure)", "probably backward",
/// "can't tell from this recording: was it backward?".
pub fn direction_in_words(direction: Direction, confidence: f64) -> &'static str {
    match direction {
        Direction::Forward if confidence >= SURE_FROM => "forward (sure)",
        Direction::Forward => "probably forward",
        Direction::Backward if confidence >= SURE_FROM => "backward (sure)",
        Direction::Backward => "probably backward",
        Direction::Unknown => "can't tell from this recording: was it backward?",
    }
}

/// What a stretch's direction rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// It lies in the stretch said to be walked forward (the warm-up): given, not detected.
    Given,
    /// Read from the motion against the warm-up ([`direction`]).
    Motion,
    /// Nothing to read it from: the direction is `unknown` (see [`Analysis::direction_note`]).
    Nothing,
}

/// One stretch of walking in one direction: a walking bout, or the part of one between two
/// turns (a walk that turns round without stopping is split where it turns).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bout {
    /// First initial contact, seconds from the first sample.
    pub start_s: f64,
    /// Last initial contact, seconds from the first sample.
    pub end_s: f64,
    /// Steps.
    pub steps: u32,
    /// Steps per minute.
    pub cadence_spm: f64,
    /// Step-time variability: coefficient of variation of the times between steps (between
    /// strides, when steps are counted two per stride).
    pub step_time_cv: f64,
    /// Forward, backward, or unknown.
    pub direction: Direction,
    /// The probability that `direction` is right (for `unknown`, that of the likelier
    /// direction, below [`ANSWER_FROM`]); 1 for a stretch given as forward.
    pub confidence: f64,
    /// What the direction rests on.
    pub basis: Basis,
    /// The evidence, when the motion was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<direction::Evidence>,
    /// The steps were counted as two per stride of the instrumented foot (a foot or ankle
    /// sensor sees its own foot's contacts, not the other foot's).
    pub two_steps_per_stride: bool,
    /// Whether this stretch continues a walk that the previous one started (the walker turned
    /// round without stopping).
    pub turned: bool,
    /// The initial contacts' times, when asked for ([`Options::keep_contacts`]): the
    /// instrumented foot's, when steps are counted per stride.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<f64>,
}

impl Bout {
    /// The direction in words ([`direction_in_words`]).
    pub fn direction_words(&self) -> &'static str {
        if self.basis == Basis::Given {
            return "forward (given)";
        }
        direction_in_words(self.direction, self.confidence)
    }
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
    /// Whether a known forward stretch gave a reference to read the direction against.
    pub calibrated: bool,
    /// What the direction rests on, or why it cannot be told, in words.
    pub direction_note: String,
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

/// The step detector's two constants that were chosen on recordings, to tune them afresh in a
/// cross-validation ([`Analyzer::with_step_tuning`]); the product uses the defaults per
/// placement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepTuning {
    /// Share of the running RMS a peak must exceed to be a step.
    pub relative_threshold: f64,
    /// Low-pass corner of the step band, Hz.
    pub low_pass_hz: f64,
}

impl StepTuning {
    /// The product's values for a placement.
    pub fn for_placement(placement: Option<Placement>) -> StepTuning {
        StepTuning {
            relative_threshold: placement.unwrap_or(Placement::Pocket).relative_threshold(),
            low_pass_hz: Placement::low_pass_hz(placement),
        }
    }
}

/// Largest acceleration taken, m/s² (about 100 g: beyond any body-worn sensor's range).
const MAX_ACCELERATION: f64 = 1000.0;
/// How long a rotation reading stands in for missing ones, s.
const MAX_HELD_ROTATION_S: f64 = 0.1;
/// Largest angular velocity taken, deg/s.
const MAX_ANGULAR_VELOCITY: f64 = 10_000.0;
/// Low-pass corner of the gravity estimate, Hz.
const GRAVITY_HZ: f64 = 0.3;
/// Upper edge of the accelerations whose coupling gives the direction, Hz: the step and stride
/// rhythms, without the impacts' ringing (the lower edge is the gravity estimate's).
const COUPLING_LOW_PASS_HZ: f64 = 4.0;
/// Least walking in the known forward stretch for it to calibrate, s.
const MIN_WARM_UP_S: f64 = 6.0;

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

/// The last [`RHYTHM_LAGS`] rhythm values and their squares, newest first, without moving them
/// on each new value: each is written twice, `RHYTHM_LAGS` apart, so that the newest run of
/// them is always one slice. (The squares are kept rather than computed for every lag.)
#[derive(Debug, Clone, Copy)]
struct RhythmHistory {
    values: [f64; 2 * RHYTHM_LAGS],
    squares: [f64; 2 * RHYTHM_LAGS],
    newest: usize,
}

impl Default for RhythmHistory {
    /// Zeros before the stream's start, which add nothing to the sums.
    fn default() -> Self {
        RhythmHistory {
            values: [0.0; 2 * RHYTHM_LAGS],
            squares: [0.0; 2 * RHYTHM_LAGS],
            newest: 0,
        }
    }
}

impl RhythmHistory {
    fn newest_first(&self) -> (&[f64], &[f64]) {
        let run = self.newest..self.newest + RHYTHM_LAGS;
        (&self.values[run.clone()], &self.squares[run])
    }

    fn push(&mut self, x: f64) {
        self.newest = self.newest.checked_sub(1).unwrap_or(RHYTHM_LAGS - 1);
        for at in [self.newest, self.newest + RHYTHM_LAGS] {
            self.values[at] = x;
            self.squares[at] = x * x;
        }
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
    rhythm: Box<Rhythm>,
    contacts: Vec<f64>,
}

/// A finished walking bout, before its direction is read and it is split where it turns.
#[derive(Debug, Clone)]
struct WalkedBout {
    contacts: Vec<f64>,
    /// Each contact is one stride of the instrumented foot (two steps).
    per_stride: bool,
    step_time_cv: f64,
    cadence_spm: f64,
    windows: Vec<direction::Window>,
}

/// A part of a walk: its time span, its windows, what its direction rests on, and whether the
/// walk turned where it starts.
#[derive(Debug, Clone)]
struct Part {
    from: f64,
    to: f64,
    windows: std::ops::Range<usize>,
    basis: Basis,
    split: bool,
}

impl Part {
    fn new(from: f64, to: f64, windows: std::ops::Range<usize>, basis: Basis) -> Part {
        Part {
            from,
            to,
            windows,
            basis,
            split: false,
        }
    }
}

/// How the direction can be read in this recording, decided from the placement and the
/// sensors.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reading {
    /// Foot or ankle with a gyroscope: stride displacement.
    FootStrides,
    /// Lower back or pocket: the coupling.
    Coupling,
    /// No feature is claimed for this placement; the reason.
    Nothing(&'static str),
}

/// The streaming analysis. Feed samples with [`Analyzer::push`], then [`Analyzer::finish`].
#[derive(Debug, Clone)]
pub struct Analyzer {
    options: Options,
    min_step_interval: f64,
    min_regularity: Option<f64>,
    relative_threshold: f64,
    resampler: Resampler<6>,
    high_pass: Biquad,
    low_pass: Biquad,
    rhythm_low_pass: Biquad,
    /// The last rhythm values (25 Hz), newest first (zero before the stream's start, which adds
    /// nothing to the sums), and how many 50 Hz samples were seen.
    rhythm_history: RhythmHistory,
    rhythm_seen: u64,
    pending_rhythm: Rhythm,
    regular_buffer: Vec<(f64, [f64; 6])>,
    started: bool,
    mean_square: f64,
    /// The last three filtered values, oldest first, and the last regular time.
    recent: [f64; 3],
    t: f64,
    tentative: Option<(f64, f64)>,
    /// Gravity (a low-pass of each axis) and the coupling's band-pass of each axis.
    gravity: [Biquad; 3],
    band_low: [Biquad; 3],
    /// Whether the placement lets the coupling be read (else it is not computed).
    reads_coupling: bool,
    coupling: direction::CouplingStream,
    /// The window being filled, how many samples it has, the finished ones that a bout may
    /// still claim, and those of the known forward stretch.
    window: direction::Window,
    window_samples: u32,
    recent_windows: std::collections::VecDeque<direction::Window>,
    warm_up: Vec<direction::Window>,
    /// Strides of a foot or ankle sensor, when it has a gyroscope.
    strides: Option<foot::StrideTracker>,
    /// Whether every sample so far had a gyroscope reading.
    /// Samples with a gyroscope reading (the others lack one), and the last reading.
    with_gyroscope: u64,
    last_rotation: Option<(f64, [f64; 3])>,
    open: Option<OpenBout>,
    walked: Vec<WalkedBout>,
    samples: u64,
    first_t: Option<f64>,
    last_t: f64,
    gaps: u32,
}

impl Analyzer {
    /// A new analysis.
    pub fn new(options: Options) -> Self {
        let tuning = StepTuning::for_placement(options.placement);
        Analyzer::with_step_tuning(options, tuning)
    }

    /// A new analysis whose step detector uses `tuning` instead of the placement's values (for
    /// cross-validating them).
    pub fn with_step_tuning(options: Options, tuning: StepTuning) -> Self {
        let placement = options.placement;
        let strides = match placement {
            Some(Placement::Foot) => Some(foot::StrideTracker::new(false, RATE_HZ)),
            Some(Placement::Ankle) => Some(foot::StrideTracker::new(true, RATE_HZ)),
            _ => None,
        };
        Analyzer {
            options,
            resampler: Resampler::new(RATE_HZ, MAX_INPUT_GAP_S),
            high_pass: Biquad::high_pass(HIGH_PASS_HZ, RATE_HZ),
            low_pass: Biquad::low_pass(tuning.low_pass_hz, RATE_HZ),
            relative_threshold: tuning.relative_threshold,
            rhythm_low_pass: Biquad::low_pass(RHYTHM_LOW_PASS_HZ, RATE_HZ),
            rhythm_history: RhythmHistory::default(),
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
            gravity: [Biquad::low_pass(GRAVITY_HZ, RATE_HZ); 3],
            reads_coupling: matches!(placement, Some(Placement::LowerBack | Placement::Pocket)),
            band_low: [Biquad::low_pass(COUPLING_LOW_PASS_HZ, RATE_HZ); 3],
            coupling: direction::CouplingStream::default(),
            window: direction::Window::new(0.0),
            window_samples: 0,
            recent_windows: std::collections::VecDeque::new(),
            warm_up: Vec::new(),
            strides,
            with_gyroscope: 0,
            last_rotation: None,
            open: None,
            walked: Vec::new(),
            samples: 0,
            first_t: None,
            last_t: 0.0,
            gaps: 0,
        }
    }

    /// Feeds one sample. Samples out of time order, or with values that are not finite, are
    /// skipped.
    pub fn push(&mut self, sample: &Sample) {
        // Beyond any sensor's range (about 100 g, 10,000 deg/s) a value is corrupt: skipped, so
        // that squares and sums stay finite.
        let in_range = |a: &f64| a.is_finite() && a.abs() <= MAX_ACCELERATION;
        if !sample.t.is_finite() || !sample.acc.iter().all(in_range) {
            return;
        }
        let gyr = sample.gyr.filter(|g| {
            g.iter()
                .all(|v| v.is_finite() && v.abs() <= MAX_ANGULAR_VELOCITY)
        });
        if gyr.is_some() {
            self.with_gyroscope += 1;
        }
        self.samples += 1;
        self.first_t.get_or_insert(sample.t);
        self.last_t = sample.t;
        // A rotation missing from one sample is held from the last reading (phones drop the odd
        // one); missing for longer, it travels as NaN through the resampling, so that the
        // stride tracker sees a gap rather than a foot at rest.
        if let Some(g) = gyr {
            self.last_rotation = Some((sample.t, g));
        }
        let g = gyr
            .or_else(|| {
                self.last_rotation
                    .filter(|(at, _)| sample.t - at <= MAX_HELD_ROTATION_S)
                    .map(|(_, g)| g)
            })
            .unwrap_or([f64::NAN; 3]);
        let channels = [
            sample.acc[0],
            sample.acc[1],
            sample.acc[2],
            g[0],
            g[1],
            g[2],
        ];
        // One buffer for the whole stream: no allocation per sample.
        let mut regular = std::mem::take(&mut self.regular_buffer);
        regular.clear();
        let gap = self
            .resampler
            .push(sample.t, channels, |t, v| regular.push((t, v)));
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
        // The window first, so that the bout can claim it.
        self.end_window();
        self.commit_tentative();
        self.close_bout();
        self.started = false;
        self.coupling.restart();
        self.rhythm_seen = 0;
        self.rhythm_history = RhythmHistory::default();
        self.pending_rhythm = Rhythm::default();
        if let Some(strides) = &mut self.strides {
            strides.restart();
        }
    }

    /// Closes the window being filled: into the known forward stretch's windows when it lies
    /// inside it, and among the recent ones a bout may claim.
    fn end_window(&mut self) {
        let next = direction::Window::new(self.t);
        let done = std::mem::replace(&mut self.window, next);
        let samples = std::mem::take(&mut self.window_samples);
        if samples < direction::WINDOW_SAMPLES / 2 {
            return;
        }
        if self.in_forward_segment(&done) && self.warm_up.len() < 1800 {
            self.warm_up.push(done.clone());
        }
        self.recent_windows.push_back(done);
        // Windows older than any bout that could still claim them are dropped.
        let keep_from = self
            .open
            .as_ref()
            .map_or(self.t - 2.0 * MAX_STEP_GAP_S, |o| o.first - 2.0);
        while self
            .recent_windows
            .front()
            .is_some_and(|w| w.end < keep_from)
        {
            self.recent_windows.pop_front();
        }
    }

    fn regular(&mut self, t: f64, channels: [f64; 6]) {
        let acc = [channels[0], channels[1], channels[2]];
        let v = (acc[0] * acc[0] + acc[1] * acc[1] + acc[2] * acc[2]).sqrt() - G;
        if !self.started {
            for (filter, a) in self.gravity.iter_mut().zip(acc) {
                filter.settle(a);
            }
            for filter in &mut self.band_low {
                filter.settle(0.0);
            }
            self.high_pass.settle(v);
            self.low_pass.settle(0.0);
            self.rhythm_low_pass.settle(0.0);
            self.mean_square = 0.0;
            self.recent = [0.0; 3];
            self.started = true;
            self.window = direction::Window::new(t);
            self.window_samples = 0;
        }
        self.t = t;
        // Direction path: the band-passed acceleration split into its part along gravity (a
        // slow low-pass of each axis, which no step moves) and the horizontal rest. The band's
        // lower edge is the gravity estimate's complement, so no second high-pass is needed.
        // Only computed where the placement lets the coupling be read.
        if self.reads_coupling {
            let gravity = [0, 1, 2].map(|i| self.gravity[i].step(acc[i]));
            let g = (gravity[0] * gravity[0] + gravity[1] * gravity[1] + gravity[2] * gravity[2])
                .sqrt()
                .max(1e-9);
            let up = gravity.map(|x| x / g);
            let band = [0, 1, 2].map(|i| self.band_low[i].step(acc[i] - gravity[i]));
            let vertical = band[0] * up[0] + band[1] * up[1] + band[2] * up[2];
            let horizontal = [0, 1, 2].map(|i| band[i] - vertical * up[i]);
            self.coupling.push(vertical, horizontal, &mut self.window);
        }
        self.window.end = t;
        self.window_samples += 1;
        if self.window_samples >= direction::WINDOW_SAMPLES {
            self.end_window();
        }
        // A foot or ankle sensor with a gyroscope: its stances are its own foot's contacts.
        let foot_contact = match &mut self.strides {
            Some(tracker) => {
                let gyr = [channels[3], channels[4], channels[5]];
                if gyr.iter().all(|g| g.is_finite()) {
                    tracker.push(t, acc, gyr)
                } else {
                    tracker.restart();
                    None
                }
            }
            _ => None,
        };
        if let Some(stride) = foot_contact {
            let contact = match stride {
                Ok(s) => {
                    let length = s.displacement[0].hypot(s.displacement[1]);
                    self.window.strides.push(s.displacement.map(|d| d / length));
                    s.contact_t
                }
                Err(contact) => contact,
            };
            self.step(contact);
        }
        // Step path.
        let high_passed = self.high_pass.step(v);
        let filtered = self.low_pass.step(high_passed);
        self.rhythm(high_passed);
        let alpha = DT / RMS_TAU_S;
        self.mean_square += alpha * (filtered * filtered - self.mean_square);
        self.recent = [self.recent[1], self.recent[2], filtered];
        let threshold = self.relative_threshold * self.mean_square.sqrt();
        let [a, b, c] = self.recent;
        if !self.counts_strides() && b > a && b >= c && b > threshold && b > 0.05 {
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

    /// Whether contacts come from the foot's stances (two steps each) rather than from peaks.
    fn counts_strides(&self) -> bool {
        self.strides.is_some() && self.has_gyroscope()
    }

    /// Whether the sensor has a gyroscope: nearly every sample has a reading (a phone may miss
    /// the odd one).
    fn has_gyroscope(&self) -> bool {
        self.with_gyroscope > 0 && self.with_gyroscope * 100 >= self.samples * 99
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
        let (earlier, squares) = self.rhythm_history.newest_first();
        for ((sum, energy), (earlier, square)) in add
            .lagged
            .iter_mut()
            .zip(add.lagged_energy.iter_mut())
            .zip(earlier.iter().zip(squares))
        {
            *sum += x * earlier;
            *energy += square;
        }
        self.rhythm_history.push(x);
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
        match &mut self.open {
            Some(open) if t - open.last <= MAX_STEP_GAP_S && t > open.last => {
                let interval = t - open.last;
                open.interval_sum += interval;
                open.interval_sq += interval * interval;
                open.steps += 1;
                open.last = t;
                open.rhythm.merge(&self.pending_rhythm);
                open.contacts.push(t);
            }
            _ => {
                self.close_bout();
                self.open = Some(OpenBout {
                    first: t,
                    last: t,
                    steps: 1,
                    interval_sum: 0.0,
                    interval_sq: 0.0,
                    rhythm: Box::default(),
                    contacts: vec![t],
                });
            }
        }
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
        let per_stride = self.counts_strides();
        // Peaks one stride apart: the signal repeats at the peaks' interval and, positively,
        // at half of it, so a rhythm twice as fast underlies them. Steps alternate between the
        // feet; a sensor on one leg (an ankle, a shank) can show only its own foot's impact
        // clearly. Walking steps at half the interval would instead make the half lag
        // anti-correlated. Each interval then holds one more step, at its middle.
        if !per_stride
            && let (Some(at_peaks), Some(at_half)) =
                (open.rhythm.at(mean), open.rhythm.at(mean / 2.0))
            && at_peaks >= STRIDE_PEAKS_REPEAT
            && at_half > 0.0
            && 2.0 * 60.0 / mean <= MAX_DOUBLED_CADENCE_SPM
        {
            let strides = std::mem::take(&mut open.contacts);
            for pair in strides.windows(2) {
                open.contacts.push(pair[0]);
                open.contacts.push((pair[0] + pair[1]) / 2.0);
            }
            open.contacts.extend(strides.last());
        }
        // Windows are kept only where a direction can be read from them.
        let windows = if self.reads_coupling || per_stride {
            self.recent_windows
                .iter()
                .filter(|w| w.end > open.first && w.start < open.last)
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let span = open.contacts.last().unwrap_or(&0.0) - open.contacts.first().unwrap_or(&0.0);
        let cadence_spm = if span > 0.0 {
            let per = if per_stride { 2.0 } else { 1.0 };
            per * 60.0 * (open.contacts.len() - 1) as f64 / span
        } else {
            60.0 / mean
        };
        self.walked.push(WalkedBout {
            contacts: open.contacts,
            per_stride,
            step_time_cv: cv,
            cadence_spm,
            windows,
        });
    }

    /// How the direction can be read here, and what calibrates it.
    fn reading(&self) -> Reading {
        match self.options.placement {
            Some(Placement::Foot | Placement::Ankle) if self.has_gyroscope() => {
                Reading::FootStrides
            }
            Some(Placement::Foot | Placement::Ankle) => Reading::Nothing(
                "a foot or ankle sensor without a gyroscope: its strides cannot be integrated, and the acceleration of a swinging foot does not show the direction",
            ),
            Some(Placement::LowerBack | Placement::Pocket) => Reading::Coupling,
            Some(Placement::Hand | Placement::Wrist | Placement::Armband | Placement::Bag) => {
                Reading::Nothing(
                    "a sensor in the hand, on the arm or in a bag moves with the arm or the load, not with the way of travel",
                )
            }
            None => Reading::Nothing(
                "where the sensor was worn is not known: say it (lower back, pocket, foot or ankle) to read the direction",
            ),
        }
    }

    /// Whether a window lies in the stretch said to be walked forward: at least half of it
    /// within that stretch widened by a second each side (a walk's first window may start
    /// before its first step). The same rule picks the warm-up's windows and the given part.
    fn in_forward_segment(&self, window: &direction::Window) -> bool {
        let origin = self.first_t.unwrap_or(0.0);
        self.options.forward_segment.is_some_and(|(a, b)| {
            let (from, to) = (origin + a - 1.0, origin + b + 1.0);
            let overlap = window.end.min(to) - window.start.max(from);
            overlap >= 0.5 * direction::WINDOW_SAMPLES as f64 * DT
        })
    }

    /// A walk's parts: each given part (its windows inside the stretch said to be forward, wherever
    /// in the walk they are) and, between them, the parts read from the motion and split where
    /// the walk turns. Each: its time span, its windows, what it rests on, and whether the
    /// walk turned where it starts.
    fn parts_of(
        &self,
        walked: &WalkedBout,
        reading: Reading,
        reference: Option<&direction::Reference>,
    ) -> Vec<Part> {
        let windows = &walked.windows;
        if windows.is_empty() {
            // No windows (a placement whose direction is not read): only the stretch said to
            // be walked forward is known.
            let origin = self.first_t.unwrap_or(0.0);
            return match self.options.forward_segment {
                Some((a, b)) => {
                    let (a, b) = (origin + a, origin + b);
                    vec![
                        Part::new(f64::NEG_INFINITY, a, 0..0, Basis::Nothing),
                        Part::new(a, b, 0..0, Basis::Given),
                        Part::new(b, f64::INFINITY, 0..0, Basis::Nothing),
                    ]
                }
                None => vec![Part::new(
                    f64::NEG_INFINITY,
                    f64::INFINITY,
                    0..0,
                    Basis::Nothing,
                )],
            };
        }
        // Runs of windows inside and outside the forward stretch.
        let mut runs: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
        for (i, w) in windows.iter().enumerate() {
            let given = self.in_forward_segment(w);
            match runs.last_mut() {
                Some((range, g)) if *g == given => range.end = i + 1,
                _ => runs.push((i..i + 1, given)),
            }
        }
        let mut parts: Vec<(std::ops::Range<usize>, Basis, bool)> = Vec::new();
        for (range, given) in runs {
            if given {
                parts.push((range, Basis::Given, false));
                continue;
            }
            let run = &windows[range.clone()];
            // Read against the warm-up; without one, a turn can still be seen against the
            // run's own first 10 s, though which way each side went stays unknown.
            let (own, basis) = match reference {
                Some(r) => (Some(r.clone()), Basis::Motion),
                None => (
                    match reading {
                        Reading::Nothing(_) => None,
                        _ => run.get(..direction::MIN_STRETCH_WINDOWS).and_then(|first| {
                            direction::Reference::from_warm_up(
                                first,
                                reading == Reading::FootStrides,
                            )
                        }),
                    },
                    Basis::Nothing,
                ),
            };
            match own {
                Some(r) => {
                    let scores: Vec<Option<f64>> = run.iter().map(|w| mean_score(&r, w)).collect();
                    for (i, piece) in direction::stretches(&scores).into_iter().enumerate() {
                        parts.push((
                            piece.start + range.start..piece.end + range.start,
                            basis,
                            i > 0,
                        ));
                    }
                }
                None => parts.push((range, Basis::Nothing, false)),
            }
        }
        // Time spans from window edges, opened to the walk's ends.
        let count = parts.len();
        parts
            .into_iter()
            .enumerate()
            .map(|(k, (range, basis, split))| {
                let from = if k == 0 {
                    f64::NEG_INFINITY
                } else {
                    windows[range.start].start
                };
                let to = if k + 1 == count {
                    f64::INFINITY
                } else {
                    windows[range.end].start
                };
                Part {
                    split,
                    ..Part::new(from, to, range, basis)
                }
            })
            .collect()
    }

    /// Ends the stream and gives the analysis; directions are decided here, after the
    /// calibration segment (if any) has been seen.
    pub fn finish(self) -> Analysis {
        self.finish_with_spans(&[]).0
    }

    /// Ends the stream and gives the analysis, and what the motion shows in each of `spans`
    /// (start, end, in seconds from the first sample): the blocks of a guided session, whose
    /// boundaries the timer knows. Each span is read on its own windows against the warm-up,
    /// so a block is not merged with its neighbours as a found stretch might be; the work is
    /// linear in the recording and the spans.
    pub fn finish_with_spans(mut self, spans: &[(f64, f64)]) -> (Analysis, Vec<SpanReading>) {
        self.end_window();
        self.commit_tentative();
        self.close_bout();
        let reading = self.reading();
        // Only the warm-up's walking calibrates: standing and turning on the spot have no
        // coupling to read.
        let walked = &self.walked;
        self.warm_up.retain(|w| {
            walked.iter().any(|b| {
                b.contacts.first().is_some_and(|f| *f < w.end)
                    && b.contacts.last().is_some_and(|l| *l > w.start)
            })
        });
        let warm_up_s = self.warm_up.len() as f64 * direction::WINDOW_SAMPLES as f64 * DT;
        let reference = match reading {
            Reading::Nothing(_) => None,
            // The coupling needs seconds of walking; the foot needs strides (three, checked
            // by the reference), however short the walk.
            Reading::Coupling if warm_up_s < MIN_WARM_UP_S => None,
            _ => direction::Reference::from_warm_up(&self.warm_up, reading == Reading::FootStrides),
        };
        let direction_note = match (reading, &reference, self.options.forward_segment) {
            (Reading::Nothing(why), _, _) => format!("Direction not read: {why}."),
            (_, Some(r), _) => format!(
                "Direction read from {} against the stretch walked forward.",
                match r.feature {
                    direction::Feature::FootStrides => "each stride's displacement",
                    direction::Feature::Coupling => "how the trunk or thigh brakes and propels",
                }
            ),
            (_, None, None) => "Direction not read: no stretch known to be walked forward. Mark one (a minute walked forward; --forward-until SECONDS) to read it.".into(),
            (_, None, Some(_)) if warm_up_s == 0.0 => "Direction not read: the stretch said to be walked forward holds no walking. Mark a stretch in which you walked forward.".into(),
            (Reading::Coupling, None, Some(_)) if warm_up_s < MIN_WARM_UP_S => format!(
                "Direction not read: the stretch said to be walked forward held {warm_up_s:.0} s of walking; at least {MIN_WARM_UP_S:.0} s are needed."
            ),
            (_, None, Some(_)) => format!(
                "Direction not read: the walking in the stretch said to be walked forward was too irregular to read {}.",
                if reading == Reading::FootStrides {
                    "(too few strides between stances)"
                } else {
                    "(its braking and propulsion did not repeat from stride to stride)"
                }
            ),
        };
        let origin = self.first_t.unwrap_or(0.0);
        let readings: Vec<SpanReading> = spans
            .iter()
            .map(|&(a, b)| self.read_span(origin + a, origin + b, reference.as_ref()))
            .collect();
        let keep = self.options.keep_contacts;
        let mut bouts = Vec::new();
        for walked in std::mem::take(&mut self.walked) {
            let spans = self.parts_of(&walked, reading, reference.as_ref());
            let mut previous: Option<Direction> = None;
            for Part {
                from,
                to,
                windows: range,
                basis,
                split,
            } in spans
            {
                let contacts: Vec<f64> = walked
                    .contacts
                    .iter()
                    .copied()
                    .filter(|t| *t >= from && *t < to)
                    .collect();
                let (Some(&first), Some(&last)) = (contacts.first(), contacts.last()) else {
                    continue;
                };
                let intervals: Vec<f64> = contacts.windows(2).map(|p| p[1] - p[0]).collect();
                let per = if walked.per_stride { 2.0 } else { 1.0 };
                let (cadence, cv) = if intervals.len() >= 2 {
                    let n = intervals.len() as f64;
                    let mean = intervals.iter().sum::<f64>() / n;
                    let var = intervals.iter().map(|i| (i - mean).powi(2)).sum::<f64>() / n;
                    (per * 60.0 / mean, var.sqrt() / mean)
                } else if let [i] = intervals[..] {
                    (per * 60.0 / i, walked.step_time_cv)
                } else {
                    // One contact in this stretch: the walk's own pace.
                    (walked.cadence_spm, walked.step_time_cv)
                };
                let evidence = match (basis, &reference) {
                    (Basis::Motion, Some(r)) => {
                        let scores: Vec<f64> = walked.windows[range.clone()]
                            .iter()
                            .flat_map(|w| r.scores(w))
                            .collect();
                        r.evidence(&scores)
                    }
                    _ => None,
                };
                let (direction, confidence, basis) = match (basis, &evidence) {
                    (Basis::Given, _) => (Direction::Forward, 1.0, Basis::Given),
                    (_, Some(e)) => {
                        let (d, c) = e.answer(direction::TAU);
                        (d, c, Basis::Motion)
                    }
                    _ => (Direction::Unknown, 0.5, Basis::Nothing),
                };
                let steps = if walked.per_stride {
                    2 * contacts.len()
                } else {
                    contacts.len()
                };
                // Milliseconds are plenty at 50 Hz and keep the JSON readable.
                let ms = |t: f64| ((t - origin) * 1000.0).round() / 1000.0;
                let turned = split
                    || (previous == Some(Direction::Forward)
                        && direction == Direction::Backward
                        && basis == Basis::Motion);
                previous = Some(direction);
                bouts.push(Bout {
                    start_s: ms(first),
                    end_s: ms(last),
                    steps: u32::try_from(steps).unwrap_or(u32::MAX),
                    cadence_spm: cadence,
                    step_time_cv: cv,
                    direction,
                    confidence,
                    basis,
                    evidence,
                    two_steps_per_stride: walked.per_stride,
                    // Turned where the features reversed, or where backward walking follows
                    // the stretch given as forward.
                    turned,
                    contacts: if keep {
                        contacts.iter().map(|t| t - origin).collect()
                    } else {
                        Vec::new()
                    },
                });
            }
        }
        let analysis = Analysis {
            total_steps: bouts.iter().map(|b| u64::from(b.steps)).sum(),
            bouts,
            samples: self.samples,
            duration_s: self.first_t.map_or(0.0, |f| self.last_t - f),
            gaps: self.gaps,
            calibrated: reference.is_some(),
            direction_note,
        };
        (analysis, readings)
    }

    /// What the motion shows between the absolute times `from` and `to`.
    fn read_span(
        &self,
        from: f64,
        to: f64,
        reference: Option<&direction::Reference>,
    ) -> SpanReading {
        let half_window = 0.5 * direction::WINDOW_SAMPLES as f64 * DT;
        let mut contacts = 0usize;
        let mut first_last: Option<(f64, f64)> = None;
        let mut per_stride = false;
        let mut scores = Vec::new();
        for walked in &self.walked {
            let inside: Vec<f64> = walked
                .contacts
                .iter()
                .copied()
                .filter(|t| *t >= from && *t < to)
                .collect();
            if let (Some(&a), Some(&z)) = (inside.first(), inside.last()) {
                contacts += inside.len();
                per_stride |= walked.per_stride;
                first_last = Some(first_last.map_or((a, z), |(f, l)| (f.min(a), l.max(z))));
            }
            if let Some(r) = reference {
                for w in &walked.windows {
                    if w.end.min(to) - w.start.max(from) >= half_window {
                        scores.extend(r.scores(w));
                    }
                }
            }
        }
        let per = if per_stride { 2 } else { 1 };
        let cadence_spm = match first_last {
            Some((a, z)) if contacts >= 2 && z > a => {
                Some(per as f64 * 60.0 * (contacts - 1) as f64 / (z - a))
            }
            _ => None,
        };
        let origin = self.first_t.unwrap_or(0.0);
        let given = self.options.forward_segment.is_some_and(|(a, b)| {
            let overlap = to.min(origin + b) - from.max(origin + a);
            overlap >= 0.5 * (to - from)
        });
        let evidence = reference.and_then(|r| r.evidence(&scores));
        let (direction, confidence, basis) = if contacts == 0 {
            (None, None, Basis::Nothing)
        } else if given {
            (Some(Direction::Forward), Some(1.0), Basis::Given)
        } else if let Some(e) = &evidence {
            let (d, c) = e.answer(direction::TAU);
            (Some(d), Some(c), Basis::Motion)
        } else {
            (Some(Direction::Unknown), Some(0.5), Basis::Nothing)
        };
        SpanReading {
            steps: u32::try_from(contacts * per).unwrap_or(u32::MAX),
            cadence_spm,
            direction,
            confidence,
            basis,
            evidence: if basis == Basis::Motion {
                evidence
            } else {
                None
            },
        }
    }
}

/// What the motion shows in a span of time given from outside (a guided session's block).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpanReading {
    /// Steps in the span (two per stride of a foot or ankle sensor).
    pub steps: u32,
    /// Steps per minute over the span's walking, without two steps.
    pub cadence_spm: Option<f64>,
    /// Which way, when walking was found.
    pub direction: Option<Direction>,
    /// The probability that `direction` is right (1 inside the stretch given as forward).
    pub confidence: Option<f64>,
    /// What the direction rests on.
    pub basis: Basis,
    /// The evidence, when the motion was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<direction::Evidence>,
}

impl SpanReading {
    /// The direction in words, or `None` when no walking was found.
    pub fn direction_words(&self) -> Option<&'static str> {
        let direction = self.direction?;
        Some(if self.basis == Basis::Given {
            "forward (given)"
        } else {
            direction_in_words(direction, self.confidence.unwrap_or(0.5))
        })
    }
}

/// A window's mean score against a reference, when it has one.
fn mean_score(reference: &direction::Reference, window: &direction::Window) -> Option<f64> {
    let s = reference.scores(window);
    (!s.is_empty()).then(|| s.iter().sum::<f64>() / s.len() as f64)
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

    /// A lower-back sensor on a synthetic walk at 100 steps a minute: the vertical force peaks
    /// once a step while the trunk brakes against the way of travel and then propels (a
    /// horizontal component a quarter-step out of phase), with a side-to-side sway once a
    /// stride. Walking backward turns the travel, so the horizontal part along the body
    /// changes sign; `mount` turns the sensor about the vertical (0 or 180 degrees).
    fn trunk(from: f64, seconds: f64, backward: bool, mount_reversed: bool) -> Vec<Sample> {
        let f = 100.0 / 60.0;
        let along = if backward { -1.0 } else { 1.0 };
        let mount = if mount_reversed { -1.0 } else { 1.0 };
        (0..(seconds * 100.0) as usize)
            .map(|i| {
                let t = from + i as f64 / 100.0;
                let p = 2.0 * std::f64::consts::PI * f * t;
                let vertical = 2.0 * p.sin() + 0.8 * (2.0 * p + 0.4).sin();
                let travel = along * 1.5 * (p + 1.1).sin();
                let sway = 0.6 * (p / 2.0).sin();
                Sample {
                    t,
                    acc: [mount * travel, mount * sway, G + vertical],
                    gyr: None,
                }
            })
            .collect()
    }

    fn lower_back(forward_until: Option<f64>) -> Options {
        Options {
            placement: Some(Placement::LowerBack),
            forward_segment: forward_until.map(|s| (0.0, s)),
            keep_contacts: false,
        }
    }

    #[test]
    fn without_a_known_forward_stretch_the_direction_is_unknown() {
        let a = analyze(trunk(0.0, 60.0, true, false), lower_back(None));
        assert!(!a.calibrated);
        assert!(!a.bouts.is_empty());
        assert!(a.bouts.iter().all(|b| b.direction == Direction::Unknown));
        assert!(a.direction_note.contains("forward"), "{}", a.direction_note);
        // A turn is still seen, though which way each stretch went is not.
        let mut walk = trunk(0.0, 40.0, false, false);
        walk.extend(trunk(40.0, 40.0, true, false));
        let a = analyze(walk, lower_back(None));
        assert_eq!(a.bouts.len(), 2, "{:#?}", a.bouts);
        assert!(a.bouts[1].turned && (a.bouts[1].start_s - 40.0).abs() < 2.5);
        assert!(a.bouts.iter().all(|b| b.direction == Direction::Unknown));
    }

    #[test]
    fn a_walk_that_turns_round_is_split_and_each_stretch_read() {
        // Forward for 60 s (the first 30 s known), then backward for 40 s without stopping.
        for mount_reversed in [false, true] {
            let mut walk = trunk(0.0, 60.0, false, mount_reversed);
            walk.extend(trunk(60.0, 40.0, true, mount_reversed));
            let a = analyze(walk, lower_back(Some(30.0)));
            assert!(a.calibrated, "{}", a.direction_note);
            let read: Vec<(Direction, Basis)> =
                a.bouts.iter().map(|b| (b.direction, b.basis)).collect();
            assert_eq!(
                read,
                vec![
                    (Direction::Forward, Basis::Given),
                    (Direction::Forward, Basis::Motion),
                    (Direction::Backward, Basis::Motion)
                ],
                "{:#?}",
                a.bouts
            );
            // Walking on forward past the warm-up's end is no turn.
            assert!(!a.bouts[1].turned, "{:?}", a.bouts[1]);
            let turn = &a.bouts[2];
            assert!(turn.turned && turn.confidence >= 0.8, "{turn:?}");
            assert!((turn.start_s - 60.0).abs() < 2.5, "{turn:?}");
            assert!((a.total_steps as f64 - 100.0 / 60.0 * 100.0).abs() < 4.0);
        }
    }

    #[test]
    fn a_backward_minute_inside_a_forward_walk_is_found() {
        // The 3:1 protocol: forward, a backward minute, forward again, without stopping.
        let mut walk = trunk(0.0, 60.0, false, false);
        walk.extend(trunk(60.0, 60.0, true, false));
        walk.extend(trunk(120.0, 60.0, false, false));
        let a = analyze(walk, lower_back(Some(30.0)));
        let read: Vec<(Direction, Basis)> =
            a.bouts.iter().map(|b| (b.direction, b.basis)).collect();
        assert_eq!(
            read,
            vec![
                (Direction::Forward, Basis::Given),
                (Direction::Forward, Basis::Motion),
                (Direction::Backward, Basis::Motion),
                (Direction::Forward, Basis::Motion)
            ],
            "{:#?}",
            a.bouts
        );
        assert!(a.bouts[2].turned && a.bouts[3].turned);
        assert!(
            (a.bouts[2].start_s - 60.0).abs() < 2.5 && (a.bouts[3].start_s - 120.0).abs() < 2.5
        );
    }

    #[test]
    fn blocks_known_to_the_timer_are_read_each_on_their_own() {
        // Warm-up, a backward minute, a short forward block (8 s), a backward minute.
        let mut walk = trunk(0.0, 60.0, false, false);
        walk.extend(trunk(60.0, 60.0, true, false));
        walk.extend(trunk(120.0, 8.0, false, false));
        walk.extend(trunk(128.0, 60.0, true, false));
        let mut analyzer = Analyzer::new(lower_back(Some(60.0)));
        for s in &walk {
            analyzer.push(s);
        }
        let blocks = [
            (0.0, 60.0),
            (60.0, 120.0),
            (120.0, 128.0),
            (128.0, 188.0),
            (190.0, 200.0),
        ];
        let (_, read) = analyzer.finish_with_spans(&blocks);
        let words: Vec<Option<&str>> = read.iter().map(SpanReading::direction_words).collect();
        assert_eq!(words[0], Some("forward (given)"));
        assert_eq!(
            read[1].direction,
            Some(Direction::Backward),
            "{:?}",
            read[1]
        );
        assert_ne!(
            read[2].direction,
            Some(Direction::Backward),
            "{:?}",
            read[2]
        );
        assert_eq!(
            read[3].direction,
            Some(Direction::Backward),
            "{:?}",
            read[3]
        );
        // After the recording: no walking, nothing said.
        assert_eq!((read[4].steps, read[4].direction), (0, None));
        let steps: u32 = read.iter().map(|r| r.steps).sum();
        assert!(
            (f64::from(steps) - 188.0 * 100.0 / 60.0).abs() < 6.0,
            "{steps}"
        );
    }

    #[test]
    fn the_analysis_is_symmetric_in_time() {
        // The code is symmetric in time: the same walk played backwards, calibrated on the
        // same (now reversed) forward stretch, reads the same. Time reversal is a test of the
        // code only: it is not a model of backward walking, which keeps its braking after
        // contact.
        let mut walk = trunk(0.0, 40.0, false, false);
        walk.extend(trunk(40.0, 40.0, true, false));
        let end = 80.0;
        let reversed: Vec<Sample> = walk
            .iter()
            .rev()
            .map(|s| Sample { t: end - s.t, ..*s })
            .collect();
        let a = analyze(walk, lower_back(Some(30.0)));
        let b = analyze(
            reversed,
            Options {
                forward_segment: Some((50.0, 80.0)),
                ..lower_back(None)
            },
        );
        let last = a.bouts.last().map(|x| x.direction);
        let first = b.bouts.first().map(|x| x.direction);
        assert_eq!(last, Some(Direction::Backward), "{:#?}", a.bouts);
        assert_eq!(first, Some(Direction::Backward), "{:#?}", b.bouts);
    }

    #[test]
    fn arm_and_hand_sensors_never_claim_a_direction() {
        let mut walk = trunk(0.0, 40.0, false, false);
        walk.extend(trunk(40.0, 40.0, true, false));
        for placement in [
            Placement::Wrist,
            Placement::Hand,
            Placement::Armband,
            Placement::Bag,
        ] {
            let a = analyze(
                walk.clone(),
                Options {
                    placement: Some(placement),
                    forward_segment: Some((0.0, 30.0)),
                    keep_contacts: false,
                },
            );
            assert!(
                a.bouts
                    .iter()
                    .all(|b| b.basis == Basis::Given || b.direction == Direction::Unknown),
                "{placement:?}: {:#?}",
                a.bouts
            );
        }
    }

    #[test]
    fn a_sensor_moving_only_up_and_down_says_nothing_about_the_direction() {
        // The old time-asymmetry method's favourite: impacts along gravity only, then the same
        // played backwards. There is no horizontal movement to read, so: unknown.
        let mut samples = walk(60.0, 100.0, 100.0, false);
        let later: Vec<Sample> = walk(60.0, 100.0, 100.0, true)
            .into_iter()
            .map(|mut s| {
                s.t += 65.0;
                s
            })
            .collect();
        samples.extend(later);
        let a = analyze(
            samples,
            Options {
                placement: Some(Placement::Pocket),
                forward_segment: Some((0.0, 60.0)),
                keep_contacts: false,
            },
        );
        assert!(!a.calibrated, "{}", a.direction_note);
        assert!(
            a.bouts
                .iter()
                .all(|b| b.basis == Basis::Given || b.direction == Direction::Unknown),
            "{:#?}",
            a.bouts
        );
    }

    #[test]
    fn the_stretch_said_forward_is_given_whatever_the_placement() {
        let a = analyze(
            trunk(0.0, 60.0, false, false),
            Options {
                placement: Some(Placement::Hand),
                forward_segment: Some((0.0, 30.0)),
                keep_contacts: false,
            },
        );
        let bases: Vec<Basis> = a.bouts.iter().map(|b| b.basis).collect();
        assert_eq!(bases, vec![Basis::Given, Basis::Nothing], "{:#?}", a.bouts);
        assert_eq!(a.bouts[0].direction_words(), "forward (given)");
        assert!(!a.bouts[1].turned);
    }

    #[test]
    fn words_hedge_by_confidence() {
        assert_eq!(
            direction_in_words(Direction::Backward, 0.93),
            "backward (sure)"
        );
        assert_eq!(
            direction_in_words(Direction::Backward, 0.7),
            "probably backward"
        );
        assert!(direction_in_words(Direction::Unknown, 0.5).starts_with("can't tell"));
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

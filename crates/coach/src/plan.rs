//! Plans: a goal, a clearance, a setting, a level and a schedule become dated sessions of
//! forward and backward blocks, built from a catalogue protocol.
//!
//! # The rules, as a person reads them (see [`RULES`] and [`TREADMILL_RULES`])
//! * Every session opens with a 5-minute forward warm-up and closes with a 5-minute forward
//!   cool-down, as in trial NCT05585385.
//! * Backward time starts at 5 minutes for newcomers (half the protocol's dose, at least 5
//!   minutes, for people with some experience) and never exceeds the protocol's dose.
//! * Each week, backward time rises by at most a quarter (15% when screening found precautions),
//!   and by at least one minute, rounded down to 30 s; within a week it holds.
//! * Backward blocks last at most 2 minutes for newcomers, 5 for the experienced, 1 with the
//!   shorter-blocks precaution, each followed by a 1-minute forward recovery.
//! * On a treadmill, backward speed starts near half the comfortable forward speed, rounded down
//!   to a 0.5 mph (0.8 km/h) step. It rises one step a week only once backward time has reached
//!   the dose (one change at a time), up to three quarters of the forward speed.
//! * Incline only on a treadmill, from week 5, once time and speed have reached their targets:
//!   1% a week up to 5%. Never for knee plans (the knee trial's conditions were not reported) or
//!   with the moderate-effort precaution.

use crate::energy::Direction;
use crate::evidence::{NCT05585385, PRACTICE_ADVICE, Source};
use crate::measure::{Grade, MPS_PER_KMH, MPS_PER_MPH, Speed};
use crate::protocol::{Goal, Pattern, Protocol, default_protocol};
use crate::schedule::{Schedule, TrainingDays};
use crate::screening::{Clearance, Precaution};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where the person walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// Clear, flat, open ground.
    Ground,
    /// A hallway beside a wall or rail.
    Hallway,
    /// A motorised treadmill.
    Treadmill,
}

impl Setting {
    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::Ground => "ground",
            Setting::Hallway => "hallway",
            Setting::Treadmill => "treadmill",
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Setting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ground" => Ok(Setting::Ground),
            "hallway" => Ok(Setting::Hallway),
            "treadmill" => Ok(Setting::Treadmill),
            _ => Err(format!(
                "setting '{s}' is not known; expected ground, hallway or treadmill"
            )),
        }
    }
}

/// How much backward walking the person has done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Never or hardly ever.
    New,
    /// Has walked backward regularly before.
    SomeExperience,
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "new" => Ok(Level::New),
            "some-experience" | "experienced" => Ok(Level::SomeExperience),
            _ => Err(format!(
                "level '{s}' is not known; expected new or some-experience"
            )),
        }
    }
}

/// Metric or imperial: decides the treadmill speed step (0.8 km/h or 0.5 mph).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Units {
    /// km/h and kg.
    #[default]
    Metric,
    /// mph and lb.
    Imperial,
}

impl FromStr for Units {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "metric" => Ok(Units::Metric),
            "imperial" => Ok(Units::Imperial),
            _ => Err(format!(
                "units '{s}' are not known; expected metric or imperial"
            )),
        }
    }
}

impl Units {
    /// The treadmill speed step in m/s.
    pub fn speed_step_mps(self) -> f64 {
        match self {
            Units::Metric => 0.8 * MPS_PER_KMH,
            Units::Imperial => 0.5 * MPS_PER_MPH,
        }
    }
}

macro_rules! bounded_count {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "u8", into = "u8")]
        pub struct $name(u8);

        impl $name {
            /// The count, if it is between 1 and the maximum.
            pub fn new(value: u8) -> Result<Self, PlanError> {
                if (1..=$max).contains(&value) {
                    Ok($name(value))
                } else {
                    Err(PlanError::OutOfRange {
                        what: $what,
                        value: value.to_string(),
                        expected: concat!("a whole number from 1 to ", $max),
                    })
                }
            }
            /// The count.
            pub fn get(self) -> u8 {
                self.0
            }
        }

        impl TryFrom<u8> for $name {
            type Error = PlanError;
            fn try_from(v: u8) -> Result<Self, PlanError> {
                Self::new(v)
            }
        }

        impl From<$name> for u8 {
            fn from(v: $name) -> u8 {
                v.0
            }
        }

        impl FromStr for $name {
            type Err = PlanError;
            fn from_str(s: &str) -> Result<Self, PlanError> {
                s.trim()
                    .parse::<u8>()
                    .ok()
                    .and_then(|v| Self::new(v).ok())
                    .ok_or_else(|| PlanError::OutOfRange {
                        what: $what,
                        value: s.to_string(),
                        expected: concat!("a whole number from 1 to ", $max),
                    })
            }
        }
    };
}

bounded_count!(
    /// Sessions a week, 1 to 7.
    DaysPerWeek,
    "days per week",
    7
);
bounded_count!(
    /// Length of a plan in weeks, 1 to 52.
    Weeks,
    "weeks",
    52
);

/// Why a plan could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Screening said to see a clinician first.
    #[error(
        "no plan: screening says to see a clinician first. Talk to a doctor or physiotherapist about backward walking; once they approve, screen again and answer yes to the approval question, or have your clinician assign a plan"
    )]
    SeeClinicianFirst,
    /// A count is out of range.
    #[error("{what} '{value}' is out of range; expected {expected}")]
    OutOfRange {
        /// Which input.
        what: &'static str,
        /// What was given.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// The chosen protocol does not serve the goal.
    #[error(
        "protocol '{protocol}' is not meant for the goal '{goal}'; protocols for it: {choices}"
    )]
    ProtocolDoesNotFitGoal {
        /// The protocol asked for.
        protocol: &'static str,
        /// The goal.
        goal: Goal,
        /// Protocols that fit.
        choices: String,
    },
    /// The dates run past the calendar's end.
    #[error("the plan's dates run past the end of the calendar")]
    DateOutOfRange,
    /// Fewer training weekdays than sessions a week.
    #[error(
        "you chose {chosen} weekday(s) ({words}) for {needed} sessions a week; choose at least {needed} weekdays, or fewer sessions a week"
    )]
    TooFewTrainingDays {
        /// How many weekdays were chosen.
        chosen: u8,
        /// Them, in words.
        words: String,
        /// Sessions a week the plan keeps.
        needed: u8,
    },
}

/// What a person asks a plan for.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRequest {
    /// What they want from it.
    pub goal: Goal,
    /// Screening result.
    pub clearance: Clearance,
    /// Screening precautions.
    pub precautions: Vec<Precaution>,
    /// Where they will walk.
    pub setting: Setting,
    /// Their experience.
    pub level: Level,
    /// Sessions a week.
    pub days_per_week: DaysPerWeek,
    /// Plan length.
    pub weeks: Weeks,
    /// First session's date.
    pub start: Date,
    /// Comfortable forward walking speed, if known.
    pub forward_speed: Option<Speed>,
    /// A protocol chosen from the catalogue, else the goal's default.
    pub protocol: Option<&'static Protocol>,
    /// Units for treadmill steps.
    pub units: Units,
    /// True when a clinician assigns the plan (allowed past `see_clinician_first`).
    pub clinician_assigned: bool,
    /// The weekdays and time of day the person trains at.
    pub schedule: Schedule,
}

/// The part a block plays in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// Forward walking to start.
    WarmUp,
    /// Backward walking: the work of the session.
    Backward,
    /// Forward walking between backward blocks.
    Recovery,
    /// Forward walking in an alternating pattern.
    Forward,
    /// Forward walking to finish.
    CoolDown,
}

/// One stretch of walking in one direction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// Its part in the session.
    pub kind: BlockKind,
    /// Forward or backward.
    pub direction: Direction,
    /// Length in seconds.
    pub seconds: u32,
    /// Treadmill speed, m/s (none over ground: walk at a comfortable pace).
    #[serde(rename = "speed_mps", skip_serializing_if = "Option::is_none")]
    pub speed: Option<Speed>,
    /// Treadmill grade (none when level or over ground).
    #[serde(rename = "grade_percent", skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
}

/// One dated session of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedSession {
    /// 1-based number within the plan.
    pub number: u32,
    /// 1-based week.
    pub week: u8,
    /// Date.
    pub date: Date,
    /// Blocks in order.
    pub blocks: Vec<Block>,
    /// Sum of backward blocks, seconds.
    pub backward_seconds: u32,
    /// Sum of all blocks, seconds.
    pub total_seconds: u32,
    /// Reminders for this session.
    pub notes: Vec<String>,
}

/// A dated, progressive plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The protocol it rests on, with its citation.
    pub protocol: &'static Protocol,
    /// Goal.
    pub goal: Goal,
    /// Setting after precautions (a treadmill may become a hallway).
    pub setting: Setting,
    /// Experience level.
    pub level: Level,
    /// Clearance it was made under.
    pub clearance: Clearance,
    /// Precautions that shape it.
    pub precautions: Vec<Precaution>,
    /// First session's date.
    pub start: Date,
    /// Sessions a week.
    pub days_per_week: DaysPerWeek,
    /// Plan length in weeks.
    pub weeks: Weeks,
    /// Units for speeds.
    pub units: Units,
    /// The weekdays sessions fall on (as many as sessions a week) and their time of day.
    pub schedule: Schedule,
    /// The progression rules, as a person reads them.
    pub rules: Vec<String>,
    /// How the plan departs from the request or the protocol, and why.
    pub adjustments: Vec<String>,
    /// Sources of the rules beyond the protocol.
    pub rule_sources: Vec<&'static Source>,
    /// Sessions in date order.
    pub sessions: Vec<PlannedSession>,
}

/// Forward warm-up and cool-down, seconds.
pub const WARM_UP_SECONDS: u32 = 300;
/// See [`WARM_UP_SECONDS`].
pub const COOL_DOWN_SECONDS: u32 = 300;
/// Newcomers' first backward dose, seconds.
pub const NEW_START_SECONDS: u32 = 300;
/// Weekly growth of backward time when cleared.
pub const WEEKLY_GROWTH: f64 = 0.25;
/// Weekly growth of backward time with precautions.
pub const WEEKLY_GROWTH_WITH_PRECAUTIONS: f64 = 0.15;
/// The smallest weekly rise, seconds.
pub const MIN_WEEKLY_RISE_SECONDS: u32 = 60;
/// Backward time is planned in multiples of this.
pub const GRANULE_SECONDS: u32 = 30;
/// Forward recovery after each backward block (not the last), seconds.
pub const RECOVERY_SECONDS: u32 = 60;
/// Longest backward block for newcomers, the experienced, and with the shorter-blocks precaution.
pub const MAX_BLOCK_NEW: u32 = 120;
/// See [`MAX_BLOCK_NEW`].
pub const MAX_BLOCK_EXPERIENCED: u32 = 300;
/// See [`MAX_BLOCK_NEW`].
pub const MAX_BLOCK_SHORTER: u32 = 60;
/// First week in which incline may appear.
pub const INCLINE_FROM_WEEK: u8 = 5;
/// Highest planned incline, percent (the grade of Compendium code 17325).
pub const MAX_INCLINE_PERCENT: f64 = 5.0;
/// Highest backward treadmill speed as a share of comfortable forward speed.
pub const MAX_SPEED_SHARE: f64 = 0.75;
/// Backward speed assumed when forward speed is unknown: the slowest a treadmill usually goes.
pub const UNKNOWN_FORWARD_START_MPH: f64 = 1.0;
/// Cap when forward speed is unknown.
pub const UNKNOWN_FORWARD_CAP_MPH: f64 = 2.0;
/// Cap with the moderate-effort precaution: backward at 3.5 mph is about 6 METs (vigorous).
pub const MODERATE_CAP_MPH: f64 = 3.0;

/// The rules, as a person reads them.
pub const RULES: &[&str] = &[
    "Every session opens with 5 minutes of forward walking and closes with 5 more.",
    "Backward time starts at 5 minutes for newcomers (half the dose, at least 5 minutes, with some experience) and never exceeds the protocol's dose.",
    "Each week backward time rises by at most a quarter (15% with precautions) and at least one minute, rounded down to 30 seconds; within a week it holds.",
    "Backward blocks last at most 2 minutes for newcomers, 5 with experience, 1 with the shorter-blocks precaution, each followed by a minute of forward walking.",
];

/// The rules that apply only on a treadmill, as a person reads them: a plan elsewhere does
/// not list them.
pub const TREADMILL_RULES: &[&str] = &[
    "On a treadmill, backward speed starts near half your forward speed in 0.5 mph (0.8 km/h) steps, and rises one step a week only once backward time has reached the dose, up to three quarters of your forward speed.",
    "Incline only on a treadmill, from week 5, once time and speed have reached their targets: 1% a week up to 5%. Never in knee plans or with the moderate-effort precaution.",
];

fn round_down_to_granule(seconds: f64) -> u32 {
    // Non-negative and far below u32::MAX for any plan; the cast saturates anyway.
    let s = seconds.max(0.0) as u32;
    s - s % GRANULE_SECONDS
}

/// Backward seconds in the first week.
pub fn starting_backward_seconds(level: Level, target: u32) -> u32 {
    let start = match level {
        Level::New => NEW_START_SECONDS,
        Level::SomeExperience => {
            round_down_to_granule(f64::from(target) / 2.0).max(NEW_START_SECONDS)
        }
    };
    start.min(target)
}

/// The most backward time the rules allow the week after a week with `previous` seconds.
pub fn next_week_backward_seconds(previous: u32, target: u32, growth: f64) -> u32 {
    let grown = round_down_to_granule(f64::from(previous) * (1.0 + growth));
    grown.max(previous + MIN_WEEKLY_RISE_SECONDS).min(target)
}

/// Lays out backward time as blocks after a warm-up, with recoveries, then a cool-down.
pub fn session_blocks(
    backward_seconds: u32,
    pattern: Pattern,
    max_block: u32,
    backward_speed: Option<Speed>,
    forward_speed: Option<Speed>,
    grade: Option<Grade>,
) -> Vec<Block> {
    let forward = |kind, seconds| Block {
        kind,
        direction: Direction::Forward,
        seconds,
        speed: forward_speed,
        grade: None,
    };
    let backward = |seconds| Block {
        kind: BlockKind::Backward,
        direction: Direction::Backward,
        seconds,
        speed: backward_speed,
        grade,
    };
    let mut blocks = vec![forward(BlockKind::WarmUp, WARM_UP_SECONDS)];
    let mut left = backward_seconds;
    match pattern {
        Pattern::Continuous => {
            while left > 0 {
                let this = left.min(max_block.max(GRANULE_SECONDS));
                blocks.push(backward(this));
                left -= this;
                if left > 0 {
                    blocks.push(forward(BlockKind::Recovery, RECOVERY_SECONDS));
                }
            }
        }
        Pattern::Alternating {
            forward_seconds,
            backward_seconds: cycle_backward,
        } => {
            while left > 0 {
                blocks.push(forward(BlockKind::Forward, forward_seconds));
                let this = left.min(cycle_backward.min(max_block).max(GRANULE_SECONDS));
                blocks.push(backward(this));
                left -= this;
            }
        }
    }
    blocks.push(forward(BlockKind::CoolDown, COOL_DOWN_SECONDS));
    blocks
}

/// Longest backward block for a level under a set of precautions.
pub fn max_block_seconds(level: Level, precautions: &[Precaution]) -> u32 {
    if precautions.contains(&Precaution::ShorterBlocks) {
        MAX_BLOCK_SHORTER
    } else {
        match level {
            Level::New => MAX_BLOCK_NEW,
            Level::SomeExperience => MAX_BLOCK_EXPERIENCED,
        }
    }
}

/// Rounds a speed down to the unit's treadmill step, at least one step.
fn to_step(mps: f64, units: Units) -> f64 {
    let step = units.speed_step_mps();
    ((mps / step + 1e-9).floor() * step).max(step)
}

/// Builds a plan, or says why not.
pub fn build_plan(request: &PlanRequest) -> Result<Plan, PlanError> {
    if request.clearance == Clearance::SeeClinicianFirst && !request.clinician_assigned {
        return Err(PlanError::SeeClinicianFirst);
    }
    let protocol = match request.protocol {
        Some(p) if !p.goals.contains(&request.goal) => {
            let choices = crate::protocol::PROTOCOLS
                .iter()
                .filter(|c| c.goals.contains(&request.goal))
                .map(|c| c.id)
                .collect::<Vec<_>>()
                .join(", ");
            return Err(PlanError::ProtocolDoesNotFitGoal {
                protocol: p.id,
                goal: request.goal,
                choices,
            });
        }
        Some(p) => p,
        None => default_protocol(request.goal),
    };

    let mut precautions = request.precautions.clone();
    let mut adjustments = Vec::new();
    let mut setting = request.setting;
    let has = |p: Precaution, list: &[Precaution]| list.contains(&p);
    if setting == Setting::Treadmill && has(Precaution::NoTreadmillYet, &precautions) {
        setting = Setting::Hallway;
        adjustments.push("Treadmill changed to a hallway beside a wall: screening advises no treadmill yet. Ask again once you walk backward steadily on the ground.".to_string());
    } else if setting == Setting::Ground && has(Precaution::HallwayBesideWall, &precautions) {
        setting = Setting::Hallway;
        adjustments.push(
            "Open ground changed to a hallway beside a wall: screening advises a wall within reach."
                .to_string(),
        );
    }
    if setting == Setting::Treadmill {
        precautions.push(Precaution::HandrailsAndSafetyClip);
    }
    if request.clinician_assigned && request.clearance == Clearance::SeeClinicianFirst {
        precautions.push(Precaution::StartSupervised);
        adjustments.push("Assigned by a clinician despite a see-a-clinician-first screening: every session is to be supervised.".to_string());
    }
    precautions.sort_unstable();
    precautions.dedup();

    if let Some(per_week) = protocol.sessions_per_week
        && per_week != request.days_per_week.get()
    {
        adjustments.push(format!(
            "The protocol used {per_week} sessions a week; this plan has {}.",
            request.days_per_week.get()
        ));
    }
    if let Some(weeks) = protocol.weeks
        && request.weeks.get() > weeks
    {
        adjustments.push(format!(
            "The protocol lasted {weeks} weeks; after that this plan keeps the full dose."
        ));
    }

    let per_week = request.days_per_week.get();
    let mut schedule = request.schedule;
    if let Some(chosen) = request.schedule.days {
        if chosen.count() < per_week {
            return Err(PlanError::TooFewTrainingDays {
                chosen: chosen.count(),
                words: chosen.words(),
                needed: per_week,
            });
        }
        let kept = chosen.spread(per_week);
        if kept != chosen {
            adjustments.push(format!(
                "You chose {} weekdays for {per_week} sessions a week: sessions fall on {}.",
                chosen.count(),
                kept.words()
            ));
        }
        schedule.days = Some(kept);
    }

    let target = protocol.target_backward_seconds();
    let growth = if precautions
        .iter()
        .any(|p| *p != Precaution::HandrailsAndSafetyClip)
    {
        WEEKLY_GROWTH_WITH_PRECAUTIONS
    } else {
        WEEKLY_GROWTH
    };
    let max_block = max_block_seconds(request.level, &precautions);

    // Treadmill speeds.
    let moderate_only = has(Precaution::ModerateIntensityOnly, &precautions);
    let (mut backward_mps, speed_cap_mps) = match request.forward_speed {
        Some(fwd) => (
            to_step(fwd.mps() / 2.0, request.units),
            to_step(fwd.mps() * MAX_SPEED_SHARE, request.units),
        ),
        None => (
            to_step(UNKNOWN_FORWARD_START_MPH * MPS_PER_MPH, request.units),
            to_step(UNKNOWN_FORWARD_CAP_MPH * MPS_PER_MPH, request.units),
        ),
    };
    let speed_cap_mps = if moderate_only {
        speed_cap_mps.min(to_step(MODERATE_CAP_MPH * MPS_PER_MPH, request.units))
    } else {
        speed_cap_mps
    };
    backward_mps = backward_mps.min(speed_cap_mps);
    if setting == Setting::Treadmill && request.forward_speed.is_none() {
        adjustments.push("Your comfortable forward speed is not known, so backward treadmill speed starts at about 1 mph (1.6 km/h) and stays at or below 2 mph (3.2 km/h).".to_string());
    }
    let incline_allowed =
        setting == Setting::Treadmill && !moderate_only && request.goal != Goal::Knee;
    let mut incline = 0.0_f64;

    let days = u32::from(request.days_per_week.get());
    let mut sessions = Vec::new();
    let mut backward = starting_backward_seconds(request.level, target);
    for week in 1..=request.weeks.get() {
        if week > 1 {
            let before = backward;
            backward = next_week_backward_seconds(backward, target, growth);
            let time_at_target_last_week = before >= target;
            if setting == Setting::Treadmill && time_at_target_last_week {
                let step = request.units.speed_step_mps();
                if backward_mps + step <= speed_cap_mps + 1e-9 {
                    backward_mps += step;
                } else if incline_allowed && week >= INCLINE_FROM_WEEK {
                    incline = (incline + 1.0).min(MAX_INCLINE_PERCENT);
                }
            }
        }
        let (backward_speed, forward_speed, grade) = if setting == Setting::Treadmill {
            (
                Speed::from_mps(backward_mps).ok(),
                request.forward_speed,
                (incline > 0.0)
                    .then(|| Grade::from_percent(incline).ok())
                    .flatten(),
            )
        } else {
            (None, None, None)
        };
        for date in week_dates(request.start, week, days, schedule.days)? {
            let blocks = session_blocks(
                backward,
                protocol.pattern,
                max_block,
                backward_speed,
                forward_speed,
                grade,
            );
            let mut notes = Vec::new();
            if week <= 2 && has(Precaution::StartSupervised, &precautions) {
                notes.push("Have someone with you for this session.".to_string());
            }
            if sessions.is_empty() {
                notes.push("Reach back with your toes first, then roll to the heel; keep your chest over your hips. Stop if you feel unsteady.".to_string());
            }
            sessions.push(PlannedSession {
                number: u32::try_from(sessions.len() + 1).unwrap_or(u32::MAX),
                week,
                date,
                backward_seconds: backward_total(&blocks),
                total_seconds: blocks.iter().map(|b| b.seconds).sum(),
                blocks,
                notes,
            });
        }
    }

    Ok(Plan {
        protocol,
        goal: request.goal,
        setting,
        level: request.level,
        clearance: request.clearance,
        precautions,
        start: request.start,
        days_per_week: request.days_per_week,
        weeks: request.weeks,
        units: request.units,
        schedule,
        rules: RULES
            .iter()
            .chain(if setting == Setting::Treadmill {
                TREADMILL_RULES
            } else {
                &[]
            })
            .map(|r| r.to_string())
            .collect(),
        adjustments,
        rule_sources: vec![&NCT05585385, &PRACTICE_ADVICE],
        sessions,
    })
}

/// New dates for a plan's sessions from the `done`-th on, when the person changes their weekdays
/// or time: in order, one on each chosen weekday (spread to the plan's sessions a week) from
/// `from` on, or spread evenly through each 7 days from `from` without a choice. Doses stay with
/// their sessions. Returns the schedule as kept (weekdays spread) and the new dates, in order.
pub fn reschedule(
    plan: &Plan,
    done: usize,
    schedule: Schedule,
    from: Date,
) -> Result<(Schedule, Vec<Date>), PlanError> {
    let per_week = plan.days_per_week.get();
    let mut kept = schedule;
    if let Some(chosen) = schedule.days {
        if chosen.count() < per_week {
            return Err(PlanError::TooFewTrainingDays {
                chosen: chosen.count(),
                words: chosen.words(),
                needed: per_week,
            });
        }
        kept.days = Some(chosen.spread(per_week));
    }
    let left = plan.sessions.len().saturating_sub(done);
    let mut dates = Vec::with_capacity(left);
    let mut week = 1u8;
    while dates.len() < left {
        dates.extend(week_dates(from, week, u32::from(per_week), kept.days)?);
        week = week.checked_add(1).ok_or(PlanError::DateOutOfRange)?;
    }
    dates.truncate(left);
    Ok((kept, dates))
}

/// The dates of a week's sessions: the 7 days from `start` plus whole weeks, on the chosen
/// weekdays (as many as there are sessions) or, without a choice, spread evenly from its first day.
fn week_dates(
    start: Date,
    week: u8,
    per_week: u32,
    days: Option<TrainingDays>,
) -> Result<Vec<Date>, PlanError> {
    let first = u32::from(week.saturating_sub(1)) * 7;
    let offsets: Vec<u32> = match days {
        None => (0..per_week).map(|d| first + d * 7 / per_week).collect(),
        Some(days) => (0..7)
            .filter(|d| {
                start
                    .checked_add(i64::from(first + d).days())
                    .is_ok_and(|date| days.contains(date.weekday()))
            })
            .map(|d| first + d)
            .collect(),
    };
    offsets
        .into_iter()
        .map(|o| {
            start
                .checked_add(i64::from(o).days())
                .map_err(|_| PlanError::DateOutOfRange)
        })
        .collect()
}

/// Sum of the backward blocks' seconds.
pub fn backward_total(blocks: &[Block]) -> u32 {
    blocks
        .iter()
        .filter(|b| b.direction == Direction::Backward)
        .map(|b| b.seconds)
        .sum()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::protocol::protocol;

    /// A cleared newcomer's request, 3 days a week for 6 weeks from Monday 2027-01-04.
    pub(crate) fn request(goal: Goal, setting: Setting) -> PlanRequest {
        PlanRequest {
            goal,
            clearance: Clearance::Cleared,
            precautions: vec![],
            setting,
            level: Level::New,
            days_per_week: DaysPerWeek::new(3).unwrap(),
            weeks: Weeks::new(6).unwrap(),
            start: jiff::civil::date(2027, 1, 4),
            forward_speed: None,
            protocol: None,
            units: Units::Imperial,
            clinician_assigned: false,
            schedule: Schedule::default(),
        }
    }

    #[test]
    fn a_plan_off_the_treadmill_says_nothing_of_treadmills() {
        for setting in [Setting::Ground, Setting::Hallway, Setting::Treadmill] {
            let mut r = request(Goal::General, setting);
            r.clearance = Clearance::ClearedWithPrecautions;
            r.precautions = Precaution::ALL.to_vec();
            let plan = build_plan(&r).unwrap();
            let said: Vec<&str> = plan
                .rules
                .iter()
                .map(String::as_str)
                .chain(
                    plan.precautions
                        .iter()
                        .filter_map(|p| p.advice_in(plan.setting)),
                )
                .collect();
            let mentions = said.iter().any(|t| t.to_lowercase().contains("treadmill"));
            assert_eq!(
                mentions,
                plan.setting == Setting::Treadmill,
                "{setting:?}: {said:?}"
            );
        }
    }

    #[test]
    fn chosen_weekdays_shape_the_dates_and_keep_sessions_a_week() {
        let mut r = request(Goal::Knee, Setting::Ground);
        // Start on a Thursday: the first week runs Thursday to Wednesday.
        r.start = jiff::civil::date(2027, 1, 7);
        r.schedule.days = Some("tue,thu,sat".parse().unwrap());
        r.schedule.time = Some("07:30".parse().unwrap());
        let plan = build_plan(&r).unwrap();
        assert_eq!(plan.sessions.len(), 18);
        let dates: Vec<_> = plan.sessions[..4]
            .iter()
            .map(|s| s.date.to_string())
            .collect();
        assert_eq!(
            dates,
            ["2027-01-07", "2027-01-09", "2027-01-12", "2027-01-14"]
        );
        assert!(plan.sessions.iter().all(|s| {
            matches!(
                s.date.weekday(),
                jiff::civil::Weekday::Tuesday
                    | jiff::civil::Weekday::Thursday
                    | jiff::civil::Weekday::Saturday
            )
        }));
        // Within a week the dose holds, whatever the weekdays.
        assert!(
            plan.sessions
                .chunks(3)
                .all(|w| w.iter().all(|s| s.week == w[0].week))
        );
        assert_eq!(plan.schedule.time.unwrap().to_string(), "07:30");
    }

    #[test]
    fn rescheduling_moves_the_sessions_left_and_keeps_their_doses() {
        let plan = build_plan(&request(Goal::Knee, Setting::Ground)).unwrap();
        let from = jiff::civil::date(2027, 1, 13); // a Wednesday
        let wanted = Schedule {
            days: Some("tue,thu,sat,sun".parse().unwrap()),
            time: Some("18:00".parse().unwrap()),
        };
        let (kept, dates) = reschedule(&plan, 4, wanted, from).unwrap();
        assert_eq!(kept.days.unwrap().to_string(), "tue,thu,sat");
        assert_eq!(dates.len(), 14);
        let first: Vec<String> = dates[..4].iter().map(ToString::to_string).collect();
        assert_eq!(
            first,
            ["2027-01-14", "2027-01-16", "2027-01-19", "2027-01-21"]
        );
        assert!(dates.windows(2).all(|w| w[0] < w[1]));
        let too_few = Schedule {
            days: Some("mon".parse().unwrap()),
            time: None,
        };
        assert!(matches!(
            reschedule(&plan, 4, too_few, from),
            Err(PlanError::TooFewTrainingDays {
                chosen: 1,
                needed: 3,
                ..
            })
        ));
        let (_, spread) = reschedule(&plan, 17, Schedule::default(), from).unwrap();
        assert_eq!(spread, [from]);
        assert!(
            reschedule(&plan, 18, Schedule::default(), from)
                .unwrap()
                .1
                .is_empty()
        );
    }

    #[test]
    fn fewer_weekdays_than_sessions_are_refused_and_more_are_spread() {
        let mut r = request(Goal::Knee, Setting::Ground);
        r.schedule.days = Some("mon,wed".parse().unwrap());
        let err = build_plan(&r).unwrap_err().to_string();
        assert!(
            err.contains("Monday and Wednesday") && err.contains("at least 3"),
            "{err}"
        );
        r.schedule.days = Some("mon,tue,wed,thu,fri,sat".parse().unwrap());
        let plan = build_plan(&r).unwrap();
        assert_eq!(plan.schedule.days.unwrap().to_string(), "mon,wed,fri");
        assert_eq!(plan.sessions.len(), 18);
        assert!(
            plan.adjustments
                .iter()
                .any(|a| a.contains("Monday, Wednesday and Friday"))
        );
    }

    #[test]
    fn knee_plan_follows_the_trial_schedule() {
        let plan = build_plan(&request(Goal::Knee, Setting::Ground)).unwrap();
        assert_eq!(plan.protocol.id, "knee-oa-10min");
        assert_eq!(plan.sessions.len(), 18);
        let dates: Vec<_> = plan.sessions[..3]
            .iter()
            .map(|s| s.date.to_string())
            .collect();
        assert_eq!(dates, ["2027-01-04", "2027-01-06", "2027-01-08"]);
        assert_eq!(plan.sessions[0].backward_seconds, 300);
        assert_eq!(plan.sessions.last().unwrap().backward_seconds, 600);
        let first = &plan.sessions[0].blocks;
        assert_eq!(first[0].kind, BlockKind::WarmUp);
        assert_eq!(first.last().unwrap().kind, BlockKind::CoolDown);
        assert!(
            first
                .iter()
                .filter(|b| b.kind == BlockKind::Backward)
                .all(|b| b.seconds <= MAX_BLOCK_NEW)
        );
    }

    #[test]
    fn weekly_growth_follows_the_stated_rule() {
        assert_eq!(next_week_backward_seconds(300, 1800, 0.25), 360);
        assert_eq!(next_week_backward_seconds(360, 1800, 0.25), 450);
        assert_eq!(next_week_backward_seconds(1700, 1800, 0.25), 1800);
    }

    #[test]
    fn see_clinician_first_refuses_unless_a_clinician_assigns() {
        let mut r = request(Goal::Balance, Setting::Ground);
        r.clearance = Clearance::SeeClinicianFirst;
        assert_eq!(build_plan(&r), Err(PlanError::SeeClinicianFirst));
        r.clinician_assigned = true;
        let plan = build_plan(&r).unwrap();
        assert!(plan.precautions.contains(&Precaution::StartSupervised));
    }

    #[test]
    fn no_treadmill_precaution_moves_the_plan_to_a_hallway() {
        let mut r = request(Goal::Fitness, Setting::Treadmill);
        r.clearance = Clearance::ClearedWithPrecautions;
        r.precautions = vec![Precaution::NoTreadmillYet];
        let plan = build_plan(&r).unwrap();
        assert_eq!(plan.setting, Setting::Hallway);
        assert!(
            plan.sessions
                .iter()
                .flat_map(|s| &s.blocks)
                .all(|b| b.speed.is_none())
        );
    }

    #[test]
    fn treadmill_speed_starts_at_half_forward_pace_in_half_mph_steps() {
        let mut r = request(Goal::Fitness, Setting::Treadmill);
        r.forward_speed = Some("3.0mph".parse().unwrap());
        r.weeks = Weeks::new(12).unwrap();
        let plan = build_plan(&r).unwrap();
        let speeds: Vec<f64> = plan
            .sessions
            .iter()
            .map(|s| {
                s.blocks
                    .iter()
                    .find(|b| b.kind == BlockKind::Backward)
                    .and_then(|b| b.speed)
                    .unwrap()
                    .mph()
            })
            .collect();
        assert!((speeds[0] - 1.5).abs() < 1e-9, "{}", speeds[0]);
        // Never above three quarters of 3.0 mph (2.25 -> 2.0 in 0.5 mph steps).
        assert!(speeds.iter().all(|s| *s <= 2.0 + 1e-9));
        assert!(speeds.windows(2).all(|w| w[1] - w[0] < 0.5 + 1e-9));
        assert!(
            plan.precautions
                .contains(&Precaution::HandrailsAndSafetyClip)
        );
    }

    #[test]
    fn incline_only_from_week_five_and_never_for_knees() {
        let mut r = request(Goal::Fitness, Setting::Treadmill);
        r.level = Level::SomeExperience;
        r.forward_speed = Some("3.0mph".parse().unwrap());
        r.weeks = Weeks::new(16).unwrap();
        let plan = build_plan(&r).unwrap();
        for s in &plan.sessions {
            let graded = s.blocks.iter().any(|b| b.grade.is_some());
            assert!(!graded || s.week >= INCLINE_FROM_WEEK);
        }
        assert!(
            plan.sessions
                .iter()
                .any(|s| s.blocks.iter().any(|b| b.grade.is_some()))
        );
        r.goal = Goal::Knee;
        r.protocol = protocol("daily-10min");
        let knee = build_plan(&r).unwrap();
        assert!(
            knee.sessions
                .iter()
                .all(|s| s.blocks.iter().all(|b| b.grade.is_none()))
        );
    }

    #[test]
    fn alternating_protocol_alternates() {
        let mut r = request(Goal::General, Setting::Ground);
        r.protocol = protocol("alternate-3-1");
        let plan = build_plan(&r).unwrap();
        let blocks = &plan.sessions[0].blocks;
        assert_eq!(blocks[1].kind, BlockKind::Forward);
        assert_eq!(blocks[1].seconds, 180);
        assert_eq!(blocks[2].direction, Direction::Backward);
        assert_eq!(blocks[2].seconds, 60);
    }

    #[test]
    fn a_protocol_for_another_goal_is_refused() {
        let mut r = request(Goal::Knee, Setting::Ground);
        r.protocol = protocol("healthy-15min");
        let err = build_plan(&r).unwrap_err().to_string();
        assert!(err.contains("knee-oa-10min"), "{err}");
    }

    #[test]
    fn counts_are_bounded() {
        assert!(DaysPerWeek::new(0).is_err());
        assert!(DaysPerWeek::new(8).is_err());
        assert!("53".parse::<Weeks>().is_err());
        assert_eq!("52".parse::<Weeks>().unwrap().get(), 52);
    }
}

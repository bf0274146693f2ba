//! Prescriptions: a plan built from a clinician's explicit parameters instead of the person's
//! answers, and the adjustment of a plan someone is following.
//!
//! A clinician chooses the protocol from the catalogue, the goal, level and setting, the
//! weekdays, the backward minutes per session at the start and at the end, the longest backward
//! block, the backward treadmill speed and the week incline may start. [`Prescription::new`]
//! checks each against the protocol's safe bounds (the protocol's dose, the level's longest
//! block, a moderate treadmill speed) unless the clinician explicitly overrides them; the
//! weekly growth of backward time still follows the plan rules ([`crate::plan`]), so a session
//! never jumps by more than a week's rise. A prescription is always `clinician_assigned`: it may
//! be given past a see-a-clinician-first screening, which is the clinician's clearance.
//!
//! Adjusting ([`adjust`]) keeps every session before the first one not yet done and rebuilds
//! the rest from a date on with the new parameters: logged history and past days never change.

use crate::measure::{Grade, MPS_PER_MPH, Speed};
use crate::plan::{
    GRANULE_SECONDS, MAX_INCLINE_PERCENT, MODERATE_CAP_MPH, Plan, PlanError, PlanRequest,
    PlannedSession, Setting, Units, WEEKLY_GROWTH, WEEKLY_GROWTH_WITH_PRECAUTIONS, Weeks,
    backward_total, build_plan, max_block_seconds, next_week_backward_seconds, session_blocks,
};
use crate::protocol::{Goal, Protocol};
use crate::schedule::{Schedule, TimeOfDay, TrainingDays};
use crate::screening::{Clearance, Precaution};
use jiff::civil::Date;

/// Most backward minutes a session may hold even with an override: an hour of backward walking
/// is far past every protocol in the catalogue (our bound, not a source's).
pub const MAX_OVERRIDE_MINUTES: u32 = 60;
/// Longest backward block with an override, seconds (ten minutes; our bound).
pub const MAX_OVERRIDE_BLOCK_SECONDS: u32 = 600;
/// Fastest backward treadmill speed with an override: 4 mph, a brisk forward walk (our bound).
pub const MAX_OVERRIDE_SPEED_MPH: f64 = 4.0;

/// Why a prescription was refused: the field and what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrescriptionError {
    /// One parameter is outside what is accepted.
    #[error("{message}")]
    Field {
        /// The parameter's name, as the API spells it.
        field: &'static str,
        /// What is wrong and what is expected.
        message: String,
    },
    /// The coach refused the plan.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

impl PrescriptionError {
    fn field(field: &'static str, message: String) -> Self {
        PrescriptionError::Field { field, message }
    }

    /// The parameter at fault, as the API spells it.
    pub fn field_name(&self) -> &'static str {
        match self {
            PrescriptionError::Field { field, .. } => field,
            PrescriptionError::Plan(PlanError::TooFewTrainingDays { .. }) => "weekdays",
            PrescriptionError::Plan(PlanError::ProtocolDoesNotFitGoal { .. }) => "protocol",
            PrescriptionError::Plan(PlanError::OutOfRange { .. }) => "weeks",
            PrescriptionError::Plan(_) => "start",
        }
    }
}

/// Backward minutes per session at the start and at the end of a plan, checked against the
/// protocol's dose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dose {
    start_seconds: u32,
    end_seconds: u32,
}

impl Dose {
    /// Minutes at the start and at the end (the protocol's dose when `end` is none). Both at
    /// least 1; the start no more than the end; the end no more than the protocol's dose unless
    /// `override_bounds`, and never more than [`MAX_OVERRIDE_MINUTES`].
    pub fn new(
        protocol: &Protocol,
        start_minutes: u32,
        end_minutes: Option<u32>,
        override_bounds: bool,
    ) -> Result<Self, PrescriptionError> {
        let dose = protocol.target_backward_minutes;
        let end = end_minutes.unwrap_or(dose);
        let limit = if override_bounds {
            MAX_OVERRIDE_MINUTES
        } else {
            dose
        };
        if !(1..=limit).contains(&end) {
            let why = if override_bounds {
                format!("at most {MAX_OVERRIDE_MINUTES} even with an override")
            } else {
                format!(
                    "at most the protocol's dose of {dose} minutes (set override_bounds to go past it)"
                )
            };
            return Err(PrescriptionError::field(
                "end_minutes",
                format!(
                    "{end} backward minutes at the end is out of range: expected 1 to {limit}, {why}"
                ),
            ));
        }
        if !(1..=end).contains(&start_minutes) {
            return Err(PrescriptionError::field(
                "start_minutes",
                format!(
                    "{start_minutes} backward minutes at the start is out of range: expected 1 to the {end} minutes at the end"
                ),
            ));
        }
        Ok(Dose {
            start_seconds: start_minutes * 60,
            end_seconds: end * 60,
        })
    }

    /// Backward seconds in the first week.
    pub fn start_seconds(self) -> u32 {
        self.start_seconds
    }

    /// Backward seconds at full dose.
    pub fn end_seconds(self) -> u32 {
        self.end_seconds
    }
}

/// What a clinician prescribes.
#[derive(Debug, Clone, PartialEq)]
pub struct Prescription {
    protocol: &'static Protocol,
    goal: Goal,
    level: crate::plan::Level,
    setting: Setting,
    days: TrainingDays,
    time: Option<TimeOfDay>,
    weeks: Weeks,
    dose: Dose,
    block_seconds: Option<u32>,
    treadmill_speed: Option<Speed>,
    incline_from_week: Option<u8>,
    override_bounds: bool,
}

/// The parameters of a prescription, as typed; [`Prescription::new`] checks them.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameters {
    /// The catalogue protocol.
    pub protocol: &'static Protocol,
    /// The goal (the protocol must serve it).
    pub goal: Goal,
    /// Experience level.
    pub level: crate::plan::Level,
    /// Where the walker walks.
    pub setting: Setting,
    /// The weekdays sessions fall on: one session on each.
    pub days: TrainingDays,
    /// The time of day, if any.
    pub time: Option<TimeOfDay>,
    /// Length in weeks.
    pub weeks: Weeks,
    /// Backward minutes per session in the first week.
    pub start_minutes: u32,
    /// Backward minutes per session at full dose; the protocol's dose when none.
    pub end_minutes: Option<u32>,
    /// Longest backward block, seconds; the level's when none.
    pub block_seconds: Option<u32>,
    /// Backward treadmill speed (treadmill only).
    pub treadmill_speed: Option<Speed>,
    /// The first week incline may appear (treadmill only).
    pub incline_from_week: Option<u8>,
    /// The clinician goes past the protocol's safe bounds on purpose.
    pub override_bounds: bool,
}

impl Prescription {
    /// Checks every parameter, naming the first one at fault and what is expected.
    pub fn new(p: Parameters) -> Result<Self, PrescriptionError> {
        if !p.protocol.goals.contains(&p.goal) {
            let goals: Vec<&str> = p.protocol.goals.iter().map(|g| g.as_str()).collect();
            return Err(PrescriptionError::field(
                "protocol",
                format!(
                    "protocol '{}' is not meant for the goal '{}': it serves {}",
                    p.protocol.id,
                    p.goal,
                    goals.join(", ")
                ),
            ));
        }
        let dose = Dose::new(
            p.protocol,
            p.start_minutes,
            p.end_minutes,
            p.override_bounds,
        )?;
        if let Some(block) = p.block_seconds {
            let limit = if p.override_bounds {
                MAX_OVERRIDE_BLOCK_SECONDS
            } else {
                max_block_seconds(p.level, &[])
            };
            if block < GRANULE_SECONDS || block > limit || block % GRANULE_SECONDS != 0 {
                return Err(PrescriptionError::field(
                    "block_seconds",
                    format!(
                        "a backward block of {block} s is not accepted: expected a multiple of {GRANULE_SECONDS} s from {GRANULE_SECONDS} to {limit} s{}",
                        if p.override_bounds {
                            ""
                        } else {
                            " for this level (set override_bounds to go past it)"
                        }
                    ),
                ));
            }
        }
        if let Some(speed) = p.treadmill_speed {
            if p.setting != Setting::Treadmill {
                return Err(PrescriptionError::field(
                    "treadmill_speed_mps",
                    format!(
                        "a treadmill speed is only for the treadmill setting, not {}: leave it out",
                        p.setting
                    ),
                ));
            }
            let cap_mph = if p.override_bounds {
                MAX_OVERRIDE_SPEED_MPH
            } else {
                MODERATE_CAP_MPH
            };
            if speed.mps() > cap_mph * MPS_PER_MPH + 1e-9 {
                return Err(PrescriptionError::field(
                    "treadmill_speed_mps",
                    format!(
                        "a backward treadmill speed of {:.2} m/s is too fast: expected at most {:.2} m/s ({cap_mph} mph){}",
                        speed.mps(),
                        cap_mph * MPS_PER_MPH,
                        if p.override_bounds {
                            ""
                        } else {
                            " (set override_bounds to go past it)"
                        }
                    ),
                ));
            }
        }
        if let Some(week) = p.incline_from_week {
            if p.setting != Setting::Treadmill {
                return Err(PrescriptionError::field(
                    "incline_from_week",
                    format!(
                        "incline is only on a treadmill, not {}: leave it out",
                        p.setting
                    ),
                ));
            }
            if p.goal == Goal::Knee && !p.override_bounds {
                return Err(PrescriptionError::field(
                    "incline_from_week",
                    "no incline in knee plans: the knee trial's conditions were not reported (set override_bounds to prescribe it anyway)".to_string(),
                ));
            }
            if week < 1 || week > p.weeks.get() {
                return Err(PrescriptionError::field(
                    "incline_from_week",
                    format!(
                        "incline from week {week} is out of range: expected a week of the plan, 1 to {}",
                        p.weeks.get()
                    ),
                ));
            }
        }
        Ok(Prescription {
            protocol: p.protocol,
            goal: p.goal,
            level: p.level,
            setting: p.setting,
            days: p.days,
            time: p.time,
            weeks: p.weeks,
            dose,
            block_seconds: p.block_seconds,
            treadmill_speed: p.treadmill_speed,
            incline_from_week: p.incline_from_week,
            override_bounds: p.override_bounds,
        })
    }

    /// The protocol.
    pub fn protocol(&self) -> &'static Protocol {
        self.protocol
    }

    /// The weekdays.
    pub fn days(&self) -> TrainingDays {
        self.days
    }

    /// The dose.
    pub fn dose(&self) -> Dose {
        self.dose
    }

    /// Whether the clinician overrode the protocol's bounds.
    pub fn overrides_bounds(&self) -> bool {
        self.override_bounds
    }

    /// Builds the plan from `start` for a walker with this clearance and these precautions.
    pub fn build(
        &self,
        start: Date,
        clearance: Clearance,
        precautions: &[Precaution],
        units: Units,
    ) -> Result<Plan, PrescriptionError> {
        // The coach's own build gives the dates, the setting after precautions, the rules and
        // the clearance note; the doses are then laid out from the clinician's figures.
        let request = PlanRequest {
            goal: self.goal,
            clearance,
            precautions: precautions.to_vec(),
            setting: self.setting,
            level: self.level,
            days_per_week: crate::plan::DaysPerWeek::new(self.days.count())?,
            weeks: self.weeks,
            start,
            forward_speed: None,
            protocol: Some(self.protocol),
            units,
            clinician_assigned: true,
            schedule: Schedule {
                days: Some(self.days),
                time: self.time,
            },
        };
        let mut plan = build_plan(&request)?;
        let growth =
            if plan.precautions.iter().any(|p| {
                *p != Precaution::HandrailsAndSafetyClip && *p != Precaution::StartSupervised
            }) {
                WEEKLY_GROWTH_WITH_PRECAUTIONS
            } else {
                WEEKLY_GROWTH
            };
        let max_block = self
            .block_seconds
            .unwrap_or_else(|| max_block_seconds(self.level, &plan.precautions));
        let treadmill = plan.setting == Setting::Treadmill;
        let speed = if treadmill {
            self.treadmill_speed.or_else(|| {
                plan.sessions
                    .first()
                    .and_then(|s| s.blocks.iter().find_map(|b| b.speed))
            })
        } else {
            None
        };
        let mut backward = self.dose.start_seconds;
        let mut incline = 0.0_f64;
        let mut week_seen = 1u8;
        for session in &mut plan.sessions {
            while week_seen < session.week {
                week_seen += 1;
                backward = next_week_backward_seconds(backward, self.dose.end_seconds, growth);
                if treadmill && self.incline_from_week.is_some_and(|w| week_seen >= w) {
                    incline = (incline + 1.0).min(MAX_INCLINE_PERCENT);
                }
            }
            let grade = (incline > 0.0)
                .then(|| Grade::from_percent(incline).ok())
                .flatten();
            let blocks = session_blocks(
                backward,
                self.protocol.pattern,
                max_block,
                speed,
                None,
                grade,
            );
            session.backward_seconds = backward_total(&blocks);
            session.total_seconds = blocks.iter().map(|b| b.seconds).sum();
            session.blocks = blocks;
        }
        plan.adjustments.push(format!(
            "Prescribed by a clinician: {} to {} backward minutes a session on {}.",
            self.dose.start_seconds / 60,
            self.dose.end_seconds / 60,
            self.days.words()
        ));
        if self.override_bounds {
            plan.adjustments
                .push("The clinician chose to go past the protocol's usual bounds.".to_string());
        }
        Ok(plan)
    }
}

/// A plan someone is following, adjusted: the first `done` sessions (those logged or past) stay
/// exactly as they were, and the rest are the new prescription's sessions from `from` on,
/// numbered after them. `from` is moved past the last kept session's date, so no new session
/// falls on or before a day already kept.
pub fn adjust(
    kept: &[PlannedSession],
    done: usize,
    prescription: &Prescription,
    from: Date,
    clearance: Clearance,
    precautions: &[Precaution],
    units: Units,
) -> Result<(Plan, Vec<PlannedSession>), PrescriptionError> {
    let kept = &kept[..done.min(kept.len())];
    let from = match kept.last() {
        Some(last) if last.date >= from => last
            .date
            .tomorrow()
            .map_err(|_| PrescriptionError::Plan(PlanError::DateOutOfRange))?,
        _ => from,
    };
    let plan = prescription.build(from, clearance, precautions, units)?;
    let offset = u32::try_from(kept.len()).unwrap_or(u32::MAX);
    let week_offset = kept.last().map_or(0, |s| s.week);
    let mut sessions: Vec<PlannedSession> = kept.to_vec();
    sessions.extend(plan.sessions.iter().cloned().map(|mut s| {
        s.number = s.number.saturating_add(offset);
        s.week = s.week.saturating_add(week_offset);
        s
    }));
    Ok((plan, sessions))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Level;
    use crate::protocol::protocol;

    pub(crate) fn params() -> Parameters {
        Parameters {
            protocol: protocol("knee-oa-10min").unwrap(),
            goal: Goal::Knee,
            level: Level::New,
            setting: Setting::Hallway,
            days: "mon,wed,fri".parse().unwrap(),
            time: None,
            weeks: Weeks::new(6).unwrap(),
            start_minutes: 4,
            end_minutes: None,
            block_seconds: None,
            treadmill_speed: None,
            incline_from_week: None,
            override_bounds: false,
        }
    }

    fn monday() -> Date {
        jiff::civil::date(2027, 1, 4)
    }

    #[test]
    fn a_prescription_follows_the_clinicians_figures_and_weekdays() {
        let p = Prescription::new(params()).unwrap();
        let plan = p
            .build(monday(), Clearance::Cleared, &[], Units::Metric)
            .unwrap();
        assert_eq!(plan.sessions.len(), 18);
        assert_eq!(plan.sessions[0].backward_seconds, 240);
        assert_eq!(plan.sessions.last().unwrap().backward_seconds, 600);
        for s in &plan.sessions {
            assert!(p.days().contains(s.date.weekday()), "{}", s.date);
        }
    }

    #[test]
    fn a_clinician_may_prescribe_past_see_a_clinician_first() {
        let p = Prescription::new(params()).unwrap();
        let plan = p
            .build(monday(), Clearance::SeeClinicianFirst, &[], Units::Metric)
            .unwrap();
        assert!(plan.precautions.contains(&Precaution::StartSupervised));
    }

    #[test]
    fn bounds_are_refused_in_words_unless_overridden() {
        let mut too_much = params();
        too_much.end_minutes = Some(20);
        let err = Prescription::new(too_much.clone()).unwrap_err();
        assert_eq!(err.field_name(), "end_minutes");
        assert!(err.to_string().contains("dose of 10 minutes"), "{err}");
        too_much.override_bounds = true;
        assert!(Prescription::new(too_much).is_ok());

        let mut backwards = params();
        backwards.start_minutes = 12;
        assert_eq!(
            Prescription::new(backwards).unwrap_err().field_name(),
            "start_minutes"
        );
        let mut speed_off_treadmill = params();
        speed_off_treadmill.treadmill_speed = Some(Speed::from_mps(0.5).unwrap());
        assert_eq!(
            Prescription::new(speed_off_treadmill)
                .unwrap_err()
                .field_name(),
            "treadmill_speed_mps"
        );
        let mut odd_block = params();
        odd_block.block_seconds = Some(45);
        assert_eq!(
            Prescription::new(odd_block).unwrap_err().field_name(),
            "block_seconds"
        );
        let mut wrong_goal = params();
        wrong_goal.goal = Goal::Balance;
        assert_eq!(
            Prescription::new(wrong_goal).unwrap_err().field_name(),
            "protocol"
        );
    }

    #[test]
    fn adjusting_keeps_the_sessions_done_and_moves_the_rest() {
        let first = Prescription::new(params()).unwrap();
        let plan = first
            .build(monday(), Clearance::Cleared, &[], Units::Metric)
            .unwrap();
        let mut second = params();
        second.days = "tue,thu".parse().unwrap();
        let second = Prescription::new(second).unwrap();
        let (_, sessions) = adjust(
            &plan.sessions,
            4,
            &second,
            jiff::civil::date(2027, 1, 12),
            Clearance::Cleared,
            &[],
            Units::Metric,
        )
        .unwrap();
        assert_eq!(&sessions[..4], &plan.sessions[..4]);
        assert_eq!(sessions[4].number, 5);
        assert!(sessions[4].date > plan.sessions[3].date);
        for s in &sessions[4..] {
            assert!(second.days().contains(s.date.weekday()));
        }
    }
}

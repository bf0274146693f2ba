//! Progression gates: the progression rules as data, so that a clinician can set them for one
//! walker. [`Gates::default`] is exactly the built-in behaviour of [`crate::progression`]; every
//! gate is a validated value, and every decision names the gate that made it and who set it.
//!
//! A reported fall (an actual fall, not a near-fall) always pauses progression: the next session
//! repeats the last dose until the pause is lifted, whatever the gates say.

use crate::measure::Rpe;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a gate's value is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    /// A value outside its range.
    #[error("{gate} {value} is out of range; expected {expected}")]
    OutOfRange {
        /// Which gate (its field name).
        gate: &'static str,
        /// What was given.
        value: i64,
        /// The accepted range, for people.
        expected: &'static str,
    },
    /// Two gates that contradict each other.
    #[error("{gate}: {problem}")]
    Inconsistent {
        /// Which gate (its field name).
        gate: &'static str,
        /// What is wrong, for people.
        problem: &'static str,
    },
}

impl GateError {
    /// The field the error is about.
    pub fn gate(&self) -> &'static str {
        match self {
            GateError::OutOfRange { gate, .. } | GateError::Inconsistent { gate, .. } => gate,
        }
    }
}

macro_rules! bounded {
    ($(#[$doc:meta])* $name:ident, $gate:literal, $min:literal, $max:literal, $expected:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(u8);

        impl $name {
            /// The smallest accepted value.
            pub const MIN: u8 = $min;
            /// The largest accepted value.
            pub const MAX: u8 = $max;

            /// Checks the range.
            pub fn new(value: i64) -> Result<Self, GateError> {
                u8::try_from(value)
                    .ok()
                    .filter(|v| ($min..=$max).contains(v))
                    .map($name)
                    .ok_or(GateError::OutOfRange { gate: $gate, value, expected: $expected })
            }

            /// The value.
            pub fn value(self) -> u8 {
                self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = i64::deserialize(d)?;
                $name::new(value).map_err(serde::de::Error::custom)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

bounded!(
    /// A rise in pain (after minus before), 1-10 points on the 0-10 scale.
    PainRise,
    "pain_rise",
    1,
    10,
    "a whole number of points from 1 to 10"
);
bounded!(
    /// How many consecutive sessions, 1-10.
    StreakLength,
    "rpe_streak.sessions",
    1,
    10,
    "a whole number of sessions from 1 to 10"
);
bounded!(
    /// A share of the planned backward time, in percent, 1-100.
    CompletionPercent,
    "completion",
    1,
    100,
    "a whole percentage from 1 to 100"
);
bounded!(
    /// How many missed planned sessions raise an alert, 1-14.
    MissedSessions,
    "missed_sessions_alert",
    1,
    14,
    "a whole number of sessions from 1 to 14"
);

/// What a near-fall does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NearFallAction {
    /// Step down (shorter, in shorter blocks, a wall within reach).
    StepDown,
    /// Step down, and alert the clinician.
    StepDownAndAlert,
    /// Pause progression until the clinician resumes it, and alert them.
    PauseAndAlert,
}

impl NearFallAction {
    /// Whether a near-fall raises an alert.
    pub fn alerts(self) -> bool {
        self != NearFallAction::StepDown
    }

    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            NearFallAction::StepDown => "step down",
            NearFallAction::StepDownAndAlert => "step down and alert the clinician",
            NearFallAction::PauseAndAlert => "pause progression and alert the clinician",
        }
    }
}

/// Advance only after this many consecutive sessions at or below this effort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RpeStreak {
    /// How many consecutive sessions.
    pub sessions: StreakLength,
    /// The highest effort that counts, Borg 6-20.
    pub rpe_at_most: Rpe,
}

/// The gates as they arrive (from a form, an API body or the store), before the checks that
/// span several of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateSettings {
    /// A pain rise of this many points or more holds.
    pub pain_rise_holds: PainRise,
    /// A pain rise of this many points or more steps down (and alerts a clinician).
    pub pain_rise_steps_down: PainRise,
    /// What a near-fall does.
    pub near_fall: NearFallAction,
    /// Advance only after a streak of easy-enough sessions (none: after any good session).
    #[serde(default)]
    pub rpe_streak: Option<RpeStreak>,
    /// Effort above this holds.
    pub hold_above_rpe: Rpe,
    /// Completion below this percentage holds.
    pub hold_below_completion: CompletionPercent,
    /// Completion below this percentage steps down.
    pub step_down_below_completion: CompletionPercent,
    /// This many missed planned sessions raise an alert.
    pub missed_sessions_alert: MissedSessions,
}

/// Validated progression gates: each in range, and consistent with each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "GateSettings", into = "GateSettings")]
pub struct Gates(GateSettings);

impl TryFrom<GateSettings> for Gates {
    type Error = GateError;

    fn try_from(s: GateSettings) -> Result<Self, GateError> {
        if s.pain_rise_steps_down < s.pain_rise_holds {
            return Err(GateError::Inconsistent {
                gate: "pain_rise_steps_down",
                problem: "the pain rise that steps down must be at least the one that holds",
            });
        }
        if s.step_down_below_completion > s.hold_below_completion {
            return Err(GateError::Inconsistent {
                gate: "step_down_below_completion",
                problem: "the completion that steps down must be at most the one that holds",
            });
        }
        Ok(Gates(s))
    }
}

impl From<Gates> for GateSettings {
    fn from(g: Gates) -> Self {
        g.0
    }
}

/// Always in range: these are the built-in constants.
fn built_in() -> GateSettings {
    GateSettings {
        pain_rise_holds: PainRise(1),
        pain_rise_steps_down: PainRise(crate::progression::MEANINGFUL_PAIN_RISE),
        // Built in, a near-fall steps down; the alert only reaches a clinician the walker shares
        // with, and a clinician would want to know.
        near_fall: NearFallAction::StepDownAndAlert,
        rpe_streak: None,
        hold_above_rpe: Rpe::HARD,
        hold_below_completion: CompletionPercent(80),
        step_down_below_completion: CompletionPercent(50),
        missed_sessions_alert: MissedSessions(3),
    }
}

impl Default for Gates {
    fn default() -> Self {
        Gates(built_in())
    }
}

impl Gates {
    /// The settings.
    pub fn settings(&self) -> &GateSettings {
        &self.0
    }

    /// The gates in words, one line each, for the walker and the clinician.
    pub fn in_words(&self) -> Vec<String> {
        let s = &self.0;
        let mut lines = vec![
            format!(
                "Pain rising by {} point{} or more holds; by {} or more steps down.",
                s.pain_rise_holds,
                plural(s.pain_rise_holds.value()),
                s.pain_rise_steps_down
            ),
            format!("Any near-fall: {}.", s.near_fall.words()),
            format!(
                "Effort above {} ({}) holds.",
                s.hold_above_rpe,
                s.hold_above_rpe.anchor()
            ),
            format!(
                "Less than {}% of the planned backward time holds; less than {}% steps down.",
                s.hold_below_completion, s.step_down_below_completion
            ),
            format!(
                "{} missed planned session{} alert the clinician.",
                s.missed_sessions_alert,
                plural(s.missed_sessions_alert.value())
            ),
            "A fall pauses progression until it is resumed.".to_string(),
        ];
        if let Some(streak) = s.rpe_streak {
            lines.insert(
                3,
                format!(
                    "Advance only after {} session{} in a row at effort {} or less.",
                    streak.sessions,
                    plural(streak.sessions.value()),
                    streak.rpe_at_most
                ),
            );
        }
        lines
    }
}

fn plural(n: u8) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Who set the gates in force, in the walker's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum SetBy {
    /// The product's own rules.
    BuiltIn,
    /// A clinician, on a day.
    Clinician {
        /// Their name as shown (an email address when they have no other).
        name: String,
        /// The day they set them.
        on: jiff::civil::Date,
    },
}

impl fmt::Display for SetBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetBy::BuiltIn => f.write_str("built-in"),
            SetBy::Clinician { name, on } => write!(f, "set by {name} on {on}"),
        }
    }
}

/// The gates in force and who set them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// The gates.
    pub gates: Gates,
    /// Who set them.
    pub set_by: SetBy,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            gates: Gates::default(),
            set_by: SetBy::BuiltIn,
        }
    }
}

/// Which rule made (part of) a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    /// Nothing logged yet: the plan starts.
    PlanStart,
    /// Every planned session is logged.
    PlanComplete,
    /// A near-fall.
    NearFall,
    /// Not feeling safe.
    FeltUnsafe,
    /// A pain rise.
    PainRise,
    /// A pain score not given.
    PainNotGiven,
    /// Too little of the planned time done.
    Completion,
    /// Effort too high.
    Rpe,
    /// Not enough easy sessions in a row yet.
    RpeStreak,
    /// Progression paused after a fall (or by a near-fall gate).
    Pause,
    /// No rule held the walker back.
    AllWell,
}

impl RuleId {
    /// The identifier, as in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::PlanStart => "plan_start",
            RuleId::PlanComplete => "plan_complete",
            RuleId::NearFall => "near_fall",
            RuleId::FeltUnsafe => "felt_unsafe",
            RuleId::PainRise => "pain_rise",
            RuleId::PainNotGiven => "pain_not_given",
            RuleId::Completion => "completion",
            RuleId::Rpe => "rpe",
            RuleId::RpeStreak => "rpe_streak",
            RuleId::Pause => "pause",
            RuleId::AllWell => "all_well",
        }
    }
}

/// One reason of a decision with the rule that gave it and who set that rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleNote {
    /// The rule.
    pub rule: RuleId,
    /// "built-in" or "set by <name> on <date>".
    pub set_by: String,
}

/// Progression is paused: the next session repeats the last dose until someone resumes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    /// The day it was paused (the walker's local day).
    pub since: jiff::civil::Date,
    /// Why, in the walker's words.
    pub why: PauseCause,
}

/// What paused progression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseCause {
    /// A fall.
    Fall,
    /// A near-fall, under the "pause and alert" gate.
    NearFall,
}

impl PauseCause {
    /// In words: "your fall", "your near-fall".
    pub fn words(self) -> &'static str {
        match self {
            PauseCause::Fall => "your fall",
            PauseCause::NearFall => "your near-fall",
        }
    }
}

/// What one logged session raises for a clinician (only raised for walkers who share).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertReason {
    /// Which kind.
    pub kind: AlertKind,
    /// In words.
    pub words: String,
}

/// The kinds of alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A near-fall (under a gate that alerts).
    NearFall,
    /// Pain rose past the threshold that steps down.
    PainRise,
    /// Planned sessions passed without a session logged.
    MissedSessions,
    /// An actual fall.
    Fall,
}

/// The signs of one logged session that alerts and pauses read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSigns {
    /// Near-falls.
    pub near_falls: u8,
    /// Actual falls.
    pub falls: u8,
    /// Pain before, when given.
    pub pain_before: Option<crate::measure::PainScore>,
    /// Pain after, when given.
    pub pain_after: Option<crate::measure::PainScore>,
}

/// What a logged session means for alerts and pausing, under these gates: the alerts to raise
/// and whether progression pauses.
pub fn after_session(
    gates: &Gates,
    outcome: &SessionSigns,
) -> (Vec<AlertReason>, Option<PauseCause>) {
    let falls = outcome.falls;
    let s = gates.settings();
    let mut alerts = Vec::new();
    let mut pause = None;
    if falls > 0 {
        alerts.push(AlertReason {
            kind: AlertKind::Fall,
            words: format!(
                "Reported {falls} fall{}: progression is paused until resumed.",
                plural(falls)
            ),
        });
        pause = Some(PauseCause::Fall);
    }
    if outcome.near_falls > 0 && s.near_fall.alerts() {
        alerts.push(AlertReason {
            kind: AlertKind::NearFall,
            words: format!(
                "Reported {} near-fall{}: {}.",
                outcome.near_falls,
                plural(outcome.near_falls),
                s.near_fall.words()
            ),
        });
        if s.near_fall == NearFallAction::PauseAndAlert && pause.is_none() {
            pause = Some(PauseCause::NearFall);
        }
    }
    if let (Some(before), Some(after)) = (outcome.pain_before, outcome.pain_after) {
        let rise = after.value().saturating_sub(before.value());
        if rise >= s.pain_rise_steps_down.value() {
            alerts.push(AlertReason {
                kind: AlertKind::PainRise,
                words: format!(
                    "Pain rose from {before} to {after} ({rise} points; the threshold is {}).",
                    s.pain_rise_steps_down
                ),
            });
        }
    }
    (alerts, pause)
}

/// The missed-sessions alert, if `missed` planned sessions passed unlogged reach the gate.
pub fn missed_alert(gates: &Gates, missed: u32) -> Option<AlertReason> {
    let gate = gates.settings().missed_sessions_alert;
    (missed >= u32::from(gate.value())).then(|| AlertReason {
        kind: AlertKind::MissedSessions,
        words: format!(
            "{missed} planned session{} passed without a session logged (the alert is at {gate}).",
            if missed == 1 { "" } else { "s" }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> GateSettings {
        *Gates::default().settings()
    }

    #[test]
    fn out_of_range_gates_are_refused_with_their_name() {
        assert_eq!(PainRise::new(0).unwrap_err().gate(), "pain_rise");
        assert!(PainRise::new(11).is_err());
        assert!(PainRise::new(-1).is_err());
        assert!(StreakLength::new(0).is_err());
        assert!(StreakLength::new(11).is_err());
        assert!(MissedSessions::new(15).is_err());
        assert!(CompletionPercent::new(101).is_err());
        assert_eq!(MissedSessions::new(14).unwrap().value(), 14);
    }

    #[test]
    fn contradicting_gates_are_refused() {
        let mut s = settings();
        s.pain_rise_holds = PainRise::new(3).unwrap();
        s.pain_rise_steps_down = PainRise::new(2).unwrap();
        assert_eq!(
            Gates::try_from(s).unwrap_err().gate(),
            "pain_rise_steps_down"
        );
        let mut s = settings();
        s.step_down_below_completion = CompletionPercent::new(90).unwrap();
        assert!(Gates::try_from(s).is_err());
    }

    #[test]
    fn gates_round_trip_through_json_and_bad_json_is_refused() {
        let g = Gates::default();
        let text = serde_json::to_string(&g).unwrap();
        assert_eq!(serde_json::from_str::<Gates>(&text).unwrap(), g);
        let bad = text.replace("\"missed_sessions_alert\":3", "\"missed_sessions_alert\":0");
        assert!(serde_json::from_str::<Gates>(&bad).is_err());
    }

    #[test]
    fn the_words_name_every_gate() {
        let mut s = settings();
        s.rpe_streak = Some(RpeStreak {
            sessions: StreakLength::new(3).unwrap(),
            rpe_at_most: Rpe::new(13).unwrap(),
        });
        let words = Gates::try_from(s).unwrap().in_words().join(" ");
        assert!(
            words.contains("3 sessions in a row at effort 13"),
            "{words}"
        );
        assert!(words.contains("fall pauses"), "{words}");
        assert_eq!(SetBy::BuiltIn.to_string(), "built-in");
    }

    #[test]
    fn a_fall_always_pauses_and_alerts() {
        let mut o = SessionSigns {
            pain_before: Some(crate::measure::PainScore::new(2).unwrap()),
            pain_after: Some(crate::measure::PainScore::new(5).unwrap()),
            near_falls: 1,
            falls: 1,
        };
        let (alerts, pause) = after_session(&Gates::default(), &o);
        o.falls = 0;
        assert_eq!(pause, Some(PauseCause::Fall));
        let kinds: Vec<_> = alerts.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [AlertKind::Fall, AlertKind::NearFall, AlertKind::PainRise]
        );
        let mut s = settings();
        s.near_fall = NearFallAction::PauseAndAlert;
        let (_, pause) = after_session(&Gates::try_from(s).unwrap(), &o);
        assert_eq!(pause, Some(PauseCause::NearFall));
        s.near_fall = NearFallAction::StepDown;
        let mut calm = o;
        calm.pain_after = calm.pain_before;
        let (alerts, pause) = after_session(&Gates::try_from(s).unwrap(), &calm);
        assert!(alerts.is_empty() && pause.is_none());
    }

    #[test]
    fn missed_sessions_alert_at_the_gate() {
        assert!(missed_alert(&Gates::default(), 2).is_none());
        assert_eq!(
            missed_alert(&Gates::default(), 3).map(|a| a.kind),
            Some(AlertKind::MissedSessions)
        );
    }
}

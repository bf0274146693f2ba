//! Progression: from the sessions a person logged, decide whether the next one advances as
//! planned, holds at the last dose, or steps down, with reasons a person understands.
//!
//! Rules, most cautious first; the most cautious decision that any rule reaches wins:
//! 1. A near-fall, or not feeling safe, steps down and adds a precaution (shorter blocks and a
//!    wall within reach).
//! 2. Pain after the session 2 or more points above pain before steps down: a 2-point change on
//!    the 0-10 scale is clinically meaningful (Farrar 2001; "much better" in Salaffi 2004). A
//!    1-point rise (Salaffi's minimal important change) holds. A pain score that was not given
//!    is not "no pain": without both scores the rise cannot be known, so the session holds.
//! 3. Less than half the planned backward time done steps down; less than 80% holds. These
//!    thresholds are the product's own, not from a study.
//! 4. Effort above 15 on Borg's 6-20 scale ("hard") holds.
//! 5. Otherwise the plan advances.

use crate::evidence::{BORG_RPE, FARRAR_2001, SALAFFI_2004, Source};
use crate::gates::{Pause, RuleId, RuleNote, Rules};
use crate::measure::{PainScore, Rpe};
use crate::plan::{
    BlockKind, GRANULE_SECONDS, MIN_WEEKLY_RISE_SECONDS, Plan, PlannedSession, max_block_seconds,
    session_blocks,
};
use crate::screening::Precaution;
use serde::{Deserialize, Serialize};

/// What one logged session tells the coach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionOutcome {
    /// Backward seconds the session planned.
    pub planned_backward_seconds: u32,
    /// Backward seconds actually walked.
    pub done_backward_seconds: u32,
    /// Effort, Borg 6-20.
    pub rpe: Rpe,
    /// Pain before, 0-10; None when not given.
    pub pain_before: Option<PainScore>,
    /// Pain after, 0-10; None when not given.
    pub pain_after: Option<PainScore>,
    /// Near-falls during the session.
    pub near_falls: u8,
    /// Whether the person felt safe throughout.
    pub felt_safe: bool,
}

impl SessionOutcome {
    /// Share of planned backward time done, 0 to 1 (1 when nothing was planned).
    pub fn completion(&self) -> f64 {
        if self.planned_backward_seconds == 0 {
            1.0
        } else {
            (f64::from(self.done_backward_seconds) / f64::from(self.planned_backward_seconds))
                .min(1.0)
        }
    }
}

/// The decision for the next session, ordered from boldest to most cautious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Do the next session as planned.
    Advance,
    /// Repeat the last dose.
    Hold,
    /// Go back a step.
    StepDown,
}

/// A decision with its reasons and what it means for the next session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progression {
    /// The decision.
    pub decision: Decision,
    /// Why, in plain words (one per rule that fired; "all went well" when none did).
    pub reasons: Vec<String>,
    /// The rule behind each reason, in the same order, and who set it.
    pub rules: Vec<RuleNote>,
    /// The pause in force, when progression is paused.
    pub paused: Option<Pause>,
    /// Precautions to add from now on.
    pub added_precautions: Vec<Precaution>,
    /// Backward seconds for the next session.
    pub next_backward_seconds: u32,
    /// Sources of the thresholds.
    pub sources: Vec<&'static Source>,
}

/// Completion below this steps down.
pub const STEP_DOWN_BELOW_COMPLETION: f64 = 0.5;
/// Completion below this holds.
pub const HOLD_BELOW_COMPLETION: f64 = 0.8;
/// Effort above this holds.
pub const HOLD_ABOVE_RPE: u8 = 15;
/// A rise in pain of this many points or more steps down.
pub const MEANINGFUL_PAIN_RISE: u8 = 2;
/// A step down removes this share of the last dose (at least one minute).
pub const STEP_DOWN_SHARE: f64 = 0.25;

/// Decides the next session from the last logged one under the built-in rules.
/// `next_planned_backward_seconds` is what the plan has next; with no logged session yet, the
/// plan simply starts.
pub fn decide(last: Option<&SessionOutcome>, next_planned_backward_seconds: u32) -> Progression {
    decide_with(
        &Rules::default(),
        last.map(std::slice::from_ref).unwrap_or_default(),
        next_planned_backward_seconds,
        None,
    )
}

/// Decides the next session from the sessions logged against the plan (oldest first) under
/// `rules`, and a pause in force if any (a pause always wins: the last dose is repeated).
pub fn decide_with(
    rules: &Rules,
    logged: &[SessionOutcome],
    next_planned_backward_seconds: u32,
    pause: Option<&Pause>,
) -> Progression {
    let sources = vec![&FARRAR_2001, &SALAFFI_2004, &BORG_RPE];
    let gates = rules.gates.settings();
    let set_by = rules.set_by.to_string();
    let note = |rule: RuleId| RuleNote {
        rule,
        set_by: set_by.clone(),
    };
    let Some(last) = logged.last() else {
        return Progression {
            decision: Decision::Advance,
            reasons: vec![
                "No session logged yet: start with the plan's first session.".to_string(),
            ],
            rules: vec![note(RuleId::PlanStart)],
            paused: None,
            added_precautions: vec![],
            next_backward_seconds: next_planned_backward_seconds,
            sources,
        };
    };
    let mut decision = Decision::Advance;
    let mut reasons = Vec::new();
    let mut notes = Vec::new();
    let mut added_precautions = Vec::new();
    let mut raise = |d: Decision, rule: RuleId, reason: String| {
        decision = decision.max(d);
        reasons.push(reason);
        notes.push(note(rule));
    };

    if last.near_falls > 0 {
        raise(
            Decision::StepDown,
            RuleId::NearFall,
            format!(
                "You had {} near-fall{} last time: the next session is shorter, in shorter blocks, with a wall within reach.",
                last.near_falls,
                if last.near_falls == 1 { "" } else { "s" }
            ),
        );
        added_precautions.extend([Precaution::ShorterBlocks, Precaution::HallwayBesideWall]);
    }
    if !last.felt_safe {
        raise(
            Decision::StepDown,
            RuleId::FeltUnsafe,
            "You did not feel safe last time: the next session is shorter, in shorter blocks, with a wall within reach.".to_string(),
        );
        added_precautions.extend([Precaution::ShorterBlocks, Precaution::HallwayBesideWall]);
    }
    match (last.pain_before, last.pain_after) {
        (Some(before), Some(after)) => {
            let pain_rise = after.value().saturating_sub(before.value());
            if pain_rise >= gates.pain_rise_steps_down.value() {
                raise(
                    Decision::StepDown,
                    RuleId::PainRise,
                    format!(
                        "Pain rose from {before} to {after} during the session, a change of {pain_rise} points, which is clinically meaningful: step down, and see a clinician if it keeps happening."
                    ),
                );
            } else if pain_rise >= gates.pain_rise_holds.value() {
                raise(
                    Decision::Hold,
                    RuleId::PainRise,
                    format!(
                        "Pain rose by {pain_rise} point{} ({before} to {after}): hold at this dose until it stops rising.",
                        if pain_rise == 1 { "" } else { "s" }
                    ),
                );
            }
        }
        (before, after) => {
            // Not given is not "no pain": the coach cannot tell whether the session hurt.
            let missing = match (before, after) {
                (None, None) => "Pain before and after were",
                (None, Some(_)) => "Pain before was",
                _ => "Pain after was",
            };
            raise(
                Decision::Hold,
                RuleId::PainNotGiven,
                format!(
                    "{missing} not given, so the coach cannot tell whether the session made pain worse: hold at this dose, and give both scores next time to move on."
                ),
            );
        }
    }
    let completion = last.completion();
    if completion < f64::from(gates.step_down_below_completion.value()) / 100.0 {
        raise(
            Decision::StepDown,
            RuleId::Completion,
            format!(
                "You did {:.0}% of the planned backward time: step down to a dose you can finish.",
                completion * 100.0
            ),
        );
    } else if completion < f64::from(gates.hold_below_completion.value()) / 100.0 {
        raise(
            Decision::Hold,
            RuleId::Completion,
            format!(
                "You did {:.0}% of the planned backward time: repeat it before moving on.",
                completion * 100.0
            ),
        );
    }
    if last.rpe > gates.hold_above_rpe {
        raise(
            Decision::Hold,
            RuleId::Rpe,
            format!(
                "Effort was {} ({}), above {} ({}): hold until it feels easier.",
                last.rpe,
                last.rpe.anchor(),
                gates.hold_above_rpe,
                gates.hold_above_rpe.anchor()
            ),
        );
    }
    if let Some(streak) = gates.rpe_streak {
        let easy = logged
            .iter()
            .rev()
            .take_while(|o| o.rpe <= streak.rpe_at_most)
            .count();
        let needed = usize::from(streak.sessions.value());
        if easy < needed {
            raise(
                Decision::Hold,
                RuleId::RpeStreak,
                format!(
                    "Advance only after {needed} session{} in a row at effort {} or less: {easy} so far, so hold at this dose.",
                    if needed == 1 { "" } else { "s" },
                    streak.rpe_at_most
                ),
            );
        }
    }
    if let Some(pause) = pause {
        raise(
            Decision::Hold,
            RuleId::Pause,
            format!(
                "Progression is paused after {} on {}: the next session repeats the last dose until it is resumed.",
                pause.why.words(),
                pause.since
            ),
        );
    }
    if reasons.is_empty() {
        let pain = match (last.pain_before, last.pain_after) {
            (Some(before), Some(after)) => format!("pain {before} to {after}"),
            _ => "pain not given".to_string(),
        };
        reasons.push(format!(
            "All went well (effort {}, {pain}, no near-falls): go on with the plan.",
            last.rpe
        ));
        notes.push(note(RuleId::AllWell));
    }

    let last_dose = last.planned_backward_seconds;
    let mut next_backward_seconds = match decision {
        Decision::Advance => next_planned_backward_seconds,
        Decision::Hold => last_dose.min(next_planned_backward_seconds),
        Decision::StepDown => {
            let cut = (f64::from(last_dose) * STEP_DOWN_SHARE) as u32;
            let cut = cut.max(MIN_WEEKLY_RISE_SECONDS);
            let stepped = last_dose.saturating_sub(cut);
            (stepped - stepped % GRANULE_SECONDS)
                .max(GRANULE_SECONDS)
                .min(next_planned_backward_seconds.max(GRANULE_SECONDS))
        }
    };
    if pause.is_some() {
        // Paused: never more than the last dose, whatever the plan has next.
        next_backward_seconds = next_backward_seconds.min(last_dose.max(GRANULE_SECONDS));
    }
    added_precautions.sort_unstable();
    added_precautions.dedup();
    Progression {
        decision,
        reasons,
        rules: notes,
        paused: pause.cloned(),
        added_precautions,
        next_backward_seconds,
        sources,
    }
}

/// The next session of a plan, reshaped by the progression decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextSession {
    /// The session to do next (None when the plan is complete).
    pub session: Option<PlannedSession>,
    /// The decision and its reasons.
    pub progression: Progression,
}

/// Decides the next session of a plan from the sessions logged against it, in order.
///
/// Sessions are matched by count: the n-th logged session answers the n-th planned one. On a
/// hold or a step down the next session keeps its date and speed but gets the decided backward
/// time; a step down also drops any incline, and added precautions (shorter blocks) reshape it.
pub fn next_session(plan: &Plan, logged: &[SessionOutcome]) -> NextSession {
    next_session_with(plan, logged, &Rules::default(), None)
}

/// [`next_session`] under `rules`, with the pause in force if any.
pub fn next_session_with(
    plan: &Plan,
    logged: &[SessionOutcome],
    rules: &Rules,
    pause: Option<&Pause>,
) -> NextSession {
    let Some(planned) = plan.sessions.get(logged.len()) else {
        return NextSession {
            session: None,
            progression: Progression {
                decision: Decision::Hold,
                reasons: vec![format!(
                    "All {} planned sessions are logged: the plan is complete. Keep the last dose, or start a new plan.",
                    plan.sessions.len()
                )],
                rules: vec![RuleNote {
                    rule: RuleId::PlanComplete,
                    set_by: rules.set_by.to_string(),
                }],
                paused: pause.cloned(),
                added_precautions: vec![],
                next_backward_seconds: plan.sessions.last().map_or(0, |s| s.backward_seconds),
                sources: vec![],
            },
        };
    };
    let progression = decide_with(rules, logged, planned.backward_seconds, pause);
    if progression.decision == Decision::Advance {
        return NextSession {
            session: Some(planned.clone()),
            progression,
        };
    }
    let mut precautions = plan.precautions.clone();
    precautions.extend_from_slice(&progression.added_precautions);
    let backward_block = planned
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::Backward);
    let forward_speed = planned
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::WarmUp)
        .and_then(|b| b.speed);
    let grade = match progression.decision {
        Decision::StepDown => None,
        _ => backward_block.and_then(|b| b.grade),
    };
    let blocks = session_blocks(
        progression.next_backward_seconds,
        plan.protocol.pattern,
        max_block_seconds(plan.level, &precautions),
        backward_block.and_then(|b| b.speed),
        forward_speed,
        grade,
    );
    let mut session = planned.clone();
    session.backward_seconds = crate::plan::backward_total(&blocks);
    session.total_seconds = blocks.iter().map(|b| b.seconds).sum();
    session.blocks = blocks;
    session.notes.extend(progression.reasons.iter().cloned());
    NextSession {
        session: Some(session),
        progression,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome() -> SessionOutcome {
        SessionOutcome {
            planned_backward_seconds: 600,
            done_backward_seconds: 600,
            rpe: Rpe::new(12).unwrap(),
            pain_before: Some(PainScore::new(3).unwrap()),
            pain_after: Some(PainScore::new(3).unwrap()),
            near_falls: 0,
            felt_safe: true,
        }
    }

    #[test]
    fn a_good_session_advances() {
        let p = decide(Some(&outcome()), 660);
        assert_eq!(p.decision, Decision::Advance);
        assert_eq!(p.next_backward_seconds, 660);
    }

    #[test]
    fn a_near_fall_steps_down_and_adds_precautions() {
        let mut o = outcome();
        o.near_falls = 1;
        let p = decide(Some(&o), 660);
        assert_eq!(p.decision, Decision::StepDown);
        assert_eq!(p.next_backward_seconds, 450);
        assert!(p.added_precautions.contains(&Precaution::ShorterBlocks));
        assert!(p.reasons[0].contains("near-fall"));
    }

    #[test]
    fn pain_rise_of_two_steps_down_and_of_one_holds() {
        let mut o = outcome();
        o.pain_after = Some(PainScore::new(5).unwrap());
        assert_eq!(decide(Some(&o), 660).decision, Decision::StepDown);
        o.pain_after = Some(PainScore::new(4).unwrap());
        let p = decide(Some(&o), 660);
        assert_eq!(p.decision, Decision::Hold);
        assert_eq!(p.next_backward_seconds, 600);
        // Pain that falls is good news, not a reason to hold.
        o.pain_after = Some(PainScore::new(1).unwrap());
        assert_eq!(decide(Some(&o), 660).decision, Decision::Advance);
    }

    #[test]
    fn pain_not_given_is_not_no_pain() {
        for (before, after) in [
            (None, Some(PainScore::new(0).unwrap())),
            (Some(PainScore::new(0).unwrap()), None),
            (None, None),
        ] {
            let mut o = outcome();
            o.pain_before = before;
            o.pain_after = after;
            let p = decide(Some(&o), 660);
            assert_eq!(p.decision, Decision::Hold, "{before:?} {after:?}");
            assert!(p.reasons[0].contains("not given"), "{:?}", p.reasons);
            assert_eq!(p.next_backward_seconds, 600);
        }
    }

    #[test]
    fn a_session_with_every_backward_block_skipped_steps_down() {
        let mut o = outcome();
        o.done_backward_seconds = 0;
        let p = decide(Some(&o), 660);
        assert_eq!(p.decision, Decision::StepDown);
        assert!(p.reasons[0].contains("0%"), "{:?}", p.reasons);
    }

    #[test]
    fn hard_effort_holds() {
        let mut o = outcome();
        o.rpe = Rpe::new(16).unwrap();
        assert_eq!(decide(Some(&o), 660).decision, Decision::Hold);
        o.rpe = Rpe::new(15).unwrap();
        assert_eq!(decide(Some(&o), 660).decision, Decision::Advance);
    }

    #[test]
    fn incomplete_sessions_hold_or_step_down() {
        let mut o = outcome();
        o.done_backward_seconds = 420;
        assert_eq!(decide(Some(&o), 660).decision, Decision::Hold);
        o.done_backward_seconds = 240;
        assert_eq!(decide(Some(&o), 660).decision, Decision::StepDown);
    }

    #[test]
    fn the_most_cautious_rule_wins_and_every_reason_is_given() {
        let mut o = outcome();
        o.rpe = Rpe::new(17).unwrap();
        o.felt_safe = false;
        let p = decide(Some(&o), 660);
        assert_eq!(p.decision, Decision::StepDown);
        assert_eq!(p.reasons.len(), 2);
    }

    #[test]
    fn step_down_never_goes_below_thirty_seconds() {
        let mut o = outcome();
        o.planned_backward_seconds = 30;
        o.done_backward_seconds = 0;
        assert_eq!(decide(Some(&o), 60).next_backward_seconds, 30);
    }

    #[test]
    fn next_session_of_a_plan_is_reshaped_after_a_near_fall() {
        use crate::plan::{Setting, build_plan};
        use crate::protocol::Goal;
        let plan = build_plan(&crate::plan::tests::request(Goal::Knee, Setting::Ground)).unwrap();
        let mut first = outcome();
        first.planned_backward_seconds = 300;
        first.done_backward_seconds = 300;
        let next = next_session(&plan, &[first]);
        assert_eq!(next.progression.decision, Decision::Advance);
        assert_eq!(next.session.as_ref().unwrap().number, 2);
        first.near_falls = 1;
        let next = next_session(&plan, &[first]);
        let session = next.session.unwrap();
        // 300 s less a quarter (75 s) is 225 s, rounded down to 30 s.
        assert_eq!(session.backward_seconds, 210);
        assert!(
            session
                .blocks
                .iter()
                .filter(|b| b.kind == BlockKind::Backward)
                .all(|b| b.seconds <= crate::plan::MAX_BLOCK_SHORTER)
        );
        let done = vec![outcome(); plan.sessions.len()];
        assert!(next_session(&plan, &done).session.is_none());
    }

    #[test]
    fn nothing_logged_starts_the_plan() {
        let p = decide(None, 300);
        assert_eq!(
            (p.decision, p.next_backward_seconds),
            (Decision::Advance, 300)
        );
    }
}

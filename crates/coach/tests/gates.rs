//! Properties of clinician-set progression gates.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

use coach::gates::{
    CompletionPercent, GateSettings, Gates, NearFallAction, PainRise, Pause, PauseCause, RpeStreak,
    RuleId, Rules, SetBy, StreakLength,
};
use coach::measure::{PainScore, Rpe};
use coach::progression::{Decision, SessionOutcome, decide, decide_with};
use proptest::prelude::*;

prop_compose! {
    fn outcome()(
        planned in 30u32..3600, done_share in 0.0..1.2f64,
        rpe in 6u8..=20, before in proptest::option::weighted(0.8, 0u8..=10),
        after in proptest::option::weighted(0.8, 0u8..=10),
        near_falls in 0u8..3, felt_safe in any::<bool>(),
    ) -> SessionOutcome {
        SessionOutcome {
            planned_backward_seconds: planned,
            done_backward_seconds: (f64::from(planned) * done_share) as u32,
            rpe: Rpe::new(rpe).unwrap(),
            pain_before: before.map(|v| PainScore::new(v).unwrap()),
            pain_after: after.map(|v| PainScore::new(v).unwrap()),
            near_falls,
            felt_safe,
        }
    }
}

/// Gates at least as strict as the built-in ones: every threshold moved the cautious way.
fn stricter() -> impl Strategy<Value = Gates> {
    (
        1u8..=1,
        1u8..=2,
        prop_oneof![
            Just(NearFallAction::StepDown),
            Just(NearFallAction::StepDownAndAlert),
            Just(NearFallAction::PauseAndAlert)
        ],
        proptest::option::of((1u8..=10, 6u8..=20)),
        6u8..=15,
        80u8..=100,
        50u8..=80,
    )
        .prop_map(|(holds, steps, near_fall, streak, rpe, hold, step)| {
            Gates::try_from(GateSettings {
                pain_rise_holds: PainRise::new(holds.into()).unwrap(),
                pain_rise_steps_down: PainRise::new(steps.max(holds).into()).unwrap(),
                near_fall,
                rpe_streak: streak.map(|(n, r)| RpeStreak {
                    sessions: StreakLength::new(n.into()).unwrap(),
                    rpe_at_most: Rpe::new(r).unwrap(),
                }),
                hold_above_rpe: Rpe::new(rpe).unwrap(),
                hold_below_completion: CompletionPercent::new(hold.into()).unwrap(),
                step_down_below_completion: CompletionPercent::new(step.into()).unwrap(),
                missed_sessions_alert: Gates::default().settings().missed_sessions_alert,
            })
            .unwrap()
        })
}

fn clinician(gates: Gates) -> Rules {
    Rules {
        gates,
        set_by: SetBy::Clinician {
            name: "Dr Ada".to_string(),
            on: jiff::civil::date(2026, 12, 1),
        },
    }
}

proptest! {
    #[test]
    fn a_stricter_gate_is_never_bolder(
        history in proptest::collection::vec(outcome(), 1..6),
        gates in stricter(),
        next in 30u32..3600,
    ) {
        let last = history.last().unwrap();
        let built_in = decide(Some(last), next);
        let strict = decide_with(&clinician(gates), &history, next, None);
        prop_assert!(strict.decision >= built_in.decision);
        prop_assert!(strict.next_backward_seconds <= built_in.next_backward_seconds);
    }

    #[test]
    fn the_default_rules_are_the_built_in_ones(o in outcome(), next in 30u32..3600) {
        let by_default = decide_with(&Rules::default(), &[o], next, None);
        let built_in = decide(Some(&o), next);
        prop_assert_eq!(by_default, built_in);
    }

    #[test]
    fn decisions_are_deterministic_and_every_reason_names_its_rule(
        history in proptest::collection::vec(outcome(), 0..6),
        gates in stricter(),
        next in 30u32..3600,
    ) {
        let rules = clinician(gates);
        let a = decide_with(&rules, &history, next, None);
        let b = decide_with(&rules, &history, next, None);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.reasons.len(), a.rules.len());
        prop_assert!(a.rules.iter().all(|r| r.set_by == "set by Dr Ada on 2026-12-01"));
    }

    #[test]
    fn a_pause_always_wins(
        history in proptest::collection::vec(outcome(), 1..6),
        gates in stricter(),
        next in 30u32..3600,
    ) {
        let pause = Pause { since: jiff::civil::date(2026, 12, 2), why: PauseCause::Fall };
        let p = decide_with(&clinician(gates), &history, next, Some(&pause));
        let last = history.last().unwrap();
        prop_assert!(p.decision >= Decision::Hold);
        prop_assert!(p.next_backward_seconds <= last.planned_backward_seconds.max(30));
        prop_assert_eq!(p.paused.as_ref(), Some(&pause));
        prop_assert!(p.rules.iter().any(|r| r.rule == RuleId::Pause));
    }
}

#[test]
fn the_rpe_streak_holds_until_enough_easy_sessions() {
    let easy = SessionOutcome {
        planned_backward_seconds: 300,
        done_backward_seconds: 300,
        rpe: Rpe::new(11).unwrap(),
        pain_before: Some(PainScore::new(1).unwrap()),
        pain_after: Some(PainScore::new(1).unwrap()),
        near_falls: 0,
        felt_safe: true,
    };
    let mut s = *Gates::default().settings();
    s.rpe_streak = Some(RpeStreak {
        sessions: StreakLength::new(3).unwrap(),
        rpe_at_most: Rpe::new(12).unwrap(),
    });
    let rules = clinician(Gates::try_from(s).unwrap());
    let p = decide_with(&rules, &[easy, easy], 360, None);
    assert_eq!(p.decision, Decision::Hold);
    assert_eq!(p.rules[0].rule, RuleId::RpeStreak);
    assert!(p.reasons[0].contains("2 so far"), "{:?}", p.reasons);
    let p = decide_with(&rules, &[easy, easy, easy], 360, None);
    assert_eq!(p.decision, Decision::Advance);
    assert_eq!(p.rules[0].rule, RuleId::AllWell);
}

#[test]
fn a_clinician_pain_gate_holds_at_its_own_threshold() {
    let mut o = SessionOutcome {
        planned_backward_seconds: 300,
        done_backward_seconds: 300,
        rpe: Rpe::new(11).unwrap(),
        pain_before: Some(PainScore::new(1).unwrap()),
        pain_after: Some(PainScore::new(3).unwrap()),
        near_falls: 0,
        felt_safe: true,
    };
    let mut s = *Gates::default().settings();
    s.pain_rise_holds = PainRise::new(2).unwrap();
    s.pain_rise_steps_down = PainRise::new(4).unwrap();
    let rules = clinician(Gates::try_from(s).unwrap());
    let p = decide_with(&rules, &[o], 360, None);
    assert_eq!(p.decision, Decision::Hold);
    assert_eq!(p.rules[0].rule, RuleId::PainRise);
    o.pain_after = Some(PainScore::new(5).unwrap());
    assert_eq!(
        decide_with(&rules, &[o], 360, None).decision,
        Decision::StepDown
    );
}

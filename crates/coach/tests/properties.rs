//! Property tests for the domain rules: energy, plans, progression and parsing.

// Helpers outside #[test] functions build fixtures from known-good values; a panic is a failed test.
#![allow(clippy::unwrap_used)]

use coach::energy::{
    BACKWARD_TREADMILL_2024, Direction, Edition, EnergyBasis, MetBasis, Surface, Walk, estimate,
    met,
};
use coach::measure::{ActivityDuration, BodyMass, Grade, PainScore, Rpe, Speed};
use coach::plan::{
    DaysPerWeek, GRANULE_SECONDS, Level, MIN_WEEKLY_RISE_SECONDS, PlanError, PlanRequest, Setting,
    Units, WEEKLY_GROWTH, Weeks, backward_total, build_plan,
};
use coach::progression::{Decision, SessionOutcome, decide};
use coach::protocol::{Goal, PROTOCOLS};
use coach::screening::{Clearance, Precaution};
use proptest::prelude::*;

fn edition() -> impl Strategy<Value = Edition> {
    prop_oneof![Just(Edition::Y2011), Just(Edition::Y2024)]
}
fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::Forward), Just(Direction::Backward)]
}
fn surface() -> impl Strategy<Value = Surface> {
    prop_oneof![Just(Surface::Ground), Just(Surface::Treadmill)]
}
fn speed_mps() -> impl Strategy<Value = f64> {
    Speed::MIN_MPS..Speed::MAX_MPS
}
fn grade_percent() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), Just(5.0), Just(10.0), 0.0..Grade::MAX_PERCENT]
}

fn walk(direction: Direction, mps: f64, grade: f64, surface: Surface) -> Walk {
    Walk {
        direction,
        speed: Speed::from_mps(mps).unwrap(),
        grade: Grade::from_percent(grade).unwrap(),
        surface,
    }
}

/// The one documented exception to monotony: the 2024 treadmill code 17475 lies above the model.
fn is_treadmill_code_point(w: &Walk, edition: Edition) -> bool {
    matches!(met(w, edition).basis, MetBasis::Compendium { code, .. } if code == BACKWARD_TREADMILL_2024)
}

proptest! {
    #[test]
    fn energy_never_falls_when_speed_rises(
        d in direction(), s in surface(), e in edition(),
        a in speed_mps(), b in speed_mps(), g in grade_percent(),
    ) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let slow = walk(d, lo, g, s);
        let fast = walk(d, hi, g, s);
        prop_assume!(!is_treadmill_code_point(&slow, e) && !is_treadmill_code_point(&fast, e));
        prop_assert!(met(&fast, e).met >= met(&slow, e).met - 1e-9,
            "{:?} {:?} {e:?}: {lo} m/s -> {}, {hi} m/s -> {}", d, s, met(&slow, e).met, met(&fast, e).met);
    }

    #[test]
    fn energy_never_falls_when_grade_rises(
        d in direction(), s in surface(), e in edition(),
        v in speed_mps(), a in grade_percent(), b in grade_percent(),
    ) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let flat = walk(d, v, lo, s);
        let steep = walk(d, v, hi, s);
        prop_assume!(!is_treadmill_code_point(&flat, e) && !is_treadmill_code_point(&steep, e));
        prop_assert!(met(&steep, e).met >= met(&flat, e).met - 1e-9);
    }

    #[test]
    fn energy_rises_strictly_with_body_mass(
        d in direction(), e in edition(), v in speed_mps(), g in grade_percent(),
        m1 in 20.0..350.0f64, m2 in 20.0..350.0f64, secs in 1u32..86_400,
    ) {
        prop_assume!((m1 - m2).abs() > 1e-6);
        let w = walk(d, v, g, Surface::Ground);
        let t = ActivityDuration::from_seconds(secs).unwrap();
        let k1 = estimate(&w, t, BodyMass::from_kg(m1).unwrap(), e, EnergyBasis::Gross).kcal;
        let k2 = estimate(&w, t, BodyMass::from_kg(m2).unwrap(), e, EnergyBasis::Gross).kcal;
        prop_assert_eq!(m1 < m2, k1 < k2);
    }

    #[test]
    fn kcal_is_met_times_kg_times_hours(
        d in direction(), s in surface(), e in edition(), v in speed_mps(), g in grade_percent(),
        kg in 20.0..350.0f64, secs in 1u32..86_400,
    ) {
        let w = walk(d, v, g, s);
        let t = ActivityDuration::from_seconds(secs).unwrap();
        let gross = estimate(&w, t, BodyMass::from_kg(kg).unwrap(), e, EnergyBasis::Gross);
        let hours = f64::from(secs) / 3600.0;
        prop_assert!((gross.kcal - gross.met * kg * hours).abs() < 1e-9 * gross.kcal.max(1.0));
        let net = estimate(&w, t, BodyMass::from_kg(kg).unwrap(), e, EnergyBasis::Net);
        prop_assert!((net.kcal - (net.met - 1.0) * kg * hours).abs() < 1e-9 * gross.kcal.max(1.0));
        prop_assert!(!gross.source.is_empty());
    }

    #[test]
    fn backward_costs_more_than_forward_at_the_same_speed_and_grade(
        e in edition(), v in speed_mps(), g in grade_percent(),
    ) {
        let f = met(&walk(Direction::Forward, v, g, Surface::Ground), e).met;
        let b = met(&walk(Direction::Backward, v, g, Surface::Ground), e).met;
        prop_assert!(b > f * 1.1, "forward {f} backward {b}");
    }
}

fn goal() -> impl Strategy<Value = Goal> {
    prop_oneof![
        Just(Goal::Knee),
        Just(Goal::Balance),
        Just(Goal::Fitness),
        Just(Goal::General)
    ]
}
fn precaution_set() -> impl Strategy<Value = Vec<Precaution>> {
    proptest::sample::subsequence(Precaution::ALL.to_vec(), 0..=Precaution::ALL.len())
}

prop_compose! {
    fn plan_request()(
        goal in goal(),
        setting in prop_oneof![Just(Setting::Ground), Just(Setting::Hallway), Just(Setting::Treadmill)],
        level in prop_oneof![Just(Level::New), Just(Level::SomeExperience)],
        days in 1u8..=7, weeks in 1u8..=52,
        precautions in precaution_set(),
        forward in proptest::option::of(0.5..2.2f64),
        imperial in any::<bool>(),
        protocol_index in proptest::option::of(0..PROTOCOLS.len()),
        day_offset in 0i64..3650,
    ) -> PlanRequest {
        let protocol = protocol_index
            .map(|i| &PROTOCOLS[i])
            .filter(|p| p.goals.contains(&goal));
        PlanRequest {
            goal,
            clearance: if precautions.is_empty() { Clearance::Cleared } else { Clearance::ClearedWithPrecautions },
            precautions,
            setting,
            level,
            days_per_week: DaysPerWeek::new(days).unwrap(),
            weeks: Weeks::new(weeks).unwrap(),
            start: jiff::civil::date(2026, 1, 1).checked_add(jiff::Span::new().days(day_offset)).unwrap(),
            forward_speed: forward.map(|f| Speed::from_mps(f).unwrap()),
            protocol,
            units: if imperial { Units::Imperial } else { Units::Metric },
            clinician_assigned: false,
            schedule: coach::schedule::Schedule::default(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn chosen_weekdays_hold_every_session_and_keep_sessions_a_week(
        r in plan_request(),
        bits in 1u8..128,
    ) {
        let days = coach::schedule::TrainingDays::new(
            (0..7i8)
                .filter(|i| bits & (1 << i) != 0)
                .map(|i| jiff::civil::Weekday::from_monday_zero_offset(i).unwrap()),
        )
        .unwrap();
        let mut r = r;
        r.schedule.days = Some(days);
        match build_plan(&r) {
            Err(coach::plan::PlanError::TooFewTrainingDays { .. }) => {
                prop_assert!(days.count() < r.days_per_week.get());
            }
            Err(e) => prop_assert!(false, "{e}"),
            Ok(plan) => {
                prop_assert_eq!(
                    plan.sessions.len(),
                    usize::from(r.weeks.get()) * usize::from(r.days_per_week.get())
                );
                for s in &plan.sessions {
                    prop_assert!(days.contains(s.date.weekday()), "{} on {:?}", s.date, days);
                }
                prop_assert!(plan.sessions.windows(2).all(|w| w[0].date < w[1].date));
                prop_assert!(plan.sessions.windows(2).all(|w| w[0].week <= w[1].week));
            }
        }
    }

    #[test]
    fn no_session_exceeds_its_protocols_dose(r in plan_request()) {
        let plan = build_plan(&r).unwrap();
        let target = plan.protocol.target_backward_seconds();
        for s in &plan.sessions {
            prop_assert!(s.backward_seconds <= target, "{} > {}", s.backward_seconds, target);
            prop_assert!(s.backward_seconds > 0);
        }
    }

    #[test]
    fn blocks_sum_to_the_sessions_length(r in plan_request()) {
        let plan = build_plan(&r).unwrap();
        for s in &plan.sessions {
            prop_assert_eq!(s.blocks.iter().map(|b| b.seconds).sum::<u32>(), s.total_seconds);
            prop_assert_eq!(backward_total(&s.blocks), s.backward_seconds);
            prop_assert!(s.blocks.iter().all(|b| b.seconds > 0));
        }
    }

    #[test]
    fn backward_time_never_grows_faster_than_the_rule(r in plan_request()) {
        let plan = build_plan(&r).unwrap();
        let weekly: Vec<u32> = (1..=plan.weeks.get())
            .filter_map(|w| plan.sessions.iter().find(|s| s.week == w).map(|s| s.backward_seconds))
            .collect();
        for pair in weekly.windows(2) {
            let allowed = ((f64::from(pair[0]) * (1.0 + WEEKLY_GROWTH)) as u32)
                .max(pair[0] + MIN_WEEKLY_RISE_SECONDS);
            prop_assert!(pair[1] <= allowed, "{} -> {} (allowed {})", pair[0], pair[1], allowed);
            prop_assert!(pair[1] >= pair[0], "backward time fell within a plan");
            prop_assert_eq!(pair[1] % GRANULE_SECONDS, 0);
        }
        // Within a week the dose holds.
        for s in &plan.sessions {
            prop_assert_eq!(Some(s.backward_seconds), weekly.get(usize::from(s.week) - 1).copied());
        }
    }

    #[test]
    fn sessions_are_dated_in_order_within_their_week(r in plan_request()) {
        let plan = build_plan(&r).unwrap();
        prop_assert_eq!(plan.sessions.len(), usize::from(r.days_per_week.get()) * usize::from(r.weeks.get()));
        for pair in plan.sessions.windows(2) {
            prop_assert!(pair[0].date < pair[1].date);
        }
        for s in &plan.sessions {
            let days = r.start.until(s.date).unwrap().get_days();
            prop_assert_eq!(days / 7 + 1, i32::from(s.week));
        }
    }

    #[test]
    fn precautions_shape_the_plan(r in plan_request()) {
        let plan = build_plan(&r).unwrap();
        if r.precautions.contains(&Precaution::NoTreadmillYet) {
            prop_assert_ne!(plan.setting, Setting::Treadmill);
        }
        if plan.precautions.contains(&Precaution::ShorterBlocks) {
            prop_assert!(plan.sessions.iter().flat_map(|s| &s.blocks)
                .filter(|b| b.direction == Direction::Backward)
                .all(|b| b.seconds <= 60));
        }
        if r.precautions.contains(&Precaution::ModerateIntensityOnly) || r.goal == Goal::Knee {
            prop_assert!(plan.sessions.iter().flat_map(|s| &s.blocks).all(|b| b.grade.is_none()));
        }
    }

    #[test]
    fn no_plan_past_see_clinician_first(mut r in plan_request()) {
        r.clearance = Clearance::SeeClinicianFirst;
        prop_assert_eq!(build_plan(&r), Err(PlanError::SeeClinicianFirst));
    }
}

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

proptest! {
    #[test]
    fn worse_signs_never_give_a_bolder_decision(o in outcome(), next in 30u32..3600) {
        let base = decide(Some(&o), next).decision;
        let mut fell = o;
        fell.near_falls += 1;
        prop_assert_eq!(decide(Some(&fell), next).decision, Decision::StepDown);
        let mut unsafe_ = o;
        unsafe_.felt_safe = false;
        prop_assert_eq!(decide(Some(&unsafe_), next).decision, Decision::StepDown);
        let mut harder = o;
        harder.rpe = Rpe::new((o.rpe.value() + 2).min(20)).unwrap();
        prop_assert!(decide(Some(&harder), next).decision >= base);
        let mut sorer = o;
        sorer.pain_after = o.pain_after.map(|p| PainScore::new((p.value() + 1).min(10)).unwrap());
        prop_assert!(decide(Some(&sorer), next).decision >= base);
        // Not giving a pain score never reads as "no pain": the session never advances.
        for (before, after) in [(None, o.pain_after), (o.pain_before, None)] {
            let mut unsaid = o;
            unsaid.pain_before = before;
            unsaid.pain_after = after;
            let d = decide(Some(&unsaid), next).decision;
            prop_assert!(d >= Decision::Hold);
        }
        // Skipped backward time is not done: walking less never gives a bolder decision.
        let mut skipped = o;
        skipped.done_backward_seconds = o.done_backward_seconds / 2;
        prop_assert!(decide(Some(&skipped), next).decision >= base);
    }

    #[test]
    fn progression_never_raises_the_dose_past_the_plan(o in outcome(), next in 30u32..3600) {
        let p = decide(Some(&o), next);
        prop_assert!(p.next_backward_seconds <= next.max(30));
        prop_assert!(!p.reasons.is_empty());
        if p.decision == Decision::StepDown {
            prop_assert!(p.next_backward_seconds < o.planned_backward_seconds.max(31));
        }
    }

    #[test]
    fn parsers_never_panic(text in ".{0,20}") {
        let _ = text.parse::<Speed>();
        let _ = text.parse::<BodyMass>();
        let _ = text.parse::<Grade>();
        let _ = text.parse::<ActivityDuration>();
        let _ = text.parse::<PainScore>();
        let _ = text.parse::<Rpe>();
    }

    #[test]
    fn speeds_round_trip_through_their_units(mph in 0.3..5.5f64) {
        let s: Speed = format!("{mph}mph").parse().unwrap();
        prop_assert!((s.mph() - mph).abs() < 1e-9);
        let k: Speed = format!("{}km/h", s.kmh()).parse().unwrap();
        prop_assert!((k.mps() - s.mps()).abs() < 1e-9);
    }
}

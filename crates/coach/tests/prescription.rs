//! Property tests for prescriptions: weekdays respected, doses within the protocol's bounds
//! unless overridden, and an adjustment never changes a session already kept.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

use coach::plan::{Level, Setting, Units, Weeks};
use coach::prescription::{Parameters, Prescription, adjust};
use coach::protocol::PROTOCOLS;
use coach::schedule::TrainingDays;
use coach::screening::Clearance;
use jiff::ToSpan;
use jiff::civil::{Date, Weekday, date};
use proptest::prelude::*;

const DAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

fn params() -> impl Strategy<Value = Parameters> {
    (
        0..PROTOCOLS.len(),
        1u8..128,
        1u8..=12,
        1u32..=60,
        proptest::option::of(1u32..=60),
        any::<bool>(),
        prop::bool::ANY,
    )
        .prop_map(
            |(p, mask, weeks, start, end, override_bounds, experienced)| {
                let protocol = &PROTOCOLS[p];
                let days =
                    TrainingDays::new((0..7).filter(|i| mask & (1 << i) != 0).map(|i| DAYS[i]))
                        .unwrap();
                Parameters {
                    protocol,
                    goal: protocol.goals[0],
                    level: if experienced {
                        Level::SomeExperience
                    } else {
                        Level::New
                    },
                    setting: Setting::Hallway,
                    days,
                    time: None,
                    weeks: Weeks::new(weeks).unwrap(),
                    start_minutes: start,
                    end_minutes: end,
                    block_seconds: None,
                    treadmill_speed: None,
                    incline_from_week: None,
                    override_bounds,
                }
            },
        )
}

fn start() -> impl Strategy<Value = Date> {
    (0i64..400).prop_map(|d| date(2027, 1, 1).checked_add(d.days()).unwrap())
}

proptest! {
    #[test]
    fn sessions_fall_on_the_weekdays_and_within_the_dose(p in params(), from in start()) {
        let Ok(prescription) = Prescription::new(p.clone()) else { return Ok(()) };
        let plan = prescription.build(from, Clearance::Cleared, &[], Units::Metric).unwrap();
        let limit = if p.override_bounds { 60 * 60 } else { p.protocol.target_backward_seconds() };
        for s in &plan.sessions {
            prop_assert!(p.days.contains(s.date.weekday()));
            prop_assert!(s.date >= from);
            prop_assert!(s.backward_seconds <= limit);
            prop_assert!(s.backward_seconds <= prescription.dose().end_seconds());
        }
    }

    #[test]
    fn without_an_override_the_protocols_dose_is_never_passed(p in params()) {
        let mut p = p;
        p.override_bounds = false;
        if let Ok(prescription) = Prescription::new(p.clone()) {
            prop_assert!(prescription.dose().end_seconds() <= p.protocol.target_backward_seconds());
        }
    }

    #[test]
    fn an_adjustment_never_changes_a_kept_session(a in params(), b in params(), from in start(), done in 0usize..40, later in 0i64..60) {
        let (Ok(first), Ok(second)) = (Prescription::new(a), Prescription::new(b.clone())) else { return Ok(()) };
        let plan = first.build(from, Clearance::Cleared, &[], Units::Metric).unwrap();
        let today = from.checked_add(later.days()).unwrap();
        let (_, sessions) = adjust(&plan.sessions, done, &second, today, Clearance::Cleared, &[], Units::Metric).unwrap();
        let kept = done.min(plan.sessions.len());
        prop_assert_eq!(&sessions[..kept], &plan.sessions[..kept]);
        for (i, s) in sessions.iter().enumerate() {
            prop_assert_eq!(s.number as usize, i + 1);
        }
        for s in &sessions[kept..] {
            prop_assert!(s.date >= today);
            prop_assert!(b.days.contains(s.date.weekday()));
            if kept > 0 {
                prop_assert!(s.date > plan.sessions[kept - 1].date);
            }
        }
    }
}

//! Rules that hold for any input: the analysis never panics, confidences are probabilities
//! within the stated bounds, `unknown` is said exactly when the evidence is weak, and steps add
//! up.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use gait::{ANSWER_FROM, Basis, Direction, Options, Placement, Sample, analyze, direction};
use proptest::prelude::*;

fn placements() -> impl Strategy<Value = Option<Placement>> {
    prop_oneof![
        Just(None),
        (0..Placement::ALL.len()).prop_map(|i| Some(Placement::ALL[i]))
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_motion_gives_bounded_honest_answers(
        values in proptest::collection::vec((-40.0f64..40.0, -40.0f64..40.0, -40.0f64..40.0, -900.0f64..900.0), 0..3000),
        step in 0.002f64..0.05,
        gyro in any::<bool>(),
        placement in placements(),
        forward_until in proptest::option::of(0.0f64..60.0),
    ) {
        let samples: Vec<Sample> = values
            .iter()
            .enumerate()
            .map(|(i, (x, y, z, g))| Sample {
                t: i as f64 * step,
                acc: [*x, *y, 9.8 + *z],
                gyr: gyro.then_some([*g, -*g / 2.0, *g / 3.0]),
            })
            .collect();
        let a = analyze(samples, Options {
            placement,
            forward_segment: forward_until.map(|s| (0.0, s)),
            keep_contacts: true,
        });
        prop_assert_eq!(a.total_steps, a.bouts.iter().map(|b| u64::from(b.steps)).sum::<u64>());
        for b in &a.bouts {
            prop_assert!((0.5..=1.0).contains(&b.confidence), "{:?}", b);
            prop_assert!(b.start_s <= b.end_s);
            prop_assert!(b.cadence_spm.is_finite() && b.cadence_spm > 0.0, "{:?}", b);
            match b.basis {
                Basis::Given => prop_assert_eq!(b.direction, Direction::Forward),
                Basis::Nothing => prop_assert_eq!(b.direction, Direction::Unknown),
                Basis::Motion => {
                    prop_assert!(b.evidence.is_some());
                    prop_assert!(b.confidence <= direction::FOOT_CAP);
                    prop_assert_eq!(b.direction == Direction::Unknown, b.confidence < ANSWER_FROM);
                }
            }
            if b.two_steps_per_stride {
                prop_assert_eq!(b.steps % 2, 0);
            }
        }
        if forward_until.is_none() {
            prop_assert!(a.bouts.iter().all(|b| b.direction == Direction::Unknown));
        }
    }

    #[test]
    fn stronger_evidence_is_never_less_sure(score in -5.0f64..5.0, more in 0.0f64..5.0, spread in 0.05f64..2.0) {
        let weaker = direction::probability_forward(score.abs(), spread);
        let stronger = direction::probability_forward(score.abs() + more, spread);
        prop_assert!(stronger >= weaker - 1e-12);
        // A mirrored score is the mirrored probability.
        let p = direction::probability_forward(score, spread);
        let q = direction::probability_forward(-score, spread);
        prop_assert!((p + q - 1.0).abs() < 1e-6);
    }
}

//! The motion readers of `gait` (CSV, Axivity CWA, GENEActiv) on arbitrary bytes, each followed
//! by the analysis: no panic, and what comes out is consistent.
#![no_main]

use gait::{ANSWER_FROM, Analyzer, Basis, Direction, Options, Placement, Sample};

/// Steps only; and the direction read on the lower back and on the foot against a forward
/// first minute.
const READINGS: [(Option<Placement>, Option<(f64, f64)>); 3] = [
    (None, None),
    (Some(Placement::LowerBack), Some((0.0, 60.0))),
    (Some(Placement::Foot), Some((0.0, 60.0))),
];

fn analyse(samples: Vec<Sample>) {
    for (placement, forward_segment) in READINGS {
        let mut analyzer = Analyzer::new(Options {
            placement,
            forward_segment,
            keep_contacts: false,
        });
        for s in &samples {
            analyzer.push(s);
        }
        let a = analyzer.finish();
        let steps: u64 = a.bouts.iter().map(|b| u64::from(b.steps)).sum();
        assert_eq!(steps, a.total_steps);
        for b in &a.bouts {
            assert!(b.cadence_spm.is_finite() && b.cadence_spm > 0.0, "{b:?}");
            assert!((0.5..=1.0).contains(&b.confidence), "{b:?}");
            if b.basis == Basis::Motion {
                assert_eq!(b.direction == Direction::Unknown, b.confidence < ANSWER_FROM);
            }
        }
    }
}

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Ok(reader) = gait::csv::CsvReader::new(bytes, gait::csv::CsvOptions::default()) {
        analyse(reader.map_while(Result::ok).take(200_000).collect());
    }
    if let Ok(reader) = gait::cwa::CwaReader::new(bytes) {
        analyse(reader.map_while(Result::ok).take(200_000).collect());
    }
    if let Ok(reader) = gait::geneactiv::GeneActivReader::new(bytes) {
        analyse(reader.map_while(Result::ok).take(200_000).collect());
    }
});

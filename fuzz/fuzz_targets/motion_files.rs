//! The motion readers of `gait` (CSV, Axivity CWA, GENEActiv) on arbitrary bytes, each followed
//! by the analysis: no panic, and what comes out is consistent.
#![no_main]

use gait::{Analyzer, Options, Sample};

fn analyse(samples: impl Iterator<Item = Sample>) {
    let mut analyzer = Analyzer::new(Options::default());
    for s in samples {
        analyzer.push(&s);
    }
    let a = analyzer.finish();
    let steps: u64 = a.bouts.iter().map(|b| u64::from(b.steps)).sum();
    assert_eq!(steps, a.total_steps);
    for b in &a.bouts {
        assert!(b.cadence_spm.is_finite() && b.cadence_spm > 0.0, "{b:?}");
        assert!((0.5..=1.0).contains(&b.confidence), "{b:?}");
    }
}

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Ok(reader) = gait::csv::CsvReader::new(bytes, gait::csv::CsvOptions::default()) {
        analyse(reader.map_while(Result::ok));
    }
    if let Ok(reader) = gait::cwa::CwaReader::new(bytes) {
        analyse(reader.map_while(Result::ok));
    }
    if let Ok(reader) = gait::geneactiv::GeneActivReader::new(bytes) {
        analyse(reader.map_while(Result::ok));
    }
});

//! A synthetic 24-hour recording at 100 Hz (acceleration and gyroscope, walking bouts through
//! the day) analysed from samples in memory: the speed target is under 1 s on one core. Run
//! as a test (`cargo test`), it analyses ten minutes once instead of a day.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(missing_docs)] // criterion_group! generates an undocumented function.

use criterion::{Criterion, criterion_group, criterion_main};
use gait::{Analyzer, Options};
use std::hint::black_box;

fn day(c: &mut Criterion) {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let seconds = if benchmarking { 86_400.0 } else { 600.0 };
    // Generated once, outside the measurement: the benchmark times the analysis alone.
    let samples: Vec<gait::Sample> = gait::synthetic::day(seconds).collect();
    let expected_bouts = gait::synthetic::bouts(seconds).len();
    let mut group = c.benchmark_group("gait");
    group.sample_size(10);
    group.bench_function(format!("analyze {seconds:.0} s at 100 Hz"), |b| {
        b.iter(|| {
            let mut analyzer = Analyzer::new(Options::default());
            for s in &samples {
                analyzer.push(black_box(s));
            }
            let a = analyzer.finish();
            assert!(a.bouts.len() >= expected_bouts.min(1));
            a
        })
    });
    group.finish();
}

criterion_group!(benches, day);
criterion_main!(benches);

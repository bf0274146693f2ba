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
    // Without a placement (steps only), and on the lower back with a known forward first
    // hour (steps and the direction's coupling, read for every bout).
    let cases = [
        ("steps", Options::default()),
        (
            "lower back, direction",
            Options {
                placement: Some(gait::Placement::LowerBack),
                forward_segment: Some((0.0, 3600.0_f64.min(seconds / 2.0))),
                keep_contacts: false,
            },
        ),
    ];
    for (name, options) in cases {
        group.bench_function(format!("analyze {seconds:.0} s at 100 Hz, {name}"), |b| {
            b.iter(|| {
                let mut analyzer = Analyzer::new(options.clone());
                for s in &samples {
                    analyzer.push(black_box(s));
                }
                let a = analyzer.finish();
                assert!(a.bouts.len() >= expected_bouts.min(1));
                a
            })
        });
    }
    // The largest guided session the server takes: 3 hours at 100 Hz in 500 blocks, each read
    // on its own against the first block (the warm-up), pocket placement.
    let session: Vec<gait::Sample> = samples.iter().take(1_080_000).copied().collect();
    let length = session.last().map_or(0.0, |s| s.t) - session.first().map_or(0.0, |s| s.t);
    let blocks: Vec<(f64, f64)> = (0..500)
        .map(|i| {
            let w = length / 500.0;
            (f64::from(i) * w, f64::from(i + 1) * w)
        })
        .collect();
    group.bench_function(
        format!("guided session of {length:.0} s at 100 Hz, 500 blocks"),
        |b| {
            b.iter(|| {
                let mut analyzer = Analyzer::new(Options {
                    placement: Some(gait::Placement::Pocket),
                    forward_segment: Some(blocks[0]),
                    keep_contacts: false,
                });
                for s in &session {
                    analyzer.push(black_box(s));
                }
                let (_, read) = analyzer.finish_with_spans(&blocks);
                assert_eq!(read.len(), blocks.len());
                read
            })
        },
    );
    group.finish();
}

criterion_group!(benches, day);
criterion_main!(benches);

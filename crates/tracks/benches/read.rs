//! GPX reading speed: one Garmin-like GPX of 25 MB (the target: at least 100 MB/s),
//! and a zip of 100 distinct 367 KB GPX files (target under 0.4 s). Run as a test
//! (`cargo test`), it reads a 256 KB file and a zip of 4 once instead.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(missing_docs)] // criterion_group! generates an undocumented function.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn read(c: &mut Criterion) {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let (gpx_bytes, members) = if benchmarking {
        (25 * 1024 * 1024, 100)
    } else {
        (256 * 1024, 4)
    };
    // Generated once, outside the measurement.
    let gpx = tracks::synthetic::gpx(gpx_bytes, 0);
    let zip = tracks::synthetic::zip_of_gpx(members, 367 * 1024);
    let mut group = c.benchmark_group("tracks");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(gpx.len() as u64));
    group.bench_function(format!("GPX of {} KB", gpx.len() / 1024), |b| {
        b.iter(|| {
            let results = tracks::read("walk.gpx", black_box(&gpx));
            assert!(results[0].outcome.is_ok());
            results
        })
    });
    group.throughput(Throughput::Elements(members as u64));
    group.bench_function(format!("zip of {members} GPX files of 367 KB"), |b| {
        b.iter(|| {
            let results = tracks::read("walks.zip", black_box(&zip));
            assert_eq!(results.len(), members);
            results
        })
    });
    group.finish();
}

criterion_group!(benches, read);
criterion_main!(benches);

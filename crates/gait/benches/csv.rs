//! The CSV reader alone, in MB/s: an hour of the synthetic day as `bench/gait.sh` writes it
//! (100 Hz, acceleration and gyroscope), read from memory into samples; and the number parsers
//! it could use, on the same values: `str::parse::<f64>` (after a UTF-8 check of the bytes),
//! `fast_float2::parse` (from the bytes) and the reader's own. Run as a test (`cargo test`), it reads a minute once.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(missing_docs)] // criterion_group! generates an undocumented function.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gait::csv::{CsvOptions, CsvReader};
use std::hint::black_box;

fn csv(c: &mut Criterion) {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let seconds = if benchmarking { 3600.0 } else { 60.0 };
    let mut text = Vec::new();
    gait::synthetic::write_csv(seconds, &mut text).unwrap();
    let rows = (seconds * 100.0) as usize;
    let options = CsvOptions {
        rate_hz: Some(100.0),
        ..CsvOptions::default()
    };
    let mut group = c.benchmark_group("csv");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    let mb = text.len() as f64 / 1e6;
    group.bench_function(format!("read {seconds:.0} s at 100 Hz ({mb:.1} MB)"), |b| {
        b.iter(|| {
            let reader = CsvReader::new(black_box(&text[..]), options).unwrap();
            let mut n = 0;
            let mut sum = 0.0;
            for s in reader {
                let s = s.unwrap();
                sum += s.acc[0];
                n += 1;
            }
            assert_eq!(n, rows);
            sum
        })
    });
    // The values alone (every field of every row but the header), to compare the parsers.
    let fields: Vec<&[u8]> = text
        .split(|b| *b == b'\n')
        .skip(1)
        .flat_map(|line| line.split(|b| *b == b','))
        .filter(|f| !f.is_empty())
        .collect();
    assert_eq!(fields.len(), rows * 7);
    group.bench_function(format!("{} values, str::parse", fields.len()), |b| {
        b.iter(|| {
            fields
                .iter()
                .map(|f| {
                    std::str::from_utf8(f)
                        .unwrap()
                        .parse::<f64>()
                        .unwrap_or_default()
                })
                .sum::<f64>()
        })
    });
    group.bench_function(
        format!("{} values, fast_float2::parse", fields.len()),
        |b| {
            b.iter(|| {
                fields
                    .iter()
                    .map(|f| fast_float2::parse::<f64, _>(f).unwrap_or_default())
                    .sum::<f64>()
            })
        },
    );
    // The reader's own parser on the fields alone: without the row's following bytes it takes
    // the digits one at a time (eight at a time needs eight bytes to read), so in rows it does
    // better than here.
    group.bench_function(
        format!("{} values, the reader's parser", fields.len()),
        |b| {
            b.iter(|| {
                fields
                    .iter()
                    .map(|f| gait::csv::parse_value(f).unwrap_or_default())
                    .sum::<f64>()
            })
        },
    );
    group.finish();
}

criterion_group!(benches, csv);
criterion_main!(benches);

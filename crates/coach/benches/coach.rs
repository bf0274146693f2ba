//! Benchmarks for the coach: a 52-week plan, and 1,000,000 energy estimates.
//!
//! Run with `cargo bench -p coach`. Figures are reported in the README, not asserted in tests.

// Fixtures from constant, known-good values: a panic here would be a broken benchmark, not bad input.
#![allow(clippy::expect_used)]
// criterion_group! generates a public function without documentation.
#![allow(missing_docs)]
use coach::energy::{Direction, Edition, EnergyBasis, Surface, Walk, estimate, kcal, met};
use coach::measure::{ActivityDuration, BodyMass, Grade, Speed};
use coach::plan::{DaysPerWeek, Level, PlanRequest, Setting, Units, Weeks, build_plan};
use coach::protocol::Goal;
use coach::screening::Clearance;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn year_plan(c: &mut Criterion) {
    let request = PlanRequest {
        goal: Goal::Fitness,
        clearance: Clearance::Cleared,
        precautions: vec![],
        setting: Setting::Treadmill,
        level: Level::New,
        days_per_week: DaysPerWeek::new(7).expect("7 is a valid day count"),
        weeks: Weeks::new(52).expect("52 is a valid week count"),
        start: jiff::civil::date(2027, 1, 4),
        forward_speed: Speed::from_mph(3.0).ok(),
        protocol: coach::protocol::protocol("build-up-5-to-30"),
        units: Units::Imperial,
        clinician_assigned: false,
        schedule: coach::schedule::Schedule::default(),
    };
    c.bench_function("plan: 52 weeks, 7 days a week, treadmill", |b| {
        b.iter(|| build_plan(black_box(&request)))
    });
}

fn million_estimates(c: &mut Criterion) {
    // A spread of walks so that every branch (codes, bands, ACSM, backward model) is exercised.
    let walks: Vec<Walk> = (0..1000)
        .map(|i| Walk {
            direction: if i % 2 == 0 {
                Direction::Forward
            } else {
                Direction::Backward
            },
            speed: Speed::from_mph(0.5 + f64::from(i % 50) * 0.1).expect("0.5-5.4 mph"),
            grade: Grade::from_percent(f64::from(i % 11)).expect("0-10%"),
            surface: if i % 3 == 0 {
                Surface::Treadmill
            } else {
                Surface::Ground
            },
        })
        .collect();
    let mass = BodyMass::from_kg(70.0).expect("70 kg");
    let duration = ActivityDuration::from_seconds(600).expect("10 min");
    let mut group = c.benchmark_group("energy");
    group.throughput(Throughput::Elements(1_000_000));
    group.sample_size(10);
    group.bench_function("1,000,000 estimates", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for _ in 0..1000 {
                for w in &walks {
                    total += estimate(
                        black_box(w),
                        duration,
                        mass,
                        Edition::Y2024,
                        EnergyBasis::Gross,
                    )
                    .kcal;
                }
            }
            total
        })
    });
    group.bench_function("1,000,000 MET lookups + kcal (no text)", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for _ in 0..1000 {
                for w in &walks {
                    let m = met(black_box(w), Edition::Y2024).met;
                    total += kcal(m, mass, duration, EnergyBasis::Gross);
                }
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, year_plan, million_estimates);
criterion_main!(benches);

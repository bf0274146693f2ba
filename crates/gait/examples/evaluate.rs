//! Accuracy of `gait` on the real recordings in `../shared/data/motion` (or a folder given as the
//! first argument): steps against the lab's reference initial contacts (total and per reference
//! bout), the phone recordings against their ground-truth step counts per placement, the CWA
//! file with 610 hand-counted steps, and direction on forward recordings and their time-reversed
//! copies.
//!
//!     cargo run --release -p gait --example evaluate [-- MOTION_DIR]

#![allow(clippy::unwrap_used, clippy::expect_used)] // An evaluation script: fail loudly.

use gait::csv::{CsvOptions, CsvReader};
use gait::{Analysis, Direction, Options, Placement, Sample, analyze};
use std::path::{Path, PathBuf};

fn reversed(samples: &[Sample]) -> Vec<Sample> {
    let end = samples.last().map_or(0.0, |s| s.t);
    samples
        .iter()
        .rev()
        .map(|s| Sample {
            t: end - s.t,
            acc: s.acc,
            // Angular velocity flips sign when time runs backward.
            gyr: s.gyr.map(|g| [-g[0], -g[1], -g[2]]),
        })
        .collect()
}

fn read_lab(path: &Path) -> Vec<Sample> {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    CsvReader::new(
        file,
        CsvOptions {
            rate_hz: Some(100.0),
            ..CsvOptions::default()
        },
    )
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The recording app's layout: ns timestamp, acc x y z (m/s²), app steps, true steps, hw steps.
fn read_phone(path: &Path) -> (Vec<Sample>, i64) {
    let text = std::fs::read_to_string(path).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect();
    let t0 = rows[0][0];
    let truth = (rows.last().unwrap()[5] - rows[0][5]) as i64;
    let samples = rows
        .iter()
        .filter(|r| r[1] != 0.0 || r[2] != 0.0 || r[3] != 0.0)
        .map(|r| Sample {
            t: (r[0] - t0) / 1e9,
            acc: [r[1], r[2], r[3]],
            gyr: None,
        })
        .collect();
    (samples, truth)
}

fn csv_column(path: &Path, name: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == name).unwrap();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').nth(i).unwrap().parse().unwrap())
        .collect()
}

/// Bouts read right, of all bouts, in forward recordings and in their time-reversed copies.
#[derive(Default)]
struct DirectionTally {
    forward: (usize, usize),
    backward: (usize, usize),
}

impl DirectionTally {
    /// Counts a recording and its reversed copy; returns the line that reports them.
    fn add(&mut self, forward: &Analysis, reversed: &Analysis) -> String {
        let (f_ok, f_n) = direction_share(forward, Direction::Forward);
        let (b_ok, b_n) = direction_share(reversed, Direction::Backward);
        self.forward = (self.forward.0 + f_ok, self.forward.1 + f_n);
        self.backward = (self.backward.0 + b_ok, self.backward.1 + b_n);
        format!("direction fwd {f_ok}/{f_n} reversed {b_ok}/{b_n}")
    }
}

fn direction_share(a: &Analysis, want: Direction) -> (usize, usize) {
    let right = a.bouts.iter().filter(|b| b.direction == want).count();
    (right, a.bouts.len())
}

/// The product's case: a session whose first 40% is walked forward (the warm-up, used to
/// calibrate) and whose rest, after a 5 s break in the recording (so that a bout cannot span
/// both), is either walked forward or, as a proxy for backward walking, the same rest reversed
/// in time. Returns (right, bouts) over the bouts after the warm-up.
fn calibrated_direction(samples: &[Sample]) -> ((usize, usize), (usize, usize)) {
    const BREAK_S: f64 = 5.0;
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
        return ((0, 0), (0, 0));
    };
    let split = first.t + 0.4 * (last.t - first.t);
    let warm_up: Vec<Sample> = samples.iter().copied().filter(|s| s.t < split).collect();
    let rest: Vec<Sample> = samples
        .iter()
        .filter(|s| s.t >= split)
        .map(|s| Sample {
            t: s.t + BREAK_S,
            ..*s
        })
        .collect();
    let mut backward_rest = reversed(&rest);
    for s in &mut backward_rest {
        s.t += split + BREAK_S;
    }
    let options = Options {
        forward_segment: Some((0.0, split - first.t)),
        ..Options::default()
    };
    // Bout times count from the first sample.
    let rest_start = split - first.t + BREAK_S;
    let count = |session: Vec<Sample>, want: Direction| {
        let a = analyze(session, options.clone());
        let after: Vec<_> = a.bouts.iter().filter(|b| b.start_s >= rest_start).collect();
        (
            after.iter().filter(|b| b.direction == want).count(),
            after.len(),
        )
    };
    let forward = count(
        warm_up
            .iter()
            .copied()
            .chain(rest.iter().copied())
            .collect(),
        Direction::Forward,
    );
    let backward = count(
        warm_up.into_iter().chain(backward_rest).collect(),
        Direction::Backward,
    );
    (forward, backward)
}

fn main() {
    let dir: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/motion")
        });
    let mut uncalibrated = DirectionTally::default();
    let mut calibrated = [0usize; 4];
    let mut tally = |(f, b): ((usize, usize), (usize, usize))| {
        calibrated[0] += f.0;
        calibrated[1] += f.1;
        calibrated[2] += b.0;
        calibrated[3] += b.1;
    };

    println!("== lab: lower back, 100 Hz, reference initial contacts (INDIP)");
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir.join("lab"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".imu.csv"))
        .collect();
    names.sort();
    let (mut ref_total, mut our_total, mut our_all) = (0usize, 0usize, 0usize);
    let mut apes = Vec::new();
    for imu in &names {
        let stem = imu
            .to_string_lossy()
            .trim_end_matches(".imu.csv")
            .to_string();
        let samples = read_lab(imu);
        let a = analyze(
            samples.iter().copied(),
            Options {
                placement: Some(Placement::LowerBack),
                keep_contacts: true,
                ..Options::default()
            },
        );
        let ics = csv_column(Path::new(&format!("{stem}.ref_ic.csv")), "ic");
        let starts = csv_column(Path::new(&format!("{stem}.ref_wb.csv")), "start");
        let ends = csv_column(Path::new(&format!("{stem}.ref_wb.csv")), "end");
        let ours: Vec<f64> = a.bouts.iter().flat_map(|b| b.contacts.clone()).collect();
        let mut in_bouts = 0;
        for (s, e) in starts.iter().zip(&ends) {
            // Reference bouts in samples at 100 Hz; ours in seconds. A step's contact may fall
            // a little before the reference bout's first contact: allow half a step.
            let (s, e) = (s / 100.0 - 0.25, e / 100.0 + 0.25);
            let reference = ics
                .iter()
                .filter(|i| **i / 100.0 >= s && **i / 100.0 <= e)
                .count();
            let found = ours.iter().filter(|t| **t >= s && **t <= e).count();
            in_bouts += found;
            if std::env::var_os("VERBOSE").is_some() {
                println!("   bout {s:.2}-{e:.2}: reference {reference} found {found}");
            }
            if reference > 0 {
                apes.push((found as f64 - reference as f64).abs() / reference as f64);
            }
        }
        ref_total += ics.len();
        our_total += in_bouts;
        our_all += ours.len();
        let rev = analyze(reversed(&samples), Options::default());
        let fwd = analyze(samples.iter().copied(), Options::default());
        if imu.to_string_lossy().contains("Test11") {
            tally(calibrated_direction(&samples));
        }
        let shares = uncalibrated.add(&fwd, &rev);
        println!(
            "{:28} reference {:3}  ours in reference bouts {:3}  ours anywhere {:3}  {shares}  skew {:?}",
            imu.file_name().unwrap().to_string_lossy(),
            ics.len(),
            in_bouts,
            ours.len(),
            fwd.bouts
                .iter()
                .map(|b| (b.asymmetry * 100.0).round() / 100.0)
                .collect::<Vec<_>>()
        );
    }
    let mape = 100.0 * apes.iter().sum::<f64>() / apes.len().max(1) as f64;
    println!(
        "total: reference {ref_total}, ours in reference bouts {our_total} ({:+.1}%), ours anywhere {our_all} ({:+.1}%); per-bout MAPE {mape:.1}% over {} bouts",
        100.0 * (our_total as f64 - ref_total as f64) / ref_total as f64,
        100.0 * (our_all as f64 - ref_total as f64) / ref_total as f64,
        apes.len()
    );

    println!("\n== phone: Samsung S6, ~100 Hz, ground-truth step counts");
    let mut phones: Vec<PathBuf> = std::fs::read_dir(dir.join("phone"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    phones.sort();
    for path in &phones {
        let (samples, truth) = read_phone(path);
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let placement = ["hand", "pocket", "bag", "armband"]
            .iter()
            .find(|p| name.contains(*p))
            .and_then(|p| p.parse::<Placement>().ok());
        let without = analyze(samples.iter().copied(), Options::default());
        let with = analyze(
            samples.iter().copied(),
            Options {
                placement,
                ..Options::default()
            },
        );
        let rev = analyze(reversed(&samples), Options::default());
        tally(calibrated_direction(&samples));
        let shares = uncalibrated.add(&without, &rev);
        println!(
            "{:40} truth {truth:4}  without placement {:4} ({:+.1}%)  with {:?} {:4} ({:+.1}%)  {shares} skew {:?}",
            name,
            without.total_steps,
            100.0 * (without.total_steps as f64 - truth as f64) / truth as f64,
            placement.map(Placement::as_str),
            with.total_steps,
            100.0 * (with.total_steps as f64 - truth as f64) / truth as f64,
            without
                .bouts
                .iter()
                .map(|b| (b.asymmetry * 100.0).round() / 100.0)
                .collect::<Vec<_>>()
        );
    }

    let cwa = dir.join("cwa/example-610-steps.cwa");
    if let Ok(bytes) = std::fs::read(&cwa) {
        println!("\n== cwa: AX3, 610 steps counted by hand");
        let read = gait::cwa::read(&bytes).unwrap();
        let a = analyze(read.samples.iter().copied(), Options::default());
        let rev = analyze(reversed(&read.samples), Options::default());
        tally(calibrated_direction(&read.samples));
        let shares = uncalibrated.add(&a, &rev);
        println!(
            "example-610-steps.cwa: {} samples, {} sectors skipped; steps {} ({:+.1}%), {} bouts  {shares}",
            read.samples.len(),
            read.skipped_sectors,
            a.total_steps,
            100.0 * (a.total_steps as f64 - 610.0) / 610.0,
            a.bouts.len()
        );
    }
    println!(
        "\n== direction, uncalibrated: forward recordings read forward in {}/{} bouts ({:.0}%), reversed copies read backward in {}/{} ({:.0}%)",
        uncalibrated.forward.0,
        uncalibrated.forward.1,
        100.0 * uncalibrated.forward.0 as f64 / uncalibrated.forward.1.max(1) as f64,
        uncalibrated.backward.0,
        uncalibrated.backward.1,
        100.0 * uncalibrated.backward.0 as f64 / uncalibrated.backward.1.max(1) as f64
    );
    println!(
        "== direction, calibrated on a forward warm-up (first 40%): forward {}/{} bouts ({:.0}%), reversed rest backward {}/{} ({:.0}%)",
        calibrated[0],
        calibrated[1],
        100.0 * calibrated[0] as f64 / calibrated[1].max(1) as f64,
        calibrated[2],
        calibrated[3],
        100.0 * calibrated[2] as f64 / calibrated[3].max(1) as f64
    );
}

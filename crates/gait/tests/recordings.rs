//! Real recordings from `testdata/motion` (provenance and licences in `testdata/README.md`):
//! CWA files decode to their known sample counts with damaged sectors skipped, phone steps
//! match the ground truth, lab steps match the reference system, and one person's real backward
//! walking (motion capture, virtual sensors) reads backward against their forward warm-up.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use gait::csv::{AccUnit, CsvOptions, CsvReader, GyroUnit};
use gait::{Basis, Direction, Options, Placement, Sample, analyze};
use std::path::{Path, PathBuf};

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/motion")
        .join(path)
}

fn find(folder: &str, prefix: &str) -> PathBuf {
    std::fs::read_dir(data(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap()
}

/// The recording app's layout: ns timestamp, acc x y z, app steps, true steps, hw steps.
fn phone(prefix: &str) -> (Vec<Sample>, f64) {
    let text = std::fs::read_to_string(find("phone", prefix)).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect();
    let truth = rows.last().unwrap()[5] - rows[0][5];
    let samples = rows
        .iter()
        .filter(|r| r[1..4].iter().any(|v| *v != 0.0))
        .map(|r| Sample {
            t: (r[0] - rows[0][0]) / 1e9,
            acc: [r[1], r[2], r[3]],
            gyr: None,
        })
        .collect();
    (samples, truth)
}

#[test]
fn cwa_files_decode_and_damaged_sectors_are_skipped_and_counted() {
    for (name, samples, skipped) in [
        ("ax3_testfile.cwa", 17_400, 0),
        ("ax6_testfile.cwa", 11_320, 0),
        (
            "ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa",
            16_680,
            6,
        ),
        ("example-610-steps.cwa", 71_400, 0),
    ] {
        let r = gait::cwa::read(&std::fs::read(data("cwa").join(name)).unwrap()).unwrap();
        assert_eq!(r.samples.len(), samples, "{name}");
        assert_eq!(r.skipped_sectors, skipped, "{name}");
        assert_eq!(r.rate_hz, 100.0, "{name}");
        // Gravity is there: the median magnitude is about 1 g (the test files are shaken hard,
        // so the mean is not).
        let mut magnitudes: Vec<f64> = r
            .samples
            .iter()
            .map(|s| (s.acc[0].powi(2) + s.acc[1].powi(2) + s.acc[2].powi(2)).sqrt())
            .collect();
        magnitudes.sort_by(f64::total_cmp);
        let median = magnitudes[magnitudes.len() / 2];
        assert!(
            (median - gait::G).abs() < 0.2 * gait::G,
            "{name}: median |a| {median}"
        );
        assert!(
            r.samples.windows(2).all(|w| w[1].t > w[0].t),
            "{name}: times increase"
        );
    }
    let ax6 = gait::cwa::read(&std::fs::read(data("cwa/ax6_testfile.cwa")).unwrap()).unwrap();
    assert_eq!(ax6.device, "AX6");
    assert!(ax6.samples[0].gyr.is_some());
}

#[test]
fn the_geneactiv_test_file_reads_with_its_calibration_and_times() {
    // Figures from GGIRread's own test of this file: 85.7 Hz, 222,048 pages announced, the first
    // page's 300th z value -0.80836 g, the first page at 2013-05-30 10:12:54.500 (GMT+1).
    let bytes = std::fs::read(data("cwa/GENEActiv_testfile.bin")).unwrap();
    let r = gait::geneactiv::read(&bytes).unwrap();
    assert_eq!(r.rate_hz, 85.7);
    assert_eq!(r.pages_announced, 222_048);
    assert_eq!(r.skipped_pages, 0);
    assert!(r.truncated, "the test file is cut inside a page");
    assert!(r.samples.len() >= 300 * 10, "{} samples", r.samples.len());
    assert!((r.samples[299].acc[2] / gait::G - (-0.808_364)).abs() < 1e-5);
    assert_eq!(r.samples[0].t, 1_369_905_174.5);
    assert!((r.samples[1].t - r.samples[0].t - 1.0 / 85.7).abs() < 1e-6);
    assert!(r.samples.windows(2).all(|w| w[1].t > w[0].t));
}

#[test]
fn phone_steps_are_within_two_percent_of_the_ground_truth() {
    for prefix in ["user1_hand", "user1_frontpocket"] {
        let (samples, truth) = phone(prefix);
        let found = analyze(samples, Options::default()).total_steps as f64;
        let error = (found - truth) / truth;
        assert!(
            error.abs() <= 0.02,
            "{prefix}: {found} steps, truth {truth}"
        );
    }
}

#[test]
fn lab_steps_match_the_reference_within_its_bouts() {
    let imu = data("lab/HA-001-Test11-Trial1.imu.csv");
    let reader = CsvReader::new(
        std::io::BufReader::new(std::fs::File::open(imu).unwrap()),
        CsvOptions {
            rate_hz: Some(100.0),
            ..CsvOptions::default()
        },
    )
    .unwrap();
    let samples: Vec<Sample> = reader.map(Result::unwrap).collect();
    let a = analyze(
        samples,
        Options {
            placement: Some(Placement::LowerBack),
            keep_contacts: true,
            ..Options::default()
        },
    );
    let column = |file: &str, name: &str| -> Vec<f64> {
        let text = std::fs::read_to_string(data(file)).unwrap();
        let mut lines = text.lines();
        let i = lines
            .next()
            .unwrap()
            .split(',')
            .position(|h| h == name)
            .unwrap();
        lines
            .map(|l| l.split(',').nth(i).unwrap().parse().unwrap())
            .collect()
    };
    let reference = column("lab/HA-001-Test11-Trial1.ref_ic.csv", "ic").len() as f64;
    let starts = column("lab/HA-001-Test11-Trial1.ref_wb.csv", "start");
    let ends = column("lab/HA-001-Test11-Trial1.ref_wb.csv", "end");
    let ours = a
        .bouts
        .iter()
        .flat_map(|b| &b.contacts)
        .filter(|t| {
            starts
                .iter()
                .zip(&ends)
                .any(|(s, e)| **t >= s / 100.0 - 0.25 && **t <= e / 100.0 + 0.25)
        })
        .count() as f64;
    assert!(
        ((ours - reference) / reference).abs() <= 0.05,
        "{ours} steps in the reference bouts, reference {reference}"
    );
}

/// A motion-capture trial's virtual sensor (time_s, acc m/s², gyr deg/s), without the first and
/// last 0.08 s, which carry the derivation's filter edges (see its README).
fn mocap(placement: &str) -> Vec<Sample> {
    let path = data(&format!("backward-mocap/09_12_{placement}.csv"));
    let reader = CsvReader::new(
        std::io::BufReader::new(std::fs::File::open(path).unwrap()),
        CsvOptions {
            acc_unit: Some(AccUnit::MetersPerSecond2),
            gyro_unit: Some(GyroUnit::DegreesPerSecond),
            ..CsvOptions::default()
        },
    )
    .unwrap();
    let samples: Vec<Sample> = reader.map(Result::unwrap).collect();
    samples[8..samples.len() - 8].to_vec()
}

/// 09_12 walks forward for 7.25 s (with a U-turn), then backward from 7.66 s to the end (with a
/// sideways stretch from 9.9 to 11.7 s).
fn read_09_12(placement: Placement, file: &str, forward_until: Option<f64>) -> gait::Analysis {
    analyze(
        mocap(file),
        Options {
            placement: Some(placement),
            forward_segment: forward_until.map(|s| (0.0, s)),
            keep_contacts: false,
        },
    )
}

#[test]
fn real_backward_walking_reads_backward_against_the_forward_warm_up() {
    for (placement, file) in [
        (Placement::Foot, "right_foot"),
        (Placement::LowerBack, "lower_back"),
        (Placement::Pocket, "right_pocket"),
    ] {
        let a = read_09_12(placement, file, Some(7.25));
        assert!(a.calibrated, "{file}: {}", a.direction_note);
        let after: Vec<&gait::Bout> = a
            .bouts
            .iter()
            .filter(|b| b.basis == Basis::Motion)
            .collect();
        assert!(!after.is_empty(), "{file}: {:#?}", a.bouts);
        // None reads forward; a stretch too short to tell (two strides) is unknown; the
        // longest reads backward with confidence.
        for b in &after {
            assert!(b.start_s > 7.25, "{file}: {b:?}");
            assert_ne!(b.direction, Direction::Forward, "{file}: {b:?}");
        }
        let longest = after
            .iter()
            .max_by(|x, y| (x.end_s - x.start_s).total_cmp(&(y.end_s - y.start_s)))
            .unwrap();
        assert_eq!(
            longest.direction,
            Direction::Backward,
            "{file}: {longest:?}"
        );
        assert!(longest.confidence >= 0.8, "{file}: {longest:?}");
    }
}

#[test]
fn without_a_forward_stretch_or_from_the_wrist_the_direction_is_unknown() {
    let a = read_09_12(Placement::LowerBack, "lower_back", None);
    assert!(!a.bouts.is_empty());
    assert!(a.bouts.iter().all(|b| b.direction == Direction::Unknown));
    let wrist = read_09_12(Placement::Wrist, "left_wrist", Some(7.25));
    assert!(
        wrist
            .bouts
            .iter()
            .all(|b| b.basis == Basis::Given || b.direction == Direction::Unknown),
        "{:#?}",
        wrist.bouts
    );
}

#[test]
fn a_foot_sensor_counts_two_steps_per_stride_of_its_foot() {
    // 27 initial contacts of both feet in the trial (14 left, 13 right); the sideways stretch
    // (9.9-11.7 s) is not straight walking, and a stride there may be missed.
    let a = read_09_12(Placement::Foot, "right_foot", None);
    assert!(a.bouts.iter().all(|b| b.two_steps_per_stride));
    let steps = a.total_steps as f64;
    assert!(
        (22.0..=28.0).contains(&steps),
        "{steps} steps: {:#?}",
        a.bouts
    );
    // Noise and a gyroscope bias, as a real sensor has, change nothing material.
    let noisy: Vec<Sample> = mocap("right_foot")
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let wobble = ((i * 7919) % 13) as f64 / 13.0 - 0.5;
            Sample {
                acc: s.acc.map(|a| a + 0.1 * wobble),
                gyr: s.gyr.map(|g| g.map(|v| v + 0.5 + 2.0 * wobble)),
                ..s
            }
        })
        .collect();
    let b = analyze(
        noisy,
        Options {
            placement: Some(Placement::Foot),
            forward_segment: Some((0.0, 7.25)),
            keep_contacts: false,
        },
    );
    assert!((b.total_steps as f64 - steps).abs() <= 2.0);
    // A missing rotation now and then (phones drop one) and a corrupt, absurd value do not
    // switch the foot's method off.
    let patchy: Vec<Sample> = mocap("right_foot")
        .into_iter()
        .enumerate()
        .map(|(i, s)| match i % 300 {
            17 => Sample { gyr: None, ..s },
            151 => Sample {
                acc: [1e200, 0.0, 0.0],
                ..s
            },
            _ => s,
        })
        .collect();
    let c = analyze(
        patchy,
        Options {
            placement: Some(Placement::Foot),
            forward_segment: Some((0.0, 7.25)),
            keep_contacts: false,
        },
    );
    assert!(c.calibrated, "{}", c.direction_note);
    assert!(
        c.bouts
            .iter()
            .all(|x| x.two_steps_per_stride && x.confidence.is_finite())
    );
    assert!(c.bouts.iter().any(|x| x.direction == Direction::Backward));
    let read: Vec<Direction> = b
        .bouts
        .iter()
        .filter(|x| x.basis == Basis::Motion)
        .map(|x| x.direction)
        .collect();
    assert!(read.contains(&Direction::Backward), "{read:?}");
    assert!(!read.contains(&Direction::Forward), "{read:?}");
}

#[test]
fn the_leg_worn_cwa_counts_its_610_hand_counted_steps_within_three_percent() {
    // Its sensor shows one clear impact per stride: the bout's rhythm doubles the count.
    let read = gait::cwa::read(&std::fs::read(data("cwa/example-610-steps.cwa")).unwrap()).unwrap();
    let a = analyze(read.samples, Options::default());
    let error = (a.total_steps as f64 - 610.0) / 610.0;
    assert!(error.abs() <= 0.03, "{} steps", a.total_steps);
    // The movements between the walks have no rhythm and are not bouts.
    assert!(
        a.bouts.iter().all(|b| b.cadence_spm > 100.0),
        "{:?}",
        a.bouts
    );
    // Placement unknown, no forward stretch marked: the direction is not claimed.
    assert!(a.bouts.iter().all(|b| b.direction == Direction::Unknown));
}

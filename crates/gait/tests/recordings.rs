//! Real recordings from `testdata/motion` (provenance and licences in `testdata/README.md`):
//! CWA files decode to their known sample counts with damaged sectors skipped, phone steps
//! match the ground truth, lab steps match the reference system, and a long walk reads
//! forward while its time-reversed copy reads backward.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use gait::csv::{CsvOptions, CsvReader};
use gait::{Direction, Options, Placement, Sample, analyze};
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

#[test]
fn a_long_walk_reads_forward_and_its_time_reversed_copy_backward() {
    let (samples, _) = phone("user1_hand");
    let end = samples.last().unwrap().t;
    let reversed: Vec<Sample> = samples
        .iter()
        .rev()
        .map(|s| Sample { t: end - s.t, ..*s })
        .collect();
    let forward = analyze(samples, Options::default());
    let backward = analyze(reversed, Options::default());
    assert!(
        forward
            .bouts
            .iter()
            .all(|b| b.direction == Direction::Forward)
    );
    assert!(
        backward
            .bouts
            .iter()
            .all(|b| b.direction == Direction::Backward)
    );
    // Reversal flips the direction, not the confidence; a typical forward bout scores about 1,
    // and this one more.
    assert!(forward.bouts[0].confidence > 0.85, "{:?}", forward.bouts[0]);
    assert!((forward.bouts[0].confidence - backward.bouts[0].confidence).abs() < 0.05);
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
    assert!(a.bouts.iter().all(|b| b.direction == Direction::Forward));
}

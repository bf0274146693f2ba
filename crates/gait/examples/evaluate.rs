//! Accuracy of `gait` on the real recordings in `../shared/data/motion` (or a folder given as the
//! first argument), per data set and placement:
//!
//! - steps against the references: the lab's initial contacts (total and per reference bout),
//!   the phone recordings' ground-truth counts, the CWA file's 610 hand-counted steps, and the
//!   motion-capture trials' foot contacts;
//! - direction, with and without a known forward stretch: stretches right (of those answered),
//!   the share answered `unknown`, the share confidently wrong (confidence 0.8 or more, and
//!   wrong), and a reliability table (confidence bins against the share right). The systematic
//!   spread `tau` of the confidence model is fitted by leave-one-person-out cross-validation:
//!   each person's stretches are scored with the `tau` fitted on everyone else's, and the table
//!   is of those held-out predictions.
//!
//! Real backward walking exists here only in the motion-capture trial 09_12 (one person,
//! virtual sensors); the other sets are forward walking. Time-reversed copies are not used:
//! walking backward is not forward walking played backwards.
//!
//!     cargo run --release -p gait --example evaluate [-- MOTION_DIR]

#![allow(clippy::unwrap_used, clippy::expect_used)] // An evaluation script: fail loudly.

use gait::csv::{AccUnit, CsvOptions, CsvReader, GyroUnit};
use gait::direction::{probability_forward, spread_with};
use gait::{Analysis, Basis, Direction, Options, Placement, Sample, analyze};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn read_csv(path: &Path, rate: Option<f64>) -> Vec<Sample> {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    CsvReader::new(
        file,
        CsvOptions {
            rate_hz: rate,
            acc_unit: Some(AccUnit::MetersPerSecond2),
            gyro_unit: Some(GyroUnit::DegreesPerSecond),
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

/// Sensor noise and a gyroscope bias, as a real device adds them (the motion-capture sensors
/// have none): white noise of 0.05 m/s² and 1 deg/s, a bias of 0.5 deg/s per axis.
fn with_noise(samples: &[Sample], seed: u64) -> Vec<Sample> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut noise = move || {
        // Sum of uniforms: roughly normal, unit variance.
        (0..12)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 11) as f64 / (1u64 << 53) as f64
            })
            .sum::<f64>()
            - 6.0
    };
    samples
        .iter()
        .map(|s| Sample {
            t: s.t,
            acc: s.acc.map(|a| a + 0.05 * noise()),
            gyr: s.gyr.map(|g| g.map(|v| v + 0.5 + noise())),
        })
        .collect()
}

/// A lab recording with its reference initial contacts and bouts (seconds).
struct LabRecording {
    name: String,
    person: String,
    samples: Vec<Sample>,
    contacts: Vec<f64>,
    bouts: Vec<(f64, f64)>,
}

impl LabRecording {
    /// With a step tuning: reference contacts in the reference bouts, ours in them, each
    /// bout's absolute relative error, and ours anywhere.
    fn count(&self, tuning: gait::StepTuning) -> (usize, usize, Vec<f64>, usize) {
        let mut analyzer = gait::Analyzer::with_step_tuning(
            Options {
                placement: Some(Placement::LowerBack),
                keep_contacts: true,
                ..Options::default()
            },
            tuning,
        );
        for s in &self.samples {
            analyzer.push(s);
        }
        let ours: Vec<f64> = analyzer
            .finish()
            .bouts
            .iter()
            .flat_map(|b| b.contacts.clone())
            .collect();
        let (mut reference, mut found, mut errors) = (0, 0, Vec::new());
        for (s, e) in &self.bouts {
            // A step's contact may fall a little before the reference bout's first contact:
            // allow half a step.
            let (s, e) = (s - 0.25, e + 0.25);
            let r = self
                .contacts
                .iter()
                .filter(|t| **t >= s && **t <= e)
                .count();
            let f = ours.iter().filter(|t| **t >= s && **t <= e).count();
            found += f;
            if r > 0 {
                errors.push((f as f64 - r as f64).abs() / r as f64);
            }
        }
        reference += self.contacts.len();
        (reference, found, errors, ours.len())
    }
}

/// Reference contacts, ours in the reference bouts, and each bout's relative error, summed over
/// recordings.
fn tally<'a>(
    recordings: impl Iterator<Item = &'a LabRecording>,
    tuning: gait::StepTuning,
) -> (usize, usize, Vec<f64>) {
    let (mut reference, mut found, mut errors) = (0, 0, Vec::new());
    for rec in recordings {
        let (a, b, e, _) = rec.count(tuning);
        reference += a;
        found += b;
        errors.extend(e);
    }
    (reference, found, errors)
}

/// One stretch the analysis read, with what is known of it.
struct Scored {
    set: String,
    placement: String,
    person: String,
    calibrated: bool,
    truth: Direction,
    /// The evidence, to recompute the confidence with another `tau`.
    evidence: Option<gait::direction::Evidence>,
}

#[derive(Default)]
struct Collector {
    scored: Vec<Scored>,
}

impl Collector {
    /// Every stretch read from the motion (given stretches are not scored), with its truth
    /// from `truth(start, end)`; `None` skips it (not straight walking).
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        set: &str,
        placement: &str,
        person: &str,
        calibrated: bool,
        analysis: &Analysis,
        truth: impl Fn(f64, f64) -> Option<Direction>,
    ) {
        for b in &analysis.bouts {
            if b.basis == Basis::Given {
                continue;
            }
            let Some(want) = truth(b.start_s, b.end_s) else {
                continue;
            };
            self.scored.push(Scored {
                set: set.into(),
                placement: placement.into(),
                person: person.into(),
                calibrated,
                truth: want,
                evidence: b.evidence.clone(),
            });
        }
    }
}

/// Direction and confidence of a stretch with a given `tau`.
fn answer(s: &Scored, tau: f64) -> (Direction, f64) {
    s.evidence
        .as_ref()
        .map_or((Direction::Unknown, 0.5), |e| e.answer(tau))
}

/// Mean log-loss of the truth over stretches with evidence, for `tau`.
fn log_loss(stretches: &[&Scored], tau: f64) -> f64 {
    let mut sum = 0.0;
    let mut n = 0.0;
    for s in stretches {
        let Some(e) = &s.evidence else {
            continue;
        };
        let cap = match e.feature {
            gait::direction::Feature::FootStrides => gait::direction::FOOT_CAP,
            gait::direction::Feature::Coupling => gait::direction::COUPLING_CAP,
        };
        let p = probability_forward(e.score, spread_with(e.noise, tau)).clamp(1.0 - cap, cap);
        let p_truth = if s.truth == Direction::Forward {
            p
        } else {
            1.0 - p
        };
        sum -= p_truth.ln();
        n += 1.0;
    }
    if n == 0.0 { 0.0 } else { sum / n }
}

const TAUS: [f64; 12] = [
    0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.8, 1.0,
];

fn main() {
    let dir: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/motion")
        });
    let mut collector = Collector::default();
    let forward = |_: f64, _: f64| Some(Direction::Forward);
    // Both ways: without a known forward stretch, and with its first 40% known forward.
    let both = |samples: &[Sample], placement: Option<Placement>| {
        let duration = samples.last().map_or(0.0, |s| s.t) - samples.first().map_or(0.0, |s| s.t);
        let plain = analyze(
            samples.iter().copied(),
            Options {
                placement,
                keep_contacts: true,
                ..Options::default()
            },
        );
        let calibrated = analyze(
            samples.iter().copied(),
            Options {
                placement,
                forward_segment: Some((0.0, 0.4 * duration)),
                keep_contacts: true,
            },
        );
        (plain, calibrated)
    };

    println!("== steps");
    println!("\n-- lab: lower back, 100 Hz, reference initial contacts (INDIP), 3 people");
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir.join("lab"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".imu.csv"))
        .collect();
    names.sort();
    let mut lab: Vec<LabRecording> = Vec::new();
    for imu in &names {
        let stem = imu
            .to_string_lossy()
            .trim_end_matches(".imu.csv")
            .to_string();
        let name = imu.file_name().unwrap().to_string_lossy().to_string();
        let person = name.split('-').take(2).collect::<Vec<_>>().join("-");
        let samples = read_csv(imu, Some(100.0));
        let (plain, calibrated) = both(&samples, Some(Placement::LowerBack));
        collector.add("lab", "lower-back", &person, false, &plain, forward);
        collector.add("lab", "lower-back", &person, true, &calibrated, forward);
        let ics = csv_column(Path::new(&format!("{stem}.ref_ic.csv")), "ic");
        let starts = csv_column(Path::new(&format!("{stem}.ref_wb.csv")), "start");
        let ends = csv_column(Path::new(&format!("{stem}.ref_wb.csv")), "end");
        lab.push(LabRecording {
            name,
            person,
            samples,
            contacts: ics.iter().map(|i| i / 100.0).collect(),
            bouts: starts
                .iter()
                .zip(&ends)
                .map(|(s, e)| (s / 100.0, e / 100.0))
                .collect(),
        });
    }
    let product = gait::StepTuning::for_placement(Some(Placement::LowerBack));
    let mut reference = 0;
    let mut found = 0;
    let mut errors = Vec::new();
    for r in &lab {
        let (n_ref, n_found, e, anywhere) = r.count(product);
        println!(
            "{:28} reference {n_ref:3}  ours in reference bouts {n_found:3}  ours anywhere {anywhere:3}",
            r.name
        );
        reference += n_ref;
        found += n_found;
        errors.extend(e);
    }
    println!(
        "product's constants (threshold {:.2} of the running RMS, low-pass {:.1} Hz), chosen on these same recordings: total {reference} reference, {found} found ({:+.1}%), per-bout MAPE {:.1}% over {} bouts",
        product.relative_threshold,
        product.low_pass_hz,
        100.0 * (found as f64 - reference as f64) / reference.max(1) as f64,
        100.0 * errors.iter().sum::<f64>() / errors.len().max(1) as f64,
        errors.len()
    );
    // Leave one person out: tune both constants on the other two people, count the third.
    let grid: Vec<gait::StepTuning> = [0.4, 0.5, 0.6, 0.7, 0.8]
        .into_iter()
        .flat_map(|t| {
            [2.0, 2.5, 3.0, 3.5].map(|hz| gait::StepTuning {
                relative_threshold: t,
                low_pass_hz: hz,
            })
        })
        .collect();
    let mut lab_people: Vec<String> = lab.iter().map(|r| r.person.clone()).collect();
    lab_people.dedup();
    let (mut held_ref, mut held_found, mut held_errors) = (0, 0, Vec::new());
    for person in &lab_people {
        // Total error and mean per-bout error on the other two people.
        let objective = |tuning: gait::StepTuning| {
            let (r, f, e) = tally(lab.iter().filter(|x| &x.person != person), tuning);
            (f as f64 - r as f64).abs() / r.max(1) as f64
                + e.iter().sum::<f64>() / e.len().max(1) as f64
        };
        let best = grid
            .iter()
            .map(|t| (objective(*t), *t))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap()
            .1;
        let (r, f, e) = tally(lab.iter().filter(|x| &x.person == person), best);
        println!(
            "  held out {person}: tuned on the others to threshold {:.2}, low-pass {:.1} Hz; {person}: {r} reference, {f} found ({:+.1}%), per-bout MAPE {:.1}%",
            best.relative_threshold,
            best.low_pass_hz,
            100.0 * (f as f64 - r as f64) / r.max(1) as f64,
            100.0 * e.iter().sum::<f64>() / e.len().max(1) as f64
        );
        held_ref += r;
        held_found += f;
        held_errors.extend(e);
    }
    println!(
        "leave-one-person-out: total {held_ref} reference, {held_found} found ({:+.1}%), per-bout MAPE {:.1}% over {} bouts",
        100.0 * (held_found as f64 - held_ref as f64) / held_ref.max(1) as f64,
        100.0 * held_errors.iter().sum::<f64>() / held_errors.len().max(1) as f64,
        held_errors.len()
    );

    println!("\n-- phone: Samsung S6, ~100 Hz, ground-truth step counts, 1 person");
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
        let (plain, calibrated) = both(&samples, placement);
        let label = placement.map_or("unknown", Placement::as_str);
        collector.add("phone", label, "user1", false, &plain, forward);
        collector.add("phone", label, "user1", true, &calibrated, forward);
        let without = analyze(samples.iter().copied(), Options::default());
        println!(
            "{:40} truth {truth:4}  without placement {:4} ({:+.1}%)  with {label} {:4} ({:+.1}%)",
            name,
            without.total_steps,
            100.0 * (without.total_steps as f64 - truth as f64) / truth as f64,
            plain.total_steps,
            100.0 * (plain.total_steps as f64 - truth as f64) / truth as f64,
        );
    }

    let cwa = dir.join("cwa/example-610-steps.cwa");
    if let Ok(bytes) = std::fs::read(&cwa) {
        println!("\n-- cwa: AX3 worn on the leg, 610 steps counted by hand");
        let read = gait::cwa::read(&bytes).unwrap();
        let a = analyze(read.samples.iter().copied(), Options::default());
        println!(
            "example-610-steps.cwa: steps {} ({:+.1}%), {} bouts",
            a.total_steps,
            100.0 * (a.total_steps as f64 - 610.0) / 610.0,
            a.bouts.len()
        );
    }

    let mocap = dir.join("backward-mocap");
    if let Ok(text) = std::fs::read_to_string(mocap.join("labels.json")) {
        println!(
            "\n-- backward-mocap: virtual sensors from motion capture (CMU), 3 people; 09_12 walks forward then backward"
        );
        let labels: serde_json::Value = serde_json::from_str(&text).unwrap();
        let trials = labels["trials"].as_object().unwrap();
        for (trial, info) in trials {
            let subject = format!("cmu-{}", info["subject"]);
            let spans: Vec<(f64, f64, String)> = info["spans"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    (
                        s["start_s"].as_f64().unwrap(),
                        s["end_s"].as_f64().unwrap(),
                        s["direction"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let contacts =
                ["left", "right"].map(|f| info["initial_contacts"][f].as_array().unwrap().len());
            // The label with the most time in [a, b]; `other` (turns, sideways) is not scored.
            let truth = |a: f64, b: f64| {
                let mut time: BTreeMap<&str, f64> = BTreeMap::new();
                for (s, e, d) in &spans {
                    let overlap = (e.min(b) - s.max(a)).max(0.0);
                    *time.entry(d.as_str()).or_default() += overlap;
                }
                let best = time
                    .into_iter()
                    .max_by(|x, y| x.1.total_cmp(&y.1))
                    .map(|x| x.0);
                match best {
                    Some("forward") => Some(Direction::Forward),
                    Some("backward") => Some(Direction::Backward),
                    _ => None,
                }
            };
            // 09_12's forward walk (the first span) is the warm-up; the controls are too short.
            let warm_up = spans
                .first()
                .filter(|s| {
                    s.2 == "forward"
                        && s.1 >= 6.0
                        && s.1 < info["duration_s"].as_f64().unwrap() - 5.0
                })
                .map(|s| s.1);
            for (file, placement) in [
                ("lower_back", Placement::LowerBack),
                ("right_pocket", Placement::Pocket),
                ("left_wrist", Placement::Wrist),
                ("right_foot", Placement::Foot),
            ] {
                let clean = read_csv(&mocap.join(format!("{trial}_{file}.csv")), None);
                // The first and last 0.08 s carry the derivation's filter edges.
                let clean: Vec<Sample> = clean[8..clean.len() - 8].to_vec();
                for (variant, samples) in [("", clean.clone()), ("+noise", with_noise(&clean, 7))] {
                    let label = format!("{}{variant}", placement.as_str());
                    let plain = analyze(
                        samples.iter().copied(),
                        Options {
                            placement: Some(placement),
                            keep_contacts: true,
                            ..Options::default()
                        },
                    );
                    collector.add("backward-mocap", &label, &subject, false, &plain, truth);
                    let mut line = format!(
                        "{trial} {label:16} steps {:3} (contacts L+R {:2})",
                        plain.total_steps,
                        contacts[0] + contacts[1]
                    );
                    if let Some(w) = warm_up {
                        let calibrated = analyze(
                            samples.iter().copied(),
                            Options {
                                placement: Some(placement),
                                forward_segment: Some((0.0, w)),
                                keep_contacts: true,
                            },
                        );
                        collector.add("backward-mocap", &label, &subject, true, &calibrated, truth);
                        for b in &calibrated.bouts {
                            line += &format!(
                                "  [{:.1}-{:.1} s {} {:.2}{}]",
                                b.start_s,
                                b.end_s,
                                b.direction,
                                b.confidence,
                                b.evidence
                                    .as_ref()
                                    .map(|e| format!(" score {:+.2}±{:.2}", e.score, e.noise))
                                    .unwrap_or_default()
                            );
                        }
                        if calibrated.bouts.is_empty() {
                            line += &format!("  [{}]", calibrated.direction_note);
                        }
                    }
                    println!("{line}");
                }
            }
        }
    }

    // Leave one person out: each person's stretches with the tau fitted on everyone else's.
    let people: Vec<String> = {
        let mut p: Vec<String> = collector.scored.iter().map(|s| s.person.clone()).collect();
        p.sort();
        p.dedup();
        p
    };
    println!(
        "\n== direction: tau fitted leave-one-person-out (log-loss over the others' stretches)"
    );
    let mut held_out: Vec<(usize, Direction, f64)> = Vec::new();
    for person in &people {
        let others: Vec<&Scored> = collector
            .scored
            .iter()
            .filter(|s| &s.person != person)
            .collect();
        let tau = TAUS
            .into_iter()
            .min_by(|a, b| log_loss(&others, *a).total_cmp(&log_loss(&others, *b)))
            .unwrap();
        println!("  without {person:10} tau {tau:.2}");
        for (i, s) in collector.scored.iter().enumerate() {
            if &s.person == person {
                let (d, c) = answer(s, tau);
                held_out.push((i, d, c));
            }
        }
    }
    let all: Vec<&Scored> = collector.scored.iter().collect();
    let fitted = TAUS
        .into_iter()
        .min_by(|a, b| log_loss(&all, *a).total_cmp(&log_loss(&all, *b)))
        .unwrap();
    println!(
        "  all people: tau {fitted:.2}; the product uses {:.2}",
        gait::direction::TAU
    );

    let product: Vec<(usize, Direction, f64)> = collector
        .scored
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (d, c) = answer(s, gait::direction::TAU);
            (i, d, c)
        })
        .collect();
    for (title, predictions) in [
        (
            format!("the product's confidence (tau {:.2})", gait::direction::TAU),
            &product,
        ),
        ("tau fitted leave-one-person-out".to_string(), &held_out),
    ] {
        println!("\n== direction per set and placement, {title}; given warm-ups not scored");
        table(&collector.scored, predictions);
        reliability(&collector.scored, predictions);
    }
}

fn table(scored: &[Scored], predictions: &[(usize, Direction, f64)]) {
    println!(
        "{:16} {:16} {:6} {:>9} {:>8} {:>8} {:>10} {:>9}",
        "set", "placement", "calib", "stretches", "right", "unknown", "conf.wrong", "truth"
    );
    // (set, placement, calibrated) to (truth, answer, confidence) of each stretch.
    type Groups = BTreeMap<(String, String, bool), Vec<(Direction, Direction, f64)>>;
    let mut groups = Groups::new();
    for (i, d, c) in predictions {
        let s = &scored[*i];
        groups
            .entry((s.set.clone(), s.placement.clone(), s.calibrated))
            .or_default()
            .push((s.truth, *d, *c));
    }
    for ((set, placement, calibrated), rows) in &groups {
        let answered: Vec<_> = rows.iter().filter(|r| r.1 != Direction::Unknown).collect();
        let right = answered.iter().filter(|r| r.0 == r.1).count();
        let unknown = rows.len() - answered.len();
        let confidently_wrong = answered.iter().filter(|r| r.0 != r.1 && r.2 >= 0.8).count();
        let forward = rows.iter().filter(|r| r.0 == Direction::Forward).count();
        println!(
            "{set:16} {placement:16} {:6} {:9} {:>8} {:>7.0}% {:>9.1}% {:>4}F {:>2}B",
            if *calibrated { "yes" } else { "no" },
            rows.len(),
            if answered.is_empty() {
                "-".to_string()
            } else {
                format!("{right}/{}", answered.len())
            },
            100.0 * unknown as f64 / rows.len().max(1) as f64,
            100.0 * confidently_wrong as f64 / rows.len().max(1) as f64,
            forward,
            rows.len() - forward,
        );
    }
}

fn reliability(scored: &[Scored], predictions: &[(usize, Direction, f64)]) {
    for calibrated in [true, false] {
        println!(
            "reliability, {} (answered stretches of every set):",
            if calibrated {
                "with a known forward stretch"
            } else {
                "without"
            }
        );
        let bins = [(0.65, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01)];
        for (lo, hi) in bins {
            let inside: Vec<_> = predictions
                .iter()
                .filter(|(i, d, c)| {
                    scored[*i].calibrated == calibrated
                        && *d != Direction::Unknown
                        && *c >= lo
                        && *c < hi
                })
                .collect();
            let right = inside
                .iter()
                .filter(|(i, d, _)| scored[*i].truth == *d)
                .count();
            if inside.is_empty() {
                println!("  {:.2}-{:.2}: none", lo, hi.min(1.0));
                continue;
            }
            let mean: f64 = inside.iter().map(|x| x.2).sum::<f64>() / inside.len() as f64;
            println!(
                "  {:.2}-{:.2}: {:3} stretches, mean confidence {:.2}, right {right} ({:.0}%)",
                lo,
                hi.min(1.0),
                inside.len(),
                mean,
                100.0 * right as f64 / inside.len() as f64
            );
        }
    }
}

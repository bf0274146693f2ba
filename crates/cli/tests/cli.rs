//! Runs the real `retrostride` binary: the contract scripts rely on, and bad input everywhere.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test]: a panic is a failed test

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn retrostride(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_retrostride"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn json(args: &[&str]) -> Value {
    let out = retrostride(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Runs successfully and gives stdout.
fn run_ok(args: &[&str]) -> String {
    let out = retrostride(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is text")
}

/// Asserts exit code 2 and that stderr mentions every fragment, without a panic or backtrace.
fn refused(args: &[&str], fragments: &[&str]) -> String {
    let out = retrostride(args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    for f in fragments {
        assert!(
            stderr.contains(f),
            "{args:?}: stderr lacks {f:?}:\n{stderr}"
        );
    }
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing on stdout when refusing");
    stderr
}

const EXAMPLE_ANSWERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/screening-answers.json"
);

fn kcal(direction: &str, grade: &str) -> f64 {
    json(&[
        "energy",
        "--direction",
        direction,
        "--speed",
        "3.5mph",
        "--grade",
        grade,
        "--duration",
        "10min",
        "--mass",
        "64kg",
        "--edition",
        "2011",
        "--json",
    ])["kcal"]
        .as_f64()
        .expect("kcal is a number")
}

#[test]
fn energy_reproduces_the_published_figures() {
    assert_eq!(kcal("forward", "0").round(), 46.0);
    assert_eq!(kcal("backward", "0").round(), 64.0);
    assert_eq!(kcal("backward", "5%").round(), 85.0);
}

#[test]
fn energy_json_has_kcal_met_and_source() {
    let v = json(&[
        "energy",
        "--direction",
        "backward",
        "--speed",
        "2.0mph",
        "--duration",
        "20min",
        "--mass",
        "141lb",
        "--net",
        "--json",
    ]);
    assert!(v["kcal"].as_f64().unwrap() > 0.0);
    assert!(v["met"].as_f64().unwrap() > 1.0);
    assert!(v["source"].as_str().unwrap().starts_with("estimate"));
    assert_eq!(v["basis"], "net");
    assert_eq!(v["edition"], "2024");
}

#[test]
fn energy_human_output_names_the_code() {
    let out = retrostride(&[
        "energy",
        "--direction",
        "backward",
        "--speed",
        "5.6km/h",
        "--duration",
        "10min",
        "--mass",
        "64kg",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("17320"), "{text}");
    assert!(text.contains("64 kcal"), "{text}");
}

const ENERGY: [&str; 9] = [
    "energy",
    "--direction",
    "backward",
    "--speed",
    "3mph",
    "--duration",
    "10min",
    "--mass",
    "64kg",
];

/// `args` with the value after `flag` replaced, or the flag and value appended when absent.
fn with_value(args: &[&'static str], flag: &'static str, value: &'static str) -> Vec<&'static str> {
    let mut args = args.to_vec();
    match args.iter().position(|a| *a == flag) {
        Some(i) => args[i + 1] = value,
        None => args.extend([flag, value]),
    }
    args
}

/// For each (flag, bad value, expected fragments): the base command with that value is refused,
/// and the message names the flag, the value and each fragment.
fn refuse_each(base: &[&'static str], cases: &[(&'static str, &'static str, &[&str])]) {
    for &(flag, value, expected) in cases {
        let mut fragments = vec![flag, value];
        fragments.extend_from_slice(expected);
        refused(&with_value(base, flag, value), &fragments);
    }
}

#[test]
fn bad_energy_input_names_flag_value_and_what_is_accepted() {
    let cases: [(&'static str, &'static str, &[&str]); 8] = [
        ("--speed", "3.5", &["'3.5'", "mph"]),
        ("--speed", "9mph", &["running"]),
        ("--grade", "-3%", &["0 to 25"]),
        ("--edition", "2019", &["2011 or 2024"]),
        ("--direction", "sideways", &["forward or backward"]),
        ("--duration", "10", &["'10'", "10min"]),
        ("--mass", "5kg", &["20 kg"]),
        ("--mass", "64", &["kg or lb"]),
    ];
    refuse_each(&ENERGY, &cases);
    refused(&["energy", "--direction", "backward"], &["--speed"]);
    refused(&["energy", "--bogus"], &["--bogus"]);
}

#[test]
fn screen_reads_the_example_answers_file() {
    let v = json(&["screen", "--answers", EXAMPLE_ANSWERS, "--json"]);
    assert_eq!(v["clearance"], "cleared_with_precautions");
    assert_eq!(v["reasons"][0]["question"], "bone_or_joint_problem");
    assert_eq!(v["precautions"][0], "shorter_blocks");
}

#[test]
fn screen_asks_question_by_question() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_retrostride"))
        .args(["screen", "--ask", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Age, then 18 answers: a fall in the last year (the 8th question) and active (17th).
    let mut answers = String::from("64\n");
    for i in 1..=18 {
        answers.push_str(if i == 8 || i == 17 { "y\n" } else { "n\n" });
    }
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["clearance"], "see_clinician_first");
    assert_eq!(v["answers"]["fall_last_12_months"], true);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Have you fallen"));
}

#[test]
fn bad_screening_input_is_refused_clearly() {
    refused(&["screen"], &["--answers FILE"]);
    refused(
        &["screen", "--answers", "/no/such/file.json"],
        &["cannot read answers file", "/no/such/file.json"],
    );
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, r#"{"age": 40, "chest_pains": true}"#).unwrap();
    refused(
        &["screen", "--answers", broken.to_str().unwrap()],
        &["not valid", "chest_pains", "heart_condition"],
    );
    std::fs::write(
        &broken,
        std::fs::read_to_string(EXAMPLE_ANSWERS)
            .unwrap()
            .replace("58", "200"),
    )
    .unwrap();
    refused(
        &["screen", "--answers", broken.to_str().unwrap()],
        &["age", "200", "1 to 120"],
    );
    std::fs::write(&broken, "not json").unwrap();
    refused(
        &["screen", "--answers", broken.to_str().unwrap()],
        &["not valid"],
    );
}

const KNEE_PLAN: [&str; 13] = [
    "plan",
    "--goal",
    "knee",
    "--setting",
    "ground",
    "--level",
    "new",
    "--days-per-week",
    "3",
    "--weeks",
    "6",
    "--start",
    "2027-01-04",
];

#[test]
fn plan_json_follows_the_contract() {
    let mut args = KNEE_PLAN.to_vec();
    args.extend(["--clearance", "cleared", "--json"]);
    let v = json(&args);
    assert_eq!(
        v["protocol"]["citation"]["doi"],
        "10.1186/s12891-019-2537-9"
    );
    let sessions = v["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 18);
    assert_eq!(sessions[0]["date"], "2027-01-04");
    for s in sessions {
        let blocks = s["blocks"].as_array().unwrap();
        let total: u64 = blocks.iter().map(|b| b["seconds"].as_u64().unwrap()).sum();
        assert_eq!(total, s["total_seconds"].as_u64().unwrap());
        for b in blocks {
            assert!(["forward", "backward"].contains(&b["direction"].as_str().unwrap()));
        }
    }
}

#[test]
fn plan_takes_a_screening_file_or_a_saved_screening() {
    let mut args = KNEE_PLAN.to_vec();
    args.extend(["--screening", EXAMPLE_ANSWERS, "--json"]);
    let v = json(&args);
    assert_eq!(v["clearance"], "cleared_with_precautions");
    assert_eq!(v["precautions"][0], "shorter_blocks");

    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("screening.json");
    let screened = retrostride(&["screen", "--answers", EXAMPLE_ANSWERS, "--json"]);
    std::fs::write(&saved, &screened.stdout).unwrap();
    let mut args = KNEE_PLAN.to_vec();
    args.extend(["--screening", saved.to_str().unwrap(), "--json"]);
    assert_eq!(json(&args)["precautions"][0], "shorter_blocks");
}

#[test]
fn plan_dates_follow_the_chosen_weekdays_and_refuse_too_few() {
    let mut args = KNEE_PLAN.to_vec();
    args.extend(["--weekdays", "tue,thu,sat", "--time", "7:30", "--json"]);
    let v = json(&args);
    let dates: Vec<&str> = v["sessions"].as_array().unwrap()[..3]
        .iter()
        .map(|s| s["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2027-01-05", "2027-01-07", "2027-01-09"]);
    assert_eq!(
        v["schedule"]["days"],
        serde_json::json!(["tue", "thu", "sat"])
    );
    assert_eq!(v["schedule"]["time"], "07:30");
    let mut args = KNEE_PLAN.to_vec();
    args.extend(["--weekdays", "mon,fri"]);
    refused(&args, &["2 weekday(s)", "at least 3"]);
    let mut args = KNEE_PLAN.to_vec();
    args.extend(["--weekdays", "mon,someday"]);
    refused(&args, &["someday", "mon, tue"]);
}

#[test]
fn plan_refuses_see_clinician_first() {
    let mut args = KNEE_PLAN.to_vec();
    args.extend(["--clearance", "see_clinician_first", "--json"]);
    refused(
        &args,
        &["see a clinician first", "doctor or physiotherapist"],
    );
}

#[test]
fn bad_plan_input_is_refused_clearly() {
    let cases: [(&'static str, &'static str, &[&str]); 8] = [
        ("--goal", "speed", &["knee, balance, fitness, general"]),
        ("--setting", "pool", &["ground, hallway or treadmill"]),
        ("--level", "pro", &["new or some-experience"]),
        ("--days-per-week", "9", &["1 to 7"]),
        ("--weeks", "0", &["1 to 52"]),
        ("--start", "2027-13-40", &["YYYY-MM-DD"]),
        ("--start", "tomorrow", &["YYYY-MM-DD"]),
        ("--clearance", "maybe", &["see_clinician_first"]),
    ];
    refuse_each(&KNEE_PLAN, &cases);
    let mut args = KNEE_PLAN.to_vec();
    args.extend(["--protocol", "nope"]);
    refused(&args, &["--protocol", "nope", "knee-oa-10min"]);
    let mut args = KNEE_PLAN.to_vec();
    args.extend(["--protocol", "healthy-15min", "--clearance", "cleared"]);
    refused(&args, &["healthy-15min", "knee"]);
}

#[test]
fn assess_3mbwt_gives_risk_and_cut_off_source() {
    let v = json(&[
        "assess",
        "3mbwt",
        "--seconds",
        "5.2",
        "--population",
        "older-adults",
        "--json",
    ]);
    assert_eq!(v["risk"], "high");
    assert_eq!(v["cut_off"]["high_risk_at_least_s"], 4.5);
    assert_eq!(v["cut_off"]["source"]["id"], "carter-2019");
    refused(
        &[
            "assess",
            "3mbwt",
            "--seconds",
            "-1",
            "--population",
            "older-adults",
        ],
        &["out of range"],
    );
    refused(
        &["assess", "3mbwt", "--seconds", "5", "--population", "cats"],
        &["--population", "cats", "older-adults"],
    );
    refused(
        &[
            "assess",
            "3mbwt",
            "--seconds",
            "five",
            "--population",
            "stroke",
        ],
        &["--seconds", "five"],
    );
}

#[test]
fn assess_stance_and_pain() {
    let v = json(&[
        "assess",
        "stance",
        "--seconds",
        "4",
        "--age",
        "65",
        "--eyes",
        "closed",
        "--sex",
        "female",
        "--json",
    ]);
    assert_eq!(v["age_band"], "60-69");
    let stance = [
        "assess",
        "stance",
        "--seconds",
        "4",
        "--age",
        "65",
        "--eyes",
        "open",
    ];
    refused(
        &with_value(&stance, "--age", "250"),
        &["--age", "250", "1 to 120"],
    );
    refused(
        &with_value(&stance, "--age", "12"),
        &["age 12 years", "18 or over"],
    );
    let v = json(&["assess", "pain", "--before", "6", "--after", "4", "--json"]);
    assert_eq!(v["reading"], "much_better");
    refused(
        &["assess", "pain", "--before", "6", "--after", "11"],
        &["--after", "11", "0 (no pain) to 10"],
    );
}

#[test]
fn next_steps_down_after_a_near_fall() {
    let v = json(&[
        "next",
        "--planned-backward",
        "10min",
        "--done-backward",
        "10min",
        "--rpe",
        "12",
        "--pain-before",
        "2",
        "--pain-after",
        "2",
        "--near-falls",
        "1",
        "--next-planned",
        "11min",
        "--json",
    ]);
    assert_eq!(v["decision"], "step_down");
    assert_eq!(v["next_backward_seconds"], 450);
    refused(
        &[
            "next",
            "--planned-backward",
            "10min",
            "--done-backward",
            "0",
            "--rpe",
            "25",
            "--pain-before",
            "2",
            "--pain-after",
            "2",
            "--next-planned",
            "11min",
        ],
        &["--rpe", "25", "6 (no exertion at all) to 20"],
    );
}

#[test]
fn next_holds_when_pain_is_not_given() {
    let v = json(&[
        "next",
        "--planned-backward",
        "10min",
        "--done-backward",
        "10min",
        "--rpe",
        "12",
        "--pain-before",
        "2",
        "--next-planned",
        "11min",
        "--json",
    ]);
    assert_eq!(v["decision"], "hold");
    assert!(
        v["reasons"][0]
            .as_str()
            .unwrap()
            .contains("Pain after was not given")
    );
}

#[test]
fn catalogues_list_protocols_and_claims() {
    let protocols = json(&["protocols", "--json"]);
    assert!(
        protocols
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == "knee-oa-10min")
    );
    let claims = json(&["claims", "--json"]);
    let sleep = claims
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "sleep-mood")
        .unwrap();
    assert_eq!(sleep["strength"], "unsupported");
}

#[test]
fn closing_stdout_early_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_retrostride"))
        .args([
            "plan",
            "--goal",
            "fitness",
            "--setting",
            "treadmill",
            "--level",
            "new",
            "--days-per-week",
            "7",
            "--weeks",
            "52",
            "--start",
            "2027-01-04",
            "--clearance",
            "cleared",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn testdata(path: &str) -> String {
    format!(
        "{}/../../testdata/tracks/{path}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn activity_reports_each_file_with_its_facts_or_its_error() {
    let files = [
        testdata("fit/treadmill.fit"),
        testdata("gpx/korita-zbevnica.gpx"),
        testdata("tcx/20181021_run_3106033902.tcx"),
        testdata("broken/garmin-fenix-5-walk.truncated.fit"),
        testdata("zip/samples.zip"),
    ];
    let mut args = vec!["activity", "--json"];
    args.extend(files.iter().map(String::as_str));
    let out = json(&args);
    let items = out.as_array().unwrap();
    assert_eq!(items.len(), 5, "the zip's three identical files count once");
    // A treadmill run without GPS: distance from the watch itself.
    assert_eq!(items[0]["sport"], "running");
    assert_eq!(items[0]["sub_sport"], "treadmill");
    assert_eq!(items[0]["start"], "2020-02-02T11:19:33Z");
    assert_eq!(items[0]["indoor"], true);
    assert!(items[0]["distance_m"].as_f64().unwrap() > 10_000.0);
    assert_eq!(items[0]["laps"].as_array().unwrap().len(), 1);
    assert!((items[1]["elapsed_seconds"].as_f64().unwrap() - 13381.0).abs() < 1.0);
    assert_eq!(items[2]["sport"], "Running");
    assert_eq!(items[2]["laps"].as_array().unwrap().len(), 3);
    // A truncated file: an error naming the file and the reason, and what was kept.
    let broken = &items[3];
    assert_eq!(broken["error_kind"], "truncated");
    assert!(
        broken["error"]
            .as_str()
            .unwrap()
            .contains("garmin-fenix-5-walk.truncated.fit")
    );
    assert!(broken["partial"]["laps"].is_array());
    assert!(
        items[4]["file"]
            .as_str()
            .unwrap()
            .ends_with("samples.zip/11111.fit")
    );
    // Unreadable paths are bad input.
    refused(
        &["activity", "/no/such/file.fit"],
        &["cannot read /no/such/file.fit"],
    );
}

#[test]
fn plan_writes_fit_workouts_that_a_watch_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("workouts");
    let plan = json(&[
        "plan",
        "--goal",
        "knee",
        "--setting",
        "treadmill",
        "--level",
        "new",
        "--days-per-week",
        "3",
        "--weeks",
        "2",
        "--start",
        "2026-12-01",
        "--forward-speed",
        "4.8km/h",
        "--clearance",
        "cleared",
        "--json",
        "--fit-workouts",
        folder.to_str().unwrap(),
    ]);
    let sessions = plan["sessions"].as_array().unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), sessions.len());
    for (file, session) in files.iter().zip(sessions) {
        let messages = fitparser::from_bytes(&std::fs::read(file).unwrap()).unwrap();
        let steps: Vec<_> = messages
            .iter()
            .filter(|m| m.kind() == fitparser::profile::MesgNum::WorkoutStep)
            .collect();
        let blocks = session["blocks"].as_array().unwrap();
        assert_eq!(steps.len(), blocks.len(), "{}", file.display());
        for (step, block) in steps.iter().zip(blocks) {
            let field = |name: &str| {
                step.fields()
                    .iter()
                    .find(|f| f.name() == name)
                    .unwrap()
                    .value()
                    .clone()
            };
            let fitparser::Value::Float64(seconds) = field("duration_time") else {
                panic!("no duration")
            };
            assert!((seconds - block["seconds"].as_f64().unwrap()).abs() < 1e-6);
            let fitparser::Value::String(name) = field("wkt_step_name") else {
                panic!("no name")
            };
            let backward = block["direction"] == "backward";
            assert_eq!(name == "Backward", backward, "{name}");
        }
    }
}

#[test]
fn analyze_finds_steps_bouts_and_direction_in_csv_and_cwa() {
    let motion = format!("{}/../../testdata/motion", env!("CARGO_MANIFEST_DIR"));
    let lab = format!("{motion}/lab/HA-001-Test11-Trial1.imu.csv");
    let out = json(&[
        "analyze",
        &lab,
        "--rate",
        "100",
        "--placement",
        "lower-back",
        "--json",
    ]);
    let bouts = out["bouts"].as_array().unwrap();
    assert!(!bouts.is_empty());
    let sum: u64 = bouts.iter().map(|b| b["steps"].as_u64().unwrap()).sum();
    assert_eq!(out["total_steps"].as_u64().unwrap(), sum);
    for b in bouts {
        for key in [
            "start_s",
            "end_s",
            "steps",
            "cadence_spm",
            "direction",
            "confidence",
        ] {
            assert!(!b[key].is_null(), "{key} in {b}");
        }
        // Without a stretch known to be walked forward, the direction is not claimed.
        assert_eq!(b["direction"], "unknown", "{b}");
    }
    assert!(
        out["direction_note"]
            .as_str()
            .unwrap()
            .contains("--forward-until")
    );
    assert!(out["assumptions"][0].as_str().unwrap().contains("m/s2"));
    // Real backward walking (motion capture of one person, a virtual foot sensor), read
    // against its forward start: every stretch after it is backward, steps two per stride.
    let foot = format!("{motion}/backward-mocap/09_12_right_foot.csv");
    let out = json(&[
        "analyze",
        &foot,
        "--placement",
        "foot",
        "--forward",
        "0-7.25",
        "--json",
    ]);
    let bouts = out["bouts"].as_array().unwrap();
    assert_eq!(bouts[0]["basis"], "given", "{out}");
    assert!(bouts.len() >= 2, "{out}");
    for b in &bouts[1..] {
        // Backward, or unknown where a stretch is too short to tell (two strides).
        assert_ne!(b["direction"], "forward", "{b}");
        assert_eq!(b["two_steps_per_stride"], true);
    }
    assert!(
        bouts[1..]
            .iter()
            .any(|b| b["direction"] == "backward" && b["confidence"].as_f64().unwrap() >= 0.8),
        "{out}"
    );
    let text = run_ok(&[
        "analyze",
        &foot,
        "--placement",
        "foot",
        "--forward-until",
        "7.25",
    ]);
    assert!(text.contains("backward (sure)"), "{text}");
    assert!(text.contains("two per stride"), "{text}");
    refused(
        &["analyze", &foot, "--forward", "9-3"],
        &["--forward", "FROM-TO"],
    );
    // A binary file that is no device file is refused in words, not as a CSV parse error.
    let binary = std::env::temp_dir().join(format!("binary-{}.dat", std::process::id()));
    std::fs::write(&binary, [0u8, 0x9f, 0x42, 0, 7, 7, 7]).unwrap();
    refused(
        &["analyze", binary.to_str().unwrap()],
        &["not a CSV, CWA or GENEActiv file"],
    );
    std::fs::remove_file(&binary).unwrap();
    let cwa = format!("{motion}/cwa/ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa");
    let out = json(&["analyze", &cwa, "--json"]);
    assert_eq!(out["skipped_sectors"], 6);
    assert_eq!(out["samples"], 16_680);
    // A GENEActiv file is recognised by its content, whatever its name.
    let copy = std::env::temp_dir().join(format!("geneactiv-{}.dat", std::process::id()));
    std::fs::copy(format!("{motion}/cwa/GENEActiv_testfile.bin"), &copy).unwrap();
    let out = json(&["analyze", copy.to_str().unwrap(), "--json"]);
    std::fs::remove_file(&copy).unwrap();
    assert_eq!(out["skipped_pages"], 0);
    assert_eq!(out["truncated"], true);
    assert!(out["samples"].as_u64().unwrap() > 3000, "{out}");
    refused(&["analyze", &lab], &["--rate HZ"]);
    refused(&["analyze", &lab, "--rate=-3"], &["--rate -3"]);
    refused(
        &["analyze", &lab, "--placement", "shoe"],
        &["shoe", "lower-back"],
    );
}

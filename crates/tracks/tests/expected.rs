//! Every activity file of the development set against its `expected.json`: what must import
//! imports with the right sport, start, duration, distance, laps and records; what must be
//! refused is refused for the stated reason; salvage keeps what came before the damage.
//!
//! The files come from `testdata/tracks` (a subset kept in the repository, with provenance
//! and licences in `testdata/README.md`) and, when present beside the repository, from
//! `../shared/data/tracks` (the whole set).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

use serde_json::Value;
use std::path::{Path, PathBuf};
use tracks::{Activity, FileResult};

fn roots() -> Vec<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    [
        workspace.join("testdata/tracks"),
        workspace.join("../shared/data/tracks"),
    ]
    .into_iter()
    .filter(|r| r.join("expected.json").exists())
    .collect()
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

fn seconds(text: &Value) -> Option<i64> {
    text.as_str()?
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_second())
}

/// Checks an activity against a `facts` object; returns what differs.
fn check_facts(format: &str, a: &Activity, facts: &Value) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut expect = |ok: bool, what: String| {
        if !ok {
            wrong.push(what);
        }
    };
    let start = a.start.map(|t| t.as_second());
    expect(
        start == seconds(&facts["start_time"]),
        format!("start {:?} != {}", a.start, facts["start_time"]),
    );
    match format {
        "fit" => {
            if let Some(e) = facts["total_elapsed_s"].as_f64() {
                expect(
                    a.summary.elapsed_seconds.is_some_and(|v| close(v, e, 0.01)),
                    format!("elapsed {:?} != {e}", a.summary.elapsed_seconds),
                );
            }
            match facts["total_distance_m"].as_f64() {
                Some(d) => expect(
                    a.summary.distance_m.is_some_and(|v| close(v, d, 0.01)),
                    format!("distance {:?} != {d}", a.summary.distance_m),
                ),
                None => expect(
                    a.summary.distance_m.is_none()
                        || facts["max_record_distance_m"].as_f64().is_some(),
                    format!("distance {:?} where none is known", a.summary.distance_m),
                ),
            }
            expect(
                Some(a.laps.len() as u64) == facts["num_laps"].as_u64(),
                format!("laps {} != {}", a.laps.len(), facts["num_laps"]),
            );
            expect(
                Some(a.records.len() as u64) == facts["num_records"].as_u64(),
                format!("records {} != {}", a.records.len(), facts["num_records"]),
            );
            expect(
                Some(a.has_positions()) == facts["has_gps"].as_bool(),
                format!("gps {} != {}", a.has_positions(), facts["has_gps"]),
            );
            let sports: Vec<(Option<String>, Option<String>)> = facts["sports"]
                .as_array()
                .map(|s| {
                    s.iter()
                        .map(|p| {
                            (
                                p[0].as_str().map(str::to_string),
                                p[1].as_str().map(str::to_string),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            expect(
                a.sessions == sports,
                format!("sports {:?} != {:?}", a.sessions, sports),
            );
        }
        "gpx" => {
            expect(
                Some(a.records.len() as u64) == facts["track_points"].as_u64(),
                format!("points {} != {}", a.records.len(), facts["track_points"]),
            );
            for (fact, found) in [
                (
                    "has_heart_rate",
                    a.records.iter().any(|r| r.heart_rate.is_some()),
                ),
                ("has_cadence", a.records.iter().any(|r| r.cadence.is_some())),
            ] {
                if let Some(want) = facts[fact].as_bool() {
                    expect(found == want, format!("{fact} {found} != {want}"));
                }
            }
            if let Some(e) = facts["elapsed_s"].as_f64() {
                expect(
                    a.summary.elapsed_seconds.is_some_and(|v| close(v, e, 1.0)),
                    format!("elapsed {:?} != {e}", a.summary.elapsed_seconds),
                );
            }
            if let Some(d) = facts["distance_m"].as_f64().filter(|d| *d > 0.0) {
                expect(
                    // 1%, and at least 0.05 m: the expected values are rounded to 0.1 m.
                    a.summary
                        .distance_m
                        .is_some_and(|v| close(v, d, (d * 0.01).max(0.05))),
                    format!("distance {:?} != {d} (1%)", a.summary.distance_m),
                );
            }
        }
        "tcx" => {
            expect(
                Some(a.laps.len() as u64) == facts["num_laps"].as_u64(),
                format!("laps {} != {}", a.laps.len(), facts["num_laps"]),
            );
            expect(
                Some(a.records.len() as u64) == facts["trackpoints"].as_u64(),
                format!(
                    "trackpoints {} != {}",
                    a.records.len(),
                    facts["trackpoints"]
                ),
            );
            if let Some(e) = facts["laps_total_time_s"].as_f64() {
                expect(
                    a.summary.elapsed_seconds.is_some_and(|v| close(v, e, 0.01)),
                    format!("elapsed {:?} != {e}", a.summary.elapsed_seconds),
                );
            }
            if let Some(d) = facts["laps_total_distance_m"].as_f64() {
                // Each lap's expected distance is rounded to 0.01 m before the sum.
                expect(
                    a.summary.distance_m.is_some_and(|v| close(v, d, 0.02)),
                    format!("distance {:?} != {d}", a.summary.distance_m),
                );
            }
            expect(
                a.sport.as_deref() == facts["sport"].as_str(),
                format!("sport {:?} != {}", a.sport, facts["sport"]),
            );
        }
        _ => {}
    }
    wrong
}

fn check(name: &str, expected: &Value, results: &[FileResult]) -> Vec<String> {
    let format = expected["format"].as_str().unwrap_or("");
    let expect = expected["expect"].as_str().unwrap_or("");
    let mut wrong = Vec::new();
    if format == "zip" {
        let entries = expected["entries"].as_array().cloned().unwrap_or_default();
        let distinct: std::collections::HashSet<u64> =
            results.iter().map(|r| r.fingerprint).collect();
        if distinct.len() != 1 || results.len() != 1 {
            wrong.push(format!(
                "{} results for byte-identical entries, expected one",
                results.len()
            ));
        }
        for r in results {
            match (&r.outcome, entries.first()) {
                (Ok(a), Some(e)) => wrong.extend(check_facts("fit", a, &e["summary"])),
                (Err(d), _) => wrong.push(format!("{}: {}", r.name, d.error)),
                _ => {}
            }
        }
        return wrong;
    }
    let [result] = results else {
        return vec![format!("{} results for one file", results.len())];
    };
    match (expect, &result.outcome) {
        ("ok" | "either", Ok(a)) => wrong.extend(check_facts(format, a, &expected["facts"])),
        ("ok", Err(d)) => wrong.push(format!("refused: {}", d.error)),
        ("error" | "either", Err(d)) => {
            let kind = expected["error_kind"].as_str().unwrap_or("");
            if d.error.kind() != kind {
                wrong.push(format!(
                    "error {} ({}), expected {kind}",
                    d.error.kind(),
                    d.error
                ));
            }
            // Salvage: the records before the damage are kept.
            if let (Some(partial), Some(records)) = (
                &d.partial,
                expected["salvage"]["records"]
                    .as_u64()
                    .or(expected["salvage"]["summary"]["num_records"].as_u64()),
            ) && partial.records.len() as u64 != records
            {
                wrong.push(format!(
                    "salvaged {} records, expected {records}",
                    partial.records.len()
                ));
            }
        }
        ("error", Ok(_)) => wrong.push(format!(
            "imported, expected the error {}",
            expected["error_kind"]
        )),
        _ => wrong.push(format!("unknown expectation {expect}")),
    }
    let _ = name;
    wrong
}

#[test]
fn every_file_matches_its_expected_facts_or_error() {
    let mut checked = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for root in roots() {
        let expected: Value =
            serde_json::from_slice(&std::fs::read(root.join("expected.json")).unwrap()).unwrap();
        for (name, entry) in expected.as_object().unwrap() {
            if name.starts_with('_') || checked.contains(name) {
                continue;
            }
            let path = root.join(name);
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let results = tracks::read(name, &bytes);
            for problem in check(name, entry, &results) {
                failures.push(format!("{name}: {problem}"));
            }
            checked.insert(name.clone());
        }
    }
    println!("checked {} files", checked.len());
    assert!(
        checked.len() >= 30,
        "only {} files found: testdata/tracks is missing files",
        checked.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Real files keep their sport: a ride is cycling, a run running, a swim another sport, and a
/// treadmill run or a trainer ride says it was indoors.
#[test]
fn real_files_keep_their_sport() {
    use tracks::SportKind::{Cycling, Other, Running, Walking};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tracks");
    let cases = [
        ("fit/garmin-fenix-5-walk.fit", Some(Walking), false),
        ("fit/garmin-fenix-5-run.fit", Some(Running), false),
        ("fit/garmin-edge-820-bike.fit", Some(Cycling), false),
        ("fit/treadmill.fit", Some(Running), true),
        ("fit/biking-500-trainer.fit", Some(Cycling), true),
        ("fit/null_compressed_speed_dist.fit", Some(Cycling), true),
        ("fit/pool-swim.fit", Some(Other), false),
        ("fit/sample_mulitple_header.fit", Some(Other), false),
        ("tcx/20181021_run_3106033902.tcx", Some(Running), false),
        ("gpx/korita-zbevnica.gpx", None, false),
    ];
    for (name, kind, indoors) in cases {
        let bytes = std::fs::read(root.join(name)).unwrap();
        let activity = tracks::read_one(name, &bytes).map_err(|d| d.error).unwrap();
        assert_eq!(activity.sport_kind(), kind, "{name}");
        assert_eq!(activity.indoors(), indoors, "{name}: indoors");
    }
}

//! What the schema cannot check: references resolve, ids are stable, codes mean what they say,
//! and each record becomes the resources it should.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

mod support;

use proptest::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn resources(bundle: &Value) -> Vec<&Value> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .collect()
}

fn of_type<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    resources(bundle)
        .into_iter()
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if let (true, Some(r)) = (k == "reference", v.as_str()) {
                    out.push(r.to_string());
                } else {
                    references(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

/// Every reference names a `fullUrl` of the bundle, and every `fullUrl` is `urn:uuid:` + id.
fn check_references(bundle: &Value) {
    let mut urls = BTreeSet::new();
    for entry in bundle["entry"].as_array().unwrap() {
        let url = entry["fullUrl"].as_str().unwrap();
        assert_eq!(
            url,
            format!("urn:uuid:{}", entry["resource"]["id"].as_str().unwrap())
        );
        assert!(urls.insert(url.to_string()), "{url} twice");
    }
    let mut found = Vec::new();
    references(bundle, &mut found);
    assert!(!found.is_empty());
    for r in found {
        assert!(urls.contains(&r), "{r} does not resolve");
    }
}

fn codings(value: &Value, out: &mut Vec<(String, String, Option<String>)>) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(s)), Some(Value::String(c))) =
                (map.get("system"), map.get("code"))
            {
                out.push((
                    s.clone(),
                    c.clone(),
                    map.get("display").and_then(Value::as_str).map(String::from),
                ));
            }
            map.values().for_each(|v| codings(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| codings(v, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves_inside_the_bundle() {
    let bundle = fhir::bundle(&support::rich_record()).unwrap();
    check_references(&bundle);
    // The questionnaire's canonical URL is the Questionnaire's own.
    let questionnaire = of_type(&bundle, "Questionnaire");
    for response in of_type(&bundle, "QuestionnaireResponse") {
        assert_eq!(response["questionnaire"], questionnaire[0]["url"]);
    }
}

#[test]
fn a_second_export_gives_the_same_ids() {
    let record = support::rich_record();
    let first = fhir::bundle(&record).unwrap();
    assert_eq!(first, fhir::bundle(&record).unwrap());
    // More data later leaves the ids of what was there.
    let mut later = record.clone();
    later.sessions.push(later.sessions[0].clone());
    later.sessions.last_mut().unwrap().id = 99;
    later.exported_at = support::at("2026-11-25T12:00:00Z");
    let second = fhir::bundle(&later).unwrap();
    let ids = |b: &Value| -> BTreeSet<String> {
        resources(b)
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (a, b) = (ids(&first), ids(&second));
    assert!(a.is_subset(&b));
    assert_eq!(b.len() - a.len(), 3, "one session and its two pain scores");
    // Another walker's records with the same row ids get other ids; only what is not theirs
    // (the clinicians, the questionnaire, Retrostride itself) keeps its id.
    let mut other = record.clone();
    other.walker_id = 8;
    let other = fhir::bundle(&other).unwrap();
    let shared: Vec<&Value> = resources(&other)
        .into_iter()
        .filter(|r| a.contains(r["id"].as_str().unwrap()))
        .collect();
    assert!(shared.iter().all(|r| matches!(
        r["resourceType"].as_str().unwrap(),
        "Practitioner" | "Questionnaire" | "Device"
    )));
}

#[test]
fn loinc_codes_are_the_stated_ones_and_only_those() {
    let bundle = fhir::bundle(&support::rich_record()).unwrap();
    let mut all = Vec::new();
    codings(&bundle, &mut all);
    let loinc: BTreeMap<String, Option<String>> = all
        .iter()
        .filter(|(s, _, _)| s == fhir::LOINC)
        .map(|(_, c, d)| (c.clone(), d.clone()))
        .collect();
    let expected: BTreeMap<String, Option<String>> = [
        ("73985-4", Some("Exercise activity")),
        ("55411-3", Some("Exercise duration")),
        (
            "72514-3",
            Some("Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
        ),
        ("59284-0", None),
    ]
    .into_iter()
    .map(|(c, d)| (c.to_string(), d.map(String::from)))
    .collect();
    assert_eq!(loinc, expected);
    // Every other code is HL7's, UCUM's or ours.
    for (system, code, _) in &all {
        assert!(
            system == fhir::LOINC
                || system == fhir::UCUM
                || system == fhir::CODE_SYSTEM
                || system.starts_with("http://terminology.hl7.org/CodeSystem/")
                || system.starts_with("http://hl7.org/fhir/"),
            "{system} {code}"
        );
    }
    // Quantities are in UCUM minutes or seconds.
    let mut units = BTreeSet::new();
    for (system, code, _) in &all {
        if system == fhir::UCUM {
            units.insert(code.clone());
        }
    }
    assert_eq!(units, BTreeSet::from(["min".to_string(), "s".to_string()]));
}

#[test]
fn a_session_is_its_activity_with_minutes_effort_near_falls_and_pain() {
    let bundle = fhir::bundle(&support::rich_record()).unwrap();
    let observations = of_type(&bundle, "Observation");
    let sessions: Vec<&&Value> = observations
        .iter()
        .filter(|o| o["code"]["coding"][0]["code"] == "73985-4")
        .collect();
    assert_eq!(sessions.len(), 4);
    let first = sessions[0];
    assert_eq!(first["effectiveDateTime"], "2026-11-03T08:30:00+01:00");
    assert_eq!(
        sessions[1]["effectiveDateTime"],
        "2026-11-05T13:15:00-05:00"
    );
    assert_eq!(
        sessions[2]["effectiveDateTime"],
        "2026-11-17T11:30:00+05:30"
    );
    assert_eq!(first["category"][0]["coding"][0]["code"], "activity");
    let component = |o: &Value, code: &str| -> Value {
        o["component"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"]["coding"][0]["code"] == code)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(component(first, "55411-3")["valueQuantity"]["value"], 9.17);
    assert_eq!(component(first, "55411-3")["valueQuantity"]["code"], "min");
    assert_eq!(
        component(first, "backward-minutes")["valueQuantity"]["value"],
        4.17
    );
    assert_eq!(component(first, "borg-rpe")["valueInteger"], 13);
    assert_eq!(component(first, "near-falls")["valueInteger"], 0);
    assert_eq!(component(sessions[1], "near-falls")["valueInteger"], 1);
    assert_eq!(
        component(first, "falls")["valueInteger"],
        0,
        "falls are carried too"
    );
    assert_eq!(
        component(sessions[1], "borg-rpe"),
        Value::Null,
        "none given"
    );
    assert!(
        sessions[1].get("hasMember").is_none(),
        "no pain given, none made up"
    );
    // Pain before and after: two survey Observations with LOINC 72514-3, told apart by ours.
    let members = first["hasMember"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    let pains: Vec<&&Value> = observations
        .iter()
        .filter(|o| o["code"]["coding"][0]["code"] == "72514-3")
        .collect();
    assert_eq!(
        pains.len(),
        4 + 2,
        "two sessions with pain, and the pain change"
    );
    let before = pains
        .iter()
        .find(|p| p["code"]["coding"][1]["code"] == "pain-before-session")
        .unwrap();
    assert_eq!(before["valueInteger"], 4);
    assert_eq!(before["category"][0]["coding"][0]["code"], "survey");
    // Logged against a plan: based on its CarePlan; without one, on nothing.
    assert!(first["basedOn"][0]["reference"].as_str().is_some());
    assert!(sessions[3].get("basedOn").is_none());
}

#[test]
fn plans_are_care_plans_with_status_author_and_protocol() {
    let bundle = fhir::bundle(&support::rich_record()).unwrap();
    let plans = of_type(&bundle, "CarePlan");
    assert_eq!(plans.len(), 2);
    assert_eq!(plans[0]["status"], "revoked", "replaced before its end");
    assert_eq!(plans[0]["intent"], "plan");
    assert_eq!(plans[1]["status"], "active");
    assert_eq!(plans[1]["intent"], "order");
    assert_eq!(plans[0]["period"]["start"], "2026-11-02");
    assert_eq!(plans[0]["period"]["end"], "2026-11-29");
    let practitioner = of_type(&bundle, "Practitioner")
        .into_iter()
        .find(|p| p["telecom"][0]["value"] == "physio@example.org")
        .unwrap();
    assert_eq!(
        plans[1]["author"]["reference"],
        format!("urn:uuid:{}", practitioner["id"].as_str().unwrap())
    );
    let protocol = &plans[0]["extension"][0];
    assert!(protocol["url"].as_str().unwrap().ends_with("/protocol"));
    let sub = |name: &str| {
        protocol["extension"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["url"] == name)
            .cloned()
            .unwrap()
    };
    let knee = coach::protocol::default_protocol(coach::protocol::Goal::Knee);
    assert_eq!(sub("id")["valueString"], knee.id);
    assert_eq!(sub("citation")["valueString"], knee.source.reference);
    assert_eq!(plans[0]["instantiatesUri"][0], knee.source.link().unwrap());
    let activities = plans[0]["activity"].as_array().unwrap();
    assert_eq!(activities.len(), 12, "4 weeks of 3 sessions");
    assert_eq!(activities.last().unwrap()["detail"]["status"], "cancelled");
    assert_eq!(
        plans[1]["activity"].as_array().unwrap().last().unwrap()["detail"]["status"],
        "scheduled"
    );
    // A plan whose end has passed is completed, whatever replaced it.
    let mut later = support::rich_record();
    later.exported_at = support::at("2026-12-31T12:00:00Z");
    let b = fhir::bundle(&later).unwrap();
    assert_eq!(of_type(&b, "CarePlan")[0]["status"], "completed");
}

#[test]
fn grants_are_consents_and_the_log_audit_events() {
    let bundle = fhir::bundle(&support::rich_record()).unwrap();
    let consents = of_type(&bundle, "Consent");
    assert_eq!(consents.len(), 2);
    assert_eq!(consents[0]["status"], "inactive");
    assert_eq!(
        consents[0]["provision"]["period"]["end"],
        "2026-11-08T12:00:00.000Z"
    );
    assert_eq!(consents[1]["status"], "active");
    assert!(consents[1]["provision"]["period"].get("end").is_none());
    assert_eq!(consents[1]["scope"]["coding"][0]["code"], "patient-privacy");
    let shared: Vec<&str> = consents[1]["provision"]["code"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["coding"][0]["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        shared,
        ["plans", "sessions", "assessments", "motion-analyses"]
    );
    assert_eq!(
        consents[1]["provision"]["provision"][0]["action"][0]["coding"][0]["code"],
        "correct"
    );
    let events = of_type(&bundle, "AuditEvent");
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["R", "R", "U", "R"]);
    assert_ne!(
        events[0]["id"], events[1]["id"],
        "two reads in one millisecond"
    );
    assert_eq!(events[0]["type"]["code"], "rest");
    assert_eq!(
        events[0]["entity"][0]["description"],
        "GET /api/v1/clinician/walkers/{id}/sessions"
    );
    assert_eq!(events[0]["agent"][0]["requestor"], true);
    // The deleted account's clinician is still named, by email.
    assert_eq!(of_type(&bundle, "Practitioner").len(), 3);
    let patient = &of_type(&bundle, "Patient")[0];
    assert_eq!(patient["birthDate"], "1959");
    assert_eq!(patient["telecom"][0]["value"], "walker@example.org");
}

#[test]
fn tests_are_exam_observations_in_seconds_with_their_interpretation() {
    let bundle = fhir::bundle(&support::rich_record()).unwrap();
    let exams: Vec<&Value> = of_type(&bundle, "Observation")
        .into_iter()
        .filter(|o| o["category"][0]["coding"][0]["code"] == "exam")
        .collect();
    assert_eq!(exams.len(), 2);
    let walk = exams[0];
    assert_eq!(
        walk["code"]["coding"][0]["code"],
        "three-metre-backward-walk-test"
    );
    assert_eq!(walk["valueQuantity"]["value"], 4.8);
    assert_eq!(walk["valueQuantity"]["code"], "s");
    // 4.8 s is past the older adults' 4.5 s high-risk cut-off.
    assert_eq!(
        walk["interpretation"][0]["coding"][0]["code"],
        "fall-risk-high"
    );
    assert!(walk["interpretation"][0]["text"].as_str().unwrap().len() > 10);
    let stance = exams[1];
    assert_eq!(stance["code"]["coding"][0]["code"], "single-leg-stance");
    assert!(
        stance["interpretation"][0]["coding"][0]["code"]
            .as_str()
            .unwrap()
            .contains("age-norm")
    );
}

#[test]
fn screenings_are_questionnaire_responses_with_every_answer() {
    let bundle = fhir::bundle(&support::rich_record()).unwrap();
    let responses = of_type(&bundle, "QuestionnaireResponse");
    assert_eq!(responses.len(), 2);
    let items = responses[1]["item"].as_array().unwrap();
    assert_eq!(items.len(), coach::screening::QUESTIONS.len() + 1);
    assert_eq!(items[0]["answer"][0]["valueInteger"], 67);
    let fall = items
        .iter()
        .find(|i| i["linkId"] == "fall_last_12_months")
        .unwrap();
    assert_eq!(fall["answer"][0]["valueBoolean"], true);
    assert_eq!(responses[1]["status"], "completed");
    assert_eq!(responses[1]["authored"], "2026-11-10T10:00:00.000Z");
}

proptest! {
    /// Whatever the sessions' offsets, scores and plans, references resolve and ids are unique.
    #[test]
    fn references_resolve_for_any_sessions(
        offsets in proptest::collection::vec(-50_400i32..=50_400, 0..6),
        pains in proptest::collection::vec(proptest::option::of(0u8..=10), 6),
        plan in proptest::option::of(1i64..=3),
    ) {
        let mut record = support::rich_record();
        let template = record.sessions[0].clone();
        record.sessions = offsets.iter().enumerate().map(|(i, offset)| {
            let mut s = template.clone();
            s.id = i as i64 + 1;
            s.entry.utc_offset_seconds = *offset;
            s.entry.pain_before = pains[i].map(|p| coach::measure::PainScore::new(p).unwrap());
            s.entry.plan_id = plan;
            s
        }).collect();
        let bundle = fhir::bundle(&record).unwrap();
        check_references(&bundle);
        for o in of_type(&bundle, "Observation") {
            let when = o["effectiveDateTime"].as_str().unwrap();
            prop_assert!(when.ends_with('Z') || when.len() == 25, "{}", when);
        }
    }
}

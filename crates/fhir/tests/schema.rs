//! The export checked against the official FHIR R4 JSON schema (`testdata/fhir.schema.json.gz`,
//! see `testdata/README.md`): the whole bundle, and each resource against its own definition
//! so that a failure names the resource and the field.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

mod support;

use serde_json::{Value, json};

fn schema() -> Value {
    // Kept gzipped: 3.4 MB of JSON is 0.2 MB so.
    let packed: &[u8] = include_bytes!("../testdata/fhir.schema.json.gz");
    serde_json::from_reader(flate2::read::GzDecoder::new(packed)).unwrap()
}

/// The schema with its root narrowed to one definition.
fn schema_for(root: &Value, definition: &str) -> Value {
    let mut s = root.clone();
    let map = s.as_object_mut().unwrap();
    map.remove("discriminator");
    map.insert(
        "oneOf".into(),
        json!([{ "$ref": format!("#/definitions/{definition}") }]),
    );
    s
}

fn errors(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::draft6::new(schema).unwrap();
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_rich_record_is_a_valid_r4_bundle() {
    let root = schema();
    let bundle = fhir::bundle(&support::rich_record()).unwrap();
    let entries = bundle["entry"].as_array().unwrap();
    assert!(entries.len() >= 28, "a rich record: {}", entries.len());
    for entry in entries {
        let resource = &entry["resource"];
        let kind = resource["resourceType"].as_str().unwrap();
        let found = errors(&schema_for(&root, kind), resource);
        assert!(found.is_empty(), "{kind} {}: {found:#?}", resource["id"]);
    }
    let found = errors(&schema_for(&root, "Bundle"), &bundle);
    assert!(found.is_empty(), "bundle: {found:#?}");
    assert!(errors(&root, &bundle).is_empty(), "the schema's own root");
}

#[test]
fn an_empty_record_is_a_valid_bundle_too() {
    let mut record = support::rich_record();
    record.email = None;
    record.birth_year = None;
    record.screenings.clear();
    record.plans.clear();
    record.sessions.clear();
    record.assessments.clear();
    record.grants.clear();
    record.access_log.clear();
    let bundle = fhir::bundle(&record).unwrap();
    assert_eq!(bundle["entry"].as_array().unwrap().len(), 1, "the patient");
    assert!(errors(&schema(), &bundle).is_empty());
}

/// The validator is not vacuous: what R4 forbids is refused.
#[test]
fn the_schema_refuses_what_r4_forbids() {
    let root = schema();
    let bundle = fhir::bundle(&support::rich_record()).unwrap();
    let observation = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"].clone())
        .find(|r| r["resourceType"] == "Observation")
        .unwrap();
    let observation_schema = schema_for(&root, "Observation");
    assert!(errors(&observation_schema, &observation).is_empty());
    for (field, bad) in [
        ("status", json!("done")),
        ("effectiveDateTime", json!("3 November")),
        ("valueQuantity", json!({ "value": "twelve" })),
        ("retroWalking", json!(true)),
    ] {
        let mut broken = observation.clone();
        broken[field] = bad;
        assert!(
            !errors(&observation_schema, &broken).is_empty(),
            "{field} should be refused"
        );
    }
    let mut broken = bundle.clone();
    broken["type"] = json!("bag");
    assert!(!errors(&root, &broken).is_empty());
}

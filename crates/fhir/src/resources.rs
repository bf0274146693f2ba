//! The mapping, resource by resource. Each function returns one resource as JSON; [`Builder`]
//! gives each its stable id and collects them into the bundle.

use crate::{
    CODE_SYSTEM, Clinician, EXTENSION_BASE, FhirError, LOINC, Record, SCREENING_QUESTIONNAIRE,
    UCUM, stable_uuid,
};
use coach::screening::QUESTIONS;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use store::{
    AccessAction, AccessEntry, Assessment, AssessmentKind, ClinicianChange, Grant, Id,
    LoggedSession, Screening, SharedData, StoredPlan,
};

/// HL7's observation categories.
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// LOINC 55411-3, "Exercise duration" (minutes): the session's length. LOINC 73985-4 "Exercise
/// activity" is nominal (its value is the kind of exercise), so the minutes go here.
pub(crate) const EXERCISE_DURATION: (&str, &str) = ("55411-3", "Exercise duration");
/// LOINC 73985-4, "Exercise activity": the kind of exercise, as the Physical Activity IG uses it.
pub(crate) const EXERCISE_ACTIVITY: (&str, &str) = ("73985-4", "Exercise activity");
/// LOINC 72514-3: the 0-10 pain score the walker reports.
pub(crate) const PAIN_SEVERITY: (&str, &str) = (
    "72514-3",
    "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
);

/// Builds one bundle.
pub(crate) struct Builder<'a> {
    record: &'a Record,
    entries: Vec<Value>,
}

/// Who a practitioner is: their account, or only the email a deleted account left.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum PractitionerKey {
    Account(Id),
    Former(String),
}

impl PractitionerKey {
    fn of(id: Option<Id>, email: &str) -> Self {
        match id {
            Some(id) => PractitionerKey::Account(id),
            None => PractitionerKey::Former(email.to_string()),
        }
    }

    fn uuid(&self) -> String {
        match self {
            PractitionerKey::Account(id) => stable_uuid(&format!("practitioner/{id}")),
            PractitionerKey::Former(email) => stable_uuid(&format!("practitioner-email/{email}")),
        }
    }
}

fn reference(uuid: &str) -> Value {
    json!({ "reference": format!("urn:uuid:{uuid}") })
}

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({ "system": system, "code": code, "display": display })
}

fn concept(system: &str, code: &str, display: &str) -> Value {
    json!({ "coding": [coding(system, code, display)], "text": display })
}

fn local(code: &str, display: &str) -> Value {
    concept(CODE_SYSTEM, code, display)
}

fn category(code: &str, display: &str) -> Value {
    json!([concept(OBSERVATION_CATEGORY, code, display)])
}

fn quantity(value: f64, unit: &str) -> Value {
    json!({ "value": value, "unit": unit, "system": UCUM, "code": unit })
}

/// Minutes to two decimals: a whole number of seconds needs no more.
fn minutes(seconds: u32) -> f64 {
    (f64::from(seconds) / 60.0 * 100.0).round() / 100.0
}

/// A FHIR `instant`/`dateTime` in UTC, to the millisecond.
fn instant(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A FHIR `dateTime` at the walker's UTC offset, as they lived it. FHIR's offsets reach ±14:00;
/// one outside (never stored by this version) falls back to UTC rather than be invalid.
fn local_time(at: Timestamp, offset_seconds: i32) -> String {
    match Offset::from_seconds(offset_seconds) {
        Ok(offset) if offset_seconds.abs() <= 14 * 3600 && offset_seconds % 60 == 0 => at
            .to_zoned(TimeZone::fixed(offset))
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        _ => instant(at),
    }
}

fn date(d: Date) -> String {
    d.strftime("%Y-%m-%d").to_string()
}

impl<'a> Builder<'a> {
    pub(crate) fn new(record: &'a Record) -> Self {
        Builder {
            record,
            entries: Vec::new(),
        }
    }

    fn walker(&self) -> Id {
        self.record.walker_id
    }

    fn uuid(&self, kind: &str, id: impl std::fmt::Display) -> String {
        stable_uuid(&format!("{kind}/{}/{id}", self.walker()))
    }

    fn patient_uuid(&self) -> String {
        stable_uuid(&format!("patient/{}", self.walker()))
    }

    fn patient_ref(&self) -> Value {
        reference(&self.patient_uuid())
    }

    fn device_uuid(&self) -> String {
        stable_uuid("device/retrostride")
    }

    fn push(&mut self, uuid: &str, mut resource: Value) {
        if let Some(fields) = resource.as_object_mut() {
            fields.insert("id".into(), Value::String(uuid.to_string()));
        }
        self.entries.push(json!({
            "fullUrl": format!("urn:uuid:{uuid}"),
            "resource": resource,
        }));
    }

    pub(crate) fn bundle(mut self) -> Result<Value, FhirError> {
        let record = self.record;
        self.push(&self.patient_uuid(), self.patient());
        for (key, email) in self.practitioners() {
            self.push(&key.uuid(), practitioner(email.as_deref()));
        }
        if !record.access_log.is_empty() {
            self.push(
                &self.device_uuid(),
                json!({
                    "resourceType": "Device",
                    "deviceName": [{ "name": "Retrostride", "type": "user-friendly-name" }],
                }),
            );
        }
        if !record.screenings.is_empty() {
            self.push(&stable_uuid("questionnaire/screening"), questionnaire());
        }
        for s in &record.screenings {
            let resource = self.screening(s);
            self.push(&self.uuid("screening", s.id), resource);
        }
        for p in &record.plans {
            let resource = self.care_plan(p)?;
            self.push(&self.uuid("plan", p.plan.id), resource);
        }
        let plans: BTreeSet<Id> = record.plans.iter().map(|p| p.plan.id).collect();
        for s in &record.sessions {
            self.session(s, &plans);
        }
        for a in &record.assessments {
            self.assessment(a);
        }
        for g in &record.grants {
            let resource = self.consent(g);
            self.push(&self.uuid("grant", g.id), resource);
        }
        let mut seen: BTreeMap<String, u32> = BTreeMap::new();
        for e in &record.access_log {
            // Log lines have no id: name them by their content, counting repeats within one
            // millisecond so two identical reads still get two ids.
            let key = format!(
                "{}/{}/{}/{}",
                e.at.as_millisecond(),
                e.clinician_email,
                e.route,
                e.what
            );
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            let uuid = self.uuid("access", format!("{key}/{n}"));
            let resource = self.audit_event(e);
            self.push(&uuid, resource);
        }
        Ok(json!({
            "resourceType": "Bundle",
            "id": stable_uuid(&format!(
                "bundle/{}/{}",
                self.walker(),
                record.exported_at.as_millisecond()
            )),
            "type": "collection",
            "timestamp": instant(record.exported_at),
            "entry": self.entries,
        }))
    }

    fn patient(&self) -> Value {
        let mut p = json!({ "resourceType": "Patient", "active": true });
        if let Some(email) = &self.record.email {
            p["telecom"] = json!([{ "system": "email", "value": email, "use": "home" }]);
        }
        // FHIR dates have four-digit years from 0001.
        if let Some(year) = self.record.birth_year.filter(|y| (1..=9999).contains(y)) {
            p["birthDate"] = json!(format!("{year:04}"));
        }
        p
    }

    /// Every clinician the record names, each once.
    fn practitioners(&self) -> BTreeMap<PractitionerKey, Option<String>> {
        let mut all = BTreeMap::new();
        for g in &self.record.grants {
            all.insert(
                PractitionerKey::of(Some(g.clinician_id), &g.clinician_email),
                Some(g.clinician_email.clone()),
            );
        }
        for e in &self.record.access_log {
            all.insert(
                PractitionerKey::of(e.clinician_id, &e.clinician_email),
                Some(e.clinician_email.clone()),
            );
        }
        for p in &self.record.plans {
            if let Some(author) = p.plan.author_id {
                let email = self.author_email(author);
                all.entry(PractitionerKey::Account(author))
                    .and_modify(|known: &mut Option<String>| {
                        if known.is_none() {
                            known.clone_from(&email);
                        }
                    })
                    .or_insert(email);
            }
        }
        all
    }

    fn author_email(&self, author: Id) -> Option<String> {
        self.record
            .plan_authors
            .iter()
            .find(|c: &&Clinician| c.id == Some(author))
            .map(|c| c.email.clone())
    }

    fn screening(&self, s: &Screening) -> Value {
        let answers = &s.screening.answers;
        let mut items = vec![json!({
            "linkId": "age",
            "text": "Age in whole years",
            "answer": [{ "valueInteger": answers.age.value() }],
        })];
        for q in QUESTIONS {
            if let Some(answer) = answers.answer(q.id) {
                items.push(json!({
                    "linkId": q.id,
                    "text": q.text,
                    "answer": [{ "valueBoolean": answer }],
                }));
            }
        }
        json!({
            "resourceType": "QuestionnaireResponse",
            "extension": [{
                "url": format!("{EXTENSION_BASE}/clearance"),
                "valueCode": s.screening.clearance.as_str(),
            }],
            "questionnaire": SCREENING_QUESTIONNAIRE,
            "status": "completed",
            "subject": self.patient_ref(),
            "authored": instant(s.screening.taken_at),
            "author": self.patient_ref(),
            "source": self.patient_ref(),
            "item": items,
        })
    }

    fn care_plan(&self, stored: &StoredPlan) -> Result<Value, FhirError> {
        let plan = &stored.plan;
        let fields = &plan.fields;
        let days = i64::from(fields.weeks.get()) * 7 - 1;
        let end = fields
            .start
            .checked_add(jiff::Span::new().days(days))
            .map_err(|_| FhirError::PlanEnd { plan: plan.id })?;
        let today = self.record.exported_at.to_zoned(TimeZone::UTC).date();
        // A plan ends by running its course (completed) or by a new plan replacing it
        // (revoked: the walker or their clinician stopped it early).
        let status = if end < today {
            "completed"
        } else if plan.active {
            "active"
        } else {
            "revoked"
        };
        let protocol = coach::protocol::protocol(&fields.protocol_id);
        let author = match plan.author_id {
            Some(id) => reference(&PractitionerKey::Account(id).uuid()),
            None => self.patient_ref(),
        };
        let mut extension = vec![json!({ "url": "id", "valueString": fields.protocol_id })];
        let mut resource = json!({
            "resourceType": "CarePlan",
            "status": status,
            // A clinician's plan is their order; the walker's own is a plan.
            "intent": if plan.author_id.is_some() { "order" } else { "plan" },
            "category": [local("retro-walking-plan", "Retro walking plan")],
            "subject": self.patient_ref(),
            "period": { "start": date(fields.start), "end": date(end) },
            "created": instant(plan.created_at),
            "author": author,
            "note": [{ "text": format!(
                "Goal: {}. Setting: {}. {} sessions a week for {} weeks, made under clearance {}.",
                fields.goal.as_str(),
                fields.setting.as_str(),
                fields.days_per_week.get(),
                fields.weeks.get(),
                fields.clearance.as_str(),
            ) }],
        });
        if let Some(protocol) = protocol {
            resource["title"] = json!(protocol.name);
            resource["description"] = json!(protocol.dose);
            let source = protocol.source;
            extension.push(json!({ "url": "name", "valueString": protocol.name }));
            extension.push(json!({ "url": "citation", "valueString": source.reference }));
            extension
                .push(json!({ "url": "evidence", "valueString": protocol.strength.describe() }));
            if let Some(doi) = source.doi {
                extension.push(json!({ "url": "doi", "valueString": doi }));
            }
            if let Some(link) = source.link() {
                extension.push(json!({ "url": "link", "valueUri": link }));
                resource["instantiatesUri"] = json!([link]);
            }
        } else {
            resource["title"] = json!(fields.protocol_id);
        }
        resource["extension"] = json!([{
            "url": format!("{EXTENSION_BASE}/protocol"),
            "extension": extension,
        }]);
        let activities: Vec<Value> = stored
            .sessions
            .iter()
            .map(|s| {
                let s = &s.session;
                // Whether a past session was done is in the sessions' Observations (basedOn
                // this plan), not here: logged sessions are not tied to planned ones.
                let detail_status = if s.date >= today {
                    if status == "active" {
                        "scheduled"
                    } else {
                        "cancelled"
                    }
                } else {
                    "unknown"
                };
                json!({ "detail": {
                    "code": local("retro-walking-session", "Retro walking session"),
                    "status": detail_status,
                    "scheduledPeriod": { "start": date(s.date), "end": date(s.date) },
                    "description": format!(
                        "Session {} (week {}): {} min, of which {} min backward",
                        s.number,
                        s.week,
                        minutes(s.total_seconds),
                        minutes(s.backward_seconds),
                    ),
                }})
            })
            .collect();
        if !activities.is_empty() {
            resource["activity"] = json!(activities);
        }
        Ok(resource)
    }

    fn session(&mut self, s: &LoggedSession, plans: &BTreeSet<Id>) {
        let e = &s.entry;
        let when = local_time(e.started_at, e.utc_offset_seconds);
        let mut members = Vec::new();
        for (pain, code, display) in [
            (
                e.pain_before,
                "pain-before-session",
                "Pain before the session",
            ),
            (e.pain_after, "pain-after-session", "Pain after the session"),
        ] {
            if let Some(pain) = pain {
                let uuid = self.uuid(code, s.id);
                let resource = self.pain(code, display, pain.value(), &when);
                self.push(&uuid, resource);
                members.push(reference(&uuid));
            }
        }
        let mut components = vec![
            json!({
                "code": concept(LOINC, EXERCISE_DURATION.0, EXERCISE_DURATION.1),
                "valueQuantity": quantity(minutes(e.total_seconds), "min"),
            }),
            json!({
                "code": local("backward-minutes", "Minutes walked backward"),
                "valueQuantity": quantity(minutes(e.backward_seconds), "min"),
            }),
        ];
        if let Some(rpe) = e.rpe {
            components.push(json!({
                "code": local("borg-rpe", "Rating of perceived exertion (Borg 6-20)"),
                "valueInteger": rpe.value(),
            }));
        }
        components.push(json!({
            "code": local("near-falls", "Near-falls during the session"),
            "valueInteger": e.near_falls,
        }));
        components.push(json!({
            "code": local("falls", "Falls during the session (ended up on the ground)"),
            "valueInteger": e.falls,
        }));
        components.push(json!({
            "code": local("felt-safe", "Felt safe throughout"),
            "valueBoolean": e.felt_safe,
        }));
        let sport = e.sport.as_str();
        let mut resource = json!({
            "resourceType": "Observation",
            "status": "final",
            "category": category("activity", "Activity"),
            "code": concept(LOINC, EXERCISE_ACTIVITY.0, EXERCISE_ACTIVITY.1),
            "subject": self.patient_ref(),
            "effectiveDateTime": when,
            "issued": instant(s.created_at),
            "valueCodeableConcept": local(sport, &format!("{sport} ({} setting)", e.setting.as_str())),
            "component": components,
        });
        if let Some(plan) = e.plan_id.filter(|p| plans.contains(p)) {
            resource["basedOn"] = json!([reference(&self.uuid("plan", plan))]);
        }
        if !members.is_empty() {
            resource["hasMember"] = json!(members);
        }
        if !e.notes.trim().is_empty() {
            resource["note"] = json!([{ "text": e.notes }]);
        }
        let uuid = self.uuid("session", s.id);
        self.push(&uuid, resource);
    }

    fn pain(&self, code: &str, display: &str, score: u8, when: &str) -> Value {
        json!({
            "resourceType": "Observation",
            "status": "final",
            "category": category("survey", "Survey"),
            "code": {
                "coding": [
                    coding(LOINC, PAIN_SEVERITY.0, PAIN_SEVERITY.1),
                    coding(CODE_SYSTEM, code, display),
                ],
                "text": format!("{display} (0-10)"),
            },
            "subject": self.patient_ref(),
            "effectiveDateTime": when,
            "valueInteger": score,
        })
    }

    fn assessment(&mut self, a: &Assessment) {
        let x = &a.assessment;
        let when = instant(x.taken_at);
        let interpretation_text = x.result.get("interpretation").and_then(Value::as_str);
        match x.kind {
            AssessmentKind::ThreeMbwt | AssessmentKind::SingleLegStance => {
                let (code, display, kind) = if x.kind == AssessmentKind::ThreeMbwt {
                    (
                        "three-metre-backward-walk-test",
                        "3-metre backward walk test, time",
                        "3mbwt",
                    )
                } else {
                    (
                        "single-leg-stance",
                        "Single-leg stance, best of three",
                        "stance",
                    )
                };
                let mut resource = json!({
                    "resourceType": "Observation",
                    "status": "final",
                    "category": category("exam", "Exam"),
                    "code": local(code, display),
                    "subject": self.patient_ref(),
                    "effectiveDateTime": when,
                    "valueQuantity": quantity(x.value, "s"),
                });
                let interpretation = if x.kind == AssessmentKind::ThreeMbwt {
                    match x.result.get("risk").and_then(Value::as_str) {
                        Some(risk @ ("low" | "intermediate" | "high")) => Some(coding(
                            CODE_SYSTEM,
                            &format!("fall-risk-{risk}"),
                            &format!("{risk} fall risk by the published cut-off"),
                        )),
                        _ => None,
                    }
                } else {
                    match x.result.get("at_or_above_norm").and_then(Value::as_bool) {
                        Some(true) => Some(coding(
                            CODE_SYSTEM,
                            "at-or-above-age-norm",
                            "At or above the mean for the age band",
                        )),
                        Some(false) => Some(coding(
                            CODE_SYSTEM,
                            "below-age-norm",
                            "Below the mean for the age band",
                        )),
                        None => None,
                    }
                };
                if interpretation.is_some() || interpretation_text.is_some() {
                    let mut i = json!({});
                    if let Some(c) = interpretation {
                        i["coding"] = json!([c]);
                    }
                    if let Some(t) = interpretation_text {
                        i["text"] = json!(t);
                    }
                    resource["interpretation"] = json!([i]);
                }
                let uuid = self.uuid(kind, a.id);
                self.push(&uuid, resource);
            }
            AssessmentKind::PainChange => {
                for (field, code, display) in [
                    ("before", "pain-change-before", "Pain before (pain change)"),
                    ("after", "pain-change-after", "Pain after (pain change)"),
                ] {
                    let score = x
                        .inputs
                        .get(field)
                        .and_then(Value::as_u64)
                        .and_then(|v| u8::try_from(v).ok())
                        .filter(|v| *v <= 10);
                    if let Some(score) = score {
                        let uuid = self.uuid(code, a.id);
                        let resource = self.pain(code, display, score, &when);
                        self.push(&uuid, resource);
                    }
                }
            }
        }
    }

    fn consent(&self, g: &Grant) -> Value {
        let practitioner = PractitionerKey::of(Some(g.clinician_id), &g.clinician_email).uuid();
        let mut period = json!({ "start": instant(g.granted_at) });
        if let Some(revoked) = g.revoked_at {
            period["end"] = json!(instant(revoked));
        }
        let reads: Vec<Value> = g.scope.reads.iter().map(|d| shared_data(*d)).collect();
        let classes: BTreeSet<&str> = g
            .scope
            .reads
            .iter()
            .map(|d| match d {
                SharedData::Plans => "CarePlan",
                SharedData::Sessions | SharedData::Assessments | SharedData::MotionAnalyses => {
                    "Observation"
                }
            })
            .collect();
        let mut provision = json!({
            "type": "permit",
            "period": period,
            "actor": [{
                "role": concept(
                    "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                    "PRCP",
                    "primary information recipient",
                ),
                "reference": reference(&practitioner),
            }],
            "action": [concept("http://terminology.hl7.org/CodeSystem/consentaction", "access", "Access")],
            "class": classes.iter().map(|c| json!({ "system": "http://hl7.org/fhir/resource-types", "code": c })).collect::<Vec<_>>(),
            "code": reads,
        });
        let changes: Vec<Value> = g
            .scope
            .changes
            .iter()
            .map(|c| match c {
                ClinicianChange::PlanAndProgression => {
                    local("plan-and-progression", "The plan and its progression rules")
                }
            })
            .collect();
        if !changes.is_empty() {
            provision["provision"] = json!([{
                "type": "permit",
                "action": [concept("http://terminology.hl7.org/CodeSystem/consentaction", "correct", "Access and Correct")],
                "code": changes,
            }]);
        }
        json!({
            "resourceType": "Consent",
            "status": if g.revoked_at.is_some() { "inactive" } else { "active" },
            "scope": concept(
                "http://terminology.hl7.org/CodeSystem/consentscope",
                "patient-privacy",
                "Privacy Consent",
            ),
            // LOINC 59284-0, the consent category FHIR R4's own Consent examples use.
            "category": [{
                "coding": [{ "system": LOINC, "code": "59284-0" }],
                "text": "Consent to share with a clinician",
            }],
            "patient": self.patient_ref(),
            "dateTime": instant(g.granted_at),
            "performer": [self.patient_ref()],
            "policyRule": concept("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", "opt-in"),
            "provision": provision,
        })
    }

    fn audit_event(&self, e: &AccessEntry) -> Value {
        let (action, interaction) = match e.action {
            AccessAction::Read => ("R", "read"),
            AccessAction::Change => ("U", "update"),
        };
        let practitioner = PractitionerKey::of(e.clinician_id, &e.clinician_email).uuid();
        json!({
            "resourceType": "AuditEvent",
            "type": coding(
                "http://terminology.hl7.org/CodeSystem/audit-event-type",
                "rest",
                "RESTful Operation",
            ),
            "subtype": [coding("http://hl7.org/fhir/restful-interaction", interaction, interaction)],
            "action": action,
            "recorded": instant(e.at),
            "outcome": "0",
            "agent": [{
                "who": reference(&practitioner),
                "name": e.clinician_email,
                "requestor": true,
            }],
            "source": {
                "observer": reference(&self.device_uuid()),
                "type": [coding(
                    "http://terminology.hl7.org/CodeSystem/security-source-type",
                    "4",
                    "Application Server",
                )],
            },
            "entity": [{
                "what": self.patient_ref(),
                "type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"),
                "role": coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"),
                "name": e.what,
                "description": e.route,
            }],
        })
    }
}

fn practitioner(email: Option<&str>) -> Value {
    let mut p = json!({ "resourceType": "Practitioner" });
    if let Some(email) = email {
        p["telecom"] = json!([{ "system": "email", "value": email, "use": "work" }]);
    }
    p
}

fn shared_data(d: SharedData) -> Value {
    match d {
        SharedData::Plans => local("plans", "Plans and their planned sessions"),
        SharedData::Sessions => local(
            "sessions",
            "Logged sessions, with pain, effort and near-falls",
        ),
        SharedData::Assessments => local(
            "assessments",
            "Assessments (3MBWT, single-leg stance, pain change)",
        ),
        SharedData::MotionAnalyses => local("motion-analyses", "Motion analyses of sessions"),
    }
}

/// The screening's questions, so the responses' `questionnaire` resolves inside the bundle.
fn questionnaire() -> Value {
    let mut items = vec![json!({
        "linkId": "age",
        "text": "Age in whole years",
        "type": "integer",
        "required": true,
    })];
    items.extend(
        QUESTIONS.iter().map(
            |q| json!({ "linkId": q.id, "text": q.text, "type": "boolean", "required": true }),
        ),
    );
    json!({
        "resourceType": "Questionnaire",
        "url": SCREENING_QUESTIONNAIRE,
        "name": "RetrostrideScreening",
        "title": "Retrostride screening before retro walking (PAR-Q+ topics and backward-walking risks)",
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_have_two_decimals_at_most() {
        assert_eq!(minutes(0), 0.0);
        assert_eq!(minutes(90), 1.5);
        assert_eq!(minutes(550), 9.17);
        assert_eq!(minutes(600), 10.0);
    }

    #[test]
    fn times_are_fhir_instants_and_local_date_times() {
        let at: Timestamp = "2026-11-03T07:30:00.25Z".parse().unwrap();
        assert_eq!(instant(at), "2026-11-03T07:30:00.250Z");
        assert_eq!(local_time(at, 3600), "2026-11-03T08:30:00+01:00");
        assert_eq!(
            local_time(at, -9 * 3600 - 1800),
            "2026-11-02T22:00:00-09:30"
        );
        assert_eq!(local_time(at, 14 * 3600), "2026-11-03T21:30:00+14:00");
        // Offsets FHIR cannot write (past ±14:00, or with seconds) fall back to UTC.
        assert_eq!(local_time(at, 15 * 3600), "2026-11-03T07:30:00.250Z");
        assert_eq!(local_time(at, 3601), "2026-11-03T07:30:00.250Z");
        assert_eq!(local_time(at, i32::MAX), "2026-11-03T07:30:00.250Z");
    }

    #[test]
    fn a_practitioner_is_their_account_or_else_their_email() {
        let account = PractitionerKey::of(Some(3), "a@example.org");
        assert_eq!(account, PractitionerKey::of(Some(3), "renamed@example.org"));
        assert_ne!(
            account.uuid(),
            PractitionerKey::of(None, "a@example.org").uuid()
        );
        assert_eq!(
            PractitionerKey::of(None, "a@example.org").uuid(),
            PractitionerKey::of(None, "a@example.org").uuid()
        );
    }

    #[test]
    fn a_birth_year_fhir_cannot_write_is_left_out() {
        let record = |year| Record {
            walker_id: 1,
            email: None,
            birth_year: Some(year),
            exported_at: Timestamp::UNIX_EPOCH,
            screenings: vec![],
            plans: vec![],
            sessions: vec![],
            assessments: vec![],
            grants: vec![],
            access_log: vec![],
            plan_authors: vec![],
        };
        assert_eq!(Builder::new(&record(1959)).patient()["birthDate"], "1959");
        assert!(
            Builder::new(&record(0))
                .patient()
                .get("birthDate")
                .is_none()
        );
        assert!(
            Builder::new(&record(-5))
                .patient()
                .get("birthDate")
                .is_none()
        );
        assert!(
            Builder::new(&record(1959))
                .patient()
                .get("telecom")
                .is_none()
        );
    }
}

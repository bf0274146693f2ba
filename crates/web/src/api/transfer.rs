//! Export of everything a person owns as one JSON document, and import of it into an empty
//! account.
//!
//! An import is held to the API's own rules before anything is written: a document the API
//! could not have produced (a protocol this version does not know, a 1 MB note, totals that do
//! not match their blocks, an active plan under a `see_clinician_first` screening...) is refused
//! whole with a 422 naming each bad field by its path in the document, such as
//! `plans[0].protocol_id` or `sessions[3].notes`. What passes is written by the store in one
//! transaction, so an import lands completely or not at all.

use crate::AppState;
use crate::api::records::body_mass_day_error;
use crate::api::records::{SEE_CLINICIAN_FIRST, birth_year_error, known_protocol};
use crate::api::sessions::{
    block_count_error, block_direction_error, block_seconds_error, block_speed, notes_error,
    session_length_error, start_error,
};
use crate::auth::Caller;
use crate::problem::{ApiError, ApiJson, FieldError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use coach::energy::Direction;
use coach::measure::BodyMass;
use coach::screening::{Clearance, Precaution};
use std::collections::HashSet;
use store::{
    AssessmentKind, BodyMassEntry, EXPORT_FORMAT, EXPORT_VERSION, EXPORT_VERSIONS_READ, Export,
    LoggedBlock,
};

/// Most logged sessions in one document: ten a day for almost three years. (30,000 took 6 s to
/// import and the account's pages slowed with them.)
pub(crate) const MAX_SESSIONS: usize = 10_000;
/// Most assessments in one document.
pub(crate) const MAX_ASSESSMENTS: usize = 10_000;
/// Most screenings in one document.
pub(crate) const MAX_SCREENINGS: usize = 1_000;
/// Most plans in one document.
pub(crate) const MAX_PLANS: usize = 1_000;
/// Most invalid fields named in one refusal; the detail says how many more there were.
pub(crate) const MAX_ERRORS: usize = 50;
/// Headroom over this version's energy estimate at the heaviest body mass it accepts, for a
/// session estimated by an earlier version's tables.
const KCAL_HEADROOM: f64 = 1.5;
/// The widest UTC offset a session may carry, seconds: the API takes it from an RFC 3339 time,
/// whose offsets jiff reads up to ±25:59:59.
const MAX_UTC_OFFSET_SECONDS: i32 = 25 * 3600 + 59 * 60 + 59;

/// The caller's data as one document that `POST /api/v1/import` takes back.
#[utoipa::path(get, path = "/api/v1/export", responses((status = 200, body = inline(ExportDocument)), (status = 401, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn export(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Export>, ApiError> {
    state
        .store
        .export(caller.id())
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("account"))
}

/// Loads an export into the caller's account, which must hold no data yet (409 otherwise). The
/// whole document is checked first against the API's rules (422 naming each bad field by its
/// path, e.g. `sessions[3].notes`), then written in one transaction.
#[utoipa::path(post, path = "/api/v1/import", request_body = inline(ExportDocument),
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn import(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(mut document): ApiJson<Export>,
) -> Result<StatusCode, ApiError> {
    if document.format != EXPORT_FORMAT {
        return Err(ApiError::field(
            "format",
            format!(
                "{:?} is not a Retrostride export: expected {EXPORT_FORMAT:?}",
                document.format
            ),
        ));
    }
    if !EXPORT_VERSIONS_READ.contains(&document.version) {
        return Err(ApiError::field(
            "version",
            format!(
                "version {} is not supported: expected 1 to {EXPORT_VERSION}",
                document.version
            ),
        ));
    }
    check_document(&document, jiff::Timestamp::now())?;
    if document.body_masses.is_empty()
        && let Some(mass) = document.profile.body_mass
    {
        // A version 1 document has one body mass, which every session was estimated with: it
        // holds from the first session's day (or the day of the export).
        let exported = document
            .exported_at
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        let first = document
            .sessions
            .iter()
            .map(|s| s.local_date)
            .min()
            .map_or(exported, |d| d.min(exported));
        document.body_masses = vec![BodyMassEntry { from: first, mass }];
    }
    state.store.import(caller.id(), &document).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The export's schema, for the OpenAPI document.
pub(crate) struct ExportDocument;

impl utoipa::PartialSchema for ExportDocument {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        crate::api::schema::export_document()
    }
}

impl utoipa::ToSchema for ExportDocument {}

/// The field errors found so far, at most [`MAX_ERRORS`] of them kept.
#[derive(Default)]
struct Errors {
    kept: Vec<FieldError>,
    more: usize,
}

impl Errors {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        if self.kept.len() < MAX_ERRORS {
            self.kept.push(FieldError {
                field: field.into(),
                message: message.into(),
            });
        } else {
            self.more += 1;
        }
    }

    fn add_if(&mut self, field: impl Into<String>, message: Option<String>) {
        if let Some(message) = message {
            self.add(field, message);
        }
    }

    fn into_result(mut self) -> Result<(), ApiError> {
        if self.kept.is_empty() {
            return Ok(());
        }
        if self.more > 0 {
            self.kept.push(FieldError {
                field: ".".into(),
                message: format!(
                    "{} more invalid fields are not listed: mend these and send it again",
                    self.more
                ),
            });
        }
        Err(ApiError::invalid(self.kept))
    }
}

/// Checks a whole export against the rules the API applies when the same data is entered, and
/// names every bad field (up to [`MAX_ERRORS`]) by its path in the document.
pub(crate) fn check_document(doc: &Export, now: jiff::Timestamp) -> Result<(), ApiError> {
    let mut errors = Errors::default();
    // Counts first: a document past them is not read further.
    for (field, count, max) in [
        ("screenings", doc.screenings.len(), MAX_SCREENINGS),
        ("plans", doc.plans.len(), MAX_PLANS),
        ("sessions", doc.sessions.len(), MAX_SESSIONS),
        ("assessments", doc.assessments.len(), MAX_ASSESSMENTS),
    ] {
        if count > max {
            errors.add(
                field,
                format!("{count} items: one import takes at most {max}"),
            );
        }
    }
    if !errors.kept.is_empty() {
        return errors.into_result();
    }
    check_profile(doc, &mut errors);
    check_body_masses(doc, &mut errors);
    let screenings = check_screenings(doc, now, &mut errors);
    let plans = check_plans(doc, &screenings, &mut errors);
    check_sessions(doc, now, &plans, &mut errors);
    check_assessments(doc, now, &mut errors);
    errors.into_result()
}

fn check_profile(doc: &Export, errors: &mut Errors) {
    if let Some(born) = doc.profile.birth_year {
        errors.add_if("profile.birth_year", birth_year_error(born));
    }
}

/// The history's days: each once, in order, none ahead; the profile's body mass is its latest.
fn check_body_masses(doc: &Export, errors: &mut Errors) {
    for (i, entry) in doc.body_masses.iter().enumerate() {
        errors.add_if(
            format!("body_masses[{i}].from"),
            body_mass_day_error(entry.from),
        );
        if i > 0 && doc.body_masses[i - 1].from >= entry.from {
            errors.add(
                format!("body_masses[{i}].from"),
                format!(
                    "{} comes after {}: the history lists each day once, oldest first",
                    doc.body_masses[i - 1].from,
                    entry.from
                ),
            );
        }
    }
    if let Some(latest) = doc.body_masses.last() {
        let profile = doc.profile.body_mass.map(BodyMass::kg);
        if profile.is_none_or(|kg| (kg - latest.mass.kg()).abs() > 1e-6) {
            errors.add(
                "profile.body_mass_kg",
                format!(
                    "{} is not the latest body mass of the history ({} kg from {})",
                    profile.map_or_else(|| "no body mass".to_string(), |kg| format!("{kg} kg")),
                    latest.mass.kg(),
                    latest.from
                ),
            );
        }
    }
}

/// A time more than a day ahead of this server's clock (the API's own tolerance for a
/// session's start): a screening dated in the future would stay the latest one for good.
fn future(at: jiff::Timestamp, now: jiff::Timestamp) -> Option<String> {
    (at.as_second() > now.as_second() + 24 * 3600)
        .then(|| format!("{at} is more than a day from now: an export holds what already happened"))
}

/// The precautions stored in a screening's result or a plan's details, as the pages read them.
fn precautions_error(value: &serde_json::Value) -> Option<String> {
    let precautions = value.get("precautions")?;
    serde_json::from_value::<Vec<Precaution>>(precautions.clone())
        .err()
        .map(|e| format!("not a list of known precautions: {e}"))
}

/// The screening ids in the document.
struct Screenings {
    ids: HashSet<store::Id>,
    /// The clearance of the latest screening (by when it was taken), when there is one.
    latest: Option<Clearance>,
}

fn check_screenings(doc: &Export, now: jiff::Timestamp, errors: &mut Errors) -> Screenings {
    let mut ids = HashSet::new();
    for (i, s) in doc.screenings.iter().enumerate() {
        let path = format!("screenings[{i}]");
        if !ids.insert(s.id) {
            errors.add(format!("{path}.id"), format!("id {} appears twice", s.id));
        }
        errors.add_if(
            format!("{path}.taken_at"),
            future(s.screening.taken_at, now),
        );
        if !s.screening.result.is_object() {
            errors.add(
                format!("{path}.result"),
                "expected the coach's result object",
            );
        }
        errors.add_if(
            format!("{path}.result.precautions"),
            precautions_error(&s.screening.result),
        );
    }
    // Ties go to the later one in the document, as the store's newest-first order does.
    let latest = doc
        .screenings
        .iter()
        .enumerate()
        .max_by_key(|(i, s)| (s.screening.taken_at, *i))
        .map(|(_, s)| s.screening.clearance);
    Screenings { ids, latest }
}

/// Blocks of a planned session: the API's block limits, and the totals matching the blocks.
fn check_planned_blocks(path: &str, s: &coach::plan::PlannedSession, errors: &mut Errors) {
    errors.add_if(format!("{path}.blocks"), block_count_error(s.blocks.len()));
    let mut total: u64 = 0;
    let mut backward: u64 = 0;
    for (j, b) in s.blocks.iter().enumerate() {
        errors.add_if(
            format!("{path}.blocks[{j}].seconds"),
            block_seconds_error(b.seconds),
        );
        total += u64::from(b.seconds);
        if b.direction == Direction::Backward {
            backward += u64::from(b.seconds);
        }
    }
    if total > 24 * 3600 {
        errors.add(
            format!("{path}.blocks"),
            format!("the blocks add up to {total} s: a session lasts at most 24 h"),
        );
    }
    check_totals(
        path,
        total,
        backward,
        s.total_seconds,
        s.backward_seconds,
        errors,
    );
}

fn check_totals(
    path: &str,
    total: u64,
    backward: u64,
    stated_total: u32,
    stated_backward: u32,
    errors: &mut Errors,
) {
    if u64::from(stated_total) != total {
        errors.add(
            format!("{path}.total_seconds"),
            format!("{stated_total} does not match the blocks, which add up to {total} s"),
        );
    }
    if u64::from(stated_backward) != backward {
        errors.add(
            format!("{path}.backward_seconds"),
            format!(
                "{stated_backward} does not match the backward blocks, which add up to {backward} s"
            ),
        );
    }
}

fn check_plans(doc: &Export, screenings: &Screenings, errors: &mut Errors) -> HashSet<store::Id> {
    let mut ids = HashSet::new();
    let mut active = 0;
    for (i, p) in doc.plans.iter().enumerate() {
        let path = format!("plans[{i}]");
        let plan = &p.plan;
        let fields = &plan.fields;
        if !ids.insert(plan.id) {
            errors.add(
                format!("{path}.id"),
                format!("id {} appears twice", plan.id),
            );
        }
        if let Some(id) = plan.screening_id
            && !screenings.ids.contains(&id)
        {
            errors.add(
                format!("{path}.screening_id"),
                format!("names screening {id}, which is not in the document"),
            );
        }
        let protocol = match known_protocol(&fields.protocol_id) {
            Ok(p) => Some(p),
            Err(message) => {
                errors.add(format!("{path}.protocol_id"), message);
                None
            }
        };
        errors.add_if(
            format!("{path}.details.precautions"),
            precautions_error(&plan.details),
        );
        if plan.active {
            active += 1;
            if active > 1 {
                errors.add(
                    format!("{path}.active"),
                    "only one plan can be active: a new plan ends the previous one",
                );
            }
            match screenings.latest {
                None => errors.add(
                    format!("{path}.active"),
                    "an active plan needs a screening: the document has none",
                ),
                Some(Clearance::SeeClinicianFirst) => {
                    errors.add(format!("{path}.active"), SEE_CLINICIAN_FIRST)
                }
                Some(_) => {}
            }
            if fields.clearance == Clearance::SeeClinicianFirst {
                errors.add(
                    format!("{path}.clearance"),
                    "an active plan made under see_clinician_first needs the clinician who assigned it, who is not part of the document",
                );
            }
        }
        let most = usize::from(fields.days_per_week.get()) * usize::from(fields.weeks.get());
        if p.sessions.is_empty() || p.sessions.len() > most {
            errors.add(
                format!("{path}.sessions"),
                format!(
                    "{} planned sessions: a plan of {} a week for {} weeks has 1 to {most}",
                    p.sessions.len(),
                    fields.days_per_week.get(),
                    fields.weeks.get()
                ),
            );
            continue;
        }
        let first = fields.start;
        let last = first
            .checked_add(jiff::Span::new().days(i64::from(fields.weeks.get()) * 7 - 1))
            .unwrap_or(jiff::civil::Date::MAX);
        for (k, record) in p.sessions.iter().enumerate() {
            let s = &record.session;
            let path = format!("{path}.sessions[{k}]");
            if usize::try_from(s.number).ok() != Some(k + 1) {
                errors.add(
                    format!("{path}.number"),
                    format!("{} is out of order: expected {}", s.number, k + 1),
                );
            }
            if !(1..=fields.weeks.get()).contains(&s.week) {
                errors.add(
                    format!("{path}.week"),
                    format!(
                        "{} is not a week of this plan: expected 1 to {}",
                        s.week,
                        fields.weeks.get()
                    ),
                );
            }
            if s.date < first || s.date > last {
                errors.add(
                    format!("{path}.date"),
                    format!("{} is outside the plan: expected {first} to {last}", s.date),
                );
            }
            check_planned_blocks(&path, s, errors);
            if let Some(protocol) = protocol {
                let dose = protocol.target_backward_seconds();
                if s.backward_seconds > dose {
                    errors.add(
                        format!("{path}.backward_seconds"),
                        format!(
                            "{} s backward is more than the protocol's full dose ({dose} s)",
                            s.backward_seconds
                        ),
                    );
                }
            }
        }
    }
    ids
}

fn check_sessions(
    doc: &Export,
    now: jiff::Timestamp,
    plans: &HashSet<store::Id>,
    errors: &mut Errors,
) {
    let heaviest = BodyMass::from_kg(350.0).ok();
    for (i, logged) in doc.sessions.iter().enumerate() {
        let path = format!("sessions[{i}]");
        let s = &logged.entry;
        errors.add_if(format!("{path}.started_at"), start_error(s.started_at, now));
        errors.add_if(format!("{path}.created_at"), future(logged.created_at, now));
        if s.utc_offset_seconds.abs() > MAX_UTC_OFFSET_SECONDS
            || jiff::tz::Offset::from_seconds(s.utc_offset_seconds).is_err()
        {
            errors.add(
                format!("{path}.utc_offset_seconds"),
                format!(
                    "{} is not a UTC offset: expected -{MAX_UTC_OFFSET_SECONDS} to {MAX_UTC_OFFSET_SECONDS} seconds",
                    s.utc_offset_seconds
                ),
            );
        }
        errors.add_if(format!("{path}.blocks"), block_count_error(s.blocks.len()));
        for (j, b) in s.blocks.iter().enumerate() {
            errors.add_if(
                format!("{path}.blocks[{j}].seconds"),
                block_seconds_error(b.seconds),
            );
            errors.add_if(
                format!("{path}.blocks[{j}].speed_mps"),
                b.speed.and_then(|v| block_speed(s.sport, v.mps()).err()),
            );
            errors.add_if(
                format!("{path}.blocks[{j}].direction"),
                block_direction_error(s.sport, b.direction),
            );
        }
        let blocks: &[LoggedBlock] = &s.blocks;
        let total: u64 = blocks.iter().map(|b| u64::from(b.seconds)).sum();
        let backward: u64 = blocks
            .iter()
            .filter(|b| b.direction == Direction::Backward)
            .map(|b| u64::from(b.seconds))
            .sum();
        errors.add_if(format!("{path}.blocks"), session_length_error(blocks));
        check_totals(
            &path,
            total,
            backward,
            s.total_seconds,
            s.backward_seconds,
            errors,
        );
        errors.add_if(format!("{path}.notes"), notes_error(&s.notes));
        if let Some(planned) = s.planned_backward_seconds
            && planned > 24 * 3600
        {
            errors.add(
                format!("{path}.planned_backward_seconds"),
                format!("{planned} s: a session lasts at most 24 h"),
            );
        }
        if let Some(plan) = s.plan_id
            && !plans.contains(&plan)
        {
            errors.add(
                format!("{path}.plan_id"),
                format!("names plan {plan}, which is not in the document"),
            );
        }
        if let Some(kcal) = s.kcal {
            // kcal = MET x kg x h: no session reaches this version's estimate for its blocks
            // at the heaviest body mass the profile accepts (with headroom for older tables).
            let most = heaviest
                .and_then(|m| {
                    crate::energy::energy_with_mass(s.setting, s.sport, blocks, m, None).0
                })
                .unwrap_or(0.0)
                * KCAL_HEADROOM;
            if !kcal.is_finite() || kcal < 0.0 || kcal > most.ceil() {
                errors.add(
                    format!("{path}.kcal"),
                    format!(
                        "{kcal} kcal is not an estimate for these blocks: expected 0 to {:.0}",
                        most.ceil()
                    ),
                );
            }
        }
    }
}

fn check_assessments(doc: &Export, now: jiff::Timestamp, errors: &mut Errors) {
    for (i, a) in doc.assessments.iter().enumerate() {
        let path = format!("assessments[{i}]");
        let a = &a.assessment;
        errors.add_if(format!("{path}.taken_at"), future(a.taken_at, now));
        let value = a.value;
        let problem = match a.kind {
            AssessmentKind::ThreeMbwt => {
                coach::assessment::three_mbwt(value, coach::assessment::Population::ALL[0], None)
                    .err()
                    .map(|e| e.to_string())
            }
            AssessmentKind::SingleLegStance => (!(value.is_finite()
                && (0.0..=120.0).contains(&value)))
            .then(|| format!("{value} s: expected a time from 0 to 120 seconds")),
            AssessmentKind::PainChange => {
                (!(value.is_finite() && value.fract() == 0.0 && (0.0..=10.0).contains(&value)))
                    .then(|| format!("{value}: expected a pain score from 0 to 10"))
            }
        };
        errors.add_if(format!("{path}.value"), problem);
        for (name, part) in [("inputs", &a.inputs), ("result", &a.result)] {
            if !part.is_object() {
                errors.add(format!("{path}.{name}"), "expected an object");
            }
        }
    }
}

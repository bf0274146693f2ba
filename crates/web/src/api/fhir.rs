//! A walker's record as a FHIR R4 Bundle (issue 15): the walker's own, and a clinician's copy
//! under a grant. The mapping is the `fhir` crate's; this module chooses what goes in.
//!
//! The walker gets everything: their email and birth year, screenings, plans, sessions,
//! assessments, every grant and the whole access log. A clinician gets what the grant shares
//! (plans, sessions, assessments; the screening and birth year are not in the scope a walker
//! agrees to, so they stay out), the walker's email (the Walkers list shows it already), only
//! their own grant and their own lines of the access log (other clinicians a walker sees are
//! the walker's business), and other clinicians' plans without their contact.

use crate::AppState;
use crate::api::clinician::{granted, record};
use crate::api::parse_id;
use crate::auth::Caller;
use crate::problem::{ApiError, Problem};
use axum::extract::{MatchedPath, Path, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use store::{AccessAction, Export, Id, SharedData};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr};

/// FHIR's media type for JSON.
pub(crate) const FHIR_JSON: &str = "application/fhir+json";
/// Lines of the access log an export holds: the whole log for any walker this version has seen
/// (the page shows the last 200).
const EXPORT_ACCESS_LOG_LINES: u32 = 100_000;
/// What a clinician's export is logged as.
pub(crate) const WHOLE_RECORD: &str = "the whole record as FHIR";

/// The caller's own record as a FHIR R4 Bundle (type `collection`): Patient, CarePlans,
/// Observations, QuestionnaireResponses, Consents and AuditEvents.
#[utoipa::path(get, path = "/api/v1/export/fhir",
    responses((status = 200, description = "A FHIR R4 Bundle of type collection", content_type = "application/fhir+json", body = inline(FhirBundle)), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub(crate) async fn own_record(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let bundle = own_bundle(&state, &caller).await?;
    Ok(fhir_response(&bundle))
}

/// The caller's own record as a Bundle; for the API and the Settings page.
pub(crate) async fn own_bundle(
    state: &AppState,
    caller: &Caller,
) -> Result<serde_json::Value, ApiError> {
    let walker = caller.id();
    let export = exported(state, walker).await?;
    let grants = state.store.grants(walker).await?;
    let mut access_log = state
        .store
        .access_log(walker, EXPORT_ACCESS_LOG_LINES)
        .await?;
    access_log.reverse();
    let plan_authors = plan_authors(state, &export, None).await?;
    let record = ::fhir::Record {
        walker_id: walker,
        email: Some(export.email),
        birth_year: export.profile.birth_year,
        exported_at: export.exported_at,
        screenings: export.screenings,
        plans: export.plans,
        sessions: export.sessions,
        assessments: export.assessments,
        grants,
        access_log,
        plan_authors,
    };
    ::fhir::bundle(&record).map_err(ApiError::internal)
}

/// A walker's record as a FHIR R4 Bundle, for a clinician holding a grant that shares their
/// sessions: what the grant shares, logged as a read of the whole record; 404 without a grant.
#[utoipa::path(get, path = "/api/v1/clinician/walkers/{id}/fhir", params(("id" = i64, Path, description = "The walker's id")),
    responses((status = 200, description = "A FHIR R4 Bundle of type collection", content_type = "application/fhir+json", body = inline(FhirBundle)), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub(crate) async fn walker_record(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let walker = parse_id(&id, "walker")?;
    let route = format!("{method} {}", path.as_str());
    let bundle = walker_bundle(&state, &caller, walker, route).await?;
    Ok(fhir_response(&bundle))
}

/// A walker's record as a clinician may export it, logged as read from `route`; for the API and
/// the clinician's page of one walker.
pub(crate) async fn walker_bundle(
    state: &AppState,
    caller: &Caller,
    walker: Id,
    route: String,
) -> Result<serde_json::Value, ApiError> {
    // The sessions are the heart of the record: a grant that does not share them gives none.
    let grant = granted(state, caller, walker, SharedData::Sessions).await?;
    let export = exported(state, walker).await?;
    let clinician = caller.id();
    let grants = state
        .store
        .grants(walker)
        .await?
        .into_iter()
        .filter(|g| g.clinician_id == clinician)
        .collect();
    let mut access_log: Vec<_> = state
        .store
        .access_log(walker, EXPORT_ACCESS_LOG_LINES)
        .await?
        .into_iter()
        .filter(|e| e.clinician_id == Some(clinician))
        .collect();
    access_log.reverse();
    let plan_authors = plan_authors(state, &export, Some(clinician)).await?;
    let shares = |d| grant.scope.reads(d);
    let record = ::fhir::Record {
        walker_id: walker,
        email: Some(grant.walker_email.clone()),
        birth_year: None,
        exported_at: export.exported_at,
        screenings: Vec::new(),
        plans: if shares(SharedData::Plans) {
            export.plans
        } else {
            Vec::new()
        },
        sessions: export.sessions,
        assessments: if shares(SharedData::Assessments) {
            export.assessments
        } else {
            Vec::new()
        },
        grants,
        access_log,
        plan_authors,
    };
    let bundle = ::fhir::bundle(&record).map_err(ApiError::internal)?;
    record_read(state, caller, &grant, route).await?;
    Ok(bundle)
}

async fn record_read(
    state: &AppState,
    caller: &Caller,
    grant: &store::Grant,
    route: String,
) -> Result<(), ApiError> {
    record(
        state,
        caller,
        grant,
        AccessAction::Read,
        WHOLE_RECORD,
        route,
    )
    .await
}

async fn exported(state: &AppState, walker: Id) -> Result<Export, ApiError> {
    state
        .store
        .export(walker)
        .await?
        .ok_or_else(|| ApiError::not_found("account"))
}

/// The plans' authors with their emails; for a clinician's export only their own.
async fn plan_authors(
    state: &AppState,
    export: &Export,
    only: Option<Id>,
) -> Result<Vec<::fhir::Clinician>, ApiError> {
    let mut ids: Vec<Id> = export
        .plans
        .iter()
        .filter_map(|p| p.plan.author_id)
        .filter(|id| only.is_none_or(|o| o == *id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut authors = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(user) = state.store.user(id).await? {
            authors.push(::fhir::Clinician {
                id: Some(id),
                email: user.email,
            });
        }
    }
    Ok(authors)
}

/// The bundle's outline, for the OpenAPI document (the resources themselves are FHIR R4's, checked
/// against HL7's schema in the `fhir` crate's tests).
pub(crate) struct FhirBundle;

impl utoipa::PartialSchema for FhirBundle {
    fn schema() -> RefOr<Schema> {
        let string = || ObjectBuilder::new().schema_type(Type::String);
        let entry = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "fullUrl",
                string().pattern(Some("^urn:uuid:[0-9a-f-]{36}$")),
            )
            .property(
                "resource",
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property("resourceType", string())
                    .property("id", string())
                    .required("resourceType")
                    .required("id"),
            )
            .required("fullUrl")
            .required("resource");
        let bundle = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("resourceType", string().enum_values(Some(["Bundle"])))
            .property("id", string())
            .property("type", string().enum_values(Some(["collection"])))
            .property(
                "timestamp",
                string().format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
            )
            .property("entry", ArrayBuilder::new().items(entry).min_items(Some(1)))
            .required("resourceType")
            .required("id")
            .required("type")
            .required("timestamp")
            .required("entry");
        RefOr::T(Schema::Object(bundle.build()))
    }
}

impl utoipa::ToSchema for FhirBundle {}

/// The bundle as `application/fhir+json`, to be saved as a file.
pub(crate) fn fhir_response(bundle: &serde_json::Value) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        bundle.to_string(),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"retrostride-fhir.json\""),
    );
    response
}

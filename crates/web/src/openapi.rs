//! The OpenAPI document (`/api/openapi.json`) and the Swagger UI (`/api/docs`), served from the
//! files `utoipa-swagger-ui` vendors at build time: nothing is fetched at run time.

use crate::api::{
    accounts, caseload, clinician, fhir, gates, motion, prescribe, progress, records, sessions,
    transfer, trends,
};
use axum::Router;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every refusal is problem+json, and every operation lists each refusal it can give: the
/// handlers annotate what is particular to them, and this adds what the extractors and the
/// authentication layer answer for every operation of a kind (a class, so no operation can
/// forget one). Path ids are integers: the ids the API hands out.
struct ProblemAnswers;

const PROBLEM_JSON: &str = "application/problem+json";

impl Modify for ProblemAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                (&mut item.get, false),
                (&mut item.put, true),
                (&mut item.post, true),
                (&mut item.delete, true),
                (&mut item.patch, true),
            ];
            for (operation, writes) in operations {
                if let Some(operation) = operation.as_mut() {
                    document_refusals(operation, writes);
                    type_path_ids(operation);
                }
            }
        }
        bound_birth_year(openapi);
    }
}

fn document_refusals(operation: &mut Operation, writes: bool) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_parameters = !parameters.is_empty();
    let has_path_parameters = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Path);
    let has_query_parameters = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Query);
    let has_body = operation.request_body.is_some();
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let responses = &mut operation.responses.responses;
    // Refusals the handlers annotated with `body = Problem` are problem+json, as sent.
    for (status, response) in responses.iter_mut() {
        if let (true, RefOr::T(response)) = (status.as_str() >= "400", response)
            && let Some(content) = response.content.shift_remove("application/json")
        {
            response.content.insert(PROBLEM_JSON.to_string(), content);
        }
    }
    let mut add = |status: &str, description: &str| {
        responses.entry(status.to_string()).or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        PROBLEM_JSON,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        });
    };
    if has_body || has_parameters {
        add(
            "400",
            "The request cannot be read: the body is not JSON, or a parameter cannot be decoded",
        );
    }
    if secured {
        add(
            "401",
            "No valid credentials: send `Authorization: Bearer TOKEN` or a session cookie",
        );
        if writes {
            add(
                "403",
                "A browser session's write without its X-CSRF-Token, or a role this needs",
            );
        }
    }
    if has_path_parameters {
        add(
            "404",
            "No such thing: also the answer for another person's ids",
        );
    }
    if has_body {
        add("413", "The body is larger than this operation accepts");
        add(
            "415",
            "The body is not sent as JSON (Content-Type: application/json)",
        );
    }
    if has_body || has_query_parameters {
        add(
            "422",
            "Well-formed but invalid: `errors` names each field (`.` is the body itself) and what is expected",
        );
    }
}

/// Path ids (`id`, and a clinician's `plan` and `session` of a walker) are the integers the API
/// hands out; a block index counts from 0.
fn type_path_ids(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        if parameter.parameter_in != ParameterIn::Path {
            continue;
        }
        let schema = match parameter.name.as_str() {
            "id" | "plan" | "session" => ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
            "index" => ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(499)),
            _ => continue,
        };
        parameter.schema = Some(RefOr::T(Schema::Object(schema.build())));
    }
}

/// A year of birth is this year or up to 120 before it: the bounds move with the calendar, so
/// they are written when the document is made (at start-up).
fn bound_birth_year(openapi: &mut utoipa::openapi::OpenApi) {
    let year = i64::from(jiff::Zoned::now().year());
    let Some(RefOr::T(Schema::Object(profile))) = openapi
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut("ProfileBody"))
    else {
        return;
    };
    if let Some(RefOr::T(Schema::Object(birth_year))) = profile.properties.get_mut("birth_year") {
        birth_year.minimum = Some((year - 120).into());
        birth_year.maximum = Some(year.into());
    }
}

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Retrostride API", description = "Screening, plans, logged sessions, assessments and progress for backward walking. Authenticate with `Authorization: Bearer TOKEN` (POST /api/v1/tokens) or a browser session (POST /api/v1/session) whose writes echo X-CSRF-Token. Errors are RFC 9457 problem+json."),
    paths(
        crate::api::healthz,
        accounts::sign_up, accounts::sign_in, accounts::sign_out, accounts::change_password,
        accounts::delete_account, accounts::create_token, accounts::list_tokens, accounts::revoke_token,
        records::get_profile, records::put_profile, records::list_body_masses,
        records::put_body_mass, records::delete_body_mass, records::add_screening, records::list_screenings,
        records::get_screening, records::add_plan, records::list_plans, records::get_plan,
        records::delete_plan, records::reschedule_plan, records::get_planned_session,
        sessions::add_session, sessions::list_sessions, sessions::get_session, sessions::put_session,
        sessions::delete_session, sessions::add_assessment, sessions::list_assessments,
        sessions::get_assessment, sessions::delete_assessment,
        motion::put_motion, motion::get_motion, motion::export_motion, motion::put_label,
        progress::progress, transfer::export, transfer::import,
        crate::api::list_users, crate::api::set_role,
        clinician::create_invite, clinician::list_walkers, clinician::walker_sessions,
        clinician::walker_plans, clinician::walker_plan, clinician::walker_motion,
        clinician::walker_assessments, clinician::accept_invite,
        clinician::decline_invite, clinician::list_grants, clinician::revoke_grant,
        clinician::access_log, caseload::caseload,
        trends::own_trends, trends::walker_trends,
        prescribe::assign_plan, prescribe::adjust_plan, prescribe::walker_plan_changes,
        prescribe::add_note, prescribe::edit_note, prescribe::delete_note,
        prescribe::list_templates, prescribe::create_template, prescribe::get_template,
        prescribe::put_template, prescribe::delete_template, prescribe::my_plan_changes,
        prescribe::my_notes,
        fhir::own_record, fhir::walker_record,
        gates::walker_gates, gates::set_walker_gates, gates::list_alerts,
        gates::acknowledge_alert, gates::resume_walker, gates::my_gates, gates::resume_mine,
    ),
    modifiers(&BearerAuth, &ProblemAnswers)
)]
pub(crate) struct ApiDoc;

pub(crate) fn routes() -> Router {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}

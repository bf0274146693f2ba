//! The OpenAPI document (`/api/openapi.json`) and the Swagger UI (`/api/docs`), served from the
//! files `utoipa-swagger-ui` vendors at build time: nothing is fetched at run time.

use crate::api::{accounts, motion, progress, records, sessions, transfer};
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Retrostride API", description = "Screening, plans, logged sessions, assessments and progress for backward walking. Authenticate with `Authorization: Bearer TOKEN` (POST /api/v1/tokens) or a browser session (POST /api/v1/session) whose writes echo X-CSRF-Token. Errors are RFC 9457 problem+json."),
    paths(
        crate::api::healthz,
        accounts::sign_up, accounts::sign_in, accounts::sign_out, accounts::change_password,
        accounts::delete_account, accounts::create_token, accounts::list_tokens, accounts::revoke_token,
        records::get_profile, records::put_profile, records::add_screening, records::list_screenings,
        records::get_screening, records::add_plan, records::list_plans, records::get_plan,
        records::delete_plan, records::get_planned_session,
        sessions::add_session, sessions::list_sessions, sessions::get_session, sessions::put_session,
        sessions::delete_session, sessions::add_assessment, sessions::list_assessments,
        sessions::get_assessment, sessions::delete_assessment,
        motion::put_motion, motion::get_motion, motion::export_motion, motion::put_label,
        progress::progress, transfer::export, transfer::import,
        crate::api::list_users, crate::api::set_role,
    ),
    modifiers(&BearerAuth)
)]
pub(crate) struct ApiDoc;

pub(crate) fn routes() -> Router {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}

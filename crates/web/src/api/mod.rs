//! The JSON API under `/api/v1`, and `/healthz`.

pub(crate) mod accounts;
pub(crate) mod caseload;
pub(crate) mod clinician;
pub(crate) mod fhir;
pub(crate) mod gates;
pub(crate) mod motion;
pub(crate) mod prescribe;
pub(crate) mod progress;
pub(crate) mod records;
pub(crate) mod schema;
pub(crate) mod sessions;
pub(crate) mod transfer;
pub(crate) mod trends;

use crate::AppState;
use crate::auth::Caller;
use crate::problem::{ApiError, ApiJson};
use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::routing::{delete, get, post, put};
use serde::Deserialize;
use store::Role;
use utoipa::ToSchema;

/// All API routes with their limits.
pub(crate) fn routes(state: AppState) -> Router {
    let config = state.config.clone();
    // Password checks and sign-ups are limited inside the handlers (`auth::limiter`), per
    // address and per account, the same for the pages.
    let limited = Router::new()
        .route("/api/v1/accounts", post(accounts::sign_up))
        .route(
            "/api/v1/session",
            post(accounts::sign_in).delete(accounts::sign_out),
        )
        .route(
            "/api/v1/tokens",
            post(accounts::create_token).get(accounts::list_tokens),
        );
    let import = Router::new()
        .route("/api/v1/import", post(transfer::import))
        .route(
            "/api/v1/sessions/{id}/motion",
            post(motion::put_motion).get(motion::get_motion),
        )
        .route(
            "/api/v1/sessions/{id}/motion/export",
            get(motion::export_motion),
        )
        .layer(DefaultBodyLimit::max(config.import_limit));
    let rest = Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/account", delete(accounts::delete_account))
        .route("/api/v1/account/password", post(accounts::change_password))
        .route("/api/v1/tokens/{id}", delete(accounts::revoke_token))
        .route(
            "/api/v1/profile",
            get(records::get_profile).put(records::put_profile),
        )
        .route("/api/v1/body-mass", get(records::list_body_masses))
        .route(
            "/api/v1/body-mass/{date}",
            put(records::put_body_mass).delete(records::delete_body_mass),
        )
        .route(
            "/api/v1/screenings",
            post(records::add_screening).get(records::list_screenings),
        )
        .route("/api/v1/screenings/{id}", get(records::get_screening))
        .route(
            "/api/v1/plans",
            post(records::add_plan).get(records::list_plans),
        )
        .route(
            "/api/v1/plans/{id}",
            get(records::get_plan).delete(records::delete_plan),
        )
        .route("/api/v1/plans/{id}/schedule", put(records::reschedule_plan))
        .route(
            "/api/v1/planned-sessions/{id}",
            get(records::get_planned_session),
        )
        .route(
            "/api/v1/sessions",
            post(sessions::add_session).get(sessions::list_sessions),
        )
        .route(
            "/api/v1/sessions/{id}",
            get(sessions::get_session)
                .put(sessions::put_session)
                .delete(sessions::delete_session),
        )
        .route(
            "/api/v1/assessments",
            post(sessions::add_assessment).get(sessions::list_assessments),
        )
        .route(
            "/api/v1/assessments/{id}",
            get(sessions::get_assessment).delete(sessions::delete_assessment),
        )
        .route(
            "/api/v1/sessions/{id}/motion/blocks/{index}/label",
            put(motion::put_label),
        )
        .route("/api/v1/progress", get(progress::progress))
        .route("/api/v1/export", get(transfer::export))
        .route("/api/v1/export/fhir", get(fhir::own_record))
        .route("/api/v1/clinician/invites", post(clinician::create_invite))
        .route("/api/v1/clinician/walkers", get(clinician::list_walkers))
        .route("/api/v1/clinician/caseload", get(caseload::caseload))
        .route(
            "/api/v1/clinician/walkers/{id}/trends",
            get(trends::walker_trends),
        )
        .route("/api/v1/progress/trends", get(trends::own_trends))
        .route(
            "/api/v1/clinician/walkers/{id}/sessions",
            get(clinician::walker_sessions),
        )
        .route(
            "/api/v1/clinician/walkers/{id}/plans",
            get(clinician::walker_plans).post(prescribe::assign_plan),
        )
        .route(
            "/api/v1/clinician/walkers/{id}/plans/{plan}",
            get(clinician::walker_plan).patch(prescribe::adjust_plan),
        )
        .route(
            "/api/v1/clinician/walkers/{id}/plan-changes",
            get(prescribe::walker_plan_changes),
        )
        .route(
            "/api/v1/clinician/walkers/{id}/notes",
            post(prescribe::add_note),
        )
        .route(
            "/api/v1/clinician/walkers/{id}/notes/{note}",
            put(prescribe::edit_note).delete(prescribe::delete_note),
        )
        .route(
            "/api/v1/clinician/templates",
            get(prescribe::list_templates).post(prescribe::create_template),
        )
        .route(
            "/api/v1/clinician/templates/{id}",
            get(prescribe::get_template)
                .put(prescribe::put_template)
                .delete(prescribe::delete_template),
        )
        .route("/api/v1/plan-changes", get(prescribe::my_plan_changes))
        .route("/api/v1/notes", get(prescribe::my_notes))
        .route(
            "/api/v1/clinician/walkers/{id}/sessions/{session}/motion",
            get(clinician::walker_motion),
        )
        .route(
            "/api/v1/clinician/walkers/{id}/assessments",
            get(clinician::walker_assessments),
        )
        .route(
            "/api/v1/clinician/walkers/{id}/fhir",
            get(fhir::walker_record),
        )
        .route(
            "/api/v1/grants",
            post(clinician::accept_invite).get(clinician::list_grants),
        )
        .route("/api/v1/grants/{id}", delete(clinician::revoke_grant))
        .route("/api/v1/invites/decline", post(clinician::decline_invite))
        .route("/api/v1/access-log", get(clinician::access_log))
        .route(
            "/api/v1/clinician/walkers/{id}/gates",
            get(gates::walker_gates).put(gates::set_walker_gates),
        )
        .route("/api/v1/clinician/alerts", get(gates::list_alerts))
        .route(
            "/api/v1/clinician/alerts/{id}/acknowledge",
            post(gates::acknowledge_alert),
        )
        .route(
            "/api/v1/clinician/walkers/{id}/resume",
            post(gates::resume_walker),
        )
        .route("/api/v1/gates", get(gates::my_gates))
        .route("/api/v1/gates/resume", post(gates::resume_mine))
        .route("/api/v1/admin/users", get(list_users))
        .route("/api/v1/admin/users/{id}/role", post(set_role))
        .layer(DefaultBodyLimit::max(config.body_limit));
    Router::new()
        .merge(limited.layer(DefaultBodyLimit::max(config.body_limit)))
        .merge(import)
        .merge(rest)
        .fallback(crate::pages::nowhere)
        .with_state(state)
}

/// Liveness: answers without reading any user's data.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "The server is up", body = Object)))]
pub(crate) async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// An account as an administrator sees it.
#[derive(Debug, serde::Serialize, ToSchema)]
pub(crate) struct AccountView {
    id: store::Id,
    email: String,
    #[schema(schema_with = schema::role)]
    role: String,
    #[schema(value_type = String, format = DateTime)]
    created_at: jiff::Timestamp,
}

impl From<&store::User> for AccountView {
    fn from(u: &store::User) -> Self {
        AccountView {
            id: u.id,
            email: u.email.clone(),
            role: u.role.as_str().to_string(),
            created_at: u.created_at,
        }
    }
}

/// Lists accounts (administrators only).
#[utoipa::path(get, path = "/api/v1/admin/users", responses((status = 200, body = [AccountView]), (status = 403, body = crate::problem::Problem)), security(("bearer" = [])))]
pub(crate) async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<AccountView>>, ApiError> {
    caller.require(&[Role::Admin])?;
    let users = state.store.users().await?;
    Ok(Json(users.iter().map(AccountView::from).collect()))
}

/// A role to give.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleChange {
    /// person, clinician or admin.
    #[schema(schema_with = schema::role)]
    role: String,
}

/// Sets an account's role (administrators only). The last administrator keeps the role (409).
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/role", request_body = RoleChange, responses((status = 200, body = AccountView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)), security(("bearer" = [])))]
pub(crate) async fn set_role(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
    ApiJson(change): ApiJson<RoleChange>,
) -> Result<Json<AccountView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = parse_id(&id, "account")?;
    let role: Role = change
        .role
        .parse()
        .map_err(|e: store::UnknownRole| ApiError::field("role", e.to_string()))?;
    let Some(target) = state.store.user(id).await? else {
        return Err(ApiError::not_found("account"));
    };
    // Nobody could then manage accounts from the web: only `retrostride user role` could.
    if target.role == Role::Admin && role != Role::Admin {
        let admins = state
            .store
            .users()
            .await?
            .iter()
            .filter(|u| u.role == Role::Admin)
            .count();
        if admins <= 1 {
            return Err(ApiError::conflict(
                "this is the last administrator: make another account an administrator first, then change this one's role",
            ));
        }
    }
    state.store.set_role(id, role).await?;
    let user = state
        .store
        .user(id)
        .await?
        .ok_or_else(|| ApiError::not_found("account"))?;
    Ok(Json(AccountView::from(&user)))
}

/// Parses a path id; a malformed id answers 404 like a missing one.
/// Reads an integer field as JSON may write it, `7` or `7.0` (JSON Schema counts both as
/// integers); for `#[serde(deserialize_with = "whole")]`.
pub(crate) fn whole<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u32>,
{
    use serde::de::Error;
    let n = coach::measure::WholeNumber::deserialize(deserializer)?.0;
    T::try_from(n).map_err(|_| D::Error::custom(format!("{n} is out of range for this field")))
}

/// [`whole`] for an optional field (null or absent is `None`).
pub(crate) fn whole_or_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u32>,
{
    use serde::de::Error;
    match Option::<coach::measure::WholeNumber>::deserialize(deserializer)? {
        None => Ok(None),
        Some(w) => T::try_from(w.0)
            .map(Some)
            .map_err(|_| D::Error::custom(format!("{} is out of range for this field", w.0))),
    }
}

pub(crate) fn parse_id(raw: &str, what: &str) -> Result<store::Id, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found(what))
}

//! Export of everything a person owns as one JSON document, and import of it into an empty
//! account.

use crate::AppState;
use crate::auth::Caller;
use crate::problem::{ApiError, ApiJson, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use store::{EXPORT_FORMAT, EXPORT_VERSION, Export};

/// The caller's data as one document that `POST /api/v1/import` takes back.
#[utoipa::path(get, path = "/api/v1/export", responses((status = 200, body = Object), (status = 401, body = Problem)), security(("bearer" = [])))]
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

/// Loads an export into the caller's account, which must hold no data yet (409 otherwise).
#[utoipa::path(post, path = "/api/v1/import", request_body = Object,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn import(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(document): ApiJson<Export>,
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
    if document.version != EXPORT_VERSION {
        return Err(ApiError::field(
            "version",
            format!(
                "version {} is not supported: expected {EXPORT_VERSION}",
                document.version
            ),
        ));
    }
    state.store.import(caller.id(), &document).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! The FHIR R4 downloads behind the pages' links: the walker's own record (Settings, "Your
//! data") and a walker's record for their clinician (`/walkers/{id}`, under a grant and logged).

use super::{PageError, Viewer};
use crate::AppState;
use crate::api::fhir::{fhir_response, own_bundle, walker_bundle};
use crate::api::parse_id;
use axum::extract::{Path, State};
use axum::response::Response;

/// Downloads the viewer's own record as a FHIR R4 Bundle.
pub(crate) async fn own(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let bundle = own_bundle(&state, &viewer.caller).await?;
    Ok(fhir_response(&bundle))
}

/// Downloads a walker's record for their clinician (404 without a grant in force).
pub(crate) async fn walker(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let walker = parse_id(&id, "walker")?;
    let bundle = walker_bundle(
        &state,
        &viewer.caller,
        walker,
        "GET /walkers/{id}/fhir".into(),
    )
    .await?;
    Ok(fhir_response(&bundle))
}

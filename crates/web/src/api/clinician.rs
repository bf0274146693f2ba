//! Sharing with a clinician by consent (issue 15): the clinician's invites and their walkers,
//! the clinician's reads of a walker's data under a grant, and the walker's side (accept or
//! decline an invite, the grants, revoking one, the access log).
//!
//! A clinician sees nobody by default. Every read of a walker's data goes through [`granted`],
//! which answers 404 (as for any missing thing) unless the caller is a clinician holding a grant
//! in force from that walker, and through [`record`], which writes the access log before the data
//! leaves: a read that could not be logged is not answered. Admins manage accounts, not health
//! data: without a grant an admin is refused like anyone else.

use crate::AppState;
use crate::api::parse_id;
use crate::api::schema;
use crate::api::sessions::{ListQuery, SessionList, session_page};
use crate::auth::{Caller, digest};
use crate::problem::{ApiError, ApiJson, ApiQuery, Problem};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::Json;
use axum::extract::{MatchedPath, Path, State};
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use store::{AccessAction, AccessEntry, Grant, GrantScope, Id, NewInvite, Role};
use utoipa::ToSchema;

/// How long an invite can be accepted: long enough to reach a walker between two appointments.
pub(crate) const INVITE_DAYS: i64 = 14;
/// Open invites a clinician may hold at once: far more than a caseload's week, and a bound on
/// what one account can pile up.
pub(crate) const MAX_OPEN_INVITES: u64 = 100;
/// Lines of the access log the walker is shown.
pub(crate) const ACCESS_LOG_LINES: u32 = 200;

/// An invite code: 80 random bits written as five groups of four hex digits, so that it can be
/// read out and typed as well as followed as a link. Stored only as a SHA-256 hash.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct InviteCode(String);

impl InviteCode {
    /// A fresh random code.
    pub(crate) fn generate() -> Self {
        let mut bytes = [0u8; 10];
        OsRng.fill_bytes(&mut bytes);
        InviteCode(hex::encode(bytes))
    }

    /// The hash the store keeps.
    pub(crate) fn hash(&self) -> String {
        digest(&self.0)
    }
}

/// Shown grouped (`1a2b-3c4d-...`), as people read it out.
impl fmt::Display for InviteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, group) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(std::str::from_utf8(group).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for InviteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InviteCode(..)")
    }
}

/// An invite code that is not five groups of four hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not an invite code: expected 20 hex digits in groups of four, such as 1a2b-3c4d-5e6f-7a8b-9c0d"
)]
pub(crate) struct BadInviteCode(String);

impl FromStr for InviteCode {
    type Err = BadInviteCode;
    /// Exactly the document's pattern `^[0-9A-Fa-f]{4}(-?[0-9A-Fa-f]{4}){4}$`: a dash is
    /// allowed between groups only.
    fn from_str(s: &str) -> Result<Self, BadInviteCode> {
        let bad = || BadInviteCode(s.chars().take(40).collect());
        let mut digits = String::with_capacity(20);
        let mut after_dash = false;
        for c in s.chars() {
            if c == '-' {
                let between_groups = matches!(digits.len(), 4 | 8 | 12 | 16);
                if !between_groups || after_dash {
                    return Err(bad());
                }
                after_dash = true;
            } else if c.is_ascii_hexdigit() && digits.len() < 20 {
                digits.push(c.to_ascii_lowercase());
                after_dash = false;
            } else {
                return Err(bad());
            }
        }
        if digits.len() == 20 && !after_dash {
            Ok(InviteCode(digits))
        } else {
            Err(bad())
        }
    }
}

/// A new invite: the code is shown once, here.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InviteView {
    /// The code to give the walker (shown once; only its hash is kept).
    #[schema(pattern = "^[0-9a-f]{4}(-[0-9a-f]{4}){4}$")]
    code: String,
    /// The page where the walker reads what will be shared and accepts: `/share/{code}` on this
    /// server.
    link: String,
    /// After this the code can no longer be accepted.
    #[schema(value_type = String, format = DateTime)]
    expires_at: jiff::Timestamp,
}

/// Makes an invite (clinicians only): one use, valid 14 days; 409 with 100 open at once.
#[utoipa::path(post, path = "/api/v1/clinician/invites", responses((status = 201, body = InviteView), (status = 403, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn create_invite(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<(StatusCode, Json<InviteView>), ApiError> {
    let (code, expires_at) = make_invite(&state, &caller).await?;
    Ok((
        StatusCode::CREATED,
        Json(InviteView {
            link: share_link(&code),
            code: code.to_string(),
            expires_at,
        }),
    ))
}

/// Makes and stores an invite for a clinician; for the API and the Walkers page.
pub(crate) async fn make_invite(
    state: &AppState,
    caller: &Caller,
) -> Result<(InviteCode, jiff::Timestamp), ApiError> {
    caller.require(&[Role::Clinician])?;
    let now = jiff::Timestamp::now();
    if state.store.open_invite_count(caller.id(), now).await? >= MAX_OPEN_INVITES {
        return Err(ApiError::conflict(format!(
            "you have {MAX_OPEN_INVITES} invites not yet accepted: wait for some to be used or to expire ({INVITE_DAYS} days after they were made)"
        )));
    }
    let code = InviteCode::generate();
    let expires_at = now
        .checked_add(jiff::SignedDuration::from_hours(INVITE_DAYS * 24))
        .map_err(ApiError::internal)?;
    state
        .store
        .create_invite(
            caller.id(),
            &NewInvite {
                code_hash: code.hash(),
                created_at: now,
                expires_at,
            },
        )
        .await?;
    Ok((code, expires_at))
}

/// The accept page's path for a code.
pub(crate) fn share_link(code: &InviteCode) -> String {
    format!("/share/{code}")
}

/// A walker who shares with the caller.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WalkerView {
    /// The walker's account id, for `/api/v1/clinician/walkers/{id}/...`.
    id: Id,
    /// The walker's email.
    email: String,
    /// When they accepted.
    #[schema(value_type = String, format = DateTime)]
    granted_at: jiff::Timestamp,
    /// What they share.
    #[schema(schema_with = schema::shared_data_list)]
    shares: Vec<store::SharedData>,
    /// What the clinician may change.
    #[schema(schema_with = schema::clinician_change_list)]
    may_change: Vec<store::ClinicianChange>,
}

/// The walkers who share with the caller (clinicians only), in the order they accepted.
#[utoipa::path(get, path = "/api/v1/clinician/walkers", responses((status = 200, body = [WalkerView]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn list_walkers(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<WalkerView>>, ApiError> {
    caller.require(&[Role::Clinician])?;
    let grants = state.store.clinician_grants(caller.id()).await?;
    Ok(Json(
        grants
            .into_iter()
            .map(|g| WalkerView {
                id: g.walker_id,
                email: g.walker_email,
                granted_at: g.granted_at,
                shares: g.scope.reads,
                may_change: g.scope.changes,
            })
            .collect(),
    ))
}

/// The grant in force from `walker` to the caller, when the caller is a clinician and the grant
/// shares `data`; otherwise 404, so that nobody learns whether the walker exists.
pub(crate) async fn granted(
    state: &AppState,
    caller: &Caller,
    walker: Id,
    data: store::SharedData,
) -> Result<Grant, ApiError> {
    if caller.user.role != Role::Clinician {
        return Err(ApiError::not_found("walker"));
    }
    match state.store.active_grant(caller.id(), walker).await? {
        Some(grant) if grant.scope.reads(data) => Ok(grant),
        _ => Err(ApiError::not_found("walker")),
    }
}

/// The grant in force that lets the caller change the walker's plan and progression rules
/// (prescribing, gates, resuming); otherwise 404, like every other missing thing.
pub(crate) async fn may_change(
    state: &AppState,
    caller: &Caller,
    walker: Id,
) -> Result<Grant, ApiError> {
    let grant = granted(state, caller, walker, store::SharedData::Plans).await?;
    if grant
        .scope
        .changes
        .contains(&store::ClinicianChange::PlanAndProgression)
    {
        Ok(grant)
    } else {
        Err(ApiError::not_found("walker"))
    }
}

/// Writes one line of the walker's access log: who, when, what, from which route.
pub(crate) async fn record(
    state: &AppState,
    caller: &Caller,
    grant: &Grant,
    action: AccessAction,
    what: &str,
    route: String,
) -> Result<(), ApiError> {
    state
        .store
        .log_access(&AccessEntry {
            clinician_id: Some(caller.id()),
            clinician_email: caller.user.email.clone(),
            walker_id: grant.walker_id,
            at: jiff::Timestamp::now(),
            action,
            what: what.to_string(),
            route,
        })
        .await?;
    Ok(())
}

pub(crate) fn route(method: &Method, path: &MatchedPath) -> String {
    format!("{method} {}", path.as_str())
}

/// A walker's sessions, newest first, with pain, RPE and near-falls (under a grant; logged).
#[utoipa::path(get, path = "/api/v1/clinician/walkers/{id}/sessions", params(("id" = i64, Path, description = "The walker's id"), ListQuery),
    responses((status = 200, body = SessionList), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn walker_sessions(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<SessionList>, ApiError> {
    let walker = parse_id(&id, "walker")?;
    read_sessions(&state, &caller, walker, &query, route(&method, &path))
        .await
        .map(Json)
}

/// A page of a walker's sessions for a clinician under a grant, logged as read from `route`;
/// for the API and the clinician's page of one walker.
pub(crate) async fn read_sessions(
    state: &AppState,
    caller: &Caller,
    walker: Id,
    query: &ListQuery,
    route: String,
) -> Result<SessionList, ApiError> {
    let grant = granted(state, caller, walker, store::SharedData::Sessions).await?;
    let page = session_page(state, walker, query).await?;
    record(state, caller, &grant, AccessAction::Read, "sessions", route).await?;
    Ok(page)
}

/// A walker's plans, newest first, without their sessions (under a grant; logged).
#[utoipa::path(get, path = "/api/v1/clinician/walkers/{id}/plans", params(("id" = i64, Path, description = "The walker's id")),
    responses((status = 200, body = [Object]), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn walker_plans(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path(id): Path<String>,
) -> Result<Json<Vec<store::PlanSummary>>, ApiError> {
    let walker = parse_id(&id, "walker")?;
    let grant = granted(&state, &caller, walker, store::SharedData::Plans).await?;
    let plans = state.store.plans(walker).await?;
    record(
        &state,
        &caller,
        &grant,
        AccessAction::Read,
        "plans",
        route(&method, &path),
    )
    .await?;
    Ok(Json(plans))
}

/// One of a walker's plans with its planned sessions (under a grant; logged).
#[utoipa::path(get, path = "/api/v1/clinician/walkers/{id}/plans/{plan}", params(("id" = i64, Path, description = "The walker's id"), ("plan" = i64, Path, description = "The plan's id")),
    responses((status = 200, body = Object), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn walker_plan(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path((id, plan)): Path<(String, String)>,
) -> Result<Json<store::StoredPlan>, ApiError> {
    let walker = parse_id(&id, "walker")?;
    let plan = parse_id(&plan, "plan")?;
    let grant = granted(&state, &caller, walker, store::SharedData::Plans).await?;
    let found = state
        .store
        .plan(walker, plan)
        .await?
        .ok_or_else(|| ApiError::not_found("plan"))?;
    record(
        &state,
        &caller,
        &grant,
        AccessAction::Read,
        &format!("plan {plan}"),
        route(&method, &path),
    )
    .await?;
    Ok(Json(found))
}

/// The motion analysis of one of a walker's sessions (under a grant; logged).
#[utoipa::path(get, path = "/api/v1/clinician/walkers/{id}/sessions/{session}/motion", params(("id" = i64, Path, description = "The walker's id"), ("session" = i64, Path, description = "The session's id")),
    responses((status = 200, body = crate::api::motion::MotionAnalysis), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn walker_motion(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path((id, session)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let walker = parse_id(&id, "walker")?;
    let session = parse_id(&session, "session")?;
    let grant = granted(&state, &caller, walker, store::SharedData::MotionAnalyses).await?;
    let analysis = crate::api::motion::motion_analysis(&state, walker, session).await?;
    record(
        &state,
        &caller,
        &grant,
        AccessAction::Read,
        &format!("motion analysis of session {session}"),
        route(&method, &path),
    )
    .await?;
    Ok(analysis)
}

/// A walker's assessments, newest first (under a grant; logged).
#[utoipa::path(get, path = "/api/v1/clinician/walkers/{id}/assessments", params(("id" = i64, Path, description = "The walker's id")),
    responses((status = 200, body = [Object]), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn walker_assessments(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path(id): Path<String>,
) -> Result<Json<Vec<store::Assessment>>, ApiError> {
    let walker = parse_id(&id, "walker")?;
    let grant = granted(&state, &caller, walker, store::SharedData::Assessments).await?;
    let assessments = state.store.assessments(walker).await?;
    record(
        &state,
        &caller,
        &grant,
        AccessAction::Read,
        "assessments",
        route(&method, &path),
    )
    .await?;
    Ok(Json(assessments))
}

/// An invite code, as the clinician gave it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InviteCodeBody {
    /// 20 hex digits, in groups of four or not (`1a2b-3c4d-5e6f-7a8b-9c0d`).
    #[schema(pattern = "^[0-9A-Fa-f]{4}(-?[0-9A-Fa-f]{4}){4}$", max_length = 24)]
    pub(crate) code: String,
}

impl InviteCodeBody {
    fn parse(&self) -> Result<InviteCode, ApiError> {
        self.code
            .parse()
            .map_err(|e: BadInviteCode| ApiError::field("code", e.to_string()))
    }
}

/// A walker's grant, as the walker sees it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct GrantView {
    /// Id, for `DELETE /api/v1/grants/{id}`.
    id: Id,
    /// The clinician shared with.
    clinician_email: String,
    /// When the walker accepted.
    #[schema(value_type = String, format = DateTime)]
    granted_at: jiff::Timestamp,
    /// When the walker revoked it; null while it is in force.
    #[schema(value_type = Option<String>, format = DateTime)]
    revoked_at: Option<jiff::Timestamp>,
    /// What is shared.
    #[schema(schema_with = schema::shared_data_list)]
    shares: Vec<store::SharedData>,
    /// What the clinician may change.
    #[schema(schema_with = schema::clinician_change_list)]
    may_change: Vec<store::ClinicianChange>,
}

impl From<Grant> for GrantView {
    fn from(g: Grant) -> Self {
        GrantView {
            id: g.id,
            clinician_email: g.clinician_email,
            granted_at: g.granted_at,
            revoked_at: g.revoked_at,
            shares: g.scope.reads,
            may_change: g.scope.changes,
        }
    }
}

/// Accepts a clinician's invite: shares plans, sessions (with pain, RPE and near-falls),
/// assessments and motion analyses, and lets the clinician change the plan and its progression
/// rules, until revoked. 404 when the code is unknown, used, expired or the caller's own.
#[utoipa::path(post, path = "/api/v1/grants", request_body = InviteCodeBody, responses((status = 201, body = GrantView), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn accept_invite(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<InviteCodeBody>,
) -> Result<(StatusCode, Json<GrantView>), ApiError> {
    let code = body.parse()?;
    state
        .store
        .accept_invite(
            caller.id(),
            &code.hash(),
            &GrantScope::standard(),
            jiff::Timestamp::now(),
        )
        .await?
        .map(|g| (StatusCode::CREATED, Json(GrantView::from(g))))
        .ok_or_else(invite_gone)
}

fn invite_gone() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "this invite cannot be accepted: it is mistyped, already used, expired or your own; ask the clinician for a new one",
    )
}

/// Declines a clinician's invite: it can no longer be accepted, and nothing is shared.
#[utoipa::path(post, path = "/api/v1/invites/decline", request_body = InviteCodeBody, responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn decline_invite(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<InviteCodeBody>,
) -> Result<StatusCode, ApiError> {
    let code = body.parse()?;
    if state
        .store
        .decline_invite(caller.id(), &code.hash(), jiff::Timestamp::now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(invite_gone())
    }
}

/// The caller's grants, in force and revoked, newest first.
#[utoipa::path(get, path = "/api/v1/grants", responses((status = 200, body = [GrantView])), security(("bearer" = [])))]
pub(crate) async fn list_grants(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<GrantView>>, ApiError> {
    let grants = state.store.grants(caller.id()).await?;
    Ok(Json(grants.into_iter().map(GrantView::from).collect()))
}

/// Revokes a grant, with immediate effect: the clinician's next request is refused.
#[utoipa::path(delete, path = "/api/v1/grants/{id}", responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn revoke_grant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "grant")?;
    if state
        .store
        .revoke_grant(caller.id(), id, jiff::Timestamp::now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("grant"))
    }
}

/// One read or change a clinician made of the caller's data.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccessView {
    /// Who (their email at the time).
    clinician_email: String,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    at: jiff::Timestamp,
    /// Read or change.
    #[schema(schema_with = schema::access_action)]
    action: AccessAction,
    /// What ("sessions", "plans", "assessments").
    what: String,
    /// The method and route ("GET /api/v1/clinician/walkers/{id}/sessions").
    route: String,
}

/// The caller's access log: what clinicians read and changed, newest first (the last 200).
#[utoipa::path(get, path = "/api/v1/access-log", responses((status = 200, body = [AccessView])), security(("bearer" = [])))]
pub(crate) async fn access_log(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<AccessView>>, ApiError> {
    let log = state
        .store
        .access_log(caller.id(), ACCESS_LOG_LINES)
        .await?;
    Ok(Json(
        log.into_iter()
            .map(|e| AccessView {
                clinician_email: e.clinician_email,
                at: e.at,
                action: e.action,
                what: e.what,
                route: e.route,
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_grouped_or_not_in_any_case() {
        let code = InviteCode::generate();
        let shown = code.to_string();
        assert_eq!(shown.len(), 24);
        assert_eq!(shown.parse::<InviteCode>().unwrap(), code);
        assert_eq!(shown.replace('-', "").parse::<InviteCode>().unwrap(), code);
        assert_eq!(shown.to_uppercase().parse::<InviteCode>().unwrap(), code);
        assert!(
            "1a2b3c4d-5e6f-7a8b9c0d".parse::<InviteCode>().is_ok(),
            "dashes optional"
        );
        assert_eq!(format!("{code:?}"), "InviteCode(..)", "never logged");
    }

    #[test]
    fn other_text_is_no_code() {
        for bad in [
            "",
            "1a2b",
            "1a2b-3c4d-5e6f-7a8b-9c0",
            "1a2b-3c4d-5e6f-7a8b-9c0g",
            "1a2b3-c4d-5e6f-7a8b-9c0d",
            "1a2b-3c4d-5e6f-7a8b-9c0d-",
            "ünïcode-ünïcode",
            " 1a2b-3c4d-5e6f-7a8b-9c0d",
            "1a2b--3c4d-5e6f-7a8b-9c0d",
        ] {
            let err = bad.parse::<InviteCode>().unwrap_err();
            assert!(err.to_string().contains("groups of four"), "{bad}");
        }
    }
}

//! Sharing with a clinician (issue 15), in the browser: the clinician's Walkers page (make an
//! invite, the walkers who share, one walker's sessions), the walker's accept page
//! (`/share/{code}`, which says exactly what is shared and what may be changed), and the sharing
//! block of the settings page (grants with Revoke, the access log). Every write goes through the
//! API's handlers in `api::clinician`, and so does every read of a walker's data, which is
//! logged there.

use super::{Chrome, PageError, Viewer, render, see_other};
use crate::AppState;
use crate::api::clinician::{self, InviteCode, InviteCodeBody};
use crate::api::sessions::ListQuery;
use crate::problem::ApiJson;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use store::{AccessAction, ClinicianChange, SharedData};

/// A time as the pages show it (UTC, to the minute).
fn when(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// What is shared, in words: the walker reads these before accepting.
pub(crate) fn shared_in_words(data: SharedData) -> &'static str {
    match data {
        SharedData::Plans => "your plans and their planned sessions",
        SharedData::Sessions => {
            "your logged sessions, with pain before and after, effort (RPE), near-falls, whether you felt safe, and your notes"
        }
        SharedData::Assessments => "your assessments (3-metre backward walk test and others)",
        SharedData::MotionAnalyses => "the motion analyses of your sessions",
    }
}

/// What may be changed, in words.
pub(crate) fn change_in_words(change: ClinicianChange) -> &'static str {
    match change {
        ClinicianChange::PlanAndProgression => "your plan and its progression rules",
    }
}

/// One walker of the caseload, as the Walkers page shows it.
struct WalkerRow {
    id: store::Id,
    email: String,
    flags: Vec<&'static str>,
    adherence_7d: String,
    adherence_28d: String,
    last_session: String,
    pain: String,
    rpe: String,
    near_falls: String,
    three_mbwt: String,
}

/// "75% (15 of 20 min)", or words when nothing was due or there is no plan.
fn adherence_in_words(window: Option<crate::api::caseload::WindowAdherence>) -> String {
    match window {
        None => "no plan".into(),
        Some(w) => match w.share {
            None => "nothing due".into(),
            Some(share) => format!(
                "{:.0}% ({:.0} of {:.0} min)",
                share * 100.0,
                w.backward_seconds_walked as f64 / 60.0,
                w.backward_seconds_due as f64 / 60.0
            ),
        },
    }
}

fn caseload_row(e: crate::api::caseload::CaseloadEntry) -> WalkerRow {
    use coach::assessment::FallRisk;
    let score = |v: Option<u8>| v.map_or("not given".to_string(), |v| v.to_string());
    let (last_session, pain, rpe, near_falls) = match e.latest_session {
        Some(s) => (
            s.date.to_string(),
            format!("{} → {}", score(s.pain_before), score(s.pain_after)),
            score(s.rpe),
            format!("{} (last 14 days: {})", s.near_falls, e.near_falls_14d),
        ),
        None => ("none yet".into(), "–".into(), "–".into(), "–".into()),
    };
    WalkerRow {
        id: e.id,
        email: e.email,
        flags: e.flags.iter().map(|f| f.in_words()).collect(),
        adherence_7d: adherence_in_words(e.adherence_7d),
        adherence_28d: adherence_in_words(e.adherence_28d),
        last_session,
        pain,
        rpe,
        near_falls,
        three_mbwt: e.three_mbwt.map_or("not taken".into(), |t| {
            let band = match t.risk {
                FallRisk::Low => "low risk",
                FallRisk::Intermediate => "intermediate risk",
                FallRisk::High => "high risk",
                FallRisk::NotClassified => "not classified",
            };
            format!(
                "{:.1} s, {band} ({})",
                t.seconds,
                t.taken_at.strftime("%Y-%m-%d")
            )
        }),
    }
}

#[derive(Template)]
#[template(path = "walkers.html")]
struct WalkersPage {
    chrome: Chrome,
    walkers: Vec<WalkerRow>,
    invite: Option<(String, String, String)>,
    alerts: Vec<super::gates::CaseloadAlert>,
}

/// The caseload (every walker's summary is a read, logged in their access log).
async fn walkers_page(
    state: &AppState,
    viewer: &Viewer,
    invite: Option<(String, String, String)>,
    route: &str,
) -> Result<Response, PageError> {
    let caseload = crate::api::caseload::read_caseload(state, &viewer.caller, route).await?;
    let alerts = super::gates::caseload_alerts(state, viewer, &caseload).await?;
    let walkers = caseload.into_iter().map(caseload_row).collect();
    render(&WalkersPage {
        chrome: viewer.chrome("walkers"),
        walkers,
        invite,
        alerts,
    })
}

/// The clinician's Walkers page.
pub(crate) async fn walkers(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    walkers_page(&state, &viewer, None, "GET /walkers").await
}

/// Makes an invite and shows its code and link, once.
pub(crate) async fn make_invite(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Form(form): Form<super::public::CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let (code, expires_at) = clinician::make_invite(&state, &viewer.caller).await?;
    let link = format!(
        "{}{}",
        super::calendar::site_origin(&headers),
        clinician::share_link(&code)
    );
    walkers_page(
        &state,
        &viewer,
        Some((code.to_string(), link, when(expires_at))),
        "POST /walkers/invite",
    )
    .await
}

struct SessionRow {
    date: String,
    backward_minutes: String,
    rpe: String,
    pain: String,
    near_falls: u8,
    falls: u8,
    felt_safe: bool,
    notes: String,
}

#[derive(Template)]
#[template(path = "walker.html")]
struct WalkerPage {
    chrome: Chrome,
    email: String,
    walker_id: store::Id,
    sessions: Vec<SessionRow>,
    gates: super::gates::WalkerGates,
    prescribe: super::prescribe::Section,
}

/// Sessions a clinician's page of one walker shows.
const WALKER_PAGE_SESSIONS: u32 = 50;

/// One walker's sessions, for a clinician under a grant (logged as a read from this page).
pub(crate) async fn walker(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let walker = crate::api::parse_id(&id, "walker")?;
    walker_page(&state, &viewer, walker, Refused::Nothing).await
}

/// A form on the walker page that was refused and comes back as typed, with a 422.
pub(crate) enum Refused {
    /// None: the page as it is.
    Nothing,
    /// The gates form, with the message (boxed, like the next: forms are large).
    Gates(Box<(super::gates::GatesForm, String)>),
    /// One of the Prescribe forms (boxed: it holds every form of the section).
    Prescription(Box<super::prescribe::Typed>),
}

/// One walker's page: sessions, gates and alerts, prescribing; a refused form comes back.
pub(crate) async fn walker_page(
    state: &AppState,
    viewer: &Viewer,
    walker: store::Id,
    refused: Refused,
) -> Result<Response, PageError> {
    let (status, gates_refused, typed) = match refused {
        Refused::Nothing => (
            axum::http::StatusCode::OK,
            None,
            super::prescribe::Typed::default(),
        ),
        Refused::Gates(refused) => (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            Some(*refused),
            super::prescribe::Typed::default(),
        ),
        Refused::Prescription(typed) => {
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, None, *typed)
        }
    };
    let Some(grant) = state.store.active_grant(viewer.caller.id(), walker).await? else {
        return Err(PageError::NotFound("walker"));
    };
    let prescribe = super::prescribe::section(state, viewer, walker, typed).await?;
    let query = ListQuery {
        limit: Some(WALKER_PAGE_SESSIONS),
        cursor: None,
        from: None,
        to: None,
    };
    let sessions_grant =
        clinician::granted(state, &viewer.caller, walker, SharedData::Sessions).await?;
    let page = crate::api::sessions::session_page(state, walker, &query).await?;
    // One line in the walker's log for all the page reads, written before it is sent.
    clinician::record(
        state,
        &viewer.caller,
        &sessions_grant,
        AccessAction::Read,
        "sessions, and the plan with its changes and notes",
        "GET /walkers/{id}".into(),
    )
    .await?;
    let score = |v: Option<u8>| v.map_or("not given".to_string(), |v| v.to_string());
    let targets: Vec<(store::Id, String)> = page
        .items
        .iter()
        .map(|v| (v.session.id, v.session.local_date.to_string()))
        .collect();
    let prescribe = prescribe.with_sessions(&targets);
    let sessions = page
        .items
        .into_iter()
        .map(|v| {
            let e = &v.session.entry;
            SessionRow {
                date: v.session.local_date.to_string(),
                backward_minutes: format!("{:.1}", f64::from(e.backward_seconds) / 60.0),
                rpe: score(e.rpe.map(|r| r.value())),
                pain: format!(
                    "{} → {}",
                    score(e.pain_before.map(|p| p.value())),
                    score(e.pain_after.map(|p| p.value()))
                ),
                near_falls: e.near_falls,
                falls: e.falls,
                felt_safe: e.felt_safe,
                notes: e.notes.clone(),
            }
        })
        .collect();
    let gates = super::gates::walker_gates(state, viewer, walker, gates_refused).await?;
    super::render_status(
        status,
        &WalkerPage {
            chrome: viewer.chrome("walkers"),
            email: grant.walker_email,
            walker_id: walker,
            sessions,
            gates,
            prescribe,
        },
    )
}

#[derive(Template)]
#[template(path = "share.html")]
struct SharePage {
    chrome: Chrome,
    code: String,
    clinician: String,
    expires: String,
    own: bool,
    shares: Vec<&'static str>,
    changes: Vec<&'static str>,
}

/// The walker's accept page: who asks, exactly what would be shared and what may be changed.
pub(crate) async fn share(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let code: InviteCode = code.parse().map_err(|_| gone())?;
    let invite = state
        .store
        .open_invite(&code.hash(), jiff::Timestamp::now())
        .await?
        .ok_or_else(gone)?;
    let scope = store::GrantScope::standard();
    render(&SharePage {
        chrome: viewer.chrome(""),
        code: code.to_string(),
        own: invite.clinician_id == viewer.caller.id(),
        clinician: invite.clinician_email,
        expires: when(invite.expires_at),
        shares: scope.reads.iter().map(|d| shared_in_words(*d)).collect(),
        changes: scope.changes.iter().map(|c| change_in_words(*c)).collect(),
    })
}

fn gone() -> PageError {
    PageError::Other(
        axum::http::StatusCode::NOT_FOUND,
        "This invite cannot be accepted: it is mistyped, already used or declined, or expired. Ask the clinician for a new one.".into(),
    )
}

/// Accepts the invite through the API's handler, then shows the grant on the settings page.
pub(crate) async fn accept(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<super::public::CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let _grant = clinician::accept_invite(
        State(state),
        viewer.caller.clone(),
        ApiJson(InviteCodeBody { code }),
    )
    .await
    .map_err(|e| match e.status().as_u16() {
        404 | 422 => gone(),
        _ => e.into(),
    })?;
    Ok(see_other("/settings?shared=1#sharing"))
}

/// Declines the invite: it can no longer be accepted.
pub(crate) async fn decline(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<super::public::CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    clinician::decline_invite(
        State(state),
        viewer.caller.clone(),
        ApiJson(InviteCodeBody { code }),
    )
    .await
    .map_err(|e| match e.status().as_u16() {
        404 | 422 => gone(),
        _ => e.into(),
    })?;
    Ok(see_other("/settings?declined=1#sharing"))
}

/// Revokes a grant through the API's handler: the clinician's next request is refused.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<super::public::CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    clinician::revoke_grant(State(state), viewer.caller.clone(), Path(id)).await?;
    Ok(see_other("/settings?unshared=1#sharing"))
}

pub(crate) struct GrantRow {
    pub(crate) id: store::Id,
    pub(crate) clinician: String,
    pub(crate) since: String,
    pub(crate) revoked: Option<String>,
}

pub(crate) struct AccessRow {
    pub(crate) clinician: String,
    pub(crate) at: String,
    pub(crate) action: &'static str,
    pub(crate) what: String,
    pub(crate) route: String,
}

/// The settings page's sharing block: the grants and the access log.
pub(crate) struct SharingBlock {
    pub(crate) grants: Vec<GrantRow>,
    pub(crate) log: Vec<AccessRow>,
}

pub(crate) async fn sharing_block(
    state: &AppState,
    viewer: &Viewer,
) -> Result<SharingBlock, PageError> {
    let grants = state
        .store
        .grants(viewer.caller.id())
        .await?
        .into_iter()
        .map(|g| GrantRow {
            id: g.id,
            clinician: g.clinician_email,
            since: when(g.granted_at),
            revoked: g.revoked_at.map(when),
        })
        .collect();
    let log = state
        .store
        .access_log(viewer.caller.id(), clinician::ACCESS_LOG_LINES)
        .await?
        .into_iter()
        .map(|e| AccessRow {
            clinician: e.clinician_email,
            at: when(e.at),
            action: match e.action {
                AccessAction::Read => "read",
                AccessAction::Change => "changed",
            },
            what: e.what,
            route: e.route,
        })
        .collect();
    Ok(SharingBlock { grants, log })
}

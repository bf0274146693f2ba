//! Progression gates set by a clinician, alerts, and falls that pause progression (issue 15).
//!
//! A clinician under a grant reads and sets a walker's gates, reads and acknowledges their
//! alerts, and resumes progression after a pause; each read and change goes through
//! [`granted`] (404 without a grant in force) and is written to the walker's access log with
//! [`record`] before anything is answered. Every logged session passes through
//! [`session_logged`], which raises alerts (only for walkers who share with a clinician) and
//! pauses progression after a fall. Missed sessions are counted when alerts are read.

use crate::AppState;
use crate::api::clinician::{granted, may_change, record, route};
use crate::api::parse_id;
use crate::auth::Caller;
use crate::problem::{ApiError, ApiJson, ApiQuery, FieldError, Problem};
use axum::Json;
use axum::extract::{MatchedPath, Path, State};
use axum::http::{Method, StatusCode};
use coach::gates::{
    AlertKind, CompletionPercent, GateError, GateSettings, Gates, MissedSessions, NearFallAction,
    PainRise, Pause, RpeStreak, Rules, SetBy, StreakLength,
};
use coach::measure::Rpe;
use serde::{Deserialize, Serialize};
use store::{AccessAction, Acknowledgement, Alert, Id, LoggedSession, Role};
use utoipa::ToSchema;

/// Longest reason or note, in characters.
pub(crate) const MAX_NOTE_CHARS: usize = 1000;

/// The gates as the API writes them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GatesBody {
    /// A pain rise (after minus before) of this many points or more holds, 1-10.
    #[serde(deserialize_with = "crate::api::whole")]
    #[schema(minimum = 1, maximum = 10)]
    pub(crate) pain_rise_holds: i64,
    /// A pain rise of this many points or more steps down and alerts, 1-10, at least
    /// `pain_rise_holds`.
    #[serde(deserialize_with = "crate::api::whole")]
    #[schema(minimum = 1, maximum = 10)]
    pub(crate) pain_rise_steps_down: i64,
    /// What any near-fall does: step_down, step_down_and_alert or pause_and_alert.
    pub(crate) near_fall: NearFallBody,
    /// Advance only after this many sessions in a row (1-10) at effort at or below
    /// `rpe_streak_at_most`; null or absent: after any good session.
    #[serde(default, deserialize_with = "crate::api::whole_or_null")]
    #[schema(minimum = 1, maximum = 10)]
    pub(crate) rpe_streak_sessions: Option<i64>,
    /// The highest effort (Borg 6-20) that counts toward the streak; needed with
    /// `rpe_streak_sessions`.
    #[serde(default, deserialize_with = "crate::api::whole_or_null")]
    #[schema(minimum = 6, maximum = 20)]
    pub(crate) rpe_streak_at_most: Option<i64>,
    /// Effort above this (Borg 6-20) holds.
    #[serde(deserialize_with = "crate::api::whole")]
    #[schema(minimum = 6, maximum = 20)]
    pub(crate) hold_above_rpe: i64,
    /// Less than this percentage of the planned backward time holds, 1-100.
    #[serde(deserialize_with = "crate::api::whole")]
    #[schema(minimum = 1, maximum = 100)]
    pub(crate) hold_below_completion: i64,
    /// Less than this percentage steps down, 1-100, at most `hold_below_completion`.
    #[serde(deserialize_with = "crate::api::whole")]
    #[schema(minimum = 1, maximum = 100)]
    pub(crate) step_down_below_completion: i64,
    /// This many planned sessions passed without a session logged alert the clinician, 1-14.
    #[serde(deserialize_with = "crate::api::whole")]
    #[schema(minimum = 1, maximum = 14)]
    pub(crate) missed_sessions_alert: i64,
}

/// What a near-fall does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum NearFallBody {
    /// Step down.
    StepDown,
    /// Step down and alert the clinician.
    StepDownAndAlert,
    /// Pause progression and alert the clinician.
    PauseAndAlert,
}

impl From<NearFallAction> for NearFallBody {
    fn from(a: NearFallAction) -> Self {
        match a {
            NearFallAction::StepDown => NearFallBody::StepDown,
            NearFallAction::StepDownAndAlert => NearFallBody::StepDownAndAlert,
            NearFallAction::PauseAndAlert => NearFallBody::PauseAndAlert,
        }
    }
}

impl From<NearFallBody> for NearFallAction {
    fn from(a: NearFallBody) -> Self {
        match a {
            NearFallBody::StepDown => NearFallAction::StepDown,
            NearFallBody::StepDownAndAlert => NearFallAction::StepDownAndAlert,
            NearFallBody::PauseAndAlert => NearFallAction::PauseAndAlert,
        }
    }
}

impl From<&Gates> for GatesBody {
    fn from(g: &Gates) -> Self {
        let s = g.settings();
        GatesBody {
            pain_rise_holds: s.pain_rise_holds.value().into(),
            pain_rise_steps_down: s.pain_rise_steps_down.value().into(),
            near_fall: s.near_fall.into(),
            rpe_streak_sessions: s.rpe_streak.map(|r| r.sessions.value().into()),
            rpe_streak_at_most: s.rpe_streak.map(|r| r.rpe_at_most.value().into()),
            hold_above_rpe: s.hold_above_rpe.value().into(),
            hold_below_completion: s.hold_below_completion.value().into(),
            step_down_below_completion: s.step_down_below_completion.value().into(),
            missed_sessions_alert: s.missed_sessions_alert.value().into(),
        }
    }
}

fn field_error(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

fn rpe(field: &str, value: i64, errors: &mut Vec<FieldError>) -> Option<Rpe> {
    match u8::try_from(value).ok().and_then(|v| Rpe::new(v).ok()) {
        Some(r) => Some(r),
        None => {
            errors.push(field_error(
                field,
                format!("{value} is out of range; expected an effort on Borg's scale from 6 to 20"),
            ));
            None
        }
    }
}

impl GatesBody {
    /// Parses every gate, naming each field that is wrong (`prefix` is the path to the body).
    pub(crate) fn parse(&self, prefix: &str) -> Result<Gates, ApiError> {
        let mut errors = Vec::new();
        let path = |f: &str| format!("{prefix}{f}");
        fn take<T>(
            r: Result<T, GateError>,
            field: String,
            errors: &mut Vec<FieldError>,
        ) -> Option<T> {
            r.map_err(|e| errors.push(field_error(field, e.to_string())))
                .ok()
        }
        let holds = take(
            PainRise::new(self.pain_rise_holds),
            path("pain_rise_holds"),
            &mut errors,
        );
        let steps = take(
            PainRise::new(self.pain_rise_steps_down),
            path("pain_rise_steps_down"),
            &mut errors,
        );
        let streak = match (self.rpe_streak_sessions, self.rpe_streak_at_most) {
            (None, None) => Some(None),
            (Some(n), Some(r)) => {
                let n = take(
                    StreakLength::new(n),
                    path("rpe_streak_sessions"),
                    &mut errors,
                );
                let r = rpe(&path("rpe_streak_at_most"), r, &mut errors);
                n.zip(r).map(|(sessions, rpe_at_most)| {
                    Some(RpeStreak {
                        sessions,
                        rpe_at_most,
                    })
                })
            }
            (Some(_), None) => {
                errors.push(field_error(
                    path("rpe_streak_at_most"),
                    "expected an effort from 6 to 20 with rpe_streak_sessions",
                ));
                None
            }
            (None, Some(_)) => {
                errors.push(field_error(
                    path("rpe_streak_sessions"),
                    "expected a number of sessions from 1 to 10 with rpe_streak_at_most",
                ));
                None
            }
        };
        let hold_rpe = rpe(&path("hold_above_rpe"), self.hold_above_rpe, &mut errors);
        let hold = take(
            CompletionPercent::new(self.hold_below_completion),
            path("hold_below_completion"),
            &mut errors,
        );
        let step = take(
            CompletionPercent::new(self.step_down_below_completion),
            path("step_down_below_completion"),
            &mut errors,
        );
        let missed = take(
            MissedSessions::new(self.missed_sessions_alert),
            path("missed_sessions_alert"),
            &mut errors,
        );
        let (
            Some(pain_rise_holds),
            Some(pain_rise_steps_down),
            Some(rpe_streak),
            Some(hold_above_rpe),
            Some(hold_below_completion),
            Some(step_down_below_completion),
            Some(missed_sessions_alert),
        ) = (holds, steps, streak, hold_rpe, hold, step, missed)
        else {
            return Err(ApiError::invalid(errors));
        };
        Gates::try_from(GateSettings {
            pain_rise_holds,
            pain_rise_steps_down,
            near_fall: self.near_fall.into(),
            rpe_streak,
            hold_above_rpe,
            hold_below_completion,
            step_down_below_completion,
            missed_sessions_alert,
        })
        .map_err(|e| ApiError::field(path(e.gate()), e.to_string()))
    }
}

/// New gates for a walker, with the reason the walker reads.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetGatesBody {
    /// The gates.
    pub(crate) gates: GatesBody,
    /// Why, for the walker: 1-1000 characters.
    #[schema(min_length = 1, max_length = 1000)]
    pub(crate) reason: String,
}

/// A reason or note: 1-1000 characters, not only spaces.
pub(crate) fn note(field: &str, text: &str, required: bool) -> Result<String, ApiError> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(ApiError::field(
            field,
            format!("expected a {field} of 1 to {MAX_NOTE_CHARS} characters"),
        ));
    }
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::field(
            field,
            format!("too long: expected at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    Ok(text.to_string())
}

/// A paused progression.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PauseView {
    /// fall or near_fall.
    #[schema(value_type = String)]
    pub(crate) why: coach::gates::PauseCause,
    /// The walker's day of the session that paused it.
    #[schema(value_type = String, format = Date)]
    pub(crate) since: jiff::civil::Date,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub(crate) paused_at: jiff::Timestamp,
    /// The session that paused it, if it still exists.
    pub(crate) session_id: Option<Id>,
}

/// The gates in force for a walker and who set them.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RulesView {
    /// The gates.
    pub(crate) gates: GatesBody,
    /// The gates in words, one line each.
    pub(crate) in_words: Vec<String>,
    /// "built-in" or "set by <clinician> on <date>".
    pub(crate) set_by: String,
    /// The clinician's email; null for the built-in rules.
    pub(crate) set_by_email: Option<String>,
    /// When; null for the built-in rules.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub(crate) set_at: Option<jiff::Timestamp>,
    /// The clinician's reason; null for the built-in rules.
    pub(crate) reason: Option<String>,
    /// The pause in force; null when progression is not paused.
    pub(crate) paused: Option<PauseView>,
}

/// The rules in force for a walker (the built-in ones when no clinician set any) and the pause
/// in force, as the coach reads them.
pub(crate) async fn rules_in_force(
    state: &AppState,
    walker: Id,
) -> Result<
    (
        Rules,
        Option<store::StoredRules>,
        Option<store::ProgressionPause>,
    ),
    ApiError,
> {
    let (rules, stored) = rules_set(state, walker).await?;
    let pause = state.store.progression_pause(walker).await?;
    Ok((rules, stored, pause))
}

/// The rules in force for a walker and the stored rules they come from (none: built-in),
/// without the pause (one query).
async fn rules_set(
    state: &AppState,
    walker: Id,
) -> Result<(Rules, Option<store::StoredRules>), ApiError> {
    let stored = state.store.rules(walker).await?;
    let rules = match &stored {
        Some(r) => Rules {
            gates: r.gates,
            set_by: SetBy::Clinician {
                name: r.set_by_email.clone(),
                on: r.set_at.to_zoned(jiff::tz::TimeZone::UTC).date(),
            },
        },
        None => Rules::default(),
    };
    Ok((rules, stored))
}

/// The coach's view of a pause.
pub(crate) fn coach_pause(pause: &store::ProgressionPause) -> Pause {
    Pause {
        since: pause.pause.local_date,
        why: pause.pause.why,
    }
}

/// The next session of a walker's plan under the rules and pause in force.
pub(crate) async fn next_session(
    state: &AppState,
    walker: Id,
    plan: &coach::plan::Plan,
    logged: &[coach::progression::SessionOutcome],
) -> Result<coach::progression::NextSession, ApiError> {
    let (rules, _, pause) = rules_in_force(state, walker).await?;
    let pause = pause.as_ref().map(coach_pause);
    Ok(coach::progression::next_session_with(
        plan,
        logged,
        &rules,
        pause.as_ref(),
    ))
}

async fn rules_view(state: &AppState, walker: Id) -> Result<RulesView, ApiError> {
    let (rules, stored, pause) = rules_in_force(state, walker).await?;
    Ok(RulesView {
        gates: GatesBody::from(&rules.gates),
        in_words: rules.gates.in_words(),
        set_by: rules.set_by.to_string(),
        set_by_email: stored.as_ref().map(|s| s.set_by_email.clone()),
        set_at: stored.as_ref().map(|s| s.set_at),
        reason: stored.map(|s| s.reason),
        paused: pause.map(|p| PauseView {
            why: p.pause.why,
            since: p.pause.local_date,
            paused_at: p.pause.paused_at,
            session_id: p.pause.session_id,
        }),
    })
}

/// Whether the walker shares with at least one clinician (a grant in force).
pub(crate) async fn shares(state: &AppState, walker: Id) -> Result<bool, ApiError> {
    Ok(state
        .store
        .grants(walker)
        .await?
        .iter()
        .any(|g| g.revoked_at.is_none()))
}

/// What a logged session sets off: a fall (or a near-fall under the "pause" gate) pauses
/// progression, for every walker; alerts are raised only for walkers who share with a clinician.
/// The API, the pages and the timer all log through `sessions::add_session`, which calls this.
pub(crate) async fn session_logged(
    state: &AppState,
    walker: Id,
    session: &LoggedSession,
) -> Result<(), ApiError> {
    let e = &session.entry;
    // The gates only: whether progression is paused already does not change what a session
    // sets off.
    let (rules, _) = rules_set(state, walker).await?;
    let (alerts, pause) = coach::gates::after_session(
        &rules.gates,
        &coach::gates::SessionSigns {
            near_falls: e.near_falls,
            falls: e.falls,
            pain_before: e.pain_before,
            pain_after: e.pain_after,
        },
    );
    let now = jiff::Timestamp::now();
    if let Some(why) = pause {
        state
            .store
            .pause_progression(&store::NewPause {
                walker_id: walker,
                paused_at: now,
                local_date: session.local_date,
                why,
                session_id: Some(session.id),
            })
            .await?;
    }
    if !alerts.is_empty() && shares(state, walker).await? {
        for a in alerts {
            state
                .store
                .raise_alert(&store::NewAlert {
                    walker_id: walker,
                    kind: a.kind,
                    session_id: Some(session.id),
                    words: a.words,
                    raised_at: now,
                })
                .await?;
        }
    }
    Ok(())
}

/// Counts the walker's planned sessions that passed (before today) without a session logged
/// against the plan, and raises the missed-sessions alert when the gate is reached and none is
/// open already.
pub(crate) async fn check_missed(state: &AppState, walker: Id) -> Result<(), ApiError> {
    let Some(plan) = state.store.active_plan(walker).await? else {
        return Ok(());
    };
    let today = jiff::Zoned::now().date();
    let past = plan
        .sessions
        .iter()
        .filter(|s| s.session.date < today)
        .count();
    let logged = state.store.plan_outcomes(walker, plan.plan.id).await?.len();
    let missed = u32::try_from(past.saturating_sub(logged)).unwrap_or(u32::MAX);
    raise_missed(state, walker, missed).await
}

/// Raises the missed-sessions alert when `missed` planned sessions (before today, none logged
/// against the plan) reach the walker's gate and none is open; for callers that counted them
/// already (the caseload reads every walker's plan in a few queries).
pub(crate) async fn raise_missed(
    state: &AppState,
    walker: Id,
    missed: u32,
) -> Result<(), ApiError> {
    if missed == 0 {
        return Ok(());
    }
    let (rules, _, _) = rules_in_force(state, walker).await?;
    let Some(alert) = coach::gates::missed_alert(&rules.gates, missed) else {
        return Ok(());
    };
    let open = state.store.alerts(walker, true).await?;
    if open.iter().any(|a| a.kind == AlertKind::MissedSessions) {
        return Ok(());
    }
    state
        .store
        .raise_alert(&store::NewAlert {
            walker_id: walker,
            kind: alert.kind,
            session_id: None,
            words: alert.words,
            raised_at: jiff::Timestamp::now(),
        })
        .await?;
    Ok(())
}

/// The progression gates in force for a walker, who set them, and the pause in force (under a
/// grant; logged).
#[utoipa::path(get, path = "/api/v1/clinician/walkers/{id}/gates", params(("id" = i64, Path, description = "The walker's id")),
    responses((status = 200, body = RulesView), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn walker_gates(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path(id): Path<String>,
) -> Result<Json<RulesView>, ApiError> {
    let walker = parse_id(&id, "walker")?;
    let grant = granted(&state, &caller, walker, store::SharedData::Plans).await?;
    let view = rules_view(&state, walker).await?;
    record(
        &state,
        &caller,
        &grant,
        AccessAction::Read,
        "progression gates",
        route(&method, &path),
    )
    .await?;
    Ok(Json(view))
}

/// Sets a walker's progression gates, with the reason the walker reads (under a grant; logged
/// as a change). The earlier gates stay in the history.
#[utoipa::path(put, path = "/api/v1/clinician/walkers/{id}/gates", params(("id" = i64, Path, description = "The walker's id")), request_body = SetGatesBody,
    responses((status = 200, body = RulesView), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn set_walker_gates(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SetGatesBody>,
) -> Result<Json<RulesView>, ApiError> {
    let walker = parse_id(&id, "walker")?;
    let grant = may_change(&state, &caller, walker).await?;
    let gates = body.gates.parse("gates.")?;
    let reason = note("reason", &body.reason, true)?;
    set_gates(
        &state,
        &caller,
        &grant,
        gates,
        reason,
        route(&method, &path),
    )
    .await?;
    Ok(Json(rules_view(&state, walker).await?))
}

/// Sets gates under a grant, logged as a change first; for the API and the walker page.
pub(crate) async fn set_gates(
    state: &AppState,
    caller: &Caller,
    grant: &store::Grant,
    gates: Gates,
    reason: String,
    route: String,
) -> Result<(), ApiError> {
    record(
        state,
        caller,
        grant,
        AccessAction::Change,
        "progression gates",
        route,
    )
    .await?;
    state
        .store
        .set_rules(
            grant.walker_id,
            &store::NewRules {
                gates,
                set_by: caller.id(),
                set_by_email: caller.user.email.clone(),
                set_at: jiff::Timestamp::now(),
                reason,
            },
        )
        .await?;
    Ok(())
}

/// One alert.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AlertView {
    /// Id, for acknowledging it.
    pub(crate) id: Id,
    /// The walker.
    pub(crate) walker_id: Id,
    /// near_fall, pain_rise, missed_sessions or fall.
    #[schema(value_type = String)]
    pub(crate) kind: AlertKind,
    /// The session that raised it, if one did.
    pub(crate) session_id: Option<Id>,
    /// In words.
    pub(crate) words: String,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub(crate) raised_at: jiff::Timestamp,
    /// Who acknowledged it; null while open.
    pub(crate) acknowledged_by: Option<String>,
    /// When; null while open.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub(crate) acknowledged_at: Option<jiff::Timestamp>,
    /// Their note; null while open.
    pub(crate) note: Option<String>,
}

impl From<Alert> for AlertView {
    fn from(a: Alert) -> Self {
        AlertView {
            id: a.id,
            walker_id: a.walker_id,
            kind: a.kind,
            session_id: a.session_id,
            words: a.words,
            raised_at: a.raised_at,
            acknowledged_by: a.acknowledged.as_ref().map(|k| k.by_email.clone()),
            acknowledged_at: a.acknowledged.as_ref().map(|k| k.at),
            note: a.acknowledged.map(|k| k.note),
        }
    }
}

/// Which walker's alerts.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlertQuery {
    /// Only this walker's (their id).
    #[serde(default)]
    #[param(minimum = 1)]
    walker: Option<i64>,
}

/// The open alerts of one walker, newest first, missed sessions counted first (under a grant;
/// logged).
pub(crate) async fn walker_alerts(
    state: &AppState,
    caller: &Caller,
    walker: Id,
    route: String,
) -> Result<Vec<AlertView>, ApiError> {
    let grant = granted(state, caller, walker, store::SharedData::Sessions).await?;
    check_missed(state, walker).await?;
    let alerts = state.store.alerts(walker, true).await?;
    record(state, caller, &grant, AccessAction::Read, "alerts", route).await?;
    Ok(alerts.into_iter().map(AlertView::from).collect())
}

/// The open alerts of the caller's walkers (or of one, `?walker=`), newest first per walker
/// (clinicians; each walker's read is logged).
#[utoipa::path(get, path = "/api/v1/clinician/alerts", params(AlertQuery),
    responses((status = 200, body = [AlertView]), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn list_alerts(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    ApiQuery(query): ApiQuery<AlertQuery>,
) -> Result<Json<Vec<AlertView>>, ApiError> {
    let route = route(&method, &path);
    // One walker's alerts answer 404 like their other data; the whole caseload is a clinician's.
    let walkers: Vec<Id> = match query.walker {
        Some(w) => vec![w],
        None => {
            caller.require(&[Role::Clinician])?;
            state
                .store
                .clinician_grants(caller.id())
                .await?
                .into_iter()
                .map(|g| g.walker_id)
                .collect()
        }
    };
    let mut all = Vec::new();
    for walker in walkers {
        all.extend(walker_alerts(&state, &caller, walker, route.clone()).await?);
    }
    Ok(Json(all))
}

/// A note with an acknowledgement or a resumption.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteBody {
    /// 0-1000 characters.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub(crate) note: String,
}

/// Acknowledges an alert of one of the caller's walkers (under a grant; logged as a change). The
/// acknowledgement is kept; a second one changes nothing.
#[utoipa::path(post, path = "/api/v1/clinician/alerts/{id}/acknowledge", params(("id" = i64, Path, description = "The alert's id")), request_body = NoteBody,
    responses((status = 200, body = AlertView), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn acknowledge_alert(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<Json<AlertView>, ApiError> {
    let id = parse_id(&id, "alert")?;
    let note = note("note", &body.note, false)?;
    acknowledge(&state, &caller, id, note, route(&method, &path))
        .await
        .map(Json)
}

/// Acknowledges alert `id` if it belongs to a walker who shares with the caller; for the API and
/// the walker page.
pub(crate) async fn acknowledge(
    state: &AppState,
    caller: &Caller,
    id: Id,
    note: String,
    route: String,
) -> Result<AlertView, ApiError> {
    if caller.user.role != Role::Clinician {
        return Err(ApiError::not_found("alert"));
    }
    for grant in state.store.clinician_grants(caller.id()).await? {
        let walker = grant.walker_id;
        let theirs = state.store.alerts(walker, false).await?;
        if !theirs.iter().any(|a| a.id == id) {
            continue;
        }
        let grant = granted(state, caller, walker, store::SharedData::Sessions).await?;
        record(
            state,
            caller,
            &grant,
            AccessAction::Change,
            &format!("alert {id} acknowledged"),
            route,
        )
        .await?;
        let alert = state
            .store
            .acknowledge_alert(
                walker,
                id,
                &Acknowledgement {
                    by: Some(caller.id()),
                    by_email: caller.user.email.clone(),
                    at: jiff::Timestamp::now(),
                    note,
                },
            )
            .await?
            .ok_or_else(|| ApiError::not_found("alert"))?;
        return Ok(AlertView::from(alert));
    }
    Err(ApiError::not_found("alert"))
}

/// Why progression may go on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResumeBody {
    /// Why, for the walker: 1-1000 characters.
    #[schema(min_length = 1, max_length = 1000)]
    pub(crate) reason: String,
}

/// Resumes a walker's paused progression (under a grant; logged as a change); 409 when it is not
/// paused.
#[utoipa::path(post, path = "/api/v1/clinician/walkers/{id}/resume", params(("id" = i64, Path, description = "The walker's id")), request_body = ResumeBody,
    responses((status = 200, body = RulesView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn resume_walker(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResumeBody>,
) -> Result<Json<RulesView>, ApiError> {
    let walker = parse_id(&id, "walker")?;
    let grant = may_change(&state, &caller, walker).await?;
    let reason = note("reason", &body.reason, true)?;
    resume(&state, &caller, &grant, reason, route(&method, &path)).await?;
    Ok(Json(rules_view(&state, walker).await?))
}

/// Resumes progression under a grant, logged as a change first; for the API and the page.
pub(crate) async fn resume(
    state: &AppState,
    caller: &Caller,
    grant: &store::Grant,
    reason: String,
    route: String,
) -> Result<(), ApiError> {
    if state
        .store
        .progression_pause(grant.walker_id)
        .await?
        .is_none()
    {
        return Err(ApiError::conflict("progression is not paused"));
    }
    record(
        state,
        caller,
        grant,
        AccessAction::Change,
        "progression resumed",
        route,
    )
    .await?;
    state
        .store
        .resume_progression(
            grant.walker_id,
            &Acknowledgement {
                by: Some(caller.id()),
                by_email: caller.user.email.clone(),
                at: jiff::Timestamp::now(),
                note: reason,
            },
        )
        .await?;
    Ok(())
}

/// The caller's own progression rules: the gates in force, who set them and why, and the pause
/// in force.
#[utoipa::path(get, path = "/api/v1/gates", responses((status = 200, body = RulesView)), security(("bearer" = [])))]
pub(crate) async fn my_gates(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RulesView>, ApiError> {
    Ok(Json(rules_view(&state, caller.id()).await?))
}

/// A walker resuming their own progression after a fall.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SelfResumeBody {
    /// Must be true: you confirm you were not injured.
    #[schema(schema_with = crate::api::schema::only_true)]
    pub(crate) uninjured: bool,
}

/// Resumes the caller's own paused progression, only when they share with no clinician (who
/// would resume it) and confirm they were not injured; 409 otherwise.
#[utoipa::path(post, path = "/api/v1/gates/resume", request_body = SelfResumeBody,
    responses((status = 200, body = RulesView), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn resume_mine(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<SelfResumeBody>,
) -> Result<Json<RulesView>, ApiError> {
    self_resume(&state, &caller, body.uninjured).await?;
    Ok(Json(rules_view(&state, caller.id()).await?))
}

/// The walker's own resumption; for the API and the pages.
pub(crate) async fn self_resume(
    state: &AppState,
    caller: &Caller,
    uninjured: bool,
) -> Result<(), ApiError> {
    if !uninjured {
        return Err(ApiError::field(
            "uninjured",
            "expected true: confirm you were not injured, or see a clinician before going on",
        ));
    }
    if shares(state, caller.id()).await? {
        return Err(ApiError::conflict(
            "you share with a clinician: they resume your progression",
        ));
    }
    let resumed = state
        .store
        .resume_progression(
            caller.id(),
            &Acknowledgement {
                by: Some(caller.id()),
                by_email: caller.user.email.clone(),
                at: jiff::Timestamp::now(),
                note: "resumed by the walker, who was not injured".to_string(),
            },
        )
        .await?;
    if resumed.is_none() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "progression is not paused",
        ));
    }
    Ok(())
}

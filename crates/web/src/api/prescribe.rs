//! Prescribing (issue 15): a clinician assigns a walker a plan from the catalogue or from their
//! own saved templates, adjusts the plan being followed from today on, and leaves short notes on
//! a plan or a session; the walker reads who changed their plan, when and why, and the notes.
//!
//! Every route on a walker's data goes through [`granted`] (404 without a grant in force that
//! shares plans and lets the clinician change them) and writes the access log with
//! [`record`] before it answers. A change is stored with the plan in one transaction
//! ([`store::Store::assign_plan`], [`store::Store::adjust_plan`]), and every change needs a
//! reason. The coach builds the plan ([`coach::prescription`]); nothing here decides a dose.

use crate::AppState;
use crate::api::clinician::{granted, may_change, record, route};
use crate::api::parse_id;
use crate::api::schema;
use crate::auth::Caller;
use crate::problem::{ApiError, ApiJson, FieldError, Problem};
use axum::Json;
use axum::extract::{MatchedPath, Path, State};
use axum::http::{Method, StatusCode};
use coach::measure::Speed;
use coach::plan::{Level, Setting, Weeks};
use coach::prescription::{Parameters, Prescription, PrescriptionError};
use coach::protocol::Goal;
use coach::schedule::{TimeOfDay, TrainingDays};
use coach::screening::{Clearance, Precaution};
use serde::{Deserialize, Serialize};
use store::{
    AccessAction, ClinicianNote, Grant, Id, NewNote, NewPlan, NewPlanChange, NewTemplate,
    NoteTarget, PlanChange, PlanChangeKind, PlanFields, PlanTemplate, Role,
};
use utoipa::ToSchema;

/// Longest reason for a change, characters.
pub(crate) const MAX_REASON: usize = 500;
/// Longest note, characters.
pub(crate) const MAX_NOTE: usize = 1000;
/// Longest template name, characters.
pub(crate) const MAX_TEMPLATE_NAME: usize = 100;
/// Templates one clinician may keep: far more than a clinic's protocols, and a bound on storage.
pub(crate) const MAX_TEMPLATES: usize = 200;

/// A prescription's parameters, as a clinician types them; also what a template keeps.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParametersBody {
    /// A catalogue protocol id.
    #[schema(schema_with = schema::protocol)]
    pub(crate) protocol: String,
    /// knee, balance, fitness or general (the protocol must serve it).
    #[schema(schema_with = schema::goal)]
    pub(crate) goal: Goal,
    /// new or some_experience.
    #[schema(schema_with = schema::level)]
    pub(crate) level: Level,
    /// ground, hallway or treadmill.
    #[schema(schema_with = schema::setting)]
    pub(crate) setting: Setting,
    /// The weekdays sessions fall on (`mon`...`sun`): one session on each.
    #[schema(schema_with = schema::weekdays)]
    pub(crate) weekdays: Vec<String>,
    /// The time sessions start, HH:MM local time; without it they are whole-day entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "07:30",
        pattern = "^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    )]
    pub(crate) time_of_day: Option<String>,
    /// Length in weeks, 1-52.
    #[schema(minimum = 1, maximum = 52)]
    #[serde(deserialize_with = "crate::api::whole")]
    pub(crate) weeks: u8,
    /// Backward minutes per session in the first week, 1-60 (and no more than `end_minutes`).
    #[schema(minimum = 1, maximum = 60)]
    #[serde(deserialize_with = "crate::api::whole")]
    pub(crate) start_minutes: u32,
    /// Backward minutes per session at full dose, 1-60; the protocol's dose when left out. Past
    /// the protocol's dose only with `override_bounds`.
    #[serde(
        default,
        deserialize_with = "crate::api::whole_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(minimum = 1, maximum = 60)]
    pub(crate) end_minutes: Option<u32>,
    /// Longest backward block, seconds: a multiple of 30 from 30 to 600 (past the level's
    /// longest only with `override_bounds`); the level's when left out.
    #[serde(
        default,
        deserialize_with = "crate::api::whole_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(minimum = 30, maximum = 600, multiple_of = 30)]
    pub(crate) block_seconds: Option<u32>,
    /// Backward treadmill speed, m/s (treadmill only): 0.1 to 1.78816 (4 mph; past 3 mph only
    /// with `override_bounds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0.1, maximum = 1.78816)]
    pub(crate) treadmill_speed_mps: Option<f64>,
    /// The first week incline may appear, 1 to `weeks` (treadmill only; knee plans only with
    /// `override_bounds`).
    #[serde(
        default,
        deserialize_with = "crate::api::whole_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(minimum = 1, maximum = 52)]
    pub(crate) incline_from_week: Option<u8>,
    /// Go past the protocol's safe bounds on purpose (the plan says so to the walker).
    #[serde(default)]
    pub(crate) override_bounds: bool,
}

impl ParametersBody {
    /// The coach's prescription, or every field at fault (under `prefix`).
    pub(crate) fn prescription(&self, prefix: &str) -> Result<Prescription, ApiError> {
        let mut errors = Vec::new();
        let mut field = |name: &str, message: String| {
            errors.push(FieldError {
                field: format!("{prefix}{name}"),
                message,
            })
        };
        let protocol = crate::api::records::known_protocol(&self.protocol)
            .map_err(|m| field("protocol", m))
            .ok();
        let days = self
            .weekdays
            .iter()
            .map(|n| coach::schedule::parse_weekday(n))
            .collect::<Result<Vec<_>, _>>()
            .and_then(TrainingDays::new)
            .map_err(|e| field("weekdays", e.to_string()))
            .ok();
        let time = match self.time_of_day.as_deref().map(str::parse::<TimeOfDay>) {
            None => None,
            Some(Ok(t)) => Some(t),
            Some(Err(e)) => {
                field("time_of_day", e.to_string());
                None
            }
        };
        let weeks = Weeks::new(self.weeks)
            .map_err(|e| field("weeks", e.to_string()))
            .ok();
        let speed = match self.treadmill_speed_mps.map(Speed::from_mps).transpose() {
            Ok(s) => s,
            Err(e) => {
                field("treadmill_speed_mps", e.to_string());
                None
            }
        };
        let (Some(protocol), Some(days), Some(weeks), true) =
            (protocol, days, weeks, errors.is_empty())
        else {
            return Err(ApiError::invalid(errors));
        };
        Prescription::new(Parameters {
            protocol,
            goal: self.goal,
            level: self.level,
            setting: self.setting,
            days,
            time,
            weeks,
            start_minutes: self.start_minutes,
            end_minutes: self.end_minutes,
            block_seconds: self.block_seconds,
            treadmill_speed: speed,
            incline_from_week: self.incline_from_week,
            override_bounds: self.override_bounds,
        })
        .map_err(|e| prescription_error(prefix, e))
    }
}

fn prescription_error(prefix: &str, e: PrescriptionError) -> ApiError {
    ApiError::field(format!("{prefix}{}", e.field_name()), e.to_string())
}

/// A reason for a change: required, 1-500 characters once trimmed.
fn reason(text: &str) -> Result<String, ApiError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(ApiError::field(
            "reason",
            "a reason is required: say in a few words why the plan changes (the walker reads it)",
        ));
    }
    if trimmed.chars().count() > MAX_REASON {
        return Err(ApiError::field(
            "reason",
            format!("the reason is too long: at most {MAX_REASON} characters"),
        ));
    }
    Ok(trimmed.to_string())
}

/// A note's text: 1-1000 characters once trimmed.
fn note_text(text: &str, field: &str) -> Result<String, ApiError> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_NOTE {
        return Err(ApiError::field(
            field,
            format!(
                "a note is 1 to {MAX_NOTE} characters; this one has {} once trimmed",
                trimmed.chars().count()
            ),
        ));
    }
    Ok(trimmed.to_string())
}

/// The walker's clearance and precautions from their latest screening. Without one the
/// clinician's prescription is the clearance: the plan is then made as for a walker cleared.
async fn walker_clearance(
    state: &AppState,
    walker: Id,
) -> Result<(Clearance, Vec<Precaution>), ApiError> {
    let Some(screening) = state.store.latest_screening(walker).await? else {
        return Ok((Clearance::Cleared, Vec::new()));
    };
    let precautions: Vec<Precaution> = screening
        .screening
        .result
        .get("precautions")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(ApiError::internal)?
        .unwrap_or_default();
    Ok((screening.screening.clearance, precautions))
}

/// A plan's details as the other plan routes keep them, plus the prescription and who cleared it.
fn details(
    plan: &coach::plan::Plan,
    parameters: &ParametersBody,
    caller: &Caller,
    rescheduled: u64,
) -> Result<serde_json::Value, ApiError> {
    Ok(serde_json::json!({
        "protocol": plan.protocol,
        "precautions": plan.precautions,
        "rules": plan.rules,
        "adjustments": plan.adjustments,
        "rule_sources": plan.rule_sources,
        "forward_speed_mps": null,
        "schedule": plan.schedule,
        "rescheduled": rescheduled,
        "prescription": serde_json::to_value(parameters).map_err(ApiError::internal)?,
        "prescribed_by": caller.user.email,
        "clinician_clearance": plan.clearance == Clearance::SeeClinicianFirst,
    }))
}

/// What changed between two prescriptions, field by field, in words and as JSON.
pub(crate) fn differences(
    before: Option<&serde_json::Value>,
    after: &serde_json::Value,
) -> (String, serde_json::Value) {
    let empty = serde_json::Map::new();
    let before = before.and_then(|b| b.as_object()).unwrap_or(&empty);
    let Some(after) = after.as_object() else {
        return (String::new(), serde_json::Value::Null);
    };
    let mut words = Vec::new();
    let mut changes = serde_json::Map::new();
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let show = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => "none".to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(","),
        Some(other) => other.to_string(),
    };
    for key in keys {
        let (old, new) = (before.get(key), after.get(key));
        if old != new {
            words.push(format!(
                "{}: {} to {}",
                key.replace('_', " "),
                show(old),
                show(new)
            ));
            changes.insert(key.clone(), serde_json::json!({"from": old, "to": new}));
        }
    }
    let summary = if words.is_empty() {
        "no parameter changed".to_string()
    } else {
        words.join("; ")
    };
    (summary, serde_json::Value::Object(changes))
}

/// A change to a walker's plan.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlanChangeView {
    /// Id.
    id: Id,
    /// The plan (null once the walker deleted it).
    plan_id: Option<Id>,
    /// assigned or adjusted.
    #[schema(schema_with = schema::plan_change_kind)]
    kind: PlanChangeKind,
    /// The clinician who changed it.
    changed_by: String,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    changed_at: jiff::Timestamp,
    /// What changed, in words.
    summary: String,
    /// What changed, field by field (`{"weekdays": {"from": [...], "to": [...]}}`).
    #[schema(value_type = Object)]
    changes: serde_json::Value,
    /// Why, in the clinician's words.
    reason: String,
}

impl From<PlanChange> for PlanChangeView {
    fn from(c: PlanChange) -> Self {
        PlanChangeView {
            id: c.id,
            plan_id: c.plan_id,
            kind: c.kind,
            changed_by: c.changed_by_email,
            changed_at: c.changed_at,
            summary: c.summary,
            changes: c.changes,
            reason: c.reason,
        }
    }
}

/// A clinician's note.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NoteView {
    /// Id.
    id: Id,
    /// Who wrote it.
    clinician: String,
    /// The plan it is on, or null.
    plan_id: Option<Id>,
    /// The session it is on, or null.
    session_id: Option<Id>,
    /// The note.
    text: String,
    /// When it was written.
    #[schema(value_type = String, format = DateTime)]
    created_at: jiff::Timestamp,
    /// When it was last edited.
    #[schema(value_type = String, format = DateTime)]
    updated_at: jiff::Timestamp,
}

impl From<ClinicianNote> for NoteView {
    fn from(n: ClinicianNote) -> Self {
        let (plan_id, session_id) = match n.target {
            NoteTarget::Plan(p) => (Some(p), None),
            NoteTarget::Session(s) => (None, Some(s)),
        };
        NoteView {
            id: n.id,
            clinician: n.clinician_email,
            plan_id,
            session_id,
            text: n.body,
            created_at: n.created_at,
            updated_at: n.updated_at,
        }
    }
}

/// Assigning a plan: from explicit parameters or one of the caller's templates, from a date,
/// with a reason and, if wanted, a note on the plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignBody {
    /// The prescription; leave out when `template_id` is given (exactly one of the two).
    #[serde(default)]
    parameters: Option<ParametersBody>,
    /// One of the caller's templates; leave out when `parameters` are given.
    #[serde(default)]
    #[schema(minimum = 1)]
    template_id: Option<Id>,
    /// First session's date, YYYY-MM-DD.
    #[schema(value_type = String, format = Date, example = "2026-12-01")]
    start: jiff::civil::Date,
    /// Why, in a few words; the walker reads it. 1-500 characters.
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
    /// A note on the plan for the walker, 1-1000 characters.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 1000)]
    note: Option<String>,
}

impl AssignBody {
    /// A request as the pages build it.
    pub(crate) fn new(
        parameters: Option<ParametersBody>,
        template_id: Option<Id>,
        start: jiff::civil::Date,
        reason: String,
        note: Option<String>,
    ) -> Self {
        AssignBody {
            parameters,
            template_id,
            start,
            reason,
            note,
        }
    }
}

/// A plan assigned: the plan, the change recorded and the note, if any.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AssignedView {
    /// The plan with its sessions.
    #[schema(value_type = Object)]
    plan: store::StoredPlan,
    /// The change, as the walker reads it.
    change: PlanChangeView,
    /// The note on the plan.
    note: Option<NoteView>,
}

/// Assigns a walker a plan (under a grant that lets the caller change plans; logged as a
/// change): it becomes the walker's active plan, even past a see-a-clinician-first screening
/// (the clinician's clearance; every session is then to be supervised).
#[utoipa::path(post, path = "/api/v1/clinician/walkers/{id}/plans", params(("id" = i64, Path, description = "The walker's id")), request_body = AssignBody,
    responses((status = 201, body = AssignedView), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn assign_plan(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssignBody>,
) -> Result<(StatusCode, Json<AssignedView>), ApiError> {
    let walker = parse_id(&id, "walker")?;
    let grant = may_change(&state, &caller, walker).await?;
    assign(&state, &caller, &grant, body, route(&method, &path))
        .await
        .map(|v| (StatusCode::CREATED, Json(v)))
}

/// Assigns a plan under a grant; for the API and the walker's page.
pub(crate) async fn assign(
    state: &AppState,
    caller: &Caller,
    grant: &Grant,
    body: AssignBody,
    route: String,
) -> Result<AssignedView, ApiError> {
    let walker = grant.walker_id;
    let reason = reason(&body.reason)?;
    let note = body
        .note
        .as_deref()
        .map(|n| note_text(n, "note"))
        .transpose()?;
    let (parameters, template) = match (body.parameters, body.template_id) {
        (Some(p), None) => (p, None),
        (None, Some(id)) => {
            let t = state
                .store
                .template(caller.id(), id)
                .await?
                .ok_or_else(|| {
                    ApiError::field("template_id", format!("template {id} is not one of yours"))
                })?;
            let p: ParametersBody = serde_json::from_value(t.parameters.clone()).map_err(|e| {
                ApiError::field(
                    "template_id",
                    format!("template {id} was saved by an older version and cannot be read ({e}): edit it and save it again"),
                )
            })?;
            (p, Some(t))
        }
        _ => {
            return Err(ApiError::field(
                "parameters",
                "give either parameters or template_id, not both and not neither",
            ));
        }
    };
    let prefix = if template.is_some() {
        ""
    } else {
        "parameters."
    };
    let prescription = parameters.prescription(prefix)?;
    let (clearance, precautions) = walker_clearance(state, walker).await?;
    let units = state
        .store
        .user(walker)
        .await?
        .map(|u| u.profile.units)
        .unwrap_or_default();
    let plan = prescription
        .build(body.start, clearance, &precautions, units)
        .map_err(|e| prescription_error(prefix, e))?;
    let after = serde_json::to_value(&parameters).map_err(ApiError::internal)?;
    let (_, changes) = differences(None, &after);
    let summary = match &template {
        Some(t) => format!(
            "set a {}-week plan from the template \"{}\" ({}), from {}",
            parameters.weeks, t.name, parameters.protocol, body.start
        ),
        None => format!(
            "set a {}-week plan ({}), from {}",
            parameters.weeks, parameters.protocol, body.start
        ),
    };
    let now = jiff::Timestamp::now();
    let new_plan = NewPlan {
        created_at: now,
        author_id: Some(caller.id()),
        screening_id: state.store.latest_screening(walker).await?.map(|s| s.id),
        fields: PlanFields::of(&plan),
        details: details(&plan, &parameters, caller, 0)?,
        sessions: plan.sessions.clone(),
    };
    let change = NewPlanChange {
        walker_id: walker,
        changed_by: caller.id(),
        changed_at: now,
        kind: PlanChangeKind::Assigned,
        summary: summary.clone(),
        changes,
        reason: reason.clone(),
    };
    // Logged before the change is made: a change that could not be logged is not made.
    record(
        state,
        caller,
        grant,
        AccessAction::Change,
        &format!("plan: {summary}; reason: {reason}"),
        route.clone(),
    )
    .await?;
    let (stored, change) = state.store.assign_plan(walker, &new_plan, &change).await?;
    let note = match note {
        Some(text) => state
            .store
            .add_note(&NewNote {
                walker_id: walker,
                clinician_id: caller.id(),
                target: NoteTarget::Plan(stored.plan.id),
                body: text,
                at: now,
            })
            .await?
            .map(NoteView::from),
        None => None,
    };
    Ok(AssignedView {
        plan: stored,
        change: change.into(),
        note,
    })
}

/// Adjusting the plan a walker follows, from today on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AdjustBody {
    /// The new prescription for the sessions not yet done; its `weeks` count from today.
    parameters: ParametersBody,
    /// Why, in a few words; the walker reads it. 1-500 characters.
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
}

impl AdjustBody {
    /// A request as the pages build it.
    pub(crate) fn new(parameters: ParametersBody, reason: String) -> Self {
        AdjustBody { parameters, reason }
    }
}

/// Adjusts a walker's plan (under a grant; logged as a change): sessions done or dated before
/// today stay as they were; the rest are rebuilt from today with the new parameters.
#[utoipa::path(patch, path = "/api/v1/clinician/walkers/{id}/plans/{plan}", params(("id" = i64, Path, description = "The walker's id"), ("plan" = i64, Path, description = "The plan's id")), request_body = AdjustBody,
    responses((status = 200, body = AssignedView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn adjust_plan(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path((id, plan)): Path<(String, String)>,
    ApiJson(body): ApiJson<AdjustBody>,
) -> Result<Json<AssignedView>, ApiError> {
    let walker = parse_id(&id, "walker")?;
    let plan = parse_id(&plan, "plan")?;
    let grant = may_change(&state, &caller, walker).await?;
    adjust(&state, &caller, &grant, plan, body, route(&method, &path))
        .await
        .map(Json)
}

/// Adjusts a plan under a grant; for the API and the walker's page.
pub(crate) async fn adjust(
    state: &AppState,
    caller: &Caller,
    grant: &Grant,
    plan_id: Id,
    body: AdjustBody,
    route: String,
) -> Result<AssignedView, ApiError> {
    let walker = grant.walker_id;
    let reason = reason(&body.reason)?;
    let prescription = body.parameters.prescription("parameters.")?;
    let stored = state
        .store
        .plan(walker, plan_id)
        .await?
        .ok_or_else(|| ApiError::not_found("plan"))?;
    let sessions: Vec<coach::plan::PlannedSession> =
        stored.sessions.iter().map(|s| s.session.clone()).collect();
    let today = jiff::Zoned::now().date();
    // Kept: every session logged (counted as the coach counts them) and every one dated before
    // today, so neither history nor a past day ever changes.
    let logged =
        crate::api::progress::outcomes(&state.store.plan_outcomes(walker, plan_id).await?).len();
    let past = sessions.iter().take_while(|s| s.date < today).count();
    let done = logged.max(past).min(sessions.len());
    let (clearance, precautions) = walker_clearance(state, walker).await?;
    let clearance = if stored.plan.fields.clearance == Clearance::SeeClinicianFirst {
        Clearance::SeeClinicianFirst
    } else {
        clearance
    };
    let (plan, all) = coach::prescription::adjust(
        &sessions,
        done,
        &prescription,
        today,
        clearance,
        &precautions,
        stored.plan.fields.units,
    )
    .map_err(|e| prescription_error("parameters.", e))?;
    let last_week = all.last().map_or(1, |s| s.week);
    let weeks = Weeks::new(last_week).map_err(|_| {
        ApiError::field(
            "parameters.weeks",
            format!(
                "the plan would run to week {last_week}, past the 52 a plan may hold: choose fewer weeks"
            ),
        )
    })?;
    let before = stored
        .plan
        .details
        .get("prescription")
        .cloned()
        .unwrap_or_else(|| parameters_of(&stored.plan, &sessions));
    let after = serde_json::to_value(&body.parameters).map_err(ApiError::internal)?;
    let (summary, changes) = differences(Some(&before), &after);
    let summary = format!("adjusted from {today}: {summary}");
    let mut fields = PlanFields::of(&plan);
    fields.start = stored.plan.fields.start;
    fields.weeks = weeks;
    let details = details(
        &plan,
        &body.parameters,
        caller,
        crate::api::progress::rescheduled(&stored.plan) + 1,
    )?;
    let keep = u32::try_from(done).unwrap_or(u32::MAX);
    let new_sessions = &all[done..];
    let now = jiff::Timestamp::now();
    let change = NewPlanChange {
        walker_id: walker,
        changed_by: caller.id(),
        changed_at: now,
        kind: PlanChangeKind::Adjusted,
        summary: summary.clone(),
        changes,
        reason: reason.clone(),
    };
    record(
        state,
        caller,
        grant,
        AccessAction::Change,
        &format!("plan {plan_id}: {summary}; reason: {reason}"),
        route,
    )
    .await?;
    let change = state
        .store
        .adjust_plan(
            walker,
            plan_id,
            &store::PlanAdjustment {
                keep,
                fields,
                details,
                sessions: new_sessions.to_vec(),
                change,
            },
        )
        .await?
        .ok_or_else(|| ApiError::not_found("plan"))?;
    let stored = state
        .store
        .plan(walker, plan_id)
        .await?
        .ok_or_else(|| ApiError::not_found("plan"))?;
    Ok(AssignedView {
        plan: stored,
        change: change.into(),
        note: None,
    })
}

/// The parameters a plan was made with, for a plan no clinician prescribed (the walker's own):
/// what the adjustment form starts from and a change is compared with.
pub(crate) fn parameters_of(
    plan: &store::PlanSummary,
    sessions: &[coach::plan::PlannedSession],
) -> serde_json::Value {
    if let Some(p) = plan.details.get("prescription") {
        return p.clone();
    }
    let schedule: coach::schedule::Schedule = plan
        .details
        .get("schedule")
        .and_then(|s| serde_json::from_value(s.clone()).ok())
        .unwrap_or_default();
    let weekdays: Vec<String> = match schedule.days {
        Some(days) => days.to_string().split(',').map(str::to_string).collect(),
        None => sessions
            .iter()
            .take(usize::from(plan.fields.days_per_week.get()))
            .map(|s| {
                coach::schedule::WEEKDAY_NAMES
                    [usize::try_from(s.date.weekday().to_monday_zero_offset()).unwrap_or(0)]
                .to_string()
            })
            .collect(),
    };
    let minutes =
        |s: Option<&coach::plan::PlannedSession>| s.map_or(1, |s| (s.backward_seconds / 60).max(1));
    serde_json::json!({
        "protocol": plan.fields.protocol_id,
        "goal": plan.fields.goal,
        "level": plan.fields.level,
        "setting": plan.fields.setting,
        "weekdays": weekdays,
        "time_of_day": schedule.time.map(|t| t.to_string()),
        "weeks": plan.fields.weeks.get(),
        "start_minutes": minutes(sessions.first()),
        "end_minutes": minutes(sessions.last()),
        "override_bounds": false,
    })
}

/// The changes clinicians made to a walker's plans, newest first (under a grant; logged).
#[utoipa::path(get, path = "/api/v1/clinician/walkers/{id}/plan-changes", params(("id" = i64, Path, description = "The walker's id")),
    responses((status = 200, body = [PlanChangeView]), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn walker_plan_changes(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path(id): Path<String>,
) -> Result<Json<Vec<PlanChangeView>>, ApiError> {
    let walker = parse_id(&id, "walker")?;
    let grant = granted(&state, &caller, walker, store::SharedData::Plans).await?;
    let changes = state.store.plan_changes(walker).await?;
    record(
        &state,
        &caller,
        &grant,
        AccessAction::Read,
        "plan changes",
        route(&method, &path),
    )
    .await?;
    Ok(Json(
        changes.into_iter().map(PlanChangeView::from).collect(),
    ))
}

/// The changes clinicians made to the caller's plans, newest first: who, when, what and why.
#[utoipa::path(get, path = "/api/v1/plan-changes", responses((status = 200, body = [PlanChangeView])), security(("bearer" = [])))]
pub(crate) async fn my_plan_changes(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PlanChangeView>>, ApiError> {
    let changes = state.store.plan_changes(caller.id()).await?;
    Ok(Json(
        changes.into_iter().map(PlanChangeView::from).collect(),
    ))
}

/// The notes clinicians wrote on the caller's plans and sessions, newest first.
#[utoipa::path(get, path = "/api/v1/notes", responses((status = 200, body = [NoteView])), security(("bearer" = [])))]
pub(crate) async fn my_notes(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<NoteView>>, ApiError> {
    let notes = state.store.notes(caller.id()).await?;
    Ok(Json(notes.into_iter().map(NoteView::from).collect()))
}

/// A note on one of a walker's plans or sessions (exactly one of the two).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteBody {
    /// The plan it is on; leave out for a session.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub(crate) plan_id: Option<Id>,
    /// The session it is on; leave out for a plan.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub(crate) session_id: Option<Id>,
    /// The note, 1-1000 characters.
    #[schema(min_length = 1, max_length = 1000)]
    pub(crate) text: String,
}

/// Writes a note on a walker's plan or session, shown to the walker (under a grant; logged).
#[utoipa::path(post, path = "/api/v1/clinician/walkers/{id}/notes", params(("id" = i64, Path, description = "The walker's id")), request_body = NoteBody,
    responses((status = 201, body = NoteView), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<(StatusCode, Json<NoteView>), ApiError> {
    let walker = parse_id(&id, "walker")?;
    let grant = may_change(&state, &caller, walker).await?;
    write_note(&state, &caller, &grant, &body, route(&method, &path))
        .await
        .map(|n| (StatusCode::CREATED, Json(n)))
}

/// Writes a note under a grant; for the API and the walker's page.
pub(crate) async fn write_note(
    state: &AppState,
    caller: &Caller,
    grant: &Grant,
    body: &NoteBody,
    route: String,
) -> Result<NoteView, ApiError> {
    let text = note_text(&body.text, "text")?;
    let target = match (body.plan_id, body.session_id) {
        (Some(p), None) => NoteTarget::Plan(p),
        (None, Some(s)) => NoteTarget::Session(s),
        _ => {
            return Err(ApiError::field(
                "plan_id",
                "give either plan_id or session_id: a note is on one plan or one session",
            ));
        }
    };
    let what = match target {
        NoteTarget::Plan(p) => format!("note on plan {p}"),
        NoteTarget::Session(s) => format!("note on session {s}"),
    };
    record(state, caller, grant, AccessAction::Change, &what, route).await?;
    state
        .store
        .add_note(&NewNote {
            walker_id: grant.walker_id,
            clinician_id: caller.id(),
            target,
            body: text,
            at: jiff::Timestamp::now(),
        })
        .await?
        .map(NoteView::from)
        .ok_or_else(|| match target {
            NoteTarget::Plan(_) => ApiError::not_found("plan"),
            NoteTarget::Session(_) => ApiError::not_found("session"),
        })
}

/// A note's new text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteEdit {
    /// The note, 1-1000 characters.
    #[schema(min_length = 1, max_length = 1000)]
    text: String,
}

/// Edits a note the caller wrote (under a grant; logged). 404 for another's note.
#[utoipa::path(put, path = "/api/v1/clinician/walkers/{id}/notes/{note}", params(("id" = i64, Path, description = "The walker's id"), ("note" = i64, Path, description = "The note's id")), request_body = NoteEdit,
    responses((status = 200, body = NoteView), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn edit_note(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path((id, note)): Path<(String, String)>,
    ApiJson(body): ApiJson<NoteEdit>,
) -> Result<Json<NoteView>, ApiError> {
    let walker = parse_id(&id, "walker")?;
    let note = parse_id(&note, "note")?;
    let grant = may_change(&state, &caller, walker).await?;
    let text = note_text(&body.text, "text")?;
    record(
        &state,
        &caller,
        &grant,
        AccessAction::Change,
        &format!("edited note {note}"),
        route(&method, &path),
    )
    .await?;
    state
        .store
        .update_note(caller.id(), walker, note, &text, jiff::Timestamp::now())
        .await?
        .map(|n| Json(n.into()))
        .ok_or_else(|| ApiError::not_found("note"))
}

/// Deletes a note the caller wrote (under a grant; logged). 404 for another's note.
#[utoipa::path(delete, path = "/api/v1/clinician/walkers/{id}/notes/{note}", params(("id" = i64, Path, description = "The walker's id"), ("note" = i64, Path, description = "The note's id")),
    responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn delete_note(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    path: MatchedPath,
    Path((id, note)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let walker = parse_id(&id, "walker")?;
    let note = parse_id(&note, "note")?;
    let grant = may_change(&state, &caller, walker).await?;
    remove_note(&state, &caller, &grant, note, route(&method, &path)).await
}

/// Deletes a note under a grant; for the API and the walker's page.
pub(crate) async fn remove_note(
    state: &AppState,
    caller: &Caller,
    grant: &Grant,
    note: Id,
    route: String,
) -> Result<StatusCode, ApiError> {
    record(
        state,
        caller,
        grant,
        AccessAction::Change,
        &format!("deleted note {note}"),
        route,
    )
    .await?;
    if state
        .store
        .delete_note(caller.id(), grant.walker_id, note)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("note"))
    }
}

/// A template: a name and a prescription's parameters.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateBody {
    /// A name, 1-100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub(crate) name: String,
    /// The prescription.
    pub(crate) parameters: ParametersBody,
}

/// One of the caller's templates.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TemplateView {
    /// Id, for `template_id`.
    pub(crate) id: Id,
    /// Its name.
    pub(crate) name: String,
    /// The prescription.
    #[schema(value_type = Object)]
    pub(crate) parameters: serde_json::Value,
    /// When it was made.
    #[schema(value_type = String, format = DateTime)]
    pub(crate) created_at: jiff::Timestamp,
    /// When it was last changed.
    #[schema(value_type = String, format = DateTime)]
    pub(crate) updated_at: jiff::Timestamp,
}

impl From<PlanTemplate> for TemplateView {
    fn from(t: PlanTemplate) -> Self {
        TemplateView {
            id: t.id,
            name: t.name,
            parameters: t.parameters,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// Checks a template: its name and every parameter (the plan is checked as if assigned today).
fn template(body: &TemplateBody) -> Result<NewTemplate, ApiError> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > MAX_TEMPLATE_NAME {
        return Err(ApiError::field(
            "name",
            format!("a template's name is 1 to {MAX_TEMPLATE_NAME} characters"),
        ));
    }
    body.parameters.prescription("parameters.")?;
    Ok(NewTemplate {
        name: name.to_string(),
        parameters: serde_json::to_value(&body.parameters).map_err(ApiError::internal)?,
        at: jiff::Timestamp::now(),
    })
}

/// The caller's templates, by name (clinicians only).
#[utoipa::path(get, path = "/api/v1/clinician/templates", responses((status = 200, body = [TemplateView]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn list_templates(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TemplateView>>, ApiError> {
    caller.require(&[Role::Clinician])?;
    let templates = state.store.templates(caller.id()).await?;
    Ok(Json(
        templates.into_iter().map(TemplateView::from).collect(),
    ))
}

/// Saves a template (clinicians only; 409 past 200).
#[utoipa::path(post, path = "/api/v1/clinician/templates", request_body = TemplateBody,
    responses((status = 201, body = TemplateView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn create_template(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<TemplateBody>,
) -> Result<(StatusCode, Json<TemplateView>), ApiError> {
    save_template(&state, &caller, None, &body)
        .await
        .map(|t| (StatusCode::CREATED, Json(t)))
}

/// Saves a new template (`id` none) or replaces one of the caller's; for the API and the page.
pub(crate) async fn save_template(
    state: &AppState,
    caller: &Caller,
    id: Option<Id>,
    body: &TemplateBody,
) -> Result<TemplateView, ApiError> {
    caller.require(&[Role::Clinician])?;
    let new = template(body)?;
    match id {
        None => {
            if state.store.templates(caller.id()).await?.len() >= MAX_TEMPLATES {
                return Err(ApiError::conflict(format!(
                    "you have {MAX_TEMPLATES} templates: delete some before saving more"
                )));
            }
            Ok(state.store.create_template(caller.id(), &new).await?.into())
        }
        Some(id) => state
            .store
            .update_template(caller.id(), id, &new)
            .await?
            .map(TemplateView::from)
            .ok_or_else(|| ApiError::not_found("template")),
    }
}

/// One of the caller's templates; 404 for anyone else's.
#[utoipa::path(get, path = "/api/v1/clinician/templates/{id}", params(("id" = i64, Path, description = "The template's id")),
    responses((status = 200, body = TemplateView), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn get_template(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TemplateView>, ApiError> {
    caller.require(&[Role::Clinician])?;
    let id = parse_id(&id, "template")?;
    state
        .store
        .template(caller.id(), id)
        .await?
        .map(|t| Json(t.into()))
        .ok_or_else(|| ApiError::not_found("template"))
}

/// Replaces one of the caller's templates; 404 for anyone else's.
#[utoipa::path(put, path = "/api/v1/clinician/templates/{id}", params(("id" = i64, Path, description = "The template's id")), request_body = TemplateBody,
    responses((status = 200, body = TemplateView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn put_template(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TemplateBody>,
) -> Result<Json<TemplateView>, ApiError> {
    caller.require(&[Role::Clinician])?;
    let id = parse_id(&id, "template")?;
    save_template(&state, &caller, Some(id), &body)
        .await
        .map(Json)
}

/// Deletes one of the caller's templates; 404 for anyone else's.
#[utoipa::path(delete, path = "/api/v1/clinician/templates/{id}", params(("id" = i64, Path, description = "The template's id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn delete_template(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(&[Role::Clinician])?;
    let id = parse_id(&id, "template")?;
    if state.store.delete_template(caller.id(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("template"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_each_field_that_changed() {
        let before = serde_json::json!({"weekdays": ["mon", "wed"], "weeks": 6, "goal": "knee"});
        let after = serde_json::json!({"weekdays": ["tue", "thu"], "weeks": 6, "goal": "knee"});
        let (words, json) = differences(Some(&before), &after);
        assert_eq!(words, "weekdays: mon,wed to tue,thu");
        assert_eq!(json["weekdays"]["to"], serde_json::json!(["tue", "thu"]));
        assert_eq!(differences(Some(&after), &after).0, "no parameter changed");
    }

    #[test]
    fn reasons_are_required_and_bounded() {
        assert!(reason("  ").is_err());
        assert!(reason(&"x".repeat(MAX_REASON + 1)).is_err());
        assert_eq!(reason(" knee flare ").unwrap(), "knee flare");
    }
}

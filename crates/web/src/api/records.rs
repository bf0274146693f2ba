//! Profile, screenings and plans.

use crate::AppState;
use crate::api::parse_id;
use crate::api::schema;
use crate::auth::Caller;
use crate::problem::{ApiError, ApiJson, FieldError, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use coach::measure::{Age, BodyMass, Speed};
use coach::plan::{DaysPerWeek, Level, PlanError, PlanRequest, Setting, Units, Weeks};
use coach::protocol::Goal;
use coach::schedule::{Schedule, TimeOfDay, TrainingDays};
use coach::screening::{Clearance, Precaution, ScreeningAnswers};
use serde::{Deserialize, Serialize};
use store::{BodyMassEntry, NewPlan, NewScreening, PlanFields, Profile, Reestimated};
use utoipa::ToSchema;

/// The profile as replaced: units and birth year are set as sent (absent: metric, no birth
/// year); the body mass is a history of its own (`/api/v1/body-mass`), which a body mass sent
/// here adds to, and which an absent one leaves as it is. Everything is stored in SI units:
/// `units` only chooses how the pages show and read values, and switching it changes nothing
/// stored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfileBody {
    /// `metric` or `imperial`: how the pages show measures (stored values are SI either way).
    #[serde(default)]
    #[schema(schema_with = schema::units)]
    pub(crate) units: Units,
    /// The current body mass in kg (20-350): the latest entry of the body-mass history
    /// (`/api/v1/body-mass`). Sent with a value that differs from it (or with
    /// `body_mass_from`), it becomes the entry from `body_mass_from` and the sessions it applies
    /// to are estimated again; absent or null, the history is left as it is. Without
    /// `body_mass_from` it holds from today, or, for a person's first body mass, from their first
    /// logged session's day when that is earlier.
    #[serde(default)]
    #[schema(minimum = 20, maximum = 350)]
    pub(crate) body_mass_kg: Option<f64>,
    /// The first day `body_mass_kg` holds (YYYY-MM-DD), at most a day ahead.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2026-11-20")]
    pub(crate) body_mass_from: Option<jiff::civil::Date>,
    /// Year of birth, for age-related norms: this year or up to 120 years before (the bounds
    /// in this document are those of the year the server started).
    #[serde(default, deserialize_with = "crate::api::whole_or_null")]
    pub(crate) birth_year: Option<i16>,
}

/// The profile as shown: the replaceable fields and the account's own.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProfileView {
    /// `metric` or `imperial`.
    #[schema(schema_with = schema::units)]
    pub(crate) units: Units,
    /// The current body mass in kg (the latest entry of the history), null when not given.
    pub(crate) body_mass_kg: Option<f64>,
    /// The day the current body mass holds from, null when there is none.
    #[schema(value_type = Option<String>, format = Date, example = "2026-11-20")]
    pub(crate) body_mass_from: Option<jiff::civil::Date>,
    /// The sessions estimated again, when this answer changed the body mass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reestimated: Option<Reestimation>,
    /// Year of birth, null when not given.
    pub(crate) birth_year: Option<i16>,
    /// The account's email (change it by a new account; read-only here).
    pub(crate) email: String,
    /// The account's role: person, clinician or admin (read-only).
    #[schema(schema_with = schema::role)]
    pub(crate) role: String,
}

fn profile_view(user: &store::User, history: &[BodyMassEntry]) -> ProfileView {
    ProfileView {
        units: user.profile.units,
        body_mass_kg: user.profile.body_mass.map(BodyMass::kg),
        body_mass_from: history.last().map(|e| e.from),
        reestimated: None,
        birth_year: user.profile.birth_year,
        email: user.email.clone(),
        role: user.role.as_str().to_string(),
    }
}

/// The caller's profile.
#[utoipa::path(get, path = "/api/v1/profile", responses((status = 200, body = ProfileView), (status = 401, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn get_profile(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ProfileView>, ApiError> {
    let history = state.store.body_masses(caller.id()).await?;
    Ok(Json(profile_view(&caller.user, &history)))
}

/// Sessions whose energy was estimated again after a change of body mass.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct Reestimation {
    /// The changed entry's date.
    #[schema(value_type = String, format = Date, example = "2026-11-20")]
    pub(crate) from: jiff::civil::Date,
    /// The next entry's date (not included), when there is one.
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-01")]
    pub(crate) until: Option<jiff::civil::Date>,
    /// How many sessions were estimated again.
    pub(crate) sessions: u32,
}

impl From<Reestimated> for Reestimation {
    fn from(r: Reestimated) -> Self {
        Reestimation {
            from: r.from,
            until: r.until,
            sessions: r.sessions,
        }
    }
}

/// One entry of the body-mass history: it holds from its date until the next entry's.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BodyMassView {
    /// The first day it holds (the walker's local date).
    #[schema(value_type = String, format = Date, example = "2026-11-20")]
    pub(crate) from: jiff::civil::Date,
    /// Body mass, kg.
    pub(crate) kg: f64,
}

/// A body mass to keep from a day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BodyMassBody {
    /// Body mass in kg (20-350).
    #[schema(minimum = 20, maximum = 350)]
    pub(crate) kg: f64,
}

/// What a change of the history did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BodyMassChange {
    /// The history as changed, oldest first.
    pub(crate) history: Vec<BodyMassView>,
    /// The sessions estimated again: those from the changed day until the next entry.
    pub(crate) reestimated: Reestimation,
}

/// Today on the server's clock.
pub(crate) fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

/// The day a body mass given without one holds from: today, but the first one a person gives
/// holds from their first logged session's day when that is earlier, so that it applies to every
/// session logged so far.
pub(crate) async fn default_body_mass_day(
    state: &AppState,
    caller: &Caller,
) -> Result<jiff::civil::Date, ApiError> {
    let today = today();
    if !state.store.body_masses(caller.id()).await?.is_empty() {
        return Ok(today);
    }
    Ok(state
        .store
        .first_session_day(caller.id())
        .await?
        .map_or(today, |first| first.min(today)))
}

/// A body mass's first day from the path: a date, not more than a day ahead.
pub(crate) fn body_mass_day(text: &str) -> Result<jiff::civil::Date, String> {
    let day: jiff::civil::Date = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a date: expected YYYY-MM-DD, e.g. 2026-11-20"))?;
    body_mass_day_error(day).map_or(Ok(day), Err)
}

/// Why a body mass cannot hold from `day`: more than a day ahead, or before 1900.
pub(crate) fn body_mass_day_error(day: jiff::civil::Date) -> Option<String> {
    let latest = today().tomorrow().unwrap_or(jiff::civil::Date::MAX);
    if day > latest {
        Some(format!(
            "{day} is in the future: a body mass holds from a day that has come"
        ))
    } else if day.year() < 1900 {
        Some(format!(
            "{day} is too long ago: expected a day from 1900 on"
        ))
    } else {
        None
    }
}

fn history_view(history: &[BodyMassEntry]) -> Vec<BodyMassView> {
    history
        .iter()
        .map(|e| BodyMassView {
            from: e.from,
            kg: e.mass.kg(),
        })
        .collect()
}

/// Re-estimates one stored session from a body-mass history, as the store's change asks.
pub(crate) fn reestimate(
    session: &store::LoggedSession,
    history: &[BodyMassEntry],
) -> (Option<f64>, serde_json::Value) {
    let e = &session.entry;
    crate::energy::session_energy(e.setting, e.sport, &e.blocks, session.local_date, history)
}

/// Keeps a body mass from a day and estimates again the sessions it applies to.
pub(crate) async fn change_body_mass(
    state: &AppState,
    caller: &Caller,
    from: jiff::civil::Date,
    mass: Option<BodyMass>,
) -> Result<Option<BodyMassChange>, ApiError> {
    let Some(done) = state
        .store
        .set_body_mass(caller.id(), from, mass, &reestimate)
        .await?
    else {
        return Ok(None);
    };
    let history = state.store.body_masses(caller.id()).await?;
    Ok(Some(BodyMassChange {
        history: history_view(&history),
        reestimated: done.into(),
    }))
}

/// The caller's body-mass history, oldest first.
#[utoipa::path(get, path = "/api/v1/body-mass", responses((status = 200, body = [BodyMassView])), security(("bearer" = [])))]
pub(crate) async fn list_body_masses(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<BodyMassView>>, ApiError> {
    Ok(Json(history_view(
        &state.store.body_masses(caller.id()).await?,
    )))
}

/// Keeps a body mass from a day (replacing, that is correcting, the one from that day) and
/// estimates again every session it applies to: those from that day until the next entry.
#[utoipa::path(put, path = "/api/v1/body-mass/{date}", request_body = BodyMassBody,
    params(("date" = String, Path, format = Date, description = "The first day it holds, YYYY-MM-DD, from 1900 to tomorrow")),
    responses((status = 200, body = BodyMassChange), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn put_body_mass(
    State(state): State<AppState>,
    caller: Caller,
    Path(date): Path<String>,
    ApiJson(body): ApiJson<BodyMassBody>,
) -> Result<Json<BodyMassChange>, ApiError> {
    let mut errors = Vec::new();
    let day = body_mass_day(&date)
        .map_err(|message| {
            errors.push(FieldError {
                field: "date".into(),
                message,
            })
        })
        .ok();
    let mass = BodyMass::from_kg(body.kg)
        .map_err(|e| {
            errors.push(FieldError {
                field: "kg".into(),
                message: e.to_string(),
            })
        })
        .ok();
    let (Some(day), Some(mass)) = (day, mass) else {
        return Err(ApiError::invalid(errors));
    };
    change_body_mass(&state, &caller, day, Some(mass))
        .await?
        .map(Json)
        .ok_or_else(|| {
            ApiError::internal("a body mass was kept but the store said nothing changed")
        })
}

/// Removes the body mass from a day; the sessions it applied to take the one before it (or
/// none, and say so).
#[utoipa::path(delete, path = "/api/v1/body-mass/{date}",
    params(("date" = String, Path, format = Date, description = "The day the entry holds from, YYYY-MM-DD")),
    responses((status = 200, body = BodyMassChange), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn delete_body_mass(
    State(state): State<AppState>,
    caller: Caller,
    Path(date): Path<String>,
) -> Result<Json<BodyMassChange>, ApiError> {
    let day: jiff::civil::Date = date
        .trim()
        .parse()
        .map_err(|_| ApiError::not_found("body mass"))?;
    change_body_mass(&state, &caller, day, None)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("body mass"))
}

/// The current year, for birth-year checks.
fn this_year() -> i16 {
    jiff::Zoned::now().year()
}

/// Why `born` is not a plausible year of birth: in the future or more than 120 years ago.
pub(crate) fn birth_year_error(born: i16) -> Option<String> {
    let year = this_year();
    (!(year - 120..=year).contains(&born)).then(|| {
        format!(
            "{born} is not a plausible year of birth: expected {} to {year}",
            year - 120
        )
    })
}

/// Replaces the caller's units and birth year, and keeps a new body mass when one is sent (see
/// `body_mass_kg`).
#[utoipa::path(put, path = "/api/v1/profile", request_body = ProfileBody, responses((status = 200, body = ProfileView), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn put_profile(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ProfileBody>,
) -> Result<Json<ProfileView>, ApiError> {
    let mut errors = Vec::new();
    let body_mass = match body.body_mass_kg.map(BodyMass::from_kg).transpose() {
        Ok(mass) => mass,
        Err(e) => {
            errors.push(FieldError {
                field: "body_mass_kg".into(),
                message: e.to_string(),
            });
            None
        }
    };
    if let Some(message) = body.birth_year.and_then(birth_year_error) {
        errors.push(FieldError {
            field: "birth_year".into(),
            message,
        });
    }
    if let Some(message) = body.body_mass_from.and_then(body_mass_day_error) {
        errors.push(FieldError {
            field: "body_mass_from".into(),
            message,
        });
    }
    if body.body_mass_from.is_some() && body.body_mass_kg.is_none() {
        errors.push(FieldError {
            field: "body_mass_kg".into(),
            message: "give the body mass that holds from body_mass_from".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    // A body mass equal to the current one, with no day, is the profile sent back as read.
    let unchanged = body.body_mass_from.is_none()
        && body_mass
            .zip(caller.user.profile.body_mass)
            .is_some_and(|(new, old)| (new.kg() - old.kg()).abs() < 1e-9);
    let mut reestimated = None;
    if let Some(mass) = body_mass.filter(|_| !unchanged) {
        let from = match body.body_mass_from {
            Some(day) => day,
            None => default_body_mass_day(&state, &caller).await?,
        };
        reestimated = change_body_mass(&state, &caller, from, Some(mass))
            .await?
            .map(|c| c.reestimated);
    }
    let user = state
        .store
        .update_profile(caller.id(), body.units, body.birth_year)
        .await?
        .ok_or_else(|| ApiError::not_found("account"))?;
    let history = state.store.body_masses(caller.id()).await?;
    let mut view = profile_view(&user, &history);
    view.reestimated = reestimated;
    Ok(Json(view))
}

/// Screens the answers with the coach and appends the result to the history.
#[utoipa::path(post, path = "/api/v1/screenings", request_body(content = inline(ScreeningAnswersSchema), description = "The answers: `age` and the yes/no questions listed by `retrostride screen --help`"),
    responses((status = 201, body = Object), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn add_screening(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(answers): ApiJson<ScreeningAnswers>,
) -> Result<(StatusCode, Json<store::Screening>), ApiError> {
    let result = coach::screening::screen(&answers);
    let stored = state
        .store
        .add_screening(
            caller.id(),
            &NewScreening {
                taken_at: jiff::Timestamp::now(),
                answers,
                clearance: result.clearance,
                result: serde_json::to_value(&result).map_err(ApiError::internal)?,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// The caller's screenings, newest first.
#[utoipa::path(get, path = "/api/v1/screenings", responses((status = 200, body = [Object])), security(("bearer" = [])))]
pub(crate) async fn list_screenings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<store::Screening>>, ApiError> {
    Ok(Json(state.store.screenings(caller.id()).await?))
}

/// One screening.
#[utoipa::path(get, path = "/api/v1/screenings/{id}", responses((status = 200, body = Object), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn get_screening(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<store::Screening>, ApiError> {
    let id = parse_id(&id, "screening")?;
    state
        .store
        .screening(caller.id(), id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("screening"))
}

/// The screening's answers, as the OpenAPI document states them (read as coach's
/// `ScreeningAnswers`).
pub(crate) struct ScreeningAnswersSchema;

impl utoipa::PartialSchema for ScreeningAnswersSchema {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        schema::screening_answers()
    }
}

impl ToSchema for ScreeningAnswersSchema {}

/// What a plan is made from.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanBody {
    /// knee, balance, fitness or general.
    #[schema(schema_with = schema::goal)]
    pub(crate) goal: Goal,
    /// ground, hallway or treadmill.
    #[schema(schema_with = schema::setting)]
    pub(crate) setting: Setting,
    /// new or some_experience.
    #[schema(schema_with = schema::level)]
    pub(crate) level: Level,
    /// 1-7.
    #[schema(minimum = 1, maximum = 7)]
    #[serde(deserialize_with = "crate::api::whole")]
    pub(crate) days_per_week: u8,
    /// 1-52.
    #[schema(minimum = 1, maximum = 52)]
    #[serde(deserialize_with = "crate::api::whole")]
    pub(crate) weeks: u8,
    /// First session, YYYY-MM-DD.
    #[schema(value_type = String, format = Date, example = "2026-12-01")]
    pub(crate) start: jiff::civil::Date,
    /// Comfortable forward speed, m/s (treadmill plans): 0.1 to 2.45872.
    #[serde(default)]
    #[schema(minimum = 0.1, maximum = 2.45872)]
    pub(crate) forward_speed_mps: Option<f64>,
    /// A catalogue protocol id; the goal's default otherwise.
    #[serde(default)]
    #[schema(schema_with = schema::protocol_or_null)]
    pub(crate) protocol: Option<String>,
    /// The weekdays to train on (`mon`...`sun`), at least as many as `days_per_week`; without
    /// them sessions are spread evenly from `start`.
    #[serde(default)]
    #[schema(schema_with = schema::weekdays_or_null)]
    pub(crate) training_days: Option<Vec<String>>,
    /// The time sessions start, HH:MM local time; without it they are whole-day entries.
    #[serde(default)]
    #[schema(
        example = "07:30",
        pattern = "^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    )]
    pub(crate) time_of_day: Option<String>,
}

/// Makes a plan through the coach under the caller's latest screening; it becomes the active
/// plan. Refused (409) without a screening and (403) when the screening says to see a clinician
/// first.
#[utoipa::path(post, path = "/api/v1/plans", request_body = PlanBody,
    responses((status = 201, body = Object), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn add_plan(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PlanBody>,
) -> Result<(StatusCode, Json<store::StoredPlan>), ApiError> {
    let (plan, screening_id, forward_speed) = prepare_plan(&state, &caller, &body).await?;
    let details = serde_json::json!({
        "protocol": plan.protocol,
        "precautions": plan.precautions,
        "rules": plan.rules,
        "adjustments": plan.adjustments,
        "rule_sources": plan.rule_sources,
        "forward_speed_mps": forward_speed.map(Speed::mps),
        "schedule": plan.schedule,
    });
    let stored = state
        .store
        .add_plan(
            caller.id(),
            &NewPlan {
                created_at: jiff::Timestamp::now(),
                author_id: None,
                screening_id: Some(screening_id),
                fields: PlanFields::of(&plan),
                details,
                sessions: plan.sessions,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// The catalogue's protocol with this id, or why there is none.
pub(crate) fn known_protocol(id: &str) -> Result<&'static coach::protocol::Protocol, String> {
    coach::protocol::protocol(id).ok_or_else(|| {
        let known: Vec<&str> = coach::protocol::PROTOCOLS.iter().map(|p| p.id).collect();
        format!(
            "{id:?} is not in the catalogue: expected one of {}",
            known.join(", ")
        )
    })
}

/// What a plan is refused with when the latest screening says to see a clinician first.
pub(crate) const SEE_CLINICIAN_FIRST: &str = "your latest screening says to see a clinician before starting: a plan needs their approval (answer clinician_approved in a new screening, or have your clinician assign one)";

/// Checks a plan request and builds the plan under the caller's latest screening, without
/// storing it (the onboarding preview shows it before the person starts).
pub(crate) async fn prepare_plan(
    state: &AppState,
    caller: &Caller,
    body: &PlanBody,
) -> Result<(coach::plan::Plan, store::Id, Option<Speed>), ApiError> {
    let mut errors = Vec::new();
    let mut field = |name: &str, message: String| {
        errors.push(FieldError {
            field: name.into(),
            message,
        })
    };
    let days = DaysPerWeek::new(body.days_per_week)
        .map_err(|e| field("days_per_week", e.to_string()))
        .ok();
    let weeks = Weeks::new(body.weeks)
        .map_err(|e| field("weeks", e.to_string()))
        .ok();
    let forward_speed = match body.forward_speed_mps.map(Speed::from_mps).transpose() {
        Ok(s) => s,
        Err(e) => {
            field("forward_speed_mps", e.to_string());
            None
        }
    };
    let protocol = match &body.protocol {
        None => None,
        Some(id) => match known_protocol(id) {
            Ok(p) => Some(p),
            Err(message) => {
                field("protocol", message);
                None
            }
        },
    };
    let schedule = parse_schedule(
        body.training_days.as_deref(),
        body.time_of_day.as_deref(),
        &mut errors,
    );
    let (Some(days_per_week), Some(weeks)) = (days, weeks) else {
        return Err(ApiError::invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let screening = state
        .store
        .latest_screening(caller.id())
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                "take the screening first (POST /api/v1/screenings): a plan needs a clearance",
            )
        })?;
    let precautions: Vec<Precaution> = screening
        .screening
        .result
        .get("precautions")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(ApiError::internal)?
        .unwrap_or_default();
    if screening.screening.clearance == Clearance::SeeClinicianFirst {
        return Err(ApiError::forbidden(SEE_CLINICIAN_FIRST));
    }
    let request = PlanRequest {
        goal: body.goal,
        clearance: screening.screening.clearance,
        precautions,
        setting: body.setting,
        level: body.level,
        days_per_week,
        weeks,
        start: body.start,
        forward_speed,
        protocol,
        units: caller.user.profile.units,
        clinician_assigned: false,
        schedule,
    };
    let plan = coach::plan::build_plan(&request).map_err(|e| {
        let field = match e {
            PlanError::TooFewTrainingDays { .. } => "training_days",
            _ => "plan",
        };
        ApiError::field(field, e.to_string())
    })?;
    Ok((plan, screening.id, forward_speed))
}

/// The caller's plans, newest first, without sessions.
#[utoipa::path(get, path = "/api/v1/plans", responses((status = 200, body = [Object])), security(("bearer" = [])))]
pub(crate) async fn list_plans(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<store::PlanSummary>>, ApiError> {
    Ok(Json(state.store.plans(caller.id()).await?))
}

/// One plan with its planned sessions.
#[utoipa::path(get, path = "/api/v1/plans/{id}", responses((status = 200, body = Object), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn get_plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<store::StoredPlan>, ApiError> {
    let id = parse_id(&id, "plan")?;
    state
        .store
        .plan(caller.id(), id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("plan"))
}

/// New training weekdays and time for a plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScheduleBody {
    /// The weekdays to train on (`mon`...`sun`), at least the plan's sessions a week; without
    /// them the sessions left are spread evenly through each week.
    #[serde(default)]
    #[schema(schema_with = schema::weekdays_or_null)]
    pub(crate) training_days: Option<Vec<String>>,
    /// The time sessions start, HH:MM local time; without it they are whole-day entries.
    #[serde(default)]
    #[schema(
        example = "07:30",
        pattern = "^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    )]
    pub(crate) time_of_day: Option<String>,
}

/// Parses weekday names and a time into a schedule, naming each bad field.
fn parse_schedule(
    training_days: Option<&[String]>,
    time_of_day: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Schedule {
    let mut schedule = Schedule::default();
    if let Some(names) = training_days {
        match names
            .iter()
            .map(|n| coach::schedule::parse_weekday(n))
            .collect::<Result<Vec<_>, _>>()
            .and_then(TrainingDays::new)
        {
            Ok(days) => schedule.days = Some(days),
            Err(e) => errors.push(FieldError {
                field: "training_days".into(),
                message: e.to_string(),
            }),
        }
    }
    if let Some(time) = time_of_day {
        match time.parse::<TimeOfDay>() {
            Ok(t) => schedule.time = Some(t),
            Err(e) => errors.push(FieldError {
                field: "time_of_day".into(),
                message: e.to_string(),
            }),
        }
    }
    schedule
}

/// Moves the sessions not yet done to new weekdays and time, from today (or the plan's next
/// date, when later) on; their doses and order stay. Answers the plan with its new dates.
#[utoipa::path(put, path = "/api/v1/plans/{id}/schedule", request_body = ScheduleBody,
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn reschedule_plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ScheduleBody>,
) -> Result<Json<store::StoredPlan>, ApiError> {
    let id = parse_id(&id, "plan")?;
    let mut errors = Vec::new();
    let schedule = parse_schedule(
        body.training_days.as_deref(),
        body.time_of_day.as_deref(),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let stored = state
        .store
        .plan(caller.id(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("plan"))?;
    let sessions: Vec<coach::plan::PlannedSession> =
        stored.sessions.iter().map(|s| s.session.clone()).collect();
    let plan =
        crate::api::progress::coach_plan(&stored.plan, &sessions).map_err(ApiError::conflict)?;
    // Counted as the coach counts them when it picks the next session.
    let done =
        crate::api::progress::outcomes(&state.store.plan_outcomes(caller.id(), id).await?).len();
    let today = jiff::Zoned::now().date();
    let from = sessions
        .get(done)
        .map_or(today, |next| next.date.max(today));
    let (kept, dates) = coach::plan::reschedule(&plan, done, schedule, from).map_err(|e| {
        let field = match e {
            PlanError::TooFewTrainingDays { .. } => "training_days",
            _ => "plan",
        };
        ApiError::field(field, e.to_string())
    })?;
    let mut details = stored.plan.details.clone();
    if let Some(map) = details.as_object_mut() {
        map.insert(
            "schedule".into(),
            serde_json::to_value(kept).map_err(ApiError::internal)?,
        );
        map.insert(
            "rescheduled".into(),
            (crate::api::progress::rescheduled(&stored.plan) + 1).into(),
        );
    }
    let moved: Vec<(u32, jiff::civil::Date)> = sessions
        .iter()
        .skip(done)
        .map(|s| s.number)
        .zip(dates)
        .collect();
    if !state
        .store
        .reschedule_plan(caller.id(), id, &details, &moved)
        .await?
    {
        return Err(ApiError::not_found("plan"));
    }
    state
        .store
        .plan(caller.id(), id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("plan"))
}

/// Deletes a plan (sessions logged against it stay).
#[utoipa::path(delete, path = "/api/v1/plans/{id}", responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn delete_plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "plan")?;
    if state.store.delete_plan(caller.id(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("plan"))
    }
}

/// One planned session.
#[utoipa::path(get, path = "/api/v1/planned-sessions/{id}", responses((status = 200, body = Object), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn get_planned_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<store::PlannedSessionRecord>, ApiError> {
    let id = parse_id(&id, "planned session")?;
    state
        .store
        .planned_session(caller.id(), id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("planned session"))
}

/// The caller's age from their birth year, for norms.
pub(crate) fn age_from_profile(profile: &Profile) -> Option<Age> {
    let born = profile.birth_year?;
    let years = this_year().checked_sub(born)?;
    u8::try_from(years).ok().and_then(|y| Age::new(y).ok())
}

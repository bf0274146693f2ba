//! Logged sessions and assessments.

use crate::AppState;
use crate::api::parse_id;
use crate::api::progress::{active_coach_plan, outcomes};
use crate::api::records::age_from_profile;
use crate::api::schema;
use crate::auth::Caller;
use crate::problem::{ApiError, ApiJson, ApiQuery, FieldError, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use coach::assessment::{Eyes, Population, Sex};
use coach::energy::{Direction, Sport};
use coach::measure::{Age, Grade, PainScore, Rpe, Speed, TravelSpeed};
use coach::plan::Setting;
use jiff::Timestamp;
use jiff::fmt::temporal::{Pieces, PiecesOffset};
use serde::{Deserialize, Serialize};
use store::{
    AssessmentKind, Cursor, LoggedBlock, LoggedSession, NewAssessment, SessionEntry, SessionQuery,
    SessionSource,
};
use utoipa::{IntoParams, ToSchema};

/// Most blocks in one session.
const MAX_BLOCKS: usize = 500;
/// Longest session, seconds.
const MAX_SESSION_SECONDS: u32 = 24 * 3600;
/// Longest note.
const MAX_NOTE_CHARS: usize = 4000;
/// Largest page.
const MAX_PAGE: u32 = 200;
/// Page size when none is asked for.
const DEFAULT_PAGE: u32 = 20;

/// One stretch of walking.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BlockBody {
    /// forward or backward.
    #[schema(schema_with = schema::direction)]
    pub(crate) direction: Direction,
    /// 1 s to 24 h; the blocks of a session add up to at most 24 h.
    #[schema(minimum = 1, maximum = 86400)]
    #[serde(deserialize_with = "crate::api::whole")]
    pub(crate) seconds: u32,
    /// Speed, m/s, when known (improves the energy estimate): 0.1 to 30 m/s, and in a walking
    /// session at most 2.45872 (5.5 mph, the fastest walking speed the walking tables cover;
    /// faster is a run or a ride).
    #[serde(default)]
    #[schema(minimum = 0.1, maximum = 30)]
    pub(crate) speed_mps: Option<f64>,
    /// Treadmill grade, percent: 0 to 25.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 25)]
    pub(crate) grade_percent: Option<f64>,
}

fn yes() -> bool {
    true
}

/// A session to log.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SessionBody {
    /// Start, RFC 3339 with an offset: 2026-11-22T07:30:00+01:00. At most a day from now: log
    /// sessions once done.
    #[schema(format = DateTime, example = "2026-11-22T07:30:00+01:00")]
    pub(crate) started_at: String,
    /// ground, hallway or treadmill (for a ride, treadmill means indoors: a trainer).
    #[schema(schema_with = schema::setting)]
    pub(crate) setting: Setting,
    /// walking, running, cycling or other. Only walking counts toward the plan; running and
    /// cycling are estimated with the Compendium's own codes, other sports not at all. Walking
    /// when absent from a new session; unchanged when absent from a replacement.
    #[serde(default)]
    #[schema(schema_with = schema::sport_or_null)]
    pub(crate) sport: Option<Sport>,
    /// The blocks in order: 1 to 500.
    #[schema(min_items = 1, max_items = 500)]
    pub(crate) blocks: Vec<BlockBody>,
    /// Effort, Borg 6-20.
    #[schema(minimum = 6, maximum = 20)]
    #[serde(deserialize_with = "crate::api::whole")]
    pub(crate) rpe: u8,
    /// Pain before, 0-10; null or absent when not given (which is not "no pain").
    #[serde(default, deserialize_with = "crate::api::whole_or_null")]
    #[schema(minimum = 0, maximum = 10)]
    pub(crate) pain_before: Option<u8>,
    /// Pain after, 0-10; null or absent when not given.
    #[serde(default, deserialize_with = "crate::api::whole_or_null")]
    #[schema(minimum = 0, maximum = 10)]
    pub(crate) pain_after: Option<u8>,
    /// Near-falls (stumbles caught), 0-255.
    #[serde(default, deserialize_with = "crate::api::whole")]
    #[schema(minimum = 0, maximum = 255)]
    pub(crate) near_falls: u8,
    /// Actual falls (you ended up on the ground), 0-20; 0 when absent. A fall pauses
    /// progression until it is resumed.
    #[serde(default, deserialize_with = "crate::api::whole")]
    #[schema(minimum = 0, maximum = 20)]
    pub(crate) falls: u8,
    /// Whether you felt safe throughout.
    #[serde(default = "yes")]
    pub(crate) felt_safe: bool,
    /// Free text, at most 4,000 characters.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub(crate) notes: String,
    /// manual, timer, file or sensor.
    #[serde(default)]
    #[schema(schema_with = schema::session_source)]
    pub(crate) source: SessionSource,
    /// The client's key for this log (1-100 printable characters), so that a retry after a lost
    /// response does not log it twice: a repeated key answers 200 with the session it made.
    /// Ignored when replacing a session.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]+$"
    )]
    pub(crate) client_key: Option<String>,
}

/// Most falls one session can report (the column's check says the same).
pub(crate) const MAX_FALLS: u8 = 20;

/// Longest client key.
const MAX_CLIENT_KEY_CHARS: usize = 100;

/// Parses an RFC 3339 time and keeps its offset (the walker's local date depends on it).
fn parse_started_at(text: &str) -> Result<(Timestamp, i32), String> {
    let expected =
        "expected RFC 3339 with an offset, e.g. 2026-11-22T07:30:00+01:00 or 2026-11-22T06:30:00Z";
    let at: Timestamp = text
        .parse()
        .map_err(|e| format!("{text:?} is not a time: {e}; {expected}"))?;
    let offset = match Pieces::parse(text).ok().and_then(|p| p.offset()) {
        Some(PiecesOffset::Numeric(n)) => n.offset().seconds(),
        _ => 0,
    };
    Ok((at, offset))
}

/// Why a session starting at `at` cannot be logged at `now`: it starts more than a day ahead.
pub(crate) fn start_error(at: Timestamp, now: Timestamp) -> Option<String> {
    (at.as_second() > now.as_second() + 24 * 3600)
        .then(|| "the session starts more than a day from now: log sessions once done".into())
}

/// Why a session cannot have `count` blocks: none, or more than [`MAX_BLOCKS`].
pub(crate) fn block_count_error(count: usize) -> Option<String> {
    (count == 0 || count > MAX_BLOCKS)
        .then(|| format!("expected 1 to {MAX_BLOCKS} blocks, got {count}"))
}

/// Why a block cannot last `seconds`: less than a second or more than a day.
pub(crate) fn block_seconds_error(seconds: u32) -> Option<String> {
    (!(1..=MAX_SESSION_SECONDS).contains(&seconds)).then(|| {
        format!("{seconds} is not a block length: expected 1 to {MAX_SESSION_SECONDS} seconds")
    })
}

/// Why these blocks cannot make one session: together they last more than a day.
pub(crate) fn session_length_error(blocks: &[LoggedBlock]) -> Option<String> {
    let total: u64 = blocks.iter().map(|b| u64::from(b.seconds)).sum();
    (total > u64::from(MAX_SESSION_SECONDS))
        .then(|| format!("the blocks add up to {total} s: a session lasts at most 24 h"))
}

/// Why a session's notes cannot be kept: longer than [`MAX_NOTE_CHARS`].
pub(crate) fn notes_error(notes: &str) -> Option<String> {
    let count = notes.chars().count();
    (count > MAX_NOTE_CHARS).then(|| {
        format!(
            "the notes have {count} characters: at most {MAX_NOTE_CHARS} are kept, so shorten them"
        )
    })
}

/// A block's speed for a session of this sport: a walking speed when walking, else any speed
/// of travel.
pub(crate) fn block_speed(sport: Sport, mps: f64) -> Result<TravelSpeed, String> {
    match sport {
        Sport::Walking => Speed::from_mps(mps).map(TravelSpeed::from).map_err(|e| {
            format!("{e}: a faster session is a run (sport running) or a ride (sport cycling)")
        }),
        _ => TravelSpeed::from_mps(mps).map_err(|e| e.to_string()),
    }
}

/// Why a block cannot be part of a session of this sport: a ride has no backward blocks.
pub(crate) fn block_direction_error(sport: Sport, direction: Direction) -> Option<String> {
    (sport == Sport::Cycling && direction == Direction::Backward).then(|| {
        "a ride has no backward blocks: mark backward only what was walked or run backward".into()
    })
}

/// Checks every field and returns the entry, or a 422 naming each bad field. `sport` is the
/// session's sport when the body gives none.
fn validate(body: SessionBody, now: Timestamp, sport: Sport) -> Result<SessionEntry, ApiError> {
    let sport = body.sport.unwrap_or(sport);
    let mut errors = Vec::new();
    let mut bad = |field: String, message: String| errors.push(FieldError { field, message });
    let started = match parse_started_at(&body.started_at) {
        Ok((at, offset)) => {
            if let Some(message) = start_error(at, now) {
                bad("started_at".into(), message);
            }
            Some((at, offset))
        }
        Err(message) => {
            bad("started_at".into(), message);
            None
        }
    };
    // Checked on a replacement too, where it is ignored: the body means the same either way.
    if let Some(key) = &body.client_key
        && (key.is_empty()
            || key.chars().count() > MAX_CLIENT_KEY_CHARS
            || key.chars().any(char::is_control))
    {
        bad(
            "client_key".into(),
            format!("expected 1 to {MAX_CLIENT_KEY_CHARS} printable characters"),
        );
    }
    if let Some(message) = block_count_error(body.blocks.len()) {
        bad("blocks".into(), message);
    }
    let mut blocks = Vec::with_capacity(body.blocks.len());
    for (i, b) in body.blocks.iter().enumerate() {
        if let Some(message) = block_seconds_error(b.seconds) {
            bad(format!("blocks[{i}].seconds"), message);
        }
        let speed = match b.speed_mps.map(|v| block_speed(sport, v)).transpose() {
            Ok(s) => s,
            Err(e) => {
                bad(format!("blocks[{i}].speed_mps"), e);
                None
            }
        };
        if let Some(message) = block_direction_error(sport, b.direction) {
            bad(format!("blocks[{i}].direction"), message);
        }
        let grade = match b.grade_percent.map(Grade::from_percent).transpose() {
            Ok(g) => g,
            Err(e) => {
                bad(format!("blocks[{i}].grade_percent"), e.to_string());
                None
            }
        };
        blocks.push(LoggedBlock {
            direction: b.direction,
            seconds: b.seconds,
            speed,
            grade,
        });
    }
    if let Some(message) = session_length_error(&blocks) {
        bad("blocks".into(), message);
    }
    let rpe = Rpe::new(body.rpe)
        .map_err(|e| bad("rpe".into(), e.to_string()))
        .ok();
    let pain_before = body
        .pain_before
        .map(PainScore::new)
        .transpose()
        .map_err(|e| bad("pain_before".into(), e.to_string()))
        .ok()
        .flatten();
    let pain_after = body
        .pain_after
        .map(PainScore::new)
        .transpose()
        .map_err(|e| bad("pain_after".into(), e.to_string()))
        .ok()
        .flatten();
    if body.falls > MAX_FALLS {
        bad(
            "falls".into(),
            format!(
                "{} is too many; expected a whole number of falls from 0 to {MAX_FALLS}",
                body.falls
            ),
        );
    }
    if let Some(message) = notes_error(&body.notes) {
        bad("notes".into(), message);
    }
    let Some((started_at, utc_offset_seconds)) = started.filter(|_| errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let backward_seconds = blocks
        .iter()
        .filter(|b| b.direction == Direction::Backward)
        .map(|b| b.seconds)
        .sum();
    Ok(SessionEntry {
        started_at,
        utc_offset_seconds,
        setting: body.setting,
        sport,
        backward_seconds,
        total_seconds: blocks.iter().map(|b| b.seconds).sum(),
        blocks,
        rpe,
        pain_before,
        pain_after,
        near_falls: body.near_falls,
        falls: body.falls,
        felt_safe: body.felt_safe,
        notes: body.notes,
        source: body.source,
        plan_id: None,
        planned_backward_seconds: None,
        kcal: None,
        energy: serde_json::Value::Null,
    })
}

/// A logged session as answered: the stored session, its energy and, when the energy is
/// missing, why.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub(crate) session: LoggedSession,
    /// Why `kcal` is null, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kcal_missing_reason: Option<String>,
}

impl From<LoggedSession> for SessionView {
    fn from(session: LoggedSession) -> Self {
        let kcal_missing_reason = match session.entry.kcal {
            Some(_) => None,
            None => session
                .entry
                .energy
                .get("reason")
                .and_then(|r| r.as_str())
                .map(str::to_string),
        };
        SessionView {
            session,
            kcal_missing_reason,
        }
    }
}

/// The walker's local date of a session's start.
pub(crate) fn local_day(entry: &SessionEntry) -> Result<jiff::civil::Date, ApiError> {
    let offset =
        jiff::tz::Offset::from_seconds(entry.utc_offset_seconds).map_err(ApiError::internal)?;
    Ok(offset.to_datetime(entry.started_at).date())
}

/// Fills in energy (with the body mass in force on the session's day) and the plan link (only
/// a walk follows the plan).
async fn complete_entry(
    state: &AppState,
    caller: &Caller,
    entry: &mut SessionEntry,
    keep_plan: Option<(Option<store::Id>, Option<u32>)>,
) -> Result<(), ApiError> {
    let day = local_day(entry)?;
    let history = state.store.body_masses(caller.id()).await?;
    let (kcal, energy) =
        crate::energy::session_energy(entry.setting, entry.sport, &entry.blocks, day, &history);
    entry.kcal = kcal;
    entry.energy = energy;
    if !entry.sport.follows_plan() {
        entry.plan_id = None;
        entry.planned_backward_seconds = None;
        return Ok(());
    }
    if let Some((plan_id, planned)) = keep_plan {
        entry.plan_id = plan_id;
        entry.planned_backward_seconds = planned;
        return Ok(());
    }
    // A new session answers the active plan's next session when it falls within the plan.
    if let Some((stored, plan)) = active_coach_plan(state, caller.id()).await? {
        let local = day;
        let end = plan.sessions.last().map_or(stored.fields.start, |s| s.date);
        if local >= stored.fields.start && local <= end {
            let logged = outcomes(&state.store.plan_outcomes(caller.id(), stored.id).await?);
            let next = crate::api::gates::next_session(state, caller.id(), &plan, &logged).await?;
            entry.plan_id = Some(stored.id);
            entry.planned_backward_seconds = next.session.map(|s| s.backward_seconds);
        }
    }
    Ok(())
}

/// Logs a session; energy comes from the coach and the body mass in force on the session's day
/// (none in force: `kcal` is null and `kcal_missing_reason` says why).
#[utoipa::path(post, path = "/api/v1/sessions", request_body = SessionBody,
    responses((status = 201, body = SessionView), (status = 200, description = "Already logged under this client_key: the session it made", body = SessionView), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn add_session(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<SessionBody>,
) -> Result<(StatusCode, Json<SessionView>), ApiError> {
    let client_key = body.client_key.clone();
    let mut entry = validate(body, Timestamp::now(), Sport::Walking)?;
    complete_entry(&state, &caller, &mut entry, None).await?;
    match client_key {
        Some(key) => {
            let (stored, created) = state
                .store
                .add_session_once(caller.id(), &key, &entry)
                .await?;
            let status = if created {
                crate::api::gates::session_logged(&state, caller.id(), &stored).await?;
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((status, Json(stored.into())))
        }
        None => {
            let stored = state.store.add_session(caller.id(), &entry).await?;
            crate::api::gates::session_logged(&state, caller.id(), &stored).await?;
            Ok((StatusCode::CREATED, Json(stored.into())))
        }
    }
}

/// Paging and date range.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Page size, 1-200 (20 by default).
    #[param(minimum = 1, maximum = 200)]
    pub(crate) limit: Option<u32>,
    /// The `next` value of the previous page.
    pub(crate) cursor: Option<String>,
    /// Sessions starting at or after (RFC 3339, or a date meaning its start in UTC).
    pub(crate) from: Option<String>,
    /// Sessions starting before (RFC 3339, or a date meaning its start in UTC).
    pub(crate) to: Option<String>,
}

/// A page of sessions.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionList {
    pub(crate) items: Vec<SessionView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub(crate) next: Option<String>,
}

fn parse_bound(field: &str, text: &str) -> Result<Timestamp, FieldError> {
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| FieldError {
            field: field.into(),
            message: format!("{text:?} is not a time: expected RFC 3339 (2026-11-22T07:30:00Z) or a date (2026-11-22)"),
        })
}

/// Lists sessions, newest first.
#[utoipa::path(get, path = "/api/v1/sessions", params(ListQuery),
    responses((status = 200, body = SessionList), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn list_sessions(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<SessionList>, ApiError> {
    session_page(&state, caller.id(), &query).await.map(Json)
}

/// A page of one person's sessions: the walker's own list, and a clinician's under a grant.
pub(crate) async fn session_page(
    state: &AppState,
    owner: store::Id,
    query: &ListQuery,
) -> Result<SessionList, ApiError> {
    let mut errors = Vec::new();
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        errors.push(FieldError {
            field: "limit".into(),
            message: format!("{limit} is not a page size: expected 1 to {MAX_PAGE}"),
        });
    }
    let after = match query
        .cursor
        .as_deref()
        .map(str::parse::<Cursor>)
        .transpose()
    {
        Ok(c) => c,
        Err(e) => {
            errors.push(FieldError {
                field: "cursor".into(),
                message: e.to_string(),
            });
            None
        }
    };
    let mut bound = |field: &str, text: &Option<String>| match text {
        None => None,
        Some(t) => parse_bound(field, t).map_err(|e| errors.push(e)).ok(),
    };
    let from = bound("from", &query.from);
    let to = bound("to", &query.to);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let page = state
        .store
        .sessions(
            owner,
            &SessionQuery {
                from,
                to,
                after,
                limit,
            },
        )
        .await?;
    Ok(SessionList {
        items: page.items.into_iter().map(SessionView::from).collect(),
        next: page.next.map(|c| c.to_string()),
    })
}

/// One session.
#[utoipa::path(get, path = "/api/v1/sessions/{id}", responses((status = 200, body = SessionView), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn get_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SessionView>, ApiError> {
    let id = parse_id(&id, "session")?;
    state
        .store
        .session(caller.id(), id)
        .await?
        .map(|s| Json(s.into()))
        .ok_or_else(|| ApiError::not_found("session"))
}

/// Replaces a session (energy is estimated again with the body mass in force on its day).
#[utoipa::path(put, path = "/api/v1/sessions/{id}", request_body = SessionBody,
    responses((status = 200, body = SessionView), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn put_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SessionBody>,
) -> Result<Json<SessionView>, ApiError> {
    let id = parse_id(&id, "session")?;
    let existing = state
        .store
        .session(caller.id(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("session"))?;
    let mut entry = validate(body, Timestamp::now(), existing.entry.sport)?;
    let link = (
        existing.entry.plan_id,
        existing.entry.planned_backward_seconds,
    );
    complete_entry(&state, &caller, &mut entry, Some(link)).await?;
    state
        .store
        .update_session(caller.id(), id, &entry)
        .await?
        .map(|s| Json(s.into()))
        .ok_or_else(|| ApiError::not_found("session"))
}

/// Deletes a session.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn delete_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "session")?;
    if state.store.delete_session(caller.id(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("session"))
    }
}

/// An assessment to record; `kind` chooses the other fields.
// Serialize is derived only so that the `serde` attributes are read by utoipa; the body is
// read by the `Deserialize` below, which keeps each field's name in its errors (serde's own
// internally tagged enums lose it, so a bad population was reported against "body").
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum AssessmentBody {
    /// 3-metre backward walk test.
    ThreeMbwt {
        /// Seconds to walk 3 m backward: 0.5 to 120.
        #[schema(minimum = 0.5, maximum = 120)]
        seconds: f64,
        /// Population for the cut-off.
        #[schema(schema_with = schema::population)]
        population: Population,
    },
    /// Single-leg stance, best of three.
    SingleLegStance {
        /// Seconds held: 0 to 120.
        #[schema(minimum = 0, maximum = 120)]
        seconds: f64,
        /// open or closed.
        #[schema(schema_with = schema::eyes)]
        eyes: Eyes,
        /// female or male (used eyes closed).
        #[serde(default)]
        #[schema(schema_with = schema::sex_or_null)]
        sex: Option<Sex>,
        /// Age in years, 18-120 (the norms are for adults); taken from the profile's birth
        /// year when absent.
        #[serde(default)]
        #[schema(minimum = 18, maximum = 120)]
        age: Option<u8>,
    },
    /// Pain before and after a period of walking.
    PainChange {
        /// 0-10.
        #[schema(minimum = 0, maximum = 10)]
        before: u8,
        /// 0-10.
        #[schema(minimum = 0, maximum = 10)]
        after: u8,
    },
}

/// The fields of each kind of assessment, read with their names kept.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThreeMbwtFields {
    seconds: f64,
    population: Population,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SingleLegStanceFields {
    seconds: f64,
    eyes: Eyes,
    #[serde(default)]
    sex: Option<Sex>,
    #[serde(default, deserialize_with = "crate::api::whole_or_null")]
    age: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PainChangeFields {
    #[serde(deserialize_with = "crate::api::whole")]
    before: u8,
    #[serde(deserialize_with = "crate::api::whole")]
    after: u8,
}

impl<'de> Deserialize<'de> for AssessmentBody {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        /// Reads one kind's fields; an error names its field as "PATH: message", which the
        /// problem document splits into `field` and `message`.
        fn fields<T: serde::de::DeserializeOwned, E: Error>(
            rest: serde_json::Map<String, serde_json::Value>,
        ) -> Result<T, E> {
            serde_path_to_error::deserialize(serde_json::Value::Object(rest)).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if path == "." {
                    E::custom(inner)
                } else {
                    E::custom(format!("{path}: {inner}"))
                }
            })
        }
        const KINDS: &str = "three_mbwt, single_leg_stance or pain_change";
        let mut rest = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        let kind = match rest.remove("kind") {
            Some(serde_json::Value::String(kind)) => kind,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "kind: {other} is not a kind of assessment; expected {KINDS}"
                )));
            }
            None => return Err(D::Error::missing_field("kind")),
        };
        match kind.as_str() {
            "three_mbwt" => {
                let f: ThreeMbwtFields = fields(rest)?;
                Ok(AssessmentBody::ThreeMbwt {
                    seconds: f.seconds,
                    population: f.population,
                })
            }
            "single_leg_stance" => {
                let f: SingleLegStanceFields = fields(rest)?;
                Ok(AssessmentBody::SingleLegStance {
                    seconds: f.seconds,
                    eyes: f.eyes,
                    sex: f.sex,
                    age: f.age,
                })
            }
            "pain_change" => {
                let f: PainChangeFields = fields(rest)?;
                Ok(AssessmentBody::PainChange {
                    before: f.before,
                    after: f.after,
                })
            }
            other => Err(D::Error::custom(format!(
                "kind: '{}' is not a kind of assessment; expected {KINDS}",
                other.chars().take(40).collect::<String>()
            ))),
        }
    }
}

/// Interprets an assessment with the coach and records it.
#[utoipa::path(post, path = "/api/v1/assessments", request_body = AssessmentBody,
    responses((status = 201, body = Object), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn add_assessment(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<AssessmentBody>,
) -> Result<(StatusCode, Json<store::Assessment>), ApiError> {
    let inputs_and_result = match &body {
        AssessmentBody::ThreeMbwt {
            seconds,
            population,
        } => {
            let previous = state
                .store
                .assessments(caller.id())
                .await?
                .into_iter()
                .find(|a| a.assessment.kind == AssessmentKind::ThreeMbwt)
                .map(|a| a.assessment.value);
            let result = coach::assessment::three_mbwt(*seconds, *population, previous)
                .map_err(|e| ApiError::field("seconds", e.to_string()))?;
            (
                AssessmentKind::ThreeMbwt,
                *seconds,
                serde_json::json!({"seconds": seconds, "population": population, "previous_seconds": previous}),
                serde_json::to_value(result),
            )
        }
        AssessmentBody::SingleLegStance {
            seconds,
            eyes,
            sex,
            age,
        } => {
            let age = match age {
                Some(a) => Some(Age::new(*a).map_err(|e| ApiError::field("age", e.to_string()))?),
                None => age_from_profile(&caller.user.profile),
            }
            .ok_or_else(|| {
                ApiError::field(
                    "age",
                    "give your age, or a birth year in your profile: the norms depend on it",
                )
            })?;
            let result =
                coach::assessment::single_leg_stance(*seconds, age, *eyes, *sex).map_err(|e| {
                    // The age may come from the profile: name it as the field it is about.
                    let coach::assessment::AssessmentError::OutOfRange { what, .. } = &e;
                    let field = if *what == "age" { "age" } else { "seconds" };
                    ApiError::field(field, e.to_string())
                })?;
            (
                AssessmentKind::SingleLegStance,
                *seconds,
                serde_json::json!({"seconds": seconds, "eyes": eyes, "sex": sex, "age": age}),
                serde_json::to_value(result),
            )
        }
        AssessmentBody::PainChange { before, after } => {
            let mut errors = Vec::new();
            let b = PainScore::new(*before)
                .map_err(|e| {
                    errors.push(FieldError {
                        field: "before".into(),
                        message: e.to_string(),
                    })
                })
                .ok();
            let a = PainScore::new(*after)
                .map_err(|e| {
                    errors.push(FieldError {
                        field: "after".into(),
                        message: e.to_string(),
                    })
                })
                .ok();
            let (Some(b), Some(a)) = (b, a) else {
                return Err(ApiError::invalid(errors));
            };
            (
                AssessmentKind::PainChange,
                f64::from(*after),
                serde_json::json!({"before": before, "after": after}),
                serde_json::to_value(coach::assessment::pain_change(b, a)),
            )
        }
    };
    let (kind, value, inputs, result) = inputs_and_result;
    let stored = state
        .store
        .add_assessment(
            caller.id(),
            &NewAssessment {
                taken_at: Timestamp::now(),
                kind,
                value,
                inputs,
                result: result.map_err(ApiError::internal)?,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// The caller's assessments, newest first.
#[utoipa::path(get, path = "/api/v1/assessments", responses((status = 200, body = [Object])), security(("bearer" = [])))]
pub(crate) async fn list_assessments(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<store::Assessment>>, ApiError> {
    Ok(Json(state.store.assessments(caller.id()).await?))
}

/// One assessment.
#[utoipa::path(get, path = "/api/v1/assessments/{id}", responses((status = 200, body = Object), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn get_assessment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<store::Assessment>, ApiError> {
    let id = parse_id(&id, "assessment")?;
    state
        .store
        .assessment(caller.id(), id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("assessment"))
}

/// Deletes an assessment.
#[utoipa::path(delete, path = "/api/v1/assessments/{id}", responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn delete_assessment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "assessment")?;
    if state.store.delete_assessment(caller.id(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("assessment"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn started_at_keeps_its_offset() {
        let (at, offset) = parse_started_at("2026-11-22T07:30:00+01:00").unwrap();
        assert_eq!(offset, 3600);
        assert_eq!(at.to_string(), "2026-11-22T06:30:00Z");
        assert_eq!(parse_started_at("2026-11-22T06:30:00Z").unwrap().1, 0);
        assert!(parse_started_at("2026-11-22 07:30").is_err());
        assert!(parse_started_at("yesterday").is_err());
    }

    #[test]
    fn bounds_take_times_or_dates() {
        assert!(parse_bound("from", "2026-11-22").is_ok());
        assert!(parse_bound("from", "2026-11-22T00:00:00Z").is_ok());
        assert_eq!(parse_bound("to", "soon").unwrap_err().field, "to");
    }
}

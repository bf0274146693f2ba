//! Outcome trends (issue 15): 3MBWT times with the published cut-off they were read against,
//! single-leg stance times, pain before and after per session, and backward-walking cadence and
//! steps from the sessions' motion analyses. For the walker (`/api/v1/progress/trends`) and for
//! a clinician under a grant, logged (`/api/v1/clinician/walkers/{id}/trends`).

use crate::AppState;
use crate::api::clinician::{granted, record};
use crate::api::motion::MotionAnalysis;
use crate::api::parse_id;
use crate::auth::Caller;
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::extract::{Path, State};
use coach::assessment::FallRisk;
use coach::energy::Direction;
use jiff::civil::Date;
use serde::Serialize;
use store::{AccessAction, AssessmentKind, Id, SharedData};
use utoipa::ToSchema;

/// Points per series: a year and more of sessions at four a week.
pub(crate) const TREND_POINTS: u32 = 250;

/// One 3MBWT.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub(crate) struct ThreeMbwtPoint {
    /// When it was taken.
    #[schema(value_type = String, format = DateTime)]
    pub(crate) taken_at: jiff::Timestamp,
    /// The time, seconds (lower is better).
    pub(crate) seconds: f64,
    /// The band by the published cut-off for the walker's population.
    #[schema(schema_with = crate::api::schema::fall_risk)]
    pub(crate) risk: FallRisk,
    /// At or above: higher fall risk (null where no cut-off is published).
    pub(crate) high_risk_at_least_s: Option<f64>,
    /// At or below: low risk, where the source gives one.
    pub(crate) low_risk_at_most_s: Option<f64>,
    /// The cut-off's source, in one breath ("Carter et al. 2019").
    pub(crate) source: Option<String>,
}

/// One single-leg stance test.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub(crate) struct StancePoint {
    /// When it was taken.
    #[schema(value_type = String, format = DateTime)]
    pub(crate) taken_at: jiff::Timestamp,
    /// Seconds stood (higher is better).
    pub(crate) seconds: f64,
}

/// Pain before and after one session.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub(crate) struct PainTrendPoint {
    /// The session.
    pub(crate) session_id: Id,
    /// Its local day.
    #[schema(value_type = String, format = Date)]
    pub(crate) date: Date,
    /// 0-10, null when not given.
    #[schema(minimum = 0, maximum = 10)]
    pub(crate) pain_before: Option<u8>,
    /// 0-10, null when not given.
    #[schema(minimum = 0, maximum = 10)]
    pub(crate) pain_after: Option<u8>,
}

/// Backward walking in one session's motion recording.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub(crate) struct GaitPoint {
    /// The session.
    pub(crate) session_id: Id,
    /// Its local day.
    #[schema(value_type = String, format = Date)]
    pub(crate) date: Date,
    /// Steps counted in the backward blocks.
    pub(crate) backward_steps: u64,
    /// Steps per minute over the backward blocks' walking; null without two steps.
    pub(crate) backward_cadence_spm: Option<f64>,
}

/// The trends, each series oldest first (at most 250 points each).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub(crate) struct Trends {
    /// 3MBWT times with their cut-offs.
    pub(crate) three_mbwt: Vec<ThreeMbwtPoint>,
    /// Single-leg stance times.
    pub(crate) single_leg_stance: Vec<StancePoint>,
    /// Pain per session (sessions with a score).
    pub(crate) pain: Vec<PainTrendPoint>,
    /// Backward cadence and steps (sessions with a motion recording).
    pub(crate) gait: Vec<GaitPoint>,
}

/// The backward blocks of an analysis: the walker's own answer wins over the timer's label.
/// `None` for an analysis in a shape this version cannot read.
pub(crate) fn backward_gait(
    session_id: Id,
    date: Date,
    analysis: &serde_json::Value,
) -> Option<GaitPoint> {
    let analysis: MotionAnalysis = serde_json::from_value(analysis.clone()).ok()?;
    let mut steps = 0u64;
    let mut minutes = 0.0;
    for b in analysis
        .blocks
        .iter()
        .filter(|b| b.said.unwrap_or(b.labelled) == Direction::Backward)
    {
        steps += u64::from(b.steps);
        if let Some(cadence) = b.cadence_spm.filter(|c| *c > 0.0) {
            minutes += f64::from(b.steps) / cadence;
        }
    }
    Some(GaitPoint {
        session_id,
        date,
        backward_steps: steps,
        backward_cadence_spm: (minutes > 0.0).then(|| steps as f64 / minutes),
    })
}

/// Reads the trends of `user`; `motion` says whether motion analyses may be read.
pub(crate) async fn trends_of(
    state: &AppState,
    user: Id,
    assessments: bool,
    motion: bool,
) -> Result<Trends, ApiError> {
    let rows = state.store.trend_rows(user, TREND_POINTS).await?;
    let mut tests = if assessments {
        state.store.assessments(user).await?
    } else {
        Vec::new()
    };
    tests.sort_by_key(|a| (a.assessment.taken_at, a.id));
    let of_kind = |kind| tests.iter().filter(move |a| a.assessment.kind == kind);
    let three_mbwt: Vec<ThreeMbwtPoint> = of_kind(AssessmentKind::ThreeMbwt)
        .map(|a| {
            let result = &a.assessment.result;
            let number = |p: &str| result.pointer(p).and_then(serde_json::Value::as_f64);
            ThreeMbwtPoint {
                taken_at: a.assessment.taken_at,
                seconds: a.assessment.value,
                risk: result
                    .get("risk")
                    .cloned()
                    .and_then(|r| serde_json::from_value(r).ok())
                    .unwrap_or(FallRisk::NotClassified),
                high_risk_at_least_s: number("/cut_off/high_risk_at_least_s"),
                low_risk_at_most_s: number("/cut_off/low_risk_at_most_s"),
                source: result
                    .pointer("/cut_off/source/short")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string),
            }
        })
        .collect();
    let skip = |n: usize| n.saturating_sub(TREND_POINTS as usize);
    let single_leg_stance: Vec<StancePoint> = of_kind(AssessmentKind::SingleLegStance)
        .map(|a| StancePoint {
            taken_at: a.assessment.taken_at,
            seconds: a.assessment.value,
        })
        .collect();
    Ok(Trends {
        three_mbwt: three_mbwt[skip(three_mbwt.len())..].to_vec(),
        single_leg_stance: single_leg_stance[skip(single_leg_stance.len())..].to_vec(),
        pain: rows
            .pains
            .iter()
            .map(|p| PainTrendPoint {
                session_id: p.session_id,
                date: p.local_date,
                pain_before: p.pain_before.map(|v| v.value()),
                pain_after: p.pain_after.map(|v| v.value()),
            })
            .collect(),
        gait: if motion {
            rows.analyses
                .iter()
                .filter_map(|a| backward_gait(a.session_id, a.local_date, &a.analysis))
                .collect()
        } else {
            Vec::new()
        },
    })
}

/// A walker's trends for a clinician under a grant (sessions shared), logged from `route`
/// before they are returned; assessments and motion only as far as the grant shares them.
pub(crate) async fn read_walker_trends(
    state: &AppState,
    caller: &Caller,
    walker: Id,
    route: String,
) -> Result<(store::Grant, Trends), ApiError> {
    let grant = granted(state, caller, walker, SharedData::Sessions).await?;
    let trends = trends_of(
        state,
        walker,
        grant.scope.reads(SharedData::Assessments),
        grant.scope.reads(SharedData::MotionAnalyses),
    )
    .await?;
    record(
        state,
        caller,
        &grant,
        AccessAction::Read,
        "outcome trends",
        route,
    )
    .await?;
    Ok((grant, trends))
}

/// The caller's outcome trends.
#[utoipa::path(get, path = "/api/v1/progress/trends", responses((status = 200, body = Trends), (status = 401, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn own_trends(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Trends>, ApiError> {
    trends_of(&state, caller.id(), true, true).await.map(Json)
}

/// A walker's outcome trends (under a grant; logged).
#[utoipa::path(get, path = "/api/v1/clinician/walkers/{id}/trends", params(("id" = i64, Path, description = "The walker's id")),
    responses((status = 200, body = Trends), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn walker_trends(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Trends>, ApiError> {
    let walker = parse_id(&id, "walker")?;
    read_walker_trends(
        &state,
        &caller,
        walker,
        "GET /api/v1/clinician/walkers/{id}/trends".into(),
    )
    .await
    .map(|(_, t)| Json(t))
}

//! The progress summary: backward time per week against the plan, energy, pain and effort
//! trends, adherence, and the coach's next session with its progression decision.

use crate::AppState;
use crate::auth::Caller;
use crate::problem::{ApiError, Problem};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use coach::plan::Plan;
use coach::progression::{NextSession, SessionOutcome};
use coach::screening::Precaution;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;
use store::{DailyTotals, PlanOutcome, PlanSummary};
use utoipa::ToSchema;

/// Weeks shown when there is no active plan.
const WEEKS_WITHOUT_PLAN: i64 = 12;

/// The caller's active plan, rebuilt for the coach, with its stored summary. A plan this version
/// cannot rebuild (see [`active_plan`]) counts as none: sessions are then logged without a plan.
pub(crate) async fn active_coach_plan(
    state: &AppState,
    user: store::Id,
) -> Result<Option<(PlanSummary, Plan)>, ApiError> {
    Ok(active_plan(state, user)
        .await?
        .and_then(|(summary, plan)| plan.ok().map(|plan| (summary, plan))))
}

/// The caller's active plan as stored, and the coach's plan rebuilt from it or, when this
/// version cannot rebuild it (a protocol it does not know, precautions it cannot read, as data
/// from another version may hold), why, in words for the person: pages show that instead of
/// failing.
pub(crate) async fn active_plan(
    state: &AppState,
    user: store::Id,
) -> Result<Option<(PlanSummary, Result<Plan, String>)>, ApiError> {
    let Some(summary) = state.store.active_plan_summary(user).await? else {
        return Ok(None);
    };
    let revision = rescheduled(&summary);
    let sessions = match state.planned.get(summary.id, revision) {
        Some(sessions) => sessions,
        None => {
            let rows = state.store.planned_sessions(user, summary.id).await?;
            let sessions = std::sync::Arc::new(rows.into_iter().map(|r| r.session).collect());
            state
                .planned
                .put(summary.id, revision, std::sync::Arc::clone(&sessions));
            sessions
        }
    };
    let plan = coach_plan(&summary, &sessions);
    if let Err(why) = &plan {
        tracing::warn!("plan {} of user {user} cannot be shown: {why}", summary.id);
    }
    Ok(Some((summary, plan)))
}

/// How many times a plan's dates were moved (`details.rescheduled`; none before).
pub(crate) fn rescheduled(stored: &PlanSummary) -> u64 {
    stored
        .details
        .get("rescheduled")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0)
}

/// Rebuilds the coach's plan from the stored one (the stored sessions are the truth, so a later
/// change of the coach's rules never rewrites a plan someone is following), or says, for the
/// person, why this version cannot.
pub(crate) fn coach_plan(
    stored: &PlanSummary,
    sessions: &[coach::plan::PlannedSession],
) -> Result<Plan, String> {
    let cannot = |what: String| {
        format!(
            "Your active plan (started {}) {what}, so it cannot be shown or followed here. Make a new plan at /start/plan: your logged sessions are kept.",
            stored.fields.start
        )
    };
    let protocol = coach::protocol::protocol(&stored.fields.protocol_id).ok_or_else(|| {
        cannot(format!(
            "follows protocol {:?}, which this version of Retrostride does not know",
            stored.fields.protocol_id
        ))
    })?;
    let precautions: Vec<Precaution> = stored
        .details
        .get("precautions")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| cannot(format!("lists precautions this version cannot read ({e})")))?
        .unwrap_or_default();
    Ok(Plan {
        protocol,
        goal: stored.fields.goal,
        setting: stored.fields.setting,
        level: stored.fields.level,
        clearance: stored.fields.clearance,
        precautions,
        start: stored.fields.start,
        days_per_week: stored.fields.days_per_week,
        weeks: stored.fields.weeks,
        units: stored.fields.units,
        // Plans made before weekdays could be chosen have none; an unreadable one only loses
        // the time shown, never the stored dates.
        schedule: stored
            .details
            .get("schedule")
            .and_then(|s| serde_json::from_value(s.clone()).ok())
            .unwrap_or_default(),
        rules: Vec::new(),
        adjustments: Vec::new(),
        rule_sources: Vec::new(),
        sessions: sessions.to_vec(),
    })
}

/// The outcomes the coach reads; sessions without an effort score are skipped. A pain score not
/// given stays not given: the coach must not read it as "no pain".
pub(crate) fn outcomes(logged: &[PlanOutcome]) -> Vec<SessionOutcome> {
    logged
        .iter()
        .filter_map(|o| {
            Some(SessionOutcome {
                planned_backward_seconds: o.planned_backward_seconds.unwrap_or(o.backward_seconds),
                done_backward_seconds: o.backward_seconds,
                rpe: o.rpe?,
                pain_before: o.pain_before,
                pain_after: o.pain_after,
                near_falls: o.near_falls,
                felt_safe: o.felt_safe,
            })
        })
        .collect()
}

/// One week of the summary.
#[derive(Debug, Serialize, ToSchema, PartialEq)]
pub(crate) struct WeekSummary {
    /// 1-based week of the plan (or of the shown period).
    pub(crate) week: u32,
    /// First day.
    #[schema(value_type = String)]
    pub(crate) start: Date,
    /// Last day.
    #[schema(value_type = String)]
    pub(crate) end: Date,
    /// Backward seconds the plan asks for (null without a plan).
    pub(crate) planned_backward_seconds: Option<u64>,
    /// Backward seconds logged.
    pub(crate) backward_seconds: u64,
    /// Sessions the plan asks for (null without a plan).
    pub(crate) planned_sessions: Option<u32>,
    /// Sessions logged.
    pub(crate) sessions: u32,
    /// Energy of the sessions with a figure, kcal.
    pub(crate) kcal: f64,
    /// Mean RPE (null with no session).
    pub(crate) mean_rpe: Option<f64>,
    /// Mean pain before (null with no session).
    pub(crate) mean_pain_before: Option<f64>,
    /// Mean pain after.
    pub(crate) mean_pain_after: Option<f64>,
}

/// How closely the plan is followed so far: by what was walked, not by sessions opened (a
/// session whose backward blocks were all skipped logs no backward time).
#[derive(Debug, Serialize, ToSchema, PartialEq)]
pub(crate) struct Adherence {
    /// Planned sessions dated up to today.
    pub(crate) sessions_due: u32,
    /// Sessions logged in the plan's weeks up to today.
    pub(crate) sessions_done: u32,
    /// Backward seconds asked for by the sessions due (and by any logged ahead of their day),
    /// each at the dose the coach set when it was logged.
    pub(crate) backward_seconds_due: u64,
    /// Backward seconds walked in those sessions, each counted up to its planned dose.
    pub(crate) backward_seconds_walked: u64,
    /// walked / due backward seconds, at most 1 (null when nothing is due yet).
    pub(crate) share: Option<f64>,
}

/// Adherence by walked backward time: the n-th session logged against the plan answers the
/// n-th planned one (as the coach matches them); a due session not logged counts as nothing
/// walked; each session counts at most its dose, so a long session does not make up for a
/// missed one.
fn adherence(planned: &[u32], due: usize, logged: &[PlanOutcome], sessions_done: u32) -> Adherence {
    let (backward_seconds_due, backward_seconds_walked) =
        dose_and_walked(planned, 0..due.max(logged.len()), logged);
    Adherence {
        sessions_due: due as u32,
        sessions_done,
        backward_seconds_due,
        backward_seconds_walked,
        share: share(backward_seconds_due, backward_seconds_walked),
    }
}

/// walked / due, at most 1; none when nothing is due.
pub(crate) fn share(due: u64, walked: u64) -> Option<f64> {
    (due > 0).then(|| (walked as f64 / due as f64).min(1.0))
}

/// Backward seconds due and walked over the planned sessions at `sessions` (0-based, in plan
/// order), by the rules of [`adherence`]: the n-th logged session answers the n-th planned one,
/// counted up to its dose; one not logged counts as nothing walked. The caseload's 7- and
/// 28-day windows use it too, so there is one definition of adherence.
pub(crate) fn dose_and_walked(
    planned: &[u32],
    sessions: std::ops::Range<usize>,
    logged: &[PlanOutcome],
) -> (u64, u64) {
    let mut backward_seconds_due = 0u64;
    let mut backward_seconds_walked = 0u64;
    for i in sessions {
        let (dose, walked) = match logged.get(i) {
            Some(o) => {
                let dose = o
                    .planned_backward_seconds
                    .or_else(|| planned.get(i).copied())
                    .unwrap_or(o.backward_seconds);
                (dose, o.backward_seconds.min(dose))
            }
            None => (planned.get(i).copied().unwrap_or(0), 0),
        };
        backward_seconds_due += u64::from(dose);
        backward_seconds_walked += u64::from(walked);
    }
    (backward_seconds_due, backward_seconds_walked)
}

/// The summary.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProgressSummary {
    /// The active plan's id and protocol, or null.
    #[schema(value_type = Option<Object>)]
    pub(crate) plan: Option<serde_json::Value>,
    /// Week by week.
    pub(crate) weeks: Vec<WeekSummary>,
    /// Adherence to the active plan (null without one).
    pub(crate) adherence: Option<Adherence>,
    /// Sum over the weeks shown, kcal.
    pub(crate) kcal_total: f64,
    /// The next session and the decision that shaped it (null without a plan).
    #[schema(value_type = Option<Object>)]
    pub(crate) next: Option<NextSession>,
    /// Why the active plan is not shown, when this version cannot read it (the summary is then
    /// the one without a plan). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) plan_problem: Option<String>,
}

fn mean(sum: u64, count: u32) -> Option<f64> {
    (count > 0).then(|| sum as f64 / f64::from(count))
}

/// Bins daily totals into 7-day weeks starting at `first`.
fn bin_weeks(first: Date, weeks: u32, days: &[DailyTotals]) -> Vec<WeekSummary> {
    let mut out: Vec<WeekSummary> = (0..weeks)
        .map(|w| {
            let start = first.saturating_add((i64::from(w) * 7).days());
            WeekSummary {
                week: w + 1,
                start,
                end: start.saturating_add(6.days()),
                planned_backward_seconds: None,
                backward_seconds: 0,
                planned_sessions: None,
                sessions: 0,
                kcal: 0.0,
                mean_rpe: None,
                mean_pain_before: None,
                mean_pain_after: None,
            }
        })
        .collect();
    let mut sums = vec![(0u64, 0u32, 0u64, 0u64, 0u32); out.len()];
    for day in days {
        let Ok(span) = first.until(day.date) else {
            continue;
        };
        let index = span.get_days().div_euclid(7);
        let Some(week) = usize::try_from(index).ok().and_then(|i| out.get_mut(i)) else {
            continue;
        };
        week.backward_seconds += day.backward_seconds;
        week.sessions += day.sessions;
        week.kcal += day.kcal;
        let s = &mut sums[week.week as usize - 1];
        s.0 += day.rpe_sum;
        s.1 += day.rpe_count;
        s.2 += day.pain_before_sum;
        s.3 += day.pain_after_sum;
        s.4 += day.pain_count;
    }
    for (week, s) in out.iter_mut().zip(sums) {
        week.mean_rpe = mean(s.0, s.1);
        week.mean_pain_before = mean(s.2, s.4);
        week.mean_pain_after = mean(s.3, s.4);
    }
    out
}

/// Walkers whose summary is held at most; past this the cache starts over (one is a few kB).
const SUMMARY_CACHE_WALKERS: usize = 4096;

/// Progress summaries this process computed, as the JSON it answered, by walker, each with the
/// walker's summary version and the UTC day it was computed at. One is served again only while
/// both match: the version is read in the request's own first query (with the caller's token),
/// and every write that can change a summary bumps it in the write's own transaction (triggers,
/// store migration 0013). So a write acknowledged before a request began, by this process or
/// another sharing the database, always shows; and the day matters because what is due does.
#[derive(Default)]
pub(crate) struct SummaryCache(std::sync::Mutex<std::collections::HashMap<store::Id, HeldSummary>>);

/// One walker's summary as answered.
struct HeldSummary {
    version: i64,
    day: Date,
    json: Bytes,
}

impl SummaryCache {
    fn get(&self, walker: store::Id, version: i64, day: Date) -> Option<Bytes> {
        let map = self.0.lock().ok()?;
        let held = map.get(&walker)?;
        (held.version == version && held.day == day).then(|| held.json.clone())
    }

    fn put(&self, walker: store::Id, version: i64, day: Date, json: Bytes) {
        if let Ok(mut map) = self.0.lock() {
            // A request that read an older version may finish after one that read a newer:
            // keep the newer.
            if map
                .get(&walker)
                .is_some_and(|held| held.day == day && held.version > version)
            {
                return;
            }
            if map.len() >= SUMMARY_CACHE_WALKERS {
                map.clear();
            }
            map.insert(walker, HeldSummary { version, day, json });
        }
    }
}

/// The caller's progress.
#[utoipa::path(get, path = "/api/v1/progress", responses((status = 200, body = ProgressSummary), (status = 401, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn progress(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let today = today();
    // A browser session's query does not read the version: one more query then.
    let version = match caller.summary_version {
        Some(version) => Some(version),
        None => state.store.summary_version(caller.id()).await?,
    };
    if let Some(json) = version.and_then(|v| state.summaries.get(caller.id(), v, today)) {
        return Ok(json_answer(json));
    }
    let summary = summary(&state, &caller, today).await?;
    let json = Bytes::from(serde_json::to_vec(&summary).map_err(ApiError::internal)?);
    if let Some(version) = version {
        state
            .summaries
            .put(caller.id(), version, today, json.clone());
    }
    Ok(json_answer(json))
}

/// JSON already serialized, answered as `Json` answers.
fn json_answer(json: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response()
}

/// The caller's progress as of now, computed from the store (the progress page draws it).
pub(crate) async fn summary_now(
    state: &AppState,
    caller: &Caller,
) -> Result<ProgressSummary, ApiError> {
    summary(state, caller, today()).await
}

/// Today in UTC, the day the summary counts what is due up to.
fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// The caller's progress computed from the store, as of `today`.
async fn summary(
    state: &AppState,
    caller: &Caller,
    today: Date,
) -> Result<ProgressSummary, ApiError> {
    let (active, plan_problem) = match active_plan(state, caller.id()).await? {
        Some((stored, Ok(plan))) => (Some((stored, plan)), None),
        Some((_, Err(why))) => (None, Some(why)),
        None => (None, None),
    };
    let Some((stored, plan)) = active else {
        // No plan: the last twelve weeks, Monday to Sunday.
        let this_monday =
            today.saturating_sub(i64::from(today.weekday().to_monday_zero_offset()).days());
        let first = this_monday.saturating_sub(((WEEKS_WITHOUT_PLAN - 1) * 7).days());
        let days = state.store.daily_totals(caller.id(), first, today).await?;
        let weeks = bin_weeks(first, WEEKS_WITHOUT_PLAN as u32, &days);
        return Ok(ProgressSummary {
            plan: None,
            kcal_total: weeks.iter().map(|w| w.kcal).sum(),
            weeks,
            adherence: None,
            next: None,
            plan_problem,
        });
    };
    let weeks_n = u32::from(stored.fields.weeks.get());
    let last_day = stored
        .fields
        .start
        .saturating_add((i64::from(weeks_n) * 7 - 1).days());
    let days = state
        .store
        .daily_totals(caller.id(), stored.fields.start, last_day)
        .await?;
    let mut weeks = bin_weeks(stored.fields.start, weeks_n, &days);
    for s in &plan.sessions {
        if let Some(w) = weeks.get_mut(usize::from(s.week).saturating_sub(1)) {
            *w.planned_backward_seconds.get_or_insert(0) += u64::from(s.backward_seconds);
            *w.planned_sessions.get_or_insert(0) += 1;
        }
    }
    let due = plan.sessions.iter().filter(|s| s.date <= today).count() as u32;
    let done: u32 = days
        .iter()
        .filter(|d| d.date <= today)
        .map(|d| d.sessions)
        .sum();
    let logged_against_plan = state.store.plan_outcomes(caller.id(), stored.id).await?;
    let planned: Vec<u32> = plan.sessions.iter().map(|s| s.backward_seconds).collect();
    let adherence = adherence(&planned, due as usize, &logged_against_plan, done);
    let logged = outcomes(&logged_against_plan);
    let next = crate::api::gates::next_session(state, caller.id(), &plan, &logged).await?;
    Ok(ProgressSummary {
        plan: Some(serde_json::json!({
            "id": stored.id,
            "protocol": stored.details.get("protocol"),
            "start": stored.fields.start,
            "weeks": weeks_n,
        })),
        kcal_total: weeks.iter().map(|w| w.kcal).sum(),
        weeks,
        adherence: Some(adherence),
        next: Some(next),
        plan_problem: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(date: &str, backward: u64, rpe: u64) -> DailyTotals {
        DailyTotals {
            date: date.parse().unwrap(),
            sessions: 1,
            backward_seconds: backward,
            total_seconds: backward + 600,
            kcal: 50.0,
            rpe_count: 1,
            rpe_sum: rpe,
            pain_count: 1,
            pain_before_sum: 3,
            pain_after_sum: 2,
        }
    }

    #[test]
    fn days_fall_into_their_weeks_and_outside_days_are_dropped() {
        let first: Date = "2026-11-02".parse().unwrap();
        let days = [
            day("2026-11-02", 300, 12),
            day("2026-11-08", 300, 14),
            day("2026-11-09", 600, 10),
            day("2026-10-30", 999, 6),
            day("2026-11-30", 999, 6),
        ];
        let weeks = bin_weeks(first, 2, &days);
        assert_eq!(weeks[0].backward_seconds, 600);
        assert_eq!(weeks[0].sessions, 2);
        assert_eq!(weeks[0].mean_rpe, Some(13.0));
        assert_eq!(weeks[1].backward_seconds, 600);
        assert_eq!(weeks[1].end.to_string(), "2026-11-15");
        assert_eq!(weeks[1].mean_pain_after, Some(2.0));
    }

    fn logged(planned: u32, walked: u32) -> PlanOutcome {
        PlanOutcome {
            planned_backward_seconds: Some(planned),
            backward_seconds: walked,
            rpe: None,
            pain_before: None,
            pain_after: None,
            near_falls: 0,
            felt_safe: true,
        }
    }

    #[test]
    fn adherence_counts_what_was_walked_not_sessions_opened() {
        // One session due, logged with every backward block skipped: 0%, not 100%.
        let a = adherence(&[300, 330], 1, &[logged(300, 0)], 1);
        assert_eq!(
            (a.backward_seconds_walked, a.backward_seconds_due),
            (0, 300)
        );
        assert_eq!(a.share, Some(0.0));
        // Half walked, and a due session not logged.
        let a = adherence(&[300, 300], 2, &[logged(300, 150)], 1);
        assert_eq!(a.share, Some(0.25));
        // A longer session does not make up for a missed one; a session logged ahead counts.
        let a = adherence(
            &[300, 300, 300],
            1,
            &[logged(300, 900), logged(300, 300)],
            2,
        );
        assert_eq!(a.share, Some(1.0));
        assert_eq!(a.backward_seconds_due, 600);
        // Nothing due yet.
        assert_eq!(adherence(&[300], 0, &[], 0).share, None);
    }

    #[test]
    fn empty_weeks_have_no_means() {
        let weeks = bin_weeks("2026-11-02".parse().unwrap(), 1, &[]);
        assert_eq!(weeks[0].mean_rpe, None);
        assert_eq!(weeks[0].sessions, 0);
    }
}

//! Outcome trends and the printable plan handout (issue 15), for the walker (`/progress/trends`,
//! `/plan/handout`) and for a clinician under a grant (`/walkers/{id}/trends`,
//! `/walkers/{id}/handout`), whose reads go through `api::clinician::granted` and are logged
//! before the page is rendered.

use super::{Chrome, PageError, Viewer, charts, render};
use crate::AppState;
use crate::api::clinician::{granted, record};
use crate::api::progress::active_plan;
use crate::api::trends::{self, Trends};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use coach::assessment::FallRisk;
use coach::energy::Direction;
use coach::plan::{Plan, Setting};
use store::{AccessAction, SharedData};

/// A chart with the table that says the same in numbers.
struct ChartCard {
    id: &'static str,
    title: &'static str,
    chart: String,
    head: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "trends.html")]
struct TrendsPage {
    chrome: Chrome,
    /// The walker's email when a clinician reads it; none on the walker's own page.
    walker: Option<(store::Id, String)>,
    cards: Vec<ChartCard>,
}

fn day(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%d").to_string()
}

fn band(risk: FallRisk) -> &'static str {
    match risk {
        FallRisk::Low => "low risk",
        FallRisk::Intermediate => "intermediate risk",
        FallRisk::High => "high risk",
        FallRisk::NotClassified => "not classified",
    }
}

fn score(v: Option<u8>) -> String {
    v.map_or("not given".into(), |v| v.to_string())
}

fn cards(t: &Trends) -> Vec<ChartCard> {
    let short = |at: jiff::Timestamp| at.strftime("%-d %b %y").to_string();
    let three_mbwt = if t.three_mbwt.is_empty() {
        charts::nothing_yet("No 3-metre backward walk test yet.")
    } else {
        let last = t.three_mbwt.last();
        let mut references = Vec::new();
        if let Some(p) = last {
            let source = p.source.clone().unwrap_or_default();
            if let Some(high) = p.high_risk_at_least_s {
                references.push((high, format!("high risk ≥ {high} s ({source})")));
            }
            if let Some(low) = p.low_risk_at_most_s {
                references.push((low, format!("low risk ≤ {low} s")));
            }
        }
        let max = t
            .three_mbwt
            .iter()
            .map(|p| p.seconds)
            .chain(references.iter().map(|r| r.0))
            .fold(0.0_f64, f64::max);
        charts::lines(
            "3-metre backward walk test (seconds; lower is better)",
            (0.0, max),
            5,
            &t.three_mbwt
                .iter()
                .map(|p| short(p.taken_at))
                .collect::<Vec<_>>(),
            &[(
                "seconds",
                t.three_mbwt.iter().map(|p| Some(p.seconds)).collect(),
            )],
            &references,
        )
    };
    let three_mbwt = ChartCard {
        id: "three-mbwt",
        title: "3-metre backward walk test",
        chart: three_mbwt,
        head: vec!["Date", "Seconds", "Band", "Cut-off"],
        rows: t
            .three_mbwt
            .iter()
            .rev()
            .map(|p| {
                vec![
                    day(p.taken_at),
                    format!("{:.1}", p.seconds),
                    band(p.risk).into(),
                    p.high_risk_at_least_s.map_or("none published".into(), |h| {
                        format!("high risk at {h} s or more")
                    }),
                ]
            })
            .collect(),
    };
    let stance = ChartCard {
        id: "stance",
        title: "Single-leg stance",
        chart: if t.single_leg_stance.is_empty() {
            charts::nothing_yet("No single-leg stance test yet.")
        } else {
            charts::lines(
                "Single-leg stance (seconds; higher is better)",
                (
                    0.0,
                    t.single_leg_stance
                        .iter()
                        .map(|p| p.seconds)
                        .fold(0.0, f64::max),
                ),
                5,
                &t.single_leg_stance
                    .iter()
                    .map(|p| short(p.taken_at))
                    .collect::<Vec<_>>(),
                &[(
                    "seconds",
                    t.single_leg_stance
                        .iter()
                        .map(|p| Some(p.seconds))
                        .collect(),
                )],
                &[],
            )
        },
        head: vec!["Date", "Seconds"],
        rows: t
            .single_leg_stance
            .iter()
            .rev()
            .map(|p| vec![day(p.taken_at), format!("{:.1}", p.seconds)])
            .collect(),
    };
    let pain = ChartCard {
        id: "pain",
        title: "Pain before and after each session",
        chart: if t.pain.is_empty() {
            charts::nothing_yet("No pain scores yet.")
        } else {
            let f = |v: Option<u8>| v.map(f64::from);
            charts::lines(
                "Pain before and after each session (0-10)",
                (0.0, 10.0),
                5,
                &t.pain
                    .iter()
                    .map(|p| p.date.strftime("%-d %b").to_string())
                    .collect::<Vec<_>>(),
                &[
                    ("before", t.pain.iter().map(|p| f(p.pain_before)).collect()),
                    ("after", t.pain.iter().map(|p| f(p.pain_after)).collect()),
                ],
                &[],
            )
        },
        head: vec!["Date", "Pain before", "Pain after"],
        rows: t
            .pain
            .iter()
            .rev()
            .map(|p| {
                vec![
                    p.date.to_string(),
                    score(p.pain_before),
                    score(p.pain_after),
                ]
            })
            .collect(),
    };
    let gait = ChartCard {
        id: "gait",
        title: "Backward cadence and steps (motion recordings)",
        chart: if t.gait.iter().all(|g| g.backward_cadence_spm.is_none()) {
            charts::nothing_yet(
                "No motion recorded in backward blocks yet: record a session with the phone worn to see cadence and steps.",
            )
        } else {
            charts::lines(
                "Backward cadence (steps per minute)",
                (
                    0.0,
                    t.gait
                        .iter()
                        .filter_map(|g| g.backward_cadence_spm)
                        .fold(0.0, f64::max),
                ),
                5,
                &t.gait
                    .iter()
                    .map(|g| g.date.strftime("%-d %b").to_string())
                    .collect::<Vec<_>>(),
                &[(
                    "steps per minute",
                    t.gait.iter().map(|g| g.backward_cadence_spm).collect(),
                )],
                &[],
            )
        },
        head: vec!["Date", "Backward steps", "Cadence (steps/min)"],
        rows: t
            .gait
            .iter()
            .rev()
            .map(|g| {
                vec![
                    g.date.to_string(),
                    g.backward_steps.to_string(),
                    g.backward_cadence_spm
                        .map_or("–".into(), |c| format!("{c:.0}")),
                ]
            })
            .collect(),
    };
    vec![three_mbwt, stance, pain, gait]
}

fn trends_page(
    viewer: &Viewer,
    walker: Option<(store::Id, String)>,
    t: &Trends,
) -> Result<Response, PageError> {
    render(&TrendsPage {
        chrome: viewer.chrome(if walker.is_some() {
            "walkers"
        } else {
            "progress"
        }),
        walker,
        cards: cards(t),
    })
}

/// The walker's own outcome trends.
pub(crate) async fn own_trends(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let t = trends::trends_of(&state, viewer.caller.id(), true, true).await?;
    trends_page(&viewer, None, &t)
}

/// A walker's outcome trends, for a clinician under a grant (logged).
pub(crate) async fn walker_trends(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let walker = crate::api::parse_id(&id, "walker")?;
    let (grant, t) = trends::read_walker_trends(
        &state,
        &viewer.caller,
        walker,
        "GET /walkers/{id}/trends".into(),
    )
    .await?;
    trends_page(&viewer, Some((walker, grant.walker_email)), &t)
}

/// One planned session on the handout.
struct HandoutSession {
    number: u32,
    date: String,
    backward: String,
    total: String,
    blocks: Vec<String>,
}

struct HandoutWeek {
    week: u16,
    sessions: Vec<HandoutSession>,
}

#[derive(Template)]
#[template(path = "handout.html")]
struct HandoutPage {
    chrome: Chrome,
    walker: Option<(store::Id, String)>,
    protocol: &'static coach::protocol::Protocol,
    setting: &'static str,
    start: String,
    weeks: Vec<HandoutWeek>,
    safety: Vec<&'static str>,
    rules: Vec<&'static str>,
    /// The clinicians' notes on this plan, newest first ("who, on what day: the note").
    notes: Vec<String>,
}

fn setting_in_words(setting: Setting) -> &'static str {
    match setting {
        Setting::Ground => "on clear, flat, open ground",
        Setting::Hallway => "in a hallway beside a wall or rail",
        Setting::Treadmill => "on a treadmill",
    }
}

/// The clinicians' notes on one of the walker's plans, newest first, as the handout prints them.
async fn plan_notes(
    state: &AppState,
    walker: store::Id,
    plan: store::Id,
) -> Result<Vec<String>, PageError> {
    Ok(state
        .store
        .notes(walker)
        .await?
        .into_iter()
        .filter(|n| n.target == store::NoteTarget::Plan(plan))
        .map(|n| {
            format!(
                "{}, {}: {}",
                n.clinician_email,
                n.updated_at.strftime("%Y-%m-%d"),
                n.body
            )
        })
        .collect())
}

fn handout(
    viewer: &Viewer,
    walker: Option<(store::Id, String)>,
    plan: &Plan,
    notes: Vec<String>,
) -> HandoutPage {
    let mut weeks: Vec<HandoutWeek> = Vec::new();
    for s in &plan.sessions {
        let session = HandoutSession {
            number: s.number,
            date: super::calendar::when(s.date, plan.schedule.time, "%a %-d %b %Y"),
            backward: super::minutes(s.backward_seconds),
            total: super::minutes(s.total_seconds),
            blocks: s
                .blocks
                .iter()
                .map(|b| {
                    let way = match b.direction {
                        Direction::Forward => "forward",
                        Direction::Backward => "backward",
                    };
                    format!("{} {way}", super::minutes(b.seconds))
                })
                .collect(),
        };
        match weeks.last_mut() {
            Some(w) if w.week == u16::from(s.week) => w.sessions.push(session),
            _ => weeks.push(HandoutWeek {
                week: u16::from(s.week),
                sessions: vec![session],
            }),
        }
    }
    // Each piece of advice once, and only what applies in the plan's setting.
    let mut safety: Vec<&'static str> = Vec::new();
    for advice in plan
        .precautions
        .iter()
        .filter_map(|p| p.advice_in(plan.setting))
    {
        if !safety.contains(&advice) {
            safety.push(advice);
        }
    }
    let mut rules: Vec<&'static str> = coach::plan::RULES.to_vec();
    if plan.setting == Setting::Treadmill {
        rules.extend(coach::plan::TREADMILL_RULES);
    }
    HandoutPage {
        chrome: viewer.chrome(if walker.is_some() { "walkers" } else { "plan" }),
        walker,
        protocol: plan.protocol,
        setting: setting_in_words(plan.setting),
        start: plan.start.to_string(),
        weeks,
        safety,
        rules,
        notes,
    }
}

/// The walker's printable handout of the active plan.
pub(crate) async fn own_handout(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    match active_plan(&state, viewer.caller.id()).await? {
        Some((summary, Ok(plan))) => {
            let notes = plan_notes(&state, viewer.caller.id(), summary.id).await?;
            render(&handout(&viewer, None, &plan, notes))
        }
        Some((_, Err(why))) => Err(PageError::Other(axum::http::StatusCode::CONFLICT, why)),
        None => Err(PageError::NotFound("plan")),
    }
}

/// A walker's printable handout, for a clinician under a grant (logged).
pub(crate) async fn walker_handout(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let walker = crate::api::parse_id(&id, "walker")?;
    let grant = granted(&state, &viewer.caller, walker, SharedData::Plans).await?;
    let (summary, plan) = match active_plan(&state, walker).await? {
        Some((summary, Ok(plan))) => (summary, plan),
        Some((_, Err(why))) => {
            return Err(PageError::Other(axum::http::StatusCode::CONFLICT, why));
        }
        None => return Err(PageError::NotFound("plan")),
    };
    let notes = plan_notes(&state, walker, summary.id).await?;
    record(
        &state,
        &viewer.caller,
        &grant,
        AccessAction::Read,
        "plan handout",
        "GET /walkers/{id}/handout".into(),
    )
    .await?;
    render(&handout(
        &viewer,
        Some((walker, grant.walker_email)),
        &plan,
        notes,
    ))
}

//! Training pages: today (the next session, its precautions and the progression decision),
//! the guided session timer, logging by hand, history (edit, delete) and progress with charts.

use super::onboarding::SessionRow;
use super::{
    Chrome, FormErrors, PageError, Viewer, charts, minutes, parse_number, render, render_status,
    see_other, speed_text,
};
use crate::AppState;
use crate::api::progress::{self as progress_api, active_plan, outcomes};
use crate::api::sessions::{self, BlockBody, SessionBody};
use crate::problem::{ApiError, ApiJson};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use coach::energy::Direction;
use coach::measure::{PainScore, Speed};
use coach::plan::{BlockKind, Setting, Units};
use coach::progression::Decision;
use coach::screening::Clearance;
use serde::{Deserialize, Serialize};
use store::{Cursor, LoggedSession, SessionQuery};

/// A block as the pages and the timer show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BlockView {
    /// "forward" or "backward".
    direction: &'static str,
    /// Warm-up, backward, recovery...
    label: &'static str,
    seconds: u32,
    /// For people: "5 min".
    length: String,
    /// For people, when set: "2.4 km/h".
    speed: Option<String>,
    speed_mps: Option<f64>,
    grade_percent: Option<f64>,
}

fn kind_label(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::WarmUp => "Warm-up",
        BlockKind::Backward => "Backward",
        BlockKind::Recovery => "Recovery",
        BlockKind::Forward => "Forward",
        BlockKind::CoolDown => "Cool-down",
    }
}

fn direction_word(direction: Direction) -> &'static str {
    match direction {
        Direction::Forward => "forward",
        Direction::Backward => "backward",
    }
}

fn block_view(block: &coach::plan::Block, units: Units) -> BlockView {
    BlockView {
        direction: direction_word(block.direction),
        label: kind_label(block.kind),
        seconds: block.seconds,
        length: minutes(block.seconds),
        speed: block.speed.map(|s| speed_text(s, units)),
        speed_mps: block.speed.map(Speed::mps),
        grade_percent: block.grade.map(coach::measure::Grade::percent),
    }
}

#[derive(Template)]
#[template(path = "today.html")]
struct Today {
    chrome: Chrome,
    protocol: &'static coach::protocol::Protocol,
    session: Option<SessionRow>,
    blocks: Vec<BlockView>,
    decision: &'static str,
    decision_class: &'static str,
    reasons: Vec<String>,
    precautions: Vec<&'static str>,
    done: u32,
    due: u32,
    is_today: bool,
    prescribed: super::prescribe::Prescribed,
    progression: super::gates::ProgressionNote,
}

fn decision_words(decision: Decision, first_session: bool) -> (&'static str, &'static str) {
    if first_session {
        // Nothing to advance from yet: the plan begins where it was built to begin.
        return ("Start: your first session, as planned", "advance");
    }
    match decision {
        Decision::Advance => ("Advance: the plan moves on", "advance"),
        Decision::Hold => ("Hold: repeat the same backward time", "hold"),
        Decision::StepDown => ("Step down: less backward time next", "step-down"),
    }
}

/// Sends people without a plan to the step of onboarding they are at.
async fn onboarding_step(state: &AppState, viewer: &Viewer) -> Result<Response, PageError> {
    match state.store.latest_screening(viewer.caller.id()).await? {
        None => Ok(see_other("/start/screening")),
        Some(s) if s.screening.clearance == Clearance::SeeClinicianFirst => {
            Ok(see_other("/start/clearance"))
        }
        Some(_) => Ok(see_other("/start/plan")),
    }
}

/// The active plan, what has been logged against it, the coach's next session, and every
/// precaution that applies to it (the plan's and those the last session added).
struct Upcoming {
    stored: store::PlanSummary,
    plan: coach::plan::Plan,
    logged: usize,
    next: coach::progression::NextSession,
    precautions: Vec<&'static str>,
}

/// A plan this version cannot read is answered with a page that says so (409), not a failure.
async fn upcoming(state: &AppState, viewer: &Viewer) -> Result<Option<Upcoming>, PageError> {
    let (stored, plan) = match active_plan(state, viewer.caller.id()).await? {
        None => return Ok(None),
        Some((_, Err(why))) => return Err(PageError::Other(StatusCode::CONFLICT, why)),
        Some((stored, Ok(plan))) => (stored, plan),
    };
    let logged = outcomes(
        &state
            .store
            .plan_outcomes(viewer.caller.id(), stored.id)
            .await?,
    );
    let next = crate::api::gates::next_session(state, viewer.caller.id(), &plan, &logged).await?;
    // Each said once, and only what applies in the plan's setting.
    let mut precautions: Vec<&'static str> = Vec::new();
    for p in plan
        .precautions
        .iter()
        .chain(&next.progression.added_precautions)
    {
        if let Some(advice) = p.advice_in(plan.setting)
            && !precautions.contains(&advice)
        {
            precautions.push(advice);
        }
    }
    Ok(Some(Upcoming {
        stored,
        plan,
        logged: logged.len(),
        next,
        precautions,
    }))
}

/// Today: the next session, its blocks and precautions, and why it looks as it does.
pub(crate) async fn today(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let Some(Upcoming {
        stored,
        plan,
        logged,
        next,
        precautions,
    }) = upcoming(&state, &viewer).await?
    else {
        return onboarding_step(&state, &viewer).await;
    };
    let prescribed = super::prescribe::prescribed(&state, viewer.caller.id(), stored.id).await?;
    let units = viewer.units();
    let (decision, decision_class) = decision_words(next.progression.decision, logged == 0);
    let today = jiff::Zoned::now().date();
    let due = plan.sessions.iter().filter(|s| s.date <= today).count() as u32;
    render(&Today {
        chrome: viewer.chrome("today"),
        protocol: plan.protocol,
        is_today: next.session.as_ref().is_some_and(|s| s.date <= today),
        blocks: next
            .session
            .as_ref()
            .map(|s| s.blocks.iter().map(|b| block_view(b, units)).collect())
            .unwrap_or_default(),
        session: next.session.as_ref().map(|s| SessionRow {
            number: s.number,
            date: s.date.strftime("%A %-d %B").to_string(),
            backward: minutes(s.backward_seconds),
            total: minutes(s.total_seconds),
        }),
        decision,
        decision_class,
        reasons: super::gates::reasons_with_rules(&next.progression),
        precautions,
        done: logged as u32,
        due,
        prescribed,
        progression: super::gates::progression_note(&state, viewer.caller.id()).await?,
    })
}

/// What the timer script needs, embedded in the page as JSON.
#[derive(Debug, Serialize)]
struct TimerPlan {
    /// Identifies this session in the browser's storage, so a reload resumes it.
    key: String,
    setting: &'static str,
    number: u32,
    blocks: Vec<BlockView>,
}

#[derive(Template)]
#[template(path = "timer.html")]
struct TimerPage {
    chrome: Chrome,
    plan_json: String,
    number: u32,
    total: String,
    precautions: Vec<&'static str>,
    first: Option<BlockView>,
}

/// The guided session timer for the next session.
pub(crate) async fn timer(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let Some(Upcoming {
        stored,
        plan,
        next,
        precautions,
        ..
    }) = upcoming(&state, &viewer).await?
    else {
        return onboarding_step(&state, &viewer).await;
    };
    let Some(session) = next.session else {
        return Ok(see_other("/today"));
    };
    let units = viewer.units();
    let blocks: Vec<BlockView> = session
        .blocks
        .iter()
        .map(|b| block_view(b, units))
        .collect();
    let timer_plan = TimerPlan {
        key: format!("{}-{}-{}", viewer.caller.id(), stored.id, session.number),
        setting: plan.setting.as_str(),
        number: session.number,
        blocks: blocks.clone(),
    };
    // `</` cannot appear in the JSON (it is escaped), so the script element cannot be closed
    // early by a note or label.
    let plan_json = serde_json::to_string(&timer_plan)
        .map_err(ApiError::internal)?
        .replace("</", "<\\/");
    render(&TimerPage {
        chrome: viewer.chrome("today"),
        plan_json,
        number: session.number,
        total: minutes(session.total_seconds),
        precautions,
        first: blocks.first().cloned(),
    })
}

/// The hand-logging form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct LogForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    /// Minutes east of UTC, filled in by the page's script (UTC without it).
    #[serde(default)]
    utc_offset_minutes: String,
    #[serde(default)]
    setting: String,
    #[serde(default)]
    backward_minutes: String,
    #[serde(default)]
    forward_minutes: String,
    #[serde(default)]
    backward_speed: String,
    /// The unit `backward_speed` was shown in (see `super::shown_units`).
    #[serde(default)]
    backward_speed_unit: String,
    #[serde(default)]
    rpe: String,
    #[serde(default)]
    pain_before: String,
    #[serde(default)]
    pain_after: String,
    #[serde(default)]
    near_falls: String,
    #[serde(default)]
    falls: String,
    #[serde(default)]
    felt_safe: String,
    #[serde(default)]
    notes: String,
    /// A random key made when the form is shown, so that sending it twice logs it once.
    #[serde(default)]
    client_key: String,
}

#[derive(Template)]
#[template(path = "log_form.html")]
struct LogPage {
    chrome: Chrome,
    form: LogForm,
    errors: FormErrors,
    /// None for a new session, the id when editing.
    editing: Option<store::Id>,
    speed_unit: &'static str,
    rpe_choices: Vec<(u8, &'static str)>,
    /// Motion recorded during the session, when there is some.
    motion: Option<MotionView>,
}

/// A motion recording's analysis, block by block, with the person's answers.
pub(crate) struct MotionView {
    session: store::Id,
    calibrated: bool,
    total_steps: u64,
    /// Where the phone was, in words.
    placement: Option<&'static str>,
    /// What the direction rests on, or why it was not read.
    note: String,
    rows: Vec<MotionRow>,
    export: String,
}

struct MotionRow {
    /// The block's place in the recording, from 0 (the answer form's path).
    index: usize,
    number: usize,
    span: String,
    labelled: &'static str,
    steps: u32,
    cadence: String,
    /// What the motion says, in words.
    detected: String,
    /// The motion gave a direction other than the plan's.
    differs: bool,
    /// The person's answer, when they gave one.
    said: Option<&'static str>,
}

/// Where the phone was, as the timer asks it.
fn placement_words(name: &str) -> Option<&'static str> {
    Some(match name {
        "pocket" => "in a trouser pocket",
        "lower-back" => "on a belt at the lower back",
        "foot" => "strapped to the shoe",
        "ankle" => "strapped above the ankle",
        "hand" => "in the hand",
        "armband" => "on the upper arm",
        "wrist" => "on the wrist",
        "bag" => "in a bag",
        _ => return None,
    })
}

fn motion_view(session: store::Id, a: &crate::api::motion::MotionAnalysis) -> MotionView {
    let word = direction_word;
    MotionView {
        session,
        calibrated: a.calibrated,
        total_steps: a.total_steps,
        placement: a.placement.as_deref().and_then(placement_words),
        note: a.direction_note.clone(),
        export: format!("/api/v1/sessions/{session}/motion/export"),
        rows: a
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let known = match b.detected {
                    Some(gait::Direction::Forward) => Some(Direction::Forward),
                    Some(gait::Direction::Backward) => Some(Direction::Backward),
                    Some(gait::Direction::Unknown) | None => None,
                };
                // Words from the analysis (older analyses have none: the same words from gait).
                let words = b.words.clone().or_else(|| {
                    b.detected
                        .zip(b.confidence)
                        .map(|(d, c)| gait::direction_in_words(d, c).to_string())
                });
                // How sure, only for a direction read from the motion (older analyses say no
                // basis: a direction they give was read from the motion).
                let basis = match b.basis.as_deref() {
                    Some("given") => gait::Basis::Given,
                    Some("motion") => gait::Basis::Motion,
                    None if known.is_some() => gait::Basis::Motion,
                    _ => gait::Basis::Nothing,
                };
                let sure = b
                    .detected
                    .zip(b.confidence)
                    .and_then(|(d, c)| super::how_sure(basis, d, c));
                MotionRow {
                    index: i,
                    number: i + 1,
                    span: format!(
                        "{} – {}",
                        minutes(b.start_s as u32),
                        minutes(b.end_s as u32)
                    ),
                    labelled: word(b.labelled),
                    steps: b.steps,
                    cadence: b
                        .cadence_spm
                        .map_or_else(|| "—".into(), |c| format!("{c:.0}")),
                    detected: match (words, sure) {
                        (Some(w), Some(sure)) => format!("{w} ({sure})"),
                        (Some(w), None) => w,
                        (None, _) => "no walking found".into(),
                    },
                    differs: known.is_some_and(|d| d != b.labelled),
                    said: b.said.map(word),
                }
            })
            .collect(),
    }
}

impl LogPage {
    fn action(&self) -> String {
        match self.editing {
            Some(id) => format!("/history/{id}"),
            None => "/log".to_string(),
        }
    }
    fn is_setting(&self, s: &str) -> bool {
        self.form.setting == s
    }
}

pub(crate) fn rpe_choices() -> Vec<(u8, &'static str)> {
    (6..=20)
        .filter_map(|v| coach::measure::Rpe::new(v).ok())
        .map(|r| (r.value(), r.anchor()))
        .collect()
}

fn log_page(
    viewer: &Viewer,
    form: LogForm,
    errors: FormErrors,
    editing: Option<store::Id>,
) -> LogPage {
    // A form sent back with its errors shows its speed in the unit it was typed in.
    let units = super::shown_units(&form.backward_speed_unit, viewer.units());
    LogPage {
        chrome: viewer.chrome("history"),
        form,
        errors,
        editing,
        speed_unit: super::speed_unit(units),
        rpe_choices: rpe_choices(),
        motion: None,
    }
}

/// The hand-logging form, with today's date.
pub(crate) async fn log_form(viewer: Viewer) -> Result<Response, PageError> {
    let now = jiff::Zoned::now();
    let form = LogForm {
        date: now.date().to_string(),
        time: now.strftime("%H:%M").to_string(),
        setting: "ground".into(),
        // Effort is the walker's to choose: a pre-selected value would be logged as if said.
        rpe: String::new(),
        // Unanswered pain stays empty: "not given", never a silent 0 ("no pain").
        near_falls: "0".into(),
        falls: "0".into(),
        felt_safe: "on".into(),
        client_key: crate::auth::random_hex()[..32].to_string(),
        ..LogForm::default()
    };
    render(&log_page(&viewer, form, FormErrors::default(), None))
}

/// Whole minutes or decimals ("2.5") into seconds.
fn minutes_field(errors: &mut FormErrors, field: &str, text: &str) -> Option<u32> {
    let value = parse_number(errors, field, text, "minutes, for example 10 or 2.5")?;
    if !(0.0..=1440.0).contains(&value) {
        errors.add(field, "Enter 0 to 1440 minutes.");
        return None;
    }
    Some((value * 60.0).round() as u32)
}

fn small_number(
    errors: &mut FormErrors,
    field: &str,
    text: &str,
    range: (u8, u8),
    what: &str,
) -> u8 {
    match text.trim().parse::<u8>() {
        Ok(v) if (range.0..=range.1).contains(&v) => v,
        _ => {
            errors.add(field, format!("Choose {what}."));
            range.0
        }
    }
}

/// A pain score from 0 to 10, or None when the field is left empty (not given).
fn pain_field(errors: &mut FormErrors, field: &str, text: &str) -> Option<u8> {
    if text.trim().is_empty() {
        return None;
    }
    Some(small_number(
        errors,
        field,
        text,
        (0, 10),
        "pain from 0 to 10, or leave it empty if you'd rather not say",
    ))
}

/// Parses the form into the API's session body, keeping the original blocks when the
/// minutes did not change (so that editing a timed session keeps its blocks).
fn parse_log_form(
    form: &LogForm,
    units: Units,
    original: Option<&LoggedSession>,
) -> Result<SessionBody, FormErrors> {
    let mut errors = FormErrors::default();
    let date = form.date.trim().parse::<jiff::civil::Date>().map_err(|_| {
        errors.add(
            "date",
            "Enter the day of the session, for example 2026-11-22.",
        );
    });
    let time = form.time.trim().parse::<jiff::civil::Time>().map_err(|_| {
        errors.add("time", "Enter the time it started, for example 07:30.");
    });
    let offset_minutes: i32 = form
        .utc_offset_minutes
        .trim()
        .parse()
        .ok()
        .filter(|m: &i32| m.abs() <= 18 * 60)
        .unwrap_or(0);
    let setting = form.setting.parse::<Setting>().map_err(|_| {
        errors.add("setting", "Choose where you walked.");
    });
    let backward = minutes_field(&mut errors, "backward_minutes", &form.backward_minutes);
    let forward = minutes_field(&mut errors, "forward_minutes", &form.forward_minutes);
    if backward.unwrap_or(0) == 0 && errors.get("backward_minutes").is_none() {
        errors.add(
            "backward_minutes",
            "Enter how many minutes you walked backward.",
        );
    }
    // Read in the unit the field was shown in; sent back as shown, the stored speed stays.
    let shown = super::shown_units(&form.backward_speed_unit, units);
    let stored_speed = original
        .and_then(|o| {
            o.entry
                .blocks
                .iter()
                .find(|b| b.direction == Direction::Backward)
        })
        .and_then(|b| b.speed)
        .map(f64::from);
    let speed = super::read_speed_field(
        &mut errors,
        "backward_speed",
        &form.backward_speed,
        shown,
        stored_speed,
    );
    let rpe = small_number(
        &mut errors,
        "rpe",
        &form.rpe,
        (6, 20),
        "an effort from 6 to 20",
    );
    let pain_before = pain_field(&mut errors, "pain_before", &form.pain_before);
    let pain_after = pain_field(&mut errors, "pain_after", &form.pain_after);
    let near_falls = if form.near_falls.trim().is_empty() {
        0
    } else {
        small_number(
            &mut errors,
            "near_falls",
            &form.near_falls,
            (0, 50),
            "a number of near-falls from 0 to 50",
        )
    };
    let falls = if form.falls.trim().is_empty() {
        0
    } else {
        small_number(
            &mut errors,
            "falls",
            &form.falls,
            (0, crate::api::sessions::MAX_FALLS),
            "a number of falls from 0 to 20",
        )
    };
    let (Ok(date), Ok(time), Ok(setting)) = (date, time, setting) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let backward = backward.unwrap_or(0);
    let forward = forward.unwrap_or(0);
    let unchanged = original.filter(|o| {
        o.entry.backward_seconds == backward
            && o.entry.total_seconds - o.entry.backward_seconds == forward
    });
    let blocks = match unchanged {
        Some(o) => o
            .entry
            .blocks
            .iter()
            .map(|b| BlockBody {
                direction: b.direction,
                seconds: b.seconds,
                speed_mps: if b.direction == Direction::Backward {
                    speed.map(Speed::mps).or(b.speed.map(f64::from))
                } else {
                    b.speed.map(f64::from)
                },
                grade_percent: b.grade.map(coach::measure::Grade::percent),
            })
            .collect(),
        None => {
            let mut blocks = Vec::new();
            if forward > 0 {
                blocks.push(BlockBody {
                    direction: Direction::Forward,
                    seconds: forward,
                    speed_mps: None,
                    grade_percent: None,
                });
            }
            blocks.push(BlockBody {
                direction: Direction::Backward,
                seconds: backward,
                speed_mps: speed.map(Speed::mps),
                grade_percent: None,
            });
            blocks
        }
    };
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let started_at = format!(
        "{date}T{}{sign}{:02}:{:02}",
        time.strftime("%H:%M:%S"),
        offset_minutes.abs() / 60,
        offset_minutes.abs() % 60
    );
    Ok(SessionBody {
        started_at,
        setting,
        // A new session by hand is a walk; an edited one keeps its sport.
        sport: None,
        blocks,
        rpe,
        pain_before,
        pain_after,
        near_falls,
        falls,
        felt_safe: form.felt_safe == "on" || form.felt_safe == "yes",
        notes: form.notes.trim().to_string(),
        source: original.map_or(store::SessionSource::Manual, |o| o.entry.source),
        client_key: match (original, form.client_key.trim()) {
            (None, key) if !key.is_empty() => Some(key.to_string()),
            _ => None,
        },
    })
}

const SESSION_FIELDS: &[(&str, &str)] = &[
    ("started_at", "date"),
    ("blocks", "backward_minutes"),
    ("rpe", "rpe"),
    ("pain_before", "pain_before"),
    ("pain_after", "pain_after"),
    ("notes", "notes"),
];

/// Logs a session typed in by hand.
pub(crate) async fn log_session(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<LogForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let body = match parse_log_form(&form, viewer.units(), None) {
        Ok(body) => body,
        Err(errors) => {
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &log_page(&viewer, form, errors, None),
            );
        }
    };
    match sessions::add_session(State(state), viewer.caller.clone(), ApiJson(body)).await {
        Ok(_) => Ok(see_other("/history?logged=1")),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &log_page(
                &viewer,
                form,
                FormErrors::from_api(&e, SESSION_FIELDS),
                None,
            ),
        ),
        Err(e) => Err(e.into()),
    }
}

/// A logged session as the history shows it.
struct HistoryRow {
    id: store::Id,
    when: String,
    setting: &'static str,
    /// The sport when it is not walking ("run", "ride", "other sport"): kept, not counted
    /// toward the plan.
    sport: Option<&'static str>,
    backward: String,
    total: String,
    kcal: String,
    /// Why there is no kcal figure, in a few words, when there is none.
    kcal_missing: Option<&'static str>,
    rpe: String,
    pain: String,
    source: &'static str,
    flags: String,
    /// The clinicians' notes on this session.
    clinician_notes: Vec<String>,
}

/// Backward time walked, and against the session's dose when it answered a plan: skipped time is
/// not walked, so a session with its backward blocks skipped shows it.
fn walked_of_planned(walked: u32, planned: Option<u32>) -> String {
    match planned.filter(|p| *p > 0) {
        Some(p) => format!(
            "{} of {} planned ({:.0}%)",
            minutes(walked),
            minutes(p),
            (100.0 * f64::from(walked.min(p)) / f64::from(p)).floor()
        ),
        None => minutes(walked),
    }
}

/// Pain before and after as the history says it: a score not given says so (it is not 0).
fn pain_words(before: Option<PainScore>, after: Option<PainScore>) -> String {
    let word =
        |p: Option<PainScore>| p.map_or_else(|| "not given".to_string(), |p| p.value().to_string());
    match (before, after) {
        (None, None) => "not given".to_string(),
        _ => format!("{} → {}", word(before), word(after)),
    }
}

fn history_row(s: &LoggedSession) -> HistoryRow {
    let e = &s.entry;
    let local = jiff::tz::Offset::from_seconds(e.utc_offset_seconds)
        .map(|o| o.to_datetime(e.started_at))
        .unwrap_or_else(|_| e.started_at.to_zoned(jiff::tz::TimeZone::UTC).datetime());
    let mut flags = Vec::new();
    if e.near_falls > 0 {
        flags.push(format!("{} near-fall(s)", e.near_falls));
    }
    if e.falls > 0 {
        flags.push(format!("{} fall(s)", e.falls));
    }
    if !e.felt_safe {
        flags.push("did not feel safe".to_string());
    }
    let sport = match e.sport {
        coach::energy::Sport::Walking => None,
        coach::energy::Sport::Running => Some("run"),
        coach::energy::Sport::Cycling => Some("ride"),
        coach::energy::Sport::Other => Some("other sport"),
    };
    HistoryRow {
        id: s.id,
        when: local.strftime("%a %-d %b %Y, %H:%M").to_string(),
        setting: match (e.sport, e.setting) {
            (coach::energy::Sport::Walking, setting) => setting.as_str(),
            (_, Setting::Treadmill) => "indoors",
            _ => "outdoors",
        },
        sport,
        backward: walked_of_planned(e.backward_seconds, e.planned_backward_seconds),
        total: minutes(e.total_seconds),
        kcal: e
            .kcal
            .map_or_else(|| "—".to_string(), |k| format!("{k:.0}")),
        kcal_missing: e.kcal.is_none().then(|| {
            if e.sport == coach::energy::Sport::Other {
                "not estimated for this sport"
            } else {
                "no body mass in force on that day"
            }
        }),
        rpe: e
            .rpe
            .map_or_else(|| "—".to_string(), |r| r.value().to_string()),
        pain: pain_words(e.pain_before, e.pain_after),
        source: match e.source {
            store::SessionSource::Manual => "by hand",
            store::SessionSource::Timer => "timer",
            store::SessionSource::File => "file",
            store::SessionSource::Sensor => "sensor",
        },
        flags: flags.join(", "),
        clinician_notes: Vec::new(),
    }
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    chrome: Chrome,
    rows: Vec<HistoryRow>,
    next: Option<String>,
    notice: Option<String>,
    kcal_note: bool,
}

/// Paging through the history.
#[derive(Debug, Deserialize)]
pub(crate) struct HistoryQuery {
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    logged: Option<String>,
    #[serde(default)]
    deleted: Option<String>,
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    imported: Option<u32>,
    #[serde(default)]
    already: Option<u32>,
}

/// Sessions, newest first, 25 a page.
pub(crate) async fn history(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, PageError> {
    let after = query
        .before
        .as_deref()
        .and_then(|c| c.parse::<Cursor>().ok());
    let page = state
        .store
        .sessions(
            viewer.caller.id(),
            &SessionQuery {
                from: None,
                to: None,
                after,
                limit: 25,
            },
        )
        .await?;
    let imported = query.imported.map(|n| match query.already.unwrap_or(0) {
        0 => format!("Imported {n} session(s)."),
        a => format!(
            "Imported {n} session(s); {a} had been imported before and were left as they were."
        ),
    });
    let notice = if let Some(text) = imported {
        Some(text)
    } else if query.logged.is_some() {
        Some("Session logged.".to_string())
    } else if query.deleted.is_some() {
        Some("Session deleted.".to_string())
    } else if query.saved.is_some() {
        Some("Changes saved.".to_string())
    } else {
        None
    };
    let notes = super::prescribe::session_notes(&state, viewer.caller.id()).await?;
    let rows: Vec<HistoryRow> = page
        .items
        .iter()
        .map(|s| {
            let mut row = history_row(s);
            row.clinician_notes = notes
                .iter()
                .filter(|(id, _)| *id == row.id)
                .map(|(_, text)| text.clone())
                .collect();
            row
        })
        .collect();
    render(&HistoryPage {
        chrome: viewer.chrome("history"),
        kcal_note: rows
            .iter()
            .any(|r| r.kcal_missing == Some("no body mass in force on that day")),
        rows,
        next: page.next.map(|c| c.to_string()),
        notice,
    })
}

fn form_of(s: &LoggedSession, units: Units) -> LogForm {
    let e = &s.entry;
    let local = jiff::tz::Offset::from_seconds(e.utc_offset_seconds)
        .map(|o| o.to_datetime(e.started_at))
        .unwrap_or_else(|_| e.started_at.to_zoned(jiff::tz::TimeZone::UTC).datetime());
    let backward_speed = e
        .blocks
        .iter()
        .find(|b| b.direction == Direction::Backward)
        .and_then(|b| b.speed)
        .map(|s| super::speed_field(s.mps(), units))
        .unwrap_or_default();
    let fmt_minutes = |seconds: u32| {
        let m = f64::from(seconds) / 60.0;
        if seconds.is_multiple_of(60) {
            format!("{m:.0}")
        } else {
            format!("{m:.2}")
        }
    };
    LogForm {
        csrf: String::new(),
        date: local.date().to_string(),
        time: local.time().strftime("%H:%M").to_string(),
        utc_offset_minutes: (e.utc_offset_seconds / 60).to_string(),
        setting: e.setting.as_str().to_string(),
        backward_minutes: fmt_minutes(e.backward_seconds),
        forward_minutes: fmt_minutes(e.total_seconds - e.backward_seconds),
        backward_speed,
        backward_speed_unit: super::speed_unit(units).to_string(),
        rpe: e.rpe.map(|r| r.value().to_string()).unwrap_or_default(),
        pain_before: e
            .pain_before
            .map(|p| p.value().to_string())
            .unwrap_or_default(),
        pain_after: e
            .pain_after
            .map(|p| p.value().to_string())
            .unwrap_or_default(),
        near_falls: e.near_falls.to_string(),
        falls: e.falls.to_string(),
        felt_safe: if e.felt_safe {
            "on".into()
        } else {
            String::new()
        },
        notes: e.notes.clone(),
        client_key: String::new(),
    }
}

async fn own_session(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<LoggedSession, PageError> {
    let id: store::Id = id.parse().map_err(|_| PageError::NotFound("session"))?;
    state
        .store
        .session(viewer.caller.id(), id)
        .await?
        .ok_or(PageError::NotFound("session"))
}

/// The edit form of one session.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let session = own_session(&state, &viewer, &id).await?;
    let form = form_of(&session, viewer.units());
    let mut page = log_page(&viewer, form, FormErrors::default(), Some(session.id));
    page.motion = state
        .store
        .motion(viewer.caller.id(), session.id)
        .await?
        .and_then(|m| crate::api::motion::stored_analysis(&m))
        .map(|a| motion_view(session.id, &a));
    render(&page)
}

/// The person's answer for one recorded block ("I walked it backward").
#[derive(Debug, Deserialize)]
pub(crate) struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    direction: String,
}

/// Keeps the person's answer for a block of a session's motion, through the API's handler.
pub(crate) async fn answer_block(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, index)): Path<(String, String)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let session: store::Id = id.parse().map_err(|_| PageError::NotFound("session"))?;
    let _answered = crate::api::motion::put_label(
        State(state),
        viewer.caller.clone(),
        Path((id, index)),
        ApiJson(crate::api::motion::LabelBody {
            direction: form.direction,
        }),
    )
    .await?;
    Ok(see_other(&format!("/history/{session}#motion")))
}

/// Saves an edited session.
pub(crate) async fn edit_session(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<LogForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let session = own_session(&state, &viewer, &id).await?;
    let body = match parse_log_form(&form, viewer.units(), Some(&session)) {
        Ok(body) => body,
        Err(errors) => {
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &log_page(&viewer, form, errors, Some(session.id)),
            );
        }
    };
    match sessions::put_session(State(state), viewer.caller.clone(), Path(id), ApiJson(body)).await
    {
        Ok(_) => Ok(see_other("/history?saved=1")),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &log_page(
                &viewer,
                form,
                FormErrors::from_api(&e, SESSION_FIELDS),
                Some(session.id),
            ),
        ),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a session: htmx removes its row in place, a plain form comes back to the history.
pub(crate) async fn delete_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<super::public::CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    sessions::delete_session(State(state), viewer.caller.clone(), Path(id)).await?;
    if headers.contains_key("hx-request") {
        Ok(Html("").into_response())
    } else {
        Ok(see_other("/history?deleted=1"))
    }
}

#[derive(Template)]
#[template(path = "progress.html")]
struct ProgressPage {
    chrome: Chrome,
    has_plan: bool,
    /// Whether anything was logged in the weeks shown (legends go with the charts).
    logged_any: bool,
    /// Whether any week has pain scores.
    pain_any: bool,
    adherence: Option<String>,
    kcal_total: String,
    backward_chart: String,
    energy_chart: String,
    pain_chart: String,
    rpe_chart: String,
    assessment_chart: Option<String>,
    weeks: Vec<WeekRow>,
    assessments: Vec<AssessmentRow>,
    kcal_note: bool,
    /// Why the active plan is not shown, when this version cannot read it.
    plan_problem: Option<String>,
}

struct WeekRow {
    week: u32,
    start: String,
    planned: String,
    done: String,
    sessions: String,
    kcal: String,
    rpe: String,
    pain: String,
}

struct AssessmentRow {
    date: String,
    kind: &'static str,
    value: String,
    summary: String,
}

fn one_decimal(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}"))
}

/// Progress: charts of the weekly summary and the assessments, each with its table.
pub(crate) async fn progress(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let summary = progress_api::summary_now(&state, &viewer.caller).await?;
    let assessments = state.store.assessments(viewer.caller.id()).await?;
    let labels: Vec<String> = summary
        .weeks
        .iter()
        .map(|w| format!("W{}", w.week))
        .collect();
    // A chart with nothing to draw says so instead of showing empty axes.
    let logged_any = summary.weeks.iter().any(|w| w.sessions > 0);
    let backward = if !logged_any {
        charts::nothing_yet(match summary.plan {
            Some(_) => {
                "Nothing logged in the plan's weeks yet: your backward minutes will show here against the plan after your first session."
            }
            None => {
                "Nothing logged in the last 12 weeks yet: your backward minutes will show here after your first session."
            }
        })
    } else {
        charts::bars(
            "Backward minutes per week",
            "minutes",
            &labels,
            &summary
                .weeks
                .iter()
                .map(|w| w.backward_seconds as f64 / 60.0)
                .collect::<Vec<_>>(),
            summary
                .weeks
                .iter()
                .map(|w| w.planned_backward_seconds.map(|s| s as f64 / 60.0))
                .collect::<Vec<_>>()
                .as_slice(),
        )
    };
    let energy = if summary.weeks.iter().all(|w| w.kcal <= 0.0) {
        charts::nothing_yet(if viewer.caller.user.profile.body_mass.is_none() {
            "No energy estimate yet: add your body mass in Settings, and the energy of each session you log will show here."
        } else {
            "No energy estimate yet: it will show here after your first session."
        })
    } else {
        charts::bars(
            "Energy per week",
            "kcal",
            &labels,
            &summary.weeks.iter().map(|w| w.kcal).collect::<Vec<_>>(),
            &[],
        )
    };
    let pain_any = summary.weeks.iter().any(|w| w.mean_pain_before.is_some());
    let pain = if !pain_any {
        charts::nothing_yet(
            "No pain scores yet: give pain before and after a session, and they will show here.",
        )
    } else {
        charts::lines(
            "Mean pain per week",
            (0.0, 10.0),
            5,
            &labels,
            &[
                (
                    "before",
                    summary.weeks.iter().map(|w| w.mean_pain_before).collect(),
                ),
                (
                    "after",
                    summary.weeks.iter().map(|w| w.mean_pain_after).collect(),
                ),
            ],
            &[],
        )
    };
    let rpe = if summary.weeks.iter().all(|w| w.mean_rpe.is_none()) {
        charts::nothing_yet("No effort scores yet: they will show here after your first session.")
    } else {
        // The Borg scale runs 6 to 20: ticks every 2 keep its ends on the axis.
        charts::lines(
            "Mean effort (Borg RPE) per week",
            (6.0, 20.0),
            7,
            &labels,
            &[("RPE", summary.weeks.iter().map(|w| w.mean_rpe).collect())],
            &[],
        )
    };
    let three_mbwt: Vec<&store::Assessment> = assessments
        .iter()
        .filter(|a| a.assessment.kind == store::AssessmentKind::ThreeMbwt)
        .collect();
    let assessment_chart = (!three_mbwt.is_empty()).then(|| {
        let mut ordered = three_mbwt.clone();
        ordered.sort_by_key(|a| a.assessment.taken_at);
        let labels: Vec<String> = ordered
            .iter()
            .map(|a| a.assessment.taken_at.strftime("%-d %b").to_string())
            .collect();
        let cut_off = ordered.last().and_then(|a| {
            a.assessment
                .result
                .pointer("/cut_off/high_risk_at_least_s")
                .and_then(serde_json::Value::as_f64)
        });
        let max = ordered
            .iter()
            .map(|a| a.assessment.value)
            .chain(cut_off)
            .fold(0.0_f64, f64::max);
        charts::lines(
            "3-metre backward walk test (seconds; lower is better)",
            (0.0, max),
            5,
            &labels,
            &[(
                "seconds",
                ordered.iter().map(|a| Some(a.assessment.value)).collect(),
            )],
            &cut_off
                .map(|c| vec![(c, format!("fall-risk cut-off {c:.1} s"))])
                .unwrap_or_default(),
        )
    });
    // Adherence is what was walked: skipped backward time does not count.
    let adherence = summary.adherence.as_ref().map(|a| match a.share {
        Some(share) => format!(
            "you walked {} of the {} backward the plan asked for so far ({:.0}%), in {} of {} sessions due",
            minutes(a.backward_seconds_walked.min(u64::from(u32::MAX)) as u32),
            minutes(a.backward_seconds_due.min(u64::from(u32::MAX)) as u32),
            (share * 100.0).floor(),
            a.sessions_done,
            a.sessions_due,
        ),
        None => "no session is due yet".to_string(),
    });
    render(&ProgressPage {
        chrome: viewer.chrome("progress"),
        has_plan: summary.plan.is_some(),
        logged_any,
        pain_any,
        adherence,
        kcal_total: format!("{:.0}", summary.kcal_total),
        backward_chart: backward,
        energy_chart: energy,
        pain_chart: pain,
        rpe_chart: rpe,
        assessment_chart,
        kcal_note: viewer.caller.user.profile.body_mass.is_none(),
        plan_problem: summary.plan_problem.clone(),
        weeks: summary
            .weeks
            .iter()
            .map(|w| WeekRow {
                week: w.week,
                start: w.start.strftime("%-d %b").to_string(),
                planned: w
                    .planned_backward_seconds
                    .map_or_else(|| "—".into(), |s| minutes(s as u32)),
                done: minutes(w.backward_seconds as u32),
                sessions: match w.planned_sessions {
                    Some(p) => format!("{} of {p}", w.sessions),
                    None => w.sessions.to_string(),
                },
                kcal: format!("{:.0}", w.kcal),
                rpe: one_decimal(w.mean_rpe),
                pain: match (w.mean_pain_before, w.mean_pain_after) {
                    (Some(b), Some(a)) => format!("{b:.1} → {a:.1}"),
                    _ => "—".into(),
                },
            })
            .collect(),
        assessments: assessments
            .iter()
            .map(|a| AssessmentRow {
                date: a.assessment.taken_at.strftime("%Y-%m-%d").to_string(),
                kind: match a.assessment.kind {
                    store::AssessmentKind::ThreeMbwt => "3MBWT",
                    store::AssessmentKind::SingleLegStance => "Single-leg stance",
                    store::AssessmentKind::PainChange => "Pain change",
                },
                value: format!("{:.1}", a.assessment.value),
                summary: a
                    .assessment
                    .result
                    .get("interpretation")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> LogForm {
        LogForm {
            date: "2026-11-20".into(),
            time: "07:30".into(),
            utc_offset_minutes: "60".into(),
            setting: "ground".into(),
            backward_minutes: "10".into(),
            forward_minutes: "5".into(),
            rpe: "12".into(),
            pain_before: "3".into(),
            pain_after: "2".into(),
            felt_safe: "on".into(),
            ..LogForm::default()
        }
    }

    #[test]
    fn a_hand_log_becomes_a_forward_and_a_backward_block_with_the_local_offset() {
        let body = parse_log_form(&form(), Units::Metric, None).unwrap();
        assert_eq!(body.started_at, "2026-11-20T07:30:00+01:00");
        assert_eq!(body.blocks.len(), 2);
        assert_eq!(body.blocks[1].seconds, 600);
        assert!(body.felt_safe);
    }

    #[test]
    fn bad_fields_are_named() {
        let mut f = form();
        f.backward_minutes = "ten".into();
        f.rpe = "3".into();
        f.date = "yesterday".into();
        let errors = parse_log_form(&f, Units::Metric, None).unwrap_err();
        assert!(errors.get("backward_minutes").unwrap().contains("ten"));
        assert!(errors.get("rpe").is_some());
        assert!(errors.get("date").is_some());
    }

    #[test]
    fn pain_left_empty_is_not_given_not_zero() {
        let mut f = form();
        f.pain_before = String::new();
        f.pain_after = " ".into();
        let body = parse_log_form(&f, Units::Metric, None).unwrap();
        assert_eq!((body.pain_before, body.pain_after), (None, None));
        f.pain_after = "11".into();
        let errors = parse_log_form(&f, Units::Metric, None).unwrap_err();
        assert!(errors.get("pain_after").unwrap().contains("0 to 10"));
        assert_eq!(
            pain_words(None, PainScore::new(2).ok()),
            "not given → 2".to_string()
        );
    }

    #[test]
    fn the_history_says_what_was_walked_of_the_dose() {
        assert_eq!(walked_of_planned(0, Some(300)), "0 s of 5 min planned (0%)");
        assert_eq!(
            walked_of_planned(599, Some(600)),
            "9 min 59 s of 10 min planned (99%)"
        );
        assert_eq!(walked_of_planned(480, None), "8 min");
    }

    #[test]
    fn negative_offsets_are_written_with_a_minus() {
        let mut f = form();
        f.utc_offset_minutes = "-330".into();
        let body = parse_log_form(&f, Units::Metric, None).unwrap();
        assert!(body.started_at.ends_with("-05:30"), "{}", body.started_at);
    }
}

//! The week you can see: the plan page (`/plan`: a calendar of the coming weeks, which blocks
//! each session holds and where progression may change it, with the technique pictures), the
//! calendar feed (`/calendar/{secret}.ics`: iCalendar with an alarm per session, reached by a
//! secret in the URL instead of a cookie, made, replaced and revoked from settings), and the
//! sessions the browser's reminders read (`/plan/reminders.json`).

use super::onboarding::DayBox;
use super::{Chrome, FormErrors, PageError, Viewer, minutes, render, render_status, see_other};
use crate::AppState;
use crate::api::progress::{active_plan, outcomes};
use crate::api::records;
use crate::auth;
use crate::problem::ApiJson;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coach::energy::Direction;
use coach::plan::{BlockKind, Plan, PlannedSession};
use coach::progression::{Decision, NextSession};
use coach::schedule::{Schedule, TimeOfDay};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// How many weeks the plan page shows from the current one.
const WEEKS_SHOWN: i64 = 6;
/// How long before a timed session the feed's alarm rings.
const ALARM_BEFORE: &str = "-PT30M";
/// When a whole-day session's alarm rings: 08:00 on the day.
const WHOLE_DAY_ALARM: &str = "PT8H";
/// The prefix of a feed secret, so that one pasted somewhere is recognisable.
const FEED_PREFIX: &str = "cal_";

/// A date (and time, when the plan has one) as people read it, e.g. "Tue 8 Dec, 07:30".
pub(crate) fn when(date: Date, time: Option<TimeOfDay>, format: &str) -> String {
    let day = date.strftime(format).to_string();
    match time {
        Some(t) => format!("{day}, {t}"),
        None => day,
    }
}

/// The schedule in words, e.g. "On Monday, Wednesday and Friday at 07:30."; None without one.
pub(crate) fn schedule_words(schedule: &Schedule) -> Option<String> {
    match (schedule.days, schedule.time) {
        (None, None) => None,
        (Some(d), Some(t)) => Some(format!("On {} at {t}.", d.words())),
        (Some(d), None) => Some(format!("On {}.", d.words())),
        (None, Some(t)) => Some(format!("At {t}, spread evenly through each week.")),
    }
}

/// The active plan with the coach's next session, or the response to give instead.
async fn plan_and_next(
    state: &AppState,
    user: store::Id,
) -> Result<Option<(store::PlanSummary, Plan, usize, NextSession)>, PageError> {
    let (stored, plan) = match active_plan(state, user).await? {
        None => return Ok(None),
        Some((_, Err(why))) => return Err(PageError::Other(StatusCode::CONFLICT, why)),
        Some((stored, Ok(plan))) => (stored, plan),
    };
    let logged = outcomes(&state.store.plan_outcomes(user, stored.id).await?);
    let next = crate::api::gates::next_session(state, user, &plan, &logged).await?;
    Ok(Some((stored, plan, logged.len(), next)))
}

/// The sessions as they stand: logged ones as planned, the next one as the coach reshaped it,
/// later ones as planned.
fn sessions_now(plan: &Plan, logged: usize, next: &NextSession) -> Vec<PlannedSession> {
    let mut sessions = plan.sessions.clone();
    if let (Some(n), Some(slot)) = (&next.session, sessions.get_mut(logged)) {
        *slot = n.clone();
    }
    sessions
}

/// One part of a session's bar: SVG attributes, not styles (the CSP forbids inline style).
pub(crate) struct BarPart {
    x: String,
    width: String,
    class: &'static str,
}

/// A session in the calendar.
pub(crate) struct CalendarSession {
    number: u32,
    time: Option<String>,
    backward: String,
    total: String,
    blocks: String,
    bar: Vec<BarPart>,
    state: &'static str,
    /// For the next session: what the coach decided after the last one.
    decided: Option<&'static str>,
    /// For a later session that steps up: that progression may change it.
    change: Option<&'static str>,
}

/// A day of the calendar.
pub(crate) struct DayCell {
    label: String,
    is_today: bool,
    session: Option<CalendarSession>,
    /// Outside the plan's dates: "Before your plan" or "After your plan".
    outside: Option<&'static str>,
}

/// A week of the calendar.
pub(crate) struct WeekView {
    title: String,
    days: Vec<DayCell>,
}

/// The blocks in words: "5 min forward warm-up · backward 2 + 2 + 1 min, 1 min forward between ·
/// 5 min forward cool-down".
fn blocks_in_words(session: &PlannedSession) -> String {
    let mut parts = Vec::new();
    // Runs of equal backward blocks read as "4 × 2 min + 1 min".
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for b in session
        .blocks
        .iter()
        .filter(|b| b.direction == Direction::Backward)
    {
        match runs.last_mut() {
            Some((seconds, count)) if *seconds == b.seconds => *count += 1,
            _ => runs.push((b.seconds, 1)),
        }
    }
    let backward: Vec<String> = runs
        .iter()
        .map(|(seconds, count)| match count {
            1 => minutes(*seconds),
            n => format!("{n} × {}", minutes(*seconds)),
        })
        .collect();
    let between = session
        .blocks
        .iter()
        .find(|b| matches!(b.kind, BlockKind::Recovery | BlockKind::Forward));
    if let Some(w) = session
        .blocks
        .first()
        .filter(|b| b.kind == BlockKind::WarmUp)
    {
        parts.push(format!("{} forward warm-up", minutes(w.seconds)));
    }
    if !backward.is_empty() {
        let mut text = format!("backward {}", backward.join(" + "));
        if let Some(b) = between {
            text.push_str(&format!(", {} forward between", minutes(b.seconds)));
        }
        parts.push(text);
    }
    if let Some(c) = session
        .blocks
        .last()
        .filter(|b| b.kind == BlockKind::CoolDown)
    {
        parts.push(format!("{} forward cool-down", minutes(c.seconds)));
    }
    parts.join(" · ")
}

/// The session's blocks as parts of a 100-wide bar, forward and backward told apart by class.
fn bar(session: &PlannedSession) -> Vec<BarPart> {
    let total = f64::from(session.total_seconds.max(1));
    let mut x = 0.0;
    session
        .blocks
        .iter()
        .map(|b| {
            let width = f64::from(b.seconds) / total * 100.0;
            let part = BarPart {
                x: format!("{x:.2}"),
                width: format!("{width:.2}"),
                class: match b.direction {
                    Direction::Forward => "bar-forward",
                    Direction::Backward => "bar-backward",
                },
            };
            x += width;
            part
        })
        .collect()
}

fn decision_words(decision: Decision) -> &'static str {
    match decision {
        Decision::Advance => "As planned: your last session went well.",
        Decision::Hold => "Held at the same backward time after your last session.",
        Decision::StepDown => "Stepped down after your last session.",
    }
}

/// What may change a session that steps up.
const STEP_UP: &str =
    "Steps up: only if the session before went well; otherwise the coach holds or steps down.";

/// The calendar of the coming weeks, from the Monday of this week (or of the plan's first
/// week, when it starts later).
fn weeks(plan: &Plan, logged: usize, next: &NextSession, today: Date) -> Vec<WeekView> {
    let sessions = sessions_now(plan, logged, next);
    let from = today.max(plan.start);
    let monday = from
        .checked_sub(i64::from(from.weekday().to_monday_zero_offset()).days())
        .unwrap_or(from);
    let mut out = Vec::new();
    for w in 0..WEEKS_SHOWN {
        let mut days = Vec::new();
        for d in 0..7 {
            let Ok(date) = monday.checked_add((w * 7 + d).days()) else {
                continue;
            };
            let session = sessions.iter().enumerate().find(|(_, s)| s.date == date);
            let cell = session.map(|(index, s)| {
                let before = index
                    .checked_sub(1)
                    .and_then(|i| sessions.get(i))
                    .map(|p| p.backward_seconds);
                let (state, decided, change) = if index < logged {
                    ("logged", None, None)
                } else if index == logged {
                    let decided = (logged > 0).then(|| decision_words(next.progression.decision));
                    ("next", decided, None)
                } else if before.is_some_and(|b| s.backward_seconds > b) {
                    ("planned", None, Some(STEP_UP))
                } else {
                    ("planned", None, None)
                };
                CalendarSession {
                    number: s.number,
                    time: plan.schedule.time.map(|t| t.to_string()),
                    backward: minutes(s.backward_seconds),
                    total: minutes(s.total_seconds),
                    blocks: blocks_in_words(s),
                    bar: bar(s),
                    state,
                    decided,
                    change,
                }
            });
            let outside = if date < plan.start {
                Some("Before your plan")
            } else if sessions.last().is_some_and(|l| date > l.date) {
                Some("After your plan")
            } else {
                None
            };
            days.push(DayCell {
                label: date.strftime("%a %-d %b").to_string(),
                is_today: date == today,
                session: cell,
                outside,
            });
        }
        out.push(WeekView {
            title: format!(
                "Week of {}",
                monday
                    .checked_add((w * 7).days())
                    .unwrap_or(monday)
                    .strftime("%A %-d %B")
            ),
            days,
        });
    }
    // Trailing weeks without a session say nothing.
    while out
        .last()
        .is_some_and(|w| w.days.iter().all(|d| d.session.is_none()))
    {
        out.pop();
    }
    out
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    protocol: &'static coach::protocol::Protocol,
    schedule_words: Option<String>,
    weeks: Vec<WeekView>,
    left: usize,
    days: Vec<DayBox>,
    time_of_day: String,
    errors: FormErrors,
    notice: Option<&'static str>,
    prescribed: super::prescribe::Prescribed,
    progression: super::gates::ProgressionNote,
}

/// The weekday boxes and time of the schedule form, Monday first.
const DAY_NAMES: [&str; 7] = coach::schedule::WEEKDAY_NAMES;

/// The schedule form as typed: one checkbox per weekday (a urlencoded form cannot carry a list
/// into serde) and the time.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ScheduleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    day_mon: String,
    #[serde(default)]
    day_tue: String,
    #[serde(default)]
    day_wed: String,
    #[serde(default)]
    day_thu: String,
    #[serde(default)]
    day_fri: String,
    #[serde(default)]
    day_sat: String,
    #[serde(default)]
    day_sun: String,
    #[serde(default)]
    time_of_day: String,
}

impl ScheduleForm {
    fn ticked(&self) -> [bool; 7] {
        [
            &self.day_mon,
            &self.day_tue,
            &self.day_wed,
            &self.day_thu,
            &self.day_fri,
            &self.day_sat,
            &self.day_sun,
        ]
        .map(|v| !v.is_empty())
    }
}

fn day_boxes(ticked: [bool; 7]) -> Vec<DayBox> {
    DAY_NAMES
        .iter()
        .zip(coach::schedule::WEEKDAY_WORDS)
        .zip(ticked)
        .map(|((name, label), checked)| DayBox {
            name,
            label,
            checked,
        })
        .collect()
}

/// Notices after a redirect.
#[derive(Debug, Deserialize)]
pub(crate) struct PlanNotice {
    #[serde(default)]
    moved: Option<String>,
}

async fn plan_view(
    state: &AppState,
    viewer: &Viewer,
    form: Option<(ScheduleForm, FormErrors)>,
    notice: Option<&'static str>,
) -> Result<Option<PlanPage>, PageError> {
    let Some((stored, plan, logged, next)) = plan_and_next(state, viewer.caller.id()).await? else {
        return Ok(None);
    };
    let prescribed = super::prescribe::prescribed(state, viewer.caller.id(), stored.id).await?;
    let today = jiff::Zoned::now().date();
    let (ticked, time_of_day, errors) = match form {
        Some((f, errors)) => (f.ticked(), f.time_of_day.clone(), errors),
        None => {
            let days = plan.schedule.days;
            let ticked = [
                jiff::civil::Weekday::Monday,
                jiff::civil::Weekday::Tuesday,
                jiff::civil::Weekday::Wednesday,
                jiff::civil::Weekday::Thursday,
                jiff::civil::Weekday::Friday,
                jiff::civil::Weekday::Saturday,
                jiff::civil::Weekday::Sunday,
            ]
            .map(|d| days.is_some_and(|days| days.contains(d)));
            let time = plan
                .schedule
                .time
                .map(|t| t.to_string())
                .unwrap_or_default();
            (ticked, time, FormErrors::default())
        }
    };
    Ok(Some(PlanPage {
        chrome: viewer.chrome("plan"),
        protocol: plan.protocol,
        schedule_words: schedule_words(&plan.schedule),
        weeks: weeks(&plan, logged, &next, today),
        left: plan.sessions.len().saturating_sub(logged),
        days: day_boxes(ticked),
        time_of_day,
        errors,
        notice,
        prescribed,
        progression: super::gates::progression_note(state, viewer.caller.id()).await?,
    }))
}

/// The plan page: the coming weeks as a calendar, the form that moves them to other weekdays,
/// and the technique pictures.
pub(crate) async fn plan_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(notice): Query<PlanNotice>,
) -> Result<Response, PageError> {
    let notice = notice
        .moved
        .is_some()
        .then_some("Your sessions from now on have moved to the new days and time.");
    match plan_view(&state, &viewer, None, notice).await? {
        Some(page) => render(&page),
        // /today sends people without a plan to the onboarding step they are at.
        None => Ok(see_other("/today")),
    }
}

/// Moves the sessions left to the weekdays and time chosen, through the API's handler.
pub(crate) async fn change_schedule(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<ScheduleForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let Some(active) = state.store.active_plan_summary(viewer.caller.id()).await? else {
        return Ok(see_other("/today"));
    };
    let chosen: Vec<String> = DAY_NAMES
        .iter()
        .zip(form.ticked())
        .filter(|(_, t)| *t)
        .map(|(n, _)| (*n).to_string())
        .collect();
    let time = form.time_of_day.trim();
    let body = records::ScheduleBody {
        training_days: (!chosen.is_empty()).then_some(chosen),
        time_of_day: (!time.is_empty()).then(|| time.to_string()),
    };
    match records::reschedule_plan(
        State(state.clone()),
        viewer.caller.clone(),
        Path(active.id.to_string()),
        ApiJson(body),
    )
    .await
    {
        Ok(_) => Ok(see_other("/plan?moved=1")),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::from_api(&e, &[]);
            match plan_view(&state, &viewer, Some((form, errors)), None).await? {
                Some(page) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &page),
                None => Ok(see_other("/today")),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// A session the browser may remind about.
#[derive(Debug, Serialize)]
struct Reminder {
    /// Local date and time, "2026-12-08T07:30" (the browser's own clock and zone read it).
    at: String,
    /// What the notification says.
    title: String,
    /// A key, so that one session is announced once.
    key: String,
}

/// The next week's sessions, for the reminders script: only those with a time of day (a
/// whole-day session has no moment to remind at; the calendar feed's alarm covers it).
pub(crate) async fn reminders(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let mut list = Vec::new();
    if let Some((stored, plan, logged, next)) = plan_and_next(&state, viewer.caller.id()).await?
        && let Some(time) = plan.schedule.time
    {
        let today = jiff::Zoned::now().date();
        let until = today.checked_add(7.days()).unwrap_or(today);
        for s in sessions_now(&plan, logged, &next)
            .iter()
            .skip(logged)
            .filter(|s| s.date >= today && s.date <= until)
        {
            list.push(Reminder {
                at: format!("{}T{time}", s.date),
                title: format!(
                    "Retro walk at {time}: {} backward, {} in all",
                    minutes(s.backward_seconds),
                    minutes(s.total_seconds)
                ),
                key: format!("{}-{}", stored.id, s.number),
            });
        }
    }
    Ok(axum::Json(serde_json::json!({ "sessions": list })).into_response())
}

// --- the calendar feed ---

/// Folds a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// Escapes TEXT values (RFC 5545 3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The plan's sessions as an iCalendar document, one event with an alarm per session.
///
/// Written by hand: the `icalendar` crate would bring chrono and uuid beside jiff for the few
/// properties used here, and the format's only subtleties (escaping, folding) are below.
/// Timed sessions are floating local times (no zone): a walk at 07:30 stays at 07:30 wherever
/// the phone is, as the person meant it.
fn ical(
    plan_id: store::Id,
    plan: &Plan,
    sessions: &[PlannedSession],
    now: jiff::Timestamp,
) -> String {
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Retrostride//Calendar feed//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Retrostride",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ] {
        fold(line, &mut out);
    }
    for s in sessions {
        let summary = format!(
            "Retro walk: {} backward, {} in all",
            minutes(s.backward_seconds),
            minutes(s.total_seconds)
        );
        let description = format!(
            "Session {} of {} ({}), week {}.\n{}.\nAfter each session the coach may hold or step down the next one: open Retrostride for today's dose.",
            s.number,
            plan.sessions.len(),
            plan.protocol.name,
            s.week,
            blocks_in_words(s)
        );
        fold("BEGIN:VEVENT", &mut out);
        fold(
            &format!("UID:plan-{plan_id}-session-{}@retrostride", s.number),
            &mut out,
        );
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        let trigger = match plan.schedule.time {
            Some(t) => {
                let start = s.date.to_datetime(t.time());
                let end = start
                    .checked_add(i64::from(s.total_seconds).seconds())
                    .unwrap_or(start);
                fold(
                    &format!("DTSTART:{}", start.strftime("%Y%m%dT%H%M%S")),
                    &mut out,
                );
                fold(
                    &format!("DTEND:{}", end.strftime("%Y%m%dT%H%M%S")),
                    &mut out,
                );
                ALARM_BEFORE
            }
            None => {
                let end = s.date.checked_add(1.day()).unwrap_or(s.date);
                fold(
                    &format!("DTSTART;VALUE=DATE:{}", s.date.strftime("%Y%m%d")),
                    &mut out,
                );
                fold(
                    &format!("DTEND;VALUE=DATE:{}", end.strftime("%Y%m%d")),
                    &mut out,
                );
                fold("TRANSP:TRANSPARENT", &mut out);
                WHOLE_DAY_ALARM
            }
        };
        fold(&format!("SUMMARY:{}", text(&summary)), &mut out);
        fold(&format!("DESCRIPTION:{}", text(&description)), &mut out);
        fold("BEGIN:VALARM", &mut out);
        fold("ACTION:DISPLAY", &mut out);
        fold(&format!("DESCRIPTION:{}", text(&summary)), &mut out);
        fold(&format!("TRIGGER:{trigger}"), &mut out);
        fold("END:VALARM", &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

/// The calendar feed: no cookie, the secret in the URL is the key. An unknown or revoked
/// secret answers 404, as a missing page does.
pub(crate) async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let not_found = || PageError::NotFound("calendar");
    let secret = file.strip_suffix(".ics").ok_or_else(not_found)?;
    if !secret.starts_with(FEED_PREFIX) || secret.len() > 100 {
        return Err(not_found());
    }
    let user = state
        .store
        .user_by_calendar_feed(&auth::digest(secret))
        .await?
        .ok_or_else(not_found)?;
    let body = match plan_and_next(&state, user.id).await {
        Ok(Some((stored, plan, logged, next))) => ical(
            stored.id,
            &plan,
            &sessions_now(&plan, logged, &next),
            jiff::Timestamp::now(),
        ),
        // No plan (or one this version cannot read): an empty calendar, not an error, so the
        // subscription stays and fills in once there is a plan.
        Ok(None) | Err(PageError::Other(..)) => {
            let mut out = String::new();
            for line in [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//Retrostride//Calendar feed//EN",
                "X-WR-CALNAME:Retrostride",
                "END:VCALENDAR",
            ] {
                fold(line, &mut out);
            }
            out
        }
        Err(e) => return Err(e),
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"retrostride.ics\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// The calendar block of the settings page.
pub(crate) struct FeedBlock {
    /// When the current link was made, if there is one.
    pub(crate) since: Option<String>,
}

/// What the settings page's calendar block shows.
pub(crate) async fn feed_block(state: &AppState, viewer: &Viewer) -> Result<FeedBlock, PageError> {
    Ok(FeedBlock {
        since: state
            .store
            .calendar_feed(viewer.caller.id())
            .await?
            .map(|t| t.strftime("%Y-%m-%d").to_string()),
    })
}

/// A calendar form: only its token.
#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[derive(Template)]
#[template(path = "calendar_link.html")]
struct LinkPage {
    chrome: Chrome,
    https: String,
    webcal: String,
}

/// Makes a new calendar link (replacing, and so revoking, the old one) and shows it once.
pub(crate) async fn make_feed(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let secret = format!("{FEED_PREFIX}{}", auth::random_hex());
    state
        .store
        .set_calendar_feed(
            viewer.caller.id(),
            &auth::digest(&secret),
            jiff::Timestamp::now(),
        )
        .await?;
    let path = format!("/calendar/{secret}.ics");
    let host = site_host(&headers);
    render(&LinkPage {
        chrome: viewer.chrome("settings"),
        https: format!("{}{path}", site_origin(&headers)),
        webcal: format!("webcal://{host}{path}"),
    })
}

/// The host this page was asked on, for links that must be absolute (a calendar app's, an
/// invite given by email); only characters a host name or address may hold.
pub(crate) fn site_host(headers: &HeaderMap) -> &str {
    headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost")
}

/// `scheme://host` of this site as the request reached it.
pub(crate) fn site_origin(headers: &HeaderMap) -> String {
    let scheme = if auth::over_tls(headers) {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{}", site_host(headers))
}

/// Revokes the calendar link: the feed answers 404 from now on.
pub(crate) async fn revoke_feed(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    state.store.delete_calendar_feed(viewer.caller.id()).await?;
    Ok(see_other("/settings?calendar=revoked#calendar"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use coach::plan::{DaysPerWeek, Level, PlanRequest, Setting, Units, Weeks};
    use coach::protocol::Goal;
    use coach::screening::Clearance;

    fn plan(schedule: Schedule) -> Plan {
        coach::plan::build_plan(&PlanRequest {
            goal: Goal::Knee,
            clearance: Clearance::Cleared,
            precautions: vec![],
            setting: Setting::Ground,
            level: Level::New,
            days_per_week: DaysPerWeek::new(3).unwrap(),
            weeks: Weeks::new(6).unwrap(),
            start: jiff::civil::date(2027, 1, 4),
            forward_speed: None,
            protocol: None,
            units: Units::Metric,
            clinician_assigned: false,
            schedule,
        })
        .unwrap()
    }

    #[test]
    fn timed_sessions_are_floating_events_with_an_alarm_before() {
        let p = plan(Schedule {
            days: Some("tue,thu,sat".parse().unwrap()),
            time: Some("07:30".parse().unwrap()),
        });
        let now: jiff::Timestamp = "2027-01-01T10:00:00Z".parse().unwrap();
        let doc = ical(7, &p, &p.sessions, now);
        assert!(doc.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(doc.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(doc.matches("BEGIN:VEVENT").count(), 18);
        assert_eq!(doc.matches("BEGIN:VALARM").count(), 18);
        // 2027-01-05 is the first Tuesday; 17 minutes later it ends.
        assert!(
            doc.contains("DTSTART:20270105T073000\r\nDTEND:20270105T074700\r\n"),
            "{doc}"
        );
        assert!(doc.contains("TRIGGER:-PT30M"));
        assert!(doc.contains("UID:plan-7-session-1@retrostride"));
        assert!(doc.lines().all(|l| l.len() <= 75), "folded");
    }

    #[test]
    fn whole_day_sessions_ring_in_the_morning() {
        let p = plan(Schedule::default());
        let doc = ical(1, &p, &p.sessions, jiff::Timestamp::UNIX_EPOCH);
        assert!(doc.contains("DTSTART;VALUE=DATE:20270104\r\nDTEND;VALUE=DATE:20270105\r\n"));
        assert!(doc.contains("TRIGGER:PT8H"));
    }

    #[test]
    fn text_is_escaped_and_long_lines_fold_between_characters() {
        assert_eq!(text("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
        let mut out = String::new();
        fold(&"é".repeat(60), &mut out);
        assert!(out.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(out.replace("\r\n ", "").trim_end(), "é".repeat(60));
    }

    #[test]
    fn the_calendar_marks_the_next_session_and_the_step_ups() {
        let p = plan(Schedule {
            days: Some("mon,wed,fri".parse().unwrap()),
            time: None,
        });
        let next = coach::progression::next_session(&p, &[]);
        let shown = weeks(&p, 0, &next, jiff::civil::date(2027, 1, 4));
        assert_eq!(shown.len(), 6);
        let first: Vec<&CalendarSession> = shown[0]
            .days
            .iter()
            .filter_map(|d| d.session.as_ref())
            .collect();
        assert_eq!(first.len(), 3);
        assert_eq!(first[0].state, "next");
        assert!(first[1].change.is_none());
        let second_monday = shown[1].days[0].session.as_ref().unwrap();
        assert!(second_monday.change.unwrap().starts_with("Steps up"));
        assert!(first[0].decided.is_none(), "no session before the first");
        assert!(shown[0].days[1].session.is_none(), "Tuesday rests");
        assert!(first[0].blocks.contains("backward"), "{}", first[0].blocks);
    }

    #[test]
    fn schedules_read_as_words() {
        let s = Schedule {
            days: Some("mon,fri".parse().unwrap()),
            time: Some("18:00".parse().unwrap()),
        };
        assert_eq!(
            schedule_words(&s).unwrap(),
            "On Monday and Friday at 18:00."
        );
        assert!(schedule_words(&Schedule::default()).is_none());
    }
}

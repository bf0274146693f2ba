//! Onboarding: the screening one question per step, the clearance with its reasons and
//! precautions (or, under `see_clinician_first`, an explanation and a printable summary instead
//! of a plan), then the plan form, its preview naming the protocol and its study, and the start.
//!
//! The screening keeps its answers in hidden fields from step to step, so nothing is stored
//! until the last answer: an abandoned screening leaves no half-record behind.

use super::speed_unit;
use super::{Chrome, FormErrors, PageError, Viewer, render, render_status, see_other};
use crate::AppState;
use crate::api::records::{self, PlanBody};
use crate::problem::ApiJson;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use coach::evidence::Source;
use coach::measure::{Age, Speed};
use coach::plan::{Level, Plan, Setting, Units};
use coach::protocol::Goal;
use coach::screening::{Clearance, Precaution, QUESTIONS, Question, Topic};
use serde::Deserialize;
use std::collections::HashMap;

/// Steps: age first, then every yes/no question.
const STEPS: usize = QUESTIONS.len() + 1;

#[derive(Template)]
#[template(path = "screening_step.html")]
struct ScreeningStep {
    chrome: Chrome,
    /// 0 is the age; 1.. are QUESTIONS[step - 1].
    step: usize,
    steps: usize,
    question: Option<&'static Question>,
    topic: &'static str,
    /// Answers so far, as hidden fields.
    carried: Vec<(String, String)>,
    /// The current answer, when going back or refused.
    current: String,
    error: Option<String>,
}

impl ScreeningStep {
    fn number(&self) -> usize {
        self.step + 1
    }
}

fn topic_label(topic: Topic) -> &'static str {
    match topic {
        Topic::ParQ => "General health (the PAR-Q+ topics, in our words)",
        Topic::BackwardWalking => "Risks that matter when walking backward",
        Topic::Context => "About you",
    }
}

fn step_page(
    viewer: &Viewer,
    step: usize,
    answers: &HashMap<String, String>,
    error: Option<String>,
) -> ScreeningStep {
    let question = step.checked_sub(1).and_then(|i| QUESTIONS.get(i));
    let key = question.map_or("age", |q| q.id);
    let mut carried: Vec<(String, String)> = answers
        .iter()
        .filter(|(k, _)| k.as_str() != key && is_answer_key(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    carried.sort();
    ScreeningStep {
        chrome: viewer.chrome("today"),
        step,
        steps: STEPS,
        question,
        topic: question.map_or("About you", |q| topic_label(q.topic)),
        carried,
        current: answers.get(key).cloned().unwrap_or_default(),
        error,
    }
}

fn is_answer_key(key: &str) -> bool {
    key == "age" || QUESTIONS.iter().any(|q| q.id == key)
}

/// The first step.
pub(crate) async fn screening_start(viewer: Viewer) -> Result<Response, PageError> {
    render(&step_page(&viewer, 0, &HashMap::new(), None))
}

/// One step answered: the next step, the previous one, or (after the last) the result.
pub(crate) async fn screening_step(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    viewer.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let step: usize = form
        .get("step")
        .and_then(|s| s.parse().ok())
        .filter(|s| *s < STEPS)
        .unwrap_or(0);
    let mut answers: HashMap<String, String> = form
        .iter()
        .filter(|(k, _)| is_answer_key(k))
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect();
    let question = step.checked_sub(1).and_then(|i| QUESTIONS.get(i));
    if form.contains_key("back") {
        return render(&step_page(&viewer, step.saturating_sub(1), &answers, None));
    }
    // Check this step's answer.
    let error = match question {
        None => {
            let age = answers.get("age").map_or("", String::as_str);
            if age.is_empty() {
                Some("Enter your age in whole years.".to_string())
            } else {
                age.parse::<Age>()
                    .err()
                    .map(|e| format!("{e}. Enter your age in whole years, for example 58."))
            }
        }
        Some(q) => match answers.get(q.id).map(String::as_str) {
            Some("yes" | "no") => None,
            _ => Some("Choose yes or no to go on.".to_string()),
        },
    };
    if let Some(error) = error {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &step_page(&viewer, step, &answers, Some(error)),
        );
    }
    if step + 1 < STEPS {
        answers.retain(|_, v| !v.is_empty());
        return render(&step_page(&viewer, step + 1, &answers, None));
    }
    // The last answer: every step must have been answered (a hand-made form may skip some).
    let mut document = serde_json::Map::new();
    let age: u8 = match answers.get("age").and_then(|a| a.parse().ok()) {
        Some(age) => age,
        None => return render(&step_page(&viewer, 0, &answers, None)),
    };
    document.insert("age".into(), age.into());
    for (i, q) in QUESTIONS.iter().enumerate() {
        match answers.get(q.id).map(String::as_str) {
            Some(answer @ ("yes" | "no")) => {
                document.insert(q.id.into(), (answer == "yes").into());
            }
            _ => {
                return render_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &step_page(
                        &viewer,
                        i + 1,
                        &answers,
                        Some("Choose yes or no to go on.".into()),
                    ),
                );
            }
        }
    }
    let answers: coach::screening::ScreeningAnswers =
        serde_json::from_value(serde_json::Value::Object(document))
            .map_err(crate::problem::ApiError::internal)?;
    let _stored =
        records::add_screening(State(state), viewer.caller.clone(), ApiJson(answers)).await?;
    Ok(see_other("/start/clearance"))
}

/// A reason as shown: the question and what it means.
struct ReasonView {
    question: &'static str,
    explanation: String,
    red_flag: bool,
}

#[derive(Template)]
#[template(path = "clearance.html")]
struct ClearancePage {
    chrome: Chrome,
    clearance: Clearance,
    headline: &'static str,
    reasons: Vec<ReasonView>,
    precautions: Vec<&'static str>,
    advice: String,
    sources: Vec<&'static Source>,
    taken: String,
    has_plan: bool,
}

impl ClearancePage {
    fn see_clinician(&self) -> bool {
        self.clearance == Clearance::SeeClinicianFirst
    }
}

fn headline(clearance: Clearance) -> &'static str {
    match clearance {
        Clearance::Cleared => "You can start: gently, and build up.",
        Clearance::ClearedWithPrecautions => "You can start, with the precautions below.",
        Clearance::SeeClinicianFirst => "Please talk to a clinician before you start.",
    }
}

/// The latest screening as the coach explained it.
struct Explained {
    screening: store::NewScreening,
    result: coach::screening::Screening,
}

async fn latest(state: &AppState, viewer: &Viewer) -> Result<Option<Explained>, PageError> {
    let Some(stored) = state.store.latest_screening(viewer.caller.id()).await? else {
        return Ok(None);
    };
    // The stored result is the text that was shown; re-screening the stored answers gives the
    // same structure with typed fields (the coach is deterministic).
    let result = coach::screening::screen(&stored.screening.answers);
    Ok(Some(Explained {
        screening: stored.screening,
        result,
    }))
}

fn question_text(id: &str) -> &'static str {
    QUESTIONS
        .iter()
        .find(|q| q.id == id)
        .map_or("Your age", |q| q.text)
}

/// The clearance with its reasons and precautions.
pub(crate) async fn clearance(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let Some(Explained { screening, result }) = latest(&state, &viewer).await? else {
        return Ok(see_other("/start/screening"));
    };
    let has_plan = state
        .store
        .active_plan_summary(viewer.caller.id())
        .await?
        .is_some();
    render(&ClearancePage {
        chrome: viewer.chrome("today"),
        clearance: result.clearance,
        headline: headline(result.clearance),
        reasons: result
            .reasons
            .iter()
            .map(|r| ReasonView {
                question: question_text(r.question),
                explanation: r.explanation.clone(),
                red_flag: r.red_flag,
            })
            .collect(),
        precautions: result.precautions.iter().map(|p| p.advice()).collect(),
        advice: result.advice.clone(),
        sources: result.sources.clone(),
        taken: screening.taken_at.strftime("%Y-%m-%d").to_string(),
        has_plan,
    })
}

#[derive(Template)]
#[template(path = "clinician_summary.html")]
struct ClinicianSummary {
    chrome: Chrome,
    email: String,
    taken: String,
    age: u8,
    yes_answers: Vec<&'static str>,
    reasons: Vec<ReasonView>,
    clearance: &'static str,
}

/// A printable summary to take to a clinician.
pub(crate) async fn clinician_summary(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let Some(Explained { screening, result }) = latest(&state, &viewer).await? else {
        return Ok(see_other("/start/screening"));
    };
    let yes_answers = QUESTIONS
        .iter()
        .filter(|q| q.id != "currently_active" && screening.answers.answer(q.id) == Some(true))
        .map(|q| q.text)
        .collect();
    render(&ClinicianSummary {
        chrome: viewer.chrome("today"),
        email: viewer.caller.user.email.clone(),
        taken: screening.taken_at.strftime("%Y-%m-%d").to_string(),
        age: screening.answers.age.value(),
        yes_answers,
        reasons: result
            .reasons
            .iter()
            .map(|r| ReasonView {
                question: question_text(r.question),
                explanation: r.explanation.clone(),
                red_flag: r.red_flag,
            })
            .collect(),
        clearance: result.clearance.in_words(),
    })
}

/// The plan form as typed (everything text, so that any input can be sent back with messages).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    setting: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    days_per_week: String,
    #[serde(default)]
    weeks: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    forward_speed: String,
    // One checkbox per weekday: a urlencoded form cannot carry a list into serde.
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
    /// The unit `forward_speed` was shown in (see `super::shown_units`).
    #[serde(default)]
    forward_speed_unit: String,
}

/// A weekday checkbox on the plan form.
pub(crate) struct DayBox {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) checked: bool,
}

impl DayBox {
    /// "Mon": the full name does not fit two boxes a row on a phone; screen readers get it.
    pub(crate) fn short(&self) -> &'static str {
        self.label.get(..3).unwrap_or(self.label)
    }
}

impl PlanForm {
    /// Each weekday's box as typed, Monday first, with its short name ("mon").
    fn day_fields(&self) -> [(&'static str, &String); 7] {
        [
            ("mon", &self.day_mon),
            ("tue", &self.day_tue),
            ("wed", &self.day_wed),
            ("thu", &self.day_thu),
            ("fri", &self.day_fri),
            ("sat", &self.day_sat),
            ("sun", &self.day_sun),
        ]
    }
    /// The weekday checkboxes to show.
    fn day_boxes(&self) -> Vec<DayBox> {
        self.day_fields()
            .iter()
            .zip(coach::schedule::WEEKDAY_WORDS)
            .map(|((name, value), label)| DayBox {
                name,
                label,
                checked: !value.is_empty(),
            })
            .collect()
    }
    /// The short names of the ticked weekdays.
    fn chosen_days(&self) -> Vec<String> {
        self.day_fields()
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(n, _)| (*n).to_string())
            .collect()
    }
}

/// A choice in a radio group.
struct Choice {
    value: &'static str,
    label: &'static str,
    hint: &'static str,
}

const GOALS: &[Choice] = &[
    Choice {
        value: "knee",
        label: "Knee pain",
        hint: "Knee osteoarthritis or knee pain: the trial dose was 10 minutes, 3 times a week, for 6 weeks.",
    },
    Choice {
        value: "balance",
        label: "Balance",
        hint: "Steadier walking; small trials after stroke and in people at risk of falls.",
    },
    Choice {
        value: "fitness",
        label: "Fitness",
        hint: "More effort for the same speed; builds towards longer sessions.",
    },
    Choice {
        value: "general",
        label: "Variety",
        hint: "Curious, or a change from forward walking.",
    },
];

const SETTINGS: &[Choice] = &[
    Choice {
        value: "ground",
        label: "Clear ground",
        hint: "A flat, clear, well-lit path, field or track.",
    },
    Choice {
        value: "hallway",
        label: "Hallway with a wall",
        hint: "Beside a wall or rail you can touch: the safest place to begin.",
    },
    Choice {
        value: "treadmill",
        label: "Treadmill",
        hint: "Handrails and safety clip; speeds are set from your forward speed.",
    },
];

const LEVELS: &[Choice] = &[
    Choice {
        value: "new",
        label: "New to it",
        hint: "Starts with 5 minutes of backward walking.",
    },
    Choice {
        value: "some-experience",
        label: "Some experience",
        hint: "You have walked backward for a few minutes before without trouble.",
    },
];

#[derive(Template)]
#[template(path = "plan_form.html")]
struct PlanFormPage {
    chrome: Chrome,
    form: PlanForm,
    errors: FormErrors,
    goals: &'static [Choice],
    settings: &'static [Choice],
    levels: &'static [Choice],
    speed_unit: &'static str,
    clearance: &'static str,
    days: Vec<DayBox>,
}

fn form_page(
    viewer: &Viewer,
    form: PlanForm,
    errors: FormErrors,
    clearance: Clearance,
) -> PlanFormPage {
    // Shown again with its errors, the speed keeps the unit it was typed in.
    let speed_unit = speed_unit(super::shown_units(&form.forward_speed_unit, viewer.units()));
    PlanFormPage {
        chrome: viewer.chrome("today"),
        errors,
        goals: GOALS,
        settings: SETTINGS,
        levels: LEVELS,
        speed_unit,
        clearance: clearance.in_words(),
        days: form.day_boxes(),
        form,
    }
}

/// Where the person's screening leaves them: the plan form is only for the cleared.
async fn cleared(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Result<Clearance, Response>, PageError> {
    Ok(match latest(state, viewer).await? {
        None => Err(see_other("/start/screening")),
        Some(e) if e.result.clearance == Clearance::SeeClinicianFirst => {
            Err(see_other("/start/clearance"))
        }
        Some(e) => Ok(e.result.clearance),
    })
}

/// The plan form, prefilled from the query when coming back from the preview.
pub(crate) async fn plan_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(mut form): Query<PlanForm>,
) -> Result<Response, PageError> {
    let clearance = match cleared(&state, &viewer).await? {
        Ok(c) => c,
        Err(redirect) => return Ok(redirect),
    };
    if form.days_per_week.is_empty() {
        form.days_per_week = "3".into();
    }
    if form.weeks.is_empty() {
        form.weeks = "6".into();
    }
    if form.start.is_empty() {
        form.start = jiff::Zoned::now().date().to_string();
    }
    if form.level.is_empty() {
        form.level = "new".into();
    }
    render(&form_page(&viewer, form, FormErrors::default(), clearance))
}

/// Parses the plan form into the API's plan request, or the errors beside each field.
fn parse_plan_form(form: &PlanForm, units: Units) -> Result<PlanBody, FormErrors> {
    let mut errors = FormErrors::default();
    let goal = form.goal.parse::<Goal>().map_err(|_| {
        errors.add("goal", "Choose what you want from it.");
    });
    let setting = form.setting.parse::<Setting>().map_err(|_| {
        errors.add("setting", "Choose where you will walk.");
    });
    let level = form.level.parse::<Level>().map_err(|_| {
        errors.add("level", "Choose how new this is to you.");
    });
    let days = form
        .days_per_week
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|d| (1..=7).contains(d));
    if days.is_none() {
        errors.add("days_per_week", "Choose 1 to 7 days a week.");
    }
    let weeks = form
        .weeks
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|w| (1..=52).contains(w));
    if weeks.is_none() {
        errors.add("weeks", "Enter a number of weeks from 1 to 52.");
    }
    let start = form.start.trim().parse::<jiff::civil::Date>().map_err(|_| {
        errors.add(
            "start",
            "Enter the first day as a date, for example 2026-12-01.",
        );
    });
    // Read in the unit the field was shown in, whatever the profile says now.
    let units = super::shown_units(&form.forward_speed_unit, units);
    let unit = speed_unit(units);
    let speed = super::read_speed_field(
        &mut errors,
        "forward_speed",
        &form.forward_speed,
        units,
        None,
    );
    let chosen = form.chosen_days();
    if let Some(d) = days
        && !chosen.is_empty()
        && chosen.len() < usize::from(d)
    {
        errors.add(
            "training_days",
            format!(
                "You ticked {} weekday(s) for {d} days a week: tick at least {d}, or choose fewer days a week.",
                chosen.len()
            ),
        );
    }
    let time = form.time_of_day.trim();
    if !time.is_empty()
        && let Err(e) = time.parse::<coach::schedule::TimeOfDay>()
    {
        errors.add("time_of_day", format!("{e}."));
    }
    if form.setting == "treadmill" && speed.is_none() && errors.get("forward_speed").is_none() {
        errors.add(
            "forward_speed",
            format!("A treadmill plan needs the speed you walk forward at comfortably, in {unit}."),
        );
    }
    match (goal, setting, level, days, weeks, start) {
        (Ok(goal), Ok(setting), Ok(level), Some(days_per_week), Some(weeks), Ok(start))
            if errors.is_empty() =>
        {
            Ok(PlanBody {
                goal,
                setting,
                level,
                days_per_week,
                weeks,
                start,
                forward_speed_mps: speed.map(Speed::mps),
                protocol: None,
                training_days: (!chosen.is_empty()).then_some(chosen),
                time_of_day: (!time.is_empty()).then(|| time.to_string()),
            })
        }
        _ => Err(errors),
    }
}

/// A planned session as the preview and today's page show it.
pub(crate) struct SessionRow {
    pub(crate) number: u32,
    pub(crate) date: String,
    pub(crate) backward: String,
    pub(crate) total: String,
}

#[derive(Template)]
#[template(path = "plan_preview.html")]
struct PlanPreview {
    chrome: Chrome,
    form: PlanForm,
    query: String,
    plan: Plan,
    rows: Vec<SessionRow>,
    precautions: Vec<&'static str>,
    /// The title: what this plan asks for, from its own sessions (the protocol's name may name
    /// the trial's dose, which a scaled-down plan does not reach at first).
    headline: String,
    days: Vec<DayBox>,
    schedule_words: Option<String>,
}

fn form_query(form: &PlanForm) -> String {
    let pairs = [
        ("goal", &form.goal),
        ("setting", &form.setting),
        ("level", &form.level),
        ("days_per_week", &form.days_per_week),
        ("weeks", &form.weeks),
        ("start", &form.start),
        ("forward_speed", &form.forward_speed),
        ("day_mon", &form.day_mon),
        ("day_tue", &form.day_tue),
        ("day_wed", &form.day_wed),
        ("day_thu", &form.day_thu),
        ("day_fri", &form.day_fri),
        ("day_sat", &form.day_sat),
        ("day_sun", &form.day_sun),
        ("time_of_day", &form.time_of_day),
        ("forward_speed_unit", &form.forward_speed_unit),
    ];
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", super::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The plan form checked: its token, the person's clearance, every field. `Err` holds the page
/// to answer with instead (a redirect, or the form with its errors).
async fn checked_form(
    state: &AppState,
    viewer: &Viewer,
    form: &PlanForm,
) -> Result<Result<(PlanBody, Clearance), Response>, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let clearance = match cleared(state, viewer).await? {
        Ok(c) => c,
        Err(redirect) => return Ok(Err(redirect)),
    };
    Ok(match parse_plan_form(form, viewer.units()) {
        Ok(body) => Ok((body, clearance)),
        Err(errors) => Err(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(viewer, form.clone(), errors, clearance),
        )?),
    })
}

/// Checks the form and shows the plan it makes, without storing it.
pub(crate) async fn plan_preview(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    let (body, clearance) = match checked_form(&state, &viewer, &form).await? {
        Ok(checked) => checked,
        Err(page) => return Ok(page),
    };
    let plan = match records::prepare_plan(&state, &viewer.caller, &body).await {
        Ok((plan, _, _)) => plan,
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::from_api(&e, &[("forward_speed_mps", "forward_speed")]);
            // training_days and time_of_day keep their names on the form.
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(&viewer, form, errors, clearance),
            );
        }
        Err(e) => return Err(e.into()),
    };
    let rows = plan
        .sessions
        .iter()
        .map(|s| SessionRow {
            number: s.number,
            date: super::calendar::when(s.date, plan.schedule.time, "%a %-d %b"),
            backward: super::minutes(s.backward_seconds),
            total: super::minutes(s.total_seconds),
        })
        .collect();
    let precautions = plan
        .precautions
        .iter()
        .filter_map(|p: &Precaution| p.advice_in(plan.setting))
        .collect();
    let backward = |s: Option<&coach::plan::PlannedSession>| s.map_or(0, |s| s.backward_seconds);
    let (first, last) = (
        backward(plan.sessions.first()),
        backward(plan.sessions.last()),
    );
    let headline = if first == last {
        format!("{} backward each session", super::minutes(first))
    } else {
        format!(
            "From {} to {} backward each session",
            super::minutes(first),
            super::minutes(last)
        )
    };
    render(&PlanPreview {
        headline,
        chrome: viewer.chrome("today"),
        query: form_query(&form),
        days: form.day_boxes(),
        schedule_words: super::calendar::schedule_words(&plan.schedule),
        form,
        plan,
        rows,
        precautions,
    })
}

/// Stores the plan (it becomes the active one) and opens today's page.
pub(crate) async fn plan_create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    let (body, _) = match checked_form(&state, &viewer, &form).await? {
        Ok(checked) => checked,
        Err(page) => return Ok(page),
    };
    let _stored = records::add_plan(State(state), viewer.caller.clone(), ApiJson(body)).await?;
    Ok(see_other("/today"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PlanForm {
        PlanForm {
            goal: "knee".into(),
            setting: "ground".into(),
            level: "new".into(),
            days_per_week: "3".into(),
            weeks: "6".into(),
            start: "2026-12-01".into(),
            ..PlanForm::default()
        }
    }

    #[test]
    fn a_complete_form_parses() {
        let body = parse_plan_form(&form(), Units::Metric).unwrap();
        assert_eq!(body.days_per_week, 3);
        assert!(body.forward_speed_mps.is_none());
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let mut f = form();
        f.goal = String::new();
        f.days_per_week = "9".into();
        f.start = "tomorrow".into();
        f.setting = "treadmill".into();
        let errors = parse_plan_form(&f, Units::Metric).unwrap_err();
        for field in ["goal", "days_per_week", "start", "forward_speed"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(errors.get("forward_speed").unwrap().contains("km/h"));
    }

    #[test]
    fn ticked_weekdays_and_a_time_reach_the_plan_request() {
        let mut f = form();
        f.day_tue = "on".into();
        f.day_thu = "on".into();
        f.day_sat = "on".into();
        f.time_of_day = "07:30".into();
        let body = parse_plan_form(&f, Units::Metric).unwrap();
        assert_eq!(body.training_days.unwrap(), ["tue", "thu", "sat"]);
        assert_eq!(body.time_of_day.as_deref(), Some("07:30"));
        f.day_sat = String::new();
        f.time_of_day = "25:00".into();
        let errors = parse_plan_form(&f, Units::Metric).unwrap_err();
        assert!(errors.get("training_days").unwrap().contains("at least 3"));
        assert!(errors.get("time_of_day").unwrap().contains("HH:MM"));
    }

    #[test]
    fn treadmill_speed_is_read_in_the_persons_units() {
        let mut f = form();
        f.setting = "treadmill".into();
        f.forward_speed = "3".into();
        let body = parse_plan_form(&f, Units::Imperial).unwrap();
        assert!((body.forward_speed_mps.unwrap() - 1.341).abs() < 0.01);
    }

    #[test]
    fn every_question_is_a_step() {
        assert_eq!(STEPS, QUESTIONS.len() + 1);
        assert!(is_answer_key("age") && is_answer_key("pregnant") && !is_answer_key("csrf"));
    }
}

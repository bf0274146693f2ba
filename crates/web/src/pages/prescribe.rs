//! Prescribing on the pages (issue 15): the "Prescribe" part of a clinician's walker page (assign
//! a plan from the catalogue or a template, adjust the plan being followed, write a note, the
//! change history), the clinician's `/templates` page, and what the walker is shown on `/plan`,
//! `/today` and `/history`: who set their plan, when and why, the latest changes and the notes.
//!
//! Every form is parsed into the API's request type and handed to the API's own handler
//! (`api::prescribe`), whose 422 field errors come back as the form's messages.

use super::onboarding::DayBox;
use super::{Chrome, PageError, Viewer, see_other};
use crate::AppState;
use crate::api::clinician::granted;
use crate::api::prescribe::{
    self, AdjustBody, AssignBody, NoteBody, ParametersBody, TemplateBody, parameters_of,
};
use crate::problem::ApiError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use coach::plan::{Level, Setting, Units};
use coach::protocol::Goal;
use serde::Deserialize;
use store::{Id, NoteTarget, PlanChangeKind, Role};

fn day(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%d").to_string()
}

/// A prescription form as typed (every field text, so that a bad value comes back as typed).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PrescriptionForm {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) template_id: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) protocol: String,
    #[serde(default)]
    pub(crate) goal: String,
    #[serde(default)]
    pub(crate) level: String,
    #[serde(default)]
    pub(crate) setting: String,
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
    pub(crate) time_of_day: String,
    #[serde(default)]
    pub(crate) weeks: String,
    #[serde(default)]
    pub(crate) start_minutes: String,
    #[serde(default)]
    pub(crate) end_minutes: String,
    #[serde(default)]
    pub(crate) block_seconds: String,
    #[serde(default)]
    pub(crate) treadmill_speed: String,
    /// The unit `treadmill_speed` was shown in (see `super::shown_units`).
    #[serde(default)]
    pub(crate) treadmill_speed_unit: String,
    #[serde(default)]
    pub(crate) incline_from_week: String,
    #[serde(default)]
    pub(crate) override_bounds: String,
    #[serde(default)]
    pub(crate) start: String,
    #[serde(default)]
    pub(crate) reason: String,
    #[serde(default)]
    pub(crate) note: String,
}

impl PrescriptionForm {
    fn days(&self) -> [(&'static str, &String); 7] {
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

    /// The weekday boxes, Monday first.
    pub(crate) fn day_boxes(&self) -> Vec<DayBox> {
        self.days()
            .iter()
            .zip(coach::schedule::WEEKDAY_WORDS)
            .map(|((name, value), label)| DayBox {
                name,
                label,
                checked: !value.is_empty(),
            })
            .collect()
    }

    /// Whether the override box is ticked.
    pub(crate) fn overrides(&self) -> bool {
        !self.override_bounds.is_empty()
    }

    /// The form filled from a prescription's parameters (as stored with a plan or template).
    fn from_parameters(p: &serde_json::Value, units: Units) -> Self {
        let text = |k: &str| match p.get(k) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let ticked: Vec<String> = p
            .get("weekdays")
            .and_then(|w| w.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|d| d.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let on = |d: &str| {
            if ticked.iter().any(|t| t == d) {
                "on".to_string()
            } else {
                String::new()
            }
        };
        PrescriptionForm {
            protocol: text("protocol"),
            goal: text("goal"),
            level: text("level"),
            setting: text("setting"),
            day_mon: on("mon"),
            day_tue: on("tue"),
            day_wed: on("wed"),
            day_thu: on("thu"),
            day_fri: on("fri"),
            day_sat: on("sat"),
            day_sun: on("sun"),
            time_of_day: text("time_of_day"),
            weeks: text("weeks"),
            start_minutes: text("start_minutes"),
            end_minutes: text("end_minutes"),
            block_seconds: text("block_seconds"),
            treadmill_speed: p
                .get("treadmill_speed_mps")
                .and_then(serde_json::Value::as_f64)
                .map(|mps| super::speed_field(mps, units))
                .unwrap_or_default(),
            treadmill_speed_unit: super::speed_unit(units).to_string(),
            incline_from_week: text("incline_from_week"),
            override_bounds: if p.get("override_bounds") == Some(&serde_json::Value::Bool(true)) {
                "on".into()
            } else {
                String::new()
            },
            ..PrescriptionForm::default()
        }
    }

    /// The API's parameters, or what is wrong with the form, field by field in words.
    fn parameters(&self, profile: Units) -> Result<ParametersBody, Vec<String>> {
        let mut errors = Vec::new();
        let speed = if self.treadmill_speed.trim().is_empty() {
            None
        } else {
            let mut wrong = super::FormErrors::default();
            let units = super::shown_units(&self.treadmill_speed_unit, profile);
            let speed = super::read_speed_field(
                &mut wrong,
                "treadmill_speed",
                &self.treadmill_speed,
                units,
                None,
            );
            if let Some(message) = wrong.get("treadmill_speed") {
                errors.push(format!("Backward treadmill speed: {message}"));
            }
            speed.map(coach::measure::Speed::mps)
        };
        fn choice<T: for<'de> Deserialize<'de>>(
            value: &str,
            what: &str,
            errors: &mut Vec<String>,
        ) -> Option<T> {
            let parsed = serde_json::from_value(serde_json::Value::String(value.to_string()));
            if parsed.is_err() {
                errors.push(format!("Choose a {what}."));
            }
            parsed.ok()
        }
        fn number<T: std::str::FromStr>(
            value: &str,
            what: &str,
            errors: &mut Vec<String>,
        ) -> Option<T> {
            let parsed = value.trim().parse().ok();
            if parsed.is_none() {
                errors.push(format!(
                    "{what}: {:?} is not a whole number.",
                    value.chars().take(20).collect::<String>()
                ));
            }
            parsed
        }
        let optional = |value: &str, what: &str, errors: &mut Vec<String>| -> Option<u32> {
            if value.trim().is_empty() {
                None
            } else {
                number(value, what, errors)
            }
        };
        let goal: Option<Goal> = choice(&self.goal, "goal", &mut errors);
        let level: Option<Level> = choice(&self.level, "level", &mut errors);
        let setting: Option<Setting> = choice(&self.setting, "setting", &mut errors);
        let weeks: Option<u8> = number(&self.weeks, "Weeks", &mut errors);
        let start_minutes: Option<u32> = number(
            &self.start_minutes,
            "Backward minutes at the start",
            &mut errors,
        );
        let end_minutes = optional(
            &self.end_minutes,
            "Backward minutes at the end",
            &mut errors,
        );
        let block_seconds = optional(&self.block_seconds, "Longest backward block", &mut errors);
        let incline = optional(&self.incline_from_week, "Incline from week", &mut errors)
            .map(|w| u8::try_from(w).unwrap_or(u8::MAX));
        let weekdays: Vec<String> = self
            .days()
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(n, _)| (*n).to_string())
            .collect();
        if weekdays.is_empty() {
            errors.push("Tick at least one weekday.".into());
        }
        match (
            goal,
            level,
            setting,
            weeks,
            start_minutes,
            errors.is_empty(),
        ) {
            (Some(goal), Some(level), Some(setting), Some(weeks), Some(start_minutes), true) => {
                Ok(ParametersBody {
                    protocol: self.protocol.clone(),
                    goal,
                    level,
                    setting,
                    weekdays,
                    time_of_day: Some(self.time_of_day.trim().to_string())
                        .filter(|t| !t.is_empty()),
                    weeks,
                    start_minutes,
                    end_minutes,
                    block_seconds,
                    treadmill_speed_mps: speed,
                    incline_from_week: incline,
                    override_bounds: self.overrides(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// The API's refusal in words, one line per field.
fn messages(e: &ApiError) -> Vec<String> {
    if e.field_errors().is_empty() {
        vec![e.detail().to_string()]
    } else {
        e.field_errors()
            .iter()
            .map(|f| {
                let field = f.field.trim_start_matches("parameters.").replace('_', " ");
                format!("{field}: {}", f.message)
            })
            .collect()
    }
}

/// Only refusals of the input are shown on the form; anything else is the error page.
fn form_refusal(e: ApiError) -> Result<Vec<String>, PageError> {
    match e.status().as_u16() {
        409 | 422 => Ok(messages(&e)),
        _ => Err(e.into()),
    }
}

/// One change to a walker's plan, as shown.
pub(crate) struct ChangeRow {
    pub(crate) on: String,
    pub(crate) by: String,
    pub(crate) summary: String,
    pub(crate) reason: String,
}

/// One clinician note, as shown.
pub(crate) struct NoteRow {
    pub(crate) id: Id,
    pub(crate) by: String,
    pub(crate) on: String,
    pub(crate) about: String,
    pub(crate) text: String,
    pub(crate) mine: bool,
}

/// What the forms of the Prescribe part show after a refused submit.
#[derive(Default)]
pub(crate) struct Typed {
    pub(crate) assign: Option<(PrescriptionForm, Vec<String>)>,
    pub(crate) adjust: Option<(PrescriptionForm, Vec<String>)>,
    pub(crate) note: Option<(String, String, Vec<String>)>,
}

/// The Prescribe part of a clinician's walker page.
pub(crate) struct Section {
    pub(crate) walker: Id,
    pub(crate) protocols: Vec<(&'static str, &'static str)>,
    pub(crate) goals: Vec<&'static str>,
    pub(crate) templates: Vec<(Id, String)>,
    pub(crate) assign: PrescriptionForm,
    pub(crate) assign_errors: Vec<String>,
    pub(crate) active_plan: Option<Id>,
    pub(crate) adjust: PrescriptionForm,
    pub(crate) adjust_errors: Vec<String>,
    pub(crate) note_targets: Vec<(String, String)>,
    pub(crate) note_target: String,
    pub(crate) note_text: String,
    pub(crate) note_errors: Vec<String>,
    pub(crate) notes: Vec<NoteRow>,
    pub(crate) changes: Vec<ChangeRow>,
}

fn change_rows(changes: Vec<store::PlanChange>) -> Vec<ChangeRow> {
    changes
        .into_iter()
        .map(|c| ChangeRow {
            on: day(c.changed_at),
            by: c.changed_by_email,
            summary: c.summary,
            reason: c.reason,
        })
        .collect()
}

fn note_rows(notes: Vec<store::ClinicianNote>, me: Option<Id>) -> Vec<NoteRow> {
    notes
        .into_iter()
        .map(|n| NoteRow {
            id: n.id,
            mine: Some(n.clinician_id) == me,
            by: n.clinician_email,
            on: day(n.created_at),
            about: match n.target {
                NoteTarget::Plan(p) => format!("plan {p}"),
                NoteTarget::Session(s) => format!("session {s}"),
            },
            text: n.body,
        })
        .collect()
}

impl Section {
    /// Adds the walker's latest sessions (id, day) to what a note may be on.
    pub(crate) fn with_sessions(mut self, sessions: &[(Id, String)]) -> Self {
        for (id, date) in sessions.iter().take(NOTE_SESSIONS) {
            self.note_targets
                .push((format!("session:{id}"), format!("Session of {date}")));
        }
        self
    }
}

/// Sessions offered to write a note on: the latest ones.
const NOTE_SESSIONS: usize = 10;

/// Builds the Prescribe part for a walker under a grant that shares plans; the caller writes the
/// access log before the page is sent.
pub(crate) async fn section(
    state: &AppState,
    viewer: &Viewer,
    walker: Id,
    typed: Typed,
) -> Result<Section, PageError> {
    // 404 without a grant in force that shares plans.
    granted(state, &viewer.caller, walker, store::SharedData::Plans).await?;
    let active = state.store.active_plan(walker).await?;
    let changes = state.store.plan_changes(walker).await?;
    let notes = state.store.notes(walker).await?;
    let templates = state
        .store
        .templates(viewer.caller.id())
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let (assign, assign_errors) = typed.assign.unwrap_or_else(|| {
        let mut form = PrescriptionForm::from_parameters(
            &serde_json::json!({
                "protocol": "daily-10min", "goal": "general", "level": "new", "setting": "hallway",
                "weekdays": ["mon", "wed", "fri"], "weeks": 6, "start_minutes": 5
            }),
            viewer.units(),
        );
        form.start = jiff::Zoned::now().date().to_string();
        (form, Vec::new())
    });
    let (adjust, adjust_errors) = typed.adjust.unwrap_or_else(|| {
        let form = active.as_ref().map_or_else(PrescriptionForm::default, |p| {
            let sessions: Vec<_> = p.sessions.iter().map(|s| s.session.clone()).collect();
            PrescriptionForm::from_parameters(&parameters_of(&p.plan, &sessions), viewer.units())
        });
        (form, Vec::new())
    });
    let mut note_targets = Vec::new();
    if let Some(p) = &active {
        note_targets.push((
            format!("plan:{}", p.plan.id),
            format!("The plan (from {})", p.plan.fields.start),
        ));
    }
    let (note_target, note_text, note_errors) = typed.note.unwrap_or_default();
    Ok(Section {
        walker,
        protocols: coach::protocol::PROTOCOLS
            .iter()
            .map(|p| (p.id, p.name))
            .collect(),
        goals: Goal::ALL.iter().map(|g| g.as_str()).collect(),
        templates,
        assign,
        assign_errors,
        active_plan: active.map(|p| p.plan.id),
        adjust,
        adjust_errors,
        note_targets,
        note_target,
        note_text,
        note_errors,
        notes: note_rows(notes, Some(viewer.caller.id())),
        changes: change_rows(changes),
    })
}

fn walker_id(id: &str) -> Result<Id, PageError> {
    Ok(crate::api::parse_id(id, "walker")?)
}

fn to_walker(walker: Id) -> Response {
    see_other(&format!("/walkers/{walker}#prescribe"))
}

/// Assigns a plan from the walker page's form.
pub(crate) async fn assign(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<PrescriptionForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let walker = walker_id(&id)?;
    let grant = granted(&state, &viewer.caller, walker, store::SharedData::Plans).await?;
    let template_id = form.template_id.trim().parse::<Id>().ok();
    let parameters = match template_id {
        Some(_) => None,
        None => match form.parameters(viewer.units()) {
            Ok(p) => Some(p),
            Err(errors) => return again(&state, &viewer, walker, assign_typed(form, errors)).await,
        },
    };
    let start = match form.start.trim().parse::<jiff::civil::Date>() {
        Ok(d) => d,
        Err(_) => {
            let errors = vec!["First day: expected a date, YYYY-MM-DD.".to_string()];
            return again(&state, &viewer, walker, assign_typed(form, errors)).await;
        }
    };
    let body = AssignBody::new(
        parameters,
        template_id,
        start,
        form.reason.clone(),
        (!form.note.trim().is_empty()).then(|| form.note.clone()),
    );
    match prescribe::assign(
        &state,
        &viewer.caller,
        &grant,
        body,
        "POST /walkers/{id}/prescribe".into(),
    )
    .await
    {
        Ok(_) => Ok(to_walker(walker)),
        Err(e) => {
            let errors = form_refusal(e)?;
            again(&state, &viewer, walker, assign_typed(form, errors)).await
        }
    }
}

fn assign_typed(form: PrescriptionForm, errors: Vec<String>) -> Typed {
    Typed {
        assign: Some((form, errors)),
        ..Typed::default()
    }
}

fn adjust_typed(form: PrescriptionForm, errors: Vec<String>) -> Typed {
    Typed {
        adjust: Some((form, errors)),
        ..Typed::default()
    }
}

async fn again(
    state: &AppState,
    viewer: &Viewer,
    walker: Id,
    typed: Typed,
) -> Result<Response, PageError> {
    super::sharing::walker_page(
        state,
        viewer,
        walker,
        super::sharing::Refused::Prescription(Box::new(typed)),
    )
    .await
}

/// Adjusts the walker's plan from the walker page's form.
pub(crate) async fn adjust(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, plan)): Path<(String, String)>,
    Form(form): Form<PrescriptionForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let walker = walker_id(&id)?;
    let plan = crate::api::parse_id(&plan, "plan")?;
    let grant = granted(&state, &viewer.caller, walker, store::SharedData::Plans).await?;
    let parameters = match form.parameters(viewer.units()) {
        Ok(p) => p,
        Err(errors) => return again(&state, &viewer, walker, adjust_typed(form, errors)).await,
    };
    let body = AdjustBody::new(parameters, form.reason.clone());
    match prescribe::adjust(
        &state,
        &viewer.caller,
        &grant,
        plan,
        body,
        "POST /walkers/{id}/plans/{plan}/adjust".into(),
    )
    .await
    {
        Ok(_) => Ok(to_walker(walker)),
        Err(e) => {
            let errors = form_refusal(e)?;
            again(&state, &viewer, walker, adjust_typed(form, errors)).await
        }
    }
}

/// The note form.
#[derive(Debug, Deserialize)]
pub(crate) struct NoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    text: String,
}

/// Writes a note from the walker page's form.
pub(crate) async fn note(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let walker = walker_id(&id)?;
    let grant = granted(&state, &viewer.caller, walker, store::SharedData::Plans).await?;
    let target = form.target.split_once(':').and_then(|(kind, id)| {
        let id = id.parse::<Id>().ok()?;
        match kind {
            "plan" => Some((Some(id), None)),
            "session" => Some((None, Some(id))),
            _ => None,
        }
    });
    let refused = |errors: Vec<String>| Typed {
        note: Some((form.target.clone(), form.text.clone(), errors)),
        ..Typed::default()
    };
    let Some((plan_id, session_id)) = target else {
        return again(
            &state,
            &viewer,
            walker,
            refused(vec!["Choose what the note is about.".into()]),
        )
        .await;
    };
    let body = NoteBody {
        plan_id,
        session_id,
        text: form.text.clone(),
    };
    match prescribe::write_note(
        &state,
        &viewer.caller,
        &grant,
        &body,
        "POST /walkers/{id}/notes".into(),
    )
    .await
    {
        Ok(_) => Ok(to_walker(walker)),
        Err(e) => {
            let errors = form_refusal(e)?;
            again(&state, &viewer, walker, refused(errors)).await
        }
    }
}

/// Deletes one of the caller's notes from the walker page.
pub(crate) async fn delete_note(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, note)): Path<(String, String)>,
    Form(form): Form<super::public::CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let walker = walker_id(&id)?;
    let note = crate::api::parse_id(&note, "note")?;
    let grant = granted(&state, &viewer.caller, walker, store::SharedData::Plans).await?;
    prescribe::remove_note(
        &state,
        &viewer.caller,
        &grant,
        note,
        "POST /walkers/{id}/notes/{note}/delete".into(),
    )
    .await?;
    Ok(to_walker(walker))
}

struct TemplateRow {
    id: Id,
    name: String,
    form: PrescriptionForm,
}

#[derive(Template)]
#[template(path = "templates.html")]
struct TemplatesPage {
    chrome: Chrome,
    protocols: Vec<(&'static str, &'static str)>,
    goals: Vec<&'static str>,
    templates: Vec<TemplateRow>,
    form: PrescriptionForm,
    errors: Vec<String>,
    /// The template whose edit was refused, with the messages.
    edit_errors: Option<(Id, Vec<String>)>,
}

async fn templates_page(
    state: &AppState,
    viewer: &Viewer,
    form: Option<(PrescriptionForm, Vec<String>)>,
    edit_errors: Option<(Id, PrescriptionForm, Vec<String>)>,
) -> Result<Response, PageError> {
    viewer.caller.require(&[Role::Clinician])?;
    // A form sent back with its errors is a 422, like every other refused form.
    let status = if form.is_some() || edit_errors.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let templates = state
        .store
        .templates(viewer.caller.id())
        .await?
        .into_iter()
        .map(|t| {
            let form = match &edit_errors {
                Some((id, typed, _)) if *id == t.id => typed.clone(),
                _ => {
                    let mut f = PrescriptionForm::from_parameters(&t.parameters, viewer.units());
                    f.name = t.name.clone();
                    f
                }
            };
            TemplateRow {
                id: t.id,
                name: t.name,
                form,
            }
        })
        .collect();
    let (form, errors) = form.unwrap_or_else(|| {
        (
            PrescriptionForm::from_parameters(
                &serde_json::json!({
                    "protocol": "daily-10min", "goal": "general", "level": "new",
                    "setting": "hallway", "weekdays": ["mon", "wed", "fri"], "weeks": 6,
                    "start_minutes": 5
                }),
                viewer.units(),
            ),
            Vec::new(),
        )
    });
    super::render_status(
        status,
        &TemplatesPage {
            chrome: viewer.chrome("templates"),
            protocols: coach::protocol::PROTOCOLS
                .iter()
                .map(|p| (p.id, p.name))
                .collect(),
            goals: Goal::ALL.iter().map(|g| g.as_str()).collect(),
            templates,
            form,
            errors,
            edit_errors: edit_errors.map(|(id, _, e)| (id, e)),
        },
    )
}

/// The clinician's templates: list, make, edit, delete.
pub(crate) async fn templates(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    templates_page(&state, &viewer, None, None).await
}

/// Saves a new template (`/templates`) or an edited one (`/templates/{id}`).
async fn save(
    state: &AppState,
    viewer: &Viewer,
    id: Option<Id>,
    form: PrescriptionForm,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let refused = |form: PrescriptionForm, errors: Vec<String>| match id {
        None => (Some((form, errors)), None),
        Some(id) => (None, Some((id, form, errors))),
    };
    let parameters = match form.parameters(viewer.units()) {
        Ok(p) => p,
        Err(errors) => {
            let (new, edit) = refused(form, errors);
            return templates_page(state, viewer, new, edit).await;
        }
    };
    let body = TemplateBody {
        name: form.name.clone(),
        parameters,
    };
    match prescribe::save_template(state, &viewer.caller, id, &body).await {
        Ok(_) => Ok(see_other("/templates")),
        Err(e) => {
            let errors = form_refusal(e)?;
            let (new, edit) = refused(form, errors);
            templates_page(state, viewer, new, edit).await
        }
    }
}

/// Makes a template from the page's form.
pub(crate) async fn create_template(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<PrescriptionForm>,
) -> Result<Response, PageError> {
    save(&state, &viewer, None, form).await
}

/// Saves an edited template.
pub(crate) async fn edit_template(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<PrescriptionForm>,
) -> Result<Response, PageError> {
    let id = crate::api::parse_id(&id, "template")?;
    save(&state, &viewer, Some(id), form).await
}

/// Deletes a template.
pub(crate) async fn delete_template(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<super::public::CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    prescribe::delete_template(State(state), viewer.caller.clone(), Path(id)).await?;
    Ok(see_other("/templates"))
}

/// What the walker is shown about who set their plan: on `/plan` and `/today`.
#[derive(Default)]
pub(crate) struct Prescribed {
    /// "Plan set by X on DATE", and the reason, when a clinician set the active plan.
    pub(crate) set_by: Option<(String, String, String)>,
    /// The latest changes to the active plan, newest first (at most three).
    pub(crate) changes: Vec<ChangeRow>,
    /// The clinicians' notes on the active plan.
    pub(crate) notes: Vec<NoteRow>,
}

/// Changes shown on the walker's pages.
const CHANGES_SHOWN: usize = 3;

/// Who set the walker's active plan, its latest changes and its notes.
pub(crate) async fn prescribed(
    state: &AppState,
    walker: Id,
    plan: Id,
) -> Result<Prescribed, PageError> {
    let changes: Vec<store::PlanChange> = state
        .store
        .plan_changes(walker)
        .await?
        .into_iter()
        .filter(|c| c.plan_id == Some(plan))
        .collect();
    let set_by = changes
        .iter()
        .rev()
        .find(|c| c.kind == PlanChangeKind::Assigned)
        .map(|c| {
            (
                c.changed_by_email.clone(),
                day(c.changed_at),
                c.reason.clone(),
            )
        });
    let notes = state
        .store
        .notes(walker)
        .await?
        .into_iter()
        .filter(|n| n.target == NoteTarget::Plan(plan))
        .collect();
    Ok(Prescribed {
        set_by,
        changes: change_rows(
            changes
                .into_iter()
                .filter(|c| c.kind == PlanChangeKind::Adjusted)
                .take(CHANGES_SHOWN)
                .collect(),
        ),
        notes: note_rows(notes, None),
    })
}

/// The clinicians' notes on the walker's sessions, by session.
pub(crate) async fn session_notes(
    state: &AppState,
    walker: Id,
) -> Result<Vec<(Id, String)>, PageError> {
    Ok(state
        .store
        .notes(walker)
        .await?
        .into_iter()
        .filter_map(|n| match n.target {
            NoteTarget::Session(s) => Some((
                s,
                format!("{} ({}): {}", n.clinician_email, day(n.created_at), n.body),
            )),
            NoteTarget::Plan(_) => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> PrescriptionForm {
        PrescriptionForm::from_parameters(
            &serde_json::json!({
                "protocol": "daily-10min", "goal": "general", "level": "new",
                "setting": "treadmill", "weekdays": ["tue", "thu"], "weeks": 4,
                "start_minutes": 5, "treadmill_speed_mps": 0.8940
            }),
            Units::Imperial,
        )
    }

    #[test]
    fn a_form_shown_in_one_unit_reads_back_in_it() {
        let form = typed();
        assert_eq!(form.treadmill_speed, "2.0");
        assert_eq!(form.treadmill_speed_unit, "mph");
        // The profile switched to metric since: the field is still read in mph.
        let p = form.parameters(Units::Metric).unwrap();
        assert!((p.treadmill_speed_mps.unwrap() - 0.89408).abs() < 1e-6);
        assert_eq!(p.weekdays, ["tue", "thu"]);
    }

    #[test]
    fn bad_fields_come_back_in_words() {
        let mut form = typed();
        form.treadmill_speed = "fast".into();
        form.weeks = "six".into();
        form.day_tue.clear();
        form.day_thu.clear();
        let errors = form.parameters(Units::Metric).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("Backward treadmill speed"))
        );
        assert!(
            errors
                .iter()
                .any(|e| e.contains("\"six\" is not a whole number"))
        );
        assert!(errors.iter().any(|e| e.contains("weekday")));
    }
}

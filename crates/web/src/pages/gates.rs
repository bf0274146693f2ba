//! Progression gates, alerts and pauses in the browser (issue 15): the clinician's section of a
//! walker's page (the gates form, open alerts with Acknowledge, a paused banner with Resume) and
//! the walker's note on /today and /plan (who set the rules and why, the pause in force, and
//! resuming it themselves when they share with no clinician). Every read and write goes through
//! `api::gates`, which checks the grant and writes the access log.

use super::{PageError, Viewer, see_other};
use crate::AppState;
use crate::api::gates::{self as api, GatesBody, NearFallBody};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use store::Id;

/// What the walker reads about their progression rules and any pause.
pub(crate) struct ProgressionNote {
    /// "Progression paused after your fall on ...", when paused.
    pub(crate) paused: Option<String>,
    /// Whether the walker may resume it themselves (they share with no clinician).
    pub(crate) self_resume: bool,
    /// "Rules set by ... on ...: reason", when a clinician set them.
    pub(crate) rules_by: Option<String>,
    /// The gates in words, when a clinician set them.
    pub(crate) gates_words: Vec<String>,
}

/// The walker's note, for /today and /plan.
pub(crate) async fn progression_note(
    state: &AppState,
    walker: Id,
) -> Result<ProgressionNote, PageError> {
    let (rules, stored, pause) = api::rules_in_force(state, walker).await?;
    let clinicians: Vec<String> = state
        .store
        .grants(walker)
        .await?
        .into_iter()
        .filter(|g| g.revoked_at.is_none())
        .map(|g| g.clinician_email)
        .collect();
    let paused = pause.map(|p| {
        let what = p.pause.why.words();
        let day = p.pause.local_date;
        if clinicians.is_empty() {
            format!(
                "Progression paused after {what} on {day}: your next session repeats the last dose. You share with no clinician, so if you were not injured you can resume it yourself below; if you were hurt, see a clinician first."
            )
        } else {
            format!(
                "Progression paused after {what} on {day}: your clinician {} will resume it.",
                clinicians.join(" or ")
            )
        }
    });
    Ok(ProgressionNote {
        self_resume: paused.is_some() && clinicians.is_empty(),
        paused,
        rules_by: stored.map(|s| {
            format!(
                "Rules set by {} on {}: {}",
                s.set_by_email,
                s.set_at.to_zoned(jiff::tz::TimeZone::UTC).date(),
                s.reason
            )
        }),
        gates_words: if rules.set_by == coach::gates::SetBy::BuiltIn {
            Vec::new()
        } else {
            rules.gates.in_words()
        },
    })
}

/// Each reason with the rule that gave it and who set it, as the walker reads them.
pub(crate) fn reasons_with_rules(p: &coach::progression::Progression) -> Vec<String> {
    p.reasons
        .iter()
        .zip(&p.rules)
        .map(|(reason, rule)| format!("{reason} (Rule: {}, {}.)", rule.rule.as_str(), rule.set_by))
        .collect()
}

/// The walker's "I was not injured" form.
#[derive(Debug, Deserialize)]
pub(crate) struct SelfResumeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    uninjured: String,
}

/// Resumes the walker's own progression (only without a clinician, once they confirm they were
/// not injured).
pub(crate) async fn resume_mine(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<SelfResumeForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    api::self_resume(&state, &viewer.caller, form.uninjured == "on").await?;
    Ok(see_other("/today"))
}

/// One open alert on the clinician's page.
pub(crate) struct AlertRow {
    pub(crate) id: Id,
    pub(crate) kind: String,
    pub(crate) words: String,
    pub(crate) raised: String,
}

/// The gates form's values, as text (so a refused form comes back as typed).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct GatesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub(crate) pain_rise_holds: String,
    #[serde(default)]
    pub(crate) pain_rise_steps_down: String,
    #[serde(default)]
    pub(crate) near_fall: String,
    #[serde(default)]
    pub(crate) rpe_streak_sessions: String,
    #[serde(default)]
    pub(crate) rpe_streak_at_most: String,
    #[serde(default)]
    pub(crate) hold_above_rpe: String,
    #[serde(default)]
    pub(crate) hold_below_completion: String,
    #[serde(default)]
    pub(crate) step_down_below_completion: String,
    #[serde(default)]
    pub(crate) missed_sessions_alert: String,
    #[serde(default)]
    pub(crate) reason: String,
}

impl GatesForm {
    fn from_body(g: &GatesBody) -> Self {
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        GatesForm {
            csrf: String::new(),
            pain_rise_holds: g.pain_rise_holds.to_string(),
            pain_rise_steps_down: g.pain_rise_steps_down.to_string(),
            near_fall: match g.near_fall {
                NearFallBody::StepDown => "step_down",
                NearFallBody::StepDownAndAlert => "step_down_and_alert",
                NearFallBody::PauseAndAlert => "pause_and_alert",
            }
            .to_string(),
            rpe_streak_sessions: opt(g.rpe_streak_sessions),
            rpe_streak_at_most: opt(g.rpe_streak_at_most),
            hold_above_rpe: g.hold_above_rpe.to_string(),
            hold_below_completion: g.hold_below_completion.to_string(),
            step_down_below_completion: g.step_down_below_completion.to_string(),
            missed_sessions_alert: g.missed_sessions_alert.to_string(),
            reason: String::new(),
        }
    }

    /// The form as the API's body; a number that is not one names its field.
    fn to_body(&self) -> Result<GatesBody, String> {
        fn number(field: &str, text: &str) -> Result<i64, String> {
            text.trim()
                .parse()
                .map_err(|_| format!("{field}: expected a whole number"))
        }
        fn optional(field: &str, text: &str) -> Result<Option<i64>, String> {
            if text.trim().is_empty() {
                Ok(None)
            } else {
                number(field, text).map(Some)
            }
        }
        Ok(GatesBody {
            pain_rise_holds: number("Pain rise that holds", &self.pain_rise_holds)?,
            pain_rise_steps_down: number("Pain rise that steps down", &self.pain_rise_steps_down)?,
            near_fall: match self.near_fall.as_str() {
                "step_down" => NearFallBody::StepDown,
                "step_down_and_alert" => NearFallBody::StepDownAndAlert,
                "pause_and_alert" => NearFallBody::PauseAndAlert,
                _ => return Err("Near-fall: choose what a near-fall does".to_string()),
            },
            rpe_streak_sessions: optional("Sessions in a row", &self.rpe_streak_sessions)?,
            rpe_streak_at_most: optional("At effort at most", &self.rpe_streak_at_most)?,
            hold_above_rpe: number("Effort above which to hold", &self.hold_above_rpe)?,
            hold_below_completion: number(
                "Completion below which to hold",
                &self.hold_below_completion,
            )?,
            step_down_below_completion: number(
                "Completion below which to step down",
                &self.step_down_below_completion,
            )?,
            missed_sessions_alert: number(
                "Missed sessions that alert",
                &self.missed_sessions_alert,
            )?,
        })
    }
}

/// The clinician's section of a walker's page.
pub(crate) struct WalkerGates {
    pub(crate) walker_id: Id,
    pub(crate) form: GatesForm,
    pub(crate) error: Option<String>,
    pub(crate) set_by: String,
    pub(crate) reason: Option<String>,
    pub(crate) in_words: Vec<String>,
    pub(crate) alerts: Vec<AlertRow>,
    pub(crate) paused: Option<String>,
}

/// Reads the walker's gates and open alerts under the grant (both logged as reads from
/// `GET /walkers/{id}`); `form` and `error` bring back a refused form.
pub(crate) async fn walker_gates(
    state: &AppState,
    viewer: &Viewer,
    walker: Id,
    refused: Option<(GatesForm, String)>,
) -> Result<WalkerGates, PageError> {
    let route = "GET /walkers/{id}".to_string();
    let grant =
        crate::api::clinician::granted(state, &viewer.caller, walker, store::SharedData::Plans)
            .await?;
    let (rules, stored, pause) = api::rules_in_force(state, walker).await?;
    crate::api::clinician::record(
        state,
        &viewer.caller,
        &grant,
        store::AccessAction::Read,
        "progression gates",
        route.clone(),
    )
    .await?;
    let alerts = api::walker_alerts(state, &viewer.caller, walker, route).await?;
    let (form, error) = match refused {
        Some((form, error)) => (form, Some(error)),
        None => (GatesForm::from_body(&GatesBody::from(&rules.gates)), None),
    };
    Ok(WalkerGates {
        walker_id: walker,
        form,
        error,
        set_by: rules.set_by.to_string(),
        reason: stored.map(|s| s.reason),
        in_words: rules.gates.in_words(),
        alerts: alerts.into_iter().map(alert_row).collect(),
        paused: pause.map(|p| {
            format!(
                "Progression is paused after {} on {}: the walker repeats the last dose until you resume it.",
                match p.pause.why {
                    coach::gates::PauseCause::Fall => "a fall",
                    coach::gates::PauseCause::NearFall => "a near-fall",
                },
                p.pause.local_date
            )
        }),
    })
}

/// Sets the walker's gates from the form; a refused form comes back with the message.
pub(crate) async fn set_gates(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<GatesForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let walker = crate::api::parse_id(&id, "walker")?;
    let grant =
        crate::api::clinician::granted(&state, &viewer.caller, walker, store::SharedData::Plans)
            .await?;
    let parsed = form.to_body().and_then(|body| {
        let gates = body.parse("").map_err(|e| problem_words(&e))?;
        let reason = api::note("reason", &form.reason, true).map_err(|e| problem_words(&e))?;
        Ok((gates, reason))
    });
    match parsed {
        Ok((gates, reason)) => {
            api::set_gates(
                &state,
                &viewer.caller,
                &grant,
                gates,
                reason,
                "POST /walkers/{id}/gates".into(),
            )
            .await?;
            Ok(see_other(&format!("/walkers/{walker}#gates")))
        }
        Err(message) => {
            super::sharing::walker_page(
                &state,
                &viewer,
                walker,
                super::sharing::Refused::Gates(Box::new((form, message))),
            )
            .await
        }
    }
}

fn problem_words(e: &crate::problem::ApiError) -> String {
    let fields: Vec<String> = e
        .field_errors()
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect();
    if fields.is_empty() {
        e.detail().to_string()
    } else {
        fields.join("; ")
    }
}

/// A note with an acknowledgement or a resumption.
#[derive(Debug, Deserialize)]
pub(crate) struct NoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

/// Acknowledges one of the walker's alerts.
pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, alert)): Path<(String, String)>,
    Form(form): Form<NoteForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let walker = crate::api::parse_id(&id, "walker")?;
    let alert = crate::api::parse_id(&alert, "alert")?;
    let note = api::note("note", &form.note, false)?;
    api::acknowledge(
        &state,
        &viewer.caller,
        alert,
        note,
        "POST /walkers/{id}/alerts/{alert}/acknowledge".into(),
    )
    .await?;
    Ok(see_other(&format!("/walkers/{walker}#alerts")))
}

/// Resumes the walker's progression.
pub(crate) async fn resume(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let walker = crate::api::parse_id(&id, "walker")?;
    let grant =
        crate::api::clinician::granted(&state, &viewer.caller, walker, store::SharedData::Plans)
            .await?;
    let reason = if form.note.trim().is_empty() {
        "resumed by the clinician".to_string()
    } else {
        api::note("note", &form.note, false)?
    };
    api::resume(
        &state,
        &viewer.caller,
        &grant,
        reason,
        "POST /walkers/{id}/resume".into(),
    )
    .await?;
    Ok(see_other(&format!("/walkers/{walker}#gates")))
}

/// One open alert on the caseload page.
pub(crate) struct CaseloadAlert {
    pub(crate) walker_id: Id,
    pub(crate) walker: String,
    pub(crate) alert: AlertRow,
}

fn alert_row(a: api::AlertView) -> AlertRow {
    AlertRow {
        id: a.id,
        kind: serde_json::to_value(a.kind)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default(),
        words: a.words,
        raised: a.raised_at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// The open alerts of every walker who shares with the clinician, for the caseload page (missed
/// sessions counted first). Each walker's read is logged from `GET /walkers`, all in one batch:
/// one transaction for the whole caseload, not one per walker.
pub(crate) async fn caseload_alerts(
    state: &AppState,
    viewer: &Viewer,
    caseload: &[crate::api::caseload::CaseloadEntry],
) -> Result<Vec<CaseloadAlert>, PageError> {
    let now = jiff::Timestamp::now();
    let mut all = Vec::new();
    let mut reads = Vec::new();
    // The caseload lists exactly the walkers under a grant in force that shares sessions.
    for entry in caseload {
        api::raise_missed(state, entry.id, entry.missed_sessions).await?;
        let alerts = state.store.alerts(entry.id, true).await?;
        reads.push(store::AccessEntry {
            clinician_id: Some(viewer.caller.id()),
            clinician_email: viewer.caller.user.email.clone(),
            walker_id: entry.id,
            at: now,
            action: store::AccessAction::Read,
            what: "alerts".to_string(),
            route: "GET /walkers".to_string(),
        });
        all.extend(alerts.into_iter().map(|a| CaseloadAlert {
            walker_id: entry.id,
            walker: entry.email.clone(),
            alert: alert_row(api::AlertView::from(a)),
        }));
    }
    // Written before the page is sent, like every other read.
    state.store.log_accesses(&reads).await?;
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_round_trips_the_gates_and_names_what_is_not_a_number() {
        let body = GatesBody::from(&coach::gates::Gates::default());
        let form = GatesForm::from_body(&body);
        let back = form.to_body().unwrap();
        assert_eq!(back.parse("").unwrap(), coach::gates::Gates::default());
        let mut bad = form.clone();
        bad.hold_above_rpe = "hard".into();
        assert!(
            bad.to_body()
                .unwrap_err()
                .contains("Effort above which to hold")
        );
        let mut bad = form;
        bad.near_fall = "ignore".into();
        assert!(bad.to_body().unwrap_err().contains("Near-fall"));
    }

    #[test]
    fn every_reason_names_its_rule_and_who_set_it() {
        let p = coach::progression::decide(None, 300);
        let words = reasons_with_rules(&p);
        assert_eq!(words.len(), 1);
        assert!(
            words[0].ends_with("(Rule: plan_start, built-in.)"),
            "{words:?}"
        );
    }
}

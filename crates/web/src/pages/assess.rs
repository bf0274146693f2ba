//! The 3-metre backward walk test: instructions and safety notes, a stopwatch (a small script;
//! the time can also be typed), and the result interpreted by the coach against the published
//! cut-off for the chosen population. With htmx the result replaces only its panel, so the
//! stopwatch and the form stay as they were.

use super::{Chrome, FormErrors, PageError, Viewer, parse_number, render, render_status};
use crate::AppState;
use crate::api::sessions::{self, AssessmentBody};
use crate::problem::ApiJson;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use coach::assessment::{FallRisk, Population, ThreeMbwtResult};
use coach::evidence::Source;
use serde::Deserialize;

/// A population in the form's list.
struct PopulationChoice {
    value: &'static str,
    label: &'static str,
}

fn population_label(p: Population) -> &'static str {
    match p {
        Population::OlderAdults => "Older adults living at home",
        Population::NursingHome => "Nursing-home residents",
        Population::Parkinsons => "Parkinson's disease",
        Population::MultipleSclerosis => "Multiple sclerosis",
        Population::Stroke => "After a stroke",
        Population::KneeOsteoarthritis => "Knee osteoarthritis",
    }
}

fn choices() -> Vec<PopulationChoice> {
    Population::ALL
        .iter()
        .map(|p| PopulationChoice {
            value: p.as_str(),
            label: population_label(*p),
        })
        .collect()
}

/// The interpreted result.
pub(crate) struct ResultView {
    seconds: String,
    risk: &'static str,
    risk_class: &'static str,
    interpretation: String,
    sources: Vec<&'static Source>,
}

#[derive(Template)]
#[template(path = "three_mbwt.html")]
struct ThreeMbwtPage {
    chrome: Chrome,
    populations: Vec<PopulationChoice>,
    population: String,
    seconds: String,
    errors: FormErrors,
    result: Option<ResultView>,
}

/// The same page's form and result panel alone, for htmx to swap in.
#[derive(Template)]
#[template(path = "three_mbwt.html", block = "panel")]
struct ResultPanel {
    chrome: Chrome,
    populations: Vec<PopulationChoice>,
    population: String,
    seconds: String,
    errors: FormErrors,
    result: Option<ResultView>,
}

/// The test page.
pub(crate) async fn three_mbwt_form(viewer: Viewer) -> Result<Response, PageError> {
    render(&ThreeMbwtPage {
        chrome: viewer.chrome("assess"),
        populations: choices(),
        population: Population::OlderAdults.as_str().into(),
        seconds: String::new(),
        errors: FormErrors::default(),
        result: None,
    })
}

/// The test form.
#[derive(Debug, Deserialize)]
pub(crate) struct ThreeMbwtForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    seconds: String,
    #[serde(default)]
    population: String,
}

fn view(result: &ThreeMbwtResult) -> ResultView {
    let (risk, risk_class) = match result.risk {
        FallRisk::Low => ("Lower fall risk", "good"),
        FallRisk::Intermediate => ("Intermediate fall risk", "some"),
        FallRisk::High => ("Higher fall risk", "none"),
        FallRisk::NotClassified => ("Not classified", "weak"),
    };
    let mut sources: Vec<&'static Source> = result.cut_off.iter().map(|c| c.source).collect();
    if let Some(change) = result.norms.detectable_change {
        sources.push(change.source);
    }
    ResultView {
        seconds: format!("{:.1}", result.seconds),
        risk,
        risk_class,
        interpretation: result.interpretation.clone(),
        sources,
    }
}

/// Records a test and shows what it means.
pub(crate) async fn three_mbwt(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<ThreeMbwtForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let mut errors = FormErrors::default();
    let seconds = parse_number(
        &mut errors,
        "seconds",
        &form.seconds,
        "the time in seconds, for example 4.8",
    );
    if seconds.is_none() && errors.get("seconds").is_none() {
        errors.add(
            "seconds",
            "Enter the time in seconds, or use the stopwatch.",
        );
    }
    let population = form.population.parse::<Population>().map_err(|_| {
        errors.add("population", "Choose the group whose cut-off fits you.");
    });
    let mut result = None;
    if let (Some(seconds), Ok(population)) = (seconds, population) {
        // The coach interprets once more here for the typed view; the API stores the same result.
        let previous = state
            .store
            .assessments(viewer.caller.id())
            .await?
            .into_iter()
            .find(|a| a.assessment.kind == store::AssessmentKind::ThreeMbwt)
            .map(|a| a.assessment.value);
        match coach::assessment::three_mbwt(seconds, population, previous) {
            Ok(interpreted) => {
                let _stored = sessions::add_assessment(
                    State(state),
                    viewer.caller.clone(),
                    ApiJson(AssessmentBody::ThreeMbwt {
                        seconds,
                        population,
                    }),
                )
                .await?;
                result = Some(view(&interpreted));
            }
            Err(e) => errors.add("seconds", e.to_string()),
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    if headers.contains_key("hx-request") {
        // htmx swaps only the panel, and only on a 200.
        return render(&ResultPanel {
            chrome: viewer.chrome("assess"),
            populations: choices(),
            population: form.population,
            seconds: form.seconds,
            errors,
            result,
        });
    }
    render_status(
        status,
        &ThreeMbwtPage {
            chrome: viewer.chrome("assess"),
            populations: choices(),
            population: form.population,
            seconds: form.seconds,
            errors,
            result,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_population_has_a_label_and_parses_back() {
        for c in choices() {
            assert!(!c.label.is_empty());
            assert!(c.value.parse::<Population>().is_ok());
        }
    }

    #[test]
    fn a_slow_time_reads_as_higher_risk_with_its_source() {
        let r = coach::assessment::three_mbwt(9.0, Population::OlderAdults, None).unwrap();
        let v = view(&r);
        assert_eq!(v.risk, "Higher fall risk");
        assert!(!v.sources.is_empty());
    }
}

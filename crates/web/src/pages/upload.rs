//! Importing device files from the history page: FIT, GPX or TCX files (or a zip of them) are
//! read with `tracks`, shown for review (the person marks which laps were walked backward when
//! the file cannot say, and can correct the sport), then each becomes a logged session with its
//! energy. A file's content fingerprint is its session's client key, so importing the same file
//! again logs nothing twice.
//!
//! Each file keeps its sport: a run is logged as a run and a ride as a ride, with their own
//! Compendium codes and the file's speeds, and neither counts toward the walking plan. A file
//! that does not say is offered as a walk when its speed is a walking speed, else as another
//! sport, and the person chooses. Distances, speeds and heights are shown in the person's units;
//! what is sent back is in metres and seconds.

use super::{Chrome, PageError, Viewer, distance_text, height_text, minutes, render, see_other};
use crate::AppState;
use crate::api::sessions::{self, BlockBody, SessionBody, block_speed};
use crate::problem::{ApiError, ApiJson};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use coach::energy::{Direction, Sport};
use coach::measure::Speed;
use coach::plan::{Setting, Units};
use std::collections::HashMap;
use tracks::{Activity, FileResult, SportKind};

/// Most files in one upload.
const MAX_FILES: usize = 20;

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage {
    chrome: Chrome,
    error: Option<String>,
}

/// The upload form.
pub(crate) async fn upload_form(viewer: Viewer) -> Result<Response, PageError> {
    render(&UploadPage {
        chrome: viewer.chrome("history"),
        error: None,
    })
}

/// A lap as reviewed.
struct LapRow {
    number: usize,
    seconds: u32,
    length: String,
    distance: String,
    distance_m: Option<f64>,
    /// Mean speed in the person's units, when the lap has a distance.
    speed: String,
    name: String,
    backward: bool,
}

/// A sport to choose, with whether it is chosen.
struct SportChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// An activity as reviewed.
struct Reviewed {
    index: usize,
    file: String,
    key: String,
    /// The file's own words for its sport ("running / trail"), or what is known of it.
    sport: String,
    /// The sports to choose from, the file's (or the likely one) selected.
    sports: Vec<SportChoice>,
    /// Why the selected sport was chosen, when the file did not say.
    sport_hint: Option<String>,
    /// Whether it is counted toward the plan as chosen (walking only).
    walking: bool,
    start: String,
    start_text: String,
    summary: String,
    treadmill: bool,
    laps: Vec<LapRow>,
}

/// A speed in the person's units, for reading.
fn travel_speed_text(mps: f64, units: Units) -> String {
    match units {
        Units::Metric => format!("{:.1} km/h", mps * 3.6),
        Units::Imperial => format!("{:.1} mph", mps / coach::measure::MPS_PER_MPH),
    }
}

fn sport_of(kind: SportKind) -> Sport {
    match kind {
        SportKind::Walking => Sport::Walking,
        SportKind::Running => Sport::Running,
        SportKind::Cycling => Sport::Cycling,
        SportKind::Other => Sport::Other,
    }
}

fn sport_label(sport: Sport) -> &'static str {
    match sport {
        Sport::Walking => "Walking",
        Sport::Running => "Running",
        Sport::Cycling => "Cycling",
        Sport::Other => "Another sport (not estimated)",
    }
}

/// A file that cannot be imported.
struct Refused {
    file: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "upload_review.html")]
struct ReviewPage {
    chrome: Chrome,
    activities: Vec<Reviewed>,
    refused: Vec<Refused>,
    rpe_choices: Vec<(u8, &'static str)>,
}

fn review(
    index: usize,
    file: &str,
    key: u64,
    a: &Activity,
    units: Units,
) -> Result<Reviewed, String> {
    let start = a.start.ok_or_else(|| {
        "the file keeps only the device's relative time, so the day of the walk is unknown: log it by hand".to_string()
    })?;
    let elapsed = a.summary.elapsed_seconds.unwrap_or(0.0);
    // Laps become blocks; a file without laps is one block.
    let laps: Vec<(f64, Option<f64>, String)> = if a.laps.is_empty() {
        vec![(elapsed, a.summary.distance_m, String::new())]
    } else {
        a.laps
            .iter()
            .map(|l| {
                (
                    l.timer_seconds.or(l.elapsed_seconds).unwrap_or(0.0),
                    l.distance_m,
                    l.name.clone().or(l.intensity.clone()).unwrap_or_default(),
                )
            })
            .collect()
    };
    let rows: Vec<LapRow> = laps
        .into_iter()
        .enumerate()
        .filter(|(_, (s, _, _))| *s >= 1.0)
        .map(|(n, (seconds, distance, name))| LapRow {
            number: n + 1,
            seconds: seconds.round() as u32,
            length: minutes(seconds.round() as u32),
            distance: distance
                .filter(|d| *d > 0.0)
                .map_or_else(|| "—".into(), |d| distance_text(d, units)),
            distance_m: distance.filter(|d| *d > 0.0),
            speed: distance
                .filter(|d| *d > 0.0 && seconds >= 1.0)
                .map_or_else(|| "—".into(), |d| travel_speed_text(d / seconds, units)),
            // A lap the device or our own workout export named backward is marked already.
            backward: name.to_ascii_lowercase().contains("backward"),
            name,
        })
        .collect();
    if rows.is_empty() {
        return Err("it holds no lap or time to log".into());
    }
    let total: u32 = rows.iter().map(|r| r.seconds).sum();
    if total > 24 * 3600 {
        return Err("it lasts more than 24 hours: a session is at most a day".into());
    }
    let words = match (&a.sport, &a.sub_sport) {
        (Some(s), Some(sub)) if sub != "generic" => format!("{s} / {sub}"),
        (Some(s), _) => s.clone(),
        _ => String::new(),
    };
    // The file's sport; when it does not say, a walk if its speed is a walking speed.
    let moving_speed = a.summary.average_speed_mps;
    let (sport, sport_hint) = match a.sport_kind() {
        Some(kind) => (sport_of(kind), None),
        None => match moving_speed.filter(|v| Speed::from_mps(*v).is_err()) {
            Some(fast) => (
                Sport::Other,
                Some(format!(
                    "The file does not say which sport it was. At {} it is faster than walking: choose running or cycling if it was one of them.",
                    travel_speed_text(fast, units)
                )),
            ),
            None => (
                Sport::Walking,
                Some("The file does not say which sport it was: it is taken as a walk. Choose another sport if it was not.".to_string()),
            ),
        },
    };
    let mut summary = minutes(total);
    if let Some(d) = a.summary.distance_m.filter(|d| *d > 0.0) {
        summary.push_str(&format!(", {}", distance_text(d, units)));
    }
    if let Some(v) = moving_speed.filter(|v| *v > 0.0) {
        summary.push_str(&format!(", {}", travel_speed_text(v, units)));
    }
    if let Some(up) = a.summary.ascent_m.filter(|h| *h >= 1.0) {
        summary.push_str(&format!(", {} climbed", height_text(up, units)));
    }
    Ok(Reviewed {
        index,
        file: file.to_string(),
        key: format!("{key:016x}"),
        sport: if words.is_empty() {
            "activity".into()
        } else {
            words
        },
        sports: Sport::ALL
            .iter()
            .map(|s| SportChoice {
                value: s.as_str(),
                label: sport_label(*s),
                selected: *s == sport,
            })
            .collect(),
        sport_hint,
        walking: sport == Sport::Walking,
        start: start.to_string(),
        start_text: start.strftime("%a %-d %b %Y, %H:%M UTC").to_string(),
        summary,
        treadmill: a.indoors(),
        laps: rows,
    })
}

/// Reads the uploaded files and shows what would be imported.
pub(crate) async fn upload(
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let refuse =
        |message: String| -> Result<Response, PageError> { render_upload_error(&viewer, message) };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return refuse(format!(
                    "The upload could not be read ({e}). Try again, or send fewer or smaller files."
                ));
            }
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("files") => {
                let name = field.file_name().unwrap_or("file").to_string();
                let bytes = match field.bytes().await {
                    Ok(b) => b,
                    Err(e) => return refuse(format!("{name} could not be received ({e}).")),
                };
                if name.is_empty() || bytes.is_empty() {
                    continue;
                }
                if files.len() >= MAX_FILES {
                    return refuse(format!(
                        "Send at most {MAX_FILES} files at a time (or one zip)."
                    ));
                }
                files.push((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    if files.is_empty() {
        return refuse("Choose a FIT, GPX or TCX file, or a zip of them.".into());
    }
    // Reading is CPU work: off the async workers.
    let results: Vec<FileResult> = tokio::task::spawn_blocking(move || {
        files
            .iter()
            .flat_map(|(name, bytes)| tracks::read(name, bytes))
            .collect()
    })
    .await
    .map_err(ApiError::internal)?;
    let mut activities = Vec::new();
    let mut refused = Vec::new();
    for r in &results {
        match &r.outcome {
            Ok(a) => match review(activities.len(), &r.name, r.fingerprint, a, viewer.units()) {
                Ok(reviewed) => activities.push(reviewed),
                Err(reason) => refused.push(Refused {
                    file: r.name.clone(),
                    reason,
                }),
            },
            Err(d) => refused.push(Refused {
                file: r.name.clone(),
                reason: format!(
                    "{}{}",
                    d.error,
                    if d.partial.is_some() {
                        " (part of it could be read, but a damaged file is not imported)"
                    } else {
                        ""
                    }
                ),
            }),
        }
    }
    render(&ReviewPage {
        chrome: viewer.chrome("history"),
        activities,
        refused,
        rpe_choices: super::training::rpe_choices(),
    })
}

fn render_upload_error(viewer: &Viewer, message: String) -> Result<Response, PageError> {
    super::render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &UploadPage {
            chrome: viewer.chrome("history"),
            error: Some(message),
        },
    )
}

/// Logs the reviewed activities.
pub(crate) async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    // The reviewed form: per activity `a{i}_...` fields, per lap `a{i}_l{j}_...`.
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    viewer.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let field = |name: String| form.get(&name).map(String::as_str).unwrap_or("");
    let small = |text: &str, low: u8, high: u8, default: u8| {
        text.trim()
            .parse::<u8>()
            .ok()
            .filter(|v| (low..=high).contains(v))
            .unwrap_or(default)
    };
    let (mut created, mut already, mut failed) = (0, 0, Vec::new());
    for i in 0..50 {
        let prefix = format!("a{i}_");
        if field(format!("{prefix}start")).is_empty() {
            continue;
        }
        if field(format!("{prefix}include")) != "on" {
            continue;
        }
        let sport = field(format!("{prefix}sport"))
            .parse::<Sport>()
            .unwrap_or_default();
        let mut blocks = Vec::new();
        for j in 0..500 {
            let seconds: u32 = match field(format!("{prefix}l{j}_seconds")).parse() {
                Ok(s) => s,
                Err(_) => continue,
            };
            let distance: Option<f64> = field(format!("{prefix}l{j}_distance")).parse().ok();
            blocks.push(BlockBody {
                direction: if field(format!("{prefix}l{j}_backward")) == "on" {
                    Direction::Backward
                } else {
                    Direction::Forward
                },
                seconds,
                // The lap's speed, when it is one for this sport (a walk at a running speed
                // keeps none, and is estimated at an assumed walking speed).
                speed_mps: distance
                    .map(|d| d / f64::from(seconds.max(1)))
                    .filter(|v| block_speed(sport, *v).is_ok()),
                grade_percent: None,
            });
        }
        let body = SessionBody {
            started_at: field(format!("{prefix}start")).to_string(),
            setting: field(format!("{prefix}setting"))
                .parse::<Setting>()
                .unwrap_or(Setting::Ground),
            sport: Some(sport),
            blocks,
            rpe: small(field(format!("{prefix}rpe")), 6, 20, 11),
            // Left empty, pain is not given (not 0); the API checks the range.
            pain_before: field(format!("{prefix}pain_before")).trim().parse().ok(),
            pain_after: field(format!("{prefix}pain_after")).trim().parse().ok(),
            near_falls: 0,
            falls: 0,
            felt_safe: true,
            notes: format!(
                "Imported from {} ({})",
                field(format!("{prefix}file")),
                field(format!("{prefix}sport_words"))
            )
            .chars()
            .take(300)
            .collect(),
            source: store::SessionSource::File,
            client_key: Some(format!("file-{}", field(format!("{prefix}key")))),
        };
        match sessions::add_session(State(state.clone()), viewer.caller.clone(), ApiJson(body))
            .await
        {
            Ok((StatusCode::CREATED, _)) => created += 1,
            Ok(_) => already += 1,
            Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => failed.push(format!(
                "{}: {}",
                field(format!("{prefix}file")),
                e.field_errors()
                    .iter()
                    .map(|f| format!("{} {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            Err(e) => return Err(e.into()),
        }
    }
    if !failed.is_empty() {
        return render_upload_error(
            &viewer,
            format!(
                "Imported {created}; these could not be logged: {}",
                failed.join(" · ")
            ),
        );
    }
    Ok(see_other(&format!(
        "/history?imported={created}&already={already}"
    )))
}

//! Analysing a raw motion file from the history page, as `retrostride analyze` does on the
//! command line: a CSV with a header, an Axivity `.cwa` or a GENEActiv `.bin` file is read with
//! `gait`'s readers (recognised by their first bytes), fed into `gait::Analyzer` off the async
//! workers, and shown as stretches of walking with their steps, cadence and direction in words.
//!
//! The direction can only be read against a stretch known to be walked forward. When none was
//! given, the result page offers to pick one of the stretches found and runs the analysis again:
//! for that the file is held for a while in memory ([`HeldFiles`]), never in the database.

use super::{Chrome, FormErrors, PageError, Viewer, render, render_status};
use crate::AppState;
use crate::problem::ApiError;
use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use gait::csv::{CsvError, CsvOptions};
use gait::{Analysis, Analyzer, Options, Placement};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most samples analysed from one file: 3 hours at 100 Hz. The rest is left out, and the page
/// says so.
const MAX_SAMPLES: u64 = 1_080_000;
/// How long an uploaded file is held for a second analysis.
const HOLD_FOR: Duration = Duration::from_secs(30 * 60);
/// Most bytes held for all people together; the oldest files go first past it.
const HOLD_TOTAL_BYTES: usize = 256 * 1024 * 1024;
/// Analyses running at once (each is a core's work for up to a few seconds).
const CONCURRENT_ANALYSES: usize = 2;

/// The placements in words, in the order the form lists them, and whether the motion shows the
/// direction there.
const PLACEMENTS: [(Placement, &str, &str); 8] = [
    (
        Placement::LowerBack,
        "On a belt at the lower back",
        "Shows steps and which way you walked.",
    ),
    (
        Placement::Pocket,
        "In a trouser pocket",
        "Shows steps and which way you walked.",
    ),
    (
        Placement::Foot,
        "On the shoe or the instep",
        "Shows steps and which way you walked.",
    ),
    (
        Placement::Ankle,
        "Strapped above the ankle",
        "Shows steps and which way you walked.",
    ),
    (
        Placement::Wrist,
        "On the wrist (a watch)",
        "Shows steps only.",
    ),
    (Placement::Hand, "In the hand", "Shows steps only."),
    (Placement::Armband, "On the upper arm", "Shows steps only."),
    (Placement::Bag, "In a bag", "Shows steps only."),
];

fn placement_words(p: Placement) -> &'static str {
    PLACEMENTS
        .iter()
        .find(|(q, _, _)| *q == p)
        .map_or("somewhere", |(_, words, _)| words)
}

/// Where the direction can be read, given a forward stretch.
fn reads_direction(p: Placement) -> bool {
    matches!(
        p,
        Placement::LowerBack | Placement::Pocket | Placement::Foot | Placement::Ankle
    )
}

/// A choice for the `radio.html` macro.
struct Choice {
    value: &'static str,
    label: &'static str,
    hint: &'static str,
}

/// Uploaded motion files held for a second analysis with a forward stretch the person picks
/// from the first one's result.
///
/// Held in memory, not in the database nor on disk: the file is working material for a few
/// minutes, not part of anyone's record. In the database it would grow every backup, need a
/// sweeper, and make a page write to the store (which pages never do); on disk it would need
/// its own clean-up after a crash and a folder the server may write. Memory is bounded here (one
/// file per person, [`HOLD_TOTAL_BYTES`] for everyone, oldest out first, [`HOLD_FOR`] at most)
/// and goes with the process. The price: after a restart, or behind a load balancer that sends
/// the second request to another process, the file is gone and the page asks for it again.
pub(crate) struct HeldFiles {
    files: Mutex<HashMap<store::Id, Held>>,
    analyses: tokio::sync::Semaphore,
}

impl Default for HeldFiles {
    fn default() -> Self {
        HeldFiles {
            files: Mutex::default(),
            analyses: tokio::sync::Semaphore::new(CONCURRENT_ANALYSES),
        }
    }
}

/// One held file. The token makes a stale form (from an earlier upload) fail rather than
/// analyse the person's newer file.
struct Held {
    token: String,
    name: String,
    bytes: Bytes,
    since: Instant,
}

impl HeldFiles {
    /// Holds `bytes` as the owner's file (replacing any earlier one) and returns its token, or
    /// `None` when it is too large to hold.
    fn hold(&self, owner: store::Id, name: &str, bytes: Bytes) -> Option<String> {
        if bytes.len() > HOLD_TOTAL_BYTES {
            return None;
        }
        let mut files = self.files.lock().ok()?;
        let now = Instant::now();
        files.retain(|id, h| *id != owner && now.duration_since(h.since) < HOLD_FOR);
        while files.values().map(|h| h.bytes.len()).sum::<usize>() + bytes.len() > HOLD_TOTAL_BYTES
        {
            let oldest = files
                .iter()
                .min_by_key(|(_, h)| h.since)
                .map(|(id, _)| *id)?;
            files.remove(&oldest);
        }
        let token = crate::auth::random_hex();
        files.insert(
            owner,
            Held {
                token: token.clone(),
                name: name.to_string(),
                bytes,
                since: now,
            },
        );
        Some(token)
    }

    /// The owner's file under `token`, if still held.
    fn get(&self, owner: store::Id, token: &str) -> Option<(String, Bytes)> {
        let mut files = self.files.lock().ok()?;
        let held = files.get(&owner)?;
        if held.since.elapsed() >= HOLD_FOR {
            files.remove(&owner);
            return None;
        }
        crate::auth::constant_time_eq(held.token.as_bytes(), token.as_bytes())
            .then(|| (held.name.clone(), held.bytes.clone()))
    }
}

/// The form as typed, to show again with its errors.
#[derive(Default)]
struct Typed {
    placement: String,
    forward_from: String,
    forward_to: String,
}

#[derive(Template)]
#[template(path = "motion_form.html")]
struct FormPage {
    chrome: Chrome,
    form: Typed,
    errors: FormErrors,
    placements: Vec<Choice>,
    limit_mb: usize,
}

fn form_page(viewer: &Viewer, state: &AppState, form: Typed, errors: FormErrors) -> FormPage {
    FormPage {
        chrome: viewer.chrome("history"),
        form,
        errors,
        placements: PLACEMENTS
            .iter()
            .map(|(p, label, hint)| Choice {
                value: p.as_str(),
                label,
                hint,
            })
            .collect(),
        limit_mb: state.config.import_limit / (1024 * 1024),
    }
}

/// The form.
pub(crate) async fn motion_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    render(&form_page(
        &viewer,
        &state,
        Typed::default(),
        FormErrors::default(),
    ))
}

/// The form again with its problems, as a 422 (or `status`).
fn refuse(
    viewer: &Viewer,
    state: &AppState,
    status: StatusCode,
    form: Typed,
    errors: FormErrors,
) -> Result<Response, PageError> {
    render_status(status, &form_page(viewer, state, form, errors))
}

/// A stretch of walking as shown.
struct Row {
    span: String,
    steps: u32,
    cadence: String,
    direction: &'static str,
    percent: Option<String>,
    turned: bool,
    /// The stretch as a forward stretch for the re-run, `FROM-TO` in seconds.
    forward: String,
}

#[derive(Template)]
#[template(path = "motion_result.html")]
struct ResultPage {
    chrome: Chrome,
    token: Option<String>,
    file: String,
    format: &'static str,
    placement: &'static str,
    placement_words: &'static str,
    duration: String,
    samples: String,
    steps: u64,
    forward: Option<String>,
    notes: Vec<String>,
    direction_note: String,
    rows: Vec<Row>,
    per_stride: bool,
    /// What "how sure" means, when a stretch shows it.
    how_sure_note: Option<String>,
    /// Offer to pick a forward stretch.
    offer: bool,
    errors: FormErrors,
}

/// What reading a file gave besides the analysis.
struct Reading {
    format: &'static str,
    analysis: Analysis,
    notes: Vec<String>,
}

/// Reads `bytes` as the format its first bytes show and analyses at most [`MAX_SAMPLES`].
/// The error is a sentence for people.
fn analyse(bytes: &[u8], options: Options) -> Result<Reading, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    let mut analyzer = Analyzer::new(options);
    let mut notes = Vec::new();
    let mut samples: u64 = 0;
    let mut capped = false;
    let (format, read) = gait::file::read_samples(bytes, CsvOptions::default(), |sample| {
        if samples >= MAX_SAMPLES {
            capped = true;
            return false;
        }
        samples += 1;
        analyzer.push(&sample);
        true
    })
    .map_err(|e| match e {
        gait::file::FileError::Csv(e) => csv_error(e),
        e => e.to_string(),
    })?;
    if let Some(skipped) = read.skipped_sectors.filter(|n| *n > 0) {
        notes.push(format!(
            "{skipped} damaged sector(s) of the file were skipped."
        ));
    }
    if let Some(skipped) = read.skipped_pages.filter(|n| *n > 0) {
        notes.push(format!(
            "{skipped} damaged page(s) of the file were skipped."
        ));
    }
    if read.truncated && !capped {
        notes.push("The file ends inside a page: it was cut short.".into());
    }
    notes.extend(
        read.assumptions
            .iter()
            .map(|a| format!("Assumed {}.", without_cli_hints(a))),
    );
    let format = format.name();
    if samples == 0 {
        return Err("it holds no motion samples".into());
    }
    let analysis = analyzer.finish();
    if capped {
        notes.push(format!(
            "The file holds more than {} samples (3 hours at 100 a second): only its first {} were analysed.",
            thousands(MAX_SAMPLES),
            clock(analysis.duration_s)
        ));
    }
    if analysis.gaps > 0 {
        notes.push(format!(
            "The recording has {} gap(s) of more than a second.",
            analysis.gaps
        ));
    }
    Ok(Reading {
        format,
        analysis,
        notes,
    })
}

fn csv_error(e: CsvError) -> String {
    match e {
        // The command line takes a rate; this page does not ask for one.
        CsvError::NeedRate => "it numbers its samples (a `sample` column) instead of giving their times: add a time_s column in seconds".into(),
        e => without_cli_hints(&e.to_string()),
    }
}

/// Text from `gait` without the command line's advice ("pass --acc-unit to override",
/// "(… --forward-until SECONDS)"), which means nothing on a web page.
fn without_cli_hints(text: &str) -> String {
    let mut text = text.split("; pass --").next().unwrap_or(text).to_string();
    while let Some(dashes) = text.find("--") {
        let (Some(open), Some(close)) = (text[..dashes].rfind('('), text[dashes..].find(')'))
        else {
            break;
        };
        let start = if text[..open].ends_with(' ') {
            open - 1
        } else {
            open
        };
        text.replace_range(start..dashes + close + 1, "");
    }
    text
}

/// Seconds as m:ss (h:mm:ss from an hour), rounded to the second.
fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// Seconds as m:ss with hundredths when there are any (a stretch as typed).
fn clock_exact(seconds: f64) -> String {
    let hundredths = (seconds.max(0.0) * 100.0).round() as u64;
    let whole = clock((hundredths / 100) as f64);
    match hundredths % 100 {
        0 => whole,
        h if h.is_multiple_of(10) => format!("{whole}.{}", h / 10),
        h => format!("{whole}.{h:02}"),
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A time typed as minutes:seconds (`1:30`, `1:30.5`) or seconds (`90`, `7.25`).
fn parse_time(text: &str) -> Option<f64> {
    let text = text.trim().replace(',', ".");
    let value = match text.split_once(':') {
        Some((m, s)) => {
            let m: u32 = m.trim().parse().ok()?;
            let s: f64 = s.trim().parse().ok()?;
            if !(0.0..60.0).contains(&s) || s.is_nan() {
                return None;
            }
            f64::from(m) * 60.0 + s
        }
        None => text.parse().ok()?,
    };
    (value.is_finite() && value >= 0.0).then_some(value)
}

/// The forward stretch typed as two times, checked for its form (the recording's length is
/// checked after reading).
fn parse_forward(errors: &mut FormErrors, from: &str, to: &str) -> Option<(f64, f64)> {
    let (from_t, to_t) = (from.trim(), to.trim());
    if from_t.is_empty() && to_t.is_empty() {
        return None;
    }
    let read = |errors: &mut FormErrors, field: &str, text: &str, which: &str| {
        if text.is_empty() {
            errors.add(
                field,
                format!("Give where the stretch {which} too, or leave both empty."),
            );
            return None;
        }
        let t = parse_time(text);
        if t.is_none() {
            errors.add(
                field,
                format!(
                    "\u{201c}{text}\u{201d} is not a time: write minutes:seconds (1:30) or seconds (90)."
                ),
            );
        }
        t
    };
    let a = read(errors, "forward_from", from_t, "starts");
    let b = read(errors, "forward_to", to_t, "ends");
    let (a, b) = (a?, b?);
    if a >= b {
        errors.add(
            "forward_to",
            "The stretch must end after it starts: this is not a stretch of time.",
        );
        return None;
    }
    Some((a, b))
}

/// Whether the forward stretch lies in the recording; the problem in words if not.
fn check_in_recording(forward: (f64, f64), duration_s: f64) -> Result<(), String> {
    // Half a second of slack for an end typed as the recording's rounded length.
    if forward.0 >= duration_s || forward.1 > duration_s + 0.5 {
        Err(format!(
            "The recording lasts {}: the stretch walked forward ({}\u{2013}{}) must lie within it.",
            clock(duration_s),
            clock_exact(forward.0),
            clock_exact(forward.1)
        ))
    } else {
        Ok(())
    }
}

/// Runs the analysis off the async workers, a few at a time.
async fn run(
    state: &AppState,
    bytes: Bytes,
    placement: Placement,
    forward: Option<(f64, f64)>,
) -> Result<Result<Reading, String>, PageError> {
    let _permit = state
        .held
        .analyses
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    Ok(tokio::task::spawn_blocking(move || {
        analyse(
            &bytes,
            Options {
                placement: Some(placement),
                forward_segment: forward,
                keep_contacts: false,
            },
        )
    })
    .await
    .map_err(ApiError::internal)?)
}

fn result_page(
    viewer: &Viewer,
    token: Option<String>,
    file: String,
    placement: Placement,
    forward: Option<(f64, f64)>,
    picked: bool,
    reading: Reading,
) -> ResultPage {
    let a = &reading.analysis;
    let rows = a
        .bouts
        .iter()
        .map(|b| Row {
            span: format!("{}\u{2013}{}", clock(b.start_s), clock(b.end_s)),
            steps: b.steps,
            cadence: format!("{:.0}", b.cadence_spm),
            direction: b.direction_words(),
            percent: super::how_sure(b.basis, b.direction, b.confidence),
            turned: b.turned,
            forward: format!(
                "{:.2}-{:.2}",
                (b.start_s * 100.0).floor() / 100.0,
                (b.end_s * 100.0).ceil() / 100.0
            ),
        })
        .collect::<Vec<_>>();
    ResultPage {
        chrome: viewer.chrome("history"),
        offer: token.is_some() && !a.calibrated && reads_direction(placement) && !rows.is_empty(),
        token,
        file,
        format: reading.format,
        placement: placement.as_str(),
        placement_words: placement_words(placement),
        duration: clock(a.duration_s),
        samples: thousands(a.samples),
        steps: a.total_steps,
        forward: forward.map(|(f, t)| {
            // A stretch picked from the table is its first and last step: whole seconds read
            // better. One typed is shown as typed.
            let show = if picked { clock } else { clock_exact };
            format!("{}\u{2013}{}", show(f), show(t))
        }),
        notes: reading.notes,
        direction_note: without_cli_hints(&a.direction_note),
        per_stride: a.bouts.iter().any(|b| b.two_steps_per_stride),
        how_sure_note: rows.iter().any(|r| r.percent.is_some()).then(|| {
            format!(
                "How sure: the chance, from this recording's motion, that the direction shown is right. 50% would be a coin toss; below {:.0}% no direction is given.",
                gait::ANSWER_FROM * 100.0
            )
        }),
        rows,
        errors: FormErrors::default(),
    }
}

/// Reads the upload and shows what the motion says.
pub(crate) async fn analyse_upload(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut typed = Typed::default();
    let mut file: Option<(String, Bytes)> = None;
    let limit_mb = state.config.import_limit / (1024 * 1024);
    let mut errors = FormErrors::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                errors.general = Some(received_error(e, limit_mb));
                break;
            }
        };
        match field.name() {
            Some("csrf") => csrf = short_text(field).await,
            Some("placement") => typed.placement = short_text(field).await,
            Some("forward_from") => typed.forward_from = short_text(field).await,
            Some("forward_to") => typed.forward_to = short_text(field).await,
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(bytes) => {
                        if !name.is_empty() || !bytes.is_empty() {
                            file = Some((name, bytes));
                        }
                    }
                    Err(e) => {
                        errors.add("file", received_error(e, limit_mb));
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    let placement = check_placement(&mut errors, &typed.placement);
    let forward = parse_forward(&mut errors, &typed.forward_from, &typed.forward_to);
    if errors.get("file").is_none() && errors.general.is_none() {
        match &file {
            None => errors.add(
                "file",
                "Choose a motion file: a CSV, an Axivity .cwa or a GENEActiv .bin file.",
            ),
            Some((_, bytes)) if bytes.len() > state.config.import_limit => errors.add(
                "file",
                format!("The file is larger than {limit_mb} MB, the most this page reads."),
            ),
            _ => {}
        }
    }
    let (Some(placement), Some((name, bytes)), true) = (placement, file, errors.is_empty()) else {
        return refuse(
            &viewer,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            typed,
            errors,
        );
    };
    let name = if name.is_empty() {
        "The file".to_string()
    } else {
        name.chars().take(120).collect()
    };
    let reading = match run(&state, bytes.clone(), placement, forward).await? {
        Ok(r) => r,
        Err(reason) => {
            errors.add("file", format!("{name} cannot be analysed: {reason}."));
            return refuse(
                &viewer,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                typed,
                errors,
            );
        }
    };
    if let Some(f) = forward
        && let Err(message) = check_in_recording(f, reading.analysis.duration_s)
    {
        errors.add("forward_to", message);
        return refuse(
            &viewer,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            typed,
            errors,
        );
    }
    // Held only when a second run could help: a forward stretch to pick.
    let token = (!reading.analysis.calibrated && reads_direction(placement))
        .then(|| state.held.hold(viewer.caller.user.id, &name, bytes))
        .flatten();
    render(&result_page(
        &viewer, token, name, placement, forward, false, reading,
    ))
}

/// A short form field's text; anything past 200 characters is not ours.
async fn short_text(field: axum::extract::multipart::Field<'_>) -> String {
    field
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

/// A multipart error in words: too large, or could not be received.
fn received_error(e: axum::extract::multipart::MultipartError, limit_mb: usize) -> String {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        format!(
            "The file is larger than {limit_mb} MB, the most this page reads. Send a shorter recording (the page analyses at most 3 hours)."
        )
    } else {
        format!(
            "The upload could not be read ({}). Try again.",
            e.body_text()
        )
    }
}

fn check_placement(errors: &mut FormErrors, text: &str) -> Option<Placement> {
    if text.trim().is_empty() {
        errors.add("placement", "Choose where the sensor was worn.");
        return None;
    }
    match text.parse::<Placement>() {
        Ok(p) => Some(p),
        Err(_) => {
            errors.add(
                "placement",
                "That is not one of the places listed: choose where the sensor was worn.",
            );
            None
        }
    }
}

/// The re-run form: the held file's token, its placement, and the forward stretch as a picked
/// stretch (`forward`, `FROM-TO` in seconds) or typed (`forward_from`, `forward_to`).
#[derive(Deserialize)]
pub(crate) struct AgainForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    placement: String,
    #[serde(default)]
    forward: String,
    #[serde(default)]
    forward_from: String,
    #[serde(default)]
    forward_to: String,
}

/// Analyses the held file again with a forward stretch.
pub(crate) async fn analyse_again(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<AgainForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let mut errors = FormErrors::default();
    let placement = check_placement(&mut errors, &form.placement);
    let Some((name, bytes)) = state.held.get(viewer.caller.user.id, &form.token) else {
        errors.add(
            "file",
            "The file is no longer kept here (files are kept for 30 minutes after an upload, and only the last one): choose it again.",
        );
        return refuse(
            &viewer,
            &state,
            StatusCode::GONE,
            Typed {
                placement: form.placement,
                forward_from: form.forward_from,
                forward_to: form.forward_to,
            },
            errors,
        );
    };
    let (from, to) = match form.forward.split_once('-') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (form.forward_from.clone(), form.forward_to.clone()),
    };
    let forward = parse_forward(&mut errors, &from, &to);
    if forward.is_none() && errors.get("forward_from").is_none() {
        errors.add(
            "forward_from",
            "Give the stretch you walked forward, or pick one of those found.",
        );
    }
    let Some(placement) = placement else {
        return Err(PageError::Other(
            StatusCode::UNPROCESSABLE_ENTITY,
            "That is not one of the places listed: go back and choose where the sensor was worn."
                .into(),
        ));
    };
    let analysed = |forward| run(&state, bytes.clone(), placement, forward);
    let cannot = |reason: String| {
        // It was read before; this would be a change in the readers.
        PageError::Other(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{name} cannot be analysed: {reason}."),
        )
    };
    let mut reading = analysed(forward).await?.map_err(cannot)?;
    let mut forward = forward;
    if let Some(f) = forward
        && let Err(message) = check_in_recording(f, reading.analysis.duration_s)
    {
        // Read against a stretch outside the recording, the directions mean nothing.
        errors.add("forward_to", message);
        forward = None;
        reading = analysed(None).await?.map_err(cannot)?;
    }
    let picked = !form.forward.is_empty();
    let mut page = result_page(
        &viewer,
        Some(form.token),
        name,
        placement,
        forward,
        picked,
        reading,
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        // Shown without a direction, as the stretch given was wrong; the offer stays.
        page.forward = None;
        page.offer = true;
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.errors = errors;
    render_status(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_typed_as_minutes_and_seconds_or_seconds() {
        assert_eq!(parse_time("1:30"), Some(90.0));
        assert_eq!(parse_time(" 7.25 "), Some(7.25));
        assert_eq!(parse_time("0:07,5"), Some(7.5));
        assert_eq!(parse_time("1:75"), None);
        assert_eq!(parse_time("-3"), None);
        assert_eq!(parse_time("soon"), None);
        let mut errors = FormErrors::default();
        assert_eq!(parse_forward(&mut errors, "", ""), None);
        assert!(errors.is_empty());
        assert_eq!(parse_forward(&mut errors, "0", "7.25"), Some((0.0, 7.25)));
        assert_eq!(parse_forward(&mut errors, "0:09", "0:08"), None);
        assert!(errors.get("forward_to").is_some());
        assert!(check_in_recording((0.0, 16.4), 16.0).is_ok());
        assert!(check_in_recording((20.0, 30.0), 16.0).is_err());
    }

    #[test]
    fn clocks_read_naturally() {
        assert_eq!(clock(7.4), "0:07");
        assert_eq!(clock(615.0), "10:15");
        assert_eq!(clock(3.0 * 3600.0 + 5.0), "3:00:05");
        assert_eq!(clock_exact(7.25), "0:07.25");
        assert_eq!(clock_exact(9.2), "0:09.2");
        assert_eq!(thousands(1_080_000), "1,080,000");
    }

    #[test]
    fn command_line_advice_is_left_out() {
        assert_eq!(
            without_cli_hints(
                "acceleration in m/s2 (median magnitude 11.48); pass --acc-unit to override"
            ),
            "acceleration in m/s2 (median magnitude 11.48)"
        );
        assert_eq!(
            without_cli_hints(
                "Direction not read: no stretch known to be walked forward. Mark one (a minute walked forward; --forward-until SECONDS) to read it."
            ),
            "Direction not read: no stretch known to be walked forward. Mark one to read it."
        );
        assert_eq!(
            without_cli_hints(
                "the header has no `acc_x` column: expected time_s (or sample with --rate), acc_x"
            ),
            "the header has no `acc_x` column: expected time_s, acc_x"
        );
    }

    #[test]
    fn garbage_is_not_a_motion_file_and_an_empty_file_is_empty() {
        let garbage: Vec<u8> = (0..2000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let e = analyse(&garbage, Options::default())
            .err()
            .unwrap_or_default();
        assert!(e.contains("not a CSV, CWA or GENEActiv"), "{e}");
        let e = analyse(b"", Options::default()).err().unwrap_or_default();
        assert!(e.contains("empty"), "{e}");
        let e = analyse(b"time_s,acc_x\n0,1\n", Options::default())
            .err()
            .unwrap_or_default();
        assert!(e.contains("acc_y") && !e.contains("--"), "{e}");
    }

    #[test]
    fn one_file_is_held_per_person_within_the_byte_cap() {
        let held = HeldFiles::default();
        let a = held
            .hold(1, "a.csv", Bytes::from_static(b"abc"))
            .unwrap_or_default();
        let b = held
            .hold(1, "b.csv", Bytes::from_static(b"def"))
            .unwrap_or_default();
        assert!(held.get(1, &a).is_none(), "the earlier file is replaced");
        assert_eq!(held.get(1, &b).map(|(n, _)| n).as_deref(), Some("b.csv"));
        assert!(
            held.get(2, &b).is_none(),
            "another person's token finds nothing"
        );
        let big = Bytes::from(vec![0u8; HOLD_TOTAL_BYTES - 2]);
        let c = held.hold(2, "big.cwa", big).unwrap_or_default();
        assert!(held.get(1, &b).is_none(), "the oldest goes past the cap");
        assert!(held.get(2, &c).is_some());
    }
}

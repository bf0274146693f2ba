//! The HTML side: server-rendered pages (askama templates under `crates/web/templates`), with
//! htmx where it saves a round trip and two small ES modules where the page must work without
//! the server (the session timer and its outbox, the 3MBWT stopwatch). Every form posts to a page
//! route that parses it into the same request types the JSON API uses and calls the same handler,
//! so the pages and the API cannot disagree; a refusal is shown beside the field it names.
//!
//! Forms carry the session's CSRF token in a hidden `csrf` field (the API takes it as a header).

mod assess;
mod calendar;
mod charts;
mod fhir_export;
mod gates;
mod motion_file;
mod onboarding;
mod outcomes;
mod prescribe;
mod public;
mod settings;
mod sharing;
mod training;
mod upload;

use crate::AppState;
use crate::auth::{self, Caller, Credential};
use crate::problem::{ApiError, FieldError};
use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use coach::plan::Units;
use store::WebSession;
use tower_http::set_header::SetResponseHeaderLayer;

/// Every page route.
pub(crate) fn routes(state: AppState) -> Router {
    Router::new()
        .route("/", get(public::home))
        .route("/signup", get(public::sign_up_form).post(public::sign_up))
        .route("/signin", get(public::sign_in_form).post(public::sign_in))
        .route("/signout", post(public::sign_out))
        .route(
            "/start/screening",
            get(onboarding::screening_start).post(onboarding::screening_step),
        )
        .route("/start/clearance", get(onboarding::clearance))
        .route(
            "/start/clearance/summary",
            get(onboarding::clinician_summary),
        )
        .route(
            "/start/plan",
            get(onboarding::plan_form).post(onboarding::plan_preview),
        )
        .route("/start/plan/create", post(onboarding::plan_create))
        .route("/plan", get(calendar::plan_page))
        .route("/plan/handout", get(outcomes::own_handout))
        .route("/progress/trends", get(outcomes::own_trends))
        .route("/walkers/{id}/trends", get(outcomes::walker_trends))
        .route("/walkers/{id}/handout", get(outcomes::walker_handout))
        .route("/plan/reminders.json", get(calendar::reminders))
        .route("/plan/schedule", post(calendar::change_schedule))
        .route("/calendar/{file}", get(calendar::feed))
        .route("/settings/calendar", post(calendar::make_feed))
        .route("/settings/calendar/revoke", post(calendar::revoke_feed))
        .route("/today", get(training::today))
        .route("/today/run", get(training::timer))
        .route("/log", get(training::log_form).post(training::log_session))
        .route("/history", get(training::history))
        .route(
            "/history/{id}",
            get(training::edit_form).post(training::edit_session),
        )
        .route("/history/{id}/delete", post(training::delete_session))
        .route(
            "/history/{id}/motion/blocks/{index}",
            post(training::answer_block),
        )
        .route(
            "/history/upload",
            get(upload::upload_form).post(upload::upload).layer(
                axum::extract::DefaultBodyLimit::max(state.config.import_limit),
            ),
        )
        .route("/history/import", post(upload::import))
        .route(
            "/history/motion",
            get(motion_file::motion_form)
                .post(motion_file::analyse_upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    state.config.import_limit + MULTIPART_SLACK,
                )),
        )
        .route("/history/motion/again", post(motion_file::analyse_again))
        .route("/progress", get(training::progress))
        .route(
            "/assess/3mbwt",
            get(assess::three_mbwt_form).post(assess::three_mbwt),
        )
        .route(
            "/settings",
            get(settings::settings).post(settings::save_profile),
        )
        .route("/settings/body-mass", post(settings::save_body_mass))
        .route(
            "/settings/body-mass/{day}/remove",
            post(settings::remove_body_mass),
        )
        .route("/settings/tokens", post(settings::create_token))
        .route("/settings/tokens/{id}/revoke", post(settings::revoke_token))
        .route("/settings/export", get(settings::export))
        .route("/settings/export/fhir", get(fhir_export::own))
        .route("/settings/grants/{id}/revoke", post(sharing::revoke))
        .route("/walkers", get(sharing::walkers))
        .route("/walkers/invite", post(sharing::make_invite))
        .route("/walkers/{id}/prescribe", post(prescribe::assign))
        .route("/walkers/{id}/plans/{plan}/adjust", post(prescribe::adjust))
        .route("/walkers/{id}/notes", post(prescribe::note))
        .route(
            "/walkers/{id}/notes/{note}/delete",
            post(prescribe::delete_note),
        )
        .route(
            "/templates",
            get(prescribe::templates).post(prescribe::create_template),
        )
        .route("/templates/{id}", post(prescribe::edit_template))
        .route("/templates/{id}/delete", post(prescribe::delete_template))
        .route("/walkers/{id}", get(sharing::walker))
        .route("/walkers/{id}/fhir", get(fhir_export::walker))
        .route("/walkers/{id}/gates", post(gates::set_gates))
        .route(
            "/walkers/{id}/alerts/{alert}/acknowledge",
            post(gates::acknowledge),
        )
        .route("/walkers/{id}/resume", post(gates::resume))
        .route("/progression/resume", post(gates::resume_mine))
        .route("/share/{code}", get(sharing::share))
        .route("/share/{code}/accept", post(sharing::accept))
        .route("/share/{code}/decline", post(sharing::decline))
        .route("/settings/delete", post(settings::delete_account))
        .route("/static/{name}", get(static_file))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        ))
        .with_state(state)
}

pub(crate) use motion_file::HeldFiles;

/// Room for a multipart body's boundaries and small fields around a file of the import limit,
/// so that a file just over the limit is refused by the page, in words.
pub(crate) const MULTIPART_SLACK: usize = 64 * 1024;

/// A body over the server's limit, refused before any page handler saw it, as a page in words
/// rather than the limit layer's bare text (API routes keep their problem+json).
pub(crate) async fn too_large_as_page(
    axum::extract::State(limit): axum::extract::State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let page = !request.uri().path().starts_with("/api");
    let sent = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let response = next.run(request).await;
    let plain = !response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.contains("json"));
    if page && plain && response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return PageError::Other(
            StatusCode::PAYLOAD_TOO_LARGE,
            match sent {
                Some(bytes) => format!(
                    "The upload is {}; the limit is {}. Go back and send a smaller file (or fewer files at once).",
                    tracks::size_in_words(bytes),
                    tracks::size_in_words(limit)
                ),
                None => format!(
                    "The upload is larger than {}, the most this server takes at once. Go back and send a smaller file (or fewer files at once).",
                    tracks::size_in_words(limit)
                ),
            },
        )
        .into_response();
    }
    response
}

/// The pages' Content-Security-Policy: scripts and styles only from files this server sends (no
/// inline script, no inline style attribute), nothing framed, forms only to this site.
pub(crate) const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The vendored and own front-end files, compiled into the binary so that it runs alone.
const STATIC_FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/app.css"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/htmx.min.js"),
    ),
    (
        "page.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/page.js"),
    ),
    (
        "outbox.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/outbox.js"),
    ),
    (
        "motionbox.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/motionbox.js"),
    ),
    (
        "reminders.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/reminders.js"),
    ),
    (
        "technique-toe-to-heel.svg",
        "image/svg+xml",
        include_bytes!("../../static/technique-toe-to-heel.svg"),
    ),
    (
        "technique-soft-knees.svg",
        "image/svg+xml",
        include_bytes!("../../static/technique-soft-knees.svg"),
    ),
    (
        "technique-upright-chest.svg",
        "image/svg+xml",
        include_bytes!("../../static/technique-upright-chest.svg"),
    ),
    (
        "technique-look-over-shoulder.svg",
        "image/svg+xml",
        include_bytes!("../../static/technique-look-over-shoulder.svg"),
    ),
    (
        "technique-hand-on-rail.svg",
        "image/svg+xml",
        include_bytes!("../../static/technique-hand-on-rail.svg"),
    ),
    (
        "timer.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/timer.js"),
    ),
    (
        "stopwatch.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/stopwatch.js"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_bytes!("../../static/icon.svg"),
    ),
];

/// The version string appended to static URLs so that a new release is fetched anew.
pub(crate) const ASSET_VERSION: &str = env!("CARGO_PKG_VERSION");

async fn static_file(Path(name): Path<String>) -> Response {
    match STATIC_FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                // Links carry ?v=VERSION, so a day's caching never serves a stale release.
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=86400"),
                ),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

/// What the page chrome needs: who is signed in and the token their forms carry.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chrome {
    /// The signed-in person's email, if any.
    pub(crate) email: Option<String>,
    /// The CSRF token for this session's forms (empty when signed out).
    pub(crate) csrf: String,
    /// Which navigation entry is current.
    pub(crate) current: &'static str,
    /// The asset version for cache-busting.
    pub(crate) version: &'static str,
    /// Whether the signed-in person is a clinician (the Walkers page is in their menu).
    pub(crate) clinician: bool,
}

impl Chrome {
    /// Chrome for a visitor who is not signed in.
    pub(crate) fn visitor(current: &'static str) -> Self {
        Chrome {
            current,
            version: ASSET_VERSION,
            ..Chrome::default()
        }
    }

    /// Whether `entry` is the current navigation entry (for aria-current).
    pub(crate) fn is(&self, entry: &str) -> bool {
        self.current == entry
    }
}

/// A signed-in person reached through their browser session.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    /// As the API handlers see them.
    pub(crate) caller: Caller,
    session: WebSession,
}

impl Viewer {
    /// The chrome for one of their pages.
    pub(crate) fn chrome(&self, current: &'static str) -> Chrome {
        Chrome {
            email: Some(self.caller.user.email.clone()),
            csrf: self.session.csrf_token.clone(),
            current,
            version: ASSET_VERSION,
            clinician: self.caller.user.role == store::Role::Clinician,
        }
    }

    /// Refuses a form that does not carry this session's CSRF token.
    pub(crate) fn check_csrf(&self, echoed: &str) -> Result<(), PageError> {
        if auth::constant_time_eq(echoed.as_bytes(), self.session.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(PageError::Forbidden(
                "This form has expired (it was opened in an earlier session). Go back, reload the page and send it again.".into(),
            ))
        }
    }

    /// Their units.
    pub(crate) fn units(&self) -> Units {
        self.caller.user.profile.units
    }
}

/// The viewer, if the request carries a live session cookie.
pub(crate) async fn viewer_of(parts: &Parts, state: &AppState) -> Result<Option<Viewer>, ApiError> {
    let Some(cookie) = auth::session_cookie(&parts.headers) else {
        return Ok(None);
    };
    Ok(state
        .store
        .web_session(&auth::digest(&cookie), jiff::Timestamp::now())
        .await?
        .map(|(session, user)| Viewer {
            caller: Caller {
                user,
                credential: Credential::Browser(session.clone()),
                summary_version: None,
            },
            session,
        }))
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        match viewer_of(parts, state).await? {
            Some(viewer) => Ok(viewer),
            None => Err(PageError::SignIn(
                parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
            )),
        }
    }
}

/// The visitor, who may or may not be signed in.
pub(crate) struct MaybeViewer(pub(crate) Option<Viewer>);

impl FromRequestParts<AppState> for MaybeViewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        Ok(MaybeViewer(viewer_of(parts, state).await?))
    }
}

/// Why a page could not be shown.
#[derive(Debug)]
pub(crate) enum PageError {
    /// Not signed in: go to the sign-in page and come back to this path.
    SignIn(String),
    /// Not found, or not theirs.
    NotFound(&'static str),
    /// Not allowed, with the reason.
    Forbidden(String),
    /// Anything else, with a message for people.
    Other(StatusCode, String),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e.status() {
            StatusCode::UNAUTHORIZED => PageError::SignIn(String::new()),
            StatusCode::NOT_FOUND => PageError::NotFound("page"),
            StatusCode::FORBIDDEN => PageError::Forbidden(e.detail().to_string()),
            status => PageError::Other(status, e.detail().to_string()),
        }
    }
}

impl From<store::StoreError> for PageError {
    fn from(e: store::StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        ApiError::internal(format!("template: {e}")).into()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    title: String,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            PageError::SignIn(back) => {
                let target = if back.is_empty() || !back.starts_with('/') {
                    "/signin".to_string()
                } else {
                    format!("/signin?next={}", urlencode(&back))
                };
                return Redirect::to(&target).into_response();
            }
            PageError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                "Not found".to_string(),
                format!("There is no such {what}, or it belongs to someone else."),
            ),
            PageError::Forbidden(reason) => (StatusCode::FORBIDDEN, "Not allowed".into(), reason),
            PageError::Other(status, message) => (status, title_in_words(status), message),
        };
        let shown = ErrorShown { title, message };
        let mut response = shown.page(Chrome::visitor(""), status);
        // The error is drawn without knowing who asked; `signed_in_error_pages` draws it again
        // in the viewer's own chrome when they are signed in.
        response.extensions_mut().insert(shown);
        response
    }
}

/// What an error page said, kept on the response so that it can be drawn again.
#[derive(Debug, Clone)]
struct ErrorShown {
    title: String,
    message: String,
}

impl ErrorShown {
    fn page(&self, chrome: Chrome, status: StatusCode) -> Response {
        let page = ErrorPage {
            chrome,
            title: self.title.clone(),
            message: self.message.clone(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, "error").into_response(),
        }
    }
}

/// Draws error pages in the signed-in viewer's chrome (their navigation, "Sign out"), not the
/// visitor's: an error met while signed in must not look like being signed out. Only error
/// responses pay for the session lookup.
pub(crate) async fn signed_in_error_pages(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let has_session = auth::session_cookie(request.headers()).is_some();
    let headers = has_session.then(|| request.headers().clone());
    let response = next.run(request).await;
    let (Some(headers), Some(shown)) = (headers, response.extensions().get::<ErrorShown>()) else {
        return response;
    };
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers;
    let Ok(Some(viewer)) = viewer_of(&parts, &state).await else {
        return response;
    };
    let mut redrawn = shown.page(viewer.chrome(""), response.status());
    // The first drawing's headers stay (Retry-After on a 429, caching rules), but not its length.
    for (name, value) in response.headers() {
        if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
            redrawn.headers_mut().insert(name.clone(), value.clone());
        }
    }
    redrawn
}

/// An error page's title, said as a person would (not "Payload Too Large").
fn title_in_words(status: StatusCode) -> String {
    match status.as_u16() {
        400 => "This request cannot be read",
        404 => "Not found",
        413 => "Too large to take",
        415 => "Not a kind of file this page takes",
        422 => "Please check what you entered",
        429 => "Too many attempts",
        500..=599 => "Something went wrong on our side",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
    .to_string()
}

/// What an address that leads nowhere answers: a page in the app's style for a browser, a
/// problem document for the API and for clients that ask for JSON.
pub(crate) async fn nowhere(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    let wants_page = !uri.path().starts_with("/api")
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    if wants_page {
        PageError::Other(
            StatusCode::NOT_FOUND,
            "There is no page at this address. It may have been mistyped, or a link may be out of date: start again from the home page or from Today.".into(),
        )
        .into_response()
    } else {
        ApiError::not_found("page or endpoint").into_response()
    }
}

/// Renders a template as a 200 page.
pub(crate) fn render(page: &impl Template) -> Result<Response, PageError> {
    Ok(Html(page.render()?).into_response())
}

/// Renders a template with a status (422 for a form sent back with errors).
pub(crate) fn render_status(
    status: StatusCode,
    page: &impl Template,
) -> Result<Response, PageError> {
    Ok((status, Html(page.render()?)).into_response())
}

/// Field errors of a form, looked up by field name in templates.
#[derive(Debug, Clone, Default)]
pub(crate) struct FormErrors {
    fields: Vec<FieldError>,
    /// An error not tied to one field.
    pub(crate) general: Option<String>,
}

impl FormErrors {
    /// The message for one field.
    pub(crate) fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Adds a message for a field.
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.fields.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Whether there is nothing to report.
    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_none()
    }

    /// How many problems there are, for the summary at the top of a form.
    pub(crate) fn count(&self) -> usize {
        self.fields.len() + usize::from(self.general.is_some())
    }

    /// The API's refusal as form errors, with field names mapped to the form's.
    pub(crate) fn from_api(e: &ApiError, rename: &[(&str, &str)]) -> Self {
        let mut errors = FormErrors::default();
        for f in e.field_errors() {
            let name = rename
                .iter()
                .find(|(api, _)| f.field == *api || f.field.starts_with(&format!("{api}[")))
                .map_or(f.field.as_str(), |(_, form)| form);
            errors.add(name, f.message.clone());
        }
        if e.field_errors().is_empty() {
            errors.general = Some(e.detail().to_string());
        }
        errors
    }
}

/// Percent-encodes a path for a query string (letters, digits and `-._~/` pass).
pub(crate) fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Parses a number typed into a form field; the message names what is expected.
pub(crate) fn parse_number(
    errors: &mut FormErrors,
    field: &str,
    text: &str,
    what: &str,
) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.replace(',', ".").parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            errors.add(
                field,
                format!("\u{201c}{text}\u{201d} is not a number: enter {what}"),
            );
            None
        }
    }
}

/// Minutes and seconds, "12:05" or "1 min" style, for people.
pub(crate) fn minutes(seconds: u32) -> String {
    let (m, s) = (seconds / 60, seconds % 60);
    match (m, s) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// A speed in the person's units.
pub(crate) fn speed_text(speed: coach::measure::Speed, units: Units) -> String {
    match units {
        Units::Metric => format!("{:.1} km/h", speed.kmh()),
        Units::Imperial => format!("{:.1} mph", speed.mph()),
    }
}

/// The unit speeds are typed and shown in.
pub(crate) fn speed_unit(units: Units) -> &'static str {
    match units {
        Units::Metric => "km/h",
        Units::Imperial => "mph",
    }
}

// Unit-bearing fields. Everything is stored in SI units (m/s, kg, m); a page converts only to
// show a value and to read one back. Each such field is sent with the unit it was shown in
// (`NAME_unit`, a hidden input), and is read in that unit, not in the profile's units at the
// time of sending: a form shown in pounds and sent after the units were switched to metric is
// still read in pounds. A value sent back as it was shown keeps the stored value exactly, so that
// saving a form unchanged never moves a stored value by the display's rounding.

/// The units a field was shown in, from its unit name (`km/h`, `kg`, `m` or `mph`, `lb`, `mi`,
/// `ft`); the profile's units when the form did not say (an older page).
pub(crate) fn shown_units(unit: &str, profile: Units) -> Units {
    match unit.trim() {
        "km/h" | "kg" | "m" | "km" | "metric" => Units::Metric,
        "mph" | "lb" | "ft" | "mi" | "imperial" => Units::Imperial,
        _ => profile,
    }
}

/// A speed as a form field shows it: one decimal, in the given units, without the unit.
pub(crate) fn speed_field(mps: f64, units: Units) -> String {
    match units {
        Units::Metric => format!("{:.1}", mps / coach::measure::MPS_PER_KMH),
        Units::Imperial => format!("{:.1}", mps / coach::measure::MPS_PER_MPH),
    }
}

/// A walking speed typed in a field shown in `units`; `None` when empty or wrong (the error is
/// added). When the text is what [`speed_field`] shows for `stored`, the stored speed is kept.
pub(crate) fn read_speed_field(
    errors: &mut FormErrors,
    field: &str,
    text: &str,
    units: Units,
    stored: Option<f64>,
) -> Option<coach::measure::Speed> {
    if let Some(kept) = stored
        .filter(|mps| text.trim() == speed_field(*mps, units))
        .and_then(|mps| coach::measure::Speed::from_mps(mps).ok())
    {
        return Some(kept);
    }
    let value = parse_number(errors, field, text, speed_unit(units))?;
    match units {
        Units::Metric => coach::measure::Speed::from_kmh(value),
        Units::Imperial => coach::measure::Speed::from_mph(value),
    }
    .map_err(|e| errors.add(field, e.to_string()))
    .ok()
}

/// A body mass as a form field shows it: kg with one decimal, or whole pounds.
pub(crate) fn mass_field(kg: f64, units: Units) -> String {
    match units {
        Units::Metric => format!("{kg:.1}"),
        Units::Imperial => format!("{:.0}", kg / coach::measure::KG_PER_LB),
    }
}

/// The unit body masses are typed and shown in.
pub(crate) fn mass_unit(units: Units) -> &'static str {
    match units {
        Units::Metric => "kg",
        Units::Imperial => "lb",
    }
}

/// A body mass in the person's units, for reading: "81.6 kg" or "180 lb".
pub(crate) fn mass_text(kg: f64, units: Units) -> String {
    format!("{} {}", mass_field(kg, units), mass_unit(units))
}

/// A distance in the person's units: "2.35 km" or "1.46 mi" (metres or feet when short).
pub(crate) fn distance_text(metres: f64, units: Units) -> String {
    match units {
        Units::Metric if metres < 1000.0 => format!("{metres:.0} m"),
        Units::Metric => format!("{:.2} km", metres / 1000.0),
        Units::Imperial if metres < 160.9344 => format!("{:.0} ft", metres / FOOT_M),
        Units::Imperial => format!("{:.2} mi", metres / MILE_M),
    }
}

/// A height climbed in the person's units: "120 m" or "394 ft".
pub(crate) fn height_text(metres: f64, units: Units) -> String {
    match units {
        Units::Metric => format!("{metres:.0} m"),
        Units::Imperial => format!("{:.0} ft", metres / FOOT_M),
    }
}

/// How sure the motion is of a stretch's direction, for people, or `None` when the direction
/// was not read from the motion (given as forward, or nothing to read it against). A direction
/// read is shown with the chance that it is right; one too weak to give is shown with the best
/// either way reached, so that "can't tell" is not mistaken for a coin toss or for certainty.
pub(crate) fn how_sure(
    basis: gait::Basis,
    direction: gait::Direction,
    confidence: f64,
) -> Option<String> {
    if basis != gait::Basis::Motion {
        return None;
    }
    let percent = (confidence * 100.0).round().clamp(0.0, 100.0);
    Some(match direction {
        gait::Direction::Unknown => format!("no more than {percent:.0}% either way"),
        _ => format!("{percent:.0}% likely"),
    })
}

/// Metres in a foot and in a mile (international).
const FOOT_M: f64 = 0.3048;
const MILE_M: f64 = 1609.344;

/// See other: where a form goes after it has been handled.
pub(crate) fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_is_shown_only_where_the_motion_was_read_and_never_overstated() {
        use gait::{Basis, Direction};
        assert_eq!(
            how_sure(Basis::Motion, Direction::Backward, 0.734).as_deref(),
            Some("73% likely")
        );
        assert_eq!(
            how_sure(Basis::Motion, Direction::Unknown, 0.58).as_deref(),
            Some("no more than 58% either way")
        );
        assert_eq!(how_sure(Basis::Given, Direction::Forward, 1.0), None);
        assert_eq!(how_sure(Basis::Nothing, Direction::Unknown, 0.5), None);
    }

    #[test]
    fn a_field_is_read_in_the_unit_it_was_shown_in_and_kept_when_unchanged() {
        assert_eq!(shown_units("lb", Units::Metric), Units::Imperial);
        assert_eq!(shown_units("km/h", Units::Imperial), Units::Metric);
        assert_eq!(shown_units("", Units::Imperial), Units::Imperial);
        let mut errors = FormErrors::default();
        // 1.0 m/s shows as 2.2 mph; sent back unchanged it stays 1.0 m/s, not 2.2 mph.
        let kept = read_speed_field(&mut errors, "s", "2.2", Units::Imperial, Some(1.0)).unwrap();
        assert_eq!(kept.mps(), 1.0);
        let typed = read_speed_field(&mut errors, "s", "2.3", Units::Imperial, Some(1.0)).unwrap();
        assert!((typed.mph() - 2.3).abs() < 1e-9);
        assert!(errors.is_empty());
        assert_eq!(mass_text(81.646_627, Units::Imperial), "180 lb");
        assert_eq!(mass_text(81.646_627, Units::Metric), "81.6 kg");
        assert_eq!(distance_text(2350.0, Units::Metric), "2.35 km");
        assert_eq!(distance_text(2350.0, Units::Imperial), "1.46 mi");
        assert_eq!(distance_text(30.0, Units::Imperial), "98 ft");
        assert_eq!(height_text(120.0, Units::Imperial), "394 ft");
    }

    #[test]
    fn minutes_read_naturally() {
        assert_eq!(minutes(45), "45 s");
        assert_eq!(minutes(600), "10 min");
        assert_eq!(minutes(605), "10 min 5 s");
    }

    #[test]
    fn paths_are_encoded_for_the_next_parameter() {
        assert_eq!(urlencode("/today?x=1&y"), "/today%3Fx%3D1%26y");
    }

    #[test]
    fn api_field_errors_map_to_form_fields() {
        let e = ApiError::invalid(vec![FieldError {
            field: "blocks[0].seconds".into(),
            message: "too long".into(),
        }]);
        let errors = FormErrors::from_api(&e, &[("blocks", "backward_minutes")]);
        assert_eq!(errors.get("backward_minutes"), Some("too long"));
        assert!(errors.general.is_none());
        let mut errors = FormErrors::default();
        assert_eq!(parse_number(&mut errors, "kg", "7O", "kg"), None);
        assert!(errors.get("kg").is_some_and(|m| m.contains("7O")));
        assert_eq!(parse_number(&mut errors, "kg", "70,5", "kg"), Some(70.5));
    }
}

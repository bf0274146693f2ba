//! The pages anyone can see: home (what retro walking is, who should try it, each benefit with
//! its evidence), sign-up, sign-in and sign-out.

use super::{Chrome, FormErrors, MaybeViewer, PageError, Viewer, render, render_status, see_other};
use crate::AppState;
use crate::api::accounts;
use crate::auth;
use crate::problem::ApiError;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coach::evidence::Source;
use coach::protocol::{BENEFIT_CLAIMS, EvidenceStrength};
use serde::Deserialize;
use store::Role;

/// A benefit as the home page shows it.
pub(crate) struct ClaimView {
    claim: &'static str,
    statement: &'static str,
    strength: &'static str,
    strength_class: &'static str,
    sources: &'static [&'static Source],
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    claims: Vec<ClaimView>,
}

fn strength_class(strength: EvidenceStrength) -> &'static str {
    match strength {
        EvidenceStrength::Measured | EvidenceStrength::Moderate => "good",
        EvidenceStrength::LowToModerate => "some",
        EvidenceStrength::MechanismOnly | EvidenceStrength::ExpertOpinion => "weak",
        EvidenceStrength::Contested | EvidenceStrength::Unsupported => "none",
    }
}

/// The home page.
pub(crate) async fn home(MaybeViewer(viewer): MaybeViewer) -> Result<Response, PageError> {
    let chrome = viewer.map_or_else(|| Chrome::visitor("home"), |v| v.chrome("home"));
    let claims = BENEFIT_CLAIMS
        .iter()
        .map(|c| ClaimView {
            claim: c.claim,
            statement: c.statement,
            strength: c.strength.describe(),
            strength_class: strength_class(c.strength),
            sources: c.sources,
        })
        .collect();
    render(&Home { chrome, claims })
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
    next: String,
}

impl SignInPage {
    /// The sign-up link, carrying `next` so that a new account also lands where the visitor
    /// was going (a clinician's invite, say).
    fn sign_up_link(&self) -> String {
        if self.next.is_empty() {
            "/signup".into()
        } else {
            format!("/signup?next={}", super::urlencode(&self.next))
        }
    }
}

/// Where to go after signing in: `?next=` when it is a local path.
#[derive(Debug, Deserialize)]
pub(crate) struct Next {
    #[serde(default)]
    next: String,
}

/// Where a sign-in goes when `next` is empty or not a safe path on this site.
const AFTER_SIGN_IN: &str = "/today";

/// Longest `next` followed; a longer one is not a link this site makes.
const MAX_NEXT_BYTES: usize = 2048;

/// `next` when it is a path on this site that a browser reads exactly as written, else `None`.
///
/// Browsers are lenient: they strip tabs and line breaks from URLs, read `\` as `/`, and take
/// `//host` as another host, so `/\t/evil.example` would leave the site. The `url` crate is not
/// a dependency of this crate, so the check is spelled out: a single leading `/`, printable
/// ASCII only (no whitespace, control characters or backslashes anywhere: a Location header
/// must be ASCII and a control character made it a 500), bounded length, and it must parse as
/// an origin-form path and query back to exactly itself (so no fragment, nothing normalised).
fn safe_next(next: &str) -> Option<&str> {
    let bytes = next.as_bytes();
    let single_slash = bytes.first() == Some(&b'/') && !matches!(bytes.get(1), Some(b'/' | b'\\'));
    let printable = bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\');
    if !single_slash || !printable || bytes.len() > MAX_NEXT_BYTES {
        return None;
    }
    let parsed = next.parse::<axum::http::uri::PathAndQuery>().ok()?;
    (parsed.as_str() == next).then_some(next)
}

fn local_path(next: &str) -> &str {
    safe_next(next).unwrap_or(AFTER_SIGN_IN)
}

/// The sign-in form.
pub(crate) async fn sign_in_form(Query(next): Query<Next>) -> Result<Response, PageError> {
    render(&SignInPage {
        chrome: Chrome::visitor("signin"),
        errors: FormErrors::default(),
        email: String::new(),
        // Only a safe path rides along in the form: the post checks it again anyway.
        next: safe_next(&next.next).unwrap_or_default().to_string(),
    })
}

/// The sign-in and sign-up forms.
#[derive(Debug, Deserialize)]
pub(crate) struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn with_cookie(mut response: Response, set_cookie: &str) -> Result<Response, PageError> {
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(set_cookie).map_err(ApiError::internal)?,
    );
    Ok(response)
}

/// Refuses a sign-in or sign-up form posted from another site (login CSRF), in words.
fn refuse_other_sites(headers: &HeaderMap, what: &str) -> Result<(), PageError> {
    if auth::origin_is_this_site(headers) {
        Ok(())
    } else {
        Err(PageError::Forbidden(format!(
            "This {what} form was sent from another site, so it was refused: another site must not sign you in. Open this site's own page and try again."
        )))
    }
}

/// Signs in and goes on to `next` (or today's page).
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    client: auth::ClientAddr,
    headers: HeaderMap,
    Form(form): Form<Credentials>,
) -> Result<Response, PageError> {
    refuse_other_sites(&headers, "sign-in")?;
    let mut errors = FormErrors::default();
    if form.email.trim().is_empty() {
        errors.add("email", "Enter the email you signed up with.");
    }
    if form.password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    let user = if errors.is_empty() {
        match auth::check_credentials(&state, client, &form.email, &form.password).await {
            Ok(user) => Some(user),
            Err(e) if e.status() == StatusCode::UNAUTHORIZED => {
                errors.general = Some("The email or the password is wrong.".into());
                None
            }
            Err(e) if e.status() == StatusCode::TOO_MANY_REQUESTS => {
                return Ok(too_many_page(&e));
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    let Some(user) = user else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SignInPage {
                chrome: Chrome::visitor("signin"),
                errors,
                email: form.email,
                next: safe_next(&form.next).unwrap_or_default().to_string(),
            },
        );
    };
    let (_, set_cookie) = accounts::open_session(&state, user.id, &headers).await?;
    with_cookie(see_other(local_path(&form.next)), &set_cookie)
}

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUpPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
    min_password: usize,
    next: String,
}

/// The sign-up form.
pub(crate) async fn sign_up_form(Query(next): Query<Next>) -> Result<Response, PageError> {
    render(&SignUpPage {
        chrome: Chrome::visitor("signup"),
        errors: FormErrors::default(),
        email: String::new(),
        min_password: auth::MIN_PASSWORD_CHARS,
        next: safe_next(&next.next).unwrap_or_default().to_string(),
    })
}

/// Creates the account, signs in and starts the screening.
pub(crate) async fn sign_up(
    State(state): State<AppState>,
    client: auth::ClientAddr,
    headers: HeaderMap,
    Form(form): Form<Credentials>,
) -> Result<Response, PageError> {
    refuse_other_sites(&headers, "sign-up")?;
    let mut errors = FormErrors::default();
    let email = match accounts::check_email(&form.email) {
        Ok(email) => Some(email),
        Err(e) => {
            errors.add("email", e.message);
            None
        }
    };
    if let Err(message) = auth::check_password_rules(&form.password, &form.email) {
        errors.add("password", message);
    }
    let created = match email.filter(|_| errors.is_empty()) {
        Some(email) => {
            if let Err(e) = auth::begin_sign_up(&state, client) {
                return Ok(too_many_page(&e));
            }
            match accounts::create_account(&state, email, form.password, Role::Person).await {
                Ok(user) => Some(user),
                Err(e) if e.status() == StatusCode::CONFLICT => {
                    errors.add(
                        "email",
                        "An account with this email already exists: sign in instead.",
                    );
                    None
                }
                Err(e) => return Err(e.into()),
            }
        }
        None => None,
    };
    let Some(user) = created else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SignUpPage {
                chrome: Chrome::visitor("signup"),
                errors,
                email: form.email,
                min_password: auth::MIN_PASSWORD_CHARS,
                next: safe_next(&form.next).unwrap_or_default().to_string(),
            },
        );
    };
    let (_, set_cookie) = accounts::open_session(&state, user.id, &headers).await?;
    // A new account goes to the screening, unless it was made on the way somewhere (an invite).
    let after = safe_next(&form.next).unwrap_or("/start/screening");
    with_cookie(see_other(after), &set_cookie)
}

/// The limiter's refusal (429) as a page in words, with `Retry-After`.
pub(crate) fn too_many_page(e: &ApiError) -> Response {
    let mut response =
        PageError::Other(StatusCode::TOO_MANY_REQUESTS, e.detail().to_string()).into_response();
    if let Some(seconds) = e.retry_after() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// A form that only carries the CSRF token.
#[derive(Debug, Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    pub(crate) csrf: String,
}

/// Signs out of this browser.
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    if let auth::Credential::Browser(session) = &viewer.caller.credential {
        state.store.delete_web_session(&session.id_hash).await?;
    }
    with_cookie(
        see_other("/"),
        &auth::session_clear_cookie(auth::over_tls(&headers)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(local_path("/history"), "/history");
        assert_eq!(local_path("//evil.example"), "/today");
        assert_eq!(local_path("/\\evil.example"), "/today");
        assert_eq!(local_path("https://evil.example"), "/today");
        assert_eq!(local_path(""), "/today");
        assert_eq!(local_path("/progress?x=1&y=%2F"), "/progress?x=1&y=%2F");
        for hostile in [
            "/\t/evil.example",
            "/\r\nSet-Cookie: x",
            "/a b",
            "/\u{e9}",
            "/a#//evil",
            "/a\\b",
            "\\\\evil",
            "javascript:alert(1)",
        ] {
            assert_eq!(local_path(hostile), "/today", "{hostile:?}");
        }
        assert_eq!(local_path(&format!("/{}", "a".repeat(5000))), "/today");
    }

    #[test]
    fn unsupported_claims_are_not_styled_as_evidence() {
        assert_eq!(strength_class(EvidenceStrength::Unsupported), "none");
        assert_eq!(strength_class(EvidenceStrength::Moderate), "good");
    }
}

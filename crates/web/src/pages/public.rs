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
use axum::response::Response;
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

/// Where to go after signing in: `?next=` when it is a local path.
#[derive(Debug, Deserialize)]
pub(crate) struct Next {
    #[serde(default)]
    next: String,
}

fn local_path(next: &str) -> &str {
    // Only paths on this site: "//host" and "/\host" would leave it.
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/today"
    }
}

/// The sign-in form.
pub(crate) async fn sign_in_form(Query(next): Query<Next>) -> Result<Response, PageError> {
    render(&SignInPage {
        chrome: Chrome::visitor("signin"),
        errors: FormErrors::default(),
        email: String::new(),
        next: next.next,
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

/// Signs in and goes on to `next` (or today's page).
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<Credentials>,
) -> Result<Response, PageError> {
    let mut errors = FormErrors::default();
    if form.email.trim().is_empty() {
        errors.add("email", "Enter the email you signed up with.");
    }
    if form.password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    let user = if errors.is_empty() {
        match auth::check_credentials(&state, &form.email, &form.password).await {
            Ok(user) => Some(user),
            Err(e) if e.status() == StatusCode::UNAUTHORIZED => {
                errors.general = Some("The email or the password is wrong.".into());
                None
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
                next: form.next,
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
}

/// The sign-up form.
pub(crate) async fn sign_up_form() -> Result<Response, PageError> {
    render(&SignUpPage {
        chrome: Chrome::visitor("signup"),
        errors: FormErrors::default(),
        email: String::new(),
        min_password: auth::MIN_PASSWORD_CHARS,
    })
}

/// Creates the account, signs in and starts the screening.
pub(crate) async fn sign_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<Credentials>,
) -> Result<Response, PageError> {
    let mut errors = FormErrors::default();
    let email = match accounts::check_email(&form.email) {
        Ok(email) => Some(email),
        Err(e) => {
            errors.add("email", e.message);
            None
        }
    };
    if let Err(message) = auth::check_password_rules(&form.password) {
        errors.add("password", message);
    }
    let created = match email.filter(|_| errors.is_empty()) {
        Some(email) => {
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
            },
        );
    };
    let (_, set_cookie) = accounts::open_session(&state, user.id, &headers).await?;
    with_cookie(see_other("/start/screening"), &set_cookie)
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
    }

    #[test]
    fn unsupported_claims_are_not_styled_as_evidence() {
        assert_eq!(strength_class(EvidenceStrength::Unsupported), "none");
        assert_eq!(strength_class(EvidenceStrength::Moderate), "good");
    }
}

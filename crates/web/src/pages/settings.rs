//! Settings: units, body mass and birth year (through the API's profile handler), personal API
//! tokens (created after the password is typed again, shown once), export, and account
//! deletion (also behind the password).

use super::{
    Chrome, FormErrors, PageError, Viewer, parse_number, render, render_status, see_other,
};
use crate::AppState;
use crate::api::{accounts, records, transfer};
use crate::auth;
use crate::problem::{ApiError, ApiJson};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coach::measure::BodyMass;
use coach::plan::Units;
use serde::Deserialize;

/// The settings forms as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    units: String,
    #[serde(default)]
    body_mass: String,
    #[serde(default)]
    birth_year: String,
}

struct TokenRow {
    id: store::Id,
    name: String,
    created: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Chrome,
    profile: ProfileForm,
    profile_errors: FormErrors,
    tokens: Vec<TokenRow>,
    token_errors: FormErrors,
    token_name: String,
    new_token: Option<String>,
    delete_errors: FormErrors,
    notice: Option<&'static str>,
    mass_unit: &'static str,
    calendar: super::calendar::FeedBlock,
    sharing: super::sharing::SharingBlock,
}

fn mass_unit(units: Units) -> &'static str {
    match units {
        Units::Metric => "kg",
        Units::Imperial => "lb",
    }
}

fn profile_form(user: &store::User) -> ProfileForm {
    let units = user.profile.units;
    ProfileForm {
        csrf: String::new(),
        units: match units {
            Units::Metric => "metric".into(),
            Units::Imperial => "imperial".into(),
        },
        body_mass: user
            .profile
            .body_mass
            .map(|m| match units {
                Units::Metric => format!("{:.1}", m.kg()),
                Units::Imperial => format!("{:.0}", m.lb()),
            })
            .unwrap_or_default(),
        birth_year: user
            .profile
            .birth_year
            .map(|y| y.to_string())
            .unwrap_or_default(),
    }
}

/// What a settings page shows besides the profile form.
#[derive(Default)]
struct Extras {
    profile: Option<ProfileForm>,
    profile_errors: FormErrors,
    token_errors: FormErrors,
    token_name: String,
    new_token: Option<String>,
    delete_errors: FormErrors,
    notice: Option<&'static str>,
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    extras: Extras,
) -> Result<SettingsPage, PageError> {
    let tokens = state
        .store
        .tokens(viewer.caller.id())
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created: t.created_at.strftime("%Y-%m-%d").to_string(),
        })
        .collect();
    Ok(SettingsPage {
        chrome: viewer.chrome("settings"),
        profile: extras
            .profile
            .unwrap_or_else(|| profile_form(&viewer.caller.user)),
        profile_errors: extras.profile_errors,
        tokens,
        token_errors: extras.token_errors,
        token_name: extras.token_name,
        new_token: extras.new_token,
        delete_errors: extras.delete_errors,
        notice: extras.notice,
        mass_unit: mass_unit(viewer.units()),
        calendar: super::calendar::feed_block(state, viewer).await?,
        sharing: super::sharing::sharing_block(state, viewer).await?,
    })
}

/// Notices after a redirect.
#[derive(Debug, Deserialize)]
pub(crate) struct Notice {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    revoked: Option<String>,
    #[serde(default)]
    calendar: Option<String>,
    #[serde(default)]
    shared: Option<String>,
    #[serde(default)]
    declined: Option<String>,
    #[serde(default)]
    unshared: Option<String>,
}

/// The settings page.
pub(crate) async fn settings(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(notice): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = if notice.saved.is_some() {
        Some("Settings saved.")
    } else if notice.revoked.is_some() {
        Some("Token revoked: it no longer works.")
    } else if notice.calendar.is_some() {
        Some("Calendar link revoked: calendars subscribed to it get nothing more.")
    } else if notice.shared.is_some() {
        Some(
            "You now share with the clinician below. Every time they read or change your data, it is listed in the access log.",
        )
    } else if notice.declined.is_some() {
        Some("Invite declined: nothing is shared, and the invite can no longer be used.")
    } else if notice.unshared.is_some() {
        Some("Sharing revoked: the clinician can no longer see your data, from now on.")
    } else {
        None
    };
    render(
        &page(
            &state,
            &viewer,
            Extras {
                notice,
                ..Extras::default()
            },
        )
        .await?,
    )
}

/// Saves units, body mass and birth year.
pub(crate) async fn save_profile(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<ProfileForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let mut errors = FormErrors::default();
    let units = form.units.parse::<Units>().map_err(|_| {
        errors.add("units", "Choose metric or imperial.");
    });
    let unit = mass_unit(*units.as_ref().unwrap_or(&Units::Metric));
    let mass = parse_number(&mut errors, "body_mass", &form.body_mass, unit).and_then(|v| {
        match units {
            Ok(Units::Imperial) => BodyMass::from_lb(v),
            _ => BodyMass::from_kg(v),
        }
        .map_err(|e| errors.add("body_mass", e.to_string()))
        .ok()
    });
    let birth_year = match form.birth_year.trim() {
        "" => None,
        text => {
            match text.parse::<i16>() {
                Ok(y) => Some(y),
                Err(_) => {
                    errors.add("birth_year", format!("\u{201c}{text}\u{201d} is not a year: enter four digits, for example 1961."));
                    None
                }
            }
        }
    };
    let Ok(units) = units else {
        return sent_back(&state, &viewer, form, errors).await;
    };
    if !errors.is_empty() {
        return sent_back(&state, &viewer, form, errors).await;
    }
    let body = records::ProfileBody {
        units,
        body_mass_kg: mass.map(BodyMass::kg),
        birth_year,
    };
    match records::put_profile(State(state.clone()), viewer.caller.clone(), ApiJson(body)).await {
        Ok(_) => Ok(see_other("/settings?saved=1")),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::from_api(&e, &[("body_mass_kg", "body_mass")]);
            sent_back(&state, &viewer, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn sent_back(
    state: &AppState,
    viewer: &Viewer,
    form: ProfileForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let page = page(
        state,
        viewer,
        Extras {
            profile: Some(form),
            profile_errors: errors,
            ..Extras::default()
        },
    )
    .await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// A new token's name and the password typed again.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// Creates a personal API token and shows it once.
pub(crate) async fn create_token(
    State(state): State<AppState>,
    client: auth::ClientAddr,
    viewer: Viewer,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let request = accounts::TokenRequest {
        email: viewer.caller.user.email.clone(),
        password: form.password,
        name: form.name.clone(),
    };
    let mut extras = Extras {
        token_name: form.name,
        ..Extras::default()
    };
    let status = match accounts::create_token(State(state.clone()), client, ApiJson(request)).await
    {
        Ok((_, created)) => {
            extras.new_token = Some(created.0.token.clone());
            extras.token_name = String::new();
            StatusCode::CREATED
        }
        Err(e) if e.status() == StatusCode::UNAUTHORIZED => {
            extras
                .token_errors
                .add("token_password", "The password is wrong.");
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            extras.token_errors = FormErrors::from_api(&e, &[("name", "token_name")]);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) if e.status() == StatusCode::TOO_MANY_REQUESTS => {
            return Ok(super::public::too_many_page(&e));
        }
        Err(e) => return Err(e.into()),
    };
    render_status(status, &page(&state, &viewer, extras).await?)
}

/// Revokes a token.
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<super::public::CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    accounts::revoke_token(State(state), viewer.caller.clone(), Path(id)).await?;
    Ok(see_other("/settings?revoked=1"))
}

/// Downloads everything as the API's export document (which `POST /api/v1/import` reads back).
pub(crate) async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let document = transfer::export(State(state), viewer.caller.clone()).await?;
    let mut response = document.into_response();
    let name = format!(
        "attachment; filename=\"retrostride-export-{}.json\"",
        jiff::Zoned::now().date()
    );
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&name).map_err(ApiError::internal)?,
    );
    Ok(response)
}

/// Account deletion, behind the password.
#[derive(Debug, Deserialize)]
pub(crate) struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

/// Deletes the account and everything in it, then signs out.
pub(crate) async fn delete_account(
    State(state): State<AppState>,
    client: auth::ClientAddr,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<DeleteForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let body = accounts::DeleteAccount {
        password: form.password,
    };
    match accounts::delete_account(
        State(state.clone()),
        client,
        viewer.caller.clone(),
        ApiJson(body),
    )
    .await
    {
        Ok(_) => {
            let mut response = see_other("/");
            response.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&auth::session_clear_cookie(auth::over_tls(&headers)))
                    .map_err(ApiError::internal)?,
            );
            Ok(response)
        }
        Err(e) if e.status() == StatusCode::UNAUTHORIZED => {
            let mut extras = Extras::default();
            extras.delete_errors.add(
                "delete_password",
                "The password is wrong: nothing was deleted.",
            );
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, &viewer, extras).await?,
            )
        }
        Err(e) if e.status() == StatusCode::TOO_MANY_REQUESTS => {
            Ok(super::public::too_many_page(&e))
        }
        Err(e) => Err(e.into()),
    }
}

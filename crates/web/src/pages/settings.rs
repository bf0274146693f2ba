//! Settings: units and birth year (through the API's profile handler), the body-mass history
//! (each entry from its day until the next; a change estimates again the sessions it applies
//! to, and the page says how many), personal API tokens (created after the password is typed
//! again, shown once), export, and account deletion (also behind the password).
//!
//! Units only choose how values are shown and typed: switching them changes no stored value.
//! The body-mass form is separate from the units form, and its value is read in the unit it was
//! shown in (`body_mass_unit`), so a number typed under "lb" is pounds whatever the units are by
//! the time it arrives.

use super::{
    Chrome, FormErrors, PageError, Viewer, mass_field, mass_text, mass_unit, parse_number, render,
    render_status, see_other, shown_units,
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

/// The units and birth-year form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    units: String,
    #[serde(default)]
    birth_year: String,
}

/// The body-mass form as typed: the mass, the unit it was shown in, and its first day.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct BodyMassForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body_mass: String,
    #[serde(default)]
    body_mass_unit: String,
    #[serde(default)]
    body_mass_from: String,
}

/// One entry of the history as listed.
struct MassRow {
    from: String,
    mass: String,
    current: bool,
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
    mass_form: BodyMassForm,
    mass_errors: FormErrors,
    masses: Vec<MassRow>,
    /// The default first day's explanation, when it is not today.
    from_hint: Option<String>,
    tokens: Vec<TokenRow>,
    token_errors: FormErrors,
    token_name: String,
    new_token: Option<String>,
    delete_errors: FormErrors,
    notice: Option<String>,
    mass_unit: &'static str,
    calendar: super::calendar::FeedBlock,
    sharing: super::sharing::SharingBlock,
}

fn profile_form(user: &store::User) -> ProfileForm {
    let units = user.profile.units;
    ProfileForm {
        csrf: String::new(),
        units: match units {
            Units::Metric => "metric".into(),
            Units::Imperial => "imperial".into(),
        },
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
    mass_form: Option<BodyMassForm>,
    mass_errors: FormErrors,
    token_errors: FormErrors,
    token_name: String,
    new_token: Option<String>,
    delete_errors: FormErrors,
    notice: Option<String>,
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
    let units = viewer.units();
    let history = state.store.body_masses(viewer.caller.id()).await?;
    let today = records::today();
    // The first entry holds from the first session's day by default, so that it applies to every
    // session logged so far; later ones from today.
    let first_session = if history.is_empty() {
        state.store.first_session_day(viewer.caller.id()).await?
    } else {
        None
    };
    let default_from = first_session.filter(|d| *d < today);
    let mass_form = extras.mass_form.unwrap_or_else(|| BodyMassForm {
        csrf: String::new(),
        body_mass: String::new(),
        body_mass_unit: mass_unit(units).to_string(),
        body_mass_from: default_from.unwrap_or(today).to_string(),
    });
    let masses = history
        .iter()
        .rev()
        .enumerate()
        .map(|(i, e)| MassRow {
            from: e.from.to_string(),
            mass: mass_text(e.mass.kg(), units),
            current: i == 0,
        })
        .collect();
    Ok(SettingsPage {
        chrome: viewer.chrome("settings"),
        profile: extras
            .profile
            .unwrap_or_else(|| profile_form(&viewer.caller.user)),
        profile_errors: extras.profile_errors,
        mass_unit: mass_unit(shown_units(&mass_form.body_mass_unit, units)),
        mass_form,
        mass_errors: extras.mass_errors,
        masses,
        from_hint: default_from.map(|d| {
            format!("{d} is the day of your first logged session, so that this body mass applies to all of them. Change it if your body mass was different then.")
        }),
        tokens,
        token_errors: extras.token_errors,
        token_name: extras.token_name,
        new_token: extras.new_token,
        delete_errors: extras.delete_errors,
        notice: extras.notice,
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
    /// After a change of body mass: its day, whether it was removed, and the sessions
    /// estimated again.
    #[serde(default)]
    mass_from: Option<String>,
    #[serde(default)]
    mass_removed: Option<String>,
    #[serde(default)]
    reestimated: Option<u32>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    shared: Option<String>,
    #[serde(default)]
    declined: Option<String>,
    #[serde(default)]
    unshared: Option<String>,
}

/// The notice after a change of body mass, saying which sessions were estimated again.
fn mass_notice(notice: &Notice) -> Option<String> {
    let from = notice
        .mass_from
        .as_deref()?
        .parse::<jiff::civil::Date>()
        .ok()?;
    let what = if notice.mass_removed.is_some() {
        format!("Body mass from {from} removed.")
    } else {
        format!("Body mass from {from} saved.")
    };
    let span = match notice
        .until
        .as_deref()
        .and_then(|u| u.parse::<jiff::civil::Date>().ok())
    {
        Some(until) => format!("from {from} until {until}"),
        None => format!("from {from} on"),
    };
    Some(match notice.reestimated.unwrap_or(0) {
        0 => format!("{what} No logged session falls {span}, so no energy figure changed."),
        1 => format!("{what} The energy of the 1 session {span} was estimated again with it."),
        n => format!("{what} The energy of the {n} sessions {span} was estimated again with it."),
    })
}

/// The settings page.
pub(crate) async fn settings(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(notice): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = if let Some(text) = mass_notice(&notice) {
        Some(text)
    } else if notice.saved.is_some() {
        Some(
            "Settings saved. Units change how values are shown and typed, never what is stored."
                .to_string(),
        )
    } else if notice.revoked.is_some() {
        Some("Token revoked: it no longer works.".to_string())
    } else if notice.calendar.is_some() {
        Some("Calendar link revoked: calendars subscribed to it get nothing more.".to_string())
    } else if notice.shared.is_some() {
        Some(
            "You now share with the clinician below. Every time they read or change your data, it is listed in the access log."
                .to_string(),
        )
    } else if notice.declined.is_some() {
        Some(
            "Invite declined: nothing is shared, and the invite can no longer be used.".to_string(),
        )
    } else if notice.unshared.is_some() {
        Some("Sharing revoked: the clinician can no longer see your data, from now on.".to_string())
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

/// Saves units and birth year (the body mass is left as it is).
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
    // No body mass: the profile's units and birth year only, whatever the units become.
    let body = records::ProfileBody {
        units,
        body_mass_kg: None,
        body_mass_from: None,
        birth_year,
    };
    match records::put_profile(State(state.clone()), viewer.caller.clone(), ApiJson(body)).await {
        Ok(_) => Ok(see_other("/settings?saved=1")),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FormErrors::from_api(&e, &[]);
            sent_back(&state, &viewer, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Keeps a body mass from a day, read in the unit the field was shown in, and estimates again
/// the sessions it applies to.
pub(crate) async fn save_body_mass(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<BodyMassForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let mut errors = FormErrors::default();
    let units = shown_units(&form.body_mass_unit, viewer.units());
    let unit = mass_unit(units);
    if form.body_mass.trim().is_empty() {
        errors.add("body_mass", format!("Enter your body mass in {unit}."));
    }
    let mass = parse_number(
        &mut errors,
        "body_mass",
        &form.body_mass,
        &format!(
            "your body mass in {unit}, for example {}",
            mass_field(70.0, units)
        ),
    )
    .and_then(|v| {
        match units {
            Units::Imperial => BodyMass::from_lb(v),
            Units::Metric => BodyMass::from_kg(v),
        }
        .map_err(|e| errors.add("body_mass", e.to_string()))
        .ok()
    });
    let from = records::body_mass_day(&form.body_mass_from)
        .map_err(|message| errors.add("body_mass_from", message))
        .ok();
    let (Some(mass), Some(from), true) = (mass, from, errors.is_empty()) else {
        return mass_sent_back(&state, &viewer, form, errors).await;
    };
    let change = records::change_body_mass(&state, &viewer.caller, from, Some(mass))
        .await?
        .ok_or_else(|| ApiError::internal("a body mass was kept but nothing changed"))?;
    Ok(see_other(&mass_redirect(&change.reestimated, false)))
}

fn mass_redirect(done: &records::Reestimation, removed: bool) -> String {
    format!(
        "/settings?mass_from={}&reestimated={}{}{}#body-mass",
        done.from,
        done.sessions,
        done.until
            .map(|u| format!("&until={u}"))
            .unwrap_or_default(),
        if removed { "&mass_removed=1" } else { "" }
    )
}

/// Removes the body mass from a day.
pub(crate) async fn remove_body_mass(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(day): Path<String>,
    Form(form): Form<super::public::CsrfOnly>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&form.csrf)?;
    let day: jiff::civil::Date = day.parse().map_err(|_| PageError::NotFound("body mass"))?;
    let change = records::change_body_mass(&state, &viewer.caller, day, None)
        .await?
        .ok_or(PageError::NotFound("body mass"))?;
    Ok(see_other(&mass_redirect(&change.reestimated, true)))
}

async fn mass_sent_back(
    state: &AppState,
    viewer: &Viewer,
    form: BodyMassForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let page = page(
        state,
        viewer,
        Extras {
            mass_form: Some(form),
            mass_errors: errors,
            ..Extras::default()
        },
    )
    .await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
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

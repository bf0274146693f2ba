//! Sign-up, sign-in, sign-out, passwords, account deletion and personal API tokens.

use crate::AppState;
use crate::api::parse_id;
use crate::api::schema;
use crate::auth::{self, Caller, ClientAddr, Credential};
use crate::problem::{ApiError, ApiJson, FieldError, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use store::{NewToken, NewUser, Role, WebSession};
use utoipa::ToSchema;

/// Longest accepted email address (RFC 5321's path limit).
const MAX_EMAIL_CHARS: usize = 254;
/// Longest token name.
const MAX_TOKEN_NAME_CHARS: usize = 100;

/// Credentials for a new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignUp {
    /// Email address (compared without regard to case), at most 254 characters.
    #[schema(
        max_length = 254,
        pattern = "^[^\\s@]+@[^\\s.][^\\s]*\\.[^\\s]*[^\\s.]$",
        example = "walker@example.org"
    )]
    pub(crate) email: String,
    /// 10 to 1,024 characters, not the email, not a common or trivially weak password (the
    /// strength check is zxcvbn's, which a schema cannot state: a weak one is refused with 422).
    #[schema(min_length = 10, max_length = 1024, example = "a long walk backward")]
    pub(crate) password: String,
}

/// An account as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccountCreated {
    pub(crate) id: store::Id,
    pub(crate) email: String,
    #[schema(schema_with = schema::role)]
    pub(crate) role: String,
}

/// Checks an email's shape: something@something.something, no spaces.
pub fn check_email(email: &str) -> Result<String, FieldError> {
    let email = email.trim().to_lowercase();
    let shaped = email.chars().count() <= MAX_EMAIL_CHARS
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if shaped {
        Ok(email)
    } else {
        Err(FieldError {
            field: "email".into(),
            message: format!(
                "{email:?} is not an email address: expected name@example.org, at most {MAX_EMAIL_CHARS} characters"
            ),
        })
    }
}

/// Creates an account with the person role.
#[utoipa::path(post, path = "/api/v1/accounts", request_body = SignUp,
    responses((status = 201, body = AccountCreated), (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub(crate) async fn sign_up(
    State(state): State<AppState>,
    client: ClientAddr,
    ApiJson(body): ApiJson<SignUp>,
) -> Result<(StatusCode, Json<AccountCreated>), ApiError> {
    let mut errors = Vec::new();
    let email = check_email(&body.email).map_err(|e| errors.push(e)).ok();
    if let Err(message) = auth::check_password_rules(&body.password, &body.email) {
        errors.push(FieldError {
            field: "password".into(),
            message,
        });
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    auth::begin_sign_up(&state, client)?;
    let user = create_account(&state, email, body.password, Role::Person).await?;
    Ok((
        StatusCode::CREATED,
        Json(AccountCreated {
            id: user.id,
            email: user.email,
            role: user.role.as_str().into(),
        }),
    ))
}

/// Creates an account (also used by `retrostride user add`).
pub async fn create_account(
    state: &AppState,
    email: String,
    password: String,
    role: Role,
) -> Result<store::User, ApiError> {
    let password_hash = auth::hash_password(password).await?;
    Ok(state
        .store
        .create_user(&NewUser {
            email,
            password_hash,
            role,
            created_at: jiff::Timestamp::now(),
        })
        .await?)
}

/// Credentials to sign in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignIn {
    /// The account's email.
    #[schema(max_length = 1024)]
    pub(crate) email: String,
    /// Its password.
    #[schema(max_length = 1024)]
    pub(crate) password: String,
}

/// A new browser session.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignedIn {
    pub(crate) id: store::Id,
    pub(crate) email: String,
    #[schema(schema_with = schema::role)]
    pub(crate) role: String,
    /// Echo this in the X-CSRF-Token header of every POST, PUT and DELETE.
    pub(crate) csrf_token: String,
    #[schema(value_type = String)]
    pub(crate) expires_at: jiff::Timestamp,
}

/// Signs in: sets an HttpOnly session cookie and returns the CSRF token for it.
#[utoipa::path(post, path = "/api/v1/session", request_body = SignIn,
    responses((status = 200, body = SignedIn), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Response, ApiError> {
    let user = auth::check_credentials(&state, client, &body.email, &body.password).await?;
    let (session, set_cookie) = open_session(&state, user.id, &headers).await?;
    let expires_at = session.expires_at;
    let mut response = Json(SignedIn {
        id: user.id,
        email: user.email,
        role: user.role.as_str().into(),
        csrf_token: session.csrf_token,
        expires_at,
    })
    .into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&set_cookie).map_err(ApiError::internal)?,
    );
    Ok(response)
}

/// Opens a browser session for a signed-in account: the stored session and its Set-Cookie.
pub(crate) async fn open_session(
    state: &AppState,
    user_id: store::Id,
    headers: &HeaderMap,
) -> Result<(WebSession, String), ApiError> {
    let cookie_value = auth::random_hex();
    let now = jiff::Timestamp::now();
    let days = state.config.session_days;
    let expires_at = now
        .checked_add(jiff::SignedDuration::from_hours(24 * days))
        .map_err(ApiError::internal)?;
    let session = WebSession {
        id_hash: auth::digest(&cookie_value),
        user_id,
        csrf_token: auth::random_hex(),
        created_at: now,
        expires_at,
    };
    state.store.create_web_session(&session).await?;
    let set_cookie = auth::session_set_cookie(cookie_value, days, auth::over_tls(headers));
    Ok((session, set_cookie))
}

/// Signs out of this browser session.
#[utoipa::path(delete, path = "/api/v1/session", responses((status = 204), (status = 401, body = Problem)))]
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Response, ApiError> {
    if let Credential::Browser(session) = &caller.credential {
        state.store.delete_web_session(&session.id_hash).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&auth::session_clear_cookie(auth::over_tls(&headers)))
            .map_err(ApiError::internal)?,
    );
    Ok(response)
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordChange {
    /// The password now.
    #[schema(max_length = 1024)]
    pub(crate) current_password: String,
    /// The new one, under the sign-up rules.
    #[schema(min_length = 10, max_length = 1024, example = "a long walk backward")]
    pub(crate) new_password: String,
}

/// Changes the password, ends every other browser session and revokes every API token (a
/// script or app that used one must be given a new token).
#[utoipa::path(post, path = "/api/v1/account/password", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn change_password(
    State(state): State<AppState>,
    client: ClientAddr,
    caller: Caller,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    if let Err(message) = auth::check_password_rules(&body.new_password, &caller.user.email) {
        return Err(ApiError::field("new_password", message));
    }
    auth::recheck_password(
        &state,
        client,
        &caller.user,
        body.current_password,
        "the current password is wrong",
    )
    .await?;
    let hash = auth::hash_password(body.new_password).await?;
    state.store.set_password_hash(caller.id(), &hash).await?;
    let keep = match &caller.credential {
        Credential::Browser(s) => Some(s.id_hash.as_str()),
        Credential::Token => None,
    };
    state
        .store
        .delete_other_web_sessions(caller.id(), keep)
        .await?;
    // Whoever learnt the old password may have made a token with it: none outlives the change.
    for token in state.store.tokens(caller.id()).await? {
        state.store.delete_token(caller.id(), token.id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Confirms account deletion.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteAccount {
    /// The account's password, to confirm.
    #[schema(max_length = 1024)]
    pub(crate) password: String,
}

/// Deletes the account and all of its data.
#[utoipa::path(delete, path = "/api/v1/account", request_body = DeleteAccount,
    responses((status = 204), (status = 401, body = Problem), (status = 429, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn delete_account(
    State(state): State<AppState>,
    client: ClientAddr,
    caller: Caller,
    ApiJson(body): ApiJson<DeleteAccount>,
) -> Result<StatusCode, ApiError> {
    auth::recheck_password(
        &state,
        client,
        &caller.user,
        body.password,
        "the password is wrong",
    )
    .await?;
    state.store.delete_user(caller.id()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A token request: the account's credentials and a name for the token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenRequest {
    /// The account's email.
    #[schema(max_length = 1024)]
    pub(crate) email: String,
    /// Its password.
    #[schema(max_length = 1024)]
    pub(crate) password: String,
    /// What the token is for ("phone", "backup script"): 1 to 100 characters, not all spaces.
    #[schema(min_length = 1, max_length = 100, pattern = "\\S", example = "phone")]
    pub(crate) name: String,
    /// What the token may reach: `full` (the default: everything the account may do),
    /// `clinician` (only `/api/v1/clinician/...`, for a clinic's tools) or `clinician_read`
    /// (only reading those). The clinician scopes need the clinician role.
    #[serde(default)]
    #[schema(schema_with = schema::token_scope)]
    pub(crate) scope: store::TokenScope,
}

/// A new token; the only time it is shown.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TokenCreated {
    pub(crate) id: store::Id,
    pub(crate) name: String,
    /// Send as `Authorization: Bearer TOKEN`. Shown once: only its hash is kept.
    pub(crate) token: String,
    #[schema(value_type = String)]
    pub(crate) created_at: jiff::Timestamp,
    /// What it may reach.
    #[schema(schema_with = schema::token_scope)]
    pub(crate) scope: store::TokenScope,
}

/// Creates a personal API token.
#[utoipa::path(post, path = "/api/v1/tokens", request_body = TokenRequest,
    responses((status = 201, body = TokenCreated), (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub(crate) async fn create_token(
    State(state): State<AppState>,
    client: ClientAddr,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<(StatusCode, Json<TokenCreated>), ApiError> {
    let name = body.name.trim().to_string();
    if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME_CHARS {
        return Err(ApiError::field(
            "name",
            format!("give the token a name of 1 to {MAX_TOKEN_NAME_CHARS} characters"),
        ));
    }
    let user = auth::check_credentials(&state, client, &body.email, &body.password).await?;
    if body.scope != store::TokenScope::Full && user.role != store::Role::Clinician {
        return Err(ApiError::field(
            "scope",
            format!(
                "a {} token needs the clinician role; this account is a {}: ask for `full`",
                body.scope, user.role
            ),
        ));
    }
    let token = format!("{}{}", auth::TOKEN_PREFIX, auth::random_hex());
    let stored = state
        .store
        .create_token(
            user.id,
            &NewToken {
                name,
                token_hash: auth::digest(&token),
                created_at: jiff::Timestamp::now(),
                scope: body.scope,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated {
            id: stored.id,
            name: stored.name,
            token,
            created_at: stored.created_at,
            scope: stored.scope,
        }),
    ))
}

/// A token as listed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TokenView {
    pub(crate) id: store::Id,
    pub(crate) name: String,
    #[schema(value_type = String)]
    pub(crate) created_at: jiff::Timestamp,
    /// What it may reach.
    #[schema(schema_with = schema::token_scope)]
    pub(crate) scope: store::TokenScope,
}

/// Lists the caller's tokens (names and dates only).
#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, body = [TokenView]), (status = 401, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let tokens = state.store.tokens(caller.id()).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenView {
                id: t.id,
                name: t.name,
                created_at: t.created_at,
                scope: t.scope,
            })
            .collect(),
    ))
}

/// Revokes a token.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "token")?;
    if state.store.delete_token(caller.id(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("token"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lower_cased_and_shaped() {
        assert_eq!(check_email(" Ann@Example.ORG ").unwrap(), "ann@example.org");
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.org",
            "ann@example",
            "a nn@example.org",
            "ann@.org",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}

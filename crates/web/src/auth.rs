//! Who is asking: passwords (argon2id, hashed on the blocking pool so the async workers keep
//! answering), browser sessions (a random id in an HttpOnly SameSite=Lax cookie, only its hash
//! stored), CSRF defence for cookie-authenticated writes, and personal API tokens (random,
//! shown once, stored as SHA-256: they carry 256 bits of entropy, so a fast hash is enough and
//! keeps token checks cheap). Every password check and sign-up goes through one limiter
//! ([`limiter`]), per client address and per account.

pub(crate) mod limiter;

use crate::AppState;
use crate::problem::ApiError;
use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum_extra::extract::cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;
use store::{Role, User, WebSession};

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "retrostride_session";
/// Header a browser must echo on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Prefix of personal API tokens, so that a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "rs_";
/// Shortest accepted password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest accepted password (argon2 takes any length; this bounds the work per request).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// 32 random bytes as hex.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// SHA-256 hex of a secret, as stored.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Characters of a password the strength estimate reads: zxcvbn's matching grows faster than
/// the length, and a password whose first 100 characters are not weak is not weak.
const STRENGTH_CHARS: usize = 100;

/// Lowest zxcvbn score accepted: 3 of 4, "safely unguessable" (about 10^8 guesses or more),
/// the score zxcvbn's authors advise. Scores 0 to 2 are common passwords, names, dates, keyboard
/// rows, sequences and repetitions, and their light variations.
const MIN_STRENGTH: zxcvbn::Score = zxcvbn::Score::Three;

/// What a refused password should be instead.
const EXPECTED_PASSWORD: &str = "use at least 10 characters that are not a common password, a name, a date, a keyboard row, a sequence or a repetition: for example three or four unrelated words";

/// Checks a new password for the account `email`: its length, that it is not the email, and
/// that it is not common or trivially weak (the `zxcvbn` estimate, which also knows the email);
/// the message says what is wrong and what is expected. Used by sign-up, password changes and
/// `retrostride user add`.
pub fn check_password_rules(password: &str, email: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password has {chars} characters: use at least {MIN_PASSWORD_CHARS}"
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(format!(
            "the password has {chars} characters: use at most {MAX_PASSWORD_CHARS}"
        ));
    }
    let email = email.trim().to_lowercase();
    if !email.is_empty() && password.trim().to_lowercase() == email {
        return Err(format!(
            "the password is your email address, the first thing anyone would try: {EXPECTED_PASSWORD}"
        ));
    }
    let head: String = password.chars().take(STRENGTH_CHARS).collect();
    // The email, its name part with and without punctuation ("ann.lee", "annlee") and each of
    // its words count as known to an attacker.
    let local = email.split('@').next().unwrap_or_default();
    let joined: String = local.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut known = vec![email.as_str(), local, joined.as_str(), "retrostride"];
    known.extend(
        local
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 2),
    );
    let estimate = zxcvbn::zxcvbn(&head, &known);
    if estimate.score() >= MIN_STRENGTH {
        return Ok(());
    }
    let why = estimate
        .feedback()
        .and_then(|f| f.warning())
        .map(|w| {
            let w = w.to_string();
            let w = w.trim_end_matches('.');
            let mut letters = w.chars();
            letters.next().map_or_else(String::new, |first| {
                format!(" ({}{})", first.to_lowercase(), letters.as_str())
            })
        })
        .unwrap_or_default();
    Err(format!(
        "the password is too easy to guess{why}: {EXPECTED_PASSWORD}"
    ))
}

/// Hashes a password with argon2id (default parameters) on the blocking pool.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}

/// Verifies a password against a stored hash on the blocking pool.
pub async fn verify_password(password: String, stored: String) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(ApiError::internal)
}

/// A hash to verify against when the email is unknown, so that both answers take as long.
pub fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2YwvUx1Wd+vSiAyXUvuRqTwrh6zjQNNL6aE4k8MBjh8"
}

/// Checks an email and password; the same 401 for an unknown email and a wrong password.
/// Counted by the limiter: a 429 with the wait when the address or the account is over.
pub async fn check_credentials(
    state: &AppState,
    client: ClientAddr,
    email: &str,
    password: &str,
) -> Result<User, ApiError> {
    state
        .attempts
        .begin_password(client.0, email, Instant::now())
        .map_err(|r| too_many(r, state))?;
    let user = state.store.user_by_email(email.trim()).await?;
    let stored = user
        .as_ref()
        .map_or_else(|| decoy_hash().to_string(), |u| u.password_hash.clone());
    let matches = verify_password(password.to_string(), stored).await?;
    match user {
        Some(user) if matches => {
            state.attempts.password_ok(client.0, email);
            Ok(user)
        }
        _ => Err(ApiError::unauthorized("the email or the password is wrong")),
    }
}

/// Checks the password a signed-in person typed again (new token, password change, account
/// deletion), counted by the same limiter as sign-in; `wrong` is the 401's message.
pub async fn recheck_password(
    state: &AppState,
    client: ClientAddr,
    user: &User,
    password: String,
    wrong: &str,
) -> Result<(), ApiError> {
    state
        .attempts
        .begin_password(client.0, &user.email, Instant::now())
        .map_err(|r| too_many(r, state))?;
    if verify_password(password, user.password_hash.clone()).await? {
        state.attempts.password_ok(client.0, &user.email);
        Ok(())
    } else {
        Err(ApiError::unauthorized(wrong))
    }
}

/// Counts a sign-up from the client's address, or refuses it with a 429.
pub fn begin_sign_up(state: &AppState, client: ClientAddr) -> Result<(), ApiError> {
    state
        .attempts
        .begin_sign_up(client.0, Instant::now())
        .map_err(|r| too_many(r, state))
}

/// The limiter's refusal as a 429 with Retry-After, in words.
fn too_many(refusal: limiter::TooMany, state: &AppState) -> ApiError {
    let when = limiter::wait_in_words(refusal.wait);
    let who = match refusal.over {
        limiter::Over::Address => "Too many attempts with a wrong password from your address",
        limiter::Over::Account => "Too many attempts with a wrong password for this account",
        limiter::Over::SignUps => "Too many sign-ups from your address",
    };
    let seconds = refusal.wait.as_secs() + u64::from(refusal.wait.subsec_nanos() > 0);
    ApiError::too_many_requests(
        format!(
            "{who}; try again in {when}. The wait grows with each further failure, up to {}.",
            limiter::wait_in_words(state.attempts.max_wait())
        ),
        seconds.max(1),
    )
}

/// The client's address as the connection reports it: the same key the limiter has always
/// used. `X-Forwarded-For` is not read, since a client can write anything there. Without a
/// connection (a router called directly) every request shares one key.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip()),
        ))
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A personal API token (what it may reach was checked when it was read).
    Token,
    /// A browser session.
    Browser(WebSession),
}

/// The signed-in caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Their account.
    pub user: User,
    /// How they signed in.
    pub credential: Credential,
    /// Their summary version as read with their API token, in the same query (none for a
    /// browser session): see `api::progress::SummaryCache`.
    pub(crate) summary_version: Option<i64>,
}

impl Caller {
    /// The caller's user id.
    pub fn id(&self) -> store::Id {
        self.user.id
    }

    /// Refuses callers without one of the roles.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the {} role",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )))
        }
    }
}

/// The session cookie's value, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_string()))
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

/// Whether the request reached us over TLS (directly or through a proxy that says so).
pub fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// Whether a form post came from this site's own pages, judged by its `Origin` header (login
/// CSRF: another site must not sign a browser in to an account of its choosing). A missing
/// Origin is let through, since older clients do not send one. The origin's host must be the
/// request's `Host`, or the `X-Forwarded-Host` a proxy that rewrites Host sets: a cross-site
/// form cannot choose either header. Over TLS (the rule the Secure cookie follows) the scheme
/// must be https; over plain HTTP either scheme is accepted, since a proxy may end TLS without
/// saying so and the host alone already tells another site apart.
pub fn origin_is_this_site(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    // "null" (sandboxed frames, privacy redirects) and anything unparsable are not this site.
    let Some((scheme, authority)) = origin.to_str().ok().and_then(|o| o.split_once("://")) else {
        return false;
    };
    let scheme_ok = if over_tls(headers) {
        scheme.eq_ignore_ascii_case("https")
    } else {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    };
    let host_is = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|h| !h.trim().is_empty() && h.trim().eq_ignore_ascii_case(authority))
    };
    scheme_ok && (host_is("host") || host_is("x-forwarded-host"))
}

/// The Set-Cookie value for a new session.
pub fn session_set_cookie(value: String, days: i64, secure: bool) -> String {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .build()
        .to_string()
        + &max_age(days)
}

/// The Set-Cookie value that removes the session cookie.
pub fn session_clear_cookie(secure: bool) -> String {
    Cookie::build((SESSION_COOKIE, ""))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .build()
        .to_string()
        + &max_age(0)
}

/// Max-Age is appended as text: the cookie crate wants a `time::Duration`, a dependency this
/// one attribute does not justify.
fn max_age(days: i64) -> String {
    format!("; Max-Age={}", days.max(0) * 86_400)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(|| {
                    ApiError::unauthorized("the Authorization header must be `Bearer TOKEN`")
                })?;
            let found = state
                .store
                .token_caller(&digest(token))
                .await?
                .ok_or_else(|| {
                    ApiError::unauthorized("the API token is not valid (revoked, or mistyped)")
                })?;
            within_scope(found.scope, &parts.method, parts.uri.path())?;
            return Ok(Caller {
                user: found.user,
                credential: Credential::Token,
                summary_version: Some(found.summary_version),
            });
        }
        let Some(cookie) = session_cookie(&parts.headers) else {
            return Err(ApiError::unauthorized(
                "sign in first: send `Authorization: Bearer TOKEN` or a session cookie",
            ));
        };
        let (session, user) = state
            .store
            .web_session(&digest(&cookie), jiff::Timestamp::now())
            .await?
            .ok_or_else(|| ApiError::unauthorized("the session has ended: sign in again"))?;
        // Cookies ride along on cross-site requests; the CSRF token does not, since another
        // site cannot read it.
        if !is_safe(&parts.method) {
            let echoed = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(echoed.as_bytes(), session.csrf_token.as_bytes()) {
                return Err(ApiError::forbidden(
                    "missing or wrong X-CSRF-Token header: browsers must echo the csrf_token given at sign-in",
                ));
            }
        }
        Ok(Caller {
            user,
            credential: Credential::Browser(session),
            summary_version: None,
        })
    }
}

/// The routes a clinician-scoped token reaches: the clinician's own, nothing of the account's
/// own record or settings.
const CLINICIAN_ROUTES: &str = "/api/v1/clinician/";

/// Refuses a request outside what its token may reach (403, saying what the token is for).
fn within_scope(scope: store::TokenScope, method: &Method, path: &str) -> Result<(), ApiError> {
    let clinician_route = path.starts_with(CLINICIAN_ROUTES);
    match scope {
        store::TokenScope::Full => Ok(()),
        store::TokenScope::Clinician if clinician_route => Ok(()),
        store::TokenScope::ClinicianRead if clinician_route && is_safe(method) => Ok(()),
        store::TokenScope::ClinicianRead if clinician_route => Err(ApiError::forbidden(
            "this token only reads the clinician routes: make a token with the scope `clinician` to change plans or gates",
        )),
        _ => Err(ApiError::forbidden(format!(
            "this token is scoped to the clinician routes ({CLINICIAN_ROUTES}...): make a `full` token for the rest of the API"
        ))),
    }
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_passwords_are_refused_with_the_rule() {
        let short = check_password_rules("abc", "").unwrap_err();
        assert!(short.contains("at least 10"), "{short}");
        assert!(check_password_rules("correct horse", "").is_ok());
        assert!(check_password_rules(&"x".repeat(2000), "").is_err());
    }

    #[test]
    fn common_weak_and_email_passwords_are_refused_with_what_is_expected() {
        let email = "Ann.Lee@example.org";
        for weak in [
            "password123456",
            "qwertyuiop",
            "1234567890",
            "aaaaaaaaaaaa",
            "abcdefghijk",
            "iloveyou12345",
            "annlee12345",
        ] {
            let message = check_password_rules(weak, email).unwrap_err();
            assert!(
                message.contains("too easy to guess") && message.contains("unrelated words"),
                "{weak}: {message}"
            );
        }
        let same = check_password_rules(" ann.lee@EXAMPLE.org", email).unwrap_err();
        assert!(same.contains("your email address"), "{same}");
        for strong in [
            "correct horse battery",
            "long enough pw",
            "a new long password",
            "a long enough password",
            &"walk backwards uphill slowly ".repeat(20),
        ] {
            assert!(check_password_rules(strong, email).is_ok(), "{strong}");
        }
    }

    #[test]
    fn the_decoy_hash_parses_so_unknown_emails_cost_a_full_verification() {
        assert!(PasswordHash::new(decoy_hash()).is_ok());
    }

    #[test]
    fn session_cookie_is_http_only_and_lax() {
        let c = session_set_cookie("abc".into(), 30, false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(session_set_cookie("abc".into(), 30, true).contains("Secure"));
    }

    #[test]
    fn only_this_sites_origin_or_none_may_post_a_sign_in() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, v.parse().unwrap());
            }
            h
        };
        let host = ("host", "retro.example:8080");
        assert!(origin_is_this_site(&headers(&[host])));
        assert!(origin_is_this_site(&headers(&[
            host,
            ("origin", "http://retro.example:8080")
        ])));
        assert!(!origin_is_this_site(&headers(&[
            host,
            ("origin", "http://evil.example")
        ])));
        assert!(!origin_is_this_site(&headers(&[host, ("origin", "null")])));
        assert!(!origin_is_this_site(&headers(&[
            host,
            ("origin", "http://retro.example")
        ])));
        // Behind a proxy that rewrites Host and says it used TLS.
        let proxied = [
            ("host", "127.0.0.1:3000"),
            ("x-forwarded-host", "retro.example"),
            ("x-forwarded-proto", "https"),
        ];
        let mut ok = headers(&proxied);
        ok.insert("origin", "https://retro.example".parse().unwrap());
        assert!(origin_is_this_site(&ok));
        ok.insert("origin", "http://retro.example".parse().unwrap());
        assert!(!origin_is_this_site(&ok));
    }

    #[test]
    fn csrf_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}

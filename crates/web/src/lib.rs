//! Retrostride's HTTP side: the web app (server-rendered pages, the guided session timer; see
//! `pages`), accounts, browser sessions, API tokens and the JSON API under `/api/v1`, described
//! by an OpenAPI document at `/api/openapi.json` with a vendored Swagger UI at `/api/docs`. Requests are parsed at this edge into coach types, the coach decides
//! (clearance, plan, energy, progression), the [`store`] persists; nothing here writes SQL or
//! computes a domain figure itself. Every request is answered from the database alone (sessions
//! live there too), so several processes can share one PostgreSQL behind a load balancer; only
//! the limiter of password checks and sign-ups (`auth::limiter`) is per process. Errors are
//! RFC 9457 problem+json ([`problem`]).

mod api;
mod auth;
mod energy;
mod openapi;
mod pages;
pub mod problem;

pub use api::accounts::{check_email, create_account};
pub use auth::{MIN_PASSWORD_CHARS, check_password_rules, random_hex};

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use store::Store;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// Settings the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Failed password checks (page and API sign-in, token creation, the password typed again
    /// behind a session), and sign-ups, allowed per client address before each further one
    /// must wait.
    pub auth_burst: u32,
    /// Failed password checks allowed per account before each further one must wait.
    pub auth_account_failures: u32,
    /// The first wait, in milliseconds; it doubles with each further failure.
    pub auth_refill_ms: u64,
    /// The longest wait, in milliseconds: nobody is locked out for longer.
    pub auth_max_wait_ms: u64,
    /// Largest request body, bytes (imports excepted).
    pub body_limit: usize,
    /// Largest import document, bytes.
    pub import_limit: usize,
    /// How long a browser session lasts.
    pub session_days: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            auth_burst: 10,
            auth_account_failures: 5,
            auth_refill_ms: 6_000,
            auth_max_wait_ms: 15 * 60 * 1000,
            body_limit: 64 * 1024,
            import_limit: 32 * 1024 * 1024,
            session_days: 30,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Settings.
    pub config: Arc<Config>,
    /// Planned sessions by plan id. Safe to keep per process because a plan's sessions never
    /// change once stored and plan ids are never reused: every process reads the same rows.
    planned: Arc<PlannedCache>,
    /// Progress summaries served again while their walker's summary version and the day match.
    summaries: Arc<api::progress::SummaryCache>,
    /// Motion files held for a second analysis (see `pages::HeldFiles`: in memory, bounded).
    held: Arc<pages::HeldFiles>,
    /// Password checks and sign-ups per address and account (see `auth::limiter`).
    attempts: Arc<auth::limiter::Attempts>,
}

impl AppState {
    /// State over a store with settings.
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let first_wait = Duration::from_millis(config.auth_refill_ms.max(1));
        let attempts = auth::limiter::Attempts::new(auth::limiter::Limits {
            per_address: config.auth_burst.max(1),
            per_account: config.auth_account_failures.max(1),
            sign_ups: config.auth_burst.max(1),
            first_wait,
            max_wait: Duration::from_millis(config.auth_max_wait_ms).max(first_wait),
        });
        AppState {
            store,
            config: Arc::new(config),
            planned: Arc::new(PlannedCache::default()),
            summaries: Arc::new(api::progress::SummaryCache::default()),
            held: Arc::new(pages::HeldFiles::default()),
            attempts: Arc::new(attempts),
        }
    }
}

/// Plans held at most; past this the cache starts over (a plan costs a few kB).
const PLANNED_CACHE_PLANS: usize = 4096;

/// See [`AppState`]. Each plan's sessions are held with the plan's reschedule count (its
/// `details.rescheduled`, read with the plan on every request), so a plan whose dates were moved,
/// by this process or another, is read again.
#[derive(Default)]
struct PlannedCache(std::sync::Mutex<std::collections::HashMap<store::Id, HeldSessions>>);

/// A plan's reschedule count and its sessions.
type HeldSessions = (u64, Arc<Vec<coach::plan::PlannedSession>>);

impl PlannedCache {
    fn get(&self, plan: store::Id, revision: u64) -> Option<Arc<Vec<coach::plan::PlannedSession>>> {
        let map = self.0.lock().ok()?;
        let (held, sessions) = map.get(&plan)?;
        (*held == revision).then(|| Arc::clone(sessions))
    }

    fn put(&self, plan: store::Id, revision: u64, sessions: Arc<Vec<coach::plan::PlannedSession>>) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= PLANNED_CACHE_PLANS {
                map.clear();
            }
            map.insert(plan, (revision, sessions));
        }
    }
}

/// The whole application: pages, API and documentation, with security headers.
pub fn router(state: AppState) -> Router {
    let csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    let body_limit = state.config.body_limit;
    Router::new()
        .merge(api::routes(state.clone()))
        .merge(pages::routes(state.clone()))
        .merge(openapi::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pages::signed_in_error_pages,
        ))
        .layer(axum::middleware::from_fn(private_and_tls_headers))
        // Pages, scripts and JSON shrink to about a third over gzip: it matters on a phone signal.
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .layer(RequestBodyLimitLayer::new(
            body_limit.max(state.config.import_limit + pages::MULTIPART_SLACK),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.config.import_limit,
            pages::too_large_as_page,
        ))
        // The pages set a stricter policy of their own; this one covers the API and its docs.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        // Outermost, so that it sees the body as it came and every early answer inside.
        .layer(axum::middleware::from_fn(close_if_body_unread))
}

/// `Connection: close` on an answer given before the request's body was read to its end (a
/// 401 or a redirect to sign-in for an upload, a 413 over the limit). The server stops reading
/// such a body and closes the connection after answering; without the header a client would
/// reuse the connection for its next request and see that request aborted.
async fn close_if_body_unread(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::body::HttpBody;
    let (parts, body) = request.into_parts();
    if body.is_end_stream() {
        return next
            .run(axum::extract::Request::from_parts(parts, body))
            .await;
    }
    let read = Arc::new(AtomicBool::new(false));
    let body = axum::body::Body::new(TrackedBody {
        inner: body,
        read: read.clone(),
    });
    let mut response = next
        .run(axum::extract::Request::from_parts(parts, body))
        .await;
    if !read.load(Ordering::Relaxed) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// A request body that notes when it has been read to its end.
struct TrackedBody {
    inner: axum::body::Body,
    read: Arc<AtomicBool>,
}

impl http_body::Body for TrackedBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        // The end is known either from an empty poll or, with a Content-Length, as soon as the
        // last byte is delivered (a multipart reader stops at its closing boundary).
        if matches!(polled, Poll::Ready(None)) || this.inner.is_end_stream() {
            this.read.store(true, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Strict-Transport-Security sent over TLS: two years, subdomains included.
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// `Cache-Control: no-store` on every answer that does not set its own caching (pages, the API,
/// exports, new tokens, redirects carrying a session cookie: all private, or answered per
/// person), except the public API documentation; the static files keep their own day of
/// caching. HSTS when the request came over TLS, by the same rule as the Secure cookie.
async fn private_and_tls_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    let public = path == "/api/openapi.json" || path.starts_with("/api/docs");
    let tls = auth::over_tls(request.headers());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !public && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        // Without a handler the process would simply exit, which is what the signal asks anyway.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

/// How long the server waits for requests in flight after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

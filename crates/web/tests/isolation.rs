//! Isolation, for every route: a walker's data is seen by the walker and by a clinician the
//! walker shares with, and by nobody else. The routes are not listed by hand: the API's come
//! from its own OpenAPI document and the pages' from the page router's source, so a route added
//! later is tried too (and a path parameter this test does not know fails it, asking to be
//! mapped). Each stranger (another walker, a clinician without a grant, an administrator, and the
//! clinician once the walker revoked) must get, for the walker's ids, exactly the answer a
//! missing id gets, and never the walker's data; lists must not contain it. Run on SQLite and on
//! a real PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

#[path = "../../../testsupport/pg.rs"]
mod pg;

mod support;

use coach::measure::Age;
use coach::screening::ScreeningAnswers;
use reqwest::header::{CONTENT_TYPE, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Written into the walker's records; no stranger's answer may contain it.
const MARKER: &str = "walker-w-private-marker-5531";
const WALKER_EMAIL: &str = "walker-w@example.org";
/// An id no record has.
const MISSING: i64 = 987_654_321;

struct App {
    base: String,
    http: Client,
}

/// Someone signed in, both ways: an API token and a browser cookie with its CSRF token.
struct Person {
    label: &'static str,
    token: String,
    cookie: String,
    csrf: String,
}

impl App {
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, String) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    async fn json(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
        let (status, text) = self.call(method.clone(), path, token, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn page(&self, method: Method, path: &str, who: &Person) -> (StatusCode, String) {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .header("cookie", &who.cookie);
        if method == Method::POST {
            request = request
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("origin", &self.base)
                .body(format!("csrf={}", who.csrf));
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    async fn person(
        &self,
        label: &'static str,
        email: &str,
        role: Option<store::Role>,
        store: &Arc<dyn store::Store>,
    ) -> Person {
        let password = "long enough pw";
        let (status, text) = self
            .call(
                Method::POST,
                "/api/v1/accounts",
                "",
                Some(json!({"email": email, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{text}");
        if let Some(role) = role {
            let user = store.user_by_email(email).await.unwrap().unwrap();
            store.set_role(user.id, role).await.unwrap();
        }
        let token = self
            .json(
                Method::POST,
                "/api/v1/tokens",
                "",
                Some(json!({"email": email, "password": password, "name": "isolation"})),
            )
            .await["token"]
            .as_str()
            .unwrap()
            .to_string();
        let signed_in = self
            .http
            .post(format!("{}/signin", self.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("origin", &self.base)
            .body(format!(
                "email={}&password=long+enough+pw",
                email.replace('@', "%40")
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(
            signed_in.status(),
            StatusCode::SEE_OTHER,
            "{label} signs in"
        );
        let cookie = signed_in.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let settings = self
            .http
            .get(format!("{}/settings", self.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let at = settings.find(r#"name="csrf-token" content=""#).unwrap() + 27;
        let csrf = settings[at..].split('"').next().unwrap().to_string();
        Person {
            label,
            token,
            cookie,
            csrf,
        }
    }
}

/// The walker's ids, by what they name.
struct WalkerIds {
    by_kind: BTreeMap<&'static str, String>,
}

impl WalkerIds {
    fn get(&self, kind: &str) -> String {
        self.by_kind
            .get(kind)
            .unwrap_or_else(|| panic!("the walker has no {kind} to try"))
            .clone()
    }
}

/// What a path parameter names, from the path it is in: the isolation test must know every
/// parameter, so that a new route cannot go untried.
fn kind_of(path: &str, parameter: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let before = segments
        .iter()
        .position(|s| *s == format!("{{{parameter}}}"))
        .and_then(|i| i.checked_sub(1))
        .map(|i| segments[i])
        .unwrap_or("");
    Some(match (before, parameter) {
        (_, "index") => "block index",
        (_, "plan") => "plan",
        (_, "session") => "session",
        (_, "alert") | ("alerts", "id") => "alert",
        (_, "note") | ("notes", "id") => "note",
        ("templates", "id") => "template",
        ("walkers" | "users", "id") => "walker",
        ("assessments", "id") => "assessment",
        ("grants", "id") => "grant",
        ("planned-sessions", "id") => "planned session",
        ("plans", "id") => "plan",
        ("screenings", "id") => "screening",
        ("sessions" | "history", "id") => "session",
        ("tokens", "id") => "token",
        // Not an id: a day of one's own body-mass history, a secret or a file name.
        ("body-mass", "date" | "day") | (_, "code") | (_, "file") | (_, "name") => return None,
        _ => panic!(
            "isolation test: {path} has a parameter {{{parameter}}} it does not know; map it in kind_of so the route is tried"
        ),
    })
}

/// Substitutes the walker's ids (or a missing one) into a route template; None when the route
/// takes a parameter that is no id of anyone's.
fn fill(path: &str, ids: &WalkerIds, missing: bool) -> Option<String> {
    let mut filled = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').unwrap() + open;
        let parameter = &rest[open + 1..close];
        let kind = kind_of(path, parameter)?;
        filled.push_str(&rest[..open]);
        let value = if kind == "block index" {
            "0".to_string()
        } else if missing {
            MISSING.to_string()
        } else {
            ids.get(kind)
        };
        filled.push_str(&value);
        rest = &rest[close + 1..];
    }
    filled.push_str(rest);
    Some(filled)
}

/// The page routes and their methods, read from the page router's source.
fn page_routes() -> Vec<(String, Vec<Method>)> {
    let source = include_str!("../src/pages/mod.rs");
    let mut routes = Vec::new();
    for piece in source.split(".route(").skip(1) {
        let Some(start) = piece.find('"') else {
            continue;
        };
        let end = piece[start + 1..].find('"').unwrap() + start + 1;
        let path = piece[start + 1..end].to_string();
        let handlers = &piece[end..];
        let mut methods = Vec::new();
        if handlers.contains("get(") {
            methods.push(Method::GET);
        }
        if handlers.contains("post(") {
            methods.push(Method::POST);
        }
        routes.push((path, methods));
    }
    assert!(
        routes.len() > 30,
        "the page routes were read: {}",
        routes.len()
    );
    routes
}

/// The walker's records as the walker reads them: what must be the same after the strangers.
async fn walker_record(app: &App, walker: &Person) -> Value {
    let mut export = app
        .json(Method::GET, "/api/v1/export", &walker.token, None)
        .await;
    // The log of reads grows with the clinician's own reads; the export's time moves.
    if let Some(o) = export.as_object_mut() {
        o.retain(|k, _| !matches!(k.as_str(), "access_log" | "exported_at" | "grants"));
    }
    export
}

async fn isolation(store: Arc<dyn store::Store>, database: &str) {
    let base = support::serve(Arc::clone(&store), support::roomy()).await;
    let app = App {
        base,
        http: Client::builder().redirect(Policy::none()).build().unwrap(),
    };
    let walker = app.person("the walker", WALKER_EMAIL, None, &store).await;
    let clinician = app
        .person(
            "the clinician with a grant",
            "clinician-c1@example.org",
            Some(store::Role::Clinician),
            &store,
        )
        .await;
    let strangers = [
        app.person("another walker", "walker-u@example.org", None, &store)
            .await,
        app.person(
            "a clinician without a grant",
            "clinician-c2@example.org",
            Some(store::Role::Clinician),
            &store,
        )
        .await,
        app.person(
            "an administrator",
            "admin-a@example.org",
            Some(store::Role::Admin),
            &store,
        )
        .await,
    ];

    // The walker shares with one clinician first, so that the near-fall below raises an alert.
    let w = walker.token.as_str();
    let invite = app
        .json(
            Method::POST,
            "/api/v1/clinician/invites",
            &clinician.token,
            None,
        )
        .await;
    let grant = app
        .json(
            Method::POST,
            "/api/v1/grants",
            w,
            Some(json!({"code": invite["code"]})),
        )
        .await;
    // The walker's records, each carrying the marker where it has text.
    let answers = serde_json::to_value(ScreeningAnswers::all_clear(Age::new(60).unwrap())).unwrap();
    let screening = app
        .json(Method::POST, "/api/v1/screenings", w, Some(answers))
        .await;
    let plan = app
        .json(Method::POST, "/api/v1/plans", w, Some(json!({"goal": "knee", "setting": "hallway", "level": "new", "days_per_week": 3, "weeks": 4, "start": "2026-11-16"})))
        .await;
    let session = app
        .json(Method::POST, "/api/v1/sessions", w, Some(json!({"started_at": "2026-11-16T08:00:00Z", "setting": "hallway", "blocks": [{"direction": "backward", "seconds": 300}], "rpe": 12, "pain_before": 2, "pain_after": 3, "near_falls": 1, "notes": MARKER})))
        .await;
    let assessment = app
        .json(
            Method::POST,
            "/api/v1/assessments",
            w,
            Some(json!({"kind": "pain_change", "before": 5, "after": 3})),
        )
        .await;
    app.json(
        Method::PUT,
        "/api/v1/body-mass/2026-11-01",
        w,
        Some(json!({"kg": 71.5})),
    )
    .await;
    let tokens = app.json(Method::GET, "/api/v1/tokens", w, None).await;
    let walker_id = store.user_by_email(WALKER_EMAIL).await.unwrap().unwrap().id;
    // The clinician's records about the walker: an alert (from the near-fall), a note, and a
    // template of their own (another clinician must not reach it either).
    let c = clinician.token.as_str();
    let alerts = app
        .json(Method::GET, "/api/v1/clinician/alerts", c, None)
        .await;
    let note = app
        .json(
            Method::POST,
            &format!("/api/v1/clinician/walkers/{walker_id}/notes"),
            c,
            Some(json!({"session_id": session["id"], "text": MARKER})),
        )
        .await;
    let template = app
        .json(Method::POST, "/api/v1/clinician/templates", c, Some(json!({"name": "the clinician's own template", "parameters": {"protocol": "knee-oa-10min", "goal": "knee", "level": "new", "setting": "hallway", "weekdays": ["mon", "wed", "fri"], "weeks": 6, "start_minutes": 4}})))
        .await;
    let ids = WalkerIds {
        by_kind: BTreeMap::from([
            ("walker", walker_id.to_string()),
            ("screening", screening["id"].to_string()),
            ("plan", plan["id"].to_string()),
            ("planned session", plan["sessions"][0]["id"].to_string()),
            ("session", session["id"].to_string()),
            ("assessment", assessment["id"].to_string()),
            ("token", tokens[0]["id"].to_string()),
            ("grant", grant["id"].to_string()),
            ("alert", alerts[0]["id"].to_string()),
            ("note", note["id"].to_string()),
            ("template", template["id"].to_string()),
        ]),
    };
    let before = walker_record(&app, &walker).await;

    let document: Value = serde_json::from_str(
        &app.http
            .get(format!("{}/api/openapi.json", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let operations: Vec<(String, Method)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter_map(|m| Method::from_bytes(m.to_uppercase().as_bytes()).ok())
                .map(move |m| (path.clone(), m))
        })
        .collect();

    // The controls: the owner reads each of their own records, the clinician with a grant
    // reads each walker route, so a 404 below means "not yours", not "wrong id".
    for (path, method) in &operations {
        if *method != Method::GET || !path.contains('{') || path.starts_with("/api/v1/admin") {
            continue;
        }
        let Some(filled) = fill(path, &ids, false) else {
            continue;
        };
        let reader = if path.starts_with("/api/v1/clinician/") {
            &clinician
        } else {
            &walker
        };
        let (status, text) = app.call(Method::GET, &filled, &reader.token, None).await;
        // A session without a motion recording has no motion yet: that is the owner's 404.
        let no_motion = path.contains("/motion");
        assert!(
            status.is_success() || (no_motion && status == StatusCode::NOT_FOUND),
            "{database}: {} GET {filled}: {status} {text}",
            reader.label
        );
    }

    let mut tried = 0;
    let mut revoked = false;
    loop {
        let mut everyone: Vec<&Person> = strangers.iter().collect();
        if revoked {
            everyone.push(&clinician);
        }
        for who in &everyone {
            for (path, method) in &operations {
                let body = (*method != Method::GET && *method != Method::DELETE).then(|| json!({}));
                // Administrators manage accounts (list them, set roles), never health data:
                // on those routes only the health data is looked for.
                if who.label == "an administrator" && path.starts_with("/api/v1/admin") {
                    if *method == Method::GET {
                        let (_, text) = app.call(Method::GET, path, &who.token, None).await;
                        tried += 1;
                        assert!(!text.contains(MARKER), "{database}: {path} leaked: {text}");
                    }
                    continue;
                }
                // The template is the clinician's own, not the walker's: theirs to keep.
                if std::ptr::eq(*who, &clinician) && path.contains("/templates/") {
                    continue;
                }
                if path.contains('{') {
                    let (Some(theirs), Some(missing)) =
                        (fill(path, &ids, false), fill(path, &ids, true))
                    else {
                        continue;
                    };
                    let (status, text) = app
                        .call(method.clone(), &theirs, &who.token, body.clone())
                        .await;
                    let (missing_status, _) =
                        app.call(method.clone(), &missing, &who.token, body).await;
                    tried += 1;
                    assert!(
                        !status.is_success() && status == missing_status,
                        "{database}: {} {method} {theirs} answered {status} where a missing id answers {missing_status}: {text}",
                        who.label
                    );
                    assert!(
                        !text.contains(MARKER),
                        "{database}: {} {method} {theirs} leaked: {text}",
                        who.label
                    );
                } else if *method == Method::GET {
                    let (_, text) = app.call(Method::GET, path, &who.token, None).await;
                    tried += 1;
                    assert!(
                        !text.contains(MARKER) && !text.contains(WALKER_EMAIL),
                        "{database}: {} GET {path} shows the walker: {text}",
                        who.label
                    );
                }
            }
            for (path, methods) in page_routes() {
                for method in methods {
                    if std::ptr::eq(*who, &clinician) && path.starts_with("/templates/") {
                        continue;
                    }
                    if path.contains('{') {
                        let (Some(theirs), Some(missing)) =
                            (fill(&path, &ids, false), fill(&path, &ids, true))
                        else {
                            continue;
                        };
                        let (status, text) = app.page(method.clone(), &theirs, who).await;
                        let (missing_status, _) = app.page(method.clone(), &missing, who).await;
                        tried += 1;
                        assert!(
                            !status.is_success()
                                && !status.is_redirection()
                                && status == missing_status,
                            "{database}: {} {method} page {theirs} answered {status} where a missing id answers {missing_status}",
                            who.label
                        );
                        assert!(
                            !text.contains(MARKER),
                            "{database}: {} {method} page {theirs} leaked",
                            who.label
                        );
                    } else if method == Method::GET {
                        let (_, text) = app.page(Method::GET, &path, who).await;
                        tried += 1;
                        assert!(
                            !text.contains(MARKER) && !text.contains(WALKER_EMAIL),
                            "{database}: {} page {path} shows the walker",
                            who.label
                        );
                    }
                }
            }
        }
        if revoked {
            break;
        }
        app.json(
            Method::DELETE,
            &format!("/api/v1/grants/{}", ids.get("grant")),
            w,
            None,
        )
        .await;
        revoked = true;
    }
    assert!(
        tried > 200,
        "{database}: every route was tried ({tried} calls)"
    );

    // Nothing the strangers did changed the walker's records, and the access log names only the
    // clinician the walker shared with.
    assert_eq!(
        walker_record(&app, &walker).await,
        before,
        "{database}: the walker's records"
    );
    let log = app.json(Method::GET, "/api/v1/access-log", w, None).await;
    let readers: std::collections::BTreeSet<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["clinician_email"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        readers,
        std::collections::BTreeSet::from(["clinician-c1@example.org"]),
        "{database}: {log}"
    );
}

#[tokio::test]
async fn on_sqlite_nobody_but_the_walker_and_their_clinician_reaches_the_walker() {
    let (_dir, store) = support::temporary_store().await;
    isolation(store, "SQLite").await;
}

#[tokio::test]
async fn on_postgresql_nobody_but_the_walker_and_their_clinician_reaches_the_walker() {
    let server = pg::Postgres::start();
    let store = store::connect(&server.database("isolation")).await.unwrap();
    isolation(store, "PostgreSQL").await;
}

//! Concurrent writes: a household or a clinic's caseload writes at the same time, and no write may
//! fail for that (issue 13). 32 writers at once, each doing every kind of write the app takes
//! (keyed API sessions, the hand-log form, profile, screening, plan, assessment, motion upload and
//! its per-block answer, import into an empty account) for several people, over real HTTP, on a
//! SQLite file (as `serve` uses it) and on a real PostgreSQL. Every answer must be a success, and
//! every acknowledged write must be read back afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

#[path = "../../../testsupport/pg.rs"]
mod pg;

mod support;
use coach::measure::Age;
use coach::screening::ScreeningAnswers;
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

/// Writers in flight at once.
const WRITERS: usize = 32;
/// People the writers share out.
const PEOPLE: usize = 4;

struct App {
    base: String,
    http: Client,
}

/// A signed-in person: the session cookie and the CSRF token the API takes with it.
#[derive(Clone)]
struct Person {
    cookie: String,
    csrf: String,
}

async fn start(url: &str) -> App {
    let store = store::connect(url).await.unwrap();
    let base = support::serve(store, support::roomy()).await;
    App {
        base,
        http: Client::builder().redirect(Policy::none()).build().unwrap(),
    }
}

impl App {
    async fn sign_up(&self, email: &str) -> Person {
        let created = self
            .http
            .post(format!("{}/signup", self.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!("email={email}&password=correct+horse+battery"))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let cookie = created.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let page = self
            .http
            .get(format!("{}/start/screening", self.base))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let at = page.find(r#"name="csrf-token" content=""#).unwrap() + 27;
        let csrf = page[at..at + 64].to_string();
        Person { cookie, csrf }
    }

    /// An API call with the person's cookie: the status and the body (JSON when it is).
    async fn call(
        &self,
        who: &Person,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(COOKIE, &who.cookie)
            .header("x-csrf-token", &who.csrf);
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn post_form(&self, who: &Person, path: &str, form: String) -> (StatusCode, String) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(COOKIE, &who.cookie)
            .body(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    /// Every session a person has, following the pages.
    async fn all_sessions(&self, who: &Person) -> Vec<Value> {
        let (mut all, mut path) = (Vec::new(), "/api/v1/sessions?limit=200".to_string());
        loop {
            let (status, page) = self.call(who, Method::GET, &path, None).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            all.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next"].as_str() {
                Some(next) => path = format!("/api/v1/sessions?limit=200&cursor={next}"),
                None => return all,
            }
        }
    }
}

fn session_body(minute: usize, notes: &str) -> Value {
    json!({
        "started_at": format!("2026-11-{:02}T08:{:02}:00Z", 1 + minute / 60, minute % 60),
        "setting": "ground",
        "blocks": [{"direction": "backward", "seconds": 120}],
        "rpe": 12, "pain_before": 2, "pain_after": 2, "notes": notes,
    })
}

fn answers(age: u8) -> Value {
    serde_json::to_value(ScreeningAnswers::all_clear(Age::new(age).unwrap())).unwrap()
}

/// A short phone recording, forward then backward (as `api.rs` makes them).
fn recording() -> Value {
    let period = 60.0 / 110.0;
    let (mut samples, mut blocks, mut start) = (Vec::new(), Vec::new(), 0.0);
    for (direction, seconds) in [("forward", 15.0), ("backward", 15.0)] {
        let end = start + seconds;
        let mut t: f64 = start;
        while t < end {
            let mut phase = (t % period) / period;
            if direction == "backward" {
                phase = 1.0 - phase;
            }
            let pulse = if phase < 0.1 {
                phase / 0.1
            } else {
                (-(phase - 0.1) * 6.0).exp()
            };
            samples.push(json!([t, 0.3, 0.1, 8.81 + 3.0 * pulse, 0.0, 0.0, 0.0]));
            t += 0.02;
        }
        blocks.push(json!({"start_s": start, "end_s": end, "direction": direction}));
        start = end;
    }
    json!({"samples": samples, "blocks": blocks, "placement": "hand"})
}

/// One kind of write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    KeyedSession,
    LogForm,
    Profile,
    Screening,
    Plan,
    Assessment,
    Motion,
    Import,
}

const KINDS: [Kind; 8] = [
    Kind::KeyedSession,
    Kind::LogForm,
    Kind::Profile,
    Kind::Screening,
    Kind::Plan,
    Kind::Assessment,
    Kind::Motion,
    Kind::Import,
];

/// What a writer was told was stored, to be read back.
#[derive(Debug)]
enum Acknowledged {
    Session(usize, i64),
    Logged(usize, String),
    Profile(usize, i64),
    Screening(usize, i64),
    Plan(usize, i64),
    Assessment(usize, i64),
    Motion(usize, i64),
    Imported(usize),
}

struct Fixture {
    people: Vec<Person>,
    /// An empty account per writer that imports.
    importers: Vec<Option<Person>>,
    /// A session per writer for its motion upload.
    motion_sessions: Vec<i64>,
    export: Value,
}

async fn fixture(app: &App) -> Fixture {
    let mut people = Vec::new();
    for p in 0..PEOPLE {
        let who = app.sign_up(&format!("p{p}%40example.org")).await;
        let (status, body) = app
            .call(&who, Method::POST, "/api/v1/screenings", Some(answers(60)))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        people.push(who);
    }
    let mut motion_sessions = Vec::new();
    for w in 0..WRITERS {
        let (status, body) = app
            .call(
                &people[w % PEOPLE],
                Method::POST,
                "/api/v1/sessions",
                Some(session_body(w, &format!("motion-{w}"))),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        motion_sessions.push(body["id"].as_i64().unwrap());
    }
    let (status, export) = app
        .call(&people[0], Method::GET, "/api/v1/export", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut importers = Vec::new();
    for w in 0..WRITERS {
        importers.push(if w % 4 == 0 {
            Some(app.sign_up(&format!("import{w}%40example.org")).await)
        } else {
            None
        });
    }
    Fixture {
        people,
        importers,
        motion_sessions,
        export,
    }
}

/// One write: what was acknowledged, or what went wrong.
async fn write(
    app: &App,
    f: &Fixture,
    w: usize,
    kind: Kind,
) -> Result<Option<Acknowledged>, String> {
    let p = w % PEOPLE;
    let who = &f.people[p];
    let expect = |want: StatusCode, (status, body): (StatusCode, Value)| {
        if status == want {
            Ok(body)
        } else {
            Err(format!(
                "{kind:?} by writer {w}: {status} {:.200}",
                body.to_string()
            ))
        }
    };
    let id = |body: &Value| body["id"].as_i64().unwrap();
    Ok(Some(match kind {
        Kind::KeyedSession => {
            let mut body = session_body(100 + w, &format!("key-{w}"));
            body["client_key"] = json!(format!("writer-{w}"));
            let body = expect(
                StatusCode::CREATED,
                app.call(who, Method::POST, "/api/v1/sessions", Some(body))
                    .await,
            )?;
            Acknowledged::Session(p, id(&body))
        }
        Kind::LogForm => {
            let notes = format!("log-{w}");
            let form = format!(
                "csrf={}&date=2026-11-20&time=07:{:02}&utc_offset_minutes=60&setting=ground&backward_minutes=3&forward_minutes=&backward_speed=&rpe=12&pain_before=1&pain_after=1&near_falls=&felt_safe=&notes={notes}&client_key=form-{w}",
                who.csrf,
                w % 60
            );
            let (status, page) = app.post_form(who, "/log", form).await;
            if status != StatusCode::SEE_OTHER {
                return Err(format!("{kind:?} by writer {w}: {status} {page:.200}"));
            }
            Acknowledged::Logged(p, notes)
        }
        Kind::Profile => {
            let mass = 50 + i64::try_from(w).unwrap();
            expect(
                StatusCode::OK,
                app.call(
                    who,
                    Method::PUT,
                    "/api/v1/profile",
                    Some(json!({"units": "metric", "body_mass_kg": mass, "birth_year": 1958})),
                )
                .await,
            )?;
            Acknowledged::Profile(p, mass)
        }
        Kind::Screening => {
            let body = expect(
                StatusCode::CREATED,
                app.call(who, Method::POST, "/api/v1/screenings", Some(answers(61)))
                    .await,
            )?;
            Acknowledged::Screening(p, id(&body))
        }
        Kind::Plan => {
            let body = expect(
                StatusCode::CREATED,
                app.call(
                    who,
                    Method::POST,
                    "/api/v1/plans",
                    Some(json!({"goal": "balance", "setting": "hallway", "level": "new", "days_per_week": 3, "weeks": 2, "start": "2026-11-16"})),
                )
                .await,
            )?;
            Acknowledged::Plan(p, id(&body))
        }
        Kind::Assessment => {
            let body = expect(
                StatusCode::CREATED,
                app.call(
                    who,
                    Method::POST,
                    "/api/v1/assessments",
                    Some(json!({"kind": "single_leg_stance", "seconds": 12.5, "eyes": "open", "age": 68})),
                )
                .await,
            )?;
            Acknowledged::Assessment(p, id(&body))
        }
        Kind::Motion => {
            let session = f.motion_sessions[w];
            let motion = format!("/api/v1/sessions/{session}/motion");
            expect(
                StatusCode::CREATED,
                app.call(who, Method::POST, &motion, Some(recording()))
                    .await,
            )?;
            expect(
                StatusCode::OK,
                app.call(
                    who,
                    Method::PUT,
                    &format!("{motion}/blocks/1/label"),
                    Some(json!({"direction": "backward"})),
                )
                .await,
            )?;
            Acknowledged::Motion(p, session)
        }
        Kind::Import => {
            let Some(importer) = &f.importers[w] else {
                return Ok(None);
            };
            expect(
                StatusCode::NO_CONTENT,
                app.call(
                    importer,
                    Method::POST,
                    "/api/v1/import",
                    Some(f.export.clone()),
                )
                .await,
            )?;
            Acknowledged::Imported(w)
        }
    }))
}

/// Reads one acknowledged write back.
async fn check(app: &App, f: &Fixture, sessions: &[Vec<Value>], ack: &Acknowledged) {
    let found = |who: &Person, path: String| {
        let path2 = path.clone();
        let who = who.clone();
        async move {
            let (status, body) = app.call(&who, Method::GET, &path, None).await;
            assert_eq!(status, StatusCode::OK, "{path2}: {body}");
            body
        }
    };
    match ack {
        Acknowledged::Session(p, id) => {
            found(&f.people[*p], format!("/api/v1/sessions/{id}")).await;
        }
        Acknowledged::Logged(p, notes) => {
            let n = sessions[*p]
                .iter()
                .filter(|s| s["notes"].as_str() == Some(notes))
                .count();
            assert_eq!(n, 1, "the logged session {notes} is there once");
        }
        Acknowledged::Profile(p, _) => {
            // The last of the acknowledged writes wins; checked below against them all.
            found(&f.people[*p], "/api/v1/profile".into()).await;
        }
        Acknowledged::Screening(p, id) => {
            found(&f.people[*p], format!("/api/v1/screenings/{id}")).await;
        }
        Acknowledged::Plan(p, id) => {
            found(&f.people[*p], format!("/api/v1/plans/{id}")).await;
        }
        Acknowledged::Assessment(p, id) => {
            found(&f.people[*p], format!("/api/v1/assessments/{id}")).await;
        }
        Acknowledged::Motion(p, session) => {
            let motion = found(&f.people[*p], format!("/api/v1/sessions/{session}/motion")).await;
            assert_eq!(motion["blocks"][1]["said"], "backward", "{session}");
        }
        Acknowledged::Imported(w) => {
            let importer = f.importers[*w].as_ref().unwrap();
            let again = found(importer, "/api/v1/export".into()).await;
            for part in ["screenings", "plans", "sessions", "assessments"] {
                assert_eq!(
                    again[part].as_array().unwrap().len(),
                    f.export[part].as_array().unwrap().len(),
                    "import {w}: {part}"
                );
            }
        }
    }
}

/// Runs the burst and checks it: 0 errors, every acknowledged write read back.
async fn burst(url: &str, what: &str) {
    let app = Arc::new(start(url).await);
    let f = Arc::new(fixture(&app).await);
    let began = Instant::now();
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (app, f) = (app.clone(), f.clone());
        writers.push(tokio::spawn(async move {
            let mut done = Vec::new();
            // Each writer starts at another kind, so every kind is in flight at once.
            for k in 0..KINDS.len() {
                let kind = KINDS[(w + k) % KINDS.len()];
                done.push((kind, write(&app, &f, w, kind).await));
            }
            done
        }));
    }
    let (mut acked, mut errors) = (Vec::new(), Vec::new());
    let mut tally = std::collections::BTreeMap::<Kind, (usize, usize)>::new();
    for writer in writers {
        for (kind, result) in writer.await.unwrap() {
            let counts = tally.entry(kind).or_default();
            match result {
                Ok(None) => {}
                Ok(Some(ack)) => {
                    counts.0 += 1;
                    acked.push(ack);
                }
                Err(e) => {
                    counts.1 += 1;
                    errors.push(e);
                }
            }
        }
    }
    let elapsed = began.elapsed();
    println!("{what}: {WRITERS} writers, burst took {elapsed:.2?}");
    for (kind, (ok, failed)) in &tally {
        println!("  {kind:?}: {ok} acknowledged, {failed} failed");
    }
    for e in errors.iter().take(5) {
        println!("  e.g. {e}");
    }
    assert!(
        errors.is_empty(),
        "{} of the writes failed on {what}: {errors:#?}",
        errors.len()
    );

    let mut sessions = Vec::new();
    for who in &f.people {
        sessions.push(app.all_sessions(who).await);
    }
    for ack in &acked {
        check(&app, &f, &sessions, ack).await;
    }
    for (p, who) in f.people.iter().enumerate() {
        let (_, profile) = app.call(who, Method::GET, "/api/v1/profile", None).await;
        let masses: Vec<i64> = acked
            .iter()
            .filter_map(|a| match a {
                Acknowledged::Profile(q, m) if *q == p => Some(*m),
                _ => None,
            })
            .collect();
        let stored = profile["body_mass_kg"].as_f64().unwrap();
        assert!(
            masses.iter().any(|m| (*m as f64 - stored).abs() < 1e-6),
            "person {p}'s body mass {stored} is one that was written ({masses:?})"
        );
        // Nothing doubled: the fixture's, the keyed and the form's sessions, each once.
        let expected = WRITERS / PEOPLE * 3;
        assert_eq!(sessions[p].len(), expected, "person {p}'s sessions");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_takes_32_concurrent_writers_of_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    burst(&url, "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_takes_32_concurrent_writers_of_every_kind() {
    let server = pg::Postgres::start();
    let url = server.database("concurrency");
    burst(&url, "PostgreSQL").await;
}

/// Sessions logged in the progress summary's weeks, in all.
fn summary_sessions(summary: &Value) -> u64 {
    summary["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["sessions"].as_u64().unwrap())
        .sum()
}

/// Progress read between writes, through two servers on one database (as several instances
/// share a PostgreSQL): each keeps the summaries it computed, and a read that begins after a
/// write was acknowledged, by either server, must show it. Writers log sessions through one
/// server and readers read through the other, all at once; every read must count at least the
/// sessions acknowledged before it was sent.
async fn progress_after_writes(url: &str, what: &str) {
    const ROUNDS: usize = 12;
    let (a, b) = (Arc::new(start(url).await), Arc::new(start(url).await));
    let who = a.sign_up("fresh%40example.org").await;
    let (status, body) = a
        .call(
            &who,
            Method::POST,
            "/api/v1/tokens",
            Some(json!({"email": "fresh@example.org", "password": "correct horse battery", "name": "test"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    let progress = |app: Arc<App>, token: String| async move {
        let response = app
            .http
            .get(format!("{}/api/v1/progress", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().await.unwrap()
    };
    // Both servers hold a summary before the first write.
    for app in [&a, &b] {
        assert_eq!(
            summary_sessions(&progress(app.clone(), token.clone()).await),
            0
        );
    }
    let acked = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut tasks = Vec::new();
    for w in 0..WRITERS / 2 {
        let (write_to, read_from) = if w % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let (write_to, read_from) = (write_to.clone(), read_from.clone());
        let (acked, token, what) = (acked.clone(), token.clone(), what.to_string());
        tasks.push(tokio::spawn(async move {
            for _ in 0..ROUNDS {
                let started = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(60);
                let body = json!({
                    "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    "setting": "ground",
                    "blocks": [{"direction": "backward", "seconds": 120}],
                    "rpe": 12, "pain_before": 2, "pain_after": 2,
                });
                let response = write_to
                    .http
                    .post(format!("{}/api/v1/sessions", write_to.base))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
                acked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                // Every write acknowledged so far must show, through the other server too.
                for app in [&read_from, &write_to] {
                    let floor = acked.load(std::sync::atomic::Ordering::SeqCst);
                    let seen = summary_sessions(&progress(app.clone(), token.clone()).await);
                    assert!(
                        seen >= floor,
                        "{what}: a progress read sent after {floor} acknowledged sessions counted {seen}"
                    );
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let all = (WRITERS / 2 * ROUNDS) as u64;
    for app in [&a, &b] {
        assert_eq!(
            summary_sessions(&progress(app.clone(), token.clone()).await),
            all
        );
    }
    // Another kind of write: a new plan shows at once, through the server that did not make it.
    let (status, body) = a
        .call(&who, Method::POST, "/api/v1/screenings", Some(answers(60)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let (status, body) = a
        .call(
            &who,
            Method::POST,
            "/api/v1/plans",
            Some(json!({"goal": "knee", "setting": "ground", "level": "new",
                        "days_per_week": 3, "weeks": 12, "start": today.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let summary = progress(b.clone(), token.clone()).await;
    assert_eq!(
        summary["plan"]["id"], body["id"],
        "{what}: the new plan shows"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_progress_shows_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    progress_after_writes(&url, "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_progress_shows_every_acknowledged_write() {
    let server = pg::Postgres::start();
    let url = server.database("progress");
    progress_after_writes(&url, "PostgreSQL").await;
}

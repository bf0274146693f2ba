//! The JSON API over real HTTP on loopback, backed by a SQLite file: the scripts' contract,
//! owner scoping, browser sessions with CSRF, rate limits, limits and problem+json errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

mod support;
use coach::measure::Age;
use coach::screening::ScreeningAnswers;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use support::roomy;

struct App {
    base: String,
    http: Client,
    _dir: tempfile::TempDir,
}

async fn start(config: web::Config) -> App {
    start_with_store(config).await.0
}

impl App {
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
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

    /// Signs up and returns an API token.
    async fn person(&self, email: &str) -> String {
        let (status, _) = self
            .call(
                Method::POST,
                "/api/v1/accounts",
                None,
                Some(json!({"email": email, "password": "long enough pw"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/tokens",
                None,
                Some(json!({"email": email, "password": "long enough pw", "name": "test"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["token"].as_str().unwrap().to_string()
    }
}

fn session_body(started: &str, backward: u32) -> Value {
    json!({"started_at": started, "setting": "ground", "blocks": [{"direction": "backward", "seconds": backward}], "rpe": 12, "pain_before": 2, "pain_after": 2})
}

fn answers(age: u8) -> Value {
    serde_json::to_value(ScreeningAnswers::all_clear(Age::new(age).unwrap())).unwrap()
}

#[tokio::test]
async fn the_scripts_contract_holds() {
    let app = start(roomy()).await;
    let token = app.person("ann@example.org").await;
    let t = Some(token.as_str());

    let (status, first) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            t,
            Some(session_body("2026-11-16T07:30:00+01:00", 300)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(first["id"].is_i64());
    assert!(first["kcal"].is_null(), "no body mass, no figure");
    assert!(
        first["kcal_missing_reason"]
            .as_str()
            .unwrap()
            .contains("body mass")
    );

    app.call(
        Method::PUT,
        "/api/v1/profile",
        t,
        Some(json!({"units": "metric", "body_mass_kg": 64})),
    )
    .await;
    let (_, second) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            t,
            Some(session_body("2026-11-17T07:30:00+01:00", 600)),
        )
        .await;
    // 10 min of code 17320 (6.0 METs in 2024) at 64 kg: 6.0 x 64 x 1/6 h = 64 kcal.
    assert!(
        (second["kcal"].as_f64().unwrap() - 64.0).abs() < 1e-6,
        "{second}"
    );

    for day in 18..=21 {
        app.call(
            Method::POST,
            "/api/v1/sessions",
            t,
            Some(session_body(&format!("2026-11-{day}T07:30:00Z"), 120)),
        )
        .await;
    }
    let (status, page) = app
        .call(Method::GET, "/api/v1/sessions?limit=4", t, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert!(
        items[0]["started_at"].as_str().unwrap() > items[1]["started_at"].as_str().unwrap(),
        "newest first"
    );
    let next = page["next"].as_str().unwrap();
    let (_, rest) = app
        .call(
            Method::GET,
            &format!("/api/v1/sessions?limit=4&cursor={next}"),
            t,
            None,
        )
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert!(rest["next"].is_null());
    let (_, ranged) = app
        .call(
            Method::GET,
            "/api/v1/sessions?from=2026-11-17&to=2026-11-19",
            t,
            None,
        )
        .await;
    assert_eq!(ranged["items"].as_array().unwrap().len(), 2);

    let id = first["id"].as_i64().unwrap();
    let (status, one) = app
        .call(Method::GET, &format!("/api/v1/sessions/{id}"), t, None)
        .await;
    assert_eq!((status, one["id"].as_i64()), (StatusCode::OK, Some(id)));

    let (status, progress) = app.call(Method::GET, "/api/v1/progress", t, None).await;
    assert_eq!(status, StatusCode::OK);
    let weeks = progress["weeks"].as_array().unwrap();
    assert!(weeks.iter().all(|w| w["backward_seconds"].is_u64()));

    // Edit and delete.
    let (status, edited) = app
        .call(
            Method::PUT,
            &format!("/api/v1/sessions/{id}"),
            t,
            Some(session_body("2026-11-16T07:30:00+01:00", 420)),
        )
        .await;
    assert_eq!(
        (status, edited["backward_seconds"].as_u64()),
        (StatusCode::OK, Some(420))
    );
    assert!(
        edited["kcal"].is_number(),
        "editing recomputes energy with the body mass now known"
    );
    let (status, _) = app
        .call(Method::DELETE, &format!("/api/v1/sessions/{id}"), t, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, gone) = app
        .call(Method::GET, &format!("/api/v1/sessions/{id}"), t, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(gone["status"], 404);
}

#[tokio::test]
async fn plans_take_training_weekdays_and_a_time_and_name_bad_ones() {
    let app = start(roomy()).await;
    let token = app.person("wd@example.org").await;
    let t = Some(token.as_str());
    app.call(Method::POST, "/api/v1/screenings", t, Some(answers(50)))
        .await;
    let body = |days: Value, time: &str| {
        json!({"goal": "knee", "setting": "ground", "level": "new", "days_per_week": 3, "weeks": 2,
               "start": "2027-01-04", "training_days": days, "time_of_day": time})
    };
    let (status, problem) = app
        .call(
            Method::POST,
            "/api/v1/plans",
            t,
            Some(body(json!(["mon", "fri"]), "07:30")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "training_days", "{problem}");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at least 3")
    );
    let (status, problem) = app
        .call(
            Method::POST,
            "/api/v1/plans",
            t,
            Some(body(json!(["mon", "wed", "caturday"]), "7.30")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["training_days", "time_of_day"], "{problem}");

    let (status, plan) = app
        .call(
            Method::POST,
            "/api/v1/plans",
            t,
            Some(body(json!(["tue", "thu", "sat"]), "07:30")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    let dates: Vec<&str> = plan["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        [
            "2027-01-05",
            "2027-01-07",
            "2027-01-09",
            "2027-01-12",
            "2027-01-14",
            "2027-01-16"
        ]
    );
    assert_eq!(
        plan["details"]["schedule"],
        json!({"days": ["tue", "thu", "sat"], "time": "07:30"})
    );

    // Moved to other weekdays: from the next session's date on, doses kept; only by its owner.
    let (_, progress) = app.call(Method::GET, "/api/v1/progress", t, None).await;
    assert_eq!(progress["next"]["session"]["date"], "2027-01-05");
    let path = format!("/api/v1/plans/{}/schedule", plan["id"]);
    let (status, problem) = app
        .call(
            Method::PUT,
            &path,
            t,
            Some(json!({"training_days": ["mon"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "training_days", "{problem}");
    let other = app.person("wx@example.org").await;
    let (status, _) = app
        .call(
            Method::PUT,
            &path,
            Some(other.as_str()),
            Some(json!({"training_days": ["mon", "wed", "fri"]})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, moved) = app
        .call(
            Method::PUT,
            &path,
            t,
            Some(json!({"training_days": ["mon", "wed", "fri"], "time_of_day": "18:00"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let dates: Vec<&str> = moved["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        [
            "2027-01-06",
            "2027-01-08",
            "2027-01-11",
            "2027-01-13",
            "2027-01-15",
            "2027-01-18"
        ]
    );
    assert_eq!(
        moved["sessions"][5]["backward_seconds"],
        plan["sessions"][5]["backward_seconds"]
    );
    assert_eq!(moved["details"]["schedule"]["time"], "18:00");
    assert_eq!(moved["details"]["rescheduled"], 1);
    let (_, progress) = app.call(Method::GET, "/api/v1/progress", t, None).await;
    assert_eq!(
        progress["next"]["session"]["date"], "2027-01-06",
        "the cache reads the moved dates"
    );
}

#[tokio::test]
async fn plans_need_a_clearance_and_progress_follows_the_plan() {
    let app = start(roomy()).await;
    let token = app.person("bo@example.org").await;
    let t = Some(token.as_str());
    let plan_body = json!({"goal": "knee", "setting": "ground", "level": "new", "days_per_week": 3, "weeks": 4, "start": "2026-11-16"});
    let (status, refused) = app
        .call(Method::POST, "/api/v1/plans", t, Some(plan_body.clone()))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");

    let mut risky = answers(70);
    risky["chest_pain"] = json!(true);
    let (status, screening) = app
        .call(Method::POST, "/api/v1/screenings", t, Some(risky))
        .await;
    assert_eq!(
        (status, screening["clearance"].as_str()),
        (StatusCode::CREATED, Some("see_clinician_first"))
    );
    let (status, _) = app
        .call(Method::POST, "/api/v1/plans", t, Some(plan_body.clone()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    app.call(Method::POST, "/api/v1/screenings", t, Some(answers(70)))
        .await;
    let (status, plan) = app
        .call(Method::POST, "/api/v1/plans", t, Some(plan_body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    assert_eq!(plan["sessions"].as_array().unwrap().len(), 12);
    assert!(
        plan["details"]["protocol"]["citation"]["reference"].is_string(),
        "the plan shows its study"
    );

    let (status, logged) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            t,
            Some(session_body("2026-11-16T08:00:00Z", 300)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(logged["plan_id"], plan["id"]);
    let (_, progress) = app.call(Method::GET, "/api/v1/progress", t, None).await;
    assert_eq!(progress["weeks"].as_array().unwrap().len(), 4);
    assert_eq!(progress["weeks"][0]["backward_seconds"], 300);
    assert!(
        progress["weeks"][0]["planned_backward_seconds"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(progress["next"]["progression"]["decision"], "advance");
    assert_eq!(progress["next"]["session"]["number"], 2);

    let (status, bad) = app
        .call(Method::POST, "/api/v1/plans", t, Some(json!({"goal": "knee", "setting": "ground", "level": "new", "days_per_week": 9, "weeks": 0, "start": "2026-11-16"})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["days_per_week", "weeks"]);
}

#[tokio::test]
async fn another_persons_ids_answer_404_on_every_endpoint() {
    let app = start(roomy()).await;
    let owner = app.person("owner@example.org").await;
    let o = Some(owner.as_str());
    let (_, screening) = app
        .call(Method::POST, "/api/v1/screenings", o, Some(answers(50)))
        .await;
    let (_, plan) = app
        .call(Method::POST, "/api/v1/plans", o, Some(json!({"goal": "general", "setting": "hallway", "level": "new", "days_per_week": 2, "weeks": 2, "start": "2026-11-16"})))
        .await;
    let (_, session) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            o,
            Some(session_body("2026-11-16T08:00:00Z", 300)),
        )
        .await;
    let (_, assessment) = app
        .call(
            Method::POST,
            "/api/v1/assessments",
            o,
            Some(json!({"kind": "pain_change", "before": 5, "after": 3})),
        )
        .await;
    let (_, tokens) = app.call(Method::GET, "/api/v1/tokens", o, None).await;
    let ids = [
        ("screenings", &screening["id"]),
        ("plans", &plan["id"]),
        ("planned-sessions", &plan["sessions"][0]["id"]),
        ("sessions", &session["id"]),
        ("assessments", &assessment["id"]),
        ("tokens", &tokens[0]["id"]),
    ];
    let intruder = app.person("intruder@example.org").await;
    let i = Some(intruder.as_str());
    let mut tried = 0;
    for (resource, id) in ids {
        let id = id
            .as_i64()
            .unwrap_or_else(|| panic!("{resource} has no id"));
        let path = format!("/api/v1/{resource}/{id}");
        for (method, body) in [
            (Method::GET, None),
            (Method::PUT, Some(session_body("2026-11-16T08:00:00Z", 60))),
            (Method::DELETE, None),
        ] {
            let (status, answer) = app.call(method.clone(), &path, i, body).await;
            // Routes without that method answer 405 whoever asks; every existing route is 404.
            if status == StatusCode::METHOD_NOT_ALLOWED {
                continue;
            }
            tried += 1;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
        }
        // The owner still reaches it (and it was not deleted by the intruder).
        if resource != "tokens" {
            let (status, _) = app.call(Method::GET, &path, o, None).await;
            assert_eq!(status, StatusCode::OK, "owner GET {path}");
        }
    }
    assert_eq!(tried, 10, "every id-taking endpoint and method was tried");
    // Lists show only one's own.
    for list in ["screenings", "plans", "assessments"] {
        let (_, mine) = app
            .call(Method::GET, &format!("/api/v1/{list}"), i, None)
            .await;
        assert_eq!(mine.as_array().unwrap().len(), 0, "{list}");
    }
    let (_, mine) = app.call(Method::GET, "/api/v1/sessions", i, None).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 0);
    let (status, _) = app.call(Method::GET, "/api/v1/admin/users", i, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(Method::GET, "/api/v1/sessions/not-a-number", i, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn browser_sessions_use_http_only_cookies_and_need_the_csrf_token_to_write() {
    let app = start(roomy()).await;
    app.person("cy@example.org").await;
    let response = app
        .http
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"email": "cy@example.org", "password": "long enough pw"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let signed_in: Value = response.json().await.unwrap();
    let csrf = signed_in["csrf_token"].as_str().unwrap();

    let with_cookie = |method: Method, path: &str| {
        app.http
            .request(method, format!("{}{path}", app.base))
            .header("cookie", cookie.clone())
    };
    let read = with_cookie(Method::GET, "/api/v1/profile")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK, "reads need no CSRF token");
    let forged = with_cookie(Method::POST, "/api/v1/sessions")
        .json(&session_body("2026-11-16T08:00:00Z", 60))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(forged.headers()["content-type"], "application/problem+json");
    let honest = with_cookie(Method::POST, "/api/v1/sessions")
        .header("x-csrf-token", csrf)
        .json(&session_body("2026-11-16T08:00:00Z", 60))
        .send()
        .await
        .unwrap();
    assert_eq!(honest.status(), StatusCode::CREATED);

    let out = with_cookie(Method::DELETE, "/api/v1/session")
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let after = with_cookie(Method::GET, "/api/v1/profile")
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn passwords_tokens_and_account_deletion() {
    let app = start(roomy()).await;
    let token = app.person("di@example.org").await;
    let t = Some(token.as_str());
    let (status, short) = app
        .call(
            Method::POST,
            "/api/v1/accounts",
            None,
            Some(json!({"email": "not-an-email", "password": "short"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short["errors"].as_array().unwrap().len(), 2, "{short}");
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/accounts",
            None,
            Some(json!({"email": "DI@example.org", "password": "long enough pw"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"email": "di@example.org", "password": "wrong password", "name": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/account/password",
            t,
            Some(json!({"current_password": "long enough pw", "new_password": "another long one"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, created) = app
        .call(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"email": "di@example.org", "password": "another long one", "name": "new"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // The change revoked the tokens made before it (issue 13, item 6): go on with the new one.
    let (status, _) = app.call(Method::GET, "/api/v1/profile", t, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let t = created["token"].as_str();

    let (_, tokens) = app.call(Method::GET, "/api/v1/tokens", t, None).await;
    assert!(
        tokens
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("token").is_none()),
        "tokens are shown once"
    );
    let first_id = tokens[0]["id"].as_i64().unwrap();
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{first_id}"),
            t,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call(Method::GET, "/api/v1/profile", t, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a revoked token stops working"
    );

    let (_, fresh) = app
        .call(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"email": "di@example.org", "password": "another long one", "name": "n"})),
        )
        .await;
    let f = fresh["token"].as_str();
    let (status, _) = app
        .call(
            Method::DELETE,
            "/api/v1/account",
            f,
            Some(json!({"password": "another long one"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call(Method::GET, "/api/v1/profile", f, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_address() {
    let app = start(web::Config {
        auth_burst: 3,
        auth_refill_ms: 60_000,
        ..web::Config::default()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                Some(json!({"email": "nobody@example.org", "password": "guess guess guess"})),
            )
            .await;
        statuses.push(status);
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(body["detail"].as_str().unwrap().contains("wait"), "{body}");
        }
    }
    assert_eq!(&statuses[..3], [StatusCode::UNAUTHORIZED; 3]);
    assert_eq!(&statuses[3..], [StatusCode::TOO_MANY_REQUESTS; 2]);
}

#[tokio::test]
async fn limits_headers_and_documentation() {
    let app = start(roomy()).await;
    let token = app.person("ed@example.org").await;
    let huge = json!({"started_at": "2026-11-16T08:00:00Z", "setting": "ground", "blocks": [], "rpe": 12, "pain_before": 1, "pain_after": 1, "notes": "x".repeat(200_000)});
    let (status, _) = app
        .call(Method::POST, "/api/v1/sessions", Some(&token), Some(huge))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let response = app
        .http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    for header in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
    ] {
        assert!(response.headers().contains_key(header), "{header}");
    }
    assert!(
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let (status, doc) = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["paths"]["/api/v1/sessions"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/progress"]["get"].is_object());
    let ui = app
        .http
        .get(format!("{}/api/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ui.status(), StatusCode::OK);
    let (status, bad_json) = app
        .call(
            Method::POST,
            "/api/v1/accounts",
            None,
            Some(Value::String("{".into())),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad_json}");
}

#[tokio::test]
async fn export_imports_into_an_empty_account() {
    let app = start(roomy()).await;
    let token = app.person("fay@example.org").await;
    let t = Some(token.as_str());
    app.call(
        Method::PUT,
        "/api/v1/profile",
        t,
        Some(json!({"units": "imperial", "body_mass_kg": 70, "birth_year": 1958})),
    )
    .await;
    app.call(Method::POST, "/api/v1/screenings", t, Some(answers(68)))
        .await;
    app.call(Method::POST, "/api/v1/plans", t, Some(json!({"goal": "balance", "setting": "hallway", "level": "new", "days_per_week": 3, "weeks": 2, "start": "2026-11-16"}))).await;
    app.call(
        Method::POST,
        "/api/v1/sessions",
        t,
        Some(session_body("2026-11-16T08:00:00Z", 300)),
    )
    .await;
    app.call(
        Method::POST,
        "/api/v1/assessments",
        t,
        Some(json!({"kind": "single_leg_stance", "seconds": 12.5, "eyes": "open"})),
    )
    .await;
    let (status, exported) = app.call(Method::GET, "/api/v1/export", t, None).await;
    assert_eq!(status, StatusCode::OK);

    let other = app.person("gus@example.org").await;
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/import",
            Some(&other),
            Some(exported.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, again) = app
        .call(Method::GET, "/api/v1/export", Some(&other), None)
        .await;
    assert_eq!(again["profile"], exported["profile"]);
    for part in ["screenings", "plans", "sessions", "assessments"] {
        assert_eq!(
            again[part].as_array().unwrap().len(),
            exported[part].as_array().unwrap().len(),
            "{part}"
        );
    }
    assert_eq!(
        again["sessions"][0]["kcal"],
        exported["sessions"][0]["kcal"]
    );
    let (status, _) = app
        .call(Method::POST, "/api/v1/import", Some(&other), Some(exported))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "import only into an empty account"
    );
    let (status, wrong) = app
        .call(
            Method::POST,
            "/api/v1/import",
            Some(&other),
            Some(json!({"format": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
}

#[tokio::test]
async fn pain_not_given_stays_not_given_from_log_to_coach_to_export_and_import() {
    let app = start(roomy()).await;
    let token = app.person("pat@example.org").await;
    let t = Some(token.as_str());
    app.call(Method::POST, "/api/v1/screenings", t, Some(answers(50)))
        .await;
    // The session below starts now in UTC, so the plan starts on the UTC date.
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let (status, _) = app.call(Method::POST, "/api/v1/plans", t, Some(json!({"goal": "knee", "setting": "ground", "level": "new", "days_per_week": 3, "weeks": 2, "start": today.to_string()}))).await;
    assert_eq!(status, StatusCode::CREATED);
    // Absent and null are both "not given"; out of range is still refused, by name.
    let started = jiff::Timestamp::now().to_string();
    let mut body = json!({"started_at": started, "setting": "ground", "blocks": [{"direction": "backward", "seconds": 300}], "rpe": 12, "pain_before": null});
    let (status, logged) = app
        .call(Method::POST, "/api/v1/sessions", t, Some(body.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{logged}");
    assert_eq!(logged["pain_before"], Value::Null);
    assert_eq!(logged["pain_after"], Value::Null);
    body["pain_after"] = json!(11);
    let (status, refused) = app
        .call(Method::POST, "/api/v1/sessions", t, Some(body))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["errors"][0]["field"], "pain_after");
    // The coach does not read it as no pain: it holds and says why; the walked dose was all done.
    let (_, progress) = app.call(Method::GET, "/api/v1/progress", t, None).await;
    assert_eq!(
        progress["next"]["progression"]["decision"], "hold",
        "{progress}"
    );
    assert!(
        progress["next"]["progression"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("not given")
    );
    assert_eq!(progress["adherence"]["backward_seconds_walked"], 300);
    // Export and import keep it as null.
    let (_, exported) = app.call(Method::GET, "/api/v1/export", t, None).await;
    assert_eq!(exported["sessions"][0]["pain_after"], Value::Null);
    let other = app.person("quin@example.org").await;
    let (status, _) = app
        .call(Method::POST, "/api/v1/import", Some(&other), Some(exported))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, again) = app
        .call(Method::GET, "/api/v1/export", Some(&other), None)
        .await;
    assert_eq!(again["sessions"][0]["pain_before"], Value::Null);
}

#[tokio::test]
async fn a_repeated_client_key_logs_the_session_once() {
    let app = start(roomy()).await;
    let token = app.person("kim@example.org").await;
    let t = Some(token.as_str());
    let mut body = session_body("2026-11-20T07:00:00+01:00", 300);
    body["client_key"] = json!("phone-42-1763621000000");
    let (first, created) = app
        .call(Method::POST, "/api/v1/sessions", t, Some(body.clone()))
        .await;
    assert_eq!(first, StatusCode::CREATED);
    let (again, repeated) = app
        .call(Method::POST, "/api/v1/sessions", t, Some(body))
        .await;
    assert_eq!(again, StatusCode::OK);
    assert_eq!(repeated["id"], created["id"]);
    let (_, list) = app.call(Method::GET, "/api/v1/sessions", t, None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let mut bad = session_body("2026-11-20T07:00:00+01:00", 300);
    bad["client_key"] = json!("");
    let (status, problem) = app
        .call(Method::POST, "/api/v1/sessions", t, Some(bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "client_key");
}

/// A phone's recording, simulated: 50 Hz, 110 steps a minute, each step a sharp rise and a slow
/// fall of the vertical acceleration, reversed in time in the backward blocks. Gives the samples
/// and the blocks as the timer labels them.
fn recording(blocks: &[(&str, f64)]) -> (Vec<Value>, Vec<Value>) {
    let period = 60.0 / 110.0;
    let (mut samples, mut labelled, mut start) = (Vec::new(), Vec::new(), 0.0);
    for (direction, seconds) in blocks {
        let end = start + seconds;
        let mut t: f64 = start;
        while t < end {
            let mut phase = (t % period) / period;
            if *direction == "backward" {
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
        labelled.push(json!({"start_s": start, "end_s": end, "direction": direction}));
        start = end;
    }
    (samples, labelled)
}

#[tokio::test]
async fn motion_says_where_the_phone_was_and_takes_the_persons_answer_per_block() {
    let app = start(roomy()).await;
    let token = app.person("mo@example.org").await;
    let t = Some(token.as_str());
    let (_, session) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            t,
            Some(session_body("2026-11-16T08:00:00Z", 60)),
        )
        .await;
    let id = session["id"].as_i64().unwrap();
    let motion = format!("/api/v1/sessions/{id}/motion");
    let (samples, blocks) = recording(&[("forward", 60.0), ("backward", 60.0), ("forward", 30.0)]);

    // An unknown placement is refused, naming the field and what is accepted; nothing is kept.
    let (status, refused) = app
        .call(
            Method::POST,
            &motion,
            t,
            Some(json!({"samples": samples, "blocks": blocks, "placement": "shoe"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "placement");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    for accepted in ["lower-back", "pocket", "hand", "armband", "foot", "ankle"] {
        assert!(message.contains(accepted), "{message}");
    }
    assert_eq!(
        app.call(Method::GET, &motion, t, None).await.0,
        StatusCode::NOT_FOUND
    );

    // In the hand, the motion does not show the way of travel: every block is unknown, and the
    // analysis says why, in words.
    let (status, analysis) = app
        .call(
            Method::POST,
            &motion,
            t,
            Some(json!({"samples": samples, "blocks": blocks, "placement": "hand"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{analysis}");
    assert_eq!(analysis["placement"], "hand");
    let note = analysis["direction_note"].as_str().unwrap();
    assert!(note.contains("hand"), "{note}");
    let second = &analysis["blocks"][1];
    assert!(second["steps"].as_u64().unwrap() > 80, "{second}");
    assert_eq!(second["detected"], "unknown", "{second}");
    assert_eq!(
        second["words"],
        "can't tell from this recording: was it backward?"
    );
    assert!(second.get("said").is_none());

    // The person answers for the second block; a second answer replaces the first.
    let label = format!("{motion}/blocks/1/label");
    for direction in ["backward", "forward"] {
        let (status, block) = app
            .call(
                Method::PUT,
                &label,
                t,
                Some(json!({"direction": direction})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{block}");
        assert_eq!(block["said"], direction);
        assert_eq!(block["labelled"], "backward", "the plan's label stays");
    }
    let (_, read) = app.call(Method::GET, &motion, t, None).await;
    assert_eq!(read["blocks"][1]["said"], "forward");
    assert!(read["blocks"][0].get("said").is_none());

    // Wrong answers are refused and name what is accepted; blocks that do not exist are not found.
    let (status, bad) = app
        .call(
            Method::PUT,
            &label,
            t,
            Some(json!({"direction": "sideways"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(bad["errors"][0]["field"], "direction");
    let message = bad["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("forward") && message.contains("backward"),
        "{message}"
    );
    for index in ["3", "-1", "x"] {
        let (status, _) = app
            .call(
                Method::PUT,
                &format!("{motion}/blocks/{index}/label"),
                t,
                Some(json!({"direction": "backward"})),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "block {index}");
    }
    // A session without a recording has no blocks to answer for.
    let (_, bare) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            t,
            Some(session_body("2026-11-17T08:00:00Z", 60)),
        )
        .await;
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/sessions/{}/motion/blocks/0/label", bare["id"]),
            t,
            Some(json!({"direction": "backward"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another person can neither answer nor read.
    let intruder = app.person("nosy@example.org").await;
    let i = Some(intruder.as_str());
    let (status, _) = app
        .call(
            Method::PUT,
            &label,
            i,
            Some(json!({"direction": "backward"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(Method::GET, &format!("{motion}/export"), i, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The export labels the second block with the person's answer and says so; the others keep
    // the timer's label.
    let (status, csv) = app
        .call(Method::GET, &format!("{motion}/export"), t, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let csv = csv.as_str().unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z,block,direction,label_source"
    );
    let endings: std::collections::BTreeSet<String> = lines
        .map(|l| l.splitn(8, ',').nth(7).unwrap().to_string())
        .collect();
    assert_eq!(
        endings.into_iter().collect::<Vec<_>>(),
        ["1,forward,timer", "2,forward,person", "3,forward,timer"]
    );
    // And it reads back as motion data (what `retrostride analyze` reads), the extra columns
    // ignored.
    let reader =
        gait::csv::CsvReader::new(csv.as_bytes(), gait::csv::CsvOptions::default()).unwrap();
    let read: Vec<gait::Sample> = reader.map(Result::unwrap).collect();
    assert_eq!(read.len(), samples.len());

    // A repeated upload (a retry) keeps the answer; the openapi document lists the route.
    let (status, again) = app
        .call(
            Method::POST,
            &motion,
            t,
            Some(json!({"samples": samples, "blocks": blocks, "placement": "pocket"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["blocks"][1]["said"], "forward");
    assert_eq!(again["placement"], "pocket");
    let (_, doc) = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert!(doc["paths"]["/api/v1/sessions/{id}/motion/blocks/{index}/label"]["put"].is_object());
}

/// A person with a profile, a screening, an active plan, two sessions and an assessment: their
/// export, and a fresh account to import it into.
async fn exported_account(app: &App) -> (Value, String) {
    let token = app.person("hal@example.org").await;
    let t = Some(token.as_str());
    app.call(
        Method::PUT,
        "/api/v1/profile",
        t,
        Some(json!({"units": "metric", "body_mass_kg": 70, "birth_year": 1960})),
    )
    .await;
    app.call(Method::POST, "/api/v1/screenings", t, Some(answers(66)))
        .await;
    let (status, plan) = app.call(Method::POST, "/api/v1/plans", t, Some(json!({"goal": "knee", "setting": "ground", "level": "new", "days_per_week": 3, "weeks": 2, "start": "2026-11-16"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    for day in ["2026-11-16T08:00:00+01:00", "2026-11-18T08:00:00+01:00"] {
        let (status, _) = app
            .call(
                Method::POST,
                "/api/v1/sessions",
                t,
                Some(session_body(day, 300)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/assessments",
            t,
            Some(json!({"kind": "single_leg_stance", "seconds": 12.5, "eyes": "open"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, exported) = app.call(Method::GET, "/api/v1/export", t, None).await;
    assert_eq!(status, StatusCode::OK);
    let fresh = app.person("ivy@example.org").await;
    (exported, fresh)
}

/// Asserts that an import answers 422 problem+json naming `field`, among others.
async fn refused(app: &App, token: &str, document: Value, field: &str) -> Value {
    let response = app
        .http
        .post(format!("{}/api/v1/import", app.base))
        .bearer_auth(token)
        .json(&document)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{field}"
    );
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{field}"
    );
    let problem: Value = response.json().await.unwrap();
    let named: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(named.contains(&field), "{field} not in {named:?}");
    problem
}

#[tokio::test]
async fn an_import_is_held_to_the_apis_rules_and_refused_whole() {
    let app = start(roomy()).await;
    let (good, fresh) = exported_account(&app).await;
    assert_eq!(good["plans"][0]["active"], true);
    assert_eq!(good["sessions"].as_array().unwrap().len(), 2);
    let bad = |change: &dyn Fn(&mut Value)| {
        let mut doc = good.clone();
        change(&mut doc);
        doc
    };
    let cases: Vec<(&str, Value)> = vec![
        (
            "plans[0].protocol_id",
            bad(&|d| d["plans"][0]["protocol_id"] = json!("retired-protocol")),
        ),
        (
            "sessions[1].notes",
            bad(&|d| d["sessions"][1]["notes"] = json!("n".repeat(1_000_000))),
        ),
        (
            "sessions[0].blocks",
            bad(&|d| {
                d["sessions"][0]["blocks"] =
                    json!(vec![json!({"direction": "backward", "seconds": 1}); 20_000]);
                d["sessions"][0]["backward_seconds"] = json!(20_000);
                d["sessions"][0]["total_seconds"] = json!(20_000);
            }),
        ),
        (
            "plans[0].sessions[0].blocks",
            bad(&|d| {
                let block = json!({"kind": "backward", "direction": "backward", "seconds": 1});
                d["plans"][0]["sessions"][0]["blocks"] = json!(vec![block; 20_000]);
            }),
        ),
        (
            "sessions[0].total_seconds",
            bad(&|d| d["sessions"][0]["total_seconds"] = json!(86_000)),
        ),
        (
            "plans[0].sessions[1].backward_seconds",
            bad(&|d| {
                let s = &mut d["plans"][0]["sessions"][1]["backward_seconds"];
                *s = json!(s.as_u64().unwrap() + 30);
            }),
        ),
        (
            "sessions[0].kcal",
            bad(&|d| d["sessions"][0]["kcal"] = json!(1e308)),
        ),
        (
            "sessions[1].utc_offset_seconds",
            bad(&|d| d["sessions"][1]["utc_offset_seconds"] = json!(i32::MAX)),
        ),
        (
            "sessions",
            bad(&|d| {
                let one = d["sessions"][0].clone();
                d["sessions"] = json!(vec![one; web_max_sessions() + 1]);
            }),
        ),
        (
            "plans[0].active",
            bad(&|d| d["screenings"][0]["clearance"] = json!("see_clinician_first")),
        ),
        (
            "profile.birth_year",
            bad(&|d| d["profile"]["birth_year"] = json!(1066)),
        ),
        (
            "assessments[0].value",
            bad(&|d| d["assessments"][0]["value"] = json!(-3.0)),
        ),
        (
            "sessions[0].plan_id",
            bad(&|d| d["sessions"][0]["plan_id"] = json!(987_654)),
        ),
    ];
    for (field, document) in cases {
        refused(&app, &fresh, document, field).await;
    }

    // Every bad field is named, not only the first.
    let problem = refused(
        &app,
        &fresh,
        bad(&|d| {
            d["plans"][0]["protocol_id"] = json!("retired-protocol");
            d["sessions"][1]["notes"] = json!("n".repeat(5000));
            d["sessions"][0]["kcal"] = json!(1e308);
        }),
        "sessions[1].notes",
    )
    .await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 3, "{problem}");

    // Nothing of any refused document was kept.
    let (_, after) = app
        .call(Method::GET, "/api/v1/export", Some(&fresh), None)
        .await;
    for part in ["screenings", "plans", "sessions", "assessments"] {
        assert_eq!(after[part], json!([]), "{part}");
    }
    assert_eq!(after["profile"]["body_mass_kg"], Value::Null);

    // The document as exported still imports, and the account works from it.
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/import",
            Some(&fresh),
            Some(good.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, progress) = app
        .call(Method::GET, "/api/v1/progress", Some(&fresh), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{progress}");
    assert!(progress["plan"].is_object());
}

/// The import's cap on sessions in one document (`web::api::transfer::MAX_SESSIONS`).
fn web_max_sessions() -> usize {
    10_000
}

/// Like `start`, also handing back the store, to put in data this version's API would refuse
/// (as an older version or a direct import left it).
async fn start_with_store(config: web::Config) -> (App, std::sync::Arc<dyn store::Store>) {
    let (dir, store) = support::temporary_store().await;
    let base = support::serve(std::sync::Arc::clone(&store), config).await;
    let app = App {
        base,
        http: Client::new(),
        _dir: dir,
    };
    (app, store)
}

#[tokio::test]
async fn a_plan_naming_an_unknown_protocol_degrades_the_pages_instead_of_failing() {
    let (app, store) = start_with_store(roomy()).await;
    let (mut document, fresh) = exported_account(&app).await;
    document["plans"][0]["protocol_id"] = json!("retired-protocol");
    let document: store::Export = serde_json::from_value(document).unwrap();
    let owner = store
        .user_by_email("ivy@example.org")
        .await
        .unwrap()
        .unwrap();
    // Past the web's checks, as data from an older version would be.
    store.import(owner.id, &document).await.unwrap();
    let t = Some(fresh.as_str());

    let (status, progress) = app.call(Method::GET, "/api/v1/progress", t, None).await;
    assert_eq!(status, StatusCode::OK, "{progress}");
    assert!(progress["plan"].is_null(), "{progress}");
    assert!(
        progress["plan_problem"]
            .as_str()
            .unwrap()
            .contains("retired-protocol"),
        "{progress}"
    );
    assert_eq!(progress["weeks"].as_array().unwrap().len(), 12);
    let (status, logged) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            t,
            Some(session_body("2026-11-20T08:00:00Z", 300)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{logged}");

    // The pages, signed in with a browser session.
    let response = app
        .http
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"email": "ivy@example.org", "password": "long enough pw"}))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    for (path, expected) in [
        ("/today", StatusCode::CONFLICT),
        ("/today/run", StatusCode::CONFLICT),
        ("/progress", StatusCode::OK),
    ] {
        let response = app
            .http
            .get(format!("{}{path}", app.base))
            .header("cookie", cookie.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{path}");
        let page = response.text().await.unwrap();
        assert!(page.contains("retired-protocol"), "{path}: {page}");
        assert!(
            page.contains("/start/plan") || path != "/progress",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_password_typed_again_behind_a_token_is_limited_with_retry_after() {
    // The token was made from this address with the right password, so the account's count
    // does not hold it back: its address's count (5 here) does.
    let app = start(web::Config {
        auth_burst: 5,
        auth_refill_ms: 60_000,
        ..web::Config::default()
    })
    .await;
    let token = app.person("pia@example.org").await;
    let t = Some(token.as_str());
    for _ in 0..5 {
        let (status, _) = app
            .call(
                Method::POST,
                "/api/v1/account/password",
                t,
                Some(json!({"current_password": "not the one", "new_password": "a new long password"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Over the account's count: every place that checks this account's password waits, even
    // with the right one.
    let attempts = [
        (
            Method::DELETE,
            "/api/v1/account",
            json!({"password": "long enough pw"}),
        ),
        (
            Method::POST,
            "/api/v1/account/password",
            json!({"current_password": "long enough pw", "new_password": "a new long password"}),
        ),
        (
            Method::POST,
            "/api/v1/tokens",
            json!({"email": "PIA@example.org", "password": "long enough pw", "name": "x"}),
        ),
        (
            Method::POST,
            "/api/v1/session",
            json!({"email": "pia@example.org", "password": "long enough pw"}),
        ),
    ];
    for (method, path, body) in attempts {
        let response = app
            .http
            .request(method, format!("{}{path}", app.base))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        let wait: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait), "{path}: {wait}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        // A minute, or a few seconds under it on a slow machine.
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("try again in 1 minute") || detail.contains("try again in 5"),
            "{problem}"
        );
    }
    // The account is still there.
    let (status, _) = app.call(Method::GET, "/api/v1/profile", t, None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_password_change_refuses_weak_passwords_and_revokes_the_api_tokens() {
    let app = start(roomy()).await;
    let token = app.person("quin@example.org").await;
    let t = Some(token.as_str());
    for weak in ["quin@example.org", "1234567890", "iloveyou12345"] {
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/account/password",
                t,
                Some(json!({"current_password": "long enough pw", "new_password": weak})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}: {body}");
        assert_eq!(body["errors"][0]["field"], "new_password");
    }
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/accounts",
            None,
            Some(json!({"email": "rae@example.org", "password": "password123456"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too easy to guess")
    );
    // A change ends every API token too: whoever held one must ask for a new one.
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/account/password",
            t,
            Some(json!({"current_password": "long enough pw", "new_password": "a new long password"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call(Method::GET, "/api/v1/profile", t, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_last_administrator_cannot_demote_themselves() {
    let (app, store) = start_with_store(roomy()).await;
    let ada = app.person("ada@example.org").await;
    let bea = app.person("bea@example.org").await;
    let ada_id = store
        .user_by_email("ada@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    let bea_id = store
        .user_by_email("bea@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    store.set_role(ada_id, store::Role::Admin).await.unwrap();
    let demote = |id: i64| {
        (
            format!("/api/v1/admin/users/{id}/role"),
            json!({"role": "person"}),
        )
    };

    let (path, body) = demote(ada_id);
    let (status, problem) = app.call(Method::POST, &path, Some(&ada), Some(body)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("last administrator"),
        "{problem}"
    );
    let (status, users) = app
        .call(Method::GET, "/api/v1/admin/users", Some(&ada), None)
        .await;
    assert_eq!(status, StatusCode::OK, "still an administrator");
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["role"] == "admin")
    );

    // With a second administrator, stepping down is allowed.
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/admin/users/{bea_id}/role"),
            Some(&ada),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (path, body) = demote(ada_id);
    let (status, changed) = app.call(Method::POST, &path, Some(&ada), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["role"], "person");
    // And now bea is the last one.
    let (path, body) = demote(bea_id);
    let (status, _) = app.call(Method::POST, &path, Some(&bea), Some(body)).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_api_document_states_what_the_server_does() {
    let app = start(roomy()).await;
    let token = app.person("doc@example.org").await;
    let (_, doc) = app.call(Method::GET, "/api/openapi.json", None, None).await;

    // A body must be a JSON object: an array is not read as the fields in order.
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/profile",
            Some(&token),
            Some(json!({"units": "imperial", "body_mass_kg": 70.0})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, refused) = app
        .call(
            Method::PUT,
            "/api/v1/profile",
            Some(&token),
            Some(json!(["metric", null, null])),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["errors"][0]["field"], ".");
    let (_, profile) = app
        .call(Method::GET, "/api/v1/profile", Some(&token), None)
        .await;
    assert_eq!(
        profile["body_mass_kg"], 70.0,
        "the refused body changed nothing"
    );
    // The profile answer has only fields its schema names.
    let answer = &doc["paths"]["/api/v1/profile"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"]["$ref"];
    let name = answer.as_str().unwrap().rsplit('/').next().unwrap();
    let properties = doc["components"]["schemas"][name]["properties"]
        .as_object()
        .unwrap();
    for key in profile.as_object().unwrap().keys() {
        assert!(properties.contains_key(key), "{key} is not in {name}");
    }

    // Query parameters are in the query, and optional.
    for parameter in doc["paths"]["/api/v1/sessions"]["get"]["parameters"]
        .as_array()
        .unwrap()
    {
        assert_eq!(parameter["in"], "query", "{parameter}");
        assert_ne!(parameter["required"], true, "{parameter}");
    }

    // Every population the document names is accepted; a wrong one is refused by its name.
    let three_mbwt = doc["components"]["schemas"]["AssessmentBody"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["properties"]["kind"]["enum"][0] == "three_mbwt")
        .unwrap()
        .clone();
    let populations = three_mbwt["properties"]["population"]["enum"]
        .as_array()
        .unwrap();
    assert!(populations.contains(&json!("older-adults")));
    for population in populations {
        let (status, body) = app
            .call(
                Method::POST,
                "/api/v1/assessments",
                Some(&token),
                Some(json!({"kind": "three_mbwt", "seconds": 6.5, "population": population})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{population}: {body}");
    }
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/assessments",
            Some(&token),
            Some(json!({"kind": "three_mbwt", "seconds": 6.5, "population": "older_adults"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "population", "{body}");

    // A whole number written as 12.0 is an integer, as JSON Schema says.
    let mut session = session_body("2026-11-16T08:00:00Z", 300);
    session["rpe"] = json!(12.0);
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            Some(&token),
            Some(session),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Every refusal is documented as problem+json: by kind of operation, none forgotten.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let mut expected = Vec::new();
            if operation.get("requestBody").is_some() {
                expected.extend(["400", "413", "415", "422"]);
            }
            if operation.get("security").is_some() {
                expected.push("401");
            }
            if path.contains('{') {
                expected.push("404");
            }
            for status in expected {
                assert!(
                    responses[status]["content"]["application/problem+json"].is_object(),
                    "{method} {path} does not document {status} as problem+json"
                );
            }
            for (status, response) in responses {
                if status.as_str() >= "400" {
                    assert!(
                        response["content"]["application/json"].is_null(),
                        "{method} {path} {status} says application/json"
                    );
                }
            }
        }
    }
}

/// Every session's kcal, oldest first.
async fn kcals(app: &App, token: &str) -> Vec<Value> {
    let (_, list) = app
        .call(Method::GET, "/api/v1/sessions", Some(token), None)
        .await;
    let mut all: Vec<Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kcal"].clone())
        .collect();
    all.reverse();
    all
}

/// Body mass is a dated history: each entry holds from its day until the next; a change
/// estimates again exactly the sessions it applies to and says how many; units change nothing
/// stored; the profile shows the latest entry and a profile sent back as read changes nothing.
#[tokio::test]
async fn energy_follows_the_body_mass_in_force_on_each_sessions_day() {
    let app = start(roomy()).await;
    let token = app.person("bea@example.org").await;
    let t = Some(token.as_str());
    for day in ["2026-11-02", "2026-11-09", "2026-11-16"] {
        let (status, s) = app
            .call(
                Method::POST,
                "/api/v1/sessions",
                t,
                Some(session_body(&format!("{day}T07:30:00Z"), 600)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert!(s["kcal"].is_null());
        assert!(
            s["kcal_missing_reason"]
                .as_str()
                .unwrap()
                .starts_with("No body mass in your profile")
        );
    }
    // 10 min of code 17320 (6.0 METs): kcal = kg.
    let (status, change) = app
        .call(
            Method::PUT,
            "/api/v1/body-mass/2026-11-09",
            t,
            Some(json!({"kg": 80})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{change}");
    assert_eq!(change["reestimated"]["sessions"], 2);
    assert_eq!(change["reestimated"]["until"], Value::Null);
    assert_eq!(
        kcals(&app, &token).await,
        vec![Value::Null, json!(80.0), json!(80.0)]
    );
    let (_, change) = app
        .call(
            Method::PUT,
            "/api/v1/body-mass/2026-11-16",
            t,
            Some(json!({"kg": 70})),
        )
        .await;
    assert_eq!(change["reestimated"]["sessions"], 1);
    assert_eq!(
        kcals(&app, &token).await,
        vec![Value::Null, json!(80.0), json!(70.0)]
    );
    let (_, list) = app.call(Method::GET, "/api/v1/sessions", t, None).await;
    assert!(
        list["items"][2]["kcal_missing_reason"]
            .as_str()
            .unwrap()
            .contains("earliest is from 2026-11-09"),
        "{}",
        list["items"][2]
    );

    // The profile shows the latest; sent back as read, or with units switched, nothing moves.
    let (_, profile) = app.call(Method::GET, "/api/v1/profile", t, None).await;
    assert_eq!(profile["body_mass_kg"], 70.0);
    assert_eq!(profile["body_mass_from"], "2026-11-16");
    let mut back = profile.clone();
    for read_only in ["email", "role"] {
        back.as_object_mut().unwrap().remove(read_only);
    }
    back["units"] = json!("imperial");
    back.as_object_mut().unwrap().remove("body_mass_from");
    let (status, after) = app
        .call(Method::PUT, "/api/v1/profile", t, Some(back))
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert!(after.get("reestimated").is_none(), "{after}");
    let (_, history) = app.call(Method::GET, "/api/v1/body-mass", t, None).await;
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");
    assert_eq!(
        kcals(&app, &token).await,
        vec![Value::Null, json!(80.0), json!(70.0)]
    );

    // A correction through the profile, with its day.
    let (_, after) = app
        .call(
            Method::PUT,
            "/api/v1/profile",
            t,
            Some(json!({"units": "metric", "body_mass_kg": 90, "body_mass_from": "2026-11-01"})),
        )
        .await;
    assert_eq!(after["reestimated"]["sessions"], 1, "{after}");
    assert_eq!(after["reestimated"]["until"], "2026-11-09");
    assert_eq!(after["body_mass_kg"], 70.0, "still the latest");
    assert_eq!(
        kcals(&app, &token).await,
        vec![json!(90.0), json!(80.0), json!(70.0)]
    );

    // Removing an entry hands its sessions to the one before it.
    let (status, change) = app
        .call(Method::DELETE, "/api/v1/body-mass/2026-11-09", t, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(change["reestimated"]["sessions"], 1);
    assert_eq!(
        kcals(&app, &token).await,
        vec![json!(90.0), json!(90.0), json!(70.0)]
    );
    let (status, _) = app
        .call(Method::DELETE, "/api/v1/body-mass/2026-11-09", t, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for (path, body, field) in [
        ("/api/v1/body-mass/2999-01-01", json!({"kg": 70}), "date"),
        ("/api/v1/body-mass/soon", json!({"kg": 70}), "date"),
        ("/api/v1/body-mass/2026-11-20", json!({"kg": 7}), "kg"),
    ] {
        let (status, problem) = app.call(Method::PUT, path, t, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }

    // Another person sees none of it.
    let other = app.person("cal@example.org").await;
    let (_, theirs) = app
        .call(Method::GET, "/api/v1/body-mass", Some(&other), None)
        .await;
    assert_eq!(theirs, json!([]));
}

/// A run and a ride keep their sport: their own Compendium codes and speeds, no backward ride,
/// no walk at a running speed, and none of them counted toward the plan.
#[tokio::test]
async fn sessions_keep_their_sport() {
    let app = start(roomy()).await;
    let token = app.person("dan@example.org").await;
    let t = Some(token.as_str());
    app.call(
        Method::PUT,
        "/api/v1/body-mass/2026-01-01",
        t,
        Some(json!({"kg": 70})),
    )
    .await;
    let body = |sport: &str, direction: &str, mps: f64| {
        json!({"started_at": "2026-11-20T07:00:00Z", "setting": "ground", "sport": sport,
               "rpe": 12, "pain_before": 0, "pain_after": 0,
               "blocks": [{"direction": direction, "seconds": 1800, "speed_mps": mps}]})
    };
    let (status, run) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            t,
            Some(body("running", "forward", 2.7)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    assert_eq!(run["sport"], "running");
    // 2.7 m/s is 6.04 mph: code 12050, 9.3 METs, for half an hour at 70 kg.
    assert!(
        (run["kcal"].as_f64().unwrap() - 9.3 * 35.0).abs() < 1e-6,
        "{run}"
    );
    assert!(
        run["energy"]["blocks"][0]["source"]
            .as_str()
            .unwrap()
            .contains("code 12050")
    );
    let (_, ride) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            t,
            Some(body("cycling", "forward", 6.0)),
        )
        .await;
    assert!(
        (ride["kcal"].as_f64().unwrap() - 8.0 * 35.0).abs() < 1e-6,
        "{ride}"
    );
    let (_, swim) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            t,
            Some(body("other", "forward", 1.0)),
        )
        .await;
    assert!(swim["kcal"].is_null());
    assert!(
        swim["kcal_missing_reason"]
            .as_str()
            .unwrap()
            .contains("this sport")
    );
    for (sport, direction, mps, field) in [
        ("cycling", "backward", 6.0, "blocks[0].direction"),
        ("walking", "forward", 2.7, "blocks[0].speed_mps"),
        ("running", "forward", 40.0, "blocks[0].speed_mps"),
    ] {
        let (status, problem) = app
            .call(
                Method::POST,
                "/api/v1/sessions",
                t,
                Some(body(sport, direction, mps)),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{sport}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    // A replacement without a sport keeps the session's.
    let mut again = body("running", "forward", 3.0);
    again.as_object_mut().unwrap().remove("sport");
    let (status, replaced) = app
        .call(
            Method::PUT,
            &format!("/api/v1/sessions/{}", run["id"]),
            t,
            Some(again),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["sport"], "running");
}

/// A version 1 export (one body mass, no history, no sports) still imports: its body mass holds
/// from its first session's day, and its sessions are walks. A history out of order is refused.
#[tokio::test]
async fn a_version_1_export_imports_with_its_body_mass_from_the_first_session() {
    let app = start(roomy()).await;
    let token = app.person("eve@example.org").await;
    let t = Some(token.as_str());
    app.call(
        Method::PUT,
        "/api/v1/body-mass/2026-11-01",
        t,
        Some(json!({"kg": 64})),
    )
    .await;
    app.call(
        Method::POST,
        "/api/v1/sessions",
        t,
        Some(session_body("2026-11-03T07:00:00Z", 600)),
    )
    .await;
    let (_, exported) = app.call(Method::GET, "/api/v1/export", t, None).await;
    assert_eq!(exported["version"], 2);
    assert_eq!(exported["sessions"][0]["sport"], "walking");
    let mut old = exported.clone();
    old["version"] = json!(1);
    old.as_object_mut().unwrap().remove("body_masses");
    for s in old["sessions"].as_array_mut().unwrap() {
        s.as_object_mut().unwrap().remove("sport");
    }
    let fresh = app.person("fin@example.org").await;
    let (status, problem) = app
        .call(Method::POST, "/api/v1/import", Some(&fresh), Some(old))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{problem}");
    let (_, history) = app
        .call(Method::GET, "/api/v1/body-mass", Some(&fresh), None)
        .await;
    assert_eq!(history, json!([{"from": "2026-11-03", "kg": 64.0}]));

    let mut unordered = exported.clone();
    unordered["body_masses"] =
        json!([{"from": "2026-11-05", "kg": 64}, {"from": "2026-11-01", "kg": 70}]);
    unordered["profile"]["body_mass_kg"] = json!(70);
    let other = app.person("gil@example.org").await;
    let (status, problem) = app
        .call(
            Method::POST,
            "/api/v1/import",
            Some(&other),
            Some(unordered),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem["errors"][0]["field"], "body_masses[1].from",
        "{problem}"
    );
    // The document as exported imports, history and all.
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/import",
            Some(&other),
            Some(exported.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, again) = app
        .call(Method::GET, "/api/v1/export", Some(&other), None)
        .await;
    assert_eq!(again["body_masses"], exported["body_masses"]);
}

/// Makes `email` a clinician (or another role) in the store, as `retrostride user role` does.
async fn give_role(
    store: &std::sync::Arc<dyn store::Store>,
    email: &str,
    role: store::Role,
) -> i64 {
    let user = store.user_by_email(email).await.unwrap().unwrap();
    store.set_role(user.id, role).await.unwrap();
    user.id
}

#[tokio::test]
async fn a_clinician_reads_a_walker_only_under_a_grant_in_force_and_every_read_is_logged() {
    let (app, store) = start_with_store(roomy()).await;
    let cleo = app.person("cleo@example.org").await;
    give_role(&store, "cleo@example.org", store::Role::Clinician).await;
    let walt = app.person("walt@example.org").await;
    let walt_id = store
        .user_by_email("walt@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    let tess = app.person("tess@example.org").await;
    let cid = app.person("cid@example.org").await;
    give_role(&store, "cid@example.org", store::Role::Clinician).await;
    let ada = app.person("ada@example.org").await;
    give_role(&store, "ada@example.org", store::Role::Admin).await;
    let (c, w) = (Some(cleo.as_str()), Some(walt.as_str()));
    app.call(
        Method::POST,
        "/api/v1/sessions",
        w,
        Some(session_body("2026-11-16T07:30:00Z", 300)),
    )
    .await;
    let sessions = format!("/api/v1/clinician/walkers/{walt_id}/sessions");
    let plans = format!("/api/v1/clinician/walkers/{walt_id}/plans");
    let assessments = format!("/api/v1/clinician/walkers/{walt_id}/assessments");

    // Only clinicians make invites and list walkers.
    for token in [&walt, &ada] {
        let (status, body) = app
            .call(Method::POST, "/api/v1/clinician/invites", Some(token), None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _) = app
            .call(Method::GET, "/api/v1/clinician/walkers", Some(token), None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // A clinician sees nobody by default: 404, as for a walker who does not exist.
    let (status, walkers) = app
        .call(Method::GET, "/api/v1/clinician/walkers", c, None)
        .await;
    assert_eq!((status, walkers), (StatusCode::OK, json!([])));
    for path in [
        &sessions,
        &plans,
        &assessments,
        &"/api/v1/clinician/walkers/999999/sessions".to_string(),
    ] {
        let (status, _) = app.call(Method::GET, path, c, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }

    let (status, invite) = app
        .call(Method::POST, "/api/v1/clinician/invites", c, None)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let code = invite["code"].as_str().unwrap().to_string();
    assert_eq!(invite["link"], format!("/share/{code}"));
    // Malformed, unknown, and the clinician's own invite.
    let (status, bad) = app
        .call(
            Method::POST,
            "/api/v1/grants",
            w,
            Some(json!({"code": "nope"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "code");
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/grants",
            w,
            Some(json!({"code": "0000-0000-0000-0000-0000"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/grants",
            c,
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "nobody shares with themselves"
    );

    let (status, grant) = app
        .call(
            Method::POST,
            "/api/v1/grants",
            w,
            Some(json!({"code": code.to_uppercase().replace('-', "")})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{grant}");
    assert_eq!(grant["clinician_email"], "cleo@example.org");
    assert_eq!(
        grant["shares"],
        json!(["plans", "sessions", "assessments", "motion_analyses"])
    );
    assert_eq!(grant["may_change"], json!(["plan_and_progression"]));
    assert!(grant["revoked_at"].is_null());
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/grants",
            Some(&tess),
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an invite is used once");

    let (_, walkers) = app
        .call(Method::GET, "/api/v1/clinician/walkers", c, None)
        .await;
    assert_eq!(walkers[0]["id"], walt_id);
    assert_eq!(walkers[0]["email"], "walt@example.org");
    let (status, page) = app
        .call(Method::GET, &format!("{sessions}?limit=5"), c, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"][0]["pain_before"], 2);
    assert_eq!(page["items"][0]["rpe"], 12);
    let (status, _) = app.call(Method::GET, &plans, c, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.call(Method::GET, &assessments, c, None).await;
    assert_eq!(status, StatusCode::OK);
    // One plan with its sessions, and a session's motion analysis; a missing one reads nothing.
    app.call(Method::POST, "/api/v1/screenings", w, Some(answers(50)))
        .await;
    let (status, plan) = app
        .call(
            Method::POST,
            "/api/v1/plans",
            w,
            Some(
                json!({"goal": "knee", "setting": "ground", "level": "new", "days_per_week": 3,
                        "weeks": 2, "start": "2027-01-04"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    let plan_id = plan["plan"]["id"].as_i64().or(plan["id"].as_i64()).unwrap();
    let (status, one) = app
        .call(Method::GET, &format!("{plans}/{plan_id}"), c, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert!(!one["sessions"].as_array().unwrap().is_empty());
    for path in [
        format!("{plans}/999999"),
        format!("/api/v1/clinician/walkers/{walt_id}/sessions/999999/motion"),
    ] {
        let (status, _) = app.call(Method::GET, &path, c, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = app
        .call(Method::GET, &format!("{sessions}?limit=0"), c, None)
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the walker's own paging rules"
    );

    // Anyone else, however privileged, is refused like a missing walker.
    for token in [&tess, &cid, &ada] {
        let (status, _) = app.call(Method::GET, &sessions, Some(token), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    // The walker sees each read: who, when, what, from which route; nobody else does.
    let (status, log) = app.call(Method::GET, "/api/v1/access-log", w, None).await;
    assert_eq!(status, StatusCode::OK);
    let log = log.as_array().unwrap();
    assert_eq!(
        log.len(),
        4,
        "refused and missing reads read nothing: {log:?}"
    );
    assert_eq!(log[0]["what"], format!("plan {plan_id}"));
    assert_eq!(
        log[0]["route"],
        "GET /api/v1/clinician/walkers/{id}/plans/{plan}"
    );
    assert_eq!(log[1]["what"], "assessments");
    assert_eq!(log[2]["what"], "plans");
    assert_eq!(log[3]["what"], "sessions");
    assert_eq!(log[3]["action"], "read");
    assert_eq!(log[3]["clinician_email"], "cleo@example.org");
    assert_eq!(
        log[3]["route"],
        "GET /api/v1/clinician/walkers/{id}/sessions"
    );
    assert!(log[3]["at"].as_str().unwrap().ends_with('Z'));
    let (_, none) = app
        .call(Method::GET, "/api/v1/access-log", Some(&tess), None)
        .await;
    assert_eq!(none, json!([]));

    // Only the walker revokes, and it takes effect at once.
    let grant_id = grant["id"].as_i64().unwrap();
    let revoke = format!("/api/v1/grants/{grant_id}");
    for token in [&cleo, &tess, &ada] {
        let (status, _) = app.call(Method::DELETE, &revoke, Some(token), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = app.call(Method::DELETE, &revoke, w, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for path in [&sessions, &plans, &assessments] {
        let (status, _) = app.call(Method::GET, path, c, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "revoked: {path}");
    }
    let (_, walkers) = app
        .call(Method::GET, "/api/v1/clinician/walkers", c, None)
        .await;
    assert_eq!(walkers, json!([]));
    let (_, grants) = app.call(Method::GET, "/api/v1/grants", w, None).await;
    assert!(grants[0]["revoked_at"].is_string(), "{grants}");
    let (_, log) = app.call(Method::GET, "/api/v1/access-log", w, None).await;
    assert_eq!(
        log.as_array().unwrap().len(),
        4,
        "refused reads log nothing"
    );

    // A declined invite cannot be accepted afterwards.
    let (_, second) = app
        .call(Method::POST, "/api/v1/clinician/invites", c, None)
        .await;
    let body = json!({"code": second["code"]});
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/invites/decline",
            w,
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .call(Method::POST, "/api/v1/grants", w, Some(body))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A clinician who loses the role loses the reading with it.
    let (_, third) = app
        .call(Method::POST, "/api/v1/clinician/invites", c, None)
        .await;
    app.call(
        Method::POST,
        "/api/v1/grants",
        w,
        Some(json!({"code": third["code"]})),
    )
    .await;
    let (status, _) = app.call(Method::GET, &sessions, c, None).await;
    assert_eq!(status, StatusCode::OK, "shared again");
    give_role(&store, "cleo@example.org", store::Role::Person).await;
    let (status, _) = app.call(Method::GET, &sessions, c, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_clinician_holds_at_most_a_hundred_open_invites() {
    let (app, store) = start_with_store(roomy()).await;
    let cleo = app.person("cleo@example.org").await;
    give_role(&store, "cleo@example.org", store::Role::Clinician).await;
    let walt = app.person("walt@example.org").await;
    let c = Some(cleo.as_str());
    let mut first = Value::Null;
    for n in 0..100 {
        let (status, invite) = app
            .call(Method::POST, "/api/v1/clinician/invites", c, None)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{n}: {invite}");
        if n == 0 {
            first = invite;
        }
    }
    let (status, problem) = app
        .call(Method::POST, "/api/v1/clinician/invites", c, None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("100 invites not yet accepted"),
        "{problem}"
    );
    // One used is one more to make.
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/grants",
            Some(&walt),
            Some(json!({"code": first["code"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .call(Method::POST, "/api/v1/clinician/invites", c, None)
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_clinician_scoped_token_reaches_only_the_clinician_routes() {
    let (app, store) = start_with_store(roomy()).await;
    app.person("clara@example.org").await;
    give_role(&store, "clara@example.org", store::Role::Clinician).await;
    let token = |scope: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app
                .call(
                    Method::POST,
                    "/api/v1/tokens",
                    None,
                    Some(json!({"email": "clara@example.org", "password": "long enough pw", "name": scope, "scope": scope})),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            assert_eq!(body["scope"], scope);
            body["token"].as_str().unwrap().to_string()
        }
    };
    let reports = token("clinician_read").await;
    let tools = token("clinician").await;
    let full = token("full").await;

    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/clinician/walkers",
            Some(&reports),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "a reading token reads the caseload");
    for (method, path, token, why) in [
        (
            Method::POST,
            "/api/v1/clinician/invites",
            &reports,
            "only reads",
        ),
        (
            Method::GET,
            "/api/v1/sessions",
            &reports,
            "scoped to the clinician routes",
        ),
        (
            Method::GET,
            "/api/v1/profile",
            &tools,
            "scoped to the clinician routes",
        ),
        (
            Method::GET,
            "/api/v1/export",
            &tools,
            "scoped to the clinician routes",
        ),
        (
            Method::POST,
            "/api/v1/tokens",
            &tools,
            "scoped to the clinician routes",
        ),
    ] {
        let (status, answer) = app.call(method.clone(), path, Some(token), None).await;
        if path == "/api/v1/tokens" {
            // Making tokens takes the password, not a token: it is no way around the scope.
            assert_ne!(status, StatusCode::CREATED, "{answer}");
            continue;
        }
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
        assert!(answer["detail"].as_str().unwrap().contains(why), "{answer}");
    }
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/clinician/invites",
            Some(&tools),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "a clinician token changes");
    let (status, _) = app
        .call(Method::GET, "/api/v1/profile", Some(&full), None)
        .await;
    assert_eq!(status, StatusCode::OK, "a full token reaches everything");
    let (_, listed) = app
        .call(Method::GET, "/api/v1/tokens", Some(&full), None)
        .await;
    let scopes: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["scope"].as_str().unwrap())
        .collect();
    assert_eq!(
        scopes,
        ["full", "clinician_read", "clinician", "full"],
        "the first is `person`'s"
    );

    // A walker cannot make a clinician token: it would reach nothing.
    app.person("wendy@example.org").await;
    let (status, refused) = app
        .call(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"email": "wendy@example.org", "password": "long enough pw", "name": "x", "scope": "clinician"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "scope");
}

/// Every `reference` in a FHIR bundle names one of its entries' `fullUrl`s.
fn fhir_references_resolve(bundle: &Value) {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v.as_str()) {
                        ("reference", Some(r)) => out.push(r.to_string()),
                        _ => walk(v, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let urls: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    let mut refs = Vec::new();
    walk(bundle, &mut refs);
    for r in refs {
        assert!(urls.contains(&r.as_str()), "{r} does not resolve");
    }
}

fn fhir_types(bundle: &Value) -> Vec<String> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_fhir_export_is_the_walkers_own_and_a_clinicians_only_under_a_grant_and_logged() {
    let (app, store) = start_with_store(roomy()).await;
    let cleo = app.person("cleo@example.org").await;
    give_role(&store, "cleo@example.org", store::Role::Clinician).await;
    let cid = app.person("cid@example.org").await;
    give_role(&store, "cid@example.org", store::Role::Clinician).await;
    let ada = app.person("ada@example.org").await;
    give_role(&store, "ada@example.org", store::Role::Admin).await;
    let walt = app.person("walt@example.org").await;
    let walt_id = store
        .user_by_email("walt@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (c, w) = (Some(cleo.as_str()), Some(walt.as_str()));
    app.call(Method::POST, "/api/v1/screenings", w, Some(answers(50)))
        .await;
    app.call(
        Method::POST,
        "/api/v1/sessions",
        w,
        Some(session_body("2026-11-16T07:30:00Z", 300)),
    )
    .await;
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/assessments",
            w,
            Some(json!({"kind": "three_mbwt", "seconds": 4.2, "population": "older-adults"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let get = |path: String, token: Option<String>| {
        let request = app.http.get(format!("{}{path}", app.base));
        async move {
            let request = match token {
                Some(t) => request.bearer_auth(t),
                None => request,
            };
            let response = request.send().await.unwrap();
            let status = response.status();
            let kind = response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string());
            let text = response.text().await.unwrap();
            (
                status,
                kind,
                serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
            )
        }
    };
    let fhir = format!("/api/v1/clinician/walkers/{walt_id}/fhir");

    // No grant: 404 for a clinician, an admin and another walker alike; none is logged.
    for token in [&cleo, &cid, &ada, &walt] {
        let (status, _, problem) = get(fhir.clone(), Some(token.clone())).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    }
    let (status, _, _) = get("/api/v1/export/fhir".into(), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (_, invite) = app
        .call(Method::POST, "/api/v1/clinician/invites", c, None)
        .await;
    let (status, grant) = app
        .call(
            Method::POST,
            "/api/v1/grants",
            w,
            Some(json!({"code": invite["code"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, kind, bundle) = get(fhir.clone(), Some(cleo.clone())).await;
    assert_eq!(status, StatusCode::OK, "{bundle}");
    assert_eq!(kind.as_deref(), Some("application/fhir+json"));
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    fhir_references_resolve(&bundle);
    let types = fhir_types(&bundle);
    for t in ["Patient", "Observation", "Consent", "Practitioner"] {
        assert!(types.contains(&t.to_string()), "{t} in {types:?}");
    }
    // The screening is not in what a grant shares.
    assert!(!types.contains(&"QuestionnaireResponse".to_string()));
    let (status, _, _) = get(fhir.clone(), Some(cid.clone())).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another clinician");
    let (_, log) = app.call(Method::GET, "/api/v1/access-log", w, None).await;
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    assert_eq!(log[0]["what"], "the whole record as FHIR");
    assert_eq!(log[0]["action"], "read");
    assert_eq!(log[0]["route"], "GET /api/v1/clinician/walkers/{id}/fhir");
    assert_eq!(log[0]["clinician_email"], "cleo@example.org");

    // The walker's own: everything, with the read above as an AuditEvent.
    let (status, kind, own) = get("/api/v1/export/fhir".into(), Some(walt.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind.as_deref(), Some("application/fhir+json"));
    fhir_references_resolve(&own);
    let types = fhir_types(&own);
    for t in [
        "Patient",
        "QuestionnaireResponse",
        "Observation",
        "Consent",
        "AuditEvent",
        "Practitioner",
    ] {
        assert!(types.contains(&t.to_string()), "{t} in {types:?}");
    }
    let audit = own["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["resourceType"] == "AuditEvent")
        .unwrap();
    assert_eq!(audit["resource"]["action"], "R");
    assert_eq!(
        audit["resource"]["entity"][0]["description"],
        "GET /api/v1/clinician/walkers/{id}/fhir"
    );
    // The same record exports with the same ids.
    let (_, _, again) = get("/api/v1/export/fhir".into(), Some(walt.clone())).await;
    assert_eq!(again["entry"], own["entry"]);

    // Revoked: 404 at once.
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/grants/{}", grant["id"]),
            w,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = get(fhir, Some(cleo.clone())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, own) = get("/api/v1/export/fhir".into(), Some(walt.clone())).await;
    let consent = own["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Consent")
        .unwrap();
    assert_eq!(consent["resource"]["status"], "inactive");

    // Both routes are documented, with FHIR's media type and the bundle's outline.
    let (_, doc) = app.call(Method::GET, "/api/openapi.json", None, None).await;
    for path in ["/api/v1/export/fhir", "/api/v1/clinician/walkers/{id}/fhir"] {
        let ok = &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/fhir+json"];
        assert_eq!(
            ok["schema"]["properties"]["type"]["enum"],
            json!(["collection"]),
            "{path}"
        );
    }
    assert!(
        doc["paths"]["/api/v1/clinician/walkers/{id}/fhir"]["get"]["responses"]["404"].is_object()
    );
}

/// A clinician and a walker who shares with them: (clinician token, walker token, walker id).
async fn shared_pair(
    app: &App,
    store: &std::sync::Arc<dyn store::Store>,
    clinician: &str,
    walker: &str,
) -> (String, String, i64) {
    let c = app.person(clinician).await;
    give_role(store, clinician, store::Role::Clinician).await;
    let w = app.person(walker).await;
    let walker_id = store.user_by_email(walker).await.unwrap().unwrap().id;
    let (_, invite) = app
        .call(Method::POST, "/api/v1/clinician/invites", Some(&c), None)
        .await;
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/grants",
            Some(&w),
            Some(json!({"code": invite["code"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    (c, w, walker_id)
}

fn pause_gates() -> Value {
    json!({
        "pain_rise_holds": 1, "pain_rise_steps_down": 2, "near_fall": "pause_and_alert",
        "rpe_streak_sessions": 2, "rpe_streak_at_most": 13, "hold_above_rpe": 15,
        "hold_below_completion": 80, "step_down_below_completion": 50, "missed_sessions_alert": 3
    })
}

#[tokio::test]
async fn gates_are_validated_field_by_field() {
    let (app, store) = start_with_store(roomy()).await;
    let (c, _, walker) = shared_pair(&app, &store, "gc@example.org", "gw@example.org").await;
    let path = format!("/api/v1/clinician/walkers/{walker}/gates");
    let (status, rules) = app.call(Method::GET, &path, Some(&c), None).await;
    assert_eq!(status, StatusCode::OK, "{rules}");
    assert_eq!(rules["set_by"], "built-in");
    assert_eq!(rules["gates"]["near_fall"], "step_down_and_alert");
    for (field, value, path_name) in [
        ("pain_rise_holds", json!(0), "gates.pain_rise_holds"),
        (
            "pain_rise_steps_down",
            json!(11),
            "gates.pain_rise_steps_down",
        ),
        (
            "rpe_streak_sessions",
            json!(11),
            "gates.rpe_streak_sessions",
        ),
        ("rpe_streak_at_most", json!(21), "gates.rpe_streak_at_most"),
        ("hold_above_rpe", json!(5), "gates.hold_above_rpe"),
        (
            "missed_sessions_alert",
            json!(15),
            "gates.missed_sessions_alert",
        ),
        (
            "step_down_below_completion",
            json!(90),
            "gates.step_down_below_completion",
        ),
    ] {
        let mut gates = pause_gates();
        gates[field] = value;
        let (status, problem) = app
            .call(
                Method::PUT,
                &path,
                Some(&c),
                Some(json!({"gates": gates, "reason": "x"})),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {problem}"
        );
        assert_eq!(problem["errors"][0]["field"], path_name, "{problem}");
    }
    let (status, problem) = app
        .call(
            Method::PUT,
            &path,
            Some(&c),
            Some(json!({"gates": pause_gates(), "reason": "  "})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "reason");
    let (status, set) = app
        .call(
            Method::PUT,
            &path,
            Some(&c),
            Some(json!({"gates": pause_gates(), "reason": "after the stumble"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert!(
        set["set_by"]
            .as_str()
            .unwrap()
            .starts_with("set by gc@example.org on ")
    );
    assert_eq!(set["reason"], "after the stumble");
    assert_eq!(set["gates"], pause_gates());
}

#[tokio::test]
async fn a_near_fall_under_the_pause_gate_alerts_pauses_and_is_acknowledged_and_resumed() {
    let (app, store) = start_with_store(roomy()).await;
    let (c, w, walker) = shared_pair(&app, &store, "nc@example.org", "nw@example.org").await;
    let (c, w) = (Some(c.as_str()), Some(w.as_str()));
    let gates = format!("/api/v1/clinician/walkers/{walker}/gates");
    let (status, _) = app
        .call(
            Method::PUT,
            &gates,
            c,
            Some(json!({"gates": pause_gates(), "reason": "balance is poor"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut body = session_body("2026-11-20T07:30:00Z", 300);
    body["near_falls"] = json!(1);
    let (status, logged) = app
        .call(Method::POST, "/api/v1/sessions", w, Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{logged}");

    let (status, alerts) = app
        .call(Method::GET, "/api/v1/clinician/alerts", c, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{alerts}");
    let near: Vec<&Value> = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "near_fall")
        .collect();
    assert_eq!(near.len(), 1, "{alerts}");
    assert_eq!(near[0]["session_id"], logged["id"]);
    let (_, mine) = app.call(Method::GET, "/api/v1/gates", w, None).await;
    assert_eq!(mine["paused"]["why"], "near_fall", "{mine}");
    assert_eq!(mine["reason"], "balance is poor");
    assert!(!mine["in_words"].as_array().unwrap().is_empty());

    let id = near[0]["id"].as_i64().unwrap();
    let ack = format!("/api/v1/clinician/alerts/{id}/acknowledge");
    let (status, acked) = app
        .call(Method::POST, &ack, c, Some(json!({"note": "called: fine"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{acked}");
    assert_eq!(acked["acknowledged_by"], "nc@example.org");
    assert_eq!(acked["note"], "called: fine");
    assert!(acked["acknowledged_at"].is_string());
    let (_, again) = app
        .call(Method::POST, &ack, c, Some(json!({"note": "second"})))
        .await;
    assert_eq!(
        again["note"], "called: fine",
        "the first acknowledgement is kept"
    );
    let kept = store.alerts(walker, false).await.unwrap();
    assert!(kept.iter().any(|a| a.id == id && a.acknowledged.is_some()));

    let resume = format!("/api/v1/clinician/walkers/{walker}/resume");
    let (status, problem) = app
        .call(Method::POST, &resume, c, Some(json!({"reason": ""})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, resumed) = app
        .call(
            Method::POST,
            &resume,
            c,
            Some(json!({"reason": "seen in clinic"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resumed}");
    assert!(resumed["paused"].is_null());
    let (status, _) = app
        .call(Method::POST, &resume, c, Some(json!({"reason": "again"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (_, log) = app.call(Method::GET, "/api/v1/access-log", w, None).await;
    let whats: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    for what in ["progression gates", "alerts", "progression resumed"] {
        assert!(whats.contains(&what), "{what} in {whats:?}");
    }
    assert!(whats.iter().any(|w| w.starts_with("alert ")), "{whats:?}");
}

#[tokio::test]
async fn every_new_clinician_route_is_404_without_a_grant() {
    let (app, store) = start_with_store(roomy()).await;
    let (c, w, walker) = shared_pair(&app, &store, "rc@example.org", "rw@example.org").await;
    let mut body = session_body("2026-11-20T07:30:00Z", 300);
    body["falls"] = json!(1);
    app.call(Method::POST, "/api/v1/sessions", Some(&w), Some(body))
        .await;
    let alert = store.alerts(walker, true).await.unwrap()[0].id;
    let (_, grants) = app
        .call(Method::GET, "/api/v1/grants", Some(&w), None)
        .await;
    let grant = grants[0]["id"].as_i64().unwrap();
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/grants/{grant}"),
            Some(&w),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let other = app.person("ro@example.org").await;
    give_role(&store, "ro@example.org", store::Role::Admin).await;
    for token in [&c, &other] {
        for (method, path, body) in [
            (
                Method::GET,
                format!("/api/v1/clinician/walkers/{walker}/gates"),
                None,
            ),
            (
                Method::PUT,
                format!("/api/v1/clinician/walkers/{walker}/gates"),
                Some(json!({"gates": pause_gates(), "reason": "x"})),
            ),
            (
                Method::GET,
                format!("/api/v1/clinician/alerts?walker={walker}"),
                None,
            ),
            (
                Method::POST,
                format!("/api/v1/clinician/alerts/{alert}/acknowledge"),
                Some(json!({"note": ""})),
            ),
            (
                Method::POST,
                format!("/api/v1/clinician/walkers/{walker}/resume"),
                Some(json!({"reason": "x"})),
            ),
        ] {
            let (status, problem) = app.call(method, &path, Some(token), body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {problem}");
        }
    }
    let (status, alerts) = app
        .call(Method::GET, "/api/v1/clinician/alerts", Some(&c), None)
        .await;
    assert_eq!((status, alerts), (StatusCode::OK, json!([])));
    // Without a clinician now, the walker resumes after a fall themselves, once uninjured.
    let w = Some(w.as_str());
    let (_, mine) = app.call(Method::GET, "/api/v1/gates", w, None).await;
    assert_eq!(mine["paused"]["why"], "fall");
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/gates/resume",
            w,
            Some(json!({"uninjured": false})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, mine) = app
        .call(
            Method::POST,
            "/api/v1/gates/resume",
            w,
            Some(json!({"uninjured": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert!(mine["paused"].is_null());
}

#[tokio::test]
async fn a_walker_without_a_clinician_gets_no_alerts_but_a_fall_still_pauses() {
    let (app, store) = start_with_store(roomy()).await;
    let w = app.person("solo@example.org").await;
    let walker = store
        .user_by_email("solo@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut body = session_body("2026-11-20T07:30:00Z", 300);
    body["falls"] = json!(2);
    body["near_falls"] = json!(1);
    body["pain_after"] = json!(9);
    let (status, logged) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            Some(&w),
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{logged}");
    assert_eq!(logged["falls"], 2);
    assert!(store.alerts(walker, false).await.unwrap().is_empty());
    let (_, mine) = app.call(Method::GET, "/api/v1/gates", Some(&w), None).await;
    assert_eq!(mine["paused"]["why"], "fall", "{mine}");
    assert_eq!(mine["set_by"], "built-in");
    body["falls"] = json!(21);
    let (status, problem) = app
        .call(Method::POST, "/api/v1/sessions", Some(&w), Some(body))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "falls");
}

/// A clinician (`cleo`), a walker (`walt`) sharing with her, and their ids.
async fn clinician_and_walker(
    app: &App,
    store: &std::sync::Arc<dyn store::Store>,
    clinician: &str,
    walker: &str,
) -> (String, String, i64) {
    let c = app.person(clinician).await;
    give_role(store, clinician, store::Role::Clinician).await;
    let w = app.person(walker).await;
    let walker_id = store.user_by_email(walker).await.unwrap().unwrap().id;
    let (_, invite) = app
        .call(Method::POST, "/api/v1/clinician/invites", Some(&c), None)
        .await;
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/grants",
            Some(&w),
            Some(json!({"code": invite["code"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    (c, w, walker_id)
}

fn prescription(weekdays: &[&str]) -> Value {
    json!({
        "protocol": "knee-oa-10min", "goal": "knee", "level": "new", "setting": "hallway",
        "weekdays": weekdays, "weeks": 6, "start_minutes": 4
    })
}

fn days_ago(days: i64) -> jiff::civil::Date {
    jiff::Zoned::now()
        .date()
        .checked_sub(jiff::Span::new().days(days))
        .unwrap()
}

#[tokio::test]
async fn prescribing_needs_a_grant_on_every_route() {
    let (app, store) = start_with_store(roomy()).await;
    let cleo = app.person("cleo@example.org").await;
    give_role(&store, "cleo@example.org", store::Role::Clinician).await;
    let walt = app.person("walt@example.org").await;
    let walt_id = store
        .user_by_email("walt@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    let ada = app.person("ada@example.org").await;
    give_role(&store, "ada@example.org", store::Role::Admin).await;
    let assign = json!({"parameters": prescription(&["mon", "wed", "fri"]), "start": "2027-01-04", "reason": "knee pain"});
    let adjust = json!({"parameters": prescription(&["tue", "thu"]), "reason": "flare"});
    let note = json!({"plan_id": 1, "text": "hello"});
    for token in [&cleo, &ada, &walt] {
        for (method, path, body) in [
            (
                Method::POST,
                format!("/api/v1/clinician/walkers/{walt_id}/plans"),
                Some(assign.clone()),
            ),
            (
                Method::PATCH,
                format!("/api/v1/clinician/walkers/{walt_id}/plans/1"),
                Some(adjust.clone()),
            ),
            (
                Method::GET,
                format!("/api/v1/clinician/walkers/{walt_id}/plan-changes"),
                None,
            ),
            (
                Method::POST,
                format!("/api/v1/clinician/walkers/{walt_id}/notes"),
                Some(note.clone()),
            ),
            (
                Method::PUT,
                format!("/api/v1/clinician/walkers/{walt_id}/notes/1"),
                Some(json!({"text": "x"})),
            ),
            (
                Method::DELETE,
                format!("/api/v1/clinician/walkers/{walt_id}/notes/1"),
                None,
            ),
        ] {
            let (status, body) = app.call(method.clone(), &path, Some(token), body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
        }
    }
    assert!(store.access_log(walt_id, 10).await.unwrap().is_empty());
    // Templates are for clinicians.
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/clinician/templates",
            Some(&walt),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_clinician_keeps_templates_of_their_own() {
    let (app, store) = start_with_store(roomy()).await;
    let cleo = app.person("cleo@example.org").await;
    give_role(&store, "cleo@example.org", store::Role::Clinician).await;
    let cid = app.person("cid@example.org").await;
    give_role(&store, "cid@example.org", store::Role::Clinician).await;
    let c = Some(cleo.as_str());
    let (status, made) = app
        .call(
            Method::POST,
            "/api/v1/clinician/templates",
            c,
            Some(
                json!({"name": "Knee, gentle", "parameters": prescription(&["mon", "wed", "fri"])}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let path = format!("/api/v1/clinician/templates/{}", made["id"]);
    // A template past the protocol's dose is refused with the field.
    let mut too_much = prescription(&["mon"]);
    too_much["end_minutes"] = json!(30);
    let (status, bad) = app
        .call(
            Method::POST,
            "/api/v1/clinician/templates",
            c,
            Some(json!({"name": "Too much", "parameters": too_much})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "parameters.end_minutes", "{bad}");
    // Someone else's template is not found, whatever is done to it.
    for method in [Method::GET, Method::DELETE] {
        let (status, _) = app.call(method, &path, Some(&cid), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = app
        .call(
            Method::PUT,
            &path,
            Some(&cid),
            Some(json!({"name": "mine now", "parameters": prescription(&["mon"])})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, edited) = app
        .call(
            Method::PUT,
            &path,
            c,
            Some(json!({"name": "Knee, two days", "parameters": prescription(&["tue", "fri"])})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["parameters"]["weekdays"], json!(["tue", "fri"]));
    let (_, list) = app
        .call(Method::GET, "/api/v1/clinician/templates", c, None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, others) = app
        .call(Method::GET, "/api/v1/clinician/templates", Some(&cid), None)
        .await;
    assert_eq!(others, json!([]));
    let (status, _) = app.call(Method::DELETE, &path, c, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call(Method::GET, &path, c, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_clinician_assigns_and_adjusts_a_plan_and_the_walker_sees_who_and_why() {
    let (app, store) = start_with_store(roomy()).await;
    let (cleo, walt, walt_id) =
        clinician_and_walker(&app, &store, "cleo@example.org", "walt@example.org").await;
    let cid = app.person("cid@example.org").await;
    give_role(&store, "cid@example.org", store::Role::Clinician).await;
    let (c, w) = (Some(cleo.as_str()), Some(walt.as_str()));
    // A screening that says to see a clinician first: the clinician's plan is the clearance.
    let mut worried = answers(70);
    worried["chest_pain"] = json!(true);
    let (status, screening) = app
        .call(Method::POST, "/api/v1/screenings", w, Some(worried))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{screening}");
    let plans = format!("/api/v1/clinician/walkers/{walt_id}/plans");

    // Reasons are required.
    for (body, field) in [
        (
            json!({"parameters": prescription(&["mon"]), "start": "2027-01-04", "reason": "  "}),
            "reason",
        ),
        (
            json!({"parameters": prescription(&["mon"]), "start": "2027-01-04"}),
            "reason",
        ),
        (json!({"start": "2027-01-04", "reason": "x"}), "parameters"),
        (
            json!({"parameters": prescription(&["mon"]), "template_id": 1, "start": "2027-01-04", "reason": "x"}),
            "parameters",
        ),
    ] {
        let (status, bad) = app.call(Method::POST, &plans, c, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(bad["errors"][0]["field"], field, "{bad}");
    }
    // Someone else's template is not one of the caller's.
    let (_, theirs) = app
        .call(
            Method::POST,
            "/api/v1/clinician/templates",
            Some(&cid),
            Some(json!({"name": "Cid's", "parameters": prescription(&["mon"])})),
        )
        .await;
    let (status, bad) = app
        .call(
            Method::POST,
            &plans,
            c,
            Some(json!({"template_id": theirs["id"], "start": "2027-01-04", "reason": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "template_id");

    // From the catalogue.
    let (status, first) = app
        .call(
            Method::POST,
            &plans,
            c,
            Some(json!({"parameters": prescription(&["mon", "wed", "fri"]), "start": "2027-01-04", "reason": "knee pain on stairs", "note": "Keep a hand on the rail."})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(
        first["plan"]["author_id"],
        json!(
            store
                .user_by_email("cleo@example.org")
                .await
                .unwrap()
                .unwrap()
                .id
        )
    );
    assert_eq!(first["plan"]["details"]["clinician_clearance"], true);
    assert_eq!(first["change"]["changed_by"], "cleo@example.org");
    assert_eq!(first["note"]["text"], "Keep a hand on the rail.");

    // From a template, starting two weeks ago so that some days are past.
    let (_, template) = app
        .call(
            Method::POST,
            "/api/v1/clinician/templates",
            c,
            Some(json!({"name": "Knee", "parameters": prescription(&["mon", "wed", "fri"])})),
        )
        .await;
    let start = days_ago(14);
    let (status, second) = app
        .call(
            Method::POST,
            &plans,
            c,
            Some(json!({"template_id": template["id"], "start": start.to_string(), "reason": "a fresh start"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert!(
        second["change"]["summary"]
            .as_str()
            .unwrap()
            .contains("\"Knee\"")
    );
    let plan_id = second["plan"]["id"].as_i64().unwrap();
    let (_, active) = app.call(Method::GET, "/api/v1/plans", w, None).await;
    assert_eq!(active[0]["id"], json!(plan_id));
    assert_eq!(active[0]["active"], true);
    let before: Vec<Value> = second["plan"]["sessions"].as_array().unwrap().clone();

    // Adjust to Tuesdays and Thursdays: only the days from today change.
    let adjust = format!("{plans}/{plan_id}");
    let (status, bad) = app
        .call(
            Method::PATCH,
            &adjust,
            c,
            Some(json!({"parameters": prescription(&["tue", "thu"]), "reason": ""})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "reason");
    let (status, adjusted) = app
        .call(
            Method::PATCH,
            &adjust,
            c,
            Some(
                json!({"parameters": prescription(&["tue", "thu"]), "reason": "works Mondays now"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{adjusted}");
    let after = adjusted["plan"]["sessions"].as_array().unwrap();
    let today = jiff::Zoned::now().date().to_string();
    let past: Vec<&Value> = before
        .iter()
        .filter(|s| s["date"].as_str().unwrap() < today.as_str())
        .collect();
    assert!(!past.is_empty());
    for (old, new) in past.iter().zip(after) {
        assert_eq!(*old, new, "a past day never changes");
    }
    for s in &after[past.len()..] {
        let date: jiff::civil::Date = s["date"].as_str().unwrap().parse().unwrap();
        assert!(s["date"].as_str().unwrap() >= today.as_str());
        assert!(
            matches!(
                date.weekday(),
                jiff::civil::Weekday::Tuesday | jiff::civil::Weekday::Thursday
            ),
            "{date}"
        );
    }
    assert!(
        adjusted["change"]["summary"]
            .as_str()
            .unwrap()
            .contains("weekdays: mon,wed,fri to tue,thu"),
        "{}",
        adjusted["change"]
    );
    // Another clinician's grant does not reach this plan.
    let (status, _) = app
        .call(
            Method::PATCH,
            &adjust,
            Some(&cid),
            Some(json!({"parameters": prescription(&["tue"]), "reason": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A note on a session, then deleted by its author only.
    let (_, session) = app
        .call(
            Method::POST,
            "/api/v1/sessions",
            w,
            Some(session_body("2026-11-16T07:30:00Z", 300)),
        )
        .await;
    let notes = format!("/api/v1/clinician/walkers/{walt_id}/notes");
    let (status, bad) = app
        .call(
            Method::POST,
            &notes,
            c,
            Some(json!({"session_id": session["id"], "text": "x".repeat(1001)})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let (status, note) = app
        .call(
            Method::POST,
            &notes,
            c,
            Some(json!({"session_id": session["id"], "text": "Good pacing."})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    let (status, _) = app
        .call(
            Method::POST,
            &notes,
            c,
            Some(json!({"session_id": 999999, "text": "nobody's"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, mine) = app.call(Method::GET, "/api/v1/notes", w, None).await;
    assert_eq!(mine[0]["text"], "Good pacing.");
    assert_eq!(mine[0]["clinician"], "cleo@example.org");
    assert_eq!(mine.as_array().unwrap().len(), 2);
    let (status, _) = app
        .call(Method::DELETE, &format!("{notes}/{}", note["id"]), c, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // The walker reads every change, who made it and why; the access log has each.
    let (_, changes) = app.call(Method::GET, "/api/v1/plan-changes", w, None).await;
    let reasons: Vec<&str> = changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["works Mondays now", "a fresh start", "knee pain on stairs"]
    );
    let (status, theirs) = app
        .call(
            Method::GET,
            &format!("/api/v1/clinician/walkers/{walt_id}/plan-changes"),
            c,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(theirs, changes);
    let (_, log) = app.call(Method::GET, "/api/v1/access-log", w, None).await;
    let changes_logged: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["action"] == "change")
        .map(|l| l["what"].as_str().unwrap())
        .collect();
    assert!(
        changes_logged
            .iter()
            .any(|w| w.contains("works Mondays now") && w.contains("weekdays")),
        "{changes_logged:?}"
    );
    assert!(
        changes_logged
            .iter()
            .any(|w| w.contains("knee pain on stairs"))
    );
    assert!(changes_logged.iter().any(|w| w.contains("a fresh start")));
    assert!(
        changes_logged
            .iter()
            .any(|w| w.starts_with("note on session"))
    );
    assert!(changes_logged.iter().any(|w| w.starts_with("deleted note")));
}

/// The walker `token` accepts a fresh invite from the clinician `clinician`; the grant's id.
async fn share_with(app: &App, clinician: &str, token: &str) -> i64 {
    let (_, invite) = app
        .call(
            Method::POST,
            "/api/v1/clinician/invites",
            Some(clinician),
            None,
        )
        .await;
    let (status, grant) = app
        .call(
            Method::POST,
            "/api/v1/grants",
            Some(token),
            Some(json!({"code": invite["code"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{grant}");
    grant["id"].as_i64().unwrap()
}

/// A plan of 3 sessions a week for 4 weeks, started 13 days ago: about 6 sessions are due.
async fn plan_started_13_days_ago(app: &App, token: &str) -> Value {
    let t = Some(token);
    app.call(Method::POST, "/api/v1/screenings", t, Some(answers(70)))
        .await;
    let start = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_sub(jiff::Span::new().days(13))
        .unwrap();
    let (status, plan) = app
        .call(
            Method::POST,
            "/api/v1/plans",
            t,
            Some(json!({"goal": "knee", "setting": "ground", "level": "new", "days_per_week": 3, "weeks": 4, "start": start.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    plan
}

#[tokio::test]
async fn the_caseload_puts_walkers_needing_attention_first_and_logs_each_read() {
    let (app, store) = start_with_store(roomy()).await;
    let cleo = app.person("cleo@example.org").await;
    give_role(&store, "cleo@example.org", store::Role::Clinician).await;
    let c = Some(cleo.as_str());
    let mut ids = std::collections::HashMap::new();
    let mut tokens = std::collections::HashMap::new();
    for who in ["walt", "tess", "una", "rita", "nick"] {
        let email = format!("{who}@example.org");
        tokens.insert(who, app.person(&email).await);
        ids.insert(who, store.user_by_email(&email).await.unwrap().unwrap().id);
    }
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();

    // Walt: a plan, one session yesterday with a near-fall and pain rising 2 -> 5, and a 3MBWT
    // in the high-risk band.
    let walt = tokens["walt"].as_str();
    plan_started_13_days_ago(&app, walt).await;
    let mut body = session_body(&format!("{}T00:00:00Z", today.yesterday().unwrap()), 60);
    body["near_falls"] = json!(1);
    body["pain_after"] = json!(5);
    let (status, logged) = app
        .call(Method::POST, "/api/v1/sessions", Some(walt), Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{logged}");
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/assessments",
            Some(walt),
            Some(json!({"kind": "three_mbwt", "seconds": 6.5, "population": "older-adults"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // Tess: every session due so far, each longer than its dose (counted up to the dose).
    let tess = tokens["tess"].as_str();
    let plan = plan_started_13_days_ago(&app, tess).await;
    for s in plan["sessions"].as_array().unwrap() {
        let date: jiff::civil::Date = s["date"].as_str().unwrap().parse().unwrap();
        if date <= today {
            let (status, _) = app
                .call(
                    Method::POST,
                    "/api/v1/sessions",
                    Some(tess),
                    Some(session_body(&format!("{date}T00:00:00Z"), 3600)),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED);
        }
    }
    let (_, tess_sessions) = app
        .call(Method::GET, "/api/v1/sessions?limit=100", Some(tess), None)
        .await;
    let doses: u64 = tess_sessions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["planned_backward_seconds"].as_u64().unwrap())
        .sum();

    // Una shares but has no plan; Rita shared and revoked; Nick never shared.
    for who in ["walt", "tess", "una"] {
        share_with(&app, &cleo, &tokens[who]).await;
    }
    let rita_grant = share_with(&app, &cleo, &tokens["rita"]).await;
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/grants/{rita_grant}"),
            Some(tokens["rita"].as_str()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (status, caseload) = app
        .call(Method::GET, "/api/v1/clinician/caseload", c, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{caseload}");
    let listed: Vec<&str> = caseload
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        ["walt@example.org", "una@example.org", "tess@example.org"],
        "flags first (walt's safety flags outweigh una's missing plan), rita and nick not listed"
    );
    let (walt_row, una_row, tess_row) = (&caseload[0], &caseload[1], &caseload[2]);
    assert_eq!(
        walt_row["flags"],
        json!([
            "near_fall",
            "high_fall_risk",
            "pain_rise",
            "missed_sessions",
            "low_adherence"
        ])
    );
    assert_eq!(walt_row["latest_session"]["pain_before"], 2);
    assert_eq!(walt_row["latest_session"]["pain_after"], 5);
    assert_eq!(walt_row["latest_session"]["near_falls"], 1);
    assert_eq!(walt_row["near_falls_14d"], 1);
    assert_eq!(walt_row["three_mbwt"]["risk"], "high");
    assert_eq!(walt_row["three_mbwt"]["seconds"], 6.5);
    // Walt's one session answers the plan's first (13 days ago), at 60 s of its dose: nothing
    // of the last 7 days was walked.
    assert_eq!(walt_row["adherence_7d"]["backward_seconds_walked"], 0);
    assert_eq!(walt_row["adherence_28d"]["backward_seconds_walked"], 60);
    assert_eq!(una_row["flags"], json!(["no_plan"]));
    assert_eq!(una_row["adherence_28d"], Value::Null);
    assert_eq!(una_row["latest_session"], Value::Null);
    assert_eq!(tess_row["flags"], json!([]));
    assert_eq!(tess_row["attention"], 0);
    assert_eq!(tess_row["adherence_28d"]["backward_seconds_due"], doses);
    assert_eq!(tess_row["adherence_28d"]["backward_seconds_walked"], doses);
    assert_eq!(tess_row["adherence_28d"]["share"], 1.0);
    assert_eq!(tess_row["adherence_7d"]["share"], 1.0);

    // One access-log line per walker listed, none for the others.
    for who in ["walt", "tess", "una", "rita", "nick"] {
        let log = store.access_log(ids[who], 10).await.unwrap();
        let caseload_reads = log
            .iter()
            .filter(|e| e.route == "GET /api/v1/clinician/caseload")
            .count();
        let expected = usize::from(matches!(who, "walt" | "tess" | "una"));
        assert_eq!(caseload_reads, expected, "{who}");
    }

    // Walkers do not have a caseload.
    let (status, _) = app
        .call(Method::GET, "/api/v1/clinician/caseload", Some(walt), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Trends: the clinician's (under the grant, logged) and Walt's own say the same.
    let path = format!("/api/v1/clinician/walkers/{}/trends", ids["walt"]);
    let (status, trends) = app.call(Method::GET, &path, c, None).await;
    assert_eq!(status, StatusCode::OK, "{trends}");
    assert_eq!(trends["three_mbwt"][0]["seconds"], 6.5);
    assert_eq!(trends["three_mbwt"][0]["risk"], "high");
    assert_eq!(trends["three_mbwt"][0]["high_risk_at_least_s"], 4.5);
    assert_eq!(trends["three_mbwt"][0]["low_risk_at_most_s"], 3.0);
    assert_eq!(
        trends["pain"],
        json!([{"session_id": logged["id"], "date": today.yesterday().unwrap().to_string(), "pain_before": 2, "pain_after": 5}])
    );
    assert_eq!(trends["gait"], json!([]));
    let (_, own) = app
        .call(Method::GET, "/api/v1/progress/trends", Some(walt), None)
        .await;
    assert_eq!(own, trends);
    let log = store.access_log(ids["walt"], 1).await.unwrap();
    assert_eq!(
        (log[0].what.as_str(), log[0].route.as_str()),
        (
            "outcome trends",
            "GET /api/v1/clinician/walkers/{id}/trends"
        )
    );
    for who in ["rita", "nick"] {
        let path = format!("/api/v1/clinician/walkers/{}/trends", ids[who]);
        let (status, _) = app.call(Method::GET, &path, c, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
    }

    // The pages, in the clinician's browser: the caseload, trends and the handout.
    let page = |path: String| {
        let app = &app;
        async move {
            let signed_in = app
                .http
                .post(format!("{}/api/v1/session", app.base))
                .json(&json!({"email": "cleo@example.org", "password": "long enough pw"}))
                .send()
                .await
                .unwrap();
            let cookie = signed_in.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string();
            let response = app
                .http
                .get(format!("{}{path}", app.base))
                .header("cookie", cookie)
                .header("accept", "text/html")
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let (status, html) = page("/walkers".into()).await;
    assert_eq!(status, StatusCode::OK);
    let (walt_at, tess_at) = (
        html.find("walt@example.org").unwrap(),
        html.find("tess@example.org").unwrap(),
    );
    assert!(walt_at < tess_at, "walt first");
    assert!(html.contains("near-fall or fall in the last 14 days"));
    assert!(!html.contains("rita@example.org") && !html.contains("nick@example.org"));
    let (status, html) = page(format!("/walkers/{}/trends", ids["walt"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("high risk ≥ 4.5 s"),
        "the cut-off line is labelled"
    );
    assert!(html.contains("No single-leg stance test yet."));
    let (status, html) = page(format!("/walkers/{}/handout", ids["walt"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("The clinician's note") && html.contains("Week 4"));
    let log = store.access_log(ids["walt"], 1).await.unwrap();
    assert_eq!(
        (log[0].what.as_str(), log[0].route.as_str()),
        ("plan handout", "GET /walkers/{id}/handout")
    );
    for who in ["rita", "nick", "una"] {
        let (status, _) = page(format!("/walkers/{}/handout", ids[who])).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}: no grant, or no plan");
        let (status, _) = page(format!("/walkers/{}/trends", ids[who])).await;
        let expected = if who == "una" {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(status, expected, "{who}");
    }
}

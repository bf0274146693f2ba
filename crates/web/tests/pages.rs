//! The HTML pages over real HTTP without a browser: forms work without JavaScript, the pages carry
//! their strict CSP, static files are served compressed, forms without the session's token are
//! refused, and people are led to the onboarding step they are at. The browser journeys live in
//! `e2e/` (headless Chromium).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

struct App {
    base: String,
    http: Client,
    _dir: tempfile::TempDir,
}

async fn start() -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = store::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = web::Config {
        auth_burst: 1000,
        ..web::Config::default()
    };
    tokio::spawn(web::serve(
        listener,
        web::AppState::new(store, config),
        std::future::pending(),
    ));
    App {
        base,
        http: Client::builder().redirect(Policy::none()).build().unwrap(),
        _dir: dir,
    }
}

impl App {
    async fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            request = request.header(COOKIE, c);
        }
        request.send().await.unwrap()
    }

    async fn post_form(&self, path: &str, cookie: Option<&str>, form: &str) -> Response {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form.to_string());
        if let Some(c) = cookie {
            request = request.header(COOKIE, c);
        }
        request.send().await.unwrap()
    }
}

fn location(r: &Response) -> String {
    r.headers()[LOCATION].to_str().unwrap().to_string()
}

/// The CSRF token a page embeds for its forms.
fn csrf_of(html: &str) -> String {
    let start = html.find(r#"name="csrf-token" content=""#).unwrap() + 27;
    html[start..start + 64].to_string()
}

#[tokio::test]
async fn forms_work_without_javascript_from_sign_up_to_the_plan() {
    let app = start().await;
    let home = app.get("/", None).await;
    assert_eq!(home.status(), StatusCode::OK);
    let csp = home.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("style-src 'self';") && !csp.contains("unsafe"),
        "{csp}"
    );

    // Sign-up errors come back beside the fields, with a 422.
    let refused = app
        .post_form("/signup", None, "email=nope&password=short")
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains(r#"id="email-error""#) && html.contains("at least 10"));

    let created = app
        .post_form(
            "/signup",
            None,
            "email=ann%40example.org&password=correct+horse+battery",
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&created), "/start/screening");
    let cookie = created.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();

    // Without a screening, today leads to the screening.
    let today = app.get("/today", Some(&cookie)).await;
    assert_eq!(location(&today), "/start/screening");
    let page = app.get("/start/screening", Some(&cookie)).await;
    let csrf = csrf_of(&page.text().await.unwrap());

    // A form without the session's token is refused, with a reason.
    let forged = app
        .post_form("/start/screening", Some(&cookie), "step=0&age=40")
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.text().await.unwrap().contains("form has expired"));

    // The last step with every answer carried as hidden fields stores the screening.
    let mut form = format!("csrf={csrf}&step=18&age=40");
    for q in coach::screening::QUESTIONS {
        let answer = if q.id == "currently_active" {
            "yes"
        } else {
            "no"
        };
        form.push_str(&format!("&{}={answer}", q.id));
    }
    let screened = app
        .post_form("/start/screening", Some(&cookie), &form)
        .await;
    assert_eq!(screened.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&screened), "/start/clearance");
    let today = app.get("/today", Some(&cookie)).await;
    assert_eq!(location(&today), "/start/plan");

    // The plan form: a bad field is named, then the plan is made.
    let bad = app
        .post_form(
            "/start/plan",
            Some(&cookie),
            &format!("csrf={csrf}&goal=knee&setting=treadmill&level=new&days_per_week=3&weeks=6&start=2026-12-01&forward_speed=fast"),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains(r#"id="forward_speed-error""#)
    );
    let made = app
        .post_form(
            "/start/plan/create",
            Some(&cookie),
            &format!("csrf={csrf}&goal=knee&setting=ground&level=new&days_per_week=3&weeks=6&start=2026-12-01&forward_speed="),
        )
        .await;
    assert_eq!(location(&made), "/today");
    let today = app.get("/today", Some(&cookie)).await;
    assert_eq!(today.status(), StatusCode::OK);
    let html = today.text().await.unwrap();
    assert!(html.contains("Start guided session"));
    assert!(html.contains("Knee osteoarthritis"));
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in_and_back() {
    let app = start().await;
    let r = app.get("/progress?x=1", None).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/signin?next=/progress%3Fx%3D1");
    let wrong = app
        .post_form("/signin", None, "email=a%40b.org&password=whatever+it+is")
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("wrong"));
}

#[tokio::test]
async fn static_files_are_compressed_and_unknown_ones_are_not_found() {
    let app = start().await;
    let js = app
        .http
        .get(format!("{}/static/htmx.min.js", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert_eq!(js.headers()["content-encoding"], "gzip");
    assert!(
        js.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let missing = app.get("/static/nope.js", None).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

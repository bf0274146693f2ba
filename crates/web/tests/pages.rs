//! The HTML pages over real HTTP without a browser: forms work without JavaScript, the pages carry
//! their strict CSP, static files are served compressed, forms without the session's token are
//! refused, and people are led to the onboarding step they are at. The browser journeys live in
//! `e2e/` (headless Chromium).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

mod support;
use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

struct App {
    base: String,
    http: Client,
    _dir: tempfile::TempDir,
}

async fn start() -> App {
    start_with(support::roomy()).await
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

/// Signs up through the form: the session cookie and the page's CSRF token.
async fn signed_up(app: &App, email: &str) -> (String, String) {
    let created = app
        .post_form(
            "/signup",
            None,
            &format!("email={email}&password=correct+horse+battery"),
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let cookie = created.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = app.get("/start/screening", Some(&cookie)).await;
    let csrf = csrf_of(&page.text().await.unwrap());
    (cookie, csrf)
}

#[tokio::test]
async fn the_session_page_shows_the_motion_in_words_and_takes_the_persons_answer() {
    let app = start().await;
    let (cookie, csrf) = signed_up(&app, "pat%40example.org").await;
    let api = |path: &str, body: serde_json::Value| {
        app.http
            .post(format!("{}{path}", app.base))
            .header(COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .json(&body)
            .send()
    };
    let session: serde_json::Value = api(
        "/api/v1/sessions",
        serde_json::json!({"started_at": "2026-11-16T08:00:00Z", "setting": "ground", "blocks": [{"direction": "backward", "seconds": 60}], "rpe": 12, "pain_before": 1, "pain_after": 1}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = session["id"].as_i64().unwrap();
    // 110 steps a minute at 50 Hz, a forward warm-up then a backward block, phone in the hand.
    let samples: Vec<serde_json::Value> = (0..6000)
        .map(|k| {
            let t = f64::from(k) * 0.02;
            let phase = (t % (60.0 / 110.0)) / (60.0 / 110.0);
            let pulse = if phase < 0.1 {
                phase / 0.1
            } else {
                (-(phase - 0.1) * 6.0).exp()
            };
            serde_json::json!([t, 0.3, 0.1, 8.81 + 3.0 * pulse, null, null, null])
        })
        .collect();
    let stored = api(
        &format!("/api/v1/sessions/{id}/motion"),
        serde_json::json!({"samples": samples, "placement": "hand", "blocks": [
            {"start_s": 0, "end_s": 60, "direction": "forward"},
            {"start_s": 60, "end_s": 120, "direction": "backward"}]}),
    )
    .await
    .unwrap();
    assert_eq!(stored.status(), StatusCode::CREATED);

    let html = app
        .get(&format!("/history/{id}"), Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("The phone was in the hand."), "{html}");
    assert_eq!(
        html.matches("Direction not read: a sensor in the hand")
            .count(),
        1,
        "the note once"
    );
    assert!(html.contains("can&#39;t tell from this recording: was it backward?"));
    assert!(!html.contains("you said"));
    assert!(!html.contains('%'), "no percentage without a direction");

    // The answer form needs the session's token, then keeps the answer and shows it.
    let action = format!("/history/{id}/motion/blocks/1");
    let forged = app
        .post_form(&action, Some(&cookie), "direction=backward")
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let answered = app
        .post_form(
            &action,
            Some(&cookie),
            &format!("csrf={csrf}&direction=backward"),
        )
        .await;
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answered), format!("/history/{id}#motion"));
    let html = app
        .get(&format!("/history/{id}"), Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("you said: backward").count(), 1, "{html}");
}

/// A multipart form body by hand (the test client has no multipart feature): text fields, then
/// the file.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----retrostride-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The value of a hidden field named `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let key = format!(r#"name="{name}" value=""#);
    let start = html.find(&key).unwrap() + key.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn a_motion_file_is_analysed_in_words_and_a_forward_stretch_can_be_picked_afterwards() {
    let app = start().await;
    let (cookie, csrf) = signed_up(&app, "mo%40example.org").await;
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/motion/backward-mocap/09_12_right_foot.csv"
    ))
    .unwrap();
    let send = |fields: Vec<(&'static str, String)>, file: Option<(&'static str, Vec<u8>)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let (content_type, body) =
            multipart(&fields, file.as_ref().map(|(n, b)| (*n, b.as_slice())));
        app.http
            .post(format!("{}/history/motion", app.base))
            .header(COOKIE, &cookie)
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
    };

    // The history page leads to the form.
    let history = app
        .get("/history", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(history.contains(r#"href="/history/motion""#));
    let form = app.get("/history/motion", Some(&cookie)).await;
    assert_eq!(form.status(), StatusCode::OK);
    let html = form.text().await.unwrap();
    assert!(
        html.contains("Where was the sensor worn?") && html.contains("On a belt at the lower back")
    );
    assert!(html.contains("such as a warm-up"));

    // With the warm-up given as forward: forward (given), then backward (sure).
    let given = send(
        vec![
            ("csrf", csrf.clone()),
            ("placement", "foot".into()),
            ("forward_from", "0".into()),
            ("forward_to", "7.25".into()),
        ],
        Some(("09_12_right_foot.csv", file.clone())),
    )
    .await
    .unwrap();
    assert_eq!(given.status(), StatusCode::OK);
    let html = given.text().await.unwrap();
    assert!(html.contains("forward (given)"), "{html}");
    assert!(html.contains("backward (sure)"), "{html}");
    // The two strides just after the turn are too few to tell; the steps are per stride.
    assert!(html.contains("two per stride"));
    assert!(html.contains("1,599 samples") && html.contains("On the shoe or the instep"));
    assert!(!html.contains("--") && !html.contains("I walked this one forward"));
    // The percentage only where the motion was read, never for the given stretch.
    assert!(html.contains("backward (sure) <span class=\"percent\">("));
    assert!(!html.contains("forward (given) <span"));

    // Without one: can't tell, and the offer to mark one.
    let unknown = send(
        vec![("csrf", csrf.clone()), ("placement", "foot".into())],
        Some(("09_12_right_foot.csv", file.clone())),
    )
    .await
    .unwrap();
    assert_eq!(unknown.status(), StatusCode::OK);
    let html = unknown.text().await.unwrap();
    assert!(
        html.contains("can&#39;t tell") || html.contains("can't tell"),
        "{html}"
    );
    assert!(html.contains("I walked this one forward"));
    assert!(!html.contains("backward (sure)") && !html.contains("--forward"));
    let token = hidden(&html, "token");
    let first = hidden(&html, "forward");

    // Picking the first stretch reads the others against it.
    let picked = app
        .post_form(
            "/history/motion/again",
            Some(&cookie),
            &format!("csrf={csrf}&token={token}&placement=foot&forward={first}"),
        )
        .await;
    assert_eq!(picked.status(), StatusCode::OK);
    let html = picked.text().await.unwrap();
    assert!(html.contains("backward (sure)"), "{html}");
    assert!(html.contains("as you said"));
    // A typed stretch outside the recording is refused in words, with the offer kept.
    let outside = app
        .post_form(
            "/history/motion/again",
            Some(&cookie),
            &format!("csrf={csrf}&token={token}&placement=foot&forward_from=1:00&forward_to=2:00"),
        )
        .await;
    assert_eq!(outside.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = outside.text().await.unwrap();
    assert!(
        html.contains("The recording lasts 0:16") && html.contains("I walked this one forward")
    );
    // Someone else's token (or a stale one) finds nothing.
    let stale = app
        .post_form(
            "/history/motion/again",
            Some(&cookie),
            &format!(
                "csrf={csrf}&token=00{}&placement=foot&forward={first}",
                &token[2..]
            ),
        )
        .await;
    assert_eq!(stale.status(), StatusCode::GONE);
    assert!(stale.text().await.unwrap().contains("no longer kept"));

    // Errors in words: binary garbage, an empty file, missing columns, a bad stretch, an unknown
    // placement.
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let refused = send(
        vec![("csrf", csrf.clone()), ("placement", "foot".into())],
        Some(("noise.bin", garbage)),
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("noise.bin cannot be analysed: this is not a CSV, CWA or GENEActiv file"),
        "{html}"
    );
    let empty = send(
        vec![("csrf", csrf.clone()), ("placement", "foot".into())],
        Some(("empty.csv", Vec::new())),
    )
    .await
    .unwrap();
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("the file is empty"));
    let columns = send(
        vec![("csrf", csrf.clone()), ("placement", "foot".into())],
        Some(("short.csv", b"time_s,acc_x,acc_y\n0,1,2\n".to_vec())),
    )
    .await
    .unwrap();
    assert_eq!(columns.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        columns
            .text()
            .await
            .unwrap()
            .contains("the header has no `acc_z` column")
    );
    let backwards_span = send(
        vec![
            ("csrf", csrf.clone()),
            ("placement", "foot".into()),
            ("forward_from", "0:09".into()),
            ("forward_to", "0:03".into()),
        ],
        Some(("09_12_right_foot.csv", file.clone())),
    )
    .await
    .unwrap();
    assert_eq!(backwards_span.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = backwards_span.text().await.unwrap();
    assert!(html.contains("must end after it starts") && html.contains(r#"value="0:09""#));
    let place = send(
        vec![("csrf", csrf.clone()), ("placement", "lower-back'x".into())],
        Some(("09_12_right_foot.csv", file.clone())),
    )
    .await
    .unwrap();
    assert_eq!(place.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        place
            .text()
            .await
            .unwrap()
            .contains("not one of the places listed")
    );

    // Without the session's token: refused.
    let forged = send(
        vec![("placement", "foot".into())],
        Some(("09_12_right_foot.csv", file.clone())),
    )
    .await
    .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let forged = app
        .post_form(
            "/history/motion/again",
            Some(&cookie),
            &format!("token={token}&placement=foot&forward={first}"),
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_motion_file_over_the_limit_is_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = web::Config {
        auth_burst: 1000,
        import_limit: 1024 * 1024,
        ..web::Config::default()
    };
    tokio::spawn(web::serve(
        listener,
        web::AppState::new(store, config),
        std::future::pending(),
    ));
    let app = App {
        base,
        http: Client::builder().redirect(Policy::none()).build().unwrap(),
        _dir: dir,
    };
    let (cookie, csrf) = signed_up(&app, "big%40example.org").await;
    for size in [1024 * 1024 + 10, 3 * 1024 * 1024] {
        let (content_type, body) = multipart(
            &[("csrf", &csrf), ("placement", "pocket")],
            Some(("big.csv", &vec![b'1'; size])),
        );
        let response = app
            .http
            .post(format!("{}/history/motion", app.base))
            .header(COOKIE, &cookie)
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        // Just over: the page refuses it (422); far over: the server's limit, as a page (413).
        let expected = if size < 2 * 1024 * 1024 {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::PAYLOAD_TOO_LARGE
        };
        assert_eq!(response.status(), expected, "{size}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains("larger than 1 MB") || html.contains("the limit is 1 MB"),
            "{size}: {html}"
        );
    }
}

#[tokio::test]
async fn cwa_and_geneactiv_files_are_recognised_with_their_damage_said() {
    let app = start().await;
    let (cookie, csrf) = signed_up(&app, "ax%40example.org").await;
    let cases = [
        (
            "ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa",
            ["Axivity CWA", "6 damaged sector(s)", "16,680 samples"],
        ),
        (
            "GENEActiv_testfile.bin",
            ["GENEActiv", "ends inside a page", "5,031 samples"],
        ),
    ];
    for (name, expected) in cases {
        let bytes = std::fs::read(format!(
            "{}/../../testdata/motion/cwa/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let (content_type, body) = multipart(
            &[("csrf", &csrf), ("placement", "wrist")],
            Some((name, &bytes)),
        );
        let response = app
            .http
            .post(format!("{}/history/motion", app.base))
            .header(COOKIE, &cookie)
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        let html = response.text().await.unwrap();
        for e in expected {
            assert!(html.contains(e), "{name}: {e} in {html}");
        }
        // On the wrist no direction is offered: the motion there does not show it.
        assert!(html.contains("On the wrist") && !html.contains("I walked this one forward"));
    }
}

/// Signs in through the form with `next` (already form-encoded) and an optional Origin.
async fn sign_in_with(app: &App, email: &str, next: &str, origin: Option<&str>) -> Response {
    let mut request = app
        .http
        .post(format!("{}/signin", app.base))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!(
            "email={email}&password=correct+horse+battery&next={next}"
        ));
    if let Some(o) = origin {
        request = request.header("origin", o);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_hostile_next_never_leaves_the_site_nor_breaks_the_sign_in() {
    let app = start().await;
    signed_up(&app, "nx%40example.org").await;
    // A path on this site, with its query, is kept.
    let kept = sign_in_with(&app, "nx%40example.org", "%2Fprogress%3Fx%3D1", None).await;
    assert_eq!(kept.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&kept), "/progress?x=1");
    let long = format!("%2F{}", "a".repeat(10_000));
    let hostile = [
        "%2F%09%2Fevil.example",   // a tab, stripped by URL parsers: //evil.example
        "%2F%2Fevil.example",      // scheme-relative
        "%2F%5Cevil",              // /\evil, read as //evil by browsers
        "%5C%5Cevil.example",      // \\evil.example
        "%0d%0a",                  // a bare line break
        "%2F%0D%0ASet-Cookie%3Ax", // header splitting
        "%2Fa%00b",                // NUL
        "%2F+evil",                // a space
        "javascript%3Aalert(1)",
        "https%3A%2F%2Fevil.example",
        "%2F%FF%FE",         // not UTF-8
        "%2F%C3%A9t%C3%A9",  // not ASCII: a Location header must be
        "%2Fa%23%2F%2Fevil", // a fragment does not parse back to itself
        &long,
    ];
    for next in hostile {
        let r = sign_in_with(&app, "nx%40example.org", next, None).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:.40}");
        assert_eq!(r.headers()[LOCATION].as_bytes(), b"/today", "{next:.40}");
        // The form does not carry it along either.
        let form = app.get(&format!("/signin?next={next}"), None).await;
        assert_eq!(form.status(), StatusCode::OK, "{next:.40}");
        let html = form.text().await.unwrap();
        assert!(
            html.contains(r#"name="next" value="""#),
            "{next:.40}: the hostile next was kept in the form"
        );
    }
}

#[tokio::test]
async fn private_answers_are_not_kept_by_caches_and_static_files_are() {
    let app = start().await;
    let (cookie, csrf) = signed_up(&app, "cc%40example.org").await;
    let no_store = |r: &Response, what: &str| {
        assert_eq!(
            r.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap().to_string()),
            Some("no-store".to_string()),
            "{what}"
        );
    };
    for path in [
        "/settings",
        "/start/screening",
        "/settings/export",
        "/settings/export/fhir",
        "/api/v1/profile",
    ] {
        let r = app.get(path, Some(&cookie)).await;
        assert!(r.status().is_success(), "{path}: {}", r.status());
        no_store(&r, path);
    }
    let token = app
        .post_form(
            "/settings/tokens",
            Some(&cookie),
            &format!("csrf={csrf}&name=laptop&password=correct+horse+battery"),
        )
        .await;
    assert_eq!(token.status(), StatusCode::CREATED);
    no_store(&token, "new token page");
    let signed_in = sign_in_with(&app, "cc%40example.org", "", None).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    no_store(&signed_in, "sign-in answer with its cookie");
    let css = app.get("/static/app.css?v=1", None).await;
    assert_eq!(css.headers()["cache-control"], "public, max-age=86400");
}

#[tokio::test]
async fn hsts_is_sent_only_to_requests_that_came_over_tls() {
    let app = start().await;
    let tls = app
        .http
        .get(format!("{}/", app.base))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(
        tls.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    let plain = app.get("/", None).await;
    assert!(plain.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn a_sign_in_or_sign_up_posted_from_another_site_is_refused_in_words() {
    let app = start().await;
    signed_up(&app, "or%40example.org").await;
    for origin in ["http://evil.example", "null", "https://evil.example:443"] {
        let r = sign_in_with(&app, "or%40example.org", "", Some(origin)).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{origin}");
        assert!(r.headers().get(SET_COOKIE).is_none(), "{origin}");
        let html = r.text().await.unwrap();
        assert!(html.contains("another site"), "{origin}: {html}");
        let r = app
            .http
            .post(format!("{}/signup", app.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("origin", origin)
            .body("email=or2%40example.org&password=correct+horse+battery")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{origin}");
    }
    // This site's own origin, and none at all (older clients), are let in.
    let own = sign_in_with(&app, "or%40example.org", "", Some(&app.base)).await;
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    let none = sign_in_with(&app, "or%40example.org", "", None).await;
    assert_eq!(none.status(), StatusCode::SEE_OTHER);
}

/// Sends a request head announcing a large body, then only the first part of it, and reads
/// the answer's head (blocking socket, on the blocking pool).
async fn answer_head_to_a_partly_sent_upload(base: &str, path: &str) -> String {
    let addr = base.trim_start_matches("http://").to_string();
    let path = path.to_string();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut socket = std::net::TcpStream::connect(&addr).unwrap();
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/octet-stream\r\nContent-Length: 4000000\r\n\r\n"
        );
        socket.write_all(head.as_bytes()).unwrap();
        socket.write_all(&[b'x'; 64 * 1024]).unwrap();
        let mut answer = Vec::new();
        let mut chunk = [0u8; 4096];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut chunk).unwrap();
            assert!(n > 0, "closed before an answer");
            answer.extend_from_slice(&chunk[..n]);
        }
        String::from_utf8_lossy(&answer).to_lowercase()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn an_upload_answered_before_its_body_is_read_says_the_connection_closes() {
    let app = start().await;
    // Signed out: the API answers 401, the page sends to sign-in, neither reads the body, and
    // the server will not keep reading it, so a client must not reuse the connection.
    for (path, status) in [("/api/v1/import", "401"), ("/history/motion", "303")] {
        let head = answer_head_to_a_partly_sent_upload(&app.base, path).await;
        assert!(
            head.starts_with(&format!("http/1.1 {status}")),
            "{path}: {head}"
        );
        assert!(head.contains("\r\nconnection: close\r\n"), "{path}: {head}");
    }
    // A form whose body was read keeps the connection.
    let kept = app
        .post_form("/signin", None, "email=a%40b.org&password=whatever+it+is")
        .await;
    assert_eq!(kept.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        kept.headers()
            .get("connection")
            .is_none_or(|v| v != "close")
    );
}

/// An app with these settings (the limiter's, for the tests below).
async fn start_with(config: web::Config) -> App {
    let (dir, store) = support::temporary_store().await;
    let base = support::serve(store, config).await;
    App {
        base,
        http: Client::builder().redirect(Policy::none()).build().unwrap(),
        _dir: dir,
    }
}

fn retry_after(r: &Response) -> u64 {
    r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn forty_wrong_page_sign_ins_make_even_the_right_password_wait() {
    // Addresses are roomy here: this is the account's count (5 failures by default).
    let app = start_with(web::Config {
        auth_burst: 1000,
        auth_refill_ms: 3_000,
        ..web::Config::default()
    })
    .await;
    signed_up(&app, "vic%40example.org").await;
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let r = app
            .post_form(
                "/signin",
                None,
                "email=vic%40example.org&password=wrong+guess+here",
            )
            .await;
        statuses.push(r.status());
    }
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY || *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert!(checked <= 7, "{checked} guesses were checked: {statuses:?}");
    let right = "email=vic%40example.org&password=correct+horse+battery";
    let refused = app.post_form("/signin", None, right).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&refused);
    assert!((1..=3).contains(&wait), "{wait}");
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("Too many attempts") && html.contains("try again in"),
        "{html}"
    );
    // Once the wait is over, the person gets in, and the count starts over.
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let signed_in = app.post_form("/signin", None, right).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn one_address_cannot_sign_up_fifteen_times_in_a_row() {
    let app = start_with(web::Config {
        auth_burst: 10,
        auth_refill_ms: 60_000,
        ..web::Config::default()
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..15 {
        let r = app
            .post_form(
                "/signup",
                None,
                &format!("email=many{i}%40example.org&password=correct+horse+battery"),
            )
            .await;
        statuses.push(r.status());
    }
    assert_eq!(&statuses[..10], [StatusCode::SEE_OTHER; 10]);
    assert_eq!(&statuses[10..], [StatusCode::TOO_MANY_REQUESTS; 5]);
}

#[tokio::test]
async fn the_password_typed_again_in_settings_is_limited_too() {
    let app = start_with(web::Config {
        auth_burst: 1000,
        auth_refill_ms: 60_000,
        ..web::Config::default()
    })
    .await;
    let (cookie, csrf) = signed_up(&app, "wes%40example.org").await;
    for _ in 0..5 {
        let r = app
            .post_form(
                "/settings/delete",
                Some(&cookie),
                &format!("csrf={csrf}&password=not+my+password"),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    for path in ["/settings/delete", "/settings/tokens"] {
        let r = app
            .post_form(
                path,
                Some(&cookie),
                &format!("csrf={csrf}&name=phone&password=correct+horse+battery"),
            )
            .await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        assert!(retry_after(&r) > 0);
        // A minute, or a few seconds under it on a slow machine.
        let text = r.text().await.unwrap();
        assert!(text.contains("try again in 1 minute") || text.contains("try again in 5"));
    }
    // Nothing was deleted.
    assert_eq!(
        app.get("/settings", Some(&cookie)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn sign_up_refuses_a_common_password_and_one_equal_to_the_email_in_words() {
    let app = start().await;
    for (password, expected) in [
        ("password123456", "too easy to guess"),
        ("qwertyuiop", "too easy to guess"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("Weak%40Example.org", "your email address"),
    ] {
        let refused = app
            .post_form(
                "/signup",
                None,
                &format!("email=weak%40example.org&password={password}"),
            )
            .await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        let html = refused.text().await.unwrap();
        assert!(
            html.contains(r#"id="password-error""#) && html.contains(expected),
            "{password}: {html}"
        );
    }
}

#[tokio::test]
async fn an_error_met_while_signed_in_is_drawn_in_the_signed_in_chrome() {
    let app = start().await;
    let (cookie, _) = signed_up(&app, "erin%40example.org").await;
    for path in ["/no/such/page", "/history/987654321"] {
        let page = app
            .http
            .get(format!("{}{path}", app.base))
            .header(COOKIE, &cookie)
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND, "{path}");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Sign out") && !html.contains(r#"href="/signin""#),
            "{path}: the error page must not look signed out: {html}"
        );
    }
    // Signed out, the same error is drawn for a visitor.
    let page = app
        .http
        .get(format!("{}/no/such/page", app.base))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"href="/signin""#) && !html.contains("Sign out"));
}

#[tokio::test]
async fn a_prescription_form_without_a_reason_comes_back_in_words_and_templates_are_for_clinicians()
{
    let (dir, store) = support::temporary_store().await;
    let base = support::serve(std::sync::Arc::clone(&store), support::roomy()).await;
    let app = App {
        base,
        http: Client::builder().redirect(Policy::none()).build().unwrap(),
        _dir: dir,
    };
    let (walker, _) = signed_up(&app, "walker@example.org").await;
    assert_eq!(
        app.get("/templates", Some(&walker)).await.status(),
        StatusCode::FORBIDDEN
    );
    let (clinician, csrf) = signed_up(&app, "clinician@example.org").await;
    let c = store
        .user_by_email("clinician@example.org")
        .await
        .unwrap()
        .unwrap();
    store.set_role(c.id, store::Role::Clinician).await.unwrap();
    let w = store
        .user_by_email("walker@example.org")
        .await
        .unwrap()
        .unwrap();
    let form = |reason: &str| {
        format!(
            "csrf={csrf}&template_id=&protocol=daily-10min&goal=general&level=new&setting=hallway&day_mon=on&day_thu=on&weeks=6&start_minutes=5&start=2027-01-04&reason={reason}&note="
        )
    };
    let path = format!("/walkers/{}/prescribe", w.id);
    // Without a grant: not found, as for anyone.
    let r = app.post_form(&path, Some(&clinician), &form("knee")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let now = jiff::Timestamp::now();
    store
        .create_invite(
            c.id,
            &store::NewInvite {
                code_hash: "pages-test".into(),
                created_at: now,
                expires_at: now + jiff::SignedDuration::from_hours(1),
            },
        )
        .await
        .unwrap();
    store
        .accept_invite(w.id, "pages-test", &store::GrantScope::standard(), now)
        .await
        .unwrap()
        .unwrap();
    let page = app
        .get(&format!("/walkers/{}", w.id), Some(&clinician))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Prescribe a plan"));
    let refused = app.post_form(&path, Some(&clinician), &form("")).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("a reason is required"), "{html}");
    assert!(
        html.contains(r#"name="day_thu" value="on" checked"#),
        "typed values kept"
    );
    let made = app
        .post_form(&path, Some(&clinician), &form("knee+pain"))
        .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&made), format!("/walkers/{}#prescribe", w.id));
    assert_eq!(
        store.plan_changes(w.id).await.unwrap()[0].reason,
        "knee pain"
    );
    assert_eq!(
        app.get("/templates", Some(&clinician)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_log_form_never_chooses_the_effort_for_the_walker() {
    let app = start().await;
    let (cookie, csrf) = signed_up(&app, "rae%40example.org").await;
    let html = app.get("/log", Some(&cookie)).await.text().await.unwrap();
    assert!(
        html.contains(r#"<option value="" selected>Choose how hard it felt</option>"#),
        "{html}"
    );
    let refused = app
        .post_form(
            "/log",
            Some(&cookie),
            &format!("csrf={csrf}&date=2026-11-20&time=08:00&setting=ground&backward_minutes=5&rpe=&near_falls=0&falls=0"),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Choose an effort from 6 to 20.")
    );
}

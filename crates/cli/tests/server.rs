//! The real binary as a server: durability across SIGKILL, two processes sharing one
//! PostgreSQL, backups while serving, and the `user` command.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

#[path = "../../../testsupport/pg.rs"]
mod pg;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_retrostride");

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(database_url: &str) -> Server {
        let mut child = Command::new(BIN)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--auth-burst",
                "1000",
                "--database-url",
                database_url,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Server {
            child,
            base: format!("http://{address}"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn token(http: &Client, server: &Server, email: &str) -> String {
    let created = http
        .post(server.url("/api/v1/accounts"))
        .json(&json!({"email": email, "password": "long enough pw"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let answer: Value = http
        .post(server.url("/api/v1/tokens"))
        .json(&json!({"email": email, "password": "long enough pw", "name": "test"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["token"].as_str().unwrap().to_string()
}

fn session(minute: u32) -> Value {
    json!({"started_at": format!("2026-11-16T08:{:02}:00Z", minute % 60), "setting": "ground",
           "blocks": [{"direction": "backward", "seconds": 60 + minute}], "rpe": 12, "pain_before": 1, "pain_after": 1})
}

#[tokio::test]
async fn acknowledged_sessions_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    let mut server = Server::start(&url);
    let http = Client::new();
    let token = token(&http, &server, "ann@example.org").await;

    // Four clients log sessions concurrently; the server is killed mid-stream.
    let mut writers = Vec::new();
    // How many were acknowledged so far: the kill waits for enough of them, not for a fixed
    // time, so that a loaded machine does not make the test fail for want of writes.
    let so_far = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for w in 0..4u32 {
        let so_far = so_far.clone();
        let http = http.clone();
        let endpoint = server.url("/api/v1/sessions");
        let token = token.clone();
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0..10_000u32 {
                let sent = http
                    .post(&endpoint)
                    .bearer_auth(&token)
                    .json(&session(w * 1000 + i))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        let body: Value = match r.json().await {
                            Ok(b) => b,
                            Err(_) => break,
                        };
                        acknowledged.push(body["id"].as_i64().unwrap());
                        so_far.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    _ => break,
                }
            }
            acknowledged
        }));
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while so_far.load(std::sync::atomic::Ordering::SeqCst) < 40
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.child.kill().unwrap(); // SIGKILL: no shutdown code runs.
    server.child.wait().unwrap();
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.unwrap());
    }
    assert!(
        acknowledged.len() > 20,
        "only {} sessions were acknowledged before the kill",
        acknowledged.len()
    );

    eprintln!(
        "{} sessions acknowledged before SIGKILL",
        acknowledged.len()
    );
    let restarted = Server::start(&url);
    for id in &acknowledged {
        let r = http
            .get(restarted.url(&format!("/api/v1/sessions/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "acknowledged session {id} was lost"
        );
    }
}

#[tokio::test]
async fn two_processes_share_one_postgres() {
    let pg = pg::Postgres::start();
    let url = pg.database("shared");
    let a = Server::start(&url);
    let b = Server::start(&url);
    let http = Client::new();
    let token_from_a = token(&http, &a, "bo@example.org").await;

    // A token made through A works on B; a browser session opened on A works on B.
    let on_b = http
        .get(b.url("/api/v1/profile"))
        .bearer_auth(&token_from_a)
        .send()
        .await
        .unwrap();
    assert_eq!(on_b.status(), StatusCode::OK);
    let signed_in = http
        .post(a.url("/api/v1/session"))
        .json(&json!({"email": "bo@example.org", "password": "long enough pw"}))
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
    let body: Value = signed_in.json().await.unwrap();
    let logged = http
        .post(b.url("/api/v1/sessions"))
        .header("cookie", &cookie)
        .header("x-csrf-token", body["csrf_token"].as_str().unwrap())
        .json(&session(1))
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), StatusCode::CREATED);
    let listed: Value = http
        .get(a.url("/api/v1/sessions"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        1,
        "what B wrote, A reads"
    );
}

#[tokio::test]
async fn backup_copies_a_database_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    let server = Server::start(&url);
    let http = Client::new();
    let token = token(&http, &server, "cy@example.org").await;
    let r = http
        .post(server.url("/api/v1/sessions"))
        .bearer_auth(&token)
        .json(&session(5))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    let copy = dir.path().join("copy.db");
    let backup = Command::new(BIN)
        .args(["backup", copy.to_str().unwrap(), "--database-url", &url])
        .output()
        .unwrap();
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let again = Command::new(BIN)
        .args(["backup", copy.to_str().unwrap(), "--database-url", &url])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    let copy_url = format!("sqlite://{}", copy.display());
    let users = Command::new(BIN)
        .args(["user", "list", "--database-url", &copy_url])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&users.stdout).contains("cy@example.org"));
}

#[tokio::test]
async fn user_add_makes_an_admin_who_can_list_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("admin.db").display());
    let added = Command::new(BIN)
        .args([
            "user",
            "add",
            "root@example.org",
            "--role",
            "admin",
            "--database-url",
            &url,
        ])
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let text = String::from_utf8_lossy(&added.stdout).to_string();
    let password = text
        .split("password (shown once): ")
        .nth(1)
        .unwrap()
        .trim()
        .to_string();
    let bad_role = Command::new(BIN)
        .args([
            "user",
            "add",
            "x@example.org",
            "--role",
            "king",
            "--database-url",
            &url,
        ])
        .output()
        .unwrap();
    assert_eq!(bad_role.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad_role.stderr).contains("expected person, clinician or admin")
    );

    let server = Server::start(&url);
    let http = Client::new();
    let answer: Value = http
        .post(server.url("/api/v1/tokens"))
        .json(&json!({"email": "root@example.org", "password": password, "name": "admin"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = http
        .get(server.url("/api/v1/admin/users"))
        .bearer_auth(answer["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
}

#[test]
fn serve_refuses_an_unknown_database_url() {
    let out = Command::new(BIN)
        .args(["serve", "--database-url", "mysql://x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected sqlite://PATH or postgres://"));
}

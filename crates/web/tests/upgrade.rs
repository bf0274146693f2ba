//! Upgrading in place: a database the previous release left behind (made by its own binary with
//! `scripts/make-upgrade-fixture`, kept in `testdata/upgrade/`) is opened by this release, which
//! migrates it, and everything the previous release gave back (each person's export, passwords,
//! roles, the motion recording) is given back the same, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

#[path = "../../../testsupport/pg.rs"]
mod pg;

mod support;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;

/// The release the fixture was made with (see testdata/upgrade/README.md).
const PREVIOUS: &str = "release-aeab357";
const PASSWORD: &str = "upgrade fixture pw";

fn fixture(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/upgrade")
        .join(file)
}

/// Where `old` has a value, `new` has the same one; `new` may add fields a newer release keeps.
fn keeps(old: &Value, new: &Value, at: &str, lost: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            for (key, value) in o {
                match n.get(key) {
                    Some(v) => keeps(value, v, &format!("{at}.{key}"), lost),
                    None => lost.push(format!("{at}.{key} is gone")),
                }
            }
        }
        (Value::Array(o), Value::Array(n)) => {
            if o.len() != n.len() {
                lost.push(format!("{at} had {} items, now {}", o.len(), n.len()));
            }
            for (i, (a, b)) in o.iter().zip(n).enumerate() {
                keeps(a, b, &format!("{at}[{i}]"), lost);
            }
        }
        // The previous release read stored figures without serde_json's float_roundtrip, so its
        // export could be a last digit off what is stored (10.64 for 10.639999999999999); this
        // release reads them exactly. Equal to 12 significant digits is the same figure.
        (Value::Number(a), Value::Number(b))
            if a.as_f64()
                .zip(b.as_f64())
                .is_some_and(|(a, b)| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)) => {}
        (a, b) if a == b => {}
        (a, b) => lost.push(format!("{at} was {a}, now {b}")),
    }
}

async fn upgraded(store: Arc<dyn store::Store>, database: &str, exports: &str) {
    let base = support::serve(Arc::clone(&store), support::roomy()).await;
    let http = Client::new();
    let call = |method: Method, path: &str, token: Option<&str>, body: Option<Value>| {
        let mut request = http.request(method, format!("{base}{path}"));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.json(&b);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let text = response.text().await.unwrap();
            (
                status,
                serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text)),
            )
        }
    };
    let before: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(exports)).unwrap()).unwrap();
    for (email, old_export) in before.as_object().unwrap() {
        // The password the previous release hashed still opens the account.
        let (status, token) = call(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"email": email, "password": PASSWORD, "name": "after the upgrade"})),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "{database}: {email} signs in: {token}"
        );
        let token = token["token"].as_str().unwrap().to_string();
        let (status, new_export) = call(Method::GET, "/api/v1/export", Some(&token), None).await;
        assert_eq!(status, StatusCode::OK, "{database}: {new_export}");
        let mut lost = Vec::new();
        let mut old_export = old_export.clone();
        let mut new_export = new_export;
        for export in [&mut old_export, &mut new_export] {
            export.as_object_mut().unwrap().remove("exported_at");
        }
        keeps(&old_export, &new_export, email, &mut lost);
        assert!(
            lost.is_empty(),
            "{database}: the upgrade lost data:\n{}",
            lost.join("\n")
        );
        assert!(
            !old_export["sessions"].as_array().unwrap().is_empty(),
            "the fixture has sessions to lose"
        );

        // Progress, the plan and the pages read the old rows.
        let (status, progress) = call(Method::GET, "/api/v1/progress", Some(&token), None).await;
        assert_eq!(status, StatusCode::OK, "{database}: {progress}");
        assert!(progress["plan"].is_object(), "{database}: {progress}");
        // And it takes new writes.
        let (status, logged) = call(
            Method::POST,
            "/api/v1/sessions",
            Some(&token),
            Some(json!({"started_at": "2026-12-01T08:00:00Z", "setting": "ground", "blocks": [{"direction": "backward", "seconds": 120}], "rpe": 11, "pain_before": 1, "pain_after": 1})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{database}: {logged}");
    }
    // Roles survive: the administrator is still one.
    let admin = store
        .user_by_email("cora.admin@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin.role, store::Role::Admin, "{database}");
    // The motion recording kept by the previous release is there and analyses.
    let ann = store
        .user_by_email("ann@example.org")
        .await
        .unwrap()
        .unwrap();
    let ann_export = &before["ann@example.org"];
    let with_motion = ann_export["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_i64())
        .collect::<Vec<_>>();
    let mut motions = 0;
    for id in with_motion {
        if store.motion(ann.id, id).await.unwrap().is_some() {
            motions += 1;
        }
    }
    assert_eq!(motions, 1, "{database}: the motion recording");
}

#[tokio::test]
async fn a_sqlite_file_from_the_previous_release_upgrades_in_place_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("upgraded.db");
    std::fs::copy(fixture(&format!("{PREVIOUS}.sqlite")), &copy).unwrap();
    let store = store::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    upgraded(store, "SQLite", &format!("{PREVIOUS}.exports.json")).await;
}

#[tokio::test]
async fn a_postgresql_database_from_the_previous_release_upgrades_in_place_with_nothing_lost() {
    let server = pg::Postgres::start();
    let url = server.database_from("upgraded", &fixture(&format!("{PREVIOUS}.postgres.sql")));
    let store = store::connect(&url).await.unwrap();
    upgraded(
        store,
        "PostgreSQL",
        &format!("{PREVIOUS}.postgres.exports.json"),
    )
    .await;
}

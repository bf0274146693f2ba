//! Starting a real server for the integration tests: a store in a temporary folder (or at a
//! URL), bound to a free port on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // Tests fail loudly; each file uses part.

use std::sync::Arc;

/// A store in a fresh temporary folder (kept as long as the folder lives).
pub async fn temporary_store() -> (tempfile::TempDir, Arc<dyn store::Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = store::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
        .await
        .unwrap();
    (dir, store)
}

/// Serves `store` with `config` and gives the base URL.
pub async fn serve(store: Arc<dyn store::Store>, config: web::Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(web::serve(
        listener,
        web::AppState::new(store, config),
        std::future::pending(),
    ));
    base
}

/// A configuration whose sign-up and sign-in limits no test reaches by accident.
pub fn roomy() -> web::Config {
    web::Config {
        auth_burst: 1000,
        ..web::Config::default()
    }
}

//! The PostgreSQL adapter, for several server processes sharing one database.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;

/// The PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: sqlx::PgPool,
    location: String,
}

impl PgStore {
    const BACKEND: crate::Backend = crate::Backend::Postgres;
    /// Write transactions: PostgreSQL's row locks let them begin plainly.
    const BEGIN_WRITE: &'static str = "BEGIN";
    /// A row read before writing is locked, so that writers to the same rows (a person's plans,
    /// an import, a session's motion) take turns: without it, two new plans could both stay
    /// active and two imports into one empty account could both see it empty.
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    /// The owner's row locked against other changes of their body-mass history, without
    /// blocking rows that merely refer to it (a session's motion being stored while its energy
    /// is estimated again would otherwise deadlock with it).
    const FOR_NO_KEY_UPDATE: &'static str = " FOR NO KEY UPDATE";

    /// A single-statement write to rows whose change bumps the owner's summary version locks
    /// the owner's row first: its trigger updates that row at the statement's end, and a writer
    /// that locked the owner before touching the same rows (a new body mass, a new plan) would
    /// otherwise deadlock with it. Bind the owner as `$1`; the statement reads `owner`.
    const OWNER_FIRST: &'static str =
        "WITH owner AS (SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE)";

    /// Connects and migrates. Migrations take an advisory lock, so processes starting together
    /// do not race.
    pub async fn connect(url: &str) -> Result<Self, crate::StoreError> {
        let options = PgConnectOptions::from_str(url)?;
        let location = format!(
            "postgres://{}@{}:{}/{}",
            options.get_username(),
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or("")
        );
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(PgStore { pool, location })
    }

    /// No turn to take: PostgreSQL's writers run side by side, taking row locks.
    async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        None
    }

    /// Writes go through the one pool.
    fn writes(&self) -> &sqlx::PgPool {
        &self.pool
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

crate::sql::impl_store!(PgStore, sqlx::Postgres);

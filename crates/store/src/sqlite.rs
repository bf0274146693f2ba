//! The SQLite adapter: the default store, one file that needs no set-up.
//!
//! WAL mode lets readers run beside the one writer; `synchronous = FULL` syncs the WAL at every
//! commit, so an acknowledged write survives a power cut, not only a crash of the process.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::time::Duration;

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
    location: String,
    /// Writers take turns here, first come first served, before they take a connection and
    /// begin: SQLite has one writer at a time, and its busy handler, which would otherwise
    /// make them wait, sleeps in steps up to 100 ms and lets a newcomer in ahead of a writer
    /// that has waited longer (32 concurrent writers had a p99 of over 300 ms). Another process
    /// on the same file still waits in the busy handler.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// The one connection writes use, so that a writer whose turn it is does not wait for a
    /// connection behind the readers (which have the other pool to themselves).
    writes: sqlx::SqlitePool,
}

impl SqliteStore {
    const BACKEND: crate::Backend = crate::Backend::Sqlite;
    /// Write transactions take the write lock when they begin. A deferred one that reads first
    /// would take it at its first write, and SQLite answers that upgrade with "database is
    /// locked" at once, without waiting out the busy timeout, whenever another connection
    /// writes (waiting could deadlock, and the snapshot read may be stale). `IMMEDIATE` waits,
    /// up to the busy timeout, for its turn instead.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    /// Nothing to add to a row read before writing: an `IMMEDIATE` transaction is the only writer.
    const FOR_UPDATE: &'static str = "";
    /// Nothing to add either (see `FOR_UPDATE`).
    const FOR_NO_KEY_UPDATE: &'static str = "";
    /// The owner's row, as a statement's first part (nothing to lock: one writer at a time).
    const OWNER_FIRST: &'static str = "WITH owner AS (SELECT id FROM users WHERE id = $1)";

    /// Opens (creating when missing, with its folder) the database file and migrates it.
    pub async fn open(path: &Path) -> Result<Self, crate::StoreError> {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|e| crate::StoreError::Corrupt {
                what: "data folder",
                detail: format!("cannot create {}: {e}", folder.display()),
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // No ping before handing out a connection: a file has no link to go stale, and the
        // ping is one more trip to the connection's thread for every query (the profile of a
        // cached progress request showed it).
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        let writes = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(SqliteStore {
            pool,
            location: path.display().to_string(),
            writer: std::sync::Arc::new(tokio::sync::Mutex::new(())),
            writes,
        })
    }

    /// This process's turn to write (see `writer`), held until the write has committed.
    async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        Some(self.writer.lock().await)
    }

    /// The pool writes go through (see `writes`).
    fn writes(&self) -> &sqlx::SqlitePool {
        &self.writes
    }

    /// Writes a consistent copy of the database to `target` (which must not exist), safe while
    /// other connections write: `VACUUM INTO` reads one snapshot.
    pub async fn backup_to(&self, target: &Path) -> Result<(), crate::StoreError> {
        sqlx::query("VACUUM INTO $1")
            .bind(target.display().to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(&self) {
        self.writes.close().await;
        self.pool.close().await;
    }
}

crate::sql::impl_store!(SqliteStore, sqlx::Sqlite);

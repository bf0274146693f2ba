//! Retrostride's persistence port and its two adapters.
//!
//! [`Store`] is the one trait the web side talks to; [`sqlite::SqliteStore`] (the default: one
//! file, WAL mode, foreign keys on, every commit synced) and [`postgres::PgStore`] (for several
//! server processes behind a load balancer) implement it with the same SQL, kept in one place
//! ([`sql`]), and each backend has its own migrations, run by [`connect`] at start. The store
//! persists what the coach decided and never decides anything itself: records carry the coach's
//! value types (settings, RPE, pain scores...) so that what comes back out is already valid.
//! Every record belongs to a user, and every read and write takes the owner's id, so that one
//! person can never reach another's data by guessing an id. Deleting a user deletes all of it
//! (foreign keys cascade).

mod records;
mod sql;

pub mod postgres;
pub mod sqlite;

pub use records::*;

use async_trait::async_trait;
use std::sync::Arc;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is neither `sqlite://PATH` nor `postgres://...`.
    #[error(
        "database URL {url:?} is not understood: expected sqlite://PATH or postgres://USER@HOST/DB"
    )]
    BadUrl {
        /// The URL as given.
        url: String,
    },
    /// A unique value (an email address, a token) is taken.
    #[error("{what} already exists")]
    Conflict {
        /// What was duplicated.
        what: &'static str,
    },
    /// An import into an account that already has data.
    #[error("the account already holds data: import only into an empty account")]
    NotEmpty,
    /// A stored value no longer parses (a column edited by hand, or a newer version's data).
    #[error("stored {what} is not valid: {detail}")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// Which adapter a store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The persistence port. Every method that reads or writes a person's data takes their user id.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The adapter behind it.
    fn backend(&self) -> Backend;
    /// Where the data lives, for the start-up message (a path, or a URL without password).
    fn location(&self) -> String;

    // --- accounts ---
    /// Creates a user; [`StoreError::Conflict`] when the email is taken.
    async fn create_user(&self, new: &NewUser) -> Result<User, StoreError>;
    /// A user by email (compared case-insensitively: emails are stored lower-cased).
    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError>;
    /// A user by id.
    async fn user(&self, id: Id) -> Result<Option<User>, StoreError>;
    /// All users, oldest first (for administrators).
    async fn users(&self) -> Result<Vec<User>, StoreError>;
    /// Replaces a user's units and year of birth (the body mass is a history of its own:
    /// [`Store::set_body_mass`]).
    async fn update_profile(
        &self,
        id: Id,
        units: coach::plan::Units,
        birth_year: Option<i16>,
    ) -> Result<Option<User>, StoreError>;
    /// The local day of a user's first logged session, if any.
    async fn first_session_day(&self, user: Id) -> Result<Option<jiff::civil::Date>, StoreError>;
    /// A user's body-mass history, oldest first.
    async fn body_masses(&self, user: Id) -> Result<Vec<BodyMassEntry>, StoreError>;
    /// Adds the body mass from a day (replacing the one from that day: a correction), or removes
    /// the one from that day (`mass` None), and in the same transaction estimates again, with
    /// `estimate` and the history as changed, the energy of every session it applies to: those
    /// from that day until the next entry (counted in the answer), and those before the earliest
    /// entry, which have none in force and are told so again. `None` when there was nothing to
    /// remove.
    async fn set_body_mass(
        &self,
        user: Id,
        from: jiff::civil::Date,
        mass: Option<coach::measure::BodyMass>,
        estimate: &Reestimate,
    ) -> Result<Option<Reestimated>, StoreError>;
    /// Replaces a password hash.
    async fn set_password_hash(&self, id: Id, hash: &str) -> Result<(), StoreError>;
    /// Sets a user's role.
    async fn set_role(&self, id: Id, role: Role) -> Result<(), StoreError>;
    /// Deletes a user and everything they own. False when there was no such user.
    async fn delete_user(&self, id: Id) -> Result<bool, StoreError>;

    // --- browser sessions and API tokens ---
    /// Stores a browser session.
    async fn create_web_session(&self, session: &WebSession) -> Result<(), StoreError>;
    /// A live (unexpired) browser session by the hash of its id, with its user.
    async fn web_session(
        &self,
        id_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<(WebSession, User)>, StoreError>;
    /// Ends one browser session.
    async fn delete_web_session(&self, id_hash: &str) -> Result<(), StoreError>;
    /// Ends all of a user's browser sessions but one (after a password change).
    async fn delete_other_web_sessions(
        &self,
        user: Id,
        keep_id_hash: Option<&str>,
    ) -> Result<(), StoreError>;
    /// Stores an API token's hash.
    async fn create_token(&self, user: Id, token: &NewToken) -> Result<ApiToken, StoreError>;
    /// The user an API token (by hash) belongs to.
    async fn user_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(User, TokenScope)>, StoreError>;
    /// The user an API token (by hash) belongs to, its scope and the user's summary version,
    /// in one query: a summary kept from an earlier request is served only while this version
    /// is the one it was computed at.
    async fn token_caller(&self, token_hash: &str) -> Result<Option<TokenCaller>, StoreError>;
    /// A user's summary version (see [`TokenCaller::summary_version`]); none for no such user.
    async fn summary_version(&self, user: Id) -> Result<Option<i64>, StoreError>;
    /// A user's tokens (names and dates, never the token).
    async fn tokens(&self, user: Id) -> Result<Vec<ApiToken>, StoreError>;
    /// Revokes a token. False when the user has no such token.
    async fn delete_token(&self, user: Id, id: Id) -> Result<bool, StoreError>;

    // --- calendar feed ---
    /// Sets the hash of the user's calendar feed secret, replacing (revoking) any earlier one.
    async fn set_calendar_feed(
        &self,
        user: Id,
        token_hash: &str,
        created_at: jiff::Timestamp,
    ) -> Result<(), StoreError>;
    /// When the user's calendar feed was made, if they have one.
    async fn calendar_feed(&self, user: Id) -> Result<Option<jiff::Timestamp>, StoreError>;
    /// Revokes the user's calendar feed. False when there was none.
    async fn delete_calendar_feed(&self, user: Id) -> Result<bool, StoreError>;
    /// The user a calendar feed secret (by hash) belongs to.
    async fn user_by_calendar_feed(&self, token_hash: &str) -> Result<Option<User>, StoreError>;

    // --- sharing with clinicians (consent, grants, the access log) ---
    /// Stores a clinician's invite (its code only as a hash); returns its id.
    async fn create_invite(&self, clinician: Id, new: &NewInvite) -> Result<Id, StoreError>;
    /// How many of the clinician's invites are unused and unexpired at `now`.
    async fn open_invite_count(
        &self,
        clinician: Id,
        now: jiff::Timestamp,
    ) -> Result<u64, StoreError>;
    /// The invite a code (by hash) names, while it is unused and unexpired at `now`.
    async fn open_invite(
        &self,
        code_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<OpenInvite>, StoreError>;
    /// Accepts an open invite: uses it up and grants its clinician `scope`, in one transaction.
    /// When the walker already shares with that clinician, the grant in force is returned and no
    /// second one is made. `None` when the invite is unknown, used, expired or the walker's own.
    async fn accept_invite(
        &self,
        walker: Id,
        code_hash: &str,
        scope: &GrantScope,
        now: jiff::Timestamp,
    ) -> Result<Option<Grant>, StoreError>;
    /// Declines an open invite: uses it up without a grant. False when it was not open.
    async fn decline_invite(
        &self,
        walker: Id,
        code_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError>;
    /// The walker's grants, in force and revoked, newest first.
    async fn grants(&self, walker: Id) -> Result<Vec<Grant>, StoreError>;
    /// Revokes one of the walker's grants from `now` on (a grant revoked before keeps its time).
    /// False when the walker has no such grant.
    async fn revoke_grant(
        &self,
        walker: Id,
        id: Id,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError>;
    /// The grants in force that walkers gave this clinician, oldest first.
    async fn clinician_grants(&self, clinician: Id) -> Result<Vec<Grant>, StoreError>;
    /// The grant in force from this walker to this clinician, if any.
    async fn active_grant(&self, clinician: Id, walker: Id) -> Result<Option<Grant>, StoreError>;
    /// Appends a line to a walker's access log.
    async fn log_access(&self, entry: &AccessEntry) -> Result<(), StoreError>;
    /// Appends several lines to walkers' access logs in one transaction: all or none (a
    /// clinician's caseload reads every walker listed at once).
    async fn log_accesses(&self, entries: &[AccessEntry]) -> Result<(), StoreError>;
    /// Everything the clinician's caseload shows of each walker with a grant in force to them,
    /// oldest grant first, read with a fixed number of queries whatever the number of walkers
    /// and sessions. `recent_from` is the first local day whose near-falls count as recent.
    async fn caseload(
        &self,
        clinician: Id,
        recent_from: jiff::civil::Date,
    ) -> Result<Vec<CaseloadWalker>, StoreError>;
    /// A walker's access log, newest first, at most `limit` lines.
    async fn access_log(&self, walker: Id, limit: u32) -> Result<Vec<AccessEntry>, StoreError>;

    // --- progression gates, alerts, pauses ---
    /// Sets the progression gates for a walker (the earlier ones stay, as history).
    async fn set_rules(&self, walker: Id, new: &NewRules) -> Result<StoredRules, StoreError>;
    /// The gates in force for a walker (`None`: the built-in ones).
    async fn rules(&self, walker: Id) -> Result<Option<StoredRules>, StoreError>;
    /// Every set of gates a walker had, newest first.
    async fn rules_history(&self, walker: Id) -> Result<Vec<StoredRules>, StoreError>;
    /// Raises an alert.
    async fn raise_alert(&self, new: &NewAlert) -> Result<Alert, StoreError>;
    /// A walker's alerts, newest first; only those not acknowledged when `open_only`.
    async fn alerts(&self, walker: Id, open_only: bool) -> Result<Vec<Alert>, StoreError>;
    /// Acknowledges one of a walker's alerts; an alert acknowledged before keeps its first
    /// acknowledgement. `None` when the walker has no such alert.
    async fn acknowledge_alert(
        &self,
        walker: Id,
        id: Id,
        ack: &Acknowledgement,
    ) -> Result<Option<Alert>, StoreError>;
    /// Pauses a walker's progression; when it is paused already, the pause in force is returned.
    async fn pause_progression(&self, new: &NewPause) -> Result<ProgressionPause, StoreError>;
    /// The pause in force for a walker, if any.
    async fn progression_pause(&self, walker: Id) -> Result<Option<ProgressionPause>, StoreError>;
    /// Resumes a walker's progression. `None` when it was not paused.
    async fn resume_progression(
        &self,
        walker: Id,
        resumed: &Acknowledgement,
    ) -> Result<Option<ProgressionPause>, StoreError>;

    // --- prescribing: templates, plan changes, clinician notes ---
    /// Saves a clinician's plan template.
    async fn create_template(
        &self,
        clinician: Id,
        new: &NewTemplate,
    ) -> Result<PlanTemplate, StoreError>;
    /// A clinician's templates, by name.
    async fn templates(&self, clinician: Id) -> Result<Vec<PlanTemplate>, StoreError>;
    /// One of a clinician's templates (another's is not found).
    async fn template(&self, clinician: Id, id: Id) -> Result<Option<PlanTemplate>, StoreError>;
    /// Replaces a template's name and parameters (`new.at` is its update time).
    async fn update_template(
        &self,
        clinician: Id,
        id: Id,
        new: &NewTemplate,
    ) -> Result<Option<PlanTemplate>, StoreError>;
    /// Deletes one of a clinician's templates. False when there was none.
    async fn delete_template(&self, clinician: Id, id: Id) -> Result<bool, StoreError>;
    /// Stores a plan a clinician assigned (it becomes the walker's active plan) and the change
    /// that says who and why, in one transaction.
    async fn assign_plan(
        &self,
        walker: Id,
        plan: &NewPlan,
        change: &NewPlanChange,
    ) -> Result<(StoredPlan, PlanChange), StoreError>;
    /// Adjusts a walker's plan in one transaction: keeps its sessions numbered up to
    /// `adjustment.keep`, replaces the rest, replaces its fields and details, and records the
    /// change. `None` when the walker has no such plan.
    async fn adjust_plan(
        &self,
        walker: Id,
        plan: Id,
        adjustment: &PlanAdjustment,
    ) -> Result<Option<PlanChange>, StoreError>;
    /// The changes clinicians made to a walker's plans, newest first.
    async fn plan_changes(&self, walker: Id) -> Result<Vec<PlanChange>, StoreError>;
    /// Stores a clinician's note; `None` when its plan or session is not the walker's.
    async fn add_note(&self, new: &NewNote) -> Result<Option<ClinicianNote>, StoreError>;
    /// Replaces the text of a note its author wrote for this walker.
    async fn update_note(
        &self,
        clinician: Id,
        walker: Id,
        id: Id,
        body: &str,
        at: jiff::Timestamp,
    ) -> Result<Option<ClinicianNote>, StoreError>;
    /// Deletes a note its author wrote for this walker. False when there was none.
    async fn delete_note(&self, clinician: Id, walker: Id, id: Id) -> Result<bool, StoreError>;
    /// The notes clinicians wrote for a walker, newest first.
    async fn notes(&self, walker: Id) -> Result<Vec<ClinicianNote>, StoreError>;

    // --- screenings (append-only) ---
    /// Appends a screening.
    async fn add_screening(&self, user: Id, new: &NewScreening) -> Result<Screening, StoreError>;
    /// A user's screenings, newest first.
    async fn screenings(&self, user: Id) -> Result<Vec<Screening>, StoreError>;
    /// One screening.
    async fn screening(&self, user: Id, id: Id) -> Result<Option<Screening>, StoreError>;
    /// The newest screening.
    async fn latest_screening(&self, user: Id) -> Result<Option<Screening>, StoreError>;

    // --- plans ---
    /// Stores a plan with its sessions; earlier active plans of the user end.
    async fn add_plan(&self, user: Id, new: &NewPlan) -> Result<StoredPlan, StoreError>;
    /// A user's plans, newest first, without their sessions.
    async fn plans(&self, user: Id) -> Result<Vec<PlanSummary>, StoreError>;
    /// One plan with its sessions.
    async fn plan(&self, user: Id, id: Id) -> Result<Option<StoredPlan>, StoreError>;
    /// The user's active plan with its sessions.
    async fn active_plan(&self, user: Id) -> Result<Option<StoredPlan>, StoreError>;
    /// The user's active plan without its sessions.
    async fn active_plan_summary(&self, user: Id) -> Result<Option<PlanSummary>, StoreError>;
    /// A plan's sessions, in order (empty when the user has no such plan).
    async fn planned_sessions(
        &self,
        user: Id,
        plan: Id,
    ) -> Result<Vec<PlannedSessionRecord>, StoreError>;
    /// Moves a plan's sessions to new dates (`(number, date)`: the person changed their weekdays
    /// or time) and replaces its details (which record the new schedule), in one transaction.
    /// False when the user has no such plan.
    async fn reschedule_plan(
        &self,
        user: Id,
        plan: Id,
        details: &serde_json::Value,
        dates: &[(u32, jiff::civil::Date)],
    ) -> Result<bool, StoreError>;
    /// Deletes a plan and its sessions (logged sessions stay, unlinked).
    async fn delete_plan(&self, user: Id, id: Id) -> Result<bool, StoreError>;
    /// One planned session.
    async fn planned_session(
        &self,
        user: Id,
        id: Id,
    ) -> Result<Option<PlannedSessionRecord>, StoreError>;

    // --- logged sessions ---
    /// Logs a session.
    async fn add_session(&self, user: Id, new: &SessionEntry) -> Result<LoggedSession, StoreError>;
    /// Logs a session under a client's key, once: when the key was used before, the session it
    /// made is returned instead, with `false` (a retry after a lost response logs nothing twice).
    async fn add_session_once(
        &self,
        user: Id,
        client_key: &str,
        new: &SessionEntry,
    ) -> Result<(LoggedSession, bool), StoreError>;
    /// A page of sessions, newest first.
    async fn sessions(&self, user: Id, query: &SessionQuery) -> Result<SessionPage, StoreError>;
    /// One session.
    async fn session(&self, user: Id, id: Id) -> Result<Option<LoggedSession>, StoreError>;
    /// Replaces a session.
    async fn update_session(
        &self,
        user: Id,
        id: Id,
        new: &SessionEntry,
    ) -> Result<Option<LoggedSession>, StoreError>;
    /// Deletes a session.
    async fn delete_session(&self, user: Id, id: Id) -> Result<bool, StoreError>;
    /// Stores the motion recorded during one of the user's sessions (replacing an earlier one);
    /// `None` when the session is not theirs.
    async fn put_motion(&self, user: Id, new: &NewMotion) -> Result<Option<Motion>, StoreError>;
    /// The motion recorded during a session, samples and the person's answers included.
    async fn motion(&self, user: Id, session: Id) -> Result<Option<Motion>, StoreError>;
    /// Keeps the person's answer for one block of a session's motion recording (replacing an
    /// earlier answer for that block); `false` when the session is not theirs or has no
    /// recording. Whether the block exists is the caller's to check (the blocks are JSON).
    async fn set_motion_label(&self, user: Id, label: &MotionLabel) -> Result<bool, StoreError>;
    /// The outcomes of the sessions logged against a plan, oldest first.
    async fn plan_outcomes(&self, user: Id, plan: Id) -> Result<Vec<PlanOutcome>, StoreError>;
    /// Per-day totals of the walking sessions between two local dates (inclusive), oldest first
    /// (runs, rides and other sports do not count toward a walking plan).
    async fn daily_totals(
        &self,
        user: Id,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> Result<Vec<DailyTotals>, StoreError>;

    /// The newest `limit` sessions with a pain score and the newest `limit` motion analyses of
    /// a user, each oldest first (the outcome trends).
    async fn trend_rows(&self, user: Id, limit: u32) -> Result<TrendRows, StoreError>;

    // --- assessments ---
    /// Records an assessment.
    async fn add_assessment(&self, user: Id, new: &NewAssessment)
    -> Result<Assessment, StoreError>;
    /// A user's assessments, newest first.
    async fn assessments(&self, user: Id) -> Result<Vec<Assessment>, StoreError>;
    /// One assessment.
    async fn assessment(&self, user: Id, id: Id) -> Result<Option<Assessment>, StoreError>;
    /// Deletes an assessment.
    async fn delete_assessment(&self, user: Id, id: Id) -> Result<bool, StoreError>;

    // --- export and import ---
    /// Everything a user owns, in one document.
    async fn export(&self, user: Id) -> Result<Option<Export>, StoreError>;
    /// Loads an export into an account that holds no screenings, plans, sessions or
    /// assessments yet, in one transaction; [`StoreError::NotEmpty`] otherwise.
    async fn import(&self, user: Id, export: &Export) -> Result<(), StoreError>;
}

/// Opens the store a URL names and runs its migrations: `sqlite://PATH` (created when missing)
/// or `postgres://...` / `postgresql://...`.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::connect(url).await?))
    } else if let Some(path) = url.strip_prefix("sqlite://") {
        Ok(Arc::new(
            sqlite::SqliteStore::open(std::path::Path::new(path)).await?,
        ))
    } else {
        Err(StoreError::BadUrl {
            url: url.to_string(),
        })
    }
}

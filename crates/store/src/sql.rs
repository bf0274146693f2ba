//! The SQL both adapters share. SQLite and PostgreSQL accept the same statements here (numbered
//! `$n` parameters, `RETURNING`, `CAST(... AS BIGINT)`), so the [`Store`](crate::Store)
//! implementation is written once, as a macro expanded for each backend's concrete types: sqlx
//! queries are generic only through a long list of trait bounds, and a macro keeps the two
//! adapters identical by construction. Backend-specific work (connecting, pragmas, migrations,
//! backups) stays in `sqlite.rs` and `postgres.rs`.

use crate::StoreError;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Milliseconds since the epoch, as stored.
pub(crate) fn ms(at: Timestamp) -> i64 {
    at.as_millisecond()
}

pub(crate) fn timestamp(what: &'static str, ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms).map_err(|e| corrupt(what, e))
}

pub(crate) fn corrupt(what: &'static str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: detail.to_string(),
    }
}

/// A unit enum's serde name ("treadmill", "knee"), the form stored in text columns.
pub(crate) fn name<T: Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(other) => Err(corrupt("enum name", other)),
        Err(e) => Err(corrupt("enum name", e)),
    }
}

pub(crate) fn from_name<T: DeserializeOwned>(
    what: &'static str,
    stored: String,
) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(stored)).map_err(|e| corrupt(what, e))
}

pub(crate) fn token_scope(stored: String) -> Result<crate::TokenScope, StoreError> {
    stored.parse().map_err(|e| corrupt("token scope", e))
}

pub(crate) fn json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| corrupt("document", e))
}

pub(crate) fn from_json<T: DeserializeOwned>(
    what: &'static str,
    stored: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(stored).map_err(|e| corrupt(what, e))
}

pub(crate) fn date(what: &'static str, stored: &str) -> Result<Date, StoreError> {
    stored.parse().map_err(|e| corrupt(what, e))
}

pub(crate) fn small<T: TryFrom<i64>>(what: &'static str, stored: i64) -> Result<T, StoreError> {
    T::try_from(stored).map_err(|_| corrupt(what, stored))
}

/// Maps a unique-constraint failure to [`StoreError::Conflict`].
pub(crate) fn conflict(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict { what },
        _ => StoreError::Database(e),
    }
}

/// Expands to the [`Store`](crate::Store) implementation for one backend. `$store` has a
/// `pool: sqlx::Pool<$db>` field, `backend`/`location` methods of its own, and `BEGIN_WRITE`,
/// the statement every transaction (all of them write) begins with, and `FOR_UPDATE`, what locks a
/// row read before a write in it, `write_turn`, awaited before every write (SQLite's writers
/// queue there in order; PostgreSQL's need no turn), and `writes()`, the pool writes use (on
/// SQLite one connection of its own).
macro_rules! impl_store {
    ($store:ty, $db:ty) => {
        use crate::records::*;
        use crate::sql::{
            conflict, corrupt, date, from_json, from_name, json, ms, name, small, timestamp,
        };
        use crate::{Backend, Store, StoreError};
        use async_trait::async_trait;
        use sqlx::Row;

        type DbRow = <$db as sqlx::Database>::Row;

        /// A user's columns; the body mass is the latest of their history.
        const USER_COLUMNS: &str = "id, email, password_hash, role, units, \
             (SELECT b.kg FROM body_masses b WHERE b.user_id = users.id ORDER BY b.from_date DESC LIMIT 1) AS body_mass_kg, \
             birth_year, created_ms";
        const PLAN_COLUMNS: &str = "id, active, created_ms, author_id, screening_id, protocol_id, goal, setting, level, start_date, days_per_week, weeks, units, clearance, details";
        const SESSION_COLUMNS: &str = "id, created_ms, started_ms, utc_offset_seconds, local_date, setting, sport, blocks, backward_seconds, total_seconds, rpe, pain_before, pain_after, near_falls, felt_safe, notes, source, plan_id, planned_backward_seconds, kcal, energy, falls";
        const SCREENING_COLUMNS: &str = "id, taken_ms, clearance, answers, result";
        const ASSESSMENT_COLUMNS: &str = "id, taken_ms, kind, value, inputs, result";

        fn user_row(row: &DbRow) -> Result<User, StoreError> {
            let role: String = row.try_get("role")?;
            let body_mass = row
                .try_get::<Option<f64>, _>("body_mass_kg")?
                .map(coach::measure::BodyMass::from_kg)
                .transpose()
                .map_err(|e| corrupt("body mass", e))?;
            let birth_year = row
                .try_get::<Option<i64>, _>("birth_year")?
                .map(|y| small("birth year", y))
                .transpose()?;
            Ok(User {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
                password_hash: row.try_get("password_hash")?,
                role: role.parse().map_err(|e| corrupt("role", e))?,
                profile: Profile {
                    units: from_name("units", row.try_get("units")?)?,
                    body_mass,
                    birth_year,
                },
                created_at: timestamp("account creation time", row.try_get("created_ms")?)?,
            })
        }

        /// A recording's answers, by block: bind the owner and the session.
        const MOTION_LABELS: &str = "SELECT session_id, block_index, direction, labelled_ms \
             FROM motion_block_labels WHERE user_id = $1 AND session_id = $2 ORDER BY block_index";

        fn motion_labels(rows: Vec<DbRow>) -> Result<Vec<MotionLabel>, StoreError> {
            rows.iter()
                .map(|row| {
                    Ok(MotionLabel {
                        session_id: row.try_get("session_id")?,
                        block: small("motion block", row.try_get("block_index")?)?,
                        direction: from_name("motion label", row.try_get("direction")?)?,
                        labelled_at: timestamp("motion label time", row.try_get("labelled_ms")?)?,
                    })
                })
                .collect()
        }

        /// A grant with both people's emails; add the `WHERE`.
        const GRANT_SELECT: &str = "SELECT g.id, g.walker_id, w.email AS walker_email, g.clinician_id, \
             c.email AS clinician_email, g.granted_ms, g.revoked_ms, g.scope \
             FROM grants g JOIN users w ON w.id = g.walker_id JOIN users c ON c.id = g.clinician_id";

        fn grant_row(row: &DbRow) -> Result<Grant, StoreError> {
            Ok(Grant {
                id: row.try_get("id")?,
                walker_id: row.try_get("walker_id")?,
                walker_email: row.try_get("walker_email")?,
                clinician_id: row.try_get("clinician_id")?,
                clinician_email: row.try_get("clinician_email")?,
                granted_at: timestamp("grant time", row.try_get("granted_ms")?)?,
                revoked_at: row
                    .try_get::<Option<i64>, _>("revoked_ms")?
                    .map(|m| timestamp("revocation time", m))
                    .transpose()?,
                scope: from_json("grant scope", &row.try_get::<String, _>("scope")?)?,
            })
        }

        fn rules_row(row: &DbRow) -> Result<StoredRules, StoreError> {
            Ok(StoredRules {
                id: row.try_get("id")?,
                gates: from_json("progression gates", row.try_get("gates")?)?,
                set_by: row.try_get("set_by")?,
                set_by_email: row.try_get("set_by_email")?,
                set_at: timestamp("gates time", row.try_get("set_ms")?)?,
                reason: row.try_get("reason")?,
            })
        }

        /// The acknowledgement kept in `{prefix}_by`, `{prefix}_by_email`, `{prefix}_ms` and `note`.
        fn acknowledgement(
            row: &DbRow,
            by: &str,
            email: &str,
            at: &str,
            note: &str,
        ) -> Result<Option<Acknowledgement>, StoreError> {
            let Some(at_ms) = row.try_get::<Option<i64>, _>(at)? else {
                return Ok(None);
            };
            Ok(Some(Acknowledgement {
                by: row.try_get(by)?,
                by_email: row.try_get::<Option<String>, _>(email)?.unwrap_or_default(),
                at: timestamp("acknowledgement time", at_ms)?,
                note: row.try_get::<Option<String>, _>(note)?.unwrap_or_default(),
            }))
        }

        const ALERT_COLUMNS: &str = "id, walker_id, kind, session_id, words, raised_ms, acknowledged_by, acknowledged_by_email, acknowledged_ms, ack_note";

        fn alert_row(row: &DbRow) -> Result<Alert, StoreError> {
            Ok(Alert {
                id: row.try_get("id")?,
                walker_id: row.try_get("walker_id")?,
                kind: from_name("alert kind", row.try_get("kind")?)?,
                session_id: row.try_get("session_id")?,
                words: row.try_get("words")?,
                raised_at: timestamp("alert time", row.try_get("raised_ms")?)?,
                acknowledged: acknowledgement(
                    row,
                    "acknowledged_by",
                    "acknowledged_by_email",
                    "acknowledged_ms",
                    "ack_note",
                )?,
            })
        }

        const PAUSE_COLUMNS: &str = "id, walker_id, paused_ms, local_date, why, session_id, resumed_by, resumed_by_email, resumed_ms, resume_reason";

        fn pause_row(row: &DbRow) -> Result<ProgressionPause, StoreError> {
            Ok(ProgressionPause {
                id: row.try_get("id")?,
                pause: NewPause {
                    walker_id: row.try_get("walker_id")?,
                    paused_at: timestamp("pause time", row.try_get("paused_ms")?)?,
                    local_date: date("pause day", row.try_get("local_date")?)?,
                    why: from_name("pause cause", row.try_get("why")?)?,
                    session_id: row.try_get("session_id")?,
                },
                resumed: acknowledgement(
                    row,
                    "resumed_by",
                    "resumed_by_email",
                    "resumed_ms",
                    "resume_reason",
                )?,
            })
        }

        fn screening_row(row: &DbRow) -> Result<Screening, StoreError> {
            Ok(Screening {
                id: row.try_get("id")?,
                screening: NewScreening {
                    taken_at: timestamp("screening time", row.try_get("taken_ms")?)?,
                    clearance: from_name("clearance", row.try_get("clearance")?)?,
                    answers: from_json("screening answers", row.try_get("answers")?)?,
                    result: from_json("screening result", row.try_get("result")?)?,
                },
            })
        }

        fn plan_row(row: &DbRow) -> Result<PlanSummary, StoreError> {
            Ok(PlanSummary {
                id: row.try_get("id")?,
                active: row.try_get("active")?,
                created_at: timestamp("plan creation time", row.try_get("created_ms")?)?,
                author_id: row.try_get("author_id")?,
                screening_id: row.try_get("screening_id")?,
                fields: PlanFields {
                protocol_id: row.try_get("protocol_id")?,
                goal: from_name("goal", row.try_get("goal")?)?,
                setting: from_name("setting", row.try_get("setting")?)?,
                level: from_name("level", row.try_get("level")?)?,
                start: date("plan start", row.try_get("start_date")?)?,
                days_per_week: coach::plan::DaysPerWeek::new(small(
                    "days per week",
                    row.try_get("days_per_week")?,
                )?)
                .map_err(|e| corrupt("days per week", e))?,
                weeks: coach::plan::Weeks::new(small("weeks", row.try_get("weeks")?)?)
                    .map_err(|e| corrupt("weeks", e))?,
                units: from_name("units", row.try_get("units")?)?,
                clearance: from_name("clearance", row.try_get("clearance")?)?,
                },
                details: from_json("plan details", row.try_get("details")?)?,
            })
        }

        fn planned_row(row: &DbRow) -> Result<PlannedSessionRecord, StoreError> {
            Ok(PlannedSessionRecord {
                id: row.try_get("id")?,
                plan_id: row.try_get("plan_id")?,
                session: coach::plan::PlannedSession {
                    number: small("session number", row.try_get("number")?)?,
                    week: small("session week", row.try_get("week")?)?,
                    date: date("session date", row.try_get("session_date")?)?,
                    blocks: from_json("planned blocks", row.try_get("blocks")?)?,
                    backward_seconds: small(
                        "planned backward seconds",
                        row.try_get("backward_seconds")?,
                    )?,
                    total_seconds: small("planned seconds", row.try_get("total_seconds")?)?,
                    notes: from_json("planned notes", row.try_get("notes")?)?,
                },
            })
        }

        fn scale<T: TryFrom<u8>>(
            what: &'static str,
            stored: Option<i64>,
        ) -> Result<Option<T>, StoreError> {
            stored
                .map(|v| {
                    let byte: u8 = small(what, v)?;
                    T::try_from(byte).map_err(|_| corrupt(what, v))
                })
                .transpose()
        }

        fn session_row(row: &DbRow) -> Result<LoggedSession, StoreError> {
            let planned: Option<i64> = row.try_get("planned_backward_seconds")?;
            Ok(LoggedSession {
                id: row.try_get("id")?,
                created_at: timestamp("logging time", row.try_get("created_ms")?)?,
                local_date: date("local date", row.try_get("local_date")?)?,
                entry: SessionEntry {
                    started_at: timestamp("session start", row.try_get("started_ms")?)?,
                    utc_offset_seconds: small("UTC offset", row.try_get("utc_offset_seconds")?)?,
                    setting: from_name("setting", row.try_get("setting")?)?,
                    sport: from_name("sport", row.try_get("sport")?)?,
                    blocks: from_json("logged blocks", row.try_get("blocks")?)?,
                    backward_seconds: small("backward seconds", row.try_get("backward_seconds")?)?,
                    total_seconds: small("seconds", row.try_get("total_seconds")?)?,
                    rpe: scale("RPE", row.try_get("rpe")?)?,
                    pain_before: scale("pain before", row.try_get("pain_before")?)?,
                    pain_after: scale("pain after", row.try_get("pain_after")?)?,
                    near_falls: small("near-falls", row.try_get("near_falls")?)?,
                    falls: small("falls", row.try_get("falls")?)?,
                    felt_safe: row.try_get("felt_safe")?,
                    notes: row.try_get("notes")?,
                    source: from_name("source", row.try_get("source")?)?,
                    plan_id: row.try_get("plan_id")?,
                    planned_backward_seconds: planned
                        .map(|p| small("planned backward seconds", p))
                        .transpose()?,
                    kcal: row.try_get("kcal")?,
                    energy: from_json("energy", row.try_get("energy")?)?,
                },
            })
        }

        fn outcome_row(row: &DbRow) -> Result<PlanOutcome, StoreError> {
            let planned: Option<i64> = row.try_get("planned_backward_seconds")?;
            Ok(PlanOutcome {
                planned_backward_seconds: planned
                    .map(|p| small("planned backward seconds", p))
                    .transpose()?,
                backward_seconds: small("backward seconds", row.try_get("backward_seconds")?)?,
                rpe: scale("RPE", row.try_get("rpe")?)?,
                pain_before: scale("pain before", row.try_get("pain_before")?)?,
                pain_after: scale("pain after", row.try_get("pain_after")?)?,
                near_falls: small("near-falls", row.try_get("near_falls")?)?,
                felt_safe: row.try_get("felt_safe")?,
            })
        }

        fn assessment_row(row: &DbRow) -> Result<Assessment, StoreError> {
            Ok(Assessment {
                id: row.try_get("id")?,
                assessment: NewAssessment {
                    taken_at: timestamp("assessment time", row.try_get("taken_ms")?)?,
                    kind: from_name("assessment kind", row.try_get("kind")?)?,
                    value: row.try_get("value")?,
                    inputs: from_json("assessment inputs", row.try_get("inputs")?)?,
                    result: from_json("assessment result", row.try_get("result")?)?,
                },
            })
        }

        fn local_date(entry: &SessionEntry) -> Result<jiff::civil::Date, StoreError> {
            let offset = jiff::tz::Offset::from_seconds(entry.utc_offset_seconds)
                .map_err(|e| corrupt("UTC offset", e))?;
            Ok(offset.to_datetime(entry.started_at).date())
        }

        fn opt_u8<T: Into<u8>>(value: Option<T>) -> Option<i64> {
            value.map(|v| i64::from(v.into()))
        }

        type EntryQuery<'q> =
            sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>;

        /// Binds a session's columns, in the order both the INSERT and the UPDATE list them
        /// (parameters $3 to $22).
        fn bind_entry<'q>(
            query: EntryQuery<'q>,
            entry: &'q SessionEntry,
        ) -> Result<EntryQuery<'q>, StoreError> {
            Ok(query
                .bind(ms(entry.started_at))
                .bind(i64::from(entry.utc_offset_seconds))
                .bind(local_date(entry)?.to_string())
                .bind(name(&entry.setting)?)
                .bind(json(&entry.blocks)?)
                .bind(i64::from(entry.backward_seconds))
                .bind(i64::from(entry.total_seconds))
                .bind(opt_u8(entry.rpe))
                .bind(opt_u8(entry.pain_before))
                .bind(opt_u8(entry.pain_after))
                .bind(i64::from(entry.near_falls))
                .bind(entry.felt_safe)
                .bind(&entry.notes)
                .bind(name(&entry.source)?)
                .bind(entry.plan_id)
                .bind(entry.planned_backward_seconds.map(i64::from))
                .bind(entry.kcal)
                .bind(json(&entry.energy)?)
                .bind(name(&entry.sport)?)
                .bind(i64::from(entry.falls)))
        }

        async fn insert_session<'c, E>(
            executor: E,
            user: Id,
            created_ms: i64,
            entry: &SessionEntry,
        ) -> Result<LoggedSession, StoreError>
        where
            E: sqlx::Executor<'c, Database = $db>,
        {
            // Owner first (see OWNER_FIRST): the insert's foreign-key checks share-lock the
            // plan it names, and deleting that plan holds the owner while it waits for the
            // plan; the version trigger's update of the owner at the statement's end would
            // then wait on the deleter in turn, a deadlock on PostgreSQL.
            let sql = format!(
                "{OWNER_FIRST} INSERT INTO logged_sessions (user_id, created_ms, started_ms, utc_offset_seconds, local_date, setting, blocks, backward_seconds, total_seconds, rpe, pain_before, pain_after, near_falls, felt_safe, notes, source, plan_id, planned_backward_seconds, kcal, energy, sport, falls) \
                 SELECT owner.id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22 FROM owner RETURNING {SESSION_COLUMNS}",
                OWNER_FIRST = <$store>::OWNER_FIRST,
            );
            let query = sqlx::query(&sql)
            .bind(user)
            .bind(created_ms);
            let row = bind_entry(query, entry)?.fetch_one(executor)
            .await?;
            session_row(&row)
        }

        const TEMPLATE_COLUMNS: &str = "id, clinician_id, name, parameters, created_ms, updated_ms";

        fn template_row(row: &DbRow) -> Result<PlanTemplate, StoreError> {
            Ok(PlanTemplate {
                id: row.try_get("id")?,
                clinician_id: row.try_get("clinician_id")?,
                name: row.try_get("name")?,
                parameters: from_json("template parameters", row.try_get("parameters")?)?,
                created_at: timestamp("template creation time", row.try_get("created_ms")?)?,
                updated_at: timestamp("template update time", row.try_get("updated_ms")?)?,
            })
        }

        /// A plan change with its clinician's email; add the `WHERE`.
        const CHANGE_SELECT: &str = "SELECT c.id, c.walker_id, c.plan_id, c.changed_by, u.email AS changed_by_email, \
             c.changed_at_ms, c.kind, c.summary, c.changes, c.reason \
             FROM plan_changes c JOIN users u ON u.id = c.changed_by";

        fn change_row(row: &DbRow) -> Result<PlanChange, StoreError> {
            Ok(PlanChange {
                id: row.try_get("id")?,
                walker_id: row.try_get("walker_id")?,
                plan_id: row.try_get("plan_id")?,
                changed_by: row.try_get("changed_by")?,
                changed_by_email: row.try_get("changed_by_email")?,
                changed_at: timestamp("plan change time", row.try_get("changed_at_ms")?)?,
                kind: from_name("plan change kind", row.try_get("kind")?)?,
                summary: row.try_get("summary")?,
                changes: from_json("plan changes", row.try_get("changes")?)?,
                reason: row.try_get("reason")?,
            })
        }

        /// A note with its clinician's email; add the `WHERE`.
        const NOTE_SELECT: &str = "SELECT n.id, n.walker_id, n.clinician_id, u.email AS clinician_email, \
             n.plan_id, n.session_id, n.body, n.created_ms, n.updated_ms \
             FROM clinician_notes n JOIN users u ON u.id = n.clinician_id";

        fn note_row(row: &DbRow) -> Result<ClinicianNote, StoreError> {
            let plan: Option<Id> = row.try_get("plan_id")?;
            let session: Option<Id> = row.try_get("session_id")?;
            let target = match (plan, session) {
                (Some(p), None) => NoteTarget::Plan(p),
                (None, Some(s)) => NoteTarget::Session(s),
                _ => return Err(corrupt("note target", "neither or both of plan and session")),
            };
            Ok(ClinicianNote {
                id: row.try_get("id")?,
                walker_id: row.try_get("walker_id")?,
                clinician_id: row.try_get("clinician_id")?,
                clinician_email: row.try_get("clinician_email")?,
                target,
                body: row.try_get("body")?,
                created_at: timestamp("note time", row.try_get("created_ms")?)?,
                updated_at: timestamp("note edit time", row.try_get("updated_ms")?)?,
            })
        }

        async fn insert_change(
            tx: &mut sqlx::Transaction<'_, $db>,
            plan: Id,
            change: &NewPlanChange,
        ) -> Result<PlanChange, StoreError> {
            let row = sqlx::query(
                "INSERT INTO plan_changes (walker_id, plan_id, changed_by, changed_at_ms, kind, summary, changes, reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(change.walker_id)
            .bind(plan)
            .bind(change.changed_by)
            .bind(ms(change.changed_at))
            .bind(name(&change.kind)?)
            .bind(&change.summary)
            .bind(json(&change.changes)?)
            .bind(&change.reason)
            .fetch_one(&mut **tx)
            .await?;
            let id: Id = row.try_get("id")?;
            let row = sqlx::query(&format!("{CHANGE_SELECT} WHERE c.id = $1"))
                .bind(id)
                .fetch_one(&mut **tx)
                .await?;
            change_row(&row)
        }

        async fn insert_planned_sessions(
            tx: &mut sqlx::Transaction<'_, $db>,
            plan_id: Id,
            sessions: &[coach::plan::PlannedSession],
        ) -> Result<(), StoreError> {
            for s in sessions {
                sqlx::query(
                    "INSERT INTO planned_sessions (plan_id, number, week, session_date, backward_seconds, total_seconds, blocks, notes) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(plan_id)
                .bind(i64::from(s.number))
                .bind(i64::from(s.week))
                .bind(s.date.to_string())
                .bind(i64::from(s.backward_seconds))
                .bind(i64::from(s.total_seconds))
                .bind(json(&s.blocks)?)
                .bind(json(&s.notes)?)
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        }

        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> Backend {
                Self::BACKEND
            }

            fn location(&self) -> String {
                self.location.clone()
            }

            async fn create_user(&self, new: &NewUser) -> Result<User, StoreError> {
                let _turn = self.write_turn().await;
                let row = sqlx::query(
                    "INSERT INTO users (email, password_hash, role, units, created_ms) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(new.email.to_lowercase())
                .bind(&new.password_hash)
                .bind(new.role.as_str())
                .bind(name(&coach::plan::Units::default())?)
                .bind(ms(new.created_at))
                .fetch_one(self.writes())
                .await
                .map_err(conflict("an account with this email"))?;
                let id: Id = row.try_get("id")?;
                self.user(id)
                    .await?
                    .ok_or_else(|| corrupt("account", "vanished after it was made"))
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
                sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
                    .bind(email.to_lowercase())
                    .fetch_optional(&self.pool)
                    .await?
                    .as_ref()
                    .map(user_row)
                    .transpose()
            }

            async fn user(&self, id: Id) -> Result<Option<User>, StoreError> {
                sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .as_ref()
                    .map(user_row)
                    .transpose()
            }

            async fn users(&self) -> Result<Vec<User>, StoreError> {
                sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(user_row)
                    .collect()
            }

            async fn update_profile(
                &self,
                id: Id,
                units: coach::plan::Units,
                birth_year: Option<i16>,
            ) -> Result<Option<User>, StoreError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query("UPDATE users SET units = $2, birth_year = $3 WHERE id = $1")
                    .bind(id)
                    .bind(name(&units)?)
                    .bind(birth_year.map(i64::from))
                    .execute(self.writes())
                    .await?;
                if done.rows_affected() == 0 {
                    return Ok(None);
                }
                self.user(id).await
            }

            async fn first_session_day(&self, user: Id) -> Result<Option<jiff::civil::Date>, StoreError> {
                let first: Option<String> = sqlx::query("SELECT MIN(local_date) AS first FROM logged_sessions WHERE user_id = $1")
                    .bind(user)
                    .fetch_one(&self.pool)
                    .await?
                    .try_get("first")?;
                first.map(|d| date("local date", &d)).transpose()
            }

            async fn body_masses(&self, user: Id) -> Result<Vec<BodyMassEntry>, StoreError> {
                body_mass_history(&self.pool, user).await
            }

            async fn set_body_mass(
                &self,
                user: Id,
                from: jiff::civil::Date,
                mass: Option<coach::measure::BodyMass>,
                estimate: &Reestimate,
            ) -> Result<Option<Reestimated>, StoreError> {
                let _turn = self.write_turn().await;
                let mut tx = self.writes().begin_with(Self::BEGIN_WRITE).await?;
                lock_owner(&mut tx, user, Self::FOR_NO_KEY_UPDATE).await?;
                match mass {
                    Some(mass) => {
                        sqlx::query(
                            "INSERT INTO body_masses (user_id, from_date, kg) VALUES ($1, $2, $3) \
                             ON CONFLICT (user_id, from_date) DO UPDATE SET kg = excluded.kg",
                        )
                        .bind(user)
                        .bind(from.to_string())
                        .bind(mass.kg())
                        .execute(&mut *tx)
                        .await?;
                    }
                    None => {
                        let done = sqlx::query("DELETE FROM body_masses WHERE user_id = $1 AND from_date = $2")
                            .bind(user)
                            .bind(from.to_string())
                            .execute(&mut *tx)
                            .await?;
                        if done.rows_affected() == 0 {
                            return Ok(None);
                        }
                    }
                }
                let history = body_mass_history(&mut *tx, user).await?;
                let until = history.iter().map(|e| e.from).find(|d| *d > from);
                let rows = sqlx::query(&format!(
                    "SELECT {SESSION_COLUMNS} FROM logged_sessions WHERE user_id = $1 \
                     AND local_date >= $2 AND local_date < $3 ORDER BY started_ms, id"
                ))
                .bind(user)
                .bind(from.to_string())
                .bind(until.map_or_else(|| "9999-12-31".to_string(), |d| d.to_string()))
                .fetch_all(&mut *tx)
                .await?;
                // Sessions before the earliest entry have none in force: they are told again
                // why (the earliest day may have moved), and are not counted as estimated.
                let earliest = history.first().map_or(from, |e| e.from.min(from));
                let before = sqlx::query(&format!(
                    "SELECT {SESSION_COLUMNS} FROM logged_sessions WHERE user_id = $1 AND local_date < $2"
                ))
                .bind(user)
                .bind(earliest.to_string())
                .fetch_all(&mut *tx)
                .await?;
                let mut sessions: u32 = 0;
                for (row, counted) in rows.iter().map(|r| (r, true)).chain(before.iter().map(|r| (r, false))) {
                    let session = session_row(row)?;
                    let (kcal, energy) = estimate(&session, &history);
                    sqlx::query("UPDATE logged_sessions SET kcal = $3, energy = $4 WHERE user_id = $1 AND id = $2")
                        .bind(user)
                        .bind(session.id)
                        .bind(kcal)
                        .bind(json(&energy)?)
                        .execute(&mut *tx)
                        .await?;
                    if counted {
                        sessions = sessions.saturating_add(1);
                    }
                }
                tx.commit().await?;
                Ok(Some(Reestimated { from, until, sessions }))
            }

            async fn set_password_hash(&self, id: Id, hash: &str) -> Result<(), StoreError> {
                let _turn = self.write_turn().await;
                sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(id)
                    .bind(hash)
                    .execute(self.writes())
                    .await?;
                Ok(())
            }

            async fn set_role(&self, id: Id, role: Role) -> Result<(), StoreError> {
                let _turn = self.write_turn().await;
                sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
                    .bind(id)
                    .bind(role.as_str())
                    .execute(self.writes())
                    .await?;
                Ok(())
            }

            async fn delete_user(&self, id: Id) -> Result<bool, StoreError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query("DELETE FROM users WHERE id = $1")
                    .bind(id)
                    .execute(self.writes())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn create_web_session(&self, session: &WebSession) -> Result<(), StoreError> {
                let _turn = self.write_turn().await;
                sqlx::query("INSERT INTO web_sessions (id_hash, user_id, csrf_token, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&session.id_hash)
                    .bind(session.user_id)
                    .bind(&session.csrf_token)
                    .bind(ms(session.created_at))
                    .bind(ms(session.expires_at))
                    .execute(self.writes())
                    .await
                    .map_err(conflict("a session with this id"))?;
                Ok(())
            }

            async fn web_session(
                &self,
                id_hash: &str,
                now: jiff::Timestamp,
            ) -> Result<Option<(WebSession, User)>, StoreError> {
                let row = sqlx::query(
                    "SELECT s.id_hash, s.csrf_token, s.created_ms AS session_created_ms, s.expires_ms, \
                     u.id, u.email, u.password_hash, u.role, u.units, u.birth_year, u.created_ms, \
                     (SELECT b.kg FROM body_masses b WHERE b.user_id = u.id ORDER BY b.from_date DESC LIMIT 1) AS body_mass_kg \
                     FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_ms > $2",
                )
                .bind(id_hash)
                .bind(ms(now))
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else { return Ok(None) };
                let user = user_row(&row)?;
                let session = WebSession {
                    id_hash: row.try_get("id_hash")?,
                    user_id: user.id,
                    csrf_token: row.try_get("csrf_token")?,
                    created_at: timestamp("session start", row.try_get("session_created_ms")?)?,
                    expires_at: timestamp("session end", row.try_get("expires_ms")?)?,
                };
                Ok(Some((session, user)))
            }

            async fn delete_web_session(&self, id_hash: &str) -> Result<(), StoreError> {
                let _turn = self.write_turn().await;
                sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
                    .bind(id_hash)
                    .execute(self.writes())
                    .await?;
                Ok(())
            }

            async fn delete_other_web_sessions(
                &self,
                user: Id,
                keep_id_hash: Option<&str>,
            ) -> Result<(), StoreError> {
                let _turn = self.write_turn().await;
                sqlx::query("DELETE FROM web_sessions WHERE user_id = $1 AND id_hash <> $2")
                    .bind(user)
                    .bind(keep_id_hash.unwrap_or(""))
                    .execute(self.writes())
                    .await?;
                Ok(())
            }

            async fn create_token(&self, user: Id, token: &NewToken) -> Result<ApiToken, StoreError> {
                let _turn = self.write_turn().await;
                let row = sqlx::query("INSERT INTO api_tokens (user_id, name, token_hash, created_ms, scope) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                    .bind(user)
                    .bind(&token.name)
                    .bind(&token.token_hash)
                    .bind(ms(token.created_at))
                    .bind(token.scope.as_str())
                    .fetch_one(self.writes())
                    .await
                    .map_err(conflict("this token"))?;
                Ok(ApiToken {
                    id: row.try_get("id")?,
                    name: token.name.clone(),
                    created_at: token.created_at,
                    scope: token.scope,
                })
            }

            async fn user_by_token(&self, token_hash: &str) -> Result<Option<(User, TokenScope)>, StoreError> {
                Ok(self.token_caller(token_hash).await?.map(|c| (c.user, c.scope)))
            }

            async fn token_caller(&self, token_hash: &str) -> Result<Option<TokenCaller>, StoreError> {
                let Some(row) = sqlx::query(
                    "SELECT u.id, u.email, u.password_hash, u.role, u.units, u.birth_year, u.created_ms, \
                     (SELECT b.kg FROM body_masses b WHERE b.user_id = u.id ORDER BY b.from_date DESC LIMIT 1) AS body_mass_kg, \
                     u.summary_version, t.scope \
                     FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?
                else {
                    return Ok(None);
                };
                Ok(Some(TokenCaller {
                    user: user_row(&row)?,
                    scope: crate::sql::token_scope(row.try_get("scope")?)?,
                    summary_version: row.try_get("summary_version")?,
                }))
            }

            async fn summary_version(&self, user: Id) -> Result<Option<i64>, StoreError> {
                Ok(sqlx::query_scalar("SELECT summary_version FROM users WHERE id = $1")
                    .bind(user)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn tokens(&self, user: Id) -> Result<Vec<ApiToken>, StoreError> {
                let rows = sqlx::query("SELECT id, name, created_ms, scope FROM api_tokens WHERE user_id = $1 ORDER BY id")
                    .bind(user)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|row| {
                        Ok(ApiToken {
                            id: row.try_get("id")?,
                            name: row.try_get("name")?,
                            created_at: timestamp("token creation time", row.try_get("created_ms")?)?,
                            scope: crate::sql::token_scope(row.try_get("scope")?)?,
                        })
                    })
                    .collect()
            }

            async fn delete_token(&self, user: Id, id: Id) -> Result<bool, StoreError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query("DELETE FROM api_tokens WHERE user_id = $1 AND id = $2")
                    .bind(user)
                    .bind(id)
                    .execute(self.writes())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn set_calendar_feed(&self, user: Id, token_hash: &str, created_at: jiff::Timestamp) -> Result<(), StoreError> {
                let _turn = self.write_turn().await;
                sqlx::query(
                    "INSERT INTO calendar_feeds (user_id, token_hash, created_ms) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_ms = excluded.created_ms",
                )
                .bind(user)
                .bind(token_hash)
                .bind(ms(created_at))
                .execute(self.writes())
                .await
                .map_err(conflict("this calendar feed"))?;
                Ok(())
            }

            async fn calendar_feed(&self, user: Id) -> Result<Option<jiff::Timestamp>, StoreError> {
                sqlx::query("SELECT created_ms FROM calendar_feeds WHERE user_id = $1")
                    .bind(user)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|row| timestamp("calendar feed creation time", row.try_get("created_ms")?))
                    .transpose()
            }

            async fn delete_calendar_feed(&self, user: Id) -> Result<bool, StoreError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
                    .bind(user)
                    .execute(self.writes())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn user_by_calendar_feed(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
                sqlx::query(
                    "SELECT u.id, u.email, u.password_hash, u.role, u.units, u.birth_year, u.created_ms, \
                     (SELECT b.kg FROM body_masses b WHERE b.user_id = u.id ORDER BY b.from_date DESC LIMIT 1) AS body_mass_kg \
                     FROM calendar_feeds f JOIN users u ON u.id = f.user_id WHERE f.token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?
                .as_ref()
                .map(user_row)
                .transpose()
            }

            async fn create_invite(&self, clinician: Id, new: &NewInvite) -> Result<Id, StoreError> {
                let _turn = self.write_turn().await;
                let row = sqlx::query(
                    "INSERT INTO clinician_invites (clinician_id, code_hash, created_ms, expires_ms) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(clinician)
                .bind(&new.code_hash)
                .bind(ms(new.created_at))
                .bind(ms(new.expires_at))
                .fetch_one(self.writes())
                .await
                .map_err(conflict("this invite code"))?;
                Ok(row.try_get("id")?)
            }

            async fn open_invite_count(&self, clinician: Id, now: jiff::Timestamp) -> Result<u64, StoreError> {
                let row = sqlx::query(
                    "SELECT COUNT(*) AS n FROM clinician_invites WHERE clinician_id = $1 AND used_ms IS NULL AND expires_ms > $2",
                )
                .bind(clinician)
                .bind(ms(now))
                .fetch_one(&self.pool)
                .await?;
                small("open invite count", row.try_get::<i64, _>("n")?)
            }

            async fn open_invite(&self, code_hash: &str, now: jiff::Timestamp) -> Result<Option<OpenInvite>, StoreError> {
                let Some(row) = sqlx::query(
                    "SELECT i.id, i.clinician_id, u.email, i.created_ms, i.expires_ms \
                     FROM clinician_invites i JOIN users u ON u.id = i.clinician_id \
                     WHERE i.code_hash = $1 AND i.used_ms IS NULL AND i.expires_ms > $2",
                )
                .bind(code_hash)
                .bind(ms(now))
                .fetch_optional(&self.pool)
                .await?
                else {
                    return Ok(None);
                };
                Ok(Some(OpenInvite {
                    id: row.try_get("id")?,
                    clinician_id: row.try_get("clinician_id")?,
                    clinician_email: row.try_get("email")?,
                    created_at: timestamp("invite creation time", row.try_get("created_ms")?)?,
                    expires_at: timestamp("invite expiry", row.try_get("expires_ms")?)?,
                }))
            }

            async fn accept_invite(
                &self,
                walker: Id,
                code_hash: &str,
                scope: &GrantScope,
                now: jiff::Timestamp,
            ) -> Result<Option<Grant>, StoreError> {
                let _turn = self.write_turn().await;
                let mut tx = self.writes().begin_with(Self::BEGIN_WRITE).await?;
                // The update is the claim: of two accepts of one code, only one finds it unused.
                let Some(row) = sqlx::query(
                    "UPDATE clinician_invites SET used_ms = $1, used_by = $2 \
                     WHERE code_hash = $3 AND used_ms IS NULL AND expires_ms > $1 AND clinician_id <> $2 \
                     RETURNING clinician_id",
                )
                .bind(ms(now))
                .bind(walker)
                .bind(code_hash)
                .fetch_optional(&mut *tx)
                .await?
                else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let clinician: Id = row.try_get("clinician_id")?;
                let existing = sqlx::query(
                    "SELECT id FROM grants WHERE walker_id = $1 AND clinician_id = $2 AND revoked_ms IS NULL",
                )
                .bind(walker)
                .bind(clinician)
                .fetch_optional(&mut *tx)
                .await?;
                if existing.is_none() {
                    sqlx::query(
                        "INSERT INTO grants (walker_id, clinician_id, granted_ms, scope) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(walker)
                    .bind(clinician)
                    .bind(ms(now))
                    .bind(json(scope)?)
                    .execute(&mut *tx)
                    .await
                    .map_err(conflict("a grant to this clinician"))?;
                }
                tx.commit().await?;
                self.active_grant(clinician, walker).await
            }

            async fn decline_invite(&self, walker: Id, code_hash: &str, now: jiff::Timestamp) -> Result<bool, StoreError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query(
                    "UPDATE clinician_invites SET used_ms = $1, used_by = $2 \
                     WHERE code_hash = $3 AND used_ms IS NULL AND expires_ms > $1 AND clinician_id <> $2",
                )
                .bind(ms(now))
                .bind(walker)
                .bind(code_hash)
                .execute(self.writes())
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn grants(&self, walker: Id) -> Result<Vec<Grant>, StoreError> {
                let rows = sqlx::query(&format!(
                    "{GRANT_SELECT} WHERE g.walker_id = $1 ORDER BY g.granted_ms DESC, g.id DESC"
                ))
                .bind(walker)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(grant_row).collect()
            }

            async fn revoke_grant(&self, walker: Id, id: Id, now: jiff::Timestamp) -> Result<bool, StoreError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query(
                    "UPDATE grants SET revoked_ms = COALESCE(revoked_ms, $3) WHERE walker_id = $1 AND id = $2",
                )
                .bind(walker)
                .bind(id)
                .bind(ms(now))
                .execute(self.writes())
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn clinician_grants(&self, clinician: Id) -> Result<Vec<Grant>, StoreError> {
                let rows = sqlx::query(&format!(
                    "{GRANT_SELECT} WHERE g.clinician_id = $1 AND g.revoked_ms IS NULL ORDER BY g.granted_ms, g.id"
                ))
                .bind(clinician)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(grant_row).collect()
            }

            async fn active_grant(&self, clinician: Id, walker: Id) -> Result<Option<Grant>, StoreError> {
                sqlx::query(&format!(
                    "{GRANT_SELECT} WHERE g.clinician_id = $1 AND g.walker_id = $2 AND g.revoked_ms IS NULL"
                ))
                .bind(clinician)
                .bind(walker)
                .fetch_optional(&self.pool)
                .await?
                .as_ref()
                .map(grant_row)
                .transpose()
            }

            async fn log_access(&self, entry: &AccessEntry) -> Result<(), StoreError> {
                let _turn = self.write_turn().await;
                sqlx::query(
                    "INSERT INTO access_log (walker_id, clinician_id, clinician_email, at_ms, action, what, route) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(entry.walker_id)
                .bind(entry.clinician_id)
                .bind(&entry.clinician_email)
                .bind(ms(entry.at))
                .bind(name(&entry.action)?)
                .bind(&entry.what)
                .bind(&entry.route)
                .execute(self.writes())
                .await?;
                Ok(())
            }

            async fn log_accesses(&self, entries: &[AccessEntry]) -> Result<(), StoreError> {
                let _turn = self.write_turn().await;
                let mut tx = self.writes().begin_with(Self::BEGIN_WRITE).await?;
                for entry in entries {
                    sqlx::query(
                        "INSERT INTO access_log (walker_id, clinician_id, clinician_email, at_ms, action, what, route) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(entry.walker_id)
                    .bind(entry.clinician_id)
                    .bind(&entry.clinician_email)
                    .bind(ms(entry.at))
                    .bind(name(&entry.action)?)
                    .bind(&entry.what)
                    .bind(&entry.route)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn caseload(
                &self,
                clinician: Id,
                recent_from: jiff::civil::Date,
            ) -> Result<Vec<CaseloadWalker>, StoreError> {
                // Seven queries for the whole caseload, each over the walkers with a grant in
                // force: per-walker rows come back grouped and are dealt out by walker id.
                const WALKERS: &str =
                    "SELECT walker_id FROM grants WHERE clinician_id = $1 AND revoked_ms IS NULL";
                let grants = self.clinician_grants(clinician).await?;
                let mut out: Vec<CaseloadWalker> = grants
                    .into_iter()
                    .map(|grant| CaseloadWalker {
                        grant,
                        plan: None,
                        planned: Vec::new(),
                        logged: Vec::new(),
                        latest: None,
                        recent_near_falls: 0,
                        three_mbwt: None,
                    })
                    .collect();
                let index: std::collections::HashMap<Id, usize> = out
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (w.grant.walker_id, i))
                    .collect();
                let slot = |walker: Id| index.get(&walker).copied();

                let plans = sqlx::query(&format!(
                    "SELECT user_id, id FROM plans WHERE active = $2 AND user_id IN ({WALKERS})"
                ))
                .bind(clinician)
                .bind(true)
                .fetch_all(&self.pool)
                .await?;
                for row in &plans {
                    if let Some(i) = slot(row.try_get("user_id")?) {
                        out[i].plan = Some(row.try_get("id")?);
                    }
                }

                let planned = sqlx::query(&format!(
                    "SELECT p.user_id, ps.session_date, ps.backward_seconds FROM planned_sessions ps \
                     JOIN plans p ON p.id = ps.plan_id \
                     WHERE p.active = $2 AND p.user_id IN ({WALKERS}) ORDER BY p.user_id, ps.number"
                ))
                .bind(clinician)
                .bind(true)
                .fetch_all(&self.pool)
                .await?;
                for row in &planned {
                    if let Some(i) = slot(row.try_get("user_id")?) {
                        out[i].planned.push(PlannedDose {
                            date: date("session date", row.try_get("session_date")?)?,
                            backward_seconds: small(
                                "planned backward seconds",
                                row.try_get("backward_seconds")?,
                            )?,
                        });
                    }
                }

                // From the active plans to their sessions (logged_sessions_by_plan), not through
                // each walker's years of sessions: CROSS JOIN keeps SQLite's loops in that order
                // (PostgreSQL plans it as any join).
                let logged = sqlx::query(&format!(
                    "SELECT p.user_id, s.planned_backward_seconds, s.backward_seconds, s.rpe, s.pain_before, \
                     s.pain_after, s.near_falls, s.felt_safe \
                     FROM plans p CROSS JOIN logged_sessions s \
                     WHERE s.plan_id = p.id AND s.user_id = p.user_id AND p.active = $2 \
                     AND p.user_id IN ({WALKERS}) ORDER BY p.user_id, s.started_ms, s.id"
                ))
                .bind(clinician)
                .bind(true)
                .fetch_all(&self.pool)
                .await?;
                for row in &logged {
                    if let Some(i) = slot(row.try_get("user_id")?) {
                        out[i].logged.push(outcome_row(row)?);
                    }
                }

                // The newest walking session per walker: one index probe each
                // (logged_sessions_by_start), not a scan of their years of sessions.
                let latest = sqlx::query(&format!(
                    "SELECT s.user_id, s.local_date, s.rpe, s.pain_before, s.pain_after, s.near_falls \
                     FROM logged_sessions s WHERE s.id IN (SELECT (SELECT l.id FROM logged_sessions l \
                     WHERE l.user_id = g.walker_id AND l.sport = 'walking' ORDER BY l.started_ms DESC, l.id DESC LIMIT 1) \
                     FROM grants g WHERE g.clinician_id = $1 AND g.revoked_ms IS NULL)"
                ))
                .bind(clinician)
                .fetch_all(&self.pool)
                .await?;
                for row in &latest {
                    if let Some(i) = slot(row.try_get("user_id")?) {
                        out[i].latest = Some(LatestSession {
                            local_date: date("local date", row.try_get("local_date")?)?,
                            rpe: scale("RPE", row.try_get("rpe")?)?,
                            pain_before: scale("pain before", row.try_get("pain_before")?)?,
                            pain_after: scale("pain after", row.try_get("pain_after")?)?,
                            near_falls: small("near-falls", row.try_get("near_falls")?)?,
                        });
                    }
                }

                let near_falls = sqlx::query(&format!(
                    "SELECT user_id, CAST(SUM(near_falls + falls) AS BIGINT) AS near_falls FROM logged_sessions \
                     WHERE user_id IN ({WALKERS}) AND local_date >= $2 GROUP BY user_id"
                ))
                .bind(clinician)
                .bind(recent_from.to_string())
                .fetch_all(&self.pool)
                .await?;
                for row in &near_falls {
                    if let Some(i) = slot(row.try_get("user_id")?) {
                        out[i].recent_near_falls = small("near-falls", row.try_get("near_falls")?)?;
                    }
                }

                let tests = sqlx::query(&format!(
                    "SELECT user_id, {ASSESSMENT_COLUMNS} FROM assessments WHERE id IN (SELECT (SELECT a.id FROM assessments a \
                     WHERE a.user_id = g.walker_id AND a.kind = $2 ORDER BY a.taken_ms DESC, a.id DESC LIMIT 1) \
                     FROM grants g WHERE g.clinician_id = $1 AND g.revoked_ms IS NULL)"
                ))
                .bind(clinician)
                .bind(name(&AssessmentKind::ThreeMbwt)?)
                .fetch_all(&self.pool)
                .await?;
                for row in &tests {
                    if let Some(i) = slot(row.try_get("user_id")?) {
                        out[i].three_mbwt = Some(assessment_row(row)?);
                    }
                }
                Ok(out)
            }

            async fn access_log(&self, walker: Id, limit: u32) -> Result<Vec<AccessEntry>, StoreError> {
                let rows = sqlx::query(
                    "SELECT walker_id, clinician_id, clinician_email, at_ms, action, what, route FROM access_log \
                     WHERE walker_id = $1 ORDER BY at_ms DESC, id DESC LIMIT $2",
                )
                .bind(walker)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(AccessEntry {
                            walker_id: row.try_get("walker_id")?,
                            clinician_id: row.try_get("clinician_id")?,
                            clinician_email: row.try_get("clinician_email")?,
                            at: timestamp("access time", row.try_get("at_ms")?)?,
                            action: from_name("access action", row.try_get("action")?)?,
                            what: row.try_get("what")?,
                            route: row.try_get("route")?,
                        })
                    })
                    .collect()
            }

            async fn set_rules(&self, walker: Id, new: &NewRules) -> Result<StoredRules, StoreError> {
                let _turn = self.write_turn().await;
                let row = sqlx::query(
                    "INSERT INTO progression_rules (walker_id, gates, set_by, set_by_email, set_ms, reason) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, gates, set_by, set_by_email, set_ms, reason",
                )
                .bind(walker)
                .bind(json(&new.gates)?)
                .bind(new.set_by)
                .bind(&new.set_by_email)
                .bind(ms(new.set_at))
                .bind(&new.reason)
                .fetch_one(self.writes())
                .await?;
                rules_row(&row)
            }

            async fn rules(&self, walker: Id) -> Result<Option<StoredRules>, StoreError> {
                Ok(self.rules_history(walker).await?.into_iter().next())
            }

            async fn rules_history(&self, walker: Id) -> Result<Vec<StoredRules>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, gates, set_by, set_by_email, set_ms, reason FROM progression_rules \
                     WHERE walker_id = $1 ORDER BY set_ms DESC, id DESC",
                )
                .bind(walker)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(rules_row).collect()
            }

            async fn raise_alert(&self, new: &NewAlert) -> Result<Alert, StoreError> {
                let _turn = self.write_turn().await;
                let row = sqlx::query(&format!(
                    "INSERT INTO alerts (walker_id, kind, session_id, words, raised_ms) VALUES ($1, $2, $3, $4, $5) RETURNING {ALERT_COLUMNS}"
                ))
                .bind(new.walker_id)
                .bind(name(&new.kind)?)
                .bind(new.session_id)
                .bind(&new.words)
                .bind(ms(new.raised_at))
                .fetch_one(self.writes())
                .await?;
                alert_row(&row)
            }

            async fn alerts(&self, walker: Id, open_only: bool) -> Result<Vec<Alert>, StoreError> {
                let rows = sqlx::query(&format!(
                    "SELECT {ALERT_COLUMNS} FROM alerts WHERE walker_id = $1 AND ($2 = 0 OR acknowledged_ms IS NULL) \
                     ORDER BY raised_ms DESC, id DESC"
                ))
                .bind(walker)
                .bind(i64::from(open_only))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(alert_row).collect()
            }

            async fn acknowledge_alert(&self, walker: Id, id: Id, ack: &Acknowledgement) -> Result<Option<Alert>, StoreError> {
                let _turn = self.write_turn().await;
                // Only the first acknowledgement is kept: a second one changes nothing.
                sqlx::query(
                    "UPDATE alerts SET acknowledged_by = $3, acknowledged_by_email = $4, acknowledged_ms = $5, ack_note = $6 \
                     WHERE walker_id = $1 AND id = $2 AND acknowledged_ms IS NULL",
                )
                .bind(walker)
                .bind(id)
                .bind(ack.by)
                .bind(&ack.by_email)
                .bind(ms(ack.at))
                .bind(&ack.note)
                .execute(self.writes())
                .await?;
                sqlx::query(&format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE walker_id = $1 AND id = $2"))
                    .bind(walker)
                    .bind(id)
                    .fetch_optional(self.writes())
                    .await?
                    .as_ref()
                    .map(alert_row)
                    .transpose()
            }

            async fn pause_progression(&self, new: &NewPause) -> Result<ProgressionPause, StoreError> {
                let _turn = self.write_turn().await;
                let mut tx = self.writes().begin_with(Self::BEGIN_WRITE).await?;
                lock_owner(&mut tx, new.walker_id, Self::FOR_UPDATE).await?;
                let existing = sqlx::query(&format!(
                    "SELECT {PAUSE_COLUMNS} FROM progression_pauses WHERE walker_id = $1 AND resumed_ms IS NULL"
                ))
                .bind(new.walker_id)
                .fetch_optional(&mut *tx)
                .await?;
                let row = match existing {
                    Some(row) => row,
                    None => {
                        sqlx::query(&format!(
                            "INSERT INTO progression_pauses (walker_id, paused_ms, local_date, why, session_id) \
                             VALUES ($1, $2, $3, $4, $5) RETURNING {PAUSE_COLUMNS}"
                        ))
                        .bind(new.walker_id)
                        .bind(ms(new.paused_at))
                        .bind(new.local_date.to_string())
                        .bind(name(&new.why)?)
                        .bind(new.session_id)
                        .fetch_one(&mut *tx)
                        .await?
                    }
                };
                let pause = pause_row(&row)?;
                tx.commit().await?;
                Ok(pause)
            }

            async fn progression_pause(&self, walker: Id) -> Result<Option<ProgressionPause>, StoreError> {
                sqlx::query(&format!(
                    "SELECT {PAUSE_COLUMNS} FROM progression_pauses WHERE walker_id = $1 AND resumed_ms IS NULL"
                ))
                .bind(walker)
                .fetch_optional(&self.pool)
                .await?
                .as_ref()
                .map(pause_row)
                .transpose()
            }

            async fn resume_progression(&self, walker: Id, resumed: &Acknowledgement) -> Result<Option<ProgressionPause>, StoreError> {
                let _turn = self.write_turn().await;
                sqlx::query(&format!(
                    "{OWNER_FIRST} UPDATE progression_pauses SET resumed_by = $2, resumed_by_email = $3, resumed_ms = $4, resume_reason = $5 \
                     WHERE walker_id = (SELECT id FROM owner) AND resumed_ms IS NULL RETURNING {PAUSE_COLUMNS}",
                    OWNER_FIRST = Self::OWNER_FIRST,
                ))
                .bind(walker)
                .bind(resumed.by)
                .bind(&resumed.by_email)
                .bind(ms(resumed.at))
                .bind(&resumed.note)
                .fetch_optional(self.writes())
                .await?
                .as_ref()
                .map(pause_row)
                .transpose()
            }

            async fn create_template(&self, clinician: Id, new: &NewTemplate) -> Result<PlanTemplate, StoreError> {
                let _turn = self.write_turn().await;
                let row = sqlx::query(&format!(
                    "INSERT INTO plan_templates (clinician_id, name, parameters, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $4) RETURNING {TEMPLATE_COLUMNS}"
                ))
                .bind(clinician)
                .bind(&new.name)
                .bind(json(&new.parameters)?)
                .bind(ms(new.at))
                .fetch_one(self.writes())
                .await?;
                template_row(&row)
            }

            async fn templates(&self, clinician: Id) -> Result<Vec<PlanTemplate>, StoreError> {
                sqlx::query(&format!(
                    "SELECT {TEMPLATE_COLUMNS} FROM plan_templates WHERE clinician_id = $1 ORDER BY name, id"
                ))
                .bind(clinician)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(template_row)
                .collect()
            }

            async fn template(&self, clinician: Id, id: Id) -> Result<Option<PlanTemplate>, StoreError> {
                sqlx::query(&format!(
                    "SELECT {TEMPLATE_COLUMNS} FROM plan_templates WHERE clinician_id = $1 AND id = $2"
                ))
                .bind(clinician)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .as_ref()
                .map(template_row)
                .transpose()
            }

            async fn update_template(&self, clinician: Id, id: Id, new: &NewTemplate) -> Result<Option<PlanTemplate>, StoreError> {
                let _turn = self.write_turn().await;
                sqlx::query(&format!(
                    "UPDATE plan_templates SET name = $3, parameters = $4, updated_ms = $5 WHERE clinician_id = $1 AND id = $2 RETURNING {TEMPLATE_COLUMNS}"
                ))
                .bind(clinician)
                .bind(id)
                .bind(&new.name)
                .bind(json(&new.parameters)?)
                .bind(ms(new.at))
                .fetch_optional(self.writes())
                .await?
                .as_ref()
                .map(template_row)
                .transpose()
            }

            async fn delete_template(&self, clinician: Id, id: Id) -> Result<bool, StoreError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query("DELETE FROM plan_templates WHERE clinician_id = $1 AND id = $2")
                    .bind(clinician)
                    .bind(id)
                    .execute(self.writes())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn assign_plan(&self, walker: Id, plan: &NewPlan, change: &NewPlanChange) -> Result<(StoredPlan, PlanChange), StoreError> {
                let _turn = self.write_turn().await;
                let mut tx = self.writes().begin_with(Self::BEGIN_WRITE).await?;
                lock_owner(&mut tx, walker, Self::FOR_UPDATE).await?;
                sqlx::query("UPDATE plans SET active = $2 WHERE user_id = $1 AND active = $3")
                    .bind(walker)
                    .bind(false)
                    .bind(true)
                    .execute(&mut *tx)
                    .await?;
                let plan_id = insert_plan(&mut tx, walker, plan, true).await?;
                let recorded = insert_change(&mut tx, plan_id, change).await?;
                tx.commit().await?;
                let stored = self
                    .plan(walker, plan_id)
                    .await?
                    .ok_or_else(|| corrupt("plan", "missing right after it was stored"))?;
                Ok((stored, recorded))
            }

            async fn adjust_plan(
                &self,
                walker: Id,
                plan: Id,
                adjustment: &PlanAdjustment,
            ) -> Result<Option<PlanChange>, StoreError> {
                let _turn = self.write_turn().await;
                let PlanAdjustment { keep, fields, details, sessions, change } = adjustment;
                let mut tx = self.writes().begin_with(Self::BEGIN_WRITE).await?;
                // Owner first, as a new plan locks it (see OWNER_FIRST).
                lock_owner(&mut tx, walker, Self::FOR_NO_KEY_UPDATE).await?;
                let found = sqlx::query(
                    "UPDATE plans SET protocol_id = $3, goal = $4, setting = $5, level = $6, days_per_week = $7, weeks = $8, units = $9, details = $10 \
                     WHERE user_id = $1 AND id = $2",
                )
                .bind(walker)
                .bind(plan)
                .bind(&fields.protocol_id)
                .bind(name(&fields.goal)?)
                .bind(name(&fields.setting)?)
                .bind(name(&fields.level)?)
                .bind(i64::from(fields.days_per_week.get()))
                .bind(i64::from(fields.weeks.get()))
                .bind(name(&fields.units)?)
                .bind(json(details)?)
                .execute(&mut *tx)
                .await?;
                if found.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(None);
                }
                sqlx::query("DELETE FROM planned_sessions WHERE plan_id = $1 AND number > $2")
                    .bind(plan)
                    .bind(i64::from(*keep))
                    .execute(&mut *tx)
                    .await?;
                insert_planned_sessions(&mut tx, plan, sessions).await?;
                let recorded = insert_change(&mut tx, plan, change).await?;
                tx.commit().await?;
                Ok(Some(recorded))
            }

            async fn plan_changes(&self, walker: Id) -> Result<Vec<PlanChange>, StoreError> {
                sqlx::query(&format!(
                    "{CHANGE_SELECT} WHERE c.walker_id = $1 ORDER BY c.changed_at_ms DESC, c.id DESC"
                ))
                .bind(walker)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(change_row)
                .collect()
            }

            async fn add_note(&self, new: &NewNote) -> Result<Option<ClinicianNote>, StoreError> {
                let _turn = self.write_turn().await;
                let (plan, session) = match new.target {
                    NoteTarget::Plan(p) => (Some(p), None),
                    NoteTarget::Session(s) => (None, Some(s)),
                };
                // The target must be the walker's: the INSERT selects it from their own rows.
                let row = sqlx::query(
                    "INSERT INTO clinician_notes (walker_id, clinician_id, plan_id, session_id, body, created_ms, updated_ms) \
                     SELECT $1, $2, $3, $4, $5, $6, $6 WHERE \
                     EXISTS (SELECT 1 FROM plans WHERE user_id = $1 AND id = $3) OR \
                     EXISTS (SELECT 1 FROM logged_sessions WHERE user_id = $1 AND id = $4) \
                     RETURNING id",
                )
                .bind(new.walker_id)
                .bind(new.clinician_id)
                .bind(plan)
                .bind(session)
                .bind(&new.body)
                .bind(ms(new.at))
                .fetch_optional(self.writes())
                .await?;
                let Some(row) = row else { return Ok(None) };
                let id: Id = row.try_get("id")?;
                sqlx::query(&format!("{NOTE_SELECT} WHERE n.id = $1"))
                    .bind(id)
                    .fetch_optional(self.writes())
                    .await?
                    .as_ref()
                    .map(note_row)
                    .transpose()
            }

            async fn update_note(&self, clinician: Id, walker: Id, id: Id, body: &str, at: jiff::Timestamp) -> Result<Option<ClinicianNote>, StoreError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query(
                    "UPDATE clinician_notes SET body = $4, updated_ms = $5 WHERE clinician_id = $1 AND walker_id = $2 AND id = $3",
                )
                .bind(clinician)
                .bind(walker)
                .bind(id)
                .bind(body)
                .bind(ms(at))
                .execute(self.writes())
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(None);
                }
                sqlx::query(&format!("{NOTE_SELECT} WHERE n.id = $1 AND n.walker_id = $2"))
                    .bind(id)
                    .bind(walker)
                    .fetch_optional(self.writes())
                    .await?
                    .as_ref()
                    .map(note_row)
                    .transpose()
            }

            async fn delete_note(&self, clinician: Id, walker: Id, id: Id) -> Result<bool, StoreError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query("DELETE FROM clinician_notes WHERE clinician_id = $1 AND walker_id = $2 AND id = $3")
                    .bind(clinician)
                    .bind(walker)
                    .bind(id)
                    .execute(self.writes())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn notes(&self, walker: Id) -> Result<Vec<ClinicianNote>, StoreError> {
                sqlx::query(&format!(
                    "{NOTE_SELECT} WHERE n.walker_id = $1 ORDER BY n.created_ms DESC, n.id DESC"
                ))
                .bind(walker)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(note_row)
                .collect()
            }

            async fn add_screening(&self, user: Id, new: &NewScreening) -> Result<Screening, StoreError> {
                let _turn = self.write_turn().await;
                let row = sqlx::query(&format!(
                    "INSERT INTO screenings (user_id, taken_ms, clearance, answers, result) VALUES ($1, $2, $3, $4, $5) RETURNING {SCREENING_COLUMNS}"
                ))
                .bind(user)
                .bind(ms(new.taken_at))
                .bind(name(&new.clearance)?)
                .bind(json(&new.answers)?)
                .bind(json(&new.result)?)
                .fetch_one(self.writes())
                .await?;
                screening_row(&row)
            }

            async fn screenings(&self, user: Id) -> Result<Vec<Screening>, StoreError> {
                sqlx::query(&format!(
                    "SELECT {SCREENING_COLUMNS} FROM screenings WHERE user_id = $1 ORDER BY taken_ms DESC, id DESC"
                ))
                .bind(user)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(screening_row)
                .collect()
            }

            async fn screening(&self, user: Id, id: Id) -> Result<Option<Screening>, StoreError> {
                sqlx::query(&format!(
                    "SELECT {SCREENING_COLUMNS} FROM screenings WHERE user_id = $1 AND id = $2"
                ))
                .bind(user)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .as_ref()
                .map(screening_row)
                .transpose()
            }

            async fn latest_screening(&self, user: Id) -> Result<Option<Screening>, StoreError> {
                sqlx::query(&format!(
                    "SELECT {SCREENING_COLUMNS} FROM screenings WHERE user_id = $1 ORDER BY taken_ms DESC, id DESC LIMIT 1"
                ))
                .bind(user)
                .fetch_optional(&self.pool)
                .await?
                .as_ref()
                .map(screening_row)
                .transpose()
            }

            async fn add_plan(&self, user: Id, new: &NewPlan) -> Result<StoredPlan, StoreError> {
                let _turn = self.write_turn().await;
                let mut tx = self.writes().begin_with(Self::BEGIN_WRITE).await?;
                lock_owner(&mut tx, user, Self::FOR_UPDATE).await?;
                sqlx::query("UPDATE plans SET active = $2 WHERE user_id = $1 AND active = $3")
                    .bind(user)
                    .bind(false)
                    .bind(true)
                    .execute(&mut *tx)
                    .await?;
                let plan_id = insert_plan(&mut tx, user, new, true).await?;
                tx.commit().await?;
                self.plan(user, plan_id)
                    .await?
                    .ok_or_else(|| corrupt("plan", "missing right after it was stored"))
            }

            async fn plans(&self, user: Id) -> Result<Vec<PlanSummary>, StoreError> {
                sqlx::query(&format!(
                    "SELECT {PLAN_COLUMNS} FROM plans WHERE user_id = $1 ORDER BY created_ms DESC, id DESC"
                ))
                .bind(user)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(plan_row)
                .collect()
            }

            async fn plan(&self, user: Id, id: Id) -> Result<Option<StoredPlan>, StoreError> {
                let row = sqlx::query(&format!(
                    "SELECT {PLAN_COLUMNS} FROM plans WHERE user_id = $1 AND id = $2"
                ))
                .bind(user)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    Some(row) => Ok(Some(self.with_sessions(plan_row(&row)?).await?)),
                    None => Ok(None),
                }
            }

            async fn active_plan(&self, user: Id) -> Result<Option<StoredPlan>, StoreError> {
                match self.active_plan_summary(user).await? {
                    Some(plan) => Ok(Some(self.with_sessions(plan).await?)),
                    None => Ok(None),
                }
            }

            async fn active_plan_summary(&self, user: Id) -> Result<Option<PlanSummary>, StoreError> {
                sqlx::query(&format!(
                    "SELECT {PLAN_COLUMNS} FROM plans WHERE user_id = $1 AND active = $2 ORDER BY id DESC LIMIT 1"
                ))
                .bind(user)
                .bind(true)
                .fetch_optional(&self.pool)
                .await?
                .as_ref()
                .map(plan_row)
                .transpose()
            }

            async fn planned_sessions(
                &self,
                user: Id,
                plan: Id,
            ) -> Result<Vec<PlannedSessionRecord>, StoreError> {
                sqlx::query(
                    "SELECT ps.id, ps.plan_id, ps.number, ps.week, ps.session_date, ps.backward_seconds, ps.total_seconds, ps.blocks, ps.notes \
                     FROM planned_sessions ps JOIN plans p ON p.id = ps.plan_id WHERE p.user_id = $1 AND ps.plan_id = $2 ORDER BY ps.number",
                )
                .bind(user)
                .bind(plan)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(planned_row)
                .collect()
            }

            async fn reschedule_plan(
                &self,
                user: Id,
                plan: Id,
                details: &serde_json::Value,
                dates: &[(u32, jiff::civil::Date)],
            ) -> Result<bool, StoreError> {
                let _turn = self.write_turn().await;
                let mut tx = self.writes().begin_with(Self::BEGIN_WRITE).await?;
                // Owner first, as a new plan locks it (see OWNER_FIRST).
                lock_owner(&mut tx, user, Self::FOR_NO_KEY_UPDATE).await?;
                let found = sqlx::query("UPDATE plans SET details = $1 WHERE user_id = $2 AND id = $3")
                    .bind(json(details)?)
                    .bind(user)
                    .bind(plan)
                    .execute(&mut *tx)
                    .await?;
                if found.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                for (number, date) in dates {
                    sqlx::query("UPDATE planned_sessions SET session_date = $1 WHERE plan_id = $2 AND number = $3")
                        .bind(date.to_string())
                        .bind(plan)
                        .bind(i64::from(*number))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn delete_plan(&self, user: Id, id: Id) -> Result<bool, StoreError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query(&format!(
                    "{} DELETE FROM plans WHERE user_id = (SELECT id FROM owner) AND id = $2",
                    Self::OWNER_FIRST
                ))
                    .bind(user)
                    .bind(id)
                    .execute(self.writes())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn planned_session(
                &self,
                user: Id,
                id: Id,
            ) -> Result<Option<PlannedSessionRecord>, StoreError> {
                sqlx::query(
                    "SELECT ps.id, ps.plan_id, ps.number, ps.week, ps.session_date, ps.backward_seconds, ps.total_seconds, ps.blocks, ps.notes \
                     FROM planned_sessions ps JOIN plans p ON p.id = ps.plan_id WHERE p.user_id = $1 AND ps.id = $2",
                )
                .bind(user)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .as_ref()
                .map(planned_row)
                .transpose()
            }

            async fn add_session(&self, user: Id, new: &SessionEntry) -> Result<LoggedSession, StoreError> {
                let _turn = self.write_turn().await;
                insert_session(self.writes(), user, ms(jiff::Timestamp::now()), new).await
            }

            async fn add_session_once(
                &self,
                user: Id,
                client_key: &str,
                new: &SessionEntry,
            ) -> Result<(LoggedSession, bool), StoreError> {
                let _turn = self.write_turn().await;
                let existing = |row: Option<<$db as sqlx::Database>::Row>| -> Result<Option<Id>, StoreError> {
                    Ok(match row {
                        Some(row) => Some(row.try_get::<Id, _>(0)?),
                        None => None,
                    })
                };
                let lookup = "SELECT session_id FROM session_keys WHERE user_id = $1 AND client_key = $2";
                let mut tx = self.writes().begin_with(Self::BEGIN_WRITE).await?;
                let found = existing(
                    sqlx::query(lookup).bind(user).bind(client_key).fetch_optional(&mut *tx).await?,
                )?;
                if let Some(id) = found {
                    tx.commit().await?;
                    let session = self.session(user, id).await?.ok_or_else(|| {
                        corrupt("session key", "names a session that is not there")
                    })?;
                    return Ok((session, false));
                }
                let session = insert_session(&mut *tx, user, ms(jiff::Timestamp::now()), new).await?;
                let stored = sqlx::query(
                    "INSERT INTO session_keys (user_id, client_key, session_id) VALUES ($1, $2, $3)",
                )
                .bind(user)
                .bind(client_key)
                .bind(session.id)
                .execute(&mut *tx)
                .await;
                match stored {
                    Ok(_) => {
                        tx.commit().await?;
                        Ok((session, true))
                    }
                    // Another request with the same key won the race: answer with its session.
                    Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                        tx.rollback().await?;
                        let id = existing(
                            sqlx::query(lookup).bind(user).bind(client_key).fetch_optional(self.writes()).await?,
                        )?
                        .ok_or_else(|| corrupt("session key", "vanished after a conflict"))?;
                        let session = self.session(user, id).await?.ok_or_else(|| {
                            corrupt("session key", "names a session that is not there")
                        })?;
                        Ok((session, false))
                    }
                    Err(e) => Err(e.into()),
                }
            }

            async fn put_motion(&self, user: Id, new: &NewMotion) -> Result<Option<Motion>, StoreError> {
                let _turn = self.write_turn().await;
                let mut tx = self.writes().begin_with(Self::BEGIN_WRITE).await?;
                let owned = sqlx::query(&format!(
                    "SELECT id FROM logged_sessions WHERE user_id = $1 AND id = $2{}",
                    Self::FOR_UPDATE
                ))
                    .bind(user)
                    .bind(new.session_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if owned.is_none() {
                    return Ok(None);
                }
                sqlx::query("DELETE FROM motion_recordings WHERE user_id = $1 AND session_id = $2")
                    .bind(user)
                    .bind(new.session_id)
                    .execute(&mut *tx)
                    .await?;
                let row = sqlx::query(
                    "INSERT INTO motion_recordings (user_id, session_id, recorded_ms, sample_count, samples, blocks, analysis, placement) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(user)
                .bind(new.session_id)
                .bind(ms(new.recorded_at))
                .bind(i64::from(new.sample_count))
                .bind(&new.samples)
                .bind(json(&new.blocks)?)
                .bind(json(&new.analysis)?)
                .bind(new.placement.as_deref())
                .fetch_one(&mut *tx)
                .await?;
                let id: Id = row.try_get(0)?;
                // The person's answers are kept per session and block: a repeated upload keeps them.
                let labels = motion_labels(
                    sqlx::query(MOTION_LABELS)
                        .bind(user)
                        .bind(new.session_id)
                        .fetch_all(&mut *tx)
                        .await?,
                )?;
                tx.commit().await?;
                Ok(Some(Motion { id, motion: new.clone(), labels }))
            }

            async fn motion(&self, user: Id, session: Id) -> Result<Option<Motion>, StoreError> {
                let Some(row) = sqlx::query(
                    "SELECT id, session_id, recorded_ms, sample_count, samples, blocks, analysis, placement \
                     FROM motion_recordings WHERE user_id = $1 AND session_id = $2",
                )
                .bind(user)
                .bind(session)
                .fetch_optional(&self.pool)
                .await?
                else {
                    return Ok(None);
                };
                let count: i64 = row.try_get(3)?;
                Ok(Some(Motion {
                    id: row.try_get(0)?,
                    motion: NewMotion {
                        session_id: row.try_get(1)?,
                        recorded_at: timestamp("motion recording", row.try_get(2)?)?,
                        sample_count: u32::try_from(count)
                            .map_err(|e| corrupt("motion sample count", e))?,
                        samples: row.try_get(4)?,
                        blocks: from_json("motion blocks", &row.try_get::<String, _>(5)?)?,
                        analysis: from_json("motion analysis", &row.try_get::<String, _>(6)?)?,
                        placement: row.try_get(7)?,
                    },
                    labels: motion_labels(
                        sqlx::query(MOTION_LABELS)
                            .bind(user)
                            .bind(session)
                            .fetch_all(&self.pool)
                            .await?,
                    )?,
                }))
            }

            async fn set_motion_label(&self, user: Id, label: &MotionLabel) -> Result<bool, StoreError> {
                let _turn = self.write_turn().await;
                let mut tx = self.writes().begin_with(Self::BEGIN_WRITE).await?;
                let recorded = sqlx::query(
                    "SELECT id FROM motion_recordings WHERE user_id = $1 AND session_id = $2",
                )
                .bind(user)
                .bind(label.session_id)
                .fetch_optional(&mut *tx)
                .await?;
                if recorded.is_none() {
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO motion_block_labels (user_id, session_id, block_index, direction, labelled_ms) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (session_id, block_index) DO UPDATE \
                     SET direction = excluded.direction, labelled_ms = excluded.labelled_ms",
                )
                .bind(user)
                .bind(label.session_id)
                .bind(i64::from(label.block))
                .bind(name(&label.direction)?)
                .bind(ms(label.labelled_at))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn sessions(
                &self,
                user: Id,
                query: &SessionQuery,
            ) -> Result<SessionPage, StoreError> {
                // One statement for every combination: absent bounds become the widest values.
                let (after_ms, after_id) = query
                    .after
                    .map_or((i64::MAX, i64::MAX), |c| (c.started_ms, c.id));
                let limit = i64::from(query.limit.max(1));
                let rows = sqlx::query(&format!(
                    "SELECT {SESSION_COLUMNS} FROM logged_sessions WHERE user_id = $1 \
                     AND started_ms >= $2 AND started_ms < $3 \
                     AND (started_ms < $4 OR (started_ms = $4 AND id < $5)) \
                     ORDER BY started_ms DESC, id DESC LIMIT $6"
                ))
                .bind(user)
                .bind(query.from.map_or(i64::MIN, ms))
                .bind(query.to.map_or(i64::MAX, ms))
                .bind(after_ms)
                .bind(after_id)
                .bind(limit + 1)
                .fetch_all(&self.pool)
                .await?;
                let mut items = rows.iter().map(session_row).collect::<Result<Vec<_>, _>>()?;
                let next = if items.len() as i64 > limit {
                    items.truncate(limit as usize);
                    items.last().map(|s| Cursor {
                        started_ms: ms(s.entry.started_at),
                        id: s.id,
                    })
                } else {
                    None
                };
                Ok(SessionPage { items, next })
            }

            async fn session(&self, user: Id, id: Id) -> Result<Option<LoggedSession>, StoreError> {
                sqlx::query(&format!(
                    "SELECT {SESSION_COLUMNS} FROM logged_sessions WHERE user_id = $1 AND id = $2"
                ))
                .bind(user)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .as_ref()
                .map(session_row)
                .transpose()
            }

            async fn update_session(
                &self,
                user: Id,
                id: Id,
                entry: &SessionEntry,
            ) -> Result<Option<LoggedSession>, StoreError> {
                let _turn = self.write_turn().await;
                // The owner's row is locked first, as every writer that changes both locks it
                // (see OWNER_FIRST).
                let sql = format!(
                    "{OWNER_FIRST} UPDATE logged_sessions SET started_ms = $3, utc_offset_seconds = $4, local_date = $5, setting = $6, blocks = $7, backward_seconds = $8, total_seconds = $9, rpe = $10, pain_before = $11, pain_after = $12, near_falls = $13, felt_safe = $14, notes = $15, source = $16, plan_id = $17, planned_backward_seconds = $18, kcal = $19, energy = $20, sport = $21, falls = $22 \
                     WHERE user_id = (SELECT id FROM owner) AND id = $2 RETURNING {SESSION_COLUMNS}",
                    OWNER_FIRST = Self::OWNER_FIRST,
                );
                let query = sqlx::query(&sql).bind(user).bind(id);
                bind_entry(query, entry)?
                .fetch_optional(self.writes())
                .await?
                .as_ref()
                .map(session_row)
                .transpose()
            }

            async fn delete_session(&self, user: Id, id: Id) -> Result<bool, StoreError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query(&format!(
                    "{} DELETE FROM logged_sessions WHERE user_id = (SELECT id FROM owner) AND id = $2",
                    Self::OWNER_FIRST
                ))
                    .bind(user)
                    .bind(id)
                    .execute(self.writes())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn plan_outcomes(&self, user: Id, plan: Id) -> Result<Vec<PlanOutcome>, StoreError> {
                let rows = sqlx::query(
                    "SELECT planned_backward_seconds, backward_seconds, rpe, pain_before, pain_after, near_falls, felt_safe \
                     FROM logged_sessions WHERE user_id = $1 AND plan_id = $2 ORDER BY started_ms, id",
                )
                .bind(user)
                .bind(plan)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(outcome_row).collect()
            }

            async fn trend_rows(&self, user: Id, limit: u32) -> Result<TrendRows, StoreError> {
                let pains = sqlx::query(
                    "SELECT id, local_date, pain_before, pain_after FROM logged_sessions \
                     WHERE user_id = $1 AND (pain_before IS NOT NULL OR pain_after IS NOT NULL) \
                     ORDER BY started_ms DESC, id DESC LIMIT $2",
                )
                .bind(user)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                let mut pains = pains
                    .iter()
                    .map(|row| {
                        Ok(PainPoint {
                            session_id: row.try_get("id")?,
                            local_date: date("local date", row.try_get("local_date")?)?,
                            pain_before: scale("pain before", row.try_get("pain_before")?)?,
                            pain_after: scale("pain after", row.try_get("pain_after")?)?,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                pains.reverse();
                let analyses = sqlx::query(
                    "SELECT m.session_id, s.local_date, m.analysis FROM motion_recordings m \
                     JOIN logged_sessions s ON s.id = m.session_id AND s.user_id = m.user_id \
                     WHERE m.user_id = $1 ORDER BY s.started_ms DESC, s.id DESC LIMIT $2",
                )
                .bind(user)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                let mut analyses = analyses
                    .iter()
                    .map(|row| {
                        Ok(AnalysisPoint {
                            session_id: row.try_get("session_id")?,
                            local_date: date("local date", row.try_get("local_date")?)?,
                            analysis: from_json("motion analysis", row.try_get("analysis")?)?,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                analyses.reverse();
                Ok(TrendRows { pains, analyses })
            }

            async fn daily_totals(
                &self,
                user: Id,
                from: jiff::civil::Date,
                to: jiff::civil::Date,
            ) -> Result<Vec<DailyTotals>, StoreError> {
                // CASTs keep PostgreSQL's SUM of BIGINT (NUMERIC) in BIGINT, as SQLite has it.
                let rows = sqlx::query(
                    "SELECT local_date, CAST(COUNT(*) AS BIGINT) AS sessions, \
                     CAST(SUM(backward_seconds) AS BIGINT) AS backward_seconds, \
                     CAST(SUM(total_seconds) AS BIGINT) AS total_seconds, \
                     CAST(COALESCE(SUM(kcal), 0) AS DOUBLE PRECISION) AS kcal, \
                     CAST(COUNT(rpe) AS BIGINT) AS rpe_count, CAST(COALESCE(SUM(rpe), 0) AS BIGINT) AS rpe_sum, \
                     CAST(SUM(CASE WHEN pain_before IS NOT NULL AND pain_after IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS pain_count, \
                     CAST(COALESCE(SUM(CASE WHEN pain_after IS NOT NULL THEN pain_before END), 0) AS BIGINT) AS pain_before_sum, \
                     CAST(COALESCE(SUM(CASE WHEN pain_before IS NOT NULL THEN pain_after END), 0) AS BIGINT) AS pain_after_sum \
                     FROM logged_sessions WHERE user_id = $1 AND local_date >= $2 AND local_date <= $3 \
                     AND sport = 'walking' \
                     GROUP BY local_date ORDER BY local_date",
                )
                .bind(user)
                .bind(from.to_string())
                .bind(to.to_string())
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(DailyTotals {
                            date: date("local date", row.try_get("local_date")?)?,
                            sessions: small("session count", row.try_get("sessions")?)?,
                            backward_seconds: small("backward seconds", row.try_get("backward_seconds")?)?,
                            total_seconds: small("seconds", row.try_get("total_seconds")?)?,
                            kcal: row.try_get("kcal")?,
                            rpe_count: small("RPE count", row.try_get("rpe_count")?)?,
                            rpe_sum: small("RPE sum", row.try_get("rpe_sum")?)?,
                            pain_count: small("pain count", row.try_get("pain_count")?)?,
                            pain_before_sum: small("pain sum", row.try_get("pain_before_sum")?)?,
                            pain_after_sum: small("pain sum", row.try_get("pain_after_sum")?)?,
                        })
                    })
                    .collect()
            }

            async fn add_assessment(
                &self,
                user: Id,
                new: &NewAssessment,
            ) -> Result<Assessment, StoreError> {
                let _turn = self.write_turn().await;
                insert_assessment(self.writes(), user, new).await
            }

            async fn assessments(&self, user: Id) -> Result<Vec<Assessment>, StoreError> {
                sqlx::query(&format!(
                    "SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE user_id = $1 ORDER BY taken_ms DESC, id DESC"
                ))
                .bind(user)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(assessment_row)
                .collect()
            }

            async fn assessment(&self, user: Id, id: Id) -> Result<Option<Assessment>, StoreError> {
                sqlx::query(&format!(
                    "SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE user_id = $1 AND id = $2"
                ))
                .bind(user)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .as_ref()
                .map(assessment_row)
                .transpose()
            }

            async fn delete_assessment(&self, user: Id, id: Id) -> Result<bool, StoreError> {
                let _turn = self.write_turn().await;
                let done = sqlx::query("DELETE FROM assessments WHERE user_id = $1 AND id = $2")
                    .bind(user)
                    .bind(id)
                    .execute(self.writes())
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn export(&self, user: Id) -> Result<Option<Export>, StoreError> {
                let Some(account) = self.user(user).await? else {
                    return Ok(None);
                };
                let mut screenings = self.screenings(user).await?;
                screenings.reverse();
                let mut plans = Vec::new();
                for summary in self.plans(user).await?.into_iter().rev() {
                    plans.push(self.with_sessions(summary).await?);
                }
                let mut sessions = sqlx::query(&format!(
                    "SELECT {SESSION_COLUMNS} FROM logged_sessions WHERE user_id = $1 ORDER BY started_ms, id"
                ))
                .bind(user)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(session_row)
                .collect::<Result<Vec<_>, _>>()?;
                sessions.shrink_to_fit();
                let mut assessments = self.assessments(user).await?;
                assessments.reverse();
                Ok(Some(Export {
                    format: EXPORT_FORMAT.to_string(),
                    version: EXPORT_VERSION,
                    exported_at: jiff::Timestamp::now(),
                    email: account.email,
                    profile: account.profile,
                    body_masses: self.body_masses(user).await?,
                    screenings,
                    plans,
                    sessions,
                    assessments,
                }))
            }

            async fn import(&self, user: Id, export: &Export) -> Result<(), StoreError> {
                let _turn = self.write_turn().await;
                let mut tx = self.writes().begin_with(Self::BEGIN_WRITE).await?;
                lock_owner(&mut tx, user, Self::FOR_UPDATE).await?;
                let held: i64 = sqlx::query(
                    "SELECT (SELECT COUNT(*) FROM screenings WHERE user_id = $1) + (SELECT COUNT(*) FROM plans WHERE user_id = $1) \
                     + (SELECT COUNT(*) FROM logged_sessions WHERE user_id = $1) + (SELECT COUNT(*) FROM assessments WHERE user_id = $1) AS held",
                )
                .bind(user)
                .fetch_one(&mut *tx)
                .await?
                .try_get("held")?;
                if held > 0 {
                    return Err(StoreError::NotEmpty);
                }
                sqlx::query("UPDATE users SET units = $2, birth_year = $3 WHERE id = $1")
                    .bind(user)
                    .bind(name(&export.profile.units)?)
                    .bind(export.profile.birth_year.map(i64::from))
                    .execute(&mut *tx)
                    .await?;
                // A version 1 document has no history: the caller makes one from its profile.
                sqlx::query("DELETE FROM body_masses WHERE user_id = $1")
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                for entry in &export.body_masses {
                    sqlx::query("INSERT INTO body_masses (user_id, from_date, kg) VALUES ($1, $2, $3)")
                        .bind(user)
                        .bind(entry.from.to_string())
                        .bind(entry.mass.kg())
                        .execute(&mut *tx)
                        .await
                        .map_err(conflict("a body mass from that day"))?;
                }
                // Ids are new in this database: map the document's ids to the new ones.
                let mut screening_ids = std::collections::HashMap::new();
                for s in &export.screenings {
                    let row = sqlx::query("INSERT INTO screenings (user_id, taken_ms, clearance, answers, result) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                        .bind(user)
                        .bind(ms(s.screening.taken_at))
                        .bind(name(&s.screening.clearance)?)
                        .bind(json(&s.screening.answers)?)
                        .bind(json(&s.screening.result)?)
                        .fetch_one(&mut *tx)
                        .await?;
                    screening_ids.insert(s.id, row.try_get::<Id, _>("id")?);
                }
                let mut plan_ids = std::collections::HashMap::new();
                for p in &export.plans {
                    let new = NewPlan {
                        created_at: p.plan.created_at,
                        // The author's account is not part of the document.
                        author_id: None,
                        screening_id: p.plan.screening_id.and_then(|id| screening_ids.get(&id).copied()),
                        fields: p.plan.fields.clone(),
                        details: p.plan.details.clone(),
                        sessions: p.sessions.iter().map(|s| s.session.clone()).collect(),
                    };
                    let id = insert_plan(&mut tx, user, &new, p.plan.active).await?;
                    plan_ids.insert(p.plan.id, id);
                }
                for s in &export.sessions {
                    let mut entry = s.entry.clone();
                    entry.plan_id = entry.plan_id.and_then(|id| plan_ids.get(&id).copied());
                    insert_session(&mut *tx, user, ms(s.created_at), &entry).await?;
                }
                for a in &export.assessments {
                    insert_assessment(&mut *tx, user, &a.assessment).await?;
                }
                tx.commit().await?;
                Ok(())
            }
        }

/// Locks the owner's row for the rest of the transaction, so that writes to all of a
        /// person's rows (plans, an import) take turns.
        async fn lock_owner(
            tx: &mut sqlx::Transaction<'_, $db>,
            user: Id,
            for_update: &str,
        ) -> Result<(), StoreError> {
            sqlx::query(&format!("SELECT id FROM users WHERE id = $1{for_update}"))
                .bind(user)
                .fetch_optional(&mut **tx)
                .await?;
            Ok(())
        }

        /// A user's body-mass history, oldest first.
        async fn body_mass_history<'c, E>(executor: E, user: Id) -> Result<Vec<BodyMassEntry>, StoreError>
        where
            E: sqlx::Executor<'c, Database = $db>,
        {
            sqlx::query("SELECT from_date, kg FROM body_masses WHERE user_id = $1 ORDER BY from_date")
                .bind(user)
                .fetch_all(executor)
                .await?
                .iter()
                .map(|row| {
                    Ok(BodyMassEntry {
                        from: date("body mass date", row.try_get("from_date")?)?,
                        mass: coach::measure::BodyMass::from_kg(row.try_get("kg")?)
                            .map_err(|e| corrupt("body mass", e))?,
                    })
                })
                .collect()
        }

        async fn insert_assessment<'c, E>(
            executor: E,
            user: Id,
            new: &NewAssessment,
        ) -> Result<Assessment, StoreError>
        where
            E: sqlx::Executor<'c, Database = $db>,
        {
            let row = sqlx::query(&format!(
                "INSERT INTO assessments (user_id, taken_ms, kind, value, inputs, result) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ASSESSMENT_COLUMNS}"
            ))
            .bind(user)
            .bind(ms(new.taken_at))
            .bind(name(&new.kind)?)
            .bind(new.value)
            .bind(json(&new.inputs)?)
            .bind(json(&new.result)?)
            .fetch_one(executor)
            .await?;
            assessment_row(&row)
        }

        async fn insert_plan(
            tx: &mut sqlx::Transaction<'_, $db>,
            user: Id,
            new: &NewPlan,
            active: bool,
        ) -> Result<Id, StoreError> {
            let row = sqlx::query(
                "INSERT INTO plans (user_id, author_id, screening_id, active, created_ms, protocol_id, goal, setting, level, start_date, days_per_week, weeks, units, clearance, details) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            )
            .bind(user)
            .bind(new.author_id)
            .bind(new.screening_id)
            .bind(active)
            .bind(ms(new.created_at))
            .bind(&new.fields.protocol_id)
            .bind(name(&new.fields.goal)?)
            .bind(name(&new.fields.setting)?)
            .bind(name(&new.fields.level)?)
            .bind(new.fields.start.to_string())
            .bind(i64::from(new.fields.days_per_week.get()))
            .bind(i64::from(new.fields.weeks.get()))
            .bind(name(&new.fields.units)?)
            .bind(name(&new.fields.clearance)?)
            .bind(json(&new.details)?)
            .fetch_one(&mut **tx)
            .await?;
            let plan_id: Id = row.try_get("id")?;
            for s in &new.sessions {
                sqlx::query(
                    "INSERT INTO planned_sessions (plan_id, number, week, session_date, backward_seconds, total_seconds, blocks, notes) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(plan_id)
                .bind(i64::from(s.number))
                .bind(i64::from(s.week))
                .bind(s.date.to_string())
                .bind(i64::from(s.backward_seconds))
                .bind(i64::from(s.total_seconds))
                .bind(json(&s.blocks)?)
                .bind(json(&s.notes)?)
                .execute(&mut **tx)
                .await?;
            }
            Ok(plan_id)
        }

        impl $store {
            async fn with_sessions(&self, plan: PlanSummary) -> Result<StoredPlan, StoreError> {
                let sessions = sqlx::query(
                    "SELECT id, plan_id, number, week, session_date, backward_seconds, total_seconds, blocks, notes \
                     FROM planned_sessions WHERE plan_id = $1 ORDER BY number",
                )
                .bind(plan.id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(planned_row)
                .collect::<Result<Vec<_>, _>>()?;
                Ok(StoredPlan { plan, sessions })
            }
        }
    };
}

pub(crate) use impl_store;

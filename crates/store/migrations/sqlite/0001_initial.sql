-- Retrostride's first schema for SQLite. Times are milliseconds since the epoch (UTC); dates
-- are ISO 'YYYY-MM-DD' text; documents shown to users are JSON text. The PostgreSQL schema
-- (../postgres) has the same tables and columns.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('person', 'clinician', 'admin')),
    units TEXT NOT NULL DEFAULT 'metric',
    body_mass_kg REAL,
    birth_year INTEGER,
    created_ms INTEGER NOT NULL
);

CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE screenings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    taken_ms INTEGER NOT NULL,
    clearance TEXT NOT NULL,
    answers TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX screenings_by_user ON screenings (user_id, taken_ms);

-- Screenings are a history: a new answer is a new row, never an edit.
CREATE TRIGGER screenings_append_only BEFORE UPDATE ON screenings
BEGIN
    SELECT RAISE(ABORT, 'screenings are append-only');
END;

CREATE TABLE plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    screening_id INTEGER REFERENCES screenings (id) ON DELETE SET NULL,
    active BOOLEAN NOT NULL,
    created_ms INTEGER NOT NULL,
    protocol_id TEXT NOT NULL,
    goal TEXT NOT NULL,
    setting TEXT NOT NULL,
    level TEXT NOT NULL,
    start_date TEXT NOT NULL,
    days_per_week INTEGER NOT NULL,
    weeks INTEGER NOT NULL,
    units TEXT NOT NULL,
    clearance TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX plans_by_user ON plans (user_id, active);

CREATE TABLE planned_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    week INTEGER NOT NULL,
    session_date TEXT NOT NULL,
    backward_seconds INTEGER NOT NULL,
    total_seconds INTEGER NOT NULL,
    blocks TEXT NOT NULL,
    notes TEXT NOT NULL,
    UNIQUE (plan_id, number)
);

CREATE TABLE logged_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_id INTEGER REFERENCES plans (id) ON DELETE SET NULL,
    created_ms INTEGER NOT NULL,
    started_ms INTEGER NOT NULL,
    utc_offset_seconds INTEGER NOT NULL,
    local_date TEXT NOT NULL,
    setting TEXT NOT NULL,
    blocks TEXT NOT NULL,
    backward_seconds INTEGER NOT NULL,
    total_seconds INTEGER NOT NULL,
    rpe INTEGER,
    pain_before INTEGER,
    pain_after INTEGER,
    near_falls INTEGER NOT NULL,
    felt_safe BOOLEAN NOT NULL,
    notes TEXT NOT NULL,
    source TEXT NOT NULL,
    planned_backward_seconds INTEGER,
    kcal REAL,
    energy TEXT NOT NULL
);
CREATE INDEX logged_sessions_by_start ON logged_sessions (user_id, started_ms, id);
CREATE INDEX logged_sessions_by_day ON logged_sessions (user_id, local_date);
CREATE INDEX logged_sessions_by_plan ON logged_sessions (plan_id, started_ms);

CREATE TABLE assessments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    taken_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    value REAL NOT NULL,
    inputs TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX assessments_by_user ON assessments (user_id, taken_ms);

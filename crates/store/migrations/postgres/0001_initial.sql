-- Retrostride's first schema for PostgreSQL. Times are milliseconds since the epoch (UTC); dates
-- are ISO 'YYYY-MM-DD' text; documents shown to users are JSON text. The SQLite schema
-- (../sqlite) has the same tables and columns.

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('person', 'clinician', 'admin')),
    units TEXT NOT NULL DEFAULT 'metric',
    body_mass_kg DOUBLE PRECISION,
    birth_year BIGINT,
    created_ms BIGINT NOT NULL
);

CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions (user_id);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE screenings (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    taken_ms BIGINT NOT NULL,
    clearance TEXT NOT NULL,
    answers TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX screenings_by_user ON screenings (user_id, taken_ms);

-- Screenings are a history: a new answer is a new row, never an edit.
CREATE FUNCTION screenings_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'screenings are append-only';
END;
$$;
CREATE TRIGGER screenings_append_only BEFORE UPDATE ON screenings
    FOR EACH ROW EXECUTE FUNCTION screenings_refuse_update();

CREATE TABLE plans (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    screening_id BIGINT REFERENCES screenings (id) ON DELETE SET NULL,
    active BOOLEAN NOT NULL,
    created_ms BIGINT NOT NULL,
    protocol_id TEXT NOT NULL,
    goal TEXT NOT NULL,
    setting TEXT NOT NULL,
    level TEXT NOT NULL,
    start_date TEXT NOT NULL,
    days_per_week BIGINT NOT NULL,
    weeks BIGINT NOT NULL,
    units TEXT NOT NULL,
    clearance TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX plans_by_user ON plans (user_id, active);

CREATE TABLE planned_sessions (
    id BIGSERIAL PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    week BIGINT NOT NULL,
    session_date TEXT NOT NULL,
    backward_seconds BIGINT NOT NULL,
    total_seconds BIGINT NOT NULL,
    blocks TEXT NOT NULL,
    notes TEXT NOT NULL,
    UNIQUE (plan_id, number)
);

CREATE TABLE logged_sessions (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_id BIGINT REFERENCES plans (id) ON DELETE SET NULL,
    created_ms BIGINT NOT NULL,
    started_ms BIGINT NOT NULL,
    utc_offset_seconds BIGINT NOT NULL,
    local_date TEXT NOT NULL,
    setting TEXT NOT NULL,
    blocks TEXT NOT NULL,
    backward_seconds BIGINT NOT NULL,
    total_seconds BIGINT NOT NULL,
    rpe BIGINT,
    pain_before BIGINT,
    pain_after BIGINT,
    near_falls BIGINT NOT NULL,
    felt_safe BOOLEAN NOT NULL,
    notes TEXT NOT NULL,
    source TEXT NOT NULL,
    planned_backward_seconds BIGINT,
    kcal DOUBLE PRECISION,
    energy TEXT NOT NULL
);
CREATE INDEX logged_sessions_by_start ON logged_sessions (user_id, started_ms, id);
CREATE INDEX logged_sessions_by_day ON logged_sessions (user_id, local_date);
CREATE INDEX logged_sessions_by_plan ON logged_sessions (plan_id, started_ms);

CREATE TABLE assessments (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    taken_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    inputs TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX assessments_by_user ON assessments (user_id, taken_ms);

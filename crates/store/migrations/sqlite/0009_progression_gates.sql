-- Progression gates set by a clinician, alerts, and falls that pause progression (issue 15).
-- A session now counts actual falls (ending up on the ground) beside near-falls.
ALTER TABLE logged_sessions ADD COLUMN falls INTEGER NOT NULL DEFAULT 0 CHECK (falls BETWEEN 0 AND 20);

-- The gates in force for a walker are the newest row; older rows are the history, kept. The
-- clinician's email is kept as it was, so the walker still reads who set them after that account
-- is gone.
CREATE TABLE progression_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    walker_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    gates TEXT NOT NULL,
    set_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    set_by_email TEXT NOT NULL,
    set_ms INTEGER NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX progression_rules_by_walker ON progression_rules (walker_id, set_ms);

-- Alerts are acknowledged, never deleted: the acknowledgement (who, when, note) is kept.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    walker_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('near_fall', 'pain_rise', 'missed_sessions', 'fall')),
    session_id INTEGER REFERENCES logged_sessions (id) ON DELETE SET NULL,
    words TEXT NOT NULL,
    raised_ms INTEGER NOT NULL,
    acknowledged_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    acknowledged_by_email TEXT,
    acknowledged_ms INTEGER,
    ack_note TEXT
);
CREATE INDEX alerts_by_walker ON alerts (walker_id, raised_ms);

-- A pause lasts until resumed; at most one is in force per walker.
CREATE TABLE progression_pauses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    walker_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    paused_ms INTEGER NOT NULL,
    local_date TEXT NOT NULL,
    why TEXT NOT NULL CHECK (why IN ('fall', 'near_fall')),
    session_id INTEGER REFERENCES logged_sessions (id) ON DELETE SET NULL,
    resumed_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    resumed_by_email TEXT,
    resumed_ms INTEGER,
    resume_reason TEXT
);
CREATE UNIQUE INDEX progression_pauses_in_force ON progression_pauses (walker_id) WHERE resumed_ms IS NULL;

-- Prescribing (issue 15): a clinician's saved plan templates, the history of who changed a
-- walker's plan and why, and short clinician notes on a plan or a session, shown to the walker.
-- Everything goes with the account on delete: a template with its clinician; a change and a note
-- with the walker, and with the clinician who wrote it (the walker's plan itself stays theirs).
CREATE TABLE plan_templates (
    id BIGSERIAL PRIMARY KEY,
    clinician_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    parameters TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX plan_templates_by_clinician ON plan_templates (clinician_id);

CREATE TABLE plan_changes (
    id BIGSERIAL PRIMARY KEY,
    walker_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_id BIGINT REFERENCES plans (id) ON DELETE SET NULL,
    changed_by BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    changed_at_ms BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('assigned', 'adjusted')),
    summary TEXT NOT NULL,
    changes TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) > 0)
);
CREATE INDEX plan_changes_by_walker ON plan_changes (walker_id, changed_at_ms);

CREATE TABLE clinician_notes (
    id BIGSERIAL PRIMARY KEY,
    walker_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    clinician_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_id BIGINT REFERENCES plans (id) ON DELETE CASCADE,
    session_id BIGINT REFERENCES logged_sessions (id) ON DELETE CASCADE,
    body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    -- On exactly one thing: a plan or a session.
    CHECK ((plan_id IS NULL) <> (session_id IS NULL))
);
CREATE INDEX clinician_notes_by_walker ON clinician_notes (walker_id, created_ms);

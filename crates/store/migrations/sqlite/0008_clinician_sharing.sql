-- Sharing with a clinician by consent (issue 15). A clinician makes an invite; its code is stored
-- only as a SHA-256 hash, expires and is used once. The walker who accepts it makes a grant, which
-- records what was agreed (scope, JSON) and ends when revoked. Every read and change a clinician
-- makes of a walker's data is written to the access log, which the walker reads. The log keeps the
-- clinician's email as it was, so it still says who after the clinician's account is gone.
CREATE TABLE clinician_invites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    clinician_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_ms INTEGER,
    used_by INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX clinician_invites_by_clinician ON clinician_invites (clinician_id);

CREATE TABLE grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    walker_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    clinician_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    granted_ms INTEGER NOT NULL,
    revoked_ms INTEGER,
    scope TEXT NOT NULL
);
-- One active grant per walker and clinician: accepting a second invite keeps the first.
CREATE UNIQUE INDEX grants_active_pair ON grants (walker_id, clinician_id) WHERE revoked_ms IS NULL;
CREATE INDEX grants_by_clinician ON grants (clinician_id);

CREATE TABLE access_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    walker_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    clinician_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    clinician_email TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('read', 'change')),
    what TEXT NOT NULL,
    route TEXT NOT NULL
);
CREATE INDEX access_log_by_walker ON access_log (walker_id, at_ms);

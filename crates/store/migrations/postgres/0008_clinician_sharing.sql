-- Sharing with a clinician by consent (issue 15). A clinician makes an invite; its code is stored
-- only as a SHA-256 hash, expires and is used once. The walker who accepts it makes a grant, which
-- records what was agreed (scope, JSON) and ends when revoked. Every read and change a clinician
-- makes of a walker's data is written to the access log, which the walker reads. The log keeps the
-- clinician's email as it was, so it still says who after the clinician's account is gone.
CREATE TABLE clinician_invites (
    id BIGSERIAL PRIMARY KEY,
    clinician_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms BIGINT,
    used_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX clinician_invites_by_clinician ON clinician_invites (clinician_id);

CREATE TABLE grants (
    id BIGSERIAL PRIMARY KEY,
    walker_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    clinician_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    granted_ms BIGINT NOT NULL,
    revoked_ms BIGINT,
    scope TEXT NOT NULL
);
-- One active grant per walker and clinician: accepting a second invite keeps the first.
CREATE UNIQUE INDEX grants_active_pair ON grants (walker_id, clinician_id) WHERE revoked_ms IS NULL;
CREATE INDEX grants_by_clinician ON grants (clinician_id);

CREATE TABLE access_log (
    id BIGSERIAL PRIMARY KEY,
    walker_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    clinician_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    clinician_email TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('read', 'change')),
    what TEXT NOT NULL,
    route TEXT NOT NULL
);
CREATE INDEX access_log_by_walker ON access_log (walker_id, at_ms);

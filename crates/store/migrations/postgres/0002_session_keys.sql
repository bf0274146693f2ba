-- A client's key for a logged session, so that a retried upload (the browser's outbox after a
-- lost response) finds the session it already made instead of logging it twice.
CREATE TABLE session_keys (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_key TEXT NOT NULL,
    session_id BIGINT NOT NULL REFERENCES logged_sessions (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, client_key)
);
CREATE INDEX session_keys_by_session ON session_keys (session_id);

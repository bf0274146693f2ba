-- Motion recorded by the phone during a guided session, labelled by the planned blocks: the
-- samples (little-endian f32: t, acc x y z, gyro x y z), the blocks and the analysis.
CREATE TABLE motion_recordings (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES logged_sessions (id) ON DELETE CASCADE,
    recorded_ms BIGINT NOT NULL,
    sample_count BIGINT NOT NULL,
    samples BYTEA NOT NULL,
    blocks TEXT NOT NULL,
    analysis TEXT NOT NULL
);
CREATE UNIQUE INDEX motion_recordings_by_session ON motion_recordings (session_id);

-- Where the phone was worn while it recorded (a gait placement name such as pocket, lower-back or
-- foot, checked by the web side); NULL for recordings made before the timer asked.
ALTER TABLE motion_recordings ADD COLUMN placement TEXT;
-- The person's own answer for a recorded block ("I walked it backward"), which wins over the
-- timer's label. Kept per session and block (0-based), so a repeated upload of the recording
-- keeps it; gone with the session or the account.
CREATE TABLE motion_block_labels (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES logged_sessions (id) ON DELETE CASCADE,
    block_index INTEGER NOT NULL CHECK (block_index >= 0),
    direction TEXT NOT NULL CHECK (direction IN ('forward', 'backward')),
    labelled_ms INTEGER NOT NULL,
    PRIMARY KEY (session_id, block_index)
);

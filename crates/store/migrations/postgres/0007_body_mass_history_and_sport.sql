-- Body mass as a dated history: each entry holds from its date (the walker's local date,
-- 'YYYY-MM-DD') until the next entry's, so that a session's energy uses the body mass in force on
-- its day. The profile's current body mass is the latest entry. Kilograms, as every stored mass.
CREATE TABLE body_masses (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    from_date TEXT NOT NULL,
    kg DOUBLE PRECISION NOT NULL CHECK (kg >= 20 AND kg <= 350),
    PRIMARY KEY (user_id, from_date)
);
-- The one body mass an account had applied to every session it logged: it becomes the entry from
-- the earlier of the first session's day and the day the account was made.
INSERT INTO body_masses (user_id, from_date, kg)
SELECT u.id,
       LEAST(COALESCE((SELECT MIN(s.local_date) FROM logged_sessions s WHERE s.user_id = u.id), '9999-12-31'),
             to_char(to_timestamp(u.created_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')),
       u.body_mass_kg
FROM users u WHERE u.body_mass_kg IS NOT NULL;
ALTER TABLE users DROP COLUMN body_mass_kg;
-- What a logged session was: walking (everything logged before files kept their sport), running,
-- cycling or other. Only walking follows a plan.
ALTER TABLE logged_sessions ADD COLUMN sport TEXT NOT NULL DEFAULT 'walking'
    CHECK (sport IN ('walking', 'running', 'cycling', 'other'));

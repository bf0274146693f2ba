-- A person's calendar feed: the secret in its URL is stored only as a SHA-256 hash, like an API
-- token. One per person: making a new one replaces (and so revokes) the old.
CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL
);

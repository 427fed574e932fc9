-- Personal accounts, their API tokens and browser sessions, and the append-only audit trail.
-- Portable SQL, like the earlier migrations. Nothing secret is stored in the clear: passwords
-- as Argon2id PHC strings, tokens and session ids as SHA-256 digests.

CREATE TABLE users (
    name TEXT PRIMARY KEY,             -- lowercase a-z 0-9 . _ -
    role TEXT NOT NULL,                -- viewer | admin
    scope TEXT NOT NULL,               -- unit:ID | region:ID | all
    password_hash TEXT NOT NULL,       -- Argon2id, PHC string format
    created_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,       -- SHA-256 (hex) of the token
    user_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_name);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,          -- SHA-256 (hex) of the cookie value
    user_name TEXT NOT NULL,           -- an account, or IKM_ADMIN_TOKEN
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_name);

-- Every change made through the product, numbered from the `sequences` row 'audit' (so two
-- replicas number their events one after the other). The product never updates or deletes a row.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,                -- Unix seconds
    actor TEXT NOT NULL,               -- account name, IKM_ADMIN_TOKEN, local, cli
    action TEXT NOT NULL,              -- period.close, population.set, login.failed, …
    unit TEXT NOT NULL,                -- '' when the change belongs to no one unit
    target TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_events_by_unit ON audit_events (unit, at);
INSERT INTO sequences (name, last) VALUES ('audit', 0);

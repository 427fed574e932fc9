-- One row per response id. Portable SQL: the same migration runs on SQLite and PostgreSQL.
-- No IP address, device fingerprint or personal identifier is stored (UU 27/2022).
CREATE TABLE responses (
    id TEXT PRIMARY KEY,               -- UUID v4 made on the device; the deduplication key
    body TEXT NOT NULL,                -- the canonical ikm-response/1 JSON, to compare replays
    survey TEXT NOT NULL,
    unit TEXT,
    service TEXT NOT NULL,
    counter TEXT,
    lang TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,      -- device time, Unix seconds
    received_at BIGINT NOT NULL,       -- server time, Unix seconds
    period_at BIGINT NOT NULL,         -- the instant that decides the reporting period
    gender TEXT NOT NULL,
    age INTEGER NOT NULL,
    education TEXT NOT NULL,
    occupation TEXT NOT NULL,
    persyaratan SMALLINT NOT NULL,
    prosedur SMALLINT NOT NULL,
    waktu SMALLINT NOT NULL,
    biaya SMALLINT NOT NULL,
    produk SMALLINT NOT NULL,
    kompetensi SMALLINT NOT NULL,
    perilaku SMALLINT NOT NULL,
    sarana SMALLINT NOT NULL,
    pengaduan SMALLINT NOT NULL,
    suggestion TEXT
);

CREATE INDEX responses_by_period ON responses (period_at);

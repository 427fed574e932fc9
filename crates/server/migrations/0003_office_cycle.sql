-- The office's whole cycle: score spreads, the IPK modules, populations, closed periods and
-- the follow-up plan. Portable SQL, like the earlier migrations.

-- Per office-local day and report dimension: how many answers of each score (1–4) every
-- element got. Replaces `daily_totals` (sums only), which could not show the spread; it is
-- rebuilt from `responses` when the server starts (the meta key below is absent).
DROP TABLE daily_totals;
DELETE FROM meta WHERE key = 'utc_offset_minutes';
CREATE TABLE daily_counts (
    day BIGINT NOT NULL,
    unit TEXT NOT NULL,
    service TEXT NOT NULL,
    counter TEXT NOT NULL,
    gender TEXT NOT NULL,
    age_band TEXT NOT NULL,
    education TEXT NOT NULL,
    occupation TEXT NOT NULL,
    respondents BIGINT NOT NULL,
    persyaratan_1 BIGINT NOT NULL, persyaratan_2 BIGINT NOT NULL, persyaratan_3 BIGINT NOT NULL, persyaratan_4 BIGINT NOT NULL,
    prosedur_1 BIGINT NOT NULL, prosedur_2 BIGINT NOT NULL, prosedur_3 BIGINT NOT NULL, prosedur_4 BIGINT NOT NULL,
    waktu_1 BIGINT NOT NULL, waktu_2 BIGINT NOT NULL, waktu_3 BIGINT NOT NULL, waktu_4 BIGINT NOT NULL,
    biaya_1 BIGINT NOT NULL, biaya_2 BIGINT NOT NULL, biaya_3 BIGINT NOT NULL, biaya_4 BIGINT NOT NULL,
    produk_1 BIGINT NOT NULL, produk_2 BIGINT NOT NULL, produk_3 BIGINT NOT NULL, produk_4 BIGINT NOT NULL,
    kompetensi_1 BIGINT NOT NULL, kompetensi_2 BIGINT NOT NULL, kompetensi_3 BIGINT NOT NULL, kompetensi_4 BIGINT NOT NULL,
    perilaku_1 BIGINT NOT NULL, perilaku_2 BIGINT NOT NULL, perilaku_3 BIGINT NOT NULL, perilaku_4 BIGINT NOT NULL,
    sarana_1 BIGINT NOT NULL, sarana_2 BIGINT NOT NULL, sarana_3 BIGINT NOT NULL, sarana_4 BIGINT NOT NULL,
    pengaduan_1 BIGINT NOT NULL, pengaduan_2 BIGINT NOT NULL, pengaduan_3 BIGINT NOT NULL, pengaduan_4 BIGINT NOT NULL,
    PRIMARY KEY (day, unit, service, counter, gender, age_band, education, occupation)
);

-- The order in which responses were stored (1, 2, 3, …; NULL for rows stored before this
-- migration, which count as stored before any period was closed). Closing a period records
-- the last number, so its recap can be frozen exactly and late arrivals counted.
ALTER TABLE responses ADD COLUMN seq BIGINT;
CREATE UNIQUE INDEX responses_by_seq ON responses (seq);

-- The SPKP/SPAK answers of each response, one row per statement, for the IPK recap.
CREATE TABLE module_answers (
    response_id TEXT NOT NULL,
    module TEXT NOT NULL,              -- spkp | spak
    item TEXT NOT NULL,                -- the statement key
    score SMALLINT NOT NULL,
    PRIMARY KEY (response_id, module, item)
);

-- Service users per month (the Krejcie–Morgan population), for the office ('') or a service.
CREATE TABLE populations (
    month TEXT NOT NULL,               -- YYYY-MM
    service TEXT NOT NULL,             -- '' for the whole office
    population BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (month, service)
);

-- Closed periods: the recap is frozen at `last_seq`; later responses count as late.
CREATE TABLE period_closures (
    period TEXT PRIMARY KEY,           -- 2026-11, 2026-Q4, 2026-S2, 2026
    closed_at BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    respondents BIGINT NOT NULL        -- the period's respondents when it was closed
);

-- Every close and reopen, kept for the record.
CREATE TABLE period_events (
    period TEXT NOT NULL,
    action TEXT NOT NULL,              -- close | reopen
    at BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    respondents BIGINT NOT NULL,
    note TEXT
);
CREATE INDEX period_events_by_period ON period_events (period, at);

-- The follow-up plan (rencana tindak lanjut).
CREATE TABLE follow_ups (
    id TEXT PRIMARY KEY,
    period TEXT NOT NULL,
    element TEXT NOT NULL,
    action TEXT NOT NULL,
    responsible TEXT NOT NULL,
    due TEXT NOT NULL,                 -- YYYY-MM-DD
    status TEXT NOT NULL,              -- planned | in_progress | done
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Per office-local day and report dimension: response counts and score sums, kept in step
-- with `responses` in the same transaction. Reports sum these rows instead of every response.
CREATE TABLE daily_totals (
    day BIGINT NOT NULL,               -- office-local date, days since 1970-01-01
    unit TEXT NOT NULL,                -- '' when none
    service TEXT NOT NULL,
    counter TEXT NOT NULL,             -- '' when none
    gender TEXT NOT NULL,
    age_band TEXT NOT NULL,
    education TEXT NOT NULL,
    occupation TEXT NOT NULL,
    respondents BIGINT NOT NULL,
    persyaratan BIGINT NOT NULL,
    prosedur BIGINT NOT NULL,
    waktu BIGINT NOT NULL,
    biaya BIGINT NOT NULL,
    produk BIGINT NOT NULL,
    kompetensi BIGINT NOT NULL,
    perilaku BIGINT NOT NULL,
    sarana BIGINT NOT NULL,
    pengaduan BIGINT NOT NULL,
    PRIMARY KEY (day, unit, service, counter, gender, age_band, education, occupation)
);

-- Settings the stored totals depend on (the office time zone's offset in minutes).
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

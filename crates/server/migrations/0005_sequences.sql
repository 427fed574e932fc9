-- Storing order numbered from one row instead of `MAX(seq) + 1`: the row is locked by the
-- transaction that takes a number, so two `ikm serve` processes on one PostgreSQL number
-- their responses one after the other, and a closing (which takes the same row) sees every
-- response numbered before it.
CREATE TABLE sequences (
    name TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);
INSERT INTO sequences (name, last) SELECT 'responses', COALESCE(MAX(seq), 0) FROM responses;

-- How many responses answered each module per office-local day and report dimension; before,
-- these were marker rows (item '', score 0) in `daily_module_counts`. Both tables are rebuilt
-- from `module_answers` when the server starts (the meta key below is gone).
CREATE TABLE daily_module_respondents (
    day BIGINT NOT NULL,
    unit TEXT NOT NULL,                -- '' when none (a key column cannot be NULL)
    service TEXT NOT NULL,
    counter TEXT NOT NULL,             -- '' when none
    module TEXT NOT NULL,
    respondents BIGINT NOT NULL,
    PRIMARY KEY (day, unit, service, counter, module)
);
DELETE FROM meta WHERE key = 'daily_module_counts_utc_offset_minutes';

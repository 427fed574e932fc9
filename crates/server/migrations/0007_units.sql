-- Many units in one deployment: the office records belong to a unit ('' for a single office
-- without a unit id; such rows are adopted by the unit once the office names one). Tables
-- whose key gains the unit are rebuilt (SQLite cannot change a primary key in place).

CREATE TABLE populations_by_unit (
    unit TEXT NOT NULL,
    month TEXT NOT NULL,               -- YYYY-MM
    service TEXT NOT NULL,             -- '' for the whole unit
    population BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (unit, month, service)
);
INSERT INTO populations_by_unit (unit, month, service, population, updated_at)
    SELECT '', month, service, population, updated_at FROM populations;
DROP TABLE populations;
ALTER TABLE populations_by_unit RENAME TO populations;

CREATE TABLE period_closures_by_unit (
    unit TEXT NOT NULL,
    period TEXT NOT NULL,              -- 2026-11, 2026-Q4, 2026-S2, 2026
    closed_at BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    respondents BIGINT NOT NULL,
    PRIMARY KEY (unit, period)
);
INSERT INTO period_closures_by_unit (unit, period, closed_at, last_seq, respondents)
    SELECT '', period, closed_at, last_seq, respondents FROM period_closures;
DROP TABLE period_closures;
ALTER TABLE period_closures_by_unit RENAME TO period_closures;

ALTER TABLE period_events ADD COLUMN unit TEXT NOT NULL DEFAULT '';
ALTER TABLE follow_ups ADD COLUMN unit TEXT NOT NULL DEFAULT '';
CREATE INDEX follow_ups_by_unit ON follow_ups (unit, period);

-- A unit's recap reads only its own rows of the per-day tables and of `responses`.
CREATE INDEX daily_counts_by_unit ON daily_counts (unit, day);
CREATE INDEX daily_module_counts_by_unit ON daily_module_counts (unit, day);
CREATE INDEX daily_module_respondents_by_unit ON daily_module_respondents (unit, day);
CREATE INDEX responses_by_unit ON responses (unit, period_at);

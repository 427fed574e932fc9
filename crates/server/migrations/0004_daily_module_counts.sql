-- Per office-local day and report dimension: how many answers of each score each SPKP/SPAK
-- statement got, and (item '', score 0) how many responses answered the module. Kept in step
-- with `module_answers` in the same transaction; reports sum these rows instead of joining
-- every module answer to its response. Rebuilt when the server starts if the time zone
-- changed (or never built).
CREATE TABLE daily_module_counts (
    day BIGINT NOT NULL,
    unit TEXT NOT NULL,
    service TEXT NOT NULL,
    counter TEXT NOT NULL,
    module TEXT NOT NULL,
    item TEXT NOT NULL,
    score SMALLINT NOT NULL,
    answers BIGINT NOT NULL,
    PRIMARY KEY (day, unit, service, counter, module, item, score)
);

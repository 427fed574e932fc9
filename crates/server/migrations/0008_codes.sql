-- Service codes (docs/codes.md). A response sent with a valid code is `verified`; the code
-- itself is not kept with it: `used_codes` holds only a keyed digest per unit, which makes a
-- code single-use without linking it to the response it came with.
ALTER TABLE responses ADD COLUMN verified SMALLINT NOT NULL DEFAULT 0;

CREATE TABLE used_codes (
    unit TEXT NOT NULL,                -- '' for a single office without a unit id
    digest TEXT NOT NULL,              -- HMAC-SHA256(unit key, "ikm-code-used/1" 0x00 code), hex
    PRIMARY KEY (unit, digest)
);

-- The serials the collector gave out (`ikm codes`, POST /api/v1/codes), per unit, service and
-- issue day, so two batches never repeat one. Queue machines mint from 65536 up on their own.
CREATE TABLE code_serials (
    unit TEXT NOT NULL,
    service TEXT NOT NULL,
    day BIGINT NOT NULL,               -- days since 1970-01-01
    last BIGINT NOT NULL,              -- the highest serial given out
    PRIMARY KEY (unit, service, day)
);

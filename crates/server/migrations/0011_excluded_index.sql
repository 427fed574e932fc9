-- The recaps over many units count each unit's excluded responses by reason; few responses
-- are excluded, so a partial index finds them without reading the period's other rows.
CREATE INDEX responses_excluded ON responses (unit, period_at) WHERE excluded_reason IS NOT NULL;

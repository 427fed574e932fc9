-- Review (docs/review.md): a response left out of the recap keeps its row, with why, by whom
-- and when; the per-day tables count only the responses not excluded. Undoing an exclusion
-- clears the three columns; the audit trail keeps both changes.
ALTER TABLE responses ADD COLUMN excluded_reason TEXT;
ALTER TABLE responses ADD COLUMN excluded_by TEXT;
ALTER TABLE responses ADD COLUMN excluded_at BIGINT;

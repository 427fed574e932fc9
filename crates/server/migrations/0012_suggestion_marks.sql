-- Suggestions put to work (docs/suggestions.md): staff mark a suggestion as a complaint that
-- needs an answer, and approve the ones the waiting-room screen may show. A mark changes no
-- figure of the index; the audit trail keeps every change with its author.
ALTER TABLE responses ADD COLUMN suggestion_complaint SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE responses ADD COLUMN suggestion_on_tv SMALLINT NOT NULL DEFAULT 0;

-- The suggestions a follow-up action cites: response ids separated by spaces ('' for none).
ALTER TABLE follow_ups ADD COLUMN suggestions TEXT NOT NULL DEFAULT '';

-- Version 3: summary turns. A thread too long for a model's context window gets a summary of its older turns, written
-- by a model and stored as a turn of role SUMMARY; `summary` says which turns it covers and who wrote it (SummaryMeta
-- as JSON: through_turn, provider, model). Turns are numbered from 1 in seq order, archived ones included.
ALTER TABLE turn DROP CONSTRAINT turn_role_check;
ALTER TABLE turn ADD CONSTRAINT turn_role_check CHECK (role IN ('USER', 'ASSISTANT', 'SYSTEM', 'SUMMARY'));
ALTER TABLE turn ADD COLUMN summary json;
ALTER TABLE turn ADD CONSTRAINT turn_summary_check CHECK ((role = 'SUMMARY') = (summary IS NOT NULL));

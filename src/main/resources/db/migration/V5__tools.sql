-- Issue 21: tool calls are stored as turns of their own (role TOOL), before the answer they served.
-- The role check is rebuilt with every role known by then (SUMMARY comes with V3 on another branch; listing it here
-- keeps this migration from taking it away again when both are applied).
ALTER TABLE turn DROP CONSTRAINT IF EXISTS turn_role_check;
ALTER TABLE turn ADD CONSTRAINT turn_role_check CHECK (role IN ('USER', 'ASSISTANT', 'SYSTEM', 'SUMMARY', 'TOOL'));

-- Usage counts the model turns with tool calls of each reply.
ALTER TABLE usage_record ADD COLUMN tool_steps integer NOT NULL DEFAULT 0 CHECK (tool_steps >= 0);

-- Switchboard's state on PostgreSQL, version 2: people's verdicts (👍 / 👎) on answers, one per person per answer.
-- A verdict belongs to the assistant turn it was given on: deleting the thread (forget, retention) deletes it;
-- forgetting a user deletes the verdicts they gave. Text columns are escaped as in version 1 (see PgText).
CREATE TABLE feedback (
    conversation_id bigint      NOT NULL,
    -- the assistant turn the verdict is on
    turn_seq        integer     NOT NULL,
    -- the turn's first platform message id: the answer, whichever of its messages was pressed
    answer          text        NOT NULL,
    user_id         text        NOT NULL,
    verdict         text        NOT NULL CHECK (verdict IN ('GOOD', 'BAD')),
    at              timestamptz NOT NULL,
    at_ns           smallint    NOT NULL DEFAULT 0 CHECK (at_ns BETWEEN 0 AND 999),
    -- who answered, from the turn's AssistantMeta, kept so tallies need not read the turns
    provider        text        NOT NULL,
    model           text        NOT NULL,
    PRIMARY KEY (conversation_id, turn_seq, user_id),
    FOREIGN KEY (conversation_id, turn_seq) REFERENCES turn (conversation_id, seq) ON DELETE CASCADE
);
CREATE INDEX feedback_by_user ON feedback (user_id);

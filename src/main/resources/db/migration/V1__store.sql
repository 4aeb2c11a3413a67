-- Switchboard's state on PostgreSQL, version 1: the same data the JSON files hold.
-- Text from chat platforms may hold U+0000, which PostgreSQL text cannot: such values are stored escaped by the
-- application (see PgText), so every text column here holds either the value itself or its marked escape.

-- One row per thread. Appends lock this row (the upsert that allocates the turn's sequence number), so turns of one
-- thread are ordered while different threads proceed in parallel; `version` grows with every change so a cached copy
-- can tell whether it is still current.
CREATE TABLE conversation (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform        text        NOT NULL,
    workspace       text        NOT NULL,
    channel         text        NOT NULL,
    thread          text        NOT NULL,
    started_at      timestamptz NOT NULL,
    started_ns      smallint    NOT NULL DEFAULT 0 CHECK (started_ns BETWEEN 0 AND 999),
    updated_at      timestamptz NOT NULL,
    updated_ns      smallint    NOT NULL DEFAULT 0 CHECK (updated_ns BETWEEN 0 AND 999),
    -- the month the thread started in (UTC), as the file store partitions by it
    partition_month date        NOT NULL,
    -- names and values escaped as text columns are (see PgText), so jsonb holds them
    metadata        jsonb       NOT NULL DEFAULT '{}',
    turn_count      integer     NOT NULL DEFAULT 0 CHECK (turn_count >= 0),
    next_seq        integer     NOT NULL DEFAULT 0,
    -- turns before recent_from are archived: counted by a load, not returned (the current file of the file store);
    -- the boundary moves on a write, as a file rolls, so it does not depend on the reader
    recent_from     integer     NOT NULL DEFAULT 0,
    archived_count  integer     NOT NULL DEFAULT 0 CHECK (archived_count >= 0),
    version         bigint      NOT NULL DEFAULT 0,
    CONSTRAINT conversation_key UNIQUE (platform, workspace, channel, thread)
);
CREATE INDEX conversation_by_channel ON conversation (platform, workspace, channel, partition_month);
CREATE INDEX conversation_by_update ON conversation (updated_at, updated_ns);

-- Turns in the order they were appended: seq is allocated under the conversation's row lock.
CREATE TABLE turn (
    conversation_id bigint      NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
    seq             integer     NOT NULL,
    role            text        NOT NULL CHECK (role IN ('USER', 'ASSISTANT', 'SYSTEM')),
    author_id       text        NOT NULL,
    author_name     text        NOT NULL,
    text            text        NOT NULL,
    at              timestamptz NOT NULL,
    -- nanoseconds below the microsecond timestamptz keeps, so a turn reads back exactly as written
    at_ns           smallint    NOT NULL DEFAULT 0 CHECK (at_ns BETWEEN 0 AND 999),
    message_ids     text[]      NOT NULL,
    -- AssistantMeta as JSON on assistant turns (json, not jsonb: it keeps escaped U+0000 as written)
    assistant       json,
    PRIMARY KEY (conversation_id, seq),
    CHECK ((role = 'ASSISTANT') = (assistant IS NOT NULL))
);
CREATE INDEX turn_by_author ON turn (author_id) WHERE role <> 'ASSISTANT';

-- Platform messages already taken: the primary key makes a second delivery of a message a conflict the database
-- reports, whichever process or thread stores it. answered_seq is the assistant turn that answered it.
CREATE TABLE seen_message (
    conversation_id bigint      NOT NULL,
    message_id      text        NOT NULL,
    platform        text        NOT NULL,
    turn_seq        integer     NOT NULL,
    -- position of the id among its turn's message ids: only a turn's first id decides whether it was answered
    ordinal         smallint    NOT NULL,
    at              timestamptz NOT NULL,
    answered_seq    integer,
    PRIMARY KEY (conversation_id, message_id),
    FOREIGN KEY (conversation_id, turn_seq) REFERENCES turn (conversation_id, seq) ON DELETE CASCADE
);
CREATE INDEX seen_unanswered ON seen_message (platform, at) WHERE answered_seq IS NULL AND ordinal = 0;

-- Operator settings: one document, replaced as a whole.
CREATE TABLE operator_settings (
    id       smallint    PRIMARY KEY CHECK (id = 1),
    settings json        NOT NULL,
    saved_at timestamptz NOT NULL
);

-- The audit log: rows are only ever inserted. The triggers refuse UPDATE, DELETE and TRUNCATE to every role that
-- does not own the table and first drops them; give the service a role that does not own the schema to make that
-- a guarantee rather than a convention.
CREATE TABLE audit_log (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    platform    text        NOT NULL,
    user_id     text        NOT NULL,
    command     text        NOT NULL,
    result      text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- Usage of every reply; reports group it in SQL.
CREATE TABLE usage_record (
    id            bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz      NOT NULL,
    platform      text             NOT NULL,
    workspace     text             NOT NULL,
    channel       text             NOT NULL,
    user_id       text             NOT NULL,
    provider      text             NOT NULL,
    model         text             NOT NULL,
    input_tokens  bigint           NOT NULL CHECK (input_tokens >= 0),
    output_tokens bigint           NOT NULL CHECK (output_tokens >= 0),
    cost_usd      double precision NOT NULL
);
CREATE INDEX usage_by_time ON usage_record (at);
CREATE INDEX usage_by_user ON usage_record (platform, user_id);

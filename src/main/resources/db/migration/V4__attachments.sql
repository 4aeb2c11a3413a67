-- Attachments, version 4: the files that came with users' messages.
-- A turn refers to its files by name, type, size and content hash (json, like `assistant`, so escaped U+0000 in a
-- file name stays as written); the bytes are kept once per hash and thread, and go with the thread.
ALTER TABLE turn ADD COLUMN attachments json;

CREATE TABLE attachment_blob (
    conversation_id bigint NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
    sha256          text   NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    bytes           bytea  NOT NULL,
    PRIMARY KEY (conversation_id, sha256)
);

-- Several nodes as one bot (cluster.enabled): each node's heartbeat, and which node answers which thread.

-- One row per node, upserted on every heartbeat. A node whose beat is older than the lease is dead; its row stays
-- (for the status page) until it is an hour old.
CREATE TABLE cluster_node (
    node_id    text        PRIMARY KEY,
    started_at timestamptz NOT NULL,
    beat_at    timestamptz NOT NULL,
    -- replies waiting or streaming on the node at its last beat
    load       integer     NOT NULL DEFAULT 0 CHECK (load >= 0),
    -- what the node serves, as operators read it ("slack, discord")
    serves     text        NOT NULL DEFAULT ''
);

-- One writer per thread: the node answering a thread holds its lease, renewed with its heartbeat and deleted when
-- its queue for the thread is empty. A lease whose expires_at is past may be taken by any node (INSERT ... ON
-- CONFLICT DO UPDATE ... WHERE expired), which is how a dead node's threads are taken over. Times are the
-- database's, so the nodes' clocks need not agree.
CREATE TABLE thread_lease (
    conversation_id bigint      PRIMARY KEY REFERENCES conversation (id) ON DELETE CASCADE,
    node_id         text        NOT NULL,
    expires_at      timestamptz NOT NULL
);
CREATE INDEX thread_lease_by_node ON thread_lease (node_id);

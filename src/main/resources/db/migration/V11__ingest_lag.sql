-- How late each node stores the messages that reach it: the longest time, over its last minute, from a message being
-- written on the platform to its being stored here, in milliseconds, written with every heartbeat. In a thread shared
-- by several nodes a reply waits for its message to be at least as old as the slowest live node's figure (plus a
-- margin), so a message written just before it and delivered to a slower node is stored, and answered first.
ALTER TABLE cluster_node ADD COLUMN ingest_lag_ms integer NOT NULL DEFAULT 0 CHECK (ingest_lag_ms >= 0);

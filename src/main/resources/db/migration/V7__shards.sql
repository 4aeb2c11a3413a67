-- Discord shards spread over the nodes (cluster.enabled without discord.shards.first/last): which node runs which
-- shard, by lease, so that exactly one node at a time receives a shard's events.

-- The nodes taking part in the spreading, each renewing its row with every round; a row older than the lease is a
-- node that stopped or died. Only these count when the shards are shared out (a node without Discord does not).
CREATE TABLE discord_shard_node (
    node_id     text        PRIMARY KEY,
    shard_total integer     NOT NULL CHECK (shard_total > 0),
    seen_at     timestamptz NOT NULL
);

-- One row per shard a node runs, renewed with its rounds and deleted once the node has closed the shard's gateway
-- connection. A lease whose expires_at is past may be taken by any node (a dead node's shards). Times are the
-- database's, so the nodes' clocks need not agree.
CREATE TABLE discord_shard (
    shard_total integer     NOT NULL CHECK (shard_total > 0),
    shard_id    integer     NOT NULL CHECK (shard_id >= 0 AND shard_id < shard_total),
    node_id     text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (shard_total, shard_id)
);
CREATE INDEX discord_shard_by_node ON discord_shard (node_id);

-- Discord's gateway lets a bot IDENTIFY once per 5 seconds per bucket (shard id modulo max_concurrency), counted for
-- the whole bot, however many processes run its shards. The nodes of a cluster take turns through this table: each
-- IDENTIFY first moves its bucket's next free time on by the spacing and waits until the time it took. Times are the
-- database's, so the nodes' clocks need not agree.
CREATE TABLE discord_identify (
    bucket  integer     PRIMARY KEY CHECK (bucket >= 0),
    next_at timestamptz NOT NULL
);

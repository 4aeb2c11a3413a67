-- Each user's allowance of new messages, shared by the nodes of a cluster: a token bucket per user (platform and
-- user id), refilled greedily from the moment `at` by the database's clock.
CREATE TABLE user_allowance (
    user_key text PRIMARY KEY,
    tokens   double precision NOT NULL,
    at       timestamptz NOT NULL
);

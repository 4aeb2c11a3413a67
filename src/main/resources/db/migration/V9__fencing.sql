-- Fencing for the thread leases (cluster.enabled): every grant of a thread's lease to a node that did not hold it
-- takes a new epoch from one sequence, so epochs only grow and are never given out twice, even after a lease row was
-- deleted and made again. A node stores an answer only while the lease row still names it with the epoch its reply
-- started under (checked in the answer's own transaction), so a node that stalled past its lease and was replaced
-- cannot store a second answer.
CREATE SEQUENCE thread_lease_epoch;
ALTER TABLE thread_lease ADD COLUMN epoch bigint NOT NULL DEFAULT nextval('thread_lease_epoch');

package dev.switchboard.store.postgres;

import dev.switchboard.conversation.ConversationKey;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The rows through which several nodes act as one bot: each node's heartbeat ({@code cluster_node}) and the lease on
 * each thread being answered ({@code thread_lease}). Every time compared here is the database's, so the nodes' clocks
 * need not agree. Thread-safe; holds no state of its own beyond the node's id and the lease length.
 */
public final class PostgresCluster {

    /** A node whose heartbeat row is this old is forgotten: the status page stops listing it. */
    private static final Duration FORGET_AFTER = Duration.ofHours(1);

    /**
     * One node as its heartbeat row shows it.
     *
     * @param nodeId its id
     * @param startedAt when it started
     * @param sinceBeat how long ago its last heartbeat was, by the database's clock
     * @param load replies waiting or streaming on it at that beat
     * @param serves what it serves, as operators read it
     * @param alive whether the beat is within the lease
     */
    public record Node(String nodeId, Instant startedAt, Duration sinceBeat, int load, String serves, boolean alive) {
        public Node {
            Objects.requireNonNull(nodeId, "nodeId");
        }
    }

    private final Database database;
    private final String nodeId;
    private final Duration lease;

    PostgresCluster(Database database, String nodeId, Duration lease) {
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("a node needs an id");
        }
        if (lease.toMillis() < 100) {
            throw new IllegalArgumentException("a lease must last at least 100 ms, was " + lease);
        }
        this.database = database;
        this.nodeId = nodeId;
        this.lease = lease;
    }

    public String nodeId() {
        return nodeId;
    }

    public Duration lease() {
        return lease;
    }

    /**
     * What a heartbeat found.
     *
     * @param renewed the leases of those the node holds still its own and renewed
     * @param slowestIngest the longest ingest lag a live node (this one included) wrote with its last beat
     */
    public record Beat(Set<Long> renewed, Duration slowestIngest) {
        public Beat {
            renewed = Set.copyOf(renewed);
        }
    }

    /**
     * This node's heartbeat: its row upserted, the leases it {@code holds} renewed for another lease length, and any
     * other lapsed lease still under its name (a release that failed) dropped.
     *
     * @param ingestLag how late this node has stored the messages reaching it lately (its longest lag)
     * @param holds the conversation ids whose leases this node holds
     * @return the ones of {@code holds} still this node's and renewed (the others were taken over while it stalled),
     *     and the slowest live node's ingest lag
     */
    public Beat beat(Instant startedAt, int load, Duration ingestLag, String serves, Collection<Long> holds) {
        return database.inTransaction(QueryKind.CLUSTER, "heartbeat", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO cluster_node (node_id, started_at, beat_at, load, serves, ingest_lag_ms)
                    VALUES (?, ?, now(), ?, ?, ?)
                    ON CONFLICT (node_id) DO UPDATE SET beat_at = now(), load = EXCLUDED.load,
                        serves = EXCLUDED.serves, ingest_lag_ms = EXCLUDED.ingest_lag_ms""")) {
                PgText.setText(ps, 1, nodeId);
                PgText.setInstant(ps, 2, startedAt);
                ps.setInt(3, Math.max(0, load));
                PgText.setText(ps, 4, serves);
                ps.setInt(5, (int) Math.min(Integer.MAX_VALUE, Math.max(0, ingestLag.toMillis())));
                ps.executeUpdate();
            }
            Array ids = c.createArrayOf("bigint", holds.toArray(Long[]::new));
            Set<Long> renewed = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE thread_lease SET expires_at = now() + ? * interval '1 millisecond'
                    WHERE node_id = ? AND conversation_id = ANY (?) RETURNING conversation_id""")) {
                ps.setLong(1, lease.toMillis());
                PgText.setText(ps, 2, nodeId);
                ps.setArray(3, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        renewed.add(rs.getLong(1));
                    }
                }
            }
            // Only lapsed ones: a lease taken since the list of held ones was made is not in it, and is renewed.
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM thread_lease WHERE node_id = ?"
                    + " AND NOT (conversation_id = ANY (?)) AND expires_at < now()")) {
                PgText.setText(ps, 1, nodeId);
                ps.setArray(2, ids);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM cluster_node WHERE beat_at < now() - ? * interval '1 millisecond'")) {
                ps.setLong(1, FORGET_AFTER.toMillis());
                ps.executeUpdate();
            }
            long slowest;
            try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(ingest_lag_ms), 0) FROM cluster_node"
                    + " WHERE beat_at >= now() - ? * interval '1 millisecond'")) {
                ps.setLong(1, lease.toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    slowest = rs.getLong(1);
                }
            }
            return new Beat(renewed, Duration.ofMillis(slowest));
        });
    }

    /**
     * This node leaves: its remaining leases are given up and its heartbeat row removed, so the other nodes take its
     * threads at their next poll instead of after the lease.
     */
    public void leave() {
        database.inTransaction(QueryKind.CLUSTER, "leaving the cluster", c -> {
            for (String sql : new String[] {"DELETE FROM thread_lease WHERE node_id = ?",
                    "DELETE FROM cluster_node WHERE node_id = ?"}) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    PgText.setText(ps, 1, nodeId);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    /** Every node with a recent heartbeat row, this one included, by id. */
    public List<Node> nodes() {
        return database.read(QueryKind.CLUSTER, "listing the nodes", c -> {
            List<Node> nodes = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT node_id, started_at, load, serves,
                           (extract(epoch FROM now() - beat_at) * 1000)::bigint AS since_ms
                    FROM cluster_node ORDER BY node_id""");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Duration since = Duration.ofMillis(Math.max(0, rs.getLong("since_ms")));
                    nodes.add(new Node(PgText.text(rs, "node_id"), PgText.instant(rs, "started_at"), since,
                            rs.getInt("load"), PgText.text(rs, "serves"), since.compareTo(lease) <= 0));
                }
            }
            return nodes;
        });
    }

    /** This node's thread leases as fenced grants. */
    public PostgresLeases leases() {
        return new PostgresLeases(database, nodeId, lease);
    }

    /**
     * Gives a thread's lease up, if this node holds it.
     *
     * @return whether the thread still has a stored message without an answer: one another node took while this one
     *     held the lease, which someone must now answer
     */
    public boolean release(long conversationId) {
        return database.inTransaction(QueryKind.CLUSTER, "giving a thread's lease up", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM thread_lease WHERE conversation_id = ? AND node_id = ?")) {
                ps.setLong(1, conversationId);
                PgText.setText(ps, 2, nodeId);
                ps.executeUpdate();
            }
            return unanswered(c, conversationId);
        });
    }

    private static boolean unanswered(Connection c, long conversationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT EXISTS (SELECT 1 FROM seen_message
                               WHERE conversation_id = ? AND answered_seq IS NULL AND ordinal = 0)""")) {
            ps.setLong(1, conversationId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** The threads whose lease another node holds and has not let expire: theirs to answer. */
    public Set<ConversationKey> heldElsewhere() {
        return database.read(QueryKind.CLUSTER, "listing the threads other nodes answer", c -> {
            Set<ConversationKey> held = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT c.platform, c.workspace, c.channel, c.thread FROM thread_lease l
                    JOIN conversation c ON c.id = l.conversation_id
                    WHERE l.node_id <> ? AND l.expires_at >= now()""")) {
                PgText.setText(ps, 1, nodeId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        held.add(ConversationRows.key(rs));
                    }
                }
            }
            return held;
        });
    }
}

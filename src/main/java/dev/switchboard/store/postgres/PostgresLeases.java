package dev.switchboard.store.postgres;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.LeaseLostException;
import dev.switchboard.conversation.LeaseToken;
import dev.switchboard.conversation.Turn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The thread leases of one node as fenced grants ({@code thread_lease.epoch}, migration V9): taking a lease says who
 * holds it when this node does not, so the message this node stored can be signalled to the holder; every grant to a
 * node that did not hold the lease takes a new epoch, and an answer is stored only under the epoch its reply started
 * with ({@link #requireHeld}). Times are the database's. Thread-safe; stateless beyond the node's id and lease length.
 */
public final class PostgresLeases {

    /** What asking for a thread's lease gave. */
    public sealed interface Grant {
        /** The stored thread's id. */
        long conversationId();
    }

    /** This node holds the lease now, under {@code epoch}. */
    public record Granted(long conversationId, long epoch) implements Grant { }

    /** Another live node holds it: {@code holder} answers the thread's stored messages. */
    public record HeldElsewhere(long conversationId, String holder) implements Grant { }

    private final Database database;
    private final String nodeId;
    private final Duration lease;

    PostgresLeases(Database database, String nodeId, Duration lease) {
        this.database = database;
        this.nodeId = nodeId;
        this.lease = lease;
    }

    /**
     * Takes or keeps the lease on a stored thread: granted when no node holds it, this node does (its epoch kept), or
     * its holder's lease expired (a new epoch). Atomic: of two nodes asking at once, one gets it.
     *
     * @return null when the thread is not stored
     */
    public Grant acquire(ConversationKey key) {
        return database.inTransaction(QueryKind.CLUSTER, "taking a thread's lease", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO thread_lease (conversation_id, node_id, expires_at)
                    SELECT id, ?, now() + ? * interval '1 millisecond' FROM conversation WHERE
                    """ + ConversationRows.KEY_MATCHES + """

                    ON CONFLICT (conversation_id) DO UPDATE SET node_id = EXCLUDED.node_id,
                        expires_at = EXCLUDED.expires_at,
                        epoch = CASE WHEN thread_lease.node_id = EXCLUDED.node_id THEN thread_lease.epoch
                                     ELSE EXCLUDED.epoch END
                    WHERE thread_lease.node_id = EXCLUDED.node_id OR thread_lease.expires_at < now()
                    RETURNING conversation_id, epoch""")) {
                PgText.setText(ps, 1, nodeId);
                ps.setLong(2, lease.toMillis());
                ConversationRows.bindKey(ps, 3, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new Granted(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
            return holder(c, key);
        });
    }

    private static Grant holder(Connection c, ConversationKey key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT l.conversation_id, l.node_id FROM thread_lease l JOIN conversation c ON c.id = l.conversation_id
                WHERE c.""" + ConversationRows.KEY_MATCHES.replace(" AND ", " AND c."))) {
            ConversationRows.bindKey(ps, 1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new HeldElsewhere(rs.getLong(1), PgText.text(rs, "node_id")) : null;
            }
        }
    }

    /**
     * The thread's stored user messages that have no answer, in stored order: what its holder answers, oldest first.
     */
    public List<Turn> unanswered(ConversationKey key) {
        return database.read(QueryKind.SEEN, "finding a thread's unanswered messages", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + TurnRows.COLUMNS + """
                     FROM seen_message s
                    JOIN conversation c ON c.id = s.conversation_id
                    JOIN turn t ON t.conversation_id = s.conversation_id AND t.seq = s.turn_seq
                    WHERE s.answered_seq IS NULL AND s.ordinal = 0 AND c."""
                    + ConversationRows.KEY_MATCHES.replace(" AND ", " AND c.") + " ORDER BY t.seq")) {
                ConversationRows.bindKey(ps, 1, key);
                List<Turn> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(TurnRows.read(rs));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Within a transaction writing to the thread {@code conversationId}: goes on only while {@code lease} is still
     * the thread's lease, and keeps it so until the transaction ends (the row is share-locked: a takeover waits).
     *
     * @throws LeaseLostException if another node holds it now, or it was given again under a newer epoch
     */
    static void requireHeld(Connection c, long conversationId, LeaseToken lease) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM thread_lease WHERE conversation_id = ? AND node_id = ? AND epoch = ? FOR SHARE")) {
            ps.setLong(1, conversationId);
            PgText.setText(ps, 2, lease.holder());
            ps.setLong(3, lease.epoch());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new LeaseLostException("the thread's lease (epoch " + lease.epoch() + ") is no longer "
                            + lease.holder() + "'s");
                }
            }
        }
    }
}

package dev.switchboard.store.postgres;

import dev.switchboard.conversation.Attachment;
import dev.switchboard.conversation.ConversationKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Attachments' bytes as rows of {@code attachment_blob}, once per hash and thread. Stateless. */
final class BlobRows {

    private BlobRows() {
    }

    /**
     * Replaces the files of the user turn carrying {@code messageId} and keeps their blobs.
     *
     * @return whether such a turn is stored
     */
    static boolean attach(Connection c, long conversationId, String messageId, List<Attachment> attachments,
                          Map<String, byte[]> blobs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE turn SET attachments = ?::json"
                + " WHERE conversation_id = ? AND role = 'USER' AND ? = ANY (message_ids)")) {
            ps.setString(1, TurnRows.attachmentsJson(attachments));
            ps.setLong(2, conversationId);
            PgText.setText(ps, 3, messageId);
            if (ps.executeUpdate() == 0) {
                return false;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO attachment_blob (conversation_id, sha256, bytes)"
                + " VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Attachment a : attachments) {
                for (String hash : a.blobs()) {
                    byte[] bytes = blobs.get(hash);
                    if (bytes == null) {
                        continue;
                    }
                    if (!Attachment.sha256(bytes).equals(hash)) {
                        throw new IllegalArgumentException("a blob does not hash to its key");
                    }
                    ps.setLong(1, conversationId);
                    ps.setString(2, hash);
                    ps.setBytes(3, bytes);
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE conversation SET version = version + 1 WHERE id = ?")) {
            ps.setLong(1, conversationId);
            ps.executeUpdate();
        }
        return true;
    }

    static Optional<byte[]> read(Connection c, ConversationKey key, String sha256) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT b.bytes FROM attachment_blob b"
                + " JOIN conversation c ON c.id = b.conversation_id WHERE "
                + ConversationRows.KEY_MATCHES.replace("platform", "c.platform") + " AND b.sha256 = ?")) {
            ps.setString(ConversationRows.bindKey(ps, 1, key), sha256);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        }
    }

    /** Deletes the blobs of these threads that no turn refers to any more (a user's turns were removed). */
    static void collect(Connection c, Long[] conversationIds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                DELETE FROM attachment_blob b WHERE b.conversation_id = ANY (?) AND NOT EXISTS (
                    SELECT 1 FROM turn t, json_array_elements(t.attachments) a
                    WHERE t.conversation_id = b.conversation_id AND t.attachments IS NOT NULL
                      AND (a->>'sha256' = b.sha256 OR a->>'text_sha256' = b.sha256))""")) {
            ps.setArray(1, c.createArrayOf("bigint", conversationIds));
            ps.executeUpdate();
        }
    }
}

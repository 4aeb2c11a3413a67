package dev.switchboard.store.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Rows of {@code conversation}: the upsert every change goes through, and reading one back. Stateless. */
final class ConversationRows {

    /** The key's columns in a WHERE clause, for {@link #bindKey}. */
    static final String KEY_MATCHES = "platform = ? AND workspace = ? AND channel = ? AND thread = ?";
    static final String COLUMNS = "id, version, turn_count, next_seq, recent_from, archived_count, started_at,"
            + " started_ns, updated_at, updated_ns, metadata";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A conversation row as last read or written.
     *
     * @param nextSeq after {@link #change}, one past the sequence number the change may use
     */
    record Row(long id, long version, int turnCount, int nextSeq, int recentFrom, int archivedCount,
               Instant startedAt, Instant updatedAt, Map<String, String> metadata) {

        /** Turns a load returns. */
        int recentCount() {
            return turnCount - archivedCount;
        }

        Conversation with(ConversationKey key, List<Turn> recent) {
            return new Conversation(key, startedAt, updatedAt, metadata, archivedCount, recent);
        }
    }

    private ConversationRows() {
    }

    static int bindKey(PreparedStatement ps, int from, ConversationKey key) throws SQLException {
        PgText.setText(ps, from, key.platform());
        PgText.setText(ps, from + 1, key.workspace());
        PgText.setText(ps, from + 2, key.channel());
        PgText.setText(ps, from + 3, key.thread());
        return from + 4;
    }

    /**
     * Creates or changes a conversation's row, holding its lock until the transaction ends: the one place that
     * serialises changes to a thread across threads and processes.
     *
     * @param startedAt when a conversation created now starts
     * @param at when the change happened: the conversation's updated time moves to it unless it is already later
     * @param turns turns the change adds (0 or 1)
     * @param put a metadata entry to set, or null
     * @param remove a metadata name to remove, or null
     */
    static Row change(Connection c, ConversationKey key, Instant startedAt, Instant at, int turns,
                      Map<String, String> put, String remove) throws SQLException {
        Instant firstUpdate = at.isAfter(startedAt) ? at : startedAt;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO conversation AS c (platform, workspace, channel, thread, started_at, started_ns,
                    updated_at, updated_ns, partition_month, metadata, turn_count, next_seq, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, 1)
                ON CONFLICT (platform, workspace, channel, thread) DO UPDATE SET
                    turn_count = c.turn_count + EXCLUDED.turn_count,
                    next_seq = c.next_seq + EXCLUDED.next_seq,
                    version = c.version + 1,
                    metadata = (c.metadata || EXCLUDED.metadata) - ?::text[],
                    updated_at = CASE WHEN (?, ?) > (c.updated_at, c.updated_ns) THEN ? ELSE c.updated_at END,
                    updated_ns = CASE WHEN (?, ?) > (c.updated_at, c.updated_ns) THEN ? ELSE c.updated_ns END
                RETURNING\s""" + COLUMNS)) {
            int i = bindKey(ps, 1, key);
            PgText.setInstant(ps, i++, startedAt);
            ps.setInt(i++, PgText.nanosBelowMicros(startedAt));
            PgText.setInstant(ps, i++, firstUpdate);
            ps.setInt(i++, PgText.nanosBelowMicros(firstUpdate));
            ps.setObject(i++, LocalDate.ofInstant(startedAt, ZoneOffset.UTC).withDayOfMonth(1));
            ps.setString(i++, metadataJson(put));
            ps.setInt(i++, turns);
            ps.setInt(i++, turns);
            ps.setArray(i++, TurnRows.textArray(c, remove == null ? List.of() : List.of(remove)));
            int nanos = PgText.nanosBelowMicros(at);
            PgText.setInstant(ps, i++, at);
            ps.setInt(i++, nanos);
            PgText.setInstant(ps, i++, at);
            PgText.setInstant(ps, i++, at);
            ps.setInt(i++, nanos);
            ps.setInt(i, nanos);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return read(rs);
            }
        }
    }

    /**
     * Once a thread holds more than {@code recentTurns} recent turns, archives all but the newest quarter, as a file
     * rolls: loads then return a bounded number of turns however long the thread grows. Caller holds the row lock.
     */
    static Row roll(Connection c, Row row, int recentTurns) throws SQLException {
        if (row.recentCount() <= recentTurns) {
            return row;
        }
        int keep = Math.max(1, recentTurns / 4);
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE conversation SET archived_count = turn_count - ?,
                    recent_from = (SELECT seq FROM turn WHERE conversation_id = ? ORDER BY seq DESC OFFSET ? LIMIT 1)
                WHERE id = ? RETURNING\s""" + COLUMNS)) {
            ps.setInt(1, keep);
            ps.setLong(2, row.id());
            ps.setInt(3, keep - 1);
            ps.setLong(4, row.id());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return read(rs);
            }
        }
    }

    /** The row of a conversation, or null when none is stored. */
    static Row find(Connection c, ConversationKey key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM conversation WHERE "
                + KEY_MATCHES)) {
            bindKey(ps, 1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs) : null;
            }
        }
    }

    static Row read(ResultSet rs) throws SQLException {
        return new Row(rs.getLong("id"), rs.getLong("version"), rs.getInt("turn_count"), rs.getInt("next_seq"),
                rs.getInt("recent_from"), rs.getInt("archived_count"), PgText.instant(rs, "started_at", "started_ns"), PgText.instant(rs, "updated_at", "updated_ns"),
                metadata(rs.getString("metadata")));
    }

    static ConversationKey key(ResultSet rs) throws SQLException {
        return new ConversationKey(PgText.text(rs, "platform"), PgText.text(rs, "workspace"),
                PgText.text(rs, "channel"), PgText.text(rs, "thread"));
    }

    private static String metadataJson(Map<String, String> entries) {
        Map<String, String> encoded = new TreeMap<>();
        if (entries != null) {
            entries.forEach((name, value) -> encoded.put(PgText.encode(name), PgText.encode(value)));
        }
        try {
            return JSON.writeValueAsString(encoded);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("metadata could not be written as JSON", e);
        }
    }

    private static Map<String, String> metadata(String json) throws SQLException {
        try {
            Map<String, String> stored = JSON.readValue(json, new TypeReference<Map<String, String>>() { });
            Map<String, String> decoded = new TreeMap<>();
            stored.forEach((name, value) -> decoded.put(PgText.decode(name), PgText.decode(value)));
            return decoded;
        } catch (JsonProcessingException e) {
            throw new SQLException("a conversation's metadata does not parse: " + e.getOriginalMessage(), e);
        }
    }
}

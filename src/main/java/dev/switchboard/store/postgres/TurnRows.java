package dev.switchboard.store.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.Attachment;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.SummaryMeta;
import dev.switchboard.conversation.Turn;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Turns as rows of {@code turn}: writing one, reading a thread's recent or complete history. Stateless. */
final class TurnRows {

    /** The columns {@link #read} needs, qualified by {@code t}. */
    static final String COLUMNS =
            "t.seq, t.role, t.author_id, t.author_name, t.text, t.at, t.at_ns, t.message_ids, t.assistant, t.summary,"
            + " t.attachments";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private TurnRows() {
    }

    /** Inserts one turn: {@link #bind} sets its parameters. */
    static final String INSERT = """
            INSERT INTO turn (conversation_id, seq, role, author_id, author_name, text, at, at_ns, message_ids,
                              assistant, summary, attachments)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?::json, ?::json)""";

    static void insert(Connection c, long conversationId, int seq, Turn turn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bind(c, ps, conversationId, seq, turn);
            ps.executeUpdate();
        }
    }

    /** Sets {@link #INSERT}'s parameters, the first ones of {@code ps}. @return the index of the next parameter */
    static int bind(Connection c, PreparedStatement ps, long conversationId, int seq, Turn turn) throws SQLException {
        ps.setLong(1, conversationId);
        ps.setInt(2, seq);
        ps.setString(3, turn.role().name());
        PgText.setText(ps, 4, turn.authorId());
        PgText.setText(ps, 5, turn.authorName());
        PgText.setText(ps, 6, turn.text());
        PgText.setInstant(ps, 7, turn.at());
        ps.setInt(8, PgText.nanosBelowMicros(turn.at()));
        ps.setArray(9, textArray(c, turn.messageIds()));
        ps.setString(10, turn.assistant() == null ? null : json(turn.assistant()));
        ps.setString(11, turn.summary() == null ? null : json(turn.summary()));
        ps.setString(12, attachmentsJson(turn.attachments()));
        return 13;
    }

    /** The turns of a conversation from sequence number {@code from} on, oldest first. */
    static List<Turn> recent(Connection c, long conversationId, int from) throws SQLException {
        return select(c, "SELECT " + COLUMNS + " FROM turn t WHERE t.conversation_id = ? AND t.seq >= ?"
                + " ORDER BY t.seq", conversationId, from);
    }

    /** Every turn of a conversation, oldest first. */
    static List<Turn> all(Connection c, long conversationId) throws SQLException {
        return select(c, "SELECT " + COLUMNS + " FROM turn t WHERE t.conversation_id = ? ORDER BY t.seq",
                conversationId, -1);
    }

    private static List<Turn> select(Connection c, String sql, long conversationId, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, conversationId);
            if (limit >= 0) {
                ps.setInt(2, limit);
            }
            List<Turn> turns = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    turns.add(read(rs));
                }
            }
            return turns;
        }
    }

    /** The turn in the current row of {@code rs}, selected with {@link #COLUMNS}. */
    static Turn read(ResultSet rs) throws SQLException {
        List<String> ids = new ArrayList<>();
        Array array = rs.getArray("message_ids");
        for (Object id : (Object[]) array.getArray()) {
            ids.add(PgText.decode((String) id));
        }
        array.free();
        String assistant = rs.getString("assistant");
        String summary = rs.getString("summary");
        return new Turn(Role.valueOf(rs.getString("role")), PgText.text(rs, "author_id"),
                PgText.text(rs, "author_name"), PgText.text(rs, "text"), PgText.instant(rs, "at", "at_ns"), ids,
                assistant == null ? null : read(assistant, AssistantMeta.class),
                summary == null ? null : read(summary, SummaryMeta.class), attachments(rs.getString("attachments")));
    }

    static Array textArray(Connection c, List<String> values) throws SQLException {
        return c.createArrayOf("text", values.stream().map(PgText::encode).toArray());
    }

    /** A turn's files as the {@code attachments} column holds them; null when it has none. */
    static String attachmentsJson(List<Attachment> attachments) {
        return attachments.isEmpty() ? null : json(attachments);
    }

    private static List<Attachment> attachments(String json) throws SQLException {
        return json == null ? List.of() : List.of(read(json, Attachment[].class));
    }

    private static String json(Object meta) {
        try {
            return JSON.writeValueAsString(meta);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a turn's metadata could not be written as JSON", e);
        }
    }

    private static <T> T read(String json, Class<T> type) throws SQLException {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new SQLException("a stored turn's " + type.getSimpleName() + " does not parse: "
                    + e.getOriginalMessage(), e);
        }
    }
}

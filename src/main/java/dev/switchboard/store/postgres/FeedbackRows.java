package dev.switchboard.store.postgres;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Feedback;
import dev.switchboard.conversation.FeedbackTally;
import dev.switchboard.conversation.Verdict;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Verdicts on answers as rows of {@code feedback} (migration V2): one per person per answer turn, deleted with the
 * turn. Stateless; every method runs in the caller's transaction.
 */
final class FeedbackRows {

    private FeedbackRows() {
    }

    /** Stores a verdict on the answer carrying {@code messageId}, replacing the person's earlier one on it. */
    static Optional<Feedback.Given> give(Connection c, ConversationKey key, String messageId, String userId,
                                         Verdict verdict, Instant at) throws SQLException {
        ConversationRows.Row row = ConversationRows.find(c, key);
        if (row == null) {
            return Optional.empty();
        }
        int seq;
        String answer;
        String provider;
        String model;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT t.seq, t.message_ids[1] AS answer, t.assistant ->> 'provider' AS provider,
                       t.assistant ->> 'model' AS model
                FROM turn t WHERE t.conversation_id = ? AND t.role = 'ASSISTANT' AND ? = ANY (t.message_ids)
                    AND coalesce(t.assistant ->> 'provider', '') <> ''
                ORDER BY t.seq LIMIT 1 FOR UPDATE""")) {
            ps.setLong(1, row.id());
            PgText.setText(ps, 2, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                seq = rs.getInt("seq");
                answer = PgText.text(rs, "answer");
                provider = PgText.text(rs, "provider");
                model = PgText.text(rs, "model");
            }
        }
        Verdict replaced = null;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT verdict FROM feedback WHERE conversation_id = ? AND turn_seq = ? AND user_id = ?")) {
            ps.setLong(1, row.id());
            ps.setInt(2, seq);
            PgText.setText(ps, 3, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    replaced = Verdict.valueOf(rs.getString("verdict"));
                }
            }
        }
        Feedback now = new Feedback(answer, userId, verdict, at, provider, model);
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO feedback (conversation_id, turn_seq, answer, user_id, verdict, at, at_ns, provider, model)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (conversation_id, turn_seq, user_id) DO UPDATE SET verdict = EXCLUDED.verdict,
                    at = EXCLUDED.at, at_ns = EXCLUDED.at_ns""")) {
            ps.setLong(1, row.id());
            ps.setInt(2, seq);
            PgText.setText(ps, 3, answer);
            PgText.setText(ps, 4, userId);
            ps.setString(5, verdict.name());
            PgText.setInstant(ps, 6, at);
            ps.setInt(7, PgText.nanosBelowMicros(at));
            PgText.setText(ps, 8, provider);
            PgText.setText(ps, 9, model);
            ps.executeUpdate();
        }
        return Optional.of(new Feedback.Given(now, replaced));
    }

    /** A thread's verdicts, oldest first. */
    static List<Feedback> of(Connection c, ConversationKey key) throws SQLException {
        ConversationRows.Row row = ConversationRows.find(c, key);
        if (row == null) {
            return List.of();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT answer, user_id, verdict, at, at_ns, provider, model FROM feedback WHERE conversation_id = ?
                ORDER BY at, at_ns, answer, user_id""")) {
            ps.setLong(1, row.id());
            List<Feedback> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Feedback(PgText.text(rs, "answer"), PgText.text(rs, "user_id"),
                            Verdict.valueOf(rs.getString("verdict")), PgText.instant(rs, "at", "at_ns"),
                            PgText.text(rs, "provider"), PgText.text(rs, "model")));
                }
            }
            return out;
        }
    }

    /** Every verdict given since {@code since} added up by provider and model. */
    static List<FeedbackTally> tally(Connection c, Instant since) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT provider, model, count(*) FILTER (WHERE verdict = 'GOOD') AS good,
                       count(*) FILTER (WHERE verdict = 'BAD') AS bad
                FROM feedback WHERE (at, at_ns) >= (?, ?) GROUP BY provider, model""")) {
            PgText.setInstant(ps, 1, since);
            ps.setInt(2, PgText.nanosBelowMicros(since));
            List<FeedbackTally> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new FeedbackTally(PgText.text(rs, "provider"), PgText.text(rs, "model"),
                            rs.getLong("good"), rs.getLong("bad")));
                }
            }
            // Sorted here as the file store sorts: by Java's order, not the database's collation.
            out.sort(java.util.Comparator.comparing(FeedbackTally::provider).thenComparing(FeedbackTally::model));
            return out;
        }
    }

    /** Deletes the verdicts a user gave on a platform. @return how many */
    static int forgetUser(Connection c, String platform, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                DELETE FROM feedback f USING conversation c
                WHERE c.id = f.conversation_id AND c.platform = ? AND f.user_id = ?""")) {
            PgText.setText(ps, 1, platform);
            PgText.setText(ps, 2, userId);
            return ps.executeUpdate();
        }
    }
}

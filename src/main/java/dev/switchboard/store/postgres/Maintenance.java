package dev.switchboard.store.postgres;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationSummary;
import dev.switchboard.conversation.SeenMessages.Pending;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conversation store's queries over many threads: listings, the unanswered messages, forgetting a user and
 * retention. Changes run in transactions of at most {@value #BATCH} threads, each holding those threads' locks in
 * this process and their rows in the database, so a turn appended meanwhile is never lost with them. Thread-safe.
 */
final class Maintenance {

    private static final Logger log = LoggerFactory.getLogger(Maintenance.class);
    static final int BATCH = 500;

    private final Database database;
    private final KeyLocks locks;
    private final Clock clock;
    private final Consumer<ConversationKey> invalidate;

    Maintenance(Database database, KeyLocks locks, Clock clock, Consumer<ConversationKey> invalidate) {
        this.database = database;
        this.locks = locks;
        this.clock = clock;
        this.invalidate = invalidate;
    }

    List<ConversationSummary> list(ConversationQuery query) {
        StringBuilder sql = new StringBuilder("""
                SELECT c.platform, c.workspace, c.channel, c.thread, c.partition_month, c.updated_at, c.updated_ns,
                       pg_column_size(c.*) + COALESCE((SELECT sum(pg_column_size(t.*)) FROM turn t
                                                      WHERE t.conversation_id = c.id), 0) AS bytes
                FROM conversation c WHERE c.platform = ?""");
        List<Object> params = new ArrayList<>(List.of(PgText.encode(query.platform())));
        if (query.workspace() != null) {
            sql.append(" AND c.workspace = ?");
            params.add(PgText.encode(query.workspace()));
        }
        if (query.channel() != null) {
            sql.append(" AND c.channel = ?");
            params.add(PgText.encode(query.channel()));
        }
        if (query.from() != null) {
            sql.append(" AND c.partition_month >= ?");
            params.add(query.from().atDay(1));
        }
        if (query.to() != null) {
            sql.append(" AND c.partition_month <= ?");
            params.add(query.to().atDay(1));
        }
        sql.append(" ORDER BY c.partition_month DESC, c.updated_at DESC, c.updated_ns DESC");
        return database.read(QueryKind.LIST, "listing conversations", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < params.size(); i++) {
                    ps.setObject(i + 1, params.get(i));
                }
                List<ConversationSummary> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ConversationSummary(ConversationRows.key(rs),
                                YearMonth.from(rs.getObject("partition_month", LocalDate.class)), rs.getLong("bytes"),
                                PgText.instant(rs, "updated_at", "updated_ns")));
                    }
                }
                return out;
            }
        });
    }

    /** User messages with a platform id, after {@code since}, whose first id no answer names. */
    List<Pending> unanswered(String platform, Instant since) {
        return database.read(QueryKind.SEEN, "finding unanswered messages", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT c.platform, c.workspace, c.channel, c.thread, "
                    + TurnRows.COLUMNS + """
                     FROM seen_message s
                    JOIN conversation c ON c.id = s.conversation_id
                    JOIN turn t ON t.conversation_id = s.conversation_id AND t.seq = s.turn_seq
                    WHERE s.platform = ? AND s.answered_seq IS NULL AND s.ordinal = 0 AND s.at >= ?
                      AND (t.at, t.at_ns) > (?, ?)
                    ORDER BY c.id, t.seq""")) {
                PgText.setText(ps, 1, platform);
                PgText.setInstant(ps, 2, since);
                PgText.setInstant(ps, 3, since);
                ps.setInt(4, PgText.nanosBelowMicros(since));
                List<Pending> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Pending(ConversationRows.key(rs), TurnRows.read(rs)));
                    }
                }
                return out;
            }
        });
    }

    /** Removes every turn (not the bot's) a user wrote on a platform; the messages' seen rows go with them. */
    int forgetUser(String platform, String userId) {
        int removed = 0;
        long after = 0;
        while (true) {
            long from = after;
            Map<Long, ConversationKey> batch = database.read(QueryKind.FORGET, "finding a user's conversations", c -> select(c, """
                    SELECT c.id, c.platform, c.workspace, c.channel, c.thread FROM conversation c
                    WHERE c.platform = ? AND c.id > ? AND EXISTS (SELECT 1 FROM turn t WHERE t.conversation_id = c.id
                        AND t.author_id = ? AND t.role <> 'ASSISTANT')
                    ORDER BY c.id LIMIT""" + " " + BATCH, PgText.encode(platform), from, PgText.encode(userId)));
            if (batch.isEmpty()) {
                break;
            }
            after = batch.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            Instant now = clock.instant();
            removed += locks.withAll(batch.values(), () -> {
                int n = database.inTransaction(QueryKind.FORGET, "forgetting a user's turns", c -> {
                    lockRows(c, batch);
                    // A thread's summaries hold the removed words too, and their turn numbers no longer match: they go.
                    try (PreparedStatement ps = c.prepareStatement("""
                            WITH gone AS (DELETE FROM turn WHERE conversation_id = ANY (?)
                                              AND ((author_id = ? AND role <> 'ASSISTANT') OR role = 'SUMMARY')
                                              RETURNING conversation_id, seq, role),
                                 counted AS (SELECT g.conversation_id, count(*) AS n,
                                                    count(*) FILTER (WHERE g.role <> 'SUMMARY') AS users,
                                                    count(*) FILTER (WHERE g.seq < c.recent_from) AS archived
                                             FROM gone g JOIN conversation c ON c.id = g.conversation_id
                                             GROUP BY g.conversation_id)
                            UPDATE conversation c SET turn_count = c.turn_count - counted.n,
                                                      archived_count = c.archived_count - counted.archived,
                                                      version = c.version + 1, updated_at = ?, updated_ns = ?
                            FROM counted WHERE c.id = counted.conversation_id RETURNING counted.users AS n""")) {
                        ps.setArray(1, c.createArrayOf("bigint", batch.keySet().toArray()));
                        PgText.setText(ps, 2, userId);
                        PgText.setInstant(ps, 3, now);
                        ps.setInt(4, PgText.nanosBelowMicros(now));
                        int total = 0;
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                total += rs.getInt("n");
                            }
                        }
                        BlobRows.collect(c, batch.keySet().toArray(Long[]::new)); // their files go with their turns
                        return total;
                    }
                });
                batch.values().forEach(invalidate);
                return n;
            });
        }
        log.info("turns of a user forgotten: platform={} turns={}", platform, removed);
        return removed;
    }

    /** Deletes threads whose last change is before {@code cutoff}, deciding again under each thread's lock. */
    int deleteNotUpdatedSince(Instant cutoff) {
        int deleted = 0;
        long after = 0;
        while (true) {
            long from = after;
            Map<Long, ConversationKey> batch = database.read(QueryKind.MAINTENANCE, "finding old conversations", c -> select(c, """
                    SELECT c.id, c.platform, c.workspace, c.channel, c.thread FROM conversation c
                    WHERE (c.updated_at, c.updated_ns) < (?, ?) AND c.id > ? ORDER BY c.id LIMIT""" + " " + BATCH,
                    cutoff, PgText.nanosBelowMicros(cutoff), from));
            if (batch.isEmpty()) {
                break;
            }
            after = batch.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            deleted += locks.withAll(batch.values(), () -> {
                int n = database.inTransaction(QueryKind.MAINTENANCE, "deleting old conversations", c -> {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM conversation WHERE id = ANY (?)"
                            + " AND (updated_at, updated_ns) < (?, ?)")) {
                        ps.setArray(1, c.createArrayOf("bigint", batch.keySet().toArray()));
                        PgText.setInstant(ps, 2, cutoff);
                        ps.setInt(3, PgText.nanosBelowMicros(cutoff));
                        return ps.executeUpdate();
                    }
                });
                batch.values().forEach(invalidate);
                return n;
            });
        }
        if (deleted > 0) {
            log.info("retention deleted {} conversations not updated since {}", deleted, cutoff);
        }
        return deleted;
    }

    /** Stored threads, and bytes the store's tables take on disk. */
    long[] figures() {
        return database.read(QueryKind.MAINTENANCE, "measuring the store", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT (SELECT count(*) FROM conversation) AS conversations,
                           pg_total_relation_size('conversation') + pg_total_relation_size('turn')
                               + pg_total_relation_size('seen_message') AS bytes""");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong("conversations"), rs.getLong("bytes")};
            }
        });
    }

    private static void lockRows(Connection c, Map<Long, ConversationKey> batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM conversation WHERE id = ANY (?) ORDER BY id FOR UPDATE")) {
            ps.setArray(1, c.createArrayOf("bigint", batch.keySet().toArray()));
            ps.executeQuery().close();
        }
    }

    private static Map<Long, ConversationKey> select(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                if (params[i] instanceof Instant at) {
                    PgText.setInstant(ps, i + 1, at);
                } else {
                    ps.setObject(i + 1, params[i]);
                }
            }
            Map<Long, ConversationKey> out = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong("id"), ConversationRows.key(rs));
                }
            }
            return out;
        }
    }
}

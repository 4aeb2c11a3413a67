package dev.switchboard.store.postgres;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.ConversationSummary;
import dev.switchboard.conversation.Feedback;
import dev.switchboard.conversation.FeedbackTally;
import dev.switchboard.conversation.Verdict;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.StoreStats;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.StoreLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread history in PostgreSQL: a row per thread, a row per turn, a row per platform message taken. A call returns
 * after its transaction committed. Hot threads stay in a Caffeine cache bounded by their weight; the database is the
 * truth, and a change finds out from the thread's version whether the cached copy is still current.
 *
 * <p>Thread-safe: changes to one thread are serialised by a striped lock in this process and by the thread's row lock
 * in the database; different threads proceed in parallel.
 */
final class PostgresConversationStore implements ConversationStore {

    private static final Logger log = LoggerFactory.getLogger(PostgresConversationStore.class);
    /** Years a timestamptz holds, with a margin. */
    private static final int MIN_YEAR = -4_700;
    private static final int MAX_YEAR = 294_000;

    /** A conversation as cached: its recent turns and the row version they match. */
    private record Cached(long id, long version, Conversation conversation) {
        int weight() {
            long bytes = 256;
            for (Turn t : conversation.turns()) {
                bytes += 160L + 2L * (t.text().length() + t.authorName().length() + t.authorId().length());
            }
            return (int) Math.min(Integer.MAX_VALUE, bytes);
        }
    }

    /** A user message whose platform id is stored already: the transaction is rolled back. */
    private static final class DuplicateDelivery extends RuntimeException {
        DuplicateDelivery() {
            super(null, null, false, false);
        }
    }

    private final Database database;
    private final PostgresStorage.Limits limits;
    private final Clock clock;
    private final Cache<ConversationKey, Cached> cache;
    private final KeyLocks locks = new KeyLocks();
    private final Timer appendTimer;
    private final Maintenance maintenance;

    /** Whether other processes write the same threads (several nodes): a cached copy is checked before use. */
    private final java.util.function.BooleanSupplier shared;

    PostgresConversationStore(Database database, PostgresStorage.Limits limits, Clock clock, MeterRegistry meters) {
        this(database, limits, clock, meters, () -> false);
    }

    /** @param shared whether other nodes write the same threads now, so a cached thread may be behind the database */
    PostgresConversationStore(Database database, PostgresStorage.Limits limits, Clock clock, MeterRegistry meters,
                              java.util.function.BooleanSupplier shared) {
        this.shared = shared;
        this.database = database;
        this.limits = limits;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .executor(Runnable::run) // evictions are cheap: do them now, so the bound holds exactly
                .maximumWeight(limits.cacheMaxBytes())
                .<ConversationKey, Cached>weigher((k, v) -> v.weight())
                .recordStats()
                .build();
        CaffeineCacheMetrics.monitor(meters, cache, "conversations");
        this.appendTimer = Timer.builder("switchboard.store.append")
                .description("Time to make one appended turn durable")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
        this.maintenance = new Maintenance(database, locks, clock, cache::invalidate);
    }

    @Override
    public Optional<Conversation> load(ConversationKey key) {
        return locks.with(key, () -> Optional.ofNullable(current(key)).map(Cached::conversation));
    }

    @Override
    public Optional<Conversation> loadComplete(ConversationKey key) {
        return locks.with(key, () -> Optional.ofNullable(database.inTransaction(QueryKind.LOAD, "loading conversation " + key, c -> {
            ConversationRows.Row row = ConversationRows.find(c, key);
            return row == null ? null : new Conversation(key, row.startedAt(), row.updatedAt(), row.metadata(), 0,
                    TurnRows.all(c, row.id()));
        })));
    }

    @Override
    public Conversation append(ConversationKey key, Turn turn) {
        return append(key, turn, null);
    }

    @Override
    public Conversation append(ConversationKey key, Turn turn, dev.switchboard.conversation.LeaseToken lease) {
        return appendTurn(key, turn, lease, null, null);
    }

    @Override
    public Conversation appendNoted(ConversationKey key, Turn turn, String name, String value) {
        StoreLimits.requireKeepable(name, Objects.requireNonNull(value, "value"));
        return appendTurn(key, turn, null, java.util.Map.of(name, value), null);
    }

    @Override
    public Conversation appendAnswer(ConversationKey key, Turn turn, dev.switchboard.conversation.LeaseToken lease,
                                     String note) {
        return appendTurn(key, turn, lease, null, Objects.requireNonNull(note, "note"));
    }

    /** Appends {@code turn}, setting the metadata entries {@code setNotes} and removing {@code dropNote}, if given. */
    private Conversation appendTurn(ConversationKey key, Turn turn, dev.switchboard.conversation.LeaseToken lease,
                                    java.util.Map<String, String> setNotes, String dropNote) {
        Objects.requireNonNull(turn, "turn");
        StoreLimits.requireKeepable(turn, limits.maxTurnChars());
        long started = System.nanoTime();
        Conversation result = locks.with(key, () -> {
            Cached before = cache.getIfPresent(key);
            Instant start = partitionable(turn.at()) ? turn.at() : clock.instant();
            Instant now = clock.instant();
            // Dropping the note makes it an update of now, as putMetadata's would have been.
            Instant at = dropNote != null && now.isAfter(turn.at()) ? now : turn.at();
            Cached after;
            try {
                after = database.inTransaction(QueryKind.APPEND, "saving a turn of conversation " + key, c -> {
                    ConversationRows.Row row = ConversationRows.change(c, key, start, at, 1, setNotes, dropNote);
                    int seq = row.nextSeq() - 1;
                    if (lease != null) {
                        PostgresLeases.requireHeld(c, row.id(), lease);
                    }
                    insertMarkingSeen(c, key, row.id(), seq, turn);
                    return next(c, key, ConversationRows.roll(c, row, limits.recentTurns()), before, turn);
                });
            } catch (DuplicateDelivery duplicate) {
                // Another caller stored this message first: nothing was changed; show what is stored.
                cache.invalidate(key);
                Cached stored = current(key);
                return stored.conversation();
            }
            cache.put(key, after);
            return after.conversation();
        });
        appendTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return result;
    }

    @Override
    public Conversation putMetadata(ConversationKey key, String name, String value) {
        StoreLimits.requireKeepable(name, value);
        return locks.with(key, () -> {
            Cached before = cache.getIfPresent(key);
            Instant now = clock.instant();
            Cached after = database.inTransaction(QueryKind.METADATA, "saving metadata of conversation " + key, c -> {
                ConversationRows.Row row = ConversationRows.change(c, key, now, now, 0,
                        value == null ? null : java.util.Map.of(name, value), value == null ? name : null);
                return next(c, key, row, before, null);
            });
            cache.put(key, after);
            return after.conversation();
        });
    }

    /**
     * Inserts the turn and records a user turn's platform ids as seen, or an assistant turn's answer, in one statement
     * (one round trip less per append); refuses a second delivery.
     */
    private static void insertMarkingSeen(Connection c, ConversationKey key, long id, int seq, Turn turn)
            throws SQLException {
        if (turn.role() == Role.USER && !turn.messageIds().isEmpty()) {
            List<String> ids = List.copyOf(new LinkedHashSet<>(turn.messageIds()));
            try (PreparedStatement ps = c.prepareStatement("WITH t AS (" + TurnRows.INSERT + " RETURNING seq)"
                    + " INSERT INTO seen_message (conversation_id, message_id, platform, turn_seq, ordinal, at)"
                    + " SELECT ?, u.id, ?, t.seq, u.ordinal - 1, ? FROM t,"
                    + " unnest(?::text[]) WITH ORDINALITY AS u (id, ordinal)"
                    + " ON CONFLICT (conversation_id, message_id) DO NOTHING")) {
                int i = TurnRows.bind(c, ps, id, seq, turn);
                ps.setLong(i++, id);
                PgText.setText(ps, i++, key.platform());
                PgText.setInstant(ps, i++, turn.at());
                ps.setArray(i, TurnRows.textArray(c, ids));
                if (ps.executeUpdate() != ids.size()) {
                    throw new DuplicateDelivery();
                }
            }
        } else if (turn.role() == Role.ASSISTANT && !turn.assistant().replyTo().isEmpty()) {
            // the turn is inserted whether or not a seen message matches: a WITH's insert always runs
            try (PreparedStatement ps = c.prepareStatement("WITH t AS (" + TurnRows.INSERT + " RETURNING seq)"
                    + " UPDATE seen_message SET answered_seq = (SELECT seq FROM t)"
                    + " WHERE conversation_id = ? AND message_id = ? AND answered_seq IS NULL")) {
                int i = TurnRows.bind(c, ps, id, seq, turn);
                ps.setLong(i++, id);
                PgText.setText(ps, i, turn.assistant().replyTo());
                ps.executeUpdate();
            }
        } else {
            TurnRows.insert(c, id, seq, turn);
        }
    }

    /** The conversation after a change: the cached turns plus the new one when the cache was current, else read. */
    private Cached next(Connection c, ConversationKey key, ConversationRows.Row row, Cached before, Turn added)
            throws SQLException {
        List<Turn> recent;
        if (before != null && before.id() == row.id() && before.version() == row.version() - 1) {
            recent = new ArrayList<>(before.conversation().turns());
            if (added != null) {
                recent.add(added);
            }
            if (recent.size() > row.recentCount()) {
                recent = recent.subList(recent.size() - row.recentCount(), recent.size());
            }
        } else {
            recent = TurnRows.recent(c, row.id(), row.recentFrom());
        }
        return new Cached(row.id(), row.version(), row.with(key, recent));
    }

    @Override
    public void attach(ConversationKey key, String messageId, List<dev.switchboard.conversation.Attachment> attachments,
                       java.util.Map<String, byte[]> blobs) {
        Objects.requireNonNull(messageId, "messageId");
        List<dev.switchboard.conversation.Attachment> files = List.copyOf(attachments);
        java.util.Map<String, byte[]> bytes = java.util.Map.copyOf(blobs);
        locks.with(key, () -> {
            database.inTransaction(QueryKind.APPEND, "keeping the attachments of a message in " + key, c -> {
                ConversationRows.Row row = ConversationRows.find(c, key);
                return row != null && BlobRows.attach(c, row.id(), messageId, files, bytes);
            });
            cache.invalidate(key);
            return null;
        });
    }

    @Override
    public Optional<byte[]> blob(ConversationKey key, String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) {
            return Optional.empty();
        }
        return database.read(QueryKind.LOAD, "reading an attachment of " + key, c -> BlobRows.read(c, key, sha256));
    }

    @Override
    public List<ConversationSummary> list(ConversationQuery query) {
        return maintenance.list(query);
    }

    @Override
    public boolean forget(ConversationKey key) {
        return locks.with(key, () -> {
            boolean gone = database.inTransaction(QueryKind.FORGET, "forgetting conversation " + key, c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM conversation WHERE "
                        + ConversationRows.KEY_MATCHES)) {
                    ConversationRows.bindKey(ps, 1, key);
                    return ps.executeUpdate() > 0;
                }
            });
            cache.invalidate(key);
            if (gone) {
                log.info("conversation forgotten: {}", key);
            }
            return gone;
        });
    }

    @Override
    public int forgetUser(String platform, String userId) {
        int removed = maintenance.forgetUser(platform, Objects.requireNonNull(userId, "userId"));
        // The verdicts they gave go too, in threads where they wrote nothing; only turns are counted.
        database.inTransaction(QueryKind.FEEDBACK, "forgetting a user's verdicts",
                c -> FeedbackRows.forgetUser(c, platform, userId));
        return removed;
    }

    @Override
    public Optional<Feedback.Given> giveFeedback(ConversationKey key, String messageId, String userId,
                                                 Verdict verdict, Instant at) {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(verdict, "verdict");
        return locks.with(key, () -> database.inTransaction(QueryKind.FEEDBACK, "storing a verdict in " + key,
                c -> FeedbackRows.give(c, key, messageId, userId, verdict, at)));
    }

    @Override
    public List<Feedback> feedback(ConversationKey key) {
        return database.read(QueryKind.FEEDBACK, "reading the verdicts of " + key, c -> FeedbackRows.of(c, key));
    }

    @Override
    public List<FeedbackTally> feedbackTally(Instant since) {
        return database.read(QueryKind.FEEDBACK, "adding up verdicts", c -> FeedbackRows.tally(c, since));
    }

    @Override
    public int deleteNotUpdatedSince(Instant cutoff) {
        return maintenance.deleteNotUpdatedSince(cutoff);
    }

    @Override
    public Seen seen(ConversationKey key, String messageId) {
        return database.read(QueryKind.SEEN, "checking a message of conversation " + key, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT s.answered_seq IS NOT NULL AS answered"
                    + " FROM seen_message s JOIN conversation c ON c.id = s.conversation_id WHERE "
                    + ConversationRows.KEY_MATCHES.replace("platform", "c.platform") + " AND s.message_id = ?")) {
                PgText.setText(ps, ConversationRows.bindKey(ps, 1, key), messageId);
                try (ResultSet rs = ps.executeQuery()) {
                    return !rs.next() ? Seen.NEW : rs.getBoolean("answered") ? Seen.ANSWERED : Seen.UNANSWERED;
                }
            }
        });
    }

    @Override
    public List<Pending> unanswered(String platform, Instant since) {
        return maintenance.unanswered(platform, since);
    }

    @Override
    public StoreStats stats() {
        long[] figures = maintenance.figures();
        return new StoreStats(figures[0], figures[1], 0, cache.estimatedSize(), cache.stats().hitRate());
    }

    /** Forgets the cache; the pool belongs to {@link PostgresStorage}. */
    @Override
    public void close() {
        cache.invalidateAll();
    }

    /** The cached conversation, or the one read from the database and cached; null when none. Caller holds the lock. */
    private Cached current(ConversationKey key) {
        Cached cached = cache.getIfPresent(key);
        if (cached != null && (!shared.getAsBoolean() || cached.version() == version(key))) {
            return cached;
        }
        Cached read = database.inTransaction(QueryKind.LOAD, "loading conversation " + key, c -> {
            ConversationRows.Row row = ConversationRows.find(c, key);
            return row == null ? null
                    : new Cached(row.id(), row.version(), row.with(key, TurnRows.recent(c, row.id(),
                            row.recentFrom())));
        });
        if (read != null) {
            cache.put(key, read);
        }
        return read;
    }


    /** The stored version of a thread (-1 when none is stored): one indexed read, to check a cached copy. */
    private long version(ConversationKey key) {
        return database.read(QueryKind.LOAD, "checking the version of conversation " + key, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT version FROM conversation WHERE "
                    + ConversationRows.KEY_MATCHES)) {
                ConversationRows.bindKey(ps, 1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : -1L;
                }
            }
        });
    }

    /** Partitions are months of years 1970 to 9999; a platform's garbage timestamp starts the thread now instead. */
    private static boolean partitionable(Instant at) {
        int year = at.atZone(ZoneOffset.UTC).getYear();
        return year >= 1970 && year <= 9999;
    }
}

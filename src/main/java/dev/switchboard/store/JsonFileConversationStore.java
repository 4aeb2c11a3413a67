package dev.switchboard.store;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.ConversationSummary;
import dev.switchboard.conversation.Feedback;
import dev.switchboard.conversation.FeedbackTally;
import dev.switchboard.conversation.Verdict;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.StoreStats;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.StoreLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Thread history as JSON files, one per thread, partitioned by the month the thread started:
 * {@code <root>/<platform>/<workspace>/<channel>/<yyyy>/<mm>/<thread>.json}.
 *
 * <p>Every write replaces the file atomically and keeps the previous version as {@code <thread>.json.bak}. A file that
 * fails to parse or fails its checksum is moved to {@code <root>/.quarantine/} and the backup is served and restored.
 * The current file holds at most {@code maxTurnsPerFile} turns: older ones roll into write-once archive files under
 * {@code <yyyy>/<mm>/.archive/<thread>/}, so an append rewrites a bounded file however long the thread grows.
 * Hot conversations stay in a Caffeine cache bounded by their weight in bytes.
 *
 * <p>Thread-safe: changes to one conversation are serialised by a striped lock; different conversations proceed in
 * parallel. One process owns a data folder.
 *
 * <p>The parts: {@link FileLayout} (where files are, listing), {@link Recovery} (reading, backups, quarantine),
 * {@link Archives} (rolling older turns out), {@link ThreadFiles} (locks, cache, writing a thread's file) and
 * {@link Privacy} (forget, forget a user, retention), {@link FeedbackFiles} (verdicts on answers); this class checks limits and answers the port.
 */
public final class JsonFileConversationStore implements ConversationStore {

    /**
     * How the store behaves.
     *
     * @param root the data folder
     * @param fsync whether writes are synced to the disk before a call returns (off only for throwaway data)
     * @param backups whether the previous version of each file is kept
     * @param maxTurnChars longest turn text accepted
     * @param maxTurnsPerFile turns kept in the current file before older ones roll into an archive
     * @param cacheMaxBytes memory the cache of hot conversations may use
     */
    public record Options(Path root, boolean fsync, boolean backups, int maxTurnChars, int maxTurnsPerFile,
                          long cacheMaxBytes) {
        public Options {
            Objects.requireNonNull(root, "root");
            if (maxTurnChars < 1) {
                throw new IllegalArgumentException("maxTurnChars must be at least 1, was " + maxTurnChars);
            }
            if (maxTurnsPerFile < 4) {
                throw new IllegalArgumentException("maxTurnsPerFile must be at least 4, was " + maxTurnsPerFile);
            }
            if (cacheMaxBytes < 0) {
                throw new IllegalArgumentException("cacheMaxBytes must not be negative, was " + cacheMaxBytes);
            }
        }
    }


    private final Options options;
    private final Clock clock;
    private final FileLayout layout;
    private final Archives archives;
    private final ThreadFiles threads;
    private final Privacy privacy;
    private final FeedbackFiles feedback;
    private final BlobFiles blobs;
    private final Timer appendTimer;
    private final FolderLock folderLock;
    private final AtomicBoolean closed = new AtomicBoolean();

    public JsonFileConversationStore(Options options, Clock clock, MeterRegistry meters) {
        this.options = options;
        this.clock = clock;
        Path root;
        try {
            Files.createDirectories(options.root());
            root = options.root().toRealPath();
        } catch (IOException e) {
            throw new StoreException("cannot create the data folder " + options.root(), e);
        }
        this.folderLock = FolderLock.acquire(root);
        DocumentCodec codec = new DocumentCodec();
        this.layout = new FileLayout(root, codec);
        Recovery recovery = new Recovery(layout, codec, options.fsync(), clock, meters);
        this.archives = new Archives(layout, codec, recovery, options.maxTurnsPerFile(), options.fsync());
        this.threads = new ThreadFiles(layout, recovery, archives, codec, options, clock, meters);
        this.feedback = new FeedbackFiles(threads, layout, archives, codec, options.fsync());
        this.privacy = new Privacy(threads, layout, recovery, archives, codec, options.fsync(), clock, feedback);
        this.blobs = new BlobFiles(threads, layout, archives, options.fsync());
        privacy.blobs(blobs);
        this.appendTimer = Timer.builder("switchboard.store.append")
                .description("Time to make one appended turn durable")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
    }

    @Override
    public Optional<Conversation> load(ConversationKey key) {
        return threads.withLock(key, () -> Optional.ofNullable(threads.current(key)).map(l -> l.doc().conversation()));
    }

    @Override
    public Optional<Conversation> loadComplete(ConversationKey key) {
        return threads.withLock(key, () -> {
            Located located = threads.current(key);
            if (located == null) {
                return Optional.empty();
            }
            StoredConversation doc = located.doc();
            List<Turn> all = new ArrayList<>(doc.archivedTurns() + doc.turns().size());
            all.addAll(archives.readAll(located.file(), key, doc.archiveFiles()));
            all.addAll(doc.turns());
            return Optional.of(new Conversation(key, doc.startedAt(), doc.updatedAt(), doc.metadata(), 0, all));
        });
    }

    @Override
    public Conversation append(ConversationKey key, Turn turn) {
        return appendTurn(key, turn, c -> c);
    }

    @Override
    public Conversation appendNoted(ConversationKey key, Turn turn, String name, String value) {
        StoreLimits.requireKeepable(name, Objects.requireNonNull(value, "value"));
        return appendTurn(key, turn, c -> c.withMetadata(name, value, turn.at()));
    }

    /** One process keeps these files, so there is no lease to check. */
    @Override
    public Conversation appendAnswer(ConversationKey key, Turn turn, dev.switchboard.conversation.LeaseToken lease,
                                     String note) {
        Objects.requireNonNull(note, "note");
        return appendTurn(key, turn, c -> c.withMetadata(note, null, clock.instant()));
    }

    /** Appends {@code turn} and makes the change {@code alsoMetadata} in the same write. */
    private Conversation appendTurn(ConversationKey key, Turn turn,
                                    java.util.function.UnaryOperator<Conversation> alsoMetadata) {
        Objects.requireNonNull(turn, "turn");
        StoreLimits.requireKeepable(turn, options.maxTurnChars());
        long started = System.nanoTime();
        Conversation result = threads.withLock(key, () -> {
            Located located = threads.currentOrFresh(key, turn.at());
            Conversation next = alsoMetadata.apply(located.doc().conversation().withTurn(turn));
            return threads.write(located, next).doc().conversation();
        });
        appendTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return result;
    }


    @Override
    public void attach(ConversationKey key, String messageId, List<dev.switchboard.conversation.Attachment> attachments,
                       java.util.Map<String, byte[]> bytes) {
        blobs.attach(key, Objects.requireNonNull(messageId, "messageId"), List.copyOf(attachments), Map.copyOf(bytes));
    }

    @Override
    public Optional<byte[]> blob(ConversationKey key, String sha256) {
        return blobs.read(key, sha256);
    }

    @Override
    public Conversation putMetadata(ConversationKey key, String name, String value) {
        StoreLimits.requireKeepable(name, value);
        return threads.withLock(key, () -> {
            Instant now = clock.instant();
            Located located = threads.currentOrFresh(key, now);
            Conversation next = located.doc().conversation().withMetadata(name, value, now);
            return threads.write(located, next).doc().conversation();
        });
    }

    @Override
    public List<ConversationSummary> list(ConversationQuery query) {
        return layout.list(query);
    }

    @Override
    public Seen seen(ConversationKey key, String messageId) {
        Conversation c = load(key).orElse(null);
        if (c == null || c.turns().stream().noneMatch(t -> t.role() == Role.USER
                && t.messageIds().contains(messageId))) {
            return Seen.NEW;
        }
        return answered(c, messageId) ? Seen.ANSWERED : Seen.UNANSWERED;
    }

    @Override
    public List<Pending> unanswered(String platform, Instant since) {
        List<Pending> found = new ArrayList<>();
        for (ConversationSummary summary : list(new ConversationQuery(platform, null, null, null, null))) {
            if (summary.lastModified().isBefore(since)) {
                continue; // the file's time bounds its newest turn: nothing in it can be recent
            }
            load(summary.key()).ifPresent(c -> {
                for (Turn t : c.turns()) {
                    if (t.role() == Role.USER && !t.messageIds().isEmpty() && t.at().isAfter(since)
                            && !answered(c, t.messageIds().getFirst())) {
                        found.add(new Pending(c.key(), t));
                    }
                }
            });
        }
        return found;
    }

    private static boolean answered(Conversation conversation, String messageId) {
        return conversation.turns().stream().anyMatch(t -> t.role() == Role.ASSISTANT
                && t.assistant().replyTo().equals(messageId));
    }

    @Override
    public boolean forget(ConversationKey key) {
        return privacy.forget(key);
    }

    @Override
    public int forgetUser(String platform, String userId) {
        return privacy.forgetUser(platform, userId);
    }

    @Override
    public int deleteNotUpdatedSince(Instant cutoff) {
        return privacy.deleteNotUpdatedSince(cutoff);
    }

    @Override
    public Optional<Feedback.Given> giveFeedback(ConversationKey key, String messageId, String userId,
                                                 Verdict verdict, Instant at) {
        return feedback.give(key, Objects.requireNonNull(messageId, "messageId"),
                Objects.requireNonNull(userId, "userId"), verdict, at);
    }

    @Override
    public List<Feedback> feedback(ConversationKey key) {
        return feedback.of(key);
    }

    @Override
    public List<FeedbackTally> feedbackTally(Instant since) {
        return feedback.tally(since);
    }

    @Override
    public StoreStats stats() {
        FileLayout.Footprint footprint = layout.measure();
        CacheStats cs = threads.cacheStats();
        return new StoreStats(footprint.conversations(), footprint.bytes(), footprint.quarantined(),
                threads.cached(), cs.hitRate());
    }

    @Override
    public void close() {
        // Every write is durable when its call returns: nothing is buffered.
        if (closed.compareAndSet(false, true)) {
            threads.close();
            folderLock.release();
        }
    }
}

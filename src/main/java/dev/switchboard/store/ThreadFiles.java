package dev.switchboard.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.StoreException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The file store's working set: a striped lock per conversation, the cache of hot conversations bounded by their
 * weight in bytes, and reading and writing a conversation's current file. Thread-safe: {@link #withLock} serialises
 * the work on one conversation; every other method expects its caller to hold that lock.
 */
final class ThreadFiles {

    private static final int LOCK_STRIPES = 1024;

    private final FileLayout layout;
    private final Recovery recovery;
    private final Archives archives;
    private final DocumentCodec codec;
    private final Clock clock;
    private final boolean fsync;
    private final boolean backups;
    private final Cache<ConversationKey, Located> cache;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

    ThreadFiles(FileLayout layout, Recovery recovery, Archives archives, DocumentCodec codec,
                JsonFileConversationStore.Options options, Clock clock, MeterRegistry meters) {
        this.layout = layout;
        this.recovery = recovery;
        this.archives = archives;
        this.codec = codec;
        this.clock = clock;
        this.fsync = options.fsync();
        this.backups = options.backups();
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
        this.cache = Caffeine.newBuilder()
                .executor(Runnable::run) // evictions are cheap: do them now, so the bound holds exactly
                .maximumWeight(options.cacheMaxBytes())
                .<ConversationKey, Located>weigher((k, v) -> v.doc().weight())
                .recordStats()
                .build();
        CaffeineCacheMetrics.monitor(meters, cache, "conversations");
    }

    <T> T withLock(ConversationKey key, Supplier<T> action) {
        ReentrantLock lock = locks[Math.floorMod(key.hashCode() * 0x9E3779B9, LOCK_STRIPES)];
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** The stored conversation, from the cache or its file; null when none is stored. */
    Located current(ConversationKey key) {
        Located cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        Path file = layout.locate(key);
        if (file == null) {
            return null;
        }
        StoredConversation doc = recovery.readLive(file, key);
        if (doc == null) {
            return null;
        }
        Located located = new Located(file, doc);
        cache.put(key, located);
        return located;
    }

    /** The stored conversation, or a new one (not yet written) started at {@code startedAt}. */
    Located currentOrFresh(ConversationKey key, Instant startedAt) {
        Located located = current(key);
        return located != null ? located : fresh(key, startedAt);
    }

    private Located fresh(ConversationKey key, Instant startedAt) {
        Instant start = partitionable(startedAt) ? startedAt : clock.instant();
        Archives.Adopted adopted = archives.adoptOrphans(key);
        Path file = adopted != null ? adopted.liveFile() : layout.newFile(key, start);
        int archiveFiles = adopted != null ? adopted.archiveFiles() : 0;
        int archivedTurns = adopted != null ? adopted.archivedTurns() : 0;
        Conversation conversation = new Conversation(key, start, start, Map.of(), archivedTurns, List.of());
        return new Located(file, StoredConversation.of(conversation, archiveFiles));
    }

    /** Partitions need a four-digit year; a platform's garbage timestamp must not make an unlisted folder. */
    private static boolean partitionable(Instant at) {
        int year = at.atZone(ZoneOffset.UTC).getYear();
        return year >= 1970 && year <= 9999;
    }

    /** Writes {@code next} as the conversation's new state, rolling older turns into an archive when due. */
    Located write(Located located, Conversation next) {
        Path file = located.file();
        try {
            Archives.Rolled rolled = archives.roll(file, next, located.doc().archiveFiles());
            StoredConversation doc = StoredConversation.of(rolled.current(), rolled.archiveFiles());
            AtomicFiles.write(file, codec.encode(StoredConversation.KIND, doc, DocumentCodec.schemaFor(doc.turns())), fsync,
                    backups);
            Located updated = new Located(file, doc);
            cache.put(next.key(), updated);
            return updated;
        } catch (IOException e) {
            cache.invalidate(next.key());
            throw new StoreException("could not save conversation " + next.key(), e);
        }
    }

    /** Replaces what the cache holds for a conversation written by other means. */
    void remember(ConversationKey key, Located located) {
        cache.put(key, located);
    }

    /** Drops a conversation from the cache: the disk is the truth, read it again next time. */
    void drop(ConversationKey key) {
        cache.invalidate(key);
    }

    long cached() {
        return cache.estimatedSize();
    }

    CacheStats cacheStats() {
        return cache.stats();
    }

    void close() {
        cache.invalidateAll();
    }
}

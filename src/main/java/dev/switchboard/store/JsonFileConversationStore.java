package dev.switchboard.store;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.ConversationSummary;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.StoreStats;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.TurnRejectedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger log = LoggerFactory.getLogger(JsonFileConversationStore.class);
    private static final String LIVE_KIND = "conversation";
    private static final String ARCHIVE_KIND = "archive";
    private static final String ARCHIVE_DIR = ".archive";
    private static final String QUARANTINE_DIR = ".quarantine";
    private static final String SUFFIX = ".json";
    private static final int LOCK_STRIPES = 1024;
    private static final int MAX_ID_CHARS = 512;
    private static final int MAX_MESSAGE_IDS = 200;
    private static final int MAX_METADATA_CHARS = 16_384;
    private static final DateTimeFormatter QUARANTINE_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final Options options;
    private final Path root;
    private final Clock clock;
    private final DocumentCodec codec = new DocumentCodec();
    private final Cache<ConversationKey, Located> cache;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    private final Timer appendTimer;
    private final Counter quarantined;
    private final FolderLock folderLock;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** A conversation and the file it lives in. */
    private record Located(Path file, StoredConversation doc) {
    }

    public JsonFileConversationStore(Options options, Clock clock, MeterRegistry meters) {
        this.options = options;
        this.clock = clock;
        try {
            Files.createDirectories(options.root());
            this.root = options.root().toRealPath();
        } catch (IOException e) {
            throw new StoreException("cannot create the data folder " + options.root(), e);
        }
        this.folderLock = FolderLock.acquire(root);
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
        this.appendTimer = Timer.builder("switchboard.store.append")
                .description("Time to make one appended turn durable")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
        this.quarantined = Counter.builder("switchboard.store.quarantined")
                .description("Damaged files moved aside since start")
                .register(meters);
    }

    @Override
    public Optional<Conversation> load(ConversationKey key) {
        return withLock(key, () -> Optional.ofNullable(current(key)).map(l -> l.doc().conversation()));
    }

    @Override
    public Optional<Conversation> loadComplete(ConversationKey key) {
        return withLock(key, () -> {
            Located located = current(key);
            if (located == null) {
                return Optional.empty();
            }
            StoredConversation doc = located.doc();
            List<Turn> all = new ArrayList<>(doc.archivedTurns() + doc.turns().size());
            for (int i = 1; i <= doc.archiveFiles(); i++) {
                all.addAll(readArchive(located.file(), key, i).turns());
            }
            all.addAll(doc.turns());
            return Optional.of(new Conversation(key, doc.startedAt(), doc.updatedAt(), doc.metadata(), 0, all));
        });
    }

    @Override
    public Conversation append(ConversationKey key, Turn turn) {
        Objects.requireNonNull(turn, "turn");
        if (turn.text().length() > options.maxTurnChars()) {
            throw new TurnRejectedException("a message of " + turn.text().length()
                    + " characters is longer than this bot keeps (storage.max_turn_chars = "
                    + options.maxTurnChars() + ")");
        }
        if (turn.authorId().length() > MAX_ID_CHARS || turn.authorName().length() > MAX_ID_CHARS
                || turn.messageIds().size() > MAX_MESSAGE_IDS
                || turn.messageIds().stream().anyMatch(id -> id.length() > MAX_ID_CHARS)) {
            throw new TurnRejectedException("a turn's author or message ids are too long (at most " + MAX_ID_CHARS
                    + " characters each and " + MAX_MESSAGE_IDS + " message ids)");
        }
        long started = System.nanoTime();
        Conversation result = withLock(key, () -> {
            Located located = current(key);
            if (located == null) {
                located = fresh(key, turn.at());
            }
            Conversation next = located.doc().conversation().withTurn(turn);
            return write(located, next, located.doc().archiveFiles()).doc().conversation();
        });
        appendTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return result;
    }

    @Override
    public Conversation putMetadata(ConversationKey key, String name, String value) {
        Objects.requireNonNull(name, "name");
        if (name.length() > MAX_ID_CHARS || (value != null && value.length() > MAX_METADATA_CHARS)) {
            throw new TurnRejectedException("metadata " + (name.length() > 40 ? name.substring(0, 40) + "…" : name)
                    + " is too long (names up to " + MAX_ID_CHARS + ", values up to " + MAX_METADATA_CHARS
                    + " characters)");
        }
        return withLock(key, () -> {
            Instant now = clock.instant();
            Located located = current(key);
            if (located == null) {
                located = fresh(key, now);
            }
            Conversation next = located.doc().conversation().withMetadata(name, value, now);
            return write(located, next, located.doc().archiveFiles()).doc().conversation();
        });
    }

    @Override
    public List<ConversationSummary> list(ConversationQuery query) {
        List<ConversationSummary> out = new ArrayList<>();
        Path platformDir = root.resolve(PathSegments.encode(query.platform()));
        for (Path workspaceDir : children(platformDir, matching(query.workspace()))) {
            for (Path channelDir : children(workspaceDir, matching(query.channel()))) {
                for (Path yearDir : children(channelDir, JsonFileConversationStore::isYear)) {
                    for (Path monthDir : children(yearDir, JsonFileConversationStore::isMonth)) {
                        YearMonth month = YearMonth.of(Integer.parseInt(yearDir.getFileName().toString()),
                                Integer.parseInt(monthDir.getFileName().toString()));
                        if (!query.includes(month)) {
                            continue;
                        }
                        for (Path file : children(monthDir, JsonFileConversationStore::isLiveFile)) {
                            summarise(query.platform(), workspaceDir, channelDir, month, file).ifPresent(out::add);
                        }
                    }
                }
            }
        }
        out.sort(Comparator.comparing(ConversationSummary::partition)
                .thenComparing(ConversationSummary::lastModified).reversed());
        return out;
    }

    @Override
    public boolean forget(ConversationKey key) {
        return withLock(key, () -> {
            Located located = current(key);
            cache.invalidate(key);
            if (located == null) {
                return false;
            }
            Path file = located.file();
            try {
                deleteTree(archiveDir(file));
                Files.deleteIfExists(AtomicFiles.tempOf(file, "tmp"));
                Files.deleteIfExists(AtomicFiles.tempOf(file, "bak.tmp"));
                Files.deleteIfExists(AtomicFiles.backupOf(file));
                Files.deleteIfExists(file);
                if (options.fsync()) {
                    AtomicFiles.fsyncDirectory(file.getParent());
                }
                purgeQuarantined(file);
            } catch (IOException e) {
                throw new StoreException("could not delete conversation " + key, e);
            }
            log.info("conversation forgotten: {}", kv("conversation", key));
            return true;
        });
    }

    @Override
    public int forgetUser(String platform, String userId) {
        Objects.requireNonNull(userId, "userId");
        Predicate<Turn> byUser = t -> t.authorId().equals(userId) && t.role() != Role.ASSISTANT;
        int removed = 0;
        for (ConversationSummary summary : list(new ConversationQuery(platform, null, null, null, null))) {
            ConversationKey key = summary.key();
            removed += withLock(key, () -> removeTurns(key, byUser));
        }
        try {
            purgeQuarantinedOf(platform, userId);
        } catch (IOException e) {
            throw new StoreException("could not purge quarantined copies of a user's turns", e);
        }
        log.info("turns of a user forgotten: {} {}", kv("platform", platform), kv("turns", removed));
        return removed;
    }

    private int removeTurns(ConversationKey key, Predicate<Turn> doomed) {
        Located located = current(key);
        if (located == null) {
            return 0;
        }
        StoredConversation doc = located.doc();
        int removed = 0;
        int archived = 0;
        try {
            for (int i = 1; i <= doc.archiveFiles(); i++) {
                ArchiveChunk chunk = readArchive(located.file(), key, i);
                List<Turn> kept = chunk.turns().stream().filter(doomed.negate()).toList();
                archived += kept.size();
                if (kept.size() != chunk.turns().size()) {
                    removed += chunk.turns().size() - kept.size();
                    Path archive = archiveFile(located.file(), i);
                    AtomicFiles.write(archive, codec.encode(ARCHIVE_KIND, new ArchiveChunk(key, i, kept)),
                            options.fsync(), false);
                }
            }
            List<Turn> kept = doc.turns().stream().filter(doomed.negate()).toList();
            removed += doc.turns().size() - kept.size();
            if (removed == 0) {
                return 0;
            }
            Conversation next = new Conversation(key, doc.startedAt(), clock.instant(), doc.metadata(), archived, kept);
            byte[] bytes = codec.encode(LIVE_KIND, StoredConversation.of(next, doc.archiveFiles()));
            // The backup holds the removed text: replace it rather than keep it.
            AtomicFiles.write(located.file(), bytes, options.fsync(), false);
            Files.deleteIfExists(AtomicFiles.backupOf(located.file()));
            if (options.fsync()) {
                AtomicFiles.fsyncDirectory(located.file().getParent());
            }
            cache.put(key, new Located(located.file(), StoredConversation.of(next, doc.archiveFiles())));
            return removed;
        } catch (IOException e) {
            cache.invalidate(key); // the disk may hold either version now: read it again next time
            throw new StoreException("could not rewrite conversation " + key, e);
        }
    }

    /** Quarantined copies of a thread hold its text too: forgetting the thread forgets them. */
    private void purgeQuarantined(Path liveFile) throws IOException {
        Path mirror = root.resolve(QUARANTINE_DIR).resolve(root.relativize(liveFile.getParent()));
        String name = liveFile.getFileName().toString();
        for (Path p : children(mirror, q -> q.getFileName().toString().startsWith(name + "."))) {
            Files.deleteIfExists(p);
        }
        deleteTree(archiveDir(mirror.resolve(name)));
    }

    /** Quarantined files that mention a user's id as an author: they may hold that user's text. */
    private int purgeQuarantinedOf(String platform, String userId) throws IOException {
        Path platformDir = root.resolve(QUARANTINE_DIR).resolve(PathSegments.encode(platform));
        if (!Files.isDirectory(platformDir)) {
            return 0;
        }
        byte[] needle = ("\"author_id\":" + codec.mapper().writeValueAsString(userId))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int purged = 0;
        try (Stream<Path> files = Files.walk(platformDir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                if (indexOf(Files.readAllBytes(p), needle) >= 0) {
                    Files.deleteIfExists(p);
                    purged++;
                }
            }
        }
        return purged;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
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
    public int deleteNotUpdatedSince(Instant cutoff) {
        int deleted = 0;
        for (Path platformDir : children(root, p -> PathSegments.decode(p.getFileName().toString()) != null)) {
            String platform = PathSegments.decode(platformDir.getFileName().toString());
            for (ConversationSummary summary : list(new ConversationQuery(platform, null, null, null, null))) {
                if (!summary.lastModified().isBefore(cutoff)) {
                    continue;
                }
                ConversationKey key = summary.key();
                // Decide and delete under one lock, so a turn appended meanwhile is never deleted with it.
                boolean gone = withLock(key, () -> {
                    Located located = current(key);
                    return located != null && located.doc().updatedAt().isBefore(cutoff) && forget(key);
                });
                if (gone) {
                    deleted++;
                }
            }
        }
        if (deleted > 0) {
            log.info("retention deleted {} conversations not updated since {}", deleted, cutoff);
        }
        return deleted;
    }

    @Override
    public StoreStats stats() {
        long conversations = 0;
        long bytes = 0;
        long quarantinedFiles = 0;
        Path quarantine = root.resolve(QUARANTINE_DIR);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(p, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (!attrs.isRegularFile()) {
                    continue;
                }
                bytes += attrs.size();
                if (p.startsWith(quarantine)) {
                    quarantinedFiles++;
                } else if (isLiveFile(p) && !p.getParent().getFileName().toString().startsWith(".")
                        && !p.getParent().getParent().getFileName().toString().equals(ARCHIVE_DIR)) {
                    conversations++;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new StoreException("could not measure the data folder", e);
        }
        CacheStats cs = cache.stats();
        return new StoreStats(conversations, bytes, quarantinedFiles, cache.estimatedSize(), cs.hitRate());
    }

    @Override
    public void close() {
        // Every write is durable when its call returns: nothing is buffered.
        if (closed.compareAndSet(false, true)) {
            cache.invalidateAll();
            folderLock.release();
        }
    }

    // ---- internals; callers hold the conversation's lock ----

    private Located current(ConversationKey key) {
        Located cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        Path file = locate(key);
        if (file == null) {
            return null;
        }
        StoredConversation doc = readLive(file, key);
        if (doc == null) {
            return null;
        }
        Located located = new Located(file, doc);
        cache.put(key, located);
        return located;
    }

    private Located fresh(ConversationKey key, Instant startedAt) {
        Instant start = partitionable(startedAt) ? startedAt : clock.instant();
        String name = PathSegments.encode(key.thread());
        // A thread whose current file was lost may still have archives: adopt them rather than overwrite them.
        Path orphanedArchives = locateArchives(key, name);
        Path file;
        if (orphanedArchives != null) {
            file = orphanedArchives.getParent().getParent().resolve(name + SUFFIX);
        } else {
            YearMonth month = YearMonth.from(start.atZone(ZoneOffset.UTC));
            file = channelDir(key).resolve(String.format("%04d", month.getYear()))
                    .resolve(String.format("%02d", month.getMonthValue())).resolve(name + SUFFIX);
        }
        int archiveFiles = 0;
        int archivedTurns = 0;
        if (orphanedArchives != null) {
            while (Files.exists(archiveFile(file, archiveFiles + 1))) {
                archiveFiles++;
                archivedTurns += readArchive(file, key, archiveFiles).turns().size();
            }
            log.warn("conversation file lost; kept its {} archive files ({} turns) {}", archiveFiles, archivedTurns,
                    kv("conversation", key));
        }
        Conversation conversation = new Conversation(key, start, start, java.util.Map.of(), archivedTurns, List.of());
        return new Located(contained(file), StoredConversation.of(conversation, archiveFiles));
    }

    /** Partitions need a four-digit year; a platform's garbage timestamp must not make an unlisted folder. */
    private static boolean partitionable(Instant at) {
        int year = at.atZone(ZoneOffset.UTC).getYear();
        return year >= 1970 && year <= 9999;
    }

    private Path locateArchives(ConversationKey key, String name) {
        Path channel = channelDir(key);
        for (Path year : childrenDescending(channel, JsonFileConversationStore::isYear)) {
            for (Path month : childrenDescending(year, JsonFileConversationStore::isMonth)) {
                Path archives = month.resolve(ARCHIVE_DIR).resolve(name);
                if (Files.isDirectory(archives)) {
                    return archives;
                }
            }
        }
        return null;
    }

    private Located write(Located located, Conversation next, int archiveFiles) {
        Path file = located.file();
        try {
            if (next.turns().size() > options.maxTurnsPerFile()) {
                // Roll the oldest turns out so the current file stays small; keep a quarter for context.
                int keep = Math.max(1, options.maxTurnsPerFile() / 4);
                int roll = next.turns().size() - keep;
                archiveFiles++;
                List<Turn> rolled = next.turns().subList(0, roll);
                AtomicFiles.write(archiveFile(file, archiveFiles),
                        codec.encode(ARCHIVE_KIND, new ArchiveChunk(next.key(), archiveFiles, rolled)),
                        options.fsync(), false);
                next = new Conversation(next.key(), next.startedAt(), next.updatedAt(), next.metadata(),
                        next.archivedTurns() + roll, next.turns().subList(roll, next.turns().size()));
            }
            StoredConversation doc = StoredConversation.of(next, archiveFiles);
            AtomicFiles.write(file, codec.encode(LIVE_KIND, doc), options.fsync(), options.backups());
            Located updated = new Located(file, doc);
            cache.put(next.key(), updated);
            return updated;
        } catch (IOException e) {
            cache.invalidate(next.key());
            throw new StoreException("could not save conversation " + next.key(), e);
        }
    }

    /** The current file of a conversation, searching its channel's month partitions newest first. */
    private Path locate(ConversationKey key) {
        Path channel = channelDir(key);
        String name = PathSegments.encode(key.thread()) + SUFFIX;
        for (Path year : childrenDescending(channel, JsonFileConversationStore::isYear)) {
            for (Path month : childrenDescending(year, JsonFileConversationStore::isMonth)) {
                Path file = month.resolve(name);
                if (Files.exists(file) || Files.exists(AtomicFiles.backupOf(file))) {
                    return file;
                }
            }
        }
        return null;
    }

    private StoredConversation readLive(Path file, ConversationKey key) {
        Path backup = AtomicFiles.backupOf(file);
        String problem;
        try {
            StoredConversation doc = codec.decode(Files.readAllBytes(file), LIVE_KIND, StoredConversation.class);
            requireKey(doc.key(), key, file);
            return doc;
        } catch (NoSuchFileException e) {
            problem = "missing";
        } catch (DocumentCodec.CorruptFileException e) {
            problem = e.getMessage();
            quarantine(file);
        } catch (IOException e) {
            throw new StoreException("could not read conversation " + key, e);
        }
        try {
            byte[] bytes = Files.readAllBytes(backup);
            StoredConversation doc = codec.decode(bytes, LIVE_KIND, StoredConversation.class);
            requireKey(doc.key(), key, backup);
            AtomicFiles.write(file, bytes, options.fsync(), false);
            log.warn("conversation file {} ({}): restored from its backup, the last change may be missing {}",
                    root.relativize(file), problem, kv("conversation", key));
            return doc;
        } catch (NoSuchFileException e) {
            log.error("conversation file {} ({}) and no backup: starting the thread afresh {}", root.relativize(file),
                    problem, kv("conversation", key));
            return null;
        } catch (DocumentCodec.CorruptFileException e) {
            quarantine(backup);
            log.error("conversation file {} ({}) and its backup ({}) are damaged: both quarantined, starting the"
                    + " thread afresh {}", root.relativize(file), problem, e.getMessage(), kv("conversation", key));
            return null;
        } catch (IOException e) {
            throw new StoreException("could not read the backup of conversation " + key, e);
        }
    }

    private ArchiveChunk readArchive(Path liveFile, ConversationKey key, int index) {
        Path file = archiveFile(liveFile, index);
        try {
            ArchiveChunk chunk = codec.decode(Files.readAllBytes(file), ARCHIVE_KIND, ArchiveChunk.class);
            requireKey(chunk.key(), key, file);
            return chunk;
        } catch (NoSuchFileException e) {
            log.error("archive {} of conversation {} is missing: its turns are left out", index, kv("conversation", key));
        } catch (DocumentCodec.CorruptFileException e) {
            quarantine(file);
            log.error("archive {} of conversation {} is damaged ({}): quarantined, its turns are left out", index,
                    kv("conversation", key),
                    e.getMessage());
        } catch (IOException e) {
            throw new StoreException("could not read an archive of conversation " + key, e);
        }
        return new ArchiveChunk(key, index, List.of());
    }

    private void requireKey(ConversationKey found, ConversationKey wanted, Path file) {
        if (!wanted.equals(found)) {
            throw new StoreException("file " + root.relativize(file) + " belongs to another conversation ("
                    + found + "); refusing to mix threads", null);
        }
    }

    private void quarantine(Path file) {
        Path target = contained(root.resolve(QUARANTINE_DIR).resolve(root.relativize(file))
                .resolveSibling(file.getFileName() + "." + QUARANTINE_STAMP.format(clock.instant())));
        try {
            Files.createDirectories(target.getParent());
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            quarantined.increment();
            log.warn("damaged file moved to {}", root.relativize(target));
        } catch (IOException e) {
            log.error("could not quarantine damaged file {}: {}", root.relativize(file), e.toString());
        }
    }

    private Path channelDir(ConversationKey key) {
        return contained(root.resolve(PathSegments.encode(key.platform()))
                .resolve(PathSegments.encode(key.workspace()))
                .resolve(PathSegments.encode(key.channel())));
    }

    private Path archiveDir(Path liveFile) {
        String name = liveFile.getFileName().toString();
        return liveFile.resolveSibling(ARCHIVE_DIR).resolve(name.substring(0, name.length() - SUFFIX.length()));
    }

    private Path archiveFile(Path liveFile, int index) {
        return archiveDir(liveFile).resolve(String.format("%04d", index) + SUFFIX);
    }

    /** Belt and braces behind {@link PathSegments}: nothing is ever read or written outside the data folder. */
    private Path contained(Path path) {
        Path normal = path.normalize();
        if (!normal.startsWith(root)) {
            throw new IllegalStateException("refusing a path outside the data folder: " + normal);
        }
        return normal;
    }

    private Optional<ConversationSummary> summarise(String platform, Path workspaceDir, Path channelDir,
                                                    YearMonth month, Path file) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            String workspace = PathSegments.decode(workspaceDir.getFileName().toString());
            String channel = PathSegments.decode(channelDir.getFileName().toString());
            String name = file.getFileName().toString();
            String thread = PathSegments.decode(name.substring(0, name.length() - SUFFIX.length()));
            ConversationKey key;
            if (workspace != null && channel != null && thread != null) {
                key = new ConversationKey(platform, workspace, channel, thread);
            } else {
                // A hashed segment cannot be decoded: the file knows its own key.
                key = codec.decode(Files.readAllBytes(file), LIVE_KIND, StoredConversation.class).key();
            }
            return Optional.of(new ConversationSummary(key, month, attrs.size(), attrs.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (DocumentCodec.CorruptFileException e) {
            log.warn("skipping damaged file {} in a listing: {}", root.relativize(file), e.getMessage());
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("could not list " + root.relativize(file.getParent()), e);
        }
    }

    private <T> T withLock(ConversationKey key, Supplier<T> action) {
        ReentrantLock lock = locks[Math.floorMod(key.hashCode() * 0x9E3779B9, LOCK_STRIPES)];
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private static Predicate<Path> matching(String id) {
        if (id == null) {
            return p -> !p.getFileName().toString().startsWith(".");
        }
        String segment = PathSegments.encode(id);
        return p -> p.getFileName().toString().equals(segment);
    }

    private static boolean isYear(Path p) {
        String n = p.getFileName().toString();
        return n.length() == 4 && n.chars().allMatch(Character::isDigit);
    }

    private static boolean isMonth(Path p) {
        String n = p.getFileName().toString();
        return n.length() == 2 && n.chars().allMatch(Character::isDigit) && !n.equals("00")
                && Integer.parseInt(n) <= 12;
    }

    private static boolean isLiveFile(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(SUFFIX) && !n.startsWith(".");
    }

    private static List<Path> children(Path dir, Predicate<Path> filter) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(filter).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new StoreException("could not list " + dir.getFileName(), e);
        }
    }

    private static List<Path> childrenDescending(Path dir, Predicate<Path> filter) {
        List<Path> list = new ArrayList<>(children(dir, filter));
        list.sort(Comparator.reverseOrder());
        return list;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

package dev.switchboard.store;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a thread's files and recovers from damage: a file that fails to parse or fails its checksum is moved to the
 * quarantine folder and its backup served and restored; a missing or damaged archive is logged and its turns left
 * out. Quarantined copies hold users' text, so forgetting purges them too. Callers hold the conversation's lock.
 */
final class Recovery {

    private static final Logger log = LoggerFactory.getLogger(JsonFileConversationStore.class);
    private static final DateTimeFormatter QUARANTINE_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final FileLayout layout;
    private final DocumentCodec codec;
    private final boolean fsync;
    private final Clock clock;
    private final Counter quarantined;

    Recovery(FileLayout layout, DocumentCodec codec, boolean fsync, Clock clock, MeterRegistry meters) {
        this.layout = layout;
        this.codec = codec;
        this.fsync = fsync;
        this.clock = clock;
        this.quarantined = Counter.builder("switchboard.store.quarantined")
                .description("Damaged files moved aside since start")
                .register(meters);
    }

    /** A thread's current file, or its backup when the file is missing or damaged; null when neither is usable. */
    StoredConversation readLive(Path file, ConversationKey key) {
        String problem;
        try {
            StoredConversation doc = codec.decode(Files.readAllBytes(file), StoredConversation.KIND,
                    StoredConversation.class);
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
        return readBackup(file, key, problem);
    }

    private StoredConversation readBackup(Path file, ConversationKey key, String problem) {
        Path backup = AtomicFiles.backupOf(file);
        try {
            byte[] bytes = Files.readAllBytes(backup);
            StoredConversation doc = codec.decode(bytes, StoredConversation.KIND, StoredConversation.class);
            requireKey(doc.key(), key, backup);
            AtomicFiles.write(file, bytes, fsync, false);
            log.warn("conversation file {} ({}): restored from its backup, the last change may be missing {}",
                    layout.relative(file), problem, kv("conversation", key));
            return doc;
        } catch (NoSuchFileException e) {
            log.error("conversation file {} ({}) and no backup: starting the thread afresh {}",
                    layout.relative(file), problem, kv("conversation", key));
            return null;
        } catch (DocumentCodec.CorruptFileException e) {
            quarantine(backup);
            log.error("conversation file {} ({}) and its backup ({}) are damaged: both quarantined, starting the"
                    + " thread afresh {}", layout.relative(file), problem, e.getMessage(), kv("conversation", key));
            return null;
        } catch (IOException e) {
            throw new StoreException("could not read the backup of conversation " + key, e);
        }
    }

    /** One archive of a thread; empty when it is missing or damaged (damaged ones are quarantined). */
    ArchiveChunk readArchive(Path liveFile, ConversationKey key, int index) {
        Path file = layout.archiveFile(liveFile, index);
        try {
            ArchiveChunk chunk = codec.decode(Files.readAllBytes(file), ArchiveChunk.KIND, ArchiveChunk.class);
            requireKey(chunk.key(), key, file);
            return chunk;
        } catch (NoSuchFileException e) {
            log.error("archive {} of conversation {} is missing: its turns are left out", index,
                    kv("conversation", key));
        } catch (DocumentCodec.CorruptFileException e) {
            quarantine(file);
            log.error("archive {} of conversation {} is damaged ({}): quarantined, its turns are left out", index,
                    kv("conversation", key), e.getMessage());
        } catch (IOException e) {
            throw new StoreException("could not read an archive of conversation " + key, e);
        }
        return new ArchiveChunk(key, index, List.of());
    }

    private void requireKey(ConversationKey found, ConversationKey wanted, Path file) {
        if (!wanted.equals(found)) {
            throw new StoreException("file " + layout.relative(file) + " belongs to another conversation ("
                    + found + "); refusing to mix threads", null);
        }
    }

    private void quarantine(Path file) {
        Path target = layout.contained(layout.quarantineDir().resolve(layout.relative(file))
                .resolveSibling(file.getFileName() + "." + QUARANTINE_STAMP.format(clock.instant())));
        try {
            Files.createDirectories(target.getParent());
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            quarantined.increment();
            log.warn("damaged file moved to {}", layout.relative(target));
        } catch (IOException e) {
            log.error("could not quarantine damaged file {}: {}", layout.relative(file), e.toString());
        }
    }

    /** Quarantined copies of a thread hold its text too: forgetting the thread forgets them. */
    void purgeCopiesOf(Path liveFile) throws IOException {
        Path mirror = layout.quarantineDir().resolve(layout.relative(liveFile.getParent()));
        String name = liveFile.getFileName().toString();
        for (Path p : FileLayout.children(mirror, q -> q.getFileName().toString().startsWith(name + "."))) {
            Files.deleteIfExists(p);
        }
        FileLayout.deleteTree(layout.archiveDir(mirror.resolve(name)));
    }

    /** Deletes quarantined files that mention a user's id as an author: they may hold that user's text. */
    int purgeMentionsOf(String platform, String userId) throws IOException {
        Path platformDir = layout.quarantineDir().resolve(PathSegments.encode(platform));
        if (!Files.isDirectory(platformDir)) {
            return 0;
        }
        byte[] needle = ("\"author_id\":" + codec.mapper().writeValueAsString(userId))
                .getBytes(StandardCharsets.UTF_8);
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
}

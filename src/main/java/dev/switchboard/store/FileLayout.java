package dev.switchboard.store;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationSummary;
import dev.switchboard.conversation.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the file store keeps what: a thread's current file at
 * {@code <root>/<platform>/<workspace>/<channel>/<yyyy>/<mm>/<thread>.json}, its archives under
 * {@code <yyyy>/<mm>/.archive/<thread>/NNNN.json}, damaged files under {@code <root>/.quarantine/}. Finds and lists
 * files by their names and attributes; every path it gives is inside the root. Stateless and thread-safe.
 */
final class FileLayout {

    static final String SUFFIX = ".json";
    private static final String ARCHIVE_DIR = ".archive";
    private static final String BLOB_DIR = ".blobs";
    private static final String QUARANTINE_DIR = ".quarantine";
    private static final Logger log = LoggerFactory.getLogger(JsonFileConversationStore.class);

    /** What the data folder holds, for operators. */
    record Footprint(long conversations, long bytes, long quarantined) { }

    private final Path root;
    private final DocumentCodec codec;

    /** @param root the data folder, a real path */
    FileLayout(Path root, DocumentCodec codec) {
        this.root = root;
        this.codec = codec;
    }

    Path root() {
        return root;
    }

    Path relative(Path path) {
        return root.relativize(path);
    }

    Path quarantineDir() {
        return root.resolve(QUARANTINE_DIR);
    }

    /** The current file of a new thread started at {@code start}. */
    Path newFile(ConversationKey key, Instant start) {
        YearMonth month = YearMonth.from(start.atZone(ZoneOffset.UTC));
        return contained(channelDir(key).resolve(String.format("%04d", month.getYear()))
                .resolve(String.format("%02d", month.getMonthValue()))
                .resolve(PathSegments.encode(key.thread()) + SUFFIX));
    }

    /** The current file that archives found by {@link #locateArchives} belong to. */
    Path fileOfArchives(Path archives) {
        return contained(archives.getParent().getParent().resolve(archives.getFileName() + SUFFIX));
    }

    Path archiveDir(Path liveFile) {
        String name = liveFile.getFileName().toString();
        return liveFile.resolveSibling(ARCHIVE_DIR).resolve(name.substring(0, name.length() - SUFFIX.length()));
    }

    /** Where a thread's attachments are kept, one file per content hash. */
    Path blobDir(Path liveFile) {
        String name = liveFile.getFileName().toString();
        return liveFile.resolveSibling(BLOB_DIR).resolve(name.substring(0, name.length() - SUFFIX.length()));
    }

    Path archiveFile(Path liveFile, int index) {
        return archiveDir(liveFile).resolve(String.format("%04d", index) + SUFFIX);
    }

    /** Belt and braces behind {@link PathSegments}: nothing is ever read or written outside the data folder. */
    Path contained(Path path) {
        Path normal = path.normalize();
        if (!normal.startsWith(root)) {
            throw new IllegalStateException("refusing a path outside the data folder: " + normal);
        }
        return normal;
    }

    /** The current file of a conversation, searching its channel's month partitions newest first; null if none. */
    Path locate(ConversationKey key) {
        String name = PathSegments.encode(key.thread()) + SUFFIX;
        return newestMonthWith(key, month -> {
            Path file = month.resolve(name);
            return Files.exists(file) || Files.exists(AtomicFiles.backupOf(file)) ? file : null;
        });
    }

    /** The archive folder of a thread whose current file may be lost; null if it has none. */
    Path locateArchives(ConversationKey key) {
        String name = PathSegments.encode(key.thread());
        return newestMonthWith(key, month -> {
            Path archives = month.resolve(ARCHIVE_DIR).resolve(name);
            return Files.isDirectory(archives) ? archives : null;
        });
    }

    /** The first non-null {@code probe} of the key's channel's month folders, newest first. */
    private Path newestMonthWith(ConversationKey key, Function<Path, Path> probe) {
        for (Path year : childrenDescending(channelDir(key), FileLayout::isYear)) {
            for (Path month : childrenDescending(year, FileLayout::isMonth)) {
                Path found = probe.apply(month);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private Path channelDir(ConversationKey key) {
        return contained(root.resolve(PathSegments.encode(key.platform()))
                .resolve(PathSegments.encode(key.workspace()))
                .resolve(PathSegments.encode(key.channel())));
    }

    /** The platforms with a folder, as their ids. */
    List<String> platforms() {
        return children(root, p -> PathSegments.decode(p.getFileName().toString()) != null).stream()
                .map(p -> PathSegments.decode(p.getFileName().toString())).toList();
    }

    /** Conversations matching a query, by folder names alone, newest partition first. */
    List<ConversationSummary> list(ConversationQuery query) {
        List<ConversationSummary> out = new ArrayList<>();
        Path platformDir = root.resolve(PathSegments.encode(query.platform()));
        for (Path workspaceDir : children(platformDir, matching(query.workspace()))) {
            for (Path channelDir : children(workspaceDir, matching(query.channel()))) {
                for (Path yearDir : children(channelDir, FileLayout::isYear)) {
                    for (Path monthDir : children(yearDir, FileLayout::isMonth)) {
                        YearMonth month = YearMonth.of(Integer.parseInt(yearDir.getFileName().toString()),
                                Integer.parseInt(monthDir.getFileName().toString()));
                        if (!query.includes(month)) {
                            continue;
                        }
                        for (Path file : children(monthDir, FileLayout::isLiveFile)) {
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
                key = codec.decode(Files.readAllBytes(file), StoredConversation.KIND, StoredConversation.class).key();
            }
            return Optional.of(new ConversationSummary(key, month, attrs.size(), attrs.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (DocumentCodec.CorruptFileException e) {
            log.warn("skipping damaged file {} in a listing: {}", relative(file), e.getMessage());
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("could not list " + relative(file.getParent()), e);
        }
    }

    /** Walks the whole data folder. */
    Footprint measure() {
        long conversations = 0;
        long bytes = 0;
        long quarantined = 0;
        Path quarantine = quarantineDir();
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
                    quarantined++;
                } else if (isLiveFile(p) && !p.getParent().getFileName().toString().startsWith(".")
                        && !p.getParent().getParent().getFileName().toString().equals(ARCHIVE_DIR)) {
                    conversations++;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new StoreException("could not measure the data folder", e);
        }
        return new Footprint(conversations, bytes, quarantined);
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

    static List<Path> children(Path dir, Predicate<Path> filter) {
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

    static void deleteTree(Path dir) throws IOException {
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

package dev.switchboard.store;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Feedback;
import dev.switchboard.conversation.FeedbackTally;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The verdicts on a thread's answers, in a file of their own beside the thread's, in its month partition:
 * {@code <yyyy>/<mm>/.feedback/<thread>.json}, written as the thread's file is (atomically, checksummed, the previous
 * version kept as a backup that is served when the file is damaged). A folder starting with a dot is neither listed
 * nor counted as a thread. Callers hold the thread's lock ({@link ThreadFiles#withLock}).
 */
final class FeedbackFiles {

    private static final String DIR = ".feedback";

    /** The body of a feedback file: the thread it belongs to and its verdicts, oldest first. */
    record StoredFeedback(ConversationKey key, List<Feedback> verdicts) {
        static final String KIND = "feedback";

        StoredFeedback {
            verdicts = verdicts == null ? List.of() : List.copyOf(verdicts);
        }
    }

    private final ThreadFiles threads;
    private final FileLayout layout;
    private final Archives archives;
    private final DocumentCodec codec;
    private final boolean fsync;

    FeedbackFiles(ThreadFiles threads, FileLayout layout, Archives archives, DocumentCodec codec, boolean fsync) {
        this.threads = threads;
        this.layout = layout;
        this.archives = archives;
        this.codec = codec;
        this.fsync = fsync;
    }

    Path fileOf(Path liveFile) {
        return layout.contained(liveFile.resolveSibling(DIR).resolve(liveFile.getFileName()));
    }

    Optional<Feedback.Given> give(ConversationKey key, String messageId, String userId, Verdict verdict, Instant at) {
        return threads.withLock(key, () -> {
            Located located = threads.current(key);
            if (located == null) {
                return Optional.<Feedback.Given>empty();
            }
            Turn answer = answerCarrying(located, key, messageId);
            if (answer == null) {
                return Optional.<Feedback.Given>empty();
            }
            Feedback now = new Feedback(answer.messageIds().getFirst(), userId, verdict, at,
                    answer.assistant().provider(), answer.assistant().model());
            Path file = fileOf(located.file());
            List<Feedback> kept = new ArrayList<>();
            Verdict replaced = null;
            for (Feedback f : read(file, key)) {
                if (f.answer().equals(now.answer()) && f.userId().equals(userId)) {
                    replaced = f.verdict();
                } else {
                    kept.add(f);
                }
            }
            kept.add(now);
            write(file, key, kept, true);
            return Optional.of(new Feedback.Given(now, replaced));
        });
    }

    /** The answer turn carrying a platform message: the recent turns first, then the archived ones. */
    private Turn answerCarrying(Located located, ConversationKey key, String messageId) {
        Turn found = answerIn(located.doc().turns(), messageId);
        if (found == null && located.doc().archiveFiles() > 0) {
            found = answerIn(archives.readAll(located.file(), key, located.doc().archiveFiles()), messageId);
        }
        return found;
    }

    private static Turn answerIn(List<Turn> turns, String messageId) {
        for (Turn t : turns) {
            // An answer: a model wrote it (a failure's or a cancel's message names no provider).
            if (t.role() == Role.ASSISTANT && !t.assistant().provider().isEmpty()
                    && t.messageIds().contains(messageId)) {
                return t;
            }
        }
        return null;
    }

    List<Feedback> of(ConversationKey key) {
        return threads.withLock(key, () -> {
            Located located = threads.current(key);
            return located == null ? List.<Feedback>of() : read(fileOf(located.file()), key).stream()
                    .sorted(Comparator.comparing(Feedback::at).thenComparing(Feedback::answer)
                            .thenComparing(Feedback::userId)).toList();
        });
    }

    /** Removes a user's verdicts from a thread, backup included. @return how many were removed */
    int removeUser(ConversationKey key, String userId) {
        return threads.withLock(key, () -> {
            Located located = threads.current(key);
            if (located == null) {
                return 0;
            }
            Path file = fileOf(located.file());
            List<Feedback> all = read(file, key);
            List<Feedback> kept = all.stream().filter(f -> !f.userId().equals(userId)).toList();
            if (kept.size() != all.size()) {
                write(file, key, kept, false);
            }
            return all.size() - kept.size();
        });
    }

    /** Deletes a thread's verdicts with their backup and temp files. */
    void delete(Path liveFile) throws IOException {
        Path file = fileOf(liveFile);
        Files.deleteIfExists(AtomicFiles.tempOf(file, "tmp"));
        Files.deleteIfExists(AtomicFiles.tempOf(file, "bak.tmp"));
        Files.deleteIfExists(AtomicFiles.backupOf(file));
        Files.deleteIfExists(file);
        Path dir = file.getParent();
        try (Stream<Path> left = Files.list(dir)) {
            if (left.findAny().isEmpty()) {
                Files.deleteIfExists(dir);
            }
        } catch (NoSuchFileException gone) {
            // nothing was ever given in this month
        }
    }

    /** Every thread's verdicts given since {@code since}, added up by provider and model. */
    List<FeedbackTally> tally(Instant since) {
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, String[]> names = new TreeMap<>();
        try (Stream<Path> files = Files.walk(layout.root())) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path parent = p.getParent();
                String name = p.getFileName().toString();
                if (parent == null || !parent.getFileName().toString().equals(DIR) || name.startsWith(".")
                        || !name.endsWith(FileLayout.SUFFIX) || p.startsWith(layout.quarantineDir())) {
                    continue;
                }
                for (Feedback f : readQuietly(p)) {
                    if (f.at().isBefore(since)) {
                        continue;
                    }
                    String target = f.provider() + "\n" + f.model();
                    names.putIfAbsent(target, new String[] {f.provider(), f.model()});
                    counts.computeIfAbsent(target, t -> new long[2])[f.verdict() == Verdict.GOOD ? 0 : 1]++;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new StoreException("could not add up the verdicts on answers", e);
        }
        List<FeedbackTally> out = new ArrayList<>();
        counts.forEach((target, c) -> out.add(new FeedbackTally(names.get(target)[0], names.get(target)[1], c[0],
                c[1])));
        out.sort(Comparator.comparing(FeedbackTally::provider).thenComparing(FeedbackTally::model));
        return out;
    }

    private List<Feedback> readQuietly(Path file) {
        try {
            return codec.decode(Files.readAllBytes(file), StoredFeedback.KIND, StoredFeedback.class).verdicts();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | DocumentCodec.CorruptFileException e) {
            return List.of(); // counted from its backup when it is next written; a tally is not worth failing
        }
    }

    private List<Feedback> read(Path file, ConversationKey key) {
        for (Path candidate : List.of(file, AtomicFiles.backupOf(file))) {
            try {
                return codec.decode(Files.readAllBytes(candidate), StoredFeedback.KIND, StoredFeedback.class)
                        .verdicts();
            } catch (NoSuchFileException e) {
                if (candidate.equals(file) && !Files.exists(AtomicFiles.backupOf(file))) {
                    return List.of();
                }
            } catch (DocumentCodec.CorruptFileException e) {
                // try the backup
            } catch (IOException e) {
                throw new StoreException("could not read the verdicts of " + key, e);
            }
        }
        throw new StoreException("the verdicts of " + key + " are damaged and have no readable backup", null);
    }

    private void write(Path file, ConversationKey key, List<Feedback> verdicts, boolean keepBackup) {
        try {
            AtomicFiles.write(file, codec.encode(StoredFeedback.KIND, new StoredFeedback(key, verdicts)), fsync,
                    keepBackup);
            if (!keepBackup) {
                // The backup holds what was removed: it goes too.
                Files.deleteIfExists(AtomicFiles.backupOf(file));
            }
        } catch (IOException e) {
            throw new StoreException("could not save the verdicts of " + key, e);
        }
    }
}

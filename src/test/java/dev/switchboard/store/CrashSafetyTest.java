package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Turn;
import dev.switchboard.store.postgres.PostgresStorage;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a JVM that is appending, at random moments, and checks that nothing it acknowledged was lost: on the file
 * store (every file still readable) and on PostgreSQL (a database of the test's own).
 */
class CrashSafetyTest {

    private static final int ROUNDS = 16;
    private static final String EOF = "\u0000eof";

    @TempDir
    Path dir;

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void sigkillWhileAppending_loosesNoAcknowledgedTurnAndLeavesEveryFileReadable() throws Exception {
        Path root = dir.resolve("data");
        killRepeatedly(root.toString(), () -> assertThatThrownBy(() -> new JsonFileConversationStore(
                        FileStoreOptions.defaults(root), Clock.systemUTC(), new SimpleMeterRegistry()))
                        .as("a second process may not open a data folder in use")
                        .hasMessageContaining("another Switchboard process is using the data folder"),
                acked -> {
                    verifyReadable(root);
                    try (JsonFileConversationStore store = new JsonFileConversationStore(
                            FileStoreOptions.defaults(root), Clock.systemUTC(), new SimpleMeterRegistry())) {
                        verifyStored(store, acked);
                    }
                });
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void sigkillWhileAppendingToPostgres_loosesNoAcknowledgedTurn() throws Exception {
        killRepeatedly(db.url(), () -> { }, acked -> {
            try (PostgresStorage storage = PostgresStorage.open(db.options(), Clock.systemUTC(),
                    new SimpleMeterRegistry());
                 ConversationStore store = storage.conversations(new PostgresStorage.Limits(40_000,
                         CrashAppender.TURNS_PER_FILE, 0))) {
                verifyStored(store, acked);
            }
        });
    }

    /** Something to do while the first writer runs. */
    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** What a round checks once the writer is dead, given every turn acknowledged so far by writer. */
    @FunctionalInterface
    private interface Check {
        void verify(Map<Integer, List<String>> acked) throws Exception;
    }

    /**
     * Starts the writer on {@code where} and kills it after a random number of acknowledged appends, {@link #ROUNDS}
     * times, checking after each kill; {@code whileRunning} runs once, while the first writer is up.
     */
    private void killRepeatedly(String where, ThrowingRunnable whileRunning, Check check) throws Exception {
        Random random = new Random(20261124L);
        Map<Integer, List<String>> acked = new HashMap<>();
        long totalAcks = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int killAfter = 5 + random.nextInt(120);
            List<String> lines = runAndKill(where, round, killAfter, round == 0 ? whileRunning : () -> { });
            for (String line : lines) {
                String[] parts = line.split(" ");
                if (parts.length == 3 && parts[0].equals("ack")) {
                    acked.computeIfAbsent(Integer.parseInt(parts[1]), w -> new ArrayList<>()).add(parts[2]);
                    totalAcks++;
                }
            }
            check.verify(acked);
        }
        assertThat(totalAcks).as("acknowledged appends across all rounds").isGreaterThan(ROUNDS * 5L);
    }

    private List<String> runAndKill(String where, int round, int killAfter, ThrowingRunnable whileRunning)
            throws Exception {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                "-Dswitchboard.log.format=text", CrashAppender.class.getName(), where,
                Integer.toString(round))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    queue.add(line);
                }
            } catch (IOException ignored) {
                // the pipe breaks when the child dies
            } finally {
                queue.add(EOF);
            }
        });
        reader.start();
        List<String> lines = new ArrayList<>();
        int acks = 0;
        String first = queue.poll(60, TimeUnit.SECONDS);
        assertThat(first).as("the child acknowledges its first append").isNotNull().isNotEqualTo(EOF);
        lines.add(first);
        acks++;
        whileRunning.run();
        while (acks < killAfter) {
            String line = queue.poll(60, TimeUnit.SECONDS);
            assertThat(line).as("the child keeps acknowledging appends").isNotNull().isNotEqualTo(EOF);
            lines.add(line);
            acks++;
        }
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        reader.join(30_000);
        for (String line; (line = queue.poll()) != null && !line.equals(EOF); ) {
            lines.add(line);
        }
        return lines;
    }

    private static void verifyReadable(Path root) throws IOException {
        DocumentCodec codec = new DocumentCodec();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith(".")) {
                    continue; // a temp file the kill interrupted; never read
                }
                boolean archive = file.getParent().getParent().getFileName().toString().equals(".archive");
                try {
                    if (archive) {
                        codec.decode(Files.readAllBytes(file), "archive", ArchiveChunk.class);
                    } else {
                        codec.decode(Files.readAllBytes(file), "conversation", StoredConversation.class);
                    }
                } catch (DocumentCodec.CorruptFileException e) {
                    throw new AssertionError(root.relativize(file) + " is damaged after a kill: " + e.getMessage());
                }
            }
        }
        assertThat(root.resolve(".quarantine")).doesNotExist();
    }

    /** Every acknowledged turn is stored exactly once, in the order it was acknowledged, per writer. */
    private static void verifyStored(ConversationStore store, Map<Integer, List<String>> acked) {
        for (Map.Entry<Integer, List<String>> entry : acked.entrySet()) {
            List<String> stored = store.loadComplete(CrashAppender.keyOf(entry.getKey())).orElseThrow().turns()
                    .stream().map(Turn::text).toList();
            assertThat(stored).as("writer %d: every acknowledged turn is stored", entry.getKey())
                    .containsAll(entry.getValue());
            List<String> mine = stored.stream().filter(t -> t.startsWith("w" + entry.getKey() + "-")).toList();
            assertThat(mine).as("writer %d: no turn stored twice", entry.getKey()).doesNotHaveDuplicates();
            List<String> ackedInStoredOrder = mine.stream().filter(entry.getValue()::contains).toList();
            assertThat(ackedInStoredOrder).as("writer %d: stored in the order acknowledged", entry.getKey())
                    .containsExactlyElementsOf(entry.getValue());
        }
    }
}

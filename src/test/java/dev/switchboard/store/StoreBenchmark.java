package dev.switchboard.store;

import static dev.switchboard.testing.Turns.words;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.conversation.Turn;
import dev.switchboard.store.postgres.PostgresStorage;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Append and load latency of the JSON-file store against a naive whole-file rewrite without fsync, then the file
 * store and the PostgreSQL store (synchronous_commit on, a database of its own) side by side on the same work:
 * append and cold load p50/p99 at 10, 100 and 1,000 turns, appends per second across 1,000 conversations with 2 and
 * 8 writers. Run with {@code ./mvnw -B -Pbench test -Dtest=StoreBenchmark}; prints Markdown tables and writes them to
 * {@code target/benchmarks/store.md}.
 */
@Tag("benchmark")
class StoreBenchmark {

    private static final int[] SIZES = {10, 100, 1_000};
    private static final int THREADS_PER_SIZE = 20;
    private static final int ROUNDS = 50;
    private static final int TURNS_PER_FILE = Integer.getInteger("bench.turnsPerFile",
            FileStoreOptions.defaults(Path.of(".")).maxTurnsPerFile());
    private static final int TURN_CHARS = 400;
    private static final int DISTINCT = 1_000;
    private static final int THROUGHPUT_APPENDS = 6_000;

    @TempDir
    Path dir;

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final Clock clock = Clock.systemUTC();

    /** Append and cold-load latency of one store at one thread length. */
    private record Latency(Histogram append, Histogram load) { }

    /** The file store's figures by thread length, as the first table measured them. */
    private final Map<Integer, Latency> files = new TreeMap<>();

    @Test
    void storeLatencyAndThroughput() throws Exception {
        List<String> rows = new ArrayList<>();
        rows.add("| thread length | append p50 | append p99 | load p50 | load p99 | full load p50 | naive append p50"
                + " | naive append p99 | naive load p50 | naive load p99 |");
        rows.add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        latencyRow(100, "warm-up"); // JIT and file system caches; not reported
        for (int size : SIZES) {
            rows.add(latencyRow(size, "lat"));
        }
        Histogram floor = diskFloor(dir.resolve("floor"));
        rows.add(String.format(Locale.ROOT, "| disk floor: 1 KB write + fsync + rename + folder fsync | %s | %s |"
                + " | | | | | | |", ms(floor, 50), ms(floor, 99)));
        double ours = throughput(storeAppender(dir.resolve("tp-store"), true), 2);
        double naive = throughput(new NaiveStore(dir.resolve("tp-naive"))::append, 2);
        rows.add("");
        rows.add("| appends per second across " + DISTINCT + " conversations, 2 writers | Switchboard store (fsync)"
                + " | naive rewrite (no fsync) |");
        rows.add("|---|---:|---:|");
        rows.add(String.format(Locale.ROOT, "| %d appends | %.0f | %.0f |", THROUGHPUT_APPENDS, ours, naive));

        rows.add("");
        rows.addAll(sideBySide(ours, throughput(storeAppender(dir.resolve("tp-store-8"), true), 8)));
        String table = String.join("\n", rows);
        String header = "Store benchmark: " + TURN_CHARS + "-character turns, fsync on, at most " + TURNS_PER_FILE
                + " turns per file, " + THREADS_PER_SIZE
                + " threads x " + ROUNDS + " appends per length, " + Runtime.getRuntime().availableProcessors()
                + " cores, Java " + Runtime.version().feature() + "\n\n";
        System.out.println("\n" + header + table + "\n");
        Path out = Path.of("target", "benchmarks", "store.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, header + table + "\n");
    }

    private String latencyRow(int size, String name) throws IOException {
        Path root = dir.resolve(name + "-" + size);
        Path naiveRoot = dir.resolve(name + "-naive-" + size);
        JsonFileConversationStore.Options defaults = FileStoreOptions.defaults(root);
        // Fill without fsync (setup only), then measure with fsync on, as in production.
        JsonFileConversationStore filler = store(root, false, defaults.cacheMaxBytes());
        NaiveStore naive = new NaiveStore(naiveRoot);
        List<ConversationKey> keys = new ArrayList<>();
        for (int t = 0; t < THREADS_PER_SIZE; t++) {
            ConversationKey key = new ConversationKey("slack", "T1", "C" + size, "thread-" + t);
            keys.add(key);
            for (int i = 0; i < size; i++) {
                Turn turn = turn(t * 100_000 + i);
                filler.append(key, turn);
                naive.append(key, turn);
            }
        }
        filler.close();

        JsonFileConversationStore store = store(root, true, defaults.cacheMaxBytes());
        Histogram[] appends = timeAppends(keys, size, store::append, naive::append);
        Histogram append = appends[0];
        Histogram naiveAppend = appends[1];
        store.close();

        JsonFileConversationStore cold = store(root, true, 0); // no cache: every load reads the disk
        NaiveStore naiveCold = new NaiveStore(naiveRoot);
        Histogram[] loads = timeLoads(keys, k -> cold.load(k).orElseThrow(), k -> cold.loadComplete(k).orElseThrow(),
                naiveCold::load);
        Histogram load = loads[0];
        Histogram fullLoad = loads[1];
        Histogram naiveLoad = loads[2];
        files.put(size, new Latency(append, load));
        return String.format(Locale.ROOT, "| %,d turns | %s | %s | %s | %s | %s | %s | %s | %s | %s |", size,
                ms(append, 50), ms(append, 99), ms(load, 50), ms(load, 99), ms(fullLoad, 50),
                ms(naiveAppend, 50), ms(naiveAppend, 99), ms(naiveLoad, 50), ms(naiveLoad, 99));
    }

    /**
     * The same latency work as {@link #latencyRow} and the same throughput work on PostgreSQL, next to the file
     * store's figures. @return the table's rows
     */
    private List<String> sideBySide(double files2, double files8) throws Exception {
        List<String> rows = new ArrayList<>();
        rows.add("| files vs PostgreSQL | files (fsync) | PostgreSQL (synchronous_commit on) |");
        rows.add("|---|---:|---:|");
        try (PostgresStorage storage = PostgresStorage.open(new PostgresStorage.Options(db.url(), "postgres", "",
                8, Duration.ofSeconds(30)), clock, new SimpleMeterRegistry())) {
            ConversationStore store = storage.conversations(new PostgresStorage.Limits(40_000, TURNS_PER_FILE,
                    64L << 20));
            ConversationStore cold = storage.conversations(new PostgresStorage.Limits(40_000, TURNS_PER_FILE, 0));
            postgresLatency(store, cold, 100, "warm-up");
            Map<Integer, Latency> postgres = new TreeMap<>();
            for (int size : SIZES) {
                postgres.put(size, postgresLatency(store, cold, size, "lat"));
            }
            for (int size : SIZES) {
                rows.add(String.format(Locale.ROOT, "| append p50 / p99 at %,d turns | %s | %s |", size,
                        both(files.get(size).append()), both(postgres.get(size).append())));
            }
            for (int size : SIZES) {
                rows.add(String.format(Locale.ROOT, "| load (cold) p50 / p99 at %,d turns | %s | %s |", size,
                        both(files.get(size).load()), both(postgres.get(size).load())));
            }
            rows.add(String.format(Locale.ROOT, "| appends/s across %,d conversations, 2 writers | %.0f | %.0f |",
                    DISTINCT, files2, throughput(store::append, 2)));
            rows.add(String.format(Locale.ROOT, "| appends/s across %,d conversations, 8 writers | %.0f | %.0f |",
                    DISTINCT, files8, throughput(store::append, 8)));
        }
        return rows;
    }

    /** {@link #latencyRow}'s work on PostgreSQL: the threads filled by four writers, then measured one append at a time. */
    private Latency postgresLatency(ConversationStore store, ConversationStore cold, int size, String name)
            throws Exception {
        List<ConversationKey> keys = new ArrayList<>();
        for (int t = 0; t < THREADS_PER_SIZE; t++) {
            keys.add(new ConversationKey("slack", "T1", name + "-" + size, "thread-" + t));
        }
        ExecutorService fill = Executors.newFixedThreadPool(4);
        List<Future<?>> filled = new ArrayList<>();
        for (int t = 0; t < keys.size(); t++) {
            int thread = t;
            filled.add(fill.submit(() -> {
                for (int i = 0; i < size; i++) {
                    store.append(keys.get(thread), turn(thread * 100_000 + i));
                }
                return null;
            }));
        }
        for (Future<?> f : filled) {
            f.get();
        }
        fill.shutdown();
        return new Latency(timeAppends(keys, size, store::append)[0],
                timeLoads(keys, k -> cold.load(k).orElseThrow())[0]);
    }

    /** {@link #ROUNDS} appends to each thread, one at a time, each timed with every appender in turn. */
    private Histogram[] timeAppends(List<ConversationKey> keys, int size, Appender... appenders) throws IOException {
        Histogram[] times = new Histogram[appenders.length];
        Arrays.setAll(times, i -> histogram());
        for (int round = 0; round < ROUNDS; round++) {
            for (int t = 0; t < keys.size(); t++) {
                Turn turn = turn(t * 100_000 + size + round);
                for (int a = 0; a < appenders.length; a++) {
                    long start = System.nanoTime();
                    appenders[a].append(keys.get(t), turn);
                    times[a].recordValue(System.nanoTime() - start);
                }
            }
        }
        return times;
    }

    private interface Loader {
        Object load(ConversationKey key) throws IOException;
    }

    /** {@link #ROUNDS} loads of each thread, each timed with every loader in turn. */
    private static Histogram[] timeLoads(List<ConversationKey> keys, Loader... loaders) throws IOException {
        Histogram[] times = new Histogram[loaders.length];
        Arrays.setAll(times, i -> histogram());
        for (int round = 0; round < ROUNDS; round++) {
            for (ConversationKey key : keys) {
                for (int l = 0; l < loaders.length; l++) {
                    long start = System.nanoTime();
                    loaders[l].load(key);
                    times[l].recordValue(System.nanoTime() - start);
                }
            }
        }
        return times;
    }

    private static String both(Histogram h) {
        return String.format(Locale.ROOT, "%.2f / %.2f ms", h.getValueAtPercentile(50) / 1e6,
                h.getValueAtPercentile(99) / 1e6);
    }

    /** What the disk itself costs for one durable atomic replace, whatever the store does around it. */
    private Histogram diskFloor(Path folder) throws IOException {
        Files.createDirectories(folder);
        Path target = folder.resolve("floor.json");
        byte[] kilobyte = words(7, 1024).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Histogram h = histogram();
        for (int i = 0; i < THREADS_PER_SIZE * ROUNDS; i++) {
            long start = System.nanoTime();
            AtomicFiles.write(target, kilobyte, true, false);
            h.recordValue(System.nanoTime() - start);
        }
        return h;
    }

    private interface Appender {
        void append(ConversationKey key, Turn turn) throws IOException;
    }

    private Appender storeAppender(Path root, boolean fsync) {
        JsonFileConversationStore store = store(root, fsync, 64L << 20);
        return store::append;
    }

    private double throughput(Appender appender, int writers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            done.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < THROUGHPUT_APPENDS; ) {
                    appender.append(new ConversationKey("slack", "T1", "C" + (i % 10), "t" + (i % DISTINCT)), turn(i));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return THROUGHPUT_APPENDS / seconds;
    }

    private JsonFileConversationStore store(Path root, boolean fsync, long cacheBytes) {
        JsonFileConversationStore.Options d = FileStoreOptions.defaults(root);
        return new JsonFileConversationStore(new JsonFileConversationStore.Options(root, fsync, true,
                d.maxTurnChars(), TURNS_PER_FILE, cacheBytes), clock, new SimpleMeterRegistry());
    }

    private Turn turn(int i) {
        Instant at = Instant.parse("2026-03-01T00:00:00Z").plusSeconds(i);
        if (i % 2 == 0) {
            return Turn.user("U" + (i % 7), "User " + (i % 7), words(i, TURN_CHARS), at, List.of("m" + i));
        }
        return Turn.assistant("B1", words(i, TURN_CHARS), at, List.of("r" + i), new AssistantMeta("openai",
                "gpt-4o-mini", List.of(), new TokenUsage(900, 120), Duration.ofMillis(300), Duration.ofMillis(2100)));
    }

    private static Histogram histogram() {
        return new Histogram(3_600_000_000_000L, 3);
    }

    private static String ms(Histogram h, double percentile) {
        return String.format(Locale.ROOT, "%.2f ms", h.getValueAtPercentile(percentile) / 1e6);
    }

    /** The reference: the whole thread as one JSON array, rewritten in place on every append, no temp file, no fsync. */
    private static final class NaiveStore {
        private final Path root;
        private final DocumentCodec codec = new DocumentCodec();
        private final ConcurrentHashMap<ConversationKey, List<Turn>> threads = new ConcurrentHashMap<>();

        NaiveStore(Path root) {
            this.root = root;
        }

        void append(ConversationKey key, Turn turn) throws IOException {
            List<Turn> turns = threads.computeIfAbsent(key, k -> new ArrayList<>());
            byte[] bytes;
            synchronized (turns) {
                turns.add(turn);
                bytes = codec.mapper().writeValueAsBytes(turns);
            }
            Path file = file(key);
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        }

        List<Turn> load(ConversationKey key) throws IOException {
            return codec.mapper().readValue(Files.readAllBytes(file(key)), new TypeReference<List<Turn>>() { });
        }

        private Path file(ConversationKey key) {
            return root.resolve(key.channel()).resolve(key.thread() + ".json");
        }
    }
}

package dev.switchboard.store.postgres;

import static dev.switchboard.testing.Turns.words;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Turn;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Append and load latency of the PostgreSQL store (synchronous_commit on) by thread length, and appends per second
 * across 1,000 conversations with 2 and 8 writers. Run with
 * {@code ./mvnw -B -Pbench test -Dtest=PostgresStoreBenchmark}; prints a Markdown table.
 */
@Tag("benchmark")
class PostgresStoreBenchmark {

    private static final int[] SIZES = {10, 100, 1_000};
    private static final int ROUNDS = 200;
    private static final int DISTINCT = 1_000;
    private static final int THROUGHPUT_APPENDS = 4_000;

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final Clock clock = Clock.systemUTC();

    @Test
    void appendLatencyAndThroughput() throws Exception {
        try (PostgresStorage storage = PostgresStorage.open(db.options(), clock, new SimpleMeterRegistry())) {
            ConversationStore store = storage.conversations(new PostgresStorage.Limits(40_000, 128, 64L << 20));
            List<String> rows = new ArrayList<>();
            rows.add("| thread length | append p50 | append p99 | load (cold) p50 | load (cold) p99 |");
            rows.add("|---:|---:|---:|---:|---:|");
            for (int size : SIZES) {
                ConversationKey key = new ConversationKey("slack", "T1", "C1", "len-" + size);
                for (int i = 0; i < size; i++) {
                    store.append(key, turn(i));
                }
                Histogram append = new Histogram(3);
                Histogram load = new Histogram(3);
                for (int r = 0; r < ROUNDS; r++) {
                    long t0 = System.nanoTime();
                    store.append(key, turn(size + r));
                    append.recordValue((System.nanoTime() - t0) / 1_000);
                    ConversationStore cold = storage.conversations(new PostgresStorage.Limits(40_000, 128, 0));
                    long t1 = System.nanoTime();
                    cold.load(key);
                    load.recordValue((System.nanoTime() - t1) / 1_000);
                }
                rows.add(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s |", size, ms(append, 50),
                        ms(append, 99), ms(load, 50), ms(load, 99)));
            }
            rows.add("");
            for (int writers : new int[] {2, 8}) {
                rows.add(String.format(Locale.ROOT, "appends/s across %,d conversations, %d writers: %,.0f", DISTINCT,
                        writers, throughput(store, writers)));
            }
            System.out.println(String.join("\n", rows));
        }
    }

    private double throughput(ConversationStore store, int writers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            done.add(pool.submit(() -> {
                for (int n; (n = next.getAndIncrement()) < THROUGHPUT_APPENDS; ) {
                    store.append(new ConversationKey("slack", "T1", "C2", "c" + n % DISTINCT), turn(n));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return THROUGHPUT_APPENDS / ((System.nanoTime() - t0) / 1e9);
    }

    private Turn turn(int i) {
        return Turn.user("U1", "User", words(i, 400), clock.instant(), List.of("m" + i));
    }

    private static String ms(Histogram h, double percentile) {
        return String.format(Locale.ROOT, "%.2f ms", h.getValueAtPercentile(percentile) / 1000.0);
    }
}

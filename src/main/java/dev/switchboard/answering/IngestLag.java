package dev.switchboard.answering;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How late this process stores the messages that reach it: the longest time, over about the last minute, from a
 * message being written on the platform to its being stored here. Platforms deliver events with some delay, and a
 * process under load (a cold start, a pause) adds to it. Lags over {@link #IGNORED_OVER} are left out: those are
 * redeliveries and messages taken up after a restart, not the delivery path. Thread-safe.
 */
public final class IngestLag {

    /** Longer lags are not the delivery path's. */
    static final Duration IGNORED_OVER = Duration.ofSeconds(10);
    private static final int BUCKETS = 6;
    private static final long BUCKET_NANOS = Duration.ofSeconds(10).toNanos();

    private final LongSupplier nanos;
    /** The longest lag in each of the last {@link #BUCKETS} ten-second spans, by span number modulo the count. */
    private final long[] longest = new long[BUCKETS];
    private final long[] span = new long[BUCKETS];
    private final java.util.concurrent.atomic.AtomicLong stored = new java.util.concurrent.atomic.AtomicLong();
    /** Hears every lag noted, on the storing thread (under its thread's lock): keep it short. */
    private volatile java.util.function.Consumer<Duration> watcher = lag -> { };

    public IngestLag(LongSupplier nanos) {
        this.nanos = nanos;
        java.util.Arrays.fill(span, Long.MIN_VALUE);
    }

    /** Notes one message stored {@code lag} after the platform wrote it; a negative lag (clocks apart) counts as 0. */
    public void record(Duration lag) {
        if (lag.compareTo(IGNORED_OVER) > 0) {
            return;
        }
        stored.incrementAndGet();
        long millis = Math.max(0, lag.toMillis());
        long now = Math.floorDiv(nanos.getAsLong(), BUCKET_NANOS);
        int i = (int) Math.floorMod(now, BUCKETS);
        synchronized (this) {
            if (span[i] != now) {
                span[i] = now;
                longest[i] = 0;
            }
            longest[i] = Math.max(longest[i], millis);
        }
        watcher.accept(Duration.ofMillis(millis));
    }

    /** How many messages were noted since the process started (those over {@link #IGNORED_OVER} left out). */
    public long stored() {
        return stored.get();
    }

    /** Has {@code watcher} hear each lag noted from now on, on the storing thread; it must not block. */
    public void watch(java.util.function.Consumer<Duration> watcher) {
        this.watcher = java.util.Objects.requireNonNull(watcher, "watcher");
    }

    /** The longest lag noted in about the last minute (50 to 60 s), zero when none. */
    public Duration recent() {
        long now = Math.floorDiv(nanos.getAsLong(), BUCKET_NANOS);
        long max = 0;
        synchronized (this) {
            for (int i = 0; i < BUCKETS; i++) {
                if (span[i] > now - BUCKETS) {
                    max = Math.max(max, longest[i]);
                }
            }
        }
        return Duration.ofMillis(max);
    }
}

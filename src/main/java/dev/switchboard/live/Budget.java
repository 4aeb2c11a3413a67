package dev.switchboard.live;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.List;

/**
 * A platform's write allowance for one scope (a Slack workspace's chat.update, a Discord channel's edits, a bot's
 * requests), spent smoothly: one write per interval, never a burst. Every reply writing in that scope shares it.
 * A 429 puts it in debt for the Retry-After. Thread-safe.
 *
 * <p>The moment the next write may go is kept beside the bucket and worked out again only when the bucket changes
 * (a write taken, a pause): tokens only come back with time, so until then the answer stays right, and the live
 * engine, which asks for every waiting reply at every pacing slot, never reads the bucket's state to find it.
 */
public final class Budget {

    private final String name;
    private final Duration interval;
    private final Bucket bucket;
    private final Ticker ticker;
    /** On the ticker's time: when one write may go. Guarded by this. */
    private long freeAt;

    /**
     * @param name for logs, e.g. "slack T123 chat.update"
     * @param writes how many writes the platform allows per {@code per}
     * @param per the platform's window
     * @param ticker the time source
     */
    public Budget(String name, int writes, Duration per, Ticker ticker) {
        this(name, writes, per, 1, ticker);
    }

    /**
     * A budget that may also spend up to {@code burst} writes at once after a quiet spell (still {@code writes} per
     * {@code per} over time): for requests many callers race for at the same moment, such as typing indicators.
     */
    public Budget(String name, int writes, Duration per, int burst, Ticker ticker) {
        this.name = name;
        this.interval = per.dividedBy(writes);
        this.ticker = ticker;
        this.freeAt = ticker.nanos();
        this.bucket = Bucket.builder()
                .addLimit(limit -> limit.capacity(burst).refillGreedy(1, interval))
                .withCustomTimePrecision(new TimeMeter() {
                    @Override
                    public long currentTimeNanos() {
                        return ticker.nanos();
                    }

                    @Override
                    public boolean isWallClockBased() {
                        return false;
                    }
                })
                .build();
    }

    @Override
    public String toString() {
        return name + " (one write every " + interval.toMillis() + " ms)";
    }

    public Duration interval() {
        return interval;
    }

    /**
     * Waits for this scope's next write and takes it; for a write made outside the live engine (a question posted
     * for {@code /ask}), on a thread that may block. With the platform's 429 it may call {@link #pause} first.
     */
    public void acquire() throws InterruptedException {
        while (!tryTake()) {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.max(1_000_000, nanosUntilFree()));
            if (Thread.interrupted()) {
                throw new InterruptedException("waiting for " + name);
            }
        }
    }

    /** Whether one write may go now (without taking it). */
    public boolean free() {
        return nanosUntilFree() == 0;
    }

    /** Nanoseconds until one write may go; 0 when it may go now. */
    long nanosUntilFree() {
        return nanosUntilFree(ticker.nanos());
    }

    /** Nanoseconds from {@code now} (the ticker's) until one write may go; 0 when it may go now. */
    synchronized long nanosUntilFree(long now) {
        return Math.max(0, freeAt - now);
    }

    /** Nanoseconds from {@code now} until every one of {@code budgets} has a write free. */
    static long nanosUntilAllFree(List<Budget> budgets, long now) {
        long wait = 0;
        for (Budget b : budgets) {
            wait = Math.max(wait, b.nanosUntilFree(now));
        }
        return wait;
    }

    /** Takes one write if one is free now, without waiting; false when none is. */
    public synchronized boolean tryTake() {
        boolean taken = bucket.tryConsume(1);
        refresh();
        return taken;
    }

    private void refresh() {
        freeAt = ticker.nanos() + bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
    }

    /** The platform said 429: nothing more in this scope until {@code retryAfter} has passed. */
    public synchronized void pause(Duration retryAfter) {
        long intervals = Math.max(1, (retryAfter.toNanos() + interval.toNanos() - 1) / interval.toNanos());
        bucket.consumeIgnoringRateLimits(intervals + bucket.getAvailableTokens());
        refresh();
    }
}

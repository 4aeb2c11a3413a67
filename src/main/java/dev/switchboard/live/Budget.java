package dev.switchboard.live;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;

/**
 * A platform's write allowance for one scope (a Slack workspace's chat.update, a Discord channel's edits, a bot's
 * requests), spent smoothly: one write per interval, never a burst. Every reply writing in that scope shares it.
 * A 429 puts it in debt for the Retry-After. Thread-safe.
 */
public final class Budget {

    private final String name;
    private final Duration interval;
    private final Bucket bucket;

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

    /** Nanoseconds until one write may go; 0 when it may go now. */
    long nanosUntilFree() {
        return bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
    }

    /** Takes one write if one is free now, without waiting; false when none is. */
    public boolean tryTake() {
        return bucket.tryConsume(1);
    }

    /** The platform said 429: nothing more in this scope until {@code retryAfter} has passed. */
    public void pause(Duration retryAfter) {
        long intervals = Math.max(1, (retryAfter.toNanos() + interval.toNanos() - 1) / interval.toNanos());
        bucket.consumeIgnoringRateLimits(intervals + bucket.getAvailableTokens());
    }
}

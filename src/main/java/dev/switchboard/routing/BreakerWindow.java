package dev.switchboard.routing;

import java.time.Clock;
import java.util.Arrays;

/**
 * The failure rate of a provider's calls within a sliding window, on the injected clock: what decides that a closed
 * breaker opens. Failsafe 3.3.2 keeps its own timed window on {@code System.currentTimeMillis()} with no way to pass
 * a clock, so the breaker is fed here while closed and Failsafe keeps the states, the half-open probe and the events.
 * Thread-safe.
 */
final class BreakerWindow {

    private static final int BUCKETS = 10;

    private final Clock clock;
    private final long bucketMillis;
    private final int failureRate;
    private final int minimumCalls;
    private final long[] slots = new long[BUCKETS];
    private final int[] calls = new int[BUCKETS];
    private final int[] failures = new int[BUCKETS];

    BreakerWindow(Clock clock, RouterOptions.Breaker breaker) {
        this.clock = clock;
        this.bucketMillis = Math.max(1, breaker.window().toMillis() / BUCKETS);
        this.failureRate = breaker.failureRate();
        this.minimumCalls = breaker.minimumCalls();
        reset();
    }

    /** @return whether the calls within the window now reach the failure rate */
    synchronized boolean record(boolean failed) {
        long slot = clock.millis() / bucketMillis;
        int i = (int) Math.floorMod(slot, (long) BUCKETS);
        if (slots[i] != slot) {
            slots[i] = slot;
            calls[i] = 0;
            failures[i] = 0;
        }
        calls[i]++;
        if (failed) {
            failures[i]++;
        }
        int total = 0;
        int failedTotal = 0;
        for (int j = 0; j < BUCKETS; j++) {
            if (slots[j] != Long.MIN_VALUE && slot - slots[j] < BUCKETS) {
                total += calls[j];
                failedTotal += failures[j];
            }
        }
        return total >= minimumCalls && failedTotal * 100L >= (long) failureRate * total;
    }

    synchronized void reset() {
        Arrays.fill(slots, Long.MIN_VALUE);
    }
}

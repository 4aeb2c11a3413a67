package dev.switchboard.tools;

import java.time.Duration;
import java.util.Arrays;

/** One tool's calls, failures and recent times (the last 256), for operators. Thread-safe. */
final class ToolStats {

    private static final int KEEP = 256;
    private final long[] recent = new long[KEEP];
    private long calls;
    private long failures;

    synchronized void record(Duration took, boolean failed) {
        recent[(int) (calls % KEEP)] = took.toNanos();
        calls++;
        if (failed) {
            failures++;
        }
    }

    synchronized long calls() {
        return calls;
    }

    synchronized long failures() {
        return failures;
    }

    /** The 95th percentile of the recent calls' times; zero before any call. */
    synchronized Duration p95() {
        int n = (int) Math.min(calls, KEEP);
        if (n == 0) {
            return Duration.ZERO;
        }
        long[] sorted = Arrays.copyOf(recent, n);
        Arrays.sort(sorted);
        return Duration.ofNanos(sorted[Math.min(n - 1, (int) Math.ceil(n * 0.95) - 1)]);
    }
}

package dev.switchboard.testing;

import java.time.Duration;
import java.util.List;

/** Counting requests the way a platform's sliding window does. */
public final class Windows {

    private Windows() {
    }

    /** The most of {@code at} (nanosecond times, in any order) that fall inside any one {@code window}. */
    public static int mostInAny(List<Long> at, Duration window) {
        List<Long> sorted = at.stream().sorted().toList();
        int most = 0;
        int from = 0;
        for (int i = 0; i < sorted.size(); i++) {
            while (sorted.get(i) - sorted.get(from) >= window.toNanos()) {
                from++;
            }
            most = Math.max(most, i - from + 1);
        }
        return most;
    }
}

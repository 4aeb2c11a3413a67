package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.answering.IngestLag;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A node that has only just started owns to a cold lag until its stores have measured its own, or for a while. */
class IngestLagsTest {

    private static final IngestLags.Warmth WARMTH = new IngestLags.Warmth(Duration.ofSeconds(1), 3,
            Duration.ofSeconds(20));

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final IngestLag measured = new IngestLag(nanos::get);
    private final IngestLags lags = new IngestLags(measured, WARMTH, nanos::get, null, Runnable::run);

    @Test
    void coldUntilItHasStoredEnough_thenItsMeasuredLag() {
        assertThat(lags.own()).isEqualTo(Duration.ofSeconds(1));
        noteStores(2, Duration.ofMillis(40));
        assertThat(lags.own()).as("two of three stores").isEqualTo(Duration.ofSeconds(1));

        noteStores(1, Duration.ofMillis(60));

        assertThat(lags.own()).isEqualTo(Duration.ofMillis(60));
    }

    @Test
    void coldForAWhileAtMost_whenNothingReachesIt() {
        nanos.addAndGet(Duration.ofSeconds(19).toNanos());
        assertThat(lags.own()).isEqualTo(Duration.ofSeconds(1));

        nanos.addAndGet(Duration.ofSeconds(1).toNanos());

        assertThat(lags.own()).isZero();
    }

    @Test
    void aColdStartSlowerThanTheColdLag_ownsToWhatItMeasured() {
        noteStores(1, Duration.ofMillis(1_400));

        assertThat(lags.own()).isEqualTo(Duration.ofMillis(1_400));
    }

    @Test
    void warmFromTheStart_ownsToWhatItMeasures() {
        IngestLags warm = new IngestLags(measured, IngestLags.Warmth.NONE, nanos::get, null, Runnable::run);

        assertThat(warm.own()).isZero();
    }

    private void noteStores(int count, Duration lag) {
        for (int i = 0; i < count; i++) {
            measured.record(lag);
        }
    }
}

package dev.switchboard.answering;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The longest lag of about the last minute: a slow store counts for a minute, redeliveries not at all. */
class IngestLagTest {

    private final AtomicLong nanos = new AtomicLong(Duration.ofHours(5).toNanos());
    private final IngestLag lag = new IngestLag(nanos::get);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void theLongestOfTheLastMinute_thenItAgesOut() {
        assertThat(lag.recent()).isZero();
        lag.record(Duration.ofMillis(40));
        lag.record(Duration.ofMillis(700));
        lag.record(Duration.ofMillis(90));
        assertThat(lag.recent()).isEqualTo(Duration.ofMillis(700));

        advance(Duration.ofSeconds(30));
        lag.record(Duration.ofMillis(120));
        assertThat(lag.recent()).as("half a minute on").isEqualTo(Duration.ofMillis(700));

        advance(Duration.ofSeconds(35));
        assertThat(lag.recent()).as("over a minute after the slow one").isEqualTo(Duration.ofMillis(120));

        advance(Duration.ofMinutes(2));
        assertThat(lag.recent()).isZero();
    }

    @Test
    void redeliveriesAndClocksApart_doNotCount() {
        lag.record(Duration.ofSeconds(45)); // a retry a minute later, or a message taken up after a restart
        assertThat(lag.recent()).isZero();
        lag.record(Duration.ofMillis(-300)); // the platform's clock ahead of ours
        assertThat(lag.recent()).isZero();
        lag.record(IngestLag.IGNORED_OVER);
        assertThat(lag.recent()).isEqualTo(IngestLag.IGNORED_OVER);
    }

    @Test
    void aSpanReusedAMinuteLater_startsAfresh() {
        lag.record(Duration.ofMillis(900));
        advance(Duration.ofSeconds(60)); // the same slot of the ring, one lap on
        lag.record(Duration.ofMillis(50));
        assertThat(lag.recent()).isEqualTo(Duration.ofMillis(50));
    }
}

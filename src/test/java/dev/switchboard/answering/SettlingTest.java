package dev.switchboard.answering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failsafe.spi.Scheduler;
import dev.switchboard.conversation.ConversationKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** A reply waits until its message is the settle time old, and never longer than that from now. */
class SettlingTest {

    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final Duration SETTLE = Duration.ofMillis(250);
    private final Settling settling = new Settling(Scheduler.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC));

    private static Inbound writtenAt(Instant at) {
        return new Inbound(new ConversationKey("test", "W1", "C1", "1.0"), "m1", "U1", "Ada", "hi", at, "");
    }

    @Test
    void aFreshMessage_waitsWhatIsLeftOfTheSettleTime() {
        assertThat(settling.left(writtenAt(NOW.minusMillis(40)), SETTLE)).isEqualTo(Duration.ofMillis(210));
    }

    @Test
    void anOldMessage_doesNotWait() {
        assertThat(settling.left(writtenAt(NOW.minusSeconds(3)), SETTLE)).isZero();
    }

    @Test
    void aMessageFromTheFuture_waitsNoLongerThanTheSettleTime() {
        assertThat(settling.left(writtenAt(NOW.plusSeconds(5)), SETTLE)).isEqualTo(SETTLE);
    }

    @Test
    void withoutASettleTime_nothingWaits() {
        assertThat(settling.left(writtenAt(NOW), Duration.ZERO)).isZero();
    }
}

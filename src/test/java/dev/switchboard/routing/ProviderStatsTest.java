package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.MutableClock;
import dev.switchboard.testing.Turns;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderStatsTest {

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:30Z");
    private final ProviderStats stats = new ProviderStats(clock);

    @Test
    void percentilesAndErrorRateCoverTheLastHourOnly() {
        stats.succeeded("a", Duration.ofMillis(5_000)); // an hour later this minute has left the window
        clock.advance(Duration.ofMinutes(60));
        for (int ms = 100; ms <= 1_000; ms += 100) {
            stats.succeeded("a", Duration.ofMillis(ms));
        }
        stats.failed("a");
        stats.failed("a");

        ProviderStats.Summary s = stats.summary("a");

        assertThat(s.tries()).isEqualTo(12);
        assertThat(s.failed()).isEqualTo(2);
        assertThat(s.errorRate()).isEqualTo(2 / 12.0);
        assertThat(s.firstTokenP50().toMillis()).isBetween(495L, 505L);
        assertThat(s.firstTokenP95().toMillis()).isBetween(995L, 1_005L);
        assertThat(stats.summary("never asked")).isEqualTo(new ProviderStats.Summary(0, 0, null, null));
    }

    @Test
    void theSeriesHasOnePointPerMinuteOldestFirstWithGapsForQuietMinutes() {
        stats.succeeded("a", Duration.ofMillis(200));
        clock.advance(Duration.ofMinutes(2));
        stats.failed("a");

        List<ProviderStats.Point> series = stats.series("a");

        assertThat(series).hasSize(60);
        assertThat(series.getLast().minute()).isEqualTo(Instant.parse("2026-11-24T10:02:00Z"));
        assertThat(series.getLast()).isEqualTo(new ProviderStats.Point(Instant.parse("2026-11-24T10:02:00Z"), 1, 1,
                -1, -1));
        assertThat(series.get(58).tries()).isZero();
        ProviderStats.Point first = series.get(57);
        assertThat(first.minute()).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
        assertThat(first.tries()).isEqualTo(1);
        assertThat(first.p50Millis()).isBetween(199L, 201L);
    }

    @Test
    void aSlotReusedAfterAnHourStartsEmpty() {
        stats.failed("a");
        clock.advance(Duration.ofMinutes(60)); // the same slot of the ring, an hour later
        stats.succeeded("a", Duration.ofMillis(300));

        assertThat(stats.series("a").getLast().tries()).isEqualTo(1);
        assertThat(stats.series("a").getLast().failed()).isZero();
        assertThat(stats.summary("a").failed()).isZero();
    }

    @Test
    void recentFallbacksKeepTheNewestTwenty() {
        for (int i = 0; i < 25; i++) {
            stats.fellBack(Turns.slackKey("t" + i), "", "a/m", "server_error", i % 2 == 0 ? "b/m" : null);
        }

        List<ProviderStats.Fallback> recent = stats.recentFallbacks();

        assertThat(recent).hasSize(ProviderStats.RECENT_FALLBACKS);
        assertThat(recent.getFirst().conversation()).endsWith("/t24");
        assertThat(recent.getFirst().to()).isEqualTo("b/m");
        assertThat(recent.get(1).to()).isNull();
        assertThat(recent.getLast().conversation()).endsWith("/t5");
    }
}

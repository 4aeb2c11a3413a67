package dev.switchboard.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.soak.E2eFigures.Final;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class E2eFiguresTest {

    private static final Instant T = Instant.parse("2026-12-03T00:00:00Z");

    @Test
    void finalsEndingFurtherApartThanTheBudgetsInterval_haveABoundOfZero_andTheirWholeDelayIsOverIt() {
        List<Final> finals = List.of(new Final(T, 40), new Final(T.plusMillis(500), 60), new Final(T.plusSeconds(1), 50));

        long[][] bound = E2eFigures.finalBound(finals, 100_000_000L);

        assertThat(bound[0]).as("bound p50, p95, p99, max").containsExactly(0, 0, 0, 0);
        assertThat(bound[1][0]).as("over the bound, p50").isEqualTo(50);
        assertThat(bound[1][3]).as("over the bound, max").isEqualTo(60);
    }

    @Test
    void finalsEndingTogether_queueOneIntervalApartInTheOrderTheyEnded() {
        // Four answers end within 10 ms; the budget lets one final go every 100 ms.
        List<Final> finals = List.of(new Final(T.plusMillis(10), 330), new Final(T, 20), new Final(T.plusMillis(5), 130),
                new Final(T.plusMillis(10), 240));

        long[][] bound = E2eFigures.finalBound(finals, 100_000_000L);

        // Bounds 0, 95, 190, 290 ms (the first ended at 0, the others at 5, 10 and 10).
        assertThat(bound[0][3]).as("the last one's bound").isEqualTo(290);
        assertThat(bound[0][0]).as("p50").isEqualTo(95);
        // Over the bound: 20, 35, and (after sorting by end, ties by the order given) 140 and -50 → 0.
        assertThat(bound[1][3]).as("the most over its bound").isEqualTo(140);
    }
}

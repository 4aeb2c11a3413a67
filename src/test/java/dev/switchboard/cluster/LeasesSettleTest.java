package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How long a reply in a shared thread waits for its message to settle, from the slowest node's ingest lag. */
class LeasesSettleTest {

    @Test
    void quickNodes_waitTheLeast() {
        assertThat(Leases.settleFor(Duration.ZERO)).isEqualTo(Leases.SETTLE);
        assertThat(Leases.settleFor(Duration.ofMillis(120))).isEqualTo(Leases.SETTLE);
    }

    @Test
    void aSlowNode_addsItsLagAndAMargin() {
        assertThat(Leases.settleFor(Duration.ofMillis(700))).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void noNodeMakesARepliesWaitLongerThanTheMost() {
        assertThat(Leases.settleFor(Duration.ofSeconds(9))).isEqualTo(Leases.SETTLE_MOST);
    }
}

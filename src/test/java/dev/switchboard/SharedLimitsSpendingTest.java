package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.store.postgres.PostgresCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who spends the limits shared per workspace or bot: the nodes writing, not every live node. A node that gets every
 * event (Slack gives them to one Socket Mode connection) must have the whole allowance while the others are idle;
 * held to a third of {@code chat.update} it fell a minute behind in a rolling restart.
 */
class SharedLimitsSpendingTest {

    private static PostgresCluster.Node node(String id, int load, boolean alive) {
        return new PostgresCluster.Node(id, Instant.EPOCH, Duration.ofSeconds(1), load, "slack", alive);
    }

    @Test
    void idleNodesTakeNoShare_soANodeAnsweringAloneSpendsTheWholeAllowance() {
        assertThat(SharedLimits.spending(List.of(node("a", 0, true), node("b", 0, true), node("c", 7, true)), "c"))
                .isEqualTo(1);
    }

    @Test
    void busyLiveNodesShare_thisNodeAlwaysCounts_deadOnesNever() {
        List<PostgresCluster.Node> rows = List.of(node("a", 3, true), node("b", 1, true), node("c", 0, true),
                node("d", 5, false));
        assertThat(SharedLimits.spending(rows, "c")).as("c is about to write: counted though idle at its beat")
                .isEqualTo(3);
        assertThat(SharedLimits.spending(rows, "a")).isEqualTo(2);
        assertThat(SharedLimits.spending(List.of(), "a")).as("before its first beat").isEqualTo(1);
    }
}

package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.live.Budget;
import dev.switchboard.live.SharedBudgets;
import dev.switchboard.testing.ManualTicker;
import dev.switchboard.testing.Windows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The workspace's {@code assistant.threads.setStatus} allowance, divided among the nodes writing, stays inside Slack's
 * 100 a minute while nodes join: each joining node spends a whole share until the others see it at their next
 * heartbeat, and every node spends the allowance as fast as it may (a busy workspace: a status for every reply).
 */
class SlackStatusAllowanceTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final int SLACKS_LIMIT = 100;
    /** How long the nodes already writing take to see a new one: about a heartbeat (a third of a 10 s lease). */
    private static final Duration LAG = Duration.ofMillis(3_400);

    private final ManualTicker ticker = new ManualTicker();

    @Test
    void threeNodesJoiningOneAfterAnotherUnderFullLoad_stayInsideSlacksMinute() {
        assertThat(mostInAMinute(SlackReplies.STATUS_PER_MINUTE, SlackReplies.STATUS_BURST))
                .as("status updates in the busiest minute").isLessThanOrEqualTo(SLACKS_LIMIT);
    }

    @Test
    void theEarlierAllowanceOverranSlacksMinuteAsTheClusterSoakSaw() {
        // 80 a minute with a burst of 10: 101 status updates in 54 s in a cluster soak with nodes joining.
        assertThat(mostInAMinute(80, 10)).isGreaterThan(SLACKS_LIMIT);
    }

    /** Node A alone for 20 s, B joins, C joins 20 s later; each seen by the others one {@link #LAG} after it starts. */
    private int mostInAMinute(int perMinute, int burst) {
        List<SharedBudgets> shares = new ArrayList<>();
        List<Budget> nodes = new ArrayList<>();
        List<Long> writes = new ArrayList<>();
        long step = Duration.ofMillis(100).toNanos();
        long start = ticker.nanos();
        for (long t = 0; t < Duration.ofSeconds(90).toNanos(); t += step) {
            for (int joining = 1; joining <= 2; joining++) {
                long joinsAt = Duration.ofSeconds(20L * joining).toNanos();
                if (t == joinsAt) {
                    SharedBudgets mine = new SharedBudgets(); // alone, as far as it knows yet
                    shares.add(mine);
                    nodes.add(mine.split(new Budget("ws assistant.threads.setStatus", perMinute, MINUTE, burst,
                            ticker)));
                }
                if (t == joinsAt + LAG.toNanos()) {
                    int live = joining + 1;
                    shares.forEach(s -> s.nodes(live));
                }
            }
            if (t == 0) {
                SharedBudgets first = new SharedBudgets();
                shares.add(first);
                nodes.add(first.split(new Budget("ws assistant.threads.setStatus", perMinute, MINUTE, burst, ticker)));
            }
            for (Budget node : nodes) {
                while (node.tryTake()) {
                    writes.add(ticker.nanos() - start);
                }
            }
            ticker.advance(Duration.ofNanos(step));
        }
        return Windows.mostInAny(writes, MINUTE);
    }
}

package dev.switchboard;

import static dev.switchboard.testing.FakeSlack.BOT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import dev.switchboard.live.Budget;
import dev.switchboard.live.SharedBudgets;
import dev.switchboard.live.Ticker;
import dev.switchboard.store.postgres.PostgresCluster;
import dev.switchboard.store.postgres.PostgresStorage;
import dev.switchboard.testing.FakeSlack;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes on one database, each with its own budget of a Slack workspace's {@code chat.update}, writing to
 * FakeSlack, which enforces the workspace's limit: a 429 on one pauses the other, and together they stay within it.
 */
class SharedLimitsTest {

    private static final String SCOPE = "slack T1 chat.update";
    /** FakeSlack's workspace limit for the test: 10 edits in 2 s, so the test lasts seconds, not minutes. */
    private static final int LIMIT = 10;
    private static final Duration WINDOW = Duration.ofSeconds(2);

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final List<AutoCloseable> open = new ArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final Ticker ticker = Ticker.of(scheduler);
    private FakeSlack fake;
    private MethodsClient api;

    @BeforeEach
    void slack() {
        fake = FakeSlack.start().channel("C1", "general").limit("chat.update", LIMIT, WINDOW,
                FakeSlack.Scope.WORKSPACE);
        open.add(fake);
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(fake.apiUrl());
        api = Slack.getInstance(config).methods(BOT_TOKEN);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        scheduler.shutdownNow();
    }

    /** One node: its heartbeat row, its signals, its shares, and its budget of the workspace's edits. */
    private record Node(String id, PostgresCluster rows, SharedLimits limits, SharedBudgets shares, Budget budget) {
    }

    private Node node(String id) {
        PostgresStorage storage = PostgresStorage.open(db.options(), Clock.systemUTC(), new SimpleMeterRegistry());
        open.add(storage);
        PostgresCluster rows = storage.cluster(id, Duration.ofSeconds(30));
        rows.beat(Instant.now(), 0, java.time.Duration.ZERO, "slack", List.of());
        var signals = storage.signals(id);
        open.add(signals);
        await().atMost(Duration.ofSeconds(10)).until(signals::listening);
        SharedBudgets shares = new SharedBudgets();
        SharedLimits limits = new SharedLimits(shares, signals, id,
                () -> (int) rows.nodes().stream().filter(PostgresCluster.Node::alive).count(), scheduler)
                .start(Duration.ofSeconds(10));
        open.add(limits);
        // As SlackReplies makes it: Slack's window taken 2 % longer.
        Budget budget = shares.split(new Budget(SCOPE, LIMIT, WINDOW.plus(WINDOW.dividedBy(50)), ticker));
        return new Node(id, rows, limits, shares, budget);
    }

    @Test
    void aNodeJoiningHalvesTheOthersShareAndLeavingGivesItBack() {
        Node a = node("node-a");
        assertThat(a.shares().nodes()).isEqualTo(1);
        Node b = node("node-b");
        await().atMost(Duration.ofSeconds(2)).until(() -> a.shares().nodes() == 2); // signalled, not the next beat
        assertThat(b.shares().nodes()).isEqualTo(2);
        assertThat(a.budget().interval()).isEqualTo(b.budget().interval());

        b.rows().leave();
        b.limits().close();
        await().atMost(Duration.ofSeconds(2)).until(() -> a.shares().nodes() == 1);
    }

    @Test
    void a429OnOneNodePausesTheOtherUntilItsRetryAfter() throws Exception {
        Node a = node("node-a");
        Node b = node("node-b");
        String ts = api.chatPostMessage(r -> r.channel("C1").text("reply")).getTs();

        // Node A writes past the workspace's limit (as a node would whose share was not yet set) until Slack says 429.
        Duration retryAfter = null;
        while (retryAfter == null) {
            try {
                api.chatUpdate(r -> r.channel("C1").ts(ts).text("a"));
            } catch (SlackApiException e) {
                assertThat(e.getResponse().code()).isEqualTo(429);
                retryAfter = Duration.ofSeconds(Long.parseLong(e.getResponse().header("Retry-After")));
            }
        }
        Instant limitedAt = fake.calls().getLast().at();
        a.budget().pause(retryAfter); // what the live engine does on a 429

        await().atMost(Duration.ofSeconds(1)).until(() -> !b.budget().free());
        b.budget().acquire();
        api.chatUpdate(r -> r.channel("C1").ts(ts).text("b"));

        FakeSlack.Call first = fake.calls().stream().filter(c -> "b".equals(c.params().get("text"))).findFirst()
                .orElseThrow();
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.at()).isAfterOrEqualTo(limitedAt.plus(retryAfter).minusMillis(50));
        assertThat(fake.rateLimited("chat.update")).isEqualTo(1); // A's alone
    }

    @Test
    void twoNodesWritingTogetherStayWithinTheWorkspacesLimit() throws Exception {
        Node a = node("node-a");
        Node b = node("node-b");
        await().atMost(Duration.ofSeconds(2)).until(() -> a.shares().nodes() == 2 && b.shares().nodes() == 2);
        String ts = api.chatPostMessage(r -> r.channel("C1").text("reply")).getTs();

        int written = writeTogether(List.of(a.budget(), b.budget()), ts, Duration.ofSeconds(5));
        assertThat(fake.rateLimited("chat.update")).isZero();
        assertThat(written).isGreaterThanOrEqualTo(15); // 8 per window of the 10 (each node 4 paced of its 5)

        // Each node spending the whole budget, as without sharing: Slack refuses some.
        Budget whole = new Budget(SCOPE, LIMIT, WINDOW.plus(WINDOW.dividedBy(50)), ticker);
        Budget wholeToo = new Budget(SCOPE, LIMIT, WINDOW.plus(WINDOW.dividedBy(50)), ticker);
        int unshared = writeTogether(List.of(whole, wholeToo), ts, Duration.ofSeconds(3));
        System.out.printf("two nodes, chat.update limit %d per %d s: shared %d edits in 5 s, 0 refused; unshared %d"
                + " edits in 3 s, %d refused with 429%n", LIMIT, WINDOW.toSeconds(), written, unshared,
                fake.rateLimited("chat.update"));
        assertThat(fake.rateLimited("chat.update")).isPositive();
    }

    /** Each budget's node edits as fast as its budget allows for {@code lasting}; returns the edits Slack took. */
    private int writeTogether(List<Budget> budgets, String ts, Duration lasting) throws Exception {
        long until = System.nanoTime() + lasting.toNanos();
        List<Future<Integer>> writers = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Budget budget : budgets) {
                writers.add(pool.submit(() -> {
                    int ok = 0;
                    while (System.nanoTime() < until) {
                        budget.acquire();
                        try {
                            api.chatUpdate(r -> r.channel("C1").ts(ts).text("edit"));
                            ok++;
                        } catch (SlackApiException e) {
                            budget.pause(Duration.ofSeconds(Long.parseLong(e.getResponse().header("Retry-After"))));
                        }
                    }
                    return ok;
                }));
            }
            int total = 0;
            for (Future<Integer> w : writers) {
                total += w.get();
            }
            return total;
        }
    }
}

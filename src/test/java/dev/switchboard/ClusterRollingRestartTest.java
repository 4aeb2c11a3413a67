package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import dev.switchboard.testing.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rolling restart under load: three whole services as nodes of one bot on one PostgreSQL database, each with its
 * own Socket Mode connection to FakeSlack, users asking all the while; the nodes are stopped (as SIGTERM stops them)
 * and started again one by one. Every question is answered exactly once, with the whole answer, and nobody is told
 * to ask again. The lease is the default 10 s: a handover on SIGTERM does not wait for it, and a short one on a busy
 * machine lets a starved node's leases lapse mid-reply, which is the fencing case, not this one.
 */
class ClusterRollingRestartTest {

    private static final Logger log = LoggerFactory.getLogger(ClusterRollingRestartTest.class);
    private static final String ANSWER = "An answer streamed in several pieces, long enough to be cut by a restart.";

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    @TempDir
    Path data;

    private final FakeProvider provider = FakeProvider.start();
    private final ScheduledExecutorService users = Executors.newSingleThreadScheduledExecutor();
    private ProviderNodes nodes;
    private FakeSlack slack;

    @AfterEach
    void stop() {
        users.shutdownNow();
        if (nodes != null) {
            nodes.close();
        }
        if (slack != null) {
            slack.close();
        }
        provider.close();
    }

    private Service node(String id) {
        if (nodes == null) {
            nodes = new ProviderNodes(db, data, provider, "10s");
        }
        return nodes.start(id, """
                slack:
                  bot_token: %s
                  app_token: %s
                  signing_secret: %s
                  api_url: %s
                """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN, FakeSlack.SIGNING_SECRET, slack.apiUrl()));
    }

    @Test
    void restartingTheNodesOneByOne_underLoad_losesNothing_andDoublesNothing() {
        provider.otherwise(r -> Script.answer(ANSWER).paced(Duration.ofMillis(30), Duration.ofMillis(30)));
        slack = FakeSlack.start().user("U1", "Ada").user("U2", "Bo").channel("C1", "general")
                .channel("C2", "random").channel("C3", "help").channel("C4", "ops");
        List<String> ids = List.of("node-a", "node-b", "node-c");
        List<Service> running = new ArrayList<>();
        for (String id : ids) {
            running.add(node(id));
        }
        await().until(() -> slack.socketConnections() == 3);

        List<String[]> asked = new CopyOnWriteArrayList<>(); // channel, ts
        AtomicInteger n = new AtomicInteger();
        users.scheduleWithFixedDelay(() -> {
            int i = n.incrementAndGet();
            String channel = "C" + (1 + i % 4); // within Slack's posting limit of about one message a second a channel
            String ts = slack.post(channel, i % 3 == 0 ? "U2" : "U1", "<@" + FakeSlack.BOT_USER + "> question " + i);
            asked.add(new String[] {channel, ts});
        }, 0, 1000, TimeUnit.MILLISECONDS);

        await().atMost(Duration.ofSeconds(20)).until(() -> asked.size() >= 5);
        for (int i = 0; i < ids.size(); i++) {
            long stopping = System.nanoTime();
            nodes.stop(running.get(i)); // what SIGTERM does
            log.info("figure: {} stopped (drained and handed over) in {} ms", ids.get(i),
                    (System.nanoTime() - stopping) / 1_000_000);
            Service restarted = node(ids.get(i));
            running.set(i, restarted);
            await().atMost(Duration.ofSeconds(20)).until(() -> restarted.slack().connected());
            int before = asked.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> asked.size() >= before + 3);
        }
        users.shutdown();
        await().atMost(Duration.ofSeconds(5)).until(users::isTerminated);

        log.info("figure: {} questions asked across a rolling restart of 3 nodes", asked.size());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String[] q : asked) {
                assertThat(slack.thread(q[0], q[1]).stream().filter(m -> FakeSlack.BOT_USER.equals(m.user()))
                        .map(FakeSlack.Message::text).toList())
                        .as("the bot's messages in the thread of %s in %s", q[1], q[0])
                        .containsExactly(ANSWER);
            }
        });
        assertThat(provider.requests()).as("one model call per question").isEqualTo(asked.size());
    }
}

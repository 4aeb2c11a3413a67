package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.ops.Status;
import dev.switchboard.testing.FakeDiscord;
import dev.switchboard.testing.FakeDiscord.Message;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whole services as nodes of one bot on one PostgreSQL database, sharing FakeDiscord's four shards: two nodes split
 * them 2/2; when one stops, the other runs all four and answers in the guild whose shard moved; a third node joining
 * gets its share. No shard ever has two live sessions, and the nodes take turns to IDENTIFY (one per 5 s for the whole
 * bot, which FakeDiscord enforces), so this test takes about a minute: its pace is Discord's.
 */
class ClusterShardsTest {

    private static final Logger log = LoggerFactory.getLogger(ClusterShardsTest.class);
    private static final String ANSWER = "Four.";
    private static final String ADA = "300000000000000001";
    private static final String GENERAL = "400000000000000001";
    private static final Pattern SHARDS = Pattern.compile("discord shards ([0-9, ]+) of 4");

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    @TempDir
    Path data;

    private final FakeDiscord discord = FakeDiscord.start().refuseEarlyIdentify();
    private final FakeProvider provider = FakeProvider.start();
    private ProviderNodes nodes;

    @AfterEach
    void stop() {
        nodes.close();
        discord.close();
        provider.close();
    }

    private Service node(String id) {
        return node(id, FakeDiscord.TOKEN);
    }

    private Service node(String id, String token) {
        if (nodes == null) {
            nodes = new ProviderNodes(db, data, provider, "2s");
        }
        return nodes.start(id, """
                discord:
                  token: %s
                  rest_url: %s
                  gateway_url: %s
                  shards: {total: 4}
                """.formatted(token, discord.restUrl(), discord.gatewayUrl()));
    }

    @Test
    void aNodeWhoseTokenIsRefused_holdsNoShard_andAsksDiscordOnlyNowAndThen() {
        provider.otherwise(r -> Script.answer(ANSWER));
        Service refused = node("node-refused", "NOT." + FakeDiscord.TOKEN);
        Service good = node("node-good");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(discord.liveShards()).isEqualTo(Map.of(0, 1, 1, 1, 2, 1, 3, 1));
            assertThat(shards(good, "node-good")).containsExactly(0, 1, 2, 3);
        });
        assertThat(shards(good, "node-refused")).isEmpty();
        assertThat(refused.discord().connected()).isFalse();
        long refusals = discord.calls().stream().filter(c -> c.status() == 401).count();
        assertThat(refusals).as("401s: one try, then a pause of %s", "30 s").isBetween(1L, 2L);
    }

    @Test
    void twoNodesSplitTheShards_theSurvivorRunsAll_andAThirdGetsItsShare() {
        discord.user(ADA, "ada").textChannel(GENERAL, "general");
        provider.otherwise(r -> Script.answer(ANSWER));
        Service a = node("node-a");
        Service b = node("node-b");

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(discord.liveShards()).isEqualTo(Map.of(0, 1, 1, 1, 2, 1, 3, 1));
            assertThat(shards(a, "node-a")).hasSize(2);
            assertThat(shards(a, "node-b")).hasSize(2);
        });
        Service holder = shards(a, "node-a").contains(0) ? a : b; // the guild's shard (and the DMs')
        Service other = holder == a ? b : a;
        String otherId = holder == a ? "node-b" : "node-a";

        long stopped = System.nanoTime();
        nodes.stop(holder);
        await().atMost(Duration.ofSeconds(45)).until(() -> discord.liveShards().equals(Map.of(0, 1, 1, 1, 2, 1, 3, 1))
                && other.discord().connected());
        log.info("figure: after a node stopped, its shards ran on the other within {} ms",
                (System.nanoTime() - stopped) / 1_000_000);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(shards(other, otherId)).containsExactly(0, 1, 2, 3));

        String question = discord.post(GENERAL, ADA, "<@" + FakeDiscord.BOT_ID + "> what is 2+2?");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(bot(question))
                .extracting(Message::content).containsExactly(ANSWER));

        Service third = node("node-c");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(discord.liveShards()).isEqualTo(Map.of(0, 1, 1, 1, 2, 1, 3, 1));
            assertThat(shards(third, "node-c")).hasSize(2);
            assertThat(shards(third, otherId)).hasSize(2);
        });
        assertThat(discord.shardOverlaps()).as("a shard identified while another session of it was live").isZero();
        assertThat(discord.identifiesTooSoon()).as("IDENTIFYs of the bot less than 5 s apart, from any node").isZero();
    }

    /** The shards a node serves, as the status of {@code seen} lists it. */
    private static List<Integer> shards(Service seen, String nodeId) {
        return seen.status().nodes().stream().filter(n -> n.id().equals(nodeId) && n.alive())
                .map(Status.Node::serves).findFirst().map(serves -> {
                    Matcher m = SHARDS.matcher(serves);
                    return m.find() ? java.util.Arrays.stream(m.group(1).split(", ")).map(Integer::valueOf).toList()
                            : List.<Integer>of();
                }).orElse(List.of());
    }

    private List<Message> bot(String channel) {
        return discord.messages(channel).stream().filter(m -> FakeDiscord.BOT_ID.equals(m.author())).toList();
    }
}

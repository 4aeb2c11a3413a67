package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import dev.switchboard.ops.Status;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import dev.switchboard.testing.PostgresDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two whole services as two nodes of one bot on one PostgreSQL database, FakeSlack delivering over HTTP: they list
 * each other, and a Slack retry that reaches the other node while the first still streams the answer is not answered
 * a second time.
 */
class ClusterServiceTest {

    private static final String ANSWER = "Four, written slowly enough that the retry lands while it streams. "
            .repeat(3).strip();

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newHttpClient();
    private ClusterNodes nodes;
    private FakeProvider provider;
    private FakeSlack slack;

    @BeforeEach
    void start() {
        nodes = new ClusterNodes(db, data);
        provider = nodes.closing(FakeProvider.start());
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    private Service node(String id) {
        return nodes.start(nodes.yaml(id, slack, "providers:\n  main: {type: openai, api_key: test-key-000000,"
                + " base_url: " + provider.baseUrl(Api.OPENAI) + ", models: [m]}"));
    }

    @Test
    void twoNodes_listEachOther_andARetryReachingTheOtherNodeMidReply_isNotAnsweredTwice() throws Exception {
        provider.otherwise(r -> Script.answer(ANSWER).paced(Duration.ofMillis(40), Duration.ofMillis(40)));
        slack = nodes.closing(FakeSlack.start().user("U1", "Ada").channel("C1", "general").retries(0));
        Service a = node("node-a");
        Service b = node("node-b");
        await().until(() -> a.slack().connected() && b.slack().connected());

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(a.status().nodes())
                .extracting(Status.Node::id, Status.Node::alive, Status.Node::here, Status.Node::serves)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("node-a", true, true, "slack"),
                        org.assertj.core.groups.Tuple.tuple("node-b", true, false, "slack")));
        JsonNode json = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(
                URI.create(b.ops().url() + "/status.json")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(json.get("nodes")).hasSize(2);
        assertThat(json.get("nodes").get(1).get("here").asBoolean()).isTrue();
        String status = a.admin().run("U1", new ConversationKey("slack", FakeSlack.TEAM, "C1", "-"), "status").text();
        assertThat(status).contains("nodes:").containsPattern("node-a +alive beat \\d+ ms ago, up \\d+s, 0 replies in"
                + " progress, serves slack \\(this node\\)").containsPattern("node-b +alive .*serves slack\n");

        slack.deliverOverHttp(a.ops().url() + "/slack/events");
        String ts = slack.post("C1", "U1", "<@" + FakeSlack.BOT_USER + "> what is 2+2?");
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.settled() && provider.requests() >= 1
                && a.conversations().inProgress() > 0);

        // Slack retries the events, and this time they reach the other node while the first still streams.
        slack.deliverOverHttp(b.ops().url() + "/slack/events");
        for (String event : slack.eventIds()) {
            slack.redeliver(event, 1, "http_timeout");
        }

        ConversationKey key = new ConversationKey("slack", FakeSlack.TEAM, "C1", ts);
        await().atMost(Duration.ofSeconds(20)).until(() -> slack.settled() && a.conversations().inProgress() == 0
                && b.conversations().inProgress() == 0 && answers(b, key).size() == 1);
        assertThat(slack.deliveries()).allMatch(FakeSlack.Delivery::acked);
        assertThat(provider.requests()).isEqualTo(1);
        assertThat(answers(a, key)).singleElement().extracting(Turn::text).isEqualTo(ANSWER);
        assertThat(slack.thread("C1", ts).stream().filter(m -> FakeSlack.BOT_USER.equals(m.user())))
                .extracting(FakeSlack.Message::text).containsExactly(ANSWER);
    }

    private static List<Turn> answers(Service service, ConversationKey key) {
        return service.store().loadComplete(key).map(c -> c.turns().stream()
                .filter(t -> t.role() == Role.ASSISTANT).toList()).orElse(List.of());
    }
}

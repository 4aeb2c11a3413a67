package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.answering.Verdicts;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Feedback;
import dev.switchboard.conversation.Verdict;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import dev.switchboard.testing.FakeSlack.Message;
import dev.switchboard.testing.FakeSlackInteractions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 👍 / 👎 on Slack end to end: the feedback buttons block on a finished answer, presses as {@code block_actions}
 * over Socket Mode and HTTP mode, stored with the answer's turn, counted, and forgeries refused.
 */
class SlackFeedbackTest {

    private static final String ANSWER = "Four, as it happens. Two and two make four.";

    @TempDir
    Path data;

    private final FakeSlack slack = FakeSlack.start();
    private final FakeProvider provider = FakeProvider.start();
    private final List<Service> services = new ArrayList<>();

    @BeforeEach
    void world() {
        slack.user("U1", "Ada").user("U2", "Bo").user("U3", "Cy").channel("C1", "general").channel("C2", "random");
        slack.limit("chat.postMessage", 100, Duration.ofSeconds(1), FakeSlack.Scope.CHANNEL)
                .limit("chat.update", 100, Duration.ofSeconds(1), FakeSlack.Scope.WORKSPACE);
        provider.otherwise(r -> Script.answer(ANSWER).paced(Duration.ofMillis(20), Duration.ofMillis(10)));
    }

    @AfterEach
    void stop() {
        services.forEach(Service::close);
        slack.close();
        provider.close();
    }

    private Service start(String extraSlack) {
        String yaml = """
                slack:
                  bot_token: %s
                  app_token: %s
                  signing_secret: %s
                  api_url: %s
                  post_budget: {messages: 20, per: 1s}
                  update_budget: {messages: 20, per: 1s}
                %s
                providers:
                  main: {type: openai, api_key: test-key-000000, base_url: %s, models: [m]}
                storage: {path: %s, fsync: false}
                ops: {port: 0}
                """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN, FakeSlack.SIGNING_SECRET, slack.apiUrl(),
                extraSlack.indent(2), provider.baseUrl(Api.OPENAI), data.toString().replace("\\", "/"));
        Service service = new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC())
                .start();
        services.add(service);
        if (extraSlack.contains("mode: http")) {
            slack.deliverOverHttp(service.ops().url() + "/slack/events");
        } else {
            await().until(() -> slack.socketConnections() == 1);
        }
        await().until(() -> service.slack().connected());
        return service;
    }

    private List<Message> botReplies(String channel, String thread) {
        return slack.thread(channel, thread).stream().filter(m -> FakeSlack.BOT_USER.equals(m.user())
                && !m.ts().equals(thread)).toList();
    }

    /** Asks in C1 and waits for the answer to carry the feedback buttons; returns the answer's message. */
    private Message answered(Service service, String question) {
        String ts = slack.post("C1", "U1", "<@" + FakeSlack.BOT_USER + "> " + question);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Message> replies = botReplies("C1", ts);
            assertThat(replies).extracting(Message::text).containsExactly(ANSWER);
            assertThat(lastBlockType(replies.getFirst())).isEqualTo("context_actions");
        });
        return botReplies("C1", ts).getFirst();
    }

    private String lastBlockType(Message m) {
        var blocks = slack.blocks(m.channel(), m.ts());
        return blocks.isEmpty() ? "" : blocks.get(blocks.size() - 1).path("type").asText();
    }

    private static ConversationKey key(Message answer) {
        return new ConversationKey("slack", FakeSlack.TEAM, answer.channel(), answer.threadTs());
    }

    private List<String> ephemeralsTo(String user) {
        return slack.ephemerals().stream().filter(e -> e.user().equals(user)).map(FakeSlack.Ephemeral::text).toList();
    }

    private static double counted(Service service, String verdict) {
        var counter = service.meters().find("switchboard.feedback").tags("provider", "main", "model", "m", "verdict",
                verdict).counter();
        return counter == null ? 0 : counter.count();
    }

    @ParameterizedTest
    @ValueSource(strings = {"socket", "http", "socket-streaming"})
    void aPressIsStoredWithTheAnswer_replacedByTheSamePerson_countedOncePerPerson(String mode) {
        Service service = start(switch (mode) {
            case "http" -> "mode: http";
            case "socket-streaming" -> "native_streaming: true";
            default -> "";
        });
        Message answer = answered(service, "what is 2+2?");
        JsonNode blocks = slack.blocks("C1", answer.ts());
        JsonNode buttons = blocks.get(blocks.size() - 1).path("elements").get(0);
        assertThat(buttons.path("type").asText()).isEqualTo("feedback_buttons");
        assertThat(buttons.path("positive_button").path("text").path("text").asText()).isEqualTo("👍");
        if (mode.equals("socket-streaming")) {
            assertThat(slack.calls()).filteredOn(c -> c.method().equals("chat.stopStream"))
                    .anyMatch(c -> c.params().getOrDefault("blocks", "").contains("feedback_buttons"));
        } else {
            // The text shows as before: the same mrkdwn, in a section above the buttons.
            assertThat(blocks.get(0).path("text").path("text").asText()).isEqualTo(answer.text());
        }

        slack.pressFeedback("C1", answer.ts(), "U1", true);
        await().untilAsserted(() -> assertThat(ephemeralsTo("U1")).containsExactly(Verdicts.THANKS));
        slack.pressFeedback("C1", answer.ts(), "U1", false);
        slack.pressFeedback("C1", answer.ts(), "U2", true);
        await().untilAsserted(() -> assertThat(ephemeralsTo("U2")).containsExactly(Verdicts.THANKS));
        await().untilAsserted(() -> assertThat(ephemeralsTo("U1")).hasSize(2));

        List<Feedback> stored = service.store().feedback(key(answer));
        assertThat(stored).extracting(Feedback::userId, Feedback::verdict, Feedback::provider, Feedback::model)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("U1", Verdict.BAD, "main", "m"),
                        org.assertj.core.groups.Tuple.tuple("U2", Verdict.GOOD, "main", "m"));
        assertThat(counted(service, "good")).isEqualTo(2.0);
        assertThat(counted(service, "bad")).isEqualTo(1.0);
        assertThat(service.meters().scrape())
                .contains("switchboard_feedback_total{model=\"m\",provider=\"main\",verdict=\"bad\"} 1.0");
        // The status page's data: one 👍 and one 👎 on main/m.
        assertThat(service.status().feedback()).extracting(f -> f.describe()).containsExactly("main/m: 50% 👍 (1 of 2)");
        assertThat(statusJson(service)).contains("\"feedback\":[{\"provider\":\"main\",\"model\":\"m\",\"good\":1,"
                + "\"bad\":1,\"good_percent\":50}]");
    }

    private static String statusJson(Service service) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(service.ops().url() + "/status.json")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void forgedPressesAreRefusedAndStoreNothing() {
        Service service = start("");
        Message answer = answered(service, "what is 2+2?");
        String question = answer.threadTs();

        // On the question, not an answer.
        slack.blockAction(slack.feedbackPress("C1", question, "U1", true));
        // A value the buttons never carry.
        slack.blockAction(slack.feedbackPress("C1", answer.ts(), "U1", true).withValue("definitely_good"));
        // The answer's ts, claimed in another channel.
        slack.blockAction(slack.feedbackPress("C1", answer.ts(), "U1", true).withChannel("C2"));
        // An unknown message.
        slack.blockAction(slack.feedbackPress("C1", answer.ts(), "U1", true).withMessage("1111111111.000001"));
        await().untilAsserted(() -> assertThat(ephemeralsTo("U1")).hasSize(4)
                .allMatch(Verdicts.NOT_AN_ANSWER::equals));
        // From another workspace: refused before anything is looked up.
        FakeSlackInteractions.Press foreign = slack.feedbackPress("C1", answer.ts(), "U3", true).withTeam("T0OTHER");
        slack.blockAction(foreign);
        await().untilAsserted(() -> assertThat(ephemeralsTo("U3")).hasSize(1));

        assertThat(service.store().feedback(key(answer))).isEmpty();
        assertThat(counted(service, "good")).isZero();
    }
}

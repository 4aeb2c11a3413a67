package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.answering.ThreadContext;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import dev.switchboard.testing.FakeSlack.Message;
import dev.switchboard.testing.FakeSlackAgent;
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
 * Slack's agent view end to end: the whole service on real Bolt (Socket Mode and HTTP mode) against FakeSlack's
 * agent view ({@link FakeSlackAgent}) and a fake provider that shows what the model was asked.
 */
class SlackAgentEndToEndTest {

    private static final String ANSWER = "Here is what I found.";
    private static final String SUMMARY = "Summarise the channel I am viewing";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    private final FakeSlack slack = FakeSlack.start();
    private final FakeSlackAgent agent = slack.agent();
    private final FakeProvider provider = FakeProvider.start();
    private final List<Service> services = new ArrayList<>();

    @BeforeEach
    void world() {
        slack.user("U1", "Ada").user("U2", "Bo").user("U3", "Cy")
                .channel("C1", "general").channel("C2", "launch").channelWithoutBot("C9", "secret");
        agent.members("C1", "U1", "U2").members("C2", "U2").members("C9", "U1");
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

    private Service start(String mode) {
        String yaml = """
                slack:
                  bot_token: %s
                  app_token: %s
                  signing_secret: %s
                  api_url: %s
                  mode: %s
                  post_budget: {messages: 20, per: 1s}
                  update_budget: {messages: 20, per: 1s}
                  assistant:
                    enabled: true
                    prompts_title: "Ask me"
                    suggested_prompts:
                      - {title: "Summarise", message: "%s"}
                      - {title: "Explain", message: "Explain this to me"}
                    prompt_overrides:
                      C2: [{title: "Launch status", message: "How is the launch going?"}]
                    loading_messages: ["Thinking…", "Reading…"]
                providers:
                  main: {type: openai, api_key: test-key-000000, base_url: %s, models: [m]}
                routing:
                  routes:
                    default:
                      targets: [main/m]
                      system_prompt: "You help {user}. They are looking at {viewing_channel}."
                storage: {path: %s, fsync: false}
                ops: {port: 0}
                """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN, FakeSlack.SIGNING_SECRET, slack.apiUrl(),
                mode, SUMMARY, provider.baseUrl(Api.OPENAI), data.toString().replace("\\", "/"));
        Service service = new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC())
                .start();
        services.add(service);
        if (mode.equals("http")) {
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

    private void awaitReplies(String channel, String thread, String... texts) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(botReplies(channel, thread))
                .extracting(Message::text).containsExactly(texts));
    }

    private void awaitSettled() {
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.settled()
                && services.stream().allMatch(s -> s.conversations().inProgress() == 0));
    }

    /** The system prompt of the provider's request number {@code i}. */
    private String systemPrompt(int i) {
        return provider.received().get(i).body().get("messages").get(0).get("content").asText();
    }

    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"socket", "http"})
    void openingTheViewShowsPromptsAndAQuestionGetsATitleLoadingMessagesAndAStreamedAnswer(String mode) {
        Service service = start(mode);
        agent.openMessagesTab("U1", null);
        await().untilAsserted(() -> assertThat(agent.suggestedPrompts()).singleElement().satisfies(p -> {
            assertThat(p.channel()).isEqualTo("DU1");
            assertThat(p.threadTs()).as("the agent view takes no thread ts").isNull();
            assertThat(p.title()).isEqualTo("Ask me");
            assertThat(p.prompts()).extracting(FakeSlackAgent.Prompt::message)
                    .containsExactly(SUMMARY, "Explain this to me");
        }));

        agent.contextChanged("U1", "C1");
        awaitSettled(); // acknowledged: the check it started is what the next answer waits for
        String ts = slack.dm("U1", "What changed in   the deploy script\nsince last week? Please be brief and clear"
                + " about the risks involved for us");

        awaitReplies("DU1", ts, ANSWER);
        await().untilAsserted(() -> assertThat(agent.titles("DU1", ts))
                .containsExactly("What changed in the deploy script"));
        assertThat(agent.loadingMessages("DU1", ts)).containsExactly(List.of("Thinking…", "Reading…"));
        await().untilAsserted(() -> assertThat(slack.statuses("DU1", ts)).startsWith("is thinking…").endsWith(""));
        assertThat(systemPrompt(0)).isEqualTo("You help Ada. They are looking at general.");

        // The thread keeps the viewed channel as metadata notes.
        ConversationKey key = new ConversationKey("slack", FakeSlack.TEAM, "DU1", ts);
        await().untilAsserted(() -> assertThat(service.store().load(key).orElseThrow().metadata())
                .containsEntry(ThreadContext.VIEWING_CHANNEL_NOTE, "C1")
                .containsEntry(ThreadContext.VIEWING_CHANNEL_NAME_NOTE, "general"));

        // A follow-up in the thread: no new title, the same conversation.
        slack.reply("DU1", ts, "U1", "and the week before?");
        awaitReplies("DU1", ts, ANSWER, ANSWER);
        assertThat(agent.titles("DU1", ts)).hasSize(1);
        assertThat(provider.received().get(1).body().get("messages").toString()).contains("What changed");
        assertThat(slack.deliveries()).allMatch(FakeSlack.Delivery::acked);
    }

    @Test
    void aChannelViewedGetsItsOwnPrompts_andAChangedContextReachesTheSystemPrompt() {
        start("socket");
        agent.openMessagesTab("U2", "C2");
        await().untilAsserted(() -> assertThat(agent.suggestedPrompts()).singleElement()
                .satisfies(p -> assertThat(p.prompts()).extracting(FakeSlackAgent.Prompt::title)
                        .containsExactly("Launch status")));

        agent.contextChanged("U2", "C1");
        awaitSettled();
        // The prompt sent by clicking the suggested prompt arrives as a message of the user's.
        String ts = slack.dm("U2", "How is the launch going?");
        awaitReplies("DU2", ts, ANSWER);
        assertThat(systemPrompt(0)).isEqualTo("You help Bo. They are looking at general.");

        // Looking at nothing Slack names: the prompt says so.
        agent.contextChanged("U2", null);
        awaitSettled();
        String next = slack.dm("U2", "And now?");
        awaitReplies("DU2", next, ANSWER);
        assertThat(systemPrompt(1)).isEqualTo("You help Bo. They are looking at no particular channel.");
    }

    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"socket", "http"})
    void theSummaryPromptReadsTheViewedChannelAndSummarisesIt(String mode) {
        start(mode);
        slack.post("C1", "U2", "Deploy is at 3pm, <@U1> please check <!here>");
        slack.post("C1", "U1", "Ok, see <https://example.com/runbook|the runbook>");
        agent.openMessagesTab("U1", "C1");
        await().until(() -> !agent.suggestedPrompts().isEmpty());

        String ts = slack.dm("U1", SUMMARY); // the suggested prompt, clicked
        awaitReplies("DU1", ts, ANSWER);
        String system = systemPrompt(0);
        assertThat(system).contains("#general").contains("Bo: Deploy is at 3pm, @Ada please check @here")
                .contains("Ada: Ok, see the runbook (https://example.com/runbook)")
                .doesNotContain("<@U1>").doesNotContain("<!here>");
        assertThat(system.indexOf("Deploy is at 3pm")).as("oldest first").isLessThan(system.indexOf("Ok, see"));
        assertThat(slack.count("conversations.history")).isEqualTo(1);
    }

    @Test
    void aSummaryOfAChannelTheBotIsNotInGetsAClearLine_andTheModelIsNotAsked() {
        start("socket");
        agent.contextChanged("U1", "C9"); // Ada is in #secret; the bot is not
        awaitSettled();
        String ts = slack.dm("U1", "summarise the channel I am viewing!");

        awaitReplies("DU1", ts, "I'm not a member of #secret, so I can't read it. Add me there with `/invite"
                + " @Switchboard`, then ask again.");
        assertThat(provider.requests()).isZero();
        assertThat(slack.count("conversations.history")).isZero();
    }

    @Test
    void aSummaryOfAChannelTheUserIsNotInIsRefused_evenWhenAForgedContextNamesIt() {
        start("socket");
        slack.post("C2", "U2", "launch codes: 1234");
        // Forged: Ada is not a member of #launch.
        agent.contextChanged("U1", "C2");
        awaitSettled();
        String ts = slack.dm("U1", SUMMARY);
        awaitReplies("DU1", ts, "I can only summarise a channel you are a member of.");
        // Nor does the prompt of an ordinary question name it.
        String question = slack.dm("U1", "What is new?");
        awaitReplies("DU1", question, ANSWER);
        assertThat(systemPrompt(0)).isEqualTo("You help Ada. They are looking at no particular channel.");

        // The older assistant view's event names the thread; a forged channel there is refused too.
        String thread = agent.assistantThreadStarted("U1", "C2");
        awaitSettled();
        slack.reply("DU1", thread, "U1", SUMMARY);
        awaitReplies("DU1", thread, "I can only summarise a channel you are a member of.");
        assertThat(provider.requests()).isEqualTo(1);
        assertThat(slack.count("conversations.history")).isZero();
        assertThat(String.join(" ", slack.messages("DU1").stream().map(Message::text).toList()))
                .doesNotContain("launch codes");
    }

    @Test
    void aSummaryWithoutAViewedChannelSaysSo() {
        start("socket");
        String ts = slack.dm("U3", "Summarise the channel I am viewing.");
        awaitReplies("DU3", ts, "I can't tell which channel you are viewing. Open the channel beside this chat,"
                + " then ask again.");
        assertThat(provider.requests()).isZero();
    }

    @Test
    void theOlderAssistantViewGetsPromptsInItsThreadAndItsContextIsKeptOnTheThread() {
        agent.assistantView();
        Service service = start("socket");
        String thread = agent.assistantThreadStarted("U1", "C1");
        await().untilAsserted(() -> assertThat(agent.suggestedPrompts()).singleElement()
                .satisfies(p -> assertThat(p.threadTs()).isEqualTo(thread)));

        agent.assistantContextChanged("U1", thread, "C9");
        awaitSettled(); // acknowledged: the check it started is what the next answer waits for
        slack.reply("DU1", thread, "U1", "What is this channel about?");
        awaitReplies("DU1", thread, ANSWER);
        await().untilAsserted(() -> assertThat(agent.titles("DU1", thread)).containsExactly(
                "What is this channel about?"));
        assertThat(systemPrompt(0)).endsWith("looking at secret.");
        ConversationKey key = new ConversationKey("slack", FakeSlack.TEAM, "DU1", thread);
        await().untilAsserted(() -> assertThat(service.store().load(key).orElseThrow().metadata())
                .containsEntry(ThreadContext.VIEWING_CHANNEL_NOTE, "C9")
                .containsEntry(ThreadContext.VIEWING_CHANNEL_NAME_NOTE, "secret"));
    }

    @Test
    void garbageAndOversizeAgentEventsAreAcknowledgedAndIgnored() {
        start("socket");
        ObjectNode noUser = JSON.createObjectNode().put("type", "app_context_changed");
        noUser.putObject("context").putArray("entities").addObject().put("type", "slack#/types/channel_id")
                .put("value", "C1");
        agent.rawEvent(noUser);
        ObjectNode huge = JSON.createObjectNode().put("type", "app_context_changed").put("user", "U1");
        var entities = huge.putObject("context").putArray("entities");
        for (int i = 0; i < 500; i++) {
            entities.addObject().put("type", "slack#/types/channel_id").put("value", "C" + "X".repeat(5_000));
        }
        agent.rawEvent(huge);
        ObjectNode wrongTypes = JSON.createObjectNode().put("type", "assistant_thread_started");
        wrongTypes.putObject("assistant_thread").put("user_id", 42).putArray("channel_id").add("DU1");
        agent.rawEvent(wrongTypes);
        ObjectNode homeTab = JSON.createObjectNode().put("type", "app_home_opened").put("user", "U1")
                .put("channel", "DU1").put("tab", "home");
        agent.rawEvent(homeTab);
        ObjectNode badDm = JSON.createObjectNode().put("type", "app_home_opened").put("user", "U1")
                .put("channel", "C1\u0000<!channel>").put("tab", "messages");
        agent.rawEvent(badDm);
        awaitSettled();

        assertThat(slack.deliveries()).allMatch(FakeSlack.Delivery::acked);
        assertThat(agent.suggestedPrompts()).isEmpty();
        assertThat(slack.count("conversations.members")).isZero();
        // The service still answers.
        String ts = slack.dm("U1", "still there?");
        awaitReplies("DU1", ts, ANSWER);
    }
}

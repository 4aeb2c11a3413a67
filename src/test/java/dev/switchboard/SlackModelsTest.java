package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Feedback;
import dev.switchboard.conversation.Verdict;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.ModelAnswers;
import dev.switchboard.testing.FakeSlack;
import dev.switchboard.testing.FakeSlack.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /model} and {@code /compare} on Slack, end to end on the fakes. */
class SlackModelsTest {

    @TempDir
    Path data;

    private final FakeSlack slack = FakeSlack.start();
    private final FakeProvider provider = FakeProvider.start();
    private Service service;

    @BeforeEach
    void world() {
        slack.user("U1", "Ada").user("U2", "Bo").channel("C1", "general");
        provider.otherwise(ModelAnswers::answer);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        slack.close();
        provider.close();
    }

    private Service start(String userModels) throws Exception {
        return start(userModels, "");
    }

    private Service start(String userModels, String slackExtra) throws Exception {
        Path file = data.resolve("switchboard.yaml");
        Files.writeString(file, yaml(userModels).replace("slack:\n", "slack:\n" + slackExtra.indent(2)));
        ConfigLoader loader = new ConfigLoader();
        service = new Service(loader.load(file, true, Map.of()), Clock.systemUTC(),
                () -> loader.load(file, true, Map.of())).start();
        await().until(() -> slack.socketConnections() == 1 && service.slack().connected());
        return service;
    }

    private String yaml(String userModels) {
        return """
                slack:
                  bot_token: %s
                  app_token: %s
                  api_url: %s
                operators: {slack_users: [U1]}
                """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN, slack.apiUrl())
                + ModelAnswers.sections(provider, userModels, data);
    }

    private String privately(String command, String user, String text) {
        int before = slack.ephemerals().size();
        slack.slashCommand(command, "C1", user, text);
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.ephemerals().size() > before);
        return slack.ephemerals().get(before).text();
    }

    /** Mentions the bot and returns the model the provider was asked with. */
    private String askedModel(String user) {
        int before = provider.requests();
        String ts = slack.post("C1", user, "<@" + FakeSlack.BOT_USER + "> which model?");
        await().atMost(Duration.ofSeconds(10)).until(() -> provider.requests() > before
                && slack.thread("C1", ts).stream().anyMatch(m -> FakeSlack.BOT_USER.equals(m.user())
                && m.text().startsWith("Answer of")));
        return provider.received().getLast().body().get("model").asText();
    }

    @Test
    void aUsersChoiceAnswersThemFirst_othersKeepTheRoute_andAnOperatorsPinWins() throws Exception {
        start("[main/m, main/m-large, main/m-small]");

        assertThat(privately("/model", "U1", "")).contains("● answers you first in this channel")
                .contains("○ `main/m-large`").contains("You have not chosen one");
        assertThat(privately("/model", "U1", "main/m-large"))
                .isEqualTo("main/m-large answers you first in this channel now; the route's other models stay"
                        + " behind it.");
        assertThat(askedModel("U1")).isEqualTo("m-large");
        assertThat(askedModel("U2")).isEqualTo("m");

        assertThat(privately("/switchboard", "U1", "model main/m-small")).contains("main/m-small answers first here");
        assertThat(askedModel("U1")).isEqualTo("m-small");
        assertThat(privately("/model", "U1", "")).contains("● `main/m-large` (your choice in this channel)")
                .contains("An operator pinned main/m-small in this channel");
    }

    @Test
    void aDefaultHoldsEverywhere_andAReloadThatNoLongerAllowsItIsIgnoredWithANote() throws Exception {
        start("[main/m, main/m-large]");
        assertThat(privately("/model", "U1", "main/m-large default")).startsWith("main/m-large answers you first"
                + " wherever you ask now (your default");
        assertThat(askedModel("U1")).isEqualTo("m-large");

        assertThat(privately("/model", "U1", "main/m")).startsWith("main/m answers you first in this channel");
        assertThat(askedModel("U1")).isEqualTo("m"); // the choice in the channel wins over the default
        assertThat(privately("/model", "U1", "reset")).startsWith("Your choices are cleared");
        assertThat(privately("/model", "U1", "main/m-large default")).contains("your default");

        Files.writeString(data.resolve("switchboard.yaml"), yaml("[main/m, main/m-small]"));
        assertThat(privately("/switchboard", "U1", "reload")).contains("reloaded");
        assertThat(askedModel("U1")).isEqualTo("m");
        assertThat(privately("/model", "U1", "")).contains("Your default main/m-large is no longer offered (the"
                + " config changed), so it is ignored.").contains("○ `main/m-small`");
        assertThat(privately("/model", "U1", "main/m-large")).startsWith("\"main/m-large\" is not a model you can"
                + " choose. Choose one of: main/m, main/m-small.");
    }

    @Test
    void compareAnswersWithThreeModelsInTheQuestionsThread_oneFailing_withinTheBudgets() throws Exception {
        start("[main/m, main/m-large]");
        slack.slashCommand("/compare", "C1", "U1", "what is a monad?");

        await().atMost(Duration.ofSeconds(10)).until(() -> slack.messages("C1").stream().anyMatch(m -> m.text()
                .equals("<@U1> asked (comparing `main/m`, `main/broken`, `main/m-small`): what is a monad?")));
        Message question = slack.messages("C1").stream().filter(m -> m.text().startsWith("<@U1> asked"))
                .findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(replies(question.ts()))
                .hasSize(3).allMatch(t -> t.contains("\n_main/")));
        List<String> texts = replies(question.ts());
        assertThat(texts.get(0)).matches("Answer of m\\.\n_main/m · first token \\d+\\.\\d\\d s · \\d+\\.\\d\\d s"
                + " · \\d+ in / \\d+ out tokens_");
        assertThat(texts.get(1)).isEqualTo("The AI providers aren't answering right now. Please try again in a few"
                + " minutes.\n_main/broken failed: server error_");
        assertThat(texts.get(2)).startsWith("Answer of m-small.\n_main/m-small · first token");
        assertThat(provider.requests()).isEqualTo(3);
        assertThat(slack.rateLimited("chat.postMessage") + slack.rateLimited("chat.update")).isZero();
        await().until(() -> service.conversations().inProgress() == 0);

        // Each answer that finished carries its own 👍 / 👎, the failed one none; a press names the model it rates.
        List<Message> answers = slack.thread("C1", question.ts()).stream()
                .filter(m -> FakeSlack.BOT_USER.equals(m.user()) && !m.ts().equals(question.ts())).toList();
        await().untilAsserted(() -> assertThat(List.of(answers.get(0), answers.get(2)))
                .allMatch(m -> slack.blocks("C1", m.ts()).toString().contains("feedback_buttons")));
        assertThat(slack.blocks("C1", answers.get(1).ts()).toString()).doesNotContain("feedback_buttons");
        slack.pressFeedback("C1", answers.get(2).ts(), "U2", true);
        ConversationKey key = new ConversationKey("slack", FakeSlack.TEAM, "C1", question.ts());
        await().untilAsserted(() -> assertThat(service.store().feedback(key))
                .extracting(Feedback::userId, Feedback::verdict, Feedback::model)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("U2", Verdict.GOOD, "m-small")));
    }

    @Test
    void compareWithNativeStreamingStreamsEachAnswerInAStreamOfItsOwn() throws Exception {
        start("[main/m, main/m-small]", "native_streaming: true");
        slack.slashCommand("/ask", "C1", "U2", "models:main/m-small,main/m what is a monad?");

        await().atMost(Duration.ofSeconds(10)).until(() -> slack.messages("C1").stream().anyMatch(m -> m.text()
                .equals("<@U2> asked (comparing `main/m-small`, `main/m`): what is a monad?")));
        Message question = slack.messages("C1").stream().filter(m -> m.text().startsWith("<@U2> asked"))
                .findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(slack.thread("C1", question.ts()))
                .filteredOn(m -> FakeSlack.BOT_USER.equals(m.user()) && !m.ts().equals(question.ts()))
                .hasSize(2).noneMatch(Message::streaming).allMatch(m -> m.text().contains("\n_main/")));
        assertThat(replies(question.ts())).satisfiesExactly(
                t -> assertThat(t).startsWith("Answer of m-small.\n_main/m-small · first token"),
                t -> assertThat(t).startsWith("Answer of m.\n_main/m · first token"));
        assertThat(slack.count("chat.startStream")).isEqualTo(2);
    }

    @Test
    void compareWithJunkModelNamesSaysWhichAreAllowed_andAsksNothing() throws Exception {
        start("[main/m, main/m-large]");

        assertThat(privately("/compare", "U1", "models:main/m,evil/<!channel> hi"))
                .isEqualTo("That is not a model I can ask. You can compare: main/m, main/m-large.");
        assertThat(privately("/ask", "U1", "models:main/m,main/nope hi"))
                .isEqualTo("\"main/nope\" is not a model I can ask. You can compare: main/m, main/m-large.");
        assertThat(privately("/model", "U1", "x".repeat(5_000)))
                .isEqualTo("That is not a model you can choose. Choose one of: main/m, main/m-large.");
        assertThat(provider.requests()).isZero();
        assertThat(slack.botMessages()).isEmpty();
    }

    private List<String> replies(String thread) {
        return slack.thread("C1", thread).stream().filter(m -> FakeSlack.BOT_USER.equals(m.user())
                && !m.ts().equals(thread)).map(Message::text).toList();
    }
}

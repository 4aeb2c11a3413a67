package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.testing.FakeDiscord;
import dev.switchboard.testing.FakeDiscord.Message;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.ModelAnswers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /model} and {@code /compare} on Discord, end to end on the fakes. */
class DiscordModelsTest {

    private static final String ADA = "300000000000000001";
    private static final String BO = "300000000000000002";
    private static final String GENERAL = "400000000000000001";

    @TempDir
    Path data;

    private final FakeDiscord discord = FakeDiscord.start();
    private final FakeProvider provider = FakeProvider.start();
    private Service service;

    @BeforeEach
    void world() {
        discord.user(ADA, "ada").user(BO, "bo").textChannel(GENERAL, "general");
        provider.otherwise(ModelAnswers::answer);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        discord.close();
        provider.close();
    }

    private void start() {
        String yaml = """
                discord:
                  token: %s
                  rest_url: %s
                  gateway_url: %s
                operators: {discord_users: [%s]}
                """.formatted(FakeDiscord.TOKEN, discord.restUrl(), discord.gatewayUrl(), ADA)
                + ModelAnswers.sections(provider, "[main/m, main/m-large, main/m-small]", data);
        service = new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC()).start();
        await().until(() -> service.discord().connected());
        await().until(() -> discord.registeredCommands().size() == 4);
    }

    /** Runs a slash command and returns its private answer. */
    private String answer(String command, String user, Map<String, String> options) {
        String id = discord.slash(command, GENERAL, user, options);
        await().atMost(Duration.ofSeconds(10)).until(() -> discord.interaction(id).original() != null);
        return discord.interaction(id).original();
    }

    /** Mentions the bot and returns the model the provider was asked with. */
    private String askedModel(String user) {
        int before = provider.requests();
        String id = discord.post(GENERAL, user, "<@" + FakeDiscord.BOT_ID + "> which model?");
        await().atMost(Duration.ofSeconds(15)).until(() -> provider.requests() > before && discord.messages(id)
                .stream().anyMatch(m -> FakeDiscord.BOT_ID.equals(m.author()) && m.content().startsWith("Answer")));
        return provider.received().getLast().body().get("model").asText();
    }

    @Test
    void modelIsRegisteredWithCompletion_aChoiceAnswersFirst_andAnOperatorsPinWins() {
        start();
        assertThat(discord.registeredCommands()).anySatisfy(c -> {
            assertThat(c.get("name").asText()).isEqualTo("model");
            assertThat(c.get("options").get(0).get("autocomplete").asBoolean()).isTrue();
            assertThat(c.get("options").get(1).get("choices").toString()).contains("\"value\":\"default\"");
        });

        String typed = discord.autocomplete("model", GENERAL, ADA, Map.of("model", "LARGE"), "model");
        await().atMost(Duration.ofSeconds(10)).until(() -> !discord.choices(typed).isEmpty());
        assertThat(discord.choices(typed)).containsExactly("main/m-large");
        assertThat(discord.interaction(typed).callbackType()).isEqualTo(8);

        assertThat(answer("model", ADA, Map.of())).contains("You have not chosen one");
        assertThat(answer("model", ADA, Map.of("model", "main/m-large")))
                .startsWith("main/m-large answers you first in this channel now");
        assertThat(askedModel(ADA)).isEqualTo("m-large");
        assertThat(askedModel(BO)).isEqualTo("m");
        assertThat(answer("model", BO, Map.of("model", "main/m-small", "scope", "default")))
                .contains("your default");
        assertThat(askedModel(BO)).isEqualTo("m-small");

        assertThat(answer("switchboard", ADA, Map.of("command", "model main/m"))).contains("main/m answers first");
        assertThat(askedModel(ADA)).isEqualTo("m");
        assertThat(answer("model", ADA, Map.of("model", "reset"))).startsWith("Your choices are cleared");
    }

    @Test
    void compareAnswersWithThreeModels_eachInItsOwnMessage_oneFailing_withinTheBudgets() {
        start();
        String id = discord.slash("compare", GENERAL, ADA, Map.of("question", "what is a monad?"));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(answers()).hasSize(3)
                .allMatch(t -> t.contains("\n_main/")));
        assertThat(discord.interaction(id).original())
                .isEqualTo("**ada** asked (comparing `main/m`, `main/broken`, `main/m-small`): what is a monad?");
        List<String> texts = answers();
        assertThat(texts.get(0)).matches("Answer of m\\.\n_main/m · first token \\d+\\.\\d\\d s · \\d+\\.\\d\\d s"
                + " · \\d+ in / \\d+ out tokens_");
        assertThat(texts.get(1)).isEqualTo("The AI providers aren't answering right now. Please try again in a few"
                + " minutes.\n_main/broken failed: server error_");
        assertThat(texts.get(2)).startsWith("Answer of m-small.\n_main/m-small · first token");
        assertThat(provider.requests()).isEqualTo(3);
        assertThat(discord.rateLimited()).isZero();
    }

    @Test
    void askWithModelsCompares_andJunkNamesGetTheAllowedOnes() {
        start();
        assertThat(answer("ask", ADA, Map.of("question", "hi", "models", "main/m, evil/@everyone")))
                .isEqualTo("That is not a model I can ask. You can compare: main/m, main/m-large, main/m-small.");
        assertThat(answer("compare", ADA, Map.of("question", "hi", "models", "main/m")))
                .startsWith("A comparison takes two or three different models, not 1.");
        assertThat(answer("model", ADA, Map.of("model", "@everyone ".repeat(100))))
                .startsWith("That is not a model you can choose.");
        assertThat(provider.requests()).isZero();

        discord.slash("ask", GENERAL, BO, Map.of("question", "hi", "models", "main/m,main/m-small"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(answers()).hasSize(2)
                .allMatch(t -> t.contains("\n_main/")));
        assertThat(answers()).satisfiesExactly(t -> assertThat(t).startsWith("Answer of m.\n_main/m · "),
                t -> assertThat(t).startsWith("Answer of m-small.\n_main/m-small · "));
    }

    /** The bot's answers in the channel: its messages replying to a command's response. */
    private List<String> answers() {
        return discord.messages(GENERAL).stream().filter(m -> FakeDiscord.BOT_ID.equals(m.author())
                && m.replyTo() != null).map(Message::content).toList();
    }
}

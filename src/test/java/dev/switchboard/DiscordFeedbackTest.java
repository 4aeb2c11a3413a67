package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.answering.Verdicts;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Feedback;
import dev.switchboard.conversation.Verdict;
import dev.switchboard.testing.FakeDiscord;
import dev.switchboard.testing.FakeDiscord.Message;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 👍 / 👎 on Discord end to end: two buttons on a finished answer's last message, clicked as component interactions
 * through JDA, answered ephemerally, stored with the answer's turn and counted; forged clicks refused.
 */
class DiscordFeedbackTest {

    private static final String ANSWER = "Four, as it happens. Two and two make four.";
    private static final String BOT = FakeDiscord.BOT_ID;
    private static final String ADA = "300000000000000001";
    private static final String BO = "300000000000000002";
    private static final String GENERAL = "400000000000000001";
    private static final String RANDOM = "400000000000000002";

    @TempDir
    Path data;

    private final FakeDiscord discord = FakeDiscord.start();
    private final FakeProvider provider = FakeProvider.start();
    private final List<Service> services = new ArrayList<>();

    @BeforeEach
    void world() {
        discord.user(ADA, "ada").user(BO, "bo").textChannel(GENERAL, "general").textChannel(RANDOM, "random");
        provider.otherwise(r -> Script.answer(ANSWER).paced(Duration.ofMillis(20), Duration.ofMillis(10)));
    }

    @AfterEach
    void stop() {
        services.forEach(Service::close);
        discord.close();
        provider.close();
    }

    private Service start() {
        String yaml = """
                discord:
                  token: %s
                  rest_url: %s
                  gateway_url: %s
                providers:
                  main: {type: openai, api_key: test-key-000000, base_url: %s, models: [m]}
                storage: {path: %s, fsync: false}
                ops: {port: 0}
                """.formatted(FakeDiscord.TOKEN, discord.restUrl(), discord.gatewayUrl(),
                provider.baseUrl(Api.OPENAI), data.toString().replace("\\", "/"));
        Service service = new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC())
                .start();
        services.add(service);
        await().until(() -> service.discord().connected());
        return service;
    }

    /** A mention answered in its thread, with buttons; returns the answer's message. */
    private Message answered() {
        String id = discord.post(GENERAL, ADA, "<@" + BOT + "> what is 2+2?");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            List<Message> bot = discord.messages(id).stream().filter(m -> BOT.equals(m.author())).toList();
            assertThat(bot).extracting(Message::content).containsExactly(ANSWER);
            assertThat(discord.components().customIds(bot.getFirst().id())).hasSize(2);
        });
        return discord.messages(id).stream().filter(m -> BOT.equals(m.author())).findFirst().orElseThrow();
    }

    private String reply(String interaction) {
        await().untilAsserted(() -> assertThat(discord.interaction(interaction).original()).isNotNull());
        return discord.interaction(interaction).original();
    }

    @Test
    void clicksAreStoredWithTheAnswer_oncePerPerson_answeredEphemerally_andCounted() {
        Service service = start();
        Message answer = answered();
        List<String> ids = discord.components().customIds(answer.id());
        assertThat(ids).allMatch(id -> id.length() <= 100);
        assertThat(discord.components().of(answer.id()).get(0).path("components").get(0).path("emoji")
                .path("name").asText()).isEqualTo("👍");

        assertThat(reply(discord.click(answer.channel(), answer.id(), ADA, ids.get(0)))).isEqualTo(Verdicts.THANKS);
        assertThat(reply(discord.click(answer.channel(), answer.id(), ADA, ids.get(1)))).isEqualTo(Verdicts.THANKS);
        assertThat(reply(discord.click(answer.channel(), answer.id(), BO, ids.get(0)))).isEqualTo(Verdicts.THANKS);

        ConversationKey key = new ConversationKey("discord", FakeDiscord.GUILD, GENERAL, answer.channel());
        assertThat(service.store().feedback(key)).extracting(Feedback::userId, Feedback::verdict, Feedback::model)
                .containsExactlyInAnyOrder(Tuple.tuple(ADA, Verdict.BAD, "m"), Tuple.tuple(BO, Verdict.GOOD, "m"));
        assertThat(service.meters().scrape())
                .contains("switchboard_feedback_total{model=\"m\",provider=\"main\",verdict=\"good\"} 2.0")
                .contains("switchboard_feedback_total{model=\"m\",provider=\"main\",verdict=\"bad\"} 1.0");
        // The buttons did not change what the answer says.
        assertThat(discord.messages(answer.channel()).stream().filter(m -> m.id().equals(answer.id())).findFirst()
                .orElseThrow().content()).isEqualTo(ANSWER);
    }

    @Test
    void forgedClicksAreRefusedAndStoreNothing() {
        Service service = start();
        Message answer = answered();
        String thread = answer.channel();
        String good = discord.components().customIds(answer.id()).getFirst();
        String question = thread; // the thread starts on the question, whose id the thread shares

        // Junk custom ids, a verdict the buttons never carry, the question named as the answer.
        assertThat(reply(discord.click(thread, answer.id(), ADA, "fb:zz"))).isEqualTo(Verdicts.NOT_AN_ANSWER);
        assertThat(reply(discord.click(thread, answer.id(), ADA, good.replace("fb:g:", "fb:x:"))))
                .isEqualTo(Verdicts.NOT_AN_ANSWER);
        assertThat(reply(discord.click(thread, answer.id(), ADA, good.replace(answer.id(), question))))
                .isEqualTo(Verdicts.NOT_AN_ANSWER);
        // The answer's button, clicked on a message in another channel.
        String elsewhere = discord.post(RANDOM, BO, "hello");
        assertThat(reply(discord.click(RANDOM, elsewhere, BO, good))).contains("doesn't belong to this channel");

        ConversationKey key = new ConversationKey("discord", FakeDiscord.GUILD, GENERAL, thread);
        assertThat(service.store().feedback(key)).isEmpty();
        assertThat(service.meters().find("switchboard.feedback").counters()).isEmpty();
    }

    @Test
    void anAskAnswerInTheInteractionsResponseTakesClicksToo() {
        Service service = start();
        String ask = discord.slash("ask", GENERAL, ADA, Map.of("question", "what is 2+2?"));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(discord.botMessages())
                .anyMatch(m -> m.content().equals(ANSWER) && discord.components().customIds(m.id()).size() == 2));
        Message answer = discord.botMessages().stream().filter(m -> m.content().equals(ANSWER)).findFirst()
                .orElseThrow();

        String click = discord.click(GENERAL, answer.id(), BO, discord.components().customIds(answer.id()).get(0));

        assertThat(reply(click)).isEqualTo(Verdicts.THANKS);
        ConversationKey key = new ConversationKey("discord", FakeDiscord.GUILD, GENERAL, ask);
        assertThat(service.store().feedback(key)).extracting(Feedback::userId).containsExactly(BO);
    }
}

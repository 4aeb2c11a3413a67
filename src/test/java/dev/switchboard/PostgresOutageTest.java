package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import dev.switchboard.testing.FakeDiscord;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database going away under a running service on {@code storage.backend: postgres}, through the whole service
 * and the fake platforms: nothing acknowledged is lost or doubled, replies streaming meanwhile are stored once it is
 * back, readiness says so while it is down, and the service recovers without a restart.
 */
class PostgresOutageTest {

    private static final String ANSWER = ("The answer, streamed in many small pieces so that it is still being"
            + " written while the database goes away and comes back again.").repeat(2);
    private static final String REFUSED = "I couldn't take that message just now (storage failed). Please send it"
            + " again.";
    private static final String ADA = "300000000000000001";
    private static final List<String> CHANNELS = List.of("400000000000000001", "400000000000000002",
            "400000000000000003", "400000000000000004");

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    @TempDir
    Path data;

    private final FakeProvider provider = FakeProvider.start();
    private final HttpClient http = HttpClient.newHttpClient();
    private FakeDiscord discord;
    private FakeSlack slack;
    private Service service;

    @AfterEach
    void stop() throws SQLException {
        allowConnections(true);
        if (service != null) {
            service.close();
        }
        if (discord != null) {
            discord.close();
        }
        if (slack != null) {
            slack.close();
        }
        provider.close();
    }

    private Service start(String platform) {
        String yaml = platform + "\n" + """
                providers:
                  main: {type: openai, api_key: test-key-000000, base_url: %s, models: [m]}
                storage:
                  path: %s
                  backend: postgres
                  postgres: {url: "%s", user: postgres, pool_size: 4, statement_timeout: 2s}
                ops: {port: 0}
                """.formatted(provider.baseUrl(Api.OPENAI), data.resolve("data").toString().replace("\\", "/"),
                db.url());
        service = new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC()).start();
        return service;
    }

    /** A message the fake platform delivered, and where. */
    private record Sent(String id, ConversationKey key, String channel) { }

    @Test
    void discord_connectionsKilledAndRefusedUnderLoad_nothingAcknowledgedLostOrDoubled_andItRecoversByItself()
            throws Exception {
        provider.otherwise(r -> Script.answer(ANSWER).paced(Duration.ofMillis(20), Duration.ofMillis(60)));
        discord = FakeDiscord.start().user(ADA, "ada");
        CHANNELS.forEach(c -> discord.textChannel(c, "c" + c.substring(c.length() - 1)));
        start("""
                discord:
                  token: %s
                  rest_url: %s
                  gateway_url: %s
                  message_content: true
                """.formatted(FakeDiscord.TOKEN, discord.restUrl(), discord.gatewayUrl()));
        await().until(() -> service.discord().connected());
        List<Sent> sent = new ArrayList<>();

        // Load: twelve threads over four channels, and a follow-up queued behind the reply streaming in half of them.
        List<Sent> threads = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            threads.add(mention(CHANNELS.get(i % CHANNELS.size()), "question " + i));
        }
        sent.addAll(threads);
        await().atMost(Duration.ofSeconds(15)).until(() -> provider.requests() >= 12);
        for (int i = 0; i < 6; i++) {
            sent.add(followUp(threads.get(i), "and then " + i));
        }
        assertThat(get("/readyz").statusCode()).isEqualTo(200);

        // The database goes away: every session ended, new ones refused.
        allowConnections(false);
        assertThat(db.terminateConnections()).isPositive();
        int streamingAtOutage = service.conversations().inProgress();
        sent.add(mention(CHANNELS.getFirst(), "during the outage"));
        sent.add(followUp(threads.get(7), "also during the outage"));
        await().atMost(Duration.ofSeconds(15)).until(() -> get("/readyz").statusCode() == 503);
        await().atMost(Duration.ofSeconds(15)).until(() -> discord.botMessages().stream()
                .anyMatch(m -> m.content().equals(REFUSED)));
        // Away for longer than a store call waits for a connection: the replies shown meanwhile are tried again.
        await().atMost(Duration.ofSeconds(15)).until(() -> service.meters().counter("switchboard.chat.store_retries")
                .count() > 0);

        allowConnections(true);
        await().atMost(Duration.ofSeconds(15)).until(() -> get("/readyz").statusCode() == 200);
        Sent after = mention(CHANNELS.getLast(), "after the outage");
        sent.add(after);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> service.conversations().inProgress() == 0
                    && sent.stream().allMatch(s -> outcome(s).isPresent()));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not every message has its outcome: " + sent.stream()
                    .map(s -> s.id() + "=" + outcome(s).orElse("none")).toList(), e);
        }

        Map<String, String> outcomes = new LinkedHashMap<>();
        sent.forEach(s -> outcomes.put(s.id(), outcome(s).orElseThrow()));
        assertThat(outcomes).as("every message answered and stored, or visibly refused")
                .allSatisfy((id, outcome) -> assertThat(outcome).isIn("answered", "refused"));
        assertThat(outcomes.get(after.id())).isEqualTo("answered");
        assertThat(streamingAtOutage).as("replies were streaming when the database went away").isPositive();
        assertThat(outcomes.values()).as("the outage refused a message").contains("refused");
        for (Sent s : threads) {
            assertStoredAsShown(s);
        }
        assertThat(service.meters().counter("switchboard.chat.store_gave_up").count()).isZero();
        System.out.printf("outage: %d messages, %d answered, %d refused, %d replies in progress at the cut%n",
                sent.size(), outcomes.values().stream().filter("answered"::equals).count(),
                outcomes.values().stream().filter("refused"::equals).count(), streamingAtOutage);
    }

    @Test
    void slack_anEventTheStoreCannotTakeIsNotAcknowledged_andItsRedeliveryIsAnsweredOnce() throws Exception {
        provider.otherwise(r -> Script.answer("Four.").paced(Duration.ofMillis(10), Duration.ofMillis(10)));
        slack = FakeSlack.start().user("U1", "Ada").channel("C1", "general").retries(0)
                .ackTimeout(Duration.ofSeconds(10));
        start("""
                slack:
                  bot_token: %s
                  app_token: %s
                  signing_secret: %s
                  api_url: %s
                  mode: http
                """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN, FakeSlack.SIGNING_SECRET, slack.apiUrl()));
        await().until(() -> service.slack().connected());
        slack.deliverOverHttp(service.ops().url() + "/slack/events");

        String ts;
        // The store cannot take anything: the table of seen messages is locked past the statement timeout.
        try (Connection admin = db.connect(); Statement lock = admin.createStatement()) {
            admin.setAutoCommit(false);
            lock.execute("LOCK TABLE seen_message IN ACCESS EXCLUSIVE MODE");
            ts = slack.post("C1", "U1", "<@" + FakeSlack.BOT_USER + "> what is 2+2?");
            await().atMost(Duration.ofSeconds(15)).until(() -> slack.settled() && slack.deliveries().size() == 2);
            admin.rollback();
        }
        assertThat(slack.deliveries()).as("neither event (message, app_mention) acknowledged")
                .allSatisfy(d -> assertThat(d.acked()).isFalse()).extracting(FakeSlack.Delivery::status)
                .containsOnly(503);

        // Slack's retries, once the store takes them again.
        for (String event : slack.eventIds()) {
            slack.redeliver(event, 1, "http_error");
        }
        ConversationKey key = new ConversationKey("slack", FakeSlack.TEAM, "C1", ts);
        await().atMost(Duration.ofSeconds(15)).until(() -> slack.settled()
                && service.conversations().inProgress() == 0 && storedTurns(key).size() == 2);
        assertThat(slack.deliveries().subList(2, 4)).allMatch(FakeSlack.Delivery::acked);
        assertThat(storedTurns(key)).extracting(Turn::text).containsExactly("what is 2+2?", "Four.");
        assertThat(slack.thread("C1", ts).stream().filter(m -> FakeSlack.BOT_USER.equals(m.user())))
                .extracting(FakeSlack.Message::text).containsExactly("Four.");
    }

    private Sent mention(String channel, String text) {
        String id = discord.post(channel, ADA, "<@" + FakeDiscord.BOT_ID + "> " + text);
        return new Sent(id, new ConversationKey("discord", FakeDiscord.GUILD, channel, id), channel);
    }

    private Sent followUp(Sent thread, String text) {
        await().atMost(Duration.ofSeconds(10)).until(() -> discord.threads().stream()
                .anyMatch(t -> t.id().equals(thread.id())));
        return new Sent(discord.post(thread.id(), ADA, text), thread.key(), thread.id());
    }

    /**
     * "answered" when exactly one stored answer names the message and nothing refused it, "refused" when the bot
     * refused it in reply and nothing answers it; empty while neither, or "doubled" / "both" when it went wrong.
     */
    private Optional<String> outcome(Sent s) {
        // In reply to it where it was written, or in the thread opened for a mention (a reply across channels is
        // posted without its reference).
        boolean refused = discord.botMessages().stream().anyMatch(m -> REFUSED.equals(m.content())
                && (s.id().equals(m.replyTo()) || m.channel().equals(s.id()) && m.replyTo() == null));
        long answers = storedTurns(s.key()).stream().filter(t -> t.role() == Role.ASSISTANT
                && t.assistant().replyTo().equals(s.id())).count();
        if (answers > 1) {
            return Optional.of("doubled");
        }
        if (refused) {
            return Optional.of(answers == 0 ? "refused" : "both");
        }
        return answers == 1 ? Optional.of("answered") : Optional.empty();
    }

    /** The thread's answers as stored are what its bot messages show, one message each, nothing more. */
    private void assertStoredAsShown(Sent thread) {
        List<Turn> answers = storedTurns(thread.key()).stream().filter(t -> t.role() == Role.ASSISTANT).toList();
        List<FakeDiscord.Message> shown = discord.messages(thread.id()).stream()
                .filter(m -> FakeDiscord.BOT_ID.equals(m.author()) && !REFUSED.equals(m.content())).toList();
        assertThat(shown).extracting(FakeDiscord.Message::content).as("shown in %s", thread.id())
                .containsExactlyElementsOf(answers.stream().map(Turn::text).toList());
        assertThat(shown).extracting(FakeDiscord.Message::id)
                .containsExactlyElementsOf(answers.stream().flatMap(t -> t.messageIds().stream()).toList());
    }

    private List<Turn> storedTurns(ConversationKey key) {
        try {
            return service.store().loadComplete(key).map(c -> c.turns()).orElse(List.of());
        } catch (RuntimeException e) {
            return List.of(); // the database is away: nothing is known yet
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(service.ops().url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** As an administrator would, from another database (a database cannot refuse its own sessions). */
    private void allowConnections(boolean allow) throws SQLException {
        try (Connection admin = DriverManager.getConnection(db.url().replace(db.name(), "postgres"), "postgres", "");
             Statement s = admin.createStatement()) {
            s.execute("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS " + allow);
        }
    }
}

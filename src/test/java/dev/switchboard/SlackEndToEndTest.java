package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.answering.Verdicts;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.testing.FakeSlackInteractions;
import dev.switchboard.conversation.Verdict;
import dev.switchboard.conversation.Feedback;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import dev.switchboard.testing.FakeSlack.Message;
import java.net.http.HttpResponse;
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
 * The whole service (config, store, router, live replies, the Slack adapter on real Bolt) against a fake Slack that
 * speaks the Web API and Socket Mode on 127.0.0.1 and a fake provider.
 */
class SlackEndToEndTest {

    private static final String ANSWER = "Four, as it happens. Two and two make four.";

    @TempDir
    Path data;

    private final FakeSlack slack = FakeSlack.start();
    private final FakeProvider provider = FakeProvider.start();
    private final List<Service> services = new ArrayList<>();
    /** The ops section of the services started next. */
    private String ops = "{port: 0}";

    @BeforeEach
    void world() {
        slack.user("U1", "Ada").user("U2", "Bo").channel("C1", "general").channelWithoutBot("C9", "secret");
        // Generous platform limits unless a test tightens them; the adapter's budgets below stay inside them.
        slack.limit("chat.postMessage", 100, Duration.ofSeconds(1), FakeSlack.Scope.CHANNEL)
                .limit("chat.update", 100, Duration.ofSeconds(1), FakeSlack.Scope.WORKSPACE);
        provider.otherwise(r -> Script.answer(ANSWER).paced(Duration.ofMillis(30), Duration.ofMillis(15)));
    }

    @AfterEach
    void stop() {
        services.forEach(Service::close);
        slack.close();
        provider.close();
    }

    private Service start(String extraSlack) {
        return start(extraSlack, "");
    }

    private Service startWith(String topLevel) {
        return start("", topLevel);
    }

    private Service start(String extraSlack, String topLevel) {
        return start(extraSlack, topLevel, Clock.systemUTC());
    }

    private Service start(String extraSlack, String topLevel, Clock clock) {
        String yaml = topLevel + "\n" + """
                slack:
                  bot_token: %s
                  app_token: %s
                  signing_secret: %s
                  api_url: %s
                  post_budget: {messages: 20, per: 1s}
                %s
                providers:
                  main: {type: openai, api_key: test-key-000000, base_url: %s, models: [m]}
                storage: {path: %s, fsync: false}
                ops: %s
                """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN, FakeSlack.SIGNING_SECRET, slack.apiUrl(),
                (extraSlack.contains("update_budget") ? extraSlack : extraSlack
                        + "\nupdate_budget: {messages: 20, per: 1s}").indent(2), provider.baseUrl(Api.OPENAI),
                data.toString().replace("\\", "/"), ops);
        Service service = new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), clock)
                .start();
        services.add(service);
        if (!extraSlack.contains("mode: http")) {
            await().until(() -> slack.socketConnections() == 1);
        }
        await().until(() -> service.slack().connected());
        return service;
    }

    private static String mention(String text) {
        return "<@" + FakeSlack.BOT_USER + "> " + text;
    }

    private List<Message> botReplies(String channel, String thread) {
        return slack.thread(channel, thread).stream().filter(m -> FakeSlack.BOT_USER.equals(m.user())
                && !m.ts().equals(thread)).toList();
    }

    /** Waits for the thread's bot replies to settle on exactly {@code texts}. */
    /**
     * Waits until Slack has had an answer to everything it sent and no reply is queued or running: after that, nothing
     * more happens for those events. Used instead of waiting out a window to prove that something did not happen.
     */
    private void awaitSettled() {
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.settled()
                && services.stream().allMatch(s -> s.conversations().inProgress() == 0));
    }

    private void awaitReplies(String channel, String thread, String... texts) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(botReplies(channel, thread))
                .extracting(Message::text).containsExactly(texts));
    }

    @Test
    void aMentionIsAnsweredInAThreadWithAStreamedReply() {
        Service service = start("");
        String ts = slack.post("C1", "U1", mention("what is 2+2?"));

        awaitReplies("C1", ts, ANSWER);
        Message reply = botReplies("C1", ts).getFirst();
        assertThat(reply.threadTs()).isEqualTo(ts);
        assertThat(reply.edits()).as("placeholder, then streamed edits").isGreaterThanOrEqualTo(2);
        // The status is cleared once the answer is stored, a moment after its final text shows.
        await().untilAsserted(() -> assertThat(slack.statuses("C1", ts)).startsWith("is thinking…").endsWith(""));

        ConversationKey key = new ConversationKey("slack", FakeSlack.TEAM, "C1", ts);
        await().until(() -> service.store().load(key).map(c -> c.turns().size()).orElse(0) == 2);
        List<Turn> turns = service.store().load(key).orElseThrow().turns();
        assertThat(turns.get(0).text()).isEqualTo("what is 2+2?");
        assertThat(turns.get(0).authorName()).isEqualTo("Ada");
        assertThat(turns.get(1).role()).isEqualTo(Role.ASSISTANT);
        assertThat(turns.get(1).text()).isEqualTo(ANSWER);
        assertThat(provider.received().getFirst().body().toString()).doesNotContain(FakeSlack.BOT_USER);
    }

    @Test
    void aFollowUpInTheThreadIsAnsweredWithoutAMentionAndWithContext() {
        start("");
        String ts = slack.post("C1", "U1", mention("what is 2+2?"));
        awaitReplies("C1", ts, ANSWER);

        slack.reply("C1", ts, "U1", "and times three?");
        awaitReplies("C1", ts, ANSWER, ANSWER);
        assertThat(provider.received().get(1).body().get("messages").toString()).contains("what is 2+2?")
                .contains(ANSWER).contains("and times three?");

        // A thread the bot is not part of, and plain channel chatter, get nothing.
        String other = slack.post("C1", "U2", "lunch?");
        slack.reply("C1", other, "U1", "sure");
        awaitSettled();
        assertThat(provider.requests()).isEqualTo(2);
        assertThat(botReplies("C1", other)).isEmpty();
    }

    @Test
    void aDirectMessageIsAnsweredInTheConversation() {
        start("");
        String ts = slack.dm("U1", "hello there");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(slack.messages("DU1"))
                .filteredOn(m -> FakeSlack.BOT_USER.equals(m.user())).extracting(Message::text)
                .containsExactly(ANSWER));
        assertThat(slack.messages("DU1")).filteredOn(m -> FakeSlack.BOT_USER.equals(m.user()))
                .allMatch(m -> m.threadTs() == null);
        assertThat(ts).isNotBlank();
    }

    @Test
    void askPostsTheQuestionAndStreamsTheAnswerInItsThread() {
        start("");
        slack.slashCommand("/ask", "C1", "U1", "what is 2+2?");

        await().atMost(Duration.ofSeconds(10)).until(() -> slack.messages("C1").stream()
                .anyMatch(m -> m.text().equals("<@U1> asked: what is 2+2?")));
        Message question = slack.messages("C1").stream().filter(m -> m.text().startsWith("<@U1> asked"))
                .findFirst().orElseThrow();
        assertThat(question.threadTs()).isNull();
        awaitReplies("C1", question.ts(), ANSWER);
        assertThat(slack.deliveries()).allMatch(FakeSlack.Delivery::acked);
    }

    @Test
    void askWhereTheBotCannotPostExplainsPrivately() {
        start("");
        slack.slashCommand("/ask", "C9", "U1", "anyone here?");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(slack.ephemerals())
                .extracting(FakeSlack.Ephemeral::text).anyMatch(t -> t.contains("/invite")));
        assertThat(provider.requests()).isZero();
    }

    @Test
    void theSameEventDeliveredThreeTimesGetsOneReply() {
        start("");
        String ts = slack.post("C1", "U1", mention("what is 2+2?"));
        String eventId = slack.lastEventId();
        slack.redeliver(eventId, 1, "timeout");
        slack.redeliver(eventId, 2, "timeout");

        awaitReplies("C1", ts, ANSWER);
        awaitSettled();
        assertThat(botReplies("C1", ts)).hasSize(1);
        assertThat(provider.requests()).isEqualTo(1);
    }

    @Test
    void aRetryAfterARestartGetsNoSecondReply() {
        Service first = start("");
        String ts = slack.post("C1", "U1", mention("what is 2+2?"));
        awaitReplies("C1", ts, ANSWER);
        String eventId = slack.lastEventId();
        first.close();
        services.remove(first);

        start("");
        slack.redeliver(eventId, 3, "timeout");
        awaitSettled();
        assertThat(botReplies("C1", ts)).hasSize(1);
        assertThat(provider.requests()).isEqualTo(1);
    }

    @Test
    void httpModeChecksSignaturesAndAnswersUrlVerification() {
        Service service = start("mode: http");
        String url = service.ops().url() + "/slack/events";
        // The exact five-minute boundary is covered on a fixed clock in SlackSignatureTest; here, clearly outside.
        long now = System.currentTimeMillis() / 1000;
        String challenge = "{\"token\":\"t\",\"challenge\":\"c-123\",\"type\":\"url_verification\"}";

        HttpResponse<String> valid = slack.postSigned(url, challenge, "application/json", now,
                FakeSlack.SIGNING_SECRET);
        assertThat(valid.statusCode()).isEqualTo(200);
        assertThat(valid.body()).contains("c-123");
        assertThat(slack.postSigned(url, challenge, "application/json", now, "wrong-secret").statusCode())
                .isEqualTo(401);
        assertThat(slack.postSigned(url, challenge, "application/json", now - 330, FakeSlack.SIGNING_SECRET)
                .statusCode()).isEqualTo(401);
        assertThat(slack.postSigned(url, challenge, "application/json", now + 330, FakeSlack.SIGNING_SECRET)
                .statusCode()).isEqualTo(401);

        slack.deliverOverHttp(url);
        String ts = slack.post("C1", "U1", mention("what is 2+2?"));
        awaitReplies("C1", ts, ANSWER);
        slack.slashCommand("/ask", "C1", "U2", "and you?");
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.messages("C1").stream()
                .anyMatch(m -> m.text().equals("<@U2> asked: and you?")));
        assertThat(slack.deliveries()).allMatch(FakeSlack.Delivery::acked);
    }

    @Test
    void httpModeVerifiesSignaturesOnceOnTheServicesClock_andTheSigningSecretNeverReachesALog() {
        // The service's clock runs an hour behind the wall clock. A request signed on it is fresh to our check and an
        // hour old to Bolt's, which reads the wall clock: answered only when ours is the one verification.
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level level = root.getLevel();
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        root.addAppender(logs);
        root.setLevel(ch.qos.logback.classic.Level.DEBUG);
        try {
            Service service = start("mode: http", "", behind);
            String url = service.ops().url() + "/slack/events";
            long now = behind.instant().getEpochSecond();
            String challenge = "{\"token\":\"t\",\"challenge\":\"c-456\",\"type\":\"url_verification\"}";

            HttpResponse<String> valid = slack.postSigned(url, challenge, "application/json", now,
                    FakeSlack.SIGNING_SECRET);
            assertThat(valid.statusCode()).as(valid.body()).isEqualTo(200);
            assertThat(valid.body()).contains("c-456");
            HttpResponse<String> forged = slack.postSigned(url, challenge, "application/json", now, "wrong-secret");
            assertThat(forged.statusCode()).isEqualTo(401);
            assertThat(forged.body()).contains("does not match").doesNotContain(FakeSlack.SIGNING_SECRET);
            assertThat(slack.postSigned(url, challenge, "application/json", now + 330, FakeSlack.SIGNING_SECRET)
                    .statusCode()).as("the future bound Bolt does not have").isEqualTo(401);
        } finally {
            root.setLevel(level);
            root.detachAppender(logs);
        }
        assertThat(logs.list).as("the refusals were logged").anySatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("refused an events request"));
        assertThat(logs.list).allSatisfy(e -> {
            assertThat(e.getFormattedMessage()).doesNotContain(FakeSlack.SIGNING_SECRET);
            for (var thrown = e.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
                assertThat(String.valueOf(thrown.getMessage())).doesNotContain(FakeSlack.SIGNING_SECRET);
            }
        });
    }

    @Test
    void aStormOf429sOnUpdatesStillEndsWithTheExactFinalText() {
        // The platform allows far fewer edits than the adapter is configured to spend: most edits meet a 429.
        slack.limit("chat.update", 2, Duration.ofSeconds(1), FakeSlack.Scope.WORKSPACE);
        String longAnswer = "word ".repeat(120).strip() + ".";
        provider.otherwise(r -> Script.answer(longAnswer).paced(Duration.ofMillis(10), Duration.ofMillis(5)));
        start("update_budget: {messages: 50, per: 1s}");
        String a = slack.post("C1", "U1", mention("first"));
        String b = slack.post("C1", "U2", mention("second"));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(botReplies("C1", a)).extracting(Message::text).containsExactly(longAnswer);
            assertThat(botReplies("C1", b)).extracting(Message::text).containsExactly(longAnswer);
        });
        assertThat(slack.rateLimited("chat.update")).isPositive();
    }

    @Test
    void aSocketDropMidConversationReconnectsAndLosesNoEvent() {
        provider.otherwise(r -> Script.answer(ANSWER).paced(Duration.ofMillis(30), Duration.ofMillis(60)));
        start("");
        String ts = slack.post("C1", "U1", mention("what is 2+2?"));
        await().until(() -> provider.activeStreams() == 1);

        slack.dropSockets();
        String followUp = slack.reply("C1", ts, "U1", mention("and times three?"));
        await().atMost(Duration.ofSeconds(20)).until(() -> slack.socketConnectsTotal() >= 2);

        awaitReplies("C1", ts, ANSWER, ANSWER);
        assertThat(followUp).isNotBlank();
        assertThat(provider.requests()).isEqualTo(2);
    }

    @Test
    void deletingTheQuestionStopsTheReply() {
        provider.otherwise(r -> Script.answer("a b c d e f g h i j k l m n o p q r s t").paced(Duration.ofMillis(20),
                Duration.ofMillis(150)));
        start("");
        String ts = slack.post("C1", "U1", mention("count slowly"));
        await().until(() -> botReplies("C1", ts).stream().anyMatch(m -> m.text().startsWith("a")));

        slack.delete("C1", ts);
        await().atMost(Duration.ofSeconds(10)).until(() -> botReplies("C1", ts).stream()
                .anyMatch(m -> m.text().endsWith("_(stopped)_")));
        await().until(() -> provider.activeStreams() == 0);
    }

    @Test
    void botsEditsAndJoinsAreIgnored() {
        start("");
        String ts = slack.post("C1", "U1", "no mention here");
        slack.edit("C1", ts, mention("edited to mention the bot"));
        slack.join("C1", "U2");
        awaitSettled();
        assertThat(provider.requests()).isZero();
        assertThat(slack.botMessages()).isEmpty();
        assertThat(slack.deliveries()).allMatch(FakeSlack.Delivery::acked);
    }

    @Test
    void aUserOverTheRateLimitIsToldPrivately() {
        start("user_rate_limit: {messages: 1, per: 1m}");
        String ts = slack.post("C1", "U1", mention("first"));
        awaitReplies("C1", ts, ANSWER);
        String second = slack.post("C1", "U1", mention("second"));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(slack.ephemerals())
                .extracting(FakeSlack.Ephemeral::text).anyMatch(t -> t.contains("faster than I can answer")));
        assertThat(botReplies("C1", second)).isEmpty();
    }

    @Test
    void aThreadTheBotJoinsLateIsRebuiltFromSlackOnce() {
        start("");
        String root = slack.post("C1", "U2", "We deploy on Fridays.");
        slack.reply("C1", root, "U2", "The last deploy failed.");
        slack.reply("C1", root, "U1", mention("why might it have failed?"));

        awaitReplies("C1", root, ANSWER);
        assertThat(provider.received().getFirst().body().get("messages").toString())
                .contains("We deploy on Fridays.").contains("The last deploy failed.");
        slack.reply("C1", root, "U1", "thanks");
        awaitReplies("C1", root, ANSWER, ANSWER);
        assertThat(slack.count("conversations.replies")).isEqualTo(1);
    }

    @Test
    void nativeStreamingStartsAppendsAndStopsOneMessage() {
        start("native_streaming: true");
        String ts = slack.post("C1", "U1", mention("what is 2+2?"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(botReplies("C1", ts)).extracting(Message::text).containsExactly(ANSWER);
            assertThat(botReplies("C1", ts)).noneMatch(Message::streaming);
        });
        assertThat(slack.count("chat.startStream")).isEqualTo(1);
        assertThat(slack.count("chat.appendStream")).isPositive();
        assertThat(slack.count("chat.stopStream")).isEqualTo(1);
        assertThat(slack.count("chat.update")).isZero();
    }

    @Test
    void aLongAnswerContinuesInNewThreadRepliesWithEveryWordShown() {
        String paragraph = "This sentence is part of a long answer that goes on. ".repeat(20).strip();
        String longAnswer = String.join("\n\n", paragraph, paragraph, paragraph, paragraph, paragraph);
        provider.otherwise(r -> Script.answer(longAnswer).paced(Duration.ofMillis(5), Duration.ofMillis(1)));
        start("");
        String ts = slack.post("C1", "U1", mention("tell me everything"));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<Message> replies = botReplies("C1", ts);
            assertThat(replies).hasSizeGreaterThan(1).allMatch(m -> m.text().length() <= 3_500);
            assertThat(String.join("\n\n", replies.stream().map(Message::text).toList())).isEqualTo(longAnswer);
        });
    }

    @Test
    void allowAndDenyListsDecideWhoIsAnswered() {
        start("access: {deny_users: [U2], allow_channels: [C1]}");
        slack.channel("C2", "random");
        String denied = slack.post("C1", "U2", mention("hello?"));
        String elsewhere = slack.post("C2", "U1", mention("hello?"));
        String allowed = slack.post("C1", "U1", mention("hello?"));

        awaitReplies("C1", allowed, ANSWER);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(slack.ephemerals())
                .filteredOn(e -> e.text().contains("not set up to answer")).extracting(FakeSlack.Ephemeral::user)
                .containsExactlyInAnyOrder("U2", "U1"));
        assertThat(botReplies("C1", denied)).isEmpty();
        assertThat(botReplies("C2", elsewhere)).isEmpty();
        assertThat(provider.requests()).isEqualTo(1);
    }

    @Test
    void whenNoProviderAnswersTheThreadSaysSoAndTheStatusIsCleared() {
        provider.otherwise(r -> Script.fault(new FakeProvider.Fault.HttpError(500, "server_error", null)));
        Service service = start("");
        String ts = slack.post("C1", "U1", mention("anyone?"));

        await().atMost(Duration.ofSeconds(15)).until(() -> botReplies("C1", ts).stream()
                .anyMatch(m -> !m.text().contains("thinking")));
        assertThat(botReplies("C1", ts)).hasSize(1);
        assertThat(botReplies("C1", ts).getFirst().text()).doesNotContain("500").isNotBlank();
        await().untilAsserted(() -> assertThat(slack.statuses("C1", ts)).last().isEqualTo(""));
        assertThat(service.readiness().components()).containsEntry("slack", "connected");
    }

    @Test
    void aMessageStoredButUnansweredWhenTheServiceStoppedIsAnsweredAtStart() {
        Service first = start("");
        String ts = slack.post("C1", "U1", "a question the bot never got to answer");
        ConversationKey key = new ConversationKey("slack", FakeSlack.TEAM, "C1", ts);
        first.store().append(key, Turn.user("U1", "Ada", "what is 2+2?", java.time.Instant.now(), List.of(ts)));
        first.close();
        services.remove(first);

        start("");
        awaitReplies("C1", ts, ANSWER);
        assertThat(provider.requests()).isEqualTo(1);
    }

    @Test
    void switchboardCommandsAreForOperatorsAnsweredPrivatelyAndAudited() throws Exception {
        String yaml = "operators: {slack_users: [U1]}";
        Service service = startWith(yaml);
        slack.slashCommand("/switchboard", "C1", "U1", "provider main off");
        slack.slashCommand("/switchboard", "C1", "U2", "provider main on");

        await().atMost(Duration.ofSeconds(5)).until(() -> slack.deliveries().stream()
                .filter(d -> d.responseBody() != null).count() >= 2);
        assertThat(slack.deliveries()).extracting(FakeSlack.Delivery::responseBody).filteredOn(b -> b != null)
                .anyMatch(b -> b.contains("provider main is out of rotation."))
                .anyMatch(b -> b.contains("Only operators may run admin commands"));
        assertThat(service.router().providers()).singleElement()
                .satisfies(p -> assertThat(p.unavailable()).isEqualTo("turned off by an operator"));
        List<String> audit = java.nio.file.Files.readAllLines(data.resolve(".audit").resolve("audit.jsonl"));
        assertThat(audit).hasSize(2);
        assertThat(audit).anyMatch(l -> l.contains("\"user\":\"U1\"") && l.contains("out of rotation"))
                .anyMatch(l -> l.contains("\"user\":\"U2\"") && l.contains("refused"));
        assertThat(slack.botMessages()).isEmpty();
    }

    @Test
    void adminCommandsNameAnotherChannelOrAThreadByItsLink() throws Exception {
        Service service = startWith("operators: {slack_users: [U1]}");
        String ts = slack.post("C1", "U1", mention("what is 2+2?"));
        awaitReplies("C1", ts, ANSWER);
        ConversationKey key = new ConversationKey("slack", FakeSlack.TEAM, "C1", ts);
        await().until(() -> service.store().load(key).map(c -> c.turns().size()).orElse(0) == 2);

        // Given in C9, about C1: the channel as Slack escapes it; the thread as a pasted message link.
        slack.slashCommand("/switchboard", "C9", "U1", "prompt <#C1|general> Answer like a pirate.");
        String link = "<https://acme.slack.com/archives/C1/p" + ts.replace(".", "") + ">";
        slack.slashCommand("/switchboard", "C9", "U1", "forget " + link);
        slack.slashCommand("/switchboard", "C9", "U1", "forget 1700000000.000100");

        await().atMost(Duration.ofSeconds(5)).until(() -> slack.deliveries().stream()
                .filter(d -> d.responseBody() != null && d.responseBody().contains("thread")).count() >= 2);
        assertThat(slack.deliveries()).extracting(FakeSlack.Delivery::responseBody).filteredOn(b -> b != null)
                .anyMatch(b -> b.contains("the system prompt in C1 is set."))
                .anyMatch(b -> b.contains("the history of thread " + ts + " is deleted."))
                .anyMatch(b -> b.contains("nothing was stored for thread 1700000000.000100."));
        assertThat(service.router().promptChoices()).containsEntry("slack/" + FakeSlack.TEAM + "/C1",
                "Answer like a pirate.");
        assertThat(service.store().load(key)).isEmpty();

        // The prompt applies to the next question in C1.
        String next = slack.post("C1", "U2", mention("ahoy?"));
        awaitReplies("C1", next, ANSWER);
        assertThat(provider.received().getLast().body().toString()).contains("Answer like a pirate.");
    }

    @Test
    void exportSendsTheThreadAsAJsonFileToTheOperatorsDirectMessages() throws Exception {
        Service service = startWith("operators: {slack_users: [U1]}");
        String ts = slack.post("C1", "U2", mention("what is 2+2?"));
        awaitReplies("C1", ts, ANSWER);
        ConversationKey key = new ConversationKey("slack", FakeSlack.TEAM, "C1", ts);
        await().until(() -> service.store().load(key).map(c -> c.turns().size()).orElse(0) == 2);

        slack.slashCommand("/switchboard", "C1", "U1", "export " + ts);

        await().atMost(Duration.ofSeconds(10)).until(() -> !slack.files().isEmpty());
        FakeSlack.File file = slack.files().getFirst();
        assertThat(file.channel()).startsWith("D").as("the operator's DM with the bot, not the channel");
        assertThat(file.name()).isEqualTo("slack-C1-" + ts + ".json");
        assertThat(file.comment()).isEqualTo("thread " + ts + ": 2 turns, " + file.content().length + " bytes.");
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(file.content());
        assertThat(json.get("version").asInt()).isEqualTo(1);
        assertThat(json.get("conversation").get("channel").asText()).isEqualTo("C1");
        assertThat(json.get("turns")).hasSize(2);
        assertThat(json.get("turns").get(0).get("author_id").asText()).isEqualTo("U2");
        assertThat(json.get("turns").get(0).get("text").asText()).isEqualTo("what is 2+2?");
        assertThat(json.get("turns").get(1).get("text").asText()).isEqualTo(ANSWER);
        assertThat(slack.deliveries()).extracting(FakeSlack.Delivery::responseBody).filteredOn(b -> b != null)
                .anyMatch(b -> b.contains("Preparing the export; it comes to you in a direct message from me."));
        assertThat(slack.files()).hasSize(1);
    }

    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"socket", "http"})
    void anEarlierMessageArrivingAfterTheMentionThatJoinedItsThreadIsNotAnsweredAsAFollowUp(String mode) {
        Service service = start(mode.equals("http") ? "mode: http" : "");
        if (mode.equals("http")) {
            slack.deliverOverHttp(service.ops().url() + "/slack/events");
        }
        String root = slack.post("C1", "U2", "We deploy on Fridays.");
        awaitSettled();
        // The earlier reply reaches the service only after the mention below was taken and answered.
        slack.holdNextEvents(1);
        slack.reply("C1", root, "U2", "The last deploy failed.");
        slack.reply("C1", root, "U1", mention("why might it have failed?"));
        awaitReplies("C1", root, ANSWER);
        awaitSettled();

        slack.releaseHeld();
        awaitSettled();
        assertThat(botReplies("C1", root)).hasSize(1);
        assertThat(provider.requests()).isEqualTo(1);
        assertThat(provider.received().getFirst().body().get("messages").toString())
                .as("read from Slack with the thread").contains("The last deploy failed.");
    }

    @Test
    void twoHundredEventsOverFiftyThreadsAreAcknowledgedInTimeAndAnsweredInOrderPerThread() {
        provider.otherwise(r -> Script.answer("ok").paced(Duration.ofMillis(5), Duration.ofMillis(5)));
        slack.botEchoes(false); // only the 200 events of the users
        for (int c = 0; c < 5; c++) {
            slack.channel("C" + (10 + c), "room-" + c);
        }
        slack.limit("chat.postMessage", 1000, Duration.ofSeconds(1), FakeSlack.Scope.CHANNEL)
                .limit("chat.update", 1000, Duration.ofSeconds(1), FakeSlack.Scope.WORKSPACE)
                .limit("assistant.threads.setStatus", 10_000, Duration.ofSeconds(60), FakeSlack.Scope.WORKSPACE)
                .limit("users.info", 10_000, Duration.ofSeconds(60), FakeSlack.Scope.WORKSPACE);
        start("update_budget: {messages: 1000, per: 1s}\n"
                + "user_rate_limit: {messages: 100, per: 1m}");
        // Warm: the first event through Bolt, the store and the provider client pays for loading their classes.
        awaitReplies("C1", slack.post("C1", "U1", mention("warm up")), "ok");
        awaitSettled();
        int before = slack.deliveries().size();
        int answeredBefore = provider.requests();
        Map<String, List<String>> questions = new java.util.LinkedHashMap<>();
        // Per thread: a top-level mention (message + app_mention), then two replies: 4 events, 200 in all.
        for (int t = 0; t < 50; t++) {
            String channel = "C" + (10 + t % 5);
            String user = "U" + (100 + t);
            slack.user(user, "User " + t);
            String first = "t" + t + " q1";
            String root = slack.post(channel, user, mention(first));
            slack.reply(channel, root, user, "t" + t + " q2");
            slack.reply(channel, root, user, "t" + t + " q3");
            questions.put(channel + "/" + root, List.of(first, "t" + t + " q2", "t" + t + " q3"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> provider.requests() >= answeredBefore + 150
                && slack.settled() && services.getFirst().conversations().inProgress() == 0);

        List<FakeSlack.Delivery> deliveries = slack.deliveries().subList(before, slack.deliveries().size());
        assertThat(deliveries).hasSize(200).allMatch(FakeSlack.Delivery::acked).allMatch(d -> d.attempt() == 0);
        // Per envelope, from FakeSlack's send to the ack's arrival: the span Slack's three seconds apply to.
        List<Long> millis = deliveries.stream().map(d -> d.took().toMillis()).sorted().toList();
        System.out.printf("slack intake, 200 events over 50 threads: ack p50 %d ms, p99 %d ms, max %d ms%n",
                millis.get(100), millis.get(197), millis.getLast());
        assertThat(millis.getLast()).isLessThan(3000);
        assertThat(provider.requests()).isEqualTo(answeredBefore + 150);
        // Each answer's context holds exactly the thread's questions up to the one it answers, in order.
        for (FakeProvider.Received r : provider.received().subList(answeredBefore, answeredBefore + 150)) {
            List<String> asked = new ArrayList<>();
            r.body().get("messages").forEach(m -> {
                if (m.get("role").asText().equals("user")) {
                    asked.add(m.get("content").asText().replaceAll("^.*?(t\\d+ q\\d)$", "$1"));
                }
            });
            List<String> thread = questions.values().stream().filter(q -> q.getFirst().equals(asked.getFirst()))
                    .findFirst().orElseThrow();
            assertThat(asked).as("the context of one answer").isEqualTo(thread.subList(0, asked.size()));
        }
        questions.keySet().forEach(k -> assertThat(botReplies(k.split("/")[0], k.split("/")[1])).hasSize(3));
    }

    @Test
    void anAskTakenButNotPostedWhenTheServiceStoppedIsPostedAndAnsweredOnceAtStart() {
        Service first = start("");
        slack.stallNext("chat.postMessage");
        slack.slashCommand("/ask", "C1", "U1", "what is 2+2?");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.deliveries().stream()
                .anyMatch(FakeSlack.Delivery::acked));
        first.close(); // between the acknowledgement and the post
        services.remove(first);
        assertThat(slack.messages("C1")).isEmpty();

        start("");
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.messages("C1").stream()
                .anyMatch(m -> m.text().equals("<@U1> asked: what is 2+2?")));
        Message question = slack.messages("C1").stream().filter(m -> m.text().startsWith("<@U1> asked"))
                .findFirst().orElseThrow();
        awaitReplies("C1", question.ts(), ANSWER);
        awaitSettled();
        assertThat(slack.messages("C1")).filteredOn(m -> m.text().startsWith("<@U1> asked")).hasSize(1);
        assertThat(provider.requests()).isEqualTo(1);
    }

    @Test
    void anAskPostedButNotNotedAsPostedWhenTheServiceStoppedIsAnsweredAtStartWithoutASecondPost() {
        Service first = start("");
        slack.stallAfterNext("chat.postMessage"); // Slack takes the question; the service never hears its ts
        slack.slashCommand("/ask", "C1", "U1", "what is 2+2?");
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.messages("C1").stream()
                .anyMatch(m -> m.text().equals("<@U1> asked: what is 2+2?")));
        first.close();
        services.remove(first);

        start("");
        Message question = slack.messages("C1").stream().filter(m -> m.text().startsWith("<@U1> asked"))
                .findFirst().orElseThrow();
        awaitReplies("C1", question.ts(), ANSWER);
        awaitSettled();
        assertThat(slack.messages("C1")).filteredOn(m -> m.text().startsWith("<@U1> asked")).hasSize(1);
        assertThat(provider.requests()).isEqualTo(1);
        assertThat(slack.count("conversations.history")).as("found in the channel, once").isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dm", "thread", "thread, delivered again"})
    void aReplysPlaceholderPostedButNotNotedWhenTheServiceStoppedIsContinuedAtStartNotLeftBehind(String where) {
        ops = "{port: 0, drain_timeout: 0s}"; // stopped at once, as by a SIGKILL: no retry of the post shows it
        Service first = start("");
        slack.stallAfterNext("chat.postMessage"); // Slack shows the placeholder; the service never hears its ts
        boolean dm = where.equals("dm");
        String ts = dm ? slack.dm("U1", "what is 2+2?") : slack.post("C1", "U1", mention("what is 2+2?"));
        java.util.function.Supplier<List<Message>> shown = () -> dm ? slack.messages("DU1").stream()
                .filter(m -> FakeSlack.BOT_USER.equals(m.user())).toList() : botReplies("C1", ts);
        await().atMost(Duration.ofSeconds(5)).until(() -> !shown.get().isEmpty());
        String eventId = slack.lastEventId();
        first.close(); // after Slack took the placeholder, before its ts was noted
        services.remove(first);

        start("");
        if (where.endsWith("again")) {
            // Slack's retry of an event it holds unacknowledged: it reaches the new process as the message itself,
            // beside (or before) the start's own look for unanswered messages.
            slack.redeliver(eventId, 1, "timeout");
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(shown.get())
                .extracting(Message::text).containsExactly(ANSWER));
        awaitSettled();
        assertThat(shown.get()).extracting(Message::text).as("one message, the placeholder continued")
                .containsExactly(ANSWER);
        assertThat(slack.count(dm ? "conversations.history" : "conversations.replies")).as("looked for once")
                .isEqualTo(1);
    }

    @Test
    void theChannelNameShowsInTheStatusAndIsKeptWithTheConversationForExportsAfterARestart() throws Exception {
        provider.otherwise(r -> Script.answer(ANSWER).paced(Duration.ofSeconds(2), Duration.ofMillis(20)));
        Service service = startWith("operators: {slack_users: [U1]}");
        String ts = slack.post("C1", "U2", mention("what is 2+2?"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !service.status().active().isEmpty());
        assertThat(service.status().active()).singleElement()
                .satisfies(a -> assertThat(a.channelName()).isEqualTo("general"));
        slack.slashCommand("/switchboard", "C1", "U1", "status");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(slack.deliveries())
                .extracting(FakeSlack.Delivery::responseBody).filteredOn(b -> b != null && b.contains("in progress"))
                .singleElement().asString().contains("/C1/" + ts + " #general"));
        awaitReplies("C1", ts, ANSWER);
        ConversationKey key = new ConversationKey("slack", FakeSlack.TEAM, "C1", ts);
        await().until(() -> "general".equals(service.store().load(key)
                .map(c -> c.metadata().get("channel_name")).orElse(null)));
        service.close();
        services.remove(service);
        int asked = slack.count("conversations.info");

        startWith("operators: {slack_users: [U1]}");
        slack.slashCommand("/switchboard", "C1", "U1", "export " + ts);
        await().atMost(Duration.ofSeconds(10)).until(() -> !slack.files().isEmpty());
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(slack.files().getFirst().content());
        assertThat(json.get("metadata").get("channel_name").asText()).isEqualTo("general");
        assertThat(json.get("conversation").get("channel").asText()).isEqualTo("C1");
        assertThat(slack.count("conversations.info")).as("the export reads the name from the store").isEqualTo(asked);
    }

    @Test
    void theChannelNameComesFromConversationsInfoOnceAndFillsThePrompt() {
        start("");
        String a = slack.post("C1", "U1", mention("what is 2+2?"));
        awaitReplies("C1", a, ANSWER);
        String b = slack.post("C1", "U2", mention("and 3+3?"));
        awaitReplies("C1", b, ANSWER);

        assertThat(slack.count("conversations.info")).isEqualTo(1);
        assertThat(provider.received()).hasSize(2).allSatisfy(r -> assertThat(r.body().get("messages").get(0)
                .toString()).contains("in general").doesNotContain("this conversation"));
    }

    // ---------------------------------------------------------------- feedback (👍 / 👎), issue 22

    /** Asks in C1 and waits for the answer to carry the feedback buttons; returns the answer's message. */
    private Message answeredWithButtons(String question) {
        String ts = slack.post("C1", "U1", mention(question));
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
    void aFeedbackPressIsStoredWithTheAnswer_replacedByTheSamePerson_countedOncePerPerson(String mode) {
        Service service = start(switch (mode) {
            case "http" -> "mode: http";
            case "socket-streaming" -> "native_streaming: true";
            default -> "";
        });
        if (mode.equals("http")) {
            slack.deliverOverHttp(service.ops().url() + "/slack/events");
        }
        Message answer = answeredWithButtons("what is 2+2?");
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
    void forgedFeedbackPressesAreRefusedAndStoreNothing() {
        slack.user("U3", "Cy").channel("C2", "random");
        Service service = start("");
        Message answer = answeredWithButtons("what is 2+2?");
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

    @Test
    void withFeedbackTurnedOffAnswersCarryNoButtonsAndPressesAreRefused() {
        Service service = startWith("feedback: {enabled: false}");
        String ts = slack.post("C1", "U1", mention("what is 2+2?"));
        awaitReplies("C1", ts, ANSWER);
        awaitSettled();
        ConversationKey key = new ConversationKey("slack", FakeSlack.TEAM, "C1", ts);
        await().until(() -> service.store().load(key).map(c -> c.turns().size()).orElse(0) == 2);
        Message answer = botReplies("C1", ts).getFirst();
        assertThat(slack.blocks("C1", answer.ts())).isEmpty();

        slack.blockAction(slack.feedbackPress("C1", answer.ts(), "U2", true));

        await().untilAsserted(() -> assertThat(ephemeralsTo("U2")).containsExactly(Verdicts.TURNED_OFF));
        assertThat(service.store().feedback(key)).isEmpty();
    }

    @Test
    void anUnsignedFeedbackPressInHttpModeIsRefusedAndStoresNothing() {
        Service service = start("mode: http");
        slack.deliverOverHttp(service.ops().url() + "/slack/events");
        Message answer = answeredWithButtons("what is 2+2?");
        String form = "payload=" + java.net.URLEncoder.encode(FakeSlackInteractions.blockActions(
                slack.feedbackPress("C1", answer.ts(), "U2", true)).toString(), java.nio.charset.StandardCharsets.UTF_8);

        HttpResponse<String> forged = slack.postSigned(service.ops().url() + "/slack/events", form,
                "application/x-www-form-urlencoded", System.currentTimeMillis() / 1000, "not-the-signing-secret");

        assertThat(forged.statusCode()).isEqualTo(401);
        awaitSettled();
        assertThat(service.store().feedback(key(answer))).isEmpty();
        assertThat(ephemeralsTo("U2")).isEmpty();
    }

    // ---------------------------------------------------------------- tools over MCP, issue 21

    private Service startWithTools(dev.switchboard.testing.FakeMcpServer mcp, String extraSlack) {
        Service service = start(extraSlack, mcp.routeWithTools("main/m"));
        await().atMost(Duration.ofSeconds(20)).until(() -> mcp.listed() > 0);
        return service;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "native_streaming: true"})
    void aToolCallShowsItsStatusThenTheAnswer_andNothingItReturnsPingsAnyone(String extraSlack) {
        try (var mcp = dev.switchboard.testing.FakeMcpServer.http(null)) {
            startWithTools(mcp, extraSlack);
            provider.enqueue(Script.callTools("", new dev.switchboard.testing.FakeToolCalls.Call("call_1",
                    "fake__mention", "{}")), Script.answer("It said: Ping <!channel> and @everyone")
                    .paced(Duration.ofMillis(1500), Duration.ZERO)); // the status line shows meanwhile

            String ts = slack.post("C1", "U1", mention("use the tool"));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(botReplies("C1", ts))
                    .extracting(Message::text).anyMatch(t -> t.contains("It said")));
            String answer = botReplies("C1", ts).getLast().text();
            assertThat(answer).doesNotContain("<!channel>").doesNotContain("fake/mention");
            assertThat(slack.calls()).filteredOn(c -> c.method().startsWith("chat."))
                    .anyMatch(c -> c.params().values().stream().anyMatch(v -> v.contains("fake/mention")));
        }
    }

    @Test
    void withNativeStreamingEachToolCallIsATaskCardAndTheMessageIsOnlyTheAnswer() {
        try (var mcp = dev.switchboard.testing.FakeMcpServer.http(null)) {
            startWithTools(mcp, "native_streaming: true");
            provider.enqueue(Script.callTools("",
                    new dev.switchboard.testing.FakeToolCalls.Call("call_1", "fake__echo", "{\"text\":\"<!here>\"}"),
                    new dev.switchboard.testing.FakeToolCalls.Call("call_2", "fake__fail", "{}")),
                    Script.answer("Echoed once; the other tool failed.").paced(Duration.ofMillis(300), Duration.ZERO));

            String ts = slack.post("C1", "U1", mention("use two tools"));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(botReplies("C1", ts)).extracting(Message::text)
                        .containsExactly("Echoed once; the other tool failed.");
                assertThat(botReplies("C1", ts)).noneMatch(Message::streaming);
            });
            Message reply = botReplies("C1", ts).getFirst();
            var tasks = slack.streamTasks("C1", reply.ts());
            assertThat(tasks).extracting(t -> t.id() + " " + t.status())
                    .containsExactlyInAnyOrder("call_1 complete", "call_2 error");
            assertThat(tasks).filteredOn(t -> t.id().equals("call_1")).singleElement().satisfies(t -> {
                assertThat(t.title()).contains("fake/echo").doesNotContain("<!here>");
                assertThat(t.output()).startsWith("done in ");
            });
            assertThat(tasks).filteredOn(t -> t.id().equals("call_2")).singleElement()
                    .satisfies(t -> assertThat(t.output()).startsWith("failed after "));
            assertThat(slack.streamTaskMode("C1", reply.ts())).isEqualTo("timeline");
            assertThat(slack.count("chat.startStream")).isEqualTo(1);
            assertThat(slack.count("chat.update")).isZero();
            assertThat(slack.calls()).noneMatch(c -> c.status() == 429);
        }
    }

    @Test
    void aConfirmedToolRunsOnlyOnceTheAskerApproves_othersAreRefusedPrivately() {
        try (var mcp = dev.switchboard.testing.FakeMcpServer.http(null)) {
            startWithTools(mcp, "");
            provider.enqueue(Script.callTools("", new dev.switchboard.testing.FakeToolCalls.Call("call_1",
                    "fake__add_note", "{\"text\":\"x\"}")), Script.answer("Noted."));

            String ts = slack.post("C1", "U1", mention("note x"));
            await().atMost(Duration.ofSeconds(10)).until(() -> approval(ts) != null);
            Message question = approval(ts);
            assertThat(question.text()).contains("fake/add_note");

            slack.pressButton("C1", question.ts(), "U2", "switchboard_tool_approve");
            await().untilAsserted(() -> assertThat(ephemeralsTo("U2"))
                    .contains("Only the person who asked (or an operator) can approve this tool call."));
            assertThat(mcp.notes()).isZero();

            slack.pressButton("C1", question.ts(), "U1", "switchboard_tool_approve");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(botReplies("C1", ts))
                    .extracting(Message::text).anyMatch(t -> t.contains("Noted.")));
            assertThat(mcp.notes()).isEqualTo(1);
            await().untilAsserted(() -> assertThat(slack.thread("C1", ts)).filteredOn(m -> m.ts()
                    .equals(question.ts())).extracting(Message::text).containsExactly("✅ Approved: fake/add_note"));

            // Stored as a turn of its own, before the answer; a follow-up has it as context.
            Service service = services.getLast();
            await().untilAsserted(() -> assertThat(service.store().load(new ConversationKey("slack", FakeSlack.TEAM,
                    "C1", ts)).orElseThrow().turns()).extracting(t -> t.role().name())
                    .containsExactly("USER", "TOOL", "ASSISTANT"));
            slack.reply("C1", ts, "U1", mention("and what did the tool say?"));
            await().atMost(Duration.ofSeconds(10)).until(() -> provider.received().getLast().body().toString()
                    .contains("earlier tool call fake/add_note"));
            assertThat(provider.received().getLast().body().toString()).contains("noted #1: x");
        }
    }

    @Test
    void aDeniedToolNeverRuns() {
        try (var mcp = dev.switchboard.testing.FakeMcpServer.http(null)) {
            startWithTools(mcp, "");
            provider.enqueue(Script.callTools("", new dev.switchboard.testing.FakeToolCalls.Call("call_1",
                    "fake__add_note", "{\"text\":\"x\"}")), Script.answer("Not noted, you declined."));

            String ts = slack.post("C1", "U1", mention("note x"));
            await().atMost(Duration.ofSeconds(10)).until(() -> approval(ts) != null);
            slack.pressButton("C1", approval(ts).ts(), "U1", "switchboard_tool_deny");

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(botReplies("C1", ts))
                    .extracting(Message::text).anyMatch(t -> t.contains("you declined")));
            assertThat(mcp.notes()).isZero();
            assertThat(dev.switchboard.testing.FakeToolCalls.results(provider.received().getLast()).getFirst().text())
                    .contains("declined");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aConfirmedToolInADirectMessageAsksWithButtonsInTheDm_andRunsOnlyWhenApproved(boolean approve) {
        try (var mcp = dev.switchboard.testing.FakeMcpServer.http(null)) {
            startWithTools(mcp, "");
            provider.enqueue(Script.callTools("", new dev.switchboard.testing.FakeToolCalls.Call("call_1",
                    "fake__add_note", "{\"text\":\"x\"}")),
                    Script.answer(approve ? "Noted." : "Not noted, you declined."));

            slack.dm("U1", "note x");
            await().atMost(Duration.ofSeconds(10)).until(() -> dmApproval() != null);
            Message question = dmApproval();
            assertThat(question.text()).contains("fake/add_note");
            assertThat(question.threadTs()).as("in the DM itself, as its answer").isNull();

            slack.pressButton("DU1", question.ts(), "U1",
                    approve ? "switchboard_tool_approve" : "switchboard_tool_deny");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(slack.messages("DU1"))
                    .filteredOn(m -> FakeSlack.BOT_USER.equals(m.user())).extracting(Message::text)
                    .anyMatch(t -> t.contains(approve ? "Noted." : "you declined"))
                    .contains((approve ? "✅ Approved: " : "🚫 Not approved: ") + "fake/add_note"));
            assertThat(mcp.notes()).isEqualTo(approve ? 1 : 0);
            assertThat(dev.switchboard.testing.FakeToolCalls.results(provider.received().getLast()).getFirst().text())
                    .satisfies(t -> assertThat(t.contains("declined")).isEqualTo(!approve));
        }
    }

    /** The bot's message in U1's DM that carries the Approve button, or null. */
    private Message dmApproval() {
        return slack.messages("DU1").stream().filter(m -> FakeSlack.BOT_USER.equals(m.user()))
                .filter(m -> slack.blocks("DU1", m.ts()).toString().contains("switchboard_tool_approve"))
                .findFirst().orElse(null);
    }

    /** The bot's message in the thread that carries the Approve button, or null. */
    private Message approval(String thread) {
        return botReplies("C1", thread).stream().filter(m -> slack.blocks("C1", m.ts()).toString()
                .contains("switchboard_tool_approve")).findFirst().orElse(null);
    }
}

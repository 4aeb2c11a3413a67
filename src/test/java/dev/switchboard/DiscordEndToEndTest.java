package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.config.ConfigLoader;
import org.assertj.core.groups.Tuple;
import dev.switchboard.conversation.Verdict;
import dev.switchboard.conversation.Feedback;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.answering.Verdicts;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service with the Discord adapter on real JDA against a fake Discord (REST and Gateway on 127.0.0.1)
 * and a fake provider.
 */
class DiscordEndToEndTest {

    private static final String ANSWER = "Four, as it happens. Two and two make four.";
    private static final String BOT = FakeDiscord.BOT_ID;

    @TempDir
    Path data;

    private final FakeDiscord discord = FakeDiscord.start();
    private final FakeProvider provider = FakeProvider.start();
    private final List<Service> services = new ArrayList<>();

    @BeforeEach
    void world() {
        discord.user("300000000000000001", "ada").user("300000000000000002", "bo")
                .textChannel("400000000000000001", "general")
                .forbidden("400000000000000009", "announcements");
        provider.otherwise(r -> Script.answer(ANSWER).paced(Duration.ofMillis(30), Duration.ofMillis(15)));
    }

    @AfterEach
    void stop() {
        services.forEach(Service::close);
        discord.close();
        provider.close();
    }

    private static final String ADA = "300000000000000001";
    private static final String BO = "300000000000000002";
    private static final String GENERAL = "400000000000000001";
    private static final String RANDOM = "400000000000000002";

    /** The ops section of the services started next. */
    private String ops = "{port: 0}";

    private Service start(String extra) {
        return start(extra, "");
    }

    private Service start(String extra, String topLevel) {
        String yaml = topLevel + "\n" + """
                discord:
                  token: %s
                  rest_url: %s
                  gateway_url: %s
                %s
                providers:
                  main: {type: openai, api_key: test-key-000000, base_url: %s, models: [m]}
                storage: {path: %s, fsync: false}
                ops: %s
                """.formatted(FakeDiscord.TOKEN, discord.restUrl(), discord.gatewayUrl(), extra.indent(2),
                provider.baseUrl(Api.OPENAI), data.toString().replace("\\", "/"), ops);
        Service service = new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC())
                .start();
        services.add(service);
        await().until(() -> service.discord().connected());
        return service;
    }

    private static String mention(String text) {
        return "<@" + BOT + "> " + text;
    }

    private List<Message> bot(String channel) {
        return discord.messages(channel).stream().filter(m -> BOT.equals(m.author())).toList();
    }

    private void awaitBot(String channel, String... texts) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(bot(channel))
                .extracting(Message::content).containsExactly(texts));
    }

    @Test
    void aMentionOpensAThreadWhereTheAnswerStreams() {
        start("");
        String id = discord.post(GENERAL, ADA, mention("what is 2+2?"));

        await().atMost(Duration.ofSeconds(10)).until(() -> discord.threads().stream().anyMatch(t -> t.id().equals(id)));
        FakeDiscord.Thread thread = discord.threads().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
        assertThat(thread.name()).isEqualTo("what is 2+2?");
        awaitBot(id, ANSWER);
        Message reply = bot(id).getFirst();
        assertThat(reply.edits()).as("streamed by edits").isPositive();
        assertThat(reply.allowedMentions().get("parse")).isEmpty();
        assertThat(discord.typing(id)).isPositive();
        assertThat(bot(GENERAL)).isEmpty();
    }

    @Test
    void aFollowUpInTheThreadIsAnsweredWithoutAMentionAndWithContext() {
        start("message_content: true");
        String id = discord.post(GENERAL, ADA, mention("what is 2+2?"));
        awaitBot(id, ANSWER);

        discord.post(id, ADA, "and times three?");
        awaitBot(id, ANSWER, ANSWER);
        assertThat(provider.received().get(1).body().get("messages").toString()).contains("what is 2+2?")
                .contains(ANSWER).contains("and times three?");
    }

    @Test
    void withThreadsOffARepliesToTheBotContinueAlongTheChain() {
        start("threads: false");
        String question = discord.post(GENERAL, ADA, mention("what is 2+2?"));
        awaitBot(GENERAL, ANSWER);
        assertThat(bot(GENERAL).getFirst().replyTo()).isEqualTo(question);

        discord.reply(GENERAL, ADA, mention("and times three?"), bot(GENERAL).getFirst().id());
        awaitBot(GENERAL, ANSWER, ANSWER);
        assertThat(provider.received().get(1).body().get("messages").toString()).contains("what is 2+2?")
                .contains("and times three?");
        assertThat(discord.threads()).isEmpty();
    }

    @Test
    void aDirectMessageIsAnswered() {
        start("");
        discord.dm(ADA, "hello there");
        String dm = discord.dmChannel(ADA);
        awaitBot(dm, ANSWER);
    }

    @Test
    void askDefersThenStreamsIntoTheResponse() {
        start("");
        String interaction = discord.slash("ask", GENERAL, ADA, Map.of("question", "what is 2+2?"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            FakeDiscord.Interaction i = discord.interaction(interaction);
            assertThat(i.callbackType()).isEqualTo(5);
            assertThat(i.original()).isEqualTo(ANSWER);
        });
        assertThat(discord.registeredCommands()).anyMatch(c -> c.get("name").asText().equals("ask"));
    }

    @Test
    void anAskWhoseDeferralMissesDiscordsDeadlineIsAnsweredInTheChannel() {
        discord.interactionAckTimeout(Duration.ZERO); // as when the deferral waits behind a global rate limit
        start("");
        String interaction = discord.slash("ask", GENERAL, ADA, Map.of("question", "what is 2+2?"));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(discord.botMessages())
                .extracting(Message::content).contains(ANSWER));
        assertThat(discord.interaction(interaction).original()).isNull();
    }

    @Test
    void aStormOf429sStillEndsWithTheExactFinalText() {
        // Fewer writes than the adapter's pacing spends: it meets 429s, which JDA waits out by their headers.
        discord.channelLimit(1, Duration.ofSeconds(2));
        String longAnswer = "word ".repeat(150).strip() + ".";
        provider.otherwise(r -> Script.answer(longAnswer).paced(Duration.ofMillis(5), Duration.ofMillis(20)));
        start("");
        String id = discord.post(GENERAL, ADA, mention("talk"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(bot(id)).extracting(Message::content)
                .containsExactly(longAnswer));
        assertThat(discord.rateLimited()).isPositive();
        assertThat(discord.requestsInRetryAfter()).as("nothing sent inside a Retry-After").isZero();
    }

    @Test
    void aLongAnswerIsSplitAt2000CharactersWithEveryWordShown() {
        String paragraph = "This sentence is part of a long answer that goes on. ".repeat(12).strip();
        String longAnswer = String.join("\n\n", java.util.Collections.nCopies(6, paragraph));
        provider.otherwise(r -> Script.answer(longAnswer).paced(Duration.ofMillis(5), Duration.ofMillis(1)));
        start("");
        String id = discord.post(GENERAL, ADA, mention("tell me everything"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(bot(id)).hasSizeGreaterThan(1).allMatch(m -> m.content().length() <= 2_000);
            assertThat(String.join("\n\n", bot(id).stream().map(Message::content).toList())).isEqualTo(longAnswer);
        });
    }

    @Test
    void answeringInAnArchivedThreadReopensIt() {
        start("message_content: true");
        String id = discord.post(GENERAL, ADA, mention("what is 2+2?"));
        awaitBot(id, ANSWER);
        discord.archive(id);

        discord.post(id, ADA, mention("still there?"));
        awaitBot(id, ANSWER, ANSWER);
        assertThat(discord.threads()).filteredOn(t -> t.id().equals(id)).allMatch(t -> !t.archived());
    }

    @Test
    void modelOutputCannotPingAnyone() {
        provider.otherwise(r -> Script.answer("Hey @everyone and <@&500000000000000001>, look!"));
        start("");
        String id = discord.post(GENERAL, ADA, mention("ping people"));

        await().atMost(Duration.ofSeconds(10)).until(() -> bot(id).stream().anyMatch(m -> m.content().contains("look")));
        Message reply = bot(id).getFirst();
        assertThat(reply.allowedMentions().get("parse")).isEmpty();
        assertThat(reply.content()).doesNotContain("@everyone");
    }

    @Test
    void aGatewayDropMidAnswerResumesWithoutALostOrDoubledReply() {
        provider.otherwise(r -> Script.answer(ANSWER).paced(Duration.ofMillis(30), Duration.ofMillis(60)));
        start("message_content: true");
        String id = discord.post(GENERAL, ADA, mention("what is 2+2?"));
        await().until(() -> provider.activeStreams() == 1);

        discord.dropGateway();
        discord.post(id, ADA, "and times three?");
        await().atMost(Duration.ofSeconds(20)).until(() -> discord.resumes() >= 1);

        awaitBot(id, ANSWER, ANSWER);
        assertThat(provider.requests()).isEqualTo(2);
    }

    @Test
    void deletingTheQuestionStopsTheReply() {
        provider.otherwise(r -> Script.answer("a b c d e f g h i j k l m n o p q r s t").paced(Duration.ofMillis(20),
                Duration.ofMillis(200)));
        start("");
        String id = discord.post(GENERAL, ADA, mention("count slowly"));
        await().atMost(Duration.ofSeconds(10)).until(() -> bot(id).stream().anyMatch(m -> m.content().startsWith("a")));

        discord.delete(GENERAL, id);
        await().atMost(Duration.ofSeconds(10)).until(() -> bot(id).stream()
                .anyMatch(m -> m.content().endsWith("_(stopped)_")));
        await().until(() -> provider.activeStreams() == 0);
    }

    @Test
    void botsAndDeniedUsersAreIgnored() {
        start("access: {deny_users: [" + BO + "]}");
        discord.post(GENERAL, BO, mention("hello?"));
        discord.dm(BO, "and in a DM?");
        discord.post(GENERAL, ADA, "no mention here");
        // The gateway's events are handled in the order they come: once a later mention is answered, the ones before
        // it have been seen. That, not a quiet window, shows that they got nothing.
        String later = discord.post(GENERAL, ADA, mention("and this?"));
        awaitBot(later, ANSWER);
        assertThat(provider.requests()).isEqualTo(1);
        assertThat(discord.botMessages()).extracting(Message::channel).containsOnly(later);
    }

    @Test
    void aMessageStoredButUnansweredWhenTheServiceStoppedIsAnsweredAtStart() {
        Service first = start("");
        String id = discord.post(GENERAL, ADA, "no mention, so not answered");
        dev.switchboard.conversation.ConversationKey key = new dev.switchboard.conversation.ConversationKey(
                "discord", FakeDiscord.GUILD, GENERAL, id);
        first.store().append(key, dev.switchboard.conversation.Turn.user(ADA, "ada", "what is 2+2?",
                java.time.Instant.now(), List.of(id)));
        first.close();
        services.remove(first);

        start("");
        awaitBot(GENERAL, ANSWER);
        assertThat(provider.requests()).isEqualTo(1);
    }

    @Test
    void aReplysFirstMessagePostedButNotNotedWhenTheServiceStoppedIsContinuedAtStartNotLeftBehind() {
        ops = "{port: 0, drain_timeout: 0s}"; // stopped at once, as by a SIGKILL: no retry of the post shows it
        java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
        provider.otherwise(r -> Script.answer(tries.getAndIncrement() == 0 ? "Let me think. " + ANSWER : ANSWER)
                .paced(Duration.ofMillis(200), Duration.ofMillis(100)));
        Service first = start("");
        discord.stallAfterNextCreate(); // Discord shows the first words; the service never hears the message's id
        String question = discord.post(GENERAL, ADA, mention("what is 2+2?"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !bot(question).isEmpty());
        first.close(); // after Discord took the post, before its id was noted
        services.remove(first);
        assertThat(bot(question)).singleElement().extracting(Message::content).isNotEqualTo(ANSWER);

        start("");
        awaitBot(question, ANSWER);
        assertThat(discord.nonceRepeats()).as("the same post, taken back").isEqualTo(1);
        assertThat(discord.botMessages()).as("one message, the first words continued").singleElement()
                .extracting(Message::content).isEqualTo(ANSWER);
    }

    @Test
    void switchboardCommandsAreForOperatorsAndAnsweredPrivately() {
        Service service = start("", "operators: {discord_users: [" + ADA + "]}");
        String ok = discord.slash("switchboard", GENERAL, ADA, Map.of("command", "provider main off"));
        String refused = discord.slash("switchboard", GENERAL, BO, Map.of("command", "provider main on"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(discord.interaction(ok).original()).contains("provider main is out of rotation.");
            assertThat(discord.interaction(refused).original()).contains("Only operators");
        });
        assertThat(service.router().providers()).singleElement()
                .satisfies(p -> assertThat(p.unavailable()).isEqualTo("turned off by an operator"));
        assertThat(discord.registeredCommands()).anyMatch(c -> c.get("name").asText().equals("switchboard"));
    }

    @Test
    void exportInAThreadAnswersWithAnEphemeralJsonFileAndChannelReferencesWork() throws Exception {
        Service service = start("", "operators: {discord_users: [" + ADA + "]}");
        String question = discord.post(GENERAL, BO, "<@" + FakeDiscord.BOT_ID + "> what is 2+2?");
        await().atMost(Duration.ofSeconds(10)).until(() -> discord.threads().stream()
                .anyMatch(t -> t.id().equals(question)));
        await().atMost(Duration.ofSeconds(10)).until(() -> service.store().load(new dev.switchboard.conversation
                .ConversationKey("discord", FakeDiscord.GUILD, GENERAL, question))
                .map(c -> c.turns().size()).orElse(0) == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> "general".equals(service.store().load(
                new dev.switchboard.conversation.ConversationKey("discord", FakeDiscord.GUILD, GENERAL, question))
                .map(c -> c.metadata().get("channel_name")).orElse(null)));

        String export = discord.slash("switchboard", question, ADA, Map.of("command", "export"));
        String pin = discord.slash("switchboard", question, ADA, Map.of("command", "route <#" + GENERAL + "> nowhere"));

        await().atMost(Duration.ofSeconds(10)).until(() -> !discord.attachments(export).isEmpty());
        FakeDiscord.Attachment file = discord.attachments(export).getFirst();
        assertThat(file.ephemeral()).isTrue();
        assertThat(file.filename()).isEqualTo("discord-" + GENERAL + "-" + question + ".json");
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(file.content());
        assertThat(json.get("conversation").get("thread").asText()).isEqualTo(question);
        assertThat(json.get("metadata").get("channel_name").asText()).as("the channel named").isEqualTo("general");
        assertThat(json.get("turns").get(0).get("text").asText()).contains("what is 2+2?");
        assertThat(json.get("turns").get(1).get("role").asText()).isEqualTo("ASSISTANT");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(discord.interaction(pin).original())
                .contains("not changed: there is no route \"nowhere\""));
    }

    // ---------------------------------------------------------------- feedback (👍 / 👎), issue 22

    /** A mention answered in its thread, with buttons; returns the answer's message. */
    private Message answeredWithButtons() {
        String id = discord.post(GENERAL, ADA, mention("what is 2+2?"));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            List<Message> bot = discord.messages(id).stream().filter(m -> BOT.equals(m.author())).toList();
            assertThat(bot).extracting(Message::content).containsExactly(ANSWER);
            assertThat(discord.components().customIds(bot.getFirst().id())).hasSize(2);
        });
        return discord.messages(id).stream().filter(m -> BOT.equals(m.author())).findFirst().orElseThrow();
    }

    private String ephemeralReply(String interaction) {
        await().untilAsserted(() -> assertThat(discord.interaction(interaction).original()).isNotNull());
        return discord.interaction(interaction).original();
    }

    @Test
    void feedbackClicksAreStoredWithTheAnswer_oncePerPerson_answeredEphemerally_andCounted() {
        Service service = start("");
        Message answer = answeredWithButtons();
        List<String> ids = discord.components().customIds(answer.id());
        assertThat(ids).allMatch(id -> id.length() <= 100);
        assertThat(discord.components().of(answer.id()).get(0).path("components").get(0).path("emoji")
                .path("name").asText()).isEqualTo("👍");

        assertThat(ephemeralReply(discord.click(answer.channel(), answer.id(), ADA, ids.get(0)))).isEqualTo(Verdicts.THANKS);
        assertThat(ephemeralReply(discord.click(answer.channel(), answer.id(), ADA, ids.get(1)))).isEqualTo(Verdicts.THANKS);
        assertThat(ephemeralReply(discord.click(answer.channel(), answer.id(), BO, ids.get(0)))).isEqualTo(Verdicts.THANKS);

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
    void forgedFeedbackClicksAreRefusedAndStoreNothing() {
        discord.textChannel(RANDOM, "random");
        Service service = start("");
        Message answer = answeredWithButtons();
        String thread = answer.channel();
        String good = discord.components().customIds(answer.id()).getFirst();
        String question = thread; // the thread starts on the question, whose id the thread shares

        // Junk custom ids, a verdict the buttons never carry, the question named as the answer.
        assertThat(ephemeralReply(discord.click(thread, answer.id(), ADA, "fb:zz"))).isEqualTo(Verdicts.NOT_AN_ANSWER);
        assertThat(ephemeralReply(discord.click(thread, answer.id(), ADA, good.replace("fb:g:", "fb:x:"))))
                .isEqualTo(Verdicts.NOT_AN_ANSWER);
        assertThat(ephemeralReply(discord.click(thread, answer.id(), ADA, good.replace(answer.id(), question))))
                .isEqualTo(Verdicts.NOT_AN_ANSWER);
        // The answer's button, clicked on a message in another channel.
        String elsewhere = discord.post(RANDOM, BO, "hello");
        assertThat(ephemeralReply(discord.click(RANDOM, elsewhere, BO, good))).contains("doesn't belong to this channel");

        ConversationKey key = new ConversationKey("discord", FakeDiscord.GUILD, GENERAL, thread);
        assertThat(service.store().feedback(key)).isEmpty();
        assertThat(service.meters().find("switchboard.feedback").counters()).isEmpty();
    }

    @Test
    void anAskAnswerInTheInteractionsResponseTakesClicksToo() {
        Service service = start("");
        String ask = discord.slash("ask", GENERAL, ADA, Map.of("question", "what is 2+2?"));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(discord.botMessages())
                .anyMatch(m -> m.content().equals(ANSWER) && discord.components().customIds(m.id()).size() == 2));
        Message answer = discord.botMessages().stream().filter(m -> m.content().equals(ANSWER)).findFirst()
                .orElseThrow();

        String click = discord.click(GENERAL, answer.id(), BO, discord.components().customIds(answer.id()).get(0));

        assertThat(ephemeralReply(click)).isEqualTo(Verdicts.THANKS);
        ConversationKey key = new ConversationKey("discord", FakeDiscord.GUILD, GENERAL, ask);
        assertThat(service.store().feedback(key)).extracting(Feedback::userId).containsExactly(BO);
    }

    // ---------------------------------------------------------------- tools over MCP, issue 21

    @Test
    void aConfirmedToolShowsButtons_othersAreRefused_theAskerApproves_andTheStatusAndAnswerShow() {
        try (var mcp = dev.switchboard.testing.FakeMcpServer.http(null)) {
            startToAddANote(mcp);

            String id = discord.post(GENERAL, ADA, mention("note it"));
            await().atMost(Duration.ofSeconds(15)).until(() -> approvalIn(id) != null);
            Message question = approvalIn(id);
            assertThat(question.content()).contains("fake/add_note").doesNotContain("@everyone");
            List<String> buttons = discord.components().customIds(question.id());
            assertThat(buttons).hasSize(2);

            assertThat(ephemeralReply(discord.click(question.channel(), question.id(), BO, buttons.get(0))))
                    .isEqualTo("Only the person who asked (or an operator) can approve this tool call.");
            assertThat(mcp.notes()).isZero();
            assertThat(ephemeralReply(discord.click(question.channel(), question.id(), ADA, buttons.get(0))))
                    .isEqualTo("Approved.");

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(discord.messages(id).stream()
                    .filter(m -> BOT.equals(m.author())).map(Message::content).toList())
                    .anyMatch(c -> c.contains("Noted for you.")).contains("✅ Approved: fake/add_note"));
            assertThat(mcp.notes()).isEqualTo(1);
        }
    }

    @Test
    void aConfirmedToolInAnAskAnswerAsksInTheInteractionsResponse_othersAreRefused_theAskerApproves() {
        try (var mcp = dev.switchboard.testing.FakeMcpServer.http(null)) {
            startToAddANote(mcp);

            String ask = discord.slash("ask", GENERAL, ADA, Map.of("question", "note it"));
            await().atMost(Duration.ofSeconds(15)).until(() -> askApproval() != null);
            Message question = askApproval();
            assertThat(question.content()).contains("fake/add_note").doesNotContain("@everyone");
            assertThat(shownIn(ask)).as("in the interaction's response or a follow-up").contains(question.content());
            List<String> buttons = discord.components().customIds(question.id());
            assertThat(buttons).hasSize(2);

            assertThat(ephemeralReply(discord.click(GENERAL, question.id(), BO, buttons.get(0))))
                    .isEqualTo("Only the person who asked (or an operator) can approve this tool call.");
            assertThat(mcp.notes()).isZero();
            assertThat(ephemeralReply(discord.click(GENERAL, question.id(), ADA, buttons.get(0))))
                    .isEqualTo("Approved.");

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(shownIn(ask))
                    .anyMatch(c -> c.contains("Noted for you.")).contains("✅ Approved: fake/add_note"));
            assertThat(mcp.notes()).isEqualTo(1);
        }
    }

    /** Starts with the fake MCP server's tools; the model will call add_note (confirmed), then answer. */
    private void startToAddANote(dev.switchboard.testing.FakeMcpServer mcp) {
        start("", mcp.routeWithTools("main/m"));
        await().atMost(Duration.ofSeconds(20)).until(() -> mcp.listed() > 0);
        provider.enqueue(Script.callTools("", new dev.switchboard.testing.FakeToolCalls.Call("call_1",
                "fake__add_note", "{\"text\":\"@everyone\"}")), Script.answer("Noted for you."));
    }

    /** What an interaction shows: its response and follow-ups. */
    private List<String> shownIn(String interaction) {
        FakeDiscord.Interaction it = discord.interaction(interaction);
        List<String> all = new java.util.ArrayList<>(it.followups());
        all.addFirst(it.original());
        return all;
    }

    /** The bot's message (anywhere) that carries Approve / Deny, or null. */
    private Message askApproval() {
        return discord.botMessages().stream()
                .filter(m -> discord.components().customIds(m.id()).stream().anyMatch(c -> c.startsWith("tool:")))
                .findFirst().orElse(null);
    }

    /** The bot's message in the thread that carries Approve / Deny, or null. */
    private Message approvalIn(String thread) {
        return discord.messages(thread).stream().filter(m -> BOT.equals(m.author()))
                .filter(m -> discord.components().customIds(m.id()).stream().anyMatch(c -> c.startsWith("tool:")))
                .findFirst().orElse(null);
    }
}

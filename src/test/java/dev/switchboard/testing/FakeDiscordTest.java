package dev.switchboard.testing;

import static dev.switchboard.testing.FakeDiscord.APP_ID;
import static dev.switchboard.testing.FakeDiscord.BOT_ID;
import static dev.switchboard.testing.FakeDiscord.GUILD;
import static dev.switchboard.testing.FakeDiscord.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testing.FakeDiscord.Attachment;
import dev.switchboard.testing.FakeDiscord.Call;
import dev.switchboard.testing.FakeDiscord.Interaction;
import dev.switchboard.testing.FakeDiscord.Message;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.entities.Message.MentionType;
import net.dv8tion.jda.api.entities.channel.ChannelType;
import net.dv8tion.jda.api.entities.channel.concrete.TextChannel;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.events.GenericEvent;
import net.dv8tion.jda.api.events.channel.update.ChannelUpdateArchivedEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.message.MessageDeleteEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.events.message.MessageUpdateEvent;
import net.dv8tion.jda.api.events.session.SessionRecreateEvent;
import net.dv8tion.jda.api.events.session.SessionResumeEvent;
import net.dv8tion.jda.api.exceptions.ErrorResponseException;
import net.dv8tion.jda.api.exceptions.InsufficientPermissionException;
import net.dv8tion.jda.api.exceptions.InvalidTokenException;
import net.dv8tion.jda.api.hooks.EventListener;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.requests.ErrorResponse;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.sharding.DefaultShardManagerBuilder;
import net.dv8tion.jda.api.sharding.ShardManager;
import net.dv8tion.jda.api.utils.AttachedFile;
import net.dv8tion.jda.api.utils.Compression;
import net.dv8tion.jda.api.utils.ConcurrentSessionController;
import net.dv8tion.jda.api.utils.FileUpload;
import net.dv8tion.jda.api.utils.SessionController;
import net.dv8tion.jda.api.utils.SessionControllerAdapter;
import net.dv8tion.jda.api.utils.messages.MessageCreateBuilder;
import net.dv8tion.jda.api.utils.messages.MessageEditBuilder;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake is only useful if the real JDA accepts it and it refuses what Discord refuses. */
class FakeDiscordTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final String C1 = "300000000000000001", C2 = "300000000000000002", NOPE = "300000000000000003";
    private static final String U1 = "400000000000000001", U2 = "400000000000000002";
    private static final EnumSet<MentionType> NO_MENTIONS = EnumSet.noneOf(MentionType.class);

    private FakeDiscord fake;
    private final List<JDA> jdas = new ArrayList<>();
    private final List<GenericEvent> events = new CopyOnWriteArrayList<>();
    private final OkHttpClient http = new OkHttpClient();

    @BeforeEach
    void setUp() {
        fake = FakeDiscord.start()
                .user(U1, "Ada Lovelace")
                .user(U2, "Grace Hopper")
                .textChannel(C1, "general")
                .textChannel(C2, "support")
                .forbidden(NOPE, "announcements");
    }

    @AfterEach
    void tearDown() {
        for (JDA jda : jdas) {
            jda.shutdownNow();
        }
        for (JDA jda : jdas) {
            try {
                jda.awaitShutdown(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
            }
        }
        fake.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    // ---- the real JDA against the fake ----

    @Test
    void componentsAreCheckedKeptAndShown_andAClickReachesJdaAsAButtonInteraction() throws Exception {
        String row = "{\"type\":1,\"components\":[{\"type\":2,\"style\":2,\"label\":\"up\",\"custom_id\":\"fb:g\"}]}";
        Reply six = rest("POST", "channels/" + C1 + "/messages", "{\"content\":\"x\",\"components\":["
                + String.join(",", java.util.Collections.nCopies(6, row)) + "]}");
        assertThat(six.code()).isEqualTo(400);
        assertThat(json(six).at("/errors/components/_errors/0/code").asText()).isEqualTo("BASE_TYPE_MAX_LENGTH");
        Reply longId = rest("POST", "channels/" + C1 + "/messages", "{\"content\":\"x\",\"components\":["
                + row.replace("fb:g", "x".repeat(101)) + "]}");
        assertThat(json(longId).at("/errors/components/0/components/0/custom_id/_errors/0/code").asText())
                .isEqualTo("BASE_TYPE_BAD_LENGTH");

        Reply ok = rest("POST", "channels/" + C1 + "/messages", "{\"content\":\"rated\",\"components\":[" + row
                + "]}");
        String id = json(ok).path("id").asText();
        assertThat(json(ok).at("/components/0/components/0/custom_id").asText()).isEqualTo("fb:g");
        assertThat(fake.components().customIds(id)).containsExactly("fb:g");

        connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES));
        String click = fake.click(C1, id, U1, "fb:g");
        net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent pressed = await()
                .atMost(Duration.ofSeconds(5)).until(() -> eventsOf(
                        net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent.class).stream()
                        .findFirst().orElse(null), e -> e != null);
        assertThat(pressed.getComponentId()).isEqualTo("fb:g");
        assertThat(pressed.getMessageId()).isEqualTo(id);
        assertThat(pressed.getUser().getId()).isEqualTo(U1);
        assertThat(pressed.getChannelId()).isEqualTo(C1);
        pressed.reply("thanks").setEphemeral(true).complete();
        assertThat(fake.interaction(click).original()).isEqualTo("thanks");
    }


    @Test
    void jdaLogsInSeesAMentionAndSendsAndEditsWithoutMentions() throws Exception {
        JDA jda = connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.DIRECT_MESSAGES));
        assertThat(jda.getSelfUser().getId()).isEqualTo(BOT_ID);
        assertThat(jda.getSelfUser().getApplicationId()).isEqualTo(APP_ID);
        assertThat(jda.getGuildById(GUILD).getTextChannels()).extracting(TextChannel::getId)
                .containsExactly(C1, C2, NOPE);
        assertThat(fake.identifies()).isEqualTo(1);
        assertThat(fake.count("GET", "users/@me")).isEqualTo(1);

        String chatter = fake.post(C1, U2, "just chatting");
        String question = fake.post(C1, U1, "<@" + BOT_ID + "> what is 2+2?");
        MessageReceivedEvent asked = awaitMessage(question);
        assertThat(asked.getMessage().getContentRaw()).isEqualTo("<@" + BOT_ID + "> what is 2+2?");
        assertThat(asked.getMessage().getMentions().isMentioned(jda.getSelfUser())).isTrue();
        assertThat(asked.getAuthor().getId()).isEqualTo(U1);
        assertThat(asked.isFromGuild()).isTrue();
        // Without MESSAGE_CONTENT a message that does not mention the bot comes without its content.
        assertThat(awaitMessage(chatter).getMessage().getContentRaw()).isEmpty();

        TextChannel general = jda.getTextChannelById(C1);
        net.dv8tion.jda.api.entities.Message sent = general.sendMessage(new MessageCreateBuilder()
                        .setContent("4, <@" + U2 + "> @everyone")
                        .setAllowedMentions(NO_MENTIONS)
                        .build())
                .complete();
        assertThat(sent.getMentions().getUsers()).isEmpty();
        assertThat(sent.getMentions().mentionsEveryone()).isFalse();
        sent.editMessage(new MessageEditBuilder().setContent("4 (edited)").setAllowedMentions(NO_MENTIONS).build())
                .complete();

        assertThat(fake.botMessages()).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo(sent.getId());
            assertThat(m.channel()).isEqualTo(C1);
            assertThat(m.author()).isEqualTo(BOT_ID);
            assertThat(m.content()).isEqualTo("4 (edited)");
            assertThat(m.edits()).isEqualTo(1);
            assertThat(m.allowedMentions().path("parse").isArray()).isTrue();
            assertThat(m.allowedMentions().path("parse")).isEmpty();
        });
        assertThat(fake.messages(C1)).extracting(Message::content)
                .containsExactly("just chatting", "<@" + BOT_ID + "> what is 2+2?", "4 (edited)");
        // Discord echoes the bot's own writes over the Gateway.
        assertThat(awaitMessage(sent.getId()).getAuthor().getId()).isEqualTo(BOT_ID);
        await().atMost(Duration.ofSeconds(5)).until(() -> eventsOf(MessageUpdateEvent.class).stream()
                .anyMatch(e -> e.getMessageId().equals(sent.getId())
                        && e.getMessage().getContentRaw().equals("4 (edited)")));

        general.sendTyping().complete();
        assertThat(fake.typing(C1)).isEqualTo(1);
        assertThat(fake.rateLimited()).isZero();
    }

    @Test
    void aBurstOfWritesMeets429sThatJdaHonoursAndTheLastEditWins() throws Exception {
        fake.channelLimit(4, Duration.ofSeconds(1));
        JDA jda = connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES));
        TextChannel general = jda.getTextChannelById(C1);
        net.dv8tion.jda.api.entities.Message message = general.sendMessage("v0").setAllowedMentions(NO_MENTIONS)
                .complete();
        // Another process with the same token spends the channel's window: JDA's bucket knowledge is now stale.
        while (rest("POST", "channels/" + C1 + "/messages", "{\"content\":\"elsewhere\"}").code() == 200) {
            // spend until refused
        }
        Instant burst = Instant.now();
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            writes.add(general.sendMessage("side " + i).setAllowedMentions(NO_MENTIONS).submit());
        }
        for (int i = 1; i <= 8; i++) {
            writes.add(message.editMessage("v" + i).setAllowedMentions(NO_MENTIONS).submit());
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

        Message edited = fake.messages(C1).stream().filter(m -> m.id().equals(message.getId())).findFirst()
                .orElseThrow();
        assertThat(edited.content()).isEqualTo("v8");
        assertThat(edited.edits()).isEqualTo(8); // JDA does not coalesce queued edits
        assertThat(fake.botMessages()).extracting(Message::content)
                .filteredOn(c -> c.startsWith("side")).containsExactly("side 1", "side 2", "side 3");

        List<Call> after = fake.calls().stream().filter(c -> !c.at().isBefore(burst)).toList();
        List<Call> refused = after.stream().filter(c -> c.status() == 429).toList();
        assertThat(refused).isNotEmpty();
        for (Call no : refused) {
            // Retry-After is 1 (whole seconds): JDA waits it out before the same route again.
            after.stream()
                    .filter(c -> c.method().equals(no.method()) && c.path().equals(no.path())
                            && c.at().isAfter(no.at()))
                    .findFirst()
                    .ifPresent(next -> assertThat(Duration.between(no.at(), next.at()))
                            .isGreaterThanOrEqualTo(Duration.ofMillis(900)));
        }
        assertThat(refused.size()).isLessThanOrEqualTo(4);
    }

    @Test
    void contentLimitsAuthorsAndUnknownMessagesAreEnforced() throws Exception {
        fake.channelLimit(20, Duration.ofSeconds(5)); // refused writes use up the window too, as on Discord
        assertThatThrownBy(() -> JDABuilder.createLight("MTAw.bad.token", EnumSet.noneOf(GatewayIntent.class))
                .setRestConfig(new RestConfig().setBaseUrl(fake.restUrl()))
                .setSessionController(new FakeGateway(fake))
                .setEnableShutdownHook(false)
                .build()).isInstanceOf(InvalidTokenException.class);

        JDA jda = connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES));
        TextChannel general = jda.getTextChannelById(C1);
        // JDA refuses more than 2000 characters itself, before any request.
        assertThatThrownBy(() -> general.sendMessage("x".repeat(2001))).isInstanceOf(IllegalArgumentException.class);

        Reply tooLong = rest("POST", "channels/" + C1 + "/messages",
                "{\"content\":\"" + "x".repeat(2001) + "\",\"allowed_mentions\":{\"parse\":[]}}");
        assertThat(tooLong.code()).isEqualTo(400);
        JsonNode body = json(tooLong);
        assertThat(body.path("code").asInt()).isEqualTo(50035);
        assertThat(body.path("message").asText()).isEqualTo("Invalid Form Body");
        assertThat(body.at("/errors/content/_errors/0/code").asText()).isEqualTo("BASE_TYPE_MAX_LENGTH");
        assertThat(body.at("/errors/content/_errors/0/message").asText()).isEqualTo("Must be 2000 or fewer in length.");
        assertThat(rest("POST", "channels/" + C1 + "/messages", "{\"content\":\"" + "é".repeat(2000) + "\"}").code())
                .isEqualTo(200);
        assertThat(json(rest("POST", "channels/" + C1 + "/messages", "{\"content\":\"\"}")).path("code").asInt())
                .isEqualTo(50006);

        Reply unauthorized = send(new Request.Builder().url(fake.restUrl() + "users/@me")
                .header("Authorization", "Bot nope").build());
        assertThat(unauthorized.code()).isEqualTo(401);
        assertThat(json(unauthorized)).isEqualTo(JSON.readTree("{\"message\":\"401: Unauthorized\",\"code\":0}"));

        ErrorResponseException unknown = catchThrowableOfType(ErrorResponseException.class,
                () -> general.editMessageById("1234567890123", "x").complete());
        assertThat(unknown.getErrorResponse()).isEqualTo(ErrorResponse.UNKNOWN_MESSAGE);
        assertThat(unknown.getErrorCode()).isEqualTo(10008);

        String theirs = fake.post(C1, U1, "mine, not yours");
        ErrorResponseException notYours = catchThrowableOfType(ErrorResponseException.class,
                () -> general.editMessageById(theirs, "hijacked").complete());
        assertThat(notYours.getErrorResponse()).isEqualTo(ErrorResponse.INVALID_AUTHOR_EDIT);
        ErrorResponseException cannotDelete = catchThrowableOfType(ErrorResponseException.class,
                () -> general.deleteMessageById(theirs).complete());
        assertThat(cannotDelete.getErrorResponse()).isEqualTo(ErrorResponse.MISSING_PERMISSIONS);
        assertThat(fake.messages(C1)).filteredOn(m -> m.id().equals(theirs)).singleElement()
                .extracting(Message::content).isEqualTo("mine, not yours");
    }

    @Test
    void aNonceJdaSendsAgainWithinTheWindowGetsTheEarlierMessageAndPostsNothing() throws Exception {
        fake.channelLimit(20, Duration.ofSeconds(5)); // a repeat spends from the channel's window like a post
        JDA jda = connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES));
        TextChannel general = jda.getTextChannelById(C1);
        net.dv8tion.jda.api.entities.Message first = general.sendMessage("first words").setNonce("500.0")
                .setAllowedMentions(NO_MENTIONS).complete();
        net.dv8tion.jda.api.entities.Message again = general.sendMessage("first words, and more")
                .setNonce("500.0").setAllowedMentions(NO_MENTIONS).complete();
        assertThat(again.getId()).isEqualTo(first.getId());
        assertThat(again.getContentRaw()).as("the message as it is, not as asked").isEqualTo("first words");
        // JDA's own random nonce each time, and another nonce: new messages.
        general.sendMessage("first words").setAllowedMentions(NO_MENTIONS).complete();
        general.sendMessage("first words").setAllowedMentions(NO_MENTIONS).complete();
        general.sendMessage("next").setNonce("500.1").setAllowedMentions(NO_MENTIONS).complete();
        assertThat(fake.botMessages()).extracting(Message::content)
                .containsExactly("first words", "first words", "first words", "next");
        assertThat(fake.nonceRepeats()).isEqualTo(1);

        // Not enforced: a repeated nonce is only echoed; too long: refused as Discord refuses it.
        assertThat(rest("POST", "channels/" + C1 + "/messages", "{\"content\":\"x\",\"nonce\":\"500.0\"}").code())
                .isEqualTo(200);
        assertThat(fake.botMessages()).hasSize(5);
        Reply tooLong = rest("POST", "channels/" + C1 + "/messages",
                "{\"content\":\"x\",\"enforce_nonce\":true,\"nonce\":\"" + "9".repeat(26) + "\"}");
        assertThat(json(tooLong).at("/errors/nonce/_errors/0/code").asText()).isEqualTo("BASE_TYPE_MAX_LENGTH");
    }

    @Test
    void aForbiddenChannelIsRefusedByJdaLocallyAndByTheFakeWith403() throws Exception {
        JDA jda = connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES));
        TextChannel announcements = jda.getTextChannelById(NOPE);
        assertThatThrownBy(() -> announcements.sendMessage("hello"))
                .isInstanceOf(InsufficientPermissionException.class);

        Reply forbidden = rest("POST", "channels/" + NOPE + "/messages", "{\"content\":\"hello\"}");
        assertThat(forbidden.code()).isEqualTo(403);
        assertThat(json(forbidden)).isEqualTo(JSON.readTree("{\"message\":\"Missing Permissions\",\"code\":50013}"));
        assertThat(rest("POST", "channels/" + NOPE + "/typing", null).code()).isEqualTo(403);
        assertThat(fake.messages(NOPE)).isEmpty();
        assertThat(json(rest("GET", "channels/" + NOPE, null)).at("/permission_overwrites/0/deny").asText())
                .isEqualTo("2048");
        assertThat(rest("GET", "channels/" + NOPE + "/pins", null).code()).isEqualTo(404);
        assertThat(rest("DELETE", "channels/" + NOPE + "/messages", null).code()).isEqualTo(405);
    }

    @Test
    void aThreadFromAMessageHasTheMessagesIdAndArchivedThreadsRefuseWrites() throws Exception {
        JDA jda = connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT));
        String starter = fake.post(C1, U1, "<@" + BOT_ID + "> a long question");
        net.dv8tion.jda.api.entities.Message message = jda.getTextChannelById(C1).retrieveMessageById(starter)
                .complete();
        assertThat(message.getContentRaw()).isEqualTo("<@" + BOT_ID + "> a long question");

        ThreadChannel thread = message.createThreadChannel("Answer").complete();
        assertThat(thread.getId()).isEqualTo(starter);
        assertThat(thread.getParentChannel().getId()).isEqualTo(C1);
        assertThat(fake.threads()).containsExactly(new FakeDiscord.Thread(starter, C1, starter, "Answer", false));

        thread.sendMessage("first part").setAllowedMentions(NO_MENTIONS).complete();
        fake.post(starter, U1, "thanks");
        thread.sendMessage("second part").setAllowedMentions(NO_MENTIONS).complete();
        assertThat(fake.messages(starter)).extracting(Message::content)
                .containsExactly("first part", "thanks", "second part");
        assertThat(thread.getHistory().retrievePast(10).complete())
                .extracting(net.dv8tion.jda.api.entities.Message::getContentRaw)
                .containsExactly("second part", "thanks", "first part");

        ErrorResponseException again = catchThrowableOfType(ErrorResponseException.class,
                () -> message.createThreadChannel("Again").complete());
        assertThat(again.getErrorResponse()).isEqualTo(ErrorResponse.THREAD_WITH_THIS_MESSAGE_ALREADY_EXISTS);
        String other = fake.post(C1, U2, "another");
        assertThat(json(rest("POST", "channels/" + C1 + "/messages/" + other + "/threads", "{\"name\":\"\"}"))
                .at("/errors/name/_errors/0/code").asText()).isEqualTo("BASE_TYPE_BAD_LENGTH");
        assertThat(rest("POST", "channels/" + C1 + "/messages/" + other + "/threads",
                "{\"name\":\"" + "n".repeat(101) + "\"}").code()).isEqualTo(400);

        fake.archive(starter);
        await().atMost(Duration.ofSeconds(5)).until(() -> eventsOf(ChannelUpdateArchivedEvent.class).stream()
                .anyMatch(e -> e.getChannel().getId().equals(starter) && Boolean.TRUE.equals(e.getNewValue())));
        assertThat(jda.getThreadChannelById(starter)).isNull(); // JDA drops archived threads from its cache
        ErrorResponseException archived = catchThrowableOfType(ErrorResponseException.class,
                () -> thread.sendMessage("too late").complete());
        assertThat(archived.getErrorCode()).isEqualTo(50083);
        assertThat(archived.getMeaning()).isEqualTo("Thread is archived");

        thread.getManager().setArchived(false).complete();
        assertThat(fake.threads()).singleElement().extracting(FakeDiscord.Thread::archived).isEqualTo(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> jda.getThreadChannelById(starter) != null);
        thread.sendMessage("back again").setAllowedMentions(NO_MENTIONS).complete();
        assertThat(fake.messages(starter)).last().extracting(Message::content).isEqualTo("back again");
    }

    @Test
    void aSlashCommandIsDeferredEditedAndFollowedUp() throws Exception {
        List<String> questions = new CopyOnWriteArrayList<>();
        JDA jda = connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES), event -> {
            if (event instanceof SlashCommandInteractionEvent slash) {
                questions.add(slash.getOption("question").getAsString());
                slash.deferReply().queue(hook -> hook.editOriginal("the answer").setAllowedMentions(NO_MENTIONS)
                        .queue(done -> hook.sendMessage("one more thing").setAllowedMentions(NO_MENTIONS).queue()));
            }
        });
        jda.updateCommands()
                .addCommands(Commands.slash("ask", "Ask the assistant")
                        .addOption(OptionType.STRING, "question", "What to ask", true))
                .complete();
        assertThat(fake.registeredCommands()).singleElement().satisfies(c -> {
            assertThat(c.path("name").asText()).isEqualTo("ask");
            assertThat(c.path("id").asText()).matches("\\d+");
            assertThat(c.path("application_id").asText()).isEqualTo(APP_ID);
            assertThat(c.at("/options/0/name").asText()).isEqualTo("question");
            assertThat(c.at("/options/0/required").asBoolean()).isTrue();
        });
        assertThat(fake.count("PUT", "applications/" + APP_ID + "/commands")).isEqualTo(1);

        String id = fake.slash("ask", C1, U1, Map.of("question", "why is the sky blue?"));
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.interaction(id).followups().size() == 1);
        Interaction done = fake.interaction(id);
        assertThat(done.callbackType()).isEqualTo(5);
        assertThat(done.original()).isEqualTo("the answer");
        assertThat(done.originalEdits()).isEqualTo(1);
        assertThat(done.followups()).containsExactly("one more thing");
        assertThat(done.channel()).isEqualTo(C1);
        assertThat(questions).containsExactly("why is the sky blue?");
        assertThat(fake.botMessages()).extracting(Message::content).containsExactly("the answer", "one more thing");
        assertThat(fake.messages(C1)).extracting(Message::flags).containsOnly(0);

        // JDA guards against a second acknowledgement itself; the fake refuses one that gets through.
        Reply twice = send(new Request.Builder()
                .url(fake.restUrl() + "interactions/" + id + "/" + done.token() + "/callback")
                .post(RequestBody.create("{\"type\":5}", JSON_TYPE)).build());
        assertThat(twice.code()).isEqualTo(400);
        assertThat(json(twice).path("code").asInt()).isEqualTo(40060);

        assertThatThrownBy(() -> fake.slash("nope", C1, U1, Map.of())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> fake.slash("ask", C1, U1, Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSlashCommandAnswersWithAJsonFileEphemerallyAtOnceOrAfterADeferral() throws Exception {
        byte[] export = "{\"thread\":[{\"author\":\"Ada\",\"text\":\"h\u00e9llo\"}]}".getBytes(StandardCharsets.UTF_8);
        JDA jda = connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES), event -> {
            if (event instanceof SlashCommandInteractionEvent slash) {
                switch (slash.getOption("how").getAsString()) {
                    case "reply" -> slash.reply("Here is the thread")
                            .addFiles(FileUpload.fromData(export, "thread.json"))
                            .setEphemeral(true)
                            .queue();
                    case "deferred" -> slash.deferReply(true)
                            .queue(hook -> hook.sendFiles(FileUpload.fromData(export, "thread.json")).queue());
                    default -> slash.deferReply()
                            .queue(hook -> hook.editOriginalAttachments(FileUpload.fromData(export, "public.json"))
                                    .queue());
                }
            }
        });
        jda.updateCommands()
                .addCommands(Commands.slash("export", "Export this thread as JSON")
                        .addOption(OptionType.STRING, "how", "How to answer", true))
                .complete();

        // reply(...).addFiles(...).setEphemeral(true): one multipart callback of type 4 with flags 64.
        String replied = fake.slash("export", C1, U1, Map.of("how", "reply"));
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.attachments(replied).size() == 1);
        assertThat(fake.interaction(replied).callbackType()).isEqualTo(4);
        assertThat(fake.interaction(replied).original()).isEqualTo("Here is the thread");
        Attachment file = fake.attachments(replied).get(0);
        assertThat(file.filename()).isEqualTo("thread.json");
        assertThat(file.contentType()).isEqualTo("application/json; charset=utf-8");
        assertThat(file.content()).isEqualTo(export);
        assertThat(file.ephemeral()).isTrue();
        assertThat(file.channel()).isEqualTo(C1);
        assertThat(file.interaction()).isEqualTo(replied);
        assertThat(file.message()).matches("\\d+");

        // deferReply(true), then hook.sendFiles(...): the follow-up fills the ephemeral "thinking" message.
        String deferred = fake.slash("export", C1, U2, Map.of("how", "deferred"));
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.attachments(deferred).size() == 1);
        Interaction filled = fake.interaction(deferred);
        assertThat(filled.callbackType()).isEqualTo(5);
        assertThat(filled.original()).isEmpty();
        assertThat(filled.followups()).isEmpty();
        assertThat(fake.attachments(deferred)).singleElement().satisfies(a -> {
            assertThat(a.filename()).isEqualTo("thread.json");
            assertThat(a.content()).isEqualTo(export);
            assertThat(a.ephemeral()).isTrue();
        });

        // deferReply() in public, then PATCH @original with a file: everyone sees it, and JDA gets MESSAGE_UPDATE.
        String open = fake.slash("export", C1, U1, Map.of("how", "edit"));
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.attachments(open).size() == 1);
        assertThat(fake.attachments(open).get(0).ephemeral()).isFalse();
        assertThat(fake.attachments(open).get(0).filename()).isEqualTo("public.json");
        assertThat(fake.interaction(open).originalEdits()).isEqualTo(1);
        String publicMessage = fake.attachments(open).get(0).message();
        await().atMost(Duration.ofSeconds(5)).until(() -> eventsOf(MessageUpdateEvent.class).stream()
                .anyMatch(e -> e.getMessageId().equals(publicMessage)
                        && e.getMessage().getAttachments().size() == 1));

        assertThat(fake.attachments()).extracting(Attachment::interaction).containsExactly(replied, deferred, open);
        // JDA asks for the callback's answer (with_response=true), so every write here is a 200.
        assertThat(fake.calls())
                .filteredOn(c -> c.path().startsWith("interactions/") || c.path().startsWith("webhooks/"))
                .extracting(Call::status).containsOnly(200);
    }

    @Test
    void channelMessagesCarryFilesAndEditsKeepOrDropThem() throws Exception {
        byte[] export = "{\"thread\":[]}".getBytes(StandardCharsets.UTF_8);
        JDA jda = connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES));
        TextChannel general = jda.getTextChannelById(C1);

        net.dv8tion.jda.api.entities.Message sent = general.sendMessage("the export")
                .addFiles(FileUpload.fromData(export, "thread.json"))
                .setAllowedMentions(NO_MENTIONS)
                .complete();
        net.dv8tion.jda.api.entities.Message.Attachment attachment = sent.getAttachments().get(0);
        assertThat(sent.getAttachments()).hasSize(1);
        assertThat(attachment.getFileName()).isEqualTo("thread.json");
        assertThat(attachment.getSize()).isEqualTo(export.length);
        assertThat(attachment.getContentType()).isEqualTo("application/json; charset=utf-8");
        assertThat(attachment.isEphemeral()).isFalse();
        Reply download = send(new Request.Builder().url(attachment.getUrl()).build());
        assertThat(download.code()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(new String(export, StandardCharsets.UTF_8));

        net.dv8tion.jda.api.entities.Message added = sent.editMessageAttachments(
                AttachedFile.fromAttachment(attachment),
                FileUpload.fromData("[]".getBytes(StandardCharsets.UTF_8), "more.json")).complete();
        assertThat(added.getAttachments()).extracting(a -> a.getFileName()).containsExactly("thread.json", "more.json");
        assertThat(added.getAttachments().get(0).getId()).isEqualTo(attachment.getId());
        net.dv8tion.jda.api.entities.Message replaced = sent.editMessageAttachments(
                FileUpload.fromData("{}".getBytes(StandardCharsets.UTF_8), "only.json")).complete();
        assertThat(replaced.getAttachments()).extracting(a -> a.getFileName()).containsExactly("only.json");
        assertThat(fake.attachments(sent.getId())).singleElement().satisfies(a -> {
            assertThat(a.filename()).isEqualTo("only.json");
            assertThat(new String(a.content(), StandardCharsets.UTF_8)).isEqualTo("{}");
            assertThat(a.interaction()).isNull();
        });
        assertThat(fake.messages(C1)).singleElement().extracting(Message::content).isEqualTo("the export");
    }

    @Test
    void filesOverTheLimitMoreThanTenAndUnmatchedAttachmentsAreRefused() throws Exception {
        byte[] tooBig = new byte[(10 << 20) + 1];
        Arrays.fill(tooBig, (byte) 'x');
        Reply big = send(multipart("channels/" + C1 + "/messages", "{\"content\":\"big\"}",
                List.of(FileUpload.fromData(tooBig, "big.bin"))));
        assertThat(big.code()).isEqualTo(413);
        assertThat(json(big)).isEqualTo(JSON.readTree("{\"message\":\"Request entity too large\",\"code\":40005}"));
        Reply justRight = send(multipart("channels/" + C1 + "/messages", "{\"content\":\"fits\"}",
                List.of(FileUpload.fromData(Arrays.copyOf(tooBig, 10 << 20), "fits.bin"))));
        assertThat(justRight.code()).isEqualTo(200);
        assertThat(json(justRight).at("/attachments/0/size").asInt()).isEqualTo(10 << 20);

        List<FileUpload> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add(FileUpload.fromData(new byte[] {'1'}, "f" + i + ".txt"));
        }
        Reply many = send(multipart("channels/" + C1 + "/messages", "{\"content\":\"many\"}", eleven));
        assertThat(many.code()).isEqualTo(400);
        assertThat(json(many).path("code").asInt()).isEqualTo(50035);
        assertThat(json(many).at("/errors/attachments/_errors/0/code").asText()).isEqualTo("BASE_TYPE_MAX_LENGTH");

        Reply unmatched = send(multipart("channels/" + C1 + "/messages",
                "{\"content\":\"x\",\"attachments\":[{\"id\":5,\"filename\":\"a.json\"}]}",
                List.of(FileUpload.fromData(new byte[] {'{', '}'}, "a.json"))));
        assertThat(unmatched.code()).isEqualTo(400);
        assertThat(json(unmatched).at("/errors/attachments/0/_errors/0/code").asText())
                .isEqualTo("ATTACHMENT_NOT_FOUND");

        // The same limit on an interaction callback, which sits beside data in payload_json.
        String id = registerAndRun("export");
        Reply callback = send(multipart("interactions/" + id + "/" + fake.interaction(id).token() + "/callback",
                "{\"type\":4,\"data\":{\"content\":\"x\",\"flags\":64}}",
                List.of(FileUpload.fromData(tooBig, "big.bin"))));
        assertThat(callback.code()).isEqualTo(413);
        assertThat(fake.interaction(id).callbackType()).isZero();

        fake.attachmentLimit(4);
        Reply small = send(multipart("channels/" + C1 + "/messages", "{}",
                List.of(FileUpload.fromData(new byte[] {1, 2, 3, 4, 5}, "five.bin"))));
        assertThat(small.code()).isEqualTo(413);
        assertThat(fake.messages(C1)).extracting(Message::content).containsExactly("fits");
        assertThat(fake.attachments()).extracting(Attachment::filename).containsExactly("fits.bin");
    }

    /** A raw multipart request as JDA builds it: payload_json, then files[n] parts. */
    private Request multipart(String path, String payloadJson, List<FileUpload> files) {
        MultipartBody.Builder body = AttachedFile.createMultipartBody(files,
                RequestBody.create(payloadJson, JSON_TYPE));
        return new Request.Builder()
                .url(fake.restUrl() + path)
                .header("Authorization", "Bot " + TOKEN)
                .post(body.build())
                .build();
    }

    private String registerAndRun(String command) throws IOException {
        assertThat(rest("PUT", "applications/" + APP_ID + "/commands",
                "[{\"name\":\"" + command + "\",\"description\":\"Run it\",\"type\":1}]").code()).isEqualTo(200);
        return fake.slash(command, C1, U1, Map.of());
    }

    @Test
    void interactionsMustBeAcknowledgedWithin3SecondsAndTokensExpireAfter15Minutes() throws Exception {
        MutableClock clock = MutableClock.at("2026-11-20T10:00:00Z");
        fake.clock(clock);
        assertThat(rest("PUT", "applications/" + APP_ID + "/commands",
                "[{\"name\":\"ask\",\"description\":\"Ask\",\"type\":1}]").code()).isEqualTo(200);
        assertThat(json(rest("PUT", "applications/" + APP_ID + "/commands",
                "[{\"name\":\"Ask Me\",\"description\":\"Ask\",\"type\":1}]")).path("code").asInt()).isEqualTo(50035);

        String late = fake.slash("ask", C1, U1, Map.of());
        clock.advance(Duration.ofMillis(3_100));
        Reply tooLate = callback(late, "{\"type\":5}", false);
        assertThat(tooLate.code()).isEqualTo(404);
        assertThat(json(tooLate)).isEqualTo(JSON.readTree("{\"message\":\"Unknown interaction\",\"code\":10062}"));

        String id = fake.slash("ask", C1, U1, Map.of());
        String token = fake.interaction(id).token();
        Reply early = rest("POST", "webhooks/" + APP_ID + "/" + token, "{\"content\":\"too early\"}");
        assertThat(json(early).path("code").asInt()).isEqualTo(10015);
        Reply replied = callback(id, "{\"type\":4,\"data\":{\"content\":\"hello\",\"allowed_mentions\":{\"parse\":[]}}}",
                true);
        assertThat(replied.code()).isEqualTo(200);
        JsonNode resource = json(replied).path("resource");
        assertThat(resource.path("type").asInt()).isEqualTo(4);
        assertThat(resource.at("/message/content").asText()).isEqualTo("hello");
        assertThat(rest("PATCH", "webhooks/" + APP_ID + "/" + token + "/messages/@original",
                "{\"content\":\"hello again\"}").code()).isEqualTo(200);
        assertThat(fake.interaction(id).original()).isEqualTo("hello again");

        // After a deferral the first follow-up fills the "thinking" message; the next one is a new message.
        String deferred = fake.slash("ask", C1, U2, Map.of());
        String deferredToken = fake.interaction(deferred).token();
        assertThat(callback(deferred, "{\"type\":5}", false).code()).isEqualTo(204);
        assertThat(fake.interaction(deferred).original()).isEmpty();
        assertThat(fake.messages(C1)).last().extracting(Message::flags).isEqualTo(128); // LOADING
        assertThat(rest("POST", "webhooks/" + APP_ID + "/" + deferredToken + "?wait=true",
                "{\"content\":\"filled\"}").code()).isEqualTo(200);
        assertThat(rest("POST", "webhooks/" + APP_ID + "/" + deferredToken + "?wait=true",
                "{\"content\":\"extra\"}").code()).isEqualTo(200);
        Interaction filled = fake.interaction(deferred);
        assertThat(filled.original()).isEqualTo("filled");
        assertThat(filled.followups()).containsExactly("extra");
        assertThat(filled.originalEdits()).isZero();

        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        Reply expired = rest("PATCH", "webhooks/" + APP_ID + "/" + token + "/messages/@original",
                "{\"content\":\"after the deadline\"}");
        assertThat(expired.code()).isEqualTo(401);
        assertThat(json(expired).path("code").asInt()).isEqualTo(50027);
        assertThat(fake.interaction(id).original()).isEqualTo("hello again");
    }

    @Test
    void afterANetworkCutJdaResumesAndGetsWhatWasPostedMeanwhileOnce() throws Exception {
        JDA jda = connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT));
        String before = fake.post(C1, U1, "before the cut");
        awaitMessage(before);

        fake.dropGateway();
        String meanwhile = fake.post(C1, U2, "while you were away");
        await().atMost(Duration.ofSeconds(10)).until(() -> fake.resumes() == 1);
        String afterwards = fake.post(C1, U1, "welcome back");
        awaitMessage(afterwards);

        List<String> seen = eventsOf(MessageReceivedEvent.class).stream().map(MessageReceivedEvent::getMessageId)
                .toList();
        assertThat(seen).containsExactly(before, meanwhile, afterwards);
        assertThat(awaitMessage(meanwhile).getMessage().getContentRaw()).isEqualTo("while you were away");
        assertThat(eventsOf(SessionResumeEvent.class)).hasSize(1);
        assertThat(fake.identifies()).isEqualTo(1);
        assertThat(fake.gatewayConnections()).isEqualTo(2);
        assertThat(jda.getStatus()).isEqualTo(JDA.Status.CONNECTED);
    }

    @Test
    void anInvalidatedSessionMakesJdaIdentifyAgain() throws Exception {
        // ConcurrentSessionController spaces IDENTIFYs 5 s apart (Discord's rule); this controller does not, to
        // keep the test short. JDA still waits its 2 s reconnect backoff.
        connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT), new ImpatientGateway(fake));
        // Counted from here: on a loaded machine JDA may already have missed a heartbeat ack and resumed once.
        int identifies = fake.identifies();
        int resumes = fake.resumes();
        fake.invalidateSession();
        fake.dropGateway();
        await().atMost(Duration.ofSeconds(15)).until(() -> !eventsOf(SessionRecreateEvent.class).isEmpty());
        assertThat(fake.identifies()).isEqualTo(identifies + 1);
        assertThat(fake.resumes()).isEqualTo(resumes);
        String hello = fake.post(C1, U1, "still there?");
        assertThat(awaitMessage(hello).getMessage().getContentRaw()).isEqualTo("still there?");
    }

    @Test
    void directMessagesRepliesDeletesAndWorldChangesReachJda() throws Exception {
        JDA jda = connect(EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.DIRECT_MESSAGES,
                GatewayIntent.GUILD_MEMBERS));
        String dm = fake.dm(U1, "a private question");
        MessageReceivedEvent private1 = awaitMessage(dm);
        assertThat(private1.getChannelType()).isEqualTo(ChannelType.PRIVATE);
        assertThat(private1.getChannel().getId()).isEqualTo(fake.dmChannel(U1));
        assertThat(private1.getMessage().getContentRaw()).isEqualTo("a private question"); // DMs keep content
        private1.getChannel().sendMessage("a private answer").setAllowedMentions(NO_MENTIONS).complete();
        assertThat(fake.messages(fake.dmChannel(U1))).extracting(Message::content)
                .containsExactly("a private question", "a private answer");
        assertThat(jda.openPrivateChannelById(U2).complete().getId()).isEqualTo(fake.dmChannel(U2));

        net.dv8tion.jda.api.entities.Message mine = jda.getTextChannelById(C1).sendMessage("an answer")
                .setAllowedMentions(NO_MENTIONS).complete();
        String followUp = fake.reply(C1, U2, "what do you mean?", mine.getId());
        MessageReceivedEvent reply = awaitMessage(followUp);
        assertThat(reply.getMessage().getReferencedMessage().getId()).isEqualTo(mine.getId());
        assertThat(reply.getMessage().getContentRaw()).isEqualTo("what do you mean?"); // the reply pings the bot
        assertThat(fake.messages(C1)).last().extracting(Message::replyTo).isEqualTo(mine.getId());

        fake.delete(C1, followUp);
        await().atMost(Duration.ofSeconds(5)).until(() -> eventsOf(MessageDeleteEvent.class).stream()
                .anyMatch(e -> e.getMessageId().equals(followUp)));
        assertThat(fake.messages(C1)).last().extracting(Message::deleted).isEqualTo(true);

        String c9 = "300000000000000009";
        fake.textChannel(c9, "late-channel").role("500000000000000001", "helpers")
                .memberRoles(U1, "500000000000000001");
        await().atMost(Duration.ofSeconds(5)).until(() -> jda.getTextChannelById(c9) != null);
        await().atMost(Duration.ofSeconds(5)).until(() -> jda.getRoleById("500000000000000001") != null);
        String there = fake.post(c9, U1, "<@" + BOT_ID + "> hi from the new channel");
        assertThat(awaitMessage(there).getMember().getRoles()).extracting(r -> r.getName()).containsExactly("helpers");
    }

    @Test
    void aShardManagerFindsTheGatewayThroughRest() throws Exception {
        ShardManager shards = DefaultShardManagerBuilder.createLight(TOKEN,
                        EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT))
                .setRestConfig(new RestConfig().setBaseUrl(fake.restUrl()))
                .setSessionController(new FakeGateway(fake))
                .setCompression(Compression.NONE)
                .setEnableShutdownHook(false)
                .addEventListeners((EventListener) events::add)
                .build();
        try {
            JDA shard = shards.getShardById(0);
            shard.awaitReady();
            assertThat(shards.getShardsTotal()).isEqualTo(1);
            // Once for the shard total, once more by the first shard for the URL.
            assertThat(fake.count("GET", "gateway/bot")).isEqualTo(2);
            String hi = fake.post(C1, U1, "hello shards");
            assertThat(awaitMessage(hi).getJDA().getShardInfo().getShardId()).isZero();
        } finally {
            shards.shutdown();
        }
    }

    // ---- the wire, without JDA ----

    @Test
    void aGlobal429HoldsEveryAuthenticatedRouteAndRequestsInsideItsRetryAfterAreCounted() throws Exception {
        fake.forceGlobalRateLimit(Duration.ofSeconds(30));
        Reply limited = rest("GET", "users/@me", null);
        assertThat(limited.code()).isEqualTo(429);
        assertThat(limited.header("X-RateLimit-Global")).isEqualTo("true");
        assertThat(limited.header("Retry-After")).isEqualTo("30");
        assertThat(json(limited).path("retry_after").asDouble()).isEqualTo(30.0);
        assertThat(fake.requestsInRetryAfter()).as("the 429 itself came before any Retry-After").isZero();

        Reply tooSoon = rest("POST", "channels/" + C1 + "/messages", "{\"content\":\"too soon\"}");
        assertThat(tooSoon.code()).as("another route, inside the global Retry-After").isEqualTo(429);
        assertThat(json(tooSoon).path("retry_after").asDouble()).isBetween(29.0, 30.0);
        assertThat(fake.requestsInRetryAfter()).isEqualTo(1);
        assertThat(fake.globalRateLimited()).isEqualTo(2);
        assertThat(fake.calls()).extracting(FakeDiscord.Call::inRetryAfter).containsExactly(false, true);
        assertThat(fake.messages(C1)).isEmpty();
    }

    @Test
    void restAnswersCarryBucketsAndRefuseOverTheLimitWith429() throws Exception {
        fake.channelLimit(2, Duration.ofSeconds(30));
        Reply first = rest("POST", "channels/" + C1 + "/messages", "{\"content\":\"one\"}");
        assertThat(first.code()).isEqualTo(200);
        assertThat(first.header("X-RateLimit-Limit")).isEqualTo("2");
        assertThat(first.header("X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(Double.parseDouble(first.header("X-RateLimit-Reset-After"))).isBetween(29.0, 30.0);
        assertThat(Double.parseDouble(first.header("X-RateLimit-Reset")))
                .isGreaterThan(Instant.now().getEpochSecond() + 28);
        assertThat(first.header("Via")).isNotBlank();
        String postBucket = first.header("X-RateLimit-Bucket");
        String id = json(first).path("id").asText();

        Reply edit = rest("PATCH", "channels/" + C1 + "/messages/" + id, "{\"content\":\"one!\"}");
        assertThat(edit.header("X-RateLimit-Remaining")).isEqualTo("0"); // edits share the channel's window
        assertThat(edit.header("X-RateLimit-Bucket")).isNotEqualTo(postBucket);

        Reply refused = rest("POST", "channels/" + C1 + "/messages", "{\"content\":\"three\"}");
        assertThat(refused.code()).isEqualTo(429);
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(29L, 30L);
        assertThat(refused.header("X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(refused.header("X-RateLimit-Scope")).isEqualTo("shared");
        assertThat(refused.header("X-RateLimit-Bucket")).isEqualTo(postBucket);
        assertThat(refused.header("X-RateLimit-Global")).isNull();
        JsonNode limited = json(refused);
        assertThat(limited.path("message").asText()).isEqualTo("You are being rate limited.");
        assertThat(limited.path("retry_after").asDouble()).isBetween(29.0, 30.0);
        assertThat(limited.path("global").asBoolean()).isFalse();
        assertThat(rest("POST", "channels/" + C2 + "/messages", "{\"content\":\"other channel\"}").code())
                .isEqualTo(200);

        fake.globalLimit(3);
        int ok = 0;
        Reply global;
        while ((global = rest("GET", "users/@me", null)).code() == 200) {
            ok++;
        }
        assertThat(ok).isLessThanOrEqualTo(3);
        assertThat(global.code()).isEqualTo(429);
        assertThat(global.header("X-RateLimit-Global")).isEqualTo("true");
        assertThat(global.header("X-RateLimit-Scope")).isEqualTo("global");
        assertThat(global.header("Retry-After")).isEqualTo("1");
        assertThat(json(global).path("global").asBoolean()).isTrue();
        assertThat(fake.rateLimited()).isEqualTo(2);
        assertThat(fake.rateLimitedByRoute()).containsExactly(Map.entry("global GET users/@me", 1L),
                Map.entry("shared POST channels/{id}/messages", 1L));
        assertThat(fake.callsByRoute()).containsEntry("POST channels/{id}/messages", 3L)
                .containsEntry("PATCH channels/{id}/messages/{id}", 1L);
        assertThat(fake.messages(C1)).extracting(Message::content).containsExactly("one!");
    }

    @Test
    void theGatewayReplaysMissedDispatchesOnResumeAndHidesContentWithoutTheIntent() throws Exception {
        int intents = 1 | 1 << 9 | 1 << 12; // GUILDS, GUILD_MESSAGES, DIRECT_MESSAGES; no MESSAGE_CONTENT
        Socket first = Socket.open(fake);
        JsonNode hello = first.next();
        assertThat(hello.path("op").asInt()).isEqualTo(10);
        assertThat(hello.at("/d/heartbeat_interval").asInt()).isPositive();
        first.send("{\"op\":1,\"d\":null}");
        assertThat(first.next().path("op").asInt()).isEqualTo(11);
        first.send("{\"op\":2,\"d\":{\"token\":\"" + TOKEN + "\",\"intents\":" + intents
                + ",\"properties\":{\"os\":\"linux\",\"browser\":\"test\",\"device\":\"test\"}}}");
        JsonNode ready = first.next();
        assertThat(ready.path("t").asText()).isEqualTo("READY");
        assertThat(ready.path("s").asInt()).isEqualTo(1);
        assertThat(ready.at("/d/user/id").asText()).isEqualTo(BOT_ID);
        assertThat(ready.at("/d/resume_gateway_url").asText()).isEqualTo(fake.gatewayUrl());
        String session = ready.at("/d/session_id").asText();
        JsonNode guild = first.next();
        assertThat(guild.path("t").asText()).isEqualTo("GUILD_CREATE");
        assertThat(guild.at("/d/channels")).hasSize(3);

        fake.post(C1, U1, "not for the bot");
        fake.post(C1, U1, "<@" + BOT_ID + "> for the bot");
        fake.dm(U2, "in private");
        assertThat(first.next().at("/d/content").asText()).isEmpty();
        assertThat(first.next().at("/d/content").asText()).isEqualTo("<@" + BOT_ID + "> for the bot");
        JsonNode dm = first.next();
        assertThat(dm.at("/d/content").asText()).isEqualTo("in private");
        assertThat(dm.at("/d/guild_id").isMissingNode()).isTrue();
        long seq = dm.path("s").asLong();
        first.abort();

        String missed = fake.post(C1, U2, "<@" + BOT_ID + "> while away");
        Socket second = Socket.open(fake);
        second.next(); // HELLO
        second.send("{\"op\":6,\"d\":{\"token\":\"" + TOKEN + "\",\"session_id\":\"" + session + "\",\"seq\":"
                + (seq - 1) + "}}");
        JsonNode replayedDm = second.next();
        assertThat(replayedDm.path("s").asLong()).isEqualTo(seq);
        JsonNode replayed = second.next();
        assertThat(replayed.at("/d/id").asText()).isEqualTo(missed);
        assertThat(replayed.path("s").asLong()).isEqualTo(seq + 1);
        assertThat(second.next().path("t").asText()).isEqualTo("RESUMED");
        assertThat(fake.resumes()).isEqualTo(1);

        fake.invalidateSession();
        second.abort();
        Socket third = Socket.open(fake);
        third.next();
        third.send("{\"op\":6,\"d\":{\"token\":\"" + TOKEN + "\",\"session_id\":\"" + session + "\",\"seq\":"
                + (seq + 1) + "}}");
        JsonNode invalid = third.next();
        assertThat(invalid.path("op").asInt()).isEqualTo(9);
        assertThat(invalid.path("d").asBoolean()).isFalse();
        third.send("{\"op\":2,\"d\":{\"token\":\"wrong\",\"intents\":" + intents + "}}");
        assertThat(third.closeCode()).isEqualTo(4004);
        assertThat(fake.identifies()).isEqualTo(1);
    }

    // ---- helpers ----

    /** Points JDA at the fake Gateway; {@code DefaultShardManagerBuilder} asks {@code GET gateway/bot} instead. */
    private static final class FakeGateway extends ConcurrentSessionController {
        private final String url;

        FakeGateway(FakeDiscord fake) {
            this.url = fake.gatewayUrl();
        }

        @Override
        public String getGateway() {
            return url;
        }
    }

    /** Like {@link FakeGateway}, without the 5 s between IDENTIFYs. */
    private static final class ImpatientGateway extends SessionControllerAdapter {
        private final String url;

        ImpatientGateway(FakeDiscord fake) {
            this.url = fake.gatewayUrl();
        }

        @Override
        public String getGateway() {
            return url;
        }

        @Override
        protected void runWorker() {
            synchronized (lock) {
                if (workerHandle == null) {
                    workerHandle = new QueueWorker(0L);
                    workerHandle.start();
                }
            }
        }
    }

    private JDA connect(EnumSet<GatewayIntent> intents, EventListener... listeners) throws InterruptedException {
        return connect(intents, new FakeGateway(fake), listeners);
    }

    private JDA connect(EnumSet<GatewayIntent> intents, SessionController gateway, EventListener... listeners)
            throws InterruptedException {
        JDA jda = JDABuilder.createLight(TOKEN, intents)
                .setRestConfig(new RestConfig().setBaseUrl(fake.restUrl()))
                .setSessionController(gateway)
                .setCompression(Compression.NONE)
                .setEnableShutdownHook(false)
                .addEventListeners((EventListener) events::add)
                .addEventListeners((Object[]) listeners)
                .build();
        jdas.add(jda);
        jda.awaitReady();
        return jda;
    }

    private <T> List<T> eventsOf(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private MessageReceivedEvent awaitMessage(String id) {
        return await().atMost(Duration.ofSeconds(5)).until(
                () -> eventsOf(MessageReceivedEvent.class).stream().filter(e -> e.getMessageId().equals(id))
                        .findFirst().orElse(null),
                e -> e != null);
    }

    /** An answer read whole, so no connection is left open. */
    private record Reply(int code, Headers headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private Reply send(Request request) throws IOException {
        try (Response response = http.newCall(request).execute()) {
            return new Reply(response.code(), response.headers(), response.body().string());
        }
    }

    private Reply rest(String method, String path, String body) throws IOException {
        RequestBody requestBody = body == null
                ? ("GET".equals(method) ? null : RequestBody.create(new byte[0], null))
                : RequestBody.create(body, JSON_TYPE);
        Request request = new Request.Builder()
                .url(fake.restUrl() + path)
                .header("Authorization", "Bot " + TOKEN)
                .method(method, requestBody)
                .build();
        return send(request);
    }

    private Reply callback(String interaction, String body, boolean withResponse) throws IOException {
        String token = fake.interaction(interaction).token();
        return rest("POST", "interactions/" + interaction + "/" + token + "/callback"
                + (withResponse ? "?with_response=true" : ""), body);
    }

    private static JsonNode json(Reply reply) throws IOException {
        return JSON.readTree(reply.body());
    }

    /** A bare Gateway client (the JDK's WebSocket) to look at the wire. */
    private static final class Socket implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket ws;

        static Socket open(FakeDiscord fake) {
            Socket s = new Socket();
            s.ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(fake.gatewayUrl() + "?v=10&encoding=json"), s).join();
            return s;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }

        void send(String text) {
            ws.sendText(text, true).join();
        }

        JsonNode next() throws Exception {
            String text = frames.poll(5, TimeUnit.SECONDS);
            assertThat(text).as("a Gateway frame within 5 s").isNotNull();
            return JSON.readTree(text);
        }

        int closeCode() throws Exception {
            return closed.get(5, TimeUnit.SECONDS);
        }

        void abort() {
            ws.abort();
        }
    }
}

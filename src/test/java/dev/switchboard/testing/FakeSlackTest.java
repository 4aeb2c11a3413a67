package dev.switchboard.testing;

import static dev.switchboard.testing.FakeSlack.APP_TOKEN;
import static dev.switchboard.testing.FakeSlack.BOT_ID;
import static dev.switchboard.testing.FakeSlack.BOT_TOKEN;
import static dev.switchboard.testing.FakeSlack.BOT_USER;
import static dev.switchboard.testing.FakeSlack.SIGNING_SECRET;
import static dev.switchboard.testing.FakeSlack.TEAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.app_backend.SlackSignature;
import com.slack.api.app_backend.slash_commands.payload.SlashCommandPayload;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.socket_mode.SocketModeApp;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackFilesUploadV2Exception;
import com.slack.api.methods.request.files.FilesCompleteUploadExternalRequest.FileDetails;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatStartStreamResponse;
import com.slack.api.methods.response.conversations.ConversationsOpenResponse;
import com.slack.api.methods.response.conversations.ConversationsRepliesResponse;
import com.slack.api.methods.response.files.FilesGetUploadURLExternalResponse;
import com.slack.api.methods.response.files.FilesUploadV2Response;
import com.slack.api.model.event.AppMentionEvent;
import com.slack.api.model.event.MessageEvent;
import com.slack.api.socket_mode.SocketModeClient;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.testing.FakeSlack.Delivery;
import dev.switchboard.testing.FakeSlack.Ephemeral;
import dev.switchboard.testing.FakeSlack.File;
import dev.switchboard.testing.FakeSlack.Message;
import dev.switchboard.testing.FakeSlack.Scope;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake is only useful if the real SDK and Bolt accept it and it refuses what Slack refuses. */
class FakeSlackTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeSlack fake;
    private Slack slack;
    private MethodsClient api;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void setUp() {
        fake = FakeSlack.start()
                .user("U1", "Ada Lovelace")
                .user("U2", "Grace Hopper")
                .channel("C1", "general")
                .channel("C3", "support")
                .channelWithoutBot("C2", "random");
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(fake.apiUrl());
        slack = Slack.getInstance(config);
        api = slack.methods(BOT_TOKEN);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
        fake.close();
        slack.close();
    }

    // ---- Web API through the real client ----

    private static final String FEEDBACK = "[{\"type\":\"context_actions\",\"block_id\":\"fb-1\",\"elements\":[{"
            + "\"type\":\"feedback_buttons\",\"action_id\":\"rate\","
            + "\"positive_button\":{\"text\":{\"type\":\"plain_text\",\"text\":\"👍\"},\"value\":\"up\"},"
            + "\"negative_button\":{\"text\":{\"type\":\"plain_text\",\"text\":\"👎\"},\"value\":\"down\"}}]}]";

    @Test
    void blocksAreCheckedLooselyKeptAndShown_andFeedbackButtonsCanBePressed() throws Exception {
        String parent = fake.post("C1", "U1", "hello <@U0BOT>");
        String ts = api.chatPostMessage(r -> r.channel("C1").threadTs(parent).text("answer")).getTs();

        assertThat(api.chatUpdate(r -> r.channel("C1").ts(ts).text("answer").blocksAsString("[{\"type\":\"bogus\"}]"))
                .getError()).isEqualTo("invalid_blocks");
        assertThat(api.chatUpdate(r -> r.channel("C1").ts(ts).text("answer").blocksAsString(FEEDBACK.replace(
                "\"value\":\"down\"", "\"value\":\"\""))).getError()).as("a button without a value")
                .isEqualTo("invalid_blocks");
        assertThat(api.chatUpdate(r -> r.channel("C1").ts(ts).text("answer").blocksAsString("not json")).getError())
                .isEqualTo("invalid_blocks_format");
        assertThat(fake.blocks("C1", ts)).isEmpty();

        assertThat(api.chatUpdate(r -> r.channel("C1").ts(ts).text("answer").blocksAsString(FEEDBACK)).isOk())
                .isTrue();
        assertThat(fake.blocks("C1", ts).get(0).path("elements").get(0).path("type").asText())
                .isEqualTo("feedback_buttons");
        ConversationsRepliesResponse replies = api.conversationsReplies(r -> r.channel("C1").ts(parent));
        assertThat(replies.getMessages().getLast().getBlocks()).hasSize(1);

        FakeSlackInteractions.Press press = fake.feedbackPress("C1", ts, "U2", false);
        assertThat(press.actionId()).isEqualTo("rate");
        assertThat(press.value()).isEqualTo("down");
        assertThat(press.threadTs()).isEqualTo(parent);
        var payload = FakeSlackInteractions.blockActions(press);
        assertThat(payload.path("type").asText()).isEqualTo("block_actions");
        assertThat(payload.path("container").path("message_ts").asText()).isEqualTo(ts);
        assertThat(payload.path("actions").get(0).path("type").asText()).isEqualTo("feedback_buttons");
        assertThat(payload.path("message").path("blocks")).hasSize(1);
    }


    @Test
    void theBotPostsAndEditsInAThreadAndOnlyItsOwnMessages() throws Exception {
        String parent = fake.post("C1", "U1", "hello <@U0BOT>");

        ChatPostMessageResponse posted = api.chatPostMessage(r -> r.channel("C1").threadTs(parent).text("Hi Ada"));
        assertThat(posted.isOk()).isTrue();
        assertThat(posted.getTs()).matches("\\d{10}\\.\\d{6}");
        assertThat(posted.getMessage().getBotId()).isEqualTo(BOT_ID);
        assertThat(posted.getMessage().getUser()).isEqualTo(BOT_USER);
        assertThat(api.chatUpdate(r -> r.channel("C1").ts(posted.getTs()).text("Hi Ada, again")).isOk()).isTrue();

        assertThat(fake.thread("C1", parent)).extracting(Message::text).containsExactly("hello <@U0BOT>", "Hi Ada, again");
        assertThat(fake.botMessages()).singleElement().satisfies(m -> {
            assertThat(m.threadTs()).isEqualTo(parent);
            assertThat(m.edits()).isEqualTo(1);
            assertThat(m.user()).isEqualTo(BOT_USER);
        });

        assertThat(api.chatUpdate(r -> r.channel("C1").ts(parent).text("hijack")).getError())
                .isEqualTo("cant_update_message");
        assertThat(api.chatUpdate(r -> r.channel("C1").ts("1000000000.000100").text("x")).getError())
                .isEqualTo("message_not_found");
        assertThat(api.chatPostMessage(r -> r.channel("C2").text("x")).getError()).isEqualTo("not_in_channel");
        assertThat(api.chatPostMessage(r -> r.channel("C9").text("x")).getError()).isEqualTo("channel_not_found");
        assertThat(api.chatPostMessage(r -> r.channel("C1")).getError()).isEqualTo("no_text");
        assertThat(api.chatPostMessage(r -> r.channel("C1").threadTs("1000000000.000100").text("x")).getError())
                .isEqualTo("thread_not_found");

        assertThat(api.chatDelete(r -> r.channel("C1").ts(posted.getTs())).isOk()).isTrue();
        assertThat(api.chatUpdate(r -> r.channel("C1").ts(posted.getTs()).text("zombie")).getError())
                .isEqualTo("message_not_found");
        assertThat(fake.botMessages()).singleElement().extracting(Message::deleted).isEqualTo(true);
    }

    @Test
    void longTextsBadTokensUnknownMethodsAndScriptedFailuresAreRefused() throws Exception {
        assertThat(api.chatPostMessage(r -> r.channel("C1").text("x".repeat(4000))).isOk()).isTrue();
        assertThat(api.chatPostMessage(r -> r.channel("C1").text("x".repeat(4001))).getError())
                .isEqualTo("msg_too_long");
        String ts = api.chatPostMessage(r -> r.channel("C3").text("short")).getTs();
        fake.maxTextChars(100);
        assertThat(api.chatUpdate(r -> r.channel("C3").ts(ts).text("y".repeat(101))).getError())
                .isEqualTo("msg_too_long");

        assertThat(slack.methods("xoxb-not-ours").authTest(r -> r).getError()).isEqualTo("invalid_auth");
        assertThat(slack.methods("xoxb-not-ours").chatPostMessage(r -> r.channel("C1").text("x")).getError())
                .isEqualTo("invalid_auth");
        assertThat(slack.methods(APP_TOKEN).chatPostMessage(r -> r.channel("C1").text("x")).getError())
                .isEqualTo("not_allowed_token_type");
        assertThat(api.appsConnectionsOpen(r -> r).getError()).isEqualTo("not_allowed_token_type");
        assertThat(slack.methods(APP_TOKEN).appsConnectionsOpen(r -> r).getUrl())
                .startsWith("ws://127.0.0.1:" + fake.port() + "/");
        var auth = api.authTest(r -> r);
        assertThat(auth.getUserId()).isEqualTo(BOT_USER);
        assertThat(auth.getBotId()).isEqualTo(BOT_ID);
        assertThat(auth.getTeamId()).isEqualTo(TEAM);

        HttpResponse<String> unknown = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(fake.apiUrl() + "chat.teleport"))
                        .header("Authorization", "Bearer " + BOT_TOKEN)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(unknown.body()).path("error").asText()).isEqualTo("unknown_method");

        fake.failNext("chat.postMessage", "fatal_error");
        assertThat(api.chatPostMessage(r -> r.channel("C1").text("x")).getError()).isEqualTo("fatal_error");
        assertThat(api.chatPostMessage(r -> r.channel("C1").text("x")).isOk()).isTrue();
        assertThat(fake.calls()).filteredOn(c -> "fatal_error".equals(c.error())).singleElement()
                .satisfies(c -> assertThat(c.params()).containsEntry("channel", "C1").doesNotContainKey("token"));
    }

    @Test
    void overTheLimitTheSdkThrowsWith429AndRetryAfter() throws Exception {
        fake.limit("chat.postMessage", 2, Duration.ofSeconds(30), Scope.CHANNEL);
        api.chatPostMessage(r -> r.channel("C1").text("one"));
        api.chatPostMessage(r -> r.channel("C1").text("two"));

        SlackApiException e = catchThrowableOfType(SlackApiException.class,
                () -> api.chatPostMessage(r -> r.channel("C1").text("three")));
        assertThat(e.getResponse().code()).isEqualTo(429);
        assertThat(Integer.parseInt(e.getResponse().header("Retry-After"))).isBetween(29, 30);
        assertThat(e.getError().getError()).isEqualTo("ratelimited");
        assertThat(api.chatPostMessage(r -> r.channel("C3").text("other channel")).isOk()).isTrue();
        assertThat(fake.rateLimited("chat.postMessage")).isEqualTo(1);
        assertThat(fake.count("chat.postMessage")).isEqualTo(4);
        assertThat(fake.messages("C1")).hasSize(2);

        fake.limit("chat.update", 1, Duration.ofMillis(300), Scope.WORKSPACE);
        String ts = fake.botMessages().get(0).ts();
        api.chatUpdate(r -> r.channel("C1").ts(ts).text("edited"));
        SlackApiException again = catchThrowableOfType(SlackApiException.class,
                () -> api.chatUpdate(r -> r.channel("C1").ts(ts).text("too soon")));
        assertThat(again.getResponse().header("Retry-After")).isEqualTo("1");
        await().atMost(Duration.ofSeconds(2)).ignoreException(SlackApiException.class).until(() ->
                api.chatUpdate(r -> r.channel("C1").ts(ts).text("later")).isOk());
    }

    @Test
    void repliesComeInPagesWithTheirAuthors() throws Exception {
        String parent = fake.post("C1", "U1", "question");
        fake.reply("C1", parent, "U2", "me too");
        String botReply = api.chatPostMessage(r -> r.channel("C1").threadTs(parent).text("answer")).getTs();
        fake.reply("C1", parent, "U1", "thanks");

        ConversationsRepliesResponse first = api.conversationsReplies(r -> r.channel("C1").ts(parent).limit(2));
        assertThat(first.isOk()).isTrue();
        assertThat(first.isHasMore()).isTrue();
        assertThat(first.getMessages()).extracting(m -> m.getText()).containsExactly("question", "me too");
        assertThat(first.getMessages().get(0).getReplyCount()).isEqualTo(3);
        assertThat(first.getMessages().get(1).getThreadTs()).isEqualTo(parent);
        String cursor = first.getResponseMetadata().getNextCursor();
        ConversationsRepliesResponse second =
                api.conversationsReplies(r -> r.channel("C1").ts(parent).limit(2).cursor(cursor));
        assertThat(second.isHasMore()).isFalse();
        assertThat(second.getMessages()).extracting(m -> m.getTs()).containsExactly(botReply,
                fake.thread("C1", parent).get(3).ts());
        assertThat(second.getMessages().get(0).getBotId()).isEqualTo(BOT_ID);
        assertThat(second.getMessages().get(0).getUser()).isEqualTo(BOT_USER);
        assertThat(second.getMessages().get(1).getUser()).isEqualTo("U1");

        assertThat(api.conversationsReplies(r -> r.channel("C1").ts("1000000000.000100")).getError())
                .isEqualTo("thread_not_found");

        // A deleted parent with replies stays as a tombstone; a deleted lone message takes its thread with it.
        fake.delete("C1", parent);
        assertThat(api.conversationsReplies(r -> r.channel("C1").ts(parent)).getMessages().get(0).getSubtype())
                .isEqualTo("tombstone");
        assertThat(api.chatPostMessage(r -> r.channel("C1").threadTs(parent).text("still here")).isOk()).isTrue();
        String lone = fake.post("C1", "U2", "never mind");
        fake.delete("C1", lone);
        assertThat(api.chatPostMessage(r -> r.channel("C1").threadTs(lone).text("too late")).getError())
                .isEqualTo("thread_not_found");
        var user = api.usersInfo(r -> r.user("U1"));
        assertThat(user.getUser().getProfile().getDisplayName()).isEqualTo("Ada Lovelace");
        assertThat(user.getUser().getRealName()).isEqualTo("Ada Lovelace");
        assertThat(user.getUser().isBot()).isFalse();
        assertThat(api.usersInfo(r -> r.user("U404")).getError()).isEqualTo("user_not_found");
    }

    @Test
    void historyShowsTopLevelMessagesNewestFirstInPagesWithTheMetadataTheBotPosted() throws Exception {
        String before = fake.post("C1", "U1", "earlier");
        com.slack.api.model.Message.Metadata marker = com.slack.api.model.Message.Metadata.builder()
                .eventType("switchboard_ask").eventPayload(Map.of("ask_id", "trigger-1")).build();
        String marked = api.chatPostMessage(r -> r.channel("C1").text("<@U1> asked: why?").metadata(marker))
                .getTs();
        fake.reply("C1", marked, "U2", "in the thread, not in the channel's history");
        String after = fake.post("C1", "U2", "later");

        var first = api.conversationsHistory(r -> r.channel("C1").oldest(before).inclusive(false).limit(1)
                .includeAllMetadata(true));
        assertThat(first.getMessages()).extracting(m -> m.getTs()).containsExactly(after);
        assertThat(first.isHasMore()).isTrue();
        var second = api.conversationsHistory(r -> r.channel("C1").oldest(before).limit(5).includeAllMetadata(true)
                .cursor(first.getResponseMetadata().getNextCursor()));
        assertThat(second.getMessages()).extracting(m -> m.getTs()).containsExactly(marked);
        assertThat(second.isHasMore()).isFalse();
        assertThat(second.getMessages().getFirst().getMetadata().getEventType()).isEqualTo("switchboard_ask");
        assertThat(second.getMessages().getFirst().getMetadata().getEventPayload()).isEqualTo(marker.getEventPayload());
        var withoutMetadata = api.conversationsHistory(r -> r.channel("C1").oldest(marked).inclusive(true));
        assertThat(withoutMetadata.getMessages()).extracting(m -> m.getTs()).containsExactly(after, marked);
        assertThat(withoutMetadata.getMessages()).allMatch(m -> m.getMetadata() == null);
        assertThat(api.conversationsHistory(r -> r.channel("C2")).getError()).isEqualTo("not_in_channel");
        assertThat(api.chatPostMessage(r -> r.channel("C1").text("x").metadataAsString("{\"event_type\":1}"))
                .getError()).isEqualTo("invalid_metadata_format");
    }

    @Test
    void threadRepliesShowTheMetadataTheBotPostedOnlyWhenAskedForAll() throws Exception {
        String parent = fake.post("C1", "U1", "<@U0BOT> why?");
        com.slack.api.model.Message.Metadata marker = com.slack.api.model.Message.Metadata.builder()
                .eventType("switchboard_reply").eventPayload(Map.of("reply_to", parent)).build();
        String marked = api.chatPostMessage(r -> r.channel("C1").threadTs(parent).text("_thinking…_")
                .metadata(marker)).getTs();

        var with = api.conversationsReplies(r -> r.channel("C1").ts(parent).includeAllMetadata(true));
        assertThat(with.getMessages()).extracting(m -> m.getTs()).containsExactly(parent, marked);
        assertThat(with.getMessages().get(0).getMetadata()).isNull();
        assertThat(with.getMessages().get(1).getMetadata().getEventType()).isEqualTo("switchboard_reply");
        assertThat(with.getMessages().get(1).getMetadata().getEventPayload()).isEqualTo(marker.getEventPayload());
        assertThat(api.conversationsReplies(r -> r.channel("C1").ts(parent)).getMessages())
                .allMatch(m -> m.getMetadata() == null);
    }

    /** A stream call with {@code chunks}, as a form POST (the SDK's request classes have no such field). */
    private ChatStartStreamResponse chunked(String method, Map<String, String> args, String chunks) throws Exception {
        return api.postFormWithTokenAndParseResponse(form -> {
            args.forEach(form::add);
            return chunks == null ? form : form.add("chunks", chunks);
        }, method, BOT_TOKEN, ChatStartStreamResponse.class);
    }

    @Test
    void streamChunksShowTasksAndTextAndAreCheckedAsSlackDoes() throws Exception {
        String parent = fake.post("C1", "U1", "<@U0BOT> tell me");
        Map<String, String> opening = Map.of("channel", "C1", "thread_ts", parent, "recipient_team_id", TEAM,
                "recipient_user_id", "U1");
        String task = "[{\"type\":\"task_update\",\"id\":\"t1\",\"title\":\"search\",\"status\":\"%s\"}]";
        assertThat(chunked("chat.startStream", with(opening, "task_display_mode", "list"), task.formatted("pending"))
                .getError()).isEqualTo("invalid_arguments");
        assertThat(chunked("chat.startStream", opening, task.formatted("running")).getError())
                .isEqualTo("invalid_arguments");
        assertThat(chunked("chat.startStream", opening, "[{\"type\":\"poll\"}]").getError())
                .isEqualTo("invalid_arguments");
        ChatStartStreamResponse started = chunked("chat.startStream", with(opening, "task_display_mode", "plan"),
                task.formatted("in_progress"));
        assertThat(started.isOk()).isTrue();
        String ts = started.getTs();
        Map<String, String> stream = Map.of("channel", "C1", "ts", ts);

        assertThat(chunked("chat.appendStream", stream, "[{\"type\":\"task_update\",\"id\":\"t1\",\"title\":\""
                + "x".repeat(300) + "\",\"status\":\"complete\"}]").getError()).isEqualTo("msg_too_long");
        assertThat(chunked("chat.appendStream", stream, "[{\"type\":\"markdown_text\",\"text\":\"Found it.\"},"
                + task.formatted("complete").substring(1)).isOk()).isTrue();
        assertThat(chunked("chat.stopStream", stream, null).isOk()).isTrue();

        assertThat(fake.thread("C1", parent).get(1).text()).isEqualTo("Found it.");
        assertThat(fake.streamTasks("C1", ts)).extracting(t -> t.id() + " " + t.title() + " " + t.status())
                .containsExactly("t1 search complete");
        assertThat(fake.streamTaskMode("C1", ts)).isEqualTo("plan");
    }

    private static Map<String, String> with(Map<String, String> args, String key, String value) {
        Map<String, String> more = new java.util.HashMap<>(args);
        more.put(key, value);
        return more;
    }

    @Test
    void nativeStreamingNeedsARecipientInChannelsAndEndsOnStop() throws Exception {
        String parent = fake.post("C1", "U1", "<@U0BOT> tell me");
        assertThat(api.chatStartStream(r -> r.channel("C1").threadTs(parent)).getError())
                .isEqualTo("missing_recipient_team_id");
        assertThat(api.chatStartStream(r -> r.channel("C1").threadTs(parent).recipientTeamId(TEAM)).getError())
                .isEqualTo("missing_recipient_user_id");
        ChatStartStreamResponse started = api.chatStartStream(r -> r.channel("C1").threadTs(parent)
                .recipientTeamId(TEAM).recipientUserId("U1").markdownText("Hello"));
        assertThat(started.isOk()).isTrue();
        String ts = started.getTs();
        assertThat(fake.thread("C1", parent).get(1).streaming()).isTrue();

        assertThat(api.chatAppendStream(r -> r.channel("C1").ts(ts).markdownText(" **world**")).isOk()).isTrue();
        assertThat(api.chatAppendStream(r -> r.channel("C1").ts(ts).markdownText("x".repeat(12_001))).getError())
                .isEqualTo("msg_too_long");
        assertThat(api.chatStopStream(r -> r.channel("C1").ts(ts).markdownText("!")).isOk()).isTrue();
        assertThat(api.chatAppendStream(r -> r.channel("C1").ts(ts).markdownText("late")).getError())
                .isEqualTo("message_not_in_streaming_state");
        assertThat(api.chatStopStream(r -> r.channel("C1").ts(ts)).getError())
                .isEqualTo("message_not_in_streaming_state");
        assertThat(fake.thread("C1", parent).get(1)).satisfies(m -> {
            assertThat(m.text()).isEqualTo("Hello **world**!");
            assertThat(m.streaming()).isFalse();
            assertThat(m.botId()).isEqualTo(BOT_ID);
        });

        String dm = fake.dm("U1", "hi");
        assertThat(api.chatStartStream(r -> r.channel("DU1").threadTs(dm).markdownText("in a DM")).isOk()).isTrue();

        assertThat(api.assistantThreadsSetStatus(r -> r.channelId("C1").threadTs(parent).status("is thinking…"))
                .isOk()).isTrue();
        assertThat(api.assistantThreadsSetStatus(r -> r.channelId("C1").threadTs(parent).status("")).isOk()).isTrue();
        assertThat(fake.statuses("C1", parent)).containsExactly("is thinking…", "");
    }

    @Test
    void filesUploadV2DeliversAThreadExportToTheUsersDmAndIntoAChannelThread() throws Exception {
        byte[] export = "{\"thread\":[{\"user\":\"U1\",\"text\":\"h\u00e9llo \u2603\"}]}"
                .getBytes(StandardCharsets.UTF_8);

        ConversationsOpenResponse opened = api.conversationsOpen(r -> r.users(List.of("U1")));
        assertThat(opened.isOk()).isTrue();
        assertThat(opened.isAlreadyOpen()).isFalse();
        String dm = opened.getChannel().getId();
        assertThat(dm).isEqualTo("DU1");
        ConversationsOpenResponse again = api.conversationsOpen(r -> r.users(List.of("U1")).returnIm(true));
        assertThat(again.getChannel().getId()).isEqualTo(dm);
        assertThat(again.isAlreadyOpen()).isTrue();
        assertThat(again.getChannel().isIm()).isTrue();
        assertThat(again.getChannel().getUser()).isEqualTo("U1");

        FilesUploadV2Response toDm = api.filesUploadV2(r -> r.channel(dm).fileData(export).filename("thread.json")
                .title("Thread export").initialComment("Here is the thread you asked for"));
        assertThat(toDm.isOk()).isTrue();
        com.slack.api.model.File shared = toDm.getFile();
        assertThat(shared.getId()).matches("F[0-9A-Z]+");
        assertThat(shared.getName()).isEqualTo("thread.json");
        assertThat(shared.getTitle()).isEqualTo("Thread export");
        assertThat(shared.getSize()).isEqualTo(export.length);
        assertThat(shared.getMimetype()).isEqualTo("application/json");
        assertThat(shared.getIms()).containsExactly(dm);
        assertThat(shared.getShares().getPrivateChannels()).containsKey(dm);

        String parent = fake.post("C1", "U1", "a thread worth keeping");
        FilesUploadV2Response toThread = api.filesUploadV2(r -> r.channel("C1").threadTs(parent).fileData(export)
                .filename("thread.json"));
        assertThat(toThread.isOk()).isTrue();
        assertThat(toThread.getFile().getTitle()).isEqualTo("thread.json"); // the SDK's default title
        assertThat(toThread.getFile().getShares().getPublicChannels().get("C1")).singleElement()
                .satisfies(d -> assertThat(d.getThreadTs()).isEqualTo(parent));

        assertThat(fake.files()).hasSize(2);
        File first = fake.files().get(0);
        assertThat(first.id()).isEqualTo(shared.getId());
        assertThat(first.channel()).isEqualTo(dm);
        assertThat(first.threadTs()).isNull();
        assertThat(first.name()).isEqualTo("thread.json");
        assertThat(first.title()).isEqualTo("Thread export");
        assertThat(first.comment()).isEqualTo("Here is the thread you asked for");
        assertThat(first.content()).isEqualTo(export);
        File second = fake.files().get(1);
        assertThat(second.channel()).isEqualTo("C1");
        assertThat(second.threadTs()).isEqualTo(parent);
        assertThat(second.comment()).isNull();
        assertThat(second.content()).isEqualTo(export);
        // Each share is a file_share message of the bot: in the DM, and in the channel's thread.
        assertThat(fake.messages(dm)).singleElement().satisfies(m -> {
            assertThat(m.ts()).isEqualTo(first.ts());
            assertThat(m.text()).isEqualTo("Here is the thread you asked for");
            assertThat(m.botId()).isEqualTo(BOT_ID);
        });
        assertThat(fake.thread("C1", parent)).extracting(Message::ts).containsExactly(parent, second.ts());

        // What the SDK sent, step by step.
        assertThat(fake.calls()).extracting(FakeSlack.Call::method).containsExactly("conversations.open",
                "conversations.open", "files.getUploadURLExternal", "files.completeUploadExternal",
                "files.getUploadURLExternal", "files.completeUploadExternal");
        assertThat(fake.calls().get(2).params()).containsEntry("filename", "thread.json")
                .containsEntry("length", Integer.toString(export.length));
        assertThat(fake.calls().get(3).params()).containsEntry("channel_id", dm)
                .containsEntry("initial_comment", "Here is the thread you asked for");
        JsonNode listed = JSON.readTree(fake.calls().get(3).params().get("files"));
        assertThat(listed.at("/0/id").asText()).isEqualTo(shared.getId());
        assertThat(listed.at("/0/title").asText()).isEqualTo("Thread export");
        assertThat(fake.calls().get(5).params()).containsEntry("thread_ts", parent);

        // url_private serves the bytes to the bot token only.
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(shared.getUrlPrivateDownload()))
                .header("Authorization", "Bearer " + BOT_TOKEN).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(export);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(shared.getUrlPrivate())).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }

    @Test
    void uploadsAreRefusedAsSlackRefusesThem() throws Exception {
        assertThat(api.filesGetUploadURLExternal(r -> r.filename("x.json").length(0)).getError())
                .isEqualTo("missing_argument");
        assertThat(api.filesGetUploadURLExternal(r -> r.length(10)).getError()).isEqualTo("invalid_arguments");
        assertThat(api.filesGetUploadURLExternal(r -> r.filename("x.json")).getError()).isEqualTo("invalid_arguments");
        assertThat(slack.methods(APP_TOKEN).filesGetUploadURLExternal(r -> r.filename("x.json").length(10))
                .getError()).isEqualTo("not_allowed_token_type");

        // Completing what was never uploaded, or a file id Slack never gave out.
        FilesGetUploadURLExternalResponse reserved =
                api.filesGetUploadURLExternal(r -> r.filename("x.json").length(10));
        assertThat(reserved.getUploadUrl()).startsWith("http://127.0.0.1:" + fake.port() + "/upload/v1/");
        assertThat(complete(reserved.getFileId(), "C1").getError()).isEqualTo("file_not_found");
        assertThat(complete("F0NOPE", "C1").getError()).isEqualTo("file_not_found");

        // The upload URL counts the bytes against the announced length, raw or multipart.
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> short3 = http.send(HttpRequest.newBuilder(URI.create(reserved.getUploadUrl()))
                .POST(HttpRequest.BodyPublishers.ofByteArray("abc".getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(short3.statusCode()).isEqualTo(400);
        assertThat(complete(reserved.getFileId(), "C1").getError()).isEqualTo("file_not_found");
        String boundary = "fakeboundary42";
        String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"x.json\""
                + "\r\nContent-Type: application/json\r\n\r\n0123456789\r\n--" + boundary + "--\r\n";
        HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(URI.create(reserved.getUploadUrl()))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).isEqualTo(200);
        assertThat(uploaded.body()).isEqualTo("OK - 10");

        // Where it may go: known channels the bot is in, and threads that exist.
        assertThat(complete(reserved.getFileId(), "C2").getError()).isEqualTo("not_in_channel");
        assertThat(complete(reserved.getFileId(), "C9").getError()).isEqualTo("channel_not_found");
        assertThat(api.filesCompleteUploadExternal(r -> r.files(List.of(new FileDetails(reserved.getFileId(), null,
                null))).channelId("C1").threadTs("1000000000.000100")).getError()).isEqualTo("thread_not_found");
        assertThat(api.filesCompleteUploadExternal(r -> r.files(List.of(new FileDetails(reserved.getFileId(), null,
                null))).channels(List.of("C1", "U2"))).isOk()).isTrue();
        assertThat(fake.files()).extracting(File::channel).containsExactly("C1", "DU2");
        assertThat(fake.files()).allSatisfy(f -> {
            assertThat(f.title()).isEqualTo("x.json");
            assertThat(new String(f.content(), StandardCharsets.UTF_8)).isEqualTo("0123456789");
        });
        // Completed once: the ticket and its URL are used up.
        assertThat(complete(reserved.getFileId(), "C1").getError()).isEqualTo("file_not_found");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(reserved.getUploadUrl()))
                .POST(HttpRequest.BodyPublishers.ofString("0123456789")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

        // filesUploadV2 surfaces a refused completion as SlackFilesUploadV2Exception.
        SlackFilesUploadV2Exception refused = catchThrowableOfType(SlackFilesUploadV2Exception.class,
                () -> api.filesUploadV2(r -> r.channel("C2").content("{}").filename("t.json")));
        assertThat(refused.getCompleteResponse().getError()).isEqualTo("not_in_channel");
        assertThat(refused.getUploadResponses().values()).singleElement()
                .satisfies(upload -> assertThat(upload.getCode()).isEqualTo(200));

        assertThat(api.conversationsOpen(r -> r.users(List.of("U9"))).getError()).isEqualTo("user_not_found");
        assertThat(api.conversationsOpen(r -> r).getError()).isEqualTo("users_list_not_supplied");
        assertThat(api.conversationsOpen(r -> r.channel("C1")).getError())
                .isEqualTo("method_not_supported_for_channel_type");
        assertThat(fake.files()).hasSize(2);

        fake.limit("files.getUploadURLExternal", 1, Duration.ofSeconds(30), Scope.WORKSPACE);
        api.filesGetUploadURLExternal(r -> r.filename("y.json").length(1));
        SlackApiException limited = catchThrowableOfType(SlackApiException.class,
                () -> api.filesGetUploadURLExternal(r -> r.filename("z.json").length(1)));
        assertThat(limited.getResponse().code()).isEqualTo(429);
    }

    private com.slack.api.methods.response.files.FilesCompleteUploadExternalResponse complete(String fileId,
                                                                                               String channel)
            throws Exception {
        return api.filesCompleteUploadExternal(r -> r.files(List.of(new FileDetails(fileId, null, null)))
                .channelId(channel));
    }

    @Test
    void timestampsAreUniqueIncreasingAndShapedLikeSlacks() {
        List<String> ts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ts.add(fake.post("C1", "U1", "m" + i));
        }
        assertThat(ts).allMatch(t -> t.matches("\\d{10}\\.\\d{6}"));
        assertThat(ts).doesNotHaveDuplicates();
        assertThat(ts).isSortedAccordingTo((a, b) -> Long.compare(micros(a), micros(b)));
        assertThat(fake.messages("C1")).extracting(Message::ts).containsExactlyElementsOf(ts);
    }

    @Test
    void latencyDelaysEveryAnswer() throws Exception {
        fake.latency(Duration.ofMillis(200));
        long start = System.nanoTime();
        api.authTest(r -> r);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    // ---- Bolt over Socket Mode ----

    @Test
    void boltSeesMentionsOverSocketModeAcksThemAndIgnoresItsOwnEcho() throws Exception {
        List<AppMentionEvent> mentions = new CopyOnWriteArrayList<>();
        List<MessageEvent> messages = new CopyOnWriteArrayList<>();
        App app = app();
        app.event(AppMentionEvent.class, (req, ctx) -> {
            mentions.add(req.getEvent());
            return ctx.ack();
        });
        app.event(MessageEvent.class, (req, ctx) -> {
            messages.add(req.getEvent());
            return ctx.ack();
        });
        startSocketMode(app);

        String ts = fake.post("C1", "U1", "<@U0BOT> what is 2+2?");
        await().atMost(Duration.ofSeconds(5)).until(() -> mentions.size() == 1 && messages.size() == 1);
        assertThat(mentions.get(0)).satisfies(e -> {
            assertThat(e.getUser()).isEqualTo("U1");
            assertThat(e.getTs()).isEqualTo(ts);
            assertThat(e.getChannel()).isEqualTo("C1");
            assertThat(e.getText()).isEqualTo("<@U0BOT> what is 2+2?");
        });
        assertThat(messages.get(0).getChannelType()).isEqualTo("channel");
        await().atMost(Duration.ofSeconds(5)).until(() -> acked(fake.deliveries()) == 2);

        // Bolt drops the echo of the bot's own reply by itself (IgnoringSelfEvents) but still acks it.
        api.chatPostMessage(r -> r.channel("C1").threadTs(ts).text("4"));
        await().atMost(Duration.ofSeconds(5)).until(() -> acked(fake.deliveries()) == 3);
        assertThat(messages).hasSize(1);
        assertThat(fake.deliveries()).allMatch(Delivery::acked);
    }

    @Test
    void afterACutBoltReconnectsAndGetsWhatWasPostedMeanwhile() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        App app = app();
        app.event(AppMentionEvent.class, (req, ctx) -> {
            seen.add(req.getEvent().getText());
            return ctx.ack();
        });
        app.event(MessageEvent.class, (req, ctx) -> ctx.ack());
        SocketModeApp socketMode = startSocketMode(app);

        fake.dropSockets();
        fake.post("C1", "U1", "<@U0BOT> are you there?");
        assertThat(fake.socketConnections()).isZero();
        long cut = System.nanoTime();
        await().atMost(Duration.ofSeconds(12)).until(() -> seen.contains("<@U0BOT> are you there?"));
        System.out.printf("FakeSlackTest: Bolt's session monitor reconnected %d ms after the cut%n",
                Duration.ofNanos(System.nanoTime() - cut).toMillis());
        assertThat(fake.socketConnectsTotal()).isEqualTo(2);

        // Slack's periodic "refresh_requested": the SDK opens a new connection by itself.
        fake.askToRefresh();
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.socketConnectsTotal() == 3);
        fake.post("C1", "U1", "<@U0BOT> still there?");
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("<@U0BOT> still there?"));
        assertThat(socketMode.getClient().verifyConnection()).isTrue();

        // With reconnect-on-close (off by default since SDK 1.37) the SDK comes back at once instead.
        socketMode.getClient().setAutoReconnectOnCloseEnabled(true);
        fake.dropSockets();
        fake.post("C1", "U1", "<@U0BOT> and now?");
        long cut2 = System.nanoTime();
        await().atMost(Duration.ofSeconds(3)).until(() -> seen.contains("<@U0BOT> and now?"));
        System.out.printf("FakeSlackTest: with reconnect-on-close Bolt was back %d ms after the cut%n",
                Duration.ofNanos(System.nanoTime() - cut2).toMillis());
        await().atMost(Duration.ofSeconds(5)).until(() -> acked(fake.deliveries()) == 6);
        assertThat(fake.deliveries()).allMatch(Delivery::acked);
        assertThat(seen).hasSize(3);
    }

    @Test
    void anEnvelopeNotAckedInTimeComesBackWithRetryAttempt() throws Exception {
        fake.ackTimeout(Duration.ofMillis(300));
        List<Integer> retryNums = new CopyOnWriteArrayList<>();
        List<String> reasons = new CopyOnWriteArrayList<>();
        App app = app();
        app.event(AppMentionEvent.class, (req, ctx) -> {
            retryNums.add(ctx.getRetryNum());
            reasons.add(ctx.getRetryReason());
            return retryNums.size() == 1 ? Response.builder().statusCode(500).build() : ctx.ack();
        });
        app.event(MessageEvent.class, (req, ctx) -> ctx.ack());
        startSocketMode(app);

        fake.post("C1", "U1", "<@U0BOT> retry me");
        String eventId = fake.lastEventId();
        await().atMost(Duration.ofSeconds(5)).until(() -> retryNums.size() == 2);
        assertThat(retryNums).containsExactly(0, 1);
        assertThat(reasons).containsExactly("", "timeout");
        await().atMost(Duration.ofSeconds(5)).until(() -> acked(fake.deliveries()) == 2);
        assertThat(fake.deliveries()).filteredOn(d -> !d.acked()).singleElement()
                .satisfies(d -> assertThat(d.attempt()).isZero());

        fake.redeliver(eventId, 2, "timeout");
        await().atMost(Duration.ofSeconds(5)).until(() -> retryNums.size() == 3);
        assertThat(retryNums.get(2)).isEqualTo(2);
    }

    @Test
    void aSlashCommandReachesBoltAndItsAckAndResponseUrlAreShown() throws Exception {
        List<SlashCommandPayload> commands = new CopyOnWriteArrayList<>();
        App app = app();
        app.command("/ask", (req, ctx) -> {
            commands.add(req.getPayload());
            return ctx.ack("On it");
        });
        startSocketMode(app);

        String id = fake.slashCommand("/ask", "C1", "U1", "why is the sky blue?");
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.ephemerals().size() == 1);
        assertThat(fake.ephemerals()).containsExactly(new Ephemeral("C1", "U1", "On it"));
        assertThat(commands).singleElement().satisfies(c -> {
            assertThat(c.getCommand()).isEqualTo("/ask");
            assertThat(c.getText()).isEqualTo("why is the sky blue?");
            assertThat(c.getUserId()).isEqualTo("U1");
            assertThat(c.getChannelId()).isEqualTo("C1");
            assertThat(c.getTeamId()).isEqualTo(TEAM);
            assertThat(c.getResponseUrl()).endsWith("/response/" + id);
        });

        HttpResponse<String> answered = postJson(commands.get(0).getResponseUrl(),
                "{\"response_type\":\"in_channel\",\"text\":\"Rayleigh scattering.\"}");
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(fake.messages("C1")).singleElement().satisfies(m -> {
            assertThat(m.text()).isEqualTo("Rayleigh scattering.");
            assertThat(m.botId()).isEqualTo(BOT_ID);
        });
        postJson(commands.get(0).getResponseUrl(), "{\"text\":\"only for you\"}");
        assertThat(fake.ephemerals()).endsWith(new Ephemeral("C1", "U1", "only for you"));
    }

    @Test
    void theSocketWantsATicketSaysHelloAndResendsWhatIsNotAcked() throws Exception {
        fake.ackTimeout(Duration.ofMillis(200));
        HttpClient client = HttpClient.newHttpClient();
        Throwable refused = catchThrowableOfType(java.util.concurrent.ExecutionException.class, () ->
                client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + fake.port()
                        + "/link/?ticket=forged"), new Inbox()).get(5, TimeUnit.SECONDS));
        assertThat(refused).hasCauseInstanceOf(java.net.http.WebSocketHandshakeException.class);

        Inbox inbox = new Inbox();
        String url = slack.methods(APP_TOKEN).appsConnectionsOpen(r -> r).getUrl();
        java.net.http.WebSocket socket = client.newWebSocketBuilder().buildAsync(URI.create(url), inbox)
                .get(5, TimeUnit.SECONDS);
        cleanup.add(() -> socket.abort());
        JsonNode hello = inbox.next();
        assertThat(hello.path("type").asText()).isEqualTo("hello");
        assertThat(hello.path("connection_info").path("app_id").asText()).isEqualTo(FakeSlack.APP_ID);

        fake.dm("U1", "ping");
        JsonNode first = inbox.next();
        assertThat(first.path("type").asText()).isEqualTo("events_api");
        assertThat(first.path("accepts_response_payload").asBoolean()).isFalse();
        assertThat(first.path("retry_attempt").asInt()).isZero();
        JsonNode event = first.path("payload").path("event");
        assertThat(event.path("channel_type").asText()).isEqualTo("im");
        assertThat(event.path("channel").asText()).isEqualTo("DU1");

        JsonNode again = inbox.next();   // not acked: the same event, a new envelope
        assertThat(again.path("envelope_id").asText()).isNotEqualTo(first.path("envelope_id").asText());
        assertThat(again.path("retry_attempt").asInt()).isEqualTo(1);
        assertThat(again.path("retry_reason").asText()).isEqualTo("timeout");
        assertThat(again.path("payload").path("event_id").asText())
                .isEqualTo(first.path("payload").path("event_id").asText());
        socket.sendText("{\"envelope_id\":\"" + again.path("envelope_id").asText() + "\"}", true)
                .get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> acked(fake.deliveries()) == 1);
        assertThat(fake.deliveries()).extracting(Delivery::attempt, Delivery::acked).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, false), org.assertj.core.groups.Tuple.tuple(1, true));

        fake.slashCommand("/ask", "C1", "U1", "never acked");
        JsonNode command = inbox.next();
        assertThat(command.path("type").asText()).isEqualTo("slash_commands");
        assertThat(command.path("accepts_response_payload").asBoolean()).isTrue();
        assertThat(command.path("payload").path("command").asText()).isEqualTo("/ask");
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.deliveries().size() == 3);
        assertThat(inbox.poll(Duration.ofMillis(400))).as("slash commands are not retried").isNull();
    }

    /** Collects whole text frames from a java.net.http WebSocket. */
    private static final class Inbox implements java.net.http.WebSocket.Listener {
        private final java.util.concurrent.BlockingQueue<String> messages =
                new java.util.concurrent.LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data,
                                                             boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        JsonNode next() throws Exception {
            JsonNode n = poll(Duration.ofSeconds(5));
            assertThat(n).as("a message within 5 s").isNotNull();
            return n;
        }

        JsonNode poll(Duration wait) throws Exception {
            String text = messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            return text == null ? null : JSON.readTree(text);
        }
    }

    // ---- HTTP mode ----

    @Test
    void httpDeliveriesAreSignedAndShapedLikeSlacksEvents() throws Exception {
        Receiver receiver = receiver();
        fake.deliverOverHttp(receiver.url());

        String ts = fake.post("C1", "U1", "<@U0BOT> hi");
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.requests.size() == 2);
        SlackSignature.Verifier verifier = new SlackSignature.Verifier(new SlackSignature.Generator(SIGNING_SECRET));
        for (Received r : receiver.requests) {
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(verifier.isValid(r.header("X-Slack-Request-Timestamp"), r.body(),
                    r.header("X-Slack-Signature"))).isTrue();
            assertThat(Math.abs(Long.parseLong(r.header("X-Slack-Request-Timestamp")) - Instant.now().getEpochSecond()))
                    .isLessThan(5);
        }
        List<JsonNode> payloads = receiver.jsonBodies();
        assertThat(payloads).extracting(p -> p.path("event").path("type").asText())
                .containsExactlyInAnyOrder("message", "app_mention");
        assertThat(payloads).extracting(p -> p.path("event").path("ts").asText()).containsOnly(ts);
        assertThat(payloads.get(0).path("event_id").asText()).isNotEqualTo(payloads.get(1).path("event_id").asText());
        assertThat(payloads).allSatisfy(p -> {
            assertThat(p.path("type").asText()).isEqualTo("event_callback");
            assertThat(p.path("team_id").asText()).isEqualTo(TEAM);
            assertThat(p.path("authorizations").get(0).path("user_id").asText()).isEqualTo(BOT_USER);
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> acked(fake.deliveries()) == 2);

        fake.redeliver(fake.lastEventId(), 1, "http_timeout");
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.requests.size() == 3);
        Received retry = receiver.requests.get(2);
        assertThat(retry.header("X-Slack-Retry-Num")).isEqualTo("1");
        assertThat(retry.header("X-Slack-Retry-Reason")).isEqualTo("http_timeout");
        assertThat(JSON.readTree(retry.body()).path("event_id").asText()).isEqualTo(fake.lastEventId());

        // A thread reply, a DM, an edit, a deletion, a join, and the bot's own echo.
        fake.reply("C1", ts, "U2", "reply");
        fake.dm("U1", "private question");
        fake.edit("C1", ts, "<@U0BOT> hello");
        fake.delete("C1", ts);
        fake.join("C1", "U2");
        api.chatPostMessage(r -> r.channel("C1").text("from the bot"));
        fake.post("C2", "U1", "<@U0BOT> the bot is not here");
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.requests.size() == 9);
        Map<String, JsonNode> bySubtype = new HashMap<>();
        for (JsonNode p : receiver.jsonBodies().subList(3, 9)) {
            JsonNode e = p.path("event");
            String key = e.has("subtype") ? e.path("subtype").asText()
                    : e.has("bot_id") ? "bot" : e.path("channel_type").asText();
            bySubtype.put(key, e);
        }
        assertThat(bySubtype.keySet()).containsExactlyInAnyOrder(
                "channel", "im", "message_changed", "message_deleted", "channel_join", "bot");
        assertThat(bySubtype.get("channel").path("thread_ts").asText()).isEqualTo(ts);
        assertThat(bySubtype.get("channel").path("parent_user_id").asText()).isEqualTo("U1");
        assertThat(bySubtype.get("im").path("channel").asText()).isEqualTo("DU1");
        JsonNode changed = bySubtype.get("message_changed");
        assertThat(changed.path("hidden").asBoolean()).isTrue();
        assertThat(changed.path("message").path("text").asText()).isEqualTo("<@U0BOT> hello");
        assertThat(changed.path("previous_message").path("text").asText()).isEqualTo("<@U0BOT> hi");
        JsonNode deleted = bySubtype.get("message_deleted");
        assertThat(deleted.path("deleted_ts").asText()).isEqualTo(ts);
        assertThat(deleted.path("previous_message").path("text").asText()).isEqualTo("<@U0BOT> hello");
        assertThat(bySubtype.get("channel_join").path("user").asText()).isEqualTo("U2");
        assertThat(bySubtype.get("bot").path("user").asText()).isEqualTo(BOT_USER);
    }

    @Test
    void aSlowOrFailingAnswerIsNotAnAckAndIsRetried() throws Exception {
        fake.ackTimeout(Duration.ofMillis(300));
        Receiver receiver = receiver();
        fake.deliverOverHttp(receiver.url());
        receiver.answer = n -> n == 0 ? -1 : n == 1 ? 500 : 200;   // -1: answer too late

        fake.dm("U1", "hello?");
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.deliveries().size() == 3);
        assertThat(fake.deliveries()).extracting(Delivery::attempt, Delivery::status, Delivery::acked)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0, 0, false),
                        org.assertj.core.groups.Tuple.tuple(1, 500, false),
                        org.assertj.core.groups.Tuple.tuple(2, 200, true));
        assertThat(receiver.requests).extracting(r -> r.header("X-Slack-Retry-Reason"))
                .containsExactly(null, "http_timeout", "http_error");

        receiver.answer = n -> 200; // before the command: its delivery may be answered at once
        receiver.body = "{\"text\":\"thinking\"}";
        String id = fake.slashCommand("/ask", "C1", "U2", "a b&c");
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.ephemerals().size() == 1);
        Received command = receiver.requests.get(receiver.requests.size() - 1);
        assertThat(command.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        Map<String, String> form = form(command.body());
        assertThat(form).containsEntry("command", "/ask").containsEntry("text", "a b&c")
                .containsEntry("user_id", "U2").containsEntry("channel_id", "C1");
        assertThat(form.get("response_url")).endsWith(id);
        assertThat(fake.ephemerals()).containsExactly(new Ephemeral("C1", "U2", "thinking"));

        HttpResponse<String> forged = fake.postSigned(receiver.url(), "{}", "application/json",
                Instant.now().getEpochSecond(), "not-the-secret");
        assertThat(forged.statusCode()).isEqualTo(200);
        Received last = receiver.requests.get(receiver.requests.size() - 1);
        assertThat(new SlackSignature.Verifier(new SlackSignature.Generator(SIGNING_SECRET))
                .isValid(last.header("X-Slack-Request-Timestamp"), last.body(), last.header("X-Slack-Signature")))
                .isFalse();
    }

    // ---- helpers ----

    private App app() {
        return new App(AppConfig.builder().singleTeamBotToken(BOT_TOKEN).slack(slack).build());
    }

    private SocketModeApp startSocketMode(App app) throws Exception {
        SocketModeApp socketMode = new SocketModeApp(APP_TOKEN, SocketModeClient.Backend.Tyrus, app);
        socketMode.startAsync();
        cleanup.add(socketMode::close);
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.socketConnections() == 1);
        return socketMode;
    }

    private static long acked(List<Delivery> deliveries) {
        return deliveries.stream().filter(Delivery::acked).count();
    }

    private static long micros(String ts) {
        String[] parts = ts.split("\\.");
        return Long.parseLong(parts[0]) * 1_000_000 + Long.parseLong(parts[1]);
    }

    private static HttpResponse<String> postJson(String url, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
        }
        return out;
    }

    private record Received(Map<String, List<String>> headers, String body) {
        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** A stand-in for our HTTP endpoint: records requests, answers per request number (-1: too late). */
    private static final class Receiver {
        final List<Received> requests = new CopyOnWriteArrayList<>();
        final CountDownLatch released = new CountDownLatch(1);
        volatile java.util.function.IntUnaryOperator answer = n -> 200;
        volatile String body = "";
        HttpServer server;
        ExecutorService pool;

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/slack/events";
        }

        List<JsonNode> jsonBodies() throws IOException {
            List<JsonNode> out = new ArrayList<>();
            for (Received r : requests) {
                out.add(JSON.readTree(r.body()));
            }
            return out;
        }
    }

    private Receiver receiver() throws IOException {
        Receiver receiver = new Receiver();
        receiver.pool = Executors.newCachedThreadPool();
        receiver.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.server.setExecutor(receiver.pool);
        receiver.server.createContext("/slack/events", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int n = receiver.requests.size();
            receiver.requests.add(new Received(Map.copyOf(exchange.getRequestHeaders()), body));
            int status = receiver.answer.applyAsInt(n);
            if (status < 0) {
                try {
                    receiver.released.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                status = 200;
            }
            byte[] out = receiver.body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            } catch (IOException ignored) {
                // the fake gave up waiting
            }
            exchange.close();
        });
        receiver.server.start();
        cleanup.add(() -> {
            receiver.released.countDown();
            receiver.server.stop(0);
            receiver.pool.shutdownNow();
        });
        return receiver;
    }
}

package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import dev.switchboard.testing.FakeSlack.Message;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service against FakeSlack with Slack's limits counted per method as Slack counts them: each write of a
 * reply spends only the budget of the method it calls, so a reply's first message waits for its channel's post
 * budget only, never for the workspace's busy {@code chat.update}; and a reply may stream natively on the stream
 * methods' own budgets when chat.update is busy ({@code stream_when_busy}).
 */
class SlackPacingTest {

    private static final String WORDS = "one two three four five six seven eight nine ten eleven twelve thirteen "
            + "fourteen fifteen sixteen seventeen eighteen nineteen twenty";

    @TempDir
    Path data;

    private final FakeSlack slack = FakeSlack.start();
    private final FakeProvider provider = FakeProvider.start();
    private final List<Service> services = new ArrayList<>();

    @AfterEach
    void stop() {
        services.forEach(Service::close);
        slack.close();
        provider.close();
    }

    /**
     * The service with the default post budget (five per five seconds per channel, FakeSlack's own model of Slack's
     * one a second with short bursts, which this test keeps) and chat.update at {@code updates} a second; FakeSlack's
     * other limits a little above the service's budgets, so that the network's jitter between two writes paced exactly
     * a window apart is no 429.
     */
    private void start(int updates, String extraSlack) {
        start(updates, "{messages: 5, per: 1s}", extraSlack);
    }

    /** The same, the service's {@code chat.startStream} budget {@code streamStarts}. */
    private void start(int updates, String streamStarts, String extraSlack) {
        for (int c = 0; c < 10; c++) {
            slack.channel("C" + c, "room" + c);
        }
        slack.user("U1", "Ada")
                .limit("chat.update", updates + 1, Duration.ofSeconds(1), FakeSlack.Scope.WORKSPACE)
                .limit("chat.startStream", 6, Duration.ofSeconds(1), FakeSlack.Scope.WORKSPACE)
                .limit("chat.appendStream", 11, Duration.ofSeconds(1), FakeSlack.Scope.WORKSPACE)
                .limit("chat.stopStream", 6, Duration.ofSeconds(1), FakeSlack.Scope.WORKSPACE);
        String yaml = """
                slack:
                  bot_token: %s
                  app_token: %s
                  api_url: %s
                  update_budget: {messages: %d, per: 1s}
                  stream_budgets:
                    start: %s
                    append: {messages: 10, per: 1s}
                    stop: {messages: 5, per: 1s}
                %s
                providers:
                  main: {type: openai, api_key: test-key-000000, base_url: %s, models: [m]}
                storage: {path: %s, fsync: false}
                ops: {port: 0}
                """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN, slack.apiUrl(), updates, streamStarts,
                extraSlack.indent(2), provider.baseUrl(Api.OPENAI), data.toString().replace("\\", "/"));
        Service service = new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC())
                .start();
        services.add(service);
        await().until(() -> slack.socketConnections() == 1);
        await().until(() -> service.slack().connected());
    }

    private static String mention(String text) {
        return "<@" + FakeSlack.BOT_USER + "> " + text;
    }

    private List<Message> botReplies(String channel, String thread) {
        return slack.thread(channel, thread).stream().filter(m -> FakeSlack.BOT_USER.equals(m.user())
                && !m.ts().equals(thread)).toList();
    }

    /** Ten questions at once, two in each of five channels: each thread's channel by its ts; when each was asked. */
    private Map<String, String> askTenOverFiveChannels(Map<String, Instant> asked) {
        Map<String, String> threads = new LinkedHashMap<>();
        for (int q = 0; q < 10; q++) {
            String channel = "C" + (q % 5);
            Instant at = Instant.now();
            String ts = slack.post(channel, "U1", mention("question " + q));
            threads.put(ts, channel);
            asked.put(ts, at);
        }
        return threads;
    }

    /** When the first bot message of the thread {@code ts} came: its post or its stream's start. */
    private Instant firstBotMessage(String channel, String ts) {
        return slack.calls().stream().filter(c -> c.status() == 200 && c.error() == null
                        && (c.method().equals("chat.postMessage") || c.method().equals("chat.startStream"))
                        && channel.equals(c.params().get("channel")) && ts.equals(c.params().get("thread_ts")))
                .map(FakeSlack.Call::at).findFirst().orElseThrow();
    }

    private void awaitExact(Map<String, String> threads, String answer) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> threads.forEach((ts, channel) -> {
            assertThat(botReplies(channel, ts)).extracting(Message::text).containsExactly(answer);
            assertThat(botReplies(channel, ts)).noneMatch(Message::streaming);
        }));
    }

    private void assertNo429s() {
        for (String method : List.of("chat.postMessage", "chat.update", "chat.startStream", "chat.appendStream",
                "chat.stopStream")) {
            assertThat(slack.rateLimited(method)).as("429s on " + method + ": " + slack.calls().stream()
                    .filter(c -> c.status() == 429).map(c -> c.method() + " " + c.at()).toList()).isZero();
        }
    }

    @Test
    void tenRepliesOverFiveChannels_showBothFirstMessagesOfAChannelTogether_whileChatUpdateIsScarce() {
        // chat.update at 2 a second for the workspace: ten placeholders spending it would take five seconds.
        provider.otherwise(r -> Script.answer(WORDS).paced(Duration.ofMillis(100), Duration.ofMillis(50)));
        start(2, "");
        Map<String, Instant> asked = new LinkedHashMap<>();
        Map<String, String> threads = askTenOverFiveChannels(asked);

        awaitExact(threads, WORDS);
        assertNo429s();
        List<Duration> firstMessage = new ArrayList<>();
        threads.forEach((ts, channel) -> firstMessage.add(Duration.between(asked.get(ts),
                firstBotMessage(channel, ts))));
        // Two questions per channel: the channel's paced post and the post its budget keeps for a reply's first
        // message go together (a budget of one a second without a burst would put the second a second after the
        // first); the rest is the time the intake and a loaded machine take.
        assertThat(firstMessage).as("first bot message after each question")
                .allSatisfy(d -> assertThat(d).isLessThan(Duration.ofMillis(2_500)));
        for (int c = 0; c < 5; c++) {
            String channel = "C" + c;
            List<Instant> posted = threads.entrySet().stream().filter(e -> e.getValue().equals(channel))
                    .map(e -> firstBotMessage(channel, e.getKey())).sorted().toList();
            assertThat(Duration.between(posted.get(0), posted.get(1))).as("the two first messages in " + channel
                    + " apart").isLessThan(Duration.ofMillis(900));
        }
    }

    @Test
    void withStreamWhenBusy_repliesStartingWhileChatUpdateIsBusy_streamOnTheStreamMethodsBudgets() {
        String longer = (WORDS + " ").repeat(4).strip();
        provider.otherwise(r -> Script.answer(longer).paced(Duration.ofMillis(100), Duration.ofMillis(60)));
        start(2, "stream_when_busy: true");
        Map<String, String> first = new LinkedHashMap<>();
        for (int q = 0; q < 5; q++) {
            first.put(slack.post("C" + q, "U1", mention("question " + q)), "C" + q);
        }
        // Five replies edited with chat.update at two a second: each gets an edit about every 2.5 s.
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.count("chat.update") >= 4);
        assertThat(slack.count("chat.startStream")).as("quiet workspace: replies posted and edited").isZero();

        Map<String, String> later = new LinkedHashMap<>();
        for (int q = 5; q < 8; q++) {
            later.put(slack.post("C" + q, "U1", mention("question " + q)), "C" + q);
        }

        Map<String, String> all = new LinkedHashMap<>(first);
        all.putAll(later);
        awaitExact(all, longer);
        assertThat(slack.count("chat.startStream")).as("replies that streamed natively").isPositive();
        assertThat(slack.count("chat.stopStream")).isEqualTo(slack.count("chat.startStream"));
        assertNo429s();
    }

    @Test
    void withNativeStreaming_repliesBeyondTheFreeStreamStarts_postAndEditInstead_soNoFirstMessageQueuesBehindThem() {
        provider.otherwise(r -> Script.answer(WORDS).paced(Duration.ofMillis(100), Duration.ofMillis(50)));
        start(2, "{messages: 20, per: 1m}", "native_streaming: true"); // Slack's own: Tier 2
        Map<String, Instant> asked = new LinkedHashMap<>();
        Map<String, String> threads = askTenOverFiveChannels(asked);

        awaitExact(threads, WORDS);
        assertNo429s();
        // Ten replies at once against 20 stream starts a minute: those that found a start free (two at once, then one
        // every three seconds) streamed, the others posted their first message on their channel's budget at once
        // rather than wait for a start.
        assertThat(slack.count("chat.startStream")).as("replies that streamed").isBetween(1, 4);
        assertThat(slack.count("chat.stopStream")).isEqualTo(slack.count("chat.startStream"));
        assertThat(slack.count("chat.postMessage")).as("replies that posted")
                .isEqualTo(10 - slack.count("chat.startStream"));
        threads.forEach((ts, channel) -> assertThat(Duration.between(asked.get(ts), firstBotMessage(channel, ts)))
                .as("first bot message after question " + ts).isLessThan(Duration.ofMillis(2_500)));
    }
}

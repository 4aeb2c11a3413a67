package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.testing.FakeDiscord;
import dev.switchboard.testing.FakeDiscord.Message;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Discord request the bot makes, through the whole service on real JDA against the fake Discord with its real
 * limits: many conversations at once stay inside the bot's global allowance, and a global 429 stops every request
 * until its Retry-After has passed (each request inside one counts toward Discord banning the bot's address).
 */
class DiscordPacingTest {

    private static final String BOT = FakeDiscord.BOT_ID;
    private static final Pattern NUMBER = Pattern.compile("question (\\d+)");

    @TempDir
    Path data;

    private final FakeDiscord discord = FakeDiscord.start();
    private final FakeProvider provider = FakeProvider.start();
    private Service service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        discord.close();
        provider.close();
    }

    /** A short answer of its own for each question, so every final text can be checked exactly. */
    static String answerTo(int n) {
        return "Answer " + n + ": " + IntStream.range(0, 24).mapToObj(i -> "word" + i)
                .reduce((a, b) -> a + " " + b).orElseThrow() + ".";
    }

    private void world(int channels, int users) {
        for (int u = 0; u < users; u++) {
            discord.user(Long.toString(300_000_000_000_000_001L + u), "user" + u);
        }
        for (int c = 0; c < channels; c++) {
            discord.textChannel(channel(c), "room" + c);
        }
        provider.otherwise(r -> {
            Matcher m = NUMBER.matcher(r.body().get("messages").toString());
            int n = -1;
            while (m.find()) {
                n = Integer.parseInt(m.group(1));
            }
            return Script.answer(answerTo(n)).paced(Duration.ofMillis(200), Duration.ofMillis(33));
        });
    }

    private static String channel(int c) {
        return Long.toString(400_000_000_000_000_001L + c);
    }

    private static String user(int u) {
        return Long.toString(300_000_000_000_000_001L + u);
    }

    private void start() {
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
        service = new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC()).start();
        await().until(() -> service.discord().connected());
        await().until(() -> !discord.registeredCommands().isEmpty());
    }

    private List<String> botTexts(String channel) {
        return discord.messages(channel).stream().filter(m -> BOT.equals(m.author()) && !m.deleted())
                .map(Message::content).toList();
    }

    @Test
    void aHundredConversationsOverTenChannelsMeetNoGlobalLimitAndEndExact() {
        world(10, 10);
        start();
        Map<String, Integer> questions = new LinkedHashMap<>();
        Map<String, Instant> asked = new LinkedHashMap<>();
        for (int n = 0; n < 100; n++) {
            Instant at = Instant.now();
            String id = discord.post(channel(n % 10), user(n / 10), "<@" + BOT + "> question " + n);
            questions.put(id, n);
            asked.put(id, at);
        }

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                questions.forEach((thread, n) -> assertThat(botTexts(thread)).as("thread of question " + n)
                        .containsExactly(answerTo(n))));

        List<Long> firstWords = new ArrayList<>();
        asked.forEach((thread, at) -> firstWords.add(Duration.between(at, discord.firstBotWords(thread)).toMillis()));
        firstWords.sort(null);
        System.out.printf("discord 100 conversations / 10 channels: global 429s %d, 429s %d, requests inside a"
                        + " Retry-After %d, first words p50 %d ms p95 %d ms, requests %d %s%n",
                discord.globalRateLimited(), discord.rateLimited(), discord.requestsInRetryAfter(),
                firstWords.get(49), firstWords.get(94), discord.calls().size(), discord.rateLimitedByRoute());
        assertThat(discord.globalRateLimited()).as("global 429s").isZero();
        assertThat(discord.requestsInRetryAfter()).as("requests inside a Retry-After").isZero();
        assertThat(discord.threads()).hasSize(100);
    }

    @Test
    void askAnswersArePacedPerInteractionNotPerChannel() {
        world(1, 5);
        start();
        Map<String, Integer> asks = new LinkedHashMap<>();
        for (int n = 0; n < 5; n++) {
            asks.put(discord.slash("ask", channel(0), user(n), Map.of("question", "question " + n)), n);
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> asks.forEach((id, n) ->
                assertThat(discord.interaction(id).original()).isEqualTo(answerTo(n))));
        assertThat(discord.rateLimited()).as("429s").isZero();
        asks.keySet().forEach(id -> assertThat(discord.interaction(id).originalEdits())
                .as("five replies in one channel each stream at their interaction's own pace").isGreaterThan(2));
    }

    @Test
    void aGlobal429StopsEveryRequestUntilItsRetryAfterHasPassed() {
        world(4, 1);
        start();
        Duration retryAfter = Duration.ofMillis(1_500);
        discord.forceGlobalRateLimit(retryAfter);
        String first = discord.post(channel(0), user(0), "<@" + BOT + "> question 0");
        await().atMost(Duration.ofSeconds(5)).until(() -> discord.globalRateLimited() == 1);
        Instant limitedAt = discord.calls().stream().filter(c -> c.status() == 429).findFirst().orElseThrow().at();
        // More questions while the bot must wait: none of their requests may go before the Retry-After ends.
        Map<String, Integer> questions = new LinkedHashMap<>(Map.of(first, 0));
        for (int n = 1; n < 4; n++) {
            questions.put(discord.post(channel(n), user(0), "<@" + BOT + "> question " + n), n);
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> questions.forEach((thread, n) ->
                assertThat(botTexts(thread)).containsExactly(answerTo(n))));
        assertThat(discord.requestsInRetryAfter()).as("requests inside the Retry-After").isZero();
        assertThat(discord.globalRateLimited()).isEqualTo(1);
        assertThat(discord.calls()).filteredOn(c -> c.at().isAfter(limitedAt) && !c.path().startsWith("interactions")
                        && !c.path().startsWith("webhooks"))
                .allMatch(c -> !c.at().isBefore(limitedAt.plus(retryAfter)), "after the Retry-After");
    }
}

package dev.switchboard.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.soak.E2eFigures.Conversation;
import dev.switchboard.soak.E2eFigures.Figures;
import dev.switchboard.soak.E2eFigures.Shown;
import dev.switchboard.testing.FakeDiscord;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end benchmark of issue 16: the packaged service ({@code target/switchboard.jar}, started by the
 * launcher as its own process, as {@link SoakIT} does) against FakeDiscord or FakeSlack with their real limits and
 * one fake OpenAI-compatible provider streaming 300-word answers at about 30 words a second. Each row injects K
 * conversations at once (K users mention the bot, spread over the channels) and reads every write back from the
 * fake: first sign and first words after the question, the lag of each word from leaving the provider to being
 * visible, whether the final text is exactly what the provider sent, 429s, requests inside a Retry-After, and the
 * service process's CPU seconds and RSS from {@code /proc}. Beside the figures: the budgets' arithmetic bound.
 *
 * <p>Not part of {@code verify}: {@code ./mvnw -B -o package -DskipTests && ./mvnw -B -o test -Pbench
 * -Dtest=EndToEndBenchmark}; rows with {@code -De2e.rows=discord-threads:1,discord-threads:20,slack:10/5}
 * (K, and after a slash the channels when not as issue 16 has them)
 * (platforms {@code discord-threads}, {@code discord-channel}, {@code slack}, {@code slack-stream},
 * {@code slack-busy}). Prints the table and writes it to {@code target/benchmarks/e2e.md}.
 */
@Tag("benchmark")
class EndToEndBenchmark {

    static final String DEFAULT_ROWS = "discord-threads:1,discord-threads:20,discord-threads:100,slack:1,slack:10,"
            + "slack:10/5,slack:50";
    static final int WORDS = 300;
    static final Duration FIRST_TOKEN = Duration.ofMillis(200);
    static final Duration WORD_INTERVAL = Duration.ofMillis(33);
    static final int GATE_PER_SECOND = 45;
    /** Whether each row gets the naive reference policy's row beside it ({@code -De2e.naive=false}: not). */
    static final boolean NAIVE = Boolean.parseBoolean(System.getProperty("e2e.naive", "true"));
    /**
     * Conversations answered before the measured batch, at once, to warm the service up ({@code -De2e.warmup=N};
     * default 1). With N = K the batch runs on code the JIT has already compiled for it: the steady state's cost.
     */
    /** The provider's {@code max_concurrent_streams} ({@code -De2e.streams=N}); the default config's when unset. */
    static final Integer STREAMS = Integer.getInteger("e2e.streams");
    /** The default config's {@code max_concurrent_streams}. */
    static final int DEFAULT_STREAMS = 512;
    static final int WARM_UP = Math.max(1, Integer.getInteger("e2e.warmup", 1));

    private final Path repo = Path.of(System.getProperty("soak.basedir", ".")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /** One row's setup: the platform, K and the channels they are spread over. */
    record Row(String platform, int k, int channels) {
        boolean discord() {
            return platform.startsWith("discord");
        }

        /** {@code platform:K} (channels by K as issue 16 has them) or {@code platform:K/channels}. */
        static Row parse(String spec) {
            String[] p = spec.trim().split("[:/]");
            String platform = p[0];
            int k = Integer.parseInt(p[1]);
            if (p.length > 2) {
                return new Row(platform, k, Integer.parseInt(p[2]));
            }
            int channels = platform.startsWith("discord") ? (k <= 1 ? 1 : k <= 20 ? 5 : k <= 100 ? 10 : 50)
                    : (k <= 10 ? 1 : 10);
            return new Row(platform, k, channels);
        }
    }

    /** The process's costs: CPU seconds during the batch, RSS before it, peak RSS at its end (MiB). */
    record Costs(double cpuSeconds, long idleRssMib, long peakRssMib) { }

    /** What the platform side counted: 429s and requests made inside a Retry-After (-1: the fake cannot tell). */
    record Limits(long rateLimited, long inRetryAfter, long requests) { }

    @Test
    void kConversationsAtOnceAgainstThePackagedService() throws Exception {
        Path jar = repo.resolve("target/switchboard.jar");
        assertThat(jar).as("target/switchboard.jar: run `./mvnw -B -o package -DskipTests` first").exists();
        List<String> lines = new ArrayList<>(E2eTable.header());
        for (String spec : System.getProperty("e2e.rows", DEFAULT_ROWS).split(",")) {
            Row row = Row.parse(spec);
            String line = run(row);
            lines.add(line);
            System.out.println("e2e: " + line);
            if (NAIVE) {
                String naive = runNaive(row);
                lines.add(naive);
                System.out.println("e2e: " + naive);
            }
        }
        String table = String.join("\n", lines) + "\n\n" + E2eTable.legend(FIRST_TOKEN, WORD_INTERVAL, WORDS) + "\n";
        System.out.println("\n" + table);
        Path out = Path.of("target/benchmarks/e2e.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }

    private String run(Row row) throws Exception {
        Path rowDir = Files.createDirectories(dir.resolve(row.platform() + "-" + row.k()));
        Map<String, Instant[]> tokenTimes = new ConcurrentHashMap<>();
        try (FakeProvider provider = FakeProvider.start().keepReceived(10);
             E2ePlatform platform = row.discord() ? new E2ePlatform.Discord(FakeDiscord.start(), row)
                     : new E2ePlatform.Slack(FakeSlack.start(), row)) {
            provider.onToken(t -> {
                Instant[] times = tokenTimes.get(t.script().text());
                if (times != null) {
                    times[t.index()] = t.at();
                }
            });
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < row.k() + WARM_UP; i++) { // the last ones warm the service up before the batch
                String answer = answer(i);
                answers.add(answer);
                tokenTimes.put(answer, new Instant[FakeProvider.tokens(answer).size()]);
            }
            provider.otherwise(r -> Script.answer(answers.get(conversationOf(r))).paced(FIRST_TOKEN, WORD_INTERVAL));
            int opsPort = freePort();
            Path config = rowDir.resolve("switchboard.yaml");
            Files.writeString(config, platform.yaml() + providerYaml(provider, rowDir, opsPort));
            ServiceProcess service = new ServiceProcess(repo, config, rowDir.resolve("service.log"), opsPort);
            service.start();
            try {
                return measure(row, platform, provider, service, answers, tokenTimes);
            } finally {
                service.stop();
            }
        }
    }

    private String measure(Row row, E2ePlatform platform, FakeProvider provider, ServiceProcess service,
                           List<String> answers, Map<String, Instant[]> tokenTimes) {
        List<E2ePlatform.Asked> warmUp = new ArrayList<>();
        for (int i = row.k(); i < row.k() + WARM_UP; i++) {
            warmUp.add(platform.ask(i, question(i)));
        }
        await("the warm-up replies").atMost(Duration.ofSeconds(60 + 2L * WARM_UP)).pollInterval(Duration.ofMillis(200))
                .until(() -> platform.finished(warmUp, answers.subList(row.k(), row.k() + WARM_UP)));
        await("the service to settle").pollDelay(Duration.ofSeconds(2)).until(() -> idle(service, provider));
        long idleRss = service.procStatus("VmRSS");
        List<String> measured = answers.subList(0, row.k());
        long cpuBefore = ProcStat.cpuTicks(service.pid());
        var threadsBefore = ProcStat.threadTicks(service.pid());
        List<E2ePlatform.Asked> asked = new ArrayList<>();
        for (int i = 0; i < row.k(); i++) {
            asked.add(platform.ask(i, question(i)));
        }
        Duration limit = Duration.ofSeconds(120 + row.k());
        try {
            await("every reply to end").atMost(limit).pollInterval(Duration.ofMillis(500))
                    .until(() -> platform.finished(asked, measured) || idle(service, provider));
        } catch (org.awaitility.core.ConditionTimeoutException late) {
            System.out.println("e2e: " + row + " not settled after " + limit + "; counting what is there");
        }
        long cpuTicks = ProcStat.cpuTicks(service.pid()) - cpuBefore;
        double cpu = cpuTicks / (double) ProcStat.ticksPerSecond();
        System.out.println("e2e: " + row + " (" + service.aotCache() + ") CPU s by thread: " + ProcStat.byName(threadsBefore,
                ProcStat.threadTicks(service.pid()), cpuTicks).stream().limit(12).map(e -> String.format(
                java.util.Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() / (double) ProcStat.ticksPerSecond()))
                .collect(java.util.stream.Collectors.joining(", ")));
        Costs costs = new Costs(cpu, idleRss / 1024, service.procStatus("VmHWM") / 1024);
        Figures figures = figures(platform, asked, measured, i -> tokenTimes.get(answers.get(i)));
        if (platform instanceof E2ePlatform.Discord discord && row.platform().equals("discord-threads")) {
            System.out.println("e2e: " + row + " " + E2eTimeline.of(discord.fake(), asked));
        }
        return E2eTable.line(row, row.platform(), figures, platform.limits(), costs, FIRST_TOKEN.toMillis(),
                GATE_PER_SECOND);
    }

    /**
     * The naive reference policy ({@link NaiveDiscordBot}, {@link NaiveSlackBot}) on a fake of its own, the same
     * questions and answers.
     */
    private String runNaive(Row row) throws Exception {
        try (E2ePlatform platform = row.discord() ? new E2ePlatform.Discord(FakeDiscord.start(), row)
                : new E2ePlatform.Slack(FakeSlack.start(), row)) {
            List<String> answers = new ArrayList<>();
            List<String> channels = new ArrayList<>();
            List<String> users = new ArrayList<>();
            List<E2ePlatform.Asked> asked = new ArrayList<>();
            for (int i = 0; i < row.k(); i++) {
                answers.add(answer(i));
                channels.add(row.discord() ? E2ePlatform.Discord.channel(i % row.channels())
                        : E2ePlatform.Slack.channel(i % row.channels()));
                users.add(E2ePlatform.Slack.user(i));
                asked.add(platform.ask(i, question(i)));
            }
            NaiveSchedule schedule = new NaiveSchedule(FIRST_TOKEN, WORD_INTERVAL);
            List<Instant[]> sent = platform instanceof E2ePlatform.Discord discord
                    ? new NaiveDiscordBot(discord.fake(), !row.platform().equals("discord-channel"), schedule)
                            .answer(asked, channels, answers)
                    : new NaiveSlackBot(((E2ePlatform.Slack) platform).fake(), row.platform().equals("slack-stream"),
                            schedule).answer(asked, channels, users, answers);
            Figures figures = figures(platform, asked, answers, sent::get);
            return E2eTable.line(row, "naive " + row.platform(), figures, platform.limits(), null,
                    FIRST_TOKEN.toMillis(), GATE_PER_SECOND);
        }
    }

    private static Figures figures(E2ePlatform platform, List<E2ePlatform.Asked> asked, List<String> answers,
                                   java.util.function.IntFunction<Instant[]> tokenTimes) {
        List<Conversation> conversations = new ArrayList<>();
        Map<Integer, List<Shown>> shown = platform.shown(asked, answers);
        for (int i = 0; i < asked.size(); i++) {
            String answer = answers.get(i);
            conversations.add(new Conversation(asked.get(i).at(), answer, FakeProvider.tokens(answer),
                    tokenTimes.apply(i), shown.getOrDefault(i, List.of()), platform.finalText(asked.get(i), answer)));
        }
        conversations.stream().filter(c -> c.finalText() == null).limit(2).forEach(c -> System.out.println(
                "e2e: a failed reply shows: " + (c.shown().isEmpty() ? "nothing" : c.shown().getLast().text())));
        return E2eFigures.of(conversations);
    }

    private static String question(int i) {
        return "question " + i + " from user " + i + ", please answer";
    }

    /** The service has nothing waiting, answering or streaming, and the provider nothing open. */
    private static boolean idle(ServiceProcess service, FakeProvider provider) {
        return provider.activeStreams() == 0 && service.metric("switchboard_chat_waiting") == 0
                && service.metric("switchboard_chat_answering") == 0
                && service.metric("switchboard_replies_active") == 0;
    }

    /** Conversation {@code i}'s answer: a key word ("r17") first, then short plain words, ending with a period. */
    static String answer(int i) {
        return "r" + i + " " + String.join(" ", E2eFigures.words(WORDS - 1, i)) + ".";
    }

    /** Which conversation a provider request belongs to: the last user message says "question N from …". */
    private static int conversationOf(FakeProvider.Received r) {
        com.fasterxml.jackson.databind.JsonNode messages = r.body().path("messages");
        String last = messages.get(messages.size() - 1).path("content").toString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("question (\\d+) from").matcher(last);
        if (!m.find()) {
            throw new IllegalStateException("no conversation in " + last);
        }
        return Integer.parseInt(m.group(1));
    }

    private static String providerYaml(FakeProvider provider, Path rowDir, int opsPort) {
        return """
                providers:
                  fake:
                    type: openai
                    api_key: test-key-000000
                    base_url: %s
                    models: [m]
                %s
                routing:
                  default_route: default
                  routes:
                    default:
                      targets:
                        - {target: fake/m, priority: 0}
                storage: {path: %s, backend: files}
                ops: {port: %d, drain_timeout: 10s}
                logging: {format: text, level: info}
                """.formatted(provider.baseUrl(Api.OPENAI), STREAMS == null ? "" : "    max_concurrent_streams: " + STREAMS,
                rowDir.resolve("data"), opsPort);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

package dev.switchboard.routing;

import dev.switchboard.RouterOptionsMapping;
import dev.failsafe.CircuitBreaker;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Fault;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.RecordingListener;
import dev.switchboard.testing.Turns;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the router adds to a stream, and how fast it fails over. Run with
 * {@code ./mvnw -B -Pbench test -Dtest=RoutingBenchmark}; prints Markdown tables and writes them to
 * {@code target/benchmarks/routing.md}.
 */
@Tag("benchmark")
class RoutingBenchmark {

    private static final String ANSWER = "one two three four five six seven eight nine ten eleven twelve thirteen"
            + " fourteen fifteen sixteen seventeen eighteen nineteen twenty";
    private static final Duration FIRST_TOKEN = Duration.ofMillis(40);
    private static final Duration INTERVAL = Duration.ofMillis(5);
    private static final Duration FIRST_TOKEN_DEADLINE = Duration.ofMillis(1_000);

    @Test
    void overheadAndFailover() throws Exception {
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "Routing benchmark: fake OpenAI-format provider on 127.0.0.1, first"
                + " token after %d ms, 20 tokens %d ms apart; %d cores, Java %d%n%n",
                FIRST_TOKEN.toMillis(), INTERVAL.toMillis(), Runtime.getRuntime().availableProcessors(),
                Runtime.version().feature()));
        String part = System.getProperty("bench.part", "all");
        if (!part.equals("failover")) {
            report.append(overhead()).append('\n');
        }
        if (!part.equals("overhead")) {
            report.append(failover());
        }
        System.out.println("\n" + report);
        Path out = Path.of("target", "benchmarks", "routing.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
    }

    // ---- overhead ----

    private String overhead() throws Exception {
        StringBuilder table = new StringBuilder();
        table.append("| streams at once | path | first token p50 | first token p99 | total p50 | total p99 |"
                + " added p50 (first token) | added p99 (first token) |\n");
        table.append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
        try (FakeProvider fake = FakeProvider.start()) {
            fake.otherwise(r -> Script.answer(ANSWER).paced(FIRST_TOKEN, INTERVAL));
            ScheduledExecutorService scheduler = Router.scheduler(2, Executors.defaultThreadFactory());
            SwitchboardConfig config = config(fake.baseUrl(Api.OPENAI), "", 10_000, "10m");
            Router router = new Router(RouterOptionsMapping.of(config), new ModelFactory(), scheduler, Clock.systemUTC(), new Random(1),
                    new SimpleMeterRegistry());
            StreamingChatModel direct = OpenAiStreamingChatModel.builder().baseUrl(fake.baseUrl(Api.OPENAI))
                    .apiKey("bench-key-000000").modelName("m").timeout(Duration.ofSeconds(30)).build();
            // Warm up both paths: JIT, connection pools.
            measure(8, 40, direct, router);
            for (int concurrency : new int[] {1, 200}) {
                int rounds = concurrency == 1 ? 300 : 5;
                Histogram[] directTimes = {histogram(), histogram()};
                Histogram[] routerTimes = {histogram(), histogram()};
                for (int round = 0; round < rounds; round++) {
                    Histogram[][] r = measure(concurrency, 1, direct, router);
                    directTimes[0].add(r[0][0]);
                    directTimes[1].add(r[0][1]);
                    routerTimes[0].add(r[1][0]);
                    routerTimes[1].add(r[1][1]);
                }
                double added50 = ms(routerTimes[0], 50) - ms(directTimes[0], 50);
                double added99 = (ms(routerTimes[0], 99) / ms(directTimes[0], 99) - 1) * 100;
                table.append(row(concurrency, "LangChain4j direct", directTimes, "", ""));
                table.append(row(concurrency, "through the router", routerTimes,
                        String.format(Locale.ROOT, "%+.2f ms", added50), String.format(Locale.ROOT, "%+.1f %%",
                                added99)));
            }
            scheduler.shutdownNow();
        }
        table.append("\nTargets: at most 2 ms added at p50, at most 5 % at p99.\n");
        return table.toString();
    }

    /** One round: {@code concurrency} streams at once on each path, direct first, then through the router. */
    private Histogram[][] measure(int concurrency, int rounds, StreamingChatModel direct, Router router) {
        Histogram[][] result = {{histogram(), histogram()}, {histogram(), histogram()}};
        for (int round = 0; round < rounds; round++) {
            // Every user of a round asks at the same instant: each stream is timed from the round's start.
            List<CompletableFuture<long[]>> runs = new ArrayList<>();
            long roundStart = System.nanoTime();
            for (int i = 0; i < concurrency; i++) {
                runs.add(directStream(direct, roundStart));
            }
            runs.forEach(f -> record(result[0], f.join()));
            runs.clear();
            roundStart = System.nanoTime();
            for (int i = 0; i < concurrency; i++) {
                runs.add(routedStream(router, roundStart));
            }
            runs.forEach(f -> record(result[1], f.join()));
        }
        return result;
    }

    private static void record(Histogram[] into, long[] firstAndTotal) {
        into[0].recordValue(firstAndTotal[0]);
        into[1].recordValue(firstAndTotal[1]);
    }

    private static CompletableFuture<long[]> directStream(StreamingChatModel model, long start) {
        CompletableFuture<long[]> done = new CompletableFuture<>();
        long[] first = {0};
        model.chat(ChatRequest.builder().messages(List.of(UserMessage.from("hi"))).build(),
                new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(String partial) {
                        if (first[0] == 0 && !partial.isEmpty()) {
                            first[0] = System.nanoTime() - start;
                        }
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                        done.complete(new long[] {first[0], System.nanoTime() - start});
                    }

                    @Override
                    public void onError(Throwable error) {
                        done.completeExceptionally(error);
                    }
                });
        return done;
    }

    private static CompletableFuture<long[]> routedStream(Router router) {
        return routedStream(router, System.nanoTime());
    }

    private static CompletableFuture<long[]> routedStream(Router router, long start) {
        long[] first = {0};
        CompletableFuture<long[]> done = new CompletableFuture<>();
        router.reply(new ReplyRequest(Turns.slackKey("bench"), List.of(Turns.user("U1", "hi", Instant.now())), "u",
                "c"), new ReplyListener() {
                    @Override
                    public void onToken(String text) {
                        if (first[0] == 0) {
                            first[0] = System.nanoTime() - start;
                        }
                    }

                    @Override
                    public void onDone(ReplyOutcome outcome) {
                        if (outcome instanceof ReplyOutcome.Completed) {
                            done.complete(new long[] {first[0], System.nanoTime() - start});
                        } else {
                            done.completeExceptionally(new IllegalStateException(outcome.toString()));
                        }
                    }
                });
        return done;
    }

    private static String row(int concurrency, String path, Histogram[] times, String added50, String added99) {
        return String.format(Locale.ROOT, "| %d | %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %s | %s |%n",
                concurrency, path, ms(times[0], 50), ms(times[0], 99), ms(times[1], 50), ms(times[1], 99),
                added50, added99);
    }

    // ---- failover ----

    private String failover() throws Exception {
        StringBuilder table = new StringBuilder();
        table.append("| primary | breaker | first token of the answer p50 | p95 | the fallback alone p50 |"
                + " added by the failover p50 |\n");
        table.append("|---|---|---:|---:|---:|---:|\n");
        Map<String, Function<FakeProvider, Script>> faults = new java.util.LinkedHashMap<>();
        faults.put("refuses connections", f -> null);
        faults.put("answers 500", f -> Script.fault(new Fault.HttpError(500, "server_error", null)));
        faults.put("hangs before the first token", f -> Script.fault(new Fault.StallBeforeFirstToken()));
        faults.put("is cut mid-stream", f -> new Script(ANSWER, Duration.ZERO, Duration.ZERO, new Fault.CutAfter(3)));
        try (FakeProvider backup = FakeProvider.start()) {
            backup.otherwise(r -> Script.answer(ANSWER).paced(FIRST_TOKEN, INTERVAL));
            double alone = ms(fallbackAlone(backup), 50);
            for (var fault : faults.entrySet()) {
                for (boolean open : new boolean[] {false, true}) {
                    Histogram h = failoverRun(backup, fault.getValue(), fault.getKey().startsWith("refuses"), open);
                    table.append(String.format(Locale.ROOT, "| %s | %s | %.1f ms | %.1f ms | %.1f ms | %+.1f ms |%n",
                            fault.getKey(), open ? "open" : "closed", ms(h, 50), ms(h, 95), alone, ms(h, 50) - alone));
                }
            }
        }
        table.append(String.format(Locale.ROOT, "%nThe first-token deadline is %d ms; retries: 2 attempts, 100 ms"
                + " initial backoff. Targets: with the breaker open, the fallback's own first token plus at most"
                + " 5 ms; a hanging primary costs no more than the first-token deadline.%n",
                FIRST_TOKEN_DEADLINE.toMillis()));
        return table.toString();
    }

    private Histogram fallbackAlone(FakeProvider backup) throws Exception {
        ScheduledExecutorService scheduler = Router.scheduler(2, Executors.defaultThreadFactory());
        SwitchboardConfig config = new ConfigLoader().parse("""
                providers:
                  backup: {type: anthropic, api_key: k-0000000000, base_url: "%s", models: [b]}
                """.formatted(backup.baseUrl(Api.ANTHROPIC)), "bench.yaml", Map.of()).config();
        Router router = new Router(RouterOptionsMapping.of(config), new ModelFactory(), scheduler, Clock.systemUTC(), new Random(1),
                new SimpleMeterRegistry());
        Histogram h = histogram();
        for (int i = 0; i < 60; i++) {
            long[] t = routedStream(router).get(30, TimeUnit.SECONDS);
            if (i >= 10) {
                h.recordValue(t[0]);
            }
        }
        scheduler.shutdownNow();
        return h;
    }

    private Histogram failoverRun(FakeProvider backup, Function<FakeProvider, Script> fault, boolean refuse,
                                  boolean open) throws Exception {
        try (FakeProvider primary = FakeProvider.start()) {
            primary.otherwise(r -> fault.apply(primary));
            if (refuse) {
                primary.refuseConnections();
            }
            ScheduledExecutorService scheduler = Router.scheduler(2, Executors.defaultThreadFactory());
            // Closed: a threshold it cannot reach. Open: tripped by the first failures, and it stays open.
            SwitchboardConfig config = config(primary.baseUrl(Api.OPENAI), backup.baseUrl(Api.ANTHROPIC),
                    open ? 2 : 100_000, "10m");
            Router router = new Router(RouterOptionsMapping.of(config), new ModelFactory(), scheduler, Clock.systemUTC(), new Random(1),
                    new SimpleMeterRegistry());
            Histogram h = histogram();
            int samples = 0;
            for (int i = 0; samples < 30 && i < 200; i++) {
                long start = System.nanoTime();
                RecordingListener listener = new RecordingListener();
                long[] answerFirstToken = {0};
                router.reply(new ReplyRequest(Turns.slackKey("f"), List.of(Turns.user("U1", "hi", Instant.now())),
                        "u", "c"), new ReplyListener() {
                            @Override
                            public void onToken(String text) {
                                if (answerFirstToken[0] == 0) {
                                    answerFirstToken[0] = System.nanoTime() - start;
                                }
                                listener.onToken(text);
                            }

                            @Override
                            public void onReset(Target failed, Failure why, Target next) {
                                answerFirstToken[0] = 0; // the answer that counts starts again
                            }

                            @Override
                            public void onDone(ReplyOutcome outcome) {
                                listener.onDone(outcome);
                            }
                        });
                if (!(listener.await() instanceof ReplyOutcome.Completed)) {
                    throw new IllegalStateException("no answer in failover run: " + listener.events());
                }
                boolean breakerOpen = router.breakerState("primary") == CircuitBreaker.State.OPEN;
                if (i >= 3 && breakerOpen == open) {
                    h.recordValue(answerFirstToken[0]);
                    samples++;
                }
            }
            scheduler.shutdownNow();
            return h;
        }
    }

    private static SwitchboardConfig config(String primaryUrl, String backupUrl, int minimumCalls, String openFor) {
        String backup = backupUrl.isEmpty() ? "" : """
                  backup: {type: anthropic, api_key: k-0000000000, base_url: "%s", models: [b]}
                """.formatted(backupUrl);
        String targets = backupUrl.isEmpty() ? "[primary/m]" : "[primary/m, {target: backup/b, priority: 1}]";
        return new ConfigLoader().parse("""
                providers:
                  primary:
                    type: openai
                    api_key: k-0000000000
                    base_url: "%s"
                    models: [m]
                    first_token_timeout: %dms
                    max_concurrent_streams: 1000
                    retry: {max_attempts: 2, initial_delay: 100ms, max_delay: 1s}
                    breaker: {failure_rate: 50, minimum_calls: %d, window: 10m, open_for: %s}
                %s
                routing:
                  default_route: r
                  routes:
                    r: {targets: %s}
                """.formatted(primaryUrl, FIRST_TOKEN_DEADLINE.toMillis(), minimumCalls, openFor, backup, targets),
                "bench.yaml", Map.of()).config();
    }

    private static Histogram histogram() {
        return new Histogram(TimeUnit.MINUTES.toNanos(5), 3);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e6;
    }
}

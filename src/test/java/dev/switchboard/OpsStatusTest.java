package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.ReplyRequest;
import dev.switchboard.testing.Chromium;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.RecordingListener;
import dev.switchboard.testing.Turns;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operators' view through the ops server of a running service: {@code /metrics} parsed as Prometheus text,
 * {@code /status.json} and the {@code status} command with a provider whose fake refuses connections, and
 * {@code reload} with a good and a bad config file.
 */
class OpsStatusTest {

    static final ConversationKey HERE = new ConversationKey("slack", "T1", "C1", "-");

    @TempDir
    Path dir;

    FakeProvider primary;
    FakeProvider spare;
    Service service;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        primary = FakeProvider.start();
        spare = FakeProvider.start();
        spare.otherwise(r -> Script.answer("the spare answers"));
        primary.otherwise(r -> Script.answer("the primary answers"));
    }

    @AfterEach
    void tearDown() {
        if (service != null) {
            service.close();
        }
        primary.close();
        spare.close();
    }

    /** The config: primary first, spare behind it; the breaker opens after two failed calls. */
    String yaml(String extraProviders) {
        return """
                providers:
                  primary:
                    type: openai
                    api_key: test-key-primary-0001
                    base_url: "%s"
                    models: [p-model]
                    connect_timeout: 2s
                    retry: {max_attempts: 1}
                    breaker: {failure_rate: 50, minimum_calls: 2, window: 1m, open_for: 10m}
                  spare:
                    type: openai
                    api_key: test-key-spare-0002
                    base_url: "%s"
                    models: [s-model]
                %s
                routing:
                  routes:
                    default:
                      targets: [{target: primary/p-model, priority: 0}, {target: spare/s-model, priority: 1}]
                storage: {path: %s, fsync: false}
                ops: {port: 0}
                """.formatted(primary.baseUrl(Api.OPENAI), spare.baseUrl(Api.OPENAI), extraProviders.indent(2),
                dir.resolve("data").toString().replace("\\", "/"));
    }

    Service start(String yaml) throws Exception {
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, yaml);
        ConfigLoader loader = new ConfigLoader();
        service = new Service(loader.load(file, true, Map.of()), Clock.systemUTC(),
                () -> loader.load(file, true, Map.of())).start();
        return service;
    }

    ReplyOutcome ask(String question) {
        RecordingListener listener = new RecordingListener();
        service.router().reply(new ReplyRequest(Turns.slackKey("t-" + question.hashCode()),
                List.of(Turns.user("U1", question, Instant.now())), "Ada", "#ops"), listener);
        return listener.await();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(service.ops().url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A provider that refuses connections: the replies fall back, its breaker opens, and every view says so. */
    void primaryGoesDown() {
        primary.refuseConnections();
        for (int i = 0; i < 3; i++) {
            assertThat(ask("question " + i)).isInstanceOfSatisfying(ReplyOutcome.Completed.class,
                    c -> assertThat(c.text()).isEqualTo("the spare answers"));
        }
        await().until(() -> service.router().providers().getFirst().breaker().equals("open"));
    }

    @Test
    void metricsAreValidPrometheusTextAndCountWhatHappened() throws Exception {
        start(yaml(""));
        assertThat(ask("warm up")).isInstanceOf(ReplyOutcome.Completed.class);
        primaryGoesDown();

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        Map<String, Double> samples = Prometheus.parse(response.body());
        assertThat(samples.get("switchboard_provider_breaker{provider=\"primary\"}")).isEqualTo(2.0);
        assertThat(samples.get("switchboard_provider_breaker{provider=\"spare\"}")).isEqualTo(0.0);
        assertThat(samples.get("switchboard_provider_queue{provider=\"primary\"}")).isEqualTo(0.0);
        assertThat(samples.get("switchboard_provider_streams{provider=\"spare\"}")).isEqualTo(0.0);
        assertThat(samples.get("switchboard_provider_attempts_total{provider=\"primary\"}")).isEqualTo(2.0);
        assertThat(samples.get("switchboard_reply_fallbacks_total{provider=\"spare\"}")).isEqualTo(3.0);
        // the first failure opens the breaker (1 of 2 calls); the next two replies skip the provider
        assertThat(samples.get("switchboard_provider_failures_total{class=\"connection_failed\",provider=\"primary\"}"))
                .isEqualTo(1.0);
        assertThat(samples.get("switchboard_provider_failures_total{class=\"unavailable\",provider=\"primary\"}"))
                .isEqualTo(2.0);
        assertThat(samples.get("switchboard_reply_first_token_seconds_count{provider=\"spare\"}")).isEqualTo(3.0);
        assertThat(samples).containsKey("switchboard_reply_first_token_seconds{provider=\"spare\",quantile=\"0.95\"}");
        assertThat(samples.get("switchboard_tokens_total{direction=\"output\",provider=\"primary\"}")).isPositive();
        assertThat(samples.keySet()).as("JVM metrics are bound too")
                .anySatisfy(k -> assertThat(k).startsWith("jvm_memory_used_bytes{area=\"heap\""));
    }

    @Test
    void statusSaysWhichProviderIsDownAndWhy() throws Exception {
        start(yaml(""));
        assertThat(ask("warm up")).isInstanceOf(ReplyOutcome.Completed.class);
        primaryGoesDown();

        JsonNode json = new ObjectMapper().readTree(get("/status.json").body());
        JsonNode p = json.get("providers").get(0);
        assertThat(p.get("name").asText()).isEqualTo("primary");
        assertThat(p.get("health").asText()).isEqualTo("down");
        assertThat(p.get("breaker").asText()).isEqualTo("open");
        assertThat(p.get("last_failure").asText()).isEqualTo("connection_failed");
        assertThat(p.get("tries").asLong()).isEqualTo(2);
        assertThat(p.get("failed").asLong()).isEqualTo(1);
        assertThat(p.get("first_token_p50_ms").isNumber()).isTrue();
        assertThat(p.get("minutes")).hasSize(60);
        assertThat(p.get("streams_limit").asInt()).isEqualTo(512);
        assertThat(p.get("queued").asInt()).isZero();
        assertThat(p.get("queued_longest_ms").asLong()).isZero();
        assertThat(json.get("providers").get(1).get("health").asText()).isEqualTo("up");
        assertThat(json.get("fallbacks")).hasSize(3);
        assertThat(json.get("fallbacks").get(0).get("from").asText()).isEqualTo("primary/p-model");
        assertThat(json.get("fallbacks").get(0).get("to").asText()).isEqualTo("spare/s-model");
        assertThat(json.get("fallbacks").get(0).get("failure").asText()).isEqualTo("circuit breaker open");
        assertThat(json.get("fallbacks").get(2).get("failure").asText()).isEqualTo("connection_failed");
        assertThat(json.get("store").get("conversations").isNumber()).isTrue();

        String status = service.admin().run("U1", HERE, "status").text();
        assertThat(status).containsPattern("primary +down +breaker open +first token p50 \\d+ ms p95 \\d+ ms, 2 tries,"
                + " 50% failed");
        assertThat(status).containsPattern("last failure connection_failed \\d+ s ago");
        assertThat(status).containsPattern("spare +up +breaker closed");
        assertThat(status).contains("adapters:\n  none connected to a chat platform");
        assertThat(status).contains("replies in progress: 0");
    }

    @Test
    void theStatusPageShowsTheProviderAsDownInABrowserAndUpdatesLive() throws Exception {
        Chromium.assumeInstalled();
        start(yaml(""));
        assertThat(ask("warm up")).isInstanceOf(ReplyOutcome.Completed.class);
        primaryGoesDown();

        try (Chromium browser = Chromium.open(service.ops().url() + "/")) {
            browser.waitForText("#providers tr[data-provider='primary']", "down");
            assertThat(browser.text("#providers tr[data-provider='primary']"))
                    .contains("primary").contains("down").contains("open").contains("connection_failed");
            assertThat(browser.text("#providers tr[data-provider='spare']")).contains("up").contains("closed");
            assertThat(browser.text("#fallbacks")).contains("primary/p-model").contains("spare/s-model");
            assertThat(browser.text("#adapters")).contains("no chat platform in this process");
            assertThat(browser.count("#chart path")).isEqualTo(4); // p50 and p95 for each provider
            assertThat(browser.text("#live")).isEqualTo("live");
            browser.screenshot(Path.of("target", "status-page.png")); // kept with the build output

            // Live: an operator turns the spare off and the open page follows without a reload.
            service.admin().run("U1", HERE, "provider spare off");
            browser.waitForText("#providers tr[data-provider='spare']", "turned off by an operator");

            // A reply streaming now shows up while it streams.
            spare.otherwise(r -> Script.answer("slow words arrive one by one here")
                    .paced(Duration.ZERO, Duration.ofMillis(400)));
            service.admin().run("U1", HERE, "provider spare on");
            RecordingListener listener = new RecordingListener();
            service.router().reply(new ReplyRequest(Turns.slackKey("streaming"),
                    List.of(Turns.user("U1", "take your time", Instant.now())), "Ada", "#ops"), listener);
            browser.waitForText("#active", "spare/s-model");
            listener.await();
            browser.waitForText("#active", "none");
        }
    }

    @Test
    void withATokenThePageNeedsItOnceAndTheCookieCarriesIt() throws Exception {
        String token = "b64+token/with=signs";
        start(yaml("").replace("ops: {port: 0}", "ops: {port: 0, token: \"" + token + "\"}"));

        assertThat(get("/").statusCode()).isEqualTo(401);
        assertThat(get("/status.json").statusCode()).isEqualTo(401);
        assertThat(get("/?token=wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> opened = get("/?token=" + java.net.URLEncoder.encode(token,
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(opened.statusCode()).isEqualTo(302);
        // Relative, so the page comes back where it was opened, also behind a proxy serving it under a path.
        assertThat(opened.headers().firstValue("Location")).hasValue("./");
        String cookie = opened.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").doesNotContain(token)
                .doesNotContain("b64");
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(service.ops().url() + "/"))
                .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Switchboard status</title>");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(service.ops().url() + "/status.json"))
                        .header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void reloadAppliesProvidersAndRoutingAndABadConfigKeepsTheRunningOne() throws Exception {
        start(yaml(""));
        primary.refuseConnections();
        assertThat(ask("before")).isInstanceOfSatisfying(ReplyOutcome.Completed.class,
                c -> assertThat(c.target().provider()).isEqualTo("spare"));

        // A bad file: the running config stays, the answer says what is wrong and where.
        Files.writeString(dir.resolve("switchboard.yaml"), yaml("").replace("failure_rate: 50", "failure_rate: lots"));
        String refused = service.admin().run("U1", HERE, "reload").text();
        assertThat(refused).startsWith("not reloaded, the running config stays.")
                .contains("providers.primary.breaker.failure_rate");
        assertThat(ask("still working")).isInstanceOf(ReplyOutcome.Completed.class);

        // A good file: a third provider answers first now; the unchanged ones keep their state.
        FakeProvider third = FakeProvider.start();
        try {
            third.otherwise(r -> Script.answer("the third answers"));
            String withThird = yaml("""
                    third:
                      type: openai
                      api_key: test-key-third-0003
                      base_url: "%s"
                      models: [t-model]
                    """.formatted(third.baseUrl(Api.OPENAI)))
                    .replace("[{target: primary/p-model, priority: 0}, {target: spare/s-model, priority: 1}]",
                            "[{target: third/t-model, priority: 0}, {target: primary/p-model, priority: 1},"
                                    + " {target: spare/s-model, priority: 2}]")
                    .replace("ops: {port: 0}", "ops: {port: 0, drain_timeout: 5s}");
            Files.writeString(dir.resolve("switchboard.yaml"), withThird);
            String applied = service.admin().run("U1", HERE, "reload").text();
            assertThat(applied).contains("added third").contains("changed none").contains("removed none")
                    .contains("applied only at the next restart: ops");
            assertThat(ask("after")).isInstanceOfSatisfying(ReplyOutcome.Completed.class,
                    c -> assertThat(c.text()).isEqualTo("the third answers"));
            assertThat(service.router().providers().getFirst().lastFailure()).isEqualTo("connection_failed");
        } finally {
            third.close();
        }
        // A changed provider takes its new settings: here the primary moves to another server.
        FakeProvider moved = FakeProvider.start();
        try {
            moved.otherwise(r -> Script.answer("the moved primary answers"));
            Files.writeString(dir.resolve("switchboard.yaml"), yaml("").replace(primary.baseUrl(Api.OPENAI),
                    moved.baseUrl(Api.OPENAI)).replace("open_for: 10m", "open_for: 1s"));
            assertThat(service.admin().run("U1", HERE, "reload").text()).contains("changed primary")
                    .contains("removed third");
            assertThat(ask("moved?")).isInstanceOfSatisfying(ReplyOutcome.Completed.class,
                    c -> assertThat(c.text()).isEqualTo("the moved primary answers"));
            assertThat(moved.requests()).isEqualTo(1);
        } finally {
            moved.close();
        }
        List<String> audit = Files.readAllLines(dir.resolve("data/.audit/audit.jsonl"));
        assertThat(audit).anySatisfy(line -> assertThat(line).contains("\"reload\"").contains("not reloaded"));
        assertThat(audit).anySatisfy(line -> assertThat(line).contains("\"reload\"").contains("reloaded"));
    }

    /** A strict reader of the Prometheus text format: every line must be a comment or a well-formed sample. */
    static final class Prometheus {
        private static final Pattern SAMPLE = Pattern.compile(
                "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\",?)*})?"
                        + " (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?[0-9]+)?");
        private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

        /** @return samples by {@code name{labels}} with the labels sorted by name */
        static Map<String, Double> parse(String text) {
            Map<String, Double> out = new HashMap<>();
            Map<String, String> types = new HashMap<>();
            for (String line : text.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("#")) {
                    assertThat(line).matches(COMMENT);
                    if (line.startsWith("# TYPE ")) {
                        String[] parts = line.split(" ");
                        assertThat(parts[3]).isIn("counter", "gauge", "summary", "histogram", "untyped");
                        assertThat(types.put(parts[2], parts[3])).as("one TYPE per family: " + parts[2]).isNull();
                    }
                    continue;
                }
                Matcher m = SAMPLE.matcher(line);
                assertThat(m.matches()).as("a well-formed sample line: " + line).isTrue();
                String labels = m.group(2) == null ? "" : "{" + String.join(",", java.util.Arrays.stream(
                        m.group(2).substring(1, m.group(2).length() - 1).split(",(?=[a-zA-Z_]+=)"))
                        .filter(s -> !s.isEmpty()).sorted().toList()) + "}";
                String key = m.group(1) + labels;
                assertThat(out.put(key, Double.parseDouble(m.group(3).replace("+Inf", "Infinity")
                        .replace("-Inf", "-Infinity")))).as("no duplicate sample: " + key).isNull();
            }
            assertThat(out).isNotEmpty();
            return out;
        }
    }
}

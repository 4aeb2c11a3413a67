package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import dev.switchboard.testing.FakeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, messages, no stack traces. */
class SwitchboardTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        return Switchboard.execute(args, env, new PrintWriter(out, true), new PrintWriter(err, true),
                new CountDownLatch(1));
    }

    private Path config(String yaml) throws IOException {
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void configErrors_exitWith2AndOneClearMessageWithoutAStackTrace() throws IOException {
        String[] broken = {
            "slack:\n  bot_tokn: x\n",
            "ops:\n  port: eighty\n",
            "slack:\n  enabled: true\n",
            "discord:\n  enabled: true\n",
            "providers:\n  a: {type: openai, enabled: true, models: [m]}\n",
            "slack: [\n",
        };
        for (String yaml : broken) {
            StringWriter e = new StringWriter();
            int code = Switchboard.execute(new String[] {"--config", config(yaml).toString()}, Map.of(),
                    new PrintWriter(new StringWriter()), new PrintWriter(e, true), new CountDownLatch(1));

            assertThat(code).as(yaml).isEqualTo(2);
            assertThat(e.toString()).as(yaml).startsWith("Config error").contains("Fix:")
                    .doesNotContain("Exception", "\tat ");
        }
    }

    @Test
    void aMissingConfigGivenOnTheCommandLine_exitsWith2() {
        assertThat(run(Map.of(), "--config", dir.resolve("nope.yaml").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("nope.yaml").contains("does not exist");
    }

    @Test
    void anUnknownOption_exitsWith2WithUsage() {
        assertThat(run(Map.of(), "--frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option").contains("Usage");
    }

    @Test
    void ask_withAnEmptyQuestion_isRefusedWithExit2() throws IOException {
        try (FakeProvider fake = FakeProvider.start()) {
            fake.otherwise(r -> FakeProvider.Script.answer("an answer to nothing"));
            Path file = config("providers:\n  local: {type: ollama, base_url: \"" + fake.baseUrl(FakeProvider.Api.OLLAMA)
                    + "\", models: [m]}\n");

            assertThat(run(Map.of(), "--config", file.toString(), "ask", "")).isEqualTo(2);
            assertThat(run(Map.of(), "--config", file.toString(), "ask", "  ", " ")).isEqualTo(2);

            assertThat(err.toString()).contains("the question is empty");
            assertThat(fake.requests()).isZero();
        }
    }

    @Test
    void configCommand_withAnUnknownLogFormat_exitsWith2AsTheServiceDoes() throws IOException {
        Path file = config("storage:\n  path: " + dir.resolve("data") + "\n");

        assertThat(run(Map.of(), "--config", file.toString(), "--log-format", "xml", "config")).isEqualTo(2);
        assertThat(err.toString()).contains("--log-format must be json or text");
        assertThat(run(Map.of(), "--config", file.toString(), "--log-format", "xml")).isEqualTo(2);
    }

    @Test
    void slackHttpModeWithTheOpsServerOff_isAConfigErrorWithExit2() throws IOException {
        Path file = config("""
                slack: {mode: http, bot_token: xoxb-1-2-literal, signing_secret: literal-signing-secret}
                ops: {enabled: false}
                storage: {path: %s}
                """.formatted(dir.resolve("data")));

        assertThat(run(Map.of(), "--config", file.toString(), "config")).isEqualTo(2);
        assertThat(run(Map.of(), "--config", file.toString(), "--no-shell")).isEqualTo(2);
        assertThat(err.toString()).startsWith("Config error").contains("slack.mode").contains("ops.enabled")
                .doesNotContain("literal-signing-secret");
    }

    @Test
    void configCommand_printsTheEffectiveConfigWithSecretsMasked() throws IOException {
        Path file = config("slack:\n  bot_token: ${SLACK_BOT_TOKEN}\n  app_token: ${SLACK_APP_TOKEN}\n");

        int code = run(Map.of("SLACK_BOT_TOKEN", "xoxb-1111-2222-abcdefgh", "SLACK_APP_TOKEN", "xapp-1-A-2-abcdef"),
                "--config", file.toString(), "config");

        assertThat(code).isZero();
        assertThat(out.toString()).contains(": valid").contains("bot_token: '********'")
                .doesNotContain("xoxb-1111-2222-abcdefgh", "xapp-1-A-2-abcdef");
    }

    @Test
    void ask_streamsTheAnswerAndSaysWhoAnswered_afterAFallback() throws IOException {
        try (FakeProvider down = FakeProvider.start(); FakeProvider up = FakeProvider.start()) {
            down.otherwise(r -> FakeProvider.Script.fault(new FakeProvider.Fault.HttpError(503, "server_error", null)));
            up.otherwise(r -> FakeProvider.Script.answer("Paris is the capital of France."));
            Path file = config("""
                    providers:
                      first: {type: openai, api_key: k-first-0000, base_url: "%s", models: [m1],
                              retry: {max_attempts: 1}}
                      second: {type: gemini, api_key: k-second-0000, base_url: "%s", models: [m2]}
                    routing:
                      default_route: r
                      routes:
                        r: {targets: [first/m1, {target: second/m2, priority: 1}]}
                    """.formatted(down.baseUrl(FakeProvider.Api.OPENAI), up.baseUrl(FakeProvider.Api.GEMINI)));

            int code = run(Map.of(), "--config", file.toString(), "ask", "What", "is", "the", "capital?");

            assertThat(code).isZero();
            assertThat(out.toString()).startsWith("Paris is the capital of France.")
                    .contains("-- second/m2 · first token").contains("after first/m1 (server error)");
            assertThat(up.received().getFirst().body().toString()).contains("What is the capital?");
        }
    }

    @Test
    void ask_withNothingThatAnswers_explainsWhatToSetAndExitsWith1() throws IOException {
        Path file = config("providers:\n  openai: {type: openai, api_key: \"${OPENAI_API_KEY}\", models: [m]}\n");

        assertThat(run(Map.of(), "--config", file.toString(), "ask", "hi")).isEqualTo(1);

        assertThat(err.toString()).contains("export OPENAI_API_KEY").doesNotContain("Exception", "\tat ");
    }

    @Test
    void ask_afterAProviderAnsweredWithAnError_namesItsErrorClassAndGivesNoSetUpAdvice() throws IOException {
        try (FakeProvider fake = FakeProvider.start()) {
            fake.otherwise(r -> FakeProvider.Script.fault(new FakeProvider.Fault.HttpError(500, "server_error", null)));
            Path file = dir.resolve("team.yaml");
            Files.writeString(file, "providers:\n  openai: {type: openai, api_key: \"${OPENAI_API_KEY}\", base_url: \""
                    + fake.baseUrl(FakeProvider.Api.OPENAI) + "\", models: [m], retry: {max_attempts: 1}}\n");

            int code = run(Map.of("OPENAI_API_KEY", "sk-test-0123456789abcdef"), "--config", file.toString(),
                    "ask", "hi");

            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).contains("openai/m (server error)")
                    .doesNotContain("export", "OPENAI_API_KEY", "config/switchboard.yaml", "ollama");
        }
    }

    @Test
    void ask_adviceNamesTheConfigFileLoadedAndOnlyTheKeyThatIsMissing() throws IOException {
        try (FakeProvider fake = FakeProvider.start()) {
            fake.otherwise(r -> FakeProvider.Script.fault(new FakeProvider.Fault.HttpError(401, "invalid_api_key",
                    null)));
            Path file = dir.resolve("team.yaml");
            Files.writeString(file, """
                    providers:
                      openai: {type: openai, api_key: "${OPENAI_API_KEY}", base_url: "%s", models: [m]}
                      claude: {type: anthropic, api_key: "${TEAM_CLAUDE_KEY}", models: [c]}
                    routing:
                      default_route: r
                      routes:
                        r: {targets: [openai/m, {target: claude/c, priority: 1}]}
                    """.formatted(fake.baseUrl(FakeProvider.Api.OPENAI)));

            int code = run(Map.of("OPENAI_API_KEY", "sk-test-0123456789abcdef"), "--config", file.toString(),
                    "ask", "hi");

            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).contains("export TEAM_CLAUDE_KEY").contains(file.toString())
                    .doesNotContain("export OPENAI_API_KEY", "GEMINI_API_KEY", "config/switchboard.yaml", "ollama");
        }
    }

    @Test
    void ask_whenAPartialAnswerFails_endsItsLineAndSaysOnStderrThatItWasCut() throws IOException {
        try (FakeProvider fake = FakeProvider.start()) {
            // An error event after three tokens: unlike a cut connection, it reaches the client after the tokens it
            // follows, so the partial text is shown before the failure on every run.
            fake.otherwise(r -> new FakeProvider.Script("one two three four five six", Duration.ZERO, Duration.ZERO,
                    new FakeProvider.Fault.InBandError(3, "server_error")));
            Path file = config("providers:\n  local: {type: ollama, base_url: \"" + fake.baseUrl(FakeProvider.Api.OLLAMA)
                    + "\", models: [m], retry: {max_attempts: 1}}\n");

            assertThat(run(Map.of(), "--config", file.toString(), "ask", "count")).isEqualTo(1);

            assertThat(out.toString()).startsWith("one").endsWith("\n").doesNotContain("six");
            assertThat(err.toString()).startsWith("[the answer above was cut off: local/m ");
        }
    }

    @Test
    void check_probesEveryModelAndReportsEach() throws IOException {
        try (FakeProvider fake = FakeProvider.start()) {
            fake.otherwise(r -> r.body().path("model").asText().equals("missing")
                    ? FakeProvider.Script.fault(new FakeProvider.Fault.HttpError(404, "model_not_found", null))
                    : FakeProvider.Script.answer("ok"));
            Path file = config("""
                    providers:
                      local: {type: ollama, base_url: "%s", models: [llama3.2, missing]}
                      paid: {type: anthropic, api_key: "${ANTHROPIC_API_KEY}", models: [claude]}
                    """.formatted(fake.baseUrl(FakeProvider.Api.OLLAMA)));

            int code = run(Map.of(), "--config", file.toString(), "check");

            assertThat(code).isEqualTo(1);
            assertThat(out.toString()).contains(": valid")
                    .containsPattern("local/llama3.2 +ok +answered in \\d+ ms")
                    .containsPattern("local/missing +FAILED +model not found")
                    .containsPattern("paid/\\* +off +export ANTHROPIC_API_KEY");
        }
    }

    @Test
    void check_listsTheModelsEachProviderServesInEveryWireFormatAndMarksAConfiguredOneItDoesNot() throws IOException {
        try (FakeProvider fake = FakeProvider.start()) {
            // Five models, so Gemini's list comes in three pages.
            fake.serveModels("gpt-5.4-mini", "claude-haiku-4-5", "gemini-3.5-flash-lite", "llama3.2:latest", "extra");
            fake.otherwise(r -> FakeProvider.Script.answer("ok"));
            Path file = config("""
                    providers:
                      oa: {type: openai, api_key: sk-test, base_url: "%s", models: [gpt-5.4-mini]}
                      an: {type: anthropic, api_key: sk-ant-test, base_url: "%s", models: [claude-haiku-4-5]}
                      ge: {type: gemini, api_key: g-test, base_url: "%s", models: [gemini-3.5-flash-lite, gemini-2.0-flash]}
                      ol: {type: ollama, base_url: "%s", models: [llama3.2]}
                    """.formatted(fake.baseUrl(FakeProvider.Api.OPENAI), fake.baseUrl(FakeProvider.Api.ANTHROPIC),
                    fake.baseUrl(FakeProvider.Api.GEMINI), fake.baseUrl(FakeProvider.Api.OLLAMA)));

            int code = run(Map.of(), "--config", file.toString(), "check");

            assertThat(code).as(out.toString()).isEqualTo(1);
            String served = "claude-haiku-4-5, extra, gemini-3.5-flash-lite, gpt-5.4-mini, llama3.2:latest";
            assertThat(out.toString())
                    .containsPattern("oa models +serves +5: " + served)
                    .containsPattern("an models +serves +5: " + served)
                    .containsPattern("ge models +serves +5: " + served)
                    .containsPattern("ol models +serves +5: " + served)
                    .containsPattern("ge/gemini-2.0-flash +NOT SERVED +configured, but not in ge's model list")
                    .doesNotContain("oa/gpt-5.4-mini NOT SERVED").doesNotContain("ol/llama3.2 NOT SERVED");
            assertThat(fake.received()).filteredOn(r -> r.path().endsWith("/models") || r.path().equals("/api/tags"))
                    .extracting(FakeProvider.Received::api, FakeProvider.Received::authorization)
                    .contains(org.assertj.core.groups.Tuple.tuple(FakeProvider.Api.OPENAI, "Bearer sk-test"),
                            org.assertj.core.groups.Tuple.tuple(FakeProvider.Api.ANTHROPIC, "sk-ant-test"),
                            org.assertj.core.groups.Tuple.tuple(FakeProvider.Api.GEMINI, "g-test"),
                            org.assertj.core.groups.Tuple.tuple(FakeProvider.Api.OLLAMA, null));
        }
    }

    @Test
    void check_withEveryModelServed_exitsWith0_andAnUnreachableProviderIsOneClearLineWithExit1() throws IOException {
        try (FakeProvider fake = FakeProvider.start()) {
            fake.serveModels("llama3.2:latest");
            fake.otherwise(r -> FakeProvider.Script.answer("ok"));
            Path good = config("""
                    providers:
                      local: {type: ollama, base_url: "%s", models: [llama3.2]}
                    """.formatted(fake.baseUrl(FakeProvider.Api.OLLAMA)));
            assertThat(run(Map.of(), "--config", good.toString(), "check")).as(out.toString()).isZero();
            assertThat(out.toString()).containsPattern("local models +serves +1: llama3.2:latest")
                    .doesNotContain("NOT SERVED").doesNotContain("FAILED");

            fake.refuseConnections();
            out.getBuffer().setLength(0);
            assertThat(run(Map.of(), "--config", good.toString(), "check")).isEqualTo(1);
            assertThat(out.toString()).containsPattern("local models +FAILED +could not list its models: nothing"
                    + " listens there at http://127\\.0\\.0\\.1:\\d+");
        }
    }

    @Test
    void run_withNothingConfigured_startsServesHealthAndStopsWith0() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path file = config("storage:\n  path: " + dir.resolve("data") + "\nops:\n  port: " + port + "\n");
        CountDownLatch stop = new CountDownLatch(1);
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> Switchboard.execute(
                new String[] {"--config", file.toString(), "--log-format", "text"}, Map.of(),
                new PrintWriter(out, true), new PrintWriter(err, true), stop));
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build();

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        stop.countDown();

        assertThat(running.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void run_onSigtermLogsThatItStopsAndThatItHasStopped() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path file = config("storage:\n  path: " + dir.resolve("data") + "\nops:\n  port: " + port
                + "\n  drain_timeout: 5s\n");
        CountDownLatch stop = new CountDownLatch(1);
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> Switchboard.execute(
                new String[] {"--config", file.toString(), "--log-format", "text"}, Map.of(),
                new PrintWriter(out, true), new PrintWriter(err, true), stop));
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(ServiceRun.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            stop.countDown(); // what the SIGTERM handler does

            assertThat(running.get(20, TimeUnit.SECONDS)).isZero();
            assertThat(lines.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .containsExactly("stopping (SIGTERM): intake stops, replies in progress get up to 5 s to finish",
                            "stopped");
        } finally {
            logger.detachAppender(lines);
        }
    }
}

package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.ProviderMedia;
import dev.switchboard.testing.SampleFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell adapter driven through a JLine terminal on in-memory streams, with the whole service behind it. */
class ShellTest {

    @TempDir
    Path data;

    private final FakeProvider primary = FakeProvider.start();
    private final FakeProvider secondary = FakeProvider.start();
    private final List<Session> sessions = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Session s : sessions) {
            s.close();
        }
        primary.close();
        secondary.close();
    }

    /** What the user types: read by the terminal as it arrives, never at its end. */
    private static final class Keys extends InputStream {
        private final LinkedBlockingQueue<Integer> bytes = new LinkedBlockingQueue<>();

        void type(byte[] typed) {
            for (byte b : typed) {
                bytes.add(b & 0xff);
            }
        }

        @Override
        public int read() throws IOException {
            try {
                return bytes.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }

        /** Waits for the first byte only, then takes what has arrived: a terminal reads keys as they come. */
        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            into[offset] = (byte) read();
            int n = 1;
            Integer next;
            while (n < length && (next = bytes.poll()) != null) {
                into[offset + n++] = (byte) (int) next;
            }
            return n;
        }

        @Override
        public int available() {
            return bytes.size();
        }
    }

    /** A running shell: keys go in, the screen comes out. */
    private final class Session implements AutoCloseable {
        final Service service;
        final Keys keys = new Keys();
        final ByteArrayOutputStream screen = new ByteArrayOutputStream();
        final Terminal terminal;
        final CompletableFuture<Integer> exit;

        Session(String providers) throws IOException {
            this(providers, "");
        }

        Session(String providers, String more) throws IOException {
            String yaml = """
                    providers:
                    %s
                    storage: {path: %s, fsync: false}
                    ops: {enabled: false}
                    """.formatted(providers.indent(2), data.toString().replace("\\", "/")) + more;
            service = new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC()).start();
            // A terminal with JLine's own line discipline: Ctrl-C typed while a reply streams raises INT, as a
            // real terminal's driver does.
            terminal = new ExternalTerminal("test", "dumb", keys, screen, StandardCharsets.UTF_8);
            exit = CompletableFuture.supplyAsync(() -> service.shell(terminal).run());
            await().until(() -> screen().contains("Switchboard shell"));
        }

        String screen() {
            synchronized (screen) {
                return screen.toString(StandardCharsets.UTF_8);
            }
        }

        void type(String text) {
            keys.type(text.getBytes(StandardCharsets.UTF_8));
        }

        /** Types a line and waits until the reply's footer is on the screen. */
        void ask(String line) {
            int footers = count("── ");
            type(line + "\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> count("── ") > footers);
        }

        int count(String what) {
            return screen().split(Pattern.quote(what), -1).length - 1;
        }

        @Override
        public void close() throws Exception {
            if (!exit.isDone()) {
                type("/quit\n");
                exit.get(5, java.util.concurrent.TimeUnit.SECONDS);
            }
            terminal.close();
            service.close();
        }
    }

    private Session start(String providers) throws IOException {
        Session session = new Session(providers);
        sessions.add(session);
        return session;
    }

    private Session start(String providers, String more) throws IOException {
        Session session = new Session(providers, more);
        sessions.add(session);
        return session;
    }

    private String one() {
        return "main: {type: openai, api_key: test-key-000000, base_url: " + primary.baseUrl(Api.OPENAI)
                + ", models: [m]}";
    }

    @Test
    void aTwoTurnConversationUsesTheFirstTurnAsContext() throws Exception {
        primary.enqueue(Script.answer("Nice to meet you, Ada."), Script.answer("Your name is Ada."));
        Session shell = start(one());

        shell.ask("My name is Ada.");
        shell.ask("What is my name?");

        assertThat(shell.screen()).contains("assistant › Nice to meet you, Ada.")
                .contains("assistant › Your name is Ada.").contains("── main/m · first token");
        String second = primary.received().get(1).body().get("messages").toString();
        assertThat(second).contains("My name is Ada.").contains("Nice to meet you, Ada.").contains("What is my name?");
    }

    @Test
    void ctrlCStopsTheReplyAndClosesTheUpstreamStream() throws Exception {
        primary.enqueue(Script.answer("one two three four five six seven eight nine ten eleven twelve")
                .paced(Duration.ofMillis(20), Duration.ofMillis(200)));
        Session shell = start(one());

        shell.type("count slowly\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> shell.screen().contains("assistant › one"));
        shell.type("\u0003");

        await().atMost(Duration.ofSeconds(5)).until(() -> shell.screen().contains("── stopped"));
        await().until(() -> primary.activeStreams() == 0);
        assertThat(shell.screen()).doesNotContain("twelve").contains("(stopped)");
        assertThat(shell.exit).isNotDone(); // one Ctrl-C stops the reply, not the shell

        shell.type("\u0003"); // a second one, at the prompt, leaves
        assertThat(shell.exit.get(5, java.util.concurrent.TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aFailingPrimaryShowsTheFallbackInTheFooter() throws Exception {
        primary.otherwise(r -> Script.fault(new FakeProvider.Fault.HttpError(500, "server_error", null)));
        secondary.otherwise(r -> Script.answer("From the backup."));
        Session shell = start("""
                primary:
                  type: openai
                  api_key: test-key-000000
                  base_url: %s
                  models: [model-a]
                  retry: {max_attempts: 1}
                secondary: {type: anthropic, api_key: test-key-000001, base_url: %s, models: [model-b]}
                """.formatted(primary.baseUrl(Api.OPENAI), secondary.baseUrl(Api.ANTHROPIC)));

        shell.ask("anyone there?");

        assertThat(shell.screen()).contains("assistant › From the backup.")
                .contains("── secondary/model-b").contains("fell back from primary/model-a: server_error");
    }

    @Test
    void aThreadSurvivesARestartAndOpenResumesIt() throws Exception {
        primary.enqueue(Script.answer("Noted: the deploy is on Friday."), Script.answer("On Friday."));
        Session first = start(one());
        first.ask("Remember: the deploy is on Friday.");
        Matcher id = Pattern.compile("thread (\\S+)\\. Type").matcher(first.screen());
        assertThat(id.find()).isTrue();
        first.close();
        sessions.remove(first);

        Session second = start(one());
        second.type("/threads\n");
        await().until(() -> second.screen().contains(id.group(1) + "  Remember: the deploy is on Friday."));
        second.type("/open " + id.group(1) + "\n");
        await().until(() -> second.screen().contains("thread " + id.group(1) + ", 2 turns"));
        second.ask("When is the deploy?");

        assertThat(primary.received().get(1).body().get("messages").toString())
                .contains("Remember: the deploy is on Friday.").contains("When is the deploy?");
    }

    @Test
    void whenNothingAnswersTheShellSaysWhatToSet() throws Exception {
        primary.refuseConnections();
        Session shell = start("ollama: {type: ollama, base_url: " + primary.baseUrl(Api.OLLAMA)
                + ", models: [llama3.2], retry: {max_attempts: 1}}");

        shell.ask("hello?");

        assertThat(shell.screen()).contains("── no answer").contains("No model could be reached")
                .contains("ollama pull llama3.2").contains("OPENAI_API_KEY").doesNotContain("Exception");
    }

    @Test
    void operatorCommandsWorkForTheLocalUser() throws Exception {
        primary.otherwise(r -> Script.answer("ok"));
        Session shell = start(one());

        shell.type("/help\n");
        await().until(() -> shell.screen().contains("forget-user <user>"));
        shell.type("/switchboard status\n");
        await().until(() -> shell.screen().contains("providers (last hour):"));
        assertThat(shell.screen()).containsPattern("main +up +breaker closed").contains("replies in progress: 0");
        shell.type("/switchboard provider main off\n");
        await().until(() -> shell.screen().contains("provider main is out of rotation."));
        shell.type("/switchboard provider main on\n");
        await().until(() -> shell.screen().contains("provider main is back in rotation."));
        shell.type("/switchboard model main/m-large\n");
        await().until(() -> shell.screen().contains("main/m-large answers first here now."));
        shell.ask("which model?");
        assertThat(primary.received().getLast().body().get("model").asText()).isEqualTo("m-large");
        shell.type("/switchboard model nowhere/x\n");
        await().until(() -> shell.screen().contains("not changed: there is no provider \"nowhere\""));

        // export writes the thread beside the data; the file is the stored history as JSON
        String thread = shell.service.store().list(new dev.switchboard.conversation.ConversationQuery("shell", null, null,
                java.time.YearMonth.now(java.time.ZoneOffset.UTC), java.time.YearMonth.now(java.time.ZoneOffset.UTC))).getFirst().key().thread();
        shell.type("/switchboard export " + thread + "\n");
        await().until(() -> shell.screen().contains("Written to "));
        java.nio.file.Path file = data.resolve(".exports").resolve("shell-terminal-" + thread + ".json");
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(file.toFile());
        assertThat(json.get("conversation").get("thread").asText()).isEqualTo(thread);
        assertThat(json.get("turns").get(0).get("text").asText()).isEqualTo("which model?");
        assertThat(json.get("turns").get(1).get("assistant").get("model").asText()).isEqualTo("m-large");
    }

    private static final String CHOOSABLE = """
            routing:
              routes:
                default: {targets: [main/m]}
              user_models: [main/m, main/m-large, main/m-small]
              compare_models: [main/m, main/m-large, main/m-small]
            """;

    private String three() {
        return "main: {type: openai, api_key: test-key-000000, base_url: " + primary.baseUrl(Api.OPENAI)
                + ", models: [m, m-large, m-small], retry: {max_attempts: 1},"
                + " prices: {m-small: {input: 2.5, output: 10}}}";
    }

    @Test
    void aUsersModelChoiceAnswersFirstUntilAnOperatorPinsOne() throws Exception {
        primary.otherwise(r -> Script.answer("from " + r.body().get("model").asText()));
        Session shell = start(three(), CHOOSABLE);

        shell.type("/model\n");
        await().until(() -> shell.screen().contains("You have not chosen one"));
        assertThat(shell.screen()).contains("○ `main/m-large`").contains("○ `main/m-small`");
        shell.type("/model main/m-large\n");
        await().until(() -> shell.screen().contains("main/m-large answers you first in this thread now"));
        shell.ask("which model?");
        assertThat(primary.received().getLast().body().get("model").asText()).isEqualTo("m-large");

        shell.type("/switchboard model main/m-small\n");
        await().until(() -> shell.screen().contains("main/m-small answers first here now."));
        shell.ask("and now?");
        assertThat(primary.received().getLast().body().get("model").asText()).isEqualTo("m-small");
        shell.type("/model\n");
        await().until(() -> shell.screen().contains("An operator pinned main/m-small in this channel"));
    }

    @Test
    void aThreadChoiceWinsOverTheDefault_theDefaultHoldsInNewThreads_andSurvivesARestart() throws Exception {
        primary.otherwise(r -> Script.answer("from " + r.body().get("model").asText()));
        Session first = start(three(), CHOOSABLE);
        first.type("/model main/m-small default\n");
        await().until(() -> first.screen().contains("main/m-small answers you first wherever you ask now"));
        first.type("/model main/m-large\n");
        await().until(() -> first.screen().contains("main/m-large answers you first in this thread now"));
        first.ask("here?");
        assertThat(primary.received().getLast().body().get("model").asText()).isEqualTo("m-large");
        first.type("/new\n");
        await().until(() -> first.screen().contains("new thread"));
        first.ask("and in a new thread?");
        assertThat(primary.received().getLast().body().get("model").asText()).isEqualTo("m-small");
        first.close();
        sessions.remove(first);

        Session second = start(three(), CHOOSABLE);
        second.ask("after a restart?");
        assertThat(primary.received().getLast().body().get("model").asText()).isEqualTo("m-small");
        second.type("/model reset\n");
        await().until(() -> second.screen().contains("Your choices are cleared"));
        second.ask("and now?");
        assertThat(primary.received().getLast().body().get("model").asText()).isEqualTo("m");
    }

    @Test
    void junkModelNamesGetTheListOfAllowedOnes() throws Exception {
        primary.otherwise(r -> Script.answer("ok"));
        Session shell = start(three(), CHOOSABLE);

        shell.type("/model openai/gpt-9\n");
        await().until(() -> shell.screen().contains("\"openai/gpt-9\" is not a model you can choose. Choose one of:"
                + " main/m, main/m-large, main/m-small."));
        shell.type("/model " + "<!channel> @everyone ".repeat(40) + "\n");
        await().until(() -> shell.count("That is not a model you can choose.") == 1);
        shell.type("/compare models:main/m,nope/x what?\n");
        await().until(() -> shell.screen().contains("\"nope/x\" is not a model I can ask. You can compare: main/m,"));
        shell.type("/compare models:main/m what?\n");
        await().until(() -> shell.screen().contains("A comparison takes two or three different models, not 1."));
        assertThat(shell.screen()).doesNotContain("@everyone is not");
        assertThat(primary.requests()).isZero();
    }

    @Test
    void compareAnswersWithEachModel_oneFailing_andStoresEveryAnswer() throws Exception {
        primary.otherwise(r -> r.body().get("model").asText().equals("m-large")
                ? Script.fault(new FakeProvider.Fault.HttpError(500, "server_error", null))
                : Script.answer("Answer of " + r.body().get("model").asText() + "."));
        Session shell = start(three(), CHOOSABLE);

        shell.type("/compare what is a monad?\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> shell.count("assistant (") == 3);

        assertThat(shell.screen())
                .containsPattern("assistant \\(main/m\\) › Answer of m\\.\\R_main/m · first token \\d+\\.\\d\\d s"
                        + " · \\d+\\.\\d\\d s · \\d+ in / \\d+ out tokens_")
                .containsPattern("assistant \\(main/m-small\\) › Answer of m-small\\.\\R_main/m-small · first token"
                        + " \\d+\\.\\d\\d s · \\d+\\.\\d\\d s · 12 in / 3 out tokens · \\$0\\.00006_")
                .containsPattern("assistant \\(main/m-large\\) › [^\\r\\n]+\\R_main/m-large failed: server error_");
        assertThat(primary.requests()).isEqualTo(3); // no fallback: the failing model is asked once, alone
        shell.ask("and a follow-up");
        String followUp = primary.received().getLast().body().get("messages").toString();
        assertThat(followUp).contains("what is a monad?").contains("Answer of m.").contains("Answer of m-small.");
        assertThat(followUp.indexOf("Answer of m.")).isLessThan(followUp.indexOf("Answer of m-small."));
    }

    @Test
    void goodAndBadGiveAVerdictOnTheLastAnswer_aSecondReplacesTheFirst() throws Exception {
        primary.enqueue(Script.answer("Paris."));
        Session shell = start(one());
        shell.type("/good\n");
        await().until(() -> shell.screen().contains(dev.switchboard.answering.Verdicts.NO_ANSWER_YET));

        shell.ask("Capital of France?");
        shell.type("/good\n");
        await().until(() -> shell.screen().contains("Thanks for the feedback! (👍 on main/m)"));
        shell.type("/bad\n");
        await().until(() -> shell.screen().contains("Thanks for the feedback! (👎 on main/m)"));

        var key = shell.service.store().list(new dev.switchboard.conversation.ConversationQuery("shell", null, null,
                null, null)).getFirst().key();
        assertThat(shell.service.store().feedback(key)).extracting(f -> f.verdict())
                .containsExactly(dev.switchboard.conversation.Verdict.BAD);
        assertThat(shell.service.meters().scrape())
                .contains("switchboard_feedback_total{model=\"m\",provider=\"main\",verdict=\"good\"} 1.0")
                .contains("switchboard_feedback_total{model=\"m\",provider=\"main\",verdict=\"bad\"} 1.0");
        // usage and status show the share of 👍 per model: one person, one verdict.
        shell.type("/switchboard usage\n");
        await().until(() -> shell.screen().contains("feedback (share of 👍 per model):")
                && shell.screen().contains("main/m: 0% 👍 (0 of 1)"));
        shell.type("/switchboard status\n");
        await().until(() -> shell.count("main/m: 0% 👍 (0 of 1)") == 2);
    }

    // --- attachments (issue 20): /attach <path> ---

    private String provider(String name, Api api, FakeProvider fake, String model) {
        return name + ": {type: " + api.name().toLowerCase(java.util.Locale.ROOT) + ", api_key: test-key-000000,"
                + " base_url: " + fake.baseUrl(api) + ", models: [" + model + "], retry: {max_attempts: 1}}";
    }

    private Path file(String name, byte[] bytes) throws IOException {
        return java.nio.file.Files.write(data.resolve(name), bytes);
    }

    @Test
    void anAttachedImageGoesToAVisionModelAsADataUrl_byteExact_andAFollowUpStillSeesIt() throws Exception {
        byte[] png = SampleFiles.png(64, 48);
        Session shell = start(provider("main", Api.OPENAI, primary, "gpt-4o"));

        shell.type("/attach " + file("cat.png", png) + "\n");
        await().until(() -> shell.screen().contains("Attached cat.png to your next question"));
        shell.ask("What is in this picture?");
        shell.ask("And what colour is it?");

        assertThat(ProviderMedia.of(primary.received().get(0)))
                .singleElement().satisfies(m -> {
                    assertThat(m.mediaType()).isEqualTo("image/png");
                    assertThat(m.bytes()).isEqualTo(png);
                });
        // The follow-up's history still carries the earlier image, read back from the thread's blobs.
        assertThat(ProviderMedia.of(primary.received().get(1))).singleElement()
                .satisfies(m -> assertThat(m.bytes()).isEqualTo(png));
        var key = shell.service.store().list(new dev.switchboard.conversation.ConversationQuery("shell", null, null,
                null, null)).getFirst().key();
        assertThat(shell.service.store().load(key).orElseThrow().turns().getFirst().attachments())
                .singleElement().satisfies(a -> assertThat(a.kind())
                        .isEqualTo(dev.switchboard.conversation.Attachment.Kind.IMAGE));

        // forget takes the blobs along.
        try (var blobs = java.nio.file.Files.walk(data)) {
            assertThat(blobs.filter(p -> p.toString().contains(".blobs") && java.nio.file.Files.isRegularFile(p)))
                    .hasSize(1);
        }
        shell.type("/switchboard forget\n");
        await().until(() -> shell.service.store().load(key).isEmpty());
        try (var blobs = java.nio.file.Files.walk(data)) {
            assertThat(blobs.filter(p -> p.toString().contains(".blobs") && java.nio.file.Files.isRegularFile(p)))
                    .isEmpty();
        }
    }

    /** A route whose replies may call the fake MCP server's tools, {@code add_note} only once approved. */
    private Session withTools(dev.switchboard.testing.FakeMcpServer mcp) throws IOException {
        Session shell = start(one(), mcp.routeWithTools("main/m"));
        await().atMost(Duration.ofSeconds(20)).until(() -> mcp.listed() > 0);
        return shell;
    }

    @Test
    void aToolCallShowsItsStatusLineThenTheAnswer() throws Exception {
        try (var mcp = dev.switchboard.testing.FakeMcpServer.http(null)) {
            primary.enqueue(Script.callTools("", new dev.switchboard.testing.FakeToolCalls.Call("call_1", "fake__echo",
                    "{\"text\":\"hi\"}")), Script.answer("The tool said hi."));
            Session shell = withTools(mcp);

            shell.ask("use the tool");

            assertThat(shell.screen()).contains("✅ fake/echo (text: \"hi\") — done in")
                    .contains("The tool said hi.");

            shell.type("/switchboard tools\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> shell.screen().contains("fake/echo: 1 call, 0 failed"));
            assertThat(shell.screen()).contains("fake (http): connected").contains("fake/add_note: 0 calls");
        }
    }

    @Test
    void anImageSkipsATextOnlyFirstTarget_andTheNextOneSeesItScaledToItsLongestEdge() throws Exception {
        byte[] wide = SampleFiles.png(3136, 1000);
        secondary.otherwise(r -> Script.answer("An orange and blue picture."));
        Session shell = start(provider("primary", Api.OPENAI, primary, "gpt-3.5-turbo") + "\n"
                + provider("secondary", Api.ANTHROPIC, secondary, "claude-sonnet-4-5"));

        shell.type("/attach " + file("wide.png", wide) + "\n");
        shell.ask("What is this?");

        assertThat(primary.requests()).isZero();
        assertThat(shell.screen()).contains("assistant › An orange and blue picture.")
                .contains("fell back from primary/gpt-3.5-turbo");
        ProviderMedia.Media sent = ProviderMedia.of(secondary.received().getFirst()).getFirst();
        var image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(sent.bytes()));
        assertThat(image.getWidth()).isEqualTo(1568); // Anthropic's longest edge
        assertThat(image.getHeight()).isEqualTo(500);
    }

    @Test
    void whenNoTargetSeesImagesTheAnswerSaysSo() throws Exception {
        primary.otherwise(r -> Script.answer("I can only read text."));
        Session shell = start(provider("main", Api.OPENAI, primary, "gpt-3.5-turbo"));

        shell.type("/attach " + file("chart.png", SampleFiles.png(10, 10)) + "\n");
        shell.ask("Explain the chart");

        assertThat(shell.screen()).contains("I did not see chart.png: no model on this route reads images.");
        assertThat(ProviderMedia.of(primary.received().getFirst())).isEmpty();
        assertThat(ProviderMedia.text(primary.received().getFirst())).contains("not seen");
    }

    @Test
    void aTextFileGoesIntoThePromptWithItsName() throws Exception {
        Session shell = start(one());

        shell.type("/attach " + file("build.log", "ERROR: disk full on /var\n".getBytes(StandardCharsets.UTF_8))
                + "\n");
        shell.ask("Why did the build fail?");

        assertThat(ProviderMedia.text(primary.received().getFirst())).contains("File build.log:")
                .contains("ERROR: disk full on /var");
    }

    @Test
    void aPdfGoesAsADocumentToAnthropic_andAsItsTextToOllama() throws Exception {
        byte[] pdf = SampleFiles.pdf("Invoice total 42 EUR");
        Session shell = start(provider("claude", Api.ANTHROPIC, primary, "claude-sonnet-4-5"));
        shell.type("/attach " + file("invoice.pdf", pdf) + "\n");
        shell.ask("What is the total?");
        assertThat(ProviderMedia.of(primary.received().getFirst())).singleElement().satisfies(m -> {
            assertThat(m.mediaType()).isEqualTo("application/pdf");
            assertThat(m.bytes()).isEqualTo(pdf);
        });
        shell.close();
        sessions.remove(shell);

        Session local = start(provider("local", Api.OLLAMA, secondary, "llama3.1"));
        local.type("/new\n/attach " + data.resolve("invoice.pdf") + "\n");
        local.ask("What is the total?");
        assertThat(ProviderMedia.of(secondary.received().getFirst())).isEmpty();
        assertThat(ProviderMedia.text(secondary.received().getFirst())).contains("PDF invoice.pdf (its text)")
                .contains("Invoice total 42 EUR");
    }

    @Test
    void oversizedFakeAndZipFilesAreNamedWithWhyTheyWereNotRead() throws Exception {
        Path big = SampleFiles.large(data.resolve("big.bin"), 50L * 1024 * 1024);
        byte[] fake = SampleFiles.notAnImage();
        Session shell = start(one());

        shell.type("/attach " + big + "\n/attach " + file("photo.png", fake) + "\n/attach "
                + file("src.zip", SampleFiles.zip("a.txt", "hello")) + "\n");
        shell.ask("Look at these");

        assertThat(shell.screen()).contains("I could not read big.bin: it is larger than the 20 MB limit.")
                .contains("I could not read photo.png: it looks like an image but could not be decoded")
                .contains("I could not read src.zip: it is a ZIP archive, which I cannot open.");
        assertThat(ProviderMedia.text(primary.received().getFirst())).contains("[big.bin was not read");
    }

    @Test
    void withKeepOffAFileServesItsAnswerOnly_andNothingOfItStays() throws Exception {
        byte[] png = SampleFiles.png(12, 12);
        Session shell = start(provider("main", Api.OPENAI, primary, "gpt-4o"), "attachments: {keep: false}\n");

        shell.type("/attach " + file("once.png", png) + "\n");
        shell.ask("What is it?");
        shell.ask("And again?");

        assertThat(ProviderMedia.of(primary.received().get(0))).singleElement()
                .satisfies(m -> assertThat(m.bytes()).isEqualTo(png));
        assertThat(ProviderMedia.of(primary.received().get(1))).isEmpty();
        assertThat(ProviderMedia.text(primary.received().get(1))).contains("[once.png: no longer kept]");
        try (var files = java.nio.file.Files.walk(data)) {
            assertThat(files.filter(p -> p.toString().contains(".blobs"))).isEmpty();
        }
    }

    @Test
    void aConfirmedToolAsksYesOrNoAtThePrompt() throws Exception {
        try (var mcp = dev.switchboard.testing.FakeMcpServer.http(null)) {
            primary.enqueue(Script.callTools("", new dev.switchboard.testing.FakeToolCalls.Call("call_1",
                    "fake__add_note", "{\"text\":\"x\"}")), Script.answer("Noted."),
                    Script.callTools("", new dev.switchboard.testing.FakeToolCalls.Call("call_2",
                    "fake__add_note", "{\"text\":\"y\"}")), Script.answer("Not noted."));
            Session shell = withTools(mcp);

            int footers = shell.count("── ");
            shell.type("note x\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> shell.screen().contains("run fake/add_note"));
            shell.type("y\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> shell.count("── ") > footers);
            assertThat(mcp.notes()).isEqualTo(1);

            int before = shell.count("? [y/N]");
            shell.type("note y\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> shell.count("? [y/N]") > before);
            shell.type("n\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> shell.screen().contains("Not noted."));
            assertThat(mcp.notes()).isEqualTo(1);
            assertThat(shell.screen()).contains("🚫 fake/add_note (text: \"y\") — not approved");
        }
    }
}

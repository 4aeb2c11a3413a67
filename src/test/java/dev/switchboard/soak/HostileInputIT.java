package dev.switchboard.soak;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testing.FakeDiscord;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import dev.switchboard.testing.FakeSlackFiles;
import dev.switchboard.testing.FakeDiscordFiles;
import dev.switchboard.testing.FakeSlackInteractions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input against the packaged service (issue 8, "Bad input"): the real {@code target/switchboard.jar} started by
 * the README launcher as its own process, Slack in HTTP mode (events on the ops server, so raw signed requests can be
 * sent), Discord over the Gateway, one OpenAI-style FakeProvider that echoes the user's question back so hostile text
 * flows into the reply.
 *
 * <p>Groups: oversized messages, control characters, invalid UTF-8 and malformed payloads, mention floods, ids built to
 * traverse paths, slash commands with junk arguments, replayed and tampered Slack requests. After each group a
 * checkpoint: the process is alive, {@code /healthz} is ok, a normal question on each platform gets exactly one
 * complete reply, no file appeared outside the data folder, every stored file parses and no stored text is over
 * {@code storage.max_turn_chars}, and no secret is in the log. Prints a table (case, sent, came back, verdict) and fails
 * when any verdict is not ok. The service runs under the POSIX locale ({@code LANG=C LC_ALL=C}); so do {@code ask} and
 * the shell in {@link #posixLocale_askAndTheShellKeepNonAsciiTextExact()}.
 *
 * <p>Only this test: {@code ./mvnw -B -DskipTests package && ./mvnw -B toolchains:select-jdk-toolchain
 * -Dtoolchain.jdk.version='[21,)' failsafe:integration-test failsafe:verify -Dit.test=HostileInputIT}.
 */
class HostileInputIT {

    static final String THINKING = "_thinking…_";
    static final String CURSOR = "▍";
    static final String END = "END-OF-ECHO";
    static final int MAX_TURN_CHARS = 40_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String PROVIDER_KEY = "sk-test-hostile-provider-key-0042";
    /** The locale of containers, cron and CI: ASCII only. The service and the CLI must not care. */
    static final Map<String, String> POSIX_LOCALE = Map.of("LANG", "C", "LC_ALL", "C", "LC_CTYPE", "");
    static final String NON_ASCII = "Explain café naïve 漢字 🙂";

    // Slack world.
    static final String CASES = "C100", REPLAY = "C101", SANE = "C900";
    /** The agent view (issue 22): a channel with the bot, one without it, one Alice is not in. */
    static final String AGENT_SEEN = "C110", AGENT_NO_BOT = "C111", AGENT_NOT_HERS = "C112";
    static final String ALICE = "U1000", OPERATOR = "U0OPER8", FLOODED = "U2000";
    // Discord world.
    static final String D_CASES = "400000000000000001", D_SANE = "400000000000000009";
    static final String D_ALICE = "300000000000000001", D_OPERATOR = "300000000000000009";
    static final String D_ROLE = "200000000000000077";

    /** One line of the printed table. */
    record Row(String group, String name, String sent, String cameBack, String verdict) {
        boolean ok() {
            return verdict.startsWith("ok");
        }
    }

    /** An HTTP answer, shortened for the table. */
    record Answer(int status, String body) {
        String excerpt() {
            return status + " " + excerptOf(body, 60);
        }
    }

    private final Path repo = Path.of(System.getProperty("soak.basedir", ".")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private final FakeSlack slack = FakeSlack.start();
    private final FakeDiscord discord = FakeDiscord.start();
    private final FakeProvider provider = FakeProvider.start();
    private ServiceProcess service;
    private Path data;
    private Path log;
    private String eventsUrl;
    private final List<Row> rows = new ArrayList<>();
    private final AtomicInteger serial = new AtomicInteger();
    private Map<String, FileTime> outsideBefore;
    private FileTime passwdBefore;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (service != null && service.alive()) {
            service.kill();
        }
        if (log != null && Files.exists(log)) {
            try {
                Files.copy(log, repo.resolve("target/hostile-service.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                System.out.println("hostile: could not keep the service log: " + e);
            }
        }
        slack.close();
        discord.close();
        provider.close();
    }

    @Test
    void hostileInputGetsAClearRefusalOrACorrectAnswerAndNothingElseBreaks() throws Exception {
        world();
        int opsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            opsPort = s.getLocalPort();
        }
        data = dir.resolve("data");
        log = dir.resolve("service.log");
        Path config = writeConfig(opsPort);
        outsideBefore = outsideFiles();
        passwdBefore = mtime(Path.of("/etc/passwd"));
        service = new ServiceProcess(repo, config, log, opsPort, POSIX_LOCALE);
        long t0 = System.nanoTime();
        service.start();
        eventsUrl = "http://127.0.0.1:" + opsPort + "/slack/events";
        slack.deliverOverHttp(eventsUrl);
        await("Discord connected").atMost(Duration.ofSeconds(30))
                .until(() -> discord.gatewayConnections() >= 1 && discord.registeredCommands().size() >= 2);
        System.out.printf("hostile: service up in %.1f s (pid %d); log %s%n", (System.nanoTime() - t0) / 1e9,
                service.pid(), log);
        checkpoint("start");

        long t1 = System.nanoTime();
        oversized();
        checkpoint("oversized");
        controlCharacters();
        checkpoint("control chars");
        invalidBytesAndMalformedJson();
        checkpoint("invalid bytes");
        mentionFloods();
        checkpoint("mention floods");
        traversalIds();
        checkpoint("traversal ids");
        slashJunk();
        checkpoint("slash junk");
        modelAndCompareJunk();
        checkpoint("model and compare junk");
        replays();
        checkpoint("replays");
        agentView();
        checkpoint("agent view");
        feedbackForgeries();
        checkpoint("feedback forgeries");
        attachments();
        checkpoint("attachments");
        double seconds = (System.nanoTime() - t1) / 1e9;

        print(seconds);
        List<Row> failed = rows.stream().filter(r -> !r.ok()).toList();
        if (!failed.isEmpty()) {
            StringBuilder b = new StringBuilder(failed.size() + " hostile-input case(s) failed:");
            failed.forEach(r -> b.append("\n  ").append(r.group()).append(" / ").append(r.name()).append(": ")
                    .append(r.verdict()).append(" (came back: ").append(r.cameBack()).append(')'));
            throw new AssertionError(b.toString());
        }
    }

    /**
     * Issue 17, point 2: under {@code LANG=C LC_ALL=C}, {@code ./switchboard ask} and the packaged service with its
     * shell pass non-ASCII text to the provider exactly and print the answer exactly.
     */
    @Test
    void posixLocale_askAndTheShellKeepNonAsciiTextExact() throws Exception {
        provider.otherwise(HostileInputIT::echo);
        data = dir.resolve("locale-data");
        Path config = dir.resolve("locale.yaml");
        Files.writeString(config, """
                providers:
                  echo: {type: openai, api_key: %s, base_url: "%s", models: [m]}
                storage: {path: "%s", fsync: false}
                ops: {enabled: false}
                logging: {format: text, level: warn}
                """.formatted(PROVIDER_KEY, provider.baseUrl(Api.OPENAI), data));
        String echoed = "You asked: " + NON_ASCII + " " + END;
        check("locale", "ask under LANG=C", "ask \"" + NON_ASCII + "\"", () -> {
            Launched ask = launch("", "--config", config.toString(), "ask", NON_ASCII);
            expect(ask.exit() == 0, "exit 0, got " + ask.exit() + ": " + excerptOf(ask.err(), 200));
            expect(lastQuestion().equals(NON_ASCII), "the provider got the exact text: " + lastQuestion());
            expect(ask.out().startsWith(echoed + "\n"), "the answer printed exactly: " + excerptOf(ask.out(), 80));
            return excerptOf(ask.out(), 60);
        });
        check("locale", "the shell under LANG=C", NON_ASCII + " typed", () -> {
            String typed = NON_ASCII + " (shell)";
            Launched shell = launch(typed + "\n/quit\n", "--shell", "--config", config.toString());
            expect(shell.exit() == 0, "exit 0, got " + shell.exit() + ": " + excerptOf(shell.err(), 200));
            expect(lastQuestion().equals(typed), "the provider got the exact text: " + lastQuestion());
            expect(shell.out().contains("You asked: " + typed + " " + END), "the answer printed exactly: "
                    + excerptOf(shell.out(), 200));
            return "answered exactly";
        });
        print(0);
        List<Row> failed = rows.stream().filter(r -> !r.ok()).toList();
        if (!failed.isEmpty()) {
            throw new AssertionError(failed.size() + " locale case(s) failed: " + failed);
        }
    }

    /** What a launcher run wrote and how it ended; both streams decoded as UTF-8. */
    record Launched(int exit, String out, String err) { }

    /** Runs {@code ./switchboard} under the POSIX locale with {@code stdin} typed in, and waits for it to end. */
    private Launched launch(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(repo.resolve("switchboard").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile())
                .redirectError(dir.resolve("launch.err").toFile()).redirectOutput(dir.resolve("launch.out").toFile());
        POSIX_LOCALE.forEach((name, value) -> {
            if (value.isEmpty()) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        Process p = builder.start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new Expectation("the launcher did not end within 120 s");
        }
        return new Launched(p.exitValue(), Files.readString(dir.resolve("launch.out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("launch.err"), StandardCharsets.UTF_8));
    }

    /** The newest user message the provider received. */
    private String lastQuestion() {
        if (provider.received().isEmpty()) {
            return "(nothing received)";
        }
        String last = "";
        for (JsonNode m : provider.received().getLast().body().path("messages")) {
            if ("user".equals(m.path("role").asText())) {
                last = m.path("content").asText();
            }
        }
        return last;
    }

    // ------------------------------------------------------------------------------------------------ the groups

    private void oversized() {
        String group = "oversized";
        check(group, "Slack mention over max_turn_chars", "mention, 40,050 chars", () -> {
            String marker = marker("A1");
            int privateBefore = privateAnswers(ALICE).size();
            String ts = slack.post(CASES, ALICE, mention(marker + " " + "x".repeat(40_050)));
            String refusal = oneSlackRefusal(CASES, ts, ALICE, privateBefore, Duration.ofSeconds(15));
            expect(isLengthRefusal(refusal), "the refusal names the length limit: " + excerptOf(refusal, 80));
            expect(!providerSaw(marker), "the provider never saw it");
            return refusal.startsWith("private") ? refusal : "in thread: " + refusal;
        });
        check(group, "Slack event body 3.9 MB", "mention, 3.9 MB event JSON", () -> {
            String marker = marker("A2");
            int before = slack.deliveries().size();
            int privateBefore = privateAnswers(ALICE).size();
            String ts = slack.post(CASES, ALICE, mention(marker + " " + "y".repeat(3_900_000)));
            await("its deliveries").atMost(Duration.ofSeconds(30))
                    .until(() -> slack.deliveries().size() >= before + 2);
            List<FakeSlack.Delivery> mine = slack.deliveries().subList(before, slack.deliveries().size());
            String statuses = mine.stream().map(d -> Integer.toString(d.status())).distinct()
                    .reduce((a, b) -> a + "/" + b).orElse("");
            expect(mine.stream().noneMatch(d -> d.status() >= 500), "no 5xx: HTTP " + statuses);
            String refusal = oneSlackRefusal(CASES, ts, ALICE, privateBefore, Duration.ofSeconds(10));
            expect(!refusal.isEmpty(), "one clear refusal (thread or private); got none, HTTP " + statuses
                    + " to " + mine.size() + " deliveries: the message is silently lost");
            expect(isLengthRefusal(refusal), "the refusal names the length limit: " + excerptOf(refusal, 80));
            expect(!providerSaw(marker), "the provider never saw it");
            return "HTTP " + statuses + "; " + excerptOf(refusal, 50);
        });
        check(group, "Slack /ask of 50,000 chars", "/ask <50k chars>", () -> {
            String user = "U3001";
            String marker = marker("A3");
            slack.slashCommand("/ask", CASES, user, marker + " " + "z".repeat(50_000));
            String answer = privateAnswer(user);
            expect(isLengthRefusal(answer), "a private refusal naming the length limit, got: " + answer);
            expect(askedPosts(user).isEmpty(), "nothing posted in the channel");
            expect(!providerSaw(marker), "the provider never saw it");
            return "private: " + excerptOf(answer, 70);
        });
        check(group, "Discord over max_turn_chars", "(not sent)", () ->
                "n/a: Discord takes at most 2,000 chars from a user (4,000 with Nitro; the fake enforces 2,000),"
                        + " far below 40,000");
        check(group, "Discord mention at Discord's 2,000 limit", "mention, 2,000 chars", () -> {
            String marker = marker("A4");
            String content = discordMention(marker + " ");
            content = content + "w".repeat(2_000 - content.length());
            String id = discord.post(D_CASES, D_ALICE, content);
            List<FakeDiscord.Message> replies = settleDiscord(id);
            String text = joinedDiscord(replies);
            expect(text.contains(marker) && text.endsWith(END) && text.contains("w".repeat(1_900)),
                    "the whole echo: " + excerptOf(text, 60));
            return replies.size() + " msgs, " + text.length() + " chars, whole echo";
        });
    }

    private void controlCharacters() {
        String group = "control chars";
        String hostile = "NUL[\u0000] BEL[\u0007] ESC[\u001b[31mred\u001b[0m] RLO[\u202Eevil\u202C] LRI[\u2066x\u2069]"
                + " ZW[\u200B] DEL[\u007F]";
        check(group, "Slack NUL/BEL/ANSI/bidi", "mention with " + visible(hostile), () -> {
            String marker = marker("B1");
            String question = marker + " " + hostile;
            String ts = slack.post(CASES, ALICE, mention(question));
            List<FakeSlack.Message> replies = settleSlack(CASES, ts);
            String text = joined(replies);
            expect(replies.size() == 1 && text.contains(marker) && text.endsWith(END),
                    "one echoed answer: " + excerptOf(text, 80));
            expect(storedTexts().stream().anyMatch(t -> t.contains(question)), "the question stored exactly");
            return "answered; stored exactly: " + visible(excerptOf(text, 40));
        });
        check(group, "Slack lone surrogates (JSON \\ud800 \\udfff)", "raw signed app_mention", () -> {
            String marker = marker("B2");
            String ts = slack.post(CASES, ALICE, "plain message to anchor " + marker);
            String text = "<@" + FakeSlack.BOT_USER + "> " + marker + " high[\\ud800] low[\\udfff] pair[\\ud83d\\ude00]";
            byte[] body = eventJson("EvHOSTB2" + serial.incrementAndGet(), FakeSlack.TEAM, CASES, ALICE, ts, null,
                    text).getBytes(StandardCharsets.UTF_8);
            Answer a = postRaw(body, "application/json", now(), null, Map.of());
            expect(a.status() == 200, "200, got " + a.excerpt());
            List<FakeSlack.Message> replies = settleSlack(CASES, ts);
            String reply = joined(replies);
            expect(replies.size() == 1 && reply.contains(marker), "one answer: " + excerptOf(reply, 80));
            expect(storedTexts().stream().anyMatch(t -> t.contains(marker) && t.contains("\uD83D\uDE00")),
                    "the question stored (and readable)");
            return "HTTP " + a.status() + "; answered: " + visible(excerptOf(reply, 50));
        });
        check(group, "Discord NUL/BEL/ANSI/bidi", "mention with the same text", () -> {
            String marker = marker("B3");
            String question = marker + " " + hostile;
            String id = discord.post(D_CASES, D_ALICE, discordMention(question));
            List<FakeDiscord.Message> replies = settleDiscord(id);
            String text = joinedDiscord(replies);
            expect(replies.size() == 1 && text.contains(marker) && text.endsWith(END),
                    "one echoed answer: " + visible(excerptOf(text, 80)));
            expect(storedTexts().stream().anyMatch(t -> t.contains(question)), "the question stored exactly");
            return "answered; stored exactly";
        });
    }

    private void invalidBytesAndMalformedJson() {
        String group = "invalid bytes";
        check(group, "invalid UTF-8 in a signed event", "app_mention, bytes C3 28 FF FE, signed over raw bytes",
                () -> {
                    String marker = marker("C1");
                    String ts = slack.post(CASES, ALICE, "plain message to anchor " + marker);
                    String json = eventJson("EvHOSTC1" + serial.incrementAndGet(), FakeSlack.TEAM, CASES, ALICE, ts,
                            null, "<@" + FakeSlack.BOT_USER + "> " + marker + " BAD[@@@@]");
                    byte[] body = withBadBytes(json.getBytes(StandardCharsets.UTF_8));
                    List<Answer> answers = slackLikeDelivery(body, "application/json");
                    expect(answers.stream().allMatch(a -> a.status() < 500), "no 5xx: " + statuses(answers));
                    List<FakeSlack.Message> replies = settleSlackOrNone(CASES, ts, Duration.ofSeconds(3));
                    expect(replies.size() <= 1, "at most one reply over 4 deliveries, got " + replies.size());
                    return statuses(answers) + "; replies " + replies.size()
                            + (replies.isEmpty() ? "" : ": " + excerptOf(joined(replies), 40));
                });
        Map<String, String> malformed = new java.util.LinkedHashMap<>();
        malformed.put("truncated JSON", "{\"type\":\"event_callback\",\"event\":{\"type\":\"app_mention\",");
        malformed.put("not JSON", "hello, I am not JSON");
        malformed.put("JSON array", "[1,2,3]");
        malformed.put("JSON null", "null");
        malformed.put("event as a string", "{\"type\":\"event_callback\",\"event_id\":\"EvX1\",\"event\":\"boom\"}");
        malformed.put("event without fields", "{\"type\":\"event_callback\",\"event_id\":\"EvX2\",\"team_id\":\""
                + FakeSlack.TEAM + "\",\"event\":{\"type\":\"app_mention\"}}");
        malformed.put("empty body", "");
        malformed.forEach((name, body) -> check(group, "malformed: " + name, excerptOf(body, 40), () -> {
            List<Answer> answers = slackLikeDelivery(body.getBytes(StandardCharsets.UTF_8), "application/json");
            expect(answers.stream().allMatch(a -> a.status() < 500), "no 5xx: " + statuses(answers));
            return statuses(answers);
        }));
        check(group, "malformed: form with bad %-escapes", "command=/ask&text=%ZZ%", () -> {
            String body = "token=t&team_id=" + FakeSlack.TEAM + "&channel_id=" + CASES + "&user_id=U3009"
                    + "&command=%2Fask&text=%ZZ%&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fx&trigger_id=1.2.x";
            List<Answer> answers = slackLikeDelivery(body.getBytes(StandardCharsets.UTF_8),
                    "application/x-www-form-urlencoded");
            expect(answers.stream().allMatch(a -> a.status() < 500), "no 5xx: " + statuses(answers));
            return statuses(answers);
        });
        check(group, "malformed: interactive payload", "payload=%7Bbroken", () -> {
            List<Answer> answers = slackLikeDelivery("payload=%7Bbroken".getBytes(StandardCharsets.UTF_8),
                    "application/x-www-form-urlencoded");
            expect(answers.stream().allMatch(a -> a.status() < 500), "no 5xx: " + statuses(answers));
            return statuses(answers);
        });
    }

    private void mentionFloods() {
        String group = "mention floods";
        check(group, "Slack: 300 user mentions + <!channel> <!everyone> <!here>", "mention, echoed back", () -> {
            String marker = marker("D1");
            String flood = ("<@" + FLOODED + "> ").repeat(300)
                    + "<!channel> <!everyone> <!here> <!subteam^S0TEAM|@team> <#C100|general>";
            String ts = slack.post(CASES, ALICE, mention(marker + " " + flood));
            List<FakeSlack.Message> replies = settleSlack(CASES, ts);
            String text = joined(replies);
            expect(text.contains(marker) && text.endsWith(END), "the echo arrived whole: " + excerptOf(text, 60));
            expect(!text.contains("<@") && !text.contains("<!") && !text.contains("<#"),
                    "no mention syntax survives in the bot's text");
            return replies.size() + " msg, escaped: " + excerptOf(text.substring(text.indexOf(marker)), 50);
        });
        check(group, "Discord: 85 user mentions + @everyone @here <@&role>", "mention, echoed back", () -> {
            String marker = marker("D2");
            StringBuilder flood = new StringBuilder();
            for (int i = 0; i < 85; i++) {
                flood.append("<@").append(discordFlooded(i)).append("> ");
            }
            flood.append("@everyone @here <@&").append(D_ROLE).append("> <#").append(D_CASES).append('>');
            String id = discord.post(D_CASES, D_ALICE, discordMention(marker + " " + flood));
            List<FakeDiscord.Message> replies = settleDiscord(id);
            String text = joinedDiscord(replies);
            expect(text.contains(marker) && text.endsWith(END), "the echo arrived whole: " + excerptOf(text, 60));
            for (FakeDiscord.Message m : replies) {
                JsonNode am = m.allowedMentions();
                expect(am != null && am.isObject() && am.path("parse").isArray() && am.path("parse").isEmpty()
                                && am.path("users").isEmpty() && am.path("roles").isEmpty()
                                && !am.path("replied_user").asBoolean(false),
                        "empty allowed_mentions on every message: " + am);
            }
            expect(!text.matches("(?s).*(^|[^\\w])@(everyone|here)\\b.*") && !text.matches("(?s).*<@[!&]?\\d+>.*"),
                    "@everyone/@here and <@…> defused in the text");
            return replies.size() + " msgs, allowed_mentions " + replies.getFirst().allowedMentions();
        });
    }

    private void traversalIds() {
        String group = "traversal ids";
        List<String> channels = List.of("../../etc/passwd", "..%2F..%2Fetc", "C\u0000NUL", "..", "/abs/olute",
                "C" + "L".repeat(300), "C\\..\\win");
        for (String channel : channels) {
            check(group, "Slack channel " + visible(excerptOf(channel, 24)), "mention in that channel", () -> {
                String marker = marker("E-ch");
                slack.channel(channel, "hostile");
                String ts = slack.post(channel, ALICE, mention(marker + " traverse"));
                List<FakeSlack.Message> replies = settleSlackOrNone(channel, ts, Duration.ofSeconds(10));
                String text = joined(replies);
                expect(replies.size() <= 1, "at most one reply, got " + replies.size());
                expect(replies.isEmpty() || text.contains(marker) || isRefusal(text), "an answer or a refusal");
                expectInsideData();
                return replies.isEmpty() ? "no reply" : "1 reply: " + excerptOf(text, 50);
            });
        }
        check(group, "Slack user ../../etc/passwd", "mention from that user", () -> {
            String marker = marker("E-user");
            String ts = slack.post(CASES, "../../etc/passwd", mention(marker + " user traverse"));
            List<FakeSlack.Message> replies = settleSlackOrNone(CASES, ts, Duration.ofSeconds(10));
            expect(replies.size() <= 1, "at most one reply");
            expectInsideData();
            return replies.isEmpty() ? "no reply" : "1 reply: " + excerptOf(joined(replies), 50);
        });
        List<String[]> raw = List.of(
                new String[] {"team ../../../../tmp/x", "../../../../tmp/x", null},
                new String[] {"team with NUL", "T\u0000../x", null},
                new String[] {"team 5,000 chars", "T" + "A".repeat(5_000), null},
                new String[] {"thread_ts ../../../x", FakeSlack.TEAM, "../../../x"},
                new String[] {"thread_ts ..%2F..%2Fx", FakeSlack.TEAM, "..%2F..%2Fx"},
                new String[] {"thread_ts 3,000 digits", FakeSlack.TEAM, "1".repeat(3_000)});
        for (String[] c : raw) {
            check(group, "Slack " + visible(c[0]), "raw signed app_mention", () -> {
                String marker = marker("E-raw");
                String ts = slack.post(CASES, ALICE, "plain message to anchor " + marker);
                String json = eventJson("EvHOSTE" + serial.incrementAndGet(), c[1], CASES, ALICE, ts, c[2],
                        "<@" + FakeSlack.BOT_USER + "> " + marker + " raw traverse");
                Answer a = postRaw(json.getBytes(StandardCharsets.UTF_8), "application/json", now(), null, Map.of());
                expect(a.status() < 500, "no 5xx: " + a.excerpt());
                List<FakeSlack.Message> replies = settleSlackOrNone(CASES, ts, Duration.ofSeconds(3));
                expect(replies.size() <= 1, "at most one reply, got " + replies.size());
                expectInsideData();
                return "HTTP " + a.status() + "; " + (replies.isEmpty() ? "no reply"
                        : "1 reply: " + excerptOf(joined(replies), 40));
            });
        }
        check(group, "Discord snowflake ids", "(not sent)", () ->
                "n/a: Discord ids are numeric snowflakes that JDA parses as long; a non-numeric id cannot reach the "
                        + "service");
        check(group, "data folder walk", "after all traversal cases", () -> {
            expectInsideData();
            long files;
            try (Stream<Path> s = Files.walk(data)) {
                files = s.filter(Files::isRegularFile).count();
            }
            return files + " files, every real path inside " + data.getFileName();
        });
    }

    private void slashJunk() throws IOException {
        String group = "slash junk";
        List<String[]> asks = List.of(new String[] {"U3101", "", "/ask (empty)"},
                new String[] {"U3102", "   \t  ", "/ask (whitespace)"});
        for (String[] a : asks) {
            check(group, a[2], "/ask '" + visible(a[1]) + "'", () -> {
                slack.slashCommand("/ask", CASES, a[0], a[1]);
                String answer = privateAnswer(a[0]);
                expect(!answer.isBlank() && !answer.contains(END), "a clear private answer: " + answer);
                expect(askedPosts(a[0]).isEmpty(), "nothing posted in the channel");
                return "private: " + excerptOf(answer, 70);
            });
        }
        check(group, "/ask with control chars", "/ask NUL BEL ESC RLO", () -> {
            String user = "U3103";
            String marker = marker("F3");
            slack.slashCommand("/ask", CASES, user, marker + " a[\u0000] b[\u0007] c[\u001b[1m] d[\u202E]");
            await("the question posted").atMost(Duration.ofSeconds(15))
                    .until(() -> !askedPosts(user).isEmpty());
            FakeSlack.Message posted = askedPosts(user).getFirst();
            List<FakeSlack.Message> replies = settleSlack(CASES, posted.ts());
            String text = joined(replies);
            expect(replies.size() == 1 && text.contains(marker), "one answer: " + excerptOf(text, 60));
            return "posted + answered: " + visible(excerptOf(text, 40));
        });

        Path audit = data.resolve(".audit/audit.jsonl");
        Path settings = data.resolve(".settings.json");
        List<String> junk = List.of("provider", "model ../../x", "usage 99999999999999999999d",
                "route <#C100|x>", "frobnicate --now", "#".repeat(3_000) + "\u0000\u001b[2J" + "q".repeat(7_000),
                "prompt", "forget ../../etc/passwd");
        check(group, "/switchboard from a non-operator", "/switchboard provider echo off", () -> {
            int before = lines(audit);
            int privateBefore = privateAnswers(ALICE).size();
            slack.slashCommand("/switchboard", CASES, ALICE, "provider echo off");
            await("a private answer").atMost(Duration.ofSeconds(10))
                    .until(() -> privateAnswers(ALICE).size() > privateBefore);
            String answer = privateAnswers(ALICE).getLast();
            expect(!answer.isBlank(), "a private refusal");
            await("audited").atMost(Duration.ofSeconds(5)).until(() -> lines(audit) > before);
            return "private: " + excerptOf(answer, 60);
        });
        String settingsBefore = Files.exists(settings) ? Files.readString(settings) : "(none)";
        for (String command : junk) {
            check(group, "/switchboard " + visible(excerptOf(command, 28)), "operator, " + command.length() + " chars",
                    () -> {
                        int before = lines(audit);
                        int privateBefore = privateAnswers(OPERATOR).size();
                        slack.slashCommand("/switchboard", CASES, OPERATOR, command);
                        await("a private answer").atMost(Duration.ofSeconds(10))
                                .until(() -> privateAnswers(OPERATOR).size() > privateBefore);
                        String answer = privateAnswers(OPERATOR).getLast();
                        expect(!answer.isBlank(), "a clear private answer");
                        await("audited").atMost(Duration.ofSeconds(5)).until(() -> lines(audit) > before);
                        String now = Files.exists(settings) ? Files.readString(settings) : "(none)";
                        expect(now.equals(settingsBefore), "settings unchanged: " + excerptOf(now, 80));
                        return "private: " + visible(excerptOf(answer, 60));
                    });
        }
        check(group, "Discord /switchboard model ../../x", "operator, ephemeral", () -> {
            String id = discord.slash("switchboard", D_CASES, D_OPERATOR, Map.of("command", "model ../../x"));
            await("an answer").atMost(Duration.ofSeconds(10)).until(() -> {
                FakeDiscord.Interaction it = discord.interaction(id);
                return it != null && it.original() != null && !it.original().isBlank()
                        && !it.original().contains(THINKING);
            });
            String now = Files.exists(settings) ? Files.readString(settings) : "(none)";
            expect(now.equals(settingsBefore), "settings unchanged");
            return "ephemeral: " + excerptOf(discord.interaction(id).original(), 60);
        });
        check(group, "Discord /ask with 5,000 junk chars", "/ask question:<junk>", () -> {
            String marker = marker("F9");
            String id = discord.slash("ask", D_CASES, D_ALICE,
                    Map.of("question", marker + " " + ("\u0000\u0007<@&" + D_ROLE + "> @everyone ").repeat(150)));
            AtomicReference<String> last = new AtomicReference<>("");
            await("a settled answer").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        FakeDiscord.Interaction it = discord.interaction(id);
                        String all = it == null || it.original() == null ? ""
                                : it.original() + String.join("", it.followups());
                        boolean settled = !all.isEmpty() && !all.contains(THINKING) && !all.endsWith(CURSOR)
                                && all.equals(last.getAndSet(all));
                        return settled && (all.endsWith(END) || isRefusal(all));
                    });
            String all = last.get();
            expect(!all.matches("(?s).*(^|[^\\w])@everyone\\b.*") && !all.matches("(?s).*<@&\\d+>.*"),
                    "mentions defused");
            return excerptOf(all, 60);
        });
    }

    /**
     * The group "model and compare junk": users' {@code /model} with huge and garbage arguments and {@code /compare}
     * (and {@code /ask models:}) with junk model names, on Slack and Discord. Each gets a clear private answer that
     * echoes nothing able to ping, asks no provider, posts nothing, and leaves the saved settings as they were.
     */
    private void modelAndCompareJunk() throws IOException {
        String group = "model and compare junk";
        Path settings = data.resolve(".settings.json");
        String settingsBefore = Files.exists(settings) ? Files.readString(settings) : "(none)";
        List<String[]> slackCases = List.of(
                new String[] {"U3201", "/compare", "models:../../x,<!channel> what?"},
                new String[] {"U3202", "/compare", "models:" + "<!everyone>,".repeat(2_000) + " what?"},
                new String[] {"U3203", "/compare", "models:echo/m,echo/m what?"},
                new String[] {"U3204", "/compare", "models:a/1,b/2,c/3,d/4 what?"},
                new String[] {"U3205", "/compare", "what? (no compare_models configured)"},
                new String[] {"U3206", "/ask", "models:\u0000\u001b[2J,<@U0OPER8> what?"},
                new String[] {"U3207", "/model", "<!everyone> ".repeat(1_000) + "\u0000\u001b[2J"},
                new String[] {"U3208", "/model", "../../x default"},
                new String[] {"U3209", "/model", "echo/m default and more"},
                new String[] {"U3210", "/model", "reset reset reset"});
        for (String[] c : slackCases) {
            check(group, "Slack " + c[1] + " " + visible(excerptOf(c[2], 24)), c[1] + ", " + c[2].length() + " chars",
                    () -> {
                        int asked = provider.requests();
                        slack.slashCommand(c[1], CASES, c[0], c[2]);
                        String answer = privateAnswer(c[0]);
                        expect(!answer.isBlank(), "a clear private answer");
                        expect(!answer.contains("<!") && !answer.contains("<@"), "nothing that pings: "
                                + excerptOf(answer, 80));
                        expect(askedPosts(c[0]).isEmpty(), "nothing posted in the channel");
                        expect(provider.requests() == asked, "no provider asked");
                        String now = Files.exists(settings) ? Files.readString(settings) : "(none)";
                        expect(now.equals(settingsBefore), "settings unchanged");
                        return "private: " + visible(excerptOf(answer, 60));
                    });
        }
        List<Map<String, String>> discordCases = List.of(
                Map.of("command", "compare", "question", "what?", "models", "../../x, @everyone"),
                Map.of("command", "compare", "question", "what?", "models", "<@&" + D_ROLE + ">,".repeat(150)),
                Map.of("command", "ask", "question", "what?", "models", "a/1,b/2,c/3,d/4"),
                Map.of("command", "model", "model", "@everyone ".repeat(150) + "\u0000"),
                Map.of("command", "model", "model", "../../x", "scope", "default"));
        for (Map<String, String> c : discordCases) {
            Map<String, String> options = new java.util.LinkedHashMap<>(c);
            String command = options.remove("command");
            check(group, "Discord /" + command + " " + visible(excerptOf(String.valueOf(options), 24)),
                    "ephemeral", () -> {
                        int asked = provider.requests();
                        String id = discord.slash(command, D_CASES, D_ALICE, options);
                        await("an answer").atMost(Duration.ofSeconds(10)).until(() -> {
                            FakeDiscord.Interaction it = discord.interaction(id);
                            return it != null && it.original() != null && !it.original().isBlank()
                                    && !it.original().contains(THINKING);
                        });
                        String answer = discord.interaction(id).original();
                        expect(!answer.contains("@everyone") && !answer.matches("(?s).*<@&\\d+>.*"),
                                "nothing that pings: " + excerptOf(answer, 80));
                        expect(provider.requests() == asked, "no provider asked");
                        String now = Files.exists(settings) ? Files.readString(settings) : "(none)";
                        expect(now.equals(settingsBefore), "settings unchanged");
                        return "ephemeral: " + visible(excerptOf(answer, 60));
                    });
        }
    }

    private void replays() {
        String group = "replays";
        String ts = slack.post(REPLAY, ALICE, "plain message to anchor the replay");
        String marker = marker("G1");
        byte[] body = eventJson("EvHOSTG1" + serial.incrementAndGet(), FakeSlack.TEAM, REPLAY, ALICE, ts, null,
                "<@" + FakeSlack.BOT_USER + "> " + marker + " replay me").getBytes(StandardCharsets.UTF_8);
        long signedAt = now();
        String signature = sign(signedAt, body);
        check(group, "valid signed request", "app_mention signed now", () -> {
            Answer a = postRaw(body, "application/json", signedAt, signature, Map.of());
            expect(a.status() == 200, "200: " + a.excerpt());
            List<FakeSlack.Message> replies = settleSlack(REPLAY, ts);
            expect(replies.size() == 1 && joined(replies).contains(marker), "one answer");
            return "HTTP " + a.status() + "; 1 reply";
        });
        check(group, "same request replayed (same signature)", "identical bytes and headers", () -> {
            Answer a = postRaw(body, "application/json", signedAt, signature, Map.of());
            expect(a.status() < 500, "no 5xx: " + a.excerpt());
            expectStillOneReply(REPLAY, ts);
            expect(providerCount(marker) == 1, "the provider asked once, was " + providerCount(marker));
            return "HTTP " + a.status() + "; still 1 reply, provider asked once";
        });
        check(group, "same body re-signed 6 min old", "X-Slack-Request-Timestamp now-360", () -> {
            long old = now() - 360;
            Answer a = postRaw(body, "application/json", old, sign(old, body), Map.of());
            expect(a.status() == 401, "401: " + a.excerpt());
            expectStillOneReply(REPLAY, ts);
            return a.excerpt();
        });
        check(group, "fresh event signed 6 min old", "new event, timestamp now-360", () -> {
            String ts2 = slack.post(REPLAY, ALICE, "plain message to anchor a stale one");
            byte[] fresh = eventJson("EvHOSTG4" + serial.incrementAndGet(), FakeSlack.TEAM, REPLAY, ALICE, ts2, null,
                    "<@" + FakeSlack.BOT_USER + "> " + marker("G4") + " stale").getBytes(StandardCharsets.UTF_8);
            long old = now() - 360;
            Answer a = postRaw(fresh, "application/json", old, sign(old, fresh), Map.of());
            expect(a.status() == 401, "401: " + a.excerpt());
            expectNoReply(REPLAY, ts2);
            return a.excerpt() + "; no reply";
        });
        check(group, "fresh event signed 6 min ahead", "timestamp now+360", () -> {
            String ts2 = slack.post(REPLAY, ALICE, "plain message to anchor a future one");
            byte[] fresh = eventJson("EvHOSTG5" + serial.incrementAndGet(), FakeSlack.TEAM, REPLAY, ALICE, ts2, null,
                    "<@" + FakeSlack.BOT_USER + "> " + marker("G5") + " future").getBytes(StandardCharsets.UTF_8);
            long ahead = now() + 360;
            Answer a = postRaw(fresh, "application/json", ahead, sign(ahead, fresh), Map.of());
            expect(a.status() == 401, "401: " + a.excerpt());
            expectNoReply(REPLAY, ts2);
            return a.excerpt() + "; no reply";
        });
        check(group, "body altered after signing", "signed '…original', sent '…altered'", () -> {
            String ts2 = slack.post(REPLAY, ALICE, "plain message to anchor a tampered one");
            String eventId = "EvHOSTG6" + serial.incrementAndGet();
            String g6 = marker("G6");
            byte[] original = eventJson(eventId, FakeSlack.TEAM, REPLAY, ALICE, ts2, null,
                    "<@" + FakeSlack.BOT_USER + "> " + g6 + " original").getBytes(StandardCharsets.UTF_8);
            byte[] altered = eventJson(eventId, FakeSlack.TEAM, REPLAY, ALICE, ts2, null,
                    "<@" + FakeSlack.BOT_USER + "> " + g6 + " altered!").getBytes(StandardCharsets.UTF_8);
            long t = now();
            Answer a = postRaw(altered, "application/json", t, sign(t, original), Map.of());
            expect(a.status() == 401, "401: " + a.excerpt());
            expectNoReply(REPLAY, ts2);
            return a.excerpt() + "; no reply";
        });
        check(group, "no signature headers", "event without X-Slack-*", () -> {
            HttpRequest r = HttpRequest.newBuilder(URI.create(eventsUrl)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<String> response = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
            expect(response.statusCode() == 401, "401: " + response.statusCode());
            return new Answer(response.statusCode(), response.body()).excerpt();
        });
    }

    // ------------------------------------------------------------------------------------------------ agent view

    /**
     * Issue 22, Slack's agent view: forged context events for channels the user may not see, oversize and garbage
     * event fields, and a channel summary over hostile channel text. Every event is acknowledged without a 5xx, and
     * nothing of a channel the user is not in reaches the model or the user.
     */
    private void agentView() {
        String group = "agent view";
        String dm = "D" + ALICE;
        check(group, "forged app_context_changed, then the summary prompt", "context: " + AGENT_NOT_HERS, () -> {
            String secret = marker("H1");
            slack.post(AGENT_NOT_HERS, OPERATOR, "not for alice " + secret);
            Answer a = agentEvent("{\"type\":\"app_context_changed\",\"user\":" + q(ALICE) + ",\"event_ts\":"
                    + q(now() + ".000100") + ",\"context\":{\"entities\":[{\"type\":\"slack#/types/channel_id\","
                    + "\"value\":" + q(AGENT_NOT_HERS) + ",\"team_id\":" + q(FakeSlack.TEAM) + "}]}}");
            expect(a.status() == 200, "200: " + a.excerpt());
            awaitIdle("the context event");
            String ts = slack.dm(ALICE, "Summarise the channel I am viewing");
            List<FakeSlack.Message> replies = settleSlack(dm, ts);
            expect(replies.size() == 1 && joined(replies).contains("member"), "one refusal: " + joined(replies));
            expect(!providerSaw(secret), "the model never saw the channel");
            return "HTTP 200; " + excerptOf(joined(replies), 50);
        });
        check(group, "summary of a channel the bot is not in", "context: " + AGENT_NO_BOT, () -> {
            aliceLooksAt(AGENT_NO_BOT);
            String ts = slack.dm(ALICE, "summarise the channel I am viewing!");
            List<FakeSlack.Message> replies = settleSlack(dm, ts);
            expect(replies.size() == 1 && joined(replies).contains("/invite"), "one clear line: " + joined(replies));
            return excerptOf(joined(replies), 60);
        });
        check(group, "summary over a mention flood", "history with <!channel> x50, <@U…> x50", () -> {
            slack.post(AGENT_SEEN, ALICE, "<!channel> ".repeat(50) + "<@" + OPERATOR + "> ".repeat(50)
                    + "<!subteam^S1|@admins> <https://evil.example|click>");
            aliceLooksAt(AGENT_SEEN);
            String ts = slack.dm(ALICE, "Summarise the channel I am viewing");
            List<FakeSlack.Message> replies = settleSlack(dm, ts);
            expect(replies.size() == 1 && joined(replies).endsWith(END), "one answer: " + joined(replies));
            String system = provider.received().getLast().body().path("messages").path(0).path("content").asText();
            expect(system.contains("@channel") && system.contains("@operator"), "the history reached the model");
            expect(!system.contains("<!") && !system.contains("<@"), "every mention defused: "
                    + excerptOf(system, 80));
            return "answered; mentions defused in the prompt";
        });
        check(group, "oversize app_context_changed", "10,000 entities of 5,000 chars", () -> {
            StringBuilder entities = new StringBuilder();
            for (int i = 0; i < 10_000; i++) {
                entities.append(i == 0 ? "" : ",").append("{\"type\":\"slack#/types/channel_id\",\"value\":\"C")
                        .append("X".repeat(5_000)).append("\"}");
            }
            Answer a = agentEvent("{\"type\":\"app_context_changed\",\"user\":" + q(ALICE)
                    + ",\"context\":{\"entities\":[" + entities + "]}}");
            expect(a.status() < 500, "no 5xx: " + a.excerpt());
            return a.excerpt();
        });
        check(group, "garbage agent event fields", "numbers, arrays, ../ ids, NUL", () -> {
            int promptsBefore = slack.agent().suggestedPrompts().size();
            List<String> events = List.of(
                    "{\"type\":\"app_context_changed\",\"user\":42,\"context\":\"C110\"}",
                    "{\"type\":\"app_context_changed\",\"user\":" + q(ALICE) + ",\"context\":{\"entities\":\"x\"}}",
                    "{\"type\":\"app_home_opened\",\"user\":" + q(ALICE) + ",\"channel\":\"../../etc\",\"tab\":"
                            + "\"messages\"}",
                    "{\"type\":\"app_home_opened\",\"user\":[1],\"channel\":" + q(dm) + ",\"tab\":\"messages\"}",
                    "{\"type\":\"assistant_thread_started\",\"assistant_thread\":{\"user_id\":" + q(ALICE)
                            + ",\"channel_id\":\"D\\u0000\",\"thread_ts\":\"../x\"}}",
                    "{\"type\":\"assistant_thread_context_changed\",\"assistant_thread\":[]}");
            List<String> codes = new ArrayList<>();
            for (String e : events) {
                Answer a = agentEvent(e);
                codes.add(Integer.toString(a.status()));
                expect(a.status() < 500, "no 5xx: " + a.excerpt());
            }
            awaitIdle("the garbage events");
            expect(slack.agent().suggestedPrompts().size() == promptsBefore, "no prompts set for garbage");
            expectInsideData();
            return "HTTP " + String.join(",", codes) + "; nothing set";
        });
        check(group, "the view opened for real", "app_home_opened tab=messages", () -> {
            int before = slack.agent().suggestedPrompts().size();
            slack.agent().openMessagesTab(ALICE, AGENT_SEEN);
            await("suggested prompts").atMost(Duration.ofSeconds(10))
                    .until(() -> slack.agent().suggestedPrompts().size() == before + 1);
            expect(slack.agent().suggestedPrompts().getLast().prompts().size() <= 4, "at most 4 prompts");
            return slack.agent().suggestedPrompts().getLast().prompts().size() + " prompts";
        });
    }

    /** Alice looks at {@code channel} beside the agent view: the event is taken, and what it started is done. */
    private void aliceLooksAt(String channel) {
        Answer a = agentEvent("{\"type\":\"app_context_changed\",\"user\":" + q(ALICE) + ",\"context\":"
                + "{\"entities\":[{\"type\":\"slack#/types/channel_id\",\"value\":" + q(channel) + "}]}}");
        expect(a.status() == 200, "200: " + a.excerpt());
        awaitIdle("the context event");
    }

    /** An agent-view event, signed and posted as Slack would; {@code eventJson} is the event object's JSON. */
    private Answer agentEvent(String eventJson) {
        String eventId = "EvHOSTH" + serial.incrementAndGet();
        String body = "{\"token\":\"fakeVerificationToken0000\",\"team_id\":" + q(FakeSlack.TEAM)
                + ",\"api_app_id\":" + q(FakeSlack.APP_ID) + ",\"event\":" + eventJson
                + ",\"type\":\"event_callback\",\"event_id\":" + q(eventId) + ",\"event_time\":" + now()
                + ",\"authorizations\":[{\"team_id\":" + q(FakeSlack.TEAM) + ",\"user_id\":" + q(ALICE)
                + ",\"is_bot\":false,\"is_enterprise_install\":false}]}";
        return postRaw(body.getBytes(StandardCharsets.UTF_8), "application/json", now(), null, Map.of());
    }

    /**
     * Issue 22: 👍 / 👎 presses. Genuine ones (the asker's, another user's) are stored once per person and thanked
     * privately; forged block actions (on a question, with a junk value, from another workspace, naming another
     * channel, for an action the app never showed) and forged Discord clicks (junk custom ids, another thread's)
     * get a private refusal or none, and store nothing.
     */
    private void feedbackForgeries() {
        String group = "feedback";
        String thanks = dev.switchboard.answering.Verdicts.THANKS;
        String ts = slack.post(CASES, ALICE, mention(marker("F1") + " rate me"));
        List<FakeSlack.Message> replies = settleSlack(CASES, ts);
        String answer = replies.isEmpty() ? ts : replies.getLast().ts();
        check(group, "genuine press by the asker", "block_actions 👍 on the answer", () -> {
            await("feedback buttons").atMost(Duration.ofSeconds(10))
                    .until(() -> !slack.blocks(CASES, answer).isEmpty());
            int before = storedVerdicts();
            slack.pressFeedback(CASES, answer, ALICE, true);
            await("thanks").atMost(Duration.ofSeconds(10)).until(() -> ephemerals(ALICE).contains(thanks));
            expect(storedVerdicts() == before + 1, "one verdict stored, now " + storedVerdicts());
            return "thanked privately; 1 verdict stored";
        });
        check(group, "press by another user", "block_actions 👎 by a second user", () -> {
            int before = storedVerdicts();
            slack.pressFeedback(CASES, answer, FLOODED, false);
            await("thanks").atMost(Duration.ofSeconds(10)).until(() -> ephemerals(FLOODED).contains(thanks));
            slack.pressFeedback(CASES, answer, FLOODED, false); // again: replaces, not added
            await("thanks again").atMost(Duration.ofSeconds(10))
                    .until(() -> ephemerals(FLOODED).stream().filter(thanks::equals).count() == 2);
            expect(storedVerdicts() == before + 1, "counted once for that user, now " + storedVerdicts());
            return "thanked; counted once per person";
        });
        List<Map.Entry<String, FakeSlackInteractions.Press>> forged = List.of(
                Map.entry("on the question, not an answer", slack.feedbackPress(CASES, ts, ALICE, true)),
                Map.entry("junk value", slack.feedbackPress(CASES, answer, ALICE, true)
                        .withValue("good'; DROP TABLE feedback;--" + "💣".repeat(500))),
                Map.entry("another workspace", slack.feedbackPress(CASES, answer, ALICE, true).withTeam("T0EVIL")),
                Map.entry("answer claimed in another channel", slack.feedbackPress(CASES, answer, ALICE, true)
                        .withChannel(SANE)),
                Map.entry("traversal message ts", slack.feedbackPress(CASES, answer, ALICE, true)
                        .withMessage("../../../../etc/passwd")));
        for (Map.Entry<String, FakeSlackInteractions.Press> f : forged) {
            check(group, "forged: " + f.getKey(), "block_actions", () -> {
                int before = storedVerdicts();
                long refusals = ephemerals(ALICE).stream().filter(t -> !t.equals(thanks)).count();
                slack.blockAction(f.getValue());
                await("a refusal").atMost(Duration.ofSeconds(10)).until(() -> ephemerals(ALICE).stream()
                        .filter(t -> !t.equals(thanks)).count() > refusals);
                expect(storedVerdicts() == before, "nothing stored");
                return "refused privately; nothing stored";
            });
        }
        check(group, "forged: an action the app never showed", "block_actions with action_id evil", () -> {
            int before = storedVerdicts();
            slack.blockAction(new FakeSlackInteractions.Press(FakeSlack.TEAM, ALICE, "alice", CASES, "cases", answer,
                    ts, null, "evil_action", "b", "x", "good", "http://127.0.0.1:1/none", "1.000001"));
            awaitIdle("the evil action");
            expect(service.alive(), "the process is alive");
            expect(storedVerdicts() == before, "nothing stored");
            return "ignored; nothing stored";
        });
        String id = discord.post(D_CASES, D_ALICE, discordMention(marker("F2") + " rate me"));
        List<FakeDiscord.Message> dReplies = settleDiscord(id);
        String dAnswer = dReplies.isEmpty() ? id : dReplies.getLast().id();
        for (String junk : List.of("fb:zz", "fb:g:../../etc:passwd:" + dAnswer, "fb:g:" + D_SANE + ":" + D_SANE + ":"
                + dAnswer, "fb:" + "g".repeat(95), "fb:b:" + D_CASES + ":" + id + ":" + id)) {
            check(group, "forged Discord click " + excerptOf(junk, 30), "INTERACTION_CREATE type 3", () -> {
                int before = storedVerdicts();
                String click = discord.click(id, dAnswer, D_ALICE, junk);
                await("an ephemeral answer").atMost(Duration.ofSeconds(10))
                        .until(() -> discord.interaction(click).original() != null);
                String said = discord.interaction(click).original();
                expect(!said.equals(thanks), "refused: " + said);
                expect(storedVerdicts() == before, "nothing stored");
                return excerptOf(said, 60);
            });
        }
        check(group, "genuine Discord click", "the answer's 👍 button", () -> {
            await("buttons").atMost(Duration.ofSeconds(10))
                    .until(() -> discord.components().customIds(dAnswer).size() == 2);
            int before = storedVerdicts();
            String click = discord.click(id, dAnswer, D_ALICE, discord.components().customIds(dAnswer).getFirst());
            await("thanks").atMost(Duration.ofSeconds(10))
                    .until(() -> thanks.equals(discord.interaction(click).original()));
            expect(storedVerdicts() == before + 1, "one verdict stored");
            return "thanked ephemerally; 1 verdict stored";
        });
    }

    private List<String> ephemerals(String user) {
        return slack.ephemerals().stream().filter(e -> e.user().equals(user)).map(FakeSlack.Ephemeral::text).toList();
    }

    /** Verdicts in the data folder's feedback files ({@code .feedback/<thread>.json}). */
    private int storedVerdicts() throws IOException {
        int n = 0;
        try (Stream<Path> files = Files.walk(data)) {
            for (Path p : files.filter(p -> p.getParent() != null
                    && p.getParent().getFileName().toString().equals(".feedback")
                    && p.getFileName().toString().endsWith(".json")
                    && !p.getFileName().toString().startsWith(".")).toList()) {
                n += JSON.readTree(p.toFile()).path("body").path("verdicts").size();
            }
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------ checkpoints

    /**
     * Issue 20: files that are too large, damaged, bombs, of the wrong type or with path-like names. Each gets a reply
     * naming the file and why it was not read; nothing of it reaches the provider, and nothing is written outside the
     * data folder (the checkpoint after the group checks that).
     */
    private void attachments() {
        String group = "attachments";
        record Hostile(String name, String sent, String fileName, String type, byte[] bytes, String reason) {
            FakeSlackFiles.Shared slackFile() {
                return bytes == null ? FakeSlackFiles.Shared.generated(fileName, type, 50L << 20, 1024)
                        : FakeSlackFiles.Shared.of(fileName, type, bytes);
            }

            /** Null for the 50 MB case: the fake keeps Discord attachments in memory, and Slack's covers it. */
            FakeDiscordFiles.File discordFile() {
                return bytes == null ? null : new FakeDiscordFiles.File(fileName, type, bytes);
            }
        }
        byte[] zip = dev.switchboard.testing.SampleFiles.zip("inside.txt", "hello");
        List<Hostile> cases = List.of(
                new Hostile("oversized (50 MB declared as 1 KB)", "50 MB of zeros", "huge.log", "text/plain", null,
                        "larger than the 20 MB limit"),
                new Hostile("corrupt PNG", "PNG signature + junk", "broken.png", "image/png",
                        dev.switchboard.testing.SampleFiles.notAnImage(), "could not be decoded"),
                new Hostile("decompression bomb", "PNG header 100000×100000", "bomb.png", "image/png",
                        dev.switchboard.testing.SampleFiles.pngBomb(100_000, 100_000), "more than I decode"),
                new Hostile("wrong type", "a ZIP named .png", "photo.png", "image/png", zip, "is not an image"),
                new Hostile("path-like name", "../../etc/passwd", "../../etc/passwd", "application/zip", zip,
                        "ZIP archive"),
                new Hostile("path-like name, text", "..\\..\\boot.ini (text)", "..\\..\\boot.ini", "text/plain",
                        "root:x:0:0:root:/root:/bin/bash\n".getBytes(StandardCharsets.UTF_8), null));
        for (Hostile h : cases) {
            check(group, "Slack: " + h.name(), h.sent(), () -> {
                String marker = marker("F" + serial.incrementAndGet());
                String ts = slack.postWithFiles(CASES, ALICE, mention(marker + " what is in the file?"), h.slackFile());
                String text = joined(settleSlack(CASES, ts));
                if (h.reason() == null) {
                    expect(providerSaw("root:x:0:0"), "a text file is read as text, whatever its name");
                }
                return fileNote(text, h.fileName(), h.reason());
            });
            if (h.discordFile() == null) {
                continue;
            }
            check(group, "Discord: " + h.name(), h.sent(), () -> {
                String marker = marker("G" + serial.incrementAndGet());
                String id = discord.postWithFiles(D_CASES, D_ALICE, discordMention(marker + " and this file?"),
                        h.discordFile());
                return fileNote(joinedDiscord(settleDiscord(id)), h.fileName(), h.reason());
            });
        }
    }

    /** Checks that an answer names a file it did not read and why ({@code reason} null: that it read it). */
    private static String fileNote(String text, String fileName, String reason) {
        if (reason == null) {
            expect(!text.contains("I could not read " + fileName), "read: " + excerptOf(text, 120));
            return "read as text: " + excerptOf(text, 50);
        }
        expect(text.contains("I could not read " + fileName + ": ") && text.contains(reason),
                "one line naming the file and why: " + excerptOf(text, 120));
        return excerptOf(text.substring(text.indexOf("I could not read")), 80);
    }

    private void checkpoint(String after) {
        int n = serial.incrementAndGet();
        check("checkpoint", "after " + after, "healthz + a question on each platform", () -> {
            expect(service.alive(), "the process is alive");
            HttpResponse<String> health = service.get("/healthz");
            expect(health.statusCode() == 200 && health.body().strip().startsWith("ok"),
                    "/healthz ok: " + health.statusCode() + " " + health.body());
            String sMarker = "sanity-slack-" + n;
            String ts = slack.post(SANE, ALICE, mention(sMarker + " how are you?"));
            List<FakeSlack.Message> sReplies = settleSlack(SANE, ts);
            expect(sReplies.size() == 1 && sReplies.getFirst().text().contains(sMarker)
                            && sReplies.getFirst().text().endsWith(END),
                    "Slack: exactly one complete reply, got " + sReplies.size() + ": " + excerptOf(joined(sReplies),
                            60));
            String dMarker = "sanity-discord-" + n;
            String id = discord.post(D_SANE, D_ALICE, discordMention(dMarker + " how are you?"));
            List<FakeDiscord.Message> dReplies = settleDiscord(id);
            expect(dReplies.size() == 1 && dReplies.getFirst().content().contains(dMarker)
                            && dReplies.getFirst().content().endsWith(END),
                    "Discord: exactly one complete reply, got " + dReplies.size());
            expectInsideData();
            Map<String, FileTime> outside = outsideFiles();
            Set<String> changed = new TreeSet<>();
            outside.forEach((p, t) -> {
                boolean isNew = !outsideBefore.containsKey(p);
                boolean rewritten = !isNew && Files.isRegularFile(Path.of(p)) && !Objects.equals(t,
                        outsideBefore.get(p));
                if (isNew || rewritten) {
                    changed.add(p);
                }
            });
            expect(changed.isEmpty(), "no file written outside the data folder: " + changed);
            expect(Objects.equals(passwdBefore, mtime(Path.of("/etc/passwd"))), "/etc/passwd untouched");
            int longest = storedTexts().stream().mapToInt(String::length).max().orElse(0);
            expect(longest <= MAX_TURN_CHARS, "no stored text over max_turn_chars: " + longest);
            String logText = Files.readString(log, StandardCharsets.ISO_8859_1);
            for (String secret : List.of(FakeSlack.SIGNING_SECRET, FakeSlack.BOT_TOKEN, FakeDiscord.TOKEN,
                    PROVIDER_KEY)) {
                expect(!logText.contains(secret), "no secret in the log: found " + secret.substring(0, 6) + "…");
            }
            return "alive, healthz ok, 1+1 replies, files inside, longest stored " + longest + ", log clean";
        });
    }

    // ------------------------------------------------------------------------------------------------ the world

    private void world() {
        // The service's chat.update budget below is 600 a minute, so the workspace allows that many (as SoakIT's
        // does): with Slack's default 50 here, the run's replies drew 429s whose Retry-After (up to a minute) outlasted
        // a case's wait for its settled reply.
        slack.limit("chat.update", 600, Duration.ofSeconds(60), FakeSlack.Scope.WORKSPACE);
        slack.user(ALICE, "alice").user(OPERATOR, "operator").user(FLOODED, "flooded");
        slack.channel(CASES, "cases").channel(REPLAY, "replay").channel(SANE, "sane");
        slack.channel(AGENT_SEEN, "agent-seen").channelWithoutBot(AGENT_NO_BOT, "agent-no-bot")
                .channel(AGENT_NOT_HERS, "agent-not-hers");
        slack.agent().members(AGENT_SEEN, ALICE).members(AGENT_NO_BOT, ALICE).members(AGENT_NOT_HERS, OPERATOR);
        discord.user(D_ALICE, "alice").user(D_OPERATOR, "operator");
        for (int i = 0; i < 120; i++) {
            discord.user(discordFlooded(i), "flooded" + i);
        }
        discord.role(D_ROLE, "everyone-ish");
        discord.memberRoles(discordFlooded(0), D_ROLE);
        discord.textChannel(D_CASES, "cases").textChannel(D_SANE, "sane");
        provider.otherwise(HostileInputIT::echo);
    }

    private static String discordFlooded(int i) {
        return Long.toString(300_000_000_000_000_100L + i);
    }

    /** Echoes the newest user message back, so hostile text reaches the platform through the reply path. */
    private static Script echo(FakeProvider.Received r) {
        JsonNode messages = r.body().path("messages");
        String last = "";
        for (JsonNode m : messages) {
            if ("user".equals(m.path("role").asText())) {
                JsonNode content = m.path("content");
                last = content.isTextual() ? content.asText() : content.toString();
            }
        }
        return Script.answer("You asked: " + last + " " + END);
    }

    private Path writeConfig(int opsPort) throws IOException {
        Path config = dir.resolve("switchboard.yaml");
        Files.writeString(config, """
                slack:
                  mode: http
                  bot_token: %s
                  signing_secret: %s
                  api_url: %s
                  user_rate_limit: {messages: 1000, per: 1m}
                  post_budget: {messages: 10, per: 1s}
                  update_budget: {messages: 600, per: 1m}
                  assistant: {enabled: true}
                discord:
                  token: %s
                  rest_url: %s
                  gateway_url: %s
                  message_content: true
                  command_guild: "%s"
                  cdn_url: %s
                  user_rate_limit: {messages: 1000, per: 1m}
                providers:
                  echo:
                    type: openai
                    api_key: %s
                    base_url: %s
                    models: [m]
                    connect_timeout: 2s
                    first_token_timeout: 10s
                    idle_timeout: 10s
                routing:
                  default_route: default
                  routes:
                    default:
                      targets: [echo/m]
                  user_models: [echo/m]
                operators:
                  slack_users: [%s]
                  discord_users: ["%s"]
                storage: {path: %s, fsync: true, cache_max_size: 8MB}
                ops: {port: %d, drain_timeout: 5s}
                logging: {format: text, level: info}
                """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.SIGNING_SECRET, slack.apiUrl(), FakeDiscord.TOKEN,
                discord.restUrl(), discord.gatewayUrl(), FakeDiscord.GUILD, discord.cdnUrl(), PROVIDER_KEY,
                provider.baseUrl(Api.OPENAI), OPERATOR, D_OPERATOR, data.toString(), opsPort));
        return config;
    }

    // ------------------------------------------------------------------------------------------------ checks

    @FunctionalInterface
    interface Case {
        String run() throws Exception;
    }

    /** Runs one case; a failed expectation or a timeout becomes its verdict, so the table is always whole. */
    private void check(String group, String name, String sent, Case c) {
        long t0 = System.nanoTime();
        Row row;
        try {
            String back = c.run();
            row = new Row(group, name, sent, back, "ok");
        } catch (Expectation e) {
            row = new Row(group, name, sent, e.cameBack, "FAIL: " + e.getMessage());
        } catch (Throwable e) {
            row = new Row(group, name, sent, "-", "FAIL: " + excerptOf(String.valueOf(e), 200));
        }
        rows.add(row);
        System.out.printf("hostile: %-14s %-44s %-5s %5.1f s  %s%n", group, excerptOf(name, 44),
                row.ok() ? "ok" : "FAIL", (System.nanoTime() - t0) / 1e9, row.ok() ? row.cameBack() : row.verdict());
    }

    private static final class Expectation extends RuntimeException {
        final String cameBack;

        Expectation(String message) {
            super(message);
            this.cameBack = "-";
        }
    }

    private static void expect(boolean condition, String what) {
        if (!condition) {
            throw new Expectation(what);
        }
    }

    // ------------------------------------------------------------------------------------------------ Slack

    private static String mention(String text) {
        return "<@" + FakeSlack.BOT_USER + "> " + text;
    }

    private List<FakeSlack.Message> botReplies(String channel, String ts) {
        return slack.thread(channel, ts).stream()
                .filter(m -> FakeSlack.BOT_USER.equals(m.user()) && !m.ts().equals(ts) && !m.deleted()).toList();
    }

    private static boolean complete(String text) {
        return !text.contains(THINKING) && !text.endsWith(CURSOR);
    }

    /** Waits for the thread's bot replies to exist and stop changing, complete; returns them. */
    private List<FakeSlack.Message> settleSlack(String channel, String ts) {
        settle("a settled reply in " + channel + "/" + excerptOf(ts, 20), () -> botReplies(channel, ts).stream()
                .map(m -> m.text() + (m.streaming() ? CURSOR : "")).toList());
        return botReplies(channel, ts);
    }

    /**
     * Waits until the texts exist, are complete (no placeholder, no cursor) and either end as the echo does, read as
     * a refusal, or have not changed for 5 s; then, once everything sent is processed, that no further message came.
     */
    private void settle(String what, java.util.concurrent.Callable<List<String>> texts) {
        AtomicReference<List<String>> last = new AtomicReference<>(List.of());
        AtomicInteger stablePolls = new AtomicInteger();
        await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            List<String> now = texts.call();
            boolean same = now.equals(last.getAndSet(now));
            if (!same) {
                stablePolls.set(0);
            }
            int stable = same ? stablePolls.incrementAndGet() : 0;
            if (now.isEmpty() || !now.stream().allMatch(HostileInputIT::complete) || !same) {
                return false;
            }
            String tail = now.getLast();
            return tail.endsWith(END) || isRefusal(tail) || stable >= 20;
        });
        int count = last.get().size();
        awaitIdle(what);
        List<String> now;
        try {
            now = texts.call();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
        if (now.size() != count) {
            throw new Expectation("the reply kept changing after it looked final: " + count + " -> " + now.size()
                    + " messages: " + now.stream().map(t -> excerptOf(t, 40) + "…" + t.substring(Math.max(0,
                    t.length() - 20))).toList());
        }
    }

    /** Like {@link #settleSlack} but an empty thread after {@code quiet} counts as settled too. */
    private List<FakeSlack.Message> settleSlackOrNone(String channel, String ts, Duration quiet) {
        try {
            await().atMost(quiet).pollInterval(Duration.ofMillis(200))
                    .until(() -> !botReplies(channel, ts).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException none) {
            return List.of();
        }
        return settleSlack(channel, ts);
    }

    /**
     * The one refusal a Slack message got: a bot reply in its thread, or a private note to its author (what the
     * service sends for every refusal). Empty when none came within {@code quiet}; fails when more than one did.
     */
    private String oneSlackRefusal(String channel, String ts, String user, int privateBefore, Duration quiet) {
        try {
            await().atMost(quiet).pollInterval(Duration.ofMillis(200)).until(() ->
                    !botReplies(channel, ts).isEmpty() || privateAnswers(user).size() > privateBefore);
        } catch (org.awaitility.core.ConditionTimeoutException none) {
            return "";
        }
        awaitIdle("the refusal of " + excerptOf(ts, 20));
        List<FakeSlack.Message> replies = botReplies(channel, ts);
        List<String> notes = privateAnswers(user).subList(privateBefore, privateAnswers(user).size());
        expect(replies.size() + notes.size() == 1, "exactly one answer, got " + replies.size() + " in the thread and "
                + notes.size() + " private: " + excerptOf(joined(replies) + notes, 120));
        expect(!joined(replies).contains(END), "not answered: " + excerptOf(joined(replies), 60));
        return replies.isEmpty() ? "private: " + notes.getFirst() : joined(replies);
    }

    private void expectStillOneReply(String channel, String ts) {
        awaitIdle("still one reply");
        int replies = botReplies(channel, ts).size();
        expect(replies == 1, "still one reply, found " + replies);
    }

    private void expectNoReply(String channel, String ts) {
        awaitIdle("no reply");
        int replies = botReplies(channel, ts).size();
        expect(replies == 0, "no reply, found " + replies);
    }

    /**
     * Waits until Slack has had an answer to everything it delivered and the service has no message waiting or being
     * answered and no reply streaming: from then on nothing more happens for what was sent before. Used instead of
     * waiting out a quiet window to show that something did not happen.
     */
    private void awaitIdle(String what) {
        await(what + ": every delivery processed").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> slack.settled() && service.metric("switchboard_chat_waiting") == 0
                        && service.metric("switchboard_chat_answering") == 0
                        && service.metric("switchboard_replies_active") == 0 && provider.activeStreams() == 0);
    }

    private static String joined(List<FakeSlack.Message> messages) {
        return String.join("", messages.stream().map(FakeSlack.Message::text).toList());
    }

    private List<String> privateAnswers(String user) {
        return slack.ephemerals().stream().filter(e -> e.user().equals(user)).map(FakeSlack.Ephemeral::text)
                .toList();
    }

    /** The first private answer to a slash command of {@code user}. */
    private String privateAnswer(String user) {
        await("a private answer to " + user).atMost(Duration.ofSeconds(10))
                .until(() -> !privateAnswers(user).isEmpty());
        return privateAnswers(user).getFirst();
    }

    private List<FakeSlack.Message> askedPosts(String user) {
        return slack.messages(CASES).stream()
                .filter(m -> FakeSlack.BOT_USER.equals(m.user()) && m.text().startsWith("<@" + user + "> asked"))
                .toList();
    }

    private static String eventJson(String eventId, String team, String channel, String user, String ts,
                                    String threadTs, String rawTextJson) {
        // rawTextJson goes in as JSON string content as is (so it may carry \\uXXXX escapes); the rest is escaped.
        return "{\"token\":\"fakeVerificationToken0000\",\"team_id\":" + q(team) + ",\"context_team_id\":" + q(team)
                + ",\"api_app_id\":" + q(FakeSlack.APP_ID) + ",\"event\":{\"type\":\"app_mention\",\"user\":" + q(user)
                + ",\"text\":\"" + rawTextJson.replace("\"", "\\\"") + "\",\"ts\":" + q(ts)
                + (threadTs == null ? "" : ",\"thread_ts\":" + q(threadTs))
                + ",\"team\":" + q(team) + ",\"channel\":" + q(channel) + ",\"event_ts\":" + q(ts)
                + "},\"type\":\"event_callback\",\"event_id\":" + q(eventId) + ",\"event_time\":" + now()
                + ",\"authorizations\":[{\"enterprise_id\":null,\"team_id\":" + q(team) + ",\"user_id\":"
                + q(FakeSlack.BOT_USER) + ",\"is_bot\":true,\"is_enterprise_install\":false}]"
                + ",\"is_ext_shared_channel\":false,\"event_context\":\"4-hostile-" + eventId + "\"}";
    }

    private static String q(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Replaces the {@code @@@@} placeholder with bytes that are not UTF-8: C3 28 FF FE. */
    private static byte[] withBadBytes(byte[] json) {
        String s = new String(json, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("@@@@");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(json, 0, at);
        out.write(new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE}, 0, 4);
        out.write(json, at + 4, json.length - at - 4);
        return out.toByteArray();
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    /** Slack's signature over the raw bytes: {@code v0=hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body))}. */
    private static String sign(long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(FakeSlack.SIGNING_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Answer postRaw(byte[] body, String contentType, long timestamp, String signature,
                           Map<String, String> extra) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(eventsUrl)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .header("X-Slack-Request-Timestamp", Long.toString(timestamp))
                .header("X-Slack-Signature", signature != null ? signature : sign(timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        extra.forEach(b::header);
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(0, "no answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** As Slack delivers: once, then (while the answer is not 2xx) up to three retries with X-Slack-Retry-Num. */
    private List<Answer> slackLikeDelivery(byte[] body, String contentType) {
        List<Answer> answers = new ArrayList<>();
        answers.add(postRaw(body, contentType, now(), null, Map.of()));
        for (int retry = 1; retry <= 3 && answers.getLast().status() / 100 != 2; retry++) {
            answers.add(postRaw(body, contentType, now(), null,
                    Map.of("X-Slack-Retry-Num", Integer.toString(retry), "X-Slack-Retry-Reason", "http_error")));
        }
        return answers;
    }

    private static String statuses(List<Answer> answers) {
        String codes = String.join(",", answers.stream().map(a -> Integer.toString(a.status())).toList());
        return "HTTP " + codes + " (" + answers.size() + " deliveries) " + excerptOf(answers.getFirst().body(), 40);
    }

    // ------------------------------------------------------------------------------------------------ Discord

    private static String discordMention(String text) {
        return "<@" + FakeDiscord.BOT_ID + "> " + text;
    }

    private List<FakeDiscord.Message> discordBot(String thread) {
        return discord.messages(thread).stream()
                .filter(m -> FakeDiscord.BOT_ID.equals(m.author()) && !m.deleted()).toList();
    }

    private List<FakeDiscord.Message> settleDiscord(String thread) {
        settle("a settled Discord reply in " + thread,
                () -> discordBot(thread).stream().map(FakeDiscord.Message::content).toList());
        return discordBot(thread);
    }

    private static String joinedDiscord(List<FakeDiscord.Message> messages) {
        return String.join("", messages.stream().map(FakeDiscord.Message::content).toList());
    }

    // ------------------------------------------------------------------------------------------------ provider

    private boolean providerSaw(String marker) {
        return providerCount(marker) > 0;
    }

    private long providerCount(String marker) {
        return provider.received().stream().filter(r -> {
            JsonNode messages = r.body().path("messages");
            JsonNode lastUser = null;
            for (JsonNode m : messages) {
                if ("user".equals(m.path("role").asText())) {
                    lastUser = m;
                }
            }
            return lastUser != null && lastUser.toString().contains(marker);
        }).count();
    }

    // ------------------------------------------------------------------------------------------------ files

    /** Every text field of every stored JSON file; each file must parse. */
    private List<String> storedTexts() throws IOException {
        List<String> texts = new ArrayList<>();
        try (Stream<Path> s = Files.walk(data)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".json") || name.endsWith(".json.bak")) {
                    JsonNode root;
                    try {
                        root = JSON.readTree(p.toFile());
                    } catch (IOException e) {
                        throw new Expectation("stored file does not parse: " + data.relativize(p) + ": " + e);
                    }
                    collectTexts(root, texts);
                }
            }
        }
        return texts;
    }

    private static void collectTexts(JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("text") && e.getValue().isTextual()) {
                    out.add(e.getValue().asText());
                } else {
                    collectTexts(e.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectTexts(n, out));
        }
    }

    /** Every path under the data folder, resolved, stays inside it; no symlinks, no ".." names. */
    private void expectInsideData() throws IOException {
        Path root = data.toRealPath();
        try (Stream<Path> s = Files.walk(data)) {
            for (Path p : s.toList()) {
                expect(!Files.isSymbolicLink(p), "no symlink in the data folder: " + p);
                expect(p.toRealPath().startsWith(root), "inside the data folder: " + p);
                expect(!p.getFileName().toString().equals(".."), "no '..' name: " + p);
            }
        }
    }

    /** Files outside the data folder that the service could write to: the repository (without target/.git) and dir. */
    private Map<String, FileTime> outsideFiles() throws IOException {
        Map<String, FileTime> out = new TreeMap<>();
        for (Path base : List.of(repo, dir)) {
            try (Stream<Path> s = Files.walk(base)) {
                s.filter(p -> !p.startsWith(repo.resolve("target")) && !p.startsWith(repo.resolve(".git"))
                                && !p.startsWith(data) && !p.equals(log) && !p.equals(dir))
                        .forEach(p -> out.put(p.toString(), mtime(p)));
            }
        }
        Path parent = dir.getParent();
        try (Stream<Path> s = Files.list(parent)) {
            s.filter(p -> p.getFileName().toString().matches("(?i).*(passwd|etc|tmp|traverse|x)$"))
                    .forEach(p -> out.put(p.toString(), mtime(p)));
        }
        return out;
    }

    private static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return null;
        }
    }

    private static int lines(Path p) throws IOException {
        if (!Files.exists(p)) {
            return 0;
        }
        try (Stream<String> s = Files.lines(p)) {
            return (int) s.count();
        }
    }

    // ------------------------------------------------------------------------------------------------ text

    private String marker(String name) {
        return "mk-" + name + "-" + serial.incrementAndGet();
    }

    /** A refusal (or error note) the service wrote itself rather than the provider's echo. */
    private static boolean isRefusal(String text) {
        if (text == null || text.isBlank() || text.contains(END) || text.contains("You asked:")) {
            return false;
        }
        String t = text.toLowerCase(Locale.ROOT);
        return Stream.of("long", "too ", "limit", "characters", "chars", "empty", "ask", "usage", "unknown", "not ",
                "can't", "cannot", "only").anyMatch(t::contains);
    }

    /** A refusal that says the message is too long. */
    private static boolean isLengthRefusal(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        return !t.contains(END.toLowerCase(Locale.ROOT))
                && (t.contains("longer than") || t.contains("too long") || t.contains("max_turn_chars"));
    }

    private static String visible(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7F || (cp >= 0x200B && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)
                    || (cp >= 0xD800 && cp <= 0xDFFF)) {
                b.append(String.format(Locale.ROOT, "\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }

    static String excerptOf(String s, int max) {
        if (s == null) {
            return "";
        }
        String one = s.replace("\n", "⏎").replace("\r", "");
        return one.length() <= max ? one : one.substring(0, max) + "…(" + s.length() + ")";
    }

    private void print(double seconds) {
        System.out.println();
        System.out.println("| case | sent | came back | verdict |");
        System.out.println("|---|---|---|---|");
        for (Row r : rows) {
            System.out.println("| " + cell(r.group() + ": " + r.name()) + " | " + cell(r.sent()) + " | "
                    + cell(r.cameBack()) + " | " + cell(r.verdict()) + " |");
        }
        long ok = rows.stream().filter(Row::ok).count();
        System.out.printf("%nhostile: %d cases, %d ok, %d failed, %.1f s of cases%n", rows.size(), ok,
                rows.size() - ok, seconds);
    }

    private static String cell(String s) {
        return visible(excerptOf(s, 110)).replace("|", "\\|");
    }
}

package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import dev.switchboard.store.JsonFileConversationStore;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the real process while a reply streams into Slack: intake stops, the reply finishes within
 * {@code ops.drain_timeout} or says it was interrupted, the answer is stored, and the process exits 0.
 */
class ShutdownTest {

    private static final String ANSWER = "one two three four five six seven eight nine ten eleven twelve.";

    @TempDir
    Path dir;

    private final FakeSlack slack = FakeSlack.start();
    private final FakeProvider provider = FakeProvider.start();
    private Process child;

    @AfterEach
    void stop() {
        if (child != null) {
            child.destroyForcibly();
        }
        slack.close();
        provider.close();
    }

    private Process start(String drain) throws Exception {
        slack.user("U1", "Ada").channel("C1", "general")
                .limit("chat.update", 100, Duration.ofSeconds(1), FakeSlack.Scope.WORKSPACE);
        Path config = dir.resolve("switchboard.yaml");
        Files.writeString(config, """
                slack:
                  bot_token: %s
                  app_token: %s
                  api_url: %s
                  update_budget: {messages: 20, per: 1s}
                providers:
                  main: {type: openai, api_key: test-key-000000, base_url: %s, models: [m]}
                storage: {path: %s, fsync: false}
                ops: {port: 0, drain_timeout: %s}
                """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN, slack.apiUrl(), provider.baseUrl(Api.OPENAI),
                dir.resolve("data").toString().replace("\\", "/"), drain));
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        child = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                Switchboard.class.getName(), "--no-shell", "--log-format", "text", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> slack.socketConnections() == 1);
        return child;
    }

    private List<FakeSlack.Message> replies(String ts) {
        return slack.thread("C1", ts).stream().filter(m -> FakeSlack.BOT_USER.equals(m.user())).toList();
    }

    private List<Turn> stored(String ts) {
        try (JsonFileConversationStore store = new JsonFileConversationStore(new JsonFileConversationStore.Options(
                dir.resolve("data"), false, false, 40_000, 128, 1 << 20), Clock.systemUTC(), new SimpleMeterRegistry())) {
            return store.load(new ConversationKey("slack", FakeSlack.TEAM, "C1", ts)).orElseThrow().turns();
        }
    }

    @Test
    void aReplyStreamingAtSigtermFinishesWithinTheDrainAndTheProcessExitsZero() throws Exception {
        provider.otherwise(r -> Script.answer(ANSWER).paced(Duration.ofMillis(50), Duration.ofMillis(80)));
        Process process = start("10s");
        String ts = slack.post("C1", "U1", "<@" + FakeSlack.BOT_USER + "> count to twelve");
        await().atMost(Duration.ofSeconds(10)).until(() -> provider.activeStreams() == 1);

        process.destroy(); // SIGTERM

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(dir.resolve("out.log"))).isZero();
        assertThat(replies(ts)).extracting(FakeSlack.Message::text).containsExactly(ANSWER);
        assertThat(stored(ts)).extracting(Turn::role).containsExactly(Role.USER, Role.ASSISTANT);
        assertThat(stored(ts).get(1).text()).isEqualTo(ANSWER);
    }

    @Test
    void aReplyLongerThanTheDrainIsInterruptedVisiblyAndStored() throws Exception {
        provider.otherwise(r -> Script.answer(ANSWER + " " + ANSWER + " " + ANSWER)
                .paced(Duration.ofMillis(50), Duration.ofMillis(300)));
        Process process = start("200ms");
        String ts = slack.post("C1", "U1", "<@" + FakeSlack.BOT_USER + "> count slowly");
        await().atMost(Duration.ofSeconds(10)).until(() -> replies(ts).stream()
                .anyMatch(m -> m.text().startsWith("one")));

        process.destroy(); // SIGTERM

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(dir.resolve("out.log"))).isZero();
        assertThat(replies(ts)).singleElement().satisfies(m -> assertThat(m.text()).startsWith("one")
                .contains("interrupted").doesNotContain("▍"));
        // The fake provider notices a closed stream only when its next token (300 ms apart) fails to go out.
        await().atMost(Duration.ofSeconds(2)).until(() -> provider.activeStreams() == 0);
        List<Turn> turns = stored(ts);
        assertThat(turns).extracting(Turn::role).containsExactly(Role.USER, Role.ASSISTANT);
        assertThat(turns.get(1).text()).startsWith("one").doesNotContain("twelve. one");
    }
}

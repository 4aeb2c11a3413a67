package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import dev.switchboard.testing.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator commands given on one node of two whole services sharing one PostgreSQL database take effect on the other:
 * provider switches, model pins, routes, prompts and users' default models set and reset, {@code reload}, and a change
 * signalled while the other node could not hear.
 */
class ClusterOperatorsTest {

    private static final ConversationKey C1 = new ConversationKey("slack", FakeSlack.TEAM, "C1", "-");

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    @TempDir
    Path data;

    private ClusterNodes nodes;
    private FakeProvider main;
    private FakeProvider spare;
    private FakeSlack slack;
    private Service a;
    private Service b;

    @BeforeEach
    void start() throws Exception {
        nodes = new ClusterNodes(db, data);
        main = nodes.closing(FakeProvider.start()).otherwise(r -> Script.answer("From main."));
        spare = nodes.closing(FakeProvider.start()).otherwise(r -> Script.answer("From spare."));
        slack = nodes.closing(FakeSlack.start().user("U1", "Ada").channel("C1", "general"));
        a = nodes.start(write("node-a", "s"));
        b = nodes.start(write("node-b", "s"));
        await().atMost(Duration.ofSeconds(15)).until(() -> a.slack().connected() && b.slack().connected()
                && listening("node-a") && listening("node-b"));
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    /** Writes a node's config file, its provider spare serving {@code spareModels}. */
    private Path write(String id, String spareModels) throws Exception {
        return nodes.write(id, nodes.yaml(id, slack, """
                providers:
                  main: {type: openai, api_key: test-key-000000, base_url: %s, models: [m]}
                  spare: {type: openai, api_key: test-key-000001, base_url: %s, models: [%s]}
                routing:
                  default_route: usual
                  user_models: [main/m, spare/s]
                  routes:
                    usual: {targets: [main/m, {target: spare/s, priority: 1}]}
                    quick: {targets: [spare/s]}
                """.formatted(main.baseUrl(Api.OPENAI), spare.baseUrl(Api.OPENAI), spareModels)));
    }

    /** Whether the node's connection listening for signals is open, as the database sees it. */
    private boolean listening(String node) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                     + " 'switchboard-signals " + node + "' AND state IS NOT NULL")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    private static String unavailable(Service node, String provider) {
        return node.router().providers().stream().filter(p -> p.name().equals(provider)).findFirst().orElseThrow()
                .unavailable();
    }

    private String operator(Service node, String command) {
        return node.admin().run("U1", C1, command).text();
    }

    /** Asks in C1 through node B and returns the bot's answer. */
    private String askThroughB() {
        slack.deliverOverHttp(b.ops().url() + "/slack/events");
        String ts = slack.post("C1", "U1", "<@" + FakeSlack.BOT_USER + "> which of you answers?");
        await().atMost(Duration.ofSeconds(15)).until(() -> slack.thread("C1", ts).stream()
                .anyMatch(m -> FakeSlack.BOT_USER.equals(m.user()) && m.text().startsWith("From ")));
        await().atMost(Duration.ofSeconds(15)).until(() -> b.conversations().inProgress() == 0);
        return slack.thread("C1", ts).stream().filter(m -> FakeSlack.BOT_USER.equals(m.user())).toList().getLast()
                .text();
    }

    @Test
    void providerOffOnA_makesBAnswerWithTheOtherProviderWithinASecond_andOnPutsItBack() {
        assertThat(askThroughB()).isEqualTo("From main.");

        long started = System.nanoTime();
        assertThat(operator(a, "provider main off")).contains("out of rotation");
        long answered = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2))
                .until(() -> "turned off by an operator".equals(unavailable(b, "main")));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        Duration signalled = Duration.ofNanos(System.nanoTime() - answered);
        System.out.printf("provider off on node A seen by node B %d ms after the command began, %d ms after A"
                + " answered%n", took.toMillis(), signalled.toMillis());
        // Typically 20-50 ms after A answered; the bounds leave room for a loaded machine (the command itself writes
        // the database, the audit log included).
        assertThat(signalled).isLessThan(Duration.ofSeconds(1));
        assertThat(took).isLessThan(Duration.ofSeconds(3));

        int mainAsked = main.requests();
        assertThat(askThroughB()).startsWith("From spare."); // with the fallback footer
        assertThat(main.requests()).isEqualTo(mainAsked);
        assertThat(operator(b, "status")).contains("turned off by an operator");

        started = System.nanoTime();
        assertThat(operator(a, "provider main on")).contains("back in rotation");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2))
                .until(() -> unavailable(b, "main") == null);
        System.out.printf("provider on again seen by node B after %d ms%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        assertThat(askThroughB()).isEqualTo("From main.");
    }

    @Test
    void modelRoutePromptAndUsersDefaultsSetOnA_areSeenOnB_andSoAreTheirResets() {
        operator(a, "model spare/s");
        operator(a, "route quick");
        operator(a, "prompt Answer in one word.");
        a.admin().models().run(C1, "U7", "spare/s default");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(b.router().pinnedModel(C1)).contains("spare/s");
            assertThat(b.router().routeChoices()).containsEntry("slack/" + FakeSlack.TEAM + "/C1", "quick");
            assertThat(b.router().promptChoices()).containsEntry("slack/" + FakeSlack.TEAM + "/C1",
                    "Answer in one word.");
            assertThat(b.router().userDefault("slack", "U7")).contains("spare/s");
        });

        operator(a, "model default");
        operator(a, "route default");
        operator(a, "prompt default");
        a.admin().models().run(C1, "U7", "reset");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(b.router().pins()).isEmpty();
            assertThat(b.router().routeChoices()).isEmpty();
            assertThat(b.router().promptChoices()).isEmpty();
            assertThat(b.router().userDefaults()).isEmpty();
        });
    }

    @Test
    void reloadOnA_makesBReReadItsOwnFile_andAnswersWithBothOutcomes() throws Exception {
        write("node-b", "s, s2");
        // A node that beats but never answers (stalled, or a build without this step) is named, not waited for.
        db.execute("INSERT INTO cluster_node (node_id, started_at, beat_at) VALUES ('node-c', now(), now()"
                + " + interval '1 minute')");

        String answer = operator(a, "reload");

        assertThat(answer).startsWith("reloaded").contains("changed none")
                .contains("The other nodes were told to reload").containsPattern("node-b: reloaded .*changed spare")
                .contains("node-c: no answer within 1000 ms");
        assertThat(b.router().configured("spare/s2")).isTrue();
        assertThat(a.router().configured("spare/s2")).isFalse();
    }

    @Test
    void aChangeSignalledWhileBCannotHear_reachesBAfterItsReconnection() throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            // Ends B's listening connection, and changes the settings on A before B listens again (its first
            // reconnection waits 100 ms): the signal is lost, the reading after the reconnection is not.
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name ="
                    + " 'switchboard-signals node-b'");
            operator(a, "provider spare off");
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> "turned off by an operator".equals(
                unavailable(b, "spare")));
        await().atMost(Duration.ofSeconds(15)).until(() -> listening("node-b"));
    }
}

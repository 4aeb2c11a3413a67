package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.conversation.ConversationKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What operators change with commands survives a restart, and a damaged settings file does not stop the start. */
class OperatorSettingsTest {

    private static final ConversationKey HERE = new ConversationKey("slack", "T1", "C1", "-");

    @TempDir
    Path data;

    private Service start() {
        String yaml = """
                providers:
                  main: {type: openai, api_key: test-key-000000, base_url: "http://127.0.0.1:9/v1", models: [m]}
                  spare: {type: openai, api_key: test-key-000001, base_url: "http://127.0.0.1:9/v1", models: [s]}
                storage: {path: %s, fsync: false}
                ops: {enabled: false}
                """.formatted(data.toString().replace("\\", "/"));
        return new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), Clock.systemUTC()).start();
    }

    private static String state(Service service, String provider) {
        return service.router().providers().stream().filter(p -> p.name().equals(provider)).findFirst()
                .orElseThrow().unavailable();
    }

    @Test
    void providerSwitchesAndModelPinsSurviveARestart() throws Exception {
        try (Service first = start()) {
            assertThat(first.admin().run("U1", HERE, "provider main off").text()).contains("out of rotation");
            assertThat(first.admin().run("U1", HERE, "model spare/s-large").text()).contains("answers first here now");
        }
        try (Service second = start()) {
            assertThat(state(second, "main")).isEqualTo("turned off by an operator");
            assertThat(state(second, "spare")).isNull();
            assertThat(second.router().pinnedModel(HERE)).contains("spare/s-large");
            second.admin().run("U1", HERE, "provider main on").text();
            second.admin().run("U1", HERE, "model default").text();
        }
        try (Service third = start()) {
            assertThat(state(third, "main")).isNull();
            assertThat(third.router().pinnedModel(HERE)).isEmpty();
        }
        List<String> audit = Files.readAllLines(data.resolve(".audit").resolve("audit.jsonl"));
        assertThat(audit).hasSize(4);
    }

    @Test
    void aDamagedSettingsFileIsReportedAndTheServiceStartsWithoutIt() throws Exception {
        Files.createDirectories(data);
        Files.writeString(data.resolve(".settings.json"), "{not json");
        try (Service service = start()) {
            assertThat(state(service, "main")).isNull();
            service.admin().run("U1", HERE, "provider spare off").text(); // and a change writes a good file again
        }
        try (Service service = start()) {
            assertThat(state(service, "spare")).isEqualTo("turned off by an operator");
        }
    }

    @Test
    void usageSumsTokensAndCostByProviderChannelAndUserOverTheWindow() {
        try (Service service = start()) {
            java.time.Instant now = java.time.Instant.now();
            service.usage().record(new dev.switchboard.conversation.UsageRecord(now.minusSeconds(60), "slack", "T1",
                    "C1", "U1", "main", "m", 1_000, 200, 0.25));
            service.usage().record(new dev.switchboard.conversation.UsageRecord(now.minusSeconds(30), "slack", "T1",
                    "C2", "U2", "spare", "s", 10, 5, 0.0));
            service.usage().record(new dev.switchboard.conversation.UsageRecord(now.minus(java.time.Duration.ofDays(2)),
                    "slack", "T1", "C1", "U1", "main", "m", 99_999, 1, 9.0));

            org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(service.admin().run("U1", HERE, "usage").text())
                    .contains("main/m").contains("1000 in").contains("$0.2500").contains("slack C2")
                    .contains("slack U2").doesNotContain("99999"));
            assertThat(service.admin().run("U1", HERE, "usage 7d").text()).contains("100999 in");
            assertThat(service.admin().run("U1", HERE, "usage soon").text()).startsWith("usage: usage [24h|7d]");
        }
    }

    @Test
    void forgetUserDeletesTheirMessagesAndTheirNameFromUsage() {
        try (Service service = start()) {
            java.time.Instant now = java.time.Instant.now();
            ConversationKey thread = new ConversationKey("slack", "T1", "C1", "100.1");
            service.store().append(thread, dev.switchboard.conversation.Turn.user("U2", "Bo", "my secret plan", now,
                    List.of("100.1")));
            service.store().append(thread, dev.switchboard.conversation.Turn.user("U1", "Ada", "hello", now,
                    List.of("100.2")));
            service.usage().record(new dev.switchboard.conversation.UsageRecord(now, "slack", "T1", "C1", "U2",
                    "main", "m", 10, 5, 0.1));

            assertThat(service.admin().run("U1", HERE, "forget-user <@U2|bo>").text())
                    .isEqualTo("forgot U2: 1 stored messages deleted, 1 usage records no longer name them.");

            assertThat(service.store().load(thread).orElseThrow().turns()).extracting(
                    dev.switchboard.conversation.Turn::authorId).containsExactly("U1");
            String usage = service.admin().run("U1", HERE, "usage").text();
            assertThat(usage).doesNotContain("U2").contains("main/m");
            try (var files = Files.list(data.resolve(".usage"))) {
                assertThat(files.toList()).allSatisfy(f -> assertThat(Files.readString(f)).doesNotContain("U2"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void routeAndPromptChosenByAnOperatorDecideTheRequestAndSurviveARestart() {
        try (dev.switchboard.testing.FakeProvider fake = dev.switchboard.testing.FakeProvider.start()) {
            String yaml = """
                    providers:
                      main: {type: openai, api_key: test-key-000000, base_url: %1$s, models: [m]}
                      spare: {type: openai, api_key: test-key-000001, base_url: %1$s, models: [s]}
                    routing:
                      default_route: usual
                      routes:
                        usual: {targets: [main/m]}
                        fast: {targets: [spare/s]}
                    storage: {path: %2$s, fsync: false}
                    ops: {enabled: false}
                    """.formatted(fake.baseUrl(dev.switchboard.testing.FakeProvider.Api.OPENAI),
                    data.toString().replace("\\", "/"));
            ConversationKey thread = new ConversationKey("slack", "T1", "C1", "200.1");
            try (Service first = new Service(new ConfigLoader().parse(yaml, "t.yaml", Map.of()), Clock.systemUTC())
                    .start()) {
                assertThat(first.admin().run("U1", thread, "route nowhere").text()).startsWith("not changed: there is no route");
                assertThat(first.admin().run("U1", thread, "route fast").text()).isEqualTo("route fast answers here now.");
                assertThat(first.admin().run("U1", thread, "prompt Answer like a pirate.").text()).contains("is set");
            }
            try (Service second = new Service(new ConfigLoader().parse(yaml, "t.yaml", Map.of()), Clock.systemUTC())
                    .start()) {
                dev.switchboard.testing.RecordingListener listener = new dev.switchboard.testing.RecordingListener();
                second.router().reply(new dev.switchboard.routing.ReplyRequest(thread, List.of(
                        dev.switchboard.conversation.Turn.user("U1", "Ada", "hi", java.time.Instant.now(),
                                List.of("200.1"))), "Ada", "general"), listener);
                listener.await();
                var body = fake.received().getLast().body();
                assertThat(body.get("model").asText()).isEqualTo("s");
                assertThat(body.get("messages").get(0).get("content").asText()).isEqualTo("Answer like a pirate.");
            }
        }
    }
}

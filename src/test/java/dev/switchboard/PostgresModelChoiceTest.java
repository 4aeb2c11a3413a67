package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.testing.MutableClock;
import dev.switchboard.testing.PostgresDatabase;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Users' model choices on {@code storage.backend: postgres}: a thread's and a default survive a restart. */
class PostgresModelChoiceTest {

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at("2026-03-15T10:00:00Z");
    private Service service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private Service start() {
        String yaml = """
                providers:
                  main: {type: ollama, base_url: "http://127.0.0.1:9", models: [m, m-large, m-small]}
                routing:
                  user_models: [main/m, main/m-large, main/m-small]
                storage:
                  path: %s
                  backend: postgres
                  postgres: {url: "%s", user: postgres, pool_size: 2}
                ops: {enabled: false}
                """.formatted(dir.resolve("data"), db.url());
        return new Service(new ConfigLoader().parse(yaml, "test.yaml", Map.of()), clock).start();
    }

    @Test
    void aThreadsChoiceAndAUsersDefaultSurviveARestart() {
        ConversationKey thread = new ConversationKey("discord", "G1", "C1", "T1");
        ConversationKey other = new ConversationKey("discord", "G1", "C1", "T2");
        service = start();
        assertThat(service.admin().models().run(thread, "U1", "main/m-large")).contains("in this thread now");
        assertThat(service.admin().models().run(other, "U1", "main/m-small default")).contains("your default");
        service.close();

        service = start();
        assertThat(service.admin().models().run(thread, "U1", "")).contains("● `main/m-large` (your choice in this"
                + " thread)").contains("○ `main/m-small` (your default)");
        assertThat(service.admin().models().run(other, "U1", "")).contains("● `main/m-small` (your default)");
        assertThat(service.admin().models().run(thread, "U2", "")).contains("You have not chosen one");
        assertThat(service.router().userDefaults()).containsExactly(Map.entry("discord/U1", "main/m-small"));
    }
}

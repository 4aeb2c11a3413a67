package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.store.postgres.PostgresStorage;
import dev.switchboard.testing.MutableClock;
import dev.switchboard.testing.PostgresDatabase;
import dev.switchboard.testing.Turns;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code storage.backend: postgres} in the running service: where turns go, the start error, readiness and status. */
class PostgresBackendTest {

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at("2026-03-15T10:00:00Z");
    private Service service;

    private String yaml(String url) {
        return "storage:\n  path: " + dir.resolve("data") + "\n  backend: postgres\n  postgres:\n    url: " + url
                + "\n    user: postgres\n    password: ${DB_PASSWORD}\n    pool_size: 2\nops:\n  port: 0\n";
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void postgresBackend_storesTurnsInTheDatabase_andStatusShowsItHealthy() {
        service = new Service(new ConfigLoader().parse(yaml(db.url()), "test.yaml", Map.of()), clock).start();

        service.store().append(Turns.slackKey("m"), Turns.user("U1", "hello", Instant.parse("2026-03-15T10:00:00Z")));

        assertThat(service.status().backend().describe()).isEqualTo("postgres, ok");
        assertThat(service.readiness().components()).containsEntry("store", "ok");
        assertThat(Files.exists(dir.resolve("data"))).as("nothing is written to the data folder").isFalse();
        service.close();
        service = null;
        try (PostgresStorage storage = PostgresStorage.open(db.options(), clock, new SimpleMeterRegistry());
             ConversationStore store = storage.conversations(new PostgresStorage.Limits(40_000, 128, 0))) {
            assertThat(store.loadComplete(Turns.slackKey("m")).orElseThrow().turns()).hasSize(1);
        }
    }

    @Test
    void metrics_showQueryLatencyByKind_andThePoolsUsageAndWait() throws Exception {
        service = new Service(new ConfigLoader().parse(yaml(db.url()), "test.yaml", Map.of()), clock).start();
        Instant at = Instant.parse("2026-03-15T10:00:00Z");

        service.store().append(Turns.slackKey("m"), Turns.user("U1", "hello", at));
        service.store().seen(Turns.slackKey("m"), "nothing");
        service.store().list(new dev.switchboard.conversation.ConversationQuery("slack", null, null, null, null));

        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(service.ops().url() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String kind : new String[] {"append", "seen", "list", "settings"}) {
            assertThat(metrics).containsPattern("switchboard_store_query_seconds_count\\{kind=\"" + kind
                    + "\",outcome=\"ok\"\\} [1-9]");
        }
        assertThat(metrics).as("no key or text in a tag").doesNotContain("kind=\"saving")
                .contains("hikaricp_connections_active{pool=\"switchboard-store\"}")
                .contains("hikaricp_connections_pending{pool=\"switchboard-store\"}")
                .contains("hikaricp_connections_max{pool=\"switchboard-store\"}")
                .contains("hikaricp_connections_timeout_total{pool=\"switchboard-store\"}")
                .contains("switchboard_chat_store_retries_total").contains("switchboard_chat_store_gave_up_total")
                .containsPattern("hikaricp_connections_acquire_seconds_count\\{pool=\"switchboard-store\"\\} [1-9]")
                .containsPattern("hikaricp_connections_usage_seconds_count\\{pool=\"switchboard-store\"\\} [1-9]");
    }

    @Test
    void databaseGoneWhileRunning_readinessSaysSo_checkedAtMostEveryFewSeconds_andRecovers() throws Exception {
        service = new Service(new ConfigLoader().parse(yaml(db.url()), "test.yaml", Map.of()), clock).start();
        assertThat(service.readiness().components()).containsEntry("store", "ok");

        allowConnections(false);
        assertThat(service.readiness().components()).as("the last check stands for a few seconds")
                .containsEntry("store", "ok");
        clock.advance(Duration.ofSeconds(5));
        assertThat(service.readiness().ready()).isFalse();
        assertThat(service.readiness().components().get("store")).startsWith("postgres unreachable (");
        assertThat(service.readiness().components().get("answering")).isNotEqualTo("ok");
        assertThat(service.status().backend().up()).isFalse();

        allowConnections(true);
        clock.advance(Duration.ofSeconds(5));
        assertThat(service.readiness().components()).containsEntry("store", "ok");
    }

    /** As an administrator would, from another database (a database cannot refuse its own sessions). */
    private void allowConnections(boolean allow) throws java.sql.SQLException {
        try (var admin = java.sql.DriverManager.getConnection(db.url().replace(db.name(), "postgres"), "postgres", "");
             var s = admin.createStatement()) {
            s.execute("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS " + allow);
        }
    }

    /** The README's set-up: the owner migrates, the service runs as a role that cannot change the schema or audit. */
    @Test
    void serviceRole_thatDoesNotOwnTheSchema_runsTheService_butCannotChangeTheAuditLog() throws Exception {
        String suffix = db.name().substring(db.name().length() - 8);
        String owner = "sb_owner_" + suffix;
        String app = "sb_app_" + suffix;
        try {
            asAdmin("CREATE ROLE " + owner + " LOGIN", "CREATE ROLE " + app + " LOGIN",
                    "ALTER DATABASE " + db.name() + " OWNER TO " + owner);
            db.execute("ALTER SCHEMA public OWNER TO " + owner);
            db.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            db.execute("GRANT USAGE ON SCHEMA public TO " + app);
            db.execute("ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " IN SCHEMA public"
                    + " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + app);
            db.execute("ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " IN SCHEMA public"
                    + " GRANT USAGE, SELECT ON SEQUENCES TO " + app);
            new Service(new ConfigLoader().parse(yaml(db.url()).replace("user: postgres", "user: " + owner),
                    "test.yaml", Map.of()), clock).start().close();
            db.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM " + app);

            service = new Service(new ConfigLoader().parse(yaml(db.url()).replace("user: postgres", "user: " + app),
                    "test.yaml", Map.of()), clock).start();
            service.store().append(Turns.slackKey("m"), Turns.user("U1", "hi", Instant.parse("2026-03-15T10:00:00Z")));
            service.admin();
            service.close();
            service = null;

            try (var c = java.sql.DriverManager.getConnection(db.url(), app, ""); var st = c.createStatement()) {
                st.execute("INSERT INTO audit_log (at, platform, user_id, command, result)"
                        + " VALUES (now(), 'shell', 'local', 'status', 'ok')");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> st.execute("UPDATE audit_log SET result = 'x'"))
                        .hasMessageContaining("permission denied");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> st.execute("DROP TABLE audit_log"))
                        .hasMessageContaining("must be owner");
            }
        } finally {
            if (service != null) {
                service.close();
                service = null;
            }
            db.execute("REASSIGN OWNED BY " + owner + " TO postgres");
            db.execute("DROP OWNED BY " + app);
            db.execute("DROP OWNED BY " + owner);
            asAdmin("ALTER DATABASE " + db.name() + " OWNER TO postgres", "DROP ROLE IF EXISTS " + app,
                    "DROP ROLE IF EXISTS " + owner);
        }
    }

    private void asAdmin(String... statements) throws java.sql.SQLException {
        try (var admin = java.sql.DriverManager.getConnection(db.url().replace(db.name(), "postgres"), "postgres", "");
             var s = admin.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    @Test
    void databaseUnreachableAtStart_exits1WithOneLineThatNamesItAndNotThePassword() throws IOException {
        Path config = dir.resolve("switchboard.yaml");
        Files.writeString(config, yaml("jdbc:postgresql://127.0.0.1:1/switchboard?connectTimeout=2"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Switchboard.execute(new String[] {"--config", config.toString(), "--no-shell"},
                Map.of("DB_PASSWORD", "very-secret-db-password"), new PrintWriter(out, true),
                new PrintWriter(err, true), new CountDownLatch(1));

        assertThat(code).isEqualTo(Switchboard.EXIT_FAILED);
        assertThat(err.toString().strip()).doesNotContain("\n").contains("127.0.0.1:1/switchboard")
                .contains("storage.postgres").doesNotContain("very-secret-db-password");
        assertThat(out.toString()).doesNotContain("very-secret-db-password");
    }
}

package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code storage.backend} and {@code storage.postgres} keys: defaults, checks, the password kept secret. */
class StorageBackendConfigTest {

    private final ConfigLoader loader = new ConfigLoader();

    private ConfigLoader.Loaded parse(String yaml, Map<String, String> env) {
        return loader.parse(yaml, "test.yaml", env);
    }

    private String error(String yaml) {
        try {
            parse(yaml, Map.of());
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a config error for:\n" + yaml);
    }

    @Test
    void backend_defaultsToFiles() {
        SwitchboardConfig.Storage storage = parse("", Map.of()).config().storage();

        assertThat(storage.backend()).isEqualTo(SwitchboardConfig.Backend.FILES);
        assertThat(storage.postgres().url()).isEmpty();
        assertThat(storage.postgres().poolSize()).isEqualTo(10);
        assertThat(storage.postgres().statementTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void postgres_readsEveryKey_passwordThroughAVariable() {
        ConfigLoader.Loaded loaded = parse("""
                storage:
                  backend: postgres
                  postgres:
                    url: jdbc:postgresql://db:5432/switchboard
                    user: bot
                    password: ${DB_PASSWORD}
                    pool_size: 4
                    statement_timeout: 5s
                """, Map.of("DB_PASSWORD", "hunter2-long-enough"));
        SwitchboardConfig.Postgres pg = loaded.config().storage().postgres();

        assertThat(loaded.config().storage().backend()).isEqualTo(SwitchboardConfig.Backend.POSTGRES);
        assertThat(pg.url()).isEqualTo("jdbc:postgresql://db:5432/switchboard");
        assertThat(pg.user()).isEqualTo("bot");
        assertThat(pg.password().reveal()).isEqualTo("hunter2-long-enough");
        assertThat(pg.poolSize()).isEqualTo(4);
        assertThat(pg.statementTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(loaded.secretValues()).contains("hunter2-long-enough");
        assertThat(loader.render(loaded.config())).doesNotContain("hunter2").contains(Secret.MASK);
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void postgres_literalPassword_isAWarning() {
        ConfigLoader.Loaded loaded = parse("storage:\n  postgres:\n    password: literal-secret\n", Map.of());

        assertThat(loaded.warnings()).singleElement().asString().contains("storage.postgres.password");
    }

    @Test
    void badValues_nameTheKeyAndTheFix() {
        assertThat(error("storage:\n  backend: mysql\n")).contains("storage.backend").contains("files or postgres");
        assertThat(error("storage:\n  backend: postgres\n")).contains("storage.postgres.url: is not set")
                .contains("jdbc:postgresql://");
        assertThat(error("storage:\n  postgres:\n    url: postgres://db/x\n")).contains("storage.postgres.url")
                .contains("jdbc:postgresql:");
        assertThat(error("storage:\n  postgres:\n    url: jdbc:postgresql://db/x?password=p\n"))
                .contains("storage.postgres.url: carries a password").doesNotContain("password=p");
        assertThat(error("storage:\n  postgres:\n    pool_size: 0\n")).contains("storage.postgres.pool_size")
                .contains("between 1 and 1000");
        assertThat(error("storage:\n  postgres:\n    statement_timeout: 0s\n"))
                .contains("storage.postgres.statement_timeout").contains("positive");
        assertThat(error("storage:\n  postgres:\n    user: ''\n")).contains("storage.postgres.user: is empty");
    }
}

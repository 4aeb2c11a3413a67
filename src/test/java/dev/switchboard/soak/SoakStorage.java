package dev.switchboard.soak;

import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.store.JsonFileConversationStore;
import dev.switchboard.store.JsonFileSettingsStore;
import dev.switchboard.store.JsonLinesAuditLog;
import dev.switchboard.store.JsonLinesUsageLedger;
import dev.switchboard.store.postgres.PostgresStorage;
import dev.switchboard.testing.StoredState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a soak run's service keeps its state, {@code storage.backend} {@code files} or {@code postgres} (the system
 * property {@code soak.backend}): the config section that points the service there, and the store ports to read
 * back what it stored once it stopped. Immutable.
 *
 * @param backend {@code files} or {@code postgres}
 * @param folder the data folder ({@code storage.path}, used by the files and by nothing on PostgreSQL)
 * @param url the database's JDBC URL; the user is {@code postgres} with trust authentication, as in the tests
 */
record SoakStorage(String backend, Path folder, String url) {

    static final List<String> PLATFORMS = List.of("slack", "discord", "shell");

    SoakStorage {
        if (!backend.equals("files") && !backend.equals("postgres")) {
            throw new IllegalArgumentException("soak.backend is files or postgres, not " + backend);
        }
    }

    SoakStorage withBackend(String other, Path otherFolder) {
        return new SoakStorage(other, otherFolder, url);
    }

    /** The {@code storage:} section of the service's config (flow style, one line). */
    String yaml() {
        return "storage: {path: " + folder + ", fsync: true, cache_max_size: 8MB, backend: " + backend
                + ", postgres: {url: \"" + url + "\", user: postgres, pool_size: 4}}";
    }

    /** Reads the stored conversations, with the service stopped. */
    <T> T readConversations(Function<ConversationStore, T> read) {
        if (backend.equals("files")) {
            try (JsonFileConversationStore store = files()) {
                return read.apply(store);
            }
        }
        try (PostgresStorage storage = postgres(); ConversationStore store = conversations(storage)) {
            return read.apply(store);
        }
    }

    /** Everything stored, as {@link StoredState} reads it, with the service stopped. */
    Map<String, Object> everything() {
        if (backend.equals("files")) {
            try (JsonFileConversationStore store = files();
                 JsonLinesAuditLog audit = new JsonLinesAuditLog(folder, false);
                 JsonLinesUsageLedger usage = new JsonLinesUsageLedger(folder, false)) {
                return StoredState.of(PLATFORMS, store, new JsonFileSettingsStore(folder, false), audit, usage);
            }
        }
        try (PostgresStorage storage = postgres(); ConversationStore store = conversations(storage)) {
            return StoredState.of(PLATFORMS, store, storage.settings(), storage.auditLog(), storage.usageLedger());
        }
    }

    private JsonFileConversationStore files() {
        return new JsonFileConversationStore(new JsonFileConversationStore.Options(folder, false, false, 40_000, 128,
                8 << 20), Clock.systemUTC(), new SimpleMeterRegistry());
    }

    private PostgresStorage postgres() {
        return PostgresStorage.open(new PostgresStorage.Options(url, "postgres", "", 2, Duration.ofSeconds(30)),
                Clock.systemUTC(), new SimpleMeterRegistry());
    }

    private static ConversationStore conversations(PostgresStorage storage) {
        return storage.conversations(new PostgresStorage.Limits(40_000, 128, 0));
    }
}

package dev.switchboard.store;

import dev.switchboard.conversation.SettingsStore;
import dev.switchboard.store.postgres.PostgresStorage;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The settings contract on PostgreSQL: each {@link #open} is a new storage, as after a restart. */
class PostgresSettingsStoreTest extends SettingsStoreContract {

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final List<PostgresStorage> storages = new ArrayList<>();

    @Override
    protected SettingsStore open() {
        PostgresStorage storage = PostgresStorage.open(db.options(), Clock.systemUTC(), new SimpleMeterRegistry());
        storages.add(storage);
        return storage.settings();
    }

    @AfterEach
    void closeStorages() {
        storages.forEach(PostgresStorage::close);
    }

    @Override
    protected void damage() throws Exception {
        db.execute("UPDATE operator_settings SET settings = '{\"providersOff\": {\"not\": \"a list\"}}'");
    }
}

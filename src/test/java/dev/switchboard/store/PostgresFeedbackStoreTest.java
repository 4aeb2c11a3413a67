package dev.switchboard.store;

import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.store.postgres.PostgresStorage;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The feedback contract on PostgreSQL (table {@code feedback}, migration V2): each {@link #create} a new storage. */
class PostgresFeedbackStoreTest extends FeedbackStoreContract {

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final List<PostgresStorage> storages = new ArrayList<>();

    @Override
    protected ConversationStore create() {
        PostgresStorage storage = PostgresStorage.open(db.options(), clock, new SimpleMeterRegistry());
        storages.add(storage);
        return storage.conversations(new PostgresStorage.Limits(40_000, 128, 64L << 20));
    }

    @AfterEach
    void closeStorages() {
        storages.forEach(PostgresStorage::close);
    }
}

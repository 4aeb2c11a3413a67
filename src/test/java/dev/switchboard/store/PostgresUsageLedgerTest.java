package dev.switchboard.store;

import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.store.postgres.PostgresStorage;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The usage contract on PostgreSQL's {@code usage_record}: each {@link #open} is a new storage, as after a restart. */
class PostgresUsageLedgerTest extends UsageLedgerContract {

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final Map<UsageLedger, PostgresStorage> storages = new IdentityHashMap<>();

    @Override
    protected UsageLedger open() {
        PostgresStorage storage = PostgresStorage.open(db.options(), Clock.systemUTC(), new SimpleMeterRegistry());
        UsageLedger ledger = storage.usageLedger();
        storages.put(ledger, storage);
        return ledger;
    }

    @Override
    protected void close(UsageLedger ledger) {
        storages.remove(ledger).close();
    }

    @AfterEach
    void closeStorages() {
        storages.values().forEach(PostgresStorage::close);
    }
}

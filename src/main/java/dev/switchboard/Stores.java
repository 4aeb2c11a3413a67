package dev.switchboard;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.AuditLog;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.SettingsStore;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.store.JsonFileConversationStore;
import dev.switchboard.store.JsonFileSettingsStore;
import dev.switchboard.store.JsonLinesAuditLog;
import dev.switchboard.store.JsonLinesUsageLedger;
import dev.switchboard.store.postgres.PostgresStorage;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every store port on one backend, built from the {@code storage} section: the JSON files in the data folder or a
 * PostgreSQL database. Closing it closes them in the reverse order of opening. Not thread-safe to open and close;
 * the ports it holds are thread-safe.
 *
 * @param backend which backend, as the config names it
 * @param conversations thread history and the seen messages
 * @param settings operators' saved settings
 * @param audit the audit log
 * @param usage the usage ledger
 * @param problem why the backend cannot be used now, or empty; a real round trip for a database, so cache it
 * @param closing what to close, in opening order
 */
record Stores(SwitchboardConfig.Backend backend, ConversationStore conversations, SettingsStore settings,
              AuditLog audit, UsageLedger usage, Supplier<Optional<String>> problem, List<AutoCloseable> closing)
        implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Stores.class);

    Stores {
        closing = List.copyOf(closing);
    }

    /** The PostgreSQL database behind these stores, or empty on the files backend. */
    Optional<PostgresStorage> database() {
        return closing.stream().filter(PostgresStorage.class::isInstance).map(PostgresStorage.class::cast).findFirst();
    }

    /** The stores of the configured backend. */
    static Stores open(SwitchboardConfig.Storage storage, Clock clock, MeterRegistry meters) {
        return open(storage, storage.backend(), clock, meters);
    }

    /**
     * The stores of {@code backend}, whatever the config chose (the copy command opens both).
     *
     * @throws IllegalStateException if the database cannot be reached or its schema is newer: one line that names
     *     the database and the key to check, never the password
     */
    static Stores open(SwitchboardConfig.Storage storage, SwitchboardConfig.Backend backend, Clock clock,
                       MeterRegistry meters) {
        return switch (backend) {
            case FILES -> files(storage, clock, meters);
            case POSTGRES -> postgres(storage, clock, meters);
        };
    }

    private static Stores files(SwitchboardConfig.Storage storage, Clock clock, MeterRegistry meters) {
        List<AutoCloseable> closing = new ArrayList<>();
        JsonFileConversationStore conversations = new JsonFileConversationStore(new JsonFileConversationStore.Options(
                storage.path(), storage.fsync(), storage.backups(), storage.maxTurnChars(), storage.maxTurnsPerFile(),
                storage.cacheMaxSize().bytes()), clock, meters);
        closing.add(conversations);
        JsonLinesUsageLedger usage = new JsonLinesUsageLedger(storage.path(), storage.fsync());
        closing.add(usage);
        JsonLinesAuditLog audit = new JsonLinesAuditLog(storage.path(), storage.fsync());
        closing.add(audit);
        return new Stores(SwitchboardConfig.Backend.FILES, conversations,
                new JsonFileSettingsStore(storage.path(), storage.fsync()), audit, usage, Optional::empty, closing);
    }

    private static Stores postgres(SwitchboardConfig.Storage storage, Clock clock, MeterRegistry meters) {
        SwitchboardConfig.Postgres pg = storage.postgres();
        if (pg.url().isEmpty()) {
            throw new IllegalStateException("storage.postgres.url is not set; write the database's JDBC URL there,"
                    + " e.g. jdbc:postgresql://127.0.0.1:5432/switchboard");
        }
        PostgresStorage database;
        try {
            database = PostgresStorage.open(new PostgresStorage.Options(pg.url(), pg.user(), pg.password().reveal(),
                    pg.poolSize(), pg.statementTimeout()), clock, meters);
        } catch (StoreException e) {
            throw new IllegalStateException(firstLine(e.getMessage()) + " (check storage.postgres and that the"
                    + " server is up)", e);
        }
        ConversationStore conversations = database.conversations(new PostgresStorage.Limits(storage.maxTurnChars(),
                storage.maxTurnsPerFile(), storage.cacheMaxSize().bytes()));
        return new Stores(SwitchboardConfig.Backend.POSTGRES, conversations, database.settings(), database.auditLog(),
                database.usageLedger(), database::problem, List.of(database, conversations));
    }

    private static String firstLine(String message) {
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }

    /** Closes every store, the last opened first; a store that fails to close does not keep the others open. */
    @Override
    public void close() {
        for (int i = closing.size() - 1; i >= 0; i--) {
            try {
                closing.get(i).close();
            } catch (Exception e) {
                log.warn("while closing the {} store: {}", backend, e.toString());
            }
        }
    }
}

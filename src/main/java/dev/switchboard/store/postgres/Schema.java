package dev.switchboard.store.postgres;

import dev.switchboard.conversation.StoreException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's tables, as Flyway migrations under {@code db/migration}: applied at start, in order, each once. A
 * database migrated by a newer Switchboard is refused before anything is written to it, as a newer JSON file is.
 * Several processes starting at once are serialised by Flyway's lock on its history table.
 */
final class Schema {

    static final String LOCATION = "classpath:db/migration";

    private static final Logger log = LoggerFactory.getLogger(Schema.class);

    private Schema() {
    }

    /** Brings the database up to this build's schema; throws if it is newer than this build knows. */
    static void migrate(DataSource dataSource, String where) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .table("flyway_schema_history")
                .validateMigrationNaming(true)
                .load();
        requireNotNewer(flyway.info(), where);
        MigrateResult result = flyway.migrate();
        if (result.migrationsExecuted > 0) {
            log.info("database schema of {} migrated to version {} ({} migrations)", where, result.targetSchemaVersion,
                    result.migrationsExecuted);
        }
    }

    private static void requireNotNewer(MigrationInfoService info, String where) {
        MigrationVersion known = Arrays.stream(info.all())
                .filter(m -> m.getState().isResolved())
                .map(MigrationInfo::getVersion).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(MigrationVersion.EMPTY);
        MigrationInfo current = info.current();
        if (current != null && current.getVersion() != null && current.getVersion().compareTo(known) > 0) {
            throw new StoreException("the database " + where + " has schema version " + current.getVersion()
                    + ", written by a newer Switchboard; this one knows up to version " + known
                    + ". Upgrade Switchboard, or point storage.postgres.url at another database; nothing was changed",
                    null);
        }
    }
}

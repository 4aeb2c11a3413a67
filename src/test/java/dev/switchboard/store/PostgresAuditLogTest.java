package dev.switchboard.store;

import dev.switchboard.conversation.AuditLog;
import dev.switchboard.store.postgres.PgText;
import dev.switchboard.store.postgres.PostgresStorage;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The audit contract on PostgreSQL's {@code audit_log}: each {@link #open} is a new storage, as after a restart. */
class PostgresAuditLogTest extends AuditLogContract {

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final Map<AuditLog, PostgresStorage> storages = new IdentityHashMap<>();

    @Override
    protected AuditLog open() {
        PostgresStorage storage = PostgresStorage.open(db.options(), Clock.systemUTC(), new SimpleMeterRegistry());
        AuditLog log = storage.auditLog();
        storages.put(log, storage);
        return log;
    }

    @Override
    protected void close(AuditLog log) {
        storages.remove(log).close();
    }

    @AfterEach
    void closeStorages() {
        storages.values().forEach(PostgresStorage::close);
    }

    /** Read as the service would show them: through the same escaping of text PostgreSQL cannot hold. */
    @Override
    protected List<Map<String, String>> entries() throws Exception {
        List<Map<String, String>> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT at, platform, user_id, command, result FROM audit_log ORDER BY id")) {
            while (rs.next()) {
                out.add(Map.of("at", rs.getObject("at", OffsetDateTime.class).toInstant().toString(),
                        "platform", PgText.decode(rs.getString("platform")),
                        "user", PgText.decode(rs.getString("user_id")),
                        "command", PgText.decode(rs.getString("command")),
                        "result", PgText.decode(rs.getString("result"))));
            }
        }
        return out;
    }
}

package dev.switchboard.store.postgres;

import dev.switchboard.conversation.AuditLog;
import java.sql.PreparedStatement;
import java.time.Instant;

/**
 * The audit log as rows of {@code audit_log}: this class only inserts, and the table's triggers refuse any UPDATE,
 * DELETE or TRUNCATE. An entry is committed before {@link #record} returns. Thread-safe.
 */
final class PostgresAuditLog implements AuditLog {

    private final Database database;

    PostgresAuditLog(Database database) {
        this.database = database;
    }

    @Override
    public void record(Instant at, String platform, String userId, String command, String result) {
        database.inTransaction("writing the audit log", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO audit_log (at, platform, user_id, command, result) VALUES (?, ?, ?, ?, ?)")) {
                PgText.setInstant(ps, 1, at);
                PgText.setText(ps, 2, platform);
                PgText.setText(ps, 3, userId);
                PgText.setText(ps, 4, command);
                PgText.setText(ps, 5, result);
                return ps.executeUpdate();
            }
        });
    }
}

package dev.switchboard.store.postgres;

import dev.switchboard.conversation.AuditLog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
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
        database.inTransaction(QueryKind.AUDIT, "writing the audit log", c -> {
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

    @Override
    public List<Entry> entries() {
        return database.read(QueryKind.AUDIT, "reading the audit log", c -> {
            List<Entry> entries = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT at, platform, user_id, command, result FROM audit_log ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(new Entry(PgText.instant(rs, "at"), PgText.text(rs, "platform"),
                            PgText.text(rs, "user_id"), PgText.text(rs, "command"), PgText.text(rs, "result")));
                }
            }
            return entries;
        });
    }
}

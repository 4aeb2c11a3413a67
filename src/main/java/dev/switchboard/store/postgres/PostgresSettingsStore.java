package dev.switchboard.store.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.conversation.OperatorSettings;
import dev.switchboard.conversation.SettingsStore;
import dev.switchboard.conversation.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Operator settings as one JSON document in the single row of {@code operator_settings}, replaced in one statement:
 * a reader sees the old settings or the new ones, never a mix. Thread-safe.
 */
final class PostgresSettingsStore implements SettingsStore {

    private final ObjectMapper json = new ObjectMapper();
    private final Database database;
    private final Clock clock;

    PostgresSettingsStore(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    @Override
    public Optional<OperatorSettings> load() {
        String stored = database.read(QueryKind.SETTINGS, "loading operator settings", PostgresSettingsStore::select);
        return stored == null ? Optional.empty() : Optional.of(parse(stored));
    }

    private static String select(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT settings FROM operator_settings WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private OperatorSettings parse(String stored) {
        try {
            return json.readValue(stored, OperatorSettings.class);
        } catch (JsonProcessingException e) {
            throw new StoreException("operator settings in the database could not be read (" + e.getOriginalMessage()
                    + ")", e);
        } catch (RuntimeException e) {
            throw new StoreException("operator settings in the database could not be read (" + e.getMessage() + ")",
                    e);
        }
    }

    /** Nodes sharing the database update the one row in turn: the transaction holds a lock on it. */
    @Override
    public OperatorSettings update(UnaryOperator<OperatorSettings> change) {
        return database.inTransaction(QueryKind.SETTINGS, "updating operator settings", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO operator_settings (id, settings, saved_at) VALUES (1, '{}'::json, ?)
                    ON CONFLICT (id) DO NOTHING""")) {
                PgText.setInstant(ps, 1, clock.instant());
                ps.executeUpdate();
            }
            String stored;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT settings FROM operator_settings WHERE id = 1 FOR UPDATE");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                stored = rs.getString(1);
            }
            OperatorSettings now;
            try {
                now = parse(stored);
            } catch (StoreException damaged) {
                now = OperatorSettings.NONE; // reported when they were loaded; replaced now, as save does
            }
            OperatorSettings next = change.apply(now);
            write(c, next);
            return next;
        });
    }

    @Override
    public void save(OperatorSettings settings) {
        database.inTransaction(QueryKind.SETTINGS, "saving operator settings", c -> {
            write(c, settings);
            return null;
        });
    }

    private void write(Connection c, OperatorSettings settings) throws SQLException {
        String document;
        try {
            document = json.writeValueAsString(settings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("operator settings could not be written as JSON", e);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO operator_settings (id, settings, saved_at) VALUES (1, ?::json, ?)
                ON CONFLICT (id) DO UPDATE SET settings = EXCLUDED.settings, saved_at = EXCLUDED.saved_at""")) {
            ps.setString(1, document);
            PgText.setInstant(ps, 2, clock.instant());
            ps.executeUpdate();
        }
    }
}

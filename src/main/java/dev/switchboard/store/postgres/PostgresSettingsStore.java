package dev.switchboard.store.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.conversation.OperatorSettings;
import dev.switchboard.conversation.SettingsStore;
import dev.switchboard.conversation.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.Optional;

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
        String stored = database.read(QueryKind.SETTINGS, "loading operator settings", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT settings FROM operator_settings WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
        if (stored == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(stored, OperatorSettings.class));
        } catch (JsonProcessingException e) {
            throw new StoreException("operator settings in the database could not be read (" + e.getOriginalMessage()
                    + ")", e);
        } catch (RuntimeException e) {
            throw new StoreException("operator settings in the database could not be read (" + e.getMessage() + ")",
                    e);
        }
    }

    @Override
    public void save(OperatorSettings settings) {
        String document;
        try {
            document = json.writeValueAsString(settings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("operator settings could not be written as JSON", e);
        }
        database.inTransaction(QueryKind.SETTINGS, "saving operator settings", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO operator_settings (id, settings, saved_at) VALUES (1, ?::json, ?)
                    ON CONFLICT (id) DO UPDATE SET settings = EXCLUDED.settings, saved_at = EXCLUDED.saved_at""")) {
                ps.setString(1, document);
                PgText.setInstant(ps, 2, clock.instant());
                return ps.executeUpdate();
            }
        });
    }
}

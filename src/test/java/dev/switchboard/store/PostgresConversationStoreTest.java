package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.store.postgres.PostgresStorage;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The conversation store contract on PostgreSQL: each {@link #create} is a new storage, as after a restart. */
class PostgresConversationStoreTest extends ConversationStoreContract {

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final List<PostgresStorage> storages = new ArrayList<>();

    @Override
    protected ConversationStore create(int maxTurnChars, int recentTurns) {
        PostgresStorage storage = PostgresStorage.open(db.options(), clock, new SimpleMeterRegistry());
        storages.add(storage);
        return storage.conversations(new PostgresStorage.Limits(maxTurnChars, recentTurns, 64L << 20));
    }

    @AfterEach
    void closeStorages() {
        storages.forEach(PostgresStorage::close);
    }

    @Override
    protected void assertOnlyThreadsLeft(String... threads) throws IOException {
        try {
            assertThat(column("SELECT thread FROM conversation")).containsExactlyInAnyOrder(threads);
            assertThat(column("SELECT DISTINCT c.thread FROM turn t JOIN conversation c ON c.id = t.conversation_id"))
                    .isSubsetOf(List.of(threads));
            assertThat(column("SELECT conversation_id::text FROM seen_message WHERE conversation_id NOT IN"
                    + " (SELECT id FROM conversation)")).isEmpty();
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    /** Every table's rows as text: the whole database holds nothing else of the store's. */
    @Override
    protected String everythingStored() throws IOException {
        try {
            StringBuilder all = new StringBuilder();
            for (String table : List.of("conversation", "turn", "seen_message", "operator_settings", "audit_log",
                    "usage_record", "feedback")) {
                // row_to_json quotes text as JSON does, which is what the contract searches for
                column("SELECT row_to_json(x)::text FROM " + table + " x").forEach(r -> all.append(r).append('\n'));
            }
            return all.toString();
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    @Override
    protected void lookWrittenAt(Instant when) {
        // The database keeps no write times besides the turns' own.
    }

    private List<String> column(String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}

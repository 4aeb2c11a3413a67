package dev.switchboard.store.postgres;

import static dev.switchboard.testing.Turns.slackKey;
import static dev.switchboard.testing.Turns.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.SeenMessages.Seen;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.Turn;
import dev.switchboard.testing.MutableClock;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What only the PostgreSQL backend does: the database decides duplicates and order, refuses newer schemas, heals. */
class PostgresStorageTest {

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final MutableClock clock = MutableClock.at("2026-03-15T10:00:00Z");
    private final List<PostgresStorage> storages = new ArrayList<>();

    /** A storage as one Switchboard process would open it. */
    private PostgresStorage open() {
        PostgresStorage storage = PostgresStorage.open(db.options(), clock, new SimpleMeterRegistry());
        storages.add(storage);
        return storage;
    }

    private ConversationStore conversations(PostgresStorage storage) {
        return storage.conversations(new PostgresStorage.Limits(40_000, 128, 64L << 20));
    }

    @AfterEach
    void closeStorages() {
        storages.forEach(PostgresStorage::close);
    }

    @Test
    void append_theSameDeliveryFromTwoProcessesAtOnce_isStoredExactlyOnce() throws Exception {
        ConversationKey key = slackKey("dup");
        List<ConversationStore> processes = List.of(conversations(open()), conversations(open()));
        Turn delivery = Turn.user("U1", "Ada", "once, please", Instant.parse("2026-03-15T10:00:00Z"),
                List.of("1773568800.000100"));
        int callers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            ConversationStore store = processes.get(i % 2);
            done.add(pool.submit(() -> {
                go.await();
                return store.append(key, delivery);
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        assertThat(count("SELECT count(*) FROM turn")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM seen_message")).isEqualTo(1);
        for (ConversationStore store : processes) {
            assertThat(store.load(key).orElseThrow().turns()).containsExactly(delivery);
            assertThat(store.seen(key, "1773568800.000100")).isEqualTo(Seen.UNANSWERED);
        }
    }

    @Test
    void append_manyWritersInTwoProcesses_keepEachWritersOrder_withoutGaps() throws Exception {
        ConversationKey key = slackKey("busy");
        List<ConversationStore> processes = List.of(conversations(open()), conversations(open()));
        int writers = 8;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            ConversationStore store = processes.get(w % 2);
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < each; i++) {
                    store.append(key, user("U" + writer, writer + ":" + i, clock.instant()));
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        List<Turn> turns = conversations(open()).loadComplete(key).orElseThrow().turns();
        assertThat(turns).hasSize(writers * each);
        for (int w = 0; w < writers; w++) {
            String prefix = w + ":";
            assertThat(turns.stream().map(Turn::text).filter(s -> s.startsWith(prefix))
                    .map(s -> Integer.parseInt(s.substring(prefix.length()))).toList())
                    .containsExactlyElementsOf(IntStream.range(0, each).boxed().toList());
        }
        assertThat(count("SELECT count(DISTINCT seq) FROM turn WHERE seq BETWEEN 0 AND " + (writers * each - 1)))
                .isEqualTo(writers * each);
    }

    @Test
    void append_afterAnotherProcessWrote_seesTheDatabaseNotItsStaleCache() {
        ConversationKey key = slackKey("shared");
        ConversationStore first = conversations(open());
        ConversationStore second = conversations(open());
        first.append(key, user("U1", "one", clock.instant()));
        second.append(key, user("U2", "two", clock.instant()));

        assertThat(first.append(key, user("U1", "three", clock.instant())).turns()).extracting(Turn::text)
                .containsExactly("one", "two", "three");
    }

    @Test
    void append_textAndIdsPostgresTextCannotHold_readBackExactly() {
        ConversationKey key = new ConversationKey("shell", "local\u0000", "C\\0", PgText.MARK + "thread");
        ConversationStore store = conversations(open());
        Turn odd = Turn.user("U\u0000", PgText.MARK + "name", "nul \u0000 and \\0 and " + PgText.MARK,
                Instant.parse("2026-03-15T10:00:00.123456789Z"), List.of("id\u0000"));
        store.append(key, odd);

        ConversationStore fresh = conversations(open());
        assertThat(fresh.load(key).orElseThrow().turns()).containsExactly(odd);
        assertThat(fresh.seen(key, "id\u0000")).isEqualTo(Seen.UNANSWERED);
        assertThat(fresh.seen(key, "id")).isEqualTo(Seen.NEW);
        assertThat(fresh.unanswered("shell", Instant.EPOCH)).extracting(p -> p.key()).containsExactly(key);
    }

    @Test
    void open_aDatabaseFromANewerSchema_isRefusedWithAClearMessage_andLeftUnchanged() throws SQLException {
        open().close();
        // Far beyond this build's migrations, whichever were added since.
        long migrations = count("SELECT count(*) FROM flyway_schema_history");
        // The highest version: branches may add migrations out of order, so versions can have gaps.
        long newest = count("SELECT max(version::int) FROM flyway_schema_history");
        db.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                + " installed_by, execution_time, success)"
                + " VALUES (999, '999', 'from a newer build', 'SQL', 'V999__from_a_newer_build.sql', 0, 'postgres', 1,"
                + " true)");

        assertThatThrownBy(this::open).isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 999")
                .hasMessageContaining("newer Switchboard")
                .hasMessageContaining("knows up to version " + newest)
                .hasMessageContaining(db.name());
        assertThat(count("SELECT count(*) FROM flyway_schema_history")).isEqualTo(migrations + 1);
    }

    @Test
    void open_noServerThere_failsWithOneLineNamingTheDatabase_withoutThePassword() {
        PostgresStorage.Options nowhere = new PostgresStorage.Options("jdbc:postgresql://127.0.0.1:1/switchboard",
                "switchboard", "s3cret-pw", 2, Duration.ofSeconds(5));

        assertThatThrownBy(() -> PostgresStorage.open(nowhere, clock, new SimpleMeterRegistry()))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/switchboard")
                .hasMessageNotContaining("s3cret-pw");
        assertThat(nowhere.toString()).doesNotContain("s3cret-pw");
    }

    @Test
    void auditLog_refusesUpdateDeleteAndTruncate_evenToTheOwner() throws SQLException {
        PostgresStorage storage = open();
        storage.auditLog().record(clock.instant(), "slack", "U1", "provider main off", "done");

        for (String change : List.of("UPDATE audit_log SET result = 'edited'", "DELETE FROM audit_log",
                "TRUNCATE audit_log")) {
            assertThatThrownBy(() -> db.execute(change)).as(change).isInstanceOf(SQLException.class)
                    .hasMessageContaining("append-only");
        }
        assertThat(count("SELECT count(*) FROM audit_log WHERE result = 'done'")).isEqualTo(1);
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

package dev.switchboard.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conversation.StoreException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** While the database is away, store calls fail at once instead of each waiting the pool's timeout. */
class DatabaseReachabilityTest {

    private final AtomicBoolean up = new AtomicBoolean(false);
    private final AtomicInteger asked = new AtomicInteger();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Database database = new Database(pool(), () -> { }, meters,
            new Reachability(3, Duration.ofMillis(200)));

    @Test
    void afterThreeCallsFindNoConnection_callsFailAtOnce_thenOneTriesAgainAndItsSuccessOpensTheWay() {
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(this::save).isInstanceOf(StoreException.class).hasMessageContaining("timed out");
        }
        assertThat(asked).as("each of the first three asked the pool").hasValue(3);

        assertThatThrownBy(this::save).isInstanceOf(StoreException.class)
                .hasMessage("saving a turn failed: the database is unreachable (trying again shortly)");
        assertThat(asked).as("the fourth did not wait for a connection").hasValue(3);
        assertThat(meters.get("switchboard.store.query").tags("kind", "append", "outcome", "failed").timer()
                .count()).isEqualTo(4);

        up.set(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            try {
                return save() == 1;
            } catch (StoreException stillPausing) {
                return false;
            }
        });
        int before = asked.get();
        for (int i = 0; i < 5; i++) {
            assertThat(save()).isEqualTo(1);
        }
        assertThat(asked.get() - before).as("every call goes to the database again").isEqualTo(5);
    }

    @Test
    void aProbeThatFindsTheDatabaseBack_endsThePauseAtOnce() {
        Database patient = new Database(pool(), () -> { }, meters, new Reachability(3, Duration.ofHours(1)));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> patient.inTransaction(QueryKind.APPEND, "saving a turn", c -> 1))
                    .isInstanceOf(StoreException.class);
        }
        up.set(true);
        assertThatThrownBy(() -> patient.inTransaction(QueryKind.APPEND, "saving a turn", c -> 1))
                .hasMessageContaining("unreachable");

        patient.reachable();
        int saved = patient.inTransaction(QueryKind.APPEND, "saving a turn", c -> 1);
        assertThat(saved).isEqualTo(1);
    }

    @Test
    void failuresThatReachedTheDatabase_neverMakeCallsFailAtOnce() {
        up.set(true);
        for (int i = 0; i < 6; i++) {
            assertThatThrownBy(() -> database.inTransaction(QueryKind.APPEND, "saving a turn", c -> {
                throw new SQLException("duplicate key value violates unique constraint", "23505");
            })).isInstanceOf(StoreException.class).hasMessageContaining("duplicate key");
        }
        assertThat(save()).isEqualTo(1);
        assertThat(asked).hasValue(7);
    }

    private int save() {
        return database.inTransaction(QueryKind.APPEND, "saving a turn", c -> 1);
    }

    /** A pool that times out asking for a connection while the database is down, else hands out a do-nothing one. */
    private DataSource pool() {
        Connection connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> null);
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("getConnection")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    asked.incrementAndGet();
                    if (!up.get()) {
                        throw new SQLTransientConnectionException("switchboard-store - Connection is not available,"
                                + " request timed out after 5000ms", "08001");
                    }
                    return connection;
                });
    }
}

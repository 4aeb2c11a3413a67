package dev.switchboard.store.postgres;

import dev.switchboard.conversation.StoreException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs units of work in transactions on the pool. A transaction that fails because its connection was lost (the
 * server restarted, an administrator ended the session) or because PostgreSQL chose it as a deadlock victim is
 * retried once on a fresh connection, but only when the failure came before the commit was sent: a commit whose
 * answer was lost may have happened, and retrying it could store a turn twice. Thread-safe.
 */
final class Database {

    private static final Logger log = LoggerFactory.getLogger(Database.class);
    private static final int ATTEMPTS = 2;

    /** A unit of work on one connection inside one transaction; it may run twice, so it changes nothing else. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final DataSource pool;
    private final Runnable connectionsLost;
    private final Reachability reachability;
    private final Map<QueryKind, Timer> ok = new EnumMap<>(QueryKind.class);
    private final Map<QueryKind, Timer> failed = new EnumMap<>(QueryKind.class);

    /**
     * @param connectionsLost called when a connection turned out dead: its siblings likely are too (a server
     *     restart ends them all), so the pool should replace its idle ones rather than hand them out one by one
     * @param meters where the time of each unit of work goes, by {@link QueryKind} and outcome
     */
    Database(DataSource pool, Runnable connectionsLost, MeterRegistry meters) {
        this(pool, connectionsLost, meters, new Reachability(3, Duration.ofSeconds(2)));
    }

    /** @param reachability when calls fail at once because the database is away */
    Database(DataSource pool, Runnable connectionsLost, MeterRegistry meters, Reachability reachability) {
        this.pool = pool;
        this.connectionsLost = connectionsLost;
        this.reachability = reachability;
        for (QueryKind kind : QueryKind.values()) {
            ok.put(kind, timer(meters, kind, "ok"));
            failed.put(kind, timer(meters, kind, "failed"));
        }
    }

    /** The database answered a probe: store calls stop failing at once, if they were. */
    void reachable() {
        reachability.reachable();
    }

    private static Timer timer(MeterRegistry meters, QueryKind kind, String outcome) {
        return Timer.builder("switchboard.store.query")
                .description("Time of one unit of work on the database, waiting for a connection and a retry"
                        + " on a fresh one included")
                .tags("kind", kind.tag(), "outcome", outcome)
                .publishPercentiles(0.5, 0.99)
                .register(meters);
    }

    /** Runs {@code work} in a transaction and times it as {@code kind}; see {@link #inTransaction(String, Work)}. */
    <T> T inTransaction(QueryKind kind, String what, Work<T> work) {
        return timed(kind, what, () -> inTransaction(what, work));
    }

    /** Runs read-only {@code work} and times it as {@code kind}; see {@link #read(String, Work)}. */
    <T> T read(QueryKind kind, String what, Work<T> work) {
        return timed(kind, what, () -> read(what, work));
    }

    private <T> T timed(QueryKind kind, String what, Supplier<T> call) {
        long started = System.nanoTime();
        if (!reachability.tryAcquire()) {
            failed.get(kind).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            throw new StoreException(what + " failed: the database is unreachable (trying again shortly)", null);
        }
        Throwable failure = null;
        try {
            return call.get();
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            reachability.record(failure);
            (failure == null ? ok : failed).get(kind).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Runs {@code work} in a transaction and commits it; returns only after the commit.
     *
     * @param what names the operation in errors (never the data)
     * @throws StoreException if it could not be done
     */
    private <T> T inTransaction(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            boolean committing = false;
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    committing = true;
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                }
            } catch (SQLException e) {
                if (retryable(e)) {
                    lost(e);
                }
                if (!committing && attempt < ATTEMPTS && retryable(e)) {
                    log.warn("{}: {} ({}); retrying on a fresh connection", what, e.getMessage(), e.getSQLState());
                    continue;
                }
                throw new StoreException(what + " failed: " + describe(e), e);
            }
        }
    }

    /** Runs read-only {@code work} outside a transaction; retried like {@link #inTransaction}. */
    private <T> T read(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(true);
                return work.run(c);
            } catch (SQLException e) {
                if (attempt < ATTEMPTS && retryable(e)) {
                    lost(e);
                    log.warn("{}: {} ({}); retrying on a fresh connection", what, e.getMessage(), e.getSQLState());
                    continue;
                }
                throw new StoreException(what + " failed: " + describe(e), e);
            }
        }
    }

    private void lost(SQLException e) {
        String state = e.getSQLState();
        if (state != null && !state.startsWith("40")) {
            connectionsLost.run();
        }
    }

    private static boolean retryable(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            return false; // the pool already waited its connection timeout for one
        }
        String state = e.getSQLState();
        return Reachability.connectionLost(e)
                || "40P01".equals(state) || "40001".equals(state); // deadlock victim, serialization failure
    }

    /** The error without the statement's parameters, which could be a user's text. */
    static String describe(SQLException e) {
        String state = e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")";
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int detail = message.indexOf("\n  Detail:");
        return (detail >= 0 ? message.substring(0, detail) : message) + state;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone: the server rolled the transaction back itself
        }
    }
}

package dev.switchboard.store.postgres;

import dev.failsafe.CircuitBreaker;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database is worth asking: after a few calls in a row found no connection, calls fail at once for a
 * short pause instead of each waiting the pool's connection timeout, so that while the database is away a chat
 * platform's messages are refused (Discord: "send it again"; Slack: not acknowledged) in milliseconds rather than
 * one every few seconds behind each other. After the pause one call tries again; its success closes the way for all.
 * A failure that is not about reaching the database (a refused statement, a duplicate) counts as reaching it.
 * Thread-safe (a Failsafe circuit breaker used on its own).
 */
final class Reachability {

    private static final Logger log = LoggerFactory.getLogger(Reachability.class);

    private final CircuitBreaker<Object> breaker;

    /**
     * @param failures calls in a row that found no connection before calls fail at once
     * @param pause how long calls fail at once before one tries again
     */
    Reachability(int failures, Duration pause) {
        this.breaker = CircuitBreaker.builder()
                .withFailureThreshold(failures)
                .withDelay(pause)
                .withSuccessThreshold(1)
                .onOpen(e -> log.warn("the database is unreachable: store calls fail at once for {} ms, then one"
                        + " tries again", pause.toMillis()))
                .onClose(e -> log.info("the database is reachable again"))
                .build();
    }

    /** Whether a call may go to the database now; when it may, its outcome must be {@link #record}ed. */
    boolean tryAcquire() {
        return breaker.tryAcquirePermit();
    }

    /** The database answered a probe of its own: calls go to it again at once, without waiting out the pause. */
    void reachable() {
        if (!breaker.isClosed()) {
            breaker.close();
        }
    }

    /** Records the outcome of a call that went to the database: {@code failure} null when it worked. */
    void record(Throwable failure) {
        if (failure != null && unreachable(failure)) {
            breaker.recordFailure();
        } else {
            breaker.recordSuccess();
        }
    }

    /** Whether {@code failure} says the database could not be reached (no connection, or the one in use died). */
    static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException e && connectionLost(e)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the statement's connection failed or its session was ended by the server. */
    static boolean connectionLost(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") // connection exception
                || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")); // session ended
    }
}

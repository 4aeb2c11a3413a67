package dev.switchboard.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Discord IDENTIFY turns on a real PostgreSQL: of nodes asking at once one gets the turn and the others are told how
 * long until the next; buckets do not wait for each other; a connection that is ready late pushes the next turn on.
 */
class PostgresIdentifyTurnsTest {

    private static final Duration SPACING = Duration.ofSeconds(5);
    /** How far the waits given may be from the ideal: the statements themselves take some milliseconds. */
    private static final long SLACK_MILLIS = 1_000;

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private PostgresStorage storage;

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    private PostgresIdentifyTurns turns(Duration spacing) {
        if (storage == null) {
            storage = PostgresStorage.open(db.options(), Clock.systemUTC(), new SimpleMeterRegistry());
        }
        return storage.identifyTurns(spacing);
    }

    @Test
    void ofNodesAskingAtOnce_oneGetsTheTurn_theOthersWaitASpacing() throws Exception {
        PostgresIdentifyTurns a = turns(SPACING);
        PostgresIdentifyTurns b = storage.identifyTurns(SPACING);
        PostgresIdentifyTurns c = storage.identifyTurns(SPACING);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Long> waits = new ArrayList<>();
        try {
            for (Future<Duration> f : pool.invokeAll(List.<Callable<Duration>>of(() -> a.take(0), () -> b.take(0),
                    () -> c.take(0)))) {
                waits.add(f.get().toMillis());
            }
        } finally {
            pool.shutdownNow();
        }
        Collections.sort(waits);
        assertThat(waits.get(0)).as("the turn").isZero();
        assertThat(waits.subList(1, 3)).allSatisfy(wait -> assertThat(wait)
                .isBetween(SPACING.toMillis() - SLACK_MILLIS, SPACING.toMillis()));
        assertThat(a.take(1)).as("another bucket does not wait for bucket 0").isZero();
    }

    @Test
    void aTurnComesOnceTheSpacingIsOver_andAReadyConnectionCountsTheNextFromThen() throws Exception {
        PostgresIdentifyTurns turns = turns(SPACING);
        assertThat(turns.take(0)).isZero();
        assertThat(turns.take(0)).isPositive();
        // The spacing is over (the database's clock decides, not the test's): the next asker gets the turn.
        db.execute("UPDATE discord_identify SET next_at = clock_timestamp() - interval '1 second'");
        assertThat(turns.take(0)).isZero();

        // That connection took its time and is ready only now: the next turn is a whole spacing from now.
        db.execute("UPDATE discord_identify SET next_at = clock_timestamp() - interval '1 second'");
        turns.done(0);
        assertThat(turns.take(0).toMillis()).isBetween(SPACING.toMillis() - SLACK_MILLIS, SPACING.toMillis());
        turns.done(7); // a bucket never taken: nothing to count from
        assertThat(turns.take(7)).isZero();
    }

    @Test
    void aSpacingIsRequired_andABucketIsNeverNegative() {
        assertThatThrownBy(() -> turns(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.identifyTurns(SPACING).take(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}

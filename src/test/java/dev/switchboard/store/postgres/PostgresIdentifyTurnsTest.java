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
 * Discord IDENTIFY turns on a real PostgreSQL: nodes asking at once get turns one spacing apart per bucket, buckets do
 * not wait for each other, and a bucket left alone for longer than the spacing gives its next turn at once.
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
    void nodesAskingAtOnce_getTurnsOneSpacingApart_perBucket() throws Exception {
        PostgresIdentifyTurns a = turns(SPACING);
        PostgresIdentifyTurns b = storage.identifyTurns(SPACING);
        PostgresIdentifyTurns c = storage.identifyTurns(SPACING);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Callable<Duration>> asks = List.of(() -> a.take(0), () -> b.take(0), () -> c.take(0));
            List<Long> waits = new ArrayList<>();
            for (Future<Duration> f : pool.invokeAll(asks)) {
                waits.add(f.get().toMillis());
            }
            Collections.sort(waits);
            assertThat(waits.get(0)).as("the first turn is now").isLessThanOrEqualTo(SLACK_MILLIS);
            assertThat(waits.get(1)).isBetween(SPACING.toMillis() - SLACK_MILLIS, SPACING.toMillis());
            assertThat(waits.get(2)).isBetween(2 * SPACING.toMillis() - SLACK_MILLIS, 2 * SPACING.toMillis());
        } finally {
            pool.shutdownNow();
        }
        assertThat(a.take(1)).as("another bucket does not wait for bucket 0").isLessThanOrEqualTo(Duration.ZERO);
    }

    @Test
    void aQuietBucket_givesItsNextTurnAtOnce() throws Exception {
        Duration spacing = Duration.ofMillis(200);
        PostgresIdentifyTurns turns = turns(spacing);
        assertThat(turns.take(0)).isZero();
        Duration second = turns.take(0);
        assertThat(second.toMillis()).isBetween(1L, spacing.toMillis());
        // Once both turns are past, the bucket is quiet: the database's clock decides, not the test's.
        db.execute("UPDATE discord_identify SET next_at = clock_timestamp() - interval '1 second'");
        assertThat(turns.take(0)).isZero();
    }

    @Test
    void aSpacingIsRequired_andABucketIsNeverNegative() {
        assertThatThrownBy(() -> turns(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.identifyTurns(SPACING).take(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}

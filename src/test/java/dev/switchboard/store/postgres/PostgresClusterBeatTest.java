package dev.switchboard.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every heartbeat writes the node's ingest lag and reads the slowest of the live nodes'. */
class PostgresClusterBeatTest {

    private static final Duration LEASE = Duration.ofSeconds(5);

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private PostgresStorage storage;

    @BeforeEach
    void open() {
        storage = PostgresStorage.open(db.options(), Clock.systemUTC(), new SimpleMeterRegistry());
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void theSlowestLiveNode_setsTheFigure_aDeadOneNot() throws Exception {
        PostgresCluster a = storage.cluster("node-a", LEASE);
        PostgresCluster b = storage.cluster("node-b", LEASE);
        Instant started = Instant.now();

        assertThat(a.beat(started, 0, Duration.ofMillis(80), "slack", List.of()).slowestIngest())
                .isEqualTo(Duration.ofMillis(80));
        assertThat(b.beat(started, 2, Duration.ofMillis(730), "slack", List.of()).slowestIngest())
                .isEqualTo(Duration.ofMillis(730));
        assertThat(a.beat(started, 0, Duration.ofMillis(60), "slack", List.of()).slowestIngest())
                .as("b's figure, as its last beat wrote it").isEqualTo(Duration.ofMillis(730));

        db.execute("UPDATE cluster_node SET beat_at = now() - interval '1 minute' WHERE node_id = 'node-b'");
        assertThat(a.beat(started, 0, Duration.ofMillis(60), "slack", List.of()).slowestIngest())
                .as("b stopped beating a lease ago").isEqualTo(Duration.ofMillis(60));
        assertThat(b.beat(started, 0, Duration.ofMillis(10), "slack", List.of()).slowestIngest())
                .as("b beating again counts again, with its new figure").isEqualTo(Duration.ofMillis(60));
    }
}

package dev.switchboard.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shard leases on a real PostgreSQL: one holder per shard, renewals, members, release and leaving. */
class PostgresShardsTest {

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private PostgresStorage storage;

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    private PostgresShards node(String id) {
        if (storage == null) {
            storage = PostgresStorage.open(db.options(), Clock.systemUTC(), new SimpleMeterRegistry());
        }
        return storage.shards(id, 4, Duration.ofSeconds(10));
    }

    @Test
    void oneHolderPerShard_renewedByItsHolder_freeOnceReleased() {
        PostgresShards a = node("a");
        PostgresShards b = node("b");
        for (int shard = 0; shard < 4; shard++) {
            assertThat(a.claim(shard)).isTrue();
        }
        assertThat(b.claim(0)).isFalse();
        assertThat(a.claim(0)).as("its own, again").isTrue();

        PostgresShards.View seen = a.round(List.of(0, 1, 2, 3));
        assertThat(seen.renewed()).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(seen.members()).containsExactly("a");
        assertThat(b.round(List.of(0)).renewed()).as("not b's to renew").isEmpty();
        assertThat(a.round(List.of()).members()).containsExactly("a", "b");
        assertThat(a.round(List.of(0, 1, 2, 3)).holders())
                .isEqualTo(Map.of(0, "a", 1, "a", 2, "a", 3, "a"));

        a.release(3);
        b.release(2); // not b's: nothing happens
        assertThat(b.round(List.of()).holders()).isEqualTo(Map.of(0, "a", 1, "a", 2, "a"));
        assertThat(b.claim(3)).isTrue();

        a.leave();
        PostgresShards.View after = b.round(List.of(3));
        assertThat(after.holders()).isEqualTo(Map.of(3, "b"));
        assertThat(after.members()).containsExactly("b");
    }
}

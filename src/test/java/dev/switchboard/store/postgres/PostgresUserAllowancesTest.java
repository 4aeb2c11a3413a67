package dev.switchboard.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.UserAllowances;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two nodes on one database spend one allowance per user. */
class PostgresUserAllowancesTest {

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private UserAllowances node() {
        PostgresStorage storage = PostgresStorage.open(db.options(), Clock.systemUTC(), new SimpleMeterRegistry());
        open.add(storage);
        return storage.userAllowances();
    }

    @Test
    void aUserWritingToTwoNodesSpendsOneAllowance() {
        UserAllowances a = node();
        UserAllowances b = node();
        Duration minute = Duration.ofMinutes(1);

        assertThat(a.take("slack\u0000U1", 3, minute)).isZero();
        assertThat(b.take("slack\u0000U1", 3, minute)).isZero();
        assertThat(a.take("slack\u0000U1", 3, minute)).isZero();
        Duration wait = b.take("slack\u0000U1", 3, minute);
        assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(20)); // one message every 20 s
        assertThat(wait).isGreaterThan(Duration.ofSeconds(19));
        assertThat(a.take("discord\u0000U1", 3, minute)).isZero(); // another user: an allowance of its own

        b.refund("slack\u0000U1"); // not taken after all
        assertThat(a.take("slack\u0000U1", 3, minute)).isZero();
        assertThat(a.take("slack\u0000U1", 3, minute)).isPositive();
    }

    @Test
    void concurrentTakesNeverSpendMoreThanTheAllowance() throws Exception {
        UserAllowances a = node();
        UserAllowances b = node();
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
        for (UserAllowances node : List.of(a, b, a, b)) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 10; i++) {
                    if (node.take("slack\u0000U2", 5, Duration.ofHours(1)).isZero()) {
                        taken.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(taken.get()).isEqualTo(5);
    }
}

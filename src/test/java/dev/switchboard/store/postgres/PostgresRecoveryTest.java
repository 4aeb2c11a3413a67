package dev.switchboard.store.postgres;

import static dev.switchboard.testing.Turns.slackKey;
import static dev.switchboard.testing.Turns.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.Turn;
import dev.switchboard.testing.MutableClock;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service's sessions ended under it (pg_terminate_backend, as a server restart does): it heals, loses nothing. */
class PostgresRecoveryTest {

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final MutableClock clock = MutableClock.at("2026-03-15T10:00:00Z");
    private PostgresStorage storage;

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    private ConversationStore conversations(PostgresStorage on) {
        return on.conversations(new PostgresStorage.Limits(40_000, 16, 64L << 20));
    }

    @Test
    void sessionsEndedBetweenCalls_theNextCallSucceedsOnAFreshConnection() throws Exception {
        storage = PostgresStorage.open(db.options(), clock, new SimpleMeterRegistry());
        ConversationStore store = conversations(storage);
        ConversationKey key = slackKey("t");
        for (int i = 0; i < 5; i++) {
            store.append(key, user("U1", "before " + i, clock.instant()));
        }

        assertThat(db.terminateConnections()).isPositive();
        store.append(key, user("U1", "after", clock.instant()));
        storage.auditLog().record(clock.instant(), "slack", "U1", "status", "ok");

        try (PostgresStorage fresh = PostgresStorage.open(db.options(), clock, new SimpleMeterRegistry())) {
            assertThat(conversations(fresh).loadComplete(key).orElseThrow().turns()).extracting(Turn::text)
                    .containsExactly("before 0", "before 1", "before 2", "before 3", "before 4", "after");
        }
    }

    @Test
    void sessionsEndedWhileWritersAppend_everyAcknowledgedTurnIsStoredOnce_andWritingResumes() throws Exception {
        storage = PostgresStorage.open(db.options(), clock, new SimpleMeterRegistry());
        ConversationStore store = conversations(storage);
        int writers = 4;
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> running = new java.util.ArrayList<>();
        for (int w = 0; w < writers; w++) {
            ConversationKey key = slackKey("w" + w);
            running.add(pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String text = key.thread() + ":" + i;
                    try {
                        store.append(key, user("U1", text, clock.instant()));
                        acknowledged.add(text);
                    } catch (StoreException e) {
                        failed.incrementAndGet(); // not acknowledged: the platform would deliver it again
                    }
                }
                return null;
            }));
        }
        int killed = 0;
        for (int round = 1; round <= 5; round++) {
            int target = acknowledged.size() + 40;
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= target);
            killed += db.terminateConnections();
        }
        int afterKills = acknowledged.size() + 40;
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= afterKills);
        stop.set(true);
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();

        assertThat(killed).as("sessions ended").isPositive();
        try (PostgresStorage fresh = PostgresStorage.open(db.options(), clock, new SimpleMeterRegistry())) {
            ConversationStore check = conversations(fresh);
            List<String> stored = new java.util.ArrayList<>();
            for (int w = 0; w < writers; w++) {
                check.loadComplete(slackKey("w" + w)).ifPresent(c -> c.turns().forEach(t -> stored.add(t.text())));
            }
            assertThat(stored).as("every acknowledged turn, once").containsAll(acknowledged).doesNotHaveDuplicates();
        }
        System.out.printf("connection loss: %d sessions ended, %d appends acknowledged, %d refused%n", killed,
                acknowledged.size(), failed.get());
    }
}

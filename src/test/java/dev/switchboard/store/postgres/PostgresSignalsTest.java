package dev.switchboard.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Signals between two nodes on one database: heard by both, topics kept apart, and heard again after the connection dies. */
class PostgresSignalsTest {

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private PostgresSignals node(String id) {
        PostgresStorage storage = PostgresStorage.open(db.options(), Clock.systemUTC(), new SimpleMeterRegistry());
        open.add(storage);
        PostgresSignals signals = storage.signals(id);
        open.add(signals);
        return signals;
    }

    /** Records what a node hears on one topic, and how often it was told it may have missed some. */
    private static final class Heard implements PostgresSignals.Listener {
        final List<PostgresSignals.Signal> signals = new CopyOnWriteArrayList<>();
        final AtomicInteger missed = new AtomicInteger();

        @Override
        public void signalled(PostgresSignals.Signal signal) {
            signals.add(signal);
        }

        @Override
        public void missed() {
            missed.incrementAndGet();
        }
    }

    @Test
    void everyNodeHearsASignalOnItsTopicTheSenderIncluded() {
        PostgresSignals a = node("node-a");
        PostgresSignals b = node("node-b");
        Heard aSettings = new Heard();
        Heard bSettings = new Heard();
        Heard bOther = new Heard();
        a.subscribe("settings", aSettings);
        b.subscribe("settings", bSettings);
        b.subscribe("other", bOther);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.listening() && b.listening());

        a.send("settings", "provider openai off\nsecond line");

        var expected = new PostgresSignals.Signal("settings", "node-a", "provider openai off\nsecond line");
        await().atMost(Duration.ofSeconds(5)).until(() -> aSettings.signals.size() == 1 && bSettings.signals.size() == 1);
        assertThat(aSettings.signals).containsExactly(expected);
        assertThat(bSettings.signals).containsExactly(expected);
        assertThat(bOther.signals).isEmpty();
    }

    @Test
    void aListenerWhoseConnectionDiedIsToldAndHearsAgain() throws Exception {
        PostgresSignals a = node("node-a");
        PostgresSignals b = node("node-b");
        Heard heard = new Heard();
        b.subscribe("budgets", heard);
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.missed.get() == 1 && b.listening());

        assertThat(db.terminateConnections()).isPositive();

        await().atMost(Duration.ofSeconds(15)).until(() -> heard.missed.get() >= 2 && b.listening());
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            a.send("budgets", "pause");
            assertThat(heard.signals).isNotEmpty();
        });
        assertThat(heard.signals.getFirst().sender()).isEqualTo("node-a");
    }

    @Test
    void aPayloadTooLongForANotificationIsRefused() {
        PostgresSignals a = node("node-a");

        assertThatThrownBy(() -> a.send("settings", "x".repeat(PostgresSignals.MAX_PAYLOAD_BYTES)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too long");
        assertThatThrownBy(() -> a.send("two\nlines", "")).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.testing.ManualTicker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExtraWriteTest {

    private final ManualTicker ticker = new ManualTicker();

    @Test
    void waitsForTheBudget_andA429PausesItBeforeTheNextTry() {
        Budget budget = new Budget("channel", 1, Duration.ofMillis(200), ticker);
        assertThat(budget.tryTake()).as("the reply's own last write").isTrue();
        AtomicInteger tries = new AtomicInteger();

        CompletableFuture<Void> done = ExtraWrite.send(List.of(budget), () -> tries.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new ReplySink.WriteFailed(ReplySink.WriteFailed.Kind.RATE_LIMITED,
                        Duration.ofMillis(500), "429"))
                : CompletableFuture.completedFuture(null));

        assertThat(tries).as("no write before the budget has one").hasValue(0);
        ticker.advance(Duration.ofMillis(200));
        await().untilAsserted(() -> assertThat(tries).hasValue(1));
        ticker.advance(Duration.ofMillis(200));
        assertThat(done).as("paused for the Retry-After").isNotDone();
        assertThat(tries).hasValue(1);
        ticker.advance(Duration.ofMillis(600));
        await().until(done::isDone);
        assertThat(done).isCompleted();
        assertThat(tries).hasValue(2);
    }

    @Test
    void anotherFailureEndsIt() {
        CompletableFuture<Void> done = ExtraWrite.send(List.of(), () -> CompletableFuture.failedFuture(
                new ReplySink.WriteFailed(ReplySink.WriteFailed.Kind.GONE, null, "deleted")));

        await().until(done::isDone);
        assertThat(done).isCompletedExceptionally();
    }
}

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
        // The 429 pauses the budget on the write's own thread: the clock moves on only once it has.
        await().until(() -> budget.nanosUntilFree() > Duration.ofMillis(200).toNanos());
        ticker.advance(Duration.ofMillis(200));
        assertThat(done).as("paused for the Retry-After").isNotDone();
        assertThat(tries).hasValue(1);
        ticker.advance(Duration.ofMillis(600));
        await().until(done::isDone);
        assertThat(done).isCompleted();
        assertThat(tries).hasValue(2);
    }

    @Test
    void takesFromEveryBudgetAtOnce_holdingNoneWhileAnotherIsBusy() {
        Budget channel = new Budget("channel", 1, Duration.ofMillis(200), ticker);
        Budget workspace = new Budget("workspace", 1, Duration.ofMillis(200), ticker);
        assertThat(workspace.tryTake()).as("another reply's edit").isTrue();
        AtomicInteger tries = new AtomicInteger();

        CompletableFuture<Void> done = ExtraWrite.send(List.of(channel, workspace), () -> {
            tries.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });

        assertThat(channel.tryTake()).as("the channel's write is not held while the workspace's is awaited").isTrue();
        ticker.advance(Duration.ofMillis(200));
        await().until(done::isDone);
        assertThat(tries).hasValue(1);
        assertThat(channel.free()).as("it took the channel's next write").isFalse();
        assertThat(workspace.free()).as("and the workspace's").isFalse();
    }

    @Test
    void aWriteNoOneWaitsFor_givesWayToRepliesWaitingForItsBudget_forAWhile() {
        Budget workspace = new Budget("workspace", 1, Duration.ofMillis(50), ticker);
        workspace.waiting = 2; // two replies wait in the live engine for their final texts
        AtomicInteger tries = new AtomicInteger();

        CompletableFuture<Void> done = ExtraWrite.afterAnswers(List.of(workspace), () -> {
            tries.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });

        ticker.advance(Duration.ofSeconds(1));
        assertThat(workspace.tryTake()).as("a free write is left to the replies").isTrue();
        workspace.waiting = 1;
        ticker.advance(ExtraWrite.GIVES_WAY.minusSeconds(2));
        assertThat(workspace.tryTake()).as("still left to them").isTrue();
        assertThat(tries).hasValue(0);

        ticker.advance(Duration.ofSeconds(2)); // it has given way long enough
        await().until(done::isDone);
        assertThat(tries).hasValue(1);
    }

    @Test
    void aWriteNoOneWaitsFor_goesAtOnceWhenNoReplyWaits() {
        Budget workspace = new Budget("workspace", 1, Duration.ofMillis(50), ticker);
        workspace.waiting = 1;
        CompletableFuture<Void> done = ExtraWrite.afterAnswers(List.of(workspace),
                () -> CompletableFuture.completedFuture(null));
        assertThat(workspace.tryTake()).as("the waiting reply's write").isTrue();
        workspace.waiting = 0;

        ticker.advance(Duration.ofMillis(50));
        await().until(done::isDone);
        assertThat(workspace.free()).as("it took the next write").isFalse();
    }

    @Test
    void takeAll_takesFromEveryBudgetOrFromNone() {
        Budget channel = new Budget("channel", 2, Duration.ofSeconds(1), ticker);
        Budget workspace = new Budget("workspace", 1, Duration.ofSeconds(1), ticker);
        assertThat(workspace.tryTake()).isTrue();

        assertThat(Budget.takeAll(List.of(channel, workspace), Need.PACED)).as("the workspace has none").isFalse();
        assertThat(channel.free()).as("the channel's write was given back").isTrue();
        assertThat(Budget.takeAll(List.of(channel, workspace), Need.FIRST_SIGN))
                .as("urgent, but the workspace has no reserve")
                .isFalse();
        assertThat(channel.free()).isTrue();

        assertThat(channel.tryTake()).isTrue();
        assertThat(Budget.takeAll(List.of(channel), Need.FIRST_SIGN)).as("the channel's reserve").isTrue();
        assertThat(Budget.takeAll(List.of(channel), Need.FIRST_SIGN)).as("spent").isFalse();
    }

    @Test
    void anotherFailureEndsIt() {
        CompletableFuture<Void> done = ExtraWrite.send(List.of(), () -> CompletableFuture.failedFuture(
                new ReplySink.WriteFailed(ReplySink.WriteFailed.Kind.GONE, null, "deleted")));

        await().until(done::isDone);
        assertThat(done).isCompletedExceptionally();
    }
}

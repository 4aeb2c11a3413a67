package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** A provider's stream slots on a manual time: a full set queues tries oldest first, each until its deadline. */
class StreamSlotsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(1);
    private final ManualRouterTime time = new ManualRouterTime();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final StreamSlots slots = new StreamSlots("p", 1, time, meters);

    @Test
    void share_dividesTheSlotsAmongTheNodes_andAWiderShareLetsTheWaitingIn() {
        StreamSlots four = new StreamSlots("p", 4, time, meters);
        four.share(2);
        StreamSlots.Slot a = four.take(DEADLINE).join();
        StreamSlots.Slot b = four.take(DEADLINE).join();
        CompletableFuture<StreamSlots.Slot> c = four.take(DEADLINE);
        assertThat(c).isNotDone();
        assertThat(four.snapshot()).isEqualTo(new StreamSlots.Snapshot(2, 2, 1, Duration.ZERO));

        four.share(1); // the other node left
        StreamSlots.Slot cHeld = c.join();
        assertThat(four.snapshot().open()).isEqualTo(3);

        four.share(4); // a share of one: the open streams run on, the next waits until fewer than one are open
        CompletableFuture<StreamSlots.Slot> d = four.take(DEADLINE);
        a.release();
        b.release();
        assertThat(d).isNotDone();
        cHeld.release();
        d.join().release();
        assertThat(four.snapshot()).isEqualTo(new StreamSlots.Snapshot(0, 1, 0, Duration.ZERO));
        four.share(100);
        assertThat(four.snapshot().limit()).isEqualTo(1); // never none
    }

    @Test
    void take_whenFull_waitsInLine_andTheSlotGoesToTheOldestFirst() {
        StreamSlots.Slot held = slots.take(DEADLINE).join();
        CompletableFuture<StreamSlots.Slot> second = slots.take(DEADLINE);
        CompletableFuture<StreamSlots.Slot> third = slots.take(DEADLINE);
        time.advance(Duration.ofMillis(250));
        assertThat(slots.snapshot()).isEqualTo(new StreamSlots.Snapshot(1, 1, 2, Duration.ofMillis(250)));

        held.release();

        StreamSlots.Slot secondHeld = second.join();
        assertThat(third).isNotDone();
        held.release(); // a second release of the same slot changes nothing
        assertThat(slots.snapshot().waiting()).isEqualTo(1);
        secondHeld.release();
        third.join().release();
        assertThat(slots.snapshot()).isEqualTo(new StreamSlots.Snapshot(0, 1, 0, Duration.ZERO));
        assertThat(meters.get("switchboard.provider.queue.wait").tag("outcome", "slot").timer().count()).isEqualTo(2);
    }

    @Test
    void aTryThatWaitsItsWholeDeadline_failsFull_andLeavesTheLine() {
        StreamSlots.Slot held = slots.take(DEADLINE).join();
        CompletableFuture<StreamSlots.Slot> waiting = slots.take(DEADLINE);

        time.advance(DEADLINE.minusMillis(1));
        assertThat(waiting).isNotDone();
        time.advance(Duration.ofMillis(1));

        assertThat(waiting).isCompletedExceptionally();
        assertThat(catchCause(waiting)).isInstanceOf(StreamSlots.Full.class);
        assertThat(slots.snapshot().waiting()).isZero();
        held.release();
        assertThat(slots.snapshot().open()).isZero();
        assertThat(meters.get("switchboard.provider.queue.wait").tag("outcome", "deadline").timer().count())
                .isEqualTo(1);
    }

    @Test
    void aTryThatLeavesTheLine_passesItsTurnToTheNext() {
        StreamSlots.Slot held = slots.take(DEADLINE).join();
        CompletableFuture<StreamSlots.Slot> leaving = slots.take(DEADLINE);
        CompletableFuture<StreamSlots.Slot> next = slots.take(DEADLINE);

        leaving.cancel(false);
        assertThat(slots.snapshot().waiting()).isEqualTo(1);
        held.release();

        await().atMost(Duration.ofSeconds(5)).until(next::isDone);
        assertThat(next).isCompleted();
        assertThat(slots.snapshot()).isEqualTo(new StreamSlots.Snapshot(1, 1, 0, Duration.ZERO));
    }

    private static Throwable catchCause(CompletableFuture<?> future) {
        try {
            future.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}

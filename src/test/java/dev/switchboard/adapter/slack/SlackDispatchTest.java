package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SlackDispatchTest {

    @Test
    void submit_oneKeysRequestsRunOneAtATimeInTheOrderSubmitted() {
        try (SlackDispatch dispatch = new SlackDispatch(100, Duration.ofSeconds(1))) {
            List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch gate = new CountDownLatch(1);
            List<CompletableFuture<Integer>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                all.add(dispatch.submit("C1 100.000100", () -> {
                    if (n == 0) {
                        await(gate); // the first is slow: the rest must wait for it
                    }
                    ran.add(n);
                    return n;
                }));
            }
            gate.countDown();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            assertThat(ran).isSorted().hasSize(50);
        }
    }

    @Test
    void submit_aLanesRequestsRunOnTheThreadThatFinishedTheOneBefore() {
        try (SlackDispatch dispatch = new SlackDispatch(100, Duration.ofSeconds(1))) {
            CountDownLatch gate = new CountDownLatch(1);
            List<CompletableFuture<Thread>> all = new ArrayList<>();
            all.add(dispatch.submit("k", () -> {
                await(gate); // the others queue behind it
                return Thread.currentThread();
            }));
            for (int i = 0; i < 5; i++) {
                all.add(dispatch.submit("k", Thread::currentThread));
            }
            gate.countDown();
            assertThat(all.stream().map(CompletableFuture::join).distinct()).hasSize(1);
        }
    }

    @Test
    void close_refusesWhatIsQueuedBehindARunningRequest() {
        SlackDispatch dispatch = new SlackDispatch(100, Duration.ofSeconds(1));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        dispatch.submit("k", () -> {
            started.countDown();
            await(gate);
            return "running";
        });
        CompletableFuture<String> queued = dispatch.submit("k", () -> "queued");
        await(started);
        dispatch.close();
        gate.countDown();
        assertThat(queued).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .withCauseInstanceOf(SlackDispatch.Full.class);
        assertThat(dispatch.submit("other", () -> "x")).failsWithin(Duration.ofSeconds(5));
    }

    @Test
    void submit_otherKeysDoNotWaitForABusyOne() {
        try (SlackDispatch dispatch = new SlackDispatch(100, Duration.ofSeconds(1))) {
            CountDownLatch gate = new CountDownLatch(1);
            CompletableFuture<String> busy = dispatch.submit("C1 1", () -> {
                await(gate);
                return "busy";
            });
            assertThat(dispatch.submit("C1 2", () -> "other").join()).isEqualTo("other");
            assertThat(busy).isNotDone();
            gate.countDown();
            assertThat(busy.join()).isEqualTo("busy");
        }
    }

    @Test
    void submit_whenFullARequestIsRefusedAndAFailureDoesNotStopItsKey() {
        try (SlackDispatch dispatch = new SlackDispatch(1, Duration.ZERO)) {
            CountDownLatch gate = new CountDownLatch(1);
            CompletableFuture<String> first = dispatch.submit("k", () -> {
                await(gate);
                throw new IllegalStateException("boom");
            });
            assertThat(dispatch.submit("k", () -> "x")).isCompletedExceptionally();
            gate.countDown();
            assertThat(first).failsWithin(Duration.ofSeconds(5));
            assertThat(dispatch.submit("k", () -> "after").join()).isEqualTo("after");
        }
    }

    private static void await(CountDownLatch gate) {
        try {
            assertThat(gate.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

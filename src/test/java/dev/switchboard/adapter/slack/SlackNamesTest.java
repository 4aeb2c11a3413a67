package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SlackNamesTest {

    /** The answers users.info gives, one per call, in order; set up before the calls. */
    private final Deque<CompletableFuture<String>> answers = new ConcurrentLinkedDeque<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final SlackNames names = new SlackNames(id -> {
        calls.incrementAndGet();
        return answers.removeFirst();
    }, id -> CompletableFuture.completedFuture("general"));

    @Test
    void userBeforeAck_waitsOnlyForACallItStartedAndNeverAsksTwiceAtOnce() {
        CompletableFuture<String> slow = new CompletableFuture<>();
        answers.add(slow);
        long started = System.nanoTime();
        assertThat(names.userBeforeAck("U1")).isEmpty(); // Slack is slow: the message goes on without the name
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(SlackNames.BEFORE_ACK);

        started = System.nanoTime();
        assertThat(names.userBeforeAck("U1")).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the call under way is not waited for again")
                .isLessThan(SlackNames.BEFORE_ACK);
        assertThat(calls).hasValue(1);

        slow.complete("Ada");
        assertThat(names.userBeforeAck("U1")).isEqualTo("Ada");
        assertThat(names.user("U1")).isEqualTo("Ada");
        assertThat(calls).hasValue(1);
    }

    @Test
    void user_inAReplyWaitsForTheCallUnderWay() {
        CompletableFuture<String> slow = new CompletableFuture<>();
        answers.add(slow);
        assertThat(names.userBeforeAck("U1")).isEmpty();
        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(() -> slow.complete("Ada"));
        assertThat(names.user("U1")).isEqualTo("Ada");
        assertThat(calls).hasValue(1);
    }

    @Test
    void aFailedCallIsNotKeptAndTheNextMessageAsksAgain() {
        answers.add(CompletableFuture.failedFuture(new IllegalStateException("users.info: user_not_found")));
        answers.add(CompletableFuture.completedFuture("Ada"));
        assertThat(names.userBeforeAck("U1")).isEmpty();
        assertThat(names.userBeforeAck("U1")).isEqualTo("Ada");
        assertThat(calls).hasValue(2);
    }

    @Test
    void channels_haveNamesAndDirectMessagesDoNot() {
        assertThat(names.channelBeforeAck("C1")).isEqualTo("general");
        assertThat(names.channel("C1").join()).isEqualTo("general");
        assertThat(names.channelBeforeAck("D1")).isEmpty();
        assertThat(names.channel("D1").join()).isEmpty();
    }
}

package dev.switchboard.answering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.SeenMessages;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.Turn;
import dev.switchboard.store.JsonFileConversationStore;
import dev.switchboard.testing.MutableClock;
import dev.switchboard.testing.StoreCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reply shown while the store is away is stored once it is back: tried again after growing pauses on an injected
 * scheduler, never twice when a commit's answer was lost, and the thread's next message waits for it.
 */
class StoreRetryTest {

    private static final ConversationKey KEY = new ConversationKey("test", "W1", "C1", "100.000");
    private static final Conversations.Policy POLICY = new Conversations.Policy("BOT",
            Conversations.OnNewMessage.QUEUE, new Conversations.RateLimit(100, Duration.ofMinutes(1)), false);

    @TempDir
    Path data;

    private final MutableClock clock = MutableClock.at("2026-03-15T10:00:00Z");
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    /** Assistant appends still to fail; whether a failing one commits first (its answer lost on the way back). */
    private final AtomicInteger failures = new AtomicInteger();
    private volatile boolean commitThenFail;
    private final List<String> started = new CopyOnWriteArrayList<>();
    private JsonFileConversationStore files;
    private Conversations<String> conversations;

    @AfterEach
    void close() {
        if (conversations != null) {
            conversations.close();
        }
        if (files != null) {
            files.close();
        }
    }

    private Conversations<String> conversations(Duration giveUpAfter) {
        files = new JsonFileConversationStore(new JsonFileConversationStore.Options(data, false, false, 40_000, 128,
                1 << 20), clock, new SimpleMeterRegistry());
        conversations = new Conversations<>(flaky(files), new Answers(), clock, new SimpleMeterRegistry(), scheduler,
                new StoreRetry.Options(Duration.ofMillis(500), Duration.ofSeconds(4), giveUpAfter));
        return conversations;
    }

    /** The store, with assistant appends failing while {@link #failures} is positive. */
    private ConversationStore flaky(ConversationStore store) {
        return StoreCalls.around(store, (method, args, call) -> {
            boolean failing = method.getName().startsWith("append") && ((Turn) args[1]).role() == Role.ASSISTANT
                    && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            if (failing && !commitThenFail) {
                throw new StoreException("saving a turn failed: connection refused", null);
            }
            Object result = call.proceed();
            if (failing) {
                throw new StoreException("saving a turn failed: the connection closed during commit", null);
            }
            return result;
        });
    }

    /** Answers every message at once with "answer to" its text, shown in one platform message. */
    private final class Answers implements ReplyStarter<String> {
        @Override
        public StartedReply start(AnswerRequest request, String surface, Resume resume, boolean footer) {
            String question = request.history().getLast().text();
            started.add(question);
            return reply(new Answer("answer to " + question, List.of("shown-" + question),
                    new AssistantMeta("p", "m", List.of(), null, null, null)));
        }

        @Override
        public StartedReply fail(String surface, Resume resume, String userMessage) {
            return reply(new Answer(userMessage, List.of(), new AssistantMeta("", "", List.of(), null, null, null)));
        }

        @Override
        public void withdrawn(String surface, String reason) {
        }

        private StartedReply reply(Answer answer) {
            return new StartedReply() {
                @Override
                public void cancel(String reason) {
                }

                @Override
                public CompletableFuture<Answer> answered() {
                    return CompletableFuture.completedFuture(answer);
                }

                @Override
                public void finish() {
                }
            };
        }
    }

    private Admission send(String id, String text) {
        return conversations.submit(new Inbound(KEY, id, "U1", "Ada", text, clock.instant(), "general"),
                () -> "surface", POLICY);
    }

    private List<String> assistantTurns() {
        return files.loadComplete(KEY).orElseThrow().turns().stream().filter(t -> t.role() == Role.ASSISTANT)
                .map(Turn::text).toList();
    }

    @Test
    void aReplyThatCannotBeStoredIsTriedAgainWithGrowingPauses_andTheNextMessageWaitsForIt() {
        conversations(Duration.ofMinutes(3));
        failures.set(3);
        assertThat(send("1", "first")).isInstanceOf(Admission.Accepted.class);
        assertThat(send("2", "second")).isEqualTo(new Admission.Accepted(1));

        for (int retry = 0; retry < 3; retry++) {
            await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.waiting() == 1);
            assertThat(started).as("the next message waits until the reply is stored").containsExactly("first");
            scheduler.runNext();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> assistantTurns().size() == 2);
        assertThat(assistantTurns()).containsExactly("answer to first", "answer to second");
        assertThat(scheduler.pauses()).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(2));
        assertThat(files.seen(KEY, "1")).isEqualTo(SeenMessages.Seen.ANSWERED);
    }

    @Test
    void aCommitWhoseAnswerWasLost_isNotStoredAgain() {
        conversations(Duration.ofMinutes(3));
        commitThenFail = true;
        failures.set(1);
        send("1", "first");

        await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.waiting() == 1);
        scheduler.runNext();
        send("2", "second");

        await().atMost(Duration.ofSeconds(5)).until(() -> assistantTurns().size() == 2);
        assertThat(assistantTurns()).containsExactly("answer to first", "answer to second");
        assertThat(conversations.inProgress()).isZero();
    }

    @Test
    void aStoreAwayForLongerThanTheBound_isGivenUp_theMessageStaysUnanswered_andTheThreadGoesOn() {
        conversations(Duration.ofSeconds(5));
        failures.set(5); // every try at the first reply
        send("1", "first");
        send("2", "second");

        // 0.5 + 1 + 2 + 4 s: the try after the last pause starts past the 5 s bound and is the last one.
        for (int retry = 0; retry < 4; retry++) {
            await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.waiting() == 1);
            scheduler.runNext();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> conversations.inProgress() == 0
                && scheduler.waiting() == 0);

        assertThat(files.seen(KEY, "1")).isEqualTo(SeenMessages.Seen.UNANSWERED);
        assertThat(assistantTurns()).containsExactly("answer to second");
        assertThat(scheduler.pauses()).hasSize(4);
    }
}

package dev.switchboard.answering;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import dev.switchboard.store.JsonFileConversationStore;
import dev.switchboard.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Summaries of long threads: what is summarised, rolling forward, pacing, and a failing writer. */
class ThreadSummariesTest {

    @TempDir
    Path data;

    private final MutableClock clock = MutableClock.at("2026-12-01T10:00:00Z");
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<Runnable> later = new CopyOnWriteArrayList<>();
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private ConversationStore store;
    private int inputChars = 1_000_000;

    /** One request to the writer, answered by the test. */
    private record Call(ConversationKey key, String earlier, List<Turn> turns, CompletableFuture<ThreadSummaries.Written> answer) { }

    private final ThreadSummaries.Writer writer = new ThreadSummaries.Writer() {
        @Override
        public CompletableFuture<ThreadSummaries.Written> write(ConversationKey key, String earlier, List<Turn> turns) {
            CompletableFuture<ThreadSummaries.Written> answer = new CompletableFuture<>();
            calls.add(new Call(key, earlier, turns, answer));
            return answer;
        }

        @Override
        public int inputChars(ConversationKey key) {
            return inputChars;
        }
    };

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private ThreadSummaries summaries(int maxConcurrent) {
        store = new JsonFileConversationStore(new JsonFileConversationStore.Options(data, false, false, 40_000, 16,
                1 << 20), clock, new SimpleMeterRegistry());
        return new ThreadSummaries(store, writer, new ThreadSummaries.Options(maxConcurrent, Duration.ofMinutes(1), 3,
                500), Runnable::run, (wait, task) -> {
                    waits.add(wait);
                    later.add(task);
                }, clock);
    }

    private static ConversationKey key(String thread) {
        return new ConversationKey("slack", "T1", "C1", thread);
    }

    private void thread(ConversationKey key, int turns) {
        for (int i = 1; i <= turns; i++) {
            store.append(key, Turn.user("U1", "Ada", "turn " + i, clock.instant().plusSeconds(i), List.of(key.thread() + i)));
        }
    }

    private static void answer(Call call, String text) {
        call.answer().complete(new ThreadSummaries.Written(text, "cheap", "mini"));
    }

    private List<Turn> summariesOf(ConversationKey key) {
        return store.loadComplete(key).orElseThrow().turns().stream().filter(t -> t.role() == Role.SUMMARY).toList();
    }

    @Test
    void overflow_summarisesAllButTheNewestHalfOfWhatFitted_countingArchivedTurns_andRollsForward() {
        ThreadSummaries summaries = summaries(2);
        ConversationKey key = key("long");
        thread(key, 40); // 16 turns a file: most are archived

        summaries.overflowed(key, 10);

        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().earlier()).isEmpty();
        assertThat(calls.getFirst().turns()).extracting(Turn::text).first().isEqualTo("turn 1");
        assertThat(calls.getFirst().turns()).extracting(Turn::text).last().isEqualTo("turn 35");
        assertThat(summaries.pending(key)).isTrue();
        answer(calls.getFirst(), "first summary");
        assertThat(summaries.pending(key)).isFalse();
        Turn first = summariesOf(key).getFirst();
        assertThat(first.text()).isEqualTo("first summary");
        assertThat(first.summary().throughTurn()).isEqualTo(35);
        assertThat(first.summary().provider()).isEqualTo("cheap");

        // Turn 41 is the summary; 42-60 come after it. The next summary folds the first and turns 36-55 together.
        for (int i = 42; i <= 60; i++) {
            store.append(key, Turn.user("U1", "Ada", "turn " + i, clock.instant().plusSeconds(100 + i), List.of("n" + i)));
        }
        summaries.overflowed(key, 10);

        Call second = calls.get(1);
        assertThat(second.earlier()).isEqualTo("first summary");
        assertThat(second.turns()).extracting(Turn::text).first().isEqualTo("turn 36");
        assertThat(second.turns()).extracting(Turn::text).last().isEqualTo("turn 55");
        answer(second, "x".repeat(900));
        Turn rolled = summariesOf(key).getLast();
        assertThat(rolled.summary().throughTurn()).isEqualTo(55);
        assertThat(rolled.text()).as("cut to the longest kept").hasSize(500);
    }

    @Test
    void aThreadTooLongForOneRequest_isFoldedAWindowAtATime() {
        ThreadSummaries summaries = summaries(2);
        ConversationKey key = key("chunks");
        thread(key, 30);
        inputChars = 50; // "turn NN" is 7 characters: 7 turns a request

        summaries.overflowed(key, 4);

        // 28 turns to cover: 4 requests, one after the other, each folding into the last.
        answer(calls.get(0), "s1");
        answer(calls.get(1), "s2");
        answer(calls.get(2), "s3");
        assertThat(calls.get(1).earlier()).isEqualTo("s1");
        assertThat(calls.get(3).earlier()).isEqualTo("s3");
        answer(calls.get(3), "s4");
        assertThat(calls).hasSize(4);
        assertThat(calls.stream().mapToInt(c -> c.turns().size()).sum()).isEqualTo(28);
        assertThat(summariesOf(key)).extracting(Turn::text).containsExactly("s4");
    }

    @Test
    void atMostOneSummaryPerThread_andAtMostTheBoundServiceWide_theRestWaitInLine() {
        ThreadSummaries summaries = summaries(1);
        ConversationKey a = key("a");
        ConversationKey b = key("b");
        thread(a, 10);
        thread(b, 10);

        summaries.overflowed(a, 4);
        summaries.overflowed(a, 4);
        summaries.overflowed(b, 4);

        assertThat(calls).hasSize(1);
        assertThat(summaries.pending(b)).as("waiting in line").isTrue();
        answer(calls.getFirst(), "summary of a");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1).key()).isEqualTo(b);
        answer(calls.get(1), "summary of b");
        assertThat(summariesOf(a)).hasSize(1);
        assertThat(summariesOf(b)).hasSize(1);
    }

    @Test
    void aFailingWriter_storesNothing_logsNoText_andTriesAgainLater_doublingTheWait() {
        ThreadSummaries summaries = summaries(2);
        ConversationKey key = key("failing");
        thread(key, 10);
        Logger logger = (Logger) LoggerFactory.getLogger(ThreadSummaries.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.WARN); // whatever level an earlier test left the root at
        logger.addAppender(logs);
        try {
            summaries.overflowed(key, 4);
            calls.getFirst().answer().completeExceptionally(new IllegalStateException("provider down: turn 3 quoted"));

            assertThat(summariesOf(key)).isEmpty();
            assertThat(summaries.pending(key)).as("waits to try again").isTrue();
            summaries.overflowed(key, 4);
            assertThat(calls).as("no second summary while one waits").hasSize(1);
            assertThat(waits).containsExactly(Duration.ofMinutes(1));
            assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> m.contains("summarising") && m.contains("IllegalStateException"))
                    .noneMatch(m -> m.contains("turn 3") || m.contains("provider down"));

            later.removeFirst().run();
            calls.get(1).answer().completeExceptionally(new IllegalStateException("still down"));
            assertThat(waits).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(2));
            later.removeFirst().run();
            answer(calls.get(2), "at last");

            assertThat(summariesOf(key)).extracting(Turn::text).containsExactly("at last");
            assertThat(summaries.pending(key)).isFalse();
        } finally {
            logger.detachAppender(logs);
            logger.setLevel(level);
        }
    }

    @Test
    void nothingNewToCover_asksTheWriterNothing() {
        ThreadSummaries summaries = summaries(2);
        ConversationKey key = key("short");
        thread(key, 3);

        summaries.overflowed(key, 10);
        summaries.overflowed(key("absent"), 10);

        assertThat(calls).isEmpty();
        assertThat(summaries.pending(key)).isFalse();
        Conversation c = store.load(key).orElseThrow();
        assertThat(c.turns()).hasSize(3);
        assertThat(new ArrayList<>(later)).isEmpty();
    }
}

package dev.switchboard.answering;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.SummaryMeta;
import dev.switchboard.conversation.Turn;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Summarises the older turns of threads that no longer fit a model's context window, in the background, and stores
 * the summary as a turn covering turns 1..n (archived ones included) so later prompts hold it instead of those turns.
 *
 * <p>The reply whose prompt first left turns out is not held up: it is answered with the newest turns that fit (as
 * before summaries existed) and asks for a summary here; the next reply finds it stored. Waiting for the summary
 * instead would add a whole model call over a full window to that reply's first token, for the sake of its oldest
 * turns, the ones that matter least. Summaries roll forward: a new one folds the previous summary and the turns after
 * it into one, and keeps the newest half of what fitted out of it, so the thread has room to grow before the next.
 *
 * <p>Paced: at most one summary in flight per thread (asks meanwhile are dropped: the reply after it asks again if
 * still needed), at most {@code maxConcurrent} service-wide (more wait in line, oldest first). A failed summary (a
 * provider down) leaves replies trimming, is logged without any text, and is tried again after
 * {@code retryAfter}, doubling, up to {@code attempts} tries. Thread-safe.
 */
public final class ThreadSummaries {

    private static final Logger log = LoggerFactory.getLogger(ThreadSummaries.class);

    /** Writes one summary with a model; the composition root implements it over the router. */
    public interface Writer {

        /**
         * Folds {@code turns} (oldest first) into {@code earlier} (the summary so far, or empty). Fails with
         * {@link WriteFailed} (whose message is logged) or any other exception (whose class only is logged).
         */
        CompletableFuture<Written> write(ConversationKey key, String earlier, List<Turn> turns);

        /** How many characters of turns one {@link #write} may carry for this conversation. */
        int inputChars(ConversationKey key);
    }

    /** A summary that could not be written; the message says who and why, and quotes nothing of the thread. */
    public static final class WriteFailed extends RuntimeException {
        public WriteFailed(String message) {
            super(message, null, false, false);
        }
    }

    /** A summary and the provider and model that wrote it. */
    public record Written(String text, String provider, String model) {
        public Written {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(model, "model");
        }
    }

    /**
     * @param maxConcurrent summaries being written at once, service-wide
     * @param retryAfter the wait before a failed summary is tried again; doubles with each try
     * @param attempts tries at one summary before it waits for the next reply that overflows
     * @param maxChars the longest summary kept (longer ones are cut), within the store's turn limit
     */
    public record Options(int maxConcurrent, Duration retryAfter, int attempts, int maxChars) {
        public Options {
            if (maxConcurrent < 1 || attempts < 1 || maxChars < 100) {
                throw new IllegalArgumentException("summaries need maxConcurrent >= 1, attempts >= 1, maxChars >= 100");
            }
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    /** Runs a task after a wait, on injected time (a scheduler in the service, a manual one in tests). */
    public interface Later {
        void after(Duration wait, Runnable task);
    }

    private record Ask(ConversationKey key, int fitted, int attempt) { }

    private final ConversationStore store;
    private final Writer writer;
    private final Options options;
    private final Executor io;
    private final Later later;
    private final Clock clock;
    /** Threads with a summary asked for, being written or waiting to try again: guarded by this. */
    private final Map<ConversationKey, Ask> pending = new HashMap<>();
    private final Deque<Ask> line = new ArrayDeque<>();
    private int running;

    /**
     * @param io where the store is read and written
     * @param later times the waits before a failed summary is tried again
     */
    public ThreadSummaries(ConversationStore store, Writer writer, Options options, Executor io, Later later,
                           Clock clock) {
        this.store = store;
        this.writer = writer;
        this.options = options;
        this.io = io;
        this.later = later;
        this.clock = clock;
    }

    /**
     * A reply's prompt left older turns out: summarise them. Returns at once.
     *
     * @param fitted the conversational turns that did fit in that prompt
     */
    public void overflowed(ConversationKey key, int fitted) {
        ask(new Ask(key, Math.max(0, fitted), 1), false);
    }

    /** Whether a summary of this thread is asked for, being written or waiting to try again. */
    public synchronized boolean pending(ConversationKey key) {
        return pending.containsKey(key);
    }

    private void ask(Ask ask, boolean retry) {
        synchronized (this) {
            if (!retry && pending.containsKey(ask.key())) {
                return;
            }
            pending.put(ask.key(), ask);
            if (running >= options.maxConcurrent()) {
                line.addLast(ask);
                return;
            }
            running++;
        }
        start(ask);
    }

    private void start(Ask ask) {
        CompletableFuture.supplyAsync(() -> plan(ask), io)
                .thenCompose(plan -> plan == null ? CompletableFuture.completedFuture(null) : write(ask, plan))
                .whenComplete((stored, error) -> finished(ask, error));
    }

    private void finished(Ask ask, Throwable error) {
        Ask next;
        boolean again = false;
        synchronized (this) {
            running--;
            if (error != null && ask.attempt() < options.attempts()) {
                again = true; // stays pending: asks meanwhile are dropped until the retry ends
            } else {
                pending.remove(ask.key());
            }
            next = running < options.maxConcurrent() ? line.pollFirst() : null;
            if (next != null) {
                running++;
            }
        }
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            // Any other exception's class only: its message could quote the thread.
            log.warn("summarising {} failed (try {} of {}); its replies keep trimming: {}", ask.key(),
                    ask.attempt(), options.attempts(), cause instanceof WriteFailed ? cause.getMessage()
                            : cause.getClass().getSimpleName());
        }
        if (again) {
            Duration wait = options.retryAfter().multipliedBy(1L << Math.min(20, ask.attempt() - 1));
            later.after(wait, () -> ask(new Ask(ask.key(), ask.fitted(), ask.attempt() + 1), true));
        }
        if (next != null) {
            start(next);
        }
    }

    /** What to summarise: the turns after the newest summary up to turn n, keeping the newest half of what fitted. */
    private record Plan(String earlier, List<Turn> turns, int through) { }

    private Plan plan(Ask ask) {
        Conversation c = store.load(ask.key()).orElse(null);
        if (c == null) {
            return null;
        }
        Turn previous = History.newestSummary(c.turns());
        int from = previous == null ? 0 : previous.summary().throughTurn();
        if (from < c.archivedTurns()) {
            // The turns to fold in, or the newest summary itself, rolled into the archives.
            c = store.loadComplete(ask.key()).orElse(null);
            if (c == null) {
                return null;
            }
            previous = History.newestSummary(c.turns());
            from = previous == null ? 0 : previous.summary().throughTurn();
        }
        List<Turn> turns = c.turns();
        int keep = Math.max(2, ask.fitted() / 2);
        int through = 0;
        int kept = 0;
        for (int i = turns.size() - 1; i >= 0; i--) {
            if (conversational(turns.get(i)) && ++kept > keep) {
                through = c.archivedTurns() + i + 1;
                break;
            }
        }
        List<Turn> covered = new ArrayList<>();
        for (int i = 0; i < turns.size(); i++) {
            int number = c.archivedTurns() + i + 1;
            if (number > from && number <= through && conversational(turns.get(i))) {
                covered.add(turns.get(i));
            }
        }
        if (covered.isEmpty()) {
            return null;
        }
        return new Plan(previous == null ? "" : previous.text(), covered, through);
    }

    /** Folds the turns into the summary a window's worth at a time, then stores it. */
    private CompletableFuture<Void> write(Ask ask, Plan plan) {
        int budget = writer.inputChars(ask.key());
        CompletableFuture<Written> summary = CompletableFuture.completedFuture(
                new Written(plan.earlier(), "", ""));
        List<Turn> chunk = new ArrayList<>();
        int chars = 0;
        for (Turn t : plan.turns()) {
            if (!chunk.isEmpty() && chars + t.text().length() > budget) {
                summary = fold(ask.key(), summary, List.copyOf(chunk));
                chunk.clear();
                chars = 0;
            }
            chunk.add(t);
            chars += t.text().length();
        }
        summary = fold(ask.key(), summary, List.copyOf(chunk));
        return summary.thenAcceptAsync(written -> {
            String text = written.text().length() <= options.maxChars() ? written.text()
                    : written.text().substring(0, options.maxChars());
            store.append(ask.key(), Turn.summary(text, clock.instant(),
                    new SummaryMeta(plan.through(), written.provider(), written.model())));
            log.info("summarised {} through turn {} with {}/{}", ask.key(), plan.through(), written.provider(),
                    written.model());
        }, io);
    }

    private CompletableFuture<Written> fold(ConversationKey key, CompletableFuture<Written> so, List<Turn> chunk) {
        return so.thenCompose(earlier -> writer.write(key, earlier.text(), chunk));
    }

    private static boolean conversational(Turn t) {
        return (t.role() == Role.USER || t.role() == Role.ASSISTANT) && !t.text().isBlank();
    }
}

package dev.switchboard;

import dev.switchboard.answering.ThreadSummaries;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.Summarizer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The use case's {@link ThreadSummaries.Writer} over the router's {@link Summarizer}, and the hook that asks for a
 * summary when a reply's prompt had to leave turns out. Thread-safe.
 */
public final class RoutedSummaries implements ThreadSummaries.Writer {

    /** Tries at one summary before it waits for the next reply that overflows. */
    private static final int ATTEMPTS = 3;
    /** The longest summary kept: well within the store's smallest sensible turn limit. */
    private static final int MAX_CHARS = 8_000;

    private final Summarizer summarizer;

    RoutedSummaries(Summarizer summarizer) {
        this.summarizer = summarizer;
    }

    /** The summaries the config asks for, or null when they are off. */
    public static ThreadSummaries of(SwitchboardConfig.Summaries config, Summarizer summarizer, ConversationStore store,
                              Executor io, ScheduledExecutorService timer, Clock clock) {
        if (!config.enabled()) {
            return null;
        }
        return new ThreadSummaries(store, new RoutedSummaries(summarizer), new ThreadSummaries.Options(
                config.maxConcurrent(), config.retryAfter(), ATTEMPTS, MAX_CHARS), io,
                (wait, task) -> timer.schedule(task, wait.toMillis(), TimeUnit.MILLISECONDS), clock);
    }

    /** Asks for a summary when the answer's prompt left older turns out. */
    static void afterReply(ThreadSummaries summaries, ConversationKey key, List<Turn> history, ReplyOutcome outcome) {
        if (summaries != null && outcome instanceof ReplyOutcome.Completed c && c.omittedTurns() > 0) {
            long conversational = history.stream()
                    .filter(t -> t.role() == Role.USER || t.role() == Role.ASSISTANT).count();
            summaries.overflowed(key, (int) Math.max(0, conversational - c.omittedTurns()));
        }
    }

    @Override
    public CompletableFuture<ThreadSummaries.Written> write(ConversationKey key, String earlier, List<Turn> turns) {
        return summarizer.write(key, earlier, turns).handle((w, error) -> {
            if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                throw cause instanceof Summarizer.Failed f ? new ThreadSummaries.WriteFailed(f.getMessage())
                        : new ThreadSummaries.WriteFailed(cause.getClass().getSimpleName());
            }
            return new ThreadSummaries.Written(w.text(), w.provider(), w.model());
        });
    }

    @Override
    public int inputChars(ConversationKey key) {
        return summarizer.inputChars(key);
    }
}

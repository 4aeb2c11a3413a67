package dev.switchboard.live;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One more write to a reply after its final text (closing a native stream, the feedback buttons), paced like the
 * reply's own: it waits for a free write in every budget of the reply, taken from all of them at once, and a 429
 * pauses them for its Retry-After before the write is tried again, a few times. A write that no one waits for (the
 * feedback buttons) also gives way to the replies waiting in the live engine for those budgets, for up to
 * {@link #GIVES_WAY}: ten replies finishing together on Slack's 50 edits a minute would otherwise see their final
 * texts wait behind each other's buttons. Runs on a virtual thread of its own, so nothing that finishes a reply waits
 * for it. Stateless.
 */
public final class ExtraWrite {

    static final int TRIES = 3;

    private ExtraWrite() {
    }

    /** The longest a write no one waits for gives way to replies waiting for its budgets. */
    static final Duration GIVES_WAY = Duration.ofSeconds(30);

    /**
     * A write the reply needs to end (closing a native stream): it goes at the budgets' next free write.
     *
     * @return completes when the write went through, or with the reason it did not
     */
    public static CompletableFuture<Void> send(List<Budget> budgets, Supplier<? extends CompletionStage<?>> write) {
        return send(budgets, Duration.ZERO, write);
    }

    /**
     * A write no one waits for (the feedback buttons): it takes a free write only while no reply waits for these
     * budgets in the live engine, or once it has given way for {@link #GIVES_WAY}.
     *
     * @return completes when the write went through, or with the reason it did not
     */
    public static CompletableFuture<Void> afterAnswers(List<Budget> budgets,
                                                       Supplier<? extends CompletionStage<?>> write) {
        return send(budgets, GIVES_WAY, write);
    }

    private static CompletableFuture<Void> send(List<Budget> budgets, Duration givesWay,
                                                Supplier<? extends CompletionStage<?>> write) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long givesWayUntil = givesWay.isZero() || budgets.isEmpty() ? Long.MIN_VALUE
                : budgets.getFirst().now() + givesWay.toNanos();
        Thread.ofVirtual().name("extra-write").start(() -> {
            for (int attempt = 1; ; attempt++) {
                try {
                    Budget.acquireAll(budgets, givesWayUntil);
                    write.get().toCompletableFuture().join();
                    done.complete(null);
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    done.completeExceptionally(e);
                    return;
                } catch (RuntimeException e) {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (attempt < TRIES && cause instanceof ReplySink.WriteFailed failed
                            && failed.kind() == ReplySink.WriteFailed.Kind.RATE_LIMITED) {
                        budgets.forEach(b -> b.pause(failed.retryAfter()));
                        continue;
                    }
                    done.completeExceptionally(cause);
                    return;
                }
            }
        });
        return done;
    }
}

package dev.switchboard.live;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One more write to a reply after its final text (the feedback buttons), paced like the reply's own: it waits for a
 * free write in every budget of the reply, and a 429 pauses them for its Retry-After before the write is tried again,
 * a few times. Runs on a virtual thread of its own, so nothing that finishes a reply waits for it. Stateless.
 */
public final class ExtraWrite {

    static final int TRIES = 3;

    private ExtraWrite() {
    }

    /** @return completes when the write went through, or with the reason it did not */
    public static CompletableFuture<Void> send(List<Budget> budgets, Supplier<? extends CompletionStage<?>> write) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("extra-write").start(() -> {
            for (int attempt = 1; ; attempt++) {
                try {
                    for (Budget b : budgets) {
                        b.acquire();
                    }
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

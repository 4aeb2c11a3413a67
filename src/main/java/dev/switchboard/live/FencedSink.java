package dev.switchboard.live;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A sink that writes only while this process may still write its thread: with several nodes, one that stalled past
 * its lease waits for its heartbeat before writing again, and writes nothing more once another node took the thread
 * over (the write fails as {@link WriteFailed.Kind#GONE}, which stops the reply). Thread-safe.
 */
public final class FencedSink extends ForwardingSink {

    private final Supplier<CompletionStage<Boolean>> mayWrite;

    public FencedSink(ReplySink inner, Supplier<CompletionStage<Boolean>> mayWrite) {
        super(inner);
        this.mayWrite = mayWrite;
    }

    @Override
    public CompletionStage<String> post(String text) {
        return gated(() -> super.post(text));
    }

    @Override
    public CompletionStage<Void> edit(String messageId, String text) {
        return gated(() -> super.edit(messageId, text));
    }

    @Override
    public CompletionStage<Void> delete(String messageId) {
        return gated(() -> super.delete(messageId));
    }

    private <T> CompletionStage<T> gated(Supplier<CompletionStage<T>> write) {
        return mayWrite.get().thenCompose(may -> may ? write.get() : CompletableFuture.failedStage(
                new WriteFailed(WriteFailed.Kind.GONE, Duration.ZERO, "another node answers this thread now")));
    }
}

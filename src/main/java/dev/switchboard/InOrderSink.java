package dev.switchboard;

import dev.switchboard.live.ForwardingSink;
import dev.switchboard.live.ReplySink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One side of a comparison whose first message waits for the previous side's first message: the answers stand in the
 * thread in the order the models are listed, whichever starts first. Thread-safe.
 */
final class InOrderSink extends ForwardingSink {

    private final CompletableFuture<Void> previous;
    private final CompletableFuture<Void> posted = new CompletableFuture<>();
    private boolean first = true;

    /** @param previous completes once the previous side's first message is written (or could not be) */
    InOrderSink(ReplySink inner, CompletableFuture<Void> previous) {
        super(inner);
        this.previous = previous;
    }

    /** Completes once this side's first message is written, or could not be. */
    CompletableFuture<Void> firstPosted() {
        return posted;
    }

    @Override
    public CompletionStage<String> post(String text) {
        boolean isFirst;
        synchronized (this) {
            isFirst = first;
            first = false;
        }
        if (!isFirst) {
            return super.post(text);
        }
        return previous.thenCompose(ready -> super.post(text))
                .whenComplete((id, error) -> posted.complete(null));
    }
}

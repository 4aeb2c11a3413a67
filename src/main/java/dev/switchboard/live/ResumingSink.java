package dev.switchboard.live;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A reply's sink that remembers, durably, every message it has put on the platform, and that continues in the
 * messages of an earlier try at the same answer. A process killed mid-reply leaves its half-written messages behind;
 * when the answer is given again after the restart, it takes those messages over, in order, instead of posting new
 * ones next to them, so the thread ends with one reply. A message it cannot take over (deleted, too old to edit) is
 * replaced by a new post; messages of the earlier try left over at the end are deleted ({@link #leftovers()}).
 * Thread-safe.
 */
public final class ResumingSink extends ForwardingSink {

    private final ReplySink inner;
    private final Deque<String> earlier;
    private final List<String> shown = new ArrayList<>();
    private final Consumer<List<String>> remember;
    private final Executor io;

    /**
     * @param earlier the messages an earlier try put on the platform, in order; empty for a first try
     * @param remember makes the list of messages shown so far durable (called before a new id is handed on)
     * @param io where {@code remember} runs: never on the caller's thread, which may hold the live engine's lock
     */
    public ResumingSink(ReplySink inner, List<String> earlier, Consumer<List<String>> remember, Executor io) {
        super(inner);
        this.inner = inner;
        this.earlier = new ArrayDeque<>(earlier);
        this.remember = remember;
        this.io = io;
    }

    @Override
    public CompletionStage<String> post(String text) {
        String reuse;
        synchronized (this) {
            reuse = earlier.pollFirst();
        }
        CompletionStage<String> posted = reuse == null ? inner.post(text)
                : inner.edit(reuse, text).handle((ok, error) -> error == null
                        ? CompletableFuture.completedStage(reuse)
                        : inner.post(text)).thenCompose(id -> id);
        return posted.thenApplyAsync(id -> {
            // One note at a time, each with every message so far: a slower earlier note never overwrites a later.
            synchronized (shown) {
                shown.add(id);
                remember.accept(List.copyOf(shown));
            }
            return id;
        }, io);
    }

    /** Messages of the earlier try that this one did not take over: they should go. */
    public synchronized List<String> leftovers() {
        return List.copyOf(earlier);
    }
}

package dev.switchboard.live;

import dev.switchboard.routing.ToolStatus;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * How a platform's sink asks the user who asked about a {@code confirm}ed tool call, set once the asker is known;
 * unset, it declines. Thread-safe.
 */
public final class ApprovalHook {

    private volatile Function<ToolStatus, CompletableFuture<Boolean>> how;

    /** @param how asks and completes with true when approved; null declines */
    public void set(Function<ToolStatus, CompletableFuture<Boolean>> how) {
        this.how = how;
    }

    public CompletableFuture<Boolean> ask(ToolStatus call) {
        Function<ToolStatus, CompletableFuture<Boolean>> asking = how;
        return asking == null ? CompletableFuture.completedFuture(false) : asking.apply(call);
    }
}

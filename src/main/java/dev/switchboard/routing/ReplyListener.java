package dev.switchboard.routing;

/**
 * Receives a reply as it is produced. Calls for one reply never overlap and {@link #onDone} comes exactly once, last.
 * Implementations must return quickly: they run on the HTTP client's threads.
 */
public interface ReplyListener {

    /** A target is being asked (also on each retry); before its first token a typing indicator fits. */
    default void onAttempt(Target target, int attempt) {
    }

    /** More text of the answer, to append to what was shown. */
    void onToken(String text);

    /**
     * The text shown so far will not be finished: {@code failed} broke after tokens were shown and {@code next}
     * answers instead, from the start. Discard the shown text.
     */
    default void onReset(Target failed, Failure why, Target next) {
    }

    /** A tool call started, waits for approval, or ended: one status line per call id, replaced as it changes. */
    default void onToolStatus(ToolStatus status) {
    }

    /**
     * A {@code confirm: true} tool waits for the asking user's approval: complete with true to run it. The default
     * declines, as does a timeout.
     */
    default java.util.concurrent.CompletableFuture<Boolean> onApprovalNeeded(ToolStatus call) {
        return java.util.concurrent.CompletableFuture.completedFuture(false);
    }

    /** The reply ended: completed, failed, or cancelled. */
    void onDone(ReplyOutcome outcome);
}

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

    /** The reply ended: completed, failed, or cancelled. */
    void onDone(ReplyOutcome outcome);
}

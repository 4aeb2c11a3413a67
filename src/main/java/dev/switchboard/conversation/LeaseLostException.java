package dev.switchboard.conversation;

/**
 * A write under a thread's lease was refused: another node took the thread over (or the lease lapsed and was given
 * again) since the writing node's reply started. Not a store failure: trying again cannot succeed.
 */
public final class LeaseLostException extends RuntimeException {

    public LeaseLostException(String message) {
        super(message, null, false, false);
    }
}

package dev.switchboard.conversation;

/** A turn the store refuses to keep, with a message a user or operator can act on. */
public final class TurnRejectedException extends IllegalArgumentException {

    public TurnRejectedException(String message) {
        super(message);
    }
}

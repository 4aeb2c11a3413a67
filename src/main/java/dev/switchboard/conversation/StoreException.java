package dev.switchboard.conversation;

/** The store could not read or write its data. The message names the conversation, never its content. */
public final class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

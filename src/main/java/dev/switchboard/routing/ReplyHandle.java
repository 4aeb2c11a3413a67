package dev.switchboard.routing;

import java.util.concurrent.CompletableFuture;

/** A reply in progress. Thread-safe. */
public interface ReplyHandle {

    /** Stops the reply and closes its upstream stream at once; the listener then gets one {@code Cancelled}. */
    void cancel(String reason);

    /** Completes with the outcome the listener received. */
    CompletableFuture<ReplyOutcome> outcome();
}

package dev.switchboard.routing;

import dev.failsafe.CircuitBreakerOpenException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * How a target's run ended in error, as the reply reads it.
 *
 * @param tokensShown whether the listener had been shown some of its text
 */
record AttemptError(Failure failure, boolean tokensShown) {

    /** The failure behind {@code error}; null when the run was cancelled (nothing to record). */
    static AttemptError of(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof CancellationException) {
            return null;
        }
        if (cause instanceof Attempt.Failed failed) {
            return new AttemptError(failed.failure, failed.tokensShown);
        } else if (cause instanceof CircuitBreakerOpenException) {
            return new AttemptError(new Failure.Unavailable("circuit breaker open"), false);
        } else if (cause instanceof StreamSlots.Full) {
            return new AttemptError(new Failure.Busy(), false);
        }
        return new AttemptError(FailureClassifier.classify(cause, 0, null), false);
    }
}

package dev.switchboard.routing;

import java.time.Duration;
import java.util.Locale;

/**
 * Why an attempt at a target failed. Each kind says whether the same target may be tried again (before any token
 * was shown), whether the next target may be tried, and whether it counts against the provider's circuit breaker.
 */
public sealed interface Failure {

    /** Which deadline passed. */
    enum Deadline { CONNECT, FIRST_TOKEN, IDLE, TOTAL }

    /** HTTP 429; {@code retryAfter} as the provider asked, or null. */
    record RateLimited(Duration retryAfter) implements Failure { }

    /** HTTP 529, or an overload error sent inside a stream after HTTP 200. */
    record Overloaded(String detail) implements Failure { }

    /** HTTP 5xx other than 529. */
    record ServerError(int status) implements Failure { }

    /** A deadline passed. */
    record Timeout(Deadline deadline) implements Failure { }

    /** The connection was refused ({@code refused}) or reset or cut mid-stream. */
    record ConnectionFailed(boolean refused, String detail) implements Failure { }

    /** The stream ended without its terminal event. */
    record Truncated() implements Failure { }

    /** A chunk of the stream could not be read: the text would have a hole in it. */
    record Malformed() implements Failure { }

    /** HTTP 401 or 403: the key is wrong. The provider is marked misconfigured. */
    record Authentication() implements Failure { }

    /** HTTP 404 for the model. */
    record ModelNotFound() implements Failure { }

    /** The prompt does not fit the model's window. */
    record ContextTooLong() implements Failure { }

    /** The provider refused on content grounds. */
    record ContentFiltered() implements Failure { }

    /** Any other 4xx: our request is wrong. No fallback would fix it. */
    record BadRequest(String detail) implements Failure { }

    /** Every one of the provider's stream slots ({@code max_concurrent_streams}) stayed in use until the deadline. */
    record Busy() implements Failure { }

    /** Skipped without a call: turned off, misconfigured, cooling down, or its circuit breaker is open. */
    record Unavailable(String reason) implements Failure { }

    /** Worth trying the same target again, if nothing was shown yet. */
    default boolean retryable() {
        return switch (this) {
            case RateLimited r -> true;
            case Overloaded o -> true;
            case ServerError s -> true;
            case ConnectionFailed c -> !c.refused();
            case Truncated t -> true;
            case Malformed m -> true;
            case Timeout t -> t.deadline() == Deadline.IDLE || t.deadline() == Deadline.CONNECT;
            case Authentication a -> false;
            case ModelNotFound m -> false;
            case ContextTooLong c -> false;
            case ContentFiltered c -> false;
            case BadRequest b -> false;
            case Busy b -> false;
            case Unavailable u -> false;
        };
    }

    /** Counts against the provider's health; our own mistakes and content refusals do not. */
    default boolean countsAgainstProvider() {
        return !(this instanceof BadRequest || this instanceof ContentFiltered || this instanceof ContextTooLong
                || this instanceof Busy || this instanceof Unavailable);
    }

    /** A short name for metrics and logs. */
    default String label() {
        String name = getClass().getSimpleName();
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c) && !out.isEmpty()) {
                out.append('_');
            }
            out.append(Character.toLowerCase(c));
        }
        if (this instanceof Timeout t) {
            out.append('_').append(t.deadline().name().toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }
}

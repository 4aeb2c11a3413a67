package dev.switchboard.routing;

import java.time.Instant;

/**
 * Whether a provider is in rotation now and, if not, why: read by routing (skip it), status (its health) and
 * settings (what an operator turned off), instead of a sentence each parses. Immutable.
 */
public sealed interface Availability {

    /** In rotation. */
    record On() implements Availability { }

    /** Off in the config: disabled, or its key is not set. */
    record OffInConfig() implements Availability { }

    /** Taken out of rotation by an operator. */
    record TurnedOff() implements Availability { }

    /** Its key was refused; it stays out until an operator turns it on again. */
    record Misconfigured() implements Availability { }

    /** It asked for a pause longer than a retry would wait; back in rotation at {@code until}. */
    record CoolingDown(Instant until) implements Availability { }

    /** Its circuit breaker is open; one probe may go through at {@code until}. */
    record BreakerOpen(Instant until) implements Availability { }

    /**
     * Taken out of rotation by a mark, so a reply skips it without asking; an open breaker is not a mark: the breaker
     * itself refuses the call, and the refusal is counted as the provider's.
     */
    default boolean marked() {
        return !(this instanceof On || this instanceof BreakerOpen);
    }

    /** Skipped on purpose, not for trouble: operators need not hear of it. */
    default boolean deliberate() {
        return this instanceof OffInConfig || this instanceof TurnedOff;
    }

    /** Why it is skipped, for operators and failure lists; empty when it is on. */
    default String reason() {
        return switch (this) {
            case On on -> "";
            case OffInConfig off -> "off";
            case TurnedOff off -> "turned off by an operator";
            case Misconfigured m -> "misconfigured: its key was refused";
            case CoolingDown c -> "cooling down after a rate limit";
            case BreakerOpen b -> "circuit breaker open";
        };
    }
}

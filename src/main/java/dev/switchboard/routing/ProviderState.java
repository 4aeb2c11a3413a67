package dev.switchboard.routing;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.RetryPolicy;
import dev.langchain4j.model.chat.StreamingChatModel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * One provider's resilience policies and health: its circuit breaker, its slots for concurrent streams, its retry
 * policy, and the marks that take it out of rotation (turned off by an operator, misconfigured after an
 * authentication failure, cooling down after a long {@code Retry-After}). Thread-safe.
 */
final class ProviderState {

    private static final double JITTER = 0.25;
    /** Longer than any process lives, short enough for Failsafe's nanosecond arithmetic. */
    private static final Duration NEVER = Duration.ofDays(3_650);

    final String name;
    final RouterOptions.Provider config;
    final CircuitBreaker<Attempt.Completion> breaker;
    final StreamSlots slots;
    final RetryPolicy<Attempt.Completion> retry;
    private final ModelFactory models;
    private final java.util.Map<String, StreamingChatModel> clients = new java.util.concurrent.ConcurrentHashMap<>();
    private final Clock clock;
    private final BreakerWindow window;
    private final java.util.concurrent.atomic.AtomicLong openings = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean turnedOff;
    private volatile boolean misconfigured;
    private volatile Instant coolingUntil = Instant.MIN;
    private volatile Instant breakerOpenUntil = Instant.MIN;
    private volatile String lastFailure = "";
    private volatile Instant lastFailureAt;

    /**
     * @param slots its stream slots: those of the state this one replaces when the limit did not change, so streams
     *              still running on the old state keep counting
     */
    ProviderState(String name, RouterOptions.Provider config, ModelFactory models, Clock clock, RouterTime time,
                  Consumer<CircuitBreaker.State> onBreakerChange, StreamSlots slots) {
        this.name = name;
        this.config = config;
        this.models = models;
        this.clock = clock;
        RouterOptions.Breaker b = config.breaker();
        this.window = new BreakerWindow(clock, b);
        // Failsafe's breaker keeps the states, the single half-open probe and the events, but its clocks are the
        // system's: while closed it hears nothing (the window above decides when it opens), and it never leaves
        // open by itself (a timer on the injected time moves it to half-open after open_for).
        this.breaker = CircuitBreaker.<Attempt.Completion>builder()
                .withDelay(NEVER)
                .withSuccessThreshold(1)
                .onOpen(e -> {
                    breakerOpenUntil = clock.instant().plus(b.openFor());
                    long opening = openings.incrementAndGet();
                    time.timer(b.openFor(), () -> halfOpen(opening));
                    onBreakerChange.accept(CircuitBreaker.State.OPEN);
                })
                .onHalfOpen(e -> onBreakerChange.accept(CircuitBreaker.State.HALF_OPEN))
                .onClose(e -> {
                    window.reset();
                    onBreakerChange.accept(CircuitBreaker.State.CLOSED);
                })
                .build();
        this.slots = slots;
        RouterOptions.Retry r = config.retry();
        this.retry = RetryPolicy.<Attempt.Completion>builder()
                // Only before the first token is shown: after that a retry would be visible to the user.
                .handleIf((c, e) -> e instanceof Attempt.Failed f && !f.tokensShown && f.failure.retryable())
                // A provider that asks for a longer pause than we would wait is left alone and cools down.
                .abortIf((c, e) -> e instanceof Attempt.Failed f && f.failure instanceof Failure.RateLimited rl
                        && rl.retryAfter() != null && rl.retryAfter().compareTo(r.maxDelay()) > 0)
                .withMaxAttempts(r.maxAttempts())
                .withBackoff(r.initialDelay(), r.maxDelay())
                .withJitter(JITTER)
                // Failsafe jitters this delay too; scaled so that even the earliest retry honours Retry-After.
                .withDelayFnOn(ctx -> ctx.getLastException() instanceof Attempt.Failed f
                        && f.failure instanceof Failure.RateLimited rl && rl.retryAfter() != null
                        ? Duration.ofNanos((long) (rl.retryAfter().toNanos() / (1 - JITTER)))
                        : Duration.ofMillis(-1), Attempt.Failed.class)
                .build();
    }

    StreamingChatModel model(String model) {
        // Built once per model from this state's own settings: a reload with new settings makes a new state.
        return clients.computeIfAbsent(model, m -> models.model(config, m));
    }

    /** Whether this provider may be tried right now, and if not, why. */
    Availability availability() {
        Instant now = clock.instant();
        if (!config.active()) {
            return new Availability.OffInConfig();
        }
        if (turnedOff) {
            return new Availability.TurnedOff();
        }
        if (misconfigured) {
            return new Availability.Misconfigured();
        }
        if (now.isBefore(coolingUntil)) {
            return new Availability.CoolingDown(coolingUntil);
        }
        Instant reopens = breakerOpenUntil;
        if (breaker.isOpen() && now.isBefore(reopens)) {
            return new Availability.BreakerOpen(reopens);
        }
        return new Availability.On();
    }

    void record(Failure failure) {
        lastFailure = failure.label();
        lastFailureAt = clock.instant();
        switch (failure) {
            case Failure.Authentication a -> misconfigured = true;
            case Failure.RateLimited rl when rl.retryAfter() != null
                    && rl.retryAfter().compareTo(config.retry().maxDelay()) > 0 ->
                    coolingUntil = clock.instant().plus(rl.retryAfter());
            default -> { }
        }
    }

    /** A timer of an opening that is still the current one moves the breaker to half-open: one probe may go. */
    private void halfOpen(long opening) {
        if (openings.get() == opening && breaker.isOpen()) {
            breaker.halfOpen();
        }
    }

    /** Tells the breaker how a call it let through ended. */
    void recordOutcome(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof java.util.concurrent.CancellationException) {
            // Nothing learned; but a half-open breaker's one probe must not stay taken: open it again.
            if (breaker.isHalfOpen()) {
                breaker.recordFailure();
            }
            return;
        }
        boolean failed = cause != null
                && (!(cause instanceof Attempt.Failed f) || f.failure.countsAgainstProvider());
        if (breaker.isHalfOpen()) {
            if (failed) {
                breaker.recordFailure();
            } else {
                breaker.recordSuccess();
            }
        } else if (window.record(failed) && breaker.isClosed()) {
            breaker.open();
        }
    }

    /** An operator takes the provider out of rotation or puts it back; putting it back also clears its marks. */
    boolean turnedOff() {
        return turnedOff;
    }

    void setTurnedOff(boolean off) {
        turnedOff = off;
        if (!off) {
            misconfigured = false;
            coolingUntil = Instant.MIN;
            breaker.close();
            window.reset(); // the failures that led here are forgotten, also when it was still closed
        }
    }

    boolean misconfigured() {
        return misconfigured;
    }

    String lastFailure() {
        return lastFailure;
    }

    Instant lastFailureAt() {
        return lastFailureAt;
    }
}

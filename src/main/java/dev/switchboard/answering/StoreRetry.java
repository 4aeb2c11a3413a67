package dev.switchboard.answering;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.failsafe.spi.Scheduler;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.LeaseLostException;
import dev.switchboard.conversation.SeenMessages;
import dev.switchboard.conversation.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a reply that is already shown even when the store is away for a while (a database restarting): a call that
 * fails with a {@link StoreException} is tried again after a growing pause until it succeeds or {@code giveUpAfter}
 * has passed on the injected clock. No thread waits meanwhile: the pauses are the scheduler's, the store calls run on
 * the workers. A commit whose answer was lost may have happened, so every try after the first asks the store whether
 * the message is answered already, and stops there if it is. Thread-safe.
 */
final class StoreRetry {

    private static final Logger log = LoggerFactory.getLogger(StoreRetry.class);

    /**
     * How long to keep trying.
     *
     * @param firstPause the pause after the first failure, doubled after each further one
     * @param longestPause the pause never grows past this
     * @param giveUpAfter no try starts once this has passed since the first
     */
    record Options(Duration firstPause, Duration longestPause, Duration giveUpAfter) {
        /** 0.5 s doubling to 30 s, for up to 3 minutes: a database restart or failover, not a long outage. */
        static final Options DEFAULT = new Options(Duration.ofMillis(500), Duration.ofSeconds(30),
                Duration.ofMinutes(3));

        Options {
            Objects.requireNonNull(firstPause, "firstPause");
            Objects.requireNonNull(longestPause, "longestPause");
            Objects.requireNonNull(giveUpAfter, "giveUpAfter");
            if (firstPause.isNegative() || firstPause.isZero() || longestPause.compareTo(firstPause) <= 0) {
                throw new IllegalArgumentException("pauses must be positive and grow: " + firstPause + ", "
                        + longestPause);
            }
        }
    }

    private final SeenMessages seen;
    private final Scheduler scheduler;
    private final Executor workers;
    private final Clock clock;
    private final Options options;
    private final BooleanSupplier stopping;
    private final Counter retries;
    private final Counter gaveUp;

    /**
     * @param stopping when true, no further try is made (the service stops; the message stays unanswered in the
     *     store, so the next start answers it)
     */
    StoreRetry(SeenMessages seen, Scheduler scheduler, Executor workers, Clock clock, Options options,
               BooleanSupplier stopping, MeterRegistry meters) {
        this.seen = seen;
        this.scheduler = scheduler;
        this.workers = workers;
        this.clock = clock;
        this.options = options;
        this.stopping = stopping;
        this.retries = Counter.builder("switchboard.chat.store_retries")
                .description("Tries again at storing a shown reply while the store was away").register(meters);
        this.gaveUp = Counter.builder("switchboard.chat.store_gave_up")
                .description("Shown replies left unstored: the store stayed away too long").register(meters);
    }

    /**
     * Makes the answer to {@code messageId} durable with {@code store}, trying again while the store is away.
     *
     * @return completes with whether it is stored (by this call or by an earlier try whose answer was lost); never
     *     exceptionally
     */
    CompletableFuture<Boolean> answer(ConversationKey key, String messageId, Runnable store) {
        Instant first = clock.instant();
        Instant deadline = first.plus(options.giveUpAfter());
        RetryPolicy<Boolean> policy = RetryPolicy.<Boolean>builder()
                .handle(StoreException.class)
                .abortIf((stored, e) -> e != null && (stopping.getAsBoolean()
                        || !clock.instant().isBefore(deadline)))
                .withMaxRetries(-1)
                .withBackoff(options.firstPause(), options.longestPause())
                .onRetry(e -> {
                    retries.increment();
                    log.warn("the reply in {} could not be stored ({}); trying again, attempt {}", key,
                            e.getLastException().getMessage(), e.getAttemptCount() + 1);
                })
                .build();
        return Failsafe.with(policy).with(scheduler)
                .getStageAsync(context -> CompletableFuture.supplyAsync(() -> {
                    if (context.getAttemptCount() > 0 && seen.seen(key, messageId) == SeenMessages.Seen.ANSWERED) {
                        log.info("the reply in {} was stored by an earlier try whose answer was lost", key);
                        return true;
                    }
                    store.run();
                    return true;
                }, workers))
                .handle((stored, error) -> {
                    if (error == null) {
                        return stored;
                    }
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause instanceof LeaseLostException) {
                        log.info("the reply in {} is not stored: another process took the thread over while this"
                                + " one stalled, and answers it ({})", key, cause.getMessage());
                        return false;
                    }
                    gaveUp.increment();
                    if (cause instanceof RejectedExecutionException) {
                        log.warn("the service stopped before the reply in {} was stored; the next start answers it"
                                + " again", key);
                    } else if (cause instanceof StoreException) {
                        log.error("gave up storing the reply in {} after {} s: it was shown but is not stored ({})",
                                key, Duration.between(first, clock.instant()).toSeconds(), cause.getMessage());
                    } else {
                        log.error("the reply in {} was shown but could not be stored", key, cause);
                    }
                    return false;
                });
    }
}

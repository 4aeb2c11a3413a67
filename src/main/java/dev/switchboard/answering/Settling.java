package dev.switchboard.answering;

import dev.failsafe.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * In a thread shared with other processes, a reply starts only once its message has settled: {@code settle} after
 * the platform wrote it (never longer than {@code settle} after now, whatever the clocks say). A message written
 * just before it on the platform but received by another process is stored by then, and is answered first as the
 * platform ordered them. The wait is on the scheduler; no thread sleeps. Thread-safe.
 */
final class Settling {

    private final Scheduler scheduler;
    private final Clock clock;

    Settling(Scheduler scheduler, Clock clock) {
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** How long the reply to {@code message} still waits: zero once it is {@code settle} old. */
    Duration left(Inbound message, Duration settle) {
        Duration age = Duration.between(message.at(), clock.instant());
        Duration left = settle.minus(age.isNegative() ? Duration.ZERO : age);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Runs {@code then} after {@code wait}, on the scheduler's thread (it should hand real work on). */
    void after(Duration wait, Runnable then) {
        scheduler.schedule(() -> {
            then.run();
            return null;
        }, wait.toNanos(), TimeUnit.NANOSECONDS);
    }
}

package dev.switchboard.routing;

import dev.failsafe.spi.Scheduler;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Time for the router, as {@code live.Ticker} is for live replies: monotonic nanoseconds, timers (attempt deadlines
 * and breaker windows) and, through Failsafe's {@link Scheduler}, its executions and retry waits. Tests drive a
 * manual one. Implementations are thread-safe.
 */
public interface RouterTime extends Scheduler {

    /** Monotonic nanoseconds. */
    long nanos();

    /** Runs {@code task} after {@code delay}, unless the returned future is cancelled first. */
    ScheduledFuture<?> timer(Duration delay, Runnable task);

    /** The real thing: {@link System#nanoTime()} and a scheduler (see {@link Router#scheduler}). */
    static RouterTime of(ScheduledExecutorService scheduler) {
        Scheduler failsafe = Scheduler.of(scheduler);
        return new RouterTime() {
            @Override
            public long nanos() {
                return System.nanoTime();
            }

            @Override
            public ScheduledFuture<?> timer(Duration delay, Runnable task) {
                return scheduler.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            }

            @Override
            public ScheduledFuture<?> schedule(Callable<?> callable, long delay, TimeUnit unit) {
                return failsafe.schedule(callable, delay, unit);
            }
        };
    }
}

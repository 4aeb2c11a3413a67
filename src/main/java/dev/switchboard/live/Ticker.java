package dev.switchboard.live;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Time and delayed work for the live reply engine; tests drive a manual one. Implementations are thread-safe. */
public interface Ticker {

    /** Monotonic nanoseconds. */
    long nanos();

    /** Runs {@code task} after {@code delay}. */
    void schedule(Duration delay, Runnable task);

    /** The real thing: {@link System#nanoTime()} and a scheduler. */
    static Ticker of(ScheduledExecutorService scheduler) {
        return new Ticker() {
            @Override
            public long nanos() {
                return System.nanoTime();
            }

            @Override
            public void schedule(Duration delay, Runnable task) {
                scheduler.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            }
        };
    }
}

package dev.switchboard.answering;

import dev.failsafe.spi.Scheduler;
import dev.switchboard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Failsafe scheduler on a {@link MutableClock}: work due now runs at once on a virtual thread, as a real scheduler
 * would; work due later waits until the test {@link #advance}s the clock past it. Keeps every pause asked for.
 * Thread-safe.
 */
final class ManualScheduler implements Scheduler {

    /** Runs its work once, unless cancelled first (as {@link FutureTask} does). */
    private final class Task extends FutureTask<Object> implements ScheduledFuture<Object> {
        final Instant due;

        Task(Instant due, Callable<?> work) {
            super(work::call);
            this.due = due;
        }

        void start() {
            Thread.startVirtualThread(this);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(clock.instant(), due));
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }

    private final MutableClock clock;
    private final List<Task> waiting = new ArrayList<>();
    private final List<Duration> pauses = new ArrayList<>();

    ManualScheduler(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public ScheduledFuture<?> schedule(Callable<?> callable, long delay, TimeUnit unit) {
        Task task = new Task(clock.instant().plusNanos(unit.toNanos(delay)), callable);
        if (delay <= 0) {
            task.start();
        } else {
            synchronized (this) {
                pauses.add(Duration.ofNanos(unit.toNanos(delay)));
                waiting.add(task);
            }
        }
        return task;
    }

    /** Pauses asked for so far, in order. */
    synchronized List<Duration> pauses() {
        return List.copyOf(pauses);
    }

    /** Work waiting for the clock, not cancelled. */
    synchronized int waiting() {
        waiting.removeIf(Future::isDone);
        return waiting.size();
    }

    /** Moves the clock to the next waiting work and starts it. */
    void runNext() {
        Task next;
        synchronized (this) {
            waiting.removeIf(Future::isDone);
            next = waiting.stream().min(Comparator.comparing(t -> t.due)).orElseThrow();
            waiting.remove(next);
        }
        if (next.due.isAfter(clock.instant())) {
            clock.set(next.due);
        }
        next.start();
    }
}

package dev.switchboard.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Router time that moves only when a test says so, with a wall clock that moves along. Work due now (Failsafe's
 * executions) runs at once on a thread of its own, as the real scheduler would; timers (deadlines, breaker windows)
 * and waits (retries) run, in order, on the test's thread as {@link #advance} passes them. Thread-safe.
 */
final class ManualRouterTime implements RouterTime {

    private static final Executor NOW = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().factory());

    private final class Task extends CompletableFuture<Object> implements ScheduledFuture<Object> {
        final long at;
        final long seq;
        final boolean wait;
        final Callable<?> work;

        Task(long at, long seq, boolean wait, Callable<?> work) {
            this.at = at;
            this.seq = seq;
            this.wait = wait;
            this.work = work;
        }

        void run() {
            if (isDone()) {
                return; // cancelled
            }
            try {
                complete(work.call());
            } catch (Throwable e) {
                completeExceptionally(e);
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(at - nanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    /** Starts at the real time, so that records it stamps sort among those of the test itself. */
    private final Instant start = Instant.now();
    private long now = 1_000_000_000L;
    private long seq;

    @Override
    public synchronized long nanos() {
        return now;
    }

    /** The wall clock, moving with this time. */
    Clock clock() {
        return new Clock() {
            @Override
            public Instant instant() {
                return start.plusNanos(nanos());
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }
        };
    }

    @Override
    public ScheduledFuture<?> timer(Duration delay, Runnable task) {
        return add(delay.toNanos(), false, () -> {
            task.run();
            return null;
        });
    }

    @Override
    public ScheduledFuture<?> schedule(Callable<?> callable, long delay, TimeUnit unit) {
        return add(unit.toNanos(delay), true, callable);
    }

    private ScheduledFuture<?> add(long delayNanos, boolean wait, Callable<?> work) {
        Task task;
        synchronized (this) {
            task = new Task(now + Math.max(0, delayNanos), seq++, wait, work);
            if (delayNanos > 0) {
                queue.add(task);
                return task;
            }
        }
        NOW.execute(task::run);
        return task;
    }

    /** Whether a retry is waiting for its time. */
    synchronized boolean waiting() {
        queue.removeIf(Task::isDone);
        return queue.stream().anyMatch(t -> t.wait);
    }

    /** Moves time to the earliest waiting retry, running whatever falls due on the way; false when none waits. */
    boolean runNextWait() {
        long until;
        synchronized (this) {
            queue.removeIf(Task::isDone);
            until = queue.stream().filter(t -> t.wait).mapToLong(t -> t.at).min().orElse(Long.MIN_VALUE);
            if (until == Long.MIN_VALUE) {
                return false;
            }
        }
        advanceTo(until);
        return true;
    }

    /** Runs everything due up to {@code now + by}, moving time to each task's moment. */
    void advance(Duration by) {
        long until;
        synchronized (this) {
            until = now + by.toNanos();
        }
        advanceTo(until);
    }

    private void advanceTo(long until) {
        while (true) {
            Task next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.at > until) {
                    now = Math.max(now, until);
                    return;
                }
                queue.poll();
                now = Math.max(now, next.at);
            }
            next.run();
        }
    }
}

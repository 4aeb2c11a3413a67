package dev.switchboard.testing;

import dev.switchboard.live.Ticker;
import java.time.Duration;
import java.util.PriorityQueue;

/** Time that moves only when a test says so; scheduled work runs, in order, as time passes it. Thread-safe. */
public final class ManualTicker implements Ticker {

    private record Task(long at, long seq, Runnable run) {
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long now = 1_000_000_000L;
    private long seq;

    @Override
    public synchronized long nanos() {
        return now;
    }

    @Override
    public synchronized void schedule(Duration delay, Runnable task) {
        queue.add(new Task(now + Math.max(0, delay.toNanos()), seq++, task));
    }

    /** Runs everything due up to {@code now + by}, moving time to each task's moment. */
    public void advance(Duration by) {
        long until;
        synchronized (this) {
            until = now + by.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.at > until) {
                    now = until;
                    return;
                }
                queue.poll();
                now = Math.max(now, next.at);
            }
            next.run.run();
        }
    }
}

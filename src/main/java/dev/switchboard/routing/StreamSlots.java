package dev.switchboard.routing;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One provider's streams open at once ({@code max_concurrent_streams}): a try takes a slot, or waits for one in line,
 * oldest first, until its deadline. Waits and their deadlines run on {@link RouterTime}. Thread-safe.
 *
 * <p>Not Failsafe's {@code Bulkhead}, though it queues fairly too: in 3.3.2 a waiter whose wait times out as a
 * permit is released keeps that permit for good (failsafe-lib/failsafe#393; the async path has the same window
 * between its timeout and the release), and it shows neither how many wait nor for how long. Here a slot handed to a
 * waiter that left meanwhile goes straight to the next one.
 */
final class StreamSlots {

    /** A try that waited its whole deadline without a slot. */
    static final class Full extends RuntimeException {
        Full(String provider) {
            super("every stream slot of " + provider + " stayed in use", null, false, false);
        }
    }

    /**
     * What operators see.
     *
     * @param open streams open now
     * @param limit streams allowed at once
     * @param waiting tries waiting for a slot
     * @param oldestWait how long the first of them has waited, zero when none waits
     */
    record Snapshot(int open, int limit, int waiting, Duration oldestWait) { }

    private final class Waiter {
        final long since = time.nanos();
        final CompletableFuture<Slot> slot = new CompletableFuture<>();
        ScheduledFuture<?> deadline;
    }

    /** A slot held by one try; released once, when the try ends however it ends. */
    final class Slot {
        private boolean released;

        void release() {
            synchronized (StreamSlots.this) {
                if (released) {
                    return;
                }
                released = true;
            }
            handOn();
        }
    }

    private final String provider;
    /** {@code max_concurrent_streams} as configured: what the nodes of a cluster divide. */
    private final int configured;
    /** This node's share of it. Guarded by this. */
    private int limit;
    private final RouterTime time;
    private final Timer waited;
    private final Timer gaveUp;
    private final LinkedHashSet<Waiter> line = new LinkedHashSet<>();
    private int open;

    StreamSlots(String provider, int limit, RouterTime time, MeterRegistry meters) {
        this.provider = provider;
        this.configured = limit;
        this.limit = limit;
        this.time = time;
        this.waited = Timer.builder("switchboard.provider.queue.wait").tag("provider", provider)
                .tag("outcome", "slot").description("time a try waited for a stream slot")
                .publishPercentiles(0.5, 0.95).register(meters);
        this.gaveUp = Timer.builder("switchboard.provider.queue.wait").tag("provider", provider)
                .tag("outcome", "deadline").description("time a try waited for a stream slot")
                .publishPercentiles(0.5, 0.95).register(meters);
    }

    synchronized int limit() {
        return limit;
    }

    /**
     * Allows {@code 1 / nodes} of the configured streams from now on (at least one), for a provider that counts
     * concurrent streams per key across the nodes of a cluster. Streams open beyond a smaller share run on; new ones
     * wait until the node is within it. A share, not an exact limit: a node's free slots do not go to another.
     */
    void share(int nodes) {
        synchronized (this) {
            limit = Math.max(1, configured / Math.max(1, nodes));
        }
        while (true) {
            Waiter next;
            synchronized (this) {
                if (open >= limit || line.isEmpty()) {
                    return;
                }
                open++;
                next = line.removeFirst();
            }
            give(next);
        }
    }

    /**
     * A slot now if one is free and nobody waits; otherwise a place in line, failed with {@link Full} after
     * {@code maxWait}. Cancelling the returned future leaves the line.
     */
    CompletableFuture<Slot> take(Duration maxWait) {
        Waiter waiter;
        synchronized (this) {
            if (open < limit && line.isEmpty()) {
                open++;
                return CompletableFuture.completedFuture(new Slot());
            }
            waiter = new Waiter();
            line.add(waiter);
            waiter.deadline = time.timer(maxWait, () -> expire(waiter));
        }
        waiter.slot.whenComplete((slot, error) -> {
            if (error != null) {
                leave(waiter);
            }
        });
        return waiter.slot;
    }

    private void expire(Waiter waiter) {
        if (leave(waiter)) {
            gaveUp.record(time.nanos() - waiter.since, TimeUnit.NANOSECONDS);
            waiter.slot.completeExceptionally(new Full(provider));
        }
    }

    private synchronized boolean leave(Waiter waiter) {
        return line.remove(waiter);
    }

    /** A slot came free: it goes to the first in line, or back to the pool. */
    private void handOn() {
        Waiter next;
        synchronized (this) {
            next = line.isEmpty() || open > limit ? null : line.removeFirst();
            if (next == null) {
                open--;
                return;
            }
        }
        give(next);
    }

    private void give(Waiter next) {
        next.deadline.cancel(false);
        waited.record(time.nanos() - next.since, TimeUnit.NANOSECONDS);
        // Not on this thread: it may hold the lock of the reply whose try just ended, and the next try takes its own.
        time.schedule(() -> {
            Slot slot = new Slot();
            if (!next.slot.complete(slot)) {
                slot.release(); // it left meanwhile: the next one gets it
            }
            return null;
        }, 0, TimeUnit.NANOSECONDS);
    }

    synchronized Snapshot snapshot() {
        Duration oldest = line.isEmpty() ? Duration.ZERO : Duration.ofNanos(time.nanos() - line.getFirst().since);
        return new Snapshot(open, limit, line.size(), oldest);
    }
}

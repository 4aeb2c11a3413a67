package dev.switchboard.adapter.slack;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Slack's intake, the same for Socket Mode and HTTP mode: requests with different keys ({@link SlackOrder}) run at
 * once, requests with the same key one after the other in the order they were submitted. A key's requests form a
 * lane that one thread works through, the next request on the thread that finished the one before. At most
 * {@code bound} requests wait or run; a request that finds no room within {@code wait} is refused, so it is not
 * acknowledged and Slack delivers it again. Thread-safe.
 *
 * <p>The lanes run on platform threads, not virtual ones: acknowledgements must come within Slack's three seconds,
 * and virtual threads wait for one of a few carriers that streaming replies keep busy and never give up until they
 * block. With 200 events over 50 threads on a loaded two-core machine, a new virtual thread waited 350 ms on average
 * (up to 1.3 s) to start, and each request in a lane waited again; the operating system shares the cores with
 * platform threads.
 */
final class SlackDispatch implements AutoCloseable {

    /** Lanes worked through at once at most; more wait for a thread (a request takes milliseconds). */
    static final int THREADS = 64;

    /** Refused: too many requests waiting, or stopping. */
    static final class Full extends RuntimeException {
        Full(String message) {
            super(message, null, false, false);
        }
    }

    /** A request and what waits for its result. */
    private record Request<T>(Supplier<T> work, CompletableFuture<T> done) { }

    /** A key's requests not yet started, behind the one running; changed only inside {@code lanes}' compute. */
    private static final class Lane {
        final ArrayDeque<Request<?>> waiting = new ArrayDeque<>();
    }

    private final ThreadPoolExecutor threads = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), Thread.ofPlatform().name("slack-intake-", 0).daemon().factory());
    /** The lane of each key with a request running; removed when its last request is done. */
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    private final Semaphore room;
    private final Duration wait;

    SlackDispatch(int bound, Duration wait) {
        this.room = new Semaphore(bound);
        this.wait = wait;
        threads.allowCoreThreadTimeOut(true); // an idle service keeps no intake threads
    }

    /**
     * Runs {@code work} after every request submitted before with the same key has finished.
     *
     * @return its result; failed with {@link Full} when there was no room
     */
    <T> CompletableFuture<T> submit(String key, Supplier<T> work) {
        try {
            if (!room.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return CompletableFuture.failedFuture(new Full("slack: too many requests waiting"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new Full("slack: stopping"));
        }
        Request<T> request = new Request<>(work, new CompletableFuture<>());
        boolean[] first = new boolean[1];
        // compute is atomic per key: the order requests are submitted in is the order they run in.
        lanes.compute(key, (k, lane) -> {
            if (lane == null) {
                first[0] = true;
                return new Lane();
            }
            lane.waiting.addLast(request);
            return lane;
        });
        if (first[0]) {
            try {
                threads.execute(() -> workThrough(key, request));
            } catch (RejectedExecutionException e) {
                refuse(key, request);
            }
        }
        return request.done();
    }

    /** Runs a key's requests in order until its lane is empty, which drops the lane; when stopping, refuses them. */
    private void workThrough(String key, Request<?> first) {
        for (Request<?> next = first; next != null; next = next(key)) {
            if (threads.isShutdown()) {
                refuse(key, next);
                return;
            }
            run(next);
        }
    }

    private <T> void run(Request<T> request) {
        T result = null;
        Throwable failure = null;
        try {
            result = request.work().get();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        room.release();
        if (failure == null) {
            request.done().complete(result); // Socket Mode acknowledges here, before the lane goes on
        } else {
            request.done().completeExceptionally(failure);
        }
    }

    private Request<?> next(String key) {
        Request<?>[] next = new Request<?>[1];
        lanes.computeIfPresent(key, (k, lane) -> {
            next[0] = lane.waiting.pollFirst();
            return next[0] == null ? null : lane;
        });
        return next[0];
    }

    /** Stopping: {@code first} and every request queued behind it fail unrun. */
    private void refuse(String key, Request<?> first) {
        for (Request<?> r = first; r != null; r = next(key)) {
            room.release();
            r.done().completeExceptionally(new Full("slack: stopping"));
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}

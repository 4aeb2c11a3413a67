package dev.switchboard.adapter.slack;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Slack's intake, the same for Socket Mode and HTTP mode: requests with different keys ({@link SlackOrder}) run at
 * once on virtual threads, requests with the same key one after the other in the order they were submitted. At most
 * {@code bound} requests wait or run; a request that finds no room within {@code wait} is refused, so it is not
 * acknowledged and Slack delivers it again. Thread-safe.
 */
final class SlackDispatch implements AutoCloseable {

    /** Refused: too many requests waiting, or stopping. */
    static final class Full extends RuntimeException {
        Full(String message) {
            super(message, null, false, false);
        }
    }

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    /** The last request of each key, which the key's next one runs after; removed when it is the last one done. */
    private final ConcurrentHashMap<String, CompletableFuture<?>> tails = new ConcurrentHashMap<>();
    private final Semaphore room;
    private final Duration wait;

    SlackDispatch(int bound, Duration wait) {
        this.room = new Semaphore(bound);
        this.wait = wait;
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
        CompletableFuture<T> mine = new CompletableFuture<>();
        // put is atomic per key: the order requests are submitted in is the order they run in.
        CompletableFuture<?> after = tails.put(key, mine);
        Runnable run = () -> {
            try {
                mine.complete(work.get());
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
            } finally {
                room.release();
                tails.remove(key, mine);
            }
        };
        Runnable start = () -> {
            try {
                threads.execute(run);
            } catch (RejectedExecutionException e) {
                room.release();
                tails.remove(key, mine);
                mine.completeExceptionally(new Full("slack: stopping"));
            }
        };
        if (after == null) {
            start.run();
        } else {
            after.whenComplete((r, e) -> start.run());
        }
        return mine;
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}

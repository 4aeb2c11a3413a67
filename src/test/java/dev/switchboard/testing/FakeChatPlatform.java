package dev.switchboard.testing;

import dev.switchboard.live.ReplySink;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * A chat platform on a {@link ManualTicker}, for the live reply engine: it keeps each thread's messages, enforces a
 * write limit per scope over a sliding window (answering 429 with Retry-After when it is exceeded), a message length
 * limit, and a network delay; on request it also answers random 429s and rejects random edits. It counts every write
 * that broke its limits.
 */
public final class FakeChatPlatform {

    private final ManualTicker ticker;
    private final int writesPerWindow;
    private final Duration window;
    private final int maxChars;
    private final Duration latency;
    private final SplittableRandom random;
    private final double random429;
    private final double randomEditFailure;
    private final Map<String, Deque<Long>> writesByScope = new LinkedHashMap<>();
    private final Map<String, int[]> scopeWrites = new LinkedHashMap<>();
    private final Map<String, Duration> scopeWindows = new LinkedHashMap<>();
    private final Map<String, List<long[]>> visibility = new LinkedHashMap<>();
    private final Map<String, List<String>> threads = new LinkedHashMap<>();
    private final Map<String, String> messages = new LinkedHashMap<>();
    private final java.util.Set<String> deletedByUser = new java.util.HashSet<>();
    private int nextId;
    private int overBudget;
    private int tooLong;
    private int rateLimited;
    private int writes;

    public FakeChatPlatform(ManualTicker ticker, int writesPerWindow, Duration window, int maxChars, Duration latency,
                            long seed, double random429, double randomEditFailure) {
        this.ticker = ticker;
        this.writesPerWindow = writesPerWindow;
        this.window = window;
        this.maxChars = maxChars;
        this.latency = latency;
        this.random = new SplittableRandom(seed);
        this.random429 = random429;
        this.randomEditFailure = randomEditFailure;
    }

    /** Gives one scope its own limit (a bot-wide limit beside per-channel ones, say). */
    public synchronized FakeChatPlatform limit(String scope, int writes, Duration per) {
        scopeWrites.put(scope, new int[] {writes});
        scopeWindows.put(scope, per);
        return this;
    }

    /** A thread in a channel; every write in it counts against {@code scope}. */
    public ReplySink thread(String thread, String scope, UnaryOperator<String> format) {
        return thread(thread, List.of(scope), format);
    }

    /** A thread whose writes count against every one of {@code scopes}. */
    public ReplySink thread(String thread, List<String> scopes, UnaryOperator<String> format) {
        return thread(thread, scopes, scopes, scopes, format);
    }

    /**
     * A thread whose posts, edits and deletes each count against scopes of their own, as Slack counts its methods
     * apart.
     */
    public synchronized ReplySink thread(String thread, List<String> posts, List<String> edits, List<String> deletes,
                                         UnaryOperator<String> format) {
        threads.put(thread, new ArrayList<>());
        visibility.put(thread, new ArrayList<>());
        return new ReplySink() {
            @Override
            public CompletionStage<String> post(String text) {
                return write(posts, text, false, () -> {
                    String id = "m" + (++nextId);
                    messages.put(id, text);
                    threads.get(thread).add(id);
                    seen(thread);
                    return id;
                });
            }

            @Override
            public CompletionStage<Void> edit(String messageId, String text) {
                synchronized (FakeChatPlatform.this) {
                    if (deletedByUser.contains(messageId)) {
                        return CompletableFuture.failedFuture(new ReplySink.WriteFailed(
                                ReplySink.WriteFailed.Kind.GONE, null, "message_not_found"));
                    }
                }
                return write(edits, text, true, () -> {
                    messages.put(messageId, text);
                    seen(thread);
                    return null;
                });
            }

            @Override
            public CompletionStage<Void> delete(String messageId) {
                return write(deletes, "", false, () -> {
                    messages.remove(messageId);
                    threads.get(thread).remove(messageId);
                    seen(thread);
                    return null;
                });
            }

            @Override
            public int maxChars() {
                return maxChars;
            }

            @Override
            public String format(String markdown) {
                return format.apply(markdown);
            }
        };
    }

    /** The visible length of a thread's messages (cursor not counted) each time it changed: {time, length}. */
    public synchronized List<long[]> visibility(String thread) {
        return List.copyOf(visibility.get(thread));
    }

    private void seen(String thread) {
        long length = 0;
        for (String id : threads.get(thread)) {
            String text = messages.get(id);
            length += text.endsWith(" ▍") ? text.length() - 2 : text.length();
        }
        visibility.get(thread).add(new long[] {ticker.nanos(), length});
    }

    private synchronized <T> CompletionStage<T> write(List<String> scopes, String text, boolean edit,
                                                       java.util.function.Supplier<T> apply) {
        writes++;
        CompletableFuture<T> result = new CompletableFuture<>();
        long now = ticker.nanos();
        ReplySink.WriteFailed failure = null;
        for (String scope : scopes) {
            int limit = scopeWrites.containsKey(scope) ? scopeWrites.get(scope)[0] : writesPerWindow;
            Duration per = scopeWindows.getOrDefault(scope, window);
            Deque<Long> recent = writesByScope.computeIfAbsent(scope, k -> new ArrayDeque<>());
            while (!recent.isEmpty() && recent.peekFirst() <= now - per.toNanos()) {
                recent.pollFirst();
            }
            if (recent.size() >= limit && failure == null) {
                overBudget++;
                long retry = recent.peekFirst() + per.toNanos() - now;
                failure = new ReplySink.WriteFailed(ReplySink.WriteFailed.Kind.RATE_LIMITED, Duration.ofNanos(retry),
                        "rate limited in " + scope);
            }
        }
        if (failure != null) {
            // counted above
        } else if (text.length() > maxChars) {
            tooLong++;
            failure = new ReplySink.WriteFailed(ReplySink.WriteFailed.Kind.REJECTED, null, "msg_too_long");
        } else if (random.nextDouble() < random429) {
            rateLimited++;
            failure = new ReplySink.WriteFailed(ReplySink.WriteFailed.Kind.RATE_LIMITED,
                    Duration.ofMillis(200 + random.nextInt(1_500)), "rate limited (injected)");
        } else if (edit && random.nextDouble() < randomEditFailure) {
            failure = new ReplySink.WriteFailed(ReplySink.WriteFailed.Kind.REJECTED, null, "edit failed (injected)");
        }
        if (failure == null) {
            for (String scope : scopes) {
                writesByScope.get(scope).addLast(now);
            }
        }
        ReplySink.WriteFailed answer = failure;
        ticker.schedule(latency, () -> {
            if (answer != null) {
                result.completeExceptionally(answer);
                return;
            }
            T value;
            synchronized (this) {
                value = apply.get();
            }
            result.complete(value);
        });
        return result;
    }

    /** A user deletes every message of a thread, as a person would in the client. */
    public synchronized void deleteByUser(String thread) {
        for (String id : threads.get(thread)) {
            messages.remove(id);
            deletedByUser.add(id);
        }
        threads.get(thread).clear();
    }

    /** The texts of a thread's messages, in order. */
    public synchronized List<String> shown(String thread) {
        return threads.get(thread).stream().map(messages::get).toList();
    }

    /** Writes that arrived while the scope's window was already full: the engine broke the budget. */
    public synchronized int overBudget() {
        return overBudget;
    }

    public synchronized int tooLong() {
        return tooLong;
    }

    public synchronized int injected429s() {
        return rateLimited;
    }

    public synchronized int writes() {
        return writes;
    }
}

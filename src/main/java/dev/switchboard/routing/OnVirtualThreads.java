package dev.switchboard.routing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An exchange as LangChain4j sees it: whatever it chains on runs on a virtual thread of its own. LangChain4j 1.18
 * reads a whole streamed body inside such a step, blocking; the JDK runs those steps on the common ForkJoinPool,
 * which then held one pool thread per open stream (58 in the soak run) and, past its limit of spare threads,
 * would make streams wait for each other and starve everything else that uses the pool.
 */
final class OnVirtualThreads<T> extends CompletableFuture<T> {

    private static final Executor READERS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("provider-stream-", 0).factory());

    @Override
    public Executor defaultExecutor() {
        return READERS;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new OnVirtualThreads<>();
    }

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        return thenApplyAsync(fn);
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        return thenAcceptAsync(action);
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        return thenRunAsync(action);
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        return thenComposeAsync(fn);
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return whenCompleteAsync(action);
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return handleAsync(fn);
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        return exceptionallyAsync(fn);
    }
}

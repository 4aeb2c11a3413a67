package dev.switchboard.routing;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.FinishReason;
import dev.switchboard.conversation.TokenUsage;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One streaming call to one target, with its deadlines: to the first token, between two chunks, and in total.
 * Exactly one of completion, failure or cancellation ends it; after that no callback reaches the reply, and a late
 * chunk cancels its stream. Every state change happens under the owning reply's lock.
 */
final class Attempt implements StreamingChatResponseHandler {

    /**
     * A stream that ended with its terminal event.
     *
     * @param message the model's whole message, with the tools it asks to call (if any)
     */
    record Completion(String text, TokenUsage usage, long firstTokenNanos, AiMessage message) {
    }

    /** Why an attempt failed, and whether the user had already seen some of its text. */
    static final class Failed extends RuntimeException {
        final Failure failure;
        final boolean tokensShown;

        Failed(Failure failure, boolean tokensShown) {
            super(failure.label(), null, false, false);
            this.failure = failure;
            this.tokensShown = tokensShown;
        }
    }

    /** Where an attempt's text goes; called under the reply's lock. */
    interface Sink {
        /** @return false when this attempt is no longer wanted (the reply moved on or ended) */
        boolean accept(Attempt attempt, String text);
    }

    private final Object lock;
    private final StreamingChatModel model;
    private final ChatRequest request;
    private final RouterOptions.Deadlines limits;
    private final RouterTime time;
    private final Sink sink;
    private final CompletableFuture<Completion> result = new CompletableFuture<>();
    private final HttpTap.Probe probe = new HttpTap.Probe(this::streamClosed, () -> fail(new Failure.Malformed()),
            body -> fail(StreamEvents.classify(body)));
    private final StringBuilder text = new StringBuilder();
    private boolean done;
    private boolean tokensShown;
    private long firstTokenNanos;
    private volatile long lastTokenNanos;
    private StreamingHandle handle;
    private ScheduledFuture<?> firstTokenTimer;
    private ScheduledFuture<?> idleTimer;
    private ScheduledFuture<?> totalTimer;

    Attempt(Object lock, StreamingChatModel model, ChatRequest request, RouterOptions.Deadlines limits,
            RouterTime time, Sink sink) {
        this.lock = lock;
        this.model = model;
        this.request = request;
        this.limits = limits;
        this.time = time;
        this.sink = sink;
    }

    CompletableFuture<Completion> start() {
        synchronized (lock) {
            if (done) {
                return result; // cancelled before it began: never call the provider
            }
            firstTokenTimer = schedule(limits.firstToken(), Failure.Deadline.FIRST_TOKEN);
            totalTimer = schedule(limits.total(), Failure.Deadline.TOTAL);
        }
        HttpTap.CURRENT.set(probe);
        try {
            model.chat(request, this);
        } catch (RuntimeException e) {
            onError(e);
        } finally {
            HttpTap.CURRENT.remove();
        }
        return result;
    }

    private ScheduledFuture<?> schedule(Duration after, Failure.Deadline deadline) {
        return time.timer(after, () -> fail(new Failure.Timeout(deadline)));
    }

    @Override
    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
        token(partial.text(), context.streamingHandle());
    }

    @Override
    public void onPartialResponse(String partial) {
        token(partial, null);
    }

    /** A tool call's arguments streaming in: no text for the user, but the stream is alive. */
    @Override
    public void onPartialToolCall(PartialToolCall partial, PartialToolCallContext context) {
        synchronized (lock) {
            if (context != null && context.streamingHandle() != null) {
                handle = context.streamingHandle();
            }
            if (done) {
                return;
            }
            lastTokenNanos = time.nanos();
            if (idleTimer == null) {
                firstTokenTimer.cancel(false);
                idleTimer = time.timer(limits.idle(), this::checkIdle);
            }
        }
    }

    private void token(String chunk, StreamingHandle streamingHandle) {
        synchronized (lock) {
            if (streamingHandle != null) {
                handle = streamingHandle;
            }
            if (done) {
                if (streamingHandle != null) {
                    streamingHandle.cancel();
                }
                return;
            }
            if (chunk == null || chunk.isEmpty()) {
                return;
            }
            lastTokenNanos = time.nanos();
            if (!tokensShown) {
                tokensShown = true;
                firstTokenNanos = lastTokenNanos;
                firstTokenTimer.cancel(false);
                if (idleTimer == null) {
                    idleTimer = time.timer(limits.idle(), this::checkIdle);
                }
            }
            text.append(chunk);
            if (!sink.accept(this, chunk)) {
                cancel();
            }
        }
    }

    /** One timer per attempt, not one per chunk: it looks at the last chunk's time and waits again if needed. */
    private void checkIdle() {
        synchronized (lock) {
            if (done) {
                return;
            }
            long quiet = time.nanos() - lastTokenNanos;
            long limit = limits.idle().toNanos();
            if (quiet >= limit) {
                fail(new Failure.Timeout(Failure.Deadline.IDLE));
            } else {
                idleTimer = time.timer(Duration.ofNanos(limit - quiet), this::checkIdle);
            }
        }
    }

    @Override
    public void onCompleteResponse(ChatResponse response) {
        synchronized (lock) {
            if (done) {
                return;
            }
            FinishReason reason = response.finishReason();
            if (reason == null) {
                // The body ended without the terminal event: the answer may be cut short.
                fail(new Failure.Truncated());
                return;
            }
            if (reason == FinishReason.CONTENT_FILTER) {
                fail(new Failure.ContentFiltered());
                return;
            }
            end(false);
            var usage = response.tokenUsage();
            TokenUsage tokens = usage == null ? TokenUsage.NONE : new TokenUsage(
                    usage.inputTokenCount() == null ? 0 : usage.inputTokenCount(),
                    usage.outputTokenCount() == null ? 0 : usage.outputTokenCount());
            result.complete(new Completion(text.toString(), tokens, firstTokenNanos, response.aiMessage()));
        }
    }

    @Override
    public void onError(Throwable error) {
        fail(FailureClassifier.classify(error, probe.status, probe.retryAfter));
    }

    /** The HTTP body was read to its end; if LangChain4j did not call back by then, it never will. */
    private void streamClosed() {
        fail(new Failure.Truncated());
    }

    void fail(Failure failure) {
        synchronized (lock) {
            if (done) {
                return;
            }
            end(true);
            result.completeExceptionally(new Failed(failure, tokensShown));
        }
    }

    /** Stops the stream at once; nothing more is delivered. */
    void cancel() {
        synchronized (lock) {
            if (done) {
                return;
            }
            end(true);
            result.completeExceptionally(new CancellationException("cancelled"));
        }
    }

    /** @param early whether the stream is still open and must be closed (not after a normal end) */
    private void end(boolean early) {
        done = true;
        for (ScheduledFuture<?> timer : new ScheduledFuture<?>[] {firstTokenTimer, idleTimer, totalTimer}) {
            if (timer != null) {
                timer.cancel(false);
            }
        }
        if (early) {
            // The connection first: closing the stream of a live connection reads what is left of the body so the
            // connection can be reused, and a provider that keeps sending (or goes quiet) would hold this attempt's
            // lock, and whoever cancels, for as long.
            probe.abort();
            if (handle != null) {
                handle.cancel();
            }
        }
    }
}

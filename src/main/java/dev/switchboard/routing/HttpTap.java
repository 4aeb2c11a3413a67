package dev.switchboard.routing;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Lets the router see what LangChain4j's clients hide: a failed response's status and {@code Retry-After}, and a
 * stream that closed without its terminal event.
 *
 * <p>Two layers under LangChain4j's models: {@link ModelHttp}, which makes the requests and reads each response's
 * status and headers, and a LangChain4j {@link HttpClient} around it that notices when a stream's body has been fully
 * read. Both report to the {@link Probe} of the attempt that made the request: the attempt sets it in
 * {@link #CURRENT} around its {@code chat} call, during which LangChain4j starts the request on the same thread.
 */
final class HttpTap {

    /** What one attempt's request showed. Written by HTTP threads, read by the attempt. */
    static final class Probe {
        volatile int status;
        volatile Duration retryAfter;
        private final Runnable onStreamClosed;
        private final Runnable onUnreadableEvent;
        private final Consumer<String> onErrorEvent;
        private volatile boolean aborted;
        /** Stops the attempt's request (cancels its call); null until the request is made. */
        private volatile AutoCloseable stop;

        Probe(Runnable onStreamClosed, Runnable onUnreadableEvent, Consumer<String> onErrorEvent) {
            this.onStreamClosed = onStreamClosed;
            this.onUnreadableEvent = onUnreadableEvent;
            this.onErrorEvent = onErrorEvent;
        }

        /** Whether LangChain4j may read the event: a fault in it is reported here first, the same on every format. */
        private boolean admit(ServerSentEvent event) {
            switch (StreamEvents.read(event)) {
                case StreamEvents.Verdict.Readable r -> {
                    return true;
                }
                case StreamEvents.Verdict.Unreadable u -> onUnreadableEvent.run();
                case StreamEvents.Verdict.ProviderError e -> onErrorEvent.accept(e.body());
            }
            return false;
        }

        /** How to stop the attempt's request: before its response or while its body streams. */
        void attach(AutoCloseable request) {
            stop = request;
            if (aborted) {
                closeQuietly(request);
            }
        }

        /**
         * Stops the request whatever its state. LangChain4j offers a handle to stop a stream only once a token arrived.
         */
        void abort() {
            aborted = true;
            AutoCloseable request = stop;
            if (request != null) {
                closeQuietly(request);
            }
        }

        private static void closeQuietly(AutoCloseable request) {
            try {
                request.close();
            } catch (Exception ignored) {
                // the connection is being dropped anyway
            }
        }
    }

    static final ThreadLocal<Probe> CURRENT = new ThreadLocal<>();

    private HttpTap() {
    }

    /** A LangChain4j client builder whose clients report to the current attempt's probe. */
    static HttpClientBuilder builder() {
        return new TappedBuilder();
    }

    private static final class TappedBuilder implements HttpClientBuilder {
        private Duration connectTimeout;
        private Duration readTimeout;

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public HttpClientBuilder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public HttpClientBuilder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        @Override
        public HttpClient build() {
            return new StreamClosingClient(new ModelHttp(connectTimeout, readTimeout));
        }
    }

    /**
     * Reports when a stream's body has been read to its end, after LangChain4j's own listener saw that, and when an
     * event could not be read.
     */
    private record StreamClosingClient(HttpClient delegate) implements HttpClient {
        @Override
        public SuccessfulHttpResponse execute(HttpRequest request) {
            return delegate.execute(request);
        }

        @Override
        public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
            Probe probe = CURRENT.get();
            if (probe == null) {
                delegate.execute(request, parser, listener);
                return;
            }
            delegate.execute(request, parser, new ServerSentEventListener() {
                @Override
                public void onOpen(SuccessfulHttpResponse response) {
                    listener.onOpen(response);
                }

                @Override
                public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
                    if (!probe.admit(event)) {
                        return;
                    }
                    try {
                        listener.onEvent(event, context);
                    } catch (RuntimeException unreadable) {
                        // LangChain4j would log this and go on, leaving a hole in the text.
                        probe.onUnreadableEvent.run();
                        throw unreadable;
                    }
                }

                @Override
                public void onEvent(ServerSentEvent event) {
                    if (!probe.admit(event)) {
                        return;
                    }
                    try {
                        listener.onEvent(event);
                    } catch (RuntimeException unreadable) {
                        probe.onUnreadableEvent.run();
                        throw unreadable;
                    }
                }

                @Override
                public void onError(Throwable error) {
                    listener.onError(error);
                }

                @Override
                public void onClose() {
                    try {
                        listener.onClose();
                    } finally {
                        probe.onStreamClosed.run();
                    }
                }
            });
        }
    }
}

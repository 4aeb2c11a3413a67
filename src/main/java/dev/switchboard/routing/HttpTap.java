package dev.switchboard.routing;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.ProxySelector;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Lets the router see what LangChain4j's clients hide: a failed response's status and {@code Retry-After}, and a
 * stream that closed without its terminal event.
 *
 * <p>Two thin layers around LangChain4j's own JDK client: a {@link java.net.http.HttpClient} that reads each
 * response's status and headers before handing the body on, and a LangChain4j {@link HttpClient} that notices when a
 * stream's body has been fully read. Both report to the {@link Probe} of the attempt that made the request: the
 * attempt sets it in {@link #CURRENT} around its {@code chat} call, during which LangChain4j starts the request on
 * the same thread.
 */
final class HttpTap {

    /** What one attempt's request showed. Written by HTTP threads, read by the attempt. */
    static final class Probe {
        volatile int status;
        volatile Duration retryAfter;
        private final Runnable onStreamClosed;
        private final Runnable onUnreadableEvent;
        private final java.util.function.Consumer<String> onErrorEvent;
        private volatile boolean aborted;
        private volatile CompletableFuture<?> exchange;
        private volatile AutoCloseable body;

        Probe(Runnable onStreamClosed, Runnable onUnreadableEvent, java.util.function.Consumer<String> onErrorEvent) {
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

        private void attach(CompletableFuture<?> request) {
            exchange = request;
            if (aborted) {
                request.cancel(true);
            }
        }

        private void attach(AutoCloseable stream) {
            body = stream;
            if (aborted) {
                closeQuietly(stream);
            }
        }

        /**
         * Closes the request whatever its state: before the response (cancelling the exchange) or while its body
         * streams (closing it). LangChain4j offers a handle to stop a stream only once a token arrived.
         */
        void abort() {
            aborted = true;
            CompletableFuture<?> request = exchange;
            if (request != null) {
                request.cancel(true);
            }
            AutoCloseable stream = body;
            if (stream != null) {
                closeQuietly(stream);
            }
        }

        private static void closeQuietly(AutoCloseable stream) {
            try {
                stream.close();
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
            JdkHttpClient jdk = JdkHttpClient.builder()
                    .httpClientBuilder(new HeaderReadingBuilder(java.net.http.HttpClient.newBuilder()))
                    .connectTimeout(connectTimeout)
                    .readTimeout(readTimeout)
                    .build();
            return new StreamClosingClient(jdk);
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

    /** Builds {@link HeaderReadingClient}s; every setting goes to the JDK's own builder. */
    private record HeaderReadingBuilder(java.net.http.HttpClient.Builder delegate)
            implements java.net.http.HttpClient.Builder {
        @Override
        public java.net.http.HttpClient.Builder cookieHandler(CookieHandler handler) {
            delegate.cookieHandler(handler);
            return this;
        }

        @Override
        public java.net.http.HttpClient.Builder connectTimeout(Duration duration) {
            delegate.connectTimeout(duration);
            return this;
        }

        @Override
        public java.net.http.HttpClient.Builder sslContext(SSLContext context) {
            delegate.sslContext(context);
            return this;
        }

        @Override
        public java.net.http.HttpClient.Builder sslParameters(SSLParameters parameters) {
            delegate.sslParameters(parameters);
            return this;
        }

        @Override
        public java.net.http.HttpClient.Builder executor(Executor executor) {
            delegate.executor(executor);
            return this;
        }

        @Override
        public java.net.http.HttpClient.Builder followRedirects(java.net.http.HttpClient.Redirect policy) {
            delegate.followRedirects(policy);
            return this;
        }

        @Override
        public java.net.http.HttpClient.Builder version(java.net.http.HttpClient.Version version) {
            delegate.version(version);
            return this;
        }

        @Override
        public java.net.http.HttpClient.Builder priority(int priority) {
            delegate.priority(priority);
            return this;
        }

        @Override
        public java.net.http.HttpClient.Builder proxy(ProxySelector selector) {
            delegate.proxy(selector);
            return this;
        }

        @Override
        public java.net.http.HttpClient.Builder authenticator(Authenticator authenticator) {
            delegate.authenticator(authenticator);
            return this;
        }

        @Override
        public java.net.http.HttpClient.Builder localAddress(InetAddress address) {
            delegate.localAddress(address);
            return this;
        }

        @Override
        public java.net.http.HttpClient build() {
            // HTTP/1.1: providers stream over it, and the fakes speak it.
            return new HeaderReadingClient(delegate.version(java.net.http.HttpClient.Version.HTTP_1_1).build());
        }
    }

    /** Hands every call to the JDK client, reading each response's status and Retry-After on the way. */
    private static final class HeaderReadingClient extends java.net.http.HttpClient {
        private final java.net.http.HttpClient delegate;

        HeaderReadingClient(java.net.http.HttpClient delegate) {
            this.delegate = delegate;
        }

        private static <T> HttpResponse.BodyHandler<T> reading(HttpResponse.BodyHandler<T> handler) {
            Probe probe = CURRENT.get();
            if (probe == null) {
                return handler;
            }
            return info -> {
                probe.status = info.statusCode();
                if (info.statusCode() >= 400) {
                    probe.retryAfter = retryAfter(info.headers()).orElse(null);
                }
                HttpResponse.BodySubscriber<T> subscriber = handler.apply(info);
                subscriber.getBody().thenAccept(body -> {
                    if (body instanceof AutoCloseable stream) {
                        probe.attach(stream);
                    }
                });
                return subscriber;
            };
        }

        @Override
        public <T> HttpResponse<T> send(java.net.http.HttpRequest request, HttpResponse.BodyHandler<T> handler)
                throws IOException, InterruptedException {
            return delegate.send(request, reading(handler));
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(java.net.http.HttpRequest request,
                                                                HttpResponse.BodyHandler<T> handler) {
            CompletableFuture<HttpResponse<T>> exchange = delegate.sendAsync(request, reading(handler));
            Probe probe = CURRENT.get();
            if (probe != null) {
                probe.attach(exchange);
            }
            OnVirtualThreads<HttpResponse<T>> handedOver = new OnVirtualThreads<>();
            exchange.whenComplete((response, error) -> {
                if (error != null) {
                    handedOver.completeExceptionally(error);
                } else {
                    handedOver.complete(response);
                }
            });
            return handedOver;
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(java.net.http.HttpRequest request,
                                                                HttpResponse.BodyHandler<T> handler,
                                                                HttpResponse.PushPromiseHandler<T> push) {
            return delegate.sendAsync(request, reading(handler), push);
        }

        @Override
        public Optional<CookieHandler> cookieHandler() {
            return delegate.cookieHandler();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return delegate.connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return delegate.followRedirects();
        }

        @Override
        public Optional<ProxySelector> proxy() {
            return delegate.proxy();
        }

        @Override
        public SSLContext sslContext() {
            return delegate.sslContext();
        }

        @Override
        public SSLParameters sslParameters() {
            return delegate.sslParameters();
        }

        @Override
        public Optional<Authenticator> authenticator() {
            return delegate.authenticator();
        }

        @Override
        public Version version() {
            return delegate.version();
        }

        @Override
        public Optional<Executor> executor() {
            return delegate.executor();
        }

        @Override
        public WebSocket.Builder newWebSocketBuilder() {
            return delegate.newWebSocketBuilder();
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }

        @Override
        public void shutdownNow() {
            delegate.shutdownNow();
        }

        @Override
        public boolean awaitTermination(Duration duration) throws InterruptedException {
            return delegate.awaitTermination(duration);
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** {@code Retry-After} in seconds or as an HTTP date, or OpenAI's {@code retry-after-ms}. */
    static Optional<Duration> retryAfter(HttpHeaders headers) {
        Optional<String> ms = headers.firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                return Optional.of(Duration.ofMillis((long) Double.parseDouble(ms.get().strip())));
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        return headers.firstValue("retry-after").flatMap(HttpTap::parseRetryAfter);
    }

    static Optional<Duration> parseRetryAfter(String value) {
        String v = value.strip();
        try {
            return Optional.of(Duration.ofMillis((long) (Double.parseDouble(v) * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /**
     * An exchange as LangChain4j sees it: whatever it chains on runs on a virtual thread of its own. LangChain4j 1.18
     * reads a whole streamed body inside such a step, blocking; the JDK runs those steps on the common ForkJoinPool,
     * which then held one pool thread per open stream (58 in the soak run) and, past its limit of spare threads,
     * would make streams wait for each other and starve everything else that uses the pool.
     */
    static final class OnVirtualThreads<T> extends CompletableFuture<T> {

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
}

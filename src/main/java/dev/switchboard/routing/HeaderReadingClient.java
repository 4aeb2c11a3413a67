package dev.switchboard.routing;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Hands every call to the JDK client, reading each response's status and Retry-After on the way into the current
 * attempt's {@link HttpTap.Probe}. Thread-safe.
 */
final class HeaderReadingClient extends java.net.http.HttpClient {
    private final java.net.http.HttpClient delegate;

    HeaderReadingClient(java.net.http.HttpClient delegate) {
        this.delegate = delegate;
    }

    private static <T> HttpResponse.BodyHandler<T> reading(HttpResponse.BodyHandler<T> handler) {
        HttpTap.Probe probe = HttpTap.CURRENT.get();
        if (probe == null) {
            return handler;
        }
        return info -> {
            probe.status = info.statusCode();
            if (info.statusCode() >= 400) {
                probe.retryAfter = RetryAfter.of(info.headers()).orElse(null);
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
        HttpTap.Probe probe = HttpTap.CURRENT.get();
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

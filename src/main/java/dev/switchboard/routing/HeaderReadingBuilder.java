package dev.switchboard.routing;

import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.ProxySelector;
import java.time.Duration;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/** Builds {@link HeaderReadingClient}s for the tap; every setting goes to the JDK's own builder. Not thread-safe. */
record HeaderReadingBuilder(java.net.http.HttpClient.Builder delegate)
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

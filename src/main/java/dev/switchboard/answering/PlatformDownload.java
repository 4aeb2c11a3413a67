package dev.switchboard.answering;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * Downloads for {@link IncomingFile}s: a GET of a URL the platform's event carries, made only when the URL is on
 * the platform's own file host, never following a redirect elsewhere. Every refusal is an
 * {@link IncomingFile.Unavailable} saying why in words for the user. Thread-safe.
 */
public final class PlatformDownload {

    private final Predicate<URI> allowed;
    private final String offHost;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /**
     * @param allowed whether a URL is on the platform's file host
     * @param offHost why a URL elsewhere is not fetched, for the user
     */
    public PlatformDownload(Predicate<URI> allowed, String offHost) {
        this.allowed = Objects.requireNonNull(allowed, "allowed");
        this.offHost = Objects.requireNonNull(offHost, "offHost");
    }

    /**
     * @param headers sent with the request (the bot token, where the platform wants it)
     * @param refused why, for the user, the platform answered with this HTTP status instead of the file
     * @return the response, status 200; the caller reads and closes its body
     */
    public HttpResponse<InputStream> get(String url, Map<String, String> headers, IntFunction<String> refused)
            throws IOException {
        URI uri;
        try {
            uri = url == null ? null : URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !allowed.test(uri)) {
            throw new IncomingFile.Unavailable(offHost);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        headers.forEach(request::header);
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IncomingFile.Unavailable("the download was interrupted");
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IncomingFile.Unavailable(refused.apply(response.statusCode()));
        }
        return response;
    }
}

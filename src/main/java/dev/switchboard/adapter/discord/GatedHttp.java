package dev.switchboard.adapter.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Response;

/**
 * JDA's HTTP client with the {@link RequestGate} in front: every REST request JDA sends, its retries of a failed one
 * included, waits at the gate, and every 429 tells the gate which scope to stop. JDA keeps its own per-route pacing
 * and waits out 429s as before; the gate adds what JDA lacks: the global allowance spent before Discord refuses it,
 * and a {@code shared} 429 stopping every route on its resource, not only the route that met it. Thread-safe.
 */
final class GatedHttp implements Interceptor {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RequestGate gate;
    /** How many path segments the REST base URL has ({@code api/v10}: 2): a route's path starts after them. */
    private final int prefix;

    GatedHttp(RequestGate gate, String restUrl) {
        this.gate = gate;
        this.prefix = (int) HttpUrl.get(restUrl).pathSegments().stream().filter(s -> !s.isEmpty()).count();
    }

    /** A client for JDA, as JDA builds its own (a small idle pool), with the gate in front. */
    static OkHttpClient client(RequestGate gate, String restUrl) {
        return new OkHttpClient.Builder().connectionPool(new ConnectionPool(5, 10, TimeUnit.SECONDS))
                .addInterceptor(new GatedHttp(gate, restUrl)).build();
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        DiscordRoute route = DiscordRoute.of(chain.request().method(), chain.request().url().pathSegments(), prefix);
        try {
            gate.admit(route);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for Discord's rate limit");
        }
        Response response = chain.proceed(chain.request());
        if (response.code() == 429) {
            JsonNode body = body(response);
            gate.limited(route, scope(response, body), retryAfter(response, body));
        }
        return response;
    }

    /** Global (or Cloudflare's, which answers without Discord's {@code Via}), shared, or the route's own. */
    static RequestGate.Scope scope(Response response, JsonNode body) {
        if (response.header("X-RateLimit-Global") != null || body.path("global").asBoolean(false)
                || "global".equalsIgnoreCase(response.header("X-RateLimit-Scope")) || response.header("Via") == null) {
            return RequestGate.Scope.GLOBAL;
        }
        return "shared".equalsIgnoreCase(response.header("X-RateLimit-Scope")) ? RequestGate.Scope.SHARED
                : RequestGate.Scope.ROUTE;
    }

    /** The longer of the header (whole seconds) and the body's {@code retry_after} (fractional seconds). */
    static Duration retryAfter(Response response, JsonNode body) {
        long millis = Math.round(body.path("retry_after").asDouble(0) * 1000);
        String header = response.header("Retry-After");
        if (header != null) {
            try {
                millis = Math.max(millis, Math.round(Double.parseDouble(header.strip()) * 1000));
            } catch (NumberFormatException e) {
                // an HTTP date or garbage: the body's value stands
            }
        }
        return Duration.ofMillis(millis > 0 ? millis : 1_000); // none given: a second, rather than at once
    }

    private static JsonNode body(Response response) {
        try {
            return JSON.readTree(response.peekBody(16_384).string());
        } catch (IOException | RuntimeException e) {
            return JSON.createObjectNode();
        }
    }
}

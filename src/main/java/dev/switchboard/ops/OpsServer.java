package dev.switchboard.ops;

import dev.switchboard.config.Secret;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The operations HTTP server: {@code /healthz} (the process is alive), {@code /readyz} (it can answer messages) and
 * {@code /metrics} (Prometheus). With a token configured, every path but {@code /healthz} requires
 * {@code Authorization: Bearer <token>}. Thread-safe; start once, close once.
 */
public final class OpsServer implements AutoCloseable {

    private final Javalin app;
    private final String bind;
    private final int requestedPort;
    private final java.util.Set<String> selfAuthenticated = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public OpsServer(String bind, int port, Secret token, PrometheusMeterRegistry meters, Supplier<Readiness> readiness) {
        this.bind = bind;
        this.requestedPort = port;
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
        });
        app.beforeMatched(ctx -> {
            if (token.isPresent() && !ctx.path().equals("/healthz") && !selfAuthenticated.contains(ctx.path())
                    && !authorised(ctx, token)) {
                ctx.header("WWW-Authenticate", "Bearer");
                ctx.status(HttpStatus.UNAUTHORIZED).result("a bearer token is required (ops.token)\n");
                ctx.skipRemainingHandlers();
            }
        });
        app.get("/healthz", ctx -> ctx.result("ok\n"));
        app.get("/readyz", ctx -> {
            Readiness r = readiness.get();
            ctx.status(r.ready() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                    .json(new TreeMap<>(java.util.Map.of("ready", r.ready(), "components",
                            new TreeMap<>(r.components()))));
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(meters.scrape()));
    }

    private static boolean authorised(Context ctx, Secret token) {
        String header = ctx.header("Authorization");
        String expected = "Bearer " + token.reveal();
        return header != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Adds a POST route that authenticates its own callers (Slack's signed requests) and so skips the ops token.
     * Call before {@link #start()}.
     */
    public OpsServer selfAuthenticatedPost(String path, io.javalin.http.Handler handler) {
        selfAuthenticated.add(path);
        app.post(path, handler);
        return this;
    }

    /** Starts listening. @throws IllegalStateException naming the address when it cannot be bound */
    public OpsServer start() {
        try {
            app.start(bind, requestedPort);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the ops server cannot listen on " + bind + ":" + requestedPort
                    + " (" + rootMessage(e) + "); pick another ops.port or ops.bind", e);
        }
        return this;
    }

    /** The port actually bound (useful when the config asked for 0). */
    public int port() {
        return app.port();
    }

    public String url() {
        String host = bind.contains(":") ? "[" + bind + "]" : bind;
        return "http://" + host + ":" + port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}

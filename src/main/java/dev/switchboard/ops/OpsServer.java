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
 * The operations HTTP server: {@code /healthz} (the process is alive), {@code /readyz} (it can answer messages),
 * {@code /metrics} (Prometheus), and the status page at {@code /} with its data at {@code /status.json} and, pushed
 * every second while someone watches, at {@code /status/events} (server-sent events). With a token configured, every
 * path but {@code /healthz} requires {@code Authorization: Bearer <token>}; a browser opens the page once as
 * {@code /?token=…}, which sets a same-site, HTTP-only cookie for the rest. Thread-safe; start once, close once.
 */
public final class OpsServer implements AutoCloseable {

    private final Javalin app;
    private final String bind;
    private final int requestedPort;
    private final java.util.Set<String> selfAuthenticated = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<Watcher> watchers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Supplier<Status> status;
    private java.util.concurrent.ScheduledExecutorService pusher;

    public OpsServer(String bind, int port, Secret token, PrometheusMeterRegistry meters, Supplier<Readiness> readiness) {
        this(bind, port, token, meters, readiness, null);
    }

    /** @param status what the status page shows, or null for no page */
    public OpsServer(String bind, int port, Secret token, PrometheusMeterRegistry meters, Supplier<Readiness> readiness,
                     Supplier<Status> status) {
        this.status = status;
        this.bind = bind;
        this.requestedPort = port;
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            // Slack's HTTP-mode events can be large (a long message, many blocks); above the 1 MB default they were
            // refused before any handler could answer the user. Larger ones are not Slack's.
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
        });
        app.beforeMatched(ctx -> {
            if (token.isPresent() && ctx.path().equals("/") && ctx.queryParam("token") != null
                    && same(ctx.queryParam("token"), token.reveal())) {
                // A browser cannot send a bearer header: the token comes once in the address, then a cookie carries
                // its SHA-256 (cookie-safe, and the token itself never sits in the browser).
                boolean https = "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto")) || ctx.scheme().equals("https");
                ctx.header("Set-Cookie", COOKIE + "=" + cookieValue(token) + "; Path=/; HttpOnly; SameSite=Strict"
                        + (https ? "; Secure" : ""));
                ctx.redirect("./"); // relative: right also behind a proxy that serves the page under a path
                ctx.skipRemainingHandlers();
                return;
            }
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
        if (status != null) {
            app.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").header("Cache-Control", "no-store")
                    .result(PAGE));
            app.get("/status.json", ctx -> ctx.contentType("application/json").header("Cache-Control", "no-store")
                    .result(StatusJson.write(status.get())));
            app.sse("/status/events", client -> {
                client.keepAlive();
                Watcher watcher = new Watcher(client, new java.util.concurrent.atomic.AtomicBoolean());
                client.onClose(() -> watchers.remove(watcher));
                watchers.add(watcher);
                send(watcher, StatusJson.write(status.get()));
            });
        }
    }

    private static final String COOKIE = "switchboard_ops";
    static final long MAX_REQUEST_BYTES = 8L * 1024 * 1024;
    private static final String PAGE = page();

    private static String page() {
        try (var in = OpsServer.class.getResourceAsStream("/status.html")) {
            return new String(java.util.Objects.requireNonNull(in, "status.html is missing from the jar")
                    .readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Sends the status to every open page; a page that went away is dropped. */
    private void push() {
        if (watchers.isEmpty()) {
            return;
        }
        String json;
        try {
            json = StatusJson.write(status.get());
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(OpsServer.class).warn("ops: the status could not be taken: {}",
                    e.toString());
            return;
        }
        for (Watcher watcher : watchers) {
            send(watcher, json);
        }
    }

    /**
     * One page's event stream. Writes go one at a time, each on its own virtual thread: a page that stops reading
     * holds up only itself, and while its last write hangs it simply misses updates.
     */
    private record Watcher(io.javalin.http.sse.SseClient client, java.util.concurrent.atomic.AtomicBoolean busy) { }

    private void send(Watcher watcher, String json) {
        if (watcher.client().terminated()) {
            watchers.remove(watcher);
            return;
        }
        if (!watcher.busy().compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("status-page-write").start(() -> {
            try {
                watcher.client().sendEvent("status", json);
            } catch (RuntimeException e) {
                watchers.remove(watcher);
                watcher.client().close();
            } finally {
                watcher.busy().set(false);
            }
        });
    }

    private static boolean authorised(Context ctx, Secret token) {
        String header = ctx.header("Authorization");
        if (header != null && same(header, "Bearer " + token.reveal())) {
            return true;
        }
        String cookie = ctx.cookie(COOKIE);
        return cookie != null && same(cookie, cookieValue(token));
    }

    private static String cookieValue(Secret token) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.reveal().getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static boolean same(String given, String expected) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
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
            if (status != null) {
                pusher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "status-page");
                    t.setDaemon(true);
                    return t;
                });
                pusher.scheduleWithFixedDelay(this::push, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
            }
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
        if (pusher != null) {
            pusher.shutdownNow();
        }
        watchers.forEach(w -> w.client().close());
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

package dev.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * An LLM provider on 127.0.0.1 that speaks the streaming wire formats of OpenAI ({@code POST /v1/chat/completions}),
 * Anthropic ({@code POST /v1/messages}), Gemini ({@code POST /v1beta/models/{model}:streamGenerateContent}) and
 * Ollama ({@code POST /api/chat}), and their models endpoints ({@link #serveModels}), scriptable per request: delay to the first token, token rate, HTTP errors with
 * {@code Retry-After}, an error event after HTTP 200, stalls, a cut connection, a stream without its terminal event,
 * a malformed chunk. It can also refuse connections altogether. Shared by tests and benchmarks. Thread-safe.
 */
public final class FakeProvider implements AutoCloseable {

    /** The wire format a request arrived in. */
    public enum Api { OPENAI, ANTHROPIC, GEMINI, OLLAMA }

    /** What goes wrong with a reply, if anything. */
    public sealed interface Fault {
        /** Nothing: a complete, well-formed stream. */
        record None() implements Fault { }

        /** An HTTP error before any stream, with the provider's error body and an optional Retry-After. */
        record HttpError(int status, String type, Integer retryAfterSeconds) implements Fault { }

        /** An HTTP error before any stream whose body is exactly {@code body}, as a real server words it. */
        record HttpErrorBody(int status, String body) implements Fault { }

        /**
         * HTTP 200, some tokens, then the provider's in-band error event in its own format: Anthropic
         * {@code event: error}, an OpenAI or Gemini {@code data: {"error": ...}} chunk, an Ollama {@code {"error": ...}}
         * line.
         */
        record InBandError(int afterTokens, String type) implements Fault { }

        /** The request read, then no status and no headers until the fake is closed (a server stuck before it answers). */
        record NoHeaders() implements Fault { }

        /** Headers sent, then nothing until the fake is closed. */
        record StallBeforeFirstToken() implements Fault { }

        /** Some tokens, then nothing until the fake is closed. */
        record StallAfter(int tokens) implements Fault { }

        /** Some tokens, then the connection is cut without ending the response. */
        record CutAfter(int tokens) implements Fault { }

        /** Every token, then the body ends without the terminal event ({@code [DONE]}, {@code message_stop}, ...). */
        record NoTerminalEvent() implements Fault { }

        /** Some tokens, then a chunk that is not valid JSON, then the rest. */
        record MalformedChunkAfter(int tokens) implements Fault { }
    }

    /** One scripted reply. */
    public record Script(String text, Duration firstTokenDelay, Duration tokenInterval, Fault fault,
                         List<FakeToolCalls.Call> toolCalls) {

        public Script(String text, Duration firstTokenDelay, Duration tokenInterval, Fault fault) {
            this(text, firstTokenDelay, tokenInterval, fault, List.of());
        }

        /** After its text (may be empty), the model asks for these tools, in the API's own wire format. */
        public static Script callTools(String text, FakeToolCalls.Call... calls) {
            return new Script(text, Duration.ZERO, Duration.ZERO, new Fault.None(), List.of(calls));
        }

        public Script {
            toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
            Objects.requireNonNull(text, "text");
            firstTokenDelay = firstTokenDelay == null ? Duration.ZERO : firstTokenDelay;
            tokenInterval = tokenInterval == null ? Duration.ZERO : tokenInterval;
            fault = fault == null ? new Fault.None() : fault;
        }

        public static Script answer(String text) {
            return new Script(text, Duration.ZERO, Duration.ZERO, new Fault.None());
        }

        public static Script fault(Fault fault) {
            return new Script("partial answer that will not finish", Duration.ZERO, Duration.ZERO, fault);
        }

        public Script paced(Duration firstToken, Duration interval) {
            return new Script(text, firstToken, interval, fault, toolCalls);
        }
    }

    /** A request as the fake received it. */
    /** One token as it left the fake (flushed): the stream's script, the token's index, when. */
    public record TokenSent(Script script, int index, Instant at) { }

    public record Received(Api api, String path, JsonNode body, String authorization) { }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConcurrentLinkedQueue<Script> queue = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile int keepReceived = Integer.MAX_VALUE;
    private final java.util.concurrent.atomic.AtomicInteger requestCount = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private volatile Function<Received, Script> fallback = r -> Script.answer("Hello from the fake provider.");
    private volatile CountDownLatch stalls = new CountDownLatch(1);
    private volatile Javalin server;
    private volatile java.util.function.Consumer<TokenSent> tokenListener = t -> { };
    private final int port;
    private volatile List<String> models = List.of();

    private FakeProvider(int port) {
        this.server = start(port);
        this.port = server.port();
    }

    public static FakeProvider start() {
        return new FakeProvider(0);
    }

    private Javalin start(int onPort) {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.jetty.modifyServer(server -> {
                if (server.getThreadPool() instanceof org.eclipse.jetty.util.thread.QueuedThreadPool pool) {
                    pool.setMaxThreads(600);
                }
            });
        });
        app.post("/v1/chat/completions", ctx -> serve(ctx, Api.OPENAI));
        app.post("/v1/messages", ctx -> serve(ctx, Api.ANTHROPIC));
        app.post("/v1beta/models/{modelAndMethod}", ctx -> serve(ctx, Api.GEMINI));
        app.post("/api/chat", ctx -> serve(ctx, Api.OLLAMA));
        // The models endpoints: OpenAI and Anthropic share the path, Anthropic's requests carry anthropic-version.
        app.get("/v1/models", ctx -> models(ctx, ctx.header("anthropic-version") != null ? Api.ANTHROPIC : Api.OPENAI));
        app.get("/v1beta/models", ctx -> models(ctx, Api.GEMINI));
        app.get("/api/tags", ctx -> models(ctx, Api.OLLAMA));
        app.start("127.0.0.1", onPort);
        return app;
    }

    /** The base URL a LangChain4j builder takes for this API. */
    public String baseUrl(Api api) {
        String root = "http://127.0.0.1:" + port;
        return switch (api) {
            case OPENAI, ANTHROPIC -> root + "/v1";
            case GEMINI -> root + "/v1beta";
            case OLLAMA -> root;
        };
    }

    public int port() {
        return port;
    }

    /**
     * The model ids the models endpoints list, in every wire format (Ollama's as given, so give {@code name:tag}).
     * None until set.
     */
    public FakeProvider serveModels(String... ids) {
        this.models = List.of(ids);
        return this;
    }

    /** Scripts the next replies, in order; when none is queued the fallback answers. */
    public FakeProvider enqueue(Script... scripts) {
        queue.addAll(List.of(scripts));
        return this;
    }

    /** How requests are answered when nothing is queued. */
    public FakeProvider otherwise(Function<Received, Script> answer) {
        this.fallback = answer;
        return this;
    }

    /** Keeps only the latest {@code n} requests in {@link #received()} (long runs); {@link #requests()} still counts all. */
    /** Told of every token right after it was flushed to the client (on the serving thread; keep it quick). */
    public FakeProvider onToken(java.util.function.Consumer<TokenSent> listener) {
        this.tokenListener = java.util.Objects.requireNonNull(listener);
        return this;
    }

    public FakeProvider keepReceived(int n) {
        this.keepReceived = n;
        return this;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public int requests() {
        return requestCount.get();
    }

    /** Streams being written right now. */
    public int activeStreams() {
        return active.get();
    }

    /** Stops listening: new connections are refused until {@link #acceptConnections()}. */
    public synchronized void refuseConnections() {
        stalls.countDown();
        server.stop();
        stalls = new CountDownLatch(1);
    }

    /** Listens again on the same port. */
    public synchronized void acceptConnections() {
        server = start(port);
    }

    @Override
    public synchronized void close() {
        stalls.countDown();
        server.stop();
    }

    // ---- serving ----

    /** Gemini's list comes in pages of this many models, so clients must follow nextPageToken. */
    private static final int GEMINI_PAGE = 2;

    private void models(Context ctx, Api api) {
        String auth = switch (api) {
            case OPENAI -> ctx.header("Authorization");
            case ANTHROPIC -> ctx.header("x-api-key");
            case GEMINI -> ctx.header("x-goog-api-key");
            case OLLAMA -> null;
        };
        received.add(new Received(api, ctx.path(), JSON.createObjectNode(), auth));
        requestCount.incrementAndGet();
        List<String> ids = models;
        ObjectNode body = JSON.createObjectNode();
        switch (api) {
            case OPENAI -> {
                body.put("object", "list");
                ArrayNode data = body.putArray("data");
                ids.forEach(id -> data.addObject().put("id", id).put("object", "model").put("created", 1_767_225_600)
                        .put("owned_by", "system"));
            }
            case ANTHROPIC -> {
                ArrayNode data = body.putArray("data");
                ids.forEach(id -> data.addObject().put("type", "model").put("id", id).put("display_name", id)
                        .put("created_at", "2026-01-01T00:00:00Z"));
                body.put("has_more", false);
                if (!ids.isEmpty()) {
                    body.put("first_id", ids.getFirst()).put("last_id", ids.getLast());
                }
            }
            case GEMINI -> {
                String token = ctx.queryParam("pageToken");
                int from = token == null ? 0 : Integer.parseInt(token);
                int to = Math.min(ids.size(), from + GEMINI_PAGE);
                ArrayNode page = body.putArray("models");
                ids.subList(from, to).forEach(id -> {
                    ObjectNode m = page.addObject().put("name", "models/" + id).put("version", "001")
                            .put("displayName", id).put("inputTokenLimit", 1_048_576).put("outputTokenLimit", 65_536);
                    m.putArray("supportedGenerationMethods").add("generateContent").add("countTokens");
                });
                if (to < ids.size()) {
                    body.put("nextPageToken", String.valueOf(to));
                }
            }
            case OLLAMA -> {
                ArrayNode list = body.putArray("models");
                ids.forEach(id -> {
                    ObjectNode m = list.addObject().put("name", id).put("model", id)
                            .put("modified_at", "2026-01-01T00:00:00.000000000Z").put("size", 2_019_393_189L)
                            .put("digest", "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72");
                    m.putObject("details").put("format", "gguf").put("family", "llama")
                            .put("parameter_size", "3.2B").put("quantization_level", "Q4_K_M");
                });
            }
        }
        ctx.contentType("application/json").result(body.toString());
    }

    private void serve(Context ctx, Api api) throws IOException {
        JsonNode body = JSON.readTree(ctx.body());
        String auth = switch (api) {
            case OPENAI -> ctx.header("Authorization");
            case ANTHROPIC -> ctx.header("x-api-key");
            case GEMINI -> ctx.header("x-goog-api-key");
            case OLLAMA -> null;
        };
        Received request = new Received(api, ctx.path(), body, auth);
        received.add(request);
        requestCount.incrementAndGet();
        while (received.size() > keepReceived) {
            received.removeFirst(); // a long run keeps only the latest: request bodies carry whole histories
        }
        Script script = queue.poll();
        if (script == null) {
            script = fallback.apply(request);
        }
        if (script.fault() instanceof Fault.HttpError error) {
            httpError(ctx, api, error);
            return;
        }
        if (script.fault() instanceof Fault.HttpErrorBody error) {
            ctx.status(error.status()).contentType("application/json").result(error.body());
            return;
        }
        if (script.fault() instanceof Fault.NoHeaders) {
            awaitClose();
            return;
        }
        active.incrementAndGet();
        try {
            stream(ctx, api, script, model(api, ctx, body));
        } finally {
            active.decrementAndGet();
        }
    }

    private static String model(Api api, Context ctx, JsonNode body) {
        if (api == Api.GEMINI) {
            String m = ctx.pathParam("modelAndMethod");
            return m.contains(":") ? m.substring(0, m.indexOf(':')) : m;
        }
        return body.path("model").asText("fake-model");
    }

    private static void httpError(Context ctx, Api api, Fault.HttpError error) {
        ObjectNode body = JSON.createObjectNode();
        String message = "fake " + error.type() + " (" + error.status() + ")";
        switch (api) {
            case OPENAI -> body.putObject("error").put("message", message).put("type", error.type())
                    .put("code", error.type());
            case ANTHROPIC -> {
                body.put("type", "error");
                body.putObject("error").put("type", error.type()).put("message", message);
            }
            case GEMINI -> body.putObject("error").put("code", error.status()).put("message", message)
                    .put("status", switch (error.status()) {
                        case 400 -> "INVALID_ARGUMENT";
                        case 403 -> "PERMISSION_DENIED";
                        case 404 -> "NOT_FOUND";
                        case 429 -> "RESOURCE_EXHAUSTED";
                        case 503 -> "UNAVAILABLE";
                        default -> "INTERNAL";
                    });
            case OLLAMA -> body.put("error", message);
        }
        if (error.retryAfterSeconds() != null) {
            ctx.header("Retry-After", Integer.toString(error.retryAfterSeconds()));
        }
        ctx.status(error.status()).contentType("application/json").result(body.toString());
    }

    private void stream(Context ctx, Api api, Script script, String model) throws IOException {
        ctx.status(200);
        ctx.res().setContentType(api == Api.OLLAMA ? "application/x-ndjson" : "text/event-stream");
        ctx.res().setHeader("Cache-Control", "no-cache");
        OutputStream out = ctx.res().getOutputStream();
        Wire wire = new Wire(api, model, out,
                ctx.bodyAsClass(JsonNode.class).path("stream_options").path("include_usage").asBoolean(false));
        wire.start();
        out.flush();
        Fault fault = script.fault();
        if (fault instanceof Fault.StallBeforeFirstToken) {
            stall(api, out);
            return;
        }
        pause(script.firstTokenDelay());
        List<String> tokens = tokens(script.text());
        for (int i = 0; i < tokens.size(); i++) {
            final int at = i;
            if (at > 0) {
                pause(script.tokenInterval());
            }
            switch (fault) {
                case Fault.StallAfter s when s.tokens() == at -> {
                    out.flush();
                    stall(api, out);
                    return;
                }
                case Fault.CutAfter c when c.tokens() == at -> {
                    out.flush();
                    cut(ctx);
                    return;
                }
                case Fault.InBandError e when e.afterTokens() == at -> {
                    wire.inBandError(e.type());
                    out.flush();
                    return;
                }
                case Fault.MalformedChunkAfter m when m.tokens() == at -> {
                    // The token's chunk arrives broken: a client that skips it leaves a hole in the text.
                    wire.malformed();
                    out.flush();
                    continue;
                }
                default -> { }
            }
            wire.token(tokens.get(i));
            out.flush();
            tokenListener.accept(new TokenSent(script, i, Instant.now()));
        }
        if (fault instanceof Fault.CutAfter || fault instanceof Fault.StallAfter) {
            // The fault was due after the last token: apply it there.
            if (fault instanceof Fault.StallAfter) {
                stall(api, out);
                return;
            }
            cut(ctx);
            return;
        }
        if (!script.toolCalls().isEmpty()) {
            FakeToolCalls.write(api, model, script.toolCalls(), wire::raw, wire.openAiUsage);
        } else if (!(fault instanceof Fault.NoTerminalEvent)) {
            wire.finish(tokens.size());
        }
        out.flush();
    }

    /** Drops the connection mid-response: no terminating chunk, no clean close. */
    private static void cut(Context ctx) {
        org.eclipse.jetty.server.Request base = org.eclipse.jetty.server.Request.getBaseRequest(ctx.req());
        base.getHttpChannel().abort(new IOException("fake provider cuts the connection"));
    }

    /**
     * Sends no tokens until the fake is closed. Server-sent-event streams get a comment every 100 ms, as real servers
     * send keep-alives: that is also how the fake learns that the client hung up (the write fails).
     */
    /** Waits, writing nothing, until the fake is closed (two minutes at most). */
    private void awaitClose() {
        try {
            stalls.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stall(Api api, OutputStream out) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try {
            while (System.nanoTime() < until && !stalls.await(100, TimeUnit.MILLISECONDS)) {
                if (api != Api.OLLAMA) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientHungUp) {
            // the stream is over
        }
    }

    /** Emulates generation time inside the fake; tests never wait on it for an outcome. */
    private static void pause(Duration d) {
        if (!d.isZero()) {
            LockSupport.parkNanos(d.toNanos());
        }
    }

    /** Splits text into word-sized tokens that join back to exactly the text. */
    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == ' ') {
                out.add(text.substring(start, i));
                start = i;
            }
        }
        return out;
    }

    /** Writes one API's stream format. */
    private static final class Wire {
        private final Api api;
        private final String model;
        private final OutputStream out;
        private final boolean openAiUsage;

        Wire(Api api, String model, OutputStream out, boolean openAiUsage) {
            this.api = api;
            this.model = model;
            this.out = out;
            this.openAiUsage = openAiUsage;
        }

        void start() throws IOException {
            switch (api) {
                case OPENAI -> data(chunk(JSON.createObjectNode().put("role", "assistant").put("content", ""), null));
                case ANTHROPIC -> {
                    ObjectNode start = JSON.createObjectNode().put("type", "message_start");
                    start.putObject("message").put("id", "msg_fake").put("type", "message").put("role", "assistant")
                            .put("model", model).putNull("stop_reason").putNull("stop_sequence")
                            .<ObjectNode>set("content", JSON.createArrayNode())
                            .putObject("usage").put("input_tokens", 12).put("output_tokens", 1);
                    event("message_start", start);
                    ObjectNode block = JSON.createObjectNode().put("type", "content_block_start").put("index", 0);
                    block.putObject("content_block").put("type", "text").put("text", "");
                    event("content_block_start", block);
                    event("ping", JSON.createObjectNode().put("type", "ping"));
                }
                case GEMINI, OLLAMA -> { }
            }
        }

        void token(String text) throws IOException {
            switch (api) {
                case OPENAI -> data(chunk(JSON.createObjectNode().put("content", text), null));
                case ANTHROPIC -> {
                    ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
                    delta.putObject("delta").put("type", "text_delta").put("text", text);
                    event("content_block_delta", delta);
                }
                case GEMINI -> data(gemini(text, null, 0));
                case OLLAMA -> line(ollama(text, false, 0));
            }
        }

        void finish(int outputTokens) throws IOException {
            switch (api) {
                case OPENAI -> {
                    data(chunk(JSON.createObjectNode(), "stop"));
                    if (openAiUsage) {
                        ObjectNode usage = JSON.createObjectNode().put("id", "chatcmpl-fake")
                                .put("object", "chat.completion.chunk").put("created", 1).put("model", model);
                        usage.putArray("choices");
                        usage.putObject("usage").put("prompt_tokens", 12).put("completion_tokens", outputTokens)
                                .put("total_tokens", 12 + outputTokens);
                        data(usage);
                    }
                    raw("data: [DONE]\n\n");
                }
                case ANTHROPIC -> {
                    event("content_block_stop", JSON.createObjectNode().put("type", "content_block_stop")
                            .put("index", 0));
                    ObjectNode delta = JSON.createObjectNode().put("type", "message_delta");
                    delta.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
                    delta.putObject("usage").put("output_tokens", outputTokens);
                    event("message_delta", delta);
                    event("message_stop", JSON.createObjectNode().put("type", "message_stop"));
                }
                case GEMINI -> data(gemini("", "STOP", outputTokens));
                case OLLAMA -> line(ollama("", true, outputTokens));
            }
        }

        void inBandError(String type) throws IOException {
            ObjectNode error = JSON.createObjectNode().put("type", "error");
            error.putObject("error").put("type", type).put("message", "fake in-band " + type);
            switch (api) {
                case ANTHROPIC -> event("error", error);
                case OPENAI -> data(JSON.createObjectNode().set("error", error.get("error")));
                // Gemini words its errors as {code, message, status}; the type goes where it puts its status.
                case GEMINI -> {
                    ObjectNode gemini = JSON.createObjectNode();
                    gemini.putObject("error").put("code", 500).put("message", "fake in-band " + type)
                            .put("status", type);
                    data(gemini);
                }
                case OLLAMA -> line(JSON.createObjectNode().put("error", "fake in-band " + type));
            }
        }

        void malformed() throws IOException {
            switch (api) {
                case OPENAI, GEMINI -> raw("data: {\"choices\":[{\"delta\":\n\n");
                case ANTHROPIC -> raw("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\n\n");
                case OLLAMA -> raw("{\"model\":\n");
            }
        }

        private ObjectNode chunk(ObjectNode delta, String finishReason) {
            ObjectNode chunk = JSON.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
                    .put("created", 1).put("model", model);
            ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
            choice.set("delta", delta);
            if (finishReason == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finishReason);
            }
            return chunk;
        }

        private ObjectNode gemini(String text, String finishReason, int outputTokens) {
            ObjectNode response = JSON.createObjectNode();
            ArrayNode candidates = response.putArray("candidates");
            ObjectNode candidate = candidates.addObject();
            ObjectNode content = candidate.putObject("content").put("role", "model");
            content.putArray("parts").addObject().put("text", text);
            candidate.put("index", 0);
            if (finishReason != null) {
                candidate.put("finishReason", finishReason);
                response.putObject("usageMetadata").put("promptTokenCount", 12)
                        .put("candidatesTokenCount", outputTokens).put("totalTokenCount", 12 + outputTokens);
            }
            response.put("modelVersion", model);
            return response;
        }

        private ObjectNode ollama(String text, boolean done, int outputTokens) {
            ObjectNode line = JSON.createObjectNode().put("model", model).put("created_at", "2026-11-24T00:00:00Z");
            line.putObject("message").put("role", "assistant").put("content", text);
            line.put("done", done);
            if (done) {
                line.put("done_reason", "stop").put("total_duration", 1000).put("prompt_eval_count", 12)
                        .put("eval_count", outputTokens);
            }
            return line;
        }

        private void data(JsonNode json) throws IOException {
            raw("data: " + json + "\n\n");
        }

        private void event(String name, JsonNode json) throws IOException {
            raw("event: " + name + "\ndata: " + json + "\n\n");
        }

        private void line(JsonNode json) throws IOException {
            raw(json + "\n");
        }

        void raw(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}

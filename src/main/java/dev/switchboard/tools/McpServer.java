package dev.switchboard.tools;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.mcp.client.DefaultMcpClient;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.mcp.client.transport.McpTransport;
import dev.langchain4j.mcp.client.transport.http.StreamableHttpMcpTransport;
import dev.langchain4j.mcp.client.transport.stdio.StdioMcpTransport;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.switchboard.routing.ToolResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MCP server through LangChain4j's client: connects in the background, keeps its tool list, checks its health
 * now and then, and when it is gone (a crashed stdio process, an HTTP server that stopped answering) connects again
 * with exponential backoff. Never logs the messages (tool results) nor the environment or headers. Thread-safe.
 */
final class McpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(McpServer.class);

    /** Where the connection is. */
    enum State { CONNECTING, CONNECTED, DOWN, CLOSED }

    private final ServerOptions options;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;
    private volatile McpClient client;
    private volatile List<ToolSpecification> tools = List.of();
    private volatile State state = State.CONNECTING;
    private volatile String lastError = "";
    private volatile int restarts;
    private CompletableFuture<McpClient> connecting;
    private ScheduledFuture<?> health;
    private boolean everConnected;

    /**
     * @param min first wait before connecting again; it doubles up to {@code max}
     * @param healthEvery how often a connected server is checked
     */
    record Backoff(Duration min, Duration max, Duration healthEvery) { }

    McpServer(ServerOptions options, ScheduledExecutorService scheduler, Backoff backoff) {
        this.options = options;
        this.scheduler = scheduler;
        this.backoff = backoff;
    }

    String name() {
        return options.name();
    }

    ServerOptions options() {
        return options;
    }

    State state() {
        return state;
    }

    String lastError() {
        return lastError;
    }

    int restarts() {
        return restarts;
    }

    /** Its tools while connected; empty otherwise. */
    List<ToolSpecification> tools() {
        return state == State.CONNECTED ? tools : List.of();
    }

    /** Starts connecting in the background, retrying with backoff until it works or the server is closed. */
    synchronized void start() {
        if (state == State.CLOSED || (connecting != null && !connecting.isDone())) {
            return;
        }
        state = State.CONNECTING;
        RetryPolicy<McpClient> retry = RetryPolicy.<McpClient>builder().handle(Exception.class)
                .withBackoff(backoff.min(), backoff.max()).withMaxRetries(-1)
                .onFailedAttempt(e -> {
                    lastError = e.getLastException().getClass().getSimpleName();
                    log.warn("MCP server could not be reached {} {}", kv("server", options.name()),
                            kv("error", lastError));
                })
                .build();
        connecting = Failsafe.with(retry).with(scheduler).getAsync(this::connectOnce);
        connecting.thenAccept(this::connected);
    }

    private McpClient connectOnce() {
        synchronized (this) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("closed");
            }
        }
        McpClient next = new DefaultMcpClient.Builder().key(options.name()).transport(transport())
                .clientName("switchboard").initializationTimeout(options.connectTimeout())
                .toolExecutionTimeout(options.callTimeout())
                .toolExecutionTimeoutErrorMessage(timeoutMessage())
                .build();
        try {
            List<ToolSpecification> listed = next.listTools();
            synchronized (this) {
                tools = List.copyOf(listed);
            }
            return next;
        } catch (RuntimeException e) {
            closeQuietly(next);
            throw e;
        }
    }

    private String timeoutMessage() {
        return "the tool did not answer within " + options.callTimeout().toMillis() + " ms";
    }

    private McpTransport transport() {
        if (options.stdio()) {
            return new StdioMcpTransport.Builder().command(options.command()).environment(options.env())
                    .logEvents(false).build();
        }
        return new StreamableHttpMcpTransport.Builder().url(options.url()).customHeaders(options.headers())
                .timeout(options.connectTimeout().plus(options.callTimeout())).logRequests(false)
                .logResponses(false).build();
    }

    private synchronized void connected(McpClient fresh) {
        if (state == State.CLOSED) {
            closeQuietly(fresh);
            return;
        }
        client = fresh;
        state = State.CONNECTED;
        lastError = "";
        if (everConnected) {
            restarts++;
        }
        everConnected = true;
        log.info("MCP server connected {} {} {}", kv("server", options.name()), kv("tools", tools.size()),
                kv("restarts", restarts));
        long every = backoff.healthEvery().toNanos();
        health = scheduler.scheduleWithFixedDelay(this::checkHealth, every, every, TimeUnit.NANOSECONDS);
    }

    private void checkHealth() {
        McpClient current = client;
        if (current == null || state != State.CONNECTED) {
            return;
        }
        try {
            current.checkHealth();
        } catch (RuntimeException e) {
            lost(current, e);
        }
    }

    /** The server is gone: drop the client and connect again with backoff. */
    private void lost(McpClient which, Throwable why) {
        synchronized (this) {
            if (client != which || state != State.CONNECTED) {
                return;
            }
            state = State.DOWN;
            client = null;
            lastError = why.getClass().getSimpleName();
            if (health != null) {
                health.cancel(false);
            }
        }
        log.warn("MCP server lost; connecting again {} {}", kv("server", options.name()), kv("error", lastError));
        closeQuietly(which);
        start();
    }

    /** Calls one of its tools, blocking until the answer or the call timeout. */
    ToolResult call(String tool, String arguments) {
        McpClient current = client;
        if (current == null || state != State.CONNECTED) {
            return ToolResult.failed("the tool's server " + options.name() + " is not connected");
        }
        try {
            ToolExecutionResult result = current.executeTool(ToolExecutionRequest.builder().name(tool)
                    .arguments(arguments == null || arguments.isBlank() ? "{}" : arguments).build());
            String text = result.resultText();
            return result.isError() || timeoutMessage().equals(text) ? ToolResult.failed(text)
                    : ToolResult.ok(text);
        } catch (dev.langchain4j.exception.ToolExecutionException e) {
            return ToolResult.failed(e.getMessage() == null ? "the tool failed" : e.getMessage());
        } catch (RuntimeException e) {
            scheduler.execute(this::checkHealth); // a dead process shows here first
            return ToolResult.failed("the tool failed: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        McpClient current;
        synchronized (this) {
            state = State.CLOSED;
            current = client;
            client = null;
            if (connecting != null) {
                connecting.cancel(true);
            }
            if (health != null) {
                health.cancel(false);
            }
        }
        if (current != null) {
            closeQuietly(current);
        }
    }

    private static void closeQuietly(McpClient c) {
        try {
            c.close();
        } catch (Exception e) {
            log.debug("closing an MCP client failed", e);
        }
    }
}

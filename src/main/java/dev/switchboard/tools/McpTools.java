package dev.switchboard.tools;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.switchboard.routing.ToolBox;
import dev.switchboard.routing.ToolResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The configured MCP servers as the router's {@link ToolBox}: offers their tools as {@code server__tool}, runs calls
 * on virtual threads within their deadline, counts them per tool (and in Micrometer as
 * {@code switchboard.tool.calls}, tagged server, tool and outcome), and reports every server for operators.
 */
public final class McpTools implements ToolBox, AutoCloseable {

    private final Map<String, McpServer> servers = new LinkedHashMap<>();
    private final Map<String, ToolStats> stats = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param scheduler runs connections, health checks and restarts; the caller owns it
     * @param restartMin first wait before a lost server is connected again (it doubles up to a minute)
     * @param healthEvery how often a connected server is checked
     */
    public McpTools(List<ServerOptions> options, ScheduledExecutorService scheduler, MeterRegistry meters,
                    Duration restartMin, Duration healthEvery) {
        this.meters = meters;
        McpServer.Backoff backoff = new McpServer.Backoff(restartMin,
                restartMin.compareTo(Duration.ofMinutes(1)) > 0 ? restartMin : Duration.ofMinutes(1), healthEvery);
        for (ServerOptions o : options) {
            servers.put(o.name(), new McpServer(o, scheduler, backoff));
        }
    }

    /** Starts connecting every server in the background; replies offer a server's tools once it is connected. */
    public McpTools start() {
        servers.values().forEach(McpServer::start);
        return this;
    }

    @Override
    public List<ToolSpecification> offered(List<String> patterns) {
        List<ToolSpecification> out = new ArrayList<>();
        for (McpServer server : servers.values()) {
            for (ToolSpecification spec : server.tools()) {
                if (ToolPatterns.matches(patterns, server.name(), spec.name())) {
                    out.add(spec.toBuilder().name(ToolBox.modelName(server.name(), spec.name())).build());
                }
            }
        }
        return out;
    }

    @Override
    public boolean needsApproval(String name) {
        String display = ToolBox.displayName(name);
        int slash = display.indexOf('/');
        McpServer server = slash < 0 ? null : servers.get(display.substring(0, slash));
        return server != null && server.options().needsApproval(display.substring(slash + 1));
    }

    @Override
    public CompletableFuture<ToolResult> call(ToolExecutionRequest call, Duration deadline) {
        String display = ToolBox.displayName(call.name());
        int slash = display.indexOf('/');
        McpServer server = slash < 0 ? null : servers.get(display.substring(0, slash));
        if (server == null) {
            return CompletableFuture.completedFuture(ToolResult.failed("no such tool: " + display));
        }
        String tool = display.substring(slash + 1);
        Duration limit = deadline.compareTo(server.options().callTimeout()) < 0 ? deadline
                : server.options().callTimeout();
        long began = System.nanoTime();
        return CompletableFuture.supplyAsync(() -> server.call(tool, call.arguments()), calls)
                .completeOnTimeout(ToolResult.failed("the tool did not answer within " + limit.toSeconds() + " s"),
                        limit.toNanos() + TimeUnit.MILLISECONDS.toNanos(250), TimeUnit.NANOSECONDS)
                .thenApply(result -> {
                    Duration took = Duration.ofNanos(System.nanoTime() - began);
                    stats.computeIfAbsent(display, k -> new ToolStats()).record(took, result.failed());
                    Timer.builder("switchboard.tool.calls").tag("server", server.name()).tag("tool", tool)
                            .tag("outcome", result.failed() ? "failed" : "ok").publishPercentiles(0.95)
                            .register(meters).record(took);
                    return result;
                });
    }

    /** Every server now, in config order, for {@code /switchboard tools} and the status page. */
    public List<ServerStatus> status() {
        List<ServerStatus> out = new ArrayList<>();
        for (McpServer server : servers.values()) {
            List<ToolStatus> tools = new ArrayList<>();
            for (ToolSpecification spec : server.tools()) {
                ToolStats s = stats.get(server.name() + "/" + spec.name());
                tools.add(s == null ? new ToolStatus(spec.name(), 0, 0, Duration.ZERO)
                        : new ToolStatus(spec.name(), s.calls(), s.failures(), s.p95()));
            }
            out.add(new ServerStatus(server.name(), server.options().stdio() ? "stdio" : "http",
                    server.state().name().toLowerCase(java.util.Locale.ROOT), server.lastError(), server.restarts(),
                    tools));
        }
        return out;
    }

    /**
     * One server as operators see it.
     *
     * @param transport stdio or http
     * @param state connecting, connected, down or closed
     * @param lastError the class of its last connection error, or empty
     * @param restarts times it was connected again after being lost
     */
    public record ServerStatus(String name, String transport, String state, String lastError, int restarts,
                               List<ToolStatus> tools) { }

    /** One tool's calls, failures and the 95th percentile of its recent call times. */
    public record ToolStatus(String name, long calls, long failures, Duration p95) { }

    @Override
    public void close() {
        servers.values().forEach(McpServer::close);
        calls.shutdownNow();
    }
}

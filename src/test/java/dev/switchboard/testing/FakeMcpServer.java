package dev.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A fake MCP server with the tools of {@link FakeMcpTools}, over Streamable HTTP ({@link #http(String)}: one
 * {@code POST /mcp} endpoint answering JSON, checking the {@code Authorization} header when given one) or over stdio
 * ({@link #main}: run as a child process by {@link #stdioCommand(Path)}, one JSON-RPC message per line, each request
 * answered on its own thread so that a hanging tool holds up no other).
 */
public final class FakeMcpServer implements AutoCloseable {

    private final Javalin app;
    private final FakeMcpTools tools = new FakeMcpTools(null, () -> { });

    private FakeMcpServer(String requiredAuthorization) {
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
        });
        app.post("/mcp", ctx -> {
            if (requiredAuthorization != null && !requiredAuthorization.equals(ctx.header("Authorization"))) {
                ctx.status(401).result("unauthorized");
                return;
            }
            JsonNode response = tools.handle(FakeMcpTools.JSON.readTree(ctx.body()));
            if (response == null) {
                ctx.status(202);
                return;
            }
            ctx.header("Mcp-Session-Id", "fake-session");
            ctx.contentType("application/json").result(response.toString());
        });
        app.get("/mcp", ctx -> ctx.status(405));
        app.delete("/mcp", ctx -> ctx.status(200));
        app.start("127.0.0.1", 0);
    }

    /** A Streamable HTTP server; with {@code requiredAuthorization} non-null, other requests get 401. */
    public static FakeMcpServer http(String requiredAuthorization) {
        return new FakeMcpServer(requiredAuthorization);
    }

    public String url() {
        return "http://127.0.0.1:" + app.port() + "/mcp";
    }

    /**
     * Top-level config for a service whose route {@code main} answers with {@code target} and may call this server's
     * tools (as {@code fake}), {@code add_note} only once approved (within 20 s).
     */
    public String routeWithTools(String target) {
        return """
                routing:
                  default_route: main
                  routes:
                    main: {targets: [%s], tools: [fake/*]}
                tools:
                  approval_timeout: 20s
                  servers:
                    fake: {url: %s, confirm: [add_note]}
                """.formatted(target, url());
    }

    /** Times a client listed the tools (once per connection). */
    public int listed() {
        return tools.listed();
    }

    /** Calls of {@code add_note} so far. */
    public int notes() {
        return tools.notes();
    }

    @Override
    public void close() {
        app.stop();
    }

    /**
     * The command line that runs this server over stdio with the test's JVM and class path; {@code add_note} appends
     * a line per call to {@code counter}.
     */
    public static List<String> stdioCommand(Path counter) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(FakeMcpServer.class.getName());
        command.add(counter.toString());
        return command;
    }

    /** How many times the stdio server's {@code add_note} ran, across restarts. */
    public static int notes(Path counter) throws java.io.IOException {
        return Files.exists(counter) ? Files.readAllLines(counter).size() : 0;
    }

    /** The stdio server: args[0] is the counter file. */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        FakeMcpTools tools = new FakeMcpTools(args.length > 0 ? Path.of(args[0]) : null,
                () -> Runtime.getRuntime().halt(3));
        var executor = Executors.newVirtualThreadPerTaskExecutor();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode message = FakeMcpTools.JSON.readTree(line);
            executor.execute(() -> {
                JsonNode response = tools.handle(message);
                if (response != null) {
                    synchronized (out) {
                        out.println(response);
                    }
                }
            });
        }
        Runtime.getRuntime().halt(0);
    }
}

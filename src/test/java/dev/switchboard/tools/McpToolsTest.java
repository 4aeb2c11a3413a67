package dev.switchboard.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.switchboard.routing.ToolResult;
import dev.switchboard.testing.FakeMcpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MCP client against the fake MCP server, over stdio (a child process) and Streamable HTTP. */
class McpToolsTest {

    @TempDir
    Path dir;

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private McpTools tools;
    private FakeMcpServer http;

    @AfterEach
    void close() {
        if (tools != null) {
            tools.close();
        }
        if (http != null) {
            http.close();
        }
        scheduler.shutdownNow();
    }

    private McpTools start(ServerOptions... servers) {
        tools = new McpTools(List.of(servers), scheduler, meters, Duration.ofMillis(100), Duration.ofMillis(200))
                .start();
        return tools;
    }

    private ServerOptions stdio(Duration callTimeout) {
        return new ServerOptions("local", FakeMcpServer.stdioCommand(dir.resolve("notes")),
                Map.of("FAKE_TOKEN", "secret-value-123"), null, Map.of(), Duration.ofSeconds(20), callTimeout,
                Set.of());
    }

    private static ToolExecutionRequest call(String name, String args) {
        return ToolExecutionRequest.builder().id("c1").name(name).arguments(args).build();
    }

    private static List<String> names(List<ToolSpecification> specs) {
        return specs.stream().map(ToolSpecification::name).toList();
    }

    @Test
    void aStdioServersToolsAreOfferedByPatternAndAnswer() {
        start(stdio(Duration.ofSeconds(5)));
        await().atMost(Duration.ofSeconds(30)).until(() -> !tools.offered(List.of("local/*")).isEmpty());

        assertThat(names(tools.offered(List.of("local/echo", "other/*")))).containsExactly("local__echo");
        assertThat(names(tools.offered(List.of("local/*")))).contains("local__echo", "local__add_note",
                "local__hang");
        assertThat(tools.offered(List.of())).isEmpty();
        assertThat(tools.call(call("local__echo", "{\"text\":\"hi\"}"), Duration.ofSeconds(5)).join())
                .isEqualTo(ToolResult.ok("echo: hi"));
        ToolResult failed = tools.call(call("local__fail", "{}"), Duration.ofSeconds(5)).join();
        assertThat(failed.failed()).isTrue();
        assertThat(failed.text()).contains("failed on purpose");
        assertThat(tools.call(call("nowhere__x", "{}"), Duration.ofSeconds(5)).join().failed()).isTrue();
        assertThat(tools.status().getFirst().tools()).anySatisfy(t -> {
            assertThat(t.name()).isEqualTo("fail");
            assertThat(t.calls()).isEqualTo(1);
            assertThat(t.failures()).isEqualTo(1);
        });
        assertThat(meters.find("switchboard.tool.calls").tag("tool", "echo").timer().count()).isEqualTo(1);
    }

    @Test
    void aHangingToolTimesOutAndOthersStillAnswer() {
        start(stdio(Duration.ofMillis(700)));
        await().atMost(Duration.ofSeconds(30)).until(() -> !tools.offered(List.of("local/*")).isEmpty());

        var hanging = tools.call(call("local__hang", "{}"), Duration.ofSeconds(30));
        assertThat(tools.call(call("local__echo", "{\"text\":\"meanwhile\"}"), Duration.ofSeconds(5)).join().text())
                .isEqualTo("echo: meanwhile");
        ToolResult result = hanging.join();
        assertThat(result.failed()).isTrue();
        assertThat(result.text()).contains("did not answer");
    }

    @Test
    void aCrashedStdioServerIsRestarted() throws Exception {
        start(stdio(Duration.ofSeconds(2)));
        await().atMost(Duration.ofSeconds(30)).until(() -> !tools.offered(List.of("local/*")).isEmpty());

        assertThat(tools.call(call("local__crash", "{}"), Duration.ofSeconds(5)).join().failed()).isTrue();

        await().atMost(Duration.ofSeconds(30)).until(() -> tools.status().getFirst().restarts() == 1
                && tools.status().getFirst().state().equals("connected"));
        assertThat(tools.call(call("local__add_note", "{\"text\":\"after\"}"), Duration.ofSeconds(5)).join().text())
                .startsWith("noted #1");
        assertThat(FakeMcpServer.notes(dir.resolve("notes"))).isEqualTo(1);
    }

    @Test
    void anHttpServerWithAnAuthorizationHeader() {
        http = FakeMcpServer.http("Bearer http-secret-456");
        start(new ServerOptions("remote", List.of(), Map.of(), http.url(),
                Map.of("Authorization", "Bearer http-secret-456"), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Set.of("add_note")));
        await().atMost(Duration.ofSeconds(30)).until(() -> !tools.offered(List.of("remote/*")).isEmpty());

        assertThat(tools.call(call("remote__add", "{\"a\":2,\"b\":3}"), Duration.ofSeconds(5)).join().text())
                .isEqualTo("5");
        assertThat(tools.needsApproval("remote__add_note")).isTrue();
        assertThat(tools.needsApproval("remote__add")).isFalse();
        assertThat(tools.call(call("remote__add_note", "{\"text\":\"x\"}"), Duration.ofSeconds(5)).join().text())
                .startsWith("noted #1");
        assertThat(http.notes()).isEqualTo(1);
        assertThat(new ServerOptions("remote", List.of(), Map.of(), http.url(),
                Map.of("Authorization", "Bearer http-secret-456"), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Set.of()).toString()).doesNotContain("http-secret-456");
    }

    @Test
    void aWrongHeaderNeverConnects() {
        http = FakeMcpServer.http("Bearer right");
        start(new ServerOptions("remote", List.of(), Map.of(), http.url(), Map.of("Authorization", "Bearer wrong"),
                Duration.ofSeconds(2), Duration.ofSeconds(2), Set.of()));

        await().atMost(Duration.ofSeconds(30)).until(() -> !tools.status().getFirst().lastError().isEmpty());
        assertThat(tools.offered(List.of("remote/*"))).isEmpty();
        assertThat(tools.status().getFirst().state()).isEqualTo("connecting");
    }
}

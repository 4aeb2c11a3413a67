package dev.switchboard.routing;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.switchboard.testing.FakeMcpServer;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeToolCalls.Call;
import dev.switchboard.tools.McpTools;
import dev.switchboard.tools.ServerOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The router's overhead per tool step. Run with {@code ./mvnw -B -Pbench test -Dtest=ToolStepBenchmark}. A reply with
 * three tool steps costs four model turns, three MCP calls and the router's work between them; the same reply
 * without tools costs one model turn. Per step: (with tools − without) / 3, less one model turn and one MCP call
 * measured alone, is what the router itself adds (building the next request with the calls and results so far,
 * starting the next attempt, status events, storing the record).
 */
@Tag("benchmark")
class ToolStepBenchmark {

    private static final int WARMUP = 50;
    private static final int RUNS = 300;

    @Test
    void overheadPerToolStep() throws Exception {
        ScheduledExecutorService scheduler = Router.scheduler(2, Thread.ofPlatform().daemon().factory());
        try (FakeProvider provider = FakeProvider.start(); FakeMcpServer mcp = FakeMcpServer.http(null);
             McpTools tools = new McpTools(List.of(new ServerOptions("fake", List.of(), Map.of(), mcp.url(),
                     Map.of(), Duration.ofSeconds(10), Duration.ofSeconds(10), Set.of())), scheduler,
                     new SimpleMeterRegistry(), Duration.ofMillis(100), Duration.ofSeconds(30)).start()) {
            Router router = TestRouters.router(TestRouters.twoProviders("openai", provider.baseUrl(Api.OPENAI), "",
                    provider.baseUrl(Api.ANTHROPIC), ""), scheduler, Clock.systemUTC());
            router.useTools(tools, new ToolOptions(Map.of("main", List.of("fake/*")), List.of(), 8, 20_000,
                    Duration.ofMinutes(1), Duration.ofMinutes(1)));
            org.awaitility.Awaitility.await().until(() -> !tools.offered(List.of("fake/*")).isEmpty());
            provider.otherwise(r -> {
                long steps = r.body().path("messages").findValues("tool_call_id").size();
                boolean plainQuestion = r.body().path("messages").findValuesAsText("content").contains("plain");
                return plainQuestion || steps >= 3 ? Script.answer("Done.")
                        : Script.callTools("", new Call("call_" + steps, "fake__echo", "{\"text\":\"x\"}"));
            });

            double plain = p50(() -> reply(router, "plain"));
            double threeSteps = p50(() -> reply(router, "tools"));
            double mcpCall = p50(() -> tools.call(ToolExecutionRequest.builder().id("c").name("fake__echo")
                    .arguments("{\"text\":\"x\"}").build(), Duration.ofSeconds(10)));
            var direct = dev.langchain4j.model.openai.OpenAiStreamingChatModel.builder()
                    .baseUrl(provider.baseUrl(Api.OPENAI)).apiKey("test-key-direct-000").modelName("model-a").build();
            double modelTurn = p50(() -> {
                CompletableFuture<Object> done = new CompletableFuture<>();
                direct.chat(List.of(dev.langchain4j.data.message.UserMessage.from("plain")),
                        new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
                            @Override
                            public void onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse r) {
                                done.complete(r);
                            }

                            @Override
                            public void onError(Throwable error) {
                                done.completeExceptionally(error);
                            }
                        });
                return done;
            });
            double perStep = (threeSteps - plain) / 3;
            System.out.printf("""
                    Tool steps: fake OpenAI-format provider (no delays) and fake MCP server over Streamable HTTP, \
                    both on 127.0.0.1; %d runs each, p50
                    | path | p50 |
                    |---|---:|
                    | reply without tools (one model turn) | %.2f ms |
                    | reply with three tool steps (four model turns, three MCP calls) | %.2f ms |
                    | one model turn alone (LangChain4j direct, same fake) | %.2f ms |
                    | one MCP call alone (McpTools) | %.2f ms |
                    | per tool step: (three steps − none) / 3 | %.2f ms |
                    | router overhead per step: that − one model turn − one MCP call | %.2f ms |
                    %n""", RUNS, plain, threeSteps, modelTurn, mcpCall, perStep, perStep - modelTurn - mcpCall);
            router.close();
        } finally {
            scheduler.shutdownNow();
        }
    }

    private static CompletableFuture<?> reply(Router router, String question) {
        return router.reply(TestRouters.question(question), new ReplyListener() {
            @Override
            public void onToken(String text) {
            }

            @Override
            public void onDone(ReplyOutcome outcome) {
                if (!(outcome instanceof ReplyOutcome.Completed)) {
                    throw new IllegalStateException("the benchmark's reply failed: " + outcome);
                }
            }
        }).outcome();
    }

    private static double p50(Supplier<CompletableFuture<?>> run) throws Exception {
        for (int i = 0; i < WARMUP; i++) {
            run.get().get(30, TimeUnit.SECONDS);
        }
        long[] took = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            run.get().get(30, TimeUnit.SECONDS);
            took[i] = System.nanoTime() - start;
        }
        Arrays.sort(took);
        return took[RUNS / 2] / 1e6;
    }
}

package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.FakeMcpServer;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeToolCalls;
import dev.switchboard.testing.FakeToolCalls.Call;
import dev.switchboard.tools.McpTools;
import dev.switchboard.tools.ServerOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tool loop through the router, with real LangChain4j streaming models against the fake provider (tool calls in
 * each API's wire format) and real MCP calls to the fake MCP server over Streamable HTTP.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ToolLoopTest {

    private final FakeProvider primary = FakeProvider.start();
    private final FakeProvider secondary = FakeProvider.start();
    private final FakeMcpServer mcp = FakeMcpServer.http(null);
    private final ScheduledExecutorService scheduler = Router.scheduler(2, Thread.ofPlatform().daemon().factory());
    private McpTools tools;
    private Router router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        if (tools != null) {
            tools.close();
        }
        primary.close();
        secondary.close();
        mcp.close();
        scheduler.shutdownNow();
    }

    private Router router(Api api, int maxSteps, Duration callTimeout, Set<String> confirm, Duration approvalTimeout) {
        return router(api, maxSteps, callTimeout, confirm, approvalTimeout, "retry: {max_attempts: 1}");
    }

    private Router router(Api api, int maxSteps, Duration callTimeout, Set<String> confirm, Duration approvalTimeout,
                          String primaryRetry) {
        String yaml = TestRouters.twoProviders(api.name().toLowerCase(Locale.ROOT), primary.baseUrl(api),
                primaryRetry, secondary.baseUrl(Api.ANTHROPIC), "retry: {max_attempts: 1}");
        router = TestRouters.router(yaml, scheduler, Clock.systemUTC());
        tools = new McpTools(List.of(new ServerOptions("fake", List.of(), Map.of(), mcp.url(), Map.of(),
                Duration.ofSeconds(10), callTimeout, confirm)), scheduler, new SimpleMeterRegistry(),
                Duration.ofMillis(100), Duration.ofSeconds(5)).start();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> !tools.offered(List.of("fake/*")).isEmpty());
        router.useTools(tools, new ToolOptions(Map.of("main", List.of("fake/*")), List.of(), maxSteps, 200,
                Duration.ofMinutes(1), approvalTimeout));
        return router;
    }

    private Router router(Api api) {
        return router(api, 8, Duration.ofSeconds(5), Set.of(), Duration.ofSeconds(30));
    }

    /** Hears statuses and answers approvals as told. */
    static final class Listener implements ReplyListener {
        final StringBuilder text = new StringBuilder();
        final List<ToolStatus> statuses = new CopyOnWriteArrayList<>();
        final CompletableFuture<ReplyOutcome> outcome = new CompletableFuture<>();
        Function<ToolStatus, CompletableFuture<Boolean>> approve = s -> CompletableFuture.completedFuture(false);

        @Override
        public synchronized void onToken(String t) {
            text.append(t);
        }

        @Override
        public void onToolStatus(ToolStatus status) {
            statuses.add(status);
        }

        @Override
        public CompletableFuture<Boolean> onApprovalNeeded(ToolStatus call) {
            return approve.apply(call);
        }

        @Override
        public void onDone(ReplyOutcome o) {
            outcome.complete(o);
        }

        ReplyOutcome.Completed completed() {
            ReplyOutcome o = outcome.orTimeout(40, TimeUnit.SECONDS).join();
            assertThat(o).isInstanceOf(ReplyOutcome.Completed.class);
            return (ReplyOutcome.Completed) o;
        }
    }

    private Listener ask(String question) {
        Listener l = new Listener();
        router.reply(TestRouters.question(question), l);
        return l;
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void oneToolCall_inEachWireFormat(Api api) {
        router(api);
        primary.enqueue(Script.callTools("", new Call("call_1", "fake__echo", "{\"text\":\"hello\"}")),
                Script.answer("The tool said hello."));

        Listener l = ask("say hello through the tool");

        assertThat(l.completed().text()).isEqualTo("The tool said hello.");
        assertThat(FakeToolCalls.offered(primary.received().getFirst())).contains("fake__echo", "fake__add_note");
        List<FakeToolCalls.Result> results = FakeToolCalls.results(primary.received().get(1));
        assertThat(results).hasSize(1);
        assertThat(results.getFirst().text()).contains("echo: hello");
        assertThat(l.statuses).extracting(ToolStatus::state)
                .containsExactly(ToolStatus.State.RUNNING, ToolStatus.State.DONE);
        assertThat(l.statuses.getFirst().line()).contains("fake/echo").contains("text: \"hello\"");
    }

    @Test
    void twoCallsInOneStep_bothResultsGoBackInOrder() {
        router(Api.OPENAI);
        primary.enqueue(Script.callTools("Let me check.", new Call("call_a", "fake__add", "{\"a\":1,\"b\":2}"),
                new Call("call_b", "fake__echo", "{\"text\":\"two\"}")), Script.answer("3 and two."));

        Listener l = ask("both");

        assertThat(l.completed().text()).isEqualTo("Let me check.\n\n3 and two.");
        assertThat(l.text.toString()).isEqualTo("Let me check.\n\n3 and two.");
        assertThat(FakeToolCalls.results(primary.received().get(1))).containsExactly(
                new FakeToolCalls.Result("call_a", "3"), new FakeToolCalls.Result("call_b", "echo: two"));
    }

    @Test
    void twoCallsInOneStep_runInParallel() {
        router(Api.OPENAI, 8, Duration.ofMillis(800), Set.of(), Duration.ofSeconds(30));
        primary.enqueue(Script.callTools("", new Call("call_a", "fake__hang", "{}"), new Call("call_b", "fake__hang",
                "{}")), Script.answer("Neither answered."));

        Listener l = ask("two slow ones");

        assertThat(l.completed().text()).isEqualTo("Neither answered.");
        // Both began before either ended: one after the other would interleave RUNNING and FAILED.
        assertThat(l.statuses).extracting(ToolStatus::state).containsExactly(ToolStatus.State.RUNNING,
                ToolStatus.State.RUNNING, ToolStatus.State.FAILED, ToolStatus.State.FAILED);
    }

    @Test
    void aRetryAfterAToolResult_neverRunsTheToolAgain() {
        router(Api.OPENAI, 8, Duration.ofSeconds(5), Set.of(), Duration.ofSeconds(30),
                "retry: {max_attempts: 3, initial_delay: 10ms, max_delay: 20ms}");
        primary.enqueue(Script.callTools("", new Call("call_r", "fake__add_note", "{\"text\":\"once\"}")),
                Script.fault(new FakeProvider.Fault.HttpError(503, "overloaded", null)),
                Script.answer("Noted once."));

        Listener l = ask("note once");

        assertThat(l.completed().text()).isEqualTo("Noted once.");
        assertThat(primary.requests()).isEqualTo(3);
        assertThat(mcp.notes()).isEqualTo(1);
        assertThat(FakeToolCalls.results(primary.received().get(2)))
                .containsExactly(new FakeToolCalls.Result("call_r", "noted #1: once"));
    }

    @Test
    void aChainOfThreeSteps() {
        router(Api.ANTHROPIC);
        primary.enqueue(Script.callTools("", new Call("toolu_1", "fake__add", "{\"a\":1,\"b\":1}")),
                Script.callTools("", new Call("toolu_2", "fake__add", "{\"a\":2,\"b\":2}")),
                Script.callTools("", new Call("toolu_3", "fake__echo", "{\"text\":\"done\"}")),
                Script.answer("All three done."));

        Listener l = ask("chain");

        assertThat(l.completed().text()).isEqualTo("All three done.");
        assertThat(primary.requests()).isEqualTo(4);
        assertThat(FakeToolCalls.results(primary.received().get(3))).extracting(FakeToolCalls.Result::text)
                .containsExactly("2", "4", "echo: done");
    }

    @Test
    void maxStepsReached_theModelIsAskedToAnswerWithWhatItHas() {
        router(Api.OPENAI, 2, Duration.ofSeconds(5), Set.of(), Duration.ofSeconds(30));
        for (int i = 1; i <= 3; i++) {
            primary.enqueue(Script.callTools("", new Call("call_" + i, "fake__add_note", "{\"text\":\"n" + i + "\"}")));
        }
        primary.enqueue(Script.answer("Here is what I have."));

        Listener l = ask("loop forever");

        assertThat(l.completed().text()).isEqualTo("Here is what I have.");
        assertThat(mcp.notes()).as("the third call never ran").isEqualTo(2);
        var last = primary.received().get(3);
        assertThat(FakeToolCalls.results(last).getLast().text()).startsWith("Not run");
        assertThat(last.body().toString()).contains("Answer now with what you have");
    }

    @Test
    void aToolTimeout_isAFailedResultTheModelReads() {
        router(Api.OPENAI, 8, Duration.ofMillis(500), Set.of(), Duration.ofSeconds(30));
        primary.enqueue(Script.callTools("", new Call("call_h", "fake__hang", "{}")),
                Script.answer("The tool did not answer."));

        Listener l = ask("hang");

        assertThat(l.completed().text()).isEqualTo("The tool did not answer.");
        assertThat(FakeToolCalls.results(primary.received().get(1)).getFirst().text()).contains("did not answer");
        assertThat(l.statuses.getLast().state()).isEqualTo(ToolStatus.State.FAILED);
    }

    @Test
    void hugeResultsAreCut() {
        router(Api.OPENAI);
        primary.enqueue(Script.callTools("", new Call("call_x", "fake__huge", "{\"chars\":100000}")),
                Script.answer("Big."));

        ask("huge").completed();

        String result = FakeToolCalls.results(primary.received().get(1)).getFirst().text();
        assertThat(result).hasSizeLessThan(400).contains("more characters cut");
    }

    @Test
    void primaryFailsAfterAToolResult_theFallbackContinuesWithoutRunningTheToolAgain() {
        router(Api.OPENAI);
        primary.enqueue(Script.callTools("", new Call("call_n", "fake__add_note", "{\"text\":\"once\"}")),
                Script.fault(new FakeProvider.Fault.HttpError(500, "server_error", null)));
        secondary.enqueue(Script.answer("Noted, from the backup."));

        Listener l = ask("note it");

        ReplyOutcome.Completed done = l.completed();
        assertThat(done.text()).isEqualTo("Noted, from the backup.");
        assertThat(done.target().provider()).isEqualTo("secondary");
        assertThat(mcp.notes()).as("the side effect ran once").isEqualTo(1);
        assertThat(FakeToolCalls.results(secondary.received().getFirst()))
                .containsExactly(new FakeToolCalls.Result("call_n", "noted #1: once"));
    }

    @Test
    void confirm_approved_runsTheTool() {
        router(Api.OPENAI, 8, Duration.ofSeconds(5), Set.of("add_note"), Duration.ofSeconds(30));
        primary.enqueue(Script.callTools("", new Call("call_c", "fake__add_note", "{\"text\":\"ok\"}")),
                Script.answer("Done."));
        Listener l = new Listener();
        l.approve = s -> CompletableFuture.completedFuture(true);
        router.reply(TestRouters.question("note"), l);

        l.completed();
        assertThat(mcp.notes()).isEqualTo(1);
        assertThat(l.statuses).extracting(ToolStatus::state).containsExactly(
                ToolStatus.State.WAITING_FOR_APPROVAL, ToolStatus.State.RUNNING, ToolStatus.State.DONE);
    }

    @Test
    void confirm_deniedOrTimedOut_tellsTheModelTheUserDeclined() {
        router(Api.OPENAI, 8, Duration.ofSeconds(5), Set.of("add_note"), Duration.ofMillis(300));
        primary.enqueue(Script.callTools("", new Call("call_d", "fake__add_note", "{\"text\":\"no\"}")),
                Script.answer("Not done."),
                Script.callTools("", new Call("call_t", "fake__add_note", "{\"text\":\"late\"}")),
                Script.answer("Not done either."));

        Listener denied = ask("note");
        denied.completed();
        Listener timedOut = new Listener();
        timedOut.approve = s -> new CompletableFuture<>();
        router.reply(TestRouters.question("note"), timedOut);
        timedOut.completed();

        assertThat(mcp.notes()).isZero();
        assertThat(FakeToolCalls.results(primary.received().get(1)).getFirst().text()).contains("declined");
        assertThat(FakeToolCalls.results(primary.received().get(3)).getFirst().text()).contains("declined");
        assertThat(timedOut.statuses.getLast().state()).isEqualTo(ToolStatus.State.DECLINED);
    }

    @Test
    void noToolsAllowed_noneOffered() {
        router(Api.OPENAI);
        router.useTools(tools, ToolOptions.NONE);
        primary.enqueue(Script.answer("Plain."));

        assertThat(ask("q").completed().text()).isEqualTo("Plain.");
        assertThat(FakeToolCalls.offered(primary.received().getFirst())).isEmpty();
    }
}

package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Fault;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.RecordingListener;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 17, point 1: a prompt too long for the model is read as such on every provider and OpenAI-compatible server,
 * and gets the README's handling (a larger window, else half the history) instead of ending the reply as our bug.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContextTooLongTest {

    private static final String OLLAMA_400 = "{\"error\":\"the input length exceeds the context length\"}";
    private static final String ANSWER = "Answer after trimming.";
    private static final String BACKUP = "Backup answer from the second provider.";

    private final FakeProvider primary = FakeProvider.start();
    private final FakeProvider secondary = FakeProvider.start().otherwise(r -> Script.answer(BACKUP));
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stop() {
        primary.close();
        secondary.close();
        scheduler.shutdownNow();
    }

    private Router router(Api primaryApi, String secondaryWindow) {
        return TestRouters.router(TestRouters.twoProviders(primaryApi.name().toLowerCase(Locale.ROOT),
                primary.baseUrl(primaryApi), "retry: {max_attempts: 2, initial_delay: 10ms, max_delay: 1s}",
                secondary.baseUrl(Api.ANTHROPIC), secondaryWindow), scheduler, Clock.systemUTC());
    }

    private static ReplyOutcome.Completed completed(RecordingListener listener) {
        ReplyOutcome outcome = listener.await();
        assertThat(outcome).as("outcome, events %s", listener.events()).isInstanceOf(ReplyOutcome.Completed.class);
        assertThat(listener.violations()).isEmpty();
        return (ReplyOutcome.Completed) outcome;
    }

    @Test
    void ollamasContextError_fallsBackToAHealthyTarget_andIsNotLoggedAsOurBug() {
        Router router = router(Api.OLLAMA, "");
        primary.enqueue(Script.fault(new Fault.HttpErrorBody(400, OLLAMA_400)));
        RecordingListener listener = new RecordingListener();

        try (TestRouters.Logs logs = new TestRouters.Logs()) {
            router.reply(TestRouters.question("a question too long for the model"), listener);
            ReplyOutcome.Completed done = completed(listener);

            assertThat(done.text()).isEqualTo(BACKUP);
            assertThat(done.failures()).extracting(f -> f.failure().label()).containsExactly("context_too_long");
            assertThat(logs.errors()).noneMatch(line -> line.contains("Switchboard bug"));
        }
    }

    @Test
    void ollamasContextError_goesToALargerWindowFirst() {
        Router router = router(Api.OLLAMA, "context_windows: {model-b: 200000}");
        primary.enqueue(Script.fault(new Fault.HttpErrorBody(400, OLLAMA_400)), Script.answer(ANSWER));
        RecordingListener listener = new RecordingListener();

        router.reply(TestRouters.longConversation(100), listener);
        ReplyOutcome.Completed done = completed(listener);

        assertThat(done.text()).isEqualTo(BACKUP);
        assertThat(primary.requests()).isEqualTo(1);
    }

    @Test
    void ollamasContextError_withNoLargerWindow_isRetriedWithHalfTheHistory() {
        Router router = router(Api.OLLAMA, "");
        primary.enqueue(Script.fault(new Fault.HttpErrorBody(400, OLLAMA_400)), Script.answer(ANSWER));
        RecordingListener listener = new RecordingListener();

        router.reply(TestRouters.longConversation(400), listener);
        ReplyOutcome.Completed done = completed(listener);

        assertThat(done.text()).isEqualTo(ANSWER);
        assertThat(done.failures()).extracting(f -> f.failure().label()).containsExactly("context_too_long");
        int first = primary.received().get(0).body().path("messages").size();
        int second = primary.received().get(1).body().path("messages").size();
        assertThat(second).isLessThan(first);
        assertThat(done.omittedTurns()).isPositive();
    }

    static Stream<Arguments> contextErrors() {
        return Stream.of(
                Arguments.of(Api.OLLAMA, 400, OLLAMA_400),
                Arguments.of(Api.OLLAMA, 400, "{\"error\":\"input length exceeds maximum context length\"}"),
                Arguments.of(Api.OLLAMA, 400, "{\"error\":\"context length exceeded\"}"),
                Arguments.of(Api.OLLAMA, 500, "{\"error\":\"input exceeds context length\"}"),
                Arguments.of(Api.OPENAI, 400, """
                        {"error":{"message":"This model's maximum context length is 128000 tokens. However, your \
                        messages resulted in 130000 tokens. Please reduce the length of the messages.",\
                        "type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"""),
                // vLLM's OpenAI-compatible server, older and newer wordings.
                Arguments.of(Api.OPENAI, 400, """
                        {"object":"error","message":"This model's maximum context length is 4096 tokens. However, \
                        you requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the \
                        length of the messages or completion.","type":"BadRequestError","param":null,"code":400}"""),
                Arguments.of(Api.OPENAI, 400, """
                        {"object":"error","message":"The prompt (total length 5000) is longer than the model's \
                        maximum context length","type":"BadRequestError","param":null,"code":400}"""),
                // llama.cpp's server, older and newer wordings.
                Arguments.of(Api.OPENAI, 400, """
                        {"error":{"code":400,"message":"the request exceeds the available context size, try \
                        increasing it","type":"exceed_context_size_error","n_prompt_tokens":5000,"n_ctx":4096}}"""),
                Arguments.of(Api.OPENAI, 400, """
                        {"error":{"code":400,"message":"request (4476 tokens) exceeds the available context size \
                        (4096 tokens)","type":"exceed_context_size_error","n_prompt_tokens":4476,"n_ctx":4096}}"""),
                Arguments.of(Api.ANTHROPIC, 400, """
                        {"type":"error","error":{"type":"invalid_request_error",\
                        "message":"prompt is too long: 210000 tokens > 200000 maximum"}}"""),
                Arguments.of(Api.GEMINI, 400, """
                        {"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of \
                        tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}"""));
    }

    @ParameterizedTest
    @MethodSource("contextErrors")
    void everyWordingOfContextTooLong_isReadAsContextTooLong(Api api, int status, String body) {
        Router router = router(api, "");
        primary.enqueue(Script.fault(new Fault.HttpErrorBody(status, body)));
        RecordingListener listener = new RecordingListener();

        router.reply(TestRouters.question("hi"), listener);
        ReplyOutcome.Completed done = completed(listener);

        assertThat(done.text()).isEqualTo(BACKUP);
        assertThat(done.failures()).extracting(f -> f.failure().label()).containsExactly("context_too_long");
        assertThat(primary.requests()).as("not retried as if the server had trouble").isEqualTo(1);
    }
}

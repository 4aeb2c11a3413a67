package dev.switchboard.routing;

import dev.switchboard.RouterOptionsMapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failsafe.CircuitBreaker;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Fault;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.RecordingListener;
import dev.switchboard.testing.Turns;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The router with real LangChain4j clients against fake providers that misbehave on purpose. Deadlines, retry waits
 * and breaker windows run on a manual time that the tests move: no wall-clock bound anywhere.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RouterTest {

    private static final String ANSWER = "The quick brown fox jumps over the lazy dog.";
    private static final String BACKUP = "Backup answer from the second provider.";

    private final FakeProvider primary = FakeProvider.start();
    private final FakeProvider secondary = FakeProvider.start()
            .otherwise(r -> Script.answer(BACKUP));
    private final ManualRouterTime time = new ManualRouterTime();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private Router router;
    private SwitchboardConfig config;

    @AfterEach
    void stop() {
        primary.close();
        secondary.close();
    }

    private Router router(Api primaryApi, String extraPrimary) {
        String yaml = """
                providers:
                  primary:
                    type: %s
                    api_key: test-key-primary-000
                    base_url: %s
                    models: [model-a]
                    first_token_timeout: 800ms
                    idle_timeout: 800ms
                    total_timeout: 20s
                    retry: {max_attempts: 2, initial_delay: 50ms, max_delay: 2s}
                    breaker: {failure_rate: 50, minimum_calls: 2, window: 1m, open_for: 700ms}
                %s
                  secondary:
                    type: anthropic
                    api_key: test-key-secondary-000
                    base_url: %s
                    models: [model-b]
                routing:
                  default_route: main
                  routes:
                    main:
                      targets: [primary/model-a, {target: secondary/model-b, priority: 1}]
                      system_prompt: "Be brief in {channel}."
                """.formatted(primaryApi.name().toLowerCase(Locale.ROOT), primary.baseUrl(primaryApi), extraPrimary,
                secondary.baseUrl(Api.ANTHROPIC));
        config = new ConfigLoader().parse(yaml, "test.yaml", Map.of()).config();
        router = router(config, new Random(7), UsageLedger.NONE);
        return router;
    }

    private Router router(SwitchboardConfig config, Random random, UsageLedger ledger) {
        return new Router(RouterOptionsMapping.of(config), new ModelFactory(), time, time.clock(), random, meters,
                ledger);
    }

    private Router router() {
        return router(Api.OPENAI, "");
    }

    private RecordingListener ask(String question) {
        RecordingListener listener = new RecordingListener();
        router.reply(request(question), listener);
        return listener;
    }

    private static ReplyRequest request(String question) {
        return new ReplyRequest(Turns.slackKey("t1"), List.of(Turns.user("U1", question, Instant.now())), "Ada",
                "#general");
    }

    /** The reply's outcome; a retry waiting for its time is given it (nothing else moves time here). */
    private ReplyOutcome outcome(RecordingListener l) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
            if (l.events().stream().anyMatch(e -> e.startsWith("done"))) {
                return true;
            }
            time.runNextWait();
            return false;
        });
        return l.await();
    }

    private ReplyOutcome.Completed completed(RecordingListener l) {
        ReplyOutcome outcome = outcome(l);
        assertThat(outcome).as("outcome, events %s", l.events()).isInstanceOf(ReplyOutcome.Completed.class);
        assertThat(l.violations()).isEmpty();
        ReplyOutcome.Completed done = (ReplyOutcome.Completed) outcome;
        assertThat(l.visibleText()).as("what the user sees is exactly the answer").isEqualTo(done.text());
        return done;
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void eachProviderApi_streamsOneCompleteAnswer(Api api) {
        router(api, "");
        primary.enqueue(Script.answer(ANSWER).paced(Duration.ZERO, Duration.ofMillis(5)));

        ReplyOutcome.Completed done = completed(ask("hello?"));

        assertThat(done.text()).isEqualTo(ANSWER);
        assertThat(done.target().id()).isEqualTo("primary/model-a");
        assertThat(done.failures()).isEmpty();
        assertThat(done.usage().output()).isPositive();
        FakeProvider.Received request = primary.received().getFirst();
        assertThat(request.body().toString()).contains("Be brief in #general.").contains("hello?");
        assertThat(request.authorization() == null ? "" : request.authorization())
                .isEqualTo(api == Api.OLLAMA ? "" : api == Api.OPENAI ? "Bearer test-key-primary-000"
                        : "test-key-primary-000");
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void eachProviderApi_readsItsStreamOnAReaderOfItsOwnNotACommonPoolThread(Api api) throws Exception {
        router(api, "");
        primary.enqueue(Script.answer(ANSWER).paced(Duration.ZERO, Duration.ofMillis(5)));
        StreamingChatModel model = new ModelFactory().model(RouterOptionsMapping.of(config).providers().get("primary"), "model-a");
        java.util.Set<Thread> readers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        model.chat(ChatRequest.builder().messages(UserMessage.from("hello?")).build(),
                new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(String partial) {
                        readers.add(Thread.currentThread());
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                        readers.add(Thread.currentThread());
                        done.complete(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        done.completeExceptionally(error);
                    }
                });

        assertThat(done.get(10, TimeUnit.SECONDS).aiMessage().text()).isEqualTo(ANSWER);
        // LangChain4j reads the body blocking; on the common pool each open stream held one of its few threads.
        assertThat(readers).isNotEmpty().allSatisfy(t -> assertThat(t.getName()).startsWith("provider-stream-"));
    }

    @Test
    void serverErrors_areRetriedThenTheNextTargetAnswers() {
        router();
        primary.enqueue(Script.fault(new Fault.HttpError(500, "server_error", null)),
                Script.fault(new Fault.HttpError(503, "server_error", null)));

        ReplyOutcome.Completed done = completed(ask("hi"));

        assertThat(done.text()).isEqualTo(BACKUP);
        assertThat(primary.requests()).isEqualTo(2);
        assertThat(done.failures()).extracting(f -> f.failure().label()).containsExactly("server_error");
        assertThat(done.fellBack()).isTrue();
    }

    @Test
    void rateLimitWithAShortRetryAfter_waitsThatLongAndRetriesTheSameTarget() {
        router();
        primary.enqueue(Script.fault(new Fault.HttpError(429, "rate_limit_exceeded", 1)), Script.answer(ANSWER));
        long start = time.nanos();
        RecordingListener listener = ask("hi");
        await().atMost(Duration.ofSeconds(10)).until(time::waiting);
        time.advance(Duration.ofMillis(950));
        assertThat(primary.requests()).as("not retried before Retry-After").isEqualTo(1);

        ReplyOutcome.Completed done = completed(listener);

        assertThat(done.text()).isEqualTo(ANSWER);
        assertThat(primary.requests()).isEqualTo(2);
        assertThat(Duration.ofNanos(time.nanos() - start)).as("the retry waited for Retry-After")
                .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void rateLimitWithALongRetryAfter_fallsBackAtOnceAndTheProviderCoolsDown() {
        router();
        primary.enqueue(Script.fault(new Fault.HttpError(429, "rate_limit_exceeded", 120)));

        ReplyOutcome.Completed first = completed(ask("one"));
        ReplyOutcome.Completed second = completed(ask("two"));

        assertThat(first.text()).isEqualTo(BACKUP);
        assertThat(second.text()).isEqualTo(BACKUP);
        assertThat(primary.requests()).as("cooling down: not asked again").isEqualTo(1);
        assertThat(second.failures()).singleElement().satisfies(f ->
                assertThat(f.failure()).isEqualTo(new Failure.Unavailable("cooling down after a rate limit")));
    }

    @Test
    void overloadSentInsideAStreamAfterTokens_isReplacedByTheNextTargetsAnswer() {
        router(Api.ANTHROPIC, "");
        primary.enqueue(new Script(ANSWER, Duration.ZERO, Duration.ofMillis(5), new Fault.InBandError(3,
                "overloaded_error")));
        RecordingListener listener = ask("hi");

        ReplyOutcome.Completed done = completed(listener);

        assertThat(done.text()).isEqualTo(BACKUP);
        assertThat(done.failures()).extracting(f -> f.failure().label()).containsExactly("overloaded");
        assertThat(listener.events()).contains("reset primary/model-a overloaded -> secondary/model-b");
    }

    @Test
    void aPrimaryThatHangsBeforeTheFirstToken_costsOnlyTheFirstTokenDeadline() {
        router();
        primary.enqueue(Script.fault(new Fault.StallBeforeFirstToken()));
        long start = time.nanos();
        RecordingListener listener = ask("hi");
        await().atMost(Duration.ofSeconds(10)).until(() -> primary.activeStreams() == 1);
        time.advance(Duration.ofMillis(800));

        ReplyOutcome.Completed done = completed(listener);

        Duration took = Duration.ofNanos(time.nanos() - start);
        assertThat(done.text()).isEqualTo(BACKUP);
        assertThat(done.failures()).extracting(f -> f.failure().label()).containsExactly("timeout_first_token");
        assertThat(primary.requests()).as("a hang is not retried on the same target").isEqualTo(1);
        assertThat(took).as("only the first-token deadline passed").isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void aStreamThatStallsMidway_hitsTheIdleDeadlineAndIsReplaced() {
        router();
        primary.enqueue(new Script(ANSWER, Duration.ZERO, Duration.ZERO, new Fault.StallAfter(3)));
        RecordingListener listener = ask("hi");
        await().atMost(Duration.ofSeconds(10)).until(() -> !listener.visibleText().isEmpty());
        time.advance(Duration.ofMillis(800));

        ReplyOutcome.Completed done = completed(listener);

        assertThat(done.text()).isEqualTo(BACKUP);
        assertThat(done.failures()).extracting(f -> f.failure().label()).containsExactly("timeout_idle");
        assertThat(listener.events()).anyMatch(e -> e.startsWith("reset primary/model-a timeout_idle"));
    }

    @ParameterizedTest
    @EnumSource(value = Api.class, names = {"OPENAI", "ANTHROPIC", "OLLAMA"})
    void aConnectionCutMidStream_isReplacedByTheNextTarget(Api api) {
        router(api, "");
        // Cut twice: whether the client hands over the three tokens before it sees the cut (then the reply moves
        // on) or not (then the provider is retried once, as nothing was shown) depends on how the bytes arrive.
        primary.enqueue(new Script(ANSWER, Duration.ZERO, Duration.ofMillis(2), new Fault.CutAfter(3)),
                new Script(ANSWER, Duration.ZERO, Duration.ofMillis(2), new Fault.CutAfter(3)));

        ReplyOutcome.Completed done = completed(ask("hi"));

        assertThat(done.text()).isEqualTo(BACKUP);
        assertThat(done.failures()).isNotEmpty().extracting(f -> f.failure().label())
                .containsOnly("connection_failed");
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void aStreamWithoutItsTerminalEvent_isTreatedAsTruncated(Api api) {
        router(api, "");
        primary.enqueue(new Script(ANSWER, Duration.ZERO, Duration.ZERO, new Fault.NoTerminalEvent()),
                new Script(ANSWER, Duration.ZERO, Duration.ZERO, new Fault.NoTerminalEvent()));

        ReplyOutcome.Completed done = completed(ask("hi"));

        assertThat(done.text()).isEqualTo(BACKUP);
        assertThat(done.failures()).extracting(f -> f.failure().label()).containsExactly("truncated");
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void aMalformedChunk_endsInOneCompleteAnswerFromSomeTarget(Api api) {
        router(api, "");
        primary.enqueue(new Script(ANSWER, Duration.ZERO, Duration.ZERO, new Fault.MalformedChunkAfter(2)),
                new Script(ANSWER, Duration.ZERO, Duration.ZERO, new Fault.MalformedChunkAfter(2)));

        RecordingListener listener = ask("hi");
        ReplyOutcome outcome = outcome(listener);

        assertThat(listener.violations()).isEmpty();
        assertThat(outcome).isInstanceOf(ReplyOutcome.Completed.class);
        assertThat(listener.visibleText()).as("no hole in the text").isIn(ANSWER, BACKUP)
                .isEqualTo(((ReplyOutcome.Completed) outcome).text());
    }

    @Test
    void refusedConnections_fallBackWithoutRetrying() {
        router();
        primary.refuseConnections();

        ReplyOutcome.Completed done = completed(ask("hi"));

        assertThat(done.text()).isEqualTo(BACKUP);
        assertThat(done.failures()).extracting(f -> f.failure().label()).containsExactly("connection_failed");
    }

    @Test
    void theBreakerOpensAfterTheThreshold_isSkippedAtOnce_andAProbeClosesItAgain() {
        router();
        primary.otherwise(r -> Script.fault(new Fault.HttpError(500, "server_error", null)));
        completed(ask("one"));
        await().atMost(Duration.ofSeconds(5)).until(() -> router.breakerState("primary") == CircuitBreaker.State.OPEN);
        int asked = primary.requests();

        ReplyOutcome.Completed skipped = completed(ask("two"));

        assertThat(primary.requests()).as("an open breaker is not asked").isEqualTo(asked);
        assertThat(skipped.failures()).extracting(f -> f.failure().label()).containsExactly("unavailable");

        primary.otherwise(r -> Script.answer(ANSWER));
        time.advance(Duration.ofMillis(700)); // open_for
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                completed(ask("probe")).text().equals(ANSWER));
        assertThat(router.breakerState("primary")).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aRefusedKey_marksTheProviderMisconfiguredUntilAnOperatorResetsIt() {
        router();
        primary.enqueue(Script.fault(new Fault.HttpError(401, "invalid_api_key", null)));

        assertThat(completed(ask("one")).text()).isEqualTo(BACKUP);
        assertThat(completed(ask("two")).text()).isEqualTo(BACKUP);
        assertThat(primary.requests()).isEqualTo(1);
        assertThat(router.providers()).filteredOn(p -> p.name().equals("primary"))
                .singleElement().satisfies(p -> assertThat(p.unavailable()).contains("misconfigured"));

        router.setProviderEnabled("primary", true);
        primary.enqueue(Script.answer(ANSWER));
        assertThat(completed(ask("three")).text()).isEqualTo(ANSWER);
    }

    @Test
    void aBadRequest_isNotSentToAnotherTarget() {
        router();
        primary.enqueue(Script.fault(new Fault.HttpError(400, "invalid_request_error", null)));

        RecordingListener listener = ask("hi");
        ReplyOutcome outcome = outcome(listener);

        assertThat(outcome).isInstanceOf(ReplyOutcome.Failed.class);
        assertThat(((ReplyOutcome.Failed) outcome).userMessage()).contains("logged for the operators");
        assertThat(secondary.requests()).isZero();
    }

    @Test
    void everyTargetFailing_endsInOneFriendlyLineWithoutDetails() {
        router();
        primary.otherwise(r -> Script.fault(new Fault.HttpError(503, "server_error", null)));
        secondary.otherwise(r -> Script.fault(new Fault.HttpError(529, "overloaded_error", null)));

        RecordingListener listener = ask("hi");
        ReplyOutcome outcome = outcome(listener);

        assertThat(outcome).isInstanceOf(ReplyOutcome.Failed.class);
        String message = ((ReplyOutcome.Failed) outcome).userMessage();
        assertThat(message).contains("try again").doesNotContain("test-key", "503", "529", "Exception", "{");
        assertThat(listener.violations()).isEmpty();
        assertThat(listener.visibleText()).isEmpty();
    }

    @Test
    void cancellingMidStream_closesTheUpstreamStreamAndNothingArrivesAfter() {
        router();
        primary.enqueue(new Script(ANSWER.repeat(50), Duration.ZERO, Duration.ofMillis(100), new Fault.None()));
        RecordingListener listener = new RecordingListener();
        ReplyHandle handle = router.reply(request("long story please"), listener);
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.visibleText().length() > 10);

        handle.cancel("the user deleted the message");

        assertThat(listener.await()).isEqualTo(new ReplyOutcome.Cancelled("the user deleted the message"));
        // The scripted stream would run for a minute: only a closed connection ends it this soon.
        await().atMost(Duration.ofSeconds(3)).until(() -> primary.activeStreams() == 0);
        assertThat(listener.violations()).isEmpty();
        assertThat(secondary.requests()).isZero();
    }

    @Test
    void cancellingAStreamThatWentQuietMidway_returnsAtOnceAndClosesIt() {
        router();
        primary.enqueue(new Script(ANSWER, Duration.ZERO, Duration.ofMillis(10), new Fault.StallAfter(3)));
        RecordingListener listener = new RecordingListener();
        ReplyHandle handle = router.reply(request("hi"), listener);
        await().atMost(Duration.ofSeconds(5)).until(() -> !listener.visibleText().isEmpty());

        // The canceller may be a shutdown or a platform's event thread: it must not wait for the provider's next bytes.
        CompletableFuture<Void> cancelled = CompletableFuture.runAsync(() -> handle.cancel("gone"));
        await().atMost(Duration.ofSeconds(2)).until(cancelled::isDone);
        assertThat(listener.await()).isEqualTo(new ReplyOutcome.Cancelled("gone"));
        await().atMost(Duration.ofSeconds(3)).until(() -> primary.activeStreams() == 0);
    }

    @Test
    void cancellingBeforeTheFirstToken_alsoClosesTheUpstreamRequest() {
        router();
        primary.enqueue(Script.fault(new Fault.StallBeforeFirstToken()));
        RecordingListener listener = new RecordingListener();
        ReplyHandle handle = router.reply(request("hi"), listener);
        await().atMost(Duration.ofSeconds(5)).until(() -> primary.activeStreams() == 1);

        handle.cancel("superseded by a newer message");

        assertThat(listener.await()).isInstanceOf(ReplyOutcome.Cancelled.class);
        await().atMost(Duration.ofSeconds(3)).until(() -> primary.activeStreams() == 0);
    }

    @Test
    void aCancelledReply_givesItsStreamSlotBack() {
        router(Api.OPENAI, "    max_concurrent_streams: 1");
        primary.enqueue(Script.fault(new Fault.StallBeforeFirstToken()));
        RecordingListener first = new RecordingListener();
        ReplyHandle handle = router.reply(request("one"), first);
        await().atMost(Duration.ofSeconds(5)).until(() -> primary.activeStreams() == 1);
        handle.cancel("gone");
        first.await();
        primary.otherwise(r -> Script.answer(ANSWER));

        await().atMost(Duration.ofSeconds(5)).until(() -> completed(ask("again")).target().provider()
                .equals("primary"));
    }

    @Test
    void aCancelledHalfOpenProbe_doesNotCloseTheBreaker() {
        router();
        primary.otherwise(r -> Script.fault(new Fault.HttpError(500, "server_error", null)));
        completed(ask("one"));
        await().atMost(Duration.ofSeconds(5)).until(() -> router.breakerState("primary") == CircuitBreaker.State.OPEN);
        primary.otherwise(r -> Script.fault(new Fault.StallBeforeFirstToken()));
        time.advance(Duration.ofMillis(700)); // open_for
        // After open_for one reply becomes the probe; find it by its attempt, and cancel it while it waits.
        ReplyHandle probe = null;
        RecordingListener probeListener = null;
        for (int i = 0; i < 500 && probe == null; i++) {
            RecordingListener l = new RecordingListener();
            ReplyHandle h = router.reply(request("probe"), l);
            await().atMost(Duration.ofSeconds(5)).until(() -> l.events().stream()
                    .anyMatch(e -> e.startsWith("attempt primary") || e.startsWith("done")));
            if (l.events().stream().anyMatch(e -> e.startsWith("attempt primary"))) {
                probe = h;
                probeListener = l;
            }
        }
        assertThat(probe).as("a half-open probe happened").isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> primary.activeStreams() == 1);

        probe.cancel("gone");

        assertThat(probeListener.await()).isInstanceOf(ReplyOutcome.Cancelled.class);
        // The listener hears "cancelled" first; the attempt's end reaches the breaker a moment later.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(router.breakerState("primary")).isEqualTo(CircuitBreaker.State.OPEN));
        assertThat(probeListener.violations()).isEmpty();
    }

    @Test
    void retryAfter_isReadFromAnthropicsHeaderToo() {
        router(Api.ANTHROPIC, "");
        primary.enqueue(Script.fault(new Fault.HttpError(429, "rate_limit_error", 120)));

        assertThat(completed(ask("one")).text()).isEqualTo(BACKUP);
        assertThat(completed(ask("two")).failures()).singleElement().satisfies(f ->
                assertThat(f.failure()).isEqualTo(new Failure.Unavailable("cooling down after a rate limit")));
    }

    @Test
    void geminisWrongKeyAndContextErrors_areReadForWhatTheyAre() {
        router(Api.GEMINI, "");
        primary.enqueue(Script.fault(new Fault.HttpError(400, "API key not valid. Please pass a valid API key.",
                null)));

        assertThat(completed(ask("hi")).failures()).extracting(f -> f.failure().label())
                .containsExactly("authentication");
        assertThat(router.providers()).filteredOn(p -> p.name().equals("primary")).singleElement()
                .satisfies(p -> assertThat(p.unavailable()).contains("misconfigured"));
        assertThat(FailureClassifier.classify(new dev.langchain4j.exception.InvalidRequestException(
                "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."), 400, null))
                .isEqualTo(new Failure.ContextTooLong());
        assertThat(FailureClassifier.classify(new dev.langchain4j.exception.InvalidRequestException(
                "Invalid value for safety_identifier"), 400, null)).isInstanceOf(Failure.BadRequest.class);
    }

    @Test
    void closingTheRouter_cancelsRepliesInFlight() {
        router();
        primary.enqueue(Script.fault(new Fault.StallBeforeFirstToken()));
        RecordingListener listener = ask("hi");
        await().atMost(Duration.ofSeconds(5)).until(() -> primary.activeStreams() == 1);

        router.close();

        assertThat(listener.await()).isEqualTo(new ReplyOutcome.Cancelled("the service is shutting down"));
    }

    @Test
    void historyFromTheStore_andSeveralPeople_reachTheProviderWithNames() {
        router();
        primary.enqueue(Script.answer(ANSWER));
        Instant now = Instant.now();
        List<Turn> history = List.of(Turn.user("U1", "Ada", "What is 2+2?", now, List.of()),
                Turns.assistant("It is 4.", now), Turn.user("U2", "Grace", "And times 3?", now, List.of()));

        RecordingListener listener = new RecordingListener();
        router.reply(new ReplyRequest(Turns.slackKey("t"), history, "Grace", "#maths"), listener);
        completed(listener);

        String sent = primary.received().getFirst().body().toString();
        assertThat(sent).contains("Ada: What is 2+2?").contains("It is 4.").contains("Grace: And times 3?");
    }

    @Test
    void contextTooLong_withNoLargerWindowLeft_isRetriedWithLessHistory() {
        router(Api.OPENAI, "");
        primary.enqueue(Script.fault(new Fault.HttpError(400, "context_length_exceeded", null)), Script.answer(ANSWER));
        Instant now = Instant.now();
        List<Turn> history = new java.util.ArrayList<>();
        for (int i = 0; i < 400; i++) {
            history.add(Turns.user("U1", "old turn " + i + " " + "x".repeat(80), now));
        }
        history.add(Turns.user("U1", "the question", now));
        RecordingListener listener = new RecordingListener();
        router.reply(new ReplyRequest(Turns.slackKey("t"), history, "Ada", "#c"), listener);

        ReplyOutcome.Completed done = completed(listener);

        assertThat(done.text()).isEqualTo(ANSWER);
        assertThat(done.failures()).extracting(f -> f.failure().label()).containsExactly("context_too_long");
        int first = primary.received().get(0).body().path("messages").size();
        int second = primary.received().get(1).body().path("messages").size();
        assertThat(second).isLessThan(first);
        assertThat(done.omittedTurns()).isPositive();
    }

    @Test
    void contentFiltered_stopsWithAMessageByDefault() {
        router();
        primary.enqueue(Script.fault(new Fault.HttpError(400, "content_filter", null)));

        ReplyOutcome outcome = outcome(ask("something edgy"));

        assertThat(outcome).isInstanceOf(ReplyOutcome.Failed.class);
        assertThat(((ReplyOutcome.Failed) outcome).userMessage()).contains("declined");
        assertThat(secondary.requests()).isZero();
    }

    @Test
    void contentFiltered_fallsBackWhenConfiguredTo() {
        String yaml = """
                providers:
                  primary: {type: openai, api_key: k-0000000000, base_url: "%s", models: [m]}
                  secondary: {type: anthropic, api_key: k-0000000000, base_url: "%s", models: [n]}
                routing:
                  on_content_filter: fallback
                  default_route: r
                  routes:
                    r: {targets: [primary/m, {target: secondary/n, priority: 1}]}
                """.formatted(primary.baseUrl(Api.OPENAI), secondary.baseUrl(Api.ANTHROPIC));
        router = router(new ConfigLoader().parse(yaml, "t.yaml", Map.of()).config(), new Random(1), UsageLedger.NONE);
        primary.enqueue(Script.fault(new Fault.HttpError(400, "content_filter", null)));

        assertThat(completed(ask("something edgy")).text()).isEqualTo(BACKUP);
    }

    /** One stream at once for the primary; its idle deadline far beyond its first-token deadline (800 ms). */
    private Router routerWithOneStream(String targets) {
        String yaml = """
                providers:
                  primary: {type: openai, api_key: k-0000000000, base_url: "%s", models: [model-a],
                            first_token_timeout: 800ms, idle_timeout: 30s, total_timeout: 60s,
                            max_concurrent_streams: 1}
                  secondary: {type: anthropic, api_key: k-0000000000, base_url: "%s", models: [model-b]}
                routing:
                  default_route: main
                  routes:
                    main: {targets: [%s]}
                """.formatted(primary.baseUrl(Api.OPENAI), secondary.baseUrl(Api.ANTHROPIC), targets);
        router = router(new ConfigLoader().parse(yaml, "t.yaml", Map.of()).config(), new Random(7), UsageLedger.NONE);
        return router;
    }

    /** A reply that holds primary's one stream while it streams slowly, and a second one waiting in its line. */
    private List<RecordingListener> oneStreamingOneWaiting() {
        primary.otherwise(r -> Script.answer(ANSWER.repeat(5)).paced(Duration.ZERO, Duration.ofMillis(40)));
        RecordingListener first = ask("one");
        await().atMost(Duration.ofSeconds(5)).until(() -> !first.visibleText().isEmpty());
        RecordingListener waiting = ask("two");
        await().atMost(Duration.ofSeconds(5)).until(() -> primaryStreams().waiting() == 1);
        return List.of(first, waiting);
    }

    private Router.Streams primaryStreams() {
        return router.providers().stream().filter(p -> p.name().equals("primary")).findFirst().orElseThrow().streams();
    }

    @Test
    void aFullBulkhead_sendsTheNextReplyElsewhere_onceTheFirstTokenDeadlinePasses() {
        routerWithOneStream("primary/model-a, {target: secondary/model-b, priority: 1}");
        List<RecordingListener> replies = oneStreamingOneWaiting();
        RecordingListener first = replies.get(0);
        RecordingListener waiting = replies.get(1);

        time.advance(Duration.ofMillis(800));
        ReplyOutcome.Completed second = completed(waiting);

        assertThat(second.text()).isEqualTo(BACKUP);
        assertThat(second.failures()).extracting(f -> f.failure().label()).containsExactly("busy");
        assertThat(completed(first).text()).isEqualTo(ANSWER.repeat(5));
    }

    @Test
    void aFullBulkhead_queuesTheReply_oldestFirst_untilAStreamEnds() {
        routerWithOneStream("primary/model-a, {target: secondary/model-b, priority: 1}");
        primary.enqueue(Script.answer(ANSWER.repeat(3)).paced(Duration.ZERO, Duration.ofMillis(20)),
                Script.answer("second"), Script.answer("third"));
        RecordingListener first = ask("one");
        await().atMost(Duration.ofSeconds(5)).until(() -> !first.visibleText().isEmpty());
        RecordingListener second = ask("two");
        await().atMost(Duration.ofSeconds(5)).until(() -> primaryStreams().waiting() == 1);
        RecordingListener third = ask("three");
        await().atMost(Duration.ofSeconds(5)).until(() -> primaryStreams().waiting() == 2);
        time.advance(Duration.ofMillis(300));

        Router.Streams queued = primaryStreams();
        assertThat(queued.open()).isEqualTo(1);
        assertThat(queued.limit()).isEqualTo(1);
        assertThat(queued.oldestWait()).isEqualTo(Duration.ofMillis(300));
        assertThat(completed(first).text()).isEqualTo(ANSWER.repeat(3));
        ReplyOutcome.Completed secondDone = completed(second);
        assertThat(secondDone.text()).isEqualTo("second");
        assertThat(secondDone.failures()).isEmpty();
        assertThat(completed(third).text()).isEqualTo("third");
        assertThat(secondary.requests()).isZero();
        assertThat(meters.get("switchboard.provider.queue.wait").tag("provider", "primary").tag("outcome", "slot")
                .timer().count()).isEqualTo(2);
        assertThat(meters.get("switchboard.provider.queue").tag("provider", "primary").gauge().value()).isZero();
    }

    @Test
    void aFullBulkheadWithNoOtherTarget_saysTheServiceIsBusy_notTheProviders() {
        routerWithOneStream("primary/model-a");
        List<RecordingListener> replies = oneStreamingOneWaiting();
        RecordingListener first = replies.get(0);
        RecordingListener waiting = replies.get(1);

        time.advance(Duration.ofMillis(800));

        assertThat(outcome(waiting)).isInstanceOfSatisfying(ReplyOutcome.Failed.class, failed -> {
            assertThat(failed.userMessage()).contains("too many questions at once").doesNotContain("provider");
            assertThat(failed.failures()).extracting(f -> f.failure().label()).containsExactly("busy");
        });
        assertThat(primaryStreams().waiting()).isZero();
        assertThat(completed(first).text()).isEqualTo(ANSWER.repeat(5));
    }

    @Test
    void aReplyCancelledWhileWaitingForAStream_leavesTheLine() {
        routerWithOneStream("primary/model-a");
        primary.enqueue(Script.answer(ANSWER.repeat(3)).paced(Duration.ZERO, Duration.ofMillis(20)),
                Script.answer("third"));
        RecordingListener first = ask("one");
        await().atMost(Duration.ofSeconds(5)).until(() -> !first.visibleText().isEmpty());
        RecordingListener second = new RecordingListener();
        ReplyHandle handle = router.reply(request("two"), second);
        await().atMost(Duration.ofSeconds(5)).until(() -> primaryStreams().waiting() == 1);
        RecordingListener third = ask("three");
        await().atMost(Duration.ofSeconds(5)).until(() -> primaryStreams().waiting() == 2);

        handle.cancel("superseded");

        assertThat(primaryStreams().waiting()).isEqualTo(1);
        assertThat(outcome(second)).isInstanceOf(ReplyOutcome.Cancelled.class);
        assertThat(completed(first).text()).isEqualTo(ANSWER.repeat(3));
        assertThat(completed(third).text()).isEqualTo("third");
        assertThat(primary.requests()).isEqualTo(2);
    }

    @Test
    void metrics_countAttemptsFailuresFallbacksTokensAndTimes() {
        router();
        primary.enqueue(Script.fault(new Fault.HttpError(500, "server_error", null)),
                Script.fault(new Fault.HttpError(500, "server_error", null)));
        completed(ask("hi"));

        assertThat(meters.get("switchboard.provider.attempts").tag("provider", "primary").counter().count())
                .isEqualTo(2);
        assertThat(meters.get("switchboard.provider.failures").tag("class", "server_error").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("switchboard.reply.fallbacks").tag("provider", "secondary").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("switchboard.reply.first_token").tag("provider", "secondary").timer().count())
                .isEqualTo(1);
        assertThat(meters.get("switchboard.tokens").tag("direction", "output").counter().count()).isPositive();
        assertThat(meters.get("switchboard.replies.active").gauge().value()).isZero();
        // Two failures in two calls reach the 50 % threshold: the gauge shows the breaker open (2).
        assertThat(meters.get("switchboard.provider.breaker").tag("provider", "primary").gauge().value()).isEqualTo(2);
        assertThat(meters.get("switchboard.provider.breaker").tag("provider", "secondary").gauge().value()).isZero();
    }

    @Test
    void cost_isWorkedOutFromThePriceTable() {
        router(Api.OPENAI, "    prices: {model-a: {input: 1.0, output: 2.0}}");
        primary.enqueue(Script.answer(ANSWER));

        ReplyOutcome.Completed done = completed(ask("hi"));

        double expected = (done.usage().input() * 1.0 + done.usage().output() * 2.0) / 1_000_000;
        assertThat(done.costUsd()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12)).isPositive();
    }

    @Test
    void everyCompletedReply_isRecordedInTheUsageLedger(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        dev.switchboard.store.JsonLinesUsageLedger ledger = new dev.switchboard.store.JsonLinesUsageLedger(dir, true);
        SwitchboardConfig config = new ConfigLoader().parse("""
                providers:
                  primary: {type: openai, api_key: k-0000000000, base_url: "%s", models: [model-a],
                            prices: {model-a: {input: 1.0, output: 2.0}}}
                """.formatted(primary.baseUrl(Api.OPENAI)), "t.yaml", Map.of()).config();
        router = router(config, new Random(1), ledger);
        primary.otherwise(r -> Script.answer(ANSWER));
        Instant before = Instant.now().minusSeconds(1);
        completed(ask("one"));
        RecordingListener other = new RecordingListener();
        router.reply(new ReplyRequest(new dev.switchboard.conversation.ConversationKey("discord", "G1", "C7", "t"),
                List.of(Turns.user("U9", "two", Instant.now())), "Bo", "#x"), other);
        completed(other);

        assertThat(ledger.since(before)).hasSize(2);
        ledger.close();
        var byUser = new dev.switchboard.store.JsonLinesUsageLedger(dir, true)
                .totals(before, dev.switchboard.conversation.UsageRecord::user);
        assertThat(byUser).containsOnlyKeys("U1", "U9");
        assertThat(byUser.get("U1").outputTokens()).isPositive();
        assertThat(byUser.get("U1").costUsd()).isPositive();
        assertThat(ledger.totals(before, r -> r.platform() + "/" + r.channel())).containsOnlyKeys("discord/C7",
                "slack/C0001");
        assertThat(ledger.totals(before, dev.switchboard.conversation.UsageRecord::provider).get("primary").replies())
                .isEqualTo(2);
    }
}

package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.Turns;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Summaries are written by the route's cheapest target, in one request, and fail with a label, not text. */
class SummarizerTest {

    private final FakeProvider fake = FakeProvider.start();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);

    @AfterEach
    void stop() {
        fake.close();
        scheduler.shutdownNow();
    }

    private Router router(String primaryExtra, String secondaryExtra) {
        return TestRouters.router(TestRouters.twoProviders("openai", fake.baseUrl(Api.OPENAI), primaryExtra,
                fake.baseUrl(Api.ANTHROPIC), secondaryExtra), scheduler, Clock.systemUTC());
    }

    @Test
    void theCheapestTargetByConfiguredPrice_writesTheSummary_fromTheEarlierOneAndTheTurns() {
        Router router = router("prices: {model-a: {input: 1.00, output: 5.00}}",
                "prices: {model-b: {input: 0.10, output: 0.40}}");
        fake.otherwise(r -> Script.answer("the new summary"));

        Summarizer.Written written = router.summarizer().write(Turns.slackKey("t"), "the old summary",
                List.of(Turns.user("U1", "what about Lisbon?", Instant.now()),
                        Turns.user("U1", Turns.words(3, 33_000), Instant.now()))).join();

        assertThat(written).isEqualTo(new Summarizer.Written("the new summary", "secondary", "model-b"));
        FakeProvider.Received asked = fake.received().getLast();
        assertThat(asked.api()).isEqualTo(Api.ANTHROPIC);
        assertThat(asked.body().toString()).contains("running summary of a chat thread").contains("the old summary")
                .contains("User U1: what about Lisbon?");
    }

    @Test
    void afterAReplyOnTheSameClient_anOpenAiTargetWritesWhenCheapest_fromAWindowFullOfTurns() {
        Router router = router("prices: {model-a: {input: 0.01, output: 0.01}}", "");
        fake.otherwise(r -> Script.answer("the new summary"));

        dev.switchboard.testing.RecordingListener listener = new dev.switchboard.testing.RecordingListener();
        router.reply(TestRouters.question("hello"), listener);
        listener.await();
        List<dev.switchboard.conversation.Turn> many = new java.util.ArrayList<>();
        for (int i = 0; i < 95; i++) {
            many.add(Turns.user("U1", Turns.words(i, 3_000), Instant.now()));
        }
        Summarizer.Written written = router.summarizer().write(Turns.slackKey("t"), "", many).join();

        assertThat(written).isEqualTo(new Summarizer.Written("the new summary", "primary", "model-a"));
    }

    @Test
    void withoutPrices_theRoutesLastTargetWrites() {
        Router router = router("", "");

        assertThat(router.summarizer().target(Turns.slackKey("t")).id()).isEqualTo("secondary/model-b");
        // model-b is in no table: the cautious 8,192 tokens, less room for the answer and the instructions.
        assertThat(router.summarizer().inputChars(Turns.slackKey("t"))).isEqualTo((8_192 - 2_048 - 1_024) * 3);
    }

    @Test
    void aFailingTarget_failsWithItsFailureClass_notWithWhatItSaid() {
        Router router = router("", "");
        fake.otherwise(r -> Script.fault(new FakeProvider.Fault.HttpError(500, "api_error", null)));

        assertThatThrownBy(() -> router.summarizer().write(Turns.slackKey("t"), "", List.of(Turns.user("U1",
                "secret words", Instant.now()))).join())
                .cause().isInstanceOf(Summarizer.Failed.class).hasMessage("secondary/model-b: server_error");
    }
}

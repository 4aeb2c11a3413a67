package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Fault;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.RecordingListener;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue 17, point 5: one fault, one class, whatever the wire format (status, metrics and footers read them). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamFaultsTest {

    private static final String ANSWER = "The quick brown fox jumps over the lazy dog.";
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

    static Stream<Arguments> faults() {
        Stream.Builder<Arguments> all = Stream.builder();
        for (Api api : Api.values()) {
            all.add(Arguments.of(api, new Fault.InBandError(2, "api_error"), "server_error"));
            all.add(Arguments.of(api, new Fault.InBandError(0, "api_error"), "server_error"));
            all.add(Arguments.of(api, new Fault.InBandError(2, "overloaded_error"), "overloaded"));
            all.add(Arguments.of(api, new Fault.MalformedChunkAfter(2), "malformed"));
            all.add(Arguments.of(api, new Fault.MalformedChunkAfter(0), "malformed"));
        }
        return all.build();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("faults")
    void oneFault_oneClass_onEveryWireFormat(Api api, Fault fault, String label) {
        Router router = TestRouters.router(TestRouters.twoProviders(api.name().toLowerCase(Locale.ROOT),
                primary.baseUrl(api), "retry: {max_attempts: 1}", secondary.baseUrl(Api.ANTHROPIC), ""), scheduler,
                Clock.systemUTC());
        primary.enqueue(new Script(ANSWER, Duration.ZERO, Duration.ofMillis(2), fault));
        RecordingListener listener = new RecordingListener();

        router.reply(TestRouters.question("hi"), listener);
        ReplyOutcome outcome = listener.await();

        assertThat(outcome).as("events %s", listener.events()).isInstanceOf(ReplyOutcome.Completed.class);
        ReplyOutcome.Completed done = (ReplyOutcome.Completed) outcome;
        assertThat(listener.violations()).isEmpty();
        assertThat(done.text()).isEqualTo(BACKUP);
        assertThat(done.failures()).extracting(f -> f.failure().label()).containsExactly(label);
    }
}

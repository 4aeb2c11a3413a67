package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failsafe.CircuitBreaker;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A provider's breaker and marks on injected time: its window, its open period and what availability says. */
class ProviderBreakerTest {

    private final ManualRouterTime time = new ManualRouterTime();

    private ProviderState provider() {
        RouterOptions.Provider options = new RouterOptions.Provider(RouterOptions.Api.OPENAI, true,
                URI.create("http://127.0.0.1:9"), new RouterOptions.ApiKey("k"), List.of("m"), Map.of(), Map.of(),
                new RouterOptions.Deadlines(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofSeconds(10)), 4, new RouterOptions.Retry(2, Duration.ofMillis(10),
                Duration.ofSeconds(2)), new RouterOptions.Breaker(50, 4, Duration.ofMinutes(1),
                Duration.ofSeconds(30)));
        return new ProviderState("p", options, new ModelFactory(), time.clock(), time, state -> { }, null);
    }

    private static Attempt.Failed serverError() {
        return new Attempt.Failed(new Failure.ServerError(500), false);
    }

    @Test
    void breaker_opensAtTheFailureRate_andHalfOpensOnlyWhenOpenForHasPassedOnTheInjectedTime() {
        ProviderState p = provider();
        p.recordOutcome(null);
        p.recordOutcome(null);
        p.recordOutcome(serverError());
        assertThat(p.breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);

        p.recordOutcome(serverError()); // 2 of 4 calls: 50 %

        assertThat(p.breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(p.availability()).isEqualTo(new Availability.BreakerOpen(time.clock().instant()
                .plusSeconds(30)));
        time.advance(Duration.ofSeconds(29));
        assertThat(p.breaker.tryAcquirePermit()).isFalse();
        time.advance(Duration.ofSeconds(1));
        assertThat(p.breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(p.availability()).isEqualTo(new Availability.On());
        assertThat(p.breaker.tryAcquirePermit()).as("one probe").isTrue();
        assertThat(p.breaker.tryAcquirePermit()).isFalse();
        p.recordOutcome(null);
        assertThat(p.breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void breaker_forgetsFailuresOlderThanItsWindow() {
        ProviderState p = provider();
        p.recordOutcome(serverError());
        p.recordOutcome(serverError());
        p.recordOutcome(serverError());
        time.advance(Duration.ofSeconds(61));

        p.recordOutcome(serverError());

        assertThat(p.breaker.getState()).as("one call in the window, fewer than minimum_calls")
                .isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void availability_namesEachMark() {
        ProviderState p = provider();
        assertThat(p.availability()).isEqualTo(new Availability.On());
        p.record(new Failure.RateLimited(Duration.ofMinutes(5)));
        assertThat(p.availability()).isEqualTo(new Availability.CoolingDown(time.clock().instant()
                .plus(Duration.ofMinutes(5))));
        p.record(new Failure.Authentication());
        assertThat(p.availability()).isEqualTo(new Availability.Misconfigured());
        p.setTurnedOff(true);
        assertThat(p.availability()).isEqualTo(new Availability.TurnedOff());
        assertThat(p.availability().deliberate()).isTrue();
        p.setTurnedOff(false);
        assertThat(p.availability()).isEqualTo(new Availability.On());
    }
}

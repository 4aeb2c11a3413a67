package dev.switchboard.routing;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.failsafe.CircuitBreaker;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every configured provider's state (policies, health, marks), replaced whole on reload. Thread-safe: readers need no
 * lock, changes are serialised.
 */
final class ProviderRegistry {

    private static final Logger log = LoggerFactory.getLogger(ProviderRegistry.class);

    /** Replaced whole on reconfigure, never changed in place: readers need no lock. */
    private volatile Map<String, ProviderState> providers = Map.of();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
    private final ModelFactory models;
    private final RouterTime time;
    private final Clock clock;
    private final MeterRegistry meters;
    /** The nodes of a cluster each provider's streams are divided among. */
    private volatile int nodes = 1;

    ProviderRegistry(Map<String, RouterOptions.Provider> configured, ModelFactory models,
                     RouterTime time, Clock clock, MeterRegistry meters) {
        this.models = models;
        this.time = time;
        this.clock = clock;
        this.meters = meters;
        Map<String, ProviderState> built = new LinkedHashMap<>();
        configured.forEach((name, p) -> built.put(name, newState(name, p, null)));
        this.providers = Collections.unmodifiableMap(built);
    }

    /** The provider's current state, or null when it is not configured (any more). */
    ProviderState get(String name) {
        return providers.get(name);
    }

    java.util.Set<String> names() {
        return providers.keySet();
    }

    private ProviderState newState(String name, RouterOptions.Provider p, ProviderState replacing) {
        // One gauge per provider name, reading whichever state is current: a replaced state cannot overwrite it.
        gauges.computeIfAbsent(name, n -> Gauge.builder("switchboard.provider.breaker", this,
                        registry -> registry.breakerCode(n))
                .tag("provider", n).description("0 closed, 1 half-open, 2 open").register(meters));
        gauges.computeIfAbsent(name + " queue", unused -> Gauge.builder("switchboard.provider.queue", this,
                        registry -> registry.slots(name, StreamSlots.Snapshot::waiting))
                .tag("provider", name).description("tries waiting for a stream slot").register(meters));
        gauges.computeIfAbsent(name + " streams", unused -> Gauge.builder("switchboard.provider.streams", this,
                        registry -> registry.slots(name, StreamSlots.Snapshot::open))
                .tag("provider", name).description("streams open").register(meters));
        StreamSlots slots = replacing != null && replacing.config.maxConcurrentStreams() == p.maxConcurrentStreams()
                ? replacing.slots : new StreamSlots(name, p.maxConcurrentStreams(), time, meters);
        slots.share(nodes);
        return new ProviderState(name, p, models, clock, time, state -> log.warn("circuit breaker {} {}",
                state.name().toLowerCase(Locale.ROOT), kv("provider", name)), slots);
    }

    /** Each provider's streams are divided among {@code nodes} from now on. */
    void shareStreams(int nodes) {
        this.nodes = nodes;
        providers.values().forEach(p -> p.slots.share(nodes));
    }

    private double slots(String provider, java.util.function.ToIntFunction<StreamSlots.Snapshot> figure) {
        ProviderState p = providers.get(provider);
        return p == null ? Double.NaN : figure.applyAsInt(p.slots.snapshot());
    }

    private double breakerCode(String provider) {
        ProviderState p = providers.get(provider);
        if (p == null) {
            return Double.NaN;
        }
        return switch (p.breaker.getState()) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        };
    }

    /**
     * Takes a new set of providers. One whose settings did not change keeps its breaker, marks and statistics; a
     * changed one starts afresh (an operator's "off" is kept); a removed one is skipped by replies still in flight.
     */
    synchronized Router.Changes reconfigure(Map<String, RouterOptions.Provider> configured) {
        Map<String, ProviderState> before = providers;
        Map<String, ProviderState> after = new LinkedHashMap<>();
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        configured.forEach((name, p) -> {
            ProviderState old = before.get(name);
            if (old != null && old.config.equals(p)) {
                after.put(name, old);
                return;
            }
            ProviderState fresh = newState(name, p, old);
            if (old != null) {
                if (old.turnedOff()) {
                    fresh.setTurnedOff(true);
                }
                changed.add(name);
            } else {
                added.add(name);
            }
            after.put(name, fresh);
        });
        List<String> removed = before.keySet().stream().filter(n -> !after.containsKey(n)).toList();
        this.providers = Collections.unmodifiableMap(after);
        return new Router.Changes(added, changed, removed);
    }

    /** Takes a provider out of rotation (an open switch) or puts it back, clearing its marks. */
    synchronized boolean setEnabled(String name, boolean enabled) {
        ProviderState p = providers.get(name);
        if (p == null) {
            return false;
        }
        p.setTurnedOff(!enabled);
        log.info("provider turned {} {}", enabled ? "on" : "off", kv("provider", name));
        return true;
    }

    /** A snapshot of each provider, in config order. */
    List<Router.ProviderStatus> statuses() {
        List<Router.ProviderStatus> out = new ArrayList<>();
        providers.forEach((name, p) -> {
            StreamSlots.Snapshot slots = p.slots.snapshot();
            out.add(new Router.ProviderStatus(name, p.availability(),
                    p.breaker.getState().name().toLowerCase(Locale.ROOT), p.lastFailure(), p.lastFailureAt(),
                    new Router.Streams(slots.open(), slots.limit(), slots.waiting(), slots.oldestWait())));
        });
        return out;
    }

    /** One tiny request to every model of every active provider, without retries. */
    List<Router.Check> check() {
        List<CompletableFuture<Router.Check>> checks = new ArrayList<>();
        providers.forEach((name, p) -> {
            if (!p.config.active()) {
                return;
            }
            for (String model : p.config.models()) {
                checks.add(check(name, p, model));
            }
        });
        return checks.stream().map(CompletableFuture::join).toList();
    }

    private CompletableFuture<Router.Check> check(String name, ProviderState p, String model) {
        long start = time.nanos();
        ChatRequest ping = ChatRequest.builder()
                .messages(List.of(UserMessage.from("Reply with the single word: ok"))).build();
        Attempt attempt = new Attempt(new Object(), p.model(model), ping, p.config.deadlines(), time,
                (a, t) -> true);
        return attempt.start().handle((done, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            Failure failure = cause == null ? null : cause instanceof Attempt.Failed f ? f.failure
                    : FailureClassifier.classify(cause, 0, null);
            return new Router.Check(name, model, failure, Duration.ofNanos(time.nanos() - start));
        });
    }

    /** For tests: the current breaker state of a provider. */
    CircuitBreaker.State breakerState(String provider) {
        return providers.get(provider).breaker.getState();
    }
}

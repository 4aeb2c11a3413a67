package dev.switchboard.ops;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.StoreStats;
import dev.switchboard.routing.Router;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers what operators see (the {@link Status}) and whether the service can answer (the {@link Readiness}) from
 * the router, the chat platforms and the store. Thread-safe.
 */
public final class StatusBoard {

    private static final Logger log = LoggerFactory.getLogger(StatusBoard.class);

    /**
     * A chat platform as operations see it.
     *
     * @param name slack or discord
     * @param configured its state when it does not run: "off (disabled in the config)", "off (no token)"
     * @param link what its latency measures, e.g. "gateway heartbeat"
     * @param reconnecting what it does while not connected, e.g. "reconnecting"
     * @param connection its live state, or null when it does not run in this process
     */
    public record Platform(String name, String configured, String link, String reconnecting, Connection connection) {
    }

    /** A running platform's connection. */
    public interface Connection {
        boolean connected();

        /** The last round trip, or null before one was measured. */
        Duration latency();
    }

    /**
     * The storage backend and its check.
     *
     * @param name files or postgres
     * @param problem a real check: null when the backend can be used, else why not in a few words; may take
     *     seconds, so the board runs it at most every {@link #CHECK_EVERY}
     */
    public record Backend(String name, Supplier<String> problem) {
        /** The data folder: nothing to reach, so nothing to check. */
        public static Backend files() {
            return new Backend("files", () -> null);
        }
    }

    /** A backend is checked at most this often; between checks the last answer stands. */
    static final Duration CHECK_EVERY = Duration.ofSeconds(5);

    private final Router router;
    private final Backend backend;
    private volatile Supplier<List<Status.Node>> nodes = List::of;
    private final ReentrantLock checking = new ReentrantLock();
    private volatile Instant checkedAt;
    private volatile String lastProblem;
    private final Clock clock;
    private final Supplier<List<Platform>> platforms;
    /** The data folder is walked to measure it: at most every half minute, in the background after the first. */
    private final LoadingCache<Boolean, StoreStats> storeStats;
    /** The share of 👍 per model; the first look counts, later ones refresh in the background. */
    private final LoadingCache<Boolean, List<dev.switchboard.conversation.FeedbackTally>> feedback;

    /**
     * @param platforms the platforms as they are now (a platform starts after the board is built)
     * @param measureStore measures the store; may be slow, runs in the background
     */
    public StatusBoard(Router router, Clock clock, Supplier<List<Platform>> platforms,
                       Supplier<StoreStats> measureStore) {
        this(router, clock, platforms, measureStore, Backend.files());
    }

    /** @param backend the storage backend, checked for readiness and shown in the status */
    public StatusBoard(Router router, Clock clock, Supplier<List<Platform>> platforms,
                       Supplier<StoreStats> measureStore, Backend backend) {
        this(router, clock, platforms, measureStore, backend, List::of);
    }

    /** @param feedback the verdicts on answers per model, from the store; counted at most every ten seconds */
    public StatusBoard(Router router, Clock clock, Supplier<List<Platform>> platforms,
                       Supplier<StoreStats> measureStore, Backend backend,
                       Supplier<List<dev.switchboard.conversation.FeedbackTally>> feedback) {
        this.feedback = Caffeine.newBuilder().refreshAfterWrite(Duration.ofSeconds(10)).build(unused -> {
            try {
                return feedback.get();
            } catch (StoreException e) {
                log.debug("store: verdicts could not be counted: {}", e.getMessage());
                return List.of();
            }
        });
        this.router = router;
        this.backend = backend;
        this.clock = clock;
        this.platforms = platforms;
        this.storeStats = Caffeine.newBuilder().refreshAfterWrite(Duration.ofSeconds(30)).build(unused -> {
            try {
                return measureStore.get();
            } catch (StoreException e) {
                // A folder deleted during the walk (retention, forget): no figures until the next look retries.
                log.debug("store: could not be measured: {}", e.getMessage());
                return null;
            }
        });
    }

    /** Shows the nodes of a cluster this process is one of (read on every look, from the database). */
    public void showNodes(Supplier<List<Status.Node>> nodes) {
        this.nodes = nodes;
    }

    private List<Status.Node> nodes() {
        try {
            return nodes.get();
        } catch (StoreException e) {
            log.debug("cluster: the nodes could not be listed: {}", e.getMessage());
            return List.of();
        }
    }

    /** Starts the first measurement of the store in the background, so that the first status need not wait. */
    public void measureStoreSoon() {
        storeStats.refresh(Boolean.TRUE);
    }

    /** Providers with their last hour, adapters, the store, replies in flight, fallbacks. */
    public Status status() {
        Instant now = clock.instant();
        List<Status.Provider> providers = new ArrayList<>();
        for (Router.ProviderStatus p : router.providers()) {
            providers.add(new Status.Provider(p.name(), Status.health(p, now), p.unavailable(), p.breaker(),
                    p.lastFailure(), p.lastFailureAt(), router.stats().summary(p.name()),
                    router.stats().series(p.name()), p.streams()));
        }
        List<Status.Adapter> adapters = new ArrayList<>();
        for (Platform platform : platforms.get()) {
            if (platform.connection() != null) {
                adapters.add(new Status.Adapter(platform.name(), platform.connection().connected(), platform.link(),
                        platform.connection().latency()));
            }
        }
        return new Status(now, providers, adapters, storeStats(), router.active(), router.stats().recentFallbacks(),
                new Status.StoreBackend(backend.name(), backendProblem()), feedback.get(Boolean.TRUE), nodes());
    }

    /** Ready means a message can get an answer: an adapter is connected and a provider is in rotation. */
    public Readiness readiness() {
        Map<String, String> components = new LinkedHashMap<>();
        boolean adapter = false;
        for (Platform platform : platforms.get()) {
            Connection connection = platform.connection();
            boolean up = connection != null && connection.connected();
            adapter |= up;
            components.put(platform.name(), connection == null ? platform.configured()
                    : up ? "connected" : "not connected (" + platform.reconnecting() + ")");
        }
        boolean provider = false;
        for (Router.ProviderStatus p : router.providers()) {
            // An open breaker still counts: Failsafe lets its probe through when the time comes.
            boolean on = p.unavailable() == null;
            provider |= on;
            components.put("provider." + p.name(), on ? "in rotation, breaker " + p.breaker() : p.unavailable());
        }
        String storeProblem = backendProblem();
        components.put("store", storeProblem == null ? "ok" : backend.name() + " unreachable (" + storeProblem + ")");
        components.put("answering", !adapter ? "no adapter is connected" : !provider ? "no provider is in rotation"
                : storeProblem != null ? "messages cannot be stored" : "ok");
        return new Readiness(adapter && provider && storeProblem == null, components);
    }

    /**
     * The backend's problem, checked again when the last check is older than {@link #CHECK_EVERY}. One caller checks
     * at a time; callers arriving meanwhile take the last answer rather than queue behind a slow database.
     */
    private String backendProblem() {
        Instant now = clock.instant();
        Instant last = checkedAt;
        if (last != null && now.isBefore(last.plus(CHECK_EVERY)) || !checking.tryLock()) {
            return lastProblem;
        }
        try {
            String problem;
            try {
                problem = backend.problem().get();
            } catch (RuntimeException e) {
                problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
            if (problem != null && !problem.equals(lastProblem)) {
                log.warn("store: {} is unreachable: {}", backend.name(), problem);
            } else if (problem == null && lastProblem != null) {
                log.info("store: {} is reachable again", backend.name());
            }
            lastProblem = problem;
            checkedAt = now;
            return problem;
        } finally {
            checking.unlock();
        }
    }

    /** The last measurement of the data folder, or null while the first is under way or when it failed. */
    private StoreStats storeStats() {
        StoreStats known = storeStats.getIfPresent(Boolean.TRUE);
        if (known == null) {
            storeStats.refresh(Boolean.TRUE); // in the background; the next look has it
        }
        return known;
    }
}

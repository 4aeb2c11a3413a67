package dev.switchboard;

import dev.switchboard.adapter.discord.DiscordAdapter;
import dev.switchboard.adapter.shell.Shell;
import dev.switchboard.adapter.slack.SlackAdapter;
import dev.switchboard.admin.Admin;
import dev.switchboard.admin.Settings;
import dev.switchboard.chat.Conversations;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.config.Toggle;
import dev.switchboard.live.LiveReplies;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.Ticker;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.ops.OpsServer;
import dev.switchboard.ops.Readiness;
import dev.switchboard.ops.Status;
import dev.switchboard.routing.ModelFactory;
import dev.switchboard.routing.Router;
import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.store.JsonFileConversationStore;
import dev.switchboard.store.JsonFileSettingsStore;
import dev.switchboard.store.JsonLinesAuditLog;
import dev.switchboard.store.JsonLinesUsageLedger;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part from the config, starts them, and closes them in reverse order. Nothing in
 * the service is reached through statics. Not thread-safe: start and close from one thread.
 */
final class Service implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Service.class);

    private final ConfigLoader.Loaded loaded;
    private final SwitchboardConfig config;
    private final Clock clock;
    private final java.util.function.Supplier<ConfigLoader.Loaded> reread;
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<AutoCloseable> started = new ArrayList<>();
    private ConversationStore store;
    private OpsServer ops;
    private Router router;
    private UsageLedger usage;
    private Conversations conversations;
    private SlackAdapter slack;
    private DiscordAdapter discord;
    private Ticker ticker;
    private Admin admin;
    /** The data folder is walked to measure it: at most every half minute, in the background after the first. */
    private final com.github.benmanes.caffeine.cache.LoadingCache<Boolean, dev.switchboard.conversation.StoreStats>
            storeStats = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
            .refreshAfterWrite(Duration.ofSeconds(30)).build(unused -> {
                try {
                    return store.stats();
                } catch (dev.switchboard.conversation.StoreException e) {
                    // A folder deleted during the walk (retention, forget): no figures until the next look retries.
                    log.debug("store: could not be measured: {}", e.getMessage());
                    return null;
                }
            });

    Service(ConfigLoader.Loaded loaded, Clock clock) {
        this(loaded, clock, null);
    }

    /**
     * @param reread reads the config again for {@code /switchboard reload} (throws {@link ConfigException} when it
     *               is not usable), or null when the service did not come from a file
     */
    Service(ConfigLoader.Loaded loaded, Clock clock, java.util.function.Supplier<ConfigLoader.Loaded> reread) {
        this.loaded = loaded;
        this.config = loaded.config();
        this.clock = clock;
        this.reread = reread;
    }

    Service start() {
        new JvmMemoryMetrics().bindTo(meters);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(meters);
        started.add(gc);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);

        SwitchboardConfig.Storage storage = config.storage();
        store = new JsonFileConversationStore(new JsonFileConversationStore.Options(storage.path(), storage.fsync(),
                storage.backups(), storage.maxTurnChars(), storage.maxTurnsPerFile(), storage.cacheMaxSize().bytes()),
                clock, meters);
        started.add(store);
        scheduleRetention(storage);

        ScheduledExecutorService routing = Router.scheduler(2, daemon("router"));
        started.add(routing::shutdownNow);
        JsonLinesUsageLedger ledger = new JsonLinesUsageLedger(storage.path(), storage.fsync());
        started.add(ledger);
        usage = ledger;
        router = new Router(config, new ModelFactory(), routing, clock, RandomGenerator.getDefault(), meters, usage);
        started.add(router);

        ScheduledExecutorService pacing = Router.scheduler(1, daemon("live-replies"));
        started.add(pacing::shutdownNow);
        ticker = Ticker.of(pacing);
        conversations = new Conversations(store, router, new LiveReplies(ticker), clock, meters);
        JsonLinesAuditLog audit = new JsonLinesAuditLog(storage.path(), storage.fsync());
        started.add(audit);
        Settings settings = new Settings(new JsonFileSettingsStore(storage.path(), storage.fsync()));
        settings.applyTo(router);
        admin = new Admin(router, store, conversations, audit, settings, usage, clock, this::status,
                config.operators());
        if (reread != null) {
            admin.reloadWith(this::reload);
        }

        if (config.ops().enabled()) {
            ops = new OpsServer(config.ops().bind(), config.ops().port(), config.ops().token(), meters,
                    this::readiness, this::status);
        }
        try {
            if (config.slack().active()) {
                SlackAdapter adapter = new SlackAdapter(config.slack(), conversations, ticker, clock,
                        config.routing().fallbackFooter(), meters, admin, storage.maxTurnChars());
                started.add(adapter);
                slack = adapter.start(ops);
            }
            if (config.discord().active()) {
                DiscordAdapter adapter = new DiscordAdapter(config.discord(), conversations, ticker, clock,
                        config.routing().fallbackFooter(), admin);
                started.add(adapter);
                discord = adapter.start();
            }
        } catch (ReplySink.WriteFailed e) {
            throw new IllegalStateException("slack: could not sign in (" + e.getMessage() + "). Check SLACK_BOT_TOKEN"
                    + " (the xoxb-… token under OAuth & Permissions) and that " + withoutCredentials(
                    config.slack().apiUrl()) + " is reachable", e);
        } finally {
            // On stop, in this order: no more events (Slack redelivers what it cannot hand over), then replies stop
            // and are stored, then the adapters that show them close.
            Duration drain = config.ops().drainTimeout();
            started.add(() -> conversations.close(drain));
            if (slack != null) {
                started.add(slack::stopIntake);
            }
            if (discord != null) {
                started.add(discord::stopIntake);
            }
        }
        if (ops != null) {
            ops.start();
            started.add(ops);
        }
        report();
        storeStats.refresh(Boolean.TRUE); // the data folder is walked in the background, not in the first status
        return this;
    }

    Conversations conversations() {
        return conversations;
    }

    SlackAdapter slack() {
        return slack;
    }

    DiscordAdapter discord() {
        return discord;
    }

    /** The shell adapter on a terminal, sharing this service's core; its line history lives beside the data. */
    Shell shell(org.jline.terminal.Terminal terminal) {
        return new Shell(terminal, conversations, admin, store, ticker, clock, config,
                config.storage().path().resolve(".shell_history"));
    }

    Admin admin() {
        return admin;
    }

    ConversationStore store() {
        return store;
    }

    OpsServer ops() {
        return ops;
    }

    Router router() {
        return router;
    }

    UsageLedger usage() {
        return usage;
    }

    PrometheusMeterRegistry meters() {
        return meters;
    }

    /**
     * Reads the config again and applies what can change while running: providers, routing and operators. A config
     * that does not load leaves everything as it is; the answer says what is wrong.
     */
    synchronized String reload() {
        ConfigLoader.Loaded next;
        try {
            next = reread.get();
        } catch (dev.switchboard.config.ConfigException e) {
            String why = dev.switchboard.logging.SecretMasker.mask(e.getMessage());
            log.warn("reload refused; the running config stays: {}", why);
            return "not reloaded, the running config stays. " + why;
        }
        dev.switchboard.logging.SecretMasker.register(next.secretValues()); // before anything can print them
        SwitchboardConfig fresh = next.config();
        Router.Changes changes = router.reconfigure(fresh);
        admin.operators(fresh.operators());
        List<String> waiting = new ArrayList<>();
        if (!fresh.slack().equals(config.slack())) {
            waiting.add("slack");
        }
        if (!fresh.discord().equals(config.discord())) {
            waiting.add("discord");
        }
        if (!fresh.storage().equals(config.storage())) {
            waiting.add("storage");
        }
        if (!fresh.ops().equals(config.ops())) {
            waiting.add("ops");
        }
        if (!fresh.logging().equals(config.logging())) {
            waiting.add("logging");
        }
        for (String warning : next.warnings()) {
            log.warn("config: {}", warning);
        }
        String answer = "reloaded " + next.source() + ": providers and routing applied (added "
                + listOrNone(changes.added()) + ", changed " + listOrNone(changes.changed()) + ", removed "
                + listOrNone(changes.removed()) + "), operators applied."
                + (waiting.isEmpty() ? "" : " Changed but applied only at the next restart: "
                + String.join(", ", waiting) + ".");
        log.info("config reloaded {}", net.logstash.logback.argument.StructuredArguments.kv("restart_needed",
                waiting));
        return answer;
    }

    private static String listOrNone(List<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    /** What operators see: providers with their last hour, adapters, the store, replies in flight, fallbacks. */
    Status status() {
        java.time.Instant now = clock.instant();
        List<Status.Provider> providers = new ArrayList<>();
        for (Router.ProviderStatus p : router.providers()) {
            providers.add(new Status.Provider(p.name(), Status.health(p, now), p.unavailable(), p.breaker(),
                    p.lastFailure(), p.lastFailureAt(), router.stats().summary(p.name()),
                    router.stats().series(p.name())));
        }
        List<Status.Adapter> adapters = new ArrayList<>();
        if (slack != null) {
            adapters.add(new Status.Adapter("slack", slack.connected(), config.slack().mode()
                    == SwitchboardConfig.SlackMode.HTTP ? "HTTP mode, Web API round trip"
                    : "Socket Mode, Web API round trip", slack.latency()));
        }
        if (discord != null) {
            adapters.add(new Status.Adapter("discord", discord.connected(), "gateway heartbeat", discord.latency()));
        }
        return new Status(now, providers, adapters, storeStats(), router.active(), router.stats().recentFallbacks());
    }

    /** The last measurement of the data folder, or null while the first is under way or when it failed. */
    private dev.switchboard.conversation.StoreStats storeStats() {
        var known = storeStats.getIfPresent(Boolean.TRUE);
        if (known == null) {
            storeStats.refresh(Boolean.TRUE); // in the background; the next look has it
        }
        return known;
    }

    Readiness readiness() {
        Map<String, String> components = new LinkedHashMap<>();
        components.put("slack", adapterState(config.slack().enabled(), config.slack().active()));
        components.put("discord", adapterState(config.discord().enabled(), config.discord().active()));
        for (Router.ProviderStatus p : router.providers()) {
            components.put("provider." + p.name(), p.unavailable() != null ? p.unavailable()
                    : "in rotation, breaker " + p.breaker());
        }
        components.put("store", "ok");
        boolean slackUp = slack != null && slack.connected();
        boolean discordUp = discord != null && discord.connected();
        if (slack != null) {
            components.put("slack", slackUp ? "connected" : "not connected (reconnecting)");
        }
        if (discord != null) {
            components.put("discord", discordUp ? "connected" : "not connected (resuming)");
        }
        boolean adapter = slackUp || discordUp;
        boolean provider = router.providers().stream().anyMatch(p -> p.unavailable() == null);
        // Ready means a message can get an answer: an adapter is connected and a provider is in rotation.
        components.put("answering", !adapter ? "no adapter is connected" : !provider ? "no provider is in rotation"
                : "ok");
        return new Readiness(adapter && provider, components);
    }

    private static String adapterState(Toggle enabled, boolean active) {
        if (enabled == Toggle.OFF) {
            return "off (disabled in the config)";
        }
        return active ? "configured" : "off (no token)";
    }

    private void scheduleRetention(SwitchboardConfig.Storage storage) {
        if (storage.retention().isZero()) {
            return;
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("retention"));
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                store.deleteNotUpdatedSince(clock.instant().minus(storage.retention()));
            } catch (RuntimeException e) {
                log.error("retention run failed; it will try again in an hour", e);
            }
        }, 1, 60, TimeUnit.MINUTES);
        started.add(scheduler::shutdownNow);
    }

    private void report() {
        for (String warning : loaded.warnings()) {
            log.warn("config: {}", warning);
        }
        log.info("config: {}", loaded.source());
        SwitchboardConfig.Slack slack = config.slack();
        if (slack.active()) {
            log.info("slack: on ({} mode)", slack.mode().name().toLowerCase(java.util.Locale.ROOT));
        } else if (slack.enabled() == Toggle.OFF) {
            log.info("slack: off (slack.enabled: false)");
        } else {
            log.info("slack: off. To turn it on, create the Slack app (README, \"Slack\") and export {}",
                    String.join(" and ", slack.missingSecrets().stream()
                            .map(v -> loaded.variableFor(slackKey(v), v)).toList()));
        }
        if (config.discord().active()) {
            log.info("discord: on");
        } else if (config.discord().enabled() == Toggle.OFF) {
            log.info("discord: off (discord.enabled: false)");
        } else {
            log.info("discord: off. To turn it on, create the bot (README, \"Discord\") and export {}",
                    loaded.variableFor("discord.token", "DISCORD_TOKEN"));
        }
        if (config.providers().isEmpty()) {
            log.info("providers: none configured. Add one under providers: in the config (see the sample"
                    + " config/switchboard.yaml)");
        }
        config.providers().forEach((name, p) -> {
            if (p.active()) {
                log.info("provider {}: on ({} at {}, models {})", name, p.type().name().toLowerCase(
                        java.util.Locale.ROOT), withoutCredentials(p.baseUrl()), p.models());
            } else if (p.enabled() == Toggle.OFF) {
                log.info("provider {}: off (providers.{}.enabled: false)", name, name);
            } else {
                String key = "providers." + name + ".api_key";
                log.info("provider {}: off. To turn it on, export {} (read through {})", name,
                        loaded.variableFor(key, name.toUpperCase(java.util.Locale.ROOT) + "_API_KEY"), key);
            }
        });
        Path data = config.storage().path().toAbsolutePath().normalize();
        log.info("store: conversations in {} (fsync {}, backups {})", data, config.storage().fsync(),
                config.storage().backups());
        if (ops != null) {
            log.info("ops: {} serves the status page at / and /healthz /readyz /metrics /status.json", ops.url());
            boolean loopback = config.ops().bind().startsWith("127.") || config.ops().bind().equals("::1")
                    || config.ops().bind().equals("localhost");
            if (!loopback && !config.ops().token().isPresent()) {
                log.warn("ops: listening on {} without a token; anyone who can reach the port can read /metrics."
                        + " Set ops.token (SWITCHBOARD_OPS_TOKEN) or keep the port unpublished", config.ops().bind());
            }
        } else {
            log.info("ops: off (ops.enabled: false)");
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** A URL as it may be logged: no user info, no query (either can carry a key). */
    static String withoutCredentials(java.net.URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                + (url.getPath() == null ? "" : url.getPath());
    }

    private static String slackKey(String conventionalVariable) {
        return switch (conventionalVariable) {
            case "SLACK_APP_TOKEN" -> "slack.app_token";
            case "SLACK_SIGNING_SECRET" -> "slack.signing_secret";
            default -> "slack.bot_token";
        };
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                log.warn("while stopping {}: {}", started.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        started.clear();
    }
}

package dev.switchboard;

import dev.switchboard.adapter.discord.DiscordAdapter;
import dev.switchboard.adapter.shell.Shell;
import dev.switchboard.adapter.slack.SlackAdapter;
import dev.switchboard.admin.Admin;
import dev.switchboard.admin.CompareCommand;
import dev.switchboard.admin.ModelCommand;
import dev.switchboard.answering.ThreadModels;
import dev.switchboard.admin.Settings;
import dev.switchboard.answering.Conversations;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.config.Toggle;
import dev.switchboard.config.Urls;
import dev.switchboard.live.LiveReplies;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.live.Ticker;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.ops.OpsServer;
import dev.switchboard.ops.Readiness;
import dev.switchboard.ops.Status;
import dev.switchboard.ops.StatusBoard;
import dev.switchboard.routing.ModelFactory;
import dev.switchboard.routing.Router;
import dev.switchboard.conversation.UsageLedger;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    private Stores stores;
    private ConversationStore store;
    private OpsServer ops;
    private Router router;
    private dev.switchboard.tools.McpTools tools;
    private UsageLedger usage;
    private Conversations<ReplySurface> conversations;
    private SlackAdapter slack;
    private DiscordAdapter discord;
    private Ticker ticker;
    /** The budgets counted per workspace or per bot, which the nodes of a cluster divide among them. */
    private final dev.switchboard.live.SharedBudgets shares = new dev.switchboard.live.SharedBudgets();
    private Admin admin;
    private StatusBoard board;
    private Settings settings;
    private Admin.Reload reload;
    /** This process as one node of several, or null; and its share of Discord's shards when spread, or null. */
    private dev.switchboard.cluster.ClusterNode node;
    private dev.switchboard.cluster.ShardSpread shardSpread;
    private final ConfiguredOperators operators;

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
        this.operators = new ConfiguredOperators(config.operators());
    }

    /** Builds and starts everything, in the order each part needs the ones before it. */
    Service start() {
        bindJvmMetrics();
        startStorage();
        startCore();
        node = Clustering.join(config.cluster(), stores, conversations, clock, this::serves, board, started::add,
                shares);
        Admin.Reload everywhere = NodeSettings.join(node, router, settings, reload, started::add);
        if (everywhere != null) {
            admin.reloadWith(everywhere);
        }
        if (config.ops().enabled()) {
            ops = new OpsServer(config.ops().bind(), config.ops().port(), config.ops().token(), meters,
                    board::readiness, board::status);
        }
        startAdapters();
        if (ops != null) {
            ops.start();
            started.add(ops);
        }
        StartupReport.log(loaded, ops);
        board.measureStoreSoon(); // the data folder is walked in the background, not in the first status
        return this;
    }

    private void bindJvmMetrics() {
        new JvmMemoryMetrics().bindTo(meters);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(meters);
        started.add(gc);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
    }

    /** Every store on the configured backend: every other part reads or writes them. */
    private void startStorage() {
        stores = Stores.open(config.storage(), clock, meters);
        started.add(stores);
        store = stores.conversations();
        usage = stores.usage();
        scheduleRetention(config.storage());
    }

    /** The router, the live engine, the use case and the operator commands, with the settings operators saved. */
    private void startCore() {
        ScheduledExecutorService routing = Router.scheduler(2, daemon("router"));
        started.add(routing::shutdownNow);
        router = new Router(RouterOptionsMapping.of(config), new ModelFactory(), routing, clock,
                RandomGenerator.getDefault(), meters, usage);
        started.add(router);
        shares.add("provider streams", SharedLimits.streams(router));
        tools = ToolWiring.start(config, router, routing, meters);
        started.add(tools);

        ScheduledExecutorService pacing = Router.scheduler(1, daemon("live-replies"));
        started.add(pacing::shutdownNow);
        ticker = Ticker.of(pacing);
        // The router's scheduler also times the pauses between tries at storing a reply while the store is away.
        ThreadModels threadModels = new ThreadModels(store);
        // Platform threads: a summary's store reads and its model call wait there, away from the stream readers.
        java.util.concurrent.ExecutorService summaryIo = Executors.newFixedThreadPool(
                config.routing().summaries().maxConcurrent(), daemon("summaries"));
        started.add(summaryIo::shutdownNow);
        conversations = new Conversations<>(store, new RoutedReplies(router, new LiveReplies(ticker), threadModels,
                store, clock, RoutedSummaries.of(config.routing().summaries(), router.summarizer(), store, summaryIo,
                routing, clock)),
                clock, meters, routing);
        conversations.verdicts().enable(config.feedback().enabled());
        conversations.files(AttachmentOptions.of(config.attachments()));
        settings = new Settings(stores.settings());
        settings.applyTo(router);
        board = new StatusBoard(router, clock, this::platforms, store::stats,
                new StatusBoard.Backend(stores.backend().name().toLowerCase(java.util.Locale.ROOT),
                        () -> stores.problem().get().orElse(null)), () -> store.feedbackTally(java.time.Instant.EPOCH));
        admin = new Admin(router, store, stores.audit(), settings, usage, clock, this::status, operators.byPlatform());
        admin.useModels(new ModelCommand(router, settings, threadModels), new CompareCommand(router));
        admin.toolsWith(() -> dev.switchboard.tools.ToolsReport.of(tools.status()));
        if (reread != null) {
            reload = new ConfigReload(config, reread, router, operators)::reload;
            admin.reloadWith(reload);
        }
    }

    private void startAdapters() {
        try {
            if (config.slack().active()) {
                SlackAdapter adapter = new SlackAdapter(config.slack(), conversations, ticker, clock,
                        config.routing().fallbackFooter(), meters, admin, config.storage().maxTurnChars());
                adapter.shareBudgets(shares);
                started.add(adapter);
                slack = adapter.start(ops);
            }
            if (config.discord().active()) {
                DiscordAdapter adapter = new DiscordAdapter(config.discord(), conversations, ticker, clock,
                        config.routing().fallbackFooter(), admin);
                adapter.shareBudgets(shares);
                if (node != null) {
                    adapter.identifyThrough(Clustering.identifyTurns(stores));
                }
                started.add(adapter);
                if (node != null && !config.discord().shards().pinned()) {
                    discord = adapter;
                    shardSpread = Clustering.spreadShards(config.cluster(), stores, node,
                            config.discord().shards().total(), adapter.spread(), clock, started::add);
                } else {
                    discord = adapter.start();
                }
            }
        } catch (ReplySink.WriteFailed e) {
            throw new IllegalStateException("slack: could not sign in (" + e.getMessage() + "). Check SLACK_BOT_TOKEN"
                    + " (the xoxb-… token under OAuth & Permissions) and that "
                    + Urls.withoutCredentials(config.slack().apiUrl()) + " is reachable", e);
        } finally {
            // On stop, in this order: no more events (Slack redelivers what it cannot hand over), then replies stop
            // and are stored, then the adapters that show them close. As one node of several: first no more work
            // taken from the other nodes; Discord's shards stay here while the replies drain (their writes go
            // through them), messages arriving meanwhile are stored for the other nodes, and the shards are handed
            // over once the replies are done; then the leases go (the node leaves).
            Duration drain = config.ops().drainTimeout();
            started.add(() -> conversations.close(drain));
            if (slack != null) {
                started.add(slack::stopIntake);
            }
            if (discord != null && node == null) {
                started.add(discord::stopIntake);
            }
            if (node != null) {
                started.add(node::handOver);
            }
        }
    }

    Conversations<ReplySurface> conversations() {
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

    /** What operators see: providers with their last hour, adapters, the store, replies in flight, fallbacks. */
    Status status() {
        return board.status();
    }

    Readiness readiness() {
        return board.readiness();
    }

    /** What this process serves, as the cluster's status lists it. */
    private String serves() {
        List<String> platforms = new ArrayList<>();
        if (slack != null) {
            platforms.add("slack");
        }
        if (discord != null) {
            platforms.add(shardSpread != null ? shardSpread.describe() : "discord");
        }
        return String.join(", ", platforms);
    }

    /** The chat platforms as operations see them: running ones with their connection, the others as configured. */
    private List<StatusBoard.Platform> platforms() {
        SwitchboardConfig.Slack s = config.slack();
        String slackLink = s.mode() == SwitchboardConfig.SlackMode.HTTP ? "HTTP mode, Web API round trip"
                : "Socket Mode, Web API round trip";
        return List.of(
                new StatusBoard.Platform("slack", configured(s.enabled(), s.active()), slackLink, "reconnecting",
                        slack == null ? null : connection(slack::connected, slack::latency)),
                new StatusBoard.Platform("discord", configured(config.discord().enabled(), config.discord().active()),
                        "gateway heartbeat", "resuming",
                        discord == null ? null : connection(discord::connected, discord::latency)));
    }

    private static StatusBoard.Connection connection(java.util.function.BooleanSupplier connected,
                                                     java.util.function.Supplier<Duration> latency) {
        return new StatusBoard.Connection() {
            @Override
            public boolean connected() {
                return connected.getAsBoolean();
            }

            @Override
            public Duration latency() {
                return latency.get();
            }
        };
    }

    private static String configured(Toggle enabled, boolean active) {
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

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
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

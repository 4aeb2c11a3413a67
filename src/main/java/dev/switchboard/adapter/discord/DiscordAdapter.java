package dev.switchboard.adapter.discord;

import dev.switchboard.admin.Admin;
import dev.switchboard.answering.Conversations;
import dev.switchboard.cluster.IdentifyQueue;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.live.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.Permission;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestAction;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.sharding.DefaultShardManagerBuilder;
import net.dv8tion.jda.api.sharding.ShardManager;
import net.dv8tion.jda.api.utils.Compression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discord, through JDA on a shard manager: a mention opens a thread on the message and the answer streams inside;
 * later messages in that thread are answered without a mention. Where threads are off, replies to the bot continue
 * the conversation along the reply chain. Direct messages are answered, and {@code /ask} streams into its deferred
 * response. This class connects and disconnects; {@link DiscordIntake} takes messages, {@link DiscordCommands} slash
 * commands, {@link DiscordReplies} writes the answers. Thread-safe; start once, close once.
 */
public final class DiscordAdapter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DiscordAdapter.class);
    /** What the bot needs in a channel, and nothing more; the invite URL asks for exactly these. */
    static final EnumSet<Permission> PERMISSIONS = EnumSet.of(Permission.VIEW_CHANNEL, Permission.MESSAGE_SEND,
            Permission.MESSAGE_SEND_IN_THREADS, Permission.CREATE_PUBLIC_THREADS, Permission.MESSAGE_HISTORY);

    private final SwitchboardConfig.Discord config;
    private final DiscordIntake intake;
    private final DiscordCommands commands;
    private final DiscordFeedback feedback;
    private final DiscordApprovals approvals;
    /** Every REST request of the bot, on every shard, passes it. */
    private final RequestGate gate;
    private final DiscordReplies replies;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "discord-timers");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;
    private volatile ShardManager shards;
    private IdentifyQueue identify = IdentifyQueue.LOCAL;

    public DiscordAdapter(SwitchboardConfig.Discord config, Conversations<ReplySurface> conversations, Ticker ticker, Clock clock,
                          boolean fallbackFooter, Admin admin) {
        this.config = config;
        DiscordPolicy policy = new DiscordPolicy(config, fallbackFooter);
        this.gate = RequestGate.of(config.globalRequestsPerSecond());
        this.replies = new DiscordReplies(ticker, config.silent(), gate, config.globalRequestsPerSecond(),
                conversations.verdicts()::enabled);
        this.intake = new DiscordIntake(config, conversations, policy, replies)
                .files(new DiscordFiles(config.cdnUrl()));
        this.feedback = new DiscordFeedback(conversations.verdicts());
        this.approvals = new DiscordApprovals((user, roles) -> admin != null
                && admin.isOperator(DiscordRules.PLATFORM, user, roles));
        replies.useApprovals(approvals);
        this.commands = new DiscordCommands(config, admin, conversations, policy, replies,
                new DiscordPlaces(() -> shards), clock);
    }

    /** The bot's global limit is divided among the nodes of a cluster; call before {@link #start}. */
    public DiscordAdapter shareBudgets(dev.switchboard.live.SharedBudgets shares) {
        replies.share(shares);
        return this;
    }

    /** The nodes of a cluster take turns to IDENTIFY, as Discord counts them for the whole bot; before {@link #start}. */
    public DiscordAdapter identifyThrough(IdentifyQueue turns) {
        this.identify = turns;
        return this;
    }

    /** Logs in and opens the configured shards; returns once they are connected. */
    public DiscordAdapter start() {
        ShardManager started;
        try {
            started = builder().setShards(config.shards().first(), config.shards().last()).build();
        } catch (RuntimeException e) {
            throw loginFailed(e);
        }
        shards = started;
        for (JDA shard : started.getShards()) {
            try {
                shard.awaitReady();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while connecting to Discord", e);
            }
        }
        JDA any = started.getShards().getFirst();
        log.info("discord: connected as {} ({}), shards {}..{} of {}", any.getSelfUser().getName(),
                any.getSelfUser().getId(), config.shards().first(), config.shards().last(), config.shards().total());
        log.info("discord: invite the bot with {}", inviteUrl(any.getSelfUser().getApplicationId()));
        timers.execute(() -> intake.answerLeftovers(started));
        return this;
    }

    /**
     * Opens no shard yet: the returned runner opens and closes shards as this node is handed them, when several nodes
     * share the bot's shards. The shard manager is made with the first shard.
     */
    public dev.switchboard.cluster.ShardRunner spread() {
        return new DiscordShards(config.shards().total(), () -> {
            try {
                okhttp3.OkHttpClient http = GatedHttp.client(gate, config.restUrl().toString());
                try {
                    DiscordLogin.check(http, config.restUrl(), config.token().reveal());
                } finally {
                    http.connectionPool().evictAll();
                }
                return builder().setShards(java.util.List.of()).build(false);
            } catch (RuntimeException e) {
                throw loginFailed(e);
            }
        }, made -> {
            shards = made;
            timers.execute(() -> intake.answerLeftovers(made));
        });
    }

    private DefaultShardManagerBuilder builder() {
        EnumSet<GatewayIntent> intents = EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.DIRECT_MESSAGES);
        if (config.messageContent()) {
            intents.add(GatewayIntent.MESSAGE_CONTENT);
        }
        String gateway = config.gatewayUrl().toString();
        DefaultShardManagerBuilder builder = DefaultShardManagerBuilder.createLight(config.token().reveal(), intents)
                .setRestConfig(new RestConfig().setBaseUrl(config.restUrl().toString()))
                .setHttpClient(GatedHttp.client(gate, config.restUrl().toString()))
                .setSessionController(new DiscordSessions(gateway, config.shards().total(), identify))
                .setShardsTotal(config.shards().total())
                .setEnableShutdownHook(false)
                .addEventListeners(intake, commands, feedback, approvals);
        // JDA otherwise builds an exception with a stack trace for every request, in case it fails: a cost on every
        // edit of every live reply. Each failure still reaches the caller through the request's future (Writes).
        RestAction.setPassContext(false);
        if (!gateway.startsWith("wss://gateway.discord.gg")) {
            builder.setCompression(Compression.NONE); // a proxy or a local fake speaks plain JSON
        }
        return builder;
    }

    private static IllegalStateException loginFailed(RuntimeException e) {
        return new IllegalStateException("discord: could not log in (" + e.getMessage() + "). Check DISCORD_TOKEN"
                + " (Developer Portal > Bot > Reset Token) and discord.rest_url", e);
    }

    /** The OAuth2 URL that adds the bot with exactly the permissions it uses, and its slash commands. */
    static String inviteUrl(String applicationId) {
        return "https://discord.com/oauth2/authorize?client_id=" + applicationId
                + "&scope=bot%20applications.commands&permissions=" + Permission.getRaw(PERMISSIONS);
    }

    /** Whether every shard this process runs is connected. */
    public boolean connected() {
        ShardManager s = shards;
        return s != null && !stopping && !s.getShards().isEmpty()
                && s.getShards().stream().allMatch(j -> j.getStatus() == JDA.Status.CONNECTED);
    }

    /** The shards' average heartbeat round trip to the gateway, or null before the first heartbeat was answered. */
    public Duration latency() {
        ShardManager s = shards;
        double ping = s == null ? -1 : s.getAverageGatewayPing();
        return ping < 0 ? null : Duration.ofMillis(Math.round(ping));
    }

    /** Takes no more messages; replies in progress can still be written until {@link #close()}. */
    public void stopIntake() {
        stopping = true;
        intake.stop();
    }

    @Override
    public void close() {
        stopIntake();
        timers.shutdownNow();
        ShardManager s = shards;
        if (s != null) {
            s.shutdown();
        }
    }
}

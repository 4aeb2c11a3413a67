package dev.switchboard.adapter.slack;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.methods.response.auth.AuthTestResponse;
import dev.switchboard.admin.Admin;
import dev.switchboard.answering.ChannelNotes;
import dev.switchboard.answering.Conversations;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.live.Ticker;
import dev.switchboard.ops.OpsServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack, through Bolt for Java: app mentions answered in a thread, later messages in threads the bot takes part in,
 * direct messages, and {@code /ask}. Events arrive over Socket Mode (the default) or as signed HTTP requests on the
 * ops server. This class connects and disconnects; {@link SlackIntake} takes messages, {@link SlackCommands} slash
 * commands, {@link SlackReplies} writes the answers. Thread-safe; start once, close once.
 */
public final class SlackAdapter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlackAdapter.class);
    /** Requests waiting for or in their handler at most, across every thread. */
    static final int MAX_WAITING_REQUESTS = 2_000;

    private final SwitchboardConfig.Slack config;
    private final Admin admin;
    private final Conversations<ReplySurface> conversations;
    private final Ticker ticker;
    private final Clock clock;
    private final boolean fallbackFooter;
    private final MeterRegistry meters;
    private final int maxQuestionChars;
    private final Slack slack;
    private final SlackApi api;
    private final App app;
    private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();
    /**
     * Both modes' intake. Room for far more requests than Slack sends at once; when it is full, a request waits at most
     * a second for room and is then left unacknowledged (Slack delivers it again), well inside Slack's 3 seconds.
     */
    private final SlackDispatch dispatch = new SlackDispatch(MAX_WAITING_REQUESTS, Duration.ofSeconds(1));
    private volatile SlackAsks asks;
    private volatile dev.switchboard.live.SharedBudgets shares = new dev.switchboard.live.SharedBudgets();
    private volatile SlackSocket socket;
    private volatile SlackHttpEvents http;
    private volatile boolean httpReady;

    public SlackAdapter(SwitchboardConfig.Slack config, Conversations<ReplySurface> conversations, Ticker ticker, Clock clock,
                        boolean fallbackFooter, MeterRegistry meters, Admin admin, int maxQuestionChars) {
        this.config = config;
        this.admin = admin;
        this.conversations = conversations;
        this.ticker = ticker;
        this.clock = clock;
        this.fallbackFooter = fallbackFooter;
        this.meters = meters;
        this.maxQuestionChars = maxQuestionChars;
        SlackConfig slackConfig = new SlackConfig();
        slackConfig.setMethodsEndpointUrlPrefix(config.apiUrl().toString());
        slackConfig.setStatsEnabled(false);
        slackConfig.setHttpClientCallTimeoutMillis(30_000);
        this.slack = Slack.getInstance(slackConfig);
        this.api = new SlackApi(slack.methods(config.botToken().reveal()), config.botToken().reveal());
        // One verification of HTTP-mode requests, ours (SlackSignature, before Bolt sees a request): it bounds the
        // timestamp in both directions on the injected clock, where Bolt's bounds only the past on the wall clock.
        // Bolt gets no signing secret at all: its default would read SLACK_SIGNING_SECRET from the environment.
        this.app = new App(AppConfig.builder()
                .slack(slack)
                .singleTeamBotToken(config.botToken().reveal())
                .subtypedMessageEventsAutoAckEnabled(true)
                .requestVerificationEnabled(false)
                .signingSecret(null)
                .build());
    }

    /**
     * Connects: checks the token, then opens Socket Mode, or in HTTP mode serves {@code events_path} on the ops
     * server (which the caller starts afterwards).
     *
     * @param ops the ops server; required in HTTP mode, not yet started
     * @throws IllegalStateException with a fix when Slack refuses the token or no server is there for HTTP mode
     */
    /** The workspace budgets are divided among the nodes of a cluster; call before {@link #start}. */
    public SlackAdapter shareBudgets(dev.switchboard.live.SharedBudgets shares) {
        this.shares = shares;
        return this;
    }

    public SlackAdapter start(OpsServer ops) {
        AuthTestResponse auth = api.sync("auth.test", () -> slack.methods(config.botToken().reveal()).authTest(
                r -> r));
        String botUser = auth.getUserId();
        String team = auth.getTeamId();
        Conversations.Policy policy = new Conversations.Policy(botUser,
                Conversations.OnNewMessage.valueOf(config.onNewMessage().name()),
                new Conversations.RateLimit(config.userRateLimit().messages(), config.userRateLimit().per()),
                fallbackFooter);
        SlackReplies replies = new SlackReplies(api, config, ticker, botUser,
                auth.getBotId() == null ? "" : auth.getBotId(), team, conversations.verdicts()::enabled);
        replies.shares = shares;
        SlackChannelNotes channelNotes = new SlackChannelNotes(
                new ChannelNotes(conversations, work), api);
        SlackAgentApi agentApi = new SlackAgentApi(api);
        SlackAgent agent = new SlackAgent(config.assistant(), agentApi, api, new SlackChannelSummary(agentApi, api,
                config.assistant().summaryHistory(), config.assistant().historyBudget()), conversations,
                replies::assistantAllowance, work, team);
        app.use(agent::middleware);
        SlackIntake intake = new SlackIntake(config, conversations, policy, api, replies, botUser, team, channelNotes,
                agent);
        intake.files(new SlackFiles(config.apiUrl(), config.botToken().reveal()));
        intake.register(app);
        new SlackFeedback(conversations.verdicts(), api, team).register(app);
        SlackApprovals approvals = new SlackApprovals(api, team,
                (t, u) -> admin != null && admin.isOperator(SlackPlaces.PLATFORM, u, java.util.List.of()));
        approvals.register(app);
        replies.useApprovals(approvals);
        asks = new SlackAsks(conversations, policy, api, replies, clock, team, channelNotes);
        SlackCommands commands = new SlackCommands(config, admin, api, replies, team, maxQuestionChars, work, asks);
        commands.register(app);
        if (config.mode() == SwitchboardConfig.SlackMode.HTTP) {
            serveHttp(ops);
            log.info("slack: connected to workspace {} as {} (HTTP mode, Request URL path {})", team, botUser,
                    config.eventsPath());
        } else {
            socket = new SlackSocket(config.appToken().reveal(), app, dispatch);
            if (socket.open()) {
                log.info("slack: connected to workspace {} as {} (Socket Mode)", team, botUser);
            } else {
                log.warn("slack: signed in to workspace {} as {}, but the Socket Mode connection is not open yet;"
                        + " the client keeps trying (check SLACK_APP_TOKEN if it never connects)", team, botUser);
            }
        }
        work.execute(() -> {
            commands.resume(); // first: a resumed /ask is then stored, and not found again as unanswered
            intake.answerLeftovers();
        });
        return this;
    }

    private void serveHttp(OpsServer ops) {
        if (ops == null) {
            throw new IllegalStateException("slack.mode http serves events on the ops server, which is off;"
                    + " set ops.enabled: true or use slack.mode: socket");
        }
        SlackHttpEvents events = new SlackHttpEvents(app, new SlackSignature(config.signingSecret().reveal(), clock),
                meters, dispatch);
        app.start();
        ops.selfAuthenticatedPost(config.eventsPath(), events::serve);
        http = events;
        httpReady = true;
    }

    /** Whether events can reach the adapter now. */
    public boolean connected() {
        if (httpReady) {
            return true;
        }
        SlackSocket s = socket;
        return s != null && s.open();
    }

    /** The median round trip of the latest Web API calls (what every reply waits on), or null before the first. */
    public Duration latency() {
        return api.latency();
    }

    /**
     * Takes no more events: Socket Mode disconnects and HTTP mode answers 503, so Slack delivers again later what
     * arrives now. Replies in progress can still be written until {@link #close()}.
     */
    public void stopIntake() {
        httpReady = false;
        SlackAsks a = asks;
        if (a != null) {
            a.stop();
        }
        SlackHttpEvents h = http;
        if (h != null) {
            h.stop();
        }
        SlackSocket s = socket;
        socket = null;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public void close() {
        stopIntake();
        dispatch.close();
        work.shutdownNow();
        api.close();
        try {
            slack.close();
        } catch (Exception e) {
            log.debug("slack: closing the client: {}", e.toString());
        }
    }
}

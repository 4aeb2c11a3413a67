package dev.switchboard.adapter.slack;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.app_backend.slash_commands.payload.SlashCommandPayload;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.socket_mode.SocketModeApp;
import com.slack.api.bolt.util.SlackRequestParser;
import com.slack.api.methods.response.auth.AuthTestResponse;
import com.slack.api.model.event.AppMentionEvent;
import com.slack.api.model.event.MessageBotEvent;
import com.slack.api.model.event.MessageChangedEvent;
import com.slack.api.model.event.MessageChannelJoinEvent;
import com.slack.api.model.event.MessageChannelLeaveEvent;
import com.slack.api.model.event.MessageDeletedEvent;
import com.slack.api.model.event.MessageEvent;
import com.slack.api.model.event.MessageFileShareEvent;
import com.slack.api.model.event.MessageThreadBroadcastEvent;
import com.slack.api.socket_mode.SocketModeClient;
import dev.switchboard.admin.Admin;
import dev.switchboard.chat.Admission;
import dev.switchboard.chat.Conversations;
import dev.switchboard.chat.Inbound;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.Ticker;
import dev.switchboard.ops.OpsServer;
import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack, through Bolt for Java: app mentions answered in a thread, later messages in threads the bot takes part in,
 * direct messages, and {@code /ask}. Events arrive over Socket Mode (the default) or as signed HTTP requests on the
 * ops server. Each message is stored before Slack gets its acknowledgement, so a retry, a second event for the same
 * message or a restart never produces a second reply. Thread-safe; start once, close once.
 */
public final class SlackAdapter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlackAdapter.class);
    static final String PLATFORM = "slack";
    /** The conversation key's thread for a direct message written outside any thread. */
    static final String DM_THREAD = "dm";
    /** Slash commands carry no thread: admin commands act on the channel ({@code forget} finds nothing there). */
    static final String CHANNEL_SCOPE = "-";
    /** How far back a message left unanswered by a stop is still answered at start. */
    static final Duration LEFTOVER_WINDOW = Duration.ofHours(1);

    private final SwitchboardConfig.Slack config;
    private final Admin admin;
    private final Conversations conversations;
    private final Ticker ticker;
    private final Clock clock;
    private final boolean fallbackFooter;
    private final MeterRegistry meters;
    private final Slack slack;
    private final SlackApi api;
    private final App app;
    private final Map<String, Budget> budgets = new ConcurrentHashMap<>();
    private final Bucket historyLimit;
    private final Cache<String, Boolean> hinted = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(10)).build();
    private final ExecutorService commands = Executors.newVirtualThreadPerTaskExecutor();
    private volatile String botUser = "";
    private volatile String botId = "";
    private volatile String team = "";
    private volatile Conversations.Policy policy;
    private volatile SocketModeApp socket;
    private volatile boolean socketOpen;
    private final int maxQuestionChars;
    private volatile boolean httpReady;
    private volatile boolean stopping;

    public SlackAdapter(SwitchboardConfig.Slack config, Conversations conversations, Ticker ticker, Clock clock,
                        boolean fallbackFooter, MeterRegistry meters, Admin admin, int maxQuestionChars) {
        this.admin = admin;
        this.maxQuestionChars = maxQuestionChars;
        this.config = config;
        this.conversations = conversations;
        this.ticker = ticker;
        this.clock = clock;
        this.fallbackFooter = fallbackFooter;
        this.meters = meters;
        SlackConfig slackConfig = new SlackConfig();
        slackConfig.setMethodsEndpointUrlPrefix(config.apiUrl().toString());
        slackConfig.setStatsEnabled(false);
        slackConfig.setHttpClientCallTimeoutMillis(30_000);
        this.slack = Slack.getInstance(slackConfig);
        this.api = new SlackApi(slack.methods(config.botToken().reveal()));
        // conversations.replies: Tier 3 for most apps, far less for some since 2025; keep well inside it.
        this.historyLimit = Bucket.builder().addLimit(l -> l.capacity(3).refillGreedy(20, Duration.ofMinutes(1)))
                .build();
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
        register();
    }

    /**
     * Connects: checks the token, then opens Socket Mode, or in HTTP mode serves {@code events_path} on the ops
     * server (which the caller starts afterwards).
     *
     * @param ops the ops server; required in HTTP mode, not yet started
     * @throws IllegalStateException with a fix when Slack refuses the token or no server is there for HTTP mode
     */
    public SlackAdapter start(OpsServer ops) {
        AuthTestResponse auth = api.sync("auth.test", () -> slack.methods(config.botToken().reveal()).authTest(
                r -> r));
        botUser = auth.getUserId();
        botId = auth.getBotId() == null ? "" : auth.getBotId();
        team = auth.getTeamId();
        policy = new Conversations.Policy(botUser, config.onNewMessage(), config.userRateLimit(), fallbackFooter);
        if (config.mode() == SwitchboardConfig.SlackMode.HTTP) {
            if (ops == null) {
                throw new IllegalStateException("slack.mode http serves events on the ops server, which is off;"
                        + " set ops.enabled: true or use slack.mode: socket");
            }
            SlackSignature signature = new SlackSignature(config.signingSecret().reveal(), clock);
            SlackRequestParser parser = new SlackRequestParser(app.config());
            app.start();
            ops.selfAuthenticatedPost(config.eventsPath(), ctx -> serve(ctx, signature, parser));
            httpReady = true;
            log.info("slack: connected to workspace {} as {} (HTTP mode, Request URL path {})", team, botUser,
                    config.eventsPath());
        } else {
            try {
                // Envelopes are handled one at a time, in the order Slack sent them (Bolt without a concurrency runs
                // them on the SDK's one message-processor thread). Handling them at once was tried: it lifts
                // throughput, but a thread's messages can then be taken out of order, and an earlier message handled
                // after a later one joined the bot to its thread was answered as a follow-up. Doing it safely needs
                // envelopes ordered per thread; until then, order wins.
                socket = new SocketModeApp(config.appToken().reveal(), app, SocketModeClient.Backend.Tyrus);
                socket.startAsync();
                SocketModeClient client = socket.getClient();
                // Open or not, from what the socket says: any message means open (a hello follows each connect);
                // a close means not, except the client's own closing of a session it already replaced.
                client.addWebSocketMessageListener(message -> socketOpen = true);
                client.addWebSocketCloseListener((code, reason) -> {
                    if (reason == null || !reason.endsWith(" did it")) {
                        socketOpen = false;
                    }
                });
                // The first hello may have come before the listener: ask the socket once (the client does the
                // same on every open). A failed first connect is only logged by the client, so this tells.
                socketOpen = socketOpen || client.verifyConnection();
                // Reconnect as soon as the socket closes; otherwise only the session monitor notices, seconds later.
                client.setAutoReconnectOnCloseEnabled(true);
            } catch (Exception e) {
                throw new IllegalStateException("slack: Socket Mode could not connect (" + SlackApi.error(e)
                        + "); check SLACK_APP_TOKEN (an xapp-… token with connections:write)", e);
            }
            if (socketOpen) {
                log.info("slack: connected to workspace {} as {} (Socket Mode)", team, botUser);
            } else {
                log.warn("slack: signed in to workspace {} as {}, but the Socket Mode connection is not open yet;"
                        + " the client keeps trying (check SLACK_APP_TOKEN if it never connects)", team, botUser);
            }
        }
        commands.execute(this::answerLeftovers);
        return this;
    }

    /** Whether events can reach the adapter now. */
    public boolean connected() {
        if (httpReady) {
            return true;
        }
        SocketModeApp s = socket;
        return s != null && !s.isClientStopped() && socketOpen;
    }

    /** The median round trip of the latest Web API calls (what every reply waits on), or null before the first. */
    public Duration latency() {
        return api.latency();
    }

    private void register() {
        app.event(AppMentionEvent.class, (req, ctx) -> {
            AppMentionEvent e = req.getEvent();
            onMessage(new Said(teamOf(req.getTeamId(), e.getTeam()), e.getChannel(), null, e.getUser(),
                    e.getBotId(), e.getText(), e.getTs(), e.getThreadTs(), true));
            return ctx.ack();
        });
        app.event(MessageEvent.class, (req, ctx) -> {
            MessageEvent e = req.getEvent();
            onMessage(new Said(teamOf(req.getTeamId(), e.getTeam()), e.getChannel(), e.getChannelType(),
                    e.getUser(), e.getBotId(), e.getText(), e.getTs(), e.getThreadTs(), false));
            return ctx.ack();
        });
        app.event(MessageThreadBroadcastEvent.class, (req, ctx) -> {
            MessageThreadBroadcastEvent e = req.getEvent();
            onMessage(new Said(teamOf(req.getTeamId(), null), e.getChannel(), e.getChannelType(), e.getUser(),
                    null, e.getText(), e.getTs(), e.getThreadTs(), false));
            return ctx.ack();
        });
        app.event(MessageFileShareEvent.class, (req, ctx) -> {
            MessageFileShareEvent e = req.getEvent();
            onMessage(new Said(teamOf(req.getTeamId(), null), e.getChannel(), e.getChannelType(), e.getUser(),
                    null, e.getText(), e.getTs(), e.getThreadTs(), false));
            return ctx.ack();
        });
        app.event(MessageDeletedEvent.class, (req, ctx) -> {
            onDeleted(teamOf(req.getTeamId(), null), req.getEvent());
            return ctx.ack();
        });
        // Edits, joins and bot messages are acknowledged and otherwise ignored.
        app.event(MessageChangedEvent.class, (req, ctx) -> ctx.ack());
        app.event(MessageBotEvent.class, (req, ctx) -> ctx.ack());
        app.event(MessageChannelJoinEvent.class, (req, ctx) -> ctx.ack());
        app.event(MessageChannelLeaveEvent.class, (req, ctx) -> ctx.ack());
        app.command("/switchboard", (req, ctx) -> {
            SlashCommandPayload p = req.getPayload();
            String command = p.getText() == null ? "" : p.getText().strip();
            String user = p.getUserId();
            // The answer is the acknowledgement itself: private to the operator, within Slack's three seconds.
            if (!admin.isOperator(PLATFORM, user, List.of())) {
                return ctx.ack(admin.refuse(PLATFORM, user, command));
            }
            String teamId = teamOf(p.getTeamId(), null);
            ConversationKey where = key(teamId, p.getChannelId(), p.getChannelId().startsWith("D") ? DM_THREAD
                    : CHANNEL_SCOPE);
            Admin.Places places = places(teamId, p.getChannelId());
            if (command.toLowerCase(java.util.Locale.ROOT).startsWith("export")) {
                // Reading and uploading a whole thread may take longer than Slack's three seconds: answer at once.
                commands.execute(() -> {
                    Admin.Answer answer = admin.run(user, where, command, places);
                    if (answer instanceof Admin.Answer.File file) {
                        api.sendFilePrivately(user, file.name(), file.content(), file.text());
                    } else {
                        ((Responder) ctx::respond).ephemeral("```\n" + answer.text() + "\n```");
                    }
                });
                return ctx.ack("Preparing the export; it comes to you in a direct message from me.");
            }
            return ctx.ack("```\n" + admin.run(user, where, command, places).text() + "\n```");
        });
        app.command("/ask", (req, ctx) -> {
            SlashCommandPayload p = req.getPayload();
            String question = p.getText() == null ? "" : p.getText().strip();
            if (question.isEmpty()) {
                return ctx.ack("Ask a question after the command, for example `/ask how do I rotate an API key?`");
            }
            if (!allowed(p.getChannelId(), p.getUserId())) {
                return ctx.ack("I'm not set up to answer in this channel.");
            }
            String teamId = teamOf(p.getTeamId(), null);
            commands.execute(() -> ask(teamId, p.getChannelId(), p.getUserId(), question, ctx::respond));
            return ctx.ack();
        });
    }

    private String teamOf(String fromPayload, String fromEvent) {
        if (fromPayload != null && !fromPayload.isEmpty()) {
            return fromPayload;
        }
        return fromEvent != null && !fromEvent.isEmpty() ? fromEvent : team;
    }

    /** A message as the adapter needs it, whichever event carried it. */
    private record Said(String team, String channel, String channelType, String user, String botId, String text,
                        String ts, String threadTs, boolean mentionEvent) { }

    private void onMessage(Said m) {
        if (m.user() == null || m.botId() != null || m.user().equals(botUser) || m.ts() == null
                || m.channel() == null) {
            return; // bots, the bot itself, and system messages are not questions
        }
        String text = m.text() == null ? "" : m.text();
        boolean dm = "im".equals(m.channelType()) || m.channel().startsWith("D");
        boolean mentioned = m.mentionEvent() || text.contains("<@" + botUser + ">");
        String thread;
        String replyIn;
        if (dm) {
            thread = m.threadTs() != null ? m.threadTs() : DM_THREAD;
            replyIn = m.threadTs();
        } else if (mentioned) {
            thread = m.threadTs() != null ? m.threadTs() : m.ts();
            replyIn = thread;
        } else if (m.threadTs() != null && config.followThreads()
                && conversations.knows(key(m.team(), m.channel(), m.threadTs()))) {
            thread = m.threadTs();
            replyIn = thread;
        } else {
            return; // channel chatter that is not for the bot
        }
        if (!allowed(m.channel(), m.user())) {
            if ((dm || mentioned) && hinted.asMap().putIfAbsent("deny:" + m.ts(), true) == null) {
                api.ephemeral(m.channel(), m.user(), "I'm not set up to answer here.");
            }
            return;
        }
        String question = withoutMention(text, botUser);
        if (question.isBlank()) {
            if (hinted.asMap().putIfAbsent(m.ts(), true) == null) {
                api.ephemeral(m.channel(), m.user(), "Ask me something: mention me with a question, or use `/ask`.");
            }
            return;
        }
        ConversationKey key = key(m.team(), m.channel(), thread);
        Inbound inbound = new Inbound(key, m.ts(), m.user(), api.knownName(m.user()), question,
                SlackApi.instant(m.ts()), "");
        Admission admission = conversations.submit(inbound, thread(m.team(), m.channel(), replyIn, m.ts(),
                m.user(), dm), policy);
        // Slack sends a mention twice (message and app_mention): one note, in the thread it was written in.
        if (admission instanceof Admission.Refused refused
                && hinted.asMap().putIfAbsent("refused:" + m.ts(), true) == null) {
            api.ephemeral(m.channel(), m.user(), refused.userMessage(), m.threadTs());
        }
    }

    private void onDeleted(String teamId, MessageDeletedEvent e) {
        String deleted = e.getDeletedTs();
        if (deleted == null || e.getChannel() == null) {
            return;
        }
        String threadTs = e.getPreviousMessage() == null ? null : e.getPreviousMessage().getThreadTs();
        boolean dm = "im".equals(e.getChannelType()) || e.getChannel().startsWith("D");
        String thread = threadTs != null ? threadTs : dm ? DM_THREAD : deleted;
        if (conversations.cancel(key(teamId, e.getChannel(), thread), deleted, "the question was deleted")) {
            log.info("slack: a question was deleted; its reply was stopped");
        }
    }

    /** {@code /ask}: the question goes into the channel as a new thread, and the answer streams under it. */
    private void ask(String teamId, String channel, String user, String question, Responder respond) {
        if (question.length() > maxQuestionChars) {
            respond.ephemeral("I can't take that question: it is " + question.length() + " characters long and the"
                    + " limit is " + maxQuestionChars + " (storage.max_turn_chars). Please shorten it.");
            return;
        }
        String ts;
        try {
            ts = postQuestion(channel, "<@" + user + "> asked: " + SlackMarkdown.escape(question));
        } catch (RuntimeException e) {
            String why = SlackApi.error(e);
            if (why.contains("msg_too_long")) {
                respond.ephemeral("Your question is too long for Slack to post as a message. Please shorten it.");
                return;
            }
            log.info("slack: /ask could not post in {}: {}", channel, why);
            respond.ephemeral(why.contains("not_in_channel") || why.contains("channel_not_found")
                    ? "I can't post in this channel. Invite me with `/invite @Switchboard`, or ask me in a direct"
                    + " message."
                    : "I couldn't post your question here (Slack said " + why + "). Please try again.");
            return;
        }
        boolean dm = channel.startsWith("D");
        Inbound inbound = new Inbound(key(teamId, channel, ts), ts, user, api.displayName(user), question,
                SlackApi.instant(ts), "");
        try {
            Admission admission = conversations.submit(inbound, thread(teamId, channel, ts, ts, user, dm), policy);
            if (admission instanceof Admission.Refused refused) {
                respond.ephemeral(refused.userMessage());
            }
        } catch (RuntimeException e) {
            log.error("slack: /ask could not be stored", e);
            respond.ephemeral("I couldn't take your question just now (storage failed). Please ask again.");
        }
    }

    /**
     * Posts the question of an {@code /ask} within the channel's post budget, which replies share; a 429 is waited
     * out (twice at most) rather than turned into an error for the user.
     */
    private String postQuestion(String channel, String text) {
        Budget posts = budget("slack " + channel + " chat.postMessage", config.postBudget());
        for (int attempt = 1; ; attempt++) {
            try {
                posts.acquire();
                return api.post(channel, null, text).join();
            } catch (java.util.concurrent.CompletionException e) {
                if (attempt < 3 && e.getCause() instanceof ReplySink.WriteFailed failed
                        && failed.kind() == ReplySink.WriteFailed.Kind.RATE_LIMITED) {
                    posts.pause(failed.retryAfter());
                    continue;
                }
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("stopping", e);
            }
        }
    }

    /**
     * Answers messages stored but never answered: the process stopped between acknowledging and answering them,
     * and Slack, having its acknowledgement, will not send them again.
     */
    private void answerLeftovers() {
        for (Conversations.Unanswered left : conversations.unanswered(PLATFORM, LEFTOVER_WINDOW)) {
            ConversationKey key = left.key();
            String ts = left.message().messageIds().getFirst();
            boolean dm = key.channel().startsWith("D");
            String replyIn = DM_THREAD.equals(key.thread()) ? null : key.thread();
            Inbound inbound = new Inbound(key, ts, left.message().authorId(), left.message().authorName(),
                    left.message().text(), left.message().at(), "");
            try {
                conversations.submit(inbound, thread(key.workspace(), key.channel(), replyIn, ts,
                        left.message().authorId(), dm), policy);
                log.info("slack: answering a message left unanswered when the service stopped, in {}", key);
            } catch (RuntimeException e) {
                log.warn("slack: could not resume an unanswered message in {}: {}", key, e.toString());
            }
        }
    }

    /** Answers a slash command privately through its response_url. */
    @FunctionalInterface
    private interface Responder {
        Object respond(String text) throws java.io.IOException;

        default void ephemeral(String text) {
            try {
                respond(text);
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("slack: could not answer a command privately: {}", e.toString());
            }
        }
    }

    private SlackThread thread(String teamId, String channel, String replyIn, String messageTs, String user,
                               boolean dm) {
        boolean stream = config.nativeStreaming() && replyIn != null;
        ReplySink sink = stream ? new SlackStreamSink(api, channel, replyIn, dm ? null : user, dm ? null : teamId)
                : new SlackSink(api, channel, replyIn);
        List<Budget> spend = List.of(
                budget("slack " + channel + " chat.postMessage", config.postBudget()),
                budget("slack " + teamId + (stream ? " chat.appendStream" : " chat.update"), config.updateBudget()));
        return new SlackThread(api, sink, spend, channel, replyIn, messageTs, botUser, botId, this::historyPermit);
    }

    private Budget budget(String name, SwitchboardConfig.RateLimit limit) {
        return budgets.computeIfAbsent(name, n -> new Budget(n, limit.messages(), limit.per(), ticker));
    }

    private void historyPermit() {
        try {
            historyLimit.asBlocking().consume(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to read a thread's history", e);
        }
    }

    private boolean allowed(String channel, String user) {
        SwitchboardConfig.SlackAccess a = config.access();
        if (a.denyChannels().contains(channel) || a.denyUsers().contains(user)) {
            return false;
        }
        boolean dm = channel.startsWith("D");
        return (a.allowChannels().isEmpty() || dm || a.allowChannels().contains(channel))
                && (a.allowUsers().isEmpty() || a.allowUsers().contains(user));
    }

    /**
     * Slack's references in admin commands: {@code <#C123|general>} for a channel; a message link
     * ({@code https://…slack.com/archives/C123/p1700000000123456}, with {@code thread_ts} when it is a reply) or a
     * thread's {@code ts} for a thread. Plain {@code #name} needs a lookup Slack's escaping makes unnecessary.
     */
    static Admin.Places places(String team, String here) {
        return new Admin.Places() {
            @Override
            public ConversationKey channel(String reference) {
                java.util.regex.Matcher m = CHANNEL_REF.matcher(reference);
                return m.matches() ? key(team, m.group(1), m.group(1).startsWith("D") ? DM_THREAD : CHANNEL_SCOPE)
                        : null;
            }

            @Override
            public ConversationKey thread(String reference) {
                // As Slack escapes a pasted link: <https://…?thread_ts=…&amp;cid=…|label>
                java.util.regex.Matcher link = MESSAGE_LINK.matcher(reference.replaceAll("^<|>$", "")
                        .replaceAll("\\|.*$", "").replace("&amp;", "&"));
                if (link.matches()) {
                    String ts = link.group(2).substring(0, link.group(2).length() - 6) + "."
                            + link.group(2).substring(link.group(2).length() - 6);
                    String thread = link.group(3) != null ? link.group(3)
                            : link.group(1).startsWith("D") ? DM_THREAD : ts; // unthreaded DMs are one conversation
                    return key(team, link.group(1), thread);
                }
                return TS.matcher(reference).matches() || reference.equals(DM_THREAD) ? key(team, here, reference)
                        : null;
            }
        };
    }

    private static final java.util.regex.Pattern CHANNEL_REF = java.util.regex.Pattern.compile(
            "<#([CDG][A-Z0-9]{1,30})(?:\\|[^>]*)?>");
    private static final java.util.regex.Pattern MESSAGE_LINK = java.util.regex.Pattern.compile(
            "https://[^/]+/archives/([CDG][A-Z0-9]{1,30})/p(\\d{7,20})(?:\\?(?:.*&)?thread_ts=(\\d+\\.\\d+)(?:&.*)?)?");
    private static final java.util.regex.Pattern TS = java.util.regex.Pattern.compile("\\d{6,12}\\.\\d{1,9}");

    private static ConversationKey key(String teamId, String channel, String thread) {
        return new ConversationKey(PLATFORM, teamId, channel, thread);
    }

    /** The text without the bot's own mention, so the model sees only the question. */
    static String withoutMention(String text, String botUser) {
        return text.replace("<@" + botUser + ">", "").strip();
    }

    /** HTTP mode: checks Slack's signature, then lets Bolt parse and dispatch the request. */
    private void serve(io.javalin.http.Context ctx, SlackSignature signature, SlackRequestParser parser)
            throws Exception {
        if (stopping) {
            ctx.status(503).result("stopping; Slack will deliver this again\n");
            return;
        }
        byte[] raw = ctx.bodyAsBytes();
        String problem = signature.problem(ctx.header("X-Slack-Request-Timestamp"), ctx.header("X-Slack-Signature"),
                raw);
        if (problem != null) {
            meters.counter("switchboard.slack.rejected_requests").increment();
            log.warn("slack: refused an events request from {}: {}", ctx.ip(), problem);
            ctx.status(401).result(problem + "\n");
            return;
        }
        String body = new String(raw, java.nio.charset.StandardCharsets.UTF_8);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        ctx.headerMap().forEach((name, value) -> headers.put(name, List.of(value)));
        Request<?> request;
        try {
            request = parser.parse(SlackRequestParser.HttpRequest.builder()
                    .requestUri(ctx.path())
                    .queryString(ctx.queryParamMap())
                    .headers(new RequestHeaders(headers))
                    .requestBody(body)
                    .remoteAddress(ctx.ip())
                    .build());
        } catch (RuntimeException e) {
            // Signed but not a request Slack sends (not an object, a broken form): a clear 400, not a 500 that Slack
            // would deliver three more times.
            meters.counter("switchboard.slack.rejected_requests").increment();
            log.warn("slack: refused a malformed events request from {}: {}", ctx.ip(), e.getClass().getSimpleName());
            ctx.status(400).result("not a Slack request this app understands\n");
            return;
        }
        Response response;
        try {
            response = app.run(request);
        } catch (RuntimeException e) {
            meters.counter("switchboard.slack.rejected_requests").increment();
            log.warn("slack: refused an events request from {} its fields could not be read: {}", ctx.ip(),
                    e.getClass().getSimpleName());
            ctx.status(400).result("not a Slack request this app understands\n");
            return;
        }
        ctx.status(response.getStatusCode());
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((name, values) -> values.forEach(v -> ctx.header(name, v)));
        }
        if (response.getContentType() != null) {
            ctx.contentType(response.getContentType());
        }
        ctx.result(response.getBody() == null ? "" : response.getBody());
    }

    /**
     * Takes no more events: Socket Mode disconnects and HTTP mode answers 503, so Slack delivers again later what
     * arrives now. Replies in progress can still be written until {@link #close()}.
     */
    public void stopIntake() {
        httpReady = false;
        stopping = true;
        SocketModeApp s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (Exception e) {
                log.debug("slack: closing Socket Mode: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        stopIntake();
        commands.shutdownNow();
        api.close();
        try {
            slack.close();
        } catch (Exception e) {
            log.debug("slack: closing the client: {}", e.toString());
        }
    }
}

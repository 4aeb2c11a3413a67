package dev.switchboard.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Slack workspace on 127.0.0.1 that the real Slack Java SDK and Bolt talk to: the Web API under {@link #apiUrl()}
 * (point {@code SlackConfig.setMethodsEndpointUrlPrefix} at it), Socket Mode over a WebSocket whose URL
 * {@code apps.connections.open} hands out, and HTTP-mode event delivery signed with {@link #SIGNING_SECRET}.
 * Shared by tests and benchmarks. Thread-safe.
 *
 * <p>It enforces what Slack enforces, so a client that passes here has a chance on the real thing:
 * <ul>
 *   <li>tokens: none is {@code not_authed}, an unknown one {@code invalid_auth}, the app token on a bot method (or
 *       the other way round) {@code not_allowed_token_type}; all with HTTP 200 like Slack. Unknown methods answer
 *       {@code unknown_method};</li>
 *   <li>rate limits per method in a sliding window, per workspace or per channel ({@link #limit}): over the limit
 *       the answer is HTTP 429 with {@code Retry-After} (whole seconds until the window frees, at least 1) and
 *       {@code {"ok":false,"error":"ratelimited"}}; a rejected call does not use up the window;</li>
 *   <li>{@code chat.postMessage} only where the bot is a member ({@code not_in_channel}), to known channels
 *       ({@code channel_not_found}), with some text ({@code no_text}), {@code text} of at most
 *       {@link #maxTextChars} characters and {@code markdown_text} of at most 12,000 ({@code msg_too_long}), and a
 *       {@code thread_ts} that names an existing thread ({@code thread_not_found}; a reply's ts threads under its
 *       parent, and a deleted parent with replies stays a tombstone the thread goes on under, as on Slack);</li>
 *   <li>{@code chat.update} / {@code chat.delete} only on live messages ({@code message_not_found}) the bot wrote
 *       ({@code cant_update_message} / {@code cant_delete_message});</li>
 *   <li>native streaming: {@code chat.startStream} outside a DM needs {@code recipient_team_id}
 *       ({@code missing_recipient_team_id}) and {@code recipient_user_id} ({@code missing_recipient_user_id});
 *       {@code chat.appendStream} / {@code chat.stopStream} only while the message streams
 *       ({@code message_not_in_streaming_state}); markdown chunks of at most 12,000 characters; {@code chunks} and
 *       {@code task_display_mode} checked and task cards kept per stream ({@link FakeSlackStreamChunks});</li>
 *   <li>events go only to channels the bot is in; a mention gives both {@code app_mention} and {@code message}
 *       (two envelopes, two event ids, one ts); what the bot itself posts, edits or deletes comes back as
 *       {@code message} / {@code message_changed} / {@code message_deleted} events unless {@link #botEchoes} is
 *       off;</li>
 *   <li>Socket Mode: {@code hello} on connect, envelopes queued while no socket is open, an envelope not acked
 *       ({@code {"envelope_id":...}}, on any open socket) within {@link #ackTimeout} re-sent with a new envelope id,
 *       {@code retry_attempt + 1} and {@code retry_reason "timeout"}, at most {@link #retries} times; slash
 *       commands are never retried, as on Slack. HTTP mode retries the same way with {@code X-Slack-Retry-Num} /
 *       {@code X-Slack-Retry-Reason} ({@code http_timeout}, {@code http_error}, {@code connection_failed});</li>
 *   <li>{@code response_url}s take at most 5 posts;</li>
 *   <li>files, as {@code MethodsClient.filesUploadV2} sends them: {@code files.getUploadURLExternal} needs a
 *       {@code filename} and an integer {@code length} ({@code invalid_arguments}; a length of 0 is
 *       {@code missing_argument}) and hands out an {@code upload_url} on the fake itself that needs no token, as on
 *       Slack; that URL takes one POST of the bytes, raw or as multipart, and answers 200 only when their count is the
 *       announced length (else 400, and nothing is kept). {@code files.completeUploadExternal} takes only files that
 *       were uploaded and not completed yet ({@code file_not_found}), and shares them into a known channel
 *       ({@code channel_not_found}, for {@code channels} {@code invalid_channel}) the bot is in
 *       ({@code not_in_channel}) as one {@code file_share} message of the bot, in the thread of {@code thread_ts}
 *       ({@code thread_not_found});
 *       without a channel the file stays private. {@code conversations.open} gives a user's DM, {@code "D" + user},
 *       the same one every time ({@code user_not_found}, {@code users_list_not_supplied}). Both upload methods are
 *       Tier 4 (100 a minute), {@code conversations.open} Tier 3 (50).</li>
 * </ul>
 * Tests can also hold an event back and deliver it after later ones ({@link #holdNextEvents}, {@link #releaseHeld}),
 * leave one Web API call unanswered as if the caller had stopped mid-call ({@link #stallNext}) or after Slack did
 * what it asked ({@link #stallAfterNext}), and read how long each delivery took to be acknowledged
 * ({@link Delivery#took}). {@code conversations.info} answers the conversation object (Tier 3, 50 a minute per
 * workspace). {@code chat.postMessage} keeps message {@code metadata} ({@code invalid_metadata_format} unless it has
 * a string {@code event_type} and an object {@code event_payload}), which {@code conversations.history} (a channel's
 * top-level messages, newest first, with {@code oldest}, {@code latest}, {@code inclusive}, {@code limit} and a
 * cursor; Tier 3) and {@code conversations.replies} show with {@code include_all_metadata}.
 * Message timestamps are unique and increasing ({@code "1732406400.000100"}), taken from the clock but never
 * repeated. What users see is kept: {@link #messages}, {@link #thread}, {@link #botMessages}, {@link #ephemerals},
 * {@link #statuses}, {@link #files}; and every Web API call ({@link #calls}) and event delivery ({@link #deliveries}).
 */
public final class FakeSlack implements AutoCloseable {

    public static final String TEAM = "T0FAKE", BOT_USER = "U0BOT", BOT_ID = "B0BOT", APP_ID = "A0APP";
    public static final String BOT_TOKEN = "xoxb-0000-fake-bot-token", APP_TOKEN = "xapp-1-fake-app-token",
            SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

    static final String TEAM_DOMAIN = "fake-workspace";
    static final String VERIFICATION_TOKEN = "fakeVerificationToken0000";
    static final String BOT_NAME = "switchboard";
    static final int MARKDOWN_LIMIT = 12_000;
    static final int RESPONSE_URL_USES = 5;

    /** How far a rate limit reaches. */
    public enum Scope { WORKSPACE, CHANNEL }

    /**
     * One delivery of an event or slash command. {@code envelopeOrEventId} is the envelope id in Socket Mode and the
     * event id (or, for a slash command, its response_url id) in HTTP mode. {@code attempt} is the retry number
     * (0 first). Socket Mode has no HTTP status: 200 stands for an ack, 0 for none within the ack timeout; in HTTP mode
     * it is the answer's status, 0 when there was no answer in time or no connection. {@code took} is what Slack's
     * three seconds apply to: from the fake's send (its own preparation before) to the ack's or answer's arrival (its
     * own parsing and locking after), so a busy fake does not count against the service.
     */
    public record Delivery(String envelopeOrEventId, int attempt, int status, String responseBody, boolean acked,
                           Duration took) { }

    /**
     * A message as users see it now. {@code threadTs} is null for a top-level message (even one with replies);
     * {@code edits} counts chat.update calls and user edits (stream appends are not edits).
     */
    public record Message(String channel, String ts, String threadTs, String user, String botId, String text,
                          int edits, boolean streaming, boolean deleted) { }

    /** A message only one user sees. */
    public record Ephemeral(String channel, String user, String text) { }

    /** The task cards a streamed message shows ({@code task_update} chunks), latest status per id. */
    public List<FakeSlackStreamChunks.Task> streamTasks(String channel, String ts) {
        return chunks.tasks(channel, ts);
    }

    /** The {@code task_display_mode} a stream was started with ({@code timeline} when none was given). */
    public String streamTaskMode(String channel, String ts) {
        return chunks.mode(channel, ts);
    }

    /** One Web API call: its parameters (without the token), HTTP status, error code if any, and when it came. */
    public record Call(String method, Map<String, String> params, int status, String error, Instant at) { }

    /**
     * A file the bot shared with {@code files.completeUploadExternal}, once per channel it went to: {@code ts} is the
     * {@code file_share} message that carries it, {@code threadTs} its thread (null at top level); a private file has
     * no channel, ts or thread. {@code comment} is the {@code initial_comment}, {@code content} the uploaded bytes (a
     * copy; records compare arrays by identity).
     */
    public record File(String id, String channel, String threadTs, String ts, String name, String title,
                       String comment, byte[] content) { }

    private record Limit(int calls, Duration per, Scope scope) { }

    private record Answer(int status, ObjectNode body, String error, long retryAfter) { }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BOT_PROFILE_UPDATED = 1_732_406_400L;
    private static final Set<String> METHODS = Set.of(
            "api.test", "auth.test", "apps.connections.open", "bots.info", "chat.postMessage", "chat.update",
            "chat.delete", "chat.postEphemeral", "chat.startStream", "chat.appendStream", "chat.stopStream",
            "conversations.replies", "conversations.history", "conversations.info", "users.info",
            "assistant.threads.setStatus", "conversations.open", "files.getUploadURLExternal",
            "files.completeUploadExternal");

    // ---- world and history (guarded by lock) ----
    private final Object lock = new Object();
    private final Map<String, String> users = new LinkedHashMap<>();
    private final Map<String, Chan> channels = new LinkedHashMap<>();
    private final Map<String, TreeMap<Long, Msg>> history = new HashMap<>();
    private final List<Ephemeral> ephemerals = new ArrayList<>();
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, List<String>> statuses = new HashMap<>();
    private final Map<String, Limit> limits = new HashMap<>();
    private final Map<String, ArrayDeque<Long>> windows = new HashMap<>();
    private final Map<String, ArrayDeque<String>> failures = new HashMap<>();
    private final Map<String, ObjectNode> events = new HashMap<>();
    private final List<String> eventIds = new ArrayList<>();
    private final Map<String, Command> commands = new HashMap<>();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final Map<String, Upload> uploads = new LinkedHashMap<>();
    /** The agent view's events and methods (FakeSlackAgent), guarded by lock like everything here. */
    private final FakeSlackAgent agent = new FakeSlackAgent(this);
    private final Map<String, Upload> uploadTickets = new HashMap<>();
    private final List<File> files = new ArrayList<>();
    private final FakeSlackFiles shared = new FakeSlackFiles();
    /** Blocks on messages and feedback-button presses (FakeSlackInteractions). */
    private final FakeSlackInteractions interactions = new FakeSlackInteractions();
    private final FakeSlackStreamChunks chunks = new FakeSlackStreamChunks();
    private long fileCounter;
    private long lastTsMicros;
    private long eventCounter;
    private String lastEventId;

    // ---- delivery (guarded by lock) ----
    private final List<Conn> conns = new ArrayList<>();
    private final ArrayDeque<Envelope> pending = new ArrayDeque<>();
    /** By message ts: when the delivery the app acknowledged first was sent (guarded by lock). */
    private final Map<String, Instant> firstDeliveredAt = new HashMap<>();
    /** Events held back by {@link #holdNextEvents}, sent by {@link #releaseHeld}. */
    private final List<Envelope> held = new ArrayList<>();
    private int toHold;
    private final Map<String, Envelope> inFlight = new LinkedHashMap<>();
    private final Set<String> tickets = new HashSet<>();
    private int connectsTotal;
    /** Deliveries sent (or queued) whose answer has not come yet: an ack, an HTTP response, or a time-out. */
    private int unsettled;
    private String httpUrl;
    /** HTTP mode behind a load balancer: the URLs events go to in turn (empty: {@link #httpUrl} alone). */
    private List<String> httpUrls = List.of();
    /** Socket Mode with several connections: each event to the next one in turn, as Slack spreads them. */
    private boolean spread;
    private long turn;
    private boolean closed;

    private volatile Duration latency = Duration.ZERO;
    private final java.util.concurrent.atomic.AtomicReference<String> stalled = new java.util.concurrent.atomic
            .AtomicReference<>();
    private final java.util.concurrent.CountDownLatch stallReleased = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicReference<String> stalledAfter = new java.util.concurrent.atomic
            .AtomicReference<>();
    private volatile Duration ackTimeout = Duration.ofSeconds(3);
    private volatile int maxTextChars = 4000;
    private volatile int retries = 3;
    private volatile boolean botEchoes = true;

    private final AtomicLong connSerial = new AtomicLong();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("fake-slack-timer"));
    private final ExecutorService dispatcher = Executors.newSingleThreadExecutor(daemon("fake-slack-socket"));
    private final ExecutorService httpSenders = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    private final Javalin server;
    private final int port;

    private FakeSlack() {
        users.put(BOT_USER, "Switchboard");
        limit("chat.postMessage", 5, Duration.ofSeconds(5), Scope.CHANNEL);
        limit("chat.update", 50, Duration.ofSeconds(60), Scope.WORKSPACE);
        limit("chat.startStream", 20, Duration.ofSeconds(60), Scope.WORKSPACE);
        limit("chat.appendStream", 100, Duration.ofSeconds(60), Scope.WORKSPACE);
        limit("chat.stopStream", 20, Duration.ofSeconds(60), Scope.WORKSPACE);
        limit("conversations.replies", 50, Duration.ofSeconds(60), Scope.WORKSPACE);
        limit("conversations.info", 50, Duration.ofSeconds(60), Scope.WORKSPACE); // Tier 3
        limit("conversations.history", 50, Duration.ofSeconds(60), Scope.WORKSPACE); // Tier 3 (internal apps)
        limit("users.info", 100, Duration.ofSeconds(60), Scope.WORKSPACE);
        limit("assistant.threads.setStatus", 100, Duration.ofSeconds(60), Scope.WORKSPACE);
        limit("conversations.open", 50, Duration.ofSeconds(60), Scope.WORKSPACE);
        limit("files.getUploadURLExternal", 100, Duration.ofSeconds(60), Scope.WORKSPACE);
        limit("files.completeUploadExternal", 100, Duration.ofSeconds(60), Scope.WORKSPACE);
        agent.defaultLimits();
        this.server = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.jetty.modifyServer(s -> {
                if (s.getThreadPool() instanceof org.eclipse.jetty.util.thread.QueuedThreadPool pool) {
                    pool.setMaxThreads(600);
                }
            });
            config.jetty.modifyWebSocketServletFactory(f -> f.setIdleTimeout(Duration.ofMinutes(10)));
        });
        server.post("/api/{method}", this::api);
        server.get("/api/{method}", this::api);
        server.post("/response/{id}", this::responseUrl);
        server.post("/upload/v1/{ticket}", this::uploadUrl);
        server.get("/files-pri/{file}/{name}", this::download);
        server.get("/files-pri/{file}/download/{name}", this::download);
        server.get("/files-user/{file}/{name}", ctx -> shared.download(ctx, TEAM, BOT_TOKEN));
        server.get("/files-user/{file}/download/{name}", ctx -> shared.download(ctx, TEAM, BOT_TOKEN));
        server.wsBeforeUpgrade("/link", ctx -> {
            synchronized (lock) {
                if (!tickets.contains(ctx.queryParam("ticket"))) {
                    throw new UnauthorizedResponse("invalid ticket");
                }
            }
        });
        server.ws("/link", ws -> {
            ws.onConnect(this::socketOpened);
            ws.onMessage(ctx -> socketMessage(ctx.sessionId(), ctx.message()));
            ws.onClose(ctx -> socketGone(ctx.sessionId()));
            ws.onError(ctx -> socketGone(ctx.sessionId()));
        });
        server.start("127.0.0.1", 0);
        this.port = server.port();
    }

    public static FakeSlack start() {
        return new FakeSlack();
    }

    /** The Web API prefix, for {@code SlackConfig.setMethodsEndpointUrlPrefix}. */
    public String apiUrl() {
        return "http://127.0.0.1:" + port + "/api/";
    }

    public int port() {
        return port;
    }

    // ---- configuration ----

    /** Rate limit for a method: at most {@code calls} per sliding {@code per}, counted per workspace or channel. */
    public FakeSlack limit(String method, int calls, Duration per, Scope scope) {
        if (calls < 1 || per.isNegative() || per.isZero()) {
            throw new IllegalArgumentException("a limit needs calls >= 1 and a positive window");
        }
        synchronized (lock) {
            limits.put(method, new Limit(calls, per, Objects.requireNonNull(scope)));
            windows.keySet().removeIf(key -> key.startsWith(method + "\u0000"));
        }
        return this;
    }

    /** Longest {@code text} chat.postMessage / chat.update accept (default 4000). */
    public FakeSlack maxTextChars(int n) {
        this.maxTextChars = n;
        return this;
    }

    /** The next call of {@code method} answers {@code {"ok":false,"error":error}} (queued: call again for more). */
    public FakeSlack failNext(String method, String error) {
        synchronized (lock) {
            failures.computeIfAbsent(method, m -> new ArrayDeque<>()).add(error);
        }
        return this;
    }

    /** Every Web API answer takes this long (half before the call takes effect, half after). */
    public FakeSlack latency(Duration d) {
        this.latency = Objects.requireNonNull(d);
        return this;
    }

    /** How long an envelope (or an HTTP delivery) may go unacknowledged (default 3 s). */
    public FakeSlack ackTimeout(Duration d) {
        this.ackTimeout = Objects.requireNonNull(d);
        return this;
    }

    /** How often an unacknowledged event is re-sent (default 3, as Slack). */
    public FakeSlack retries(int n) {
        this.retries = n;
        return this;
    }

    /** Whether the bot's own posts, edits and deletions come back as events (default true, as Slack). */
    public FakeSlack botEchoes(boolean on) {
        this.botEchoes = on;
        return this;
    }

    // ---- world set-up ----

    /** A user; users.info answers with this display name (and real name). */
    public FakeSlack user(String id, String displayName) {
        synchronized (lock) {
            users.put(id, displayName);
        }
        return this;
    }

    /** A channel the bot is a member of. */
    public FakeSlack channel(String id, String name) {
        synchronized (lock) {
            channels.put(id, new Chan(id, name, true, null));
        }
        return this;
    }

    /** A channel the bot is not in: posting there is {@code not_in_channel}, and no events come from it. */
    public FakeSlack channelWithoutBot(String id, String name) {
        synchronized (lock) {
            channels.put(id, new Chan(id, name, false, null));
        }
        return this;
    }

    // ---- what users do ----

    /** A top-level message; returns its ts. */
    public String post(String channel, String user, String text) {
        synchronized (lock) {
            return userMessage(requireChannel(channel), null, user, text).ts;
        }
    }

    /** A reply in the thread of {@code threadTs}; returns its ts. */
    public String reply(String channel, String threadTs, String user, String text) {
        synchronized (lock) {
            Chan ch = requireChannel(channel);
            String root = threadRoot(channel, threadTs);
            if (root == null) {
                throw new IllegalArgumentException("no thread " + threadTs + " in " + channel);
            }
            return userMessage(ch, root, user, text).ts;
        }
    }

    /** A top-level message with files people shared ({@code file_share}); returns its ts. */
    public String postWithFiles(String channel, String user, String text, FakeSlackFiles.Shared... attached) {
        synchronized (lock) {
            return userMessage(requireChannel(channel), null, user, text, List.of(attached)).ts;
        }
    }

    /** A reply with files in the thread of {@code threadTs}; returns its ts. */
    public String replyWithFiles(String channel, String threadTs, String user, String text,
                                 FakeSlackFiles.Shared... attached) {
        synchronized (lock) {
            String root = threadRoot(channel, threadTs);
            if (root == null) {
                throw new IllegalArgumentException("no thread " + threadTs + " in " + channel);
            }
            return userMessage(requireChannel(channel), root, user, text, List.of(attached)).ts;
        }
    }

    /** A direct message with files to the bot; returns its ts. */
    public String dmWithFiles(String user, String text, FakeSlackFiles.Shared... attached) {
        synchronized (lock) {
            return userMessage(imWith(user), null, user, text, List.of(attached)).ts;
        }
    }

    /** The files people shared, and their downloads. */
    public FakeSlackFiles sharedFiles() {
        return shared;
    }

    /** A direct message to the bot, in channel {@code "D" + user}; returns its ts. */
    public String dm(String user, String text) {
        synchronized (lock) {
            return userMessage(imWith(user), null, user, text).ts;
        }
    }

    /**
     * The next call of {@code method} gets no answer until this fake closes, and then {@code fatal_error}: nothing it
     * asked for happens. A process stopped in the middle of that call.
     */
    public FakeSlack stallNext(String method) {
        stalled.set(method);
        return this;
    }

    /**
     * The next call of {@code method} is carried out, but its answer is held back until this fake closes: Slack did
     * what was asked and the process stopped before it heard so.
     */
    public FakeSlack stallAfterNext(String method) {
        stalledAfter.set(method);
        return this;
    }

    /** The author deletes a message: {@code message_deleted}. */
    public void delete(String channel, String ts) {
        synchronized (lock) {
            Chan ch = requireChannel(channel);
            Msg m = requireLive(channel, ts);
            ObjectNode previous = messageJson(m);
            m.deleted = true;
            if (ch.botMember) {
                emit(deletedEvent(ch, m, previous));
            }
        }
    }

    /** The author edits a message: {@code message_changed}. */
    public void edit(String channel, String ts, String newText) {
        synchronized (lock) {
            Chan ch = requireChannel(channel);
            Msg m = requireLive(channel, ts);
            ObjectNode previous = messageJson(m);
            m.text = newText;
            m.edits++;
            m.editedBy = m.user;
            m.editedTs = nextTs();
            if (ch.botMember) {
                emit(changedEvent(ch, m, previous));
            }
        }
    }

    /** Someone joins a channel ({@code channel_join}); the bot joining makes it a member. */
    public void join(String channel, String user) {
        synchronized (lock) {
            Chan ch = requireChannel(channel);
            knowUser(user);
            if (BOT_USER.equals(user)) {
                ch.botMember = true;
            }
            Msg m = store(new Msg(channel, nextTs(), null, user, null, "<@" + user + "> has joined the channel",
                    null, "channel_join"));
            if (ch.botMember) {
                ObjectNode e = JSON.createObjectNode();
                e.put("type", "message");
                e.put("subtype", "channel_join");
                e.put("ts", m.ts);
                e.put("user", user);
                e.put("text", m.text);
                e.put("team", TEAM);
                e.put("channel", channel);
                e.put("event_ts", m.ts);
                e.put("channel_type", ch.type());
                emit(e);
            }
        }
    }

    /** A user runs a slash command; returns the id of its response_url ({@code /response/{id}}). */
    public String slashCommand(String command, String channel, String user, String text) {
        synchronized (lock) {
            Chan ch = requireChannel(channel);
            knowUser(user);
            String id = UUID.randomUUID().toString().replace("-", "");
            commands.put(id, new Command(id, ch.id, user));
            ObjectNode p = JSON.createObjectNode();
            p.put("token", VERIFICATION_TOKEN);
            p.put("team_id", TEAM);
            p.put("team_domain", TEAM_DOMAIN);
            p.put("channel_id", ch.id);
            p.put("channel_name", ch.im ? "directmessage" : ch.name);
            p.put("user_id", user);
            p.put("user_name", handle(users.get(user)));
            p.put("command", command);
            p.put("text", text);
            p.put("api_app_id", APP_ID);
            p.put("is_enterprise_install", "false");
            p.put("response_url", "http://127.0.0.1:" + port + "/response/" + id);
            p.put("trigger_id", eventCounter + "." + System.nanoTime() + ".fake" + id.substring(0, 8));
            deliver(new Envelope(newEnvelopeId(), "slash_commands", p, 0, "", id, false));
            return id;
        }
    }

    /** The blocks a message carries now (an empty array for none). */
    public ArrayNode blocks(String channel, String ts) {
        return interactions.blocks(channel, ts);
    }

    /**
     * A user presses 👍 ({@code positive}) or 👎 on the feedback buttons of a message: the {@code block_actions}
     * interaction Slack sends, with the pressed button's value. Fails when the message shows no feedback buttons.
     */
    public void pressFeedback(String channel, String ts, String user, boolean positive) {
        blockAction(feedbackPress(channel, ts, user, positive));
    }

    /**
     * The press {@link #pressFeedback} would send, for a test to alter into a forgery; a message without feedback
     * buttons gives a press on buttons it never showed (action {@code switchboard_feedback}, value good/bad).
     */
    public FakeSlackInteractions.Press feedbackPress(String channel, String ts, String user, boolean positive) {
        synchronized (lock) {
            Chan ch = requireChannel(channel);
            knowUser(user);
            Msg m = find(ch.id, ts);
            ObjectNode buttons = interactions.feedbackButtons(ch.id, ts);
            JsonNode button = buttons == null ? JSON.createObjectNode()
                    : buttons.path(positive ? "positive_button" : "negative_button");
            String id = UUID.randomUUID().toString().replace("-", "");
            commands.put(id, new Command(id, ch.id, user));
            return new FakeSlackInteractions.Press(TEAM, user, handle(users.get(user)), ch.id,
                    ch.im ? "directmessage" : ch.name, ts, m == null ? null : m.threadTs,
                    m == null ? null : messageJson(m),
                    buttons == null ? "switchboard_feedback" : buttons.path("action_id").asText(),
                    buttons == null ? "forged" : buttons.path("block_id").asText(),
                    button.path("text").path("text").asText(positive ? "👍" : "👎"),
                    button.path("value").asText(positive ? "good" : "bad"),
                    "http://127.0.0.1:" + port + "/response/" + id, nextTs());
        }
    }

    /**
     * A user presses the button {@code actionId} of a message's {@code actions} block: the {@code block_actions}
     * interaction Slack sends for a {@code button} element, with its value. Fails when the message has no such button.
     */
    public void pressButton(String channel, String ts, String user, String actionId) {
        synchronized (lock) {
            Chan ch = requireChannel(channel);
            knowUser(user);
            Msg m = find(ch.id, ts);
            ObjectNode button = interactions.button(ch.id, ts, actionId);
            if (button == null || m == null) {
                throw new IllegalStateException("no button " + actionId + " on message " + ts);
            }
            String id = UUID.randomUUID().toString().replace("-", "");
            commands.put(id, new Command(id, ch.id, user));
            ObjectNode payload = FakeSlackInteractions.blockActions(new FakeSlackInteractions.Press(TEAM, user,
                    handle(users.get(user)), ch.id, ch.im ? "directmessage" : ch.name, ts, m.threadTs, messageJson(m),
                    actionId, button.path("block_id").asText(), button.path("text").path("text").asText(),
                    button.path("value").asText(), "http://127.0.0.1:" + port + "/response/" + id, nextTs()));
            ((ObjectNode) payload.path("actions").get(0)).put("type", "button");
            deliver(new Envelope(newEnvelopeId(), "interactive", payload, 0, "", UUID.randomUUID().toString(),
                    false));
        }
    }

    /** Delivers a press as Slack would (Socket Mode envelope {@code interactive}, or an HTTP form post). */
    public void blockAction(FakeSlackInteractions.Press press) {
        synchronized (lock) {
            deliver(new Envelope(newEnvelopeId(), "interactive", FakeSlackInteractions.blockActions(press), 0, "",
                    UUID.randomUUID().toString(), false));
        }
    }

    // ---- delivery ----

    /** Events go over the Socket Mode WebSocket (the default). */
    public void deliverOverSocket() {
        synchronized (lock) {
            httpUrl = null;
        }
        pump();
    }

    /** Events are POSTed to {@code eventsUrl}, signed with {@link #SIGNING_SECRET}. */
    public void deliverOverHttp(String eventsUrl) {
        synchronized (lock) {
            httpUrl = Objects.requireNonNull(eventsUrl);
            httpUrls = List.of();
        }
    }

    /** Events are POSTed to these URLs in turn, as a round-robin load balancer in front of several nodes would. */
    public void deliverOverHttpRoundRobin(List<String> eventsUrls) {
        synchronized (lock) {
            httpUrl = eventsUrls.getFirst();
            httpUrls = List.copyOf(eventsUrls);
        }
    }

    /**
     * Socket Mode: each event goes to the next open connection in turn (Slack spreads an app's events over its
     * connections), instead of to the newest one; a retry may so reach another connection than the first try.
     */
    public FakeSlack spreadOverConnections() {
        synchronized (lock) {
            spread = true;
        }
        return this;
    }

    /**
     * The first delivery of the next {@code n} events is held back until {@link #releaseHeld}: Slack delivering an
     * earlier event late, after later ones. Held events do not count as unsettled.
     */
    public FakeSlack holdNextEvents(int n) {
        synchronized (lock) {
            toHold = n;
        }
        return this;
    }

    /** Sends the held events now, in the order they were held. */
    public void releaseHeld() {
        synchronized (lock) {
            List<Envelope> now = List.copyOf(held);
            held.clear();
            now.forEach(this::deliver);
        }
    }

    public List<Delivery> deliveries() {
        synchronized (lock) {
            return List.copyOf(deliveries);
        }
    }

    /**
     * When the event of a message ({@code ts}) was sent in the delivery the app acknowledged first (Socket Mode ack or
     * HTTP 2xx); empty while none was. A delivery to a connection that died unacknowledged is sent again after the
     * ack timeout, so this can be seconds after the message was written.
     */
    public Optional<Instant> deliveredAt(String ts) {
        synchronized (lock) {
            return Optional.ofNullable(firstDeliveredAt.get(ts));
        }
    }

    /** Caller holds the lock. */
    private void noteDelivered(Envelope e) {
        String ts = e.payload.path("event").path("ts").asText("");
        if (!ts.isEmpty() && e.sentInstant != null) {
            firstDeliveredAt.putIfAbsent(ts, e.sentInstant);
        }
    }

    /**
     * Whether every event and command sent so far has had its answer (acknowledged, refused, or timed out) and none is
     * queued or on its way. Tests wait for this instead of waiting out a window to see that nothing happened.
     */
    public boolean settled() {
        synchronized (lock) {
            return unsettled == 0;
        }
    }

    /** One delivery got its answer. Caller holds the lock. */
    private void settle() {
        unsettled--;
    }

    /** The same event again, same event_id, as Slack's retries. */
    public void redeliver(String eventId, int retryAttempt, String retryReason) {
        synchronized (lock) {
            ObjectNode payload = events.get(eventId);
            if (payload == null) {
                throw new IllegalArgumentException("no event " + eventId);
            }
            deliver(new Envelope(newEnvelopeId(), "events_api", payload, retryAttempt, retryReason, eventId, true));
        }
    }

    /** The id of the newest event (for a mention: the {@code app_mention}, which follows its {@code message}). */
    public String lastEventId() {
        synchronized (lock) {
            return lastEventId;
        }
    }

    /** Every event id so far, oldest first. */
    public List<String> eventIds() {
        synchronized (lock) {
            return List.copyOf(eventIds);
        }
    }

    /** POSTs {@code body} to {@code url} signed with {@code secret} at {@code timestampSeconds}, as Slack would. */
    public HttpResponse<String> postSigned(String url, String body, String contentType, long timestampSeconds,
                                           String secret) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .header("X-Slack-Request-Timestamp", Long.toString(timestampSeconds))
                .header("X-Slack-Signature", sign(secret, timestampSeconds, body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("POST " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@code "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))}. */
    static String sign(String secret, long timestampSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal(("v0:" + timestampSeconds + ":" + body).getBytes(StandardCharsets.UTF_8));
            return "v0=" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- Socket Mode ----

    /** Sockets open now. */
    public int socketConnections() {
        synchronized (lock) {
            return (int) conns.stream().filter(c -> c.open).count();
        }
    }

    /** How many times a client connected. */
    public int socketConnectsTotal() {
        synchronized (lock) {
            return connectsTotal;
        }
    }

    /** Cuts every open socket without a close frame, like a network failure. */
    public void dropSockets() {
        List<Conn> dropping;
        synchronized (lock) {
            dropping = new ArrayList<>(conns);
            conns.clear();
            dropping.forEach(c -> c.open = false);
        }
        for (Conn c : dropping) {
            try {
                c.ctx.session.disconnect();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
    }

    /** Sends {@code {"type":"disconnect","reason":"refresh_requested"}} on every socket, as Slack does now and then. */
    public void askToRefresh() {
        List<Conn> open;
        synchronized (lock) {
            open = conns.stream().filter(c -> c.open).toList();
            open.forEach(c -> c.refreshing = true);
        }
        ObjectNode msg = JSON.createObjectNode();
        msg.put("type", "disconnect");
        msg.put("reason", "refresh_requested");
        msg.putObject("debug_info").put("host", "applink-fake-1");
        for (Conn c : open) {
            send(c, msg.toString());
            // Slack closes the old connection about 10 s later.
            timers.schedule(() -> closeQuietly(c), 10, TimeUnit.SECONDS);
        }
    }

    // ---- what users see ----

    /** The parent and its replies, in ts order, with their current text (deleted ones flagged). */
    public List<Message> thread(String channel, String threadTs) {
        synchronized (lock) {
            TreeMap<Long, Msg> all = history.getOrDefault(channel, new TreeMap<>());
            List<Message> out = new ArrayList<>();
            for (Msg m : all.values()) {
                if (m.ts.equals(threadTs) || threadTs.equals(m.threadTs)) {
                    out.add(m.view());
                }
            }
            return out;
        }
    }

    /** Everything in the channel, in ts order (deleted ones flagged). */
    public List<Message> messages(String channel) {
        synchronized (lock) {
            return history.getOrDefault(channel, new TreeMap<>()).values().stream().map(Msg::view).toList();
        }
    }

    /** Every message the bot posted, any channel, in ts order. */
    public List<Message> botMessages() {
        synchronized (lock) {
            return history.values().stream()
                    .flatMap(t -> t.values().stream())
                    .filter(m -> BOT_ID.equals(m.botId))
                    .sorted(Comparator.comparingLong(m -> tsMicros(m.ts)))
                    .map(Msg::view)
                    .toList();
        }
    }

    /** chat.postEphemeral, response_url posts and slash-command acks that only the user sees. */
    public List<Ephemeral> ephemerals() {
        synchronized (lock) {
            return List.copyOf(ephemerals);
        }
    }

    public List<Call> calls() {
        synchronized (lock) {
            return List.copyOf(calls);
        }
    }

    /** Calls of a method, whatever their outcome. */
    public int count(String method) {
        synchronized (lock) {
            return (int) calls.stream().filter(c -> c.method().equals(method)).count();
        }
    }

    /** Calls of a method answered with HTTP 429. */
    public int rateLimited(String method) {
        synchronized (lock) {
            return (int) calls.stream().filter(c -> c.method().equals(method) && c.status() == 429).count();
        }
    }

    /** Every file the bot shared, oldest first: one entry per channel it went to, a private file once. */
    public List<File> files() {
        synchronized (lock) {
            return files.stream().map(f -> new File(f.id(), f.channel(), f.threadTs(), f.ts(), f.name(), f.title(),
                    f.comment(), f.content().clone())).toList();
        }
    }

    /** Every assistant.threads.setStatus value for the thread, in order ("" clears). */
    public List<String> statuses(String channel, String threadTs) {
        synchronized (lock) {
            return List.copyOf(statuses.getOrDefault(channel + "/" + threadTs, List.of()));
        }
    }

    @Override
    public void close() {
        List<Conn> open;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(conns);
            conns.clear();
            inFlight.values().forEach(Envelope::cancelTimeout);
        }
        open.forEach(FakeSlack::closeQuietly);
        timers.shutdownNow();
        dispatcher.shutdownNow();
        stallReleased.countDown();
        httpSenders.shutdownNow();
        http.shutdownNow();
        server.stop();
    }

    // =====================================================================================================
    // Web API
    // =====================================================================================================

    private void api(Context ctx) throws InterruptedException {
        String method = ctx.pathParam("method");
        pause(latency.dividedBy(2));
        if (method.equals(stalled.getAndUpdate(m -> method.equals(m) ? null : m))) {
            // A call that never comes back while the caller lives: as if the process stopped mid-call.
            stallReleased.await(60, TimeUnit.SECONDS);
            ctx.status(200).contentType("application/json; charset=utf-8").result(fail("fatal_error").body()
                    .toString());
            return;
        }
        Map<String, String> params;
        String token = bearer(ctx.header("Authorization"));
        Answer answer;
        try {
            params = params(ctx);
            String formToken = params.remove("token");
            if (token == null) {
                token = formToken;
            }
            answer = answer(method, params, token);
        } catch (JsonProcessingException e) {
            params = Map.of();
            answer = fail("invalid_json");
        }
        synchronized (lock) {
            calls.add(new Call(method, Map.copyOf(params), answer.status(), answer.error(), Instant.now()));
        }
        if (method.equals(stalledAfter.getAndUpdate(m -> method.equals(m) ? null : m))) {
            stallReleased.await(60, TimeUnit.SECONDS); // done, but the caller never hears so
        }
        pause(latency.minus(latency.dividedBy(2)));
        ctx.status(answer.status());
        if (answer.status() == 429) {
            ctx.header("Retry-After", Long.toString(answer.retryAfter()));
        }
        ctx.contentType("application/json; charset=utf-8");
        ctx.result(answer.body().toString());
    }

    private Answer answer(String method, Map<String, String> p, String token) {
        synchronized (lock) {
            if (!METHODS.contains(method) && !FakeSlackAgent.METHODS.contains(method)) {
                return fail("unknown_method");
            }
            if (!method.equals("api.test")) {
                String needed = method.equals("apps.connections.open") ? APP_TOKEN : BOT_TOKEN;
                if (token == null || token.isBlank()) {
                    return fail("not_authed");
                }
                if (!token.equals(BOT_TOKEN) && !token.equals(APP_TOKEN)) {
                    return fail("invalid_auth");
                }
                // auth.test answers for either token: the SDK itself calls it with the app token (TeamIdCache).
                if (!token.equals(needed) && !method.equals("auth.test")) {
                    return fail("not_allowed_token_type");
                }
            }
            long retryAfter = admit(method, p);
            if (retryAfter > 0) {
                ObjectNode body = JSON.createObjectNode();
                body.put("ok", false);
                body.put("error", "ratelimited");
                return new Answer(429, body, "ratelimited", retryAfter);
            }
            ArrayDeque<String> failing = failures.get(method);
            if (failing != null && !failing.isEmpty()) {
                return fail(failing.poll());
            }
            return switch (method) {
                case "api.test" -> ok(JSON.createObjectNode());
                case "auth.test" -> authTest(token.equals(APP_TOKEN));
                case "apps.connections.open" -> connectionsOpen();
                case "bots.info" -> botsInfo(p);
                case "chat.postMessage" -> postMessage(p);
                case "chat.update" -> update(p);
                case "chat.delete" -> deleteMessage(p);
                case "chat.postEphemeral" -> postEphemeral(p);
                case "chat.startStream" -> startStream(p);
                case "chat.appendStream" -> appendStream(p);
                case "chat.stopStream" -> stopStream(p);
                case "conversations.replies" -> replies(p);
                case "conversations.history" -> channelHistory(p);
                case "conversations.info" -> conversationInfo(p);
                case "users.info" -> userInfo(p);
                case "assistant.threads.setStatus" -> setStatus(p);
                case "conversations.open" -> conversationsOpen(p);
                case "files.getUploadURLExternal" -> uploadUrlFor(p);
                case "files.completeUploadExternal" -> completeUpload(p);
                default -> agentAnswer(agent.answer(method, p));
            };
        }
    }

    /** Counts the call against its limit; returns 0 if admitted, else the seconds to wait. */
    private long admit(String method, Map<String, String> p) {
        Limit limit = limits.get(method);
        if (limit == null) {
            return 0;
        }
        String scopeKey = limit.scope() == Scope.WORKSPACE ? TEAM
                : Objects.requireNonNullElse(p.getOrDefault("channel", p.get("channel_id")), "");
        ArrayDeque<Long> window = windows.computeIfAbsent(method + "\u0000" + scopeKey, k -> new ArrayDeque<>());
        long now = System.nanoTime();
        long per = limit.per().toNanos();
        while (!window.isEmpty() && now - window.peekFirst() >= per) {
            window.pollFirst();
        }
        if (window.size() >= limit.calls()) {
            long waitNanos = window.peekFirst() + per - now;
            return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        }
        window.addLast(now);
        return 0;
    }

    private Answer authTest(boolean appToken) {
        ObjectNode r = JSON.createObjectNode();
        r.put("url", "https://" + TEAM_DOMAIN + ".slack.com/");
        r.put("team", "Fake Workspace");
        r.put("team_id", TEAM);
        if (appToken) {
            r.put("app_id", APP_ID);
        } else {
            r.put("user", BOT_NAME);
            r.put("user_id", BOT_USER);
            r.put("bot_id", BOT_ID);
        }
        r.put("is_enterprise_install", false);
        return ok(r);
    }

    private Answer connectionsOpen() {
        String ticket = UUID.randomUUID().toString();
        tickets.add(ticket);
        ObjectNode r = JSON.createObjectNode();
        r.put("url", "ws://127.0.0.1:" + port + "/link/?ticket=" + ticket + "&app_id=" + APP_ID);
        return ok(r);
    }

    private Answer botsInfo(Map<String, String> p) {
        if (!BOT_ID.equals(p.get("bot"))) {
            return fail("bot_not_found");
        }
        ObjectNode r = JSON.createObjectNode();
        ObjectNode bot = r.putObject("bot");
        bot.put("id", BOT_ID);
        bot.put("deleted", false);
        bot.put("name", BOT_NAME);
        bot.put("updated", BOT_PROFILE_UPDATED);
        bot.put("app_id", APP_ID);
        bot.put("user_id", BOT_USER);
        bot.putObject("icons").put("image_48", "https://example.com/bot_48.png");
        return ok(r);
    }

    private Answer postMessage(Map<String, String> p) {
        Chan ch = channels.get(p.get("channel"));
        if (ch == null) {
            return fail("channel_not_found");
        }
        if (!ch.botMember) {
            return fail("not_in_channel");
        }
        String text = p.get("text");
        String markdown = p.get("markdown_text");
        Answer invalid = checkText(text, markdown, p);
        if (invalid != null) {
            return invalid;
        }
        String threadTs = blankToNull(p.get("thread_ts"));
        if (threadTs != null) {
            threadTs = threadRoot(ch.id, threadTs);
            if (threadTs == null) {
                return fail("thread_not_found");
            }
        }
        ObjectNode metadata = metadata(p.get("metadata"));
        if (metadata != null && metadata.isEmpty()) {
            return fail("invalid_metadata_format");
        }
        if (FakeSlackInteractions.problem(p.get("blocks")) != null) {
            return fail(FakeSlackInteractions.problem(p.get("blocks")));
        }
        Msg m = store(new Msg(ch.id, nextTs(), threadTs, BOT_USER, BOT_ID, bodyOf(text, markdown), null, null));
        m.metadata = metadata;
        interactions.keep(ch.id, m.ts, p.get("blocks"), false);
        echoPosted(ch, m);
        ObjectNode r = JSON.createObjectNode();
        r.put("channel", ch.id);
        r.put("ts", m.ts);
        r.set("message", messageJson(m));
        return ok(r);
    }

    private Answer update(Map<String, String> p) {
        Chan ch = channels.get(p.get("channel"));
        if (ch == null) {
            return fail("channel_not_found");
        }
        Msg m = find(ch.id, p.get("ts"));
        if (m == null || m.deleted) {
            return fail("message_not_found");
        }
        if (!BOT_ID.equals(m.botId)) {
            return fail("cant_update_message");
        }
        String text = p.get("text");
        String markdown = p.get("markdown_text");
        Answer invalid = checkText(text, markdown, p);
        if (invalid != null) {
            return invalid;
        }
        if (FakeSlackInteractions.problem(p.get("blocks")) != null) {
            return fail(FakeSlackInteractions.problem(p.get("blocks")));
        }
        ObjectNode previous = messageJson(m);
        interactions.keep(ch.id, m.ts, p.get("blocks"), false);
        m.text = bodyOf(text, markdown);
        m.edits++;
        m.editedBy = BOT_USER;
        m.editedTs = nextTs();
        if (botEchoes && ch.botMember) {
            emit(changedEvent(ch, m, previous));
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("channel", ch.id);
        r.put("ts", m.ts);
        r.put("text", m.text);
        r.set("message", messageJson(m));
        return ok(r);
    }

    private Answer deleteMessage(Map<String, String> p) {
        Chan ch = channels.get(p.get("channel"));
        if (ch == null) {
            return fail("channel_not_found");
        }
        Msg m = find(ch.id, p.get("ts"));
        if (m == null || m.deleted) {
            return fail("message_not_found");
        }
        if (!BOT_ID.equals(m.botId)) {
            return fail("cant_delete_message");
        }
        ObjectNode previous = messageJson(m);
        m.deleted = true;
        m.streaming = false;
        if (botEchoes && ch.botMember) {
            emit(deletedEvent(ch, m, previous));
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("channel", ch.id);
        r.put("ts", m.ts);
        return ok(r);
    }

    private Answer postEphemeral(Map<String, String> p) {
        Chan ch = channels.get(p.get("channel"));
        if (ch == null) {
            return fail("channel_not_found");
        }
        if (!ch.botMember) {
            return fail("not_in_channel");
        }
        String user = p.get("user");
        if (user == null || !users.containsKey(user)) {
            return fail("user_not_found");
        }
        if (ch.im && !user.equals(ch.imUser)) {
            return fail("user_not_in_channel");
        }
        String text = p.get("text");
        Answer invalid = checkText(text, p.get("markdown_text"), p);
        if (invalid != null) {
            return invalid;
        }
        ephemerals.add(new Ephemeral(ch.id, user, bodyOf(text, p.get("markdown_text"))));
        ObjectNode r = JSON.createObjectNode();
        r.put("message_ts", nextTs());
        return ok(r);
    }

    private Answer startStream(Map<String, String> p) {
        Chan ch = channels.get(p.get("channel"));
        if (ch == null) {
            return fail("channel_not_found");
        }
        if (!ch.botMember) {
            return fail("not_in_channel");
        }
        String threadTs = blankToNull(p.get("thread_ts"));
        if (threadTs != null) {
            threadTs = threadRoot(ch.id, threadTs);
            if (threadTs == null) {
                return fail("thread_not_found");
            }
        }
        if (!ch.im) {
            if (blankToNull(p.get("recipient_team_id")) == null) {
                return fail("missing_recipient_team_id");
            }
            if (blankToNull(p.get("recipient_user_id")) == null) {
                return fail("missing_recipient_user_id");
            }
        }
        String markdown = Objects.requireNonNullElse(p.get("markdown_text"), "");
        if (length(markdown) > MARKDOWN_LIMIT) {
            return fail("msg_too_long");
        }
        FakeSlackStreamChunks.Parsed parsed = p.containsKey("chunks") ? FakeSlackStreamChunks.parse(p.get("chunks"))
                : new FakeSlackStreamChunks.Parsed("", List.of(), FakeSlackStreamChunks.modeProblem(
                        p.get("task_display_mode")));
        if (parsed.error() != null || FakeSlackStreamChunks.modeProblem(p.get("task_display_mode")) != null) {
            return fail(parsed.error() != null ? parsed.error() : "invalid_arguments");
        }
        Msg m = store(new Msg(ch.id, nextTs(), threadTs, BOT_USER, BOT_ID, markdown + parsed.markdown(), null, null));
        m.streaming = true;
        chunks.opened(ch.id, m.ts, p.get("task_display_mode"));
        chunks.apply(ch.id, m.ts, parsed.tasks());
        echoPosted(ch, m);
        ObjectNode r = JSON.createObjectNode();
        r.put("channel", ch.id);
        r.put("ts", m.ts);
        return ok(r);
    }

    /** The open stream a call names, or why there is none. */
    private record Stream(Msg message, Answer refusal) { }

    private Stream openStream(Map<String, String> p) {
        Chan ch = channels.get(p.get("channel"));
        if (ch == null) {
            return new Stream(null, fail("channel_not_found"));
        }
        Msg m = find(ch.id, p.get("ts"));
        if (m == null || m.deleted) {
            return new Stream(null, fail("message_not_found"));
        }
        return m.streaming ? new Stream(m, null) : new Stream(null, fail("message_not_in_streaming_state"));
    }

    private Answer appendStream(Map<String, String> p) {
        Stream stream = openStream(p);
        if (stream.refusal() != null) {
            return stream.refusal();
        }
        Msg m = stream.message();
        String markdown = p.get("markdown_text");
        FakeSlackStreamChunks.Parsed parsed = p.containsKey("chunks") ? FakeSlackStreamChunks.parse(p.get("chunks"))
                : null;
        if (parsed != null && parsed.error() != null) {
            return fail(parsed.error());
        }
        if (parsed == null && (markdown == null || markdown.isEmpty())) {
            return fail("invalid_arguments");
        }
        markdown = Objects.requireNonNullElse(markdown, "") + (parsed == null ? "" : parsed.markdown());
        if (length(markdown) > MARKDOWN_LIMIT) {
            return fail("msg_too_long");
        }
        m.text += markdown;
        chunks.apply(m.channel, m.ts, parsed == null ? List.of() : parsed.tasks());
        ObjectNode r = JSON.createObjectNode();
        r.put("channel", m.channel);
        r.put("ts", m.ts);
        return ok(r);
    }

    private Answer stopStream(Map<String, String> p) {
        Stream stream = openStream(p);
        if (stream.refusal() != null) {
            return stream.refusal();
        }
        Msg m = stream.message();
        String markdown = p.get("markdown_text");
        if (markdown != null && length(markdown) > MARKDOWN_LIMIT) {
            return fail("msg_too_long");
        }
        if (FakeSlackInteractions.problem(p.get("blocks")) != null) {
            return fail(FakeSlackInteractions.problem(p.get("blocks")));
        }
        FakeSlackStreamChunks.Parsed parsed = p.containsKey("chunks") ? FakeSlackStreamChunks.parse(p.get("chunks"))
                : null;
        if (parsed != null && parsed.error() != null) {
            return fail(parsed.error());
        }
        if (markdown != null) {
            m.text += markdown;
        }
        if (parsed != null) {
            m.text += parsed.markdown();
            chunks.apply(m.channel, m.ts, parsed.tasks());
        }
        interactions.keep(m.channel, m.ts, p.get("blocks"), true);
        m.streaming = false;
        ObjectNode r = JSON.createObjectNode();
        r.put("channel", m.channel);
        r.put("ts", m.ts);
        r.set("message", messageJson(m));
        return ok(r);
    }

    private Answer replies(Map<String, String> p) {
        Chan ch = channels.get(p.get("channel"));
        if (ch == null) {
            return fail("channel_not_found");
        }
        if (!ch.botMember) {
            return fail("not_in_channel");
        }
        Msg asked = find(ch.id, p.get("ts"));
        if (asked == null) {
            return fail("thread_not_found");
        }
        String root = asked.threadTs != null ? asked.threadTs : asked.ts;
        Msg parent = find(ch.id, root);
        List<Msg> replies = history.get(ch.id).values().stream()
                .filter(m -> root.equals(m.threadTs) && !m.deleted)
                .toList();
        List<ObjectNode> all = new ArrayList<>();
        boolean metadata = flag(p.get("include_all_metadata"));
        if (parent != null && !parent.deleted) {
            all.add(withMetadata(parent, metadata));
        } else if (parent != null && !replies.isEmpty()) {
            all.add(tombstone(parent));
        } else {
            return fail("thread_not_found");
        }
        replies.forEach(m -> all.add(withMetadata(m, metadata)));
        int limit = 1000;
        String limitParam = blankToNull(p.get("limit"));
        if (limitParam != null) {
            try {
                int asked1 = Integer.parseInt(limitParam);
                limit = asked1 < 1 ? 1000 : Math.min(asked1, 1000);
            } catch (NumberFormatException e) {
                return fail("invalid_limit");
            }
        }
        int from = 0;
        String cursor = blankToNull(p.get("cursor"));
        if (cursor != null) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return fail("invalid_cursor");
            }
            if (!decoded.startsWith("next_ts:")) {
                return fail("invalid_cursor");
            }
            long nextTs = tsMicros(decoded.substring("next_ts:".length()));
            if (nextTs < 0) {
                return fail("invalid_cursor");
            }
            from = all.size();
            for (int i = 0; i < all.size(); i++) {
                if (tsMicros(all.get(i).get("ts").asText()) >= nextTs) {
                    from = i;
                    break;
                }
            }
        }
        int to = Math.min(all.size(), from + limit);
        ObjectNode r = JSON.createObjectNode();
        ArrayNode messages = r.putArray("messages");
        all.subList(from, to).forEach(messages::add);
        boolean more = to < all.size();
        r.put("has_more", more);
        if (more) {
            String next = "next_ts:" + all.get(to).get("ts").asText();
            r.putObject("response_metadata")
                    .put("next_cursor", Base64.getEncoder().encodeToString(next.getBytes(StandardCharsets.UTF_8)));
        }
        return ok(r);
    }

    /**
     * The {@code metadata} of chat.postMessage: null when absent, an empty node when it is not an object with a
     * string {@code event_type} and an object {@code event_payload}.
     */
    private static ObjectNode metadata(String param) {
        if (blankToNull(param) == null) {
            return null;
        }
        try {
            JsonNode j = JSON.readTree(param);
            return j.path("event_type").isTextual() && j.path("event_payload").isObject() ? (ObjectNode) j
                    : JSON.createObjectNode();
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode();
        }
    }

    /** A message as the Web API shows it, with the metadata the bot posted it with when {@code include} says so. */
    private ObjectNode withMetadata(Msg m, boolean include) {
        ObjectNode j = messageJson(m);
        if (include && m.metadata != null) {
            j.set("metadata", m.metadata);
        }
        return j;
    }

    /**
     * conversations.history: the channel's top-level messages, newest first, between {@code oldest} and
     * {@code latest} (exclusive unless {@code inclusive}), {@code limit} at a time (default 100, at most 999) with a
     * cursor to older ones; message metadata only with {@code include_all_metadata}.
     */
    private Answer channelHistory(Map<String, String> p) {
        Chan ch = channels.get(p.get("channel"));
        if (ch == null) {
            return fail("channel_not_found");
        }
        if (!ch.botMember) {
            return fail("not_in_channel");
        }
        boolean inclusive = flag(p.get("inclusive"));
        long oldest = blankToNull(p.get("oldest")) == null ? 0 : tsMicros(p.get("oldest"));
        long latest = blankToNull(p.get("latest")) == null ? Long.MAX_VALUE : tsMicros(p.get("latest"));
        if (oldest < 0 || latest < 0) {
            return fail(oldest < 0 ? "invalid_ts_oldest" : "invalid_ts_latest");
        }
        String cursor = blankToNull(p.get("cursor"));
        if (cursor != null) {
            try {
                latest = tsMicros(new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8)
                        .replaceFirst("^before_ts:", ""));
            } catch (IllegalArgumentException e) {
                latest = -1;
            }
            if (latest < 0) {
                return fail("invalid_cursor");
            }
            inclusive = false;
        }
        int limit;
        try {
            limit = blankToNull(p.get("limit")) == null ? 100 : Math.min(999, Math.max(1,
                    Integer.parseInt(p.get("limit"))));
        } catch (NumberFormatException e) {
            return fail("invalid_limit");
        }
        long from = oldest;
        long to = latest;
        boolean edges = inclusive;
        List<Msg> found = history.get(ch.id).descendingMap().values().stream()
                .filter(m -> m.threadTs == null && !m.deleted)
                .filter(m -> {
                    long ts = tsMicros(m.ts);
                    return edges ? ts >= from && ts <= to : ts > from && ts < to;
                })
                .toList();
        boolean metadata = flag(p.get("include_all_metadata"));
        ObjectNode r = JSON.createObjectNode();
        ArrayNode messages = r.putArray("messages");
        for (Msg m : found.subList(0, Math.min(limit, found.size()))) {
            messages.add(withMetadata(m, metadata));
        }
        boolean more = found.size() > limit;
        r.put("has_more", more);
        if (more) {
            String next = "before_ts:" + found.get(limit - 1).ts;
            r.putObject("response_metadata")
                    .put("next_cursor", Base64.getEncoder().encodeToString(next.getBytes(StandardCharsets.UTF_8)));
        }
        return ok(r);
    }

    private Answer conversationInfo(Map<String, String> p) {
        Chan ch = channels.get(p.get("channel"));
        if (ch == null) {
            return fail("channel_not_found");
        }
        ObjectNode r = JSON.createObjectNode();
        ObjectNode c = r.putObject("channel");
        c.put("id", ch.id);
        if (ch.im) {
            c.put("is_im", true);
            c.put("user", ch.imUser);
        } else {
            c.put("name", ch.name);
            c.put("is_channel", !ch.id.startsWith("G"));
            c.put("is_group", ch.id.startsWith("G"));
            c.put("is_im", false);
            c.put("is_mpim", false);
            c.put("is_private", ch.id.startsWith("G"));
            c.put("created", BOT_PROFILE_UPDATED);
            c.put("is_archived", false);
            c.put("is_general", false);
            c.put("name_normalized", ch.name);
            c.put("is_shared", false);
            c.put("is_org_shared", false);
            c.put("context_team_id", TEAM);
            c.put("is_member", ch.botMember);
        }
        return ok(r);
    }

    private Answer userInfo(Map<String, String> p) {
        String id = p.get("user");
        String name = id == null ? null : users.get(id);
        if (name == null) {
            return fail("user_not_found");
        }
        boolean bot = BOT_USER.equals(id);
        ObjectNode r = JSON.createObjectNode();
        ObjectNode u = r.putObject("user");
        u.put("id", id);
        u.put("team_id", TEAM);
        u.put("name", bot ? BOT_NAME : handle(name));
        u.put("deleted", false);
        u.put("real_name", name);
        u.put("tz", "Europe/Berlin");
        u.put("is_admin", false);
        u.put("is_bot", bot);
        u.put("is_app_user", false);
        u.put("updated", BOT_PROFILE_UPDATED);
        ObjectNode profile = u.putObject("profile");
        profile.put("real_name", name);
        profile.put("real_name_normalized", name);
        profile.put("display_name", name);
        profile.put("display_name_normalized", name);
        profile.put("team", TEAM);
        if (bot) {
            profile.put("bot_id", BOT_ID);
            profile.put("api_app_id", APP_ID);
        }
        return ok(r);
    }

    private Answer setStatus(Map<String, String> p) {
        Chan ch = channels.get(p.get("channel_id"));
        if (ch == null) {
            return fail("channel_not_found");
        }
        if (!ch.botMember) {
            return fail("not_in_channel");
        }
        String threadTs = blankToNull(p.get("thread_ts"));
        String status = p.get("status");
        if (threadTs == null || status == null) {
            return fail("invalid_arguments");
        }
        ObjectNode refused = agent.loadingMessages(ch.id, threadTs, status, p.get("loading_messages"));
        if (refused != null) {
            return agentAnswer(refused);
        }
        statuses.computeIfAbsent(ch.id + "/" + threadTs, k -> new ArrayList<>()).add(status);
        return ok(JSON.createObjectNode());
    }

    // ---- files ----

    private Answer conversationsOpen(Map<String, String> p) {
        boolean returnIm = flag(p.get("return_im"));
        String channel = blankToNull(p.get("channel"));
        if (channel != null) {
            Chan ch = channels.get(channel);
            if (ch == null) {
                return fail("channel_not_found");
            }
            return ch.im ? ok(openedIm(ch, true, returnIm)) : fail("method_not_supported_for_channel_type");
        }
        List<String> wanted = new ArrayList<>();
        for (String id : Objects.requireNonNullElse(p.get("users"), "").split(",")) {
            if (!id.isBlank() && !wanted.contains(id.strip())) {
                wanted.add(id.strip());
            }
        }
        if (wanted.isEmpty()) {
            return fail("users_list_not_supplied");
        }
        if (wanted.size() > 8) {
            return fail("too_many_users");
        }
        if (!users.keySet().containsAll(wanted)) {
            return fail("user_not_found");
        }
        if (wanted.size() > 1) {
            return invalidArguments("[fake] multi-person DMs are not modelled: open a DM with one user");
        }
        boolean existed = channels.containsKey("D" + wanted.get(0));
        return ok(openedIm(imWith(wanted.get(0)), existed, returnIm));
    }

    private static ObjectNode openedIm(Chan im, boolean alreadyOpen, boolean full) {
        ObjectNode r = JSON.createObjectNode();
        if (alreadyOpen) {
            r.put("no_op", true);
            r.put("already_open", true);
        }
        ObjectNode c = r.putObject("channel");
        c.put("id", im.id);
        if (full) {
            c.put("created", BOT_PROFILE_UPDATED);
            c.put("is_archived", false);
            c.put("is_im", true);
            c.put("is_org_shared", false);
            c.put("user", im.imUser);
            c.put("last_read", "0000000000.000000");
            c.put("unread_count", 0);
            c.put("unread_count_display", 0);
            c.put("is_open", true);
            c.put("priority", 0);
        }
        return r;
    }

    /** files.getUploadURLExternal: reserves a file id and the URL its bytes go to. */
    private Answer uploadUrlFor(Map<String, String> p) {
        String filename = blankToNull(p.get("filename"));
        String lengthParam = blankToNull(p.get("length"));
        if (filename == null) {
            return invalidArguments("[ERROR] missing required field: filename");
        }
        if (lengthParam == null) {
            return invalidArguments("[ERROR] missing required field: length");
        }
        long length;
        try {
            length = Long.parseLong(lengthParam.strip());
        } catch (NumberFormatException e) {
            return invalidArguments("[ERROR] invalid type for field: length (expected integer)");
        }
        if (length == 0) {
            return fail("missing_argument");
        }
        if (length < 0) {
            return invalidArguments("[ERROR] length must be positive");
        }
        String altTxt = blankToNull(p.get("alt_txt"));
        if (altTxt != null && length(altTxt) > 1000) {
            return fail("alt_txt_too_large");
        }
        String id = String.format(Locale.ROOT, "F0FILE%05d", ++fileCounter);
        Upload u = new Upload(id, UUID.randomUUID().toString().replace("-", ""), filename, length, altTxt,
                Instant.now().getEpochSecond());
        uploads.put(u.id, u);
        uploadTickets.put(u.ticket, u);
        ObjectNode r = JSON.createObjectNode();
        r.put("upload_url", "http://127.0.0.1:" + port + "/upload/v1/" + u.ticket);
        r.put("file_id", u.id);
        return ok(r);
    }

    /** files.completeUploadExternal: shares uploaded files into one channel (or several), or keeps them private. */
    private Answer completeUpload(Map<String, String> p) {
        String filesParam = blankToNull(p.get("files"));
        if (filesParam == null) {
            return invalidArguments("[ERROR] missing required field: files");
        }
        JsonNode listed;
        try {
            listed = JSON.readTree(filesParam);
        } catch (JsonProcessingException e) {
            return invalidArguments("[ERROR] files must be a JSON array");
        }
        if (listed == null || !listed.isArray() || listed.isEmpty()) {
            return invalidArguments("[ERROR] files must be a non-empty JSON array");
        }
        List<Upload> picked = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        for (JsonNode f : listed) {
            Upload u = uploads.get(f.path("id").asText(""));
            // Never reserved, never uploaded (or not in full), already completed: Slack finds no file for the ticket.
            if (u == null || u.content == null || u.completed || picked.contains(u)) {
                return fail("file_not_found");
            }
            picked.add(u);
            titles.add(blankToNull(f.path("title").asText(null)));
        }
        List<Chan> targets = new ArrayList<>();
        String channelsParam = blankToNull(p.get("channels"));
        String channelId = blankToNull(p.get("channel_id"));
        if (channelsParam != null) {
            String[] ids = channelsParam.split(",");
            if (ids.length > 100) {
                return fail("channels_limit_exceeded");
            }
            for (String raw : ids) {
                String id = raw.strip();
                Chan ch = channels.get(id);
                if (ch == null && users.containsKey(id)) {
                    ch = imWith(id); // channels may name users: their DMs
                }
                if (ch == null) {
                    return fail("invalid_channel");
                }
                if (!ch.botMember) {
                    return fail("not_in_channel");
                }
                if (!targets.contains(ch)) {
                    targets.add(ch);
                }
            }
        } else if (channelId != null) {
            Chan ch = channels.get(channelId);
            if (ch == null) {
                return fail("channel_not_found");
            }
            if (!ch.botMember) {
                return fail("not_in_channel");
            }
            targets.add(ch);
        }
        String threadTs = blankToNull(p.get("thread_ts"));
        if (threadTs != null) {
            if (targets.size() != 1) {
                return invalidArguments("[ERROR] thread_ts needs exactly one channel");
            }
            threadTs = threadRoot(targets.get(0).id, threadTs);
            if (threadTs == null) {
                return fail("thread_not_found");
            }
        }
        String comment = blankToNull(p.get("initial_comment"));
        for (int i = 0; i < picked.size(); i++) {
            Upload u = picked.get(i);
            u.completed = true;
            u.title = titles.get(i) != null ? titles.get(i) : u.filename;
            uploadTickets.remove(u.ticket);
            if (targets.isEmpty()) {
                files.add(new File(u.id, null, null, null, u.filename, u.title, comment, u.content));
            }
        }
        for (Chan ch : targets) {
            Msg m = store(new Msg(ch.id, nextTs(), threadTs, BOT_USER, BOT_ID, comment == null ? "" : comment, null,
                    "file_share"));
            m.files = picked.stream().map(u -> u.id).toList();
            for (Upload u : picked) {
                u.shares.put(ch.id, m);
                files.add(new File(u.id, ch.id, threadTs, m.ts, u.filename, u.title, comment, u.content));
            }
            echoPosted(ch, m);
        }
        ObjectNode r = JSON.createObjectNode();
        ArrayNode out = r.putArray("files");
        picked.forEach(u -> out.add(fileJson(u)));
        return ok(r);
    }

    /** A file object as files.completeUploadExternal and message events show it. Caller holds the lock. */
    private ObjectNode fileJson(Upload u) {
        ObjectNode f = JSON.createObjectNode();
        f.put("id", u.id);
        f.put("created", u.created);
        f.put("timestamp", u.created);
        f.put("name", u.filename);
        f.put("title", u.title != null ? u.title : u.filename);
        String[] type = fileType(u.filename);
        f.put("mimetype", type[0]);
        f.put("filetype", type[1]);
        f.put("pretty_type", type[2]);
        f.put("user", BOT_USER);
        f.put("user_team", TEAM);
        f.put("editable", false);
        f.put("size", u.length);
        f.put("mode", "hosted");
        f.put("is_external", false);
        f.put("external_type", "");
        f.put("is_public", u.shares.keySet().stream().anyMatch(c -> c.startsWith("C")));
        f.put("public_url_shared", false);
        f.put("display_as_bot", false);
        f.put("username", "");
        if (u.altTxt != null) {
            f.put("alt_txt", u.altTxt);
        }
        String base = "http://127.0.0.1:" + port + "/files-pri/" + TEAM + "-" + u.id + "/";
        String name = URLEncoder.encode(u.filename, StandardCharsets.UTF_8).replace("+", "%20");
        f.put("url_private", base + name);
        f.put("url_private_download", base + "download/" + name);
        f.put("permalink", "https://" + TEAM_DOMAIN + ".slack.com/files/" + BOT_USER + "/" + u.id + "/" + name);
        f.put("permalink_public", "https://slack-files.com/" + TEAM + "-" + u.id + "-0fake");
        f.put("comments_count", 0);
        f.put("is_starred", false);
        ObjectNode shares = f.putObject("shares");
        ArrayNode inChannels = f.putArray("channels");
        ArrayNode inGroups = f.putArray("groups");
        ArrayNode inIms = f.putArray("ims");
        for (Map.Entry<String, Msg> share : u.shares.entrySet()) {
            Chan ch = channels.get(share.getKey());
            Msg m = share.getValue();
            boolean open = !ch.im && !ch.id.startsWith("G");
            String kind = open ? "public" : "private";
            ObjectNode bucket = shares.has(kind) ? (ObjectNode) shares.get(kind) : shares.putObject(kind);
            ObjectNode detail = bucket.putArray(ch.id).addObject();
            detail.putArray("reply_users");
            detail.put("reply_users_count", 0);
            detail.put("reply_count", 0);
            detail.put("ts", m.ts);
            if (m.threadTs != null) {
                detail.put("thread_ts", m.threadTs);
            }
            detail.put("channel_name", ch.name);
            detail.put("team_id", TEAM);
            detail.put("share_user_id", BOT_USER);
            detail.put("source", "UNKNOWN");
            detail.put("is_silent_share", false);
            (ch.im ? inIms : open ? inChannels : inGroups).add(ch.id);
        }
        f.put("has_more_shares", false);
        f.put("has_rich_preview", false);
        f.put("file_access", "visible");
        return f;
    }

    /** {mimetype, filetype, pretty_type} from the file name, as Slack guesses them for common kinds. */
    private static String[] fileType(String filename) {
        int dot = filename.lastIndexOf('.');
        String ext = dot < 0 ? "" : filename.substring(dot + 1).toLowerCase(Locale.ROOT);
        return switch (ext) {
            case "json" -> new String[] {"application/json", "json", "JSON"};
            case "txt" -> new String[] {"text/plain", "text", "Plain Text"};
            case "csv" -> new String[] {"text/csv", "csv", "CSV"};
            case "md" -> new String[] {"text/plain", "markdown", "Markdown (raw)"};
            default -> new String[] {"application/octet-stream", "binary", "Binary"};
        };
    }

    private Answer checkText(String text, String markdown, Map<String, String> p) {
        boolean rich = blankToNull(p.get("blocks")) != null || blankToNull(p.get("attachments")) != null;
        if ((text == null || text.isEmpty()) && (markdown == null || markdown.isEmpty()) && !rich) {
            return fail("no_text");
        }
        if (text != null && length(text) > maxTextChars) {
            return fail("msg_too_long");
        }
        if (markdown != null && length(markdown) > MARKDOWN_LIMIT) {
            return fail("msg_too_long");
        }
        return null;
    }

    private static String bodyOf(String text, String markdown) {
        if (text != null && !text.isEmpty()) {
            return text;
        }
        return markdown != null ? markdown : "";
    }

    // ---- hooks for FakeSlackAgent (same package; called with lock held unless noted) ----

    /** The agent view's events and methods: app_home_opened, app_context_changed, suggested prompts, titles. */
    public FakeSlackAgent agent() {
        return agent;
    }

    Object lock() {
        return lock;
    }

    /** A channel as the agent view needs it, or null when there is none. */
    record ChannelView(String id, String name, boolean botMember, boolean im) { }

    ChannelView channelView(String id) {
        Chan ch = id == null ? null : channels.get(id);
        return ch == null ? null : new ChannelView(ch.id, ch.name, ch.botMember, ch.im);
    }

    /** The direct-message channel between the bot and {@code user}, made when there is none. */
    String imChannel(String user) {
        return imWith(user).id;
    }

    /** A message stored without any event (an assistant thread's root); returns its ts. */
    String silentMessage(String channel, String user, String botId, String text, String subtype) {
        return store(new Msg(channel, nextTs(), null, user, botId, text, null, subtype)).ts;
    }

    /** Whether {@code ts} is a live thread (or message) of {@code channel}. */
    boolean threadExists(String channel, String ts) {
        return threadRoot(channel, ts) != null;
    }

    String newTs() {
        return nextTs();
    }

    /** Sends an event, retried like any other. */
    void emitEvent(ObjectNode event) {
        emit(event);
    }

    /** The agent view's answer: ok with its fields, or Slack's error with any response_metadata. */
    private static Answer agentAnswer(ObjectNode body) {
        return new Answer(200, body, body.path("ok").asBoolean() ? null : body.path("error").asText(), 0);
    }

    private static Answer ok(ObjectNode fields) {
        ObjectNode body = JSON.createObjectNode();
        body.put("ok", true);
        body.setAll(fields);
        return new Answer(200, body, null, 0);
    }

    private static Answer fail(String error) {
        ObjectNode body = JSON.createObjectNode();
        body.put("ok", false);
        body.put("error", error);
        return new Answer(200, body, error, 0);
    }

    /** Slack's answer to a missing or malformed argument, with the reason in response_metadata.messages. */
    private static Answer invalidArguments(String message) {
        Answer a = fail("invalid_arguments");
        a.body().putObject("response_metadata").putArray("messages").add(message);
        return a;
    }

    private static Map<String, String> params(Context ctx) throws JsonProcessingException {
        Map<String, String> p = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((k, v) -> {
            if (!v.isEmpty()) {
                p.put(k, v.get(0));
            }
        });
        String type = ctx.contentType();
        if (type != null && type.startsWith("application/json")) {
            String raw = ctx.body();
            if (!raw.isBlank()) {
                JsonNode node = JSON.readTree(raw);
                if (node != null && node.isObject()) {
                    node.properties().forEach(e -> p.put(e.getKey(),
                            e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
                }
            }
        } else {
            ctx.formParamMap().forEach((k, v) -> {
                if (!v.isEmpty()) {
                    p.put(k, v.get(0));
                }
            });
        }
        return p;
    }

    private static String bearer(String header) {
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        return null;
    }

    // =====================================================================================================
    // response_url
    // =====================================================================================================

    private void responseUrl(Context ctx) {
        String id = ctx.pathParam("id");
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (JsonProcessingException e) {
            body = null;
        }
        synchronized (lock) {
            Command command = commands.get(id);
            if (command == null || command.uses >= RESPONSE_URL_USES) {
                ctx.status(404).contentType("application/json").result("{\"ok\":false,\"error\":\"used_url\"}");
                return;
            }
            if (body == null || !body.isObject()) {
                ctx.status(400).contentType("application/json").result("{\"ok\":false,\"error\":\"invalid_payload\"}");
                return;
            }
            String text = body.path("text").asText("");
            if (text.isEmpty() && !body.has("blocks") && !body.path("delete_original").asBoolean(false)) {
                ctx.status(400).contentType("application/json").result("{\"ok\":false,\"error\":\"no_text\"}");
                return;
            }
            command.uses++;
            if (!body.path("delete_original").asBoolean(false)) {
                respond(command, body.path("response_type").asText("ephemeral"), text);
            }
        }
        ctx.status(200).contentType("application/json").result("{\"ok\":true}");
    }

    // =====================================================================================================
    // File upload and download URLs
    // =====================================================================================================

    /** An upload_url: one file's bytes, raw or as multipart (the first part with a filename). */
    private void uploadUrl(Context ctx) throws IOException {
        byte[] content = ctx.req().getInputStream().readAllBytes();
        if (Multipart.is(ctx.contentType())) {
            try {
                content = Multipart.parse(ctx.contentType(), content).parts().stream()
                        .filter(part -> part.filename() != null)
                        .findFirst()
                        .map(Multipart.Part::content)
                        .orElse(null);
            } catch (IllegalArgumentException malformed) {
                content = null;
            }
            if (content == null) {
                ctx.status(400).contentType("text/plain; charset=utf-8").result("no file in the form");
                return;
            }
        }
        synchronized (lock) {
            Upload u = uploadTickets.get(ctx.pathParam("ticket"));
            if (u == null || u.completed) {
                ctx.status(404).contentType("text/plain; charset=utf-8").result("upload not found");
                return;
            }
            if (content.length != u.length) {
                ctx.status(400).contentType("text/plain; charset=utf-8")
                        .result("length mismatch: announced " + u.length + " bytes, got " + content.length);
                return;
            }
            u.content = content;
        }
        ctx.status(200).contentType("text/plain; charset=utf-8").result("OK - " + content.length);
    }

    /** url_private / url_private_download: the bytes of a shared file, for the bot token only. */
    private void download(Context ctx) {
        String key = ctx.pathParam("file");
        String id = key.startsWith(TEAM + "-") ? key.substring(TEAM.length() + 1) : "";
        byte[] content;
        String mimetype;
        synchronized (lock) {
            Upload u = uploads.get(id);
            if (u == null || !u.completed || !u.filename.equals(ctx.pathParam("name"))) {
                ctx.status(404).contentType("text/plain; charset=utf-8").result("file not found");
                return;
            }
            content = u.content;
            mimetype = fileType(u.filename)[0];
        }
        if (!BOT_TOKEN.equals(bearer(ctx.header("Authorization")))) {
            ctx.status(401).contentType("text/plain; charset=utf-8").result("not_authed");
            return;
        }
        ctx.status(200).contentType(mimetype).result(content);
    }

    /** A slash command's answer: in the channel as the bot, or only for the user. Caller holds the lock. */
    private void respond(Command command, String responseType, String text) {
        if ("in_channel".equals(responseType)) {
            Chan ch = channels.get(command.channel);
            Msg m = store(new Msg(command.channel, nextTs(), null, BOT_USER, BOT_ID, text, null, null));
            echoPosted(ch, m);
        } else {
            ephemerals.add(new Ephemeral(command.channel, command.user, text));
        }
    }

    /** The body a slash command was acknowledged with (socket payload or HTTP answer). Caller holds the lock. */
    private void commandAnswered(String commandId, JsonNode answer) {
        Command command = commands.get(commandId);
        if (command == null || answer == null || answer.isNull() || answer.isMissingNode()) {
            return;
        }
        if (answer.isTextual()) {
            if (!answer.asText().isBlank()) {
                respond(command, "ephemeral", answer.asText());
            }
            return;
        }
        String text = answer.path("text").asText("");
        if (!text.isEmpty()) {
            respond(command, answer.path("response_type").asText("ephemeral"), text);
        }
    }

    // =====================================================================================================
    // Messages and events (callers hold the lock)
    // =====================================================================================================

    private Msg userMessage(Chan ch, String threadTs, String user, String text) {
        return userMessage(ch, threadTs, user, text, List.of());
    }

    private Msg userMessage(Chan ch, String threadTs, String user, String text, List<FakeSlackFiles.Shared> attached) {
        knowUser(user);
        com.fasterxml.jackson.databind.node.ArrayNode fileJson = attached.isEmpty() ? null
                : shared.json(attached, "http://127.0.0.1:" + port + "/files-user/", TEAM, user);
        Msg m = store(new Msg(ch.id, nextTs(), threadTs, user, null, text, UUID.randomUUID().toString(), null));
        if (!ch.botMember) {
            return m;
        }
        ObjectNode message = JSON.createObjectNode();
        message.put("client_msg_id", m.clientMsgId);
        message.put("type", "message");
        message.put("text", text);
        message.put("user", user);
        message.put("ts", m.ts);
        message.put("team", TEAM);
        threadFields(message, m);
        message.put("channel", ch.id);
        message.put("event_ts", m.ts);
        message.put("channel_type", ch.type());
        if (fileJson != null) {
            message.put("subtype", "file_share");
            message.set("files", fileJson);
            message.put("upload", false);
        }
        emit(message);
        if (!ch.im && text.contains("<@" + BOT_USER + ">")) {
            ObjectNode mention = JSON.createObjectNode();
            mention.put("client_msg_id", m.clientMsgId);
            mention.put("type", "app_mention");
            mention.put("text", text);
            mention.put("user", user);
            mention.put("ts", m.ts);
            mention.put("team", TEAM);
            threadFields(mention, m);
            mention.put("channel", ch.id);
            mention.put("event_ts", m.ts);
            if (fileJson != null) {
                mention.set("files", fileJson);
            }
            emit(mention);
        }
        return m;
    }

    private void echoPosted(Chan ch, Msg m) {
        if (!botEchoes || ch == null || !ch.botMember) {
            return;
        }
        ObjectNode e = JSON.createObjectNode();
        e.put("type", "message");
        e.put("text", m.text);
        e.put("user", BOT_USER);
        e.put("bot_id", BOT_ID);
        e.put("app_id", APP_ID);
        e.set("bot_profile", botProfile());
        e.put("ts", m.ts);
        e.put("team", TEAM);
        threadFields(e, m);
        e.put("channel", ch.id);
        e.put("event_ts", m.ts);
        e.put("channel_type", ch.type());
        if (m.subtype != null) {
            e.put("subtype", m.subtype);
        }
        filesInto(e, m);
        emit(e);
    }

    /** The files a file_share message carries. */
    private void filesInto(ObjectNode json, Msg m) {
        if (m.files.isEmpty()) {
            return;
        }
        ArrayNode out = json.putArray("files");
        m.files.forEach(id -> out.add(fileJson(uploads.get(id))));
        json.put("upload", true);
        json.put("display_as_bot", false);
    }

    private ObjectNode changedEvent(Chan ch, Msg m, ObjectNode previous) {
        String ts = nextTs();
        ObjectNode e = JSON.createObjectNode();
        e.put("type", "message");
        e.put("subtype", "message_changed");
        e.put("hidden", true);
        e.set("message", messageJson(m));
        e.put("channel", ch.id);
        e.set("previous_message", previous);
        e.put("event_ts", ts);
        e.put("ts", ts);
        e.put("channel_type", ch.type());
        return e;
    }

    private ObjectNode deletedEvent(Chan ch, Msg m, ObjectNode previous) {
        String ts = nextTs();
        ObjectNode e = JSON.createObjectNode();
        e.put("type", "message");
        e.put("subtype", "message_deleted");
        e.put("hidden", true);
        e.put("deleted_ts", m.ts);
        e.put("channel", ch.id);
        e.set("previous_message", previous);
        e.put("event_ts", ts);
        e.put("ts", ts);
        e.put("channel_type", ch.type());
        return e;
    }

    private void threadFields(ObjectNode node, Msg m) {
        if (m.threadTs != null) {
            node.put("thread_ts", m.threadTs);
            Msg parent = find(m.channel, m.threadTs);
            if (parent != null) {
                node.put("parent_user_id", parent.user);
            }
        }
    }

    /** A message as the Web API shows it. */
    private ObjectNode messageJson(Msg m) {
        ObjectNode j = JSON.createObjectNode();
        if (m.clientMsgId != null) {
            j.put("client_msg_id", m.clientMsgId);
        }
        j.put("type", "message");
        if (m.subtype != null) {
            j.put("subtype", m.subtype);
        }
        j.put("text", m.text);
        j.put("user", m.user);
        if (m.botId != null) {
            j.put("bot_id", m.botId);
            j.put("app_id", APP_ID);
            j.set("bot_profile", botProfile());
        }
        j.put("ts", m.ts);
        j.put("team", TEAM);
        interactions.into(j, m.channel, m.ts);
        filesInto(j, m);
        if (m.editedTs != null) {
            ObjectNode edited = j.putObject("edited");
            edited.put("user", m.editedBy);
            edited.put("ts", m.editedTs);
        }
        if (m.threadTs != null) {
            threadFields(j, m);
        } else {
            List<Msg> replies = history.get(m.channel).values().stream()
                    .filter(r -> m.ts.equals(r.threadTs) && !r.deleted)
                    .toList();
            if (!replies.isEmpty()) {
                j.put("thread_ts", m.ts);
                j.put("reply_count", replies.size());
                ArrayNode who = j.putArray("reply_users");
                new LinkedHashSet<>(replies.stream().map(r -> r.user).toList()).forEach(who::add);
                j.put("reply_users_count", who.size());
                j.put("latest_reply", replies.get(replies.size() - 1).ts);
                j.put("is_locked", false);
                j.put("subscribed", false);
            }
        }
        return j;
    }

    private ObjectNode tombstone(Msg parent) {
        ObjectNode j = messageJson(parent);
        j.put("subtype", "tombstone");
        j.put("text", "This message was deleted.");
        j.put("user", "USLACKBOT");
        j.remove(List.of("bot_id", "app_id", "bot_profile", "client_msg_id", "edited", "files", "upload",
                "display_as_bot"));
        j.put("hidden", true);
        return j;
    }

    private static ObjectNode botProfile() {
        ObjectNode p = JSON.createObjectNode();
        p.put("id", BOT_ID);
        p.put("deleted", false);
        p.put("name", BOT_NAME);
        p.put("updated", BOT_PROFILE_UPDATED);
        p.put("app_id", APP_ID);
        p.putObject("icons").put("image_48", "https://example.com/bot_48.png");
        p.put("team_id", TEAM);
        return p;
    }

    /** Wraps an event in its event_callback and sends it on its way. */
    private void emit(ObjectNode event) {
        String eventId = String.format(Locale.ROOT, "Ev0FAKE%05d", ++eventCounter);
        ObjectNode payload = JSON.createObjectNode();
        payload.put("token", VERIFICATION_TOKEN);
        payload.put("team_id", TEAM);
        payload.put("context_team_id", TEAM);
        payload.putNull("context_enterprise_id");
        payload.put("api_app_id", APP_ID);
        payload.set("event", event);
        payload.put("type", "event_callback");
        payload.put("event_id", eventId);
        payload.put("event_time", Instant.now().getEpochSecond());
        ObjectNode authorization = payload.putArray("authorizations").addObject();
        authorization.putNull("enterprise_id");
        authorization.put("team_id", TEAM);
        authorization.put("user_id", BOT_USER);
        authorization.put("is_bot", true);
        authorization.put("is_enterprise_install", false);
        payload.put("is_ext_shared_channel", false);
        payload.put("event_context", "4-fake-" + eventId);
        events.put(eventId, payload);
        eventIds.add(eventId);
        lastEventId = eventId;
        deliver(new Envelope(newEnvelopeId(), "events_api", payload, 0, "", eventId, true));
    }

    private Msg store(Msg m) {
        history.computeIfAbsent(m.channel, k -> new TreeMap<>()).put(tsMicros(m.ts), m);
        return m;
    }

    private Msg find(String channel, String ts) {
        if (channel == null || ts == null) {
            return null;
        }
        TreeMap<Long, Msg> all = history.get(channel);
        long key = tsMicros(ts);
        if (all == null || key < 0) {
            return null;
        }
        Msg m = all.get(key);
        return m != null && m.ts.equals(ts) ? m : null;
    }

    /**
     * The ts of the thread {@code ts} belongs to, or null when there is no such thread: unknown, or deleted without
     * replies (a deleted parent with replies stays as a tombstone and the thread goes on, as on Slack).
     */
    private String threadRoot(String channel, String ts) {
        Msg m = find(channel, ts);
        if (m == null) {
            return null;
        }
        String root = m.threadTs != null ? m.threadTs : m.ts;
        Msg parent = find(channel, root);
        if (parent == null) {
            return null;
        }
        if (parent.deleted && history.get(channel).values().stream()
                .noneMatch(r -> root.equals(r.threadTs) && !r.deleted)) {
            return null;
        }
        return root;
    }

    private Chan requireChannel(String id) {
        if (id != null && id.startsWith("D") && !channels.containsKey(id) && id.length() > 1) {
            return imWith(id.substring(1));
        }
        Chan ch = channels.get(id);
        if (ch == null) {
            throw new IllegalArgumentException("unknown channel " + id + ": declare it with channel(...) first");
        }
        return ch;
    }

    private Msg requireLive(String channel, String ts) {
        Msg m = find(channel, ts);
        if (m == null || m.deleted) {
            throw new IllegalArgumentException("no live message " + ts + " in " + channel);
        }
        return m;
    }

    private Chan imWith(String user) {
        knowUser(user);
        return channels.computeIfAbsent("D" + user, id -> new Chan(id, id, true, user));
    }

    private void knowUser(String user) {
        users.putIfAbsent(Objects.requireNonNull(user, "user"), user);
    }

    private String nextTs() {
        long now = System.currentTimeMillis() * 1000;
        lastTsMicros = Math.max(now - now % 100, lastTsMicros + 100);
        return String.format(Locale.ROOT, "%d.%06d", lastTsMicros / 1_000_000, lastTsMicros % 1_000_000);
    }

    /** "1732406400.000100" as microseconds, or -1 if it is not a Slack ts. */
    static long tsMicros(String ts) {
        if (ts == null) {
            return -1;
        }
        int dot = ts.indexOf('.');
        if (dot < 1 || ts.length() - dot - 1 != 6) {
            return -1;
        }
        try {
            return Long.parseLong(ts.substring(0, dot)) * 1_000_000 + Long.parseLong(ts.substring(dot + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    /** A boolean argument: the SDK sends {@code 1}/{@code 0}, others {@code true}/{@code false}. */
    private static boolean flag(String value) {
        return "1".equals(value) || "true".equalsIgnoreCase(value);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String handle(String displayName) {
        return displayName.toLowerCase(Locale.ROOT).replace(' ', '.');
    }

    private static String newEnvelopeId() {
        return UUID.randomUUID().toString();
    }

    // =====================================================================================================
    // Delivery
    // =====================================================================================================

    /** Sends an envelope the current way. Caller holds the lock. */
    private void deliver(Envelope e) {
        if (closed) {
            return;
        }
        if (toHold > 0 && e.type.equals("events_api") && e.attempt == 0) {
            toHold--;
            held.add(e);
            return;
        }
        unsettled++;
        if (httpUrl != null) {
            String url = httpUrls.isEmpty() ? httpUrl : httpUrls.get((int) (turn++ % httpUrls.size()));
            httpSenders.execute(() -> postOverHttp(e, url));
        } else {
            pending.addLast(e);
            pump();
        }
    }

    /** Has the dispatcher send what is queued. */
    private void pump() {
        try {
            dispatcher.execute(this::drain);
        } catch (RejectedExecutionException ignored) {
            // closed
        }
    }

    /** Sends queued envelopes, in order, while a hello'd socket is open. Runs on the dispatcher thread only. */
    private void drain() {
        while (true) {
            Envelope e;
            Conn c;
            synchronized (lock) {
                if (closed || httpUrl != null || pending.isEmpty()) {
                    return;
                }
                c = target();
                if (c == null) {
                    return;
                }
                e = pending.pollFirst();
                e.sentAt = System.nanoTime();
                inFlight.put(e.id, e);
                Envelope sent = e;
                e.timeout = timers.schedule(() -> ackTimedOut(sent), ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            String text = e.json();
            e.sentAt = System.nanoTime(); // Slack times its three seconds from here
            e.sentInstant = Instant.now();
            if (!send(c, text)) {
                synchronized (lock) {
                    if (inFlight.remove(e.id) != null) {
                        e.cancelTimeout();
                        pending.addFirst(e);
                    }
                    c.open = false;
                    conns.remove(c);
                }
            }
        }
    }

    /** The newest hello'd socket not asked to refresh, else any hello'd one. Caller holds the lock. */
    private Conn target() {
        if (spread) {
            List<Conn> ready = conns.stream().filter(c -> c.open && c.helloed && !c.refreshing).toList();
            if (!ready.isEmpty()) {
                return ready.get((int) (turn++ % ready.size()));
            }
        }
        Conn fallback = null;
        for (int i = conns.size() - 1; i >= 0; i--) {
            Conn c = conns.get(i);
            if (c.open && c.helloed) {
                if (!c.refreshing) {
                    return c;
                }
                if (fallback == null) {
                    fallback = c;
                }
            }
        }
        return fallback;
    }

    private void ackTimedOut(Envelope e) {
        synchronized (lock) {
            if (inFlight.get(e.id) != e) {
                return;
            }
            inFlight.remove(e.id);
            settle();
            deliveries.add(new Delivery(e.id, e.attempt, 0, null, false, e.took()));
            if (e.retryable && e.attempt < retries && !closed) {
                deliver(e.retry("timeout"));
            }
        }
    }

    private void postOverHttp(Envelope e, String url) {
        boolean command = e.type.equals("slash_commands");
        boolean interactive = e.type.equals("interactive"); // form-encoded: payload=<the JSON>
        String body = command ? formEncode(e.payload) : interactive
                ? "payload=" + URLEncoder.encode(e.payload.toString(), StandardCharsets.UTF_8) : e.payload.toString();
        long now = Instant.now().getEpochSecond();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(ackTimeout)
                .header("Content-Type", command || interactive ? "application/x-www-form-urlencoded"
                        : "application/json")
                .header("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
                .header("X-Slack-Request-Timestamp", Long.toString(now))
                .header("X-Slack-Signature", sign(SIGNING_SECRET, now, body))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (e.attempt > 0) {
            request.header("X-Slack-Retry-Num", Integer.toString(e.attempt));
            request.header("X-Slack-Retry-Reason", e.reason);
        }
        int status = 0;
        String answer = null;
        String failure;
        e.sentAt = System.nanoTime();
        e.sentInstant = Instant.now();
        long received = 0;
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            received = System.nanoTime();
            status = response.statusCode();
            answer = response.body();
            failure = status / 100 == 2 ? null : "http_error";
        } catch (HttpTimeoutException ex) {
            failure = "http_timeout";
        } catch (ConnectException ex) {
            failure = "connection_failed";
        } catch (IOException ex) {
            failure = "http_error";
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (lock) {
            settle();
            deliveries.add(new Delivery(e.key, e.attempt, status, answer, failure == null,
                    received == 0 ? e.took() : e.took(received)));
            if (failure == null) {
                noteDelivered(e);
            }
            if (failure == null && command && answer != null && !answer.isBlank()) {
                JsonNode parsed;
                try {
                    parsed = JSON.readTree(answer);
                } catch (JsonProcessingException notJson) {
                    parsed = JSON.getNodeFactory().textNode(answer);
                }
                commandAnswered(e.key, parsed);
            }
            if (failure != null && e.retryable && e.attempt < retries && !closed) {
                deliver(e.retry(failure));
            }
        }
    }

    private static String formEncode(ObjectNode payload) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, JsonNode> field : payload.properties()) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(field.getValue().asText(), StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    // ---- sockets ----

    private void socketOpened(WsContext ctx) {
        Conn c = new Conn(ctx, connSerial.incrementAndGet());
        int open;
        synchronized (lock) {
            if (closed) {
                closeQuietly(c);
                return;
            }
            conns.add(c);
            connectsTotal++;
            open = (int) conns.stream().filter(x -> x.open).count();
        }
        ObjectNode hello = JSON.createObjectNode();
        hello.put("type", "hello");
        hello.put("num_connections", open);
        ObjectNode debug = hello.putObject("debug_info");
        debug.put("host", "applink-fake-" + c.serial);
        debug.put("build_number", 1);
        debug.put("approximate_connection_time", 18060);
        hello.putObject("connection_info").put("app_id", APP_ID);
        if (send(c, hello.toString())) {
            synchronized (lock) {
                c.helloed = true;
            }
            pump();
        }
    }

    private void socketMessage(String sessionId, String text) {
        long received = System.nanoTime(); // before the fake's own parsing and locking
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return;
        }
        String envelopeId = msg.path("envelope_id").asText(null);
        if (envelopeId == null) {
            return;
        }
        synchronized (lock) {
            Envelope e = inFlight.remove(envelopeId);
            if (e == null) {
                return; // late or unknown ack: Slack has moved on
            }
            e.cancelTimeout();
            settle();
            deliveries.add(new Delivery(e.id, e.attempt, 200, text, true, e.took(received)));
            noteDelivered(e);
            if (e.type.equals("slash_commands")) {
                commandAnswered(e.key, msg.get("payload"));
            }
        }
    }

    private void socketGone(String sessionId) {
        synchronized (lock) {
            for (Iterator<Conn> it = conns.iterator(); it.hasNext(); ) {
                Conn c = it.next();
                if (c.ctx.sessionId().equals(sessionId)) {
                    c.open = false;
                    it.remove();
                }
            }
        }
    }

    private static boolean send(Conn c, String text) {
        synchronized (c) {
            if (!c.open) {
                return false;
            }
            try {
                c.ctx.send(text);
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }
    }

    private static void closeQuietly(Conn c) {
        try {
            c.ctx.closeSession(1000, "bye");
        } catch (RuntimeException ignored) {
            // already closed
        }
    }

    private static void pause(Duration d) throws InterruptedException {
        if (!d.isZero() && !d.isNegative()) {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    // =====================================================================================================
    // Internal state
    // =====================================================================================================

    private static final class Chan {
        final String id;
        final String name;
        final String imUser;
        final boolean im;
        boolean botMember;

        Chan(String id, String name, boolean botMember, String imUser) {
            this.id = id;
            this.name = name;
            this.botMember = botMember;
            this.imUser = imUser;
            this.im = imUser != null;
        }

        String type() {
            return im ? "im" : id.startsWith("G") ? "group" : "channel";
        }
    }

    private static final class Msg {
        final String channel;
        final String ts;
        final String threadTs;
        final String user;
        final String botId;
        final String clientMsgId;
        final String subtype;
        String text;
        int edits;
        boolean streaming;
        boolean deleted;
        String editedTs;
        String editedBy;
        List<String> files = List.of();
        /** Message metadata ({@code event_type}, {@code event_payload}) the bot posted with it, or null. */
        ObjectNode metadata;

        Msg(String channel, String ts, String threadTs, String user, String botId, String text, String clientMsgId,
            String subtype) {
            this.channel = channel;
            this.ts = ts;
            this.threadTs = threadTs;
            this.user = user;
            this.botId = botId;
            this.text = text;
            this.clientMsgId = clientMsgId;
            this.subtype = subtype;
        }

        Message view() {
            return new Message(channel, ts, threadTs, user, botId, text, edits, streaming, deleted);
        }
    }

    private static final class Command {
        final String id;
        final String channel;
        final String user;
        int uses;

        Command(String id, String channel, String user) {
            this.id = id;
            this.channel = channel;
            this.user = user;
        }
    }

    /** A file from files.getUploadURLExternal on: its bytes once uploaded, where it went once completed. */
    private static final class Upload {
        final String id;
        final String ticket;
        final String filename;
        final long length;
        final String altTxt;
        final long created;
        final Map<String, Msg> shares = new LinkedHashMap<>();
        byte[] content;
        boolean completed;
        String title;

        Upload(String id, String ticket, String filename, long length, String altTxt, long created) {
            this.id = id;
            this.ticket = ticket;
            this.filename = filename;
            this.length = length;
            this.altTxt = altTxt;
            this.created = created;
        }
    }

    /** One envelope: an event (retried when not acked) or a slash command (never retried). */
    private static final class Envelope {
        final String id;
        final String type;
        final ObjectNode payload;
        final int attempt;
        final String reason;
        final String key;
        final boolean retryable;
        ScheduledFuture<?> timeout;
        /** When it was sent: System.nanoTime(). */
        volatile long sentAt;
        /** When it was sent, on the wall clock. */
        volatile Instant sentInstant;

        Envelope(String id, String type, ObjectNode payload, int attempt, String reason, String key,
                 boolean retryable) {
            this.id = id;
            this.type = type;
            this.payload = payload;
            this.attempt = attempt;
            this.reason = reason;
            this.key = key;
            this.retryable = retryable;
        }

        Duration took() {
            return took(System.nanoTime());
        }

        /** From the send to {@code answeredAt} (System.nanoTime()). */
        Duration took(long answeredAt) {
            return Duration.ofNanos(answeredAt - sentAt);
        }

        Envelope retry(String why) {
            return new Envelope(newEnvelopeId(), type, payload, attempt + 1, why, key, retryable);
        }

        void cancelTimeout() {
            if (timeout != null) {
                timeout.cancel(false);
            }
        }

        String json() {
            ObjectNode j = JSON.createObjectNode();
            j.put("envelope_id", id);
            j.set("payload", payload);
            j.put("type", type);
            j.put("accepts_response_payload", type.equals("slash_commands"));
            j.put("retry_attempt", attempt);
            j.put("retry_reason", reason);
            return j.toString();
        }
    }

    private static final class Conn {
        final WsContext ctx;
        final long serial;
        volatile boolean open = true;
        boolean helloed;
        boolean refreshing;

        Conn(WsContext ctx, long serial) {
            this.ctx = ctx;
            this.serial = serial;
        }
    }
}

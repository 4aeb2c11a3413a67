package dev.switchboard.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.websocket.WsContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Discord on 127.0.0.1 that the real JDA talks to: the REST API under {@link #restUrl()} (API v10) and the Gateway
 * WebSocket at {@link #gatewayUrl()} (JSON, no compression). One guild ({@link #GUILD}) with text channels, threads,
 * DMs, roles and users; the bot is {@link #BOT_ID} and logs in with {@link #TOKEN}. Shared by tests and benchmarks.
 * Thread-safe.
 *
 * <p>Pointing JDA 6.5 at it:
 * <pre>{@code
 * JDABuilder.createLight(FakeDiscord.TOKEN, intents)
 *     .setRestConfig(new RestConfig().setBaseUrl(fake.restUrl()))
 *     .setSessionController(new ConcurrentSessionController() {
 *         public String getGateway() { return fake.gatewayUrl(); }
 *     })
 *     .setCompression(Compression.NONE)
 * }</pre>
 * A {@code DefaultShardManagerBuilder} takes the same {@code RestConfig}; it asks {@code GET gateway/bot}, which answers
 * with {@link #gatewayUrl()} and one shard.
 *
 * <p>It enforces what Discord enforces, so a client that passes here has a chance on the real thing:
 * <ul>
 *   <li>REST: {@code Authorization: Bot <token>} or 401; message content of at most 2,000 characters (code points) or
 *       400 {@code 50035}; no empty message (400 {@code 50006}); {@code SEND_MESSAGES} in {@link #forbidden} channels
 *       (403 {@code 50013}); only the bot's own messages can be edited (403 {@code 50005}); unknown messages 404
 *       {@code 10008}; nothing written into an archived thread (400 {@code 50083}); thread names of 1 to 100 characters
 *       and one thread per message (400 {@code 160004}); a reply's {@code message_reference} must name an existing
 *       message; a create with {@code enforce_nonce} whose nonce (at most 25 characters) the bot used in the last few
 *       minutes gets that message back and posts nothing ({@link #nonceRepeats});</li>
 *   <li>rate limits: every route has a bucket ({@code X-RateLimit-Limit/-Remaining/-Reset/-Reset-After/-Bucket} on every
 *       answer, each route its own hash, the channel id or interaction token as major parameter). Message create, edit
 *       and delete share one fixed window per channel ({@link #channelLimit}, default 5 per 5 s): the three routes
 *       report that shared window, so a client that sends only one kind of write is paced by the headers, while one
 *       that mixes them meets 429s with scope {@code shared}. An interaction's follow-ups and webhook edits and deletes
 *       share one window per interaction token the same way ({@link #interactionLimit}, default 5 per 2 s, Discord's
 *       limit per interaction). All authenticated routes share a global window
 *       ({@link #globalLimit}, default 50 per second; interaction and webhook routes are exempt, as on Discord): over it
 *       the 429 carries {@code "global": true} and {@code X-RateLimit-Global}, and every authenticated request
 *       until its Retry-After ends gets one too ({@link #forceGlobalRateLimit} starts one at will). A request that
 *       comes while a Retry-After of its scope runs is counted ({@link #requestsInRetryAfter}). A 429 has
 *       {@code {"message","retry_after","global"}}, {@code Retry-After} in whole seconds (rounded up), and does not use
 *       up the window. Every answer carries {@code Via}: JDA takes a 429 without it for a Cloudflare ban;</li>
 *   <li>interactions: the callback within 3 s of INTERACTION_CREATE ({@link #interactionAckTimeout}) or 404
 *       {@code 10062}; one callback only (400 {@code 40060}); the token lives 15 minutes
 *       ({@link #interactionTokenLifetime}), then webhooks answer 401 {@code 50027}; follow-ups only after the callback
 *       (404 {@code 10015}); the first follow-up after a deferral fills the "thinking" message instead of adding one;
 *       slash commands only for registered commands with their required options;</li>
 *   <li>Gateway: HELLO on connect, heartbeat ACKs, IDENTIFY with the token (else close 4004) and intents (4013), READY
 *       then GUILD_CREATE; a sequence number per session and a replay buffer, so a RESUME after a cut
 *       ({@link #dropGateway}) gets every missed dispatch once and then RESUMED; a session closed with 1000/1001, or
 *       marked by {@link #invalidateSession}, gets op 9 {@code false}. IDENTIFYs less than 5 s apart, counted for
 *       the whole bot, are counted ({@link #identifiesTooSoon}) and, after {@link #refuseEarlyIdentify}, get op 9
 *       {@code false}. Events respect intents: guild messages need
 *       GUILD_MESSAGES, DMs DIRECT_MESSAGES, members GUILD_MEMBERS; without MESSAGE_CONTENT a guild message that
 *       neither mentions the bot nor comes from it arrives with empty content, embeds, attachments and components.
 *       More than 120 payloads a minute from a client close the socket with 4008;</li>
 *   <li>what the bot does comes back over the Gateway as Discord sends it: its own MESSAGE_CREATE, MESSAGE_UPDATE,
 *       MESSAGE_DELETE and THREAD_CREATE;</li>
 *   <li>files, as JDA sends them: {@code multipart/form-data} with a {@code payload_json} part and {@code files[n]}
 *       parts, on channel messages (create and edit), interaction callbacks (type 4, the files beside {@code data}),
 *       follow-ups and webhook edits. A file over {@link #attachmentLimit} (default 10 MiB, a guild without boosts)
 *       is 413 {@code 40005}; at most 10 attachments a message (400 {@code 50035}); an {@code attachments} entry
 *       names a new file by the {@code n} of its part or, on an edit, an attachment the message keeps, else 400
 *       {@code ATTACHMENT_NOT_FOUND}; when {@code attachments} is sent, it is the whole list (an edit drops the
 *       attachments it leaves out), otherwise every part is attached and an edit keeps what the message had.
 *       Attachments of ephemeral messages are ephemeral and stay queryable ({@link #attachments});</li>
 * </ul>
 * Ids are snowflakes, increasing. What users see is kept ({@link #messages}, {@link #botMessages}, {@link #threads},
 * {@link #interaction}, {@link #attachments}, {@link #typing}) and every REST call ({@link #calls}).
 */
public final class FakeDiscord implements AutoCloseable {

    public static final String TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.fake.discord-bot-token";
    public static final String BOT_ID = "100000000000000001", APP_ID = "100000000000000001", GUILD = "200000000000000001";

    static final String BOT_NAME = "switchboard";
    static final String OWNER_ID = "100000000000000009";
    static final String BOT_ROLE = "200000000000000002";
    static final int MAX_CONTENT = 2000;
    static final int MAX_EMBED_DESCRIPTION = 4096;
    static final int MAX_ATTACHMENTS = 10;
    static final long DEFAULT_ATTACHMENT_LIMIT = 10L << 20;
    static final int HEARTBEAT_INTERVAL_MS = 41_250;
    static final long DISCORD_EPOCH = 1_420_070_400_000L;

    // Gateway intents (bits).
    static final int GUILDS = 1, GUILD_MEMBERS = 1 << 1, GUILD_MESSAGES = 1 << 9, DIRECT_MESSAGES = 1 << 12,
            MESSAGE_CONTENT = 1 << 15;
    static final int VALID_INTENTS = (1 << 26) - 1;

    // Permissions (bits).
    static final long MANAGE_CHANNELS = 1L << 4, VIEW_CHANNEL = 1L << 10, SEND_MESSAGES = 1L << 11,
            MANAGE_MESSAGES = 1L << 13, MANAGE_THREADS = 1L << 34, SEND_MESSAGES_IN_THREADS = 1L << 38;
    static final long DEFAULT_PERMISSIONS = 1L /* invite */ | 1L << 6 /* reactions */ | VIEW_CHANNEL | SEND_MESSAGES
            | 1L << 14 /* embed links */ | 1L << 15 /* attach */ | 1L << 16 /* history */ | 1L << 17 /* @everyone */
            | 1L << 18 /* ext emojis */ | 1L << 20 | 1L << 21 /* voice */ | 1L << 25 | 1L << 26 /* nickname */
            | 1L << 31 /* app commands */ | 1L << 35 | 1L << 36 /* threads */ | 1L << 37 | SEND_MESSAGES_IN_THREADS;

    // Message flags.
    static final int SUPPRESS_EMBEDS = 1 << 2, EPHEMERAL = 1 << 6, LOADING = 1 << 7, SUPPRESS_NOTIFICATIONS = 1 << 12,
            IS_VOICE_MESSAGE = 1 << 13, IS_COMPONENTS_V2 = 1 << 15;
    static final int CREATE_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_VOICE_MESSAGE | IS_COMPONENTS_V2;

    // Channel and message types.
    static final int GUILD_TEXT = 0, DM = 1, PUBLIC_THREAD = 11;
    static final int DEFAULT = 0, REPLY = 19, CHAT_INPUT_COMMAND = 20;

    /** A message as users see it now: current content, how often it was edited, and the last allowed_mentions sent. */
    public record Message(String id, String channel, String author, String content, int edits, boolean deleted,
                          String replyTo, JsonNode allowedMentions, int flags) { }

    /**
     * What one of the bot's messages showed after a create or an edit, and when (kept only after
     * {@link #recordRevisions()}): the benchmarks time each word's appearance from these.
     */
    public record Revision(String message, String channel, String replyTo, Instant at, String content) { }

    /** A thread started from a message: its id equals the starter message's id. */
    public record Thread(String id, String parent, String starter, String name, boolean archived) { }

    /**
     * A slash command interaction: the callback type the bot answered with (0 = none yet), the original response's
     * current content (null if none), the follow-ups' contents, and how often the original was edited.
     */
    public record Interaction(String id, String token, String channel, int callbackType, String original,
                              List<String> followups, int originalEdits) { }

    /**
     * One REST call: method, path below {@code /api/v10/} (no query), HTTP status, when it came, and for a 429 the
     * limit it broke ({@code global}, {@code shared} for a channel's message writes, {@code user} for a route's
     * bucket; null otherwise), and whether it came while a Retry-After given earlier for its scope was still running
     * (the requests Discord counts toward banning the bot's address).
     */
    public record Call(String method, String path, int status, Instant at, String scope, boolean inRetryAfter) {

        /** The route, ids and interaction tokens replaced: {@code POST channels/{id}/messages}. */
        public String route() {
            return method + " " + path.replaceAll("(?<=/|^)\\d{5,}(?=/|$)", "{id}")
                    .replaceAll("(?<=/)[A-Za-z0-9_.-]{30,}(?=/|$)", "{token}");
        }
    }

    /**
     * A file on a live message of the bot: the attachment's id, the message and (for an interaction response or
     * follow-up) the interaction it belongs to, its channel, name, media type (as Discord reports it: from the name
     * when the client declared none or {@code application/octet-stream}, as JDA does) and bytes (a copy; records
     * compare arrays by identity), and whether it is ephemeral, as every attachment of an ephemeral message is.
     */
    public record Attachment(String id, String message, String interaction, String channel, String filename,
                             String contentType, byte[] content, boolean ephemeral) { }

    /** A file part of a request: its {@code n} in {@code files[n]} (-1 for another name), name, type, bytes. */
    private record Upload(int index, String filename, String contentType, byte[] content) { }

    /** A request body: the JSON (payload_json for multipart) and the file parts. */
    private record Body(JsonNode json, List<Upload> uploads) { }

    /** The attachments a message gets, or why it gets none. */
    private record Attaching(List<Att> attachments, Answer refusal) { }

    private record Answer(int status, JsonNode body, Map<String, String> headers) { }

    private record Frame(long seq, String text) { }

    private record Route(String template, String major, boolean authenticated, boolean channelWrite) {

        /** A follow-up, or an edit or delete of an interaction's message: they share one window per interaction. */
        boolean interactionWrite() {
            return template.startsWith("POST webhooks/") || template.startsWith("PATCH webhooks/")
                    || template.startsWith("DELETE webhooks/");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx", Locale.ROOT);
    private static final Pattern USER_MENTION = Pattern.compile("<@!?(\\d{1,20})>");
    private static final Pattern ROLE_MENTION = Pattern.compile("<@&(\\d{1,20})>");
    private static final Pattern COMMAND_NAME = Pattern.compile("^[-_'\\p{L}\\p{N}]{1,32}$");
    private static final Pattern FILE_PART = Pattern.compile("files\\[(\\d{1,9})]");
    private static final Pattern CREATE_PATH = Pattern.compile("channels/\\d+/messages");
    private static final String API = "/api/v10/";
    /** Internal mark on an answer: its request came inside a Retry-After of its scope. Never sent. */
    private static final String IN_RETRY_AFTER = "x-fake-in-retry-after";

    // ---- world and history (guarded by lock) ----
    /** Components on messages and button clicks (FakeDiscordComponents). */
    private final FakeDiscordComponents components = new FakeDiscordComponents();
    private final FakeDiscordNonces nonces = new FakeDiscordNonces();
    /** Set by {@link #stallAfterNextCreate}; the stalled answer goes once {@link #stallReleased} opens. */
    private final java.util.concurrent.atomic.AtomicBoolean stallCreate = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.CountDownLatch stallReleased = new java.util.concurrent.CountDownLatch(1);
    private final Object lock = new Object();
    private final Map<String, String> users = new LinkedHashMap<>();
    private final Map<String, Role> roles = new LinkedHashMap<>();
    private final Map<String, List<String>> memberRoles = new HashMap<>();
    private final Map<String, Chan> channels = new LinkedHashMap<>();
    private final Map<String, String> dms = new HashMap<>();
    private final Map<String, Msg> messagesById = new HashMap<>();
    private final Map<String, TreeMap<Long, Msg>> history = new HashMap<>();
    private final Map<String, Inter> interactions = new LinkedHashMap<>();
    private final Map<String, ObjectNode> globalCommands = new LinkedHashMap<>();
    private final Map<String, ObjectNode> guildCommands = new LinkedHashMap<>();
    private final Map<String, String> commandIds = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, Integer> typing = new HashMap<>();
    private final Map<String, Window> windows = new HashMap<>();
    private final Window globalWindow = new Window();
    /** On System.nanoTime: until when a global 429 told the bot to wait; 0 for never. */
    private long globalRetryUntil;
    /** Per rate-limit window (as {@link #windows}): until when its 429 told the bot to wait. */
    private final Map<String, Long> retryUntil = new HashMap<>();
    private Duration forcedGlobal;
    /** When the bot's first words appeared in each channel or thread (a message of the bot with content). */
    private final Map<String, Instant> firstBotWords = new HashMap<>();
    private final List<Revision> revisions = new ArrayList<>();
    private volatile boolean recordingRevisions;
    /** Discord's time between two IDENTIFYs of one bucket. */
    private static final Duration IDENTIFY_SPACING = Duration.ofSeconds(5);
    private final String joinedAt;
    private long lastSnowflake;

    // ---- gateway (guarded by lock) ----
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final Map<String, Conn> conns = new LinkedHashMap<>();
    private int identifies;
    private int shardOverlaps;
    private int resumes;
    private int gatewayConnections;
    private int sessionStartRemaining = 1000;
    /** When the last IDENTIFY was taken ({@code max_concurrency} 1: one bucket), by {@link System#nanoTime()}. */
    private long lastIdentifyNanos;
    private boolean identifiedYet;
    private int identifiesTooSoon;
    private boolean refuseEarlyIdentify;
    private boolean closed;

    private volatile Duration latency = Duration.ZERO;
    private volatile int channelWrites = 5;
    private volatile Duration channelPer = Duration.ofSeconds(5);
    private volatile int interactionWrites = 5;
    private volatile Duration interactionPer = Duration.ofSeconds(2);
    private volatile int globalPerSecond = 50;
    private volatile int routeLimit = 50;
    private volatile Duration routePer = Duration.ofSeconds(1);
    private volatile Duration tokenLifetime = Duration.ofMinutes(15);
    private volatile Duration ackTimeout = Duration.ofSeconds(3);
    private volatile long attachmentLimit = DEFAULT_ATTACHMENT_LIMIT;
    private volatile Clock clock = Clock.systemUTC();

    /** Sends Gateway frames in the order they were queued (under the lock), off the callers' threads. */
    private final ExecutorService gatewaySender = Executors.newSingleThreadExecutor(daemon("fake-discord-gateway"));
    private final Javalin server;
    private final int port;

    private FakeDiscord() {
        users.put(BOT_ID, BOT_NAME);
        users.put(OWNER_ID, "Guild Owner");
        roles.put(GUILD, new Role(GUILD, "@everyone", DEFAULT_PERMISSIONS, 0, false));
        roles.put(BOT_ROLE, new Role(BOT_ROLE, "Switchboard", DEFAULT_PERMISSIONS, 1, true));
        memberRoles.put(BOT_ID, new ArrayList<>(List.of(BOT_ROLE)));
        joinedAt = timestamp(Instant.now().minus(Duration.ofDays(30)));
        this.server = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.disableCompression();
            config.jetty.modifyServer(s -> {
                if (s.getThreadPool() instanceof org.eclipse.jetty.util.thread.QueuedThreadPool pool) {
                    pool.setMaxThreads(600);
                }
            });
            config.jetty.modifyWebSocketServletFactory(f -> {
                f.setIdleTimeout(Duration.ofMinutes(10));
                f.setMaxTextMessageSize(1 << 20);
            });
        });
        for (HandlerType method : List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
                HandlerType.DELETE)) {
            server.addHttpHandler(method, "/api/v10/*", this::rest);
        }
        server.get("/attachments/{channel}/{attachment}/{filename}", this::cdn);
        server.ws("/gateway", ws -> {
            ws.onConnect(this::socketOpened);
            ws.onMessage(ctx -> socketMessage(ctx.sessionId(), ctx.message()));
            ws.onClose(ctx -> socketClosed(ctx.sessionId(), ctx.status()));
            ws.onError(ctx -> socketClosed(ctx.sessionId(), 1006));
        });
        server.start("127.0.0.1", 0);
        this.port = server.port();
    }

    public static FakeDiscord start() {
        return new FakeDiscord();
    }

    /** The REST base URL, for {@code RestConfig.setBaseUrl}: {@code http://127.0.0.1:PORT/api/v10/}. */
    public String restUrl() {
        return "http://127.0.0.1:" + port + API;
    }

    /** The Gateway URL ({@code SessionController.getGateway()}, {@code GET gateway/bot}, {@code resume_gateway_url}). */
    public String gatewayUrl() {
        return "ws://127.0.0.1:" + port + "/gateway";
    }

    /** Where attachments are served, as {@code discord.cdn_url} names it (Discord's is https://cdn.discordapp.com/). */
    public String cdnUrl() {
        return "http://127.0.0.1:" + port + "/";
    }

    public int port() {
        return port;
    }

    // =====================================================================================================
    // Configuration
    // =====================================================================================================

    /** Message create, edit and delete share this fixed window per channel (default 5 per 5 s); over it: 429. */
    public FakeDiscord channelLimit(int writes, Duration per) {
        requireLimit(writes, per);
        synchronized (lock) {
            channelWrites = writes;
            channelPer = per;
            windows.keySet().removeIf(k -> k.startsWith("channel-writes:"));
        }
        return this;
    }

    /**
     * Follow-ups and edits or deletes of an interaction's messages share this window per interaction token (default 5
     * per 2 s, as Discord limits them: per interaction, not per channel, and outside the global limit); over it: 429.
     */
    public FakeDiscord interactionLimit(int writes, Duration per) {
        requireLimit(writes, per);
        synchronized (lock) {
            interactionWrites = writes;
            interactionPer = per;
            windows.keySet().removeIf(k -> k.startsWith("interaction-writes:"));
        }
        return this;
    }

    /** Requests per second the bot may make on authenticated routes (default 50); over it: 429 with global true. */
    public FakeDiscord globalLimit(int perSecond) {
        requireLimit(perSecond, Duration.ofSeconds(1));
        synchronized (lock) {
            globalPerSecond = perSecond;
            globalWindow.count = 0;
        }
        return this;
    }

    /**
     * The next authenticated request gets a global 429 telling the bot to wait {@code retryAfter}, as Discord does when
     * the bot's global allowance is spent elsewhere (another process with the same token); every authenticated request
     * until then gets one too, and is counted as made inside a Retry-After.
     */
    public FakeDiscord forceGlobalRateLimit(Duration retryAfter) {
        requireLimit(1, retryAfter);
        synchronized (lock) {
            forcedGlobal = retryAfter;
        }
        return this;
    }

    /** The bucket of every other route, per route and major parameter (default 50 per second). */
    public FakeDiscord routeLimit(int requests, Duration per) {
        requireLimit(requests, per);
        synchronized (lock) {
            routeLimit = requests;
            routePer = per;
            windows.keySet().removeIf(k -> !k.startsWith("channel-writes:") && !k.startsWith("interaction-writes:"));
        }
        return this;
    }

    /** Every REST answer takes this long (half before the call takes effect, half after). */
    public FakeDiscord latency(Duration d) {
        this.latency = Objects.requireNonNull(d);
        return this;
    }

    /** How long an interaction token works for webhooks (default 15 minutes). */
    public FakeDiscord interactionTokenLifetime(Duration d) {
        this.tokenLifetime = Objects.requireNonNull(d);
        return this;
    }

    /** How long after INTERACTION_CREATE the callback may come (default 3 s). */
    public FakeDiscord interactionAckTimeout(Duration d) {
        this.ackTimeout = Objects.requireNonNull(d);
        return this;
    }

    /**
     * The largest file a message may carry, in bytes (default 10 MiB, a guild without boosts); over it the request is
     * refused with 413 {@code 40005}. Interactions announce it as {@code attachment_size_limit}.
     */
    public FakeDiscord attachmentLimit(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("an attachment limit needs at least 1 byte");
        }
        this.attachmentLimit = bytes;
        return this;
    }

    /** The clock interaction deadlines run on (3 s to acknowledge, token lifetime); rate limits use real time. */
    public FakeDiscord clock(Clock c) {
        this.clock = Objects.requireNonNull(c);
        return this;
    }

    private static void requireLimit(int n, Duration per) {
        if (n < 1 || per.isNegative() || per.isZero()) {
            throw new IllegalArgumentException("a limit needs at least 1 request and a positive window");
        }
    }

    // =====================================================================================================
    // World
    // =====================================================================================================

    /** A guild member; once a session is up, GUILD_MEMBER_ADD (GUILD_MEMBERS intent). */
    public FakeDiscord user(String id, String name) {
        synchronized (lock) {
            boolean added = users.put(requireSnowflake(id), Objects.requireNonNull(name)) == null;
            memberRoles.computeIfAbsent(id, k -> new ArrayList<>());
            ObjectNode member = memberJson(id, true);
            member.put("guild_id", GUILD);
            emit(added ? "GUILD_MEMBER_ADD" : "GUILD_MEMBER_UPDATE", member, GUILD, GUILD_MEMBERS, null);
        }
        return this;
    }

    /** A text channel in the guild where the bot may send; once a session is up, CHANNEL_CREATE (or _UPDATE). */
    public FakeDiscord textChannel(String id, String name) {
        return guildChannel(id, name, false);
    }

    /** A text channel the bot sees but may not send in (SEND_MESSAGES denied by a member overwrite). */
    public FakeDiscord forbidden(String channelId, String name) {
        return guildChannel(channelId, name, true);
    }

    private FakeDiscord guildChannel(String id, String name, boolean forbidden) {
        synchronized (lock) {
            Chan existing = channels.get(requireSnowflake(id));
            if (existing != null && existing.type != GUILD_TEXT) {
                throw new IllegalArgumentException(id + " is not a text channel");
            }
            Chan ch = existing != null ? existing : new Chan(id, GUILD_TEXT, null, null, timestamp(Instant.now()));
            ch.name = Objects.requireNonNull(name);
            ch.forbidden = forbidden;
            if (existing == null) {
                ch.position = (int) channels.values().stream().filter(c -> c.type == GUILD_TEXT).count();
                channels.put(id, ch);
            }
            emit(existing == null ? "CHANNEL_CREATE" : "CHANNEL_UPDATE", channelJson(ch), GUILD, GUILDS, null);
        }
        return this;
    }

    /** A role without permissions; once a session is up, GUILD_ROLE_CREATE. */
    public FakeDiscord role(String id, String name) {
        synchronized (lock) {
            Role r = new Role(requireSnowflake(id), Objects.requireNonNull(name), 0, roles.size(), false);
            boolean added = roles.put(id, r) == null;
            ObjectNode d = JSON.createObjectNode();
            d.put("guild_id", GUILD);
            d.set("role", roleJson(r));
            emit(added ? "GUILD_ROLE_CREATE" : "GUILD_ROLE_UPDATE", d, GUILD, GUILDS, null);
        }
        return this;
    }

    /** Sets a member's roles (declared with {@link #role} first); once a session is up, GUILD_MEMBER_UPDATE. */
    public FakeDiscord memberRoles(String userId, String... roleIds) {
        synchronized (lock) {
            knowUser(userId);
            for (String r : roleIds) {
                if (!roles.containsKey(r) || GUILD.equals(r)) {
                    throw new IllegalArgumentException("unknown role " + r + ": declare it with role(...) first");
                }
            }
            memberRoles.put(userId, new ArrayList<>(List.of(roleIds)));
            ObjectNode member = memberJson(userId, true);
            member.put("guild_id", GUILD);
            emit("GUILD_MEMBER_UPDATE", member, GUILD, GUILD_MEMBERS, null);
        }
        return this;
    }

    // =====================================================================================================
    // What users do
    // =====================================================================================================

    /** A user posts in a text channel or thread (a post in an archived thread unarchives it); MESSAGE_CREATE. */
    public String post(String channel, String user, String content) {
        synchronized (lock) {
            return userMessage(requireChannel(channel), user, content, null).id;
        }
    }

    /** A user replies to a message (type 19, pinging its author as clients do by default); MESSAGE_CREATE. */
    public String reply(String channel, String user, String content, String replyTo) {
        synchronized (lock) {
            Chan ch = requireChannel(channel);
            Msg target = find(channel, replyTo);
            if (target == null || target.deleted) {
                throw new IllegalArgumentException("no message " + replyTo + " in " + channel);
            }
            return userMessage(ch, user, content, target).id;
        }
    }

    /** A user posts with files attached (content may be empty then), served on the CDN path; MESSAGE_CREATE. */
    public String postWithFiles(String channel, String user, String content, FakeDiscordFiles.File... files) {
        synchronized (lock) {
            return userMessage(requireChannel(channel), user, content, null, List.of(files)).id;
        }
    }

    /** A user writes to the bot in their DM channel with files attached; MESSAGE_CREATE without guild_id. */
    public String dmWithFiles(String user, String content, FakeDiscordFiles.File... files) {
        synchronized (lock) {
            return userMessage(dmWith(user), user, content, null, List.of(files)).id;
        }
    }

    /** A user writes to the bot in their DM channel (opened on first use); MESSAGE_CREATE without guild_id. */
    public String dm(String user, String content) {
        synchronized (lock) {
            return userMessage(dmWith(user), user, content, null).id;
        }
    }

    /** The id of the user's DM channel with the bot (opened if needed; Discord sends no CHANNEL_CREATE for DMs). */
    public String dmChannel(String user) {
        synchronized (lock) {
            return dmWith(user).id;
        }
    }

    /** The author (or a moderator) deletes a message; MESSAGE_DELETE. */
    public void delete(String channel, String messageId) {
        synchronized (lock) {
            Chan ch = requireChannel(channel);
            Msg m = find(channel, messageId);
            if (m == null || m.deleted) {
                throw new IllegalArgumentException("no live message " + messageId + " in " + channel);
            }
            deleteMessage(ch, m);
        }
    }

    /**
     * A user runs a registered slash command in a channel with string options; INTERACTION_CREATE (type 2).
     * Returns the interaction id. Unregistered commands, unknown options and missing required ones are refused, as
     * the Discord client would.
     */
    public String slash(String command, String channel, String user, Map<String, String> options) {
        return interact(2, command, channel, user, options, null);
    }

    /**
     * A user types into option {@code focused} of a registered command that completes it: INTERACTION_CREATE (type
     * 4, that option marked focused). Returns the interaction id; {@link #choices} tells what the bot offered.
     */
    public String autocomplete(String command, String channel, String user, Map<String, String> options,
                               String focused) {
        return interact(4, command, channel, user, options, focused);
    }

    /** The choices the bot answered an autocomplete interaction with (callback type 8), by value; empty before. */
    public List<String> choices(String interactionId) {
        synchronized (lock) {
            Inter it = interactions.get(interactionId);
            return it == null ? List.of() : List.copyOf(it.choices);
        }
    }

    private String interact(int interactionType, String command, String channel, String user,
                            Map<String, String> options, String focused) {
        synchronized (lock) {
            Chan ch = requireChannel(channel);
            knowUser(user);
            ObjectNode registered = guildCommands.get(command);
            boolean guildCommand = registered != null && ch.type != DM;
            if (!guildCommand) {
                registered = globalCommands.get(command);
            }
            if (registered == null || registered.path("type").asInt(1) != 1) {
                throw new IllegalStateException("no slash command /" + command + " is registered");
            }
            Map<String, JsonNode> declared = new LinkedHashMap<>();
            registered.path("options").forEach(o -> declared.put(o.path("name").asText(), o));
            for (String name : options.keySet()) {
                if (!declared.containsKey(name)) {
                    throw new IllegalArgumentException("/" + command + " has no option " + name);
                }
            }
            for (JsonNode o : declared.values()) {
                if (o.path("required").asBoolean(false) && !options.containsKey(o.path("name").asText())) {
                    throw new IllegalArgumentException("/" + command + " needs option " + o.path("name").asText());
                }
            }
            String id = snowflake();
            String token = "aW50ZXJhY3Rpb246" + id + "OnRva2Vu" + UUID.randomUUID().toString().replace("-", "");
            Inter it = new Inter(id, token, ch.id, user, command, clock.instant());
            interactions.put(id, it);

            ObjectNode d = JSON.createObjectNode();
            d.put("id", id);
            d.put("application_id", APP_ID);
            d.put("type", interactionType);
            ObjectNode data = d.putObject("data");
            data.put("id", registered.path("id").asText());
            data.put("name", command);
            data.put("type", 1);
            if (guildCommand) {
                data.put("guild_id", GUILD);
            }
            ArrayNode opts = data.putArray("options");
            options.forEach((name, value) -> {
                ObjectNode o = opts.addObject();
                o.put("name", name);
                o.put("type", declared.get(name).path("type").asInt(3));
                o.put("value", value);
                if (name.equals(focused)) {
                    o.put("focused", true);
                }
            });
            emitInteraction(d, ch, user, token);
            return id;
        }
    }

    /** Adds who and where to an interaction and dispatches it (INTERACTION_CREATE). Caller holds the lock. */
    private void emitInteraction(ObjectNode d, Chan ch, String user, String token) {
        ObjectNode channelJson = channelJson(ch);
        channelJson.put("permissions", Long.toString(botPermissions(ch)));
        d.set("channel", channelJson);
        d.put("channel_id", ch.id);
        d.put("token", token);
        d.put("version", 1);
        d.put("locale", "en-US");
        d.putArray("entitlements");
        d.put("attachment_size_limit", attachmentLimit);
        d.put("app_permissions", Long.toString(botPermissions(ch)));
        if (ch.type == DM) {
            d.set("user", userJson(user));
            d.put("context", 1);
            d.putObject("authorizing_integration_owners").put("0", "0");
            emit("INTERACTION_CREATE", d, null, 0, null);
        } else {
            d.put("guild_id", GUILD);
            d.put("guild_locale", "en-US");
            ObjectNode guild = d.putObject("guild");
            guild.put("id", GUILD);
            guild.put("locale", "en-US");
            guild.putArray("features");
            ObjectNode member = memberJson(user, true);
            member.put("permissions", Long.toString(memberPermissions(user, ch)));
            d.set("member", member);
            d.put("context", 0);
            d.putObject("authorizing_integration_owners").put("0", GUILD);
            emit("INTERACTION_CREATE", d, GUILD, 0, null);
        }
    }

    /** The components of a message (FakeDiscordComponents): its buttons' custom ids and the rows as JSON. */
    public FakeDiscordComponents components() {
        return components;
    }

    /**
     * A user clicks a button of a message: INTERACTION_CREATE type 3 (MESSAGE_COMPONENT) with the message and the
     * button's custom_id, answered through the same callback as slash commands. Any custom_id may be given, so a
     * test can forge a click; the message must exist in the channel. Returns the interaction id.
     */
    public String click(String channel, String messageId, String user, String customId) {
        synchronized (lock) {
            Chan ch = requireChannel(channel);
            knowUser(user);
            Msg m = find(ch.id, messageId);
            if (m == null) {
                throw new IllegalArgumentException("no message " + messageId + " in " + channel);
            }
            String id = snowflake();
            String token = "aW50ZXJhY3Rpb246" + id + "OnRva2Vu" + UUID.randomUUID().toString().replace("-", "");
            interactions.put(id, new Inter(id, token, ch.id, user, "", clock.instant()));
            ObjectNode d = JSON.createObjectNode();
            d.put("id", id);
            d.put("application_id", APP_ID);
            d.put("type", 3);
            d.set("data", FakeDiscordComponents.clickData(customId));
            d.set("message", messageJson(m, false));
            emitInteraction(d, ch, user, token);
            return id;
        }
    }

    /** The thread gets archived (THREAD_UPDATE); the bot cannot write there until it PATCHes {"archived":false}. */
    public void archive(String threadId) {
        synchronized (lock) {
            Chan t = channels.get(threadId);
            if (t == null || t.type != PUBLIC_THREAD) {
                throw new IllegalArgumentException("no thread " + threadId);
            }
            setArchived(t, true);
        }
    }

    // =====================================================================================================
    // What users see
    // =====================================================================================================

    /** Every message in a channel or thread, oldest first, with current content (deleted ones flagged). */
    public List<Message> messages(String channel) {
        synchronized (lock) {
            return history.getOrDefault(channel, new TreeMap<>()).values().stream().map(Msg::view).toList();
        }
    }

    /** Every message the bot made, anywhere (channel posts, interaction responses and follow-ups), oldest first. */
    public List<Message> botMessages() {
        synchronized (lock) {
            return messagesById.values().stream()
                    .filter(m -> BOT_ID.equals(m.author))
                    .sorted((a, b) -> Long.compare(Long.parseLong(a.id), Long.parseLong(b.id)))
                    .map(Msg::view)
                    .toList();
        }
    }

    public List<Thread> threads() {
        synchronized (lock) {
            return channels.values().stream()
                    .filter(c -> c.type == PUBLIC_THREAD)
                    .map(c -> new Thread(c.id, c.parent, c.starter, c.name, c.archived))
                    .toList();
        }
    }

    /** An interaction by id, or null. */
    public Interaction interaction(String id) {
        synchronized (lock) {
            Inter it = interactions.get(id);
            if (it == null) {
                return null;
            }
            Msg original = it.originalId == null ? null : messagesById.get(it.originalId);
            List<String> followups = it.followupIds.stream().map(f -> messagesById.get(f).content).toList();
            return new Interaction(it.id, it.token, it.channel, it.callbackType,
                    original == null || original.deleted ? null : original.content, followups, it.originalEdits);
        }
    }

    /**
     * Every attachment on the bot's live messages, oldest message first: channel posts, interaction responses and
     * follow-ups, ephemeral ones included (they are not in any channel a user can read back, but are kept here).
     */
    public List<Attachment> attachments() {
        synchronized (lock) {
            return messagesById.values().stream()
                    .filter(m -> !m.deleted && BOT_ID.equals(m.author))
                    .sorted((a, b) -> Long.compare(Long.parseLong(a.id), Long.parseLong(b.id)))
                    .flatMap(m -> m.attachments.stream().map(a -> new Attachment(a.id, m.id, m.interactionId,
                            m.channel, a.filename, a.contentType, a.content.clone(), (m.flags & EPHEMERAL) != 0)))
                    .toList();
        }
    }

    /** The attachments of one message, or of every response and follow-up of one interaction. */
    public List<Attachment> attachments(String messageOrInteraction) {
        return attachments().stream()
                .filter(a -> a.message().equals(messageOrInteraction) || messageOrInteraction.equals(a.interaction()))
                .toList();
    }

    /** How often the bot started typing in the channel ({@code POST channels/{id}/typing} answered 204). */
    public int typing(String channel) {
        synchronized (lock) {
            return typing.getOrDefault(channel, 0);
        }
    }

    public List<Call> calls() {
        synchronized (lock) {
            return List.copyOf(calls);
        }
    }

    /** Calls with this method whose path (below /api/v10/) starts with the prefix, whatever their outcome. */
    public int count(String method, String pathPrefix) {
        String prefix = relative(pathPrefix);
        synchronized (lock) {
            return (int) calls.stream()
                    .filter(c -> c.method().equalsIgnoreCase(method) && c.path().startsWith(prefix))
                    .count();
        }
    }

    /**
     * Calls made while a Retry-After the fake had given for their scope (global, or their route's or channel's window)
     * was still running: each is an invalid request Discord counts toward banning the bot's address.
     */
    public int requestsInRetryAfter() {
        synchronized (lock) {
            return (int) calls.stream().filter(Call::inRetryAfter).count();
        }
    }

    /**
     * The next message the bot creates is created and shown, but its answer is held until the fake closes: as if the
     * bot's process stopped after Discord took the post and before it heard the message's id.
     */
    public FakeDiscord stallAfterNextCreate() {
        stallCreate.set(true);
        return this;
    }

    /** How many of the bot's creates repeated a nonce of the last few minutes and got the earlier message back. */
    public int nonceRepeats() {
        synchronized (lock) {
            return nonces.repeats();
        }
    }

    /** From now on, keeps what every create and edit of a bot message showed ({@link #revisions()}). */
    public FakeDiscord recordRevisions() {
        recordingRevisions = true;
        return this;
    }

    /** The bot's message contents after each create and edit, in order, since {@link #recordRevisions()}. */
    public List<Revision> revisions() {
        synchronized (lock) {
            return List.copyOf(revisions);
        }
    }

    /** Global 429s given. */
    public int globalRateLimited() {
        synchronized (lock) {
            return (int) calls.stream().filter(c -> c.status() == 429 && "global".equals(c.scope())).count();
        }
    }

    /** When the bot's first words became visible in a channel or thread (its first message with content), or null. */
    public Instant firstBotWords(String channel) {
        synchronized (lock) {
            return firstBotWords.get(channel);
        }
    }

    /** Calls answered with 429. */
    public int rateLimited() {
        synchronized (lock) {
            return (int) calls.stream().filter(c -> c.status() == 429).count();
        }
    }

    /** Calls answered with 429, counted by the limit they broke and their route ("global POST channels/{id}/typing"). */
    public Map<String, Long> rateLimitedByRoute() {
        synchronized (lock) {
            return calls.stream().filter(c -> c.status() == 429).collect(java.util.stream.Collectors.groupingBy(
                    c -> c.scope() + " " + c.route(), TreeMap::new, java.util.stream.Collectors.counting()));
        }
    }

    /** Every call counted by route, the busiest first. */
    public Map<String, Long> callsByRoute() {
        synchronized (lock) {
            Map<String, Long> counts = calls.stream().collect(java.util.stream.Collectors.groupingBy(Call::route,
                    java.util.stream.Collectors.counting()));
            Map<String, Long> sorted = new LinkedHashMap<>();
            counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> sorted.put(e.getKey(), e.getValue()));
            return sorted;
        }
    }

    /** The application commands as registered (global ones first), as Discord returned them. */
    public List<JsonNode> registeredCommands() {
        synchronized (lock) {
            List<JsonNode> out = new ArrayList<>();
            globalCommands.values().forEach(c -> out.add(c.deepCopy()));
            guildCommands.values().forEach(c -> out.add(c.deepCopy()));
            return out;
        }
    }

    // =====================================================================================================
    // Gateway control
    // =====================================================================================================

    /** Cuts every Gateway socket without a close frame, like a network fault; sessions stay resumable. */
    public void dropGateway() {
        List<Conn> dropping;
        synchronized (lock) {
            dropping = new ArrayList<>(conns.values());
            conns.clear();
            for (Conn c : dropping) {
                c.open = false;
                if (c.session != null && c.session.conn == c) {
                    c.session.conn = null;
                }
            }
        }
        for (Conn c : dropping) {
            try {
                c.ctx.session.disconnect();
            } catch (Exception ignored) {
                // already gone
            }
        }
    }

    /** The next RESUME of every current session gets op 9 {@code false}: the client has to IDENTIFY again. */
    public void invalidateSession() {
        synchronized (lock) {
            sessions.values().forEach(s -> s.invalidateOnResume = true);
        }
    }

    public int identifies() {
        synchronized (lock) {
            return identifies;
        }
    }

    /** How many live sessions (connected, not ended) each shard has now, by shard id. */
    public Map<Integer, Integer> liveShards() {
        synchronized (lock) {
            Map<Integer, Integer> live = new TreeMap<>();
            for (Session s : sessions.values()) {
                if (!s.invalid && s.conn != null && s.conn.open) {
                    live.merge(s.shardId, 1, Integer::sum);
                }
            }
            return live;
        }
    }

    /**
     * IDENTIFYs that came less than 5 s after the bot's previous one, from any connection: Discord allows one per 5 s
     * per bucket for the whole bot ({@code max_concurrency} is 1 here).
     */
    public int identifiesTooSoon() {
        synchronized (lock) {
            return identifiesTooSoon;
        }
    }

    /** From now on, an IDENTIFY less than 5 s after the previous one gets op 9 {@code false}, as Discord answers it. */
    public FakeDiscord refuseEarlyIdentify() {
        synchronized (lock) {
            refuseEarlyIdentify = true;
        }
        return this;
    }

    /** IDENTIFYs of a shard while another session of it was live: its events went to two places. */
    public int shardOverlaps() {
        synchronized (lock) {
            return shardOverlaps;
        }
    }

    public int resumes() {
        synchronized (lock) {
            return resumes;
        }
    }

    /** How many Gateway sockets were opened in all. */
    public int gatewayConnections() {
        synchronized (lock) {
            return gatewayConnections;
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
            stallReleased.countDown();
            open = new ArrayList<>(conns.values());
            conns.clear();
            open.forEach(c -> c.open = false);
        }
        for (Conn c : open) {
            try {
                c.ctx.session.disconnect();
            } catch (Exception ignored) {
                // already gone
            }
        }
        gatewaySender.shutdownNow();
        server.stop();
    }

    // =====================================================================================================
    // REST
    // =====================================================================================================

    private void rest(Context ctx) throws InterruptedException {
        pause(latency.dividedBy(2));
        String method = ctx.method().name();
        String path = relative(ctx.path());
        Map<String, String> query = new HashMap<>();
        ctx.queryParamMap().forEach((k, v) -> {
            if (!v.isEmpty()) {
                query.put(k, v.get(0));
            }
        });
        Body body = null;
        boolean badJson = false;
        try {
            body = parseBody(ctx);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            badJson = true;
        }
        Answer answer;
        synchronized (lock) {
            answer = closed ? error(503, 0, "closed")
                    : answer(method, path, query, badJson ? new Body(null, List.of()) : body, badJson,
                    ctx.header("Authorization"));
            calls.add(new Call(method, path, answer.status(), Instant.now(),
                    answer.status() == 429 ? answer.headers().get("X-RateLimit-Scope") : null,
                    answer.headers().containsKey(IN_RETRY_AFTER)));
        }
        if (answer.status() == 200 && method.equals("POST") && CREATE_PATH.matcher(path).matches()
                && stallCreate.getAndSet(false)) {
            stallReleased.await(60, java.util.concurrent.TimeUnit.SECONDS); // posted, but the bot never hears so
        }
        pause(latency.minus(latency.dividedBy(2)));
        ctx.status(answer.status());
        ctx.header("Via", "1.1 google");
        answer.headers().forEach((name, value) -> {
            if (!name.equals(IN_RETRY_AFTER)) {
                ctx.header(name, value);
            }
        });
        if (answer.body() != null) {
            ctx.contentType("application/json");
            ctx.result(answer.body().toString());
        }
    }

    /** JSON, or multipart with payload_json and file parts; throws IllegalArgumentException on broken multipart. */
    private static Body parseBody(Context ctx) throws JsonProcessingException {
        // Read past Javalin's request size cap: uploads are measured against Discord's limits, not the server's.
        byte[] raw;
        try {
            raw = ctx.req().getInputStream().readAllBytes();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("body could not be read", e);
        }
        if (Multipart.is(ctx.contentType())) {
            JsonNode payload = null;
            List<Upload> uploads = new ArrayList<>();
            for (Multipart.Part part : Multipart.parse(ctx.contentType(), raw).parts()) {
                if (part.name().equals("payload_json")) {
                    payload = JSON.readTree(new String(part.content(), StandardCharsets.UTF_8));
                } else if (part.filename() != null) {
                    Matcher n = FILE_PART.matcher(part.name());
                    uploads.add(new Upload(n.matches() ? Integer.parseInt(n.group(1)) : -1, part.filename(),
                            part.contentType(), part.content()));
                }
            }
            return new Body(payload, List.copyOf(uploads));
        }
        if (raw.length == 0) {
            return new Body(null, List.of());
        }
        return new Body(JSON.readTree(new String(raw, StandardCharsets.UTF_8)), List.of());
    }

    /** Caller holds the lock. */
    private Answer answer(String method, String path, Map<String, String> query, Body body, boolean badJson,
                          String authorization) {
        String[] s = path.isEmpty() ? new String[0] : path.split("/");
        Route route = route(method, s);
        if (route == null) {
            return routeKnownForOtherMethod(s) ? error(405, 0, "405: Method Not Allowed")
                    : error(404, 0, "404: Not Found");
        }
        if (route.authenticated() && !("Bot " + TOKEN).equals(authorization)) {
            return error(401, 0, "401: Unauthorized");
        }
        if (badJson) {
            return error(400, 50109, "The request body contains invalid JSON.");
        }
        for (Upload u : body.uploads()) {
            if (u.content().length > attachmentLimit) {
                return error(413, 40005, "Request entity too large");
            }
        }
        long now = System.nanoTime();
        if (route.authenticated()) {
            if (now < globalRetryUntil) {
                return inRetryAfter(rateLimitedAnswer(globalRetryUntil - now, true, null, globalPerSecond, route));
            }
            long wait = forcedGlobal != null ? forcedGlobal.toNanos()
                    : globalWindow.admit(now, globalPerSecond, 1_000_000_000L);
            forcedGlobal = null;
            if (wait > 0) {
                globalRetryUntil = now + wait;
                return rateLimitedAnswer(wait, true, null, globalPerSecond, route);
            }
        }
        String windowKey;
        int limit;
        long per;
        if (route.channelWrite()) {
            windowKey = "channel-writes:" + route.major();
            limit = channelWrites;
            per = channelPer.toNanos();
        } else if (route.interactionWrite()) {
            windowKey = "interaction-writes:" + route.major();
            limit = interactionWrites;
            per = interactionPer.toNanos();
        } else {
            windowKey = route.template() + "|" + route.major();
            limit = routeLimit;
            per = routePer.toNanos();
        }
        Window window = windows.computeIfAbsent(windowKey, k -> new Window());
        boolean early = now < retryUntil.getOrDefault(windowKey, 0L);
        long wait = window.admit(now, limit, per);
        if (wait > 0) {
            retryUntil.put(windowKey, now + wait);
            Answer limited = rateLimitedAnswer(wait, false, window, limit, route);
            return early ? inRetryAfter(limited) : limited;
        }
        Answer a = handle(route, method, s, query, body);
        Map<String, String> headers = new LinkedHashMap<>(a.headers());
        if (early) {
            headers.put(IN_RETRY_AFTER, "");
        }
        long resetAfter = Math.max(0, window.start + per - now);
        headers.put("X-RateLimit-Limit", Integer.toString(limit));
        headers.put("X-RateLimit-Remaining", Integer.toString(Math.max(0, limit - window.count)));
        headers.put("X-RateLimit-Reset", seconds(System.currentTimeMillis() * 1_000_000L + resetAfter));
        headers.put("X-RateLimit-Reset-After", seconds(resetAfter));
        headers.put("X-RateLimit-Bucket", bucketHash(route.template()));
        return new Answer(a.status(), a.body(), headers);
    }

    /** Marks an answer as given to a request that came inside a Retry-After (taken off before it is sent). */
    private static Answer inRetryAfter(Answer a) {
        Map<String, String> headers = new LinkedHashMap<>(a.headers());
        headers.put(IN_RETRY_AFTER, "");
        return new Answer(a.status(), a.body(), headers);
    }

    private Answer rateLimitedAnswer(long waitNanos, boolean global, Window window, int limit, Route route) {
        double retryAfter = Math.max(0.001, waitNanos / 1e9);
        ObjectNode body = JSON.createObjectNode();
        body.put("message", "You are being rate limited.");
        body.put("retry_after", Math.ceil(retryAfter * 1000) / 1000.0);
        body.put("global", global);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Retry-After", Long.toString((long) Math.ceil(retryAfter)));
        if (global) {
            headers.put("X-RateLimit-Global", "true");
            headers.put("X-RateLimit-Scope", "global");
        } else {
            headers.put("X-RateLimit-Limit", Integer.toString(limit));
            headers.put("X-RateLimit-Remaining", "0");
            headers.put("X-RateLimit-Reset", seconds(System.currentTimeMillis() * 1_000_000L + waitNanos));
            headers.put("X-RateLimit-Reset-After", seconds(waitNanos));
            headers.put("X-RateLimit-Bucket", bucketHash(route.template()));
            headers.put("X-RateLimit-Scope", route.channelWrite() || route.interactionWrite() ? "shared" : "user");
        }
        return new Answer(429, body, headers);
    }

    /** The route for a method and path, or null. */
    private static Route route(String method, String[] s) {
        int n = s.length;
        if (n == 0) {
            return null;
        }
        switch (s[0]) {
            case "users" -> {
                if (n == 2 && s[1].equals("@me") && method.equals("GET")) {
                    return new Route("GET users/@me", "", true, false);
                }
                if (n == 3 && s[1].equals("@me") && s[2].equals("channels") && method.equals("POST")) {
                    return new Route("POST users/@me/channels", "", true, false);
                }
                if (n == 2 && !s[1].equals("@me") && method.equals("GET")) {
                    return new Route("GET users/{user}", "", true, false);
                }
            }
            case "guilds" -> {
                if (n == 4 && s[2].equals("members") && method.equals("GET")) {
                    return new Route("GET guilds/{guild}/members/{user}", s[1], true, false);
                }
            }
            case "gateway" -> {
                if (n == 1 && method.equals("GET")) {
                    return new Route("GET gateway", "", false, false);
                }
                if (n == 2 && s[1].equals("bot") && method.equals("GET")) {
                    return new Route("GET gateway/bot", "", true, false);
                }
            }
            case "applications" -> {
                if (n == 2 && s[1].equals("@me") && method.equals("GET")) {
                    return new Route("GET applications/@me", "", true, false);
                }
                if (n == 3 && s[2].equals("commands") && Set.of("GET", "PUT", "POST").contains(method)) {
                    return new Route(method + " applications/{app}/commands", s[1], true, false);
                }
                if (n == 5 && s[2].equals("guilds") && s[4].equals("commands")
                        && Set.of("GET", "PUT", "POST").contains(method)) {
                    return new Route(method + " applications/{app}/guilds/{guild}/commands", s[3], true, false);
                }
            }
            case "channels" -> {
                if (n == 2 && Set.of("GET", "PATCH").contains(method)) {
                    return new Route(method + " channels/{channel}", s[1], true, false);
                }
                if (n == 3 && s[2].equals("messages") && method.equals("GET")) {
                    return new Route("GET channels/{channel}/messages", s[1], true, false);
                }
                if (n == 3 && s[2].equals("messages") && method.equals("POST")) {
                    return new Route("POST channels/{channel}/messages", s[1], true, true);
                }
                if (n == 3 && s[2].equals("typing") && method.equals("POST")) {
                    return new Route("POST channels/{channel}/typing", s[1], true, false);
                }
                if (n == 4 && s[2].equals("messages") && method.equals("GET")) {
                    return new Route("GET channels/{channel}/messages/{message}", s[1], true, false);
                }
                if (n == 4 && s[2].equals("messages") && Set.of("PATCH", "DELETE").contains(method)) {
                    return new Route(method + " channels/{channel}/messages/{message}", s[1], true, true);
                }
                if (n == 5 && s[2].equals("messages") && s[4].equals("threads") && method.equals("POST")) {
                    return new Route("POST channels/{channel}/messages/{message}/threads", s[1], true, false);
                }
            }
            case "interactions" -> {
                if (n == 4 && s[3].equals("callback") && method.equals("POST")) {
                    return new Route("POST interactions/{interaction}/{token}/callback", s[1], false, false);
                }
            }
            case "webhooks" -> {
                if (n == 3 && method.equals("POST")) {
                    return new Route("POST webhooks/{app}/{token}", s[1] + ":" + s[2], false, false);
                }
                if (n == 5 && s[3].equals("messages") && Set.of("GET", "PATCH", "DELETE").contains(method)) {
                    return new Route(method + " webhooks/{app}/{token}/messages/{message}", s[1] + ":" + s[2], false,
                            false);
                }
            }
            default -> {
                return null;
            }
        }
        return null;
    }

    private static boolean routeKnownForOtherMethod(String[] s) {
        for (String m : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
            if (route(m, s) != null) {
                return true;
            }
        }
        return false;
    }

    private Answer handle(Route route, String method, String[] s, Map<String, String> q, Body request) {
        JsonNode body = request.json();
        List<Upload> files = request.uploads();
        return switch (route.template()) {
            case "GET users/@me" -> ok(selfUserJson());
            case "POST users/@me/channels" -> openDm(body);
            case "GET users/{user}" -> users.containsKey(s[1]) ? ok(userJson(s[1])) : error(404, 10013, "Unknown User");
            case "GET guilds/{guild}/members/{user}" -> !GUILD.equals(s[1]) ? error(404, 10004, "Unknown Guild")
                    : users.containsKey(s[3]) ? ok(memberJson(s[3], true)) : error(404, 10007, "Unknown Member");
            case "GET gateway" -> ok(JSON.createObjectNode().put("url", gatewayUrl()));
            case "GET gateway/bot" -> gatewayBot();
            case "GET applications/@me" -> ok(applicationJson());
            case "GET applications/{app}/commands" -> listCommands(s[1], globalCommands);
            case "PUT applications/{app}/commands" -> overwriteCommands(s[1], null, body);
            case "POST applications/{app}/commands" -> upsertCommand(s[1], null, body);
            case "GET applications/{app}/guilds/{guild}/commands" -> s[3].equals(GUILD)
                    ? listCommands(s[1], guildCommands) : error(404, 10004, "Unknown Guild");
            case "PUT applications/{app}/guilds/{guild}/commands" -> overwriteCommands(s[1], s[3], body);
            case "POST applications/{app}/guilds/{guild}/commands" -> upsertCommand(s[1], s[3], body);
            case "GET channels/{channel}" -> getChannel(s[1]);
            case "PATCH channels/{channel}" -> modifyChannel(s[1], body);
            case "GET channels/{channel}/messages" -> listMessages(s[1], q);
            case "POST channels/{channel}/messages" -> createMessage(s[1], body, files);
            case "POST channels/{channel}/typing" -> startTyping(s[1]);
            case "GET channels/{channel}/messages/{message}" -> getMessage(s[1], s[3]);
            case "PATCH channels/{channel}/messages/{message}" -> editMessage(s[1], s[3], body, files);
            case "DELETE channels/{channel}/messages/{message}" -> deleteMessage(s[1], s[3]);
            case "POST channels/{channel}/messages/{message}/threads" -> startThread(s[1], s[3], body);
            case "POST interactions/{interaction}/{token}/callback" -> callback(s[1], s[2], q, body, files);
            case "POST webhooks/{app}/{token}" -> followup(s[1], s[2], body, files);
            case "GET webhooks/{app}/{token}/messages/{message}",
                 "PATCH webhooks/{app}/{token}/messages/{message}",
                 "DELETE webhooks/{app}/{token}/messages/{message}" ->
                    webhookMessage(method, s[1], s[2], s[4], body, files);
            default -> error(404, 0, "404: Not Found");
        };
    }

    // ---- users, gateway, application ----

    private Answer openDm(JsonNode body) {
        String recipient = body == null ? null : body.path("recipient_id").asText(null);
        if (recipient == null || !users.containsKey(recipient) || BOT_ID.equals(recipient)) {
            return error(400, 50033, "Invalid Recipient(s)");
        }
        return ok(channelJson(dmWith(recipient)));
    }

    private Answer gatewayBot() {
        ObjectNode r = JSON.createObjectNode();
        r.put("url", gatewayUrl());
        r.put("shards", 1);
        ObjectNode limit = r.putObject("session_start_limit");
        limit.put("total", 1000);
        limit.put("remaining", sessionStartRemaining);
        limit.put("reset_after", 86_400_000);
        limit.put("max_concurrency", 1);
        return ok(r);
    }

    private ObjectNode applicationJson() {
        ObjectNode a = JSON.createObjectNode();
        a.put("id", APP_ID);
        a.put("name", "Switchboard");
        a.putNull("icon");
        a.put("description", "");
        a.put("bot_public", false);
        a.put("bot_require_code_grant", false);
        a.put("verify_key", "0".repeat(64));
        a.put("flags", 0);
        a.set("owner", userJson(OWNER_ID));
        a.putNull("team");
        a.set("bot", selfUserJson());
        a.put("approximate_guild_count", 1);
        a.putArray("redirect_uris");
        a.putArray("tags");
        ObjectNode install = a.putObject("install_params");
        install.putArray("scopes").add("bot").add("applications.commands");
        install.put("permissions", "0");
        a.putObject("integration_types_config").putObject("0");
        return a;
    }

    // ---- commands ----

    private Answer listCommands(String app, Map<String, ObjectNode> commands) {
        if (!APP_ID.equals(app)) {
            return error(403, 20012, "You are not authorized to perform this action on this application");
        }
        ArrayNode out = JSON.createArrayNode();
        commands.values().forEach(out::add);
        return ok(out);
    }

    private Answer overwriteCommands(String app, String guild, JsonNode body) {
        if (!APP_ID.equals(app)) {
            return error(403, 20012, "You are not authorized to perform this action on this application");
        }
        if (guild != null && !GUILD.equals(guild)) {
            return error(404, 10004, "Unknown Guild");
        }
        if (body == null || !body.isArray()) {
            return formError("_root", "BASE_TYPE_ARRAY", "Must be an array.");
        }
        if (body.size() > 100) {
            return formError("_root", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < body.size(); i++) {
            Answer invalid = validateCommand(body.get(i), i + ".");
            if (invalid != null) {
                return invalid;
            }
            String key = body.get(i).path("type").asInt(1) + ":" + body.get(i).path("name").asText();
            if (!names.add(key)) {
                return formError(i + ".name", "APPLICATION_COMMANDS_DUPLICATE_NAME",
                        "Application command names must be unique");
            }
        }
        Map<String, ObjectNode> target = guild == null ? globalCommands : guildCommands;
        target.clear();
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode c : body) {
            ObjectNode stored = storedCommand(c, guild);
            target.put(stored.path("name").asText(), stored);
            out.add(stored);
        }
        return ok(out);
    }

    private Answer upsertCommand(String app, String guild, JsonNode body) {
        if (!APP_ID.equals(app)) {
            return error(403, 20012, "You are not authorized to perform this action on this application");
        }
        if (guild != null && !GUILD.equals(guild)) {
            return error(404, 10004, "Unknown Guild");
        }
        if (body == null || !body.isObject()) {
            return formError("_root", "MODEL_TYPE_REQUIRED", "Must be an object.");
        }
        Answer invalid = validateCommand(body, "");
        if (invalid != null) {
            return invalid;
        }
        Map<String, ObjectNode> target = guild == null ? globalCommands : guildCommands;
        boolean existed = target.containsKey(body.path("name").asText());
        ObjectNode stored = storedCommand(body, guild);
        target.put(stored.path("name").asText(), stored);
        return new Answer(existed ? 200 : 201, stored, Map.of());
    }

    private Answer validateCommand(JsonNode c, String at) {
        int type = c.path("type").asInt(1);
        String name = c.path("name").asText("");
        if (type < 1 || type > 4) {
            return formError(at + "type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4}.");
        }
        if (type == 1 && (!COMMAND_NAME.matcher(name).matches() || !name.equals(name.toLowerCase(Locale.ROOT)))) {
            return formError(at + "name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid");
        }
        if (type != 1 && (name.isEmpty() || name.length() > 32)) {
            return formError(at + "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.");
        }
        String description = c.path("description").asText("");
        if (type == 1 && (description.isEmpty() || description.length() > 100)) {
            return formError(at + "description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
        }
        JsonNode options = c.path("options");
        if (options.size() > 25) {
            return formError(at + "options", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
        }
        boolean optionalSeen = false;
        Set<String> optionNames = new HashSet<>();
        for (int i = 0; i < options.size(); i++) {
            JsonNode o = options.get(i);
            String where = at + "options." + i + ".";
            String oname = o.path("name").asText("");
            if (!COMMAND_NAME.matcher(oname).matches() || !oname.equals(oname.toLowerCase(Locale.ROOT))) {
                return formError(where + "name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid");
            }
            if (!optionNames.add(oname)) {
                return formError(where + "name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                        "Option names must be unique");
            }
            String odesc = o.path("description").asText("");
            if (odesc.isEmpty() || odesc.length() > 100) {
                return formError(where + "description", "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 100 in length.");
            }
            int otype = o.path("type").asInt(0);
            if (otype < 1 || otype > 11) {
                return formError(where + "type", "BASE_TYPE_CHOICES", "Value must be one of 1 to 11.");
            }
            boolean required = o.path("required").asBoolean(false);
            if (required && optionalSeen) {
                return formError(where + "required", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options");
            }
            optionalSeen |= !required && otype > 2;
        }
        return null;
    }

    private ObjectNode storedCommand(JsonNode sent, String guild) {
        String name = sent.path("name").asText();
        int type = sent.path("type").asInt(1);
        String key = (guild == null ? "global" : guild) + ":" + type + ":" + name;
        String id = commandIds.computeIfAbsent(key, k -> snowflake());
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id);
        c.put("application_id", APP_ID);
        c.put("version", snowflake());
        if (sent.hasNonNull("default_member_permissions")) {
            c.put("default_member_permissions", sent.get("default_member_permissions").asText());
        } else {
            c.putNull("default_member_permissions");
        }
        c.put("type", type);
        c.put("name", name);
        c.set("name_localizations", sent.path("name_localizations").isObject()
                ? sent.get("name_localizations") : NODES.nullNode());
        c.put("description", sent.path("description").asText(""));
        c.set("description_localizations", sent.path("description_localizations").isObject()
                ? sent.get("description_localizations") : NODES.nullNode());
        if (guild != null) {
            c.put("guild_id", guild);
        }
        if (sent.has("options")) {
            c.set("options", sent.get("options").deepCopy());
        }
        c.set("contexts", sent.path("contexts").isArray() ? sent.get("contexts").deepCopy() : NODES.nullNode());
        c.set("integration_types", sent.path("integration_types").isArray()
                ? sent.get("integration_types").deepCopy() : JSON.createArrayNode().add(0));
        c.put("nsfw", sent.path("nsfw").asBoolean(false));
        return c;
    }

    // ---- channels ----

    private Answer getChannel(String id) {
        Chan ch = channels.get(id);
        return ch == null ? unknownChannel() : ok(channelJson(ch));
    }

    private Answer modifyChannel(String id, JsonNode body) {
        Chan ch = channels.get(id);
        if (ch == null) {
            return unknownChannel();
        }
        if (body == null || !body.isObject()) {
            return formError("_root", "MODEL_TYPE_REQUIRED", "Must be an object.");
        }
        if (ch.type != PUBLIC_THREAD) {
            return missingPermissions(); // the bot has no MANAGE_CHANNELS
        }
        boolean changed = false;
        if (body.has("name")) {
            String name = body.path("name").asText("");
            if (length(name) < 1 || length(name) > 100) {
                return formError("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
            }
            if (!BOT_ID.equals(ch.ownerId)) {
                return missingPermissions();
            }
            ch.name = name;
            changed = true;
        }
        if (body.has("archived")) {
            boolean archived = body.path("archived").asBoolean();
            if (archived != ch.archived) {
                ch.archived = archived;
                ch.archiveTimestamp = timestamp(Instant.now());
                changed = true;
            }
        }
        if (changed) {
            emit("THREAD_UPDATE", channelJson(ch), GUILD, GUILDS, null);
        }
        return ok(channelJson(ch));
    }

    private Answer startTyping(String channel) {
        Chan ch = channels.get(channel);
        if (ch == null) {
            return unknownChannel();
        }
        Answer denied = checkWritable(ch);
        if (denied != null) {
            return denied;
        }
        typing.merge(channel, 1, Integer::sum);
        return new Answer(204, null, Map.of());
    }

    private Answer startThread(String channel, String messageId, JsonNode body) {
        Chan ch = channels.get(channel);
        if (ch == null) {
            return unknownChannel();
        }
        if (ch.type != GUILD_TEXT) {
            return error(400, 50024, "Cannot execute action on this channel type");
        }
        Msg m = find(channel, messageId);
        if (m == null || m.deleted) {
            return unknownMessage();
        }
        String name = body == null ? "" : body.path("name").asText("");
        if (length(name) < 1 || length(name) > 100) {
            return formError("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
        }
        if (channels.containsKey(m.id)) {
            return error(400, 160004, "A thread has already been created for this message");
        }
        Chan t = new Chan(m.id, PUBLIC_THREAD, ch.id, null, timestamp(Instant.now()));
        t.name = name;
        t.starter = m.id;
        t.ownerId = BOT_ID;
        t.autoArchive = body.path("auto_archive_duration").asInt(1440);
        t.archiveTimestamp = t.createTimestamp;
        channels.put(t.id, t);
        ObjectNode created = channelJson(t);
        created.put("newly_created", true);
        created.set("member", threadMemberJson(t));
        emit("THREAD_CREATE", created, GUILD, GUILDS, null);
        return new Answer(201, channelJson(t), Map.of());
    }

    // ---- messages ----

    private Answer listMessages(String channel, Map<String, String> q) {
        Chan ch = channels.get(channel);
        if (ch == null) {
            return unknownChannel();
        }
        int limit = 50;
        if (q.containsKey("limit")) {
            try {
                limit = Integer.parseInt(q.get("limit"));
            } catch (NumberFormatException e) {
                return formError("limit", "NUMBER_TYPE_COERCE", "Value \"" + q.get("limit") + "\" is not int.");
            }
            if (limit < 1 || limit > 100) {
                return formError("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and 100.");
            }
        }
        NavigableMap<Long, Msg> all = history.getOrDefault(channel, new TreeMap<>());
        List<Msg> picked = new ArrayList<>();
        try {
            if (q.containsKey("after")) {
                for (Msg m : all.tailMap(Long.parseLong(q.get("after")), false).values()) {
                    if (!m.deleted && picked.size() < limit) {
                        picked.add(m);
                    }
                }
                picked = new ArrayList<>(picked.reversed());
            } else if (q.containsKey("around")) {
                long around = Long.parseLong(q.get("around"));
                List<Msg> older = all.headMap(around, true).descendingMap().values().stream()
                        .filter(m -> !m.deleted).limit((limit + 1) / 2).toList();
                List<Msg> newer = all.tailMap(around, false).values().stream()
                        .filter(m -> !m.deleted).limit(limit / 2).toList();
                picked.addAll(newer.reversed());
                picked.addAll(older);
            } else {
                NavigableMap<Long, Msg> older = q.containsKey("before")
                        ? all.headMap(Long.parseLong(q.get("before")), false) : all;
                for (Msg m : older.descendingMap().values()) {
                    if (!m.deleted && picked.size() < limit) {
                        picked.add(m);
                    }
                }
            }
        } catch (NumberFormatException e) {
            return formError("before", "NUMBER_TYPE_COERCE", "Value is not snowflake.");
        }
        ArrayNode out = JSON.createArrayNode();
        picked.forEach(m -> out.add(messageJson(m, false)));
        return ok(out);
    }

    private Answer getMessage(String channel, String messageId) {
        if (!channels.containsKey(channel)) {
            return unknownChannel();
        }
        Msg m = find(channel, messageId);
        return m == null || m.deleted ? unknownMessage() : ok(messageJson(m, false));
    }

    private Answer createMessage(String channel, JsonNode body, List<Upload> files) {
        Chan ch = channels.get(channel);
        if (ch == null) {
            return unknownChannel();
        }
        Answer denied = checkWritable(ch);
        if (denied != null) {
            return denied;
        }
        if (body == null || !body.isObject()) {
            return formError("_root", "MODEL_TYPE_REQUIRED", "Must be an object.");
        }
        Answer invalid = checkContent(body, true, !files.isEmpty());
        if (invalid != null) {
            return invalid;
        }
        int flags = body.path("flags").asInt(0);
        if ((flags & ~CREATE_FLAGS) != 0) {
            return formError("flags", "MESSAGE_FLAGS_INVALID", "Invalid message flags");
        }
        FakeDiscordComponents.Problem badNonce = FakeDiscordNonces.problem(body);
        if (badNonce != null) {
            return formError(badNonce.field(), badNonce.code(), badNonce.message());
        }
        Attaching attaching = attach(body, files, null);
        if (attaching.refusal() != null) {
            return attaching.refusal();
        }
        String nonced = nonces.earlier(body, System.nanoTime());
        Msg earlier = nonced == null ? null : messagesById.get(nonced); // the bot's nonces, in whichever channel
        if (earlier != null && !earlier.deleted) {
            return ok(messageJson(earlier, false)); // the nonce's message, as it is now; nothing new is posted
        }
        Msg target = null;
        JsonNode ref = body.path("message_reference");
        if (ref.isObject() && ref.path("type").asInt(0) == 0) {
            String refChannel = ref.path("channel_id").asText(ch.id);
            target = find(refChannel, ref.path("message_id").asText(""));
            if (!refChannel.equals(ch.id) || target == null || target.deleted) {
                if (ref.path("fail_if_not_exists").asBoolean(true)) {
                    return formError("message_reference", "REPLIES_UNKNOWN_MESSAGE", "Unknown message");
                }
                target = null;
            }
        }
        Msg m = new Msg(snowflake(), ch.id, BOT_ID, target != null ? REPLY : DEFAULT, timestamp(Instant.now()));
        m.content = body.path("content").asText("");
        m.embeds = body.path("embeds").isArray() ? (ArrayNode) body.get("embeds").deepCopy() : JSON.createArrayNode();
        m.flags = flags;
        m.replyTo = target == null ? null : target.id;
        m.allowedMentions = body.has("allowed_mentions") ? body.get("allowed_mentions").deepCopy() : null;
        m.attachments = attaching.attachments();
        components.keep(m.id, body);
        nonces.created(body, m.id, System.nanoTime());
        resolveMentions(m, target);
        store(m);
        emitMessage("MESSAGE_CREATE", m);
        return ok(messageJson(m, false));
    }

    private Answer editMessage(String channel, String messageId, JsonNode body, List<Upload> files) {
        Chan ch = channels.get(channel);
        if (ch == null) {
            return unknownChannel();
        }
        Msg m = find(channel, messageId);
        if (m == null || m.deleted) {
            return unknownMessage();
        }
        if (!BOT_ID.equals(m.author)) {
            return error(403, 50005, "Cannot edit a message authored by another user");
        }
        if (ch.type == PUBLIC_THREAD && ch.archived) {
            return threadArchived();
        }
        return applyEdit(m, body, files, true);
    }

    private Answer applyEdit(Msg m, JsonNode body, List<Upload> files, boolean counts) {
        if (body == null || !body.isObject()) {
            return formError("_root", "MODEL_TYPE_REQUIRED", "Must be an object.");
        }
        Answer invalid = checkContent(body, false, false);
        if (invalid != null) {
            return invalid;
        }
        Attaching attaching = attach(body, files, m);
        if (attaching.refusal() != null) {
            return attaching.refusal();
        }
        String content = body.has("content") ? body.path("content").asText("") : m.content;
        ArrayNode embeds = body.has("embeds")
                ? (body.get("embeds").isArray() ? (ArrayNode) body.get("embeds").deepCopy() : JSON.createArrayNode())
                : m.embeds;
        if (content.isEmpty() && embeds.isEmpty() && body.path("components").isEmpty()
                && attaching.attachments().isEmpty()) {
            return error(400, 50006, "Cannot send an empty message");
        }
        m.content = content;
        m.embeds = embeds;
        m.attachments = attaching.attachments();
        components.keep(m.id, body);
        noteWords(m);
        if (body.has("flags")) {
            int flags = body.path("flags").asInt(0);
            m.flags = (m.flags & ~SUPPRESS_EMBEDS) | (flags & SUPPRESS_EMBEDS);
        }
        m.flags &= ~LOADING;
        m.allowedMentions = body.has("allowed_mentions") ? body.get("allowed_mentions").deepCopy() : null;
        if (counts) {
            m.edits++;
            m.editedTimestamp = timestamp(Instant.now());
        }
        resolveMentions(m, m.replyTo == null ? null : messagesById.get(m.replyTo));
        if ((m.flags & EPHEMERAL) == 0) {
            emitMessage("MESSAGE_UPDATE", m);
        }
        return ok(messageJson(m, false));
    }

    private Answer deleteMessage(String channel, String messageId) {
        Chan ch = channels.get(channel);
        if (ch == null) {
            return unknownChannel();
        }
        Msg m = find(channel, messageId);
        if (m == null || m.deleted) {
            return unknownMessage();
        }
        if (!BOT_ID.equals(m.author) && (botPermissions(ch) & MANAGE_MESSAGES) == 0) {
            return missingPermissions();
        }
        if (ch.type == PUBLIC_THREAD && ch.archived) {
            return threadArchived();
        }
        deleteMessage(ch, m);
        return new Answer(204, null, Map.of());
    }

    private void deleteMessage(Chan ch, Msg m) {
        m.deleted = true;
        ObjectNode d = JSON.createObjectNode();
        d.put("id", m.id);
        d.put("channel_id", ch.id);
        if (ch.type != DM) {
            d.put("guild_id", GUILD);
        }
        emit("MESSAGE_DELETE", d, ch.type == DM ? null : GUILD, ch.type == DM ? DIRECT_MESSAGES : GUILD_MESSAGES, null);
    }

    /** Null if the bot may post in the channel now. */
    private Answer checkWritable(Chan ch) {
        if (ch.type == GUILD_TEXT && ch.forbidden) {
            return missingPermissions();
        }
        if (ch.type == PUBLIC_THREAD && ch.archived) {
            return threadArchived();
        }
        return null;
    }

    /** Content, embeds and allowed_mentions as Discord checks them; null if fine. */
    private Answer checkContent(JsonNode body, boolean creating, boolean hasFiles) {
        FakeDiscordComponents.Problem badComponents = FakeDiscordComponents.problem(body);
        if (badComponents != null) {
            return formError(badComponents.field(), badComponents.code(), badComponents.message());
        }
        JsonNode contentNode = body.path("content");
        if (!contentNode.isMissingNode() && !contentNode.isNull() && !contentNode.isTextual()) {
            return formError("content", "BASE_TYPE_STRING", "Could not interpret \"" + contentNode + "\" as string.");
        }
        String content = contentNode.asText("");
        if (length(content) > MAX_CONTENT) {
            return formError("content", "BASE_TYPE_MAX_LENGTH", "Must be " + MAX_CONTENT + " or fewer in length.");
        }
        JsonNode embeds = body.path("embeds");
        if (embeds.size() > 10) {
            return formError("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.");
        }
        for (int i = 0; i < embeds.size(); i++) {
            if (length(embeds.get(i).path("description").asText("")) > MAX_EMBED_DESCRIPTION) {
                return formError("embeds." + i + ".description", "BASE_TYPE_MAX_LENGTH",
                        "Must be " + MAX_EMBED_DESCRIPTION + " or fewer in length.");
            }
        }
        JsonNode am = body.path("allowed_mentions");
        if (am.isObject()) {
            JsonNode parse = am.path("parse");
            Set<String> kinds = new HashSet<>();
            parse.forEach(p -> kinds.add(p.asText()));
            if (!Set.of("users", "roles", "everyone").containsAll(kinds)) {
                return formError("allowed_mentions.parse", "BASE_TYPE_CHOICES",
                        "Value must be one of ('roles', 'users', 'everyone').");
            }
            if (kinds.contains("users") && am.path("users").size() > 0) {
                return formError("allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                        "parse:[\"users\"] and users: [ids...] are mutually exclusive.");
            }
            if (kinds.contains("roles") && am.path("roles").size() > 0) {
                return formError("allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                        "parse:[\"roles\"] and roles: [ids...] are mutually exclusive.");
            }
        }
        if (creating) {
            boolean hasSomething = !content.isEmpty() || !embeds.isEmpty() || body.path("sticker_ids").size() > 0
                    || body.path("components").size() > 0 || body.hasNonNull("poll")
                    || body.path("attachments").size() > 0 || hasFiles;
            if (!hasSomething) {
                return error(400, 50006, "Cannot send an empty message");
            }
        }
        return null;
    }

    // ---- interactions ----

    private Answer callback(String interactionId, String token, Map<String, String> q, JsonNode body,
                            List<Upload> files) {
        Inter it = interactions.get(interactionId);
        if (it == null || !it.token.equals(token)) {
            return error(404, 10062, "Unknown interaction");
        }
        if (it.callbackType != 0) {
            return error(400, 40060, "Interaction has already been acknowledged");
        }
        if (clock.instant().isAfter(it.created.plus(ackTimeout))) {
            return error(404, 10062, "Unknown interaction");
        }
        if (body == null || !body.isObject()) {
            return formError("type", "BASE_TYPE_REQUIRED", "This field is required");
        }
        int type = body.path("type").asInt(-1);
        JsonNode data = body.path("data");
        Msg original = null;
        switch (type) {
            case 4 -> {
                JsonNode message = data.isObject() ? data : JSON.createObjectNode();
                Answer invalid = checkContent(message, true, !files.isEmpty());
                if (invalid != null) {
                    return invalid;
                }
                Attaching attaching = attach(message, files, null);
                if (attaching.refusal() != null) {
                    return attaching.refusal();
                }
                original = interactionMessage(it, message, message.path("flags").asInt(0) & (EPHEMERAL | CREATE_FLAGS),
                        CHAT_INPUT_COMMAND, attaching.attachments());
            }
            case 5 -> original = interactionMessage(it, JSON.createObjectNode(),
                    LOADING | (data.path("flags").asInt(0) & EPHEMERAL), CHAT_INPUT_COMMAND, List.of());
            case 8 -> data.path("choices").forEach(c -> it.choices.add(c.path("value").asText()));
            case 9 -> {
                if (data.path("custom_id").asText("").isEmpty() || data.path("title").asText("").isEmpty()) {
                    return formError("data.custom_id", "BASE_TYPE_REQUIRED", "This field is required");
                }
            }
            default -> {
                return formError("type", "INTERACTION_RESPONSE_TYPE_INVALID",
                        "Interaction response type is invalid for this interaction");
            }
        }
        it.callbackType = type;
        if (original != null) {
            it.originalId = original.id;
            if ((original.flags & EPHEMERAL) == 0) {
                emitMessage("MESSAGE_CREATE", original);
            }
        }
        if (!"true".equalsIgnoreCase(q.get("with_response"))) {
            return new Answer(204, null, Map.of());
        }
        ObjectNode r = JSON.createObjectNode();
        ObjectNode inter = r.putObject("interaction");
        inter.put("id", it.id);
        inter.put("type", 2);
        if (original != null) {
            inter.put("response_message_id", original.id);
            inter.put("response_message_loading", (original.flags & LOADING) != 0);
            inter.put("response_message_ephemeral", (original.flags & EPHEMERAL) != 0);
        }
        ObjectNode resource = r.putObject("resource");
        resource.put("type", type);
        if (original != null && type == 4) {
            resource.set("message", messageJson(original, false));
        }
        return ok(r);
    }

    private Msg interactionMessage(Inter it, JsonNode data, int flags, int type, List<Att> attachments) {
        Msg m = new Msg(snowflake(), it.channel, BOT_ID, type, timestamp(Instant.now()));
        m.content = data.path("content").asText("");
        m.attachments = attachments;
        m.embeds = data.path("embeds").isArray() ? (ArrayNode) data.get("embeds").deepCopy() : JSON.createArrayNode();
        m.flags = flags;
        m.allowedMentions = data.has("allowed_mentions") ? data.get("allowed_mentions").deepCopy() : null;
        m.interactionId = it.id;
        components.keep(m.id, data);
        resolveMentions(m, null);
        store(m);
        return m;
    }

    /** The interaction a webhook token belongs to, or the error Discord gives. */
    private Object webhookInteraction(String app, String token) {
        if (!APP_ID.equals(app)) {
            return error(404, 10015, "Unknown Webhook");
        }
        for (Inter it : interactions.values()) {
            if (it.token.equals(token)) {
                if (clock.instant().isAfter(it.created.plus(tokenLifetime))) {
                    return error(401, 50027, "Invalid Webhook Token");
                }
                if (it.callbackType == 0) {
                    return error(404, 10015, "Unknown Webhook");
                }
                return it;
            }
        }
        return error(401, 50027, "Invalid Webhook Token");
    }

    private Answer followup(String app, String token, JsonNode body, List<Upload> files) {
        Object found = webhookInteraction(app, token);
        if (found instanceof Answer a) {
            return a;
        }
        Inter it = (Inter) found;
        if (body == null || !body.isObject()) {
            return formError("_root", "MODEL_TYPE_REQUIRED", "Must be an object.");
        }
        Answer invalid = checkContent(body, true, !files.isEmpty());
        if (invalid != null) {
            return invalid;
        }
        Msg original = it.originalId == null ? null : messagesById.get(it.originalId);
        if (original != null && !original.deleted && (original.flags & LOADING) != 0) {
            // The first follow-up after a deferral fills the "thinking" message (not shown as an edit).
            return applyEdit(original, body, files, false);
        }
        Attaching attaching = attach(body, files, null);
        if (attaching.refusal() != null) {
            return attaching.refusal();
        }
        Msg m = interactionMessage(it, body, body.path("flags").asInt(0) & (EPHEMERAL | CREATE_FLAGS), DEFAULT,
                attaching.attachments());
        it.followupIds.add(m.id);
        if ((m.flags & EPHEMERAL) == 0) {
            emitMessage("MESSAGE_CREATE", m);
        }
        return ok(messageJson(m, false));
    }

    private Answer webhookMessage(String method, String app, String token, String messageId, JsonNode body,
                                  List<Upload> files) {
        Object found = webhookInteraction(app, token);
        if (found instanceof Answer a) {
            return a;
        }
        Inter it = (Inter) found;
        String id = "@original".equals(messageId) ? it.originalId : messageId;
        if (id == null || !(id.equals(it.originalId) || it.followupIds.contains(id))) {
            return unknownMessage();
        }
        Msg m = messagesById.get(id);
        if (m == null || m.deleted) {
            return unknownMessage();
        }
        return switch (method) {
            case "GET" -> ok(messageJson(m, false));
            case "PATCH" -> {
                Answer a = applyEdit(m, body, files, true);
                if (a.status() == 200 && id.equals(it.originalId)) {
                    it.originalEdits++;
                }
                yield a;
            }
            default -> {
                deleteMessage(channels.get(m.channel), m);
                yield new Answer(204, null, Map.of());
            }
        };
    }

    // ---- attachments ----

    /**
     * The attachments a message ends up with: the {@code attachments} list when sent (new files by the {@code n} of
     * their {@code files[n]} part, kept ones by id, on an edit), else every file part (after what an edited message
     * already had).
     */
    private Attaching attach(JsonNode body, List<Upload> files, Msg editing) {
        if (files.size() > MAX_ATTACHMENTS) {
            return new Attaching(null, formError("attachments", "BASE_TYPE_MAX_LENGTH",
                    "Must be " + MAX_ATTACHMENTS + " or fewer in length."));
        }
        Map<Integer, Upload> byIndex = new HashMap<>();
        files.stream().filter(u -> u.index() >= 0).forEach(u -> byIndex.put(u.index(), u));
        List<Att> out = new ArrayList<>();
        JsonNode listed = body == null ? NODES.missingNode() : body.path("attachments");
        if (listed.isArray()) {
            for (int i = 0; i < listed.size(); i++) {
                JsonNode entry = listed.get(i);
                String id = entry.path("id").asText("");
                Upload upload = id.matches("\\d{1,9}") ? byIndex.get(Integer.parseInt(id)) : null;
                Att kept = editing == null ? null
                        : editing.attachments.stream().filter(a -> a.id.equals(id)).findFirst().orElse(null);
                if (upload != null) {
                    String name = entry.path("filename").asText("");
                    name = name.isEmpty() ? upload.filename() : name;
                    out.add(new Att(snowflake(), name,
                            mediaType(entry.path("content_type").asText(upload.contentType()), name),
                            entry.path("description").asText(null), upload.content()));
                } else if (kept != null) {
                    out.add(kept);
                } else {
                    return new Attaching(null, formError("attachments." + i, "ATTACHMENT_NOT_FOUND",
                            "Attachment data not found"));
                }
            }
        } else {
            if (editing != null) {
                out.addAll(editing.attachments);
            }
            for (Upload u : files) {
                out.add(new Att(snowflake(), u.filename(), mediaType(u.contentType(), u.filename()), null,
                        u.content()));
            }
        }
        if (out.size() > MAX_ATTACHMENTS) {
            return new Attaching(null, formError("attachments", "BASE_TYPE_MAX_LENGTH",
                    "Must be " + MAX_ATTACHMENTS + " or fewer in length."));
        }
        return new Attaching(List.copyOf(out), null);
    }

    /** The type Discord reports: what the client declared, or for an undeclared or generic one, by the name. */
    private static String mediaType(String declared, String filename) {
        String base = declared == null ? "" : declared.split(";")[0].strip().toLowerCase(Locale.ROOT);
        if (!base.isEmpty() && !base.equals("application/octet-stream")) {
            return declared;
        }
        int dot = filename.lastIndexOf('.');
        return switch (dot < 0 ? "" : filename.substring(dot + 1).toLowerCase(Locale.ROOT)) {
            case "json" -> "application/json; charset=utf-8";
            case "txt" -> "text/plain; charset=utf-8";
            case "csv" -> "text/csv; charset=utf-8";
            case "md" -> "text/markdown; charset=utf-8";
            case "png" -> "image/png";
            default -> "application/octet-stream";
        };
    }

    /** The CDN: an attachment's bytes by the URL its message shows (no token, as on Discord). */
    private void cdn(Context ctx) {
        String channel = ctx.pathParam("channel");
        String id = ctx.pathParam("attachment");
        Att found = null;
        synchronized (lock) {
            for (Msg m : messagesById.values()) {
                if (m.channel.equals(channel) && !m.deleted) {
                    for (Att a : m.attachments) {
                        if (a.id.equals(id) && a.filename.equals(ctx.pathParam("filename"))) {
                            found = a;
                        }
                    }
                }
            }
        }
        if (found == null) {
            ctx.status(404).contentType("text/plain").result("Not Found");
            return;
        }
        ctx.status(200).contentType(found.contentType).result(found.content);
    }

    // ---- answers ----

    private static Answer ok(JsonNode body) {
        return new Answer(200, body, Map.of());
    }

    private static Answer error(int status, int code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("message", message);
        body.put("code", code);
        return new Answer(status, body, Map.of());
    }

    /** 400 Invalid Form Body with the error at a dotted path ("content", "embeds.0.description"). */
    private static Answer formError(String path, String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("code", 50035);
        body.put("message", "Invalid Form Body");
        ObjectNode node = body.putObject("errors");
        if (!path.equals("_root")) {
            for (String part : path.split("\\.")) {
                node = node.putObject(part);
            }
        }
        ObjectNode e = node.putArray("_errors").addObject();
        e.put("code", code);
        e.put("message", message);
        return new Answer(400, body, Map.of());
    }

    private static Answer unknownChannel() {
        return error(404, 10003, "Unknown Channel");
    }

    private static Answer unknownMessage() {
        return error(404, 10008, "Unknown Message");
    }

    private static Answer missingPermissions() {
        return error(403, 50013, "Missing Permissions");
    }

    private static Answer threadArchived() {
        return error(400, 50083, "Thread is archived");
    }

    // =====================================================================================================
    // Gateway
    // =====================================================================================================

    private void socketOpened(WsContext ctx) {
        synchronized (lock) {
            Conn c = new Conn(ctx);
            if (closed) {
                c.open = false;
                sendClose(c, 1001, "closing");
                return;
            }
            conns.put(ctx.sessionId(), c);
            gatewayConnections++;
            ObjectNode hello = frame(10, null);
            ObjectNode d = hello.putObject("d");
            d.put("heartbeat_interval", HEARTBEAT_INTERVAL_MS);
            d.putArray("_trace").add("[\"fake-gateway\",{\"micros\":0}]");
            send(c, hello.toString());
        }
    }

    private void socketMessage(String connId, String text) {
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            msg = null;
        }
        synchronized (lock) {
            Conn c = conns.get(connId);
            if (c == null || !c.open) {
                return;
            }
            if (msg == null || !msg.isObject() || !msg.path("op").isInt()) {
                closeConn(c, 4002, "Error while decoding payload.");
                return;
            }
            long now = System.nanoTime();
            while (!c.received.isEmpty() && now - c.received.peekFirst() >= 60_000_000_000L) {
                c.received.pollFirst();
            }
            c.received.addLast(now);
            if (c.received.size() > 120) {
                closeConn(c, 4008, "Rate limited.");
                return;
            }
            int op = msg.get("op").asInt();
            JsonNode d = msg.path("d");
            switch (op) {
                case 1 -> send(c, frame(11, null).toString());
                case 2 -> identify(c, d);
                case 6 -> resume(c, d);
                case 3, 4 -> {
                    if (c.session == null) {
                        closeConn(c, 4003, "Not authenticated.");
                    }
                }
                case 8 -> {
                    if (c.session == null) {
                        closeConn(c, 4003, "Not authenticated.");
                    } else {
                        requestMembers(c.session, d);
                    }
                }
                default -> closeConn(c, 4001, "Unknown opcode.");
            }
        }
    }

    private void socketClosed(String connId, int status) {
        synchronized (lock) {
            Conn c = conns.remove(connId);
            if (c == null) {
                return;
            }
            c.open = false;
            if (c.session != null && c.session.conn == c) {
                c.session.conn = null;
                if (status == 1000 || status == 1001) {
                    c.session.invalid = true; // a clean close ends the session, as on Discord
                }
            }
        }
    }

    /** Caller holds the lock. */
    private void identify(Conn c, JsonNode d) {
        if (c.session != null) {
            closeConn(c, 4005, "Already authenticated.");
            return;
        }
        if (!tokenMatches(d.path("token").asText(""))) {
            closeConn(c, 4004, "Authentication failed.");
            return;
        }
        if (!d.path("intents").canConvertToInt() || (d.path("intents").asInt() & ~VALID_INTENTS) != 0) {
            closeConn(c, 4013, "Invalid intent(s).");
            return;
        }
        int shardId = 0;
        int shardCount = 1;
        if (d.path("shard").isArray()) {
            shardId = d.path("shard").path(0).asInt(-1);
            shardCount = d.path("shard").path(1).asInt(0);
            if (shardCount < 1 || shardId < 0 || shardId >= shardCount) {
                closeConn(c, 4010, "Invalid shard.");
                return;
            }
        }
        long now = System.nanoTime();
        if (identifiedYet && now - lastIdentifyNanos < IDENTIFY_SPACING.toNanos()) {
            identifiesTooSoon++;
            if (refuseEarlyIdentify) {
                ObjectNode invalid = frame(9, null);
                invalid.put("d", false);
                send(c, invalid.toString());
                return;
            }
        }
        identifiedYet = true;
        lastIdentifyNanos = now;
        for (Session other : sessions.values()) {
            if (other.shardId == shardId && other.shardCount == shardCount && !other.invalid && other.conn != null
                    && other.conn.open) {
                shardOverlaps++;
            }
        }
        Session s = new Session(UUID.randomUUID().toString().replace("-", ""), d.path("intents").asInt(), shardId,
                shardCount);
        sessions.put(s.id, s);
        c.session = s;
        s.conn = c;
        identifies++;
        sessionStartRemaining = Math.max(0, sessionStartRemaining - 1);
        boolean ownsGuild = s.owns(GUILD);
        ObjectNode ready = JSON.createObjectNode();
        ready.put("v", 10);
        ready.set("user", selfUserJson());
        ArrayNode guilds = ready.putArray("guilds");
        if (ownsGuild) {
            guilds.addObject().put("id", GUILD).put("unavailable", true);
        }
        ready.putArray("private_channels");
        ready.putArray("presences");
        ready.putArray("relationships");
        ready.putArray("guild_join_requests");
        ready.putArray("geo_ordered_rtc_regions").add("fake");
        ready.putObject("auth");
        ready.put("session_id", s.id);
        ready.put("session_type", "normal");
        ready.put("resume_gateway_url", gatewayUrl());
        ready.putArray("shard").add(shardId).add(shardCount);
        ready.putObject("application").put("id", APP_ID).put("flags", 0);
        ready.putArray("_trace").add("[\"fake-gateway\",{\"micros\":0}]");
        dispatch(s, "READY", ready);
        if (ownsGuild) {
            dispatch(s, "GUILD_CREATE", guildJson(s));
        }
    }

    /** Caller holds the lock. */
    private void resume(Conn c, JsonNode d) {
        if (c.session != null) {
            closeConn(c, 4005, "Already authenticated.");
            return;
        }
        if (!tokenMatches(d.path("token").asText(""))) {
            closeConn(c, 4004, "Authentication failed.");
            return;
        }
        Session s = sessions.get(d.path("session_id").asText(""));
        if (s == null || s.invalid || s.invalidateOnResume) {
            if (s != null) {
                s.invalid = true;
                s.invalidateOnResume = false;
            }
            ObjectNode invalid = frame(9, null);
            invalid.put("d", false);
            send(c, invalid.toString());
            return;
        }
        long seq = d.path("seq").asLong(0);
        if (seq > s.seq || seq < 0) {
            closeConn(c, 4007, "Invalid seq.");
            return;
        }
        if (s.conn != null && s.conn != c) {
            Conn old = s.conn;
            old.open = false;
            old.session = null;
            conns.remove(old.ctx.sessionId());
            gatewaySender.execute(() -> {
                try {
                    old.ctx.session.disconnect();
                } catch (Exception ignored) {
                    // already gone
                }
            });
        }
        c.session = s;
        s.conn = c;
        resumes++;
        for (Frame f : s.log) {
            if (f.seq() > seq) {
                send(c, f.text());
            }
        }
        s.seq++;
        ObjectNode resumed = frame(0, "RESUMED");
        resumed.put("s", s.seq);
        resumed.putObject("d").putArray("_trace").add("[\"fake-gateway\",{\"micros\":0}]");
        send(c, resumed.toString());
    }

    /** Answers op 8 with one GUILD_MEMBERS_CHUNK. Caller holds the lock. */
    private void requestMembers(Session s, JsonNode d) {
        if (!GUILD.equals(d.path("guild_id").asText())) {
            return;
        }
        Set<String> wanted = new HashSet<>();
        d.path("user_ids").forEach(u -> wanted.add(u.asText()));
        if (d.path("user_ids").isTextual()) {
            wanted.add(d.path("user_ids").asText());
        }
        String query = d.path("query").asText("");
        int limit = d.path("limit").asInt(0);
        ObjectNode chunk = JSON.createObjectNode();
        chunk.put("guild_id", GUILD);
        ArrayNode members = chunk.putArray("members");
        ArrayNode notFound = chunk.putArray("not_found");
        for (String id : users.keySet()) {
            boolean match = wanted.isEmpty()
                    ? users.get(id).toLowerCase(Locale.ROOT).startsWith(query.toLowerCase(Locale.ROOT))
                    : wanted.contains(id);
            if (match && (limit == 0 || members.size() < limit)) {
                members.add(memberJson(id, true));
            }
        }
        wanted.stream().filter(id -> !users.containsKey(id)).forEach(notFound::add);
        chunk.put("chunk_index", 0);
        chunk.put("chunk_count", 1);
        if (d.hasNonNull("nonce")) {
            chunk.put("nonce", d.path("nonce").asText());
        }
        dispatch(s, "GUILD_MEMBERS_CHUNK", chunk);
    }

    private static boolean tokenMatches(String token) {
        return TOKEN.equals(token) || ("Bot " + TOKEN).equals(token);
    }

    /**
     * Sends a dispatch to every live session that should get it: its shard owns the guild (DMs: shard 0), it asked
     * for the intent (0 = always), and without MESSAGE_CONTENT a hidden message arrives blanked. Caller holds the lock.
     */
    private void emit(String type, ObjectNode d, String guildId, int intent, Msg message) {
        ObjectNode blanked = null;
        for (Session s : sessions.values()) {
            if (s.invalid || !s.owns(guildId) || (intent != 0 && (s.intents & intent) == 0)) {
                continue;
            }
            ObjectNode payload = d;
            if (message != null && (s.intents & MESSAGE_CONTENT) == 0) {
                if (blanked == null) {
                    blanked = blankHidden(d.deepCopy(), message);
                }
                payload = blanked;
            }
            dispatch(s, type, payload);
        }
    }

    private void emitMessage(String type, Msg m) {
        Chan ch = channels.get(m.channel);
        boolean dm = ch.type == DM;
        emit(type, messageJson(m, true), dm ? null : GUILD, dm ? DIRECT_MESSAGES : GUILD_MESSAGES, m);
    }

    /** Without MESSAGE_CONTENT, only DMs, the bot's own messages and ones that mention it keep their content. */
    private ObjectNode blankHidden(ObjectNode json, Msg m) {
        if (!contentVisible(m)) {
            blank(json);
        }
        JsonNode ref = json.path("referenced_message");
        if (ref.isObject() && m.replyTo != null) {
            Msg target = messagesById.get(m.replyTo);
            if (target != null && !contentVisible(target)) {
                blank((ObjectNode) ref);
            }
        }
        return json;
    }

    private static void blank(ObjectNode json) {
        json.put("content", "");
        json.putArray("embeds");
        json.putArray("attachments");
        json.putArray("components");
        json.remove("poll");
    }

    private boolean contentVisible(Msg m) {
        Chan ch = channels.get(m.channel);
        return ch.type == DM || BOT_ID.equals(m.author) || m.mentionUsers.contains(BOT_ID);
    }

    /** Gives the dispatch the session's next sequence number, keeps it for RESUME, sends it if connected. */
    private void dispatch(Session s, String type, ObjectNode d) {
        s.seq++;
        ObjectNode f = frame(0, type);
        f.put("s", s.seq);
        f.set("d", d);
        String text = f.toString();
        s.log.add(new Frame(s.seq, text));
        if (s.conn != null) {
            send(s.conn, text);
        }
    }

    private static ObjectNode frame(int op, String type) {
        ObjectNode f = JSON.createObjectNode();
        f.put("op", op);
        f.putNull("d");
        f.putNull("s");
        if (type == null) {
            f.putNull("t");
        } else {
            f.put("t", type);
        }
        return f;
    }

    /** Queues a text frame; frames leave in the order they were queued. Caller holds the lock. */
    private void send(Conn c, String text) {
        try {
            gatewaySender.execute(() -> {
                if (!c.open) {
                    return;
                }
                try {
                    c.ctx.send(text);
                } catch (Exception e) { // Jetty throws IOException without declaring it
                    c.open = false;
                }
            });
        } catch (RejectedExecutionException ignored) {
            // closed
        }
    }

    /** Closes a socket with a Gateway close code after what was queued for it. Caller holds the lock. */
    private void closeConn(Conn c, int code, String reason) {
        conns.remove(c.ctx.sessionId());
        if (c.session != null && c.session.conn == c) {
            c.session.conn = null;
        }
        sendClose(c, code, reason);
    }

    private void sendClose(Conn c, int code, String reason) {
        try {
            gatewaySender.execute(() -> {
                c.open = false;
                try {
                    c.ctx.closeSession(code, reason);
                } catch (Exception ignored) {
                    // already gone
                }
            });
        } catch (RejectedExecutionException ignored) {
            // closed
        }
    }

    // =====================================================================================================
    // Users' messages (callers hold the lock)
    // =====================================================================================================

    private Msg userMessage(Chan ch, String user, String content, Msg replyTo) {
        return userMessage(ch, user, content, replyTo, List.of());
    }

    private Msg userMessage(Chan ch, String user, String content, Msg replyTo, List<FakeDiscordFiles.File> files) {
        knowUser(user);
        if (BOT_ID.equals(user)) {
            throw new IllegalArgumentException("the bot writes through the REST API");
        }
        if (ch.type == DM && !user.equals(ch.recipient)) {
            throw new IllegalArgumentException(user + " is not in DM channel " + ch.id);
        }
        if (content == null || (content.isEmpty() && files.isEmpty()) || length(content) > MAX_CONTENT) {
            throw new IllegalArgumentException("a user message has 1 to 2000 characters, or files");
        }
        if (ch.type == PUBLIC_THREAD && ch.archived) {
            setArchived(ch, false); // a member writing in an archived thread reopens it
        }
        Msg m = new Msg(snowflake(), ch.id, user, replyTo != null ? REPLY : DEFAULT, timestamp(Instant.now()));
        m.content = content;
        m.embeds = JSON.createArrayNode();
        m.replyTo = replyTo == null ? null : replyTo.id;
        m.attachments = files.stream().map(f -> new Att(snowflake(), f.name(), f.contentType(), null, f.bytes()))
                .toList();
        resolveMentions(m, replyTo);
        store(m);
        emitMessage("MESSAGE_CREATE", m);
        return m;
    }

    private void setArchived(Chan t, boolean archived) {
        if (t.archived == archived) {
            return;
        }
        t.archived = archived;
        t.archiveTimestamp = timestamp(Instant.now());
        emit("THREAD_UPDATE", channelJson(t), GUILD, GUILDS, null);
    }

    /** Fills the mentions as Discord parses them, filtered by allowed_mentions (absent: everything). */
    private void resolveMentions(Msg m, Msg replyTo) {
        JsonNode am = m.allowedMentions;
        Set<String> parse = new HashSet<>();
        if (am == null || !am.isObject()) {
            parse.addAll(Set.of("users", "roles", "everyone"));
        } else {
            am.path("parse").forEach(p -> parse.add(p.asText()));
        }
        Set<String> allowedUsers = new HashSet<>();
        Set<String> allowedRoles = new HashSet<>();
        if (am != null) {
            am.path("users").forEach(u -> allowedUsers.add(u.asText()));
            am.path("roles").forEach(r -> allowedRoles.add(r.asText()));
        }
        LinkedHashSet<String> mentioned = new LinkedHashSet<>();
        Matcher um = USER_MENTION.matcher(m.content);
        while (um.find()) {
            String id = um.group(1);
            if (users.containsKey(id) && (parse.contains("users") || allowedUsers.contains(id))) {
                mentioned.add(id);
            }
        }
        boolean repliedUser = am == null || !am.isObject() || am.path("replied_user").asBoolean(false);
        if (replyTo != null && repliedUser && !replyTo.author.equals(m.author)) {
            mentioned.add(replyTo.author);
        }
        LinkedHashSet<String> roleMentions = new LinkedHashSet<>();
        Matcher rm = ROLE_MENTION.matcher(m.content);
        while (rm.find()) {
            String id = rm.group(1);
            if (roles.containsKey(id) && (parse.contains("roles") || allowedRoles.contains(id))) {
                roleMentions.add(id);
            }
        }
        m.mentionUsers = new ArrayList<>(mentioned);
        m.mentionRoles = new ArrayList<>(roleMentions);
        m.mentionEveryone = parse.contains("everyone")
                && (m.content.contains("@everyone") || m.content.contains("@here"));
    }

    private void store(Msg m) {
        noteWords(m);
        messagesById.put(m.id, m);
        history.computeIfAbsent(m.channel, k -> new TreeMap<>()).put(Long.parseLong(m.id), m);
        Chan ch = channels.get(m.channel);
        ch.lastMessageId = m.id;
        if (ch.type == PUBLIC_THREAD) {
            ch.messageCount++;
        }
    }

    private void noteWords(Msg m) {
        if (recordingRevisions && BOT_ID.equals(m.author)) {
            revisions.add(new Revision(m.id, m.channel, m.replyTo, Instant.now(), m.content));
        }
        if (BOT_ID.equals(m.author) && !m.content.isEmpty()) {
            firstBotWords.putIfAbsent(m.channel, Instant.now());
        }
    }

    private Msg find(String channel, String id) {
        if (channel == null || id == null) {
            return null;
        }
        Msg m = messagesById.get(id);
        return m != null && m.channel.equals(channel) ? m : null;
    }

    private Chan requireChannel(String id) {
        Chan ch = channels.get(id);
        if (ch == null) {
            throw new IllegalArgumentException("unknown channel " + id + ": declare it with textChannel(...) first");
        }
        return ch;
    }

    private Chan dmWith(String user) {
        knowUser(user);
        if (BOT_ID.equals(user)) {
            throw new IllegalArgumentException("the bot has no DM with itself");
        }
        String id = dms.get(user);
        if (id == null) {
            id = snowflake();
            dms.put(user, id);
            channels.put(id, new Chan(id, DM, null, user, timestamp(Instant.now())));
        }
        return channels.get(id);
    }

    private void knowUser(String user) {
        if (!users.containsKey(requireSnowflake(user))) {
            users.put(user, "user-" + user.substring(Math.max(0, user.length() - 4)));
            memberRoles.put(user, new ArrayList<>());
        }
    }

    private static String requireSnowflake(String id) {
        if (id == null || !id.matches("\\d{1,20}")) {
            throw new IllegalArgumentException("Discord ids are snowflakes (digits): " + id);
        }
        return id;
    }

    /** A new snowflake: milliseconds since the Discord epoch, shifted, increasing. Caller holds the lock. */
    private String snowflake() {
        long id = (System.currentTimeMillis() - DISCORD_EPOCH) << 22;
        lastSnowflake = Math.max(id, lastSnowflake + 1);
        return Long.toString(lastSnowflake);
    }

    // =====================================================================================================
    // JSON (callers hold the lock)
    // =====================================================================================================

    private ObjectNode selfUserJson() {
        ObjectNode u = userJson(BOT_ID);
        u.put("verified", true);
        u.put("mfa_enabled", false);
        u.put("flags", 0);
        u.putNull("email");
        u.put("locale", "en-US");
        return u;
    }

    private ObjectNode userJson(String id) {
        ObjectNode u = JSON.createObjectNode();
        String name = users.getOrDefault(id, id);
        boolean bot = BOT_ID.equals(id);
        u.put("id", id);
        u.put("username", bot ? BOT_NAME : name.toLowerCase(Locale.ROOT).replace(' ', '.'));
        if (bot) {
            u.putNull("global_name");
        } else {
            u.put("global_name", name);
        }
        u.put("discriminator", "0");
        u.putNull("avatar");
        u.put("public_flags", 0);
        if (bot) {
            u.put("bot", true);
        }
        return u;
    }

    private ObjectNode memberJson(String userId, boolean withUser) {
        ObjectNode m = JSON.createObjectNode();
        if (withUser) {
            m.set("user", userJson(userId));
        }
        ArrayNode r = m.putArray("roles");
        memberRoles.getOrDefault(userId, List.of()).forEach(r::add);
        m.putNull("nick");
        m.putNull("avatar");
        m.put("joined_at", joinedAt);
        m.putNull("premium_since");
        m.put("deaf", false);
        m.put("mute", false);
        m.put("flags", 0);
        m.put("pending", false);
        m.putNull("communication_disabled_until");
        return m;
    }

    private ObjectNode roleJson(Role r) {
        ObjectNode j = JSON.createObjectNode();
        j.put("id", r.id);
        j.put("name", r.name);
        j.put("permissions", Long.toString(r.permissions));
        j.put("position", r.position);
        j.put("color", 0);
        j.putObject("colors").put("primary_color", 0);
        j.put("hoist", false);
        j.put("managed", r.managed);
        j.put("mentionable", false);
        j.putNull("icon");
        j.putNull("unicode_emoji");
        j.put("flags", 0);
        if (r.managed) {
            j.putObject("tags").put("bot_id", BOT_ID);
        }
        return j;
    }

    private ObjectNode channelJson(Chan ch) {
        ObjectNode j = JSON.createObjectNode();
        j.put("id", ch.id);
        j.put("type", ch.type);
        j.put("flags", 0);
        if (ch.lastMessageId != null) {
            j.put("last_message_id", ch.lastMessageId);
        } else {
            j.putNull("last_message_id");
        }
        switch (ch.type) {
            case DM -> j.putArray("recipients").add(userJson(ch.recipient));
            case PUBLIC_THREAD -> {
                j.put("guild_id", GUILD);
                j.put("parent_id", ch.parent);
                j.put("owner_id", ch.ownerId);
                j.put("name", ch.name);
                j.put("rate_limit_per_user", 0);
                j.put("message_count", ch.messageCount);
                j.put("total_message_sent", ch.messageCount);
                j.put("member_count", 1);
                j.putArray("member_ids_preview").add(BOT_ID);
                ObjectNode meta = j.putObject("thread_metadata");
                meta.put("archived", ch.archived);
                meta.put("auto_archive_duration", ch.autoArchive);
                meta.put("archive_timestamp", ch.archiveTimestamp);
                meta.put("locked", false);
                meta.put("create_timestamp", ch.createTimestamp);
            }
            default -> {
                j.put("guild_id", GUILD);
                j.put("name", ch.name);
                j.put("position", ch.position);
                ArrayNode overwrites = j.putArray("permission_overwrites");
                if (ch.forbidden) {
                    ObjectNode o = overwrites.addObject();
                    o.put("id", BOT_ID);
                    o.put("type", 1);
                    o.put("allow", "0");
                    o.put("deny", Long.toString(SEND_MESSAGES));
                }
                j.putNull("parent_id");
                j.putNull("topic");
                j.put("nsfw", false);
                j.put("rate_limit_per_user", 0);
                j.put("default_thread_rate_limit_per_user", 0);
            }
        }
        return j;
    }

    private ObjectNode threadMemberJson(Chan t) {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", t.id);
        m.put("user_id", BOT_ID);
        m.put("join_timestamp", t.createTimestamp);
        m.put("flags", 1);
        m.put("muted", false);
        return m;
    }

    private ObjectNode guildJson(Session s) {
        ObjectNode g = JSON.createObjectNode();
        g.put("id", GUILD);
        g.put("name", "Fake Guild");
        g.putNull("icon");
        g.putNull("description");
        g.putNull("splash");
        g.putNull("banner");
        g.put("owner_id", OWNER_ID);
        g.putNull("application_id");
        g.put("afk_timeout", 300);
        g.putNull("afk_channel_id");
        g.putNull("system_channel_id");
        g.put("system_channel_flags", 0);
        g.putNull("rules_channel_id");
        g.putNull("public_updates_channel_id");
        g.putNull("safety_alerts_channel_id");
        g.put("verification_level", 0);
        g.put("default_message_notifications", 1);
        g.put("explicit_content_filter", 0);
        g.put("mfa_level", 0);
        g.put("nsfw_level", 0);
        g.put("premium_tier", 0);
        g.put("premium_subscription_count", 0);
        g.put("premium_progress_bar_enabled", false);
        g.put("preferred_locale", "en-US");
        g.put("max_members", 500_000);
        g.putNull("vanity_url_code");
        g.put("joined_at", joinedAt);
        g.put("large", false);
        g.put("unavailable", false);
        g.put("lazy", true);
        g.putArray("features");
        ArrayNode rolesJson = g.putArray("roles");
        roles.values().forEach(r -> rolesJson.add(roleJson(r)));
        ArrayNode channelsJson = g.putArray("channels");
        ArrayNode threadsJson = g.putArray("threads");
        for (Chan ch : channels.values()) {
            if (ch.type == GUILD_TEXT) {
                ObjectNode j = channelJson(ch);
                j.remove("guild_id");
                channelsJson.add(j);
            } else if (ch.type == PUBLIC_THREAD && !ch.archived) {
                threadsJson.add(channelJson(ch));
            }
        }
        ArrayNode members = g.putArray("members");
        users.keySet().forEach(id -> members.add(memberJson(id, true)));
        g.put("member_count", members.size());
        g.putArray("presences");
        g.putArray("voice_states");
        g.putArray("emojis");
        g.putArray("stickers");
        g.putArray("soundboard_sounds");
        g.putArray("stage_instances");
        g.putArray("guild_scheduled_events");
        g.putArray("embedded_activities");
        return g;
    }

    /** A message as REST answers it, or as the Gateway dispatches it (with guild_id and the author's member). */
    private ObjectNode messageJson(Msg m, boolean gateway) {
        Chan ch = channels.get(m.channel);
        boolean inGuild = ch.type != DM;
        ObjectNode j = JSON.createObjectNode();
        j.put("id", m.id);
        j.put("type", m.type);
        j.put("channel_id", m.channel);
        j.put("content", m.content);
        j.set("author", userJson(m.author));
        ArrayNode attachments = j.putArray("attachments");
        for (Att a : m.attachments) {
            ObjectNode aj = attachments.addObject();
            aj.put("id", a.id);
            aj.put("filename", a.filename);
            if (a.description != null && !a.description.isEmpty()) {
                aj.put("description", a.description);
            }
            aj.put("content_type", a.contentType);
            aj.put("size", a.content.length);
            String path = "/attachments/" + m.channel + "/" + a.id + "/"
                    + URLEncoder.encode(a.filename, StandardCharsets.UTF_8).replace("+", "%20");
            aj.put("url", "http://127.0.0.1:" + port + path);
            aj.put("proxy_url", "http://127.0.0.1:" + port + path);
            if ((m.flags & EPHEMERAL) != 0) {
                aj.put("ephemeral", true);
            }
        }
        j.set("embeds", m.embeds.deepCopy());
        ArrayNode mentions = j.putArray("mentions");
        for (String u : m.mentionUsers) {
            ObjectNode mu = userJson(u);
            if (gateway && inGuild) {
                mu.set("member", memberJson(u, false));
            }
            mentions.add(mu);
        }
        ArrayNode mentionRoles = j.putArray("mention_roles");
        m.mentionRoles.forEach(mentionRoles::add);
        j.put("mention_everyone", m.mentionEveryone);
        j.put("pinned", false);
        j.put("tts", false);
        j.put("timestamp", m.timestamp);
        if (m.editedTimestamp == null) {
            j.putNull("edited_timestamp");
        } else {
            j.put("edited_timestamp", m.editedTimestamp);
        }
        j.put("flags", m.flags);
        j.set("components", components.of(m.id));
        if (m.interactionId != null) {
            Inter it = interactions.get(m.interactionId);
            j.put("webhook_id", APP_ID);
            j.put("application_id", APP_ID);
            ObjectNode meta = j.putObject("interaction_metadata");
            meta.put("id", it.id);
            meta.put("type", 2);
            meta.put("name", it.command);
            meta.set("user", userJson(it.user));
            meta.putObject("authorizing_integration_owners").put("0", inGuild ? GUILD : "0");
            if (!m.id.equals(it.originalId) && it.originalId != null) {
                meta.put("original_response_message_id", it.originalId);
            }
        }
        if (m.replyTo != null) {
            Msg target = messagesById.get(m.replyTo);
            ObjectNode ref = j.putObject("message_reference");
            ref.put("type", 0);
            ref.put("message_id", m.replyTo);
            ref.put("channel_id", m.channel);
            if (inGuild) {
                ref.put("guild_id", GUILD);
            }
            if (target == null || target.deleted) {
                j.putNull("referenced_message");
            } else {
                j.set("referenced_message", messageJson(target, false));
            }
        }
        Chan thread = channels.get(m.id);
        if (thread != null && thread.type == PUBLIC_THREAD) {
            j.set("thread", channelJson(thread));
        }
        if (gateway && inGuild) {
            j.put("guild_id", GUILD);
            j.set("member", memberJson(m.author, false));
        }
        return j;
    }

    /** What the bot may do in a channel: @everyone and its role, minus the overwrite of forbidden channels. */
    private long botPermissions(Chan ch) {
        return memberPermissions(BOT_ID, ch);
    }

    private long memberPermissions(String user, Chan ch) {
        long p = roles.get(GUILD).permissions;
        for (String r : memberRoles.getOrDefault(user, List.of())) {
            Role role = roles.get(r);
            if (role != null) {
                p |= role.permissions;
            }
        }
        Chan base = ch.type == PUBLIC_THREAD ? channels.get(ch.parent) : ch;
        if (BOT_ID.equals(user) && base != null && base.type == GUILD_TEXT && base.forbidden) {
            p &= ~SEND_MESSAGES;
        }
        return p;
    }

    // =====================================================================================================
    // Helpers
    // =====================================================================================================

    private static String relative(String path) {
        String p = path == null ? "" : path;
        int query = p.indexOf('?');
        if (query >= 0) {
            p = p.substring(0, query);
        }
        if (p.startsWith(API)) {
            p = p.substring(API.length());
        } else if (p.startsWith("/api/v10")) {
            p = p.substring("/api/v10".length());
        }
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    private static String bucketHash(String template) {
        return UUID.nameUUIDFromBytes(template.getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
    }

    /** Nanoseconds as seconds with millisecond precision ("1.250"). */
    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
    }

    private static String timestamp(Instant at) {
        return ISO.format(OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
    }

    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    private static void pause(Duration d) throws InterruptedException {
        if (!d.isZero() && !d.isNegative()) {
            java.lang.Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            java.lang.Thread t = new java.lang.Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    // =====================================================================================================
    // Internal state
    // =====================================================================================================

    /** A fixed window: starts with its first request, holds {@code limit} requests, then waits for its end. */
    private static final class Window {
        long start;
        int count;

        /** Counts the request and returns 0, or returns the nanoseconds until the window frees (not counted). */
        long admit(long now, int limit, long per) {
            if (count == 0 || now - start >= per) {
                start = now;
                count = 0;
            }
            if (count >= limit) {
                return Math.max(1, start + per - now);
            }
            count++;
            return 0;
        }
    }

    private static final class Role {
        final String id;
        final String name;
        final long permissions;
        final int position;
        final boolean managed;

        Role(String id, String name, long permissions, int position, boolean managed) {
            this.id = id;
            this.name = name;
            this.permissions = permissions;
            this.position = position;
            this.managed = managed;
        }
    }

    private static final class Chan {
        final String id;
        final int type;
        final String parent;
        final String recipient;
        final String createTimestamp;
        String name;
        boolean forbidden;
        int position;
        String starter;
        String ownerId;
        boolean archived;
        String archiveTimestamp;
        int autoArchive = 1440;
        int messageCount;
        String lastMessageId;

        Chan(String id, int type, String parent, String recipient, String createTimestamp) {
            this.id = id;
            this.type = type;
            this.parent = parent;
            this.recipient = recipient;
            this.createTimestamp = createTimestamp;
        }
    }

    private static final class Msg {
        final String id;
        final String channel;
        final String author;
        final int type;
        final String timestamp;
        String content = "";
        ArrayNode embeds = JSON.createArrayNode();
        int edits;
        boolean deleted;
        String replyTo;
        JsonNode allowedMentions;
        int flags;
        String editedTimestamp;
        String interactionId;
        List<Att> attachments = List.of();
        List<String> mentionUsers = List.of();
        List<String> mentionRoles = List.of();
        boolean mentionEveryone;

        Msg(String id, String channel, String author, int type, String timestamp) {
            this.id = id;
            this.channel = channel;
            this.author = author;
            this.type = type;
            this.timestamp = timestamp;
        }

        Message view() {
            return new Message(id, channel, author, content, edits, deleted, replyTo,
                    allowedMentions == null ? null : allowedMentions.deepCopy(), flags);
        }
    }

    /** A file on a message. */
    private static final class Att {
        final String id;
        final String filename;
        final String contentType;
        final String description;
        final byte[] content;

        Att(String id, String filename, String contentType, String description, byte[] content) {
            this.id = id;
            this.filename = filename;
            this.contentType = contentType;
            this.description = description;
            this.content = content;
        }
    }

    private static final class Inter {
        final String id;
        final String token;
        final String channel;
        final String user;
        final String command;
        final Instant created;
        final List<String> followupIds = new ArrayList<>();
        final List<String> choices = new ArrayList<>();
        int callbackType;
        String originalId;
        int originalEdits;

        Inter(String id, String token, String channel, String user, String command, Instant created) {
            this.id = id;
            this.token = token;
            this.channel = channel;
            this.user = user;
            this.command = command;
            this.created = created;
        }
    }

    /** A Gateway session: its sequence, everything dispatched in it (for RESUME) and the socket it is on, if any. */
    private static final class Session {
        final String id;
        final int intents;
        final int shardId;
        final int shardCount;
        final List<Frame> log = new ArrayList<>();
        long seq;
        Conn conn;
        boolean invalid;
        boolean invalidateOnResume;

        Session(String id, int intents, int shardId, int shardCount) {
            this.id = id;
            this.intents = intents;
            this.shardId = shardId;
            this.shardCount = shardCount;
        }

        /** Guild events go to shard (guild_id >> 22) % shards; DMs (null) to shard 0. */
        boolean owns(String guildId) {
            long shard = guildId == null ? 0 : (Long.parseLong(guildId) >> 22) % shardCount;
            return shard == shardId;
        }
    }

    private static final class Conn {
        final WsContext ctx;
        final ArrayDeque<Long> received = new ArrayDeque<>();
        volatile boolean open = true;
        Session session;

        Conn(WsContext ctx) {
            this.ctx = ctx;
        }
    }
}

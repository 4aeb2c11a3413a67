package dev.switchboard.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole configuration, validated once at start-up. Every section has defaults, so an empty file is valid: the
 * service then runs with every adapter and provider off and says how to turn each on. Immutable.
 *
 * <p>Keys in the file are snake_case forms of the component names ({@code bot_token} for {@code botToken}).
 * {@code config/switchboard.yaml} documents every key.
 */
public record SwitchboardConfig(
        Slack slack,
        Discord discord,
        Map<String, Provider> providers,
        Routing routing,
        Storage storage,
        Operators operators,
        Ops ops,
        Logging logging) {

    public SwitchboardConfig {
        slack = slack != null ? slack : new Slack(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        discord = discord != null ? discord
                : new Discord(null, null, null, null, null, null, null, null, null, null, null);
        providers = providers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        routing = routing != null ? routing : new Routing(null, null, null, null, null, null);
        storage = storage != null ? storage : new Storage(null, null, null, null, null, null, null);
        operators = operators != null ? operators : new Operators(null, null, null);
        ops = ops != null ? ops : new Ops(null, null, null, null, null);
        logging = logging != null ? logging : new Logging(null, null);
    }

    public static SwitchboardConfig empty() {
        return new SwitchboardConfig(null, null, null, null, null, null, null, null);
    }

    /** What a new message in a thread does while the bot is still answering an earlier one there. */
    public enum OnNewMessage {
        /** The current reply finishes; the new message is answered next, with the whole thread as context. */
        QUEUE,
        /** The current reply stops where it is; the new message is answered at once. */
        RESTART;

        @com.fasterxml.jackson.annotation.JsonValue
        String yaml() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        static OnNewMessage parse(String value) {
            return lowerCaseEnum(OnNewMessage.class, value);
        }
    }

    /** How Slack delivers events. */
    public enum SlackMode {
        SOCKET, HTTP;

        @com.fasterxml.jackson.annotation.JsonValue
        String yaml() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        static SlackMode parse(String value) {
            return lowerCaseEnum(SlackMode.class, value);
        }
    }

    /**
     * The Slack adapter.
     *
     * @param enabled auto (on when the tokens are set), true (required) or false
     * @param mode socket (default; needs the app-level token) or http (needs the signing secret)
     * @param botToken the bot token, {@code xoxb-…}
     * @param appToken the app-level token for Socket Mode, {@code xapp-…}
     * @param signingSecret the signing secret that authenticates HTTP-mode requests
     * @param apiUrl the Web API prefix; GovSlack and test fakes use their own
     * @param eventsPath where HTTP mode receives events on the ops server
     * @param followThreads whether later messages in a thread the bot answered are answered without a mention
     * @param nativeStreaming whether replies use chat.startStream/appendStream/stopStream instead of chat.update
     * @param access channels and users allowed or denied
     * @param userRateLimit messages one user may send before being asked to slow down
     * @param onNewMessage what a new message in a thread does to the reply still streaming there
     * @param postBudget new messages per channel (chat.postMessage: about one a second)
     * @param updateBudget message edits per workspace, shared by every reply (chat.update, Tier 3; with native
     *     streaming, chat.appendStream, Tier 4)
     */
    public record Slack(Toggle enabled, SlackMode mode, Secret botToken, Secret appToken, Secret signingSecret,
                        URI apiUrl, String eventsPath, Boolean followThreads, Boolean nativeStreaming,
                        SlackAccess access, RateLimit userRateLimit, OnNewMessage onNewMessage,
                        RateLimit postBudget, RateLimit updateBudget) {
        public Slack {
            enabled = enabled != null ? enabled : Toggle.AUTO;
            mode = mode != null ? mode : SlackMode.SOCKET;
            botToken = botToken != null ? botToken : Secret.none();
            appToken = appToken != null ? appToken : Secret.none();
            signingSecret = signingSecret != null ? signingSecret : Secret.none();
            apiUrl = apiUrl != null ? apiUrl : URI.create("https://slack.com/api/");
            eventsPath = eventsPath != null ? eventsPath : "/slack/events";
            followThreads = followThreads != null ? followThreads : Boolean.TRUE;
            nativeStreaming = nativeStreaming != null ? nativeStreaming : Boolean.FALSE;
            access = access != null ? access : new SlackAccess(null, null, null, null);
            userRateLimit = userRateLimit != null ? userRateLimit : new RateLimit(null, null);
            onNewMessage = onNewMessage != null ? onNewMessage : OnNewMessage.QUEUE;
            postBudget = postBudget != null ? postBudget : new RateLimit(1, Duration.ofSeconds(1));
            updateBudget = updateBudget != null ? updateBudget
                    : new RateLimit(nativeStreaming ? 100 : 50, Duration.ofMinutes(1));
            if (!eventsPath.startsWith("/")) {
                throw new ConfigValueException("events_path", "must start with /", "write it as /slack/events");
            }
        }

        /** The secrets this mode needs that are not set, as their usual environment variable names. */
        public List<String> missingSecrets() {
            List<String> missing = new java.util.ArrayList<>();
            if (!botToken.isPresent()) {
                missing.add("SLACK_BOT_TOKEN");
            }
            if (mode == SlackMode.SOCKET && !appToken.isPresent()) {
                missing.add("SLACK_APP_TOKEN");
            }
            if (mode == SlackMode.HTTP && !signingSecret.isPresent()) {
                missing.add("SLACK_SIGNING_SECRET");
            }
            return missing;
        }

        public boolean active() {
            return enabled != Toggle.OFF && missingSecrets().isEmpty();
        }
    }

    /**
     * The Discord adapter.
     *
     * @param enabled auto (on when the token is set), true (required) or false
     * @param token the bot token
     * @param restUrl the REST API prefix; a REST proxy or a test fake can stand in
     * @param gatewayUrl the Gateway WebSocket URL; empty asks the REST API for it
     * @param messageContent whether the privileged message content intent is requested
     * @param threads whether a mention opens a thread (else replies continue along reply chains)
     * @param commandGuild register slash commands in this guild only (instant, for development); empty for global
     * @param silent whether replies are sent without notifications
     * @param shards which shards this process runs
     * @param access guilds, channels, roles and users allowed or denied
     * @param userRateLimit messages one user may send before being asked to slow down
     */
    public record Discord(Toggle enabled, Secret token, URI restUrl, URI gatewayUrl, Boolean messageContent,
                          Boolean threads, String commandGuild, Boolean silent, Shards shards, DiscordAccess access,
                          RateLimit userRateLimit) {
        public Discord {
            enabled = enabled != null ? enabled : Toggle.AUTO;
            token = token != null ? token : Secret.none();
            restUrl = restUrl != null ? restUrl : URI.create("https://discord.com/api/v10/");
            gatewayUrl = gatewayUrl != null ? gatewayUrl : URI.create("wss://gateway.discord.gg");
            messageContent = messageContent != null ? messageContent : Boolean.FALSE;
            threads = threads != null ? threads : Boolean.TRUE;
            commandGuild = commandGuild != null ? commandGuild.strip() : "";
            silent = silent != null ? silent : Boolean.FALSE;
            shards = shards != null ? shards : new Shards(null, null, null);
            access = access != null ? access : new DiscordAccess(null, null, null, null, null, null, null, null);
            userRateLimit = userRateLimit != null ? userRateLimit : new RateLimit(null, null);
        }

        public boolean active() {
            return enabled != Toggle.OFF && token.isPresent();
        }
    }

    /**
     * Which Discord shards this process runs: {@code first..last} of {@code total}.
     */
    public record Shards(Integer total, Integer first, Integer last) {
        public Shards {
            total = total != null ? total : 1;
            first = first != null ? first : 0;
            last = last != null ? last : total - 1;
            if (total < 1) {
                throw new ConfigValueException("total", "must be at least 1", "use 1 until the bot is in 2,500 guilds");
            }
            if (first < 0 || last >= total || first > last) {
                throw new ConfigValueException("first", "the range " + first + ".." + last
                        + " does not fit " + total + " shards", "pick 0 <= first <= last < total");
            }
        }
    }

    /** Slack allow and deny lists. An empty allow list allows everyone; a deny entry always wins. */
    public record SlackAccess(List<String> allowChannels, List<String> denyChannels, List<String> allowUsers,
                              List<String> denyUsers) {
        public SlackAccess {
            allowChannels = copy(allowChannels);
            denyChannels = copy(denyChannels);
            allowUsers = copy(allowUsers);
            denyUsers = copy(denyUsers);
        }
    }

    /** Discord allow and deny lists. An empty allow list allows everyone; a deny entry always wins. */
    public record DiscordAccess(List<String> allowGuilds, List<String> denyGuilds, List<String> allowChannels,
                                List<String> denyChannels, List<String> allowRoles, List<String> denyRoles,
                                List<String> allowUsers, List<String> denyUsers) {
        public DiscordAccess {
            allowChannels = copy(allowChannels);
            denyChannels = copy(denyChannels);
            allowUsers = copy(allowUsers);
            denyUsers = copy(denyUsers);
            allowGuilds = copy(allowGuilds);
            denyGuilds = copy(denyGuilds);
            allowRoles = copy(allowRoles);
            denyRoles = copy(denyRoles);
        }
    }

    /** At most {@code messages} per user within {@code per}. */
    public record RateLimit(Integer messages, Duration per) {
        public RateLimit {
            messages = messages != null ? messages : 20;
            per = per != null ? per : Duration.ofMinutes(1);
            if (messages < 1) {
                throw new ConfigValueException("messages", "must be at least 1", "write e.g. messages: 20");
            }
            if (per.isZero() || per.isNegative()) {
                throw new ConfigValueException("per", "must be positive", "write e.g. per: 1m");
            }
        }
    }

    /** The wire protocol a provider speaks. */
    public enum ProviderType {
        OPENAI("https://api.openai.com/v1", true),
        ANTHROPIC("https://api.anthropic.com/v1", true),
        GEMINI("https://generativelanguage.googleapis.com/v1beta", true),
        OLLAMA("http://localhost:11434", false);

        private final String defaultBaseUrl;
        private final boolean needsKey;

        ProviderType(String defaultBaseUrl, boolean needsKey) {
            this.defaultBaseUrl = defaultBaseUrl;
            this.needsKey = needsKey;
        }

        public URI defaultBaseUrl() {
            return URI.create(defaultBaseUrl);
        }

        public boolean needsKey() {
            return needsKey;
        }

        @com.fasterxml.jackson.annotation.JsonValue
        String yaml() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        static ProviderType parse(String value) {
            return lowerCaseEnum(ProviderType.class, value);
        }
    }

    /**
     * One LLM provider.
     *
     * @param type the wire protocol; {@code openai} also covers OpenAI-compatible servers
     * @param enabled auto (on when its key is set, or always for ollama), true (required) or false
     * @param apiKey the key, from the environment
     * @param baseUrl where the API lives (Azure, OpenRouter, vLLM, LM Studio, llama.cpp or a fake)
     * @param models the models routes may use here
     * @param contextWindows tokens per model where the built-in table does not know it
     * @param prices cost per million tokens, per model, for usage reports
     * @param connectTimeout limit on connecting and on the response headers
     * @param firstTokenTimeout limit from the request to the first token
     * @param idleTimeout limit between two chunks of a stream
     * @param totalTimeout limit on a whole reply
     * @param maxConcurrentStreams streams open at once before new ones wait or fall back
     * @param retry retries before the first token
     * @param breaker the circuit breaker that takes a failing provider out of rotation
     */
    public record Provider(ProviderType type, Toggle enabled, Secret apiKey, URI baseUrl, List<String> models,
                           Map<String, Integer> contextWindows, Map<String, Price> prices, Duration connectTimeout,
                           Duration firstTokenTimeout, Duration idleTimeout, Duration totalTimeout,
                           Integer maxConcurrentStreams, Retry retry, Breaker breaker) {
        public Provider {
            if (type == null) {
                throw new ConfigValueException("type", "is missing", "set type: openai, anthropic, gemini or ollama");
            }
            enabled = enabled != null ? enabled : Toggle.AUTO;
            apiKey = apiKey != null ? apiKey : Secret.none();
            baseUrl = baseUrl != null ? baseUrl : type.defaultBaseUrl();
            models = copy(models);
            contextWindows = contextWindows == null ? Map.of() : Map.copyOf(contextWindows);
            prices = prices == null ? Map.of() : Map.copyOf(prices);
            connectTimeout = positive("connect_timeout", connectTimeout, Duration.ofSeconds(10));
            firstTokenTimeout = positive("first_token_timeout", firstTokenTimeout, Duration.ofSeconds(30));
            idleTimeout = positive("idle_timeout", idleTimeout, Duration.ofSeconds(30));
            totalTimeout = positive("total_timeout", totalTimeout, Duration.ofMinutes(5));
            maxConcurrentStreams = maxConcurrentStreams != null ? maxConcurrentStreams : 64;
            retry = retry != null ? retry : new Retry(null, null, null);
            breaker = breaker != null ? breaker : new Breaker(null, null, null, null);
            if (models.isEmpty()) {
                throw new ConfigValueException("models", "lists no model", "add at least one, e.g. models: [gpt-4o-mini]");
            }
            if (maxConcurrentStreams < 1) {
                throw new ConfigValueException("max_concurrent_streams", "must be at least 1", "write e.g. 64");
            }
            String scheme = baseUrl.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw new ConfigValueException("base_url", "must be an http or https URL", "write e.g. "
                        + type.defaultBaseUrl());
            }
        }

        public boolean active() {
            return enabled != Toggle.OFF && (!type.needsKey() || apiKey.isPresent());
        }
    }

    /** US dollars per million tokens in and out. */
    public record Price(Double input, Double output) {
        public Price {
            input = input != null ? input : 0.0;
            output = output != null ? output : 0.0;
            if (input < 0 || output < 0) {
                throw new ConfigValueException("input", "prices must not be negative", "write e.g. input: 0.15");
            }
        }
    }

    /** Attempts per target before moving on, with exponential backoff and jitter; Retry-After wins when longer. */
    public record Retry(Integer maxAttempts, Duration initialDelay, Duration maxDelay) {
        public Retry {
            maxAttempts = maxAttempts != null ? maxAttempts : 2;
            initialDelay = positive("initial_delay", initialDelay, Duration.ofMillis(250));
            maxDelay = positive("max_delay", maxDelay, Duration.ofSeconds(4));
            if (maxAttempts < 1) {
                throw new ConfigValueException("max_attempts", "must be at least 1 (1 means no retry)", "write e.g. 2");
            }
            if (maxDelay.compareTo(initialDelay) < 0) {
                throw new ConfigValueException("max_delay", "is shorter than initial_delay", "raise max_delay");
            }
        }
    }

    /**
     * Opens when {@code failureRate} percent of the calls within {@code window} failed, once at least
     * {@code minimumCalls} were made; after {@code openFor} one probe call decides whether it closes.
     */
    public record Breaker(Integer failureRate, Integer minimumCalls, Duration window, Duration openFor) {
        public Breaker {
            failureRate = failureRate != null ? failureRate : 50;
            minimumCalls = minimumCalls != null ? minimumCalls : 5;
            window = positive("window", window, Duration.ofMinutes(1));
            openFor = positive("open_for", openFor, Duration.ofSeconds(30));
            if (failureRate < 1 || failureRate > 100) {
                throw new ConfigValueException("failure_rate", "must be a percentage from 1 to 100", "write e.g. 50");
            }
            if (minimumCalls < 1) {
                throw new ConfigValueException("minimum_calls", "must be at least 1", "write e.g. minimum_calls: 5");
            }
        }
    }

    /**
     * What answers where.
     *
     * @param defaultRoute the route used where no override applies
     * @param routes named, ordered lists of targets
     * @param overrides routes and prompts for particular workspaces, guilds or channels
     * @param onContentFilter when a provider refuses on content grounds: stop with a message, or try the next target
     * @param midStreamFallback whether a reply that fails after tokens were shown is replaced by the next target's
     * @param fallbackFooter whether a reply that fell back says in one line which provider answered
     */
    public record Routing(String defaultRoute, Map<String, Route> routes, List<Override> overrides,
                          ContentFilterAction onContentFilter, Boolean midStreamFallback, Boolean fallbackFooter) {
        public Routing {
            defaultRoute = defaultRoute != null ? defaultRoute : "default";
            onContentFilter = onContentFilter != null ? onContentFilter : ContentFilterAction.STOP;
            midStreamFallback = midStreamFallback != null ? midStreamFallback : Boolean.TRUE;
            fallbackFooter = fallbackFooter != null ? fallbackFooter : Boolean.TRUE;
            routes = routes == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(routes));
            overrides = copy(overrides);
        }
    }

    /** What to do when a provider refuses on content grounds. */
    public enum ContentFilterAction {
        STOP, FALLBACK;

        @com.fasterxml.jackson.annotation.JsonValue
        String yaml() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        static ContentFilterAction parse(String value) {
            return lowerCaseEnum(ContentFilterAction.class, value);
        }
    }

    /**
     * An ordered list of targets with a system prompt. Targets are tried by priority (lowest first); targets of
     * equal priority share load by weight.
     */
    public record Route(List<Target> targets, String systemPrompt) {
        public Route {
            targets = copy(targets);
            systemPrompt = systemPrompt != null ? systemPrompt
                    : "You are a helpful assistant in {channel}, talking with {user}. Today is {date}.";
            if (targets.isEmpty()) {
                throw new ConfigValueException("targets", "lists no target", "add e.g. targets: [openai/gpt-4o-mini]");
            }
        }
    }

    /** A provider and model, written {@code provider/model} or as an object with priority and weight. */
    public record Target(String target, Integer priority, Integer weight) {
        public Target {
            if (target == null || !target.contains("/") || target.startsWith("/") || target.endsWith("/")) {
                throw new ConfigValueException("target", "\"" + target + "\" is not provider/model",
                        "write e.g. openai/gpt-4o-mini");
            }
            priority = priority != null ? priority : 0;
            weight = weight != null ? weight : 1;
            if (weight < 1) {
                throw new ConfigValueException("weight", "must be at least 1", "write e.g. weight: 1");
            }
        }

        @JsonCreator
        static Target of(String spec) {
            return new Target(spec, null, null);
        }

        @JsonCreator
        static Target of(@com.fasterxml.jackson.annotation.JsonProperty("target") String target,
                         @com.fasterxml.jackson.annotation.JsonProperty("priority") Integer priority,
                         @com.fasterxml.jackson.annotation.JsonProperty("weight") Integer weight) {
            return new Target(target, priority, weight);
        }

        public String provider() {
            return target.substring(0, target.indexOf('/'));
        }

        public String model() {
            return target.substring(target.indexOf('/') + 1);
        }
    }

    /**
     * A route or prompt for one place. {@code channel} empty applies to the whole workspace or guild.
     */
    public record Override(String platform, String workspace, String channel, String route, String systemPrompt) {
        public Override {
            if (platform == null || platform.isBlank()) {
                throw new ConfigValueException("platform", "is missing", "write slack or discord");
            }
            if (workspace == null || workspace.isBlank()) {
                throw new ConfigValueException("workspace", "is missing", "write the Slack team id or Discord guild id");
            }
            channel = channel != null ? channel : "";
            if (route == null && systemPrompt == null) {
                throw new ConfigValueException("route", "an override needs a route, a system_prompt or both",
                        "add route: <name>");
            }
        }
    }

    /**
     * Where and how conversations are kept.
     *
     * @param path the data folder
     * @param fsync whether each write reaches the disk before it is acknowledged
     * @param backups whether the previous version of each file is kept
     * @param maxTurnChars longest message kept; longer ones are refused with a clear reply
     * @param maxTurnsPerFile turns in a thread's current file before older ones roll into an archive
     * @param cacheMaxSize memory for hot conversations
     * @param retention delete threads untouched for this long; 0 keeps them forever
     */
    public record Storage(Path path, Boolean fsync, Boolean backups, Integer maxTurnChars, Integer maxTurnsPerFile,
                          DataSize cacheMaxSize, Duration retention) {
        public Storage {
            path = path != null ? path : Path.of("conversations");
            fsync = fsync != null ? fsync : Boolean.TRUE;
            backups = backups != null ? backups : Boolean.TRUE;
            maxTurnChars = maxTurnChars != null ? maxTurnChars : 40_000;
            maxTurnsPerFile = maxTurnsPerFile != null ? maxTurnsPerFile : 128;
            cacheMaxSize = cacheMaxSize != null ? cacheMaxSize : new DataSize(64L << 20);
            retention = retention != null ? retention : Duration.ZERO;
            if (maxTurnChars < 1) {
                throw new ConfigValueException("max_turn_chars", "must be at least 1", "write e.g. 40000");
            }
            if (maxTurnsPerFile < 4) {
                throw new ConfigValueException("max_turns_per_file", "must be at least 4", "write e.g. 128");
            }
            if (retention.isNegative()) {
                throw new ConfigValueException("retention", "must not be negative", "write 0 to keep forever, or 90d");
            }
        }
    }

    /** Who may run admin commands. */
    public record Operators(List<String> slackUsers, List<String> discordUsers, List<String> discordRoles) {
        public Operators {
            slackUsers = copy(slackUsers);
            discordUsers = copy(discordUsers);
            discordRoles = copy(discordRoles);
        }
    }

    /**
     * The operations HTTP server: health, readiness, metrics, status page, Slack HTTP mode.
     *
     * @param enabled whether it runs
     * @param bind the address to listen on; loopback by default
     * @param port the port; 0 picks a free one
     * @param token a bearer token required on everything but /healthz; empty for none
     * @param drainTimeout on SIGTERM, how long replies in progress may take to finish before they are interrupted
     */
    public record Ops(Boolean enabled, String bind, Integer port, Secret token, Duration drainTimeout) {
        public Ops {
            drainTimeout = drainTimeout != null ? drainTimeout : Duration.ofSeconds(30);
            if (drainTimeout.isNegative()) {
                throw new ConfigValueException("drain_timeout", "must not be negative", "write e.g. 30s, or 0s");
            }
            enabled = enabled != null ? enabled : Boolean.TRUE;
            bind = bind != null ? bind.strip() : "127.0.0.1";
            port = port != null ? port : 8080;
            token = token != null ? token : Secret.none();
            if (port < 0 || port > 65_535) {
                throw new ConfigValueException("port", "must be between 0 and 65535, was " + port, "write e.g. 8080");
            }
            if (bind.isEmpty()) {
                throw new ConfigValueException("bind", "is empty", "write 127.0.0.1, or 0.0.0.0 in a container");
            }
            if (token.isPresent() && token.reveal().length() < 16) {
                throw new ConfigValueException("token", "is shorter than 16 characters",
                        "use a long random value, e.g. the output of: openssl rand -hex 24");
            }
        }
    }

    /** Log output: {@code json} lines (default) or a readable {@code text} pattern, and the level. */
    public record Logging(String format, String level) {
        public Logging {
            format = format != null ? format.strip().toLowerCase(Locale.ROOT) : "json";
            level = level != null ? level.strip().toUpperCase(Locale.ROOT) : "INFO";
            if (!format.equals("json") && !format.equals("text")) {
                throw new ConfigValueException("format", "must be json or text, was \"" + format + "\"",
                        "write format: json");
            }
            if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
                throw new ConfigValueException("level", "must be trace, debug, info, warn or error", "write level: info");
            }
        }
    }

    /** An enum written in lower case in the file; anything else names the values allowed. */
    private static <E extends Enum<E>> E lowerCaseEnum(Class<E> type, String value) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value.strip())) {
                return constant;
            }
        }
        List<String> allowed = java.util.Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        throw new IllegalArgumentException("expected " + String.join(" or ", allowed) + ", got \"" + value + "\"");
    }

    /** Copies a list, leaving out items that were only an unset {@code ${VAR}}. */
    private static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : list.stream().filter(java.util.Objects::nonNull).toList();
    }

    private static Duration positive(String key, Duration value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.isZero() || value.isNegative()) {
            throw new ConfigValueException(key, "must be positive", "write e.g. " + Durations.format(fallback));
        }
        return value;
    }
}

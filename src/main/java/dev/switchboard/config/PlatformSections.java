package dev.switchboard.config;

import static dev.switchboard.config.Values.copy;
import static dev.switchboard.config.Values.lowerCaseEnum;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.switchboard.config.SwitchboardConfig.OnNewMessage;
import dev.switchboard.config.SwitchboardConfig.RateLimit;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The {@code slack} and {@code discord} sections. {@link SwitchboardConfig} inherits them, so code names them
 * {@code SwitchboardConfig.Slack} as before; an import needs the canonical name ({@code PlatformSections.Slack}).
 * Immutable.
 */
public interface PlatformSections {

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
     * @param postBudget new messages per channel (chat.postMessage: about one a second, short bursts allowed; by default
     *     five per five seconds, so two replies starting together in a channel both show at once)
     * @param updateBudget message edits per workspace, shared by every reply (chat.update, Tier 3)
     * @param assistant Slack's agent view ({@link SlackAssistant})
     * @param streamBudgets the native-streaming methods' own limits per workspace ({@link SlackStreamBudgets})
     * @param streamWhenBusy without {@code nativeStreaming}: a reply starting while the workspace's chat.update budget
     *     is busy streams natively instead, on the stream methods' separate budgets
     */
    public record Slack(Toggle enabled, SlackMode mode, Secret botToken, Secret appToken, Secret signingSecret,
                        URI apiUrl, String eventsPath, Boolean followThreads, Boolean nativeStreaming,
                        SlackAccess access, RateLimit userRateLimit, OnNewMessage onNewMessage,
                        RateLimit postBudget, RateLimit updateBudget, SlackAssistant assistant,
                        SlackStreamBudgets streamBudgets, Boolean streamWhenBusy) {
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
            postBudget = postBudget != null ? postBudget : new RateLimit(5, Duration.ofSeconds(5));
            updateBudget = updateBudget != null ? updateBudget : new RateLimit(50, Duration.ofMinutes(1));
            streamBudgets = streamBudgets != null ? streamBudgets : new SlackStreamBudgets(null, null, null);
            streamWhenBusy = streamWhenBusy != null ? streamWhenBusy : Boolean.FALSE;
            assistant = assistant != null ? assistant : new SlackAssistant(null, null, null, null, null, null, null,
                    null);
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
     * @param globalRequestsPerSecond the bot's global REST limit as Discord states it (50; more only where Discord
     *     raised it for this bot); every request is held below it, with a margin
     * @param cdnUrl where Discord serves attachments; files are downloaded only from this host
     */
    public record Discord(Toggle enabled, Secret token, URI restUrl, URI gatewayUrl, Boolean messageContent,
                          Boolean threads, String commandGuild, Boolean silent, Shards shards, DiscordAccess access,
                          RateLimit userRateLimit, Integer globalRequestsPerSecond, URI cdnUrl) {

        /** Without a CDN setting: Discord's own. */
        public Discord(Toggle enabled, Secret token, URI restUrl, URI gatewayUrl, Boolean messageContent,
                       Boolean threads, String commandGuild, Boolean silent, Shards shards, DiscordAccess access,
                       RateLimit userRateLimit, Integer globalRequestsPerSecond) {
            this(enabled, token, restUrl, gatewayUrl, messageContent, threads, commandGuild, silent, shards, access,
                    userRateLimit, globalRequestsPerSecond, null);
        }

        public Discord {
            cdnUrl = cdnUrl != null ? cdnUrl : URI.create("https://cdn.discordapp.com/");
            String cdnScheme = cdnUrl.getScheme();
            if (cdnUrl.getHost() == null || !("https".equals(cdnScheme) || "http".equals(cdnScheme))) {
                throw new ConfigValueException("cdn_url", "must be an http or https URL",
                        "write cdn_url: https://cdn.discordapp.com/");
            }
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
            globalRequestsPerSecond = globalRequestsPerSecond != null ? globalRequestsPerSecond : 50;
            if (globalRequestsPerSecond < 2) {
                throw new ConfigValueException("global_requests_per_second", "must be at least 2",
                        "leave it at 50, Discord's limit, unless Discord raised it for this bot");
            }
        }

        public boolean active() {
            return enabled != Toggle.OFF && token.isPresent();
        }
    }

    /**
     * Which Discord shards this process runs: {@code first..last} of {@code total}.
     *
     * @param pinned whether {@code first} or {@code last} was written: the range is set by hand. Without it, the nodes
     *     of a cluster spread the {@code total} shards among themselves
     */
    public record Shards(Integer total, Integer first, Integer last,
                         @com.fasterxml.jackson.annotation.JsonIgnore boolean pinned) {

        /** As the config file writes it: a range given by hand when {@code first} or {@code last} is there. */
        @JsonCreator
        public Shards(@com.fasterxml.jackson.annotation.JsonProperty("total") Integer total,
                      @com.fasterxml.jackson.annotation.JsonProperty("first") Integer first,
                      @com.fasterxml.jackson.annotation.JsonProperty("last") Integer last) {
            this(total, first, last, first != null || last != null);
        }

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
}

package dev.switchboard.config;

import static dev.switchboard.config.Values.copy;
import static dev.switchboard.config.Values.lowerCaseEnum;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code routing} section: routes, their targets, and overrides per place. Reached as
 * {@code SwitchboardConfig.Routing} and so on (see {@link PlatformSections}). Immutable.
 */
public interface RoutingSections {

    /**
     * What answers where.
     *
     * @param defaultRoute the route used where no override applies
     * @param routes named, ordered lists of targets
     * @param overrides routes and prompts for particular workspaces, guilds or channels
     * @param onContentFilter when a provider refuses on content grounds: stop with a message, or try the next target
     * @param midStreamFallback whether a reply that fails after tokens were shown is replaced by the next target's
     * @param fallbackFooter whether a reply that fell back says in one line which provider answered
     * @param userModels the {@code provider/model} targets users may pick with {@code /model}; empty: none
     * @param compareModels the models {@code /compare} asks when the user names none (two or three)
     * @param summaries how threads too long for a context window are summarised
     */
    public record Routing(String defaultRoute, Map<String, Route> routes, List<Override> overrides,
                          ContentFilterAction onContentFilter, Boolean midStreamFallback, Boolean fallbackFooter,
                          List<Target> userModels, List<Target> compareModels, Summaries summaries) {

        public Routing(String defaultRoute, Map<String, Route> routes, List<Override> overrides,
                       ContentFilterAction onContentFilter, Boolean midStreamFallback, Boolean fallbackFooter) {
            this(defaultRoute, routes, overrides, onContentFilter, midStreamFallback, fallbackFooter, null, null,
                    null);
        }

        public Routing {
            summaries = summaries != null ? summaries : new Summaries(null, null, null);
            userModels = copy(userModels);
            compareModels = copy(compareModels);
            if (compareModels.size() == 1 || compareModels.size() > 3) {
                throw new ConfigValueException("compare_models", "lists " + compareModels.size()
                        + " models; a comparison takes two or three", "list two or three provider/model targets");
            }
            defaultRoute = defaultRoute != null ? defaultRoute : "default";
            onContentFilter = onContentFilter != null ? onContentFilter : ContentFilterAction.STOP;
            midStreamFallback = midStreamFallback != null ? midStreamFallback : Boolean.TRUE;
            fallbackFooter = fallbackFooter != null ? fallbackFooter : Boolean.TRUE;
            routes = routes == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(routes));
            overrides = copy(overrides);
        }
    }

    /**
     * Summaries of long threads: written in the background by the route's cheapest target (by {@code prices}; the
     * route's last target when none has a price) once a reply's prompt had to leave older turns out.
     *
     * @param enabled whether threads are summarised; off, older turns are only left out
     * @param maxConcurrent summaries written at once, service-wide (one per thread at most)
     * @param retryAfter the wait before a failed summary is tried again (doubling, three tries)
     */
    public record Summaries(Boolean enabled, Integer maxConcurrent, java.time.Duration retryAfter) {
        public Summaries {
            enabled = enabled != null ? enabled : Boolean.TRUE;
            maxConcurrent = maxConcurrent != null ? maxConcurrent : 2;
            retryAfter = Values.positive("retry_after", retryAfter, java.time.Duration.ofMinutes(1));
            if (maxConcurrent < 1 || maxConcurrent > 64) {
                throw new ConfigValueException("max_concurrent", "must be between 1 and 64, was " + maxConcurrent,
                        "write e.g. max_concurrent: 2");
            }
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
    public record Route(List<Target> targets, String systemPrompt, List<String> tools) {

        public Route(List<Target> targets, String systemPrompt) {
            this(targets, systemPrompt, null);
        }

        public Route {
            tools = toolPatterns(tools);
            targets = copy(targets);
            systemPrompt = systemPrompt != null ? systemPrompt
                    : "You are a helpful assistant in {channel}, talking with {user}. Today is {date}.";
            if (targets.isEmpty()) {
                throw new ConfigValueException("targets", "lists no target", "add e.g. targets: [openai/gpt-5.4-mini]");
            }
        }
    }

    /** A provider and model, written {@code provider/model} or as an object with priority and weight. */
    public record Target(String target, Integer priority, Integer weight) {
        public Target {
            if (target == null || !target.contains("/") || target.startsWith("/") || target.endsWith("/")) {
                throw new ConfigValueException("target", "\"" + target + "\" is not provider/model",
                        "write e.g. openai/gpt-5.4-mini");
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
    public record Override(String platform, String workspace, String channel, String route, String systemPrompt,
                           List<String> tools) {

        public Override(String platform, String workspace, String channel, String route, String systemPrompt) {
            this(platform, workspace, channel, route, systemPrompt, null);
        }

        public Override {
            tools = tools == null ? null : toolPatterns(tools);
            if (platform == null || platform.isBlank()) {
                throw new ConfigValueException("platform", "is missing", "write slack or discord");
            }
            if (workspace == null || workspace.isBlank()) {
                throw new ConfigValueException("workspace", "is missing", "write the Slack team id or Discord guild id");
            }
            channel = channel != null ? channel : "";
            if (route == null && systemPrompt == null && tools == null) {
                throw new ConfigValueException("route", "an override needs a route, a system_prompt or tools",
                        "add route: <name>");
            }
        }
    }

    /** The tools a route or override may call: {@code server/*} or {@code server/tool} each; none by default. */
    private static List<String> toolPatterns(List<String> tools) {
        List<String> patterns = copy(tools);
        for (String p : patterns) {
            if (!ToolSections.validPattern(p)) {
                throw new ConfigValueException("tools", "\"" + p + "\" is not server/tool or server/*",
                        "write e.g. tools: [docs/*, tickets/find_ticket]");
            }
        }
        return patterns;
    }
}
